/*
 * replay_run.c - one `dslab replay` run end to end: build the backend, cache, oracle, metrics
 * and engine from the options; run the trace; point-in-time drain; lost-write scan; results;
 * the summary table.
 *
 * Order at the end matters: the drain (rule 10) first, with backend faults off so it can
 * finish; then the oracle compares the backend with the shadow (lost writes); then metrics
 * write summary.csv with the final counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine_real.h"
#include "replay_int.h"

static int64_t host_now(void *ctx) { return rp_now(ctx); }
static void host_jobs_ready(void *ctx) {
    rp_run *r = ctx;
    r->eng->ops->jobs_ready(r->eng);
}
static bool host_wait_io(void *ctx) {
    rp_run *r = ctx;
    return r->eng->ops->wait_io(r->eng);
}

/* The store through the registry (--backend NAME[:params]); the host only adds its defaults
 * (a store inside the results directory, the --fsync flag), which a type uses if it reads
 * them. Origin mode is asked for through control: a store without it turns it off. */
static ds_status open_store(rp_run *r, ds_backend **out, ds_err *err) {
    const ds_replay_opts *o = r->o;
    char defaults[3 * DS_OPT_STR_MAX];
    if (o->backend_path[0])
        snprintf(defaults, sizeof defaults, "path=%s", o->backend_path);
    else
        snprintf(defaults, sizeof defaults, "path=%s/store", o->out);
    size_t n = strlen(defaults);
    snprintf(defaults + n, sizeof defaults - n, ",fsync=%s",
             o->fsync == DS_FSYNC_ALWAYS ? "always" : "never");
    ds_backend *b;
    ds_status st = ds_backend_open(o->backend, defaults, o->extra_backends, &b, err);
    if (st != DS_OK) return st;
    ds_bctl_buf where = {r->store_path, sizeof r->store_path};
    if (ds_backend_control(b, DS_BCTL_STORE, &where) != DS_OK)
        snprintf(r->store_path, sizeof r->store_path, "%s", b->ops->name);
    bool on = r->origin;
    if (on && ds_backend_control(b, DS_BCTL_ORIGIN, &on) == DS_NOT_FOUND) r->origin = false;
    *out = b;
    return DS_OK;
}

static ds_status open_backend(rp_run *r, ds_err *err) {
    const ds_replay_opts *o = r->o;
    ds_backend *parent;
    ds_status st = open_store(r, &parent, err);
    if (st != DS_OK) return st;
    const ds_replay_hooks *h = o->hooks;
    if (h && h->wrap_backend && !(parent = h->wrap_backend(h->ctx, parent, host_now, r, err)))
        return DS_ERR_IO;
    ds_fake_opts fo = {.seed = o->seed ^ 0xbacc3d, .buggify = o->explore};
    for (int i = 0; i < 3 && st == DS_OK; i++)
        st = ds_latency_parse(o->latency[i], &fo.lat[i], err);
    if (st == DS_OK && strcmp(o->faults, "none") != 0)
        st = ds_faults_parse(o->faults, &fo.faults, err);
    if (st == DS_OK) {
        r->backend = ds_backend_fake_new(parent, &fo, err);
        if (!r->backend) st = DS_ERR_NOMEM;
    } else {
        ds_backend_close(parent);
    }
    for (int i = 0; i < 3; i++)
        ds_latency_free(&fo.lat[i]);
    return st;
}

static bool count_one(void *ctx, const void *key, uint32_t keylen, const ds_value *v) {
    (void)key, (void)keylen, (void)v;
    ++*(uint64_t *)ctx;
    return false; /* one is enough */
}

/*
 * A persistent store that already holds data (an earlier run's) is refused: its values would
 * read as stale to an oracle that starts empty (9 of 10 loads, issue 8). --reuse-store replays
 * on it anyway, and the oracle starts from what the store holds.
 */
