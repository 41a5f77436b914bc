/*
 * slab.h - size-class free lists for the core's small objects (entries, ioents, jobs, parked
 * commands, negative-cache entries).
 *
 * Why: a replay allocates and frees several of these per cache miss; malloc's per-call work and
 * its 8-16 bytes of header per object were a tenth of the instructions and a share of the
 * per-key bytes. Objects are carved from 64 KiB chunks grown on demand and go back on their
 * class's free list, so the hot path neither calls malloc nor pays a header. The caller states
 * the size on free (it always knows it: a fixed struct plus key bytes), so objects carry
 * nothing. Objects larger than DS_SLAB_MAX_BYTES go to malloc.
 *
 * Chunks are returned to the system only by ds_slab_destroy: memory stays at its peak, which
 * is what a cache at its limit uses anyway. Under AddressSanitizer every call goes to
 * malloc/free, so use-after-free of a pooled object is still caught by the sanitizer builds.
 * Each owner embeds its own (keyspace, negative cache, scheduler, the cache's parked commands);
 * a zeroed ds_slab is a valid empty one. Used on the core's thread only; no global state.
 */
#ifndef DS_SLAB_H
#define DS_SLAB_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define DS_SLAB_GRAIN     16u
#define DS_SLAB_MAX_BYTES 512u
#define DS_SLAB_CLASSES   (DS_SLAB_MAX_BYTES / DS_SLAB_GRAIN)

typedef struct ds_slab {
    void *free[DS_SLAB_CLASSES]; /* per class: free objects linked through their first word */
    void *chunks;                /* chunk list, linked through each chunk's first word */
    unsigned char *cur;          /* bump region of the newest chunk */
    size_t cur_left;
    uint64_t chunk_bytes; /* bytes held in chunks */
    uint64_t live;        /* objects handed out and not freed */
    uint64_t fail_allocs; /* test hook: fail this many next allocations (out-of-memory paths) */
} ds_slab;

void ds_slab_init(ds_slab *s);
void ds_slab_destroy(ds_slab *s); /* frees every chunk; objects must not be used afterwards */
void *ds_slab_calloc(ds_slab *s, size_t size); /* zeroed */

/* False in sanitizer builds, where every call goes to malloc/free (for tests). */
bool ds_slab_pooling(void);

#if defined(__SANITIZE_ADDRESS__)
#define DS_SLAB_PASSTHROUGH 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DS_SLAB_PASSTHROUGH 1
#endif
#endif
#ifndef DS_SLAB_PASSTHROUGH
#define DS_SLAB_PASSTHROUGH 0
#endif

/* The out-of-line paths: a new chunk, malloc for large objects and sanitizer builds, the
 * failure hook. */
void *ds_slab_alloc_slow(ds_slab *s, size_t size);
void ds_slab_free_slow(ds_slab *s, void *p, size_t size);

static inline size_t ds_slab_class(size_t size) {
    return (size + DS_SLAB_GRAIN - 1) / DS_SLAB_GRAIN - 1;
}

/* NULL on out of memory. Inline for the common case, an object on its class's free list
 * (several per cache miss: the parked command, the ioent, the job, the entry). */
static inline void *ds_slab_alloc(ds_slab *s, size_t size) {
    if (!DS_SLAB_PASSTHROUGH && size - 1 < DS_SLAB_MAX_BYTES && !s->fail_allocs) {
        size_t k = ds_slab_class(size);
        void *p = s->free[k];
        if (p) {
            memcpy(&s->free[k], p, sizeof(void *)); /* the next free object */
            s->live++;
            return p;
        }
    }
    return ds_slab_alloc_slow(s, size);
}

/* size as allocated; NULL-safe. */
static inline void ds_slab_free(ds_slab *s, void *p, size_t size) {
    if (DS_SLAB_PASSTHROUGH || !p || size - 1 >= DS_SLAB_MAX_BYTES) {
        ds_slab_free_slow(s, p, size);
        return;
    }
    assert(s->live > 0);
    size_t k = ds_slab_class(size);
    memcpy(p, &s->free[k], sizeof(void *));
    s->free[k] = p;
    s->live--;
}

#endif
