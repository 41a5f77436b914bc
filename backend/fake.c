/*
 * fake.c - a latency and fault shim over any parent backend (SQLite test-VFS style).
 *
 * Why a shim and not a "fake store": the same latency and fault effects must apply to the
 * memory store (fast, deterministic simulations) and to the real file backend (checking that
 * the core survives IO errors on a real disk). So this backend stores nothing: plan() decides
 * the service time and whether the call fails, get/set/del either fail with DS_ERR_IO without
 * touching the parent or forward to it.
 *
 * Determinism: every random draw comes from one ds_rng seeded by opts->seed, advanced under a
 * mutex because real-time mode plans from worker threads (a host that calls from one thread
 * says so with DS_BCTL_ONE_THREAD, and the shim then skips the mutex: ~55 instructions a call). In
 * virtual time plan() is called in a deterministic order, so a seed replays exactly. Draws do not
 * depend on whether faults are enabled, so toggling faults off for the final drain does not shift
 * later latencies.
 */
#include "backend_int.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct fake_backend {
    ds_backend base;
    ds_backend *parent;
    pthread_mutex_t mu;
    bool locked; /* take mu (false: the host calls from one thread, DS_BCTL_ONE_THREAD) */
    ds_latency lat[3];
    ds_faults faults;
    ds_rng rng;
    uint64_t calls; /* plan() calls so far, 1-based numbering for the countdown */
    bool faults_on;
    bool plain;     /* no fault can fire and no BUGGIFY site: plan() only draws the latency */
    ds_buggify bug; /* its own generator: off, the latency draws are those of a plain run */
    uint64_t gets, sets, dels, injected, slowed, stalled;
} fake_backend;

static fake_backend *fake_of(ds_backend *b) { return (fake_backend *)b; }

static inline void fake_lock(fake_backend *f) {
    if (f->locked) pthread_mutex_lock(&f->mu);
}
static inline void fake_unlock(fake_backend *f) {
    if (f->locked) pthread_mutex_unlock(&f->mu);
}

/* BUGGIFY sites (schedule exploration). A write that fails is retried by the core, so a
 * failed SET or DEL is a retryable fault; reads are never failed (a failed LOAD answers its
 * clients with an error). Called under the shim's lock (none for a one-thread host). */
enum { FAKE_BUG_SLOW = 0, FAKE_BUG_INSTANT, FAKE_BUG_FAIL_WRITE };
static int64_t buggify_plan(fake_backend *f, ds_bop op, int64_t us, bool *fail) {
    if (!f->bug.on) return us;
    if (ds_buggify_fire(&f->bug, FAKE_BUG_SLOW)) us += (int64_t)ds_rng_below(&f->bug.rng, 10000);
    if (ds_buggify_fire(&f->bug, FAKE_BUG_INSTANT)) us = 0;
    if (op != DS_BOP_GET && f->faults_on && ds_buggify_fire(&f->bug, FAKE_BUG_FAIL_WRITE))
        *fail = true;
    return us;
}

/* Faults for call number n, whose latency draw was us; under the shim's lock (if any). */
static int64_t fault_plan(fake_backend *f, ds_bop op, uint64_t n, int64_t us, bool *failp) {
    const ds_faults *fl = &f->faults;
    bool fail = false;
    bool slow = fl->slow_p > 0 && ds_rng_double(&f->rng) < fl->slow_p;
    bool err = fl->err_p > 0 && ds_rng_double(&f->rng) < fl->err_p;
    if (f->faults_on) {
        if (slow) {
            us += fl->slow_us;
            f->slowed++;
        }
        if (fl->stall_every && n % fl->stall_every == 0) {
            us += fl->stall_us;
            f->stalled++;
        }
        fail = err || (n > fl->fail_after && n - fl->fail_after <= fl->fail_count);
    }
    us = buggify_plan(f, op, us, &fail);
    *failp = fail;
    return us;
}

/* Draw latency and faults for one call; the mutex keeps the rng and counters consistent. A
 * shim with no faults and no BUGGIFY (`plain`, a replay's default) only draws the latency.
 * The layers below plan first: each shim draws from its own rng, so the order between them
 * changes no number, and the key need not be kept across the draw. */
static void fake_plan(ds_backend *b, ds_bop op, const void *key, uint32_t keylen, ds_call *call) {
    fake_backend *f = fake_of(b);
    *call = (ds_call){0, false, call->size_hint};
    f->parent->ops->plan(f->parent, op, key, keylen, call);
    bool fail = false;
    fake_lock(f);
    uint64_t n = ++f->calls;
    int64_t us = ds_latency_draw_inline(&f->lat[op <= DS_BOP_DEL ? op : 0], &f->rng);
    if (!f->plain) us = fault_plan(f, op, n, us, &fail);
    fake_unlock(f);
    call->service_us += us;
    call->fail = fail || call->fail;
}

static ds_status fake_fail(fake_backend *f, const char *what, ds_err *err) {
    fake_lock(f);
    f->injected++;
    fake_unlock(f);
    return ds_err_set(err, DS_ERR_IO, "fake(%s) %s: injected fault", f->parent->ops->name, what);
}

/* Call counters are relaxed atomics, not a lock round trip per IO: nothing orders on them,
 * and fake_stats reads each one atomically. */
