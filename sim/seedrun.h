/*
 * seedrun.h - run one function over a range of seeds on every core (dslab explore, dslab check
 * --seeds; meant for any seed loop, such as a crash campaign).
 *
 * Why processes and not threads: a replay is a whole program (engine, cache, backend, oracle,
 * metrics, files); a forked worker per core gives each seed loop its own address space, so a
 * seed that crashes or leaks cannot disturb another, and nothing in the replay has to be made
 * thread-safe. Workers take seeds round-robin (worker k: first+k, first+k+jobs, ...), send one
 * text line per seed through a pipe, and the parent hands the lines to `collect` in seed order
 * as soon as they are contiguous, so the output is the same for any number of workers.
 */
#ifndef DS_SEEDRUN_H
#define DS_SEEDRUN_H

#include <stddef.h>
#include <stdint.h>

#include "dslab.h"

#define DS_SEEDRUN_LINE_MAX 1024

typedef struct ds_seedrun_opts {
    uint64_t first; /* first seed */
    uint64_t count; /* seeds first .. first + count - 1 */
    unsigned jobs;  /* worker processes; 0 = one per online core (capped at count) */
} ds_seedrun_opts;

/* In a worker: run one seed, write its result as one line (no newline) into out (cap bytes).
 * worker is 0..jobs-1 (for per-worker scratch directories). Return DS_OK, or an error status
 * with the message in out: the whole run then fails with "seed S: message". */
typedef ds_status (*ds_seed_fn)(void *ctx, unsigned worker, uint64_t seed, char *out, size_t cap);

/* In the parent, once per seed, in seed order. */
typedef void (*ds_seed_collect_fn)(void *ctx, uint64_t seed, const char *line);

typedef struct ds_seedrun_stats {
    unsigned jobs;
    double wall_seconds;
    double seeds_per_second;
} ds_seedrun_stats;

/* How many worker processes ds_seedrun would start for o. */
unsigned ds_seedrun_jobs(const ds_seedrun_opts *o);

/* Fork the workers, collect, wait for them. stdout and stderr are flushed before forking.
 * Errors: a worker that fails or dies names the seed (DS_ERR_STATE), fork/pipe failures
 * (DS_ERR_IO). collect has been called for every seed before the first failing one. */
ds_status ds_seedrun(const ds_seedrun_opts *o, ds_seed_fn run, void *run_ctx,
                     ds_seed_collect_fn collect, void *collect_ctx, ds_seedrun_stats *stats,
                     ds_err *err);

#endif
