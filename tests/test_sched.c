/*
 * test_sched.c - the IO scheduler alone, through its environment (core/iosched.h): no cache,
 * no keyspace. The test owns the clock, the config, the stats and the values SAVEs take, and
 * completes jobs itself the way cache_io.c does.
 *
 * What is pinned: the safety rules hold under every policy (no two jobs on one key, rule 4's
 * guard, max-io-jobs, flag transitions), each policy's order, the policy seam (version check,
 * parameters, a toy policy registered from this file), and that the seed's order is exactly
 * the one dslab always had.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iosched.h"
#include "testhost.h"
#include "testmain.h"

#define SH_MAX_JOBS 64

typedef struct sh {
    ds_sched s;
    ds_config cfg;
    ds_stats st;
    ds_err err;
    int64_t now_us;
    int ready_calls;
    ds_value *val; /* what the next SAVE takes (NULL = delete) */
    ds_job *jobs[SH_MAX_JOBS];
    int njobs;
} sh;

static int64_t sh_now(void *ctx) { return ((sh *)ctx)->now_us; }
static void sh_ready(void *ctx) { ((sh *)ctx)->ready_calls++; }
static ds_value *sh_save_value(void *ctx, const ds_ioent *io) {
    (void)io;
    return ds_value_ref(((sh *)ctx)->val);
}

static ds_status sh_open_p(sh *h, const char *policy, const char *params) {
    memset(h, 0, sizeof *h);
    ds_config_default(&h->cfg);
    h->cfg.max_io_jobs = 4;
    ds_sched_env env = {.ctx = h,
                        .now_us = sh_now,
                        .now_ctx = h,
                        .jobs_ready = sh_ready,
                        .save_value = sh_save_value,
                        .cfg = &h->cfg,
                        .st = &h->st,
                        .err = &h->err};
    const ds_sched_policy *p = policy ? ds_sched_policy_find(policy, strlen(policy)) : NULL;
    ck_assert_msg(!policy || p, "no policy %s", policy);
    return ds_sched_init(&h->s, &env, p, params, 42);
}

static void sh_open(sh *h, const char *policy) {
    ds_status st = sh_open_p(h, policy, "");
    ck_assert_msg(st == DS_OK, "%s", h->err.msg);
}

static void sh_close(sh *h) {
    ds_sched_free(&h->s);
    ds_value_unref(h->val);
}

static ds_ioent *io_of(sh *h, const char *k) {
    uint32_t len = (uint32_t)strlen(k);
    ds_ioent *io = ds_sched_get(&h->s, ds_table_hash(&h->s.tab, k, len), k, len, NULL);
    ck_assert_ptr_nonnull(io);
    return io;
}

static void load(sh *h, const char *k) { ds_sched_schedule_load(&h->s, io_of(h, k)); }
/* A write now: its SAVE is due after the flush delay (ms). */
static void save(sh *h, const char *k, int64_t delay_ms) {
    ds_sched_schedule_save(&h->s, io_of(h, k), h->now_us + delay_ms * 1000);
}

/* The queue, head first, as "L:a S:b ...". */
static const char *queue_str(sh *h) {
    static char buf[512];
    size_t n = 0;
    buf[0] = 0;
    for (const ds_qop *op = h->s.q.head; op && n < sizeof buf - 80; op = op->next)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%c:%.*s", n ? " " : "",
                              op->type == OPQ_LOAD ? 'L' : 'S', (int)op->io->node.keylen,
                              op->io->key);
    return buf;
}

/* Pump and take every new job; returns them as "L:a S:b ..." in push order. */
static const char *pump(sh *h, bool asap) {
    static char buf[512];
    ds_sched_pump(&h->s, asap);
    size_t n = 0;
    buf[0] = 0;
    for (ds_job *j; (j = ds_sched_take(&h->s));) {
        ck_assert_int_lt(h->njobs, SH_MAX_JOBS);
        h->jobs[h->njobs++] = j;
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%c:%.*s", n ? " " : "",
                              j->type == DS_JOB_LOAD ? 'L' : 'S', (int)j->keylen,
                              (const char *)j->key);
    }
    return buf;
}

