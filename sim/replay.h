/*
 * replay.h - internal interface of `dslab replay`, shared by the CLI, the replay logic and the
 * engines.
 *
 * Why split this way: the clients (per-client FIFOs, open/closed loop), the oracle calls, the
 * metrics calls and the reply handling are the same whatever drives time. An engine (virtual
 * time today, real time with worker threads later) only owns the clock, the event order and the
 * way IO jobs are executed. So replay.c exposes a small "rp_" API that an engine calls, and an
 * engine exposes one run function.
 */
#ifndef DS_REPLAY_H
#define DS_REPLAY_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "dslab.h"
#include "hostcpu.h"
#include "trace.h"

/* ------------------------------------------------------------------------------------------ */
/* Options (sim/cli.c)                                                                          */
/* ------------------------------------------------------------------------------------------ */

enum { DS_CLOCK_VIRTUAL = 0, DS_CLOCK_REAL };
enum { DS_ORIGIN_AUTO = -1, DS_ORIGIN_OFF = 0, DS_ORIGIN_ON = 1 };
enum { DS_UNSORTED_ERROR = 0, DS_UNSORTED_CLAMP };

#define DS_OPT_STR_MAX 256

/* Hooks of the crash lab (sim/crash.c); a plain replay has none. */
typedef struct ds_replay_hooks {
    void *ctx;
    /* Wrap the storage backend (under the latency/fault shim); takes parent; NULL + err on
     * failure. now_us(now_ctx) is the run's clock. */
    ds_backend *(*wrap_backend)(void *ctx, ds_backend *parent, int64_t (*now_us)(void *),
                                void *now_ctx, ds_err *err);
    /* Virtual clock: the power goes at this time; until then the run goes on after its last
     * request (cron flushes the cache); there is no drain and no lost-write scan. 0 = never. */
    int64_t crash_at_us;
    /* The power went at now_us: jobs[0..n) were in flight (their effects not landed yet) with
     * the calls planned for them; top is the run's backend. */
    ds_status (*crash)(void *ctx, ds_backend *top, ds_job *const *jobs, ds_call *calls, uint32_t n,
                       int64_t now_us, ds_err *err);
    /* A job was handed to an IO server (push order), and its IO finished (its effect landed;
     * job->result is set; the core has not seen it yet). Optional. Both clocks; the real
     * engine calls them on its main thread (io_done when it reaps the job). */
    void (*io_taken)(void *ctx, const ds_job *job);
    void (*io_done)(void *ctx, const ds_job *job);
} ds_replay_hooks;

/* The CPU model of the core in virtual time (sim/corecost.c): cost in ns of each command (by
 * op; MGET, EXEC and multi-key DEL per key), of a SAVE's and a LOAD's hand-back, of a cron.
 * Defaults: `bench_core --costs 100000`, minimum of 5 runs, 2-core VM, 2026-11-30. */
enum {
    DS_COST_SAVEDONE = DS_OP__COUNT,
    DS_COST_LOADDONE,
    DS_COST_CRON,
    DS_COST_HARNESS, /* the host's own work per request, after its answer (default 0) */
    DS_COST__COUNT
};
typedef struct ds_core_cost {
    bool on;
    int64_t ns[DS_COST__COUNT];
} ds_core_cost;
#define DS_CORE_COST_DEFAULT                                                                       \
    "get:0.76,set:2.4,del:1.9,exists:1.7,mget:0.62,exec:2.3,savedone:0.33,loaddone:0.62,cron:3.8"
ds_status ds_core_cost_parse(const char *spec, ds_core_cost *out, ds_err *err);
void ds_core_cost_format(const ds_core_cost *c, char *buf, size_t cap);
/* A command's cost (inline: the replay asks once a request). */
static inline int64_t ds_core_cost_cmd_ns(const ds_core_cost *c, ds_op op, uint32_t nkeys) {
    if (!c->on || (unsigned)op >= DS_OP__COUNT) return 0;
    bool per_key = op == DS_OP_MGET || op == DS_OP_EXEC || op == DS_OP_DEL;
    return c->ns[op] * (per_key && nkeys > 1 ? (int64_t)nkeys : 1);
}

