/*
 * gen_spec.c - parse a generator spec ("zipf:0.99,keys=10000,mix=get:0.9/set:0.1,...").
 *
 * Why one setter per option name: the spec string and the CLI flags (`--keys 10000`) go through
 * ds_gen_opts_set, so both accept exactly the same values and reject bad ones with the same
 * message, which always names the option. Nothing here aborts: bad input is a DS_ERR_CONFIG.
 * The syntax is documented in gen.h.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "gen_internal.h"

#define SPEC_FIELDS_MAX 8
#define SPEC_TEXT_MAX   1024

void ds_gen_opts_default(ds_gen_opts *o) {
    memset(o, 0, sizeof(*o));
    o->model = DS_GEN_UNIFORM;
    o->theta = 0.99;
    o->hot_keys_frac = 0.2;
    o->hot_ops_frac = 0.8;
    o->keys = 10000;
    o->requests = 100000;
    o->seed = 1;
    o->mix[DS_OP_GET] = 0.9;
    o->mix[DS_OP_SET] = 0.1;
    o->mget_keys = 10;
    o->exec_keys = 1;
    o->size_kind = DS_GEN_SIZE_FIXED;
    o->size_a = 100;
    o->ttl_frac = 1.0;
    o->clients = 1;
    o->arrival = DS_GEN_ARR_POISSON;
    o->rate_per_s = 100000;
}

/* A finite double; the whole string must be consumed. */
static int parse_double(const char *s, double *out) { return ds_parse_f64(s, out) ? 0 : -1; }

/* A non-negative integer; "1e8" is accepted when it is integral. */
static int parse_u64(const char *s, uint64_t *out) {
    if (ds_parse_u64(s, strlen(s), out)) return 0;
    double d;
    if (s[0] == '-' || s[0] == '+' || parse_double(s, &d) != 0 || d < 0 || d > 1.8e19 ||
        d != floor(d))
        return -1;
    *out = (uint64_t)d;
    return 0;
}

/* Split buf in place at sep into at most max fields; returns the count, or -1 if more. */
static int split_fields(char *buf, char sep, char **fields, int max) {
    int n = 0;
    char *p = buf;
    for (;;) {
        if (n == max) return -1;
        fields[n++] = p;
        char *q = strchr(p, sep);
        if (!q) return n;
        *q = '\0';
        p = q + 1;
    }
}

static int copy_text(char *dst, const char *src) {
    size_t len = strlen(src);
    if (len >= SPEC_TEXT_MAX) return -1;
    memcpy(dst, src, len + 1);
    return 0;
}

static ds_status bad(ds_err *err, const char *name, const char *value, const char *want) {
    return ds_err_set(err, DS_ERR_CONFIG, "generator option %s: bad value '%s' (%s)", name, value,
                      want);
}

static ds_status set_preset(ds_gen_opts *o, char which) {
    memset(o->mix, 0, sizeof(o->mix));
    o->model = DS_GEN_ZIPF;
    o->theta = 0.99;
    o->size_kind = DS_GEN_SIZE_FIXED;
    o->size_a = 1000;
    switch (which) {
    case 'a':
        o->mix[DS_OP_GET] = 0.5;
        o->mix[DS_OP_SET] = 0.5;
        break;
    case 'b':
        o->mix[DS_OP_GET] = 0.95;
        o->mix[DS_OP_SET] = 0.05;
        break;
    case 'c': o->mix[DS_OP_GET] = 1.0; break;
    case 'd':
        o->model = DS_GEN_LATEST;
        o->mix[DS_OP_GET] = 0.95;
        o->mix[DS_GEN_OP_INSERT] = 0.05;
        break;
    case 'f':
        o->mix[DS_OP_GET] = 0.5;
        o->mix[DS_OP_EXEC] = 0.5;
        o->exec_keys = 1;
        break;
    default: return DS_ERR_CONFIG;
    }
    return DS_OK;
}