static void fake_count(fake_backend *f, uint64_t *counter) {
    (void)f;
    __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

static ds_status fake_get(ds_backend *b, ds_call *call, const void *key, uint32_t keylen,
                          ds_value **out, ds_err *err) {
    fake_backend *f = fake_of(b);
    fake_count(f, &f->gets);
    *out = NULL;
    if (call && call->fail) return fake_fail(f, "get", err);
    return f->parent->ops->get(f->parent, call, key, keylen, out, err);
}

static ds_status fake_set(ds_backend *b, ds_call *call, const void *key, uint32_t keylen,
                          const ds_value *v, ds_err *err) {
    fake_backend *f = fake_of(b);
    fake_count(f, &f->sets);
    if (call && call->fail) return fake_fail(f, "set", err);
    return f->parent->ops->set(f->parent, call, key, keylen, v, err);
}

static ds_status fake_del(ds_backend *b, ds_call *call, const void *key, uint32_t keylen,
                          ds_err *err) {
    fake_backend *f = fake_of(b);
    fake_count(f, &f->dels);
    if (call && call->fail) return fake_fail(f, "del", err);
    return f->parent->ops->del(f->parent, call, key, keylen, err);
}

static ds_status fake_flush_all(ds_backend *b, ds_err *err) {
    fake_backend *f = fake_of(b);
    return f->parent->ops->flush_all(f->parent, err);
}

static ds_status fake_scan(ds_backend *b, ds_scan_fn fn, void *ctx, ds_err *err) {
    fake_backend *f = fake_of(b);
    return f->parent->ops->scan(f->parent, fn, ctx, err);
}

/* Calls as seen at this layer (failed ones included); bytes and keys from the parent; errors
 * are the parent's plus the injected ones. */
static void fake_stats(ds_backend *b, ds_backend_stats *out) {
    fake_backend *f = fake_of(b);
    f->parent->ops->stats(f->parent, out);
    fake_lock(f);
    out->gets = __atomic_load_n(&f->gets, __ATOMIC_RELAXED);
    out->sets = __atomic_load_n(&f->sets, __ATOMIC_RELAXED);
    out->dels = __atomic_load_n(&f->dels, __ATOMIC_RELAXED);
    out->errors += f->injected;
    fake_unlock(f);
}

static void fake_close(ds_backend *b) {
    fake_backend *f = fake_of(b);
    ds_backend_close(f->parent);
    for (int i = 0; i < 3; i++)
        ds_latency_free(&f->lat[i]);
    pthread_mutex_destroy(&f->mu);
    free(f);
}

/* Faults are this layer's; everything else is the parent's. DS_BCTL_FAULTS reaches every fake
 * in a stack, so "faults off before the final drain" holds however the host composed it. */
static ds_status fake_control(ds_backend *b, int op, void *arg) {
    fake_backend *f = fake_of(b);
    if (op != DS_BCTL_FAULTS && op != DS_BCTL_ONE_THREAD)
        return ds_backend_control(f->parent, op, arg);
    if (!arg) return DS_ERR_ARG;
    if (op == DS_BCTL_ONE_THREAD) {
        f->locked = !*(const bool *)arg; /* no call in flight (dslab.h), so no lock to hold */
    } else {
        fake_lock(f);
        f->faults_on = *(const bool *)arg;
        fake_unlock(f);
    }
    ds_status st = ds_backend_control(f->parent, op, arg);
    return st == DS_NOT_FOUND ? DS_OK : st;
}

static const ds_backend_ops fake_ops = {
    .version = DS_BACKEND_VERSION,
    .name = "fake",
    .plan = fake_plan,
    .get = fake_get,
    .set = fake_set,
    .del = fake_del,
    .flush_all = fake_flush_all,
    .scan = fake_scan,
    .stats = fake_stats,
    .close = fake_close,
    .control = fake_control,
};

/* Deep copy of a model, so the caller may free its own (hist points are heap memory). */
static bool lat_copy(ds_latency *dst, const ds_latency *src) {
    *dst = *src;
    dst->hist_us = dst->hist_cdf = NULL;
    if (src->kind != DS_LAT_HIST || src->nhist == 0) {
        dst->nhist = 0;
        return true;
    }
    size_t sz = src->nhist * sizeof(double);
    dst->hist_us = malloc(sz);
    dst->hist_cdf = malloc(sz);
    if (!dst->hist_us || !dst->hist_cdf) {
        ds_latency_free(dst);
        return false;
    }
    memcpy(dst->hist_us, src->hist_us, sz);
    memcpy(dst->hist_cdf, src->hist_cdf, sz);
    return true;
}

ds_backend *ds_backend_fake_new(ds_backend *parent, const ds_fake_opts *o, ds_err *err) {
    if (!parent) {
        ds_err_set(err, DS_ERR_ARG, "fake backend: no parent backend");
        return NULL;
    }
    fake_backend *f = calloc(1, sizeof(*f));
    bool ok = f != NULL;
    for (int i = 0; ok && o && i < 3; i++)
        ok = lat_copy(&f->lat[i], &o->lat[i]);
    if (!ok) {
        if (f)
            for (int i = 0; i < 3; i++)
                ds_latency_free(&f->lat[i]);
        free(f);
        ds_backend_close(parent);
        ds_err_set(err, DS_ERR_NOMEM, "fake backend: out of memory");
        return NULL;
    }
    if (o) f->faults = o->faults;
    ds_rng_seed(&f->rng, o ? o->seed : 0);
    ds_buggify_init(&f->bug, o && o->buggify, (o ? o->seed : 0) ^ 0xfa4eull);
    f->faults_on = true;
    const ds_faults *fl = &f->faults;
    f->plain =
        !(fl->slow_p > 0) && !(fl->err_p > 0) && !fl->stall_every && !fl->fail_count && !f->bug.on;
    f->parent = parent;
    pthread_mutex_init(&f->mu, NULL);
    f->locked = true;
    f->base.ops = &fake_ops;
    return &f->base;
}

void ds_backend_fake_faults_enable(ds_backend *b, bool on) {
    ds_status st = ds_backend_control(b, DS_BCTL_FAULTS, &on);
    assert(st == DS_OK || st == DS_NOT_FOUND); /* NOT_FOUND: no fake in this stack */
    (void)st;
}
