/*
 * calibrate.c - `dslab calibrate`: measure a real backend and this host, write a config file
 * that makes virtual time charge what real runs spend.
 *
 * Why measure inside a replay and not with a micro-benchmark alone: the costs that make real
 * latencies differ from virtual ones (service time of each backend call under the real mix of
 * reads and writes, the core's CPU per command, the wake-up of the main thread when a job
 * finishes) depend on the access pattern and on the engine itself. So calibrate runs a short
 * real-clock replay on the real backend (a fixed workload, or the user's trace) and reads back
 * what that run measured about itself (io_latency.csv, core_cpu.csv: sim/iolat.h). Only the
 * device's concurrency needs a separate probe: K threads writing at once, K = 1, 2, 4, 8.
 *
 * The output is a config file `--config` loads: empirical hist: latency models (files beside
 * it, named relative to it), the core cost model, the device channels, the hand-off model, and
 * comments naming the machine, the date, the backend options and the dslab commit. Its first
 * option is `calibration-format`, so a file written by another format is refused (exit 2).
 */
#include "calibrate.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "calpool.h"
#include "csvfmt.h"
#include "csvtab.h"
#include "hostload.h"
#include "replay.h"
#include "version.h"

#define CAL_PATH_MAX     4096
#define CAL_NHIST        8    /* get, set, del, handoff, wakeup, worker wake-up, 2 preempt holds */
#define CAL_TMP_MAX      1024 /* the scratch directory; paths under it fit CAL_PATH_MAX */
#define CAL_PASS_MAX     64
#define CAL_RUNS_DEFAULT 3           /* replays pooled: one run's tails are too noisy (calpool.h) */
#define CAL_PROBE_NS     250000000LL /* per concurrency level */
#define CAL_PROBE_KEYS   256         /* keys each probe thread rewrites */
#define CAL_PROBE_VALUE  100         /* bytes per probe value */
#define CAL_PROBE_SHARE  0.9         /* channels = fewest threads reaching 90% of the best */
#define CAL_DEFAULT_TRACE                                                                          \
    "gen:uniform,keys=20000,requests=30000,clients=8,seed=11,mix=get:0.6/set:0.3/del:0.1,"         \
    "arrival=poisson:10000"

typedef struct cal_opts {
    const char *backend_path, *fsync, *io_threads, *trace, *out;
    ds_quiet quiet; /* --max-host-load, --quiet-wait, --retries (hostload.h) */
    bool keep;      /* --keep-store on: the scratch store stays (validate.c says why) */
    int runs;       /* --runs: replays pooled (calpool.h) */
    const char *pass[CAL_PASS_MAX]; /* further replay options, name/value pairs */
    int npass;
} cal_opts;

static int usage(FILE *f) {
    fprintf(f,
            "usage: dslab calibrate --backend-path DIR [--fsync never|always] [--io-threads N]\n"
            "                       [--trace TRACE] [replay options] -o CAL.conf\n"
            "Runs short real-clock replays on the file backend in fresh stores under DIR\n"
            "(removed afterwards) and probes the device's concurrency, then writes CAL.conf\n"
            "(load it with `dslab replay --config CAL.conf`) and beside it CAL.KIND.hist, one\n"
            "hist: model per measured term (get, set, del, handoff, wakeup, worker_wakeup,\n"
            "main_preempt_load, main_preempt_save).\n"
            "  --trace TRACE   calibrate on this trace instead of the built-in workload:\n"
            "                  %s\n"
            "  --runs N        replay it N times (1..10, default 3), each in its own store, and\n"
            "                  pool what they measured: one run's tails are too noisy\n"
            "  --max-host-load CORES, --quiet-wait S, --retries N\n"
            "                  as for dslab validate: the replay runs when other processes use\n"
            "                  at most CORES (default 0.15), waiting up to S s (120), and is\n"
            "                  repeated up to N times (3) when they used more meanwhile\n"
            "  --keep-store on  leave the replay's store under DIR (see dslab validate --help)\n"
            "  replay options  --name value pairs passed to the calibration replay\n",
            CAL_DEFAULT_TRACE);
    return f == stdout ? 0 : 2;
}