static ds_status model_theta(ds_gen_opts *o, char **f, int n, const char *model, ds_err *err) {
    if (n > 2) return bad(err, "model", model, "expected NAME[:THETA]");
    if (n == 2) {
        double t;
        if (parse_double(f[1], &t) != 0 || !(t > 0 && t <= 5) || t == 1.0)
            return bad(err, "model", model, "theta must be in (0, 5] and not 1");
        o->theta = t;
    }
    return DS_OK;
}

ds_status ds_gen_opts_model(ds_gen_opts *o, const char *model, ds_err *err) {
    char buf[SPEC_TEXT_MAX], *f[SPEC_FIELDS_MAX];
    if (copy_text(buf, model) != 0) return bad(err, "model", "...", "too long");
    int n = split_fields(buf, ':', f, SPEC_FIELDS_MAX);
    if (n < 0) return bad(err, "model", model, "too many fields");
    if (strncmp(f[0], "ycsb-", 5) == 0 && strlen(f[0]) == 6 && n == 1) {
        if (set_preset(o, f[0][5]) == DS_OK) return DS_OK;
        return bad(err, "model", model, "presets are ycsb-a b c d f; E (scans) is not modelled");
    }
    if (strcmp(f[0], "uniform") == 0 || strcmp(f[0], "sequential") == 0) {
        if (n != 1) return bad(err, "model", model, "takes no parameters");
        o->model = f[0][0] == 'u' ? DS_GEN_UNIFORM : DS_GEN_SEQUENTIAL;
        return DS_OK;
    }
    if (strcmp(f[0], "zipf") == 0 || strcmp(f[0], "latest") == 0) {
        o->model = f[0][0] == 'z' ? DS_GEN_ZIPF : DS_GEN_LATEST;
        return model_theta(o, f, n, model, err);
    }
    if (strcmp(f[0], "hotspot") == 0) {
        double k = 0, p = 0;
        if (n != 3 || parse_double(f[1], &k) != 0 || parse_double(f[2], &p) != 0 ||
            !(k > 0 && k < 1) || !(p >= 0 && p <= 1))
            return bad(err, "model", model, "want hotspot:FRAC_KEYS:FRAC_OPS, 0<KEYS<1, 0<=OPS<=1");
        o->model = DS_GEN_HOTSPOT;
        o->hot_keys_frac = k;
        o->hot_ops_frac = p;
        return DS_OK;
    }
    return ds_err_set(err, DS_ERR_CONFIG,
                      "generator model '%s' unknown (uniform, zipf:THETA, hotspot:K:O, "
                      "latest[:THETA], sequential, ycsb-a|b|c|d|f)",
                      model);
}

static int op_by_name(const char *s) {
    static const char *const names[] = {"get", "set", "del", "exists", "mget", "exec", "insert"};
    for (int i = 0; i < DS_GEN_OP__COUNT; i++)
        if (strcmp(s, names[i]) == 0) return i;
    if (strcmp(s, "rmw") == 0) return DS_OP_EXEC;
    return -1;
}

static ds_status set_mix(ds_gen_opts *o, const char *value, ds_err *err) {
    char buf[SPEC_TEXT_MAX], *items[DS_GEN_OP__COUNT * 2];
    double mix[DS_GEN_OP__COUNT] = {0};
    if (copy_text(buf, value) != 0) return bad(err, "mix", "...", "too long");
    for (char *p = buf; *p; p++)
        if (*p == ';') *p = '/';
    int n = split_fields(buf, '/', items, DS_GEN_OP__COUNT * 2);
    if (n < 0) return bad(err, "mix", value, "too many entries");
    for (int i = 0; i < n; i++) {
        char *sep = strpbrk(items[i], ":=");
        double w;
        if (!sep) return bad(err, "mix", value, "want OP:WEIGHT/OP:WEIGHT...");
        *sep = '\0';
        int op = op_by_name(items[i]);
        if (op < 0)
            return ds_err_set(err, DS_ERR_CONFIG,
                              "generator option mix: unknown op '%s' "
                              "(get set del exists mget exec rmw insert)",
                              items[i]);
        if (parse_double(sep + 1, &w) != 0 || w < 0)
            return bad(err, "mix", value, "weights are numbers >= 0");
        mix[op] += w;
    }
    double sum = 0;
    for (int i = 0; i < DS_GEN_OP__COUNT; i++)
        sum += mix[i];
    if (!(sum > 0)) return bad(err, "mix", value, "weights sum to zero");
    memcpy(o->mix, mix, sizeof(mix));
    return DS_OK;
}

