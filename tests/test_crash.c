/*
 * test_crash.c - the crash shim (backend/crash.c) and the crash rules (sim/crashrules.c).
 *
 * Why: the crash lab's verdicts are only as good as these two. The shim must keep exactly the
 * writes that are not durable (none acknowledged under fsync=always, all under fsync=never
 * until written back), show them to reads like a page cache, and give each of them one fate
 * at the power cut, never tearing what the sync mode protects. The rules must flag an undone
 * acknowledged write, a torn value and a key nobody wrote, and accept a newer write that
 * landed unacknowledged.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crash.h"
#include "crashrules.h"
#include "oracle.h"

static int64_t g_now;
static int64_t now_fn(void *ctx) { return *(int64_t *)ctx; }

/* A replay-style value of key k: the oracle's stamp (version v). */
static ds_value *stamp(const char *k, uint64_t v) {
    ds_oracle *o = ds_oracle_new(false, NULL);
    ck_assert_ptr_nonnull(o);
    ds_value *x = NULL;
    for (uint64_t i = DS_ORACLE_V_FIRST; i <= v; i++) {
        ds_value_unref(x);
        x = ds_oracle_value(o, k, (uint32_t)strlen(k), 100, 0);
    }
    ds_oracle_free(o);
    return x;
}

static ds_status put(ds_backend *b, const char *k, const ds_value *v) {
    ds_call call = {0, false};
    uint32_t n = (uint32_t)strlen(k);
    return v ? b->ops->set(b, &call, k, n, v, NULL) : b->ops->del(b, &call, k, n, NULL);
}

/* The version a backend holds for k (DS_ORACLE_V_ABSENT, or FOREIGN for a damaged value). */
static uint64_t held(ds_backend *b, const char *k) {
    ds_call call = {0, false};
    ds_value *v = NULL;
    ds_status st = b->ops->get(b, &call, k, (uint32_t)strlen(k), &v, NULL);
    uint64_t ver =
        st == DS_OK ? ds_oracle_stamp_version(k, (uint32_t)strlen(k), v) : DS_ORACLE_V_ABSENT;
    ds_value_unref(v);
    return ver;
}

/* Scan visitor: [0] counts keys, [1] sums versions. */
static bool count_keys(void *ctx, const void *key, uint32_t keylen, const ds_value *v) {
    uint64_t *n = ctx;
    n[0]++;
    n[1] += ds_oracle_stamp_version(key, keylen, v);
    return true;
}

static ds_backend *shim(ds_backend *mem, ds_fsync sync, int64_t writeback_us) {
    ds_crash_opts o = {.sync = sync,
                       .writeback_us = writeback_us,
                       .now_us = now_fn,
                       .now_ctx = &g_now,
                       .keep_parent = true};
    ds_backend *b = ds_backend_crash_new(mem, &o, NULL);
    ck_assert_ptr_nonnull(b);
    return b;
}

START_TEST(test_fsync_always_writes_reach_the_disk_at_once) {
    ds_backend *mem = ds_backend_mem_new(NULL), *b = shim(mem, DS_FSYNC_ALWAYS, 0);
    ds_value *v = stamp("k", 5);
    ck_assert_int_eq(put(b, "k", v), DS_OK);
    ck_assert_uint_eq(held(mem, "k"), 5);
    ds_crash_counts n;
    ck_assert_int_eq(ds_backend_crash_crash(b, 1, &n, NULL), DS_OK);
    ck_assert_uint_eq(n.volatile_writes, 0);
    ck_assert_uint_eq(held(mem, "k"), 5);
    ds_value_unref(v);
    ds_backend_close(b);
    ds_backend_close(mem);
}
END_TEST

