/*
 * test_isolation.c - two caches in one process do not interfere.
 *
 * Why: the library promises no global mutable state (everything hangs off a context), so the
 * simulator can run several caches side by side (sweeps, A/B runs) and a run is determined by
 * its own seed. These tests interleave operations on two caches with different configs, hosts
 * and clocks, and check that keys, stats, jobs, replies, errors and eviction choices stay
 * separate.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testhost.h"

START_TEST(test_two_caches_keep_keys_stats_and_jobs_apart) {
    ds_config ca = th_cfg(0), cb = th_cfg(100);
    cb.negcache = false;
    cb.max_io_jobs = 1;
    TH_OPEN(a, ca);
    TH_OPEN(b, cb);
    th_advance_ms(b, 5000); /* different clocks */
    th_set_ok(a, 1, "x", "ax");
    th_get_blocked(b, 1, "x"); /* same client id, other cache: not parked twice */
    th_get_blocked(a, 2, "y");
    th_set_ok(b, 2, "z", "bz");
    ds_stats sa = th_stats(a), sb = th_stats(b);
    ck_assert_uint_eq(sa.sets, 1);
    ck_assert_uint_eq(sa.gets, 1);
    ck_assert_uint_eq(sb.sets, 1);
    ck_assert_uint_eq(sb.gets, 1);
    ck_assert_uint_eq(sa.keys, 1);
    ck_assert_uint_eq(sb.keys, 1);
    ck_assert_ptr_null(th_peek(b, "x"));
    ck_assert_ptr_null(th_peek(a, "z"));
    ck_assert_uint_eq(th_take_all(a), 2); /* SAVE x, LOAD y */
    ck_assert_uint_eq(th_take_all(b), 1); /* LOAD x; SAVE z waits for the delay */
    ck_assert_uint_eq(a->jobs[0]->id, 1);
    ck_assert_uint_eq(b->jobs[0]->id, 1);
    ck_assert_int_eq(b->jobs[0]->created_us, b->now_us);
    ck_assert_int_eq(a->jobs[0]->created_us, a->now_us);
    ck_assert_int_eq(th_complete(b, th_find(b, DS_JOB_LOAD, "x"), DS_NOT_FOUND, NULL), DS_OK);
    ck_assert_uint_eq(a->nrecs, 0);
    ck_assert_uint_eq(b->nrecs, 1);
    ck_assert_ptr_null(th_last_for(b, 1)->r.values[0]);
    ck_assert(!th_neg(b, "x", NULL));
    ck_assert(th_val_is(th_peek(a, "x"), "ax"));
    th_run_all(a);
    ck_assert_uint_eq(a->nrecs, 1);
    ck_assert(th_neg(a, "y", NULL));
    ck_assert(th_disk_is(a, "x", "ax"));
    ck_assert(th_disk_is(b, "x", NULL));
    ck_assert(th_disk_is(b, "z", NULL));
    ck_assert_uint_eq(th_stats(b).disk_saves, 0);
    ck_assert_uint_eq(th_stats(a).disk_saves, 1);
    th_fini(a);
    th_fini(b);
}
END_TEST

START_TEST(test_errors_stay_in_their_cache) {
    TH_OPEN(a, th_cfg(0));
    TH_OPEN(b, th_cfg(0));
    ds_key empty = {.p = "x", .len = 0};
    ds_cmd bad = {.op = DS_OP_GET, .nkeys = 1, .keys = &empty};
    ck_assert_int_eq(th_do(a, 1, &bad), DS_ERR_ARG);
    ck_assert_str_ne(ds_cache_last_error(a->cache), "");
    ck_assert_str_eq(ds_cache_last_error(b->cache), "");
    ck_assert_int_eq(ds_cache_flag_set(b->cache, "k", 1, DS_FLAG_SAVE), DS_OK);
    ck_assert_int_eq(ds_cache_flag_set(b->cache, "k", 1, DS_FLAG_SAVE), DS_ERR_FLAGS);
    ck_assert_uint_eq(th_stats(b).flag_errors, 1);
    ck_assert_uint_eq(th_stats(a).flag_errors, 0);
    ck_assert_uint_eq(th_flags(a, "k"), 0);
    ck_assert_int_eq(ds_cache_flag_clear(b->cache, "k", 1, DS_FLAG_SAVE), DS_OK);
    th_fini(a);
    th_fini(b);
}
END_TEST

