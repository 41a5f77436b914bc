/*
 * keyspace.c - the cached entries: lookup, insert, removal, memory accounting, and the calls
 * into the eviction policy (evict.h), which alone decides the victim.
 *
 * Memory is accounted, not measured: each entry is charged its key bytes, its value's
 * size_bytes and a fixed per-entry overhead (the entry struct with the default policy's 8 bytes
 * of metadata, the value header and its share of hash-table slots). Every policy is charged
 * the same, so a memory-limited comparison of policies holds the same number of keys, as
 * libCacheSim does without --consider-obj-metadata; `make bench` measures the real bytes.
 *
 * An entry is one allocation from the keyspace's slab (no malloc per insert, no malloc header):
 * the ds_entry, then ops->entry_bytes of policy metadata, then the key bytes.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "vpool.h"

#define ENTRY_OVERHEAD DS_KS_ENTRY_OVERHEAD

size_t ds_cache_entry_overhead_bytes(void) { return ENTRY_OVERHEAD; }

ds_status ds_ks_init(ds_keyspace *ks, const ds_config *cfg, ds_rng *rng, uint64_t seed,
                     ds_err *err) {
    memset(ks, 0, sizeof *ks);
    const char *params = NULL;
    const ds_evict_ops *ops = NULL;
    ds_status st = ds_evict_resolve(cfg->evict, cfg->evict_ops, &ops, &params, err);
    if (st != DS_OK) return st;
    if (ds_table_init(&ks->tab, 1024, seed) != DS_OK)
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    ds_evict *ev = &ks->ev;
    ev->tab = &ks->tab;
    ev->rng = rng;
    ev->samples = cfg->evict_samples;
    ev->busy_ok = cfg->evict_busy_keys;
    ev->unpin = cfg->unpin_parked_keys;
    ev->ties = cfg->evict_ties;
    ev->capacity_in_keys = cfg->max_keys != 0;
    ev->capacity = cfg->max_keys ? cfg->max_keys : cfg->max_memory_bytes;
    ev->entry_charge = ENTRY_OVERHEAD;
    st = ops->init(ev, params, err);
    if (st != DS_OK) {
        ds_table_free(&ks->tab);
        return st;
    }
    ev->ops = ops;
    return DS_OK;
}

static size_t entry_bytes(const ds_keyspace *ks, uint32_t keylen) {
    return sizeof(ds_entry) + ks->ev.ops->entry_bytes + keylen;
}

void ds_ks_free(ds_keyspace *ks) {
    size_t it = 0;
    ds_tnode *n;
    while ((n = ds_table_next(&ks->tab, &it))) {
        ds_entry *e = (ds_entry *)n;
        ds_value_unref(e->val);
        ds_slab_free(&ks->slab, e, entry_bytes(ks, e->node.keylen));
    }
    if (ks->ev.ops) ks->ev.ops->destroy(&ks->ev);
    ds_table_free(&ks->tab);
    ds_slab_destroy(&ks->slab);
}

static const ds_evict_req *req_or_key(const ds_evict_req *rq, ds_evict_req *tmp,
                                      const ds_entry *e) {
    if (rq) return rq;
    *tmp = (ds_evict_req){e->node.hash, e->node.key, e->node.keylen, DS_NEXT_ACCESS_UNKNOWN};
    return tmp;
}

static void account(ds_keyspace *ks, uint64_t add, uint64_t sub) {
    assert(ks->used_bytes + add >= sub);
    ks->used_bytes = ks->used_bytes + add - sub;
    if (ks->used_bytes > ks->peak_bytes) ks->peak_bytes = ks->used_bytes;
}

ds_status ds_ks_set(ds_keyspace *ks, uint64_t h, const void *key, uint32_t len, ds_value *v,
                    const ds_evict_req *rq, ds_entry **out) {
    return ds_ks_set_at(ks, ds_ks_find(ks, h, key, len), h, key, len, v, rq, out);
}

ds_status ds_ks_set_at(ds_keyspace *ks, ds_entry *e, uint64_t h, const void *key, uint32_t len,
                       ds_value *v, const ds_evict_req *rq, ds_entry **out) {
    assert(e == ds_ks_find(ks, h, key, len));
    if (e) {
        account(ks, ds_ks_charge(len, v), ds_ks_charge(len, e->val));
        ds_value_ref(v);
        ds_value_unref(e->val);
        e->val = v;
        e->expire_us = v->expire_us;
        ds_ks_touch(ks, e, rq);
        if (out) *out = e;
        return DS_OK;
    }
    size_t meta = ks->ev.ops->entry_bytes;
    e = ds_slab_alloc(&ks->slab, entry_bytes(ks, len));
    if (!e) return DS_ERR_NOMEM;
    unsigned char *kp = (unsigned char *)(e + 1) + meta;
    if (len == 8) /* numeric ids: no libc call for the common key */
        memcpy(kp, key, 8);
    else
        memcpy(kp, key, len);
    if (meta == 8)
        memset(e + 1, 0, 8);
    else
        memset(e + 1, 0, meta);
    e->node.hash = h;
    e->node.key = kp;
    e->node.keylen = len;
    e->io = NULL;
    if (ds_table_insert(&ks->tab, &e->node) != DS_OK) {
        ds_slab_free(&ks->slab, e, entry_bytes(ks, len));
        return DS_ERR_NOMEM;
    }
    e->val = ds_value_ref_inline(v);
    e->expire_us = v->expire_us;
    account(ks, ds_ks_charge(len, v), 0);
    ds_evict_req tmp;
    ks->ev.ops->on_insert(&ks->ev, e, req_or_key(rq, &tmp, e));
    if (out) *out = e;
    return DS_OK;
}

