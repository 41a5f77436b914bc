/*
 * hostload.h - how much of the machine other processes used while a real run ran.
 *
 * Why: a real-clock run shares the host. On the 2-core machine one neighbour (a compiler, a
 * benchmark) moves a real GET p99 from 0.3 ms to 8 ms, which no model of dslab itself can
 * predict. `dslab validate` and `dslab calibrate` therefore measure, around every real run, the
 * CPU time the whole machine spent (/proc/stat: user, nice, system, irq, softirq) minus what
 * this process spent (getrusage, every thread), divided by the wall time: the cores other
 * processes used. A run above the limit is not a sample of this machine's own behaviour; the
 * callers wait for a quiet moment and repeat it.
 *
 * Resolution: /proc/stat counts in clock ticks (10 ms), so an interval shorter than about a
 * second reads as noise; the callers use it on whole runs and on 1 s waits.
 */
#ifndef DS_HOSTLOAD_H
#define DS_HOSTLOAD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct ds_hostload {
    uint64_t busy_ticks, steal_ticks; /* /proc/stat, all CPUs */
    int64_t own_us;                   /* this process's user + system time */
    int64_t wall_ns;                  /* CLOCK_MONOTONIC */
    bool ok;                          /* /proc/stat was readable */
} ds_hostload;

/* CLOCK_MONOTONIC in ns: the real-time side's one clock reading (engine_real, calibrate, here). */
int64_t ds_mono_ns(void);

/* A snapshot of now. */
void ds_hostload_take(ds_hostload *h);

/* Cores used by other processes between two snapshots (0 when /proc/stat is unreadable or the
 * interval is empty), and stolen by the hypervisor (steal) in *steal_cores when not NULL. */
double ds_hostload_other(const ds_hostload *a, const ds_hostload *b, double *steal_cores);

/* Wait (1 s samples) until other processes use at most max_cores, or timeout_s passes
 * (timeout_s <= 0: return at once, *quiet true).
 * Returns the last sample's load; *quiet tells whether it was within the limit. */
double ds_hostload_wait_quiet(double max_cores, double timeout_s, bool *quiet);

/* Run fn on a quiet machine: before each attempt wait up to wait_s for others to use at most
 * max_cores; an attempt during which they used more is repeated, up to `retries` times (the
 * last is kept, with a warning). Each attempt is a line "run,attempt,wall_s,other_cores,
 * steal_cores,accepted" of runs_csv (when not NULL); messages go to stderr prefixed by who.
 * Returns fn's status; *other_cores is the kept attempt's load. */
typedef struct ds_quiet {
    double max_cores, wait_s;
    int retries;
} ds_quiet;
typedef int (*ds_quiet_fn)(void *arg); /* 0 = done; else stop (fn keeps its own error) */

/* The defaults (0.15 cores, 120 s, 3 retries), and the command-line options that change them
 * (--max-host-load 0..4096 cores, --quiet-wait 0..86400 s, --retries 0..100), shared by
 * calibrate and validate. ds_quiet_option returns 0 when it took the option, 1 when the name
 * is not one of these, 2 after printing "WHO: --opt: ..." for a bad value. */
#define DS_QUIET_DEFAULT ((ds_quiet){0.15, 120, 3})
int ds_quiet_option(ds_quiet *q, const char *who, const char *name, const char *value);
int ds_hostload_quiet_run(const ds_quiet *q, const char *who, int run, FILE *runs_csv,
                          ds_quiet_fn fn, void *arg, double *other_cores);

#endif /* DS_HOSTLOAD_H */
