/*
 * shrink.c - `dslab shrink TRACE [replay options] -o MIN.csv`: delta debugging of a trace that
 * shows an oracle violation, keeping the same options and seed.
 *
 * The test of a candidate is one replay (no result files) that must still show the kind of
 * violation the original showed (stale reads if it had any, else lost writes; --keep changes
 * that). Passes, repeated while one helps (bounded):
 *   1. ddmin over lines (Zeller: try each chunk, then each complement, then refine);
 *   2. times: stretch every gap 10x, then 100x (a short trace's race may need the flush delay to
 *      pass, which frees it from the lines that only forced SAVEs through memory pressure),
 *      then shrink each gap (to 0, else by halves) and start the trace at 0;
 *   3. keys: drop every line of one key, then rename keys k1, k2, ... by first appearance;
 *   4. clients: drop every line of one client, merge a client into another, renumber 1, 2, ...
 * Every step is a whole candidate trace, so each accepted step still violates. The result is
 * written as native CSV.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "explore.h"

#define SH_MAX_ROUNDS 6
#define SH_KEY_MAX    64

typedef struct sh_rec {
    int64_t t;
    uint64_t client;
    ds_op op;
    uint32_t nkeys;
    uint64_t size;
    int64_t ttl_s;
    char **keys; /* nkeys strings owned by the context's pool */
} sh_rec;

typedef struct sh_vec {
    sh_rec *a;
    size_t n;
} sh_vec;

typedef struct sh_ctx {
    ds_replay_opts *o;
    char path[DS_OPT_STR_MAX]; /* the candidate trace */
    int keep;                  /* 1 stale reads, 2 lost writes, 3 either */
    uint64_t tests;
    void **pool; /* every allocation records point at */
    size_t npool, cpool;
} sh_ctx;

static void *sh_alloc(sh_ctx *x, size_t n) {
    if (x->npool == x->cpool) {
        size_t nc = x->cpool ? 2 * x->cpool : 1024;
        void **np = realloc(x->pool, nc * sizeof *np);
        if (!np) return NULL;
        x->pool = np;
        x->cpool = nc;
    }
    void *p = calloc(1, n ? n : 1);
    if (p) x->pool[x->npool++] = p;
    return p;
}

static ds_status sh_write(const sh_vec *v, const char *path, ds_err *err) {
    unlink(path); /* a new file, not a truncated one: ext4 flushes those at close */
    ds_writer *w = ds_writer_open(path, "native", err);
    if (!w) return DS_ERR_IO;
    static ds_trace_req q;
    ds_status st = DS_OK;
    for (size_t i = 0; i < v->n && st == DS_OK; i++) {
        const sh_rec *r = &v->a[i];
        q = (ds_trace_req){.time_us = r->t,
                           .client = r->client,
                           .op = r->op,
                           .nkeys = r->nkeys,
                           .size = r->size,
                           .ttl_s = r->ttl_s,
                           .line = i + 1};
        for (uint32_t k = 0; k < r->nkeys; k++)
            q.keys[k] = (ds_key){r->keys[k], (uint32_t)strlen(r->keys[k])};
        st = ds_writer_put(w, &q, err);
    }
    ds_status cs = ds_writer_close(w, err);
    return st != DS_OK ? st : cs;
}

/* Does the candidate still violate? Bad input counts as "no" (a candidate may be odd). */
static bool sh_test(sh_ctx *x, const sh_vec *v) {
    ds_err err;
    if (v->n == 0 || sh_write(v, x->path, &err) != DS_OK) return false;
    x->tests++;
    ds_replay_result res;
    if (ds_replay_run(x->o, &res, &err) != DS_OK) return false;
    return ((x->keep & 1) && res.stale_reads) || ((x->keep & 2) && res.lost_writes);
}

static bool sh_copy(sh_vec *dst, const sh_rec *a, size_t n) {
    sh_rec *na = malloc((n ? n : 1) * sizeof *na);
    if (!na) return false;
    memcpy(na, a, n * sizeof *na);
    free(dst->a);
    dst->a = na;
    dst->n = n;
    return true;
}

/* ddmin over the lines of *v, in place (Zeller's chunks and complements; after a chunk goes
 * the scan goes on from the same place instead of restarting, so one pass over n chunks costs
 * n replays, not n squared). */
