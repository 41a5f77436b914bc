/*
 * trace_dsb.c - "dsb", the compact native binary trace (reader and writer).
 *
 * Why: the native CSV is for people; parsing it costs more than replaying it. dsb carries
 * exactly what the native CSV carries (time_us, client, op, keys, size, ttl_s) in a form that
 * decodes with a few byte loads per record, so a replay measures the cache, not the parser.
 * native -> dsb -> native gives back the same bytes.
 *
 * Layout (integers little-endian; "varint" = unsigned LEB128, minimal, at most 10 bytes):
 *   header  8 bytes: "DSLB", u8 version (1), u8 flags (0; any other bit is an error),
 *           u16 reserved (0)
 *   record  u8 op (0 GET, 1 SET, 2 DEL, 3 EXISTS, 4 MGET, 5 EXEC)
 *           varint nkeys              only for MGET/EXEC: 1..DS_MULTI_MAX_KEYS (others: 1 key)
 *           varint dtime              zigzag(time_us - previous record's time_us; first: - 0)
 *           varint client
 *           varint size
 *           varint ttl_s              <= INT64_MAX
 *           nkeys x (varint len, len bytes)   len 1..DS_KEY_MAX_BYTES, any bytes (but no
 *                                     space in MGET/EXEC keys: the native CSV cannot hold one)
 *   end     u8 0xFF, varint record count, then end of file
 * Time may go backwards (zigzag delta), as in the native CSV; the decoded time must stay in
 * 0..INT64_MAX. Every length is bounded before it is used, so a record is at most
 * DSB_REC_MAX bytes and the reader's buffer never grows beyond that.
 * Why an end marker: without it a file cut at a record boundary would read as a shorter trace.
 * With it, a cut anywhere is "FILE:@OFFSET: truncated record" (OFFSET = the stream byte where
 * the cut record starts), and the count catches a lost or duplicated block.
 * The reader keeps keys in its block buffer (valid until the next call); a record that
 * straddles the buffer end is moved to the front and decoded again once more bytes arrive.
 */
#include <stdlib.h>
#include <string.h>

#include "trace_impl.h"

#define DSB_VERSION 1u
#define DSB_HDR     8u
#define DSB_END     0xFFu
#define DSB_VAR_MAX 10u
/* op + nkeys + 4 varints, then every key with a 2-byte length (4096 < 2^14). */
#define DSB_REC_MAX                                                                                \
    ((size_t)(1 + 5 * DSB_VAR_MAX) + (size_t)DS_MULTI_MAX_KEYS * (DS_KEY_MAX_BYTES + 2))
#ifdef DS_TRACE_SMALL_BUFFERS /* fuzz builds: records straddle block ends, the buffer grows */
#define DSB_BUF 16u
#else
#define DSB_BUF (1024u * 1024u)
#endif

typedef struct dsb {
    ds_bytesrc *src;
    const char *path;
    unsigned char *buf;
    size_t pos, len, cap;
    uint64_t base_off; /* stream offset of buf[0] */
    uint64_t index;    /* records returned */
    int64_t time_us;
    bool eof, done;
} dsb;

/* Read once into the free tail, growing the buffer when a record fills all of it. */
static int dsb_read_more(dsb *r, ds_err *err) {
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->base_off += r->pos;
        r->len -= r->pos;
        r->pos = 0;
    }
    if (r->len == r->cap) {
        size_t cap = r->cap * 2;
        if (cap > DSB_REC_MAX + DSB_HDR) cap = DSB_REC_MAX + DSB_HDR;
        unsigned char *nb = cap > r->cap ? realloc(r->buf, cap) : NULL;
        if (!nb)
            return ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory (record buffer)", r->path), -1;
        r->buf = nb;
        r->cap = cap;
    }
    int64_t n = ds_bytesrc_read(r->src, r->buf + r->len, r->cap - r->len, err);
    if (n < 0) return -1;
    if (n == 0) r->eof = true;
    r->len += (size_t)n;
    return 0;
}

static int dsb_header(dsb *r, ds_err *err) {
    while (r->len < DSB_HDR && !r->eof)
        if (dsb_read_more(r, err) < 0) return -1;
    const unsigned char *h = r->buf;
    if (r->len < DSB_HDR) {
        if (r->len >= 4 && memcmp(h, "DSLB", 4) != 0) goto bad_magic;
        ds_err_set(err, DS_ERR_CORRUPT, "%s:@0: truncated header (%zu of %u bytes)", r->path,
                   r->len, DSB_HDR);
        return -1;
    }
    if (memcmp(h, "DSLB", 4) != 0) goto bad_magic;
    if (h[4] != DSB_VERSION)
        return ds_err_set(err, DS_ERR_CORRUPT,
                          "%s: dsb version %u not supported (this build reads %u)", r->path, h[4],
                          DSB_VERSION),
               -1;
    if (h[5] != 0 || h[6] != 0 || h[7] != 0)
        return ds_err_set(err, DS_ERR_CORRUPT, "%s:@5: unknown dsb flags 0x%02x%02x%02x", r->path,
                          h[5], h[6], h[7]),
               -1;
    r->pos = DSB_HDR;
    return 0;
bad_magic:
    ds_err_set(err, DS_ERR_CORRUPT, "%s: not a dsb trace (the file does not start with DSLB)",
               r->path);
    return -1;
}

