/*
 * test_table.c - the core's open-addressing table (core/table.c): random operations checked
 * against a plain array model, backward-shift deletion keeping every probe run reachable,
 * growth and shrink, the sampler reaching every member, and the layout after a remove and the
 * sampler's picks pinned against plain reference versions (they decide the victims).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evict.h"
#include "table.h"
#include "testmain.h"

typedef struct item {
    ds_tnode node;
    char key[16];
    int present;
} item;

#define N 4000

static item items[N];

static void item_init(ds_table *t, int i) {
    snprintf(items[i].key, sizeof items[i].key, "key:%d", i);
    items[i].node.key = (const unsigned char *)items[i].key;
    items[i].node.keylen = (uint32_t)strlen(items[i].key);
    items[i].node.hash = ds_table_hash(t, items[i].key, items[i].node.keylen);
    items[i].present = 0;
}

START_TEST(test_random_ops_match_model) {
    ds_table t;
    ck_assert_int_eq(ds_table_init(&t, 0, 42), DS_OK);
    for (int i = 0; i < N; i++)
        item_init(&t, i);
    ds_rng r;
    ds_rng_seed(&r, 7);
    size_t count = 0;
    for (int step = 0; step < 200000; step++) {
        int i = (int)ds_rng_below(&r, N);
        item *it = &items[i];
        ds_tnode *f = ds_table_find(&t, it->node.hash, it->key, it->node.keylen);
        ck_assert_ptr_eq(f, it->present ? &it->node : NULL);
        if (it->present) {
            ds_table_remove(&t, &it->node);
            it->present = 0;
            count--;
        } else {
            ck_assert_int_eq(ds_table_insert(&t, &it->node), DS_OK);
            it->present = 1;
            count++;
        }
        ck_assert_uint_eq(t.count, count);
    }
    for (int i = 0; i < N; i++) {
        ds_tnode *f = ds_table_find(&t, items[i].node.hash, items[i].key, items[i].node.keylen);
        ck_assert_ptr_eq(f, items[i].present ? &items[i].node : NULL);
    }
    ds_table_free(&t);
}
END_TEST

START_TEST(test_grow_and_shrink_keep_members) {
    ds_table t;
    ck_assert_int_eq(ds_table_init(&t, 0, 1), DS_OK);
    for (int i = 0; i < N; i++)
        item_init(&t, i);
    for (int i = 0; i < N; i++)
        ck_assert_int_eq(ds_table_insert(&t, &items[i].node), DS_OK);
    size_t big = t.mask + 1;
    ck_assert_uint_ge(big * 7, (size_t)N * 10);
    for (int i = 0; i < N - 10; i++)
        ds_table_remove(&t, &items[i].node);
    ck_assert_uint_lt(t.mask + 1, big);
    for (int i = N - 10; i < N; i++)
        ck_assert_ptr_eq(ds_table_find(&t, items[i].node.hash, items[i].key, items[i].node.keylen),
                         &items[i].node);
    size_t it = 0, seen = 0;
    while (ds_table_next(&t, &it))
        seen++;
    ck_assert_uint_eq(seen, 10);
    ds_table_free(&t);
}
END_TEST

START_TEST(test_sampler_reaches_every_member) {
    ds_table t;
    ck_assert_int_eq(ds_table_init(&t, 0, 3), DS_OK);
    for (int i = 0; i < 100; i++) {
        item_init(&t, i);
        ck_assert_int_eq(ds_table_insert(&t, &items[i].node), DS_OK);
    }
    ds_rng r;
    ds_rng_seed(&r, 11);
    int hits[100] = {0};
    for (int s = 0; s < 20000; s++) {
        item *x = (item *)ds_table_sample(&t, &r);
        ck_assert_ptr_nonnull(x);
        hits[x - items]++;
    }
    for (int i = 0; i < 100; i++)
        ck_assert_int_gt(hits[i], 0);
    ds_table_free(&t);
    ds_table t2;
    ck_assert_int_eq(ds_table_init(&t2, 0, 3), DS_OK);
    ck_assert_ptr_null(ds_table_sample(&t2, &r));
    ds_table_free(&t2);
}
END_TEST

/* The inline sampler (table.h) and the inline generator step (dslab.h) are pure speed: the
 * same draws as ds_rng_below(capacity) and ds_rng_next, so a run's victims do not move. */
