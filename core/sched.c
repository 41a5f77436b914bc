/*
 * sched.c - the IO scheduler's safety half: the per-key flag table, the queues, the job lists,
 * the pump. Ordering is the policy's (iosched.h, core/iopolicy/); the rules here hold under
 * every policy.
 *
 * Every key with IO state has one ds_ioent holding its flags (LOAD, SAVE, LOADINPROG,
 * SAVEINPROG), its scheduled ops (at most one LOAD and one SAVE, embedded so scheduling never
 * allocates) and the parked commands waiting on it. The cache links the keyspace entry to it
 * while it lives, which is what makes the key unevictable.
 *
 * The pump walks the policy's queue from the head and turns ops into jobs while fewer than
 * max-io-jobs are in flight. The policy may skip an op or stop the walk (the seed stops at the
 * first SAVE inside its flush delay: its SAVEs are in due order). An op the policy takes still
 * has to pass pushable(): it stays queued while its key has a job in flight, so no two jobs on
 * one key run at once (unless concurrent-saves=on lets a SAVE join a SAVE), and a LOAD stays
 * queued while a SAVE of its key is scheduled or running (rule 4's guard, which
 * load-priority=always-head turns off). A job takes its SAVE value at push time (rule 2): the
 * latest write wins without extra jobs.
 */
#include "iosched.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define SCHED_TABLE_SLOTS_MIN 256u
#define FLAG_MSG_KEY_BYTES    64 /* key bytes quoted in a flag-misuse message */

static const char *flag_name(unsigned f) {
    switch (f) {
    case DS_FLAG_LOAD: return "LOAD";
    case DS_FLAG_SAVE: return "SAVE";
    case DS_FLAG_LOADINPROG: return "LOADINPROG";
    case DS_FLAG_SAVEINPROG: return "SAVEINPROG";
    default: return "?";
    }
}

static bool policy_ok(const ds_sched_policy *p) {
    assert(DS_SCHED_POLICY_VERSION > 0);
    return p && p->version == DS_SCHED_POLICY_VERSION && p->name && p->enqueue;
}

ds_status ds_sched_init(ds_sched *s, const ds_sched_env *env, const ds_sched_policy *pol,
                        const char *params, uint64_t seed) {
    assert(s && env);
    memset(s, 0, sizeof *s);
    s->env = *env;
    s->next_job_id = 1;
    s->next_seq = 1;
    if (!env->now_us || !env->save_value || !env->cfg || !env->st)
        return ds_err_set(env->err, DS_ERR_ARG, "scheduler: env needs now_us, save_value, cfg, st");
    s->pol = pol ? pol : ds_sched_policy_at(0);
    if (!policy_ok(s->pol))
        return ds_err_set(env->err, DS_ERR_CONFIG, "io-policy %s: version %d, expected %d",
                          s->pol && s->pol->name ? s->pol->name : "?", s->pol ? s->pol->version : 0,
                          DS_SCHED_POLICY_VERSION);
    if (s->pol->init) {
        ds_status st = s->pol->init(params, &s->q.state, env->err);
        if (st != DS_OK) return st;
    } else if (params && *params) {
        return ds_err_set(env->err, DS_ERR_CONFIG, "io-policy %s: takes no parameters ('%s')",
                          s->pol->name, params);
    }
    ds_status st = ds_table_init(&s->tab, SCHED_TABLE_SLOTS_MIN, seed);
    if (st != DS_OK) ds_err_set(env->err, st, "scheduler: out of memory");
    assert(st != DS_OK || (s->queued == 0 && ds_sched_in_flight(s) == 0));
    return st;
}

static void drop_list(ds_sched *s, ds_joblist *l) {
    ds_job *j = l->head;
    uint64_t n_seen __attribute__((unused)) = 0;
    while (j) {
        assert(++n_seen <= l->count); /* bounded by the list's count */
        ds_job *n = j->next;
        ds_value_unref(j->value);
        ds_sched_job_free(s, j);
        j = n;
    }
    memset(l, 0, sizeof *l);
}

void ds_sched_drop_all(ds_sched *s) {
    drop_list(s, &s->jnew);
    drop_list(s, &s->jproc);
    assert(ds_sched_in_flight(s) == 0);
}

