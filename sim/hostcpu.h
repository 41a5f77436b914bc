/*
 * hostcpu.h - virtual time: the host's cores, shared by the main thread and the IO threads.
 *
 * Why: on the 2-core machine a real run's tail is set by the host, not by the disk. A file
 * SAVE spends ~60% of its time on a core (kernel write and rename: io_latency.csv cpu_set), so
 * when cron hands four IO threads a burst of SAVEs they hold both cores, and the main thread,
 * woken for the next arrival or a finished LOAD, waits for one: measured arrival lateness p90
 * 0.2 ms, while the core's own work is 1-2 us. Virtual time without this term charged none of
 * it (GET p90 54 us virtual vs 224 us real on the default workload).
 *
 * Model (option host-cpu cpus=N,get=F,set=F,del=F; dslab calibrate measures every term):
 *   - N cores. An IO call of service time S (its latency model) first needs a core for F*S
 *     (F by op: the calibrated share of the call spent on a core), then the rest off-core (the
 *     device, with --disk-channels).
 *   - The main thread needs a core for each item of the modelled core (command, hand-back,
 *     cron) and keeps it while it has items queued; when idle it gives it back.
 *   - A core that frees goes to the main thread first when it waits (a woken thread that slept
 *     is picked before threads that ran: what Linux's fair scheduler does for a thread with
 *     lag), else to the IO thread waiting longest (FIFO). Bursts are not preempted: the
 *     scheduler's time slice (0.75-3 ms) is longer than nearly every measured burst.
 *   - preempt=P (default 0): an IO thread the running main thread wakes for a job takes the
 *     main thread's core with probability P, even when another core is idle (the scheduler
 *     places the woken thread on its waker's CPU and, the woken thread having slept, lets it
 *     preempt the waker); the main thread then waits, first in line, for a core: the one its
 *     preemptor gives back after its part of the call on a core, or any that frees first.
 *     While it waits it hands out no further job (in the real engine the main thread signals
 *     each IO thread itself): the rest of a cron's burst of SAVEs waits for it.
 *     Measured with perf sched on the default workload (2 cores): 17% of the main thread's
 *     runs ended preempted, 98% of them by an IO thread, the other core idle in 54% of them;
 *     preempted p50 10 us (a GET's CPU part is 11 us), p90 92 us (a SAVE's is 85 us).
 *     calibrate measures P as (awake periods of the main thread with a preemption) / (IO
 *     thread wake-ups), both from io_latency.csv.
 * This file is the bookkeeping only (who holds or waits for a core); the engine turns grants
 * into events.
 */
#ifndef DS_HOSTCPU_H
#define DS_HOSTCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dslab.h"

/* The option host-cpu: "none" (cpus = 0), or cpus=N,get=F,set=F,del=F (shares 0..1 by ds_bop;
 * an op left out has share 0). */
typedef struct ds_host_model {
    uint32_t cpus;
    double share[3];
    double preempt; /* 0..1 */
} ds_host_model;

ds_status ds_host_model_parse(const char *spec, ds_host_model *out, ds_err *err);
void ds_host_model_format(const ds_host_model *m, char *buf, size_t cap);

#define DS_HOSTCPU_NONE UINT32_MAX /* ds_hostcpu_release: nobody waited */
#define DS_HOSTCPU_MAIN (UINT32_MAX - 1)

typedef struct ds_hostcpu {
    uint32_t ncpu, busy;
    bool main_waits;
    uint32_t *q; /* IO servers waiting for a core, FIFO ring */
    size_t head, n, cap;
} ds_hostcpu;

/* ncpu > 0. Returns false when out of memory. */
bool ds_hostcpu_init(ds_hostcpu *h, uint32_t ncpu, uint32_t max_servers);
void ds_hostcpu_free(ds_hostcpu *h);

/* IO server `server` wants a core: true when it has one now, false when it waits in line. */
bool ds_hostcpu_io_want(ds_hostcpu *h, uint32_t server);

/* What an IO server that wants a core gets (ds_hostcpu_io_wake). */
typedef enum { DS_HC_WAIT = 0, DS_HC_RUN, DS_HC_PREEMPT } ds_hc_grant;

/* IO server `server` wants a core. preempt_main: the caller lets it take the main thread's core
 * (the main thread holds one, and the preempt draw said so). DS_HC_RUN: a free core;
 * DS_HC_PREEMPT: the main thread's core (the main thread now waits, first in line);
 * DS_HC_WAIT: it waits in line. */
ds_hc_grant ds_hostcpu_io_wake(ds_hostcpu *h, uint32_t server, bool preempt_main);

/* The main thread wants a core: true when it has one now, false when it waits (first in line). */
bool ds_hostcpu_main_want(ds_hostcpu *h);

/* The main thread, waiting for a core, no longer wants one. */
void ds_hostcpu_main_cancel(ds_hostcpu *h);

/* A holder gives its core back. Returns who gets it now: DS_HOSTCPU_MAIN, an IO server, or
 * DS_HOSTCPU_NONE (the core is idle). */
uint32_t ds_hostcpu_release(ds_hostcpu *h);

#endif /* DS_HOSTCPU_H */