static int parse(cal_opts *o, int argc, char **argv) {
    memset(o, 0, sizeof *o);
    o->fsync = "never";
    o->io_threads = "4";
    o->quiet = DS_QUIET_DEFAULT;
    o->runs = CAL_RUNS_DEFAULT;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) return usage(stdout), 1;
        if (strncmp(a, "--", 2) != 0 && strcmp(a, "-o") != 0) {
            fprintf(stderr, "dslab calibrate: %s: unexpected argument (see --help)\n", a);
            return 2;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "dslab calibrate: %s: missing value\n", a);
            return 2;
        }
        const char *v = argv[++i];
        int rc;
        if (!strcmp(a, "-o") || !strcmp(a, "--out"))
            o->out = v;
        else if (!strcmp(a, "--backend-path"))
            o->backend_path = v;
        else if (!strcmp(a, "--fsync"))
            o->fsync = v;
        else if (!strcmp(a, "--io-threads"))
            o->io_threads = v;
        else if (!strcmp(a, "--trace"))
            o->trace = v;
        else if (!strcmp(a, "--runs")) {
            uint64_t u;
            if (!ds_parse_u64(v, strlen(v), &u) || u < 1 || u > DS_CALPOOL_MAX)
                return fprintf(stderr, "dslab calibrate: --runs: expected 1..%d, got '%s'\n",
                               DS_CALPOOL_MAX, v),
                       2;
            o->runs = (int)u;
        } else if (!strcmp(a, "--keep-store")) {
            if (!ds_parse_bool(v, strlen(v), &o->keep))
                return fprintf(stderr, "dslab calibrate: %s: expected on or off, got '%s'\n", a, v),
                       2;
        } else if ((rc = ds_quiet_option(&o->quiet, "dslab calibrate", a, v)) != 1) {
            if (rc) return rc;
        } else if (o->npass + 2 <= CAL_PASS_MAX)
            o->pass[o->npass++] = a + 2, o->pass[o->npass++] = v;
        else
            return fprintf(stderr, "dslab calibrate: too many options\n"), 2;
    }
    if (!o->backend_path)
        return fprintf(stderr, "dslab calibrate: --backend-path is required\n"), 2;
    if (!o->out) return fprintf(stderr, "dslab calibrate: -o CAL.conf is required\n"), 2;
    struct stat sb;
    if (stat(o->backend_path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "dslab calibrate: --backend-path: %s: %s\n", o->backend_path,
                stat(o->backend_path, &sb) != 0 ? strerror(errno) : "not a directory");
        return 2;
    }
    return 0;
}

/* snprintf that reports truncation as an error instead of cutting a path short. */
#define PATHF(buf, err, ...)                                                                       \
    (snprintf(buf, sizeof buf, __VA_ARGS__) >= (int)sizeof buf                                     \
         ? ds_err_set(err, DS_ERR_ARG, "path too long: %s", buf)                                   \
         : DS_OK)

/* ---- the calibration replay ----------------------------------------------------------------- */

static ds_status set_opt(ds_replay_opts *r, const char *name, const char *value, ds_err *err) {
    return ds_cli_set(r, name, value, err);
}

static ds_status run_replay(const cal_opts *o, const char *tmp, ds_replay_result *res,
                            ds_err *err) {
    static ds_replay_opts r; /* large */
    ds_replay_opts_default(&r);
    snprintf(r.trace, sizeof r.trace, "%s", o->trace ? o->trace : CAL_DEFAULT_TRACE);
    char store[CAL_PATH_MAX];
    ds_status st = PATHF(r.out, err, "%s/run", tmp);
    if (st == DS_OK) st = PATHF(store, err, "%s/store", tmp);
    if (st == DS_OK) st = set_opt(&r, "clock", "real", err);
    if (st == DS_OK) st = set_opt(&r, "backend", "file", err);
    if (st == DS_OK) st = set_opt(&r, "backend-path", store, err);
    if (st == DS_OK) st = set_opt(&r, "fsync", o->fsync, err);
    if (st == DS_OK) st = set_opt(&r, "io-threads", o->io_threads, err);
    if (st == DS_OK) st = set_opt(&r, "latency", "fixed:0", err);
    if (st == DS_OK && !o->trace) st = set_opt(&r, "cache-max-keys", "2000", err);
    if (st == DS_OK && !o->trace) st = set_opt(&r, "cache-flush-delay", "0", err);
    for (int i = 0; st == DS_OK && i < o->npass; i += 2)
        st = set_opt(&r, o->pass[i], o->pass[i + 1], err);
    if (st != DS_OK) return st;
    r.quiet = true;
    r.progress = false;
    return ds_replay_run(&r, res, err);
}

