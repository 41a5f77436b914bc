/*
 * plot_sweep.c - `dslab plot SWEEP.csv --x COL --y COL[,COL...] [--series COL] [--facet COL]
 * [--logx] [--logy] [-o FILE.png|.svg|.pdf]`: one column of a sweep against another.
 * A --y column written COL:log gets a log y axis in its panels only.
 *
 * Why it aggregates: a sweep usually repeats each configuration with several seeds; a figure
 * that draws every seed is unreadable, and one that draws one seed hides the noise. Rows that
 * share (facet, series, x) become one point: the mean, with a 95% confidence interval from
 * Student's t (mean +- t(0.975, n-1) * sd / sqrt(n)) as error bars when n >= 2. The table
 * behind the picture is written next to it (FILE.data.csv), and so is the gnuplot script
 * (FILE.gp, self-contained: edit and rerun `gnuplot FILE.gp` for a paper's styling).
 *
 * Rows averaged together should differ only in their seed. When another config column (those
 * before `requests` in summary.csv) also differs inside a point, a note names it: the plot is
 * probably missing a --series or --facet.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"
#include "verbs_metrics.h"

double pl_t975(size_t df) {
    static const double t[] = {0,     12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365,
                               2.306, 2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
                               2.120, 2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069,
                               2.064, 2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
    if (df == 0) return NAN;
    if (df < sizeof t / sizeof t[0]) return t[df];
    if (df <= 40) return 2.021;
    if (df <= 60) return 2.000;
    if (df <= 120) return 1.980;
    return 1.960;
}

static int pl_usage(FILE *f) {
    fprintf(f, "usage: dslab plot RESULTS_DIR          latency.png and timeline.png of one run\n"
               "       dslab plot SWEEP.csv --x COL --y COL[,COL...] [--series COL] [--facet COL]\n"
               "                  [--logx] [--logy] [-o FILE.png|.svg|.pdf]\n"
               "  one curve per --series value, one row of panels per --facet value, one panel\n"
               "  per --y column (COL/COL divides two columns, COL:log gives that panel a log\n"
               "  y axis, --logy every panel); rows sharing a point (seeds) are\n"
               "  averaged, with 95%% Student-t confidence intervals as error bars; writes\n"
               "  FILE.data.csv (the aggregated table) and FILE.gp (the gnuplot script) too\n");
    return 2;
}

static int pl_bad(const char *fmt, const char *a, const char *b) {
    fprintf(stderr, "dslab: ");
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    return 2;
}

/* Parse flags into p (column names resolved later). Returns 0, 2 on bad input, -1 for help. */
static int pl_parse(pl_plot *p, int argc, char **argv, const char **ylist) {
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) return -1;
        if (!strcmp(a, "--logx") || !strcmp(a, "--logy")) {
            *(a[5] == 'x' ? &p->logx : &p->logy) = true;
            continue;
        }
        const char **dst = !strcmp(a, "--x")        ? &p->xname
                           : !strcmp(a, "--y")      ? ylist
                           : !strcmp(a, "--series") ? &p->series_name
                           : !strcmp(a, "--facet")  ? &p->facet_name
                                                    : NULL;
        bool out = !strcmp(a, "-o") || !strcmp(a, "--out");
        if (dst || out) {
            if (i + 1 >= argc || !argv[i + 1][0]) return pl_bad("%s: missing value%s", a, "");
            if (out && strlen(argv[i + 1]) >= sizeof p->out - 16)
                return pl_bad("%s: path too long%s", a, "");
            if (out)
                snprintf(p->out, sizeof p->out, "%s", argv[++i]);
            else
                *dst = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            return pl_bad("plot: %s: unknown option%s", a, "");
        } else if (!p->csv) {
            p->csv = a;
        } else {
            return pl_bad("plot: %s: unexpected argument%s", a, "");
        }
    }
    if (!p->xname) return pl_bad("--x: missing (the column for the x axis)%s%s", "", "");
    if (!*ylist) return pl_bad("--y: missing (the column(s) for the y axis)%s%s", "", "");
    return 0;
}

static int pl_col(const ds_csvtab *t, const char *opt, const char *name, const char *csv) {
    int c = ds_csvtab_col(t, name);
    if (c < 0) fprintf(stderr, "dslab: %s: no column '%s' in %s\n", opt, name, csv);
    return c;
}