/* Complete the taken job on key k (first match) as cache_io.c does. */
static void done(sh *h, const char *k) {
    int i = 0;
    while (i < h->njobs &&
           (h->jobs[i]->keylen != strlen(k) || memcmp(h->jobs[i]->key, k, strlen(k))))
        i++;
    ck_assert_msg(i < h->njobs, "no job on %s", k);
    ds_job *j = h->jobs[i];
    memmove(&h->jobs[i], &h->jobs[i + 1], (size_t)(h->njobs - i - 1) * sizeof *h->jobs);
    h->njobs--;
    ck_assert_int_eq(ds_sched_finish(&h->s, j), DS_OK);
    ds_ioent *io = j->ioent;
    if (j->type == DS_JOB_LOAD) {
        ds_sched_flag_move(&h->s, io, DS_FLAG_LOADINPROG, 0);
    } else {
        if (--io->saves_inflight == 0) ds_sched_flag_move(&h->s, io, DS_FLAG_SAVEINPROG, 0);
        ds_sched_unblocked(&h->s, io);
    }
    ds_value_unref(j->value);
    ds_sched_job_free(&h->s, j);
    if (ds_sched_idle(io)) ds_sched_release(&h->s, io);
}

/* ---- the seed's order (io-policy=seed, the default) ---- */

START_TEST(test_seed_loads_go_first_newest_first) {
    sh h;
    sh_open(&h, "seed");
    save(&h, "a", 0);
    load(&h, "b");
    load(&h, "c");
    ck_assert_str_eq(queue_str(&h), "L:c L:b S:a");
    ck_assert_str_eq(pump(&h, false), "L:c L:b S:a");
    ck_assert_int_eq(h.ready_calls, 1);
    ck_assert_uint_eq(h.s.queued, 0);
    sh_close(&h);
}
END_TEST

START_TEST(test_seed_stops_at_first_young_save) {
    sh h;
    sh_open(&h, "seed");
    save(&h, "a", 1000);
    load(&h, "b");
    ck_assert_str_eq(pump(&h, false), "L:b");
    save(&h, "d", 0); /* due before a: joins ahead of it */
    ck_assert_str_eq(queue_str(&h), "S:d S:a");
    ck_assert_str_eq(pump(&h, false), "S:d");
    h.now_us += 999 * 1000;
    ck_assert_str_eq(pump(&h, false), "");
    h.now_us += 1000;
    ck_assert_str_eq(pump(&h, false), "S:a");
    ck_assert_uint_eq(h.st.asap_pushes, 0);
    sh_close(&h);
}
END_TEST

START_TEST(test_seed_load_queues_behind_its_save_then_moves_to_head) {
    sh h;
    sh_open(&h, "seed");
    save(&h, "k", 1000);
    save(&h, "z", 1000);
    load(&h, "k");
    load(&h, "x");
    ck_assert_str_eq(queue_str(&h), "L:x S:k S:z L:k");
    ck_assert_str_eq(pump(&h, false), "L:x");
    h.now_us += 1000 * 1000;
    ck_assert_str_eq(pump(&h, false), "S:k S:z"); /* L:k held by rule 4's guard */
    ck_assert_str_eq(queue_str(&h), "L:k");
    done(&h, "k");
    ck_assert_str_eq(pump(&h, false), "L:k");
    sh_close(&h);
}
END_TEST

START_TEST(test_asap_pushes_young_saves_and_counts_them) {
    sh h;
    sh_open(&h, NULL);
    save(&h, "a", 1000);
    save(&h, "b", 0);
    ck_assert_str_eq(pump(&h, true), "S:b S:a");
    ck_assert_uint_eq(h.st.asap_pushes, 1);
    sh_close(&h);
}
END_TEST

