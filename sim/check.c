/*
 * check.c - `dslab check`: replay every race scenario with default toggles and with the
 * toggles that expose its race, print the scenario table and, for every exposed run, the two
 * events that raced; with --seeds N also explore N schedules of every run (explore.h).
 *
 * A scenario is workloads/scenarios/NAME.csv (a small native trace) plus NAME.txt:
 *   # free text: the race, the rule that prevents it
 *   rule: 4+7                     the DESIGN.md rule(s) that guard it (for the table)
 *   base: --option value ...      options of every run of this scenario (environment)
 *   expose: --toggle value ...    must produce a violation (one line per toggle set)
 *   expect: stale_read lost_write the kinds an expose run must show (default: any)
 *   alone: --toggle value ...     reported only (a toggle that is safe on its own)
 *   hold: memory                  every run must also keep peak memory <= cache-max-memory
 *                                 and answer no command with an error
 * Verdicts: with defaults a violation is a FAIL (the design is broken); an `expose` run that
 * shows nothing (or not the expected kinds) is a FAIL too (the scenario or the oracle lost its
 * teeth); `alone` runs are findings either way. With --seeds N: every defaults seed must be
 * clean and at least one seed of every expose run must violate. Exit 0 when nothing failed,
 * 1 otherwise, 2 for bad input.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore.h"
#include "replay.h"

#define CK_MAX_ARGS 96
#define CK_MAX_RUNS 16
#define CK_LINE     512

typedef struct ck_run {
    char kind[16]; /* "defaults", "expose", "alone" */
    char flags[CK_LINE];
} ck_run;

typedef struct ck_scn {
    char name[128];
    char base[CK_LINE], rule[32], expect[64], hold[32];
    ck_run runs[CK_MAX_RUNS];
    int nruns;
} ck_scn;

typedef struct ck_opts {
    const char *dir, *out;
    const char *policy; /* --io-policy P: every run under P (NULL = each scenario's own) */
    uint64_t seed, seeds;
    unsigned jobs;
    char extra[CK_LINE]; /* replay options after "--", applied to every run */
    int failed;
    FILE *table; /* the exploration table rows, kept until the end */
} ck_opts;

static ds_status ck_line(ck_scn *s, char *line, const char *path, unsigned n, ds_err *err) {
    char *colon = strchr(line, ':');
    if (!colon) return ds_err_set(err, DS_ERR_ARG, "%s:%u: expected 'key: value'", path, n);
    *colon = 0;
    const char *rest = colon + 1 + strspn(colon + 1, " \t");
    struct {
        const char *key;
        char *dst;
        size_t cap;
    } simple[] = {{"base", s->base, sizeof s->base},
                  {"rule", s->rule, sizeof s->rule},
                  {"expect", s->expect, sizeof s->expect},
                  {"hold", s->hold, sizeof s->hold}};
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++)
        if (strcmp(line, simple[i].key) == 0) {
            snprintf(simple[i].dst, simple[i].cap, "%s", rest);
            return DS_OK;
        }
    bool run = strcmp(line, "expose") == 0 || strcmp(line, "alone") == 0;
    if (!run || s->nruns >= CK_MAX_RUNS)
        return ds_err_set(err, DS_ERR_ARG,
                          "%s:%u: unknown key '%s' (rule, base, expose, expect, alone, hold) or "
                          "more than %d runs",
                          path, n, line, CK_MAX_RUNS);
    strcpy(s->runs[s->nruns].kind, line[0] == 'e' ? "expose" : "alone");
    snprintf(s->runs[s->nruns].flags, sizeof s->runs[0].flags, "%s", rest);
    s->nruns++;
    return DS_OK;
}

