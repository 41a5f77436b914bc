/*
 * oracle.c - shadow map key -> last acknowledged version, and the two checks.
 *
 * The acceptance rule for a read (documented in README "Oracle"): a read issued at I and
 * answered at A may return any state the key had at some moment in [I, A]. Concretely the
 * observed version o is accepted when
 *   - o is the key's current shadow state, or
 *   - o is the state the key had at I (the snapshot), or
 *   - o is a SET version created after I (so its SET was issued, and acknowledged no later than
 *     its effect became visible, after the read was issued), or
 *   - o is "absent" and a DEL of the key was acknowledged after I, or
 *   - o is "absent" or the expired version and the shadow's value expired before A,
 * except that a version which had already expired when the read was issued is never
 * acceptable (the cache must not hand out a value past its TTL).
 * An immediate answer has I == A, so it must equal the current state. Anything else is a stale
 * read. Known approximation: a SET inside an EXEC gets its version when the EXEC is issued but
 * is acknowledged when the EXEC is answered, so a read issued between the two that returns
 * that value is accepted only once the EXEC's answer arrived (it is then "current").
 *
 * Lost writes: after the drain the backend must hold exactly the shadow: every key whose state
 * is a version holds that version, every absent key is missing, keys with the origin's copy
 * are missing or hold the origin's copy, and an expired value may be present or missing.
 */
#include "oracle.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORACLE_KEY_SEED 0x0ddba11c0ffeeull

typedef struct oracle_ent {
    uint64_t hash;
    uint64_t koff; /* offset of the key bytes in the arena; UINT64_MAX = empty slot */
    uint32_t keylen;
    uint32_t epoch;    /* scan mark */
    uint64_t version;  /* DS_ORACLE_V_* or a version */
    uint64_t del_ack;  /* ack number of the last DEL (0 = none) */
    int64_t expire_us; /* of the current version; 0 = never */
    int64_t w_time_us; /* the last acknowledged write: when, who, which op */
    uint64_t w_client;
    uint8_t w_op;
    bool written;
} oracle_ent;

struct ds_oracle {
    ds_oracle_pub pub; /* first: used, acks, next_version, origin (oracle.h) */
    oracle_ent *tab;
    size_t cap; /* a power of two */
    unsigned char *arena;
    uint64_t arena_len, arena_cap;
    uint32_t epoch;
};
/* oracle.h reads a ds_oracle through a ds_oracle_pub pointer. */
_Static_assert(offsetof(struct ds_oracle, pub) == 0, "pub must be the first member");

ds_oracle *ds_oracle_new(bool origin, ds_err *err) {
    ds_oracle *o = calloc(1, sizeof *o);
    if (!o) return ds_err_set(err, DS_ERR_NOMEM, "oracle: out of memory"), NULL;
    o->cap = 1024;
    o->tab = malloc(o->cap * sizeof *o->tab);
    if (!o->tab) {
        free(o);
        return ds_err_set(err, DS_ERR_NOMEM, "oracle: out of memory"), NULL;
    }
    for (size_t i = 0; i < o->cap; i++)
        o->tab[i].koff = UINT64_MAX;
    o->pub.next_version = DS_ORACLE_V_FIRST;
    o->pub.origin = origin;
    return o;
}

void ds_oracle_free(ds_oracle *o) {
    if (!o) return;
    free(o->tab);
    free(o->arena);
    free(o);
}

uint64_t ds_oracle_keys(const ds_oracle *o) { return o->pub.used; }

static uint64_t key_hash(const void *key, uint32_t keylen) {
    return ds_hash64(key, keylen, ORACLE_KEY_SEED);
}

static oracle_ent *find_slot(oracle_ent *tab, size_t cap, const unsigned char *arena,
                             const void *key, uint32_t keylen, uint64_t h) {
    size_t i = (size_t)h & (cap - 1);
    for (;;) {
        oracle_ent *e = &tab[i];
        if (e->koff == UINT64_MAX) return e;
        if (e->hash == h && e->keylen == keylen && memcmp(arena + e->koff, key, keylen) == 0)
            return e;
        i = (i + 1) & (cap - 1);
    }
}