void ds_sched_free(ds_sched *s) {
    ds_sched_drop_all(s);
    if (s->tab.slots) {
        size_t it = 0;
        ds_tnode *n;
        while ((n = ds_table_next(&s->tab, &it)))
            ds_slab_free(&s->slab, n, sizeof(ds_ioent) + n->keylen);
        ds_table_free(&s->tab);
    }
    for (uint32_t i = 0; i < s->nfew; i++)
        ds_slab_free(&s->slab, s->few[i], sizeof(ds_ioent) + s->few[i]->node.keylen);
    s->nfew = 0;
    if (s->pol && s->pol->fini) s->pol->fini(s->q.state);
    s->q.state = NULL;
    ds_slab_destroy(&s->slab);
}

ds_ioent *ds_sched_find(const ds_sched *s, uint64_t h, const void *key, uint32_t len) {
    assert(s && key && len > 0);
    for (uint32_t i = 0; i < s->nfew; i++) {
        ds_ioent *io = s->few[i];
        if (io->node.hash == h && io->node.keylen == len && memcmp(io->key, key, len) == 0)
            return io;
    }
    return s->tab.count ? (ds_ioent *)ds_table_find(&s->tab, h, key, len) : NULL;
}

/* Index a new ioent: in few[] while the table is empty and few[] has room; else in the
 * table, which first takes every ioent of few[]. */
static ds_status sched_index(ds_sched *s, ds_ioent *io) {
    if (!s->tab.count && s->nfew < DS_SCHED_FEW) {
        s->few[s->nfew++] = io;
        return DS_OK;
    }
    for (uint32_t i = 0; i < s->nfew; i++) {
        if (ds_table_insert(&s->tab, &s->few[i]->node) != DS_OK) {
            while (i--) /* as it was: the table empty, few[] full */
                ds_table_remove(&s->tab, &s->few[i]->node);
            return DS_ERR_NOMEM;
        }
    }
    s->nfew = 0;
    return ds_table_insert(&s->tab, &io->node);
}

ds_ioent *ds_sched_get(ds_sched *s, uint64_t h, const void *key, uint32_t len, bool *created) {
    if (created) *created = false;
    ds_ioent *io = ds_sched_find(s, h, key, len);
    if (io) return io;
    io = ds_sched_new(s, h, key, len);
    if (io && created) *created = true;
    return io;
}

ds_ioent *ds_sched_new(ds_sched *s, uint64_t h, const void *key, uint32_t len) {
    assert(len > 0 && len <= DS_KEY_MAX_BYTES && !ds_sched_find(s, h, key, len));
    ds_ioent *io = ds_slab_alloc(&s->slab, sizeof *io + len);
    if (!io) return NULL;
    /* Field by field (a new ioent per cache miss): a memset of the whole struct compiles to a
     * rep stos of 27 words, twice the stores. */
    if (len == 8)
        memcpy(io->key, key, 8);
    else
        memcpy(io->key, key, len);
    io->node = (ds_tnode){.hash = h, .key = io->key, .keylen = len};
    io->flags = 0;
    io->saves_inflight = 0;
    io->retries = io->drain_epoch = io->drain_fails = io->nwaiters = 0;
    io->written_in_load = false;
    io->waiters = NULL;
    io->load = (ds_qop){.io = io, .type = OPQ_LOAD};
    io->save = (ds_qop){.io = io, .type = OPQ_SAVE};
    io->mark = NULL;
    io->ent = NULL;
    io->next_access = 0;
    io->size_hint = 0;
    if (sched_index(s, io) != DS_OK) {
        ds_slab_free(&s->slab, io, sizeof *io + len);
        return NULL;
    }
    assert(ds_sched_idle(io) && ds_sched_find(s, h, key, len) == io);
    return io;
}

bool ds_ioent_only_waiters(const ds_ioent *io) {
    return io->flags == 0 && io->saves_inflight == 0 && !io->load.queued && !io->save.queued;
}

static ds_status flag_fail(ds_sched *s, ds_ioent *io, unsigned flag, bool setting) {
    s->env.st->flag_errors++;
    int n = (int)(io->node.keylen > FLAG_MSG_KEY_BYTES ? FLAG_MSG_KEY_BYTES : io->node.keylen);
    if (setting)
        return ds_err_set(s->env.err, DS_ERR_FLAGS,
                          "flags misuse: setting %s on key '%.*s', already set", flag_name(flag), n,
                          io->key);
    return ds_err_set(s->env.err, DS_ERR_FLAGS, "flags misuse: clearing %s on key '%.*s', not set",
                      flag_name(flag), n, io->key);
}

/* Exactly one of the four flags. */
static __attribute__((unused)) bool one_flag(unsigned f) {
    return f == DS_FLAG_LOAD || f == DS_FLAG_SAVE || f == DS_FLAG_LOADINPROG ||
           f == DS_FLAG_SAVEINPROG;
}