/* fsync=never: the disk does not have the write, reads through the shim do (page cache). */
START_TEST(test_fsync_never_writes_are_volatile_but_visible) {
    ds_backend *mem = ds_backend_mem_new(NULL), *b = shim(mem, DS_FSYNC_NEVER, 0);
    ds_value *v1 = stamp("a", 3), *v2 = stamp("b", 4);
    ck_assert_int_eq(put(mem, "b", v2), DS_OK); /* on disk before the run */
    ck_assert_int_eq(put(b, "a", v1), DS_OK);
    ck_assert_int_eq(put(b, "b", NULL), DS_OK);
    ck_assert_uint_eq(held(mem, "a"), DS_ORACLE_V_ABSENT);
    ck_assert_uint_eq(held(mem, "b"), 4);
    ck_assert_uint_eq(held(b, "a"), 3);
    ck_assert_uint_eq(held(b, "b"), DS_ORACLE_V_ABSENT);
    uint64_t seen[2] = {0, 0};
    ck_assert_int_eq(b->ops->scan(b, count_keys, seen, NULL), DS_OK);
    ck_assert_uint_eq(seen[0], 1); /* a (volatile); b's volatile delete hides the disk copy */
    ck_assert_uint_eq(seen[1], 3);
    ds_value_unref(v1);
    ds_value_unref(v2);
    ds_backend_close(b); /* a clean close writes everything back */
    ck_assert_uint_eq(held(mem, "a"), 3);
    ck_assert_uint_eq(held(mem, "b"), DS_ORACLE_V_ABSENT);
    ds_backend_close(mem);
}
END_TEST

/* Writes older than the writeback age reach the disk, in order, at the next call. */
START_TEST(test_fsync_never_writes_back_after_the_age) {
    ds_backend *mem = ds_backend_mem_new(NULL), *b = shim(mem, DS_FSYNC_NEVER, 1000);
    ds_value *v1 = stamp("a", 2), *v2 = stamp("b", 3);
    g_now = 0;
    ck_assert_int_eq(put(b, "a", v1), DS_OK);
    g_now = 600;
    ck_assert_int_eq(put(b, "b", v2), DS_OK);
    g_now = 1000;
    ck_assert_uint_eq(held(b, "b"), 3); /* any call writes back what is due */
    ck_assert_uint_eq(held(mem, "a"), 2);
    ck_assert_uint_eq(held(mem, "b"), DS_ORACLE_V_ABSENT);
    ds_crash_counts n;
    ck_assert_int_eq(ds_backend_crash_crash(b, 7, &n, NULL), DS_OK);
    ck_assert_uint_eq(n.written_back, 1);
    ck_assert_uint_eq(n.volatile_writes, 1);
    ck_assert_uint_eq(n.applied + n.dropped + n.torn, 1);
    ck_assert_uint_eq(held(mem, "a"), 2); /* durable: the crash cannot touch it */
    ds_value_unref(v1);
    ds_value_unref(v2);
    ds_backend_close(b);
    ds_backend_close(mem);
}
END_TEST

/* Every volatile write gets one fate; across seeds all three occur, and a torn value is never
 * a whole stamp. */
START_TEST(test_power_cut_applies_drops_or_tears_each_write) {
    uint64_t fates[3] = {0, 0, 0};
    char key[16];
    for (uint64_t seed = 1; seed <= 20; seed++) {
        ds_backend *mem = ds_backend_mem_new(NULL), *b = shim(mem, DS_FSYNC_NEVER, 0);
        for (int i = 0; i < 10; i++) {
            snprintf(key, sizeof key, "k%d", i);
            ds_value *v = stamp(key, 2);
            ck_assert_int_eq(put(b, key, v), DS_OK);
            ds_value_unref(v);
        }
        ds_crash_counts n;
        ck_assert_int_eq(ds_backend_crash_crash(b, seed, &n, NULL), DS_OK);
        ck_assert_uint_eq(n.volatile_writes, 10);
        ck_assert_uint_eq(n.applied + n.dropped + n.torn, 10);
        uint64_t whole = 0, absent = 0, damaged = 0;
        for (int i = 0; i < 10; i++) {
            snprintf(key, sizeof key, "k%d", i);
            uint64_t h = held(mem, key);
            whole += h == 2, absent += h == DS_ORACLE_V_ABSENT, damaged += h == DS_ORACLE_V_FOREIGN;
        }
        ck_assert_uint_eq(whole, n.applied);
        ck_assert_uint_eq(absent, n.dropped);
        ck_assert_uint_eq(damaged, n.torn);
        fates[0] += n.applied, fates[1] += n.dropped, fates[2] += n.torn;
        ds_backend_close(b);
        ds_backend_close(mem);
    }
    ck_assert(fates[0] > 0 && fates[1] > 0 && fates[2] > 0);
}
END_TEST

