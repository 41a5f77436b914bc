/*
 * keyspace.c - the cached entries: lookup, insert, removal, memory accounting and victim
 * selection for eviction.
 *
 * Memory is accounted, not measured: each entry is charged its key bytes, its value's
 * size_bytes and a fixed per-entry overhead (the entry struct, the value header and its share
 * of hash-table slots). Accounting makes the limit exact and deterministic in virtual time;
 * `make bench` measures the real bytes per key and the README compares the two.
 *
 * Recency is a logical clock bumped on every access, not a timestamp: in virtual time many
 * accesses share one instant, and ties must not depend on sampling order.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define ENTRY_OVERHEAD (sizeof(ds_entry) + sizeof(ds_value) + 2 * sizeof(ds_tslot))

size_t ds_cache_entry_overhead_bytes(void) { return ENTRY_OVERHEAD; }

uint64_t ds_ks_charge(uint32_t keylen, const ds_value *v) {
    return (uint64_t)keylen + (v ? v->size_bytes : 0) + ENTRY_OVERHEAD;
}

ds_status ds_ks_init(ds_keyspace *ks, bool exact, uint64_t seed) {
    memset(ks, 0, sizeof *ks);
    ks->exact = exact;
    return ds_table_init(&ks->tab, 1024, seed);
}

void ds_ks_free(ds_keyspace *ks) {
    size_t it = 0;
    ds_tnode *n;
    while ((n = ds_table_next(&ks->tab, &it))) {
        ds_entry *e = (ds_entry *)n;
        ds_value_unref(e->val);
        free(e);
    }
    ds_table_free(&ks->tab);
}

ds_entry *ds_ks_find(ds_keyspace *ks, uint64_t h, const void *key, uint32_t len) {
    return (ds_entry *)ds_table_find(&ks->tab, h, key, len);
}

static ds_lru_links *links(ds_entry *e) { return (ds_lru_links *)(e + 1); }

static void lru_unlink(ds_keyspace *ks, ds_entry *e) {
    ds_lru_links *l = links(e);
    if (l->prev)
        links(l->prev)->next = l->next;
    else
        ks->lru_head = l->next;
    if (l->next)
        links(l->next)->prev = l->prev;
    else
        ks->lru_tail = l->prev;
    l->prev = l->next = NULL;
}

static void lru_push_head(ds_keyspace *ks, ds_entry *e) {
    ds_lru_links *l = links(e);
    l->prev = NULL;
    l->next = ks->lru_head;
    if (ks->lru_head)
        links(ks->lru_head)->prev = e;
    else
        ks->lru_tail = e;
    ks->lru_head = e;
}

void ds_ks_touch(ds_keyspace *ks, ds_entry *e) {
    e->lru = ++ks->clock;
    if (ks->exact && ks->lru_head != e) {
        lru_unlink(ks, e);
        lru_push_head(ks, e);
    }
}

static void account(ds_keyspace *ks, uint64_t add, uint64_t sub) {
    assert(ks->used_bytes + add >= sub);
    ks->used_bytes = ks->used_bytes + add - sub;
    if (ks->used_bytes > ks->peak_bytes) ks->peak_bytes = ks->used_bytes;
}

ds_status ds_ks_set(ds_keyspace *ks, uint64_t h, const void *key, uint32_t len, ds_value *v,
                    ds_entry **out) {
    ds_entry *e = ds_ks_find(ks, h, key, len);
    if (e) {
        account(ks, ds_ks_charge(len, v), ds_ks_charge(len, e->val));
        ds_value_ref(v);
        ds_value_unref(e->val);
        e->val = v;
        e->expire_us = v->expire_us;
        ds_ks_touch(ks, e);
        if (out) *out = e;
        return DS_OK;
    }
    size_t extra = ks->exact ? sizeof(ds_lru_links) : 0;
    e = malloc(sizeof *e + extra + len);
    if (!e) return DS_ERR_NOMEM;
    unsigned char *kp = (unsigned char *)(e + 1) + extra;
    memcpy(kp, key, len);
    e->node.hash = h;
    e->node.key = kp;
    e->node.keylen = len;
    e->io = NULL;
    if (ks->exact) links(e)->prev = links(e)->next = NULL;
    if (ds_table_insert(&ks->tab, &e->node) != DS_OK) {
        free(e);
        return DS_ERR_NOMEM;
    }
    e->val = ds_value_ref(v);
    e->expire_us = v->expire_us;
    account(ks, ds_ks_charge(len, v), 0);
    e->lru = ++ks->clock;
    if (ks->exact) lru_push_head(ks, e);
    if (out) *out = e;
    return DS_OK;
}

void ds_ks_remove(ds_keyspace *ks, ds_entry *e) {
    ds_table_remove(&ks->tab, &e->node);
    if (ks->exact) lru_unlink(ks, e);
    account(ks, 0, ds_ks_charge(e->node.keylen, e->val));
    ds_value_unref(e->val);
    free(e);
}

/*
 * Choose an entry to evict, or NULL. Sampled: the least recently used of `samples` random
 * entries that have no IO flag and no waiter (e->io == NULL), retried a few rounds, then a
 * bounded forward scan so a mostly-busy keyspace still yields its idle keys. Exact: the
 * least recently used idle entry. busy_ok (evict-busy-keys=on) ignores the flags.
 */
ds_entry *ds_ks_pick_victim(ds_keyspace *ks, ds_rng *r, uint32_t samples, bool busy_ok) {
    if (ks->tab.count == 0) return NULL;
    if (ks->exact) {
        for (ds_entry *e = ks->lru_tail; e; e = links(e)->prev)
            if (busy_ok || !e->io) return e;
        return NULL;
    }
    ds_entry *best = NULL;
    for (int round = 0; round < 3 && !best; round++) {
        for (uint32_t i = 0; i < samples; i++) {
            ds_entry *e = (ds_entry *)ds_table_sample(&ks->tab, r);
            if (!busy_ok && e->io) continue;
            if (!best || e->lru < best->lru) best = e;
        }
    }
    if (best) return best;
    /* Fallback: scan up to 1024 slots from a random start for an idle entry. */
    size_t cap = ks->tab.mask + 1;
    size_t start = ds_rng_below(r, cap);
    size_t limit = cap < 1024 ? cap : 1024;
    for (size_t k = 0; k < limit; k++) {
        ds_tslot *s = &ks->tab.slots[(start + k) & ks->tab.mask];
        if (!s->hash) continue;
        ds_entry *e = (ds_entry *)s->node;
        if (!e->io && (!best || e->lru < best->lru)) best = e;
    }
    return best;
}
