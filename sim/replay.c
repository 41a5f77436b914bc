/*
 * replay.c - the engine-independent part of a replay: clients, issuing commands, answers,
 * oracle checks, metrics calls.
 *
 * Clients: one per trace client id (a hash map id -> index). A client has at most one command
 * in the core; a record that reaches a busy client waits in the client's FIFO (bounded by
 * --client-queue-max) and is issued when the client is answered. The FIFO copies the record's
 * keys into pooled nodes (keys of a reader record live only until the next read), so the hot
 * path of a free client does no allocation besides the SET's value.
 *
 * host.reply never calls into the cache: it checks the answer, records latency, acknowledges
 * writes and asks the engine to wake the client (now, or after --think in closed loop). The
 * wake-up issues the next request.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay_int.h"

ds_cache *rp_cache(rp_run *r) { return r->cache; }
ds_iolat *rp_iolat(rp_run *r) { return r->iolat; }
ds_backend *rp_backend(rp_run *r) { return r->backend; }
bool rp_closed(const rp_run *r) { return r->closed; }
bool rp_stopping(const rp_run *r) { return r->o->stop && *r->o->stop; }
uint64_t rp_clients_parked(const rp_run *r) { return r->parked; }

void rp_set_fatal(rp_run *r, ds_status st, const char *msg) {
    if (r->fatal != DS_OK) return;
    r->fatal = st;
    snprintf(r->fatal_err.msg, sizeof r->fatal_err.msg, "%s", msg);
}

ds_status rp_take_fatal(rp_run *r, ds_err *err) {
    if (r->fatal == DS_OK) return DS_OK;
    return ds_err_set(err, r->fatal, "%s", r->fatal_err.msg);
}

/* active_clients: a client is active while it has a request queued, in the core, or is in
 * its think time; the replay integrates the count over time for the timeseries. */
static void active_changed(rp_run *r, rp_client *c, bool act);

/* The client has a request waiting to be issued: in its FIFO or lent (rp_run.lent). */
static inline bool has_queued(const rp_client *c) { return c->head || c->lent; }

static inline void update_active(rp_run *r, rp_client *c) {
    bool act = c->parked | c->woken | c->pending_set | has_queued(c) | c->sent;
    if (act != c->active) active_changed(r, c, act);
}

/* update_active where the client is known to be active (woken or sent just now). */
static inline void set_active(rp_run *r, rp_client *c) {
    if (!c->active) active_changed(r, c, true);
}

static __attribute__((noinline)) void active_changed(rp_run *r, rp_client *c, bool act) {
    int64_t now = rp_now_ns(r);
    r->active_area += r->nactive * (uint64_t)(now - r->active_since_ns);
    r->active_since_ns = now;
    c->active = act;
    if (act)
        r->nactive++;
    else
        r->nactive--;
}

void rp_gauges(rp_run *r, ds_gauges *g) {
    int64_t now = rp_now_ns(r);
    g->client_queue_len = r->queued;
    g->active_area = r->active_area + r->nactive * (uint64_t)(now - r->active_since_ns);
    g->core_busy_ns = r->eng->ops->core_busy_ns ? r->eng->ops->core_busy_ns(r->eng) : -1;
}

/* ---- answers ------------------------------------------------------------------------------- */

