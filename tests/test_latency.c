/*
 * test_latency.c - latency models, fault specs and the fake shim's seeded behaviour.
 *
 * A simulation's latency numbers are only as good as its service-time draws, so each model's
 * sample mean over 200k seeded draws must match its theoretical mean (deterministic: the seed
 * is fixed, so a pass is not luck that could flip). Fault injection must be exact where tests
 * rely on it (the countdown) and unbiased where runs rely on it (error rate), and a seed must
 * replay the same draws.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend_int.h"
#include "dslab.h"

#define DRAWS 200000

static double sample_mean(const char *spec, uint64_t seed) {
    ds_latency m;
    ds_err err = {{0}};
    ds_rng r;
    ck_assert_msg(ds_latency_parse(spec, &m, &err) == DS_OK, "%s: %s", spec, err.msg);
    ds_rng_seed(&r, seed);
    double sum = 0;
    for (int i = 0; i < DRAWS; i++) {
        int64_t x = ds_latency_draw(&m, &r);
        ck_assert_int_ge(x, 0);
        sum += (double)x;
    }
    ds_latency_free(&m);
    return sum / DRAWS;
}

static void expect_mean(const char *spec, double mean, double rel_tol) {
    double got = sample_mean(spec, 42);
    ck_assert_msg(fabs(got - mean) <= rel_tol * mean, "%s: mean %.3f, expected %.3f", spec, got,
                  mean);
}

START_TEST(test_fixed_draws_exactly_its_value) {
    ds_latency m;
    ds_rng r;
    ds_rng_seed(&r, 1);
    ck_assert_int_eq(ds_latency_parse("fixed:250", &m, NULL), DS_OK);
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(ds_latency_draw(&m, &r), 250);
    ds_latency_free(&m);
}
END_TEST

/* A draw is rounded to whole microseconds as llround does (halves away from zero), without
 * calling it: every fractional part, halves and the largest value below a half included. */
START_TEST(test_draws_round_as_llround) {
    ds_latency m = {.kind = DS_LAT_FIXED};
    ds_rng r;
    ds_rng_seed(&r, 1);
    const double xs[] = {0.5,       0.49999999999999994, 1.5,       2.5,          2.4999999,
                         2.5000001, 149.99999999,        1e9 + 0.5, 3599999999.5, 3.6e9,
                         7e9};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        m.a = xs[i];
        double want = xs[i] > 3.6e9 ? 3.6e9 : xs[i];
        ck_assert_int_eq(ds_latency_draw(&m, &r), (int64_t)llround(want));
    }
    ds_rng g;
    ds_rng_seed(&g, 7);
    for (int i = 0; i < 100000; i++) { /* fractions of every kind */
        m.a = ds_rng_double(&g) * 1000.0;
        ck_assert_int_eq(ds_latency_draw(&m, &r), (int64_t)llround(m.a));
    }
    m.a = 0.0;
    ck_assert_int_eq(ds_latency_draw(&m, &r), 0);
}
END_TEST

/* The fake's inline draw (backend_int.h) gives ds_latency_draw's numbers and leaves the rng
 * where ds_latency_draw does, for every model: inline ones (fixed, uniform, with fractions, a
 * zero width, a clamp) and the ones it hands over. */
START_TEST(test_inline_draw_is_ds_latency_draw) {
    const char *specs[] = {"fixed:250",      "fixed:0",     "uniform:0:1",
                           "uniform:10:100", "uniform:7:7", "exp:200",
                           "lognormal:5:1",  "pareto:10:2", "uniform:0:3.6e9"};
    for (size_t k = 0; k < sizeof specs / sizeof specs[0]; k++) {
        ds_latency m;
        ds_err err = {{0}};
        ck_assert_msg(ds_latency_parse(specs[k], &m, &err) == DS_OK, "%s: %s", specs[k], err.msg);
        ds_rng a, b;
        ds_rng_seed(&a, 11 + k);
        ds_rng_seed(&b, 11 + k);
        for (int i = 0; i < 20000; i++)
            ck_assert_int_eq(ds_latency_draw_inline(&m, &a), ds_latency_draw(&m, &b));
        ck_assert_uint_eq(ds_rng_next(&a), ds_rng_next(&b));
        ds_latency_free(&m);
    }
    ds_latency big = {.kind = DS_LAT_UNIFORM, .a = 3e9, .b = 9e9}; /* clamped to an hour */
    ds_rng r;
    ds_rng_seed(&r, 3);
    ck_assert_int_le(ds_latency_draw_inline(&big, &r), 3600000000LL);
}
END_TEST

