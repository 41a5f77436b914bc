/*
 * mem.c - the in-memory backend: a mutex-guarded hash table of key bytes -> value copies.
 *
 * Why copies: values are reference counted on the core's thread only, and this backend is
 * called from worker threads. So set() stores its own copy (allocated here), get() returns a
 * fresh value with refcount 1 that the caller adopts, and the caller's values are only read.
 * Every refcount this file touches belongs to a value it allocated, under its own mutex.
 *
 * Origin mode models object-id traces where every object "exists at the origin": a key that was
 * never written nor deleted but has a size hint reads as present, with a small deterministic
 * stamp as data and the hinted size as size_bytes. Hints are bookkeeping, not stored keys:
 * scan() and stats.keys count only values written with set().
 */
#include "backend_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MEM_HASH_SEED   0x6d656d6b76ull /* "memkv" */
#define MEM_BUCKETS_MIN 1024u
#define MEM_STAMP_BYTES 16u

typedef struct mem_ent {
    struct mem_ent *next;
    uint64_t hash;
    ds_value *value;     /* NULL: deleted, or a hint-only entry */
    uint64_t hint_bytes; /* origin size hint */
    bool touched;        /* written or deleted at least once */
    bool hinted;
    uint32_t keylen;
    unsigned char key[];
} mem_ent;

typedef struct mem_backend {
    ds_backend base;
    pthread_mutex_t mu;
    mem_ent **buckets;
    size_t nbuckets; /* power of two */
    size_t nents;
    uint64_t nvalues;
    bool origin;
    ds_backend_stats st;
} mem_backend;

static mem_ent **mem_slot(mem_backend *m, const void *key, uint32_t keylen, uint64_t h) {
    mem_ent **pp = &m->buckets[h & (m->nbuckets - 1)];
    while (*pp) {
        mem_ent *e = *pp;
        if (e->hash == h && e->keylen == keylen && memcmp(e->key, key, keylen) == 0) break;
        pp = &e->next;
    }
    return pp;
}

/* Double the bucket array when the load factor passes 1; on allocation failure keep going
 * with longer chains (correct, only slower). */
static void mem_grow(mem_backend *m) {
    size_t n = m->nbuckets * 2;
    mem_ent **nb = calloc(n, sizeof(*nb));
    if (!nb) return;
    for (size_t i = 0; i < m->nbuckets; i++) {
        mem_ent *e = m->buckets[i];
        while (e) {
            mem_ent *next = e->next;
            e->next = nb[e->hash & (n - 1)];
            nb[e->hash & (n - 1)] = e;
            e = next;
        }
    }
    free(m->buckets);
    m->buckets = nb;
    m->nbuckets = n;
}

/* Find or create the entry for key; NULL only when out of memory. Caller holds the mutex. */
static mem_ent *mem_upsert(mem_backend *m, const void *key, uint32_t keylen) {
    uint64_t h = ds_hash64(key, keylen, MEM_HASH_SEED);
    mem_ent **pp = mem_slot(m, key, keylen, h);
    if (*pp) return *pp;
    mem_ent *e = calloc(1, sizeof(*e) + keylen);
    if (!e) return NULL;
    e->hash = h;
    e->keylen = keylen;
    memcpy(e->key, key, keylen);
    *pp = e;
    if (++m->nents > m->nbuckets) mem_grow(m);
    return e;
}

static mem_ent *mem_find(mem_backend *m, const void *key, uint32_t keylen) {
    return *mem_slot(m, key, keylen, ds_hash64(key, keylen, MEM_HASH_SEED));
}

static void mem_plan(ds_backend *b, ds_bop op, const void *key, uint32_t keylen, ds_call *call) {
    (void)b, (void)op, (void)key, (void)keylen;
    call->service_us = 0;
    call->fail = false;
}

