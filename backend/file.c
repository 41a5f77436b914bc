/*
 * file.c - the file backend: one file per key, written atomically (temp file + rename).
 *
 * Why one file per key: it is the simplest store whose crash behaviour is obvious. A reader
 * sees either the old file or the new one, never a mix, because the new content is written to
 * a temporary file in the same directory and renamed over the old name; with fsync=always the
 * file and then its directory are fsynced, so an acknowledged save survives power loss. Every
 * record carries a CRC32C, so a torn or bit-flipped file is reported as corrupt, not returned.
 *
 * Concurrency: the scheduler never runs two jobs on one key at once, but two different keys may
 * share a hash (a probe chain). A striped mutex indexed by the hash serialises calls on one
 * chain, so probing, collision handling and hole-free deletes see a stable chain. Layout and
 * record format: backend/file_int.h.
 */
#include "file_int.h"

#include "crc32c.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define FILE_HASH_SEED 0x66696c656b76ull /* "filekv" */

ds_status ds_file_errno(ds_err *err, const char *what, const char *path, int e) {
    char buf[128];
    const char *msg = strerror_r(e, buf, sizeof(buf)); /* GNU variant: returns the text */
    return ds_err_set(err, DS_ERR_IO, "file backend: %s %s: %s", what, path, msg);
}

