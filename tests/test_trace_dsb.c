/*
 * test_trace_dsb.c - the dsb binary trace keeps its promises (workloads/trace_dsb.c).
 *
 * Why these tests: dsb exists so that replays skip CSV parsing, which is only safe if it is an
 * exact stand-in for the native CSV: native -> dsb -> native must give back the same bytes for
 * every op and awkward keys. A cut file must never read as a shorter trace (the end marker
 * makes every cut an error naming its byte offset), and a corrupt length must be an error
 * before it is used.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scratch.h"
#include "trace.h"
#include "verbs.h"

static char tmpdir[DS_SCRATCH_CAP];

static void setup(void) { ds_scratch_make(tmpdir, sizeof tmpdir, "trace-dsb"); }

static void teardown(void) { ds_scratch_rm(tmpdir); }

static const char *tpath(char *buf, size_t n, const char *name) {
    snprintf(buf, n, "%s/%s", tmpdir, name);
    return buf;
}

static void write_file(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

/* Whole file into a malloc'd buffer. */
static unsigned char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    ck_assert_int_ge(n, 0);
    rewind(f);
    unsigned char *b = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* Stream IN into OUT with the library (the format of each from its name). */
static void convert(const char *in, const char *out) {
    ds_err err = {{0}};
    ds_reader *r = ds_reader_open(in, NULL, &err);
    ck_assert_msg(r != NULL, "%s", err.msg);
    ds_writer *w = ds_writer_open(out, NULL, &err);
    ck_assert_msg(w != NULL, "%s", err.msg);
    ds_trace_req *q = malloc(sizeof *q);
    int rc;
    while ((rc = ds_reader_next(r, q, &err)) == 1)
        ck_assert_int_eq(ds_writer_put(w, q, &err), DS_OK);
    ck_assert_msg(rc == 0, "%s", err.msg);
    ck_assert_int_eq(ds_writer_close(w, &err), DS_OK);
    ds_reader_close(r);
    free(q);
}

/* A native trace with every op, multi-key MGET/EXEC, backwards time, extreme numbers and keys
 * with commas, quotes, newlines and high bytes. */
static void gen_native(const char *path, uint32_t n) {
    ds_err err = {{0}};
    ds_writer *w = ds_writer_open(path, "native", &err);
    ck_assert_msg(w != NULL, "%s", err.msg);
    ds_trace_req *q = calloc(1, sizeof *q);
    ds_rng rng;
    ds_rng_seed(&rng, 7);
    static char kb[DS_MULTI_MAX_KEYS][24];
    static const char *odd[] = {"a,b", "q\"uote\"", "new\nline", "\xff\x80\x01", "t\tab"};
    int64_t t = 0;
    for (uint32_t i = 0; i < n; i++) {
        q->op = (ds_op)(i % DS_OP__COUNT);
        bool multi = q->op == DS_OP_MGET || q->op == DS_OP_EXEC;
        q->nkeys = multi ? 1 + (uint32_t)ds_rng_below(&rng, i == 11 ? DS_MULTI_MAX_KEYS : 12) : 1;
        for (uint32_t k = 0; k < q->nkeys; k++) {
            uint64_t v = ds_rng_below(&rng, 1000);
            if (v < 50 && !multi) {
                q->keys[k] = (ds_key){odd[v % 5], (uint32_t)strlen(odd[v % 5])};
                continue;
            }
            int len = snprintf(kb[k], sizeof kb[k], v < 100 ? "k,\"%llu\"" : "key:%llu",
                               (unsigned long long)v);
            q->keys[k] = (ds_key){kb[k], (uint32_t)len};
        }
        t += (int64_t)ds_rng_below(&rng, 3000) - 500; /* sometimes backwards */
        if (t < 0) t = 0;
        q->time_us = i == n - 1 ? INT64_MAX : t;
        q->client = i == 3 ? UINT64_MAX : ds_rng_below(&rng, 64);
        q->size = i == 4 ? UINT64_MAX : ds_rng_below(&rng, 100000);
        q->ttl_s = i == 5 ? INT64_MAX : (int64_t)ds_rng_below(&rng, 3) * 60;
        ck_assert_msg(ds_writer_put(w, q, &err) == DS_OK, "%u: %s", i, err.msg);
    }
    ck_assert_int_eq(ds_writer_close(w, &err), DS_OK);
    free(q);
}

