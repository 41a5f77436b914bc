/*
 * stat.c - `dslab stat TRACE`: what a trace looks like before you replay it.
 *
 * Reports requests, op mix, distinct keys, working-set bytes (sum of the last non-zero size per
 * distinct key), popularity (share of key accesses going to the top 1% and 10% of keys, and
 * a zipf alpha fitted to the rank-frequency curve on log-log axes), duration and clients.
 *
 * Why hash sampling: memory must stay bounded for billion-request traces. Keys are tracked
 * exactly (by a 64-bit hash; collisions are negligible below ~1e9 keys) up to STAT_MAX_KEYS.
 * Past that we keep only keys whose hash is below a threshold that halves each time the table
 * fills (spatial sampling as in SHARDS). A sampled key keeps all its accesses, so the counts
 * of the sample are exact; distinct keys and working set are scaled by 1/rate and printed
 * with "~" as estimates; popularity shares and alpha come from the sample. Clients use the
 * same structure with a smaller bound.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"
#include "verbs.h"

#define STAT_MAX_KEYS    (1u << 20)
#define STAT_MAX_CLIENTS (1u << 16)

typedef struct stat_ent {
    uint64_t h;     /* 0 = empty slot (hash 0 is remapped to 1) */
    uint64_t size;  /* last non-zero size seen */
    uint64_t count; /* accesses */
} stat_ent;

typedef struct stat_set {
    stat_ent *t;
    size_t cap, n, max;
    uint64_t thresh; /* keep hashes <= thresh */
    unsigned halvings;
} stat_set;

static int set_init(stat_set *s, size_t max) {
    *s = (stat_set){.cap = 1024, .max = max, .thresh = UINT64_MAX};
    s->t = calloc(s->cap, sizeof *s->t);
    return s->t ? 0 : -1;
}

static stat_ent *set_slot(stat_ent *t, size_t cap, uint64_t h) {
    size_t i = (size_t)(h * 0x9E3779B97F4A7C15ull >> 20) & (cap - 1);
    while (t[i].h && t[i].h != h)
        i = (i + 1) & (cap - 1);
    return &t[i];
}

/* Move every kept entry into a fresh table of `cap` slots. */
static int set_rebuild(stat_set *s, size_t cap) {
    stat_ent *t = calloc(cap, sizeof *t);
    if (!t) return -1;
    size_t n = 0;
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->t[i].h || s->t[i].h > s->thresh) continue;
        *set_slot(t, cap, s->t[i].h) = s->t[i];
        n++;
    }
    free(s->t);
    s->t = t;
    s->cap = cap;
    s->n = n;
    return 0;
}

static int set_add(stat_set *s, uint64_t h, uint64_t size) {
    h = h ? h : 1;
    if (h > s->thresh) return 0;
    stat_ent *e = set_slot(s->t, s->cap, h);
    if (!e->h) {
        if (s->n + 1 > s->max) { /* full: sample half as many keys */
            s->thresh /= 2;
            s->halvings++;
            if (set_rebuild(s, s->cap) < 0) return -1;
            return set_add(s, h, size);
        }
        if (2 * (s->n + 1) > s->cap) {
            if (set_rebuild(s, s->cap * 2) < 0) return -1;
            return set_add(s, h, size);
        }
        e->h = h;
        s->n++;
    }
    if (size) e->size = size; /* a GET in a native trace carries size 0 */
    e->count++;
    return 0;
}

typedef struct stat_acc {
    stat_set keys, clients;
    uint64_t requests, accesses, ops[DS_OP__COUNT];
    int64_t t_min, t_max;
} stat_acc;

