/*
 * calpool.h - the measurements of a calibration's real runs, pooled.
 *
 * Why pool: one real run's tails are noisy. On the 2-core VM the p99 of a term (handoff,
 * service_set) moved by 1.5-2x between single runs of the same trace, so a calibration from one
 * run made the virtual run too pessimistic in one invocation and too optimistic in the next.
 * `dslab calibrate --runs N` (default 3) replays the trace N times and reads every run's
 * io_latency.csv and core_cpu.csv here: a term's histogram is the median run's (by that term's
 * p99), a mean or a count is the runs' total over their count.
 */
#ifndef DS_CALPOOL_H
#define DS_CALPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "csvtab.h"
#include "dslab.h"

#define DS_CALPOOL_MAX 10 /* runs */

typedef struct ds_calpool {
    ds_csvtab io[DS_CALPOOL_MAX], cpu[DS_CALPOOL_MAX];
    int n;
} ds_calpool;

/* Read RUN_DIR/io_latency.csv and RUN_DIR/core_cpu.csv into the pool. */
ds_status ds_calpool_add(ds_calpool *p, const char *run_dir, ds_err *err);
void ds_calpool_free(ds_calpool *p);

/* The histogram of io_latency.csv kind `kind` -> PATH, lines "latency_us cumulative_fraction"
 * (the hist: latency model), from the run whose p99 of it is the median of the runs' (a
 * disturbed run's tail does not set the model's); nonzero: of its samples above 0 us only.
 * Returns the sample count (0: no file). */
uint64_t ds_calpool_write_hist(const ds_calpool *p, const char *kind, bool nonzero,
                               const char *path, ds_err *err);

/* Mean (bucket midpoints) of kind; *n its samples, *nonzero those above 0 us (either may be
 * NULL). 0 without samples. */
double ds_calpool_mean(const ds_calpool *p, const char *kind, uint64_t *n, uint64_t *nonzero);

/* core_cpu.csv -> core-cost-us "get:1.04,...,harness:14.7" (calpool.c says what harness is). */
void ds_calpool_core_costs(const ds_calpool *p, char *buf, size_t cap, double *harness_us);

#endif /* DS_CALPOOL_H */