/* ---- the device probe ----------------------------------------------------------------------- */

typedef struct probe_arg {
    ds_backend *b;
    int id;
    int64_t deadline_ns;
    uint64_t ops;
    ds_status st;
} probe_arg;

static void *probe_thread(void *p) {
    probe_arg *a = p;
    char val[CAL_PROBE_VALUE];
    memset(val, 'v', sizeof val);
    ds_value *v = ds_value_new(val, sizeof val, 0, 0);
    if (!v) return a->st = DS_ERR_NOMEM, NULL;
    for (uint64_t i = 0; ds_mono_ns() < a->deadline_ns; i++) {
        char key[32];
        int kl = snprintf(key, sizeof key, "probe-%d-%llu", a->id,
                          (unsigned long long)(i % CAL_PROBE_KEYS));
        ds_call call = {0};
        ds_err e;
        a->b->ops->plan(a->b, DS_BOP_SET, key, (uint32_t)kl, &call);
        if ((a->st = a->b->ops->set(a->b, &call, key, (uint32_t)kl, v, &e)) != DS_OK) break;
        a->ops++;
    }
    ds_value_unref(v);
    return NULL;
}

/* Writes/s with k threads at once; < 0 on error. */
static double probe_level(ds_backend *b, int k) {
    pthread_t th[8];
    probe_arg a[8];
    int64_t t0 = ds_mono_ns();
    int started = 0;
    for (int i = 0; i < k; i++) {
        a[i] = (probe_arg){.b = b, .id = i, .deadline_ns = t0 + CAL_PROBE_NS};
        if (pthread_create(&th[i], NULL, probe_thread, &a[i]) != 0) break;
        started++;
    }
    uint64_t ops = 0;
    bool bad = started < k;
    for (int i = 0; i < started; i++) {
        pthread_join(th[i], NULL);
        ops += a[i].ops;
        bad = bad || a[i].st != DS_OK;
    }
    double secs = (double)(ds_mono_ns() - t0) / 1e9;
    return bad ? -1.0 : (double)ops / secs;
}

/* The fewest writer threads that reach CAL_PROBE_SHARE of the best throughput. */
static int probe_channels(const char *tmp, const char *fsync, double tput[4], ds_err *err) {
    char dir[CAL_PATH_MAX];
    if (PATHF(dir, err, "%s/probe", tmp) != DS_OK) return -1;
    ds_file_opts fo = {.fsync = strcmp(fsync, "always") == 0 ? DS_FSYNC_ALWAYS : DS_FSYNC_NEVER};
    ds_backend *b = ds_backend_file_open(dir, &fo, err);
    if (!b) return -1;
    static const int levels[4] = {1, 2, 4, 8};
    double best = 0;
    for (int i = 0; i < 4; i++) {
        tput[i] = probe_level(b, levels[i]);
        if (tput[i] < 0) {
            ds_backend_close(b);
            return ds_err_set(err, DS_ERR_IO, "%s: device probe: a write failed", dir), -1;
        }
        if (tput[i] > best) best = tput[i];
    }
    ds_backend_close(b);
    for (int i = 0; i < 4; i++)
        if (tput[i] >= CAL_PROBE_SHARE * best) return levels[i];
    return levels[3];
}

/* ---- the config file ------------------------------------------------------------------------ */

