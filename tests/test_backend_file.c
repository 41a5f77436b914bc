/*
 * test_backend_file.c - rules only the file backend has: damage is detected and reported with
 * the file's path (never returned as a value), the on-disk format is what the README says,
 * crashed writes leave nothing behind after open, hash collisions keep keys apart, and
 * environment errors (unwritable or blocked directories) are clear status codes.
 * The shared get/set/del contract is in test_backend.c.
 */
#define _XOPEN_SOURCE 700
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend_int.h"
#include "dslab.h"
#include "scratch.h"

static char g_dir[DS_SCRATCH_CAP];

static ds_backend *open_fresh(ds_fsync fs) {
    ds_err err = {{0}};
    ds_file_opts o = {fs};
    ds_scratch_make(g_dir, sizeof g_dir, "bf");
    ds_backend *b = ds_backend_file_open(g_dir, &o, &err);
    ck_assert_msg(b != NULL, "%s", err.msg);
    return b;
}

static void done(ds_backend *b) {
    ds_backend_close(b);
    ds_scratch_rm(g_dir);
}

static ds_status put(ds_backend *b, const char *k, const char *v, ds_err *err) {
    ds_call c = {0, false};
    ds_value *val = ds_value_new(v, (uint32_t)strlen(v), 0, 0);
    ds_status st = b->ops->set(b, &c, k, (uint32_t)strlen(k), val, err);
    ds_value_unref(val);
    return st;
}

static ds_status get(ds_backend *b, const char *k, char *buf, size_t buflen, ds_err *err) {
    ds_call c = {0, false};
    ds_value *out = NULL;
    ds_status st = b->ops->get(b, &c, k, (uint32_t)strlen(k), &out, err);
    if (st == DS_OK) snprintf(buf, buflen, "%.*s", (int)out->len, (const char *)out->data);
    ds_value_unref(out);
    return st;
}

static ds_status del(ds_backend *b, const char *k, ds_err *err) {
    ds_call c = {0, false};
    return b->ops->del(b, &c, k, (uint32_t)strlen(k), err);
}

static void key_path(ds_backend *b, const char *k, char *path) {
    ck_assert_int_eq(ds_backend_file_path(b, k, (uint32_t)strlen(k), path, 4096), DS_OK);
}

static void flip_byte(const char *path, off_t off) {
    int fd = open(path, O_RDWR);
    unsigned char c;
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(pread(fd, &c, 1, off), 1);
    c ^= 0x10;
    ck_assert_int_eq(pwrite(fd, &c, 1, off), 1);
    close(fd);
}

START_TEST(test_record_format_is_header_key_value) {
    ds_backend *b = open_fresh(DS_FSYNC_NEVER);
    ds_err err = {{0}};
    char path[4096];
    ck_assert_int_eq(put(b, "fmt", "value!", &err), DS_OK);
    key_path(b, "fmt", path);
    ck_assert_ptr_nonnull(strstr(path, g_dir));
    /* DIR/HHH/<hash16>-<slot>: HHH is the top 12 bits of the 16-digit hash */
    const char *rel = path + strlen(g_dir);
    ck_assert_int_eq(strlen(rel), 1 + 3 + 1 + 16 + 2);
    ck_assert(rel[0] == '/' && rel[4] == '/' && strcmp(rel + 21, "-0") == 0);
    ck_assert_int_eq(strspn(rel + 1, "0123456789abcdef"), 3);
    ck_assert_int_eq(strspn(rel + 5, "0123456789abcdef"), 16);
    ck_assert(memcmp(rel + 1, rel + 5, 3) == 0);
    unsigned char buf[64];
    int fd = open(path, O_RDONLY);
    ssize_t n = read(fd, buf, sizeof(buf));
    close(fd);
    ck_assert_int_eq(n, 36 + 3 + 6);
    ck_assert(memcmp(buf, "DSKV", 4) == 0);
    ck_assert_int_eq(buf[4] | buf[5] << 8, 1); /* version */
    ck_assert_int_eq(buf[24], 3);              /* keylen, little endian */
    ck_assert_int_eq(buf[28], 6);              /* valuelen */
    ck_assert(memcmp(buf + 36, "fmt", 3) == 0);
    ck_assert(memcmp(buf + 39, "value!", 6) == 0);
    done(b);
}
END_TEST

