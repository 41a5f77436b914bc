/*
 * explore.h - schedule exploration: one trace, one set of replay options, N seeds, each replay
 * under --explore-schedule with its own seed, on every core (seedrun.h).
 */
#ifndef DS_EXPLORE_H
#define DS_EXPLORE_H

#include <stdio.h>

#include "replay.h"

typedef struct ds_explore_opts {
    uint64_t first, seeds; /* seeds first .. first + seeds - 1 */
    unsigned jobs;         /* 0 = one process per core */
    const char *dir;       /* explore.csv, seed-S/ for violating seeds */
    FILE *print;           /* one line per violating seed, or NULL */
    uint64_t keep;         /* keep DIR/seed-S/ of at most this many violating seeds (0: none) */
} ds_explore_opts;

typedef struct ds_explore_sum {
    uint64_t seeds, violating, stale_reads, lost_writes;
    uint64_t first_violating_seed; /* valid when violating > 0 */
    char first_race[256];          /* of that seed */
    unsigned jobs;
    double wall_seconds, seeds_per_second;
} ds_explore_sum;

/* Replay o->trace with o's options for every seed (o->seed and o->out are overridden,
 * explore-schedule is forced on). Writes DIR/explore.csv. Violations are results (DS_OK). */
ds_status ds_explore(const ds_replay_opts *o, const ds_explore_opts *xo, ds_explore_sum *sum,
                     ds_err *err);

int ds_main_explore(int argc, char **argv);
int ds_main_shrink(int argc, char **argv);

#endif
