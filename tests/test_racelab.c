/*
 * test_racelab.c - the race lab: every scenario caught with its toggle and clean without it
 * (dslab check), a short exploration of every scenario (50 seeds), a seed that reruns alone,
 * races.csv naming the two events that raced, the shrinker, the seed runner, and core-level
 * tests of the toggles and of the exploration hooks.
 */
#include <check.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "explore.h"
#include "oracle.h"
#include "replay.h"
#include "scratch.h"
#include "seedrun.h"
#include "testhost.h"
#include "testmain.h"

#define SCN "workloads/scenarios"

static char tmpdir[DS_SCRATCH_CAP];

static void setup(void) { ds_scratch_make(tmpdir, sizeof tmpdir, "racelab"); }

static void teardown(void) { ds_scratch_rm(tmpdir); }

static const char *in_tmp(const char *name) { return ds_scratch_path(tmpdir, name); }

/* Run a verb's main with stdout captured into a heap buffer (caller frees). */
static int capture(int (*fn)(int, char **), int argc, const char **argv, char **out) {
    const char *path = in_tmp("capture.out");
    fflush(stdout);
    int saved = dup(1);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert(saved >= 0 && fd >= 0);
    dup2(fd, 1);
    close(fd);
    int rc = fn(argc, (char **)argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    *out = calloc(1, 1 << 20);
    size_t n = fread(*out, 1, (1 << 20) - 1, f);
    (*out)[n] = 0;
    fclose(f);
    return rc;
}

static int count_of(const char *s, const char *what) {
    int n = 0;
    for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

/* Parse flags into options (trace first), as `dslab replay` would. */
static void opts_of(ds_replay_opts *o, const char *const *argv, int argc) {
    bool help;
    ds_err err;
    ds_replay_opts_default(o);
    ck_assert_msg(ds_cli_parse(o, argc, (char **)argv, &help, &err) == DS_OK, "%s", err.msg);
    o->quiet = true;
    o->progress = false;
}

START_TEST(test_check_every_scenario_clean_and_caught) {
    const char *argv[] = {"check", "--out", in_tmp("check")};
    char *out;
    int rc = capture(ds_main_check, 3, argv, &out);
    ck_assert_msg(rc == 0, "dslab check failed:\n%s", out);
    int nscn = 0, failing = -1;
    const char *last = strstr(out, " scenarios, ");
    ck_assert_ptr_nonnull(last);
    while (last > out && last[-1] != '\n')
        last--;
    ck_assert_int_eq(sscanf(last, "%d scenarios, %d failing runs", &nscn, &failing), 2);
    ck_assert_int_ge(nscn, 10);
    ck_assert_int_eq(failing, 0);
    /* every expose run prints the pair that raced */
    ck_assert_int_ge(count_of(out, " exposed\n"), 12);
    ck_assert_int_eq(count_of(out, "    race: "), count_of(out, " exposed\n"));
    ck_assert_int_eq(count_of(out, "FAIL"), 0);
    free(out);
}
END_TEST

START_TEST(test_check_explores_50_seeds_per_scenario) {
    const char *argv[] = {"check", "--out", in_tmp("explore"), "--seeds", "50"};
    char *out;
    int rc = capture(ds_main_check, 5, argv, &out);
    ck_assert_msg(rc == 0, "dslab check --seeds 50 failed:\n%s", out);
    ck_assert_ptr_nonnull(strstr(out, "exploration (50 seeds per run"));
    ck_assert_int_ge(count_of(out, "  clean\n"), 10); /* defaults: no seed violates */
    ck_assert_int_ge(count_of(out, "  found\n"), 12); /* each toggle: some seed does */
    free(out);
}
END_TEST

/* A scenario the check does not know must fail it: a toggle that exposes nothing. */
START_TEST(test_check_fails_a_silent_toggle) {
    const char *dir = in_tmp("scn");
    char p[300];
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    snprintf(p, sizeof p, "%s/quiet.csv", dir);
    FILE *f = fopen(p, "w");
    fputs("time_us,client,op,key,size,ttl_s\n0,1,SET,k,100,0\n1000,2,GET,k,0,0\n", f);
    fclose(f);
    snprintf(p, sizeof p, "%s/quiet.txt", dir);
    f = fopen(p, "w");
    fputs("# nothing races here\nrule: 3\nbase: --cache-flush-delay 0\n"
          "expose: --concurrent-saves on\n",
          f);
    fclose(f);
    const char *argv[] = {"check", "--dir", dir, "--out", in_tmp("qout")};
    char *out;
    ck_assert_int_eq(capture(ds_main_check, 5, argv, &out), 1);
    ck_assert_ptr_nonnull(strstr(out, "FAIL (silent)"));
    free(out);
}
END_TEST

/* Write a scenario NAME into dir (mkdir'd if needed). */
static void scenario(const char *dir, const char *name, const char *csv, const char *txt) {
    char p[300];
    mkdir(dir, 0700);
    snprintf(p, sizeof p, "%s/%s.csv", dir, name);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs(csv, f);
    fclose(f);
    snprintf(p, sizeof p, "%s/%s.txt", dir, name);
    f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs(txt, f);
    fclose(f);
}

/* hold: memory fails a run whose peak memory passes the limit (evict-at=cron lets it). */
START_TEST(test_check_hold_memory_catches_an_overshoot) {
    const char *dir = in_tmp("hold");
    scenario(dir, "burst",
             "time_us,client,op,key,size,ttl_s\n0,1,SET,a,1000,0\n1,1,SET,b,1000,0\n"
             "2,1,SET,c,1000,0\n3,1,SET,d,1000,0\n",
             "rule: 8\nbase: --cache-max-memory 2kb\nhold: memory\n"
             "expose: --evict-busy-keys on\n");
    const char *argv[] = {"check", "--dir", dir, "--out", in_tmp("hout")};
    char *out;
    ck_assert_int_eq(capture(ds_main_check, 5, argv, &out), 1);
    ck_assert_ptr_nonnull(strstr(out, "defaults"));
    ck_assert_ptr_nonnull(strstr(out, "FAIL (memory limit not held)"));
    free(out);
}
END_TEST

/* Bad input: one line on stderr and exit 2, never a crash. */
START_TEST(test_bad_input_exits_2) {
    const char *dir = in_tmp("bad");
    scenario(dir, "typo", "time_us,client,op,key,size,ttl_s\n0,1,SET,k,1,0\n",
             "rule: 3\nexpos: --concurrent-saves on\n");
    const char *c1[] = {"check", "--dir", dir, "--out", in_tmp("bout")};
    const char *c2[] = {"check", "--seeds", "many"};
    const char *x1[] = {"explore", SCN "/del_then_get.csv"};
    const char *x2[] = {"explore", SCN "/del_then_get.csv", "--seeds", "0"};
    const char *x3[] = {"explore", SCN "/del_then_get.csv", "--seeds", "5", "--bogus", "1"};
    const char *s1[] = {"shrink", SCN "/del_then_get.csv"};
    const char *s2[] = {"shrink", SCN "/del_then_get.csv", "-o", in_tmp("m.csv"), "--keep", "x"};
    char *out;
    ck_assert_int_eq(capture(ds_main_check, 5, c1, &out), 2);
    free(out);
    ck_assert_int_eq(capture(ds_main_check, 3, c2, &out), 2);
    free(out);
    ck_assert_int_eq(capture(ds_main_explore, 2, x1, &out), 2);
    free(out);
    ck_assert_int_eq(capture(ds_main_explore, 4, x2, &out), 2);
    free(out);
    ck_assert_int_eq(capture(ds_main_explore, 6, x3, &out), 2);
    free(out);
    ck_assert_int_eq(capture(ds_main_shrink, 2, s1, &out), 2);
    free(out);
    ck_assert_int_eq(capture(ds_main_shrink, 6, s2, &out), 2);
    free(out);
}
END_TEST

/* explore.csv has one row per seed; a violating seed replays alone to the same first race. */
START_TEST(test_explore_seed_reruns_alone) {
    static ds_replay_opts o;
    const char *argv[] = {SCN "/del_then_get.csv", "--negcache", "off", "--load-priority",
                          "always-head"};
    opts_of(&o, argv, 5);
    const char *dir = in_tmp("x");
    ds_explore_opts xo = {.first = 1, .seeds = 20, .jobs = 2, .dir = dir, .keep = 40};
    ds_explore_sum sum;
    ds_err err;
    ck_assert_msg(ds_explore(&o, &xo, &sum, &err) == DS_OK, "%s", err.msg);
    ck_assert_int_eq(sum.seeds, 20);
    ck_assert_int_gt(sum.violating, 0);
    char p[300], line[600];
    snprintf(p, sizeof p, "%s/explore.csv", dir);
    FILE *f = fopen(p, "r");
    ck_assert_ptr_nonnull(f);
    int rows = 0;
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_str_eq(line, "seed,stale_reads,lost_writes,first_race\n");
    while (fgets(line, sizeof line, f))
        ck_assert_int_eq(atoi(line), ++rows); /* in seed order */
    fclose(f);
    ck_assert_int_eq(rows, 20);
    /* the rerun: dslab replay TRACE --seed S --explore-schedule, same options */
    o.seed = sum.first_violating_seed;
    o.explore = true;
    snprintf(o.out, sizeof o.out, "%s", in_tmp("rerun"));
    ds_replay_result res;
    ck_assert_msg(ds_replay_run(&o, &res, &err) == DS_OK, "%s", err.msg);
    ck_assert_str_eq(res.first_race, sum.first_race);
    ck_assert_int_gt(res.stale_reads, 0);
    /* and its kept result directory holds the same races.csv */
    char cmd[600];
    snprintf(cmd, sizeof cmd, "cmp -s %s/seed-%llu/races.csv %s/races.csv", dir,
             (unsigned long long)sum.first_violating_seed, o.out);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* BUGGIFY and the schedule perturbations break no rule: a mixed workload (MGET, EXEC, DEL,
 * TTLs) under memory pressure, injected faults and points in time, explored with every guard
 * on, finds nothing. */
START_TEST(test_explore_mixed_workload_clean_with_defaults) {
    static ds_replay_opts o;
    const char *argv[] = {"gen:zipf:0.99,keys=100,requests=2000,mix=get:0.4/set:0.25/del:0.1/"
                          "mget:0.1/exec:0.1/exists:0.05,clients=8,ttl=1:0.2,arrival=poisson:2000",
                          "--cache-max-keys",
                          "20",
                          "--faults",
                          "err=0.05",
                          "--pit-every",
                          "200"};
    opts_of(&o, argv, 7);
    ds_explore_opts xo = {.first = 1, .seeds = 24, .dir = in_tmp("mixed")};
    ds_explore_sum sum;
    ds_err err;
    ck_assert_msg(ds_explore(&o, &xo, &sum, &err) == DS_OK, "%s", err.msg);
    ck_assert_int_eq(sum.seeds, 24);
    ck_assert_msg(sum.violating == 0, "seed %llu: %s", (unsigned long long)sum.first_violating_seed,
                  sum.first_race);
}
END_TEST

/* An --out that cannot be made is one line naming the path and the reason, before any seed
 * runs; an empty one is refused (it used to be read past its end). */
START_TEST(test_explore_bad_out_is_one_clear_line) {
    static ds_replay_opts o;
    const char *argv[] = {SCN "/del_then_get.csv"};
    opts_of(&o, argv, 1);
    const char *plain = ds_scratch_write(tmpdir, "plain", "a file, not a directory\n");
    char dir[300];
    snprintf(dir, sizeof dir, "%s/sub/x", plain);
    ds_explore_opts xo = {.first = 1, .seeds = 4, .dir = dir};
    ds_explore_sum sum;
    ds_err err = {{0}};
    ck_assert_int_eq(ds_explore(&o, &xo, &sum, &err), DS_ERR_IO);
    ck_assert_msg(strstr(err.msg, plain) && strstr(err.msg, ": not a directory") &&
                      !strchr(err.msg, '\n'),
                  "%s", err.msg);
    ck_assert_int_eq(sum.seeds, 0);
    xo.dir = "";
    ck_assert_int_eq(ds_explore(&o, &xo, &sum, &err), DS_ERR_ARG);
    ck_assert_msg(strstr(err.msg, "empty") && !strchr(err.msg, '\n'), "%s", err.msg);
    char longer[400];
    memset(longer, 'd', sizeof longer - 1);
    longer[sizeof longer - 1] = 0;
    xo.dir = longer;
    ck_assert_int_eq(ds_explore(&o, &xo, &sum, &err), DS_ERR_ARG);
    ck_assert_msg(strstr(err.msg, "--out: longer than") == err.msg, "%s", err.msg);
    /* the command line refuses it too, instead of cutting it short */
    const char *x[] = {"explore", SCN "/del_then_get.csv", "--seeds", "1", "--out", longer};
    char *out;
    ck_assert_int_eq(capture(ds_main_explore, 6, x, &out), 2);
    free(out);
}
END_TEST

/* races.csv names the rule and both events: the missed write and the read that missed it. */
START_TEST(test_races_csv_names_the_write_and_the_read) {
    static ds_replay_opts o;
    const char *argv[] = {SCN "/load_then_set.csv",
                          "--cache-max-keys",
                          "1",
                          "--evict",
                          "lru-exact",
                          "--latency-get",
                          "fixed:5000",
                          "--load-ignores-writes",
                          "on",
                          "--core-cost-us", /* times exactly the trace's: a free core */
                          "0"};
    opts_of(&o, argv, 11);
    snprintf(o.out, sizeof o.out, "%s", in_tmp("lts"));
    ds_replay_result res;
    ds_err err;
    ck_assert_msg(ds_replay_run(&o, &res, &err) == DS_OK, "%s", err.msg);
    char p[300], line[600];
    snprintf(p, sizeof p, "%s/races.csv", o.out);
    FILE *f = fopen(p, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_str_eq(line, "time_us,client,op,key,expected,observed,kind,rule,issue_us,"
                           "write_time_us,write_client,write_op,write_version\n");
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f)); /* the GET at 600 ms, the SET at 501 ms */
    ck_assert_str_eq(line, "600000,4,GET,k,v4,v2,stale_read,6,600000,501000,3,SET,v4\n");
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f)); /* the final drain: a lost write */
    ck_assert_ptr_nonnull(strstr(line, ",0,DRAIN,k,v4,v2,lost_write,6,"));
    fclose(f);
    ck_assert_ptr_nonnull(strstr(res.first_race, "write SET v4 @501000 c3; GET @600000 c4"));
}
END_TEST

