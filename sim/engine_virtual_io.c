/*
 * engine_virtual_io.c - the virtual engine's IO side (engine_virtual.c says how the engine
 * works): servers that take jobs, the device's channels, the host's cores (hostcpu.h: the
 * IO threads' part on a core, the main thread's preemption) and the hand-off of a finished job
 * to the modelled core.
 */
#include <stdlib.h>

#include "engine_virtual_int.h"

/* --disk-channels K: the device serves K IOs at once, in hand-over order; an IO waits for the
 * earliest free channel, and that wait is part of its service time. 0: no device queue. */
static inline int64_t device_finish(ve_engine *e, int64_t svc_ns) {
    if (!e->nchan) return e->now + svc_ns;
    uint32_t best = 0;
    for (uint32_t i = 1; i < e->nchan; i++)
        if (e->chan_free[i] < e->chan_free[best]) best = i;
    int64_t start = e->chan_free[best] > e->now ? e->chan_free[best] : e->now;
    e->chan_free[best] = start + svc_ns;
    return start + svc_ns;
}

/* The call's time off the host's cores: the device, then the completion event. Inline: once
 * a miss, from io_start. */
static inline __attribute__((always_inline)) void io_device(ve_engine *e, uint32_t s, int64_t ns) {
    int64_t t = device_finish(e, ns) + e->servers[s].wake_ns; /* the wake-up holds no channel */
    if (e->o->explore) { /* completions due within the window come in any order */
        t += 1000 * (int64_t)ds_rng_below(&e->xrng, (uint64_t)e->o->explore_window_us + 1);
        ve_schedule_seq(e, &e->io, t, EV_IO, s, ds_rng_next(&e->xrng)); /* random ties */
    } else {
        ve_schedule(e, &e->io, t, EV_IO, s);
    }
}

/* The main thread runs its item on a core from `from` for cost_ns: EV_CORE at the end. */
void ve_main_run(ve_engine *e, int64_t from, int64_t cost_ns) {
    e->main_from = from;
    e->main_end = from + cost_ns;
    ve_schedule(e, &e->main, e->main_end, EV_CORE, e->core_gen);
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
    ve_server *sv = &e->servers[s];
    double p = e->o->host_cpu.preempt;
    unsigned handed = DS_IOL_HANDED(sv->job);
    if (e->in_core) e->handed |= handed;
    bool pre = e->main_core && e->in_core && p > 0 &&
               (p >= 1 || ds_rng_below(&e->prng, 1u << 20) < (uint64_t)(p * (1u << 20)));
    sv->want_ns = e->now;
    ds_hc_grant g = ds_hostcpu_io_wake(&e->hc, s, pre);
    int64_t run = sv->cpu_ns;
    if (g == DS_HC_PREEMPT) {
        main_preempted(e);
        int c = handed == 1 ? 0 : 1; /* --preempt-*-latency (a LOAD's, a SAVE's): it gives the */
        if (e->has_phold[c]) {       /* main thread its core back after this, the rest later */
            int64_t hold = 1000 * ds_latency_draw(&e->phold[c], &e->phold_rng[c]);
            if (hold < run) sv->cpu_rest_ns = run - hold;
            run = hold; /* longer than its part: the thread's own wake-up and hand-back */
        }
    }
    if (g != DS_HC_WAIT) ve_schedule(e, &e->io, e->now + run, EV_IOCPU, s);
}

/* host-cpu: the IO server s is off its core: the rest of its part on one (after it gave a
 * preempted main thread its core back), or the device. */
static void io_cpu_done(ve_engine *e, uint32_t s) {
    ve_server *sv = &e->servers[s];
    if (sv->cpu_rest_ns > 0) {
        sv->cpu_ns = sv->cpu_rest_ns;
        sv->cpu_rest_ns = 0;
        sv->want_ns = e->now;
        if (ds_hostcpu_io_want(&e->hc, s)) ve_schedule(e, &e->io, e->now + sv->cpu_ns, EV_IOCPU, s);
        return;
    }
    io_device(e, s, sv->off_ns);
}

/* host-cpu: a core was given back; whoever waited for it runs now. */
void ve_host_release(ve_engine *e) {
    uint32_t who = ds_hostcpu_release(&e->hc);
    if (who == DS_HOSTCPU_MAIN) {
        e->main_core = true;
        if (e->preempted)
            e->preempt_ns += e->now - e->main_asked;
        else if (e->iol)
            ds_iolat_add(e->iol, DS_IOL_MAIN_RUNQ, e->now - e->main_asked);
        e->preempted = false;
        ve_main_run(e, e->main_ready > e->now ? e->main_ready : e->now, e->main_cost);
    } else if (who != DS_HOSTCPU_NONE) {
        e->servers[who].cpu_wait_ns += e->now - e->servers[who].want_ns;
        ve_schedule(e, &e->io, e->now + e->servers[who].cpu_ns, EV_IOCPU, who);
    }
}