/* The origin stamp: up to 16 bytes derived from the key, so two reads agree. */
static ds_value *mem_origin_value(const mem_ent *e) {
    unsigned char stamp[MEM_STAMP_BYTES];
    uint64_t h1 = ds_hash64(e->key, e->keylen, 1), h2 = ds_hash64(e->key, e->keylen, 2);
    memcpy(stamp, &h1, 8);
    memcpy(stamp + 8, &h2, 8);
    uint32_t len = e->hint_bytes < MEM_STAMP_BYTES ? (uint32_t)e->hint_bytes : MEM_STAMP_BYTES;
    return ds_value_new(stamp, len, e->hint_bytes, 0);
}

static ds_status mem_get(ds_backend *b, ds_call *call, const void *key, uint32_t keylen,
                         ds_value **out, ds_err *err) {
    mem_backend *m = (mem_backend *)b;
    (void)call;
    *out = NULL;
    if (!key && keylen) return ds_err_set(err, DS_ERR_ARG, "mem get: NULL key");
    ds_status st = DS_NOT_FOUND;
    pthread_mutex_lock(&m->mu);
    m->st.gets++;
    mem_ent *e = mem_find(m, key, keylen);
    if (e && e->value) {
        const ds_value *v = e->value;
        *out = ds_value_new(v->data, v->len, v->size_bytes, v->expire_us);
        st = *out ? DS_OK : DS_ERR_NOMEM;
    } else if (e && m->origin && e->hinted && !e->touched) {
        *out = mem_origin_value(e);
        st = *out ? DS_OK : DS_ERR_NOMEM;
    }
    if (st == DS_OK) m->st.bytes_read += (*out)->len;
    if (st == DS_ERR_NOMEM) m->st.errors++;
    pthread_mutex_unlock(&m->mu);
    if (st == DS_ERR_NOMEM) ds_err_set(err, st, "mem get: out of memory");
    return st;
}

static ds_status mem_set(ds_backend *b, ds_call *call, const void *key, uint32_t keylen,
                         const ds_value *v, ds_err *err) {
    mem_backend *m = (mem_backend *)b;
    (void)call;
    if (!v || (!key && keylen)) return ds_err_set(err, DS_ERR_ARG, "mem set: NULL key or value");
    ds_value *copy = ds_value_new(v->data, v->len, v->size_bytes, v->expire_us);
    if (!copy) return ds_err_set(err, DS_ERR_NOMEM, "mem set: out of memory");
    pthread_mutex_lock(&m->mu);
    m->st.sets++;
    mem_ent *e = mem_upsert(m, key, keylen);
    if (e) {
        if (!e->value) m->nvalues++;
        ds_value_unref(e->value);
        e->value = copy;
        e->touched = true;
        m->st.bytes_written += v->len;
    } else {
        m->st.errors++;
    }
    pthread_mutex_unlock(&m->mu);
    if (!e) {
        ds_value_unref(copy);
        return ds_err_set(err, DS_ERR_NOMEM, "mem set: out of memory");
    }
    return DS_OK;
}

/* Delete of an absent key returns DS_NOT_FOUND (ds_job_run treats it as success). The entry
 * stays as a tombstone so an origin hint no longer resurrects the key. */
static ds_status mem_del(ds_backend *b, ds_call *call, const void *key, uint32_t keylen,
                         ds_err *err) {
    mem_backend *m = (mem_backend *)b;
    (void)call;
    if (!key && keylen) return ds_err_set(err, DS_ERR_ARG, "mem del: NULL key");
    ds_status st = DS_NOT_FOUND;
    pthread_mutex_lock(&m->mu);
    m->st.dels++;
    mem_ent *e = m->origin ? mem_upsert(m, key, keylen) : mem_find(m, key, keylen);
    if (e) {
        if (e->value) {
            ds_value_unref(e->value);
            e->value = NULL;
            m->nvalues--;
            st = DS_OK;
        } else if (m->origin && e->hinted && !e->touched) {
            st = DS_OK; /* the origin's copy is gone now */
        }
        e->touched = true;
    }
    pthread_mutex_unlock(&m->mu);
    return st;
}

