/*
 * test_cli.c - the options of `dslab replay` (sim/cli.c): flags, config file, precedence,
 * one-line errors naming the option, the effective config and the default output directory.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "replay.h"

static ds_replay_opts o;
static ds_err err;

static ds_status parse(int argc, const char **argv) {
    bool help;
    ds_replay_opts_default(&o);
    memset(&err, 0, sizeof err);
    return ds_cli_parse(&o, argc, (char **)argv, &help, &err);
}

static char *write_tmp(const char *text) {
    static char path[64];
    snprintf(path, sizeof path, "/tmp/dslab_cli_XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

START_TEST(test_unknown_flag_names_it) {
    const char *argv[] = {"t.csv", "--no-such-thing", "1"};
    ck_assert_int_eq(parse(3, argv), DS_ERR_CONFIG);
    ck_assert_str_eq(err.msg, "--no-such-thing: unknown option (see dslab replay --help)");
}
END_TEST

START_TEST(test_bad_value_names_the_option) {
    const char *a1[] = {"t.csv", "--io-threads", "0"};
    ck_assert_int_eq(parse(3, a1), DS_ERR_CONFIG);
    ck_assert_msg(strncmp(err.msg, "--io-threads: ", 14) == 0, "%s", err.msg);
    const char *a2[] = {"t.csv", "--cache-max-memory", "lots"};
    ck_assert_int_eq(parse(3, a2), DS_ERR_CONFIG);
    ck_assert_msg(strncmp(err.msg, "--cache-max-memory: ", 20) == 0, "%s", err.msg);
    const char *a3[] = {"t.csv", "--latency-get", "gauss:1"};
    ck_assert_int_eq(parse(3, a3), DS_ERR_CONFIG);
    ck_assert_msg(strncmp(err.msg, "--latency-get: ", 15) == 0, "%s", err.msg);
    const char *a4[] = {"t.csv", "--speed", "-2"};
    ck_assert_int_eq(parse(3, a4), DS_ERR_CONFIG);
    ck_assert_msg(strncmp(err.msg, "--speed: ", 9) == 0, "%s", err.msg);
    const char *a5[] = {"t.csv", "--clock", "sundial"};
    ck_assert_int_eq(parse(3, a5), DS_ERR_CONFIG);
    ck_assert_msg(strncmp(err.msg, "--clock: ", 9) == 0, "%s", err.msg);
    ck_assert_ptr_null(strchr(err.msg, '\n'));
}
END_TEST

START_TEST(test_missing_value_and_missing_trace) {
    const char *a1[] = {"t.csv", "--seed"};
    ck_assert_int_eq(parse(2, a1), DS_ERR_CONFIG);
    ck_assert_str_eq(err.msg, "--seed: missing value");
    const char *a2[] = {"--seed", "3"};
    ck_assert_int_eq(parse(2, a2), DS_ERR_CONFIG);
    ck_assert_msg(strstr(err.msg, "missing TRACE") != NULL, "%s", err.msg);
}
END_TEST

START_TEST(test_flags_set_core_and_host_options) {
    const char *argv[] = {"t.csv",
                          "--cache-max-memory",
                          "2mb",
                          "--negcache",
                          "off",
                          "--io-threads",
                          "7",
                          "--seed=42",
                          "--closed",
                          "--think",
                          "250",
                          "--no-oracle",
                          "--speed",
                          "max",
                          "--latency",
                          "fixed:10",
                          "--load-priority",
                          "always-head"};
    ck_assert_int_eq(parse(18, argv), DS_OK);
    ck_assert_str_eq(o.trace, "t.csv");
    ck_assert_uint_eq(o.core.max_memory_bytes, 2u << 20);
    ck_assert(!o.core.negcache);
    ck_assert_uint_eq(o.io_threads, 7);
    ck_assert_uint_eq(o.seed, 42);
    ck_assert(o.closed);
    ck_assert_int_eq(o.think_us, 250);
    ck_assert(!o.oracle);
    ck_assert(o.speed == 0);
    for (int i = 0; i < 3; i++)
        ck_assert_str_eq(o.latency[i], "fixed:10");
    ck_assert_int_eq(o.core.load_priority, DS_LOAD_ALWAYS_HEAD);
}
END_TEST

START_TEST(test_valueless_flags_take_only_on_off) {
    const char *argv[] = {"--closed", "t.csv", "--origin", "--miss-is-set", "off"};
    ck_assert_int_eq(parse(5, argv), DS_OK);
    ck_assert(o.closed);
    ck_assert_str_eq(o.trace, "t.csv");
    ck_assert_int_eq(o.origin, DS_ORIGIN_ON);
    ck_assert(!o.miss_is_set);
    const char *a2[] = {"t.csv", "--no-origin"};
    ck_assert_int_eq(parse(2, a2), DS_OK);
    ck_assert_int_eq(o.origin, DS_ORIGIN_OFF);
}
END_TEST

START_TEST(test_config_file_is_parsed) {
    char *path = write_tmp("# a comment\n\ncache-flush-delay 250   # trailing comment\n"
                           "io-threads 8\nclosed\nlatency-set exp:300\nevict lru-exact\n");
    const char *argv[] = {"t.csv", "--config", path};
    ck_assert_int_eq(parse(3, argv), DS_OK);
    ck_assert_int_eq(o.core.flush_delay_ms, 250);
    ck_assert_uint_eq(o.io_threads, 8);
    ck_assert(o.closed);
    ck_assert_str_eq(o.latency[DS_BOP_SET], "exp:300");
    ck_assert_str_eq(o.latency[DS_BOP_GET], "uniform:50:150");
    ck_assert_str_eq(o.core.evict, "lru-exact");
    unlink(path);
}
END_TEST

START_TEST(test_flag_overrides_file_in_any_order) {
    char *path = write_tmp("io-threads 8\nseed 9\n");
    const char *argv[] = {"--io-threads", "2", "t.csv", "--config", path};
    ck_assert_int_eq(parse(5, argv), DS_OK);
    ck_assert_uint_eq(o.io_threads, 2);
    ck_assert_uint_eq(o.seed, 9);
    unlink(path);
}
END_TEST

/* config.txt written by a run names its trace: `--config` alone reruns it, a TRACE argument
 * wins over the file's, and trace_bytes (a record, not an option) is accepted and ignored. */
