/*
 * test_rules.c - rules 1-5 of DESIGN.md section 2 (lookup, writes, save timing, ordering,
 * flags), one tcase per rule; rules 6-10 are in test_rules_io.c.
 *
 * Why: these rules are what makes the diskstore design correct (no stale read, no lost write);
 * each test below fails if its rule is broken, and the rule-4 tests complete jobs in
 * adversarial orders because the races only show up in unlucky interleavings. Written against
 * core/dslab.h only, driven through the controllable host in testhost.c.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testhost.h"

/* ---- rule 1: lookup ---- */

START_TEST(test_lookup_hit_answers_at_once) {
    TH_OPEN(th, th_cfg(0));
    th_set_ok(th, 1, "k", "v");
    th_run_all(th);
    ck_assert_int_eq(th_do(th, 2, th_get(th, "k")), DS_OK);
    ck_assert(th_val_is(th->last.values[0], "v"));
    ck_assert_uint_eq(th_take_all(th), 0);
    ck_assert_uint_eq(th_stats(th).hits, 1);
    ck_assert_uint_eq(th_stats(th).misses, 0);
    th_fini(th);
}
END_TEST

START_TEST(test_lookup_negative_entry_answers_absent_without_io) {
    TH_OPEN(th, th_cfg(0));
    ck_assert_int_eq(th_do(th, 1, TH_DEL(th, "k")), DS_OK);
    th_run_all(th);
    ck_assert(th_neg(th, "k", NULL));
    ck_assert_int_eq(th_do(th, 2, th_get(th, "k")), DS_OK);
    ck_assert_ptr_null(th->last.values[0]);
    ck_assert_uint_eq(th_take_all(th), 0);
    ck_assert_uint_eq(th_stats(th).neg_hits, 1);
    ck_assert_uint_eq(th_stats(th).queued_ops, 0);
    th_fini(th);
}
END_TEST

START_TEST(test_lookup_miss_blocks_and_schedules_one_load) {
    TH_OPEN(th, th_cfg(0));
    th_disk_put(th, "k", "d");
    th_get_blocked(th, 1, "k");
    th_get_blocked(th, 2, "k");
    ck_assert_uint_eq(th_take_all(th), 1);
    ck_assert_uint_eq(th_count(th, DS_JOB_LOAD, "k"), 1);
    ck_assert_uint_eq(th_flags(th, "k"), DS_FLAG_LOADINPROG);
    ck_assert_uint_eq(th_stats(th).blocked_requests, 2);
    ck_assert_uint_eq(th_stats(th).misses, 2);
    ck_assert_int_eq(th_run(th, th->jobs[0]), DS_OK);
    ck_assert_uint_eq(th_replies_for(th, 1), 1);
    ck_assert_uint_eq(th_replies_for(th, 2), 1);
    ck_assert(th_val_is(th_last_for(th, 1)->r.values[0], "d"));
    ck_assert(th_val_is(th_last_for(th, 2)->r.values[0], "d"));
    th_fini(th);
}
END_TEST

START_TEST(test_lookup_miss_with_load_queued_adds_no_second_load) {
    ds_config cfg = th_cfg(0);
    cfg.max_io_jobs = 1;
    TH_OPEN(th, cfg);
    th_get_blocked(th, 1, "a");
    th_get_blocked(th, 2, "b");
    ck_assert_uint_eq(th_flags(th, "b"), DS_FLAG_LOAD);
    th_get_blocked(th, 3, "b");
    ck_assert_uint_eq(th_stats(th).queued_ops, 1);
    ck_assert_uint_eq(th_take_all(th), 1);
    ck_assert_int_eq(th_complete(th, th_find(th, DS_JOB_LOAD, "a"), DS_NOT_FOUND, NULL), DS_OK);
    ck_assert_uint_eq(th_take_all(th), 1);
    ck_assert_int_eq(th_complete(th, th_find(th, DS_JOB_LOAD, "b"), DS_NOT_FOUND, NULL), DS_OK);
    ck_assert_uint_eq(th_take_all(th), 0);
    ck_assert_uint_eq(th_replies_for(th, 2) + th_replies_for(th, 3), 2);
    th_fini(th);
}
END_TEST

