/*
 * crashlab.h - `dslab crash`: the simulated crash lab.
 *
 * Per seed: replay the trace in virtual time on fake(crash(store)), where the crash shim
 * (backend/crash.h) keeps writes not yet durable in a volatile layer; cut the power at a
 * seeded moment (each volatile write and each write in flight applied, dropped or torn), then
 * reopen the store and check it with the crash rules (sim/crashrules.h) against the SAVEs the
 * run made and the ones the store acknowledged. Seeds run on every core (sim/seedrun.h).
 */
#ifndef DS_CRASH_LAB_H
#define DS_CRASH_LAB_H

#include "crash.h"
#include "crashrules.h"
#include "replay.h"

typedef struct ds_crash_lab_opts {
    ds_replay_opts replay; /* the trace and every replay option; replay.seed is the first seed */
    uint64_t seeds;        /* how many seeds: replay.seed .. replay.seed + seeds - 1 */
    unsigned procs;        /* worker processes; 0 = one per core */
    int64_t writeback_ms;  /* --fsync never: age at which a write reaches the disk */
} ds_crash_lab_opts;

/* One seed's outcome: plain data (it crosses a pipe). */
typedef struct ds_crash_seed {
    uint64_t seed;
    int64_t crash_us;
    uint64_t requests;
    ds_crash_counts counts;
    ds_cc_report rep;
    char msg[256]; /* the first violation ("" = none) */
} ds_crash_seed;

/* True when the seed kept every rule (no acknowledged write lost, no torn value). */
bool ds_crash_seed_ok(const ds_crash_seed *s);

/* Run every seed; out has o->seeds entries, in seed order. *span_us receives the reference
 * run's length (the crash moment is drawn in (0, span]). */
ds_status ds_crash_lab_run(const ds_crash_lab_opts *o, ds_crash_seed *out, int64_t *span_us,
                           ds_err *err);

/* `dslab crash TRACE --seeds N [--procs P] [--writeback-ms MS] [replay options]`. */
int ds_main_crash(int argc, char **argv);

#endif /* DS_CRASH_LAB_H */