START_TEST(test_config_trace_line_is_the_default_trace) {
    const char *path = write_tmp("trace gen:uniform,keys=10\ntrace_bytes 99\nseed 7\n");
    const char *a1[] = {"--config", path};
    ck_assert_int_eq(parse(2, a1), DS_OK);
    ck_assert_str_eq(o.trace, "gen:uniform,keys=10");
    ck_assert_uint_eq(o.seed, 7);
    const char *a2[] = {"other.csv", "--config", path};
    ck_assert_int_eq(parse(3, a2), DS_OK);
    ck_assert_str_eq(o.trace, "other.csv");
    unlink(path);
}
END_TEST

START_TEST(test_config_file_errors_name_file_and_line) {
    char *path = write_tmp("seed 1\nnegcache maybe\n");
    const char *argv[] = {"t.csv", "--config", path};
    ck_assert_int_eq(parse(3, argv), DS_ERR_CONFIG);
    char want[128];
    snprintf(want, sizeof want, "%s:2: --negcache", path);
    ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "%s", err.msg);
    unlink(path);
    const char *a2[] = {"t.csv", "--config", "/nonexistent/dslab.conf"};
    ck_assert_int_eq(parse(3, a2), DS_ERR_CONFIG);
    ck_assert_msg(strncmp(err.msg, "--config: /nonexistent/dslab.conf", 33) == 0, "%s", err.msg);
}
END_TEST

