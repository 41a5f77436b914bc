/*
 * plot_gp.c - the gnuplot side of `dslab plot SWEEP.csv`: axis labels with units taken from
 * column names, legend and tic values in readable units, and a self-contained script (the
 * points are inline data blocks) that gnuplot runs into PNG, SVG or PDF.
 *
 * Units: summary.csv names carry them (`_us`, `_ms`, `_seconds`, `_bytes`, `_rps`, ratios);
 * config options are known by name (cache-flush-delay and the other delays are ms,
 * cache-max-memory is bytes, think is us). Sizes print as KiB/MiB/GiB.
 * Series sharing an x are drawn slightly apart ("dodged") when they have error bars, so the
 * bars do not hide each other; FILE.data.csv keeps the true x.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot_int.h"

static bool pl_ends(const char *s, const char *suf) {
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && !strcmp(s + n - m, suf);
}

const char *pl_unit(const char *col) {
    static const char *const ms[] = {"cache-flush-delay", "save-retry-backoff", "save-retry-max",
                                     "interval-ms", NULL};
    for (int i = 0; ms[i]; i++)
        if (!strcmp(col, ms[i])) return "ms";
    if (pl_ends(col, "_us") || !strcmp(col, "think")) return "µs";
    if (pl_ends(col, "_ms")) return "ms";
    if (pl_ends(col, "_seconds")) return "s";
    if (pl_ends(col, "_bytes") || !strcmp(col, "cache-max-memory") || !strcmp(col, "trace_bytes"))
        return "bytes";
    if (pl_ends(col, "_rps") || pl_ends(col, "_per_wall_second")) return "1/s";
    return "";
}

/* col without its unit suffix, '_' as spaces. */
static void pl_words(const char *col, char *buf, size_t cap) {
    static const char *const sufs[] = {"_us", "_ms", "_seconds", "_bytes", "_rps", NULL};
    size_t n = strlen(col);
    for (int i = 0; sufs[i]; i++)
        if (pl_ends(col, sufs[i]) && n > strlen(sufs[i])) {
            n -= strlen(sufs[i]);
            break;
        }
    snprintf(buf, cap, "%.*s", (int)n, col);
    for (char *c = buf; *c; c++)
        if (*c == '_') *c = ' ';
}

/* Latency columns: "get_p99_us" -> "GET p99 latency", "p50_us" -> "p50 latency (all ops)". */
static bool pl_latency_words(const char *col, char *buf, size_t cap) {
    static const char *const ops[] = {"get", "set", "del", "exists", "mget", "exec", NULL};
    if (!pl_ends(col, "_us")) return false;
    char op[16] = "";
    const char *q = col;
    for (int i = 0; ops[i]; i++) {
        size_t m = strlen(ops[i]);
        if (!strncmp(col, ops[i], m) && col[m] == '_') {
            for (size_t k = 0; k <= m; k++)
                op[k] = k < m ? (char)(ops[i][k] - 'a' + 'A') : 0;
            q = col + m + 1;
        }
    }
    int digits = 0;
    if (q[0] == 'p') sscanf(q + 1, "%*[0-9]%n", &digits);
    bool pct = digits > 0 && !strcmp(q + 1 + digits, "_us");
    bool mean = !strcmp(q, "mean_us"), max = !strcmp(q, "max_us");
    if (!pct && !mean && !max) return false;
    const char *what = pct ? q : mean ? "mean" : "max";
    int len = pct ? digits + 1 : (int)strlen(what);
    snprintf(buf, cap, "%s%s%.*s latency%s", op, op[0] ? " " : "", len, what,
             op[0] ? "" : " (all ops)");
    return true;
}

void pl_label(const char *col, char *buf, size_t cap) {
    const char *slash = strchr(col, '/');
    char a[256], b[256], wa[256], wb[256];
    if (slash) { /* A/B: "disk saves per second (sim time)", or "A / B (uA/uB)" */
        snprintf(a, sizeof a, "%.*s", (int)(slash - col), col);
        snprintf(b, sizeof b, "%s", slash + 1);
        pl_words(a, wa, sizeof wa);
        pl_words(b, wb, sizeof wb);
        const char *ua = pl_unit(a), *ub = pl_unit(b);
        if (!strcmp(ub, "s"))
            snprintf(buf, cap, "%s per second, %s time (%s/s)", wa, wb, ua[0] ? ua : "1");
        else if (ub[0] || ua[0])
            snprintf(buf, cap, "%s / %s (%s/%s)", wa, wb, ua[0] ? ua : "1", ub[0] ? ub : "1");
        else
            snprintf(buf, cap, "%s / %s", wa, wb);
        return;
    }
    const char *u = pl_unit(col);
    if (!pl_latency_words(col, wa, sizeof wa)) pl_words(col, wa, sizeof wa);
    if (u[0])
        snprintf(buf, cap, "%s (%s)", wa, u);
    else
        snprintf(buf, cap, "%s", wa);
}