START_TEST(test_toggle_rules) {
    ds_config c;
    char buf[32];
    ds_config_default(&c);
    ds_toggle_rules(&c, buf, sizeof buf);
    ck_assert_str_eq(buf, "none");
    c.negcache = false;
    c.load_priority = DS_LOAD_ALWAYS_HEAD;
    ds_toggle_rules(&c, buf, sizeof buf);
    ck_assert_str_eq(buf, "4+7");
    ds_config_default(&c);
    c.drain_snapshot = c.drop_failed_saves = c.unpin_parked_keys = true;
    ds_toggle_rules(&c, buf, sizeof buf);
    ck_assert_str_eq(buf, "2+9+10");
}
END_TEST

/* A value read after its TTL passed (at issue) is stale, however it got into memory. */
START_TEST(test_oracle_rejects_a_value_past_its_ttl) {
    ds_err err;
    ds_oracle *o = ds_oracle_new(false, &err);
    ds_value *v = ds_oracle_value(o, "k", 1, 100, 2000000);
    ck_assert_int_eq(ds_oracle_ack(o, "k", 1, v, &err), DS_OK);
    ds_oracle_snap s;
    char e[32], g[32];
    ds_oracle_snapshot(o, "k", 1, &s);
    s.issue_us = 1999999; /* alive at issue: fine even if answered later */
    ck_assert(ds_oracle_check(o, "k", 1, v, &s, 2500000, e, g, sizeof e));
    s.issue_us = 2000000; /* expired at issue */
    ck_assert(!ds_oracle_check(o, "k", 1, v, &s, 2000000, e, g, sizeof e));
    ck_assert_str_eq(e, "absent(expired)");
    ck_assert(ds_oracle_check(o, "k", 1, NULL, &s, 2000000, e, g, sizeof e));
    ds_value_unref(v);
    ds_oracle_free(o);
}
END_TEST

