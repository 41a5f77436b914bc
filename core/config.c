/*
 * config.c - the core's options, by their config names (DESIGN section 5).
 *
 * One table drives parsing, defaults, --help text and the effective-config dump, so a new
 * option is one line here. Parsing validates fully before touching the struct, so a bad value
 * leaves the config as it was.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dslab.h"
#include "evict.h"
#include "iosched.h"

void ds_config_default(ds_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
    cfg->max_memory_bytes = 0;
    cfg->max_keys = 0;
    cfg->flush_delay_ms = 1000;
    cfg->max_io_jobs = 10;
    cfg->negcache = true;
    cfg->negcache_max = 100000;
    cfg->evict_samples = 5;
    snprintf(cfg->evict, sizeof cfg->evict, "%s", "lru-sampled");
    cfg->evict_at = DS_EVICT_AT_CRON;
    cfg->load_priority = DS_LOAD_SAVE_FIRST;
    cfg->save_retry_ms = 100;
    cfg->save_retry_max_ms = 10000;
    cfg->seed = 1;
    snprintf(cfg->io_policy, sizeof cfg->io_policy, "%s", ds_sched_policy_at(0)->name);
}

typedef enum { T_SIZE, T_U64, T_MS, T_BOOL, T_ENUM, T_EVICT, T_IOPOL } opt_type;

typedef struct opt {
    const char *name;
    opt_type type;
    size_t off;
    const char *const *enums; /* T_ENUM: names, index = value */
    uint64_t min, max;
    const char *help;
} opt;

static const char *const evict_at_names[] = {"cron", "insert", NULL};
static const char *const prio_names[] = {"save-first", "always-head", NULL};

#define OFF(f) offsetof(ds_config, f)
static const opt opts[] = {
    {"cache-max-memory", T_SIZE, OFF(max_memory_bytes), NULL, 0, UINT64_MAX,
     "memory limit for cached entries (b/kb/mb/gb; 0 = unlimited)"},
    {"cache-max-keys", T_U64, OFF(max_keys), NULL, 0, UINT64_MAX,
     "limit on the number of cached keys (0 = unlimited)"},
    {"cache-flush-delay", T_MS, OFF(flush_delay_ms), NULL, 0, 86400000ull,
     "ms a SAVE waits before it is written (writes inside it coalesce)"},
    {"max-io-jobs", T_U64, OFF(max_io_jobs), NULL, 1, 1000000, "jobs handed to IO workers at once"},
    {"negcache", T_BOOL, OFF(negcache), NULL, 0, 1, "negative cache of absent keys"},
    {"negcache-max", T_U64, OFF(negcache_max), NULL, 1, UINT64_MAX,
     "bound on negative-cache entries"},
    {"evict-samples", T_U64, OFF(evict_samples), NULL, 1, 1024,
     "keys sampled per eviction (approximate LRU)"},
    {"evict", T_EVICT, OFF(evict), NULL, 0, 0, "eviction policy NAME[:k=v,...] (policies below)"},
    {"evict-at", T_ENUM, OFF(evict_at), evict_at_names, 0, 0,
     "when memory is reclaimed: cron|insert"},
    {"load-priority", T_ENUM, OFF(load_priority), prio_names, 0, 0,
     "save-first (rule 4) | always-head (experiment: breaks rule 4)"},
    {"concurrent-saves", T_BOOL, OFF(concurrent_saves), NULL, 0, 1,
     "experiment: allow two SAVEs of one key in flight"},
    {"evict-busy-keys", T_BOOL, OFF(evict_busy_keys), NULL, 0, 1,
     "experiment: evict keys with IO flags"},
    {"save-retry-backoff", T_MS, OFF(save_retry_ms), NULL, 1, 3600000,
     "ms before the first retry of a failed SAVE (doubles)"},
    {"save-retry-max", T_MS, OFF(save_retry_max_ms), NULL, 1, 86400000ull,
     "cap of the SAVE retry backoff in ms"},
    {"io-policy", T_IOPOL, OFF(io_policy), NULL, 0, 0,
     "IO ordering: seed|fifo|loads-first|edf[:load-ms=N,save-ms=N] (safety rules hold under all)"},
    {"negcache-on-evict", T_BOOL, OFF(negcache_on_evict), NULL, 0, 1,
     "experiment: eviction negative-caches the key (2011 bug; breaks rule 8)"},
    {"load-ignores-writes", T_BOOL, OFF(load_ignores_writes), NULL, 0, 1,
     "experiment: a LOAD installs over writes made while in flight (breaks rule 6)"},
    {"negcache-on-stale-load", T_BOOL, OFF(negcache_on_stale_load), NULL, 0, 1,
     "experiment: a not-found LOAD negative-caches over newer writes (breaks rule 6)"},
    {"unpin-parked-keys", T_BOOL, OFF(unpin_parked_keys), NULL, 0, 1,
     "experiment: keys of a parked command are evictable once loaded (breaks rule 9)"},
    {"load-drops-ttl", T_BOOL, OFF(load_drops_ttl), NULL, 0, 1,
     "experiment: a loaded value loses its expire time (breaks rule 6)"},
    {"drop-failed-saves", T_BOOL, OFF(drop_failed_saves), NULL, 0, 1,
     "experiment: a failed SAVE is not retried (breaks rule 2)"},
    {"drain-snapshot", T_BOOL, OFF(drain_snapshot), NULL, 0, 1,
     "experiment: the drain skips writes made during it (breaks rule 10)"},
    {"evict-ties", T_U64, OFF(evict_ties), NULL, 0, UINT64_MAX,
     "exploration: sampled victims within N accesses are equal; random pick"},
    {"buggify", T_BOOL, OFF(buggify), NULL, 0, 1,
     "exploration: BUGGIFY sites in the core perturb timing and choices"},
};
#define NOPTS (sizeof opts / sizeof opts[0])

