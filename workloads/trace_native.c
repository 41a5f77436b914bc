/*
 * trace_native.c - the native CSV trace: `time_us,client,op,key,size,ttl_s`.
 *
 * Why strict: a trace is an experiment's input, so a malformed line stops the run with
 * "FILE:LINE: what is wrong" instead of being skipped (a skipped SET would show up later as a
 * baffling stale read). Rules: the first row must be the header; six fields per row; time_us,
 * client, size and ttl_s are decimal integers (time_us and ttl_s >= 0); op is GET, SET, DEL,
 * EXISTS, MGET or EXEC (any case); MGET/EXEC keys are separated by single spaces inside one
 * field, at most DS_MULTI_MAX_KEYS of them; keys are 1..DS_KEY_MAX_BYTES bytes.
 * Time going backwards is allowed and kept as is: the replay issues each client's requests in
 * file order and sorts nothing, so a reordered trace is the experimenter's choice.
 * An empty file (no header) is an empty trace.
 */
#include <stdlib.h>
#include <string.h>

#include "trace_impl.h"

static const char *const cols[6] = {"time_us", "client", "op", "key", "size", "ttl_s"};

typedef struct native {
    ds_csvrow *rows;
    const char *path;
    bool header_seen;
} native;

static void *native_open(const char *path, ds_bytesrc *src, const ds_reader_opts *o, ds_err *err) {
    (void)o;
    native *n = calloc(1, sizeof *n + strlen(path) + 1);
    if (!n) {
        ds_bytesrc_close(src);
        ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", path);
        return NULL;
    }
    n->path = strcpy((char *)(n + 1), path);
    n->rows = ds_csvrow_open(n->path, src, ',', err);
    if (!n->rows) {
        free(n);
        return NULL;
    }
    return n;
}

static int bad(const native *n, uint64_t line, ds_err *err, const char *what,
               const ds_csvfield *f) {
    if (f)
        ds_err_set(err, DS_ERR_ARG, "%s:%llu: %s '%.*s'", n->path, (unsigned long long)line, what,
                   (int)(f->len > 40 ? 40 : f->len), f->p);
    else
        ds_err_set(err, DS_ERR_ARG, "%s:%llu: %s", n->path, (unsigned long long)line, what);
    return -1;
}

static bool parse_op(const ds_csvfield *f, ds_op *op) {
    for (int i = 0; i < DS_OP__COUNT; i++) {
        if (ds_field_ieq(f, ds_op_name((ds_op)i))) {
            *op = (ds_op)i;
            return true;
        }
    }
    return false;
}

/* Split the key field into out->keys (single keys are taken whole, spaces and all). */
static int parse_keys(const native *n, uint64_t line, const ds_csvfield *f, ds_trace_req *out,
                      ds_err *err) {
    if (f->len == 0) return bad(n, line, err, "empty key", NULL);
    bool multi = out->op == DS_OP_MGET || out->op == DS_OP_EXEC;
    const char *p = f->p, *end = f->p + f->len;
    uint32_t k = 0;
    for (;;) {
        const char *sp = multi ? memchr(p, ' ', (size_t)(end - p)) : NULL;
        const char *e = sp ? sp : end;
        if (e == p) return bad(n, line, err, "empty key in the key list", f);
        if ((size_t)(e - p) > DS_KEY_MAX_BYTES) {
            ds_err_set(err, DS_ERR_ARG, "%s:%llu: key longer than %u bytes", n->path,
                       (unsigned long long)line, DS_KEY_MAX_BYTES);
            return -1;
        }
        if (k == DS_MULTI_MAX_KEYS) {
            ds_err_set(err, DS_ERR_ARG, "%s:%llu: more than %u keys", n->path,
                       (unsigned long long)line, DS_MULTI_MAX_KEYS);
            return -1;
        }
        out->keys[k].p = p;
        out->keys[k].len = (uint32_t)(e - p);
        k++;
        if (!sp) break;
        p = sp + 1;
    }
    out->nkeys = k;
    return 0;
}

static int parse_row(native *n, const ds_csvfield *f, uint32_t nf, uint64_t line, ds_trace_req *out,
                     ds_err *err) {
    if (nf < 6) {
        ds_err_set(err, DS_ERR_ARG, "%s:%llu: missing field '%s'", n->path,
                   (unsigned long long)line, cols[nf]);
        return -1;
    }
    if (nf > 6) {
        ds_err_set(err, DS_ERR_ARG, "%s:%llu: extra field (%u fields, expected 6)", n->path,
                   (unsigned long long)line, nf);
        return -1;
    }
    out->line = line;
    if (!ds_parse_i64(f[0].p, f[0].len, &out->time_us) || out->time_us < 0)
        return bad(n, line, err, "bad time_us", &f[0]);
    if (!ds_parse_u64(f[1].p, f[1].len, &out->client))
        return bad(n, line, err, "bad client", &f[1]);
    if (!parse_op(&f[2], &out->op)) return bad(n, line, err, "unknown op", &f[2]);
    if (parse_keys(n, line, &f[3], out, err) < 0) return -1;
    if (!ds_parse_u64(f[4].p, f[4].len, &out->size)) return bad(n, line, err, "bad size", &f[4]);
    if (!ds_parse_i64(f[5].p, f[5].len, &out->ttl_s) || out->ttl_s < 0)
        return bad(n, line, err, "bad ttl_s", &f[5]);
    return 1;
}