/* The answer path's shortcut (ds_oracle_read_plain) accepts exactly what the full check
 * accepts while the oracle is untouched, and nothing once it holds a key or made a version. */
START_TEST(test_oracle_plain_read_agrees_with_the_check) {
    ds_err err;
    char e[32], g[32];
    ds_value *plain = ds_value_new("x", 1, 100, 0);
    for (int origin = 0; origin < 2; origin++) {
        ds_oracle *o = ds_oracle_new(origin, &err);
        ds_oracle_snap s;
        ds_oracle_snapshot(o, "k", 1, &s);
        const ds_value *seen[2] = {NULL, plain};
        for (int i = 0; i < 2; i++)
            if (ds_oracle_read_plain(o, seen[i]))
                ck_assert(ds_oracle_check(o, "k", 1, seen[i], &s, 1, e, g, sizeof e));
        ck_assert(ds_oracle_read_plain(o, origin ? plain : NULL));
        ck_assert(!ds_oracle_read_plain(o, origin ? NULL : plain)); /* absent / foreign */
        ck_assert(!ds_oracle_check(o, "k", 1, origin ? NULL : plain, &s, 1, e, g, sizeof e));
        ds_value *v = ds_oracle_value(o, "k", 1, 100, 0); /* a version handed out */
        ck_assert(!ds_oracle_read_plain(o, origin ? plain : NULL));
        ck_assert_int_eq(ds_oracle_ack(o, "k", 1, v, &err), DS_OK); /* and a key held */
        ck_assert(!ds_oracle_read_plain(o, origin ? plain : NULL));
        ds_oracle_snapshot(o, "k", 1, &s); /* issued after the write: the old state is stale */
        ck_assert(!ds_oracle_check(o, "k", 1, origin ? plain : NULL, &s, 1, e, g, sizeof e));
        ds_value_unref(v);
        ds_oracle_free(o);
    }
    ds_value_unref(plain);
}
END_TEST

