/*
 * evict.h - the eviction plug-in interface: what a policy sees and what it must provide.
 *
 * A policy is a value of type ds_evict_ops (a name, the bytes of metadata it keeps per entry,
 * and callbacks), in the manner of libCacheSim's cache_t and SQLite's sqlite3_vfs. The built-in
 * ones live one per file in core/evict/ and are listed in core/evict/registry.c; an embedder
 * may also pass its own through ds_config.evict_ops. The keyspace calls the policy:
 *
 *   on_miss    a read found the key neither in memory nor known absent (optional; policies
 *              with ghost lists look the key up here, as libCacheSim's find does on a miss)
 *   on_insert  a new entry (after a LOAD or a SET of an absent key)
 *   on_access  a hit, or a SET overwriting a cached key; once per request and key
 *   on_remove  the entry leaves memory: evicted (it was the victim) or removed (DEL, expiry);
 *              optional (a policy whose metadata lives only in the entry has nothing to unlink)
 *   victim     which entry to evict next, or NULL when nothing can go; it must skip busy
 *              entries (ds_evict_busy) and may reorder its own structures while it looks
 *   prefetch   optional: a hint that on_access(e) comes soon (load its neighbours' lines)
 *
 * Why metadata lives after the entry: each policy pays only for what it uses (lru-sampled 8
 * bytes, a list policy 16-24), and the default's per-key cost does not grow with the zoo. The
 * bytes are ops->entry_bytes long, 8-aligned, at ds_evict_meta(e), and zeroed before on_insert.
 * Memory accounting charges every policy the same fixed overhead (README "Eviction").
 */
#ifndef DS_EVICT_H
#define DS_EVICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dslab.h"
#include "table.h"

#define DS_EVICT_OPS_VERSION 1

typedef struct ds_ioent ds_ioent;

/* A cached key. The policy's metadata follows it, then the key bytes. */
typedef struct ds_entry {
    ds_tnode node; /* node.key points at the key bytes stored after the metadata */
    ds_value *val;
    int64_t expire_us; /* copy of val->expire_us: a hit need not touch the value */
    ds_ioent *io;      /* flag-table entry of this key, if any: the key is busy */
} ds_entry;

static inline void *ds_evict_meta(ds_entry *e) { return e + 1; }
static inline const void *ds_evict_cmeta(const ds_entry *e) { return e + 1; }

/* The request that caused a callback: the key and the trace's hint of its next access. */
typedef struct ds_evict_req {
    uint64_t hash;
    const void *key;
    uint32_t len;
    int64_t next_access; /* DS_NEXT_ACCESS_UNKNOWN, a request index, or DS_NEXT_ACCESS_NEVER */
    uint64_t charge;     /* victim's incoming key: the bytes it will be charged (0 elsewhere) */
} ds_evict_req;

typedef enum ds_evict_why { DS_EVICT_WHY_REMOVED = 0, DS_EVICT_WHY_EVICTED } ds_evict_why;

typedef struct ds_evict ds_evict;

typedef struct ds_evict_ops {
    int version; /* DS_EVICT_OPS_VERSION */
    const char *name;
    const char *help;       /* one line: the rule and its parameters with defaults */
    size_t entry_bytes;     /* metadata per entry, a multiple of 8 */
    bool needs_next_access; /* uses ds_cmd.next_access (oracle policies) */
    /* Parse "k=v,k=v" (may be "") and set ev->state; DS_ERR_CONFIG with a message on a bad
     * parameter. ev's table, limits and generator are set before init is called. */
    ds_status (*init)(ds_evict *ev, const char *params, ds_err *err);
    void (*destroy)(ds_evict *ev);
    void (*on_miss)(ds_evict *ev, const ds_evict_req *rq); /* optional */
    void (*on_insert)(ds_evict *ev, ds_entry *e, const ds_evict_req *rq);
    void (*on_access)(ds_evict *ev, ds_entry *e, const ds_evict_req *rq);
    void (*on_remove)(ds_evict *ev, ds_entry *e, ds_evict_why why); /* optional */
    /* incoming: the key about to be inserted (evict-at=insert), or NULL (cron). */
    ds_entry *(*victim)(ds_evict *ev, const ds_evict_req *incoming);
    /* Optional hint: on_access(e) comes soon (a host that reads requests ahead calls it, the
     * cache-only replay does): start loading what it will touch besides e itself, such as a
     * list's neighbours. No effect on the policy's state; e is a live entry. */
    void (*prefetch)(const ds_evict *ev, const ds_entry *e);
} ds_evict_ops;

