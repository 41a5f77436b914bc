/*
 * table.c - open addressing, linear probing, backward-shift deletion (see table.h for why).
 *
 * Invariants: capacity is a power of two >= 16; the load factor stays <= 0.7 after every insert
 * (grow x2) and >= 1/16 after a remove unless at the minimum size (shrink /2), which keeps the
 * random sampler's forward scan short. Empty slots have hash 0.
 */
#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

#define TABLE_MIN_CAP 16u

static ds_status table_alloc(ds_table *t, size_t cap) {
    ds_tslot *s = calloc(cap, sizeof *s);
    if (!s) return DS_ERR_NOMEM;
    t->slots = s;
    t->mask = cap - 1;
    t->count = 0;
    return DS_OK;
}

ds_status ds_table_init(ds_table *t, size_t cap_hint, uint64_t seed) {
    size_t cap = TABLE_MIN_CAP;
    while (cap < cap_hint * 2 && cap < ((size_t)1 << 40))
        cap <<= 1;
    t->seed = seed;
    t->hstate = ds_hash64_state(seed);
    return table_alloc(t, cap);
}

void ds_table_free(ds_table *t) {
    free(t->slots);
    t->slots = NULL;
    t->mask = 0;
    t->count = 0;
}

/* The slot walks step byte offsets (off & omask wraps them): a 16-byte slot's index would need
 * a shift and an add per step. */
#define SLOT_AT(base, off) ((ds_tslot *)((unsigned char *)(base) + (off)))

static void place(ds_table *t, uint64_t h, ds_tnode *n) {
    size_t omask = t->mask * sizeof(ds_tslot), off = (h & t->mask) * sizeof(ds_tslot);
    while (SLOT_AT(t->slots, off)->hash)
        off = (off + sizeof(ds_tslot)) & omask;
    SLOT_AT(t->slots, off)->hash = h;
    SLOT_AT(t->slots, off)->node = n;
    t->count++;
}

/* Rebuild at a new capacity; on allocation failure the old table stays valid. */
static ds_status table_resize(ds_table *t, size_t cap) {
    ds_table nt = {.seed = t->seed, .hstate = t->hstate};
    if (table_alloc(&nt, cap) != DS_OK) return DS_ERR_NOMEM;
    for (size_t i = 0; i <= t->mask; i++)
        if (t->slots[i].hash) place(&nt, t->slots[i].hash, t->slots[i].node);
    assert(nt.count == t->count);
    free(t->slots);
    *t = nt;
    return DS_OK;
}

/* Key equality without a libc call for the short keys that dominate cache traces: two
 * overlapping 8-byte loads cover 8..16 bytes. */
static inline bool key_eq16(const unsigned char *a, const unsigned char *b, uint32_t len) {
    uint64_t a0, b0, a1, b1;
    memcpy(&a0, a, 8);
    memcpy(&b0, b, 8);
    memcpy(&a1, a + len - 8, 8);
    memcpy(&b1, b + len - 8, 8);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

/* ds_table_find's walk from slot offset off on, for a key outside 8..16 bytes (memcmp). Out of
 * line and reached by a tail call, so the common lookup saves no registers for a call. */
static __attribute__((noinline)) ds_tnode *find_call(const ds_tslot *slots, size_t omask,
                                                     size_t off, uint64_t h, const void *key,
                                                     uint32_t len) {
    for (;; off = (off + sizeof(ds_tslot)) & omask) {
        const ds_tslot *s = SLOT_AT(slots, off);
        if (!s->hash) return NULL;
        if (s->hash == h && s->node->keylen == len && memcmp(s->node->key, key, len) == 0)
            return s->node;
    }
}

ds_tnode *ds_table_find(const ds_table *t, uint64_t h, const void *key, uint32_t len) {
    assert(h != 0); /* ds_table_hash's: an empty slot (hash 0) never matches */
    const ds_tslot *slots = t->slots;
    size_t omask = t->mask * sizeof(ds_tslot), off = (h & t->mask) * sizeof(ds_tslot);
    if (len - 8 > 8) return find_call(slots, omask, off, h, key, len);
    for (;; off = (off + sizeof(ds_tslot)) & omask) {
        const ds_tslot *s = SLOT_AT(slots, off);
        if (s->hash == h) {
            if (s->node->keylen == len && key_eq16(s->node->key, key, len)) return s->node;
        } else if (!s->hash) {
            return NULL;
        }
    }
}

/* Out of line and reached by a tail call: the insert's common path then saves no registers. */
static __attribute__((noinline)) ds_status grow_and_place(ds_table *t, ds_tnode *n) {
    ds_status st = table_resize(t, (t->mask + 1) * 2);
    if (st != DS_OK) return st;
    place(t, n->hash, n);
    return DS_OK;
}

ds_status ds_table_insert(ds_table *t, ds_tnode *n) {
    assert(n->hash != 0);
    if ((t->count + 1) * 10 > (t->mask + 1) * 7) return grow_and_place(t, n);
    place(t, n->hash, n);
    return DS_OK;
}

/* Backward shift after removing slot i's item: pull later members of its probe run into the
 * hole; returns the slot left empty. The entry at slot j may move to the hole unless its home
 * is cyclically in (hole, j]. Until the run passes the last slot, hole < j as plain numbers,
 * and with b = hole + 1 and d = j - hole that is one unsigned compare, home - b >= d (a home
 * at or below the hole wraps to a huge number; a home above j, an entry that wrapped round
 * the end, is >= d too). Only a run that wraps takes the general, masked loop. */
static ds_tslot *shift_back(ds_tslot *sl, size_t mask, size_t i) {
    ds_tslot *hp = &sl[i], *end = sl + mask + 1;
    size_t b = i + 1, d = 1;
    for (ds_tslot *p = hp + 1; p < end; p++, d++) {
        uint64_t h = p->hash;
        if (!h) return hp;
        if ((h & mask) - b >= d) {
            *hp = *p;
            hp = p;
            b += d;
            d = 0;
        }
    }
    size_t hole = (size_t)(hp - sl);
    for (size_t j = 0; sl[j].hash; j = (j + 1) & mask) {
        size_t home = sl[j].hash & mask;
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            sl[hole] = sl[j];
            hole = j;
        }
    }
    return &sl[hole];
}

void ds_table_remove(ds_table *t, ds_tnode *n) {
    ds_tslot *sl = t->slots;
    size_t mask = t->mask;
    size_t i = n->hash & mask;
    while (sl[i].node != n) {
        assert(sl[i].hash != 0);
        i = (i + 1) & mask;
    }
    /* The sparse tables (flags, parked clients) mostly end the run right here. */
    ds_tslot *hp = sl[(i + 1) & mask].hash ? shift_back(sl, mask, i) : &sl[i];
    hp->hash = 0;
    hp->node = NULL;
    t->count--;
    size_t cap = mask + 1;
    if (cap > TABLE_MIN_CAP && t->count * 16 < cap) (void)table_resize(t, cap / 2);
}

ds_tnode *ds_table_next(const ds_table *t, size_t *it) {
    while (*it <= t->mask) {
        size_t i = (*it)++;
        if (t->slots[i].hash) return t->slots[i].node;
    }
    return NULL;
}