void pl_fmt_value(const char *col, double v, char *buf, size_t cap) {
    static const char *const bin[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    if (strcmp(pl_unit(col), "bytes") != 0 || fabs(v) < 1024) {
        snprintf(buf, cap, "%g%s", v, strcmp(pl_unit(col), "bytes") ? "" : " B");
        return;
    }
    int i = 0;
    while (i < 4 && fabs(v) >= 1024) {
        v /= 1024;
        i++;
    }
    snprintf(buf, cap, "%.3g %s", v, bin[i]);
}

/* A gnuplot single-quoted string: a quote is doubled. */
static void pl_gq(FILE *f, const char *s) {
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'') fputc('\'', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}

/* The x drawn for series s: apart from the other series when error bars would overlap. */
static double pl_dodge(const pl_plot *p, double x, size_t s) {
    if (!p->any_ci || p->ns < 2 || p->nxs < 2) return x;
    double lo = p->xs[0], hi = p->xs[0];
    for (size_t i = 1; i < p->nxs; i++)
        lo = fmin(lo, p->xs[i]), hi = fmax(hi, p->xs[i]);
    double k = ((double)s - (double)(p->ns - 1) / 2) * 0.012;
    return p->logx ? x * pow(hi / lo, k) : x + (hi - lo) * k;
}

/* Latency columns are drawn in the unit that fits their largest value: µs, ms above 10,000 µs,
 * s above 10,000,000 µs (the table keeps µs). Returns the divisor and sets *unit. */
static double pl_scale(const pl_plot *p, size_t k, const char **unit) {
    *unit = pl_unit(p->ys[k].spec);
    if (strcmp(*unit, "µs") != 0) return 1;
    double hi = 0;
    for (size_t i = 0; i < p->npts; i++)
        if (p->pts[i].y == k) hi = fmax(hi, fabs(p->pts[i].mean) + p->pts[i].half);
    if (hi >= 1e7) return *unit = "s", 1e6;
    if (hi >= 1e4) return *unit = "ms", 1e3;
    return 1;
}

/* The y range of a log panel: the means and the positive interval ends, with some air. */
static void pl_log_range(const pl_plot *p, size_t k, double *lo, double *hi) {
    *lo = INFINITY, *hi = 0;
    for (size_t i = 0; i < p->npts; i++) {
        const pl_point *pt = &p->pts[i];
        if (pt->y != k) continue;
        double l = pt->mean - pt->half > 0 ? pt->mean - pt->half : pt->mean;
        *lo = fmin(*lo, l);
        *hi = fmax(*hi, pt->mean + pt->half);
    }
    *lo /= 2, *hi *= 2;
}

/* One data block per curve: $c_F_Y_S with "x mean lo hi" lines. */
static void pl_blocks(FILE *f, const pl_plot *p) {
    for (size_t fi = 0; fi < p->nf; fi++)
        for (size_t k = 0; k < p->nys; k++)
            for (size_t s = 0; s < p->ns; s++) {
                fprintf(f, "$c_%zu_%zu_%zu << EOD\n", fi, k, s);
                const char *unit;
                double d = pl_scale(p, k, &unit);
                for (size_t i = 0; i < p->npts; i++) {
                    const pl_point *pt = &p->pts[i];
                    if (pt->facet != fi || pt->y != k || pt->series != s) continue;
                    double lo = pt->mean - pt->half, ymin, ymax;
                    if (p->ys[k].log && lo <= 0) { /* a bar below 0 runs off the log axis */
                        pl_log_range(p, k, &ymin, &ymax);
                        lo = ymin / 10;
                    }
                    fprintf(f, "%.10g %.10g %.10g %.10g\n", pl_dodge(p, pt->x, s), pt->mean / d,
                            lo / d, (pt->mean + pt->half) / d);
                }
                fprintf(f, "EOD\n");
            }
}

static void pl_terminal(FILE *f, const pl_plot *p) {
    const char *ext = strrchr(p->out, '.');
    size_t w = 560 * p->nys, h = 420 * p->nf + 40;
    if (!strcmp(ext, ".svg"))
        fprintf(f, "set terminal svg size %zu,%zu dynamic font 'DejaVu Sans,11' noenhanced\n", w,
                h);
    else if (!strcmp(ext, ".pdf"))
        fprintf(f,
                "set terminal pdfcairo size %.2fin,%.2fin font 'DejaVu Sans,7' linewidth 0.7 "
                "noenhanced\n",
                (double)w / 80, (double)h / 80);
    else
        fprintf(f, "set terminal pngcairo size %zu,%zu font 'DejaVu Sans,10' noenhanced\n", w, h);
    fprintf(f, "set output ");
    pl_gq(f, p->out);
    fprintf(f, "\n");
}

/* Axis setup shared by every panel: labels, the swept x values as tics, log scales. */
static void pl_axes(FILE *f, const pl_plot *p) {
    char buf[512];
    pl_label(p->xname, buf, sizeof buf);
    fprintf(f, "set xlabel ");
    pl_gq(f, buf);
    fprintf(f, "\nset grid lc rgb '#dddddd'\nset offsets graph 0.04, graph 0.04, graph 0.06, "
               "graph 0.06\n");
    if (p->logx) fprintf(f, "set logscale x\n");
    if (p->nxs <= 12) {
        fprintf(f, "set xtics (");
        for (size_t i = 0; i < p->nxs; i++) {
            pl_fmt_value(p->xname, p->xs[i], buf, sizeof buf);
            fprintf(f, "%s", i ? ", " : "");
            pl_gq(f, buf);
            fprintf(f, " %.10g", p->xs[i]);
        }
        fprintf(f, ")\n");
    } else if (!strcmp(pl_unit(p->xname), "bytes")) {
        fprintf(f, "set format x '%%.1b %%BB'\n");
    }
    for (int i = 1; i <= 8; i++) /* colour-blind-safe palette (Okabe-Ito) */
        fprintf(f, "set linetype %d lw 2 pt %d ps 0.9 lc rgb '%s'\n", i, 5 + 2 * ((i - 1) % 4),
                (const char *[]){"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
                                 "#000000", "#F0E442"}[i - 1]);
}

/* "NAME = VALUE unit" of a facet or series value (numbers in readable units). */
static void pl_value_title(const char *name, const char *raw, char *buf, size_t cap) {
    char v[256];
    char *end;
    double d = strtod(raw, &end);
    if (*raw && !*end) {
        pl_fmt_value(name, d, v, sizeof v);
        const char *u = pl_unit(name);
        if (u[0] && strcmp(u, "bytes") != 0)
            snprintf(v + strlen(v), sizeof v - strlen(v), " %s", u);
    } else {
        snprintf(v, sizeof v, "%s", raw);
    }
    snprintf(buf, cap, "%s = %s", name, v);
}

static void pl_series_title(const pl_plot *p, size_t s, char *buf, size_t cap) {
    if (p->series >= 0)
        pl_value_title(p->series_name, p->svals[s], buf, cap);
    else
        snprintf(buf, cap, "mean");
}

/* One panel: facet row fi, y column k, a curve per series. */
static void pl_panel(FILE *f, const pl_plot *p, size_t fi, size_t k) {
    char buf[1024];
    pl_label(p->ys[k].spec, buf, sizeof buf);
    const char *unit;
    char *us = strstr(buf, "(µs)");
    if (pl_scale(p, k, &unit) != 1 && us)
        snprintf(us, sizeof buf - (size_t)(us - buf), "(%s)", unit);
    fprintf(f, "set ylabel ");
    pl_gq(f, buf);
    bool bytes = !strcmp(pl_unit(p->ys[k].spec), "bytes");
    fprintf(f, "\nset format y '%s'\n", bytes ? "%.1b %BB" : p->ys[k].log ? "%g" : "% h");
    if (p->ys[k].log) {
        const char *u;
        double lo, hi, d = pl_scale(p, k, &u);
        pl_log_range(p, k, &lo, &hi);
        fprintf(f, "set logscale y\nset yrange [%.6g:%.6g]\n", lo / d, hi / d);
    } else {
        fprintf(f, "unset logscale y\nset autoscale y\n");
    }
    if (p->facet >= 0) {
        pl_value_title(p->facet_name, p->fvals[fi], buf, sizeof buf);
        fprintf(f, "set title ");
        pl_gq(f, buf);
        fprintf(f, "\n");
    }
    fprintf(f, "plot ");
    for (size_t s = 0; s < p->ns; s++) {
        pl_series_title(p, s, buf, sizeof buf);
        fprintf(f, "%s$c_%zu_%zu_%zu using 1:2%s with %s lt %zu title ", s ? ", \\\n     " : "", fi,
                k, s, p->any_ci ? ":3:4" : "", p->any_ci ? "yerrorlines" : "linespoints",
                s % 8 + 1);
        pl_gq(f, buf);
    }
    fprintf(f, "\n");
}

/* A gnuplot double-quoted string (for "\n" line breaks): backslash and quote escaped. */
static void pl_gqq(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fputc('\\', f);
        if (*s == '\n')
            fputs("\\n", f);
        else
            fputc(*s, f);
    }
    fputc('"', f);
}

