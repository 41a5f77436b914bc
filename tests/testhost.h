/*
 * testhost.h - a ds_host whose clock and IO completions the test controls.
 *
 * Why: the core's scheduling rules are about orderings (a LOAD must not overtake a SAVE, a
 * blocked client resumes after the LAST of its loads, ...). To pin them, a test must decide
 * when time moves and in which order jobs finish. This host gives it a settable clock, a
 * record of every host.reply (with value references, so values outlive the callback), a list
 * of taken jobs that can be completed in any order with any result, an internal in-memory
 * backend for "run it for real", and a wait_io that completes the oldest job in flight so
 * ds_cache_drain and the memory-reclaim loop work.
 *
 * Everything a test builds (commands, th_val values) lives in a pool freed by th_fini, so tests
 * stay short. Keys are C strings. The host holds no value reference a production host would
 * not: th_set's value is released once its command ran (see th_set).

 */
#ifndef DSLAB_TESTHOST_H
#define DSLAB_TESTHOST_H

#include "dslab.h"

#define TH_MAX_JOBS 4096u

/* A deep copy of a ds_reply: values are references owned by the copy. */
typedef struct th_reply {
    ds_status status;
    ds_op op;
    uint32_t n;
    ds_value **values; /* n entries (NULL = absent) when the reply carried values, else NULL */
    int64_t count;
    uint32_t nsub; /* EXEC: number of sub replies */
    struct th_reply *sub;
} th_reply;

/* One host.reply call. seq is its position among all replies of this host (0, 1, ...). */
typedef struct th_rec {
    uint64_t client, tag, seq;
    th_reply r;
} th_rec;

typedef struct th_host {
    ds_host host;        /* passed to ds_cache_new; ctx points at this struct */
    ds_cache *cache;     /* set by th_open */
    ds_backend *backend; /* internal ds_backend_mem */
    int64_t now_us;
    uint64_t jobs_ready;    /* host.jobs_ready calls */
    uint64_t wait_io_calls; /* host.wait_io calls */
    uint64_t wait_io_done;  /* jobs completed by wait_io */
    bool wait_io_refuse;    /* when set, wait_io returns false without completing anything */
    th_rec *recs;
    size_t nrecs, caprecs;
    ds_job *jobs[TH_MAX_JOBS]; /* taken, not yet completed, in take order */
    size_t njobs;
    th_reply last; /* copy of the last immediate reply of th_do */
    uint64_t next_tag;
    void *pool;
    /* Values th_set made for a command: the host's reference, dropped when that command runs
     * (th_do), as a production host does once it no longer needs them. Not the pool's. */
    ds_value **handoff;
    size_t nhandoff, caphandoff;
    /* Re-entrancy probe: when set, callbacks try to call into the cache and record the result. */
    bool probe_reentry;
    ds_status reentry_status;
    uint64_t reentry_probes;
    /* Keep the config's io-policy even when DSLAB_TEST_IO_POLICY asks for another (a test
     * about one policy's order). Set between th_init and th_open (TH_OPEN_PINNED does). */
    bool pin_io_policy;
} th_host;

/* Lifecycle. th_init makes the backend and the host callbacks; th_open creates the cache
 * (cfg NULL = defaults) and fails the test if that fails. th_no_wait_io removes wait_io (call
 * before th_open). th_fini frees the cache, the recorded replies, the pool and the backend. */