static void store(ds_config *cfg, const opt *o, uint64_t n) {
    char *p = (char *)cfg + o->off;
    switch (o->type) {
    case T_SIZE:
    case T_U64:
        if (o->off == OFF(max_io_jobs) || o->off == OFF(evict_samples))
            *(uint32_t *)p = (uint32_t)n;
        else
            *(uint64_t *)p = n;
        break;
    case T_MS: *(int64_t *)p = (int64_t)n; break;
    case T_BOOL: *(bool *)p = n != 0; break;
    case T_ENUM: *(int *)p = (int)n; break;
    case T_EVICT: break; /* a string: set in ds_config_set */
    case T_IOPOL: break; /* a string: ds_config_set copies it */
    }
}

static uint64_t load(const ds_config *cfg, const opt *o) {
    const char *p = (const char *)cfg + o->off;
    switch (o->type) {
    case T_SIZE:
    case T_U64:
        if (o->off == OFF(max_io_jobs) || o->off == OFF(evict_samples)) return *(const uint32_t *)p;
        return *(const uint64_t *)p;
    case T_MS: return (uint64_t) * (const int64_t *)p;
    case T_BOOL: return *(const bool *)p;
    case T_ENUM: return (uint64_t) * (const int *)p;
    case T_EVICT: return 0;
    case T_IOPOL: return 0;
    }
    return 0;
}

/* "NAME[:params]": the name must be in the policy table (unless the config carries its own
 * policy) and the policy must accept the parameters. */
ds_status ds_config_check_io_policy(const ds_config *cfg, const char *value, ds_err *err) {
    size_t len = strcspn(value, ":");
    const char *params = value[len] == ':' ? value + len + 1 : "";
    const ds_sched_policy *p = cfg->io_policy_ops;
    if (!p && !(p = ds_sched_policy_find(value, len))) {
        char names[256];
        size_t used = 0;
        names[0] = 0;
        for (size_t i = 0; ds_sched_policy_at(i) && used < sizeof names; i++)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", i ? "|" : "",
                                     ds_sched_policy_at(i)->name);
        return ds_err_set(err, DS_ERR_CONFIG, "io-policy: unknown policy '%.*s' (expected %s)",
                          (int)len, value, names);
    }
    if (!p->init) {
        if (*params)
            return ds_err_set(err, DS_ERR_CONFIG, "io-policy: %s takes no parameters ('%s')",
                              p->name, params);
        return DS_OK;
    }
    void *state = NULL;
    ds_err e;
    if (p->init(params, &state, &e) != DS_OK)
        return ds_err_set(err, DS_ERR_CONFIG, "io-policy: %s", e.msg);
    if (p->fini) p->fini(state);
    return DS_OK;
}

static ds_status set_io_policy(ds_config *cfg, const char *value, ds_err *err) {
    if (strlen(value) >= sizeof cfg->io_policy)
        return ds_err_set(err, DS_ERR_CONFIG, "io-policy: '%s' is too long", value);
    ds_status st = ds_config_check_io_policy(cfg, value, err);
    if (st == DS_OK) snprintf(cfg->io_policy, sizeof cfg->io_policy, "%s", value);
    return st;
}

