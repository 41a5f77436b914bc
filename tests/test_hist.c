/*
 * test_hist.c - the latency histogram keeps its accuracy contract (<= 1% relative error on
 * every quantile, for light and heavy tails over 0..1e10 us), merges exactly, and iterates
 * buckets that account for every sample.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "dslab.h"
#include "hist.h"

#define N_SAMPLES 200000

typedef int64_t (*draw_fn)(ds_rng *r);

static int64_t draw_uniform_huge(ds_rng *r) {
    return (int64_t)ds_rng_below(r, 10000000001ull); /* 0 .. 1e10 */
}
static int64_t draw_small(ds_rng *r) { return (int64_t)ds_rng_below(r, 300); }
static int64_t draw_exp(ds_rng *r) { return (int64_t)(-log(1.0 - ds_rng_double(r)) * 500.0); }
static int64_t draw_lognormal(ds_rng *r) {
    double u1 = 1.0 - ds_rng_double(r), u2 = ds_rng_double(r);
    double z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
    double v = exp(7.0 + 2.5 * z);
    return v > 1e10 ? (int64_t)1e10 : (int64_t)v;
}
static int64_t draw_pareto(ds_rng *r) { /* shape 1.1: very heavy tail */
    double v = 100.0 / pow(1.0 - ds_rng_double(r), 1.0 / 1.1);
    return v > 1e10 ? (int64_t)1e10 : (int64_t)v;
}
static int64_t draw_bimodal(ds_rng *r) { /* cache hit vs disk load */
    return ds_rng_below(r, 10) < 9 ? (int64_t)ds_rng_below(r, 20)
                                   : 5000 + (int64_t)ds_rng_below(r, 100000);
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest rank: the ceil(q*n)-th smallest (at least the first). */
static int64_t exact_quantile(const int64_t *v, size_t n, double q) {
    double r = ceil(q * (double)n);
    size_t rank = r < 1 ? 1 : (size_t)r;
    if (rank > n) rank = n;
    return v[rank - 1];
}

static void check_distribution(draw_fn draw, uint64_t seed, const char *name) {
    static const double qs[] = {0,   0.001, 0.01, 0.1,   0.25,   0.5, 0.75,
                                0.9, 0.95,  0.99, 0.999, 0.9999, 1};
    int64_t *v = malloc(sizeof *v * N_SAMPLES);
    ck_assert_ptr_nonnull(v);
    ds_hist *h = ds_hist_new();
    ds_rng r;
    ds_rng_seed(&r, seed);
    double sum = 0;
    for (size_t i = 0; i < N_SAMPLES; i++) {
        v[i] = draw(&r);
        sum += (double)v[i];
        ds_hist_add(h, v[i]);
    }
    qsort(v, N_SAMPLES, sizeof *v, cmp_i64);
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        int64_t want = exact_quantile(v, N_SAMPLES, qs[i]);
        int64_t got = ds_hist_quantile(h, qs[i]);
        double err = fabs((double)got - (double)want);
        ck_assert_msg(err <= 0.01 * (double)want, "%s q=%g: exact %lld, hist %lld", name, qs[i],
                      (long long)want, (long long)got);
    }
    ck_assert_uint_eq(ds_hist_count(h), N_SAMPLES);
    ck_assert_int_eq(ds_hist_max(h), v[N_SAMPLES - 1]);
    ck_assert_double_eq_tol(ds_hist_mean(h), sum / N_SAMPLES, 1e-6 * (sum / N_SAMPLES) + 1e-9);
    ds_hist_free(h);
    free(v);
}

START_TEST(test_quantiles_within_one_percent) {
    check_distribution(draw_uniform_huge, 1, "uniform 0..1e10");
    check_distribution(draw_small, 2, "uniform 0..300");
    check_distribution(draw_exp, 3, "exponential");
    check_distribution(draw_lognormal, 4, "lognormal");
    check_distribution(draw_pareto, 5, "pareto 1.1");
    check_distribution(draw_bimodal, 6, "bimodal");
}
END_TEST