START_TEST(test_save_takes_the_value_current_at_push_time) {
    sh h;
    sh_open(&h, NULL);
    h.val = ds_value_new("v1", 2, 0, 0);
    save(&h, "k", 0);
    ds_value_unref(h.val);
    h.val = ds_value_new("v2", 2, 0, 0);
    save(&h, "k", 0); /* coalesced */
    ck_assert_uint_eq(h.st.saves_coalesced, 1);
    ck_assert_str_eq(pump(&h, false), "S:k");
    ck_assert_ptr_eq(h.jobs[0]->value, h.val);
    done(&h, "k");
    sh_close(&h);
}
END_TEST

/* ---- safety rules, under every policy in the table ---- */

static const char *policy_i(int i) { return ds_sched_policy_at((size_t)i)->name; }

START_TEST(test_load_never_overtakes_its_save) {
    sh h;
    sh_open(&h, policy_i(_i));
    save(&h, "k", 1000);
    load(&h, "k");
    ck_assert_str_eq(pump(&h, false), "");
    h.now_us += 1000 * 1000;
    ck_assert_str_eq(pump(&h, false), "S:k");
    ck_assert_str_eq(pump(&h, false), ""); /* SAVEINPROG */
    ck_assert_uint_eq(ds_sched_in_flight(&h.s), 1);
    done(&h, "k");
    ck_assert_str_eq(pump(&h, false), "L:k");
    done(&h, "k");
    ck_assert_uint_eq(h.s.tab.count, 0);
    sh_close(&h);
}
END_TEST

/* The guard alone (the seed also keeps the LOAD behind the SAVE by position): with the guard
 * off, the LOAD goes while its key's SAVE is still queued. */
START_TEST(test_always_head_turns_the_guard_off) {
    sh h;
    sh_open(&h, policy_i(_i));
    h.cfg.load_priority = DS_LOAD_ALWAYS_HEAD;
    save(&h, "k", 1000);
    load(&h, "k");
    ck_assert_str_eq(pump(&h, false), "L:k");
    ck_assert_uint_eq(h.s.queued, 1);
    sh_close(&h);
}
END_TEST

START_TEST(test_no_two_jobs_on_one_key) {
    sh h;
    sh_open(&h, policy_i(_i));
    save(&h, "k", 0);
    ck_assert_str_eq(pump(&h, false), "S:k");
    save(&h, "k", 0); /* a new SAVE while the first is in flight */
    load(&h, "j");
    ck_assert_str_eq(pump(&h, false), "L:j");
    ck_assert_uint_eq(h.s.queued, 1);
    done(&h, "k");
    ck_assert_str_eq(pump(&h, false), "S:k");
    h.cfg.concurrent_saves = true; /* the toggle lets a SAVE join a SAVE */
    save(&h, "k", 0);
    ck_assert_str_eq(pump(&h, false), "S:k");
    ck_assert_uint_eq(io_of(&h, "k")->saves_inflight, 2);
    sh_close(&h);
}
END_TEST

START_TEST(test_max_io_jobs_bounds_jobs_in_flight) {
    sh h;
    sh_open(&h, policy_i(_i));
    const char *keys[] = {"a", "b", "c", "d", "e", "f"};
    for (int i = 0; i < 6; i++)
        load(&h, keys[i]);
    pump(&h, false);
    ck_assert_uint_eq(ds_sched_in_flight(&h.s), 4);
    ck_assert_uint_eq(h.s.queued, 2);
    char k0[8];
    snprintf(k0, sizeof k0, "%.*s", (int)h.jobs[0]->keylen, (const char *)h.jobs[0]->key);
    done(&h, k0);
    pump(&h, true);
    ck_assert_uint_eq(ds_sched_in_flight(&h.s), 4);
    ck_assert_int_eq(h.ready_calls, 2);
    sh_close(&h);
}
END_TEST

/* ---- each policy's order ---- */

/* One job at a time: pump, complete, repeat, until nothing more goes now. Returns the order. */
static const char *serve(sh *h) {
    static char out[512];
    size_t n = 0;
    out[0] = 0;
    h->cfg.max_io_jobs = 1;
    for (int guard = 0; guard < 100; guard++) {
        const char *got = pump(h, false);
        if (!*got) break;
        n += (size_t)snprintf(out + n, sizeof out - n, "%s%s", n ? " " : "", got);
        char k[16];
        snprintf(k, sizeof k, "%s", got + 2);
        done(h, k);
    }
    return out;
}

