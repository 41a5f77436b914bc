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

typedef struct ds_hist ds_hist; /* log-bucketed, <= 1% relative error, values in us >= 0 */

ds_hist *ds_hist_new(void);
void ds_hist_free(ds_hist *h);
void ds_hist_reset(ds_hist *h);
/* O(1), no allocation; a negative value clamps to 0. */
void ds_hist_add(ds_hist *h, int64_t v_us);
/* The same value into two histograms (a run's and an interval's): the bucket is found once. */
void ds_hist_add2(ds_hist *a, ds_hist *b, int64_t v_us);
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
