/*
 * fifo.c - FIFO: evict the oldest inserted idle key; hits change nothing (libCacheSim's FIFO).
 */
#include <stdlib.h>

#include "list.h"

static ds_status ff_init(ds_evict *ev, const char *params, ds_err *err) {
    char k[32], v[32];
    if (ds_evict_param_next(&params, k, sizeof k, v, sizeof v))
        return ds_evict_param_unknown("fifo", k, err);
    ev->state = calloc(1, sizeof(ds_elist));
    return ev->state ? DS_OK : ds_err_set(err, DS_ERR_NOMEM, "out of memory");
}

static void ff_destroy(ds_evict *ev) { free(ev->state); }

static void ff_insert(ds_evict *ev, ds_entry *e, const ds_evict_req *rq) {
    (void)rq;
    ds_elist_push_head(ev->state, e, 1);
}

static void ff_access(ds_evict *ev, ds_entry *e, const ds_evict_req *rq) {
    (void)ev, (void)e, (void)rq;
}

static void ff_remove(ds_evict *ev, ds_entry *e, ds_evict_why why) {
    (void)why;
    ds_elist_unlink(ev->state, e, 1);
}

static ds_entry *ff_victim(ds_evict *ev, const ds_evict_req *incoming) {
    (void)incoming;
    return ds_elist_oldest_idle(ev, ev->state);
}

const ds_evict_ops ds_evict_fifo = {
    .version = DS_EVICT_OPS_VERSION,
    .name = "fifo",
    .help = "first in, first out: the oldest inserted idle key (16 B/key)",
    .entry_bytes = sizeof(ds_elinks),
    .init = ff_init,
    .destroy = ff_destroy,
    .on_insert = ff_insert,
    .on_access = ff_access,
    .on_remove = ff_remove,
    .victim = ff_victim,
};
