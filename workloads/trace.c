/*
 * trace.c - the format table, format detection, and the reader/writer front ends.
 *
 * Why: users see one reader type whatever the file holds. A format is chosen by
 * ds_reader_opts.format, or from the file name: "gen:" pseudo-paths go to the generators,
 * names ending in ".dsb" (or ".dsb.zst") are the native binary trace, names containing
 * "oracleGeneral" are libCacheSim binary traces, a csv_opts string means the libCacheSim CSV
 * reader, names containing "twitter" are Twitter cache traces, anything else is the native CSV.
 * A ".zst" suffix is stripped first (compression belongs to bytesrc.c).
 * Errors are sticky: once next() failed, it keeps returning -1 with the same message.
 */
#include <stdlib.h>
#include <string.h>

#include "trace_impl.h"

static const ds_reader_ops *const formats[] = {
    &ds_reader_native, &ds_reader_oracle, &ds_reader_csv, &ds_reader_twitter, &ds_reader_dsb,
};
#define NFORMATS (sizeof formats / sizeof formats[0])

static const ds_writer_ops *const writers[] = {&ds_writer_native, &ds_writer_oracle,
                                               &ds_writer_dsb};
#define NWRITERS (sizeof writers / sizeof writers[0])

struct ds_reader {
    const ds_reader_ops *ops;
    void *st;
    int failed;
    bool binary_keys;
    ds_err last;
};

const char *ds_trace_formats(void) { return "native,oracleGeneral,csv,twitter,dsb,gen:SPEC"; }

