/*
 * mem.c - the in-memory backend: a mutex-guarded hash table (core/table.c) of key bytes ->
 * value copies. A host that calls from one thread only (DS_BCTL_ONE_THREAD) turns the mutex
 * off: its lock round trip was ~55 instructions of each virtual-time LOAD.
 *
 * Why copies: values are reference counted on the core's thread only, and this backend is
 * called from worker threads. So set() stores its own copy (allocated here), get() returns a
 * fresh value with refcount 1 that the caller adopts, and the caller's values are only read.
 * Every refcount this file touches belongs to a value it allocated, under its own mutex.
 * get()'s fresh values of up to 16 bytes come from a value pool (core/vpool.h), taken under
 * the mutex; the core returns them to it when it drops them, from whatever thread.
 *
 * Origin mode models object-id traces where every object "exists at the origin": a key that was
 * never written nor deleted reads as present, with a small deterministic stamp derived from the
 * key as data and the call's size_hint (the size the loading command named) as size_bytes. Such
 * a key needs no entry at all: its answer is a function of its bytes and the hint, so a
 * read-only replay of a billion-object trace stores nothing here. Only written keys and
 * tombstones (deleted keys, so the origin no longer answers for them) are entries; scan() and
 * stats.keys count written values only.
 */
#include "backend_int.h"

#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "table.h"
#include "vpool_int.h"

#define MEM_HASH_SEED   0x6d656d6b76ull /* "memkv" */
#define MEM_KEYS_MIN    1024u
#define MEM_STAMP_BYTES 16u

typedef struct mem_ent {
    ds_tnode node;   /* node.key points at key[] */
    ds_value *value; /* NULL: deleted (a tombstone) */
    unsigned char key[];
} mem_ent;

typedef struct mem_backend {
    ds_backend base;
    pthread_mutex_t mu;
    bool locked;  /* take mu (false: the host calls from one thread, DS_BCTL_ONE_THREAD) */
    ds_table tab; /* key -> mem_ent */
    uint64_t nvalues;
    bool origin;
    ds_vpool *vpool; /* get()'s fresh small values (NULL: malloc, under sanitizers) */
    ds_backend_stats st;
} mem_backend;

static inline void mem_lock(mem_backend *m) {
    if (m->locked) pthread_mutex_lock(&m->mu);
}
static inline void mem_unlock(mem_backend *m) {
    if (m->locked) pthread_mutex_unlock(&m->mu);
}

/* Inline: a miss's lookup in an origin replay is one test of an empty table. */
static inline __attribute__((always_inline)) mem_ent *mem_find(mem_backend *m, const void *key,
                                                               uint32_t keylen) {
    if (m->tab.count == 0) return NULL; /* an origin replay that wrote nothing: no hash */
    return (mem_ent *)ds_table_find(&m->tab, ds_table_hash(&m->tab, key, keylen), key, keylen);
}

/* Find or create the entry for key; NULL only when out of memory. Caller holds the mutex. */
static mem_ent *mem_upsert(mem_backend *m, const void *key, uint32_t keylen) {
    uint64_t h = ds_table_hash(&m->tab, key, keylen);
    mem_ent *e = (mem_ent *)ds_table_find(&m->tab, h, key, keylen);
    if (e) return e;
    e = malloc(sizeof(*e) + keylen);
    if (!e) return NULL;
    memcpy(e->key, key, keylen);
    e->node = (ds_tnode){.hash = h, .key = e->key, .keylen = keylen};
    e->value = NULL;
    if (ds_table_insert(&m->tab, &e->node) != DS_OK) {
        free(e);
        return NULL;
    }
    return e;
}

static void mem_plan(ds_backend *b, ds_bop op, const void *key, uint32_t keylen, ds_call *call) {
    (void)b, (void)op, (void)key, (void)keylen;
    call->service_us = 0;
    call->fail = false;
}

