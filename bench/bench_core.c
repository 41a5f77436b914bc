/*
 * bench_core.c - the core's own costs, without a simulator around it:
 *   1. memory per cached key: 1M keys of 16 bytes with 100-byte values, after a drain (every
 *      key clean), measured with mallinfo2 (bytes really allocated, allocator overhead
 *      included), against the accounted charge;
 *   2. throughput of GET hits, SET (with SAVE scheduling and coalescing) and GET misses
 *      (park, LOAD, completion, resume), in operations per wall second;
 *   3. `bench_core --costs [KEYS]`: the CPU cost of each command and of each job hand-back and
 *      cron, in microseconds, printed as the `core-cost-us` line that the virtual-time replay's
 *      CPU model of the core reads (README "Latency: definitions and the core's cost"). Run it
 *      with the -O2 -DNDEBUG build (make bench builds build-bench/bench/bench_core).
 * No assertions: it prints numbers for the README. Usage: bench_core [KEYS [EVICT-SPEC]],
 * or bench_core --costs [KEYS].
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dslab.h"

typedef struct bhost {
    int64_t now;
    ds_cache *c;
    uint64_t replies;
} bhost;

static int64_t bh_now(void *ctx) { return ((bhost *)ctx)->now; }
static void bh_reply(void *ctx, uint64_t client, uint64_t tag, const ds_reply *r) {
    (void)client, (void)tag, (void)r;
    ((bhost *)ctx)->replies++;
}
/* Complete every job in flight: SAVEs succeed, LOADs find a 100-byte value. */
static bool bh_wait(void *ctx) {
    bhost *h = ctx;
    ds_job *j;
    bool any = false;
    while ((j = ds_cache_job_take(h->c))) {
        if (j->type == DS_JOB_LOAD) {
            j->value = ds_value_new(NULL, 100, 100, 0);
            j->result = DS_OK;
        } else {
            j->result = DS_OK;
        }
        ds_cache_job_done(h->c, j);
        any = true;
    }
    return any;
}