static ds_status set_size(ds_gen_opts *o, const char *value, ds_err *err) {
    char buf[SPEC_TEXT_MAX], *f[SPEC_FIELDS_MAX];
    double a = 0, b = 0;
    if (copy_text(buf, value) != 0) return bad(err, "size", "...", "too long");
    int n = split_fields(buf, ':', f, SPEC_FIELDS_MAX);
    const double max = (double)DS_GEN_SIZE_MAX_BYTES;
    if (n == 1 && parse_double(f[0], &a) == 0 && a >= 1 && a <= max) {
        o->size_kind = DS_GEN_SIZE_FIXED; /* a bare number means fixed:N */
        o->size_a = floor(a);
        return DS_OK;
    }
    const char *want = "fixed:N uniform:LO:HI lognormal:MEDIAN:SIGMA pareto:MIN:ALPHA";
    if (n < 2 || parse_double(f[1], &a) != 0 || (n == 3 && parse_double(f[2], &b) != 0))
        return bad(err, "size", value, want);
    if (strcmp(f[0], "fixed") == 0 && n == 2 && a >= 1 && a <= max) {
        o->size_kind = DS_GEN_SIZE_FIXED;
    } else if (strcmp(f[0], "uniform") == 0 && n == 3 && a >= 1 && b >= a && b <= max) {
        o->size_kind = DS_GEN_SIZE_UNIFORM;
    } else if (strcmp(f[0], "lognormal") == 0 && n == 3 && a >= 1 && a <= max && b >= 0 &&
               b <= 10) {
        o->size_kind = DS_GEN_SIZE_LOGNORMAL;
    } else if (strcmp(f[0], "pareto") == 0 && n == 3 && a >= 1 && a <= max && b > 0 && b <= 100) {
        o->size_kind = DS_GEN_SIZE_PARETO;
    } else {
        return bad(err, "size", value, want);
    }
    o->size_a = floor(a);
    o->size_b = o->size_kind == DS_GEN_SIZE_UNIFORM ? floor(b) : b;
    return DS_OK;
}

static ds_status set_arrival(ds_gen_opts *o, const char *value, ds_err *err) {
    char buf[SPEC_TEXT_MAX], *f[SPEC_FIELDS_MAX];
    double r = 0, on = 0, off = 0;
    const char *want = "fixed:R poisson:R burst:R:ON_MS:OFF_MS, 0 < R <= 1e9";
    if (copy_text(buf, value) != 0) return bad(err, "arrival", "...", "too long");
    int n = split_fields(buf, ':', f, SPEC_FIELDS_MAX);
    if (n < 2 || parse_double(f[1], &r) != 0 || !(r > 0 && r <= 1e9))
        return bad(err, "arrival", value, want);
    if (strcmp(f[0], "fixed") == 0 && n == 2) {
        o->arrival = DS_GEN_ARR_FIXED;
    } else if (strcmp(f[0], "poisson") == 0 && n == 2) {
        o->arrival = DS_GEN_ARR_POISSON;
    } else if (strcmp(f[0], "burst") == 0 && n == 4 && parse_double(f[2], &on) == 0 &&
               parse_double(f[3], &off) == 0 && on > 0 && on <= 1e9 && off >= 0 && off <= 1e9) {
        o->arrival = DS_GEN_ARR_BURST;
    } else {
        return bad(err, "arrival", value, want);
    }
    o->rate_per_s = r;
    o->on_ms = on;
    o->off_ms = off;
    return DS_OK;
}

