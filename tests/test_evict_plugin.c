/*
 * test_evict_plugin.c - the eviction seam: a policy defined in this file (not in core/) plugs
 * in through ds_config.evict_ops exactly as a built-in one does through its table row, and the
 * core honours its victim, calls each callback at the documented moments, and refuses a policy
 * or a parameter string it cannot use.
 *
 * Why: "adding a policy is one file and one row" only holds if the core makes no assumption
 * about the policy beyond ds_evict_ops; a toy policy (evict the most recently inserted key)
 * that no built-in resembles proves the seam carries the decision.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h" /* to look at the policy instance; a policy itself needs only evict.h */
#include "testhost.h"
#include "testmain.h"

/* ---- the toy policy: MRU by insertion order, a stamp in 8 bytes of metadata ---- */

typedef struct toy {
    uint64_t clock;
    uint64_t inserts, accesses, misses, removed, evicted, victims;
} toy;

static ds_status toy_init(ds_evict *ev, const char *params, ds_err *err) {
    if (*params) return ds_err_set(err, DS_ERR_CONFIG, "evict: toy-mru takes no parameters");
    ev->state = calloc(1, sizeof(toy));
    return ev->state ? DS_OK : DS_ERR_NOMEM;
}
static void toy_destroy(ds_evict *ev) { free(ev->state); }
static void toy_miss(ds_evict *ev, const ds_evict_req *rq) {
    (void)rq;
    ((toy *)ev->state)->misses++;
}
static void toy_insert(ds_evict *ev, ds_entry *e, const ds_evict_req *rq) {
    (void)rq;
    toy *t = ev->state;
    t->inserts++;
    *(uint64_t *)ds_evict_meta(e) = ++t->clock;
}
static void toy_access(ds_evict *ev, ds_entry *e, const ds_evict_req *rq) {
    (void)e, (void)rq;
    ((toy *)ev->state)->accesses++;
}
static void toy_remove(ds_evict *ev, ds_entry *e, ds_evict_why why) {
    (void)e;
    toy *t = ev->state;
    if (why == DS_EVICT_WHY_EVICTED)
        t->evicted++;
    else
        t->removed++;
}
static ds_entry *toy_victim(ds_evict *ev, const ds_evict_req *incoming) {
    (void)incoming;
    ((toy *)ev->state)->victims++;
    ds_entry *best = NULL;
    size_t it = 0;
    ds_tnode *n;
    while ((n = ds_table_next(ev->tab, &it))) {
        ds_entry *e = (ds_entry *)n;
        if (ds_evict_busy(ev, e)) continue;
        if (!best || *(uint64_t *)ds_evict_meta(e) > *(uint64_t *)ds_evict_meta(best)) best = e;
    }
    return best;
}

static const ds_evict_ops toy_mru = {
    .version = DS_EVICT_OPS_VERSION,
    .name = "toy-mru",
    .help = "test only: evict the newest key",
    .entry_bytes = 8,
    .init = toy_init,
    .destroy = toy_destroy,
    .on_miss = toy_miss,
    .on_insert = toy_insert,
    .on_access = toy_access,
    .on_remove = toy_remove,
    .victim = toy_victim,
};

static toy *toy_of(th_host *th) { return th->cache->ks.ev.state; }

static void set_key(th_host *th, const char *k) {
    ck_assert_int_eq(th_do(th, 1, th_setv(th, k, th_valx(th, k, 10, 0))), DS_OK);
}

START_TEST(test_policy_from_a_test_file_decides_the_victim) {
    ds_config cfg = th_cfg(0);
    cfg.evict_ops = &toy_mru;
    cfg.max_keys = 3;
    cfg.evict_at = DS_EVICT_AT_INSERT;
    TH_OPEN(th, cfg);
    set_key(th, "a");
    set_key(th, "b");
    set_key(th, "c");
    th_run_all(th);   /* the SAVEs complete: keys are idle again */
    set_key(th, "d"); /* MRU: the newest idle key, c, goes (LRU or FIFO would drop a) */
    ck_assert_ptr_nonnull(th_peek(th, "a"));
    ck_assert_ptr_nonnull(th_peek(th, "b"));
    ck_assert_ptr_null(th_peek(th, "c"));
    ck_assert_ptr_nonnull(th_peek(th, "d"));
    toy *t = toy_of(th);
    ck_assert_uint_eq(t->inserts, 4);
    ck_assert_uint_eq(t->evicted, 1);
    ck_assert_uint_eq(t->victims, 1);
    ck_assert_uint_eq(th_stats(th).evictions, 1);
    th_fini(th);
}
END_TEST

/* One access per request and key: a hit is one on_access, a miss (a GET's, or a SET of an
 * absent key) one on_miss and one on_insert (after the LOAD, for a GET); the parked command
 * running later does not count again. DEL removes, it does not evict. */
