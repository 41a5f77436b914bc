/*
 * seed.c - io-policy=seed (the default): the 2011 diskstore's queue, as dslab always had it.
 *
 * One list. A LOAD joins the head (the newest miss goes first: a blocked client is waiting),
 * unless rule 4 makes it wait for a SAVE of its key: then it joins the tail, behind that SAVE.
 * SAVEs join the tail in due order, so the pump stops at the first SAVE inside its flush delay:
 * everything after it is younger, or a LOAD that waits for a SAVE anyway. When a key's SAVE
 * completes and none is scheduled, its queued LOAD moves to the head.
 */
#include <assert.h>

#include "../iosched.h"

static void seed_enqueue(ds_sched_q *q, ds_qop *op, bool wait_for_save) {
    if (op->type == OPQ_LOAD) {
        if (wait_for_save)
            ds_sq_push_tail(q, op);
        else
            ds_sq_push_head(q, op);
        return;
    }
    assert(op->type == OPQ_SAVE);
    /* Keep the SAVEs in due order; a retry (due later than now + flush delay, or earlier)
     * walks back from the tail over the SAVEs due after it. */
    ds_qop *at = q->tail;
    while (at && at->type == OPQ_SAVE && at->due_us > op->due_us)
        at = at->prev;
    ds_sq_insert_after(q, at, op);
}

static void seed_unblocked(ds_sched_q *q, ds_qop *load) {
    assert(load->type == OPQ_LOAD);
    ds_sq_unlink(q, load);
    ds_sq_push_head(q, load);
}

static ds_sched_step seed_step(const ds_sched_q *q, const ds_qop *op, int64_t now_us, bool asap) {
    (void)q;
    return ds_sq_save_young(op, now_us, asap) ? DS_STEP_STOP : DS_STEP_TAKE; /* rule 3 */
}

const ds_sched_policy ds_iopolicy_seed = {
    .version = DS_SCHED_POLICY_VERSION,
    .name = "seed",
    .help = "the seed's queue: LOADs at the head (behind their key's SAVE), SAVEs in due order",
    .hold_saves = false,
    .enqueue = seed_enqueue,
    .unblocked = seed_unblocked,
    .step = seed_step,
};
