/*
 * test_config.c - the core's options: ds_config_set, ds_parse_size, ds_config_validate and
 * ds_config_describe.
 *
 * Why: every option is a command-line flag and a config-file line, and the effective config is
 * written next to the results, so a run can be replayed only if set/describe round-trip every
 * field exactly and bad input is refused with a message naming the option, leaving cfg alone.
 * The describe tests find each field's option by changing the field and watching which line
 * changes, so they keep working when an option is added. cfg.seed is not a core option: the
 * host's --seed fills it.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dslab.h"

static bool cfg_equal(const ds_config *a, const ds_config *b) {
    return a->max_memory_bytes == b->max_memory_bytes && a->max_keys == b->max_keys &&
           a->flush_delay_ms == b->flush_delay_ms && a->max_io_jobs == b->max_io_jobs &&
           a->negcache == b->negcache && a->negcache_max == b->negcache_max &&
           a->evict_samples == b->evict_samples && !strcmp(a->evict, b->evict) &&
           a->evict_at == b->evict_at && a->load_priority == b->load_priority &&
           a->concurrent_saves == b->concurrent_saves && a->evict_busy_keys == b->evict_busy_keys &&
           a->save_retry_ms == b->save_retry_ms && a->save_retry_max_ms == b->save_retry_max_ms &&
           a->seed == b->seed;
}

static ds_config set_one(const char *name, const char *value) {
    ds_config c;
    ds_config_default(&c);
    ds_err err = {{0}};
    ds_status s = ds_config_set(&c, name, value, &err);
    ck_assert_msg(s == DS_OK, "%s=%s: %s (%s)", name, value, ds_status_name(s), err.msg);
    return c;
}

/* ---- every option by name ---- */

START_TEST(test_sizes_accept_units) {
    ck_assert_uint_eq(set_one("cache-max-memory", "100mb").max_memory_bytes, 100ull << 20);
    ck_assert_uint_eq(set_one("cache-max-memory", "1gb").max_memory_bytes, 1ull << 30);
    ck_assert_uint_eq(set_one("cache-max-memory", "512kb").max_memory_bytes, 512ull << 10);
    ck_assert_uint_eq(set_one("cache-max-memory", "123b").max_memory_bytes, 123);
    ck_assert_uint_eq(set_one("cache-max-memory", "42").max_memory_bytes, 42);
    ck_assert_uint_eq(set_one("cache-max-memory", "0").max_memory_bytes, 0);
}
END_TEST

START_TEST(test_numbers_set_their_fields) {
    ck_assert_uint_eq(set_one("cache-max-keys", "1000").max_keys, 1000);
    ck_assert_int_eq(set_one("cache-flush-delay", "250").flush_delay_ms, 250);
    ck_assert_uint_eq(set_one("max-io-jobs", "4").max_io_jobs, 4);
    ck_assert_uint_eq(set_one("negcache-max", "77").negcache_max, 77);
    ck_assert_uint_eq(set_one("evict-samples", "9").evict_samples, 9);
    ck_assert_int_eq(set_one("save-retry-backoff", "250").save_retry_ms, 250);
}
END_TEST

START_TEST(test_booleans_accept_all_spellings) {
    static const char *const yes[] = {"on", "yes", "true", "1"}, *const no[] = {"off", "no",
                                                                                "false", "0"};
    static const char *const names[] = {"negcache", "concurrent-saves", "evict-busy-keys"};
    for (int n = 0; n < 3; n++) {
        for (int i = 0; i < 4; i++) {
            ds_config t = set_one(names[n], yes[i]), f = set_one(names[n], no[i]);
            bool tv = n == 0 ? t.negcache : n == 1 ? t.concurrent_saves : t.evict_busy_keys;
            bool fv = n == 0 ? f.negcache : n == 1 ? f.concurrent_saves : f.evict_busy_keys;
            ck_assert_msg(tv && !fv, "%s: %s/%s", names[n], yes[i], no[i]);
        }
    }
}
END_TEST

START_TEST(test_enums_accept_their_names) {
    ck_assert_str_eq(set_one("evict", "lru-exact").evict, "lru-exact");
    ck_assert_str_eq(set_one("evict", "lru-sampled").evict, "lru-sampled");
    ck_assert_int_eq(set_one("evict-at", "insert").evict_at, DS_EVICT_AT_INSERT);
    ck_assert_int_eq(set_one("evict-at", "cron").evict_at, DS_EVICT_AT_CRON);
    ck_assert_int_eq(set_one("load-priority", "always-head").load_priority, DS_LOAD_ALWAYS_HEAD);
    ck_assert_int_eq(set_one("load-priority", "save-first").load_priority, DS_LOAD_SAVE_FIRST);
}
END_TEST

