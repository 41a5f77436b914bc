/*
 * replay_int.h - the replay run's state, shared by replay.c (clients, answers) and
 * replay_run.c (setup, teardown, summary). Engines see only the rp_ functions in replay.h.
 */
#ifndef DS_REPLAY_INT_H
#define DS_REPLAY_INT_H

#include "iolat.h"
#include "metrics.h"
#include "oracle.h"
#include "progress.h"
#include "replay.h"

/* A request waiting in its client's FIFO: keys packed as (uint32 len, bytes)... */
typedef struct rp_qnode {
    struct rp_qnode *next;
    ds_op op;
    uint32_t nkeys;
    uint64_t size;
    int64_t ttl_s;
    int64_t next_access; /* the trace's hint (ds_cmd.next_access) */
    uint64_t line;
    int64_t intended_ns; /* open loop: trace time / speed; closed loop: when it was read */
    uint64_t hash0;      /* the cache's hash of the first key (0: not computed) */
    uint32_t len, cap;   /* bytes used / capacity of data */
    unsigned char *data;
    unsigned char inl[56];
} rp_qnode;

/* What a parked command needs at its answer: its keys, snapshots and EXEC's SET values. */
typedef struct rp_inflight {
    ds_op op;
    uint32_t nkeys;
    uint64_t size; /* for --miss-is-set */
    int64_t ttl_s;
    int64_t next_access;
    int64_t intended_ns; /* when the request should have been sent (latency's origin) */
    int64_t issue_ns;    /* when it was sent to the core (service latency's origin) */
    uint64_t hash0;      /* ds_cache_key_hash of keys[0] when known, else 0 (ds_cmd.key_hash) */
    unsigned char *kbuf;
    size_t kcap;
    ds_key *keys;
    ds_oracle_snap *snaps;
    ds_value **vals; /* EXEC: the SET values, one per key */
    uint32_t cap;    /* of keys/snaps/vals */
} rp_inflight;

typedef struct rp_client {
    uint64_t id;
    bool parked;      /* a command is parked in the core */
    bool woken;       /* a wake event is pending */
    bool starving;    /* closed loop: waits for the trace to yield one of its records */
    bool pending_set; /* --miss-is-set: the SET that follows a miss is due */
    bool active;      /* a request queued, in the core or thinking (active_clients) */
    bool sent;        /* CPU model: its next request waits for or holds the core */
    bool lent;        /* closed loop: its next request is the reader's record (rp_run.lent) */
    int64_t sent_ns;  /* that request's core cost (its issue is when the core starts it) */
    rp_qnode *head, *tail;
    uint64_t qlen;
    int64_t ready_ns; /* when it became free, plus think time in closed loop */
    uint64_t tag;
    rp_inflight fl;
} rp_client;

