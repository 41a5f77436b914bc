/*
 * cli.c - options of `dslab replay`: one table, from which flags, config files, --help and the
 * effective config (config.txt) are all produced.
 *
 * Why a table: an option used to live in three hand-kept places (a name list, a setter chain and
 * a printer chain) that drifted apart. Now a host option is one row of host_opts[] (name,
 * default, parser, printer, help), in the manner of core/config.c, which owns the core options:
 * they are forwarded to ds_config_set and listed by ds_config_describe. A flag `--name value`
 * and a config-file line `name value` go through the same ds_cli_set, so config.txt written by a
 * run loads again with --config. Defaults are the rows' default strings, parsed by the rows'
 * own parsers (ds_replay_opts_default), so --help cannot disagree with what a run uses.
 * Errors are one line naming the option ("--name: what is wrong"); the command exits 2 on them.
 * Adding an option: a field in ds_replay_opts (replay.h) and a row below.
 */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calibrate.h"
#include "replay.h"

typedef struct cli_opt cli_opt;
typedef ds_status (*cli_set_fn)(ds_replay_opts *o, const cli_opt *r, const char *v, ds_err *err);
typedef void (*cli_show_fn)(const ds_replay_opts *o, const cli_opt *r, char *buf, size_t cap);

enum {
    CLI_VALUELESS = 1,  /* a bare flag means "on" (it takes a value only if it is on/off/auto) */
    CLI_NOT_SAVED = 2,  /* not in config.txt: run-local (out, quiet) or an alias (latency) */
    CLI_OMIT_UNSET = 4, /* not in config.txt while its string is empty */
};

/* One host option. off/cap locate the field; lo..hi bound integers; words are the choices of
 * set_choice (the stored value is the index); unset is what an empty string shows. */
struct cli_opt {
    const char *name;
    const char *def; /* default, parsed by `set`; NULL = none (an alias) */
    cli_set_fn set;
    cli_show_fn show;
    size_t off, cap;
    uint64_t lo, hi;
    const char *const *words;
    const char *unset;
    unsigned flags;
    const char *help;
};

/* ---- the shared parsers, with the option's name in every message ---- */

#define FIELD(o, r, type)  ((type *)(void *)((char *)(o) + (r)->off))
#define CFIELD(o, r, type) ((const type *)(const void *)((const char *)(o) + (r)->off))

static ds_status set_bool(ds_replay_opts *o, const cli_opt *r, const char *v, ds_err *err) {
    if (!ds_parse_bool(v, strlen(v), FIELD(o, r, bool)))
        return ds_err_set(err, DS_ERR_CONFIG, "--%s: expected on or off, got '%s'", r->name, v);
    return DS_OK;
}

static ds_status parse_int(const cli_opt *r, const char *v, uint64_t *out, ds_err *err) {
    if (!ds_parse_u64(v, strlen(v), out) || *out < r->lo || *out > r->hi)
        return ds_err_set(err, DS_ERR_CONFIG, "--%s: expected an integer in %llu..%llu, got '%s'",
                          r->name, (unsigned long long)r->lo, (unsigned long long)r->hi, v);
    return DS_OK;
}

static ds_status set_u64(ds_replay_opts *o, const cli_opt *r, const char *v, ds_err *err) {
    return parse_int(r, v, FIELD(o, r, uint64_t), err);
}

static ds_status set_u32(ds_replay_opts *o, const cli_opt *r, const char *v, ds_err *err) {
    uint64_t u;
    ds_status st = parse_int(r, v, &u, err);
    if (st == DS_OK) *FIELD(o, r, uint32_t) = (uint32_t)u;
    return st;
}

static ds_status set_i64(ds_replay_opts *o, const cli_opt *r, const char *v, ds_err *err) {
    uint64_t u;
    ds_status st = parse_int(r, v, &u, err); /* rows keep hi <= INT64_MAX */
    if (st == DS_OK) *FIELD(o, r, int64_t) = (int64_t)u;
    return st;
}

static ds_status copy_str(const char *name, const char *v, char *dst, size_t cap, ds_err *err) {
    if (strlen(v) >= cap)
        return ds_err_set(err, DS_ERR_CONFIG, "--%s: value longer than %zu bytes", name, cap - 1);
    memcpy(dst, v, strlen(v) + 1);
    return DS_OK;
}

static ds_status set_str(ds_replay_opts *o, const cli_opt *r, const char *v, ds_err *err) {
    return copy_str(r->name, v, FIELD(o, r, char), r->cap, err);
}

static ds_status choice_index(const cli_opt *r, const char *v, int *out, ds_err *err) {
    for (int i = 0; r->words[i]; i++)
        if (strcmp(v, r->words[i]) == 0) return *out = i, DS_OK;
    return ds_err_set(err, DS_ERR_CONFIG, "--%s: expected %s or %s, got '%s'", r->name, r->words[0],
                      r->words[1], v);
}