START_TEST(test_small_values_are_exact) {
    ds_hist *h = ds_hist_new();
    for (int64_t v = 0; v < 256; v++)
        ds_hist_add(h, v);
    size_t it = 0;
    int64_t lo, hi;
    uint64_t n;
    for (int64_t v = 0; v < 256; v++) {
        ck_assert(ds_hist_bucket(h, &it, &lo, &hi, &n));
        ck_assert_int_eq(lo, v);
        ck_assert_int_eq(hi, v);
        ck_assert_uint_eq(n, 1);
    }
    ck_assert(!ds_hist_bucket(h, &it, &lo, &hi, &n));
    ds_hist_free(h);
}
END_TEST

static void assert_same_hist(const ds_hist *a, const ds_hist *b) {
    ck_assert_uint_eq(ds_hist_count(a), ds_hist_count(b));
    ck_assert_int_eq(ds_hist_max(a), ds_hist_max(b));
    ck_assert_double_eq(ds_hist_mean(a), ds_hist_mean(b));
    ck_assert_int_eq(ds_hist_quantile(a, 0), ds_hist_quantile(b, 0));
    size_t ia = 0, ib = 0;
    int64_t la, ha, lb, hb;
    uint64_t na, nb;
    bool ma, mb;
    do {
        ma = ds_hist_bucket(a, &ia, &la, &ha, &na);
        mb = ds_hist_bucket(b, &ib, &lb, &hb, &nb);
        ck_assert_int_eq(ma, mb);
        if (!ma) break;
        ck_assert_int_eq(la, lb);
        ck_assert_int_eq(ha, hb);
        ck_assert_uint_eq(na, nb);
    } while (ma);
}

START_TEST(test_merge_equals_adding_all) {
    ds_hist *a = ds_hist_new(), *b = ds_hist_new(), *all = ds_hist_new();
    ds_rng r;
    ds_rng_seed(&r, 42);
    for (int i = 0; i < 50000; i++) {
        int64_t v = draw_lognormal(&r);
        ds_hist_add(i % 3 ? a : b, v);
        ds_hist_add(all, v);
    }
    ds_hist_merge(a, b);
    assert_same_hist(a, all);
    /* merging an empty histogram changes nothing; merging into an empty one copies */
    ds_hist *empty = ds_hist_new(), *copy = ds_hist_new();
    ds_hist_merge(a, empty);
    assert_same_hist(a, all);
    ds_hist_merge(copy, all);
    assert_same_hist(copy, all);
    ds_hist_free(a);
    ds_hist_free(b);
    ds_hist_free(all);
    ds_hist_free(empty);
    ds_hist_free(copy);
}
END_TEST

/* min and max need no "first sample" case: after a reset the first value is both, whatever
 * its size (a large first value must not leave min at 0, a small one max above it). */
START_TEST(test_first_value_is_min_and_max_after_reset) {
    ds_hist *h = ds_hist_new();
    ds_hist_add(h, 150000);
    ck_assert_int_eq(ds_hist_quantile(h, 0.0), 150000);
    ck_assert_int_eq(ds_hist_max(h), 150000);
    ds_hist_add(h, 7);
    ck_assert_int_eq(ds_hist_quantile(h, 0.0), 7);
    ds_hist_reset(h);
    ck_assert_int_eq(ds_hist_max(h), 0);
    ds_hist_add(h, 3);
    ck_assert_int_eq(ds_hist_quantile(h, 0.0), 3);
    ck_assert_int_eq(ds_hist_quantile(h, 1.0), 3);
    ds_hist *m = ds_hist_new();
    ds_hist_merge(m, h); /* merging into a reset histogram copies min and max */
    ck_assert_int_eq(ds_hist_quantile(m, 0.0), 3);
    ck_assert_int_eq(ds_hist_max(m), 3);
    ds_hist_free(h);
    ds_hist_free(m);
}
END_TEST

