/*
 * test_metrics.c - the results files keep the DESIGN.md section 5 contract: headers and column
 * counts, one timeseries row per interval (empty intervals too), the same bytes for the same
 * inputs, escaped race keys, an error naming the path for an unusable directory; and
 * `dslab compare` exits 1 on a regression, 0 on a pass, 2 on bad input.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dslab.h"
#include "hist.h"
#include "metrics.h"
#include "scratch.h"
#include "verbs_metrics.h"

static char tmpdir[DS_SCRATCH_CAP];

static void setup(void) { ds_scratch_make(tmpdir, sizeof tmpdir, "metrics"); }

static void teardown(void) { ds_scratch_rm(tmpdir); }

/* Whole file as a string (caller frees), or NULL. */
static char *slurp(const char *dir, const char *name) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = '\0';
    fclose(f);
    return s;
}

static int count_char(const char *s, const char *end, char c) {
    int n = 0;
    for (; s < end; s++)
        n += *s == c;
    return n;
}

/* Line i (0-based) of s copied into buf. */
static const char *line_of(const char *s, int i, char *buf, size_t len) {
    for (; i > 0 && s; i--) {
        s = strchr(s, '\n');
        if (s) s++;
    }
    ck_assert_ptr_nonnull(s);
    size_t n = strcspn(s, "\n");
    ck_assert_uint_lt(n, len);
    memcpy(buf, s, n);
    buf[n] = '\0';
    return buf;
}

static const char *const cfg_names[] = {"cache-max-memory", "max-io-jobs", "latency"};
static const char *const cfg_values[] = {"1mb", "10", "exp:100"};

/* A small deterministic run: ticks at 0.5 s, 1.5 s, 4.2 s; ends at 4.5 s (5 intervals). */
static void write_run(const char *dir, int64_t p99_extra_us) {
    ds_err err = {{0}};
    ds_metrics *m = ds_metrics_open(dir, 1000000000, &err);
    ck_assert_msg(m != NULL, "%s", err.msg);
    ds_stats st = {0};
    static const int64_t times[] = {500000000, 1500000000, 4200000000};
    for (int t = 0; t < 3; t++) {
        ck_assert_int_eq(ds_metrics_tick(m, times[t], &st, NULL, &err), DS_OK);
        for (int i = 0; i < 100; i++) {
            ds_op op = i % 4 == 0 ? DS_OP_SET : DS_OP_GET;
            int64_t lat = i == 99 ? 5000 + p99_extra_us : 10 + i;
            ds_metrics_latency(m, op, lat * 1000, lat * 500);
            ds_metrics_completed(m, times[t], op);
            st.requests++;
            if (op == DS_OP_GET) {
                st.gets++;
                *(i % 3 ? &st.hits : &st.misses) += 1;
            } else {
                st.sets++;
            }
        }
        st.queued_ops = (uint64_t)t;
        st.used_memory_bytes = 1000u * (uint64_t)(t + 1);
    }
    /* 8 bytes: the C string plus its NUL, which must come out escaped too */
    ck_assert_int_eq(
        ds_metrics_race(m, 4200000, 7, DS_OP_GET, "k\x01y\\z,w", 8, "v2", "v1", "stale_read", &err),
        DS_OK);
    ds_run_info in = {
        cfg_names, cfg_values, 3, st.requests, 1, 0, 0, 4.5, 0.25, "gen:zipf:0.9,keys=10", -1};
    ck_assert_int_eq(ds_metrics_close(m, &st, &in, &err), DS_OK);
}