/* Resolve --x, --series, --facet and every --y (COL or COL/COL). Returns 0 or 2. */
static int pl_columns(pl_plot *p, const ds_csvtab *t, const char *ylist) {
    if ((p->x = pl_col(t, "--x", p->xname, p->csv)) < 0) return 2;
    p->series = p->facet = -1;
    if (p->series_name && (p->series = pl_col(t, "--series", p->series_name, p->csv)) < 0) return 2;
    if (p->facet_name && (p->facet = pl_col(t, "--facet", p->facet_name, p->csv)) < 0) return 2;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", ylist);
    char *save = NULL;
    for (char *y = strtok_r(buf, ",", &save); y; y = strtok_r(NULL, ",", &save)) {
        if (p->nys == PL_MAX_Y) return pl_bad("--y: at most 8 columns%s%s", "", "");
        pl_y *py = &p->ys[p->nys++];
        snprintf(py->spec, sizeof py->spec, "%s", y);
        size_t n = strlen(py->spec);
        py->log = p->logy;
        if (n > 4 && !strcmp(py->spec + n - 4, ":log")) py->spec[n - 4] = 0, py->log = true;
        char *slash = strchr(py->spec, '/');
        char a[256];
        snprintf(a, sizeof a, "%.*s", slash ? (int)(slash - py->spec) : 255, py->spec);
        if ((py->a = pl_col(t, "--y", a, p->csv)) < 0) return 2;
        py->b = -1;
        if (slash && (py->b = pl_col(t, "--y", slash + 1, p->csv)) < 0) return 2;
    }
    return p->nys ? 0 : pl_bad("--y: missing (the column(s) for the y axis)%s%s", "", "");
}

static int pl_cmp_str(const void *a, const void *b) {
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    double dx, dy;
    if (ds_parse_f64(x, &dx) && ds_parse_f64(y, &dy)) return (dx > dy) - (dx < dy);
    return strcmp(x, y);
}

/* The distinct values of column c, sorted (numerically when both are numbers). */
static int pl_distinct(const ds_csvtab *t, int c, const char **vals, size_t *n, const char *opt) {
    *n = 0;
    if (c < 0) {
        vals[(*n)++] = "";
        return 0;
    }
    for (size_t r = 0; r < t->nrows; r++) {
        const char *v = ds_csvtab_get(t, r, c);
        size_t i = 0;
        while (i < *n && strcmp(vals[i], v) != 0)
            i++;
        if (i < *n) continue;
        if (*n == PL_MAX_VALS) return pl_bad("%s: more than 64 distinct values in '%s'", opt, v);
        vals[(*n)++] = v;
    }
    qsort(vals, *n, sizeof *vals, pl_cmp_str);
    return 0;
}

static size_t pl_index(const char **vals, size_t n, const char *v) {
    for (size_t i = 0; i < n; i++)
        if (!strcmp(vals[i], v)) return i;
    return 0;
}

typedef struct pl_row {
    size_t f, s, r;
    double x;
} pl_row;

static int pl_cmp_row(const void *a, const void *b) {
    const pl_row *x = a, *y = b;
    if (x->f != y->f) return x->f < y->f ? -1 : 1;
    if (x->s != y->s) return x->s < y->s ? -1 : 1;
    if (x->x != y->x) return x->x < y->x ? -1 : 1;
    return x->r < y->r ? -1 : x->r > y->r;
}

/* Every row's (facet, series, x), sorted; NULL after printing a message. */
static pl_row *pl_rows(pl_plot *p, const ds_csvtab *t) {
    pl_row *rows = calloc(t->nrows, sizeof *rows);
    if (!rows) return fprintf(stderr, "dslab: plot: out of memory\n"), NULL;
    for (size_t r = 0; r < t->nrows; r++) {
        const char *xv = ds_csvtab_get(t, r, p->x);
        rows[r].r = r;
        rows[r].f = p->facet < 0 ? 0 : pl_index(p->fvals, p->nf, ds_csvtab_get(t, r, p->facet));
        rows[r].s = p->series < 0 ? 0 : pl_index(p->svals, p->ns, ds_csvtab_get(t, r, p->series));
        if (!ds_parse_f64(xv, &rows[r].x) || (p->logx && rows[r].x <= 0)) {
            fprintf(stderr, "dslab: %s:%zu: --x column '%s': %s '%s'\n", p->csv, r + 2, p->xname,
                    p->logx ? "not a number > 0 (--logx)" : "not a number", xv);
            free(rows);
            return NULL;
        }
    }
    qsort(rows, t->nrows, sizeof *rows, pl_cmp_row);
    return rows;
}

/* y of one row: column a, or a / b; false when empty, not a number or b is 0. */
static bool pl_yval(const pl_y *y, const ds_csvtab *t, size_t r, double *out) {
    double a, b = 1;
    if (!ds_parse_f64(ds_csvtab_get(t, r, y->a), &a)) return false;
    if (y->b >= 0 && (!ds_parse_f64(ds_csvtab_get(t, r, y->b), &b) || b == 0)) return false;
    *out = a / b;
    return true;
}

