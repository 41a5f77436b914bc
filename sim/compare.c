/*
 * compare.c - `dslab compare RUN_DIR BASELINE_DIR [--tolerance 0.1] [--metrics a,b,...]`.
 *
 * Why: a regression check in CI must be one command with a meaningful exit code. Each metric
 * has a direction: latencies (columns ending in _us) and IO counts get worse when they grow,
 * hit_ratio and throughput when they shrink; stale_reads, lost_writes and errors are
 * correctness counters, so any increase over the baseline is a regression whatever the
 * tolerance. Other columns are shown for information only. A change is a regression when it
 * is worse by more than `tolerance` relative to the baseline (a zero baseline: any worsening).
 * Exit codes: 0 no regression, 1 regression, 2 bad input (the message names file and line).
 */
#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verbs_metrics.h"

#define DS_CMP_MAX_COLS    256
#define DS_CMP_MAX_METRICS 64
#define DS_CMP_FIELD_MAX   1024

static const char *const ds_cmp_default_metrics =
    "p50_us,p90_us,p99_us,p999_us,hit_ratio,stale_reads,lost_writes,errors";

/* One summary.csv: the header and its single data row. */
typedef struct ds_summary {
    char path[4200];
    size_t ncols[2];                /* fields in header, data row */
    char *cols[2][DS_CMP_MAX_COLS]; /* [0] header, [1] data row */
    size_t row;                     /* rows seen */
    bool too_wide;
} ds_summary;

static void ds_cmp_field(void *s, size_t len, void *data) {
    ds_summary *sm = data;
    if (sm->row > 1) return;
    size_t *n = &sm->ncols[sm->row];
    if (*n >= DS_CMP_MAX_COLS) {
        sm->too_wide = true;
        return;
    }
    if (len > DS_CMP_FIELD_MAX) len = DS_CMP_FIELD_MAX;
    char *f = malloc(len + 1);
    if (!f) return;
    memcpy(f, s, len);
    f[len] = '\0';
    sm->cols[sm->row][(*n)++] = f;
}

static void ds_cmp_row(int c, void *data) {
    (void)c;
    ((ds_summary *)data)->row++;
}

static void ds_summary_free(ds_summary *sm) {
    for (int r = 0; r < 2; r++)
        for (size_t i = 0; i < sm->ncols[r]; i++)
            free(sm->cols[r][i]);
}

/* Read DIR/summary.csv; prints one error line and returns -1 on bad input. */
static int ds_summary_read(ds_summary *sm, const char *dir) {
    memset(sm, 0, sizeof *sm);
    snprintf(sm->path, sizeof sm->path, "%s/summary.csv", dir);
    FILE *f = fopen(sm->path, "rb");
    if (!f) {
        fprintf(stderr, "dslab compare: %s: %s\n", sm->path, strerror(errno));
        return -1;
    }
    struct csv_parser p;
    csv_init(&p, CSV_APPEND_NULL);
    char buf[8192];
    size_t n;
    int bad = 0;
    while (!bad && (n = fread(buf, 1, sizeof buf, f)) > 0)
        bad = csv_parse(&p, buf, n, ds_cmp_field, ds_cmp_row, sm) != n;
    if (!bad) bad = csv_fini(&p, ds_cmp_field, ds_cmp_row, sm) != 0;
    bad = bad || ferror(f);
    csv_free(&p);
    fclose(f);
    const char *what = bad                            ? "malformed CSV"
                       : sm->too_wide                 ? "too many columns"
                       : sm->row < 2                  ? "expected a header and one data row"
                       : sm->ncols[0] != sm->ncols[1] ? "data row and header differ in columns"
                                                      : NULL;
    if (!what) return 0;
    fprintf(stderr, "dslab compare: %s:%zu: %s\n", sm->path, sm->row < 2 ? sm->row + 1 : 2, what);
    return -1;
}

