/*
 * scratch.c - the tests' scratch directory (see scratch.h).
 */
#include "scratch.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "csvfmt.h"

void ds_scratch_make(char *dir, size_t cap, const char *tag) {
    int n = snprintf(dir, cap, "/tmp/dslab-%s-XXXXXX", tag);
    ck_assert_msg(n > 0 && (size_t)n < cap, "scratch tag '%s' too long for %zu bytes", tag, cap);
    ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp %s failed", dir);
}

void ds_scratch_rm(const char *dir) {
    if (!dir[0]) return;
    ck_assert_msg(ds_rm_tree(dir) == DS_OK, "cannot remove scratch directory %s", dir);
}

const char *ds_scratch_path(const char *dir, const char *name) {
    static char buf[8][512];
    static int k;
    k = (k + 1) % 8;
    int n = snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    ck_assert_msg(n > 0 && (size_t)n < sizeof buf[k], "scratch path %s/%s too long", dir, name);
    return buf[k];
}

const char *ds_scratch_write(const char *dir, const char *name, const char *text) {
    const char *p = ds_scratch_path(dir, name);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return p;
}

char *ds_scratch_read(const char *dir, const char *name) {
    static char *bufs[8];
    static int k;
    const char *path = ds_scratch_path(dir, name);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    ck_assert_int_ge(n, 0);
    rewind(f);
    k = (k + 1) % 8;
    free(bufs[k]);
    bufs[k] = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(bufs[k]);
    size_t got = fread(bufs[k], 1, (size_t)n, f);
    fclose(f);
    bufs[k][got] = '\0';
    return bufs[k];
}
