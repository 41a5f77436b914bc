/*
 * bytesrc.c - plain and zstd byte streams for trace readers and writers.
 *
 * Why a layer of its own: the formats stay ignorant of compression, and the one rule that
 * matters for compressed traces lives in one place: the decompressor must have finished its
 * frame when the input ends (ZSTD_decompressStream returned 0), otherwise the file was cut and
 * we say so instead of returning a silently short trace.
 */
#include "bytesrc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include <stdio.h>

struct ds_bytesrc {
    FILE *f;
    bool own;
    ZSTD_DCtx *dctx;    /* NULL: plain */
    unsigned char *zin; /* compressed input block */
    size_t zin_pos, zin_len, zin_cap;
    size_t last_hint; /* last ZSTD_decompressStream result: 0 = frame complete */
    bool eof_in;
    const char *name; /* points into the allocation after the struct */
};

bool ds_path_is_zst(const char *path) {
    size_t n = path ? strlen(path) : 0;
    return n >= 4 && strcmp(path + n - 4, ".zst") == 0;
}

ds_bytesrc *ds_bytesrc_open(const char *path, ds_err *err) {
    size_t n = strlen(path);
    ds_bytesrc *s = calloc(1, sizeof *s + n + 1);
    if (!s) {
        ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", path);
        return NULL;
    }
    memcpy((char *)(s + 1), path, n + 1);
    s->name = (const char *)(s + 1);
    if (strcmp(path, "-") == 0) {
        s->f = stdin;
    } else {
        s->f = fopen(path, "rb");
        s->own = true;
    }
    if (!s->f) {
        ds_err_set(err, DS_ERR_IO, "%s: %s", path, strerror(errno));
        free(s);
        return NULL;
    }
    if (ds_path_is_zst(path)) {
        s->dctx = ZSTD_createDCtx();
        s->zin_cap = ZSTD_DStreamInSize();
        s->zin = malloc(s->zin_cap);
        if (!s->dctx || !s->zin) {
            ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", path);
            ds_bytesrc_close(s);
            return NULL;
        }
    }
    return s;
}

static int64_t read_plain(ds_bytesrc *s, void *buf, size_t cap, ds_err *err) {
    size_t n = fread(buf, 1, cap, s->f);
    if (n == 0 && ferror(s->f)) {
        ds_err_set(err, DS_ERR_IO, "%s: read error: %s", s->name, strerror(errno));
        return -1;
    }
    return (int64_t)n;
}

/* Fill the compressed input block when it is used up; notes the end of the input. */
static int refill_zin(ds_bytesrc *s, ds_err *err) {
    if (s->zin_pos < s->zin_len || s->eof_in) return 0;
    size_t n = fread(s->zin, 1, s->zin_cap, s->f);
    if (n == 0) {
        if (ferror(s->f)) {
            ds_err_set(err, DS_ERR_IO, "%s: read error: %s", s->name, strerror(errno));
            return -1;
        }
        s->eof_in = true;
    }
    s->zin_pos = 0;
    s->zin_len = n;
    return 0;
}

static int64_t read_zstd(ds_bytesrc *s, void *buf, size_t cap, ds_err *err) {
    ZSTD_outBuffer out = {buf, cap, 0};
    for (;;) {
        if (refill_zin(s, err) < 0) return -1;
        ZSTD_inBuffer in = {s->zin, s->zin_len, s->zin_pos};
        size_t ret = ZSTD_decompressStream(s->dctx, &out, &in);
        bool progress = in.pos != s->zin_pos || out.pos > 0;
        s->zin_pos = in.pos;
        if (ZSTD_isError(ret)) {
            ds_err_set(err, DS_ERR_CORRUPT, "%s: zstd: %s", s->name, ZSTD_getErrorName(ret));
            return -1;
        }
        /* With no input a finished stream hints the next frame's header size: ignore that. */
        if (progress) s->last_hint = ret;
        if (out.pos > 0) return (int64_t)out.pos;
        if (s->eof_in && s->zin_pos == s->zin_len) break;
    }
    if (s->last_hint != 0) {
        ds_err_set(err, DS_ERR_CORRUPT, "%s: truncated zstd frame (input ends mid-frame)", s->name);
        return -1;
    }
    return 0;
}

