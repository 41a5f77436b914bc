/*
 * test_backend.c - the backend CONFORMANCE suite: every case runs against every backend.
 *
 * The core only sees the vtable, so every backend must answer the same way; a loop test per
 * contract runs it on mem, file (fresh mkdtemp dir), fake(mem) with fixed:0 and fake(file).
 * Contract choices pinned here: delete of an absent key returns DS_NOT_FOUND (ds_job_run maps
 * it to success for SAVE-with-NULL); values come back as fresh copies; scan skips nothing and
 * repeats nothing. File-only cases (corruption, temp files, permissions) are in
 * test_backend_file.c; the mem origin mode and job mapping are at the end of this file.
 */
#define _XOPEN_SOURCE 700
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_int.h"
#include "dslab.h"
#include "scratch.h"

enum { K_MEM, K_FILE, K_FAKE_MEM, K_FAKE_FILE, K__COUNT };
static const char *kind_names[] = {"mem", "file", "fake(mem)", "fake(file)"};

typedef struct fixture {
    ds_backend *b;
    char dir[DS_SCRATCH_CAP];
} fixture;

static void fx_open(fixture *fx, int kind) {
    ds_err err = {{0}};
    ds_backend *b = NULL;
    fx->dir[0] = '\0';
    if (kind == K_FILE || kind == K_FAKE_FILE) {
        ds_scratch_make(fx->dir, sizeof fx->dir, "bk");
        b = ds_backend_file_open(fx->dir, NULL, &err);
    } else {
        b = ds_backend_mem_new(&err);
    }
    ck_assert_msg(b != NULL, "%s: %s", kind_names[kind], err.msg);
    if (kind == K_FAKE_MEM || kind == K_FAKE_FILE) {
        ds_fake_opts o;
        memset(&o, 0, sizeof(o));
        for (int i = 0; i < 3; i++)
            ck_assert_int_eq(ds_latency_parse("fixed:0", &o.lat[i], &err), DS_OK);
        o.seed = 1;
        b = ds_backend_fake_new(b, &o, &err);
        ck_assert_msg(b != NULL, "%s", err.msg);
    }
    fx->b = b;
}

static void fx_close(fixture *fx) {
    ds_backend_close(fx->b);
    ds_scratch_rm(fx->dir); /* a no-op for mem: no directory */
}

/* Each call goes through plan() first, exactly as a host would. */
static ds_status bget(ds_backend *b, const void *k, uint32_t kl, ds_value **out, ds_err *e) {
    ds_call c = {0, false};
    b->ops->plan(b, DS_BOP_GET, k, kl, &c);
    return b->ops->get(b, &c, k, kl, out, e);
}
static ds_status bset(ds_backend *b, const void *k, uint32_t kl, const ds_value *v, ds_err *e) {
    ds_call c = {0, false};
    b->ops->plan(b, DS_BOP_SET, k, kl, &c);
    return b->ops->set(b, &c, k, kl, v, e);
}
static ds_status bdel(ds_backend *b, const void *k, uint32_t kl, ds_err *e) {
    ds_call c = {0, false};
    b->ops->plan(b, DS_BOP_DEL, k, kl, &c);
    return b->ops->del(b, &c, k, kl, e);
}

static void put_str(ds_backend *b, const char *k, const char *v) {
    ds_err err = {{0}};
    ds_value *val = ds_value_new(v, (uint32_t)strlen(v), 0, 0);
    ck_assert_int_eq(bset(b, k, (uint32_t)strlen(k), val, &err), DS_OK);
    ds_value_unref(val);
}

static void expect_str(ds_backend *b, const char *k, const char *v) {
    ds_err err = {{0}};
    ds_value *out = NULL;
    ds_status st = bget(b, k, (uint32_t)strlen(k), &out, &err);
    ck_assert_msg(st == DS_OK, "get %s: %s %s", k, ds_status_name(st), err.msg);
    ck_assert_uint_eq(out->len, strlen(v));
    ck_assert(memcmp(out->data, v, out->len) == 0);
    ck_assert_uint_eq(ds_value_refs(out), 1);
    ds_value_unref(out);
}

static void expect_absent(ds_backend *b, const void *k, uint32_t kl) {
    ds_err err = {{0}};
    ds_value *out = (ds_value *)1;
    ck_assert_int_eq(bget(b, k, kl, &out, &err), DS_NOT_FOUND);
    ck_assert_ptr_null(out);
}