/* ---- errors ---- */

static void assert_rejected(const char *name, const char *value) {
    ds_config c, before;
    ds_config_default(&c);
    c.max_memory_bytes = 4242; /* non-default, to see that nothing is reset */
    c.negcache = false;
    before = c;
    ds_err err = {{0}};
    ds_status s = ds_config_set(&c, name, value, &err);
    ck_assert_msg(s == DS_ERR_CONFIG, "%s=%s: accepted (%s)", name, value, ds_status_name(s));
    ck_assert_msg(strstr(err.msg, name) != NULL, "%s=%s: message '%s' does not name it", name,
                  value, err.msg);
    ck_assert_msg(cfg_equal(&c, &before), "%s=%s: cfg changed on error", name, value);
    ck_assert_int_eq(ds_config_set(&c, name, value, NULL), DS_ERR_CONFIG);
}

START_TEST(test_unknown_name_rejected) {
    assert_rejected("no-such-option", "1");
    assert_rejected("cache-max-memoryy", "1mb");
    assert_rejected("", "1");
}
END_TEST

START_TEST(test_bad_values_rejected_naming_the_option) {
    assert_rejected("cache-max-memory", "abc");
    assert_rejected("cache-max-memory", "10xb");
    assert_rejected("cache-max-memory", "-5");
    assert_rejected("cache-max-memory", "");
    assert_rejected("cache-max-memory", "99999999999999999999gb");
    assert_rejected("cache-max-keys", "many");
    assert_rejected("cache-flush-delay", "soon");
    assert_rejected("max-io-jobs", "-1");
    assert_rejected("max-io-jobs", "4x");
    assert_rejected("negcache", "maybe");
    assert_rejected("negcache", "");
    assert_rejected("concurrent-saves", "2");
    assert_rejected("evict", "fifo2");
    assert_rejected("evict", "s3fifo:small=2");
    assert_rejected("evict", "clock:bits=x");
    assert_rejected("evict-at", "sometimes");
    assert_rejected("load-priority", "tail");
    assert_rejected("evict-samples", "five");
}
END_TEST

START_TEST(test_null_arguments_rejected) {
    ds_config c, before;
    ds_config_default(&c);
    before = c;
    ck_assert_int_ne(ds_config_set(&c, NULL, "1", NULL), DS_OK);
    ck_assert_int_ne(ds_config_set(&c, "max-io-jobs", NULL, NULL), DS_OK);
    ck_assert_int_ne(ds_config_set(NULL, "max-io-jobs", "1", NULL), DS_OK);
    ck_assert(cfg_equal(&c, &before));
}
END_TEST

START_TEST(test_parse_size) {
    uint64_t v = 1;
    ck_assert_int_eq(ds_parse_size("0", &v), DS_OK);
    ck_assert_uint_eq(v, 0);
    ck_assert_int_eq(ds_parse_size("7b", &v), DS_OK);
    ck_assert_uint_eq(v, 7);
    ck_assert_int_eq(ds_parse_size("3kb", &v), DS_OK);
    ck_assert_uint_eq(v, 3072);
    ck_assert_int_eq(ds_parse_size("2mb", &v), DS_OK);
    ck_assert_uint_eq(v, 2ull << 20);
    ck_assert_int_eq(ds_parse_size("5gb", &v), DS_OK);
    ck_assert_uint_eq(v, 5ull << 30);
    v = 99;
    ck_assert_int_ne(ds_parse_size("", &v), DS_OK);
    ck_assert_int_ne(ds_parse_size("kb", &v), DS_OK);
    ck_assert_int_ne(ds_parse_size("12q", &v), DS_OK);
    ck_assert_int_ne(ds_parse_size("-1", &v), DS_OK);
    ck_assert_int_ne(ds_parse_size("18446744073709551616", &v), DS_OK);
    ck_assert_int_ne(ds_parse_size("17179869184gb", &v), DS_OK);
    ck_assert_int_ne(ds_parse_size(NULL, &v), DS_OK);
    ck_assert_uint_eq(v, 99);
}
END_TEST

static int64_t now_zero(void *ctx) {
    (void)ctx;
    return 0;
}