/* ---- rule 2: writes ---- */

START_TEST(test_save_takes_value_current_at_push_time) {
    TH_OPEN(th, th_cfg(100));
    th_set_ok(th, 1, "k", "v1");
    th_set_ok(th, 1, "k", "v2");
    ck_assert_uint_eq(th_stats(th).saves_coalesced, 1);
    ck_assert_uint_eq(th_take_all(th), 0);
    th_advance_ms(th, 100);
    ds_cache_cron(th->cache);
    ck_assert_uint_eq(th_take_all(th), 1);
    ds_job *j = th_find(th, DS_JOB_SAVE, "k");
    ck_assert(th_val_is(j->value, "v2"));
    th_set_ok(th, 1, "k", "v3");
    ck_assert_uint_eq(th_flags(th, "k"), DS_FLAG_SAVE | DS_FLAG_SAVEINPROG);
    ck_assert(th_val_is(j->value, "v2"));
    ck_assert_int_eq(th_run(th, j), DS_OK);
    ck_assert_uint_eq(th_stats(th).disk_saves, 1);
    ck_assert_uint_eq(th_flags(th, "k"), DS_FLAG_SAVE);
    ck_assert_uint_eq(th_take_all(th), 0);
    th_advance_ms(th, 100);
    ds_cache_cron(th->cache);
    ck_assert_uint_eq(th_take_all(th), 1);
    ck_assert(th_val_is(th_find(th, DS_JOB_SAVE, "k")->value, "v3"));
    th_fini(th);
}
END_TEST

START_TEST(test_two_writes_inside_flush_delay_make_one_disk_write) {
    TH_OPEN(th, th_cfg(100));
    th_set_ok(th, 1, "k", "a");
    th_advance_ms(th, 30);
    th_set_ok(th, 1, "k", "b");
    ck_assert_uint_eq(th_stats(th).saves_coalesced, 1);
    th_advance_ms(th, 70);
    ds_cache_cron(th->cache);
    ck_assert_uint_eq(th_run_all(th), 1);
    ck_assert_uint_eq(th_stats(th).disk_saves, 1);
    ds_backend_stats bs = {0};
    th->backend->ops->stats(th->backend, &bs);
    ck_assert_uint_eq(bs.sets, 1);
    ck_assert(th_disk_is(th, "k", "b"));
    th_fini(th);
}
END_TEST

START_TEST(test_del_save_carries_no_value) {
    TH_OPEN(th, th_cfg(0));
    th_set_ok(th, 1, "k", "v");
    th_run_all(th);
    ck_assert_int_eq(th_do(th, 1, TH_DEL(th, "k")), DS_OK);
    ck_assert_int_eq(th->last.count, 1);
    ck_assert_uint_eq(th_take_all(th), 1);
    ck_assert_ptr_null(th_find(th, DS_JOB_SAVE, "k")->value);
    th_run_all(th);
    ck_assert_uint_eq(th_stats(th).disk_dels, 1);
    ck_assert(th_disk_is(th, "k", NULL));
    th_fini(th);
}
END_TEST

START_TEST(test_expire_is_a_write_like_del) {
    TH_OPEN(th, th_cfg(0));
    ds_value *v = th_valx(th, "v", 0, th->now_us + 1000);
    ck_assert_int_eq(th_do(th, 1, th_setv(th, "k", v)), DS_OK);
    th_run_all(th);
    ck_assert(th_disk_is(th, "k", "v"));
    th_advance(th, 2000);
    ck_assert_int_eq(th_do(th, 1, th_get(th, "k")), DS_OK);
    ck_assert_ptr_null(th->last.values[0]);
    ck_assert_uint_ge(th_stats(th).expired, 1);
    bool pinned = false;
    ck_assert(th_neg(th, "k", &pinned));
    ck_assert(pinned);
    ck_assert_uint_eq(th_take_all(th), 1);
    ck_assert_ptr_null(th_find(th, DS_JOB_SAVE, "k")->value);
    th_run_all(th);
    ck_assert(th_disk_is(th, "k", NULL));
    th_fini(th);
}
END_TEST