START_TEST(test_timeseries_one_row_per_interval) {
    write_run(tmpdir, 0);
    char *ts = slurp(tmpdir, "timeseries.csv");
    ck_assert_ptr_nonnull(ts);
    char buf[512];
    ck_assert_str_eq(line_of(ts, 0, buf, sizeof buf),
                     "time_s,requests,throughput_rps,hit_ratio,queue_len,jobs_in_flight,"
                     "blocked_clients,used_memory_bytes,evictions,gets,sets,dels,disk_loads,"
                     "disk_saves,client_queue_len,active_clients,core_busy_fraction,p50_us,"
                     "p99_us,service_p99_us,phase");
    ck_assert_int_eq(count_char(ts, ts + strlen(ts), '\n'), 1 + 5); /* 1,2,3,4 and 4.5 s */
    for (int i = 1; i <= 5; i++) {
        line_of(ts, i, buf, sizeof buf);
        ck_assert_int_eq(count_char(buf, buf + strlen(buf), ','), 20);
    }
    ck_assert_str_eq(line_of(ts, 1, buf, sizeof buf),
                     "1.000000,100,100.000,0.666667,0,0,0,1000,0,75,25,0,0,0,0,0.000,,59.007,"
                     "107.775,53.887,run");
    /* the second batch's stats delta lands in [1,2); [2,3) and [3,4) are empty rows */
    ck_assert_str_eq(line_of(ts, 3, buf, sizeof buf),
                     "3.000000,0,0.000,,1,0,0,2000,0,0,0,0,0,0,0,0.000,,,,,run");
    ck_assert_str_eq(line_of(ts, 5, buf, sizeof buf),
                     "4.500000,100,200.000,0.666667,2,0,0,3000,0,75,25,0,0,0,0,0.000,,59.007,"
                     "107.775,53.887,run");
    free(ts);
}
END_TEST

/* The whole summary.csv header is a contract (README "Results"): trace, trace_bytes, the
 * config columns, then these, in this order. A new column is appended here and in the README. */
static const char *const summary_tail =
    "requests,gets,sets,dels,hits,misses,neg_hits,disk_loads,disk_saves,disk_dels,"
    "saves_coalesced,evictions,neg_evictions,blocked_requests,stale_reads,lost_writes,"
    "p50_us,p90_us,p99_us,p999_us,max_us,sim_seconds,wall_seconds,requests_per_wall_second,"
    "peak_memory_bytes,save_retries,load_errors,memory_limit_misses,errors,hit_ratio,mean_us,"
    "p9999_us,get_p50_us,get_p90_us,get_p99_us,get_p999_us,get_p9999_us,"
    "set_p50_us,set_p90_us,set_p99_us,set_p999_us,set_p9999_us,"
    "del_p50_us,del_p90_us,del_p99_us,del_p999_us,del_p9999_us,"
    "core_cpu_get_us,core_cpu_set_us,core_cpu_del_us,core_cpu_done_us,core_cpu_cron_us,"
    "service_p50_us,service_p90_us,service_p99_us,service_p999_us,service_max_us,"
    "service_mean_us,client_queue_max,core_busy_fraction,warmup_requests,warmup_seconds,"
    "drain_saves,drain_seconds,memory_over_limit_max_bytes,memory_over_limit_seconds,interrupted";

START_TEST(test_summary_columns_follow_contract) {
    write_run(tmpdir, 0);
    char *s = slurp(tmpdir, "summary.csv");
    ck_assert_ptr_nonnull(s);
    char hdr[4096], row[4096], want[4096];
    line_of(s, 0, hdr, sizeof hdr);
    line_of(s, 1, row, sizeof row);
    ck_assert_int_eq(count_char(s, s + strlen(s), '\n'), 2);
    snprintf(want, sizeof want, "trace,trace_bytes,cache-max-memory,max-io-jobs,latency,%s",
             summary_tail);
    ck_assert_str_eq(hdr, want);
    const char *after = strchr(row + 1, '"'); /* past the quoted first field */
    ck_assert_ptr_nonnull(after);
    ck_assert_int_eq(count_char(hdr, hdr + strlen(hdr), ','),
                     count_char(after, after + strlen(after), ','));
    /* a gen: spec is quoted (it has commas) and has no size */
    const char *head = "\"gen:zipf:0.9,keys=10\",,1mb,10,exp:100,300,225,75,0,150,75,0,";
    ck_assert_msg(strncmp(row, head, strlen(head)) == 0, "%s", row);
    ck_assert_ptr_nonnull(strstr(row, ",4.500000,0.250000,1200.000,"));
    /* per-op quantiles: GET's p50 is about 10+50, SET's are present, DEL never ran: empty */
    ck_assert_msg(strstr(row, ",,,,,") != NULL, "%s", row);
    /* service latency is half the intended one here; no core model: busy fraction empty */
    ck_assert_msg(strstr(row, ",29.503,49.535,53.887,2498.559,2500.000,54.205,0,,0,") != NULL, "%s",
                  row);
    size_t n = 0;
    const char *names[128];
    ck_assert_uint_eq(ds_metrics_summary_columns(names, 128), 67);
    for (const char *p = summary_tail; *p; p++)
        n += *p == ',';
    ck_assert_uint_eq(n + 1, 67);
    ck_assert_str_eq(names[46], "del_p9999_us");
    ck_assert_str_eq(names[51], "core_cpu_cron_us"); /* empty: not a real-clock run */
    char *cfg = slurp(tmpdir, "config.txt");
    ck_assert_str_eq(cfg, "trace gen:zipf:0.9,keys=10\n"
                          "cache-max-memory 1mb\nmax-io-jobs 10\nlatency exp:100\n");
    free(cfg);
    free(s);
}
END_TEST