/* Flip one byte in each region (magic, expire, lengths, crc, key, value): never a value. */
START_TEST(test_flipped_byte_is_corrupt_and_names_the_path) {
    static const off_t offs[] = {0, 4, 9, 17, 25, 29, 33, 36, 40, 44};
    for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
        ds_backend *b = open_fresh(DS_FSYNC_NEVER);
        ds_err err = {{0}};
        char path[4096], out[64];
        ck_assert_int_eq(put(b, "key1", "some value", &err), DS_OK);
        key_path(b, "key1", path);
        flip_byte(path, offs[i]);
        ds_status st = get(b, "key1", out, sizeof(out), &err);
        ck_assert_msg(st == DS_ERR_CORRUPT, "offset %ld: %s", (long)offs[i], ds_status_name(st));
        ck_assert_ptr_nonnull(strstr(err.msg, path));
        done(b);
    }
}
END_TEST

START_TEST(test_truncated_file_is_an_error_not_a_value) {
    static const off_t lens[] = {0, 1, 20, 35, 36, 40, 45};
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        ds_backend *b = open_fresh(DS_FSYNC_NEVER);
        ds_err err = {{0}};
        char path[4096], out[64];
        ck_assert_int_eq(put(b, "key1", "0123456789", &err), DS_OK);
        key_path(b, "key1", path);
        ck_assert_int_eq(truncate(path, lens[i]), 0);
        ds_status st = get(b, "key1", out, sizeof(out), &err);
        ck_assert_msg(st == DS_ERR_CORRUPT, "len %ld: %s", (long)lens[i], ds_status_name(st));
        ck_assert_ptr_nonnull(strstr(err.msg, path));
        done(b);
    }
}
END_TEST

static bool count_fn(void *ctx, const void *key, uint32_t keylen, const ds_value *v) {
    (void)key, (void)keylen, (void)v;
    ++*(int *)ctx;
    return true;
}

START_TEST(test_corrupt_file_is_repaired_by_overwrite_and_delete) {
    ds_backend *b = open_fresh(DS_FSYNC_NEVER);
    ds_err err = {{0}};
    char path[4096], out[64];
    int n = 0;
    ck_assert_int_eq(put(b, "a", "one", &err), DS_OK);
    ck_assert_int_eq(put(b, "b", "two", &err), DS_OK);
    key_path(b, "a", path);
    flip_byte(path, 37);
    ck_assert_int_eq(b->ops->scan(b, count_fn, &n, &err), DS_ERR_CORRUPT);
    ck_assert_ptr_nonnull(strstr(err.msg, path));
    ck_assert_int_eq(put(b, "a", "fixed", &err), DS_OK);
    ck_assert_int_eq(get(b, "a", out, sizeof(out), &err), DS_OK);
    ck_assert_str_eq(out, "fixed");
    key_path(b, "b", path);
    ck_assert_int_eq(truncate(path, 10), 0);
    ck_assert_int_eq(del(b, "b", &err), DS_OK);
    ck_assert_int_eq(get(b, "b", out, sizeof(out), &err), DS_NOT_FOUND);
    n = 0;
    ck_assert_int_eq(b->ops->scan(b, count_fn, &n, &err), DS_OK);
    ck_assert_int_eq(n, 1);
    done(b);
}
END_TEST

static void touch(const char *path) {
    int fd = open(path, O_WRONLY | O_CREAT, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "junk", 4), 4);
    close(fd);
}

START_TEST(test_leftover_temp_files_are_removed_on_open) {
    ds_backend *b = open_fresh(DS_FSYNC_NEVER);
    ds_err err = {{0}};
    char path[4096], leaf[4096], tmp[4200], user[4200];
    ck_assert_int_eq(put(b, "keep", "me", &err), DS_OK);
    key_path(b, "keep", path);
    ds_backend_close(b);
    snprintf(leaf, sizeof(leaf), "%s", path);
    *strrchr(leaf, '/') = '\0';
    snprintf(tmp, sizeof(tmp), "%s/.tmp-999-1", leaf);
    touch(tmp);
    snprintf(user, sizeof(user), "%s/NOTES", g_dir);
    touch(user);
    int n = 0;
    b = ds_backend_file_open(g_dir, NULL, &err);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_ne(access(tmp, F_OK), 0);
    ck_assert_int_eq(access(user, F_OK), 0); /* not ours: left alone */
    ck_assert_int_eq(access(path, F_OK), 0);
    ck_assert_int_eq(b->ops->scan(b, count_fn, &n, &err), DS_OK);
    ck_assert_int_eq(n, 1);
    done(b);
}
END_TEST

