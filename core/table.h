/*
 * table.h - an open-addressing hash table of pointers to items that carry their own key.
 *
 * Why open addressing with linear probing: lookups touch one cache line of slots in the common
 * case, deletion by backward shift needs no tombstones, and a random slot index followed by a
 * short forward scan gives the uniform-ish random sampling that approximate LRU eviction needs
 * (Redis samples its dict the same way). Every item embeds a ds_tnode at a known offset holding
 * its hash and a pointer to its key, so one table type serves the keyspace, the flag table, the
 * negative cache and the parked-client map.
 *
 * The table never reads a clock or a global; sampling takes the caller's ds_rng.
 */
#ifndef DS_TABLE_H
#define DS_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "dslab.h"
#include "hash.h"

typedef struct ds_tnode {
    uint64_t hash;
    const unsigned char *key;
    uint32_t keylen;
} ds_tnode;

typedef struct ds_tslot {
    uint64_t hash; /* 0 marks an empty slot; real hashes are forced non-zero */
    ds_tnode *node;
} ds_tslot;

typedef struct ds_table {
    ds_tslot *slots;
    size_t mask; /* capacity - 1; capacity is a power of two */
    size_t count;
    uint64_t seed;
    uint64_t hstate; /* ds_hash64_state(seed): the seed's part of every key's hash */
} ds_table;

ds_status ds_table_init(ds_table *t, size_t cap_hint, uint64_t seed);
void ds_table_free(ds_table *t); /* frees the slots, not the items */

/* ds_hash64(key, len, seed), forced non-zero; a key of 8..16 bytes inline (hash.h). */
static inline uint64_t ds_table_hash(const ds_table *t, const void *key, uint32_t len) {
    uint64_t h = len - 8u <= 8u ? ds_hash64_from16(key, len, t->hstate)
                                : ds_hash64_from(key, len, t->hstate);
    return h ? h : 1;
}

/* The node whose key equals (key, len), or NULL. h must be ds_table_hash of the key. */
ds_tnode *ds_table_find(const ds_table *t, uint64_t h, const void *key, uint32_t len);

/* Insert a node whose hash/key are set; the key must not be present. */
ds_status ds_table_insert(ds_table *t, ds_tnode *n);

/* Remove this exact node (must be present). */
void ds_table_remove(ds_table *t, ds_tnode *n);

/* The slot that `draw` (a uniform 64-bit number) picks among mask + 1 slots, and the first
 * present node at or after it (ds_table_sample_at; the table must not be empty). For a
 * power-of-two capacity, the high word of draw * capacity is ds_rng_below(r, capacity)'s
 * number (Lemire's rejection never fires: (2^64 - n) % n == 0), without the call and the test. */
static inline size_t ds_table_draw_slot(size_t mask, uint64_t draw) {
    return (size_t)(((unsigned __int128)draw * (mask + 1)) >> 64);
}

/* The first present node at or after slot i (the table must not be empty). */
static inline ds_tnode *ds_table_present_from(const ds_tslot *slots, size_t mask, size_t i) {
    /* Walk byte offsets: a 16-byte slot's index would need a shift per step. */
    const unsigned char *base = (const unsigned char *)slots;
    size_t off = i * sizeof(ds_tslot), omask = mask * sizeof(ds_tslot);
    while (!((const ds_tslot *)(base + off))->hash)
        off = (off + sizeof(ds_tslot)) & omask;
    return ((const ds_tslot *)(base + off))->node;
}

static inline ds_tnode *ds_table_sample_at(const ds_tslot *slots, size_t mask, uint64_t draw) {
    return ds_table_present_from(slots, mask, ds_table_draw_slot(mask, draw));
}

/* Whether the table is past the size where its sampled reads wait on memory: from 32Ki slots
 * (512 KiB of slots, about 20k keys at the 0.6 load, their entries several MiB). Below it (10k
 * keys: 16Ki slots) slots and entries stay in L2, and the eviction sampler's prefetching pass
 * (evict.h, ds_sample_rounds with deep) would only cost instructions. */
#define DS_TABLE_DEEP_SLOTS 32768u
static inline bool ds_table_deep(const ds_table *t) { return t->mask + 1 >= DS_TABLE_DEEP_SLOTS; }

/* A pseudo-random present node (NULL when empty): the first present slot at or after a random
 * one. Inline, as eviction samples several per victim. */
static inline ds_tnode *ds_table_sample(const ds_table *t, ds_rng *r) {
    if (t->count == 0) return NULL;
    return ds_table_sample_at(t->slots, t->mask, ds_rng_step(r));
}

/* Iterate: *it starts at 0; returns NULL at the end. Do not modify the table meanwhile. */
ds_tnode *ds_table_next(const ds_table *t, size_t *it);

/* Start loading the slot where a lookup of hash h begins (a hint; no effect on contents). */
static inline void ds_table_prefetch(const ds_table *t, uint64_t h) {
    __builtin_prefetch(&t->slots[h & t->mask]);
}

/* Bytes of slot memory currently allocated. */
static inline size_t ds_table_bytes(const ds_table *t) { return (t->mask + 1) * sizeof(ds_tslot); }

#endif
