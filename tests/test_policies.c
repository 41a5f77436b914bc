/*
 * test_policies.c - every IO policy end to end: the race scenarios (`dslab check`) pass under
 * each, the same trace + config + seed gives byte-identical virtual-time output under each,
 * and the policies really order differently where the disk is the bottleneck.
 *
 * The core suites run under every policy too: scripts/test-policies.sh (make test) sets
 * DSLAB_TEST_IO_POLICY, which tests/testhost.c applies to every cache it opens.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "replay.h"
#include "replayrun.h"
#include "scratch.h"
#include "testmain.h"

/* Disk-bound: 2 jobs in flight, 200 us per IO, 30% writes. */
#define GEN                                                                                        \
    "gen:zipf:0.9,keys=4000,requests=20000,clients=32,mix=get:0.7/set:0.3,"                        \
    "arrival=poisson:20000,seed=3"

static char tmpdir[DS_SCRATCH_CAP];

static void setup(void) { ds_scratch_make(tmpdir, sizeof tmpdir, "policies"); }

static void teardown(void) { ds_scratch_rm(tmpdir); }

static const char *sub(const char *a, const char *b) {
    char name[128];
    snprintf(name, sizeof name, "%s-%s", a, b);
    return ds_scratch_path(tmpdir, name);
}

static void run(const char *policy, const char *out, ds_replay_result *res) {
    const char *flags[] = {"--io-policy",
                           policy,
                           "--max-io-jobs",
                           "2",
                           "--latency-get",
                           "fixed:200",
                           "--latency-set",
                           "fixed:200",
                           "--cache-max-keys",
                           "1500",
                           "--seed",
                           "9",
                           NULL};
    ds_err err;
    ck_assert_msg(ds_test_replay_run(GEN, flags, out, res, &err) == DS_OK, "%s", err.msg);
}

START_TEST(test_check_passes_under_every_policy) {
    const char *policy = ds_io_policy_name((size_t)_i);
    ck_assert_ptr_nonnull(policy);
    char *argv[] = {"check", "--io-policy", (char *)policy, "--out", (char *)sub("check", policy),
                    NULL};
    fflush(stdout);
    ck_assert_int_eq(ds_main_check(5, argv), 0);
}
END_TEST

START_TEST(test_same_seed_same_output_under_every_policy) {
    const char *policy = ds_io_policy_name((size_t)_i);
    ds_replay_result a, b;
    run(policy, sub("a", policy), &a);
    run(policy, sub("b", policy), &b);
    ck_assert_uint_eq(a.requests, 20000);
    ck_assert_uint_gt(a.stats.disk_loads, 1000);
    ck_assert_uint_eq(a.stale_reads + a.lost_writes, 0);
    const char *files[] = {"timeseries.csv", "latency.csv", "races.csv", "config.txt"};
    for (int i = 0; i < 4; i++)
        ck_assert_msg(!strcmp(ds_scratch_read(sub("a", policy), files[i]),
                              ds_scratch_read(sub("b", policy), files[i])),
                      "%s: %s differs", policy, files[i]);
    ck_assert_ptr_nonnull(strstr(ds_scratch_read(sub("a", policy), "config.txt"), policy));
}
END_TEST

/* Where the disk is the bottleneck the order shows in the latencies: each policy's run
 * differs from the seed's. */
START_TEST(test_policies_order_differently) {
    ds_replay_result r;
    run("seed", sub("x", "seed"), &r);
    const char *seed_lat = strdup(ds_scratch_read(sub("x", "seed"), "latency.csv"));
    for (size_t i = 1; ds_io_policy_name(i); i++) {
        const char *p = ds_io_policy_name(i);
        run(p, sub("x", p), &r);
        ck_assert_msg(strcmp(seed_lat, ds_scratch_read(sub("x", p), "latency.csv")) != 0,
                      "%s orders exactly like seed", p);
    }
    free((void *)seed_lat);
}
END_TEST

static Suite *policies_suite(void) {
    Suite *s = suite_create("policies");
    int n = 0;
    while (ds_io_policy_name((size_t)n))
        n++;
    TCase *tc = tcase_create("every_policy");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_check_passes_under_every_policy, 0, n);
    tcase_add_loop_test(tc, test_same_seed_same_output_under_every_policy, 0, n);
    tcase_add_test(tc, test_policies_order_differently);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return ds_test_run(policies_suite()); }