/* config.txt is the effective config as "name value" lines: loading it gives the same run. */
START_TEST(test_effective_config_reloads_identically) {
    const char *argv[] = {"t.csv",   "--cache-max-memory",
                          "3mb",     "--concurrent-saves",
                          "on",      "--latency-del",
                          "fixed:7", "--origin",
                          "off",     "--speed",
                          "2.5"};
    ck_assert_int_eq(parse(11, argv), DS_OK);
    const char *n1[DS_CLI_EFFECTIVE_MAX], *v1[DS_CLI_EFFECTIVE_MAX];
    static char b1[DS_CLI_EFFECTIVE_BUF], text[DS_CLI_EFFECTIVE_BUF];
    size_t n = ds_cli_effective(&o, n1, v1, b1);
    ck_assert_uint_gt(n, 20);
    size_t used = 0;
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(text + used, sizeof text - used, "%s %s\n", n1[i], v1[i]);
    char *path = write_tmp(text);
    ds_replay_opts first = o;
    const char *a2[] = {"t.csv", "--config", path};
    ck_assert_int_eq(parse(3, a2), DS_OK);
    const char *n2[DS_CLI_EFFECTIVE_MAX], *v2[DS_CLI_EFFECTIVE_MAX];
    static char b2[DS_CLI_EFFECTIVE_BUF];
    ck_assert_uint_eq(ds_cli_effective(&o, n2, v2, b2), n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_str_eq(n1[i], n2[i]);
        ck_assert_str_eq(v1[i], v2[i]);
    }
    ck_assert_uint_eq(o.core.max_memory_bytes, first.core.max_memory_bytes);
    unlink(path);
}
END_TEST

START_TEST(test_default_out_depends_on_config) {
    const char *a1[] = {"data/my.trace.csv.zst"};
    ck_assert_int_eq(parse(1, a1), DS_OK);
    ds_cli_default_out(&o);
    char first[DS_OPT_STR_MAX];
    snprintf(first, sizeof first, "%s", o.out);
    ck_assert_msg(strncmp(first, "results/my-", 11) == 0 && strlen(first) == 19, "%s", first);
    const char *a2[] = {"data/my.trace.csv.zst", "--seed", "2"};
    ck_assert_int_eq(parse(3, a2), DS_OK);
    ds_cli_default_out(&o);
    ck_assert_str_ne(o.out, first);
    const char *a3[] = {"data/my.trace.csv.zst", "--out", "x/y"};
    ck_assert_int_eq(parse(3, a3), DS_OK);
    ds_cli_default_out(&o);
    ck_assert_str_eq(o.out, "x/y");
}
END_TEST

START_TEST(test_help_lists_every_option_with_default) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ds_cli_usage(f);
    fclose(f);
    const char *names[] = {"--cache-max-memory",
                           "--cache-flush-delay",
                           "--max-io-jobs",
                           "--negcache",
                           "--evict-busy-keys",
                           "--clock",
                           "--backend",
                           "--latency-get",
                           "--faults",
                           "--io-threads",
                           "--seed",
                           "--out",
                           "--speed",
                           "--think",
                           "--interval-ms",
                           "--origin"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        ck_assert_msg(strstr(buf, names[i]) != NULL, "%s missing", names[i]);
    ck_assert_ptr_nonnull(strstr(buf, "uniform:80:250"));
    free(buf);
}
END_TEST

/* One table: for every line of config.txt, --help shows the same default, and loading the
 * default effective config changes nothing. */
START_TEST(test_help_and_config_come_from_one_table) {
    const char *a1[] = {"t.csv"};
    ck_assert_int_eq(parse(1, a1), DS_OK);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ds_cli_usage(f);
    fclose(f);
    const char *names[DS_CLI_EFFECTIVE_MAX], *values[DS_CLI_EFFECTIVE_MAX];
    static char eb[DS_CLI_EFFECTIVE_BUF];
    size_t n = ds_cli_effective(&o, names, values, eb);
    ck_assert_uint_gt(n, 30);
    for (size_t i = 0; i < n; i++) {
        char want[128];
        snprintf(want, sizeof want, "\n  --%-20s %-14s ", names[i], values[i]);
        ck_assert_msg(strstr(buf, want) != NULL, "--help disagrees on %s %s", names[i], values[i]);
    }
    /* --backend file without --backend-path stores in OUT/store: --help says so */
    ck_assert_ptr_nonnull(strstr(buf, "--backend-path         OUT/store"));
    free(buf);
}
END_TEST

