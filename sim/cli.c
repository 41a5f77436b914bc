/*
 * cli.c - options of `dslab replay`: flags, config file, effective config, default out dir.
 *
 * Why one setter for everything: a flag `--name value` and a config file line `name value` go
 * through the same ds_cli_set, so the two can never disagree and config.txt written by a run
 * loads again with --config. Core options are forwarded to ds_config_set (the core owns their
 * parsing and defaults); host options live in the table below. Errors are one line naming the
 * option ("--name: what is wrong"); the command exits 2 on them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"

/* Default latency models of the fake backend (microseconds), roughly a local SSD behind a
 * small KV engine: reads 50-150 us, writes 80-250 us, deletes 50-150 us. */
#define DS_LAT_GET_DEFAULT "uniform:50:150"
#define DS_LAT_SET_DEFAULT "uniform:80:250"
#define DS_LAT_DEL_DEFAULT "uniform:50:150"

typedef struct cli_opt {
    const char *name;
    const char *help;
    bool valueless; /* a bare flag means "on" */
} cli_opt;

/* Host options in --help and effective-config order (core options come first). */
static const cli_opt host_opts[] = {
    {"clock", "virtual|real: discrete-event virtual time or wall clock", false},
    {"backend", "fake|file: in-memory fake with latency/faults, or files", false},
    {"backend-path", "directory of the file backend", false},
    {"fsync", "never|always (file backend)", false},
    {"save-log", "FILE: real clock: append each acknowledged SAVE (key version) for crash tests",
     false},
    {"latency", "MODEL for all three ops (shown: get's): fixed:US uniform:LO:HI exp:MEAN ..",
     false},
    {"latency-get", "MODEL for backend reads", false},
    {"latency-set", "MODEL for backend writes", false},
    {"latency-del", "MODEL for backend deletes", false},
    {"faults", "err=P,slow=P:US,stall=EVERY:LEN_US (\"none\" = no faults)", false},
    {"io-threads", "IO servers (virtual) or worker threads (real)", false},
    {"seed", "seed of every random draw of the run", false},
    {"out", "results directory (default results/<trace>-<config hash>)", false},
    {"oracle", "on|off: shadow checks for stale reads and lost writes", false},
    {"format", "trace format (auto from the name)", false},
    {"csv-opts", "libCacheSim-style column options for --format csv", false},
    {"miss-is-set", "on|off: id traces: a GET miss is followed by a SET", true},
    {"origin",
     "auto|on|off: the backend holds every object (auto: id traces without "
     "--miss-is-set)",
     true},
    {"speed", "X|max: divide trace times by X; max = closed loop, no think time", false},
    {"closed", "on|off: closed loop (trace times ignored)", true},
    {"think", "think time in us between an answer and the next request (closed)", false},
    {"interval-ms", "timeseries interval in ms of the run's clock", false},
    {"client-queue-max", "requests queued per client before the run fails", false},
    {"quiet", "on|off: no header and no progress line (the summary still prints)", true},
};
#define NHOST (sizeof host_opts / sizeof host_opts[0])

void ds_replay_opts_default(ds_replay_opts *o) {
    memset(o, 0, sizeof *o);
    ds_config_default(&o->core);
    o->clock = DS_CLOCK_VIRTUAL;
    o->backend = DS_BACKEND_FAKE;
    o->fsync = DS_FSYNC_NEVER;
    snprintf(o->latency[DS_BOP_GET], DS_OPT_STR_MAX, "%s", DS_LAT_GET_DEFAULT);
    snprintf(o->latency[DS_BOP_SET], DS_OPT_STR_MAX, "%s", DS_LAT_SET_DEFAULT);
    snprintf(o->latency[DS_BOP_DEL], DS_OPT_STR_MAX, "%s", DS_LAT_DEL_DEFAULT);
    snprintf(o->faults, DS_OPT_STR_MAX, "none");
    snprintf(o->format, sizeof o->format, "auto");
    o->io_threads = 4;
    o->seed = 1;
    o->oracle = true;
    o->origin = DS_ORIGIN_AUTO;
    o->speed = 1.0;
    o->interval_ms = 1000;
    o->client_queue_max = 1000000;
    o->progress = true;
}