static void put16(unsigned char *p, uint16_t v) { p[0] = (unsigned char)v, p[1] = v >> 8; }
static void put32(unsigned char *p, uint32_t v) {
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}
static void put64(unsigned char *p, uint64_t v) {
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}
static uint16_t get16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t get64(const unsigned char *p) {
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void rec_header(unsigned char *h, const void *key, uint32_t keylen, const ds_value *v) {
    memcpy(h, FILE_MAGIC, 4);
    put16(h + 4, FILE_VERSION);
    put16(h + 6, 0);
    put64(h + 8, (uint64_t)v->expire_us);
    put64(h + 16, v->size_bytes);
    put32(h + 24, keylen);
    put32(h + 28, v->len);
    uint32_t crc = ds_crc32c(0, h, 32);
    crc = ds_crc32c(crc, key, keylen);
    put32(h + 32, ds_crc32c(crc, v->data, v->len));
}

static bool hdr_ok(const unsigned char *h) {
    return memcmp(h, FILE_MAGIC, 4) == 0 && get16(h + 4) == FILE_VERSION;
}

/* read() until len bytes or EOF; returns bytes read or -1. */
static ssize_t read_full(int fd, void *buf, size_t len) {
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, (char *)buf + got, len - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        if (n == 0) break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

static ds_status rec_decode(const char *path, file_rec *r, ds_err *err) {
    const unsigned char *h = r->buf;
    if (r->len < FILE_HDR_BYTES)
        return ds_err_set(err, DS_ERR_CORRUPT, "file backend: %s: truncated (%zu bytes)", path,
                          r->len);
    if (!hdr_ok(h))
        return ds_err_set(err, DS_ERR_CORRUPT, "file backend: %s: bad magic or version", path);
    r->expire_us = (int64_t)get64(h + 8);
    r->size_bytes = get64(h + 16);
    r->keylen = get32(h + 24);
    r->valuelen = get32(h + 28);
    if ((uint64_t)FILE_HDR_BYTES + r->keylen + r->valuelen != r->len)
        return ds_err_set(err, DS_ERR_CORRUPT,
                          "file backend: %s: length %zu does not match header (truncated?)", path,
                          r->len);
    uint32_t crc = ds_crc32c(0, h, 32);
    crc = ds_crc32c(crc, h + FILE_HDR_BYTES, r->keylen + (size_t)r->valuelen);
    if (crc != get32(h + 32))
        return ds_err_set(err, DS_ERR_CORRUPT, "file backend: %s: checksum mismatch", path);
    r->key = h + FILE_HDR_BYTES;
    r->value = r->key + r->keylen;
    return DS_OK;
}

ds_status ds_file_read(const char *path, file_rec *rec, ds_err *err) {
    memset(rec, 0, sizeof(*rec));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? DS_NOT_FOUND : ds_file_errno(err, "open", path, errno);
    struct stat sb;
    ds_status st = DS_OK;
    if (fstat(fd, &sb) != 0) {
        st = ds_file_errno(err, "stat", path, errno);
    } else if ((uint64_t)sb.st_size > FILE_HDR_BYTES + DS_KEY_MAX_BYTES * 256ull + UINT32_MAX) {
        st = ds_err_set(err, DS_ERR_CORRUPT, "file backend: %s: too large", path);
    } else {
        rec->len = (size_t)sb.st_size;
        rec->buf = malloc(rec->len ? rec->len : 1);
        if (!rec->buf) st = ds_err_set(err, DS_ERR_NOMEM, "file backend: %s: out of memory", path);
        ssize_t n = rec->buf ? read_full(fd, rec->buf, rec->len) : 0;
        if (st == DS_OK && n < 0) st = ds_file_errno(err, "read", path, errno);
        if (st == DS_OK && (size_t)n != rec->len) rec->len = (size_t)n; /* shrank: decode says */
        if (st == DS_OK) st = rec_decode(path, rec, err);
    }
    close(fd);
    if (st != DS_OK) {
        free(rec->buf);
        rec->buf = NULL;
    }
    return st;
}

static uint64_t key_hash(const file_backend *f, const void *key, uint32_t keylen) {
    return ds_hash64(key, keylen, FILE_HASH_SEED) & f->hash_mask;
}

static pthread_mutex_t *stripe(file_backend *f, uint64_t h) {
    return &f->stripes[(h ^ (h >> 29) ^ (h >> 47)) % FILE_STRIPES];
}

static void leaf_dir(const file_backend *f, uint64_t h, char *buf) {
    snprintf(buf, FILE_PATH_MAX, "%s/%03x", f->dir, FILE_DIR_OF(h));
}

static void slot_path(const file_backend *f, uint64_t h, unsigned slot, char *buf) {
    snprintf(buf, FILE_PATH_MAX, "%s/%03x/%016llx-%u", f->dir, FILE_DIR_OF(h),
             (unsigned long long)h, slot);
}

static ds_status fsync_path(const char *path, ds_err *err) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ds_file_errno(err, "open", path, errno);
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    return rc == 0 ? DS_OK : ds_file_errno(err, "fsync", path, e);
}

static bool dir_known(file_backend *f, unsigned d) {
    return atomic_load_explicit(&f->dirs_made[d / 64], memory_order_acquire) >> (d % 64) & 1u;
}

/* Create DIR/HHH when missing (EEXIST is fine: another thread or an earlier run made it). With
 * fsync=always DIR is fsynced too, so the new entry survives power loss before any file in it
 * is acknowledged; a thread that sees EEXIST fsyncs as well, since it cannot know whether the
 * creator has finished. Then the directory is marked known. */
static ds_status make_leaf(file_backend *f, uint64_t h, ds_err *err) {
    char p[FILE_PATH_MAX];
    leaf_dir(f, h, p);
    if (mkdir(p, 0755) != 0 && errno != EEXIST) return ds_file_errno(err, "mkdir", p, errno);
    if (f->fsync == DS_FSYNC_ALWAYS) {
        ds_status st = fsync_path(f->dir, err);
        if (st != DS_OK) return st;
    }
    unsigned d = FILE_DIR_OF(h);
    atomic_fetch_or_explicit(&f->dirs_made[d / 64], (uint_fast64_t)1 << (d % 64),
                             memory_order_release);
    return DS_OK;
}

static ds_status write_fd(int fd, const char *tmp, struct iovec *iov, int n, ds_err *err) {
    while (n > 0) {
        ssize_t w = writev(fd, iov, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return ds_file_errno(err, "write", tmp, errno);
        while (n > 0 && (size_t)w >= iov->iov_len) {
            w -= (ssize_t)iov->iov_len;
            iov++, n--;
        }
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + w;
            iov->iov_len -= (size_t)w;
        }
    }
    return DS_OK;
}

/* Write the record to DIR/HHH/.tmp-PID-SEQ, fsync it if asked, rename it over `path`, then
 * fsync the directory if asked. On failure the temp file is removed and `path` is untouched.
 * A directory not yet known is made first; one that vanished behind our back (ENOENT) is made
 * again. */
static ds_status write_atomic(file_backend *f, uint64_t h, const char *path, const void *key,
                              uint32_t keylen, const ds_value *v, ds_err *err) {
    char dir[FILE_PATH_MAX], tmp[FILE_PATH_MAX];
    unsigned char hdr[FILE_HDR_BYTES];
    leaf_dir(f, h, dir);
    snprintf(tmp, sizeof(tmp), "%s/%03x/" FILE_TMP_PREFIX "%ld-%llu", f->dir, FILE_DIR_OF(h),
             f->pid, (unsigned long long)atomic_fetch_add(&f->tmp_seq, 1));
    if (!dir_known(f, FILE_DIR_OF(h))) {
        ds_status st = make_leaf(f, h, err);
        if (st != DS_OK) return st;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 && errno == ENOENT) {
        ds_status st = make_leaf(f, h, err);
        if (st != DS_OK) return st;
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    }
    if (fd < 0) return ds_file_errno(err, "create", tmp, errno);
    rec_header(hdr, key, keylen, v);
    struct iovec iov[3] = {{hdr, sizeof(hdr)}, {(void *)key, keylen}, {(void *)v->data, v->len}};
    ds_status st = write_fd(fd, tmp, iov, 3, err);
    if (st == DS_OK && f->fsync == DS_FSYNC_ALWAYS && fsync(fd) != 0)
        st = ds_file_errno(err, "fsync", tmp, errno);
    if (close(fd) != 0 && st == DS_OK) st = ds_file_errno(err, "close", tmp, errno);
    if (st == DS_OK && rename(tmp, path) != 0) st = ds_file_errno(err, "rename to", path, errno);
    if (st != DS_OK) {
        unlink(tmp);
        return st;
    }
    if (f->fsync == DS_FSYNC_ALWAYS) return fsync_path(dir, err);
    return DS_OK;
}

typedef enum { PEEK_ABSENT, PEEK_MATCH, PEEK_OTHER } peek_result;

/*
 * Does the file at path hold key? Reads only the header and the key, except when the key
 * differs: then the whole record is verified, because a corrupt file whose key bytes were hit
 * must count as this key's (overwritable, deletable) file, or the chain would keep it forever.
 * A corrupt file is PEEK_MATCH: with a 64-bit hash it is this key's file unless a true
 * collision happened, and an unreadable file has lost its content anyway.
 */
static ds_status peek_key(const char *path, const void *key, uint32_t keylen, peek_result *out,
                          ds_err *err) {
    unsigned char small[FILE_HDR_BYTES + 256], *buf = small;
    size_t want = FILE_HDR_BYTES + (size_t)keylen;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    *out = PEEK_ABSENT;
    if (fd < 0) return errno == ENOENT ? DS_OK : ds_file_errno(err, "open", path, errno);
    if (want > sizeof(small) && !(buf = malloc(want))) {
        close(fd);
        return ds_err_set(err, DS_ERR_NOMEM, "file backend: out of memory");
    }
    ssize_t n = read_full(fd, buf, want); /* header and key in one read */
    int e = errno;
    bool same = n == (ssize_t)want && hdr_ok(buf) && get32(buf + 24) == keylen &&
                memcmp(buf + FILE_HDR_BYTES, key, keylen) == 0;
    if (buf != small) free(buf);
    close(fd);
    if (n < 0) return ds_file_errno(err, "read", path, e);
    *out = PEEK_MATCH;
    if (same) return DS_OK;
    file_rec rec;
    ds_err ignored;
    ds_status st = ds_file_read(path, &rec, &ignored);
    if (st == DS_OK) {
        free(rec.buf);
        *out = PEEK_OTHER;
    } else if (st == DS_NOT_FOUND) {
        *out = PEEK_ABSENT;
    } else if (st != DS_ERR_CORRUPT) {
        return ds_err_set(err, st, "%s", ignored.msg);
    }
    return DS_OK;
}

/* The slot holding key (*found = true) or the first free slot of its chain. */
static ds_status find_slot(file_backend *f, uint64_t h, const void *key, uint32_t keylen,
                           unsigned *slot, bool *found, ds_err *err) {
    char path[FILE_PATH_MAX];
    for (unsigned i = 0; i < FILE_PROBE_MAX; i++) {
        peek_result pr;
        slot_path(f, h, i, path);
        ds_status st = peek_key(path, key, keylen, &pr, err);
        if (st != DS_OK) return st;
        if (pr == PEEK_OTHER) continue;
        *slot = i;
        *found = pr == PEEK_MATCH;
        return DS_OK;
    }
    return ds_err_set(err, DS_ERR_IO, "file backend: %s: more than %u keys share one hash", path,
                      FILE_PROBE_MAX);
}

static void file_plan(ds_backend *b, ds_bop op, const void *key, uint32_t keylen, ds_call *call) {
    (void)b, (void)op, (void)key, (void)keylen;
    call->service_us = 0;
    call->fail = false;
}

static ds_status check_key(const void *key, uint32_t keylen, ds_err *err) {
    if (!key && keylen) return ds_err_set(err, DS_ERR_ARG, "file backend: NULL key");
    if (keylen > DS_KEY_MAX_BYTES * 256u)
        return ds_err_set(err, DS_ERR_ARG, "file backend: key of %u bytes is too long", keylen);
    return DS_OK;
}

/* Walk the chain: a file with another key is a collision, go on; the first missing slot ends
 * the chain (it has no holes). A corrupt file is an error: it may be this key's. */
static ds_status get_locked(file_backend *f, uint64_t h, const void *key, uint32_t keylen,
                            ds_value **out, ds_err *err) {
    char path[FILE_PATH_MAX];
    for (unsigned i = 0; i < FILE_PROBE_MAX; i++) {
        file_rec r;
        slot_path(f, h, i, path);
        ds_status st = ds_file_read(path, &r, err);
        if (st != DS_OK) return st;
        if (r.keylen == keylen && memcmp(r.key, key, keylen) == 0) {
            *out = ds_value_new(r.value, r.valuelen, r.size_bytes, r.expire_us);
            free(r.buf);
            if (!*out) return ds_err_set(err, DS_ERR_NOMEM, "file backend: out of memory");
            atomic_fetch_add(&f->bytes_read, (*out)->len);
            return DS_OK;
        }
        free(r.buf);
    }
    return DS_NOT_FOUND;
}

static ds_status file_get(ds_backend *b, ds_call *call, const void *key, uint32_t keylen,
                          ds_value **out, ds_err *err) {
    file_backend *f = (file_backend *)b;
    (void)call;
    *out = NULL;
    atomic_fetch_add(&f->gets, 1);
    ds_status st = check_key(key, keylen, err);
    if (st != DS_OK) return st;
    uint64_t h = key_hash(f, key, keylen);
    pthread_mutex_lock(stripe(f, h));
    st = get_locked(f, h, key, keylen, out, err);
    pthread_mutex_unlock(stripe(f, h));
    if (st != DS_OK && st != DS_NOT_FOUND) atomic_fetch_add(&f->errors, 1);
    return st;
}

static ds_status file_set(ds_backend *b, ds_call *call, const void *key, uint32_t keylen,
                          const ds_value *v, ds_err *err) {
    file_backend *f = (file_backend *)b;
    (void)call;
    atomic_fetch_add(&f->sets, 1);
    ds_status st = check_key(key, keylen, err);
    if (st == DS_OK && !v) st = ds_err_set(err, DS_ERR_ARG, "file backend: set with NULL value");
    if (st != DS_OK) return st;
    uint64_t h = key_hash(f, key, keylen);
    char path[FILE_PATH_MAX];
    unsigned slot;
    bool found;
    pthread_mutex_lock(stripe(f, h));
    st = find_slot(f, h, key, keylen, &slot, &found, err);
    if (st == DS_OK) {
        slot_path(f, h, slot, path);
        st = write_atomic(f, h, path, key, keylen, v, err);
    }
    pthread_mutex_unlock(stripe(f, h));
    if (st == DS_OK)
        atomic_fetch_add(&f->bytes_written, FILE_HDR_BYTES + keylen + v->len);
    else
        atomic_fetch_add(&f->errors, 1);
    return st;
}

/* Remove the key's file without leaving a hole: the chain's last file is renamed into the
 * freed slot (an atomic replace), else the file is unlinked. Absent key: DS_NOT_FOUND. */
static ds_status del_locked(file_backend *f, uint64_t h, const void *key, uint32_t keylen,
                            ds_err *err) {
    char path[FILE_PATH_MAX], last[FILE_PATH_MAX], dir[FILE_PATH_MAX];
    unsigned slot, end;
    bool found;
    ds_status st = find_slot(f, h, key, keylen, &slot, &found, err);
    if (st != DS_OK || !found) return st != DS_OK ? st : DS_NOT_FOUND;
    slot_path(f, h, slot, path);
    for (end = slot + 1; end < FILE_PROBE_MAX; end++) {
        slot_path(f, h, end, last);
        if (access(last, F_OK) != 0) break;
    }
    if (end - 1 > slot) {
        slot_path(f, h, end - 1, last);
        if (rename(last, path) != 0) return ds_file_errno(err, "rename", last, errno);
    } else if (unlink(path) != 0) {
        return errno == ENOENT ? DS_NOT_FOUND : ds_file_errno(err, "unlink", path, errno);
    }
    leaf_dir(f, h, dir);
    return f->fsync == DS_FSYNC_ALWAYS ? fsync_path(dir, err) : DS_OK;
}

static ds_status file_del(ds_backend *b, ds_call *call, const void *key, uint32_t keylen,
                          ds_err *err) {
    file_backend *f = (file_backend *)b;
    (void)call;
    atomic_fetch_add(&f->dels, 1);
    ds_status st = check_key(key, keylen, err);
    if (st != DS_OK) return st;
    uint64_t h = key_hash(f, key, keylen);
    pthread_mutex_lock(stripe(f, h));
    st = del_locked(f, h, key, keylen, err);
    pthread_mutex_unlock(stripe(f, h));
    if (st != DS_OK && st != DS_NOT_FOUND) atomic_fetch_add(&f->errors, 1);
    return st;
}

static void file_stats(ds_backend *b, ds_backend_stats *out) {
    file_backend *f = (file_backend *)b;
    memset(out, 0, sizeof(*out));
    out->gets = atomic_load(&f->gets);
    out->sets = atomic_load(&f->sets);
    out->dels = atomic_load(&f->dels);
    out->errors = atomic_load(&f->errors);
    out->bytes_read = atomic_load(&f->bytes_read);
    out->bytes_written = atomic_load(&f->bytes_written);
    out->keys = 0; /* counting would need a tree walk */
}

static void file_close(ds_backend *b) {
    file_backend *f = (file_backend *)b;
    for (unsigned i = 0; i < FILE_STRIPES; i++)
        pthread_mutex_destroy(&f->stripes[i]);
    free(f);
}

static ds_status file_path_of(file_backend *f, ds_bctl_path *q);

static ds_status file_control(ds_backend *b, int op, void *arg) {
    file_backend *f = (file_backend *)b;
    if (!arg) return DS_ERR_ARG;
    switch (op) {
    case DS_BCTL_STORE: {
        ds_bctl_buf *o = arg;
        if (!o->buf || !o->cap) return DS_ERR_ARG;
        snprintf(o->buf, o->cap, "%s", f->dir);
        return DS_OK;
    }
    case DS_BCTL_FILE_HASH_MASK: f->hash_mask = *(const uint64_t *)arg; return DS_OK;
    case DS_BCTL_FILE_PATH: return file_path_of(f, arg);
    default: return DS_NOT_FOUND;
    }
}

static const ds_backend_ops file_ops = {
    .version = DS_BACKEND_VERSION,
    .name = "file",
    .plan = file_plan,
    .get = file_get,
    .set = file_set,
    .del = file_del,
    .flush_all = ds_file_flush_all,
    .scan = ds_file_scan,
    .stats = file_stats,
    .close = file_close,
    .control = file_control,
};

/* Create the directory if needed and prove it is a writable directory by creating and
 * removing a probe file (access(2) would lie for root and on read-only mounts). */
static ds_status open_dir(const char *dir, ds_err *err) {
    struct stat sb;
    char probe[FILE_PATH_MAX];
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) return ds_file_errno(err, "mkdir", dir, errno);
    if (stat(dir, &sb) != 0) return ds_file_errno(err, "stat", dir, errno);
    if (!S_ISDIR(sb.st_mode)) return ds_file_errno(err, "open", dir, ENOTDIR);
    snprintf(probe, sizeof(probe), "%s/" FILE_TMP_PREFIX "probe-%ld", dir, (long)getpid());
    int fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return ds_err_set(err, DS_ERR_IO, "file backend: directory %s is not writable: %s", dir,
                          strerror(errno));
    close(fd);
    unlink(probe);
    return DS_OK;
}

