/*
 * cache_io.c - everything that happens around IO: running a command once its keys are
 * resolved, parking and resuming clients (the ready list), job completion (rules 5, 6, 7) and
 * SAVE retries. Cron, the reclaim loop, the drain and stats are maint.c's; the queue and the
 * flag transitions are the scheduler's (sched.c, reached through c->sched).
 *
 * Parking: a command that misses parks with one wait slot per distinct key it names. Every slot
 * links the key's ioent, so every key of a parked command is unevictable until the command
 * runs (otherwise a key loaded for it could be evicted while it waits on another key, and it
 * would have to load again, or worse, read nothing). Only the slots of keys that needed a LOAD
 * count as pending; when the last one resolves, the command joins the ready list (FIFO) and
 * runs once, and host.reply fires once. A LOAD that failed makes the command answer DS_ERR_IO;
 * a loaded value that could not be cached for lack of memory, DS_ERR_NOMEM (counted in
 * stats.loads_dropped_nomem): never a silent "absent".
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"

#define SAVE_RETRY_GROWTH 2 /* a failed SAVE's retry delay doubles up to save-retry-max */

/* Blocking in host.wait_io is allowed only from the top level of exec and cron: never from
 * inside a completion or another wait, where it would nest the host's event loop. */
bool ds_c_can_wait(const ds_cache *c) { return !c->in_wait && !c->in_done && !c->reclaiming; }

static ds_status grow(ds_cache *c, ds_replybuf *b, uint32_t n, uint32_t nsubs) {
    if (n > b->vals_cap) {
        ds_value **nv = realloc(b->vals, n * sizeof *nv);
        if (!nv) return ds_fail(c, DS_ERR_NOMEM, "out of memory");
        b->vals = nv;
        b->vals_cap = n;
    }
    if (nsubs > b->subs_cap) {
        ds_reply *ns = realloc(b->subs, nsubs * sizeof *ns);
        if (!ns) return ds_fail(c, DS_ERR_NOMEM, "out of memory");
        b->subs = ns;
        b->subs_cap = nsubs;
    }
    return DS_OK;
}

void ds_c_reply_release(ds_replybuf *b) {
    for (uint32_t i = 0; i < b->nheld; i++) {
        ds_value_unref(b->vals[i]);
        b->vals[i] = NULL;
    }
    b->nheld = 0;
}

static ds_status prepare_reply(ds_cache *c, ds_replybuf *b, const ds_cmd *cmd) {
    ds_c_reply_release(b);
    uint32_t n = cmd->nkeys;
    for (uint32_t i = 0; i < cmd->nsub; i++)
        n += cmd->sub[i].nkeys;
    ds_status st = grow(c, b, n ? n : 1, cmd->nsub ? cmd->nsub : 1);
    if (st != DS_OK) return st;
    if (n == 1) /* a single-key command: no libc call */
        b->vals[0] = NULL;
    else
        memset(b->vals, 0, n * sizeof *b->vals);
    b->nheld = n; /* run_one fills them with owned references or NULL */
    return DS_OK;
}

/* Run one non-EXEC command with all keys resolved. vals has room for cmd->nkeys and owns what
 * it holds: a GET's answer is a new reference, so a SET later in the same EXEC that replaces
 * (and frees) the entry's value cannot pull it from under the reply. hs: the keys' hashes, or
 * NULL to compute them. */
static inline uint64_t key_hash(ds_cache *c, const uint64_t *hs, uint32_t i, const ds_key *k) {
    uint64_t h = hs ? hs[i] : ds_table_hash(&c->ks.tab, k->p, k->len);
    assert(h == ds_table_hash(&c->ks.tab, k->p, k->len));
    return h;
}

