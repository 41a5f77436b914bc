/*
 * test_backend_registry.c - backends by name: the spec syntax, the host's defaults, parameter
 * and version checks, control() through a stack of shims, the old flags, and a toy backend
 * registered from this file and run by `dslab replay` (adding a backend is one file and one
 * table row; a test adds its own without touching the table).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend_int.h"
#include "replay.h"
#include "scratch.h"
#include "testmain.h"

/* ---- the toy: a store that counts its calls and keeps its data in a mem backend ---- */

typedef struct toy {
    ds_backend base;
    ds_backend *inner;
    char label[32];
    unsigned long calls;
} toy;

static int toy_closed;
static int toy_one_thread; /* the last DS_BCTL_ONE_THREAD it was told, -1: never */

static toy *toy_of(ds_backend *b) { return (toy *)b; }
static void toy_plan(ds_backend *b, ds_bop op, const void *k, uint32_t n, ds_call *c) {
    toy_of(b)->inner->ops->plan(toy_of(b)->inner, op, k, n, c);
}
static ds_status toy_get(ds_backend *b, ds_call *c, const void *k, uint32_t n, ds_value **out,
                         ds_err *err) {
    __atomic_add_fetch(&toy_of(b)->calls, 1, __ATOMIC_RELAXED);
    return toy_of(b)->inner->ops->get(toy_of(b)->inner, c, k, n, out, err);
}
static ds_status toy_set(ds_backend *b, ds_call *c, const void *k, uint32_t n, const ds_value *v,
                         ds_err *err) {
    __atomic_add_fetch(&toy_of(b)->calls, 1, __ATOMIC_RELAXED);
    return toy_of(b)->inner->ops->set(toy_of(b)->inner, c, k, n, v, err);
}
static ds_status toy_del(ds_backend *b, ds_call *c, const void *k, uint32_t n, ds_err *err) {
    __atomic_add_fetch(&toy_of(b)->calls, 1, __ATOMIC_RELAXED);
    return toy_of(b)->inner->ops->del(toy_of(b)->inner, c, k, n, err);
}
static ds_status toy_flush(ds_backend *b, ds_err *err) {
    return toy_of(b)->inner->ops->flush_all(toy_of(b)->inner, err);
}
static ds_status toy_scan(ds_backend *b, ds_scan_fn fn, void *ctx, ds_err *err) {
    return toy_of(b)->inner->ops->scan(toy_of(b)->inner, fn, ctx, err);
}
static void toy_stats(ds_backend *b, ds_backend_stats *out) {
    toy_of(b)->inner->ops->stats(toy_of(b)->inner, out);
}
static void toy_close(ds_backend *b) {
    ds_backend_close(toy_of(b)->inner);
    free(b);
    toy_closed++;
}
/* Answers STORE with its label; origin mode is the inner mem store's, which it hides. */
static ds_status toy_control(ds_backend *b, int op, void *arg) {
    if (op == DS_BCTL_ONE_THREAD) toy_one_thread = *(const bool *)arg; /* keeps no lock */
    if (op != DS_BCTL_STORE) return DS_NOT_FOUND;
    ds_bctl_buf *o = arg;
    snprintf(o->buf, o->cap, "toy(%s)", toy_of(b)->label);
    return DS_OK;
}

static ds_backend_ops toy_ops = {
    .version = DS_BACKEND_VERSION,
    .name = "toy",
    .plan = toy_plan,
    .get = toy_get,
    .set = toy_set,
    .del = toy_del,
    .flush_all = toy_flush,
    .scan = toy_scan,
    .stats = toy_stats,
    .close = toy_close,
    .control = toy_control,
};

static ds_status toy_open(ds_backend_params *p, ds_backend **out, ds_err *err) {
    const char *label = ds_backend_param(p, "label");
    toy *t = calloc(1, sizeof *t);
    if (!t) return ds_err_set(err, DS_ERR_NOMEM, "toy: out of memory");
    t->inner = ds_backend_mem_new(err);
    if (!t->inner) {
        free(t);
        return DS_ERR_NOMEM;
    }
    snprintf(t->label, sizeof t->label, "%s", label ? label : "none");
    t->base.ops = &toy_ops;
    *out = &t->base;
    return DS_OK;
}

static const ds_backend_type toy_type = {
    .version = DS_BACKEND_VERSION,
    .name = "toy",
    .params = "label=TEXT",
    .help = "a test store",
    .open = toy_open,
};
static const ds_backend_type *const toys[] = {&toy_type, NULL};

static char tmpdir[DS_SCRATCH_CAP];

static void setup(void) {
    ds_scratch_make(tmpdir, sizeof tmpdir, "breg");
    toy_closed = 0;
    toy_one_thread = -1;
}

static void teardown(void) { ds_scratch_rm(tmpdir); }

static const char *store(ds_backend *b) {
    static char buf[256];
    ds_bctl_buf o = {buf, sizeof buf};
    ck_assert_int_eq(ds_backend_control(b, DS_BCTL_STORE, &o), DS_OK);
    return buf;
}

