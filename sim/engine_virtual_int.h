/*
 * engine_virtual_int.h - the virtual engine's state, shared by engine_virtual.c (the loop, the
 * modelled core, the engine's ops) and engine_virtual_io.c (the IO servers, the device, the
 * host's cores and the hand-offs). Not an interface: nothing else includes it.
 */
#ifndef DS_ENGINE_VIRTUAL_INT_H
#define DS_ENGINE_VIRTUAL_INT_H

#include "evq.h"
#include "hostcpu.h"
#include "iolat.h"
#include "replay.h"

enum { EV_ARRIVAL = 0, EV_CLIENT, EV_CRON, EV_TICK, EV_IO, EV_HANDOFF, EV_PIT, EV_CORE, EV_IOCPU };

/* Work for the modelled core. */
enum { CW_NONE = 0, CW_CMD, CW_DONE, CW_CRON, CW_HARNESS };
typedef struct ve_work {
    uint32_t kind, idx; /* CW_CMD: client index */
    ds_job *job;        /* CW_DONE: the finished job */
    int64_t cost_ns;
    int64_t arrived_ns; /* --io-latency: an arrival's command, its arrival time; else -1 */
} ve_work;

typedef struct ve_server {
    ds_job *job;
    ds_call call;
    int64_t cpu_ns, off_ns;        /* host-cpu: the call's part on a core, then off it */
    int64_t start_ns, cpu_wait_ns; /* --io-latency: taken; waited for a host core */
    int64_t want_ns;               /* host-cpu: when it last asked for a core */
    int64_t cpu_rest_ns; /* preempt-*-latency: its part on a core left after the preemption */
    int64_t wake_ns;     /* --io-wakeup-latency: the idle thread's wake-up */
} ve_server;

typedef struct ve_engine {
    rp_engine base;
    rp_run *r;
    const ds_replay_opts *o;
    int64_t now; /* nanoseconds */
    uint64_t seq;
    ds_evheap main, io;
    ds_evring wake; /* EV_CLIENT events due at the time they were scheduled (evq.h) */
    /* The modelled core's EV_CORE without host-cpu: core_start schedules one at a time (the
     * next item starts when it is done), so it waits in this slot, not in the main heap; the
     * loop takes the earliest of the slot, the ring and the heaps' tops. With host-cpu,
     * main_run schedules it in the main heap (a preemption voids it there). */
    bool core_set;
    ds_ev core_ev;
    ve_server *servers;
    uint32_t *free_srv, nfree;
    bool model;              /* the CPU model of the core is on */
    uint32_t nchan;          /* --disk-channels (0 = none) */
    int64_t *chan_free;      /* when each channel is free */
    bool core_busy, in_core; /* an item is in service; its work is running now */
    ve_work cur, *cq;        /* the item in service; the FIFO of waiting items (ring) */
    size_t cq_head, cq_n, cq_cap;
    int64_t busy_ns; /* cumulative busy time of the core */
    bool maybe_jobs, eof;
    uint64_t live;               /* arrival + client wake events pending */
    const ds_trace_req *pending; /* the record of the pending arrival */
    uint64_t idle_crons;         /* crons in a row with clients parked and nothing else */
    /* --handoff-latency: a finished IO frees its server at once, and reaches the core that
     * much later (the real engine's worker -> main thread wake-up). */
    bool has_handoff, has_wakeup, arriving; /* arriving: inside an EV_ARRIVAL's delivery */
    bool has_iowake;                        /* --io-wakeup-latency */
    ds_latency iowake;
    ds_rng iowake_rng;
    bool has_phold[2]; /* --preempt-load-latency, --preempt-save-latency */
    ds_latency phold[2];
    ds_rng phold_rng[2];
    ds_latency wakeup;
    ds_rng wakeup_rng;
    ds_latency handoff;
    ds_rng handoff_rng;
    ds_job **hjobs;  /* jobs between IO end and hand-off, by slot */
    uint32_t *hfree; /* free slots */
    uint32_t nhfree, hcap;
    ds_status fail;
    ds_err fail_err;
    ds_rng xrng; /* --explore-schedule draws (only then) */
    /* host-cpu (hostcpu.h): the host's cores; main_core: the main thread holds one;
     * main_ready: when a waiting main thread may run (its wake-up), main_cost its item's cost */
    bool host, main_core;
    ds_hostcpu hc;
    int64_t main_ready, main_cost, main_asked;
    /* preempt (hostcpu.h): the running item's stretch [main_from, main_end) on a core; its
     * EV_CORE carries core_gen, which a preemption bumps (the pending one then does nothing);
     * preempted: the main thread waits for a core after a preemption, not a wake-up;
     * preempt_ns: its time preempted in this awake period (main_preempt) */
    int64_t main_from, main_end, preempt_ns;
    uint32_t core_gen;
    unsigned handed; /* jobs it handed out in this awake period: 1 LOAD, 2 SAVE or delete */
    bool preempted;
    ds_rng prng;
    ds_iolat *iol; /* --io-latency: the model's terms in io_latency.csv; NULL = off */
} ve_engine;

static inline void ve_fail(ve_engine *e, ds_status st, const char *msg) {
    if (e->fail != DS_OK) return;
    e->fail = st;
    ds_err_set(&e->fail_err, st, "%s", msg);
}

static inline void ve_schedule_seq(ve_engine *e, ds_evheap *h, int64_t t, uint32_t kind,
                                   uint32_t arg, uint64_t seq) {
    if (kind == EV_ARRIVAL || kind == EV_CLIENT) e->live++;
    if (!ds_evheap_push(h, (ds_ev){t < e->now ? e->now : t, seq, kind, arg}))
        ve_fail(e, DS_ERR_NOMEM, "virtual engine: out of memory");
}

static inline void ve_schedule(ve_engine *e, ds_evheap *h, int64_t t, uint32_t kind, uint32_t arg) {
    ve_schedule_seq(e, h, t, kind, arg, e->seq++);
}

/* engine_virtual_io.c */
void ve_pump_jobs(ve_engine *e); /* take jobs for free servers (the caller checked both) */
void ve_job_done(ve_engine *e, ds_job *job);
void ve_io_event(ve_engine *e, const ds_ev *ev, bool direct); /* EV_IO, EV_IOCPU, EV_HANDOFF */
void ve_main_run(ve_engine *e, int64_t from, int64_t cost_ns);
void ve_host_release(ve_engine *e);

/* engine_virtual.c: queue an item for the modelled core */
void ve_core_submit_work(ve_engine *e, ve_work w);

#endif /* DS_ENGINE_VIRTUAL_INT_H */