static ds_status check_store(rp_run *r, ds_err *err) {
    if (strcmp(r->store_path, r->backend->ops->name) == 0) return DS_OK; /* not persistent */
    uint64_t n = 0;
    ds_status st = r->backend->ops->scan(r->backend, count_one, &n, err);
    if (st != DS_OK || n == 0) return st;
    if (!r->o->reuse_store)
        return ds_err_set(err, DS_ERR_ARG,
                          "%s: the store is not empty (an earlier run's data would read as "
                          "stale); --reuse-store replays on it, or remove it",
                          r->store_path);
    if (!r->oracle) return DS_OK;
    return ds_oracle_seed(r->oracle, r->backend, &n, err);
}

/* requests=N of a gen: spec, for the progress ETA; 0 when unknown. */
static uint64_t total_hint(const char *trace) {
    if (strncmp(trace, "gen:", 4) != 0) return 0;
    const char *p = strstr(trace, "requests=");
    return p ? strtoull(p + 9, NULL, 10) : 0;
}

static ds_status setup(rp_run *r, ds_err *err) {
    const ds_replay_opts *o = r->o;
    ds_reader_opts ro = {.format = o->format,
                         .csv_opts = o->csv_opts[0] ? o->csv_opts : NULL,
                         .miss_is_set = o->miss_is_set,
                         .binary_ids = true};
    r->reader = ds_reader_open(o->trace, &ro, err);
    if (!r->reader) return DS_ERR_ARG; /* bad input: exit 2 */
    r->binary_keys = ds_reader_binary_keys(r->reader);
    if (ds_evict_needs_next_access(o->core.evict) &&
        strcmp(ds_reader_format(r->reader), "oracleGeneral") != 0)
        return ds_err_set(err, DS_ERR_ARG,
                          "--evict: %s needs each request's next access time, which only "
                          "oracleGeneral traces carry (this one is %s)",
                          o->core.evict, ds_reader_format(r->reader));
    bool id = ds_reader_is_id_trace(r->reader);
    /* auto: object-id traces read through to an origin holding every object, unless
     * --miss-is-set asks for the libCacheSim model (a miss is filled by a SET). */
    r->origin = o->origin == DS_ORIGIN_ON || (o->origin == DS_ORIGIN_AUTO && id && !o->miss_is_set);
    r->closed = o->closed || o->speed == 0;
    r->model = o->core_cost.on && o->clock == DS_CLOCK_VIRTUAL;
    r->scratch.snaps = r->snaps;
    r->scratch.vals = r->vals;
    r->scratch.keys = r->keys;
    r->scratch.cap = DS_MULTI_MAX_KEYS;
    ds_status st = rp_clients_init(r, err);
    if (st != DS_OK) return st;
    r->metrics = ds_metrics_open(o->discard ? NULL : o->out, o->interval_ms * 1000000, err);
    if (!r->metrics) return DS_ERR_IO;
    if ((st = open_backend(r, err)) != DS_OK) return st;
    if (o->oracle && !(r->oracle = ds_oracle_new(r->origin, err))) return DS_ERR_NOMEM;
    if ((st = check_store(r, err)) != DS_OK) return st;
    r->progress = ds_progress_new(o->progress && !o->quiet, total_hint(o->trace));
    if ((o->clock == DS_CLOCK_REAL || o->io_latency) && !(r->iolat = ds_iolat_new()))
        return ds_err_set(err, DS_ERR_NOMEM, "replay: out of memory");
    r->eng = o->clock == DS_CLOCK_REAL ? ds_engine_real_new(r, o, err)
                                       : ds_engine_virtual_new(r, o, err);
    if (!r->eng) return DS_ERR_NOMEM;
    ds_config cfg = o->core;
    cfg.seed = o->seed;
    if (o->explore) { /* the seed also perturbs the core's free choices */
        cfg.buggify = true;
        if (!cfg.evict_ties) cfg.evict_ties = DS_EXPLORE_EVICT_TIES;
    }
    ds_toggle_rules(&cfg, r->rule, sizeof r->rule);
    ds_host host = {.ctx = r,
                    .now_us = host_now,
                    .jobs_ready = host_jobs_ready,
                    .reply = rp_host_reply,
                    .wait_io = host_wait_io};
    r->cache = ds_cache_new(&cfg, &host, err);
    return r->cache ? DS_OK : DS_ERR_CONFIG;
}

