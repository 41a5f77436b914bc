/*
 * test_commands.c - command semantics and replies of ds_cache_exec.
 *
 * Why: the simulator's oracle trusts these replies (values, counts, statuses), so each command
 * shape has its answer pinned here: GET/MGET values, SET/DEL/EXISTS counts, EXEC atomicity,
 * expiry against the host clock, IO-error replies, and bad input that must come back as a
 * status with a message, never as a crash. Written against core/dslab.h only.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testhost.h"

/* ---- basic replies ---- */

START_TEST(test_get_of_absent_key_replies_null_after_load) {
    TH_OPEN(th, th_cfg(0));
    ck_assert_int_eq(th_do_tag(th, 3, 33, th_get(th, "k")), DS_BLOCKED);
    th_run_all(th);
    const th_rec *rec = th_last_for(th, 3);
    ck_assert_ptr_nonnull(rec);
    ck_assert_uint_eq(rec->tag, 33);
    ck_assert_int_eq(rec->r.status, DS_OK);
    ck_assert_int_eq(rec->r.op, DS_OP_GET);
    ck_assert_uint_eq(rec->r.n, 1);
    ck_assert_ptr_null(rec->r.values[0]);
    th_fini(th);
}
END_TEST

/* A command's size_hint rides on the LOAD it causes (and only the first command's, when two
 * wait on one LOAD): a host's origin answers with that size. */
START_TEST(test_size_hint_reaches_the_load_job) {
    TH_OPEN(th, th_cfg(0));
    ds_key k = th_key("obj");
    ds_cmd get = {.op = DS_OP_GET, .nkeys = 1, .keys = &k, .size_hint = 4096};
    ck_assert_int_eq(th_do(th, 1, &get), DS_BLOCKED);
    ds_cmd get2 = get;
    get2.size_hint = 7;
    ck_assert_int_eq(th_do(th, 2, &get2), DS_BLOCKED);
    ck_assert_uint_eq(th_take_all(th), 1);
    ds_job *j = th_find(th, DS_JOB_LOAD, "obj");
    ck_assert_ptr_nonnull(j);
    ck_assert_uint_eq(j->size_hint, 4096);
    th_run(th, j);
    ck_assert_int_eq(th_do(th, 3, th_get(th, "other")), DS_BLOCKED); /* no hint: 0 */
    th_take_all(th);
    ck_assert_uint_eq(th_find(th, DS_JOB_LOAD, "other")->size_hint, 0);
    th_run_all(th);
    th_fini(th);
}
END_TEST

START_TEST(test_set_replies_count_one_and_get_sees_it) {
    TH_OPEN(th, th_cfg(0));
    ck_assert_int_eq(th_do(th, 1, th_set(th, "k", "v")), DS_OK);
    ck_assert_int_eq(th->last.op, DS_OP_SET);
    ck_assert_int_eq(th->last.count, 1);
    ck_assert_int_eq(th_do(th, 1, th_get(th, "k")), DS_OK);
    ck_assert_int_eq(th->last.op, DS_OP_GET);
    ck_assert(th_val_is(th->last.values[0], "v"));
    ds_stats st = th_stats(th);
    ck_assert_uint_eq(st.sets, 1);
    ck_assert_uint_eq(st.gets, 1);
    ck_assert_uint_eq(st.requests, 2);
    th_fini(th);
}
END_TEST

/* A host that hashed a key ahead (to prefetch it) passes the hash in ds_cmd.key_hash: the GET
 * finds the same entry, and misses, parks and resumes as one without it. */