ds_status ds_sched_flag_set(ds_sched *s, ds_ioent *io, unsigned flag) {
    assert(one_flag(flag) && io);
    if (io->flags & flag) return flag_fail(s, io, flag, true);
    io->flags |= flag;
    return DS_OK;
}

ds_status ds_sched_flag_clear(ds_sched *s, ds_ioent *io, unsigned flag) {
    assert(one_flag(flag) && io);
    if (!(io->flags & flag)) return flag_fail(s, io, flag, false);
    io->flags &= (uint8_t)~flag;
    return DS_OK;
}

void ds_sched_flag_move_checked(ds_sched *s, ds_ioent *io, unsigned clear, unsigned set) {
    assert((clear || set) && clear != set);
    ds_status st = DS_OK;
    if (clear && ds_sched_flag_clear(s, io, clear) != DS_OK) st = DS_ERR_FLAGS;
    if (set && ds_sched_flag_set(s, io, set) != DS_OK) st = DS_ERR_FLAGS;
    if (st == DS_OK) return;
    s->env.st->invariant_errors++; /* release builds: counted, and the state is forced */
    assert(!"flag transition failed: the scheduler's state is inconsistent");
    io->flags = (uint8_t)((io->flags & ~clear) | set);
}

/* ---- queues (helpers for policies; the held list uses them too) ---- */

static void q_mark(ds_sched_q *q, ds_qop *op, uint8_t where) {
    assert(where == OPQ_QUEUED || where == OPQ_HELD);
    op->where = where;
    op->queued = where != OPQ_OFF;
    q->count++;
}

void ds_sq_unlink(ds_sched_q *q, ds_qop *op) {
    assert(op->queued && q->count > 0);
    assert(op->prev ? op->prev->next == op : q->head == op);
    if (op->prev)
        op->prev->next = op->next;
    else
        q->head = op->next;
    if (op->next)
        op->next->prev = op->prev;
    else
        q->tail = op->prev;
    op->prev = op->next = NULL;
    op->where = OPQ_OFF;
    op->queued = false;
    q->count--;
}

void ds_sq_insert_after(ds_sched_q *q, ds_qop *at, ds_qop *op) {
    assert(!op->queued && op != at);
    op->prev = at;
    op->next = at ? at->next : q->head;
    if (op->next)
        op->next->prev = op;
    else
        q->tail = op;
    if (at)
        at->next = op;
    else
        q->head = op;
    q_mark(q, op, OPQ_QUEUED);
}

void ds_sq_push_head(ds_sched_q *q, ds_qop *op) { ds_sq_insert_after(q, NULL, op); }

void ds_sq_push_tail(ds_sched_q *q, ds_qop *op) { ds_sq_insert_after(q, q->tail, op); }

void ds_sq_insert_sorted(ds_sched_q *q, ds_qop *op, int64_t sort_key) {
    op->sort_key = sort_key;
    /* From the tail: the last op with a key <= sort_key. From the head: the first op with a
     * larger key. Whichever walk ends first gives the place; each step advances both. */
    ds_qop *back = q->tail, *fwd = q->head;
    uint64_t steps = 0;
    while (back && back->sort_key > sort_key) {
        if (fwd->sort_key > sort_key) {
            ds_sq_insert_after(q, fwd->prev, op);
            return;
        }
        fwd = fwd->next;
        back = back->prev;
        steps++;
        assert(steps <= q->count);
    }
    ds_sq_insert_after(q, back, op);
}

bool ds_sq_save_young(const ds_qop *op, int64_t now_us, bool asap) {
    assert(op->type == OPQ_LOAD || op->type == OPQ_SAVE);
    return op->type == OPQ_SAVE && !asap && op->due_us > now_us;
}

/* Held SAVEs, in due order (ties: scheduling order). */
static void held_add(ds_sched *s, ds_qop *op) {
    ds_sched_q *h = &s->held;
    ds_qop *at = h->tail;
    while (at && at->due_us > op->due_us)
        at = at->prev;
    ds_sq_insert_after(h, at, op);
    op->where = OPQ_HELD;
}

/* Move held SAVEs that are due (all of them in ASAP mode) into the policy's queue. */
static void held_release(ds_sched *s, int64_t now, bool asap) {
    while (s->held.head && (asap || s->held.head->due_us <= now)) {
        ds_qop *op = s->held.head;
        ds_sq_unlink(&s->held, op);
        s->pol->enqueue(&s->q, op, false);
        assert(op->where == OPQ_QUEUED);
    }
}

