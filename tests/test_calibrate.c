/*
 * test_calibrate.c - `dslab calibrate` and `dslab validate` end to end, on a temporary file
 * store, with small traces so each case runs in a few seconds.
 *
 * What can be asserted without timing assertions: the calibration file is complete (format
 * line, hist models whose cumulative fractions rise to 1, the core cost model, the device
 * channels, the provenance comments) and loads with --config; a file of another format or a
 * missing backend path is one clear line and exit 2; validate writes its table, and for a
 * closed-loop single-client replay with eviction at insert the hit ratio of the real runs and
 * of the virtual run agree within the 2% count tolerance (the request sequence does not depend
 * on time; only which key is evicted while another has a SAVE in flight does, seen at 0.2%).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calibrate.h"
#include "calpool.h"
#include "csvtab.h"
#include "hostload.h"
#include "replay.h"
#include "scratch.h"
#include "testmain.h"

#define SMALL "gen:uniform,keys=400,requests=1500,clients=2,seed=5,mix=get:0.6/set:0.3/del:0.1"

static char dir[DS_SCRATCH_CAP], conf[128];

static void setup(void) {
    ds_scratch_make(dir, sizeof dir, "test-cal");
    snprintf(conf, sizeof conf, "%s/cal.conf", dir);
}

static void teardown(void) { ds_scratch_rm(dir); }

static int calibrate(void) {
    /* no waiting for a quiet machine in a test: the assertions do not depend on it */
    char *argv[] = {"calibrate", "--backend-path",
                    dir,         "--trace",
                    SMALL,       "--cache-max-keys",
                    "100",       "--cache-flush-delay", /* SAVEs in the run, not the drain */
                    "0",         "--speed",
                    "max",       "--quiet-wait",
                    "0",         "--retries",
                    "0",         "-o",
                    conf};
    return ds_main_calibrate((int)(sizeof argv / sizeof argv[0]), argv);
}

static bool file_has(const char *path, const char *needle) {
    FILE *f = fopen(path, "r");
    if (!f) return false;
    char line[1024];
    bool found = false;
    while (!found && fgets(line, sizeof line, f))
        found = strstr(line, needle) != NULL;
    fclose(f);
    return found;
}

/* The hist file's fractions rise and end at 1. */
static void assert_hist(const char *name) {
    char path[256], line[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s missing", path);
    double prev_us = -1, prev_cum = 0, us, cum;
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') continue;
        ck_assert_int_eq(sscanf(line, "%lf %lf", &us, &cum), 2);
        ck_assert(us >= prev_us && cum >= prev_cum);
        prev_us = us, prev_cum = cum, n++;
    }
    fclose(f);
    ck_assert_int_gt(n, 0);
    ck_assert(prev_cum > 0.999999 && prev_cum < 1.000001);
}

START_TEST(test_calibration_file_is_complete_and_loads) {
    ck_assert_int_eq(calibrate(), 0);
    ck_assert(file_has(conf, "calibration-format 2"));
    ck_assert(file_has(conf, "# replays pooled: 3; other processes during them: "));
    ck_assert(file_has(conf, "# machine: "));
    ck_assert(file_has(conf, "# dslab commit: "));
    ck_assert(file_has(conf, "# date: "));
    ck_assert(file_has(conf, "latency-get hist:cal.get.hist"));
    ck_assert(file_has(conf, "latency-set hist:cal.set.hist"));
    ck_assert(file_has(conf, "core-cost-us get:"));
    ck_assert(file_has(conf, ",harness:")); /* the host's own CPU per request, charged */
    ck_assert(file_has(conf, "io-wakeup-latency hist:cal.worker_wakeup.hist"));
    ck_assert(file_has(conf, "disk-channels "));
    /* host-cpu: this machine's cores, and a share 0..1 of each call on a core */
    char want[64];
    snprintf(want, sizeof want, "host-cpu cpus=%ld,get=", sysconf(_SC_NPROCESSORS_ONLN));
    ck_assert_msg(file_has(conf, want), "no '%s' line", want);
    assert_hist("cal.get.hist");
    assert_hist("cal.set.hist");
    assert_hist("cal.worker_wakeup.hist");
    /* --config resolves the hist files beside the config, from any working directory */
    ds_replay_opts o;
    ds_replay_opts_default(&o);
    ds_err err = {{0}};
    ck_assert_msg(ds_cli_load_file(&o, conf, &err) == DS_OK, "%s", err.msg);
    ck_assert_uint_eq(o.host_cpu.cpus, (uint32_t)sysconf(_SC_NPROCESSORS_ONLN));
    for (int i = 0; i < 3; i++)
        ck_assert(o.host_cpu.share[i] >= 0 && o.host_cpu.share[i] <= 1);
    ck_assert_msg(o.host_cpu.share[1] > 0, "a file write uses no CPU?");
}
END_TEST

