/*
 * test_rules_io.c - rules 6-10 of DESIGN.md section 2 (load completion, DEL and the negative
 * cache, eviction and the memory hard limit, multi-key preloading, point-in-time drain), one
 * tcase per rule; rules 1-5 are in test_rules.c.
 *
 * Why: these rules decide what a client reads after IO completes and what the disk holds at
 * the end. Each test fails if its rule is broken; completions come in every order that matters.
 * Written against core/dslab.h only, driven through the controllable host in testhost.c.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testhost.h"

/* ---- rule 6: load completion ---- */

START_TEST(test_load_found_value_is_added) {
    TH_OPEN(th, th_cfg(0));
    th_get_blocked(th, 1, "k");
    th_take_all(th);
    ck_assert_int_eq(th_complete(th, th->jobs[0], DS_OK, "v"), DS_OK);
    ck_assert(th_val_is(th_last_for(th, 1)->r.values[0], "v"));
    ck_assert(th_val_is(th_peek(th, "k"), "v"));
    ck_assert_uint_eq(th_stats(th).disk_loads, 1);
    ck_assert_uint_eq(th_stats(th).blocked_clients, 0);
    th_fini(th);
}
END_TEST

START_TEST(test_load_does_not_overwrite_newer_value) {
    TH_OPEN(th, th_cfg(0));
    th_get_blocked(th, 1, "k");
    th_take_all(th);
    th_set_ok(th, 2, "k", "new");
    ck_assert_int_eq(th_complete(th, th_find(th, DS_JOB_LOAD, "k"), DS_OK, "old"), DS_OK);
    ck_assert(th_val_is(th_peek(th, "k"), "new"));
    ck_assert_uint_eq(th_replies_for(th, 1), 1);
    ck_assert(th_val_is(th_last_for(th, 1)->r.values[0], "new"));
    th_fini(th);
}
END_TEST

/* DEL is immediate even while the key's LOAD is in flight; the LOAD's (older) disk value must
 * not bring the deleted key back when it completes. Found by test_rules_random.c. */
START_TEST(test_load_completion_does_not_undo_a_del) {
    ds_config cfg = th_cfg(100);
    cfg.negcache = _i == 1;
    TH_OPEN(th, cfg);
    th_disk_put(th, "k", "old");
    th_get_blocked(th, 1, "k");
    th_take_all(th);
    ck_assert_int_eq(th_do(th, 2, TH_DEL(th, "k")), DS_OK);
    ck_assert_int_eq(th_complete(th, th_find(th, DS_JOB_LOAD, "k"), DS_OK, "old"), DS_OK);
    ck_assert_msg(th_peek(th, "k") == NULL, "the LOAD resurrected a deleted key");
    ds_status s = th_do(th, 3, th_get(th, "k"));
    ck_assert(s == DS_OK || s == DS_BLOCKED);
    const ds_value *v = s == DS_OK ? th->last.values[0] : NULL;
    ck_assert_int_eq(ds_cache_drain(th->cache), DS_OK);
    if (s == DS_BLOCKED) {
        ck_assert_uint_eq(th_replies_for(th, 3), 1);
        v = th_last_for(th, 3)->r.values[0];
    }
    ck_assert_msg(v == NULL, "GET after an acknowledged DEL read the deleted value");
    ck_assert(th_disk_is(th, "k", NULL));
    th_fini(th);
}
END_TEST

START_TEST(test_not_found_sets_unpinned_negative_entry) {
    TH_OPEN(th, th_cfg(0));
    th_get_blocked(th, 1, "k");
    th_take_all(th);
    ck_assert_int_eq(th_complete(th, th->jobs[0], DS_NOT_FOUND, NULL), DS_OK);
    ck_assert_ptr_null(th_last_for(th, 1)->r.values[0]);
    bool pinned = true;
    ck_assert(th_neg(th, "k", &pinned));
    ck_assert(!pinned);
    ck_assert_int_eq(th_do(th, 1, th_get(th, "k")), DS_OK);
    ck_assert_uint_eq(th_stats(th).neg_hits, 1);
    ck_assert_uint_eq(th_take_all(th), 0);
    th_fini(th);
}
END_TEST

