/*
 * testhost.c - the controllable host used by the core's rule suites (see testhost.h).
 *
 * Why it looks the way it does: the core never reads a clock and never runs IO itself, so a
 * test that owns now_us() and the job list can replay any interleaving exactly, including the
 * adversarial ones (completions in reverse order, a write landing while a LOAD is in flight).
 * Replies are deep-copied with value references because ds_reply is only borrowed for the
 * duration of host.reply.
 */
#include "testhost.h"

#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- pool: every allocation a test makes through the host, freed at th_fini ---- */

typedef struct th_blk {
    struct th_blk *next;
    ds_value *value; /* a value reference owned by the block, or NULL */
    _Alignas(max_align_t) unsigned char data[];
} th_blk;

static void *th_alloc(th_host *th, size_t size_bytes, ds_value *owned) {
    th_blk *b = calloc(1, sizeof *b + size_bytes);
    ck_assert_msg(b != NULL, "testhost: out of memory");
    b->next = th->pool;
    b->value = owned;
    th->pool = b;
    return b->data;
}

static void th_pool_free(th_host *th) {
    th_blk *b = th->pool;
    while (b) {
        th_blk *next = b->next;
        ds_value_unref(b->value);
        free(b);
        b = next;
    }
    th->pool = NULL;
}

/* ---- reply copies ---- */

static void th_reply_free(th_reply *r) {
    if (r->values) {
        for (uint32_t i = 0; i < r->n; i++)
            ds_value_unref(r->values[i]);
        free(r->values);
    }
    if (r->sub) {
        for (uint32_t i = 0; i < r->nsub; i++)
            th_reply_free(&r->sub[i]);
        free(r->sub);
    }
    memset(r, 0, sizeof *r);
}

static void th_reply_copy(th_reply *dst, const ds_reply *src) {
    memset(dst, 0, sizeof *dst);
    dst->status = src->status;
    dst->op = src->op;
    dst->n = src->n;
    dst->count = src->count;
    if (src->values && src->n > 0) {
        dst->values = calloc(src->n, sizeof *dst->values);
        ck_assert(dst->values != NULL);
        for (uint32_t i = 0; i < src->n; i++)
            dst->values[i] = ds_value_ref(src->values[i]);
    }
    if (src->sub && src->n > 0) {
        dst->nsub = src->n;
        dst->sub = calloc(src->n, sizeof *dst->sub);
        ck_assert(dst->sub != NULL);
        for (uint32_t i = 0; i < src->n; i++)
            th_reply_copy(&dst->sub[i], &src->sub[i]);
    }
}

/* ---- host callbacks ---- */

static int64_t th_cb_now(void *ctx) { return ((th_host *)ctx)->now_us; }

/* Try a call into the cache from inside a callback; it must be refused. */
static void th_probe(th_host *th) {
    if (!th->probe_reentry || !th->cache) return;
    th->reentry_probes++;
    const ds_reply *r = NULL;
    ds_key k = th_key("reentry-probe");
    ds_cmd cmd = {.op = DS_OP_GET, .nkeys = 1, .keys = &k};
    th->reentry_status = ds_cache_exec(th->cache, 999999, 0, &cmd, &r);
}

static void th_cb_jobs_ready(void *ctx) {
    th_host *th = ctx;
    th->jobs_ready++;
    th_probe(th);
}

static void th_cb_reply(void *ctx, uint64_t client, uint64_t tag, const ds_reply *r) {
    th_host *th = ctx;
    ck_assert_msg(r != NULL, "host.reply called with a NULL reply");
    if (th->nrecs == th->caprecs) {
        size_t cap = th->caprecs ? th->caprecs * 2 : 16;
        th_rec *n = realloc(th->recs, cap * sizeof *n);
        ck_assert(n != NULL);
        th->recs = n;
        th->caprecs = cap;
    }
    th_rec *rec = &th->recs[th->nrecs];
    rec->client = client;
    rec->tag = tag;
    rec->seq = th->nrecs;
    th_reply_copy(&rec->r, r);
    th->nrecs++;
    th_probe(th);
}

