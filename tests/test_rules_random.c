/*
 * test_rules_random.c - seeded random interleavings checked against a shadow of the writes.
 *
 * Why: the unit tests in test_rules*.c pin each rule in one hand-made interleaving; the races
 * the rules prevent (stale reads, lost writes) need several rules at once plus memory
 * pressure and an unlucky completion order. Here a seeded stream of SET/DEL/GET/cron runs on a
 * small cache with evictions, jobs complete in random order, every reply is compared with the
 * last acknowledged write (a stale read), and after the point-in-time drain the backend must
 * equal the shadow for every key (a lost write). With the default config and with negcache=off
 * alone both counts must be zero; with negcache=off plus load-priority=always-head (the combination
 * DESIGN.md names) the checker must see stale reads, which shows that it can.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testhost.h"

enum { NKEYS = 12, NOPS = 600, CLIENT0 = 1000 };

typedef struct model {
    char shadow[NKEYS][16];
    bool present[NKEYS];
    int client_key[NOPS];
    size_t seen;
    int stale, lost, same_key_jobs;
} model;

static void key_name(char *buf, size_t n, int i) { snprintf(buf, n, "k%02d", i); }

static bool matches(const model *m, int k, const ds_value *v) {
    return m->present[k] ? th_val_is(v, m->shadow[k]) : v == NULL;
}

/* Parked GETs answered since the last call: compare with the shadow now (no write happens
 * inside job_done, cron or drain, and replies delivered by an exec precede its write, so
 * "now" is the reply's time). */
static void check_replies(th_host *th, model *m) {
    for (; m->seen < th->nrecs; m->seen++) {
        const th_rec *rec = &th->recs[m->seen];
        ck_assert_uint_ge(rec->client, CLIENT0);
        ck_assert_int_eq(rec->r.status, DS_OK);
        int k = m->client_key[rec->client - CLIENT0];
        if (!matches(m, k, rec->r.values[0])) m->stale++;
    }
}

static void step_jobs(th_host *th, model *m, ds_rng *rng) {
    th_take_all(th);
    if (!th_jobs_distinct_keys(th)) m->same_key_jobs++;
    for (uint64_t n = ds_rng_below(rng, 3); n > 0 && th->njobs > 0; n--) {
        ck_assert_int_eq(th_run(th, th->jobs[ds_rng_below(rng, th->njobs)]), DS_OK);
        check_replies(th, m);
        th_take_all(th);
        if (!th_jobs_distinct_keys(th)) m->same_key_jobs++;
    }
}

static void one_op(th_host *th, model *m, ds_rng *rng, int op) {
    int k = (int)ds_rng_below(rng, NKEYS);
    uint64_t r = ds_rng_below(rng, 20), client = CLIENT0 + (uint64_t)op;
    char key[16];
    key_name(key, sizeof key, k);
    m->client_key[op] = k;
    /* A call into the cache may first answer commands that an earlier write made ready
     * (a cancelled queued LOAD); those answers precede this call's own effects, so they are
     * checked before the shadow takes this call's write. */
    if (r < 7) {
        char val[16];
        snprintf(val, sizeof val, "v%04d", op);
        th_set_ok(th, client, key, val);
        check_replies(th, m);
        memcpy(m->shadow[k], val, sizeof val);
        m->present[k] = true;
    } else if (r < 10) {
        ck_assert_int_eq(th_do(th, client, TH_DEL(th, key)), DS_OK);
        check_replies(th, m);
        m->present[k] = false;
    } else if (r < 18) {
        ds_status s = th_do(th, client, th_get(th, key));
        check_replies(th, m);
        ck_assert(s == DS_OK || s == DS_BLOCKED);
        if (s == DS_OK && !matches(m, k, th->last.values[0])) m->stale++;
    } else {
        th_advance_ms(th, (int64_t)ds_rng_below(rng, 50));
        ds_status s = ds_cache_cron(th->cache);
        ck_assert(s == DS_OK || s == DS_ERR_MEMORY);
        check_replies(th, m);
    }
}

static void run_random(ds_config cfg, uint64_t seed, model *m) {
    memset(m, 0, sizeof *m);
    cfg.flush_delay_ms = 30;
    cfg.max_io_jobs = 4;
    cfg.max_memory_bytes = 6 * th_entry_bytes("k00", 5);
    cfg.seed = seed;
    TH_OPEN(th, cfg);
    ds_rng rng;
    ds_rng_seed(&rng, seed);
    for (int op = 0; op < NOPS; op++) {
        one_op(th, m, &rng, op);
        step_jobs(th, m, &rng);
    }
    ck_assert_int_eq(ds_cache_drain(th->cache), DS_OK);
    check_replies(th, m);
    ck_assert_uint_eq(th_stats(th).blocked_clients, 0);
    ck_assert_uint_gt(th_stats(th).evictions, 0);
    for (int k = 0; k < NKEYS; k++) {
        char key[16];
        key_name(key, sizeof key, k);
        if (!th_disk_is(th, key, m->present[k] ? m->shadow[k] : NULL)) m->lost++;
    }
    th_fini(th);
}

START_TEST(test_default_config_never_reads_stale_or_loses_writes) {
    ds_config cfg;
    ds_config_default(&cfg);
    model m;
    run_random(cfg, 100 + (uint64_t)_i, &m);
    ck_assert_msg(m.stale == 0 && m.lost == 0 && m.same_key_jobs == 0,
                  "seed %d: stale %d, lost %d, same-key jobs %d", 100 + _i, m.stale, m.lost,
                  m.same_key_jobs);
}
END_TEST

START_TEST(test_negcache_off_alone_is_safe) {
    ds_config cfg;
    ds_config_default(&cfg);
    cfg.negcache = false;
    model m;
    run_random(cfg, 200 + (uint64_t)_i, &m);
    ck_assert_msg(m.stale == 0 && m.lost == 0, "seed %d: stale %d, lost %d", 200 + _i, m.stale,
                  m.lost);
}
END_TEST

START_TEST(test_checker_sees_stale_reads_with_negcache_off_and_always_head) {
    ds_config cfg;
    ds_config_default(&cfg);
    cfg.negcache = false;
    cfg.load_priority = DS_LOAD_ALWAYS_HEAD;
    int stale = 0;
    for (uint64_t seed = 300; seed < 308; seed++) {
        model m;
        run_random(cfg, seed, &m);
        stale += m.stale;
    }
    ck_assert_msg(stale > 0, "no stale read in 8 seeds: the checker or the toggle is broken");
}
END_TEST

static Suite *random_suite(void) {
    Suite *s = suite_create("rules_random");
    TCase *tc = tcase_create("shadow");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_default_config_never_reads_stale_or_loses_writes, 0, 8);
    tcase_add_loop_test(tc, test_negcache_off_alone_is_safe, 0, 8);
    tcase_add_test(tc, test_checker_sees_stale_reads_with_negcache_off_and_always_head);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(random_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