/* The issue's test: a 20,000-request zipf trace with both DEL-then-GET guards off shrinks to
 * at most 10 lines that still show a stale read with the same options and seed. */
START_TEST(test_shrink_zipf_to_ten_lines) {
    const char *min = in_tmp("min.csv");
    const char *argv[] = {"shrink",
                          "gen:zipf:0.99,keys=200,requests=20000,mix=get:0.5/set:0.3/del:0.2,"
                          "clients=8",
                          "--cache-max-keys",
                          "50",
                          "--negcache",
                          "off",
                          "--load-priority",
                          "always-head",
                          "-o",
                          min};
    char *out;
    ck_assert_int_eq(capture(ds_main_shrink, 10, argv, &out), 0);
    ck_assert_ptr_nonnull(strstr(out, "shrink: 20000 lines -> "));
    free(out);
    FILE *f = fopen(min, "r");
    ck_assert_ptr_nonnull(f);
    char line[256];
    int lines = 0;
    while (fgets(line, sizeof line, f))
        lines++;
    fclose(f);
    ck_assert_int_le(lines - 1, 10); /* header excluded */
    ck_assert_int_ge(lines - 1, 2);
    static ds_replay_opts o;
    const char *rargv[] = {min,   "--cache-max-keys", "50",         "--negcache",
                           "off", "--load-priority",  "always-head"};
    opts_of(&o, rargv, 7);
    snprintf(o.out, sizeof o.out, "%s", in_tmp("minrun"));
    ds_replay_result res;
    ds_err err;
    ck_assert_msg(ds_replay_run(&o, &res, &err) == DS_OK, "%s", err.msg);
    ck_assert_int_gt(res.stale_reads, 0);
}
END_TEST

