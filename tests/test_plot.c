/*
 * test_plot.c - `dslab plot SWEEP.csv` (sim/plot_sweep.c, sim/plot_gp.c) and `dslab plot DIR`.
 *
 * Why these tests: a figure in a paper is only as good as the table behind it. Rows sharing a
 * point must average to the right mean with the right Student-t interval; axis labels must carry
 * the unit the column name promises; bad input (an unknown column, an empty sweep, a
 * non-numeric x) must be one line and exit 2, not a wrong picture.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plot_int.h"
#include "scratch.h"
#include "testmain.h"
#include "verbs_metrics.h"

static char tmpdir[DS_SCRATCH_CAP];

static void setup(void) { ds_scratch_make(tmpdir, sizeof tmpdir, "plot"); }

static void teardown(void) { ds_scratch_rm(tmpdir); }

static const char *path(const char *name) { return ds_scratch_path(tmpdir, name); }

static void put(const char *name, const char *text) { ds_scratch_write(tmpdir, name, text); }

static char *slurp(const char *name) {
    static char buf[16384];
    FILE *f = fopen(path(name), "r");
    if (!f) return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

/* A sweep: mem 1mb/2mb x delay 0/100, three seeds at (1mb, 0), one elsewhere; a gen: trace
 * (quoted, with commas) in front as summary.csv has it. */
static const char *const sweep_csv =
    "trace,trace_bytes,cache-max-memory,cache-flush-delay,seed,requests,get_p99_us,hit_ratio\n"
    "\"gen:zipf,keys=9\",,1048576,0,1,10,100,0.5\n"
    "\"gen:zipf,keys=9\",,1048576,0,2,10,200,0.5\n"
    "\"gen:zipf,keys=9\",,1048576,0,3,10,300,0.5\n"
    "\"gen:zipf,keys=9\",,1048576,100,1,10,50,0.6\n"
    "\"gen:zipf,keys=9\",,2097152,0,1,10,40,\n"
    "\"gen:zipf,keys=9\",,2097152,100,1,10,30,0.9\n";

static int plot(int argc, const char **argv) {
    fflush(stdout);
    return ds_main_plot(argc, (char **)argv);
}

START_TEST(test_seeds_average_with_student_t_interval) {
    put("sweep.csv", sweep_csv);
    const char *a[] = {"plot", path("sweep.csv"),      "--x",      "cache-flush-delay",
                       "--y",  "get_p99_us,hit_ratio", "--series", "cache-max-memory",
                       "-o",   path("fig.png")};
    ck_assert_int_eq(plot(10, a), 0);
    char *d = slurp("fig.data.csv");
    ck_assert_ptr_nonnull(d);
    /* mean 200, sd 100, half = t(0.975, 2) * 100 / sqrt(3) = 4.303 * 57.735 = 248.43 */
    ck_assert_msg(strstr(d, "cache-max-memory,cache-flush-delay,y,n,mean,sd,ci95_lo,ci95_hi,"
                            "min,max\n") == d,
                  "%s", d);
    ck_assert_msg(strstr(d, "\n1048576,0,get_p99_us,3,200,100,-48.4"), "%s", d);
    ck_assert_msg(strstr(d, ",448.4"), "%s", d);
    ck_assert_msg(strstr(d, "\n1048576,100,get_p99_us,1,50,0,50,50,50,50\n"), "%s", d);
    /* an empty y field is no value: (2mb, 0) has get_p99_us but no hit_ratio point */
    ck_assert_msg(strstr(d, "\n2097152,0,get_p99_us,1,40,"), "%s", d);
    ck_assert_msg(!strstr(d, "\n2097152,0,hit_ratio"), "%s", d);
    char *gp = slurp("fig.gp");
    ck_assert_ptr_nonnull(strstr(gp, "yerrorlines"));
    ck_assert_ptr_nonnull(strstr(gp, "'GET p99 latency (µs)'"));
    ck_assert_ptr_nonnull(strstr(gp, "'cache-flush-delay (ms)'"));
    ck_assert_ptr_nonnull(strstr(gp, "'cache-max-memory = 1 MiB'"));
    FILE *f = fopen(path("fig.png"), "rb");
    ck_assert_ptr_nonnull(f);
    unsigned char sig[4] = {0};
    ck_assert_int_eq(fread(sig, 1, 4, f), 4);
    fclose(f);
    ck_assert(sig[1] == 'P' && sig[2] == 'N' && sig[3] == 'G');
}
END_TEST

