/*
 * main.c - the `dslab` command: dispatches a verb to its module's entry function.
 *
 * Why a table: each verb lives with its module (replay/check in sim/, gen/convert/stat in
 * workloads/, plot/compare with the metrics); main only knows names and one-line helps.
 */
#include <stdio.h>
#include <string.h>

#include "calibrate.h"
#include "explore.h"
#include "crashlab.h"
#include "gen.h"
#include "replay.h"
#include "verbs.h"
#include "verbs_metrics.h"

typedef struct verb {
    const char *name;
    int (*main)(int argc, char **argv);
    const char *help;
} verb;

static int main_help(int argc, char **argv);

static const verb verbs[] = {
    {"replay", ds_main_replay, "replay a trace against the cache (dslab replay --help)"},
    {"gen", ds_main_gen, "write a synthetic trace (dslab gen --help)"},
    {"convert", ds_main_convert, "convert a trace between formats"},
    {"stat", ds_main_stat, "statistics of a trace"},
    {"plot", ds_main_plot, "draw the PNGs of a results directory with gnuplot"},
    {"compare", ds_main_compare, "compare a run with a baseline; non-zero exit on regression"},
    {"check", ds_main_check, "run the race scenarios with and without their toggles"},
    {"calibrate", ds_main_calibrate, "measure a real backend and host; write a calibration"},
    {"validate", ds_main_validate, "replay in real and calibrated virtual time; compare"},
    {"explore", ds_main_explore, "replay a trace under N seeded schedules (dslab explore --help)"},
    {"shrink", ds_main_shrink, "reduce a violating trace to a minimal one (dslab shrink --help)"},
    {"crash", ds_main_crash, "cut the power at seeded moments and check the store (--help)"},
    {"help", main_help, "this list"},
};
#define NVERBS (sizeof verbs / sizeof verbs[0])

static void usage(FILE *f) {
    fprintf(f, "usage: dslab VERB [args]   (dslab VERB --help for its options)\n\nverbs:\n");
    for (size_t i = 0; i < NVERBS; i++)
        fprintf(f, "  %-9s %s\n", verbs[i].name, verbs[i].help);
}

static int main_help(int argc, char **argv) {
    (void)argc, (void)argv;
    usage(stdout);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) return main_help(0, NULL);
    for (size_t i = 0; i < NVERBS; i++)
        if (strcmp(argv[1], verbs[i].name) == 0) return verbs[i].main(argc - 1, argv + 1);
    fprintf(stderr, "dslab: %s: unknown verb (dslab --help lists them)\n", argv[1]);
    return 2;
}