/* One point from rows [lo, hi) for y k; false when no row has a value. */
static bool pl_stats(const pl_plot *p, const ds_csvtab *t, const pl_row *rows, size_t lo, size_t hi,
                     size_t k, pl_point *pt) {
    double sum = 0, ss = 0, v;
    *pt = (pl_point){.facet = rows[lo].f, .series = rows[lo].s, .y = k, .x = rows[lo].x};
    for (size_t i = lo; i < hi; i++) {
        if (!pl_yval(&p->ys[k], t, rows[i].r, &v)) continue;
        pt->min = pt->n ? fmin(pt->min, v) : v;
        pt->max = pt->n ? fmax(pt->max, v) : v;
        pt->n++;
        sum += v;
    }
    if (!pt->n) return false;
    pt->mean = sum / (double)pt->n;
    for (size_t i = lo; i < hi; i++)
        if (pl_yval(&p->ys[k], t, rows[i].r, &v)) ss += (v - pt->mean) * (v - pt->mean);
    pt->sd = pt->n > 1 ? sqrt(ss / (double)(pt->n - 1)) : 0;
    pt->half = pt->n > 1 ? pl_t975(pt->n - 1) * pt->sd / sqrt((double)pt->n) : 0;
    return true;
}

/* Config columns (before `requests`) other than x, series, facet and seed that differ between
 * rows averaged into one point: flags them in varied[]. */
static void pl_check_varied(const pl_plot *p, const ds_csvtab *t, const pl_row *rows, size_t lo,
                            size_t hi, bool *varied) {
    int req = ds_csvtab_col(t, "requests");
    size_t ncfg = req < 0 ? 0 : (size_t)req;
    for (size_t c = 0; c < ncfg; c++) {
        const char *name = t->cells[c]; /* the header */
        if ((int)c == p->x || (int)c == p->series || (int)c == p->facet || !strcmp(name, "seed") ||
            !strcmp(name, "trace_bytes"))
            continue;
        for (size_t i = lo + 1; i < hi && !varied[c]; i++)
            varied[c] = strcmp(ds_csvtab_get(t, rows[lo].r, (int)c),
                               ds_csvtab_get(t, rows[i].r, (int)c)) != 0;
    }
}

/* Group the sorted rows into points (every y of every group). Returns 0, or 1 on no memory. */
static int pl_aggregate(pl_plot *p, const ds_csvtab *t, const pl_row *rows) {
    p->pts = calloc(t->nrows * p->nys, sizeof *p->pts);
    bool *varied = calloc(t->ncols, sizeof *varied);
    if (!p->pts || !varied) return free(varied), fprintf(stderr, "dslab: plot: out of memory\n"), 1;
    for (size_t lo = 0, hi; lo < t->nrows; lo = hi) {
        hi = lo + 1;
        while (hi < t->nrows && rows[hi].f == rows[lo].f && rows[hi].s == rows[lo].s &&
               rows[hi].x == rows[lo].x)
            hi++;
        pl_check_varied(p, t, rows, lo, hi, varied);
        for (size_t k = 0; k < p->nys; k++)
            if (pl_stats(p, t, rows, lo, hi, k, &p->pts[p->npts])) {
                p->any_ci |= p->pts[p->npts].n > 1;
                p->npts++;
            }
        size_t j = 0;
        while (j < p->nxs && p->xs[j] != rows[lo].x)
            j++;
        if (j == p->nxs && p->nxs < sizeof p->xs / sizeof p->xs[0]) p->xs[p->nxs++] = rows[lo].x;
    }
    for (size_t c = 0; c < t->ncols; c++)
        if (varied[c])
            fprintf(stderr,
                    "dslab: plot: note: rows averaged into one point also differ in '%s' (add "
                    "--series or --facet %s?)\n",
                    t->cells[c], t->cells[c]);
    free(varied);
    return 0;
}

