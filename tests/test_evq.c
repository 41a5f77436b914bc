/*
 * test_evq.c - the virtual engine's event queues (sim/evq.c): the heap hands events back in
 * (time, sequence) order whatever the push order, equal times in sequence order (the run's
 * determinism rests on it), and the ring keeps FIFO order across its growth while wrapped.
 */
#include <check.h>
#include <stdlib.h>

#include "evq.h"
#include "testmain.h"

START_TEST(test_heap_pops_in_time_then_sequence_order) {
    ds_evheap h = {0};
    uint64_t x = 12345;
    for (uint32_t i = 0; i < 1000; i++) { /* 1000 events over 50 times: many ties */
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        ck_assert(ds_evheap_push(&h, (ds_ev){(int64_t)(x >> 33) % 50, i, 0, i}));
    }
    ds_ev prev = ds_evheap_pop(&h);
    for (uint32_t i = 1; i < 1000; i++) {
        ds_ev ev = ds_evheap_pop(&h);
        ck_assert(ds_ev_less(&prev, &ev));
        ck_assert(ev.t > prev.t || ev.seq > prev.seq);
        prev = ev;
    }
    ck_assert_uint_eq(h.n, 0);
    free(h.a);
}
END_TEST

START_TEST(test_ring_keeps_fifo_order_while_it_grows_wrapped) {
    ds_evring q = {0};
    uint64_t in = 0, out = 0;
    for (int round = 0; round < 300; round++) { /* push 3, pop 2: wraps, then grows */
        for (int k = 0; k < 3; k++, in++)
            ck_assert(ds_evring_push(&q, (ds_ev){(int64_t)in, in, 1, (uint32_t)in}));
        for (int k = 0; k < 2; k++) {
            ck_assert_uint_eq(ds_evring_first(&q)->seq, out);
            ds_ev ev = ds_evring_pop(&q);
            ck_assert_uint_eq(ev.seq, out);
            ck_assert_uint_eq(ev.arg, (uint32_t)out);
            out++;
        }
    }
    ck_assert_uint_eq(q.n, in - out);
    ck_assert_uint_eq(q.cap & (q.cap - 1), 0); /* a power of two */
    while (q.n)
        ck_assert_uint_eq(ds_evring_pop(&q).seq, out++);
    ck_assert_uint_eq(out, in);
    free(q.a);
}
END_TEST

int main(void) {
    Suite *s = suite_create("evq");
    TCase *tc = tcase_create("evq");
    tcase_add_test(tc, test_heap_pops_in_time_then_sequence_order);
    tcase_add_test(tc, test_ring_keeps_fifo_order_while_it_grows_wrapped);
    suite_add_tcase(s, tc);
    return ds_test_run(s);
}