START_TEST(test_sample_draws_what_rng_below_draws) {
    ds_table t;
    ck_assert_int_eq(ds_table_init(&t, 0, 9), DS_OK);
    for (int i = 0; i < 300; i++) {
        item_init(&t, i);
        ck_assert_int_eq(ds_table_insert(&t, &items[i].node), DS_OK);
    }
    ds_rng a, b;
    ds_rng_seed(&a, 21);
    ds_rng_seed(&b, 21);
    for (int s = 0; s < 5000; s++) {
        size_t i = ds_rng_below(&b, t.mask + 1);
        while (!t.slots[i].hash)
            i = (i + 1) & t.mask;
        ck_assert_ptr_eq(ds_table_sample(&t, &a), t.slots[i].node);
    }
    for (int s = 0; s < 1000; s++)
        ck_assert_uint_eq(ds_rng_step(&a), ds_rng_next(&b));
    ds_table_free(&t);
}
END_TEST

/* The reference backward shift, written the plain way (every index masked): which item ends in
 * which slot decides the sampled victims, so the table's faster remove must leave exactly this
 * layout, runs that wrap past the last slot included. */
static void ref_remove(ds_tslot *sl, size_t mask, const ds_tnode *n) {
    size_t i = n->hash & mask;
    while (sl[i].node != n)
        i = (i + 1) & mask;
    size_t hole = i;
    for (size_t j = (i + 1) & mask; sl[j].hash; j = (j + 1) & mask) {
        size_t home = sl[j].hash & mask;
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            sl[hole] = sl[j];
            hole = j;
        }
    }
    sl[hole].hash = 0;
    sl[hole].node = NULL;
}

START_TEST(test_remove_leaves_the_reference_layout) {
    ds_table t;
    ck_assert_int_eq(ds_table_init(&t, 32, 5), DS_OK); /* 64 slots: runs wrap often */
    size_t cap = t.mask + 1;
    for (int i = 0; i < 200; i++)
        item_init(&t, i);
    ds_rng r;
    ds_rng_seed(&r, 3);
    ds_tslot ref[64];
    ck_assert_uint_eq(cap, 64);
    size_t wraps = 0;
    for (int step = 0; step < 100000; step++) {
        item *it = &items[ds_rng_below(&r, 200)];
        /* Stay between the shrink and the grow thresholds: the capacity never changes. */
        if (!it->present && (t.count + 1) * 10 <= cap * 7) {
            ck_assert_int_eq(ds_table_insert(&t, &it->node), DS_OK);
            it->present = 1;
        } else if (it->present && (t.count - 1) * 16 >= cap) {
            memcpy(ref, t.slots, sizeof ref);
            ref_remove(ref, t.mask, &it->node);
            wraps += t.slots[t.mask].hash != 0;
            ds_table_remove(&t, &it->node);
            it->present = 0;
            ck_assert_int_eq(memcmp(ref, t.slots, sizeof ref), 0);
        }
    }
    ck_assert_uint_gt(wraps, 1000);
    ds_table_free(&t);
}
END_TEST

static bool skip_odd_third(const ds_tnode *n, const void *ctx) {
    return (((const item *)n - items) % 3 == 1) == (ctx != NULL);
}

static uint64_t age_of(const ds_tnode *n, const void *ctx) {
    (void)ctx;
    return (uint64_t)((((const item *)n - items) * 37) % 101);
}

/* ds_sample_ties (sample.c) is the general loop, the generator in memory, any ties: without
 * ties it is the reference the fast paths of ds_sample_oldest (evict.h: the generator and the
 * slots in locals, no coin) must agree with, picks and the generator's state afterwards, with
 * skipped items and the fallback scan. With ties, equal-enough candidates are a coin's choice:
 * the picks then differ from the oldest, and never name a skipped item. */