/* The entry leaves memory. Inline in both callers: the eviction's is the hot one (a victim a
 * miss at a full cache). */
static inline __attribute__((always_inline)) void drop(ds_keyspace *ks, ds_entry *e,
                                                       ds_evict_why why) {
    if (e->io) e->io->ent = NULL; /* the key's IO lives on without an entry */
    if (ks->ev.ops->on_remove) ks->ev.ops->on_remove(&ks->ev, e, why);
    ds_table_remove(&ks->tab, &e->node);
    ds_value *v = e->val;
    uint32_t len = e->node.keylen;
    uint64_t charge = ds_ks_charge(len, v);
    assert(ks->used_bytes >= charge);
    ks->used_bytes -= charge; /* a removal never raises the peak */
    ds_value_unref_inline(v);
    ds_slab_free(&ks->slab, e, entry_bytes(ks, len));
}

void ds_ks_remove(ds_keyspace *ks, ds_entry *e) { drop(ks, e, DS_EVICT_WHY_REMOVED); }

size_t ds_ks_evict(ds_keyspace *ks, const ds_evict_req *incoming, size_t n) {
    size_t done = 0;
    for (; done < n && ks->tab.count; done++) {
        ds_entry *e = ks->ev.ops->victim(&ks->ev, incoming);
        if (!e) break;
        if (ds_evict_busy(&ks->ev, e)) {
            /* A policy bug: a busy key may hold the only copy of a write. Refuse; the reclaim
             * loop then reports the limit it cannot meet rather than lose data. (ds_evict_busy
             * honours the experiments evict-busy-keys and unpin-parked-keys.) */
            assert(!"eviction policy chose a busy key");
            break;
        }
        if (ks->on_evict) ks->on_evict(ks->on_evict_ctx, e);
        drop(ks, e, DS_EVICT_WHY_EVICTED);
    }
    return done;
}

bool ds_ks_evict_one(ds_keyspace *ks, const ds_evict_req *incoming) {
    return ds_ks_evict(ks, incoming, 1) == 1;
}