static ds_status ck_load(const char *path, ck_scn *s, ds_err *err) {
    strcpy(s->runs[0].kind, "defaults");
    s->nruns = 1;
    FILE *f = fopen(path, "r");
    if (!f) return ds_err_set(err, DS_ERR_ARG, "%s: %s", path, strerror(errno));
    char line[CK_LINE];
    unsigned n = 0;
    ds_status st = DS_OK;
    while (st == DS_OK && fgets(line, sizeof line, f)) {
        n++;
        line[strcspn(line, "\r\n")] = 0;
        if (line[0] == '#' || line[strspn(line, " \t")] == 0) continue;
        st = ck_line(s, line, path, n, err);
    }
    fclose(f);
    if (st == DS_OK && s->nruns == 1)
        st = ds_err_set(err, DS_ERR_ARG, "%s: no 'expose:' or 'alone:' line", path);
    return st;
}

/* Split the strings on blanks into argv (after the trace); the strings are modified. */
static int ck_split(char **parts, int nparts, char **argv, int argc) {
    for (int k = 0; k < nparts; k++) {
        char *save = NULL;
        for (char *t = strtok_r(parts[k], " \t", &save); t && argc < CK_MAX_ARGS - 1;
             t = strtok_r(NULL, " \t", &save))
            argv[argc++] = t;
    }
    argv[argc] = NULL;
    return argc;
}

/* The options of one run: base, then the extra options, then the run's toggles. */
static ds_status ck_opts_of(const char *trace, const ck_scn *s, const ck_run *run,
                            const ck_opts *co, ds_replay_opts *o, ds_err *err) {
    ds_replay_opts_default(o);
    char base[CK_LINE], extra[CK_LINE], flags[CK_LINE];
    snprintf(base, sizeof base, "%s", s->base);
    snprintf(extra, sizeof extra, "%s", co->extra);
    snprintf(flags, sizeof flags, "%s", run->flags);
    char *parts[3] = {base, extra, flags}, *argv[CK_MAX_ARGS];
    int argc = ck_split(parts, 3, argv + 1, 0) + 1;
    argv[0] = (char *)trace;
    bool help;
    ds_status st = ds_cli_parse(o, argc, argv, &help, err);
    if (st != DS_OK) return st;
    bool own = strstr(s->base, "--io-policy") || strstr(run->flags, "--io-policy");
    if (co->policy && !own && (st = ds_config_set(&o->core, "io-policy", co->policy, err)) != DS_OK)
        return st;
    if (!strstr(s->base, "--seed") && !strstr(run->flags, "--seed")) o->seed = co->seed;
    o->quiet = true;
    o->progress = false;
    return DS_OK;
}

/* Does the result show what the scenario expects of this kind of run? */
static const char *ck_verdict(const ck_scn *s, const ck_run *run, const ds_replay_opts *o,
                              const ds_replay_result *res) {
    uint64_t v = res->stale_reads + res->lost_writes;
    bool defaults = strcmp(run->kind, "defaults") == 0;
    if (strcmp(s->hold, "memory") == 0) {
        bool over =
            o->core.max_memory_bytes && res->stats.peak_memory_bytes > o->core.max_memory_bytes;
        if (over || res->errors || res->stats.memory_limit_misses)
            return "FAIL (memory limit not held)";
    }
    if (defaults) return v ? "FAIL (violation)" : "ok";
    if (strcmp(run->kind, "alone") == 0) return v ? "finding: exposes alone" : "safe alone";
    if (!v) return "FAIL (silent)";
    if ((strstr(s->expect, "stale_read") && !res->stale_reads) ||
        (strstr(s->expect, "lost_write") && !res->lost_writes))
        return "FAIL (not the expected kind)";
    return "exposed";
}

static const char *ck_flags_shown(const ck_run *run) {
    return run->flags[0] ? run->flags + strspn(run->flags, " ") : "defaults";
}

