/*
 * test_replay_input.c - `dslab replay` on hostile input and absurd settings (issue 8): every
 * one ends with a clear one-line error or the right answer, and a run's cost follows its
 * requests and IOs, not the span of its clock.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "replay.h"
#include "replayrun.h"
#include "scratch.h"
#include "testmain.h"

static char tmpdir[DS_SCRATCH_CAP];

static void setup(void) { ds_scratch_make(tmpdir, sizeof tmpdir, "input"); }

static void teardown(void) { ds_scratch_rm(tmpdir); }

#define HDR "time_us,client,op,key,size,ttl_s\n"

/* Parse trace + flags (NULL-terminated) like the command line, run into tmpdir/out. */
static ds_status run(const char *trace, const char *out, ds_replay_result *res, ds_err *err,
                     const char *const *flags) {
    ds_replay_opts *o;
    ds_status st = ds_test_replay_parse(trace, flags, ds_scratch_path(tmpdir, out), &o, err);
    return st != DS_OK ? st : ds_replay_run(o, res, err);
}

static long file_size(const char *dir, const char *name) {
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    struct stat sb;
    return stat(p, &sb) == 0 ? (long)sb.st_size : -1;
}

static void expect_error(ds_status st, const ds_err *err, ds_status want, const char *prefix,
                         const char *what) {
    ck_assert_msg(st == want, "status %s, want %s (%s)", ds_status_name(st), ds_status_name(want),
                  err->msg);
    ck_assert_msg(strncmp(err->msg, prefix, strlen(prefix)) == 0, "'%s' does not start '%s'",
                  err->msg, prefix);
    ck_assert_msg(strstr(err->msg, what) != NULL, "'%s' lacks '%s'", err->msg, what);
    ck_assert_ptr_null(strchr(err->msg, '\n'));
}

/* ---- empty traces and time ---- */

START_TEST(test_empty_or_header_only_trace_is_an_error) {
    const char *clocks[] = {"virtual", "real"};
    for (int c = 0; c < 2; c++) {
        ds_replay_result res;
        ds_err err;
        const char *flags[] = {"--clock", clocks[c], NULL};
        const char *hdr = ds_scratch_write(tmpdir, "hdr.csv", HDR);
        expect_error(run(hdr, "h", &res, &err, flags), &err, DS_ERR_ARG, hdr, ":1: no requests");
        const char *empty = ds_scratch_write(tmpdir, "empty.csv", "");
        expect_error(run(empty, "e", &res, &err, flags), &err, DS_ERR_ARG, empty,
                     ":1: no requests");
        const char *fl[] = {"--clock", clocks[c], "--format", "native", NULL};
        expect_error(run("/dev/null", "n", &res, &err, fl), &err, DS_ERR_ARG, "/dev/null",
                     ":1: no requests");
    }
}
END_TEST

START_TEST(test_time_going_backwards_is_an_error_unless_clamped) {
    const char *t =
        ds_scratch_write(tmpdir, "back.csv", HDR "5,1,SET,a,10,0\n9,2,GET,b,0,0\n3,1,GET,a,0,0\n");
    ds_replay_result res;
    ds_err err;
    expect_error(run(t, "b", &res, &err, NULL), &err, DS_ERR_ARG, t, ":4: time goes backwards");
    const char *real[] = {"--clock", "real", NULL};
    expect_error(run(t, "br", &res, &err, real), &err, DS_ERR_ARG, t, ":4: time goes backwards");
    const char *clamp[] = {"--unsorted", "clamp", NULL};
    ck_assert_int_eq(run(t, "c", &res, &err, clamp), DS_OK);
    ck_assert_uint_eq(res.requests, 3);
    ck_assert_uint_eq(res.stale_reads, 0);
    const char *closed[] = {"--closed", NULL}; /* trace times do not matter in closed loop */
    ck_assert_int_eq(run(t, "cl", &res, &err, closed), DS_OK);
    ck_assert_uint_eq(res.requests, 3);
}
END_TEST

/* A TTL too large for the clock used to wrap: the SET expired at once, in the cache and in the
 * oracle's shadow alike, so nothing was reported. It saturates to "never" now. */
START_TEST(test_huge_ttl_saturates_instead_of_expiring_at_once) {
    const char *t = ds_scratch_write(tmpdir, "ttl.csv",
                                     HDR "0,1,SET,k,10,9300000000000\n"
                                         "1000000,1,GET,k,0,0\n"
                                         "2000000,1,SET,j,10,9223372036854\n"
                                         "3000000,1,GET,j,0,0\n");
    ds_replay_result res;
    ds_err err;
    ck_assert_int_eq(run(t, "ttl", &res, &err, NULL), DS_OK);
    ck_assert_uint_eq(res.requests, 4);
    ck_assert_uint_eq(res.stats.hits, 2);
    ck_assert_uint_eq(res.stats.expired, 0);
    ck_assert_uint_eq(res.stale_reads + res.lost_writes, 0);
    ck_assert_int_eq(rp_expire_us(5, 0), 0);
    ck_assert_int_eq(rp_expire_us(5, 2), 2000005);
    ck_assert_int_eq(rp_expire_us(INT64_MAX / 2, INT64_MAX / 1000000), INT64_MAX);
}
END_TEST

/* ---- cost follows work ---- */

static long count_lines(const char *dir, const char *name) {
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "r");
    ck_assert_ptr_nonnull(f);
    long n = 0;
    for (int ch; (ch = fgetc(f)) != EOF;)
        n += ch == '\n';
    fclose(f);
    return n;
}