START_TEST(test_data_survives_close_and_reopen) {
    ds_backend *b = open_fresh(DS_FSYNC_ALWAYS);
    ds_err err = {{0}};
    char out[64];
    ck_assert_int_eq(put(b, "durable", "yes", &err), DS_OK);
    ck_assert_int_eq(put(b, "gone", "soon", &err), DS_OK);
    ck_assert_int_eq(del(b, "gone", &err), DS_OK);
    ds_backend_close(b);
    b = ds_backend_file_open(g_dir, NULL, &err);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(get(b, "durable", out, sizeof(out), &err), DS_OK);
    ck_assert_str_eq(out, "yes");
    ck_assert_int_eq(get(b, "gone", out, sizeof(out), &err), DS_NOT_FOUND);
    done(b);
}
END_TEST

/* With the hash masked to 0 every key lands on one probe chain: keys must stay apart, and a
 * delete in the middle of the chain must not hide the keys behind it. */
START_TEST(test_hash_collisions_keep_keys_apart_through_deletes) {
    ds_backend *b = open_fresh(DS_FSYNC_NEVER);
    ds_backend_file_hash_mask(b, 0);
    ds_err err = {{0}};
    char k[16], v[16], out[64];
    bool live[20];
    for (int i = 0; i < 20; i++) {
        snprintf(k, sizeof(k), "c%d", i);
        ck_assert_int_eq(put(b, k, k, &err), DS_OK);
        live[i] = true;
    }
    static const int order[] = {0, 7, 19, 3, 4, 12};
    for (size_t j = 0; j < sizeof(order) / sizeof(order[0]); j++) {
        snprintf(k, sizeof(k), "c%d", order[j]);
        ck_assert_int_eq(del(b, k, &err), DS_OK);
        live[order[j]] = false;
        for (int i = 0; i < 20; i++) {
            snprintf(k, sizeof(k), "c%d", i);
            ck_assert_int_eq(get(b, k, out, sizeof(out), &err), live[i] ? DS_OK : DS_NOT_FOUND);
            if (live[i]) ck_assert_str_eq(out, k);
        }
    }
    snprintf(v, sizeof(v), "new");
    ck_assert_int_eq(put(b, "c7", v, &err), DS_OK);
    ck_assert_int_eq(put(b, "c8", v, &err), DS_OK);
    ck_assert_int_eq(get(b, "c7", out, sizeof(out), &err), DS_OK);
    ck_assert_str_eq(out, "new");
    int n = 0;
    ck_assert_int_eq(b->ops->scan(b, count_fn, &n, &err), DS_OK);
    ck_assert_int_eq(n, 15);
    done(b);
}
END_TEST

START_TEST(test_directory_that_is_a_file_is_a_clear_error) {
    ds_err err = {{0}};
    char dir[DS_SCRATCH_CAP], file[128], sub[160];
    ds_scratch_make(dir, sizeof dir, "bf");
    snprintf(file, sizeof(file), "%s/plainfile", dir);
    touch(file);
    ck_assert_ptr_null(ds_backend_file_open(file, NULL, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, file));
    snprintf(sub, sizeof(sub), "%s/sub", file);
    ck_assert_ptr_null(ds_backend_file_open(sub, NULL, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, sub));
    ck_assert_ptr_null(ds_backend_file_open("", NULL, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "backend-path"));
    ds_scratch_rm(dir);
}
END_TEST

/* Root ignores mode bits, so permission denial is only asserted for other users; a leaf
 * directory blocked by a file is checked for everyone. */
START_TEST(test_unwritable_directory_is_a_clear_error) {
    ds_err err = {{0}};
    char dir[DS_SCRATCH_CAP];
    ds_scratch_make(dir, sizeof dir, "bf");
    if (geteuid() != 0) {
        ck_assert_int_eq(chmod(dir, 0500), 0);
        ck_assert_ptr_null(ds_backend_file_open(dir, NULL, &err));
        ck_assert_ptr_nonnull(strstr(err.msg, "not writable"));
        ck_assert_ptr_nonnull(strstr(err.msg, dir));
        chmod(dir, 0700);
    }
    ds_backend *b = ds_backend_file_open(dir, NULL, &err);
    ck_assert_ptr_nonnull(b);
    ds_backend_file_hash_mask(b, 0); /* every key goes to DIR/000 */
    char blocker[128];
    snprintf(blocker, sizeof(blocker), "%s/000", dir);
    touch(blocker);
    ck_assert_int_eq(put(b, "k", "v", &err), DS_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, blocker));
    ds_backend_stats st;
    b->ops->stats(b, &st);
    ck_assert_uint_eq(st.errors, 1);
    ds_backend_close(b);
    ds_scratch_rm(dir);
}
END_TEST

