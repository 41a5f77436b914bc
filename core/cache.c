/*
 * cache.c - the diskstore cache: construction, commands, lookups and writes, and the
 * scheduler's environment (ds_sched_env: the only way sched.c sees the cache).
 *
 * A read (GET, EXISTS, MGET) is answered at once when every key it names is either in memory or
 * known absent (rule 1). Otherwise the command is parked (cache_io.c) and LOADs are scheduled;
 * it runs for real only when all its keys have been resolved, so it runs exactly once.
 * A write (SET, DEL, expiry) changes memory at once and schedules one SAVE per key (rule 2); the
 * SAVE reads the value when it is pushed, not now, so writes inside the flush delay coalesce.
 * EXEC preloads the keys of all its sub-commands and then runs them back to back (rule 9).
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"

#define PARKED_SLOTS_MIN 16u /* parked clients table: initial slots */
#define REPLY_VALS_MIN   16u /* immediate reply: initial value slots */

int64_t ds_now(ds_cache *c) { return c->host.now_us(c->host.ctx); }

ds_status ds_fail(ds_cache *c, ds_status st, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err.msg, sizeof c->err.msg, fmt, ap);
    va_end(ap);
    return st;
}

const char *ds_cache_last_error(const ds_cache *c) { return c ? c->err.msg : "no cache"; }

/* ---- the scheduler's environment: all it sees of the cache ---- */

static void env_jobs_ready(void *ctx) {
    ds_cache *c = ctx;
    c->in_callback++;
    c->host.jobs_ready(c->host.ctx);
    c->in_callback--;
}

static ds_value *env_save_value(void *ctx, const ds_ioent *io) {
    ds_cache *c __attribute__((unused)) = ctx; /* for the assert */
    ds_entry *e = io->ent;
    assert(e == ds_ks_find(&c->ks, io->node.hash, io->key, io->node.keylen));
    assert(!e || e->io == io); /* a live ioent is linked from its entry */
    return e ? ds_value_ref(e->val) : NULL;
}

/* Keep a SAVE queued: a bounded drain gave up on its key, or (drain-snapshot, an experiment
 * that breaks rule 10) it was scheduled after the drain began, by a client the drain's own
 * LOADs resumed. */
static bool env_save_held(void *ctx, const ds_ioent *io) {
    const ds_cache *c = ctx;
    if (c->cfg.drain_snapshot && c->asap && io->save.seq >= c->drain_seq0) return true;
    return ds_c_drain_gave_up(ctx, io);
}

static ds_status sched_open(ds_cache *c, uint64_t seed, ds_err *err) {
    const char *spec = c->cfg.io_policy;
    size_t len = strcspn(spec, ":");
    const ds_sched_policy *pol = c->cfg.io_policy_ops;
    if (!pol) pol = ds_sched_policy_find(spec, len);
    if (!pol) return ds_err_set(err, DS_ERR_CONFIG, "io-policy: unknown policy '%s'", spec);
    ds_sched_env env = {.ctx = c,
                        .now_us = c->host.now_us,
                        .now_ctx = c->host.ctx,
                        .jobs_ready = c->host.jobs_ready ? env_jobs_ready : NULL,
                        .save_value = env_save_value,
                        .save_held = env_save_held,
                        .cfg = &c->cfg,
                        .st = &c->st,
                        .err = &c->err};
    ds_status st = ds_sched_init(&c->sched, &env, pol, spec[len] ? spec + len + 1 : "", seed);
    if (st != DS_OK) ds_err_set(err, st, "ds_cache_new: %s", c->err.msg);
    return st;
}

/* The key's ioent, created if needed and linked from its keyspace entry. NULL on OOM. */
ds_ioent *ds_c_io_get(ds_cache *c, uint64_t h, const void *key, uint32_t len) {
    bool created;
    ds_ioent *io = ds_sched_get(&c->sched, h, key, len, &created);
    if (!io || !created) return io;
    ds_entry *e = ds_ks_find(&c->ks, h, key, len);
    if (e) ds_c_link_io(e, io);
    return io;
}

