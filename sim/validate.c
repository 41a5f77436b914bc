/*
 * validate.c - `dslab validate`: the same trace and config replayed in real time on a real
 * backend (several runs, since real runs are noisy) and in virtual time with a calibration;
 * a table of metric, real (median), virtual, ratio, real spread, tolerance, verdict.
 *
 * Why a median of several real runs with their min and max: one real run on a shared machine
 * can be off by a factor of ten in its tail (a neighbour's burst, a journal commit), so a
 * single real number is not a reference. The verdict compares the virtual value with the real
 * median; the spread says how much of a disagreement the real runs themselves show.
 *
 * Tolerances (defaults from the issue that asked for this verb): counts (hit ratio, disk loads,
 * saves) 2%, throughput 10%, p50 and p99 latencies 25%. A latency within 2 us of the real value
 * also passes (LAT_SLACK_US): latencies are recorded with 1 us resolution, so a 1 us p50 against
 * a 2 us one is a resolution artefact, not a 50% error. p90 and p999 are printed, not judged.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "calibrate.h"
#include "csvfmt.h"
#include "csvtab.h"
#include "hostload.h"
#include "replay.h"

#define VAL_RUNS_MAX    15
#define VAL_PASS_MAX    96
#define VAL_PATH_MAX    4096
#define LAT_SLACK_US    2.0
#define VAL_METRICS_MAX 64

typedef enum { M_COUNT, M_RATE, M_LAT, M_INFO } metric_class;

typedef struct val_opts {
    const char *trace, *backend_path, *config, *out;
    char scratch[VAL_PATH_MAX]; /* BACKEND/dslab-validate-XXXXXX: every run's store, kept until
                                   the end (see one_run) */
    int runs;
    double tol[3];  /* counts, throughput, latency */
    ds_quiet quiet; /* --max-host-load, --quiet-wait, --retries (hostload.h) */
    FILE *runs_csv; /* OUT/runs.csv */
    bool keep;      /* --keep-stores on: the stores stay (see one_run) */
    const char *pass[VAL_PASS_MAX];
    int npass;
} val_opts;

static int usage(FILE *f) {
    fprintf(f,
            "usage: dslab validate TRACE --backend-path DIR --config CAL.conf [replay options]\n"
            "                      [--runs N] [--out DIR] [--tol-counts F] [--tol-throughput F]\n"
            "                      [--tol-latency F] [--max-host-load CORES] [--retries N]\n"
            "                      [--quiet-wait SECONDS]\n"
            "Replays TRACE --runs times (default 3) in real time on the file backend (a fresh\n"
            "store under DIR each time) and once in virtual time with the calibration, then\n"
            "writes OUT/validate.csv: metric,real,virtual,ratio,real_min,real_max,tolerance,ok.\n"
            "Exit 0 when every judged metric is within its tolerance, 1 otherwise, 2 on bad\n"
            "input. Defaults: counts 0.02, throughput 0.10, p50/p99 latency 0.25 (or 2 us).\n"
            "A real run during which other processes used more than --max-host-load cores\n"
            "(default 0.15, from /proc/stat) is not a sample of this machine: validate waits up\n"
            "to --quiet-wait seconds (default 120) for a quiet moment before each real run and\n"
            "repeats a busy one up to --retries times (default 3); OUT/runs.csv lists every\n"
            "attempt (run,attempt,wall_s,other_cores,steal_cores,accepted).\n"
            "--keep-stores on leaves the real runs' stores under DIR (deleting thousands of\n"
            "files makes the next run's file creations dearer on ext4 for a minute or more:\n"
            "scripts/validate-study.sh deletes them at its end).\n");
    return f == stdout ? 0 : 2;
}

static bool parse_frac(const char *v, double *out) {
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (errno || *end || !(d >= 0 && d <= 100)) return false;
    *out = d;
    return true;
}

