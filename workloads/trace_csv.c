/*
 * trace_csv.c - libCacheSim-style CSV traces with column options.
 *
 * Why: most public block and object traces are CSV with their own column order. Like
 * libCacheSim's csv reader we take an option string, e.g.
 *   "time-col=2,obj-id-col=5,obj-size-col=4,op-col=3,has-header=true,delimiter=,"
 * Columns are 1-based. Options: time-col, obj-id-col (required), obj-size-col, op-col,
 * has-header (default false), delimiter (one character; "\t" or "tab" for tab; default ','),
 * time-unit=s|ms|us (default s), obj-id-is-num (ids must then be decimal integers).
 * The object id field is the key as written. Without obj-size-col the size is 1 (as
 * libCacheSim). Without time-col the time is 0. Without op-col every request is a GET; with it:
 * read/get/r/28/0x28 -> GET, write/set/w/2a/0x2a -> SET, delete/del/d -> DEL, others are errors.
 * Client 0 (one client), ttl 0. These are object-id traces (id_trace = true).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trace_impl.h"

typedef struct csvcfg {
    uint32_t time_col, id_col, size_col, op_col; /* 1-based; 0 = absent */
    bool has_header, id_is_num;
    char delim;
    double time_mult; /* to microseconds */
} csvcfg;

typedef struct csvr {
    ds_csvrow *rows;
    const char *path;
    csvcfg cfg;
    uint32_t need; /* highest column used */
    bool header_done;
} csvr;

/* One name=value pair into cfg; false on a bad name or value (message in err). */
static bool set_opt(csvcfg *c, const char *name, size_t nl, const char *v, size_t vl, ds_err *err) {
    ds_csvfield nf = {name, (uint32_t)nl}, vf = {v, (uint32_t)vl};
    uint32_t *col = ds_field_eq(&nf, "time-col")       ? &c->time_col
                    : ds_field_eq(&nf, "obj-id-col")   ? &c->id_col
                    : ds_field_eq(&nf, "obj-size-col") ? &c->size_col
                    : ds_field_eq(&nf, "op-col")       ? &c->op_col
                                                       : NULL;
    bool ok = true;
    if (col) {
        uint64_t x;
        ok = ds_parse_u64(v, vl, &x) && x >= 1 && x <= DS_CSVROW_MAX_FIELDS;
        if (ok) *col = (uint32_t)x;
    } else if (ds_field_eq(&nf, "has-header")) {
        ok = ds_parse_bool(v, vl, &c->has_header);
    } else if (ds_field_eq(&nf, "obj-id-is-num")) {
        ok = ds_parse_bool(v, vl, &c->id_is_num);
    } else if (ds_field_eq(&nf, "time-unit")) {
        c->time_mult = ds_field_eq(&vf, "s")    ? 1e6
                       : ds_field_eq(&vf, "ms") ? 1e3
                       : ds_field_eq(&vf, "us") ? 1.0
                                                : 0;
        ok = c->time_mult > 0;
    } else {
        ds_err_set(err, DS_ERR_ARG, "csv-opts: unknown option '%.*s'", (int)nl, name);
        return false;
    }
    if (!ok)
        ds_err_set(err, DS_ERR_ARG, "csv-opts: bad value for %.*s: '%.*s'", (int)nl, name, (int)vl,
                   v);
    return ok;
}

/* delimiter=X takes exactly one character (it may be ','), or \t / tab. Returns chars used. */
static size_t parse_delim(csvcfg *c, const char *v, ds_err *err) {
    if (strncmp(v, "\\t", 2) == 0 || strncmp(v, "tab", 3) == 0) {
        c->delim = '\t';
        return v[0] == '\\' ? 2 : 3;
    }
    if (!*v || *v == '"' || *v == '\n') {
        ds_err_set(err, DS_ERR_ARG, "csv-opts: bad value for delimiter");
        return 0;
    }
    c->delim = *v;
    return 1;
}

static bool parse_csv_opts(const char *s, csvcfg *c, ds_err *err) {
    *c = (csvcfg){.delim = ',', .time_mult = 1e6};
    while (s && *s) {
        const char *eq = strchr(s, '=');
        const char *comma = strchr(s, ',');
        if (!eq || (comma && comma < eq)) {
            size_t n = comma ? (size_t)(comma - s) : strlen(s);
            ds_err_set(err, DS_ERR_ARG, "csv-opts: expected name=value, got '%.*s'", (int)n, s);
            return false;
        }
        const char *v = eq + 1;
        size_t vl;
        if ((size_t)(eq - s) == 9 && strncmp(s, "delimiter", 9) == 0) {
            vl = parse_delim(c, v, err);
            if (vl == 0) return false;
        } else {
            const char *end = strchr(v, ',');
            vl = end ? (size_t)(end - v) : strlen(v);
            if (!set_opt(c, s, (size_t)(eq - s), v, vl, err)) return false;
        }
        s = v + vl;
        if (*s && *s != ',') {
            ds_err_set(err, DS_ERR_ARG, "csv-opts: junk after option value: '%s'", s);
            return false;
        }
        if (*s) s++;
    }
    if (c->id_col == 0) {
        ds_err_set(err, DS_ERR_ARG, "csv-opts: obj-id-col is required");
        return false;
    }
    return true;
}

