/*
 * test_cacheonly.c - `dslab replay --cache-only` (sim/cacheonly.c over core/simcache.c).
 *
 * The rule it keeps: a cache-only run is the full engine's exact mode without the machinery.
 * For every eviction policy and a few cache sizes (keys and bytes), its hits, misses, loads and
 * evictions equal the full virtual engine's under `--evict-at insert --latency fixed:0 --origin
 * --no-oracle` on the same trace and seed. The generated trace is an oracleGeneral file (sizes
 * per object, next-access hints for belady) whose records all carry time 0, so the full run
 * stays under 100 ms of virtual time: cron never ticks, and cron's expiry sampling draws from
 * the generator that lru-sampled draws from too (on the public sample, which spans 7,200 s,
 * lru-sampled is therefore left out). Also: a second run is byte-identical (wall-clock columns
 * aside), the write semantics (SET, DEL, negative answers, MGET, EXEC), and the options it
 * refuses with one line.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "replay.h"
#include "sample.h"
#include "replayrun.h"
#include "scratch.h"
#include "testmain.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#else
#define SANITIZED 0
#endif

#define GEN_RECORDS 12000u
#define GEN_OBJECTS 3000u

static char tmpdir[DS_SCRATCH_CAP];

static void setup(void) { ds_scratch_make(tmpdir, sizeof tmpdir, "cacheonly"); }

static void teardown(void) { ds_scratch_rm(tmpdir); }

static const char *path_in(const char *name) { return ds_scratch_path(tmpdir, name); }

static void put_le(unsigned char *p, uint64_t v, int n) {
    for (int i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* A skewed oracleGeneral trace: ids drawn with density ~ 1/sqrt (a cube of a uniform), sizes
 * 64..1087 bytes per object, next_access_vtime computed backwards (-1 = never again). */
static const char *write_oracle_trace(void) {
    static uint64_t ids[GEN_RECORDS];
    static int64_t next[GEN_RECORDS], seen[GEN_OBJECTS];
    ds_rng r;
    ds_rng_seed(&r, 42);
    for (uint32_t i = 0; i < GEN_RECORDS; i++) {
        double u = ds_rng_double(&r);
        ids[i] = 1000 + (uint64_t)(u * u * u * GEN_OBJECTS);
    }
    for (uint32_t k = 0; k < GEN_OBJECTS; k++)
        seen[k] = -1;
    for (uint32_t i = GEN_RECORDS; i-- > 0;) {
        next[i] = seen[ids[i] - 1000];
        seen[ids[i] - 1000] = i;
    }
    static char p[256]; /* path_in's buffers rotate */
    snprintf(p, sizeof p, "%s", path_in("gen.oracleGeneral.bin"));
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    for (uint32_t i = 0; i < GEN_RECORDS; i++) {
        unsigned char rec[24];
        put_le(rec, 0, 4);
        put_le(rec + 4, ids[i], 8);
        put_le(rec + 12, 64 + (ids[i] * 7919) % 1024, 4);
        put_le(rec + 16, (uint64_t)next[i], 8);
        ck_assert_uint_eq(fwrite(rec, 1, sizeof rec, f), sizeof rec);
    }
    ck_assert_int_eq(fclose(f), 0);
    return p;
}

static ds_replay_result run(const char *trace, const char *out, const char *const *flags) {
    ds_err err;
    ds_replay_result res;
    ck_assert_msg(ds_test_replay_run(trace, flags, path_in(out), &res, &err) == DS_OK, "%s",
                  err.msg);
    return res;
}

/* The cache-only run and the full engine's exact mode on one trace, policy and limit. A trace
 * with writes also gets --cache-flush-delay 0 on the full run: see the write test. */
