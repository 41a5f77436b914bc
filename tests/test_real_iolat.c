/*
 * test_real_iolat.c - what a real-clock run measures about itself: io_latency.csv (backend
 * service time by op, wait for a worker, hand-off back to the core) and core_cpu.csv (the
 * core's thread CPU time per command type). `dslab calibrate` builds its models from these, so
 * the counts must match the run's own counters exactly and the times must respect what the
 * fake backend is known to sleep.
 *
 * Named test_real_* so that make test-tsan runs it too.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvtab.h"
#include "replay.h"
#include "scratch.h"
#include "testmain.h"

#define TRACE "gen:uniform,keys=800,requests=3000,clients=4,seed=3,mix=get:0.6/set:0.3/del:0.1"

static char dir[DS_SCRATCH_CAP];

static void setup(void) { ds_scratch_make(dir, sizeof dir, "test-iolat"); }

static void teardown(void) { ds_scratch_rm(dir); }

static void set(ds_replay_opts *o, const char *name, const char *value) {
    ds_err err = {{0}};
    ck_assert_msg(ds_cli_set(o, name, value, &err) == DS_OK, "--%s: %s", name, err.msg);
}

static void run_io(const char *clock, const char *latency, const char *io_latency,
                   ds_replay_result *res, char *out) {
    ds_replay_opts o;
    ds_replay_opts_default(&o);
    snprintf(o.trace, sizeof o.trace, "%s", TRACE);
    snprintf(out, 128, "%s/out-%s-%s", dir, clock, io_latency);
    set(&o, "io-latency", io_latency);
    snprintf(o.out, sizeof o.out, "%s", out);
    set(&o, "clock", clock);
    set(&o, "speed", "max");
    set(&o, "latency", latency);
    set(&o, "cache-max-keys", "200");
    set(&o, "cache-flush-delay", "0");
    o.quiet = true;
    o.progress = false;
    ds_err err = {{0}};
    ck_assert_msg(ds_replay_run(&o, res, &err) == DS_OK, "replay: %s", err.msg);
    ck_assert_uint_eq(res->stale_reads + res->lost_writes, 0);
}

static void run(const char *clock, const char *latency, ds_replay_result *res, char *out) {
    run_io(clock, latency, "off", res, out);
}

/* Sum of `count` and the largest bucket_hi reached at cum_fraction 0.5 for one op. */
static uint64_t hist_count(const char *out, const char *file, const char *op, long *p50_hi) {
    char path[256], line[256];
    snprintf(path, sizeof path, "%s/%s", out, file);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s missing", path);
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_str_eq(line, "op,bucket_lo_us,bucket_hi_us,count,cum_fraction\n");
    uint64_t n = 0;
    *p50_hi = -1;
    while (fgets(line, sizeof line, f)) {
        char name[32];
        long lo, hi;
        unsigned long long c;
        double cum;
        ck_assert_int_eq(sscanf(line, "%31[^,],%ld,%ld,%llu,%lf", name, &lo, &hi, &c, &cum), 5);
        if (strcmp(name, op) != 0) continue;
        n += c;
        if (*p50_hi < 0 && cum >= 0.5) *p50_hi = hi;
    }
    fclose(f);
    return n;
}

/* count of one op in core_cpu.csv (0 when absent); mean in *mean_us. */
static uint64_t cpu_count(const char *out, const char *op, double *mean_us) {
    char path[256], line[256];
    snprintf(path, sizeof path, "%s/core_cpu.csv", out);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s missing", path);
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_str_eq(line, "op,count,total_us,mean_us\n");
    uint64_t n = 0;
    *mean_us = 0;
    while (fgets(line, sizeof line, f)) {
        char name[32];
        unsigned long long c;
        double total, mean;
        ck_assert_int_eq(sscanf(line, "%31[^,],%llu,%lf,%lf", name, &c, &total, &mean), 4);
        if (strcmp(name, op) == 0) n = c, *mean_us = mean;
    }
    fclose(f);
    return n;
}