void th_init(th_host *th);
ds_cache *th_open(th_host *th, const ds_config *cfg);
void th_no_wait_io(th_host *th);
void th_fini(th_host *th);
/* Defaults with the given cache-flush-delay. */
ds_config th_cfg(int64_t flush_delay_ms);
/* Declare `th` (a th_host * on the stack), init it and open a cache with config `cfgv`. */
#define TH_OPEN(th, cfgv)                                                                          \
    th_host th##_s, *th = &th##_s;                                                                 \
    ds_config th##_config_ = (cfgv);                                                               \
    th_init(th);                                                                                   \
    th_open(th, &th##_config_)

/* TH_OPEN, for a test about the config's own io-policy order (see pin_io_policy). */
#define TH_OPEN_PINNED(th, cfgv)                                                                   \
    th_host th##_s, *th = &th##_s;                                                                 \
    ds_config th##_config_ = (cfgv);                                                               \
    th_init(th);                                                                                   \
    th->pin_io_policy = true;                                                                      \
    th_open(th, &th##_config_)

/* Clock. */
void th_set_now(th_host *th, int64_t now_us);
void th_advance(th_host *th, int64_t delta_us);
void th_advance_ms(th_host *th, int64_t delta_ms);

/* Values and commands. th_val/th_valx values are owned by the pool (the test keeps them, like a
 * caller that keeps its reference). th_set's value is NOT kept: the host drops its reference
 * as soon as th_do has run the command, so only the core keeps it alive, as in production
 * (sim/replay.c). A test host that held it would hide lifetime bugs in the core (an EXEC whose
 * GET reply pointed at a value its own SET then freed). Run each th_set command at most once. */
ds_value *th_val(th_host *th, const char *s);
ds_value *th_valx(th_host *th, const char *s, uint64_t size_bytes, int64_t expire_us);
bool th_val_is(const ds_value *v, const char *s); /* v non-NULL with exactly these bytes */
ds_key th_key(const char *s);
const ds_cmd *th_get(th_host *th, const char *key);
const ds_cmd *th_set(th_host *th, const char *key, const char *val);
const ds_cmd *th_setv(th_host *th, const char *key, ds_value *v);
const ds_cmd *th_keys_cmd_(th_host *th, ds_op op, const char *first, ...);
const ds_cmd *th_exec_(th_host *th, const ds_cmd *first, ...);
#define TH_DEL(th, ...)    th_keys_cmd_((th), DS_OP_DEL, __VA_ARGS__, (const char *)0)
#define TH_EXISTS(th, ...) th_keys_cmd_((th), DS_OP_EXISTS, __VA_ARGS__, (const char *)0)
#define TH_MGET(th, ...)   th_keys_cmd_((th), DS_OP_MGET, __VA_ARGS__, (const char *)0)
#define TH_EXEC(th, ...)   th_exec_((th), __VA_ARGS__, (const ds_cmd *)0)

/* Run a command with a fresh tag. On DS_OK the immediate reply is copied to th->last. */
ds_status th_do(th_host *th, uint64_t client, const ds_cmd *cmd);
ds_status th_do_tag(th_host *th, uint64_t client, uint64_t tag, const ds_cmd *cmd);
/* Shorthands that fail the test unless the status is as expected. */
void th_set_ok(th_host *th, uint64_t client, const char *key, const char *val);
void th_get_blocked(th_host *th, uint64_t client, const char *key);

/* Jobs. th_take_all moves every new job into th->jobs and returns how many it took. */
size_t th_take_all(th_host *th);
ds_job *th_find(th_host *th, ds_job_type type, const char *key); /* first match or NULL */
size_t th_count(th_host *th, int type, const char *key);         /* type -1 = any; key NULL = any */
/* Complete a taken job (removed from th->jobs) with a result; val is copied for DS_OK LOADs. */
ds_status th_complete(th_host *th, ds_job *job, ds_status result, const char *val);
ds_status th_complete_ok(th_host *th, ds_job *job); /* SAVE succeeded */
/* Complete a LOAD with a value the test built (an owned reference the core adopts). */
ds_status th_complete_value(th_host *th, ds_job *job, ds_status result, ds_value *owned);
/* Run a taken job against the internal backend, then complete it. */
ds_status th_run(th_host *th, ds_job *job);
/* Take and run jobs (oldest first) until none is new or taken; returns how many ran. */
size_t th_run_all(th_host *th);
uint64_t th_in_flight(th_host *th); /* stats.jobs_new + stats.jobs_processing */
/* No two taken jobs name the same key (rule 4), unless concurrent-saves allows it. */
bool th_jobs_distinct_keys(const th_host *th);

/* The internal backend. */
void th_disk_put(th_host *th, const char *key, const char *val);
bool th_disk_is(th_host *th, const char *key, const char *val); /* val NULL = absent */

/* Cache inspection. */
unsigned th_flags(th_host *th, const char *key);
const ds_value *th_peek(th_host *th, const char *key);
bool th_neg(th_host *th, const char *key, bool *pinned);
ds_stats th_stats(th_host *th);
uint64_t th_entry_bytes(const char *key, uint64_t size_bytes); /* one entry's memory charge */

/* Replies recorded from host.reply. */
size_t th_replies_for(const th_host *th, uint64_t client);
const th_rec *th_last_for(const th_host *th, uint64_t client); /* NULL if none */

#endif /* DSLAB_TESTHOST_H */
