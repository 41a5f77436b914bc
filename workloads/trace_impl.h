/*
 * trace_impl.h - what a trace format plugs in, and the shared CSV row splitter.
 *
 * Why: adding a format touches one file and one line of the table in trace.c (the libCacheSim
 * reader style). Text formats share ds_csvrow, which feeds libcsv one physical line at a time,
 * so that line numbers in errors are exact and nothing is buffered beyond the current row.
 * Internal to workloads/; users include trace.h.
 */
#ifndef DS_TRACE_IMPL_H
#define DS_TRACE_IMPL_H

#include <csv.h>

#include "bytesrc.h"
#include "trace.h"

/* One reader format. open() takes ownership of src (also on failure). */
typedef struct ds_reader_ops {
    const char *name;
    bool id_trace;
    void *(*open)(const char *path, ds_bytesrc *src, const ds_reader_opts *o, ds_err *err);
    int (*next)(void *st, ds_trace_req *out, ds_err *err); /* 1, 0 = end, -1 = error */
    void (*close)(void *st);
    /* Optional bulk read (ds_reader_ids); DS_READER_NO_BULK when not possible for st. */
    int64_t (*ids)(void *st, ds_idrec *out, size_t max, ds_err *err);
} ds_reader_ops;

extern const ds_reader_ops ds_reader_native, ds_reader_oracle, ds_reader_csv, ds_reader_twitter,
    ds_reader_gen, ds_reader_dsb;

/* Writers format into a block buffer that goes to the sink when full (few zstd calls). */
typedef struct ds_wbuf {
    ds_bytesink *sink;
    char *buf;
    size_t len, cap;
    /* For binary formats with per-stream state (dsb: delta times, record count); zero at open,
     * updated only by the format's put(). */
    uint64_t records_n;
    int64_t last_time_us;
} ds_wbuf;
ds_status ds_wbuf_put(ds_wbuf *w, const void *p, size_t n, ds_err *err);

/* One writer format: put() appends one request. */
typedef struct ds_writer_ops {
    const char *name;
    ds_status (*begin)(ds_wbuf *w, ds_err *err); /* header; may be NULL */
    ds_status (*put)(ds_wbuf *w, const ds_trace_req *req, ds_err *err);
    ds_status (*end)(ds_wbuf *w, ds_err *err); /* trailer at close, unless failed; may be NULL */
} ds_writer_ops;

extern const ds_writer_ops ds_writer_native, ds_writer_oracle, ds_writer_dsb;

/* ---- CSV rows (libcsv, streaming) ---- */

#define DS_CSVROW_MAX_FIELDS 32u
/* A row longer than this is an error: bounds memory on garbage input. An MGET of the largest
 * allowed size fits. */
#define DS_CSVROW_MAX_BYTES ((size_t)DS_MULTI_MAX_KEYS * (DS_KEY_MAX_BYTES + 1) + 4096)

typedef struct ds_csvfield {
    const char *p; /* valid until the next ds_csvrow_next */
    uint32_t len;
} ds_csvfield;

typedef struct ds_csvrow ds_csvrow;

ds_csvrow *ds_csvrow_open(const char *path, ds_bytesrc *src, unsigned char delim, ds_err *err);
/* 1: a row (nf fields, the first min(nf, MAX_FIELDS) in f[], its first line in *line);
 * 0: end; -1: error. Blank lines are skipped. */
int ds_csvrow_next(ds_csvrow *c, const ds_csvfield **f, uint32_t *nf, uint64_t *line, ds_err *err);
void ds_csvrow_close(ds_csvrow *c);

/* ---- small parsers shared by the formats (return false on bad input) ---- */

bool ds_field_eq(const ds_csvfield *f, const char *s);  /* exact */
bool ds_field_ieq(const ds_csvfield *f, const char *s); /* ASCII case-insensitive */

/* Writers: can this request's keys be written in the native formats? One key per op except
 * MGET/EXEC (1..DS_MULTI_MAX_KEYS), each 1..DS_KEY_MAX_BYTES bytes, no space inside a
 * multi-key list (space separates them). */
ds_status ds_trace_check_keys(const ds_trace_req *req, ds_err *err);
/* Decimal of v into buf (>= 21 bytes), no NUL; returns the length. */
uint32_t ds_u64_to_dec(uint64_t v, char *buf);

#endif
