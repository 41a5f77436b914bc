/*
 * test_races.c - races of the seed design that dslab's core closes beyond DESIGN.md's ten
 * rules, each forced through the test host in the exact interleaving that exposes it.
 */
#include <check.h>

#include "testhost.h"
#include "testmain.h"

/* GET k misses and its LOAD is in flight; DEL k arrives; the LOAD completes with the old
 * value. Rule 6 as written ("add if not in memory") would resurrect k. */
START_TEST(test_delete_during_load_is_not_undone) {
    ds_config cfg = th_cfg(100);
    TH_OPEN(th, cfg);
    th_disk_put(th, "k", "old");
    th_get_blocked(th, 1, "k");
    ck_assert_uint_eq(th_take_all(th), 1);
    ds_job *load = th_find(th, DS_JOB_LOAD, "k");
    ck_assert_ptr_nonnull(load);
    ck_assert_int_eq(th_do(th, 2, TH_DEL(th, "k")), DS_OK);
    ck_assert_int_eq(th_run(th, load), DS_OK); /* reads "old" from disk */
    ck_assert_ptr_null(th_peek(th, "k"));
    const th_rec *r = th_last_for(th, 1);
    ck_assert_ptr_nonnull(r);
    ck_assert_ptr_null(r->r.values[0]);
    ck_assert_int_eq(th_do(th, 3, th_get(th, "k")), DS_OK); /* negcache: absent, no IO */
    ck_assert_int_eq(ds_cache_drain(th->cache), DS_OK);
    ck_assert(th_disk_is(th, "k", NULL));
    th_fini(th);
}
END_TEST

/* Same interleaving with a SET: the loaded value must not replace the newer one. */
START_TEST(test_set_during_load_wins) {
    ds_config cfg = th_cfg(100);
    TH_OPEN(th, cfg);
    th_disk_put(th, "k", "old");
    th_get_blocked(th, 1, "k");
    ck_assert_uint_eq(th_take_all(th), 1);
    ds_job *load = th_find(th, DS_JOB_LOAD, "k");
    th_set_ok(th, 2, "k", "new");
    ck_assert_int_eq(th_run(th, load), DS_OK);
    ck_assert(th_val_is(th_peek(th, "k"), "new"));
    const th_rec *r = th_last_for(th, 1);
    ck_assert_ptr_nonnull(r);
    ck_assert(th_val_is(r->r.values[0], "new"));
    th_fini(th);
}
END_TEST

/* The guard is about writes *during* the LOAD: with load-priority=always-head a LOAD that
 * overtakes an already scheduled delete still reads the deleted value (the toggle's race). */
START_TEST(test_always_head_still_exposes_overtaking_load) {
    ds_config cfg = th_cfg(100);
    cfg.negcache = false;
    cfg.load_priority = DS_LOAD_ALWAYS_HEAD;
    TH_OPEN(th, cfg);
    th_disk_put(th, "k", "old");
    ck_assert_int_eq(th_do(th, 2, TH_DEL(th, "k")), DS_OK); /* delete SAVE scheduled */
    th_get_blocked(th, 1, "k");
    ck_assert_uint_eq(th_take_all(th), 1); /* the LOAD went first */
    ds_job *load = th_find(th, DS_JOB_LOAD, "k");
    ck_assert_ptr_nonnull(load);
    ck_assert_int_eq(th_run(th, load), DS_OK);
    const th_rec *r = th_last_for(th, 1);
    ck_assert_ptr_nonnull(r);
    ck_assert(th_val_is(r->r.values[0], "old")); /* the stale read the toggle exists to show */
    th_fini(th);
}
END_TEST

/* A GET parks and its LOAD is still queued (max-io-jobs is full); a SET to the key makes the
 * LOAD moot: the parked GET is answered at once with the new value and no LOAD ever runs.
 * Without this it would wait for the SAVE's flush delay (rule 4 keeps the LOAD behind it). */
START_TEST(test_write_cancels_queued_load) {
    ds_config cfg = th_cfg(1000);
    cfg.max_io_jobs = 1;
    TH_OPEN(th, cfg);
    th_get_blocked(th, 1, "busy"); /* its LOAD takes the only job slot */
    ck_assert_uint_eq(th_take_all(th), 1);
    th_get_blocked(th, 2, "k"); /* LOAD of k stays queued */
    ck_assert_uint_eq(th_flags(th, "k"), DS_FLAG_LOAD);
    th_set_ok(th, 3, "k", "new");
    ck_assert_uint_eq(th_replies_for(th, 2), 0); /* not from inside the writer's exec */
    ck_assert_int_eq(ds_cache_cron(th->cache), DS_OK);
    const th_rec *r = th_last_for(th, 2);
    ck_assert_ptr_nonnull(r);
    ck_assert(th_val_is(r->r.values[0], "new"));
    ck_assert_uint_eq(th_flags(th, "k"), DS_FLAG_SAVE); /* LOAD gone, SAVE scheduled */
    ck_assert_uint_eq(th_stats(th).loads_cancelled, 1);
    ck_assert_int_eq(ds_cache_drain(th->cache), DS_OK);
    ck_assert_uint_eq(th_stats(th).disk_loads, 1); /* only "busy" was ever loaded */
    ck_assert(th_disk_is(th, "k", "new"));
    th_fini(th);
}
END_TEST

/* The same with a DEL: the parked GET is answered absent. */
START_TEST(test_delete_cancels_queued_load) {
    ds_config cfg = th_cfg(1000);
    cfg.max_io_jobs = 1;
    TH_OPEN(th, cfg);
    th_disk_put(th, "k", "old");
    th_get_blocked(th, 1, "busy");
    ck_assert_uint_eq(th_take_all(th), 1);
    th_get_blocked(th, 2, "k");
    ck_assert_int_eq(th_do(th, 3, TH_DEL(th, "k")), DS_OK);
    ck_assert_int_eq(th_do(th, 4, th_get(th, "other")), DS_BLOCKED); /* any call answers it */
    const th_rec *r = th_last_for(th, 2);
    ck_assert_ptr_nonnull(r);
    ck_assert_ptr_null(r->r.values[0]);
    ck_assert_int_eq(ds_cache_drain(th->cache), DS_OK);
    ck_assert(th_disk_is(th, "k", NULL));
    th_fini(th);
}
END_TEST

int main(void) {
    Suite *s = suite_create("races");
    TCase *tc = tcase_create("races");
    tcase_add_test(tc, test_delete_during_load_is_not_undone);
    tcase_add_test(tc, test_set_during_load_wins);
    tcase_add_test(tc, test_always_head_still_exposes_overtaking_load);
    tcase_add_test(tc, test_write_cancels_queued_load);
    tcase_add_test(tc, test_delete_cancels_queued_load);
    suite_add_tcase(s, tc);
    return ds_test_run(s);
}
