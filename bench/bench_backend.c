/*
 * bench_backend.c - how much the file backend costs over the bare system calls it makes.
 *
 * Why this comparison: a save is open(temp)/write/close/rename plus our bookkeeping (hash
 * path, a probe open to find the key's slot, CRC32C over the record, a stripe lock). The plain
 * loop does only the four calls on pre-made names, so the ratio says how much of a save is
 * ours and how much is the kernel's. fsync=never, 4 KiB values; also 4 threads, overwrites and
 * reads. Prints results, asserts nothing; each phase is capped at 1.5 s, so a run stays under ~20 s
 * even on a slow disk.
 */
#define _XOPEN_SOURCE 700
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dslab.h"

#define VALUE_BYTES 4096u
#define SAVES       2000
#define THREADS     4

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}

#define PHASE_SECONDS 1.5 /* each phase stops early after this, so the run stays short */

typedef struct job {
    ds_backend *b;
    const char *dir;
    int first, count;
    ds_bop op;
    int errors;
    int done; /* operations completed before the count or the deadline ran out */
    double deadline;
} job;

static void *run_backend(void *p) {
    job *j = p;
    unsigned char data[VALUE_BYTES];
    memset(data, 0xab, sizeof(data));
    ds_value *v = ds_value_new(data, VALUE_BYTES, 0, 0);
    char k[32];
    for (int i = j->first; i < j->first + j->count && now_s() < j->deadline; i++) {
        int kl = snprintf(k, sizeof(k), "bench:key:%d", i);
        ds_call c = {0, false};
        ds_value *out = NULL;
        j->b->ops->plan(j->b, j->op, k, (uint32_t)kl, &c);
        ds_status st = j->op == DS_BOP_SET ? j->b->ops->set(j->b, &c, k, (uint32_t)kl, v, NULL)
                                           : j->b->ops->get(j->b, &c, k, (uint32_t)kl, &out, NULL);
        ds_value_unref(out);
        j->errors += st != DS_OK;
        j->done++;
    }
    ds_value_unref(v); /* each thread owns its value: refcounts stay thread-local */
    return NULL;
}

static void *run_plain(void *p) {
    job *j = p;
    unsigned char data[VALUE_BYTES + 64];
    memset(data, 0xab, sizeof(data));
    char tmp[256], path[256];
    for (int i = j->first; i < j->first + j->count && now_s() < j->deadline; i++) {
        snprintf(tmp, sizeof(tmp), "%s/plain/.tmp-%d", j->dir, i);
        snprintf(path, sizeof(path), "%s/plain/%d", j->dir, i);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, data, sizeof(data)) != (ssize_t)sizeof(data)) j->errors++;
        if (fd >= 0) close(fd);
        if (rename(tmp, path) != 0) j->errors++;
        j->done++;
    }
    return NULL;
}

/* Run fn over SAVES keys split across nthreads (thread t gets at most limit[t] of them, and
 * records in limit[t] how many it did, so a read phase only reads keys that were written);
 * returns operations per second. */
static double timed(void *(*fn)(void *), ds_backend *b, const char *dir, ds_bop op, int nthreads,
                    int *limit, int *errors) {
    pthread_t th[THREADS];
    job jobs[THREADS];
    int per = SAVES / nthreads, total = 0;
    double t0 = now_s();
    for (int t = 0; t < nthreads; t++) {
        int n = limit[t] < per ? limit[t] : per;
        jobs[t] = (job){b, dir, t * per, n, op, 0, 0, t0 + PHASE_SECONDS};
        pthread_create(&th[t], NULL, fn, &jobs[t]);
    }
    for (int t = 0; t < nthreads; t++) {
        pthread_join(th[t], NULL);
        *errors += jobs[t].errors;
        limit[t] = jobs[t].done;
        total += jobs[t].done;
    }
    return total / (now_s() - t0);
}

static ds_backend *fresh_backend(char *dir) {
    ds_err err = {{0}};
    ds_file_opts o = {DS_FSYNC_NEVER};
    strcpy(dir, "/tmp/dslab-bench-XXXXXX");
    if (!mkdtemp(dir)) return NULL;
    ds_backend *b = ds_backend_file_open(dir, &o, &err);
    char plain[128]; /* the plain loop's own directory, away from the backend's tree */
    snprintf(plain, sizeof(plain), "%s/plain", dir);
    mkdir(plain, 0755);
    if (!b) fprintf(stderr, "bench_backend: %s\n", err.msg);
    return b;
}

static void cleanup(ds_backend *b, char *dir) {
    ds_backend_close(b);
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void) {
    char dir[64];
    int errors = 0;
    printf("bench_backend: file backend, %u-byte values, %d keys, fsync=never, dir /tmp\n",
           VALUE_BYTES, SAVES);
    ds_backend *b = fresh_backend(dir);
    if (!b) return 1;
    int lim[THREADS] = {SAVES, SAVES, SAVES, SAVES}, plim[THREADS] = {SAVES};
    double new1 = timed(run_backend, b, dir, DS_BOP_SET, 1, lim, &errors);
    double plain1 = timed(run_plain, NULL, dir, DS_BOP_SET, 1, plim, &errors);
    double over1 = timed(run_backend, b, dir, DS_BOP_SET, 1, lim, &errors);
    double get1 = timed(run_backend, b, dir, DS_BOP_GET, 1, lim, &errors);
    cleanup(b, dir);
    b = fresh_backend(dir);
    if (!b) return 1;
    for (int t = 0; t < THREADS; t++)
        lim[t] = plim[t] = SAVES;
    double new4 = timed(run_backend, b, dir, DS_BOP_SET, THREADS, lim, &errors);
    double plain4 = timed(run_plain, NULL, dir, DS_BOP_SET, THREADS, plim, &errors);
    double get4 = timed(run_backend, b, dir, DS_BOP_GET, THREADS, lim, &errors);
    cleanup(b, dir);
    printf("%-34s %12s %12s\n", "", "1 thread", "4 threads");
    printf("%-34s %12.0f %12.0f\n", "plain open/write/close/rename /s", plain1, plain4);
    printf("%-34s %12.0f %12.0f\n", "backend saves, new keys /s", new1, new4);
    printf("%-34s %12.0f %12s\n", "backend saves, overwrites /s", over1, "-");
    printf("%-34s %12.0f %12.0f\n", "backend gets /s", get1, get4);
    printf("%-34s %12.2f %12.2f\n", "ratio backend/plain (new keys)", new1 / plain1, new4 / plain4);
    printf("errors: %d\n", errors);
    return errors ? 1 : 0;
}