/* The same for a caller that just looked the key up: e is ds_ks_find's answer. */
ds_ioent *ds_c_io_get_for(ds_cache *c, uint64_t h, const void *key, uint32_t len, ds_entry *e) {
    assert(e == ds_ks_find(&c->ks, h, key, len));
    ds_ioent *io;
    if (e && e->io) return e->io;              /* a cached key's ioent is linked from its entry */
    if (e || ds_sched_count(&c->sched) == 0) { /* then it has none: no lookup */
        io = ds_sched_new(&c->sched, h, key, len);
        if (io && e) ds_c_link_io(e, io);
        return io;
    }
    bool created;
    io = ds_sched_get(&c->sched, h, key, len, &created);
    assert(!io || io->ent == NULL);
    return io;
}

void ds_c_io_free(ds_cache *c, ds_ioent *io) {
    assert(ds_sched_idle(io));
    ds_entry *e = io->ent;
    assert(e == ds_ks_find(&c->ks, io->node.hash, io->key, io->node.keylen));
    assert(!e || e->io == io);
    if (e) e->io = NULL;
    ds_sched_release(&c->sched, io);
}

void ds_c_pump_queued(ds_cache *c, bool asap) {
    asap = asap || c->asap;
    if (!asap && c->bug.on && ds_buggify_fire(&c->bug, DS_BUG_PUMP_SKIP)) return; /* later */
    if (!c->sched.q.head && !c->sched.held.head) return; /* nothing queued: the common case */
    ds_sched_pump(&c->sched, asap);
}

/* negcache-on-evict (an experiment that breaks rule 8): the 2011 bug, where eviction went
 * through dbDelete, which marked the key absent; the next GET answers "absent" with no IO. */
static void neg_on_evict(void *ctx, const ds_entry *e) {
    ds_c_neg_set(ctx, e->node.hash, e->node.key, e->node.keylen, false);
}

ds_cache *ds_cache_new(const ds_config *cfg, const ds_host *host, ds_err *err) {
    if (!cfg || !host || !host->now_us || !host->reply) {
        ds_err_set(err, DS_ERR_ARG,
                   "ds_cache_new: config and a host with now_us and reply "
                   "are required");
        return NULL;
    }
    if (ds_config_validate(cfg, err) != DS_OK) return NULL;
    ds_cache *c = calloc(1, sizeof *c);
    if (!c) {
        ds_err_set(err, DS_ERR_NOMEM, "ds_cache_new: out of memory");
        return NULL;
    }
    c->cfg = *cfg;
    c->host = *host;
    ds_rng_seed(&c->rng, cfg->seed);
    uint64_t hseed = ds_rng_next(&c->rng);
    ds_status st = sched_open(c, hseed, err);
    if (st != DS_OK || ds_ks_init(&c->ks, cfg, &c->rng, hseed, err) != DS_OK) {
        ds_cache_free(c);
        return NULL;
    }
    if (ds_neg_init(&c->neg, hseed) != DS_OK ||
        ds_table_init(&c->parked, PARKED_SLOTS_MIN, hseed) != DS_OK ||
        (c->imm.vals = calloc(REPLY_VALS_MIN, sizeof *c->imm.vals)) == NULL) {
        ds_cache_free(c);
        ds_err_set(err, DS_ERR_NOMEM, "ds_cache_new: out of memory");
        return NULL;
    }
    c->imm.vals_cap = REPLY_VALS_MIN;
    ds_buggify_init(&c->bug, cfg->buggify, cfg->seed);
    if (cfg->negcache_on_evict) {
        c->ks.on_evict = neg_on_evict;
        c->ks.on_evict_ctx = c;
    }
    return c;
}

static void free_parked(ds_cache *c) {
    for (ds_parked *p = c->parked_list, *next; p; p = next) {
        next = p->next;
        if (p->cmd.op == DS_OP_SET) ds_value_unref(p->cmd.value);
        for (uint32_t i = 0; i < p->cmd.nsub; i++)
            if (p->subs[i].op == DS_OP_SET) ds_value_unref(p->subs[i].value);
        ds_slab_free(&c->slab, p, p->alloc_bytes);
    }
    ds_table_free(&c->parked);
}

