/*
 * gen.c - synthetic request streams: popularity models, op mixes, value sizes, ttls, clients
 * and arrival processes (the spec syntax is documented in gen.h).
 *
 * Why it is built this way:
 * - Streaming with O(1) memory in the key count: zipf needs zeta(N), which is summed directly
 *   for the first 10000 terms and completed with Euler-Maclaurin, so 1e9 keys need no table and
 *   no billion pow() calls; the rank-to-key scramble is a Feistel permutation, not a lookup.
 * - Determinism: every aspect (arrivals, clients, ops, keys, sizes, ttls) draws from its own
 *   ds_rng stream derived from the seed, so the same spec gives the same bytes, and changing
 *   the mix does not move the arrival times.
 * - The zipf sampler is YCSB's (Gray et al., "Quickly generating billion-record synthetic
 *   databases", 1994) so that results compare with YCSB numbers.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "gen_internal.h"

#define ZETA_DIRECT_TERMS    10000u
#define ZETA_GROW_DIRECT_MAX 1000000u
#define KEY_SLOT_BYTES       24
#define MULTI_DRAW_TRIES     8
#define SCRAMBLE_KEY         0x5bd1e9955bd1e995ull
#define VTIME_MAX_US         9.0e18

/* ---------------------------------------------------------------------------------------- */
/* zipf (YCSB ZipfianGenerator)                                                              */
/* ---------------------------------------------------------------------------------------- */

double ds_zipf_zeta(uint64_t n, double theta) {
    uint64_t m = n < ZETA_DIRECT_TERMS ? n : ZETA_DIRECT_TERMS;
    double sum = 0;
    for (uint64_t i = m; i >= 1; i--)
        sum += pow((double)i, -theta);
    if (n <= m) return sum;
    /* Euler-Maclaurin: sum_{i=m+1..n} f(i) = int_m^n f + (f(n)-f(m))/2 + (f'(n)-f'(m))/12
     * - (f'''(n)-f'''(m))/720 + ...; with m = 1e4 the next term is below 1e-20. */
    double dn = (double)n, dm = (double)m;
    double integral =
        theta == 1.0 ? log(dn / dm) : (pow(dn, 1 - theta) - pow(dm, 1 - theta)) / (1 - theta);
    double f_n = pow(dn, -theta), f_m = pow(dm, -theta);
    double d1 = -theta * (f_n / dn - f_m / dm);
    double d3 = -theta * (theta + 1) * (theta + 2) * (f_n / (dn * dn * dn) - f_m / (dm * dm * dm));
    return sum + integral + (f_n - f_m) / 2 + d1 / 12 - d3 / 720;
}

static void zipf_derive(ds_zipf *z) {
    z->eta =
        z->n > 2 ? (1 - pow(2.0 / (double)z->n, 1 - z->theta)) / (1 - z->zeta2 / z->zetan) : 0.0;
}

ds_status ds_zipf_init(ds_zipf *z, uint64_t n, double theta, ds_err *err) {
    if (n < 1 || !(theta > 0) || theta == 1.0 || !(theta <= 5))
        return ds_err_set(err, DS_ERR_CONFIG, "zipf: need n >= 1 and theta in (0, 5], not 1");
    z->n = n;
    z->theta = theta;
    z->alpha = 1.0 / (1.0 - theta);
    z->zeta2 = ds_zipf_zeta(2, theta);
    z->zetan = ds_zipf_zeta(n, theta);
    z->half_pow_theta = pow(0.5, theta);
    zipf_derive(z);
    return DS_OK;
}

/* YCSB grows zeta term by term when the item count rises (latest + inserts). */
void ds_zipf_grow(ds_zipf *z, uint64_t n) {
    if (n <= z->n) return;
    if (n - z->n > ZETA_GROW_DIRECT_MAX) {
        z->zetan = ds_zipf_zeta(n, z->theta);
    } else {
        for (uint64_t i = z->n + 1; i <= n; i++)
            z->zetan += pow((double)i, -z->theta);
    }
    z->n = n;
    zipf_derive(z);
}

