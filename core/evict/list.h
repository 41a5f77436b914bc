/*
 * list.h - an intrusive doubly linked list of entries for list-based eviction policies.
 *
 * The links are the first 16 bytes of the policy's metadata (ds_evict_meta), so one list type
 * serves lru-exact, fifo, clock, sieve, s3fifo, arc and lfu. head is the newest end (libCacheSim's
 * q_head), tail the oldest; `units` sums what the policy added (keys or bytes).
 */
#ifndef DS_EVICT_LIST_H
#define DS_EVICT_LIST_H

#include <assert.h>

#include "../evict.h"

typedef struct ds_elinks {
    ds_entry *prev, *next; /* prev: towards head (newer), next: towards tail (older) */
} ds_elinks;

typedef struct ds_elist {
    ds_entry *head, *tail;
    uint64_t count, units;
} ds_elist;

static inline ds_elinks *ds_elinks_of(ds_entry *e) { return (ds_elinks *)ds_evict_meta(e); }

static inline void ds_elist_push_head(ds_elist *l, ds_entry *e, uint64_t units) {
    ds_elinks *k = ds_elinks_of(e);
    k->prev = NULL;
    k->next = l->head;
    if (l->head)
        ds_elinks_of(l->head)->prev = e;
    else
        l->tail = e;
    l->head = e;
    l->count++;
    l->units += units;
}

static inline void ds_elist_unlink(ds_elist *l, ds_entry *e, uint64_t units) {
    ds_elinks *k = ds_elinks_of(e);
    if (k->prev)
        ds_elinks_of(k->prev)->next = k->next;
    else
        l->head = k->next;
    if (k->next)
        ds_elinks_of(k->next)->prev = k->prev;
    else
        l->tail = k->prev;
    k->prev = k->next = NULL;
    assert(l->count > 0 && l->units >= units);
    l->count--;
    l->units -= units;
}

static inline void ds_elist_to_head(ds_elist *l, ds_entry *e) {
    if (l->head == e) return;
    uint64_t units = l->units, count = l->count;
    ds_elist_unlink(l, e, 0);
    ds_elist_push_head(l, e, 0);
    l->units = units;
    l->count = count;
}

/* The lines a move of e to the head will write: its neighbours' links (ds_evict_ops.prefetch). */
static inline void ds_elist_prefetch(const ds_entry *e) {
    const ds_elinks *k = (const ds_elinks *)ds_evict_cmeta(e);
    __builtin_prefetch(k->prev, 1);
    __builtin_prefetch(k->next, 1);
}

/* ds_evict_ops.prefetch of a policy whose on_access moves e within or between lists. */
static inline void ds_elist_prefetch_hint(const ds_evict *ev, const ds_entry *e) {
    (void)ev;
    ds_elist_prefetch(e);
}

/* The oldest entry that is not busy, walking from the tail; NULL if all are busy. */
static inline ds_entry *ds_elist_oldest_idle(const ds_evict *ev, const ds_elist *l) {
    for (ds_entry *e = l->tail; e; e = ds_elinks_of(e)->prev)
        if (!ds_evict_busy(ev, e)) return e;
    return NULL;
}

#endif
