/*
 * test_evict_zoo.c - the rules of each built-in eviction policy on scripts small enough to
 * follow by hand, and what every policy must share: busy keys are never victims, a run is
 * determined by its seed, the key limit holds.
 *
 * Why: the libCacheSim table (test_evict_libcachesim.c) proves the policies agree with a
 * reference on one trace; these pin the rule itself (a FIFO ignores hits, CLOCK gives a second
 * chance, LFU breaks ties by age, S3-FIFO sends one-hit wonders through the ghost queue, Belady
 * reads the hint) so a failure names the rule that broke, and they run where the sample is not.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"
#include "replayrun.h"
#include "scratch.h"
#include "testhost.h"
#include "testmain.h"

/* Run a script with cache-max-keys `cap`, evict-at insert, every SAVE completed at once:
 * "a" SETs key a, "+a" GETs it (a hit), "a@7" SETs a with next access 7 ("a@-" never).
 * Returns the keys present at the end, sorted, as one string. */
static void run_script(const char *policy, uint64_t cap, const char *script, char *out,
                       size_t outcap) {
    ds_config cfg = th_cfg(0);
    ds_err err = {{0}};
    ck_assert_msg(ds_config_set(&cfg, "evict", policy, &err) == DS_OK, "%s", err.msg);
    cfg.max_keys = cap;
    cfg.evict_at = DS_EVICT_AT_INSERT;
    TH_OPEN(th, cfg);
    char buf[512];
    snprintf(buf, sizeof buf, "%s", script);
    for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " ")) {
        char key[2] = {tok[0] == '+' ? tok[1] : tok[0], 0};
        const char *at = strchr(tok, '@');
        int64_t next = !at            ? DS_NEXT_ACCESS_UNKNOWN
                       : at[1] == '-' ? DS_NEXT_ACCESS_NEVER
                                      : strtoll(at + 1, NULL, 10);
        ds_cmd cmd = tok[0] == '+' ? *th_get(th, key) : *th_setv(th, key, th_valx(th, key, 8, 0));
        cmd.next_access = next;
        ck_assert_int_eq(th_do(th, 1, &cmd), DS_OK);
        th_run_all(th);
    }
    size_t n = 0;
    for (char k = 'a'; k <= 'z' && n + 1 < outcap; k++) {
        char key[2] = {k, 0};
        if (th_peek(th, key)) out[n++] = k;
    }
    out[n] = '\0';
    ck_assert_uint_le(th_stats(th).keys, cap);
    th_fini(th);
}

static void expect(const char *policy, uint64_t cap, const char *script, const char *want) {
    char got[32];
    run_script(policy, cap, script, got, sizeof got);
    ck_assert_msg(!strcmp(got, want), "%s cap %llu [%s]: kept %s, want %s", policy,
                  (unsigned long long)cap, script, got, want);
}

START_TEST(test_lru_exact_keeps_the_recently_used) { expect("lru-exact", 3, "a b c +a d", "acd"); }
END_TEST

START_TEST(test_fifo_ignores_hits) { expect("fifo", 3, "a b c +a d", "bcd"); }
END_TEST

/* CLOCK: a's bit buys one trip back to the head; b, never hit, goes; then c. */
START_TEST(test_clock_gives_a_second_chance) {
    expect("clock", 3, "a b c +a d", "acd");
    expect("clock", 3, "a b c +a d e", "ade");
    /* Two bits: a hit twice survives two sweeps past it. */
    expect("clock:bits=2", 2, "a b +a +a c d", "ad");
}
END_TEST

/* SIEVE: the hand clears a's bit and stops at b; it then stays there (c goes next), where
 * CLOCK would have moved a to the head. */
START_TEST(test_sieve_hand_does_not_move_survivors) {
    expect("sieve", 3, "a b c +a d", "acd");
    expect("sieve", 3, "a b c +a d +a e", "ade");
    expect("sieve", 3, "a b c d +b +c e", "bce");
}
END_TEST

/* LFU: fewest hits first; among equals, the one that reached that count first. */
START_TEST(test_lfu_evicts_least_frequent_oldest_first) {
    expect("lfu", 3, "a b c +a +a +c d", "acd");
    expect("lfu", 3, "a b c +a +a +c d e", "ace");
    expect("lfu", 3, "a b c +b +a d", "abd");    /* a and b at 2: c (1) goes */
    expect("lfu", 3, "a b c +b +a +c d", "acd"); /* all at 2: b reached 2 first */
}
END_TEST

