/*
 * trace_oracle.c - libCacheSim's oracleGeneral binary trace (reader and writer).
 *
 * Records are packed little-endian, 24 bytes: {uint32 timestamp_s; uint64 obj_id;
 * uint32 obj_size; int64 next_access_vtime}. Every record is a GET of the key "<obj_id in
 * decimal>" with size = obj_size, time_us = timestamp_s * 1e6, client 0 (the format has no
 * client, so the whole trace is one client), ttl 0. next_access_vtime becomes the request's
 * next_access hint (for evict=belady): -1 (no further access) reads as DS_NEXT_ACCESS_NEVER.
 * With binary_ids (what replay asks for) the key is the id's 8 bytes as stored, which costs
 * nothing per record; ds_key_text turns it back into the decimal text where a key is printed.
 * Why the block reads and the hand-written u64->decimal: public traces run to billions of
 * records, so the per-record cost is a few loads and one short digit loop.
 * A file whose length is not a multiple of 24 ends in a truncated record: that is an error.
 *
 * The writer (for `dslab convert --to oracleGeneral`) writes one record per key with
 * next_access_vtime = -1 (unknown; libCacheSim recomputes it when needed). Keys that are a
 * canonical decimal u64 keep their id; other keys become ds_hash64(key). The op, client and
 * ttl are lost: the format cannot hold them.
 */
#include <stdlib.h>
#include <string.h>

#include "trace_impl.h"

#define ORACLE_REC 24u
#ifdef DS_TRACE_SMALL_BUFFERS /* fuzz builds: records straddle block ends */
#define ORACLE_BUF (ORACLE_REC * 3u + 7u)
#else
#define ORACLE_BUF (ORACLE_REC * 43690u) /* ~1 MiB */
#endif

typedef struct oracle {
    ds_bytesrc *src;
    const char *path;
    unsigned char *buf;
    size_t pos, len;
    uint64_t index;
    bool eof, binary;
    char key[24];
} oracle;

static void *oracle_open(const char *path, ds_bytesrc *src, const ds_reader_opts *o, ds_err *err) {
    oracle *r = calloc(1, sizeof *r + strlen(path) + 1);
    unsigned char *buf = malloc(ORACLE_BUF);
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
    r->binary = o->binary_ids;
    return r;
}

static inline uint32_t le32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t le64(const unsigned char *p) {
    return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static int refill(oracle *r, ds_err *err);

/* Make at least one whole record available; 0 at a clean end, -1 on error or truncation.
 * The test is inline: a block holds 43,690 records, so the refill is a call in 43,690. */
static inline int fill(oracle *r, ds_err *err) {
    if (r->len - r->pos >= ORACLE_REC) return 1;
    return refill(r, err);
}

static __attribute__((noinline)) int refill(oracle *r, ds_err *err) {
    size_t rest = r->len - r->pos;
    memmove(r->buf, r->buf + r->pos, rest);
    r->pos = 0;
    r->len = rest;
    while (!r->eof && r->len < ORACLE_REC) {
        int64_t n = ds_bytesrc_read(r->src, r->buf + r->len, ORACLE_BUF - r->len, err);
        if (n < 0) return -1;
        if (n == 0) r->eof = true;
        r->len += (size_t)n;
    }
    if (r->len >= ORACLE_REC) return 1;
    if (r->len == 0) return 0;
    ds_err_set(err, DS_ERR_CORRUPT, "%s:%llu: truncated record (%zu of %u bytes)", r->path,
               (unsigned long long)r->index + 1, r->len, ORACLE_REC);
    return -1;
}

static int oracle_next(void *st, ds_trace_req *out, ds_err *err) {
    oracle *r = st;
    int rc = fill(r, err);
    if (rc <= 0) return rc;
    const unsigned char *p = r->buf + r->pos;
    r->pos += ORACLE_REC;
    r->index++;
    out->time_us = (int64_t)le32(p) * 1000000;
    out->client = 0;
    out->op = DS_OP_GET;
    out->nkeys = 1;
    out->keys[0].p = r->key;
    if (r->binary) {
        memcpy(r->key, p + 4, 8); /* little-endian on disk; kept as stored */
        out->keys[0].len = 8;
    } else {
        out->keys[0].len = ds_u64_to_dec(le64(p + 4), r->key);
    }
    out->size = le32(p + 12);
    out->ttl_s = 0;
    out->line = r->index;
    int64_t next = (int64_t)le64(p + 16);
    out->next_access = next < 0 ? DS_NEXT_ACCESS_NEVER : next;
    return 1;
}

/* Bulk: whole records straight from the block buffer (binary ids only: text keys need
 * storage per record). */
static int64_t oracle_ids(void *st, ds_idrec *out, size_t max, ds_err *err) {
    oracle *r = st;
    if (!r->binary) return DS_READER_NO_BULK;
    int rc = fill(r, err);
    if (rc <= 0) return rc;
    size_t n = (r->len - r->pos) / ORACLE_REC;
    if (n > max) n = max;
    const unsigned char *p = r->buf + r->pos;
    for (size_t i = 0; i < n; i++, p += ORACLE_REC) {
        memcpy(out[i].id, p + 4, 8);
        out[i].size = le32(p + 12);
        int64_t next = (int64_t)le64(p + 16);
        out[i].next_access = next < 0 ? DS_NEXT_ACCESS_NEVER : next;
    }
    r->pos += n * ORACLE_REC;
    r->index += n;
    return (int64_t)n;
}

static void oracle_close(void *st) {
    oracle *r = st;
    ds_bytesrc_close(r->src);
    free(r->buf);
    free(r);
}

const ds_reader_ops ds_reader_oracle = {"oracleGeneral", true,         oracle_open,
                                        oracle_next,     oracle_close, oracle_ids};

/* ---- writer ---- */

static void put_le(unsigned char *p, uint64_t v, int n) {
    for (int i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t key_id(const ds_key *k) {
    uint64_t v;
    const char *s = k->p;
    bool canonical = k->len > 0 && (k->len == 1 || s[0] != '0');
    if (canonical && ds_parse_u64(s, k->len, &v)) return v;
    return ds_hash64(k->p, k->len, 0);
}

static ds_status oracle_put(ds_wbuf *w, const ds_trace_req *req, ds_err *err) {
    if (req->time_us < 0 || req->time_us / 1000000 > UINT32_MAX)
        return ds_err_set(err, DS_ERR_ARG, "time_us %lld does not fit oracleGeneral",
                          (long long)req->time_us);
    if (req->size > UINT32_MAX)
        return ds_err_set(err, DS_ERR_ARG, "size %llu does not fit oracleGeneral",
                          (unsigned long long)req->size);
    if (req->nkeys == 0 || req->nkeys > DS_MULTI_MAX_KEYS)
        return ds_err_set(err, DS_ERR_ARG, "request with %u keys", req->nkeys);
    for (uint32_t i = 0; i < req->nkeys; i++) {
        unsigned char rec[ORACLE_REC];
        put_le(rec, (uint64_t)(req->time_us / 1000000), 4);
        put_le(rec + 4, key_id(&req->keys[i]), 8);
        put_le(rec + 12, req->size, 4);
        put_le(rec + 16, UINT64_MAX, 8); /* next_access_vtime = -1 */
        ds_status st = ds_wbuf_put(w, rec, sizeof rec, err);
        if (st != DS_OK) return st;
    }
    return DS_OK;
}

const ds_writer_ops ds_writer_oracle = {"oracleGeneral", NULL, oracle_put};