static ds_status set_choice(ds_replay_opts *o, const cli_opt *r, const char *v, ds_err *err) {
    return choice_index(r, v, FIELD(o, r, int), err);
}

/* Latency models and faults are checked with the backend's own parsers, so a bad model fails
 * at option time with the option's name rather than later. */
static ds_status check_latency(const cli_opt *r, const char *v, ds_err *err) {
    ds_latency m;
    ds_err e2;
    if (ds_latency_parse(v, &m, &e2) != DS_OK)
        return ds_err_set(err, DS_ERR_CONFIG, "--%s: %s", r->name, e2.msg);
    ds_latency_free(&m);
    return DS_OK;
}

static ds_status set_latency(ds_replay_opts *o, const cli_opt *r, const char *v, ds_err *err) {
    ds_status st = check_latency(r, v, err);
    if (st == DS_OK) st = set_str(o, r, v, err);
    for (int i = 0; i < 3 && st == DS_OK; i++)
        if (FIELD(o, r, char) == o->latency[i]) o->latency_given[i] = true;
    return st;
}

static ds_status set_latency_all(ds_replay_opts *o, const cli_opt *r, const char *v, ds_err *err) {
    ds_status st = check_latency(r, v, err);
    for (int i = 0; i < 3 && st == DS_OK; i++) {
        st = copy_str(r->name, v, o->latency[i], DS_OPT_STR_MAX, err);
        o->latency_given[i] = st == DS_OK;
    }
    return st;
}

static ds_status set_faults(ds_replay_opts *o, const cli_opt *r, const char *v, ds_err *err) {
    if (strcmp(v, "none") != 0) {
        ds_faults f;
        ds_err e2;
        if (ds_faults_parse(v, &f, &e2) != DS_OK)
            return ds_err_set(err, DS_ERR_CONFIG, "--%s: %s", r->name, e2.msg);
    }
    return set_str(o, r, v, err);
}

/* A calibration file (`dslab calibrate`) names the format it was written in; another format
 * means its model terms may mean something else, so the run stops with a clear line. */
static ds_status set_cal_format(ds_replay_opts *o, const cli_opt *r, const char *v, ds_err *err) {
    uint64_t u;
    if (!v[0]) return set_str(o, r, v, err); /* the default: no calibration */
    if (!ds_parse_u64(v, strlen(v), &u))
        return ds_err_set(err, DS_ERR_CONFIG, "--%s: expected an integer, got '%s'", r->name, v);
    if (u != DS_CAL_FORMAT)
        return ds_err_set(err, DS_ERR_CONFIG,
                          "--%s: a calibration of format %s, this dslab reads format %d: run "
                          "dslab calibrate again",
                          r->name, v, DS_CAL_FORMAT);
    return set_str(o, r, v, err);
}

/* handoff-latency: none, or a latency model (virtual time: IO end -> the core sees it). */
static ds_status set_handoff(ds_replay_opts *o, const cli_opt *r, const char *v, ds_err *err) {
    if (strcmp(v, "none") != 0) {
        ds_status st = check_latency(r, v, err);
        if (st != DS_OK) return st;
    }
    return set_str(o, r, v, err);
}

/* The registry checks the name and the key=value syntax now, so a typo fails at option time;
 * the backend checks its own parameters when the run opens it. */
static ds_status set_backend(ds_replay_opts *o, const cli_opt *r, const char *v, ds_err *err) {
    ds_err e2;
    if (ds_backend_spec_check(v, o->extra_backends, &e2) != DS_OK)
        return ds_err_set(err, DS_ERR_CONFIG, "--%s: %s", r->name, e2.msg);
    return set_str(o, r, v, err);
}

static ds_status set_fsync(ds_replay_opts *o, const cli_opt *r, const char *v, ds_err *err) {
    int c;
    ds_status st = choice_index(r, v, &c, err);
    if (st == DS_OK) o->fsync = c ? DS_FSYNC_ALWAYS : DS_FSYNC_NEVER;
    return st;
}

static ds_status set_speed(ds_replay_opts *o, const cli_opt *r, const char *v, ds_err *err) {
    if (strcmp(v, "max") == 0) return o->speed = 0, DS_OK;
    double x;
    if (!ds_parse_f64(v, &x) || !(x > 0) || x > 1e9)
        return ds_err_set(err, DS_ERR_CONFIG, "--%s: expected a factor > 0 or max, got '%s'",
                          r->name, v);
    o->speed = x;
    return DS_OK;
}

static ds_status set_origin(ds_replay_opts *o, const cli_opt *r, const char *v, ds_err *err) {
    if (strcmp(v, "auto") == 0) return o->origin = DS_ORIGIN_AUTO, DS_OK;
    bool b;
    if (!ds_parse_bool(v, strlen(v), &b))
        return ds_err_set(err, DS_ERR_CONFIG, "--%s: expected auto, on or off, got '%s'", r->name,
                          v);
    o->origin = b ? DS_ORIGIN_ON : DS_ORIGIN_OFF;
    return DS_OK;
}

