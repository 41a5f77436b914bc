/*
 * crashrules.c - the crash checker (crashrules.h): a log of SAVE jobs per key, then the store.
 *
 * Keys live in one ds_table (core/table.h); jobs in an array indexed by job id, because ids
 * are small dense integers (the core numbers jobs 1, 2, 3...). The disk state of a key comes
 * from the backend's own read path, which is what a restarted process would see; the file
 * walk adds what only the files show (a record that fails its checksum, two files for a key).
 */
#include "crashrules.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_int.h"
#include "oracle.h"
#include "table.h"

#define CC_SEED     0xcc
#define CC_JOBS_MAX (1ull << 40)
#define CC_NONE     DS_ORACLE_V_ABSENT /* disk: absent */
#define CC_UNWALKED (UINT64_MAX - 2)   /* walk_disk before (or without) a walk */
#define CC_TORN     (UINT64_MAX - 1)   /* disk: a damaged value or record */

typedef struct cc_key {
    ds_tnode node;
    uint64_t *pushes; /* versions (or DS_CC_DEL) in push order */
    uint32_t npush, cap;
    int64_t acked;      /* index into pushes of the last acknowledged job; -1 = none */
    uint64_t disk;      /* version read back, CC_NONE or CC_TORN */
    uint64_t walk_disk; /* what the file walk found, CC_UNWALKED without a walk */
    unsigned char key[];
} cc_key;

typedef struct cc_job {
    cc_key *key; /* NULL = no such job */
    uint32_t idx;
} cc_job;

struct ds_cc {
    ds_table keys;
    cc_job *jobs;
    uint64_t njobs;
    bool walked;
    ds_cc_msg_fn fn;
    void *ctx;
    ds_cc_report rep;
};

