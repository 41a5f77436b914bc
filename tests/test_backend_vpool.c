/*
 * test_backend_vpool.c - the value pool the mem backend takes get()'s small values from
 * (core/vpool.c): a pooled value reads like ds_value_new's and its slot is reused once its last
 * reference goes; larger values are plain mallocs; values outlive a closed pool; and one thread
 * taking values while another returns them (the real engine's workers and core) neither loses
 * nor shares a slot (ThreadSanitizer runs this suite: make test-tsan). Under AddressSanitizer
 * there is no pool (ds_vpool_new is NULL) and every value is a malloc the sanitizer sees.
 */
#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "slab.h"
#include "testmain.h"
#include "vpool.h"

START_TEST(test_pooled_value_reads_like_a_new_one_and_its_slot_is_reused) {
    ds_vpool *p = ds_vpool_new();
    ck_assert(ds_slab_pooling() ? p != NULL : p == NULL);
    ds_value *a = ds_vpool_value(p, "0123456789abcdef", 16, 100, 7);
    ck_assert_ptr_nonnull(a);
    ck_assert_uint_eq(ds_value_refs(a), 1);
    ck_assert_uint_eq(a->len, 16);
    ck_assert_uint_eq(a->size_bytes, 100);
    ck_assert_int_eq(a->expire_us, 7);
    ck_assert(memcmp(a->data, "0123456789abcdef", 16) == 0);
    ck_assert_uint_eq((a->refcnt & DS_VALUE_POOLED) != 0, p != NULL);
    ds_value_ref(a);
    ds_value_unref(a); /* not the last: the slot stays out */
    ds_value *b = ds_vpool_value(p, NULL, 3, 0, 0);
    ck_assert_ptr_ne(a, b);
    ck_assert_uint_eq(b->size_bytes, 3); /* size_bytes < len means len */
    ck_assert(memcmp(b->data, "\0\0\0", 3) == 0);
    ds_value_unref(a);
    ds_value *c = ds_vpool_value(p, "x", 1, 1, 0);
    if (p) ck_assert_ptr_eq(c, a); /* a's slot came back and is taken first */
    ds_value *big = ds_vpool_value(p, "0123456789abcdefg", 17, 17, 0);
    ck_assert_uint_eq(big->refcnt, 1); /* too large for a slot: malloc, no pooled bit */
    ds_value_unref(big);
    ds_value_unref(b);
    ds_value_unref(c);
    ds_vpool_close(p);
}
END_TEST

/* The backend may close first (a replay tears it down while the cache still holds values). */
START_TEST(test_values_outlive_a_closed_pool) {
    ds_vpool *p = ds_vpool_new();
    enum { N = 5000 }; /* several chunks */
    static ds_value *v[N];
    for (int i = 0; i < N; i++) {
        v[i] = ds_vpool_value(p, &i, sizeof i, 100, 0);
        ck_assert_ptr_nonnull(v[i]);
    }
    ds_vpool_close(p);
    for (int i = 0; i < N; i++) {
        int x;
        memcpy(&x, v[i]->data, sizeof x);
        ck_assert_int_eq(x, i);
        ds_value_unref(v[i]); /* the last one frees the pool */
    }
}
END_TEST

/* A worker takes values (as the mem backend's get does under its mutex) and hands them over;
 * the main thread checks and drops each (as the core does). */
#define HANDOFF 64
typedef struct handoff {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    ds_value *ring[HANDOFF];
    unsigned head, tail, total;
    ds_vpool *pool;
} handoff;

static void *taker(void *arg) {
    handoff *h = arg;
    for (unsigned i = 0; i < h->total; i++) {
        ds_value *v = ds_vpool_value(h->pool, &i, sizeof i, 0, 0);
        ck_assert_ptr_nonnull(v);
        pthread_mutex_lock(&h->mu);
        while (h->tail - h->head == HANDOFF)
            pthread_cond_wait(&h->cv, &h->mu);
        h->ring[h->tail++ % HANDOFF] = v;
        pthread_cond_broadcast(&h->cv);
        pthread_mutex_unlock(&h->mu);
    }
    return NULL;
}

START_TEST(test_one_thread_takes_while_another_returns) {
    handoff h = {.total = 50000, .pool = ds_vpool_new()};
    pthread_mutex_init(&h.mu, NULL);
    pthread_cond_init(&h.cv, NULL);
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, taker, &h), 0);
    for (unsigned i = 0; i < h.total; i++) {
        pthread_mutex_lock(&h.mu);
        while (h.tail == h.head)
            pthread_cond_wait(&h.cv, &h.mu);
        ds_value *v = h.ring[h.head++ % HANDOFF];
        pthread_cond_broadcast(&h.cv);
        pthread_mutex_unlock(&h.mu);
        unsigned x;
        memcpy(&x, v->data, sizeof x);
        ck_assert_uint_eq(x, i); /* no slot given out twice */
        ck_assert_uint_eq(ds_value_refs(v), 1);
        ds_value_unref(v); /* back to the pool from this thread */
    }
    pthread_join(t, NULL);
    ds_vpool_close(h.pool);
    pthread_cond_destroy(&h.cv);
    pthread_mutex_destroy(&h.mu);
}
END_TEST

int main(void) {
    Suite *s = suite_create("vpool");
    TCase *tc = tcase_create("vpool");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_pooled_value_reads_like_a_new_one_and_its_slot_is_reused);
    tcase_add_test(tc, test_values_outlive_a_closed_pool);
    tcase_add_test(tc, test_one_thread_takes_while_another_returns);
    suite_add_tcase(s, tc);
    return ds_test_run(s);
}
