/*
 * latency.c - latency models and fault specs for the fake backend.
 *
 * Why a parsed model and not a fixed delay: queueing behaviour (how long clients block, how
 * deep the IO queue gets) depends on the *shape* of service times, not only the mean; heavy
 * tails (lognormal, pareto) and measured distributions (hist:FILE, inverse-CDF sampling) are
 * what make diskstore's blocking visible. All draws use the caller's ds_rng, so a seeded run
 * replays exactly. Specs are strict: any junk is DS_ERR_CONFIG with the spec quoted.
 */
#include "backend_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest backend call a model may describe: one hour. A model whose typical value is
 * longer (fixed:1e12, i.e. 11.6 days per call) is a typo, refused at parse time with this
 * bound in the message; heavy tails (pareto, lognormal, exp) are clamped to it when drawn.
 * A bound matters because a run's cost must follow its requests and IOs, not its clock. */
#define LAT_MAX_US      DS_LAT_MAX_US
#define HIST_MAX_POINTS 100000u
#define SPEC_MAX        256

/* Parse one finite double that must use the whole token. */
static bool parse_num(const char *s, double *out) { return ds_parse_f64(s, out); }

/* Split "a:b:c" into at most max parts in buf; returns the count (or max+1 if too many). */
static int split(char *buf, char sep, char **parts, int max) {
    int n = 0;
    char *p = buf;
    for (;;) {
        if (n == max) return max + 1;
        parts[n++] = p;
        char *c = strchr(p, sep);
        if (!c) return n;
        *c = '\0';
        p = c + 1;
    }
}

static ds_status hist_line(ds_latency *m, const char *path, unsigned lineno, char *line,
                           uint32_t *cap, ds_err *err) {
    char *s = line + strspn(line, " \t");
    if (*s == '\0' || *s == '\n' || *s == '#') return DS_OK;
    double us, cdf;
    char extra;
    if (sscanf(s, "%lf %lf %c", &us, &cdf, &extra) != 2 || !isfinite(us) || !isfinite(cdf))
        return ds_err_set(err, DS_ERR_CONFIG, "%s:%u: expected 'latency_us cumulative_fraction'",
                          path, lineno);
    if (us < 0 || cdf < 0 || cdf > 1)
        return ds_err_set(err, DS_ERR_CONFIG, "%s:%u: latency must be >= 0, fraction in [0,1]",
                          path, lineno);
    if (us > LAT_MAX_US)
        return ds_err_set(err, DS_ERR_CONFIG,
                          "%s:%u: %g us is longer than a backend call may take (%.0f s)", path,
                          lineno, us, LAT_MAX_US / 1e6);
    uint32_t n = m->nhist;
    if (n && (us < m->hist_us[n - 1] || cdf < m->hist_cdf[n - 1]))
        return ds_err_set(err, DS_ERR_CONFIG, "%s:%u: points must be non-decreasing", path, lineno);
    if (n == HIST_MAX_POINTS)
        return ds_err_set(err, DS_ERR_CONFIG, "%s:%u: more than %u points", path, lineno,
                          HIST_MAX_POINTS);
    if (n == *cap) {
        uint32_t nc = *cap ? *cap * 2 : 64;
        double *a = realloc(m->hist_us, nc * sizeof(double));
        if (a) m->hist_us = a;
        double *c = a ? realloc(m->hist_cdf, nc * sizeof(double)) : NULL;
        if (c) m->hist_cdf = c;
        if (!a || !c) return ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", path);
        *cap = nc;
    }
    m->hist_us[n] = us;
    m->hist_cdf[n] = cdf;
    m->nhist = n + 1;
    return DS_OK;
}

/* hist:FILE - lines "latency_us cumulative_fraction", '#' comments; the last fraction is
 * normalised to 1 so a file that stops at 0.999 still covers the whole range. */
static ds_status hist_load(ds_latency *m, const char *path, ds_err *err) {
    FILE *f = fopen(path, "r");
    if (!f) return ds_err_set(err, DS_ERR_CONFIG, "latency hist:%s: %s", path, strerror(errno));
    char line[512];
    unsigned lineno = 0;
    uint32_t cap = 0;
    ds_status st = DS_OK;
    while (st == DS_OK && fgets(line, sizeof(line), f))
        st = hist_line(m, path, ++lineno, line, &cap, err);
    fclose(f);
    if (st == DS_OK && (m->nhist == 0 || m->hist_cdf[m->nhist - 1] <= 0))
        st = ds_err_set(err, DS_ERR_CONFIG, "latency hist:%s: no points with a positive fraction",
                        path);
    if (st != DS_OK) {
        ds_latency_free(m);
        return st;
    }
    double last = m->hist_cdf[m->nhist - 1];
    for (uint32_t i = 0; i < m->nhist; i++)
        m->hist_cdf[i] /= last;
    m->a = m->hist_us[0];
    m->b = m->hist_us[m->nhist - 1];
    return DS_OK;
}

