/*
 * crash.c - the crash shim (crash.h): a volatile layer of writes not yet durable over any
 * parent backend, and a seeded power cut that applies, drops or tears each of them.
 *
 * Layout: every write the shim keeps is appended to one array in the order it was made
 * (writes[head..n) are the volatile ones; writeback and the crash consume them from head).
 * Writes carry a global sequence number; a per-key node in a ds_table remembers the number
 * of the key's latest volatile write, so a read finds the newest state in O(1): the volatile
 * write when it is still in the layer, else the parent. The array is compacted when its
 * consumed prefix is more than half of it.
 */
#include "crash.h"

#include <stdlib.h>
#include <string.h>

#include "table.h"

#define CR_TABLE_SEED  0xc4a5bull
#define CR_COMPACT_MIN 1024u

typedef struct cr_key {
    ds_tnode node;
    uint64_t latest; /* sequence number of the latest volatile write; 0 = none */
    unsigned char key[];
} cr_key;

typedef struct cr_write {
    cr_key *k;
    ds_value *v; /* own copy; NULL = delete */
    int64_t t_us;
    bool interrupted;
} cr_write;

typedef struct crash_backend {
    ds_backend base;
    ds_backend *parent;
    ds_crash_opts o;
    ds_table keys;
    cr_write *w;
    size_t head, n, cap;
    uint64_t base_seq; /* sequence number of w[0]; numbers start at 1 */
    bool interrupted;
    ds_crash_counts counts;
} crash_backend;

static crash_backend *cr_of(ds_backend *b) { return (crash_backend *)b; }

static uint64_t seq_of(const crash_backend *c, size_t i) { return c->base_seq + i; }

/* The key's latest write while it is still volatile, else NULL. */
static cr_write *volatile_of(crash_backend *c, const void *key, uint32_t keylen) {
    uint64_t h = ds_table_hash(&c->keys, key, keylen);
    cr_key *k = (cr_key *)ds_table_find(&c->keys, h, key, keylen);
    if (!k || k->latest < seq_of(c, c->head) || k->latest == 0) return NULL;
    return &c->w[k->latest - c->base_seq];
}

static cr_key *key_node(crash_backend *c, const void *key, uint32_t keylen) {
    uint64_t h = ds_table_hash(&c->keys, key, keylen);
    cr_key *k = (cr_key *)ds_table_find(&c->keys, h, key, keylen);
    if (k) return k;
    k = calloc(1, sizeof *k + keylen);
    if (!k) return NULL;
    memcpy(k->key, key, keylen);
    k->node = (ds_tnode){.hash = h, .key = k->key, .keylen = keylen};
    if (ds_table_insert(&c->keys, &k->node) != DS_OK) {
        free(k);
        return NULL;
    }
    return k;
}

static ds_status apply(crash_backend *c, const cr_write *w, const ds_value *v, ds_err *err) {
    ds_backend *p = c->parent;
    ds_call call = {0, false};
    if (!v) {
        ds_status st = p->ops->del(p, &call, w->k->key, w->k->node.keylen, err);
        return st == DS_NOT_FOUND ? DS_OK : st;
    }
    return p->ops->set(p, &call, w->k->key, w->k->node.keylen, v, err);
}

static void compact(crash_backend *c) {
    if (c->head < CR_COMPACT_MIN || c->head * 2 < c->n) return;
    memmove(c->w, c->w + c->head, (c->n - c->head) * sizeof *c->w);
    c->base_seq += c->head;
    c->n -= c->head;
    c->head = 0;
}

/* Write back, in order, every volatile write older than writeback_us (all when `all`). */
static ds_status writeback(crash_backend *c, bool all, ds_err *err) {
    ds_status first = DS_OK;
    bool timed = !all && c->o.sync == DS_FSYNC_NEVER && c->o.writeback_us > 0 && c->o.now_us;
    int64_t now = timed ? c->o.now_us(c->o.now_ctx) : 0; /* no clock at close: the host is gone */
    while (c->head < c->n && (all || timed)) {
        cr_write *w = &c->w[c->head];
        bool due = all || (!w->interrupted && now - w->t_us >= c->o.writeback_us);
        if (!due) break;
        ds_status st = apply(c, w, w->v, err);
        if (st != DS_OK && first == DS_OK) first = st;
        ds_value_unref(w->v);
        c->head++;
        c->counts.written_back++;
    }
    compact(c);
    return first;
}

