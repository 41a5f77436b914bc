/*
 * test_trace_verbs.c - `dslab convert` and `dslab stat` (workloads/convert.c, stat.c).
 *
 * Why: these verbs are how people look at a trace before trusting a replay of it, so their
 * numbers are pinned on the public sample (whose README gives requests and distinct objects),
 * a conversion must keep every request, and bad options must exit 2 with one line.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sample.h"
#include "scratch.h"
#include "trace.h"
#include "verbs.h"

#define SAMPLE_CSV  "cloudPhysicsIO.csv"
#define CP_CSV_OPTS "time-col=2,obj-id-col=5,obj-size-col=4,op-col=3,has-header=true"

static char tmpdir[DS_SCRATCH_CAP];

static void setup(void) { ds_scratch_make(tmpdir, sizeof tmpdir, "trace-verbs"); }

static void teardown(void) { ds_scratch_rm(tmpdir); }

static long count_records(const char *path) {
    ds_err err = {{0}};
    ds_reader *r = ds_reader_open(path, NULL, &err);
    ck_assert_msg(r != NULL, "%s", err.msg);
    ds_trace_req *q = malloc(sizeof *q);
    long n = 0;
    int rc;
    while ((rc = ds_reader_next(r, q, &err)) == 1)
        n++;
    ck_assert_msg(rc == 0, "%s", err.msg);
    free(q);
    ds_reader_close(r);
    return n;
}

/* Run ds_main_stat with stdout captured into buf. */
static int stat_capture(int argc, char **argv, char *buf, size_t cap) {
    char path[128];
    snprintf(path, sizeof path, "%s/stat.out", tmpdir);
    fflush(stdout);
    int saved = dup(1);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert(saved >= 0 && fd >= 0);
    dup2(fd, 1);
    close(fd);
    int rc = ds_main_stat(argc, argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    FILE *f = fopen(path, "r");
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = 0;
    fclose(f);
    return rc;
}

START_TEST(test_convert_keeps_every_request) {
    char out[128], back[128];
    snprintf(out, sizeof out, "%s/conv.oracleGeneral.zst", tmpdir);
    snprintf(back, sizeof back, "%s/back.csv", tmpdir);
    char sample[4096];
    ck_assert_msg(ds_sample_path(SAMPLE_CSV, sample, sizeof sample), "no " SAMPLE_CSV);
    char *a1[] = {"convert", sample, out, "--csv-opts", CP_CSV_OPTS};
    ck_assert_int_eq(ds_main_convert(5, a1), 0);
    ck_assert_int_eq(count_records(out), 113872);
    char *a2[] = {"convert", out, back, "--to", "native"};
    ck_assert_int_eq(ds_main_convert(5, a2), 0);
    ck_assert_int_eq(count_records(back), 113872);
}
END_TEST

START_TEST(test_stat_counts_the_public_sample) {
    char buf[4096], sample[4096];
    ck_assert_msg(ds_sample_path(SAMPLE_CSV, sample, sizeof sample), "no " SAMPLE_CSV);
    char *a[] = {"stat", sample, "--format", "csv", "--csv-opts", CP_CSV_OPTS};
    ck_assert_int_eq(stat_capture(6, a, buf, sizeof buf), 0);
    ck_assert_msg(strstr(buf, "requests           113872\n"), "%s", buf);
    ck_assert_msg(strstr(buf, "distinct_keys      48974 (exact)\n"), "%s", buf);
    ck_assert_msg(strstr(buf, "duration_s         7200.000000\n"), "%s", buf);
    ck_assert_msg(strstr(buf, "clients            1 (exact)\n"), "%s", buf);
    ck_assert_ptr_nonnull(strstr(buf, "zipf_alpha"));
}
END_TEST

START_TEST(test_stat_fits_zipf_alpha_of_a_generated_trace) {
    char buf[4096];
    char *a[] = {"stat", "gen:zipf:0.9,keys=20000,requests=400000,seed=5"};
    ck_assert_int_eq(stat_capture(2, a, buf, sizeof buf), 0);
    const char *p = strstr(buf, "zipf_alpha");
    ck_assert_ptr_nonnull(p);
    double alpha = atof(p + strlen("zipf_alpha"));
    ck_assert_msg(alpha > 0.8 && alpha < 1.0, "alpha %f", alpha);
}
END_TEST

START_TEST(test_verbs_reject_bad_input_with_exit_2) {
    char out[128], blk[128];
    snprintf(out, sizeof out, "%s/x.csv", tmpdir);
    snprintf(blk, sizeof blk, "%s/block.csv", tmpdir); /* a block trace: no native header */
    FILE *f = fopen(blk, "w");
    ck_assert_ptr_nonnull(f);
    fputs("timestamp,obj_id,size\n1,2,4096\n", f);
    fclose(f);
    char *a1[] = {"convert", blk, out, "--to", "parquet"};
    ck_assert_int_eq(ds_main_convert(5, a1), 2);
    char *a2[] = {"convert", "/nonexistent.csv", out};
    ck_assert_int_eq(ds_main_convert(3, a2), 2);
    char *a3[] = {"convert", blk, out}; /* not native: no header */
    ck_assert_int_eq(ds_main_convert(3, a3), 2);
    char *a4[] = {"convert", "only-one"};
    ck_assert_int_eq(ds_main_convert(2, a4), 2);
    char *a5[] = {"stat", "/nonexistent.csv"};
    ck_assert_int_eq(ds_main_stat(2, a5), 2);
    char *a6[] = {"stat", out, "--bogus"};
    ck_assert_int_eq(ds_main_stat(3, a6), 2);
    char *a7[] = {"stat", out, "--format"};
    ck_assert_int_eq(ds_main_stat(3, a7), 2);
    char *a8[] = {"stat"};
    ck_assert_int_eq(ds_main_stat(1, a8), 2);
}
END_TEST

static Suite *verbs_suite(void) {
    Suite *s = suite_create("trace_verbs");
    TCase *tc = tcase_create("trace_verbs");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    if (ds_sample_or_skip(SAMPLE_CSV, "test_convert_keeps_every_request"))
        tcase_add_test(tc, test_convert_keeps_every_request);
    if (ds_sample_or_skip(SAMPLE_CSV, "test_stat_counts_the_public_sample"))
        tcase_add_test(tc, test_stat_counts_the_public_sample);
    tcase_add_test(tc, test_stat_fits_zipf_alpha_of_a_generated_trace);
    tcase_add_test(tc, test_verbs_reject_bad_input_with_exit_2);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(verbs_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