/* S3-FIFO with 2 keys and small=0.5: small holds 1, main 1, the ghost queue 1 key. A key hit
 * twice in small moves to main; a key evicted from small is remembered in the ghost queue, and
 * a request for it (here a SET) puts it straight into main. */
START_TEST(test_s3fifo_small_main_and_ghost) {
    expect("s3fifo:small=0.5", 2, "a b c", "bc");       /* a: a one-hit wonder, out first */
    expect("s3fifo:small=0.5", 2, "a +a +a b c", "ac"); /* a: freq 2 -> main; b goes */
    expect("s3fifo:small=0.5", 2, "a +a b c", "bc");    /* one hit is below the threshold */
    expect("s3fifo:small=0.5,threshold=1", 2, "a +a b c", "ac");
    expect("s3fifo:small=0.5", 2, "a b c a d e", "ae");         /* a back via the ghost: main */
    expect("s3fifo:small=0.5,ghost=0", 2, "a b c a d e", "de"); /* no ghost: a re-enters small */
}
END_TEST

/* ARC: a key seen twice lives in T2 and outlasts a scan of new keys through T1. */
START_TEST(test_arc_protects_frequent_keys_from_a_scan) {
    expect("arc", 3, "a +a b c d e f", "aef");
    expect("lru-exact", 3, "a +a b c d e f", "def");
}
END_TEST

/* Belady: the key needed farthest in the future goes; "never again" before any. */
START_TEST(test_belady_reads_the_hint) {
    expect("belady", 3, "a@5 b@9 c@7 d@8", "acd");
    expect("belady", 3, "a@5 b@- c@7 d@8", "acd");
    expect("belady", 3, "a@5 b@9 c@7 +b@6 d@8", "abd"); /* b's hint moved closer: c goes */
}
END_TEST

/* Every policy: dirty keys (SAVE waiting for the flush delay) are never victims. */
START_TEST(test_every_policy_skips_busy_keys) {
    const char *name, *help;
    for (size_t i = 0; ds_evict_policy_describe(i, &name, &help); i++) {
        ds_config cfg = th_cfg(100000);
        ds_err err = {{0}};
        ck_assert(ds_config_set(&cfg, "evict", name, &err) == DS_OK);
        cfg.max_keys = 3;
        th_host s, *th = &s;
        th_init(th);
        th_no_wait_io(th);
        th_open(th, &cfg);
        static const char *const keys[] = {"a", "b", "c", "d", "e"};
        for (int k = 0; k < 3; k++)
            ck_assert_int_eq(th_do(th, 1, th_setv(th, keys[k], th_valx(th, keys[k], 8, 0))), DS_OK);
        th_advance_ms(th, 100001);
        ck_assert_int_eq(ds_cache_cron(th->cache), DS_OK); /* pushes the SAVEs */
        th_run_all(th);                                    /* a, b, c idle */
        ck_assert_int_eq(th_do(th, 1, th_get(th, "a")), DS_OK);
        for (int k = 3; k < 5; k++)
            ck_assert_int_eq(th_do(th, 1, th_setv(th, keys[k], th_valx(th, keys[k], 8, 0))), DS_OK);
        ck_assert_int_eq(ds_cache_cron(th->cache), DS_OK); /* d, e dirty: 2 of a, b, c go */
        ds_stats st = th_stats(th);
        ck_assert_msg(st.evictions == 2 && st.keys == 3, "%s: %llu evictions, %llu keys", name,
                      (unsigned long long)st.evictions, (unsigned long long)st.keys);
        ck_assert_msg(th_peek(th, "d") && th_peek(th, "e"), "%s evicted a dirty key", name);
        th_fini(th);
    }
}
END_TEST

/* Every policy: the same trace and seed give the same run (hits, evictions, survivors). */
static ds_replay_result replay_gen(const char *policy, const char *limit, const char *value) {
    const char *flags[] = {"--evict",  policy,       limit,
                           value,      "--evict-at", "insert",
                           "--origin", "on",         "--cache-flush-delay",
                           "0",        "--seed",     "5",
                           NULL};
    return ds_test_replay_ok("gen:zipf:0.9,keys=500,requests=5000,mix=get:0.8/set:0.15/del:0.05,"
                             "clients=4,seed=3",
                             flags, policy);
}

