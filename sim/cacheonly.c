/*
 * cacheonly.c - `dslab replay TRACE --cache-only`: the trace through the core's keyspace and
 * eviction policy (ds_simcache, core/simcache.c) and nothing else: what a cache simulator such
 * as libCacheSim measures, with dslab's data layout and plug-ins.
 *
 * Why a mode and not a faster full engine: the full engine models a cache server (clients,
 * parked commands, LOAD jobs, a scheduler, virtual time, latency histograms); at ~4,300
 * instructions a request it cannot reach the ~100 ns a cache simulator spends. With
 * `--evict-at insert --latency fixed:0 --origin` and one request at a time that machinery
 * decides nothing, so the cache-only run gives the same hits and misses for every policy
 * (tests/test_cacheonly.c) at a fraction of the cost. README "Cache-only replay" has the rules.
 *
 * Options: those that describe the cache (size, policy, negcache, seed, trace format) apply;
 * those that describe what is not there (clock, IO, latencies, clients, oracle, scheduler and
 * race toggles) are refused with one line when set to anything but their default or a value
 * that means the same as cache-only ("--latency fixed:0", "--no-oracle", "--evict-at insert"),
 * so the command line with --cache-only appended runs, and a config.txt loads again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "progress.h"
#include "replay.h"

#define CO_BATCH 1024u /* requests per ds_simcache_run: room for the prefetch window */

/* An option cache-only cannot honour, unless it is at its default or one of `same` (values
 * separated by '|' that mean what cache-only does anyway). */
typedef struct co_rule {
    const char *name, *same, *why;
} co_rule;

static const co_rule rules[] = {
    {"clock", "virtual", "there is no clock"},
    {"backend", NULL, "there is no backend (the origin holds every object)"},
    {"backend-path", NULL, "there is no backend"},
    {"fsync", NULL, "there is no backend"},
    {"save-log", NULL, "there are no SAVEs"},
    {"latency", "fixed:0", "IO takes no time"},
    {"latency-get", "fixed:0", "IO takes no time"},
    {"latency-set", "fixed:0", "IO takes no time"},
    {"latency-del", "fixed:0", "IO takes no time"},
    {"faults", "none", "there is no IO to fail"},
    {"disk-channels", NULL, "there is no disk"},
    {"io-threads", NULL, "there are no IO servers"},
    {"core-cost-us", NULL, "there is no clock"},
    {"oracle", "off", "no IO means no race to check"},
    {"miss-is-set", NULL, "a miss inserts already"},
    {"origin", "on", "the origin holds every object"},
    {"speed", NULL, "there is no clock"},
    {"closed", NULL, "there are no clients"},
    {"think", NULL, "there are no clients"},
    {"interval-ms", NULL, "there is no clock (no timeseries)"},
    {"warmup", NULL, "not measured apart in cache-only runs"},
    {"client-queue-max", NULL, "there are no clients"},
    {"handoff-latency", "none", "there is no clock"},
    {"wakeup-latency", "none", "there is no clock"},
    {"calibration-format", NULL, "there is no clock"},
    {"reuse-store", NULL, "there is no store"},
    {"pit-every", NULL, "there is no IO to drain"},
    {"explore-schedule", NULL, "there is no schedule"},
    {"explore-window", NULL, "there is no schedule"},
    {"evict-at", "insert", "it evicts at insert (there is no cron)"},
    {"cache-flush-delay", NULL, "there are no SAVEs"},
    {"max-io-jobs", NULL, "there are no IO jobs"},
    {"load-priority", NULL, "there is no IO queue"},
    {"concurrent-saves", NULL, "there are no SAVEs"},
    {"evict-busy-keys", NULL, "no key is ever busy"},
    {"save-retry-backoff", NULL, "there are no SAVEs"},
    {"save-retry-max", NULL, "there are no SAVEs"},
    {"io-policy", NULL, "there is no IO queue"},
    {"negcache-on-evict", NULL, "a race-lab toggle: there is no race"},
    {"load-ignores-writes", NULL, "a race-lab toggle: there is no race"},
    {"negcache-on-stale-load", NULL, "a race-lab toggle: there is no race"},
    {"unpin-parked-keys", NULL, "a race-lab toggle: there is no race"},
    {"load-drops-ttl", NULL, "a race-lab toggle: there is no race"},
    {"drop-failed-saves", NULL, "a race-lab toggle: there is no race"},
    {"drain-snapshot", NULL, "a race-lab toggle: there is no race"},
    {"buggify", NULL, "there is no schedule"},
};
#define NRULES (sizeof rules / sizeof rules[0])