START_TEST(test_get_missing_key_is_not_found) {
    fixture fx;
    fx_open(&fx, _i);
    expect_absent(fx.b, "nope", 4);
    fx_close(&fx);
}
END_TEST

START_TEST(test_set_then_get_returns_same_bytes) {
    fixture fx;
    fx_open(&fx, _i);
    put_str(fx.b, "alpha", "one");
    put_str(fx.b, "beta", "two");
    expect_str(fx.b, "alpha", "one");
    expect_str(fx.b, "beta", "two");
    fx_close(&fx);
}
END_TEST

START_TEST(test_overwrite_returns_latest_value) {
    fixture fx;
    fx_open(&fx, _i);
    put_str(fx.b, "k", "first");
    put_str(fx.b, "k", "second, longer");
    put_str(fx.b, "k", "3");
    expect_str(fx.b, "k", "3");
    fx_close(&fx);
}
END_TEST

START_TEST(test_delete_removes_key) {
    fixture fx;
    ds_err err = {{0}};
    fx_open(&fx, _i);
    put_str(fx.b, "k", "v");
    put_str(fx.b, "other", "w");
    ck_assert_int_eq(bdel(fx.b, "k", 1, &err), DS_OK);
    expect_absent(fx.b, "k", 1);
    expect_str(fx.b, "other", "w");
    put_str(fx.b, "k", "again");
    expect_str(fx.b, "k", "again");
    fx_close(&fx);
}
END_TEST

START_TEST(test_delete_of_missing_key_is_not_found) {
    fixture fx;
    ds_err err = {{0}};
    fx_open(&fx, _i);
    ck_assert_int_eq(bdel(fx.b, "ghost", 5, &err), DS_NOT_FOUND);
    put_str(fx.b, "k", "v");
    ck_assert_int_eq(bdel(fx.b, "k", 1, &err), DS_OK);
    ck_assert_int_eq(bdel(fx.b, "k", 1, &err), DS_NOT_FOUND);
    fx_close(&fx);
}
END_TEST

START_TEST(test_large_4mib_and_empty_values_round_trip) {
    fixture fx;
    ds_err err = {{0}};
    fx_open(&fx, _i);
    uint32_t n = 4u << 20;
    unsigned char *big = malloc(n);
    ds_rng r;
    ds_rng_seed(&r, 3);
    for (uint32_t i = 0; i < n; i++)
        big[i] = (unsigned char)ds_rng_next(&r);
    ds_value *v = ds_value_new(big, n, 0, 0), *e = ds_value_new(NULL, 0, 0, 0), *out = NULL;
    ck_assert_int_eq(bset(fx.b, "big", 3, v, &err), DS_OK);
    ck_assert_int_eq(bset(fx.b, "empty", 5, e, &err), DS_OK);
    ck_assert_int_eq(bget(fx.b, "big", 3, &out, &err), DS_OK);
    ck_assert_uint_eq(out->len, n);
    ck_assert(memcmp(out->data, big, n) == 0);
    ds_value_unref(out);
    ck_assert_int_eq(bget(fx.b, "empty", 5, &out, &err), DS_OK);
    ck_assert_uint_eq(out->len, 0);
    ds_value_unref(out);
    ds_value_unref(v);
    ds_value_unref(e);
    free(big);
    fx_close(&fx);
}
END_TEST

START_TEST(test_binary_keys_with_slash_nul_and_dotdot_are_distinct) {
    static const char *keys[] = {"a/b", "../etc/passwd", "..", ".", "/", "a\0b", "a\0c", ""};
    static const uint32_t lens[] = {3, 13, 2, 1, 1, 3, 3, 0};
    fixture fx;
    ds_err err = {{0}};
    fx_open(&fx, _i);
    for (int i = 0; i < 8; i++) {
        ds_value *v = ds_value_new(&i, sizeof(i), 0, 0);
        ck_assert_msg(bset(fx.b, keys[i], lens[i], v, &err) == DS_OK, "%d: %s", i, err.msg);
        ds_value_unref(v);
    }
    for (int i = 0; i < 8; i++) {
        ds_value *out = NULL;
        ck_assert_int_eq(bget(fx.b, keys[i], lens[i], &out, &err), DS_OK);
        ck_assert_uint_eq(out->len, sizeof(int));
        ck_assert_int_eq(*(const int *)out->data, i);
        ds_value_unref(out);
    }
    expect_absent(fx.b, "a\0d", 3);
    fx_close(&fx);
}
END_TEST