/* ---- rule 3: save timing ---- */

START_TEST(test_save_not_pushed_before_flush_delay) {
    TH_OPEN(th, th_cfg(100));
    th_set_ok(th, 1, "k", "v");
    th_advance_ms(th, 50);
    ck_assert_int_eq(ds_cache_cron(th->cache), DS_OK);
    ck_assert_uint_eq(th_take_all(th), 0);
    ck_assert_uint_eq(th_stats(th).queued_ops, 1);
    th_advance_ms(th, 50);
    ck_assert_int_eq(ds_cache_cron(th->cache), DS_OK);
    ck_assert_uint_eq(th_take_all(th), 1);
    th_fini(th);
}
END_TEST

START_TEST(test_flush_delay_counts_from_first_write) {
    TH_OPEN(th, th_cfg(100));
    th_set_ok(th, 1, "k", "v1");
    th_advance_ms(th, 60);
    th_set_ok(th, 1, "k", "v2");
    th_advance_ms(th, 40);
    ds_cache_cron(th->cache);
    ck_assert_uint_eq(th_take_all(th), 1);
    ck_assert(th_val_is(th->jobs[0]->value, "v2"));
    th_fini(th);
}
END_TEST

START_TEST(test_save_not_pushed_while_same_key_save_in_progress) {
    TH_OPEN(th, th_cfg(0));
    th_set_ok(th, 1, "k", "v1");
    ck_assert_uint_eq(th_take_all(th), 1);
    ds_job *j1 = th->jobs[0];
    th_set_ok(th, 1, "k", "v2");
    ck_assert_uint_eq(th_flags(th, "k"), DS_FLAG_SAVE | DS_FLAG_SAVEINPROG);
    ds_cache_cron(th->cache);
    ck_assert_uint_eq(th_take_all(th), 0);
    ck_assert_int_eq(th_run(th, j1), DS_OK);
    ck_assert_uint_eq(th_take_all(th), 1);
    ck_assert(th_val_is(th->jobs[0]->value, "v2"));
    th_fini(th);
}
END_TEST

START_TEST(test_concurrent_saves_toggle_allows_parallel_save) {
    ds_config cfg = th_cfg(0);
    cfg.concurrent_saves = true;
    TH_OPEN(th, cfg);
    th_set_ok(th, 1, "k", "v1");
    th_set_ok(th, 1, "k", "v2");
    ck_assert_uint_eq(th_take_all(th), 2);
    ck_assert_uint_eq(th_count(th, DS_JOB_SAVE, "k"), 2);
    th_fini(th);
}
END_TEST

START_TEST(test_drain_pushes_young_saves_asap) {
    TH_OPEN(th, th_cfg(10000));
    int64_t t0 = th->now_us;
    th_set_ok(th, 1, "k", "v");
    ck_assert_int_eq(ds_cache_drain(th->cache), DS_OK);
    ck_assert_int_eq(th->now_us, t0);
    ck_assert(th_disk_is(th, "k", "v"));
    ck_assert_uint_ge(th_stats(th).asap_pushes, 1);
    th_fini(th);
}
END_TEST

START_TEST(test_failed_save_is_retried_with_doubling_backoff) {
    ds_config cfg = th_cfg(0);
    cfg.save_retry_ms = 100;
    TH_OPEN(th, cfg);
    th_set_ok(th, 1, "k", "v");
    ck_assert_uint_eq(th_take_all(th), 1);
    ck_assert_int_eq(th_complete(th, th->jobs[0], DS_ERR_IO, NULL), DS_OK);
    ck_assert_uint_eq(th_stats(th).save_retries, 1);
    ck_assert_uint_ne(th_flags(th, "k") & DS_FLAG_SAVE, 0);
    th_advance_ms(th, 99);
    ds_cache_cron(th->cache);
    ck_assert_uint_eq(th_take_all(th), 0);
    th_advance_ms(th, 1);
    ds_cache_cron(th->cache);
    ck_assert_uint_eq(th_take_all(th), 1);
    ck_assert(th_val_is(th->jobs[0]->value, "v"));
    ck_assert_int_eq(th_complete(th, th->jobs[0], DS_ERR_IO, NULL), DS_OK);
    ck_assert_uint_eq(th_stats(th).save_retries, 2);
    th_advance_ms(th, 199);
    ds_cache_cron(th->cache);
    ck_assert_uint_eq(th_take_all(th), 0);
    th_advance_ms(th, 1);
    ds_cache_cron(th->cache);
    ck_assert_uint_eq(th_run_all(th), 1);
    ck_assert_uint_eq(th_stats(th).disk_saves, 1);
    ck_assert_uint_eq(th_flags(th, "k"), 0);
    th_fini(th);
}
END_TEST