static bool same_as(const char *v, const char *list) {
    size_t n = strlen(v);
    for (const char *p = list; p && *p;) {
        size_t k = strcspn(p, "|");
        if (k == n && strncmp(p, v, n) == 0) return true;
        p += k + (p[k] == '|');
    }
    return false;
}

ds_status ds_cache_only_opts(ds_replay_opts *o, ds_err *err) {
    static ds_replay_opts d; /* the defaults (large: path buffers) */
    ds_replay_opts_default(&d);
    for (size_t i = 0; i < NRULES; i++) {
        char v[DS_OPT_STR_MAX], dv[DS_OPT_STR_MAX];
        if (!ds_cli_value(o, rules[i].name, v, sizeof v)) continue;
        (void)ds_cli_value(&d, rules[i].name, dv, sizeof dv);
        if (strcmp(v, dv) == 0 || same_as(v, rules[i].same)) continue;
        return ds_err_set(err, DS_ERR_CONFIG, "--%s: %s makes no sense with --cache-only (%s)",
                          rules[i].name, v, rules[i].why);
    }
    /* What the run does, as config.txt and summary.csv will say. */
    o->core.evict_at = DS_EVICT_AT_INSERT;
    o->origin = DS_ORIGIN_ON;
    o->oracle = false;
    for (int i = 0; i < 3; i++)
        snprintf(o->latency[i], sizeof o->latency[i], "fixed:0");
    return DS_OK;
}

/* ---- the run ---- */

typedef struct co_run {
    const ds_replay_opts *o;
    ds_reader *reader;
    ds_simcache *sim;
    ds_progress *progress;
    uint64_t requests, ttls;
    ds_idrec ids[CO_BATCH];
    ds_simreq reqs[CO_BATCH];
} co_run;

static bool stopping(const co_run *c) { return c->o->stop && *c->o->stop; }

/* Object-id traces in bulk: a block of records is decoded, hashed, prefetched and run. */
static int64_t run_bulk(co_run *c, ds_err *err) {
    int64_t n = 0;
    while (!stopping(c) && (n = ds_reader_ids(c->reader, c->ids, CO_BATCH, err)) > 0) {
        for (int64_t i = 0; i < n; i++) { /* field by field: a compound literal here made
                                           * gcc clear the whole array first (callgrind) */
            ds_simreq *q = &c->reqs[i];
            q->key = c->ids[i].id;
            q->len = sizeof c->ids[i].id;
            q->op = DS_OP_GET;
            q->size = c->ids[i].size;
            q->next_access = c->ids[i].next_access;
        }
        ds_simcache_run(c->sim, c->reqs, (size_t)n);
        c->requests += (uint64_t)n;
        ds_progress_update(c->progress, c->requests, 0);
    }
    return stopping(c) ? 0 : n;
}

/* Every other format, one record at a time (text parsing dominates there anyway). */
static ds_status run_records(co_run *c, ds_err *err) {
    static ds_trace_req req; /* large (DS_MULTI_MAX_KEYS keys); one run per process at a time */
    int rc = 0;
    while (!stopping(c) && (rc = ds_reader_next(c->reader, &req, err)) > 0) {
        if (req.ttl_s) c->ttls++;
        (void)ds_simcache_cmd(c->sim, req.op, req.keys, req.nkeys, req.size, req.next_access);
        c->requests++;
        ds_progress_update(c->progress, c->requests, 0);
    }
    return stopping(c) || rc == 0 ? DS_OK : DS_ERR_ARG;
}

