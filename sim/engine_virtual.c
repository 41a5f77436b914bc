/*
 * engine_virtual.c - the virtual-time discrete-event engine of `dslab replay --clock virtual`.
 *
 * Why a discrete-event simulation: a run is then a pure function of the trace, the config and
 * the seed (no wall clock, no threads), which makes races reproducible and runs fast.
 *
 * Events are ordered by (time, sequence number); the sequence number is a global insertion
 * counter, so ties resolve in insertion order and the run is deterministic. They wait in two
 * binary min-heaps, a ring and a slot (evq.h), and the loop takes the earliest head. The main
 * heap holds the pending trace arrival (one: the trace is merged lazily, read only when its
 * record's time comes, so memory does not grow with the trace), delayed client wake-ups, the
 * cron tick (every 100 ms) and the metrics tick; the ring, the wake-ups due at once; the slot,
 * the modelled core's one item in service. The IO heap holds IO completions only, because
 * host.wait_io (memory reclaim, drain) must advance the clock to the next IO completion and
 * nothing else.
 *
 * IO model: io-threads servers. When the core has new jobs and a server is free, the engine
 * takes a job, plans it on the backend (the fake draws its service time and faults) and
 * schedules its completion at now + service_us; at completion it runs the job (the effect on
 * the backend lands at completion time) and hands it back with ds_cache_job_done, at once or,
 * with --handoff-latency, after a drawn delay that models the real engine's wake-up of the main
 * thread (the server is free at IO end either way; the job waits in a hand-off slot).
 *
 * CPU model (core-cost-us, on by default): the core is one FIFO server. A client's command, a
 * finished job's hand-back and cron each queue for it and hold it for their cost; the work
 * itself happens when its service ends (EV_CORE), so an answer's time includes the wait for the
 * core and the command's own cost. Work submitted while the core runs an item queues behind
 * everything already waiting. host.wait_io (reclaim, drain) hands back finished jobs directly:
 * the core is blocked in it, and the time it waits is counted as busy.
 *
 * Host model (host-cpu, off by default; sim/hostcpu.h): the host's N cores are shared by the
 * core (the real main thread) and the IO servers. An IO first holds a core for its share of
 * the service time (EV_IOCPU), then the device for the rest (EV_IO); the core needs a host core
 * to start an item and gives it back when its queue is empty; a freed core goes to the core
 * first, then to IO servers in FIFO order.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "evq.h"
#include "hostcpu.h"
#include "iolat.h"
#include "replay.h"

#define VE_CRON_NS 100000000LL /* 100 ms */

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

static void fail(ve_engine *e, ds_status st, const char *msg) {
    if (e->fail != DS_OK) return;
    e->fail = st;
    ds_err_set(&e->fail_err, st, "%s", msg);
}

static void schedule_seq(ve_engine *e, ds_evheap *h, int64_t t, uint32_t kind, uint32_t arg,
                         uint64_t seq) {
    if (kind == EV_ARRIVAL || kind == EV_CLIENT) e->live++;
    if (!ds_evheap_push(h, (ds_ev){t < e->now ? e->now : t, seq, kind, arg}))
        fail(e, DS_ERR_NOMEM, "virtual engine: out of memory");
}

static void schedule(ve_engine *e, ds_evheap *h, int64_t t, uint32_t kind, uint32_t arg) {
    schedule_seq(e, h, t, kind, arg, e->seq++);
}

/* ---- engine ops --------------------------------------------------------------------------- */

static int64_t ve_now(rp_engine *b) { return ((ve_engine *)b)->now; }

static void ve_jobs_ready(rp_engine *b) { ((ve_engine *)b)->maybe_jobs = true; }

/* --disk-channels K: the device serves K IOs at once, in hand-over order; an IO waits for the
 * earliest free channel, and that wait is part of its service time. 0: no device queue. */
static int64_t device_finish(ve_engine *e, int64_t svc_ns) {
    if (!e->nchan) return e->now + svc_ns;
    uint32_t best = 0;
    for (uint32_t i = 1; i < e->nchan; i++)
        if (e->chan_free[i] < e->chan_free[best]) best = i;
    int64_t start = e->chan_free[best] > e->now ? e->chan_free[best] : e->now;
    e->chan_free[best] = start + svc_ns;
    return start + svc_ns;
}

/* The call's time off the host's cores: the device, then the completion event. */
static void io_device(ve_engine *e, uint32_t s, int64_t ns) {
    int64_t t = device_finish(e, ns) + e->servers[s].wake_ns; /* the wake-up holds no channel */
    if (e->o->explore) { /* completions due within the window come in any order */
        t += 1000 * (int64_t)ds_rng_below(&e->xrng, (uint64_t)e->o->explore_window_us + 1);
        schedule_seq(e, &e->io, t, EV_IO, s, ds_rng_next(&e->xrng)); /* random ties */
    } else {
        schedule(e, &e->io, t, EV_IO, s);
    }
}