START_TEST(test_uniform_mean_and_bounds) {
    expect_mean("uniform:100:300", 200, 0.01);
    ds_latency m;
    ds_rng r;
    ds_rng_seed(&r, 2);
    ck_assert_int_eq(ds_latency_parse("uniform:100:300", &m, NULL), DS_OK);
    for (int i = 0; i < 10000; i++) {
        int64_t x = ds_latency_draw(&m, &r);
        ck_assert(x >= 100 && x <= 300);
    }
}
END_TEST

START_TEST(test_exp_mean) { expect_mean("exp:1000", 1000, 0.02); }
END_TEST

START_TEST(test_lognormal_mean_is_exp_mu_plus_half_sigma_squared) {
    expect_mean("lognormal:6:0.5", exp(6 + 0.5 * 0.25), 0.02);
}
END_TEST

START_TEST(test_pareto_mean_is_shape_scale_over_shape_minus_one) {
    expect_mean("pareto:100:3", 3.0 * 100 / 2.0, 0.03);
}
END_TEST

START_TEST(test_hist_inverse_cdf_mean) {
    char path[] = "/tmp/dslab-hist-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    const char *txt = "# latency_us cumulative_fraction\n100 0.5\n200 0.9\n\n1000 1.0\n";
    ck_assert_int_eq(write(fd, txt, strlen(txt)), (ssize_t)strlen(txt));
    close(fd);
    char spec[64];
    snprintf(spec, sizeof(spec), "hist:%s", path);
    /* point mass 0.5 at 100, then linear pieces: 0.4 * 150 + 0.1 * 600 */
    expect_mean(spec, 50 + 60 + 60, 0.02);
    unlink(path);
}
END_TEST

START_TEST(test_same_seed_same_sequence) {
    static const char *specs[] = {"uniform:0:1000", "exp:500", "lognormal:5:1", "pareto:10:1.5"};
    for (int s = 0; s < 4; s++) {
        ds_latency m;
        ds_rng a, b, c;
        ck_assert_int_eq(ds_latency_parse(specs[s], &m, NULL), DS_OK);
        ds_rng_seed(&a, 9);
        ds_rng_seed(&b, 9);
        ds_rng_seed(&c, 10);
        int differ = 0;
        for (int i = 0; i < 1000; i++) {
            int64_t x = ds_latency_draw(&m, &a);
            ck_assert_int_eq(x, ds_latency_draw(&m, &b));
            differ += x != ds_latency_draw(&m, &c);
        }
        ck_assert_int_gt(differ, 500);
    }
}
END_TEST

START_TEST(test_bad_latency_specs_are_rejected_with_the_spec_named) {
    static const char *bad[] = {
        "fixed",       "fixed:",      "fixed:-1",       "fixed:abc",
        "fixed:1:2",   "uniform:5:1", "uniform:5",      "exp:1:2",
        "exp:-3",      "lognormal:1", "lognormal:1:-1", "pareto:0:1",
        "pareto:1:0",  "bogus:1",     "hist:",          "hist:/nonexistent/dslab",
        "fixed:1e400", "fixed:nan",   " fixed:1",       "FIXED:1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ds_latency m;
        ds_err err = {{0}};
        ck_assert_msg(ds_latency_parse(bad[i], &m, &err) == DS_ERR_CONFIG, "accepted '%s'", bad[i]);
        const char *name = strncmp(bad[i], "hist:", 5) == 0 && bad[i][5] ? bad[i] + 5 : bad[i];
        ck_assert_msg(strstr(err.msg, name) != NULL, "'%s': message '%s'", bad[i], err.msg);
    }
    ds_latency m;
    ds_err err = {{0}};
    ck_assert_int_eq(ds_latency_parse("", &m, &err), DS_ERR_CONFIG);
    ck_assert_int_eq(ds_latency_parse(NULL, &m, &err), DS_ERR_CONFIG);
}
END_TEST