static ds_status run_one(ds_cache *c, const ds_cmd *cmd, ds_reply *rep, ds_value **vals,
                         const uint64_t *hs, const ds_ioent *io0) {
    *rep = (ds_reply){.status = DS_OK, .op = cmd->op, .n = cmd->nkeys, .values = vals};
    if (cmd->op == DS_OP_SET || cmd->op == DS_OP_DEL) {
        for (uint32_t i = 0; i < cmd->nkeys; i++) {
            const ds_key *k = &cmd->keys[i];
            uint64_t h = key_hash(c, hs, i, k);
            bool was = false;
            ds_status st = ds_c_write(c, h, k->p, k->len, cmd->value, &was);
            if (st != DS_OK) return st;
            vals[i] = NULL;
            rep->count += cmd->op == DS_OP_SET ? 1 : was;
        }
        rep->n = 0;
        return DS_OK;
    }
    for (uint32_t i = 0; i < cmd->nkeys; i++) {
        const ds_key *k = &cmd->keys[i];
        uint64_t h = key_hash(c, hs, i, k);
        ds_entry *e;
        if (i == 0 && io0) /* counted when it was first seen */
            (void)ds_c_lookup_at(c, io0->ent, h, k->p, k->len, &e, false);
        else
            (void)ds_c_lookup(c, h, k->p, k->len, &e, false);
        vals[i] = ds_value_ref(e ? e->val : NULL);
        rep->count += e != NULL;
    }
    return DS_OK;
}

ds_status ds_c_run(ds_cache *c, const ds_cmd *cmd, ds_replybuf *b, const uint64_t *hs,
                   const ds_ioent *io0) {
    ds_status st = prepare_reply(c, b, cmd);
    if (st != DS_OK) return st;
    ds_reply *rep = &b->reply, *subs = b->subs;
    ds_value **vals = b->vals;
    if (cmd->op != DS_OP_EXEC) return run_one(c, cmd, rep, vals, hs, cmd->nkeys == 1 ? io0 : NULL);
    *rep = (ds_reply){.status = DS_OK, .op = DS_OP_EXEC, .n = cmd->nsub, .sub = subs};
    uint32_t off = 0;
    for (uint32_t i = 0; i < cmd->nsub; i++) {
        st = run_one(c, &cmd->sub[i], &subs[i], vals + off, hs ? hs + off : NULL, NULL);
        if (st != DS_OK) subs[i].status = st;
        off += cmd->sub[i].nkeys;
    }
    return DS_OK;
}

/* ---- parking ---- */

static uint32_t total_keys(const ds_cmd *cmd) {
    uint32_t n = cmd->nkeys;
    for (uint32_t i = 0; i < cmd->nsub; i++)
        n += cmd->sub[i].nkeys;
    return n;
}

static size_t key_bytes(const ds_cmd *cmd) {
    size_t b = 0;
    for (uint32_t i = 0; i < cmd->nkeys; i++)
        b += cmd->keys[i].len;
    for (uint32_t i = 0; i < cmd->nsub; i++)
        b += key_bytes(&cmd->sub[i]);
    return b;
}

/* Copy one key into the parked block's key buffer. */
static ds_key copy_key(const ds_key *k, unsigned char **bp) {
    if (k->len == 8) /* numeric ids: no libc call for the common key */
        memcpy(*bp, k->p, 8);
    else
        memcpy(*bp, k->p, k->len);
    ds_key out = {.p = *bp, .len = k->len};
    *bp += k->len;
    return out;
}

/* Copy keys of one command into the parked block; returns the next free key slot. */
static ds_key *copy_keys(const ds_cmd *src, ds_cmd *dst, ds_key *kp, unsigned char **bp) {
    *dst = *src;
    dst->keys = kp;
    for (uint32_t i = 0; i < src->nkeys; i++)
        kp[i] = copy_key(&src->keys[i], bp);
    ds_value_ref(src->op == DS_OP_SET ? src->value : NULL);
    return kp + src->nkeys;
}

/* One block: the ds_parked and its nk wait slots, the sub-commands, the keys, their hashes and
 * the key bytes. Every field is set here or by ds_c_park and slot_link (no whole-block memset:
 * the common single-key GET writes only what it uses). */
