/*
 * test_backend_full.c - a full disk, for real: RLIMIT_FSIZE makes every write past a few bytes
 * fail with EFBIG, exactly where ENOSPC would hit (the temp file's write), without needing root
 * or a tmpfs. The file backend must report an error naming the path, leave the previous value
 * readable and leave no temp file behind; and a replay on that disk must lose no acknowledged
 * write: failed SAVEs stay scheduled and land once the disk has room again.
 */
#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "dslab.h"
#include "testmain.h"

static char dir[64];

static void setup(void) {
    snprintf(dir, sizeof dir, "/tmp/dslab_full_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    signal(SIGXFSZ, SIG_IGN); /* write() then fails with EFBIG instead of killing us */
}

static void teardown(void) {
    struct rlimit rl = {RLIM_INFINITY, RLIM_INFINITY};
    setrlimit(RLIMIT_FSIZE, &rl);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static void disk_room(rlim_t bytes) {
    struct rlimit rl = {bytes, RLIM_INFINITY};
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
}

/* Count leftover temp files anywhere under dir. */
static int count_tmp(const char *path) {
    DIR *d = opendir(path);
    if (!d) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char sub[512];
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        if (!strncmp(e->d_name, ".tmp", 4)) n++;
        n += count_tmp(sub);
    }
    closedir(d);
    return n;
}

START_TEST(test_full_disk_error_names_path_and_keeps_old_value) {
    ds_err err = {{0}};
    ds_backend *b = ds_backend_file_open(dir, &(ds_file_opts){.fsync = DS_FSYNC_ALWAYS}, &err);
    ck_assert_msg(b != NULL, "%s", err.msg);
    ds_call call = {0};
    ds_value *old = ds_value_new("old", 3, 0, 0);
    ck_assert_int_eq(b->ops->set(b, &call, "k", 1, old, &err), DS_OK);
    ds_value *big = ds_value_new(NULL, 4096, 0, 0);
    /* No ck_assert while the limit holds: Check's fork mode writes its own files too. */
    disk_room(64); /* the header alone is 36 bytes: a 4 KiB value cannot fit */
    ds_status st = b->ops->set(b, &call, "k", 1, big, &err);
    disk_room(RLIM_INFINITY);
    ck_assert_int_ne(st, DS_OK);
    ck_assert_msg(strstr(err.msg, dir) != NULL, "message does not name the path: %s", err.msg);
    ds_value *got = NULL;
    ck_assert_int_eq(b->ops->get(b, &call, "k", 1, &got, &err), DS_OK);
    ck_assert_uint_eq(got->len, 3);
    ck_assert_int_eq(memcmp(got->data, "old", 3), 0);
    ck_assert_int_eq(count_tmp(dir), 0);
    ds_value_unref(got);
    ds_value_unref(old);
    ds_value_unref(big);
    ds_backend_close(b);
}
END_TEST

/* The cache on a full disk: the SAVE fails and is retried; the acknowledged value stays in
 * memory (a dirty key is never evicted) and reaches the disk once there is room. */
typedef struct host {
    int64_t now;
    ds_cache *c;
    ds_backend *b;
} host;

static int64_t h_now(void *ctx) { return ((host *)ctx)->now; }
static void h_reply(void *ctx, uint64_t cl, uint64_t tag, const ds_reply *r) {
    (void)ctx, (void)cl, (void)tag, (void)r;
}
static bool h_wait(void *ctx) {
    host *h = ctx;
    ds_job *j = ds_cache_job_take(h->c);
    if (!j) return false;
    ds_call call = {0};
    ds_job_plan(h->b, j, &call);
    ds_job_run(h->b, j, &call); /* on a full disk: DS_ERR_IO, message in j->err */
    h->now += 1000;
    return ds_cache_job_done(h->c, j) == DS_OK;
}

START_TEST(test_full_disk_loses_no_acknowledged_write) {
    ds_err err = {{0}};
    host h = {.now = 1};
    h.b = ds_backend_file_open(dir, &(ds_file_opts){.fsync = DS_FSYNC_NEVER}, &err);
    ck_assert_msg(h.b != NULL, "%s", err.msg);
    ds_config cfg;
    ds_config_default(&cfg);
    cfg.flush_delay_ms = 0;
    ds_host hh = {.ctx = &h, .now_us = h_now, .reply = h_reply, .wait_io = h_wait};
    h.c = ds_cache_new(&cfg, &hh, &err);
    ck_assert_ptr_nonnull(h.c);
    ds_key k = {"key", 3};
    ds_value *v = ds_value_new(NULL, 4096, 0, 0);
    memset(v->data, 'x', 4096);
    const ds_reply *r;
    ck_assert_int_eq(ds_cache_exec(h.c, 1, 1,
                                   &(ds_cmd){.op = DS_OP_SET, .nkeys = 1, .keys = &k, .value = v},
                                   &r),
                     DS_OK);
    bool waited[3];
    ds_status cron[3];
    disk_room(64);                /* no ck_assert while the limit holds (see above) */
    for (int i = 0; i < 3; i++) { /* three failed attempts, each retried after its backoff */
        waited[i] = h_wait(&h);
        h.now += 20 * 1000 * 1000;
        cron[i] = ds_cache_cron(h.c);
    }
    disk_room(RLIM_INFINITY);
    for (int i = 0; i < 3; i++) {
        ck_assert(waited[i]);
        ck_assert_int_eq(cron[i], DS_OK);
    }
    ds_stats st;
    ds_cache_stats(h.c, &st);
    ck_assert_uint_eq(st.save_retries, 3);
    ck_assert_uint_eq(st.disk_saves, 0);
    ck_assert_ptr_eq(ds_cache_peek(h.c, "key", 3), v); /* still in memory, still dirty */
    ck_assert(ds_cache_key_flags(h.c, "key", 3) & (DS_FLAG_SAVE | DS_FLAG_SAVEINPROG));
    ck_assert_int_eq(ds_cache_drain(h.c), DS_OK);
    ds_cache_stats(h.c, &st);
    ck_assert_uint_eq(st.disk_saves, 1);
    ds_call call = {0};
    ds_value *got = NULL;
    ck_assert_int_eq(h.b->ops->get(h.b, &call, "key", 3, &got, &err), DS_OK);
    ck_assert_uint_eq(got->len, 4096);
    ck_assert_int_eq(memcmp(got->data, v->data, 4096), 0);
    ds_value_unref(got);
    ds_value_unref(v);
    ds_cache_free(h.c);
    ds_backend_close(h.b);
}
END_TEST

int main(void) {
    Suite *s = suite_create("backend_full");
    TCase *tc = tcase_create("full_disk");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_full_disk_error_names_path_and_keeps_old_value);
    tcase_add_test(tc, test_full_disk_loses_no_acknowledged_write);
    suite_add_tcase(s, tc);
    return ds_test_run(s);
}
