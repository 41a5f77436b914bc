/*
 * crashcheck.c - verify a file-backend store left behind by a SIGKILLed `dslab replay --clock
 * real`, against the save log the real engine wrote (sim/engine_real.h, DSLAB_SAVE_LOG).
 *
 *     build/bench/crashcheck STORE_DIR SAVE_LOG
 *
 * Why this is the right check: the scheduler never runs two SAVEs of one key at once, so the
 * SAVE jobs of a key form a sequence J1..Jn in the order the log's P lines name them, and the
 * disk can only hold the effect (a version, or absence for a delete) of one of them, or the
 * initial absence. A job whose A line (backend acknowledged, fsync=always) is in the log must
 * not be undone, so with Ja the last acknowledged job the disk must hold the effect of some Jk
 * with k >= a. A version that no P line names was never written by us. Every record file must
 * parse and pass its checksum; the backend's own read path (get) must agree with the walk and
 * never return a value for a corrupt file. Exit 0 when everything holds, 1 on a violation,
 * 2 on bad input (one line: FILE:LINE: what is wrong).
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dslab.h"
#include "file_int.h"

#define CC_MAX_VIOLATIONS_SHOWN 10
#define CC_V_DEL                UINT64_MAX /* a push that deletes the key */
#define CC_V_NONE               0          /* disk: absent */

typedef struct cc_key {
    unsigned char *key;
    uint32_t keylen;
    uint64_t *pushes; /* versions (or CC_V_DEL) in push order */
    uint32_t npush, cap;
    int64_t acked; /* index into pushes of the last acknowledged job; -1 = none */
    uint64_t disk; /* CC_V_NONE = absent */
    bool seen;     /* found on disk by the walk */
} cc_key;

typedef struct cc_job {
    uint32_t key; /* index into keys + 1; 0 = no such job */
    uint32_t idx; /* index into the key's pushes */
} cc_job;

typedef struct cc {
    cc_key *keys;
    uint32_t nkeys, kcap;
    uint32_t *map; /* open addressing: hash -> key index + 1 */
    uint32_t mcap;
    cc_job *jobs; /* by job id */
    uint64_t njobs;
    uint64_t files, tmp_files, corrupt, violations, pushes, acks, newer, absent;
} cc;

static void die_nomem(void) {
    fprintf(stderr, "crashcheck: out of memory\n");
    exit(2);
}

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) die_nomem();
    return q;
}