START_TEST(test_bad_hist_file_names_file_and_line) {
    char path[] = "/tmp/dslab-hist-XXXXXX";
    int fd = mkstemp(path);
    const char *txt = "100 0.5\n50 0.9\n";
    ck_assert_int_eq(write(fd, txt, strlen(txt)), (ssize_t)strlen(txt));
    close(fd);
    char spec[64], want[64];
    ds_latency m;
    ds_err err = {{0}};
    snprintf(spec, sizeof(spec), "hist:%s", path);
    snprintf(want, sizeof(want), "%s:2:", path);
    ck_assert_int_eq(ds_latency_parse(spec, &m, &err), DS_ERR_CONFIG);
    ck_assert_msg(strstr(err.msg, want) != NULL, "%s", err.msg);
    ck_assert_ptr_null(m.hist_us);
    unlink(path);
}
END_TEST

START_TEST(test_fault_specs_parse_and_reject) {
    ds_faults f;
    ds_err err = {{0}};
    ck_assert_int_eq(ds_faults_parse("none", &f, &err), DS_OK);
    ck_assert(f.err_p == 0 && f.slow_p == 0 && f.stall_every == 0 && f.fail_count == 0);
    ck_assert_int_eq(ds_faults_parse("", &f, &err), DS_OK);
    ck_assert_int_eq(ds_faults_parse("err=0.1,slow=0.25:500,stall=100:20000,fail=3:2", &f, &err),
                     DS_OK);
    ck_assert(f.err_p == 0.1 && f.slow_p == 0.25 && f.slow_us == 500);
    ck_assert(f.stall_every == 100 && f.stall_us == 20000);
    ck_assert(f.fail_after == 3 && f.fail_count == 2);
    ck_assert_int_eq(ds_faults_parse("stall=7:9", &f, &err), DS_OK);
    ck_assert(f.err_p == 0 && f.stall_every == 7);
    static const char *bad[] = {
        "err=2",       "err=",    "err",       "slow=0.5",
        "stall=0:10",  "bogus=1", "err=0.1,",  "err=0.1;slow=1:1",
        "slow=0.5:-1", "fail=1",  "stall=5:x", "a=1,b=2,c=3,d=4,e=5,f=6,g=7,h=8"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(ds_faults_parse(bad[i], &f, &err) == DS_ERR_CONFIG, "accepted %s", bad[i]);
        ck_assert_msg(strstr(err.msg, bad[i]) != NULL, "%s: %s", bad[i], err.msg);
    }
}
END_TEST

static ds_backend *make_fake(const char *lat, const char *faults, uint64_t seed) {
    ds_err err = {{0}};
    ds_fake_opts o;
    memset(&o, 0, sizeof(o));
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(ds_latency_parse(lat, &o.lat[i], &err), DS_OK);
    ck_assert_int_eq(ds_faults_parse(faults, &o.faults, &err), DS_OK);
    o.seed = seed;
    ds_backend *b = ds_backend_fake_new(ds_backend_mem_new(&err), &o, &err);
    for (int i = 0; i < 3; i++)
        ds_latency_free(&o.lat[i]);
    ck_assert_ptr_nonnull(b);
    return b;
}

static ds_call plan(ds_backend *b) {
    ds_call c = {0, false};
    b->ops->plan(b, DS_BOP_GET, "k", 1, &c);
    return c;
}

START_TEST(test_fault_countdown_fails_exactly_the_named_calls) {
    ds_backend *b = make_fake("fixed:0", "fail=5:3", 1);
    for (int n = 1; n <= 30; n++) {
        ds_call c = plan(b);
        ck_assert_msg(c.fail == (n >= 6 && n <= 8), "call %d", n);
        ds_value *v = NULL;
        ck_assert_int_eq(b->ops->get(b, &c, "k", 1, &v, NULL), c.fail ? DS_ERR_IO : DS_NOT_FOUND);
    }
    ds_backend_close(b);
}
END_TEST

START_TEST(test_err_rate_within_tolerance) {
    ds_backend *b = make_fake("fixed:0", "err=0.2", 77);
    int fails = 0, n = 100000;
    for (int i = 0; i < n; i++)
        fails += plan(b).fail;
    ck_assert_msg(fabs((double)fails / n - 0.2) < 0.01, "rate %.4f", (double)fails / n);
    ds_backend_close(b);
}
END_TEST

