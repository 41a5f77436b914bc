/*
 * sample.h - where the tests find the optional public sample (libCacheSim's cloudPhysics trace).
 *
 * Why: a test must pass in a clone placed anywhere, so no test names a machine's absolute path.
 * The sample is looked up in $DSLAB_SAMPLE_DIR, else in ../shared/data beside the checkout
 * (relative to the working directory, then to the test binary in BUILD/tests/). A test that
 * needs it is registered only when it is there; otherwise main() prints one `skip:` line,
 * which scripts/run-tests.sh shows. DSLAB_SAMPLE_DIR set but without the file is a failure,
 * not a skip: whoever set it asked for the sample.
 */
#ifndef DSLAB_TESTS_SAMPLE_H
#define DSLAB_TESTS_SAMPLE_H

#include <stdbool.h>
#include <stddef.h>

/* Writes the path of sample file NAME into buf; false when it is not found. */
bool ds_sample_path(const char *name, char *buf, size_t cap);

/* For main(): true when the test TEST that needs NAME should be registered; otherwise prints
 * `skip: TEST: public sample NAME not found (...)` on stdout and returns false. */
bool ds_sample_or_skip(const char *name, const char *test);

#endif