START_TEST(test_get_with_the_hosts_key_hash_is_the_same_get) {
    TH_OPEN(th, th_cfg(0));
    ck_assert_uint_ne(ds_cache_key_hash(th->cache, "k", 1), 0);
    ck_assert_uint_eq(ds_cache_key_hash(th->cache, "k", 1), ds_cache_key_hash(th->cache, "k", 1));
    ck_assert_uint_ne(ds_cache_key_hash(th->cache, "k", 1), ds_cache_key_hash(th->cache, "j", 1));
    ck_assert_int_eq(th_do(th, 1, th_set(th, "k", "v")), DS_OK);
    ds_key k = th_key("k"), j = th_key("j");
    ds_cmd get = {.op = DS_OP_GET, .nkeys = 1, .keys = &k};
    get.key_hash = ds_cache_key_hash(th->cache, "k", 1);
    ds_cache_prefetch_hash(th->cache, get.key_hash); /* a hint only */
    ck_assert_int_eq(th_do(th, 1, &get), DS_OK);
    ck_assert(th_val_is(th->last.values[0], "v"));
    ds_cmd miss = {.op = DS_OP_GET, .nkeys = 1, .keys = &j};
    miss.key_hash = ds_cache_key_hash(th->cache, "j", 1);
    ck_assert_int_eq(th_do_tag(th, 2, 7, &miss), DS_BLOCKED); /* parked with the host's hash */
    th_take_all(th);                                          /* the SET's SAVE and j's LOAD */
    ck_assert_uint_eq(th_count(th, DS_JOB_LOAD, "j"), 1);
    ck_assert_int_eq(th_complete(th, th_find(th, DS_JOB_LOAD, "j"), DS_OK, "w"), DS_OK);
    const th_rec *rec = th_last_for(th, 2);
    ck_assert_ptr_nonnull(rec);
    ck_assert(th_val_is(rec->r.values[0], "w"));
    ck_assert_int_eq(th_do(th, 1, &miss), DS_OK); /* now a hit, found by the same hash */
    ck_assert(th_val_is(th->last.values[0], "w"));
    ds_stats st = th_stats(th);
    ck_assert_uint_eq(st.hits, 2);
    ck_assert_uint_eq(st.misses, 1);
    th_fini(th);
}
END_TEST

/* A GET ignores sub-commands: a host that reuses an EXEC's ds_cmd for a GET and leaves nsub
 * and sub set gets the GET's answer, missed and loaded like any other (the parked GET's own
 * path must not walk subs it does not keep). */
START_TEST(test_get_with_stray_subcommands_is_a_plain_get) {
    TH_OPEN(th, th_cfg(0));
    ds_key k = th_key("k");
    ds_cmd sub = {.op = DS_OP_GET, .nkeys = 1, .keys = &k};
    ds_cmd get = {.op = DS_OP_GET, .nkeys = 1, .keys = &k, .nsub = 1, .sub = &sub};
    ck_assert_int_eq(th_do_tag(th, 4, 9, &get), DS_BLOCKED);
    th_take_all(th);
    ck_assert_int_eq(th_complete(th, th_find(th, DS_JOB_LOAD, "k"), DS_OK, "v"), DS_OK);
    const th_rec *rec = th_last_for(th, 4);
    ck_assert_ptr_nonnull(rec);
    ck_assert_int_eq(rec->r.status, DS_OK);
    ck_assert_uint_eq(rec->r.n, 1);
    ck_assert(th_val_is(rec->r.values[0], "v"));
    ck_assert_int_eq(th_do_tag(th, 5, 10, &get), DS_OK); /* a hit now */
    ck_assert(th_val_is(th->last.values[0], "v"));
    ds_key j = th_key("j");
    ds_cmd miss = {.op = DS_OP_GET, .nkeys = 1, .keys = &j, .nsub = 1, .sub = &sub};
    ck_assert_int_eq(th_do_tag(th, 6, 11, &miss), DS_BLOCKED); /* still parked at th_fini */
    th_fini(th);
}
END_TEST

START_TEST(test_set_keeps_callers_reference) {
    TH_OPEN(th, th_cfg(0));
    ds_value *v = th_val(th, "v");
    ck_assert_int_eq(th_do(th, 1, th_setv(th, "k", v)), DS_OK);
    ck_assert_uint_ge(ds_value_refs(v), 2);
    th_run_all(th);
    ck_assert_int_eq(th_do(th, 1, th_set(th, "k", "w")), DS_OK);
    th_run_all(th);
    ck_assert_uint_eq(ds_value_refs(v), 1);
    th_fini(th);
}
END_TEST