START_TEST(test_slow_and_stall_add_latency) {
    ds_backend *b = make_fake("fixed:10", "slow=1:700,stall=4:5000", 1);
    for (int n = 1; n <= 12; n++)
        ck_assert_int_eq(plan(b).service_us, 10 + 700 + (n % 4 == 0 ? 5000 : 0));
    ds_backend_close(b);
    b = make_fake("fixed:0", "slow=0.5:100", 3);
    int slow = 0;
    for (int n = 0; n < 20000; n++)
        slow += plan(b).service_us == 100;
    ck_assert(slow > 9500 && slow < 10500);
    ds_backend_close(b);
}
END_TEST

START_TEST(test_fake_same_seed_same_draws_and_faults_toggle_keeps_sequence) {
    ds_backend *a = make_fake("lognormal:5:1", "err=0.3", 5);
    ds_backend *b = make_fake("lognormal:5:1", "err=0.3", 5);
    ds_backend *c = make_fake("lognormal:5:1", "err=0.3", 6);
    ds_backend_fake_faults_enable(b, false);
    int differ = 0, a_fails = 0;
    for (int i = 0; i < 2000; i++) {
        ds_call x = plan(a), y = plan(b), z = plan(c);
        ck_assert_int_eq(x.service_us, y.service_us);
        ck_assert(!y.fail);
        a_fails += x.fail;
        differ += x.service_us != z.service_us;
    }
    ck_assert_int_gt(a_fails, 400);
    ck_assert_int_gt(differ, 1000);
    ds_backend_fake_faults_enable(b, true);
    int b_fails = 0;
    for (int i = 0; i < 1000; i++)
        b_fails += plan(b).fail;
    ck_assert_int_gt(b_fails, 200);
    ds_backend_close(a);
    ds_backend_close(b);
    ds_backend_close(c);
}
END_TEST

START_TEST(test_fake_plan_adds_parent_service_time) {
    ds_err err = {{0}};
    ds_fake_opts o;
    memset(&o, 0, sizeof(o));
    ck_assert_int_eq(ds_latency_parse("fixed:100", &o.lat[DS_BOP_SET], &err), DS_OK);
    ds_backend *inner = make_fake("fixed:30", "none", 1);
    ds_backend *outer = ds_backend_fake_new(inner, &o, &err);
    ds_call c = {0, false};
    outer->ops->plan(outer, DS_BOP_SET, "k", 1, &c);
    ck_assert_int_eq(c.service_us, 130);
    outer->ops->plan(outer, DS_BOP_GET, "k", 1, &c);
    ck_assert_int_eq(c.service_us, 30);
    ds_backend_close(outer);
}
END_TEST

int main(void) {
    Suite *s = suite_create("latency");
    TCase *tc = tcase_create("models");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_fixed_draws_exactly_its_value);
    tcase_add_test(tc, test_draws_round_as_llround);
    tcase_add_test(tc, test_inline_draw_is_ds_latency_draw);
    tcase_add_test(tc, test_uniform_mean_and_bounds);
    tcase_add_test(tc, test_exp_mean);
    tcase_add_test(tc, test_lognormal_mean_is_exp_mu_plus_half_sigma_squared);
    tcase_add_test(tc, test_pareto_mean_is_shape_scale_over_shape_minus_one);
    tcase_add_test(tc, test_hist_inverse_cdf_mean);
    tcase_add_test(tc, test_same_seed_same_sequence);
    tcase_add_test(tc, test_bad_latency_specs_are_rejected_with_the_spec_named);
    tcase_add_test(tc, test_bad_hist_file_names_file_and_line);
    suite_add_tcase(s, tc);
    TCase *tf = tcase_create("faults");
    tcase_add_test(tf, test_fault_specs_parse_and_reject);
    tcase_add_test(tf, test_fault_countdown_fails_exactly_the_named_calls);
    tcase_add_test(tf, test_err_rate_within_tolerance);
    tcase_add_test(tf, test_slow_and_stall_add_latency);
    tcase_add_test(tf, test_fake_same_seed_same_draws_and_faults_toggle_keeps_sequence);
    tcase_add_test(tf, test_fake_plan_adds_parent_service_time);
    suite_add_tcase(s, tf);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