static const char *base_name(const char *path) {
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* dsb is chosen by suffix: "NAME.dsb" or "NAME.dsb.zst". */
static bool is_dsb_name(const char *path) {
    size_t n = strlen(path);
    if (n >= 4 && strcmp(path + n - 4, ".zst") == 0) n -= 4;
    return n >= 4 && memcmp(path + n - 4, ".dsb", 4) == 0;
}

static const ds_reader_ops *by_name(const char *name) {
    for (size_t i = 0; i < NFORMATS; i++)
        if (strcmp(formats[i]->name, name) == 0) return formats[i];
    if (strcmp(name, "oracle") == 0) return &ds_reader_oracle;
    return NULL;
}

static const ds_reader_ops *detect(const char *path, const ds_reader_opts *o, ds_err *err) {
    const char *fmt = o ? o->format : NULL;
    if (fmt && *fmt && strcmp(fmt, "auto") != 0) {
        const ds_reader_ops *ops = by_name(fmt);
        if (!ops)
            ds_err_set(err, DS_ERR_ARG, "unknown trace format '%s' (known: %s)", fmt,
                       ds_trace_formats());
        return ops;
    }
    const char *b = base_name(path);
    if (is_dsb_name(b)) return &ds_reader_dsb;
    if (strstr(b, "oracleGeneral")) return &ds_reader_oracle;
    if (o && o->csv_opts && *o->csv_opts) return &ds_reader_csv;
    if (strstr(b, "twitter") || strstr(b, "Twitter")) return &ds_reader_twitter;
    return &ds_reader_native;
}

ds_reader *ds_reader_open(const char *path, const ds_reader_opts *o, ds_err *err) {
    if (!path || !*path) {
        ds_err_set(err, DS_ERR_ARG, "empty trace path");
        return NULL;
    }
    const ds_reader_ops *ops;
    ds_bytesrc *src = NULL;
    if (strncmp(path, "gen:", 4) == 0) {
        ops = &ds_reader_gen;
    } else {
        ops = detect(path, o, err);
        if (!ops) return NULL;
        src = ds_bytesrc_open(path, err);
        if (!src) return NULL;
    }
    ds_reader *r = calloc(1, sizeof *r);
    if (!r) {
        ds_bytesrc_close(src);
        ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", path);
        return NULL;
    }
    static const ds_reader_opts none = {0};
    r->ops = ops;
    r->binary_keys = o && o->binary_ids && ops == &ds_reader_oracle;
    r->st = ops->open(path, src, o ? o : &none, err);
    if (!r->st) {
        free(r);
        return NULL;
    }
    return r;
}

int ds_reader_next(ds_reader *r, ds_trace_req *out, ds_err *err) {
    if (r->failed) {
        if (err) *err = r->last;
        return -1;
    }
    out->next_access = DS_NEXT_ACCESS_UNKNOWN; /* readers that know it overwrite it */
    int rc = r->ops->next(r->st, out, &r->last);
    if (rc < 0) {
        r->failed = 1;
        if (err) *err = r->last;
    }
    return rc;
}

int64_t ds_reader_ids(ds_reader *r, ds_idrec *out, size_t max, ds_err *err) {
    if (r->failed) {
        if (err) *err = r->last;
        return -1;
    }
    if (!r->ops->ids) return DS_READER_NO_BULK;
    int64_t n = r->ops->ids(r->st, out, max, &r->last);
    if (n == -1) {
        r->failed = 1;
        if (err) *err = r->last;
    }
    return n;
}

const char *ds_reader_format(const ds_reader *r) { return r->ops->name; }

bool ds_reader_is_id_trace(const ds_reader *r) { return r->ops->id_trace; }

bool ds_reader_binary_keys(const ds_reader *r) { return r->binary_keys; }

ds_key ds_key_text(const ds_key *k, bool binary, char *buf) {
    if (!binary || k->len != 8) return *k;
    uint64_t id = 0;
    const unsigned char *p = k->p;
    for (int i = 7; i >= 0; i--)
        id = id << 8 | p[i];
    return (ds_key){buf, ds_u64_to_dec(id, buf)};
}

void ds_reader_close(ds_reader *r) {
    if (!r) return;
    r->ops->close(r->st);
    free(r);
}

/* ---- writers ---- */

#ifdef DS_TRACE_SMALL_BUFFERS /* fuzz builds */
#define WBUF_BYTES 64u
#else
#define WBUF_BYTES (256u * 1024u)
#endif

struct ds_writer {
    const ds_writer_ops *ops;
    ds_wbuf w;
    ds_status failed;
};

ds_status ds_wbuf_put(ds_wbuf *w, const void *p, size_t n, ds_err *err) {
    if (w->len + n > w->cap) {
        ds_status st = ds_bytesink_write(w->sink, w->buf, w->len, err);
        w->len = 0;
        if (st != DS_OK) return st;
        if (n > w->cap) return ds_bytesink_write(w->sink, p, n, err);
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
    return DS_OK;
}

static const ds_writer_ops *writer_by_name(const char *path, const char *format) {
    if ((!format || !*format || strcmp(format, "auto") == 0) && is_dsb_name(base_name(path)))
        return &ds_writer_dsb;
    if (!format || !*format || strcmp(format, "auto") == 0)
        return strstr(base_name(path), "oracleGeneral") ? &ds_writer_oracle : &ds_writer_native;
    for (size_t i = 0; i < NWRITERS; i++)
        if (strcmp(writers[i]->name, format) == 0) return writers[i];
    return NULL;
}

ds_writer *ds_writer_open(const char *path, const char *format, ds_err *err) {
    const ds_writer_ops *ops = writer_by_name(path, format);
    if (!ops) {
        ds_err_set(err, DS_ERR_ARG, "unknown output format '%s' (known: native,oracleGeneral,dsb)",
                   format);
        return NULL;
    }
    ds_writer *wr = calloc(1, sizeof *wr);
    char *buf = malloc(WBUF_BYTES);
    if (!wr || !buf) {
        free(wr);
        free(buf);
        ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", path);
        return NULL;
    }
    wr->ops = ops;
    wr->w.buf = buf;
    wr->w.cap = WBUF_BYTES;
    wr->w.sink = ds_bytesink_open(path, err);
    if (!wr->w.sink || (ops->begin && ops->begin(&wr->w, err) != DS_OK)) {
        ds_bytesink_close(wr->w.sink, NULL);
        free(buf);
        free(wr);
        return NULL;
    }
    return wr;
}

ds_status ds_writer_put(ds_writer *wr, const ds_trace_req *req, ds_err *err) {
    if (wr->failed != DS_OK) return ds_err_set(err, wr->failed, "writer failed earlier");
    ds_status st = wr->ops->put(&wr->w, req, err);
    if (st == DS_ERR_IO) wr->failed = st; /* bad records (DS_ERR_ARG) leave the writer usable */
    return st;
}

ds_status ds_writer_close(ds_writer *wr, ds_err *err) {
    if (!wr) return DS_OK;
    ds_status st = DS_OK;
    if (wr->failed == DS_OK && wr->ops->end) st = wr->ops->end(&wr->w, err);
    if (st == DS_OK && wr->w.len) st = ds_bytesink_write(wr->w.sink, wr->w.buf, wr->w.len, err);
    ds_status st2 = ds_bytesink_close(wr->w.sink, st == DS_OK ? err : NULL);
    free(wr->w.buf);
    free(wr);
    return st != DS_OK ? st : st2;
}
