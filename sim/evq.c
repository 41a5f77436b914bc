/*
 * evq.c - the virtual engine's event heap and ring (evq.h).
 */
#include "evq.h"

#include <assert.h>
#include <stdlib.h>

bool ds_evheap_push(ds_evheap *h, ds_ev ev) {
    if (h->n == h->cap) {
        size_t ncap = h->cap ? h->cap * 2 : 256;
        ds_ev *na = realloc(h->a, ncap * sizeof *na);
        if (!na) return false;
        h->a = na;
        h->cap = ncap;
    }
    size_t i = h->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!ds_ev_less(&ev, &h->a[p])) break;
        h->a[i] = h->a[p];
        i = p;
    }
    h->a[i] = ev;
    return true;
}

ds_ev ds_evheap_pop(ds_evheap *h) {
    assert(h->n > 0);
    ds_ev top = h->a[0], last = h->a[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n) break;
        if (c + 1 < h->n && ds_ev_less(&h->a[c + 1], &h->a[c])) c++;
        if (!ds_ev_less(&h->a[c], &last)) break;
        h->a[i] = h->a[c];
        i = c;
    }
    if (h->n) h->a[i] = last;
    return top;
}

bool ds_evring_grow(ds_evring *q) {
    size_t ncap = q->cap ? 2 * q->cap : 64;
    ds_ev *na = malloc(ncap * sizeof *na);
    if (!na) return false;
    for (size_t i = 0; i < q->n; i++)
        na[i] = q->a[(q->head + i) & (q->cap - 1)];
    free(q->a);
    q->a = na;
    q->cap = ncap;
    q->head = 0;
    assert((q->cap & (q->cap - 1)) == 0);
    return true;
}