static ds_job *th_unlist(th_host *th, ds_job *job) {
    for (size_t i = 0; i < th->njobs; i++) {
        if (th->jobs[i] != job) continue;
        memmove(&th->jobs[i], &th->jobs[i + 1], (th->njobs - i - 1) * sizeof th->jobs[0]);
        th->njobs--;
        return job;
    }
    ck_abort_msg("testhost: job %p is not in the taken list", (void *)job);
    return NULL;
}

/* The oldest job in flight is the first taken one; if none is taken, the oldest new one. */
static bool th_cb_wait_io(void *ctx) {
    th_host *th = ctx;
    th->wait_io_calls++;
    if (th->wait_io_refuse) return false;
    ds_job *job = th->njobs > 0 ? th->jobs[0] : ds_cache_job_take(th->cache);
    if (!job) return false;
    if (th->njobs == 0) th->jobs[th->njobs++] = job;
    ds_status s = th_run(th, job);
    ck_assert_msg(s == DS_OK, "wait_io: ds_cache_job_done returned %s", ds_status_name(s));
    th->wait_io_done++;
    return true;
}

/* ---- lifecycle and clock ---- */

void th_init(th_host *th) {
    memset(th, 0, sizeof *th);
    ds_err err = {{0}};
    th->backend = ds_backend_mem_new(&err);
    ck_assert_msg(th->backend != NULL, "ds_backend_mem_new: %s", err.msg);
    th->host.ctx = th;
    th->host.now_us = th_cb_now;
    th->host.jobs_ready = th_cb_jobs_ready;
    th->host.reply = th_cb_reply;
    th->host.wait_io = th_cb_wait_io;
    th->now_us = 1000000; /* start at 1 s so "expire in the past" is easy to express */
}

ds_cache *th_open(th_host *th, const ds_config *cfg) {
    ds_config def;
    if (!cfg) ds_config_default(&def);
    if (cfg) def = *cfg;
    /* DSLAB_TEST_IO_POLICY runs every suite under another IO policy (scripts/test-policies.sh):
     * the safety rules must hold under all. A test about the seed's own order pins it. */
    const char *pol = getenv("DSLAB_TEST_IO_POLICY");
    if (pol && *pol && !th->pin_io_policy && !strcmp(def.io_policy, "seed")) {
        ds_err perr;
        ck_assert_msg(ds_config_set(&def, "io-policy", pol, &perr) == DS_OK, "%s", perr.msg);
    }
    ds_err err = {{0}};
    th->cache = ds_cache_new(&def, &th->host, &err);
    ck_assert_msg(th->cache != NULL, "ds_cache_new: %s", err.msg);
    return th->cache;
}

ds_config th_cfg(int64_t flush_delay_ms) {
    ds_config c;
    ds_config_default(&c);
    c.flush_delay_ms = flush_delay_ms;
    return c;
}

void th_no_wait_io(th_host *th) { th->host.wait_io = NULL; }

void th_fini(th_host *th) {
    if (th->cache) ds_cache_free(th->cache); /* frees jobs still in flight */
    th->cache = NULL;
    th->njobs = 0;
    for (size_t i = 0; i < th->nrecs; i++)
        th_reply_free(&th->recs[i].r);
    free(th->recs);
    th->recs = NULL;
    th->nrecs = th->caprecs = 0;
    th_reply_free(&th->last);
    th_pool_free(th);
    for (size_t i = 0; i < th->nhandoff; i++)
        ds_value_unref(th->handoff[i]);
    free(th->handoff);
    th->handoff = NULL;
    th->nhandoff = th->caphandoff = 0;
    ds_backend_close(th->backend);
    th->backend = NULL;
}

void th_set_now(th_host *th, int64_t now_us) {
    ck_assert_msg(now_us >= th->now_us, "testhost: the clock must not go back");
    th->now_us = now_us;
}