START_TEST(test_expire_and_size_bytes_round_trip) {
    fixture fx;
    ds_err err = {{0}};
    fx_open(&fx, _i);
    ds_value *v = ds_value_new("stamp", 5, 4096, 123456789012345LL), *out = NULL;
    ck_assert_int_eq(bset(fx.b, "k", 1, v, &err), DS_OK);
    ck_assert_int_eq(bget(fx.b, "k", 1, &out, &err), DS_OK);
    ck_assert_int_eq(out->expire_us, 123456789012345LL);
    ck_assert_uint_eq(out->size_bytes, 4096);
    ck_assert_uint_eq(out->len, 5);
    ds_value_unref(out);
    ds_value_unref(v);
    v = ds_value_new("x", 1, 0, 0);
    ck_assert_int_eq(bset(fx.b, "k", 1, v, &err), DS_OK);
    ck_assert_int_eq(bget(fx.b, "k", 1, &out, &err), DS_OK);
    ck_assert_int_eq(out->expire_us, 0);
    ck_assert_uint_eq(out->size_bytes, 1);
    ds_value_unref(out);
    ds_value_unref(v);
    fx_close(&fx);
}
END_TEST

START_TEST(test_flush_all_empties_the_store) {
    fixture fx;
    ds_err err = {{0}};
    char k[16];
    fx_open(&fx, _i);
    for (int i = 0; i < 50; i++) {
        snprintf(k, sizeof(k), "key%d", i);
        put_str(fx.b, k, "v");
    }
    ck_assert_int_eq(fx.b->ops->flush_all(fx.b, &err), DS_OK);
    for (int i = 0; i < 50; i++) {
        snprintf(k, sizeof(k), "key%d", i);
        expect_absent(fx.b, k, (uint32_t)strlen(k));
    }
    put_str(fx.b, "after", "flush");
    expect_str(fx.b, "after", "flush");
    fx_close(&fx);
}
END_TEST

typedef struct scan_tally {
    int seen[200];
    int other;
} scan_tally;

static bool tally_fn(void *ctx, const void *key, uint32_t keylen, const ds_value *v) {
    scan_tally *t = ctx;
    int i;
    char buf[16];
    if (keylen >= sizeof(buf)) {
        t->other++;
        return true;
    }
    memcpy(buf, key, keylen);
    buf[keylen] = '\0';
    if (sscanf(buf, "s%d", &i) == 1 && i >= 0 && i < 200 && v->len == (uint32_t)keylen &&
        memcmp(v->data, key, keylen) == 0)
        t->seen[i]++;
    else
        t->other++;
    return true;
}

START_TEST(test_scan_visits_each_key_once) {
    fixture fx;
    ds_err err = {{0}};
    char k[16];
    fx_open(&fx, _i);
    for (int i = 0; i < 200; i++) {
        snprintf(k, sizeof(k), "s%d", i);
        put_str(fx.b, k, k);
    }
    for (int i = 0; i < 200; i += 10) {
        snprintf(k, sizeof(k), "s%d", i);
        ck_assert_int_eq(bdel(fx.b, k, (uint32_t)strlen(k), &err), DS_OK);
    }
    scan_tally t;
    memset(&t, 0, sizeof(t));
    ck_assert_int_eq(fx.b->ops->scan(fx.b, tally_fn, &t, &err), DS_OK);
    for (int i = 0; i < 200; i++)
        ck_assert_int_eq(t.seen[i], i % 10 == 0 ? 0 : 1);
    ck_assert_int_eq(t.other, 0);
    fx_close(&fx);
}
END_TEST

static bool stop_fn(void *ctx, const void *key, uint32_t keylen, const ds_value *v) {
    (void)key, (void)keylen, (void)v;
    return ++*(int *)ctx < 3;
}