void ds_cache_free(ds_cache *c) {
    if (!c) return;
    if (c->parked.slots) free_parked(c);
    ds_sched_free(&c->sched);
    if (c->neg.tab.slots) ds_neg_free(&c->neg);
    if (c->ks.tab.slots) ds_ks_free(&c->ks);
    ds_c_reply_release(&c->imm);
    ds_c_reply_release(&c->res);
    free(c->imm.vals);
    free(c->imm.subs);
    free(c->res.vals);
    free(c->res.subs);
    ds_slab_destroy(&c->slab);
    free(c);
}

static bool expired(ds_cache *c, const ds_entry *e) {
    return e->expire_us != 0 && e->expire_us <= ds_now(c);
}

void ds_c_neg_set(ds_cache *c, uint64_t h, const void *key, uint32_t len, bool pinned) {
    if (!c->cfg.negcache) return;
    if (ds_neg_set(&c->neg, h, key, len, pinned) != DS_OK) return; /* an optimisation only */
    while (c->neg.tab.count > c->cfg.negcache_max) {
        if (!ds_neg_evict_one(&c->neg, &c->rng, c->cfg.evict_samples)) break;
        c->st.neg_evictions++;
    }
}

/* Expiry is a write: remove from memory, pin the key absent, schedule the disk delete. */
static void expire_entry(ds_cache *c, ds_entry *e) {
    uint64_t h = e->node.hash;
    uint32_t len = e->node.keylen;
    unsigned char kbuf[DS_KEY_MAX_BYTES];
    memcpy(kbuf, e->node.key, len);
    c->st.expired++;
    ds_status st = ds_c_write(c, h, kbuf, len, NULL, NULL);
    /* A delete fails only for memory (the key's ioent): then no disk delete is scheduled,
     * which is harmless: the stored value carries its expire time, and a LOAD of it answers
     * "not found" (ds_c_load_done). */
    assert(st == DS_OK || st == DS_ERR_NOMEM);
    if (st != DS_OK) c->st.expire_deletes_dropped++;
}

/* count: this is the request's own look at the key (a read seen for the first time): count the
 * hit or miss and tell the eviction policy, once per request and key. Later looks (a parked
 * command running, expiry sampling, an EXEC's write keys) are silent. */
ds_lookup ds_c_lookup(ds_cache *c, uint64_t h, const void *key, uint32_t len, ds_entry **out,
                      bool count) {
    return ds_c_lookup_at(c, ds_ks_find(&c->ks, h, key, len), h, key, len, out, count);
}

ds_lookup ds_c_lookup_at(ds_cache *c, ds_entry *e, uint64_t h, const void *key, uint32_t len,
                         ds_entry **out, bool count) {
    assert(e == ds_ks_find(&c->ks, h, key, len));
    if (e && expired(c, e)) {
        expire_entry(c, e);
        e = NULL;
        if (count) c->st.neg_hits++;
        *out = NULL;
        return LK_ABSENT;
    }
    *out = e;
    if (e) {
        if (count) {
            ds_evict_req rq = {h, key, len, c->next_access};
            ds_ks_touch(&c->ks, e, &rq);
            c->st.hits++;
        }
        return LK_HIT;
    }
    if (ds_c_neg_find(c, h, key, len)) {
        if (count) c->st.neg_hits++;
        return LK_ABSENT;
    }
    if (count) {
        ds_evict_req rq = {h, key, len, c->next_access};
        ds_ks_miss(&c->ks, &rq);
        c->st.misses++;
    }
    return LK_MISS;
}

ds_entry *ds_c_put(ds_cache *c, uint64_t h, const void *key, uint32_t len, ds_value *v,
                   int64_t next_access) {
    ds_entry *e = NULL;
    ds_evict_req rq = {h, key, len, next_access};
    if (ds_ks_set(&c->ks, h, key, len, v, &rq, &e) != DS_OK) return NULL;
    if (!e->io) { /* a new entry: re-link the key's live ioent */
        ds_ioent *io = ds_sched_find(&c->sched, h, key, len);
        if (io) ds_c_link_io(e, io);
    }
    assert(e->io == ds_sched_find(&c->sched, h, key, len));
    ds_negent *n = ds_c_neg_find(c, h, key, len);
    if (n) ds_neg_del(&c->neg, n);
    return e;
}