/* The main thread runs its item on a core from `from` for cost_ns: EV_CORE at the end. */
static void main_run(ve_engine *e, int64_t from, int64_t cost_ns) {
    e->main_from = from;
    e->main_end = from + cost_ns;
    schedule(e, &e->main, e->main_end, EV_CORE, e->core_gen);
}

/* host-cpu preempt: an IO thread took the main thread's core; the rest of the item (its
 * wake-up, its cost) runs when a core frees, which goes to the main thread first. */
static void main_preempted(ve_engine *e) {
    e->main_core = false;
    e->core_gen++; /* the pending EV_CORE is void */
    e->main_ready = e->main_from > e->now ? e->main_from : e->now;
    e->main_cost = e->main_end - e->main_ready;
    e->main_asked = e->now;
    e->preempted = true;
}

/* host-cpu: the IO server s wants a core for its call's part on one. */
static void io_cpu(ve_engine *e, uint32_t s) {
    double p = e->o->host_cpu.preempt;
    if (e->in_core) e->handed |= e->servers[s].job->type == DS_JOB_LOAD ? 1u : 2u;
    bool pre = e->main_core && e->in_core && p > 0 &&
               (p >= 1 || ds_rng_below(&e->prng, 1u << 20) < (uint64_t)(p * (1u << 20)));
    ve_server *sv = &e->servers[s];
    sv->want_ns = e->now;
    ds_hc_grant g = ds_hostcpu_io_wake(&e->hc, s, pre);
    int64_t run = sv->cpu_ns;
    if (g == DS_HC_PREEMPT) {
        main_preempted(e);
        int c = sv->job->type == DS_JOB_LOAD ? 0 : 1; /* --preempt-*-latency: it gives the */
        if (e->has_phold[c]) { /* main thread its core back after this, the rest later */
            int64_t hold = 1000 * ds_latency_draw(&e->phold[c], &e->phold_rng[c]);
            if (hold < run) sv->cpu_rest_ns = run - hold;
            run = hold; /* longer than its part: the thread's own wake-up and hand-back */
        }
    }
    if (g != DS_HC_WAIT) schedule(e, &e->io, e->now + run, EV_IOCPU, s);
}

/* host-cpu: the IO server s is off its core: the rest of its part on one (after it gave a
 * preempted main thread its core back), or the device. */
static void io_cpu_done(ve_engine *e, uint32_t s) {
    ve_server *sv = &e->servers[s];
    if (sv->cpu_rest_ns > 0) {
        sv->cpu_ns = sv->cpu_rest_ns;
        sv->cpu_rest_ns = 0;
        sv->want_ns = e->now;
        if (ds_hostcpu_io_want(&e->hc, s)) schedule(e, &e->io, e->now + sv->cpu_ns, EV_IOCPU, s);
        return;
    }
    io_device(e, s, sv->off_ns);
}

/* host-cpu: a core was given back; whoever waited for it runs now. */
static void host_release(ve_engine *e) {
    uint32_t who = ds_hostcpu_release(&e->hc);
    if (who == DS_HOSTCPU_MAIN) {
        e->main_core = true;
        if (e->preempted)
            e->preempt_ns += e->now - e->main_asked;
        else if (e->iol)
            ds_iolat_add(e->iol, DS_IOL_MAIN_RUNQ, e->now - e->main_asked);
        e->preempted = false;
        main_run(e, e->main_ready > e->now ? e->main_ready : e->now, e->main_cost);
    } else if (who != DS_HOSTCPU_NONE) {
        e->servers[who].cpu_wait_ns += e->now - e->servers[who].want_ns;
        schedule(e, &e->io, e->now + e->servers[who].cpu_ns, EV_IOCPU, who);
    }
}

static void pump_jobs(ve_engine *e);

/* After every cache call: most find no new job or no free server, so that test is all they
 * pay; taking and planning jobs is out of line. */
static void ve_pump(rp_engine *b) {
    ve_engine *e = (ve_engine *)b;
    if (e->maybe_jobs && e->nfree > 0) pump_jobs(e);
}