uint64_t ds_zipf_next(const ds_zipf *z, double u) {
    double uz = u * z->zetan;
    if (uz < 1.0) return 0;
    if (uz < 1.0 + z->half_pow_theta) return z->n > 1 ? 1 : 0;
    double r = (double)z->n * pow(z->eta * u - z->eta + 1, z->alpha);
    if (!(r >= 0)) return 0;
    if (r >= (double)z->n) return z->n - 1;
    return (uint64_t)r;
}

/* ---------------------------------------------------------------------------------------- */
/* scramble: a keyed Feistel permutation of [0, 2^(2h)) with cycle walking into [0, n)       */
/* ---------------------------------------------------------------------------------------- */

static uint64_t mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

/* A balanced Feistel network on 2h bits: a bijection whatever the round function, so each
 * round can be one multiply (multiplicative hashing: the top h bits of the product depend on
 * every input bit). Three rounds; the scramble only has to spread ranks over the key space,
 * not resist analysis, and it was an eighth of a replay's cycles with four mix64 rounds. */
static uint64_t feistel(uint64_t x, unsigned h) {
    uint64_t mask = (1ull << h) - 1, l = x >> h, r = x & mask;
    for (uint64_t round = 1; round <= 3; round++) {
        uint64_t f = ((r ^ (round * SCRAMBLE_KEY)) * 0x9e3779b97f4a7c15ull) >> (64 - h);
        uint64_t nl = r;
        r = l ^ (f & mask);
        l = nl;
    }
    return (l << h) | r;
}

uint64_t ds_gen_scramble(uint64_t rank, uint64_t n) {
    if (n <= 1) return 0;
    unsigned bits = 64 - (unsigned)__builtin_clzll(n - 1);
    unsigned h = (bits + 1) / 2;
    uint64_t y = feistel(rank, h);
    /* rank < n lies on a cycle of the permutation that contains values < n, so this ends;
     * the domain is below 4n, so the expected number of steps is below 4. */
    while (y >= n)
        y = feistel(y, h);
    return y;
}

/* ---------------------------------------------------------------------------------------- */
/* the generator                                                                             */
/* ---------------------------------------------------------------------------------------- */

enum { RNG_ARRIVAL = 0, RNG_CLIENT, RNG_OP, RNG_KEY, RNG_SIZE, RNG_TTL, RNG__COUNT };

struct ds_gen {
    ds_gen_opts o;
    double cum[DS_GEN_OP__COUNT]; /* cumulative normalised mix */
    ds_zipf zipf;
    ds_rng rng[RNG__COUNT];
    uint64_t produced, inserted, seq_next, hot_keys;
    uint64_t loaded;  /* load=1: SETs of the load phase emitted so far */
    uint64_t emitted; /* records of both phases (fixed arrivals, round-robin clients) */
    double active_us; /* arrival clock (time spent in ON windows for bursts) */
    uint32_t slots;
    uint64_t *idx; /* key indices of the current record */
    char *keybuf;  /* slots * KEY_SLOT_BYTES */
};

ds_gen *ds_gen_open_opts(const ds_gen_opts *o, ds_err *err) {
    if (ds_gen_opts_validate(o, err) != DS_OK) return NULL;
    ds_gen *g = calloc(1, sizeof(*g));
    if (!g) return ds_err_set(err, DS_ERR_NOMEM, "generator: out of memory"), NULL;
    g->o = *o;
    g->slots = o->mget_keys > o->exec_keys ? o->mget_keys : o->exec_keys;
    g->idx = calloc(g->slots, sizeof(*g->idx));
    g->keybuf = calloc(g->slots, KEY_SLOT_BYTES);
    if (!g->idx || !g->keybuf) {
        ds_gen_close(g);
        return ds_err_set(err, DS_ERR_NOMEM, "generator: out of memory"), NULL;
    }
    double sum = 0, acc = 0;
    for (int i = 0; i < DS_GEN_OP__COUNT; i++)
        sum += o->mix[i];
    for (int i = 0; i < DS_GEN_OP__COUNT; i++)
        g->cum[i] = (acc += o->mix[i]) / sum;
    for (int i = 0; i < RNG__COUNT; i++)
        ds_rng_seed(&g->rng[i], mix64(o->seed + 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1)));
    g->hot_keys = (uint64_t)(o->hot_keys_frac * (double)o->keys);
    if (o->model == DS_GEN_ZIPF || o->model == DS_GEN_LATEST) {
        if (ds_zipf_init(&g->zipf, o->keys, o->theta, err) != DS_OK) {
            ds_gen_close(g);
            return NULL;
        }
    }
    return g;
}

