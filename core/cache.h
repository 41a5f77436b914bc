/*
 * cache.h - helpers shared by cache.c (construction, commands, lookups, writes, the
 * scheduler's environment), cache_io.c (running resolved commands, parking, resuming, job
 * completion) and maint.c (cron, reclaim, drain, stats, the checked flag API). Private to core/.
 */
#ifndef DS_CACHE_H
#define DS_CACHE_H

#include "internal.h"

#define US_PER_MS        1000
#define DS_ERR_KEY_BYTES 64 /* key bytes quoted in an error message */

/* How a key looks to a reader right now. */
typedef enum { LK_HIT, LK_ABSENT, LK_MISS } ds_lookup;

ds_lookup ds_c_lookup(ds_cache *c, uint64_t h, const void *key, uint32_t len, ds_entry **out,
                      bool count);
/* The same for a caller that holds the lookup's answer e (an ioent's entry link). */
ds_lookup ds_c_lookup_at(ds_cache *c, ds_entry *e, uint64_t h, const void *key, uint32_t len,
                         ds_entry **out, bool count);
/* Insert or overwrite; io: the key's ioent when the caller holds it (else it is looked up). */
ds_entry *ds_c_put(ds_cache *c, uint64_t h, const void *key, uint32_t len, ds_value *v,
                   int64_t next_access, ds_ioent *io);
/* The key's negative entry (touched, see ds_neg_find), or NULL; no lookup in an empty cache. */
static inline ds_negent *ds_c_neg_find(ds_cache *c, uint64_t h, const void *key, uint32_t len) {
    if (!c->cfg.negcache || !c->neg.tab.count) return NULL;
    return ds_neg_find(&c->neg, h, key, len);
}
void ds_c_neg_set(ds_cache *c, uint64_t h, const void *key, uint32_t len, bool pinned);
ds_status ds_c_write(ds_cache *c, uint64_t h, const void *key, uint32_t len, ds_value *v,
                     bool *was_present);
/* Evict until extra_bytes and extra_keys fit; incoming is the key about to be inserted (for
 * policies whose choice depends on it), or NULL. */
ds_status ds_c_reclaim(ds_cache *c, uint64_t extra_bytes, uint64_t extra_keys,
                       const ds_evict_req *incoming, bool can_wait);
bool ds_c_can_wait(const ds_cache *c);
bool ds_c_evict_one(ds_cache *c);

/* The scheduler, as the cache uses it: ioents linked from their keyspace entry, and a pump
 * that is ASAP while a drain runs. */
ds_ioent *ds_c_io_get(ds_cache *c, uint64_t h, const void *key, uint32_t len);
ds_ioent *ds_c_io_get_for(ds_cache *c, uint64_t h, const void *key, uint32_t len, ds_entry *e);
void ds_c_io_release(ds_cache *c, ds_ioent *io);
void ds_c_pump_queued(ds_cache *c, bool asap);
/* Push queued ops as jobs (ds_sched_pump). Inline for the common case: nothing is queued. */
static inline void ds_c_pump(ds_cache *c, bool asap) {
    if (!asap && !c->asap && !c->bug.on && !c->sched.q.head && !c->sched.held.head) return;
    ds_c_pump_queued(c, asap);
}

/* Run a command whose keys are all resolved into b (grown as needed). Never parks and
 * counts no hits or misses: those were counted when the command first looked. hs: the hashes
 * of its keys in the parked layout (cmd's keys, then each sub-command's), or NULL. io0: the
 * ioent of a single-key command's key (a parked one holds it), whose entry link spares the
 * lookup; or NULL. */
ds_status ds_c_run(ds_cache *c, const ds_cmd *cmd, ds_replybuf *b, const uint64_t *hs,
                   const ds_ioent *io0);
/* Drop the value references a reply buffer holds (before reuse, and when the cache is freed). */
void ds_c_reply_release(ds_replybuf *b);
void ds_c_cancel_queued_load(ds_cache *c, ds_ioent *io);

/* h0: the hash of a single-key GET's key that the caller just found neither cached nor known
 * absent (fast_get's miss: it is not looked up again), else 0. */
ds_status ds_c_park(ds_cache *c, uint64_t client, uint64_t tag, const ds_cmd *cmd, uint64_t h0);
void ds_c_resume_ready(ds_cache *c);
/* The client's parked command, or NULL. */
#define DS_PARKED_SCAN_MAX 8u /* parked commands found by a scan; beyond, by the index */
ds_parked *ds_c_parked_find_slow(ds_cache *c, uint64_t client);
static inline ds_parked *ds_c_parked_find(ds_cache *c, uint64_t client) {
    return c->nparked ? ds_c_parked_find_slow(c, client) : NULL;
}
void ds_c_load_done(ds_cache *c, ds_job *job);
void ds_c_save_done(ds_cache *c, ds_job *job);

#endif