static ds_status set_ttl(ds_gen_opts *o, const char *value, ds_err *err) {
    char buf[SPEC_TEXT_MAX], *f[SPEC_FIELDS_MAX];
    uint64_t s = 0;
    double frac = 1.0;
    if (copy_text(buf, value) != 0) return bad(err, "ttl", "...", "too long");
    int n = split_fields(buf, ':', f, SPEC_FIELDS_MAX);
    if (n < 1 || n > 2 || parse_u64(f[0], &s) != 0 || s > 100u * 365 * 86400 ||
        (n == 2 && (parse_double(f[1], &frac) != 0 || !(frac >= 0 && frac <= 1))))
        return bad(err, "ttl", value, "want SECONDS[:FRACTION], 0 <= FRACTION <= 1");
    o->ttl_s = (int64_t)s;
    o->ttl_frac = frac;
    return DS_OK;
}

static ds_status set_count(const char *name, const char *value, uint64_t lo, uint64_t hi,
                           uint64_t *out, ds_err *err) {
    uint64_t v;
    if (parse_u64(value, &v) != 0 || v < lo || v > hi) {
        char want[96];
        snprintf(want, sizeof(want), "an integer in %llu..%llu", (unsigned long long)lo,
                 (unsigned long long)hi);
        return bad(err, name, value, want);
    }
    *out = v;
    return DS_OK;
}

ds_status ds_gen_opts_set(ds_gen_opts *o, const char *name, const char *value, ds_err *err) {
    uint64_t v = 0;
    ds_status st;
    if (strcmp(name, "model") == 0) return ds_gen_opts_model(o, value, err);
    if (strcmp(name, "keys") == 0) return set_count(name, value, 1, DS_GEN_KEYS_MAX, &o->keys, err);
    if (strcmp(name, "requests") == 0)
        return set_count(name, value, 1, UINT64_MAX, &o->requests, err);
    if (strcmp(name, "seed") == 0) return set_count(name, value, 0, UINT64_MAX, &o->seed, err);
    if (strcmp(name, "clients") == 0)
        return set_count(name, value, 1, 1000000000, &o->clients, err);
    if (strcmp(name, "mget-keys") == 0 || strcmp(name, "exec-keys") == 0) {
        st = set_count(name, value, 1, DS_MULTI_MAX_KEYS, &v, err);
        if (st == DS_OK) *(name[0] == 'm' ? &o->mget_keys : &o->exec_keys) = (uint32_t)v;
        return st;
    }
    if (strcmp(name, "mix") == 0) return set_mix(o, value, err);
    if (strcmp(name, "size") == 0) return set_size(o, value, err);
    if (strcmp(name, "arrival") == 0) return set_arrival(o, value, err);
    if (strcmp(name, "ttl") == 0) return set_ttl(o, value, err);
    if (strcmp(name, "load") == 0) {
        st = set_count(name, value, 0, 1, &v, err);
        if (st == DS_OK) o->load = v == 1;
        return st;
    }
    if (strcmp(name, "assign") == 0) {
        if (strcmp(value, "rr") != 0 && strcmp(value, "random") != 0)
            return bad(err, name, value, "rr or random");
        o->assign_random = value[0] == 'r' && value[1] == 'a';
        return DS_OK;
    }
    return ds_err_set(err, DS_ERR_CONFIG,
                      "generator option '%s' unknown (keys requests seed mix mget-keys "
                      "exec-keys size ttl clients assign arrival load)",
                      name);
}

ds_status ds_gen_opts_validate(const ds_gen_opts *o, ds_err *err) {
    double sum = 0;
    for (int i = 0; i < DS_GEN_OP__COUNT; i++)
        sum += o->mix[i];
    if (!(sum > 0)) return ds_err_set(err, DS_ERR_CONFIG, "generator option mix: all zero");
    if (o->model == DS_GEN_HOTSPOT && (uint64_t)(o->hot_keys_frac * (double)o->keys) < 1)
        return ds_err_set(err, DS_ERR_CONFIG,
                          "generator model hotspot: FRAC_KEYS * keys is below one key");
    if (o->keys + o->requests < o->keys)
        return ds_err_set(err, DS_ERR_CONFIG, "generator option requests: too large");
    return DS_OK;
}