/* fsync=always: a write in flight at the crash lands whole or not at all, never torn (its data
 * was synced before it was published); it is volatile, not durable. */
START_TEST(test_interrupted_synced_write_is_never_torn) {
    uint64_t applied = 0, dropped = 0;
    for (uint64_t seed = 1; seed <= 40; seed++) {
        ds_backend *mem = ds_backend_mem_new(NULL), *b = shim(mem, DS_FSYNC_ALWAYS, 0);
        ds_value *v = stamp("k", 9), *w = stamp("k", 8);
        ck_assert_int_eq(put(b, "k", w), DS_OK);
        ds_backend_crash_interrupt(b, true);
        ck_assert_int_eq(put(b, "k", v), DS_OK);
        ds_backend_crash_interrupt(b, false);
        ck_assert_uint_eq(held(mem, "k"), 8);
        ds_crash_counts n;
        ck_assert_int_eq(ds_backend_crash_crash(b, seed, &n, NULL), DS_OK);
        ck_assert_uint_eq(n.interrupted, 1);
        ck_assert_uint_eq(n.torn, 0);
        uint64_t h = held(mem, "k");
        ck_assert(h == 8 || h == 9);
        applied += h == 9, dropped += h == 8;
        ds_value_unref(v);
        ds_value_unref(w);
        ds_backend_close(b);
        ds_backend_close(mem);
    }
    ck_assert(applied > 0 && dropped > 0);
}
END_TEST

/* ---- the rules ---- */

typedef struct msgs {
    int n;
    char first[512];
} msgs;

static void on_msg(void *ctx, const char *m) {
    msgs *x = ctx;
    if (x->n++ == 0) snprintf(x->first, sizeof x->first, "%s", m);
}

static void push(ds_cc *c, uint64_t job, const char *k, uint64_t ver, bool ack) {
    ds_err err = {{0}};
    ck_assert_int_eq(ds_cc_push(c, job, k, (uint32_t)strlen(k), ver, &err), DS_OK);
    if (ack) ck_assert_int_eq(ds_cc_ack(c, job, &err), DS_OK);
}

/* One key per rule: a:  acked v3, disk v2 (undone);  b: acked v2, disk v3 (newer, fine);
 * c: acked delete, disk absent (fine);  d: disk holds a torn value;  e: a key nobody wrote. */
