/*
 * negcache.c - keys known to be absent, so a miss on them costs no disk read.
 *
 * Why pinned entries: DEL removes a key from memory at once but its disk delete is a SAVE that
 * waits for cache-flush-delay. Until that delete completes the disk still holds the old value,
 * so the "absent" entry is the only thing standing between a GET and a stale LOAD; it must not
 * be evicted (rule 7). Unpinned entries (from LOADs that found nothing) are an optimisation and
 * are evicted by sampled LRU to keep the table within negcache-max.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

ds_status ds_neg_init(ds_negcache *n, uint64_t seed) {
    memset(n, 0, sizeof *n);
    return ds_table_init(&n->tab, 256, seed);
}

void ds_neg_free(ds_negcache *n) {
    size_t it = 0;
    ds_tnode *t;
    while ((t = ds_table_next(&n->tab, &it)))
        ds_slab_free(&n->slab, t, sizeof(ds_negent) + t->keylen);
    ds_table_free(&n->tab);
    ds_slab_destroy(&n->slab);
}

ds_negent *ds_neg_find(ds_negcache *n, uint64_t h, const void *key, uint32_t len) {
    ds_negent *e = (ds_negent *)ds_table_find(&n->tab, h, key, len);
    if (e) e->lru = ++n->clock;
    return e;
}

ds_status ds_neg_set(ds_negcache *n, uint64_t h, const void *key, uint32_t len, bool pinned) {
    ds_negent *e = (ds_negent *)ds_table_find(&n->tab, h, key, len);
    if (!e) {
        e = ds_slab_alloc(&n->slab, sizeof *e + len);
        if (!e) return DS_ERR_NOMEM;
        memcpy(e->key, key, len);
        e->node.hash = h;
        e->node.key = e->key;
        e->node.keylen = len;
        e->pinned = false;
        if (ds_table_insert(&n->tab, &e->node) != DS_OK) {
            ds_slab_free(&n->slab, e, sizeof *e + len);
            return DS_ERR_NOMEM;
        }
    }
    e->lru = ++n->clock;
    if (pinned && !e->pinned) n->pinned++;
    if (pinned) e->pinned = true;
    return DS_OK;
}

void ds_neg_unpin(ds_negcache *n, ds_negent *e) {
    if (e->pinned) n->pinned--;
    e->pinned = false;
}

void ds_neg_del(ds_negcache *n, ds_negent *e) {
    ds_neg_unpin(n, e);
    ds_table_remove(&n->tab, &e->node);
    ds_slab_free(&n->slab, e, sizeof *e + e->node.keylen);
}

static bool neg_pinned(const ds_tnode *t, const void *ctx) {
    (void)ctx;
    return ((const ds_negent *)t)->pinned;
}

static uint64_t neg_age(const ds_tnode *t, const void *ctx) {
    (void)ctx;
    return ((const ds_negent *)t)->lru;
}

/* Evict the least recently used unpinned entry among `samples` random ones: the same sampler
 * as evict=lru-sampled (evict/sample.c), with a scan of the whole table as the last resort, so
 * an unpinned entry among many pinned ones is always found (the bound must hold, rule 7). */
bool ds_neg_evict_one(ds_negcache *n, ds_rng *r, uint32_t samples) {
    if (n->tab.count <= n->pinned) return false;
    ds_sample_spec s = {samples, SIZE_MAX, neg_pinned, neg_age, NULL};
    ds_negent *best = (ds_negent *)ds_sample_oldest(&n->tab, r, &s);
    if (!best) return false;
    ds_neg_del(n, best);
    return true;
}
