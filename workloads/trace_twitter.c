/*
 * trace_twitter.c - the Twitter cache-trace CSV (twitter/cache-trace on GitHub).
 *
 * Rows, no header: timestamp_s,anonymized key,key size,value size,client id,operation,TTL.
 * Op mapping: get/gets -> GET; set/add/replace/cas/append/prepend -> SET; delete -> DEL;
 * incr/decr -> SET (a counter update rewrites the value at the same size). Unknown ops are
 * errors. size = key size + value size (what the object costs a cache; libCacheSim does the
 * same). client = the client id when it is a decimal integer, else ds_hash64 of it. TTL in
 * seconds, 0 = none. These traces carry their own SETs, so they are not id traces.
 */
#include <stdlib.h>
#include <string.h>

#include "trace_impl.h"

typedef struct twr {
    ds_csvrow *rows;
    const char *path;
} twr;

static void *twr_open(const char *path, ds_bytesrc *src, const ds_reader_opts *o, ds_err *err) {
    (void)o;
    twr *r = calloc(1, sizeof *r + strlen(path) + 1);
    if (!r) {
        ds_bytesrc_close(src);
        ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", path);
        return NULL;
    }
    r->path = strcpy((char *)(r + 1), path);
    r->rows = ds_csvrow_open(r->path, src, ',', err);
    if (!r->rows) {
        free(r);
        return NULL;
    }
    return r;
}

static bool map_op(const ds_csvfield *f, ds_op *op) {
    static const struct {
        const char *name;
        ds_op op;
    } map[] = {
        {"get", DS_OP_GET},     {"gets", DS_OP_GET}, {"set", DS_OP_SET},    {"add", DS_OP_SET},
        {"replace", DS_OP_SET}, {"cas", DS_OP_SET},  {"append", DS_OP_SET}, {"prepend", DS_OP_SET},
        {"delete", DS_OP_DEL},  {"incr", DS_OP_SET}, {"decr", DS_OP_SET},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (ds_field_ieq(f, map[i].name)) {
            *op = map[i].op;
            return true;
        }
    }
    return false;
}

static int twr_bad(const twr *r, uint64_t line, ds_err *err, const char *what,
                   const ds_csvfield *f) {
    ds_err_set(err, DS_ERR_ARG, "%s:%llu: %s '%.*s'", r->path, (unsigned long long)line, what,
               (int)(f->len > 40 ? 40 : f->len), f->p);
    return -1;
}

static int parse_row(const twr *r, const ds_csvfield *f, uint32_t nf, uint64_t line,
                     ds_trace_req *out, ds_err *err) {
    if (nf != 7) {
        ds_err_set(err, DS_ERR_ARG, "%s:%llu: expected 7 fields, got %u", r->path,
                   (unsigned long long)line, nf);
        return -1;
    }
    uint64_t ts, ksize, vsize;
    if (!ds_parse_u64(f[0].p, f[0].len, &ts) || ts > INT64_MAX / 1000000)
        return twr_bad(r, line, err, "bad timestamp", &f[0]);
    if (f[1].len == 0 || f[1].len > DS_KEY_MAX_BYTES)
        return twr_bad(r, line, err, "bad key", &f[1]);
    if (!ds_parse_u64(f[2].p, f[2].len, &ksize) || ksize > UINT32_MAX)
        return twr_bad(r, line, err, "bad key size", &f[2]);
    if (!ds_parse_u64(f[3].p, f[3].len, &vsize) || vsize > UINT32_MAX)
        return twr_bad(r, line, err, "bad value size", &f[3]);
    if (!ds_parse_u64(f[4].p, f[4].len, &out->client)) out->client = ds_hash64(f[4].p, f[4].len, 0);
    if (!map_op(&f[5], &out->op)) return twr_bad(r, line, err, "unknown op", &f[5]);
    if (!ds_parse_i64(f[6].p, f[6].len, &out->ttl_s) || out->ttl_s < 0)
        return twr_bad(r, line, err, "bad TTL", &f[6]);
    out->time_us = (int64_t)ts * 1000000;
    out->nkeys = 1;
    out->keys[0].p = f[1].p;
    out->keys[0].len = f[1].len;
    out->size = ksize + vsize;
    out->line = line;
    return 1;
}

static int twr_next(void *st, ds_trace_req *out, ds_err *err) {
    twr *r = st;
    const ds_csvfield *f;
    uint32_t nf;
    uint64_t line;
    int rc = ds_csvrow_next(r->rows, &f, &nf, &line, err);
    return rc <= 0 ? rc : parse_row(r, f, nf, line, out, err);
}

static void twr_close(void *st) {
    twr *r = st;
    ds_csvrow_close(r->rows);
    free(r);
}

const ds_reader_ops ds_reader_twitter = {"twitter", false, twr_open, twr_next, twr_close};