static void compare(const char *trace, const char *policy, const char *limit, const char *n,
                    bool short_trace) {
    const char *full[] = {"--evict",
                          policy,
                          limit,
                          n,
                          "--evict-at",
                          "insert",
                          "--origin",
                          "--latency",
                          "fixed:0",
                          "--no-oracle",
                          "--cache-flush-delay",
                          "0",
                          NULL};
    if (strncmp(trace, "gen:", 4) != 0) full[10] = NULL; /* read-only: the exact command */
    const char *co[] = {"--evict", policy, limit, n, "--cache-only", NULL};
    ds_replay_result f = run(trace, "full", full), c = run(trace, "co", co);
    if (short_trace) /* no cron tick: see the top of the file */
        ck_assert_msg(f.sim_seconds < 0.1, "%s: the full run spans %.3f s", policy, f.sim_seconds);
    const char *what = policy;
    ck_assert_uint_eq(c.requests, f.requests);
    ck_assert_msg(c.stats.hits == f.stats.hits && c.stats.misses == f.stats.misses,
                  "%s %s %s: cache-only %llu hits %llu misses, full %llu hits %llu misses", what,
                  limit, n, (unsigned long long)c.stats.hits, (unsigned long long)c.stats.misses,
                  (unsigned long long)f.stats.hits, (unsigned long long)f.stats.misses);
    ck_assert_uint_eq(c.stats.disk_loads, f.stats.disk_loads);
    ck_assert_uint_eq(c.stats.evictions, f.stats.evictions);
    ck_assert_uint_eq(c.stats.peak_memory_bytes, f.stats.peak_memory_bytes);
    ck_assert_uint_eq(c.stats.gets, f.stats.gets);
    ck_assert_uint_eq(c.stats.sets, f.stats.sets);
    ck_assert_uint_eq(c.stats.neg_hits, f.stats.neg_hits);
    ck_assert_uint_gt(c.stats.evictions, 0); /* the limit bites */
}

static const char *const policies[] = {"lru-sampled", "lru-exact", "fifo", "clock",  "sieve",
                                       "s3fifo",      "arc",       "lfu",  "belady", NULL};

START_TEST(test_every_policy_equals_the_full_engine_on_a_generated_trace) {
    const char *t = write_oracle_trace();
    for (int i = 0; policies[i]; i++) {
        compare(t, policies[i], "--cache-max-keys", "300", true);
        if (SANITIZED) continue;
        compare(t, policies[i], "--cache-max-keys", "1200", true);
        compare(t, policies[i], "--cache-max-memory", "256kb", true);
    }
}
END_TEST

/* With writes, a key the full engine wrote is busy (unevictable) until its SAVE lands, one
 * cache-flush-delay later; cache-only has no SAVE. With the delay at 0 and requests 10 us
 * apart (the modelled core finishes each command and the SAVE's hand-back before the next
 * arrives; at 1 us apart they queue behind it and arc at 120kb differs by 2 hits) the SAVE
 * lands before the next request and the two agree again, negative hits included. */
#define GEN_WRITES                                                                                 \
    "gen:zipf:0.99,keys=3000,requests=9000,mix=get:0.75/set:0.15/del:0.05/exists:0.05,"            \
    "size=uniform:10:900,arrival=fixed:100000,seed=7"

START_TEST(test_writes_equal_the_full_engine_when_saves_land_at_once) {
    for (int i = 0; policies[i]; i++) {
        if (!strcmp(policies[i], "belady")) continue; /* needs an oracleGeneral trace */
        compare(GEN_WRITES, policies[i], "--cache-max-keys", "300", true);
        if (!SANITIZED) compare(GEN_WRITES, policies[i], "--cache-max-memory", "120kb", true);
    }
}
END_TEST

START_TEST(test_every_policy_equals_the_full_engine_on_the_public_sample) {
    char sample[4096];
    ck_assert(ds_sample_path("cloudPhysicsIO.oracleGeneral.bin", sample, sizeof sample));
    for (int i = 1; policies[i]; i++) { /* not lru-sampled: see the top of the file */
        if (SANITIZED && strcmp(policies[i], "lru-exact") && strcmp(policies[i], "belady"))
            continue;
        compare(sample, policies[i], "--cache-max-keys", "1000", false);
        if (!SANITIZED) compare(sample, policies[i], "--cache-max-memory", "64mb", false);
    }
}
END_TEST

