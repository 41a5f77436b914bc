/*
 * edf.c - io-policy=edf[:load-ms=N,save-ms=N]: earliest deadline first.
 *
 * Every op gets a deadline from its arrival (the time it was scheduled):
 *   LOAD: arrival + load-ms                       (default 5: a client is blocked on it)
 *   SAVE: arrival + its delay + save-ms = due + save-ms   (default 1000; the delay is
 *         cache-flush-delay, or the retry backoff after a failed SAVE)
 * and ready ops leave in deadline order (ties: arrival order). A SAVE is ready when due
 * (hold_saves). So LOADs normally go first, as in loads-first, but a SAVE that has been due for
 * save-ms - load-ms overtakes fresh LOADs: SAVEs cannot starve, and the dirty set stays
 * bounded under a read-heavy load.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../iosched.h"

#define EDF_LOAD_MS_DEFAULT 5
#define EDF_SAVE_MS_DEFAULT 1000
#define EDF_MS_MAX          86400000LL /* one day */
#define US_PER_MS           1000

typedef struct edf_state {
    int64_t load_us, save_us;
} edf_state;

/* One "name=N" pair; N in ms within [0, EDF_MS_MAX]. */
static ds_status edf_param(edf_state *st, const char *kv, size_t len, ds_err *err) {
    const char *eq = memchr(kv, '=', len);
    if (!eq) return ds_err_set(err, DS_ERR_CONFIG, "edf: '%.*s': expected name=ms", (int)len, kv);
    size_t nlen = (size_t)(eq - kv);
    char num[24];
    size_t vlen = len - nlen - 1;
    if (vlen == 0 || vlen >= sizeof num)
        return ds_err_set(err, DS_ERR_CONFIG, "edf: '%.*s': bad number", (int)len, kv);
    memcpy(num, eq + 1, vlen);
    num[vlen] = 0;
    char *end;
    errno = 0;
    long long ms = strtoll(num, &end, 10);
    if (errno || *end || num[0] == '-' || num[0] == '+' || ms > EDF_MS_MAX)
        return ds_err_set(err, DS_ERR_CONFIG, "edf: '%.*s': expected 0..%lld ms", (int)len, kv,
                          (long long)EDF_MS_MAX);
    if (nlen == 7 && !strncmp(kv, "load-ms", nlen))
        st->load_us = ms * US_PER_MS;
    else if (nlen == 7 && !strncmp(kv, "save-ms", nlen))
        st->save_us = ms * US_PER_MS;
    else
        return ds_err_set(err, DS_ERR_CONFIG, "edf: unknown parameter '%.*s' (load-ms, save-ms)",
                          (int)nlen, kv);
    return DS_OK;
}

static ds_status edf_init(const char *params, void **state, ds_err *err) {
    edf_state *st = calloc(1, sizeof *st);
    if (!st) return ds_err_set(err, DS_ERR_NOMEM, "edf: out of memory");
    st->load_us = EDF_LOAD_MS_DEFAULT * US_PER_MS;
    st->save_us = EDF_SAVE_MS_DEFAULT * US_PER_MS;
    for (const char *p = params ? params : ""; *p;) {
        size_t len = strcspn(p, ",");
        ds_status s = edf_param(st, p, len, err);
        if (s != DS_OK) {
            free(st);
            return s;
        }
        p += len + (p[len] == ',');
    }
    *state = st;
    return DS_OK;
}

static void edf_fini(void *state) { free(state); }

static void edf_enqueue(ds_sched_q *q, ds_qop *op, bool wait_for_save) {
    (void)wait_for_save;
    const edf_state *st = q->state;
    assert(st && (op->type == OPQ_LOAD || op->type == OPQ_SAVE));
    int64_t deadline =
        op->type == OPQ_LOAD ? op->arrival_us + st->load_us : op->due_us + st->save_us;
    ds_sq_insert_sorted(q, op, deadline);
    assert(!op->prev || op->prev->sort_key <= deadline);
}

const ds_sched_policy ds_iopolicy_edf = {
    .version = DS_SCHED_POLICY_VERSION,
    .name = "edf",
    .help = "earliest deadline first: LOAD arrival+load-ms, SAVE due+save-ms",
    .hold_saves = true,
    .init = edf_init,
    .fini = edf_fini,
    .enqueue = edf_enqueue,
};