START_TEST(test_every_policy_is_deterministic) {
    const char *name, *help;
    for (size_t i = 0; ds_evict_policy_describe(i, &name, &help); i++) {
        if (ds_evict_needs_next_access(name)) continue; /* gen: traces carry no hints */
        ds_replay_result a = replay_gen(name, "--cache-max-keys", "100"),
                         b = replay_gen(name, "--cache-max-keys", "100");
        ck_assert_msg(a.stats.hits == b.stats.hits && a.stats.evictions == b.stats.evictions &&
                          a.stats.keys == b.stats.keys && a.stats.disk_loads == b.stats.disk_loads,
                      "%s: two runs differ", name);
        ck_assert_msg(a.stats.evictions > 0 && a.stats.keys <= 100, "%s: %llu evictions", name,
                      (unsigned long long)a.stats.evictions);
        ck_assert_uint_eq(a.stale_reads + a.lost_writes, 0);
    }
}
END_TEST

/* Every policy under a byte limit (capacity units are bytes: S3-FIFO's queues and ARC's lists
 * are sized in bytes): the limit holds after every insert, and the run is still determined.
 * SAVEs complete at once, so an idle key always exists: a miss of the limit would be a bug
 * (it caught the overwritten key being its own SET's victim). */
START_TEST(test_every_policy_holds_a_memory_limit) {
    const char *name, *help;
    for (size_t i = 0; ds_evict_policy_describe(i, &name, &help); i++) {
        if (ds_evict_needs_next_access(name)) continue;
        ds_replay_result a = replay_gen(name, "--cache-max-memory", "40kb"),
                         b = replay_gen(name, "--cache-max-memory", "40kb");
        ck_assert_uint_eq(a.stats.memory_limit_misses, 0);
        ck_assert_msg(a.stats.evictions > 0, "%s: no evictions", name);
        ck_assert_msg(a.stats.peak_memory_bytes <= 40 * 1024, "%s: peak %llu bytes", name,
                      (unsigned long long)a.stats.peak_memory_bytes);
        ck_assert_msg(a.stats.hits == b.stats.hits && a.stats.evictions == b.stats.evictions,
                      "%s: two runs differ", name);
        ck_assert_uint_eq(a.stale_reads + a.lost_writes, 0);
    }
}
END_TEST

/* Belady on a trace without next-access times would rank every key "never": refused, with
 * the reason, before anything runs. */
START_TEST(test_belady_refused_on_a_trace_without_hints) {
    static ds_replay_opts o;
    const char *argv[] = {"gen:zipf:0.8,keys=100,requests=100,mix=get:1", "--evict", "belady",
                          "--quiet"};
    bool help = false;
    ds_err err = {{0}};
    ds_replay_opts_default(&o);
    ck_assert_int_eq(ds_cli_parse(&o, 4, (char **)argv, &help, &err), DS_OK);
    snprintf(o.out, sizeof o.out, "/tmp/dslab_belady_refused");
    o.progress = false;
    ds_replay_result res;
    ck_assert_int_eq(ds_replay_run(&o, &res, &err), DS_ERR_ARG);
    ck_assert_msg(strstr(err.msg, "belady") && strstr(err.msg, "oracleGeneral"), "%s", err.msg);
}
END_TEST

int main(void) {
    Suite *s = suite_create("evict_zoo");
    TCase *tc = tcase_create("rules");
    tcase_add_test(tc, test_lru_exact_keeps_the_recently_used);
    tcase_add_test(tc, test_fifo_ignores_hits);
    tcase_add_test(tc, test_clock_gives_a_second_chance);
    tcase_add_test(tc, test_sieve_hand_does_not_move_survivors);
    tcase_add_test(tc, test_lfu_evicts_least_frequent_oldest_first);
    tcase_add_test(tc, test_s3fifo_small_main_and_ghost);
    tcase_add_test(tc, test_arc_protects_frequent_keys_from_a_scan);
    tcase_add_test(tc, test_belady_reads_the_hint);
    tcase_add_test(tc, test_every_policy_skips_busy_keys);
    tcase_add_test(tc, test_belady_refused_on_a_trace_without_hints);
    tcase_add_test(tc, test_every_policy_is_deterministic);
    tcase_add_test(tc, test_every_policy_holds_a_memory_limit);
    suite_add_tcase(s, tc);
    return ds_test_run(s);
}