static void mem_clear(mem_backend *m) {
    for (size_t i = 0; i < m->nbuckets; i++) {
        mem_ent *e = m->buckets[i];
        while (e) {
            mem_ent *next = e->next;
            ds_value_unref(e->value);
            free(e);
            e = next;
        }
        m->buckets[i] = NULL;
    }
    m->nents = 0;
    m->nvalues = 0;
}

/* Empties everything, origin hints and tombstones included: the store is as new. */
static ds_status mem_flush_all(ds_backend *b, ds_err *err) {
    mem_backend *m = (mem_backend *)b;
    (void)err;
    pthread_mutex_lock(&m->mu);
    mem_clear(m);
    pthread_mutex_unlock(&m->mu);
    return DS_OK;
}

/* The visitor runs under the mutex: it must not call back into this backend. */
static ds_status mem_scan(ds_backend *b, ds_scan_fn fn, void *ctx, ds_err *err) {
    mem_backend *m = (mem_backend *)b;
    (void)err;
    pthread_mutex_lock(&m->mu);
    bool go = true;
    for (size_t i = 0; go && i < m->nbuckets; i++)
        for (mem_ent *e = m->buckets[i]; go && e; e = e->next)
            if (e->value) go = fn(ctx, e->key, e->keylen, e->value);
    pthread_mutex_unlock(&m->mu);
    return DS_OK;
}

static void mem_stats(ds_backend *b, ds_backend_stats *out) {
    mem_backend *m = (mem_backend *)b;
    pthread_mutex_lock(&m->mu);
    *out = m->st;
    out->keys = m->nvalues;
    pthread_mutex_unlock(&m->mu);
}

static void mem_close(ds_backend *b) {
    mem_backend *m = (mem_backend *)b;
    mem_clear(m);
    free(m->buckets);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

static const ds_backend_ops mem_ops = {
    .version = 1,
    .name = "mem",
    .plan = mem_plan,
    .get = mem_get,
    .set = mem_set,
    .del = mem_del,
    .flush_all = mem_flush_all,
    .scan = mem_scan,
    .stats = mem_stats,
    .close = mem_close,
};

ds_backend *ds_backend_mem_new(ds_err *err) {
    mem_backend *m = calloc(1, sizeof(*m));
    if (m) m->buckets = calloc(MEM_BUCKETS_MIN, sizeof(*m->buckets));
    if (!m || !m->buckets) {
        free(m);
        ds_err_set(err, DS_ERR_NOMEM, "mem backend: out of memory");
        return NULL;
    }
    m->nbuckets = MEM_BUCKETS_MIN;
    pthread_mutex_init(&m->mu, NULL);
    m->base.ops = &mem_ops;
    return &m->base;
}

/* Both calls below see through fake shims (origin mode on fake(mem) is the common setup) and
 * otherwise accept only a mem backend, checked through the ops table, so a file backend gets a
 * harmless no-op / DS_ERR_ARG instead of memory corruption. */
void ds_backend_mem_set_origin(ds_backend *b, bool on) {
    b = ds_backend_unwrap(b);
    if (!b || b->ops != &mem_ops) return;
    mem_backend *m = (mem_backend *)b;
    pthread_mutex_lock(&m->mu);
    m->origin = on;
    pthread_mutex_unlock(&m->mu);
}

ds_status ds_backend_mem_origin_hint(ds_backend *b, const void *key, uint32_t keylen,
                                     uint64_t size_bytes) {
    b = ds_backend_unwrap(b);
    if (!b || b->ops != &mem_ops || (!key && keylen)) return DS_ERR_ARG;
    mem_backend *m = (mem_backend *)b;
    pthread_mutex_lock(&m->mu);
    mem_ent *e = mem_upsert(m, key, keylen);
    if (e) {
        e->hinted = true;
        e->hint_bytes = size_bytes;
    }
    pthread_mutex_unlock(&m->mu);
    return e ? DS_OK : DS_ERR_NOMEM;
}