START_TEST(test_scan_stops_when_visitor_returns_false) {
    fixture fx;
    ds_err err = {{0}};
    char k[16];
    int n = 0;
    fx_open(&fx, _i);
    for (int i = 0; i < 20; i++) {
        snprintf(k, sizeof(k), "s%d", i);
        put_str(fx.b, k, k);
    }
    ck_assert_int_eq(fx.b->ops->scan(fx.b, stop_fn, &n, &err), DS_OK);
    ck_assert_int_eq(n, 3);
    fx_close(&fx);
}
END_TEST

typedef struct worker_arg {
    ds_backend *b;
    int id;
    int failures;
} worker_arg;

#define THREAD_KEYS 100

/* Each thread writes, reads back, overwrites and deletes its own keys; per-key the calls are
 * serial, as the scheduler guarantees, while the backend sees 8 threads at once. */
static void *worker(void *p) {
    worker_arg *a = p;
    ds_err err = {{0}};
    char k[32], v[32];
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < THREAD_KEYS; i++) {
            int kl = snprintf(k, sizeof(k), "t%d-k%d", a->id, i);
            int vl = snprintf(v, sizeof(v), "t%d-v%d-r%d", a->id, i, round);
            ds_value *val = ds_value_new(v, (uint32_t)vl, 0, 0), *out = NULL;
            if (bset(a->b, k, (uint32_t)kl, val, &err) != DS_OK) a->failures++;
            if (bget(a->b, k, (uint32_t)kl, &out, &err) != DS_OK || out->len != (uint32_t)vl ||
                memcmp(out->data, v, (size_t)vl) != 0)
                a->failures++;
            ds_value_unref(out);
            ds_value_unref(val);
            if (i % 3 == 0 && bdel(a->b, k, (uint32_t)kl, &err) != DS_OK) a->failures++;
        }
    return NULL;
}

START_TEST(test_concurrent_calls_from_8_threads_on_distinct_keys) {
    fixture fx;
    ds_err err = {{0}};
    pthread_t th[8];
    worker_arg args[8];
    fx_open(&fx, _i);
    for (int t = 0; t < 8; t++) {
        args[t] = (worker_arg){fx.b, t, 0};
        ck_assert_int_eq(pthread_create(&th[t], NULL, worker, &args[t]), 0);
    }
    for (int t = 0; t < 8; t++) {
        pthread_join(th[t], NULL);
        ck_assert_int_eq(args[t].failures, 0);
    }
    char k[32];
    for (int t = 0; t < 8; t++)
        for (int i = 0; i < THREAD_KEYS; i++) {
            int kl = snprintf(k, sizeof(k), "t%d-k%d", t, i);
            ds_value *out = NULL;
            ck_assert_int_eq(bget(fx.b, k, (uint32_t)kl, &out, &err),
                             i % 3 == 0 ? DS_NOT_FOUND : DS_OK);
            ds_value_unref(out);
        }
    fx_close(&fx);
}
END_TEST

START_TEST(test_stats_count_calls) {
    fixture fx;
    ds_err err = {{0}};
    ds_backend_stats st;
    fx_open(&fx, _i);
    put_str(fx.b, "a", "1234");
    expect_str(fx.b, "a", "1234");
    expect_absent(fx.b, "b", 1);
    ck_assert_int_eq(bdel(fx.b, "a", 1, &err), DS_OK);
    fx.b->ops->stats(fx.b, &st);
    ck_assert_uint_eq(st.sets, 1);
    ck_assert_uint_eq(st.gets, 2);
    ck_assert_uint_eq(st.dels, 1);
    ck_assert_uint_eq(st.errors, 0);
    ck_assert_uint_ge(st.bytes_written, 4);
    ck_assert_uint_eq(st.bytes_read, 4);
    fx_close(&fx);
}
END_TEST

