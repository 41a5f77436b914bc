/*
 * vpool.c - fixed-size value slots over aligned chunks (see vpool.h for why and for threads).
 *
 * Invariants: every chunk is VPOOL_CHUNK_BYTES long and aligned to it, and starts with its
 * vp_chunk header; slots follow at VPOOL_SLOT_BYTES strides and never straddle chunks. A slot
 * is either carved and out (refcnt has DS_VALUE_POOLED), on the taker's free list, or on the
 * returned stack; free slots are linked through their first word. refs counts the owner (until
 * ds_vpool_close) plus every value out; the pool and its chunks go when it reaches zero.
 */
#include "vpool_int.h"

#include <assert.h>
#include <stdlib.h>

#include "slab.h"

#define VPOOL_CHUNK_BYTES ((size_t)64 * 1024)
#define VPOOL_HEAD_BYTES  64u /* the chunk header, padded */
#define VPOOL_SLOT_BYTES  (sizeof(ds_value) + DS_VPOOL_DATA_BYTES)

struct vp_chunk {
    ds_vpool *pool;
    struct vp_chunk *next;
};

static ds_value *link_of(const ds_value *v) { return ds_vpool_link(v); }

static void set_link(ds_value *v, ds_value *next) { memcpy(v, &next, sizeof next); }

ds_vpool *ds_vpool_new(void) {
    if (!ds_slab_pooling()) return NULL; /* sanitizer builds: malloc, seen by the sanitizer */
    ds_vpool *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    atomic_init(&p->returned, NULL);
    atomic_init(&p->refs, 1);
    return p;
}

static void destroy(ds_vpool *p) {
    for (vp_chunk *c = p->chunks, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(p);
}

static void unref_pool(ds_vpool *p) {
    if (atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) == 1) destroy(p);
}

void ds_vpool_close(ds_vpool *p) {
    if (p) unref_pool(p);
}

static ds_value *carve(ds_vpool *p) {
    if (p->left < VPOOL_SLOT_BYTES) {
        vp_chunk *c = aligned_alloc(VPOOL_CHUNK_BYTES, VPOOL_CHUNK_BYTES);
        if (!c) return NULL;
        c->pool = p;
        c->next = p->chunks;
        p->chunks = c;
        p->cur = (unsigned char *)c + VPOOL_HEAD_BYTES;
        p->left = VPOOL_CHUNK_BYTES - VPOOL_HEAD_BYTES;
    }
    ds_value *v = (ds_value *)p->cur;
    p->cur += VPOOL_SLOT_BYTES;
    p->left -= VPOOL_SLOT_BYTES;
    return v;
}

ds_value *ds_vpool_value(ds_vpool *p, const void *data, uint32_t len, uint64_t size_bytes,
                         int64_t expire_us) {
    if (!p || len > DS_VPOOL_DATA_BYTES) return ds_value_new(data, len, size_bytes, expire_us);
    ds_value *v = p->free;
    if (!v) v = atomic_exchange_explicit(&p->returned, NULL, memory_order_acquire);
    if (v)
        p->free = link_of(v);
    else if (!(v = carve(p)))
        return NULL;
    return ds_vpool_fill(p, v, data, len, size_bytes, expire_us);
}

void ds_vpool_put(ds_value *v) {
    assert(v && (v->refcnt & DS_VALUE_POOLED) && ds_value_refs(v) == 0);
    vp_chunk *c = (vp_chunk *)((uintptr_t)v & ~(uintptr_t)(VPOOL_CHUNK_BYTES - 1));
    ds_vpool *p = c->pool;
    ds_value *head = atomic_load_explicit(&p->returned, memory_order_relaxed);
    do
        set_link(v, head);
    while (!atomic_compare_exchange_weak_explicit(&p->returned, &head, v, memory_order_release,
                                                  memory_order_relaxed));
    unref_pool(p);
}