/* The value of column `name` in a one-row CSV (no quoted commas before it). */
static void blank_column(char *csv, const char *name) {
    char *nl = strchr(csv, '\n');
    ck_assert_ptr_nonnull(nl);
    int col = -1, i = 0;
    for (char *s = csv; s < nl; i++) {
        size_t k = strcspn(s, ",\n");
        if (k == strlen(name) && !strncmp(s, name, k)) col = i;
        s += k + 1;
    }
    ck_assert_int_ge(col, 0);
    char *p = nl + 1;
    bool quoted = false;
    for (i = 0; *p && i < col; p++) {
        if (*p == '"') quoted = !quoted;
        if (*p == ',' && !quoted) i++;
    }
    char *end = p + strcspn(p, ",\n");
    memmove(p, end, strlen(end) + 1);
}

START_TEST(test_a_second_run_is_byte_identical) {
    const char *t = write_oracle_trace();
    const char *flags[] = {"--evict", "lru-sampled",  "--cache-max-keys",
                           "500",     "--cache-only", NULL};
    run(t, "a", flags);
    run(t, "b", flags);
    const char *same[] = {"config.txt", "latency.csv", "races.csv", "timeseries.csv"};
    for (int i = 0; i < 4; i++)
        ck_assert_msg(
            !strcmp(ds_scratch_read(path_in("a"), same[i]), ds_scratch_read(path_in("b"), same[i])),
            "%s differs", same[i]);
    char *sa = ds_scratch_read(path_in("a"), "summary.csv"),
         *sb = ds_scratch_read(path_in("b"), "summary.csv");
    const char *wall[] = {"wall_seconds", "requests_per_wall_second"};
    for (int i = 0; i < 2; i++) {
        blank_column(sa, wall[i]);
        blank_column(sb, wall[i]);
    }
    ck_assert_str_eq(sa, sb);
    /* config.txt loads again, as a cache-only run */
    char conf[300];
    snprintf(conf, sizeof conf, "%s/config.txt", path_in("a"));
    const char *again[] = {"--config", conf, NULL};
    ds_replay_result r = run(t, "c", again);
    ds_replay_result a = run(t, "a", flags);
    ck_assert_uint_eq(r.stats.hits, a.stats.hits);
    ck_assert_str_eq(ds_scratch_read(path_in("a"), "config.txt"),
                     ds_scratch_read(path_in("c"), "config.txt"));
}
END_TEST

/* The path stays valid until the next write_text. */
static const char *write_text(const char *name, const char *text) {
    static char p[256];
    snprintf(p, sizeof p, "%s", ds_scratch_write(tmpdir, name, text));
    return p;
}

/* GET a: miss; GET a: hit; DEL a; GET a: absent (the origin forgot it); SET a; GET a: hit;
 * MGET a b: a hit, b miss; EXEC c: GET c misses, then SET c; GET c: hit. */
static const char writes[] = "time_us,client,op,key,size,ttl_s\n"
                             "0,0,GET,a,10,0\n"
                             "1,0,GET,a,10,0\n"
                             "2,0,DEL,a,0,0\n"
                             "3,0,GET,a,10,0\n"
                             "4,0,SET,a,20,0\n"
                             "5,0,GET,a,0,0\n"
                             "6,0,MGET,a b,0,0\n"
                             "7,0,EXEC,c,30,0\n"
                             "8,1,GET,c,0,0\n";

