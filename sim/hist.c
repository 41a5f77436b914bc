/*
 * hist.c - log-linear latency histogram (the HdrHistogram layout, one precision setting).
 *
 * Why this layout: values below 2 * DS_HIST_SUB are counted exactly (one bucket per value);
 * above, each power of two is split into DS_HIST_SUB equal sub-buckets, so a bucket is never
 * wider than 1/DS_HIST_SUB (0.78%) of its lower edge. A quantile answers with the bucket's
 * midpoint, which is within half a bucket (0.39%) of any value in it, well inside the 1%
 * contract. The bucket array has a fixed size covering every int64_t, so adding a sample is a
 * shift, a subtraction and an increment: O(1), no allocation, and merging is element-wise.
 *
 * min, max and the sum are kept exactly so that max, mean and the extreme quantiles are exact.
 */
#include "hist.h"

#include <stdlib.h>
#include <string.h>

/* Inclusive value range of bucket idx. */
static void ds_hist_range(size_t idx, int64_t *lo, int64_t *hi) {
    if (idx < 2u * DS_HIST_SUB) {
        *lo = *hi = (int64_t)idx;
        return;
    }
    int shift = (int)(idx / DS_HIST_SUB) - 1;
    uint64_t sub = idx % DS_HIST_SUB + DS_HIST_SUB;
    uint64_t l = sub << shift;
    *lo = (int64_t)l;
    *hi = (int64_t)(l + ((uint64_t)1 << shift) - 1);
}

ds_hist *ds_hist_new(void) {
    ds_hist *h = malloc(sizeof *h);
    if (h) ds_hist_reset(h);
    return h;
}

void ds_hist_free(ds_hist *h) { free(h); }

/* min_us starts above every value and max_us at 0, so an add needs no "first sample" test;
 * readers look at min and max only when count > 0. */
void ds_hist_reset(ds_hist *h) {
    memset(h, 0, sizeof *h);
    h->min_us = INT64_MAX;
}

void ds_hist_clear(ds_hist *h) {
    if (h->count) {
        size_t lo = ds_hist_index(h->min_us), hi = ds_hist_index(h->max_us);
        memset(&h->buckets[lo], 0, (hi - lo + 1) * sizeof h->buckets[0]);
    }
    h->count = 0;
    h->sum_us = 0;
    h->min_us = INT64_MAX;
    h->max_us = 0;
}

/* Every value of src lies in [min_us, max_us], so only those buckets can be non-zero: a
 * merge of an interval's few microseconds of spread reads a few hundred, not all 7,296. */
void ds_hist_merge(ds_hist *dst, const ds_hist *src) {
    if (src->count == 0) return;
    if (dst->count == 0 || src->min_us < dst->min_us) dst->min_us = src->min_us;
    if (dst->count == 0 || src->max_us > dst->max_us) dst->max_us = src->max_us;
    dst->count += src->count;
    dst->sum_us += src->sum_us;
    size_t hi = ds_hist_index(src->max_us);
    for (size_t i = ds_hist_index(src->min_us); i <= hi; i++)
        dst->buckets[i] += src->buckets[i];
}

uint64_t ds_hist_count(const ds_hist *h) { return h->count; }

int64_t ds_hist_max(const ds_hist *h) { return h->count ? h->max_us : 0; }

double ds_hist_mean(const ds_hist *h) {
    if (h->count == 0) return 0.0;
    return (double)h->sum_us / (double)h->count;
}

/*
 * Nearest-rank quantile: the value of rank ceil(q * n) (at least 1) in sorted order. The answer
 * is the midpoint of the bucket holding that rank, clamped to the exact [min, max], so q = 0
 * and q = 1 are exact and a histogram of one repeated value answers that value.
 */
int64_t ds_hist_quantile(const ds_hist *h, double q) {
    if (h->count == 0) return 0;
    if (!(q > 0.0)) return h->min_us; /* also NaN */
    if (q >= 1.0) return h->max_us;
    double r = q * (double)h->count;
    uint64_t rank = (uint64_t)r;
    if ((double)rank < r) rank++;
    if (rank < 1) rank = 1;
    if (rank > h->count) rank = h->count;
    uint64_t seen = 0;
    for (size_t i = 0; i < DS_HIST_NBUCKETS; i++) {
        seen += h->buckets[i];
        if (seen < rank) continue;
        int64_t lo, hi;
        ds_hist_range(i, &lo, &hi);
        int64_t mid = lo + (hi - lo) / 2;
        if (mid < h->min_us) mid = h->min_us;
        if (mid > h->max_us) mid = h->max_us;
        return mid;
    }
    return h->max_us; /* unreachable when counts are consistent */
}

bool ds_hist_bucket(const ds_hist *h, size_t *it, int64_t *lo_us, int64_t *hi_us, uint64_t *count) {
    for (size_t i = *it; i < DS_HIST_NBUCKETS; i++) {
        if (h->buckets[i] == 0) continue;
        ds_hist_range(i, lo_us, hi_us);
        *count = h->buckets[i];
        *it = i + 1;
        return true;
    }
    *it = DS_HIST_NBUCKETS;
    return false;
}
