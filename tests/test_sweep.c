/*
 * test_sweep.c - scripts/sweep.sh keeps its promises: no shell re-parse of any argument (a
 * trace path with a space and a `;` survives), a failed point is reported while the others are
 * still merged into sweep.csv (exit 1), bad grids exit 2 with one line, and --emit-slurm
 * writes an array job of one task per point plus a merge step.
 *
 * The script runs against this build's dslab (DSLAB=BUILD/dslab, found from the test binary).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scratch.h"
#include "testmain.h"

static char tmpdir[DS_SCRATCH_CAP], build[1024], scripts[1100];

static void setup(void) {
    ds_scratch_make(tmpdir, sizeof tmpdir, "sweep");
    char exe[1024];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    ck_assert_int_gt(n, 0);
    exe[n] = 0;
    *strrchr(exe, '/') = 0; /* BUILD/tests */
    *strrchr(exe, '/') = 0; /* BUILD */
    snprintf(build, sizeof build, "%s", exe);
    snprintf(scripts, sizeof scripts, "%s/../scripts", exe);
}

static void teardown(void) { ds_scratch_rm(tmpdir); }

/* Run `sweep.sh ARGS` (ARGS is shell text written by the test); returns the exit status and
 * keeps stderr in tmpdir/sweep.stderr. */
static int sweep(const char *args) {
    char cmd[16384];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && DSLAB='%s/dslab' '%s/sweep.sh' %s </dev/null >sweep.stdout 2>sweep.stderr",
             tmpdir, build, scripts, args);
    int st = system(cmd);
    ck_assert(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static char *slurp(const char *name) {
    static char buf[65536];
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static int lines(const char *s) {
    int n = 0;
    for (; s && *s; s++)
        n += *s == '\n';
    return n;
}

START_TEST(test_metacharacters_survive_and_failures_are_reported) {
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && mkdir 'a dir' && '%s/dslab' gen 'uniform,keys=50,requests=400,seed=2' "
             "--quiet -o 'a dir/t;x.csv'",
             tmpdir, build);
    ck_assert_int_eq(system(cmd), 0);
    /* 3 x 2 points; "bogus" is a bad memory size: its 2 points fail, 4 merge */
    ck_assert_int_eq(sweep("'a dir/t;x.csv' out cache-max-memory=64kb,bogus,1mb seed=1,2 "
                           "-- --no-oracle"),
                     1);
    char *csv = slurp("out/sweep.csv");
    ck_assert_msg(csv != NULL, "no sweep.csv: %s", slurp("sweep.stderr"));
    ck_assert_int_eq(lines(csv), 1 + 4);
    ck_assert_msg(strstr(csv, "\na dir/t;x.csv,") != NULL, "%s", csv);
    char *failed = slurp("out/failed.txt");
    ck_assert_int_eq(lines(failed), 2);
    ck_assert_ptr_nonnull(strstr(failed, "cache-max-memory-bogus_seed-1): exit 2: dslab: "));
    ck_assert_ptr_nonnull(
        strstr(slurp("sweep.stderr"), "4 rows in out/sweep.csv, 2 failed point(s) of 6"));
    /* grid order: the first axis varies slowest */
    ck_assert_ptr_nonnull(strstr(slurp("out/jobs.txt"), "1\t"));
}
END_TEST

START_TEST(test_bad_grids_exit_2_with_one_line) {
    static const char *const bad[] = {
        "gen:uniform,keys=9,requests=9 o seed=",         /* empty grid */
        "gen:uniform,keys=9,requests=9 o seed=1,,2",     /* empty value */
        "gen:uniform,keys=9,requests=9 o seed",          /* not NAME=V */
        "gen:uniform,keys=9,requests=9 o --nope seed=1", /* unknown option */
        "gen:uniform,keys=9,requests=9 o seed=1 seed=2", /* axis twice */
        "gen:uniform,keys=9,requests=9 o -- --seed 1",   /* no axis at all */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(sweep(bad[i]) == 2, "%s", bad[i]);
        char *err = slurp("sweep.stderr");
        ck_assert_msg(lines(err) == 1 && strncmp(err, "sweep: ", 7) == 0, "%s: %s", bad[i], err);
    }
}
END_TEST

/* `trace` is an axis too; `\,` is a comma inside one value (gen: specs have commas). */
START_TEST(test_trace_axis_and_escaped_commas) {
    ck_assert_int_eq(sweep("x o 'trace=gen:uniform\\,keys=20\\,requests=100,"
                           "gen:zipf:0.9\\,keys=20\\,requests=100\\,mix=get:0.5/set:0.5' "
                           "seed=1,2 -- --no-oracle"),
                     0);
    char *csv = slurp("o/sweep.csv");
    ck_assert_msg(lines(csv) == 5, "%s", csv);
    ck_assert_ptr_nonnull(strstr(csv, "\n\"gen:uniform,keys=20,requests=100\","));
    ck_assert_ptr_nonnull(
        strstr(csv, "\n\"gen:zipf:0.9,keys=20,requests=100,mix=get:0.5/set:0.5\","));
    char dir[256];
    snprintf(dir, sizeof dir, "%s/o/trace-zipf_0.9_keys=20_requests=100_mix=get_0.5_set_0.5_seed-2",
             tmpdir);
    ck_assert_msg(access(dir, F_OK) == 0, "%s missing", dir);
}
END_TEST

START_TEST(test_emit_slurm_writes_array_and_merge) {
    ck_assert_int_eq(sweep("'gen:uniform,keys=50,requests=300' o seed=1,2,3 "
                           "cache-flush-delay=0,100 --emit-slurm sl"),
                     0);
    ck_assert_int_eq(lines(slurp("sl/jobs.txt")), 6);
    ck_assert_ptr_nonnull(strstr(slurp("sl/submit.sh"), "--array=1-6"));
    ck_assert_ptr_nonnull(strstr(slurp("sl/sweep.sbatch"), "--run-point"));
    ck_assert_ptr_nonnull(strstr(slurp("sl/merge.sbatch"), "--merge"));
    ck_assert_ptr_null(slurp("o/sweep.csv")); /* nothing ran */
    /* what the array tasks do, run here by hand: each point, then the merge */
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && for i in 1 2 3 4 5 6; do '%s/sweep.sh' --run-point o $i || exit 1; done "
             "&& '%s/sweep.sh' --merge o 2>/dev/null",
             tmpdir, scripts, scripts);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(lines(slurp("o/sweep.csv")), 7);
}
END_TEST

int main(void) {
    Suite *s = suite_create("sweep");
    TCase *tc = tcase_create("sweep");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_metacharacters_survive_and_failures_are_reported);
    tcase_add_test(tc, test_bad_grids_exit_2_with_one_line);
    tcase_add_test(tc, test_trace_axis_and_escaped_commas);
    tcase_add_test(tc, test_emit_slurm_writes_array_and_merge);
    suite_add_tcase(s, tc);
    return ds_test_run(s);
}
