/*
 * simcache.c - the cache-only simulator (`dslab replay --cache-only`): a trace streamed
 * through the core's keyspace and eviction plug-ins with nothing around them.
 *
 * What it is: the semantics of the full engine under `--evict-at insert --latency fixed:0
 * --origin` with one request at a time, minus the machinery that has nothing to decide then
 * (no scheduler, no IO jobs, no parked clients, no clock, no latencies). A GET hit touches the
 * entry; a GET miss loads from the origin and inserts (evicting first); a SET writes the value
 * into the cache; a DEL removes the key, and the origin forgets it (a later read answers
 * "absent": a negative-cache hit, or with negcache off a miss whose load finds nothing). It
 * calls the keyspace (keyspace.c) and the policy (evict.h) in exactly the order the full
 * engine does, with the same seeds, so hit and miss counts agree with it for every policy
 * (tests/test_cacheonly.c pins that; with writes, when the full engine's SAVEs land at once).
 *
 * Why it is fast, from the data layout rather than from any one policy:
 * - a batch of requests is hashed first (the hash is carried with the request, never
 *   recomputed), then run with a two-stage prefetch: the table slot of request i + SC_AHEAD_SLOT
 *   and, once that slot is likely in cache, the entry it points at for i + SC_AHEAD_ENTRY, so
 *   at 1M keys the DRAM misses of the lookups overlap instead of queueing one by one;
 * - values are shared, one per object size (the keyspace charges a value's size_bytes and
 *   never reads its bytes), so a miss allocates nothing: entries come from the keyspace's slab.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#ifndef SC_AHEAD_SLOT       /* -D for experiments */
#define SC_AHEAD_SLOT   16u /* requests ahead whose table slot is prefetched */
#define SC_AHEAD_ENTRY  8u  /* requests ahead whose entry is prefetched */
#define SC_AHEAD_POLICY 4u  /* requests ahead whose policy lines are prefetched (its hint) */
#endif
#ifndef SC_PREFETCH_MIN_SLOTS
#define SC_PREFETCH_MIN_SLOTS 4096u /* 64 KiB of slots: below that the table lives in L1/L2 */
#endif

/* A deleted key: the origin no longer answers for it (until a SET writes it again). */
typedef struct sc_gone {
    ds_tnode node;
    unsigned char key[];
} sc_gone;

/* The shared value of one object size, keyed by the size's 8 bytes. */
typedef struct sc_val {
    ds_tnode node;
    uint64_t size;
    ds_value *v;
} sc_val;

struct ds_simcache {
    ds_config cfg;
    ds_rng rng;
    ds_keyspace ks;
    ds_table gone;
    ds_slab gone_slab;
    ds_table vals;
    ds_slab val_slab;
    ds_value *vlast; /* the value of the last size asked for (traces often have one size) */
    ds_stats st;
    uint64_t nop[DS_OP__COUNT + 1]; /* requests per op (the last: none) */
    uint64_t errors;
};

static ds_status tables_init(ds_simcache *s, uint64_t seed) {
    if (ds_table_init(&s->gone, 16, seed) != DS_OK) return DS_ERR_NOMEM;
    if (ds_table_init(&s->vals, 16, seed) != DS_OK) return DS_ERR_NOMEM;
    return DS_OK;
}

/* The same seeding as ds_cache_new: the first draw seeds the tables, the generator then serves
 * the policy, so a sampled policy draws what it draws in the full engine. */
ds_simcache *ds_simcache_new(const ds_config *cfg, ds_err *err) {
    if (!cfg || ds_config_validate(cfg, err) != DS_OK) {
        if (!cfg) ds_err_set(err, DS_ERR_ARG, "ds_simcache_new: no config");
        return NULL;
    }
    ds_simcache *s = calloc(1, sizeof *s);
    if (!s) {
        ds_err_set(err, DS_ERR_NOMEM, "ds_simcache_new: out of memory");
        return NULL;
    }
    s->cfg = *cfg;
    s->cfg.evict_at = DS_EVICT_AT_INSERT;
    ds_rng_seed(&s->rng, cfg->seed);
    uint64_t hseed = ds_rng_next(&s->rng);
    if (ds_ks_init(&s->ks, &s->cfg, &s->rng, hseed, err) != DS_OK) {
        free(s);
        return NULL;
    }
    if (tables_init(s, hseed) != DS_OK) {
        ds_simcache_free(s);
        ds_err_set(err, DS_ERR_NOMEM, "ds_simcache_new: out of memory");
        return NULL;
    }
    return s;
}