START_TEST(test_shrink_refuses_a_clean_trace) {
    const char *argv[] = {"shrink", SCN "/del_then_get.csv", "-o", in_tmp("m.csv")};
    char *out;
    ck_assert_int_eq(capture(ds_main_shrink, 4, argv, &out), 1);
    free(out);
}
END_TEST

/* ---- the seed runner ---- */

static ds_status sr_square(void *ctx, unsigned worker, uint64_t seed, char *out, size_t cap) {
    const uint64_t *fail_at = ctx;
    (void)worker;
    if (seed == *fail_at) return snprintf(out, cap, "boom"), DS_ERR_IO;
    snprintf(out, cap, "%llu\twith a tab", (unsigned long long)(seed * seed));
    return DS_OK;
}

typedef struct sr_seen {
    uint64_t seeds[64];
    char lines[64][64];
    int n;
} sr_seen;

static void sr_collect(void *ctx, uint64_t seed, const char *line) {
    sr_seen *s = ctx;
    if (s->n < 64) {
        s->seeds[s->n] = seed;
        snprintf(s->lines[s->n], sizeof s->lines[0], "%s", line);
    }
    s->n++;
}

START_TEST(test_seedrun_collects_in_seed_order) {
    uint64_t never = 0;
    sr_seen seen = {0};
    ds_seedrun_opts so = {.first = 5, .count = 37, .jobs = 3};
    ds_seedrun_stats st;
    ds_err err;
    ck_assert_msg(ds_seedrun(&so, sr_square, &never, sr_collect, &seen, &st, &err) == DS_OK, "%s",
                  err.msg);
    ck_assert_int_eq(st.jobs, 3);
    ck_assert_int_eq(seen.n, 37);
    for (int i = 0; i < 37; i++) {
        char want[64];
        snprintf(want, sizeof want, "%llu\twith a tab", (unsigned long long)((5 + i) * (5 + i)));
        ck_assert_int_eq(seen.seeds[i], 5 + (uint64_t)i);
        ck_assert_str_eq(seen.lines[i], want);
    }
}
END_TEST

