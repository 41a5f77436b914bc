/*
 * file_walk.c - whole-tree walks of the file backend: open-time temp cleanup, scan, flush_all.
 *
 * Why separate: these are the only operations that see every file, they run while no other
 * call is in flight (at open, at the end of a run for the lost-write check, on an explicit
 * flush), so they take no stripe locks, and they share one bounded one-level directory walk.
 * The walk only descends into names of exactly three hex digits, so stray files placed in the
 * backend directory by a user are never touched.
 */
#include "file_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A visitor for one entry of a leaf directory; return non-DS_OK to stop. */
typedef ds_status (*walk_fn)(void *ctx, const char *path, const char *name, ds_err *err);

static bool is_hex(const char *s, size_t n) {
    return strlen(s) == n && strspn(s, "0123456789abcdef") == n;
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
        if (depth == 0) {
            if (is_hex(de->d_name, 3))
                st = walk_dir(path, depth + 1, fn, ctx, err);
            else if (strncmp(de->d_name, FILE_TMP_PREFIX, strlen(FILE_TMP_PREFIX)) == 0)
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
 * ignored: a directory a user put something into simply stays), and forget which directories
 * exist: the next save in each makes it again. */
ds_status ds_file_flush_all(ds_backend *b, ds_err *err) {
    file_backend *f = (file_backend *)b;
    ds_status st = walk_dir(f->dir, 0, unlink_any, NULL, err);
    if (st != DS_OK) return st;
    char p[FILE_PATH_MAX];
    for (unsigned d = 0; d < FILE_DIRS; d++) {
        atomic_store(&f->dirs_made[d / 64], 0);
        snprintf(p, sizeof(p), "%s/%03x", f->dir, d);
        rmdir(p);
    }
    return DS_OK;
}

/* The old layout had directories named by two hex digits at the top; a store holding one
 * cannot be read by this code, so opening it is an error, not an empty store. */
ds_status ds_file_check_layout(const char *dir, ds_err *err) {
    DIR *d = opendir(dir);
    if (!d) return ds_file_errno(err, "opendir", dir, errno);
    struct dirent *de;
    ds_status st = DS_OK;
    char path[FILE_PATH_MAX];
    struct stat sb;
    while (st == DS_OK && (de = readdir(d)) != NULL) {
        if (!is_hex(de->d_name, 2)) continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
            st = ds_err_set(err, DS_ERR_CONFIG,
                            "file backend: %s is a store in the old DIR/HH/LL layout; this "
                            "version uses DIR/HHH (rewrite it or start a new store)",
                            path);
    }
    closedir(d);
    return st;
}