static void *dsb_open(const char *path, ds_bytesrc *src, const ds_reader_opts *o, ds_err *err) {
    (void)o;
    dsb *r = calloc(1, sizeof *r + strlen(path) + 1);
    unsigned char *buf = malloc(DSB_BUF);
    if (!r || !buf) {
        free(r);
        free(buf);
        ds_bytesrc_close(src);
        ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", path);
        return NULL;
    }
    r->path = strcpy((char *)(r + 1), path);
    r->src = src;
    r->buf = buf;
    r->cap = DSB_BUF;
    if (dsb_header(r, err) < 0) {
        ds_bytesrc_close(src);
        free(buf);
        free(r);
        return NULL;
    }
    return r;
}

/* Decode results: bytes consumed (> 0); NEED = the record runs past the buffered bytes. */
#define NEED   0
#define BADVAR -1

/* 1-byte varints (the common case) inline; longer ones in get_var_long. */
static int get_var_long(const unsigned char **pp, const unsigned char *end, uint64_t *v) {
    const unsigned char *p = *pp;
    uint64_t x = 0;
    for (unsigned i = 0; i < DSB_VAR_MAX; i++) {
        if (p + i >= end) return NEED;
        uint64_t b = p[i];
        if (i == DSB_VAR_MAX - 1 && b > 1) return BADVAR; /* more than 64 bits */
        if (b == 0 && i > 0) return BADVAR;               /* not minimal: bounds DSB_REC_MAX */
        x |= (b & 0x7F) << (7 * i);
        if (b < 0x80) {
            *v = x;
            *pp = p + i + 1;
            return 1;
        }
    }
    return BADVAR;
}

static inline int get_var(const unsigned char **pp, const unsigned char *end, uint64_t *v) {
    const unsigned char *p = *pp;
    if (p < end && *p < 0x80) {
        *v = *p;
        *pp = p + 1;
        return 1;
    }
    return get_var_long(pp, end, v);
}

#define GET(v)                                                                                     \
    do {                                                                                           \
        int rc_ = get_var(&p, end, &(v));                                                          \
        if (rc_ != 1)                                                                              \
            return rc_ == NEED ? NEED                                                              \
                               : corrupt(r, err, "bad varint (over 64 bits or not minimal)");      \
    } while (0)

static long corrupt(const dsb *r, ds_err *err, const char *what) {
    ds_err_set(err, DS_ERR_CORRUPT, "%s:@%llu: %s (record %llu)", r->path,
               (unsigned long long)(r->base_off + r->pos), what, (unsigned long long)r->index + 1);
    return -1;
}

/* The keys of the record at buf[pos], from p on: bytes of the whole record, NEED, or -1. */
static long dsb_keys(const dsb *r, const unsigned char *p, const unsigned char *end,
                     ds_trace_req *out, ds_err *err) {
    const unsigned char *start = r->buf + r->pos;
    bool multi = out->op == DS_OP_MGET || out->op == DS_OP_EXEC;
    for (uint32_t i = 0; i < out->nkeys; i++) {
        uint64_t kl;
        GET(kl);
        if (kl == 0 || kl > DS_KEY_MAX_BYTES)
            return corrupt(r, err, kl ? "key longer than DS_KEY_MAX_BYTES" : "empty key");
        if ((size_t)(end - p) < kl) return NEED;
        if (multi && memchr(p, ' ', kl)) /* as in the native CSV: space separates */
            return corrupt(r, err, "a MGET/EXEC key contains a space");
        out->keys[i].p = p;
        out->keys[i].len = (uint32_t)kl;
        p += kl;
    }
    return (long)(p - start);
}

/* One record at buf[pos]: bytes consumed, NEED, or -1 (corrupt). Sets r->done at the end
 * marker. */
static long dsb_decode(dsb *r, ds_trace_req *out, ds_err *err) {
    const unsigned char *p = r->buf + r->pos, *end = r->buf + r->len;
    if (p == end) return NEED;
    unsigned op = *p++;
    uint64_t nk = 1, dt, client, size, ttl;
    if (op == DSB_END) {
        GET(nk);
        if (nk != r->index) return corrupt(r, err, "end marker's record count differs");
        r->done = true;
        return p - (r->buf + r->pos);
    }
    if (op >= DS_OP__COUNT) return corrupt(r, err, "bad op byte");
    if (op == DS_OP_MGET || op == DS_OP_EXEC) {
        GET(nk);
        if (nk == 0 || nk > DS_MULTI_MAX_KEYS)
            return corrupt(r, err, "key count outside 1..DS_MULTI_MAX_KEYS");
    }
    GET(dt);
    GET(client);
    GET(size);
    GET(ttl);
    /* zigzag: even = forward, odd = backward; the sum must stay in 0..INT64_MAX */
    uint64_t t = (uint64_t)r->time_us, d = dt >> 1;
    if (dt & 1 ? d + 1 > t : d > (uint64_t)INT64_MAX - t)
        return corrupt(r, err, "time_us outside 0..INT64_MAX");
    if (ttl > (uint64_t)INT64_MAX) return corrupt(r, err, "ttl_s larger than INT64_MAX");
    out->op = (ds_op)op;
    out->nkeys = (uint32_t)nk;
    out->time_us = (int64_t)(dt & 1 ? t - d - 1 : t + d);
    out->client = client;
    out->size = size;
    out->ttl_s = (int64_t)ttl;
    return dsb_keys(r, p, end, out, err);
}

