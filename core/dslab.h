/*
 * dslab.h - the one public header of libdslab.
 *
 * libdslab re-implements the 2011 Redis "diskstore" design: memory is a cache in front of an
 * on-disk key-value store. Writes become delayed, de-duplicated SAVE jobs; misses become LOAD
 * jobs while the client is blocked; a per-key flag table orders the two; a negative cache
 * remembers keys known to be absent; eviction is sampled approximate LRU that never drops a key
 * with IO in flight; a point-in-time drain empties every queue.
 *
 * The core (ds_cache) is single-threaded and owns no clock and no thread. The host injects both:
 * it passes a now_us() function, it takes jobs the core produces (ds_cache_job_take), runs them
 * on a backend (ds_job_run) in whatever way it likes (simulated service time, worker threads),
 * and hands each finished job back on the core's thread (ds_cache_job_done).
 *
 * Nothing in this library has global mutable state: every object hangs off a context, so two
 * caches in one process do not interfere.
 *
 * Units go last in names: _us is microseconds, _ms milliseconds, _bytes bytes.
 */
#ifndef DSLAB_H
#define DSLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------ */
/* Status codes and errors                                                                     */
/* ------------------------------------------------------------------------------------------ */

typedef enum ds_status {
    DS_OK = 0,
    DS_NOT_FOUND,     /* backend: key absent */
    DS_BLOCKED,       /* ds_cache_exec: the client is parked; the answer comes via host.reply */
    DS_ERR_ARG,       /* bad argument: NULL or empty key, bad command shape */
    DS_ERR_NOMEM,     /* allocation failed */
    DS_ERR_TOOBIG,    /* a value larger than cache-max-memory */
    DS_ERR_CONFIG,    /* bad config name or value */
    DS_ERR_IO,        /* backend IO error (also: a LOAD failed for a blocked client) */
    DS_ERR_FLAGS,     /* key flag misuse: setting a set flag or clearing a clear one */
    DS_ERR_MEMORY,    /* the memory limit cannot be met (nothing evictable, nothing to save) */
    DS_ERR_REENTRANT, /* the host called into the cache from inside a callback */
    DS_ERR_STATE,     /* call not valid now (e.g. job_done on a job not in flight) */
    DS_ERR_CORRUPT,   /* backend: stored data failed its checksum or format check */
} ds_status;

/* A short name for a status ("ok", "io-error", ...). Never NULL. */
const char *ds_status_name(ds_status s);

/* Error text carrier: functions that can fail take an optional ds_err * and write one line. */
typedef struct ds_err {
    char msg[256];
} ds_err;