static void machine_line(FILE *f) {
    struct utsname u;
    char host[1024] = "?", cpu[256] = "?", line[512];
    if (uname(&u) == 0 && snprintf(host, sizeof host, "%s, %s %s %s", u.nodename, u.sysname,
                                   u.release, u.machine) < 0)
        host[0] = '\0';
    FILE *c = fopen("/proc/cpuinfo", "r");
    while (c && fgets(line, sizeof line, c))
        if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
            snprintf(cpu, sizeof cpu, "%s", strchr(line, ':') + 2);
            cpu[strcspn(cpu, "\n")] = '\0';
            break;
        }
    if (c) fclose(c);
    fprintf(f, "# machine: %s; %s; %ld CPUs\n", host, cpu, sysconf(_SC_NPROCESSORS_ONLN));
}

/* CAL.conf -> "CAL" (the prefix of the .hist files) and its base name. */
static void hist_names(const char *out, const char *kind, char *path, size_t cap, char *rel,
                       size_t rcap) {
    size_t n = strlen(out);
    if (n > 5 && !strcmp(out + n - 5, ".conf")) n -= 5;
    snprintf(path, cap, "%.*s.%s.hist", (int)n, out, kind);
    const char *slash = strrchr(path, '/');
    snprintf(rel, rcap, "%s", slash ? slash + 1 : path);
}

typedef struct cal_result {
    char rel[CAL_NHIST][CAL_PATH_MAX]; /* hist files by hist_kinds ("" = none) */
    uint64_t samples[CAL_NHIST];
    char costs[512];
    double harness_us;  /* main-thread CPU per request outside the core's calls */
    double other_cores; /* other processes' CPU during the replay (hostload.h) */
    ds_host_model host; /* host-cpu: cores, CPU share of get, set, del calls, preempt (0:
                           unmeasured without schedstat) */
    int runs;           /* replays pooled */
    int channels;
    double tput[4];
} cal_result;

/* service_*: the calls' own time (without the wait for a core, which host-cpu models; without
 * schedstat the wait reads as 0 and service_* equals backend_*). */
static const char *const hist_kinds[CAL_NHIST] = {
    "service_get", "service_set",   "service_del",       "handoff",
    "wakeup",      "worker_wakeup", "main_preempt_load", "main_preempt_save"};
static const char *const hist_opts[CAL_NHIST] = {
    "latency-get",    "latency-set",       "latency-del",          "handoff-latency",
    "wakeup-latency", "io-wakeup-latency", "preempt-load-latency", "preempt-save-latency"};
/* main_preempt_*: of the awake periods with a preemption only (preempt=P says how many) */
#define CAL_NONZERO(i) ((i) >= 6)

/* A model term this build's replay does not know is kept as a comment, so the file still
 * loads and the measurement is not lost. */
static void option_line(FILE *f, const char *name, const char *value) {
    static ds_replay_opts scratch; /* large */
    ds_replay_opts_default(&scratch);
    ds_err e;
    bool known = ds_cli_set(&scratch, name, value, &e) == DS_OK;
    fprintf(f, "%s%s %s\n", known ? "" : "# not modelled by this build: ", name, value);
}

static ds_status write_conf(const cal_opts *o, const cal_result *c, ds_err *err) {
    FILE *f = fopen(o->out, "w");
    if (!f) return ds_err_set(err, DS_ERR_ARG, "-o: %s: %s", o->out, strerror(errno));
    time_t now = time(NULL);
    char date[64];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    fprintf(f, "# dslab calibration (load with: dslab replay --config %s)\n", o->out);
    machine_line(f);
    fprintf(f, "# date: %s\n# dslab commit: %s\n", date, DSLAB_COMMIT);
    fprintf(f, "# backend: file, fsync %s, %s io threads; workload: %s\n", o->fsync, o->io_threads,
            o->trace ? o->trace : CAL_DEFAULT_TRACE);
    fprintf(f, "# device probe (writes/s with 1/2/4/8 threads): %.0f %.0f %.0f %.0f\n", c->tput[0],
            c->tput[1], c->tput[2], c->tput[3]);
    fprintf(f, "# harness CPU per request (core-cost-us harness; see calpool.c): %.3f us\n",
            c->harness_us);
    fprintf(f,
            "# replays pooled: %d; other processes during them: at most %.2f cores (limit %.2f)\n",
            c->runs, c->other_cores, o->quiet.max_cores);
    fprintf(f, "calibration-format %d\n", DS_CAL_FORMAT);
    for (int i = 0; i < CAL_NHIST; i++)
        if (c->rel[i][0]) fprintf(f, "%s hist:%s\n", hist_opts[i], c->rel[i]);
    char ch[16];
    snprintf(ch, sizeof ch, "%d", c->channels);
    if (c->costs[0]) option_line(f, "core-cost-us", c->costs);
    option_line(f, "disk-channels", ch);
    char hc[128];
    ds_host_model_format(&c->host, hc, sizeof hc);
    option_line(f, "host-cpu", hc);
    fprintf(f, "io-threads %s\nfsync %s\n", o->io_threads, o->fsync);
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) return ds_err_set(err, DS_ERR_IO, "%s: write failed", o->out);
    return DS_OK;
}

