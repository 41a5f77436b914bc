/*
 * verbs_metrics.h - the `dslab plot` and `dslab compare` verbs (sim/plot.c, sim/compare.c).
 *
 * Why separate from main.c: each verb is a small program with its own argument parsing and
 * exit codes, testable by calling it directly from a Check suite.
 */
#ifndef DS_VERBS_METRICS_H
#define DS_VERBS_METRICS_H

/* Both verbs take argv the way main() gets it after the program name: argv[0] may be the verb
 * name ("plot", "compare"), which is then skipped; otherwise argv[0] is the first argument. */

/* dslab plot DIR: draws DIR/latency.png and DIR/timeline.png with scripts/plot.sh.
 * Returns 0 on success, 2 on bad input, 1 on failure. */
int ds_main_plot(int argc, char **argv);

/* dslab plot SWEEP.csv --x COL --y COL[,COL...] [--series COL] [--facet COL] [--logx] [--logy]
 * [-o FILE]: argv without the verb. Returns 0, 2 on bad input, 1 on failure (sim/plot_sweep.c). */
int ds_plot_sweep(int argc, char **argv);

/* dslab compare RUN_DIR BASELINE_DIR [--tolerance 0.1] [--metrics p99_us,hit_ratio,...]
 * Prints metric, baseline, run, change. Exit 1 on a regression beyond tolerance, 2 on bad
 * input, 0 otherwise. */
int ds_main_compare(int argc, char **argv);

#endif /* DS_VERBS_METRICS_H */