/* printf-style helper used across the library; tolerates err == NULL. Returns `status`. */
ds_status ds_err_set(ds_err *err, ds_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ------------------------------------------------------------------------------------------ */
/* Deterministic random numbers (xoshiro256**, seeded by splitmix64)                           */
/* ------------------------------------------------------------------------------------------ */

typedef struct ds_rng {
    uint64_t s[4];
} ds_rng;

void ds_rng_seed(ds_rng *r, uint64_t seed);
uint64_t ds_rng_next(ds_rng *r);

/* ds_rng_next's step, inline for the hot loops that draw several numbers per request (the
 * eviction sampler); the same sequence, without a call. */
static inline uint64_t ds_rng_step(ds_rng *r) {
    uint64_t *s = r->s;
    uint64_t x = s[1] * 5;
    uint64_t result = ((x << 7) | (x >> 57)) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return result;
}
double ds_rng_double(ds_rng *r);              /* uniform in [0, 1) */
uint64_t ds_rng_below(ds_rng *r, uint64_t n); /* uniform in [0, n); n > 0 */

/*
 * BUGGIFY (FoundationDB's fault-injection sites): a site is a small integer; at init each site
 * is enabled for the whole run with probability 1/4, and an enabled site fires with
 * probability 1/4 each time it is asked. A disabled ds_buggify (on == false) never fires. Sites
 * only perturb what the code is free to choose (timing, order, retryable faults), never a rule.
 */
#define DS_BUGGIFY_SITES 32
typedef struct ds_buggify {
    bool on;
    uint32_t enabled; /* bit per site */
    ds_rng rng;
} ds_buggify;
void ds_buggify_init(ds_buggify *b, bool on, uint64_t seed);
bool ds_buggify_fire(ds_buggify *b, unsigned site);

/* 64-bit hash of a byte string (deterministic across runs and machines). */
uint64_t ds_hash64(const void *p, size_t len, uint64_t seed);

/* ------------------------------------------------------------------------------------------ */
/* Values: immutable, reference counted blobs                                                  */
/* ------------------------------------------------------------------------------------------ */

/*
 * A value's bytes never change after creation, so a SAVE job can hold a reference to the value
 * that was current at push time while the key moves on. Reference counts are only touched on
 * the core's thread (the host's main thread); worker threads only read data.
 *
 * `size_bytes` is the size charged to memory accounting and reported to backends; it is at
 * least `len`. The simulator stores a small version stamp (len = 16) but charges the trace's
 * object size, so a 4 KiB object costs 4 KiB of modelled memory without 4 KiB of real memory.
 */
typedef struct ds_value {
    uint32_t refcnt; /* references (ds_value_refs); bit 31 marks a pooled value (vpool.h) */
    uint32_t len;
    uint64_t size_bytes;
    int64_t expire_us; /* absolute time in the host clock; 0 = never */
    unsigned char data[];
} ds_value;

/* len bytes copied from data (data may be NULL when len == 0); size_bytes < len means len. */
ds_value *ds_value_new(const void *data, uint32_t len, uint64_t size_bytes, int64_t expire_us);
ds_value *ds_value_ref(ds_value *v); /* returns v; NULL-safe */
void ds_value_unref(ds_value *v);    /* NULL-safe */

#define DS_VALUE_POOLED 0x80000000u /* refcnt bit: the value's memory is a pool slot */
static inline uint32_t ds_value_refs(const ds_value *v) { return v->refcnt & ~DS_VALUE_POOLED; }

/* ------------------------------------------------------------------------------------------ */
/* Configuration                                                                               */
/* ------------------------------------------------------------------------------------------ */

/* Longest eviction spec ("s3fifo:small=0.1,ghost=0.9,threshold=2") a config holds. */
#define DS_EVICT_SPEC_MAX 96u
struct ds_evict_ops; /* the eviction plug-in interface: core/evict.h */
typedef enum ds_evict_at { DS_EVICT_AT_CRON = 0, DS_EVICT_AT_INSERT } ds_evict_at;
typedef enum ds_load_priority { DS_LOAD_SAVE_FIRST = 0, DS_LOAD_ALWAYS_HEAD } ds_load_priority;

/* io-policy: "NAME" or "NAME:key=value,..." (seed, fifo, loads-first, edf; see README). */
#define DS_IO_POLICY_MAX 64u
struct ds_sched_policy; /* core/iosched.h: the IO-ordering seam */
/* The built-in IO policies by index (0 = the default, "seed"); NULL past the end. */
const char *ds_io_policy_name(size_t i);

typedef struct ds_config {
    uint64_t max_memory_bytes;     /* cache-max-memory; 0 = unlimited */
    uint64_t max_keys;             /* cache-max-keys; 0 = unlimited */
    int64_t flush_delay_ms;        /* cache-flush-delay */
    uint32_t max_io_jobs;          /* max-io-jobs: jobs in flight at once (default 10) */
    bool negcache;                 /* negcache on|off (default on) */
    uint64_t negcache_max;         /* negcache-max: entries (default 100000) */
    uint32_t evict_samples;        /* evict-samples (default 5) */
    char evict[DS_EVICT_SPEC_MAX]; /* evict NAME[:k=v,...] (default lru-sampled) */
    /* An embedder's own policy (core/evict.h); when set it is used instead of the name. */
    const struct ds_evict_ops *evict_ops;
    ds_evict_at evict_at;           /* evict-at cron|insert */
    ds_load_priority load_priority; /* load-priority save-first|always-head */
    bool concurrent_saves;          /* concurrent-saves on|off (default off) */
    bool evict_busy_keys;           /* evict-busy-keys on|off (default off) */
    int64_t save_retry_ms;     /* save-retry-backoff: first retry delay, doubles (default 100) */
    int64_t save_retry_max_ms; /* cap of the backoff (default 10000) */
    uint64_t seed;             /* seed of the eviction sampler */
    char io_policy[DS_IO_POLICY_MAX]; /* io-policy: IO ordering (default "seed") */
    /* A policy not in the built-in table (tests, out-of-tree experiments): when set, it is
     * used with io_policy's parameters (the part after ':') instead of a lookup by name. */
    const struct ds_sched_policy *io_policy_ops;
    /* Race-lab toggles (all off by default; each breaks the rule named in config.c's help and
     * has a scenario in workloads/scenarios that shows it). */
    bool negcache_on_evict;      /* eviction negative-caches the key (the 2011 dbDelete bug) */
    bool load_ignores_writes;    /* a found LOAD installs over a write made while in flight */
    bool negcache_on_stale_load; /* a not-found LOAD negative-caches over a newer write */
    bool unpin_parked_keys;      /* resolved keys of a parked command are evictable */
    bool load_drops_ttl;         /* a loaded value loses its expire time */
    bool drop_failed_saves;      /* a failed SAVE is dropped, not retried */
    bool drain_snapshot;         /* the drain flushes only what was queued when it began */
    /* Schedule exploration (dslab explore): never break a rule, only perturb free choices. */
    uint64_t evict_ties; /* sampled candidates whose access clocks differ by <= N are equal */
    bool buggify;        /* BUGGIFY sites in the core (seeded by `seed`) */
} ds_config;

void ds_config_default(ds_config *cfg);

/*
 * Set one option by its config name ("cache-max-memory", "100mb"). Sizes accept b/kb/mb/gb
 * (powers of 1024), booleans on/off/yes/no/true/false/1/0. Returns DS_ERR_CONFIG with a message
 * naming the option for an unknown name or a bad value; cfg is unchanged then.
 */
ds_status ds_config_set(ds_config *cfg, const char *name, const char *value, ds_err *err);

/* Check cross-field consistency. */
ds_status ds_config_validate(const ds_config *cfg, ds_err *err);

/* Iterate the core's option names in a fixed order, for --help and effective-config output.
 * Returns false past the end. value is formatted into buf. */
bool ds_config_describe(const ds_config *cfg, size_t i, const char **name, char *buf, size_t buflen,
                        const char **help);

/* The built-in eviction policies in a fixed order, for --help: false past the end. */
bool ds_evict_policy_describe(size_t i, const char **name, const char **help);
/* Does the policy of this spec ("belady", "s3fifo:small=0.2") need ds_cmd.next_access hints? */
bool ds_evict_needs_next_access(const char *spec);

/* Parse "100mb" style sizes; exposed because the host uses the same syntax. */
ds_status ds_parse_size(const char *s, uint64_t *out);

/*
 * The one set of value parsers of the tree (core config, the CLI, trace readers, model specs).
 * Each reads exactly `len` bytes (so CSV fields need no copy; pass strlen(s) for a C string),
 * accepts nothing else (no spaces, no '+') and returns false without touching *out otherwise.
 *   ds_parse_u64: decimal digits, no overflow.   ds_parse_i64: the same with an optional '-'.
 *   ds_parse_bool: on/off, yes/no, true/false, 1/0, in any case.
 *   ds_parse_f64: a finite strtod number (C string; the whole string).
 */
bool ds_parse_u64(const char *p, size_t len, uint64_t *out);
bool ds_parse_i64(const char *p, size_t len, int64_t *out);
bool ds_parse_bool(const char *p, size_t len, bool *out);
bool ds_parse_f64(const char *s, double *out);

/* ------------------------------------------------------------------------------------------ */
/* Commands and replies                                                                        */
/* ------------------------------------------------------------------------------------------ */

typedef enum ds_op {
    DS_OP_GET = 0,
    DS_OP_SET,
    DS_OP_DEL,
    DS_OP_EXISTS,
    DS_OP_MGET,
    DS_OP_EXEC,
    DS_OP__COUNT
} ds_op;

const char *ds_op_name(ds_op op); /* "GET", ... */

typedef struct ds_key {
    const void *p;
    uint32_t len;
} ds_key;

#define DS_KEY_MAX_BYTES  4096u
#define DS_MULTI_MAX_KEYS 1024u

/*
 * A command. GET/EXISTS/DEL/MGET name keys; SET names one key and a value (the core takes its
 * own reference; the caller keeps its one). EXEC runs `nsub` sub-commands as one: every key of
 * every sub-command is preloaded first (rule 9), then all run back to back with no other
 * command in between. Sub-commands of EXEC may not be EXEC.
 */
typedef struct ds_cmd {
    ds_op op;
    uint32_t nkeys;
    const ds_key *keys;
    ds_value *value;
    uint32_t nsub;
    const struct ds_cmd *sub;
    /* Optional hint for oracle policies (evict=belady): when the key(s) will next be accessed,
     * as a request index of the trace; DS_NEXT_ACCESS_UNKNOWN (0) or DS_NEXT_ACCESS_NEVER. */
    int64_t next_access;
    /* Optional: the object size the host expects its keys to have (an object-id trace's
     * size). A LOAD this command causes carries it to the backend (ds_job.size_hint); the
     * core does nothing else with it. 0 = none. */
    uint64_t size_hint;
    /* Optional: ds_cache_key_hash of keys[0] of a GET, from a host that hashed the key ahead
     * (to prefetch it); the cache then does not hash it again. 0 = the cache hashes it. */
    uint64_t key_hash;
} ds_cmd;

#define DS_NEXT_ACCESS_UNKNOWN 0
#define DS_NEXT_ACCESS_NEVER   INT64_MAX

/*
 * A reply. Everything in it is borrowed: valid until the next call into the cache (immediate
 * replies) or until host.reply returns (resumed clients). Take ds_value_ref to keep a value.
 * Ownership: the core's reply buffer holds its own reference to every value it shows, so a
 * value stays valid for that whole span even when a later sub-command of the same EXEC (a SET
 * of the key its GET read) replaced and released it in memory; the host needs no reference of
 * its own to read a reply.
 *   GET, MGET: values[i] is the value of keys[i] or NULL (absent); n = nkeys.
 *   EXISTS: count = keys present. DEL: count = keys that were in memory (the disk is not read).
 *   SET: count = 1.  EXEC: sub[i] is the reply of sub-command i; n = nsub.
 * status is DS_OK, or DS_ERR_IO when a LOAD this command waited for failed.
 */
typedef struct ds_reply {
    ds_status status;
    ds_op op;
    uint32_t n;
    ds_value *const *values;
    int64_t count;
    const struct ds_reply *sub;
} ds_reply;

/* ------------------------------------------------------------------------------------------ */
/* IO jobs                                                                                     */
/* ------------------------------------------------------------------------------------------ */

typedef enum ds_job_type { DS_JOB_LOAD = 0, DS_JOB_SAVE } ds_job_type;

/*
 * A job the core hands to the host. Lifecycle: new (created by the scheduler, host notified by
 * host.jobs_ready) -> processing (ds_cache_job_take) -> done (ds_cache_job_done, which frees it).
 * SAVE: `value` is the key's value at push time, or NULL to delete it on disk.
 * LOAD: the host stores the result: `result` = DS_OK with `value` (an owned reference, which the
 * core adopts), DS_NOT_FOUND, or DS_ERR_IO.
 * Fields below `host_data` are the core's.
 */
typedef struct ds_job {
    ds_job_type type;
    const void *key;
    uint32_t keylen;
    ds_value *value;
    ds_status result;
    uint64_t id;        /* 1, 2, 3... per cache; deterministic */
    int64_t created_us; /* when the job was pushed */
    void *host_data;    /* free for the host */
    ds_err err;         /* filled by ds_job_run on failure */
    uint64_t size_hint; /* LOAD: ds_cmd.size_hint of the command that caused it */
    /* private to the core */
    struct ds_job *prev, *next;
    void *ioent;
    int state;
} ds_job;

/* ------------------------------------------------------------------------------------------ */
/* The host                                                                                    */
/* ------------------------------------------------------------------------------------------ */

typedef struct ds_host {
    void *ctx;
    /* Current time in microseconds; monotonic. Required. */
    int64_t (*now_us)(void *ctx);
    /* New jobs are waiting in the new list; take them with ds_cache_job_take. Optional. */
    void (*jobs_ready)(void *ctx);
    /* A parked client's answer. Must not call into the cache. Required. */
    void (*reply)(void *ctx, uint64_t client, uint64_t tag, const ds_reply *r);
    /*
     * Block until at least one job in flight has finished and hand it back with
     * ds_cache_job_done (which may be called re-entrantly from here). Used by the memory
     * reclaim loop (rule 8) and ds_cache_drain (rule 10). Returns false when nothing can
     * finish (no job in flight). Optional: without it reclaim never waits and drain fails.
     */
    bool (*wait_io)(void *ctx);
} ds_host;

/* ------------------------------------------------------------------------------------------ */
/* The cache                                                                                   */
/* ------------------------------------------------------------------------------------------ */

typedef struct ds_cache ds_cache;

ds_cache *ds_cache_new(const ds_config *cfg, const ds_host *host, ds_err *err);
void ds_cache_free(ds_cache *c); /* drops jobs in flight without running them */

/*
 * Run a command for `client`; `tag` is returned in host.reply. Returns DS_OK with *reply set
 * (answered now), DS_BLOCKED (the client is parked; host.reply delivers the answer later, exactly
 * once), or an error (DS_ERR_ARG, DS_ERR_TOOBIG, DS_ERR_MEMORY, DS_ERR_REENTRANT) with a message
 * in ds_cache_last_error. A client may have at most one parked command at a time.
 */
ds_status ds_cache_exec(ds_cache *c, uint64_t client, uint64_t tag, const ds_cmd *cmd,
                        const ds_reply **reply);

/* Periodic work (the host calls it every 100 ms of its clock): expire sampling, eviction
 * (evict-at=cron), pushing SAVEs whose flush delay has passed. Returns DS_ERR_MEMORY when the
 * memory limit could not be met this round (counted in stats.memory_limit_misses). */
ds_status ds_cache_cron(ds_cache *c);

/* Take the oldest new job (new -> processing), or NULL. */
ds_job *ds_cache_job_take(ds_cache *c);

/* Hand back a finished job (processing -> done -> handled and freed). */
ds_status ds_cache_job_done(ds_cache *c, ds_job *job);

/* Point in time (rule 10): push everything ASAP and drain through host.wait_io until no op is
 * queued and no job is in flight. Afterwards the backend holds exactly the keyspace.
 * Bounded: within one drain a key's SAVE is tried at most DS_DRAIN_SAVE_ATTEMPTS times in a
 * row (a full disk fails every time); then the drain stops trying it and returns DS_ERR_IO
 * ("N keys not saved ...: <the backend's last error>"), with N in stats.drain_unsaved. Those
 * keys stay in memory, dirty and scheduled: nothing is dropped, and a later drain (or the
 * normal SAVE retry with backoff) tries them again. */
#define DS_DRAIN_SAVE_ATTEMPTS 3u
ds_status ds_cache_drain(ds_cache *c);

const char *ds_cache_last_error(const ds_cache *c);

/* Key flags (rule 5), exposed for tests and for the flags-misuse report. */
enum { DS_FLAG_LOAD = 1, DS_FLAG_SAVE = 2, DS_FLAG_LOADINPROG = 4, DS_FLAG_SAVEINPROG = 8 };
unsigned ds_cache_key_flags(const ds_cache *c, const void *key, uint32_t keylen);
/* Set or clear a flag through the checked path; DS_ERR_FLAGS on misuse (also counted). */
ds_status ds_cache_flag_set(ds_cache *c, const void *key, uint32_t keylen, unsigned flag);
ds_status ds_cache_flag_clear(ds_cache *c, const void *key, uint32_t keylen, unsigned flag);

/* Inspection without side effects (no LRU touch, no IO): the in-memory value or NULL, and
 * whether the negative cache marks the key absent (and pinned). */
const ds_value *ds_cache_peek(const ds_cache *c, const void *key, uint32_t keylen);

/* A hint that a command naming key comes soon (a host reading its trace ahead): starts pulling
 * the key's hash-table slot into the CPU cache, so the lookup overlaps the host's own work
 * instead of waiting on memory. No other effect; the key need not exist. */
void ds_cache_prefetch(const ds_cache *c, const void *key, uint32_t keylen);
/* The key's hash as this cache computes it (never 0), for ds_cmd.key_hash, and the prefetch
 * of a key already hashed: a host reading ahead hashes each key once. */
uint64_t ds_cache_key_hash(const ds_cache *c, const void *key, uint32_t keylen);
void ds_cache_prefetch_hash(const ds_cache *c, uint64_t hash);
bool ds_cache_neg_peek(const ds_cache *c, const void *key, uint32_t keylen, bool *pinned);

typedef struct ds_stats {
    uint64_t requests, gets, sets, dels, exists, mgets, execs;
    uint64_t hits, misses, neg_hits;
    uint64_t disk_loads, disk_saves, disk_dels; /* completed jobs */
    uint64_t saves_coalesced;                   /* writes that found a SAVE already scheduled */
    uint64_t evictions, neg_evictions, expired;
    uint64_t blocked_requests; /* commands that parked */
    uint64_t save_retries, load_errors;
    uint64_t flag_errors;         /* flag misuse through ds_cache_flag_set/clear, or internal */
    uint64_t invariant_errors;    /* internal "cannot happen" states; debug builds assert instead */
    uint64_t loads_dropped_nomem; /* loaded values not cached for lack of memory (answered
                                   * DS_ERR_NOMEM to their waiters) */
    uint64_t expire_deletes_dropped; /* expiries whose disk delete could not be scheduled (out
                                      * of memory; harmless: the stored value has expired too) */
    uint64_t loads_cancelled;        /* queued LOADs made moot by a write to their key */
    uint64_t memory_limit_misses, reclaim_waits, asap_pushes;
    uint64_t drain_unsaved; /* keys the last ds_cache_drain gave up on (DS_DRAIN_SAVE_ATTEMPTS) */
    uint64_t used_memory_bytes, peak_memory_bytes;
    uint64_t keys, neg_entries;
    uint64_t queued_ops, jobs_new, jobs_processing, blocked_clients;
} ds_stats;

void ds_cache_stats(const ds_cache *c, ds_stats *out);

/* Bytes charged per cached entry on top of key and value sizes (see README). */
size_t ds_cache_entry_overhead_bytes(void);

/* ------------------------------------------------------------------------------------------ */
/* The cache-only simulator (dslab replay --cache-only)                                        */
/* ------------------------------------------------------------------------------------------ */

/*
 * The keyspace and the eviction policy alone, one request at a time: what a cache simulator
 * such as libCacheSim measures. The semantics are the full cache's under `evict-at insert`,
 * an origin that holds every object, and IO that takes no time: a read hits, or misses and
 * inserts (evicting first); a SET writes the value; a DEL removes the key, which the origin then
 * no longer holds (reads answer absent: stats.neg_hits, or a miss with negcache off). No
 * scheduler, jobs, clients or clock; TTLs are not applied. Same config and seed, same choices
 * as ds_cache. Values are not stored, only charged (object size). See core/simcache.c.
 */
typedef struct ds_simcache ds_simcache;

ds_simcache *ds_simcache_new(const ds_config *cfg, ds_err *err);
void ds_simcache_free(ds_simcache *s);

/* One single-key request. hash is filled by ds_simcache_run. */
typedef struct ds_simreq {
    uint64_t hash;
    const void *key;
    uint32_t len;
    uint32_t op;         /* ds_op: GET, EXISTS (reads), SET, DEL */
    uint64_t size;       /* object size: a miss loads, a SET writes, this many bytes */
    int64_t next_access; /* the trace's hint (evict=belady), as ds_cmd.next_access */
} ds_simreq;

/* Run reqs[0..n) in order (hashing and prefetching ahead). Errors are counted, not fatal. */
void ds_simcache_run(ds_simcache *s, ds_simreq *reqs, size_t n);
/* One command of any op (MGET: reads; EXEC: reads then SETs of size); the first error. */
ds_status ds_simcache_cmd(ds_simcache *s, ds_op op, const ds_key *keys, uint32_t nkeys,
                          uint64_t size, int64_t next_access);
uint64_t ds_simcache_hash(const ds_simcache *s, const void *key, uint32_t len);
void ds_simcache_prefetch(const ds_simcache *s, uint64_t h);
/* Counters as ds_cache_stats; *errors (may be NULL): requests that failed (value too big). */
void ds_simcache_stats(const ds_simcache *s, ds_stats *out, uint64_t *errors);

/* ------------------------------------------------------------------------------------------ */
/* Backends (SQLite-VFS-style vtable; wrappers stack)                                          */
/* ------------------------------------------------------------------------------------------ */

typedef struct ds_backend ds_backend;

typedef enum ds_bop { DS_BOP_GET = 0, DS_BOP_SET, DS_BOP_DEL } ds_bop;

/*
 * One backend call. A call has two phases so that virtual time can apply the effect of an IO at
 * its completion time: plan() draws the service time and any injected fault (shims add theirs
 * and forward to the parent), then the host waits service_us (sleeps, or schedules an event),
 * then calls get/set/del with the same ds_call. A shim that planned a fault returns DS_ERR_IO.
 */
typedef struct ds_call {
    int64_t service_us;
    bool fail;
    uint64_t size_hint; /* get: the LOAD's ds_job.size_hint (set by ds_job_run) */
} ds_call;

typedef struct ds_backend_stats {
    uint64_t gets, sets, dels, errors, bytes_read, bytes_written;
    uint64_t keys; /* where cheap to know; else 0 */
} ds_backend_stats;

/* Visitor for scan: return false to stop. v is borrowed for the call only. */
typedef bool (*ds_scan_fn)(void *ctx, const void *key, uint32_t keylen, const ds_value *v);

/* The ops version this library speaks; ds_backend_open refuses any other. 2: control. */
#define DS_BACKEND_VERSION 2

/* control() operations. A layer handles the ones it knows and a shim forwards the rest to its
 * parent; DS_NOT_FOUND means no layer of the stack handles the operation. */
typedef enum ds_bctl {
    DS_BCTL_STORE = 1,      /* ds_bctl_buf *: where the data lives ("mem", a directory) */
    DS_BCTL_ORIGIN,         /* const bool *: origin mode on/off (mem) */
    DS_BCTL_FAULTS,         /* const bool *: injected faults on/off (every fake in the stack) */
    DS_BCTL_FILE_HASH_MASK, /* const uint64_t *: AND every key hash with it (file; tests) */
    DS_BCTL_FILE_PATH,      /* ds_bctl_path *: the file holding a key (file; tests) */
    /* const bool *: the host makes every call on this stack from one thread (the virtual
     * clock), so a layer may skip its locks (fake, mem). The host that opened the stack sets it
     * before the first call, never while another thread may hold the backend. */
    DS_BCTL_ONE_THREAD,
} ds_bctl;
typedef struct ds_bctl_buf {
    char *buf;
    size_t cap;
} ds_bctl_buf;
typedef struct ds_bctl_path {
    const void *key;
    uint32_t keylen;
    char *buf;
    size_t cap;
} ds_bctl_path;

typedef struct ds_backend_ops {
    int version; /* DS_BACKEND_VERSION */
    const char *name;
    void (*plan)(ds_backend *b, ds_bop op, const void *key, uint32_t keylen, ds_call *call);
    ds_status (*get)(ds_backend *b, ds_call *call, const void *key, uint32_t keylen, ds_value **out,
                     ds_err *err);
    ds_status (*set)(ds_backend *b, ds_call *call, const void *key, uint32_t keylen,
                     const ds_value *v, ds_err *err);
    ds_status (*del)(ds_backend *b, ds_call *call, const void *key, uint32_t keylen, ds_err *err);
    ds_status (*flush_all)(ds_backend *b, ds_err *err);
    /* Visit every stored key (order unspecified); for the lost-write check. */
    ds_status (*scan)(ds_backend *b, ds_scan_fn fn, void *ctx, ds_err *err);
    void (*stats)(ds_backend *b, ds_backend_stats *out);
    void (*close)(ds_backend *b);
    /* Out-of-band requests (ds_bctl); NULL = handles none. Never on the IO path. */
    ds_status (*control)(ds_backend *b, int op, void *arg);
} ds_backend_ops;

struct ds_backend {
    const ds_backend_ops *ops; /* first member, so wrappers can stack */
};

/* The backend call a job makes: LOAD -> get, SAVE with a value -> set, SAVE of NULL -> del. */
ds_bop ds_job_bop(const ds_job *job);
/* Convenience: plan a call for a job (the host then waits call->service_us). */
void ds_job_plan(ds_backend *b, const ds_job *job, ds_call *call);
/* Run a job on a backend with a planned call; sets job->result (and job->value for LOAD).
 * Thread-safe with respect to the cache: touches only the job and the backend. */
void ds_job_run(ds_backend *b, ds_job *job, ds_call *call);

/* In-memory store. Thread-safe. Origin mode (object-id traces): a key that was never written
 * nor deleted is answered present with a value of the call's size_hint bytes; it costs no
 * memory until it is written or deleted. */
ds_backend *ds_backend_mem_new(ds_err *err);
void ds_backend_mem_set_origin(ds_backend *b, bool on); /* DS_BCTL_ORIGIN */

/* One file per key under a hashed directory tree; atomic temp-write + rename. */
typedef enum ds_fsync { DS_FSYNC_NEVER = 0, DS_FSYNC_ALWAYS } ds_fsync;
typedef struct ds_file_opts {
    ds_fsync fsync;
} ds_file_opts;
ds_backend *ds_backend_file_open(const char *dir, const ds_file_opts *o, ds_err *err);

/* Latency models: fixed:US uniform:LO:HI exp:MEAN lognormal:MU:SIGMA pareto:SCALE:SHAPE,
 * hist:FILE (empirical). Draws are in microseconds, >= 0. */
typedef enum ds_lat_kind {
    DS_LAT_FIXED = 0,
    DS_LAT_UNIFORM,
    DS_LAT_EXP,
    DS_LAT_LOGNORMAL,
    DS_LAT_PARETO,
    DS_LAT_HIST
} ds_lat_kind;
typedef struct ds_latency {
    ds_lat_kind kind;
    double a, b;
    uint32_t nhist; /* DS_LAT_HIST: points of the empirical CDF */
    double *hist_us, *hist_cdf;
} ds_latency;
ds_status ds_latency_parse(const char *spec, ds_latency *out, ds_err *err);
int64_t ds_latency_draw(const ds_latency *m, ds_rng *r);
void ds_latency_free(ds_latency *m);

/* Faults: "err=P,slow=P:US,stall=EVERY:LEN_US" (any subset), plus an exact countdown for
 * unit tests: fail calls number fail_after+1 .. fail_after+fail_count (1-based), then succeed. */
typedef struct ds_faults {
    double err_p;
    double slow_p;
    int64_t slow_us;
    uint64_t stall_every;
    int64_t stall_us;
    uint64_t fail_after, fail_count;
} ds_faults;
ds_status ds_faults_parse(const char *spec, ds_faults *out, ds_err *err);

/* The fake: a latency and fault shim over any parent backend (memory or file). It takes
 * ownership of parent. Latency per op (get/set/del), faults, seed. */
typedef struct ds_fake_opts {
    ds_latency lat[3]; /* indexed by ds_bop */
    ds_faults faults;
    uint64_t seed;
    bool buggify; /* BUGGIFY sites: slow calls, instant calls, failed writes (retryable) */
} ds_fake_opts;
ds_backend *ds_backend_fake_new(ds_backend *parent, const ds_fake_opts *o, ds_err *err);
/* Turn faults off (e.g. before the final drain) or on again: DS_BCTL_FAULTS. */
void ds_backend_fake_faults_enable(ds_backend *b, bool on);

static inline void ds_backend_close(ds_backend *b) {
    if (b) b->ops->close(b);
}

/* control() through the stack; DS_NOT_FOUND when no layer handles op (or b is NULL). */
ds_status ds_backend_control(ds_backend *b, int op, void *arg);

/* ---- the backend registry: a backend by name, "NAME[:key=value,...]" ---- */

/* The parameters of one open: the spec's pairs, then the host's defaults. */
typedef struct ds_backend_params ds_backend_params;
/* The value of key (the spec's, else the host default's) or NULL; marks the key as read. */
const char *ds_backend_param(ds_backend_params *p, const char *key);

typedef struct ds_backend_type {
    int version; /* DS_BACKEND_VERSION */
    const char *name;
    const char *params; /* for help: "path=DIR,fsync=never|always", or "" */
    const char *help;
    /* Read parameters with ds_backend_param; *out on DS_OK, else a status and a message. */
    ds_status (*open)(ds_backend_params *p, ds_backend **out, ds_err *err);
} ds_backend_type;

/*
 * Open "NAME[:key=value,...]": a type of extra (a NULL-terminated list, searched first; NULL
 * for none) or a built-in one (mem, alias fake; file). defaults ("key=value,...", may be NULL)
 * are the host's values for keys the spec leaves out and the type reads (the results directory
 * for a file store); a key of the spec the type does not read is an error. The type's version
 * and the opened backend's ops version must be DS_BACKEND_VERSION.
 * Returns DS_ERR_CONFIG for a bad spec, else what the type's open failed with (DS_ERR_IO for a
 * store that cannot be opened). */
ds_status ds_backend_open(const char *spec, const char *defaults,
                          const ds_backend_type *const *extra, ds_backend **out, ds_err *err);
/* The spec's name is known and its parameters are key=value pairs (what a CLI checks). */
ds_status ds_backend_spec_check(const char *spec, const ds_backend_type *const *extra, ds_err *err);
const ds_backend_type *ds_backend_type_at(size_t i); /* built-in types; NULL past the end */

#ifdef __cplusplus
}
#endif
#endif /* DSLAB_H */