/* A server starts job: the backend plans the call (its service time), then the job's time on
 * a host core (host-cpu) or straight on the device. */
static void io_start(ve_engine *e, ds_backend *be, ds_job *job) {
    uint32_t s = e->free_srv[--e->nfree];
    ve_server *sv = &e->servers[s];
    sv->job = job;
    ds_job_plan(be, job, &sv->call); /* it zeroes the call first */
    sv->start_ns = e->now;
    sv->cpu_wait_ns = 0;
    sv->wake_ns = e->has_iowake ? 1000 * ds_latency_draw(&e->iowake, &e->iowake_rng) : 0;
    if (e->iol && e->has_iowake) ds_iolat_add(e->iol, DS_IOL_WORKER_WAKEUP, sv->wake_ns);
    if (e->iol) /* as the real engine counts it: until the worker is awake */
        ds_iolat_add(e->iol, DS_IOL_QUEUE_WAIT, e->now + sv->wake_ns - job->created_us * 1000);
    const ds_replay_hooks *h = e->o->hooks;
    if (h && h->io_taken) h->io_taken(h->ctx, job);
    int64_t svc = sv->call.service_us;
    svc = svc > 0 ? svc * 1000 : 0;
    if (e->host) {
        double share = e->o->host_cpu.share[ds_job_bop(job)];
        int64_t cpu = (int64_t)((double)svc * share + 0.5);
        sv->cpu_ns = cpu;
        sv->off_ns = svc - cpu;
        if (cpu > 0) {
            io_cpu(e, s);
            return; /* the device phase follows the core's (io_device) */
        }
    }
    io_device(e, s, svc);
}

/*
 * maybe_jobs is set by jobs_ready alone: the core's scheduler announces every job it pushes
 * (sched.c, ds_sched_pump), so neither a finished job nor a freed server needs a look of its
 * own (a loop that stopped for want of a server left maybe_jobs set). Those two looks were
 * two of the three calls here a LOAD made, each finding nothing.
 */
__attribute__((noinline)) void ve_pump_jobs(ve_engine *e) {
    /* the main thread hands jobs out: preempted, it hands out none until it runs again (the
     * rest of a cron's burst of SAVEs waits, as it does in the real engine) */
    while (e->maybe_jobs && e->nfree > 0 && !e->preempted) {
        ds_job *job = ds_cache_job_take(rp_cache(e->r));
        if (!job) {
            e->maybe_jobs = false;
            break;
        }
        io_start(e, rp_backend(e->r), job);
    }
}

void ve_job_done(ve_engine *e, ds_job *job) {
    ds_status st = ds_cache_job_done(rp_cache(e->r), job);
    if (st != DS_OK) ve_fail(e, st, ds_cache_last_error(rp_cache(e->r)));
}

/* A finished job reaches the core: handed back at once (no model, or the core waits for it in
 * wait_io: `direct`), or queued for the core with its hand-back cost. */
static void to_core(ve_engine *e, ds_job *job, bool direct) {
    if (!e->model || direct) {
        ve_job_done(e, job);
        return;
    }
    const ds_core_cost *cc = &e->o->core_cost;
    int64_t cost = cc->ns[job->type == DS_JOB_LOAD ? DS_COST_LOADDONE : DS_COST_SAVEDONE];
    ve_core_submit_work(e, (ve_work){.kind = CW_DONE, .job = job, .cost_ns = cost});
}

/* Park a finished job until its hand-off event; slots grow in chunks, never shrink. */
static void handoff_later(ve_engine *e, ds_job *job) {
    if (e->nhfree == 0) {
        uint32_t ncap = e->hcap ? e->hcap * 2 : 64;
        ds_job **nj = realloc(e->hjobs, ncap * sizeof *nj);
        if (nj) e->hjobs = nj;
        uint32_t *nf = nj ? realloc(e->hfree, ncap * sizeof *nf) : NULL;
        if (!nf) {
            ve_fail(e, DS_ERR_NOMEM, "virtual engine: out of memory");
            ve_job_done(e, job);
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
    ve_schedule(e, &e->io, e->now + (d_us > 0 ? d_us * 1000 : 0), EV_HANDOFF, slot);
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
    if (e->has_handoff)
        handoff_later(e, job);
    else
        to_core(e, job, direct);
}

void ve_io_event(ve_engine *e, const ds_ev *ev, bool direct) {
    if (ev->kind == EV_IOCPU) { /* the call's part on a core is done: the core is free */
        ve_host_release(e);
        io_cpu_done(e, ev->arg);
    } else if (ev->kind == EV_HANDOFF)
        handoff_done(e, ev->arg, direct);
    else
        io_complete(e, ev->arg, direct);
}