void ds_simcache_free(ds_simcache *s) {
    if (!s) return;
    ds_ks_free(&s->ks); /* drops the entries' references to the shared values */
    size_t it = 0;
    ds_tnode *n;
    while (s->vals.slots && (n = ds_table_next(&s->vals, &it))) { /* one by one: under ASan */
        ds_value_unref(((sc_val *)n)->v);                         /* slabs are malloc */
        ds_slab_free(&s->val_slab, n, sizeof(sc_val));
    }
    it = 0;
    while (s->gone.slots && (n = ds_table_next(&s->gone, &it)))
        ds_slab_free(&s->gone_slab, n, sizeof(sc_gone) + n->keylen);
    ds_table_free(&s->vals);
    ds_table_free(&s->gone);
    ds_slab_destroy(&s->val_slab);
    ds_slab_destroy(&s->gone_slab);
    free(s);
}

uint64_t ds_simcache_hash(const ds_simcache *s, const void *key, uint32_t len) {
    return ds_table_hash(&s->ks.tab, key, len);
}

/* The shared value of this size (one reference held by s->vals); NULL on out of memory. They
 * live until the end: one per distinct object size of the trace (72 bytes each). */
static ds_value *value_of(ds_simcache *s, uint64_t size) {
    if (s->vlast && s->vlast->size_bytes == size) return s->vlast;
    uint64_t h = ds_table_hash(&s->vals, &size, sizeof size);
    sc_val *sv = (sc_val *)ds_table_find(&s->vals, h, &size, sizeof size);
    if (!sv) {
        sv = ds_slab_alloc(&s->val_slab, sizeof *sv);
        ds_value *v = ds_value_new(NULL, 0, size, 0);
        if (!sv || !v) {
            ds_slab_free(&s->val_slab, sv, sizeof *sv);
            ds_value_unref(v);
            return NULL;
        }
        *sv = (sc_val){
            .node = {h, (const unsigned char *)&sv->size, sizeof sv->size}, .size = size, .v = v};
        if (ds_table_insert(&s->vals, &sv->node) != DS_OK) {
            ds_slab_free(&s->val_slab, sv, sizeof *sv);
            ds_value_unref(v);
            return NULL;
        }
    }
    return s->vlast = sv->v;
}

static bool over(const ds_simcache *s, uint64_t extra_bytes, uint64_t extra_keys) {
    if (s->cfg.max_memory_bytes && s->ks.used_bytes + extra_bytes > s->cfg.max_memory_bytes)
        return true;
    return s->cfg.max_keys && s->ks.tab.count + extra_keys > s->cfg.max_keys;
}

/* ds_c_reclaim without waits: nothing is ever busy here, so only an empty cache stops it. */
static ds_status reclaim(ds_simcache *s, uint64_t extra_bytes, uint64_t extra_keys,
                         const ds_evict_req *incoming) {
    while (over(s, extra_bytes, extra_keys)) {
        if (!ds_ks_evict_one(&s->ks, incoming)) {
            s->st.memory_limit_misses++;
            return DS_ERR_MEMORY;
        }
        s->st.evictions++;
    }
    return DS_OK;
}

static sc_gone *gone_find(ds_simcache *s, uint64_t h, const void *key, uint32_t len) {
    if (s->gone.count == 0) return NULL;
    return (sc_gone *)ds_table_find(&s->gone, h, key, len);
}

static void gone_forget(ds_simcache *s, uint64_t h, const void *key, uint32_t len) {
    sc_gone *g = gone_find(s, h, key, len);
    if (!g) return;
    ds_table_remove(&s->gone, &g->node);
    ds_slab_free(&s->gone_slab, g, sizeof *g + len);
}

static ds_status gone_add(ds_simcache *s, uint64_t h, const void *key, uint32_t len) {
    if (gone_find(s, h, key, len)) return DS_OK;
    sc_gone *g = ds_slab_alloc(&s->gone_slab, sizeof *g + len);
    if (!g) return DS_ERR_NOMEM;
    memcpy(g->key, key, len);
    g->node = (ds_tnode){h, g->key, len};
    if (ds_table_insert(&s->gone, &g->node) == DS_OK) return DS_OK;
    ds_slab_free(&s->gone_slab, g, sizeof *g + len);
    return DS_ERR_NOMEM;
}

