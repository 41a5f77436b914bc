/*
 * test_guards.c - one test per guard that another guard hides, and per rule a mutant of core/
 * once slipped past (issue 8, scripts/mutate.sh).
 *
 * Why a suite of its own: where two rules prevent the same race, breaking either one alone
 * changes nothing a normal run can see, so a test suite that only drives normal runs lets a
 * mutant of either survive. Each test here forces the state that only one guard sees (through
 * the public flag API where no sequence of commands reaches it) and fails when that guard is
 * gone. The tests drive the core through the controllable host only, so they survive
 * refactors of the files they protect.
 *
 *   guard (DESIGN.md section 2)                           test
 *   rule 4: a LOAD is queued behind its key's SAVE test_load_queued_while_save_flagged_goes_behind
 *   rule 4: a LOAD is not pushed while its SAVE is due
 * test_load_waits_for_a_retried_save_queued_behind_it rule 9: a parked command pins its resident
 * keys too    test_parked_mget_pins_a_key_it_did_not_load memory accounting: an overwrite costs the
 * new size      test_overwrite_is_charged_the_new_size rule 7: negative-cache eviction keeps pinned
 * entries    test_negcache_eviction_keeps_pinned_del_entries
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testhost.h"

/* Rule 4 has two guards: where a LOAD is queued (behind its key's SAVE) and whether the pump
 * may push it (not while a SAVE of the key is scheduled). Clearing the SAVE flag by hand after
 * the LOAD was queued removes the second guard's reason to object, so only the queue position
 * keeps the LOAD behind the young SAVE that was queued before it. A LOAD put at the head would
 * now be pushed at once, ahead of that SAVE. */
START_TEST(test_load_queued_while_save_flagged_goes_behind) {
    TH_OPEN_PINNED(th, th_cfg(100)); /* the queue position is the seed policy's (rule 4) */
    th_set_ok(th, 1, "x", "vx");     /* a SAVE due in 100 ms */
    ck_assert_int_eq(ds_cache_flag_set(th->cache, "k", 1, DS_FLAG_SAVE), DS_OK);
    th_get_blocked(th, 2, "k");
    ck_assert_uint_eq(th_flags(th, "k"), DS_FLAG_SAVE | DS_FLAG_LOAD);
    ck_assert_int_eq(ds_cache_flag_clear(th->cache, "k", 1, DS_FLAG_SAVE), DS_OK);
    ck_assert_int_eq(ds_cache_cron(th->cache), DS_OK); /* a pump: nothing is due */
    ck_assert_uint_eq(th_take_all(th), 0);
    ck_assert_msg(th_count(th, DS_JOB_LOAD, "k") == 0,
                  "a LOAD queued while its key's SAVE was flagged jumped to the head");
    th_advance_ms(th, 100);
    ck_assert_int_eq(ds_cache_cron(th->cache), DS_OK);
    ck_assert_uint_eq(th_take_all(th), 2);
    ck_assert_int_eq(th->jobs[0]->type, DS_JOB_SAVE); /* queue order: x's SAVE, then k's LOAD */
    ck_assert_int_eq(th->jobs[1]->type, DS_JOB_LOAD);
    ck_assert_uint_lt(th->jobs[0]->id, th->jobs[1]->id);
    th_fini(th);
}
END_TEST

/* The other guard alone. A disk delete fails while a GET of the key waits: the GET's LOAD was
 * queued while the delete ran, and the retry is queued after it, so the LOAD now stands ahead
 * of its key's SAVE in the queue. Only "no LOAD while a SAVE of the key is scheduled" keeps it
 * from reading the old value the failed delete left on disk. */
START_TEST(test_load_waits_for_a_retried_save_queued_behind_it) {
    ds_config cfg = th_cfg(0);
    cfg.negcache = false;
    TH_OPEN(th, cfg);
    th_disk_put(th, "k", "old");
    ck_assert_int_eq(th_do(th, 1, TH_DEL(th, "k")), DS_OK);
    ck_assert_uint_eq(th_take_all(th), 1);
    ds_job *del = th_find(th, DS_JOB_SAVE, "k");
    ck_assert_ptr_nonnull(del);
    th_get_blocked(th, 2, "k");
    ck_assert_int_eq(th_complete(th, del, DS_ERR_IO, NULL), DS_OK); /* retried in 100 ms */
    ck_assert_uint_eq(th_flags(th, "k"), DS_FLAG_SAVE | DS_FLAG_LOAD);
    th_take_all(th);
    ck_assert_msg(th_count(th, DS_JOB_LOAD, "k") == 0,
                  "a LOAD was pushed while its key's SAVE was scheduled");
    th_advance_ms(th, 100);
    ck_assert_int_eq(ds_cache_cron(th->cache), DS_OK);
    ck_assert_uint_eq(th_take_all(th), 1);
    ck_assert_int_eq(th_run(th, th_find(th, DS_JOB_SAVE, "k")), DS_OK);
    th_run_all(th);
    ck_assert_uint_eq(th_replies_for(th, 2), 1);
    ck_assert_msg(th_last_for(th, 2)->r.values[0] == NULL, "GET after DEL read the old value");
    ck_assert(th_disk_is(th, "k", NULL));
    th_fini(th);
}
END_TEST

/* Rule 9 (README design note 3): every key of a parked command is pinned, not only the keys
 * it waits to load. Key a is in memory and clean when MGET a b parks on b's LOAD; memory
 * pressure then finds a the least recently used key. It must stay, or the MGET would answer
 * a as absent. No wait_io, so reclaim cannot finish the LOAD (and unpark the MGET) itself. */