START_TEST(test_toy_from_a_test_file_opens_by_name) {
    ds_backend *b;
    ds_err err;
    ck_assert_int_eq(ds_backend_open("toy:label=x1", NULL, toys, &b, &err), DS_OK);
    ck_assert_str_eq(store(b), "toy(x1)");
    ds_value *v = ds_value_new("v", 1, 0, 0);
    ck_assert_int_eq(b->ops->set(b, NULL, "k", 1, v, &err), DS_OK);
    ds_value *got = NULL;
    ck_assert_int_eq(b->ops->get(b, NULL, "k", 1, &got, &err), DS_OK);
    ck_assert(got && got->len == 1 && got->data[0] == 'v');
    ds_value_unref(got);
    ds_value_unref(v);
    ck_assert_uint_eq(toy_of(b)->calls, 2);
    ds_backend_close(b);
    ck_assert_int_eq(toy_closed, 1);
    /* without the extra list the name is unknown, and the message lists what is known */
    ck_assert_int_eq(ds_backend_open("toy", NULL, NULL, &b, &err), DS_ERR_CONFIG);
    ck_assert_ptr_null(b);
    ck_assert_ptr_nonnull(strstr(err.msg, "mem|file"));
}
END_TEST

START_TEST(test_parameters_are_checked_by_their_type) {
    ds_backend *b;
    ds_err err;
    ck_assert_int_eq(ds_backend_open("toy:colour=red", NULL, toys, &b, &err), DS_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "unknown parameter 'colour'"));
    ck_assert_ptr_nonnull(strstr(err.msg, "label=TEXT"));
    ck_assert_int_eq(toy_closed, 1); /* opened, then refused and closed */
    ck_assert_int_eq(ds_backend_open("toy:label", NULL, toys, &b, &err), DS_ERR_CONFIG);
    ck_assert_int_eq(ds_backend_spec_check("mem:x=1,=2", NULL, &err), DS_ERR_CONFIG);
    ck_assert_int_eq(ds_backend_open("mem:origin=on", NULL, NULL, &b, &err), DS_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "takes none"));
    ck_assert_int_eq(ds_backend_open("file:fsync=sometimes", "path=/nonexistent", NULL, &b, &err),
                     DS_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "fsync=sometimes"));
    /* a host default the type does not read is no error: defaults are offers */
    ck_assert_int_eq(ds_backend_open("fake", "path=/x,fsync=always", NULL, &b, &err), DS_OK);
    ck_assert_str_eq(store(b), "mem");
    ds_backend_close(b);
}
END_TEST

START_TEST(test_spec_wins_over_host_defaults) {
    char a[128], d[128];
    snprintf(a, sizeof a, "file:path=%s/a", tmpdir);
    snprintf(d, sizeof d, "path=%s/b,fsync=always", tmpdir);
    ds_backend *b;
    ds_err err;
    ck_assert_int_eq(ds_backend_open(a, d, NULL, &b, &err), DS_OK);
    ck_assert_str_eq(store(b), a + 10);
    ds_backend_close(b);
    ck_assert_int_eq(ds_backend_open("file", d, NULL, &b, &err), DS_OK);
    char want[140];
    snprintf(want, sizeof want, "%s/b", tmpdir);
    ck_assert_str_eq(store(b), want);
    ds_backend_close(b);
}
END_TEST

START_TEST(test_versions_are_checked_at_open) {
    ds_backend *b;
    ds_err err;
    ds_backend_type old_type = toy_type;
    old_type.version = 1;
    const ds_backend_type *const olds[] = {&old_type, NULL};
    ck_assert_int_eq(ds_backend_open("toy", NULL, olds, &b, &err), DS_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "type version 1"));
    ck_assert_int_eq(toy_closed, 0); /* never opened */
    toy_ops.version = 1;             /* ops of an older layout: opened, refused, closed */
    ck_assert_int_eq(ds_backend_open("toy", NULL, toys, &b, &err), DS_ERR_CONFIG);
    toy_ops.version = DS_BACKEND_VERSION;
    ck_assert_ptr_nonnull(strstr(err.msg, "ops version 1"));
    ck_assert_int_eq(toy_closed, 1);
    ck_assert_ptr_null(b);
}
END_TEST

/* control() goes down the stack: the fake shim handles faults (and still tells the layers
 * below), forwards the rest; nothing handles an unknown op. */
