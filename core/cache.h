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
/* Insert or overwrite, and re-link the key's ioent (looked up) to a new entry. */
ds_entry *ds_c_put(ds_cache *c, uint64_t h, const void *key, uint32_t len, ds_value *v,
                   int64_t next_access);
/* An entry and its key's ioent point at each other (the entry's link makes the key busy;
 * the ioent's spares a keyspace lookup at completion and release). */
static inline void ds_c_link_io(ds_entry *e, ds_ioent *io) {
    assert(!e->io && !io->ent);
    e->io = io;
    io->ent = e;
}
/* The key's negative entry (touched, see ds_neg_find), or NULL; no lookup in an empty cache. */
static inline ds_negent *ds_c_neg_find(ds_cache *c, uint64_t h, const void *key, uint32_t len) {
    if (!c->cfg.negcache || !c->neg.tab.count) return NULL;
    return ds_neg_find(&c->neg, h, key, len);
}
/* ds_c_put for the holder of the key's ioent (a LOAD's completion), inline: io->ent is the
 * lookup's answer and io the ioent to link, so neither is looked up. */
static inline ds_entry *ds_c_put_io(ds_cache *c, ds_ioent *io, ds_value *v) {
    ds_entry *e = NULL;
    ds_evict_req rq = {io->node.hash, io->key, io->node.keylen, io->next_access};
    if (ds_ks_set_at(&c->ks, io->ent, rq.hash, rq.key, rq.len, v, &rq, &e) != DS_OK) return NULL;
    if (!e->io) ds_c_link_io(e, io); /* a new entry */
    assert(e->io == io);
    ds_negent *n = ds_c_neg_find(c, rq.hash, rq.key, rq.len);
    if (n) ds_neg_del(&c->neg, n);
    return e;
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
/* Free the ioent once it holds nothing, unlinking it from its keyspace entry. Inline: the
 * caller often finds it busy (a LOAD's completion, before its waiters resume). */
void ds_c_io_free(ds_cache *c, ds_ioent *io); /* an idle ioent */
static inline void ds_c_io_release(ds_cache *c, ds_ioent *io) {
    if (ds_sched_idle(io)) ds_c_io_free(c, io);
}
void ds_c_pump_queued(ds_cache *c, bool asap);
/* Push queued ops as jobs (ds_sched_pump). Inline for the common case: nothing is queued. */
static inline void ds_c_pump(ds_cache *c, bool asap) {
    if (c->bug.on) { /* BUGGIFY may skip it */
        ds_c_pump_queued(c, asap);
        return;
    }
    if (!c->sched.q.head && !c->sched.held.head) return;
    ds_sched_pump(&c->sched, asap || c->asap);
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

/* parked.c: the parked commands by client (a list, and an index beyond a few). */
#define DS_PARKED_SCAN_MAX 8u /* parked commands found by a scan; beyond, by the index */
ds_parked *ds_c_parked_find_slow(ds_cache *c, uint64_t client);
/* The client's parked command, or NULL. */
static inline ds_parked *ds_c_parked_find(ds_cache *c, uint64_t client) {
    return c->nparked ? ds_c_parked_find_slow(c, client) : NULL;
}
/* p just joined the list: index it, or build the index once the list outgrows a scan. */
void ds_c_parked_index_add(ds_cache *c, ds_parked *p);
static inline void ds_c_parked_add(ds_cache *c, ds_parked *p) {
    p->prev = NULL;
    p->next = c->parked_list;
    if (p->next) p->next->prev = p;
    c->parked_list = p;
    if (++c->nparked > DS_PARKED_SCAN_MAX || c->parked_indexed) ds_c_parked_index_add(c, p);
}
static inline void ds_c_parked_remove(ds_cache *c, ds_parked *p) {
    assert(c->nparked > 0);
    if (p->prev)
        p->prev->next = p->next;
    else
        c->parked_list = p->next;
    if (p->next) p->next->prev = p->prev;
    c->nparked--;
    if (c->parked_indexed) {
        ds_table_remove(&c->parked, &p->node);
        if (c->nparked == 0) c->parked_indexed = false; /* the next few are scanned again */
    }
}
void ds_c_load_done(ds_cache *c, ds_job *job);
void ds_c_save_done(ds_cache *c, ds_job *job);

#endif