/* Two bursts 4e9 s of virtual time apart: the idle span costs no crons and no rows per second
 * (it used to write one timeseries row per virtual second, without end). */
START_TEST(test_idle_virtual_time_is_skipped) {
    const char *t = ds_scratch_write(tmpdir, "gap.csv",
                                     HDR "0,1,SET,a,10,0\n"
                                         "1000,1,GET,a,0,0\n"
                                         "4000000000000000,1,GET,a,0,0\n"
                                         "4000000000001000,2,SET,b,10,0\n");
    ds_replay_result res;
    ds_err err;
    const char *flags[] = {"--interval-ms", "1000", NULL};
    ck_assert_int_eq(run(t, "gap", &res, &err, flags), DS_OK);
    ck_assert_uint_eq(res.requests, 4);
    ck_assert_msg(res.sim_seconds >= 4e9, "sim %f", res.sim_seconds);
    ck_assert_uint_eq(res.stale_reads + res.lost_writes, 0);
    ck_assert_uint_eq(res.stats.disk_saves, 2);
    const char *out = ds_scratch_path(tmpdir, "gap");
    long rows = count_lines(out, "timeseries.csv");
    ck_assert_msg(rows >= 4 && rows <= 16, "%ld timeseries rows", rows);
    ck_assert_int_gt(file_size(out, "summary.csv"), 0);
    /* beyond the clock's range (2^62 ns) is refused, not wrapped */
    const char *far = ds_scratch_write(tmpdir, "far.csv",
                                       HDR "0,1,SET,a,10,0\n"
                                           "9000000000000000,1,GET,a,0,0\n");
    expect_error(run(far, "far", &res, &err, NULL), &err, DS_ERR_ARG, far,
                 ":3: 9000000000000000 us after the first request is beyond the clock's range");
    const char *slow[] = {"--speed", "0.001", NULL};
    const char *gap2 = ds_scratch_write(tmpdir, "gap2.csv",
                                        HDR "0,1,SET,a,10,0\n"
                                            "4000000000000000,1,GET,a,0,0\n");
    expect_error(run(gap2, "slow", &res, &err, slow), &err, DS_ERR_ARG, gap2, ":3: ");
}
END_TEST

/* A model value no disk has is refused with the option's name and the bound, at parse time. */
START_TEST(test_absurd_model_values_are_refused) {
    ds_replay_result res;
    ds_err err;
    const char *gen = "gen:uniform,keys=10,requests=10";
    const char *f1[] = {"--latency", "fixed:1e12", NULL};
    expect_error(run(gen, "a", &res, &err, f1), &err, DS_ERR_CONFIG,
                 "--latency: ", "longer than a backend call may take (3600 s)");
    const char *f2[] = {"--latency-set", "uniform:1:1e10", NULL};
    expect_error(run(gen, "a", &res, &err, f2), &err, DS_ERR_CONFIG, "--latency-set: ", "3600 s");
    const char *f3[] = {"--latency-get", "lognormal:40:1", NULL};
    expect_error(run(gen, "a", &res, &err, f3), &err, DS_ERR_CONFIG, "--latency-get: ", "3600 s");
    const char *f4[] = {"--faults", "slow=0.1:9000000000", NULL};
    expect_error(run(gen, "a", &res, &err, f4), &err, DS_ERR_CONFIG, "--faults: ", "slow");
    const char *ok[] = {"--latency", "fixed:3600000000", "--no-oracle", NULL}; /* the bound */
    ck_assert_int_eq(run("gen:uniform,keys=10,requests=3", "ok", &res, &err, ok), DS_OK);
    ck_assert_uint_eq(res.requests, 3);
}
END_TEST

/* A store left by an earlier run is refused (its values would read as stale to an empty
 * oracle); --reuse-store replays on it with the oracle seeded from what it holds. */
START_TEST(test_non_empty_store_is_refused_unless_reused) {
    char store[256];
    snprintf(store, sizeof store, "%s", ds_scratch_path(tmpdir, "store"));
    const char *gen = "gen:ycsb-a,keys=300,requests=3000,clients=8";
    const char *gen2 = "gen:ycsb-a,keys=300,requests=3000,clients=8,seed=9";
    ds_replay_result res;
    ds_err err;
    const char *f1[] = {"--backend", "file", "--backend-path", store, NULL};
    ck_assert_int_eq(run(gen, "r1", &res, &err, f1), DS_OK);
    ck_assert_uint_gt(res.stats.disk_saves, 0);
    expect_error(run(gen2, "r2", &res, &err, f1), &err, DS_ERR_ARG, store,
                 ": the store is not empty");
    const char *f2[] = {"--backend", "file", "--backend-path", store, "--reuse-store", NULL};
    ck_assert_int_eq(run(gen2, "r3", &res, &err, f2), DS_OK);
    ck_assert_uint_gt(res.stats.disk_loads, 0); /* it did read the earlier run's values */
    ck_assert_uint_eq(res.stale_reads, 0);
    ck_assert_uint_eq(res.lost_writes, 0);
}
END_TEST

static Suite *input_suite(void) {
    Suite *s = suite_create("replay_input");
    TCase *tc = tcase_create("input");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_empty_or_header_only_trace_is_an_error);
    tcase_add_test(tc, test_time_going_backwards_is_an_error_unless_clamped);
    tcase_add_test(tc, test_huge_ttl_saturates_instead_of_expiring_at_once);
    tcase_add_test(tc, test_idle_virtual_time_is_skipped);
    tcase_add_test(tc, test_absurd_model_values_are_refused);
    tcase_add_test(tc, test_non_empty_store_is_refused_unless_reused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return ds_test_run(input_suite()); }