START_TEST(test_other_format_is_refused) {
    FILE *f = fopen(conf, "w");
    ck_assert_ptr_nonnull(f);
    fputs("# from the future\ncalibration-format 999\n", f);
    fclose(f);
    ds_replay_opts o;
    ds_replay_opts_default(&o);
    ds_err err = {{0}};
    ck_assert_int_ne(ds_cli_load_file(&o, conf, &err), DS_OK);
    ck_assert_msg(strstr(err.msg, "cal.conf:2:") && strstr(err.msg, "dslab calibrate"), "%s",
                  err.msg);
    char *argv[] = {"validate", SMALL, "--backend-path", dir, "--config", conf};
    ck_assert_int_eq(ds_main_validate(6, argv), 2);
}
END_TEST

START_TEST(test_missing_backend_path_is_exit_2) {
    char *argv[] = {"calibrate", "--backend-path", "/nonexistent/dslab", "-o", conf};
    ck_assert_int_eq(ds_main_calibrate(5, argv), 2);
    char *argv2[] = {"validate", SMALL, "--backend-path", "/nonexistent/dslab", "--config", conf};
    ck_assert_int_eq(ds_main_validate(6, argv2), 2);
    char *argv3[] = {"calibrate", "--backend-path", dir, "--bogus"};
    ck_assert_int_eq(ds_main_calibrate(4, argv3), 2);
    /* the quiet-machine options, one parser for both verbs (ds_quiet_option): a fractional
     * retry count is refused, a wait above 100 s (the default is 120) is taken */
    char *argv4[] = {"calibrate", "--backend-path", dir, "--retries", "1.5", "-o", conf};
    ck_assert_int_eq(ds_main_calibrate(7, argv4), 2);
    ds_quiet q = DS_QUIET_DEFAULT;
    ck_assert_int_eq(ds_quiet_option(&q, "test", "--quiet-wait", "300"), 0);
    ck_assert(q.wait_s == 300 && q.max_cores == 0.15 && q.retries == 3);
    ck_assert_int_eq(ds_quiet_option(&q, "test", "--retries", "1.5"), 2);
    ck_assert_int_eq(ds_quiet_option(&q, "test", "--max-host-load", "-1"), 2);
    ck_assert_int_eq(ds_quiet_option(&q, "test", "--runs", "3"), 1);
}
END_TEST