START_TEST(test_sample_oldest_matches_the_reference) {
    ds_table t;
    ck_assert_int_eq(ds_table_init(&t, 0, 13), DS_OK);
    for (int i = 0; i < 500; i++) {
        item_init(&t, i);
        ck_assert_int_eq(ds_table_insert(&t, &items[i].node), DS_OK);
    }
    static const int everyone = 0;
    for (int v = 0; v < 6; v++) {
        /* ctx NULL: skip two thirds (rounds that find nothing, then the scan) */
        ds_sample_spec s = {1 + (uint32_t)v,          64, skip_odd_third, age_of,
                            v % 2 ? &everyone : NULL, 0};
        if (v == 5) s.skip = NULL;
        ds_rng a, b;
        ds_rng_seed(&a, 100 + (uint64_t)v);
        b = a;
        for (int k = 0; k < 3000; k++) {
            ck_assert_ptr_eq(ds_sample_oldest(&t, &a, &s), ds_sample_ties(&t, &b, &s));
            ck_assert_mem_eq(&a, &b, sizeof a);
        }
    }
    ds_sample_spec plain = {5, 64, skip_odd_third, age_of, &everyone, 0}, tied = plain;
    tied.ties = 100; /* ages are 0..100: every pair is a tie */
    ds_rng a, b;
    ds_rng_seed(&a, 7);
    b = a;
    int differ = 0;
    for (int k = 0; k < 3000; k++) {
        ds_tnode *p = ds_sample_oldest(&t, &a, &plain), *q = ds_sample_oldest(&t, &b, &tied);
        ck_assert_int_ne(((const item *)q - items) % 3, 1); /* never a skipped item */
        differ += p != q;
        b = a; /* the same draws next time: only the coin differs */
    }
    ck_assert_int_gt(differ, 1000);
    ds_table_free(&t);
}
END_TEST

/* The same in a table past ds_table_deep, where ds_sample_oldest takes its prefetching path (a
 * round's positions drawn first, then the nodes, then judged): the same picks and the same
 * draws, with skipped items, many equal ages and a batch bound (samples > DS_SAMPLE_BATCH and
 * ties go one at a time), so a large cache's victims do not move with the prefetching. */
typedef struct aged {
    ds_tnode node;
    uint64_t key, age;
} aged;

static bool aged_skip(const ds_tnode *n, const void *ctx) {
    (void)ctx;
    return ((const aged *)n)->age % 7 == 0; /* a seventh are busy */
}

static uint64_t aged_age(const ds_tnode *n, const void *ctx) {
    (void)ctx;
    return ((const aged *)n)->age;
}

START_TEST(test_deep_sampler_picks_what_one_at_a_time_picks) {
    enum { M = 30000 };
    aged *it = calloc(M, sizeof *it);
    ck_assert_ptr_nonnull(it);
    ds_table t;
    ck_assert_int_eq(ds_table_init(&t, 0, 5), DS_OK);
    ds_rng g;
    ds_rng_seed(&g, 3);
    for (int i = 0; i < M; i++) {
        it[i].key = (uint64_t)i;
        it[i].age = ds_rng_below(&g, 5000);
        it[i].node.key = (const unsigned char *)&it[i].key;
        it[i].node.keylen = 8;
        it[i].node.hash = ds_table_hash(&t, &it[i].key, 8);
        ck_assert_int_eq(ds_table_insert(&t, &it[i].node), DS_OK);
    }
    ck_assert(ds_table_deep(&t));
    for (uint32_t samples = 1; samples <= DS_SAMPLE_BATCH + 2; samples += 3) {
        ds_sample_spec s = {samples, DS_SAMPLE_SCAN_MAX, aged_skip, aged_age, NULL, samples % 2};
        ds_rng a, b;
        ds_rng_seed(&a, 40 + samples);
        b = a;
        for (int v = 0; v < 2000; v++) {
            ck_assert_ptr_eq(ds_sample_oldest(&t, &a, &s), ds_sample_ties(&t, &b, &s));
            ck_assert_mem_eq(&a, &b, sizeof a);
        }
    }
    ds_table_free(&t);
    free(it);
}
END_TEST

/* Lookups of every key length: 8..16 bytes compare inline, shorter and longer keys through
 * memcmp; items sharing one hash (forced here) are told apart by their keys at every length. */