/* The legend, once for the whole figure: an empty full-width plot under the title. */
static void pl_legend(FILE *f, const pl_plot *p, double y0, double hgt) {
    char buf[512];
    fprintf(f, "$key << EOD\n-1 -1 -1 -1\nEOD\n");
    fprintf(f,
            "set origin 0,%.4f\nset size 1,%.4f\nunset border\nunset tics\nunset xlabel\n"
            "unset ylabel\nunset title\nunset grid\nunset logscale\nset xrange [0:1]\n"
            "set yrange [0:1]\nset margins 0,0,0,0\n"
            "set key center center horizontal box\nplot ",
            y0, hgt);
    for (size_t s = 0; s < p->ns; s++) {
        pl_series_title(p, s, buf, sizeof buf);
        fprintf(f, "%s$key using 1:2%s with %s lt %zu title ", s ? ", " : "",
                p->any_ci ? ":3:4" : "", p->any_ci ? "yerrorlines" : "linespoints", s % 8 + 1);
        pl_gq(f, buf);
    }
    fprintf(f, "\n");
}

static int pl_script(const pl_plot *p, const ds_csvtab *t) {
    FILE *f = fopen(p->gp_path, "w");
    if (!f) return fprintf(stderr, "dslab: %s: %s\n", p->gp_path, strerror(errno)), 1;
    fprintf(f, "# drawn by: dslab plot %s (edit and rerun: gnuplot THIS_FILE)\n", p->csv);
    pl_blocks(f, p);
    pl_terminal(f, p);
    char title[8192];
    snprintf(title, sizeof title, "%s (%zu rows)\n%s", p->csv, t->nrows,
             p->any_ci ? "mean of the rows sharing a point (seeds); bars: 95% CI, Student t"
                       : "one row per point");
    fprintf(f, "set multiplot title ");
    pl_gqq(f, title);
    fprintf(f, " font ',11'\n");
    /* Pixel sizes of the PNG; the other formats keep the proportions. */
    double h = 420.0 * (double)p->nf + 40, head = (p->series >= 0 ? 80 : 48) / h;
    double ph = (1 - head) / (double)p->nf, pw = 1 / (double)p->nys;
    pl_axes(f, p);
    fprintf(f, "unset key\nset lmargin 12\nset rmargin 3\nset bmargin 3.5\nset tmargin %s\n",
            p->facet >= 0 ? "2.5" : "1");
    for (size_t fi = 0; fi < p->nf; fi++)
        for (size_t k = 0; k < p->nys; k++) {
            fprintf(f, "set origin %.4f,%.4f\nset size %.4f,%.4f\n", pw * (double)k,
                    1 - head - ph * (double)(fi + 1), pw, ph);
            pl_panel(f, p, fi, k);
        }
    if (p->series >= 0) pl_legend(f, p, 1 - head, head - 38 / h);
    fprintf(f, "unset multiplot\n");
    int bad = ferror(f);
    if (fclose(f) != 0) bad = 1;
    if (bad) fprintf(stderr, "dslab: %s: write failed\n", p->gp_path);
    return bad;
}

int pl_draw(const pl_plot *p, const ds_csvtab *t) {
    if (pl_script(p, t) != 0) return 1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) return fprintf(stderr, "dslab: plot: fork: %s\n", strerror(errno)), 1;
    if (pid == 0) {
        execlp("gnuplot", "gnuplot", p->gp_path, (char *)NULL);
        fprintf(stderr, "dslab: plot: gnuplot: %s (apt-get install gnuplot-nox)\n",
                strerror(errno));
        _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return fprintf(stderr, "dslab: plot: waitpid: %s\n", strerror(errno)), 1;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0;
    if (!(WIFEXITED(st) && WEXITSTATUS(st) == 127))
        fprintf(stderr, "dslab: plot: gnuplot failed on %s\n", p->gp_path);
    return 1;
}