START_TEST(test_del_count_is_keys_in_memory) {
    TH_OPEN(th, th_cfg(0));
    th_disk_put(th, "c", "on-disk-only");
    th_set_ok(th, 1, "a", "1");
    th_set_ok(th, 1, "b", "2");
    ck_assert_int_eq(th_do(th, 1, TH_DEL(th, "a", "b", "c")), DS_OK);
    ck_assert_int_eq(th->last.op, DS_OP_DEL);
    ck_assert_int_eq(th->last.count, 2);
    ck_assert_ptr_null(th_peek(th, "a"));
    th_run_all(th);
    ck_assert(th_disk_is(th, "c", NULL));
    ck_assert_int_eq(th_do(th, 1, TH_DEL(th, "a")), DS_OK);
    ck_assert_int_eq(th->last.count, 0);
    th_fini(th);
}
END_TEST

START_TEST(test_exists_counts_present_keys) {
    TH_OPEN(th, th_cfg(0));
    th_disk_put(th, "b", "db");
    th_set_ok(th, 1, "a", "1");
    ck_assert_int_eq(th_do(th, 1, TH_EXISTS(th, "a")), DS_OK);
    ck_assert_int_eq(th->last.count, 1);
    ck_assert_int_eq(th_do_tag(th, 2, 9, TH_EXISTS(th, "a", "b", "c")), DS_BLOCKED);
    th_run_all(th);
    const th_rec *rec = th_last_for(th, 2);
    ck_assert_ptr_nonnull(rec);
    ck_assert_int_eq(rec->r.op, DS_OP_EXISTS);
    ck_assert_int_eq(rec->r.count, 2);
    ck_assert_int_eq(th_do(th, 2, TH_EXISTS(th, "b", "c")), DS_OK);
    ck_assert_int_eq(th->last.count, 1);
    th_fini(th);
}
END_TEST

START_TEST(test_mget_values_follow_key_order) {
    TH_OPEN(th, th_cfg(0));
    th_set_ok(th, 1, "a", "1");
    th_set_ok(th, 1, "c", "3");
    th_disk_put(th, "b", "2");
    ck_assert_int_eq(th_do(th, 1, TH_MGET(th, "c", "b", "x", "a")), DS_BLOCKED);
    th_run_all(th);
    const th_rec *rec = th_last_for(th, 1);
    ck_assert_int_eq(rec->r.op, DS_OP_MGET);
    ck_assert_uint_eq(rec->r.n, 4);
    ck_assert(th_val_is(rec->r.values[0], "3"));
    ck_assert(th_val_is(rec->r.values[1], "2"));
    ck_assert_ptr_null(rec->r.values[2]);
    ck_assert(th_val_is(rec->r.values[3], "1"));
    ck_assert_int_eq(th_do(th, 1, TH_MGET(th, "a", "b", "x")), DS_OK);
    ck_assert_uint_eq(th->last.n, 3);
    ck_assert_ptr_null(th->last.values[2]);
    th_fini(th);
}
END_TEST

/* ---- EXEC ---- */

START_TEST(test_exec_runs_sub_commands_back_to_back) {
    TH_OPEN(th, th_cfg(0));
    const ds_cmd *x = TH_EXEC(th, th_set(th, "a", "1"), th_get(th, "a"), TH_DEL(th, "a"),
                              TH_EXISTS(th, "a"), th_get(th, "a"));
    ck_assert_int_eq(th_do_tag(th, 1, 4, x), DS_BLOCKED);
    th_run_all(th);
    const th_rec *rec = th_last_for(th, 1);
    ck_assert_ptr_nonnull(rec);
    ck_assert_int_eq(rec->r.op, DS_OP_EXEC);
    ck_assert_uint_eq(rec->r.nsub, 5);
    ck_assert_int_eq(rec->r.sub[0].count, 1);
    ck_assert(th_val_is(rec->r.sub[1].values[0], "1"));
    ck_assert_int_eq(rec->r.sub[2].count, 1);
    ck_assert_int_eq(rec->r.sub[3].count, 0);
    ck_assert_ptr_null(rec->r.sub[4].values[0]);
    ck_assert_uint_eq(th_stats(th).execs, 1);
    th_fini(th);
}
END_TEST

