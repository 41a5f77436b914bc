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

#include <stdint.h>

#include "dslab.h"
#include "hist.h"

typedef struct ds_metrics ds_metrics;

#define DS_RUN_CPU_COLS 5

typedef struct ds_run_info { /* what summary.csv needs besides ds_stats */
    const char *const *cfg_names;
    const char *const *cfg_values;
    size_t ncfg; /* effective config */
    uint64_t requests, stale_reads, lost_writes, errors;
    double sim_seconds, wall_seconds;
    const char *trace;   /* path or gen: spec as given; NULL: unknown (trace columns empty) */
    int64_t trace_bytes; /* size of the trace file; < 0 for gen: specs and stdin */
    bool core_cpu;       /* real clock: core_cpu_us holds measured means (sim/iolat.h) */
    double core_cpu_us[DS_RUN_CPU_COLS]; /* get, set, del, job hand-back, cron */
} ds_run_info;

/* The summary.csv columns after trace, trace_bytes and the config columns, in file order:
 * fills up to cap names and returns how many there are. */
size_t ds_metrics_summary_columns(const char **names, size_t cap);

/* mkdir -p dir; opens timeseries.csv and races.csv with headers; the error names the path.
 * interval_us <= 0 means the default of 1 s. */
ds_metrics *ds_metrics_open(const char *dir, int64_t interval_us, ds_err *err);

/* Record one request's latency in its op's histogram and in "ALL". */
void ds_metrics_latency(ds_metrics *m, ds_op op, int64_t latency_us);

/* A request finished at now_us (counted in the interval that contains now_us). */
void ds_metrics_completed(ds_metrics *m, int64_t now_us, ds_op op);

/* The engine calls this whenever its clock passes; writes one timeseries row per elapsed
 * interval (rows for intervals with no events too), from deltas of ds_stats and completions. */
ds_status ds_metrics_tick(ds_metrics *m, int64_t now_us, const ds_stats *st, ds_err *err);

/* One oracle violation; kind is "stale_read" or "lost_write". Keys with non-printable bytes
 * are escaped as \xNN. */
ds_status ds_metrics_race(ds_metrics *m, int64_t time_us, uint64_t client, ds_op op,
                          const void *key, uint32_t keylen, const char *expected,
                          const char *observed, const char *kind, ds_err *err);

/* Final timeseries row, latency.csv, summary.csv, config.txt (the effective config, one
 * "name value" line each, loadable again with --config), then frees m (always, even on error).
 * Write errors -> status. */
ds_status ds_metrics_close(ds_metrics *m, const ds_stats *st, const ds_run_info *info, ds_err *err);

/* The histogram of one op; op == DS_OP__COUNT gives "ALL". */
const ds_hist *ds_metrics_hist(const ds_metrics *m, ds_op op);

#endif /* DS_METRICS_H */
