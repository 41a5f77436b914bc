/*
 * backend_int.h - backend-module internals shared between backend/ files and their tests.
 *
 * Not part of the public API (core/dslab.h). Test hooks of the file backend live here; they
 * reach the store through ds_backend_control (DS_BCTL_FILE_*), so they work below any shims
 * and are refused (DS_NOT_FOUND) by a stack without a file store.
 */
#ifndef DS_BACKEND_INT_H
#define DS_BACKEND_INT_H

#include "dslab.h"

/* File backend test hook: AND every key hash with mask before it picks a file, so tests can
 * force collisions (mask 0 puts every key on one probe chain). Not thread-safe against calls
 * in flight: set it right after open. No-op on other backends. */
void ds_backend_file_hash_mask(ds_backend *b, uint64_t mask);

/* File backend: the path of the file holding key, for tests that corrupt or truncate it.
 * Returns DS_NOT_FOUND when no file holds the key. */
ds_status ds_backend_file_path(ds_backend *b, const void *key, uint32_t keylen, char *buf,
                               size_t buflen);

/* The longest backend call a latency model may describe (latency.c says why): one hour. */
#define DS_LAT_MAX_US 3.6e9

/* ds_rng_double's number without the call: the same step, the same 53 bits, the same scale. */
static inline double ds_lat_unit(ds_rng *r) { return (double)(ds_rng_step(r) >> 11) * 0x1.0p-53; }

/* A drawn latency x (microseconds) as ds_latency_draw returns it: 0 for x <= 0 or NaN, clamped
 * to DS_LAT_MAX_US, rounded as llround without the libm call (0 < x <= 3.6e9, so the
 * truncation is exact and so is x - t, the fractional part; ties go up as llround's do). */
static inline int64_t ds_lat_round(double x) {
    if (!(x > 0)) return 0;
    if (x > DS_LAT_MAX_US) x = DS_LAT_MAX_US;
    int64_t t = (int64_t)x;
    return t + (x - (double)t >= 0.5);
}

/* ds_latency_draw, with the fixed and uniform models inline (the fake's defaults: one draw a
 * backend call); the same numbers, from the same expressions. */
static inline int64_t ds_latency_draw_inline(const ds_latency *m, ds_rng *r) {
    if (m->kind == DS_LAT_UNIFORM) return ds_lat_round(m->a + ds_lat_unit(r) * (m->b - m->a));
    if (m->kind == DS_LAT_FIXED) return ds_lat_round(m->a);
    return ds_latency_draw(m, r);
}

#endif /* DS_BACKEND_INT_H */