static ds_parked *parked_new(ds_cache *c, const ds_cmd *cmd, uint32_t nk) {
    bool one = cmd->nsub == 0 && cmd->nkeys == 1; /* the common command: no loops */
    size_t kb = one ? cmd->keys[0].len : key_bytes(cmd);
    size_t sz = sizeof(ds_parked) + nk * sizeof(ds_wslot);
    size_t off_subs = sz;
    sz += cmd->nsub * sizeof(ds_cmd);
    size_t off_keys = sz;
    sz += nk * sizeof(ds_key);
    size_t off_hashes = sz;
    sz += nk * sizeof(uint64_t);
    size_t off_buf = sz;
    sz += kb;
    unsigned char *mem = ds_slab_alloc(&c->slab, sz);
    if (!mem) return NULL;
    ds_parked *p = (ds_parked *)mem;
    p->nslots = p->pending = 0;
    p->fail_status = DS_OK;
    p->ready = false;
    p->ready_seq = 0;
    p->next_ready = NULL;
    p->alloc_bytes = (uint32_t)sz;
    p->hashes = (uint64_t *)(mem + off_hashes);
    p->subs = cmd->nsub ? (ds_cmd *)(mem + off_subs) : NULL;
    p->keys = (ds_key *)(mem + off_keys);
    p->keybuf = mem + off_buf;
    unsigned char *bp = p->keybuf;
    if (one) { /* copy_keys for one key, unrolled: 19 instructions a request at 10k keys */
        p->cmd = *cmd;
        p->cmd.keys = p->keys;
        p->keys[0] = copy_key(&cmd->keys[0], &bp);
        ds_value_ref(cmd->op == DS_OP_SET ? cmd->value : NULL);
    } else {
        ds_key *kp = copy_keys(cmd, &p->cmd, p->keys, &bp);
        for (uint32_t i = 0; i < cmd->nsub; i++)
            kp = copy_keys(&cmd->sub[i], &p->subs[i], kp, &bp);
    }
    p->cmd.sub = p->subs;
    return p;
}

/* Resolved: the command may run once every earlier ready command has. */
static void ready_push(ds_cache *c, ds_parked *p) {
    assert(!p->ready && p->pending == 0);
    p->ready = true;
    p->ready_seq = ++c->ready_seq_in;
    p->next_ready = NULL;
    if (c->ready_tail)
        c->ready_tail->next_ready = p;
    else
        c->ready_head = p;
    c->ready_tail = p;
}

static ds_parked *ready_pop(ds_cache *c) {
    ds_parked *p = c->ready_head;
    if (!p) return NULL;
    c->ready_head = p->next_ready;
    if (!c->ready_head) c->ready_tail = NULL;
    /* FIFO: answered in exactly the order they became ready, each once */
    assert(p->ready && p->ready_seq == c->ready_seq_out + 1);
    if (p->ready_seq != c->ready_seq_out + 1) c->st.invariant_errors++;
    c->ready_seq_out = p->ready_seq;
    return p;
}

/* Link a wait slot to the key's ioent (at the head of its waiters); a slot that does not
 * resolve now schedules the key's LOAD. */
static void slot_wait(ds_cache *c, ds_parked *p, ds_wslot *s, ds_ioent *io, bool resolved) {
    s->io = io;
    s->owner = p;
    s->prev = NULL;
    s->next = io->waiters;
    if (io->waiters) io->waiters->prev = s;
    io->waiters = s;
    io->nwaiters++;
    s->resolved = resolved;
    if (!resolved) {
        p->pending++;
        io->next_access = c->next_access; /* the hint of the request that will insert it */
        if (!(io->flags & (DS_FLAG_LOAD | DS_FLAG_LOADINPROG))) io->size_hint = p->cmd.size_hint;
        ds_sched_schedule_load(&c->sched, io);
    }
    assert(io->nwaiters > 0 && io->waiters == s);
}

