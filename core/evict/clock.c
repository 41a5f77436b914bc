/*
 * clock.c - CLOCK with an n-bit access counter (libCacheSim's Clock, default one bit).
 *
 * Entries form a FIFO ring; an insert goes to the head with counter 0, a hit raises the counter
 * up to 2^bits - 1. Eviction looks at the tail: a counter above 0 is decremented and the entry
 * goes back to the head (a second chance); the first entry found at 0 is the victim. A busy
 * entry at the tail also goes back to the head, its counter kept; after a bounded number of
 * steps without an idle zero, the victim is NULL.
 */
#include <stdlib.h>
#include <string.h>

#include "list.h"

typedef struct clock_meta {
    ds_elinks links;
    uint32_t count;
    uint32_t pad_;
} clock_meta;

typedef struct clock_state {
    ds_elist list;
    uint32_t max_count;
} clock_state;

static clock_meta *cm(ds_entry *e) { return ds_evict_meta(e); }

static ds_status ck_init(ds_evict *ev, const char *params, ds_err *err) {
    double bits = 1;
    char k[32], v[32];
    while (ds_evict_param_next(&params, k, sizeof k, v, sizeof v)) {
        if (strcmp(k, "bits") != 0) return ds_evict_param_unknown("clock", k, err);
        ds_status st = ds_evict_param_double("clock", k, v, 1, 16, &bits, err);
        if (st != DS_OK) return st;
        if (bits != (int)bits)
            return ds_err_set(err, DS_ERR_CONFIG, "evict: clock: bits=%s is not an integer", v);
    }
    clock_state *s = calloc(1, sizeof *s);
    if (!s) return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    s->max_count = (1u << (int)bits) - 1;
    ev->state = s;
    return DS_OK;
}

static void ck_destroy(ds_evict *ev) { free(ev->state); }

static void ck_insert(ds_evict *ev, ds_entry *e, const ds_evict_req *rq) {
    (void)rq;
    clock_state *s = ev->state;
    cm(e)->count = 0;
    ds_elist_push_head(&s->list, e, 1);
}

static void ck_access(ds_evict *ev, ds_entry *e, const ds_evict_req *rq) {
    (void)rq;
    clock_state *s = ev->state;
    if (cm(e)->count < s->max_count) cm(e)->count++;
}

static void ck_remove(ds_evict *ev, ds_entry *e, ds_evict_why why) {
    (void)why;
    ds_elist_unlink(&((clock_state *)ev->state)->list, e, 1);
}

static ds_entry *ck_victim(ds_evict *ev, const ds_evict_req *incoming) {
    (void)incoming;
    clock_state *s = ev->state;
    uint64_t steps = s->list.count * ((uint64_t)s->max_count + 2);
    for (uint64_t i = 0; i <= steps && s->list.tail; i++) {
        ds_entry *e = s->list.tail;
        bool busy = ds_evict_busy(ev, e);
        if (!busy && cm(e)->count == 0) return e;
        if (!busy) cm(e)->count--;
        ds_elist_to_head(&s->list, e);
    }
    return NULL;
}

const ds_evict_ops ds_evict_clock = {
    .version = DS_EVICT_OPS_VERSION,
    .name = "clock",
    .help = "CLOCK, second chance with an n-bit counter; bits=1 (24 B/key)",
    .entry_bytes = sizeof(clock_meta),
    .init = ck_init,
    .destroy = ck_destroy,
    .on_insert = ck_insert,
    .on_access = ck_access,
    .on_remove = ck_remove,
    .victim = ck_victim,
};