static void assert_same_file(const char *a, const char *b) {
    size_t la, lb;
    unsigned char *pa = slurp(a, &la), *pb = slurp(b, &lb);
    ck_assert_uint_eq(la, lb);
    ck_assert_msg(memcmp(pa, pb, la) == 0, "%s and %s differ", a, b);
    free(pa);
    free(pb);
}

START_TEST(test_native_to_dsb_and_back_is_byte_identical) {
    char a[128], d[128], z[128], b[128], b2[128];
    gen_native(tpath(a, sizeof a, "a.csv"), 3000);
    convert(a, tpath(d, sizeof d, "a.dsb"));
    convert(d, tpath(b, sizeof b, "b.csv"));
    assert_same_file(a, b);
    convert(a, tpath(z, sizeof z, "a.dsb.zst"));
    convert(z, tpath(b2, sizeof b2, "b2.csv"));
    assert_same_file(a, b2);
    ds_err err = {{0}};
    ds_reader *r = ds_reader_open(z, NULL, &err);
    ck_assert_str_eq(ds_reader_format(r), "dsb");
    ck_assert(!ds_reader_is_id_trace(r));
    ds_reader_close(r);
    size_t la, ld;
    free(slurp(a, &la));
    free(slurp(d, &ld));
    ck_assert_uint_lt(ld, la); /* and it is smaller */
}
END_TEST

START_TEST(test_dslab_convert_verb_goes_both_ways) {
    char a[128], d[128], b[128];
    gen_native(tpath(a, sizeof a, "a.csv"), 200);
    tpath(d, sizeof d, "v.dsb");
    tpath(b, sizeof b, "v.csv");
    char *to_dsb[] = {"convert", a, d, NULL};
    ck_assert_int_eq(ds_main_convert(3, to_dsb), 0);
    char *to_csv[] = {"convert", d, b, NULL};
    ck_assert_int_eq(ds_main_convert(3, to_csv), 0);
    assert_same_file(a, b);
}
END_TEST

/* Every proper prefix of a small file fails: at open (header) or while reading, and a cut
 * record names its offset. Never a crash, never a clean shorter trace. */
START_TEST(test_truncation_at_every_offset_is_an_error) {
    char a[128], d[128], c[128];
    gen_native(tpath(a, sizeof a, "a.csv"), 40);
    convert(a, tpath(d, sizeof d, "a.dsb"));
    size_t len;
    unsigned char *buf = slurp(d, &len);
    tpath(c, sizeof c, "cut.dsb");
    for (size_t cut = 0; cut < len; cut++) {
        write_file(c, buf, cut);
        ds_err err = {{0}};
        ds_reader *r = ds_reader_open(c, NULL, &err);
        if (!r) {
            ck_assert_msg(cut < 8, "open failed at cut %zu: %s", cut, err.msg);
            ck_assert_ptr_nonnull(strstr(err.msg, "truncated header"));
            continue;
        }
        ck_assert_uint_ge(cut, 8);
        ds_trace_req *q = malloc(sizeof *q);
        long n = 0;
        int rc;
        while ((rc = ds_reader_next(r, q, &err)) == 1)
            n++;
        ck_assert_msg(rc == -1, "cut at %zu read as %ld records", cut, n);
        ck_assert_msg(strstr(err.msg, "truncated record"), "cut %zu: %s", cut, err.msg);
        ck_assert_msg(strstr(err.msg, c) && strstr(err.msg, ":@"), "%s", err.msg);
        ck_assert_int_eq(ds_reader_next(r, q, &err), -1); /* sticky */
        free(q);
        ds_reader_close(r);
    }
    write_file(c, buf, len); /* the whole file still reads */
    ds_err err = {{0}};
    ds_reader *r = ds_reader_open(c, NULL, &err);
    ds_trace_req *q = malloc(sizeof *q);
    long n = 0;
    while (ds_reader_next(r, q, &err) == 1)
        n++;
    ck_assert_int_eq(n, 40);
    free(q);
    ds_reader_close(r);
    free(buf);
}
END_TEST