START_TEST(test_rules_flag_undone_acks_torn_values_and_foreign_keys) {
    ds_backend *mem = ds_backend_mem_new(NULL);
    msgs m = {0, ""};
    ds_cc *c = ds_cc_new(on_msg, &m);
    push(c, 1, "a", 2, true);
    push(c, 2, "a", 3, true);
    push(c, 3, "b", 2, true);
    push(c, 4, "b", 3, false);
    push(c, 5, "c", 2, true);
    push(c, 6, "c", DS_CC_DEL, true);
    push(c, 7, "d", 2, true);
    ds_value *a2 = stamp("a", 2), *b3 = stamp("b", 3), *d2 = stamp("d", 2), *e2 = stamp("e", 2);
    d2->data[12] ^= 0xff; /* the key-hash half of the stamp */
    put(mem, "a", a2), put(mem, "b", b3), put(mem, "d", d2), put(mem, "e", e2);
    ds_err err = {{0}};
    ck_assert_int_eq(ds_cc_check(c, mem, &err), DS_OK);
    const ds_cc_report *r = ds_cc_result(c);
    ck_assert_uint_eq(r->keys, 4);
    ck_assert_uint_eq(r->pushes, 7);
    ck_assert_uint_eq(r->acks, 6);
    ck_assert_uint_eq(r->lost, 2); /* a, and d whose acknowledged v2 the tear replaced */
    ck_assert_uint_eq(r->newer, 1);
    ck_assert_uint_eq(r->torn, 1);
    ck_assert_uint_eq(r->foreign, 1);
    ck_assert_uint_eq(r->absent, 1);
    ck_assert_uint_eq(r->violations, 3);
    ck_assert_int_eq(m.n, 3);
    ds_value_unref(a2), ds_value_unref(b3), ds_value_unref(d2), ds_value_unref(e2);
    ds_cc_free(c);
    ds_backend_close(mem);
}
END_TEST

/* Two SAVEs of one key acknowledged out of push order (concurrent-saves=on): the newest push
 * acknowledged is the one that must survive. */
START_TEST(test_rules_late_ack_of_an_older_save_does_not_excuse_it) {
    ds_backend *mem = ds_backend_mem_new(NULL);
    ds_cc *c = ds_cc_new(NULL, NULL);
    push(c, 1, "k", 2, false);
    push(c, 2, "k", 3, true);
    ds_err err = {{0}};
    ck_assert_int_eq(ds_cc_ack(c, 1, &err), DS_OK);
    ds_value *v2 = stamp("k", 2);
    put(mem, "k", v2);
    ck_assert_int_eq(ds_cc_check(c, mem, &err), DS_OK);
    ck_assert_uint_eq(ds_cc_result(c)->lost, 1);
    ds_value_unref(v2);
    ds_cc_free(c);
    ds_backend_close(mem);
}
END_TEST

START_TEST(test_rules_bad_log_is_a_one_line_error) {
    char path[] = "/tmp/dslab-test-crash-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs("P 1 6b 2\nA 1\nA 9\n", f); /* an ack of a job never pushed */
    fclose(f);
    ds_cc *c = ds_cc_new(NULL, NULL);
    ds_err err = {{0}};
    ck_assert_int_eq(ds_cc_read_log(c, path, &err), DS_ERR_ARG);
    char want[64];
    snprintf(want, sizeof want, "%s:3: bad save-log line", path);
    ck_assert_str_eq(err.msg, want);
    ds_cc_free(c);
    f = fopen(path, "w");
    fputs("P 1 6b 2\nA 1\nP 2 6b 3", f); /* the kill cut the last line: ignored */
    fclose(f);
    c = ds_cc_new(NULL, NULL);
    ck_assert_int_eq(ds_cc_read_log(c, path, &err), DS_OK);
    ck_assert_uint_eq(ds_cc_result(c)->pushes, 1);
    ds_cc_free(c);
    unlink(path);
}
END_TEST

static Suite *crash_suite(void) {
    Suite *s = suite_create("crash");
    TCase *tc = tcase_create("shim");
    tcase_add_test(tc, test_fsync_always_writes_reach_the_disk_at_once);
    tcase_add_test(tc, test_fsync_never_writes_are_volatile_but_visible);
    tcase_add_test(tc, test_fsync_never_writes_back_after_the_age);
    tcase_add_test(tc, test_power_cut_applies_drops_or_tears_each_write);
    tcase_add_test(tc, test_interrupted_synced_write_is_never_torn);
    suite_add_tcase(s, tc);
    tc = tcase_create("rules");
    tcase_add_test(tc, test_rules_flag_undone_acks_torn_values_and_foreign_keys);
    tcase_add_test(tc, test_rules_late_ack_of_an_older_save_does_not_excuse_it);
    tcase_add_test(tc, test_rules_bad_log_is_a_one_line_error);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(crash_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