static int parse_one(val_opts *o, const char *a, const char *v) {
    int rc;
    if (!strcmp(a, "--backend-path"))
        o->backend_path = v;
    else if (!strcmp(a, "--config"))
        o->config = v;
    else if (!strcmp(a, "--out"))
        o->out = v;
    else if (!strcmp(a, "--runs")) {
        char *end;
        long n = strtol(v, &end, 10);
        if (*end || n < 1 || n > VAL_RUNS_MAX)
            return fprintf(stderr, "dslab validate: --runs: expected 1..%d, got '%s'\n",
                           VAL_RUNS_MAX, v),
                   2;
        o->runs = (int)n;
    } else if (!strcmp(a, "--keep-stores")) {
        if (!ds_parse_bool(v, strlen(v), &o->keep))
            return fprintf(stderr, "dslab validate: %s: expected on or off, got '%s'\n", a, v), 2;
    } else if ((rc = ds_quiet_option(&o->quiet, "dslab validate", a, v)) != 1) {
        return rc;
    } else if (!strncmp(a, "--tol-", 6)) {
        int k = !strcmp(a, "--tol-counts")       ? 0
                : !strcmp(a, "--tol-throughput") ? 1
                : !strcmp(a, "--tol-latency")    ? 2
                                                 : -1;
        if (k < 0 || !parse_frac(v, &o->tol[k]))
            return fprintf(stderr, "dslab validate: %s: expected a fraction, got '%s'\n", a, v), 2;
    } else if (o->npass + 2 <= VAL_PASS_MAX) {
        o->pass[o->npass++] = a + 2;
        o->pass[o->npass++] = v;
    } else {
        return fprintf(stderr, "dslab validate: too many options\n"), 2;
    }
    return 0;
}