/* A CSV field, quoted when it needs to be. */
static void pl_csv_field(FILE *f, const char *s) {
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* FILE.data.csv: [facet,][series,]x,y,n,mean,sd,ci95_lo,ci95_hi,min,max per point. */
static int pl_write_data(const pl_plot *p) {
    FILE *f = fopen(p->data_path, "w");
    if (!f) return fprintf(stderr, "dslab: %s: %s\n", p->data_path, strerror(errno)), 1;
    if (p->facet >= 0) fprintf(f, "%s,", p->facet_name);
    if (p->series >= 0) fprintf(f, "%s,", p->series_name);
    fprintf(f, "%s,y,n,mean,sd,ci95_lo,ci95_hi,min,max\n", p->xname);
    for (size_t i = 0; i < p->npts; i++) {
        const pl_point *pt = &p->pts[i];
        if (p->facet >= 0) pl_csv_field(f, p->fvals[pt->facet]), fputc(',', f);
        if (p->series >= 0) pl_csv_field(f, p->svals[pt->series]), fputc(',', f);
        fprintf(f, "%.10g,", pt->x);
        pl_csv_field(f, p->ys[pt->y].spec);
        fprintf(f, ",%zu,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g\n", pt->n, pt->mean, pt->sd,
                pt->mean - pt->half, pt->mean + pt->half, pt->min, pt->max);
    }
    int bad = ferror(f);
    if (fclose(f) != 0) bad = 1;
    if (bad) fprintf(stderr, "dslab: %s: write failed\n", p->data_path);
    return bad;
}

/* Output paths: -o FILE (the extension picks the format), else SWEEP.<y>-vs-<x>.png beside the
 * CSV; FILE.data.csv and FILE.gp beside the picture. */
static int pl_paths(pl_plot *p, const char *ylist) {
    if (!p->out[0]) {
        const char *dot = strrchr(p->csv, '.'), *slash = strrchr(p->csv, '/');
        int stem = dot && (!slash || dot > slash) ? (int)(dot - p->csv) : (int)strlen(p->csv);
        char tag[512];
        snprintf(tag, sizeof tag, "%s-vs-%s", ylist, p->xname);
        for (char *c = tag; *c; c++)
            if (*c == '/' || *c == ',' || *c == ' ') *c = *c == ',' ? '+' : '_';
        snprintf(p->out, sizeof p->out, "%.*s.%.1000s.png", stem, p->csv, tag);
    }
    const char *ext = strrchr(p->out, '.');
    if (!ext || (strcmp(ext, ".png") && strcmp(ext, ".svg") && strcmp(ext, ".pdf")))
        return pl_bad("-o: %s: want a .png, .svg or .pdf file%s", p->out, "");
    int stem = (int)(ext - p->out);
    snprintf(p->data_path, sizeof p->data_path, "%.*s.data.csv", stem, p->out);
    snprintf(p->gp_path, sizeof p->gp_path, "%.*s.gp", stem, p->out);
    return 0;
}

/* Everything after the table is read; returns the exit code. */
static int pl_run(pl_plot *p, const ds_csvtab *t, const char *ylist) {
    int rc = pl_columns(p, t, ylist);
    if (!rc) rc = pl_distinct(t, p->facet, p->fvals, &p->nf, "--facet");
    if (!rc) rc = pl_distinct(t, p->series, p->svals, &p->ns, "--series");
    if (!rc) rc = pl_paths(p, ylist);
    if (rc) return rc;
    pl_row *rows = pl_rows(p, t);
    if (!rows) return 2;
    rc = pl_aggregate(p, t, rows);
    free(rows);
    if (rc) return rc;
    if (p->npts == 0) return pl_bad("--y: %s: no numeric value in any row of %s", ylist, p->csv);
    for (size_t i = 0; i < p->npts; i++)
        if (p->ys[p->pts[i].y].log && p->pts[i].mean <= 0)
            return pl_bad("--logy: %s has a mean <= 0 (no log axis for it)%s",
                          p->ys[p->pts[i].y].spec, "");
    if ((rc = pl_write_data(p)) != 0) return rc;
    if ((rc = pl_draw(p, t)) != 0) return rc;
    printf("dslab plot: %s (%zu points from %zu rows; table %s, script %s)\n", p->out, p->npts,
           t->nrows, p->data_path, p->gp_path);
    return 0;
}

int ds_plot_sweep(int argc, char **argv) {
    pl_plot *p = calloc(1, sizeof *p);
    if (!p) return fprintf(stderr, "dslab: plot: out of memory\n"), 1;
    const char *ylist = NULL;
    int rc = pl_parse(p, argc, argv, &ylist);
    if (rc == -1) {
        free(p);
        pl_usage(stdout);
        return 0;
    }
    ds_csvtab t = {0};
    ds_err err = {{0}};
    if (!rc && ds_csvtab_read(p->csv, &t, &err) != DS_OK) {
        fprintf(stderr, "dslab: %s\n", err.msg);
        rc = 2;
    } else if (!rc && t.nrows == 0) {
        fprintf(stderr, "dslab: %s:2: no data rows (an empty sweep?)\n", p->csv);
        rc = 2;
    } else if (!rc) {
        rc = pl_run(p, &t, ylist);
    }
    ds_csvtab_free(&t);
    free(p->pts);
    free(p);
    return rc;
}
