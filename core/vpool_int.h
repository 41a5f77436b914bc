/*
 * vpool_int.h - the value pool's state, for the taker's common case inline (ds_vpool_take).
 *
 * Why: the mem backend takes one value a LOAD (a miss's origin stamp), and the call was a
 * fifth of the origin's answer. Only vpool.c and the mem backend include this; the rest of
 * the library sees vpool.h.
 */
#ifndef DS_VPOOL_INT_H
#define DS_VPOOL_INT_H

#include <stdatomic.h>
#include <string.h>

#include "vpool.h"

typedef struct vp_chunk vp_chunk;

struct ds_vpool {
    ds_value *free;               /* the taker's own list */
    _Atomic(ds_value *) returned; /* pushed by ds_vpool_put from any thread */
    atomic_uint_fast64_t refs;    /* the owner + values out */
    vp_chunk *chunks;
    unsigned char *cur; /* the newest chunk's uncarved rest */
    size_t left;
};

/* A free slot's link to the next one: its first word. */
static inline ds_value *ds_vpool_link(const ds_value *v) {
    ds_value *next;
    memcpy(&next, v, sizeof next);
    return next;
}

/* A slot taken from p becomes ds_value_new's value (its pool counts it). */
static inline ds_value *ds_vpool_fill(ds_vpool *p, ds_value *v, const void *data, uint32_t len,
                                      uint64_t size_bytes, int64_t expire_us) {
    atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed);
    v->refcnt = 1 | DS_VALUE_POOLED;
    v->len = len;
    v->size_bytes = size_bytes < len ? len : size_bytes;
    v->expire_us = expire_us;
    if (len == DS_VPOOL_DATA_BYTES && data) /* the stamps: a fixed size, no libc call */
        memcpy(v->data, data, DS_VPOOL_DATA_BYTES);
    else if (len && data)
        memcpy(v->data, data, len);
    else if (len)
        memset(v->data, 0, len);
    return v;
}

/* ds_vpool_value, inline when the taker's own free list has a slot (the common case); else
 * (an empty list, a long value, no pool) the call. The same value either way. */
static inline ds_value *ds_vpool_take(ds_vpool *p, const void *data, uint32_t len,
                                      uint64_t size_bytes, int64_t expire_us) {
    ds_value *v;
    if (!p || len > DS_VPOOL_DATA_BYTES || !(v = p->free))
        return ds_vpool_value(p, data, len, size_bytes, expire_us);
    p->free = ds_vpool_link(v);
    return ds_vpool_fill(p, v, data, len, size_bytes, expire_us);
}

#endif /* DS_VPOOL_INT_H */
