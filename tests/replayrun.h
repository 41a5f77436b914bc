/*
 * replayrun.h - the tests' replay, parsed the way `dslab replay` parses its command line.
 *
 * Why: seven suites each wrote the same "argv -> ds_cli_parse -> out dir -> quiet ->
 * ds_replay_run" helper, differing only in whether a bad option is asserted or returned.
 */
#ifndef DSLAB_TESTS_REPLAYRUN_H
#define DSLAB_TESTS_REPLAYRUN_H

#include "replay.h"

/* TRACE and FLAGS (`dslab replay` options, NULL-terminated; NULL for none) parsed into *o
 * (one static set of options: valid until the next call), output into OUT, quiet, no
 * progress. Returns the parse's status (err says why). */
ds_status ds_test_replay_parse(const char *trace, const char *const *flags, const char *out,
                               ds_replay_opts **o, ds_err *err);

/* Parse (asserted) and run: the run's status, *res, err. */
ds_status ds_test_replay_run(const char *trace, const char *const *flags, const char *out,
                             ds_replay_result *res, ds_err *err);

/* Parse and run in a fresh scratch directory (removed afterwards), both asserted; a failure
 * names `tag`. */
ds_replay_result ds_test_replay_ok(const char *trace, const char *const *flags, const char *tag);

#endif
