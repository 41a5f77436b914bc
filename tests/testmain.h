/*
 * testmain.h - the one way every suite runs: all cases, Check's normal output (its summary
 * line is what scripts/run-tests.sh collects), exit status 1 when anything failed.
 */
#ifndef DSLAB_TESTMAIN_H
#define DSLAB_TESTMAIN_H

#include <check.h>

static inline int ds_test_run(Suite *s) {
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

#endif
