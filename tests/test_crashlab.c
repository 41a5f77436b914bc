/*
 * test_crashlab.c - `dslab crash` end to end (seeds on every core through sim/seedrun.c).
 *
 * Why: the lab's promises are verdicts. With --fsync always no seed may lose an acknowledged
 * write or show a torn value (exit 0); with --fsync never a power cut loses acknowledged
 * writes and the lab must say so (exit 1); a real ordering bug (two SAVEs of one key in flight
 * at once, concurrent-saves=on) must be caught even with --fsync always; and the results do
 * not depend on how many processes ran the seeds. Few seeds, small traces: a few seconds under
 * ASan.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crashlab.h"
#include "scratch.h"

#define TRACE                                                                                      \
    "gen:zipf:0.9,keys=300,requests=6000,clients=8,mix=get:0.5/set:0.4/del:0.1,arrival=poisson:"   \
    "4000,seed=3"

static char g_dir[DS_SCRATCH_CAP];

static void setup(void) {
    ds_scratch_make(g_dir, sizeof g_dir, "test-crashlab");
    ck_assert_ptr_nonnull(freopen("/dev/null", "w", stdout)); /* the lab's table */
}

static void teardown(void) { ds_scratch_rm(g_dir); }

/* dslab crash TRACE --out DIR/name --quiet --seeds N ARGS... (ARGS space-separated). */
static int crash(const char *name, const char *trace, int seeds, const char *args) {
    char out[128], nseeds[16], buf[512];
    snprintf(out, sizeof out, "%s/%s", g_dir, name);
    snprintf(nseeds, sizeof nseeds, "%d", seeds);
    snprintf(buf, sizeof buf, "%s", args);
    char *argv[40] = {"crash", (char *)trace, "--out", out, "--quiet", "--seeds", nseeds};
    int argc = 7;
    for (char *save = NULL, *t = strtok_r(buf, " ", &save); t && argc < 39;
         t = strtok_r(NULL, " ", &save))
        argv[argc++] = t;
    return ds_main_crash(argc, argv);
}

static char *slurp(const char *name) {
    char path[160];
    snprintf(path, sizeof path, "%s/%s/crash.csv", g_dir, name);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return strdup(buf);
}

static int lines(const char *s) {
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* Sum of one crash.csv column over the seeds. */
static uint64_t column(const char *csv, const char *name) {
    const char *hdr_end = strchr(csv, '\n');
    int col = 0;
    for (const char *p = csv; p < hdr_end; p++) {
        if (strncmp(p, name, strlen(name)) == 0 && (p == csv || p[-1] == ',') &&
            (p[strlen(name)] == ',' || p[strlen(name)] == '\n'))
            break;
        col += *p == ',';
    }
    uint64_t sum = 0;
    for (const char *row = hdr_end + 1; *row; row = strchr(row, '\n') + 1) {
        const char *p = row;
        for (int c = 0; c < col; c++)
            p = strchr(p, ',') + 1;
        sum += strtoull(p, NULL, 10);
    }
    return sum;
}

START_TEST(test_fsync_always_loses_no_acknowledged_write) {
    ck_assert_int_eq(crash("always", TRACE, 6, "--fsync always --cache-flush-delay 50"), 0);
    char *csv = slurp("always");
    ck_assert_int_eq(lines(csv), 7);
    ck_assert_uint_gt(column(csv, "acks"), 1000); /* the crash moments found saves to check */
    ck_assert_uint_eq(column(csv, "lost"), 0);
    ck_assert_uint_eq(column(csv, "torn_values"), 0);
    ck_assert_uint_eq(column(csv, "violations"), 0);
    free(csv);
}
END_TEST

START_TEST(test_fsync_never_reports_the_acknowledged_writes_a_crash_loses) {
    ck_assert_int_eq(crash("never", TRACE, 6, "--fsync never --cache-flush-delay 50"), 1);
    char *csv = slurp("never");
    ck_assert_uint_gt(column(csv, "lost"), 0);
    ck_assert_uint_gt(column(csv, "volatile_writes"), 0);
    ck_assert_ptr_nonnull(strstr(csv, "last acknowledged SAVE wrote"));
    free(csv);
}
END_TEST

/* Writeback: with a short dirty-expire age most writes are durable before the crash. */
START_TEST(test_writeback_makes_old_writes_durable) {
    ck_assert_int_eq(crash("wb0", TRACE, 4, "--fsync never --cache-flush-delay 50"), 1);
    ck_assert_int_ne(crash("wb", TRACE, 4, "--fsync never --cache-flush-delay 50 --writeback-ms 5"),
                     2);
    char *a = slurp("wb0"), *b = slurp("wb");
    ck_assert_uint_gt(column(b, "written_back"), 0);
    ck_assert_uint_lt(column(b, "lost"), column(a, "lost"));
    free(a);
    free(b);
}
END_TEST

/* A real ordering bug is caught with fsync=always: the older of two SAVEs lands last. */
START_TEST(test_concurrent_saves_are_caught_even_with_fsync_always) {
    ck_assert_int_eq(crash("cs", "gen:uniform,keys=20,requests=400,clients=4,mix=set:1,seed=2", 4,
                           "--fsync always --cache-flush-delay 0 --concurrent-saves on "
                           "--latency-set uniform:100:100000"),
                     1);
    char *csv = slurp("cs");
    ck_assert_uint_gt(column(csv, "lost"), 0);
    ck_assert_uint_eq(column(csv, "torn_values"), 0);
    free(csv);
}
END_TEST

/* Same seeds, same results, whatever the number of worker processes. */
START_TEST(test_results_do_not_depend_on_the_process_count) {
    ck_assert_int_eq(crash("p1", TRACE, 5, "--fsync never --procs 1 --cache-flush-delay 50"), 1);
    ck_assert_int_eq(crash("p3", TRACE, 5, "--fsync never --procs 3 --cache-flush-delay 50"), 1);
    char *a = slurp("p1"), *b = slurp("p3");
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
}
END_TEST

START_TEST(test_bad_options_are_one_line_errors) {
    ck_assert_int_eq(crash("bad", TRACE, 2, "--seeds 0"), 2);
    ck_assert_int_eq(crash("bad", TRACE, 2, "--procs x"), 2);
    ck_assert_int_eq(crash("bad", TRACE, 2, "--clock real"), 2);
    ck_assert_int_eq(crash("bad", TRACE, 2, "--backend file:fsync=always"), 2);
    ck_assert_int_eq(crash("bad", TRACE, 2, "--no-such-option 1"), 2);
    ck_assert_int_eq(crash("bad", "/nonexistent/trace.csv", 2, ""), 2);
}
END_TEST

static Suite *crashlab_suite(void) {
    Suite *s = suite_create("crashlab");
    TCase *tc = tcase_create("lab");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_fsync_always_loses_no_acknowledged_write);
    tcase_add_test(tc, test_fsync_never_reports_the_acknowledged_writes_a_crash_loses);
    tcase_add_test(tc, test_writeback_makes_old_writes_durable);
    tcase_add_test(tc, test_concurrent_saves_are_caught_even_with_fsync_always);
    tcase_add_test(tc, test_results_do_not_depend_on_the_process_count);
    tcase_add_test(tc, test_bad_options_are_one_line_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(crashlab_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