START_TEST(test_seedrun_names_the_failing_seed) {
    uint64_t fail_at = 9;
    sr_seen seen = {0};
    ds_seedrun_opts so = {.first = 1, .count = 20, .jobs = 2};
    ds_err err;
    ck_assert_int_eq(ds_seedrun(&so, sr_square, &fail_at, sr_collect, &seen, NULL, &err),
                     DS_ERR_IO);
    ck_assert_str_eq(err.msg, "seed 9: boom");
    ck_assert_int_ge(seen.n, 8); /* every seed before the failing one was collected */
    ck_assert_int_lt(seen.n, 20);
}
END_TEST

/* ---- the core: toggles and exploration hooks ---- */

/* Rule 8: eviction never leaves a negative entry (negcache-on-evict is the 2011 bug). */
static ds_status evicted_clean_key_get(bool toggle) {
    ds_config cfg = th_cfg(0);
    cfg.max_keys = 1;
    snprintf(cfg.evict, sizeof cfg.evict, "lru-exact");
    cfg.negcache_on_evict = toggle;
    TH_OPEN(th, cfg);
    th_set_ok(th, 1, "a", "va");
    th_set_ok(th, 1, "b", "vb");
    ck_assert_int_eq(ds_cache_drain(th->cache), DS_OK); /* both saved, both clean */
    ck_assert_int_eq(ds_cache_cron(th->cache), DS_OK);  /* evicts a, the older */
    ck_assert_ptr_null(ds_cache_peek(th->cache, "a", 1));
    ds_status st = th_do(th, 2, th_get(th, "a"));
    th_fini(th);
    return st;
}

START_TEST(test_eviction_leaves_no_negative_entry) {
    ck_assert_int_eq(evicted_clean_key_get(false), DS_BLOCKED); /* loads it from disk */
    ck_assert_int_eq(evicted_clean_key_get(true), DS_OK);       /* answered "absent" */
}
END_TEST