/* SET (v != NULL) or DEL (v == NULL) of one key; rule 2 and rule 7. */
ds_status ds_c_write(ds_cache *c, uint64_t h, const void *key, uint32_t len, ds_value *v,
                     bool *was_present) {
    ds_entry *e = ds_ks_find(&c->ks, h, key, len);
    if (was_present) *was_present = e && !expired(c, e);
    if (v) {
        uint64_t charge = ds_ks_charge(len, v);
        if (c->cfg.max_memory_bytes && charge > c->cfg.max_memory_bytes)
            return ds_fail(c, DS_ERR_TOOBIG, "value of %llu bytes exceeds cache-max-memory",
                           (unsigned long long)v->size_bytes);
        ds_evict_req in = {h, key, len, c->next_access, charge};
        if (!e) ds_ks_miss(&c->ks, &in); /* for the policy a SET of an absent key is a miss */
        if (c->cfg.evict_at == DS_EVICT_AT_INSERT) {
            uint64_t old = e ? ds_ks_charge(len, e->val) : 0;
            ds_status st =
                ds_c_reclaim(c, charge > old ? charge - old : 0, e ? 0 : 1, &in, ds_c_can_wait(c));
            /* The key being overwritten may itself have been the victim (e now dangles): the
             * SET is an insert after all and needs room for all of it. */
            if (st == DS_OK && e && !ds_ks_find(&c->ks, h, key, len))
                st = ds_c_reclaim(c, charge, 1, &in, ds_c_can_wait(c));
            if (st != DS_OK) return st;
        }
        if (!ds_c_put(c, h, key, len, v, c->next_access))
            return ds_fail(c, DS_ERR_NOMEM, "out of memory");
    } else {
        if (e) ds_ks_remove(&c->ks, e);
        ds_c_neg_set(c, h, key, len, true);
    }
    ds_ioent *io = ds_c_io_get(c, h, key, len);
    if (!io) return ds_fail(c, DS_ERR_NOMEM, "out of memory");
    if (io->flags & DS_FLAG_LOADINPROG) io->written_in_load = true;
    ds_c_cancel_queued_load(c, io); /* the entry is linked: ds_c_put or ds_c_io_get did it */
    ds_sched_schedule_save(&c->sched, io, ds_now(c) + c->cfg.flush_delay_ms * US_PER_MS);
    return DS_OK;
}

static ds_status check_key(ds_cache *c, const ds_key *k) {
    if (!k->p || k->len == 0) return ds_fail(c, DS_ERR_ARG, "empty or NULL key");
    if (k->len > DS_KEY_MAX_BYTES)
        return ds_fail(c, DS_ERR_ARG, "key of %u bytes exceeds %u", k->len, DS_KEY_MAX_BYTES);
    return DS_OK;
}

static ds_status check_cmd(ds_cache *c, const ds_cmd *cmd, bool sub) {
    if ((unsigned)cmd->op >= DS_OP__COUNT) return ds_fail(c, DS_ERR_ARG, "unknown command");
    if (cmd->op == DS_OP_EXEC) {
        if (sub) return ds_fail(c, DS_ERR_ARG, "EXEC inside EXEC");
        if (cmd->nsub == 0 || !cmd->sub || cmd->nsub > DS_MULTI_MAX_KEYS)
            return ds_fail(c, DS_ERR_ARG, "EXEC needs 1..%u sub-commands", DS_MULTI_MAX_KEYS);
        uint32_t total = 0;
        for (uint32_t i = 0; i < cmd->nsub; i++) {
            ds_status st = check_cmd(c, &cmd->sub[i], true);
            if (st != DS_OK) return st;
            total += cmd->sub[i].nkeys;
        }
        if (total > DS_MULTI_MAX_KEYS)
            return ds_fail(c, DS_ERR_ARG, "EXEC names more than %u keys", DS_MULTI_MAX_KEYS);
        return DS_OK;
    }
    bool one = cmd->op == DS_OP_GET || cmd->op == DS_OP_SET;
    if (!cmd->keys || cmd->nkeys == 0 || (one && cmd->nkeys != 1) || cmd->nkeys > DS_MULTI_MAX_KEYS)
        return ds_fail(c, DS_ERR_ARG, "%s: wrong number of keys (%u)", ds_op_name(cmd->op),
                       cmd->nkeys);
    if (cmd->op == DS_OP_SET && !cmd->value) return ds_fail(c, DS_ERR_ARG, "SET without a value");
    for (uint32_t i = 0; i < cmd->nkeys; i++) {
        ds_status st = check_key(c, &cmd->keys[i]);
        if (st != DS_OK) return st;
    }
    if (cmd->op == DS_OP_SET && c->cfg.max_memory_bytes &&
        ds_ks_charge(cmd->keys[0].len, cmd->value) > c->cfg.max_memory_bytes)
        return ds_fail(c, DS_ERR_TOOBIG, "value of %llu bytes exceeds cache-max-memory",
                       (unsigned long long)cmd->value->size_bytes);
    return DS_OK;
}

