/*
 * sample.c - finding the optional public sample (see sample.h for the rule).
 */
#include "sample.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool readable(const char *dir, const char *name, char *buf, size_t cap) {
    int n = snprintf(buf, cap, "%s/%s", dir, name);
    return n > 0 && (size_t)n < cap && access(buf, R_OK) == 0;
}

/* The checkout's parent, seen from the test binary (BUILD/tests/test_x -> BUILD/.. -> ..). */
static bool beside_binary(const char *name, char *buf, size_t cap) {
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return false;
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (!slash) return false;
    *slash = 0; /* BUILD/tests */
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/../../../shared/data", exe);
    return readable(dir, name, buf, cap);
}

bool ds_sample_path(const char *name, char *buf, size_t cap) {
    const char *env = getenv("DSLAB_SAMPLE_DIR");
    if (env && *env) return readable(env, name, buf, cap);
    return readable("../shared/data", name, buf, cap) || beside_binary(name, buf, cap);
}

bool ds_sample_or_skip(const char *name, const char *test) {
    char buf[4096];
    const char *env = getenv("DSLAB_SAMPLE_DIR");
    if ((env && *env) || ds_sample_path(name, buf, sizeof buf)) return true;
    printf("skip: %s: public sample %s not found (set DSLAB_SAMPLE_DIR or put it in "
           "../shared/data beside the checkout)\n",
           test, name);
    fflush(stdout);
    return false;
}
