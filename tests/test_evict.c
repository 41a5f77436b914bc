/*
 * test_evict.c - eviction policy and limits: sampled LRU, exact LRU, cache-max-keys,
 * evict-at=insert, negcache-max, and the evict-busy-keys toggle.
 *
 * Why: eviction decides the hit ratio the experiments measure and, with IO in flight, whether
 * data is lost; these tests pin the policy (old before recent, exact order for lru-exact), the
 * limits (memory, keys, negative entries) and that pinned or busy keys stay unless the toggle
 * that breaks that rule is on. Sampling is seeded, so every run evicts the same keys.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testhost.h"

#define VSIZE 100

static void set_sized(th_host *th, const char *key, uint64_t size_bytes) {
    ds_status s = th_do(th, 1, th_setv(th, key, th_valx(th, key, size_bytes, 0)));
    ck_assert_msg(s == DS_OK, "SET %s: %s (%s)", key, ds_status_name(s),
                  ds_cache_last_error(th->cache));
}

static void get_hit(th_host *th, const char *key) {
    ck_assert_int_eq(th_do(th, 1, th_get(th, key)), DS_OK);
    ck_assert_ptr_nonnull(th->last.values[0]);
}

/* Keys "k000".."kNNN", all the same length so every entry costs the same. */
static void key_name(char *buf, size_t n, int i) { snprintf(buf, n, "k%03d", i); }

START_TEST(test_sampled_lru_evicts_old_keys_before_recent_ones) {
    enum { N = 100, EXTRA = 20 };
    ds_config cfg = th_cfg(0);
    cfg.max_memory_bytes = N * th_entry_bytes("k000", VSIZE);
    cfg.seed = 42;
    TH_OPEN(th, cfg);
    char key[16];
    for (int i = 0; i < N; i++) {
        key_name(key, sizeof key, i);
        set_sized(th, key, VSIZE);
    }
    th_run_all(th);
    for (int i = N / 2; i < N; i++) {
        key_name(key, sizeof key, i);
        get_hit(th, key);
    }
    for (int i = N; i < N + EXTRA; i++) {
        key_name(key, sizeof key, i);
        set_sized(th, key, VSIZE);
    }
    th_run_all(th);
    ck_assert_int_eq(ds_cache_cron(th->cache), DS_OK);
    int old_gone = 0, recent_gone = 0;
    for (int i = 0; i < N; i++) {
        key_name(key, sizeof key, i);
        if (th_peek(th, key)) continue;
        if (i < N / 2)
            old_gone++;
        else
            recent_gone++;
    }
    ds_stats st = th_stats(th);
    ck_assert_uint_eq(st.evictions, EXTRA);
    ck_assert_uint_le(st.used_memory_bytes, cfg.max_memory_bytes);
    ck_assert_msg(old_gone >= 15 && recent_gone <= 5, "old evicted %d, recent evicted %d", old_gone,
                  recent_gone);
    th_fini(th);
}
END_TEST

START_TEST(test_lru_exact_evicts_exactly_the_lru_key) {
    ds_config cfg = th_cfg(0);
    snprintf(cfg.evict, sizeof cfg.evict, "lru-exact");
    cfg.max_memory_bytes = 3 * th_entry_bytes("a", VSIZE);
    TH_OPEN(th, cfg);
    set_sized(th, "a", VSIZE);
    set_sized(th, "b", VSIZE);
    set_sized(th, "c", VSIZE);
    th_run_all(th);
    get_hit(th, "a"); /* LRU order now: b, c, a */
    set_sized(th, "d", VSIZE);
    th_run_all(th);
    ck_assert_int_eq(ds_cache_cron(th->cache), DS_OK);
    ck_assert_ptr_null(th_peek(th, "b"));
    ck_assert_ptr_nonnull(th_peek(th, "a"));
    ck_assert_ptr_nonnull(th_peek(th, "c"));
    ck_assert_ptr_nonnull(th_peek(th, "d"));
    set_sized(th, "e", VSIZE);
    th_run_all(th);
    ck_assert_int_eq(ds_cache_cron(th->cache), DS_OK);
    ck_assert_ptr_null(th_peek(th, "c"));
    ck_assert_ptr_nonnull(th_peek(th, "a"));
    ck_assert_uint_eq(th_stats(th).evictions, 2);
    th_fini(th);
}
END_TEST