static void violation(cc *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void violation(cc *c, const char *fmt, ...) {
    if (c->violations++ >= CC_MAX_VIOLATIONS_SHOWN) return;
    va_list ap;
    va_start(ap, fmt);
    fputs("crashcheck: VIOLATION: ", stdout);
    vprintf(fmt, ap);
    fputc('\n', stdout);
    va_end(ap);
}

/* ---- key table ---------------------------------------------------------------------------- */

static uint64_t khash(const void *k, uint32_t len) { return ds_hash64(k, len, 0xcc); }

static void map_grow(cc *c) {
    uint32_t ncap = c->mcap ? c->mcap * 2 : 1024;
    uint32_t *nm = calloc(ncap, sizeof *nm);
    if (!nm) die_nomem();
    for (uint32_t i = 0; i < c->nkeys; i++) {
        uint32_t s = (uint32_t)(khash(c->keys[i].key, c->keys[i].keylen) & (ncap - 1));
        while (nm[s])
            s = (s + 1) & (ncap - 1);
        nm[s] = i + 1;
    }
    free(c->map);
    c->map = nm;
    c->mcap = ncap;
}

/* The key's index; created when `create` (else UINT32_MAX when absent). */
static uint32_t key_find(cc *c, const unsigned char *k, uint32_t len, bool create) {
    if ((c->nkeys + 1) * 2 > c->mcap) map_grow(c);
    uint32_t s = (uint32_t)(khash(k, len) & (c->mcap - 1));
    for (uint32_t v; (v = c->map[s]) != 0; s = (s + 1) & (c->mcap - 1)) {
        cc_key *e = &c->keys[v - 1];
        if (e->keylen == len && memcmp(e->key, k, len) == 0) return v - 1;
    }
    if (!create) return UINT32_MAX;
    if (c->nkeys == c->kcap) {
        c->kcap = c->kcap ? c->kcap * 2 : 1024;
        c->keys = xrealloc(c->keys, c->kcap * sizeof *c->keys);
    }
    cc_key *e = &c->keys[c->nkeys];
    memset(e, 0, sizeof *e);
    e->key = xrealloc(NULL, len);
    memcpy(e->key, k, len);
    e->keylen = len;
    e->acked = -1;
    c->map[s] = c->nkeys + 1;
    return c->nkeys++;
}

/* ---- the save log ------------------------------------------------------------------------- */

static int hexval(int ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    return -1;
}

static bool parse_push(cc *c, char *line) {
    uint64_t id, ver;
    char *save = NULL, *tok = strtok_r(line + 2, " \n", &save);
    if (!tok || sscanf(tok, "%" SCNu64, &id) != 1 || id == 0 || id > (1ull << 40)) return false;
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
        ver = CC_V_DEL;
    else if (sscanf(vs, "%" SCNu64, &ver) != 1 || ver == CC_V_NONE || ver == CC_V_DEL)
        return false;
    uint32_t ki = key_find(c, k, (uint32_t)(hl / 2), true);
    cc_key *e = &c->keys[ki];
    if (e->npush == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 4;
        e->pushes = xrealloc(e->pushes, e->cap * sizeof *e->pushes);
    }
    if (id >= c->njobs) {
        uint64_t n = c->njobs ? c->njobs : 1024;
        while (n <= id)
            n *= 2;
        c->jobs = xrealloc(c->jobs, n * sizeof *c->jobs);
        memset(c->jobs + c->njobs, 0, (n - c->njobs) * sizeof *c->jobs);
        c->njobs = n;
    }
    if (c->jobs[id].key) return false; /* a job id pushed twice */
    c->jobs[id] = (cc_job){ki + 1, e->npush};
    e->pushes[e->npush++] = ver;
    c->pushes++;
    return true;
}

static bool parse_ack(cc *c, const char *line) {
    uint64_t id;
    if (sscanf(line + 2, "%" SCNu64, &id) != 1 || id >= c->njobs || !c->jobs[id].key)
        return false; /* an ack must follow its push */
    cc_key *e = &c->keys[c->jobs[id].key - 1];
    if ((int64_t)c->jobs[id].idx < e->acked) return false; /* acks of one key come in order */
    e->acked = c->jobs[id].idx;
    c->acks++;
    return true;
}

/* Read the log; a last line without '\n' (the kill hit mid-write) is ignored. */
static void read_log(cc *c, const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "crashcheck: %s: %s\n", path, strerror(errno));
        exit(2);
    }
    static char line[2 * DS_KEY_MAX_BYTES + 128];
    for (uint64_t no = 1; fgets(line, sizeof line, f); no++) {
        if (!strchr(line, '\n')) break;
        bool ok = (line[0] == 'P' && line[1] == ' ' && parse_push(c, line)) ||
                  (line[0] == 'A' && line[1] == ' ' && parse_ack(c, line));
        if (!ok) {
            fprintf(stderr, "crashcheck: %s:%" PRIu64 ": bad save-log line\n", path, no);
            exit(2);
        }
    }
    fclose(f);
}

/* ---- the store ---------------------------------------------------------------------------- */

static uint64_t value_version(const unsigned char *v, uint32_t len) {
    uint64_t ver = 0;
    if (len >= sizeof ver) memcpy(&ver, v, sizeof ver);
    return ver;
}

static void check_file(cc *c, const char *path, const char *name) {
    if (name[0] == '.') {
        c->tmp_files++; /* a write the kill interrupted before its rename: not a record */
        return;
    }
    file_rec rec;
    ds_err err = {{0}};
    ds_status st = ds_file_read(path, &rec, &err);
    if (st == DS_NOT_FOUND) return;
    if (st != DS_OK) {
        c->corrupt++;
        violation(c, "unreadable record: %s", err.msg);
        return;
    }
    c->files++;
    uint32_t ki = key_find(c, rec.key, rec.keylen, false);
    uint64_t ver = value_version(rec.value, rec.valuelen);
    if (ki == UINT32_MAX)
        violation(c, "%s holds a key no SAVE wrote", path);
    else if (c->keys[ki].seen)
        violation(c, "%s: a second file for one key", path);
    else if (ver == CC_V_NONE || ver == CC_V_DEL)
        violation(c, "%s: no version stamp", path);
    else {
        c->keys[ki].seen = true;
        c->keys[ki].disk = ver;
    }
    free(rec.buf);
}

