/*
 * iolat.c - io_latency.csv and core_cpu.csv of a real-clock run (see iolat.h for why).
 */
#include "iolat.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NS_PER_US 1000

struct ds_iolat {
    ds_hist *h[DS_IOL__COUNT];
    uint64_t cpu_ns[DS_CPU__COUNT];
    uint64_t cpu_n[DS_CPU__COUNT];
    bool paused; /* outside the measured phase: intervals are not recorded */
};

static const char *const iol_names[DS_IOL__COUNT] = {
    "backend_get",       "backend_set",      "backend_del", "queue_wait",
    "handoff",           "arrival_late",     "wakeup",      "cpu_get",
    "cpu_set",           "cpu_del",          "service_get", "service_set",
    "service_del",       "worker_wakeup",    "main_runq",   "main_preempt",
    "main_preempt_load", "main_preempt_save"};
_Static_assert(sizeof iol_names / sizeof iol_names[0] == DS_IOL__COUNT, "a name per kind");
static const char *const cpu_extra[] = {"done_load", "done_save", "cron", "main_thread"};

ds_iolat *ds_iolat_new(void) {
    ds_iolat *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    for (int i = 0; i < DS_IOL__COUNT; i++)
        if (!(l->h[i] = ds_hist_new())) {
            ds_iolat_free(l);
            return NULL;
        }
    return l;
}

void ds_iolat_free(ds_iolat *l) {
    if (!l) return;
    for (int i = 0; i < DS_IOL__COUNT; i++)
        ds_hist_free(l->h[i]);
    free(l);
}

const char *ds_iol_name(ds_iol_kind k) { return k < DS_IOL__COUNT ? iol_names[k] : "?"; }

const char *ds_cpu_name(int kind) {
    if (kind >= DS_OP__COUNT && kind < DS_CPU__COUNT) return cpu_extra[kind - DS_OP__COUNT];
    if (kind >= 0 && kind < DS_OP__COUNT) return ds_op_name((ds_op)kind);
    return "?";
}

void ds_iolat_add(ds_iolat *l, ds_iol_kind k, int64_t ns) {
    if (!l || k >= DS_IOL__COUNT || l->paused) return;
    ds_hist_add(l->h[k], ns < 0 ? 0 : (ns + NS_PER_US / 2) / NS_PER_US);
}

void ds_iolat_main_preempt(ds_iolat *l, int64_t ns, unsigned handed) {
    ds_iolat_add(l, DS_IOL_MAIN_PREEMPT, ns);
    if (handed) /* a period that handed out a SAVE counts as a SAVE's */
        ds_iolat_add(l, handed & 2 ? DS_IOL_MAIN_PREEMPT_SAVE : DS_IOL_MAIN_PREEMPT_LOAD, ns);
}

void ds_iolat_pause(ds_iolat *l, bool paused) {
    if (l) l->paused = paused;
}

void ds_iolat_cpu(ds_iolat *l, int kind, int64_t ns) {
    if (!l || kind < 0 || kind >= DS_CPU__COUNT) return;
    l->cpu_ns[kind] += (uint64_t)(ns < 0 ? 0 : ns);
    l->cpu_n[kind]++;
}

void ds_iolat_cpu_n(ds_iolat *l, int kind, int64_t ns, uint64_t n) {
    if (!l || kind < 0 || kind >= DS_CPU__COUNT) return;
    l->cpu_ns[kind] += (uint64_t)(ns < 0 ? 0 : ns);
    l->cpu_n[kind] += n;
}

const ds_hist *ds_iolat_hist(const ds_iolat *l, ds_iol_kind k) {
    return l && k < DS_IOL__COUNT ? l->h[k] : NULL;
}

double ds_iolat_cpu_mean_us(const ds_iolat *l, int kind) {
    if (!l || kind < 0 || kind >= DS_CPU__COUNT || !l->cpu_n[kind]) return 0.0;
    return (double)l->cpu_ns[kind] / (double)l->cpu_n[kind] / NS_PER_US;
}

uint64_t ds_iolat_cpu_count(const ds_iolat *l, int kind) {
    return l && kind >= 0 && kind < DS_CPU__COUNT ? l->cpu_n[kind] : 0;
}

int64_t ds_thread_cpu_ns(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0;
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int ds_schedstat_open(void) { return open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC); }

bool ds_schedstat_wait(int fd, int64_t *wait_ns) {
    char buf[96];
    ssize_t n = fd >= 0 ? pread(fd, buf, sizeof buf - 1, 0) : -1;
    long long c, w;
    *wait_ns = 0;
    if (n <= 0) return false;
    buf[n] = '\0';
    if (sscanf(buf, "%lld %lld", &c, &w) != 2) return false;
    *wait_ns = w;
    return true;
}

static FILE *create(const char *dir, const char *name, char *path, size_t cap, ds_err *err) {
    snprintf(path, cap, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) ds_err_set(err, DS_ERR_IO, "%s: %s", path, strerror(errno));
    return f;
}

static ds_status finish(FILE *f, const char *path, ds_err *err) {
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0) bad = true;
    return bad ? ds_err_set(err, DS_ERR_IO, "%s: write failed", path) : DS_OK;
}

static void write_hist(FILE *f, const char *name, const ds_hist *h) {
    uint64_t total = ds_hist_count(h), cum = 0, n;
    size_t it = 0;
    int64_t lo, hi;
    while (ds_hist_bucket(h, &it, &lo, &hi, &n)) {
        cum += n;
        fprintf(f, "%s,%" PRId64 ",%" PRId64 ",%" PRIu64 ",%.9f\n", name, lo, hi, n,
                (double)cum / (double)total);
    }
}

ds_status ds_iolat_write(const ds_iolat *l, const char *dir, bool core_cpu, ds_err *err) {
    char path[4096];
    FILE *f = create(dir, "io_latency.csv", path, sizeof path, err);
    if (!f) return DS_ERR_IO;
    fputs("op,bucket_lo_us,bucket_hi_us,count,cum_fraction\n", f);
    for (int k = 0; k < DS_IOL__COUNT; k++)
        if (ds_hist_count(l->h[k])) write_hist(f, iol_names[k], l->h[k]);
    ds_status st = finish(f, path, err);
    if (st != DS_OK || !core_cpu) return st;
    if (!(f = create(dir, "core_cpu.csv", path, sizeof path, err))) return DS_ERR_IO;
    fputs("op,count,total_us,mean_us\n", f);
    for (int k = 0; k < DS_CPU__COUNT; k++) {
        if (!l->cpu_n[k]) continue;
        char name[32];
        snprintf(name, sizeof name, "%s", ds_cpu_name(k));
        for (char *p = name; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        fprintf(f, "%s,%" PRIu64 ",%.3f,%.4f\n", name, l->cpu_n[k],
                (double)l->cpu_ns[k] / NS_PER_US, ds_iolat_cpu_mean_us(l, k));
    }
    return finish(f, path, err);
}