/* Column index of name, or -1. */
static int ds_summary_col(const ds_summary *sm, const char *name) {
    for (size_t i = 0; i < sm->ncols[0]; i++)
        if (strcmp(sm->cols[0][i], name) == 0) return (int)i;
    return -1;
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
            "usage: dslab compare RUN_DIR BASELINE_DIR [--tolerance 0.1] "
            "[--metrics p99_us,hit_ratio,...]\n"
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
                fprintf(stderr, "dslab compare: %s: missing value\n",
                        tol ? "--tolerance" : "--metrics");
                return 2;
            }
        }
        if (tol) {
            char *end;
            o->tolerance = strtod(val, &end);
            if (end == val || *end || !(o->tolerance >= 0) || !isfinite(o->tolerance)) {
                fprintf(stderr, "dslab compare: --tolerance: bad value '%s' (want a number >= 0)\n",
                        val);
                return 2;
            }
        } else if (met) {
            if (strlen(val) >= sizeof o->metrics) {
                fprintf(stderr, "dslab compare: --metrics: list too long\n");
                return 2;
            }
            snprintf(o->metrics, sizeof o->metrics, "%s", val);
            o->explicit_metrics = true;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "dslab compare: %s: unknown option\n", a);
            return 2;
        } else if (npos < 2) {
            *(npos++ == 0 ? &o->run_dir : &o->base_dir) = a;
        } else {
            fprintf(stderr, "dslab compare: %s: unexpected argument\n", a);
            return 2;
        }
    }
    if (npos != 2) return ds_cmp_usage(stderr);
    return 0;
}

/* One table row; returns 1 for a regression, 0 otherwise, 2 for bad input. */
static int ds_cmp_metric(const ds_cmp_opts *o, const ds_summary *run, const ds_summary *base,
                         const char *name) {
    int cr = ds_summary_col(run, name), cb = ds_summary_col(base, name);
    if (cr < 0 || cb < 0) {
        if (!o->explicit_metrics) return 0; /* a default metric an older run lacks */
        fprintf(stderr, "dslab compare: %s:1: no column '%s'\n", cr < 0 ? run->path : base->path,
                name);
        return 2;
    }
    double vr = 0, vb = 0;
    int pr = ds_cmp_number(run->cols[1][cr], &vr), pb = ds_cmp_number(base->cols[1][cb], &vb);
    if (pr < 0 || pb < 0) {
        const ds_summary *s = pr < 0 ? run : base;
        fprintf(stderr, "dslab compare: %s:2: column '%s': not a number '%s'\n", s->path, name,
                s->cols[1][pr < 0 ? cr : cb]);
        return 2;
    }
    if (pr > 0 || pb > 0) {
        printf("%-26s %16s %16s %10s  %s\n", name, pb ? "n/a" : base->cols[1][cb],
               pr ? "n/a" : run->cols[1][cr], "", "n/a");
        return 0;
    }
    char change[32];
    if (vb != 0)
        snprintf(change, sizeof change, "%+.1f%%", (vr - vb) / fabs(vb) * 100.0);
    else
        snprintf(change, sizeof change, "%s", vr == 0 ? "+0.0%" : "new");
    const char *v = ds_cmp_verdict(ds_metric_dir(name), vb, vr, o->tolerance);
    printf("%-26s %16.6g %16.6g %10s  %s\n", name, vb, vr, change, v);
    return strcmp(v, "REGRESSION") == 0;
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
    ds_summary run, base;
    if (ds_summary_read(&run, o.run_dir) != 0) {
        ds_summary_free(&run);
        return 2;
    }
    if (ds_summary_read(&base, o.base_dir) != 0) {
        ds_summary_free(&run);
        ds_summary_free(&base);
        return 2;
    }
    printf("%-26s %16s %16s %10s  %s\n", "metric", "baseline", "run", "change", "verdict");
    int regressions = 0, bad = 0, n = 0;
    char *save = NULL;
    for (char *m = strtok_r(o.metrics, ",", &save); m && n < DS_CMP_MAX_METRICS;
         m = strtok_r(NULL, ",", &save), n++) {
        int r = ds_cmp_metric(&o, &run, &base, m);
        if (r == 2) bad = 1;
        if (r == 1) regressions++;
    }
    ds_summary_free(&run);
    ds_summary_free(&base);
    if (bad) return 2;
    printf("%d regression(s) beyond tolerance %g\n", regressions, o.tolerance);
    return regressions ? 1 : 0;
}