typedef struct ds_replay_opts {
    char trace[DS_OPT_STR_MAX];
    ds_config core;
    int clock;
    /* NAME[:key=value,...] from the backend registry (ds_backend_open); "fake" is mem's old
     * name. --backend-path and --fsync are the file store's path= and fsync= when the spec
     * leaves them out. */
    char backend[DS_OPT_STR_MAX];
    const ds_backend_type *const *extra_backends; /* tests: types beside the built-in ones */
    char backend_path[DS_OPT_STR_MAX];
    ds_fsync fsync;
    char latency[3][DS_OPT_STR_MAX]; /* indexed by ds_bop */
    bool latency_given[3];           /* set by a flag or config line, not by the default */
    char faults[DS_OPT_STR_MAX];
    char save_log[DS_OPT_STR_MAX]; /* real clock: log of acknowledged SAVEs (crash test) */
    uint32_t io_threads;
    uint32_t disk_channels; /* virtual clock: IOs the device serves at once; 0 = no queue */
    ds_core_cost core_cost; /* virtual clock: the core as a single server (core-cost-us) */
    ds_host_model host_cpu; /* virtual clock: the host's cores (host-cpu; cpus 0 = off) */
    bool io_latency;        /* virtual clock: io_latency.csv of the model's terms (real: always) */
    uint64_t seed;
    char out[DS_OPT_STR_MAX]; /* "" = results/<trace>-<hash> */
    bool oracle;
    char format[64];
    char csv_opts[DS_OPT_STR_MAX];
    bool miss_is_set;
    int origin;   /* DS_ORIGIN_* */
    double speed; /* 0 = max */
    bool closed;
    int64_t think_us;
    int64_t interval_ms;
    uint64_t client_queue_max;      /* requests queued per client before the run fails */
    int64_t warmup_ns;              /* --warmup Ns: excluded from the metrics (0 = none) */
    uint64_t warmup_requests;       /* --warmup Nr: the first N completions, excluded */
    char handoff[DS_OPT_STR_MAX];   /* virtual time: IO end -> core sees it; "none" = 0 */
    char wakeup[DS_OPT_STR_MAX];    /* virtual time: an arrival finding the core idle waits */
    char io_wakeup[DS_OPT_STR_MAX]; /* virtual time: an idle IO thread's wake-up per job */
    /* virtual time, host-cpu preempt: how long an IO thread that preempted the main thread
     * holds its core, by what it was handed (0 LOAD, 1 SAVE or delete); "none": its whole
     * part of the call on a core */
    char preempt_hold[2][DS_OPT_STR_MAX];
    char calibration_format[16]; /* "" unless a calibration file set it (checked) */
    bool reuse_store;            /* a non-empty store is replayed on, the oracle seeded from it */
    int unsorted;                /* DS_UNSORTED_*: a request earlier than the previous one */
    bool quiet;
    bool progress;             /* progress line on a terminal (off for tests) */
    int64_t pit_every_ms;      /* virtual clock: point-in-time drain + backend check every N ms */
    bool explore;              /* --explore-schedule: the seed perturbs the schedule */
    int64_t explore_window_us; /* IO completions due within this window may reorder */
    bool cache_only;           /* --cache-only: keyspace + policy only (sim/cacheonly.c) */
    bool discard;              /* write no result files (not an option: explore, shrink) */
    const ds_replay_hooks *hooks; /* NULL: none (not an option: set by the crash lab) */
    /* Set (non-zero) by a signal handler: stop issuing, drain, write every CSV (summary.csv
     * interrupted = 1). NULL: not interruptible. Not an option. */
    volatile sig_atomic_t *stop;
} ds_replay_opts;

/* What --explore-schedule turns on besides the engine's perturbations. */
#define DS_EXPLORE_EVICT_TIES 8

void ds_replay_opts_default(ds_replay_opts *o);

/* Set one option by its name (without "--"), as in a config file line. value may be NULL for
 * the valueless flags (closed, quiet, miss-is-set, ...). Errors: "--name: what is wrong". */
ds_status ds_cli_set(ds_replay_opts *o, const char *name, const char *value, ds_err *err);