static void on_lost(void *ctx, const void *key, uint32_t keylen, const char *exp, const char *obs) {
    rp_run *r = ctx;
    ds_race_row row = {.time_us = rp_now(r),
                       .issue_us = r->pit_start_us,
                       .op = "DRAIN",
                       .key = key,
                       .keylen = keylen,
                       .expected = exp,
                       .observed = obs,
                       .kind = "lost_write"};
    rp_race(r, &row);
}

/* Point in time (rule 10): drain, then the backend must hold exactly the acknowledged
 * writes. *drained is the drain's status: DS_ERR_IO when it gave up (a full disk: each key's
 * SAVE failed DS_DRAIN_SAVE_ATTEMPTS times); the oracle then lists those keys as lost. */
static ds_status pit_check(rp_run *r, ds_status *drained, ds_err *err) {
    r->pit_start_us = rp_now(r);
    *drained = ds_cache_drain(r->cache);
    if (*drained != DS_OK && *drained != DS_ERR_IO)
        return ds_err_set(err, *drained, "drain: %s", ds_cache_last_error(r->cache));
    ds_status st = rp_take_fatal(r, err);
    if (st != DS_OK) return st;
    if (r->oracle) {
        uint64_t lost = 0;
        st = ds_oracle_scan(r->oracle, r->backend, rp_now(r), on_lost, r, &lost, err);
        if (st != DS_OK) return st;
        r->lost_writes += lost;
    }
    return rp_take_fatal(r, err);
}

/* --pit-every: the same during the run, where parked clients may be resumed by the drain's
 * LOADs (their writes must be drained too). Backend faults (--faults, BUGGIFY's failed writes)
 * are off while it drains, as for the final drain: the bounded drain gives a key up after
 * DS_DRAIN_SAVE_ATTEMPTS failures in a row, which a point in time must not report as a full
 * disk when the faults are only injected. */
ds_status rp_point_in_time(rp_run *r, ds_err *err) {
    ds_backend_fake_faults_enable(r->backend, false);
    ds_status drained, st = pit_check(r, &drained, err);
    ds_backend_fake_faults_enable(r->backend, true);
    if (st == DS_OK && drained != DS_OK)
        st = ds_err_set(err, drained, "%s: %s", r->store_path, ds_cache_last_error(r->cache));
    return st;
}

/*
 * After the trace: drain (faults off), lost-write scan. A drain that gave up (a full disk:
 * each key's SAVE failed DS_DRAIN_SAVE_ATTEMPTS times) is reported as one line naming the
 * store and the number of keys not saved, after the scan: the oracle lists those keys as
 * lost writes (acknowledged, not on disk at the end), and every CSV is still written.
 */
void rp_mem_sample(rp_run *r) {
    uint64_t lim = r->o->core.max_memory_bytes;
    if (!lim || !r->cache) return;
    ds_stats st;
    ds_cache_stats(r->cache, &st);
    int64_t now = rp_now_ns(r);
    if (r->mem_over) r->mem_over_ns += now - r->mem_since_ns;
    r->mem_since_ns = now;
    r->mem_over = st.used_memory_bytes > lim;
}

ds_status rp_tick(rp_run *r, int64_t now_ns, ds_err *err) {
    ds_stats st;
    ds_gauges g;
    if (r->o->warmup_ns && now_ns >= r->o->warmup_ns &&
        ds_metrics_current_phase(r->metrics) == DS_PHASE_WARMUP)
        rp_phase(r, DS_PHASE_RUN);
    ds_cache_stats(r->cache, &st);
    rp_gauges(r, &g);
    return ds_metrics_tick(r->metrics, now_ns, &st, &g, err);
}

/* Enter a metrics phase (warm-up end, drain start) with the stats and gauges of now. */
void rp_phase(rp_run *r, ds_phase ph) {
    ds_stats st;
    ds_gauges g;
    ds_cache_stats(r->cache, &st);
    rp_gauges(r, &g);
    ds_metrics_phase(r->metrics, ph, rp_now_ns(r), &st, &g);
    r->warm = ph == DS_PHASE_WARMUP; /* the metrics' phase is ph now */
    ds_iolat_pause(r->iolat, ph != DS_PHASE_RUN);
}

