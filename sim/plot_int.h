/*
 * plot_int.h - `dslab plot SWEEP.csv`: shared between the aggregation (plot_sweep.c) and the
 * gnuplot writer (plot_gp.c).
 *
 * A plot is a grid of panels: one row per facet value, one column per --y column. In a panel,
 * one curve per series value; a point is the mean over the rows that share (facet, series, x),
 * usually the seeds, with a 95% Student-t confidence interval when there are two or more.
 */
#ifndef DS_PLOT_INT_H
#define DS_PLOT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "csvtab.h"

#define PL_MAX_Y    8  /* --y columns */
#define PL_MAX_VALS 64 /* distinct facet or series values */

typedef struct pl_y {
    char spec[256]; /* as given: COL or COL/COL */
    int a, b;       /* columns; b < 0 unless a ratio */
    bool log;       /* a log y axis: --logy, or COL:log for this panel only */
} pl_y;

/* One aggregated point of one panel's curve. */
typedef struct pl_point {
    size_t facet, series, y; /* indexes into the value lists and ys */
    double x, mean, sd, half, min, max;
    size_t n;
} pl_point;

typedef struct pl_plot {
    const char *csv, *xname, *series_name, *facet_name;
    char out[4096], data_path[4200], gp_path[4200];
    bool logx, logy;
    int x, series, facet; /* columns; series/facet < 0 when not given */
    pl_y ys[PL_MAX_Y];
    size_t nys;
    const char *fvals[PL_MAX_VALS], *svals[PL_MAX_VALS]; /* distinct values, sorted */
    size_t nf, ns;
    pl_point *pts;
    size_t npts;
    bool any_ci;                /* some point has n >= 2 */
    double xs[PL_MAX_VALS * 4]; /* distinct x values (for the tics) */
    size_t nxs;
} pl_plot;

/* The two-sided 95% Student t quantile for df degrees of freedom (df >= 1). */
double pl_t975(size_t df);

/* "GET p99 latency (µs)" from "get_p99_us": words and the unit its name carries. */
void pl_label(const char *col, char *buf, size_t cap);
/* The unit a column name carries: "µs", "ms", "s", "bytes", "1/s" or "". */
const char *pl_unit(const char *col);
/* A value of column col for a legend or a tic: bytes as KiB/MiB/GiB, others %g. */
void pl_fmt_value(const char *col, double v, char *buf, size_t cap);

/* Writes p->gp_path and runs gnuplot on it; returns 0, or 1 with a message printed. */
int pl_draw(const pl_plot *p, const ds_csvtab *t);

#endif /* DS_PLOT_INT_H */