/* A policy instance, owned by the keyspace. */
struct ds_evict {
    const ds_evict_ops *ops;
    void *state;
    const ds_table *tab;   /* every cached entry (sampling policies draw from it) */
    ds_rng *rng;           /* the cache's seeded generator */
    uint32_t samples;      /* evict-samples */
    bool busy_ok;          /* evict-busy-keys=on: busy entries may be evicted */
    uint64_t capacity;     /* cache-max-keys if set, else cache-max-memory bytes; 0 = none */
    bool capacity_in_keys; /* the unit of capacity and of ds_evict_units */
    uint64_t entry_charge; /* bytes charged per entry besides key and value */
    bool unpin;            /* unpin-parked-keys=on: keys only a parked command holds may go */
    uint64_t ties;         /* evict-ties: candidates this close in age are equal (exploration) */
};

/* The key's IO entry holds only parked commands' wait slots (no flag, no SAVE in flight). */
bool ds_ioent_only_waiters(const ds_ioent *io);

/* An entry is busy when it has IO flags or waiters (or is pinned by a parked command).
 * unpin-parked-keys (an experiment that breaks rule 9) lets a key go that only waiters hold. */
static inline bool ds_evict_busy(const ds_evict *ev, const ds_entry *e) {
    if (e->io == NULL || ev->busy_ok) return false;
    return !ev->unpin || !ds_ioent_only_waiters(e->io);
}

/* The entry's size in capacity units: 1 key, or its charged bytes. */
static inline uint64_t ds_evict_units(const ds_evict *ev, const ds_entry *e) {
    if (ev->capacity_in_keys) return 1;
    return e->node.keylen + (e->val ? e->val->size_bytes : 0) + ev->entry_charge;
}

/* Parameter strings: the next "key=value" of a comma-separated list. Returns false at the end;
 * *p advances. A pair without '=' yields an empty value. */
bool ds_evict_param_next(const char **p, char *key, size_t keycap, char *val, size_t valcap);
ds_status ds_evict_param_double(const char *policy, const char *key, const char *val, double lo,
                                double hi, double *out, ds_err *err);
ds_status ds_evict_param_unknown(const char *policy, const char *key, ds_err *err);

/* The built-in policies, by name (name may end at len, before a ':'). */
const ds_evict_ops *ds_evict_find(const char *name, size_t len);

/* Split "name:params" and find the policy: the embedder's ops when given, else by name. */
ds_status ds_evict_resolve(const char *spec, const ds_evict_ops *override, const ds_evict_ops **ops,
                           const char **params, ds_err *err);

/* Resolve and try the spec's parameters (init + destroy on an empty instance). */
ds_status ds_evict_check_spec(const char *spec, const ds_evict_ops *override, ds_err *err);

/* The shared sampler: the oldest of `samples` random table items not skipped, drawn for up to
 * DS_SAMPLE_ROUNDS rounds, then a forward scan of at most scan_max slots from a random start.
 * lru-sampled and the negative cache both evict with it. */
#define DS_SAMPLE_ROUNDS   3
#define DS_SAMPLE_SCAN_MAX 1024u
#define DS_SAMPLE_BATCH    16 /* samples a round of the deep path draws ahead */
typedef struct ds_sample_spec {
    uint32_t samples;
    size_t scan_max;
    bool (*skip)(const ds_tnode *n, const void *ctx);
    uint64_t (*age)(const ds_tnode *n, const void *ctx); /* smaller = older */
    const void *ctx;
    uint64_t ties; /* > 0: candidates whose ages differ by <= ties are equal; a coin picks */
} ds_sample_spec;
/* The choice among equal candidates is the one schedule exploration perturbs (evict-ties):
 * with ties == 0 (the default) the older always wins and no random number is drawn. a and b
 * are the ages of n and best (best's is kept, not asked again per candidate). */