static void sh_ddmin(sh_ctx *x, sh_vec *v) {
    sh_vec c = {malloc((v->n ? v->n : 1) * sizeof(sh_rec)), 0};
    if (!c.a) return;
    size_t n = 2;
    while (v->n >= 2) {
        size_t len = v->n, chunk = (len + n - 1) / n;
        bool reduced = false;
        for (size_t s = 0; n > 2 && s < len && !reduced; s += chunk) { /* one chunk alone */
            c.n = (s + chunk < len ? s + chunk : len) - s;
            memcpy(c.a, v->a + s, c.n * sizeof *c.a);
            if (sh_test(x, &c)) memcpy(v->a, c.a, c.n * sizeof *c.a), v->n = c.n, reduced = true;
        }
        if (reduced) {
            n = 2;
            continue;
        }
        for (size_t s = 0; s < v->n && v->n >= 2;) { /* all but one chunk */
            size_t e = s + chunk < v->n ? s + chunk : v->n;
            memcpy(c.a, v->a, s * sizeof *c.a);
            memcpy(c.a + s, v->a + e, (v->n - e) * sizeof *c.a);
            c.n = s + v->n - e;
            if (c.n && sh_test(x, &c)) {
                memcpy(v->a, c.a, c.n * sizeof *c.a);
                v->n = c.n;
                reduced = true;
            } else {
                s = e;
            }
        }
        if (reduced) {
            n = n > 3 ? n - 1 : 2;
            continue;
        }
        if (chunk <= 1) break;
        n = 2 * n < len ? 2 * n : len;
    }
    free(c.a);
}

/* Try candidate c; on success it becomes *v. */
static bool sh_accept(sh_ctx *x, sh_vec *v, const sh_vec *c) {
    return sh_test(x, c) && sh_copy(v, c->a, c->n);
}

/* Stretch time by 10 or 100 when that lets ddmin drop lines. */
static bool sh_stretch(sh_ctx *x, sh_vec *v) {
    static const int64_t factors[] = {10, 100};
    for (size_t f = 0; f < 2; f++) {
        sh_vec c = {NULL, 0};
        if (!sh_copy(&c, v->a, v->n)) return false;
        for (size_t i = 0; i < c.n; i++)
            c.a[i].t = v->a[0].t + (v->a[i].t - v->a[0].t) * factors[f];
        bool better = sh_test(x, &c) && (sh_ddmin(x, &c), c.n < v->n);
        if (better) {
            free(v->a);
            *v = c;
            return true;
        }
        free(c.a);
    }
    return false;
}

/* Start at 0, then make every gap as small as it can be (0, else halves). */
static bool sh_gaps(sh_ctx *x, sh_vec *v) {
    bool changed = false;
    sh_vec c = {NULL, 0};
    if (!sh_copy(&c, v->a, v->n)) return false;
    for (size_t i = 0; i < c.n; i++)
        c.a[i].t = v->a[i].t - v->a[0].t;
    if (v->a[0].t != 0 && sh_accept(x, v, &c)) changed = true;
    for (size_t i = 1; i < v->n; i++) {
        for (int step = 0; step < 24; step++) {
            int64_t gap = v->a[i].t - v->a[i - 1].t;
            if (gap <= 0) break;
            int64_t want = step == 0 ? 0 : gap / 2;
            if (!sh_copy(&c, v->a, v->n)) break;
            for (size_t j = i; j < c.n; j++)
                c.a[j].t -= gap - want;
            if (!sh_accept(x, v, &c)) {
                if (step > 0) break;
                continue;
            }
            changed = true;
        }
    }
    free(c.a);
    return changed;
}

static bool sh_mentions(const sh_rec *r, const char *key) {
    for (uint32_t k = 0; k < r->nkeys; k++)
        if (strcmp(r->keys[k], key) == 0) return true;
    return false;
}

/* Drop every line of one key; then rename the keys k1, k2, ... by first appearance. */
static bool sh_keys(sh_ctx *x, sh_vec *v) {
    bool changed = false;
    sh_vec c = {malloc((v->n ? v->n : 1) * sizeof(sh_rec)), 0};
    if (!c.a) return false;
    for (size_t i = 0; i < v->n; i++) {
        for (uint32_t k = 0; k < v->a[i].nkeys; k++) {
            const char *key = v->a[i].keys[k];
            bool earlier = false;
            for (size_t j = 0; j < i && !earlier; j++)
                earlier = sh_mentions(&v->a[j], key);
            if (earlier) continue; /* tried already */
            c.n = 0;
            for (size_t j = 0; j < v->n; j++)
                if (!sh_mentions(&v->a[j], key)) c.a[c.n++] = v->a[j];
            if (c.n && c.n < v->n && sh_accept(x, v, &c)) {
                changed = true;
                i = (size_t)-1; /* start over on the smaller trace */
                break;
            }
        }
    }
    /* rename: a fresh key array per line, names by first appearance */
    const char *seen[256];
    size_t nseen = 0;
    bool ok = sh_copy(&c, v->a, v->n);
    for (size_t i = 0; ok && i < c.n; i++) {
        char **nk = sh_alloc(x, c.a[i].nkeys * sizeof *nk);
        ok = nk != NULL;
        for (uint32_t k = 0; ok && k < c.a[i].nkeys; k++) {
            size_t id = 0;
            while (id < nseen && strcmp(seen[id], c.a[i].keys[k]) != 0)
                id++;
            if (id == nseen && nseen < 256) seen[nseen++] = c.a[i].keys[k];
            ok = id < 256 && (nk[k] = sh_alloc(x, 16)) != NULL;
            if (ok) snprintf(nk[k], 16, "k%zu", id + 1);
        }
        if (ok) c.a[i].keys = nk;
    }
    if (ok && sh_accept(x, v, &c)) changed = true;
    free(c.a);
    return changed;
}