/* ds_job_plan/ds_job_run: LOAD -> get, SAVE value -> set, SAVE NULL -> del (absent is ok). */
START_TEST(test_job_run_maps_load_save_and_delete) {
    fixture fx;
    fx_open(&fx, _i);
    ds_call call;
    ds_job job;
    memset(&job, 0, sizeof(job));
    job.key = "jk";
    job.keylen = 2;
    job.type = DS_JOB_LOAD;
    ds_job_plan(fx.b, &job, &call);
    ds_job_run(fx.b, &job, &call);
    ck_assert_int_eq(job.result, DS_NOT_FOUND);
    ck_assert_ptr_null(job.value);
    ds_value *v = ds_value_new("val", 3, 0, 0);
    job.type = DS_JOB_SAVE;
    job.value = v;
    ds_job_plan(fx.b, &job, &call);
    ds_job_run(fx.b, &job, &call);
    ck_assert_int_eq(job.result, DS_OK);
    ck_assert_ptr_eq(job.value, v);
    job.type = DS_JOB_LOAD;
    job.value = NULL;
    ds_job_run(fx.b, &job, NULL);
    ck_assert_int_eq(job.result, DS_OK);
    ck_assert_ptr_nonnull(job.value);
    ck_assert_ptr_ne(job.value, v);
    ck_assert(memcmp(job.value->data, "val", 3) == 0);
    ds_value_unref(job.value);
    for (int i = 0; i < 2; i++) { /* the second delete finds nothing: still a success */
        job.type = DS_JOB_SAVE;
        job.value = NULL;
        ds_job_plan(fx.b, &job, &call);
        ds_job_run(fx.b, &job, &call);
        ck_assert_int_eq(job.result, DS_OK);
    }
    expect_absent(fx.b, "jk", 2);
    ds_value_unref(v);
    fx_close(&fx);
}
END_TEST

static ds_status bget_hint(ds_backend *b, const char *k, uint64_t hint, ds_value **out) {
    ds_err err = {{0}};
    ds_call c = {0};
    b->ops->plan(b, DS_BOP_GET, k, (uint32_t)strlen(k), &c);
    c.size_hint = hint;
    return b->ops->get(b, &c, k, (uint32_t)strlen(k), out, &err);
}

/* Origin mode: a key never written nor deleted reads present with the call's size hint and a
 * stamp that depends on the key only; it is not stored (stats.keys and scan see no key). */
START_TEST(test_mem_origin_answers_untouched_keys_until_written_or_deleted) {
    ds_err err = {{0}};
    ds_backend *b = ds_backend_mem_new(&err);
    ds_fake_opts o;
    memset(&o, 0, sizeof(o));
    b = ds_backend_fake_new(b, &o, &err); /* origin mode must reach through the shim */
    ds_value *a = NULL, *c = NULL;
    ck_assert_int_eq(bget_hint(b, "obj1", 100000, &a), DS_NOT_FOUND); /* origin mode is off */
    ds_backend_mem_set_origin(b, true);
    ck_assert_int_eq(bget_hint(b, "obj1", 100000, &a), DS_OK);
    ck_assert_uint_eq(a->size_bytes, 100000);
    ck_assert_uint_le(a->len, 16);
    ck_assert_int_eq(bget_hint(b, "obj1", 7, &c), DS_OK);
    ck_assert_uint_eq(c->size_bytes, 7);
    ck_assert_uint_eq(c->len, 7);
    ck_assert(memcmp(a->data, c->data, c->len) == 0); /* same key, same stamp */
    ds_value_unref(c);
    ck_assert_int_eq(bget_hint(b, "obj2", 100000, &c), DS_OK);
    ck_assert(memcmp(a->data, c->data, a->len) != 0); /* another key, another stamp */
    ds_value_unref(a);
    ds_value_unref(c);
    ds_job job = {.type = DS_JOB_LOAD, .key = "obj5", .keylen = 4, .size_hint = 321};
    ds_call call;
    ds_job_plan(b, &job, &call);
    ds_job_run(b, &job, &call); /* the job's hint reaches the backend */
    ck_assert_int_eq(job.result, DS_OK);
    ck_assert_uint_eq(job.value->size_bytes, 321);
    ds_value_unref(job.value);
    put_str(b, "obj1", "written");
    expect_str(b, "obj1", "written");
    ck_assert_int_eq(bdel(b, "obj1", 4, &err), DS_OK);
    expect_absent(b, "obj1", 4); /* deleted: the origin no longer answers for it */
    ck_assert_int_eq(bdel(b, "obj3", 4, &err), DS_OK); /* the origin's copy is gone */
    expect_absent(b, "obj3", 4);
    ck_assert_int_eq(bdel(b, "obj3", 4, &err), DS_NOT_FOUND);
    ds_backend_stats st;
    b->ops->stats(b, &st);
    ck_assert_uint_eq(st.keys, 0); /* untouched keys and tombstones are not stored keys */
    ck_assert_int_eq(b->ops->flush_all(b, &err), DS_OK);
    ck_assert_int_eq(bget_hint(b, "obj1", 5, &a), DS_OK); /* flush forgets tombstones */
    ds_value_unref(a);
    ds_backend_close(b);
}
END_TEST