START_TEST(test_exec_sees_writes_made_while_it_was_parked) {
    TH_OPEN(th, th_cfg(0));
    th_disk_put(th, "a", "disk");
    const ds_cmd *x = TH_EXEC(th, th_get(th, "a"), th_set(th, "a", "x"));
    ck_assert_int_eq(th_do(th, 1, x), DS_BLOCKED);
    th_take_all(th);
    th_set_ok(th, 2, "a", "y");
    ck_assert(th_val_is(th_peek(th, "a"), "y"));
    th_run_all(th);
    const th_rec *rec = th_last_for(th, 1);
    ck_assert(th_val_is(rec->r.sub[0].values[0], "y"));
    ck_assert(th_val_is(th_peek(th, "a"), "x"));
    th_run_all(th);
    ck_assert(th_disk_is(th, "a", "x"));
    th_fini(th);
}
END_TEST

START_TEST(test_exec_with_all_keys_in_memory_answers_at_once) {
    TH_OPEN(th, th_cfg(0));
    th_set_ok(th, 1, "a", "1");
    ck_assert_int_eq(th_do(th, 1, TH_EXEC(th, th_get(th, "a"), th_set(th, "a", "2"))), DS_OK);
    ck_assert_int_eq(th->last.op, DS_OP_EXEC);
    ck_assert_uint_eq(th->last.nsub, 2);
    ck_assert(th_val_is(th->last.sub[0].values[0], "1"));
    ck_assert(th_val_is(th_peek(th, "a"), "2"));
    th_fini(th);
}
END_TEST

/*
 * A read-modify-write EXEC: its GET answers the key's old value, and its SET then replaces that
 * value in memory, dropping the keyspace's reference. The reply must own what it shows (the
 * reply buffer holds a reference), not borrow the entry's value: the host reads the reply after
 * the whole EXEC ran. The host keeps no reference of its own to the old value (th_set hands it
 * over), so a borrowed pointer is freed memory here (ASan: heap-use-after-free).
 */
START_TEST(test_exec_get_reply_owns_the_value_its_own_set_replaces) {
    TH_OPEN(th, th_cfg(0));
    th_set_ok(th, 1, "a", "old");
    th_run_all(th); /* its SAVE job no longer holds "old" either */
    const ds_cmd *x = TH_EXEC(th, th_get(th, "a"), th_set(th, "a", "new"));
    const ds_reply *r = NULL;
    ck_assert_int_eq(ds_cache_exec(th->cache, 1, 1, x, &r), DS_OK);
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_eq(r->n, 2);
    ck_assert_msg(th_val_is(r->sub[0].values[0], "old"), "EXEC's GET reply lost its value");
    ck_assert(th_val_is(th_peek(th, "a"), "new"));
    ck_assert_uint_eq(ds_value_refs(r->sub[0].values[0]), 1); /* the reply's own reference */
    th_fini(th);
}
END_TEST

/* The same for a parked EXEC, answered through host.reply after its LOAD. */
START_TEST(test_parked_exec_get_reply_owns_the_value_its_own_set_replaces) {
    TH_OPEN(th, th_cfg(0));
    th_disk_put(th, "a", "disk");
    ck_assert_int_eq(th_do(th, 1, TH_EXEC(th, th_get(th, "a"), th_set(th, "a", "new"))),
                     DS_BLOCKED);
    th_take_all(th);
    ck_assert_int_eq(th_run(th, th_find(th, DS_JOB_LOAD, "a")), DS_OK);
    const th_rec *rec = th_last_for(th, 1);
    ck_assert_ptr_nonnull(rec);
    ck_assert_msg(th_val_is(rec->r.sub[0].values[0], "disk"), "parked EXEC's GET lost its value");
    ck_assert(th_val_is(th_peek(th, "a"), "new"));
    th_fini(th);
}
END_TEST