/* A miss that the origin answers: the full engine's LOAD completion (cache_loaded). A value
 * that cannot fit is still added, as there (memory_limit_misses counts it). */
static ds_status load(ds_simcache *s, const ds_simreq *r) {
    s->st.disk_loads++;
    ds_value *v = value_of(s, r->size);
    if (!v) return DS_ERR_NOMEM;
    uint64_t charge = ds_ks_charge(r->len, v);
    ds_evict_req in = {r->hash, r->key, r->len, r->next_access, charge};
    (void)reclaim(s, charge, 1, &in); /* counted in memory_limit_misses when it fails */
    ds_evict_req rq = {r->hash, r->key, r->len, r->next_access, 0};
    /* still absent: eviction only removes (ds_ks_set_at asserts it in debug builds) */
    return ds_ks_set_at(&s->ks, NULL, r->hash, r->key, r->len, v, &rq, NULL);
}

/* GET, EXISTS and each key of MGET: hit, known absent, or miss + load (ds_c_lookup). */
static ds_status do_read(ds_simcache *s, const ds_simreq *r, ds_entry *e) {
    ds_evict_req rq = {r->hash, r->key, r->len, r->next_access, 0};
    if (e) {
        ds_ks_touch(&s->ks, e, &rq);
        s->st.hits++;
        return DS_OK;
    }
    bool gone = gone_find(s, r->hash, r->key, r->len) != NULL;
    if (gone && s->cfg.negcache) {
        s->st.neg_hits++;
        return DS_OK;
    }
    ds_ks_miss(&s->ks, &rq);
    s->st.misses++;
    if (!gone) return load(s, r);
    s->st.disk_loads++; /* the load finds nothing */
    return DS_OK;
}

/* SET of one key: ds_c_write's memory side (the policy sees a SET of an absent key as a
 * miss; room is made first; an overwrite whose own key was the victim is an insert). */
static ds_status do_write(ds_simcache *s, const ds_simreq *r, ds_entry *e) {
    ds_value *v = value_of(s, r->size);
    if (!v) return DS_ERR_NOMEM;
    uint64_t charge = ds_ks_charge(r->len, v);
    if (s->cfg.max_memory_bytes && charge > s->cfg.max_memory_bytes) return DS_ERR_TOOBIG;
    ds_evict_req in = {r->hash, r->key, r->len, r->next_access, charge};
    if (!e) ds_ks_miss(&s->ks, &in);
    uint64_t old = e ? ds_ks_charge(r->len, e->val) : 0;
    ds_status st = reclaim(s, charge > old ? charge - old : 0, e ? 0 : 1, &in);
    if (st == DS_OK && e && !ds_ks_find(&s->ks, r->hash, r->key, r->len)) {
        e = NULL; /* the key itself was the victim */
        st = reclaim(s, charge, 1, &in);
    }
    if (st != DS_OK) return st;
    gone_forget(s, r->hash, r->key, r->len);
    ds_evict_req rq = {r->hash, r->key, r->len, r->next_access, 0};
    return ds_ks_set_at(&s->ks, e, r->hash, r->key, r->len, v, &rq, NULL);
}

static ds_status do_del(ds_simcache *s, const ds_simreq *r, ds_entry *e) {
    if (e) ds_ks_remove(&s->ks, e);
    return gone_add(s, r->hash, r->key, r->len);
}

/* One key of one request; e is its entry (looked up by the caller) or NULL. */
static ds_status key_op(ds_simcache *s, const ds_simreq *r, ds_entry *e) {
    switch (r->op) {
    case DS_OP_SET: return do_write(s, r, e);
    case DS_OP_DEL: return do_del(s, r, e);
    default: return do_read(s, r, e);
    }
}

/* Per-op counts in an array (one add per request, not a switch); folded in by
 * ds_simcache_stats. An op outside the enum counts in requests only. */
static inline void count_op(ds_simcache *s, uint32_t op) {
    s->st.requests++;
    s->nop[op < DS_OP__COUNT ? op : DS_OP__COUNT]++;
}

static void settle(ds_simcache *s, ds_status st) {
    if (st != DS_OK) s->errors++;
}

/* Prefetch stage 2: the slot of a request ahead is (likely) in cache by now: start loading the
 * entry it points at (both lines: the key may be in the second). No check of the slot's hash:
 * when the key sits further along its probe run (or is absent) this loads a neighbour's entry
 * for nothing, which measured as fast as checking and cheaper than scanning the run. */
