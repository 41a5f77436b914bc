/*
 * bench_readers.c - how fast the trace readers stream (records per second).
 *
 * Writes a 5M-record oracleGeneral file, a 2M-line native CSV and the same 2M records as dsb
 * into a temp directory with the library's own writers, then times reading each to the end
 * (plus the oracleGeneral file zstd-compressed, and the default workload converted to dsb,
 * read DEFAULT_PASSES times when run from the repository root). Wall and CPU rates are
 * printed. No assertions: the numbers go to README. Targets: >= 5M records/s for
 * oracleGeneral, >= 1M lines/s for native CSV, >= 20M records/s for dsb.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

#define ORACLE_RECORDS 5000000u
#define NATIVE_LINES   2000000u
#define DEFAULT_PASSES 20
#define DEFAULT_TRACE  "workloads/default.csv.zst"

static double now_s(clockid_t clk) {
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int write_trace(const char *path, const char *fmt, uint32_t n, uint64_t seed) {
    ds_err err = {{0}};
    ds_writer *w = ds_writer_open(path, fmt, &err);
    ds_trace_req *q = calloc(1, sizeof *q);
    if (!w || !q) {
        fprintf(stderr, "bench_readers: %s\n", err.msg);
        free(q);
        return -1;
    }
    ds_rng rng;
    ds_rng_seed(&rng, seed);
    char key[32];
    for (uint32_t i = 0; i < n; i++) {
        uint64_t id = ds_rng_below(&rng, 1000000);
        q->time_us = (int64_t)i * 10;
        q->client = i % 16;
        q->op = ds_rng_below(&rng, 10) == 0 ? DS_OP_SET : DS_OP_GET;
        q->nkeys = 1;
        q->keys[0].p = key;
        q->keys[0].len = (uint32_t)snprintf(key, sizeof key, fmt[0] == 'o' ? "%llu" : "key:%llu",
                                            (unsigned long long)id);
        q->size = 100 + id % 4000;
        q->ttl_s = 0;
        if (ds_writer_put(w, q, &err) != DS_OK) break;
    }
    free(q);
    if (ds_writer_close(w, &err) != DS_OK) {
        fprintf(stderr, "bench_readers: %s\n", err.msg);
        return -1;
    }
    return 0;
}

/* The default workload as dsb (through the library: same as `dslab convert`). */
static int copy_trace(const char *in, const char *out) {
    ds_err err = {{0}};
    ds_reader *r = ds_reader_open(in, NULL, &err);
    ds_writer *w = r ? ds_writer_open(out, NULL, &err) : NULL;
    ds_trace_req *q = malloc(sizeof *q);
    int rc = -1;
    if (r && w && q)
        while ((rc = ds_reader_next(r, q, &err)) == 1)
            if (ds_writer_put(w, q, &err) != DS_OK) {
                rc = -1;
                break;
            }
    free(q);
    ds_reader_close(r);
    if (w && ds_writer_close(w, &err) != DS_OK) rc = -1;
    if (rc != 0) fprintf(stderr, "bench_readers: %s\n", err.msg);
    return rc;
}

static void time_read(const char *label, const char *path, int passes) {
    ds_err err = {{0}};
    ds_trace_req *q = malloc(sizeof *q);
    double t0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    uint64_t n = 0, sum = 0;
    int rc = -1;
    for (int i = 0; i < passes; i++) {
        ds_reader *r = ds_reader_open(path, NULL, &err);
        if (r && q)
            while ((rc = ds_reader_next(r, q, &err)) == 1)
                n++, sum += q->keys[0].len;
        ds_reader_close(r);
        if (rc < 0) break;
    }
    double dt = now_s(CLOCK_MONOTONIC) - t0, dc = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    if (rc < 0) fprintf(stderr, "bench_readers: %s\n", err.msg);
    /* CPU time too: on a shared machine wall time measures the neighbours */
    printf("%-24s %8llu records  wall %6.3f s %10.0f rec/s  cpu %6.3f s %10.0f rec/s"
           "  (key bytes %llu)\n",
           label, (unsigned long long)n, dt, (double)n / dt, dc, (double)n / dc,
           (unsigned long long)sum);
    free(q);
}

int main(void) {
    char dir[] = "/tmp/bench_readers.XXXXXX";
    if (!mkdtemp(dir)) return 1;
    char po[64], pz[64], pn[64], pd[64], pdd[64];
    snprintf(po, sizeof po, "%s/b.oracleGeneral.bin", dir);
    snprintf(pz, sizeof pz, "%s/b.oracleGeneral.zst", dir);
    snprintf(pn, sizeof pn, "%s/b.csv", dir);
    snprintf(pd, sizeof pd, "%s/b.dsb", dir);
    snprintf(pdd, sizeof pdd, "%s/default.dsb", dir);
    int rc = write_trace(po, "oracleGeneral", ORACLE_RECORDS, 1) ||
             write_trace(pz, "oracleGeneral", ORACLE_RECORDS, 1) ||
             write_trace(pn, "native", NATIVE_LINES, 2) || write_trace(pd, "dsb", NATIVE_LINES, 2);
    if (rc == 0) {
        time_read("oracleGeneral (plain)", po, 1);
        time_read("oracleGeneral (zstd)", pz, 1);
        time_read("native csv", pn, 1);
        time_read("dsb (same records)", pd, 1);
        if (access(DEFAULT_TRACE, R_OK) == 0 && copy_trace(DEFAULT_TRACE, pdd) == 0) {
            time_read("default.csv.zst (native)", DEFAULT_TRACE, 1);
            time_read("default as dsb (x20)", pdd, DEFAULT_PASSES);
        }
    }
    unlink(po);
    unlink(pz);
    unlink(pn);
    unlink(pd);
    unlink(pdd);
    rmdir(dir);
    return rc ? 1 : 0;
}