static double secs(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* In-use bytes of the main arena plus mmapped blocks: large arrays (the hash table's slots, a
 * policy's heap) are mmapped by glibc and uordblks alone would not see them. */
static size_t heap_bytes(void) {
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

/* "key:" and 12 decimal digits: exactly 16 bytes. */
static void key16(char *buf, uint64_t i) {
    memcpy(buf, "key:", 4);
    for (int d = 15; d >= 4; d--, i /= 10)
        buf[d] = (char)('0' + i % 10);
    buf[16] = 0;
}

/* ---- --costs: per-command CPU costs for the core model ---- */

/* Hand back every job, timing only ds_cache_job_done (the core's hand-back work); SAVE and
 * LOAD hand-backs apart (a LOAD's resumes the clients waiting for it). */
typedef struct done_acc {
    double s[2];
    uint64_t n[2];
} done_acc;

static void bh_done_timed(bhost *h, done_acc *a) {
    ds_job *j;
    while ((j = ds_cache_job_take(h->c))) {
        int load = j->type == DS_JOB_LOAD;
        j->result = DS_OK;
        if (load) j->value = ds_value_new(NULL, 100, 100, 0);
        double t0 = secs();
        ds_cache_job_done(h->c, j);
        a->s[load] += secs() - t0;
        a->n[load]++;
    }
}

/* Seconds per call of `op` over `reps` random keys of n (nk keys per command). */
static double time_cmd(bhost *h, ds_op op, uint64_t n, uint64_t reps, uint32_t nk, done_acc *a) {
    char keys[16][17];
    ds_key k[16];
    ds_cmd sub[32];
    ds_rng r;
    ds_rng_seed(&r, 7 + (uint64_t)op);
    const ds_reply *rep;
    double t = 0;
    for (uint64_t i = 0; i < reps; i++) {
        for (uint32_t j = 0; j < nk; j++) {
            key16(keys[j], ds_rng_below(&r, n));
            k[j] = (ds_key){keys[j], 16};
        }
        ds_value *v = ds_value_new(NULL, 100, 100, 0);
        ds_cmd c = {.op = op, .nkeys = nk, .keys = k, .value = v};
        if (op == DS_OP_EXEC) { /* read-modify-write of nk keys: GET each, SET each */
            for (uint32_t j = 0; j < nk; j++) {
                sub[j] = (ds_cmd){.op = DS_OP_GET, .nkeys = 1, .keys = &k[j]};
                sub[nk + j] = (ds_cmd){.op = DS_OP_SET, .nkeys = 1, .keys = &k[j], .value = v};
            }
            c = (ds_cmd){.op = DS_OP_EXEC, .nsub = 2 * nk, .sub = sub};
        }
        double t0 = secs();
        ds_cache_exec(h->c, 1, i, &c, &rep);
        t += secs() - t0;
        ds_value_unref(v);
        if ((i & 255) == 255) bh_done_timed(h, a);
    }
    bh_done_timed(h, a);
    return t / (double)reps;
}

static int costs(uint64_t n) {
    bhost h = {.now = 1};
    ds_host host = {.ctx = &h, .now_us = bh_now, .reply = bh_reply, .wait_io = bh_wait};
    ds_config cfg;
    ds_config_default(&cfg);
    cfg.flush_delay_ms = 0;
    cfg.max_io_jobs = 100000;
    ds_err err;
    h.c = ds_cache_new(&cfg, &host, &err);
    if (!h.c) return fprintf(stderr, "bench_core: %s\n", err.msg), 1;
    done_acc a = {{0}}, miss = {{0}};
    double us = 1e6;
    uint64_t reps = 4 * n;
    double set = time_cmd(&h, DS_OP_SET, n, n, 1, &a); /* fills the keyspace */
    set = time_cmd(&h, DS_OP_SET, n, reps, 1, &a);
    double get = time_cmd(&h, DS_OP_GET, n, reps, 1, &a);
    double exists = time_cmd(&h, DS_OP_EXISTS, n, reps, 1, &a);
    double mget = time_cmd(&h, DS_OP_MGET, n, reps / 10, 10, &a) / 10;
    double exec = time_cmd(&h, DS_OP_EXEC, n, reps / 2, 1, &a);
    double del = time_cmd(&h, DS_OP_DEL, n, n / 2, 1, &a);
    char key[17];
    ds_key k = {key, 16};
    ds_cmd g = {.op = DS_OP_GET, .nkeys = 1, .keys = &k};
    const ds_reply *rep;
    for (uint64_t i = 0; i < n; i++) { /* misses: each GET parks, its LOAD resumes it */
        key16(key, 2 * n + i);
        ds_cache_exec(h.c, 1, i, &g, &rep);
        bh_done_timed(&h, &miss);
    }
    double t0 = secs();
    uint64_t crons = 2000;
    for (uint64_t i = 0; i < crons; i++) {
        h.now += 100000;
        ds_cache_cron(h.c);
        bh_done_timed(&h, &a);
    }
    double cron = (secs() - t0) / (double)crons;
    printf("# bench_core --costs %llu: microseconds per command (mget, exec: per key), per SAVE "
           "and per LOAD hand-back (LOAD: resumes its client), per cron\n",
           (unsigned long long)n);
    printf("core-cost-us get:%.3f,set:%.3f,del:%.3f,exists:%.3f,mget:%.3f,exec:%.3f,"
           "savedone:%.3f,loaddone:%.3f,cron:%.3f\n",
           get * us, set * us, del * us, exists * us, mget * us, exec * us,
           a.s[0] / (double)(a.n[0] ? a.n[0] : 1) * us,
           miss.s[1] / (double)(miss.n[1] ? miss.n[1] : 1) * us, cron * us);
    ds_cache_free(h.c);
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--costs") == 0)
        return costs(argc > 2 ? strtoull(argv[2], NULL, 10) : 100000);
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    bhost h = {.now = 1};
    ds_host host = {.ctx = &h, .now_us = bh_now, .reply = bh_reply, .wait_io = bh_wait};
    ds_config cfg;
    ds_config_default(&cfg);
    cfg.flush_delay_ms = 0;
    cfg.max_io_jobs = 1000;
    ds_err err;
    if (argc > 2 && ds_config_set(&cfg, "evict", argv[2], &err) != DS_OK)
        return fprintf(stderr, "bench_core: %s\n", err.msg), 2;
    size_t base = heap_bytes();
    h.c = ds_cache_new(&cfg, &host, &err);
    if (!h.c) return fprintf(stderr, "bench_core: %s\n", err.msg), 1;
    char key[17];
    ds_key k = {.p = key, .len = 16};
    ds_cmd set = {.op = DS_OP_SET, .nkeys = 1, .keys = &k};
    const ds_reply *rep;
    double t0 = secs();
    for (uint64_t i = 0; i < n; i++) {
        key16(key, i);
        set.value = ds_value_new(NULL, 100, 100, 0);
        ds_cache_exec(h.c, 1, i, &set, &rep);
        ds_value_unref(set.value);
        if ((i & 1023) == 1023) bh_wait(&h);
    }
    ds_cache_drain(h.c);
    double t_set = secs() - t0;
    size_t used = heap_bytes() - base;
    ds_stats st;
    ds_cache_stats(h.c, &st);
    printf("core memory (evict %s): %llu keys (16-byte keys, 100-byte values): %.1f bytes/key "
           "allocated, %.1f bytes/key overhead beyond key+value; accounted overhead %zu "
           "bytes/key\n",
           cfg.evict, (unsigned long long)st.keys, (double)used / (double)st.keys,
           (double)used / (double)st.keys - 116.0, ds_cache_entry_overhead_bytes());
    printf("core SET (+SAVE job, completed in batches): %.2f M ops/s\n", (double)n / t_set / 1e6);

    ds_cmd get = {.op = DS_OP_GET, .nkeys = 1, .keys = &k};
    ds_rng r;
    ds_rng_seed(&r, 1);
    uint64_t gets = 5 * n;
    t0 = secs();
    for (uint64_t i = 0; i < gets; i++) {
        key16(key, ds_rng_below(&r, n));
        ds_cache_exec(h.c, 1, i, &get, &rep);
    }
    double t_get = secs() - t0;
    printf("core GET hit (random key of %llu): %.2f M ops/s\n", (unsigned long long)n,
           (double)gets / t_get / 1e6);

    uint64_t misses = n / 2;
    t0 = secs();
    for (uint64_t i = 0; i < misses; i++) {
        key16(key, n + i);
        ds_cache_exec(h.c, 1, i, &get, &rep);
        bh_wait(&h);
    }
    double t_miss = secs() - t0;
    printf("core GET miss (park + LOAD + completion + resume): %.2f M ops/s\n",
           (double)misses / t_miss / 1e6);
    ds_cache_free(h.c);
    return 0;
}