/* ---- rule 4: load placement, one job per key, max-io-jobs ---- */

START_TEST(test_load_goes_to_head_when_key_has_no_save) {
    TH_OPEN(th, th_cfg(100));
    th_set_ok(th, 1, "a", "v");
    th_disk_put(th, "b", "d");
    th_get_blocked(th, 2, "b");
    ck_assert_uint_eq(th_take_all(th), 1);
    ck_assert_ptr_nonnull(th_find(th, DS_JOB_LOAD, "b"));
    th_fini(th);
}
END_TEST

START_TEST(test_load_queues_behind_scheduled_save) {
    ds_config cfg = th_cfg(100);
    cfg.negcache = false;
    TH_OPEN(th, cfg);
    th_disk_put(th, "k", "old");
    ck_assert_int_eq(th_do(th, 1, TH_DEL(th, "k")), DS_OK);
    th_get_blocked(th, 2, "k");
    ck_assert_uint_eq(th_flags(th, "k"), DS_FLAG_SAVE | DS_FLAG_LOAD);
    ck_assert_uint_eq(th_take_all(th), 0);
    th_advance_ms(th, 100);
    ds_cache_cron(th->cache);
    ck_assert_uint_eq(th_take_all(th), 1);
    ck_assert_ptr_nonnull(th_find(th, DS_JOB_SAVE, "k"));
    ck_assert_int_eq(th_run(th, th->jobs[0]), DS_OK);
    ck_assert_uint_eq(th_take_all(th), 1);
    ck_assert_ptr_nonnull(th_find(th, DS_JOB_LOAD, "k"));
    th_run_all(th);
    ck_assert_uint_eq(th_replies_for(th, 2), 1);
    ck_assert_ptr_null(th_last_for(th, 2)->r.values[0]);
    th_fini(th);
}
END_TEST

/* The LOAD waited behind its key's SAVE; once that SAVE is done it must not also wait behind
 * an unrelated young SAVE that was queued in between. */
START_TEST(test_load_moves_to_head_when_its_save_completes) {
    ds_config cfg = th_cfg(100);
    cfg.negcache = false;
    TH_OPEN(th, cfg);
    ck_assert_int_eq(th_do(th, 1, TH_DEL(th, "k")), DS_OK);
    th_advance_ms(th, 50);
    th_set_ok(th, 1, "x", "vx");
    th_advance_ms(th, 10);
    th_get_blocked(th, 2, "k");
    th_advance_ms(th, 40);
    ds_cache_cron(th->cache);
    ck_assert_uint_eq(th_take_all(th), 1);
    ck_assert_int_eq(th_run(th, th_find(th, DS_JOB_SAVE, "k")), DS_OK);
    ck_assert_uint_eq(th_take_all(th), 1);
    ck_assert_ptr_nonnull(th_find(th, DS_JOB_LOAD, "k"));
    ck_assert_uint_eq(th_flags(th, "x"), DS_FLAG_SAVE);
    th_fini(th);
}
END_TEST

/* A LOAD of a key is in the taken list only when no SAVE of the key is, and vice versa. */
static void assert_one_job_per_key(th_host *th) {
    ck_assert_msg(th_jobs_distinct_keys(th), "two jobs in flight on one key");
}

