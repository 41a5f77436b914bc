/*
 * compare.c - `dslab compare RUN BASELINE [--tolerance 0.1] [--metrics a,b,...]`.
 *
 * RUN and BASELINE are each a results directory (its summary.csv is read) or a CSV file: a
 * summary.csv, or a sweep.csv of many rows. Two one-row tables compare metric by metric,
 * columns looked up by name (a default metric one side lacks is skipped, so a run still
 * compares with a baseline older than a new column). Tables of several rows (sweeps) compare
 * row by row: rows match when all their config columns (trace, trace_bytes and the options:
 * every column before `requests`) are equal; both files must have the same columns, and a row
 * without a partner is listed; no matching row at all is bad input.
 *
 * Why: a regression check in CI must be one command with a meaningful exit code. Each metric
 * has a direction: latencies (columns ending in _us) and IO counts get worse when they grow,
 * hit_ratio and throughput when they shrink; stale_reads, lost_writes and errors are
 * correctness counters, so any increase over the baseline is a regression whatever the
 * tolerance. Other columns are shown for information only. A change is a regression when it
 * is worse by more than `tolerance` relative to the baseline (a zero baseline: any worsening).
 * Exit codes: 0 no regression, 1 regression, 2 bad input (the message names file and line).
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csvtab.h"

#include "verbs_metrics.h"

#define DS_CMP_MAX_METRICS 64

static const char *const ds_cmp_default_metrics =
    "p50_us,p90_us,p99_us,p999_us,hit_ratio,stale_reads,lost_writes,errors";

/* One side: the table and the path it was read from. */
typedef struct ds_side {
    char path[4200];
    ds_csvtab t;
} ds_side;

/* Read ARG (a directory: ARG/summary.csv; else the file); one error line and -1 on bad input. */
static int ds_side_read(ds_side *sd, const char *arg) {
    struct stat sb;
    bool dir = stat(arg, &sb) == 0 && S_ISDIR(sb.st_mode);
    snprintf(sd->path, sizeof sd->path, dir ? "%s/summary.csv" : "%s", arg);
    ds_err err = {{0}};
    if (ds_csvtab_read(sd->path, &sd->t, &err) != DS_OK) {
        fprintf(stderr, "dslab: compare: %s\n", err.msg);
        return -1;
    }
    if (sd->t.nrows == 0) {
        fprintf(stderr, "dslab: compare: %s:2: no data rows\n", sd->path);
        return -1;
    }
    return 0;
}

typedef enum { DS_DIR_INFO, DS_DIR_HIGHER_WORSE, DS_DIR_LOWER_WORSE, DS_DIR_ANY_INCREASE } ds_dir;

static bool ds_ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static ds_dir ds_metric_dir(const char *name) {
    static const char *const any[] = {"stale_reads", "lost_writes", "errors", NULL};
    static const char *const higher[] = {"misses",
                                         "disk_loads",
                                         "disk_saves",
                                         "disk_dels",
                                         "evictions",
                                         "neg_evictions",
                                         "blocked_requests",
                                         "save_retries",
                                         "load_errors",
                                         "memory_limit_misses",
                                         "peak_memory_bytes",
                                         "wall_seconds",
                                         "sim_seconds",
                                         NULL};
    static const char *const lower[] = {
        "hit_ratio", "hits", "neg_hits", "saves_coalesced", "requests_per_wall_second", NULL};
    for (int i = 0; any[i]; i++)
        if (strcmp(name, any[i]) == 0) return DS_DIR_ANY_INCREASE;
    if (ds_ends_with(name, "_us")) return DS_DIR_HIGHER_WORSE;
    for (int i = 0; higher[i]; i++)
        if (strcmp(name, higher[i]) == 0) return DS_DIR_HIGHER_WORSE;
    for (int i = 0; lower[i]; i++)
        if (strcmp(name, lower[i]) == 0) return DS_DIR_LOWER_WORSE;
    return DS_DIR_INFO;
}