static ds_status finish(rp_run *r, ds_err *err) {
    rp_phase(r, DS_PHASE_DRAIN); /* the drain is reported apart: drain_saves, drain_seconds */
    ds_backend_fake_faults_enable(r->backend, false);
    ds_status drained, st = pit_check(r, &drained, err);
    if (st == DS_OK && drained == DS_ERR_IO)
        st = ds_err_set(err, DS_ERR_IO, "%s: %s", r->store_path, ds_cache_last_error(r->cache));
    return st;
}

static void collect(rp_run *r, ds_replay_result *res) {
    for (int op = 0; op <= DS_OP__COUNT; op++) {
        const ds_hist *h = ds_metrics_hist(r->metrics, (ds_op)op);
        res->n_op[op] = h ? ds_hist_count(h) : 0;
        if (!res->n_op[op]) continue;
        res->q_ns[op][0] = ds_hist_quantile(h, 0.5);
        res->q_ns[op][1] = ds_hist_quantile(h, 0.99);
        res->q_ns[op][2] = ds_hist_quantile(h, 0.999);
        res->q_ns[op][3] = ds_hist_max(h);
    }
    const ds_hist *s = ds_metrics_service_hist(r->metrics, DS_OP__COUNT);
    res->sq_ns[0] = ds_hist_quantile(s, 0.5);
    res->sq_ns[1] = ds_hist_quantile(s, 0.99);
    res->sq_ns[2] = ds_hist_quantile(s, 0.999);
    res->sq_ns[3] = ds_hist_max(s);
}

int64_t ds_trace_file_bytes(const char *trace) {
    struct stat sb;
    if (strncmp(trace, "gen:", 4) == 0 || strcmp(trace, "-") == 0) return -1;
    return stat(trace, &sb) == 0 && S_ISREG(sb.st_mode) ? (int64_t)sb.st_size : -1;
}

/* summary.csv's core_cpu_*_us: mean CPU per command type; a hand-back is a LOAD's or a
 * SAVE's, weighted by their counts. */
static void core_cpu_info(const ds_iolat *l, ds_run_info *in) {
    if (!l) return;
    static const int kinds[] = {DS_OP_GET, DS_OP_SET, DS_OP_DEL};
    in->core_cpu = true;
    for (int i = 0; i < 3; i++)
        in->core_cpu_us[i] = ds_iolat_cpu_mean_us(l, kinds[i]);
    uint64_t nl = ds_iolat_cpu_count(l, DS_CPU_DONE_LOAD),
             ns = ds_iolat_cpu_count(l, DS_CPU_DONE_SAVE);
    double tl = ds_iolat_cpu_mean_us(l, DS_CPU_DONE_LOAD) * (double)nl;
    double ts = ds_iolat_cpu_mean_us(l, DS_CPU_DONE_SAVE) * (double)ns;
    in->core_cpu_us[3] = nl + ns ? (tl + ts) / (double)(nl + ns) : 0.0;
    in->core_cpu_us[4] = ds_iolat_cpu_mean_us(l, DS_CPU_CRON);
}

static ds_status close_metrics(rp_run *r, ds_replay_result *res, ds_err *err) {
    rp_mem_sample(r); /* closes a stretch above the limit */
    const char *names[DS_CLI_EFFECTIVE_MAX], *values[DS_CLI_EFFECTIVE_MAX];
    char *buf = malloc(DS_CLI_EFFECTIVE_BUF);
    if (!buf) return ds_err_set(err, DS_ERR_NOMEM, "replay: out of memory");
    size_t n = ds_cli_effective(r->o, names, values, buf);
    ds_run_info info = {.cfg_names = names,
                        .cfg_values = values,
                        .ncfg = n,
                        .requests = res->requests,
                        .stale_reads = res->stale_reads,
                        .lost_writes = res->lost_writes,
                        .errors = res->errors,
                        .sim_seconds = res->sim_seconds,
                        .wall_seconds = res->wall_seconds,
                        .trace = r->o->trace,
                        .trace_bytes = ds_trace_file_bytes(r->o->trace),
                        .client_queue_max = r->queue_max,
                        .memory_over_limit_seconds = (double)r->mem_over_ns / 1e9,
                        .memory_over_limit_max_bytes =
                            r->o->core.max_memory_bytes &&
                                    res->stats.peak_memory_bytes > r->o->core.max_memory_bytes
                                ? res->stats.peak_memory_bytes - r->o->core.max_memory_bytes
                                : 0,
                        .interrupted = res->interrupted};
    if (r->o->clock == DS_CLOCK_REAL) core_cpu_info(r->iolat, &info); /* measured CPU only */
    ds_status st = ds_metrics_close(r->metrics, &res->stats, &info, err);
    r->metrics = NULL;
    free(buf);
    return st;
}

