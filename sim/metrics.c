/*
 * metrics.c - writes a run's results: timeseries.csv and races.csv while it runs, then
 * latency.csv, summary.csv and config.txt at the end (DESIGN.md section 5 is the contract).
 *
 * Why it works the way it does:
 * - Determinism: every number is an integer or a fixed-precision printf of values that come
 *   only from the caller, so the same inputs give byte-identical files. The only wall-clock
 *   columns are wall_seconds and requests_per_wall_second, both passed in by the host.
 * - Intervals: the engine calls ds_metrics_tick(now, stats) whenever its clock moves, before it
 *   handles the events at `now`. Every interval that ended at or before `now` gets one row,
 *   including intervals in which nothing happened, so a plot's x axis is the run's clock. The
 *   counters of a row are deltas of ds_stats since the previous row (so they all land in the
 *   first elapsed interval, where the events happened); gauges (queue, memory) are the latest
 *   snapshot, which is exact because nothing changes between events.
 * - Write errors are remembered (first one wins) and reported with the file's path at the next
 *   status-returning call, so a full disk is not silent.
 */
#include "metrics.h"

#include <csv.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csvfmt.h"
#include "hist.h"

#define DS_METRICS_PATH_MAX            4096
#define DS_METRICS_DEFAULT_INTERVAL_NS 1000000000LL
#define NH                             (DS_OP__COUNT + 1) /* per op, then ALL */

struct ds_metrics {
    char dir[DS_METRICS_PATH_MAX];
    FILE *ts, *races;
    int64_t interval_ns;
    int64_t row_start_ns;                 /* start of the interval being accumulated */
    int64_t last_now_ns;                  /* latest clock seen */
    uint64_t done[DS_OP__COUNT + 1];      /* completions in the current interval, per op and all */
    ds_stats prev, last;                  /* stats at the previous row / latest snapshot */
    ds_gauges gprev, glast;               /* gauges at the previous row / latest snapshot */
    int64_t gsnap_ns;                     /* when glast was taken */
    bool have_model;                      /* the engine models the core (core_busy_ns >= 0) */
    ds_phase phase, row_phase;            /* current phase; the phase a row started in */
    ds_hist *hist[NH], *svc[NH];          /* run phase: intended and service latency, ns */
    ds_hist *row_hist, *row_svc;          /* the current interval, every phase */
    uint64_t measured;                    /* completions in the run phase */
    uint64_t warm_requests;               /* completions in the warm-up */
    int64_t run_start_ns, drain_start_ns; /* -1: not reached */
    ds_stats run_base, run_end;           /* stats at the start and end of the run phase */
    ds_gauges grun_base, grun_end;
    ds_status werr; /* first write error */
    ds_err werr_msg;
};

static const char *const ds_ts_header =
    "time_s,requests,throughput_rps,hit_ratio,queue_len,jobs_in_flight,blocked_clients,"
    "used_memory_bytes,evictions,gets,sets,dels,disk_loads,disk_saves,client_queue_len,"
    "active_clients,core_busy_fraction,p50_us,p99_us,service_p99_us,phase\n";
static const char *const ds_races_header =
    "time_us,client,op,key,expected,observed,kind,rule,issue_us,write_time_us,write_client,"
    "write_op,write_version\n";
static const char *const ds_phase_names[] = {"warmup", "run", "drain"};

/* ---- small helpers ------------------------------------------------------------------------ */

static void ds_metrics_path(const ds_metrics *m, const char *name, char *buf, size_t len) {
    snprintf(buf, len, "%s/%s", m->dir, name);
}

/* Remember the first write error on one of m's files. */
static void ds_metrics_fail(ds_metrics *m, const char *name, int e) {
    if (m->werr != DS_OK) return;
    m->werr = DS_ERR_IO;
    ds_err_set(&m->werr_msg, DS_ERR_IO, "%s/%s: write failed: %s", m->dir, name, strerror(e));
}