/* A file trace: its path and size in bytes in summary.csv and config.txt. */
START_TEST(test_trace_path_and_bytes_recorded) {
    ds_err err = {{0}};
    ds_metrics *m = ds_metrics_open(tmpdir, 0, &err);
    ck_assert_ptr_nonnull(m);
    ds_metrics_latency(m, DS_OP_GET, 7000, 7000);
    ds_metrics_completed(m, 0, DS_OP_GET);
    ds_run_info in = {.requests = 1, .trace = "w/t.csv", .trace_bytes = 12345};
    ck_assert_int_eq(ds_metrics_close(m, NULL, &in, &err), DS_OK);
    char *s = slurp(tmpdir, "summary.csv");
    ck_assert_ptr_nonnull(strstr(s, "\nw/t.csv,12345,1,"));
    char *cfg = slurp(tmpdir, "config.txt");
    ck_assert_str_eq(cfg, "trace w/t.csv\ntrace_bytes 12345\n");
    free(cfg);
    free(s);
}
END_TEST

START_TEST(test_latency_csv_is_a_cdf_per_op) {
    write_run(tmpdir, 0);
    char *s = slurp(tmpdir, "latency.csv");
    ck_assert_ptr_nonnull(s);
    char buf[256];
    ck_assert_str_eq(line_of(s, 0, buf, sizeof buf),
                     "op,bucket_lo_us,bucket_hi_us,count,cum_fraction,service_count,"
                     "service_cum_fraction");
    ck_assert_ptr_nonnull(strstr(s, "\nGET,"));
    ck_assert_ptr_nonnull(strstr(s, "\nSET,"));
    ck_assert_ptr_nonnull(strstr(s, "\nALL,"));
    ck_assert_ptr_null(strstr(s, "\nDEL,")); /* no DEL requests: no DEL rows */
    /* each op's last row reaches 1 and the GET/SET/ALL counts add up */
    uint64_t sum[3] = {0};
    const char *names[3] = {"GET", "SET", "ALL"};
    char last[3][64] = {{0}};
    int lines = count_char(s, s + strlen(s), '\n');
    for (int i = 1; i < lines; i++) {
        line_of(s, i, buf, sizeof buf);
        ck_assert_int_eq(count_char(buf, buf + strlen(buf), ','), 6);
        for (int k = 0; k < 3; k++) {
            if (strncmp(buf, names[k], 3) != 0) continue;
            double lo, hi;
            unsigned long long n;
            char cum[64];
            ck_assert_int_eq(
                sscanf(buf + 4, "%lf,%lf,%llu,%63[^,],%*u,%63s", &lo, &hi, &n, cum, last[k]), 5);
            ck_assert(lo <= hi);
            sum[k] += n;
        }
    }
    ck_assert_uint_eq(sum[0], 225);
    ck_assert_uint_eq(sum[1], 75);
    ck_assert_uint_eq(sum[2], 300);
    for (int k = 0; k < 3; k++)
        ck_assert_str_eq(last[k], "1.000000000");
    free(s);
}
END_TEST