static bool grow(ds_oracle *o) {
    size_t ncap = o->cap * 2;
    oracle_ent *nt = malloc(ncap * sizeof *nt);
    if (!nt) return false;
    for (size_t i = 0; i < ncap; i++)
        nt[i].koff = UINT64_MAX;
    for (size_t i = 0; i < o->cap; i++) {
        oracle_ent *e = &o->tab[i];
        if (e->koff == UINT64_MAX) continue;
        size_t j = (size_t)e->hash & (ncap - 1);
        while (nt[j].koff != UINT64_MAX)
            j = (j + 1) & (ncap - 1);
        nt[j] = *e;
    }
    free(o->tab);
    o->tab = nt;
    o->cap = ncap;
    return true;
}

/* Find or insert; a new key starts absent (or with the origin's copy). NULL on OOM. */
static oracle_ent *upsert(ds_oracle *o, const void *key, uint32_t keylen) {
    uint64_t h = key_hash(key, keylen);
    oracle_ent *e = find_slot(o->tab, o->cap, o->arena, key, keylen, h);
    if (e->koff != UINT64_MAX) return e;
    if ((o->pub.used + 1) * 2 > o->cap) {
        if (!grow(o)) return NULL;
        e = find_slot(o->tab, o->cap, o->arena, key, keylen, h);
    }
    if (o->arena_len + keylen > o->arena_cap) {
        uint64_t ncap = o->arena_cap ? o->arena_cap * 2 : 65536;
        while (ncap < o->arena_len + keylen)
            ncap *= 2;
        unsigned char *na = realloc(o->arena, ncap);
        if (!na) return NULL;
        o->arena = na;
        o->arena_cap = ncap;
    }
    memcpy(o->arena + o->arena_len, key, keylen);
    *e = (oracle_ent){.hash = h,
                      .koff = o->arena_len,
                      .keylen = keylen,
                      .version = o->pub.origin ? DS_ORACLE_V_ORIGIN : DS_ORACLE_V_ABSENT};
    o->arena_len += keylen;
    o->pub.used++;
    return e;
}

/* A key and its oracle hash, computed when first needed (a read-only replay of an object-id
 * trace never needs it: the shadow stays empty and origin stamps fail the version test). */
typedef struct okey {
    const void *key;
    uint32_t len;
    bool have;
    uint64_t h;
} okey;

static uint64_t okey_hash(okey *k) {
    if (!k->have) {
        k->h = key_hash(k->key, k->len);
        k->have = true;
    }
    return k->h;
}

static const oracle_ent *lookup_k(const ds_oracle *o, okey *k) {
    if (o->pub.used == 0) return NULL; /* nothing written yet: no probe, no hash */
    oracle_ent *e = find_slot(o->tab, o->cap, o->arena, k->key, k->len, okey_hash(k));
    return e->koff == UINT64_MAX ? NULL : e;
}

static const oracle_ent *lookup(const ds_oracle *o, const void *key, uint32_t keylen) {
    okey k = {key, keylen, false, 0};
    return lookup_k(o, &k);
}

ds_value *ds_oracle_value(ds_oracle *o, const void *key, uint32_t keylen, uint64_t size_bytes,
                          int64_t expire_us) {
    uint64_t stamp[2] = {o->pub.next_version++, key_hash(key, keylen)};
    return ds_value_new(stamp, sizeof stamp, size_bytes, expire_us);
}

uint64_t ds_oracle_stamp_version(const void *key, uint32_t keylen, const ds_value *v) {
    uint64_t stamp[2];
    if (!v || v->len != sizeof stamp) return DS_ORACLE_V_FOREIGN;
    memcpy(stamp, v->data, sizeof stamp);
    if (stamp[1] != key_hash(key, keylen) || stamp[0] < DS_ORACLE_V_FIRST)
        return DS_ORACLE_V_FOREIGN;
    return stamp[0];
}

/* What a value says: its version, the origin's copy, or foreign. The key is hashed only for a
 * stamp whose version is one we handed out. */
