/*
 * maint.c - cron, the memory reclaim loop (rule 8), the point-in-time drain (rule 10), stats,
 * inspection and the checked flag API.
 *
 * Reclaim: evict idle keys (the policy's victims, evict.h) until the limit holds. Keys with IO
 * flags or parked waiters are never evicted (a dirty key's only copy is in memory; a key being
 * loaded for a waiting client must still be there when it runs). When nothing idle is left but
 * SAVEs are queued, push them ASAP and block in host.wait_io for completions: a completed SAVE
 * turns a dirty key into an evictable one. The loop is bounded; when it still cannot meet the limit
 * it says so (DS_ERR_MEMORY, memory_limit_misses) rather than pretend.
 */
#include <stdio.h>
#include <string.h>

#include "cache.h"

#define RECLAIM_MAX_WAITS 1000000u
#define EXPIRE_SAMPLES    20u

static bool over(const ds_cache *c, uint64_t extra_bytes, uint64_t extra_keys) {
    if (c->cfg.max_memory_bytes && c->ks.used_bytes + extra_bytes > c->cfg.max_memory_bytes)
        return true;
    return c->cfg.max_keys && c->ks.tab.count + extra_keys > c->cfg.max_keys;
}

static uint64_t in_flight(const ds_cache *c) { return ds_sched_in_flight(&c->sched); }

/* Evict one key outside the reclaim loop (BUGGIFY: cron drops an idle key, which is always
 * allowed: a clean key is on disk). False when nothing may go. */
bool ds_c_evict_one(ds_cache *c) {
    if (!ds_ks_evict_one(&c->ks, NULL)) return false;
    c->st.evictions++;
    return true;
}

ds_status ds_c_reclaim(ds_cache *c, uint64_t extra_bytes, uint64_t extra_keys,
                       const ds_evict_req *incoming, bool can_wait) {
    if (c->reclaiming) can_wait = false;
    bool was = c->reclaiming;
    c->reclaiming = true;
    uint32_t waits = 0;
    while (over(c, extra_bytes, extra_keys)) {
        /* Under a key limit alone each victim takes one key, so the whole excess goes in one
         * call (at cron about a thousand); a memory limit asks again after each. */
        uint64_t want =
            c->cfg.max_memory_bytes ? 1 : c->ks.tab.count + extra_keys - c->cfg.max_keys;
        uint64_t got = ds_ks_evict(&c->ks, incoming, want);
        c->st.evictions += got;
        if (got == want) continue; /* else the last call found nothing: wait as below */
        if (!can_wait || !c->host.wait_io || waits >= RECLAIM_MAX_WAITS) break;
        ds_c_pump(c, true);
        if (in_flight(c) == 0) break;
        waits++;
        c->st.reclaim_waits++;
        c->in_wait++;
        bool ok = c->host.wait_io(c->host.ctx);
        c->in_wait--;
        if (!ok) break;
    }
    c->reclaiming = was;
    if (!over(c, extra_bytes, extra_keys)) return DS_OK;
    c->st.memory_limit_misses++;
    return ds_fail(c, DS_ERR_MEMORY,
                   "memory limit cannot be met: %llu bytes and %llu keys in use, nothing "
                   "evictable",
                   (unsigned long long)c->ks.used_bytes, (unsigned long long)c->ks.tab.count);
}

static void expire_sample(ds_cache *c) {
    int64_t now = ds_now(c);
    for (uint32_t i = 0; i < EXPIRE_SAMPLES && c->ks.tab.count; i++) {
        ds_entry *e = (ds_entry *)ds_table_sample(&c->ks.tab, &c->rng);
        if (e->expire_us && e->expire_us <= now) {
            ds_entry *out;
            (void)ds_c_lookup(c, e->node.hash, e->node.key, e->node.keylen, &out, false);
        }
    }
}

ds_status ds_cache_cron(ds_cache *c) {
    if (!c) return DS_ERR_ARG;
    if (c->in_callback) return ds_fail(c, DS_ERR_REENTRANT, "ds_cache_cron from a callback");
    if (c->ready_head) ds_c_resume_ready(c);
    expire_sample(c);
    /* Pinned entries may have pushed the negative cache past its bound; once their deletes
     * land they are evictable again. */
    while (c->neg.tab.count > c->cfg.negcache_max &&
           ds_neg_evict_one(&c->neg, &c->rng, c->cfg.evict_samples))
        c->st.neg_evictions++;
    ds_status st = DS_OK;
    if (c->cfg.evict_at == DS_EVICT_AT_CRON) st = ds_c_reclaim(c, 0, 0, NULL, ds_c_can_wait(c));
    if (ds_buggify_fire(&c->bug, DS_BUG_CRON_EVICT)) (void)ds_c_evict_one(c); /* may find none */
    ds_c_pump(c, ds_buggify_fire(&c->bug, DS_BUG_CRON_FLUSH));
    return st;
}