START_TEST(test_cache_max_keys_limits_key_count) {
    ds_config cfg = th_cfg(0);
    cfg.max_keys = 5;
    TH_OPEN(th, cfg);
    char key[16];
    for (int i = 0; i < 10; i++) {
        key_name(key, sizeof key, i);
        set_sized(th, key, VSIZE);
    }
    th_run_all(th);
    ck_assert_int_eq(ds_cache_cron(th->cache), DS_OK);
    ds_stats st = th_stats(th);
    ck_assert_uint_eq(st.keys, 5);
    ck_assert_uint_eq(st.evictions, 5);
    th_fini(th);
}
END_TEST

START_TEST(test_evict_at_insert_keeps_memory_under_limit_after_every_set) {
    ds_config cfg = th_cfg(0);
    cfg.evict_at = DS_EVICT_AT_INSERT;
    cfg.max_memory_bytes = 4 * th_entry_bytes("k000", VSIZE);
    TH_OPEN(th, cfg);
    char key[16];
    for (int i = 0; i < 20; i++) {
        key_name(key, sizeof key, i);
        set_sized(th, key, VSIZE);
        ck_assert_uint_le(th_stats(th).used_memory_bytes, cfg.max_memory_bytes);
        th_run_all(th);
    }
    ck_assert_uint_eq(th_stats(th).evictions, 16);
    th_fini(th);
}
END_TEST

START_TEST(test_evict_at_insert_without_room_is_memory_error) {
    th_host s, *th = &s;
    ds_config cfg = th_cfg(100000);
    cfg.evict_at = DS_EVICT_AT_INSERT;
    cfg.max_memory_bytes = 2 * th_entry_bytes("a", VSIZE);
    th_init(th);
    th_no_wait_io(th);
    th_open(th, &cfg);
    set_sized(th, "a", VSIZE);
    set_sized(th, "b", VSIZE);
    ds_status st = th_do(th, 1, th_setv(th, "c", th_valx(th, "c", VSIZE, 0)));
    ck_assert_int_eq(st, DS_ERR_MEMORY);
    ck_assert_str_ne(ds_cache_last_error(th->cache), "");
    ck_assert_ptr_null(th_peek(th, "c"));
    ck_assert_ptr_nonnull(th_peek(th, "a"));
    ck_assert_ptr_nonnull(th_peek(th, "b"));
    th_fini(th);
}
END_TEST

START_TEST(test_evict_at_insert_waits_for_saves_to_make_room) {
    ds_config cfg = th_cfg(100000);
    cfg.evict_at = DS_EVICT_AT_INSERT;
    cfg.max_memory_bytes = 2 * th_entry_bytes("a", VSIZE);
    TH_OPEN(th, cfg);
    set_sized(th, "a", VSIZE);
    set_sized(th, "b", VSIZE);
    set_sized(th, "c", VSIZE);
    ds_stats st = th_stats(th);
    ck_assert_uint_ge(st.reclaim_waits, 1);
    ck_assert_uint_le(st.used_memory_bytes, cfg.max_memory_bytes);
    ck_assert_ptr_nonnull(th_peek(th, "c"));
    ck_assert_uint_eq(st.evictions, 1);
    const char *gone = th_peek(th, "a") ? "b" : "a";
    ck_assert_ptr_null(th_peek(th, gone));
    ck_assert_msg(th_disk_is(th, gone, gone), "%s evicted before its SAVE completed", gone);
    th_fini(th);
}
END_TEST

