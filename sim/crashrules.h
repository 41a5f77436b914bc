/*
 * crashrules.h - what a store left by a crash must satisfy, checked against the SAVE jobs the
 * run pushed and the ones the backend acknowledged. Shared by bench/crashcheck.c (the real
 * crash test: a SIGKILLed replay and its --save-log) and `dslab crash` (the simulated power
 * cut of the crash shim).
 *
 * The rules. The scheduler never runs two SAVEs of one key at once, so the SAVE jobs of a key
 * form a sequence J1..Jn in push order, and the disk can only hold the effect (a version, or
 * absence for a delete) of one of them, or the initial absence. An acknowledged job must not
 * be undone: with Ja the last acknowledged job of the key, the disk must hold the effect of
 * some Jk with k >= a (a newer, unacknowledged job may have landed). Every value read back must
 * be a whole stamp that one of the key's jobs wrote (a damaged stamp is a torn value); every
 * record file must pass its checksum; no key may be stored that no job wrote.
 */
#ifndef DS_CRASHRULES_H
#define DS_CRASHRULES_H

#include <stdint.h>

#include "dslab.h"

#define DS_CC_DEL UINT64_MAX /* a job that deletes its key */

typedef struct ds_cc_report {
    uint64_t keys, pushes, acks;
    uint64_t files, tmp_files; /* file walk only: records, leftover temporary files */
    uint64_t newer;            /* keys holding a job newer than their last acknowledged one */
    uint64_t absent;           /* keys absent from the store */
    uint64_t lost;             /* keys whose last acknowledged job was undone */
    uint64_t torn;             /* damaged values or records (bad stamp, bad checksum) */
    uint64_t foreign;          /* keys or versions no job of the key wrote */
    uint64_t violations;       /* every broken rule, once per key and rule */
} ds_cc_report;

typedef struct ds_cc ds_cc;

/* fn receives each violation as one line (NULL: not reported, only counted). */
typedef void (*ds_cc_msg_fn)(void *ctx, const char *msg);
ds_cc *ds_cc_new(ds_cc_msg_fn fn, void *ctx);
void ds_cc_free(ds_cc *c);

/* The log. Job ids are unique; a job's ack follows its push. */
ds_status ds_cc_push(ds_cc *c, uint64_t job, const void *key, uint32_t keylen, uint64_t version,
                     ds_err *err);
ds_status ds_cc_ack(ds_cc *c, uint64_t job, ds_err *err);

/* Read a --save-log file ("P ID KEYHEX VERSION|D", "A ID"); a last line without '\n' (the
 * kill hit mid-write) is ignored. Errors: "FILE:LINE: bad save-log line". */
ds_status ds_cc_read_log(ds_cc *c, const char *path, ds_err *err);

/* The file backend's tree (DIR/HHH/files): every record parses and passes its checksum, names
 * a logged key, one file per key. Then ds_cc_check also compares its reads with the walk. */
ds_status ds_cc_walk_files(ds_cc *c, const char *dir, ds_err *err);

/* Read every logged key through b, scan b for keys no job wrote, and apply the rules. */
ds_status ds_cc_check(ds_cc *c, ds_backend *b, ds_err *err);

const ds_cc_report *ds_cc_result(const ds_cc *c);

#endif /* DS_CRASHRULES_H */
