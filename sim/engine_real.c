/*
 * engine_real.c - the wall-clock engine of `dslab replay --clock real`: worker threads, an
 * eventfd, CLOCK_MONOTONIC.
 *
 * Threading contract (the core is single-threaded): only the main thread (the one that calls
 * run, wait_io and free) calls into the cache or touches a value's reference count. A job moves
 * main -> worker through the todo queue and worker -> main through the done queue; both are
 * guarded by one mutex, so everything the worker wrote into the job (result, the LOAD's new
 * value, the error text) happens-before the main thread reads it. Workers read a SAVE's value
 * bytes, which never change after creation, and the job's key, which the core keeps alive and
 * unchanged while the job is in flight.
 *
 * A worker: pop a job, ds_job_plan (the fake draws latency and faults), sleep service_us (this
 * is how a fake backend's latency becomes real), ds_job_run, push onto the done queue, write
 * the eventfd. The main loop sleeps in ppoll on the eventfd until the next due event: the next
 * trace arrival (trace time / --speed from the run's start), a client wake-up (closed loop,
 * --think), the cron tick (100 ms) or the metrics tick; each completion is handed back with
 * ds_cache_job_done on the main thread. host.wait_io blocks on the same eventfd.
 *
 * Shutdown: run() returns after the trace with jobs possibly still in flight; replay.c drains
 * through wait_io; free() stops and joins the workers.
 */
#include "engine_real.h"
#include "hostload.h"
#include "iolat.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define RE_CRON_US            100000
#define RE_ARRIVALS_PER_ROUND 1024 /* bound the arrivals handled between two completion reaps */

/* A job on its way through the queues. Nodes are allocated and recycled on the main thread. */
typedef struct re_node {
    struct re_node *next;
    ds_job *job;
    ds_backend *backend;
    int64_t push_ns, pop_ns, end_ns; /* CLOCK_MONOTONIC: queued, picked up, finished (iolat.h) */
    int64_t take_ns;                 /* taken from the core for an idle worker */
    int64_t cpu_ns, runq_ns; /* the worker's CPU time and run-queue wait in the call (iolat.h) */
} re_node;

typedef struct re_wake {
    int64_t t;
    uint64_t seq;
    uint32_t idx;
} re_wake;

typedef struct re_engine {
    rp_engine base;
    rp_run *r;
    const ds_replay_opts *o;
    int64_t t0_ns;
    /* shared with the workers, under mu */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    re_node *todo_head, *todo_tail, *done_head, *done_tail;
    bool stop;
    int efd;
    pthread_t *threads;
    uint32_t nthreads;
    /* main thread only */
    re_node *free_nodes;
    uint64_t inflight; /* taken from the core and not yet handed back */
    uint64_t nworkers; /* io-threads: at most this many jobs are taken at once (re_pump) */
    bool maybe_jobs, eof;
    const ds_trace_req *pending; /* open loop: the record of the next arrival */
    int64_t pending_due_us, pending_due_ns;
    bool woke;       /* the loop slept since the last due_work */
    int ss;          /* the main thread's schedstat fd (iolat.h), -1 without */
    int64_t awake_w; /* its schedstat wait at the last wake-up, -1 unknown (main_preempt) */
    unsigned handed; /* jobs handed out since that wake-up: 1 LOAD, 2 SAVE or delete */
    re_wake *wakes;  /* min-heap on (t, seq) */
    size_t nwakes, wcap;
    uint64_t wseq, idle_crons;
    FILE *save_log;
    ds_iolat *iol; /* the run's io_latency.csv / core_cpu.csv accumulators (main thread) */
    ds_status fail;
    ds_err fail_err;
} re_engine;

static re_engine *re_of(rp_engine *b) { return (re_engine *)b; }

static void fail(re_engine *e, ds_status st, const char *msg) {
    if (e->fail != DS_OK) return;
    e->fail = st;
    ds_err_set(&e->fail_err, st, "%s", msg);
}

static int64_t re_now_ns(rp_engine *b) { return ds_mono_ns() - re_of(b)->t0_ns; }
static int64_t re_now(rp_engine *b) { return re_now_ns(b) / 1000; }