/* One answer (immediate or resumed): latency, oracle, follow-ups; then the client may go on. */
static inline __attribute__((always_inline)) void answer(rp_run *r, rp_client *c, rp_inflight *f,
                                                         const ds_reply *rep) {
    int64_t now = rp_now_ns(r);
    /* the row before this answer gets fresh stats; row_end never runs ahead of the row's
     * end (rows only move forward), so below it no row can be due */
    if (now >= r->row_end && ds_metrics_row_due(r->metrics, now)) {
        ds_err e;
        if (rp_tick(r, now, &e) != DS_OK) rp_set_fatal(r, DS_ERR_IO, e.msg);
    }
    bool warm = r->warm;
    if (warm && r->o->warmup_ns && now >= r->o->warmup_ns) rp_phase(r, DS_PHASE_RUN);
    r->row_end = ds_metrics_answer(r->metrics, now, f->op, now - f->intended_ns, now - f->issue_ns);
    if (warm && r->o->warmup_requests && r->requests + 1 >= r->o->warmup_requests)
        rp_phase(r, DS_PHASE_RUN);
    c->ready_ns = now + (r->closed ? r->o->think_us * 1000 : 0);
    r->requests++;
    if (rep->status != DS_OK) {
        r->errors++;
        if (!r->first_error[0])
            snprintf(r->first_error, sizeof r->first_error, "%s answered %s", ds_op_name(f->op),
                     ds_status_name(rep->status));
    } else {
        if (!r->oracle) {
        } else if (f->op == DS_OP_GET && f->nkeys == 1 && rep->n >= 1 &&
                   ds_oracle_read_plain(r->oracle, rep->values[0])) {
            /* rp_oracle_answer's check of a GET decided without its call: a read-only
             * replay's every read (ds_oracle_read_plain) */
        } else {
            rp_oracle_answer(r, now / 1000, c->id, f, rep);
        }
        if (r->o->miss_is_set && f->op == DS_OP_GET && rep->n == 1 && !rep->values[0]) {
            /* The SET reuses the in-flight copy of the key: c->fl, filled when parked, or the
             * scratch for an immediate answer. */
            if (f != &c->fl && !rp_inflight_copy(&c->fl, f))
                rp_set_fatal(r, DS_ERR_NOMEM, "replay: out of memory");
            c->pending_set = true;
        }
    }
    if (f->op == DS_OP_SET || f->op == DS_OP_EXEC) rp_release_vals(f);
    if (r->o->progress && !r->o->quiet) /* ds_progress_new's condition: no call otherwise */
        ds_progress_update(r->progress, r->requests, now / 1000);
}

void rp_host_reply(void *ctx, uint64_t client, uint64_t tag, const ds_reply *rep) {
    rp_run *r = ctx;
    (void)tag;
    uint32_t idx = rp_client_index(r, client);
    if (idx == UINT32_MAX || !r->clients[idx].parked) {
        rp_set_fatal(r, DS_ERR_STATE, "replay: an answer for a client that is not parked");
        return;
    }
    rp_client *c = &r->clients[idx];
    c->parked = false;
    r->parked--;
    answer(r, c, &c->fl, rep);
    if (!c->woken && (r->closed || has_queued(c) || c->pending_set)) {
        c->woken = true;
        r->eng->ops->client_wake(r->eng, idx, r->closed ? r->o->think_us : 0);
    }
    if (c->woken)
        set_active(r, c);
    else
        update_active(r, c);
}

/* ---- issuing -------------------------------------------------------------------------------- */

static ds_value *new_value(rp_run *r, const ds_key *k, uint64_t size, int64_t expire_us) {
    if (r->oracle) return ds_oracle_value(r->oracle, k->p, k->len, size, expire_us);
    return ds_value_new(NULL, 0, size, expire_us);
}

/* Absolute expiry of a TTL given at `now`, saturating: a TTL too large for the clock (9.3e12 s
 * wrapped to a negative time and expired at once, in the cache and in the oracle's shadow,
 * which reads the value's expire time) means "never" in practice, so it becomes INT64_MAX,
 * which no run's clock reaches. 0 = no TTL. */
int64_t rp_expire_us(int64_t now_us, int64_t ttl_s) {
    if (ttl_s <= 0) return 0;
    if (ttl_s > (INT64_MAX - now_us) / 1000000) return INT64_MAX;
    return now_us + ttl_s * 1000000;
}

/* Build the command in the scratch: SET gets a fresh value; a trace EXEC is a read-modify-write
 * transaction: GET every key, then SET every key (trace.h). */
