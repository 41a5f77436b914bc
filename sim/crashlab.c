/*
 * crashlab.c - one seed of the crash lab, and the lab over all seeds (crashlab.h).
 *
 * The SAVE log the rules need is the one the real engine writes for crashcheck: a SAVE job is
 * pushed when an IO server takes it (its version read from the oracle's stamp), acknowledged
 * when its IO returned success. A crash only comes between two events of the virtual engine,
 * so "the store acknowledged it" and "the core saw the job done" are the same moment. Jobs in
 * flight at the crash reach the store as interrupted writes: pushed, never acknowledged,
 * applied or lost by the power cut like any other volatile write.
 *
 * The crash moment of seed s is drawn uniformly in (0, span]: span is the length of a
 * reference run of the same trace and options without a crash, plus twice cache-flush-delay.
 * A crashing run has no drain: after its last request the process keeps running (cron
 * pushes the SAVEs as they come due) until the power goes, so late crash moments find the
 * cache flushing what the trace left behind.
 */
#include "crashlab.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"
#include "csvfmt.h"
#include "seedrun.h"

#define LAB_DRAW_SEED 0xc7a54ull

typedef struct lab_seed {
    const ds_crash_lab_opts *o;
    ds_crash_seed *res;
    uint64_t fate_seed;
    ds_backend *parent, *shim;
    ds_cc *cc;
    uint64_t jobs;
    ds_status log_err;
    ds_err log_msg;
} lab_seed;

typedef struct lab {
    const ds_crash_lab_opts *o;
    int64_t span_us;
} lab;

bool ds_crash_seed_ok(const ds_crash_seed *s) {
    return s->rep.violations == 0 && s->rep.lost == 0 && s->rep.torn == 0;
}

/* dst = a + b (DS_OPT_STR_MAX bytes); false when it does not fit. */
static bool join(char *dst, const char *a, const char *b) {
    int n = snprintf(dst, DS_OPT_STR_MAX, "%s%s", a, b);
    return n > 0 && n < DS_OPT_STR_MAX;
}

/* The SAVE log, as the real engine writes it (sim/engine_real.c): a job is pushed when an IO
 * server takes it, acknowledged when its IO returned success. */
static void io_taken(void *ctx, const ds_job *job) {
    lab_seed *ls = ctx;
    if (ls->log_err != DS_OK || job->type != DS_JOB_SAVE) return;
    uint64_t ver =
        job->value ? ds_oracle_stamp_version(job->key, job->keylen, job->value) : DS_CC_DEL;
    ls->log_err = job->value && ver == DS_ORACLE_V_FOREIGN
                      ? ds_err_set(&ls->log_msg, DS_ERR_STATE, "a SAVE without a version stamp")
                      : ds_cc_push(ls->cc, job->id, job->key, job->keylen, ver, &ls->log_msg);
}

static void io_done(void *ctx, const ds_job *job) {
    lab_seed *ls = ctx;
    if (ls->log_err != DS_OK || job->type != DS_JOB_SAVE || job->result != DS_OK) return;
    ls->log_err = ds_cc_ack(ls->cc, job->id, &ls->log_msg);
}

static ds_backend *wrap(void *ctx, ds_backend *parent, int64_t (*now_us)(void *), void *now_ctx,
                        ds_err *err) {
    lab_seed *ls = ctx;
    ls->parent = parent;
    ds_crash_opts co = {.sync = ls->o->replay.fsync,
                        .writeback_us = ls->o->writeback_ms * 1000,
                        .now_us = now_us,
                        .now_ctx = now_ctx,
                        .keep_parent = true};
    ls->shim = ds_backend_crash_new(parent, &co, err);
    return ls->shim;
}

/* The power goes: the writes in flight land as interrupted writes, then every volatile
 * write is applied, dropped or torn. */
static ds_status on_crash(void *ctx, ds_backend *top, ds_job *const *jobs, ds_call *calls,
                          uint32_t n, int64_t now_us, ds_err *err) {
    lab_seed *ls = ctx;
    (void)now_us;
    ds_backend_crash_interrupt(ls->shim, true);
    for (uint32_t i = 0; i < n; i++)
        if (jobs[i]->type == DS_JOB_SAVE) ds_job_run(top, jobs[i], &calls[i]);
    ds_backend_crash_interrupt(ls->shim, false);
    return ds_backend_crash_crash(ls->shim, ls->fate_seed, &ls->res->counts, err);
}

static void on_violation(void *ctx, const char *msg) {
    ds_crash_seed *s = ctx;
    if (!s->msg[0]) snprintf(s->msg, sizeof s->msg, "%s", msg);
}

/* Reopen the store as a restarted process would and apply the rules. A store whose data
 * lives in this process (DS_BCTL_STORE says "mem") is checked in place; any other is closed
 * and opened again through the registry with the run's spec; a file store's tree is walked
 * first (records that fail their checksum, two files for a key). */
static ds_status check_store(lab_seed *ls, const ds_replay_opts *o, ds_err *err) {
    char where[DS_OPT_STR_MAX] = "";
    ds_bctl_buf wb = {where, sizeof where};
    if (ds_backend_control(ls->parent, DS_BCTL_STORE, &wb) != DS_OK || !strcmp(where, "mem"))
        return ds_cc_check(ls->cc, ls->parent, err);
    ds_backend_close(ls->parent);
    ls->parent = NULL;
    char defaults[3 * DS_OPT_STR_MAX];
    snprintf(defaults, sizeof defaults, "path=%s,fsync=%s", o->backend_path,
             o->fsync == DS_FSYNC_ALWAYS ? "always" : "never");
    ds_status st = DS_OK;
    if (strncmp(o->backend, "file", 4) == 0 && (o->backend[4] == 0 || o->backend[4] == ':'))
        st = ds_cc_walk_files(ls->cc, where, err);
    ds_backend *b = NULL;
    if (st == DS_OK) st = ds_backend_open(o->backend, defaults, o->extra_backends, &b, err);
    if (st == DS_OK) st = ds_cc_check(ls->cc, b, err);
    ds_backend_close(b);
    return st;
}