static ds_status open_input(co_run *c, ds_err *err) {
    const ds_replay_opts *o = c->o;
    ds_reader_opts ro = {
        .format = o->format, .csv_opts = o->csv_opts[0] ? o->csv_opts : NULL, .binary_ids = true};
    c->reader = ds_reader_open(o->trace, &ro, err);
    if (!c->reader) return DS_ERR_ARG;
    if (ds_evict_needs_next_access(o->core.evict) &&
        strcmp(ds_reader_format(c->reader), "oracleGeneral") != 0)
        return ds_err_set(err, DS_ERR_ARG,
                          "--evict: %s needs each request's next access time, which only "
                          "oracleGeneral traces carry (this one is %s)",
                          o->core.evict, ds_reader_format(c->reader));
    ds_config cfg = o->core;
    cfg.seed = o->seed; /* as the full engine seeds its cache */
    c->sim = ds_simcache_new(&cfg, err);
    return c->sim ? DS_OK : DS_ERR_CONFIG;
}

/* No clock, so no intervals: timeseries.csv keeps its header only (the metrics writer's one
 * closing row would show the counters without the completions it never saw). */
static ds_status header_only(const char *dir, const char *name, ds_err *err) {
    char path[2 * DS_OPT_STR_MAX], head[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    bool ok = f && fgets(head, sizeof head, f);
    if (f) fclose(f);
    if (ok) ok = (f = fopen(path, "w")) != NULL;
    if (ok) ok = fputs(head, f) >= 0;
    if (ok && fclose(f) != 0) ok = false;
    return ok ? DS_OK : ds_err_set(err, DS_ERR_IO, "%s: cannot rewrite", path);
}

static ds_status write_results(const ds_replay_opts *o, const ds_replay_result *res, ds_err *err) {
    ds_metrics *m = ds_metrics_open(o->discard ? NULL : o->out, 0, err);
    if (!m) return DS_ERR_IO;
    const char *names[DS_CLI_EFFECTIVE_MAX], *values[DS_CLI_EFFECTIVE_MAX];
    char *buf = malloc(DS_CLI_EFFECTIVE_BUF);
    if (!buf) {
        ds_metrics_close(m, NULL, NULL, err);
        return ds_err_set(err, DS_ERR_NOMEM, "replay: out of memory");
    }
    ds_run_info info = {.cfg_names = names,
                        .cfg_values = values,
                        .ncfg = ds_cli_effective(o, names, values, buf),
                        .requests = res->requests,
                        .errors = res->errors,
                        .wall_seconds = res->wall_seconds,
                        .trace = o->trace,
                        .trace_bytes = ds_trace_file_bytes(o->trace),
                        .interrupted = res->interrupted};
    ds_status st = ds_metrics_close(m, &res->stats, &info, err);
    free(buf);
    if (st == DS_OK && !o->discard) st = header_only(o->out, "timeseries.csv", err);
    return st;
}

ds_status ds_cache_only_run(const ds_replay_opts *opts, ds_replay_result *res, ds_err *err) {
    static ds_replay_opts o; /* normalised copy (large); one run per process at a time */
    o = *opts;
    memset(res, 0, sizeof *res);
    ds_status st = ds_cache_only_opts(&o, err);
    co_run *c = st == DS_OK ? calloc(1, sizeof *c) : NULL;
    if (st == DS_OK && !c) st = ds_err_set(err, DS_ERR_NOMEM, "replay: out of memory");
    if (st != DS_OK) return st;
    c->o = &o;
    st = open_input(c, err);
    if (st == DS_OK) {
        c->progress = ds_progress_new(o.progress && !o.quiet, 0);
        int64_t n = run_bulk(c, err);
        if (n == DS_READER_NO_BULK)
            st = run_records(c, err);
        else if (n < 0)
            st = DS_ERR_ARG;
        if (st == DS_OK && c->requests == 0 && !stopping(c))
            st = ds_err_set(err, DS_ERR_ARG,
                            "%s:1: no requests (the trace is empty or only a header)", o.trace);
        res->wall_seconds = ds_progress_wall_seconds(c->progress);
    }
    if (st == DS_OK) {
        ds_simcache_stats(c->sim, &res->stats, &res->errors);
        res->requests = c->requests;
        res->interrupted = stopping(c);
        if (c->ttls && !o.quiet)
            fprintf(stderr,
                    "dslab: --cache-only: %llu requests carry a TTL, not applied (no clock)\n",
                    (unsigned long long)c->ttls);
        st = write_results(&o, res, err);
    }
    ds_progress_free(c->progress);
    ds_simcache_free(c->sim);
    if (c->reader) ds_reader_close(c->reader);
    free(c);
    return st;
}