ds_status ds_gen_opts_parse(ds_gen_opts *o, const char *spec, ds_err *err) {
    char buf[SPEC_TEXT_MAX];
    ds_gen_opts_default(o);
    if (!spec || !spec[0]) return ds_err_set(err, DS_ERR_CONFIG, "generator spec is empty");
    if (copy_text(buf, spec) != 0)
        return ds_err_set(err, DS_ERR_CONFIG, "generator spec longer than %d bytes",
                          SPEC_TEXT_MAX - 1);
    char *save = NULL;
    char *tok = strtok_r(buf, ",", &save);
    if (!tok) return ds_err_set(err, DS_ERR_CONFIG, "generator spec has no model");
    ds_status st = ds_gen_opts_model(o, tok, err);
    while (st == DS_OK && (tok = strtok_r(NULL, ",", &save)) != NULL) {
        char *eq = strchr(tok, '=');
        if (!eq)
            return ds_err_set(err, DS_ERR_CONFIG, "generator spec: '%s' is not NAME=VALUE", tok);
        *eq = '\0';
        st = ds_gen_opts_set(o, tok, eq + 1, err);
    }
    return st;
}

static const char *model_text(const ds_gen_opts *o, char *buf, size_t len) {
    switch (o->model) {
    case DS_GEN_ZIPF: snprintf(buf, len, "zipf:%.10g", o->theta); break;
    case DS_GEN_LATEST: snprintf(buf, len, "latest:%.10g", o->theta); break;
    case DS_GEN_HOTSPOT:
        snprintf(buf, len, "hotspot:%.10g:%.10g", o->hot_keys_frac, o->hot_ops_frac);
        break;
    case DS_GEN_SEQUENTIAL: snprintf(buf, len, "sequential"); break;
    case DS_GEN_UNIFORM:
    default: snprintf(buf, len, "uniform"); break;
    }
    return buf;
}

/* The effective options as a spec that parses back to the same stream (for run headers). */
void ds_gen_opts_format(const ds_gen_opts *o, char *buf, size_t len) {
    static const char *const ops[] = {"get", "set", "del", "exists", "mget", "exec", "insert"};
    static const char *const sizes[] = {"fixed", "uniform", "lognormal", "pareto"};
    static const char *const arr[] = {"fixed", "poisson", "burst"};
    char model[64], mix[256] = "", size[64], arrival[96];
    size_t used = 0;
    for (int i = 0; i < DS_GEN_OP__COUNT && used < sizeof(mix); i++) {
        if (o->mix[i] <= 0) continue;
        int n = snprintf(mix + used, sizeof(mix) - used, "%s%s:%.10g", used ? "/" : "", ops[i],
                         o->mix[i]);
        used += n > 0 ? (size_t)n : 0;
    }
    if (o->size_kind == DS_GEN_SIZE_FIXED)
        snprintf(size, sizeof(size), "fixed:%.10g", o->size_a);
    else
        snprintf(size, sizeof(size), "%s:%.10g:%.10g", sizes[o->size_kind], o->size_a, o->size_b);
    if (o->arrival == DS_GEN_ARR_BURST)
        snprintf(arrival, sizeof(arrival), "burst:%.10g:%.10g:%.10g", o->rate_per_s, o->on_ms,
                 o->off_ms);
    else
        snprintf(arrival, sizeof(arrival), "%s:%.10g", arr[o->arrival], o->rate_per_s);
    snprintf(buf, len,
             "%s,keys=%llu,requests=%llu,seed=%llu,mix=%s,mget-keys=%u,exec-keys=%u,size=%s,"
             "ttl=%lld:%.10g,clients=%llu,assign=%s,arrival=%s",
             model_text(o, model, sizeof(model)), (unsigned long long)o->keys,
             (unsigned long long)o->requests, (unsigned long long)o->seed, mix, o->mget_keys,
             o->exec_keys, size, (long long)o->ttl_s, o->ttl_frac, (unsigned long long)o->clients,
             o->assign_random ? "random" : "rr", arrival);
    if (o->load) {
        size_t n = strlen(buf);
        if (n + 8 < len) memcpy(buf + n, ",load=1", 8);
    }
}