/* ---- expire ---- */

START_TEST(test_expired_value_is_absent) {
    TH_OPEN(th, th_cfg(0));
    ds_value *past = th_valx(th, "p", 0, th->now_us - 1);
    ck_assert_int_eq(th_do(th, 1, th_setv(th, "p", past)), DS_OK);
    ck_assert_int_eq(th_do(th, 1, th_get(th, "p")), DS_OK);
    ck_assert_ptr_null(th->last.values[0]);
    ds_value *soon = th_valx(th, "s", 0, th->now_us + 500);
    ck_assert_int_eq(th_do(th, 1, th_setv(th, "s", soon)), DS_OK);
    ck_assert_int_eq(th_do(th, 1, th_get(th, "s")), DS_OK);
    ck_assert(th_val_is(th->last.values[0], "s"));
    th_advance(th, 500);
    ck_assert_int_eq(th_do(th, 1, TH_EXISTS(th, "s")), DS_OK);
    ck_assert_int_eq(th->last.count, 0);
    ck_assert_int_eq(th_do(th, 1, th_get(th, "s")), DS_OK);
    ck_assert_ptr_null(th->last.values[0]);
    th_run_all(th);
    ck_assert(th_disk_is(th, "s", NULL));
    th_fini(th);
}
END_TEST

START_TEST(test_loaded_value_already_expired_is_absent) {
    TH_OPEN(th, th_cfg(0));
    th_get_blocked(th, 1, "k");
    th_take_all(th);
    ds_value *v = ds_value_new("old", 3, 0, th->now_us - 1);
    ck_assert_int_eq(th_complete_value(th, th->jobs[0], DS_OK, v), DS_OK);
    ck_assert_uint_eq(th_replies_for(th, 1), 1);
    ck_assert_ptr_null(th_last_for(th, 1)->r.values[0]);
    ck_assert_ptr_null(th_peek(th, "k"));
    th_fini(th);
}
END_TEST

/* ---- failed loads ---- */

START_TEST(test_failed_load_replies_io_error_to_every_waiter) {
    TH_OPEN(th, th_cfg(0));
    th_get_blocked(th, 1, "k");
    ck_assert_int_eq(th_do(th, 2, TH_MGET(th, "k", "j")), DS_BLOCKED);
    th_take_all(th);
    ck_assert_int_eq(th_complete(th, th_find(th, DS_JOB_LOAD, "k"), DS_ERR_IO, NULL), DS_OK);
    ck_assert_uint_eq(th_replies_for(th, 1), 1);
    ck_assert_int_eq(th_last_for(th, 1)->r.status, DS_ERR_IO);
    th_run_all(th);
    ck_assert_uint_eq(th_replies_for(th, 2), 1);
    ck_assert_int_eq(th_last_for(th, 2)->r.status, DS_ERR_IO);
    ck_assert_uint_ge(th_stats(th).load_errors, 1);
    ck_assert(!th_neg(th, "k", NULL));
    th_fini(th);
}
END_TEST

START_TEST(test_failed_load_fails_a_parked_exec) {
    TH_OPEN(th, th_cfg(0));
    const ds_cmd *x = TH_EXEC(th, th_get(th, "a"), th_set(th, "b", "nb"));
    ck_assert_int_eq(th_do(th, 1, x), DS_BLOCKED);
    th_take_all(th);
    ck_assert_int_eq(th_complete(th, th_find(th, DS_JOB_LOAD, "a"), DS_ERR_IO, NULL), DS_OK);
    th_run_all(th);
    ck_assert_uint_eq(th_replies_for(th, 1), 1);
    ck_assert_int_eq(th_last_for(th, 1)->r.status, DS_ERR_IO);
    ck_assert_msg(th_peek(th, "b") == NULL, "a failed EXEC applied its SET");
    th_fini(th);
}
END_TEST