int64_t ds_bytesrc_read(ds_bytesrc *s, void *buf, size_t cap, ds_err *err) {
    if (cap == 0) return 0;
    return s->dctx ? read_zstd(s, buf, cap, err) : read_plain(s, buf, cap, err);
}

void ds_bytesrc_close(ds_bytesrc *s) {
    if (!s) return;
    if (s->own && s->f) fclose(s->f);
    ZSTD_freeDCtx(s->dctx);
    free(s->zin);
    free(s);
}

/* ---- sinks ---- */

struct ds_bytesink {
    FILE *f;
    bool own;
    ZSTD_CCtx *cctx;
    unsigned char *zout;
    size_t zout_cap;
    const char *name;
};

ds_bytesink *ds_bytesink_open(const char *path, ds_err *err) {
    size_t n = strlen(path);
    ds_bytesink *s = calloc(1, sizeof *s + n + 1);
    if (!s) {
        ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", path);
        return NULL;
    }
    memcpy((char *)(s + 1), path, n + 1);
    s->name = (const char *)(s + 1);
    s->own = strcmp(path, "-") != 0;
    s->f = s->own ? fopen(path, "wb") : stdout;
    if (!s->f) {
        ds_err_set(err, DS_ERR_IO, "%s: %s", path, strerror(errno));
        free(s);
        return NULL;
    }
    if (ds_path_is_zst(path)) {
        s->cctx = ZSTD_createCCtx();
        s->zout_cap = ZSTD_CStreamOutSize();
        s->zout = malloc(s->zout_cap);
        if (!s->cctx || !s->zout) {
            ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", path);
            ds_bytesink_close(s, NULL);
            return NULL;
        }
        ZSTD_CCtx_setParameter(s->cctx, ZSTD_c_compressionLevel, 3);
    }
    return s;
}

/* Push bytes through the compressor with `mode`; loops until zstd says it is done. */
static ds_status zstd_push(ds_bytesink *s, const void *buf, size_t len, ZSTD_EndDirective mode,
                           ds_err *err) {
    ZSTD_inBuffer in = {buf, len, 0};
    for (;;) {
        ZSTD_outBuffer out = {s->zout, s->zout_cap, 0};
        size_t ret = ZSTD_compressStream2(s->cctx, &out, &in, mode);
        if (ZSTD_isError(ret))
            return ds_err_set(err, DS_ERR_IO, "%s: zstd: %s", s->name, ZSTD_getErrorName(ret));
        if (out.pos && fwrite(s->zout, 1, out.pos, s->f) != out.pos)
            return ds_err_set(err, DS_ERR_IO, "%s: write error: %s", s->name, strerror(errno));
        bool done = mode == ZSTD_e_end ? ret == 0 : in.pos == in.size;
        if (done) return DS_OK;
    }
}

ds_status ds_bytesink_write(ds_bytesink *s, const void *buf, size_t len, ds_err *err) {
    if (len == 0) return DS_OK;
    if (s->cctx) return zstd_push(s, buf, len, ZSTD_e_continue, err);
    if (fwrite(buf, 1, len, s->f) != len)
        return ds_err_set(err, DS_ERR_IO, "%s: write error: %s", s->name, strerror(errno));
    return DS_OK;
}

ds_status ds_bytesink_close(ds_bytesink *s, ds_err *err) {
    if (!s) return DS_OK;
    ds_status st = DS_OK;
    if (s->cctx && s->zout) st = zstd_push(s, NULL, 0, ZSTD_e_end, err);
    if (s->f && fflush(s->f) != 0 && st == DS_OK)
        st = ds_err_set(err, DS_ERR_IO, "%s: write error: %s", s->name, strerror(errno));
    if (s->f && ferror(s->f) && st == DS_OK)
        st = ds_err_set(err, DS_ERR_IO, "%s: write error", s->name);
    if (s->own && s->f && fclose(s->f) != 0 && st == DS_OK)
        st = ds_err_set(err, DS_ERR_IO, "%s: close error: %s", s->name, strerror(errno));
    ZSTD_freeCCtx(s->cctx);
    free(s->zout);
    free(s);
    return st;
}
