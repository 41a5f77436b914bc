/*
 * fuzz_common.h - shared body of the trace-reader fuzz targets.
 *
 * Why a file per input: readers take a path (that is how users call them), so each input is
 * written to a per-process file in /dev/shm (or /tmp) whose name selects the compression, then
 * read to the end. Property checked beyond "no crash, no leak, no UB": every record a reader
 * accepts can be written back by the native writer (the reader and writer agree on what a
 * valid record is).
 */
#ifndef DS_FUZZ_COMMON_H
#define DS_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace.h"

static void fuzz_path(char *buf, size_t n, const char *suffix) {
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(buf, n, "%s/dsfuzz-%ld-%s", dir, (long)getpid(), suffix);
}

static void fuzz_read(const char *suffix, const uint8_t *data, size_t size, const char *fmt,
                      const char *csv_opts) {
    char path[256];
    fuzz_path(path, sizeof path, suffix);
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    fclose(f);
    ds_reader_opts o = {fmt, csv_opts, false};
    ds_err err = {{0}};
    ds_reader *r = ds_reader_open(path, &o, &err);
    if (r) {
        ds_trace_req *q = malloc(sizeof *q);
        ds_writer *w = ds_writer_open("/dev/null", "native", &err);
        if (!q || !w) abort();
        while (ds_reader_next(r, q, &err) == 1) {
            if (ds_writer_put(w, q, &err) != DS_OK) {
                fprintf(stderr, "writer rejected a record the reader accepted: %s\n", err.msg);
                abort();
            }
        }
        if (ds_reader_next(r, q, &err) == 1) abort(); /* end and errors are sticky */
        ds_writer_close(w, NULL);
        free(q);
        ds_reader_close(r);
    }
    unlink(path);
}

#endif
