/*
 * bytesrc.h - byte sources and sinks under the trace readers and writers.
 *
 * Why: every trace format may arrive zstd-compressed (libCacheSim publishes its traces as .zst),
 * so compression is a property of the byte stream, not of the format. A reader pulls bytes from
 * a ds_bytesrc (a plain FILE* or a zstd streaming decompressor) and never knows which. A zstd
 * stream that ends inside a frame is an error: a truncated download must not look like a shorter
 * trace. Writers push bytes into a ds_bytesink, which compresses when the name ends in ".zst".
 */
#ifndef DS_BYTESRC_H
#define DS_BYTESRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dslab.h"

typedef struct ds_bytesrc ds_bytesrc;

/* True when the path names a zstd stream (".zst" suffix). */
bool ds_path_is_zst(const char *path);

/* "-" is stdin (never decompressed unless zst is forced by the name). Errors name the file. */
ds_bytesrc *ds_bytesrc_open(const char *path, ds_err *err);

/* Read up to cap bytes. Returns bytes read (> 0), 0 at the clean end, -1 on error. Short reads
 * happen; the caller loops. */
int64_t ds_bytesrc_read(ds_bytesrc *s, void *buf, size_t cap, ds_err *err);

void ds_bytesrc_close(ds_bytesrc *s);

typedef struct ds_bytesink ds_bytesink;

/* "-" is stdout. A ".zst" suffix compresses (zstd level 3). */
ds_bytesink *ds_bytesink_open(const char *path, ds_err *err);
ds_status ds_bytesink_write(ds_bytesink *s, const void *buf, size_t len, ds_err *err);
/* Flushes, ends the zstd frame, closes; reports any write error. Frees s either way. */
ds_status ds_bytesink_close(ds_bytesink *s, ds_err *err);

#endif