static __attribute__((noinline)) void pump_jobs(ve_engine *e) {
    ds_backend *be = rp_backend(e->r);
    /* the main thread hands jobs out: preempted, it hands out none until it runs again (the
     * rest of a cron's burst of SAVEs waits, as it does in the real engine) */
    while (e->maybe_jobs && e->nfree > 0 && !e->preempted) {
        ds_job *job = ds_cache_job_take(rp_cache(e->r));
        if (!job) {
            e->maybe_jobs = false;
            break;
        }
        uint32_t s = e->free_srv[--e->nfree];
        e->servers[s].job = job;
        e->servers[s].call = (ds_call){0};
        ds_job_plan(be, job, &e->servers[s].call);
        e->servers[s].start_ns = e->now;
        e->servers[s].cpu_wait_ns = 0;
        e->servers[s].wake_ns =
            e->has_iowake ? 1000 * ds_latency_draw(&e->iowake, &e->iowake_rng) : 0;
        if (e->iol && e->has_iowake)
            ds_iolat_add(e->iol, DS_IOL_WORKER_WAKEUP, e->servers[s].wake_ns);
        if (e->iol) /* as the real engine counts it: until the worker is awake */
            ds_iolat_add(e->iol, DS_IOL_QUEUE_WAIT,
                         e->now + e->servers[s].wake_ns - job->created_us * 1000);
        if (e->o->hooks && e->o->hooks->io_taken) e->o->hooks->io_taken(e->o->hooks->ctx, job);
        int64_t svc = e->servers[s].call.service_us;
        svc = svc > 0 ? svc * 1000 : 0;
        if (e->host) {
            double share = e->o->host_cpu.share[ds_job_bop(job)];
            int64_t cpu = (int64_t)((double)svc * share + 0.5);
            e->servers[s].cpu_ns = cpu;
            e->servers[s].off_ns = svc - cpu;
            if (cpu > 0) {
                io_cpu(e, s);
                continue; /* the device phase follows the core's (io_device) */
            }
        }
        io_device(e, s, svc);
    }
}

static void job_done(ve_engine *e, ds_job *job) {
    ds_status st = ds_cache_job_done(rp_cache(e->r), job);
    if (st != DS_OK) fail(e, st, ds_cache_last_error(rp_cache(e->r)));
    e->maybe_jobs = true;
}

/* ---- the modelled core -------------------------------------------------------------------- */

static void core_start(ve_engine *e, ve_work w, int64_t wake_ns) {
    assert(!e->core_set); /* one item in service at a time (host-cpu: main_run's heap) */
    e->core_busy = true;
    e->cur = w;
    e->busy_ns += w.cost_ns; /* the wake-up is not work */
    if (e->host && !e->main_core) {
        if (e->preempted) { /* still waiting since its preemption: it runs this item next */
            e->main_ready = e->now + wake_ns;
            e->main_cost = w.cost_ns;
            return;
        }
        if (!ds_hostcpu_main_want(&e->hc)) { /* every core is busy: EV_CORE when one frees */
            e->main_ready = e->now + wake_ns;
            e->main_cost = w.cost_ns;
            e->main_asked = e->now;
            return;
        }
        e->main_core = true;
        if (e->iol) ds_iolat_add(e->iol, DS_IOL_MAIN_RUNQ, 0);
    }
    if (e->host) {
        main_run(e, e->now + wake_ns, w.cost_ns);
        return;
    }
    e->core_ev = (ds_ev){e->now + wake_ns + w.cost_ns, e->seq++, EV_CORE, 0};
    e->core_set = true;
}

static void core_submit(ve_engine *e, ve_work w) {
    if (!e->core_busy && !e->in_core && e->cq_n == 0) {
        /* --wakeup-latency: an arrival that finds the core idle finds the real engine's main
         * thread asleep; it runs once the timer has woken it */
        bool asleep = e->has_wakeup && e->arriving && w.kind == CW_CMD;
        int64_t wake_us = asleep ? ds_latency_draw(&e->wakeup, &e->wakeup_rng) : 0;
        if (asleep && e->iol) ds_iolat_add(e->iol, DS_IOL_WAKEUP, wake_us * 1000);
        core_start(e, w, wake_us > 0 ? wake_us * 1000 : 0);
        return;
    }
    if (e->cq_n == e->cq_cap) { /* grow the ring, unrolled to start at 0 */
        size_t ncap = e->cq_cap ? 2 * e->cq_cap : 64;
        ve_work *nq = malloc(ncap * sizeof *nq);
        if (!nq) {
            fail(e, DS_ERR_NOMEM, "virtual engine: out of memory");
            return;
        }
        for (size_t i = 0; i < e->cq_n; i++)
            nq[i] = e->cq[(e->cq_head + i) % e->cq_cap];
        free(e->cq);
        e->cq = nq;
        e->cq_cap = ncap;
        e->cq_head = 0;
    }
    e->cq[(e->cq_head + e->cq_n++) % e->cq_cap] = w;
}

/* The oldest waiting item that was not taken out of line (CW_NONE) by wait_io. */
static bool core_pop(ve_engine *e, ve_work *w) {
    while (e->cq_n) {
        *w = e->cq[e->cq_head];
        e->cq_head = (e->cq_head + 1) % e->cq_cap;
        e->cq_n--;
        if (w->kind != CW_NONE) return true;
    }
    return false;
}

