/*
 * sched.c - the IO scheduler: the per-key flag table, the op queue, the job lists, the pump.
 *
 * Every key with IO state has one ds_ioent holding its flags (LOAD, SAVE, LOADINPROG,
 * SAVEINPROG), its queued ops (at most one LOAD and one SAVE, embedded so scheduling never
 * allocates) and the parked commands waiting on it. The ioent lives exactly as long as any of
 * that is non-empty; while it lives the keyspace entry points at it, which is what makes the
 * key unevictable.
 *
 * The op queue is one list. SAVEs join the tail in scheduling order, so their due times are
 * ordered and the pump can stop at the first one that is not due. A LOAD joins the head unless
 * a SAVE of its key is scheduled or running (rule 4): it must not read the disk before that
 * SAVE lands, or it would read a value older than the one in flight.
 *
 * The pump walks from the head and turns ops into jobs while fewer than max-io-jobs are in
 * flight. It skips (leaves queued) any op whose key already has a job in flight, so no two jobs
 * on one key ever run at once (unless concurrent-saves=on lets a SAVE join a SAVE). A job takes
 * its SAVE value at push time (rule 2): the latest write wins without extra jobs.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *flag_name(unsigned f) {
    switch (f) {
    case DS_FLAG_LOAD: return "LOAD";
    case DS_FLAG_SAVE: return "SAVE";
    case DS_FLAG_LOADINPROG: return "LOADINPROG";
    case DS_FLAG_SAVEINPROG: return "SAVEINPROG";
    default: return "?";
    }
}

ds_status ds_sched_init(ds_sched *s, uint64_t seed) {
    memset(s, 0, sizeof *s);
    s->next_job_id = 1;
    return ds_table_init(&s->tab, 256, seed);
}

void ds_sched_free(ds_sched *s) {
    size_t it = 0;
    ds_tnode *n;
    while ((n = ds_table_next(&s->tab, &it)))
        free(n);
    ds_table_free(&s->tab);
}

ds_ioent *ds_sched_find(ds_sched *s, uint64_t h, const void *key, uint32_t len) {
    return (ds_ioent *)ds_table_find(&s->tab, h, key, len);
}

/* Find or create the key's ioent and link it from the keyspace entry. NULL on OOM. */
ds_ioent *ds_sched_get(ds_cache *c, uint64_t h, const void *key, uint32_t len) {
    ds_ioent *io = ds_sched_find(&c->sched, h, key, len);
    if (io) return io;
    io = calloc(1, sizeof *io + len);
    if (!io) return NULL;
    memcpy(io->key, key, len);
    io->node.hash = h;
    io->node.key = io->key;
    io->node.keylen = len;
    io->load.io = io->save.io = io;
    io->load.type = OPQ_LOAD;
    io->save.type = OPQ_SAVE;
    if (ds_table_insert(&c->sched.tab, &io->node) != DS_OK) {
        free(io);
        return NULL;
    }
    ds_entry *e = ds_ks_find(&c->ks, h, key, len);
    if (e) e->io = io;
    return io;
}

/* Free the ioent once it holds nothing: no flag, no queued op, no waiter. */
void ds_sched_maybe_free(ds_cache *c, ds_ioent *io) {
    if (io->flags || io->load.queued || io->save.queued || io->nwaiters || io->saves_inflight)
        return;
    ds_entry *e = ds_ks_find(&c->ks, io->node.hash, io->key, io->node.keylen);
    if (e) e->io = NULL;
    ds_table_remove(&c->sched.tab, &io->node);
    free(io);
}

ds_status ds_sched_flag_set(ds_cache *c, ds_ioent *io, unsigned flag) {
    if (io->flags & flag) {
        c->st.flag_errors++;
        return ds_fail(c, DS_ERR_FLAGS, "flags misuse: setting %s on key '%.*s', already set",
                       flag_name(flag), (int)(io->node.keylen > 64 ? 64 : io->node.keylen),
                       io->key);
    }
    io->flags |= flag;
    return DS_OK;
}

ds_status ds_sched_flag_clear(ds_cache *c, ds_ioent *io, unsigned flag) {
    if (!(io->flags & flag)) {
        c->st.flag_errors++;
        return ds_fail(c, DS_ERR_FLAGS, "flags misuse: clearing %s on key '%.*s', not set",
                       flag_name(flag), (int)(io->node.keylen > 64 ? 64 : io->node.keylen),
                       io->key);
    }
    io->flags &= (uint8_t)~flag;
    return DS_OK;
}

