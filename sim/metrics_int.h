/*
 * metrics_int.h - the metrics' state, shared by metrics.c (recording, timeseries.csv,
 * races.csv, latency.csv, config.txt) and metrics_summary.c (summary.csv). Not an interface:
 * nothing else includes it.
 */
#ifndef DS_METRICS_INT_H
#define DS_METRICS_INT_H

#include <stdio.h>

#include "hist.h"
#include "metrics.h"

#define DS_METRICS_PATH_MAX            4096
#define DS_METRICS_DEFAULT_INTERVAL_NS 1000000000LL
#define NH                             (DS_OP__COUNT + 1) /* per op, then ALL */

struct ds_metrics {
    char dir[DS_METRICS_PATH_MAX];
    FILE *ts, *races;
    int64_t interval_ns;
    int64_t row_start_ns;            /* start of the interval being accumulated */
    int64_t last_now_ns;             /* latest clock seen */
    uint64_t done[DS_OP__COUNT + 1]; /* completions in the current interval, per op and all */
    ds_stats prev, last;             /* stats at the previous row / latest snapshot */
    ds_gauges gprev, glast;          /* gauges at the previous row / latest snapshot */
    int64_t gsnap_ns;                /* when glast was taken */
    bool have_model;                 /* the engine models the core (core_busy_ns >= 0) */
    ds_phase phase, row_phase;       /* current phase; the phase a row started in */
    ds_hist *hist[NH], *svc[NH];     /* run phase: intended and service latency, ns */
    ds_hist *row_hist, *row_svc;     /* the current interval, every phase, flushed */
    /* A request's two latencies go into these, per op ([DS_OP__COUNT]: an op out of range),
     * allocated at the op's first answer; ds_metrics_flush moves them into the row's and, in the
     * run phase, the run's histograms at every row and phase change (ds_metrics_flush): one
     * add a latency instead of two. */
    ds_hist *cur[NH], *cur_svc[NH];
    uint64_t measured;                    /* completions in the run phase */
    uint64_t warm_requests;               /* completions in the warm-up */
    int64_t run_start_ns, drain_start_ns; /* -1: not reached */
    ds_stats run_base, run_end;           /* stats at the start and end of the run phase */
    ds_gauges grun_base, grun_end;
    ds_status werr; /* first write error */
    ds_err werr_msg;
};

/* metrics.c */
FILE *ds_metrics_create(const ds_metrics *m, const char *name, const char *header, ds_err *err);
ds_status ds_metrics_fclose(const ds_metrics *m, FILE *f, const char *name, ds_status st,
                            ds_err *err);
void ds_metrics_sum_all(const ds_metrics *m); /* the ALL histograms, merged from the ops' */
void ds_metrics_flush(const ds_metrics *m);   /* the pending adds into row and run (cur) */

/* metrics_summary.c */
void ds_fmt_trace_bytes(const ds_run_info *in, char *buf, size_t len);
ds_status ds_metrics_write_summary(ds_metrics *m, const ds_stats *final, const ds_run_info *in,
                                   int64_t end_ns, ds_err *err);

#endif /* DS_METRICS_INT_H */
