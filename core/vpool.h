/*
 * vpool.h - a pool of small values for a backend that hands out fresh values on every read.
 *
 * Why: a cache miss LOADs a value the backend allocates and the core frees when the key is
 * evicted, so a miss-heavy replay mallocs and frees one value per miss (6% of all instructions
 * at 10k keys, most of it in free: evictions come in batches at cron and overflow malloc's
 * per-thread cache). The mem backend takes values of up to DS_VPOOL_DATA_BYTES (its origin
 * stamps and the simulator's version stamps) from a pool instead: fixed-size slots carved from
 * aligned 64 KiB chunks, each chunk starting with a pointer to its pool, so ds_value_unref finds
 * the pool of a pooled value (refcnt's DS_VALUE_POOLED bit) from its address alone.
 *
 * Threads: values are taken by one thread at a time (the owner serializes ds_vpool_value: the
 * mem backend holds its mutex) and may be returned by any thread (the core's, in a real run,
 * while worker threads take): a returned value is pushed on an atomic stack that the taker
 * empties in one exchange, so neither side locks. The pool lives until its owner closed it
 * and its last value came back (an atomic count), so values may outlive the backend.
 *
 * Under AddressSanitizer ds_vpool_new returns NULL and callers use ds_value_new (malloc), so
 * the sanitizer still sees every value's lifetime (as the slabs do, slab.h).
 */
#ifndef DS_VPOOL_H
#define DS_VPOOL_H

#include <stdint.h>
#include <stdlib.h>

#include "dslab.h"

#define DS_VPOOL_DATA_BYTES 16u /* the largest value (len) a pool holds */

typedef struct ds_vpool ds_vpool;

/* NULL under a sanitizer (callers fall back to ds_value_new) or when out of memory. */
ds_vpool *ds_vpool_new(void);
/* The owner lets go; the memory goes when the last pooled value does. NULL-safe. */
void ds_vpool_close(ds_vpool *p);
/* ds_value_new's value, from the pool when len <= DS_VPOOL_DATA_BYTES (else, or with p NULL,
 * from ds_value_new). Calls on one pool must not overlap. */
ds_value *ds_vpool_value(ds_vpool *p, const void *data, uint32_t len, uint64_t size_bytes,
                         int64_t expire_us);
/* Return a pooled value whose last reference went (ds_value_unref calls it); any thread. */
void ds_vpool_put(ds_value *v);

/* ds_value_ref's and ds_value_unref's bodies, inline for the keyspace's insert and eviction (one
 * of each a miss at a full cache). */
static inline ds_value *ds_value_ref_inline(ds_value *v) {
    if (v) v->refcnt++;
    return v;
}

static inline void ds_value_unref_inline(ds_value *v) {
    if (!v || (--v->refcnt & ~DS_VALUE_POOLED) != 0) return;
    if (v->refcnt & DS_VALUE_POOLED)
        ds_vpool_put(v); /* back to the backend's pool it came from */
    else
        free(v);
}

#endif
