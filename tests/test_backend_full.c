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
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dslab.h"
#include "replay.h"
#include "scratch.h"
#include "testmain.h"

static char dir[DS_SCRATCH_CAP];

static void setup(void) {
    ds_scratch_make(dir, sizeof dir, "full");
    signal(SIGXFSZ, SIG_IGN); /* write() then fails with EFBIG instead of killing us */
}

static void teardown(void) {
    struct rlimit rl = {RLIM_INFINITY, RLIM_INFINITY};
    setrlimit(RLIMIT_FSIZE, &rl);
    ds_scratch_rm(dir);
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

/*
 * The final drain on a disk that stays full: it must end, not retry each failed SAVE forever
 * (issue 8: ds_cache_drain -> wait_io -> file_set without end). Each key gets
 * DS_DRAIN_SAVE_ATTEMPTS tries within one drain; then the drain returns DS_ERR_IO naming the
 * number of keys not saved and the backend's last error (which names the path). The keys stay
 * in memory, dirty and scheduled (nothing is dropped), so a later drain with room saves them.
 */
#define NKEYS 5
START_TEST(test_drain_on_a_full_disk_ends_and_counts_unsaved_keys) {
    ds_err err = {{0}};
    host h = {.now = 1};
    h.b = ds_backend_file_open(dir, &(ds_file_opts){.fsync = DS_FSYNC_NEVER}, &err);
    ck_assert_msg(h.b != NULL, "%s", err.msg);
    ds_config cfg;
    ds_config_default(&cfg);
    ds_host hh = {.ctx = &h, .now_us = h_now, .reply = h_reply, .wait_io = h_wait};
    h.c = ds_cache_new(&cfg, &hh, &err);
    ck_assert_ptr_nonnull(h.c);
    ds_value *v = ds_value_new(NULL, 4096, 0, 0);
    char names[NKEYS][16];
    ds_key k[NKEYS];
    const ds_reply *r;
    for (int i = 0; i < NKEYS; i++) {
        snprintf(names[i], sizeof names[i], "key%d", i);
        k[i] = (ds_key){names[i], (uint32_t)strlen(names[i])};
        ds_cmd set = {.op = DS_OP_SET, .nkeys = 1, .keys = &k[i], .value = v};
        ck_assert_int_eq(ds_cache_exec(h.c, 1, 1, &set, &r), DS_OK);
    }
    disk_room(64); /* no ck_assert while the limit holds (see above) */
    ds_status drained = ds_cache_drain(h.c);
    disk_room(RLIM_INFINITY);
    ck_assert_int_eq(drained, DS_ERR_IO);
    const char *msg = ds_cache_last_error(h.c);
    ck_assert_msg(strstr(msg, "5 keys not saved") != NULL, "%s", msg);
    ck_assert_msg(strstr(msg, dir) != NULL, "the message does not name the path: %s", msg);
    ds_stats st;
    ds_cache_stats(h.c, &st);
    ck_assert_uint_eq(st.drain_unsaved, NKEYS);
    ck_assert_uint_eq(st.save_retries, NKEYS * DS_DRAIN_SAVE_ATTEMPTS);
    ck_assert_uint_eq(st.disk_saves, 0);
    for (int i = 0; i < NKEYS; i++) {
        ck_assert_ptr_eq(ds_cache_peek(h.c, k[i].p, k[i].len), v);
        ck_assert(ds_cache_key_flags(h.c, k[i].p, k[i].len) & DS_FLAG_SAVE);
    }
    ck_assert_int_eq(ds_cache_drain(h.c), DS_OK); /* room again: a new drain saves them all */
    ds_cache_stats(h.c, &st);
    ck_assert_uint_eq(st.disk_saves, NKEYS);
    ck_assert_uint_eq(st.drain_unsaved, 0);
    ds_value_unref(v);
    ds_cache_free(h.c);
    ds_backend_close(h.b);
}
END_TEST

/*
 * The reproduction, end to end: `dslab replay --backend file` on a 64 KB tmpfs, in
 * both clocks. The run must end (Check's timeout would kill a hang) with DS_ERR_IO (exit 1),
 * one message naming the store path and the number of keys not saved, and every CSV written.
 * A private tmpfs needs a mount namespace (root or user namespaces); else main() prints one
 * `skip:` line (the drain's bound itself is pinned by the RLIMIT test above).
 */
static bool tiny_tmpfs(const char *path) {
    if (unshare(CLONE_NEWNS) != 0) return false; /* Check forked this test: only we see it */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) return false;
    return mkdir(path, 0700) == 0 && mount("tmpfs", path, "tmpfs", 0, "size=64k") == 0;
}