/* ---- bad input ---- */

static void assert_arg_error(th_host *th, const ds_cmd *cmd, const char *what) {
    const ds_reply *r = NULL;
    ds_status s = ds_cache_exec(th->cache, 1, 1, cmd, &r);
    ck_assert_msg(s == DS_ERR_ARG, "%s: expected arg error, got %s", what, ds_status_name(s));
    ck_assert_msg(ds_cache_last_error(th->cache)[0] != '\0', "%s: no message", what);
}

START_TEST(test_bad_input_returns_arg_error_with_message) {
    TH_OPEN(th, th_cfg(0));
    static char huge[DS_KEY_MAX_BYTES + 1];
    memset(huge, 'h', sizeof huge);
    ds_key knull = {.p = NULL, .len = 3}, kempty = {.p = "x", .len = 0};
    ds_key khuge = {.p = huge, .len = DS_KEY_MAX_BYTES + 1}, ktwo[2] = {th_key("a"), th_key("b")};
    ds_value *v = th_val(th, "v");
    ds_cmd c = {.op = DS_OP_GET, .nkeys = 1, .keys = &knull};
    assert_arg_error(th, &c, "NULL key");
    c.keys = &kempty;
    assert_arg_error(th, &c, "empty key");
    c.keys = &khuge;
    assert_arg_error(th, &c, "huge key");
    c = (ds_cmd){.op = DS_OP_GET, .nkeys = 1, .keys = NULL};
    assert_arg_error(th, &c, "NULL keys array");
    c = (ds_cmd){.op = DS_OP_GET, .nkeys = 0, .keys = ktwo};
    assert_arg_error(th, &c, "GET without keys");
    c = (ds_cmd){.op = DS_OP_SET, .nkeys = 1, .keys = ktwo};
    assert_arg_error(th, &c, "SET without value");
    c = (ds_cmd){.op = DS_OP_SET, .nkeys = 2, .keys = ktwo, .value = v};
    assert_arg_error(th, &c, "SET with two keys");
    c = (ds_cmd){.op = DS_OP_MGET, .nkeys = DS_MULTI_MAX_KEYS + 1, .keys = ktwo};
    assert_arg_error(th, &c, "MGET over the key limit");
    c = (ds_cmd){.op = (ds_op)99, .nkeys = 1, .keys = ktwo};
    assert_arg_error(th, &c, "unknown op");
    c = (ds_cmd){.op = DS_OP_EXEC, .nsub = 2, .sub = NULL};
    assert_arg_error(th, &c, "EXEC with NULL sub");
    const ds_cmd *inner = TH_EXEC(th, th_get(th, "a"));
    assert_arg_error(th, TH_EXEC(th, th_get(th, "a"), inner), "EXEC in EXEC");
    ds_cmd bad_sub = {.op = DS_OP_GET, .nkeys = 1, .keys = &kempty};
    assert_arg_error(th, TH_EXEC(th, th_set(th, "a", "1"), &bad_sub), "EXEC with a bad sub");
    ck_assert_ptr_null(th_peek(th, "a"));
    ck_assert_uint_eq(th_stats(th).keys, 0);
    ck_assert_uint_eq(th_take_all(th), 0);
    ck_assert_uint_eq(th_stats(th).blocked_clients, 0);
    th_fini(th);
}
END_TEST

START_TEST(test_null_cache_or_cmd_is_arg_error) {
    TH_OPEN(th, th_cfg(0));
    const ds_reply *r = NULL;
    ck_assert_int_eq(ds_cache_exec(NULL, 1, 1, th_get(th, "a"), &r), DS_ERR_ARG);
    ck_assert_int_eq(ds_cache_exec(th->cache, 1, 1, NULL, &r), DS_ERR_ARG);
    ck_assert_str_ne(ds_cache_last_error(th->cache), "");
    th_fini(th);
}
END_TEST

