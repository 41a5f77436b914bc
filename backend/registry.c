/*
 * registry.c - backends by name: "NAME[:key=value,...]" -> open(params).
 *
 * Why: the host (sim/replay_run.c) must not know which backends exist or what each needs.
 * It passes the user's spec and its own defaults (where a store would live in the results
 * directory); each type reads the parameters it knows through ds_backend_param, and a key of
 * the user's spec that no one read is an error naming the type's parameters. Adding a backend
 * is one file with a ds_backend_type and one row in the table below. Tests add their own
 * types through `extra` without touching the table (there is no global registry to mutate).
 *
 * Versions: a type and the ops of what it opens both carry DS_BACKEND_VERSION; a backend
 * built against another layout of ds_backend_ops is refused at open, not called.
 */
#include "backend_int.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PARAMS_MAX 16 /* key=value pairs of one spec plus the host's defaults */

extern const ds_backend_type ds_backend_type_mem;
extern const ds_backend_type ds_backend_type_file;

static const ds_backend_type *const builtin[] = {
    &ds_backend_type_mem,
    &ds_backend_type_file,
};
#define NBUILTIN (sizeof builtin / sizeof builtin[0])

/* Historical names: --backend fake meant the in-memory store (the fake shim wraps every
 * backend the replay opens). */
static const struct { const char *alias, *name; } aliases[] = {{"fake", "mem"}};

struct ds_backend_params {
    char *buf; /* the spec's and the defaults' pairs, split in place */
    struct {
        const char *key, *val;
        bool user, used;
    } kv[PARAMS_MAX];
    int n;
};

const ds_backend_type *ds_backend_type_at(size_t i) { return i < NBUILTIN ? builtin[i] : NULL; }

const char *ds_backend_param(ds_backend_params *p, const char *key) {
    assert(p && key);
    for (int pass = 0; pass < 2; pass++) /* the user's value first, then the default */
        for (int i = 0; i < p->n; i++)
            if (p->kv[i].user == (pass == 0) && !strcmp(p->kv[i].key, key)) {
                p->kv[i].used = true;
                return p->kv[i].val;
            }
    return NULL;
}

static const ds_backend_type *find_type(const char *name, size_t len,
                                        const ds_backend_type *const *extra) {
    for (size_t i = 0; extra && extra[i]; i++)
        if (strlen(extra[i]->name) == len && !strncmp(extra[i]->name, name, len)) return extra[i];
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strlen(aliases[i].alias) == len && !strncmp(aliases[i].alias, name, len))
            return find_type(aliases[i].name, strlen(aliases[i].name), NULL);
    for (size_t i = 0; i < NBUILTIN; i++)
        if (strlen(builtin[i]->name) == len && !strncmp(builtin[i]->name, name, len))
            return builtin[i];
    return NULL;
}

static ds_status no_type(const char *spec, size_t len, const ds_backend_type *const *extra,
                         ds_err *err) {
    char names[256] = "";
    size_t used = 0;
    for (size_t i = 0; extra && extra[i] && used < sizeof names; i++)
        used += (size_t)snprintf(names + used, sizeof names - used, "%s|", extra[i]->name);
    for (size_t i = 0; i < NBUILTIN && used < sizeof names; i++)
        used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", builtin[i]->name,
                                 i + 1 < NBUILTIN ? "|" : "");
    return ds_err_set(err, DS_ERR_CONFIG, "backend: unknown backend '%.*s' (expected %s)", (int)len,
                      spec, names);
}

/* Split "k=v,k=v" (in place) into p; user marks the spec's pairs. */
static ds_status split(ds_backend_params *p, char *s, bool user, ds_err *err) {
    for (char *save = NULL, *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(t, '=');
        if (!eq || eq == t)
            return ds_err_set(err, DS_ERR_CONFIG, "backend: '%s': expected key=value", t);
        if (p->n >= PARAMS_MAX)
            return ds_err_set(err, DS_ERR_CONFIG, "backend: more than %d parameters", PARAMS_MAX);
        *eq = 0;
        p->kv[p->n].key = t;
        p->kv[p->n].val = eq + 1;
        p->kv[p->n].user = user;
        p->kv[p->n].used = false;
        p->n++;
    }
    return DS_OK;
}