START_TEST(test_evict_at_cron_does_not_evict_on_set) {
    ds_config cfg = th_cfg(0);
    cfg.max_memory_bytes = 2 * th_entry_bytes("k000", VSIZE);
    TH_OPEN(th, cfg);
    char key[16];
    for (int i = 0; i < 5; i++) {
        key_name(key, sizeof key, i);
        set_sized(th, key, VSIZE);
        th_run_all(th);
    }
    ck_assert_uint_eq(th_stats(th).evictions, 0);
    ck_assert_uint_eq(th_stats(th).keys, 5);
    ck_assert_int_eq(ds_cache_cron(th->cache), DS_OK);
    ck_assert_uint_eq(th_stats(th).keys, 2);
    th_fini(th);
}
END_TEST

START_TEST(test_negcache_max_bounds_negative_entries) {
    ds_config cfg = th_cfg(0);
    cfg.negcache_max = 5;
    TH_OPEN(th, cfg);
    char key[16];
    for (int i = 0; i < 20; i++) {
        key_name(key, sizeof key, i);
        th_get_blocked(th, (uint64_t)i + 1, key);
        th_run_all(th);
    }
    ck_assert_int_eq(ds_cache_cron(th->cache), DS_OK);
    ds_stats st = th_stats(th);
    ck_assert_uint_le(st.neg_entries, 5);
    ck_assert_uint_ge(st.neg_evictions, 15);
    th_fini(th);
}
END_TEST

START_TEST(test_negcache_max_never_drops_pinned_entries) {
    ds_config cfg = th_cfg(100000);
    cfg.negcache_max = 3;
    TH_OPEN(th, cfg);
    char key[16];
    for (int i = 0; i < 10; i++) {
        key_name(key, sizeof key, i);
        ck_assert_int_eq(th_do(th, 1, TH_DEL(th, key)), DS_OK);
    }
    ck_assert_int_eq(ds_cache_cron(th->cache), DS_OK);
    ck_assert_uint_eq(th_stats(th).neg_entries, 10);
    for (int i = 0; i < 10; i++) {
        bool pinned = false;
        key_name(key, sizeof key, i);
        ck_assert(th_neg(th, key, &pinned));
        ck_assert(pinned);
    }
    ck_assert_int_eq(ds_cache_drain(th->cache), DS_OK);
    th_get_blocked(th, 2, "fresh"); /* one more negative entry once its LOAD finds nothing */
    th_run_all(th);
    ck_assert_uint_le(th_stats(th).neg_entries, 3);
    ck_assert_uint_ge(th_stats(th).neg_evictions, 8);
    th_fini(th);
}
END_TEST

/* A bound exceeded only while pins are held must be restored once they are released, even
 * if no new negative entry arrives: cron is the periodic place to do it. */
START_TEST(test_negcache_bound_restored_by_cron_after_unpin) {
    ds_config cfg = th_cfg(100000);
    cfg.negcache_max = 3;
    TH_OPEN(th, cfg);
    char key[16];
    for (int i = 0; i < 10; i++) {
        key_name(key, sizeof key, i);
        ck_assert_int_eq(th_do(th, 1, TH_DEL(th, key)), DS_OK);
    }
    ck_assert_int_eq(ds_cache_drain(th->cache), DS_OK);
    ck_assert_int_eq(ds_cache_cron(th->cache), DS_OK);
    ck_assert_uint_le(th_stats(th).neg_entries, 3);
    th_fini(th);
}
END_TEST

/* Five keys with SAVE scheduled, room for two: only evict-busy-keys=on may evict them. */
static void busy_keys_scenario(bool evict_busy, ds_stats *out) {
    th_host s, *th = &s;
    ds_config cfg = th_cfg(100000);
    cfg.evict_busy_keys = evict_busy;
    cfg.max_memory_bytes = 2 * th_entry_bytes("a", VSIZE);
    th_init(th);
    th_no_wait_io(th);
    th_open(th, &cfg);
    static const char *const keys[5] = {"a", "b", "c", "d", "e"};
    for (int i = 0; i < 5; i++)
        set_sized(th, keys[i], VSIZE);
    ds_cache_cron(th->cache);
    *out = th_stats(th);
    th_fini(th);
}