static ds_status keep(crash_backend *c, const void *key, uint32_t keylen, const ds_value *v,
                      ds_err *err) {
    cr_key *k = key_node(c, key, keylen);
    ds_value *copy = v ? ds_value_new(v->data, v->len, v->size_bytes, v->expire_us) : NULL;
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 256;
        cr_write *nw = realloc(c->w, ncap * sizeof *nw);
        if (nw) {
            c->w = nw;
            c->cap = ncap;
        }
    }
    if (!k || (v && !copy) || c->n == c->cap) {
        ds_value_unref(copy);
        return ds_err_set(err, DS_ERR_NOMEM, "crash shim: out of memory");
    }
    int64_t now = c->o.now_us ? c->o.now_us(c->o.now_ctx) : 0;
    c->w[c->n] = (cr_write){.k = k, .v = copy, .t_us = now, .interrupted = c->interrupted};
    k->latest = seq_of(c, c->n);
    c->n++;
    return DS_OK;
}

/* set and del: durable through the parent, or kept volatile. */
static ds_status write_one(crash_backend *c, const void *key, uint32_t keylen, const ds_value *v,
                           ds_err *err) {
    ds_status st = writeback(c, false, err);
    if (st != DS_OK) return st;
    if (c->interrupted || c->o.sync == DS_FSYNC_NEVER) {
        return keep(c, key, keylen, v, err);
    }
    uint64_t h = ds_table_hash(&c->keys, key, keylen);
    cr_key *k = (cr_key *)ds_table_find(&c->keys, h, key, keylen);
    if (k) k->latest = 0; /* the durable write supersedes any volatile one */
    ds_call call = {0, false};
    ds_backend *p = c->parent;
    return v ? p->ops->set(p, &call, key, keylen, v, err) : p->ops->del(p, &call, key, keylen, err);
}

static void cr_plan(ds_backend *b, ds_bop op, const void *key, uint32_t keylen, ds_call *call) {
    crash_backend *c = cr_of(b);
    c->parent->ops->plan(c->parent, op, key, keylen, call);
}

static ds_status cr_get(ds_backend *b, ds_call *call, const void *key, uint32_t keylen,
                        ds_value **out, ds_err *err) {
    crash_backend *c = cr_of(b);
    *out = NULL;
    ds_status st = writeback(c, false, err);
    if (st != DS_OK) return st;
    cr_write *w = volatile_of(c, key, keylen);
    if (!w) return c->parent->ops->get(c->parent, call, key, keylen, out, err);
    if (!w->v) return DS_NOT_FOUND;
    *out = ds_value_new(w->v->data, w->v->len, w->v->size_bytes, w->v->expire_us);
    return *out ? DS_OK : ds_err_set(err, DS_ERR_NOMEM, "crash shim: out of memory");
}

static ds_status cr_set(ds_backend *b, ds_call *call, const void *key, uint32_t keylen,
                        const ds_value *v, ds_err *err) {
    (void)call;
    if (!v) return ds_err_set(err, DS_ERR_ARG, "crash shim: set without a value");
    return write_one(cr_of(b), key, keylen, v, err);
}

static ds_status cr_del(ds_backend *b, ds_call *call, const void *key, uint32_t keylen,
                        ds_err *err) {
    (void)call;
    return write_one(cr_of(b), key, keylen, NULL, err);
}

static void drop_layer(crash_backend *c) {
    for (size_t i = c->head; i < c->n; i++)
        ds_value_unref(c->w[i].v);
    c->base_seq += c->n;
    c->head = c->n = 0;
}

static ds_status cr_flush_all(ds_backend *b, ds_err *err) {
    crash_backend *c = cr_of(b);
    drop_layer(c);
    return c->parent->ops->flush_all(c->parent, err);
}

typedef struct cr_scan {
    crash_backend *c;
    ds_scan_fn fn;
    void *ctx;
    bool stop;
} cr_scan;

/* Parent keys that have a volatile write are visited in the second pass, with that write. */
static bool scan_parent(void *ctx, const void *key, uint32_t keylen, const ds_value *v) {
    cr_scan *s = ctx;
    if (volatile_of(s->c, key, keylen)) return true;
    if (!s->fn(s->ctx, key, keylen, v)) s->stop = true;
    return !s->stop;
}

static ds_status cr_scan_all(ds_backend *b, ds_scan_fn fn, void *ctx, ds_err *err) {
    crash_backend *c = cr_of(b);
    cr_scan s = {c, fn, ctx, false};
    ds_status st = c->parent->ops->scan(c->parent, scan_parent, &s, err);
    size_t it = 0;
    ds_tnode *t;
    while (st == DS_OK && !s.stop && (t = ds_table_next(&c->keys, &it))) {
        cr_write *w = volatile_of(c, t->key, t->keylen);
        if (w && w->v && !fn(ctx, t->key, t->keylen, w->v)) s.stop = true;
    }
    return st;
}