struct rp_run {
    const ds_replay_opts *o;
    ds_reader *reader;
    ds_trace_req req;  /* the record handed to the engine */
    uint64_t req_hash; /* the cache's hash of req's first key (computed to prefetch it) */
    bool have_t0, closed, origin;
    bool binary_keys; /* keys are 8-byte ids (ds_reader_binary_keys): print with ds_key_text */
    int64_t t0_us;
    ds_backend *backend;
    ds_cache *cache;
    ds_metrics *metrics;
    ds_oracle *oracle;
    ds_progress *progress;
    ds_iolat *iolat; /* io_latency.csv (+ core_cpu.csv, real clock); virtual: --io-latency */
    rp_engine *eng;
    bool model;      /* virtual clock with core-cost-us: commands queue for the core */
    bool warm;       /* the metrics' phase is the warm-up (rp_phase keeps it) */
    int64_t row_end; /* the current timeseries row ends at or after this (ds_metrics_answer) */
    char store_path[2 * DS_OPT_STR_MAX]; /* the backend's store ("mem" for the mem backend) */
    rp_client *clients;
    uint32_t nclients, ccap;
    uint32_t *cmap; /* open addressing: client id -> index + 1 (0 = empty) */
    uint32_t cmap_cap;
    uint32_t cmap_last; /* index of the client client_index found last (checked first) */
    rp_qnode *free_nodes;
    /* Closed loop: the client whose next request is the reader's current record itself (req,
     * req_hash), not a copy in its FIFO (UINT32_MAX: none). Its FIFO is empty; the record is
     * copied there only if the trace is read on before it is issued (replay.c, lend_end). */
    uint32_t lent;
    uint64_t parked;
    uint64_t queued, queue_max; /* open loop: requests waiting in client FIFOs; longest FIFO */
    bool mem_over;              /* used memory above cache-max-memory since mem_since_ns */
    int64_t mem_since_ns, mem_over_ns;
    uint64_t nactive;        /* clients with c->active */
    uint64_t active_area;    /* integral of nactive over time (client*ns) */
    int64_t active_since_ns; /* when nactive last changed */
    uint64_t requests, errors, stale_reads, lost_writes;
    uint64_t records;      /* trace records read */
    uint64_t clamped;      /* --unsorted clamp: records moved forward to the previous time */
    int64_t last_time_us;  /* trace time of the previous record */
    int64_t first_time_us; /* trace time of the first record */
    uint64_t span_safe_us; /* spans below this are inside the clock's range at this speed */
    char first_error[256];
    bool crashed; /* crash lab: the power went at crash_us */
    int64_t crash_us;
    int64_t pit_start_us; /* the point in time being checked */
    char rule[32];        /* rules the toggles break, for races.csv (races.c) */
    char first_race[256]; /* the first violation, one line */
    ds_status fatal;      /* a failure inside a callback, reported by rp_take_fatal */
    ds_err fatal_err;
    /* scratch for building one command */
    ds_key keys[DS_MULTI_MAX_KEYS]; /* keys of a FIFO node being issued */
    ds_cmd subs[2 * DS_MULTI_MAX_KEYS];
    ds_value *vals[DS_MULTI_MAX_KEYS];
    ds_oracle_snap snaps[DS_MULTI_MAX_KEYS];
    rp_inflight scratch; /* the command being issued; vals/snaps point at the arrays above */
};

/* replay.c */
ds_status rp_clients_init(rp_run *r, ds_err *err);
void rp_clients_free(rp_run *r);
/* nanoseconds: the replay's clock */
static inline int64_t rp_now_ns(const rp_run *r) {
    return r->eng->clock_ns ? *r->eng->clock_ns : r->eng->ops->now_ns(r->eng);
}
static inline int64_t rp_now(const rp_run *r) { return rp_now_ns(r) / 1000; } /* the core's, us */
void rp_gauges(rp_run *r, ds_gauges *g);
void rp_phase(rp_run *r, ds_phase ph);
void rp_host_reply(void *ctx, uint64_t client, uint64_t tag, const ds_reply *rep);
ds_status rp_take_fatal(rp_run *r, ds_err *err);
void rp_set_fatal(rp_run *r, ds_status st, const char *msg);

/* replay_clients.c: the client map, FIFO nodes, in-flight copies */
/* The index of client `id`, created on first sight; UINT32_MAX when out of memory. The last
 * client looked up is checked first: consecutive records and answers mostly name the same
 * client (always, in a one-client trace), and that costs no hash. */
uint32_t rp_client_lookup(rp_run *r, uint64_t id);
static inline uint32_t rp_client_index(rp_run *r, uint64_t id) {
    if (r->cmap_last < r->nclients && r->clients[r->cmap_last].id == id) return r->cmap_last;
    return rp_client_lookup(r, id);
}
/* Queue a copy of record q at the client's FIFO tail (--client-queue-max checked). */
ds_status rp_client_push(rp_run *r, rp_client *c, const ds_trace_req *q, int64_t intended_ns,
                         ds_err *err);
static inline void rp_node_put(rp_run *r, rp_qnode *n) {
    n->next = r->free_nodes;
    r->free_nodes = n;
}
/* Copy what the answer of a parked command needs (the scratch is reused by the next issue). */
bool rp_inflight_copy(rp_inflight *f, const rp_inflight *s);
void rp_release_vals(rp_inflight *f); /* a SET's or EXEC's values, once answered */

/* races.c */
void rp_race(rp_run *r, ds_race_row *row);
/* The oracle's view of one answer: reads are checked, SET and DEL acknowledged. */
/* now_us: the answer's time (the clock does not move while it is checked). */
void rp_oracle_answer(rp_run *r, int64_t now_us, uint64_t client, const rp_inflight *f,
                      const ds_reply *rep);

#endif
