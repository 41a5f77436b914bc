/*
 * util.c - the small shared pieces every module uses: status and op names, error text,
 * the deterministic random generator, the byte-string hash, values, size parsing.
 *
 * Why here: each is tiny and used by several modules and by the host; none holds state
 * beyond what the caller passes in, so the library keeps no global mutable state.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dslab.h"
#include "hash.h"
#include "vpool.h"

const char *ds_status_name(ds_status s) {
    static const char *const names[] = {
        [DS_OK] = "ok",
        [DS_NOT_FOUND] = "not-found",
        [DS_BLOCKED] = "blocked",
        [DS_ERR_ARG] = "bad-argument",
        [DS_ERR_NOMEM] = "out-of-memory",
        [DS_ERR_TOOBIG] = "too-big",
        [DS_ERR_CONFIG] = "bad-config",
        [DS_ERR_IO] = "io-error",
        [DS_ERR_FLAGS] = "flags-misuse",
        [DS_ERR_MEMORY] = "memory-limit",
        [DS_ERR_REENTRANT] = "reentrant-call",
        [DS_ERR_STATE] = "bad-state",
        [DS_ERR_CORRUPT] = "corrupt",
    };
    if ((unsigned)s < sizeof names / sizeof names[0] && names[s]) return names[s];
    return "unknown-status";
}

const char *ds_op_name(ds_op op) {
    static const char *const names[] = {"GET", "SET", "DEL", "EXISTS", "MGET", "EXEC"};
    if ((unsigned)op < DS_OP__COUNT) return names[op];
    return "?";
}

ds_status ds_err_set(ds_err *err, ds_status status, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return status;
}

/* splitmix64: expands one seed into the xoshiro state (never all zero). */
static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void ds_rng_seed(ds_rng *r, uint64_t seed) {
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

uint64_t ds_rng_next(ds_rng *r) { return ds_rng_step(r); }

double ds_rng_double(ds_rng *r) { return (double)(ds_rng_next(r) >> 11) * 0x1.0p-53; }

/* Lemire's nearly divisionless bounded draw: unbiased. */
uint64_t ds_rng_below(ds_rng *r, uint64_t n) {
    if (n == 0) return 0;
    __uint128_t m = (__uint128_t)ds_rng_next(r) * n;
    uint64_t l = (uint64_t)m;
    if (l < n) {
        uint64_t t = (0 - n) % n;
        while (l < t) {
            m = (__uint128_t)ds_rng_next(r) * n;
            l = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

/*
 * A fast 64-bit hash of a byte string (wyhash-style multiply-fold). It only needs to be
 * deterministic and well mixed: hash tables and the file backend's directory tree use it.
 */
static inline uint64_t rd64(const unsigned char *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t rd32(const unsigned char *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

uint64_t ds_hash64_from(const void *key, size_t len, uint64_t state) {
    const uint64_t k1 = DS_HASH64_K1, k2 = DS_HASH64_K2;
    const unsigned char *p = key;
    uint64_t h = state ^ (uint64_t)len;
    size_t i = len;
    while (i > 16) {
        h = ds_hash64_mix(rd64(p) ^ k1, rd64(p + 8) ^ h);
        p += 16;
        i -= 16;
    }
    uint64_t a = 0, b = 0;
    if (i >= 8) {
        a = rd64(p);
        b = rd64(p + i - 8);
    } else if (i >= 4) {
        a = rd32(p);
        b = rd32(p + i - 4);
    } else if (i > 0) {
        a = ((uint64_t)p[0] << 16) | ((uint64_t)p[i >> 1] << 8) | p[i - 1];
    }
    return ds_hash64_mix(k2 ^ (uint64_t)len, ds_hash64_mix(a ^ k1, b ^ h));
}

uint64_t ds_hash64(const void *key, size_t len, uint64_t seed) {
    return ds_hash64_from(key, len, ds_hash64_state(seed));
}

ds_value *ds_value_new(const void *data, uint32_t len, uint64_t size_bytes, int64_t expire_us) {
    ds_value *v = malloc(sizeof *v + len);
    if (!v) return NULL;
    v->refcnt = 1;
    v->len = len;
    v->size_bytes = size_bytes < len ? len : size_bytes;
    v->expire_us = expire_us;
    if (len && data)
        memcpy(v->data, data, len);
    else if (len)
        memset(v->data, 0, len);
    return v;
}

ds_value *ds_value_ref(ds_value *v) { return ds_value_ref_inline(v); }

void ds_value_unref(ds_value *v) { ds_value_unref_inline(v); }

ds_status ds_parse_size(const char *s, uint64_t *out) {
    if (!s || !*s) return DS_ERR_CONFIG;
    const char *p = s;
    while (isspace((unsigned char)*p))
        p++;
    if (!isdigit((unsigned char)*p)) return DS_ERR_CONFIG;
    errno = 0;
    char *end;
    unsigned long long n = strtoull(p, &end, 10);
    if (errno) return DS_ERR_CONFIG;
    uint64_t mul = 1;
    if (!strcasecmp(end, "") || !strcasecmp(end, "b"))
        mul = 1;
    else if (!strcasecmp(end, "k") || !strcasecmp(end, "kb"))
        mul = 1ull << 10;
    else if (!strcasecmp(end, "m") || !strcasecmp(end, "mb"))
        mul = 1ull << 20;
    else if (!strcasecmp(end, "g") || !strcasecmp(end, "gb"))
        mul = 1ull << 30;
    else
        return DS_ERR_CONFIG;
    if (n > UINT64_MAX / mul) return DS_ERR_CONFIG;
    *out = (uint64_t)n * mul;
    return DS_OK;
}

bool ds_parse_u64(const char *p, size_t len, uint64_t *out) {
    if (!p || len == 0 || len > 20) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned)((unsigned char)p[i] - '0');
        if (d > 9) return false;
        if (v > (UINT64_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

bool ds_parse_i64(const char *p, size_t len, int64_t *out) {
    bool neg = p && len > 0 && p[0] == '-';
    uint64_t v;
    if (!p || !ds_parse_u64(p + neg, len - neg, &v)) return false;
    if (v > (uint64_t)INT64_MAX + neg) return false;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

bool ds_parse_bool(const char *p, size_t len, bool *out) {
    static const char *const yes[] = {"on", "yes", "true", "1"};
    static const char *const no[] = {"off", "no", "false", "0"};
    for (size_t i = 0; p && i < 4; i++) {
        if (strlen(yes[i]) == len && !strncasecmp(p, yes[i], len)) return *out = true, true;
        if (strlen(no[i]) == len && !strncasecmp(p, no[i], len)) return *out = false, true;
    }
    return false;
}

bool ds_parse_f64(const char *s, double *out) {
    if (!s || !*s || isspace((unsigned char)*s)) return false;
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (errno || *end || !isfinite(d)) return false;
    *out = d;
    return true;
}

void ds_buggify_init(ds_buggify *b, bool on, uint64_t seed) {
    memset(b, 0, sizeof *b);
    b->on = on;
    ds_rng_seed(&b->rng, seed ^ 0xb066f1ull);
    for (unsigned i = 0; on && i < DS_BUGGIFY_SITES; i++)
        if (ds_rng_below(&b->rng, 4) == 0) b->enabled |= 1u << i;
}

bool ds_buggify_fire(ds_buggify *b, unsigned site) {
    if (!b || !b->on || site >= DS_BUGGIFY_SITES || !(b->enabled & (1u << site))) return false;
    return ds_rng_below(&b->rng, 4) == 0;
}