static void ve_core_submit(rp_engine *b, uint32_t idx, int64_t cost_ns) {
    ve_engine *e = (ve_engine *)b;
    int64_t arrived = e->iol && e->arriving ? e->now : -1; /* arrival_late, as real runs */
    core_submit(e,
                (ve_work){.kind = CW_CMD, .idx = idx, .cost_ns = cost_ns, .arrived_ns = arrived});
}

static int64_t ve_core_busy_ns(rp_engine *b) {
    ve_engine *e = (ve_engine *)b;
    return e->model ? e->busy_ns : -1;
}

/* A finished job reaches the core: handed back at once (no model, or the core waits for it in
 * wait_io: `direct`), or queued for the core with its hand-back cost. */
static void to_core(ve_engine *e, ds_job *job, bool direct) {
    if (!e->model || direct) {
        job_done(e, job);
        return;
    }
    const ds_core_cost *cc = &e->o->core_cost;
    int64_t cost = cc->ns[job->type == DS_JOB_LOAD ? DS_COST_LOADDONE : DS_COST_SAVEDONE];
    core_submit(e, (ve_work){.kind = CW_DONE, .job = job, .cost_ns = cost});
}

/* Park a finished job until its hand-off event; slots grow in chunks, never shrink. */
static void handoff_later(ve_engine *e, ds_job *job) {
    if (e->nhfree == 0) {
        uint32_t ncap = e->hcap ? e->hcap * 2 : 64;
        ds_job **nj = realloc(e->hjobs, ncap * sizeof *nj);
        if (nj) e->hjobs = nj;
        uint32_t *nf = nj ? realloc(e->hfree, ncap * sizeof *nf) : NULL;
        if (!nf) {
            fail(e, DS_ERR_NOMEM, "virtual engine: out of memory");
            job_done(e, job);
            return;
        }
        e->hfree = nf;
        for (uint32_t i = ncap; i > e->hcap; i--)
            e->hfree[e->nhfree++] = i - 1;
        e->hcap = ncap;
    }
    uint32_t slot = e->hfree[--e->nhfree];
    e->hjobs[slot] = job;
    int64_t d_us = ds_latency_draw(&e->handoff, &e->handoff_rng);
    if (e->iol) ds_iolat_add(e->iol, DS_IOL_HANDOFF, d_us * 1000);
    schedule(e, &e->io, e->now + (d_us > 0 ? d_us * 1000 : 0), EV_HANDOFF, slot);
}

static void handoff_done(ve_engine *e, uint32_t slot, bool direct) {
    ds_job *job = e->hjobs[slot];
    e->hjobs[slot] = NULL;
    e->hfree[e->nhfree++] = slot;
    to_core(e, job, direct);
}

/* --io-latency: what the model charged an IO, in the real engine's kinds (iolat.h). */
static void io_account(ve_engine *e, const ve_server *sv, const ds_job *job) {
    int b = (int)ds_job_bop(job);
    int64_t all = e->now - sv->start_ns - sv->wake_ns; /* the real worker's clock starts awake */
    ds_iolat_add(e->iol, (ds_iol_kind)(DS_IOL_BACKEND_GET + b), all);
    ds_iolat_add(e->iol, (ds_iol_kind)(DS_IOL_SERVICE_GET + b), all - sv->cpu_wait_ns);
    if (e->host) ds_iolat_add(e->iol, (ds_iol_kind)(DS_IOL_CPU_GET + b), sv->cpu_ns);
}

/* An IO finishes: its effect lands on the backend now, its server is free, and the core
 * learns about it now or after the hand-off delay. */
static void io_complete(ve_engine *e, uint32_t s, bool direct) {
    ds_job *job = e->servers[s].job;
    e->servers[s].job = NULL;
    if (e->iol) io_account(e, &e->servers[s], job);
    e->free_srv[e->nfree++] = s;
    ds_job_run(rp_backend(e->r), job, &e->servers[s].call);
    if (e->o->hooks && e->o->hooks->io_done) e->o->hooks->io_done(e->o->hooks->ctx, job);
    e->maybe_jobs = true; /* a server is free */
    if (e->has_handoff)
        handoff_later(e, job);
    else
        to_core(e, job, direct);
}

static void io_event(ve_engine *e, const ds_ev *ev, bool direct) {
    if (ev->kind == EV_IOCPU) { /* the call's part on a core is done: the core is free */
        host_release(e);
        io_cpu_done(e, ev->arg);
    } else if (ev->kind == EV_HANDOFF)
        handoff_done(e, ev->arg, direct);
    else
        io_complete(e, ev->arg, direct);
}

/* The core waits for an IO (reclaim, drain): a finished job already queued for hand-back goes
 * first, out of line; else the clock moves to the next IO event. */