ds_gen *ds_gen_open_spec(const char *spec, ds_err *err) {
    ds_gen_opts o;
    if (ds_gen_opts_parse(&o, spec, err) != DS_OK) return NULL;
    return ds_gen_open_opts(&o, err);
}

void ds_gen_close(ds_gen *g) {
    if (!g) return;
    free(g->idx);
    free(g->keybuf);
    free(g);
}

/* One key index from the popularity model. */
static uint64_t draw_key(ds_gen *g) {
    ds_rng *r = &g->rng[RNG_KEY];
    uint64_t n = g->o.keys;
    switch (g->o.model) {
    case DS_GEN_ZIPF: return ds_gen_scramble(ds_zipf_next(&g->zipf, ds_rng_double(r)), n);
    case DS_GEN_HOTSPOT:
        if (ds_rng_double(r) < g->o.hot_ops_frac || g->hot_keys >= n)
            return ds_rng_below(r, g->hot_keys);
        return g->hot_keys + ds_rng_below(r, n - g->hot_keys);
    case DS_GEN_LATEST: {
        uint64_t count = n + g->inserted;
        uint64_t rank = ds_zipf_next(&g->zipf, ds_rng_double(r));
        return count - 1 - (rank < count ? rank : count - 1);
    }
    case DS_GEN_SEQUENTIAL: return g->seq_next++ % n;
    case DS_GEN_UNIFORM:
    default: return ds_rng_below(r, n);
    }
}

/* nkeys keys, avoiding duplicates within one command when the key space allows. */
static void draw_keys(ds_gen *g, uint32_t nkeys) {
    for (uint32_t i = 0; i < nkeys; i++) {
        uint64_t k = draw_key(g);
        for (int tries = 0; tries < MULTI_DRAW_TRIES; tries++) {
            uint32_t j = 0;
            while (j < i && g->idx[j] != k)
                j++;
            if (j == i) break;
            k = draw_key(g);
        }
        g->idx[i] = k;
    }
}

static double normal01(ds_rng *r) {
    double u1 = 1.0 - ds_rng_double(r), u2 = ds_rng_double(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* The size of key index x: a draw from the size model seeded by the key, so every record of
 * one key (its SETs, and its GETs, which carry the size of the object they read) agrees. */
static uint64_t draw_size(ds_gen *g, uint64_t x) {
    ds_rng rs;
    ds_rng_seed(&rs, mix64(g->rng[RNG_SIZE].s[0] ^ mix64(x + 0x51ed27)));
    ds_rng *r = &rs;
    double a = g->o.size_a, b = g->o.size_b, s;
    switch (g->o.size_kind) {
    case DS_GEN_SIZE_UNIFORM: return (uint64_t)a + ds_rng_below(r, (uint64_t)(b - a) + 1);
    case DS_GEN_SIZE_LOGNORMAL: s = a * exp(b * normal01(r)); break;
    case DS_GEN_SIZE_PARETO: s = a / pow(1.0 - ds_rng_double(r), 1.0 / b); break;
    case DS_GEN_SIZE_FIXED:
    default: return (uint64_t)a;
    }
    s = floor(s + 0.5);
    if (!(s >= 1)) return 1;
    return s > (double)DS_GEN_SIZE_MAX_BYTES ? DS_GEN_SIZE_MAX_BYTES : (uint64_t)s;
}

/* Arrival time of the next record; advances the arrival clock. */
static double next_time_us(ds_gen *g) {
    double rate = g->o.rate_per_s, t;
    if (g->o.arrival == DS_GEN_ARR_FIXED) return (double)g->emitted * 1e6 / rate;
    t = g->active_us;
    g->active_us += -log(1.0 - ds_rng_double(&g->rng[RNG_ARRIVAL])) * 1e6 / rate;
    if (g->o.arrival == DS_GEN_ARR_BURST) {
        double on = g->o.on_ms * 1000.0, off = g->o.off_ms * 1000.0;
        double windows = floor(t / on);
        t = windows * (on + off) + (t - windows * on);
    }
    return t;
}

static int pick_op(ds_gen *g) {
    double u = ds_rng_double(&g->rng[RNG_OP]);
    for (int i = 0; i < DS_GEN_OP__COUNT - 1; i++)
        if (u < g->cum[i]) return i;
    return DS_GEN_OP__COUNT - 1;
}

/* The key of index x: "k%010llu" without snprintf, which was a fifth of a replay's
 * instructions. Indices of more than 10 digits print all their digits, as %010llu does. */
static uint32_t format_key(char *p, uint64_t x) {
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + x % 10);
        x /= 10;
    } while (x);
    while (n < 10)
        tmp[n++] = '0';
    p[0] = 'k';
    for (int i = 0; i < n; i++)
        p[1 + i] = tmp[n - 1 - i];
    p[1 + n] = 0;
    return (uint32_t)(1 + n);
}