/* The origin's stamp is ds_hash64(key, 1) and its mix, whatever the key's length (the inline
 * hash of 8..16-byte keys and the call for the others give the same bytes). */
START_TEST(test_mem_origin_stamp_is_the_keys_hash) {
    ds_err err = {{0}};
    ds_backend *b = ds_backend_mem_new(&err);
    ds_backend_mem_set_origin(b, true);
    const char *keys[] = {"",
                          "abc",
                          "12345678",
                          "twelve bytes",
                          "sixteen bytes ok",
                          "seventeen bytes!!",
                          "a key much longer than sixteen bytes"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        ds_value *v = NULL;
        ck_assert_int_eq(bget_hint(b, keys[i], 100, &v), DS_OK);
        uint64_t h1 = ds_hash64(keys[i], strlen(keys[i]), 1), h2;
        h2 = (h1 ^ (h1 >> 31)) * 0x9e3779b97f4a7c15ull;
        unsigned char want[16];
        memcpy(want, &h1, 8);
        memcpy(want + 8, &h2, 8);
        ck_assert_uint_eq(v->len, 16);
        ck_assert_msg(memcmp(v->data, want, 16) == 0, "key '%s'", keys[i]);
        ds_value_unref(v);
    }
    ds_backend_close(b);
}
END_TEST

START_TEST(test_fake_failure_never_reaches_parent) {
    ds_err err = {{0}};
    ds_backend *mem = ds_backend_mem_new(&err);
    ds_fake_opts o;
    memset(&o, 0, sizeof(o));
    o.faults.fail_after = 1;
    o.faults.fail_count = 1;
    ds_backend *b = ds_backend_fake_new(mem, &o, &err);
    put_str(b, "k", "v1"); /* call 1 succeeds */
    ds_value *v = ds_value_new("v2", 2, 0, 0);
    ck_assert_int_eq(bset(b, "k", 1, v, &err), DS_ERR_IO); /* call 2 fails */
    ck_assert_ptr_nonnull(strstr(err.msg, "injected"));
    ds_value_unref(v);
    expect_str(b, "k", "v1"); /* the parent still has the old value */
    ds_backend_stats st;
    b->ops->stats(b, &st);
    ck_assert_uint_eq(st.errors, 1);
    mem->ops->stats(mem, &st);
    ck_assert_uint_eq(st.sets, 1);
    ds_backend_close(b);
}
END_TEST

/* fake(mem) in origin mode, uniform latencies and 10% injected errors, seeded. */
static ds_backend *fake_mem_stack(uint64_t seed) {
    ds_err err = {{0}};
    ds_backend *mem = ds_backend_mem_new(&err);
    ck_assert_ptr_nonnull(mem);
    ds_backend_mem_set_origin(mem, true);
    ds_fake_opts o;
    memset(&o, 0, sizeof(o));
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(ds_latency_parse("uniform:10:100", &o.lat[i], &err), DS_OK);
    o.faults.err_p = 0.1;
    o.seed = seed;
    ds_backend *b = ds_backend_fake_new(mem, &o, &err);
    ck_assert_ptr_nonnull(b);
    return b;
}

/* One call of a fixed script on b: plan (its draws) and run; the answer in *v. */
static ds_status script_call(ds_backend *b, int i, ds_call *c, ds_value **v) {
    ds_err err = {{0}};
    char k[16];
    uint32_t kl = (uint32_t)snprintf(k, sizeof k, "k%d", i % 37);
    *c = (ds_call){0, false, 0};
    *v = NULL;
    ds_bop op = i % 4 == 0 ? DS_BOP_SET : i % 4 == 2 ? DS_BOP_DEL : DS_BOP_GET;
    b->ops->plan(b, op, k, kl, c);
    if (op == DS_BOP_DEL) return b->ops->del(b, c, k, kl, &err);
    if (op == DS_BOP_GET) {
        c->size_hint = (uint64_t)(i % 50);
        return b->ops->get(b, c, k, kl, v, &err);
    }
    ds_value *val = ds_value_new(k, kl, 0, 0);
    ds_status st = b->ops->set(b, c, k, kl, val, &err);
    ds_value_unref(val);
    return st;
}

