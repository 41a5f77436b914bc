/*
 * crash.h - the crash shim: a backend that keeps writes not yet durable in a volatile layer and
 * can lose power (SQLite's test6.c, FoundationDB's AsyncFileNonDurable).
 *
 * It wraps any parent backend (memory or file), which plays the disk. A write the shim
 * accepts is durable (forwarded to the parent) or volatile (kept in the shim, visible to reads
 * like a page cache) by the sync mode:
 *   DS_FSYNC_ALWAYS  durable when its call returns: the parent syncs data before it publishes
 *                    (the file backend fsyncs the temp file, renames, fsyncs the directory);
 *   DS_FSYNC_NEVER   volatile until written back, writeback_us after it was made (0 = only at
 *                    a clean close), in the order the writes were made.
 * A write interrupted by the crash (ds_backend_crash_interrupt) is volatile in either mode.
 *
 * ds_backend_crash_crash() cuts the power: every volatile write, oldest first, is applied,
 * dropped or torn by a seeded draw. A torn write stores the first bytes of the new value and
 * garbage after them (the parent sees a whole value; a parent that checksums its own records
 * would see a record with a bad checksum instead). Fates by mode: an interrupted write under
 * ALWAYS is applied or dropped, never torn (its data was synced before it was published); a
 * delete is applied or dropped (unlink is atomic); any other write may also tear.
 *
 * Single-threaded: for the virtual clock (dslab crash), not for worker threads.
 */
#ifndef DS_CRASH_H
#define DS_CRASH_H

#include "dslab.h"

typedef struct ds_crash_opts {
    ds_fsync sync;
    int64_t writeback_us;         /* DS_FSYNC_NEVER: age at which a write is written back */
    int64_t (*now_us)(void *ctx); /* clock for writeback; NULL = no writeback until close */
    void *now_ctx;
    bool keep_parent; /* close() leaves the parent open (the lab checks it) */
} ds_crash_opts;

typedef struct ds_crash_counts {
    uint64_t volatile_writes; /* in the layer when the power went */
    uint64_t applied, dropped, torn;
    uint64_t written_back; /* writes made durable by writeback before the crash */
    uint64_t interrupted;  /* writes in flight at the crash */
} ds_crash_counts;

/* The shim over parent (owned unless o->keep_parent). */
ds_backend *ds_backend_crash_new(ds_backend *parent, const ds_crash_opts *o, ds_err *err);

/* While on, writes are in flight when the power goes: volatile and not acknowledged. */
void ds_backend_crash_interrupt(ds_backend *b, bool on);

/* Power cut: resolve every volatile write (applied, dropped or torn, drawn from seed) into
 * the parent, oldest first; the layer is then empty. Returns the first parent error. */
ds_status ds_backend_crash_crash(ds_backend *b, uint64_t seed, ds_crash_counts *out, ds_err *err);

/* The parent, or NULL when b is not a crash shim. */
ds_backend *ds_backend_crash_parent(ds_backend *b);

#endif /* DS_CRASH_H */