START_TEST(test_control_goes_through_shims) {
    ds_backend *b;
    ds_err err;
    ck_assert_int_eq(ds_backend_open("toy:label=in", NULL, toys, &b, &err), DS_OK);
    ds_fake_opts fo = {.faults = {.fail_after = 0, .fail_count = 1000}};
    ds_backend *f = ds_backend_fake_new(b, &fo, &err);
    ds_backend *f2 = ds_backend_fake_new(f, &fo, &err); /* two shims */
    ck_assert_str_eq(store(f2), "toy(in)");
    bool on = true;
    ck_assert_int_eq(ds_backend_control(f2, DS_BCTL_ORIGIN, &on), DS_NOT_FOUND);
    ck_assert_int_eq(ds_backend_control(f2, 999, NULL), DS_NOT_FOUND);
    ck_assert_int_eq(ds_backend_control(f2, DS_BCTL_ONE_THREAD, &on), DS_OK); /* the shims' */
    ck_assert_int_eq(toy_one_thread, 1);                                      /* and told below */
    ds_call call;
    f2->ops->plan(f2, DS_BOP_GET, "k", 1, &call);
    ck_assert(call.fail);
    ds_backend_fake_faults_enable(f2, false); /* both shims */
    f2->ops->plan(f2, DS_BOP_GET, "k", 1, &call);
    ck_assert(!call.fail);
    char path[256];
    ck_assert_int_eq(ds_backend_file_path(f2, "k", 1, path, sizeof path), DS_ERR_ARG);
    ds_backend_close(f2);
    ck_assert_int_eq(toy_closed, 1);
}
END_TEST

static ds_status replay(const char *const *flags, int n, const char *out, ds_replay_result *res,
                        ds_err *err) {
    static ds_replay_opts o;
    const char *argv[32] = {"gen:zipf:0.9,keys=300,requests=3000,mix=get:0.7/set:0.25/del:0.05"};
    for (int i = 0; i < n; i++)
        argv[i + 1] = flags[i];
    bool help;
    ds_replay_opts_default(&o);
    o.extra_backends = toys;
    ds_status st = ds_cli_parse(&o, n + 1, (char **)argv, &help, err);
    if (st != DS_OK) return st;
    snprintf(o.out, sizeof o.out, "%s/%s", tmpdir, out);
    o.quiet = true;
    o.progress = false;
    return ds_replay_run(&o, res, err);
}

START_TEST(test_replay_runs_the_toy_backend) {
    ds_replay_result r;
    ds_err err;
    const char *f[] = {"--backend", "toy:label=run", "--origin", "on"};
    ck_assert_msg(replay(f, 4, "toy", &r, &err) == DS_OK, "%s", err.msg);
    ck_assert_uint_eq(r.requests, 3000);
    ck_assert_uint_gt(r.stats.disk_saves, 0);
    ck_assert_uint_eq(r.stale_reads + r.lost_writes, 0); /* origin off: the toy has none */
    ck_assert_int_eq(toy_closed, 1);
    ck_assert_int_eq(toy_one_thread, 1); /* the virtual engine calls from one thread */
    toy_one_thread = -1;
    const char *real[] = {"--backend", "toy:label=run", "--clock", "real", "--speed", "max"};
    ck_assert_msg(replay(real, 6, "toy_real", &r, &err) == DS_OK, "%s", err.msg);
    ck_assert_int_eq(toy_one_thread, -1); /* the real engine's workers keep the locks */
    const char *bad[] = {"--backend", "toy:label=x,size=3"};
    ck_assert_int_eq(replay(bad, 2, "bad", &r, &err), DS_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "size"));
}
END_TEST

/* --backend file --backend-path D --fsync always is file:path=D,fsync=always. */
START_TEST(test_old_file_flags_still_work) {
    char d1[128], d2[128], spec[160];
    snprintf(d1, sizeof d1, "%s/d1", tmpdir);
    snprintf(d2, sizeof d2, "%s/d2", tmpdir);
    snprintf(spec, sizeof spec, "file:path=%s,fsync=always", d2);
    ds_replay_result a, b;
    ds_err err;
    const char *old[] = {"--backend", "file", "--backend-path", d1, "--fsync", "always"};
    const char *now[] = {"--backend", spec};
    ck_assert_msg(replay(old, 6, "old", &a, &err) == DS_OK, "%s", err.msg);
    ck_assert_msg(replay(now, 2, "new", &b, &err) == DS_OK, "%s", err.msg);
    ck_assert_uint_eq(a.stats.disk_saves, b.stats.disk_saves);
    ck_assert_uint_eq(a.stats.disk_loads, b.stats.disk_loads);
    ck_assert_uint_gt(a.stats.disk_saves, 0);
    ck_assert_int_eq(access(d1, F_OK), 0);
    ck_assert_int_eq(access(d2, F_OK), 0);
    const char *dflt[] = {"--backend", "file"}; /* no path anywhere: OUT/store */
    ck_assert_msg(replay(dflt, 2, "dflt", &a, &err) == DS_OK, "%s", err.msg);
    char st[160];
    snprintf(st, sizeof st, "%s/dflt/store", tmpdir);
    ck_assert_int_eq(access(st, F_OK), 0);
}
END_TEST

static Suite *registry_suite(void) {
    Suite *s = suite_create("backend_registry");
    TCase *tc = tcase_create("registry");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_toy_from_a_test_file_opens_by_name);
    tcase_add_test(tc, test_parameters_are_checked_by_their_type);
    tcase_add_test(tc, test_spec_wins_over_host_defaults);
    tcase_add_test(tc, test_versions_are_checked_at_open);
    tcase_add_test(tc, test_control_goes_through_shims);
    tcase_add_test(tc, test_replay_runs_the_toy_backend);
    tcase_add_test(tc, test_old_file_flags_still_work);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return ds_test_run(registry_suite()); }
