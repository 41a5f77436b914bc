/*
 * explore.c - `dslab explore TRACE --seeds N [replay options]`.
 *
 * A seed perturbs only what the virtual engine is free to choose (README "Schedule
 * exploration"): the order of IO completions due within --explore-window, the backend's
 * service-time draws, the cron's phase, the pick among equally old eviction candidates, and
 * BUGGIFY sites in the core and the fake backend. So with every guard on, no seed may find a
 * violation; with a toggle on, the seeds that do are schedules that expose its race. Each seed
 * replays alone, byte for byte, with `dslab replay TRACE --seed S --explore-schedule [same
 * options]`.
 */
#include "explore.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "csvfmt.h"
#include "seedrun.h"

typedef struct xp_ctx {
    const ds_replay_opts *o;
    const ds_explore_opts *xo;
    uint64_t keep_per_worker; /* seed-S/ directories each worker process may keep */
    ds_explore_sum *sum;
    FILE *csv;
} xp_ctx;

/* In a worker: one replay; the line is "stale<TAB>lost<TAB>first race". */
static ds_status xp_seed(void *vctx, unsigned worker, uint64_t seed, char *out, size_t cap) {
    xp_ctx *x = vctx;
    (void)worker;            /* runs write no files: no per-worker scratch */
    static ds_replay_opts o; /* one per worker process */
    o = *x->o;
    o.seed = seed;
    o.explore = true;
    o.quiet = true;
    o.progress = false;
    int n = snprintf(o.out, sizeof o.out, "%s/seed-%llu", x->xo->dir, (unsigned long long)seed);
    if (n < 0 || (size_t)n >= sizeof o.out)
        return snprintf(out, cap, "--out: too long"), DS_ERR_ARG;
    /* No files while searching; a violating seed runs again (the same schedule, byte for
     * byte) into DIR/seed-S when the runs are kept. */
    o.discard = true;
    ds_replay_result res;
    ds_err err;
    ds_status st = ds_replay_run(&o, &res, &err);
    if (st != DS_OK) return snprintf(out, cap, "%s", err.msg), st;
    static uint64_t kept; /* per worker process (each has its own copy after fork) */
    if (res.stale_reads + res.lost_writes && kept < x->keep_per_worker) {
        kept++;
        o.discard = false;
        ds_rm_tree(o.out);
        ds_replay_result again;
        if (ds_replay_run(&o, &again, &err) != DS_OK)
            return snprintf(out, cap, "%s", err.msg), DS_ERR_IO;
    }
    snprintf(out, cap, "%llu\t%llu\t%s", (unsigned long long)res.stale_reads,
             (unsigned long long)res.lost_writes, res.first_race);
    return DS_OK;
}