START_TEST(test_same_input_same_bytes) {
    char a[300], b[300];
    snprintf(a, sizeof a, "%s/a", tmpdir);
    snprintf(b, sizeof b, "%s/b/nested", tmpdir); /* also: mkdir -p */
    write_run(a, 0);
    write_run(b, 0);
    static const char *files[] = {"timeseries.csv", "latency.csv", "summary.csv", "races.csv",
                                  "config.txt"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *x = slurp(a, files[i]), *y = slurp(b, files[i]);
        ck_assert_msg(x && y, "%s missing", files[i]);
        ck_assert_msg(strcmp(x, y) == 0, "%s differs", files[i]);
        free(x);
        free(y);
    }
}
END_TEST

START_TEST(test_race_keys_are_escaped) {
    write_run(tmpdir, 0);
    char *s = slurp(tmpdir, "races.csv");
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s, "time_us,client,op,key,expected,observed,kind,rule,issue_us,"
                        "write_time_us,write_client,write_op,write_version\n"
                        "4200000,7,GET,\"k\\x01y\\x5cz,w\\x00\",v2,v1,stale_read,,,,,,\n");
    free(s);
}
END_TEST

START_TEST(test_unusable_dir_error_names_path) {
    char file[300], dir[400];
    snprintf(file, sizeof file, "%s/plainfile", tmpdir);
    FILE *f = fopen(file, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    snprintf(dir, sizeof dir, "%s/sub/run", file);
    ds_err err = {{0}};
    ds_metrics *m = ds_metrics_open(dir, 1000000, &err);
    ck_assert_ptr_null(m);
    ck_assert_msg(strstr(err.msg, file) != NULL, "message '%s' does not name the path", err.msg);
}
END_TEST

START_TEST(test_hist_accessor_and_empty_run) {
    ds_err err = {{0}};
    ds_metrics *m = ds_metrics_open(tmpdir, 0, &err); /* 0: the default interval */
    ck_assert_ptr_nonnull(m);
    ds_metrics_latency(m, DS_OP_DEL, 42, 42);
    ck_assert_uint_eq(ds_hist_count(ds_metrics_hist(m, DS_OP_DEL)), 1);
    ck_assert_uint_eq(ds_hist_count(ds_metrics_hist(m, DS_OP_GET)), 0);
    ck_assert_uint_eq(ds_hist_count(ds_metrics_hist(m, DS_OP__COUNT)), 1);
    ck_assert_int_eq(ds_metrics_close(m, NULL, NULL, &err), DS_OK);
    char *s = slurp(tmpdir, "summary.csv");
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(strncmp(s, "trace,trace_bytes,requests,", 27), 0); /* no config columns */
    ck_assert_ptr_nonnull(strstr(s, "\n,,0,")); /* trace unknown: both fields empty */
    free(s);
}
END_TEST

/* "ALL" is built from the per-op histograms when read: it must equal adding every request to
 * one histogram (counts, quantiles, min and max), and stay right when read twice or after
 * more requests. */
START_TEST(test_all_is_the_sum_of_the_ops) {
    ds_err err = {{0}};
    ds_metrics *m = ds_metrics_open(tmpdir, 0, &err);
    ck_assert_ptr_nonnull(m);
    ds_hist *lat = ds_hist_new(), *svc = ds_hist_new();
    for (int i = 0; i < 3000; i++) {
        ds_op op = (ds_op)(i % DS_OP__COUNT);
        int64_t l = 1000 + (i * 7919) % 250000, sv = l / 2 + i % 13;
        ds_metrics_latency(m, op, l, sv);
        ds_hist_add(lat, l);
        ds_hist_add(svc, sv);
        if (i == 1000) /* a read in the middle must not freeze or double "ALL" */
            ck_assert_uint_eq(ds_hist_count(ds_metrics_hist(m, DS_OP__COUNT)), 1001);
    }
    for (int k = 0; k < 2; k++) {
        const ds_hist *a = ds_metrics_hist(m, DS_OP__COUNT);
        const ds_hist *b = ds_metrics_service_hist(m, DS_OP__COUNT);
        ck_assert_uint_eq(ds_hist_count(a), 3000);
        ck_assert_int_eq(ds_hist_max(a), ds_hist_max(lat));
        ck_assert_int_eq(ds_hist_quantile(a, 0.0), ds_hist_quantile(lat, 0.0));
        ck_assert_int_eq(ds_hist_quantile(b, 0.0), ds_hist_quantile(svc, 0.0));
        for (double q = 0.1; q < 1.0; q += 0.1) {
            ck_assert_int_eq(ds_hist_quantile(a, q), ds_hist_quantile(lat, q));
            ck_assert_int_eq(ds_hist_quantile(b, q), ds_hist_quantile(svc, q));
        }
        ck_assert(ds_hist_mean(a) == ds_hist_mean(lat));
    }
    ds_hist_free(lat);
    ds_hist_free(svc);
    ck_assert_int_eq(ds_metrics_close(m, NULL, NULL, &err), DS_OK);
}
END_TEST

/* A latency lands in the run's histograms only when it is answered in the run phase, also
 * when the phase changes at the instant a row starts (no row is cut then, and the adds pending
 * for the row belong to the old phase); a row counts every answer of its interval. */
START_TEST(test_run_hists_follow_each_answers_phase) {
    ds_err err = {{0}};
    ds_metrics *m = ds_metrics_open(tmpdir, 1000000000, &err);
    ck_assert_ptr_nonnull(m);
    ds_metrics_phase(m, DS_PHASE_WARMUP, 0, NULL, NULL);
    ds_metrics_answer(m, 0, DS_OP_GET, 5000, 4000);   /* warm-up, at the row's start */
    ds_metrics_phase(m, DS_PHASE_RUN, 0, NULL, NULL); /* the same instant: no row */
    ds_metrics_answer(m, 500000000, DS_OP_GET, 7000, 6000);
    ck_assert_uint_eq(ds_hist_count(ds_metrics_hist(m, DS_OP_GET)), 1);
    ck_assert_int_eq(ds_hist_max(ds_metrics_hist(m, DS_OP_GET)), 7000);
    ds_metrics_phase(m, DS_PHASE_DRAIN, 600000000, NULL, NULL); /* cuts a row */
    ds_metrics_answer(m, 700000000, DS_OP_GET, 9000, 8000);
    ck_assert_uint_eq(ds_hist_count(ds_metrics_hist(m, DS_OP__COUNT)), 1);
    ck_assert_int_eq(ds_hist_max(ds_metrics_service_hist(m, DS_OP__COUNT)), 6000);
    ck_assert_int_eq(ds_metrics_close(m, NULL, NULL, &err), DS_OK);
    char *ts = slurp(tmpdir, "timeseries.csv");
    ck_assert_ptr_nonnull(ts);
    char buf[512];
    /* both answers of [0, 0.6): p50 the first, p99 and service p99 the second's */
    ck_assert_str_eq(line_of(ts, 1, buf, sizeof buf),
                     "0.600000,2,3.333,,0,0,0,0,0,2,0,0,0,0,0,0.000,,5.007,6.991,5.999,run");
    ck_assert_str_eq(line_of(ts, 2, buf, sizeof buf),
                     "0.700000,1,10.000,,0,0,0,0,0,1,0,0,0,0,0,0.000,,9.000,9.000,8.000,drain");
    free(ts);
}
END_TEST

static int run_compare(const char *run, const char *base, const char *extra) {
    char *argv[8] = {"compare", (char *)run, (char *)base, NULL};
    int argc = 3;
    if (extra) {
        argv[argc++] = "--metrics";
        argv[argc++] = (char *)extra;
    }
    fflush(stdout);
    return ds_main_compare(argc, argv);
}

START_TEST(test_compare_exit_codes) {
    char base[300], same[300], worse[300], missing[300];
    snprintf(base, sizeof base, "%s/base", tmpdir);
    snprintf(same, sizeof same, "%s/same", tmpdir);
    snprintf(worse, sizeof worse, "%s/worse", tmpdir);
    snprintf(missing, sizeof missing, "%s/nothing", tmpdir);
    write_run(base, 0);
    write_run(same, 0);
    write_run(worse, 100000); /* max and p999/p99 tail much slower */
    ck_assert_int_eq(run_compare(same, base, NULL), 0);
    ck_assert_int_eq(run_compare(worse, base, "max_us"), 1);
    ck_assert_int_eq(run_compare(base, worse, "max_us"), 0); /* better is not a regression */
    ck_assert_int_eq(run_compare(same, base, "no_such_metric"), 2);
    ck_assert_int_eq(run_compare(missing, base, NULL), 2);
    char *bad[] = {"compare", same, base, "--tolerance", "-1"};
    ck_assert_int_eq(ds_main_compare(5, bad), 2);
}
END_TEST

static void put(const char *name, const char *text) { ds_scratch_write(tmpdir, name, text); }

static int compare2(const char *a, const char *b, const char *metrics) {
    char pa[400], pb[400];
    snprintf(pa, sizeof pa, "%s/%s", tmpdir, a);
    snprintf(pb, sizeof pb, "%s/%s", tmpdir, b);
    return run_compare(pa, pb, metrics);
}

/* Files on either side; sweeps matched row by row on the config columns (before requests). */
START_TEST(test_compare_files_and_sweeps) {
    write_run(tmpdir, 0);
    char sum[400];
    snprintf(sum, sizeof sum, "%s/summary.csv", tmpdir);
    ck_assert_int_eq(run_compare(sum, tmpdir, NULL), 0); /* a file and a directory */
    const char *h = "trace,mem,seed,requests,p99_us,hit_ratio\n";
    char base[512], worse[512], other[512];
    snprintf(base, sizeof base, "%st,1mb,1,9,100,0.5\nt,1mb,2,9,110,0.5\nt,2mb,1,9,90,0.7\n", h);
    /* same points in another order; (2mb, 1) got slower */
    snprintf(worse, sizeof worse, "%st,2mb,1,9,200,0.7\nt,1mb,2,9,110,0.5\nt,1mb,1,9,100,0.5\n", h);
    put("base.csv", base);
    put("worse.csv", worse);
    ck_assert_int_eq(compare2("base.csv", "base.csv", NULL), 0);
    ck_assert_int_eq(compare2("worse.csv", "base.csv", NULL), 1);
    ck_assert_int_eq(compare2("base.csv", "worse.csv", NULL), 0); /* better is no regression */
    /* different columns, no common point, a duplicate point, an empty table: exit 2 */
    put("cols.csv", "trace,mem,seed,requests,p99_us,misses\nt,1mb,1,9,100,3\nt,1mb,2,9,1,1\n");
    ck_assert_int_eq(compare2("cols.csv", "base.csv", NULL), 2);
    snprintf(other, sizeof other, "%st,4mb,1,9,100,0.5\nt,4mb,2,9,100,0.5\n", h);
    put("other.csv", other);
    ck_assert_int_eq(compare2("other.csv", "base.csv", NULL), 2);
    snprintf(other, sizeof other, "%st,1mb,1,9,100,0.5\nt,1mb,1,9,100,0.5\n", h);
    put("dup.csv", other);
    ck_assert_int_eq(compare2("dup.csv", "base.csv", NULL), 2);
    put("empty.csv", h);
    ck_assert_int_eq(compare2("empty.csv", "base.csv", NULL), 2);
    ck_assert_int_eq(compare2("base.csv", "base.csv", "no_such_column"), 2);
}
END_TEST

static Suite *metrics_suite(void) {
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("files");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_timeseries_one_row_per_interval);
    tcase_add_test(tc, test_summary_columns_follow_contract);
    tcase_add_test(tc, test_trace_path_and_bytes_recorded);
    tcase_add_test(tc, test_latency_csv_is_a_cdf_per_op);
    tcase_add_test(tc, test_same_input_same_bytes);
    tcase_add_test(tc, test_race_keys_are_escaped);
    tcase_add_test(tc, test_unusable_dir_error_names_path);
    tcase_add_test(tc, test_hist_accessor_and_empty_run);
    tcase_add_test(tc, test_all_is_the_sum_of_the_ops);
    tcase_add_test(tc, test_run_hists_follow_each_answers_phase);
    tcase_add_test(tc, test_compare_exit_codes);
    tcase_add_test(tc, test_compare_files_and_sweeps);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(metrics_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