/* --seeds N: explore N schedules of this run; its row goes to the exploration table. */
static ds_status ck_explore(const ck_scn *s, int i, ds_replay_opts *o, ck_opts *co, ds_err *err) {
    char dir[1400];
    snprintf(dir, sizeof dir, "%s/%s%s%s-%d-explore", co->out, co->policy ? co->policy : "",
             co->policy ? "/" : "", s->name, i);
    ds_explore_opts xo = {.first = 1, .seeds = co->seeds, .jobs = co->jobs, .dir = dir};
    ds_explore_sum sum;
    ds_status st = ds_explore(o, &xo, &sum, err);
    if (st != DS_OK) return st;
    const ck_run *run = &s->runs[i];
    bool defaults = strcmp(run->kind, "defaults") == 0;
    bool alone = strcmp(run->kind, "alone") == 0;
    bool fail = defaults ? sum.violating > 0 : !alone && !sum.violating;
    if (fail) co->failed++;
    const char *v = fail ? "FAIL" : defaults ? "clean" : !alone ? "found" : "";
    if (alone) v = sum.violating ? "finding: exposes alone" : "safe alone";
    if (co->policy) fprintf(co->table, "%-12s ", co->policy);
    fprintf(co->table, "%-24s %-44s %6llu %9llu %8.0f  %s\n", s->name, ck_flags_shown(run),
            (unsigned long long)sum.seeds, (unsigned long long)sum.violating, sum.seeds_per_second,
            v);
    if (fail && sum.violating)
        fprintf(co->table, "    seed %llu: %s\n", (unsigned long long)sum.first_violating_seed,
                sum.first_race);
    return DS_OK;
}

static int ck_scenario(const ck_opts *cco, ck_scn *s) {
    ck_opts *co = (ck_opts *)cco;
    char trace[1024], txt[1024];
    snprintf(trace, sizeof trace, "%s/%s.csv", co->dir, s->name);
    snprintf(txt, sizeof txt, "%s/%s.txt", co->dir, s->name);
    ds_err err;
    if (ck_load(txt, s, &err) != DS_OK) return fprintf(stderr, "dslab: %s\n", err.msg), 2;
    for (int i = 0; i < s->nruns; i++) {
        static ds_replay_opts o;
        ds_replay_result res;
        ds_status st = ck_opts_of(trace, s, &s->runs[i], co, &o, &err);
        snprintf(o.out, sizeof o.out, "%s/%s%s%s-%d", co->out, co->policy ? co->policy : "",
                 co->policy ? "/" : "", s->name, i);
        if (st == DS_OK) st = ds_replay_run(&o, &res, &err);
        if (st != DS_OK) return fprintf(stderr, "dslab: %s: %s\n", s->name, err.msg), 2;
        const char *verdict = ck_verdict(s, &s->runs[i], &o, &res);
        if (strncmp(verdict, "FAIL", 4) == 0) co->failed++;
        if (co->policy) printf("%-12s ", co->policy);
        printf("%-24s %-5s %-44s %6llu %6llu  %s\n", s->name, s->rule[0] ? s->rule : "?",
               ck_flags_shown(&s->runs[i]), (unsigned long long)res.stale_reads,
               (unsigned long long)res.lost_writes, verdict);
        if (res.first_race[0]) printf("    race: %s\n", res.first_race);
        if (co->seeds && ck_explore(s, i, &o, co, &err) != DS_OK)
            return fprintf(stderr, "dslab: %s: %s\n", s->name, err.msg), 2;
    }
    return 0;
}

static int ck_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void ck_usage(void) {
    printf("usage: dslab check [--dir DIR] [--out DIR] [--seed N] [--seeds N] [--jobs J]\n"
           "                   [--io-policy P|all] [-- replay options for every run]\n"
           "  runs every scenario DIR/NAME.csv as NAME.txt describes (default DIR\n"
           "  workloads/scenarios): with defaults (must be clean) and with each toggle set\n"
           "  (must violate); prints the table and, per violating run, the write and the read\n"
           "  or drain that raced. --seeds N also explores N schedules of every run (dslab\n"
           "  explore): no seed may violate with defaults, one at least must with a toggle.\n"
           "  --io-policy runs every scenario under IO policy P (all: under each in turn).\n"
           "  Results under --out (default results/check).\n");
}