static ds_status parse_bool(const char *name, const char *v, bool *out, ds_err *err) {
    static const char *const yes[] = {"on", "yes", "true", "1"};
    static const char *const no[] = {"off", "no", "false", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(v, yes[i]) == 0) return *out = true, DS_OK;
        if (strcmp(v, no[i]) == 0) return *out = false, DS_OK;
    }
    return ds_err_set(err, DS_ERR_CONFIG, "--%s: expected on or off, got '%s'", name, v);
}

static ds_status parse_u64(const char *name, const char *v, uint64_t lo, uint64_t hi, uint64_t *out,
                           ds_err *err) {
    char *end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (errno || end == v || *end || v[0] == '-' || x < lo || x > hi)
        return ds_err_set(err, DS_ERR_CONFIG, "--%s: expected an integer in %llu..%llu, got '%s'",
                          name, (unsigned long long)lo, (unsigned long long)hi, v);
    *out = x;
    return DS_OK;
}

static ds_status copy_str(const char *name, const char *v, char *dst, size_t cap, ds_err *err) {
    if (strlen(v) >= cap)
        return ds_err_set(err, DS_ERR_CONFIG, "--%s: value longer than %zu bytes", name, cap - 1);
    memcpy(dst, v, strlen(v) + 1);
    return DS_OK;
}

/* Latency and faults are checked here with the backend's own parsers, so a bad model fails at
 * option time with the option's name rather than later. */
static ds_status set_latency(ds_replay_opts *o, const char *name, const char *v, int which,
                             ds_err *err) {
    ds_latency m;
    ds_err e2;
    if (ds_latency_parse(v, &m, &e2) != DS_OK)
        return ds_err_set(err, DS_ERR_CONFIG, "--%s: %s", name, e2.msg);
    ds_latency_free(&m);
    for (int i = 0; i < 3; i++) {
        if (which >= 0 && i != which) continue;
        ds_status st = copy_str(name, v, o->latency[i], DS_OPT_STR_MAX, err);
        if (st != DS_OK) return st;
    }
    return DS_OK;
}

static ds_status set_faults(ds_replay_opts *o, const char *v, ds_err *err) {
    if (strcmp(v, "none") != 0) {
        ds_faults f;
        ds_err e2;
        if (ds_faults_parse(v, &f, &e2) != DS_OK)
            return ds_err_set(err, DS_ERR_CONFIG, "--faults: %s", e2.msg);
    }
    return copy_str("faults", v, o->faults, DS_OPT_STR_MAX, err);
}

static ds_status set_speed(ds_replay_opts *o, const char *v, ds_err *err) {
    if (strcmp(v, "max") == 0) return o->speed = 0, DS_OK;
    char *end;
    double x = strtod(v, &end);
    if (end == v || *end || !(x > 0) || x > 1e9)
        return ds_err_set(err, DS_ERR_CONFIG, "--speed: expected a factor > 0 or max, got '%s'", v);
    o->speed = x;
    return DS_OK;
}

static ds_status set_choice(const char *name, const char *v, const char *a, const char *b, int *out,
                            ds_err *err) {
    if (strcmp(v, a) == 0) return *out = 0, DS_OK;
    if (strcmp(v, b) == 0) return *out = 1, DS_OK;
    return ds_err_set(err, DS_ERR_CONFIG, "--%s: expected %s or %s, got '%s'", name, a, b, v);
}