static void reply_none(void *ctx, uint64_t client, uint64_t tag, const ds_reply *r) {
    (void)ctx, (void)client, (void)tag, (void)r;
}

/* The one set of value parsers the whole tree uses (core config, CLI, trace readers, specs). */
START_TEST(test_shared_parsers_accept_exactly_their_syntax) {
    uint64_t u = 7;
    int64_t i = 7;
    bool b = false;
    double d = 0;
    ck_assert(ds_parse_u64("18446744073709551615", 20, &u) && u == UINT64_MAX);
    ck_assert(ds_parse_u64("123xyz", 3, &u) && u == 123); /* exactly len bytes */
    ck_assert(!ds_parse_u64("18446744073709551616", 20, &u));
    ck_assert(!ds_parse_u64("", 0, &u) && !ds_parse_u64("+1", 2, &u) && !ds_parse_u64(" 1", 2, &u));
    ck_assert(!ds_parse_u64("-1", 2, &u) && u == 123); /* untouched on failure */
    ck_assert(ds_parse_i64("-9223372036854775808", 20, &i) && i == INT64_MIN);
    ck_assert(!ds_parse_i64("9223372036854775808", 19, &i) && !ds_parse_i64("-", 1, &i));
    const char *yes[] = {"on", "YES", "True", "1"}, *no[] = {"off", "No", "FALSE", "0"};
    for (int k = 0; k < 4; k++) {
        ck_assert(ds_parse_bool(yes[k], strlen(yes[k]), &b) && b);
        ck_assert(ds_parse_bool(no[k], strlen(no[k]), &b) && !b);
    }
    ck_assert(!ds_parse_bool("onn", 3, &b) && !ds_parse_bool("", 0, &b));
    ck_assert(ds_parse_f64("2.5e3", &d) && d == 2500);
    ck_assert(!ds_parse_f64("1e999", &d) && !ds_parse_f64("nan", &d) && !ds_parse_f64("3x", &d));
    ck_assert(!ds_parse_f64("", &d) && !ds_parse_f64(" 1", &d));
}
END_TEST

START_TEST(test_validate_default_ok_and_zero_io_jobs_refused) {
    ds_config c;
    ds_config_default(&c);
    ds_err err = {{0}};
    ck_assert_int_eq(ds_config_validate(&c, &err), DS_OK);
    if (ds_config_set(&c, "max-io-jobs", "0", NULL) == DS_OK) {
        ck_assert_int_ne(ds_config_validate(&c, &err), DS_OK);
        ck_assert_str_ne(err.msg, "");
    }
    ds_host host = {.now_us = now_zero, .reply = reply_none};
    ds_config_default(&c);
    ds_cache *ok = ds_cache_new(&c, &host, &err);
    ck_assert_msg(ok != NULL, "default config refused: %s", err.msg);
    ds_cache_free(ok);
    c.max_io_jobs = 0;
    err.msg[0] = '\0';
    ck_assert_ptr_null(ds_cache_new(&c, &host, &err));
    ck_assert_str_ne(err.msg, "");
}
END_TEST

/* ---- describe ---- */

#define MAXOPT 64

typedef struct described {
    size_t n;
    const char *name[MAXOPT];
    char value[MAXOPT][128];
} described;

static void describe_all(const ds_config *c, described *d) {
    memset(d, 0, sizeof *d);
    for (size_t i = 0; i < MAXOPT; i++) {
        const char *name = NULL, *help = NULL;
        if (!ds_config_describe(c, i, &name, d->value[i], sizeof d->value[i], &help)) break;
        ck_assert_ptr_nonnull(name);
        ck_assert_ptr_nonnull(help);
        d->name[i] = name;
        d->n = i + 1;
    }
    ck_assert_uint_lt(d->n, MAXOPT);
}

START_TEST(test_describe_lists_the_known_options) {
    static const char *const known[] = {
        "cache-max-memory",  "cache-max-keys", "cache-flush-delay", "max-io-jobs",
        "negcache",          "negcache-max",   "evict-samples",     "evict",
        "evict-at",          "load-priority",  "concurrent-saves",  "evict-busy-keys",
        "save-retry-backoff"};
    ds_config c;
    ds_config_default(&c);
    described d;
    describe_all(&c, &d);
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
        bool found = false;
        for (size_t i = 0; i < d.n; i++)
            found = found || strcmp(d.name[i], known[k]) == 0;
        ck_assert_msg(found, "describe does not list %s", known[k]);
    }
    const char *name = NULL, *help = NULL;
    char buf[8];
    ck_assert(!ds_config_describe(&c, d.n, &name, buf, sizeof buf, &help));
    ck_assert(!ds_config_describe(&c, d.n + 1000, &name, buf, sizeof buf, &help));
}
END_TEST

