/*
 * test_real.c - `dslab replay --clock real`: worker threads, eventfd, wall clock.
 *
 * Why these tests: real mode is where the core's single-thread contract meets real
 * concurrency, so each test replays a few thousand requests through the whole stack (reader,
 * clients, oracle, engine, backend) and asserts the oracle's verdict: no stale read, no lost
 * write, every request answered. The same suite runs under ThreadSanitizer (make test-tsan),
 * which is the actual data-race check. Faults are compared across both clocks: the core must
 * retry failed SAVEs and report failed LOADs the same way whatever drives time.
 *
 * No timing assertions: the only time checks are lower bounds that follow from the design
 * (a run cannot end before its last arrival is due).
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine_real.h"
#include "replay.h"
#include "scratch.h"

#define MIX   "mix=get:0.5/set:0.35/del:0.1/mget:0.05"
#define GEN4K "gen:uniform,keys=1500,requests=4000,clients=8,seed=7," MIX

typedef struct tdir {
    char path[DS_SCRATCH_CAP];
} tdir;

static void tdir_make(tdir *d) { ds_scratch_make(d->path, sizeof d->path, "test-real"); }

static void tdir_rm(const tdir *d) { ds_scratch_rm(d->path); }

static void set(ds_replay_opts *o, const char *name, const char *value) {
    ds_err err = {{0}};
    ds_status st = ds_cli_set(o, name, value, &err);
    ck_assert_msg(st == DS_OK, "--%s %s: %s", name, value ? value : "", err.msg);
}

/* Options for a quiet run writing into dir/out; real clock, --speed max, 4 io threads. */
static void opts(ds_replay_opts *o, const tdir *d, const char *trace, const char *clock) {
    ds_replay_opts_default(o);
    snprintf(o->trace, sizeof o->trace, "%s", trace);
    snprintf(o->out, sizeof o->out, "%s/out-%s", d->path, clock);
    set(o, "clock", clock);
    set(o, "speed", "max");
    set(o, "io-threads", "4");
    set(o, "latency", "fixed:200");
    o->quiet = true;
    o->progress = false;
}

static void run_ok(const ds_replay_opts *o, ds_replay_result *res) {
    ds_err err = {{0}};
    ds_status st = ds_replay_run(o, res, &err);
    ck_assert_msg(st == DS_OK, "replay failed: %s", err.msg);
}

static void assert_clean(const ds_replay_result *res, uint64_t requests) {
    ck_assert_uint_eq(res->requests, requests);
    ck_assert_uint_eq(res->stale_reads, 0);
    ck_assert_uint_eq(res->lost_writes, 0);
}

/* The first line of out/name, or "" when the file is missing. */
static void header_of(const char *out, const char *name, char *buf, size_t cap) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", out, name);
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f) return;
    if (!fgets(buf, (int)cap, f)) buf[0] = '\0';
    fclose(f);
}

/* Real and virtual mode write the same CSVs with the same columns. */
static void assert_same_csvs(const char *out_real, const char *out_virtual) {
    static const char *files[] = {"summary.csv", "timeseries.csv", "latency.csv"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char a[4096], b[4096];
        header_of(out_real, files[i], a, sizeof a);
        header_of(out_virtual, files[i], b, sizeof b);
        ck_assert_msg(a[0] != '\0', "%s/%s missing or empty", out_real, files[i]);
        ck_assert_str_eq(a, b);
    }
}

/* The real engine takes a job from the core only when an IO thread is free, as the virtual
 * engine does: a job taken early would wait in the engine's FIFO behind SAVEs the core's IO
 * policy would have put after it. Counted through the io_taken/io_done hooks. */
typedef struct depth {
    int now, max;
} depth;
static void depth_taken(void *ctx, const ds_job *job) {
    (void)job;
    depth *d = ctx;
    if (++d->now > d->max) d->max = d->now;
}
static void depth_done(void *ctx, const ds_job *job) {
    (void)job;
    ((depth *)ctx)->now--;
}

START_TEST(test_real_takes_jobs_only_for_idle_threads) {
    tdir d;
    tdir_make(&d);
    ds_replay_opts o;
    opts(&o, &d, "gen:uniform,keys=400,requests=1500,clients=8,seed=3,mix=get:0.3/set:0.7", "real");
    set(&o, "io-threads", "2");
    set(&o, "cache-flush-delay", "0"); /* cron hands out SAVEs in bursts of max-io-jobs */
    set(&o, "cache-max-keys", "100");
    depth dp = {0, 0};
    ds_replay_hooks hooks = {.ctx = &dp, .io_taken = depth_taken, .io_done = depth_done};
    o.hooks = &hooks;
    ds_replay_result res;
    run_ok(&o, &res);
    assert_clean(&res, 1500);
    ck_assert_int_eq(dp.max, 2); /* both threads were used, never more jobs than threads */
    ck_assert_int_eq(dp.now, 0);
    tdir_rm(&d);
}
END_TEST