START_TEST(test_bucket_iteration_sums_to_count) {
    ds_hist *h = ds_hist_new();
    ds_rng r;
    ds_rng_seed(&r, 7);
    for (int i = 0; i < 100000; i++)
        ds_hist_add(h, draw_pareto(&r));
    ds_hist_add(h, INT64_MAX);
    size_t it = 0;
    int64_t lo, hi, prev_hi = -1;
    uint64_t n, total = 0;
    while (ds_hist_bucket(h, &it, &lo, &hi, &n)) {
        ck_assert_int_gt(lo, prev_hi); /* increasing, non-overlapping */
        ck_assert_int_le(lo, hi);
        ck_assert_uint_gt(n, 0);
        ck_assert(hi - lo <= lo / 128 + 1); /* width bound behind the 1% contract */
        total += n;
        prev_hi = hi;
    }
    ck_assert_uint_eq(total, ds_hist_count(h));
    ck_assert_int_eq(prev_hi, INT64_MAX);
    ck_assert_int_eq(ds_hist_max(h), INT64_MAX);
    ds_hist_free(h);
}
END_TEST

START_TEST(test_empty_histogram_answers_zero) {
    ds_hist *h = ds_hist_new();
    size_t it = 0;
    int64_t lo = -1, hi = -1;
    uint64_t n = 99;
    ck_assert_uint_eq(ds_hist_count(h), 0);
    ck_assert_int_eq(ds_hist_max(h), 0);
    ck_assert_double_eq(ds_hist_mean(h), 0.0);
    ck_assert_int_eq(ds_hist_quantile(h, 0.5), 0);
    ck_assert_int_eq(ds_hist_quantile(h, 1.0), 0);
    ck_assert(!ds_hist_bucket(h, &it, &lo, &hi, &n));
    ds_hist_add(h, 12345);
    ds_hist_reset(h);
    ck_assert_uint_eq(ds_hist_count(h), 0);
    it = 0;
    ck_assert(!ds_hist_bucket(h, &it, &lo, &hi, &n));
    ds_hist_free(h);
}
END_TEST

START_TEST(test_negative_clamps_to_zero) {
    ds_hist *h = ds_hist_new();
    ds_hist_add(h, -5);
    ds_hist_add(h, INT64_MIN);
    ck_assert_uint_eq(ds_hist_count(h), 2);
    ck_assert_int_eq(ds_hist_max(h), 0);
    ck_assert_int_eq(ds_hist_quantile(h, 0.5), 0);
    ck_assert_double_eq(ds_hist_mean(h), 0.0);
    ds_hist_free(h);
}
END_TEST

START_TEST(test_one_repeated_value_is_exact) {
    ds_hist *h = ds_hist_new();
    for (int i = 0; i < 1000; i++)
        ds_hist_add(h, 123456789);
    ck_assert_int_eq(ds_hist_quantile(h, 0.0), 123456789);
    ck_assert_int_eq(ds_hist_quantile(h, 0.5), 123456789);
    ck_assert_int_eq(ds_hist_quantile(h, 0.999), 123456789);
    ck_assert_int_eq(ds_hist_quantile(h, 2.0), 123456789); /* q clamps */
    ds_hist_free(h);
}
END_TEST

static Suite *hist_suite(void) {
    Suite *s = suite_create("hist");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_quantiles_within_one_percent);
    tcase_add_test(tc, test_small_values_are_exact);
    tcase_add_test(tc, test_merge_equals_adding_all);
    tcase_add_test(tc, test_bucket_iteration_sums_to_count);
    tcase_add_test(tc, test_first_value_is_min_and_max_after_reset);
    tcase_add_test(tc, test_empty_histogram_answers_zero);
    tcase_add_test(tc, test_negative_clamps_to_zero);
    tcase_add_test(tc, test_one_repeated_value_is_exact);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(hist_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