static ds_status set_core_cost(ds_replay_opts *o, const cli_opt *r, const char *v, ds_err *err) {
    ds_err e2;
    if (ds_core_cost_parse(v, &o->core_cost, &e2) != DS_OK)
        return ds_err_set(err, DS_ERR_CONFIG, "--%s: %s", r->name, e2.msg);
    return DS_OK;
}

/* --warmup: "0", seconds of the run's clock ("10s", "0.5s") or a request count ("5000r"). */
static ds_status set_warmup(ds_replay_opts *o, const cli_opt *r, const char *v, ds_err *err) {
    size_t n = strlen(v);
    char num[64];
    o->warmup_ns = 0;
    o->warmup_requests = 0;
    if (strcmp(v, "0") == 0) return DS_OK;
    if (n < 2 || n >= sizeof num || (v[n - 1] != 's' && v[n - 1] != 'r'))
        return ds_err_set(err, DS_ERR_CONFIG, "--%s: expected 0, SECONDSs or COUNTr, got '%s'",
                          r->name, v);
    memcpy(num, v, n - 1);
    num[n - 1] = 0;
    double x;
    uint64_t c;
    if (v[n - 1] == 's' && ds_parse_f64(num, &x) && x > 0 && x < 1e9)
        return o->warmup_ns = (int64_t)(x * 1e9 + 0.5), DS_OK;
    if (v[n - 1] == 'r' && ds_parse_u64(num, n - 1, &c) && c > 0)
        return o->warmup_requests = c, DS_OK;
    return ds_err_set(err, DS_ERR_CONFIG, "--%s: expected 0, SECONDSs or COUNTr, got '%s'", r->name,
                      v);
}

/* ---- printers: the value as a config line would give it ---- */

static void show_bool(const ds_replay_opts *o, const cli_opt *r, char *buf, size_t cap) {
    snprintf(buf, cap, "%s", *CFIELD(o, r, bool) ? "on" : "off");
}
static void show_u64(const ds_replay_opts *o, const cli_opt *r, char *buf, size_t cap) {
    snprintf(buf, cap, "%llu", (unsigned long long)*CFIELD(o, r, uint64_t));
}
static void show_u32(const ds_replay_opts *o, const cli_opt *r, char *buf, size_t cap) {
    snprintf(buf, cap, "%u", (unsigned)*CFIELD(o, r, uint32_t));
}
static void show_i64(const ds_replay_opts *o, const cli_opt *r, char *buf, size_t cap) {
    snprintf(buf, cap, "%lld", (long long)*CFIELD(o, r, int64_t));
}
static void show_str(const ds_replay_opts *o, const cli_opt *r, char *buf, size_t cap) {
    const char *v = CFIELD(o, r, char);
    snprintf(buf, cap, "%s", v[0] || !r->unset ? v : r->unset);
}
static void show_choice(const ds_replay_opts *o, const cli_opt *r, char *buf, size_t cap) {
    snprintf(buf, cap, "%s", r->words[*CFIELD(o, r, int)]);
}
static void show_fsync(const ds_replay_opts *o, const cli_opt *r, char *buf, size_t cap) {
    snprintf(buf, cap, "%s", r->words[o->fsync == DS_FSYNC_ALWAYS]);
}
static void show_speed(const ds_replay_opts *o, const cli_opt *r, char *buf, size_t cap) {
    (void)r;
    if (o->speed > 0)
        snprintf(buf, cap, "%g", o->speed);
    else
        snprintf(buf, cap, "max");
}
static void show_origin(const ds_replay_opts *o, const cli_opt *r, char *buf, size_t cap) {
    (void)r;
    snprintf(buf, cap, "%s", o->origin == DS_ORIGIN_AUTO ? "auto" : o->origin ? "on" : "off");
}
static void show_latency_all(const ds_replay_opts *o, const cli_opt *r, char *buf, size_t cap) {
    (void)r;
    snprintf(buf, cap, "%s", o->latency[DS_BOP_GET]);
}

static void show_core_cost(const ds_replay_opts *o, const cli_opt *r, char *buf, size_t cap) {
    (void)r;
    ds_core_cost_format(&o->core_cost, buf, cap);
}

static ds_status set_host_cpu(ds_replay_opts *o, const cli_opt *r, const char *v, ds_err *err) {
    ds_err e2;
    if (ds_host_model_parse(v, &o->host_cpu, &e2) != DS_OK)
        return ds_err_set(err, DS_ERR_CONFIG, "--%s: %s", r->name, e2.msg);
    return DS_OK;
}
static void show_host_cpu(const ds_replay_opts *o, const cli_opt *r, char *buf, size_t cap) {
    (void)r;
    ds_host_model_format(&o->host_cpu, buf, cap);
}