static uint64_t classify_k(const ds_oracle *o, okey *k, const ds_value *v) {
    if (!v) return DS_ORACLE_V_ABSENT;
    if (v->len == 16) {
        uint64_t stamp[2];
        memcpy(stamp, v->data, sizeof stamp);
        if (stamp[0] >= DS_ORACLE_V_FIRST && stamp[0] < o->pub.next_version &&
            stamp[1] == okey_hash(k))
            return stamp[0];
    }
    return o->pub.origin ? DS_ORACLE_V_ORIGIN : DS_ORACLE_V_FOREIGN;
}

static uint64_t classify(const ds_oracle *o, const void *key, uint32_t keylen, const ds_value *v) {
    okey k = {key, keylen, false, 0};
    return classify_k(o, &k, v);
}

void ds_oracle_snapshot(ds_oracle *o, const void *key, uint32_t keylen, ds_oracle_snap *s) {
    okey k = {key, keylen, false, 0};
    const oracle_ent *e = lookup_k(o, &k);
    s->hash = k.h;
    s->hashed = k.have;
    s->version = e ? e->version : (o->pub.origin ? DS_ORACLE_V_ORIGIN : DS_ORACLE_V_ABSENT);
    s->created = o->pub.next_version - 1;
    s->acks = o->pub.acks;
    s->issue_us = 0;
}

ds_status ds_oracle_ack(ds_oracle *o, const void *key, uint32_t keylen, const ds_value *v,
                        ds_err *err) {
    return ds_oracle_ack_at(o, key, keylen, v, 0, 0, v ? DS_OP_SET : DS_OP_DEL, err);
}

ds_status ds_oracle_ack_at(ds_oracle *o, const void *key, uint32_t keylen, const ds_value *v,
                           int64_t time_us, uint64_t client, ds_op op, ds_err *err) {
    oracle_ent *e = upsert(o, key, keylen);
    if (!e) return ds_err_set(err, DS_ERR_NOMEM, "oracle: out of memory");
    o->pub.acks++;
    e->w_time_us = time_us;
    e->w_client = client;
    e->w_op = (uint8_t)op;
    e->written = true;
    if (v) {
        e->version = classify(o, key, keylen, v);
        e->expire_us = v->expire_us;
    } else {
        e->version = DS_ORACLE_V_ABSENT;
        e->expire_us = 0;
        e->del_ack = o->pub.acks;
    }
    return DS_OK;
}

static void describe(uint64_t v, char *buf, size_t cap) {
    if (v == DS_ORACLE_V_ABSENT)
        snprintf(buf, cap, "absent");
    else if (v == DS_ORACLE_V_ORIGIN)
        snprintf(buf, cap, "origin");
    else if (v == DS_ORACLE_V_FOREIGN)
        snprintf(buf, cap, "foreign");
    else
        snprintf(buf, cap, "v%llu", (unsigned long long)v);
}

bool ds_oracle_last_write(const ds_oracle *o, const void *key, uint32_t keylen,
                          ds_oracle_write *out) {
    const oracle_ent *e = lookup(o, key, keylen);
    if (!e || !e->written) return false;
    out->time_us = e->w_time_us;
    out->client = e->w_client;
    out->op = (ds_op)e->w_op;
    describe(e->version, out->version, sizeof out->version);
    return true;
}

bool ds_oracle_check(ds_oracle *o, const void *key, uint32_t keylen, const ds_value *seen,
                     const ds_oracle_snap *s, int64_t now_us, char *expected, char *observed,
                     size_t cap) {
    okey k = {key, keylen, s->hashed, s->hash};
    uint64_t got = classify_k(o, &k, seen);
    const oracle_ent *e = lookup_k(o, &k);
    uint64_t cur = e ? e->version : (o->pub.origin ? DS_ORACLE_V_ORIGIN : DS_ORACLE_V_ABSENT);
    if (e && got == e->version && got >= DS_ORACLE_V_FIRST && e->expire_us &&
        e->expire_us <= s->issue_us) { /* expired before the read was issued */
        snprintf(expected, cap, "absent(expired)");
        describe(got, observed, cap);
        return false;
    }
    if (got == cur || got == s->version) return true;
    if (got >= DS_ORACLE_V_FIRST && got != DS_ORACLE_V_FOREIGN && got > s->created) return true;
    if (e && got == DS_ORACLE_V_ABSENT && e->del_ack > s->acks) return true;
    if (e && e->expire_us && e->expire_us <= now_us &&
        (got == DS_ORACLE_V_ABSENT || got == e->version))
        return true;
    describe(cur, expected, cap);
    describe(got, observed, cap);
    return false;
}