static const char *const k4[4] = {"k0", "k1", "k2", "k3"};

/* DEL four keys (saves in flight), GET them (loads must wait), finish saves in `order`. */
static void run_overtake_scenario(const int order[4]) {
    ds_config cfg = th_cfg(0);
    cfg.negcache = false;
    TH_OPEN(th, cfg);
    for (int i = 0; i < 4; i++)
        th_disk_put(th, k4[i], "old");
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(th_do(th, 10, TH_DEL(th, k4[i])), DS_OK);
    for (int i = 0; i < 4; i++)
        th_get_blocked(th, (uint64_t)i + 1, k4[i]);
    ck_assert_uint_eq(th_take_all(th), 4);
    ck_assert_uint_eq(th_count(th, DS_JOB_LOAD, NULL), 0);
    for (int n = 0; n < 4; n++) {
        const char *key = k4[order[n]];
        ck_assert_int_eq(th_run(th, th_find(th, DS_JOB_SAVE, key)), DS_OK);
        th_take_all(th);
        assert_one_job_per_key(th);
        ck_assert_ptr_nonnull(th_find(th, DS_JOB_LOAD, key));
        for (int m = n + 1; m < 4; m++)
            ck_assert_ptr_null(th_find(th, DS_JOB_LOAD, k4[order[m]]));
    }
    /* A write while the first LOAD is in flight: its SAVE must wait for the LOAD. */
    th_set_ok(th, 20, k4[order[0]], "new");
    th_take_all(th);
    ck_assert_ptr_null(th_find(th, DS_JOB_SAVE, k4[order[0]]));
    while (th->njobs > 0) { /* newest first */
        ck_assert_int_eq(th_run(th, th->jobs[th->njobs - 1]), DS_OK);
        th_take_all(th);
        assert_one_job_per_key(th);
    }
    for (int i = 0; i < 4; i++) {
        ck_assert_uint_eq(th_replies_for(th, (uint64_t)i + 1), 1);
        const ds_value *v = th_last_for(th, (uint64_t)i + 1)->r.values[0];
        ck_assert_msg(v == NULL || th_val_is(v, "new"), "client %d read a deleted value", i + 1);
    }
    ck_assert(th_disk_is(th, k4[order[0]], "new"));
    th_fini(th);
}

START_TEST(test_load_never_overtakes_save_adversarial_orders) {
    static const int orders[4][4] = {{0, 1, 2, 3}, {3, 2, 1, 0}, {2, 0, 3, 1}, {1, 3, 0, 2}};
    run_overtake_scenario(orders[_i]);
}
END_TEST

START_TEST(test_always_head_toggle_lets_load_pass_scheduled_save) {
    ds_config cfg = th_cfg(100);
    cfg.negcache = false;
    cfg.load_priority = DS_LOAD_ALWAYS_HEAD;
    TH_OPEN(th, cfg);
    th_disk_put(th, "k", "old");
    ck_assert_int_eq(th_do(th, 1, TH_DEL(th, "k")), DS_OK);
    th_get_blocked(th, 2, "k");
    ck_assert_uint_eq(th_take_all(th), 1);
    ck_assert_ptr_nonnull(th_find(th, DS_JOB_LOAD, "k"));
    ck_assert_uint_ne(th_flags(th, "k") & DS_FLAG_SAVE, 0);
    th_fini(th);
}
END_TEST

/* DESIGN.md: "with load-priority=always-head too, a GET after DEL reads the deleted value".
 * The toggle exists so race scenarios can show that; a fix elsewhere must not mask it. */
START_TEST(test_always_head_with_negcache_off_reads_deleted_value) {
    ds_config cfg = th_cfg(100);
    cfg.negcache = false;
    cfg.load_priority = DS_LOAD_ALWAYS_HEAD;
    TH_OPEN(th, cfg);
    th_disk_put(th, "k", "old");
    ck_assert_int_eq(th_do(th, 1, TH_DEL(th, "k")), DS_OK);
    th_get_blocked(th, 2, "k");
    th_take_all(th);
    ck_assert_int_eq(th_run(th, th_find(th, DS_JOB_LOAD, "k")), DS_OK);
    ck_assert_uint_eq(th_replies_for(th, 2), 1);
    ck_assert_msg(th_val_is(th_last_for(th, 2)->r.values[0], "old"),
                  "always-head + negcache=off no longer exposes the GET-after-DEL race");
    th_fini(th);
}
END_TEST