/* A store in the old DIR/HH/LL layout must not open as an empty store. */
START_TEST(test_old_two_level_layout_is_refused) {
    ds_err err = {{0}};
    char dir[DS_SCRATCH_CAP], old[128], leaf[160];
    ds_scratch_make(dir, sizeof dir, "bf");
    snprintf(old, sizeof(old), "%s/ab", dir);
    snprintf(leaf, sizeof(leaf), "%s/cd", old);
    ck_assert_int_eq(mkdir(old, 0755), 0);
    ck_assert_int_eq(mkdir(leaf, 0755), 0);
    ck_assert_ptr_null(ds_backend_file_open(dir, NULL, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, old));
    ck_assert_ptr_nonnull(strstr(err.msg, "old"));
    ds_scratch_rm(dir);
}
END_TEST

/* The backend remembers which directories it made; one removed behind its back is made again
 * on the next save instead of failing, and a flush forgets them all. */
START_TEST(test_removed_hash_directory_is_made_again) {
    ds_backend *b = open_fresh(DS_FSYNC_ALWAYS);
    ds_err err = {{0}};
    char path[4096], leaf[4096], out[64];
    ck_assert_int_eq(put(b, "k", "v1", &err), DS_OK);
    key_path(b, "k", path);
    snprintf(leaf, sizeof(leaf), "%s", path);
    *strrchr(leaf, '/') = '\0';
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(rmdir(leaf), 0);
    ck_assert_int_eq(put(b, "k", "v2", &err), DS_OK);
    ck_assert_int_eq(get(b, "k", out, sizeof(out), &err), DS_OK);
    ck_assert_str_eq(out, "v2");
    ck_assert_int_eq(b->ops->flush_all(b, &err), DS_OK);
    ck_assert_int_ne(access(leaf, F_OK), 0);
    ck_assert_int_eq(put(b, "k", "v3", &err), DS_OK);
    ck_assert_int_eq(get(b, "k", out, sizeof(out), &err), DS_OK);
    ck_assert_str_eq(out, "v3");
    done(b);
}
END_TEST

START_TEST(test_scan_skips_temp_files_and_flush_removes_them) {
    ds_backend *b = open_fresh(DS_FSYNC_NEVER);
    ds_err err = {{0}};
    char path[4096], tmp[4200];
    ck_assert_int_eq(put(b, "x", "1", &err), DS_OK);
    key_path(b, "x", path);
    snprintf(tmp, sizeof(tmp), "%s", path);
    strcpy(strrchr(tmp, '/'), "/.tmp-1-1");
    touch(tmp);
    int n = 0;
    ck_assert_int_eq(b->ops->scan(b, count_fn, &n, &err), DS_OK);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(b->ops->flush_all(b, &err), DS_OK);
    ck_assert_int_ne(access(tmp, F_OK), 0);
    ck_assert_int_ne(access(path, F_OK), 0);
    done(b);
}
END_TEST

int main(void) {
    Suite *s = suite_create("backend_file");
    TCase *tc = tcase_create("file");
    tcase_add_test(tc, test_record_format_is_header_key_value);
    tcase_add_test(tc, test_flipped_byte_is_corrupt_and_names_the_path);
    tcase_add_test(tc, test_truncated_file_is_an_error_not_a_value);
    tcase_add_test(tc, test_corrupt_file_is_repaired_by_overwrite_and_delete);
    tcase_add_test(tc, test_leftover_temp_files_are_removed_on_open);
    tcase_add_test(tc, test_data_survives_close_and_reopen);
    tcase_add_test(tc, test_hash_collisions_keep_keys_apart_through_deletes);
    tcase_add_test(tc, test_directory_that_is_a_file_is_a_clear_error);
    tcase_add_test(tc, test_unwritable_directory_is_a_clear_error);
    tcase_add_test(tc, test_scan_skips_temp_files_and_flush_removes_them);
    tcase_add_test(tc, test_old_two_level_layout_is_refused);
    tcase_add_test(tc, test_removed_hash_directory_is_made_again);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