START_TEST(test_not_found_with_negcache_off_sets_nothing) {
    ds_config cfg = th_cfg(0);
    cfg.negcache = false;
    TH_OPEN(th, cfg);
    th_get_blocked(th, 1, "k");
    th_take_all(th);
    ck_assert_int_eq(th_complete(th, th->jobs[0], DS_NOT_FOUND, NULL), DS_OK);
    ck_assert(!th_neg(th, "k", NULL));
    th_get_blocked(th, 1, "k");
    ck_assert_uint_eq(th_take_all(th), 1);
    th_fini(th);
}
END_TEST

START_TEST(test_not_found_ignored_when_key_in_memory) {
    TH_OPEN(th, th_cfg(0));
    th_get_blocked(th, 1, "k");
    th_take_all(th);
    th_set_ok(th, 2, "k", "v");
    ck_assert_int_eq(th_complete(th, th_find(th, DS_JOB_LOAD, "k"), DS_NOT_FOUND, NULL), DS_OK);
    ck_assert(!th_neg(th, "k", NULL));
    ck_assert(th_val_is(th_peek(th, "k"), "v"));
    ck_assert(th_val_is(th_last_for(th, 1)->r.values[0], "v"));
    th_fini(th);
}
END_TEST

START_TEST(test_not_found_keeps_pinned_delete_entry) {
    TH_OPEN(th, th_cfg(100));
    th_get_blocked(th, 1, "k");
    th_take_all(th);
    ck_assert_int_eq(th_do(th, 2, TH_DEL(th, "k")), DS_OK);
    ck_assert_int_eq(th_complete(th, th_find(th, DS_JOB_LOAD, "k"), DS_NOT_FOUND, NULL), DS_OK);
    bool pinned = false;
    ck_assert(th_neg(th, "k", &pinned));
    ck_assert_msg(pinned, "a NOT_FOUND load unpinned the negative entry of a pending delete");
    ck_assert_ptr_null(th_last_for(th, 1)->r.values[0]);
    th_fini(th);
}
END_TEST

/* Only the toggles can get a key out of memory with its SAVE still scheduled and no negative
 * entry; a NOT_FOUND that arrives then must not mark the key absent (the SAVE will write it). */
START_TEST(test_not_found_sets_no_entry_while_save_scheduled) {
    ds_config cfg = th_cfg(100000);
    cfg.evict_busy_keys = true;
    cfg.load_priority = DS_LOAD_ALWAYS_HEAD;
    cfg.max_memory_bytes = th_entry_bytes("k", 100) + 10;
    TH_OPEN(th, cfg);
    ck_assert_int_eq(th_do(th, 1, th_setv(th, "k", th_valx(th, "v", 100, 0))), DS_OK);
    ck_assert_int_eq(th_do(th, 1, th_setv(th, "j", th_valx(th, "w", 100, 0))), DS_OK);
    ds_cache_cron(th->cache);
    ck_assert_ptr_null(th_peek(th, "k"));
    ck_assert(!th_neg(th, "k", NULL));
    th_get_blocked(th, 2, "k");
    th_take_all(th);
    ck_assert_int_eq(th_complete(th, th_find(th, DS_JOB_LOAD, "k"), DS_NOT_FOUND, NULL), DS_OK);
    ck_assert_uint_ne(th_flags(th, "k") & DS_FLAG_SAVE, 0);
    ck_assert_msg(!th_neg(th, "k", NULL), "negative entry set while a SAVE is scheduled");
    th_fini(th);
}
END_TEST