static bool ve_wait_io(rp_engine *b) {
    ve_engine *e = (ve_engine *)b;
    if (e->host && e->main_core) { /* blocked, not running: its core is free meanwhile (it
                                      does not take one back for the rest of this item) */
        e->main_core = false;
        host_release(e);
    }
    ve_pump(b);
    for (size_t i = 0; i < e->cq_n; i++) {
        ve_work *w = &e->cq[(e->cq_head + i) % e->cq_cap];
        if (w->kind != CW_DONE) continue;
        w->kind = CW_NONE;
        job_done(e, w->job);
        ve_pump(b);
        return true;
    }
    if (e->io.n == 0) {
        /* Last resort: the loop stopped (a signal) or a point-in-time drain came while the
         * modelled core held a finished job for its hand-back (its EV_CORE still pending,
         * which then does nothing). Without this the drain failed: "1 in flight". */
        if (!e->core_busy || e->cur.kind != CW_DONE) return false;
        ds_job *job = e->cur.job;
        e->cur.kind = CW_NONE;
        job_done(e, job);
        ve_pump(b);
        return true;
    }
    ds_ev ev = ds_evheap_pop(&e->io);
    if (ev.t > e->now) e->now = ev.t;
    io_event(e, &ev, true);
    ve_pump(b);
    return true;
}

static void ve_client_wake(rp_engine *b, uint32_t idx, int64_t delay_us) {
    ve_engine *e = (ve_engine *)b;
    if (delay_us > 0) {
        schedule(e, &e->main, e->now + delay_us * 1000, EV_CLIENT, idx);
        return;
    }
    e->live++; /* as schedule_seq counts it */
    if (!ds_evring_push(&e->wake, (ds_ev){e->now, e->seq++, EV_CLIENT, idx}))
        fail(e, DS_ERR_NOMEM, "virtual engine: out of memory");
}

/* See rp_engine_ops.wake_inline: the ring is empty and neither heap has an event due now
 * (every one of them has a lower sequence number than the wake-up would take). */
static bool ve_wake_inline(rp_engine *b) {
    ve_engine *e = (ve_engine *)b;
    if (e->wake.n || (e->main.n && e->main.a[0].t <= e->now) ||
        (e->io.n && e->io.a[0].t <= e->now) || (e->core_set && e->core_ev.t <= e->now))
        return false;
    e->seq++;
    return true;
}

/* ---- the loop ----------------------------------------------------------------------------- */

/*
 * Idle virtual time is skipped, not ticked through: the cost of a run follows its requests and
 * IOs, not the span of its clock (two records 4e9 s apart used to cost 4e10 crons and 4e9
 * timeseries rows). When the core has nothing queued and its memory is within its limits, a
 * cron can only sample expired keys and a tick can only write empty rows, so both are moved to
 * their first grid point at or after the next event that does work (an arrival, a client
 * wake-up, an IO completion). Returns that time, or 0 when the engine is not idle.
 */
static int64_t idle_until(ve_engine *e) {
    ds_stats st;
    ds_cache_stats(rp_cache(e->r), &st);
    const ds_config *cfg = &e->o->core;
    if (st.queued_ops || e->maybe_jobs || e->core_busy || e->cq_n) return 0;
    if (cfg->max_memory_bytes && st.used_memory_bytes > cfg->max_memory_bytes) return 0;
    if (cfg->max_keys && st.keys > cfg->max_keys) return 0;
    int64_t next = e->io.n ? e->io.a[0].t : INT64_MAX;
    for (size_t i = 0; i < e->main.n; i++) /* a few events: one arrival, client wake-ups */
        if ((e->main.a[i].kind == EV_ARRIVAL || e->main.a[i].kind == EV_CLIENT) &&
            e->main.a[i].t < next)
            next = e->main.a[i].t;
    if (e->wake.n && ds_evring_first(&e->wake)->t < next) next = ds_evring_first(&e->wake)->t;
    return next == INT64_MAX ? 0 : next;
}

/* The next time of a periodic event at t with period p: t + p, or the first point of its grid
 * at or after `idle` (idle_until) when that is later. */
static int64_t next_period(int64_t t, int64_t p, int64_t idle) {
    if (idle <= t + p) return t + p;
    return t + (idle - t + p - 1) / p * p;
}

/* Open loop: read the next record and schedule its arrival. */
static ds_status next_arrival(ve_engine *e, ds_err *err) {
    const ds_trace_req *req;
    int rc = rp_next_record(e->r, &req, err);
    if (rc < 0) return DS_ERR_ARG;
    if (rc == 0) {
        e->eof = true;
        return DS_OK;
    }
    e->pending = req;
    schedule(e, &e->main, rp_arrival_ns(e->r, req), EV_ARRIVAL, 0);
    return DS_OK;
}

