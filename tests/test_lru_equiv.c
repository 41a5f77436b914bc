/*
 * test_lru_equiv.c - cross-validation with cache simulators: a read-only replay with
 * --evict lru-exact --cache-max-keys N --evict-at insert --latency fixed:0 on an object-id
 * trace (origin on) must give exactly the miss count of a textbook LRU cache of N objects,
 * written here independently of the core.
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
#include "trace.h"

/* ---- a textbook LRU: chained hash of keys + doubly linked recency list ---- */

typedef struct lnode {
    struct lnode *prev, *next, *chain;
    size_t len;
    char key[];
} lnode;

typedef struct lru {
    lnode **buckets;
    size_t nbuckets, count, cap;
    lnode *head, *tail; /* head = most recent */
} lru;

static size_t bucket_of(const lru *l, const void *k, size_t len) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a: independent of the core's hash */
    for (size_t i = 0; i < len; i++)
        h = (h ^ ((const unsigned char *)k)[i]) * 1099511628211ull;
    return h % l->nbuckets;
}

static void list_unlink(lru *l, lnode *n) {
    if (n->prev)
        n->prev->next = n->next;
    else
        l->head = n->next;
    if (n->next)
        n->next->prev = n->prev;
    else
        l->tail = n->prev;
}

static void list_push(lru *l, lnode *n) {
    n->prev = NULL;
    n->next = l->head;
    if (l->head)
        l->head->prev = n;
    else
        l->tail = n;
    l->head = n;
}

/* Returns true on a hit. On a miss the object is inserted, evicting the LRU one if full. */
static bool lru_access(lru *l, const void *k, size_t len) {
    size_t b = bucket_of(l, k, len);
    for (lnode *n = l->buckets[b]; n; n = n->chain)
        if (n->len == len && memcmp(n->key, k, len) == 0) {
            list_unlink(l, n);
            list_push(l, n);
            return true;
        }
    if (l->count == l->cap) {
        lnode *v = l->tail;
        list_unlink(l, v);
        lnode **pp = &l->buckets[bucket_of(l, v->key, v->len)];
        while (*pp != v)
            pp = &(*pp)->chain;
        *pp = v->chain;
        free(v);
        l->count--;
    }
    lnode *n = malloc(sizeof *n + len);
    ck_assert_ptr_nonnull(n);
    memcpy(n->key, k, len);
    n->len = len;
    n->chain = l->buckets[b];
    l->buckets[b] = n;
    list_push(l, n);
    l->count++;
    return false;
}

static uint64_t textbook_misses(const char *trace, const char *format, size_t cap) {
    lru l = {.nbuckets = 1 << 16, .cap = cap};
    l.buckets = calloc(l.nbuckets, sizeof *l.buckets);
    ds_err err = {{0}};
    ds_reader_opts ro = {.format = format};
    ds_reader *r = ds_reader_open(trace, &ro, &err);
    ck_assert_msg(r != NULL, "%s", err.msg);
    static ds_trace_req req;
    uint64_t misses = 0;
    int rc;
    while ((rc = ds_reader_next(r, &req, &err)) == 1) {
        ck_assert_int_eq(req.op, DS_OP_GET);
        if (!lru_access(&l, req.keys[0].p, req.keys[0].len)) misses++;
    }
    ck_assert_msg(rc == 0, "%s", err.msg);
    ds_reader_close(r);
    for (lnode *n = l.head; n;) {
        lnode *nx = n->next;
        free(n);
        n = nx;
    }
    free(l.buckets);
    return misses;
}

static uint64_t dslab_misses(const char *trace, size_t cap, const char *origin) {
    char capbuf[32];
    snprintf(capbuf, sizeof capbuf, "%zu", cap);
    const char *flags[] = {"--evict",    "lru-exact", "--cache-max-keys", capbuf,
                           "--evict-at", "insert",    "--latency",        "fixed:0",
                           "--origin",   origin,      "--no-oracle",      NULL};
    ds_replay_result res = ds_test_replay_ok(trace, flags, "lru");
    ck_assert_uint_eq(res.stats.hits + res.stats.misses, res.requests);
    return res.stats.misses;
}

#define GEN_READS "gen:zipf:0.8,keys=3000,requests=60000,mix=get:1,clients=1,seed=9"

START_TEST(test_lru_exact_matches_textbook_on_generated_trace) {
    static const size_t caps[] = {1, 10, 300, 1000, 2999, 5000};
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        uint64_t want = textbook_misses(GEN_READS, NULL, caps[i]);
        uint64_t got = dslab_misses(GEN_READS, caps[i], "on");
        ck_assert_msg(got == want, "cap %zu: dslab %llu misses, textbook LRU %llu", caps[i],
                      (unsigned long long)got, (unsigned long long)want);
    }
}
END_TEST

/* The public sample: libCacheSim's cloudPhysics block trace in oracleGeneral format. */
#define SAMPLE "cloudPhysicsIO.oracleGeneral.bin"

START_TEST(test_lru_exact_matches_textbook_on_public_sample) {
    char sample[4096];
    ck_assert_msg(ds_sample_path(SAMPLE, sample, sizeof sample), "missing " SAMPLE);
    static const size_t caps[] = {100, 5000, 20000};
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        uint64_t want = textbook_misses(sample, NULL, caps[i]);
        uint64_t got = dslab_misses(sample, caps[i], "auto");
        ck_assert_msg(got == want, "cap %zu: dslab %llu misses, textbook LRU %llu", caps[i],
                      (unsigned long long)got, (unsigned long long)want);
    }
}
END_TEST

int main(void) {
    Suite *s = suite_create("lru_equiv");
    TCase *tc = tcase_create("lru_equiv");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_lru_exact_matches_textbook_on_generated_trace);
    if (ds_sample_or_skip(SAMPLE, "test_lru_exact_matches_textbook_on_public_sample"))
        tcase_add_test(tc, test_lru_exact_matches_textbook_on_public_sample);
    suite_add_tcase(s, tc);
    return ds_test_run(s);
}