static inline void prefetch_entry(const ds_table *t, uint64_t h) {
    const char *p = (const char *)t->slots[h & t->mask].node; /* NULL or another key: harmless */
    __builtin_prefetch(p);
    __builtin_prefetch(p + 64);
}

/* Stage 3: the entry is (likely) in cache: if the slot holds the key's hash, let the policy
 * pull the lines its on_access will touch (ds_evict_ops.prefetch). The entry read here is live:
 * the table holds it now. */
static inline void prefetch_policy(const ds_keyspace *ks, uint64_t h) {
    const ds_tslot *sl = &ks->tab.slots[h & ks->tab.mask];
    if (sl->hash == h) ks->ev.ops->prefetch(&ks->ev, (const ds_entry *)sl->node);
}

void ds_simcache_run(ds_simcache *s, ds_simreq *reqs, size_t n) {
    const ds_table *t = &s->ks.tab;
    for (size_t i = 0; i < n; i++)
        reqs[i].hash = ds_table_hash(t, reqs[i].key, reqs[i].len);
    /* A table small enough to stay in L1/L2 gains nothing from prefetching: skip its
     * instructions (6% of them). At 10k keys (256 KiB of slots, 800 KiB of entries) perf
     * still shows the lookup waiting on memory, so the stages run there. */
    bool deep = t->mask + 1 >= SC_PREFETCH_MIN_SLOTS;
    bool hint = deep && s->ks.ev.ops->prefetch != NULL;
    for (size_t i = 0; i < n && i < SC_AHEAD_SLOT && deep; i++)
        ds_table_prefetch(t, reqs[i].hash);
    for (size_t i = 0; i < n; i++) {
        if (deep && i + SC_AHEAD_SLOT < n) ds_table_prefetch(t, reqs[i + SC_AHEAD_SLOT].hash);
        if (deep && i + SC_AHEAD_ENTRY < n) prefetch_entry(t, reqs[i + SC_AHEAD_ENTRY].hash);
        if (hint && i + SC_AHEAD_POLICY < n)
            prefetch_policy(&s->ks, reqs[i + SC_AHEAD_POLICY].hash);
        const ds_simreq *r = &reqs[i];
        ds_entry *e = ds_ks_find(&s->ks, r->hash, r->key, r->len);
        count_op(s, r->op);
        settle(s, key_op(s, r, e));
    }
}

ds_status ds_simcache_cmd(ds_simcache *s, ds_op op, const ds_key *keys, uint32_t nkeys,
                          uint64_t size, int64_t next_access) {
    if ((unsigned)op >= DS_OP__COUNT || nkeys == 0 || !keys) return DS_ERR_ARG;
    count_op(s, op);
    ds_status first = DS_OK;
    /* EXEC (a read-modify-write): every key read first, then every key written. */
    for (int pass = 0; pass < (op == DS_OP_EXEC ? 2 : 1); pass++) {
        for (uint32_t i = 0; i < nkeys; i++) {
            ds_op kop = op == DS_OP_MGET || (op == DS_OP_EXEC && pass == 0) ? DS_OP_GET
                        : op == DS_OP_EXEC                                  ? DS_OP_SET
                                                                            : op;
            ds_simreq r = {0, keys[i].p, keys[i].len, kop, size, next_access};
            r.hash = ds_table_hash(&s->ks.tab, r.key, r.len);
            ds_status st = key_op(s, &r, ds_ks_find(&s->ks, r.hash, r.key, r.len));
            if (first == DS_OK) first = st;
        }
    }
    settle(s, first);
    return first;
}

void ds_simcache_stats(const ds_simcache *s, ds_stats *out, uint64_t *errors) {
    *out = s->st;
    out->gets = s->nop[DS_OP_GET];
    out->sets = s->nop[DS_OP_SET];
    out->dels = s->nop[DS_OP_DEL];
    out->exists = s->nop[DS_OP_EXISTS];
    out->mgets = s->nop[DS_OP_MGET];
    out->execs = s->nop[DS_OP_EXEC];
    out->used_memory_bytes = s->ks.used_bytes;
    out->peak_memory_bytes = s->ks.peak_bytes;
    out->keys = s->ks.tab.count;
    out->neg_entries = s->gone.count;
    if (errors) *errors = s->errors;
}

void ds_simcache_prefetch(const ds_simcache *s, uint64_t h) { ds_table_prefetch(&s->ks.tab, h); }