/* Change one field; exactly one described line must change, and setting that option to the
 * described text on a default config must reproduce the field. */
static void check_field_round_trip(int field) {
    ds_config def, mod;
    ds_config_default(&def);
    mod = def;
    switch (field) {
    case 0: mod.max_memory_bytes = 7ull << 20; break;
    case 1: mod.max_keys = 77; break;
    case 2: mod.flush_delay_ms = 1234; break;
    case 3: mod.max_io_jobs = 3; break;
    case 4: mod.negcache = !def.negcache; break;
    case 5: mod.negcache_max = 55; break;
    case 6: mod.evict_samples = 9; break;
    case 7: snprintf(mod.evict, sizeof mod.evict, "lru-exact"); break;
    case 8: mod.evict_at = DS_EVICT_AT_INSERT; break;
    case 9: mod.load_priority = DS_LOAD_ALWAYS_HEAD; break;
    case 10: mod.concurrent_saves = !def.concurrent_saves; break;
    case 11: mod.evict_busy_keys = !def.evict_busy_keys; break;
    case 12: mod.save_retry_ms = 250; break;
    default: mod.save_retry_max_ms = 20000; break;
    }
    described a, b;
    describe_all(&def, &a);
    describe_all(&mod, &b);
    ck_assert_uint_eq(a.n, b.n);
    size_t changed = 0, at = 0;
    for (size_t i = 0; i < a.n; i++) {
        ck_assert_str_eq(a.name[i], b.name[i]);
        if (strcmp(a.value[i], b.value[i]) != 0) changed++, at = i;
    }
    ck_assert_msg(changed == 1, "field %d: %zu described lines changed", field, changed);
    ds_config back = set_one(b.name[at], b.value[at]);
    ck_assert_msg(cfg_equal(&back, &mod), "field %d: %s=%s does not round-trip", field, b.name[at],
                  b.value[at]);
}

START_TEST(test_describe_round_trips_every_field) { check_field_round_trip(_i); }
END_TEST

START_TEST(test_describe_round_trips_defaults) {
    ds_config def, c;
    ds_config_default(&def);
    ds_config_default(&c);
    described d;
    describe_all(&def, &d);
    for (size_t i = 0; i < d.n; i++) {
        ds_err err = {{0}};
        ck_assert_msg(ds_config_set(&c, d.name[i], d.value[i], &err) == DS_OK, "%s=%s: %s",
                      d.name[i], d.value[i], err.msg);
    }
    ck_assert(cfg_equal(&c, &def));
}
END_TEST

START_TEST(test_describe_truncates_into_small_buffers) {
    ds_config c;
    ds_config_default(&c);
    c.max_memory_bytes = 123456789;
    for (size_t i = 0;; i++) {
        const char *name = NULL, *help = NULL;
        char buf[3] = {'x', 'x', 'x'};
        if (!ds_config_describe(&c, i, &name, buf, sizeof buf, &help)) break;
        ck_assert_msg(memchr(buf, '\0', sizeof buf) != NULL, "%s: not terminated", name);
        ck_assert_uint_lt(i, MAXOPT);
    }
}
END_TEST

static Suite *config_suite(void) {
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("set");
    tcase_add_test(tc, test_sizes_accept_units);
    tcase_add_test(tc, test_numbers_set_their_fields);
    tcase_add_test(tc, test_booleans_accept_all_spellings);
    tcase_add_test(tc, test_enums_accept_their_names);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_test(tc, test_unknown_name_rejected);
    tcase_add_test(tc, test_bad_values_rejected_naming_the_option);
    tcase_add_test(tc, test_null_arguments_rejected);
    tcase_add_test(tc, test_parse_size);
    tcase_add_test(tc, test_shared_parsers_accept_exactly_their_syntax);
    tcase_add_test(tc, test_validate_default_ok_and_zero_io_jobs_refused);
    suite_add_tcase(s, tc);
    tc = tcase_create("describe");
    tcase_add_test(tc, test_describe_lists_the_known_options);
    tcase_add_loop_test(tc, test_describe_round_trips_every_field, 0, 14);
    tcase_add_test(tc, test_describe_round_trips_defaults);
    tcase_add_test(tc, test_describe_truncates_into_small_buffers);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(config_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