static ds_status slot_link(ds_cache *c, ds_parked *p, const ds_key *k, uint64_t h) {
    ds_entry *e = ds_ks_find(&c->ks, h, k->p, k->len);
    ds_ioent *io = ds_c_io_get_for(c, h, k->p, k->len, e);
    if (!io) return DS_ERR_NOMEM;
    if (io->mark == p) return DS_OK; /* a key named twice: one slot */
    io->mark = p;
    bool known_absent = !e && ds_c_neg_find(c, h, k->p, k->len);
    slot_wait(c, p, &p->slots[p->nslots++], io, e != NULL || known_absent);
    return DS_OK;
}

/* ---- parking ---- */

static void unpark(ds_cache *c, ds_parked *p);

/* fast_get's miss, the common parked command: a single-key GET whose key h is neither cached
 * nor known absent, so neither is looked up again. ds_c_park without its loops and without a
 * copy of the key: the command names the key by its ioent's copy and hash, which the slot
 * keeps alive until unpark. One block: the ds_parked, its slot and its key. */
static ds_status park_missed_get(ds_cache *c, uint64_t client, uint64_t tag, const ds_cmd *cmd,
                                 uint64_t h) {
    const ds_key *k = &cmd->keys[0];
    assert(cmd->op == DS_OP_GET && cmd->nkeys == 1);
    assert(!ds_ks_find(&c->ks, h, k->p, k->len) && !ds_c_neg_find(c, h, k->p, k->len));
    /* ds_c_io_get_for without an entry: no lookup while no key has an ioent */
    ds_ioent *io = ds_sched_count(&c->sched) ? ds_sched_get(&c->sched, h, k->p, k->len, NULL)
                                             : ds_sched_new(&c->sched, h, k->p, k->len);
    size_t sz = sizeof(ds_parked) + sizeof(ds_wslot) + sizeof(ds_key);
    ds_parked *p = io ? ds_slab_alloc(&c->slab, sz) : NULL;
    if (!p) {
        if (io) ds_c_io_release(c, io);
        return ds_fail(c, DS_ERR_NOMEM, "out of memory parking a command");
    }
    p->client = p->client_key = client;
    p->tag = tag;
    p->cmd = *cmd;
    p->keys = (ds_key *)(p->slots + 1);
    p->keys[0] = (ds_key){.p = io->key, .len = k->len};
    p->cmd.keys = p->keys;
    p->cmd.sub = p->subs = NULL;
    p->cmd.nsub = 0; /* a GET has no sub-commands, whatever a reused ds_cmd still says */
    p->hashes = &io->node.hash;
    p->keybuf = NULL;
    p->nslots = 1;
    p->pending = 0;
    p->alloc_bytes = (uint32_t)sz;
    p->fail_status = DS_OK;
    p->ready = false;
    p->ready_seq = 0;
    p->next_ready = NULL;
    ds_c_parked_add(c, p);
    slot_wait(c, p, &p->slots[0], io, false);
    c->st.blocked_requests++;
    return DS_OK;
}

ds_status ds_c_park(ds_cache *c, uint64_t client, uint64_t tag, const ds_cmd *cmd, uint64_t h0) {
    if (h0) return park_missed_get(c, client, tag, cmd, h0);
    uint32_t nk = total_keys(cmd);
    ds_parked *p = parked_new(c, cmd, nk);
    if (!p) return ds_fail(c, DS_ERR_NOMEM, "out of memory parking a command");
    p->client = p->client_key = client;
    p->tag = tag;
    ds_c_parked_add(c, p);
    ds_status st = DS_OK;
    for (uint32_t i = 0; i < nk && st == DS_OK; i++) {
        const ds_key *k = &p->keys[i];
        p->hashes[i] = ds_table_hash(&c->ks.tab, k->p, k->len);
        st = slot_link(c, p, k, p->hashes[i]);
    }
    for (uint32_t i = 0; i < p->nslots; i++)
        p->slots[i].io->mark = NULL;
    if (st != DS_OK) { /* LOADs already scheduled stay: they complete with no waiter */
        unpark(c, p);
        return ds_fail(c, st, "out of memory parking a command");
    }
    c->st.blocked_requests++;
    /* The command parked because a key missed, and that key's slot is pending. */
    assert(p->pending > 0 && p->nslots > 0);
    if (p->pending == 0) { /* release builds: answer it at the next call rather than never */
        c->st.invariant_errors++;
        ready_push(c, p);
    }
    return DS_OK;
}