START_TEST(test_validate_table_and_equal_hit_ratio) {
    ck_assert_int_eq(calibrate(), 0);
    char out[128], path[160];
    snprintf(out, sizeof out, "%s/val", dir);
    char *argv[] = {"validate",
                    "gen:zipf:0.9,keys=500,requests=2000,clients=1,seed=2",
                    "--backend-path",
                    dir,
                    "--config",
                    conf,
                    "--runs",
                    "2",
                    "--quiet-wait",
                    "0",
                    "--retries",
                    "0",
                    "--keep-stores",
                    "on",
                    "--out",
                    out,
                    "--closed",
                    "on",
                    "--evict-at",
                    "insert",
                    "--cache-max-keys",
                    "100"};
    int rc = ds_main_validate((int)(sizeof argv / sizeof argv[0]), argv);
    ck_assert(rc == 0 || rc == 1);
    snprintf(path, sizeof path, "%s/validate.csv", out);
    ds_csvtab t;
    ds_err err = {{0}};
    ck_assert_msg(ds_csvtab_read(path, &t, &err) == DS_OK, "%s", err.msg);
    ck_assert_int_eq(t.ncols, 8);
    ck_assert_str_eq(t.cells[0], "metric");
    ck_assert_str_eq(t.cells[7], "ok");
    bool seen = false;
    for (size_t i = 0; i < t.nrows; i++)
        if (!strcmp(ds_csvtab_get(&t, i, 0), "hit_ratio")) {
            seen = true;
            double ratio = strtod(ds_csvtab_get(&t, i, 3), NULL);
            ck_assert_msg(ratio > 0.98 && ratio < 1.02, "hit ratio real/virtual %g", ratio);
            ck_assert_str_eq(ds_csvtab_get(&t, i, 7), "yes");
        }
    ck_assert(seen);
    ds_csvtab_free(&t);
    /* terms.csv: the model's terms beside the real runs' (queue wait, backend calls...) */
    snprintf(path, sizeof path, "%s/terms.csv", out);
    ck_assert_msg(ds_csvtab_read(path, &t, &err) == DS_OK, "%s", err.msg);
    ck_assert_int_gt(t.nrows, 0);
    ck_assert_str_eq(t.cells[0], "term");
    ds_csvtab_free(&t);
    /* --keep-stores on: both real runs' stores are still there */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "test $(ls -d %s/dslab-validate-*/run-*/store | wc -l) -eq 2", dir);
    ck_assert_int_eq(system(cmd), 0);
    /* runs.csv: one attempt per real run (no retries asked), with the others' load */
    snprintf(path, sizeof path, "%s/runs.csv", out);
    ck_assert_msg(ds_csvtab_read(path, &t, &err) == DS_OK, "%s", err.msg);
    ck_assert_int_eq(t.nrows, 2);
    ck_assert_int_ge(ds_csvtab_col(&t, "other_cores"), 0);
    ck_assert_str_eq(ds_csvtab_get(&t, 1, 0), "2");
    ds_csvtab_free(&t);
}
END_TEST

/* One number of a finished run's OUT/summary.csv (asserted present). */
static double summary_num(const char *out, const char *name) {
    char path[DS_OPT_STR_MAX + 16];
    snprintf(path, sizeof path, "%s/summary.csv", out);
    ds_csvtab t;
    ds_err err = {{0}};
    ck_assert_msg(ds_csvtab_read(path, &t, &err) == DS_OK, "%s", err.msg);
    double v;
    ck_assert_msg(ds_csvtab_num(&t, 0, name, &v), "%s: no %s", path, name);
    ds_csvtab_free(&t);
    return v;
}

/* Count of io_latency.csv's `kind` samples above 0 us in OUT. */
static uint64_t iolat_nonzero(const char *out, const char *kind) {
    char path[DS_OPT_STR_MAX + 16];
    snprintf(path, sizeof path, "%s/io_latency.csv", out);
    ds_csvtab t;
    ds_err err = {{0}};
    ck_assert_msg(ds_csvtab_read(path, &t, &err) == DS_OK, "%s", err.msg);
    uint64_t n = 0;
    for (size_t i = 0; i < t.nrows; i++) {
        double hi, c;
        if (strcmp(ds_csvtab_get(&t, i, 0), kind) != 0) continue;
        ck_assert(ds_csvtab_num(&t, i, "bucket_hi_us", &hi) && ds_csvtab_num(&t, i, "count", &c));
        if (hi > 0) n += (uint64_t)c;
    }
    ds_csvtab_free(&t);
    return n;
}

/* A virtual open-loop replay in DIR/TAG under the host-cpu model HOST, with io_latency.csv:
 * the summary's METRIC; *preempted (when not NULL): main_preempt samples above 0. */