/* ---- scheduling ---- */

static inline void sched_enqueue(ds_sched *s, ds_qop *op, bool wait_for_save) {
    /* Held SAVEs that became due join first: the queue sees ops in the order they became
     * ready, not in the order a pump happened to notice them. */
    if (s->held.head) held_release(s, op->arrival_us, false);
    uint64_t before __attribute__((unused)) = s->q.count; /* for the assert */
    s->pol->enqueue(&s->q, op, wait_for_save);
    /* the policy must queue the op, exactly once */
    assert(op->where == OPQ_QUEUED && s->q.count == before + 1);
    if (op->where != OPQ_QUEUED || s->q.count != before + 1) s->env.st->invariant_errors++;
    s->queued++;
}

/* Rules 1 and 4: schedule a LOAD unless one is scheduled or running. */
void ds_sched_schedule_load(ds_sched *s, ds_ioent *io) {
    if (io->flags & (DS_FLAG_LOAD | DS_FLAG_LOADINPROG)) return;
    assert(!io->load.queued);
    ds_sched_flag_move(s, io, 0, DS_FLAG_LOAD);
    io->load.seq = s->next_seq++;
    io->load.arrival_us = s->env.now_us(s->env.now_ctx);
    bool behind_save = (io->flags & (DS_FLAG_SAVE | DS_FLAG_SAVEINPROG)) != 0;
    sched_enqueue(s, &io->load, behind_save && s->env.cfg->load_priority == DS_LOAD_SAVE_FIRST);
}

/* Rule 2: one SAVE per key; a second write finds it scheduled and is coalesced. */
void ds_sched_schedule_save(ds_sched *s, ds_ioent *io, int64_t due_us) {
    if (io->flags & DS_FLAG_SAVE) {
        assert(io->save.queued);
        s->env.st->saves_coalesced++;
        return;
    }
    assert(!io->save.queued);
    ds_sched_flag_move(s, io, 0, DS_FLAG_SAVE);
    io->save.seq = s->next_seq++;
    io->save.arrival_us = s->env.now_us(s->env.now_ctx);
    io->save.due_us = due_us;
    if (s->pol->hold_saves && due_us > io->save.arrival_us) {
        held_add(s, &io->save);
        s->queued++;
        return;
    }
    sched_enqueue(s, &io->save, false);
}

/* Take a queued (not yet pushed) LOAD off the queue and clear its flag. */
void ds_sched_unqueue_load(ds_sched *s, ds_ioent *io) {
    assert(io->load.where != OPQ_HELD); /* only SAVEs are held */
    if (io->load.queued) {
        ds_sq_unlink(&s->q, &io->load);
        s->queued--;
    }
    ds_sched_flag_move(s, io, DS_FLAG_LOAD, 0);
}

void ds_sched_unblocked(ds_sched *s, ds_ioent *io) {
    if (!io->load.queued || (io->flags & (DS_FLAG_SAVE | DS_FLAG_SAVEINPROG))) return;
    assert(io->flags & DS_FLAG_LOAD);
    if (s->pol->unblocked) s->pol->unblocked(&s->q, &io->load);
    assert(io->load.where == OPQ_QUEUED);
}

/* ---- jobs and the pump ---- */

uint64_t ds_sched_in_flight(const ds_sched *s) { return s->jnew.count + s->jproc.count; }

/* The safety check: can this op become a job now? (Rule 4 and its guard; rule 3's "no SAVE
 * while a SAVE of the key is in progress".) Policies never bypass it. */
static bool pushable(const ds_sched *s, const ds_qop *op) {
    const ds_ioent *io = op->io;
    assert(op->queued && io && (op == &io->load || op == &io->save));
    if (op->type == OPQ_LOAD) {
        if (io->flags & (DS_FLAG_LOADINPROG | DS_FLAG_SAVEINPROG)) return false;
        return s->env.cfg->load_priority == DS_LOAD_ALWAYS_HEAD || !(io->flags & DS_FLAG_SAVE);
    }
    if (io->flags & DS_FLAG_LOADINPROG) return false;
    if (s->env.save_held && s->env.save_held(s->env.ctx, io)) return false; /* bounded drain */
    return !(io->flags & DS_FLAG_SAVEINPROG) || s->env.cfg->concurrent_saves;
}