static ds_status seed_run(const lab *L, uint64_t seed, ds_crash_seed *res, ds_err *err) {
    static ds_replay_opts o; /* large; one per worker process at a time */
    o = L->o->replay;
    ds_rng r;
    ds_rng_seed(&r, seed ^ LAB_DRAW_SEED);
    lab_seed ls = {.o = L->o, .res = res};
    ds_replay_hooks hooks = {.ctx = &ls,
                             .wrap_backend = wrap,
                             .crash_at_us = 1 + (int64_t)ds_rng_below(&r, (uint64_t)L->span_us),
                             .crash = on_crash,
                             .io_taken = io_taken,
                             .io_done = io_done};
    ls.fate_seed = ds_rng_next(&r);
    o.seed = seed;
    o.oracle = true; /* the stamps name the versions */
    o.hooks = &hooks;
    char tail[48];
    snprintf(tail, sizeof tail, "/seeds/%" PRIu64, seed);
    if (!join(o.out, L->o->replay.out, tail) || !join(o.backend_path, o.out, "/store"))
        return ds_err_set(err, DS_ERR_CONFIG, "--out: too long");
    ds_rm_tree(o.out);
    ls.cc = ds_cc_new(on_violation, res);
    if (!ls.cc) return ds_err_set(err, DS_ERR_NOMEM, "crash lab: out of memory");
    ds_replay_result rr;
    ds_status st = ds_replay_run(&o, &rr, err);
    res->crash_us = rr.crash_us;
    res->requests = rr.requests;
    if (st == DS_OK && ls.log_err != DS_OK) st = ds_err_set(err, ls.log_err, "%s", ls.log_msg.msg);
    if (st == DS_OK && !rr.crashed) st = ds_err_set(err, DS_ERR_STATE, "the run did not crash");
    if (st == DS_OK) st = check_store(&ls, &o, err);
    res->rep = *ds_cc_result(ls.cc);
    ds_backend_close(ls.parent);
    ds_cc_free(ls.cc);
    if (st == DS_OK && ds_crash_seed_ok(res)) ds_rm_tree(o.out); /* a failing seed keeps its run */
    return st;
}

_Static_assert(2 * sizeof(ds_crash_seed) < DS_SEEDRUN_LINE_MAX, "a seed's record fits a line");

/* In a worker: one seed; its record goes to the parent hex-encoded as the seed's line. A seed
 * that cannot run fails the whole lab with "seed S: why". */
static ds_status seed_fn(void *ctx, unsigned worker, uint64_t seed, char *out, size_t cap) {
    (void)worker; /* every seed has its own directory: no per-worker scratch */
    ds_crash_seed res;
    memset(&res, 0, sizeof res);
    res.seed = seed;
    ds_err err = {{0}};
    ds_status st = seed_run(ctx, seed, &res, &err);
    if (st != DS_OK) {
        snprintf(out, cap, "%s", err.msg);
        return st;
    }
    const unsigned char *b = (const unsigned char *)&res;
    for (size_t i = 0; i < sizeof res && 2 * i + 2 < cap; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
    return DS_OK;
}

typedef struct lab_out {
    ds_crash_seed *out;
    uint64_t first;
} lab_out;

static void collect(void *ctx, uint64_t seed, const char *line) {
    lab_out *lo = ctx;
    unsigned char *b = (unsigned char *)&lo->out[seed - lo->first];
    for (size_t i = 0; i < sizeof(ds_crash_seed) && line[2 * i] && line[2 * i + 1]; i++) {
        unsigned x = 0;
        sscanf(line + 2 * i, "%2x", &x);
        b[i] = (unsigned char)x;
    }
}

/* The same trace and options without a crash: how long a run lasts. */
static ds_status reference(const ds_crash_lab_opts *o, int64_t *span_us, ds_err *err) {
    static ds_replay_opts ro;
    ro = o->replay;
    ro.hooks = NULL;
    if (!join(ro.out, o->replay.out, "/reference") || !join(ro.backend_path, ro.out, "/store"))
        return ds_err_set(err, DS_ERR_CONFIG, "--out: too long");
    ds_rm_tree(ro.out);
    ds_replay_result rr;
    ds_status st = ds_replay_run(&ro, &rr, err);
    if (st != DS_OK) return st;
    *span_us = (int64_t)(rr.sim_seconds * 1e6) + 2 * o->replay.core.flush_delay_ms * 1000;
    if (*span_us < 1) *span_us = 1;
    return DS_OK;
}

ds_status ds_crash_lab_run(const ds_crash_lab_opts *o, ds_crash_seed *out, int64_t *span_us,
                           ds_err *err) {
    if (o->replay.clock != DS_CLOCK_VIRTUAL)
        return ds_err_set(err, DS_ERR_CONFIG, "--clock: the crash lab runs the virtual clock only");
    lab L = {.o = o};
    ds_status st = reference(o, &L.span_us, err);
    if (st != DS_OK) return st;
    if (span_us) *span_us = L.span_us;
    ds_seedrun_opts so = {.first = o->replay.seed, .count = o->seeds, .jobs = o->procs};
    lab_out lo = {out, o->replay.seed};
    return ds_seedrun(&so, seed_fn, &L, collect, &lo, NULL, err);
}