static void expect_error(const char *name, const void *data, size_t len, const char *what) {
    char p[128];
    write_file(tpath(p, sizeof p, name), data, len);
    ds_err err = {{0}};
    ds_reader *r = ds_reader_open(p, NULL, &err);
    if (r) {
        ds_trace_req *q = malloc(sizeof *q);
        int rc;
        while ((rc = ds_reader_next(r, q, &err)) == 1)
            ;
        ck_assert_msg(rc == -1, "%s: no error", name);
        free(q);
        ds_reader_close(r);
    }
    ck_assert_msg(strstr(err.msg, what) && strstr(err.msg, p), "%s: got '%s', want '%s'", name,
                  err.msg, what);
}

#define HDR "DSLB\1\0\0\0"
START_TEST(test_bad_header_is_an_error) {
    expect_error("m.dsb", "DSLX\1\0\0\0\xff\0", 10, "not a dsb trace");
    expect_error("m2.dsb", "time_us,client,op,key,size,ttl_s\n", 33, "not a dsb trace");
    expect_error("v.dsb", "DSLB\2\0\0\0\xff\0", 10, "dsb version 2 not supported");
    expect_error("f.dsb", "DSLB\1\1\0\0\xff\0", 10, "unknown dsb flags");
    expect_error("e.dsb", "", 0, ":@0: truncated header");
}
END_TEST

/* Each corrupt field: header, then a record (GET k, client 0, ...) damaged in one place. */
START_TEST(test_corrupt_fields_are_errors_naming_the_offset) {
    static const struct {
        const char *bytes;
        size_t len;
        const char *what;
    } c[] = {
        {HDR "\x06\0\0\0\0\1k\xff\1", 17, ":@8: bad op byte"},
        {HDR "\0\0\0\0\0\0\xff\1", 16, ":@8: empty key"},
        {HDR "\0\0\0\0\0\x81\x20", 15, ":@8: key longer than"},
        {HDR "\x04\0\0\0\0\0\xff\1", 16, ":@8: key count outside"},
        {HDR "\x04\x81\x08\0\0\0\0\1k", 17, ":@8: key count outside"},
        {HDR "\0\x80\0\0\0\0\1k\xff\1", 18, ":@8: bad varint"},
        {HDR "\0\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f\0\0\0\1k", 24, ":@8: bad varint"},
        {HDR "\0\1\0\0\0\1k\xff\1", 17, ":@8: time_us outside"},
        {HDR "\0\0\0\0\xff\xff\xff\xff\xff\xff\xff\xff\xff\1\1k\xff\1", 26, ":@8: ttl_s larger"},
        {HDR "\0\0\0\0\0\1k\xff\2", 17, ":@15: end marker's record count"},
        {HDR "\0\0\0\0\0\1k\xff\1\0", 18, ":@17: data after the end marker"},
        {HDR "\0\0\0\0\0\1k", 15, ":@15: truncated record"},
        {HDR "\x05\1\0\0\0\0\3a b\xff\1", 20, ":@8: a MGET/EXEC key contains a space"},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "c%zu.dsb", i);
        expect_error(name, c[i].bytes, c[i].len, c[i].what);
    }
}
END_TEST

