/*
 * iolat.h - what a real-clock run spends outside the modelled costs: io_latency.csv and
 * core_cpu.csv.
 *
 * Why: virtual time charges a latency model per backend call, a CPU cost per command and
 * (optionally) a hand-off delay per completion. `dslab calibrate` needs those quantities
 * measured on the real engine, and `dslab validate` needs them to explain a disagreement. So a
 * real run records, on the main thread only (workers write timestamps into their job node; the
 * main thread reads them after the done-queue mutex, so no extra locking):
 *   - backend_get/backend_set/backend_del: a worker's time on one job (plan, any fake sleep, the
 *     backend call), by op;
 *   - queue_wait: from the job's creation in the core (its IO queue, ordered by the IO policy)
 *     to a worker picking it up;
 *   - handoff: from the worker's push onto the done queue to the main thread seeing the job;
 *     this, wakeup and worker_wakeup keep any wait for a core after the wake-up: measured on
 *     the 2-core VM, the main thread waits for one after 5% of its wake-ups (main_runq p99
 *     57 us), mostly for the workers it has just woken, which host-cpu (IO calls' CPU and the
 *     core's work) does not reproduce (0.3% of wake-ups); subtracting it made the tail too
 *     short (GET p99 0.6x real);
 *   - arrival_late: an open-loop request whose client was free, from its intended time to its
 *     issue (timer wake-up of the main thread, or the main thread busy with other work);
 *   - wakeup: the main thread slept until an arrival was due; from that due time to the thread
 *     running again (the timer and scheduler part of arrival_late);
 *   - cpu_get/cpu_set/cpu_del: the worker's thread CPU time inside the backend call (the part of
 *     backend_* that needs a host core; the rest is blocking or waiting for a core);
 *   - worker_wakeup: from the main thread queueing a job (a worker is idle: it takes jobs only
 *     then) to a worker picking it up: the condition variable's wake-up;
 *   - main_runq: after each wake-up, how long the main thread waited for a core (schedstat);
 *     virtual time: how long the modelled core waited for a host core (host-cpu);
 *   - service_get/service_set/service_del: backend_* minus the time the worker was runnable but
 *     waited for a core (run_delay of /proc/thread-self/schedstat): the call's own time, which
 *     virtual time's host-cpu model stretches again by the wait it models;
 *   - the core's thread CPU time per command type and per job hand-back (CLOCK_THREAD_CPUTIME_ID),
 *     and the main thread's whole CPU time over the trace (main_thread, per request): what the
 *     harness itself spends (trace reading, oracle, metrics) is the difference.
 * io_latency.csv has latency.csv's format (op = the kind above); core_cpu.csv has one row per
 * command type: `op,count,total_us,mean_us`.
 */
#ifndef DS_IOLAT_H
#define DS_IOLAT_H

#include <stdint.h>

#include "dslab.h"
#include "hist.h"

typedef enum {
    DS_IOL_BACKEND_GET = 0,
    DS_IOL_BACKEND_SET,
    DS_IOL_BACKEND_DEL,
    DS_IOL_QUEUE_WAIT,
    DS_IOL_HANDOFF,
    DS_IOL_ARRIVAL_LATE,  /* open loop, client free: issue - intended (the host's own lateness) */
    DS_IOL_WAKEUP,        /* the main thread slept until an arrival was due: due -> awake */
    DS_IOL_CPU_GET,       /* the worker's own CPU time (thread clock) during a backend get */
    DS_IOL_CPU_SET,       /* ... set */
    DS_IOL_CPU_DEL,       /* ... delete */
    DS_IOL_SERVICE_GET,   /* backend_get minus the worker's wait for a core (run queue) */
    DS_IOL_SERVICE_SET,   /* ... set */
    DS_IOL_SERVICE_DEL,   /* ... delete */
    DS_IOL_WORKER_WAKEUP, /* from the main thread queueing a job to an idle worker running it */
    DS_IOL_MAIN_RUNQ,     /* the main thread, woken, waited this long for a core */
    DS_IOL_MAIN_PREEMPT,  /* per awake period of the main thread: its time preempted (run queue) */
    DS_IOL_MAIN_PREEMPT_LOAD, /* ... of the periods in which it handed out LOADs and no SAVE */
    DS_IOL_MAIN_PREEMPT_SAVE, /* ... of the periods in which it handed out a SAVE or delete */
    DS_IOL__COUNT
} ds_iol_kind;

/* Command types whose core CPU time is accounted: the ops, then job hand-backs and cron. */
typedef enum {
    DS_CPU_DONE_LOAD = DS_OP__COUNT, /* ds_cache_job_done of a LOAD */
    DS_CPU_DONE_SAVE,                /* ... of a SAVE or delete */
    DS_CPU_CRON,
    DS_CPU_MAIN, /* the main thread's whole CPU over the trace, count = requests */
    DS_CPU__COUNT
} ds_cpu_kind;

typedef struct ds_iolat ds_iolat;

ds_iolat *ds_iolat_new(void);
void ds_iolat_free(ds_iolat *l);
const char *ds_iol_name(ds_iol_kind k);
const char *ds_cpu_name(int kind); /* an op name in lower case, or done_load/done_save/cron */

/* Record one interval in ns (negative clamps to 0; stored with 1 us resolution). */
void ds_iolat_add(ds_iolat *l, ds_iol_kind k, int64_t ns);
/* main_preempt and its class: what the main thread handed out in the awake period, as
 * DS_IOL_HANDED bits of its jobs (OR'ed; 0: none), then its time preempted in that period. Both
 * engines class it so. */
#define DS_IOL_HANDED(job) ((job)->type == DS_JOB_LOAD ? 1u : 2u)
void ds_iolat_main_preempt(ds_iolat *l, int64_t ns, unsigned handed);
/* Intervals are recorded in the measured phase only, as latency.csv's (not during --warmup,
 * not in the final drain): a warm-up's load phase or the drain's SAVE burst would otherwise set
 * the tails that calibrate turns into models. The CPU accounts below are not paused. */
void ds_iolat_pause(ds_iolat *l, bool paused);
/* Account ns of core CPU to a command type (a ds_op or a ds_cpu_kind). */
void ds_iolat_cpu(ds_iolat *l, int kind, int64_t ns);
/* Account ns over n commands at once (DS_CPU_MAIN). */
void ds_iolat_cpu_n(ds_iolat *l, int kind, int64_t ns, uint64_t n);
const ds_hist *ds_iolat_hist(const ds_iolat *l, ds_iol_kind k);
/* Mean CPU us per command of that type (0 when none). */
double ds_iolat_cpu_mean_us(const ds_iolat *l, int kind);
uint64_t ds_iolat_cpu_count(const ds_iolat *l, int kind);

/* The calling thread's CPU clock in ns. */
int64_t ds_thread_cpu_ns(void);

/* The calling thread's run-queue wait so far (ns: runnable, not running), read from an fd of
 * its /proc/thread-self/schedstat (ds_schedstat_open, per thread); false (and 0) when the
 * kernel has no schedstat. Its first field, the CPU time, is not used: for the running thread
 * it is only brought up to date at the last tick or switch (a 20 us call read as 0); the
 * thread CPU clock (ds_thread_cpu_ns) is exact. The wait is exact: it grows when the thread
 * gets a core after waiting, a switch. */
int ds_schedstat_open(void);
bool ds_schedstat_wait(int fd, int64_t *wait_ns);

/* DIR/io_latency.csv and DIR/core_cpu.csv; errors name the file. */
ds_status ds_iolat_write(const ds_iolat *l, const char *dir, bool core_cpu, ds_err *err);

#endif /* DS_IOLAT_H */
