/*
 * arc.c - ARC (Megiddo and Modha, FAST'03), following libCacheSim's ARC.c rules.
 *
 * T1 (seen once) and T2 (seen again) are LRU lists of cached keys, B1 and B2 their ghosts
 * (evicted keys), p the adaptive target size of T1. A hit in T1 moves the key to T2's head, a
 * hit in T2 to its head. A miss found in B1 raises p by max(|B2|/|B1|, 1) (capped at the
 * capacity C), one found in B2 lowers it by max(|B1|/|B2|, 1); the ghost leaves its list and the
 * key is inserted at T2's head; any other key enters T1's head. Eviction (libCacheSim's cases):
 *   - after a ghost hit: REPLACE;
 *   - else if |T1| + |B1| + incoming > C: drop B1's tail and REPLACE, or, B1 being empty, evict
 *     T1's tail without a ghost;
 *   - else: when |T1| + |B1| + |T2| + |B2| >= 2C drop B2's tail; then REPLACE.
 * REPLACE evicts T1's tail into B1 when T1 is non-empty and larger than p (or equal to p and
 * the miss was in B2), or T2 is empty; else T2's tail into B2. Sizes are capacity units.
 * A busy tail is passed over for the next idle key of the same list, then of the other list.
 */
#include <stdlib.h>
#include <string.h>

#include "ghost.h"
#include "list.h"

enum { T1 = 0, T2 = 1 }; /* ghost lists: B1 = 0, B2 = 1 */

typedef struct arc_meta {
    ds_elinks links;
    uint32_t units;
    uint8_t list;
    uint8_t pad_[3];
} arc_meta;

typedef struct arc_state {
    ds_elist t[2];
    ds_ghost ghost;
    double p;
    ds_entry *victim; /* the last victim and whether it becomes a ghost (on_remove) */
    bool victim_ghost;
    uint64_t ghosts_lost;
} arc_state;

static arc_meta *am(ds_entry *e) { return ds_evict_meta(e); }

static uint32_t units_of(const ds_evict *ev, const ds_entry *e) {
    uint64_t u = ds_evict_units(ev, e);
    return u < UINT32_MAX ? (uint32_t)u : UINT32_MAX;
}

static ds_status arc_init(ds_evict *ev, const char *params, ds_err *err) {
    char k[32], v[32];
    if (ds_evict_param_next(&params, k, sizeof k, v, sizeof v))
        return ds_evict_param_unknown("arc", k, err);
    arc_state *s = calloc(1, sizeof *s);
    if (!s) return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    if (ds_ghost_init(&s->ghost, ev->tab ? ev->tab->seed : 0) != DS_OK) {
        free(s);
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    }
    ev->state = s;
    return DS_OK;
}

static void arc_destroy(ds_evict *ev) {
    arc_state *s = ev->state;
    ds_ghost_free(&s->ghost);
    free(s);
}

static void arc_miss(ds_evict *ev, const ds_evict_req *rq) {
    arc_state *s = ev->state;
    ds_ghost_node *g = ds_ghost_find(&s->ghost, rq->hash, rq->key, rq->len);
    if (!g || g->list == DS_GHOST_PENDING) return;
    double b1 = (double)s->ghost.units[0], b2 = (double)s->ghost.units[1];
    double cap = (double)ev->capacity;
    if (g->list == 0) {
        double delta = b2 / b1 > 1 ? b2 / b1 : 1;
        s->p = s->p + delta < cap ? s->p + delta : cap;
    } else {
        double delta = b1 / b2 > 1 ? b1 / b2 : 1;
        s->p = s->p - delta > 0 ? s->p - delta : 0;
    }
    ds_ghost_claim(&s->ghost, g);
}

static void arc_insert(ds_evict *ev, ds_entry *e, const ds_evict_req *rq) {
    arc_state *s = ev->state;
    ds_ghost_node *g = ds_ghost_pending(&s->ghost, rq->hash, rq->key, rq->len);
    if (g) ds_ghost_del(&s->ghost, g);
    am(e)->list = g ? T2 : T1;
    am(e)->units = units_of(ev, e);
    ds_elist_push_head(&s->t[am(e)->list], e, am(e)->units);
}

static void arc_access(ds_evict *ev, ds_entry *e, const ds_evict_req *rq) {
    (void)rq;
    arc_state *s = ev->state;
    arc_meta *m = am(e);
    ds_elist_unlink(&s->t[m->list], e, m->units);
    m->list = T2;
    m->units = units_of(ev, e);
    ds_elist_push_head(&s->t[T2], e, m->units);
}

static void arc_remove(ds_evict *ev, ds_entry *e, ds_evict_why why) {
    arc_state *s = ev->state;
    arc_meta *m = am(e);
    ds_elist_unlink(&s->t[m->list], e, m->units);
    bool ghost = why == DS_EVICT_WHY_EVICTED && e == s->victim && s->victim_ghost;
    s->victim = NULL;
    if (ghost && ds_ghost_add(&s->ghost, m->list, e->node.hash, e->node.key, e->node.keylen,
                              m->units) != DS_OK)
        s->ghosts_lost++;
}

static ds_entry *pick(arc_state *s, ds_evict *ev, int list, bool ghost) {
    ds_entry *e = ds_elist_oldest_idle(ev, &s->t[list]);
    if (!e) e = ds_elist_oldest_idle(ev, &s->t[!list]);
    s->victim = e;
    s->victim_ghost = ghost;
    return e;
}

static ds_entry *replace(arc_state *s, ds_evict *ev, bool in_b2) {
    double t1 = (double)s->t[T1].units;
    bool from_t1 = (t1 > 0 && (t1 > s->p || (t1 == s->p && in_b2))) || s->t[T2].units == 0;
    return pick(s, ev, from_t1 ? T1 : T2, true);
}

static ds_entry *arc_victim(ds_evict *ev, const ds_evict_req *incoming) {
    arc_state *s = ev->state;
    ds_ghost_node *g =
        incoming ? ds_ghost_pending(&s->ghost, incoming->hash, incoming->key, incoming->len) : NULL;
    if (g) return replace(s, ev, g->from == 1);
    uint64_t in = ev->capacity_in_keys ? 1 : (incoming ? incoming->charge : 0);
    uint64_t t1 = s->t[T1].units, b1 = s->ghost.units[0];
    if (t1 + b1 + in > ev->capacity) {
        if (b1 == 0) return pick(s, ev, T1, false);
        ds_ghost_del(&s->ghost, s->ghost.tail[0]);
        return replace(s, ev, false);
    }
    uint64_t all = t1 + b1 + s->t[T2].units + s->ghost.units[1];
    if (all >= 2 * ev->capacity && s->ghost.count[1]) ds_ghost_del(&s->ghost, s->ghost.tail[1]);
    return replace(s, ev, false);
}

const ds_evict_ops ds_evict_arc = {
    .version = DS_EVICT_OPS_VERSION,
    .name = "arc",
    .help = "ARC: recency and frequency LRU lists with ghosts and an adaptive split "
            "(24 B/key + ghost keys)",
    .entry_bytes = sizeof(arc_meta),
    .init = arc_init,
    .destroy = arc_destroy,
    .on_miss = arc_miss,
    .on_insert = arc_insert,
    .on_access = arc_access,
    .on_remove = arc_remove,
    .victim = arc_victim,
    .prefetch = ds_elist_prefetch_hint,
};