static void show_warmup(const ds_replay_opts *o, const cli_opt *r, char *buf, size_t cap) {
    (void)r;
    if (o->warmup_requests)
        snprintf(buf, cap, "%llur", (unsigned long long)o->warmup_requests);
    else if (o->warmup_ns)
        snprintf(buf, cap, "%.9gs", (double)o->warmup_ns / 1e9);
    else
        snprintf(buf, cap, "0");
}

/* ---- the table ---- */

static const char *const clock_words[] = {"virtual", "real", NULL};
static const char *const fsync_words[] = {"never", "always", NULL};
static const char *const unsorted_words[] = {"error", "clamp", NULL};

#define F(field)                 offsetof(ds_replay_opts, field), sizeof(((ds_replay_opts *)0)->field)
#define LAT(i)                   offsetof(ds_replay_opts, latency[i]), DS_OPT_STR_MAX
#define BOOL(field)              set_bool, show_bool, F(field), 0, 0, NULL, NULL
#define INT(kind, field, lo, hi) set_##kind, show_##kind, F(field), lo, hi, NULL, NULL
#define STR(field, unset)        set_str, show_str, F(field), 0, 0, NULL, unset
#define CHOICE(field, words)     set_choice, show_choice, F(field), 0, 0, words, NULL
#define CUSTOM(set, show, field) set, show, F(field), 0, 0, NULL, NULL

/* Host options in --help and config.txt order (core options come first). Default latency
 * models of the fake backend (us), roughly a local SSD behind a small KV engine: reads
 * 50-150, writes 80-250, deletes 50-150. */