/* The origin stamp: up to 16 bytes derived from the key, so two reads agree. */
static ds_value *mem_origin_value(mem_backend *m, const void *key, uint32_t keylen,
                                  uint64_t size_bytes) {
    unsigned char stamp[MEM_STAMP_BYTES];
    /* ds_hash64(key, keylen, 1), its seed's part folded at compile time, a cache-sized key
     * (8..16 bytes) hashed inline (hash.h): the same number without the call */
    const uint64_t state = ds_hash64_state(1);
    uint64_t h1 = keylen - 8u <= 8u ? ds_hash64_from16(key, keylen, state)
                                    : ds_hash64_from(key, keylen, state);
    uint64_t h2 = (h1 ^ (h1 >> 31)) * 0x9e3779b97f4a7c15ull;
    memcpy(stamp, &h1, 8);
    memcpy(stamp + 8, &h2, 8);
    uint32_t len = size_bytes < MEM_STAMP_BYTES ? (uint32_t)size_bytes : MEM_STAMP_BYTES;
    return ds_vpool_take(m->vpool, stamp, len, size_bytes, 0);
}

static ds_status mem_get(ds_backend *b, ds_call *call, const void *key, uint32_t keylen,
                         ds_value **out, ds_err *err) {
    mem_backend *m = (mem_backend *)b;
    *out = NULL;
    if (!key && keylen) return ds_err_set(err, DS_ERR_ARG, "mem get: NULL key");
    ds_value *v = NULL;
    mem_lock(m);
    m->st.gets++;
    mem_ent *e = mem_find(m, key, keylen);
    bool found = e ? e->value != NULL : m->origin; /* a tombstone hides the origin's copy */
    if (!found) {
        mem_unlock(m);
        return DS_NOT_FOUND;
    }
    if (e) {
        const ds_value *w = e->value;
        v = ds_vpool_take(m->vpool, w->data, w->len, w->size_bytes, w->expire_us);
    } else {
        v = mem_origin_value(m, key, keylen, call ? call->size_hint : 0);
    }
    if (v)
        m->st.bytes_read += v->len;
    else
        m->st.errors++;
    mem_unlock(m);
    if (!v) return ds_err_set(err, DS_ERR_NOMEM, "mem get: out of memory");
    *out = v;
    return DS_OK;
}

static ds_status mem_set(ds_backend *b, ds_call *call, const void *key, uint32_t keylen,
                         const ds_value *v, ds_err *err) {
    mem_backend *m = (mem_backend *)b;
    (void)call;
    if (!v || (!key && keylen)) return ds_err_set(err, DS_ERR_ARG, "mem set: NULL key or value");
    ds_value *copy = ds_value_new(v->data, v->len, v->size_bytes, v->expire_us);
    if (!copy) return ds_err_set(err, DS_ERR_NOMEM, "mem set: out of memory");
    mem_lock(m);
    m->st.sets++;
    mem_ent *e = mem_upsert(m, key, keylen);
    if (e) {
        if (!e->value) m->nvalues++;
        ds_value_unref(e->value);
        e->value = copy;
        m->st.bytes_written += v->len;
    } else {
        m->st.errors++;
    }
    mem_unlock(m);
    if (!e) {
        ds_value_unref(copy);
        return ds_err_set(err, DS_ERR_NOMEM, "mem set: out of memory");
    }
    return DS_OK;
}

/* Delete of an absent key returns DS_NOT_FOUND (ds_job_run treats it as success). In origin
 * mode the entry stays as a tombstone so the origin no longer answers for the key. */
static ds_status mem_del(ds_backend *b, ds_call *call, const void *key, uint32_t keylen,
                         ds_err *err) {
    mem_backend *m = (mem_backend *)b;
    (void)call;
    if (!key && keylen) return ds_err_set(err, DS_ERR_ARG, "mem del: NULL key");
    ds_status st = DS_NOT_FOUND;
    mem_lock(m);
    m->st.dels++;
    mem_ent *e = mem_find(m, key, keylen);
    if (!e && m->origin) {
        e = mem_upsert(m, key, keylen);
        st = e ? DS_OK : DS_ERR_NOMEM; /* the origin's copy is gone now */
    } else if (e && e->value) {
        ds_value_unref(e->value);
        e->value = NULL;
        m->nvalues--;
        st = DS_OK;
    }
    if (st == DS_ERR_NOMEM) m->st.errors++;
    mem_unlock(m);
    if (st == DS_ERR_NOMEM) return ds_err_set(err, st, "mem del: out of memory");
    return st;
}

static void mem_clear(mem_backend *m) {
    size_t it = 0;
    ds_tnode *n;
    while ((n = ds_table_next(&m->tab, &it))) {
        mem_ent *e = (mem_ent *)n;
        ds_value_unref(e->value);
        free(e);
    }
    ds_table_free(&m->tab);
    m->nvalues = 0;
}