START_TEST(test_real_fake_backend_no_stale_no_lost) {
    tdir d;
    tdir_make(&d);
    ds_replay_opts o, ov;
    ds_replay_result res, resv;
    opts(&o, &d, GEN4K, "real");
    run_ok(&o, &res);
    assert_clean(&res, 4000);
    ck_assert_uint_eq(res.errors, 0);
    ck_assert_uint_gt(res.stats.disk_loads, 0);
    ck_assert_uint_gt(res.stats.disk_saves, 0);
    ck_assert_uint_eq(res.stats.jobs_processing, 0);
    opts(&ov, &d, GEN4K, "virtual");
    run_ok(&ov, &resv);
    assert_clean(&resv, 4000);
    assert_same_csvs(o.out, ov.out);
    tdir_rm(&d);
}
END_TEST

START_TEST(test_real_file_backend_no_stale_no_lost) {
    tdir d;
    tdir_make(&d);
    ds_replay_opts o;
    ds_replay_result res;
    opts(&o, &d, GEN4K, "real");
    set(&o, "backend", "file");
    char store[128];
    snprintf(store, sizeof store, "%s/store", d.path);
    set(&o, "backend-path", store);
    set(&o, "latency", "fixed:0");
    run_ok(&o, &res);
    assert_clean(&res, 4000);
    ck_assert_uint_eq(res.errors, 0);
    ck_assert_uint_gt(res.stats.disk_saves, 0);
    char h[4096];
    header_of(o.out, "summary.csv", h, sizeof h);
    ck_assert_ptr_nonnull(strstr(h, "stale_reads"));
    tdir_rm(&d);
}
END_TEST

/* Memory pressure makes the core wait for IO from inside exec (host.wait_io, rule 8) while
 * workers run: the re-entrant path of the engine. */
START_TEST(test_real_memory_pressure_waits_inside_exec) {
    tdir d;
    tdir_make(&d);
    ds_replay_opts o;
    ds_replay_result res;
    opts(&o, &d,
         "gen:uniform,keys=3000,requests=4000,clients=8,seed=3,size=fixed:1000,"
         "mix=get:0.5/set:0.5",
         "real");
    set(&o, "cache-max-memory", "256kb");
    set(&o, "evict-at", "insert");
    run_ok(&o, &res);
    assert_clean(&res, 4000);
    ck_assert_uint_gt(res.stats.evictions, 0);
    ck_assert_uint_le(res.stats.peak_memory_bytes, 256 * 1024 + 64 * 1024);
    tdir_rm(&d);
}
END_TEST

/* err=0.2 on every backend call: SAVEs are retried, LOADs fail to their clients, and after the
 * drain (faults off) the backend still holds exactly what was acknowledged. A 1 ms flush delay
 * makes SAVEs run (and fail) during the trace: in virtual time the whole trace lasts less than
 * the default delay, so every SAVE would otherwise wait for the fault-free drain. */
static void faults_case(const char *clock) {
    tdir d;
    tdir_make(&d);
    ds_replay_opts o;
    ds_replay_result res;
    opts(&o, &d, GEN4K, clock);
    set(&o, "faults", "err=0.2");
    set(&o, "cache-flush-delay", "1"); /* SAVEs run during the trace, not only in the drain */
    set(&o, "save-retry-backoff", "1");
    set(&o, "save-retry-max", "20");
    run_ok(&o, &res);
    ck_assert_uint_eq(res.requests, 4000);
    ck_assert_uint_gt(res.stats.save_retries, 0);
    ck_assert_uint_gt(res.stats.load_errors, 0);
    ck_assert_uint_gt(res.errors, 0); /* the clients of failed LOADs saw io-error */
    ck_assert_uint_eq(res.stale_reads, 0);
    ck_assert_uint_eq(res.lost_writes, 0);
    tdir_rm(&d);
}

START_TEST(test_real_faults_retry_and_lose_nothing) { faults_case("real"); }
END_TEST

START_TEST(test_virtual_faults_retry_and_lose_nothing) { faults_case("virtual"); }
END_TEST

/* Open loop: a request is not issued before its trace time / speed, so the run lasts at least
 * as long as the trace's span (a lower bound only; no upper bound is asserted). */