/* Parse a numeric field; empty means "not available" (returns 1); bad returns -1. */
static int ds_cmp_number(const char *s, double *out) {
    if (!s || !*s) return 1;
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(*out)) return -1;
    return 0;
}

/* "worse" > 0 when the run is worse than the baseline by that relative amount. */
static const char *ds_cmp_verdict(ds_dir d, double base, double run, double tol) {
    if (d == DS_DIR_INFO) return "info";
    if (run == base) return "ok";
    bool worse = d == DS_DIR_LOWER_WORSE ? run < base : run > base;
    if (!worse) return "better";
    if (d == DS_DIR_ANY_INCREASE) return "REGRESSION";
    double rel = fabs(run - base) / (base != 0 ? fabs(base) : 1.0);
    if (base == 0 || rel > tol) return "REGRESSION";
    return "ok";
}

typedef struct ds_cmp_opts {
    const char *run_dir, *base_dir;
    double tolerance;
    char metrics[2048];
    bool explicit_metrics;
} ds_cmp_opts;

static int ds_cmp_usage(FILE *f) {
    fprintf(f,
            "usage: dslab compare RUN BASELINE [--tolerance 0.1] "
            "[--metrics p99_us,hit_ratio,...]\n"
            "  RUN, BASELINE: results directories or CSV files (summary.csv, or sweep.csv:\n"
            "  rows matched by their config columns)\n"
            "  exit 0: no regression, 1: regression beyond tolerance, 2: bad input\n"
            "  default metrics: %s\n",
            ds_cmp_default_metrics);
    return 2;
}

/* Returns 0, or an exit code (2 bad input, -1 help printed). */
static int ds_cmp_parse(ds_cmp_opts *o, int argc, char **argv) {
    memset(o, 0, sizeof *o);
    o->tolerance = 0.1;
    snprintf(o->metrics, sizeof o->metrics, "%s", ds_cmp_default_metrics);
    int npos = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *val = NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) return -1;
        bool tol = strncmp(a, "--tolerance", 11) == 0 && (a[11] == '\0' || a[11] == '=');
        bool met = strncmp(a, "--metrics", 9) == 0 && (a[9] == '\0' || a[9] == '=');
        if (tol || met) {
            const char *eq = strchr(a, '=');
            val = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
            if (!val || !*val) {
                fprintf(stderr, "dslab: compare: %s: missing value\n",
                        tol ? "--tolerance" : "--metrics");
                return 2;
            }
        }
        if (tol) {
            char *end;
            o->tolerance = strtod(val, &end);
            if (end == val || *end || !(o->tolerance >= 0) || !isfinite(o->tolerance)) {
                fprintf(stderr,
                        "dslab: compare: --tolerance: bad value '%s' (want a number >= 0)\n", val);
                return 2;
            }
        } else if (met) {
            if (strlen(val) >= sizeof o->metrics) {
                fprintf(stderr, "dslab: compare: --metrics: list too long\n");
                return 2;
            }
            snprintf(o->metrics, sizeof o->metrics, "%s", val);
            o->explicit_metrics = true;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "dslab: compare: %s: unknown option\n", a);
            return 2;
        } else if (npos < 2) {
            *(npos++ == 0 ? &o->run_dir : &o->base_dir) = a;
        } else {
            fprintf(stderr, "dslab: compare: %s: unexpected argument\n", a);
            return 2;
        }
    }
    if (npos != 2) return ds_cmp_usage(stderr);
    return 0;
}

/* One metric of one row pair: prints "<prefix>metric baseline run change verdict"; returns 1
 * for a regression, 0 otherwise, 2 for bad input. */