START_TEST(test_io_latency_counts_match_the_run) {
    ds_replay_result res;
    char out[128];
    run("real", "fixed:300", &res, out);
    long p50;
    ck_assert_uint_eq(hist_count(out, "io_latency.csv", "backend_get", &p50), res.stats.disk_loads);
    ck_assert_int_ge(p50, 300); /* the worker slept the fake's 300 us */
    uint64_t sets = hist_count(out, "io_latency.csv", "backend_set", &p50);
    uint64_t dels = hist_count(out, "io_latency.csv", "backend_del", &p50);
    /* the warm-up and the final drain are not measured (iolat.h: ds_iolat_pause): the IO
     * counted is the run phase's, summary.csv's disk_saves and disk_dels */
    ds_csvtab sum;
    char path[160];
    ds_err err;
    double run_saves = -1, run_dels = -1;
    snprintf(path, sizeof path, "%s/summary.csv", out);
    ck_assert_msg(ds_csvtab_read(path, &sum, &err) == DS_OK, "%s", err.msg);
    ck_assert(ds_csvtab_num(&sum, 0, "disk_saves", &run_saves));
    ck_assert(ds_csvtab_num(&sum, 0, "disk_dels", &run_dels));
    ds_csvtab_free(&sum);
    ck_assert_uint_eq(sets + dels, (uint64_t)(run_saves + run_dels));
    ck_assert_uint_le(sets + dels, res.stats.disk_saves + res.stats.disk_dels);
    uint64_t jobs = res.stats.disk_loads + sets + dels;
    ck_assert_uint_eq(hist_count(out, "io_latency.csv", "queue_wait", &p50), jobs);
    ck_assert_uint_eq(hist_count(out, "io_latency.csv", "handoff", &p50), jobs);
    /* every call also has its CPU time (the backend call alone: the fake's 300 us sleep is
     * off the CPU) and its own time (the worker's whole time minus any wait for a core, so
     * the sleep is in it) */
    ck_assert_uint_eq(hist_count(out, "io_latency.csv", "cpu_get", &p50), res.stats.disk_loads);
    ck_assert_int_lt(p50, 300);
    ck_assert_uint_eq(hist_count(out, "io_latency.csv", "service_get", &p50), res.stats.disk_loads);
    ck_assert_int_ge(p50, 300);
    ck_assert_uint_eq(hist_count(out, "io_latency.csv", "cpu_set", &p50) +
                          hist_count(out, "io_latency.csv", "cpu_del", &p50),
                      sets + dels);
    /* closed loop (--speed max): no request is ever due while the main thread sleeps */
    ck_assert_uint_eq(hist_count(out, "io_latency.csv", "wakeup", &p50), 0);
    ck_assert_uint_eq(hist_count(out, "io_latency.csv", "arrival_late", &p50), 0);
}
END_TEST

/* Open loop at trace times: every request whose client is free is measured for lateness, and
 * an arrival that finds the main thread asleep gives at most one wakeup sample. */
START_TEST(test_open_loop_measures_lateness) {
    ds_replay_opts o;
    ds_replay_opts_default(&o);
    snprintf(o.trace, sizeof o.trace, "%s",
             "gen:uniform,keys=50,requests=40,clients=1,seed=3,arrival=fixed:50");
    snprintf(o.out, sizeof o.out, "%s/open", dir);
    set(&o, "clock", "real");
    set(&o, "latency", "fixed:0");
    o.quiet = true, o.progress = false;
    ds_replay_result res;
    ds_err err = {{0}};
    ck_assert_msg(ds_replay_run(&o, &res, &err) == DS_OK, "replay: %s", err.msg);
    long p50;
    uint64_t late = hist_count(o.out, "io_latency.csv", "arrival_late", &p50);
    uint64_t wake = hist_count(o.out, "io_latency.csv", "wakeup", &p50);
    ck_assert_uint_gt(late, 0);
    ck_assert_uint_le(late, 40);
    ck_assert_uint_gt(wake, 0);  /* 20 ms apart: the main thread sleeps between arrivals */
    ck_assert_uint_le(wake, 40); /* at most one per arrival */
}
END_TEST

START_TEST(test_core_cpu_counts_every_command) {
    ds_replay_result res;
    char out[128];
    run("real", "fixed:0", &res, out);
    double mean;
    uint64_t gets = cpu_count(out, "get", &mean);
    ck_assert_uint_eq(gets, res.n_op[DS_OP_GET]);
    ck_assert(mean > 0.0 && mean < 10000.0);
    ck_assert_uint_eq(cpu_count(out, "set", &mean), res.n_op[DS_OP_SET]);
    ck_assert_uint_eq(cpu_count(out, "done_load", &mean), res.stats.disk_loads);
}
END_TEST

START_TEST(test_virtual_runs_write_no_cost_files) {
    ds_replay_result res;
    char out[128], path[256];
    run("virtual", "fixed:100", &res, out);
    snprintf(path, sizeof path, "%s/io_latency.csv", out);
    ck_assert_int_ne(access(path, F_OK), 0); /* nothing real was measured */
}
END_TEST

/* --io-latency on a virtual run: io_latency.csv holds what the model charged, in the real
 * run's kinds (a sample per IO, the fixed 100 us service), and no core_cpu.csv (nothing was
 * measured). */
START_TEST(test_virtual_io_latency_writes_the_model_terms) {
    ds_replay_result res;
    char out[128], path[256];
    run_io("virtual", "fixed:100", "on", &res, out);
    long p50;
    uint64_t jobs = res.stats.disk_loads + res.stats.disk_saves + res.stats.disk_dels;
    ck_assert_uint_eq(hist_count(out, "io_latency.csv", "queue_wait", &p50), jobs);
    ck_assert_uint_eq(hist_count(out, "io_latency.csv", "backend_get", &p50), res.stats.disk_loads);
    ck_assert_int_eq(p50, 100);
    ck_assert_uint_eq(hist_count(out, "io_latency.csv", "service_get", &p50), res.stats.disk_loads);
    ck_assert_int_eq(p50, 100);
    snprintf(path, sizeof path, "%s/core_cpu.csv", out);
    ck_assert_int_ne(access(path, F_OK), 0);
}
END_TEST

int main(void) {
    Suite *s = suite_create("real_iolat");
    TCase *tc = tcase_create("iolat");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_io_latency_counts_match_the_run);
    tcase_add_test(tc, test_core_cpu_counts_every_command);
    tcase_add_test(tc, test_virtual_io_latency_writes_the_model_terms);
    tcase_add_test(tc, test_open_loop_measures_lateness);
    tcase_add_test(tc, test_virtual_runs_write_no_cost_files);
    suite_add_tcase(s, tc);
    return ds_test_run(s);
}
