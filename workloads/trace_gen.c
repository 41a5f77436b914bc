/*
 * trace_gen.c - "gen:SPEC" pseudo-paths: a synthetic generator behind the reader interface.
 *
 * Why: every verb that takes a trace (replay, stat, convert) can take a generator spec instead,
 * with no temporary file. The spec after "gen:" goes to ds_gen_open_spec (workloads/gen.h).
 */
#include <stdlib.h>

#include "gen.h"
#include "trace_impl.h"

static void *gen_open(const char *path, ds_bytesrc *src, const ds_reader_opts *o, ds_err *err) {
    (void)o;
    ds_bytesrc_close(src); /* NULL: generators read no bytes */
    return ds_gen_open_spec(path + 4, err);
}

static int gen_next(void *st, ds_trace_req *out, ds_err *err) { return ds_gen_next(st, out, err); }

static void gen_close(void *st) { ds_gen_close(st); }

const ds_reader_ops ds_reader_gen = {"gen", false, gen_open, gen_next, gen_close};