static void csv_quoted(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* In the parent, in seed order. */
static void xp_collect(void *vctx, uint64_t seed, const char *line) {
    xp_ctx *x = vctx;
    char *end;
    uint64_t stale = strtoull(line, &end, 10);
    uint64_t lost = *end == '\t' ? strtoull(end + 1, &end, 10) : 0;
    const char *race = *end == '\t' ? end + 1 : "";
    ds_explore_sum *s = x->sum;
    s->seeds++;
    fprintf(x->csv, "%llu,%llu,%llu,", (unsigned long long)seed, (unsigned long long)stale,
            (unsigned long long)lost);
    csv_quoted(x->csv, race);
    fputc('\n', x->csv);
    if (stale + lost == 0) return;
    if (s->violating++ == 0) {
        s->first_violating_seed = seed;
        snprintf(s->first_race, sizeof s->first_race, "%s", race);
    }
    s->stale_reads += stale;
    s->lost_writes += lost;
    if (x->xo->print)
        fprintf(x->xo->print, "seed %llu: %llu violations (%llu stale, %llu lost): %s\n",
                (unsigned long long)seed, (unsigned long long)(stale + lost),
                (unsigned long long)stale, (unsigned long long)lost, race);
}

ds_status ds_explore(const ds_replay_opts *o, const ds_explore_opts *xo, ds_explore_sum *sum,
                     ds_err *err) {
    memset(sum, 0, sizeof *sum);
    char path[DS_OPT_STR_MAX + 32];
    if (strlen(xo->dir) >= DS_OPT_STR_MAX)
        return ds_err_set(err, DS_ERR_ARG, "--out: longer than %d bytes", DS_OPT_STR_MAX - 1);
    ds_status st = ds_mkdir_p(xo->dir, err);
    if (st != DS_OK) return st;
    snprintf(path, sizeof path, "%s/explore.csv", xo->dir);
    FILE *csv = fopen(path, "w");
    if (!csv) return ds_err_set(err, DS_ERR_IO, "%s: %s", path, strerror(errno));
    fprintf(csv, "seed,stale_reads,lost_writes,first_race\n");
    xp_ctx x = {.o = o, .xo = xo, .sum = sum, .csv = csv};
    ds_seedrun_opts so = {.first = xo->first, .count = xo->seeds, .jobs = xo->jobs};
    unsigned jobs = ds_seedrun_jobs(&so);
    x.keep_per_worker = (xo->keep + jobs - 1) / jobs;
    ds_seedrun_stats ss;
    st = ds_seedrun(&so, xp_seed, &x, xp_collect, &x, &ss, err);
    if (fclose(csv) != 0 && st == DS_OK) st = ds_err_set(err, DS_ERR_IO, "%s: write error", path);
    sum->jobs = ss.jobs;
    sum->wall_seconds = ss.wall_seconds;
    sum->seeds_per_second = ss.seeds_per_second;
    return st;
}

/* ---- the verb ------------------------------------------------------------------------------ */

static void xp_usage(FILE *f) {
    fprintf(f, "usage: dslab explore TRACE --seeds N [--first-seed S] [--jobs J] [--out DIR]\n"
               "                     [--keep N] [replay options]\n"
               "  replays TRACE once per seed S..S+N-1 (default 1..N) with --explore-schedule,\n"
               "  one process per core (--jobs); prints one line per violating seed and writes\n"
               "  DIR/explore.csv (seed,stale_reads,lost_writes,first_race) and DIR/seed-S/ for\n"
               "  up to --keep (20) violating seeds (default DIR results/explore). Rerun one with\n"
               "  dslab replay TRACE --seed S --explore-schedule [the same replay options].\n");
}

/* Take explore's own flags out of argv (in place); the rest are replay options. */
static int xp_args(int argc, char **argv, ds_explore_opts *xo, char *dir, ds_err *err) {
    int n = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool ours = !strcmp(a, "--seeds") || !strcmp(a, "--first-seed") || !strcmp(a, "--jobs") ||
                    !strcmp(a, "--out") || !strcmp(a, "--keep");
        if (!ours) {
            argv[n++] = argv[i];
            continue;
        }
        if (i + 1 >= argc) return ds_err_set(err, DS_ERR_ARG, "%s: missing value", a), -1;
        const char *v = argv[++i];
        char *end;
        unsigned long long x = strtoull(v, &end, 10);
        bool num_ok = *v && *end == 0 && v[0] != '-';
        if (!strcmp(a, "--out")) {
            if (snprintf(dir, DS_OPT_STR_MAX, "%s", v) >= DS_OPT_STR_MAX)
                return ds_err_set(err, DS_ERR_ARG, "--out: longer than %d bytes",
                                  DS_OPT_STR_MAX - 1),
                       -1;
        } else if (!strcmp(a, "--keep") && num_ok) {
            xo->keep = x;
        } else if (!num_ok || (strcmp(a, "--first-seed") && x == 0) ||
                   (!strcmp(a, "--jobs") && x > 256)) {
            return ds_err_set(err, DS_ERR_ARG, "%s: expected a positive integer, got '%s'", a, v),
                   -1;
        } else if (!strcmp(a, "--seeds")) {
            xo->seeds = x;
        } else if (!strcmp(a, "--first-seed")) {
            xo->first = x;
        } else {
            xo->jobs = (unsigned)x;
        }
    }
    return n;
}

int ds_main_explore(int argc, char **argv) {
    static ds_replay_opts o;
    static char dir[DS_OPT_STR_MAX] = "results/explore";
    ds_explore_opts xo = {.first = 1, .seeds = 0, .dir = dir, .print = stdout, .keep = 20};
    ds_err err = {{0}};
    bool help;
    if (argc > 0) argc--, argv++;
    int n = xp_args(argc, argv, &xo, dir, &err);
    ds_replay_opts_default(&o);
    if (n >= 0 && ds_cli_parse(&o, n, argv, &help, &err) == DS_OK && help) {
        xp_usage(stdout);
        return 0;
    }
    if (n < 0 || err.msg[0]) {
        fprintf(stderr, "dslab: %s\n", err.msg);
        return 2;
    }
    if (xo.seeds == 0) {
        fprintf(stderr, "dslab: --seeds: required (dslab explore --help)\n");
        return 2;
    }
    if (o.clock != DS_CLOCK_VIRTUAL) {
        fprintf(stderr, "dslab: --clock: explore needs the virtual clock\n");
        return 2;
    }
    ds_explore_sum sum;
    ds_status st = ds_explore(&o, &xo, &sum, &err);
    if (st != DS_OK) {
        fprintf(stderr, "dslab: %s\n", err.msg);
        return st == DS_ERR_ARG || st == DS_ERR_CONFIG ? 2 : 1;
    }
    printf("explore: %llu seeds, %llu violating (%llu stale reads, %llu lost writes); "
           "%.0f seeds/s on %u processes; %s/explore.csv\n",
           (unsigned long long)sum.seeds, (unsigned long long)sum.violating,
           (unsigned long long)sum.stale_reads, (unsigned long long)sum.lost_writes,
           sum.seeds_per_second, sum.jobs, dir);
    if (sum.violating) { /* the replay options as given, so the line can be pasted */
        printf("rerun: dslab replay");
        for (int i = 0; i < n; i++)
            printf(strpbrk(argv[i], " \t\"'$*?;&|<>()") ? " '%s'" : " %s", argv[i]);
        printf(" --seed %llu --explore-schedule\n", (unsigned long long)sum.first_violating_seed);
    }
    return 0;
}