START_TEST(test_key_of_max_length_is_accepted) {
    TH_OPEN(th, th_cfg(0));
    static char big[DS_KEY_MAX_BYTES + 1];
    memset(big, 'b', DS_KEY_MAX_BYTES);
    th_set_ok(th, 1, big, "v");
    ck_assert(th_val_is(th_peek(th, big), "v"));
    th_fini(th);
}
END_TEST

START_TEST(test_value_bigger_than_max_memory_is_toobig) {
    ds_config cfg = th_cfg(0);
    cfg.max_memory_bytes = 1024;
    TH_OPEN(th, cfg);
    ds_value *v = th_valx(th, "v", 4096, 0);
    ck_assert_int_eq(th_do(th, 1, th_setv(th, "k", v)), DS_ERR_TOOBIG);
    ck_assert_str_ne(ds_cache_last_error(th->cache), "");
    ck_assert_ptr_null(th_peek(th, "k"));
    ck_assert_uint_eq(th_take_all(th), 0);
    th_fini(th);
}
END_TEST

START_TEST(test_one_parked_command_per_client) {
    TH_OPEN(th, th_cfg(0));
    th_get_blocked(th, 1, "a");
    ck_assert_int_eq(th_do(th, 1, th_get(th, "b")), DS_ERR_STATE);
    ck_assert_str_ne(ds_cache_last_error(th->cache), "");
    th_get_blocked(th, 2, "b");
    ck_assert_uint_eq(th_stats(th).blocked_clients, 2);
    th_run_all(th);
    ck_assert_uint_eq(th_replies_for(th, 1), 1);
    ck_assert_uint_eq(th_stats(th).blocked_clients, 0);
    th_get_blocked(th, 1, "c");
    th_fini(th);
}
END_TEST

/* Every parked client refuses a second command and every other client may park, however many
 * are parked and in whatever order they resume: the check must not depend on how the core
 * finds a client's parked command (a scan of a few, an index of many). */
static void check_parked_clients(th_host *th, const bool *parked, uint64_t n) {
    uint64_t count = 0;
    for (uint64_t c = 1; c <= n; c++) {
        if (!parked[c]) continue;
        count++;
        ck_assert_msg(th_do(th, c, th_get(th, "other")) == DS_ERR_STATE, "client %llu",
                      (unsigned long long)c);
    }
    ck_assert_uint_eq(th_stats(th).blocked_clients, count);
}

START_TEST(test_one_parked_command_per_client_among_many) {
    enum { N = 40 };
    TH_OPEN(th, th_cfg(0));
    bool parked[N + 1] = {false};
    char key[32];
    size_t replies[N + 1] = {0};
    for (int round = 0; round < 2; round++) {
        for (uint64_t c = 1; c <= N; c++) {
            snprintf(key, sizeof key, "k%d-%llu", round, (unsigned long long)c);
            th_get_blocked(th, c, key);
            parked[c] = true;
            if (c == 1 || c == 5 || c == 9 || c == N) check_parked_clients(th, parked, N);
        }
        /* Resume them newest job first; halfway, park the resumed ones again (the count falls
         * to a few and climbs back while others stay parked). */
        for (uint64_t done = 0; th_stats(th).blocked_clients > 0; done++) {
            th_take_all(th);
            ck_assert_uint_gt(th->njobs, 0);
            ck_assert_int_eq(th_complete(th, th->jobs[th->njobs - 1], DS_OK, "v"), DS_OK);
            for (uint64_t c = 1; c <= N; c++) {
                if (th_replies_for(th, c) == replies[c]) continue;
                ck_assert(parked[c]);
                ck_assert_uint_eq(th_replies_for(th, c), replies[c] + 1);
                replies[c]++;
                parked[c] = false;
            }
            check_parked_clients(th, parked, N);
            if (round == 0 && done == N - 3) {
                for (uint64_t c = 1; c <= N; c++) {
                    if (parked[c]) continue;
                    snprintf(key, sizeof key, "again-%llu", (unsigned long long)c);
                    th_get_blocked(th, c, key);
                    parked[c] = true;
                }
                check_parked_clients(th, parked, N);
            }
        }
        check_parked_clients(th, parked, N);
    }
    th_fini(th);
}
END_TEST