/* Closed loop: see rp_closed_fill. */
static ds_status closed_fill(ve_engine *e, uint32_t idx, ds_err *err) {
    return rp_closed_fill(e->r, idx, &e->eof, err);
}

/* The item in service is done: its work happens now; then the next waiting item starts. */
static ds_status core_done(ve_engine *e, ds_err *err) {
    ve_work w = e->cur;
    e->core_busy = false;
    e->in_core = true;
    int64_t t0 = e->now;
    ds_status st = DS_OK;
    if (w.kind == CW_CMD && w.arrived_ns >= 0) /* from its arrival to its command's start */
        ds_iolat_add(e->iol, DS_IOL_ARRIVAL_LATE, e->now - w.cost_ns - w.arrived_ns);
    if (w.kind == CW_CMD)
        st = rp_client_exec(e->r, w.idx, err);
    else if (w.kind == CW_DONE)
        job_done(e, w.job);
    else if (w.kind == CW_CRON)
        ds_cache_cron(rp_cache(e->r)); /* DS_ERR_MEMORY is counted in the stats */
    ve_pump(&e->base);
    e->in_core = false;
    e->busy_ns += e->now - t0; /* blocked in wait_io inside the work */
    ve_work nx;
    int64_t harness = e->o->core_cost.ns[DS_COST_HARNESS];
    if (!e->core_busy && w.kind == CW_CMD && harness > 0) /* the host's work after the answer */
        core_start(e, (ve_work){.kind = CW_HARNESS, .cost_ns = harness}, 0);
    else if (!e->core_busy && core_pop(e, &nx))
        core_start(e, nx, 0);
    if (e->host && !e->core_busy && (e->main_core || e->preempted)) { /* idle: it sleeps */
        if (e->main_core)
            host_release(e);
        else /* preempted at the end of its item with nothing left: it sleeps, not waits */
            ds_hostcpu_main_cancel(&e->hc);
        e->main_core = e->preempted = false;
        if (e->iol) ds_iolat_add(e->iol, DS_IOL_MAIN_PREEMPT, e->preempt_ns);
        if (e->iol && e->handed) /* by what it handed out (as the real engine classes it) */
            ds_iolat_add(e->iol,
                         e->handed & 2 ? DS_IOL_MAIN_PREEMPT_SAVE : DS_IOL_MAIN_PREEMPT_LOAD,
                         e->preempt_ns);
        e->preempt_ns = 0;
        e->handed = 0;
    }
    return st;
}

static ds_status handle(ve_engine *e, const ds_ev *ev, ds_err *err) {
    ds_status st = DS_OK;
    bool idle;
    int64_t idle_t;
    switch (ev->kind) {
    case EV_ARRIVAL:
        e->live--;
        e->arriving = true;
        st = rp_deliver(e->r, e->pending, err);
        e->arriving = false;
        if (st == DS_OK) st = next_arrival(e, err);
        break;
    case EV_CLIENT:
        e->live--;
        st = rp_client_step(e->r, ev->arg, &idle, err);
        if (st == DS_OK && idle && rp_closed(e->r)) st = closed_fill(e, ev->arg, err);
        break;
    case EV_CRON:
        idle_t = idle_until(e); /* before cron is queued: the core's own work is not idle */
        if (e->model) {
            core_submit(e, (ve_work){.kind = CW_CRON, .cost_ns = e->o->core_cost.ns[DS_COST_CRON]});
        } else {
            ds_cache_cron(rp_cache(e->r)); /* DS_ERR_MEMORY is counted in the stats */
            ve_pump(&e->base);
            idle_t = idle_until(e);
        }
        schedule(e, &e->main, next_period(ev->t, VE_CRON_NS, idle_t), EV_CRON, 0);
        break;
    case EV_TICK:
        st = rp_tick(e->r, e->now, err);
        schedule(e, &e->main, next_period(ev->t, e->o->interval_ms * 1000000, idle_until(e)),
                 EV_TICK, 0);
        break;
    case EV_IO:
    case EV_IOCPU:
    case EV_HANDOFF:
        io_event(e, ev, false);
        ve_pump(&e->base);
        break;
    case EV_PIT:
        st = rp_point_in_time(e->r, err);
        ve_pump(&e->base);
        schedule(e, &e->main, e->now + e->o->pit_every_ms * 1000000, EV_PIT, 0);
        break;
    case EV_CORE:
        if (ev->arg == e->core_gen) st = core_done(e, err); /* else preempted: void */
        break;
    }
    return st;
}

/* Parked clients with nothing scheduled but cron can only be freed by cron pushing delayed
 * SAVEs (a LOAD behind them). Allow a generous number of such crons, then call it stuck. */