static double host_run(const char *host, const char *tag, const char *metric, uint64_t *preempted,
                       const char *const *more) {
    ds_replay_opts o;
    ds_replay_opts_default(&o);
    snprintf(o.trace, sizeof o.trace, "%s",
             "gen:uniform,keys=3000,requests=6000,clients=8,mix=get:0.7/set:0.3,"
             "arrival=poisson:4000");
    snprintf(o.out, sizeof o.out, "%s/%s", dir, tag);
    ds_err err = {{0}};
    ck_assert(ds_cli_set(&o, "host-cpu", host, &err) == DS_OK);
    ck_assert(ds_cli_set(&o, "latency", "fixed:100", &err) == DS_OK);
    ck_assert(ds_cli_set(&o, "cache-max-keys", "1000", &err) == DS_OK);
    ck_assert(ds_cli_set(&o, "cache-flush-delay", "0", &err) == DS_OK);
    ck_assert(ds_cli_set(&o, "io-latency", "on", &err) == DS_OK);
    for (; more && *more; more += 2) /* further NAME, VALUE pairs */
        ck_assert_msg(ds_cli_set(&o, more[0], more[1], &err) == DS_OK, "%s", err.msg);
    o.quiet = true, o.progress = false;
    ds_replay_result res;
    ck_assert_msg(ds_replay_run(&o, &res, &err) == DS_OK, "%s", err.msg);
    ck_assert_uint_eq(res.requests, 6000);
    ck_assert_uint_eq(res.stale_reads + res.lost_writes, 0);
    /* the main thread's lateness, in the real run's kind: arrivals that found it busy wait */
    ck_assert_uint_gt(iolat_nonzero(o.out, "arrival_late"), 0);
    if (preempted) *preempted = iolat_nonzero(o.out, "main_preempt");
    return summary_num(o.out, metric);
}

/* host-cpu: with one host core that a SAVE holds for its whole call (share 1), the main
 * thread waits for the core behind the SAVEs, so GETs get slower; with more cores than IO
 * threads nobody waits and the latencies are those of no model at all. */
START_TEST(test_host_cpu_main_thread_waits_for_a_core) {
    double none = host_run("none", "hc0", "get_p99_us", NULL, NULL);
    double wide = host_run("cpus=64,get=1,set=1,del=1", "hc1", "get_p99_us", NULL, NULL);
    double one = host_run("cpus=1,get=0,set=1,del=0", "hc2", "get_p99_us", NULL, NULL);
    ck_assert_msg(wide > none * 0.98 && wide < none * 1.02, "64 cores: p99 %g vs %g", wide, none);
    ck_assert_msg(one > none * 1.2, "one core held by SAVEs: p99 %g vs %g", one, none);
    ds_replay_opts o;
    ds_err err = {{0}};
    ds_replay_opts_default(&o);
    ck_assert(ds_cli_set(&o, "host-cpu", "cpus=2,set=1.5", &err) != DS_OK);
    ck_assert_msg(strstr(err.msg, "--host-cpu") && strstr(err.msg, "set"), "%s", err.msg);
    ck_assert(ds_cli_set(&o, "host-cpu", "get=0.5", &err) != DS_OK);
    ck_assert(ds_cli_set(&o, "host-cpu", "cpus=2,bogus=1", &err) != DS_OK);
}
END_TEST

/* host-cpu preempt: the IO threads the main thread wakes take its core (preempt=1), so the
 * requests it serves from memory (SETs) wait behind the IO's part on a core; preempt=0 never
 * preempts. The same seed gives the same draws (preempt=0.5 twice). */
START_TEST(test_host_cpu_preempt_delays_the_main_thread) {
    uint64_t n0, n1, na, nb;
    double p0 = host_run("cpus=2,get=1,set=1,del=1", "pr0", "set_p99_us", &n0, NULL);
    double p1 = host_run("cpus=2,get=1,set=1,del=1,preempt=1", "pr1", "set_p99_us", &n1, NULL);
    ck_assert_uint_eq(n0, 0);
    ck_assert_uint_gt(n1, 20);
    ck_assert_msg(p1 > p0 * 1.2, "SET p99 with preemption %g vs %g without", p1, p0);
    double pa = host_run("cpus=2,get=1,set=1,del=1,preempt=0.5", "pra", "set_p99_us", &na, NULL);
    double pb = host_run("cpus=2,get=1,set=1,del=1,preempt=0.5", "prb", "set_p99_us", &nb, NULL);
    ck_assert(pa == pb && na == nb);
    ck_assert_uint_gt(na, 0);
    ck_assert_uint_lt(na, n1);
}
END_TEST

/* preempt-*-latency: the preempting IO thread gives the main thread its core back after the
 * drawn hold (5 us here) instead of after its whole part on a core (100 us of fixed:100), so
 * the main thread's preempted time and the SETs behind it shrink. */
