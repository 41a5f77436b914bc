/*
 * scratch.h - the tests' scratch directory: made in a suite's setup, removed in its teardown.
 *
 * Why: two dozen suites each wrote the same fixture (mkdtemp of /tmp/dslab-...-XXXXXX, `rm -rf`
 * by system() or nftw, a path_in() with rotating buffers). One copy keeps them alike: every
 * directory is /tmp/dslab-TAG-XXXXXX (TAG names the suite, so a leftover says whose it is), a
 * failure to make or remove one fails the test (Check assertions), and removal goes through
 * sim's ds_rm_tree, not a shell.
 */
#ifndef DSLAB_TESTS_SCRATCH_H
#define DSLAB_TESTS_SCRATCH_H

#include <stddef.h>

/* Room for any scratch directory name (a suite's tag is a word or two). */
#define DS_SCRATCH_CAP 64

/* Makes a fresh /tmp/dslab-TAG-XXXXXX and writes its name into dir (cap bytes); asserts. */
void ds_scratch_make(char *dir, size_t cap, const char *tag);

/* rm -rf dir; asserts that it is gone. An empty name (no directory was made) is a no-op. */
void ds_scratch_rm(const char *dir);

/* "dir/name" in one of 8 rotating static buffers: valid until the 8th call after it. */
const char *ds_scratch_path(const char *dir, const char *name);

/* Writes text into dir/name (asserts that it opens); returns the path as ds_scratch_path does. */
const char *ds_scratch_write(const char *dir, const char *name, const char *text);

/* The whole of dir/name as a string the caller may edit (asserts that it opens), in one of 8
 * rotating buffers: valid until the 8th call after it. */
char *ds_scratch_read(const char *dir, const char *name);

#endif