/* Drop every line of one client; merge one client into the first; renumber 1, 2, ... */
static bool sh_clients(sh_ctx *x, sh_vec *v) {
    bool changed = false;
    sh_vec c = {NULL, 0};
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < v->n; i++) {
            uint64_t id = v->a[i].client;
            bool earlier = false;
            for (size_t j = 0; j < i && !earlier; j++)
                earlier = v->a[j].client == id;
            if (earlier || (pass == 1 && id == v->a[0].client)) continue;
            if (!sh_copy(&c, v->a, v->n)) return changed;
            size_t m = 0;
            for (size_t j = 0; j < c.n; j++) {
                if (c.a[j].client != id)
                    c.a[m++] = c.a[j];
                else if (pass == 1)
                    c.a[m] = c.a[j], c.a[m++].client = v->a[0].client;
            }
            c.n = m;
            if (c.n && sh_accept(x, v, &c)) changed = true, i = (size_t)-1;
        }
    }
    uint64_t seen[256];
    size_t nseen = 0;
    if (!sh_copy(&c, v->a, v->n)) return changed;
    for (size_t i = 0; i < c.n; i++) {
        size_t id = 0;
        while (id < nseen && seen[id] != c.a[i].client)
            id++;
        if (id == nseen && nseen < 256) seen[nseen++] = c.a[i].client;
        c.a[i].client = id + 1;
    }
    if (sh_accept(x, v, &c)) changed = true;
    free(c.a);
    return changed;
}

/* Read the whole trace into records (keys copied into the pool). */
static ds_status sh_read(sh_ctx *x, const ds_replay_opts *o, sh_vec *v, ds_err *err) {
    ds_reader_opts ro = {.format = o->format, .csv_opts = o->csv_opts[0] ? o->csv_opts : NULL};
    ds_reader *rd = ds_reader_open(o->trace, &ro, err);
    if (!rd) return DS_ERR_ARG;
    static ds_trace_req q;
    size_t cap = 0;
    int rc;
    ds_status st = DS_OK;
    while (st == DS_OK && (rc = ds_reader_next(rd, &q, err)) == 1) {
        if (v->n == cap) {
            sh_rec *na = realloc(v->a, (cap ? 2 * cap : 1024) * sizeof *na);
            if (!na) st = ds_err_set(err, DS_ERR_NOMEM, "shrink: out of memory");
            if (!na) break;
            v->a = na;
            cap = cap ? 2 * cap : 1024;
        }
        sh_rec *r = &v->a[v->n];
        *r = (sh_rec){q.time_us, q.client, q.op, q.nkeys, q.size, q.ttl_s, NULL};
        r->keys = sh_alloc(x, q.nkeys * sizeof *r->keys);
        for (uint32_t k = 0; r->keys && k < q.nkeys; k++)
            if ((r->keys[k] = sh_alloc(x, q.keys[k].len + 1)))
                memcpy(r->keys[k], q.keys[k].p, q.keys[k].len);
            else
                r->keys = NULL;
        if (!r->keys) st = ds_err_set(err, DS_ERR_NOMEM, "shrink: out of memory");
        v->n++;
        if (v->n > 2000000) st = ds_err_set(err, DS_ERR_ARG, "shrink: more than 2M lines");
    }
    if (st == DS_OK && rc < 0) st = DS_ERR_ARG;
    ds_reader_close(rd);
    return st;
}

/* The passes, until a round removes no line (bounded). */
static void sh_run(sh_ctx *x, sh_vec *v) {
    if (!sh_stretch(x, v)) sh_ddmin(x, v);
    for (int round = 0; round < SH_MAX_ROUNDS; round++) {
        size_t before = v->n;
        sh_stretch(x, v);
        sh_keys(x, v);
        sh_clients(x, v);
        sh_ddmin(x, v);
        sh_gaps(x, v);
        if (v->n == before) break;
    }
}