/* Fill a cache with 30 keys and let cron evict down to 10; return which keys survived. */
static void evict_pattern(th_host *th, int from, int to, char *out) {
    char key[16];
    for (int i = from; i < to; i++) {
        snprintf(key, sizeof key, "k%03d", i);
        th_set_ok(th, 1, key, "v");
        if (i % 3 == 0) th_run_all(th);
    }
    th_run_all(th);
    if (to == 30) ck_assert_int_eq(ds_cache_cron(th->cache), DS_OK);
    for (int i = 0; i < 30 && out; i++) {
        snprintf(key, sizeof key, "k%03d", i);
        out[i] = th_peek(th, key) ? '.' : 'x';
    }
    if (out) out[30] = '\0';
}

/* The same seed gives the same evictions whether or not another cache works in between:
 * the sampler's state belongs to the cache, not to the process. */
START_TEST(test_eviction_sampler_is_per_cache) {
    ds_config cfg = th_cfg(0);
    cfg.max_memory_bytes = 10 * th_entry_bytes("k000", 1);
    cfg.seed = 11;
    char alone[31], mixed[31];
    TH_OPEN(a, cfg);
    evict_pattern(a, 0, 30, alone);
    th_fini(a);

    ds_config other = cfg;
    other.seed = 12;
    other.max_memory_bytes = 3 * th_entry_bytes("k000", 1);
    TH_OPEN(a2, cfg);
    TH_OPEN(b, other);
    evict_pattern(a2, 0, 10, NULL);
    evict_pattern(b, 0, 30, NULL);
    evict_pattern(a2, 10, 20, NULL);
    ck_assert_int_eq(ds_cache_cron(b->cache), DS_OK);
    evict_pattern(a2, 20, 30, mixed);
    ck_assert_uint_ge(th_stats(b).evictions, 1);
    ck_assert_str_eq(alone, mixed);
    th_fini(a2);
    th_fini(b);
}
END_TEST

START_TEST(test_freeing_one_cache_leaves_the_other_working) {
    TH_OPEN(a, th_cfg(0));
    TH_OPEN(b, th_cfg(0));
    th_get_blocked(a, 1, "k");
    th_get_blocked(b, 1, "k");
    ck_assert_uint_eq(th_take_all(a), 1);
    th_fini(a); /* drops a's job in flight */
    ck_assert_uint_eq(th_take_all(b), 1);
    ck_assert_int_eq(th_complete(b, b->jobs[0], DS_OK, "v"), DS_OK);
    ck_assert(th_val_is(th_last_for(b, 1)->r.values[0], "v"));
    th_fini(b);
}
END_TEST

START_TEST(test_rngs_with_one_seed_agree_and_do_not_share_state) {
    ds_rng r1, r2, r3;
    ds_rng_seed(&r1, 5);
    ds_rng_seed(&r2, 5);
    ds_rng_seed(&r3, 6);
    uint64_t a[8], same = 0;
    for (int i = 0; i < 8; i++)
        a[i] = ds_rng_next(&r1);
    for (int i = 0; i < 8; i++) {
        (void)ds_rng_next(&r3);
        uint64_t b = ds_rng_next(&r2);
        ck_assert_uint_eq(a[i], b);
    }
    ds_rng_seed(&r3, 6);
    ds_rng_seed(&r1, 5);
    for (int i = 0; i < 8; i++)
        same += ds_rng_next(&r1) == ds_rng_next(&r3);
    ck_assert_uint_lt(same, 8);
}
END_TEST

/* The cache keeps its own copy of the config: changing the caller's struct later is harmless. */
START_TEST(test_cache_copies_its_config) {
    th_host s, *th = &s;
    ds_config cfg = th_cfg(100);
    th_init(th);
    th_open(th, &cfg);
    cfg.flush_delay_ms = 0;
    cfg.max_io_jobs = 0;
    th_set_ok(th, 1, "k", "v");
    ck_assert_uint_eq(th_take_all(th), 0);
    th_advance_ms(th, 100);
    ds_cache_cron(th->cache);
    ck_assert_uint_eq(th_take_all(th), 1);
    th_fini(th);
}
END_TEST

static Suite *isolation_suite(void) {
    Suite *s = suite_create("isolation");
    TCase *tc = tcase_create("two_caches");
    tcase_add_test(tc, test_two_caches_keep_keys_stats_and_jobs_apart);
    tcase_add_test(tc, test_errors_stay_in_their_cache);
    tcase_add_test(tc, test_eviction_sampler_is_per_cache);
    tcase_add_test(tc, test_freeing_one_cache_leaves_the_other_working);
    tcase_add_test(tc, test_rngs_with_one_seed_agree_and_do_not_share_state);
    tcase_add_test(tc, test_cache_copies_its_config);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(isolation_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