START_TEST(test_find_every_key_length_and_shared_hashes) {
    static char keys[2][41][41];
    static ds_tnode nodes[2][41];
    ds_table t;
    ck_assert_int_eq(ds_table_init(&t, 0, 17), DS_OK);
    for (int len = 1; len <= 40; len++)
        for (int v = 0; v < 2; v++) {
            memset(keys[v][len], 'k', (size_t)len);
            keys[v][len][len - 1] = (char)('a' + v); /* differ in the last byte only */
            nodes[v][len] = (ds_tnode){0x5eed00u + (uint64_t)len,
                                       (const unsigned char *)keys[v][len], (uint32_t)len};
            ck_assert_int_eq(ds_table_insert(&t, &nodes[v][len]), DS_OK);
        }
    char other[41];
    for (int len = 1; len <= 40; len++) {
        for (int v = 0; v < 2; v++)
            ck_assert_ptr_eq(ds_table_find(&t, nodes[v][len].hash, keys[v][len], (uint32_t)len),
                             &nodes[v][len]);
        memset(other, 'k', (size_t)len);
        other[len - 1] = 'z';
        ck_assert_ptr_null(ds_table_find(&t, nodes[0][len].hash, other, (uint32_t)len));
        other[len - 1] = 'a';
        other[0] = 'z';
        if (len > 1)
            ck_assert_ptr_null(ds_table_find(&t, nodes[0][len].hash, other, (uint32_t)len));
    }
    ds_table_free(&t);
}
END_TEST

/* The table's key hash (seed's part kept, 8..16-byte keys inline: hash.h) is ds_hash64's number
 * at every length and seed, forced non-zero; it decides every slot, so every layout. */
START_TEST(test_table_hash_is_ds_hash64) {
    unsigned char key[80];
    ds_rng r;
    ds_rng_seed(&r, 99);
    for (int k = 0; k < 2000; k++) {
        uint64_t seed = k < 3 ? (uint64_t)k : ds_rng_next(&r);
        ds_table t;
        ck_assert_int_eq(ds_table_init(&t, 0, seed), DS_OK);
        uint32_t len = (uint32_t)(k % 70);
        for (uint32_t i = 0; i < len; i++)
            key[i] = (unsigned char)ds_rng_next(&r);
        uint64_t want = ds_hash64(key, len, seed);
        ck_assert_uint_eq(ds_table_hash(&t, key, len), want ? want : 1);
        ds_table_free(&t);
    }
}
END_TEST

START_TEST(test_hash_is_stable_and_seeded) {
    ck_assert_uint_eq(ds_hash64("abc", 3, 1), ds_hash64("abc", 3, 1));
    ck_assert_uint_ne(ds_hash64("abc", 3, 1), ds_hash64("abc", 3, 2));
    ck_assert_uint_ne(ds_hash64("abc", 3, 1), ds_hash64("abd", 3, 1));
    ck_assert_uint_ne(ds_hash64("a\0b", 3, 1), ds_hash64("a\0c", 3, 1));
}
END_TEST

START_TEST(test_rng_is_deterministic_and_bounded) {
    ds_rng a, b;
    ds_rng_seed(&a, 5);
    ds_rng_seed(&b, 5);
    for (int i = 0; i < 1000; i++)
        ck_assert_uint_eq(ds_rng_next(&a), ds_rng_next(&b));
    for (int i = 0; i < 10000; i++) {
        ck_assert_uint_lt(ds_rng_below(&a, 7), 7);
        double d = ds_rng_double(&a);
        ck_assert(d >= 0.0 && d < 1.0);
    }
}
END_TEST

int main(void) {
    Suite *s = suite_create("table");
    TCase *tc = tcase_create("table");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_random_ops_match_model);
    tcase_add_test(tc, test_grow_and_shrink_keep_members);
    tcase_add_test(tc, test_sampler_reaches_every_member);
    tcase_add_test(tc, test_sample_draws_what_rng_below_draws);
    tcase_add_test(tc, test_remove_leaves_the_reference_layout);
    tcase_add_test(tc, test_sample_oldest_matches_the_reference);
    tcase_add_test(tc, test_deep_sampler_picks_what_one_at_a_time_picks);
    tcase_add_test(tc, test_find_every_key_length_and_shared_hashes);
    tcase_add_test(tc, test_table_hash_is_ds_hash64);
    tcase_add_test(tc, test_hash_is_stable_and_seeded);
    tcase_add_test(tc, test_rng_is_deterministic_and_bounded);
    suite_add_tcase(s, tc);
    return ds_test_run(s);
}