static int ds_cmp_metric(const ds_cmp_opts *o, const ds_side *run, size_t rr, const ds_side *base,
                         size_t rb, const char *name, const char *prefix) {
    int cr = ds_csvtab_col(&run->t, name), cb = ds_csvtab_col(&base->t, name);
    if (cr < 0 || cb < 0) {
        if (!o->explicit_metrics) return 0; /* a default metric an older run lacks */
        fprintf(stderr, "dslab: compare: %s:1: no column '%s'\n", cr < 0 ? run->path : base->path,
                name);
        return 2;
    }
    const char *sr = ds_csvtab_get(&run->t, rr, cr), *sb = ds_csvtab_get(&base->t, rb, cb);
    double vr = 0, vb = 0;
    int pr = ds_cmp_number(sr, &vr), pb = ds_cmp_number(sb, &vb);
    if (pr < 0 || pb < 0) {
        const ds_side *s = pr < 0 ? run : base;
        fprintf(stderr, "dslab: compare: %s:%zu: column '%s': not a number '%s'\n", s->path,
                (pr < 0 ? rr : rb) + 2, name, pr < 0 ? sr : sb);
        return 2;
    }
    if (pr > 0 || pb > 0) {
        printf("%s%-26s %16s %16s %10s  %s\n", prefix, name, pb ? "n/a" : sb, pr ? "n/a" : sr, "",
               "n/a");
        return 0;
    }
    char change[32];
    if (vb != 0)
        snprintf(change, sizeof change, "%+.1f%%", (vr - vb) / fabs(vb) * 100.0);
    else
        snprintf(change, sizeof change, "%s", vr == 0 ? "+0.0%" : "new");
    const char *v = ds_cmp_verdict(ds_metric_dir(name), vb, vr, o->tolerance);
    printf("%s%-26s %16.6g %16.6g %10s  %s\n", prefix, name, vb, vr, change, v);
    return strcmp(v, "REGRESSION") == 0;
}

/* Every metric of one row pair; adds to *regressions, returns 2 on bad input, else 0. */
static int ds_cmp_rows(const ds_cmp_opts *o, const ds_side *run, size_t rr, const ds_side *base,
                       size_t rb, const char *prefix, int *regressions) {
    char list[sizeof o->metrics];
    snprintf(list, sizeof list, "%s", o->metrics);
    int bad = 0, n = 0;
    char *save = NULL;
    for (char *m = strtok_r(list, ",", &save); m && n < DS_CMP_MAX_METRICS;
         m = strtok_r(NULL, ",", &save), n++) {
        int r = ds_cmp_metric(o, run, rr, base, rb, m, prefix);
        if (r == 2) bad = 1;
        if (r == 1) (*regressions)++;
    }
    return bad ? 2 : 0;
}

/* Columns before `requests`: the trace and the config, which identify a sweep point. */
static size_t ds_cfg_cols(const ds_csvtab *t) {
    int c = ds_csvtab_col(t, "requests");
    return c < 0 ? t->ncols : (size_t)c;
}

/* Sweeps must have the same header; a line naming the first difference, 2, otherwise 0. */
static int ds_cmp_headers(const ds_side *run, const ds_side *base) {
    for (size_t c = 0; c < run->t.ncols || c < base->t.ncols; c++) {
        const char *a = c < run->t.ncols ? run->t.cells[c] : NULL;
        const char *b = c < base->t.ncols ? base->t.cells[c] : NULL;
        if (a && b && !strcmp(a, b)) continue;
        fprintf(stderr,
                "dslab: compare: %s and %s have different columns (column %zu: '%s' vs '%s')\n",
                run->path, base->path, c + 1, a ? a : "(none)", b ? b : "(none)");
        return 2;
    }
    return 0;
}

static bool ds_same_point(const ds_side *x, size_t rx, const ds_side *y, size_t ry, size_t ncfg) {
    for (size_t c = 0; c < ncfg; c++)
        if (strcmp(ds_csvtab_get(&x->t, rx, (int)c), ds_csvtab_get(&y->t, ry, (int)c)) != 0)
            return false;
    return true;
}

/* "name=value ..." of the config columns that vary across base's rows (the point's name). */
static void ds_point_name(const ds_side *sd, size_t r, size_t ncfg, char *buf, size_t cap) {
    size_t used = 0;
    buf[0] = 0;
    for (size_t c = 0; c < ncfg && used < cap; c++) {
        bool varies = false;
        for (size_t i = 1; i < sd->t.nrows && !varies; i++)
            varies = strcmp(ds_csvtab_get(&sd->t, i, (int)c), ds_csvtab_get(&sd->t, 0, (int)c));
        if (!varies) continue;
        int n = snprintf(buf + used, cap - used, "%s%s=%s", used ? " " : "", sd->t.cells[c],
                         ds_csvtab_get(&sd->t, r, (int)c));
        used += n > 0 ? (size_t)n : 0;
    }
}