static int check_header(native *n, const ds_csvfield *f, uint32_t nf, uint64_t line, ds_err *err) {
    bool ok = nf == 6;
    for (uint32_t i = 0; ok && i < 6; i++)
        ok = ds_field_eq(&f[i], cols[i]);
    if (!ok)
        return bad(n, line, err,
                   "not a native trace: the first line must be "
                   "'time_us,client,op,key,size,ttl_s' (other formats: --format)",
                   NULL);
    n->header_seen = true;
    return 0;
}

static int native_next(void *st, ds_trace_req *out, ds_err *err) {
    native *n = st;
    const ds_csvfield *f;
    uint32_t nf;
    uint64_t line;
    for (;;) {
        int rc = ds_csvrow_next(n->rows, &f, &nf, &line, err);
        if (rc <= 0) return rc;
        if (n->header_seen) return parse_row(n, f, nf, line, out, err);
        if (check_header(n, f, nf, line, err) < 0) return -1;
    }
}

static void native_close(void *st) {
    native *n = st;
    ds_csvrow_close(n->rows);
    free(n);
}

const ds_reader_ops ds_reader_native = {"native", false, native_open, native_next, native_close};

/* ---- writer ---- */

static ds_status native_begin(ds_wbuf *w, ds_err *err) {
    static const char hdr[] = "time_us,client,op,key,size,ttl_s\n";
    return ds_wbuf_put(w, hdr, sizeof hdr - 1, err);
}

static bool needs_quote(const ds_key *k) {
    for (uint32_t i = 0; i < k->len; i++) {
        unsigned char c = ((const unsigned char *)k->p)[i];
        if (c == ',' || c == '"' || c == ' ' || c == '\t' || c == '\r' || c == '\n') return true;
    }
    return false;
}

/* Validate before writing anything, so a rejected request leaves no partial line behind. */
static ds_status check_keys(const ds_trace_req *req, bool *quote, ds_err *err) {
    ds_status st = ds_trace_check_keys(req, err);
    if (st != DS_OK) return st;
    *quote = req->nkeys > 1;
    for (uint32_t i = 0; i < req->nkeys && !*quote; i++)
        *quote = needs_quote(&req->keys[i]);
    return DS_OK;
}

static ds_status put_keys(ds_wbuf *w, const ds_trace_req *req, bool quote, ds_err *err) {
    if (!quote) return ds_wbuf_put(w, req->keys[0].p, req->keys[0].len, err);
    char buf[2 * DS_KEY_MAX_BYTES + 4];
    ds_status st = ds_wbuf_put(w, "\"", 1, err);
    for (uint32_t i = 0; i < req->nkeys && st == DS_OK; i++) {
        size_t m = csv_write(buf, sizeof buf, req->keys[i].p, req->keys[i].len);
        /* csv_write adds the surrounding quotes; keep the escaped inside only */
        st = ds_wbuf_put(w, buf + 1, m - 2, err);
        if (st == DS_OK && i + 1 < req->nkeys) st = ds_wbuf_put(w, " ", 1, err);
    }
    return st == DS_OK ? ds_wbuf_put(w, "\"", 1, err) : st;
}

static ds_status native_put(ds_wbuf *w, const ds_trace_req *req, ds_err *err) {
    if (req->op < 0 || req->op >= DS_OP__COUNT || req->time_us < 0 || req->ttl_s < 0)
        return ds_err_set(err, DS_ERR_ARG, "bad request (op %d, time_us %lld, ttl_s %lld)",
                          (int)req->op, (long long)req->time_us, (long long)req->ttl_s);
    bool quote = false;
    if (check_keys(req, &quote, err) != DS_OK) return DS_ERR_ARG;
    char b[96];
    size_t n = ds_u64_to_dec((uint64_t)req->time_us, b);
    b[n++] = ',';
    n += ds_u64_to_dec(req->client, b + n);
    b[n++] = ',';
    const char *op = ds_op_name(req->op);
    size_t ol = strlen(op);
    memcpy(b + n, op, ol);
    n += ol;
    b[n++] = ',';
    ds_status st = ds_wbuf_put(w, b, n, err);
    if (st == DS_OK) st = put_keys(w, req, quote, err);
    if (st != DS_OK) return st;
    n = 0;
    b[n++] = ',';
    n += ds_u64_to_dec(req->size, b + n);
    b[n++] = ',';
    n += ds_u64_to_dec((uint64_t)req->ttl_s, b + n);
    b[n++] = '\n';
    return ds_wbuf_put(w, b, n, err);
}

const ds_writer_ops ds_writer_native = {"native", native_begin, native_put};