static void q_unlink(ds_sched *s, ds_qop *op) {
    assert(op->queued);
    if (op->prev)
        op->prev->next = op->next;
    else
        s->qhead = op->next;
    if (op->next)
        op->next->prev = op->prev;
    else
        s->qtail = op->prev;
    op->prev = op->next = NULL;
    op->queued = false;
    s->queued--;
}

static void q_push_tail(ds_sched *s, ds_qop *op) {
    op->next = NULL;
    op->prev = s->qtail;
    if (s->qtail)
        s->qtail->next = op;
    else
        s->qhead = op;
    s->qtail = op;
    op->queued = true;
    s->queued++;
}

static void q_push_head(ds_sched *s, ds_qop *op) {
    op->prev = NULL;
    op->next = s->qhead;
    if (s->qhead)
        s->qhead->prev = op;
    else
        s->qtail = op;
    s->qhead = op;
    op->queued = true;
    s->queued++;
}

/* Rule 1 and 4: schedule a LOAD unless one is scheduled or running. */
void ds_sched_schedule_load(ds_cache *c, ds_ioent *io) {
    if (io->flags & (DS_FLAG_LOAD | DS_FLAG_LOADINPROG)) return;
    (void)ds_sched_flag_set(c, io, DS_FLAG_LOAD);
    bool behind_save = (io->flags & (DS_FLAG_SAVE | DS_FLAG_SAVEINPROG)) != 0;
    if (behind_save && c->cfg.load_priority == DS_LOAD_SAVE_FIRST)
        q_push_tail(&c->sched, &io->load);
    else
        q_push_head(&c->sched, &io->load);
}

/* Rule 2: one SAVE per key; a second write finds it scheduled and is coalesced. */
void ds_sched_schedule_save(ds_cache *c, ds_ioent *io, int64_t due_us) {
    if (io->flags & DS_FLAG_SAVE) {
        c->st.saves_coalesced++;
        return;
    }
    (void)ds_sched_flag_set(c, io, DS_FLAG_SAVE);
    io->save.due_us = due_us;
    /* Keep the queue's SAVEs in due order so the pump may stop at the first young one. */
    ds_qop *at = c->sched.qtail;
    while (at && at->type == OPQ_SAVE && at->due_us > due_us)
        at = at->prev;
    if (at == c->sched.qtail) {
        q_push_tail(&c->sched, &io->save);
        return;
    }
    ds_qop *op = &io->save;
    op->prev = at;
    op->next = at ? at->next : c->sched.qhead;
    if (op->next) op->next->prev = op;
    if (at)
        at->next = op;
    else
        c->sched.qhead = op;
    op->queued = true;
    c->sched.queued++;
}

/* Take a queued (not yet pushed) LOAD off the queue and clear its flag. */
void ds_sched_unqueue_load(ds_cache *c, ds_ioent *io) {
    if (io->load.queued) q_unlink(&c->sched, &io->load);
    (void)ds_sched_flag_clear(c, io, DS_FLAG_LOAD);
}

/* A SAVE of this key just completed and none is scheduled: its queued LOAD may go first. */
void ds_sched_load_to_head(ds_cache *c, ds_ioent *io) {
    if (!io->load.queued || (io->flags & (DS_FLAG_SAVE | DS_FLAG_SAVEINPROG))) return;
    q_unlink(&c->sched, &io->load);
    q_push_head(&c->sched, &io->load);
}

static void jl_push(ds_joblist *l, ds_job *j) {
    j->next = NULL;
    j->prev = l->tail;
    if (l->tail)
        l->tail->next = j;
    else
        l->head = j;
    l->tail = j;
    l->count++;
}

static void jl_unlink(ds_joblist *l, ds_job *j) {
    if (j->prev)
        j->prev->next = j->next;
    else
        l->head = j->next;
    if (j->next)
        j->next->prev = j->prev;
    else
        l->tail = j->prev;
    j->prev = j->next = NULL;
    l->count--;
}

static uint64_t in_flight(const ds_sched *s) { return s->jnew.count + s->jproc.count; }

