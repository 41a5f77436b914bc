/*
 * internal.h - the core's private structures, shared by its modules:
 *
 *   cache.c      construction, commands, lookups and writes (cache.h: helpers shared with
 *                cache_io.c and maint.c)
 *   cache_io.c   running resolved commands, parking and resuming clients, job completion
 *   parked.c     the parked commands by client (a list; an index beyond a few)
 *   maint.c      cron, the memory reclaim loop, the point-in-time drain, stats, inspection,
 *                the checked flag API
 *   keyspace.c   cached entries, memory accounting; calls the eviction policy (evict.h)
 *   evict/       one file per eviction policy, registry.c names them, sample.c samples
 *   negcache.c   keys known to be absent (pinned while their disk delete is pending)
 *   sched.c      the IO scheduler's safety rules: flag table, queues, job lists, the pump
 *                (iosched.h; it sees the cache only through ds_sched_env)
 *   iopolicy/    IO-ordering policies, one per file, by name in iopolicy/table.c
 *   table.c      the one hash table (table.h); util.c: values, hashing, rng, status names
 *   config.c     options by their config names
 *
 * One ds_cache owns everything; there is no global state.
 */
#ifndef DS_INTERNAL_H
#define DS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "dslab.h"
#include "evict.h"
#include "iosched.h"
#include "slab.h"
#include "table.h"

/* ---- keyspace ---- */

/* ds_entry and the eviction policy interface: evict.h. */
typedef struct ds_keyspace {
    ds_table tab;
    uint64_t used_bytes, peak_bytes;
    ds_evict ev;  /* the eviction policy; its metadata follows each entry */
    ds_slab slab; /* the entries */
    /* Called with each victim before it goes (the negcache-on-evict experiment), or NULL. */
    void (*on_evict)(void *ctx, const ds_entry *e);
    void *on_evict_ctx;
} ds_keyspace;

/* ---- negative cache ---- */

typedef struct ds_negent {
    ds_tnode node;
    uint64_t lru;
    bool pinned;
    unsigned char key[];
} ds_negent;

typedef struct ds_negcache {
    ds_table tab;
    uint64_t clock;
    uint64_t pinned;
    ds_slab slab; /* the entries */
} ds_negcache;

/* ---- parked commands ---- */

typedef struct ds_parked {
    ds_tnode node; /* in the client index (ds_cache.parked) while it is on: by client_key */
    struct ds_parked *prev, *next; /* every parked command (ds_cache.parked_list) */
    uint64_t client, tag;
    uint64_t client_key; /* the client id's bytes, the index's key */
    ds_cmd cmd;          /* deep copy, but a missed GET's (park_missed_get): its one key and
                            its hash are borrowed from the key's ioent, which the wait slot
                            keeps alive until unpark; no subs */
    ds_cmd *subs;
    ds_key *keys;     /* all keys of cmd and subs */
    uint64_t *hashes; /* their hashes (computed once, at park; a missed GET's: the ioent's) */
    unsigned char *keybuf;
    uint32_t nslots, pending;
    uint32_t alloc_bytes; /* of this block, for ds_slab_free */
    /* DS_OK, or what the command answers instead of running: DS_ERR_IO (a LOAD failed) or
     * DS_ERR_NOMEM (a loaded value could not be cached) */
    ds_status fail_status;
    bool ready;
    uint64_t ready_seq;           /* position in the ready list (FIFO: taken in this order) */
    struct ds_parked *next_ready; /* ready list, oldest first */
    ds_wslot slots[];
} ds_parked;

/* ---- the cache ---- */

/*
 * Reply storage. Ownership: vals[0 .. nheld) each hold a value REFERENCE owned by the buffer
 * (or NULL), taken when the reply is built and dropped when the buffer is reused for the next
 * reply (ds_c_reply_release) or freed. A reply never borrows an entry's value: a later
 * sub-command of the same EXEC (its SET) may replace and free that value before the host
 * reads the reply. The exception is the single-key GET, answered at once (fast_get, the hot
 * path) or resumed (resume_get): no later sub-command exists, and nothing can free the entry's
 * value before the reply ends (the host's next call into the cache, or host.reply's return,
 * with no call into the cache allowed from inside it); so it borrows (nheld = 0). Taking the
 * reference touched the value's cache line on every hit, a DRAM miss per request at 1M keys.
 */
typedef struct ds_replybuf {
    ds_reply reply;
    ds_value **vals;
    uint32_t vals_cap;
    uint32_t nheld; /* vals[0 .. nheld) are owned references or NULL */
    ds_reply *subs;
    uint32_t subs_cap;
} ds_replybuf;

