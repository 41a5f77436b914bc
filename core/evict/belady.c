/*
 * belady.c - Belady's MIN (libCacheSim's Belady.c): evict the key whose next access is the
 * farthest in the future, known from the trace (oracleGeneral's next_access_vtime, carried as
 * ds_cmd.next_access). A key never accessed again goes first; which of several such keys goes
 * does not change the miss count. An entry whose request had no hint counts as never accessed
 * again (`dslab replay` refuses belady on a trace without hints).
 *
 * A binary max-heap of entries keyed by next access; each entry keeps its hint and its heap
 * slot (16 B/key). A hit updates the hint and sifts. A busy top is passed over for the
 * farthest idle key, found by a scan (busy keys are rare in the replays that use belady).
 */
#include <stdlib.h>

#include "../evict.h"

typedef struct belady_meta {
    int64_t next;
    uint64_t slot;
} belady_meta;

typedef struct belady_state {
    ds_entry **heap;
    uint64_t n, cap;
    uint64_t lost; /* entries not ranked for want of memory */
} belady_state;

static belady_meta *bm(ds_entry *e) { return ds_evict_meta(e); }

static int64_t key_of(int64_t hint) {
    return hint == DS_NEXT_ACCESS_UNKNOWN ? DS_NEXT_ACCESS_NEVER : hint;
}

static ds_status bl_init(ds_evict *ev, const char *params, ds_err *err) {
    char k[32], v[32];
    if (ds_evict_param_next(&params, k, sizeof k, v, sizeof v))
        return ds_evict_param_unknown("belady", k, err);
    ev->state = calloc(1, sizeof(belady_state));
    return ev->state ? DS_OK : ds_err_set(err, DS_ERR_NOMEM, "out of memory");
}

static void bl_destroy(ds_evict *ev) {
    belady_state *s = ev->state;
    free(s->heap);
    free(s);
}

static void put(belady_state *s, uint64_t i, ds_entry *e) {
    s->heap[i] = e;
    bm(e)->slot = i;
}

static void sift_up(belady_state *s, uint64_t i) {
    ds_entry *e = s->heap[i];
    while (i > 0) {
        uint64_t p = (i - 1) / 2;
        if (bm(s->heap[p])->next >= bm(e)->next) break;
        put(s, i, s->heap[p]);
        i = p;
    }
    put(s, i, e);
}

static void sift_down(belady_state *s, uint64_t i) {
    ds_entry *e = s->heap[i];
    for (;;) {
        uint64_t c = 2 * i + 1;
        if (c >= s->n) break;
        if (c + 1 < s->n && bm(s->heap[c + 1])->next > bm(s->heap[c])->next) c++;
        if (bm(s->heap[c])->next <= bm(e)->next) break;
        put(s, i, s->heap[c]);
        i = c;
    }
    put(s, i, e);
}

static void bl_insert(ds_evict *ev, ds_entry *e, const ds_evict_req *rq) {
    belady_state *s = ev->state;
    bm(e)->next = key_of(rq->next_access);
    bm(e)->slot = UINT64_MAX;
    if (s->n == s->cap) {
        uint64_t cap = s->cap ? 2 * s->cap : 1024;
        ds_entry **h = realloc(s->heap, cap * sizeof *h);
        if (!h) {
            s->lost++;
            return;
        }
        s->heap = h;
        s->cap = cap;
    }
    put(s, s->n++, e);
    sift_up(s, s->n - 1);
}

static void bl_access(ds_evict *ev, ds_entry *e, const ds_evict_req *rq) {
    belady_state *s = ev->state;
    bm(e)->next = key_of(rq->next_access);
    if (bm(e)->slot == UINT64_MAX) return;
    sift_up(s, bm(e)->slot);
    sift_down(s, bm(e)->slot);
}

static void bl_remove(ds_evict *ev, ds_entry *e, ds_evict_why why) {
    (void)why;
    belady_state *s = ev->state;
    uint64_t i = bm(e)->slot;
    if (i == UINT64_MAX) return;
    ds_entry *last = s->heap[--s->n];
    if (last == e) return;
    put(s, i, last);
    sift_up(s, i);
    sift_down(s, bm(last)->slot);
}

static ds_entry *bl_victim(ds_evict *ev, const ds_evict_req *incoming) {
    (void)incoming;
    belady_state *s = ev->state;
    if (s->n == 0) return NULL;
    if (!ds_evict_busy(ev, s->heap[0])) return s->heap[0];
    ds_entry *best = NULL;
    for (uint64_t i = 1; i < s->n; i++) {
        ds_entry *e = s->heap[i];
        if (!ds_evict_busy(ev, e) && (!best || bm(e)->next > bm(best)->next)) best = e;
    }
    return best;
}

const ds_evict_ops ds_evict_belady = {
    .version = DS_EVICT_OPS_VERSION,
    .name = "belady",
    .help = "Belady's MIN: the key needed farthest in the future; needs a trace with next "
            "access times (oracleGeneral) (16 B/key)",
    .entry_bytes = sizeof(belady_meta),
    .needs_next_access = true,
    .init = bl_init,
    .destroy = bl_destroy,
    .on_insert = bl_insert,
    .on_access = bl_access,
    .on_remove = bl_remove,
    .victim = bl_victim,
};
