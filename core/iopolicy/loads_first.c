/*
 * loads_first.c - io-policy=loads-first: every ready LOAD before any SAVE; FIFO within each.
 *
 * Blocked clients wait on LOADs, nobody waits on a SAVE: so serve reads first. Unlike the
 * seed, LOADs keep their arrival order (the seed pushes the newest miss to the head), and a
 * LOAD that must wait for its key's SAVE stays in the LOAD part (the scheduler's guard keeps
 * it back until that SAVE is done). SAVEs join when their flush delay has passed
 * (hold_saves), in due order. Under a steady stream of misses SAVEs can starve until memory
 * pressure or a drain pushes them ASAP; edf bounds that.
 */
#include <assert.h>

#include "../iosched.h"

enum { LF_LOAD = 0, LF_SAVE = 1 }; /* sort keys: every LOAD sorts before every SAVE */

static void lf_enqueue(ds_sched_q *q, ds_qop *op, bool wait_for_save) {
    (void)wait_for_save;
    assert(op->type == OPQ_LOAD || op->type == OPQ_SAVE);
    ds_sq_insert_sorted(q, op, op->type == OPQ_LOAD ? LF_LOAD : LF_SAVE);
    assert(!op->next || op->next->sort_key >= op->sort_key);
}

const ds_sched_policy ds_iopolicy_loads_first = {
    .version = DS_SCHED_POLICY_VERSION,
    .name = "loads-first",
    .help = "every ready LOAD before any SAVE, FIFO within each",
    .hold_saves = true,
    .enqueue = lf_enqueue,
};
