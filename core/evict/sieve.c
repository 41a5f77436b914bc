/*
 * sieve.c - SIEVE (Zhang et al., NSDI'24; libCacheSim's Sieve).
 *
 * A FIFO queue with one visited bit per entry and a hand. Inserts go to the head unvisited; a
 * hit sets the bit. Eviction moves the hand from where it stopped (the tail at first) towards
 * the head, clearing bits, wrapping to the tail; the first unvisited entry is the victim and the
 * hand stays on its newer neighbour. Survivors are never moved, which is what separates SIEVE
 * from CLOCK. A busy entry is passed over with its bit kept.
 */
#include <stdlib.h>

#include "list.h"

typedef struct sieve_meta {
    ds_elinks links;
    uint64_t visited;
} sieve_meta;

typedef struct sieve_state {
    ds_elist list;
    ds_entry *hand;
} sieve_state;

static sieve_meta *sm(ds_entry *e) { return ds_evict_meta(e); }

static ds_status sv_init(ds_evict *ev, const char *params, ds_err *err) {
    char k[32], v[32];
    if (ds_evict_param_next(&params, k, sizeof k, v, sizeof v))
        return ds_evict_param_unknown("sieve", k, err);
    ev->state = calloc(1, sizeof(sieve_state));
    return ev->state ? DS_OK : ds_err_set(err, DS_ERR_NOMEM, "out of memory");
}

static void sv_destroy(ds_evict *ev) { free(ev->state); }

static void sv_insert(ds_evict *ev, ds_entry *e, const ds_evict_req *rq) {
    (void)rq;
    sm(e)->visited = 0;
    ds_elist_push_head(&((sieve_state *)ev->state)->list, e, 1);
}

static void sv_access(ds_evict *ev, ds_entry *e, const ds_evict_req *rq) {
    (void)ev, (void)rq;
    sm(e)->visited = 1;
}

static void sv_remove(ds_evict *ev, ds_entry *e, ds_evict_why why) {
    (void)why;
    sieve_state *s = ev->state;
    if (s->hand == e) s->hand = ds_elinks_of(e)->prev;
    ds_elist_unlink(&s->list, e, 1);
}

static ds_entry *sv_victim(ds_evict *ev, const ds_evict_req *incoming) {
    (void)incoming;
    sieve_state *s = ev->state;
    ds_entry *e = s->hand ? s->hand : s->list.tail;
    for (uint64_t i = 0; e && i <= 2 * s->list.count; i++) {
        if (!sm(e)->visited && !ds_evict_busy(ev, e)) {
            s->hand = ds_elinks_of(e)->prev;
            return e;
        }
        if (!ds_evict_busy(ev, e)) sm(e)->visited = 0;
        e = ds_elinks_of(e)->prev ? ds_elinks_of(e)->prev : s->list.tail;
    }
    return NULL;
}

const ds_evict_ops ds_evict_sieve = {
    .version = DS_EVICT_OPS_VERSION,
    .name = "sieve",
    .help = "SIEVE: FIFO with a visited bit and a hand that never moves survivors (24 B/key)",
    .entry_bytes = sizeof(sieve_meta),
    .init = sv_init,
    .destroy = sv_destroy,
    .on_insert = sv_insert,
    .on_access = sv_access,
    .on_remove = sv_remove,
    .victim = sv_victim,
};