/* Two due SAVEs, then a LOAD. */
static const char *due_saves_then_load(const char *policy) {
    static sh h;
    sh_open(&h, policy);
    save(&h, "a", 0);
    save(&h, "b", 0);
    load(&h, "c");
    static char out[128];
    snprintf(out, sizeof out, "%s", serve(&h));
    sh_close(&h);
    return out;
}

START_TEST(test_order_of_due_saves_and_a_load) {
    ck_assert_str_eq(due_saves_then_load("seed"), "L:c S:a S:b");
    ck_assert_str_eq(due_saves_then_load("fifo"), "S:a S:b L:c");
    ck_assert_str_eq(due_saves_then_load("loads-first"), "L:c S:a S:b");
    ck_assert_str_eq(due_saves_then_load("edf"), "L:c S:a S:b");
}
END_TEST

/* A SAVE due for 2 s, then a fresh LOAD: edf serves the overdue SAVE first (its deadline,
 * due + 1000 ms, passed), loads-first and the seed serve the LOAD. */
static const char *overdue_save_then_load(const char *policy) {
    static sh h;
    sh_open(&h, policy);
    save(&h, "a", 1000);
    h.now_us += 3000 * 1000;
    load(&h, "c");
    static char out[128];
    snprintf(out, sizeof out, "%s", serve(&h));
    sh_close(&h);
    return out;
}

START_TEST(test_edf_lets_an_overdue_save_overtake_a_load) {
    ck_assert_str_eq(overdue_save_then_load("edf"), "S:a L:c");
    ck_assert_str_eq(overdue_save_then_load("loads-first"), "L:c S:a");
    ck_assert_str_eq(overdue_save_then_load("seed"), "L:c S:a");
    ck_assert_str_eq(overdue_save_then_load("fifo"), "S:a L:c"); /* ready 2 s earlier */
}
END_TEST

START_TEST(test_fifo_orders_by_ready_time_and_holds_young_saves) {
    sh h;
    sh_open(&h, "fifo");
    save(&h, "a", 1000); /* ready at 1 s */
    h.now_us += 500 * 1000;
    save(&h, "b", 0); /* ready at 0.5 s */
    load(&h, "c");
    ck_assert_uint_eq(h.s.held.count, 1);
    ck_assert_uint_eq(h.s.queued, 3);
    ck_assert_str_eq(queue_str(&h), "S:b L:c");
    ck_assert_str_eq(serve(&h), "S:b L:c");
    h.now_us += 500 * 1000;
    ck_assert_str_eq(serve(&h), "S:a");
    ck_assert_uint_eq(h.s.queued, 0);
    sh_close(&h);
}
END_TEST

/* ASAP (drain, memory pressure): held SAVEs go in due order once the ready queue is served. */
START_TEST(test_asap_takes_held_saves_in_due_order_after_ready_ops) {
    sh h;
    sh_open(&h, policy_i(_i + 1)); /* the policies that hold SAVEs */
    ck_assert(h.s.pol->hold_saves);
    save(&h, "b", 2000);
    save(&h, "a", 1000);
    load(&h, "c");
    ck_assert_str_eq(pump(&h, true), "L:c S:a S:b");
    ck_assert_uint_eq(h.st.asap_pushes, 2);
    ck_assert_uint_eq(h.s.queued, 0);
    sh_close(&h);
}
END_TEST

START_TEST(test_loads_first_keeps_arrival_order_among_loads) {
    sh h;
    sh_open(&h, "loads-first");
    save(&h, "s", 0);
    load(&h, "a");
    load(&h, "b");
    save(&h, "t", 0);
    load(&h, "c");
    ck_assert_str_eq(queue_str(&h), "L:a L:b L:c S:s S:t");
    sh_close(&h);
}
END_TEST