void th_advance(th_host *th, int64_t delta_us) { th_set_now(th, th->now_us + delta_us); }

void th_advance_ms(th_host *th, int64_t delta_ms) { th_advance(th, delta_ms * 1000); }

/* ---- values and commands ---- */

ds_value *th_valx(th_host *th, const char *s, uint64_t size_bytes, int64_t expire_us) {
    ds_value *v = ds_value_new(s, (uint32_t)strlen(s), size_bytes, expire_us);
    ck_assert_msg(v != NULL, "ds_value_new failed");
    th_alloc(th, 0, v);
    return v;
}

ds_value *th_val(th_host *th, const char *s) { return th_valx(th, s, 0, 0); }

bool th_val_is(const ds_value *v, const char *s) {
    size_t n = strlen(s);
    return v != NULL && v->len == n && memcmp(v->data, s, n) == 0;
}

ds_key th_key(const char *s) {
    ds_key k = {.p = s, .len = (uint32_t)strlen(s)};
    return k;
}

static ds_cmd *th_cmd_new(th_host *th, ds_op op, uint32_t nkeys) {
    ds_cmd *cmd = th_alloc(th, sizeof(ds_cmd) + nkeys * sizeof(ds_key), NULL);
    cmd->op = op;
    cmd->nkeys = nkeys;
    cmd->keys = nkeys ? (const ds_key *)(cmd + 1) : NULL;
    return cmd;
}

const ds_cmd *th_get(th_host *th, const char *key) {
    return th_keys_cmd_(th, DS_OP_GET, key, (const char *)0);
}

const ds_cmd *th_setv(th_host *th, const char *key, ds_value *v) {
    ds_cmd *cmd = th_cmd_new(th, DS_OP_SET, 1);
    ((ds_key *)(cmd + 1))[0] = th_key(key);
    cmd->value = v;
    return cmd;
}

/* The host's reference to a th_set value, released by th_release_handoff. */
static ds_value *th_handoff(th_host *th, const char *s) {
    if (th->nhandoff == th->caphandoff) {
        size_t cap = th->caphandoff ? th->caphandoff * 2 : 16;
        ds_value **n = realloc(th->handoff, cap * sizeof *n);
        ck_assert(n != NULL);
        th->handoff = n;
        th->caphandoff = cap;
    }
    ds_value *v = ds_value_new(s, (uint32_t)strlen(s), 0, 0);
    ck_assert_msg(v != NULL, "ds_value_new failed");
    th->handoff[th->nhandoff++] = v;
    return v;
}

const ds_cmd *th_set(th_host *th, const char *key, const char *val) {
    return th_setv(th, key, th_handoff(th, val));
}

/* Drop the host's reference to v if th_set made it (once). */
static void th_release_value(th_host *th, ds_value *v) {
    for (size_t i = 0; v && i < th->nhandoff; i++) {
        if (th->handoff[i] != v) continue;
        ds_value_unref(v);
        th->handoff[i] = th->handoff[--th->nhandoff];
        return;
    }
}

static void th_release_handoff(th_host *th, const ds_cmd *cmd) {
    if (cmd->op == DS_OP_SET) th_release_value(th, cmd->value);
    for (uint32_t i = 0; cmd->op == DS_OP_EXEC && i < cmd->nsub; i++)
        th_release_value(th, cmd->sub[i].op == DS_OP_SET ? cmd->sub[i].value : NULL);
}

const ds_cmd *th_keys_cmd_(th_host *th, ds_op op, const char *first, ...) {
    va_list ap;
    uint32_t n = 0;
    va_start(ap, first);
    for (const char *k = first; k; k = va_arg(ap, const char *))
        n++;
    va_end(ap);
    ds_cmd *cmd = th_cmd_new(th, op, n);
    ds_key *keys = (ds_key *)(cmd + 1);
    va_start(ap, first);
    uint32_t i = 0;
    for (const char *k = first; k; k = va_arg(ap, const char *))
        keys[i++] = th_key(k);
    va_end(ap);
    return cmd;
}

