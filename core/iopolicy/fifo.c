/*
 * fifo.c - io-policy=fifo: strict first in, first out, by the time an op became ready.
 *
 * A LOAD is ready when it is scheduled; a SAVE when its flush delay has passed (the scheduler
 * holds it until then: hold_saves). Ready ops leave in exactly the order they became ready:
 * a LOAD that arrives behind a backlog of due SAVEs waits for all of them, which is what the
 * seed's head insertion avoids. Nothing else moves an op, so the order is the arrival order of
 * the ready queue; the scheduler's safety check may still hold one op back (its key is busy)
 * while later ones go.
 */
#include <assert.h>

#include "../iosched.h"

static void fifo_enqueue(ds_sched_q *q, ds_qop *op, bool wait_for_save) {
    (void)wait_for_save; /* rule 4's guard in the scheduler keeps it back; order is arrival */
    assert(op->type == OPQ_LOAD || op->type == OPQ_SAVE);
    ds_sq_push_tail(q, op);
    assert(q->tail == op);
}

const ds_sched_policy ds_iopolicy_fifo = {
    .version = DS_SCHED_POLICY_VERSION,
    .name = "fifo",
    .help = "strict FIFO of ready ops (a SAVE is ready when its flush delay has passed)",
    .hold_saves = true,
    .enqueue = fifo_enqueue,
};