static void teardown(rp_run *r) {
    /* The engine first: its workers may still hold jobs the cache owns. */
    if (r->eng) r->eng->ops->free(r->eng);
    if (r->cache) ds_cache_free(r->cache);
    if (r->metrics) {
        ds_err e;
        ds_metrics_close(r->metrics, NULL, NULL, &e);
    }
    ds_oracle_free(r->oracle);
    ds_backend_close(r->backend);
    if (r->reader) ds_reader_close(r->reader);
    ds_progress_free(r->progress);
    ds_iolat_free(r->iolat);
    rp_clients_free(r);
}

int64_t rp_crash_at(const rp_run *r) { return r->o->hooks ? r->o->hooks->crash_at_us : 0; }

/* The power goes: the crash lab resolves what was in flight; the run then ends without the
 * drain (a crashed process drains nothing). */
ds_status rp_crash(rp_run *r, ds_job *const *jobs, ds_call *calls, uint32_t n, ds_err *err) {
    const ds_replay_hooks *h = r->o->hooks;
    r->crashed = true;
    r->crash_us = rp_now(r);
    if (!h || !h->crash) return DS_OK;
    return h->crash(h->ctx, r->backend, jobs, calls, n, r->crash_us, err);
}

ds_status ds_replay_run(const ds_replay_opts *o, ds_replay_result *res, ds_err *err) {
    if (o->cache_only) return ds_cache_only_run(o, res, err);
    memset(res, 0, sizeof *res);
    rp_run *r = calloc(1, sizeof *r);
    if (!r) return ds_err_set(err, DS_ERR_NOMEM, "replay: out of memory");
    r->o = o;
    ds_status st = setup(r, err);
    int64_t cpu0 = ds_thread_cpu_ns();
    if (st == DS_OK && (o->warmup_ns || o->warmup_requests)) rp_phase(r, DS_PHASE_WARMUP);
    if (st == DS_OK) st = r->eng->ops->run(r->eng, err);
    if (r->iolat && o->clock == DS_CLOCK_REAL)
        ds_iolat_cpu_n(r->iolat, DS_CPU_MAIN, ds_thread_cpu_ns() - cpu0, r->requests);
    if (st == DS_OK && rp_crash_at(r) && !r->crashed) st = rp_crash(r, NULL, NULL, 0, err);
    if (st == DS_OK && !r->crashed) st = finish(r, err);
    res->crashed = r->crashed;
    res->crash_us = r->crashed ? r->crash_us : 0;
    if (r->cache) {
        ds_cache_stats(r->cache, &res->stats);
        res->requests = r->requests;
        res->interrupted = rp_stopping(r);
        res->errors = r->errors;
        res->stale_reads = r->stale_reads;
        res->lost_writes = r->lost_writes;
        res->sim_seconds = (double)rp_now_ns(r) / 1e9;
        res->wall_seconds = ds_progress_wall_seconds(r->progress);
        snprintf(res->first_error, sizeof res->first_error, "%s", r->first_error);
        snprintf(res->first_race, sizeof res->first_race, "%s", r->first_race);
        collect(r, res);
        ds_err e2;
        ds_status cs = close_metrics(r, res, &e2);
        if (cs == DS_OK && r->iolat)
            cs = ds_iolat_write(r->iolat, o->out, o->clock == DS_CLOCK_REAL, &e2);
        if (st == DS_OK && cs != DS_OK) st = ds_err_set(err, cs, "%s", e2.msg);
    }
    teardown(r);
    free(r);
    return st;
}