static int cmp_desc(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Popularity: shares of the top 1% / 10% of keys, and -slope of log(count) over log(rank),
 * fitted on ranks spaced ~12% apart so that each decade weighs the same. */
static void popularity(const stat_set *s, double *top1, double *top10, double *alpha) {
    *top1 = *top10 = *alpha = NAN;
    uint64_t *c = malloc((s->n ? s->n : 1) * sizeof *c);
    if (!c || s->n == 0) {
        free(c);
        return;
    }
    size_t n = 0;
    uint64_t total = 0;
    for (size_t i = 0; i < s->cap; i++)
        if (s->t[i].h) total += c[n++] = s->t[i].count;
    qsort(c, n, sizeof *c, cmp_desc);
    size_t k1 = (n + 99) / 100, k10 = (n + 9) / 10;
    uint64_t sum = 0;
    for (size_t i = 0; i < k10; i++) {
        sum += c[i];
        if (i + 1 == k1) *top1 = (double)sum / (double)total;
    }
    *top10 = (double)sum / (double)total;
    double sx = 0, sy = 0, sxx = 0, sxy = 0, m = 0;
    for (double r = 1; r <= (double)n; r = floor(r * 1.12) + 1) {
        double x = log(r), y = log((double)c[(size_t)r - 1]);
        sx += x, sy += y, sxx += x * x, sxy += x * y, m++;
    }
    if (m >= 2 && m * sxx - sx * sx > 0) *alpha = -(m * sxy - sx * sy) / (m * sxx - sx * sx);
    free(c);
}

static void print_count(const char *name, const stat_set *s) {
    if (s->halvings == 0) {
        printf("%-18s %zu (exact)\n", name, s->n);
    } else {
        printf("%-18s ~%.0f (estimate: keys hash-sampled at 1/%.0f)\n", name,
               (double)s->n * ldexp(1, (int)s->halvings), ldexp(1, (int)s->halvings));
    }
}

static void stat_print(const char *path, const char *fmt, const stat_acc *a) {
    double top1, top10, alpha, ws = 0;
    popularity(&a->keys, &top1, &top10, &alpha);
    for (size_t i = 0; i < a->keys.cap; i++)
        ws += (double)a->keys.t[i].size;
    ws *= ldexp(1, (int)a->keys.halvings);
    printf("%-18s %s\n%-18s %s\n%-18s %llu\n", "trace", path, "format", fmt, "requests",
           (unsigned long long)a->requests);
    printf("%-18s", "ops");
    for (int i = 0; i < DS_OP__COUNT; i++)
        printf(" %s=%llu", ds_op_name((ds_op)i), (unsigned long long)a->ops[i]);
    printf("\n%-18s %llu\n", "key_accesses", (unsigned long long)a->accesses);
    print_count("distinct_keys", &a->keys);
    printf("%-18s %s%.0f\n", "working_set_bytes", a->keys.halvings ? "~" : "", ws);
    printf("%-18s %.4f\n%-18s %.4f\n%-18s %.3f\n", "top_1pct_share", top1, "top_10pct_share", top10,
           "zipf_alpha", alpha);
    double dur = a->requests ? (double)(a->t_max - a->t_min) / 1e6 : 0;
    printf("%-18s %.6f\n", "duration_s", dur);
    print_count("clients", &a->clients);
}

static int stat_add(stat_acc *a, const ds_trace_req *q) {
    if (a->requests == 0 || q->time_us < a->t_min) a->t_min = q->time_us;
    if (a->requests == 0 || q->time_us > a->t_max) a->t_max = q->time_us;
    a->requests++;
    if (q->op >= 0 && q->op < DS_OP__COUNT) a->ops[q->op]++;
    for (uint32_t i = 0; i < q->nkeys; i++) {
        a->accesses++;
        uint64_t h = ds_hash64(q->keys[i].p, q->keys[i].len, 0x57a7);
        if (set_add(&a->keys, h, q->size) < 0) return -1;
    }
    uint64_t hc = ds_hash64(&q->client, sizeof q->client, 0xc11e);
    return set_add(&a->clients, hc, 0);
}

static int stat_run(const char *path, const ds_reader_opts *o) {
    ds_err err = {{0}};
    ds_reader *r = ds_reader_open(path, o, &err);
    if (!r) {
        fprintf(stderr, "dslab: %s\n", err.msg);
        return 2;
    }
    stat_acc a = {0};
    ds_trace_req *q = malloc(sizeof *q);
    int rc = -1;
    if (q && set_init(&a.keys, STAT_MAX_KEYS) == 0 && set_init(&a.clients, STAT_MAX_CLIENTS) == 0) {
        while ((rc = ds_reader_next(r, q, &err)) == 1)
            if (stat_add(&a, q) < 0) break;
        if (rc == 1) ds_err_set(&err, DS_ERR_NOMEM, "out of memory");
    } else {
        ds_err_set(&err, DS_ERR_NOMEM, "out of memory");
    }
    if (rc == 0)
        stat_print(path, ds_reader_format(r), &a);
    else
        fprintf(stderr, "dslab: %s\n", err.msg);
    ds_reader_close(r);
    free(q);
    free(a.keys.t);
    free(a.clients.t);
    return rc == 0 ? 0 : 2;
}

static void stat_usage(FILE *f) {
    fprintf(f,
            "usage: dslab stat TRACE [--format F] [--csv-opts S]\n"
            "Summarise a trace. Formats: %s (.zst is decompressed).\n"
            "Prints requests, op mix, distinct keys (exact up to %u keys, then a\n"
            "hash-sampled estimate marked '~'), working-set bytes (last non-zero size per\n"
            "key), share of accesses to the top 1%%/10%% of keys, fitted zipf alpha,\n"
            "duration, clients.\n",
            ds_trace_formats(), STAT_MAX_KEYS);
}

int ds_main_stat(int argc, char **argv) {
    const char *path = NULL;
    ds_reader_opts o = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = strcmp(a, "--format") == 0     ? &o.format
                           : strcmp(a, "--csv-opts") == 0 ? &o.csv_opts
                                                          : NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            stat_usage(stdout);
            return 0;
        } else if (dst && i + 1 < argc) {
            *dst = argv[++i];
        } else if (dst) {
            fprintf(stderr, "dslab: stat: %s needs a value\n", a);
            return 2;
        } else if (a[0] == '-' && a[1] != 0) {
            fprintf(stderr, "dslab: stat: unknown option '%s' (see --help)\n", a);
            return 2;
        } else if (path) {
            fprintf(stderr, "dslab: stat: more than one TRACE (see --help)\n");
            return 2;
        } else {
            path = a;
        }
    }
    if (!path) {
        fprintf(stderr, "dslab: stat: needs a TRACE (see --help)\n");
        return 2;
    }
    return stat_run(path, &o);
}
