/*
 * evq.h - the virtual engine's event queues: a binary min-heap and a FIFO ring of events,
 * both ordered by (time, sequence number).
 *
 * Why two shapes: most events of a closed-loop replay are client wake-ups due at the moment
 * they are scheduled (no think time); each takes the next sequence number at the current
 * time, and both only grow, so a FIFO of them is already sorted and costs a few stores instead
 * of two heap sifts. Everything else (IO completions, cron, ticks, arrivals) goes through a
 * heap. The engine takes the earliest of the queues' heads (ds_ev_less), so the order is the
 * one a single heap would give, and ties resolve in scheduling order (determinism).
 */
#ifndef DS_EVQ_H
#define DS_EVQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ds_ev {
    int64_t t;    /* nanoseconds of the run's clock */
    uint64_t seq; /* scheduling order: breaks ties of t */
    uint32_t kind, arg;
} ds_ev;

static inline bool ds_ev_less(const ds_ev *a, const ds_ev *b) {
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

/* A binary min-heap; grows by doubling (false: out of memory, nothing changed). */
typedef struct ds_evheap {
    ds_ev *a;
    size_t n, cap;
} ds_evheap;

bool ds_evheap_push(ds_evheap *h, ds_ev ev);
ds_ev ds_evheap_pop(ds_evheap *h); /* h->n > 0 */

/* A FIFO ring, for events pushed in (t, seq) order; cap is 0 or a power of two. */
typedef struct ds_evring {
    ds_ev *a;
    size_t head, n, cap;
} ds_evring;

bool ds_evring_grow(ds_evring *q); /* double, unrolled to start at 0 (out of line) */

static inline bool ds_evring_push(ds_evring *q, ds_ev ev) {
    if (q->n == q->cap && !ds_evring_grow(q)) return false;
    q->a[(q->head + q->n++) & (q->cap - 1)] = ev;
    return true;
}

static inline const ds_ev *ds_evring_first(const ds_evring *q) { return &q->a[q->head]; }

static inline ds_ev ds_evring_pop(ds_evring *q) { /* q->n > 0 */
    ds_ev ev = q->a[q->head];
    q->head = (q->head + 1) & (q->cap - 1);
    q->n--;
    return ev;
}

#endif