typedef struct lat_kind_desc {
    const char *name;
    ds_lat_kind kind;
    int nparams;
} lat_kind_desc;

static const lat_kind_desc lat_kinds[] = {
    {"fixed", DS_LAT_FIXED, 1},         {"uniform", DS_LAT_UNIFORM, 2}, {"exp", DS_LAT_EXP, 1},
    {"lognormal", DS_LAT_LOGNORMAL, 2}, {"pareto", DS_LAT_PARETO, 2},
};

/* Range checks per kind; returns a reason or NULL. */
/* NULL when the model is sane, else why not (in why, cap bytes, or a constant). */
static const char *lat_check(const ds_latency *m, char *why, size_t cap) {
    double typical = m->kind == DS_LAT_UNIFORM     ? m->b
                     : m->kind == DS_LAT_LOGNORMAL ? exp(m->a) /* the median */
                                                   : m->a;
    if (m->kind != DS_LAT_HIST && typical > LAT_MAX_US) {
        snprintf(why, cap, "%g us is longer than a backend call may take (%.0f s)", typical,
                 LAT_MAX_US / 1e6);
        return why;
    }
    switch (m->kind) {
    case DS_LAT_FIXED: return m->a < 0 ? "latency must be >= 0" : NULL;
    case DS_LAT_UNIFORM: return (m->a < 0 || m->b < m->a) ? "need 0 <= LO <= HI" : NULL;
    case DS_LAT_EXP: return m->a < 0 ? "mean must be >= 0" : NULL;
    case DS_LAT_LOGNORMAL: return m->b < 0 ? "sigma must be >= 0" : NULL;
    case DS_LAT_PARETO: return (m->a <= 0 || m->b <= 0) ? "need SCALE > 0 and SHAPE > 0" : NULL;
    default: return NULL;
    }
}

ds_status ds_latency_parse(const char *spec, ds_latency *out, ds_err *err) {
    if (!out) return ds_err_set(err, DS_ERR_ARG, "latency: NULL output");
    memset(out, 0, sizeof(*out));
    if (!spec || !*spec) return ds_err_set(err, DS_ERR_CONFIG, "latency '': empty spec");
    if (strncmp(spec, "hist:", 5) == 0) {
        out->kind = DS_LAT_HIST;
        if (!spec[5]) return ds_err_set(err, DS_ERR_CONFIG, "latency '%s': missing FILE", spec);
        return hist_load(out, spec + 5, err);
    }
    char buf[SPEC_MAX];
    if (strlen(spec) >= sizeof(buf))
        return ds_err_set(err, DS_ERR_CONFIG, "latency '%.40s...': spec too long", spec);
    strcpy(buf, spec);
    char *parts[4];
    int n = split(buf, ':', parts, 3);
    for (size_t i = 0; i < sizeof(lat_kinds) / sizeof(lat_kinds[0]); i++) {
        const lat_kind_desc *d = &lat_kinds[i];
        if (strcmp(parts[0], d->name) != 0) continue;
        if (n != d->nparams + 1)
            return ds_err_set(err, DS_ERR_CONFIG, "latency '%s': %s takes %d parameter%s", spec,
                              d->name, d->nparams, d->nparams == 1 ? "" : "s");
        double p[2] = {0, 0};
        for (int k = 0; k < d->nparams; k++)
            if (!parse_num(parts[k + 1], &p[k]))
                return ds_err_set(err, DS_ERR_CONFIG, "latency '%s': '%s' is not a number", spec,
                                  parts[k + 1]);
        out->kind = d->kind;
        out->a = p[0];
        out->b = p[1];
        char whybuf[96];
        const char *why = lat_check(out, whybuf, sizeof whybuf);
        if (why) return ds_err_set(err, DS_ERR_CONFIG, "latency '%s': %s", spec, why);
        return DS_OK;
    }
    return ds_err_set(err, DS_ERR_CONFIG,
                      "latency '%s': unknown model (fixed:US uniform:LO:HI exp:MEAN "
                      "lognormal:MU:SIGMA pareto:SCALE:SHAPE hist:FILE)",
                      spec);
}

static inline double unit(ds_rng *r) { return ds_lat_unit(r); }