/* Load "name value" lines ('#' comments). Errors: "FILE:LINE: what is wrong". */
ds_status ds_cli_load_file(ds_replay_opts *o, const char *path, ds_err *err);

/* Parse `replay` arguments (argv[0] is the first argument after the verb): the trace path and
 * flags. --config FILE is applied first, so flags override the file. *help set for --help. */
ds_status ds_cli_parse(ds_replay_opts *o, int argc, char **argv, bool *help, ds_err *err);

/* The effective configuration, in a fixed order: n pairs written into names/values (values
 * point into `buf`, which must hold DS_CLI_EFFECTIVE_BUF bytes). Returns the count. */
#define DS_CLI_EFFECTIVE_MAX 64
#define DS_CLI_EFFECTIVE_BUF 8192
size_t ds_cli_effective(const ds_replay_opts *o, const char **names, const char **values,
                        char *buf);

/* Fill o->out when empty: results/<trace basename>-<8 hex digits of the config hash>. */
void ds_cli_default_out(ds_replay_opts *o);

void ds_cli_usage(FILE *f);

/* The effective value of option `name` (host or core) as config.txt prints it; false when no
 * option has that name. */
bool ds_cli_value(const ds_replay_opts *o, const char *name, char *buf, size_t cap);

/* --cache-only (sim/cacheonly.c): refuse what it cannot honour ("--opt: ..."), then make the
 * options say what the run does (evict-at insert, origin on, latency fixed:0, oracle off). */
ds_status ds_cache_only_opts(ds_replay_opts *o, ds_err *err);

/* ------------------------------------------------------------------------------------------ */
/* Run (sim/replay.c)                                                                           */
/* ------------------------------------------------------------------------------------------ */

typedef struct ds_replay_result {
    ds_stats stats;
    bool interrupted; /* o->stop was set: the run stopped issuing early, then drained */
    uint64_t requests, stale_reads, lost_writes, errors;
    double sim_seconds, wall_seconds;
    uint64_t n_op[DS_OP__COUNT + 1];   /* answered requests per op; [DS_OP__COUNT] = all */
    int64_t q_ns[DS_OP__COUNT + 1][4]; /* p50, p99, p999, max latency (from intended) per op */
    int64_t sq_ns[4];                  /* p50, p99, p999, max service latency, all ops */
    char first_error[256];             /* the first command that answered an error */
    char first_race[256];              /* the first oracle violation, one line ("" = none) */
    bool crashed;                      /* hooks: the power went (no drain ran) */
    int64_t crash_us;                  /* when */
} ds_replay_result;

/* Run one replay. DS_OK even when the oracle found violations (they are in the result); an
 * error status for bad input (trace line, option, IO) with the one-line message in err. */
ds_status ds_replay_run(const ds_replay_opts *o, ds_replay_result *res, ds_err *err);

/* The trace file's size in bytes (as stored: compressed for .zst); -1 for gen:, stdin. */
int64_t ds_trace_file_bytes(const char *trace);
/* The cache-only run, called by ds_replay_run when o->cache_only. */
ds_status ds_cache_only_run(const ds_replay_opts *o, ds_replay_result *res, ds_err *err);

void ds_replay_print_summary(FILE *f, const ds_replay_opts *o, const ds_replay_result *r);

/* `dslab replay ...`: parse, run, print the summary; returns the exit code. Like the other
 * verbs, argv[0] is the verb name. */
int ds_main_replay(int argc, char **argv);
/* SIGINT/SIGTERM handlers for `dslab replay`: the first signal sets the returned flag (pass it
 * as ds_replay_opts.stop), a second one exits at once with status 130. */
volatile sig_atomic_t *ds_replay_signals_install(void);
/* The DESIGN.md rules that cfg's toggles break, "4+7" ("none" when no toggle is on). */
void ds_toggle_rules(const ds_config *cfg, char *buf, size_t cap);

/* `dslab check ...`: race scenarios; returns the exit code. */
int ds_main_check(int argc, char **argv);

/* ------------------------------------------------------------------------------------------ */
/* Engines                                                                                     */
/* ------------------------------------------------------------------------------------------ */

typedef struct rp_run rp_run;
typedef struct rp_engine rp_engine;