START_TEST(test_edf_parameters) {
    sh h;
    ck_assert_int_eq(sh_open_p(&h, "edf", "load-ms=0,save-ms=0"), DS_OK);
    save(&h, "a", 0);
    h.now_us += 1;
    load(&h, "c"); /* deadline now: after the SAVE's (due + 0) */
    ck_assert_str_eq(queue_str(&h), "S:a L:c");
    sh_close(&h);
    const char *bad[] = {"load-ms", "load-ms=-1", "load-ms=x", "nope=1", "save-ms=99999999999"};
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(sh_open_p(&h, "edf", bad[i]), DS_ERR_CONFIG);
        ck_assert_ptr_nonnull(strstr(h.err.msg, "edf"));
        ds_sched_free(&h.s);
    }
    ds_config cfg;
    ds_config_default(&cfg);
    ds_err e;
    ck_assert_int_eq(ds_config_set(&cfg, "io-policy", "edf:load-ms=2", &e), DS_OK);
    ck_assert_str_eq(cfg.io_policy, "edf:load-ms=2");
    ck_assert_int_eq(ds_config_set(&cfg, "io-policy", "edf:load=2", &e), DS_ERR_CONFIG);
    ck_assert_str_eq(cfg.io_policy, "edf:load-ms=2");
}
END_TEST

/* ---- flag transitions ---- */

/* Every live ioent is found by its key, and a key without one finds none, however many live
 * and in whatever order they come and go: the flag table must not depend on how it finds
 * them (a scan of a few, a table of many). Ends with a few live: freeing the scheduler frees
 * them (the sanitizer builds see a leak). */
static void check_ioents(sh *h, ds_ioent **ios, int n) {
    char k[16];
    uint64_t live = 0;
    for (int j = 0; j < n; j++) {
        snprintf(k, sizeof k, "key%d", j);
        uint32_t len = (uint32_t)strlen(k);
        ck_assert_ptr_eq(ds_sched_find(&h->s, ds_table_hash(&h->s.tab, k, len), k, len), ios[j]);
        live += ios[j] != NULL;
    }
    ck_assert_uint_eq(ds_sched_count(&h->s), live);
}

START_TEST(test_every_live_ioent_is_found_by_its_key) {
    enum { N = 40 };
    static const int targets[] = {3, 8, 9, 7, 10, 0, 1, 12, 40, 2, 9, 8, 20, 0, 5};
    sh h;
    sh_open(&h, NULL);
    ds_ioent *ios[N] = {0};
    int live = 0;
    uint64_t r = 12345;
    char k[16];
    for (size_t t = 0; t < sizeof targets / sizeof *targets; t++) {
        while (live != targets[t]) {
            r = r * 6364136223846793005ull + 1442695040888963407ull;
            int i = (int)((r >> 33) % N);
            if ((ios[i] != NULL) != (live > targets[t])) continue; /* create below, release above */
            snprintf(k, sizeof k, "key%d", i);
            uint32_t len = (uint32_t)strlen(k);
            if (ios[i]) {
                ds_sched_release(&h.s, ios[i]);
                ios[i] = NULL;
                live--;
            } else {
                bool created = false;
                ios[i] = ds_sched_get(&h.s, ds_table_hash(&h.s.tab, k, len), k, len, &created);
                ck_assert(created && ios[i] != NULL);
                live++;
            }
            check_ioents(&h, ios, N);
        }
    }
    sh_close(&h);
}
END_TEST

START_TEST(test_checked_flags_report_misuse) {
    sh h;
    sh_open(&h, NULL);
    ds_ioent *io = io_of(&h, "fk");
    ck_assert_int_eq(ds_sched_flag_set(&h.s, io, DS_FLAG_SAVE), DS_OK);
    ck_assert_int_eq(ds_sched_flag_set(&h.s, io, DS_FLAG_SAVE), DS_ERR_FLAGS);
    ck_assert_ptr_nonnull(strstr(h.err.msg, "setting SAVE on key 'fk'"));
    ck_assert_int_eq(ds_sched_flag_clear(&h.s, io, DS_FLAG_LOAD), DS_ERR_FLAGS);
    ck_assert_uint_eq(h.st.flag_errors, 2);
    ck_assert_uint_eq(h.st.invariant_errors, 0); /* the checked API is not an invariant */
    ck_assert_int_eq(ds_sched_flag_clear(&h.s, io, DS_FLAG_SAVE), DS_OK);
    ds_sched_release(&h.s, io);
    sh_close(&h);
}
END_TEST