static void *csv_open(const char *path, ds_bytesrc *src, const ds_reader_opts *o, ds_err *err) {
    csvr *r = calloc(1, sizeof *r + strlen(path) + 1);
    if (!r) {
        ds_bytesrc_close(src);
        ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", path);
        return NULL;
    }
    r->path = strcpy((char *)(r + 1), path);
    if (!parse_csv_opts(o->csv_opts, &r->cfg, err)) {
        ds_bytesrc_close(src);
        free(r);
        return NULL;
    }
    const csvcfg *c = &r->cfg;
    r->need = c->id_col;
    uint32_t cols[3] = {c->time_col, c->size_col, c->op_col};
    for (int i = 0; i < 3; i++)
        r->need = cols[i] > r->need ? cols[i] : r->need;
    r->rows = ds_csvrow_open(r->path, src, (unsigned char)c->delim, err);
    if (!r->rows) {
        free(r);
        return NULL;
    }
    return r;
}

static bool map_op(const ds_csvfield *f, ds_op *op) {
    static const char *const gets[] = {"read", "get", "r", "28", "0x28"};
    static const char *const sets[] = {"write", "set", "w", "2a", "0x2a"};
    static const char *const dels[] = {"delete", "del", "d"};
    for (size_t i = 0; i < 5; i++) {
        if (ds_field_ieq(f, gets[i])) return *op = DS_OP_GET, true;
        if (ds_field_ieq(f, sets[i])) return *op = DS_OP_SET, true;
        if (i < 3 && ds_field_ieq(f, dels[i])) return *op = DS_OP_DEL, true;
    }
    return false;
}

/* A time in the configured unit; decimals allowed ("12.5" seconds). */
static bool parse_time(const ds_csvfield *f, double mult, int64_t *out) {
    char tmp[64];
    if (f->len == 0 || f->len >= sizeof tmp) return false;
    memcpy(tmp, f->p, f->len);
    tmp[f->len] = 0;
    char *end;
    double v = strtod(tmp, &end);
    if (*end || !isfinite(v) || v < 0 || v * mult > 9e18) return false;
    *out = llround(v * mult);
    return true;
}

static int csv_err(const csvr *r, uint64_t line, ds_err *err, const char *what,
                   const ds_csvfield *f) {
    ds_err_set(err, DS_ERR_ARG, "%s:%llu: %s '%.*s'", r->path, (unsigned long long)line, what,
               (int)(f->len > 40 ? 40 : f->len), f->p);
    return -1;
}

static int parse_row(const csvr *r, const ds_csvfield *f, uint32_t nf, uint64_t line,
                     ds_trace_req *out, ds_err *err) {
    const csvcfg *c = &r->cfg;
    if (nf < r->need) {
        ds_err_set(err, DS_ERR_ARG, "%s:%llu: missing column %u (the row has %u)", r->path,
                   (unsigned long long)line, r->need, nf);
        return -1;
    }
    const ds_csvfield *id = &f[c->id_col - 1];
    uint64_t num;
    if (id->len == 0 || id->len > DS_KEY_MAX_BYTES) return csv_err(r, line, err, "bad id", id);
    if (c->id_is_num && !ds_parse_u64(id->p, id->len, &num))
        return csv_err(r, line, err, "object id is not a number", id);
    out->time_us = 0;
    if (c->time_col && !parse_time(&f[c->time_col - 1], c->time_mult, &out->time_us))
        return csv_err(r, line, err, "bad time", &f[c->time_col - 1]);
    out->size = 1;
    if (c->size_col && !ds_parse_u64(f[c->size_col - 1].p, f[c->size_col - 1].len, &out->size))
        return csv_err(r, line, err, "bad size", &f[c->size_col - 1]);
    out->op = DS_OP_GET;
    if (c->op_col && !map_op(&f[c->op_col - 1], &out->op))
        return csv_err(r, line, err, "unknown op", &f[c->op_col - 1]);
    out->client = 0;
    out->nkeys = 1;
    out->keys[0].p = id->p;
    out->keys[0].len = id->len;
    out->ttl_s = 0;
    out->line = line;
    return 1;
}

static int csv_next(void *st, ds_trace_req *out, ds_err *err) {
    csvr *r = st;
    const ds_csvfield *f;
    uint32_t nf;
    uint64_t line;
    int rc = ds_csvrow_next(r->rows, &f, &nf, &line, err);
    if (rc > 0 && r->cfg.has_header && !r->header_done) {
        r->header_done = true;
        rc = ds_csvrow_next(r->rows, &f, &nf, &line, err);
    }
    return rc <= 0 ? rc : parse_row(r, f, nf, line, out, err);
}

static void csv_close(void *st) {
    csvr *r = st;
    ds_csvrow_close(r->rows);
    free(r);
}

const ds_reader_ops ds_reader_csv = {"csv", true, csv_open, csv_next, csv_close};
