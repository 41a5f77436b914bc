/*
 * registry.c - the table of built-in eviction policies, chosen by name, and the helpers every
 * policy uses to parse its "k=v,k=v" parameters.
 *
 * Adding a policy: write core/evict/NAME.c defining `const ds_evict_ops ds_evict_NAME`, add one
 * row below. Nothing else in core/ knows the policies by name.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../evict.h"

extern const ds_evict_ops ds_evict_lru_sampled, ds_evict_lru_exact, ds_evict_fifo, ds_evict_clock,
    ds_evict_sieve, ds_evict_s3fifo, ds_evict_arc, ds_evict_lfu, ds_evict_belady;

static const ds_evict_ops *const builtin[] = {
    &ds_evict_lru_sampled, &ds_evict_lru_exact, &ds_evict_fifo, &ds_evict_clock,  &ds_evict_sieve,
    &ds_evict_s3fifo,      &ds_evict_arc,       &ds_evict_lfu,  &ds_evict_belady,
};
#define NBUILTIN (sizeof builtin / sizeof builtin[0])

const ds_evict_ops *ds_evict_find(const char *name, size_t len) {
    for (size_t i = 0; i < NBUILTIN; i++)
        if (strlen(builtin[i]->name) == len && !strncmp(builtin[i]->name, name, len))
            return builtin[i];
    return NULL;
}

bool ds_evict_policy_describe(size_t i, const char **name, const char **help) {
    if (i >= NBUILTIN) return false;
    if (name) *name = builtin[i]->name;
    if (help) *help = builtin[i]->help;
    return true;
}

bool ds_evict_needs_next_access(const char *spec) {
    const ds_evict_ops *o = ds_evict_find(spec, strcspn(spec, ":"));
    return o && o->needs_next_access;
}

static ds_status check_ops(const ds_evict_ops *o, ds_err *err) {
    if (o->version != DS_EVICT_OPS_VERSION)
        return ds_err_set(err, DS_ERR_CONFIG, "evict: policy '%s' has ops version %d, want %d",
                          o->name ? o->name : "?", o->version, DS_EVICT_OPS_VERSION);
    if (!o->name || !o->init || !o->destroy || !o->on_insert || !o->on_access || !o->victim ||
        o->entry_bytes % 8 != 0)
        return ds_err_set(err, DS_ERR_CONFIG,
                          "evict: policy '%s' lacks a callback or has unaligned metadata",
                          o->name ? o->name : "?");
    return DS_OK;
}

ds_status ds_evict_resolve(const char *spec, const ds_evict_ops *override, const ds_evict_ops **ops,
                           const char **params, ds_err *err) {
    const char *colon = strchr(spec, ':');
    size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
    *params = colon ? colon + 1 : "";
    *ops = override ? override : ds_evict_find(spec, len);
    if (!*ops) {
        char known[256] = "";
        for (size_t i = 0; i < NBUILTIN; i++) {
            if (i) strncat(known, "|", sizeof known - strlen(known) - 1);
            strncat(known, builtin[i]->name, sizeof known - strlen(known) - 1);
        }
        return ds_err_set(err, DS_ERR_CONFIG, "evict: unknown policy '%.*s' (known: %s)", (int)len,
                          spec, known);
    }
    return check_ops(*ops, err);
}

ds_status ds_evict_check_spec(const char *spec, const ds_evict_ops *override, ds_err *err) {
    const ds_evict_ops *ops;
    const char *params;
    ds_status st = ds_evict_resolve(spec, override, &ops, &params, err);
    if (st != DS_OK) return st;
    if (override) return DS_OK; /* its parameters are the embedder's business */
    ds_evict probe = {.ops = ops, .samples = 1};
    st = ops->init(&probe, params, err);
    if (st == DS_OK) ops->destroy(&probe);
    return st;
}

bool ds_evict_param_next(const char **p, char *key, size_t keycap, char *val, size_t valcap) {
    const char *s = *p;
    while (*s == ',' || *s == ' ')
        s++;
    if (!*s) return false;
    size_t n = strcspn(s, "=,");
    size_t kl = n < keycap - 1 ? n : keycap - 1;
    memcpy(key, s, kl);
    key[kl] = '\0';
    s += n;
    val[0] = '\0';
    if (*s == '=') {
        s++;
        size_t m = strcspn(s, ",");
        size_t vl = m < valcap - 1 ? m : valcap - 1;
        memcpy(val, s, vl);
        val[vl] = '\0';
        s += m;
    }
    *p = s;
    return true;
}

ds_status ds_evict_param_double(const char *policy, const char *key, const char *val, double lo,
                                double hi, double *out, ds_err *err) {
    char *end;
    errno = 0;
    double d = strtod(val, &end);
    if (!*val || *end || errno || isnan(d) || d < lo || d > hi)
        return ds_err_set(err, DS_ERR_CONFIG, "evict: %s: %s=%s is not a number in [%g, %g]",
                          policy, key, val, lo, hi);
    *out = d;
    return DS_OK;
}

ds_status ds_evict_param_unknown(const char *policy, const char *key, ds_err *err) {
    return ds_err_set(err, DS_ERR_CONFIG, "evict: %s has no parameter '%s'", policy, key);
}