/* An internal transition that fails is a broken core: debug builds abort, release builds
 * count it and force the intended state. */
START_TEST(test_internal_flag_transition_failure_asserts_or_counts) {
    sh h;
    sh_open(&h, NULL);
    ds_ioent *io = io_of(&h, "k");
    ds_sched_flag_move(&h.s, io, DS_FLAG_LOADINPROG, 0); /* not set: aborts under assert */
    ck_assert_uint_eq(h.st.invariant_errors, 1);
    ck_assert_uint_eq(io->flags, 0);
    sh_close(&h);
}
END_TEST

/* ---- the seam ---- */

static void lifo_enqueue(ds_sched_q *q, ds_qop *op, bool wait_for_save) {
    (void)wait_for_save;
    ds_sq_push_head(q, op);
}

/* A toy policy registered from this file: newest op first, nothing else. */
static const ds_sched_policy toy_lifo = {
    .version = DS_SCHED_POLICY_VERSION,
    .name = "toy-lifo",
    .help = "newest first",
    .enqueue = lifo_enqueue,
};

START_TEST(test_toy_policy_orders_and_safety_still_holds) {
    sh h;
    memset(&h, 0, sizeof h);
    ck_assert_int_eq(sh_open_p(&h, NULL, ""), DS_OK);
    ds_sched_free(&h.s);
    ds_sched_env env = h.s.env;
    ck_assert_int_eq(ds_sched_init(&h.s, &env, &toy_lifo, "", 1), DS_OK);
    load(&h, "a");
    save(&h, "b", 0);
    load(&h, "c");
    save(&h, "c", 1000); /* young: the default step skips it */
    ck_assert_str_eq(queue_str(&h), "S:c L:c S:b L:a");
    /* S:c is young (skipped), L:c waits for its key's SAVE (guard), the rest go newest first */
    ck_assert_str_eq(pump(&h, false), "S:b L:a");
    sh_close(&h);
}
END_TEST

START_TEST(test_policy_version_is_checked) {
    sh h;
    ck_assert_int_eq(sh_open_p(&h, NULL, ""), DS_OK);
    ds_sched_free(&h.s);
    ds_sched_env env = h.s.env;
    ds_sched_policy old = toy_lifo;
    old.version = DS_SCHED_POLICY_VERSION + 1;
    ck_assert_int_eq(ds_sched_init(&h.s, &env, &old, "", 1), DS_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(h.err.msg, "toy-lifo"));
    ck_assert_ptr_nonnull(strstr(h.err.msg, "version"));
    ds_sched_free(&h.s);
}
END_TEST

START_TEST(test_policy_parameters_are_checked) {
    sh h;
    ck_assert_int_eq(sh_open_p(&h, "seed", "depth=3"), DS_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(h.err.msg, "no parameters"));
    ds_sched_free(&h.s);
    ds_config cfg;
    ds_config_default(&cfg);
    ds_err e;
    ck_assert_str_eq(cfg.io_policy, "seed");
    ck_assert_int_eq(ds_config_set(&cfg, "io-policy", "nope", &e), DS_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(e.msg, "seed"));
    ck_assert_str_eq(cfg.io_policy, "seed");
    ck_assert_int_eq(ds_config_set(&cfg, "io-policy", "seed:x=1", &e), DS_ERR_CONFIG);
}
END_TEST

START_TEST(test_insert_sorted_is_stable_from_both_ends) {
    ds_sched_q q = {0};
    ds_qop ops[7] = {0};
    const int64_t keys[7] = {5, 1, 9, 5, 3, 9, 0};
    for (int i = 0; i < 7; i++)
        ds_sq_insert_sorted(&q, &ops[i], keys[i]);
    const int want[7] = {6, 1, 4, 0, 3, 2, 5};
    const ds_qop *op = q.head;
    for (int i = 0; i < 7; i++, op = op->next)
        ck_assert_ptr_eq(op, &ops[want[i]]);
    ck_assert_ptr_null(op);
    ck_assert_ptr_eq(q.tail, &ops[5]);
    ck_assert_uint_eq(q.count, 7);
}
END_TEST

