/*
 * trace.h - streaming trace readers and writers.
 *
 * A trace is a stream of requests. Readers are objects with a next() that fills one record;
 * nothing reads a whole trace into memory. Each format plugs in through one small ops struct
 * and one line in the format table (workloads/trace.c), in the libCacheSim reader style.
 *
 * Native format: CSV with header `time_us,client,op,key,size,ttl_s`. op is GET, SET, DEL,
 * EXISTS, MGET or EXEC; MGET and EXEC carry several keys separated by spaces in one quoted
 * field. EXEC in a trace means a read-modify-write transaction: GET every key, then SET every
 * key to a new value of `size` bytes, as one command (this is how YCSB F maps).
 */
#ifndef DS_TRACE_H
#define DS_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "dslab.h"

/* One request. Keys point into reader-owned storage valid until the next ds_reader_next. */
typedef struct ds_trace_req {
    int64_t time_us;
    uint64_t client;
    ds_op op;       /* GET SET DEL EXISTS MGET EXEC */
    uint32_t nkeys; /* 1 except MGET/EXEC */
    ds_key keys[DS_MULTI_MAX_KEYS];
    uint64_t size; /* value size in bytes (SET, EXEC; object size for GET in id traces) */
    int64_t ttl_s; /* 0 = none */
    uint64_t line; /* 1-based line (text) or record index (binary), for messages */
    /* When this key is next requested (oracleGeneral's next_access_vtime, a request index),
     * DS_NEXT_ACCESS_NEVER, or DS_NEXT_ACCESS_UNKNOWN for formats that do not carry it. */
    int64_t next_access;
} ds_trace_req;

typedef struct ds_reader_opts {
    const char *format;   /* NULL or "auto": detect from the file name */
    const char *csv_opts; /* libCacheSim-style column options for --format csv */
    bool miss_is_set;     /* id traces: the host turns a miss into a SET of the size */
    /* Numeric-id formats (oracleGeneral): keys are the id's 8 bytes, little-endian, instead of
     * its decimal text (no formatting per record, shorter keys). For hosts that print keys
     * through ds_key_text; writers (convert) want the text. */
    bool binary_ids;
} ds_reader_opts;

typedef struct ds_reader ds_reader;

/* Open a trace. path "-" is stdin (native CSV). A ".zst" suffix is decompressed on the fly.
 * Errors name the file. */
ds_reader *ds_reader_open(const char *path, const ds_reader_opts *o, ds_err *err);

/* 1: *out filled. 0: end of trace. -1: error; err holds "FILE:LINE: what is wrong". */
int ds_reader_next(ds_reader *r, ds_trace_req *out, ds_err *err);

/* The format name chosen ("native", "oracleGeneral", "csv", "twitter", ...). */
const char *ds_reader_format(const ds_reader *r);

/* True for object-id traces (oracleGeneral, csv block traces) where --origin is the default. */
bool ds_reader_is_id_trace(const ds_reader *r);

/* True when the reader was asked for binary ids and its format has them: every key is then
 * the 8-byte little-endian id. */
bool ds_reader_binary_keys(const ds_reader *r);

/* A key as text for messages and CSV: binary ids (binary = true, len 8) as their decimal
 * number, other keys unchanged. Writes into buf (>= 21 bytes) when it converts; returns the
 * key to print. */
ds_key ds_key_text(const ds_key *k, bool binary, char *buf);

void ds_reader_close(ds_reader *r);

/* Bulk read of an object-id trace opened with binary_ids (the cache-only replay's input): one
 * record as the key's 8 bytes (as ds_reader_next would give them), the object size and the
 * next-access hint; every record is a GET. Decoding a block at a time skips building a
 * ds_trace_req per record. */
typedef struct ds_idrec {
    unsigned char id[8];
    uint32_t size;
    int64_t next_access;
} ds_idrec;
/* Up to max records into out: the count, 0 at the end, -1 on error (err as ds_reader_next),
 * DS_READER_NO_BULK when this format or reader has no bulk read (use ds_reader_next). Do not
 * mix with ds_reader_next on one reader. */
#define DS_READER_NO_BULK (-2)
int64_t ds_reader_ids(ds_reader *r, ds_idrec *out, size_t max, ds_err *err);

/* Comma-separated list of the supported format names, for --help. */
const char *ds_trace_formats(void);

/* Native CSV writer (gen, convert). */
typedef struct ds_writer ds_writer;
ds_writer *ds_writer_open(const char *path, const char *format, ds_err *err); /* "-" stdout */
ds_status ds_writer_put(ds_writer *w, const ds_trace_req *req, ds_err *err);
ds_status ds_writer_close(ds_writer *w, ds_err *err); /* flushes; reports write errors */

#endif
