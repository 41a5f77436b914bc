/*
 * test_slab.c - the core's size-class allocator (core/slab.c): objects of every class are
 * aligned, distinct and keep their bytes while live; a freed object is reused by its class
 * (and only by its class); calloc zeroes reused memory; large objects and sanitizer builds go
 * to malloc; live counts every object out; destroy returns every chunk.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "slab.h"
#include "testmain.h"

#define NOBJ 6000

START_TEST(test_objects_are_aligned_distinct_and_keep_their_bytes) {
    ds_slab s;
    ds_slab_init(&s);
    static unsigned char *p[NOBJ];
    static size_t sz[NOBJ];
    for (int i = 0; i < NOBJ; i++) {
        sz[i] = 1 + (size_t)(i * 37) % DS_SLAB_MAX_BYTES; /* every class, many chunks */
        p[i] = ds_slab_alloc(&s, sz[i]);
        ck_assert_ptr_nonnull(p[i]);
        ck_assert_uint_eq((uintptr_t)p[i] % 8, 0);
        memset(p[i], i & 0xff, sz[i]);
    }
    ck_assert_uint_eq(s.live, NOBJ);
    for (int i = 0; i < NOBJ; i += 2) /* free half, reallocate it with other sizes */
        ds_slab_free(&s, p[i], sz[i]);
    for (int i = 0; i < NOBJ; i += 2) {
        sz[i] = 1 + (size_t)(i * 53) % DS_SLAB_MAX_BYTES;
        p[i] = ds_slab_alloc(&s, sz[i]);
        memset(p[i], i & 0xff, sz[i]);
    }
    static unsigned char pat[DS_SLAB_MAX_BYTES];
    for (int i = 0; i < NOBJ; i++) {
        memset(pat, i & 0xff, sz[i]);
        ck_assert(memcmp(p[i], pat, sz[i]) == 0); /* nothing overlapped */
    }
    for (int i = 0; i < NOBJ; i++)
        ds_slab_free(&s, p[i], sz[i]);
    ck_assert_uint_eq(s.live, 0);
    ds_slab_destroy(&s);
    ck_assert_ptr_null(s.chunks);
}
END_TEST

START_TEST(test_freed_object_is_reused_by_its_class_and_calloc_zeroes) {
    ds_slab s;
    ds_slab_init(&s);
    unsigned char *a = ds_slab_alloc(&s, 40);
    memset(a, 0xab, 40);
    ds_slab_free(&s, a, 40);
    unsigned char *other = ds_slab_alloc(&s, 100); /* another class does not take it */
    unsigned char *b = ds_slab_calloc(&s, 33);     /* 33..48 is 40's class */
    if (ds_slab_pooling()) {
        ck_assert_ptr_ne(other, a);
        ck_assert_ptr_eq(b, a);
    }
    for (int i = 0; i < 33; i++)
        ck_assert_uint_eq(b[i], 0);
    ds_slab_free(&s, b, 33);
    ds_slab_free(&s, other, 100);
    void *big = ds_slab_alloc(&s, DS_SLAB_MAX_BYTES + 1); /* malloc'd, freed by free */
    ck_assert_ptr_nonnull(big);
    memset(big, 1, DS_SLAB_MAX_BYTES + 1);
    ck_assert_uint_eq(s.live, 1);
    ds_slab_free(&s, big, DS_SLAB_MAX_BYTES + 1);
    ds_slab_free(&s, NULL, 8);
    ck_assert_uint_eq(s.live, 0);
    ds_slab_destroy(&s);
}
END_TEST

int main(void) {
    Suite *s = suite_create("slab");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_objects_are_aligned_distinct_and_keep_their_bytes);
    tcase_add_test(tc, test_freed_object_is_reused_by_its_class_and_calloc_zeroes);
    suite_add_tcase(s, tc);
    return ds_test_run(s);
}