START_TEST(test_preempt_hold_gives_the_core_back) {
    static const char *const hold[] = {"preempt-load-latency", "fixed:5", "preempt-save-latency",
                                       "fixed:5", NULL};
    const char *host = "cpus=2,get=1,set=1,del=1,preempt=1";
    uint64_t nw, nh;
    double whole = host_run(host, "ph0", "set_p99_us", &nw, NULL);
    double held = host_run(host, "ph1", "set_p99_us", &nh, hold);
    ck_assert_uint_gt(nh, 20);
    ck_assert_msg(held < whole * 0.9, "SET p99 %g with a 5 us hold vs %g", held, whole);
}
END_TEST

/* calibrate pools its runs: a mean or a count is over every run; a term's histogram is the
 * run's whose p99 of it is the median (one disturbed run does not set the model's tail); the
 * preempt holds keep only the periods with a preemption (above 0 us). */
static const char *fake_run(const char *name, const char *rows) {
    char sub[64], text[512];
    snprintf(sub, sizeof sub, "%s/io_latency.csv", name);
    ck_assert_int_eq(mkdir(ds_scratch_path(dir, name), 0700), 0);
    snprintf(text, sizeof text, "op,bucket_lo_us,bucket_hi_us,count,cum_fraction\n%s", rows);
    ds_scratch_write(dir, sub, text);
    snprintf(sub, sizeof sub, "%s/core_cpu.csv", name);
    ds_scratch_write(dir, sub, "op,count,total_us,mean_us\nget,10,20,2\nmain_thread,10,100,10\n");
    return ds_scratch_path(dir, name);
}

START_TEST(test_calpool_takes_the_median_run) {
    ds_calpool pool = {.n = 0};
    ds_err err = {{0}};
    static const char *const rows[3][2] = {
        {"r1", "main_preempt_save,0,0,8,0.8\nmain_preempt_save,100,100,2,1\nhandoff,10,10,3,1\n"},
        {"r2", "main_preempt_save,0,0,6,0.75\nmain_preempt_save,300,300,2,1\n"},
        {"r3", "main_preempt_save,0,0,6,0.6\nmain_preempt_save,120,120,2,0.8\n"
               "main_preempt_save,150,150,2,1\n"}};
    for (int i = 0; i < 3; i++)
        ck_assert_msg(ds_calpool_add(&pool, fake_run(rows[i][0], rows[i][1]), &err) == DS_OK, "%s",
                      err.msg);
    uint64_t n, nz;
    ds_calpool_mean(&pool, "main_preempt_save", &n, &nz);
    ck_assert_uint_eq(n, 28);
    ck_assert_uint_eq(nz, 8);
    const char *hist = ds_scratch_path(dir, "hold.hist");
    ck_assert_uint_eq(ds_calpool_write_hist(&pool, "main_preempt_save", true, hist, &err), 4);
    char *text = ds_scratch_read(dir, "hold.hist");
    ck_assert_msg(strstr(text, "\n120 0.500000000\n150 1.000000000\n") != NULL, "%s", text);
    ck_assert_uint_eq(ds_calpool_write_hist(&pool, "handoff", false, hist, &err), 3);
    char costs[256];
    double harness;
    ds_calpool_core_costs(&pool, costs, sizeof costs, &harness);
    ck_assert_str_eq(costs, "get:2.000,harness:8.000"); /* (300 - 60) / 30 requests */
    ds_calpool_free(&pool);
}
END_TEST