START_TEST(test_parked_mget_pins_a_key_it_did_not_load) {
    th_host s, *th = &s;
    ds_config cfg = th_cfg(0);
    cfg.max_memory_bytes = th_entry_bytes("a", 2) + th_entry_bytes("c", 2) - 1;
    th_init(th);
    th_no_wait_io(th);
    th_open(th, &cfg);
    th_set_ok(th, 1, "a", "va");
    th_run_all(th); /* a is clean: nothing but a pin keeps it */
    th_disk_put(th, "b", "vb");
    ck_assert_int_eq(th_do(th, 2, TH_MGET(th, "a", "b")), DS_BLOCKED);
    th_take_all(th);
    th_set_ok(th, 3, "c", "vc"); /* over the limit; c's SAVE keeps c busy */
    th_take_all(th);
    ds_cache_cron(th->cache); /* may report the limit as missed: nothing is evictable */
    ck_assert_msg(th_peek(th, "a") != NULL, "a key of a parked MGET was evicted");
    ck_assert_int_eq(th_run(th, th_find(th, DS_JOB_LOAD, "b")), DS_OK);
    ck_assert_uint_eq(th_replies_for(th, 2), 1);
    ck_assert(th_val_is(th_last_for(th, 2)->r.values[0], "va"));
    ck_assert(th_val_is(th_last_for(th, 2)->r.values[1], "vb"));
    th_fini(th);
}
END_TEST

/* Memory accounting: SET of 100 bytes, then 5,000 bytes, then 100 again on one key. Used
 * memory follows the current value; the peak is the 5,000-byte entry (5,113 bytes with the
 * key and the per-entry overhead). */
START_TEST(test_overwrite_is_charged_the_new_size) {
    TH_OPEN(th, th_cfg(100));
    static const uint64_t sizes[3] = {100, 5000, 100};
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(th_do(th, 1, th_setv(th, "k", th_valx(th, "v", sizes[i], 0))), DS_OK);
        ds_stats st = th_stats(th);
        ck_assert_uint_eq(st.used_memory_bytes, th_entry_bytes("k", sizes[i]));
        ck_assert_uint_eq(st.peak_memory_bytes, th_entry_bytes("k", i ? 5000 : 100));
    }
    ck_assert_uint_eq(th_entry_bytes("k", 5000), 5000 + 1 + ds_cache_entry_overhead_bytes());
    th_fini(th);
}
END_TEST

/* Rule 7: a DEL's negative entry is pinned until the disk delete completes. Here unpinned
 * entries (LOADs that found nothing) share the table, so negcache-max forces evictions that
 * can sample the pinned entry; it must survive them all, and a GET of the deleted key must be
 * answered absent with no disk read. */
START_TEST(test_negcache_eviction_keeps_pinned_del_entries) {
    ds_config cfg = th_cfg(100000); /* the delete stays queued: the pin holds */
    cfg.negcache_max = 2;
    TH_OPEN(th, cfg);
    th_disk_put(th, "gone", "old");
    ck_assert_int_eq(th_do(th, 1, TH_DEL(th, "gone")), DS_OK);
    char key[16];
    for (int i = 0; i < 20; i++) {
        snprintf(key, sizeof key, "miss%02d", i);
        th_get_blocked(th, 2, key);
        th_take_all(th);
        ck_assert_int_eq(th_run(th, th_find(th, DS_JOB_LOAD, key)), DS_OK); /* not found */
        bool pinned = false;
        ck_assert_msg(th_neg(th, "gone", &pinned) && pinned,
                      "eviction dropped the pinned entry of a deleted key (round %d)", i);
    }
    ck_assert_uint_ge(th_stats(th).neg_evictions, 15);
    ck_assert_int_eq(th_do(th, 3, th_get(th, "gone")), DS_OK);
    ck_assert_ptr_null(th->last.values[0]);
    ck_assert_uint_eq(th_count(th, DS_JOB_LOAD, "gone"), 0);
    th_fini(th);
}
END_TEST

/* Rule 1 inside a multi-key command: a key the negative cache marks absent costs no IO even
 * when the command parks for another key (found by scripts/mutate.sh, mutant 15). */
START_TEST(test_parked_mget_does_not_load_a_key_known_absent) {
    TH_OPEN(th, th_cfg(100));
    th_get_blocked(th, 1, "gone");
    th_take_all(th);
    ck_assert_int_eq(th_run(th, th_find(th, DS_JOB_LOAD, "gone")), DS_OK); /* not found */
    ck_assert(th_neg(th, "gone", NULL));
    th_disk_put(th, "b", "vb");
    ck_assert_int_eq(th_do(th, 2, TH_MGET(th, "b", "gone")), DS_BLOCKED);
    th_take_all(th);
    ck_assert_uint_eq(th_count(th, DS_JOB_LOAD, "gone"), 0);
    ck_assert_int_eq(th_run(th, th_find(th, DS_JOB_LOAD, "b")), DS_OK);
    ck_assert_uint_eq(th_replies_for(th, 2), 1);
    ck_assert(th_val_is(th_last_for(th, 2)->r.values[0], "vb"));
    ck_assert_ptr_null(th_last_for(th, 2)->r.values[1]);
    th_fini(th);
}
END_TEST

static Suite *guards_suite(void) {
    Suite *s = suite_create("guards");
    TCase *tc = tcase_create("guards");
    tcase_add_test(tc, test_load_queued_while_save_flagged_goes_behind);
    tcase_add_test(tc, test_load_waits_for_a_retried_save_queued_behind_it);
    tcase_add_test(tc, test_parked_mget_pins_a_key_it_did_not_load);
    tcase_add_test(tc, test_overwrite_is_charged_the_new_size);
    tcase_add_test(tc, test_negcache_eviction_keeps_pinned_del_entries);
    tcase_add_test(tc, test_parked_mget_does_not_load_a_key_known_absent);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(guards_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
