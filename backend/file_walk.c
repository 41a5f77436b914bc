/*
 * file_walk.c - whole-tree walks of the file backend: open-time temp cleanup, scan, flush_all.
 *
 * Why separate: these are the only operations that see every file, they run while no other
 * call is in flight (at open, at the end of a run for the lost-write check, on an explicit
 * flush), so they take no stripe locks, and they share one bounded two-level directory walk.
 * The walk only descends into names of exactly two hex digits, so stray files placed in the
 * backend directory by a user are never touched.
 */
#include "file_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A visitor for one entry of a leaf directory; return non-DS_OK to stop. */
typedef ds_status (*walk_fn)(void *ctx, const char *path, const char *name, ds_err *err);

static bool is_hex2(const char *s) {
    return strlen(s) == 2 && strspn(s, "0123456789abcdef") == 2;
}

static ds_status walk_dir(const char *dir, int depth, walk_fn fn, void *ctx, ds_err *err) {
    DIR *d = opendir(dir);
    if (!d) return errno == ENOENT ? DS_OK : ds_file_errno(err, "opendir", dir, errno);
    ds_status st = DS_OK;
    struct dirent *de;
    char path[FILE_PATH_MAX];
    while (st == DS_OK && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        if (depth < 2) {
            if (is_hex2(de->d_name)) st = walk_dir(path, depth + 1, fn, ctx, err);
            if (st == DS_OK && depth == 0 && !is_hex2(de->d_name) &&
                strncmp(de->d_name, FILE_TMP_PREFIX, strlen(FILE_TMP_PREFIX)) == 0)
                st = fn(ctx, path, de->d_name, err); /* stray probe file at the top */
            continue;
        }
        st = fn(ctx, path, de->d_name, err);
    }
    closedir(d);
    return st;
}

static ds_status unlink_tmp(void *ctx, const char *path, const char *name, ds_err *err) {
    (void)ctx;
    if (strncmp(name, FILE_TMP_PREFIX, strlen(FILE_TMP_PREFIX)) != 0) return DS_OK;
    if (unlink(path) != 0 && errno != ENOENT) return ds_file_errno(err, "unlink", path, errno);
    return DS_OK;
}

ds_status ds_file_clean_tmp(file_backend *f, ds_err *err) {
    return walk_dir(f->dir, 0, unlink_tmp, NULL, err);
}

typedef struct scan_ctx {
    ds_scan_fn fn;
    void *ctx;
    bool stopped;
} scan_ctx;

/* Temp files are skipped (a crashed write is not a stored key); a corrupt record stops the
 * scan with DS_ERR_CORRUPT naming the file, because the lost-write check must not pass over
 * it silently. */
static ds_status scan_one(void *ctx, const char *path, const char *name, ds_err *err) {
    scan_ctx *sc = ctx;
    if (name[0] == '.') return DS_OK;
    file_rec r;
    ds_status st = ds_file_read(path, &r, err);
    if (st == DS_NOT_FOUND) return DS_OK;
    if (st != DS_OK) return st;
    ds_value *v = ds_value_new(r.value, r.valuelen, r.size_bytes, r.expire_us);
    if (!v) {
        free(r.buf);
        return ds_err_set(err, DS_ERR_NOMEM, "file backend: out of memory");
    }
    bool go = sc->fn(sc->ctx, r.key, r.keylen, v);
    ds_value_unref(v);
    free(r.buf);
    if (!go) {
        sc->stopped = true;
        return DS_NOT_FOUND; /* private "stop" signal, mapped back to DS_OK below */
    }
    return DS_OK;
}

ds_status ds_file_scan(ds_backend *b, ds_scan_fn fn, void *ctx, ds_err *err) {
    file_backend *f = (file_backend *)b;
    scan_ctx sc = {fn, ctx, false};
    if (!fn) return ds_err_set(err, DS_ERR_ARG, "file backend: scan without a visitor");
    ds_status st = walk_dir(f->dir, 0, scan_one, &sc, err);
    return sc.stopped ? DS_OK : st;
}

static ds_status unlink_any(void *ctx, const char *path, const char *name, ds_err *err) {
    (void)ctx, (void)name;
    if (unlink(path) != 0 && errno != ENOENT) return ds_file_errno(err, "unlink", path, errno);
    return DS_OK;
}

/* Remove every record and temp file, then the empty hash directories (rmdir failures are
 * ignored: a directory a user put something into simply stays). */
ds_status ds_file_flush_all(ds_backend *b, ds_err *err) {
    file_backend *f = (file_backend *)b;
    ds_status st = walk_dir(f->dir, 0, unlink_any, NULL, err);
    if (st != DS_OK) return st;
    char p[FILE_PATH_MAX];
    for (unsigned hi = 0; hi < 256; hi++) {
        snprintf(p, sizeof(p), "%s/%02x", f->dir, hi);
        if (access(p, F_OK) != 0) continue;
        for (unsigned lo = 0; lo < 256; lo++) {
            snprintf(p, sizeof(p), "%s/%02x/%02x", f->dir, hi, lo);
            rmdir(p);
        }
        snprintf(p, sizeof(p), "%s/%02x", f->dir, hi);
        rmdir(p);
    }
    return DS_OK;
}