START_TEST(test_every_option_keeps_its_name_and_default) {
    const char *a1[] = {"t.csv"};
    ck_assert_int_eq(parse(1, a1), DS_OK);
    ck_assert_int_eq(o.clock, DS_CLOCK_VIRTUAL);
    ck_assert_str_eq(o.backend, "fake");
    ck_assert_int_eq(o.fsync, DS_FSYNC_NEVER);
    ck_assert_str_eq(o.latency[DS_BOP_GET], "uniform:50:150");
    ck_assert_str_eq(o.latency[DS_BOP_SET], "uniform:80:250");
    ck_assert_str_eq(o.latency[DS_BOP_DEL], "uniform:50:150");
    ck_assert_str_eq(o.faults, "none");
    ck_assert_str_eq(o.format, "auto");
    ck_assert_uint_eq(o.io_threads, 4);
    ck_assert_uint_eq(o.seed, 1);
    ck_assert(o.oracle && !o.miss_is_set && !o.closed && !o.quiet && o.progress);
    ck_assert_int_eq(o.origin, DS_ORIGIN_AUTO);
    ck_assert(o.speed == 1.0);
    ck_assert_int_eq(o.think_us, 0);
    ck_assert_int_eq(o.interval_ms, 1000);
    ck_assert_uint_eq(o.client_queue_max, 1000000);
    ck_assert_str_eq(o.out, "");
    ck_assert_str_eq(o.backend_path, "");
    const char *a2[] = {
        "t.csv",    "--fsync", "always",      "--clock", "real",    "--backend",          "file",
        "--origin", "on",      "--no-oracle", "--quiet", "--think", "9223372036854775807"};
    ck_assert_int_eq(parse(13, a2), DS_ERR_CONFIG); /* think is bounded */
    ck_assert_msg(strncmp(err.msg, "--think: expected an integer in 0..", 35) == 0, "%s", err.msg);
    a2[12] = "5";
    ck_assert_int_eq(parse(13, a2), DS_OK);
    ck_assert(o.fsync == DS_FSYNC_ALWAYS && o.clock == DS_CLOCK_REAL && !strcmp(o.backend, "file"));
    ck_assert(o.origin == DS_ORIGIN_ON && !o.oracle && o.quiet && o.think_us == 5);
}
END_TEST

/* The file backend gets no fake latency unless --latency is given. */
START_TEST(test_file_backend_has_no_fake_latency_by_default) {
    bool help;
    const char *a[] = {"t.csv", "--backend", "file"};
    ds_replay_opts_default(&o);
    ck_assert_int_eq(ds_cli_parse(&o, 3, (char **)a, &help, &err), DS_OK);
    for (int i = 0; i < 3; i++)
        ck_assert_str_eq(o.latency[i], "fixed:0");
    const char *b[] = {"t.csv", "--backend", "file", "--latency-set", "exp:100"};
    ds_replay_opts_default(&o);
    ck_assert_int_eq(ds_cli_parse(&o, 5, (char **)b, &help, &err), DS_OK);
    ck_assert_str_eq(o.latency[DS_BOP_SET], "exp:100");
    ck_assert_str_eq(o.latency[DS_BOP_GET], "fixed:0");
    const char *c[] = {"t.csv"};
    ds_replay_opts_default(&o);
    ck_assert_int_eq(ds_cli_parse(&o, 1, (char **)c, &help, &err), DS_OK);
    ck_assert_str_eq(o.latency[DS_BOP_GET], "uniform:50:150"); /* the fake keeps its model */
}
END_TEST

static Suite *cli_suite(void) {
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("options");
    tcase_add_test(tc, test_file_backend_has_no_fake_latency_by_default);
    tcase_add_test(tc, test_unknown_flag_names_it);
    tcase_add_test(tc, test_bad_value_names_the_option);
    tcase_add_test(tc, test_missing_value_and_missing_trace);
    tcase_add_test(tc, test_flags_set_core_and_host_options);
    tcase_add_test(tc, test_valueless_flags_take_only_on_off);
    tcase_add_test(tc, test_config_file_is_parsed);
    tcase_add_test(tc, test_flag_overrides_file_in_any_order);
    tcase_add_test(tc, test_config_file_errors_name_file_and_line);
    tcase_add_test(tc, test_config_trace_line_is_the_default_trace);
    tcase_add_test(tc, test_effective_config_reloads_identically);
    tcase_add_test(tc, test_default_out_depends_on_config);
    tcase_add_test(tc, test_help_lists_every_option_with_default);
    tcase_add_test(tc, test_help_and_config_come_from_one_table);
    tcase_add_test(tc, test_every_option_keeps_its_name_and_default);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(cli_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
