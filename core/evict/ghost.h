/*
 * ghost.h - keys recently evicted (not in memory), for policies that learn from a miss on a
 * key they dropped (s3fifo's ghost queue, arc's B1 and B2).
 *
 * A ghost is a key copy in a policy-private table (hashed like the keyspace, so a request's
 * hash finds it) on one of up to DS_GHOST_LISTS recency lists, plus the PENDING list: a ghost
 * that a miss has just claimed, waiting for its key's insert (the LOAD in between may take a
 * while, and other keys may miss meanwhile). Pending ghosts count in no list's units, as
 * libCacheSim removes the ghost at the miss; at most DS_GHOST_PENDING_MAX are kept (the oldest
 * claim is dropped: its LOAD found nothing or was cancelled).
 */
#ifndef DS_EVICT_GHOST_H
#define DS_EVICT_GHOST_H

#include "../evict.h"

#define DS_GHOST_LISTS       2
#define DS_GHOST_PENDING     DS_GHOST_LISTS
#define DS_GHOST_PENDING_MAX 4096u

typedef struct ds_ghost_node {
    ds_tnode node;
    struct ds_ghost_node *prev, *next; /* prev: newer */
    uint64_t units;
    uint8_t list; /* 0..DS_GHOST_LISTS-1, or DS_GHOST_PENDING */
    uint8_t from; /* the list it was claimed from, when pending */
    unsigned char key[];
} ds_ghost_node;

typedef struct ds_ghost {
    ds_table tab;
    ds_ghost_node *head[DS_GHOST_LISTS + 1], *tail[DS_GHOST_LISTS + 1];
    uint64_t count[DS_GHOST_LISTS + 1], units[DS_GHOST_LISTS + 1];
} ds_ghost;

ds_status ds_ghost_init(ds_ghost *g, uint64_t seed);
void ds_ghost_free(ds_ghost *g);
ds_ghost_node *ds_ghost_find(const ds_ghost *g, uint64_t hash, const void *key, uint32_t len);
/* Put the key at the head of `list` (moving it if present). DS_ERR_NOMEM leaves no ghost. */
ds_status ds_ghost_add(ds_ghost *g, int list, uint64_t hash, const void *key, uint32_t len,
                       uint64_t units);
void ds_ghost_del(ds_ghost *g, ds_ghost_node *n);
/* Move a ghost to PENDING, remembering the list it came from. */
void ds_ghost_claim(ds_ghost *g, ds_ghost_node *n);
/* The pending claim of this key (consumed by the caller with ds_ghost_del), or NULL. */
ds_ghost_node *ds_ghost_pending(const ds_ghost *g, uint64_t hash, const void *key, uint32_t len);

#endif