static const cli_opt host_opts[] = {
    {"clock", "virtual", CHOICE(clock, clock_words), 0,
     "virtual|real: discrete-event virtual time or wall clock"},
    {"backend", "fake", set_backend, show_str, F(backend), 0, 0, NULL, NULL, 0,
     "NAME[:k=v,...]: mem (alias fake) | file[:path=DIR,fsync=never|always]; always behind the "
     "latency/fault shim"},
    {"backend-path", "", STR(backend_path, "OUT/store"), CLI_OMIT_UNSET,
     "directory of the file backend when --backend has no path= (default: OUT/store)"},
    {"fsync", "never", set_fsync, show_fsync, F(fsync), 0, 0, fsync_words, NULL, 0,
     "never|always (file backend, when --backend has no fsync=)"},
    {"save-log", "", STR(save_log, NULL), CLI_OMIT_UNSET,
     "FILE: real clock: append each acknowledged SAVE (key version) for crash tests"},
    {"latency", NULL, set_latency_all, show_latency_all, LAT(0), 0, 0, NULL, NULL, CLI_NOT_SAVED,
     "MODEL for all three ops (shown: get's): fixed:US uniform:LO:HI exp:MEAN "
     "lognormal:MU:SIGMA pareto:SCALE:SHAPE hist:FILE (lines \"us cum_fraction\", e.g. from "
     "dslab calibrate; relative to a --config file's directory)"},
    {"latency-get", "uniform:50:150", set_latency, show_str, LAT(DS_BOP_GET), 0, 0, NULL, NULL, 0,
     "MODEL for backend reads"},
    {"latency-set", "uniform:80:250", set_latency, show_str, LAT(DS_BOP_SET), 0, 0, NULL, NULL, 0,
     "MODEL for backend writes"},
    {"latency-del", "uniform:50:150", set_latency, show_str, LAT(DS_BOP_DEL), 0, 0, NULL, NULL, 0,
     "MODEL for backend deletes"},
    {"faults", "none", CUSTOM(set_faults, show_str, faults), 0,
     "err=P,slow=P:US,stall=EVERY:LEN_US (\"none\" = no faults)"},
    {"disk-channels", "0", INT(u32, disk_channels, 0, 4096), 0,
     "virtual clock: IOs the disk serves at once, the rest wait in its queue (0 = no queue)"},
    {"io-threads", "4", INT(u32, io_threads, 1, 4096), 0,
     "IO servers (virtual) or worker threads (real)"},
    {"core-cost-us", DS_CORE_COST_DEFAULT, CUSTOM(set_core_cost, show_core_cost, core_cost), 0,
     "virtual clock: CPU cost (us) of the core per command (mget, exec: per key), per SAVE/LOAD "
     "hand-back and cron; the core serves them one at a time; 0 = free"},
    {"host-cpu", "none", CUSTOM(set_host_cpu, show_host_cpu, host_cpu), 0,
     "none|cpus=N,get=F,set=F,del=F[,preempt=P]: virtual clock: N host cores shared by the main "
     "thread (the core's work) and the IO threads, which hold a core for share F of each backend "
     "call; an IO thread the main thread wakes takes its core with probability P (measured by "
     "dslab calibrate)"},
    {"io-latency", "off", BOOL(io_latency), CLI_VALUELESS,
     "on|off: virtual clock: write io_latency.csv with what the model charged, in the real "
     "run's format (queue_wait, backend_*, service_*, cpu_*, handoff, wakeup, main_runq, "
     "main_preempt); real runs always write it; both leave out the warm-up and the drain"},
    {"seed", "1", INT(u64, seed, 0, UINT64_MAX), 0, "seed of every random draw of the run"},
    {"out", "", STR(out, "auto"), CLI_NOT_SAVED,
     "results directory (default results/<trace>-<config hash>)"},
    {"oracle", "on", BOOL(oracle), 0, "on|off: shadow checks for stale reads and lost writes"},
    {"format", "auto", STR(format, NULL), 0, "trace format (auto from the name)"},
    {"csv-opts", "", STR(csv_opts, "none"), CLI_OMIT_UNSET,
     "libCacheSim-style column options for --format csv"},
    {"miss-is-set", "off", BOOL(miss_is_set), CLI_VALUELESS,
     "on|off: id traces: a GET miss is followed by a SET"},
    {"origin", "auto", CUSTOM(set_origin, show_origin, origin), CLI_VALUELESS,
     "auto|on|off: the backend holds every object (auto: id traces without --miss-is-set)"},
    {"speed", "1", CUSTOM(set_speed, show_speed, speed), 0,
     "X|max: divide trace times by X; max = closed loop, no think time"},
    {"closed", "off", BOOL(closed), CLI_VALUELESS, "on|off: closed loop (trace times ignored)"},
    {"think", "0", INT(i64, think_us, 0, INT64_MAX / 4), 0,
     "think time in us between an answer and the next request (closed)"},
    {"interval-ms", "1000", INT(i64, interval_ms, 1, 86400000), 0,
     "timeseries interval in ms of the run's clock"},
    {"warmup", "0", CUSTOM(set_warmup, show_warmup, warmup_ns), 0,
     "Ns of the run's clock or Nr requests: excluded from every metric (timeseries: phase)"},
    {"client-queue-max", "1000000", INT(u64, client_queue_max, 1, UINT32_MAX), 0,
     "requests queued per client before the run fails"},
    {"handoff-latency", "none", CUSTOM(set_handoff, show_str, handoff), 0,
     "MODEL|none: virtual time: delay from an IO's end to the core seeing it (the real "
     "engine's worker -> main thread wake-up; measured by dslab calibrate)"},
    {"io-wakeup-latency", "none", CUSTOM(set_handoff, show_str, io_wakeup), 0,
     "MODEL|none: virtual time: an IO starts that much after a server takes it (the real "
     "engine's wake-up of an idle IO thread by its condition variable; dslab calibrate)"},
    {"preempt-load-latency", "none", CUSTOM(set_handoff, show_str, preempt_hold[0]), 0,
     "MODEL|none: virtual time, host-cpu preempt: an IO thread that preempted the main thread "
     "handing it a LOAD gives the core back after this (the rest of its part on a core waits "
     "for one); none: after its whole part (measured by dslab calibrate)"},
    {"preempt-save-latency", "none", CUSTOM(set_handoff, show_str, preempt_hold[1]), 0,
     "MODEL|none: as preempt-load-latency, for a SAVE or delete"},
    {"wakeup-latency", "none", CUSTOM(set_handoff, show_str, wakeup), 0,
     "MODEL|none: virtual time: an open-loop arrival that finds the core idle starts that much "
     "later (the real engine's timer wake-up of its sleeping main thread; dslab calibrate)"},
    {"calibration-format", "", CUSTOM(set_cal_format, show_str, calibration_format), CLI_OMIT_UNSET,
     "N: format of the calibration file that set these options (checked)"},
    {"reuse-store", "off", BOOL(reuse_store), CLI_VALUELESS,
     "on|off: replay on a store that already holds data (else refused); the oracle starts "
     "from what it holds"},
    {"unsorted", "error", CHOICE(unsorted, unsorted_words), 0,
     "error|clamp: open loop, a request earlier than the one before it stops the run "
     "(TRACE:LINE), or is issued at the previous request's time"},
    {"quiet", "off", BOOL(quiet), CLI_VALUELESS | CLI_NOT_SAVED,
     "on|off: no header and no progress line (the summary still prints)"},
    {"pit-every", "0", INT(i64, pit_every_ms, 0, 86400000), 0,
     "MS: virtual clock: a point-in-time drain and backend check every MS ms (0 = off)"},
    {"explore-schedule", "off", BOOL(explore), CLI_VALUELESS,
     "on|off: virtual clock: the seed perturbs IO completion order, cron phase, eviction "
     "ties and BUGGIFY sites (dslab explore)"},
    {"explore-window", "1000", INT(i64, explore_window_us, 0, 60000000), 0,
     "US: with explore-schedule, IO completions due within US of each other may reorder"},
    {"cache-only", "off", BOOL(cache_only), CLI_VALUELESS,
     "on|off: only the keyspace and the eviction policy, no scheduler, IO, clients or clock "
     "(a cache simulator, like libCacheSim; README \"Cache-only replay\")"},
};
#define NHOST (sizeof host_opts / sizeof host_opts[0])

