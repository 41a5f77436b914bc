/*
 * races.c - the oracle's view of each answer (reads checked, writes acknowledged with who and
 * when), and naming a race: every oracle violation becomes a races.csv row that says which rule
 * the run's toggles break and which two events raced (the key's last acknowledged write, and
 * the read or point-in-time drain that observed the wrong state). The first one of a run is
 * also kept as one line for `dslab check` and `dslab explore`.
 *
 * Why the rule comes from the toggles: the core does not know it broke a rule (a toggle that
 * makes it break one is the experiment), while the run knows exactly which guards it turned
 * off. With no toggle on, a violation is a bug of dslab itself and its rule is "none".
 */
#include <stdio.h>
#include <string.h>

#include "replay_int.h"

void ds_toggle_rules(const ds_config *c, char *buf, size_t cap) {
    bool r[11] = {false};
    r[2] = c->drop_failed_saves;
    r[3] = c->concurrent_saves;
    r[4] = c->load_priority == DS_LOAD_ALWAYS_HEAD;
    r[6] = c->load_ignores_writes || c->negcache_on_stale_load || c->load_drops_ttl;
    r[7] = !c->negcache;
    r[8] = c->evict_busy_keys || c->negcache_on_evict;
    r[9] = c->unpin_parked_keys;
    r[10] = c->drain_snapshot;
    size_t n = 0;
    buf[0] = 0;
    for (int i = 1; i <= 10 && n + 4 < cap; i++)
        if (r[i]) n += (size_t)snprintf(buf + n, cap - n, "%s%d", n ? "+" : "", i);
    if (n == 0) snprintf(buf, cap, "none");
}

/* Record one violation (row has the observer, key, expected/observed and kind filled). */
void rp_race(rp_run *r, ds_race_row *row) {
    ds_oracle_write w;
    row->rule = r->rule;
    row->has_write = ds_oracle_last_write(r->oracle, row->key, row->keylen, &w);
    char buf[24]; /* binary (object-id) keys are printed as text */
    ds_key t = ds_key_text(&(ds_key){row->key, row->keylen}, r->binary_keys, buf);
    row->key = t.p;
    row->keylen = t.len;
    if (row->has_write) {
        row->write_time_us = w.time_us;
        row->write_client = w.client;
        row->write_op = ds_op_name(w.op);
        row->write_version = w.version;
    }
    if (!r->first_race[0]) {
        int klen = (int)(row->keylen > 40 ? 40 : row->keylen);
        char wbuf[96] = "no write";
        if (row->has_write)
            snprintf(wbuf, sizeof wbuf, "write %s %s @%lld c%llu", row->write_op, w.version,
                     (long long)w.time_us, (unsigned long long)w.client);
        snprintf(r->first_race, sizeof r->first_race,
                 "rule %s: %s key %.*s: %s; %s @%lld c%llu saw %s (expected %s)", r->rule,
                 row->kind, klen, (const char *)row->key, wbuf, row->op, (long long)row->time_us,
                 (unsigned long long)row->client, row->observed, row->expected);
    }
    ds_err e;
    if (ds_metrics_race_row(r->metrics, row, &e) != DS_OK) rp_set_fatal(r, DS_ERR_IO, e.msg);
}

/* ---- the oracle's view of one answer ---- */

static void check_read_full(rp_run *r, int64_t now_us, uint64_t client, ds_op op,
                            const rp_inflight *f, uint32_t i, const ds_value *v);

static inline void check_read(rp_run *r, int64_t now_us, uint64_t client, ds_op op,
                              const rp_inflight *f, uint32_t i, const ds_value *v) {
    if (!ds_oracle_read_plain(r->oracle, v)) check_read_full(r, now_us, client, op, f, i, v);
}

static __attribute__((noinline)) void check_read_full(rp_run *r, int64_t now_us, uint64_t client,
                                                      ds_op op, const rp_inflight *f, uint32_t i,
                                                      const ds_value *v) {
    char exp[32], obs[32];
    const ds_key *k = &f->keys[i];
    if (ds_oracle_check(r->oracle, k->p, k->len, v, &f->snaps[i], now_us, exp, obs, sizeof exp))
        return;
    r->stale_reads++;
    ds_race_row row = {.time_us = now_us,
                       .issue_us = f->issue_ns / 1000,
                       .client = client,
                       .op = ds_op_name(op),
                       .key = k->p,
                       .keylen = k->len,
                       .expected = exp,
                       .observed = obs,
                       .kind = "stale_read"};
    rp_race(r, &row);
}

static void ack(rp_run *r, int64_t now_us, uint64_t client, ds_op op, const ds_key *k,
                const ds_value *v) {
    ds_err e;
    if (ds_oracle_ack_at(r->oracle, k->p, k->len, v, now_us, client, op, &e) != DS_OK)
        rp_set_fatal(r, DS_ERR_NOMEM, e.msg);
}

static void exec_sub_failed(rp_run *r, ds_status st) {
    r->errors++;
    if (!r->first_error[0])
        snprintf(r->first_error, sizeof r->first_error, "a SET inside EXEC answered %s",
                 ds_status_name(st));
}

/* The oracle's view of one answer. SET and DEL acknowledge; reads are checked. */
void rp_oracle_answer(rp_run *r, int64_t now_us, uint64_t client, const rp_inflight *f,
                      const ds_reply *rep) {
    switch (f->op) {
    case DS_OP_GET:
    case DS_OP_MGET:
        for (uint32_t i = 0; i < f->nkeys && i < rep->n; i++)
            check_read(r, now_us, client, f->op, f, i, rep->values[i]);
        break;
    case DS_OP_EXISTS:
        if (f->nkeys == 1 && rep->count == 0) check_read(r, now_us, client, f->op, f, 0, NULL);
        break;
    case DS_OP_SET: ack(r, now_us, client, f->op, &f->keys[0], f->vals[0]); break;
    case DS_OP_DEL:
        for (uint32_t i = 0; i < f->nkeys; i++)
            ack(r, now_us, client, f->op, &f->keys[i], NULL);
        break;
    case DS_OP_EXEC:
        for (uint32_t i = 0; i < f->nkeys && i < rep->n; i++)
            if (rep->sub[i].n == 1)
                check_read(r, now_us, client, DS_OP_EXEC, f, i, rep->sub[i].values[0]);
        /* A SET of the EXEC that failed (evict-at=insert refuses a write the memory limit
         * cannot take) wrote nothing: acknowledging it made the oracle report stale reads. */
        for (uint32_t i = 0; i < f->nkeys; i++) {
            const ds_reply *w = f->nkeys + i < rep->n ? &rep->sub[f->nkeys + i] : NULL;
            if (!w || w->status == DS_OK)
                ack(r, now_us, client, f->op, &f->keys[i], f->vals[i]);
            else
                exec_sub_failed(r, w->status);
        }
        break;
    default: break;
    }
}