typedef struct scan_ctx {
    ds_oracle *o;
    int64_t now_us;
    ds_oracle_lost_fn fn;
    void *ctx;
    uint64_t lost;
} scan_ctx;

static bool scan_one(void *vctx, const void *key, uint32_t keylen, const ds_value *v) {
    scan_ctx *sc = vctx;
    ds_oracle *o = sc->o;
    uint64_t got = classify(o, key, keylen, v);
    oracle_ent *e = find_slot(o->tab, o->cap, o->arena, key, keylen, key_hash(key, keylen));
    uint64_t want = e->koff != UINT64_MAX
                        ? e->version
                        : (o->pub.origin ? DS_ORACLE_V_ORIGIN : DS_ORACLE_V_ABSENT);
    if (e->koff != UINT64_MAX) e->epoch = o->epoch;
    bool expired = e->koff != UINT64_MAX && e->expire_us && e->expire_us <= sc->now_us;
    if (got == want || expired) return true;
    char a[32], b[32];
    describe(want, a, sizeof a);
    describe(got, b, sizeof b);
    sc->lost++;
    sc->fn(sc->ctx, key, keylen, a, b);
    return true;
}

ds_status ds_oracle_scan(ds_oracle *o, ds_backend *b, int64_t now_us, ds_oracle_lost_fn fn,
                         void *ctx, uint64_t *lost, ds_err *err) {
    scan_ctx sc = {.o = o, .now_us = now_us, .fn = fn, .ctx = ctx};
    o->epoch++;
    ds_status st = b->ops->scan(b, scan_one, &sc, err);
    if (st != DS_OK) return st;
    for (size_t i = 0; i < o->cap; i++) { /* keys the backend did not list */
        oracle_ent *e = &o->tab[i];
        if (e->koff == UINT64_MAX || e->epoch == o->epoch) continue;
        if (e->version < DS_ORACLE_V_FIRST) continue; /* absent or origin: fine */
        if (e->expire_us && e->expire_us <= now_us) continue;
        char a[32];
        describe(e->version, a, sizeof a);
        sc.lost++;
        fn(ctx, o->arena + e->koff, e->keylen, a, "absent");
    }
    *lost = sc.lost;
    return DS_OK;
}

typedef struct seed_ctx {
    ds_oracle *o;
    uint64_t n;
    ds_status st;
    ds_err *err;
} seed_ctx;

static bool seed_one(void *ctx, const void *key, uint32_t keylen, const ds_value *v) {
    seed_ctx *sc = ctx;
    uint64_t ver = ds_oracle_stamp_version(key, keylen, v);
    if (ver != DS_ORACLE_V_FOREIGN && ver >= sc->o->pub.next_version)
        sc->o->pub.next_version = ver + 1;
    sc->st = ds_oracle_ack(sc->o, key, keylen, v, sc->err);
    sc->n++;
    return sc->st == DS_OK;
}

ds_status ds_oracle_seed(ds_oracle *o, ds_backend *b, uint64_t *n, ds_err *err) {
    seed_ctx sc = {.o = o, .st = DS_OK, .err = err};
    ds_status st = b->ops->scan(b, seed_one, &sc, err); /* pass 1: the highest stamp */
    if (st == DS_OK && sc.st == DS_OK) {
        sc.n = 0;
        st = b->ops->scan(b, seed_one, &sc, err); /* pass 2: every stamp is below it now */
    }
    *n = sc.n;
    return st != DS_OK ? st : sc.st;
}