const ds_cmd *th_exec_(th_host *th, const ds_cmd *first, ...) {
    va_list ap;
    uint32_t n = 0;
    va_start(ap, first);
    for (const ds_cmd *c = first; c; c = va_arg(ap, const ds_cmd *))
        n++;
    va_end(ap);
    ds_cmd *cmd = th_alloc(th, sizeof(ds_cmd) * (1 + (size_t)n), NULL);
    ds_cmd *sub = cmd + 1;
    va_start(ap, first);
    uint32_t i = 0;
    for (const ds_cmd *c = first; c; c = va_arg(ap, const ds_cmd *))
        sub[i++] = *c;
    va_end(ap);
    cmd->op = DS_OP_EXEC;
    cmd->nsub = n;
    cmd->sub = sub;
    return cmd;
}

ds_status th_do_tag(th_host *th, uint64_t client, uint64_t tag, const ds_cmd *cmd) {
    const ds_reply *r = NULL;
    ds_status s = ds_cache_exec(th->cache, client, tag, cmd, &r);
    th_reply_free(&th->last);
    if (s == DS_OK) {
        ck_assert_msg(r != NULL, "ds_cache_exec returned ok without a reply");
        th_reply_copy(&th->last, r);
    }
    th_release_handoff(th, cmd);
    return s;
}

ds_status th_do(th_host *th, uint64_t client, const ds_cmd *cmd) {
    return th_do_tag(th, client, ++th->next_tag, cmd);
}

void th_set_ok(th_host *th, uint64_t client, const char *key, const char *val) {
    ds_status s = th_do(th, client, th_set(th, key, val));
    ck_assert_msg(s == DS_OK, "SET %s: %s (%s)", key, ds_status_name(s),
                  ds_cache_last_error(th->cache));
}

void th_get_blocked(th_host *th, uint64_t client, const char *key) {
    ds_status s = th_do(th, client, th_get(th, key));
    ck_assert_msg(s == DS_BLOCKED, "GET %s: expected blocked, got %s", key, ds_status_name(s));
}

/* ---- jobs ---- */

size_t th_take_all(th_host *th) {
    size_t n = 0;
    for (ds_job *j; (j = ds_cache_job_take(th->cache)) != NULL; n++) {
        ck_assert_msg(th->njobs < TH_MAX_JOBS, "testhost: too many jobs taken");
        th->jobs[th->njobs++] = j;
    }
    return n;
}

static bool th_key_eq(const ds_job *j, const char *key) {
    size_t n = strlen(key);
    return j->keylen == n && memcmp(j->key, key, n) == 0;
}

ds_job *th_find(th_host *th, ds_job_type type, const char *key) {
    for (size_t i = 0; i < th->njobs; i++) {
        if (th->jobs[i]->type == type && th_key_eq(th->jobs[i], key)) return th->jobs[i];
    }
    return NULL;
}

size_t th_count(th_host *th, int type, const char *key) {
    size_t n = 0;
    for (size_t i = 0; i < th->njobs; i++) {
        const ds_job *j = th->jobs[i];
        if ((type < 0 || (int)j->type == type) && (!key || th_key_eq(j, key))) n++;
    }
    return n;
}

ds_status th_complete(th_host *th, ds_job *job, ds_status result, const char *val) {
    ck_assert_msg(job != NULL, "th_complete: no such job");
    th_unlist(th, job);
    job->result = result;
    if (job->type == DS_JOB_LOAD) {
        job->value = NULL;
        if (result == DS_OK && val) {
            job->value = ds_value_new(val, (uint32_t)strlen(val), 0, 0);
            ck_assert(job->value != NULL);
        }
    }
    return ds_cache_job_done(th->cache, job);
}

