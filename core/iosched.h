/*
 * iosched.h - the IO scheduler and its ordering seam (private to core/ and its tests).
 *
 * The scheduler is split in two, in the manner of a kernel's block layer and its elevators:
 *
 *   sched.c        the safety rules, which hold under every policy: the per-key flag table and
 *                  its transitions (rule 5), one LOAD and one SAVE per key (rules 1, 2), no two
 *                  jobs on one key (rule 4, unless concurrent-saves=on), rule 4's push guard (a
 *                  LOAD never becomes a job while a SAVE of its key is scheduled or running,
 *                  unless load-priority=always-head), max-io-jobs, the job lists.
 *   iopolicy/NAME.c  a ds_sched_policy: ordering only. Where a newly scheduled op joins the queue,
 *                  whether a SAVE inside its flush delay may go, where a LOAD moves once its key
 *                  is no longer blocked. One file per policy, one row in iopolicy/table.c.
 *
 * A policy can reorder but never make an unsafe job: the pump asks the policy which op comes
 * next and then applies the safety check itself; an op that fails it stays queued (skipped,
 * never a reason to stop the walk).
 *
 * The scheduler sees the rest of the cache only through ds_sched_env (clock, config, stats,
 * jobs-ready callback, the value a SAVE takes), so tests/test_sched.c drives it alone.
 */
#ifndef DS_IOSCHED_H
#define DS_IOSCHED_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>

#include "dslab.h"
#include "slab.h"
#include "table.h"

typedef struct ds_ioent ds_ioent;

enum { OPQ_NONE = 0, OPQ_LOAD, OPQ_SAVE };

/* Where a scheduled op sits: nowhere, in the policy's queue, or held until its due time
 * (policies with hold_saves keep SAVEs inside their flush delay out of the queue). */
enum { OPQ_OFF = 0, OPQ_QUEUED, OPQ_HELD };

/* A scheduled op, embedded in its key's ioent: at most one LOAD and one SAVE per key. */
typedef struct ds_qop {
    struct ds_qop *prev, *next;
    ds_ioent *io;
    uint8_t type;       /* OPQ_LOAD or OPQ_SAVE */
    uint8_t where;      /* OPQ_OFF, OPQ_QUEUED, OPQ_HELD */
    bool queued;        /* where != OPQ_OFF */
    uint64_t seq;       /* scheduling order: 1, 2, ... per scheduler; never reused */
    int64_t arrival_us; /* when it was scheduled */
    int64_t due_us;     /* SAVE: not pushed before this unless ASAP (rule 3) */
    int64_t sort_key;   /* free for the policy (ds_sq_insert_sorted) */
} ds_qop;

/* A parked command's hold on one key: resolved when the key's LOAD completes. */
typedef struct ds_wslot {
    struct ds_wslot *prev, *next; /* in the ioent's waiter list */
    ds_ioent *io;
    struct ds_parked *owner;
    bool resolved;
} ds_wslot;

/* Everything the core knows about one key's IO. It lives exactly as long as any of it is
 * non-empty (ds_sched_idle); while it lives the keyspace entry points at it. */
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
    /* The keyspace entry of this key while there is one (the cache links both ways and the
     * keyspace clears it when the entry goes), so completion and release need no lookup. */
    struct ds_entry *ent;
    int64_t next_access; /* hint of the request waiting for this key's LOAD (evict.h) */
    uint64_t size_hint;  /* of the command that scheduled the LOAD (ds_job.size_hint) */
    unsigned char key[];
};

/* An intrusive doubly linked list of ops: the policy's queue, or the held SAVEs. */
typedef struct ds_sched_q {
    ds_qop *head, *tail;
    uint64_t count;
    void *state; /* the policy's, from its init */
} ds_sched_q;

/* The pump's question to the policy about the op at its cursor. */
typedef enum { DS_STEP_TAKE = 0, DS_STEP_SKIP, DS_STEP_STOP } ds_sched_step;

#define DS_SCHED_POLICY_VERSION 1

typedef struct ds_sched_policy {
    int version; /* DS_SCHED_POLICY_VERSION; checked when the scheduler is built */
    const char *name;
    const char *help;
    /* true: a SAVE inside its flush delay waits in the scheduler's held list (in due order) and
     * is enqueued when due, or at once in ASAP mode; the queue then holds only due ops.
     * false: every SAVE is enqueued when scheduled (the seed keeps one list). */
    bool hold_saves;
    /* Parse "key=value,..." (may be "" or NULL) into *state. Optional. */
    ds_status (*init)(const char *params, void **state, ds_err *err);
    void (*fini)(void *state); /* optional */
    /* Put a newly scheduled op into q. wait_for_save: rule 4 keeps this LOAD from running
     * until a SAVE of its key that is scheduled or running is done. Required. */
    void (*enqueue)(ds_sched_q *q, ds_qop *op, bool wait_for_save);
    /* A SAVE of the LOAD's key completed and none is scheduled: the LOAD (queued) may move.
     * Optional (NULL: it keeps its place). */
    void (*unblocked)(ds_sched_q *q, ds_qop *load);
    /* The pump's walk from the head: take, skip or stop at op. Optional; NULL is the default:
     * take, except a SAVE inside its flush delay outside ASAP mode, which is skipped. */
    ds_sched_step (*step)(const ds_sched_q *q, const ds_qop *op, int64_t now_us, bool asap);
} ds_sched_policy;

