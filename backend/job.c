/*
 * job.c - run a core IO job on a backend.
 *
 * The core speaks in jobs (LOAD key / SAVE key with the value current at push time, or NULL to
 * delete); backends speak in get/set/del calls. This file is the only translation between the
 * two, so the two-phase call protocol (plan, wait service_us, then act) and the mapping of
 * backend statuses onto the three results the core understands (ok, not-found, io-error) live
 * in one place. It touches only the job and the backend, so worker threads may call it.
 */
#include "dslab.h"

#include <string.h>

ds_bop ds_job_bop(const ds_job *job) {
    if (job->type == DS_JOB_LOAD) return DS_BOP_GET;
    return job->value ? DS_BOP_SET : DS_BOP_DEL;
}

void ds_job_plan(ds_backend *b, const ds_job *job, ds_call *call) {
    memset(call, 0, sizeof(*call));
    if (!b || !job) return;
    b->ops->plan(b, ds_job_bop(job), job->key, job->keylen, call);
}

/*
 * LOAD: DS_OK adopts the backend's fresh value into job->value (an owned reference the core
 * takes over), DS_NOT_FOUND leaves it NULL. SAVE: a delete of a key that is already absent is a
 * success (the disk now holds what the keyspace says). Any other failure (io, corrupt, nomem)
 * becomes DS_ERR_IO for the core, with the backend's message kept in job->err.
 */
void ds_job_run(ds_backend *b, ds_job *job, ds_call *call) {
    ds_status st;
    if (!job) return;
    job->err.msg[0] = '\0';
    if (!b) {
        job->result =
            ds_err_set(&job->err, DS_ERR_IO, "job %llu: no backend", (unsigned long long)job->id);
        return;
    }
    ds_call local;
    if (!call) {
        local = (ds_call){0, false, 0};
        call = &local;
    }
    if (job->type == DS_JOB_LOAD) {
        ds_value *v = NULL;
        call->size_hint = job->size_hint;
        st = b->ops->get(b, call, job->key, job->keylen, &v, &job->err);
        if (st == DS_OK) { /* a miss's answer: nothing to map */
            job->value = v;
            job->result = DS_OK;
            return;
        }
        ds_value_unref(v);
    } else if (job->value) {
        st = b->ops->set(b, call, job->key, job->keylen, job->value, &job->err);
    } else {
        st = b->ops->del(b, call, job->key, job->keylen, &job->err);
        if (st == DS_NOT_FOUND) st = DS_OK;
    }
    if (st != DS_OK && st != DS_NOT_FOUND) {
        if (!job->err.msg[0])
            ds_err_set(&job->err, st, "backend %s: %s", b->ops->name, ds_status_name(st));
        st = DS_ERR_IO;
    }
    if (st == DS_NOT_FOUND && job->type != DS_JOB_LOAD) st = DS_OK;
    job->result = st;
}
