/*
 * hist.h - log-bucketed latency histogram.
 *
 * Why: the simulator records millions of latencies and must report p50..p999 and a CDF without
 * keeping every sample. A log-linear bucket layout (HdrHistogram-like) gives a fixed relative
 * error (<= 1%) over 0 .. ~1e12 us with a fixed-size array: ds_hist_add is O(1) and never
 * allocates, and two histograms merge by adding their buckets.
 */
#ifndef DS_HIST_H
#define DS_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* log-bucketed, <= 1% relative error, values >= 0 (the callers' unit: us or ns). The layout
 * is here only so that an add inlines (the replay adds two values a request); treat it as
 * opaque. */
#define DS_HIST_SUB_BITS 7
#define DS_HIST_SUB      (1 << DS_HIST_SUB_BITS) /* sub-buckets per power of two */
/* msb can be 0..62 for int64_t >= 0; shifts 1..55 above the linear range, plus two linear
 * blocks: (62 - DS_HIST_SUB_BITS + 2) blocks of DS_HIST_SUB buckets. */
#define DS_HIST_NBUCKETS ((62 - DS_HIST_SUB_BITS + 2) * DS_HIST_SUB)

typedef struct ds_hist {
    uint64_t count;
    int64_t min_us, max_us;
    unsigned __int128 sum_us; /* exact even for 1e10 us times 1e12 samples */
    uint64_t buckets[DS_HIST_NBUCKETS];
} ds_hist;

/* Bucket index of a value >= 0. */
static inline size_t ds_hist_index(int64_t v) {
    uint64_t u = (uint64_t)v;
    if (u < 2u * DS_HIST_SUB) return (size_t)u;
    int shift = 63 - __builtin_clzll(u) - DS_HIST_SUB_BITS; /* >= 1 */
    return (size_t)(shift + 1) * DS_HIST_SUB + (size_t)((u >> shift) - DS_HIST_SUB);
}

ds_hist *ds_hist_new(void);
void ds_hist_free(ds_hist *h);
void ds_hist_reset(ds_hist *h);
/* Empty again, clearing only the buckets between its min and max (the others are 0). */
void ds_hist_clear(ds_hist *h);

/* O(1), no allocation; a negative value clamps to 0. min_us starts above every value and
 * max_us at 0 (ds_hist_reset), so an add needs no "first sample" test. */
static inline void ds_hist_add(ds_hist *h, int64_t v_us) {
    if (v_us < 0) v_us = 0;
    if (v_us < h->min_us) h->min_us = v_us;
    if (v_us > h->max_us) h->max_us = v_us;
    h->count++;
    h->sum_us += (uint64_t)v_us;
    h->buckets[ds_hist_index(v_us)]++;
}

/* a += va, b += vb: often the same value (a closed loop's latency and service time), whose
 * bucket is then found once. */
static inline void ds_hist_add2v(ds_hist *a, int64_t va, ds_hist *b, int64_t vb) {
    if (va < 0) va = 0;
    if (vb < 0) vb = 0;
    size_t ia = ds_hist_index(va), ib = vb == va ? ia : ds_hist_index(vb);
    if (va < a->min_us) a->min_us = va;
    if (va > a->max_us) a->max_us = va;
    a->count++;
    a->sum_us += (uint64_t)va;
    a->buckets[ia]++;
    if (vb < b->min_us) b->min_us = vb;
    if (vb > b->max_us) b->max_us = vb;
    b->count++;
    b->sum_us += (uint64_t)vb;
    b->buckets[ib]++;
}

/* Exact: counts, sum, min, max and buckets add up (only src's [min, max] buckets are read). */
void ds_hist_merge(ds_hist *dst, const ds_hist *src);
uint64_t ds_hist_count(const ds_hist *h);
int64_t ds_hist_max(const ds_hist *h); /* exact; 0 when empty */
double ds_hist_mean(const ds_hist *h); /* exact; 0 when empty */
/* q in [0,1] (clamped); relative error <= 1%; 0 when empty; q = 1 gives the exact max. */
int64_t ds_hist_quantile(const ds_hist *h, double q);
/* Iterate non-empty buckets in increasing order; *it starts at 0. A bucket holds values in
 * [lo_us, hi_us] (inclusive). Returns false past the last bucket. */
bool ds_hist_bucket(const ds_hist *h, size_t *it, int64_t *lo_us, int64_t *hi_us, uint64_t *count);

#endif /* DS_HIST_H */