static ds_status set_host2(ds_replay_opts *o, const char *n, const char *v, ds_err *err) {
    uint64_t u;
    ds_status st;
    if (strcmp(n, "oracle") == 0) return parse_bool(n, v, &o->oracle, err);
    if (strcmp(n, "format") == 0) return copy_str(n, v, o->format, sizeof o->format, err);
    if (strcmp(n, "csv-opts") == 0) return copy_str(n, v, o->csv_opts, DS_OPT_STR_MAX, err);
    if (strcmp(n, "miss-is-set") == 0) return parse_bool(n, v, &o->miss_is_set, err);
    if (strcmp(n, "closed") == 0) return parse_bool(n, v, &o->closed, err);
    if (strcmp(n, "quiet") == 0) return parse_bool(n, v, &o->quiet, err);
    if (strcmp(n, "speed") == 0) return set_speed(o, v, err);
    if (strcmp(n, "origin") == 0) {
        if (strcmp(v, "auto") == 0) return o->origin = DS_ORIGIN_AUTO, DS_OK;
        bool b;
        if ((st = parse_bool(n, v, &b, err)) != DS_OK) return st;
        o->origin = b ? DS_ORIGIN_ON : DS_ORIGIN_OFF;
        return DS_OK;
    }
    if (strcmp(n, "think") == 0) {
        if ((st = parse_u64(n, v, 0, INT64_MAX / 4, &u, err)) == DS_OK) o->think_us = (int64_t)u;
        return st;
    }
    if (strcmp(n, "interval-ms") == 0) {
        if ((st = parse_u64(n, v, 1, 86400000, &u, err)) == DS_OK) o->interval_ms = (int64_t)u;
        return st;
    }
    if (strcmp(n, "client-queue-max") == 0)
        return parse_u64(n, v, 1, UINT32_MAX, &o->client_queue_max, err);
    return ds_err_set(err, DS_ERR_CONFIG, "--%s: unknown option (see dslab replay --help)", n);
}

static ds_status set_host(ds_replay_opts *o, const char *n, const char *v, ds_err *err) {
    uint64_t u;
    ds_status st;
    int c = 0;
    if (strcmp(n, "clock") == 0) return set_choice(n, v, "virtual", "real", &o->clock, err);
    if (strcmp(n, "backend") == 0) return set_choice(n, v, "fake", "file", &o->backend, err);
    if (strcmp(n, "backend-path") == 0) return copy_str(n, v, o->backend_path, DS_OPT_STR_MAX, err);
    if (strcmp(n, "save-log") == 0) return copy_str(n, v, o->save_log, DS_OPT_STR_MAX, err);
    if (strcmp(n, "fsync") == 0) {
        if ((st = set_choice(n, v, "never", "always", &c, err)) == DS_OK)
            o->fsync = c ? DS_FSYNC_ALWAYS : DS_FSYNC_NEVER;
        return st;
    }
    if (strcmp(n, "latency") == 0) return set_latency(o, n, v, -1, err);
    if (strcmp(n, "latency-get") == 0) return set_latency(o, n, v, DS_BOP_GET, err);
    if (strcmp(n, "latency-set") == 0) return set_latency(o, n, v, DS_BOP_SET, err);
    if (strcmp(n, "latency-del") == 0) return set_latency(o, n, v, DS_BOP_DEL, err);
    if (strcmp(n, "faults") == 0) return set_faults(o, v, err);
    if (strcmp(n, "io-threads") == 0) {
        if ((st = parse_u64(n, v, 1, 4096, &u, err)) == DS_OK) o->io_threads = (uint32_t)u;
        return st;
    }
    if (strcmp(n, "seed") == 0) return parse_u64(n, v, 0, UINT64_MAX, &o->seed, err);
    if (strcmp(n, "out") == 0) return copy_str(n, v, o->out, DS_OPT_STR_MAX, err);
    return set_host2(o, n, v, err);
}

static bool is_core_name(const ds_config *cfg, const char *name) {
    const char *n, *help;
    char buf[128];
    for (size_t i = 0; ds_config_describe(cfg, i, &n, buf, sizeof buf, &help); i++)
        if (strcmp(n, name) == 0) return true;
    return false;
}

static const cli_opt *find_host(const char *name) {
    for (size_t i = 0; i < NHOST; i++)
        if (strcmp(host_opts[i].name, name) == 0) return &host_opts[i];
    return NULL;
}