static FILE *ds_metrics_create(const ds_metrics *m, const char *name, const char *header,
                               ds_err *err) {
    char path[DS_METRICS_PATH_MAX + 64];
    ds_metrics_path(m, name, path, sizeof path);
    if (!m->dir[0]) snprintf(path, sizeof path, "/dev/null"); /* a run without files */
    FILE *f = fopen(path, "w");
    if (!f) {
        ds_err_set(err, DS_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
        return NULL;
    }
    if (header && fputs(header, f) == EOF) {
        ds_err_set(err, DS_ERR_IO, "%s: write failed: %s", path, strerror(errno));
        fclose(f);
        return NULL;
    }
    return f;
}

/* Close f; on failure set err (unless already set) naming the file. */
static ds_status ds_metrics_fclose(const ds_metrics *m, FILE *f, const char *name, ds_status st,
                                   ds_err *err) {
    if (!f) return st;
    int bad = ferror(f);
    int e = errno;
    if (fclose(f) != 0) {
        bad = 1;
        e = errno;
    }
    if (bad && st == DS_OK) {
        char path[DS_METRICS_PATH_MAX + 64];
        ds_metrics_path(m, name, path, sizeof path);
        st = ds_err_set(err, DS_ERR_IO, "%s: write failed: %s", path, strerror(e));
    }
    return st;
}

/* ---- open, record ------------------------------------------------------------------------- */

static void ds_metrics_free_hists(ds_metrics *m) {
    for (size_t i = 0; i < NH; i++) {
        ds_hist_free(m->hist[i]);
        ds_hist_free(m->svc[i]);
    }
    ds_hist_free(m->row_hist);
    ds_hist_free(m->row_svc);
}

static bool ds_metrics_alloc_hists(ds_metrics *m) {
    bool ok = true;
    for (size_t i = 0; i < NH; i++) {
        ok &= (m->hist[i] = ds_hist_new()) != NULL;
        ok &= (m->svc[i] = ds_hist_new()) != NULL;
    }
    ok &= (m->row_hist = ds_hist_new()) != NULL;
    ok &= (m->row_svc = ds_hist_new()) != NULL;
    return ok;
}

ds_metrics *ds_metrics_open(const char *dir, int64_t interval_ns, ds_err *err) {
    if (dir && strlen(dir) >= DS_METRICS_PATH_MAX - 32) {
        ds_err_set(err, DS_ERR_ARG, "metrics: results directory too long");
        return NULL;
    }
    if (!dir) dir = ""; /* no files: every CSV goes to /dev/null (dslab explore's runs) */
    if (dir[0] && ds_mkdir_p(dir, err) != 0) return NULL;
    ds_metrics *m = calloc(1, sizeof *m);
    if (!m) {
        ds_err_set(err, DS_ERR_NOMEM, "metrics: out of memory");
        return NULL;
    }
    snprintf(m->dir, sizeof m->dir, "%s", dir);
    m->interval_ns = interval_ns > 0 ? interval_ns : DS_METRICS_DEFAULT_INTERVAL_NS;
    m->phase = m->row_phase = DS_PHASE_RUN;
    m->drain_start_ns = -1;
    m->glast.core_busy_ns = m->gprev.core_busy_ns = -1;
    if (!ds_metrics_alloc_hists(m)) {
        ds_err_set(err, DS_ERR_NOMEM, "metrics: out of memory");
        goto fail;
    }
    m->ts = ds_metrics_create(m, "timeseries.csv", ds_ts_header, err);
    if (!m->ts) goto fail;
    m->races = ds_metrics_create(m, "races.csv", ds_races_header, err);
    if (!m->races) goto fail;
    return m;
fail:
    if (m->ts) fclose(m->ts);
    ds_metrics_free_hists(m);
    free(m);
    return NULL;
}

/* A request lands in its op's histograms only; "ALL" ([DS_OP__COUNT]) is their sum, built
 * when it is read (ds_metrics_sum_all): merging is exact (counts, sum, min, max and buckets
 * all add up), and it saves two of the six histogram adds every request paid. The replay only
 * issues valid ops; another one would be in no op's row, so it is dropped from "ALL" too. */
void ds_metrics_latency(ds_metrics *m, ds_op op, int64_t latency_ns, int64_t service_ns) {
    if (m->phase != DS_PHASE_RUN || (unsigned)op >= DS_OP__COUNT) {
        ds_hist_add(m->row_hist, latency_ns);
        ds_hist_add(m->row_svc, service_ns);
        return;
    }
    ds_hist_add2(m->row_hist, m->hist[op], latency_ns);
    ds_hist_add2(m->row_svc, m->svc[op], service_ns);
}

/* Rebuild "ALL" from the per-op histograms (the pointers are m's own, so a const m may). */
static void ds_metrics_sum_all(const ds_metrics *m) {
    ds_hist_reset(m->hist[DS_OP__COUNT]);
    ds_hist_reset(m->svc[DS_OP__COUNT]);
    for (int op = 0; op < DS_OP__COUNT; op++) {
        ds_hist_merge(m->hist[DS_OP__COUNT], m->hist[op]);
        ds_hist_merge(m->svc[DS_OP__COUNT], m->svc[op]);
    }
}

const ds_hist *ds_metrics_hist(const ds_metrics *m, ds_op op) {
    if ((unsigned)op > DS_OP__COUNT) op = DS_OP__COUNT;
    if (op == DS_OP__COUNT) ds_metrics_sum_all(m);
    return m->hist[op];
}

const ds_hist *ds_metrics_service_hist(const ds_metrics *m, ds_op op) {
    if ((unsigned)op > DS_OP__COUNT) op = DS_OP__COUNT;
    if (op == DS_OP__COUNT) ds_metrics_sum_all(m);
    return m->svc[op];
}

/* ---- timeseries --------------------------------------------------------------------------- */

/* The cumulative gauges at end_ns: the latest snapshot, or a linear interpolation towards it
 * when one snapshot spans several rows (the core was blocked in a wait, the clock jumped). */
static ds_gauges ds_metrics_gauges_at(const ds_metrics *m, int64_t end_ns) {
    ds_gauges g = m->glast;
    int64_t span = m->gsnap_ns - m->row_start_ns;
    if (end_ns >= m->gsnap_ns || span <= 0) return g;
    double f = (double)(end_ns - m->row_start_ns) / (double)span;
    g.active_area = m->gprev.active_area +
                    (uint64_t)(f * (double)(m->glast.active_area - m->gprev.active_area));
    if (m->have_model) {
        int64_t base = m->gprev.core_busy_ns > 0 ? m->gprev.core_busy_ns : 0;
        g.core_busy_ns = base + (int64_t)(f * (double)(m->glast.core_busy_ns - base));
    }
    return g;
}

/* Gauge columns: client queue, time-averaged active clients, core busy fraction. */
static void ds_metrics_gauge_cols(const ds_metrics *m, const ds_gauges *b, int64_t dur_ns,
                                  char *buf, size_t len) {
    const ds_gauges *a = &m->gprev;
    char busy[32] = "";
    if (m->have_model && dur_ns > 0)
        snprintf(busy, sizeof busy, "%.6f",
                 (double)(b->core_busy_ns - (a->core_busy_ns > 0 ? a->core_busy_ns : 0)) /
                     (double)dur_ns);
    double act = dur_ns > 0 ? (double)(b->active_area - a->active_area) / (double)dur_ns : 0.0;
    snprintf(buf, len, "%" PRIu64 ",%.3f,%s", b->client_queue_len, act, busy);
}

/* One row for the interval [row_start_ns, end_ns); counters are deltas since the last row. */
static void ds_metrics_row(ds_metrics *m, int64_t end_ns) {
    const ds_stats *a = &m->prev, *b = &m->last;
    int64_t dur_ns = end_ns - m->row_start_ns;
    char t[32], hr[32], thr[40], g[96], p50[32], p99[32], s99[32];
    ds_fmt_seconds(t, sizeof t, end_ns);
    ds_fmt_ratio(hr, sizeof hr, b->hits - a->hits, (b->hits - a->hits) + (b->misses - a->misses));
    uint64_t n = m->done[DS_OP__COUNT];
    snprintf(thr, sizeof thr, "%.3f", dur_ns > 0 ? (double)n * 1e9 / (double)dur_ns : 0.0);
    ds_gauges gend = ds_metrics_gauges_at(m, end_ns);
    ds_metrics_gauge_cols(m, &gend, dur_ns, g, sizeof g);
    p50[0] = p99[0] = s99[0] = '\0';
    if (n) {
        ds_fmt_us(p50, sizeof p50, ds_hist_quantile(m->row_hist, 0.5));
        ds_fmt_us(p99, sizeof p99, ds_hist_quantile(m->row_hist, 0.99));
        ds_fmt_us(s99, sizeof s99, ds_hist_quantile(m->row_svc, 0.99));
    }
    int r = fprintf(m->ts,
                    "%s,%" PRIu64 ",%s,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
                    ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%s,%s,%s,%s,%s\n",
                    t, n, thr, hr, b->queued_ops, b->jobs_processing, b->blocked_clients,
                    b->used_memory_bytes, b->evictions - a->evictions, m->done[DS_OP_GET],
                    m->done[DS_OP_SET], m->done[DS_OP_DEL], b->disk_loads - a->disk_loads,
                    b->disk_saves - a->disk_saves, g, p50, p99, s99, ds_phase_names[m->row_phase]);
    if (r < 0) ds_metrics_fail(m, "timeseries.csv", errno);
    m->prev = m->last;
    m->gprev = gend;
    memset(m->done, 0, sizeof m->done);
    if (n) {
        ds_hist_reset(m->row_hist);
        ds_hist_reset(m->row_svc);
    }
    m->row_start_ns = end_ns;
    m->row_phase = m->phase;
}

/*
 * Write the rows of the whole intervals that ended at or before now_ns. Only the first of them
 * can hold events (the engine calls this before handling the events at now_ns); the rest are
 * empty. A run of empty intervals is written as at most two rows, its first and its last
 * (zero counts, the same gauges), so a plot still draws the idle span as flat while the file
 * grows with the run's events, not with the span of its clock.
 */
static void ds_metrics_advance(ds_metrics *m, int64_t now_ns) {
    if (now_ns > m->last_now_ns) m->last_now_ns = now_ns;
    if (now_ns - m->row_start_ns < m->interval_ns) return; /* the common case: no division */
    int64_t n = (now_ns - m->row_start_ns) / m->interval_ns;
    for (int64_t k = 0; k < n; k++) {
        if (k == 2 && n > 3) { /* collapsed; the cumulative gauges move along */
            int64_t start = m->row_start_ns + (n - 3) * m->interval_ns;
            m->gprev = ds_metrics_gauges_at(m, start);
            m->row_start_ns = start;
        }
        if (k == 2 && n > 3) k = n - 1;
        ds_metrics_row(m, m->row_start_ns + m->interval_ns);
    }
}

bool ds_metrics_row_due(const ds_metrics *m, int64_t now_ns) {
    return now_ns - m->row_start_ns >= m->interval_ns;
}

void ds_metrics_completed(ds_metrics *m, int64_t now_ns, ds_op op) {
    /* Normally tick(now) came first and this is a no-op; if not, count it where it belongs. */
    if (now_ns - m->row_start_ns >= m->interval_ns)
        ds_metrics_advance(m, now_ns);
    else if (now_ns > m->last_now_ns)
        m->last_now_ns = now_ns;
    if ((unsigned)op < DS_OP__COUNT) m->done[op]++;
    m->done[DS_OP__COUNT]++;
    if (m->phase == DS_PHASE_RUN)
        m->measured++;
    else if (m->phase == DS_PHASE_WARMUP)
        m->warm_requests++;
}

static void ds_metrics_take(ds_metrics *m, int64_t now_ns, const ds_stats *st, const ds_gauges *g) {
    if (st) m->last = *st;
    if (g) {
        m->glast = *g;
        m->gsnap_ns = now_ns;
        if (g->core_busy_ns >= 0) m->have_model = true;
    }
}

ds_status ds_metrics_tick(ds_metrics *m, int64_t now_ns, const ds_stats *st, const ds_gauges *g,
                          ds_err *err) {
    ds_metrics_take(m, now_ns, st, g);
    ds_metrics_advance(m, now_ns);
    if (m->werr != DS_OK) return ds_err_set(err, m->werr, "%s", m->werr_msg.msg);
    return DS_OK;
}

void ds_metrics_phase(ds_metrics *m, ds_phase ph, int64_t now_ns, const ds_stats *st,
                      const ds_gauges *g) {
    ds_metrics_take(m, now_ns, st, g);
    ds_metrics_advance(m, now_ns);
    if (now_ns > m->row_start_ns && ph != m->phase) /* rows never straddle two phases */
        ds_metrics_row(m, now_ns);
    if (ph == DS_PHASE_WARMUP) {
        m->phase = m->row_phase = DS_PHASE_WARMUP;
        return;
    }
    if (ph == DS_PHASE_RUN && m->phase == DS_PHASE_WARMUP) {
        m->run_start_ns = now_ns;
        m->run_base = m->last;
        m->grun_base = m->glast;
    } else if (ph == DS_PHASE_DRAIN && m->phase != DS_PHASE_DRAIN) {
        if (m->phase == DS_PHASE_WARMUP) { /* the warm-up never ended: an empty run */
            m->run_start_ns = now_ns;
            m->run_base = m->last;
            m->grun_base = m->glast;
        }
        m->drain_start_ns = now_ns;
        m->run_end = m->last;
        m->grun_end = m->glast;
    }
    m->phase = ph;
    if (m->row_start_ns == now_ns) m->row_phase = ph;
}

ds_phase ds_metrics_current_phase(const ds_metrics *m) { return m->phase; }
ds_status ds_metrics_race_row(ds_metrics *m, const ds_race_row *r, ds_err *err) {
    const char *strs[4] = {r->expected, r->observed, r->kind, r->rule};
    char *k = ds_escape(r->key, r->key ? r->keylen : 0), *f[4];
    bool ok = k != NULL;
    for (int i = 0; i < 4; i++) {
        f[i] = ds_escape(strs[i] ? strs[i] : "", strs[i] ? strlen(strs[i]) : 0);
        ok = ok && f[i];
    }
    ds_status st = DS_OK;
    if (!ok) {
        st = ds_err_set(err, DS_ERR_NOMEM, "metrics: out of memory");
        goto out;
    }
    fprintf(m->races, "%" PRId64 ",%" PRIu64 ",%s,", r->time_us, r->client, r->op);
    ds_csv_field(m->races, k);
    for (int i = 0; i < 4; i++) {
        fputc(',', m->races);
        ds_csv_field(m->races, f[i]);
    }
    if (r->kind && r->rule) /* the extended row; a bare one leaves the columns empty */
        fprintf(m->races, ",%" PRId64, r->issue_us);
    else
        fputc(',', m->races);
    if (r->has_write)
        fprintf(m->races, ",%" PRId64 ",%" PRIu64 ",%s,%s", r->write_time_us, r->write_client,
                r->write_op, r->write_version);
    else
        fputs(",,,,", m->races);
    if (fputc('\n', m->races) == EOF) ds_metrics_fail(m, "races.csv", errno);
    if (m->werr != DS_OK) st = ds_err_set(err, m->werr, "%s", m->werr_msg.msg);
out:
    free(k);
    for (int i = 0; i < 4; i++)
        free(f[i]);
    return st;
}

ds_status ds_metrics_race(ds_metrics *m, int64_t time_us, uint64_t client, ds_op op,
                          const void *key, uint32_t keylen, const char *expected,
                          const char *observed, const char *kind, ds_err *err) {
    ds_race_row r = {.time_us = time_us,
                     .client = client,
                     .op = ds_op_name(op),
                     .key = key,
                     .keylen = keylen,
                     .expected = expected,
                     .observed = observed,
                     .kind = kind};
    return ds_metrics_race_row(m, &r, err);
}

/* ---- close: latency.csv, summary.csv, config.txt ------------------------------------------ */

/* One op's rows: the union of the non-empty buckets of its intended and service histograms
 * (same bucket layout), with both counts and cumulative fractions. */
static void ds_write_latency_op(FILE *f, const char *name, const ds_hist *h, const ds_hist *sv) {
    uint64_t tot = ds_hist_count(h), stot = ds_hist_count(sv), cum = 0, scum = 0, n = 0, sn = 0;
    size_t it = 0, sit = 0;
    int64_t lo = 0, hi = 0, slo = 0, shi = 0;
    bool more = ds_hist_bucket(h, &it, &lo, &hi, &n);
    bool smore = ds_hist_bucket(sv, &sit, &slo, &shi, &sn);
    while (more || smore) {
        bool take = more && (!smore || lo <= slo), stake = smore && (!more || slo <= lo);
        uint64_t c = take ? n : 0, sc = stake ? sn : 0;
        cum += c;
        scum += sc;
        char l[32], u[32];
        ds_fmt_us(l, sizeof l, take ? lo : slo);
        ds_fmt_us(u, sizeof u, take ? hi : shi);
        fprintf(f, "%s,%s,%s,%" PRIu64 ",%.9f,%" PRIu64 ",%.9f\n", name, l, u, c,
                tot ? (double)cum / (double)tot : 0.0, sc,
                stot ? (double)scum / (double)stot : 0.0);
        if (take) more = ds_hist_bucket(h, &it, &lo, &hi, &n);
        if (stake) smore = ds_hist_bucket(sv, &sit, &slo, &shi, &sn);
    }
}

static ds_status ds_write_latency(ds_metrics *m, ds_err *err) {
    FILE *f = ds_metrics_create(m, "latency.csv",
                                "op,bucket_lo_us,bucket_hi_us,count,cum_fraction,service_count,"
                                "service_cum_fraction\n",
                                err);
    if (!f) return DS_ERR_IO;
    ds_metrics_sum_all(m);
    for (int op = 0; op < DS_OP__COUNT; op++)
        if (ds_hist_count(m->hist[op]) > 0)
            ds_write_latency_op(f, ds_op_name((ds_op)op), m->hist[op], m->svc[op]);
    if (ds_hist_count(m->hist[DS_OP__COUNT]) > 0)
        ds_write_latency_op(f, "ALL", m->hist[DS_OP__COUNT], m->svc[DS_OP__COUNT]);
    return ds_metrics_fclose(m, f, "latency.csv", DS_OK, err);
}

/* ---- summary.csv: one table of columns ---------------------------------------------------- */

/* What a summary column is computed from. Counters are those of the run phase (between the
 * end of the warm-up and the start of the final drain); `final` is the very end. */
typedef struct ds_sum_src {
    const ds_stats *s, *final;
    const ds_run_info *in;
    const ds_metrics *m;
    ds_hist *const *hist; /* intended latency per op, then ALL at [DS_OP__COUNT] (ns) */
    ds_hist *const *svc;  /* service latency, same indexing */
    double run_s, drain_s, warm_s;
} ds_sum_src;

typedef void (*ds_sum_fn)(const ds_sum_src *src, size_t arg, char *buf, size_t len);

/* One summary.csv column after trace, trace_bytes and the config columns. */
typedef struct ds_sum_col {
    const char *name;
    ds_sum_fn fn;
    size_t arg; /* a field offset, or an op and quantile packed by DS_Q */
} ds_sum_col;

static void ds_col_stat(const ds_sum_src *src, size_t off, char *buf, size_t len) {
    uint64_t v;
    memcpy(&v, (const char *)src->s + off, sizeof v);
    snprintf(buf, len, "%" PRIu64, v);
}

static void ds_col_final(const ds_sum_src *src, size_t off, char *buf, size_t len) {
    uint64_t v;
    memcpy(&v, (const char *)src->final + off, sizeof v);
    snprintf(buf, len, "%" PRIu64, v);
}

static void ds_col_info(const ds_sum_src *src, size_t off, char *buf, size_t len) {
    uint64_t v;
    memcpy(&v, (const char *)src->in + off, sizeof v);
    snprintf(buf, len, "%" PRIu64, v);
}

static void ds_col_info_f6(const ds_sum_src *src, size_t off, char *buf, size_t len) {
    double v;
    memcpy(&v, (const char *)src->in + off, sizeof v);
    snprintf(buf, len, "%.6f", v);
}

/* A double of the source itself (run_s, drain_s, warm_s). */
static void ds_col_src_f6(const ds_sum_src *src, size_t off, char *buf, size_t len) {
    double v;
    memcpy(&v, (const char *)src + off, sizeof v);
    snprintf(buf, len, "%.6f", v);
}

static void ds_col_requests(const ds_sum_src *src, size_t arg, char *buf, size_t len) {
    snprintf(buf, len, "%" PRIu64, arg ? src->m->warm_requests : src->m->measured);
}

static void ds_col_rps(const ds_sum_src *src, size_t arg, char *buf, size_t len) {
    (void)arg;
    double w = src->in->wall_seconds;
    snprintf(buf, len, "%.3f", w > 0 ? (double)src->in->requests / w : 0.0);
}

static void ds_col_hit_ratio(const ds_sum_src *src, size_t arg, char *buf, size_t len) {
    (void)arg;
    ds_fmt_ratio(buf, len, src->s->hits, src->s->hits + src->s->misses);
}

static void ds_col_mean(const ds_sum_src *src, size_t arg, char *buf, size_t len) {
    const ds_hist *h = arg ? src->svc[DS_OP__COUNT] : src->hist[DS_OP__COUNT];
    snprintf(buf, len, "%.3f", ds_hist_mean(h) / 1000.0);
}

static void ds_col_busy(const ds_sum_src *src, size_t arg, char *buf, size_t len) {
    (void)arg;
    const ds_metrics *m = src->m;
    int64_t busy_ns = m->grun_end.core_busy_ns - m->grun_base.core_busy_ns;
    buf[0] = '\0';
    if (m->have_model && src->run_s > 0)
        snprintf(buf, len, "%.6f", (double)busy_ns / (src->run_s * 1e9));
}

static void ds_col_drain_saves(const ds_sum_src *src, size_t arg, char *buf, size_t len) {
    (void)arg;
    snprintf(buf, len, "%" PRIu64, src->final->disk_saves - src->m->run_end.disk_saves);
}

/* Quantiles by index: p50, p90, p99, p999, p9999, then max. */
static const double ds_sum_q[] = {0.5, 0.9, 0.99, 0.999, 0.9999};
#define DS_Q(op, qi) ((size_t)(op)*8 + (qi))
#define DS_QMAX      5
#define DS_QSVC      ((size_t)1 << 20) /* flag: the service histogram */

/* A latency quantile of one op (DS_OP__COUNT = all ops) in microseconds with 3 decimals; empty
 * when that op never ran, except for all ops, whose columns predate the per-op ones and print
 * 0 for an empty run. */
static void ds_col_quantile(const ds_sum_src *src, size_t arg, char *buf, size_t len) {
    bool svc = arg & DS_QSVC;
    arg &= ~DS_QSVC;
    size_t op = arg / 8, qi = arg % 8;
    const ds_hist *h = svc ? src->svc[op] : src->hist[op];
    if (ds_hist_count(h) == 0 && op != DS_OP__COUNT) {
        buf[0] = '\0';
        return;
    }
    ds_fmt_us(buf, len, qi == DS_QMAX ? ds_hist_max(h) : ds_hist_quantile(h, ds_sum_q[qi]));
}

/* Core CPU per command type, measured by real-clock runs; empty in virtual time. */
static void ds_col_core_cpu(const ds_sum_src *src, size_t arg, char *buf, size_t len) {
    if (!src->in->core_cpu || arg >= DS_RUN_CPU_COLS)
        buf[0] = '\0';
    else
        snprintf(buf, len, "%.3f", src->in->core_cpu_us[arg]);
}

#define STAT(f)     ds_col_stat, offsetof(ds_stats, f)
#define FINAL(f)    ds_col_final, offsetof(ds_stats, f)
#define INFO(f)     ds_col_info, offsetof(ds_run_info, f)
#define INFO_F6(f)  ds_col_info_f6, offsetof(ds_run_info, f)
#define SRC_F6(f)   ds_col_src_f6, offsetof(ds_sum_src, f)
#define QUANT(o, q) ds_col_quantile, DS_Q(o, q)
#define SVC(q)      ds_col_quantile, (DS_Q(DS_OP__COUNT, q) | DS_QSVC)

/* The summary.csv contract after trace, trace_bytes and the config columns (README "Results";
 * tests/test_metrics.c pins the order). DESIGN.md's columns first, then additions; a new
 * column is one new row, appended at the end so existing readers keep their positions.
 * Latencies are from the intended time (service_* from issue), in microseconds. */
static const ds_sum_col ds_sum_cols[] = {
    {"requests", ds_col_requests, 0},
    {"gets", STAT(gets)},
    {"sets", STAT(sets)},
    {"dels", STAT(dels)},
    {"hits", STAT(hits)},
    {"misses", STAT(misses)},
    {"neg_hits", STAT(neg_hits)},
    {"disk_loads", STAT(disk_loads)},
    {"disk_saves", STAT(disk_saves)},
    {"disk_dels", STAT(disk_dels)},
    {"saves_coalesced", STAT(saves_coalesced)},
    {"evictions", STAT(evictions)},
    {"neg_evictions", STAT(neg_evictions)},
    {"blocked_requests", STAT(blocked_requests)},
    {"stale_reads", INFO(stale_reads)},
    {"lost_writes", INFO(lost_writes)},
    {"p50_us", QUANT(DS_OP__COUNT, 0)},
    {"p90_us", QUANT(DS_OP__COUNT, 1)},
    {"p99_us", QUANT(DS_OP__COUNT, 2)},
    {"p999_us", QUANT(DS_OP__COUNT, 3)},
    {"max_us", QUANT(DS_OP__COUNT, DS_QMAX)},
    {"sim_seconds", SRC_F6(run_s)},
    {"wall_seconds", INFO_F6(wall_seconds)},
    {"requests_per_wall_second", ds_col_rps, 0},
    {"peak_memory_bytes", FINAL(peak_memory_bytes)},
    {"save_retries", STAT(save_retries)},
    {"load_errors", STAT(load_errors)},
    {"memory_limit_misses", FINAL(memory_limit_misses)},
    {"errors", INFO(errors)},
    {"hit_ratio", ds_col_hit_ratio, 0},
    {"mean_us", ds_col_mean, 0},
    {"p9999_us", QUANT(DS_OP__COUNT, 4)},
    {"get_p50_us", QUANT(DS_OP_GET, 0)},
    {"get_p90_us", QUANT(DS_OP_GET, 1)},
    {"get_p99_us", QUANT(DS_OP_GET, 2)},
    {"get_p999_us", QUANT(DS_OP_GET, 3)},
    {"get_p9999_us", QUANT(DS_OP_GET, 4)},
    {"set_p50_us", QUANT(DS_OP_SET, 0)},
    {"set_p90_us", QUANT(DS_OP_SET, 1)},
    {"set_p99_us", QUANT(DS_OP_SET, 2)},
    {"set_p999_us", QUANT(DS_OP_SET, 3)},
    {"set_p9999_us", QUANT(DS_OP_SET, 4)},
    {"del_p50_us", QUANT(DS_OP_DEL, 0)},
    {"del_p90_us", QUANT(DS_OP_DEL, 1)},
    {"del_p99_us", QUANT(DS_OP_DEL, 2)},
    {"del_p999_us", QUANT(DS_OP_DEL, 3)},
    {"del_p9999_us", QUANT(DS_OP_DEL, 4)},
    {"core_cpu_get_us", ds_col_core_cpu, 0},
    {"core_cpu_set_us", ds_col_core_cpu, 1},
    {"core_cpu_del_us", ds_col_core_cpu, 2},
    {"core_cpu_done_us", ds_col_core_cpu, 3},
    {"core_cpu_cron_us", ds_col_core_cpu, 4},
    {"service_p50_us", SVC(0)},
    {"service_p90_us", SVC(1)},
    {"service_p99_us", SVC(2)},
    {"service_p999_us", SVC(3)},
    {"service_max_us", SVC(DS_QMAX)},
    {"service_mean_us", ds_col_mean, 1},
    {"client_queue_max", INFO(client_queue_max)},
    {"core_busy_fraction", ds_col_busy, 0},
    {"warmup_requests", ds_col_requests, 1},
    {"warmup_seconds", SRC_F6(warm_s)},
    {"drain_saves", ds_col_drain_saves, 0},
    {"drain_seconds", SRC_F6(drain_s)},
    {"memory_over_limit_max_bytes", INFO(memory_over_limit_max_bytes)},
    {"memory_over_limit_seconds", INFO_F6(memory_over_limit_seconds)},
    {"interrupted", INFO(interrupted)},
};
#define DS_NSUM (sizeof ds_sum_cols / sizeof ds_sum_cols[0])

size_t ds_metrics_summary_columns(const char **names, size_t cap) {
    for (size_t i = 0; i < DS_NSUM && i < cap; i++)
        names[i] = ds_sum_cols[i].name;
    return DS_NSUM;
}

/* trace_bytes: the trace file's size; empty for gen: specs, stdin, or an unknown trace. */
static void ds_fmt_trace_bytes(const ds_run_info *in, char *buf, size_t len) {
    if (in->trace && in->trace_bytes >= 0)
        snprintf(buf, len, "%" PRId64, in->trace_bytes);
    else
        buf[0] = '\0';
}

/* Counters of the run phase: end - base, field by field (ds_stats is all uint64_t). */
static void ds_stats_sub(ds_stats *out, const ds_stats *end, const ds_stats *base) {
    const uint64_t *e = (const uint64_t *)end, *b = (const uint64_t *)base;
    uint64_t *o = (uint64_t *)out;
    for (size_t i = 0; i < sizeof *out / sizeof(uint64_t); i++)
        o[i] = e[i] - b[i];
}

static void ds_write_summary_row(FILE *f, const ds_sum_src *src) {
    char buf[64];
    const ds_run_info *in = src->in;
    ds_csv_field(f, in->trace);
    ds_fmt_trace_bytes(in, buf, sizeof buf);
    fprintf(f, ",%s", buf);
    for (size_t i = 0; i < in->ncfg; i++) {
        fputc(',', f);
        ds_csv_field(f, in->cfg_values[i]);
    }
    for (size_t i = 0; i < DS_NSUM; i++) {
        ds_sum_cols[i].fn(src, ds_sum_cols[i].arg, buf, sizeof buf);
        fprintf(f, ",%s", buf);
    }
    fputc('\n', f);
}

static ds_status ds_write_summary(ds_metrics *m, const ds_stats *final, const ds_run_info *in,
                                  int64_t end_ns, ds_err *err) {
    FILE *f = ds_metrics_create(m, "summary.csv", NULL, err);
    if (!f) return DS_ERR_IO;
    if (m->drain_start_ns < 0) { /* no drain signalled: the run ends at the end */
        m->drain_start_ns = end_ns;
        m->run_end = *final;
        m->grun_end = m->glast;
    }
    ds_stats run;
    ds_stats_sub(&run, &m->run_end, &m->run_base);
    ds_metrics_sum_all(m);
    ds_sum_src src = {.s = &run, .final = final, .in = in, .m = m, .hist = m->hist, .svc = m->svc};
    src.run_s = (double)(m->drain_start_ns - m->run_start_ns) / 1e9;
    src.drain_s = (double)(end_ns - m->drain_start_ns) / 1e9;
    src.warm_s = (double)m->run_start_ns / 1e9;
    fputs("trace,trace_bytes", f);
    for (size_t i = 0; i < in->ncfg; i++) {
        fputc(',', f);
        ds_csv_field(f, in->cfg_names[i]);
    }
    for (size_t i = 0; i < DS_NSUM; i++)
        fprintf(f, ",%s", ds_sum_cols[i].name);
    fputc('\n', f);
    ds_write_summary_row(f, &src);
    return ds_metrics_fclose(m, f, "summary.csv", DS_OK, err);
}

/* config.txt: the trace and its size first (when known), then the effective config; every
 * line loads again with --config (which takes `trace` as the trace when none is given and
 * ignores `trace_bytes`). */
static ds_status ds_write_config(ds_metrics *m, const ds_run_info *in, ds_err *err) {
    FILE *f = ds_metrics_create(m, "config.txt", NULL, err);
    if (!f) return DS_ERR_IO;
    if (in->trace) {
        char buf[64];
        ds_fmt_trace_bytes(in, buf, sizeof buf);
        fprintf(f, "trace %s\n", in->trace);
        if (buf[0]) fprintf(f, "trace_bytes %s\n", buf);
    }
    for (size_t i = 0; i < in->ncfg; i++)
        fprintf(f, "%s %s\n", in->cfg_names[i], in->cfg_values[i] ? in->cfg_values[i] : "");
    return ds_metrics_fclose(m, f, "config.txt", DS_OK, err);
}

/* The last, possibly partial, interval up to the end of the run. */
static void ds_metrics_final_row(ds_metrics *m, int64_t end_ns) {
    ds_metrics_advance(m, end_ns);
    bool pending = m->done[DS_OP__COUNT] > 0 || memcmp(&m->prev, &m->last, sizeof m->prev) != 0;
    if (end_ns > m->row_start_ns)
        ds_metrics_row(m, end_ns);
    else if (pending)
        ds_metrics_row(m, m->row_start_ns + m->interval_ns);
}

ds_status ds_metrics_close(ds_metrics *m, const ds_stats *st, const ds_run_info *info,
                           ds_err *err) {
    if (!m) return DS_OK;
    static const ds_run_info none = {0};
    if (!info) info = &none;
    ds_stats final = st ? *st : m->last;
    m->last = final;
    int64_t end_ns = info->sim_seconds > 0 ? (int64_t)(info->sim_seconds * 1e9 + 0.5) : 0;
    if (end_ns < m->last_now_ns) end_ns = m->last_now_ns;
    ds_metrics_final_row(m, end_ns);
    ds_status rc = m->werr;
    if (rc != DS_OK) ds_err_set(err, rc, "%s", m->werr_msg.msg);
    rc = ds_metrics_fclose(m, m->ts, "timeseries.csv", rc, err);
    rc = ds_metrics_fclose(m, m->races, "races.csv", rc, err);
    if (rc == DS_OK) rc = ds_write_latency(m, err);
    if (rc == DS_OK) rc = ds_write_summary(m, &final, info, end_ns, err);
    if (rc == DS_OK) rc = ds_write_config(m, info, err);
    ds_metrics_free_hists(m);
    free(m);
    return rc;
}
