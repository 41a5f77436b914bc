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
 *
 * This file is the loop, the modelled core and the engine's ops; the IO side (servers, device,
 * host cores, hand-offs) is engine_virtual_io.c, the shared state engine_virtual_int.h.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "engine_virtual_int.h"

#define VE_CRON_NS 100000000LL /* 100 ms */

/* ---- engine ops --------------------------------------------------------------------------- */

static int64_t ve_now(rp_engine *b) { return ((ve_engine *)b)->now; }

static void ve_jobs_ready(rp_engine *b) { ((ve_engine *)b)->maybe_jobs = true; }

/* After every cache call: most find no new job or no free server, so that test is all they
 * pay; taking and planning jobs is out of line. */
static void ve_pump(rp_engine *b) {
    ve_engine *e = (ve_engine *)b;
    if (e->maybe_jobs && e->nfree > 0) ve_pump_jobs(e);
}

/* ---- the modelled core -------------------------------------------------------------------- */

static void core_start(ve_engine *e, ve_work w, int64_t wake_ns) {
    assert(!e->core_set); /* one item in service at a time (host-cpu: main_run's heap) */
    e->core_busy = true;
    e->cur = w;
    e->busy_ns += w.cost_ns; /* the wake-up is not work */
    if (e->host && !e->main_core) {
        /* every core is busy, or it still waits since its preemption (hostcpu.h: one grant
         * per wait): it runs this item when a core frees (EV_CORE then) */
        if (!ds_hostcpu_main_want(&e->hc)) {
            e->main_ready = e->now + wake_ns;
            e->main_cost = w.cost_ns;
            if (!e->preempted) e->main_asked = e->now; /* a preemption's wait runs on */
            return;
        }
        e->main_core = true;
        if (e->iol) ds_iolat_add(e->iol, DS_IOL_MAIN_RUNQ, 0);
    }
    if (e->host) {
        ve_main_run(e, e->now + wake_ns, w.cost_ns);
        return;
    }
    e->core_ev = (ds_ev){e->now + wake_ns + w.cost_ns, e->seq++, EV_CORE, 0};
    e->core_set = true;
}

void ve_core_submit_work(ve_engine *e, ve_work w) {
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
            ve_fail(e, DS_ERR_NOMEM, "virtual engine: out of memory");
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
    if (!e->core_busy && !e->in_core && e->cq_n == 0 && !e->host && !e->arriving) {
        /* the closed loop's every request: an idle core starts it now (core_start's and
         * ve_core_submit_work's path without host-cpu, a wake-up or --io-latency's arrival
         * time), without building and copying the work item twice */
        assert(!e->core_set);
        e->core_busy = true;
        e->cur.kind = CW_CMD;
        e->cur.idx = idx;
        e->cur.cost_ns = cost_ns;
        e->cur.arrived_ns = -1;
        e->cur.job = NULL;
        e->busy_ns += cost_ns;
        e->core_ev = (ds_ev){e->now + cost_ns, e->seq++, EV_CORE, 0};
        e->core_set = true;
        return;
    }
    int64_t arrived = e->iol && e->arriving ? e->now : -1; /* arrival_late, as real runs */
    ve_core_submit_work(
        e, (ve_work){.kind = CW_CMD, .idx = idx, .cost_ns = cost_ns, .arrived_ns = arrived});
}

static int64_t ve_core_busy_ns(rp_engine *b) {
    ve_engine *e = (ve_engine *)b;
    return e->model ? e->busy_ns : -1;
}

/* The core waits for an IO (reclaim, drain): a finished job already queued for hand-back goes
 * first, out of line; else the clock moves to the next IO event. */
static bool ve_wait_io(rp_engine *b) {
    ve_engine *e = (ve_engine *)b;
    if (e->host && e->main_core) { /* blocked, not running: its core is free meanwhile (it
                                      does not take one back for the rest of this item) */
        e->main_core = false;
        ve_host_release(e);
    }
    ve_pump(b);
    for (size_t i = 0; i < e->cq_n; i++) {
        ve_work *w = &e->cq[(e->cq_head + i) % e->cq_cap];
        if (w->kind != CW_DONE) continue;
        w->kind = CW_NONE;
        ve_job_done(e, w->job);
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
        ve_job_done(e, job);
        ve_pump(b);
        return true;
    }
    ds_ev ev = ds_evheap_pop(&e->io);
    if (ev.t > e->now) e->now = ev.t;
    ve_io_event(e, &ev, true);
    ve_pump(b);
    return true;
}