START_TEST(test_real_open_loop_waits_for_trace_time) {
    tdir d;
    tdir_make(&d);
    ds_replay_opts o;
    ds_replay_result res;
    /* 400 requests at a fixed 4000/s: the last arrives 99.75 ms after the first; speed 0.5
     * doubles that. */
    opts(&o, &d, "gen:uniform,keys=100,requests=400,clients=4,arrival=fixed:4000,seed=5", "real");
    set(&o, "speed", "0.5");
    run_ok(&o, &res);
    assert_clean(&res, 400);
    ck_assert_msg(res.sim_seconds >= 0.1995, "run ended at %.4f s", res.sim_seconds);
    tdir_rm(&d);
}
END_TEST

/* Closed loop with --think: one client, each request waits think time after the previous
 * answer. */
START_TEST(test_real_closed_loop_think_time) {
    tdir d;
    tdir_make(&d);
    ds_replay_opts o;
    ds_replay_result res;
    opts(&o, &d, "gen:uniform,keys=50,requests=100,clients=1,seed=9", "real");
    set(&o, "closed", "on");
    set(&o, "think", "2000");
    run_ok(&o, &res);
    assert_clean(&res, 100);
    ck_assert_msg(res.sim_seconds >= 0.198, "run ended at %.4f s", res.sim_seconds);
    tdir_rm(&d);
}
END_TEST

/* The save log: every acknowledged SAVE was logged as handed to a worker first, and there is
 * one acknowledgement per completed SAVE or disk delete. */
START_TEST(test_real_save_log_acks_follow_pushes) {
    tdir d;
    tdir_make(&d);
    char log[128];
    snprintf(log, sizeof log, "%s/save.log", d.path);
    setenv(DS_ENGINE_REAL_SAVE_LOG_ENV, log, 1); /* Check forks per test: stays in this test */
    ds_replay_opts o;
    ds_replay_result res;
    opts(&o, &d, GEN4K, "real");
    run_ok(&o, &res);
    unsetenv(DS_ENGINE_REAL_SAVE_LOG_ENV);
    assert_clean(&res, 4000);
    FILE *f = fopen(log, "r");
    ck_assert_ptr_nonnull(f);
    static unsigned char pushed[1u << 16];
    char line[DS_KEY_MAX_BYTES * 2 + 64];
    uint64_t acks = 0, pushes = 0, id;
    while (fgets(line, sizeof line, f)) {
        ck_assert_ptr_nonnull(strchr(line, '\n'));
        if (sscanf(line, "P %" SCNu64, &id) == 1) {
            ck_assert_uint_lt(id, sizeof pushed);
            pushed[id] = 1;
            pushes++;
        } else {
            ck_assert_int_eq(sscanf(line, "A %" SCNu64, &id), 1);
            ck_assert_uint_lt(id, sizeof pushed);
            ck_assert_msg(pushed[id], "job %lu acknowledged before it was pushed",
                          (unsigned long)id);
            acks++;
        }
    }
    fclose(f);
    ck_assert_uint_eq(acks, res.stats.disk_saves + res.stats.disk_dels);
    ck_assert_uint_ge(pushes, acks);
    tdir_rm(&d);
}
END_TEST

/* Bad input never crashes: a save log that cannot be opened is a one-line error. */
START_TEST(test_real_bad_save_log_is_an_error) {
    tdir d;
    tdir_make(&d);
    setenv(DS_ENGINE_REAL_SAVE_LOG_ENV, "/nonexistent-dir/x/save.log", 1);
    ds_replay_opts o;
    ds_replay_result res;
    ds_err err = {{0}};
    opts(&o, &d, GEN4K, "real");
    ck_assert_int_ne(ds_replay_run(&o, &res, &err), DS_OK);
    ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent-dir/x/save.log"));
    unsetenv(DS_ENGINE_REAL_SAVE_LOG_ENV);
    tdir_rm(&d);
}
END_TEST

static Suite *real_suite(void) {
    Suite *s = suite_create("real");
    TCase *tc = tcase_create("real");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_real_fake_backend_no_stale_no_lost);
    tcase_add_test(tc, test_real_takes_jobs_only_for_idle_threads);
    tcase_add_test(tc, test_real_file_backend_no_stale_no_lost);
    tcase_add_test(tc, test_real_memory_pressure_waits_inside_exec);
    tcase_add_test(tc, test_real_faults_retry_and_lose_nothing);
    tcase_add_test(tc, test_virtual_faults_retry_and_lose_nothing);
    tcase_add_test(tc, test_real_open_loop_waits_for_trace_time);
    tcase_add_test(tc, test_real_closed_loop_think_time);
    tcase_add_test(tc, test_real_save_log_acks_follow_pushes);
    tcase_add_test(tc, test_real_bad_save_log_is_an_error);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(real_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
