/*
 * replayrun.c - the tests' replay (see replayrun.h).
 */
#include "replayrun.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "scratch.h"

#define ARGV_MAX 64

ds_status ds_test_replay_parse(const char *trace, const char *const *flags, const char *out,
                               ds_replay_opts **o, ds_err *err) {
    static ds_replay_opts opts; /* large */
    const char *argv[ARGV_MAX] = {trace};
    int argc = 1;
    for (; flags && flags[argc - 1]; argc++) {
        ck_assert_int_lt(argc, ARGV_MAX);
        argv[argc] = flags[argc - 1];
    }
    bool help;
    memset(err, 0, sizeof *err);
    ds_replay_opts_default(&opts);
    ds_status st = ds_cli_parse(&opts, argc, (char **)argv, &help, err);
    if (st != DS_OK) return st;
    snprintf(opts.out, sizeof opts.out, "%s", out);
    opts.quiet = true;
    opts.progress = false;
    *o = &opts;
    return DS_OK;
}

ds_status ds_test_replay_run(const char *trace, const char *const *flags, const char *out,
                             ds_replay_result *res, ds_err *err) {
    ds_replay_opts *o;
    ds_status st = ds_test_replay_parse(trace, flags, out, &o, err);
    ck_assert_msg(st == DS_OK, "%s", err->msg);
    return ds_replay_run(o, res, err);
}

ds_replay_result ds_test_replay_ok(const char *trace, const char *const *flags, const char *tag) {
    char dir[DS_SCRATCH_CAP];
    ds_scratch_make(dir, sizeof dir, tag);
    ds_replay_result res;
    ds_err err;
    ds_status st = ds_test_replay_run(trace, flags, ds_scratch_path(dir, "out"), &res, &err);
    ck_assert_msg(st == DS_OK, "%s: %s", tag, err.msg);
    ds_scratch_rm(dir);
    return res;
}