static void ve_client_wake(rp_engine *b, uint32_t idx, int64_t delay_us) {
    ve_engine *e = (ve_engine *)b;
    if (delay_us > 0) {
        ve_schedule(e, &e->main, e->now + delay_us * 1000, EV_CLIENT, idx);
        return;
    }
    e->live++; /* as schedule_seq counts it */
    if (!ds_evring_push(&e->wake, (ds_ev){e->now, e->seq++, EV_CLIENT, idx}))
        ve_fail(e, DS_ERR_NOMEM, "virtual engine: out of memory");
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
    ve_schedule(e, &e->main, rp_arrival_ns(e->r, req), EV_ARRIVAL, 0);
    return DS_OK;
}

/* Closed loop: see rp_closed_fill. */
static ds_status closed_fill(ve_engine *e, uint32_t idx, ds_err *err) {
    return rp_closed_fill(e->r, idx, &e->eof, err);
}

/* The item in service is done: its work happens now; then the next waiting item starts. */
static inline __attribute__((always_inline)) ds_status core_done(ve_engine *e, ds_err *err) {
    uint32_t kind = e->cur.kind; /* e->cur stays as it is while its work runs: work submitted
                                    meanwhile queues (in_core), and wait_io takes only a
                                    busy core's item */
    e->core_busy = false;
    e->in_core = true;
    int64_t t0 = e->now;
    ds_status st = DS_OK;
    if (kind == CW_CMD) {
        if (e->cur.arrived_ns >= 0) /* from its arrival to its command's start */
            ds_iolat_add(e->iol, DS_IOL_ARRIVAL_LATE, e->now - e->cur.cost_ns - e->cur.arrived_ns);
        st = rp_client_exec(e->r, e->cur.idx, err);
    } else if (kind == CW_DONE) {
        ve_job_done(e, e->cur.job);
    } else if (kind == CW_CRON) {
        ds_cache_cron(rp_cache(e->r)); /* DS_ERR_MEMORY is counted in the stats */
    }
    ve_pump(&e->base);
    e->in_core = false;
    e->busy_ns += e->now - t0; /* blocked in wait_io inside the work */
    ve_work nx;
    int64_t harness = e->o->core_cost.ns[DS_COST_HARNESS];
    if (!e->core_busy && kind == CW_CMD && harness > 0) /* the host's work after the answer */
        core_start(e, (ve_work){.kind = CW_HARNESS, .cost_ns = harness}, 0);
    else if (!e->core_busy && core_pop(e, &nx))
        core_start(e, nx, 0);
    if (e->host && !e->core_busy && (e->main_core || e->preempted)) { /* idle: it sleeps */
        if (e->main_core)
            ve_host_release(e);
        else /* preempted at the end of its item with nothing left: it sleeps, not waits */
            ds_hostcpu_main_cancel(&e->hc);
        e->main_core = e->preempted = false;
        ds_iolat_main_preempt(e->iol, e->preempt_ns, e->handed);
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
            ve_core_submit_work(
                e, (ve_work){.kind = CW_CRON, .cost_ns = e->o->core_cost.ns[DS_COST_CRON]});
        } else {
            ds_cache_cron(rp_cache(e->r)); /* DS_ERR_MEMORY is counted in the stats */
            ve_pump(&e->base);
            idle_t = idle_until(e);
        }
        ve_schedule(e, &e->main, next_period(ev->t, VE_CRON_NS, idle_t), EV_CRON, 0);
        break;
    case EV_TICK:
        st = rp_tick(e->r, e->now, err);
        ve_schedule(e, &e->main, next_period(ev->t, e->o->interval_ms * 1000000, idle_until(e)),
                    EV_TICK, 0);
        break;
    case EV_IO:
    case EV_IOCPU:
    case EV_HANDOFF:
        ve_io_event(e, ev, false);
        ve_pump(&e->base);
        break;
    case EV_PIT:
        st = rp_point_in_time(e->r, err);
        ve_pump(&e->base);
        ve_schedule(e, &e->main, e->now + e->o->pit_every_ms * 1000000, EV_PIT, 0);
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

/* Before a main-heap or IO event: a cron with nothing but parked clients counts towards
 * stuck(); any other event but a tick or point-in-time check restarts the count. false (err
 * set) when the run is stuck. */
static bool count_idle(ve_engine *e, const ds_ev *ev, bool done, ds_err *err) {
    if (!((1u << ev->kind) & ((1u << EV_CRON) | (1u << EV_TICK) | (1u << EV_PIT)))) {
        e->idle_crons = 0;
        return true;
    }
    if (ev->kind != EV_CRON) return true;
    bool core_idle = !e->core_busy && e->cq_n == 0; /* as at the loop's top */
    if (e->live != 0 || e->io.n != 0 || done || !core_idle) {
        e->idle_crons = 0;
        return true;
    }
    e->idle_crons++;
    if (!stuck(e)) return true;
    ds_err_set(err, DS_ERR_STATE,
               "replay: %llu clients parked and no IO can finish (stuck at %lld us)",
               (unsigned long long)rp_clients_parked(e->r), (long long)(e->now / 1000));
    return false;
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
    ve_schedule(e, &e->main, e->now + cron0, EV_CRON, 0);
    ve_schedule(e, &e->main, e->now + e->o->interval_ms * 1000000, EV_TICK, 0);
    if (e->o->pit_every_ms > 0)
        ve_schedule(e, &e->main, e->now + e->o->pit_every_ms * 1000000, EV_PIT, 0);
    /* Fixed for the run, so not asked per event: the loop's own cost is paid per event. */
    bool closed = rp_closed(e->r), mem_limit = e->o->core.max_memory_bytes != 0;
    int64_t crash_at = rp_crash_at(e->r) * 1000; /* crash lab: run on (cron flushes) until */
    volatile sig_atomic_t *stop = e->o->stop;    /* rp_stopping, read without a call */
    while (st == DS_OK && e->fail == DS_OK) {
        if (stop && *stop) break; /* interrupted: the drain finishes what is in flight */
        /* the earliest of the main heap, the wake-up ring, the core's slot and the IO heap
         * (main on a tie) */
        const ds_ev *top = e->main.n ? &e->main.a[0] : NULL;
        enum { FROM_MAIN, FROM_RING, FROM_CORE, FROM_IO } from = FROM_MAIN;
        if (e->wake.n && (!top || ds_ev_less(ds_evring_first(&e->wake), top)))
            top = ds_evring_first(&e->wake), from = FROM_RING;
        if (e->core_set && (!top || ds_ev_less(&e->core_ev, top)))
            top = &e->core_ev, from = FROM_CORE;
        if (e->io.n && (!top || ds_ev_less(&e->io.a[0], top))) top = &e->io.a[0], from = FROM_IO;
        bool done = false;
        /* The run can be over only when no wake-up, core item or IO is pending (each of
         * them is work: a ring wake-up is counted live, the core's slot means it is busy),
         * so the full test is paid only then, not per event. */
        if (from == FROM_MAIN && !e->wake.n && !e->core_set && !e->io.n) {
            done = !e->core_busy && e->cq_n == 0 && e->live == 0 && (closed || e->eof) &&
                   rp_clients_parked(e->r) == 0;
            if (done && !crash_at) break;
        }
        if (crash_at && (!top || top->t > crash_at)) return crash_now(e, crash_at, err);
        if (from == FROM_CORE) { /* handle's EV_CORE, without copying the event */
            e->core_set = false;
            if (e->core_ev.t > e->now) e->now = e->core_ev.t;
            e->idle_crons = 0;
            if (e->core_ev.arg == e->core_gen) st = core_done(e, err); /* else void */
            if (mem_limit) rp_mem_sample(e->r);
            continue;
        }
        if (from == FROM_RING) { /* handle's EV_CLIENT; the ring holds nothing else */
            ds_ev ev = ds_evring_pop(&e->wake);
            if (ev.t > e->now) e->now = ev.t;
            e->idle_crons = 0;
            e->live--;
            if (closed) {
                st = rp_closed_wake(e->r, ev.arg, &e->eof, err);
            } else {
                bool idle;
                st = rp_client_step(e->r, ev.arg, &idle, err);
            }
            if (mem_limit) rp_mem_sample(e->r);
            continue;
        }
        ds_ev ev = ds_evheap_pop(from == FROM_IO ? &e->io : &e->main);
        if (ev.t > e->now) e->now = ev.t;
        if (!count_idle(e, &ev, done, err)) return DS_ERR_STATE;
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
    bool one = true; /* every backend call is made from this thread: the stack's locks go */
    ds_backend_control(rp_backend(r), DS_BCTL_ONE_THREAD, &one);
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
