/*
 * csvrow.c - split a text trace into CSV rows with libcsv, streaming, with exact line numbers.
 *
 * Why this shape: libcsv is a push parser (callbacks per field and per row). We feed it one
 * physical line at a time (up to and including '\n'), so a call completes at most one row and
 * the reader can hand records out one by one with no queue. Only '\n' ends a row; '\r' counts
 * as blank space, so CRLF files read the same as LF files. Fields are copied into one reused row
 * buffer: no allocation per field or per row once the buffer has grown to the longest row.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trace_impl.h"

/* Fuzz builds use tiny blocks: fast under ASan and every row straddles a block boundary. */
#ifdef DS_TRACE_SMALL_BUFFERS
#define CSVROW_IN_BYTES 61u
#else
#define CSVROW_IN_BYTES (256u * 1024u)
#endif

struct ds_csvrow {
    ds_bytesrc *src;
    struct csv_parser p;
    const char *name;
    char *in;
    size_t in_pos, in_len;
    char *row;
    size_t row_len, row_cap;
    ds_csvfield f[DS_CSVROW_MAX_FIELDS];
    uint32_t off[DS_CSVROW_MAX_FIELDS];
    uint32_t nf;
    bool row_done, too_long, nomem, open_row, eof;
    uint64_t cur_line, row_line;
};

/*
 * libcsv grows its field buffer by a fixed block (128 bytes) per realloc: linear growth, so a
 * 1 MB field costs 8,000 reallocs copying up to 1 MB each (11.7 s under ASan on a 1 MB key).
 * Its realloc hook has no context, so the capacity lives in a small header before the block:
 * a request that fits returns the same block, one that does not at least doubles it.
 */
typedef struct csv_blk {
    size_t cap;
    _Alignas(max_align_t) unsigned char data[];
} csv_blk;

static void *csv_grow(void *p, size_t n) {
    csv_blk *b = p ? (csv_blk *)((unsigned char *)p - offsetof(csv_blk, data)) : NULL;
    if (b && b->cap >= n) return p;
    size_t cap = b && b->cap * 2 > n ? b->cap * 2 : n;
    if (cap > SIZE_MAX - sizeof *b) return NULL;
    csv_blk *nb = realloc(b, sizeof *nb + cap);
    if (!nb) return NULL;
    nb->cap = cap;
    return nb->data;
}

static void csv_blk_free(void *p) {
    if (p) free((unsigned char *)p - offsetof(csv_blk, data));
}

static int is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\r'; }
static int is_term(unsigned char c) { return c == '\n'; }

static void on_field(void *data, size_t len, void *ctx) {
    ds_csvrow *c = ctx;
    if (c->row_len + len > DS_CSVROW_MAX_BYTES) {
        c->too_long = true;
        len = 0;
    }
    if (c->row_len + len > c->row_cap) {
        size_t cap = c->row_cap ? c->row_cap : 4096;
        while (cap < c->row_len + len)
            cap *= 2;
        char *nr = realloc(c->row, cap);
        if (!nr) {
            c->nomem = true;
            len = 0;
        } else {
            c->row = nr;
            c->row_cap = cap;
        }
    }
    if (c->nf < DS_CSVROW_MAX_FIELDS) {
        c->off[c->nf] = (uint32_t)c->row_len;
        c->f[c->nf].len = (uint32_t)len;
    }
    if (len) memcpy(c->row + c->row_len, data, len);
    c->row_len += len;
    c->nf++;
}

static void on_row(int term, void *ctx) {
    (void)term;
    ((ds_csvrow *)ctx)->row_done = true;
}