static ds_status build(rp_run *r, ds_cmd *cmd, int64_t now) {
    rp_inflight *f = &r->scratch;
    int64_t exp = 0;
    if (f->op == DS_OP_SET || f->op == DS_OP_EXEC) exp = rp_expire_us(now, f->ttl_s);
    *cmd = (ds_cmd){.op = f->op,
                    .nkeys = f->nkeys,
                    .keys = f->keys,
                    .size_hint = f->size,
                    .next_access = f->next_access};
    f->vals[0] = NULL; /* one key mostly: the loop alone compiles to a memset call */
    for (uint32_t i = 1; i < f->nkeys; i++)
        f->vals[i] = NULL;
    if (r->oracle && f->op != DS_OP_SET && f->op != DS_OP_DEL)
        for (uint32_t i = 0; i < f->nkeys; i++) {
            ds_oracle_snapshot_at(r->oracle, f->keys[i].p, f->keys[i].len, now, &f->snaps[i]);
        }
    if (f->op == DS_OP_SET) {
        if (!(f->vals[0] = new_value(r, &f->keys[0], f->size, exp))) return DS_ERR_NOMEM;
        cmd->value = f->vals[0];
    } else if (f->op == DS_OP_EXEC) {
        uint32_t n = f->nkeys;
        for (uint32_t i = 0; i < n; i++) {
            if (!(f->vals[i] = new_value(r, &f->keys[i], f->size, exp))) return DS_ERR_NOMEM;
            r->subs[i] = (ds_cmd){.op = DS_OP_GET, .nkeys = 1, .keys = &f->keys[i]};
            r->subs[n + i] =
                (ds_cmd){.op = DS_OP_SET, .nkeys = 1, .keys = &f->keys[i], .value = f->vals[i]};
        }
        *cmd = (ds_cmd){.op = DS_OP_EXEC,
                        .nsub = 2 * n,
                        .sub = r->subs,
                        .size_hint = f->size,
                        .next_access = f->next_access};
    }
    if (f->op == DS_OP_GET) cmd->key_hash = f->hash0; /* hashed once, to prefetch it */
    return DS_OK;
}

/* Issue the command described by the scratch (op, keys, size, ttl) for client idx. */
static ds_status issue(rp_run *r, uint32_t idx, int64_t issue_ns, ds_err *err) {
    rp_client *c = &r->clients[idx];
    rp_inflight *f = &r->scratch;
    int64_t now = rp_now(r);
    f->issue_ns = issue_ns;
    ds_cmd cmd;
    const ds_reply *rep = NULL;
    ds_status st = build(r, &cmd, now);
    if (st == DS_OK) {
        bool cpu = r->iolat && r->o->clock == DS_CLOCK_REAL; /* measured, not modelled */
        int64_t cpu0 = cpu ? ds_thread_cpu_ns() : 0;
        st = ds_cache_exec(r->cache, c->id, ++c->tag, &cmd, &rep);
        if (cpu) ds_iolat_cpu(r->iolat, (int)f->op, ds_thread_cpu_ns() - cpu0);
    }
    ds_reply fake;
    if (st == DS_BLOCKED) {
        if (!rp_inflight_copy(&c->fl, f)) {
            rp_release_vals(f);
            return ds_err_set(err, DS_ERR_NOMEM, "replay: out of memory");
        }
        c->parked = true;
        r->parked++;
    } else {
        if (st != DS_OK) {
            if (st == DS_ERR_NOMEM) {
                rp_release_vals(f);
                return ds_err_set(err, st, "replay: out of memory");
            }
            if (!r->first_error[0])
                snprintf(r->first_error, sizeof r->first_error, "%s",
                         ds_cache_last_error(r->cache));
            fake = (ds_reply){.status = st, .op = f->op};
            rep = &fake;
        }
        answer(r, c, f, rep); /* its one call here: inline */
    }
    r->eng->ops->pump(r->eng);
    return rp_take_fatal(r, err);
}