START_TEST(test_failed_load_replies_io_error_without_negative_entry) {
    TH_OPEN(th, th_cfg(0));
    th_get_blocked(th, 1, "k");
    th_take_all(th);
    ck_assert_int_eq(th_complete(th, th->jobs[0], DS_ERR_IO, NULL), DS_OK);
    ck_assert_uint_eq(th_replies_for(th, 1), 1);
    ck_assert_int_eq(th_last_for(th, 1)->r.status, DS_ERR_IO);
    ck_assert_uint_eq(th_stats(th).load_errors, 1);
    ck_assert(!th_neg(th, "k", NULL));
    ck_assert_uint_eq(th_flags(th, "k"), 0);
    th_get_blocked(th, 1, "k");
    ck_assert_uint_eq(th_take_all(th), 1);
    th_fini(th);
}
END_TEST

START_TEST(test_mget_resumes_once_after_last_load_any_order) {
    static const int perms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                    {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    static const char *const keys[3] = {"a", "b", "c"}, *const vals[3] = {"va", "vb", "vc"};
    TH_OPEN(th, th_cfg(0));
    ck_assert_int_eq(th_do_tag(th, 7, 77, TH_MGET(th, "a", "b", "c")), DS_BLOCKED);
    ck_assert_uint_eq(th_take_all(th), 3);
    for (int n = 0; n < 3; n++) {
        int k = perms[_i][n];
        ck_assert_uint_eq(th_replies_for(th, 7), 0);
        ck_assert_int_eq(th_complete(th, th_find(th, DS_JOB_LOAD, keys[k]), DS_OK, vals[k]), DS_OK);
    }
    ck_assert_uint_eq(th_replies_for(th, 7), 1);
    const th_rec *rec = th_last_for(th, 7);
    ck_assert_uint_eq(rec->tag, 77);
    ck_assert_int_eq(rec->r.status, DS_OK);
    ck_assert_uint_eq(rec->r.n, 3);
    for (int k = 0; k < 3; k++)
        ck_assert(th_val_is(rec->r.values[k], vals[k]));
    ck_assert_uint_eq(th_stats(th).blocked_clients, 0);
    th_fini(th);
}
END_TEST

START_TEST(test_loaded_key_stays_pinned_while_waiter_waits) {
    ds_config cfg = th_cfg(0);
    cfg.max_memory_bytes = th_entry_bytes("a", 2);
    TH_OPEN(th, cfg);
    ck_assert_int_eq(th_do(th, 1, TH_MGET(th, "a", "b")), DS_BLOCKED);
    th_take_all(th);
    ck_assert_int_eq(th_complete(th, th_find(th, DS_JOB_LOAD, "a"), DS_OK, "va"), DS_OK);
    th_set_ok(th, 2, "x", "vx"); /* x is now more recent than a */
    th_take_all(th);
    ck_assert_int_eq(th_run(th, th_find(th, DS_JOB_SAVE, "x")), DS_OK);
    ck_assert_int_eq(ds_cache_cron(th->cache), DS_OK);
    ck_assert_ptr_nonnull(th_peek(th, "a"));
    ck_assert_ptr_null(th_peek(th, "x"));
    ck_assert_uint_eq(th_replies_for(th, 1), 0);
    ck_assert_int_eq(th_complete(th, th_find(th, DS_JOB_LOAD, "b"), DS_OK, "vb"), DS_OK);
    ck_assert_uint_eq(th_replies_for(th, 1), 1);
    ck_assert(th_val_is(th_last_for(th, 1)->r.values[0], "va"));
    ck_assert(th_val_is(th_last_for(th, 1)->r.values[1], "vb"));
    th_fini(th);
}
END_TEST

/* ---- rule 7: DEL and the negative cache ---- */

START_TEST(test_del_then_get_while_delete_queued_is_absent_without_load) {
    TH_OPEN(th, th_cfg(100));
    th_disk_put(th, "ondisk", "old");
    th_set_ok(th, 1, "inmem", "v");
    ck_assert_int_eq(ds_cache_drain(th->cache), DS_OK);
    ck_assert_int_eq(th_do(th, 1, TH_DEL(th, "inmem", "ondisk")), DS_OK);
    ck_assert_int_eq(th->last.count, 1);
    ck_assert_int_eq(th_do(th, 2, th_get(th, "inmem")), DS_OK);
    ck_assert_ptr_null(th->last.values[0]);
    ck_assert_int_eq(th_do(th, 3, th_get(th, "ondisk")), DS_OK);
    ck_assert_ptr_null(th->last.values[0]);
    ck_assert_uint_eq(th_take_all(th), 0);
    ds_stats st = th_stats(th);
    ck_assert_uint_eq(st.neg_hits, 2);
    ck_assert_uint_eq(st.queued_ops, 2);
    ck_assert_uint_eq(th_flags(th, "ondisk"), DS_FLAG_SAVE);
    th_fini(th);
}
END_TEST

START_TEST(test_del_pins_negative_entry_until_disk_delete_completes) {
    TH_OPEN(th, th_cfg(0));
    ck_assert_int_eq(th_do(th, 1, TH_DEL(th, "k")), DS_OK);
    bool pinned = false;
    ck_assert(th_neg(th, "k", &pinned));
    ck_assert(pinned);
    ck_assert_uint_eq(th_take_all(th), 1);
    ck_assert(th_neg(th, "k", &pinned));
    ck_assert(pinned);
    ck_assert_int_eq(th_run(th, th->jobs[0]), DS_OK);
    ck_assert(th_neg(th, "k", &pinned));
    ck_assert(!pinned);
    th_fini(th);
}
END_TEST

START_TEST(test_delete_pin_kept_while_another_save_scheduled) {
    TH_OPEN(th, th_cfg(0));
    ck_assert_int_eq(th_do(th, 1, TH_DEL(th, "k")), DS_OK);
    ck_assert_uint_eq(th_take_all(th), 1);
    ds_job *j1 = th->jobs[0];
    ck_assert_int_eq(th_do(th, 1, TH_DEL(th, "k")), DS_OK);
    ck_assert_uint_eq(th_flags(th, "k"), DS_FLAG_SAVE | DS_FLAG_SAVEINPROG);
    ck_assert_int_eq(th_run(th, j1), DS_OK);
    bool pinned = false;
    ck_assert(th_neg(th, "k", &pinned));
    ck_assert_msg(pinned, "unpinned although another delete is scheduled");
    ck_assert_uint_eq(th_run_all(th), 1);
    ck_assert(th_neg(th, "k", &pinned));
    ck_assert(!pinned);
    th_fini(th);
}
END_TEST

START_TEST(test_failed_delete_keeps_pin_until_retry_succeeds) {
    ds_config cfg = th_cfg(0);
    cfg.save_retry_ms = 10;
    TH_OPEN(th, cfg);
    ck_assert_int_eq(th_do(th, 1, TH_DEL(th, "k")), DS_OK);
    th_take_all(th);
    ck_assert_int_eq(th_complete(th, th->jobs[0], DS_ERR_IO, NULL), DS_OK);
    bool pinned = false;
    ck_assert(th_neg(th, "k", &pinned));
    ck_assert_msg(pinned, "a failed disk delete released the pin");
    th_advance_ms(th, 10);
    ds_cache_cron(th->cache);
    ck_assert_uint_eq(th_take_all(th), 1);
    ck_assert_ptr_null(th->jobs[0]->value);
    ck_assert_int_eq(th_run(th, th->jobs[0]), DS_OK);
    ck_assert(th_neg(th, "k", &pinned));
    ck_assert(!pinned);
    th_fini(th);
}
END_TEST

START_TEST(test_set_clears_negative_entry) {
    TH_OPEN(th, th_cfg(0));
    ck_assert_int_eq(th_do(th, 1, TH_DEL(th, "k")), DS_OK);
    ck_assert(th_neg(th, "k", NULL));
    th_set_ok(th, 1, "k", "v");
    ck_assert(!th_neg(th, "k", NULL));
    ck_assert_int_eq(th_do(th, 1, th_get(th, "k")), DS_OK);
    ck_assert(th_val_is(th->last.values[0], "v"));
    th_run_all(th);
    ck_assert(th_disk_is(th, "k", "v"));
    th_fini(th);
}
END_TEST

/* ---- rule 8: eviction and the memory hard limit ---- */

static void set_sized(th_host *th, const char *key, uint64_t size_bytes) {
    ds_status s = th_do(th, 1, th_setv(th, key, th_valx(th, key, size_bytes, 0)));
    ck_assert_msg(s == DS_OK, "SET %s: %s", key, ds_status_name(s));
}

START_TEST(test_eviction_skips_keys_with_io_flags) {
    ds_config cfg = th_cfg(100000);
    cfg.max_memory_bytes = 3 * th_entry_bytes("a", 100);
    TH_OPEN(th, cfg);
    set_sized(th, "a", 100);
    set_sized(th, "b", 100);
    ck_assert_int_eq(ds_cache_drain(th->cache), DS_OK);
    set_sized(th, "c", 100);
    set_sized(th, "d", 100);
    ck_assert_int_eq(th_do(th, 1, TH_MGET(th, "a", "b")), DS_OK); /* c, d are now the LRU */
    ck_assert_int_eq(ds_cache_cron(th->cache), DS_OK);
    ds_stats st = th_stats(th);
    ck_assert_uint_eq(st.evictions, 1);
    ck_assert_uint_le(st.used_memory_bytes, cfg.max_memory_bytes);
    ck_assert_ptr_nonnull(th_peek(th, "c"));
    ck_assert_ptr_nonnull(th_peek(th, "d"));
    ck_assert((th_peek(th, "a") == NULL) != (th_peek(th, "b") == NULL));
    th_fini(th);
}
END_TEST

START_TEST(test_memory_hard_limit_reclaim_waits_for_saves) {
    ds_config cfg = th_cfg(100000);
    cfg.max_memory_bytes = 2 * th_entry_bytes("a", 100);
    TH_OPEN(th, cfg);
    static const char *const keys[4] = {"a", "b", "c", "d"};
    for (int i = 0; i < 4; i++)
        set_sized(th, keys[i], 100);
    ck_assert_int_eq(ds_cache_cron(th->cache), DS_OK);
    ds_stats st = th_stats(th);
    ck_assert_uint_ge(st.reclaim_waits, 1);
    ck_assert_uint_ge(th->wait_io_done, 1);
    ck_assert_uint_ge(st.evictions, 2);
    ck_assert_uint_le(st.used_memory_bytes, cfg.max_memory_bytes);
    ck_assert_uint_eq(st.memory_limit_misses, 0);
    for (int i = 0; i < 4; i++) {
        if (th_peek(th, keys[i])) continue;
        ck_assert_msg(th_disk_is(th, keys[i], keys[i]), "evicted %s before it was saved", keys[i]);
    }
    th_fini(th);
}
END_TEST

START_TEST(test_memory_limit_miss_is_reported) {
    th_host s, *th = &s;
    ds_config cfg = th_cfg(100000);
    cfg.max_memory_bytes = th_entry_bytes("a", 100);
    th_init(th);
    th_no_wait_io(th);
    th_open(th, &cfg);
    set_sized(th, "a", 100);
    set_sized(th, "b", 100);
    ck_assert_int_eq(ds_cache_cron(th->cache), DS_ERR_MEMORY);
    ck_assert_uint_eq(th_stats(th).memory_limit_misses, 1);
    ck_assert_ptr_nonnull(th_peek(th, "a"));
    ck_assert_ptr_nonnull(th_peek(th, "b"));
    th_fini(th);
}
END_TEST

/* ---- rule 9: multi-key commands preload every key ---- */

START_TEST(test_exec_preloads_every_key_before_running) {
    TH_OPEN(th, th_cfg(0));
    th_disk_put(th, "a", "da");
    th_disk_put(th, "b", "db");
    th_disk_put(th, "c", "dc");
    const ds_cmd *x = TH_EXEC(th, th_get(th, "a"), th_set(th, "b", "nb"), TH_DEL(th, "c"));
    ck_assert_int_eq(th_do_tag(th, 5, 55, x), DS_BLOCKED);
    ck_assert_uint_eq(th_take_all(th), 3);
    ck_assert_uint_eq(th_count(th, DS_JOB_LOAD, NULL), 3);
    ck_assert_ptr_null(th_peek(th, "b"));
    while (th->njobs > 0) {
        ck_assert_uint_eq(th_replies_for(th, 5), 0);
        ck_assert_int_eq(th_run(th, th->jobs[th->njobs - 1]), DS_OK);
        ck_assert_uint_eq(th_count(th, DS_JOB_SAVE, NULL), 0);
    }
    ck_assert_uint_eq(th_replies_for(th, 5), 1);
    const th_rec *rec = th_last_for(th, 5);
    ck_assert_uint_eq(rec->tag, 55);
    ck_assert_int_eq(rec->r.status, DS_OK);
    ck_assert_uint_eq(rec->r.nsub, 3);
    ck_assert(th_val_is(rec->r.sub[0].values[0], "da"));
    ck_assert_int_eq(rec->r.sub[1].count, 1);
    ck_assert_int_eq(rec->r.sub[2].count, 1);
    ck_assert(th_val_is(th_peek(th, "b"), "nb"));
    ck_assert_ptr_null(th_peek(th, "c"));
    th_run_all(th);
    ck_assert(th_disk_is(th, "b", "nb"));
    ck_assert(th_disk_is(th, "c", NULL));
    th_fini(th);
}
END_TEST

/* ---- rule 10: point in time ---- */

#define NKEYS 16

/* Random SET/DEL/GET/cron with jobs completed in random order, then drain and compare. */
START_TEST(test_drain_leaves_backend_equal_to_keyspace) {
    ds_config cfg = th_cfg(50);
    cfg.max_io_jobs = 4;
    TH_OPEN(th, cfg);
    ds_rng rng;
    ds_rng_seed(&rng, 1234 + (uint64_t)_i);
    char keys[NKEYS][16], val[32];
    for (int i = 0; i < NKEYS; i++)
        snprintf(keys[i], sizeof keys[i], "k%02d", i);
    for (int op = 0; op < 400; op++) {
        const char *key = keys[ds_rng_below(&rng, NKEYS)];
        uint64_t r = ds_rng_below(&rng, 10), client = 100 + (uint64_t)op;
        if (r < 4) {
            snprintf(val, sizeof val, "v%d", op);
            th_set_ok(th, client, key, val);
        } else if (r < 6) {
            ck_assert_int_eq(th_do(th, client, TH_DEL(th, key)), DS_OK);
        } else if (r < 9) {
            ds_status s = th_do(th, client, th_get(th, key));
            ck_assert(s == DS_OK || s == DS_BLOCKED);
        } else {
            th_advance_ms(th, (int64_t)ds_rng_below(&rng, 60));
            ck_assert_int_eq(ds_cache_cron(th->cache), DS_OK);
        }
        th_take_all(th);
        if (th->njobs > 0 && ds_rng_below(&rng, 2) == 0)
            ck_assert_int_eq(th_run(th, th->jobs[ds_rng_below(&rng, th->njobs)]), DS_OK);
    }
    ck_assert_int_eq(ds_cache_drain(th->cache), DS_OK);
    ds_stats st = th_stats(th);
    ck_assert_uint_eq(st.queued_ops, 0);
    ck_assert_uint_eq(st.jobs_new + st.jobs_processing, 0);
    ck_assert_uint_eq(st.blocked_clients, 0);
    for (int i = 0; i < NKEYS; i++) {
        const ds_value *v = th_peek(th, keys[i]);
        char buf[32] = {0};
        if (v) memcpy(buf, v->data, v->len < 31 ? v->len : 31);
        ck_assert_msg(th_disk_is(th, keys[i], v ? buf : NULL), "%s: disk differs from memory",
                      keys[i]);
        ck_assert_uint_eq(th_flags(th, keys[i]), 0);
    }
    th_fini(th);
}
END_TEST

START_TEST(test_drain_without_wait_io_is_a_state_error) {
    th_host s, *th = &s;
    ds_config cfg = th_cfg(100000);
    th_init(th);
    th_no_wait_io(th);
    th_open(th, &cfg);
    th_set_ok(th, 1, "k", "v");
    ck_assert_int_eq(ds_cache_drain(th->cache), DS_ERR_STATE);
    ck_assert_str_ne(ds_cache_last_error(th->cache), "");
    th_fini(th);
}
END_TEST

START_TEST(test_drain_fails_when_wait_io_cannot_complete) {
    TH_OPEN(th, th_cfg(100000));
    th_set_ok(th, 1, "k", "v");
    th->wait_io_refuse = true;
    ck_assert_int_eq(ds_cache_drain(th->cache), DS_ERR_STATE);
    ck_assert_uint_ge(th->wait_io_calls, 1);
    th->wait_io_refuse = false;
    ck_assert_int_eq(ds_cache_drain(th->cache), DS_OK);
    ck_assert(th_disk_is(th, "k", "v"));
    th_fini(th);
}
END_TEST

static Suite *rules_io_suite(void) {
    Suite *s = suite_create("rules_io");
    TCase *tc = tcase_create("rule6_load_completion");
    tcase_add_test(tc, test_load_found_value_is_added);
    tcase_add_test(tc, test_load_does_not_overwrite_newer_value);
    tcase_add_loop_test(tc, test_load_completion_does_not_undo_a_del, 0, 2);
    tcase_add_test(tc, test_not_found_sets_unpinned_negative_entry);
    tcase_add_test(tc, test_not_found_with_negcache_off_sets_nothing);
    tcase_add_test(tc, test_not_found_ignored_when_key_in_memory);
    tcase_add_test(tc, test_not_found_keeps_pinned_delete_entry);
    tcase_add_test(tc, test_not_found_sets_no_entry_while_save_scheduled);
    tcase_add_test(tc, test_failed_load_replies_io_error_without_negative_entry);
    tcase_add_loop_test(tc, test_mget_resumes_once_after_last_load_any_order, 0, 6);
    tcase_add_test(tc, test_loaded_key_stays_pinned_while_waiter_waits);
    suite_add_tcase(s, tc);
    tc = tcase_create("rule7_del_negcache");
    tcase_add_test(tc, test_del_then_get_while_delete_queued_is_absent_without_load);
    tcase_add_test(tc, test_del_pins_negative_entry_until_disk_delete_completes);
    tcase_add_test(tc, test_delete_pin_kept_while_another_save_scheduled);
    tcase_add_test(tc, test_set_clears_negative_entry);
    tcase_add_test(tc, test_failed_delete_keeps_pin_until_retry_succeeds);
    suite_add_tcase(s, tc);
    tc = tcase_create("rule8_eviction_memory");
    tcase_add_test(tc, test_eviction_skips_keys_with_io_flags);
    tcase_add_test(tc, test_memory_hard_limit_reclaim_waits_for_saves);
    tcase_add_test(tc, test_memory_limit_miss_is_reported);
    suite_add_tcase(s, tc);
    tc = tcase_create("rule9_preload");
    tcase_add_test(tc, test_exec_preloads_every_key_before_running);
    suite_add_tcase(s, tc);
    tc = tcase_create("rule10_point_in_time");
    tcase_add_loop_test(tc, test_drain_leaves_backend_equal_to_keyspace, 0, 4);
    tcase_add_test(tc, test_drain_without_wait_io_is_a_state_error);
    tcase_add_test(tc, test_drain_fails_when_wait_io_cannot_complete);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(rules_io_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