ds_status ds_cache_drain(ds_cache *c) {
    if (!c) return DS_ERR_ARG;
    if (c->in_callback) return ds_fail(c, DS_ERR_REENTRANT, "ds_cache_drain from a callback");
    if (c->ready_head) ds_c_resume_ready(c);
    ds_status st = DS_OK;
    c->asap = true;
    c->drain_epoch++; /* a new drain tries every key DS_DRAIN_SAVE_ATTEMPTS times again */
    c->st.drain_unsaved = 0;
    /* drain-snapshot (an experiment that breaks rule 10): SAVEs scheduled from now on are held
     * (env_save_held) and the drain ends when nothing is in flight, so the writes of clients
     * that its own LOADs resume stay queued past the point in time. */
    c->drain_seq0 = c->sched.next_seq;
    for (;;) {
        ds_c_pump(c, true);
        if (in_flight(c) == 0 && (c->sched.queued == 0 || c->cfg.drain_snapshot)) break;
        if (in_flight(c) == 0 && c->st.drain_unsaved) {
            st = ds_fail(c, DS_ERR_IO, "%llu keys not saved (each SAVE failed %u times): %s",
                         (unsigned long long)c->st.drain_unsaved, DS_DRAIN_SAVE_ATTEMPTS,
                         c->save_err);
            break;
        }
        if (in_flight(c) == 0) {
            st = ds_fail(c, DS_ERR_STATE, "drain: %llu ops queued but none can run",
                         (unsigned long long)c->sched.queued);
            break;
        }
        if (!c->host.wait_io) {
            st = ds_fail(c, DS_ERR_STATE, "drain: the host has no wait_io");
            break;
        }
        c->in_wait++;
        bool ok = c->host.wait_io(c->host.ctx);
        c->in_wait--;
        if (!ok) {
            st = ds_fail(c, DS_ERR_STATE,
                         "drain: host.wait_io could not complete a job "
                         "(%llu in flight)",
                         (unsigned long long)in_flight(c));
            break;
        }
    }
    c->asap = false;
    return st;
}

void ds_cache_stats(const ds_cache *c, ds_stats *out) {
    *out = c->st;
    out->used_memory_bytes = c->ks.used_bytes;
    out->peak_memory_bytes = c->ks.peak_bytes;
    out->keys = c->ks.tab.count;
    out->neg_entries = c->neg.tab.count;
    out->queued_ops = c->sched.queued;
    out->jobs_new = c->sched.jnew.count;
    out->jobs_processing = c->sched.jproc.count;
    out->blocked_clients = c->nparked;
}

const ds_value *ds_cache_peek(const ds_cache *c, const void *key, uint32_t keylen) {
    if (!c || !key || !keylen) return NULL;
    uint64_t h = ds_table_hash(&c->ks.tab, key, keylen);
    const ds_entry *e = (const ds_entry *)ds_table_find(&c->ks.tab, h, key, keylen);
    return e ? e->val : NULL;
}

bool ds_cache_neg_peek(const ds_cache *c, const void *key, uint32_t keylen, bool *pinned) {
    if (!c || !key || !keylen) return false;
    uint64_t h = ds_table_hash(&c->neg.tab, key, keylen);
    const ds_negent *n = (const ds_negent *)ds_table_find(&c->neg.tab, h, key, keylen);
    if (pinned) *pinned = n && n->pinned;
    return n != NULL;
}

unsigned ds_cache_key_flags(const ds_cache *c, const void *key, uint32_t keylen) {
    if (!c || !key || !keylen) return 0;
    uint64_t h = ds_table_hash(&c->sched.tab, key, keylen);
    const ds_ioent *io = ds_sched_find(&c->sched, h, key, keylen);
    return io ? io->flags : 0;
}

static ds_status flag_api(ds_cache *c, const void *key, uint32_t keylen, unsigned flag, bool set) {
    if (!c) return DS_ERR_ARG;
    if (!key || !keylen || keylen > DS_KEY_MAX_BYTES) return ds_fail(c, DS_ERR_ARG, "bad key");
    if (flag != DS_FLAG_LOAD && flag != DS_FLAG_SAVE && flag != DS_FLAG_LOADINPROG &&
        flag != DS_FLAG_SAVEINPROG)
        return ds_fail(c, DS_ERR_ARG, "unknown flag %u", flag);
    uint64_t h = ds_table_hash(&c->sched.tab, key, keylen);
    ds_ioent *io = ds_c_io_get(c, h, key, keylen);
    if (!io) return ds_fail(c, DS_ERR_NOMEM, "out of memory");
    ds_status st =
        set ? ds_sched_flag_set(&c->sched, io, flag) : ds_sched_flag_clear(&c->sched, io, flag);
    ds_c_io_release(c, io);
    return st;
}

ds_status ds_cache_flag_set(ds_cache *c, const void *key, uint32_t keylen, unsigned flag) {
    return flag_api(c, key, keylen, flag, true);
}

ds_status ds_cache_flag_clear(ds_cache *c, const void *key, uint32_t keylen, unsigned flag) {
    return flag_api(c, key, keylen, flag, false);
}