static bool reads(ds_op op) { return op == DS_OP_GET || op == DS_OP_EXISTS || op == DS_OP_MGET; }

/* Does any key need a LOAD first? Counts hits/misses of read keys once, here. */
static bool needs_park(ds_cache *c, const ds_cmd *cmd) {
    if (cmd->op == DS_OP_EXEC) {
        bool any = false;
        for (uint32_t i = 0; i < cmd->nsub; i++)
            any |= needs_park(c, &cmd->sub[i]);
        return any;
    }
    if (cmd->op == DS_OP_SET || cmd->op == DS_OP_DEL) return false;
    bool any = false;
    for (uint32_t i = 0; i < cmd->nkeys; i++) {
        const ds_key *k = &cmd->keys[i];
        ds_entry *e;
        uint64_t h = ds_table_hash(&c->ks.tab, k->p, k->len);
        if (ds_c_lookup(c, h, k->p, k->len, &e, reads(cmd->op)) == LK_MISS) any = true;
    }
    return any;
}

/* EXEC preloads the keys its writes name too (rule 9). */
static bool exec_write_keys_missing(ds_cache *c, const ds_cmd *cmd) {
    if (cmd->op != DS_OP_EXEC) return false;
    for (uint32_t i = 0; i < cmd->nsub; i++) {
        const ds_cmd *s = &cmd->sub[i];
        if (s->op != DS_OP_SET && s->op != DS_OP_DEL) continue;
        for (uint32_t k = 0; k < s->nkeys; k++) {
            ds_entry *e;
            uint64_t h = ds_table_hash(&c->ks.tab, s->keys[k].p, s->keys[k].len);
            if (ds_c_lookup(c, h, s->keys[k].p, s->keys[k].len, &e, false) == LK_MISS) return true;
        }
    }
    return false;
}

static void count_op(ds_cache *c, ds_op op) {
    switch (op) {
    case DS_OP_GET: c->st.gets++; break;
    case DS_OP_SET: c->st.sets++; break;
    case DS_OP_DEL: c->st.dels++; break;
    case DS_OP_EXISTS: c->st.exists++; break;
    case DS_OP_MGET: c->st.mgets++; break;
    case DS_OP_EXEC: c->st.execs++; break;
    default: break;
    }
}

/* The hot path: a single-key GET answered from memory or the negative cache. */
static bool fast_get(ds_cache *c, const ds_cmd *cmd, const ds_reply **reply, uint64_t *hp) {
    const ds_key *k = &cmd->keys[0];
    uint64_t h = *hp = cmd->key_hash ? cmd->key_hash : ds_table_hash(&c->ks.tab, k->p, k->len);
    assert(h == ds_table_hash(&c->ks.tab, k->p, k->len)); /* a host's hash must be ours */
    ds_entry *e = ds_ks_find(&c->ks, h, k->p, k->len);
    /* ds_c_lookup_at's two common answers inline: a hit on a key without a TTL, and a miss
     * while the negative cache is empty; anything else takes the full lookup. */
    if (e && e->expire_us == 0) {
        ds_evict_req rq = {h, k->p, k->len, c->next_access};
        ds_ks_touch(&c->ks, e, &rq);
        c->st.hits++;
    } else if (!e && !c->neg.tab.count) {
        if (c->ks.ev.ops->on_miss) { /* the request only for a policy that wants misses */
            ds_evict_req rq = {h, k->p, k->len, c->next_access};
            ds_ks_miss(&c->ks, &rq);
        }
        c->st.misses++;
        return false;
    } else if (ds_c_lookup_at(c, e, h, k->p, k->len, &e, true) == LK_MISS) {
        return false;
    }
    assert(c->imm.vals_cap >= 1);
    if (c->imm.nheld) ds_c_reply_release(&c->imm);
    c->imm.vals[0] = e ? e->val : NULL; /* borrowed: see ds_replybuf */
    c->imm.nheld = 0;
    c->imm.reply = (ds_reply){
        .status = DS_OK, .op = DS_OP_GET, .n = 1, .values = c->imm.vals, .count = e ? 1 : 0};
    *reply = &c->imm.reply;
    return true;
}

