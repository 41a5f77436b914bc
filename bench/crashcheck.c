/*
 * crashcheck.c - verify a file-backend store left behind by a SIGKILLed `dslab replay --clock
 * real`, against the save log the real engine wrote (--save-log, sim/engine_real.h).
 *
 *     build/bench/crashcheck STORE_DIR SAVE_LOG
 *
 * The rules are sim/crashrules.h's, shared with `dslab crash`: an acknowledged SAVE is never
 * undone, every value read back is one a SAVE of its key wrote whole, every record file passes
 * its checksum, and the backend's read path agrees with the files. Exit 0 when everything
 * holds, 1 on a violation (the first 10 are printed), 2 on bad input (one line).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "crashrules.h"

#define CC_MAX_VIOLATIONS_SHOWN 10

static void show(void *ctx, const char *msg) {
    uint64_t *n = ctx;
    if ((*n)++ < CC_MAX_VIOLATIONS_SHOWN) printf("crashcheck: VIOLATION: %s\n", msg);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: crashcheck STORE_DIR SAVE_LOG\n");
        return 2;
    }
    uint64_t shown = 0;
    ds_cc *c = ds_cc_new(show, &shown);
    if (!c) {
        fprintf(stderr, "crashcheck: out of memory\n");
        return 2;
    }
    ds_err err = {{0}};
    ds_backend *b = NULL;
    ds_status st = ds_cc_read_log(c, argv[2], &err);
    if (st == DS_OK) st = ds_cc_walk_files(c, argv[1], &err);
    if (st == DS_OK && !(b = ds_backend_file_open(argv[1], NULL, &err))) st = DS_ERR_IO;
    if (st == DS_OK) st = ds_cc_check(c, b, &err);
    ds_backend_close(b);
    if (st != DS_OK) {
        fprintf(stderr, "crashcheck: %s\n", err.msg);
        ds_cc_free(c);
        return 2;
    }
    const ds_cc_report *r = ds_cc_result(c);
    printf("crashcheck: keys %" PRIu64 " pushed %" PRIu64 " acked %" PRIu64 " files %" PRIu64
           " tmp %" PRIu64 " corrupt %" PRIu64 " newer-than-acked %" PRIu64 " absent %" PRIu64
           " lost %" PRIu64 " violations %" PRIu64 "\n",
           r->keys, r->pushes, r->acks, r->files, r->tmp_files, r->torn, r->newer, r->absent,
           r->lost, r->violations);
    int rc = r->violations ? 1 : 0;
    ds_cc_free(c);
    return rc;
}