static void fill_keys(ds_gen *g, ds_trace_req *out, uint32_t nkeys) {
    out->nkeys = nkeys;
    for (uint32_t i = 0; i < nkeys; i++) {
        char *p = g->keybuf + (size_t)i * KEY_SLOT_BYTES;
        out->keys[i].p = p;
        out->keys[i].len = format_key(p, g->idx[i]);
    }
}

/* load=1: the next SET of the load phase, keys in index order. */
static void load_record(ds_gen *g, ds_trace_req *out) {
    g->idx[0] = g->loaded++;
    fill_keys(g, out, 1);
    out->op = DS_OP_SET;
    out->size = draw_size(g, g->idx[0]);
    out->ttl_s = 0;
}

int ds_gen_next(ds_gen *g, ds_trace_req *out, ds_err *err) {
    bool loading = g->o.load && g->loaded < g->o.keys;
    if (!loading && g->produced >= g->o.requests) return 0;
    double t = next_time_us(g);
    if (!(t < VTIME_MAX_US)) {
        ds_err_set(err, DS_ERR_CONFIG, "generator: virtual time overflows at request %llu",
                   (unsigned long long)g->emitted + 1);
        return -1;
    }
    out->time_us = (int64_t)t;
    out->client = g->o.assign_random ? ds_rng_below(&g->rng[RNG_CLIENT], g->o.clients)
                                     : g->emitted % g->o.clients;
    out->line = ++g->emitted;
    if (loading) {
        load_record(g, out);
        return 1;
    }
    int op = pick_op(g);
    uint32_t nkeys = op == DS_OP_MGET ? g->o.mget_keys : op == DS_OP_EXEC ? g->o.exec_keys : 1;
    if (op == DS_GEN_OP_INSERT) {
        g->idx[0] = g->o.keys + g->inserted++;
        if (g->o.model == DS_GEN_LATEST) ds_zipf_grow(&g->zipf, g->o.keys + g->inserted);
    } else {
        draw_keys(g, nkeys);
    }
    fill_keys(g, out, nkeys);
    bool is_set = op == DS_OP_SET || op == DS_GEN_OP_INSERT;
    out->op = op == DS_GEN_OP_INSERT ? DS_OP_SET : (ds_op)op;
    out->size = op == DS_OP_DEL ? 0 : draw_size(g, g->idx[0]); /* reads carry the object's */
    out->ttl_s = 0;
    if (is_set && g->o.ttl_s > 0 &&
        (g->o.ttl_frac >= 1.0 || ds_rng_double(&g->rng[RNG_TTL]) < g->o.ttl_frac))
        out->ttl_s = g->o.ttl_s;
    g->produced++;
    return 1;
}