static ds_status exec_counted(ds_cache *c, uint64_t client, uint64_t tag, const ds_cmd *cmd,
                              const ds_reply **reply);

void ds_cache_prefetch(const ds_cache *c, const void *key, uint32_t keylen) {
    if (c && (key || !keylen))
        ds_table_prefetch(&c->ks.tab, ds_table_hash(&c->ks.tab, key, keylen));
}

uint64_t ds_cache_key_hash(const ds_cache *c, const void *key, uint32_t keylen) {
    return c && (key || !keylen) ? ds_table_hash(&c->ks.tab, key, keylen) : 1;
}

void ds_cache_prefetch_hash(const ds_cache *c, uint64_t hash) {
    if (c) ds_table_prefetch(&c->ks.tab, hash);
}

ds_status ds_cache_exec(ds_cache *c, uint64_t client, uint64_t tag, const ds_cmd *cmd,
                        const ds_reply **reply) {
    if (!c) return DS_ERR_ARG;
    if (reply) *reply = NULL;
    if (c->in_callback) return ds_fail(c, DS_ERR_REENTRANT, "ds_cache_exec from a callback");
    if (!cmd || !reply) return ds_fail(c, DS_ERR_ARG, "NULL command or reply pointer");
    /* Commands a previous write made ready (see ds_c_cancel_queued_load) are answered
     * first: never from inside the exec that wrote, whose host has not yet seen it return. */
    if (c->ready_head) ds_c_resume_ready(c);
    /* A well-formed single-key GET (the common command) passes check_cmd's tests at once. */
    bool plain_get = cmd->op == DS_OP_GET && cmd->nkeys == 1 && cmd->keys && cmd->keys[0].p &&
                     cmd->keys[0].len - 1u < DS_KEY_MAX_BYTES;
    ds_status st = plain_get ? DS_OK : check_cmd(c, cmd, false);
    if (st != DS_OK) return st;
    if (ds_c_parked_find(c, client))
        return ds_fail(c, DS_ERR_STATE, "client %llu already has a parked command",
                       (unsigned long long)client);
    c->st.requests++;
    if (plain_get)
        c->st.gets++;
    else
        count_op(c, cmd->op);
    c->next_access = cmd->next_access;
    st = exec_counted(c, client, tag, cmd, reply);
    c->next_access = DS_NEXT_ACCESS_UNKNOWN;
    return st;
}

/* The command is valid and counted; c->next_access holds its hint. */
static ds_status exec_counted(ds_cache *c, uint64_t client, uint64_t tag, const ds_cmd *cmd,
                              const ds_reply **reply) {
    ds_status st;
    bool park;
    uint64_t h0 = 0; /* the first key's hash, when fast_get computed it */
    if (cmd->op == DS_OP_GET) {
        if (fast_get(c, cmd, reply, &h0)) {
            ds_c_pump(c, false);
            return DS_OK;
        }
        park = true; /* fast_get counted the miss */
    } else {
        park = needs_park(c, cmd) || exec_write_keys_missing(c, cmd);
    }
    if (park) {
        st = ds_c_park(c, client, tag, cmd, h0);
        ds_c_pump(c, false);
        return st == DS_OK ? DS_BLOCKED : st;
    }
    ds_replybuf *b = &c->imm;
    st = ds_c_run(c, cmd, b, NULL, NULL); /* needs_park counted the hits and misses already */
    ds_c_pump(c, false);
    if (st != DS_OK) return st;
    *reply = &b->reply;
    return DS_OK;
}