/* Shorthands: a bare --no-NAME sets NAME to off. */
static const struct {
    const char *flag, *name, *value;
} aliases[] = {{"no-oracle", "oracle", "off"}, {"no-origin", "origin", "off"}};
#define NALIAS (sizeof aliases / sizeof aliases[0])

static const cli_opt *find_host(const char *name) {
    for (size_t i = 0; i < NHOST; i++)
        if (strcmp(host_opts[i].name, name) == 0) return &host_opts[i];
    return NULL;
}

static int find_alias(const char *flag) {
    for (size_t i = 0; i < NALIAS; i++)
        if (strcmp(aliases[i].flag, flag) == 0) return (int)i;
    return -1;
}

void ds_replay_opts_default(ds_replay_opts *o) {
    memset(o, 0, sizeof *o);
    ds_config_default(&o->core);
    for (size_t i = 0; i < NHOST; i++) {
        ds_err err;
        if (!host_opts[i].def) continue;
        ds_status st = host_opts[i].set(o, &host_opts[i], host_opts[i].def, &err);
        (void)st;
        assert(st == DS_OK && "a host option's default must parse");
    }
    o->progress = true;
    memset(o->latency_given, 0, sizeof o->latency_given); /* defaults are not "given" */
}

/* ---- setting by name: flags and config lines ---- */

static bool is_core_name(const ds_config *cfg, const char *name) {
    const char *n, *help;
    char buf[128];
    for (size_t i = 0; ds_config_describe(cfg, i, &n, buf, sizeof buf, &help); i++)
        if (strcmp(n, name) == 0) return true;
    return false;
}

static ds_status unknown(const char *name, ds_err *err) {
    return ds_err_set(err, DS_ERR_CONFIG, "--%s: unknown option (see dslab replay --help)", name);
}

ds_status ds_cli_set(ds_replay_opts *o, const char *name, const char *value, ds_err *err) {
    if (!name || !*name) return ds_err_set(err, DS_ERR_CONFIG, "--: empty option name");
    int a = find_alias(name);
    if (a >= 0 && !value) return ds_cli_set(o, aliases[a].name, aliases[a].value, err);
    const cli_opt *h = find_host(name);
    if (!h && is_core_name(&o->core, name)) {
        if (!value) return ds_err_set(err, DS_ERR_CONFIG, "--%s: missing value", name);
        ds_err e2;
        ds_config tmp = o->core;
        if (ds_config_set(&tmp, name, value, &e2) != DS_OK) /* e2 starts with the name */
            return ds_err_set(err, DS_ERR_CONFIG, "--%s", e2.msg);
        o->core = tmp;
        return DS_OK;
    }
    if (!h) return unknown(name, err);
    if (!value) {
        if (!(h->flags & CLI_VALUELESS))
            return ds_err_set(err, DS_ERR_CONFIG, "--%s: missing value", name);
        value = "on";
    }
    return h->set(o, h, value, err);
}

/* A relative hist:FILE in a config file names a file beside the config (dslab calibrate writes
 * them so), whatever the working directory: "hist:x.hist" in dir/c.conf is dir/x.hist. */
static bool beside(const char *conf, const char *value, char *out, size_t cap) {
    const char *slash = strrchr(conf, '/');
    if (strncmp(value, "hist:", 5) != 0 || value[5] == '/' || !slash) return false;
    int n = snprintf(out, cap, "hist:%.*s/%s", (int)(slash - conf), conf, value + 5);
    return n > 0 && (size_t)n < cap;
}

/* Config file: "name value" per line, '#' starts a comment, blank lines ignored. A line with
 * only a name is a valueless flag ("closed"). Relative hist: files are found beside it. */
