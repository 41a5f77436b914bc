/*
 * s3fifo.c - S3-FIFO (Yang et al., SOSP'23), following libCacheSim's S3FIFO.c rules.
 *
 * Three FIFO queues: small (a fraction `small` of the capacity), main (the rest) and a ghost
 * queue of evicted keys (`ghost` of the capacity, keys only). A new key enters small, or main
 * when a miss found it in the ghost. A hit counts (freq += 1), nothing moves. Eviction:
 *   - from main when main holds more than its share or small is empty: the tail goes back to
 *     the head with freq = min(freq, 3) - 1 while freq >= 1, else it is the victim;
 *   - else from small: a tail with freq >= `threshold` moves to main's head (freq 0), else it
 *     is the victim and its key enters the ghost queue (whose oldest key drops when full).
 * Sizes are in capacity units (keys with cache-max-keys, else bytes); small gets at least one.
 * A busy entry at a tail goes back to the head of its own queue, its freq kept.
 */
#include <stdlib.h>
#include <string.h>

#include "ghost.h"
#include "list.h"

enum { Q_SMALL = 0, Q_MAIN = 1 };
#define FREQ_MAX  UINT16_MAX
#define MAIN_KEEP 3u

typedef struct s3_meta {
    ds_elinks links;
    uint32_t units; /* capacity units charged when inserted, kept current on access */
    uint16_t freq;  /* hits, saturating: only values up to max(threshold, 3) matter */
    uint8_t queue;
    uint8_t pad_;
} s3_meta;

typedef struct s3_state {
    ds_elist q[2];
    ds_ghost ghost;
    double small_ratio, ghost_ratio, threshold;
    uint64_t small_cap, main_cap, ghost_cap;
    uint64_t ghosts_lost; /* ghost inserts that failed for memory */
} s3_state;

static s3_meta *m3(ds_entry *e) { return ds_evict_meta(e); }

static uint32_t units_of(const ds_evict *ev, const ds_entry *e) {
    uint64_t u = ds_evict_units(ev, e);
    return u < UINT32_MAX ? (uint32_t)u : UINT32_MAX;
}

static ds_status s3_params(s3_state *s, const char *params, ds_err *err) {
    char k[32], v[32];
    while (ds_evict_param_next(&params, k, sizeof k, v, sizeof v)) {
        ds_status st;
        if (!strcmp(k, "small"))
            st = ds_evict_param_double("s3fifo", k, v, 0, 1, &s->small_ratio, err);
        else if (!strcmp(k, "ghost"))
            st = ds_evict_param_double("s3fifo", k, v, 0, 16, &s->ghost_ratio, err);
        else if (!strcmp(k, "threshold"))
            st = ds_evict_param_double("s3fifo", k, v, 1, 255, &s->threshold, err);
        else
            st = ds_evict_param_unknown("s3fifo", k, err);
        if (st != DS_OK) return st;
    }
    if (s->threshold != (int)s->threshold)
        return ds_err_set(err, DS_ERR_CONFIG, "evict: s3fifo: threshold must be an integer");
    return DS_OK;
}

static ds_status s3_init(ds_evict *ev, const char *params, ds_err *err) {
    s3_state *s = calloc(1, sizeof *s);
    if (!s) return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    *s = (s3_state){.small_ratio = 0.1, .ghost_ratio = 0.9, .threshold = 2};
    ds_status st = s3_params(s, params, err);
    if (st == DS_OK && ds_ghost_init(&s->ghost, ev->tab ? ev->tab->seed : 0) != DS_OK)
        st = ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    if (st != DS_OK) {
        free(s);
        return st;
    }
    /* libCacheSim truncates: small = (int64)(C * ratio), main = C - small. */
    s->small_cap = (uint64_t)((double)ev->capacity * s->small_ratio);
    if (s->small_cap == 0) s->small_cap = 1;
    s->main_cap = ev->capacity > s->small_cap ? ev->capacity - s->small_cap : 0;
    s->ghost_cap = (uint64_t)((double)ev->capacity * s->ghost_ratio);
    ev->state = s;
    return DS_OK;
}

static void s3_destroy(ds_evict *ev) {
    s3_state *s = ev->state;
    ds_ghost_free(&s->ghost);
    free(s);
}

/* libCacheSim's find on a miss: a key in the ghost queue leaves it and will enter main. */
static void s3_miss(ds_evict *ev, const ds_evict_req *rq) {
    s3_state *s = ev->state;
    ds_ghost_node *g = ds_ghost_find(&s->ghost, rq->hash, rq->key, rq->len);
    if (g && g->list == 0) ds_ghost_claim(&s->ghost, g);
}