/* Queue helpers for policies. Each keeps count and op->where/queued. */
void ds_sq_push_head(ds_sched_q *q, ds_qop *op);
void ds_sq_push_tail(ds_sched_q *q, ds_qop *op);
void ds_sq_insert_after(ds_sched_q *q, ds_qop *at, ds_qop *op); /* at NULL = head */
void ds_sq_unlink(ds_sched_q *q, ds_qop *op);
/* Insert op before the first op with a larger sort_key (after equal ones: stable). Searches
 * from both ends at once, so an op that belongs near either end costs a few steps. */
void ds_sq_insert_sorted(ds_sched_q *q, ds_qop *op, int64_t sort_key);
/* The default step: a SAVE inside its flush delay is not due outside ASAP mode. */
bool ds_sq_save_young(const ds_qop *op, int64_t now_us, bool asap);

/* Policies by name (core/iopolicy/table.c). */
const ds_sched_policy *ds_sched_policy_find(const char *name, size_t namelen);
const ds_sched_policy *ds_sched_policy_at(size_t i); /* NULL past the end */
/* Check an io-policy value ("NAME[:params]") against cfg->io_policy_ops or the table (config.c). */
ds_status ds_config_check_io_policy(const ds_config *cfg, const char *value, ds_err *err);

/* ---- the scheduler ---- */

typedef struct ds_sched_env {
    void *ctx;
    /* The clock, called with now_ctx (not ctx: the cache hands over its host's clock and
     * context, two calls fewer a read). Required. */
    int64_t (*now_us)(void *now_ctx);
    void *now_ctx;
    void (*jobs_ready)(void *ctx); /* after a pump made jobs; optional */
    /* A new reference to the key's value now, for a SAVE being pushed (rule 2); NULL means
     * delete on disk. Required. */
    ds_value *(*save_value)(void *ctx, const ds_ioent *io);
    /* true: keep this key's SAVE queued for now (a bounded drain gave up on it, see
     * ds_cache_drain). Optional. */
    bool (*save_held)(void *ctx, const ds_ioent *io);
    const ds_config *cfg; /* max_io_jobs, load_priority, concurrent_saves; borrowed */
    ds_stats *st;         /* saves_coalesced, asap_pushes, flag_errors, invariant_errors */
    ds_err *err;          /* last error text */
} ds_sched_env;

typedef struct ds_joblist {
    ds_job *head, *tail;
    uint64_t count;
} ds_joblist;

enum { JOB_NEW = 1, JOB_PROCESSING, JOB_DONE };

#define DS_SCHED_FEW 8u

typedef struct ds_sched {
    ds_sched_env env;
    const ds_sched_policy *pol;
    /* key -> ds_ioent. Up to DS_SCHED_FEW live ioents sit in few[] and are found by a scan;
     * the table holds them all from the one that overflows few[] until none is live. A
     * closed loop of a few clients creates and frees an ioent per cache miss, and a table
     * insert and remove cost about 60 instructions where the array's take 10. */
    ds_table tab;
    ds_ioent *few[DS_SCHED_FEW];
    uint32_t nfew;   /* 0 while the table holds any */
    ds_sched_q q;    /* the policy's queue */
    ds_sched_q held; /* hold_saves: SAVEs inside their flush delay, in due order */
    uint64_t queued; /* q.count + held.count */
    ds_joblist jnew, jproc;
    uint64_t next_job_id, next_seq;
    ds_slab slab; /* ioents and jobs */
} ds_sched;

/* Build with a policy (NULL = the seed's) and its parameter string. */
ds_status ds_sched_init(ds_sched *s, const ds_sched_env *env, const ds_sched_policy *pol,
                        const char *params, uint64_t seed);
void ds_sched_free(ds_sched *s); /* frees ioents and jobs still held */