/* ---- workers -------------------------------------------------------------------------------- */

static void sleep_us(int64_t us) {
    if (us <= 0) return;
    struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static void *worker(void *arg) {
    re_engine *e = arg;
    int ss = ds_schedstat_open(); /* this thread's; fd < 0: run-queue waits read as 0 */
    for (;;) {
        pthread_mutex_lock(&e->mu);
        while (!e->stop && !e->todo_head)
            pthread_cond_wait(&e->cv, &e->mu);
        if (e->stop) {
            pthread_mutex_unlock(&e->mu);
            if (ss >= 0) close(ss);
            return NULL;
        }
        re_node *n = e->todo_head;
        e->todo_head = n->next;
        if (!e->todo_head) e->todo_tail = NULL;
        pthread_mutex_unlock(&e->mu);

        n->pop_ns = ds_mono_ns();

        ds_call call;
        ds_job_plan(n->backend, n->job, &call);
        sleep_us(call.service_us);
        int64_t wait0, wait1;
        ds_schedstat_wait(ss, &wait0);
        int64_t cpu0 = ds_thread_cpu_ns();
        ds_job_run(n->backend, n->job, &call);
        int64_t cpu1 = ds_thread_cpu_ns();
        ds_schedstat_wait(ss, &wait1);
        n->cpu_ns = cpu1 - cpu0;
        n->runq_ns = wait1 - wait0;

        n->next = NULL;
        n->end_ns = ds_mono_ns();
        pthread_mutex_lock(&e->mu);
        bool first = !e->done_tail;
        if (e->done_tail)
            e->done_tail->next = n;
        else
            e->done_head = n;
        e->done_tail = n;
        pthread_mutex_unlock(&e->mu);
        /* Only the push onto an empty done queue wakes the main thread: a non-empty queue's
         * first pusher has written (or is about to write) the eventfd, and reap() takes the
         * whole queue after clearing the counter, so nothing is left without a wake-up. */
        uint64_t one = 1;
        while (first && write(e->efd, &one, sizeof one) < 0 && errno == EINTR) {
        }
    }
}

/* ---- save log ------------------------------------------------------------------------------- */

/* The oracle's stamp {version, key hash} is the first 8 bytes of a replay value. */
static uint64_t value_version(const ds_value *v) {
    uint64_t ver = 0;
    if (v && v->len >= sizeof ver) memcpy(&ver, v->data, sizeof ver);
    return ver;
}

static void log_push(re_engine *e, const ds_job *job) {
    if (!e->save_log || job->type != DS_JOB_SAVE) return;
    fprintf(e->save_log, "P %" PRIu64 " ", job->id);
    const unsigned char *k = job->key;
    for (uint32_t i = 0; i < job->keylen; i++)
        fprintf(e->save_log, "%02x", k[i]);
    if (job->value)
        fprintf(e->save_log, " %" PRIu64 "\n", value_version(job->value));
    else
        fputs(" D\n", e->save_log);
    if (fflush(e->save_log) != 0) fail(e, DS_ERR_IO, "real engine: writing the save log failed");
}

static void log_ack(re_engine *e, const ds_job *job) {
    if (!e->save_log || job->type != DS_JOB_SAVE || job->result != DS_OK) return;
    fprintf(e->save_log, "A %" PRIu64 "\n", job->id);
    if (fflush(e->save_log) != 0) fail(e, DS_ERR_IO, "real engine: writing the save log failed");
}

/* ---- jobs on the main thread ---------------------------------------------------------------- */

static void re_jobs_ready(rp_engine *b) { re_of(b)->maybe_jobs = true; }

/* Take new jobs from the core while a worker is idle, and queue them for the workers. Only
 * then: a job taken early would wait in this engine's FIFO, out of the core's order (its IO
 * policy puts a LOAD ahead of queued SAVEs), and the virtual engine takes a job only when a
 * server is free. Taking all at once made a real LOAD wait behind up to max-io-jobs SAVEs
 * (GET p90 224 us real vs 54 us virtual on the default workload). */
static void re_pump(rp_engine *b) {
    re_engine *e = re_of(b);
    while (e->maybe_jobs && e->inflight < e->nworkers) {
        re_node *n = e->free_nodes;
        if (n)
            e->free_nodes = n->next;
        else if (!(n = malloc(sizeof *n))) {
            fail(e, DS_ERR_NOMEM, "real engine: out of memory");
            return;
        }
        ds_job *job = ds_cache_job_take(rp_cache(e->r));
        if (!job) {
            n->next = e->free_nodes;
            e->free_nodes = n;
            e->maybe_jobs = false;
            break;
        }
        log_push(e, job);
        if (e->o->hooks && e->o->hooks->io_taken) e->o->hooks->io_taken(e->o->hooks->ctx, job);
        n->job = job;
        e->handed |= DS_IOL_HANDED(job);
        n->backend = rp_backend(e->r);
        n->next = NULL;
        e->inflight++;
        /* queued since the core created it (its IO queue, then ours): created_us is this
         * engine's clock, in us since t0 */
        n->push_ns = e->t0_ns + job->created_us * 1000;
        n->take_ns = ds_mono_ns();
        pthread_mutex_lock(&e->mu);
        if (e->todo_tail)
            e->todo_tail->next = n;
        else
            e->todo_head = n;
        e->todo_tail = n;
        pthread_cond_signal(&e->cv);
        pthread_mutex_unlock(&e->mu);
    }
}

/* io_latency.csv: the worker's time by op, the wait for a worker, the hand-off back. */
static void account_io(re_engine *e, const re_node *n, const ds_job *job, int64_t seen_ns) {
    if (!e->iol) return;
    int b = (int)ds_job_bop(job); /* the three kinds of each family are in ds_bop order */
    ds_iolat_add(e->iol, (ds_iol_kind)(DS_IOL_BACKEND_GET + b), n->end_ns - n->pop_ns);
    ds_iolat_add(e->iol, (ds_iol_kind)(DS_IOL_CPU_GET + b), n->cpu_ns);
    ds_iolat_add(e->iol, (ds_iol_kind)(DS_IOL_SERVICE_GET + b), n->end_ns - n->pop_ns - n->runq_ns);
    ds_iolat_add(e->iol, DS_IOL_QUEUE_WAIT, n->pop_ns - n->push_ns);
    ds_iolat_add(e->iol, DS_IOL_WORKER_WAKEUP, n->pop_ns - n->take_ns); /* iolat.h: gross */
    ds_iolat_add(e->iol, DS_IOL_HANDOFF, seen_ns - n->end_ns);
}

/* Hand every finished job back to the core. Returns how many. */
static uint64_t reap(re_engine *e) {
    uint64_t cnt;
    while (read(e->efd, &cnt, sizeof cnt) < 0 && errno == EINTR) {
    } /* non-blocking: clears the counter; a push after this writes it again */
    pthread_mutex_lock(&e->mu);
    re_node *n = e->done_head;
    e->done_head = e->done_tail = NULL;
    pthread_mutex_unlock(&e->mu);
    uint64_t got = 0;
    int64_t seen_ns = n ? ds_mono_ns() : 0;
    while (n) {
        re_node *next = n->next;
        ds_job *job = n->job;
        n->next = e->free_nodes;
        e->free_nodes = n;
        e->inflight--;
        got++;
        account_io(e, n, job, seen_ns);
        log_ack(e, job);
        if (e->o->hooks && e->o->hooks->io_done) e->o->hooks->io_done(e->o->hooks->ctx, job);
        int kind = job->type == DS_JOB_LOAD ? DS_CPU_DONE_LOAD : DS_CPU_DONE_SAVE;
        int64_t cpu0 = e->iol ? ds_thread_cpu_ns() : 0;
        ds_status st = ds_cache_job_done(rp_cache(e->r), job); /* job is gone after this */
        if (e->iol) ds_iolat_cpu(e->iol, kind, ds_thread_cpu_ns() - cpu0);
        if (st != DS_OK) fail(e, st, ds_cache_last_error(rp_cache(e->r)));
        e->maybe_jobs = true;
        n = next;
    }
    return got;
}

/* Sleep until the eventfd fires or timeout_us passes (< 0: no timeout). */
static void wait_event(re_engine *e, int64_t timeout_us) {
    struct pollfd p = {.fd = e->efd, .events = POLLIN};
    struct timespec ts, *tsp = NULL;
    if (timeout_us >= 0) {
        ts = (struct timespec){(time_t)(timeout_us / 1000000), (long)(timeout_us % 1000000) * 1000};
        tsp = &ts;
    }
    (void)ppoll(&p, 1, tsp, NULL); /* EINTR: the caller's loop re-checks */
}

static bool re_wait_io(rp_engine *b) {
    re_engine *e = re_of(b);
    for (;;) {
        re_pump(b);
        if (reap(e) > 0) {
            re_pump(b);
            return true;
        }
        if (e->inflight == 0 || e->fail != DS_OK) return false;
        wait_event(e, -1);
    }
}

/* ---- client wake-ups (a min-heap on time, then insertion order) ----------------------------- */

static bool wake_less(const re_wake *a, const re_wake *b) {
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void re_client_wake(rp_engine *b, uint32_t idx, int64_t delay_us) {
    re_engine *e = re_of(b);
    if (e->nwakes == e->wcap) {
        size_t ncap = e->wcap ? e->wcap * 2 : 256;
        re_wake *nw = realloc(e->wakes, ncap * sizeof *nw);
        if (!nw) {
            fail(e, DS_ERR_NOMEM, "real engine: out of memory");
            return;
        }
        e->wakes = nw;
        e->wcap = ncap;
    }
    re_wake w = {re_now(b) + (delay_us > 0 ? delay_us : 0), e->wseq++, idx};
    size_t i = e->nwakes++;
    while (i > 0 && wake_less(&w, &e->wakes[(i - 1) / 2])) {
        e->wakes[i] = e->wakes[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    e->wakes[i] = w;
}

static re_wake wake_pop(re_engine *e) {
    re_wake top = e->wakes[0], last = e->wakes[--e->nwakes];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= e->nwakes) break;
        if (c + 1 < e->nwakes && wake_less(&e->wakes[c + 1], &e->wakes[c])) c++;
        if (!wake_less(&e->wakes[c], &last)) break;
        e->wakes[i] = e->wakes[c];
        i = c;
    }
    if (e->nwakes) e->wakes[i] = last;
    return top;
}

/* ---- the trace ------------------------------------------------------------------------------ */

/* Open loop: read the next record and compute its wall-clock due time. */
static ds_status next_arrival(re_engine *e, ds_err *err) {
    const ds_trace_req *req;
    int rc = rp_next_record(e->r, &req, err);
    e->pending = NULL;
    if (rc < 0) return DS_ERR_ARG;
    if (rc == 0) {
        e->eof = true;
        return DS_OK;
    }
    e->pending = req;
    e->pending_due_ns = e->o->speed > 0 ? rp_arrival_ns(e->r, req) : 0;
    e->pending_due_us = e->pending_due_ns / 1000;
    return DS_OK;
}

/* Closed loop: see rp_closed_fill. */
static ds_status closed_fill(re_engine *e, uint32_t idx, ds_err *err) {
    return rp_closed_fill(e->r, idx, &e->eof, err);
}

/* Everything due at `now`: wake-ups, arrivals. */
static ds_status due_work(re_engine *e, int64_t now, ds_err *err) {
    ds_status st = DS_OK;
    /* io_latency.csv "wakeup": how late the main thread, asleep until this arrival was due,
     * got to it (timer and scheduler wake-up; the model's wakeup-latency) */
    if (e->woke && e->iol && e->pending && e->pending_due_us <= now)
        ds_iolat_add(e->iol, DS_IOL_WAKEUP, re_now_ns(&e->base) - e->pending_due_ns);
    e->woke = false;
    while (st == DS_OK && e->nwakes && e->wakes[0].t <= now && e->fail == DS_OK) {
        re_wake w = wake_pop(e);
        bool idle;
        st = rp_client_step(e->r, w.idx, &idle, err);
        if (st == DS_OK && idle && rp_closed(e->r)) st = closed_fill(e, w.idx, err);
    }
    for (int i = 0; st == DS_OK && i < RE_ARRIVALS_PER_ROUND && e->pending &&
                    e->pending_due_us <= now && e->fail == DS_OK;
         i++) {
        st = rp_deliver(e->r, e->pending, err);
        if (st == DS_OK) st = next_arrival(e, err);
    }
    return st;
}

/* Stop and join the workers. A worker finishes the job it holds; jobs still queued are not
 * run (the cache drops jobs in flight when it is freed). */
static void stop_workers(re_engine *e) {
    pthread_mutex_lock(&e->mu);
    e->stop = true;
    pthread_cond_broadcast(&e->cv);
    pthread_mutex_unlock(&e->mu);
    for (uint32_t i = 0; i < e->nthreads; i++)
        pthread_join(e->threads[i], NULL);
    e->nthreads = 0;
}

/* ---- the loop ------------------------------------------------------------------------------- */

/* Parked clients with nothing in flight, no wake-up and no arrival can only be freed by cron
 * pushing delayed SAVEs (a LOAD behind them). Allow a generous number of such crons. */
static ds_status cron(re_engine *e, ds_err *err) {
    int64_t cpu0 = e->iol ? ds_thread_cpu_ns() : 0;
    ds_cache_cron(rp_cache(e->r)); /* DS_ERR_MEMORY is counted in the stats */
    if (e->iol) ds_iolat_cpu(e->iol, DS_CPU_CRON, ds_thread_cpu_ns() - cpu0);
    re_pump(&e->base);
    if (e->inflight || e->nwakes || e->pending || rp_clients_parked(e->r) == 0) {
        e->idle_crons = 0;
        return DS_OK;
    }
    int64_t budget_ms = e->o->core.flush_delay_ms + 2 * e->o->core.save_retry_max_ms + 60000;
    if (++e->idle_crons <= (uint64_t)(budget_ms / (RE_CRON_US / 1000))) return DS_OK;
    return ds_err_set(err, DS_ERR_STATE,
                      "replay: %llu clients parked and no IO can finish "
                      "(stuck at %lld us)",
                      (unsigned long long)rp_clients_parked(e->r), (long long)re_now(&e->base));
}

static bool finished(re_engine *e) {
    return e->nwakes == 0 && !e->pending && e->inflight == 0 && rp_clients_parked(e->r) == 0 &&
           (e->eof || rp_closed(e->r));
}

/* The earliest time anything is due, for the poll timeout. */
static int64_t next_due(const re_engine *e, int64_t next_cron, int64_t next_tick) {
    int64_t t = next_cron < next_tick ? next_cron : next_tick;
    if (e->nwakes && e->wakes[0].t < t) t = e->wakes[0].t;
    if (e->pending && e->pending_due_us < t) t = e->pending_due_us;
    return t;
}

/* Sleep until the next due time or a finished job; record how long the thread then waited for
 * a core (main_runq: iolat.h). */
static void sleep_main(re_engine *e, int64_t wait_us) {
    int64_t w0, w1;
    bool m = e->iol && e->ss >= 0 && ds_schedstat_wait(e->ss, &w0);
    if (m && e->awake_w >= 0) /* preempted while awake: since the last wake-up */
        ds_iolat_main_preempt(e->iol, w0 - e->awake_w, e->handed);
    e->handed = 0;
    wait_event(e, wait_us);
    e->awake_w = -1;
    if (m && ds_schedstat_wait(e->ss, &w1)) {
        ds_iolat_add(e->iol, DS_IOL_MAIN_RUNQ, w1 - w0);
        e->awake_w = w1;
    }
    e->woke = true;
}

static ds_status re_run(rp_engine *b, ds_err *err) {
    re_engine *e = re_of(b);
    ds_status st = rp_closed(e->r) ? closed_fill(e, UINT32_MAX, err) : next_arrival(e, err);
    int64_t tick_us = e->o->interval_ms > 0 ? e->o->interval_ms * 1000 : 1000000;
    int64_t next_cron = re_now(b) + RE_CRON_US, next_tick = re_now(b) + tick_us;
    while (st == DS_OK && e->fail == DS_OK) {
        if (rp_stopping(e->r)) break; /* interrupted: the drain finishes what is in flight */
        re_pump(b);
        reap(e);
        int64_t now = re_now(b);
        st = due_work(e, now, err);
        rp_mem_sample(e->r);
        if (st == DS_OK && now >= next_cron) {
            st = cron(e, err);
            next_cron += RE_CRON_US;
            if (next_cron <= now) next_cron = now + RE_CRON_US;
        }
        if (st == DS_OK && now >= next_tick) {
            st = rp_tick(e->r, now * 1000, err);
            next_tick += tick_us;
            if (next_tick <= now) next_tick = now + tick_us;
        }
        if (st != DS_OK || finished(e)) break;
        re_pump(b);
        int64_t wait = next_due(e, next_cron, next_tick) - re_now(b);
        if (wait > 0) sleep_main(e, wait);
    }
    if (st == DS_OK && e->fail != DS_OK) st = ds_err_set(err, e->fail, "%s", e->fail_err.msg);
    if (st != DS_OK) stop_workers(e); /* no drain follows: no worker may outlive the cache */
    return st;
}

/* ---- lifetime ------------------------------------------------------------------------------- */

static void free_list(re_node *n) {
    while (n) {
        re_node *next = n->next;
        free(n);
        n = next;
    }
}

static void re_free(rp_engine *b) {
    re_engine *e = re_of(b);
    if (!e) return;
    stop_workers(e);
    free_list(e->todo_head);
    free_list(e->done_head);
    free_list(e->free_nodes);
    if (e->efd >= 0) close(e->efd);
    if (e->ss >= 0) close(e->ss);
    if (e->save_log) fclose(e->save_log);
    pthread_cond_destroy(&e->cv);
    pthread_mutex_destroy(&e->mu);
    free(e->threads);
    free(e->wakes);
    free(e);
}

static const rp_engine_ops re_ops = {
    .name = "real",
    .now_ns = re_now_ns,
    .wait_io = re_wait_io,
    .jobs_ready = re_jobs_ready,
    .pump = re_pump,
    .client_wake = re_client_wake,
    .run = re_run,
    .free = re_free,
};

static ds_status start(re_engine *e, const ds_replay_opts *o, ds_err *err) {
    /* The default 50 us timer slack would make every open-loop arrival that finds the main
     * thread asleep up to 50 us late: a harness artefact, not a cost of the cache. */
    (void)prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    e->ss = ds_schedstat_open(); /* the main thread's (this one) */
    e->awake_w = -1;
    e->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (e->efd < 0) return ds_err_set(err, DS_ERR_IO, "real engine: eventfd: %s", strerror(errno));
    const char *log = o->save_log[0] ? o->save_log : getenv(DS_ENGINE_REAL_SAVE_LOG_ENV);
    if (log && *log && !(e->save_log = fopen(log, "w")))
        return ds_err_set(err, DS_ERR_IO, "%s: %s", log, strerror(errno));
    uint32_t n = o->io_threads ? o->io_threads : 1;
    e->nworkers = n;
    if (!(e->threads = calloc(n, sizeof *e->threads)))
        return ds_err_set(err, DS_ERR_NOMEM, "real engine: out of memory");
    for (uint32_t i = 0; i < n; i++) {
        int rc = pthread_create(&e->threads[i], NULL, worker, e);
        if (rc != 0)
            return ds_err_set(err, DS_ERR_IO, "real engine: starting io thread %u: %s", i + 1,
                              strerror(rc));
        e->nthreads++;
    }
    return DS_OK;
}

rp_engine *ds_engine_real_new(rp_run *r, const ds_replay_opts *o, ds_err *err) {
    re_engine *e = calloc(1, sizeof *e);
    if (!e) return ds_err_set(err, DS_ERR_NOMEM, "real engine: out of memory"), NULL;
    e->base.ops = &re_ops;
    e->r = r;
    e->o = o;
    e->efd = -1;
    e->ss = -1;
    e->t0_ns = ds_mono_ns();
    e->iol = rp_iolat(r);
    pthread_mutex_init(&e->mu, NULL);
    pthread_cond_init(&e->cv, NULL);
    if (start(e, o, err) != DS_OK) {
        re_free(&e->base);
        return NULL;
    }
    return &e->base;
}