START_TEST(test_hand_written_record_decodes_as_documented) {
    /* EXEC of "ab" and "c" at t=300, client 2, size 129 (2-byte varint), ttl 5; then a DEL
     * 1 us earlier (zigzag 1 = back by 1) */
    static const unsigned char f[] = {'D',  'S',  'L', 'B',  1, 0, 0, 0,   5,    2,
                                      0xD8, 0x04, 2,   0x81, 1, 5, 2, 'a', 'b',  1,
                                      'c',  2,    1,   0,    0, 0, 1, 'z', 0xFF, 2};
    char p[128];
    write_file(tpath(p, sizeof p, "h.dsb"), f, sizeof f);
    ds_err err = {{0}};
    ds_reader *r = ds_reader_open(p, NULL, &err);
    ck_assert_msg(r != NULL, "%s", err.msg);
    ds_trace_req *q = malloc(sizeof *q);
    ck_assert_int_eq(ds_reader_next(r, q, &err), 1);
    ck_assert_int_eq(q->op, DS_OP_EXEC);
    ck_assert_uint_eq(q->nkeys, 2);
    ck_assert_int_eq(q->time_us, 300);
    ck_assert_uint_eq(q->client, 2);
    ck_assert_uint_eq(q->size, 129);
    ck_assert_int_eq(q->ttl_s, 5);
    ck_assert(q->keys[0].len == 2 && memcmp(q->keys[0].p, "ab", 2) == 0);
    ck_assert(q->keys[1].len == 1 && memcmp(q->keys[1].p, "c", 1) == 0);
    ck_assert_uint_eq(q->line, 1);
    ck_assert_int_eq(ds_reader_next(r, q, &err), 1);
    ck_assert_int_eq(q->op, DS_OP_DEL);
    ck_assert_int_eq(q->time_us, 299);
    ck_assert(q->keys[0].len == 1 && memcmp(q->keys[0].p, "z", 1) == 0);
    ck_assert_int_eq(ds_reader_next(r, q, &err), 0);
    ck_assert_int_eq(ds_reader_next(r, q, &err), 0);
    free(q);
    ds_reader_close(r);
}
END_TEST

START_TEST(test_writer_rejects_bad_request_and_stays_usable) {
    char p[128];
    ds_err err = {{0}};
    ds_writer *w = ds_writer_open(tpath(p, sizeof p, "w.dsb"), NULL, &err);
    ck_assert_ptr_nonnull(w);
    ds_trace_req *q = calloc(1, sizeof *q);
    *q = (ds_trace_req){.time_us = 5, .op = DS_OP_GET, .nkeys = 2};
    q->keys[0] = q->keys[1] = (ds_key){"k", 1};
    ck_assert_int_eq(ds_writer_put(w, q, &err), DS_ERR_ARG); /* GET with 2 keys */
    q->nkeys = 1;
    q->keys[0].len = 0;
    ck_assert_int_eq(ds_writer_put(w, q, &err), DS_ERR_ARG); /* empty key */
    q->op = DS_OP_EXEC;
    q->keys[0] = (ds_key){"a b", 3};
    ck_assert_int_eq(ds_writer_put(w, q, &err), DS_ERR_ARG); /* no space in a multi key */
    q->op = DS_OP_GET;
    q->keys[0] = (ds_key){"k", 1};
    q->time_us = -1;
    ck_assert_int_eq(ds_writer_put(w, q, &err), DS_ERR_ARG);
    q->time_us = 5;
    ck_assert_int_eq(ds_writer_put(w, q, &err), DS_OK);
    ck_assert_int_eq(ds_writer_close(w, &err), DS_OK);
    ds_reader *r = ds_reader_open(p, NULL, &err);
    ck_assert_int_eq(ds_reader_next(r, q, &err), 1);
    ck_assert_int_eq(q->time_us, 5);
    ck_assert_int_eq(ds_reader_next(r, q, &err), 0);
    ds_reader_close(r);
    free(q);
}
END_TEST

static Suite *dsb_suite(void) {
    Suite *s = suite_create("trace_dsb");
    TCase *tc = tcase_create("trace_dsb");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_native_to_dsb_and_back_is_byte_identical);
    tcase_add_test(tc, test_dslab_convert_verb_goes_both_ways);
    tcase_add_test(tc, test_truncation_at_every_offset_is_an_error);
    tcase_add_test(tc, test_bad_header_is_an_error);
    tcase_add_test(tc, test_corrupt_fields_are_errors_naming_the_offset);
    tcase_add_test(tc, test_hand_written_record_decodes_as_documented);
    tcase_add_test(tc, test_writer_rejects_bad_request_and_stays_usable);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(dsb_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