START_TEST(test_writes_deletes_and_multi_key_commands) {
    const char *t = write_text("w.csv", writes);
    const char *flags[] = {"--cache-only", NULL};
    ds_replay_result r = run(t, "w", flags);
    ck_assert_uint_eq(r.requests, 9);
    ck_assert_uint_eq(r.stats.gets, 5);
    ck_assert_uint_eq(r.stats.sets, 1);
    ck_assert_uint_eq(r.stats.dels, 1);
    ck_assert_uint_eq(r.stats.mgets, 1);
    ck_assert_uint_eq(r.stats.execs, 1);
    ck_assert_uint_eq(r.stats.hits, 4);     /* GET a, GET a after SET, MGET's a, GET c */
    ck_assert_uint_eq(r.stats.misses, 3);   /* first GET a, MGET's b, EXEC's c */
    ck_assert_uint_eq(r.stats.neg_hits, 1); /* GET a after DEL */
    ck_assert_uint_eq(r.stats.disk_loads, 3);
    ck_assert_uint_eq(r.stats.keys, 3);
    /* a, 20 bytes (the SET); b and c loaded with the record's size (0 and 30, then c's SET) */
    size_t oh = ds_cache_entry_overhead_bytes();
    ck_assert_uint_eq(r.stats.used_memory_bytes, (1 + 20) + (1 + 0) + (1 + 30) + 3 * oh);
    const char *off[] = {"--cache-only", "--negcache", "off", NULL};
    r = run(t, "w2", off);
    ck_assert_uint_eq(r.stats.neg_hits, 0);
    ck_assert_uint_eq(r.stats.misses, 4); /* the load after DEL finds nothing */
    ck_assert_uint_eq(r.stats.disk_loads, 4);
}
END_TEST

/* The library API of README "Using the library", and a SET larger than the memory limit
 * (counted as an error, nothing changes). */
START_TEST(test_the_library_api_as_the_readme_shows_it) {
    ds_config cfg;
    ds_config_default(&cfg);
    ck_assert_int_eq(ds_config_set(&cfg, "cache-max-memory", "1kb", NULL), DS_OK);
    ds_simcache *sim = ds_simcache_new(&cfg, NULL);
    ck_assert_ptr_nonnull(sim);
    ds_simreq reqs[3] = {{.key = "a", .len = 1, .op = DS_OP_GET, .size = 100},
                         {.key = "a", .len = 1, .op = DS_OP_GET, .size = 100},
                         {.key = "b", .len = 1, .op = DS_OP_SET, .size = 4096}};
    ds_simcache_run(sim, reqs, 3);
    ck_assert_uint_eq(reqs[0].hash, ds_simcache_hash(sim, "a", 1)); /* carried, not recomputed */
    ds_stats st;
    uint64_t errors;
    ds_simcache_stats(sim, &st, &errors);
    ck_assert_uint_eq(st.misses, 1);
    ck_assert_uint_eq(st.hits, 1);
    ck_assert_uint_eq(st.sets, 1);
    ck_assert_uint_eq(errors, 1);
    ck_assert_uint_eq(st.keys, 1);
    ck_assert_uint_eq(st.used_memory_bytes, 1 + 100 + ds_cache_entry_overhead_bytes());
    ds_key k = {"a", 1};
    ck_assert_int_eq(ds_simcache_cmd(sim, DS_OP_DEL, &k, 1, 0, 0), DS_OK);
    ck_assert_int_eq(ds_simcache_cmd(sim, DS_OP__COUNT, &k, 1, 0, 0), DS_ERR_ARG);
    ds_simcache_stats(sim, &st, NULL);
    ck_assert_uint_eq(st.keys, 0);
    ck_assert_uint_eq(st.used_memory_bytes, 0);
    ds_simcache_free(sim);
}
END_TEST

/* The bulk reader reports a truncated last record as the record reader does (FILE:N), and an
 * empty trace is refused as the full engine refuses it. */
START_TEST(test_a_truncated_trace_is_an_error_naming_the_record) {
    static char p[256];
    snprintf(p, sizeof p, "%s", path_in("cut.oracleGeneral.bin"));
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    unsigned char rec[24] = {0};
    for (int i = 0; i < 2; i++) {
        put_le(rec + 4, 7 + i, 8);
        ck_assert_uint_eq(fwrite(rec, 1, sizeof rec, f), sizeof rec);
    }
    ck_assert_uint_eq(fwrite(rec, 1, 10, f), 10);
    fclose(f);
    ds_replay_opts *o;
    ds_err err;
    const char *flags[] = {"--cache-only", NULL};
    ck_assert_int_eq(ds_test_replay_parse(p, flags, path_in("cut"), &o, &err), DS_OK);
    ds_replay_result res;
    ck_assert_int_eq(ds_replay_run(o, &res, &err), DS_ERR_ARG); /* exit 2, as the full engine */
    char want[320];
    snprintf(want, sizeof want, "%s:3: truncated record", p);
    ck_assert_msg(!strncmp(err.msg, want, strlen(want)), "got '%s'", err.msg);
    f = fopen(p, "wb"); /* empty: the full engine's message */
    fclose(f);
    ck_assert_int_eq(ds_replay_run(o, &res, &err), DS_ERR_ARG);
    snprintf(want, sizeof want, "%s:1: no requests", p);
    ck_assert_msg(!strncmp(err.msg, want, strlen(want)), "got '%s'", err.msg);
}
END_TEST