static bool stuck(ve_engine *e) {
    int64_t budget_ms = e->o->core.flush_delay_ms + 2 * e->o->core.save_retry_max_ms + 60000;
    return e->idle_crons > (uint64_t)(budget_ms / (VE_CRON_NS / 1000000));
}

/* Crash lab: the power goes at crash_at ns (the next event is later); the jobs in flight go
 * to rp_crash, which lands or loses their effects. */
static ds_status crash_now(ve_engine *e, int64_t crash_at, ds_err *err) {
    if (crash_at > e->now) e->now = crash_at;
    size_t cap = e->o->io_threads ? e->o->io_threads : 1;
    ds_job **jobs = calloc(cap, sizeof *jobs);
    ds_call *calls = calloc(cap, sizeof *calls);
    ds_status st = DS_ERR_NOMEM;
    if (jobs && calls) {
        uint32_t n = 0;
        for (uint32_t s = 0; s < e->o->io_threads; s++)
            if (e->servers[s].job) {
                jobs[n] = e->servers[s].job;
                calls[n++] = e->servers[s].call;
            }
        st = rp_crash(e->r, jobs, calls, n, err);
    } else {
        ds_err_set(err, st, "virtual engine: out of memory");
    }
    free(jobs);
    free(calls);
    return st;
}

static ds_status ve_run(rp_engine *b, ds_err *err) {
    ve_engine *e = (ve_engine *)b;
    ds_status st = rp_closed(e->r) ? closed_fill(e, UINT32_MAX, err) : next_arrival(e, err);
    int64_t cron0 = VE_CRON_NS; /* --explore-schedule: the cron's phase is the seed's */
    if (e->o->explore) cron0 = 1000 * (1 + (int64_t)ds_rng_below(&e->xrng, VE_CRON_NS / 1000));
    schedule(e, &e->main, e->now + cron0, EV_CRON, 0);
    schedule(e, &e->main, e->now + e->o->interval_ms * 1000000, EV_TICK, 0);
    if (e->o->pit_every_ms > 0)
        schedule(e, &e->main, e->now + e->o->pit_every_ms * 1000000, EV_PIT, 0);
    /* Fixed for the run, so not asked per event: the loop's own cost is paid per event. */
    bool closed = rp_closed(e->r), mem_limit = e->o->core.max_memory_bytes != 0;
    int64_t crash_at = rp_crash_at(e->r) * 1000; /* crash lab: run on (cron flushes) until */
    volatile sig_atomic_t *stop = e->o->stop;    /* rp_stopping, read without a call */
    while (st == DS_OK && e->fail == DS_OK) {
        if (stop && *stop) break; /* interrupted: the drain finishes what is in flight */
        bool more_trace = closed ? false : !e->eof;
        bool core_idle = !e->core_busy && e->cq_n == 0;
        bool done = core_idle && e->live == 0 && e->io.n == 0 && !more_trace &&
                    rp_clients_parked(e->r) == 0;
        if (done && !crash_at) break;
        /* the earliest of the main heap, the wake-up ring, the core's slot and the IO heap
         * (main on a tie) */
        const ds_ev *top = e->main.n ? &e->main.a[0] : NULL;
        enum { FROM_MAIN, FROM_RING, FROM_CORE, FROM_IO } from = FROM_MAIN;
        if (e->wake.n && (!top || ds_ev_less(ds_evring_first(&e->wake), top)))
            top = ds_evring_first(&e->wake), from = FROM_RING;
        if (e->core_set && (!top || ds_ev_less(&e->core_ev, top)))
            top = &e->core_ev, from = FROM_CORE;
        if (e->io.n && (!top || ds_ev_less(&e->io.a[0], top))) top = &e->io.a[0], from = FROM_IO;
        if (crash_at && (!top || top->t > crash_at)) return crash_now(e, crash_at, err);
        ds_ev ev;
        if (from == FROM_RING)
            ev = ds_evring_pop(&e->wake);
        else if (from == FROM_CORE)
            ev = e->core_ev, e->core_set = false;
        else
            ev = ds_evheap_pop(from == FROM_IO ? &e->io : &e->main);
        if (ev.t > e->now) e->now = ev.t;
        if (ev.kind == EV_CRON && e->live == 0 && e->io.n == 0 && !done && core_idle) {
            e->idle_crons++;
            if (stuck(e))
                return ds_err_set(err, DS_ERR_STATE,
                                  "replay: %llu clients parked and no IO can "
                                  "finish (stuck at %lld us)",
                                  (unsigned long long)rp_clients_parked(e->r),
                                  (long long)(e->now / 1000));
        } else if (ev.kind != EV_TICK && ev.kind != EV_PIT) {
            e->idle_crons = 0;
        }
        st = handle(e, &ev, err);
        if (mem_limit) rp_mem_sample(e->r); /* time above cache-max-memory */
    }
    if (st == DS_OK && e->fail != DS_OK) st = ds_err_set(err, e->fail, "%s", e->fail_err.msg);
    return st;
}

