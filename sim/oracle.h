/*
 * oracle.h - the replay's shadow of acknowledged writes (stale reads, lost writes).
 *
 * Why a version stamp instead of comparing bytes: every SET the replay issues carries a fresh,
 * globally unique version number in a 16-byte stamp {version, key hash}, so an answer names
 * exactly which write it came from and the check is one integer compare. The value's modelled
 * size is the trace's size; only the 16 stamp bytes are real memory.
 */
#ifndef DS_ORACLE_H
#define DS_ORACLE_H

#include <stdbool.h>
#include <stdint.h>

#include "dslab.h"

/* Observed or shadow states besides real versions (which are >= DS_ORACLE_V_FIRST). */
#define DS_ORACLE_V_ABSENT  0u
#define DS_ORACLE_V_ORIGIN  1u /* the origin's copy of an object-id trace's object */
#define DS_ORACLE_V_FIRST   2u
#define DS_ORACLE_V_FOREIGN UINT64_MAX /* a value no write of ours made */

typedef struct ds_oracle ds_oracle;

/* The oracle's state the replay reads at every read's issue and answer, inline; the rest of
 * ds_oracle is oracle.c's own. It is the struct's first member, so a ds_oracle * points at it. */
typedef struct ds_oracle_pub {
    uint64_t used;         /* keys in the shadow */
    uint64_t acks;         /* acknowledgements so far */
    uint64_t next_version; /* the next version to hand out */
    bool origin;
} ds_oracle_pub;

/* origin: keys start present with the origin's copy (object-id traces with --origin). */
ds_oracle *ds_oracle_new(bool origin, ds_err *err);

/* --reuse-store: the shadow starts from what backend b holds. Every stored value is taken as
 * acknowledged; version stamps continue above the highest stored one, so a new version never
 * equals an old one. *n = keys seeded. */
ds_status ds_oracle_seed(ds_oracle *o, ds_backend *b, uint64_t *n, ds_err *err);
void ds_oracle_free(ds_oracle *o);

/* A fresh value for a SET of key: the next version, the trace size, the expire time. */
ds_value *ds_oracle_value(ds_oracle *o, const void *key, uint32_t keylen, uint64_t size_bytes,
                          int64_t expire_us);

/* The version a value's stamp names when it is a whole stamp of this key (a replay value),
 * else DS_ORACLE_V_FOREIGN (damaged, another key's, or not ours). Needs no oracle: the crash
 * checker (sim/crashrules.c) reads stores after the run. */
uint64_t ds_oracle_stamp_version(const void *key, uint32_t keylen, const ds_value *v);

/* The shadow's snapshot for a read issued now, to pass to ds_oracle_check at answer time. */
typedef struct ds_oracle_snap {
    uint64_t version; /* the key's state at issue */
    uint64_t created; /* versions created before the issue are <= this */
    uint64_t acks;    /* acknowledgements before the issue */
    int64_t issue_us; /* when the read was issued (0 = unknown; the caller sets it) */
    uint64_t hash;    /* the key's oracle hash when hashed is set, so the check reuses it */
    bool hashed;      /* false: the oracle held no key at issue and the key was not hashed */
} ds_oracle_snap;
void ds_oracle_snapshot(ds_oracle *o, const void *key, uint32_t keylen, ds_oracle_snap *s);

/* The same, with the issue time set; an empty shadow (a read-only replay) answers inline
 * what ds_oracle_snapshot would (no lookup, the key not hashed). */
static inline void ds_oracle_snapshot_at(ds_oracle *o, const void *key, uint32_t keylen,
                                         int64_t issue_us, ds_oracle_snap *s) {
    const ds_oracle_pub *p = (const ds_oracle_pub *)o;
    if (p->used == 0) {
        s->version = p->origin ? DS_ORACLE_V_ORIGIN : DS_ORACLE_V_ABSENT;
        s->created = p->next_version - 1;
        s->acks = p->acks;
        s->hash = 0;
        s->hashed = false;
    } else {
        ds_oracle_snapshot(o, key, keylen, s);
    }
    s->issue_us = issue_us;
}

/* Acknowledge a write: v is the SET's value (its stamp gives the version), NULL for a DEL. */
ds_status ds_oracle_ack(ds_oracle *o, const void *key, uint32_t keylen, const ds_value *v,
                        ds_err *err);

/* The same, recording the write event (when, who, which op) for races.csv. */
ds_status ds_oracle_ack_at(ds_oracle *o, const void *key, uint32_t keylen, const ds_value *v,
                           int64_t time_us, uint64_t client, ds_op op, ds_err *err);

/* The key's last acknowledged write, as races.csv names it. False when none was made. */
typedef struct ds_oracle_write {
    int64_t time_us;
    uint64_t client;
    ds_op op;
    char version[32]; /* "v42" or "absent" */
} ds_oracle_write;
bool ds_oracle_last_write(const ds_oracle *o, const void *key, uint32_t keylen,
                          ds_oracle_write *out);

/* Check a read answered at now_us; s is ds_oracle_snapshot's of the same key (its hash is
 * used). True when acceptable; otherwise expected/observed are filled with short descriptions
 * ("v42", "absent", "origin", "foreign"). */
bool ds_oracle_check(ds_oracle *o, const void *key, uint32_t keylen, const ds_value *seen,
                     const ds_oracle_snap *s, int64_t now_us, char *expected, char *observed,
                     size_t cap);

/* The common case of ds_oracle_check, decided without a lookup or a description: true when
 * the oracle holds no key and handed out no version (a read-only replay so far), so a key's
 * only state is the origin's copy (or absent without an origin) and `seen` shows it. False:
 * ask ds_oracle_check. */
static inline bool ds_oracle_read_plain(const ds_oracle *o, const ds_value *seen) {
    const ds_oracle_pub *p = (const ds_oracle_pub *)o;
    if (p->used || p->next_version != DS_ORACLE_V_FIRST) return false;
    return p->origin ? seen != NULL : seen == NULL; /* classify: origin, or absent */
}

/* Lost writes: compare the backend with the shadow after the drain; fn is called per
 * violation. Returns the backend's scan status. */
typedef void (*ds_oracle_lost_fn)(void *ctx, const void *key, uint32_t keylen, const char *expected,
                                  const char *observed);
ds_status ds_oracle_scan(ds_oracle *o, ds_backend *b, int64_t now_us, ds_oracle_lost_fn fn,
                         void *ctx, uint64_t *lost, ds_err *err);

uint64_t ds_oracle_keys(const ds_oracle *o);

#endif