ds_status ds_cli_load_file(ds_replay_opts *o, const char *path, ds_err *err) {
    FILE *f = fopen(path, "r");
    if (!f) return ds_err_set(err, DS_ERR_CONFIG, "--config: %s: %s", path, strerror(errno));
    char line[1024];
    unsigned lineno = 0;
    ds_status st = DS_OK;
    while (st == DS_OK && fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            st = ds_err_set(err, DS_ERR_CONFIG, "%s:%u: line too long", path, lineno);
            break;
        }
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char *save = NULL;
        char *name = strtok_r(line, " \t\r\n", &save);
        if (!name) continue;
        char *value = strtok_r(NULL, " \t\r\n", &save);
        char *extra = value ? strtok_r(NULL, " \t\r\n", &save) : NULL;
        if (extra) {
            st = ds_err_set(err, DS_ERR_CONFIG, "%s:%u: %s: one value expected, got '%s %s'", path,
                            lineno, name, value, extra);
            break;
        }
        ds_err e2;
        if (strcmp(name, "trace_bytes") == 0) continue; /* config.txt's record of the trace */
        if (strcmp(name, "trace") == 0 && value) {      /* the trace unless argv names one */
            st = copy_str("trace", value, o->trace, DS_OPT_STR_MAX, err);
            continue;
        }
        char rel[2 * DS_OPT_STR_MAX];
        if (value && beside(path, value, rel, sizeof rel)) value = rel;
        if (ds_cli_set(o, name, value, &e2) != DS_OK)
            st = ds_err_set(err, DS_ERR_CONFIG, "%s:%u: %s", path, lineno, e2.msg);
    }
    if (st == DS_OK && ferror(f))
        st = ds_err_set(err, DS_ERR_CONFIG, "--config: %s: read error", path);
    fclose(f);
    return st;
}

/* ---- argv ---- */

/* Does the next argv word belong to `name` as its value? Valueless flags take a value only
 * when it is an explicit on/off/auto word. */
static bool takes_value(const char *name, const char *next) {
    if (find_alias(name) >= 0) return false;
    const cli_opt *h = find_host(name);
    if (!h || !(h->flags & CLI_VALUELESS)) return true;
    return next &&
           (strcmp(next, "on") == 0 || strcmp(next, "off") == 0 || strcmp(next, "auto") == 0);
}

/* One "--name[=value] [value]" at argv[*i]; advances *i past a separate value. */
static ds_status parse_flag(ds_replay_opts *o, int argc, char **argv, int *i, ds_err *err) {
    const char *a = argv[*i];
    char name[128];
    const char *eq = strchr(a + 2, '=');
    size_t nlen = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
    if (nlen >= sizeof name) return ds_err_set(err, DS_ERR_CONFIG, "%s: unknown option", a);
    memcpy(name, a + 2, nlen);
    name[nlen] = 0;
    const char *value = eq ? eq + 1 : NULL;
    if (!eq && takes_value(name, *i + 1 < argc ? argv[*i + 1] : NULL)) {
        if (*i + 1 >= argc) {
            if (!find_host(name) && !is_core_name(&o->core, name)) return unknown(name, err);
            return ds_err_set(err, DS_ERR_CONFIG, "--%s: missing value", name);
        }
        value = argv[++*i];
    }
    return ds_cli_set(o, name, value, err);
}

ds_status ds_cli_parse(ds_replay_opts *o, int argc, char **argv, bool *help, ds_err *err) {
    *help = false;
    for (int i = 0; i < argc; i++) { /* pass 1: --help and --config */
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return *help = true, DS_OK;
        if (strcmp(argv[i], "--config") == 0) {
            if (i + 1 >= argc) return ds_err_set(err, DS_ERR_CONFIG, "--config: missing value");
            ds_status st = ds_cli_load_file(o, argv[++i], err);
            if (st != DS_OK) return st;
        }
    }
    bool have_trace = false;
    for (int i = 0; i < argc; i++) { /* pass 2: flags override the file */
        const char *a = argv[i];
        ds_status st = DS_OK;
        if (strcmp(a, "--config") == 0) {
            i++;
        } else if (strncmp(a, "--", 2) == 0 && strcmp(a, "-") != 0) {
            st = parse_flag(o, argc, argv, &i, err);
        } else if (have_trace) {
            st = ds_err_set(err, DS_ERR_CONFIG, "replay: one trace expected, got '%s' and '%s'",
                            o->trace, a);
        } else {
            st = copy_str("trace", a, o->trace, DS_OPT_STR_MAX, err);
            have_trace = true;
        }
        if (st != DS_OK) return st;
    }
    if (!have_trace && !o->trace[0])
        return ds_err_set(err, DS_ERR_CONFIG,
                          "replay: missing TRACE argument (see dslab replay --help)");
    /* The file backend has a real disk: no fake latency on top unless asked for. */
    for (int i = 0; i < 3 && strncmp(o->backend, "file", 4) == 0; i++)
        if (!o->latency_given[i]) snprintf(o->latency[i], DS_OPT_STR_MAX, "fixed:0");
    ds_err e2;
    if (ds_config_validate(&o->core, &e2) != DS_OK)
        return ds_err_set(err, DS_ERR_CONFIG, "--%s", e2.msg);
    if (o->clock == DS_CLOCK_REAL && o->explore)
        return ds_err_set(err, DS_ERR_CONFIG, "--explore-schedule: needs --clock virtual");
    if (o->clock == DS_CLOCK_REAL && o->pit_every_ms)
        return ds_err_set(err, DS_ERR_CONFIG, "--pit-every: needs --clock virtual");
    return o->cache_only ? ds_cache_only_opts(o, err) : DS_OK;
}