static void unpark(ds_cache *c, ds_parked *p) {
    for (uint32_t i = 0; i < p->nslots; i++) {
        ds_wslot *s = &p->slots[i];
        if (s->prev)
            s->prev->next = s->next;
        else
            s->io->waiters = s->next;
        if (s->next) s->next->prev = s->prev;
        s->io->nwaiters--;
        ds_c_io_release(c, s->io);
    }
    ds_c_parked_remove(c, p);
    if (p->cmd.op == DS_OP_SET) ds_value_unref(p->cmd.value);
    for (uint32_t i = 0; i < p->cmd.nsub; i++)
        if (p->subs[i].op == DS_OP_SET) ds_value_unref(p->subs[i].value);
    ds_slab_free(&c->slab, p, p->alloc_bytes);
}

/* A resumed single-key GET whose key holds no TTL (the common resumed command): ds_c_run's
 * answer without its reference, which the reply borrows (see ds_replybuf). False: run it. */
static bool resume_get(ds_replybuf *b, const ds_parked *p) {
    const ds_entry *e = p->slots[0].io->ent; /* the lookup's answer, linked to the ioent */
    if (p->cmd.op != DS_OP_GET || p->cmd.nkeys != 1 || b->vals_cap == 0 || (e && e->expire_us))
        return false;
    ds_c_reply_release(b);
    b->vals[0] = e ? e->val : NULL;
    b->reply =
        (ds_reply){.status = DS_OK, .op = DS_OP_GET, .n = 1, .values = b->vals, .count = e != NULL};
    return true;
}

/* Run every parked command whose keys are all resolved, in the order they became ready. */
void ds_c_resume_ready(ds_cache *c) {
    for (ds_parked *p; (p = ready_pop(c));) {
        assert(p->pending == 0 && p->nslots > 0);
        ds_replybuf *b = &c->res;
        ds_status st = p->fail_status;
        if (st == DS_OK && !resume_get(b, p))
            st = ds_c_run(c, &p->cmd, b, p->hashes, p->slots[0].io);
        if (st != DS_OK) b->reply = (ds_reply){.status = st, .op = p->cmd.op};
        c->in_callback++;
        c->host.reply(c->host.ctx, p->client, p->tag, &b->reply);
        c->in_callback--;
        unpark(c, p);
    }
}

static void resolve_waiters(ds_cache *c, ds_ioent *io, ds_status fail);

/*
 * A write to a key whose LOAD is still queued (not yet a job) makes that LOAD pointless:
 * memory now holds the newest state (the value, or absence after a DEL). Cancel it and let
 * the commands waiting on it run. Without this they wait for the LOAD, which rule 4 keeps
 * behind the SAVE the write just scheduled, i.e. for a whole cache-flush-delay.
 * They are answered at the next call into the cache (exec, cron, job_done, drain), not from
 * inside the exec that wrote: its host only learns that the write happened when exec returns.
 */
void ds_c_cancel_queued_load(ds_cache *c, ds_ioent *io) {
    if (!(io->flags & DS_FLAG_LOAD)) return;
    ds_sched_unqueue_load(&c->sched, io);
    c->st.loads_cancelled++;
    resolve_waiters(c, io, DS_OK);
}

/* The key's LOAD is over (or moot): its waiters' slots resolve; fail (DS_OK = none) is what
 * their commands answer instead of running. */
