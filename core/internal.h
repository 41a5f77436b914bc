/*
 * internal.h - the core's private structures, shared by its modules:
 *
 *   keyspace.c  cached entries, memory accounting; calls the eviction policy (evict.h)
 *   evict/      one file per eviction policy, registry.c names them, sample.c samples
 *   negcache.c  keys known to be absent (pinned while their disk delete is pending)
 *   sched.c     the per-key flag table, the op queue, the job lists, the pump
 *   cache.c     commands, parked clients, job completion, cron, drain
 *   config.c    options
 *
 * One ds_cache owns everything; there is no global state.
 */
#ifndef DS_INTERNAL_H
#define DS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "dslab.h"
#include "evict.h"
#include "table.h"

/* ---- keyspace ---- */

/* ds_entry and the eviction policy interface: evict.h. */
typedef struct ds_keyspace {
    ds_table tab;
    uint64_t used_bytes, peak_bytes;
    ds_evict ev; /* the eviction policy; its metadata follows each entry */
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
} ds_negcache;

/* ---- scheduler ---- */

enum { OPQ_NONE = 0, OPQ_LOAD, OPQ_SAVE };

/* A scheduled op, embedded in its key's ioent: at most one LOAD and one SAVE per key. */
typedef struct ds_qop {
    struct ds_qop *prev, *next;
    ds_ioent *io;
    uint8_t type;
    bool queued;
    int64_t due_us; /* SAVE: not pushed before this unless ASAP */
} ds_qop;

/* A parked command's hold on one key: resolved when the key's LOAD completes. */
typedef struct ds_wslot {
    struct ds_wslot *prev, *next; /* in the ioent's waiter list */
    ds_ioent *io;
    struct ds_parked *owner;
    bool resolved;
} ds_wslot;

struct ds_ioent {
    ds_tnode node;
    uint8_t flags;
    uint16_t saves_inflight; /* > 1 only with concurrent-saves=on */
    uint32_t retries;        /* consecutive failed SAVEs, for backoff */
    uint32_t drain_epoch;    /* the drain drain_fails counts in (ds_cache.drain_epoch) */
    uint32_t drain_fails;    /* failed SAVEs within that drain; given up at the bound */
    uint32_t nwaiters;
    bool written_in_load; /* a SET/DEL arrived while LOADINPROG */
    ds_wslot *waiters;
    ds_qop load, save;
    struct ds_parked *mark; /* dedup while parking one command */
    int64_t next_access;    /* hint of the request waiting for this key's LOAD */
    uint64_t size_hint;     /* of the command that scheduled the LOAD (ds_job.size_hint) */
    unsigned char key[];
};

typedef struct ds_joblist {
    ds_job *head, *tail;
    uint64_t count;
} ds_joblist;

enum { JOB_NEW = 1, JOB_PROCESSING, JOB_DONE };

typedef struct ds_sched {
    ds_table tab;          /* key -> ds_ioent */
    ds_qop *qhead, *qtail; /* the op queue */
    uint64_t queued;
    ds_joblist jnew, jproc;
    uint64_t next_job_id;
} ds_sched;

/* ---- parked commands ---- */

typedef struct ds_parked {
    ds_tnode node; /* keyed by the 8-byte client id */
    uint64_t client, tag;
    uint64_t client_key;
    ds_cmd cmd; /* deep copy */
    ds_cmd *subs;
    ds_key *keys; /* all keys of cmd and subs */
    unsigned char *keybuf;
    uint32_t nslots, pending;
    bool failed, ready;
    struct ds_parked *next_ready;
    ds_wslot slots[];
} ds_parked;

/* ---- the cache ---- */

