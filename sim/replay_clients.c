/*
 * replay_clients.c - the replay's clients as data: the id -> index map, the FIFO of records
 * waiting for a busy client (pooled nodes; the keys are copied, since a reader's record lives
 * only until the next read), and the in-flight copy a parked command keeps for its answer.
 * replay.c decides when a client issues, is answered and wakes.
 */
#include <stdlib.h>
#include <string.h>

#include "replay_int.h"

/* ---- client map ------------------------------------------------------------------------ */

ds_status rp_clients_init(rp_run *r, ds_err *err) {
    r->cmap_cap = 256;
    r->cmap = calloc(r->cmap_cap, sizeof *r->cmap);
    r->ccap = 64;
    r->lent = UINT32_MAX;
    r->clients = calloc(r->ccap, sizeof *r->clients);
    if (!r->cmap || !r->clients) return ds_err_set(err, DS_ERR_NOMEM, "replay: out of memory");
    return DS_OK;
}

static void inflight_free(rp_inflight *f) {
    free(f->kbuf);
    free(f->keys);
    free(f->snaps);
    free(f->vals);
}

void rp_clients_free(rp_run *r) {
    for (uint32_t i = 0; i < r->nclients; i++) {
        rp_client *c = &r->clients[i];
        for (rp_qnode *n = c->head, *nx; n; n = nx) {
            nx = n->next;
            if (n->data != n->inl) free(n->data);
            free(n);
        }
        if (c->parked) rp_release_vals(&c->fl); /* a run that stopped early */
        inflight_free(&c->fl);
    }
    for (rp_qnode *n = r->free_nodes, *nx; n; n = nx) {
        nx = n->next;
        if (n->data != n->inl) free(n->data);
        free(n);
    }
    free(r->clients);
    free(r->cmap);
}

static uint32_t cmap_slot(uint64_t id, uint32_t cap) {
    return (uint32_t)(ds_hash64(&id, sizeof id, 0x5151) & (cap - 1));
}

static bool cmap_grow(rp_run *r) {
    uint32_t ncap = r->cmap_cap * 2;
    uint32_t *nm = calloc(ncap, sizeof *nm);
    if (!nm) return false;
    for (uint32_t i = 0; i < r->nclients; i++) {
        uint32_t s = cmap_slot(r->clients[i].id, ncap);
        while (nm[s])
            s = (s + 1) & (ncap - 1);
        nm[s] = i + 1;
    }
    free(r->cmap);
    r->cmap = nm;
    r->cmap_cap = ncap;
    return true;
}

uint32_t rp_client_lookup(rp_run *r, uint64_t id) {
    uint32_t s = cmap_slot(id, r->cmap_cap);
    for (uint32_t v; (v = r->cmap[s]) != 0; s = (s + 1) & (r->cmap_cap - 1))
        if (r->clients[v - 1].id == id) return r->cmap_last = v - 1;
    if (r->nclients == UINT32_MAX - 1) return UINT32_MAX;
    if ((r->nclients + 1) * 2 > r->cmap_cap) {
        if (!cmap_grow(r)) return UINT32_MAX;
        return rp_client_lookup(r, id);
    }
    if (r->nclients == r->ccap) {
        rp_client *nc = realloc(r->clients, 2 * (size_t)r->ccap * sizeof *nc);
        if (!nc) return UINT32_MAX;
        r->clients = nc;
        r->ccap *= 2;
    }
    rp_client *c = &r->clients[r->nclients];
    memset(c, 0, sizeof *c);
    c->id = id;
    c->starving = true;
    c->ready_ns = rp_now_ns(r);
    r->cmap[s] = r->nclients + 1;
    r->cmap_last = r->nclients;
    return r->nclients++;
}

/* ---- FIFO nodes ------------------------------------------------------------------------- */

static rp_qnode *node_get(rp_run *r, uint32_t bytes) {
    rp_qnode *n = r->free_nodes;
    if (n)
        r->free_nodes = n->next;
    else {
        n = calloc(1, sizeof *n);
        if (!n) return NULL;
        n->data = n->inl;
        n->cap = sizeof n->inl;
    }
    if (bytes > n->cap) {
        unsigned char *d = malloc(bytes);
        if (!d) {
            n->next = r->free_nodes;
            r->free_nodes = n;
            return NULL;
        }
        if (n->data != n->inl) free(n->data);
        n->data = d;
        n->cap = bytes;
    }
    n->next = NULL;
    return n;
}