/* After the end marker only the end of the stream may follow. */
static int dsb_check_tail(dsb *r, ds_err *err) {
    while (r->pos == r->len && !r->eof)
        if (dsb_read_more(r, err) < 0) return -1;
    if (r->pos == r->len) return 0;
    ds_err_set(err, DS_ERR_CORRUPT, "%s:@%llu: data after the end marker", r->path,
               (unsigned long long)(r->base_off + r->pos));
    return -1;
}

static int dsb_next(void *st, ds_trace_req *out, ds_err *err) {
    dsb *r = st;
    if (r->done) return 0;
    for (;;) {
        long n = dsb_decode(r, out, err);
        if (n < 0) return -1;
        if (n > 0) {
            r->pos += (size_t)n;
            if (r->done) return dsb_check_tail(r, err);
            r->time_us = out->time_us;
            out->line = ++r->index;
            return 1;
        }
        if (r->eof) {
            ds_err_set(err, DS_ERR_CORRUPT, "%s:@%llu: truncated record", r->path,
                       (unsigned long long)(r->base_off + r->pos));
            return -1;
        }
        if (dsb_read_more(r, err) < 0) return -1;
    }
}

static void dsb_close(void *st) {
    dsb *r = st;
    ds_bytesrc_close(r->src);
    free(r->buf);
    free(r);
}

const ds_reader_ops ds_reader_dsb = {"dsb", false, dsb_open, dsb_next, dsb_close};

/* ---- writer ---- */

static size_t put_var(unsigned char *b, uint64_t v) {
    size_t n = 0;
    while (v >= 0x80) {
        b[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    b[n++] = (unsigned char)v;
    return n;
}

static ds_status dsb_begin(ds_wbuf *w, ds_err *err) {
    static const unsigned char hdr[DSB_HDR] = {'D', 'S', 'L', 'B', DSB_VERSION, 0, 0, 0};
    return ds_wbuf_put(w, hdr, sizeof hdr, err);
}

/* Validate before writing anything, so a rejected request leaves no partial record. */
static ds_status dsb_check(const ds_trace_req *req, ds_err *err) {
    if (req->op < 0 || req->op >= DS_OP__COUNT || req->time_us < 0 || req->ttl_s < 0)
        return ds_err_set(err, DS_ERR_ARG, "bad request (op %d, time_us %lld, ttl_s %lld)",
                          (int)req->op, (long long)req->time_us, (long long)req->ttl_s);
    return ds_trace_check_keys(req, err);
}

static ds_status dsb_put(ds_wbuf *w, const ds_trace_req *req, ds_err *err) {
    if (dsb_check(req, err) != DS_OK) return DS_ERR_ARG;
    unsigned char b[1 + 5 * DSB_VAR_MAX + 3 + DS_KEY_MAX_BYTES];
    size_t n = 0;
    b[n++] = (unsigned char)req->op;
    if (req->op == DS_OP_MGET || req->op == DS_OP_EXEC) n += put_var(b + n, req->nkeys);
    int64_t prev = w->last_time_us;
    uint64_t zz = req->time_us >= prev ? (uint64_t)(req->time_us - prev) << 1
                                       : (((uint64_t)(prev - req->time_us) - 1) << 1) | 1;
    n += put_var(b + n, zz);
    n += put_var(b + n, req->client);
    n += put_var(b + n, req->size);
    n += put_var(b + n, (uint64_t)req->ttl_s);
    ds_status st = DS_OK;
    for (uint32_t i = 0; i < req->nkeys && st == DS_OK; i++) {
        const ds_key *k = &req->keys[i];
        if (n + 3 + k->len > sizeof b) {
            st = ds_wbuf_put(w, b, n, err);
            n = 0;
        }
        n += put_var(b + n, k->len);
        memcpy(b + n, k->p, k->len);
        n += k->len;
    }
    if (st == DS_OK) st = ds_wbuf_put(w, b, n, err);
    if (st != DS_OK) return st;
    w->last_time_us = req->time_us;
    w->records_n++;
    return DS_OK;
}

static ds_status dsb_end(ds_wbuf *w, ds_err *err) {
    unsigned char b[1 + DSB_VAR_MAX];
    b[0] = DSB_END;
    size_t n = 1 + put_var(b + 1, w->records_n);
    return ds_wbuf_put(w, b, n, err);
}

const ds_writer_ops ds_writer_dsb = {"dsb", dsb_begin, dsb_put, dsb_end};
