/*
 * lfu.c - LFU with FIFO tie-breaking (libCacheSim's LFU.c): the victim is the key with the
 * fewest accesses; among those, the one that reached that count first.
 *
 * The classic O(1) structure: buckets of equal frequency in a list sorted by frequency, each a
 * FIFO of its keys. An insert enters frequency 1 (at the bucket's newest end), a hit moves the
 * key to the newest end of frequency + 1; eviction takes the oldest idle key of the lowest
 * non-empty bucket. Counts never decay (no aging: that is LFU-DA's job). 24 B/key.
 */
#include <stdlib.h>

#include "list.h"

typedef struct lfu_bucket {
    uint64_t freq;
    ds_elist keys;
    struct lfu_bucket *prev, *next; /* prev: lower frequency */
} lfu_bucket;

typedef struct lfu_meta {
    ds_elinks links;
    lfu_bucket *bucket;
} lfu_meta;

typedef struct lfu_state {
    lfu_bucket *low; /* lowest frequency */
    uint64_t buckets;
} lfu_state;

static lfu_meta *lm(ds_entry *e) { return ds_evict_meta(e); }

static ds_status lfu_init(ds_evict *ev, const char *params, ds_err *err) {
    char k[32], v[32];
    if (ds_evict_param_next(&params, k, sizeof k, v, sizeof v))
        return ds_evict_param_unknown("lfu", k, err);
    ev->state = calloc(1, sizeof(lfu_state));
    return ev->state ? DS_OK : ds_err_set(err, DS_ERR_NOMEM, "out of memory");
}

static void lfu_destroy(ds_evict *ev) {
    lfu_state *s = ev->state;
    for (lfu_bucket *b = s->low; b;) {
        lfu_bucket *n = b->next;
        free(b);
        b = n;
    }
    free(s);
}

/* A bucket of frequency f right after `after` (NULL: at the low end), reusing one if there. */
static lfu_bucket *bucket_at(lfu_state *s, lfu_bucket *after, uint64_t f) {
    lfu_bucket *next = after ? after->next : s->low;
    if (next && next->freq == f) return next;
    lfu_bucket *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->freq = f;
    b->prev = after;
    b->next = next;
    if (next) next->prev = b;
    if (after)
        after->next = b;
    else
        s->low = b;
    s->buckets++;
    return b;
}

static void bucket_drop_if_empty(lfu_state *s, lfu_bucket *b) {
    if (b->keys.count) return;
    if (b->prev)
        b->prev->next = b->next;
    else
        s->low = b->next;
    if (b->next) b->next->prev = b->prev;
    s->buckets--;
    free(b);
}

static void lfu_insert(ds_evict *ev, ds_entry *e, const ds_evict_req *rq) {
    (void)rq;
    lfu_state *s = ev->state;
    lfu_bucket *b = bucket_at(s, NULL, 1);
    lm(e)->bucket = b;
    if (b) ds_elist_push_head(&b->keys, e, 1);
}

static void lfu_access(ds_evict *ev, ds_entry *e, const ds_evict_req *rq) {
    (void)rq;
    lfu_state *s = ev->state;
    lfu_bucket *b = lm(e)->bucket;
    if (!b) return; /* its bucket could not be allocated: the key stays unranked */
    lfu_bucket *nb = bucket_at(s, b, b->freq + 1);
    if (!nb) return; /* out of memory: the count does not grow */
    ds_elist_unlink(&b->keys, e, 1);
    ds_elist_push_head(&nb->keys, e, 1);
    lm(e)->bucket = nb;
    bucket_drop_if_empty(s, b);
}

static void lfu_remove(ds_evict *ev, ds_entry *e, ds_evict_why why) {
    (void)why;
    lfu_bucket *b = lm(e)->bucket;
    if (!b) return;
    ds_elist_unlink(&b->keys, e, 1);
    bucket_drop_if_empty(ev->state, b);
}

static ds_entry *lfu_victim(ds_evict *ev, const ds_evict_req *incoming) {
    (void)incoming;
    lfu_state *s = ev->state;
    for (lfu_bucket *b = s->low; b; b = b->next) {
        ds_entry *e = ds_elist_oldest_idle(ev, &b->keys);
        if (e) return e;
    }
    return NULL;
}

const ds_evict_ops ds_evict_lfu = {
    .version = DS_EVICT_OPS_VERSION,
    .name = "lfu",
    .help = "LFU: fewest accesses, ties to the key that reached that count first (24 B/key)",
    .entry_bytes = sizeof(lfu_meta),
    .init = lfu_init,
    .destroy = lfu_destroy,
    .on_insert = lfu_insert,
    .on_access = lfu_access,
    .on_remove = lfu_remove,
    .victim = lfu_victim,
    .prefetch = ds_elist_prefetch_hint,
};
