/*
 * lru_sampled.c - the seed's policy (the default): approximate LRU by sampling.
 *
 * Each entry keeps one 8-byte logical access stamp (a counter bumped on every access, not a
 * timestamp: in virtual time many accesses share one instant and ties must not depend on
 * sampling order). The victim is the stalest idle entry among evict-samples random ones
 * (sample.c). No list, so a hit costs one store.
 */
#include <stdlib.h>

#include "../evict.h"

typedef struct lru_sampled {
    uint64_t clock;
} lru_sampled;

static uint64_t *stamp(ds_entry *e) { return ds_evict_meta(e); }

static ds_status ls_init(ds_evict *ev, const char *params, ds_err *err) {
    char k[32], v[32];
    if (ds_evict_param_next(&params, k, sizeof k, v, sizeof v))
        return ds_evict_param_unknown("lru-sampled", k, err);
    ev->state = calloc(1, sizeof(lru_sampled));
    return ev->state ? DS_OK : ds_err_set(err, DS_ERR_NOMEM, "out of memory");
}

static void ls_destroy(ds_evict *ev) { free(ev->state); }

static void ls_touch(ds_evict *ev, ds_entry *e, const ds_evict_req *rq) {
    (void)rq;
    *stamp(e) = ++((lru_sampled *)ev->state)->clock;
}

static bool ls_skip(const ds_tnode *n, const void *ctx) {
    return ds_evict_busy(ctx, (const ds_entry *)n);
}

static uint64_t ls_age(const ds_tnode *n, const void *ctx) {
    (void)ctx;
    return *(const uint64_t *)ds_evict_cmeta((const ds_entry *)n);
}

static ds_entry *ls_victim(ds_evict *ev, const ds_evict_req *incoming) {
    (void)incoming;
    ds_sample_spec s = {ev->samples, DS_SAMPLE_SCAN_MAX, ls_skip, ls_age, ev, ev->ties};
    return (ds_entry *)ds_sample_oldest(ev->tab, ev->rng, &s);
}

const ds_evict_ops ds_evict_lru_sampled = {
    .version = DS_EVICT_OPS_VERSION,
    .name = "lru-sampled",
    .help = "approximate LRU: the stalest of evict-samples random idle keys (default; 8 B/key)",
    .entry_bytes = sizeof(uint64_t),
    .init = ls_init,
    .destroy = ls_destroy,
    .on_insert = ls_touch,
    .on_access = ls_touch,
    /* no on_remove: the stamp goes with the entry (a call a victim saved) */
    .victim = ls_victim,
};
