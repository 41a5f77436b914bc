/*
 * check.c - `dslab check`: replay every race scenario with default toggles and with the
 * toggles that expose its race, and print which toggle exposes which race.
 *
 * A scenario is workloads/scenarios/NAME.csv (a small native trace) plus NAME.txt:
 *   # free text: the race, the rule that prevents it
 *   base: --option value ...      options of every run of this scenario (environment)
 *   expose: --toggle value ...    must produce at least one oracle violation
 *   alone: --toggle value ...     reported only (a toggle that is safe on its own)
 * Verdicts: with defaults a violation is a FAIL (the design is broken); an `expose` run that
 * shows nothing is a FAIL too (the scenario or the oracle lost its teeth); `alone` runs are
 * findings either way. Exit 0 when nothing failed, 1 otherwise, 2 for bad input.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"

#define CK_MAX_ARGS      64
#define CK_MAX_RUNS      16
#define CK_MAX_SCENARIOS 256

typedef struct ck_run {
    char kind[16]; /* "defaults", "expose", "alone" */
    char flags[512];
} ck_run;

typedef struct ck_scn {
    char base[512];
    char rule[32];
    char expect[64];
    char hold[32];
    ck_run runs[CK_MAX_RUNS];
    int nruns;
} ck_scn;

static ds_status ck_load(const char *path, ck_scn *s, ds_err *err) {
    memset(s, 0, sizeof *s);
    strcpy(s->runs[0].kind, "defaults");
    s->nruns = 1;
    FILE *f = fopen(path, "r");
    if (!f) return ds_err_set(err, DS_ERR_ARG, "%s: %s", path, strerror(errno));
    char line[512];
    unsigned n = 0;
    ds_status st = DS_OK;
    while (st == DS_OK && fgets(line, sizeof line, f)) {
        n++;
        line[strcspn(line, "\r\n")] = 0;
        if (line[0] == '#' || line[0] == 0) continue;
        char *colon = strchr(line, ':');
        if (!colon) {
            st = ds_err_set(err, DS_ERR_ARG, "%s:%u: expected 'base:', 'expose:' or 'alone:'", path,
                            n);
            break;
        }
        *colon = 0;
        const char *rest = colon + 1;
        rest += strspn(rest, " \t");
        if (strcmp(line, "base") == 0) {
            snprintf(s->base, sizeof s->base, "%s", rest);
        } else if (strcmp(line, "rule") == 0) {
            snprintf(s->rule, sizeof s->rule, "%s", rest);
        } else if (strcmp(line, "expect") == 0) {
            snprintf(s->expect, sizeof s->expect, "%s", rest);
        } else if (strcmp(line, "hold") == 0) {
            snprintf(s->hold, sizeof s->hold, "%s", rest);
        } else if ((strcmp(line, "expose") == 0 || strcmp(line, "alone") == 0) &&
                   s->nruns < CK_MAX_RUNS) {
            strcpy(s->runs[s->nruns].kind, line[0] == 'e' ? "expose" : "alone");
            snprintf(s->runs[s->nruns].flags, sizeof s->runs[0].flags, "%s", rest);
            s->nruns++;
        } else {
            st = ds_err_set(err, DS_ERR_ARG, "%s:%u: unknown key '%s' (or too many runs)", path, n,
                            line);
        }
    }
    fclose(f);
    return st;
}

/* Split a and b on blanks into argv (after the trace); the strings are modified. */
static int ck_split(char *a, char *b, char **argv, int argc) {
    char *parts[2] = {a, b};
    for (int k = 0; k < 2; k++) {
        char *save = NULL;
        for (char *t = strtok_r(parts[k], " \t", &save); t && argc < CK_MAX_ARGS - 1;
             t = strtok_r(NULL, " \t", &save))
            argv[argc++] = t;
    }
    argv[argc] = NULL;
    return argc;
}

/* One `dslab check` invocation. policy: NULL = each scenario's own (the default policy). */
typedef struct ck_opts {
    const char *dir, *out, *policy;
    uint64_t seed;
} ck_opts;

static ds_status ck_run_one(const char *trace, const ck_scn *s, const ck_run *run, const char *out,
                            const ck_opts *co, ds_replay_result *res, ds_err *err) {
    uint64_t seed = co->seed;
    static ds_replay_opts o;
    ds_replay_opts_default(&o);
    char base[512], flags[512], seedbuf[32];
    snprintf(base, sizeof base, "%s", s->base);
    snprintf(flags, sizeof flags, "%s", run->flags);
    snprintf(seedbuf, sizeof seedbuf, "%llu", (unsigned long long)seed);
    char *argv[CK_MAX_ARGS];
    int argc = 0;
    argv[argc++] = (char *)trace;
    argc = ck_split(base, flags, argv, argc);
    bool help;
    ds_status st = ds_cli_parse(&o, argc, argv, &help, err);
    if (st != DS_OK) return st;
    bool own = strstr(s->base, "--io-policy") || strstr(run->flags, "--io-policy");
    if (co->policy && !own && (st = ds_config_set(&o.core, "io-policy", co->policy, err)) != DS_OK)
        return st;
    if (strlen(out) >= sizeof o.out) return ds_err_set(err, DS_ERR_ARG, "--out: path too long");
    memcpy(o.out, out, strlen(out) + 1);
    if (!strstr(s->base, "--seed") && !strstr(run->flags, "--seed")) o.seed = seed;
    o.quiet = true;
    o.progress = false;
    return ds_replay_run(&o, res, err);
}

