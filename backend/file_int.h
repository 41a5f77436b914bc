/*
 * file_int.h - shared internals of the file backend (backend/file.c: calls and records,
 * backend/file_walk.c: whole-tree walks for open-time cleanup, scan and flush_all).
 *
 * On-disk layout: DIR/HHH/<hash16>-<slot>, where hash = ds_hash64(key) and HHH is its top 12
 * bits in three hex digits, so 4096 directories hold ~2440 files each at 10M keys (and well
 * under 2700 in the fullest one). One level, not two: a store of N keys makes at most 4096
 * directories instead of ~min(N, 65536), and on ext4 every mkdir is an inode allocation as
 * costly as the save itself. The backend remembers in a bitmap which directories it has made,
 * so a save in a known directory goes straight to its temp file. <slot> is the probe
 * index that resolves 64-bit hash collisions; a key's chain has no holes (delete moves the
 * chain's last file into the freed slot). Temporary files start with ".tmp-" and live in the
 * directory of their target so rename() is atomic.
 *
 * Record (little endian, 36-byte header, then key bytes, then value bytes):
 *   0 magic "DSKV" | 4 u16 version (1) | 6 u16 flags (0) | 8 i64 expire_us |
 *   16 u64 size_bytes | 24 u32 keylen | 28 u32 valuelen | 32 u32 CRC32C over bytes 0..31, key
 *   and value. A file whose length is not 36 + keylen + valuelen, or whose CRC, magic or
 *   version is wrong, is DS_ERR_CORRUPT with its path in the message, never a value.
 */
#ifndef DS_FILE_INT_H
#define DS_FILE_INT_H

#include "backend_int.h"

#include <pthread.h>
#include <stdatomic.h>

#define FILE_HDR_BYTES  36u
#define FILE_VERSION    1u
#define FILE_MAGIC      "DSKV"
#define FILE_STRIPES    256u
#define FILE_PROBE_MAX  64u
#define FILE_PATH_MAX   4096u
#define FILE_DIR_MAX    (FILE_PATH_MAX - 128u)
#define FILE_TMP_PREFIX ".tmp-"
#define FILE_DIR_BITS   12u
#define FILE_DIRS       (1u << FILE_DIR_BITS)
#define FILE_DIR_OF(h)  ((unsigned)((h) >> (64u - FILE_DIR_BITS)))

typedef struct file_backend {
    ds_backend base;
    char dir[FILE_DIR_MAX];
    ds_fsync fsync;
    uint64_t hash_mask;
    pthread_mutex_t stripes[FILE_STRIPES]; /* one per hash stripe: guards a probe chain */
    long pid; /* for temp names; taken at open (getpid is a syscall per save otherwise) */
    atomic_uint_fast64_t tmp_seq;
    atomic_uint_fast64_t dirs_made[FILE_DIRS / 64]; /* bit set: DIR/HHH exists (and, with
                                                       fsync=always, its entry is durable) */
    atomic_uint_fast64_t gets, sets, dels, errors, bytes_read, bytes_written;
} file_backend;

/* A decoded record; buf owns the whole file image. */
typedef struct file_rec {
    unsigned char *buf;
    size_t len;
    int64_t expire_us;
    uint64_t size_bytes;
    uint32_t keylen, valuelen;
    const unsigned char *key, *value;
} file_rec;

/* Read and verify a whole file: DS_OK, DS_NOT_FOUND (no such file), DS_ERR_CORRUPT, DS_ERR_IO.
 * On DS_OK the caller frees rec->buf. */
ds_status ds_file_read(const char *path, file_rec *rec, ds_err *err);

/* "PATH: strerror(e)" into err, as DS_ERR_IO. Thread-safe. */
ds_status ds_file_errno(ds_err *err, const char *what, const char *path, int e);

/* Open-time cleanup of leftover temp files; scan; flush (both walk the whole tree). */
ds_status ds_file_clean_tmp(file_backend *f, ds_err *err);
ds_status ds_file_scan(ds_backend *b, ds_scan_fn fn, void *ctx, ds_err *err);
ds_status ds_file_flush_all(ds_backend *b, ds_err *err);

/* Refuse a store in the old two-level layout (DIR/HH/LL): its keys would silently vanish. */
ds_status ds_file_check_layout(const char *dir, ds_err *err);

#endif /* DS_FILE_INT_H */