START_TEST(test_options_it_cannot_honour_are_refused_in_one_line) {
    ds_replay_opts *o;
    ds_err err;
    static const struct {
        const char *flag, *value, *msg;
    } bad[] = {
        {"--clock", "real", "--clock: real makes no sense with --cache-only (there is no clock)"},
        {"--io-threads", "8", "--io-threads: 8 makes no sense with --cache-only"},
        {"--latency", "uniform:1:2", "--latency: uniform:1:2 makes no sense with --cache-only"},
        {"--faults", "err=0.1", "--faults: err=0.1 makes no sense with --cache-only"},
        {"--speed", "max", "--speed: max makes no sense with --cache-only"},
        {"--oracle", "on", NULL}, /* the default: accepted, and off in the run */
        {"--evict-at", "cron", NULL},
        {"--cache-flush-delay", "5", "--cache-flush-delay: 5 makes no sense with --cache-only"},
        {"--no-origin", NULL, "--origin: off makes no sense with --cache-only"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *flags[] = {"--cache-only", bad[i].flag, bad[i].value, NULL};
        ds_status st = ds_test_replay_parse("t.csv", flags, path_in("x"), &o, &err);
        if (!bad[i].msg) {
            ck_assert_msg(st == DS_OK, "%s: %s", bad[i].flag, err.msg);
            ck_assert(!o->oracle && o->core.evict_at == DS_EVICT_AT_INSERT);
            continue;
        }
        ck_assert_int_eq(st, DS_ERR_CONFIG);
        ck_assert_msg(!strncmp(err.msg, bad[i].msg, strlen(bad[i].msg)), "got '%s'", err.msg);
        ck_assert_ptr_null(strchr(err.msg, '\n'));
    }
    /* the issue's exact-mode command line with --cache-only appended runs as is */
    const char *issue[] = {"--origin", "--evict",     "lru-exact",    "--cache-max-keys",
                           "100",      "--evict-at",  "insert",       "--latency",
                           "fixed:0",  "--no-oracle", "--cache-only", NULL};
    ck_assert_msg(ds_test_replay_parse("t.csv", issue, path_in("x"), &o, &err) == DS_OK, "%s",
                  err.msg);
    ck_assert(o->cache_only);
}
END_TEST

int main(void) {
    Suite *s = suite_create("cacheonly");
    TCase *tc = tcase_create("cacheonly");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_every_policy_equals_the_full_engine_on_a_generated_trace);
    tcase_add_test(tc, test_writes_equal_the_full_engine_when_saves_land_at_once);
    tcase_add_test(tc, test_a_second_run_is_byte_identical);
    tcase_add_test(tc, test_writes_deletes_and_multi_key_commands);
    tcase_add_test(tc, test_options_it_cannot_honour_are_refused_in_one_line);
    tcase_add_test(tc, test_a_truncated_trace_is_an_error_naming_the_record);
    tcase_add_test(tc, test_the_library_api_as_the_readme_shows_it);
    if (ds_sample_or_skip("cloudPhysicsIO.oracleGeneral.bin",
                          "test_every_policy_equals_the_full_engine_on_the_public_sample"))
        tcase_add_test(tc, test_every_policy_equals_the_full_engine_on_the_public_sample);
    suite_add_tcase(s, tc);
    return ds_test_run(s);
}