/* What an engine provides. replay.c builds the cache's ds_host from these. */
typedef struct rp_engine_ops {
    const char *name;
    int64_t (*now_ns)(rp_engine *e);  /* the run's clock in nanoseconds */
    bool (*wait_io)(rp_engine *e);    /* host.wait_io */
    void (*jobs_ready)(rp_engine *e); /* host.jobs_ready */
    void (*pump)(rp_engine *e);       /* after every cache call: take new jobs */
    void (*client_wake)(rp_engine *e, uint32_t idx, int64_t delay_us);
    ds_status (*run)(rp_engine *e, ds_err *err); /* the whole trace; not the drain */
    void (*free)(rp_engine *e);
    int64_t (*core_busy_ns)(rp_engine *e); /* busy time of the modelled core; NULL = none */
    /* CPU model: client idx's next request needs the core for cost_ns; the engine calls
     * rp_client_exec(idx) when it has been served. NULL: no model (commands run at once). */
    void (*core_submit)(rp_engine *e, uint32_t idx, int64_t cost_ns);
    /* Closed loop: would a client's wake-up scheduled now, without delay, be the next event
     * (nothing else is due now)? Then the engine counts it as scheduled and run (it takes its
     * sequence number) and returns true, and the replay runs the step at once; the replay asks
     * only where nothing else follows in the current event. NULL: never. */
    bool (*wake_inline)(rp_engine *e);
} rp_engine_ops;

struct rp_engine {
    const rp_engine_ops *ops;
    /* The clock itself when it is a variable (virtual time): the replay reads it directly,
     * about ten times a request, instead of calling now_ns. NULL: call now_ns (wall clock). */
    const int64_t *clock_ns;
};

rp_engine *ds_engine_virtual_new(rp_run *r, const ds_replay_opts *o, ds_err *err);

/* What replay.c offers an engine. */
int rp_next_record(rp_run *r, const ds_trace_req **req, ds_err *err);  /* 1, 0 end, -1 */
int64_t rp_arrival_ns(rp_run *r, const ds_trace_req *req);             /* speed applied */
int64_t rp_expire_us(int64_t now_us, int64_t ttl_s);                   /* saturating; 0 = no TTL */
ds_status rp_deliver(rp_run *r, const ds_trace_req *req, ds_err *err); /* open loop */
/* The client's wake-up: issue its next queued request if it is free. *idle is set when it
 * has nothing queued (closed loop: the engine reads more of the trace). */
ds_status rp_client_step(rp_run *r, uint32_t idx, bool *idle, ds_err *err);
bool rp_closed(const rp_run *r);
bool rp_stopping(const rp_run *r); /* interrupted: engines stop issuing and return */
/* CPU model: the core has served client idx's sent request: run it now. */
ds_status rp_client_exec(rp_run *r, uint32_t idx, ds_err *err);
/* After each event: track the time used memory spends above cache-max-memory. */
void rp_mem_sample(rp_run *r);
/* Closed loop: read records into their clients' FIFOs until client idx has one queued, or
 * read exactly one record when idx == UINT32_MAX; sets *eof at the end of the trace. */
ds_status rp_closed_fill(rp_run *r, uint32_t idx, bool *eof, ds_err *err);
/* Closed loop: client idx's wake-up, rp_client_step and (when it is idle) rp_closed_fill in
 * one call. */
ds_status rp_closed_wake(rp_run *r, uint32_t idx, bool *eof, ds_err *err);
uint64_t rp_clients_parked(const rp_run *r);
ds_cache *rp_cache(rp_run *r);
struct ds_iolat *rp_iolat(rp_run *r); /* NULL unless the run measures real costs */
ds_backend *rp_backend(rp_run *r);
ds_status rp_tick(rp_run *r, int64_t now_ns, ds_err *err); /* metrics + progress */
ds_status rp_point_in_time(rp_run *r, ds_err *err);        /* drain + backend check */
/* Crash lab: the crash point (0 = none), and the crash itself: the engine stopped with
 * jobs[0..n) in flight (calls[i] planned for them). */
int64_t rp_crash_at(const rp_run *r);
ds_status rp_crash(rp_run *r, ds_job *const *jobs, ds_call *calls, uint32_t n, ds_err *err);

#endif