ds_status th_complete_value(th_host *th, ds_job *job, ds_status result, ds_value *owned) {
    ck_assert_msg(job != NULL, "th_complete_value: no such job");
    th_unlist(th, job);
    job->result = result;
    job->value = owned;
    return ds_cache_job_done(th->cache, job);
}

ds_status th_complete_ok(th_host *th, ds_job *job) { return th_complete(th, job, DS_OK, NULL); }

ds_status th_run(th_host *th, ds_job *job) {
    ck_assert_msg(job != NULL, "th_run: no such job");
    th_unlist(th, job);
    ds_call call = {0};
    ds_job_run(th->backend, job, &call);
    return ds_cache_job_done(th->cache, job);
}

size_t th_run_all(th_host *th) {
    size_t ran = 0;
    for (int guard = 0; guard < 1000000; guard++) {
        th_take_all(th);
        if (th->njobs == 0) return ran;
        ds_status s = th_run(th, th->jobs[0]);
        ck_assert_msg(s == DS_OK, "th_run_all: job_done returned %s", ds_status_name(s));
        ran++;
    }
    ck_abort_msg("th_run_all: jobs never stop coming");
    return ran;
}

uint64_t th_in_flight(th_host *th) {
    ds_stats st = th_stats(th);
    return st.jobs_new + st.jobs_processing;
}

bool th_jobs_distinct_keys(const th_host *th) {
    for (size_t i = 0; i < th->njobs; i++) {
        for (size_t j = i + 1; j < th->njobs; j++) {
            const ds_job *a = th->jobs[i], *b = th->jobs[j];
            if (a->keylen == b->keylen && memcmp(a->key, b->key, a->keylen) == 0) return false;
        }
    }
    return true;
}

/* ---- backend ---- */

void th_disk_put(th_host *th, const char *key, const char *val) {
    ds_value *v = ds_value_new(val, (uint32_t)strlen(val), 0, 0);
    ds_call call = {0};
    ds_err err = {{0}};
    ds_status s = th->backend->ops->set(th->backend, &call, key, (uint32_t)strlen(key), v, &err);
    ds_value_unref(v);
    ck_assert_msg(s == DS_OK, "backend set %s: %s", key, err.msg);
}

bool th_disk_is(th_host *th, const char *key, const char *val) {
    ds_value *v = NULL;
    ds_call call = {0};
    ds_err err = {{0}};
    ds_status s = th->backend->ops->get(th->backend, &call, key, (uint32_t)strlen(key), &v, &err);
    bool ok = val ? (s == DS_OK && th_val_is(v, val)) : (s == DS_NOT_FOUND);
    ds_value_unref(v);
    return ok;
}

/* ---- inspection ---- */

unsigned th_flags(th_host *th, const char *key) {
    return ds_cache_key_flags(th->cache, key, (uint32_t)strlen(key));
}

const ds_value *th_peek(th_host *th, const char *key) {
    return ds_cache_peek(th->cache, key, (uint32_t)strlen(key));
}

bool th_neg(th_host *th, const char *key, bool *pinned) {
    bool p = false;
    bool absent = ds_cache_neg_peek(th->cache, key, (uint32_t)strlen(key), &p);
    if (pinned) *pinned = p;
    return absent;
}

ds_stats th_stats(th_host *th) {
    ds_stats st;
    memset(&st, 0, sizeof st);
    ds_cache_stats(th->cache, &st);
    return st;
}

uint64_t th_entry_bytes(const char *key, uint64_t size_bytes) {
    return strlen(key) + size_bytes + ds_cache_entry_overhead_bytes();
}

size_t th_replies_for(const th_host *th, uint64_t client) {
    size_t n = 0;
    for (size_t i = 0; i < th->nrecs; i++)
        n += th->recs[i].client == client;
    return n;
}

const th_rec *th_last_for(const th_host *th, uint64_t client) {
    for (size_t i = th->nrecs; i > 0; i--) {
        if (th->recs[i - 1].client == client) return &th->recs[i - 1];
    }
    return NULL;
}