/* host-cpu: the host's cores and the share of each call's own time spent on one. */
static void host_shares(const ds_calpool *p, cal_result *c) {
    static const char *const cpu[3] = {"cpu_get", "cpu_set", "cpu_del"};
    static const char *const svc[3] = {"service_get", "service_set", "service_del"};
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    c->host.cpus = cpus > 0 ? (uint32_t)cpus : 1;
    for (int i = 0; i < 3; i++) {
        double m = ds_calpool_mean(p, svc[i], NULL, NULL),
               u = ds_calpool_mean(p, cpu[i], NULL, NULL);
        c->host.share[i] = m > 0 ? (u >= m ? 1.0 : u / m) : 0;
    }
    /* preempt (hostcpu.h): awake periods of the main thread in which an IO thread preempted
     * it, per IO thread wake-up (the main thread wakes one for each job it hands out) */
    uint64_t wakes, periods, preempted;
    ds_calpool_mean(p, "worker_wakeup", &wakes, NULL);
    ds_calpool_mean(p, "main_preempt", &periods, &preempted);
    c->host.preempt =
        wakes && periods ? (preempted >= wakes ? 1.0 : (double)preempted / (double)wakes) : 0;
}

/* One attempt of the calibration replay, in TMP/attempt-N: a repeated attempt starts from an
 * empty store without deleting the last one (validate.c says why deletions cost). dir: the
 * last attempt's directory, whose run/ the measurement reads. */
typedef struct replay_arg {
    const cal_opts *o;
    const char *tmp;
    ds_err *err;
    ds_status st;
    int attempt;
    char dir[CAL_PATH_MAX];
} replay_arg;

static int replay_once(void *p) {
    replay_arg *a = p;
    ds_replay_result res;
    a->st = PATHF(a->dir, a->err, "%s/attempt-%d", a->tmp, ++a->attempt);
    if (a->st == DS_OK && mkdir(a->dir, 0700) != 0)
        a->st = ds_err_set(a->err, DS_ERR_IO, "%s: %s", a->dir, strerror(errno));
    if (a->st == DS_OK) a->st = run_replay(a->o, a->dir, &res, a->err);
    return a->st != DS_OK;
}

/* The device probe, as an attempt of ds_hostload_quiet_run. */
typedef struct probe_run_arg {
    const cal_opts *o;
    const char *tmp;
    cal_result *c;
    ds_err *err;
} probe_run_arg;

static int probe_once(void *p) {
    probe_run_arg *a = p;
    a->c->channels = probe_channels(a->tmp, a->o->fsync, a->c->tput, a->err);
    return a->c->channels < 0;
}

/* The calibration replays: --runs of them, each on a quiet machine, their measurements pooled
 * (calpool.h says why). */
static ds_status replays(const cal_opts *o, const char *tmp, ds_calpool *pool, cal_result *c,
                         ds_err *err) {
    replay_arg ra = {.o = o, .tmp = tmp, .err = err};
    for (int run = 1; run <= o->runs; run++) {
        double other = 0;
        ds_hostload_quiet_run(&o->quiet, "dslab calibrate", run, NULL, replay_once, &ra, &other);
        if (other > c->other_cores) c->other_cores = other;
        if (ra.st != DS_OK) return ra.st;
        char dir[CAL_PATH_MAX];
        ds_status st = PATHF(dir, err, "%s/run", ra.dir);
        if (st == DS_OK) st = ds_calpool_add(pool, dir, err);
        if (st != DS_OK) return st;
    }
    c->runs = o->runs;
    return DS_OK;
}

