/*
 * corecost.c - the `core-cost-us` option: the CPU cost of each command and of each IO hand-back
 * and cron in the virtual-time CPU model of the core (engine_virtual.c).
 *
 * Why a model: the core is one thread. In virtual time a cache hit used to cost nothing, so one
 * client replayed millions of requests per virtual second and latencies of hits were 0. With
 * the model the core is a single FIFO server: a command waits for it and holds it for its cost,
 * as do a finished IO job's hand-back and cron. The defaults are measured by `bench_core
 * --costs` (README "Latency: definitions and the core's cost"); `0` turns the model off.
 *
 * Syntax: NAME:US[,NAME:US]... with NAME in get set del exists mget exec (mget and exec per
 * key) savedone loaddone cron harness; names not given keep their defaults. "0" or "off": no
 * model. harness (default 0, not shown while 0) is the replay host's own CPU per request that
 * the real main thread spends after the answer (the answer's bookkeeping, the oracle, reading
 * the next record, the syscalls around its sleep): the core stays busy that long after each
 * command, so arrivals meanwhile wait; dslab calibrate measures it.
 */
#include <stdio.h>
#include <string.h>

#include "replay.h"

static const char *const cost_names[DS_COST__COUNT] = {
    "get", "set", "del", "exists", "mget", "exec", "savedone", "loaddone", "cron", "harness"};

static ds_status cost_set_one(ds_core_cost *c, const char *item, ds_err *err) {
    const char *colon = strchr(item, ':');
    if (!colon) return ds_err_set(err, DS_ERR_CONFIG, "'%s': expected NAME:US", item);
    size_t n = (size_t)(colon - item);
    for (int i = 0; i < DS_COST__COUNT; i++) {
        if (strlen(cost_names[i]) != n || strncmp(cost_names[i], item, n) != 0) continue;
        double us;
        if (!ds_parse_f64(colon + 1, &us) || us < 0 || us > 1e6)
            return ds_err_set(err, DS_ERR_CONFIG, "'%s': expected microseconds in 0..1e6", item);
        c->ns[i] = (int64_t)(us * 1000.0 + 0.5);
        return DS_OK;
    }
    return ds_err_set(err, DS_ERR_CONFIG,
                      "'%.*s': unknown cost (get set del exists mget exec savedone loaddone cron "
                      "harness)",
                      (int)n, item);
}

static ds_status cost_items(ds_core_cost *c, const char *spec, ds_err *err) {
    char buf[DS_OPT_STR_MAX];
    if (strlen(spec) >= sizeof buf) return ds_err_set(err, DS_ERR_CONFIG, "value too long");
    memcpy(buf, spec, strlen(spec) + 1);
    char *save = NULL;
    for (char *it = strtok_r(buf, ",", &save); it; it = strtok_r(NULL, ",", &save)) {
        ds_status st = cost_set_one(c, it, err);
        if (st != DS_OK) return st;
    }
    return DS_OK;
}

ds_status ds_core_cost_parse(const char *spec, ds_core_cost *out, ds_err *err) {
    if (strcmp(spec, "0") == 0 || strcmp(spec, "off") == 0) {
        *out = (ds_core_cost){.on = false};
        return DS_OK;
    }
    ds_core_cost c = {.on = true};
    ds_status st = cost_items(&c, DS_CORE_COST_DEFAULT, err);
    if (st == DS_OK) st = cost_items(&c, spec, err);
    if (st == DS_OK) *out = c;
    return st;
}

void ds_core_cost_format(const ds_core_cost *c, char *buf, size_t cap) {
    if (!c->on) {
        snprintf(buf, cap, "0");
        return;
    }
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < DS_COST__COUNT && used < cap; i++) {
        if (i == DS_COST_HARNESS && c->ns[i] == 0) continue; /* older configs stay as they were */
        int w = snprintf(buf + used, cap - used, "%s%s:%g", i ? "," : "", cost_names[i],
                         (double)c->ns[i] / 1000.0);
        used += w > 0 ? (size_t)w : 0;
    }
}