START_TEST(test_max_io_jobs_bounds_jobs_in_flight) {
    ds_config cfg = th_cfg(0);
    cfg.max_io_jobs = 3;
    TH_OPEN(th, cfg);
    char keys[10][16];
    for (int i = 0; i < 10; i++) {
        snprintf(keys[i], sizeof keys[i], "key%d", i);
        th_get_blocked(th, (uint64_t)i + 1, keys[i]);
        ck_assert_uint_le(th_in_flight(th), 3);
    }
    ck_assert_uint_eq(th_take_all(th), 3);
    size_t done = 0;
    while (th->njobs > 0) {
        ck_assert_int_eq(th_complete(th, th->jobs[th->njobs - 1], DS_NOT_FOUND, NULL), DS_OK);
        done++;
        th_take_all(th);
        ck_assert_uint_le(th->njobs, 3);
        ck_assert_uint_le(th_in_flight(th), 3);
    }
    ck_assert_uint_eq(done, 10);
    for (int i = 0; i < 10; i++)
        ck_assert_uint_eq(th_replies_for(th, (uint64_t)i + 1), 1);
    th_fini(th);
}
END_TEST

START_TEST(test_job_ids_follow_push_order) {
    TH_OPEN(th, th_cfg(0));
    th_get_blocked(th, 1, "a");
    th_get_blocked(th, 2, "b");
    th_get_blocked(th, 3, "c");
    ck_assert_uint_eq(th_take_all(th), 3);
    for (size_t i = 0; i < 3; i++) {
        ck_assert_uint_eq(th->jobs[i]->id, i + 1);
        ck_assert_int_eq(th->jobs[i]->created_us, th->now_us);
    }
    ck_assert_ptr_eq(th_find(th, DS_JOB_LOAD, "a"), th->jobs[0]);
    ck_assert_ptr_eq(th_find(th, DS_JOB_LOAD, "c"), th->jobs[2]);
    th_fini(th);
}
END_TEST

/* ---- rule 5: flags ---- */

START_TEST(test_push_swaps_load_for_loadinprog) {
    ds_config cfg = th_cfg(0);
    cfg.max_io_jobs = 1;
    TH_OPEN(th, cfg);
    th_get_blocked(th, 1, "a");
    th_get_blocked(th, 2, "b");
    ck_assert_uint_eq(th_flags(th, "a"), DS_FLAG_LOADINPROG);
    ck_assert_uint_eq(th_flags(th, "b"), DS_FLAG_LOAD);
    th_take_all(th);
    ck_assert_int_eq(th_complete(th, th_find(th, DS_JOB_LOAD, "a"), DS_NOT_FOUND, NULL), DS_OK);
    ck_assert_uint_eq(th_flags(th, "a"), 0);
    ck_assert_uint_eq(th_flags(th, "b"), DS_FLAG_LOADINPROG);
    th_take_all(th);
    ck_assert_int_eq(th_complete(th, th_find(th, DS_JOB_LOAD, "b"), DS_NOT_FOUND, NULL), DS_OK);
    ck_assert_uint_eq(th_flags(th, "b"), 0);
    th_fini(th);
}
END_TEST

START_TEST(test_push_swaps_save_for_saveinprog) {
    TH_OPEN(th, th_cfg(100));
    th_set_ok(th, 1, "k", "v");
    ck_assert_uint_eq(th_flags(th, "k"), DS_FLAG_SAVE);
    th_advance_ms(th, 100);
    ds_cache_cron(th->cache);
    ck_assert_uint_eq(th_flags(th, "k"), DS_FLAG_SAVEINPROG);
    th_run_all(th);
    ck_assert_uint_eq(th_flags(th, "k"), 0);
    th_fini(th);
}
END_TEST