static void resolve_waiters(ds_cache *c, ds_ioent *io, ds_status fail) {
    uint32_t seen __attribute__((unused)) = 0; /* counted by the assert only */
    for (ds_wslot *s = io->waiters; s; s = s->next) {
        assert(++seen <= io->nwaiters && s->io == io);
        if (s->resolved) continue;
        s->resolved = true;
        ds_parked *p = s->owner;
        if (fail != DS_OK && p->fail_status == DS_OK) p->fail_status = fail;
        assert(p->pending > 0 && !p->ready);
        if (--p->pending == 0) ready_push(c, p);
    }
}

/* ---- job completion (rules 5, 6, 7) ---- */

/* load-drops-ttl (an experiment): the loaded value comes back without its expire time, as a
 * store that forgot to persist it would return it. */
static ds_value *drop_ttl(ds_value *v) {
    ds_value *nv = ds_value_new(v->data, v->len, v->size_bytes, 0);
    if (!nv) return v; /* keep the original: an experiment must not fail the run */
    ds_value_unref(v);
    return nv;
}

/* Add a loaded value to memory (rule 6). A reclaim that cannot make room is counted in
 * memory_limit_misses and the value is still added (memory stays over the limit until the
 * next reclaim, as for any insert). Out of memory: the value is dropped, counted, and the
 * waiters answer DS_ERR_NOMEM; answering them "absent" would be a stale read. */
static ds_status cache_loaded(ds_cache *c, ds_ioent *io, ds_value *v) {
    uint64_t h = io->node.hash;
    uint64_t charge = ds_ks_charge(io->node.keylen, v);
    if (c->cfg.evict_at == DS_EVICT_AT_INSERT) {
        ds_evict_req in = {h, io->key, io->node.keylen, io->next_access, charge};
        ds_status st __attribute__((unused)) = ds_c_reclaim(c, charge, 1, &in, false);
        assert(st == DS_OK || st == DS_ERR_MEMORY); /* the only ways reclaim ends */
    }
    if (ds_c_put_io(c, io, v)) return DS_OK;
    c->st.loads_dropped_nomem++;
    int n = (int)(io->node.keylen > DS_ERR_KEY_BYTES ? DS_ERR_KEY_BYTES : io->node.keylen);
    return ds_fail(c, DS_ERR_NOMEM, "out of memory caching the loaded value of '%.*s'", n, io->key);
}

void ds_c_load_done(ds_cache *c, ds_job *job) {
    ds_ioent *io = job->ioent;
    uint64_t h = io->node.hash;
    ds_sched_flag_move(&c->sched, io, DS_FLAG_LOADINPROG, 0);
    ds_status r = job->result;
    if (r == DS_OK && job->value && c->cfg.load_drops_ttl) job->value = drop_ttl(job->value);
    if (r == DS_OK &&
        (!job->value || (job->value->expire_us && job->value->expire_us <= ds_now(c))))
        r = DS_NOT_FOUND;
    bool in_mem = io->ent != NULL; /* the key's entry, linked to io while it lives */
    assert(io->ent == ds_ks_find(&c->ks, h, io->key, io->node.keylen));
    /* A write issued while this LOAD was in flight is newer than what the LOAD read. If the
     * key is not in memory now, that write was a delete (DEL or expiry): adding the loaded
     * value would resurrect the key. DESIGN rule 6 only asks "not in memory", which lets a
     * GET whose LOAD is in flight followed by a DEL read the deleted value back (scenario
     * load_then_del). A SAVE scheduled *before* the LOAD was pushed does not count: keeping
     * the LOAD behind it is rule 4's job, and load-priority=always-head must still break it.
     * The experiments load-ignores-writes and negcache-on-stale-load drop these guards. */
    bool newer_write = io->written_in_load;
    bool saving = (io->flags & (DS_FLAG_SAVE | DS_FLAG_SAVEINPROG)) != 0;
    io->written_in_load = false;
    ds_status fail = DS_OK;
    if (r == DS_OK) {
        c->st.disk_loads++;
        if ((!in_mem && !newer_write) || c->cfg.load_ignores_writes)
            fail = cache_loaded(c, io, job->value);
    } else if (r == DS_NOT_FOUND) {
        c->st.disk_loads++;
        if ((!in_mem && !newer_write && !saving) || c->cfg.negcache_on_stale_load)
            ds_c_neg_set(c, h, io->key, io->node.keylen, false);
    } else {
        c->st.load_errors++;
        fail = DS_ERR_IO;
    }
    resolve_waiters(c, io, fail);
}