static void cr_stats(ds_backend *b, ds_backend_stats *out) {
    crash_backend *c = cr_of(b);
    c->parent->ops->stats(c->parent, out);
}

static void cr_close(ds_backend *b) {
    crash_backend *c = cr_of(b);
    ds_err err;
    c->interrupted = false;
    writeback(c, true, &err); /* a clean shutdown writes everything back */
    size_t it = 0;
    ds_tnode *t;
    while ((t = ds_table_next(&c->keys, &it)))
        free(t);
    ds_table_free(&c->keys);
    free(c->w);
    if (!c->o.keep_parent) ds_backend_close(c->parent);
    free(c);
}

/* The shim handles no control operation of its own: every one goes to the store. */
static ds_status cr_control(ds_backend *b, int op, void *arg) {
    return ds_backend_control(cr_of(b)->parent, op, arg);
}

static const ds_backend_ops crash_ops = {
    .version = DS_BACKEND_VERSION,
    .name = "crash",
    .plan = cr_plan,
    .get = cr_get,
    .set = cr_set,
    .del = cr_del,
    .flush_all = cr_flush_all,
    .scan = cr_scan_all,
    .stats = cr_stats,
    .close = cr_close,
    .control = cr_control,
};

ds_backend *ds_backend_crash_new(ds_backend *parent, const ds_crash_opts *o, ds_err *err) {
    if (!parent) return ds_err_set(err, DS_ERR_ARG, "crash shim: no parent backend"), NULL;
    crash_backend *c = calloc(1, sizeof *c);
    if (!c || ds_table_init(&c->keys, 256, CR_TABLE_SEED) != DS_OK) {
        free(c);
        if (!o || !o->keep_parent) ds_backend_close(parent);
        return ds_err_set(err, DS_ERR_NOMEM, "crash shim: out of memory"), NULL;
    }
    c->base.ops = &crash_ops;
    c->parent = parent;
    if (o) c->o = *o;
    c->base_seq = 1;
    return &c->base;
}

void ds_backend_crash_interrupt(ds_backend *b, bool on) {
    if (b && b->ops == &crash_ops) cr_of(b)->interrupted = on;
}

ds_backend *ds_backend_crash_parent(ds_backend *b) {
    return b && b->ops == &crash_ops ? cr_of(b)->parent : NULL;
}

/* Damage: keep the first `keep` bytes, flip every bit of the rest (never the same bytes). */
static ds_value *tear(const ds_value *v, ds_rng *r) {
    ds_value *t = ds_value_new(v->data, v->len, v->size_bytes, v->expire_us);
    if (!t || v->len == 0) return t;
    uint32_t keep = (uint32_t)ds_rng_below(r, v->len);
    for (uint32_t i = keep; i < t->len; i++)
        t->data[i] ^= 0xff;
    return t;
}

ds_status ds_backend_crash_crash(ds_backend *b, uint64_t seed, ds_crash_counts *out, ds_err *err) {
    if (!b || b->ops != &crash_ops) return ds_err_set(err, DS_ERR_ARG, "not a crash shim");
    crash_backend *c = cr_of(b);
    ds_rng r;
    ds_rng_seed(&r, seed);
    ds_status first = DS_OK;
    c->counts.volatile_writes = c->n - c->head;
    for (size_t i = c->head; i < c->n; i++) {
        const cr_write *w = &c->w[i];
        bool may_tear = w->v && !(w->interrupted && c->o.sync == DS_FSYNC_ALWAYS);
        uint64_t fate = ds_rng_below(&r, may_tear ? 3 : 2); /* 0 applied, 1 dropped, 2 torn */
        c->counts.interrupted += w->interrupted;
        if (fate == 1) {
            c->counts.dropped++;
            continue;
        }
        ds_value *torn = fate == 2 ? tear(w->v, &r) : NULL;
        if (fate == 2 && !torn) return ds_err_set(err, DS_ERR_NOMEM, "crash shim: out of memory");
        ds_status st = apply(c, w, fate == 2 ? torn : w->v, err);
        ds_value_unref(torn);
        if (st != DS_OK && first == DS_OK) first = st;
        if (fate == 2)
            c->counts.torn++;
        else
            c->counts.applied++;
    }
    drop_layer(c);
    if (out) *out = c->counts;
    return first;
}