ds_backend *ds_backend_file_open(const char *dir, const ds_file_opts *o, ds_err *err) {
    if (!dir || !*dir) {
        ds_err_set(err, DS_ERR_CONFIG, "file backend: empty backend-path");
        return NULL;
    }
    if (strlen(dir) >= FILE_DIR_MAX) {
        ds_err_set(err, DS_ERR_CONFIG, "file backend: path too long: %.60s...", dir);
        return NULL;
    }
    if (open_dir(dir, err) != DS_OK || ds_file_check_layout(dir, err) != DS_OK) return NULL;
    file_backend *f = calloc(1, sizeof(*f));
    if (!f) {
        ds_err_set(err, DS_ERR_NOMEM, "file backend: out of memory");
        return NULL;
    }
    strcpy(f->dir, dir);
    f->fsync = o ? o->fsync : DS_FSYNC_NEVER;
    f->hash_mask = UINT64_MAX;
    f->pid = (long)getpid();
    for (unsigned i = 0; i < FILE_STRIPES; i++)
        pthread_mutex_init(&f->stripes[i], NULL);
    f->base.ops = &file_ops;
    if (ds_file_clean_tmp(f, err) != DS_OK) {
        file_close(&f->base);
        return NULL;
    }
    return &f->base;
}

void ds_backend_file_hash_mask(ds_backend *b, uint64_t mask) {
    ds_status st = ds_backend_control(b, DS_BCTL_FILE_HASH_MASK, &mask);
    assert(st == DS_OK || st == DS_NOT_FOUND); /* NOT_FOUND: no file store in this stack */
    (void)st;
}