static bool is_hex3(const char *s) { return strlen(s) == 3 && strspn(s, "0123456789abcdef") == 3; }

/* DIR/HHH/<files>: the file backend's layout (backend/file_int.h). */
static void walk(cc *c, const char *dir, int depth) {
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "crashcheck: %s: %s\n", dir, strerror(errno));
        exit(2);
    }
    struct dirent *de;
    char path[FILE_PATH_MAX];
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (depth < 1) {
            if (is_hex3(de->d_name)) walk(c, path, depth + 1);
        } else {
            check_file(c, path, de->d_name);
        }
    }
    closedir(d);
}

/* The backend's read path must agree with the walk and never return a corrupt value. */
static void check_reads(cc *c, const char *dir) {
    ds_err err = {{0}};
    ds_backend *b = ds_backend_file_open(dir, NULL, &err);
    if (!b) {
        fprintf(stderr, "crashcheck: %s\n", err.msg);
        exit(2);
    }
    for (uint32_t i = 0; i < c->nkeys; i++) {
        cc_key *e = &c->keys[i];
        ds_call call = {0, false};
        ds_value *v = NULL;
        ds_status st = b->ops->get(b, &call, e->key, e->keylen, &v, &err);
        uint64_t got = st == DS_OK && v ? value_version(v->data, v->len) : CC_V_NONE;
        if (st == DS_OK && got != e->disk)
            violation(c, "key %.*s: get returned v%" PRIu64 ", the file holds v%" PRIu64,
                      (int)e->keylen, (const char *)e->key, got, e->disk);
        else if (st == DS_NOT_FOUND && e->disk != CC_V_NONE)
            violation(c, "key %.*s: get says absent, the file holds v%" PRIu64, (int)e->keylen,
                      (const char *)e->key, e->disk);
        else if (st != DS_OK && st != DS_NOT_FOUND && st != DS_ERR_CORRUPT)
            violation(c, "key %.*s: get failed: %s", (int)e->keylen, (const char *)e->key, err.msg);
        ds_value_unref(v);
    }
    ds_backend_close(b);
}

static void describe(uint64_t v, char *buf, size_t cap) {
    if (v == CC_V_NONE || v == CC_V_DEL)
        snprintf(buf, cap, "absent");
    else
        snprintf(buf, cap, "v%" PRIu64, v);
}

/* The disk must hold the effect of a job at or after the last acknowledged one. */
static void check_keys(cc *c) {
    for (uint32_t i = 0; i < c->nkeys; i++) {
        cc_key *e = &c->keys[i];
        bool ok = e->acked < 0 && e->disk == CC_V_NONE;
        int64_t hit = -1;
        for (uint32_t k = e->acked < 0 ? 0 : (uint32_t)e->acked; k < e->npush && !ok; k++) {
            uint64_t eff = e->pushes[k] == CC_V_DEL ? CC_V_NONE : e->pushes[k];
            if (eff == e->disk) ok = true, hit = k;
        }
        if (e->disk == CC_V_NONE) c->absent++;
        if (ok && hit > e->acked) c->newer++;
        if (ok) continue;
        char has[32], want[32];
        describe(e->disk, has, sizeof has);
        describe(e->acked < 0 ? CC_V_NONE : e->pushes[e->acked], want, sizeof want);
        violation(c, "key %.*s holds %s but its last acknowledged SAVE wrote %s", (int)e->keylen,
                  (const char *)e->key, has, want);
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: crashcheck STORE_DIR SAVE_LOG\n");
        return 2;
    }
    cc c = {0};
    read_log(&c, argv[2]);
    walk(&c, argv[1], 0);
    check_reads(&c, argv[1]);
    check_keys(&c);
    printf("crashcheck: keys %u pushed %" PRIu64 " acked %" PRIu64 " files %" PRIu64 " tmp %" PRIu64
           " corrupt %" PRIu64 " newer-than-acked %" PRIu64 " absent %" PRIu64
           " violations %" PRIu64 "\n",
           c.nkeys, c.pushes, c.acks, c.files, c.tmp_files, c.corrupt, c.newer, c.absent,
           c.violations);
    for (uint32_t i = 0; i < c.nkeys; i++) {
        free(c.keys[i].key);
        free(c.keys[i].pushes);
    }
    free(c.keys);
    free(c.map);
    free(c.jobs);
    return c.violations ? 1 : 0;
}