static inline bool ds_sample_better(const ds_sample_spec *s, const ds_tnode *n, uint64_t a,
                                    const ds_tnode *best, uint64_t b, ds_rng *r) {
    if (!best) return true;
    if (s->ties && n != best && (a > b ? a - b : b - a) <= s->ties) return ds_rng_below(r, 2) == 0;
    return a < b;
}

/* The fallback scan (sample.c): every round found only skipped items. */
ds_tnode *ds_sample_scan(const ds_table *t, ds_rng *r, const ds_sample_spec *s);

/* The rounds with a tie's coin (evict-ties > 0, schedule exploration), then the scan: the
 * general loop, out of line (sample.c). Without ties it picks what ds_sample_oldest's fast paths
 * pick, from the same draws: the tests' reference for them (test_table). */
ds_tnode *ds_sample_ties(const ds_table *t, ds_rng *r, const ds_sample_spec *s);

/* The rounds of ds_sample_oldest without ties, drawn one at a time, or (deep, a constant at
 * each call site, so each gets its own code) in three passes for a large table
 * (ds_table_deep), where every sample's slot and node is a memory miss, so that the misses
 * overlap instead of queueing: draw every position and start loading its slot, then find each
 * present node and start loading it (its first 64 bytes: an entry's flags and policy
 * metadata), then judge them in draw order. Judging draws no number without ties, so the draws
 * and the choice are the same either way (test_table:
 * test_deep_sampler_picks_what_one_at_a_time_picks). The generator's state and the table's
 * slots and mask are copied into locals: skip and age may change neither (they only read an
 * item), and without the copies every store of a draw could alias the table's fields, so each
 * draw would reload them and store its state to memory. The state goes back before the
 * fallback scan draws. */
static inline __attribute__((always_inline)) ds_tnode *
ds_sample_rounds(const ds_table *t, ds_rng *r, const ds_sample_spec *s, const bool deep) {
    bool (*skip)(const ds_tnode *, const void *) = s->skip;
    uint64_t (*age)(const ds_tnode *, const void *) = s->age;
    const void *ctx = s->ctx;
    uint32_t samples = s->samples;
    const ds_tslot *slots = t->slots;
    size_t mask = t->mask;
    ds_rng g = *r;
    ds_tnode *best = NULL;
    uint64_t best_age = 0;
    for (int round = 0; round < DS_SAMPLE_ROUNDS && !best; round++) {
        ds_tnode *cand[DS_SAMPLE_BATCH];
        if (deep) {
            size_t pos[DS_SAMPLE_BATCH];
            for (uint32_t i = 0; i < samples; i++) {
                pos[i] = ds_table_draw_slot(mask, ds_rng_step(&g));
                __builtin_prefetch(&slots[pos[i]]);
            }
            for (uint32_t i = 0; i < samples; i++) {
                cand[i] = ds_table_present_from(slots, mask, pos[i]);
                __builtin_prefetch(cand[i]);
                /* an address, not a pointer into the node (a small node ends before +63) */
                __builtin_prefetch((const void *)((uintptr_t)cand[i] + 63));
            }
        }
        for (uint32_t i = 0; i < samples; i++) {
            ds_tnode *n = deep ? cand[i] : ds_table_sample_at(slots, mask, ds_rng_step(&g));
            if (skip && skip(n, ctx)) continue;
            uint64_t a = age(n, ctx);
            if (!best || a < best_age) {
                best = n;
                best_age = a;
            }
        }
    }
    *r = g;
    return best ? best : ds_sample_scan(t, r, s);
}

/* Inline, so a policy that passes a constant spec gets its skip and age calls inlined: the
 * sampler runs once per eviction and draws `samples` items each time. Without ties the older
 * always wins, so the rounds keep no coin; the deep form needs its batch bound. */
static inline __attribute__((always_inline)) ds_tnode *
ds_sample_oldest(const ds_table *t, ds_rng *r, const ds_sample_spec *s) {
    if (t->count == 0) return NULL;
    if (s->ties) return ds_sample_ties(t, r, s);
    if (s->samples <= DS_SAMPLE_BATCH && ds_table_deep(t)) return ds_sample_rounds(t, r, s, true);
    return ds_sample_rounds(t, r, s, false);
}

#endif