static bool push_job(ds_sched *s, ds_qop *op, int64_t now) {
    ds_ioent *io = op->io;
    ds_job *j = ds_slab_alloc(&s->slab, sizeof *j);
    if (!j) return false; /* stays queued; retried at the next pump */
    ds_sq_unlink(op->where == OPQ_HELD ? &s->held : &s->q, op);
    s->queued--;
    /* Every field is set here: no memset of the whole job, whose error text is 256 bytes. */
    j->value = NULL;
    j->result = DS_OK;
    j->host_data = NULL;
    j->err.msg[0] = '\0';
    j->size_hint = 0;
    j->prev = j->next = NULL;
    j->key = io->key;
    j->keylen = io->node.keylen;
    j->id = s->next_job_id++;
    j->created_us = now;
    j->ioent = io;
    j->state = JOB_NEW;
    if (op->type == OPQ_LOAD) {
        j->type = DS_JOB_LOAD;
        j->size_hint = io->size_hint;
        ds_sched_flag_move(s, io, DS_FLAG_LOAD, DS_FLAG_LOADINPROG);
    } else {
        j->type = DS_JOB_SAVE;
        j->value = s->env.save_value(s->env.ctx, io);       /* the value current at push time */
        bool joins = (io->flags & DS_FLAG_SAVEINPROG) != 0; /* concurrent-saves=on only */
        assert(!joins || s->env.cfg->concurrent_saves);
        ds_sched_flag_move(s, io, DS_FLAG_SAVE, joins ? 0 : DS_FLAG_SAVEINPROG);
        io->saves_inflight++;
    }
    ds_jl_push(&s->jnew, j);
    assert(!op->queued && s->jnew.tail == j);
    return true;
}

/* Try to push op (queued or held); true when it became a job. */
static bool try_push(ds_sched *s, ds_qop *op, int64_t now) {
    assert(ds_sched_in_flight(s) < s->env.cfg->max_io_jobs); /* max-io-jobs */
    if (!pushable(s, op)) return false;
    bool early = op->type == OPQ_SAVE && op->due_us > now;
    if (!push_job(s, op, now)) return false;
    if (early) s->env.st->asap_pushes++;
    return true;
}

/* ASAP with hold_saves: once the queue is walked, held SAVEs go in due order as slots free up
 * (they are all later than any ready op, and every policy orders SAVEs by due time). Releasing
 * them all into the queue instead would cost a pass over every held SAVE per ASAP pump. */
static uint64_t push_held(ds_sched *s, int64_t now, uint32_t max) {
    uint64_t pushed = 0;
    uint64_t visited __attribute__((unused)) = 0, len __attribute__((unused)) = s->held.count;
    for (ds_qop *op = s->held.head, *next; op && ds_sched_in_flight(s) < max; op = next) {
        next = op->next;
        assert(visited < len && op->where == OPQ_HELD);
        if (visited++ >= len) { /* the walk is bounded by the held list */
            s->env.st->invariant_errors++;
            break;
        }
        pushed += try_push(s, op, now);
    }
    return pushed;
}

void ds_sched_pump(ds_sched *s, bool asap) {
    uint32_t max = s->env.cfg->max_io_jobs;
    if ((!s->q.head && !s->held.head) || ds_sched_in_flight(s) >= max) return; /* common */
    int64_t now = s->env.now_us(s->env.now_ctx);
    if (s->held.head) held_release(s, now, false);
    uint64_t pushed = 0;
    uint64_t visited __attribute__((unused)) = 0, len __attribute__((unused)) = s->q.count;
    ds_qop *op = s->q.head;
    while (op && ds_sched_in_flight(s) < max) {
        ds_qop *next = op->next;
        assert(visited < len); /* the walk is bounded by the queue */
        if (visited++ >= len) {
            s->env.st->invariant_errors++;
            break;
        }
        ds_sched_step step = DS_STEP_TAKE;
        if (s->pol->step)
            step = s->pol->step(&s->q, op, now, asap);
        else if (ds_sq_save_young(op, now, asap))
            step = DS_STEP_SKIP; /* rule 3; never the case with hold_saves (held instead) */
        assert(!(s->pol->hold_saves && ds_sq_save_young(op, now, false)));
        if (step == DS_STEP_STOP) break;
        if (step == DS_STEP_TAKE) pushed += try_push(s, op, now);
        op = next;
    }
    if (asap && s->held.head) pushed += push_held(s, now, max);
    if (pushed && s->env.jobs_ready) s->env.jobs_ready(s->env.ctx);
}

ds_status ds_sched_not_in_flight(ds_sched *s, const ds_job *job) {
    return ds_err_set(s->env.err, DS_ERR_STATE, "job %llu is not in flight",
                      (unsigned long long)job->id);
}