/* Empties everything, tombstones included: the store is as new. On allocation failure the
 * table keeps its minimum size (ds_table_init of 0 keys cannot fail short of that). */
static ds_status mem_flush_all(ds_backend *b, ds_err *err) {
    mem_backend *m = (mem_backend *)b;
    mem_lock(m);
    uint64_t seed = m->tab.seed;
    mem_clear(m);
    ds_status st = ds_table_init(&m->tab, MEM_KEYS_MIN, seed);
    mem_unlock(m);
    if (st != DS_OK) return ds_err_set(err, st, "mem flush: out of memory");
    return DS_OK;
}

/* The visitor runs under the mutex: it must not call back into this backend. */
static ds_status mem_scan(ds_backend *b, ds_scan_fn fn, void *ctx, ds_err *err) {
    mem_backend *m = (mem_backend *)b;
    (void)err;
    mem_lock(m);
    bool go = true;
    size_t it = 0;
    ds_tnode *n;
    while (go && (n = ds_table_next(&m->tab, &it))) {
        mem_ent *e = (mem_ent *)n;
        if (e->value) go = fn(ctx, e->key, n->keylen, e->value);
    }
    mem_unlock(m);
    return DS_OK;
}

static void mem_stats(ds_backend *b, ds_backend_stats *out) {
    mem_backend *m = (mem_backend *)b;
    mem_lock(m);
    *out = m->st;
    out->keys = m->nvalues;
    mem_unlock(m);
}

static void mem_close(ds_backend *b) {
    mem_backend *m = (mem_backend *)b;
    mem_clear(m);
    ds_vpool_close(m->vpool); /* values it gave out may outlive it: the pool waits for them */
    pthread_mutex_destroy(&m->mu);
    free(m);
}

static ds_status mem_control(ds_backend *b, int op, void *arg) {
    mem_backend *m = (mem_backend *)b;
    if (op == DS_BCTL_STORE) {
        ds_bctl_buf *o = arg;
        if (!o || !o->buf || !o->cap) return DS_ERR_ARG;
        snprintf(o->buf, o->cap, "mem");
        return DS_OK;
    }
    if (op == DS_BCTL_ONE_THREAD) {
        if (!arg) return DS_ERR_ARG;
        m->locked = !*(const bool *)arg; /* no call in flight (dslab.h), so no lock to hold */
        return DS_OK;
    }
    if (op != DS_BCTL_ORIGIN) return DS_NOT_FOUND;
    if (!arg) return DS_ERR_ARG;
    mem_lock(m);
    m->origin = *(const bool *)arg;
    mem_unlock(m);
    return DS_OK;
}

static const ds_backend_ops mem_ops = {
    .version = DS_BACKEND_VERSION,
    .name = "mem",
    .plan = mem_plan,
    .get = mem_get,
    .set = mem_set,
    .del = mem_del,
    .flush_all = mem_flush_all,
    .scan = mem_scan,
    .stats = mem_stats,
    .close = mem_close,
    .control = mem_control,
};

ds_backend *ds_backend_mem_new(ds_err *err) {
    mem_backend *m = calloc(1, sizeof(*m));
    if (!m || ds_table_init(&m->tab, MEM_KEYS_MIN, MEM_HASH_SEED) != DS_OK) {
        free(m);
        ds_err_set(err, DS_ERR_NOMEM, "mem backend: out of memory");
        return NULL;
    }
    pthread_mutex_init(&m->mu, NULL);
    m->locked = true;
    m->vpool = ds_vpool_new(); /* NULL (sanitizers, out of memory): get() mallocs */
    m->base.ops = &mem_ops;
    return &m->base;
}

/* Through control, so it reaches the store below any shims and is a no-op elsewhere. */
void ds_backend_mem_set_origin(ds_backend *b, bool on) {
    ds_status st = ds_backend_control(b, DS_BCTL_ORIGIN, &on);
    assert(st == DS_OK || st == DS_NOT_FOUND);
    (void)st;
}

static ds_status mem_open(ds_backend_params *p, ds_backend **out, ds_err *err) {
    (void)p; /* no parameters: the registry rejects any the user gives */
    *out = ds_backend_mem_new(err);
    return *out ? DS_OK : DS_ERR_NOMEM;
}

const ds_backend_type ds_backend_type_mem = {
    .version = DS_BACKEND_VERSION,
    .name = "mem",
    .params = "",
    .help = "in memory (alias: fake, its historical name)",
    .open = mem_open,
};