static void scratch_from_req(rp_run *r, const ds_trace_req *q, int64_t intended_ns) {
    rp_inflight *f = &r->scratch;
    f->intended_ns = intended_ns;
    f->op = q->op;
    f->nkeys = q->nkeys;
    f->size = q->size;
    f->ttl_s = q->ttl_s;
    f->next_access = q->next_access;
    f->keys = (ds_key *)q->keys;
    f->hash0 = q == &r->req ? r->req_hash : 0;
}

/* Closed loop: a request is intended when its client became free plus think time (a new
 * client is free from its first sight), whenever the engine gets round to reading it. Open
 * loop: its trace time. */
static void scratch_from_node(rp_run *r, const rp_client *c, const rp_qnode *n) {
    rp_inflight *f = &r->scratch;
    f->intended_ns = r->closed ? c->ready_ns : n->intended_ns;
    f->op = n->op;
    f->nkeys = n->nkeys;
    f->size = n->size;
    f->ttl_s = n->ttl_s;
    f->next_access = n->next_access;
    f->hash0 = n->hash0;
    f->keys = r->keys;
    const unsigned char *p = n->data;
    for (uint32_t i = 0; i < n->nkeys; i++) {
        uint32_t len;
        memcpy(&len, p, 4);
        r->keys[i] = (ds_key){p + 4, len};
        p += 4 + len;
    }
}

/* --miss-is-set: the SET of the missed object, from the same client. */
static ds_status issue_pending_set(rp_run *r, uint32_t idx, int64_t issue_ns, ds_err *err) {
    rp_client *c = &r->clients[idx];
    c->pending_set = false;
    rp_inflight *f = &r->scratch;
    f->op = DS_OP_SET;
    f->nkeys = 1;
    f->size = c->fl.size;
    f->ttl_s = 0;
    f->intended_ns = c->ready_ns; /* the follow-up is due as soon as the miss is answered */
    f->next_access = c->fl.next_access;
    f->hash0 = 0;
    r->keys[0] = c->fl.keys[0];
    f->keys = r->keys;
    return issue(r, idx, issue_ns, err);
}

/* Issue the client's next request (one in closed loop, as many as answer at once in open). */
/* Issue the client's next request now: its pending follow-up SET or the head of its FIFO. */
static ds_status issue_next(rp_run *r, uint32_t idx, int64_t issue_ns, ds_err *err) {
    rp_client *c = &r->clients[idx];
    if (c->pending_set) return issue_pending_set(r, idx, issue_ns, err);
    if (c->lent) { /* the reader's record, still current: issued in place */
        c->lent = false;
        r->lent = UINT32_MAX;
        scratch_from_req(r, &r->req, c->ready_ns);
        return issue(r, idx, issue_ns, err);
    }
    rp_qnode *n = c->head;
    c->head = n->next;
    if (!c->head) c->tail = NULL;
    c->qlen--;
    if (!r->closed) r->queued--;
    scratch_from_node(r, c, n);
    ds_status st = issue(r, idx, issue_ns, err);
    rp_node_put(r, n);
    return st;
}

/* CPU model: send the client's next request to the core; the engine runs it (rp_client_exec)
 * once the core has served everything ahead of it and spent the request's cost. */
static void send_next(rp_run *r, uint32_t idx) {
    rp_client *c = &r->clients[idx];
    c->sent = true;
    int64_t cost;
    if (c->pending_set)
        cost = ds_core_cost_cmd_ns(&r->o->core_cost, DS_OP_SET, 1);
    else if (c->lent)
        cost = ds_core_cost_cmd_ns(&r->o->core_cost, r->req.op, r->req.nkeys);
    else
        cost = ds_core_cost_cmd_ns(&r->o->core_cost, c->head->op, c->head->nkeys);
    c->sent_ns = cost; /* until it runs: its cost, to date its issue back to the core's start */
    r->eng->ops->core_submit(r->eng, idx, cost);
}