static int parse(val_opts *o, int argc, char **argv) {
    memset(o, 0, sizeof *o);
    o->runs = 3;
    o->quiet = DS_QUIET_DEFAULT;
    o->tol[0] = 0.02, o->tol[1] = 0.10, o->tol[2] = 0.25;
    o->out = "results/validate";
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) return usage(stdout), 1;
        if (strncmp(a, "--", 2) != 0) {
            if (o->trace) return fprintf(stderr, "dslab validate: %s: a second trace\n", a), 2;
            o->trace = a;
            continue;
        }
        if (i + 1 >= argc) return fprintf(stderr, "dslab validate: %s: missing value\n", a), 2;
        int rc = parse_one(o, a, argv[++i]);
        if (rc) return rc;
    }
    if (!o->trace) return fprintf(stderr, "dslab validate: missing TRACE (see --help)\n"), 2;
    if (!o->backend_path) return fprintf(stderr, "dslab validate: --backend-path is required\n"), 2;
    if (!o->config) return fprintf(stderr, "dslab validate: --config CAL.conf is required\n"), 2;
    struct stat sb;
    if (stat(o->backend_path, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return fprintf(stderr, "dslab validate: --backend-path: %s: %s\n", o->backend_path,
                       stat(o->backend_path, &sb) != 0 ? strerror(errno) : "not a directory"),
               2;
    return 0;
}

/* ---- the runs ------------------------------------------------------------------------------- */

/* Options of one run: the calibration, then the user's options, then what the mode fixes. */
static ds_status run_opts(const val_opts *v, bool real, const char *store, const char *out,
                          ds_replay_opts *r, ds_err *err) {
    ds_replay_opts_default(r);
    snprintf(r->trace, sizeof r->trace, "%s", v->trace);
    ds_status st = ds_cli_load_file(r, v->config, err);
    for (int i = 0; st == DS_OK && i < v->npass; i += 2)
        st = ds_cli_set(r, v->pass[i], v->pass[i + 1], err);
    if (st == DS_OK) st = ds_cli_set(r, "clock", real ? "real" : "virtual", err);
    if (st == DS_OK && real) st = ds_cli_set(r, "backend", "file", err);
    if (st == DS_OK && real) st = ds_cli_set(r, "backend-path", store, err);
    /* The real runs use the real device: none of the calibration's models. */
    if (st == DS_OK && real) st = ds_cli_set(r, "latency", "fixed:0", err);
    if (st == DS_OK && !real) st = ds_cli_set(r, "backend", "fake", err);
    if (st == DS_OK && !real) st = ds_cli_set(r, "io-latency", "on", err); /* terms.csv */
    if (st != DS_OK) return st;
    if (strlen(out) >= sizeof r->out) return ds_err_set(err, DS_ERR_ARG, "--out: path too long");
    memcpy(r->out, out, strlen(out) + 1);
    r->quiet = true;
    r->progress = false;
    return DS_OK;
}

static ds_status one_run(const val_opts *v, int i, ds_csvtab *sum, ds_err *err) {
    static ds_replay_opts r; /* large */
    char out[VAL_PATH_MAX], store[VAL_PATH_MAX] = "", path[VAL_PATH_MAX + 16];
    bool real = i > 0;
    if (real)
        snprintf(out, sizeof out, "%s/real-%d", v->out, i);
    else
        snprintf(out, sizeof out, "%s/virtual", v->out);
    /* Each real run gets a fresh store, and no store is deleted before the last run: on ext4
     * a file created within a minute or more of many deletions in its block group costs
     * several times the CPU (the inode allocator skips recently deleted inodes: kernel
     * profile, find_inode_bit / recently_deleted), so deleting run 1's store would slow run
     * 2's SAVEs (measured: SET CPU mean 52 us with no deletion before the run, 254 us right
     * after deleting two stores). */
    if (real) {
        if (snprintf(store, sizeof store, "%s/run-XXXXXX", v->scratch) >= (int)sizeof store ||
            !mkdtemp(store))
            return ds_err_set(err, DS_ERR_ARG, "--backend-path: %s: %s", v->scratch,
                              strerror(errno));
    }
    char sub[VAL_PATH_MAX + 8];
    snprintf(sub, sizeof sub, "%s/store", store);
    ds_status st = run_opts(v, real, sub, out, &r, err);
    ds_replay_result res;
    if (st == DS_OK) {
        fprintf(stderr, "dslab validate: %s run%s ...\n", real ? "real" : "virtual",
                real ? "" : " (calibrated)");
        st = ds_replay_run(&r, &res, err);
    }
    snprintf(path, sizeof path, "%s/summary.csv", out);
    if (st == DS_OK) st = ds_csvtab_read(path, sum, err);
    return st;
}

/* A real run on a quiet machine (hostload.h); every attempt is a row of runs.csv. */
typedef struct real_arg {
    const val_opts *v;
    int i;
    ds_csvtab *sum;
    ds_err *err;
    ds_status st;
} real_arg;

static int real_once(void *p) {
    real_arg *a = p;
    ds_csvtab_free(a->sum);
    a->st = one_run(a->v, a->i, a->sum, a->err);
    return a->st != DS_OK;
}

static ds_status real_run(const val_opts *v, int i, ds_csvtab *sum, ds_err *err) {
    real_arg a = {v, i, sum, err, DS_OK};
    double other;
    ds_hostload_quiet_run(&v->quiet, "dslab validate", i, v->runs_csv, real_once, &a, &other);
    return a.st;
}

/* ---- the table ------------------------------------------------------------------------------ */

typedef struct metric {
    char name[64];
    metric_class cls;
} metric;

static metric_class classify(const char *name) {
    if (!strcmp(name, "hit_ratio") || !strcmp(name, "disk_loads") || !strcmp(name, "disk_saves"))
        return M_COUNT;
    if (!strcmp(name, "throughput_rps")) return M_RATE;
    size_t n = strlen(name);
    bool lat = n > 3 && !strcmp(name + n - 3, "_us");
    if (lat && (strstr(name, "p50_") || strstr(name, "p99_"))) return M_LAT;
    return M_INFO;
}

/* The metrics to compare: fixed ones, then every per-op or intended/service latency
 * percentile column the summary has. */
static size_t pick_metrics(const ds_csvtab *s, metric *m) {
    static const char *const fixed[] = {"hit_ratio", "disk_loads", "disk_saves", "throughput_rps"};
    size_t n = 0;
    for (size_t i = 0; i < 4; i++) {
        snprintf(m[n].name, sizeof m[n].name, "%s", fixed[i]);
        m[n].cls = classify(fixed[i]);
        n++;
    }
    for (size_t c = 0; c < s->ncols && n < VAL_METRICS_MAX; c++) {
        const char *name = s->cells[c];
        size_t len = strlen(name);
        bool pct = strstr(name, "_p50_") || strstr(name, "_p90_") || strstr(name, "_p99_") ||
                   strstr(name, "_p999_") || !strncmp(name, "p50_", 4) || !strncmp(name, "p99_", 4);
        if (!pct || len < 4 || strcmp(name + len - 3, "_us") != 0) continue;
        if (strstr(name, "p9999")) continue;
        snprintf(m[n].name, sizeof m[n].name, "%s", name);
        m[n].cls = classify(name);
        n++;
    }
    return n;
}

static bool value_of(const ds_csvtab *s, const char *name, double *out) {
    if (strcmp(name, "throughput_rps") != 0) return ds_csvtab_num(s, 0, name, out);
    double req, secs;
    if (!ds_csvtab_num(s, 0, "requests", &req) || !ds_csvtab_num(s, 0, "sim_seconds", &secs))
        return false;
    *out = secs > 0 ? req / secs : 0;
    return true;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The median of r[0..n) (n > 0), which it sorts. */
static double median(double *r, int n) {
    qsort(r, (size_t)n, sizeof r[0], cmp_double);
    return n % 2 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2;
}

/* One row; returns 1 when judged and out of tolerance. */
static int row(FILE *f, const val_opts *v, const metric *m, const ds_csvtab *sum, int nreal) {
    double r[VAL_RUNS_MAX], virt;
    int n = 0;
    for (int i = 1; i <= nreal; i++)
        if (value_of(&sum[i], m->name, &r[n])) n++;
    if (n == 0 || !value_of(&sum[0], m->name, &virt)) return 0;
    double med = median(r, n); /* sorts r: r[0] and r[n - 1] are the spread */
    double ratio = med != 0 ? virt / med : (virt == 0 ? 1.0 : INFINITY);
    double tol = m->cls == M_COUNT ? v->tol[0] : m->cls == M_RATE ? v->tol[1] : v->tol[2];
    bool judged = m->cls != M_INFO;
    bool ok = !judged || fabs(ratio - 1) <= tol + 1e-12 ||
              (m->cls == M_LAT && fabs(virt - med) <= LAT_SLACK_US);
    char tols[32];
    if (judged)
        snprintf(tols, sizeof tols, "%.2f", tol);
    else
        snprintf(tols, sizeof tols, "-");
    fprintf(f, "%s,%.6g,%.6g,%.4f,%.6g,%.6g,%s,%s\n", m->name, med, virt, ratio, r[0], r[n - 1],
            tols,
            !judged ? "-"
            : ok    ? "yes"
                    : "no");
    printf("%-22s %12.6g %12.6g %8.3f %12.6g %12.6g %6s %4s\n", m->name, med, virt, ratio, r[0],
           r[n - 1], tols,
           !judged ? "-"
           : ok    ? "yes"
                   : "NO");
    return ok ? 0 : 1;
}

static int table(const val_opts *v, const ds_csvtab *sum) {
    char path[VAL_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/validate.csv", v->out);
    FILE *f = fopen(path, "w");
    if (!f) return fprintf(stderr, "dslab validate: %s: %s\n", path, strerror(errno)), 1;
    metric m[VAL_METRICS_MAX];
    size_t nm = pick_metrics(&sum[0], m);
    fputs("metric,real,virtual,ratio,real_min,real_max,tolerance,ok\n", f);
    printf("%-22s %12s %12s %8s %12s %12s %6s %4s\n", "metric", "real", "virtual", "ratio",
           "real_min", "real_max", "tol", "ok");
    int bad = 0;
    for (size_t i = 0; i < nm; i++)
        bad += row(f, v, &m[i], sum, v->runs);
    bool werr = ferror(f) != 0;
    if (fclose(f) != 0 || werr)
        return fprintf(stderr, "dslab validate: %s: write failed\n", path), 1;
    printf("%d metric(s) outside tolerance; table in %s\n", bad, path);
    return bad ? 1 : 0;
}

/* ---- where the time goes: the model's terms against the real runs' ------------------------ */

/* The q-quantile (upper bucket bound) of one kind of an io_latency.csv table; < 0 when
 * absent (an empty table: the file was missing). */
static double term_q(const ds_csvtab *t, const char *kind, double q) {
    int c_op = ds_csvtab_col(t, "op"), c_hi = ds_csvtab_col(t, "bucket_hi_us");
    int c_cum = ds_csvtab_col(t, "cum_fraction");
    for (size_t i = 0; c_op >= 0 && c_hi >= 0 && c_cum >= 0 && i < t->nrows; i++)
        if (!strcmp(ds_csvtab_get(t, i, c_op), kind) &&
            strtod(ds_csvtab_get(t, i, c_cum), NULL) >= q)
            return strtod(ds_csvtab_get(t, i, c_hi), NULL);
    return -1;
}

/* OUT/terms.csv and a short table: p50 and p99 of each io_latency.csv kind, the median of the
 * real runs beside the virtual run's. Not judged: it says which term to look at. */
static void terms(const val_opts *v) {
    static const char *const kinds[] = {"queue_wait",   "backend_get",       "backend_set",
                                        "service_get",  "service_set",       "handoff",
                                        "wakeup",       "worker_wakeup",     "main_runq",
                                        "main_preempt", "main_preempt_load", "main_preempt_save",
                                        "arrival_late"};
    static const double qs[] = {0.5, 0.99};
    char path[VAL_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/terms.csv", v->out);
    FILE *f = fopen(path, "w");
    if (!f) return;
    ds_csvtab t[VAL_RUNS_MAX + 1]; /* each run's io_latency.csv, read once; 0: virtual */
    memset(t, 0, sizeof t);
    for (int i = 0; i <= v->runs; i++) {
        if (i)
            snprintf(path, sizeof path, "%s/real-%d/io_latency.csv", v->out, i);
        else
            snprintf(path, sizeof path, "%s/virtual/io_latency.csv", v->out);
        ds_err err;
        if (ds_csvtab_read(path, &t[i], &err) != DS_OK) memset(&t[i], 0, sizeof t[i]);
    }
    fputs("term,quantile,real,virtual\n", f);
    printf("where the time goes (io_latency.csv, us; real: median of the runs):\n");
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        for (size_t j = 0; j < 2; j++) {
            double r[VAL_RUNS_MAX];
            int n = 0;
            for (int i = 1; i <= v->runs; i++) {
                double x = term_q(&t[i], kinds[k], qs[j]);
                if (x >= 0) r[n++] = x;
            }
            double virt = term_q(&t[0], kinds[k], qs[j]);
            if (n == 0 && virt < 0) continue;
            double med = n ? median(r, n) : -1;
            fprintf(f, "%s,p%g,%g,%g\n", kinds[k], qs[j] * 100, med, virt);
            printf("  %-12s p%-3g real %9.0f  virtual %9.0f\n", kinds[k], qs[j] * 100, med, virt);
        }
    fclose(f);
    for (int i = 0; i <= v->runs; i++)
        ds_csvtab_free(&t[i]);
}

int ds_main_validate(int argc, char **argv) {
    if (argc > 0) argc--, argv++; /* the verb */
    val_opts v;
    int rc = parse(&v, argc, argv);
    if (rc) return rc == 1 ? 0 : rc;
    ds_csvtab sum[VAL_RUNS_MAX + 1];
    memset(sum, 0, sizeof sum);
    ds_err err = {{0}};
    ds_status st = DS_OK;
    snprintf(v.scratch, sizeof v.scratch, "%s/dslab-validate-XXXXXX", v.backend_path);
    if (!mkdtemp(v.scratch)) {
        fprintf(stderr, "dslab validate: --backend-path: %s: %s\n", v.backend_path,
                strerror(errno));
        return 2;
    }
    char path[VAL_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/runs.csv", v.out);
    if (ds_mkdir_p(v.out, &err) == 0 && (v.runs_csv = fopen(path, "w")))
        fputs("run,attempt,wall_s,other_cores,steal_cores,accepted\n", v.runs_csv);
    else
        fprintf(stderr, "dslab validate: %s: %s\n", path, err.msg[0] ? err.msg : strerror(errno));
    for (int i = 0; i <= v.runs && st == DS_OK; i++) /* 0: virtual, 1..runs: real */
        st = i ? real_run(&v, i, &sum[i], &err) : one_run(&v, i, &sum[i], &err);
    if (v.runs_csv) fclose(v.runs_csv);
    if (v.keep)
        fprintf(stderr, "dslab validate: the stores are kept in %s\n", v.scratch);
    else
        ds_rm_tree(v.scratch);
    if (st == DS_OK) terms(&v);
    if (st == DS_OK) rc = table(&v, sum);
    for (int i = 0; i <= v.runs; i++)
        ds_csvtab_free(&sum[i]);
    if (st != DS_OK) {
        fprintf(stderr, "dslab validate: %s\n", err.msg);
        return st == DS_ERR_ARG || st == DS_ERR_CONFIG || st == DS_ERR_CORRUPT ? 2 : 1;
    }
    return rc;
}
