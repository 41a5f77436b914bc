/*
 * bench_core.c - the core's own costs, without a simulator around it:
 *   1. memory per cached key: 1M keys of 16 bytes with 100-byte values, after a drain (every
 *      key clean), measured with mallinfo2 (bytes really allocated, allocator overhead
 *      included), against the accounted charge;
 *   2. throughput of GET hits, SET (with SAVE scheduling and coalescing) and GET misses
 *      (park, LOAD, completion, resume), in operations per wall second.
 * No assertions: it prints numbers for the README. Usage: bench_core [KEYS [EVICT-SPEC]].
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

int main(int argc, char **argv) {
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