/* DS_BCTL_ONE_THREAD (the virtual engine's promise: every call from one thread) lets fake and
 * mem skip their mutexes. The answers and the draws stay those of a locked stack, and turning
 * it off brings the locks back: 8 threads then (TSan watches under make test-tsan). */
START_TEST(test_one_thread_stack_answers_as_a_locked_one) {
    ds_backend *a = fake_mem_stack(7), *b = fake_mem_stack(7);
    bool on = true, off = false;
    ck_assert_int_eq(ds_backend_control(b, DS_BCTL_ONE_THREAD, &on), DS_OK);
    int fails = 0;
    for (int i = 0; i < 400; i++) {
        ds_call ca, cb;
        ds_value *va, *vb;
        ds_status sa = script_call(a, i, &ca, &va), sb = script_call(b, i, &cb, &vb);
        ck_assert_int_eq(sa, sb);
        ck_assert_int_eq(ca.service_us, cb.service_us);
        ck_assert_int_eq(ca.fail, cb.fail);
        fails += ca.fail;
        ck_assert_int_eq(va != NULL, vb != NULL);
        if (va) {
            ck_assert_uint_eq(va->len, vb->len);
            ck_assert_uint_eq(va->size_bytes, vb->size_bytes);
            ck_assert(memcmp(va->data, vb->data, va->len) == 0);
        }
        ds_value_unref(va);
        ds_value_unref(vb);
    }
    ck_assert_int_gt(fails, 10); /* the fault draws were compared too */
    ck_assert_int_eq(ds_backend_control(b, DS_BCTL_ONE_THREAD, &off), DS_OK);
    ds_backend_fake_faults_enable(b, false);
    pthread_t th[8];
    worker_arg args[8];
    for (int t = 0; t < 8; t++) {
        args[t] = (worker_arg){b, t, 0};
        ck_assert_int_eq(pthread_create(&th[t], NULL, worker, &args[t]), 0);
    }
    for (int t = 0; t < 8; t++) {
        pthread_join(th[t], NULL);
        ck_assert_int_eq(args[t].failures, 0);
    }
    ds_backend_close(a);
    ds_backend_close(b);
}
END_TEST

int main(void) {
    Suite *s = suite_create("backend");
    TCase *tc = tcase_create("conformance");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_get_missing_key_is_not_found, 0, K__COUNT);
    tcase_add_loop_test(tc, test_set_then_get_returns_same_bytes, 0, K__COUNT);
    tcase_add_loop_test(tc, test_overwrite_returns_latest_value, 0, K__COUNT);
    tcase_add_loop_test(tc, test_delete_removes_key, 0, K__COUNT);
    tcase_add_loop_test(tc, test_delete_of_missing_key_is_not_found, 0, K__COUNT);
    tcase_add_loop_test(tc, test_large_4mib_and_empty_values_round_trip, 0, K__COUNT);
    tcase_add_loop_test(tc, test_binary_keys_with_slash_nul_and_dotdot_are_distinct, 0, K__COUNT);
    tcase_add_loop_test(tc, test_expire_and_size_bytes_round_trip, 0, K__COUNT);
    tcase_add_loop_test(tc, test_flush_all_empties_the_store, 0, K__COUNT);
    tcase_add_loop_test(tc, test_scan_visits_each_key_once, 0, K__COUNT);
    tcase_add_loop_test(tc, test_scan_stops_when_visitor_returns_false, 0, K__COUNT);
    tcase_add_loop_test(tc, test_concurrent_calls_from_8_threads_on_distinct_keys, 0, K__COUNT);
    tcase_add_loop_test(tc, test_stats_count_calls, 0, K__COUNT);
    tcase_add_loop_test(tc, test_job_run_maps_load_save_and_delete, 0, K__COUNT);
    suite_add_tcase(s, tc);
    TCase *tm = tcase_create("mem-and-fake");
    tcase_add_test(tm, test_mem_origin_answers_untouched_keys_until_written_or_deleted);
    tcase_add_test(tm, test_mem_origin_stamp_is_the_keys_hash);
    tcase_add_test(tm, test_fake_failure_never_reaches_parent);
    tcase_add_test(tm, test_one_thread_stack_answers_as_a_locked_one);
    suite_add_tcase(s, tm);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
