/*
 * metrics.h - the results writer of a run: timeseries.csv, races.csv, latency.csv, summary.csv
 * and config.txt in one directory (DESIGN.md section 5 is the contract for every column).
 *
 * Why one module: every CSV a user compares across runs comes out of here, so number formatting
 * is in one place and deterministic (same inputs, byte-identical files). The engine feeds it
 * latencies, completions, periodic ds_stats snapshots and oracle violations; it never reads a
 * clock itself (wall_seconds comes in through ds_run_info).
 */
#ifndef DS_METRICS_H
#define DS_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "dslab.h"
#include "hist.h"

typedef struct ds_metrics ds_metrics;

#define DS_RUN_CPU_COLS 5
/* Phases of a run: the warm-up (--warmup) and the final drain are kept out of the run's
 * latencies, counters and rates; the timeseries keeps them, marked in its `phase` column. */
typedef enum ds_phase { DS_PHASE_WARMUP = 0, DS_PHASE_RUN, DS_PHASE_DRAIN } ds_phase;

/* Host-side gauges sampled at every row (the engine's and the clients' state). */
typedef struct ds_gauges {
    uint64_t client_queue_len; /* open loop: requests due but still waiting in client FIFOs */
    uint64_t active_area;      /* cumulative integral of active clients over time (client*ns) */
    int64_t core_busy_ns;      /* cumulative busy time of the modelled core; < 0 = no model */
} ds_gauges;

typedef struct ds_run_info { /* what summary.csv needs besides ds_stats */
    const char *const *cfg_names;
    const char *const *cfg_values;
    size_t ncfg; /* effective config */
    uint64_t requests, stale_reads, lost_writes, errors;
    double sim_seconds, wall_seconds; /* sim_seconds: the run's clock at its very end */
    const char *trace;   /* path or gen: spec as given; NULL: unknown (trace columns empty) */
    int64_t trace_bytes; /* size of the trace file; < 0 for gen: specs and stdin */
    bool core_cpu;       /* real clock: core_cpu_us holds measured means (sim/iolat.h) */
    double core_cpu_us[DS_RUN_CPU_COLS]; /* get, set, del, job hand-back, cron */
    uint64_t client_queue_max;           /* longest FIFO of one client (open loop) */
    uint64_t memory_over_limit_max_bytes;
    double memory_over_limit_seconds;
    uint64_t interrupted; /* 1: SIGINT/SIGTERM stopped the run early (it drained, then wrote) */
} ds_run_info;

/* The summary.csv columns after trace, trace_bytes and the config columns, in file order:
 * fills up to cap names and returns how many there are. */
size_t ds_metrics_summary_columns(const char **names, size_t cap);

/* mkdir -p dir; opens timeseries.csv and races.csv with headers; the error names the path.
 * interval_ns <= 0 means the default of 1 s. Times given to metrics are nanoseconds of the
 * run's clock; latencies are nanoseconds; files print microseconds (3 decimals) and seconds.
 * dir == NULL: a run that writes no files (everything goes to /dev/null). */
ds_metrics *ds_metrics_open(const char *dir, int64_t interval_ns, ds_err *err);

/* Record one request: latency = completion - intended time, service = completion - issue.
 * Dropped outside the run phase (warm-up). */
void ds_metrics_latency(ds_metrics *m, ds_op op, int64_t latency_ns, int64_t service_ns);

/* A request finished at now_ns (counted in the interval that contains now_ns). */
void ds_metrics_completed(ds_metrics *m, int64_t now_ns, ds_op op);

/* Both of the above for one answer (latency first), in one call: the replay's. Returns when
 * the current row ends (no row is due before it; a later tick may move it on). */
int64_t ds_metrics_answer(ds_metrics *m, int64_t now_ns, ds_op op, int64_t latency_ns,
                          int64_t service_ns);

/* True when now_ns is past the end of the current row: the caller should tick first (with
 * fresh stats) so that the row's counters are the ones of its own interval. */
bool ds_metrics_row_due(const ds_metrics *m, int64_t now_ns);

/* The engine calls this whenever its clock passes; writes one timeseries row per elapsed
 * interval (rows for intervals with no events too), from deltas of ds_stats and completions.
 * g may be NULL (no host gauges). */
ds_status ds_metrics_tick(ds_metrics *m, int64_t now_ns, const ds_stats *st, const ds_gauges *g,
                          ds_err *err);

/* Enter a phase at now_ns with the stats and gauges of that moment (the boundaries of the
 * measured window). WARMUP is only valid before anything is recorded. */
void ds_metrics_phase(ds_metrics *m, ds_phase ph, int64_t now_ns, const ds_stats *st,
                      const ds_gauges *g);
ds_phase ds_metrics_current_phase(const ds_metrics *m);

/* One oracle violation, naming the race (races.csv): the observer (a read answered at
 * time_us, issued at issue_us; or the point-in-time drain, op "DRAIN"), what it expected and
 * saw, the rule(s) the run's toggles break, and the write it missed: the key's last
 * acknowledged write (time, client, op, version; has_write false when there was none). */
typedef struct ds_race_row {
    int64_t time_us, issue_us;
    uint64_t client;
    const char *op;
    const void *key;
    uint32_t keylen;
    const char *expected, *observed, *kind, *rule;
    bool has_write;
    int64_t write_time_us;
    uint64_t write_client;
    const char *write_op, *write_version;
} ds_race_row;
ds_status ds_metrics_race_row(ds_metrics *m, const ds_race_row *row, ds_err *err);

/* The same with only the first seven columns filled (kind is "stale_read" or "lost_write").
 * Keys with non-printable bytes are escaped as \xNN. */
ds_status ds_metrics_race(ds_metrics *m, int64_t time_us, uint64_t client, ds_op op,
                          const void *key, uint32_t keylen, const char *expected,
                          const char *observed, const char *kind, ds_err *err);

/* Final timeseries row, latency.csv, summary.csv, config.txt (the effective config, one
 * "name value" line each, loadable again with --config), then frees m (always, even on error).
 * Write errors -> status. */
ds_status ds_metrics_close(ds_metrics *m, const ds_stats *st, const ds_run_info *info, ds_err *err);

/* The intended-time latency histogram (ns) of one op; op == DS_OP__COUNT gives "ALL". Both
 * getters first flush the latencies added since the last row into the run's histograms (a
 * write through m's pointers): call them from the thread that adds, as the engines do. */
const ds_hist *ds_metrics_hist(const ds_metrics *m, ds_op op);
/* The service-time histogram (ns), same indexing. */
const ds_hist *ds_metrics_service_hist(const ds_metrics *m, ds_op op);

#endif /* DS_METRICS_H */
