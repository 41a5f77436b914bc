/*
 * table.c - the IO-ordering policies by name (io-policy=NAME[:params]). Adding a policy is one
 * file in this folder and one row here; the first row is the default.
 */
#include <string.h>

#include "../iosched.h"

extern const ds_sched_policy ds_iopolicy_seed;
extern const ds_sched_policy ds_iopolicy_fifo;
extern const ds_sched_policy ds_iopolicy_loads_first;
extern const ds_sched_policy ds_iopolicy_edf;

static const ds_sched_policy *const policies[] = {
    &ds_iopolicy_seed,
    &ds_iopolicy_fifo,
    &ds_iopolicy_loads_first,
    &ds_iopolicy_edf,
};
#define NPOLICIES (sizeof policies / sizeof policies[0])

const ds_sched_policy *ds_sched_policy_at(size_t i) { return i < NPOLICIES ? policies[i] : NULL; }

const ds_sched_policy *ds_sched_policy_find(const char *name, size_t namelen) {
    for (size_t i = 0; i < NPOLICIES; i++)
        if (strlen(policies[i]->name) == namelen && !strncmp(policies[i]->name, name, namelen))
            return policies[i];
    return NULL;
}

const char *ds_io_policy_name(size_t i) { return i < NPOLICIES ? policies[i]->name : NULL; }