ds_status ds_config_set(ds_config *cfg, const char *name, const char *value, ds_err *err) {
    if (!cfg || !name || !value) return ds_err_set(err, DS_ERR_CONFIG, "missing option or value");
    const opt *o = NULL;
    for (size_t i = 0; i < NOPTS; i++)
        if (!strcmp(opts[i].name, name)) o = &opts[i];
    if (!o) return ds_err_set(err, DS_ERR_CONFIG, "%s: unknown option", name);
    if (o->type == T_EVICT) {
        if (strlen(value) >= sizeof cfg->evict)
            return ds_err_set(err, DS_ERR_CONFIG, "%s: longer than %zu characters", name,
                              sizeof cfg->evict - 1);
        ds_status st = ds_evict_check_spec(value, NULL, err);
        if (st != DS_OK) return st;
        snprintf(cfg->evict, sizeof cfg->evict, "%s", value);
        return DS_OK;
    }
    if (o->type == T_IOPOL) return set_io_policy(cfg, value, err);
    uint64_t n = 0;
    bool ok = false, b = false;
    switch (o->type) {
    case T_SIZE: ok = ds_parse_size(value, &n) == DS_OK; break;
    case T_U64:
    case T_MS: ok = ds_parse_u64(value, strlen(value), &n); break;
    case T_BOOL:
        ok = ds_parse_bool(value, strlen(value), &b);
        n = ok && b;
        break;
    case T_EVICT: break;
    case T_ENUM:
        for (size_t i = 0; o->enums[i]; i++)
            if (!strcmp(o->enums[i], value)) ok = true, n = i;
        break;
    case T_IOPOL: break; /* handled above */
    }
    if (!ok) {
        if (o->type == T_ENUM)
            return ds_err_set(err, DS_ERR_CONFIG, "%s: bad value '%s' (expected %s or %s)", name,
                              value, o->enums[0], o->enums[1]);
        return ds_err_set(err, DS_ERR_CONFIG, "%s: bad value '%s'", name, value);
    }
    if (o->type != T_ENUM && o->type != T_BOOL && (n < o->min || n > o->max))
        return ds_err_set(err, DS_ERR_CONFIG, "%s: %s is out of range [%llu, %llu]", name, value,
                          (unsigned long long)o->min, (unsigned long long)o->max);
    store(cfg, o, n);
    return DS_OK;
}

ds_status ds_config_validate(const ds_config *cfg, ds_err *err) {
    if (cfg->max_io_jobs == 0) return ds_err_set(err, DS_ERR_CONFIG, "max-io-jobs: must be >= 1");
    if (cfg->evict_samples == 0)
        return ds_err_set(err, DS_ERR_CONFIG, "evict-samples: must be >= 1");
    if (cfg->negcache_max == 0) return ds_err_set(err, DS_ERR_CONFIG, "negcache-max: must be >= 1");
    if (cfg->flush_delay_ms < 0)
        return ds_err_set(err, DS_ERR_CONFIG, "cache-flush-delay: must be >= 0");
    if (cfg->save_retry_ms <= 0 || cfg->save_retry_max_ms < cfg->save_retry_ms)
        return ds_err_set(err, DS_ERR_CONFIG,
                          "save-retry-backoff: must be > 0 and <= save-retry-max");
    if (!memchr(cfg->evict, '\0', sizeof cfg->evict))
        return ds_err_set(err, DS_ERR_CONFIG, "evict: not a string");
    ds_status st = ds_evict_check_spec(cfg->evict, cfg->evict_ops, err);
    if (st != DS_OK) return st;
    if ((unsigned)cfg->evict_at > DS_EVICT_AT_INSERT ||
        (unsigned)cfg->load_priority > DS_LOAD_ALWAYS_HEAD)
        return ds_err_set(err, DS_ERR_CONFIG, "bad enum value in config");
    if (!memchr(cfg->io_policy, 0, sizeof cfg->io_policy))
        return ds_err_set(err, DS_ERR_CONFIG, "io-policy: not terminated");
    return ds_config_check_io_policy(cfg, cfg->io_policy, err);
}

bool ds_config_describe(const ds_config *cfg, size_t i, const char **name, char *buf, size_t buflen,
                        const char **help) {
    if (i >= NOPTS) return false;
    const opt *o = &opts[i];
    uint64_t n = load(cfg, o);
    if (name) *name = o->name;
    if (help) *help = o->help;
    if (buf && buflen) {
        switch (o->type) {
        case T_BOOL: snprintf(buf, buflen, "%s", n ? "on" : "off"); break;
        case T_ENUM: snprintf(buf, buflen, "%s", o->enums[n]); break;
        case T_EVICT:
            snprintf(buf, buflen, "%s", cfg->evict_ops ? cfg->evict_ops->name : cfg->evict);
            break;
        case T_IOPOL:
            if (cfg->io_policy_ops) { /* a policy from outside the table: its own name */
                const char *colon = strchr(cfg->io_policy, ':');
                snprintf(buf, buflen, "%s%s", cfg->io_policy_ops->name, colon ? colon : "");
            } else {
                snprintf(buf, buflen, "%s", cfg->io_policy);
            }
            break;
        default: snprintf(buf, buflen, "%llu", (unsigned long long)n); break;
        }
    }
    return true;
}