ds_status ds_cli_set(ds_replay_opts *o, const char *name, const char *value, ds_err *err) {
    if (!name || !*name) return ds_err_set(err, DS_ERR_CONFIG, "--: empty option name");
    if (strcmp(name, "no-oracle") == 0 && !value) return ds_cli_set(o, "oracle", "off", err);
    if (strcmp(name, "no-origin") == 0 && !value) return ds_cli_set(o, "origin", "off", err);
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
    if (!h)
        return ds_err_set(err, DS_ERR_CONFIG, "--%s: unknown option (see dslab replay --help)",
                          name);
    if (!value) {
        if (!h->valueless) return ds_err_set(err, DS_ERR_CONFIG, "--%s: missing value", name);
        value = "on";
    }
    return set_host(o, name, value, err);
}

/* Config file: "name value" per line, '#' starts a comment, blank lines ignored. A line with
 * only a name is a valueless flag ("closed"). */
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
        if (ds_cli_set(o, name, value, &e2) != DS_OK)
            st = ds_err_set(err, DS_ERR_CONFIG, "%s:%u: %s", path, lineno, e2.msg);
    }
    if (st == DS_OK && ferror(f))
        st = ds_err_set(err, DS_ERR_CONFIG, "--config: %s: read error", path);
    fclose(f);
    return st;
}

/* Does the next argv word belong to `name` as its value? Valueless flags take a value only
 * when it is an explicit on/off word. */
static bool takes_value(const char *name, const char *next) {
    if (strcmp(name, "no-oracle") == 0 || strcmp(name, "no-origin") == 0) return false;
    const cli_opt *h = find_host(name);
    if (!h || !h->valueless) return true;
    return next &&
           (strcmp(next, "on") == 0 || strcmp(next, "off") == 0 || strcmp(next, "auto") == 0);
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
        if (strcmp(a, "--config") == 0) {
            i++;
            continue;
        }
        if (strncmp(a, "--", 2) != 0 || strcmp(a, "-") == 0) {
            if (have_trace)
                return ds_err_set(err, DS_ERR_CONFIG,
                                  "replay: one trace expected, got "
                                  "'%s' and '%s'",
                                  o->trace, a);
            ds_status st = copy_str("trace", a, o->trace, DS_OPT_STR_MAX, err);
            if (st != DS_OK) return st;
            have_trace = true;
            continue;
        }
        char name[128];
        const char *eq = strchr(a + 2, '=');
        size_t nlen = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        if (nlen >= sizeof name) return ds_err_set(err, DS_ERR_CONFIG, "%s: unknown option", a);
        memcpy(name, a + 2, nlen);
        name[nlen] = 0;
        const char *value = eq ? eq + 1 : NULL;
        if (!eq && takes_value(name, i + 1 < argc ? argv[i + 1] : NULL)) {
            if (i + 1 >= argc) {
                if (!find_host(name) && !is_core_name(&o->core, name))
                    return ds_err_set(err, DS_ERR_CONFIG,
                                      "--%s: unknown option (see dslab "
                                      "replay --help)",
                                      name);
                return ds_err_set(err, DS_ERR_CONFIG, "--%s: missing value", name);
            }
            value = argv[++i];
        }
        ds_status st = ds_cli_set(o, name, value, err);
        if (st != DS_OK) return st;
    }
    if (!have_trace && !o->trace[0])
        return ds_err_set(err, DS_ERR_CONFIG,
                          "replay: missing TRACE argument (see dslab replay --help)");
    ds_err e2;
    if (ds_config_validate(&o->core, &e2) != DS_OK)
        return ds_err_set(err, DS_ERR_CONFIG, "--%s", e2.msg);
    return DS_OK;
}