/* Standard normal by Box-Muller (one of the pair; simple and deterministic). */
static double draw_normal(ds_rng *r) {
    double u1 = 1.0 - unit(r); /* (0, 1] */
    double u2 = unit(r);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* Inverse CDF of the piecewise-linear empirical distribution: below the first point the draw
 * is the first latency (its mass is a point mass), between points it interpolates. */
static double draw_hist(const ds_latency *m, ds_rng *r) {
    double u = unit(r);
    uint32_t lo = 0, hi = m->nhist - 1;
    if (u <= m->hist_cdf[0]) return m->hist_us[0];
    while (lo + 1 < hi) { /* invariant: cdf[lo] < u <= cdf[hi] */
        uint32_t mid = lo + (hi - lo) / 2;
        if (m->hist_cdf[mid] < u)
            lo = mid;
        else
            hi = mid;
    }
    double c0 = m->hist_cdf[lo], c1 = m->hist_cdf[hi];
    double t = c1 > c0 ? (u - c0) / (c1 - c0) : 1.0;
    return m->hist_us[lo] + t * (m->hist_us[hi] - m->hist_us[lo]);
}

int64_t ds_latency_draw(const ds_latency *m, ds_rng *r) {
    if (!m || !r) return 0;
    double x = 0;
    switch (m->kind) {
    case DS_LAT_FIXED: x = m->a; break;
    case DS_LAT_UNIFORM: x = m->a + unit(r) * (m->b - m->a); break;
    case DS_LAT_EXP: x = -m->a * log(1.0 - unit(r)); break;
    case DS_LAT_LOGNORMAL: x = exp(m->a + m->b * draw_normal(r)); break;
    case DS_LAT_PARETO: x = m->a / pow(1.0 - unit(r), 1.0 / m->b); break;
    case DS_LAT_HIST: x = m->nhist ? draw_hist(m, r) : 0; break;
    }
    return ds_lat_round(x);
}

void ds_latency_free(ds_latency *m) {
    if (!m) return;
    free(m->hist_us);
    free(m->hist_cdf);
    m->hist_us = m->hist_cdf = NULL;
    m->nhist = 0;
}

static bool parse_prob(const char *s, double *p) { return parse_num(s, p) && *p >= 0 && *p <= 1; }

static bool parse_u64(const char *s, uint64_t *out) { return s && ds_parse_u64(s, strlen(s), out); }

static bool parse_us(const char *s, int64_t *out) {
    uint64_t v;
    if (!parse_u64(s, &v) || v > (uint64_t)LAT_MAX_US) return false;
    *out = (int64_t)v;
    return true;
}

/* One "name=value" item of a fault spec. */
static bool fault_item(ds_faults *f, char *name, char *val) {
    char *parts[3];
    if (strcmp(name, "err") == 0) return parse_prob(val, &f->err_p);
    int n = split(val, ':', parts, 2);
    if (n != 2) return false;
    if (strcmp(name, "slow") == 0)
        return parse_prob(parts[0], &f->slow_p) && parse_us(parts[1], &f->slow_us);
    if (strcmp(name, "stall") == 0)
        return parse_u64(parts[0], &f->stall_every) && f->stall_every > 0 &&
               parse_us(parts[1], &f->stall_us);
    if (strcmp(name, "fail") == 0) /* fail=AFTER:COUNT, the exact countdown */
        return parse_u64(parts[0], &f->fail_after) && parse_u64(parts[1], &f->fail_count);
    return false;
}

ds_status ds_faults_parse(const char *spec, ds_faults *out, ds_err *err) {
    if (!out) return ds_err_set(err, DS_ERR_ARG, "faults: NULL output");
    memset(out, 0, sizeof(*out));
    if (!spec || !*spec || strcmp(spec, "none") == 0) return DS_OK;
    char buf[SPEC_MAX];
    if (strlen(spec) >= sizeof(buf))
        return ds_err_set(err, DS_ERR_CONFIG, "faults '%.40s...': spec too long", spec);
    strcpy(buf, spec);
    char *items[8];
    int n = split(buf, ',', items, 7);
    ds_faults f = {0};
    for (int i = 0; i < n; i++) {
        char *eq = n > 7 ? NULL : strchr(items[i], '=');
        if (!eq) {
            return ds_err_set(err, DS_ERR_CONFIG,
                              "faults '%s': expected err=P,slow=P:US,stall=EVERY:US,fail=N:K",
                              spec);
        }
        *eq = '\0';
        if (!fault_item(&f, items[i], eq + 1))
            return ds_err_set(err, DS_ERR_CONFIG,
                              "faults '%s': bad item '%s' (err=P, "
                              "slow=P:US, stall=EVERY:US, fail=AFTER:COUNT; P in [0,1])",
                              spec, items[i]);
    }
    *out = f;
    return DS_OK;
}