START_TEST(test_callbacks_once_per_request) {
    ds_config cfg = th_cfg(0);
    cfg.evict_ops = &toy_mru;
    cfg.max_keys = 1;
    cfg.evict_at = DS_EVICT_AT_INSERT;
    TH_OPEN(th, cfg);
    toy *t = toy_of(th);
    set_key(th, "a");
    th_run_all(th);
    ck_assert_int_eq(th_do(th, 1, th_get(th, "a")), DS_OK);
    ck_assert_uint_eq(t->accesses, 1);
    set_key(th, "b"); /* evicts a */
    th_run_all(th);
    ck_assert_uint_eq(t->evicted, 1);
    ck_assert_uint_eq(t->misses, 2); /* for the policy, a SET of an absent key is a miss */
    ck_assert_int_eq(th_do(th, 2, th_get(th, "a")), DS_BLOCKED);
    ck_assert_uint_eq(t->misses, 3);
    th_run_all(th); /* the LOAD: b goes, a comes back, client 2 is answered */
    ck_assert_ptr_nonnull(th_peek(th, "a"));
    ck_assert_uint_eq(t->inserts, 3);
    ck_assert_uint_eq(t->accesses, 1); /* running the parked GET is not a second access */
    ck_assert_uint_eq(t->misses, 3);
    ck_assert_int_eq(th_do(th, 3, TH_DEL(th, "a")), DS_OK);
    ck_assert_uint_eq(t->removed, 1);
    ck_assert_uint_eq(t->evicted, 2);
    th_fini(th);
}
END_TEST

START_TEST(test_bad_specs_are_config_errors) {
    ds_config cfg;
    ds_config_default(&cfg);
    ds_err err = {{0}};
    ck_assert_int_eq(ds_config_set(&cfg, "evict", "nope", &err), DS_ERR_CONFIG);
    ck_assert_msg(strstr(err.msg, "unknown policy 'nope'") && strstr(err.msg, "lru-exact"), "%s",
                  err.msg);
    ck_assert_int_eq(ds_config_set(&cfg, "evict", "lru-exact:x=1", &err), DS_ERR_CONFIG);
    ck_assert_msg(strstr(err.msg, "no parameter 'x'"), "%s", err.msg);
    ck_assert_str_eq(cfg.evict, "lru-sampled"); /* unchanged after a bad value */
    ck_assert_int_eq(ds_config_set(&cfg, "evict", "lru-exact", &err), DS_OK);
    ck_assert_str_eq(cfg.evict, "lru-exact");
    ds_evict_ops bad = toy_mru;
    bad.version = 99;
    cfg.evict_ops = &bad;
    ck_assert_int_eq(ds_config_validate(&cfg, &err), DS_ERR_CONFIG);
    ck_assert_msg(strstr(err.msg, "version 99"), "%s", err.msg);
}
END_TEST

/* on_remove is optional (evict.h): a policy whose metadata lives only in the entry leaves it
 * out, and its keys are still evicted and removed; a required callback left out is refused. */
START_TEST(test_on_remove_is_optional) {
    ds_evict_ops quiet = toy_mru;
    quiet.on_remove = NULL;
    ds_config cfg = th_cfg(0);
    cfg.evict_ops = &quiet;
    cfg.max_keys = 2;
    cfg.evict_at = DS_EVICT_AT_INSERT;
    TH_OPEN(th, cfg);
    set_key(th, "a");
    set_key(th, "b");
    th_run_all(th);
    set_key(th, "c"); /* evicts b, the newest idle key */
    th_run_all(th);
    ck_assert_ptr_null(th_peek(th, "b"));
    ck_assert_uint_eq(th_stats(th).evictions, 1);
    ck_assert_int_eq(th_do(th, 2, TH_DEL(th, "a")), DS_OK);
    ck_assert_ptr_null(th_peek(th, "a"));
    ck_assert_ptr_nonnull(th_peek(th, "c"));
    ck_assert_uint_eq(th_stats(th).keys, 1);
    th_fini(th);
    ds_evict_ops blind = toy_mru;
    blind.victim = NULL;
    ds_config bad;
    ds_config_default(&bad);
    bad.evict_ops = &blind;
    ds_err err = {{0}};
    ck_assert_int_eq(ds_config_validate(&bad, &err), DS_ERR_CONFIG);
    ck_assert_msg(strstr(err.msg, "lacks a callback"), "%s", err.msg);
}
END_TEST

START_TEST(test_every_builtin_is_described_and_loads) {
    const char *name, *help;
    size_t n = 0;
    for (; ds_evict_policy_describe(n, &name, &help); n++) {
        ck_assert_msg(help && *help, "%s has no help", name);
        ds_config cfg;
        ds_config_default(&cfg);
        ds_err err = {{0}};
        ck_assert_msg(ds_config_set(&cfg, "evict", name, &err) == DS_OK, "%s", err.msg);
        cfg.max_keys = 2;
        th_host s, *th = &s;
        th_init(th);
        th_open(th, &cfg);
        th_fini(th);
    }
    ck_assert_uint_ge(n, 2);
}
END_TEST

int main(void) {
    Suite *s = suite_create("evict_plugin");
    TCase *tc = tcase_create("seam");
    tcase_add_test(tc, test_policy_from_a_test_file_decides_the_victim);
    tcase_add_test(tc, test_callbacks_once_per_request);
    tcase_add_test(tc, test_bad_specs_are_config_errors);
    tcase_add_test(tc, test_on_remove_is_optional);
    tcase_add_test(tc, test_every_builtin_is_described_and_loads);
    suite_add_tcase(s, tc);
    return ds_test_run(s);
}