static void host_value(const ds_replay_opts *o, const char *n, char *buf, size_t cap) {
    static const char *const onoff[] = {"off", "on"};
    buf[0] = 0;
    if (!strcmp(n, "clock"))
        snprintf(buf, cap, "%s", o->clock ? "real" : "virtual");
    else if (!strcmp(n, "backend"))
        snprintf(buf, cap, "%s", o->backend ? "file" : "fake");
    else if (!strcmp(n, "backend-path"))
        snprintf(buf, cap, "%s", o->backend_path[0] ? o->backend_path : "none");
    else if (!strcmp(n, "fsync"))
        snprintf(buf, cap, "%s", o->fsync ? "always" : "never");
    else if (!strcmp(n, "save-log"))
        snprintf(buf, cap, "%s", o->save_log);
    else if (!strcmp(n, "latency"))
        snprintf(buf, cap, "%s", o->latency[DS_BOP_GET]);
    else if (!strcmp(n, "latency-get"))
        snprintf(buf, cap, "%s", o->latency[DS_BOP_GET]);
    else if (!strcmp(n, "latency-set"))
        snprintf(buf, cap, "%s", o->latency[DS_BOP_SET]);
    else if (!strcmp(n, "latency-del"))
        snprintf(buf, cap, "%s", o->latency[DS_BOP_DEL]);
    else if (!strcmp(n, "faults"))
        snprintf(buf, cap, "%s", o->faults);
    else if (!strcmp(n, "io-threads"))
        snprintf(buf, cap, "%u", o->io_threads);
    else if (!strcmp(n, "seed"))
        snprintf(buf, cap, "%llu", (unsigned long long)o->seed);
    else if (!strcmp(n, "out"))
        snprintf(buf, cap, "%s", o->out[0] ? o->out : "auto");
    else if (!strcmp(n, "oracle"))
        snprintf(buf, cap, "%s", onoff[o->oracle]);
    else if (!strcmp(n, "format"))
        snprintf(buf, cap, "%s", o->format);
    else if (!strcmp(n, "csv-opts"))
        snprintf(buf, cap, "%s", o->csv_opts[0] ? o->csv_opts : "none");
    else if (!strcmp(n, "miss-is-set"))
        snprintf(buf, cap, "%s", onoff[o->miss_is_set]);
    else if (!strcmp(n, "origin"))
        snprintf(buf, cap, "%s", o->origin < 0 ? "auto" : onoff[o->origin]);
    else if (!strcmp(n, "speed")) {
        if (o->speed > 0)
            snprintf(buf, cap, "%g", o->speed);
        else
            snprintf(buf, cap, "max");
    } else if (!strcmp(n, "closed"))
        snprintf(buf, cap, "%s", onoff[o->closed]);
    else if (!strcmp(n, "think"))
        snprintf(buf, cap, "%lld", (long long)o->think_us);
    else if (!strcmp(n, "interval-ms"))
        snprintf(buf, cap, "%lld", (long long)o->interval_ms);
    else if (!strcmp(n, "client-queue-max"))
        snprintf(buf, cap, "%llu", (unsigned long long)o->client_queue_max);
    else if (!strcmp(n, "quiet"))
        snprintf(buf, cap, "%s", onoff[o->quiet]);
}

/* "latency" is an alias that sets the three per-op models, and "csv-opts"/"backend-path"
 * print "none" when unset; the listing skips "latency" so config.txt reloads exactly. */
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
        const char *hn = host_opts[i].name;
        if (!strcmp(hn, "latency") || !strcmp(hn, "out") || !strcmp(hn, "quiet")) continue;
        if (!strcmp(hn, "csv-opts") && !o->csv_opts[0]) continue;
        if (!strcmp(hn, "backend-path") && !o->backend_path[0]) continue;
        if (!strcmp(hn, "save-log") && !o->save_log[0]) continue;
        host_value(o, hn, buf + used, DS_CLI_EFFECTIVE_BUF - used);
        names[n] = hn;
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
            "  --no-oracle, --no-origin, --closed, --miss-is-set, --quiet: shorthands\n\n"
            "core options (default):\n",
            ds_trace_formats());
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
        host_value(&d, host_opts[i].name, buf, sizeof buf);
        fprintf(f, "  --%-20s %-14s %s\n", host_opts[i].name, buf, host_opts[i].help);
    }
}