ds_status rp_client_exec(rp_run *r, uint32_t idx, ds_err *err) {
    rp_client *c = &r->clients[idx];
    c->sent = false;
    /* Issued when the core started it (now - its cost), as the real engine issues a request
     * when its main thread gets to it: the wait for the core (and the wake-up) is part of the
     * intended latency, not of the service latency, in both clocks. */
    int64_t issue_ns = rp_now_ns(r) - c->sent_ns;
    ds_status st;
    if (c->lent && !c->pending_set) { /* issue_next's closed-loop case, without its call */
        c->lent = false;
        r->lent = UINT32_MAX;
        scratch_from_req(r, &r->req, c->ready_ns);
        st = issue(r, idx, issue_ns, err);
    } else {
        st = issue_next(r, idx, issue_ns, err);
    }
    if (st == DS_OK && !c->parked) {
        if (r->closed && !c->woken) {
            c->woken = true;
            r->eng->ops->client_wake(r->eng, idx, r->o->think_us);
            set_active(r, c);
            return st;
        } else if (!r->closed && !c->woken && (has_queued(c) || c->pending_set)) {
            send_next(r, idx);
        }
    }
    update_active(r, c);
    return st;
}

static ds_status client_step_issue(rp_run *r, uint32_t idx, bool *idle, ds_err *err);

/* A woken client: with the CPU model its next request goes to the core (the common case, kept
 * small); a closed-loop client with nothing queued is idle (the engine reads the trace for
 * it); else it issues what it can now (client_step_issue). */
ds_status rp_client_step(rp_run *r, uint32_t idx, bool *idle, ds_err *err) {
    rp_client *c = &r->clients[idx];
    c->woken = false;
    *idle = false;
    if (r->model && !c->parked && !c->sent && (c->pending_set || has_queued(c))) {
        send_next(r, idx);
        update_active(r, c);
        return DS_OK;
    }
    if (r->closed && !c->parked && !c->sent && !c->pending_set && !has_queued(c)) {
        *idle = true; /* what client_step_issue finds; the fill that follows settles activity */
        c->starving = true;
        return DS_OK;
    }
    return client_step_issue(r, idx, idle, err);
}

static __attribute__((noinline)) ds_status client_step_issue(rp_run *r, uint32_t idx, bool *idle,
                                                             ds_err *err) {
    rp_client *c = &r->clients[idx];
    ds_status st = DS_OK;
    while (st == DS_OK && !c->parked && !c->sent) {
        if (c->pending_set || has_queued(c)) {
            st = issue_next(r, idx, rp_now_ns(r), err);
        } else {
            *idle = true;
            c->starving = true;
            break;
        }
        if (r->closed) break;
    }
    if (st == DS_OK && r->closed && !c->parked && !c->sent && !*idle && !c->woken) {
        c->woken = true;
        r->eng->ops->client_wake(r->eng, idx, r->o->think_us);
    }
    if (!(*idle && r->closed)) update_active(r, c); /* else the fill that follows does */
    return st;
}

/*
 * The next trace record, checked: a trace without any request is an error (an empty results
 * directory that looks complete is worse than a message), and in open loop a record earlier
 * than the one before it is an error unless --unsorted clamp issues it at the previous time
 * (closed loop ignores trace times, so order is all that matters there). The record is read
 * before the one ahead of it is answered: prefetching its key's slot lets the cache's lookup
 * overlap the engine's work (at 1M+ keys every lookup misses the CPU cache).
 */
/* The engines count time in ns (2^63 ns = 292 years): a span beyond 2^62 ns at this speed
 * would wrap (the exact test, for spans past rp_run.span_safe_us). */