ds_status ds_backend_file_path(ds_backend *b, const void *key, uint32_t keylen, char *buf,
                               size_t buflen) {
    if (!buf || !buflen) return DS_ERR_ARG;
    ds_bctl_path q = {.key = key, .keylen = keylen, .buf = buf, .cap = buflen};
    ds_status st = ds_backend_control(b, DS_BCTL_FILE_PATH, &q);
    if (st == DS_NOT_FOUND) return DS_ERR_ARG; /* no file store in this stack */
    return st == DS_OK && !buf[0] ? DS_NOT_FOUND : st;
}

static ds_status file_path_of(file_backend *f, ds_bctl_path *q) {
    const void *key = q->key;
    uint32_t keylen = q->keylen;
    char *buf = q->buf;
    size_t buflen = q->cap;
    if (!buf || !buflen) return DS_ERR_ARG;
    uint64_t h = key_hash(f, key, keylen);
    char path[FILE_PATH_MAX];
    unsigned slot;
    bool found;
    pthread_mutex_lock(stripe(f, h));
    ds_status st = find_slot(f, h, key, keylen, &slot, &found, NULL);
    pthread_mutex_unlock(stripe(f, h));
    if (st != DS_OK) return st;
    buf[0] = 0; /* no file holds the key (DS_NOT_FOUND would mean "not a file store") */
    if (!found) return DS_OK;
    slot_path(f, h, slot, path);
    snprintf(buf, buflen, "%s", path);
    return DS_OK;
}