ds_csvrow *ds_csvrow_open(const char *path, ds_bytesrc *src, unsigned char delim, ds_err *err) {
    ds_csvrow *c = calloc(1, sizeof *c);
    char *in = malloc(CSVROW_IN_BYTES);
    if (!c || !in || csv_init(&c->p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", path);
        free(c);
        free(in);
        ds_bytesrc_close(src);
        return NULL;
    }
    csv_set_realloc_func(&c->p, csv_grow);
    csv_set_free_func(&c->p, csv_blk_free);
    csv_set_delim(&c->p, delim);
    csv_set_space_func(&c->p, is_space);
    csv_set_term_func(&c->p, is_term);
    c->src = src;
    c->name = path;
    c->in = in;
    c->cur_line = 1;
    return c;
}

/* A finished row: fix the field pointers (the row buffer may have moved) and check limits. */
static int finish_row(ds_csvrow *c, const ds_csvfield **f, uint32_t *nf, uint64_t *line,
                      ds_err *err) {
    c->row_done = false;
    c->open_row = false;
    if (c->too_long || c->nomem) {
        ds_err_set(err, DS_ERR_ARG, "%s:%llu: %s", c->name, (unsigned long long)c->row_line,
                   c->nomem ? "out of memory" : "line too long");
        return -1;
    }
    uint32_t n = c->nf < DS_CSVROW_MAX_FIELDS ? c->nf : DS_CSVROW_MAX_FIELDS;
    for (uint32_t i = 0; i < n; i++)
        c->f[i].p = c->row ? c->row + c->off[i] : "";
    *f = c->f;
    *nf = c->nf;
    *line = c->row_line;
    c->nf = 0;
    c->row_len = 0;
    return 1;
}

static int refill(ds_csvrow *c, ds_err *err) {
    int64_t n = ds_bytesrc_read(c->src, c->in, CSVROW_IN_BYTES, err);
    if (n < 0) return -1;
    c->in_pos = 0;
    c->in_len = (size_t)n;
    return n > 0;
}

static int at_eof(ds_csvrow *c, const ds_csvfield **f, uint32_t *nf, uint64_t *line, ds_err *err) {
    c->eof = true;
    if (csv_fini(&c->p, on_field, on_row, c) != 0) {
        ds_err_set(err, DS_ERR_ARG, "%s:%llu: unterminated quoted field", c->name,
                   (unsigned long long)c->row_line);
        return -1;
    }
    if (c->row_done) return finish_row(c, f, nf, line, err);
    return 0;
}

int ds_csvrow_next(ds_csvrow *c, const ds_csvfield **f, uint32_t *nf, uint64_t *line, ds_err *err) {
    for (;;) {
        if (c->eof) return 0;
        if (c->in_pos == c->in_len) {
            int r = refill(c, err);
            if (r < 0) return -1;
            if (r == 0) return at_eof(c, f, nf, line, err);
        }
        const char *s = c->in + c->in_pos;
        size_t avail = c->in_len - c->in_pos;
        const char *nl = memchr(s, '\n', avail);
        size_t chunk = nl ? (size_t)(nl - s) + 1 : avail;
        if (!c->open_row) c->row_line = c->cur_line;
        size_t used = csv_parse(&c->p, s, chunk, on_field, on_row, c);
        c->in_pos += chunk;
        if (used < chunk) {
            ds_err_set(err, DS_ERR_ARG, "%s:%llu: malformed CSV quoting", c->name,
                       (unsigned long long)c->cur_line);
            return -1;
        }
        if (nl) c->cur_line++;
        if (c->p.entry_pos > DS_CSVROW_MAX_BYTES) c->too_long = true;
        if (c->row_done) return finish_row(c, f, nf, line, err);
        c->open_row = !nl || c->p.pstate != 0 || c->nf > 0;
        if (c->too_long) return finish_row(c, f, nf, line, err);
    }
}

void ds_csvrow_close(ds_csvrow *c) {
    if (!c) return;
    csv_free(&c->p);
    ds_bytesrc_close(c->src);
    free(c->in);
    free(c->row);
    free(c);
}

/* ---- small parsers ---- */

bool ds_field_eq(const ds_csvfield *f, const char *s) {
    size_t n = strlen(s);
    return f->len == n && memcmp(f->p, s, n) == 0;
}

bool ds_field_ieq(const ds_csvfield *f, const char *s) {
    size_t n = strlen(s);
    if (f->len != n) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char a = (unsigned char)f->p[i], b = (unsigned char)s[i];
        if (a >= 'A' && a <= 'Z') a = (unsigned char)(a + 32);
        if (b >= 'A' && b <= 'Z') b = (unsigned char)(b + 32);
        if (a != b) return false;
    }
    return true;
}

uint32_t ds_u64_to_dec(uint64_t v, char *buf) {
    char tmp[24];
    uint32_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (uint32_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    return n;
}

ds_status ds_trace_check_keys(const ds_trace_req *req, ds_err *err) {
    bool multi = req->op == DS_OP_MGET || req->op == DS_OP_EXEC;
    if (req->nkeys == 0 || req->nkeys > DS_MULTI_MAX_KEYS || (!multi && req->nkeys != 1))
        return ds_err_set(err, DS_ERR_ARG, "%s with %u keys cannot be written", ds_op_name(req->op),
                          req->nkeys);
    for (uint32_t i = 0; i < req->nkeys; i++) {
        const ds_key *k = &req->keys[i];
        if (k->len == 0 || k->len > DS_KEY_MAX_BYTES)
            return ds_err_set(err, DS_ERR_ARG, "key of %u bytes cannot be written", k->len);
        if (multi && memchr(k->p, ' ', k->len))
            return ds_err_set(err, DS_ERR_ARG, "a %s key may not contain a space",
                              ds_op_name(req->op));
    }
    return DS_OK;
}