/* Options; returns -1 to go on, else an exit code. */
static int ck_args(int argc, char **argv, ck_opts *co) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) return ck_usage(), 0;
        if (!strcmp(a, "--")) {
            for (size_t n = 0; ++i < argc;)
                n += (size_t)snprintf(
                    co->extra + n, n < sizeof co->extra ? sizeof co->extra - n : 0, " %s", argv[i]);
            break;
        }
        bool num = v && *v >= '0' && *v <= '9';
        if (!strcmp(a, "--dir") && v)
            co->dir = v;
        else if (!strcmp(a, "--out") && v)
            co->out = v;
        else if (!strcmp(a, "--seed") && num)
            co->seed = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--seeds") && num)
            co->seeds = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--jobs") && num)
            co->jobs = (unsigned)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--io-policy") && v)
            co->policy = v;
        else
            return fprintf(stderr, "dslab: check: %s: unknown option or bad value\n", a), 2;
        i++;
    }
    ds_config cfg;
    ds_config_default(&cfg);
    ds_err err;
    if (co->policy && strcmp(co->policy, "all") != 0 &&
        ds_config_set(&cfg, "io-policy", co->policy, &err) != DS_OK)
        return fprintf(stderr, "dslab: --io-policy: %s\n", err.msg), 2;
    return -1;
}

/* The scenario names in dir (NAME.txt with a NAME.csv beside it), sorted. */
static int ck_names(const char *dir, char **names, int cap) {
    DIR *d = opendir(dir);
    if (!d) return fprintf(stderr, "dslab: check: %s: %s\n", dir, strerror(errno)), -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) && n < cap;) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".txt") == 0)
            names[n++] = strndup(e->d_name, len - 4);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, ck_cmp);
    return n;
}

int ds_main_check(int argc, char **argv) {
    ck_opts co = {.dir = "workloads/scenarios", .out = "results/check", .seed = 1};
    int rc = ck_args(argc, argv, &co);
    if (rc >= 0) return rc;
    char *names[256];
    int n = ck_names(co.dir, names, 256);
    if (n < 0) return 2;
    co.table = tmpfile();
    if (!co.table) return fprintf(stderr, "dslab: check: tmpfile: %s\n", strerror(errno)), 2;
    bool all = co.policy && !strcmp(co.policy, "all");
    if (co.policy) printf("%-12s ", "io-policy");
    printf("%-24s %-5s %-44s %6s %6s  %s\n", "scenario", "rule", "toggles", "stale", "lost",
           "verdict");
    rc = 0;
    for (size_t p = 0; rc == 0 && (all ? ds_io_policy_name(p) != NULL : p == 0); p++) {
        if (all) co.policy = ds_io_policy_name(p);
        for (int i = 0; i < n && rc == 0; i++) {
            static ck_scn s;
            memset(&s, 0, sizeof s);
            snprintf(s.name, sizeof s.name, "%s", names[i]);
            rc = ck_scenario(&co, &s);
        }
    }
    for (int i = 0; i < n; i++)
        free(names[i]);
    if (rc == 0 && co.seeds) {
        printf("\nexploration (%llu seeds per run, --explore-schedule):\n",
               (unsigned long long)co.seeds);
        if (co.policy) printf("%-12s ", "io-policy");
        printf("%-24s %-44s %6s %9s %8s\n", "scenario", "toggles", "seeds", "violating", "seeds/s");
        rewind(co.table);
        for (int c; (c = fgetc(co.table)) != EOF;)
            putchar(c);
    }
    fclose(co.table);
    if (rc) return rc;
    printf("%d scenarios, %d failing runs\n", n, co.failed);
    return co.failed ? 1 : 0;
}
