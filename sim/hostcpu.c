/*
 * hostcpu.c - who holds and who waits for the host's cores (see hostcpu.h).
 */
#include "hostcpu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const share_names[3] = {"get", "set", "del"};

static ds_status model_item(ds_host_model *m, const char *item, size_t len, ds_err *err) {
    const char *eq = memchr(item, '=', len);
    if (!eq)
        return ds_err_set(err, DS_ERR_CONFIG, "expected NAME=VALUE, got '%.*s'", (int)len, item);
    size_t nl = (size_t)(eq - item);
    char val[64];
    size_t vl = len - nl - 1;
    if (vl == 0 || vl >= sizeof val)
        return ds_err_set(err, DS_ERR_CONFIG, "'%.*s': a value is missing", (int)len, item);
    memcpy(val, eq + 1, vl);
    val[vl] = '\0';
    if (nl == 4 && !memcmp(item, "cpus", 4)) {
        uint64_t u;
        if (!ds_parse_u64(val, vl, &u) || u < 1 || u > 4096)
            return ds_err_set(err, DS_ERR_CONFIG, "cpus: expected 1..4096, got '%s'", val);
        m->cpus = (uint32_t)u;
        return DS_OK;
    }
    if (nl == 7 && !memcmp(item, "preempt", 7)) {
        double d;
        if (!ds_parse_f64(val, &d) || !(d >= 0 && d <= 1))
            return ds_err_set(err, DS_ERR_CONFIG, "preempt: expected a probability 0..1, got '%s'",
                              val);
        m->preempt = d;
        return DS_OK;
    }
    for (int i = 0; i < 3; i++) {
        if (nl != 3 || memcmp(item, share_names[i], 3) != 0) continue;
        double d;
        if (!ds_parse_f64(val, &d) || !(d >= 0 && d <= 1))
            return ds_err_set(err, DS_ERR_CONFIG, "%s: expected a share 0..1, got '%s'",
                              share_names[i], val);
        m->share[i] = d;
        return DS_OK;
    }
    return ds_err_set(err, DS_ERR_CONFIG, "'%.*s': expected cpus, get, set, del or preempt",
                      (int)nl, item);
}

ds_status ds_host_model_parse(const char *spec, ds_host_model *out, ds_err *err) {
    ds_host_model m = {0};
    if (strcmp(spec, "none") != 0) {
        for (const char *p = spec; *p;) {
            size_t len = strcspn(p, ",");
            ds_status st = model_item(&m, p, len, err);
            if (st != DS_OK) return st;
            p += len + (p[len] == ',');
        }
        if (!m.cpus) return ds_err_set(err, DS_ERR_CONFIG, "cpus=N is required (or none)");
    }
    *out = m;
    return DS_OK;
}

void ds_host_model_format(const ds_host_model *m, char *buf, size_t cap) {
    if (!m->cpus) {
        snprintf(buf, cap, "none");
        return;
    }
    int n = snprintf(buf, cap, "cpus=%u,get=%.3g,set=%.3g,del=%.3g", m->cpus, m->share[0],
                     m->share[1], m->share[2]);
    if (m->preempt > 0 && n > 0 && (size_t)n < cap) /* left out when 0: older outputs stay */
        snprintf(buf + n, cap - (size_t)n, ",preempt=%.3g", m->preempt);
}

bool ds_hostcpu_init(ds_hostcpu *h, uint32_t ncpu, uint32_t max_servers) {
    *h = (ds_hostcpu){.ncpu = ncpu ? ncpu : 1, .cap = max_servers ? max_servers : 1};
    h->q = malloc(h->cap * sizeof *h->q);
    return h->q != NULL;
}

void ds_hostcpu_free(ds_hostcpu *h) {
    free(h->q);
    h->q = NULL;
}

bool ds_hostcpu_io_want(ds_hostcpu *h, uint32_t server) {
    if (h->busy < h->ncpu && h->n == 0) { /* (the main thread waits with a core free only
                                              after a preemption: it waits for its own) */
        h->busy++;
        return true;
    }
    /* one entry per server at most: a server runs one call at a time, so the ring never
     * outgrows max_servers */
    if (h->n < h->cap) h->q[(h->head + h->n++) % h->cap] = server;
    return false;
}

ds_hc_grant ds_hostcpu_io_wake(ds_hostcpu *h, uint32_t server, bool preempt_main) {
    if (preempt_main && !h->main_waits) { /* the core passes from the main thread */
        h->main_waits = true;
        return DS_HC_PREEMPT;
    }
    return ds_hostcpu_io_want(h, server) ? DS_HC_RUN : DS_HC_WAIT;
}

bool ds_hostcpu_main_want(ds_hostcpu *h) {
    if (h->main_waits) return false; /* it already waits: one grant per wait */
    if (h->busy < h->ncpu) {
        h->busy++;
        return true;
    }
    h->main_waits = true;
    return false;
}

uint32_t ds_hostcpu_release(ds_hostcpu *h) {
    if (h->main_waits) { /* the core passes straight to the main thread */
        h->main_waits = false;
        return DS_HOSTCPU_MAIN;
    }
    if (h->n) {
        uint32_t s = h->q[h->head];
        h->head = (h->head + 1) % h->cap;
        h->n--;
        return s;
    }
    if (h->busy) h->busy--;
    return DS_HOSTCPU_NONE;
}

void ds_hostcpu_main_cancel(ds_hostcpu *h) { h->main_waits = false; }