/* Rule 2: a failed SAVE stays scheduled; drop-failed-saves loses it. */
START_TEST(test_failed_save_is_retried_unless_dropped) {
    for (int toggle = 0; toggle < 2; toggle++) {
        ds_config cfg = th_cfg(0);
        cfg.drop_failed_saves = toggle;
        TH_OPEN(th, cfg);
        th_set_ok(th, 1, "k", "v1");
        ck_assert_int_eq(th_take_all(th), 1);
        ck_assert_int_eq(th_complete(th, th_find(th, DS_JOB_SAVE, "k"), DS_ERR_IO, NULL), DS_OK);
        unsigned flags = ds_cache_key_flags(th->cache, "k", 1);
        ck_assert_int_eq(flags & DS_FLAG_SAVE, toggle ? 0 : DS_FLAG_SAVE);
        th_fini(th);
    }
}
END_TEST

/* A loaded value keeps its expire time; load-drops-ttl forgets it. */
START_TEST(test_loaded_value_keeps_its_ttl) {
    for (int toggle = 0; toggle < 2; toggle++) {
        ds_config cfg = th_cfg(0);
        cfg.load_drops_ttl = toggle;
        TH_OPEN(th, cfg);
        th_get_blocked(th, 1, "t");
        ck_assert_int_eq(th_take_all(th), 1);
        ds_job *j = th_find(th, DS_JOB_LOAD, "t");
        j->value = ds_value_new("old", 3, 3, 5000000);
        j->result = DS_OK;
        ck_assert_int_eq(ds_cache_job_done(th->cache, j), DS_OK);
        th->njobs = 0;
        const ds_value *v = ds_cache_peek(th->cache, "t", 1);
        ck_assert_ptr_nonnull(v);
        ck_assert_int_eq(v->expire_us, toggle ? 0 : 5000000);
        th_fini(th);
    }
}
END_TEST

START_TEST(test_buggify_off_never_fires_and_on_is_seeded) {
    ds_buggify off, a, b;
    ds_buggify_init(&off, false, 7);
    ds_buggify_init(&a, true, 7);
    ds_buggify_init(&b, true, 7);
    int fired = 0;
    for (int i = 0; i < 4000; i++) {
        unsigned site = (unsigned)i % DS_BUGGIFY_SITES;
        ck_assert(!ds_buggify_fire(&off, site));
        bool fa = ds_buggify_fire(&a, site);
        ck_assert_int_eq(fa, ds_buggify_fire(&b, site)); /* same seed, same firings */
        fired += fa;
    }
    /* sites on with p = 1/4, firing with p = 1/4: about 1/16 of the asks */
    ck_assert_int_gt(fired, 4000 / 64);
    ck_assert_int_lt(fired, 4000 / 6);
    ck_assert(!ds_buggify_fire(&a, DS_BUGGIFY_SITES)); /* unknown site */
}
END_TEST

static Suite *suite(void) {
    Suite *s = suite_create("racelab");
    TCase *tc = tcase_create("racelab");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_check_every_scenario_clean_and_caught);
    tcase_add_test(tc, test_check_explores_50_seeds_per_scenario);
    tcase_add_test(tc, test_check_fails_a_silent_toggle);
    tcase_add_test(tc, test_check_hold_memory_catches_an_overshoot);
    tcase_add_test(tc, test_bad_input_exits_2);
    tcase_add_test(tc, test_explore_seed_reruns_alone);
    tcase_add_test(tc, test_explore_mixed_workload_clean_with_defaults);
    tcase_add_test(tc, test_explore_bad_out_is_one_clear_line);
    tcase_add_test(tc, test_races_csv_names_the_write_and_the_read);
    tcase_add_test(tc, test_toggle_rules);
    tcase_add_test(tc, test_oracle_rejects_a_value_past_its_ttl);
    tcase_add_test(tc, test_oracle_plain_read_agrees_with_the_check);
    tcase_add_test(tc, test_shrink_zipf_to_ten_lines);
    tcase_add_test(tc, test_shrink_refuses_a_clean_trace);
    tcase_add_test(tc, test_seedrun_collects_in_seed_order);
    tcase_add_test(tc, test_seedrun_names_the_failing_seed);
    tcase_add_test(tc, test_eviction_leaves_no_negative_entry);
    tcase_add_test(tc, test_failed_save_is_retried_unless_dropped);
    tcase_add_test(tc, test_loaded_value_keeps_its_ttl);
    tcase_add_test(tc, test_buggify_off_never_fires_and_on_is_seeded);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return ds_test_run(suite()); }