static int ck_scenario(const ck_opts *co, const char *name, int *failed) {
    char trace[1024], txt[1024];
    snprintf(trace, sizeof trace, "%s/%s.csv", co->dir, name);
    snprintf(txt, sizeof txt, "%s/%s.txt", co->dir, name);
    ck_scn s;
    ds_err err;
    if (ck_load(txt, &s, &err) != DS_OK) {
        fprintf(stderr, "dslab: %s\n", err.msg);
        return 2;
    }
    for (int i = 0; i < s.nruns; i++) {
        char out[1300];
        if (co->policy)
            snprintf(out, sizeof out, "%s/%s/%s-%d", co->out, co->policy, name, i);
        else
            snprintf(out, sizeof out, "%s/%s-%d", co->out, name, i);
        ds_replay_result res;
        if (ck_run_one(trace, &s, &s.runs[i], out, co, &res, &err) != DS_OK) {
            fprintf(stderr, "dslab: %s: %s\n", name, err.msg);
            return 2;
        }
        uint64_t v = res.stale_reads + res.lost_writes;
        const char *verdict;
        if (strcmp(s.runs[i].kind, "defaults") == 0)
            verdict = v ? "FAIL (violation)" : "ok";
        else if (strcmp(s.runs[i].kind, "expose") == 0)
            verdict = v ? "exposed" : "FAIL (silent)";
        else
            verdict = v ? "finding: exposes alone" : "safe alone";
        if (strncmp(verdict, "FAIL", 4) == 0) (*failed)++;
        if (co->policy) printf("%-12s ", co->policy);
        printf("%-18s %-48s %6llu %6llu  %s\n", name,
               s.runs[i].flags[0] ? s.runs[i].flags + strspn(s.runs[i].flags, " ") : "defaults",
               (unsigned long long)res.stale_reads, (unsigned long long)res.lost_writes, verdict);
    }
    return 0;
}

static int ck_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ck_args(int argc, char **argv, ck_opts *co) {
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: dslab check [--dir DIR] [--out DIR] [--seed N] [--io-policy P|all]\n"
                   "  runs DIR/*.csv (default workloads/scenarios) as described by *.txt;\n"
                   "  results under --out (default results/check); --io-policy runs every\n"
                   "  scenario under IO policy P (all: under each policy in turn)\n");
            return 0;
        } else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
            co->dir = argv[++i];
        else if (!strcmp(argv[i], "--out") && i + 1 < argc)
            co->out = argv[++i];
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            co->seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--io-policy") && i + 1 < argc)
            co->policy = argv[++i];
        else {
            fprintf(stderr, "dslab: check: %s: unknown option or missing value\n", argv[i]);
            return 2;
        }
    }
    ds_config cfg;
    ds_config_default(&cfg);
    ds_err err;
    if (co->policy && strcmp(co->policy, "all") != 0 &&
        ds_config_set(&cfg, "io-policy", co->policy, &err) != DS_OK) {
        fprintf(stderr, "dslab: --io-policy: %s\n", err.msg);
        return 2;
    }
    return -1;
}

/* The scenario names (DIR/NAME.txt), sorted; returns how many, or -1. */
static int ck_list(const char *dir, char **names, int max) {
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "dslab: check: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) && n < max;) {
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
    char *names[CK_MAX_SCENARIOS];
    int n = ck_list(co.dir, names, CK_MAX_SCENARIOS);
    if (n < 0) return 2;
    bool all = co.policy && !strcmp(co.policy, "all");
    if (co.policy) printf("%-12s ", "io-policy");
    printf("%-18s %-48s %6s %6s  %s\n", "scenario", "toggles", "stale", "lost", "verdict");
    int failed = 0;
    rc = 0;
    for (size_t p = 0; rc == 0 && (all ? ds_io_policy_name(p) != NULL : p == 0); p++) {
        if (all) co.policy = ds_io_policy_name(p);
        for (int i = 0; i < n && rc == 0; i++)
            rc = ck_scenario(&co, names[i], &failed);
    }
    for (int i = 0; i < n; i++)
        free(names[i]);
    if (rc) return rc;
    printf("%d scenarios, %d failing runs\n", n, failed);
    return failed ? 1 : 0;
}