ds_ioent *ds_sched_find(const ds_sched *s, uint64_t h, const void *key, uint32_t len);
/* Live ioents. */
static inline uint64_t ds_sched_count(const ds_sched *s) { return s->tab.count + s->nfew; }
/* Find or create; NULL on OOM. *created tells which (may be NULL). */
ds_ioent *ds_sched_get(ds_sched *s, uint64_t h, const void *key, uint32_t len, bool *created);
/* Create the ioent of a key that has none (the caller knows); NULL on OOM. */
ds_ioent *ds_sched_new(ds_sched *s, uint64_t h, const void *key, uint32_t len);
/* No flag, no queued op, no waiter, no SAVE in flight: the ioent may go. */
static inline bool ds_sched_idle(const ds_ioent *io) {
    assert(io->load.type == OPQ_LOAD && io->save.type == OPQ_SAVE);
    return !io->flags && !io->load.queued && !io->save.queued && !io->nwaiters &&
           !io->saves_inflight;
}
/* Free io; it must be idle. Inline: once per cache miss. */
static inline void ds_sched_release(ds_sched *s, ds_ioent *io) {
    assert(ds_sched_idle(io));
    assert(!io->waiters && !io->mark);
    if (s->nfew) { /* few[]: the last one takes its place */
        uint32_t i = 0;
        while (i + 1 < s->nfew && s->few[i] != io)
            i++;
        assert(s->few[i] == io);
        s->few[i] = s->few[--s->nfew];
    } else {
        ds_table_remove(&s->tab, &io->node);
    }
    ds_slab_free(&s->slab, io, sizeof *io + io->node.keylen);
}

/* The checked flag API (rule 5): DS_ERR_FLAGS on misuse, counted in flag_errors. */
ds_status ds_sched_flag_set(ds_sched *s, ds_ioent *io, unsigned flag);
ds_status ds_sched_flag_clear(ds_sched *s, ds_ioent *io, unsigned flag);
/* An internal transition that cannot fail unless the core is broken: asserts in debug builds,
 * counts invariant_errors (and flag_errors) in release builds. Inline for the common case
 * (clear is set, set is not: four of them per cache miss); the checked path is out of line. */
void ds_sched_flag_move_checked(ds_sched *s, ds_ioent *io, unsigned clear, unsigned set);
static inline void ds_sched_flag_move(ds_sched *s, ds_ioent *io, unsigned clear, unsigned set) {
    assert((clear || set) && clear != set);
    if ((io->flags & clear) == clear && !(io->flags & set)) {
        io->flags = (uint8_t)((io->flags & ~clear) | set);
        return;
    }
    ds_sched_flag_move_checked(s, io, clear, set);
}

void ds_sched_schedule_load(ds_sched *s, ds_ioent *io);
void ds_sched_schedule_save(ds_sched *s, ds_ioent *io, int64_t due_us);
void ds_sched_unqueue_load(ds_sched *s, ds_ioent *io);
void ds_sched_unblocked(ds_sched *s, ds_ioent *io); /* a SAVE of io's key completed */
/* Turn queued ops into jobs while fewer than max-io-jobs are in flight. */
void ds_sched_pump(ds_sched *s, bool asap);
/* The job lists' links, and taking, finishing and freeing a job: inline, as each runs once
 * per cache miss. */
static inline void ds_jl_push(ds_joblist *l, ds_job *j) {
    assert(j && (l->tail ? !l->tail->next : !l->head));
    j->next = NULL;
    j->prev = l->tail;
    if (l->tail)
        l->tail->next = j;
    else
        l->head = j;
    l->tail = j;
    l->count++;
}
static inline void ds_jl_unlink(ds_joblist *l, ds_job *j) {
    assert(l->count > 0);
    if (j->prev)
        j->prev->next = j->next;
    else
        l->head = j->next;
    if (j->next)
        j->next->prev = j->prev;
    else
        l->tail = j->prev;
    j->prev = j->next = NULL;
    l->count--;
}
static inline ds_job *ds_sched_take(ds_sched *s) { /* new -> processing */
    ds_job *j = s->jnew.head;
    if (!j) return NULL;
    assert(j->state == JOB_NEW);
    ds_jl_unlink(&s->jnew, j);
    j->state = JOB_PROCESSING;
    ds_jl_push(&s->jproc, j);
    return j;
}
ds_status ds_sched_not_in_flight(ds_sched *s, const ds_job *job);   /* DS_ERR_STATE, said */
static inline ds_status ds_sched_finish(ds_sched *s, ds_job *job) { /* -> done; unlinks */
    assert(s && job);
    if (job->state == JOB_PROCESSING)
        ds_jl_unlink(&s->jproc, job);
    else if (job->state == JOB_NEW)
        ds_jl_unlink(&s->jnew, job);
    else
        return ds_sched_not_in_flight(s, job);
    job->state = JOB_DONE;
    assert(!job->prev && !job->next && job->ioent);
    return DS_OK;
}
static inline void ds_sched_job_free(ds_sched *s, ds_job *job) { /* a finished job's memory */
    ds_slab_free(&s->slab, job, sizeof *job);
}
void ds_sched_drop_all(ds_sched *s);
uint64_t ds_sched_in_flight(const ds_sched *s);

#endif /* DS_IOSCHED_H */