/* Can this op become a job now? (Rules 3 and 4.) */
static bool pushable(const ds_cache *c, const ds_qop *op) {
    const ds_ioent *io = op->io;
    if (op->type == OPQ_LOAD) {
        if (io->flags & (DS_FLAG_LOADINPROG | DS_FLAG_SAVEINPROG)) return false;
        return c->cfg.load_priority == DS_LOAD_ALWAYS_HEAD || !(io->flags & DS_FLAG_SAVE);
    }
    if (io->flags & DS_FLAG_LOADINPROG) return false;
    if (ds_c_drain_gave_up(c, io)) return false; /* a bounded drain (ds_cache_drain) */
    return !(io->flags & DS_FLAG_SAVEINPROG) || c->cfg.concurrent_saves;
}

static void push_job(ds_cache *c, ds_qop *op) {
    ds_ioent *io = op->io;
    ds_job *j = calloc(1, sizeof *j);
    if (!j) return; /* stays queued; retried at the next pump */
    q_unlink(&c->sched, op);
    j->key = io->key;
    j->keylen = io->node.keylen;
    j->id = c->sched.next_job_id++;
    j->created_us = ds_now(c);
    j->ioent = io;
    j->state = JOB_NEW;
    if (op->type == OPQ_LOAD) {
        j->type = DS_JOB_LOAD;
        j->size_hint = io->size_hint;
        (void)ds_sched_flag_clear(c, io, DS_FLAG_LOAD);
        (void)ds_sched_flag_set(c, io, DS_FLAG_LOADINPROG);
    } else {
        j->type = DS_JOB_SAVE;
        ds_entry *e = ds_ks_find(&c->ks, io->node.hash, io->key, io->node.keylen);
        j->value = e ? ds_value_ref(e->val) : NULL; /* the value current at push time */
        (void)ds_sched_flag_clear(c, io, DS_FLAG_SAVE);
        if (!(io->flags & DS_FLAG_SAVEINPROG)) (void)ds_sched_flag_set(c, io, DS_FLAG_SAVEINPROG);
        io->saves_inflight++;
    }
    jl_push(&c->sched.jnew, j);
}

void ds_sched_pump(ds_cache *c, bool asap) {
    ds_sched *s = &c->sched;
    if (!s->qhead || in_flight(s) >= c->cfg.max_io_jobs) return; /* the common case */
    asap = asap || c->asap;
    int64_t now = ds_now(c);
    uint64_t pushed = 0;
    ds_qop *op = s->qhead;
    while (op && in_flight(s) < c->cfg.max_io_jobs) {
        ds_qop *next = op->next;
        if (op->type == OPQ_SAVE && !asap && op->due_us > now) break; /* rule 3 */
        if (pushable(c, op)) {
            if (asap && op->type == OPQ_SAVE && op->due_us > now) c->st.asap_pushes++;
            push_job(c, op);
            pushed++;
        }
        op = next;
    }
    if (pushed && c->host.jobs_ready) {
        c->in_callback++;
        c->host.jobs_ready(c->host.ctx);
        c->in_callback--;
    }
}

ds_job *ds_sched_take(ds_cache *c) {
    ds_job *j = c->sched.jnew.head;
    if (!j) return NULL;
    jl_unlink(&c->sched.jnew, j);
    j->state = JOB_PROCESSING;
    jl_push(&c->sched.jproc, j);
    return j;
}

ds_status ds_sched_finish(ds_cache *c, ds_job *job) {
    if (job->state == JOB_PROCESSING)
        jl_unlink(&c->sched.jproc, job);
    else if (job->state == JOB_NEW)
        jl_unlink(&c->sched.jnew, job);
    else
        return ds_fail(c, DS_ERR_STATE, "job %llu is not in flight", (unsigned long long)job->id);
    job->state = JOB_DONE;
    return DS_OK;
}

static void drop_list(ds_joblist *l) {
    ds_job *j = l->head;
    while (j) {
        ds_job *n = j->next;
        ds_value_unref(j->value);
        free(j);
        j = n;
    }
    memset(l, 0, sizeof *l);
}

void ds_sched_drop_all(ds_cache *c) {
    drop_list(&c->sched.jnew);
    drop_list(&c->sched.jproc);
}