START_TEST(test_flag_misuse_is_reported) {
    TH_OPEN(th, th_cfg(0));
    ds_cache *c = th->cache;
    ck_assert_int_eq(ds_cache_flag_set(c, "fk", 2, DS_FLAG_SAVE), DS_OK);
    ck_assert_uint_eq(th_flags(th, "fk"), DS_FLAG_SAVE);
    ck_assert_int_eq(ds_cache_flag_set(c, "fk", 2, DS_FLAG_SAVE), DS_ERR_FLAGS);
    ck_assert_uint_eq(th_stats(th).flag_errors, 1);
    ck_assert_ptr_nonnull(strstr(ds_cache_last_error(c), "fk"));
    ck_assert_ptr_nonnull(strcasestr(ds_cache_last_error(c), "save"));
    ck_assert_int_eq(ds_cache_flag_clear(c, "fk", 2, DS_FLAG_SAVE), DS_OK);
    ck_assert_uint_eq(th_flags(th, "fk"), 0);
    ck_assert_int_eq(ds_cache_flag_clear(c, "fk", 2, DS_FLAG_LOADINPROG), DS_ERR_FLAGS);
    ck_assert_uint_eq(th_stats(th).flag_errors, 2);
    ck_assert_ptr_nonnull(strstr(ds_cache_last_error(c), "fk"));
    ck_assert_ptr_nonnull(strcasestr(ds_cache_last_error(c), "loadinprog"));
    th_fini(th);
}
END_TEST

static Suite *rules_suite(void) {
    Suite *s = suite_create("rules");
    TCase *tc = tcase_create("rule1_lookup");
    tcase_add_test(tc, test_lookup_hit_answers_at_once);
    tcase_add_test(tc, test_lookup_negative_entry_answers_absent_without_io);
    tcase_add_test(tc, test_lookup_miss_blocks_and_schedules_one_load);
    tcase_add_test(tc, test_lookup_miss_with_load_queued_adds_no_second_load);
    suite_add_tcase(s, tc);
    tc = tcase_create("rule2_writes");
    tcase_add_test(tc, test_save_takes_value_current_at_push_time);
    tcase_add_test(tc, test_two_writes_inside_flush_delay_make_one_disk_write);
    tcase_add_test(tc, test_del_save_carries_no_value);
    tcase_add_test(tc, test_expire_is_a_write_like_del);
    suite_add_tcase(s, tc);
    tc = tcase_create("rule3_save_timing");
    tcase_add_test(tc, test_save_not_pushed_before_flush_delay);
    tcase_add_test(tc, test_flush_delay_counts_from_first_write);
    tcase_add_test(tc, test_save_not_pushed_while_same_key_save_in_progress);
    tcase_add_test(tc, test_concurrent_saves_toggle_allows_parallel_save);
    tcase_add_test(tc, test_drain_pushes_young_saves_asap);
    tcase_add_test(tc, test_failed_save_is_retried_with_doubling_backoff);
    suite_add_tcase(s, tc);
    tc = tcase_create("rule4_ordering");
    tcase_add_test(tc, test_load_goes_to_head_when_key_has_no_save);
    tcase_add_test(tc, test_load_queues_behind_scheduled_save);
    tcase_add_test(tc, test_load_moves_to_head_when_its_save_completes);
    tcase_add_loop_test(tc, test_load_never_overtakes_save_adversarial_orders, 0, 4);
    tcase_add_test(tc, test_always_head_toggle_lets_load_pass_scheduled_save);
    tcase_add_test(tc, test_always_head_with_negcache_off_reads_deleted_value);
    tcase_add_test(tc, test_max_io_jobs_bounds_jobs_in_flight);
    tcase_add_test(tc, test_job_ids_follow_push_order);
    suite_add_tcase(s, tc);
    tc = tcase_create("rule5_flags");
    tcase_add_test(tc, test_push_swaps_load_for_loadinprog);
    tcase_add_test(tc, test_push_swaps_save_for_saveinprog);
    tcase_add_test(tc, test_flag_misuse_is_reported);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(rules_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