/* The cache takes a policy that is not in the table through ds_config.io_policy_ops. */
START_TEST(test_cache_runs_a_toy_policy) {
    ds_config cfg = th_cfg(0);
    cfg.io_policy_ops = &toy_lifo;
    TH_OPEN(th, cfg);
    th_set_ok(th, 1, "a", "1");
    th_set_ok(th, 1, "b", "2");
    ck_assert_uint_eq(th_take_all(th), 2);
    ck_assert_ptr_nonnull(th_find(th, DS_JOB_SAVE, "a"));
    th_run_all(th);
    ck_assert_int_eq(ds_cache_drain(th->cache), DS_OK);
    ck_assert(th_disk_is(th, "a", "1") && th_disk_is(th, "b", "2"));
    const char *name = NULL;
    char buf[64] = "";
    for (size_t i = 0; ds_config_describe(&cfg, i, &name, buf, sizeof buf, NULL); i++)
        if (!strcmp(name, "io-policy")) break;
    ck_assert_str_eq(buf, "toy-lifo");
    th_fini(th);
}
END_TEST

static Suite *sched_suite(void) {
    Suite *s = suite_create("sched");
    TCase *tc = tcase_create("seed");
    tcase_add_test(tc, test_seed_loads_go_first_newest_first);
    tcase_add_test(tc, test_seed_stops_at_first_young_save);
    tcase_add_test(tc, test_seed_load_queues_behind_its_save_then_moves_to_head);
    tcase_add_test(tc, test_asap_pushes_young_saves_and_counts_them);
    tcase_add_test(tc, test_save_takes_the_value_current_at_push_time);
    suite_add_tcase(s, tc);
    int npol = 0;
    while (ds_sched_policy_at((size_t)npol))
        npol++;
    tc = tcase_create("safety_under_every_policy");
    tcase_add_loop_test(tc, test_load_never_overtakes_its_save, 0, npol);
    tcase_add_loop_test(tc, test_always_head_turns_the_guard_off, 0, npol);
    tcase_add_loop_test(tc, test_no_two_jobs_on_one_key, 0, npol);
    tcase_add_loop_test(tc, test_max_io_jobs_bounds_jobs_in_flight, 0, npol);
    suite_add_tcase(s, tc);
    tc = tcase_create("orders");
    tcase_add_test(tc, test_order_of_due_saves_and_a_load);
    tcase_add_test(tc, test_edf_lets_an_overdue_save_overtake_a_load);
    tcase_add_test(tc, test_fifo_orders_by_ready_time_and_holds_young_saves);
    tcase_add_test(tc, test_loads_first_keeps_arrival_order_among_loads);
    tcase_add_loop_test(tc, test_asap_takes_held_saves_in_due_order_after_ready_ops, 0, npol - 1);
    tcase_add_test(tc, test_edf_parameters);
    suite_add_tcase(s, tc);
    tc = tcase_create("flags");
    tcase_add_test(tc, test_checked_flags_report_misuse);
    tcase_add_test(tc, test_every_live_ioent_is_found_by_its_key);
#ifdef NDEBUG
    tcase_add_test(tc, test_internal_flag_transition_failure_asserts_or_counts);
#else
    tcase_add_test_raise_signal(tc, test_internal_flag_transition_failure_asserts_or_counts,
                                SIGABRT);
#endif
    suite_add_tcase(s, tc);
    tc = tcase_create("seam");
    tcase_add_test(tc, test_toy_policy_orders_and_safety_still_holds);
    tcase_add_test(tc, test_policy_version_is_checked);
    tcase_add_test(tc, test_policy_parameters_are_checked);
    tcase_add_test(tc, test_insert_sorted_is_stable_from_both_ends);
    tcase_add_test(tc, test_cache_runs_a_toy_policy);

    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return ds_test_run(sched_suite()); }