/* A SAVE failed during a drain: count it in this drain's epoch; at the bound the key is given
 * up for this drain (it stays scheduled, see ds_cache_drain). */
static void drain_count_failure(ds_cache *c, ds_ioent *io) {
    if (io->drain_epoch != c->drain_epoch) {
        io->drain_epoch = c->drain_epoch;
        io->drain_fails = 0;
    }
    if (++io->drain_fails == DS_DRAIN_SAVE_ATTEMPTS) c->st.drain_unsaved++;
}

void ds_c_save_done(ds_cache *c, ds_job *job) {
    ds_ioent *io = job->ioent;
    assert(io->saves_inflight > 0);
    if (--io->saves_inflight == 0) ds_sched_flag_move(&c->sched, io, DS_FLAG_SAVEINPROG, 0);
    if (job->result == DS_OK) {
        if (job->value)
            c->st.disk_saves++;
        else
            c->st.disk_dels++;
        io->retries = 0;
        if (!job->value && !(io->flags & (DS_FLAG_SAVE | DS_FLAG_SAVEINPROG))) {
            ds_negent *n = ds_neg_find(&c->neg, io->node.hash, io->key, io->node.keylen);
            if (n) ds_neg_unpin(&c->neg, n);
        }
    } else {
        if (!c->cfg.drop_failed_saves) c->st.save_retries++;
        snprintf(c->save_err, sizeof c->save_err, "%s", job->err.msg);
        if (c->asap) drain_count_failure(c, io);
        int64_t backoff_ms = c->cfg.save_retry_ms;
        for (uint32_t i = 0; i < io->retries && backoff_ms < c->cfg.save_retry_max_ms; i++)
            backoff_ms *= SAVE_RETRY_GROWTH;
        if (backoff_ms > c->cfg.save_retry_max_ms) backoff_ms = c->cfg.save_retry_max_ms;
        if (ds_buggify_fire(&c->bug, DS_BUG_RETRY_FAST)) backoff_ms = 1;
        io->retries++;
        /* drop-failed-saves (an experiment that breaks rule 2): the write never lands. */
        if (!(io->flags & DS_FLAG_SAVE) && !c->cfg.drop_failed_saves) {
            ds_sched_schedule_save(&c->sched, io, ds_now(c) + backoff_ms * US_PER_MS);
        }
    }
    ds_sched_unblocked(&c->sched, io);
}

/* Hosts ask until it answers NULL (the virtual engine four times a miss): no call then. */
ds_job *ds_cache_job_take(ds_cache *c) {
    return c && c->sched.jnew.head ? ds_sched_take(&c->sched) : NULL;
}

ds_status ds_cache_job_done(ds_cache *c, ds_job *job) {
    if (!c || !job) return DS_ERR_ARG;
    if (c->in_callback) return ds_fail(c, DS_ERR_REENTRANT, "ds_cache_job_done from a callback");
    ds_status st = ds_sched_finish(&c->sched, job);
    if (st != DS_OK) return st;
    c->in_done++;
    ds_ioent *io = job->ioent;
    if (job->type == DS_JOB_LOAD)
        ds_c_load_done(c, job);
    else
        ds_c_save_done(c, job);
    ds_value_unref(job->value);
    ds_sched_job_free(&c->sched, job);
    ds_c_io_release(c, io); /* before resuming: unparking may free it too */
    ds_c_resume_ready(c);
    ds_c_pump(c, false);
    c->in_done--;
    return DS_OK;
}
