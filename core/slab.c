/*
 * slab.c - size-class free lists over 64 KiB chunks (see slab.h for why).
 *
 * Invariants: a free object of class k is at least (k + 1) * 16 bytes and 16-aligned; the bump
 * region never straddles chunks (a request that does not fit starts a new chunk; the tail of
 * the old one is given to the free lists of the classes it fits). live counts objects out.
 */
#include "slab.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define SLAB_PASSTHROUGH DS_SLAB_PASSTHROUGH

#define SLAB_CHUNK_BYTES ((size_t)64 * 1024)
#define SLAB_CHUNK_HEAD  DS_SLAB_GRAIN /* the chunk-list link, padded to keep objects aligned */

void ds_slab_init(ds_slab *s) { memset(s, 0, sizeof *s); }

bool ds_slab_pooling(void) { return !SLAB_PASSTHROUGH; }

void ds_slab_destroy(ds_slab *s) {
    void *c = s->chunks;
    while (c) {
        void *next;
        memcpy(&next, c, sizeof next);
        free(c);
        c = next;
    }
    memset(s, 0, sizeof *s);
}

static size_t class_of(size_t size) { return ds_slab_class(size); }

static void push_free(ds_slab *s, void *p, size_t k) {
    memcpy(p, &s->free[k], sizeof(void *));
    s->free[k] = p;
}

/* The old chunk's unused tail becomes free objects of the largest classes that fit. */
static void spill_tail(ds_slab *s) {
    while (s->cur_left >= DS_SLAB_GRAIN) {
        size_t take = s->cur_left < DS_SLAB_MAX_BYTES ? s->cur_left : DS_SLAB_MAX_BYTES;
        take -= take % DS_SLAB_GRAIN;
        push_free(s, s->cur, class_of(take));
        s->cur += take;
        s->cur_left -= take;
    }
}

static bool new_chunk(ds_slab *s) {
    unsigned char *c = malloc(SLAB_CHUNK_BYTES);
    if (!c) return false;
    spill_tail(s);
    memcpy(c, &s->chunks, sizeof(void *));
    s->chunks = c;
    s->cur = c + SLAB_CHUNK_HEAD;
    s->cur_left = SLAB_CHUNK_BYTES - SLAB_CHUNK_HEAD;
    s->chunk_bytes += SLAB_CHUNK_BYTES;
    return true;
}

void *ds_slab_alloc_slow(ds_slab *s, size_t size) {
    if (s->fail_allocs) {
        s->fail_allocs--;
        return NULL;
    }
    if (SLAB_PASSTHROUGH || size == 0 || size > DS_SLAB_MAX_BYTES) {
        void *p = malloc(size ? size : 1);
        if (p) s->live++;
        return p;
    }
    size_t k = class_of(size);
    void *p = s->free[k];
    if (p) {
        memcpy(&s->free[k], p, sizeof(void *));
    } else {
        size_t bytes = (k + 1) * DS_SLAB_GRAIN;
        if (s->cur_left < bytes && !new_chunk(s)) return NULL;
        p = s->cur;
        s->cur += bytes;
        s->cur_left -= bytes;
    }
    s->live++;
    return p;
}

void *ds_slab_calloc(ds_slab *s, size_t size) {
    void *p = ds_slab_alloc(s, size);
    if (p) memset(p, 0, size);
    return p;
}

void ds_slab_free_slow(ds_slab *s, void *p, size_t size) {
    if (!p) return;
    assert(s->live > 0);
    s->live--;
    if (SLAB_PASSTHROUGH || size == 0 || size > DS_SLAB_MAX_BYTES) {
        free(p);
        return;
    }
    push_free(s, p, class_of(size));
}