/* file:path=DIR,fsync=never|always (the host passes its default path, e.g. OUT/store). */
static ds_status file_type_open(ds_backend_params *p, ds_backend **out, ds_err *err) {
    const char *path = ds_backend_param(p, "path");
    const char *fsync = ds_backend_param(p, "fsync");
    ds_file_opts o = {.fsync = DS_FSYNC_NEVER};
    if (fsync && !strcmp(fsync, "always"))
        o.fsync = DS_FSYNC_ALWAYS;
    else if (fsync && strcmp(fsync, "never") != 0)
        return ds_err_set(err, DS_ERR_CONFIG, "backend file: fsync=%s: expected never or always",
                          fsync);
    if (!path || !*path) return ds_err_set(err, DS_ERR_CONFIG, "backend file: needs path=DIR");
    if (strlen(path) >= FILE_DIR_MAX)
        return ds_err_set(err, DS_ERR_CONFIG, "backend file: path too long: %.60s...", path);
    *out = ds_backend_file_open(path, &o, err);
    return *out ? DS_OK : DS_ERR_IO;
}

const ds_backend_type ds_backend_type_file = {
    .version = DS_BACKEND_VERSION,
    .name = "file",
    .params = "path=DIR,fsync=never|always",
    .help = "one file per key under DIR, atomic rename, CRC32C",
    .open = file_type_open,
};