static int sh_args(int argc, char **argv, const char **outp, int *keep, ds_err *err) {
    int n = 0;
    for (int i = 0; i < argc; i++) {
        bool o = !strcmp(argv[i], "-o") || !strcmp(argv[i], "--output");
        bool k = !strcmp(argv[i], "--keep");
        if (!o && !k) {
            argv[n++] = argv[i];
            continue;
        }
        if (i + 1 >= argc) return ds_err_set(err, DS_ERR_ARG, "%s: missing value", argv[i]), -1;
        const char *v = argv[++i];
        if (o)
            *outp = v;
        else if (!strcmp(v, "stale"))
            *keep = 1;
        else if (!strcmp(v, "lost"))
            *keep = 2;
        else if (!strcmp(v, "any"))
            *keep = 3;
        else
            return ds_err_set(err, DS_ERR_ARG, "--keep: expected stale, lost or any"), -1;
    }
    return n;
}

static void sh_usage(void) {
    printf("usage: dslab shrink TRACE [replay options] -o MIN.csv [--keep stale|lost|any]\n"
           "  reduces TRACE to a small native trace that, replayed with the same options and\n"
           "  seed, still shows the violation (default: stale reads if the original has any,\n"
           "  else lost writes): ddmin over lines, then keys, clients and times.\n");
}

/* The shrink proper: read, check the original, passes, write. Exit code. */
static int sh_main(sh_ctx *x, ds_replay_opts *o, const char *out, ds_err *err) {
    sh_vec v = {NULL, 0};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = 2;
    if (sh_read(x, o, &v, err) != DS_OK) goto done;
    snprintf(o->format, sizeof o->format, "auto"); /* candidates are native CSV */
    o->csv_opts[0] = 0;
    char orig[DS_OPT_STR_MAX];
    snprintf(orig, sizeof orig, "%s", o->trace);
    snprintf(o->trace, sizeof o->trace, "%s", x->path);
    size_t before = v.n;
    ds_replay_result res;
    rc = 1;
    if (sh_write(&v, x->path, err) != DS_OK || ds_replay_run(o, &res, err) != DS_OK) goto done;
    if (!x->keep) x->keep = res.stale_reads ? 1 : 2;
    if (!(((x->keep & 1) && res.stale_reads) || ((x->keep & 2) && res.lost_writes))) {
        ds_err_set(err, DS_ERR_ARG, "shrink: %s shows no %s with these options", orig,
                   x->keep == 1   ? "stale read"
                   : x->keep == 2 ? "lost write"
                                  : "violation");
        goto done;
    }
    sh_run(x, &v);
    if (sh_write(&v, out, err) != DS_OK) goto done;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("shrink: %zu lines -> %zu lines (%llu replays, %.1f s); %s keeps the %s\n", before, v.n,
           (unsigned long long)x->tests,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, out,
           x->keep == 1   ? "stale read"
           : x->keep == 2 ? "lost write"
                          : "violation");
    rc = 0;
done:
    free(v.a);
    return rc;
}

int ds_main_shrink(int argc, char **argv) {
    static ds_replay_opts o;
    sh_ctx x = {.o = &o};
    const char *out = NULL;
    ds_err err = {{0}};
    bool help = false;
    if (argc > 0) argc--, argv++;
    int n = sh_args(argc, argv, &out, &x.keep, &err);
    ds_replay_opts_default(&o);
    if (n >= 0 && ds_cli_parse(&o, n, argv, &help, &err) == DS_OK && help) return sh_usage(), 0;
    if (n >= 0 && !err.msg[0] && !out) ds_err_set(&err, DS_ERR_ARG, "-o: required (MIN.csv)");
    if (!err.msg[0] && o.clock != DS_CLOCK_VIRTUAL)
        ds_err_set(&err, DS_ERR_ARG, "--clock: shrink needs the virtual clock");
    if (err.msg[0]) return fprintf(stderr, "dslab: %s\n", err.msg), 2;
    o.quiet = true;
    o.progress = false;
    o.discard = true;
    snprintf(x.path, sizeof x.path, "/tmp/dslab-shrink-XXXXXX.csv");
    int fd = mkstemps(x.path, 4);
    if (fd < 0) return fprintf(stderr, "dslab: shrink: cannot create a temporary file\n"), 1;
    close(fd);
    int rc = sh_main(&x, &o, out, &err);
    if (rc) fprintf(stderr, "dslab: %s\n", err.msg);
    unlink(x.path);
    for (size_t i = 0; i < x.npool; i++)
        free(x.pool[i]);
    free(x.pool);
    return rc;
}