struct ds_cache {
    ds_config cfg;
    ds_host host;
    ds_rng rng;
    ds_slab slab; /* parked commands */
    ds_keyspace ks;
    ds_negcache neg;
    ds_sched sched;
    /* Every parked command (one per client at most), and an index by client id that is built
     * only once more than DS_PARKED_SCAN_MAX are parked and dropped when none is: a closed loop
     * of a few clients finds a client's command by a short scan instead of hashing, inserting
     * and removing a table node per miss. */
    ds_parked *parked_list;
    uint64_t nparked;
    bool parked_indexed;
    ds_table parked; /* client id -> ds_parked, while parked_indexed */
    /* parked commands whose keys are all resolved, oldest first; seq_in numbers them as they
     * join, seq_out is the last one answered (the list is FIFO: asserted) */
    ds_parked *ready_head, *ready_tail;
    uint64_t ready_seq_in, ready_seq_out;
    ds_stats st;
    int in_callback;               /* > 0 while a host callback runs */
    int in_wait;                   /* > 0 while host.wait_io runs */
    int in_done;                   /* > 0 while ds_cache_job_done runs */
    bool asap;                     /* draining: push SAVEs regardless of age */
    uint32_t drain_epoch;          /* ds_cache_drain calls so far: scopes ioent.drain_fails */
    char save_err[sizeof(ds_err)]; /* the last failed SAVE's message (for the drain's error) */
    uint64_t drain_seq0;           /* drain-snapshot: ops scheduled from this seq on wait */
    ds_buggify bug;                /* BUGGIFY sites (config buggify) */
    bool reclaiming;
    int64_t next_access; /* the current command's hint (ds_cmd.next_access) */
    /* reply storage, reused: one set for immediate answers, one for resumed commands, so a
     * command resumed at the end of an exec cannot overwrite that exec's reply */
    ds_replybuf imm, res;
    ds_err err; /* ds_cache_last_error; the scheduler writes here too */
};

/* keyspace.c */
ds_status ds_ks_init(ds_keyspace *ks, const ds_config *cfg, ds_rng *rng, uint64_t seed,
                     ds_err *err);
void ds_ks_free(ds_keyspace *ks);
static inline ds_entry *ds_ks_find(ds_keyspace *ks, uint64_t h, const void *key, uint32_t len) {
    return (ds_entry *)ds_table_find(&ks->tab, h, key, len);
}
/* The fixed bytes charged per entry besides key and value: the entry struct with the default
 * policy's 8 bytes of metadata, the value header and its share of hash-table slots. */
#define DS_KS_ENTRY_OVERHEAD (sizeof(ds_entry) + 8u + sizeof(ds_value) + 2 * sizeof(ds_tslot))
static inline uint64_t ds_ks_charge(uint32_t keylen, const ds_value *v) {
    return (uint64_t)keylen + (v ? v->size_bytes : 0) + DS_KS_ENTRY_OVERHEAD;
}
/* Insert or overwrite; takes a reference to v. rq: the request (hint), may be NULL. */
ds_status ds_ks_set(ds_keyspace *ks, uint64_t h, const void *key, uint32_t len, ds_value *v,
                    const ds_evict_req *rq, ds_entry **out);
/* The same for a caller that just looked the key up: e is ds_ks_find's answer (NULL: absent). */
ds_status ds_ks_set_at(ds_keyspace *ks, ds_entry *e, uint64_t h, const void *key, uint32_t len,
                       ds_value *v, const ds_evict_req *rq, ds_entry **out);
void ds_ks_remove(ds_keyspace *ks, ds_entry *e); /* DEL, expiry: not an eviction */
/* A hit (or an overwrite) for the policy; rq: the request, or NULL (the entry's own key). */
static inline void ds_ks_touch(ds_keyspace *ks, ds_entry *e, const ds_evict_req *rq) {
    ds_evict_req tmp;
    if (!rq) {
        tmp = (ds_evict_req){e->node.hash, e->node.key, e->node.keylen, DS_NEXT_ACCESS_UNKNOWN};
        rq = &tmp;
    }
    ks->ev.ops->on_access(&ks->ev, e, rq);
}
static inline void ds_ks_miss(ds_keyspace *ks, const ds_evict_req *rq) {
    if (ks->ev.ops->on_miss) ks->ev.ops->on_miss(&ks->ev, rq);
}
/* Evict the policy's victim; false when nothing can be evicted now. */
bool ds_ks_evict_one(ds_keyspace *ks, const ds_evict_req *incoming);
/* Evict up to n victims, one after another as ds_ks_evict_one would; returns how many went (< n:
 * nothing more can go now). */
size_t ds_ks_evict(ds_keyspace *ks, const ds_evict_req *incoming, size_t n);

/* negcache.c */
ds_status ds_neg_init(ds_negcache *n, uint64_t seed);
void ds_neg_free(ds_negcache *n);
ds_negent *ds_neg_find(ds_negcache *n, uint64_t h, const void *key, uint32_t len);
ds_status ds_neg_set(ds_negcache *n, uint64_t h, const void *key, uint32_t len, bool pinned);
void ds_neg_del(ds_negcache *n, ds_negent *e);
void ds_neg_unpin(ds_negcache *n, ds_negent *e);
bool ds_neg_evict_one(ds_negcache *n, ds_rng *r, uint32_t samples);

/* BUGGIFY sites of the core (ds_cache.bug); each only perturbs timing or a free choice. */
enum {
    DS_BUG_PUMP_SKIP = 0, /* a pump outside a drain does nothing (the next event pumps) */
    DS_BUG_CRON_FLUSH,    /* cron pushes SAVEs before their flush delay (as ASAP would) */
    DS_BUG_CRON_EVICT,    /* cron evicts one idle key although memory is not over */
    DS_BUG_RETRY_FAST,    /* a failed SAVE retries after 1 ms instead of its backoff */
};

/* cache.c helpers used by other modules */
int64_t ds_now(ds_cache *c);
/* Draining, this key's SAVE failed DS_DRAIN_SAVE_ATTEMPTS times: the pump leaves it queued. */
static inline bool ds_c_drain_gave_up(const ds_cache *c, const ds_ioent *io) {
    return c->asap && io->drain_epoch == c->drain_epoch &&
           io->drain_fails >= DS_DRAIN_SAVE_ATTEMPTS;
}
ds_status ds_fail(ds_cache *c, ds_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