static void s3_insert(ds_evict *ev, ds_entry *e, const ds_evict_req *rq) {
    s3_state *s = ev->state;
    ds_ghost_node *g = ds_ghost_pending(&s->ghost, rq->hash, rq->key, rq->len);
    uint8_t q = g ? Q_MAIN : Q_SMALL;
    if (g) ds_ghost_del(&s->ghost, g);
    m3(e)->queue = q;
    m3(e)->freq = 0;
    m3(e)->units = units_of(ev, e);
    ds_elist_push_head(&s->q[q], e, m3(e)->units);
}

static void s3_access(ds_evict *ev, ds_entry *e, const ds_evict_req *rq) {
    (void)rq;
    s3_state *s = ev->state;
    s3_meta *m = m3(e);
    if (m->freq < FREQ_MAX) m->freq++;
    uint32_t units = units_of(ev, e); /* a SET may have resized the value */
    s->q[m->queue].units = s->q[m->queue].units - m->units + units;
    m->units = units;
}

static void s3_remove(ds_evict *ev, ds_entry *e, ds_evict_why why) {
    s3_state *s = ev->state;
    s3_meta *m = m3(e);
    ds_elist_unlink(&s->q[m->queue], e, m->units);
    if (why != DS_EVICT_WHY_EVICTED || m->queue != Q_SMALL || m->units > s->ghost_cap) return;
    ds_ghost_node *g = ds_ghost_find(&s->ghost, e->node.hash, e->node.key, e->node.keylen);
    if (g && g->list == 0) return; /* already a ghost: a FIFO hit changes nothing */
    while (s->ghost.count[0] && s->ghost.units[0] + m->units > s->ghost_cap)
        ds_ghost_del(&s->ghost, s->ghost.tail[0]);
    /* Out of memory only loses a ghost (a later miss is admitted to small): counted. */
    if (ds_ghost_add(&s->ghost, 0, e->node.hash, e->node.key, e->node.keylen, m->units) != DS_OK)
        s->ghosts_lost++;
}

static void move_to_main(s3_state *s, ds_entry *e) {
    s3_meta *m = m3(e);
    ds_elist_unlink(&s->q[Q_SMALL], e, m->units);
    m->queue = Q_MAIN;
    m->freq = 0;
    ds_elist_push_head(&s->q[Q_MAIN], e, m->units);
}

/* One step at a queue's tail: the victim, or NULL after moving the tail. *busy counts the busy
 * tails seen in a row in that queue (a non-busy step resets it). */
static ds_entry *step(ds_evict *ev, s3_state *s, int q, uint64_t *busy) {
    ds_entry *e = s->q[q].tail;
    s3_meta *m = m3(e);
    if (ds_evict_busy(ev, e)) {
        ds_elist_to_head(&s->q[q], e);
        (*busy)++;
        return NULL;
    }
    *busy = 0;
    if (q == Q_SMALL && m->freq >= s->threshold) {
        move_to_main(s, e);
    } else if (q == Q_MAIN && m->freq >= 1) {
        m->freq = (m->freq < MAIN_KEEP ? m->freq : MAIN_KEEP) - 1;
        ds_elist_to_head(&s->q[Q_MAIN], e);
    } else {
        return e;
    }
    return NULL;
}

/* libCacheSim's choice of queue, except that a queue whose every key is busy hands over to
 * the other one (dirty new keys fill small; main's idle keys must still be found). */
static ds_entry *s3_victim(ds_evict *ev, const ds_evict_req *incoming) {
    (void)incoming;
    s3_state *s = ev->state;
    uint64_t busy[2] = {0, 0};
    uint64_t bound = 8 * (s->q[0].count + s->q[1].count) + 8;
    for (uint64_t i = 0; i < bound; i++) {
        int q = s->q[Q_MAIN].units > s->main_cap || s->q[Q_SMALL].count == 0 ? Q_MAIN : Q_SMALL;
        if (busy[q] >= s->q[q].count) q = !q;
        if (s->q[q].count == 0 || busy[q] >= s->q[q].count) return NULL;
        ds_entry *e = step(ev, s, q, &busy[q]);
        if (e) return e;
    }
    return NULL;
}

const ds_evict_ops ds_evict_s3fifo = {
    .version = DS_EVICT_OPS_VERSION,
    .name = "s3fifo",
    .help = "S3-FIFO: small, main and ghost FIFO queues; small=0.1 ghost=0.9 threshold=2 "
            "(24 B/key + ghost keys)",
    .entry_bytes = sizeof(s3_meta),
    .init = s3_init,
    .destroy = s3_destroy,
    .on_miss = s3_miss,
    .on_insert = s3_insert,
    .on_access = s3_access,
    .on_remove = s3_remove,
    .victim = s3_victim,
};