/* Parse spec (and defaults) into p; the type into *type. p->buf must be freed. */
static ds_status parse(const char *spec, const char *defaults, const ds_backend_type *const *extra,
                       const ds_backend_type **type, ds_backend_params *p, ds_err *err) {
    memset(p, 0, sizeof *p);
    if (!spec || !*spec) return ds_err_set(err, DS_ERR_CONFIG, "backend: empty name");
    size_t len = strcspn(spec, ":");
    *type = find_type(spec, len, extra);
    if (!*type) return no_type(spec, len, extra, err);
    const char *params = spec[len] ? spec + len + 1 : "";
    size_t plen = strlen(params), dlen = defaults ? strlen(defaults) : 0;
    p->buf = malloc(plen + dlen + 2);
    if (!p->buf) return ds_err_set(err, DS_ERR_NOMEM, "backend: out of memory");
    memcpy(p->buf, params, plen + 1);
    if (defaults) memcpy(p->buf + plen + 1, defaults, dlen + 1);
    ds_status st = split(p, p->buf, true, err);
    if (st == DS_OK && defaults) st = split(p, p->buf + plen + 1, false, err);
    return st;
}

ds_status ds_backend_spec_check(const char *spec, const ds_backend_type *const *extra,
                                ds_err *err) {
    const ds_backend_type *type;
    ds_backend_params p;
    ds_status st = parse(spec, NULL, extra, &type, &p, err);
    free(p.buf);
    return st;
}

static bool ops_complete(const ds_backend_ops *o) {
    return o->name && o->plan && o->get && o->set && o->del && o->flush_all && o->scan &&
           o->stats && o->close;
}

/* The opened backend speaks our ops layout and read every parameter it was given. */
static ds_status check_open(const ds_backend_type *t, ds_backend *b, ds_backend_params *p,
                            ds_err *err) {
    if (b->ops->version != DS_BACKEND_VERSION || !ops_complete(b->ops))
        return ds_err_set(err, DS_ERR_CONFIG,
                          "backend %s: ops version %d (or an op missing), this dslab speaks %d",
                          t->name, b->ops->version, DS_BACKEND_VERSION);
    for (int i = 0; i < p->n; i++)
        if (p->kv[i].user && !p->kv[i].used)
            return ds_err_set(err, DS_ERR_CONFIG, "backend %s: unknown parameter '%s' (takes %s)",
                              t->name, p->kv[i].key, t->params[0] ? t->params : "none");
    return DS_OK;
}

ds_status ds_backend_open(const char *spec, const char *defaults,
                          const ds_backend_type *const *extra, ds_backend **out, ds_err *err) {
    assert(out);
    *out = NULL;
    const ds_backend_type *t = NULL;
    ds_backend_params p;
    ds_err e = {{0}};
    ds_status st = parse(spec, defaults, extra, &t, &p, &e);
    if (st == DS_OK && t->version != DS_BACKEND_VERSION)
        st = ds_err_set(&e, DS_ERR_CONFIG, "backend %s: type version %d, this dslab speaks %d",
                        t->name, t->version, DS_BACKEND_VERSION);
    ds_backend *b = NULL;
    if (st == DS_OK) st = t->open(&p, &b, &e);
    if (st != DS_OK && b) { /* a type that failed and still returned a backend */
        ds_backend_close(b);
        b = NULL;
    }
    if (st == DS_OK && !b)
        st = ds_err_set(&e, DS_ERR_STATE, "backend %s: open gave nothing", t->name);
    if (b && (st = check_open(t, b, &p, &e)) != DS_OK) {
        if (b->ops->close) ds_backend_close(b); /* else leak it: calling NULL would crash */
        b = NULL;
    }
    free(p.buf);
    if (err) *err = e;
    *out = b;
    assert((st == DS_OK) == (b != NULL));
    return st;
}

ds_status ds_backend_control(ds_backend *b, int op, void *arg) {
    if (!b || !b->ops->control) return DS_NOT_FOUND;
    return b->ops->control(b, op, arg);
}