START_TEST(test_bad_input_exits_2) {
    put("sweep.csv", sweep_csv);
    put("empty.csv", "trace,seed,requests,x\n");
    put("text.csv", "trace,x,requests,y\nt,abc,1,2\n");
    const char *s = path("sweep.csv");
    const char *a1[] = {"plot", s, "--x", "no_such", "--y", "hit_ratio"};
    ck_assert_int_eq(plot(6, a1), 2);
    const char *a2[] = {"plot", s, "--x", "seed", "--y", "nope/requests"};
    ck_assert_int_eq(plot(6, a2), 2);
    const char *a3[] = {"plot", path("empty.csv"), "--x", "x", "--y", "seed"};
    ck_assert_int_eq(plot(6, a3), 2);
    const char *a4[] = {"plot", path("text.csv"), "--x", "x", "--y", "y"};
    ck_assert_int_eq(plot(6, a4), 2);
    const char *a5[] = {"plot", s, "--x", "cache-flush-delay", "--y", "hit_ratio", "--logx"};
    ck_assert_int_eq(plot(7, a5), 2); /* a delay of 0 on a log axis */
    const char *a6[] = {"plot", s, "--x", "seed", "--y", "hit_ratio", "-o", path("f.jpg")};
    ck_assert_int_eq(plot(8, a6), 2);
    const char *a7[] = {"plot", s, "--y", "hit_ratio"};
    ck_assert_int_eq(plot(4, a7), 2);
    const char *a8[] = {"plot", path("missing-dir-or-file")};
    ck_assert_int_eq(plot(2, a8), 2);
}
END_TEST

START_TEST(test_labels_carry_units) {
    char b[256];
    pl_label("get_p99_us", b, sizeof b);
    ck_assert_str_eq(b, "GET p99 latency (µs)");
    pl_label("p9999_us", b, sizeof b);
    ck_assert_str_eq(b, "p9999 latency (all ops) (µs)");
    pl_label("cache-max-memory", b, sizeof b);
    ck_assert_str_eq(b, "cache-max-memory (bytes)");
    pl_label("peak_memory_bytes", b, sizeof b);
    ck_assert_str_eq(b, "peak memory (bytes)");
    pl_label("wall_seconds", b, sizeof b);
    ck_assert_str_eq(b, "wall (s)");
    pl_label("hit_ratio", b, sizeof b);
    ck_assert_str_eq(b, "hit ratio");
    pl_label("disk_saves/sim_seconds", b, sizeof b);
    ck_assert_str_eq(b, "disk saves per second, sim time (1/s)");
    pl_fmt_value("cache-max-memory", 524288, b, sizeof b);
    ck_assert_str_eq(b, "512 KiB");
    pl_fmt_value("cache-flush-delay", 100, b, sizeof b);
    ck_assert_str_eq(b, "100");
    ck_assert(fabs(pl_t975(2) - 4.303) < 1e-9);
    ck_assert(fabs(pl_t975(1000) - 1.960) < 1e-9);
}
END_TEST

/* COL:log gives one panel a log y axis; a latency column of large values is drawn in ms. */
START_TEST(test_per_panel_log_and_latency_unit) {
    put("big.csv", "trace,seed,x,requests,get_p99_us,hit_ratio\n"
                   "t,1,1,9,250000,0.5\nt,2,1,9,350000,0.6\nt,1,2,9,20000,0.7\n");
    const char *a[] = {"plot", path("big.csv"), "--x", "x", "--y", "get_p99_us:log,hit_ratio",
                       "-o",   path("big.svg")};
    ck_assert_int_eq(plot(8, a), 0);
    char *gp = slurp("big.gp");
    ck_assert_ptr_nonnull(gp);
    char *first = strstr(gp, "set logscale y\n"), *second = strstr(gp, "unset logscale y\n");
    ck_assert_msg(first && second && first < second, "%s", gp);
    ck_assert_ptr_nonnull(strstr(gp, "'GET p99 latency (ms)'"));
    ck_assert_ptr_nonnull(strstr(gp, "\n1 300 ")); /* the mean, 300,000 us, as 300 ms */
    ck_assert_ptr_nonnull(strstr(gp, "set terminal svg"));
    ck_assert_ptr_nonnull(strstr(slurp("big.data.csv"), ",get_p99_us,2,300000,"));
    ck_assert_int_eq(access(path("big.svg"), R_OK), 0);
}
END_TEST

/* The run-directory form still draws latency.png and timeline.png. */
START_TEST(test_run_dir_form_still_works) {
    put("latency.csv", "op,bucket_lo_us,bucket_hi_us,count,cum_fraction\n"
                       "GET,0,0,5,0.5\nGET,100,101,5,1\nALL,0,0,5,0.5\nALL,100,101,5,1\n");
    put("timeseries.csv", "time_s,requests,throughput_rps,hit_ratio,queue_len,jobs_in_flight,"
                          "blocked_clients,used_memory_bytes,evictions,gets,sets,dels,"
                          "disk_loads,disk_saves\n1.0,10,10,0.5,0,0,0,100,0,10,0,0,0,0\n"
                          "2.0,10,10,0.5,0,0,0,100,0,10,0,0,0,0\n");
    const char *a[] = {"plot", tmpdir};
    ck_assert_int_eq(plot(2, a), 0);
    ck_assert_int_eq(access(path("latency.png"), R_OK), 0);
    ck_assert_int_eq(access(path("timeline.png"), R_OK), 0);
}
END_TEST

int main(void) {
    Suite *s = suite_create("plot");
    TCase *tc = tcase_create("plot");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_seeds_average_with_student_t_interval);
    tcase_add_test(tc, test_bad_input_exits_2);
    tcase_add_test(tc, test_labels_carry_units);
    tcase_add_test(tc, test_per_panel_log_and_latency_unit);
    tcase_add_test(tc, test_run_dir_form_still_works);
    suite_add_tcase(s, tc);
    return ds_test_run(s);
}
