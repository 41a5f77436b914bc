/*
 * lru_exact.c - exact LRU: a recency list, the victim is the least recently used idle key.
 *
 * Used for cross-validation with cache simulators (libCacheSim's LRU): a hit moves the entry to
 * the head, an insert puts it there, eviction takes the tail (skipping busy keys). 16 B/key.
 */
#include <stdlib.h>

#include "list.h"

static ds_status le_init(ds_evict *ev, const char *params, ds_err *err) {
    char k[32], v[32];
    if (ds_evict_param_next(&params, k, sizeof k, v, sizeof v))
        return ds_evict_param_unknown("lru-exact", k, err);
    ev->state = calloc(1, sizeof(ds_elist));
    return ev->state ? DS_OK : ds_err_set(err, DS_ERR_NOMEM, "out of memory");
}

static void le_destroy(ds_evict *ev) { free(ev->state); }

static void le_insert(ds_evict *ev, ds_entry *e, const ds_evict_req *rq) {
    (void)rq;
    ds_elist_push_head(ev->state, e, 1);
}

static void le_access(ds_evict *ev, ds_entry *e, const ds_evict_req *rq) {
    (void)rq;
    ds_elist_to_head(ev->state, e);
}

static void le_remove(ds_evict *ev, ds_entry *e, ds_evict_why why) {
    (void)why;
    ds_elist_unlink(ev->state, e, 1);
}

static ds_entry *le_victim(ds_evict *ev, const ds_evict_req *incoming) {
    (void)incoming;
    return ds_elist_oldest_idle(ev, ev->state);
}

const ds_evict_ops ds_evict_lru_exact = {
    .version = DS_EVICT_OPS_VERSION,
    .name = "lru-exact",
    .help = "exact LRU: the least recently used idle key (16 B/key)",
    .entry_bytes = sizeof(ds_elinks),
    .init = le_init,
    .destroy = le_destroy,
    .on_insert = le_insert,
    .on_access = le_access,
    .on_remove = le_remove,
    .victim = le_victim,
    .prefetch = ds_elist_prefetch_hint,
};