START_TEST(test_csvtab_rejects_ragged_rows) {
    char path[128];
    snprintf(path, sizeof path, "%s/bad.csv", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("a,b,c\n1,2,3\n4,5\n", f);
    fclose(f);
    ds_csvtab t;
    ds_err err = {{0}};
    ck_assert_int_eq(ds_csvtab_read(path, &t, &err), DS_ERR_CORRUPT);
    ck_assert_msg(strstr(err.msg, "bad.csv:3:") != NULL, "%s", err.msg);
}
END_TEST

/* A closed-loop replay with 100 us IOs and one delay term set; its result and GET p99. */
static void delay_run(const char *trace, const char *term, const char *model, const char *tag,
                      ds_replay_result *res, double *get_p99) {
    ds_replay_opts o;
    ds_replay_opts_default(&o);
    snprintf(o.trace, sizeof o.trace, "%s", trace);
    snprintf(o.out, sizeof o.out, "%s/%s", dir, tag);
    ds_err err = {{0}};
    ck_assert(ds_cli_set(&o, "latency", "fixed:100", &err) == DS_OK);
    ck_assert(ds_cli_set(&o, "cache-max-keys", "300", &err) == DS_OK);
    ck_assert(ds_cli_set(&o, "speed", "max", &err) == DS_OK); /* closed: no queueing */
    ck_assert(ds_cli_set(&o, term, model, &err) == DS_OK);
    o.quiet = true, o.progress = false;
    ck_assert_msg(ds_replay_run(&o, res, &err) == DS_OK, "%s", err.msg);
    *get_p99 = summary_num(o.out, "get_p99_us");
}

/* --handoff-latency delays when the core learns about a finished IO, not the IO itself: the
 * same requests run, nearly the same ones miss, and every miss waits the extra 50 us. */
START_TEST(test_handoff_delays_the_core_not_the_disk) {
    const char *trace = "gen:zipf:0.9,keys=2000,requests=5000,clients=4";
    ds_replay_result a, b;
    double p0, p1;
    delay_run(trace, "handoff-latency", "none", "h0", &a, &p0);
    delay_run(trace, "handoff-latency", "fixed:50", "h1", &b, &p1);
    /* timing moves which key eviction picks (pinned keys wait longer): allow 1% */
    ck_assert_msg(labs((long)a.stats.hits - (long)b.stats.hits) * 100 <= (long)a.stats.hits,
                  "hits %llu vs %llu", (unsigned long long)a.stats.hits,
                  (unsigned long long)b.stats.hits);
    ck_assert_uint_eq(a.requests, b.requests);
    ck_assert_uint_eq(a.stale_reads + b.stale_reads + a.lost_writes + b.lost_writes, 0);
    ck_assert_msg(p1 >= p0 + 45 && p1 <= p0 + 80, "GET p99 %g -> %g", p0, p1);
}
END_TEST

/* --io-wakeup-latency: every IO starts that much after its server takes it, so every miss of
 * a closed-loop replay waits it once more (the GET p99 is a miss) and the disk work is the
 * same. */
START_TEST(test_io_wakeup_delays_every_io) {
    const char *trace = "gen:zipf:0.9,keys=2000,requests=5000,clients=1";
    ds_replay_result a, b;
    double p0, p1;
    delay_run(trace, "io-wakeup-latency", "none", "iw0", &a, &p0);
    delay_run(trace, "io-wakeup-latency", "fixed:40", "iw1", &b, &p1);
    ck_assert_uint_eq(a.stats.disk_loads, b.stats.disk_loads); /* one client: same */
    ck_assert_msg(p1 >= p0 + 39 && p1 <= p0 + 41, "GET p99 %g -> %g", p0, p1);
}
END_TEST

/* core-cost-us harness: the core stays busy that long after each answer. Arrivals 1 ms apart
 * do not wait for it (the answer comes first, p50 unchanged) but the core's busy share grows by
 * harness / interval; 50,000 a second (20 us apart) queue behind 30 us of it each. */
static void harness_run(const char *cost, const char *arrival, int i, double *p50, double *p99,
                        double *busy) {
    ds_replay_opts o;
    ds_replay_opts_default(&o);
    snprintf(o.trace, sizeof o.trace,
             "gen:uniform,keys=100,requests=2000,clients=4,mix=get:1,arrival=fixed:%s", arrival);
    snprintf(o.out, sizeof o.out, "%s/hn%d", dir, i);
    ds_err err = {{0}};
    ck_assert_msg(ds_cli_set(&o, "core-cost-us", cost, &err) == DS_OK, "%s", err.msg);
    o.quiet = true, o.progress = false;
    ds_replay_result res;
    ck_assert_msg(ds_replay_run(&o, &res, &err) == DS_OK, "%s", err.msg);
    *p50 = summary_num(o.out, "get_p50_us");
    *p99 = summary_num(o.out, "get_p99_us");
    *busy = summary_num(o.out, "core_busy_fraction");
}

START_TEST(test_harness_cost_after_the_answer) {
    double p50[4], p99[4], busy[4];
    harness_run("get:1", "1000", 0, &p50[0], &p99[0], &busy[0]);
    harness_run("get:1,harness:30", "1000", 1, &p50[1], &p99[1], &busy[1]);
    ck_assert_msg(p50[1] < p50[0] + 1, "p50 %g -> %g", p50[0], p50[1]);
    ck_assert_msg(busy[1] > busy[0] + 0.025 && busy[1] < busy[0] + 0.035, "busy %g -> %g", busy[0],
                  busy[1]);
    harness_run("get:1", "50000", 2, &p50[2], &p99[2], &busy[2]);
    harness_run("get:1,harness:30", "50000", 3, &p50[3], &p99[3], &busy[3]);
    ck_assert_msg(p99[3] > 10 * p99[2], "p99 %g -> %g", p99[2], p99[3]);
}
END_TEST

/* --wakeup-latency: an open-loop arrival that finds the core idle starts later; the wait is
 * in the intended latency, not in the service latency (issued when the core starts it). */
START_TEST(test_wakeup_delays_idle_arrivals) {
    double p50[2], svc[2];
    for (int i = 0; i < 2; i++) {
        ds_replay_opts o;
        ds_replay_opts_default(&o);
        snprintf(o.trace, sizeof o.trace, "%s",
                 "gen:uniform,keys=100,requests=2000,clients=4,mix=get:1,arrival=fixed:1000");
        snprintf(o.out, sizeof o.out, "%s/w%d", dir, i);
        ds_err err = {{0}};
        ck_assert(ds_cli_set(&o, "wakeup-latency", i ? "fixed:30" : "none", &err) == DS_OK);
        o.quiet = true, o.progress = false;
        ds_replay_result res;
        ck_assert_msg(ds_replay_run(&o, &res, &err) == DS_OK, "%s", err.msg);
        p50[i] = summary_num(o.out, "get_p50_us");
        svc[i] = summary_num(o.out, "service_p50_us");
    }
    ck_assert_msg(p50[1] >= p50[0] + 29 && p50[1] <= p50[0] + 31, "p50 %g -> %g", p50[0], p50[1]);
    ck_assert_msg(svc[1] < svc[0] + 1, "service p50 %g -> %g", svc[0], svc[1]);
}
END_TEST

/* A calibration's disk-channels with a burst deep enough to grow the core's queue (a merge
 * once freed the channel array there: a double free at the end of the run). */
START_TEST(test_disk_channels_with_a_deep_core_queue) {
    ds_replay_opts o;
    ds_replay_opts_default(&o);
    snprintf(o.trace, sizeof o.trace, "%s",
             "gen:uniform,keys=2000,requests=20000,clients=400,arrival=poisson:2000000");
    snprintf(o.out, sizeof o.out, "%s/dc", dir);
    ds_err err = {{0}};
    ck_assert(ds_cli_set(&o, "disk-channels", "2", &err) == DS_OK);
    ck_assert(ds_cli_set(&o, "cache-max-keys", "500", &err) == DS_OK);
    o.quiet = true, o.progress = false;
    ds_replay_result res;
    ck_assert_msg(ds_replay_run(&o, &res, &err) == DS_OK, "%s", err.msg);
    ck_assert_uint_eq(res.requests, 20000);
    ck_assert_uint_eq(res.stale_reads + res.lost_writes, 0);
}
END_TEST

int main(void) {
    Suite *s = suite_create("calibrate");
    TCase *tc = tcase_create("calibrate");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_calibration_file_is_complete_and_loads);
    tcase_add_test(tc, test_other_format_is_refused);
    tcase_add_test(tc, test_missing_backend_path_is_exit_2);
    tcase_add_test(tc, test_validate_table_and_equal_hit_ratio);
    tcase_add_test(tc, test_csvtab_rejects_ragged_rows);
    tcase_add_test(tc, test_handoff_delays_the_core_not_the_disk);
    tcase_add_test(tc, test_wakeup_delays_idle_arrivals);
    tcase_add_test(tc, test_io_wakeup_delays_every_io);
    tcase_add_test(tc, test_harness_cost_after_the_answer);
    tcase_add_test(tc, test_disk_channels_with_a_deep_core_queue);
    tcase_add_test(tc, test_host_cpu_main_thread_waits_for_a_core);
    tcase_add_test(tc, test_host_cpu_preempt_delays_the_main_thread);
    tcase_add_test(tc, test_preempt_hold_gives_the_core_back);
    tcase_add_test(tc, test_calpool_takes_the_median_run);
    suite_add_tcase(s, tc);
    return ds_test_run(s);
}