static long file_bytes(const char *d, const char *name) {
    char p[256];
    snprintf(p, sizeof p, "%s/%s", d, name);
    struct stat sb;
    return stat(p, &sb) == 0 ? (long)sb.st_size : -1;
}

static void replay_on_full_disk(const char *clock) {
    char mnt[128], store[160], out[160];
    snprintf(mnt, sizeof mnt, "%s/tiny", dir);
    snprintf(store, sizeof store, "%s/store", mnt);
    snprintf(out, sizeof out, "%s/out-%s", dir, clock);
    ck_assert_msg(tiny_tmpfs(mnt), "cannot mount a tmpfs at %s", mnt); /* main() probed */
    static ds_replay_opts o;
    ds_replay_opts_default(&o);
    const char *argv[] = {"gen:ycsb-a,keys=2000,requests=8000,clients=8,size=fixed:1000",
                          "--backend",
                          "file",
                          "--backend-path",
                          store,
                          "--clock",
                          clock};
    bool help;
    ds_err err = {{0}};
    ck_assert_int_eq(ds_cli_parse(&o, 7, (char **)argv, &help, &err), DS_OK);
    snprintf(o.out, sizeof o.out, "%s", out);
    o.quiet = true;
    o.progress = false;
    ds_replay_result res;
    ds_status st = ds_replay_run(&o, &res, &err);
    umount(mnt);
    ck_assert_int_eq(st, DS_ERR_IO);
    ck_assert_msg(strncmp(err.msg, store, strlen(store)) == 0, "no path first: %s", err.msg);
    ck_assert_msg(strstr(err.msg, " keys not saved") != NULL, "%s", err.msg);
    ck_assert_uint_gt(res.stats.drain_unsaved, 0);
    ck_assert_uint_eq(res.lost_writes, res.stats.drain_unsaved); /* the oracle lists them */
    const char *csv[] = {"summary.csv", "timeseries.csv", "latency.csv", "races.csv"};
    for (int i = 0; i < 4; i++)
        ck_assert_msg(file_bytes(out, csv[i]) > 100, "%s/%s empty", out, csv[i]);
}

/* Can a forked child mount a private tmpfs? Decides, in main(), whether the tests above run. */
static bool can_mount_tmpfs(void) {
    char probe[64];
    snprintf(probe, sizeof probe, "/tmp/dslab_probe_XXXXXX");
    if (!mkdtemp(probe)) return false;
    pid_t pid = fork();
    if (pid == 0) {
        bool ok = unshare(CLONE_NEWNS) == 0 &&
                  mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
                  mount("tmpfs", probe, "tmpfs", 0, "size=64k") == 0;
        _exit(ok ? 0 : 1);
    }
    int status = 1;
    if (pid > 0) waitpid(pid, &status, 0);
    rmdir(probe);
    return pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

START_TEST(test_replay_on_a_full_disk_ends_virtual) { replay_on_full_disk("virtual"); }
END_TEST

START_TEST(test_replay_on_a_full_disk_ends_real) { replay_on_full_disk("real"); }
END_TEST

int main(void) {
    Suite *s = suite_create("backend_full");
    TCase *tc = tcase_create("full_disk");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_full_disk_error_names_path_and_keeps_old_value);
    tcase_add_test(tc, test_full_disk_loses_no_acknowledged_write);
    tcase_add_test(tc, test_drain_on_a_full_disk_ends_and_counts_unsaved_keys);
    if (can_mount_tmpfs()) {
        tcase_add_test(tc, test_replay_on_a_full_disk_ends_virtual);
        tcase_add_test(tc, test_replay_on_a_full_disk_ends_real);
    } else {
        printf("skip: test_replay_on_a_full_disk_ends_{virtual,real}: cannot mount a private "
               "tmpfs here (needs root or user namespaces)\n");
    }
    suite_add_tcase(s, tc);
    return ds_test_run(s);
}