static __attribute__((noinline)) bool span_ok(rp_run *r, const ds_trace_req *q, ds_err *err) {
    double first_us = (double)r->first_time_us;
    double speed = r->o->speed > 0 ? r->o->speed : 1.0;
    if (((double)q->time_us - first_us) * 1000.0 / speed <= 4611686018427387904.0) return true;
    ds_err_set(err, DS_ERR_ARG,
               "%s:%llu: %lld us after the first request is beyond the clock's range "
               "(2^62 ns, about 146 years, at --speed %g)",
               r->o->trace, (unsigned long long)q->line,
               (long long)(q->time_us - (int64_t)first_us), speed);
    return false;
}

static inline __attribute__((always_inline)) int next_record(rp_run *r, const ds_trace_req **req,
                                                             ds_err *err) {
    int rc = ds_reader_next(r->reader, &r->req, err);
    if (rc == 0 && r->records == 0) {
        ds_err_set(err, DS_ERR_ARG, "%s:1: no requests (the trace is empty or only a header)",
                   r->o->trace);
        return -1;
    }
    if (rc != 1) return rc;
    ds_trace_req *q = &r->req;
    if (!r->records) { /* half the range: below it the exact test (a division) cannot fail */
        double speed = r->o->speed > 0 ? r->o->speed : 1.0;
        r->span_safe_us = (uint64_t)(2305843009213693952.0 / 1000.0 * (speed < 1.0 ? speed : 1.0));
        r->first_time_us = q->time_us;
    } else {
        if (!r->closed && q->time_us < r->last_time_us) {
            if (r->o->unsorted != DS_UNSORTED_CLAMP) {
                ds_err_set(err, DS_ERR_ARG,
                           "%s:%llu: time goes backwards (%lld us after %lld us; --unsorted "
                           "clamp issues such a request at the previous time)",
                           r->o->trace, (unsigned long long)q->line, (long long)q->time_us,
                           (long long)r->last_time_us);
                return -1;
            }
            q->time_us = r->last_time_us;
            r->clamped++;
        }
        if ((uint64_t)(q->time_us - r->first_time_us) >= r->span_safe_us && !span_ok(r, q, err))
            return -1;
    }
    r->last_time_us = q->time_us;
    r->records++;
    *req = q;
    r->req_hash = ds_cache_key_hash(r->cache, q->keys[0].p, q->keys[0].len);
    ds_cache_prefetch_hash(r->cache, r->req_hash);
    return 1;
}

int rp_next_record(rp_run *r, const ds_trace_req **req, ds_err *err) {
    return next_record(r, req, err);
}

int64_t rp_arrival_ns(rp_run *r, const ds_trace_req *req) {
    if (!r->have_t0) {
        r->have_t0 = true;
        r->t0_us = req->time_us;
    }
    int64_t d = req->time_us - r->t0_us;
    if (d < 0) d = 0;
    if (r->o->speed == 1.0) return d * 1000;
    return (int64_t)((double)d * 1000.0 / r->o->speed);
}

ds_status rp_deliver(rp_run *r, const ds_trace_req *req, ds_err *err) {
    uint32_t idx = rp_client_index(r, req->client);
    if (idx == UINT32_MAX) return ds_err_set(err, DS_ERR_NOMEM, "replay: out of memory");
    rp_client *c = &r->clients[idx];
    c->starving = false;
    int64_t intended = rp_arrival_ns(r, req);
    ds_status st;
    if (c->parked || c->head || c->woken || c->pending_set || c->sent || r->model) {
        bool was_free = !(c->parked || c->head || c->woken || c->pending_set || c->sent);
        st = rp_client_push(r, c, req, intended, err);
        if (st == DS_OK && was_free) send_next(r, idx);
        update_active(r, c);
        return st;
    }
    scratch_from_req(r, req, intended);
    if (r->iolat) ds_iolat_add(r->iolat, DS_IOL_ARRIVAL_LATE, rp_now_ns(r) - intended);
    st = issue(r, idx, rp_now_ns(r), err);
    if (st == DS_OK && c->pending_set && !c->parked) {
        bool idle;
        st = rp_client_step(r, idx, &idle, err);
    }
    update_active(r, c);
    return st;
}

