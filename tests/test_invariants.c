/*
 * test_invariants.c - the cache around the scheduler keeps its invariants when memory runs out
 * (a loaded value that cannot be cached, a command that cannot park) and answers ready
 * commands first in, first out. Out of memory is forced with the slabs' fail_allocs hook.
 */
#include <check.h>
#include <string.h>

#include "internal.h"
#include "testhost.h"
#include "testmain.h"

/* ---- out of memory in the cache around the scheduler ---- */

/* A LOAD completes but its value cannot be cached: the waiter hears DS_ERR_NOMEM (not
 * "absent", which would be a stale read), the drop is counted and named. */
START_TEST(test_loaded_value_dropped_on_oom_is_reported) {
    TH_OPEN(th, th_cfg(0));
    th_disk_put(th, "k", "v");
    th_get_blocked(th, 1, "k");
    ck_assert_uint_eq(th_take_all(th), 1);
    th->cache->ks.slab.fail_allocs = 1; /* the entry for the loaded value */
    ck_assert_int_eq(th_run(th, th_find(th, DS_JOB_LOAD, "k")), DS_OK);
    const th_rec *r = th_last_for(th, 1);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->r.status, DS_ERR_NOMEM);
    ck_assert_uint_eq(th_stats(th).loads_dropped_nomem, 1);
    ck_assert_ptr_nonnull(strstr(ds_cache_last_error(th->cache), "'k'"));
    ck_assert_ptr_null(th_peek(th, "k"));
    th_get_blocked(th, 2, "k"); /* the next GET loads again */
    th_run_all(th);
    ck_assert(th_val_is(th_last_for(th, 2)->r.values[0], "v"));
    th_fini(th);
}
END_TEST

/* Parking needs the key's ioent; without memory the command fails at once instead of being
 * answered from a half-linked park. */
START_TEST(test_park_without_memory_fails_cleanly) {
    TH_OPEN(th, th_cfg(0));
    th->cache->sched.slab.fail_allocs = 1;
    ck_assert_int_eq(th_do(th, 1, th_get(th, "k")), DS_ERR_NOMEM);
    ck_assert_uint_eq(th_stats(th).blocked_clients, 0);
    ck_assert_uint_eq(th_take_all(th), 0);
    th_get_blocked(th, 1, "k"); /* memory is back: the client may ask again */
    ck_assert_uint_eq(th_run_all(th), 1);
    ck_assert_uint_eq(th_replies_for(th, 1), 1);
    ck_assert_uint_eq(th_stats(th).invariant_errors, 0);
    th_fini(th);
}
END_TEST

/* Commands that become ready are answered in that order (the ready list is FIFO). */
START_TEST(test_ready_commands_answer_in_the_order_they_became_ready) {
    TH_OPEN(th, th_cfg(0));
    const char *keys[] = {"a", "b", "c", "d"};
    for (int i = 0; i < 4; i++) {
        th_disk_put(th, keys[i], keys[i]);
        th_get_blocked(th, (uint64_t)(10 + i), keys[i]);
    }
    ck_assert_uint_eq(th_take_all(th), 4);
    const int order[] = {2, 0, 3, 1};
    for (int i = 0; i < 4; i++) /* completed in this order: each resumes at once */
        ck_assert_int_eq(th_run(th, th_find(th, DS_JOB_LOAD, keys[order[i]])), DS_OK);
    for (int i = 0; i < 4; i++)
        ck_assert_uint_eq(th_last_for(th, (uint64_t)(10 + order[i]))->seq, (uint64_t)i);
    /* several become ready inside one call (a write cancels their queued LOADs): FIFO */
    th->cache->cfg.max_io_jobs = 1;
    th_set_ok(th, 1, "busy", "x"); /* occupies the one job slot */
    th_get_blocked(th, 20, "p");
    th_get_blocked(th, 21, "q");
    th_set_ok(th, 2, "q", "Q");
    th_set_ok(th, 3, "p", "P");
    ck_assert_int_eq(ds_cache_cron(th->cache), DS_OK); /* answers the ready ones */
    ck_assert_uint_lt(th_last_for(th, 21)->seq, th_last_for(th, 20)->seq);
    ck_assert_uint_eq(th_stats(th).invariant_errors, 0);
    th_fini(th);
}
END_TEST

static Suite *invariants_suite(void) {
    Suite *s = suite_create("invariants");
    TCase *tc = tcase_create("invariants");
    tcase_add_test(tc, test_loaded_value_dropped_on_oom_is_reported);
    tcase_add_test(tc, test_park_without_memory_fails_cleanly);
    tcase_add_test(tc, test_ready_commands_answer_in_the_order_they_became_ready);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return ds_test_run(invariants_suite()); }