static void ve_free(rp_engine *b) {
    ve_engine *e = (ve_engine *)b;
    if (!e) return;
    free(e->main.a);
    free(e->wake.a);
    free(e->io.a);
    free(e->servers);
    free(e->free_srv);
    free(e->cq);
    free(e->chan_free);
    free(e->hjobs);
    free(e->hfree);
    if (e->host) ds_hostcpu_free(&e->hc);
    if (e->has_handoff) ds_latency_free(&e->handoff);
    if (e->has_wakeup) ds_latency_free(&e->wakeup);
    if (e->has_iowake) ds_latency_free(&e->iowake);
    for (int c = 0; c < 2; c++)
        if (e->has_phold[c]) ds_latency_free(&e->phold[c]);
    free(e);
}

static const rp_engine_ops ve_ops = {
    .name = "virtual",
    .now_ns = ve_now,
    .wait_io = ve_wait_io,
    .jobs_ready = ve_jobs_ready,
    .pump = ve_pump,
    .client_wake = ve_client_wake,
    .run = ve_run,
    .free = ve_free,
    .core_busy_ns = ve_core_busy_ns,
    .core_submit = ve_core_submit,
    .wake_inline = ve_wake_inline,
};

/* A delay term (handoff-latency, wakeup-latency, io-wakeup-latency): "none" or a latency
 * model with its own random stream. false (err set) when the model does not parse. */
static bool delay_model(const char *spec, uint64_t seed, ds_latency *lat, ds_rng *rng, bool *on,
                        ds_err *err) {
    if (!spec[0] || strcmp(spec, "none") == 0) return true;
    if (ds_latency_parse(spec, lat, err) != DS_OK) return false;
    *on = true;
    ds_rng_seed(rng, seed);
    return true;
}

rp_engine *ds_engine_virtual_new(rp_run *r, const ds_replay_opts *o, ds_err *err) {
    ve_engine *e = calloc(1, sizeof *e);
    if (!e) return ds_err_set(err, DS_ERR_NOMEM, "virtual engine: out of memory"), NULL;
    e->base.ops = &ve_ops;
    e->base.clock_ns = &e->now;
    e->r = r;
    e->o = o;
    ds_rng_seed(&e->xrng, o->seed ^ 0x5c4ed011e5ull);
    ds_rng_seed(&e->prng, o->seed ^ 0x9e3779b97full); /* host-cpu preempt draws */
    e->model = o->core_cost.on;
    e->iol = rp_iolat(r);
    e->nchan = o->disk_channels;
    if (e->nchan && !(e->chan_free = calloc(e->nchan, sizeof *e->chan_free))) {
        ve_free(&e->base);
        return ds_err_set(err, DS_ERR_NOMEM, "virtual engine: out of memory"), NULL;
    }
    e->servers = calloc(o->io_threads, sizeof *e->servers);
    e->free_srv = calloc(o->io_threads, sizeof *e->free_srv);
    if (!e->servers || !e->free_srv) {
        ve_free(&e->base);
        return ds_err_set(err, DS_ERR_NOMEM, "virtual engine: out of memory"), NULL;
    }
    for (uint32_t i = 0; i < o->io_threads; i++)
        e->free_srv[e->nfree++] = o->io_threads - 1 - i;
    if (o->host_cpu.cpus) {
        if (!ds_hostcpu_init(&e->hc, o->host_cpu.cpus, o->io_threads)) {
            ve_free(&e->base);
            return ds_err_set(err, DS_ERR_NOMEM, "virtual engine: out of memory"), NULL;
        }
        e->host = true;
    }
    if (!delay_model(o->handoff, o->seed ^ 0x4a4d0ffull, &e->handoff, &e->handoff_rng,
                     &e->has_handoff, err) ||
        !delay_model(o->wakeup, o->seed ^ 0x3a6e0ffull, &e->wakeup, &e->wakeup_rng, &e->has_wakeup,
                     err) ||
        !delay_model(o->io_wakeup, o->seed ^ 0x10a0e1eull, &e->iowake, &e->iowake_rng,
                     &e->has_iowake, err) ||
        !delay_model(o->preempt_hold[0], o->seed ^ 0x5eed10adull, &e->phold[0], &e->phold_rng[0],
                     &e->has_phold[0], err) ||
        !delay_model(o->preempt_hold[1], o->seed ^ 0x5eed5a7eull, &e->phold[1], &e->phold_rng[1],
                     &e->has_phold[1], err)) {
        ve_free(&e->base);
        return NULL;
    }
    return &e->base;
}