static void violation(ds_cc *c, uint64_t *counter, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void violation(ds_cc *c, uint64_t *counter, const char *fmt, ...) {
    c->rep.violations++;
    if (counter) (*counter)++;
    if (!c->fn) return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->fn(c->ctx, msg);
}

ds_cc *ds_cc_new(ds_cc_msg_fn fn, void *ctx) {
    ds_cc *c = calloc(1, sizeof *c);
    if (!c || ds_table_init(&c->keys, 1024, CC_SEED) != DS_OK) {
        free(c);
        return NULL;
    }
    c->fn = fn;
    c->ctx = ctx;
    return c;
}

void ds_cc_free(ds_cc *c) {
    if (!c) return;
    size_t it = 0;
    ds_tnode *t;
    while ((t = ds_table_next(&c->keys, &it))) {
        free(((cc_key *)t)->pushes);
        free(t);
    }
    ds_table_free(&c->keys);
    free(c->jobs);
    free(c);
}

const ds_cc_report *ds_cc_result(const ds_cc *c) { return &c->rep; }

static cc_key *key_find(ds_cc *c, const void *k, uint32_t len) {
    return (cc_key *)ds_table_find(&c->keys, ds_table_hash(&c->keys, k, len), k, len);
}

static cc_key *key_add(ds_cc *c, const void *k, uint32_t len) {
    cc_key *e = key_find(c, k, len);
    if (e) return e;
    e = calloc(1, sizeof *e + len);
    if (!e) return NULL;
    memcpy(e->key, k, len);
    e->node = (ds_tnode){.hash = ds_table_hash(&c->keys, k, len), .key = e->key, .keylen = len};
    e->acked = -1;
    e->walk_disk = CC_UNWALKED;
    if (ds_table_insert(&c->keys, &e->node) != DS_OK) {
        free(e);
        return NULL;
    }
    c->rep.keys++;
    return e;
}

ds_status ds_cc_push(ds_cc *c, uint64_t job, const void *key, uint32_t keylen, uint64_t version,
                     ds_err *err) {
    bool ver_ok = version == DS_CC_DEL || (version >= DS_ORACLE_V_FIRST && version < CC_UNWALKED);
    if (job == 0 || job > CC_JOBS_MAX || !key || keylen == 0 || keylen > DS_KEY_MAX_BYTES ||
        !ver_ok)
        return ds_err_set(err, DS_ERR_ARG, "push of job %" PRIu64 ": bad job id, key or version",
                          job);
    if (job >= c->njobs) {
        uint64_t n = c->njobs ? c->njobs : 1024;
        while (n <= job)
            n *= 2;
        cc_job *nj = realloc(c->jobs, n * sizeof *nj);
        if (!nj) return ds_err_set(err, DS_ERR_NOMEM, "crash check: out of memory");
        memset(nj + c->njobs, 0, (n - c->njobs) * sizeof *nj);
        c->jobs = nj;
        c->njobs = n;
    }
    if (c->jobs[job].key) return ds_err_set(err, DS_ERR_ARG, "job %" PRIu64 " pushed twice", job);
    cc_key *e = key_add(c, key, keylen);
    if (e && e->npush == e->cap) {
        uint32_t ncap = e->cap ? e->cap * 2 : 4;
        uint64_t *np = realloc(e->pushes, ncap * sizeof *np);
        if (np) e->pushes = np, e->cap = ncap;
    }
    if (!e || e->npush == e->cap)
        return ds_err_set(err, DS_ERR_NOMEM, "crash check: out of memory");
    c->jobs[job] = (cc_job){e, e->npush};
    e->pushes[e->npush++] = version;
    c->rep.pushes++;
    return DS_OK;
}

/* Acks of one key normally come in push order; if one comes late (concurrent-saves=on), the
 * newest acknowledged job is the one that counts. */
ds_status ds_cc_ack(ds_cc *c, uint64_t job, ds_err *err) {
    if (job >= c->njobs || !c->jobs[job].key)
        return ds_err_set(err, DS_ERR_ARG, "ack of job %" PRIu64 " before its push", job);
    cc_key *e = c->jobs[job].key;
    if ((int64_t)c->jobs[job].idx > e->acked) e->acked = c->jobs[job].idx;
    c->rep.acks++;
    return DS_OK;
}

/* ---- the save log ------------------------------------------------------------------------- */

static int hexval(int ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    return -1;
}

static bool parse_push(ds_cc *c, char *line) {
    uint64_t id, ver;
    char *save = NULL, *tok = strtok_r(line + 2, " \n", &save);
    if (!tok || sscanf(tok, "%" SCNu64, &id) != 1) return false;
    char *hex = strtok_r(NULL, " \n", &save), *vs = strtok_r(NULL, " \n", &save);
    size_t hl = hex ? strlen(hex) : 1;
    if (!vs || hl % 2 || hl / 2 > DS_KEY_MAX_BYTES) return false;
    unsigned char k[DS_KEY_MAX_BYTES];
    for (size_t i = 0; i < hl / 2; i++) {
        int a = hexval(hex[2 * i]), b = hexval(hex[2 * i + 1]);
        if (a < 0 || b < 0) return false;
        k[i] = (unsigned char)(a << 4 | b);
    }
    if (strcmp(vs, "D") == 0)
        ver = DS_CC_DEL;
    else if (sscanf(vs, "%" SCNu64, &ver) != 1)
        return false;
    ds_err e;
    return ds_cc_push(c, id, k, (uint32_t)(hl / 2), ver, &e) == DS_OK;
}

static bool parse_ack(ds_cc *c, const char *line) {
    uint64_t id;
    ds_err e;
    return sscanf(line + 2, "%" SCNu64, &id) == 1 && ds_cc_ack(c, id, &e) == DS_OK;
}

ds_status ds_cc_read_log(ds_cc *c, const char *path, ds_err *err) {
    FILE *f = fopen(path, "r");
    if (!f) return ds_err_set(err, DS_ERR_IO, "%s: %s", path, strerror(errno));
    size_t cap = 2 * DS_KEY_MAX_BYTES + 128;
    char *line = malloc(cap);
    if (!line) {
        fclose(f);
        return ds_err_set(err, DS_ERR_NOMEM, "crash check: out of memory");
    }
    ds_status st = DS_OK;
    for (uint64_t no = 1; st == DS_OK && fgets(line, (int)cap, f); no++) {
        if (!strchr(line, '\n')) break; /* the kill hit mid-line */
        bool ok = (line[0] == 'P' && line[1] == ' ' && parse_push(c, line)) ||
                  (line[0] == 'A' && line[1] == ' ' && parse_ack(c, line));
        if (!ok) st = ds_err_set(err, DS_ERR_ARG, "%s:%" PRIu64 ": bad save-log line", path, no);
    }
    free(line);
    fclose(f);
    return st;
}

/* ---- the file walk ------------------------------------------------------------------------ */

static void walk_file(ds_cc *c, const char *path, const char *name) {
    if (name[0] == '.') {
        c->rep.tmp_files++; /* a write the crash interrupted before its rename: not a record */
        return;
    }
    file_rec rec;
    ds_err err = {{0}};
    ds_status st = ds_file_read(path, &rec, &err);
    if (st == DS_NOT_FOUND) return;
    if (st != DS_OK) {
        violation(c, &c->rep.torn, "unreadable record: %s", err.msg);
        return;
    }
    c->rep.files++;
    cc_key *e = key_find(c, rec.key, rec.keylen);
    ds_value *v = ds_value_new(rec.value, rec.valuelen, rec.size_bytes, rec.expire_us);
    uint64_t ver = v ? ds_oracle_stamp_version(rec.key, rec.keylen, v) : CC_TORN;
    ds_value_unref(v);
    if (!e)
        violation(c, &c->rep.foreign, "%s holds a key no SAVE wrote", path);
    else if (e->walk_disk != CC_NONE)
        violation(c, &c->rep.foreign, "%s: a second file for one key", path);
    else
        e->walk_disk = ver == DS_ORACLE_V_FOREIGN ? CC_TORN : ver;
    free(rec.buf);
}

static bool is_hex3(const char *s) { return strlen(s) == 3 && strspn(s, "0123456789abcdef") == 3; }

/* DIR/HHH/<files>: the file backend's layout (backend/file_int.h). */
static ds_status walk(ds_cc *c, const char *dir, int depth, ds_err *err) {
    DIR *d = opendir(dir);
    if (!d) return ds_err_set(err, DS_ERR_IO, "%s: %s", dir, strerror(errno));
    struct dirent *de;
    char path[FILE_PATH_MAX];
    ds_status st = DS_OK;
    while (st == DS_OK && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (depth < 1) {
            if (is_hex3(de->d_name)) st = walk(c, path, depth + 1, err);
        } else {
            walk_file(c, path, de->d_name);
        }
    }
    closedir(d);
    return st;
}

ds_status ds_cc_walk_files(ds_cc *c, const char *dir, ds_err *err) {
    size_t it = 0;
    ds_tnode *t;
    while ((t = ds_table_next(&c->keys, &it)))
        ((cc_key *)t)->walk_disk = CC_NONE;
    c->walked = true;
    return walk(c, dir, 0, err);
}

/* ---- the store ---------------------------------------------------------------------------- */

static void describe(uint64_t v, char *buf, size_t cap) {
    if (v == CC_NONE || v == DS_CC_DEL)
        snprintf(buf, cap, "absent");
    else if (v == CC_TORN)
        snprintf(buf, cap, "a torn value");
    else
        snprintf(buf, cap, "v%" PRIu64, v);
}

#define KEYFMT    "%.*s"
#define KEYARG(e) (int)((e)->node.keylen > 64 ? 64 : (e)->node.keylen), (const char *)(e)->key

/* The key's state through the backend's read path; a damaged value is CC_TORN. */
static void read_key(ds_cc *c, ds_backend *b, cc_key *e) {
    ds_err err = {{0}};
    ds_call call = {0, false};
    ds_value *v = NULL;
    ds_status st = b->ops->get(b, &call, e->key, e->node.keylen, &v, &err);
    e->disk = CC_NONE;
    if (st == DS_OK && v) {
        uint64_t ver = ds_oracle_stamp_version(e->key, e->node.keylen, v);
        e->disk = ver == DS_ORACLE_V_FOREIGN ? CC_TORN : ver;
        if (e->disk == CC_TORN)
            violation(c, &c->rep.torn, "key " KEYFMT ": a read returned a torn value", KEYARG(e));
    } else if (st == DS_ERR_CORRUPT) {
        e->disk = CC_TORN; /* detected and refused: reported by the walk when there is one */
        if (!c->walked) violation(c, &c->rep.torn, "key " KEYFMT ": %s", KEYARG(e), err.msg);
    } else if (st != DS_OK && st != DS_NOT_FOUND) {
        violation(c, NULL, "key " KEYFMT ": get failed: %s", KEYARG(e), err.msg);
    }
    ds_value_unref(v);
    if (c->walked && st != DS_ERR_CORRUPT && e->walk_disk != e->disk) { /* corrupt: walked */
        char has[32], got[32];
        describe(e->walk_disk, has, sizeof has);
        describe(e->disk, got, sizeof got);
        violation(c, NULL, "key " KEYFMT ": get returned %s, the file holds %s", KEYARG(e), got,
                  has);
    }
}

/* The disk must hold the effect of a job at or after the last acknowledged one. */
static void judge_key(ds_cc *c, cc_key *e) {
    bool ok = e->acked < 0 && e->disk == CC_NONE;
    int64_t hit = -1;
    for (uint32_t k = e->acked < 0 ? 0 : (uint32_t)e->acked; k < e->npush && !ok; k++) {
        uint64_t eff = e->pushes[k] == DS_CC_DEL ? CC_NONE : e->pushes[k];
        if (eff == e->disk) ok = true, hit = k;
    }
    if (e->disk == CC_NONE) c->rep.absent++;
    if (ok && hit > e->acked) c->rep.newer++;
    if (ok || e->disk == CC_TORN) {
        if (!ok && e->acked >= 0) c->rep.lost++; /* the torn value replaced an acked one */
        return;
    }
    char has[32], want[32];
    describe(e->disk, has, sizeof has);
    describe(e->acked < 0 ? CC_NONE : e->pushes[e->acked], want, sizeof want);
    bool pushed = false;
    for (uint32_t k = 0; k < e->npush; k++)
        pushed |= (e->pushes[k] == DS_CC_DEL ? CC_NONE : e->pushes[k]) == e->disk;
    violation(c, pushed || e->acked >= 0 ? &c->rep.lost : &c->rep.foreign,
              "key " KEYFMT " holds %s but its last acknowledged SAVE wrote %s", KEYARG(e), has,
              want);
}

typedef struct scan_ctx {
    ds_cc *c;
} scan_ctx;

static bool scan_one(void *ctx, const void *key, uint32_t keylen, const ds_value *v) {
    ds_cc *c = ((scan_ctx *)ctx)->c;
    (void)v;
    if (!key_find(c, key, keylen))
        violation(c, &c->rep.foreign, "the store holds a key no SAVE wrote: %.*s",
                  (int)(keylen > 64 ? 64 : keylen), (const char *)key);
    return true;
}

ds_status ds_cc_check(ds_cc *c, ds_backend *b, ds_err *err) {
    (void)err;
    size_t it = 0;
    ds_tnode *t;
    while ((t = ds_table_next(&c->keys, &it))) {
        read_key(c, b, (cc_key *)t);
        judge_key(c, (cc_key *)t);
    }
    if (!c->walked) { /* the walk already looked at every file */
        scan_ctx sc = {c};
        ds_err e = {{0}};
        ds_status st = b->ops->scan(b, scan_one, &sc, &e);
        if (st != DS_OK)
            violation(c, st == DS_ERR_CORRUPT ? &c->rep.torn : NULL, "scan: %s", e.msg);
    }
    return DS_OK;
}