ds_status rp_client_push(rp_run *r, rp_client *c, const ds_trace_req *q, int64_t intended_ns,
                         ds_err *err) {
    if (c->qlen >= r->o->client_queue_max)
        return ds_err_set(err, DS_ERR_ARG,
                          "%s:%llu: client %llu has %llu requests queued "
                          "(--client-queue-max)",
                          r->o->trace, (unsigned long long)q->line, (unsigned long long)c->id,
                          (unsigned long long)c->qlen);
    uint32_t bytes = 0;
    for (uint32_t i = 0; i < q->nkeys; i++)
        bytes += 4 + q->keys[i].len;
    rp_qnode *n = node_get(r, bytes);
    if (!n) return ds_err_set(err, DS_ERR_NOMEM, "replay: out of memory");
    n->op = q->op;
    n->nkeys = q->nkeys;
    n->size = q->size;
    n->ttl_s = q->ttl_s;
    n->next_access = q->next_access;
    n->line = q->line;
    n->intended_ns = intended_ns;
    n->hash0 = q == &r->req ? r->req_hash : 0;
    n->len = bytes;
    unsigned char *p = n->data;
    for (uint32_t i = 0; i < q->nkeys; i++) {
        memcpy(p, &q->keys[i].len, 4);
        memcpy(p + 4, q->keys[i].p, q->keys[i].len);
        p += 4 + q->keys[i].len;
    }
    if (c->tail)
        c->tail->next = n;
    else
        c->head = n;
    c->tail = n;
    c->qlen++;
    if (!r->closed) { /* closed loop: a FIFO is read-ahead of the trace, not a queue */
        r->queued++;
        if (c->qlen > r->queue_max) r->queue_max = c->qlen;
    }
    return DS_OK;
}

/* ---- in-flight copies and their values
 * --------------------------------------------------------------------- */

static bool inflight_reserve(rp_inflight *f, uint32_t nkeys, size_t kbytes) {
    if (nkeys > f->cap) {
        ds_key *k = realloc(f->keys, nkeys * sizeof *k);
        if (k) f->keys = k;
        ds_oracle_snap *s = realloc(f->snaps, nkeys * sizeof *s);
        if (s) f->snaps = s;
        ds_value **v = realloc(f->vals, nkeys * sizeof *v);
        if (v) f->vals = v;
        if (!k || !s || !v) return false;
        f->cap = nkeys;
    }
    if (kbytes > f->kcap) {
        unsigned char *b = realloc(f->kbuf, kbytes);
        if (!b) return false;
        f->kbuf = b;
        f->kcap = kbytes;
    }
    return true;
}

/* Copy what the answer of a parked command needs (the scratch is reused by the next issue). */
bool rp_inflight_copy(rp_inflight *f, const rp_inflight *s) {
    if (s->nkeys == 1 && f->cap && s->keys[0].len <= f->kcap) { /* a miss of one key */
        f->op = s->op;
        f->nkeys = 1;
        f->size = s->size;
        f->intended_ns = s->intended_ns;
        f->issue_ns = s->issue_ns;
        f->next_access = s->next_access;
        memcpy(f->kbuf, s->keys[0].p, s->keys[0].len);
        f->keys[0] = (ds_key){f->kbuf, s->keys[0].len};
        f->snaps[0] = s->snaps[0];
        f->vals[0] = s->vals[0];
        return true;
    }
    size_t kbytes = 0;
    for (uint32_t i = 0; i < s->nkeys; i++)
        kbytes += s->keys[i].len;
    if (!inflight_reserve(f, s->nkeys ? s->nkeys : 1, kbytes ? kbytes : 1)) return false;
    f->op = s->op;
    f->nkeys = s->nkeys;
    f->size = s->size;
    f->intended_ns = s->intended_ns;
    f->issue_ns = s->issue_ns;
    f->next_access = s->next_access;
    size_t off = 0;
    for (uint32_t i = 0; i < s->nkeys; i++) {
        memcpy(f->kbuf + off, s->keys[i].p, s->keys[i].len);
        f->keys[i] = (ds_key){f->kbuf + off, s->keys[i].len};
        off += s->keys[i].len;
        f->snaps[i] = s->snaps[i];
        f->vals[i] = s->vals[i];
    }
    return true;
}

void rp_release_vals(rp_inflight *f) {
    if (f->op != DS_OP_SET && f->op != DS_OP_EXEC) return;
    uint32_t n = f->op == DS_OP_SET ? 1 : f->nkeys;
    for (uint32_t i = 0; i < n; i++) {
        ds_value_unref(f->vals[i]);
        f->vals[i] = NULL;
    }
}