static ds_status measure(const cal_opts *o, const char *tmp, cal_result *c, ds_err *err) {
    ds_calpool pool = {.n = 0};
    ds_status st = replays(o, tmp, &pool, c, err);
    for (int i = 0; i < CAL_NHIST && st == DS_OK; i++) {
        char hp[CAL_PATH_MAX];
        hist_names(o->out, hist_kinds[i] + (i < 3 ? 8 : 0), hp, sizeof hp, c->rel[i],
                   sizeof c->rel[i]);
        err->msg[0] = '\0';
        c->samples[i] = ds_calpool_write_hist(&pool, hist_kinds[i], CAL_NONZERO(i), hp, err);
        if (err->msg[0]) st = DS_ERR_IO;
        if (!c->samples[i]) c->rel[i][0] = '\0';
        if (!c->samples[i] && i < 3) /* the warm-up and the drain are not measured */
            fprintf(stderr,
                    "dslab calibrate: no %s call measured in the run phase: %s keeps its "
                    "default (a longer trace; for SAVEs before the drain, --cache-flush-delay "
                    "0)\n",
                    hist_kinds[i] + 8, hist_opts[i]);
    }
    if (st == DS_OK) {
        host_shares(&pool, c);
        ds_calpool_core_costs(&pool, c->costs, sizeof c->costs, &c->harness_us);
    }
    ds_calpool_free(&pool);
    if (st != DS_OK) return st;
    probe_run_arg pa = {o, tmp, c, err};
    double other; /* a busy machine flattens the probe's curve as much as a slow device */
    ds_hostload_quiet_run(&o->quiet, "dslab calibrate: device probe", 2, NULL, probe_once, &pa,
                          &other);
    return c->channels < 0 ? DS_ERR_IO : DS_OK;
}

static void report(const cal_opts *o, const cal_result *c) {
    printf("calibration written to %s\n", o->out);
    for (int i = 0; i < CAL_NHIST; i++)
        printf("  %-16s %s (%llu samples)\n", hist_opts[i], c->rel[i][0] ? c->rel[i] : "(none)",
               (unsigned long long)c->samples[i]);
    printf("  %-16s %s\n  %-16s %d (writes/s with 1/2/4/8 threads: %.0f %.0f %.0f %.0f)\n",
           "core-cost-us", c->costs, "disk-channels", c->channels, c->tput[0], c->tput[1],
           c->tput[2], c->tput[3]);
    char hc[128];
    ds_host_model_format(&c->host, hc, sizeof hc);
    printf("  %-16s %s (%d runs pooled; other processes: at most %.2f cores)\n", "host-cpu", hc,
           c->runs, c->other_cores);
}

int ds_main_calibrate(int argc, char **argv) {
    if (argc > 0) argc--, argv++; /* the verb */
    cal_opts o;
    int rc = parse(&o, argc, argv);
    if (rc) return rc == 1 ? 0 : rc;
    char tmp[CAL_TMP_MAX];
    ds_err perr;
    if (PATHF(tmp, &perr, "%s/dslab-calibrate-XXXXXX", o.backend_path) != DS_OK || !mkdtemp(tmp)) {
        fprintf(stderr, "dslab calibrate: --backend-path: %s: %s\n", o.backend_path,
                strerror(errno));
        return 2;
    }
    fprintf(stderr, "dslab calibrate: measuring in %s ...\n", tmp);
    cal_result c = {0};
    ds_err err = {{0}};
    ds_status st = measure(&o, tmp, &c, &err);
    if (st == DS_OK) st = write_conf(&o, &c, &err);
    if (o.keep)
        fprintf(stderr, "dslab calibrate: the store is kept in %s\n", tmp);
    else
        ds_rm_tree(tmp);
    if (st != DS_OK) {
        fprintf(stderr, "dslab calibrate: %s\n", err.msg);
        return st == DS_ERR_ARG || st == DS_ERR_CONFIG || st == DS_ERR_CORRUPT ? 2 : 1;
    }
    report(&o, &c);
    return 0;
}