/* A duplicate point in one file is bad input (which row would it match?). */
static int ds_cmp_unique(const ds_side *sd, size_t ncfg) {
    for (size_t i = 0; i < sd->t.nrows; i++)
        for (size_t j = i + 1; j < sd->t.nrows; j++)
            if (ds_same_point(sd, i, sd, j, ncfg)) {
                fprintf(stderr, "dslab: compare: %s:%zu: same config columns as line %zu\n",
                        sd->path, j + 2, i + 2);
                return 2;
            }
    return 0;
}

/* Sweep against sweep: row by row, matched on the config columns. */
static int ds_cmp_sweeps(const ds_cmp_opts *o, const ds_side *run, const ds_side *base,
                         int *regressions) {
    int rc = ds_cmp_headers(run, base);
    size_t ncfg = ds_cfg_cols(&base->t), matched = 0;
    if (!rc) rc = ds_cmp_unique(run, ncfg);
    if (!rc) rc = ds_cmp_unique(base, ncfg);
    if (rc) return rc;
    char name[1024], prefix[8];
    for (size_t rb = 0; rb < base->t.nrows && !rc; rb++) {
        ds_point_name(base, rb, ncfg, name, sizeof name);
        size_t rr = 0;
        while (rr < run->t.nrows && !ds_same_point(run, rr, base, rb, ncfg))
            rr++;
        if (rr == run->t.nrows) {
            printf("[%s] only in %s\n", name, base->path);
            continue;
        }
        matched++;
        printf("[%s]\n", name);
        snprintf(prefix, sizeof prefix, "  ");
        rc = ds_cmp_rows(o, run, rr, base, rb, prefix, regressions);
    }
    for (size_t rr = 0; rr < run->t.nrows && !rc; rr++) {
        size_t rb = 0;
        while (rb < base->t.nrows && !ds_same_point(run, rr, base, rb, ncfg))
            rb++;
        if (rb < base->t.nrows) continue;
        ds_point_name(run, rr, ncfg, name, sizeof name);
        printf("[%s] only in %s\n", name, run->path);
    }
    if (!rc && matched == 0) {
        fprintf(stderr, "dslab: compare: no row of %s has the config of a row of %s\n", run->path,
                base->path);
        return 2;
    }
    if (!rc) printf("%zu of %zu point(s) matched\n", matched, base->t.nrows);
    return rc;
}

int ds_main_compare(int argc, char **argv) {
    if (argc > 0 && strcmp(argv[0], "compare") == 0) {
        argc--;
        argv++;
    }
    ds_cmp_opts o;
    int rc = ds_cmp_parse(&o, argc, argv);
    if (rc == -1) {
        ds_cmp_usage(stdout);
        return 0;
    }
    if (rc != 0) return rc;
    ds_side run = {0}, base = {0};
    if (ds_side_read(&run, o.run_dir) != 0 || ds_side_read(&base, o.base_dir) != 0) {
        ds_csvtab_free(&run.t);
        ds_csvtab_free(&base.t);
        return 2;
    }
    printf("%-26s %16s %16s %10s  %s\n", "metric", "baseline", "run", "change", "verdict");
    int regressions = 0;
    if (run.t.nrows == 1 && base.t.nrows == 1)
        rc = ds_cmp_rows(&o, &run, 0, &base, 0, "", &regressions);
    else
        rc = ds_cmp_sweeps(&o, &run, &base, &regressions);
    ds_csvtab_free(&run.t);
    ds_csvtab_free(&base.t);
    if (rc) return rc;
    printf("%d regression(s) beyond tolerance %g\n", regressions, o.tolerance);
    return regressions ? 1 : 0;
}
