/*
 * test_evict_libcachesim.c - every eviction policy against libCacheSim on the public sample.
 *
 * The exact-mode replay (--cache-max-keys N --evict-at insert --latency fixed:0 --no-oracle, a
 * read-only object-id trace read through to an origin) makes dslab a plain cache simulator:
 * one request at a time, a miss inserts at once, sizes ignored. Its miss ratio must equal, to
 * the 4th decimal, what libCacheSim's cachesim printed for the same trace, policy and size
 * (../shared/data/libcachesim-missratios.csv: commit aa0fc40, --ignore-obj-size 1, default
 * parameters). The sample is oracleGeneral, which has no op field: every request is a read in
 * both simulators, so how libCacheSim counts a write (as a request whose miss inserts) does
 * not enter. Both files are optional; without them the suite prints one skip line.
 *
 * Why: the policies follow libCacheSim's rules (tie-breaks, ghost sizes, when p adapts); a
 * table of 24 numbers catches a rule that drifted, which unit tests of each policy would not.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "replay.h"
#include "sample.h"
#include "replayrun.h"
#include "scratch.h"
#include "testmain.h"

#define SAMPLE   "cloudPhysicsIO.oracleGeneral.bin"
#define REFS     "libcachesim-missratios.csv"
#define ROWS_MAX 64

/* Sanitizer builds replay only the smallest size of each policy (a few seconds each). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#else
#define SANITIZED 0
#endif

typedef struct ref {
    char policy[32];
    uint64_t objects;
    double miss_ratio;
} ref;

/* libCacheSim's LRU is dslab's lru-exact; the other names are the same. */
static const char *dslab_policy(const char *p) { return strcmp(p, "lru") ? p : "lru-exact"; }

static size_t load_refs(ref *out, size_t cap) {
    char path[4096], line[512];
    ck_assert(ds_sample_path(REFS, path, sizeof path));
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s", path);
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        char trace[128], policy[32], lcs[64];
        unsigned long long objects;
        double mr;
        if (line[0] == '#' || !strncmp(line, "trace,", 6)) continue;
        int got =
            sscanf(line, "%127[^,],%31[^,],%63[^,],%llu,%lf", trace, policy, lcs, &objects, &mr);
        ck_assert_msg(got == 5, "%s: bad line: %s", REFS, line);
        ck_assert_msg(n < cap, "%s: more than %zu rows", REFS, cap);
        if (strcmp(trace, SAMPLE) != 0) continue;
        snprintf(out[n].policy, sizeof out[n].policy, "%s", policy);
        out[n].objects = objects;
        out[n].miss_ratio = mr;
        n++;
    }
    fclose(f);
    return n;
}

static ds_replay_result replay(const char *trace, const char *policy, uint64_t objects) {
    char capbuf[32];
    snprintf(capbuf, sizeof capbuf, "%llu", (unsigned long long)objects);
    const char *flags[] = {"--evict", policy,      "--cache-max-keys", capbuf,        "--evict-at",
                           "insert",  "--latency", "fixed:0",          "--no-oracle", NULL};
    return ds_test_replay_ok(trace, flags, policy);
}

START_TEST(test_every_policy_matches_libcachesim_to_the_4th_decimal) {
    ref refs[ROWS_MAX];
    size_t n = load_refs(refs, ROWS_MAX);
    ck_assert_uint_ge(n, 24); /* 8 policies x 3 sizes */
    char sample[4096];
    ck_assert(ds_sample_path(SAMPLE, sample, sizeof sample));
    uint64_t smallest = UINT64_MAX;
    for (size_t i = 0; i < n; i++)
        if (refs[i].objects < smallest) smallest = refs[i].objects;
    size_t checked = 0;
    for (size_t i = 0; i < n; i++) {
        if (SANITIZED && refs[i].objects != smallest) continue;
        ds_replay_result res = replay(sample, dslab_policy(refs[i].policy), refs[i].objects);
        ck_assert_uint_eq(res.stats.hits + res.stats.misses, res.requests);
        double mr = (double)res.stats.misses / (double)res.requests;
        char got[16], want[16];
        snprintf(got, sizeof got, "%.4f", mr);
        snprintf(want, sizeof want, "%.4f", refs[i].miss_ratio);
        ck_assert_msg(!strcmp(got, want),
                      "%s at %llu objects: dslab %s (%llu misses of %llu), "
                      "libCacheSim %s",
                      refs[i].policy, (unsigned long long)refs[i].objects, got,
                      (unsigned long long)res.stats.misses, (unsigned long long)res.requests, want);
        checked++;
    }
    ck_assert_uint_ge(checked, 8);
}
END_TEST

int main(void) {
    Suite *s = suite_create("evict_libcachesim");
    TCase *tc = tcase_create("libcachesim");
    tcase_set_timeout(tc, 300);
    const char *t = "test_every_policy_matches_libcachesim_to_the_4th_decimal";
    if (ds_sample_or_skip(SAMPLE, t) && ds_sample_or_skip(REFS, t))
        tcase_add_test(tc, test_every_policy_matches_libcachesim_to_the_4th_decimal);
    suite_add_tcase(s, tc);
    return ds_test_run(s);
}