START_TEST(test_evict_busy_keys_toggle_evicts_flagged_keys) {
    ds_stats off, on;
    busy_keys_scenario(false, &off);
    busy_keys_scenario(true, &on);
    ck_assert_uint_eq(off.evictions, 0);
    ck_assert_uint_eq(off.keys, 5);
    ck_assert_uint_ge(on.evictions, 3);
    ck_assert_uint_le(on.keys, 2);
}
END_TEST

START_TEST(test_toggles_default_off) {
    ds_config c;
    memset(&c, 0xff, sizeof c);
    ds_config_default(&c);
    ck_assert(c.negcache);
    ck_assert_int_eq(c.load_priority, DS_LOAD_SAVE_FIRST);
    ck_assert(!c.concurrent_saves);
    ck_assert(!c.evict_busy_keys);
    ck_assert_str_eq(c.evict, "lru-sampled");
    ck_assert_ptr_null(c.evict_ops);
    ck_assert_int_eq(c.evict_at, DS_EVICT_AT_CRON);
    ck_assert_uint_eq(c.evict_samples, 5);
    ck_assert_uint_eq(c.max_io_jobs, 10);
    ck_assert_uint_eq(c.negcache_max, 100000);
    ck_assert_int_eq(c.save_retry_ms, 100);
    ck_assert_int_eq(c.save_retry_max_ms, 10000);
}
END_TEST

START_TEST(test_eviction_is_deterministic_for_a_seed) {
    char gone[2][64];
    for (int run = 0; run < 2; run++) {
        ds_config cfg = th_cfg(0);
        cfg.max_memory_bytes = 10 * th_entry_bytes("k000", VSIZE);
        cfg.seed = 7;
        TH_OPEN(th, cfg);
        char key[16];
        for (int i = 0; i < 30; i++) {
            key_name(key, sizeof key, i);
            set_sized(th, key, VSIZE);
        }
        th_run_all(th);
        ck_assert_int_eq(ds_cache_cron(th->cache), DS_OK);
        for (int i = 0; i < 30; i++) {
            key_name(key, sizeof key, i);
            gone[run][i] = th_peek(th, key) ? '.' : 'x';
        }
        gone[run][30] = '\0';
        th_fini(th);
    }
    ck_assert_str_eq(gone[0], gone[1]);
}
END_TEST

static Suite *evict_suite(void) {
    Suite *s = suite_create("evict");
    TCase *tc = tcase_create("policy");
    tcase_add_test(tc, test_sampled_lru_evicts_old_keys_before_recent_ones);
    tcase_add_test(tc, test_lru_exact_evicts_exactly_the_lru_key);
    tcase_add_test(tc, test_eviction_is_deterministic_for_a_seed);
    suite_add_tcase(s, tc);
    tc = tcase_create("limits");
    tcase_add_test(tc, test_cache_max_keys_limits_key_count);
    tcase_add_test(tc, test_evict_at_insert_keeps_memory_under_limit_after_every_set);
    tcase_add_test(tc, test_evict_at_insert_without_room_is_memory_error);
    tcase_add_test(tc, test_evict_at_insert_waits_for_saves_to_make_room);
    tcase_add_test(tc, test_evict_at_cron_does_not_evict_on_set);
    tcase_add_test(tc, test_negcache_max_bounds_negative_entries);
    tcase_add_test(tc, test_negcache_max_never_drops_pinned_entries);
    tcase_add_test(tc, test_negcache_bound_restored_by_cron_after_unpin);
    suite_add_tcase(s, tc);
    tc = tcase_create("toggles");
    tcase_add_test(tc, test_evict_busy_keys_toggle_evicts_flagged_keys);
    tcase_add_test(tc, test_toggles_default_off);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(evict_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