/*
 * Reply storage. Ownership: vals[0 .. nheld) each hold a value REFERENCE owned by the buffer
 * (or NULL), taken when the reply is built and dropped when the buffer is reused for the next
 * reply (ds_c_reply_release) or freed. A reply never borrows an entry's value: a later
 * sub-command of the same EXEC (its SET) may replace and free that value before the host
 * reads the reply.
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
    ds_keyspace ks;
    ds_negcache neg;
    ds_sched sched;
    ds_table parked;       /* client id -> ds_parked */
    ds_parked *ready_head; /* parked commands whose keys are all resolved */
    ds_stats st;
    int in_callback;               /* > 0 while a host callback runs */
    int in_wait;                   /* > 0 while host.wait_io runs */
    int in_done;                   /* > 0 while ds_cache_job_done runs */
    bool asap;                     /* draining: push SAVEs regardless of age */
    uint32_t drain_epoch;          /* ds_cache_drain calls so far: scopes ioent.drain_fails */
    char save_err[sizeof(ds_err)]; /* the last failed SAVE's message (for the drain's error) */
    bool reclaiming;
    int64_t next_access; /* the current command's hint (ds_cmd.next_access) */
    /* reply storage, reused: one set for immediate answers, one for resumed commands, so a
     * command resumed at the end of an exec cannot overwrite that exec's reply */
    ds_replybuf imm, res;
    char errbuf[256];
};

/* keyspace.c */
ds_status ds_ks_init(ds_keyspace *ks, const ds_config *cfg, ds_rng *rng, uint64_t seed,
                     ds_err *err);
void ds_ks_free(ds_keyspace *ks);
ds_entry *ds_ks_find(ds_keyspace *ks, uint64_t h, const void *key, uint32_t len);
uint64_t ds_ks_charge(uint32_t keylen, const ds_value *v);
/* Insert or overwrite; takes a reference to v. rq: the request (hint), may be NULL. */
ds_status ds_ks_set(ds_keyspace *ks, uint64_t h, const void *key, uint32_t len, ds_value *v,
                    const ds_evict_req *rq, ds_entry **out);
void ds_ks_remove(ds_keyspace *ks, ds_entry *e); /* DEL, expiry: not an eviction */
void ds_ks_touch(ds_keyspace *ks, ds_entry *e, const ds_evict_req *rq);
void ds_ks_miss(ds_keyspace *ks, const ds_evict_req *rq);
/* Evict the policy's victim; false when nothing can be evicted now. */
bool ds_ks_evict_one(ds_keyspace *ks, const ds_evict_req *incoming);

/* negcache.c */
ds_status ds_neg_init(ds_negcache *n, uint64_t seed);
void ds_neg_free(ds_negcache *n);
ds_negent *ds_neg_find(ds_negcache *n, uint64_t h, const void *key, uint32_t len);
ds_status ds_neg_set(ds_negcache *n, uint64_t h, const void *key, uint32_t len, bool pinned);
void ds_neg_del(ds_negcache *n, ds_negent *e);
void ds_neg_unpin(ds_negcache *n, ds_negent *e);
bool ds_neg_evict_one(ds_negcache *n, ds_rng *r, uint32_t samples);

/* sched.c */
ds_status ds_sched_init(ds_sched *s, uint64_t seed);
void ds_sched_free(ds_sched *s);
ds_ioent *ds_sched_find(ds_sched *s, uint64_t h, const void *key, uint32_t len);
ds_ioent *ds_sched_get(ds_cache *c, uint64_t h, const void *key, uint32_t len);
void ds_sched_maybe_free(ds_cache *c, ds_ioent *io);
ds_status ds_sched_flag_set(ds_cache *c, ds_ioent *io, unsigned flag);
ds_status ds_sched_flag_clear(ds_cache *c, ds_ioent *io, unsigned flag);
void ds_sched_schedule_load(ds_cache *c, ds_ioent *io);
void ds_sched_schedule_save(ds_cache *c, ds_ioent *io, int64_t due_us);
void ds_sched_load_to_head(ds_cache *c, ds_ioent *io);
void ds_sched_unqueue_load(ds_cache *c, ds_ioent *io);
void ds_sched_pump(ds_cache *c, bool asap);
ds_job *ds_sched_take(ds_cache *c);
ds_status ds_sched_finish(ds_cache *c, ds_job *job); /* processing -> done; unlinks */
void ds_sched_drop_all(ds_cache *c);

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