START_TEST(test_host_callbacks_cannot_reenter) {
    TH_OPEN(th, th_cfg(0));
    th->probe_reentry = true;
    th_get_blocked(th, 1, "k");
    th_run_all(th);
    ck_assert_uint_eq(th_replies_for(th, 1), 1);
    ck_assert_uint_ge(th->reentry_probes, 1);
    ck_assert_int_eq(th->reentry_status, DS_ERR_REENTRANT);
    th->probe_reentry = false;
    ck_assert_int_eq(th_do(th, 1, th_get(th, "k")), DS_OK);
    th_fini(th);
}
END_TEST

START_TEST(test_job_done_on_unknown_job_is_state_error) {
    TH_OPEN(th, th_cfg(0));
    ds_job fake;
    memset(&fake, 0, sizeof fake);
    ck_assert_int_ne(ds_cache_job_done(th->cache, &fake), DS_OK);
    ck_assert_int_ne(ds_cache_job_done(th->cache, NULL), DS_OK);
    th_get_blocked(th, 1, "k");
    ck_assert_uint_eq(th_take_all(th), 1);
    th_fini(th);
}
END_TEST

static Suite *commands_suite(void) {
    Suite *s = suite_create("commands");
    TCase *tc = tcase_create("replies");
    tcase_add_test(tc, test_get_of_absent_key_replies_null_after_load);
    tcase_add_test(tc, test_size_hint_reaches_the_load_job);
    tcase_add_test(tc, test_set_replies_count_one_and_get_sees_it);
    tcase_add_test(tc, test_get_with_the_hosts_key_hash_is_the_same_get);
    tcase_add_test(tc, test_get_with_stray_subcommands_is_a_plain_get);
    tcase_add_test(tc, test_set_keeps_callers_reference);
    tcase_add_test(tc, test_del_count_is_keys_in_memory);
    tcase_add_test(tc, test_exists_counts_present_keys);
    tcase_add_test(tc, test_mget_values_follow_key_order);
    suite_add_tcase(s, tc);
    tc = tcase_create("exec");
    tcase_add_test(tc, test_exec_runs_sub_commands_back_to_back);
    tcase_add_test(tc, test_exec_sees_writes_made_while_it_was_parked);
    tcase_add_test(tc, test_exec_with_all_keys_in_memory_answers_at_once);
    tcase_add_test(tc, test_exec_get_reply_owns_the_value_its_own_set_replaces);
    tcase_add_test(tc, test_parked_exec_get_reply_owns_the_value_its_own_set_replaces);
    suite_add_tcase(s, tc);
    tc = tcase_create("expire_and_errors");
    tcase_add_test(tc, test_expired_value_is_absent);
    tcase_add_test(tc, test_loaded_value_already_expired_is_absent);
    tcase_add_test(tc, test_failed_load_replies_io_error_to_every_waiter);
    tcase_add_test(tc, test_failed_load_fails_a_parked_exec);
    suite_add_tcase(s, tc);
    tc = tcase_create("bad_input");
    tcase_add_test(tc, test_bad_input_returns_arg_error_with_message);
    tcase_add_test(tc, test_null_cache_or_cmd_is_arg_error);
    tcase_add_test(tc, test_key_of_max_length_is_accepted);
    tcase_add_test(tc, test_value_bigger_than_max_memory_is_toobig);
    tcase_add_test(tc, test_one_parked_command_per_client);
    tcase_add_test(tc, test_one_parked_command_per_client_among_many);
    tcase_add_test(tc, test_host_callbacks_cannot_reenter);
    tcase_add_test(tc, test_job_done_on_unknown_job_is_state_error);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(commands_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