/*
 * Closed loop: queue a record in its client's FIFO, waking the client if it starves. `fill` is
 * the client the fill reads for (UINT32_MAX: none): its record ends the fill and with it the
 * current event, so when its wake-up would be the very next event anyway (the engine's
 * wake_inline says so and takes the event's sequence number), it runs here at once: the same
 * step at the same time in the same order, without a round through the event queue.
 */
static inline __attribute__((always_inline)) ds_status
enqueue(rp_run *r, const ds_trace_req *req, uint32_t fill, uint32_t *who, ds_err *err) {
    uint32_t idx = *who = rp_client_index(r, req->client);
    if (idx == UINT32_MAX) return ds_err_set(err, DS_ERR_NOMEM, "replay: out of memory");
    rp_client *c = &r->clients[idx];
    ds_status st = DS_OK;
    if (!c->head && req == &r->req) { /* nothing lent: lend_end ran before this read */
        c->lent = true;
        r->lent = idx;
    } else {
        st = rp_client_push(r, c, req, rp_now_ns(r), err);
    }
    if (st == DS_OK && c->starving && !c->woken && !c->parked) {
        c->starving = false;
        c->woken = true;
        if (idx == fill && r->eng->ops->wake_inline && r->eng->ops->wake_inline(r->eng)) {
            if (r->model && !c->sent) { /* rp_client_step's first case, without its call */
                c->woken = false;
                send_next(r, idx);
                set_active(r, c);
                return DS_OK;
            }
            bool idle;
            st = rp_client_step(r, idx, &idle, err);
            assert(!idle); /* it has the record just queued */
            return st;
        }
        r->eng->ops->client_wake(r->eng, idx, 0);
    }
    update_active(r, c);
    return st;
}

/* The trace is read on while a client's next request is the reader's record: copy it into
 * the client's FIFO, where it would have been all along (closed loop: its time is unused). */
static ds_status lend_end(rp_run *r, ds_err *err) {
    rp_client *c = &r->clients[r->lent];
    c->lent = false;
    r->lent = UINT32_MAX;
    return rp_client_push(r, c, &r->req, rp_now_ns(r), err);
}

/* Closed loop, after client idx went idle (its activity is settled here, after the fill). */
static inline __attribute__((always_inline)) ds_status closed_fill(rp_run *r, uint32_t idx,
                                                                   bool *eof, ds_err *err) {
    uint32_t who = UINT32_MAX; /* the client of the last record: enqueue settled its activity */
    while (!*eof) {
        const ds_trace_req *req = NULL;
        if (r->lent != UINT32_MAX) {
            ds_status st = lend_end(r, err);
            if (st != DS_OK) return st;
        }
        int rc = next_record(r, &req, err);
        if (rc < 0) return DS_ERR_ARG;
        if (rc == 0) {
            *eof = true;
            break;
        }
        ds_status st = enqueue(r, req, idx, &who, err);
        if (st != DS_OK) return st;
        if (idx == UINT32_MAX || !r->clients[idx].starving) break;
    }
    if (idx != UINT32_MAX && who != idx) update_active(r, &r->clients[idx]);
    return DS_OK;
}

ds_status rp_closed_fill(rp_run *r, uint32_t idx, bool *eof, ds_err *err) {
    return closed_fill(r, idx, eof, err);
}

ds_status rp_closed_wake(rp_run *r, uint32_t idx, bool *eof, ds_err *err) {
    rp_client *c = &r->clients[idx];
    if (!c->parked && !c->sent && !c->pending_set && !has_queued(c)) {
        c->woken = false; /* rp_client_step's idle case, without its call */
        c->starving = true;
        return closed_fill(r, idx, eof, err);
    }
    bool idle;
    ds_status st = rp_client_step(r, idx, &idle, err);
    if (st == DS_OK && idle) st = rp_closed_fill(r, idx, eof, err);
    return st;
}