bool ds_cli_value(const ds_replay_opts *o, const char *name, char *buf, size_t cap) {
    const cli_opt *h = find_host(name);
    if (h) {
        h->show(o, h, buf, cap);
        return true;
    }
    const char *n, *help;
    for (size_t i = 0; ds_config_describe(&o->core, i, &n, buf, cap, &help); i++)
        if (strcmp(n, name) == 0) return true;
    return false;
}

/* ---- effective config, default out dir, --help ---- */

/* Core options first (ds_config_describe's order), then the saved host rows: exactly the
 * lines of config.txt, which --config loads again. */
size_t ds_cli_effective(const ds_replay_opts *o, const char **names, const char **values,
                        char *buf) {
    size_t n = 0, used = 0;
    const char *name, *help;
    for (size_t i = 0; n < DS_CLI_EFFECTIVE_MAX; i++) {
        if (!ds_config_describe(&o->core, i, &name, buf + used, DS_CLI_EFFECTIVE_BUF - used, &help))
            break;
        if (find_host(name)) continue;
        names[n] = name;
        values[n++] = buf + used;
        used += strlen(buf + used) + 1;
    }
    for (size_t i = 0; i < NHOST && n < DS_CLI_EFFECTIVE_MAX; i++) {
        const cli_opt *r = &host_opts[i];
        if (r->flags & CLI_NOT_SAVED) continue;
        if ((r->flags & CLI_OMIT_UNSET) && !CFIELD(o, r, char)[0]) continue;
        r->show(o, r, buf + used, DS_CLI_EFFECTIVE_BUF - used);
        names[n] = r->name;
        values[n++] = buf + used;
        used += strlen(buf + used) + 1;
    }
    return n;
}

void ds_cli_default_out(ds_replay_opts *o) {
    if (o->out[0]) return;
    const char *names[DS_CLI_EFFECTIVE_MAX], *values[DS_CLI_EFFECTIVE_MAX];
    char buf[DS_CLI_EFFECTIVE_BUF];
    size_t n = ds_cli_effective(o, names, values, buf);
    uint64_t h = ds_hash64(o->trace, strlen(o->trace), 0);
    for (size_t i = 0; i < n; i++) {
        h = ds_hash64(names[i], strlen(names[i]), h);
        h = ds_hash64(values[i], strlen(values[i]), h);
    }
    const char *base = strrchr(o->trace, '/');
    base = base ? base + 1 : o->trace;
    if (strncmp(o->trace, "gen:", 4) == 0) base = "gen";
    char stem[128];
    size_t k = 0;
    for (; base[k] && k < sizeof stem - 1; k++) {
        char c = base[k];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
        if (c == '.' && k > 0) break; /* drop extensions */
        stem[k] = ok ? c : '_';
    }
    stem[k] = 0;
    snprintf(o->out, DS_OPT_STR_MAX, "results/%s-%08x", k ? stem : "trace",
             (unsigned)(h & 0xffffffffu));
}

void ds_cli_usage(FILE *f) {
    ds_replay_opts d;
    ds_replay_opts_default(&d);
    fprintf(f,
            "usage: dslab replay TRACE [--name value ...] [--config FILE]\n"
            "  TRACE: a file (formats: %s; .zst is decompressed), '-' for stdin,\n"
            "         or gen:SPEC for a generated trace\n"
            "  --config FILE: lines \"name value\" ('#' comments); flags override the file\n"
            "  shorthands:",
            ds_trace_formats());
    for (size_t i = 0; i < NALIAS; i++)
        fprintf(f, " --%s", aliases[i].flag);
    fprintf(f, " (= off);");
    for (size_t i = 0; i < NHOST; i++)
        if (host_opts[i].flags & CLI_VALUELESS) fprintf(f, " --%s", host_opts[i].name);
    fprintf(f, " (= on)\n\ncore options (default):\n");
    const char *name, *help;
    char buf[256];
    for (size_t i = 0; ds_config_describe(&d.core, i, &name, buf, sizeof buf, &help); i++) {
        if (find_host(name)) continue;
        fprintf(f, "  --%-20s %-14s %s\n", name, buf, help ? help : "");
    }
    fprintf(f, "\neviction policies (--evict NAME[:k=v,...]):\n");
    for (size_t i = 0; ds_evict_policy_describe(i, &name, &help); i++)
        fprintf(f, "  %-14s %s\n", name, help);
    fprintf(f, "\nhost options (default):\n");
    for (size_t i = 0; i < NHOST; i++) {
        host_opts[i].show(&d, &host_opts[i], buf, sizeof buf);
        fprintf(f, "  --%-20s %-14s %s\n", host_opts[i].name, buf, host_opts[i].help);
    }
}
