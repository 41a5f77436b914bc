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

#include "metrics_int.h"

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

FILE *ds_metrics_create(const ds_metrics *m, const char *name, const char *header, ds_err *err) {
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
ds_status ds_metrics_fclose(const ds_metrics *m, FILE *f, const char *name, ds_status st,
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
    for (size_t i = 0; i < NH; i++) {
        ds_hist_free(m->cur[i]);
        ds_hist_free(m->cur_svc[i]);
    }
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

/* The adds since the last flush were all made in the current phase (ds_metrics_phase flushes
 * before it changes it). The pointers are m's own, so a const m may (a reader's flush): a
 * const reader of m therefore changes it, and is not safe beside another thread's use. A
 * request lands in its op's histograms only; "ALL" ([DS_OP__COUNT]) is their sum, built when
 * it is read (ds_metrics_sum_all): merging is exact (counts, sum, min, max and buckets all add
 * up). The replay only issues valid ops; another one would be in no op's row, so it is dropped
 * from "ALL" too. */
void ds_metrics_flush(const ds_metrics *m) {
    for (size_t i = 0; i < NH; i++) {
        ds_hist *l = m->cur[i], *s = m->cur_svc[i];
        if (!l || ds_hist_count(l) == 0) continue;
        if (m->phase == DS_PHASE_RUN && i < DS_OP__COUNT) {
            ds_hist_merge(m->hist[i], l);
            ds_hist_merge(m->svc[i], s);
        }
        ds_hist_merge(m->row_hist, l);
        ds_hist_merge(m->row_svc, s);
        ds_hist_clear(l);
        ds_hist_clear(s);
    }
}

static __attribute__((noinline)) bool cur_new(ds_metrics *m, size_t i) {
    if (!(m->cur[i] = ds_hist_new()) || !(m->cur_svc[i] = ds_hist_new())) {
        ds_hist_free(m->cur[i]);
        m->cur[i] = NULL;
        if (m->werr == DS_OK) {
            m->werr = DS_ERR_NOMEM;
            ds_err_set(&m->werr_msg, DS_ERR_NOMEM, "metrics: out of memory");
        }
        return false;
    }
    return true;
}

static inline void add_latency(ds_metrics *m, ds_op op, int64_t latency_ns, int64_t service_ns) {
    size_t i = (unsigned)op < DS_OP__COUNT ? (size_t)op : DS_OP__COUNT;
    if (!m->cur[i] && !cur_new(m, i)) return;
    ds_hist_add2v(m->cur[i], latency_ns, m->cur_svc[i], service_ns);
}

void ds_metrics_latency(ds_metrics *m, ds_op op, int64_t latency_ns, int64_t service_ns) {
    add_latency(m, op, latency_ns, service_ns);
}

/* Rebuild "ALL" from the per-op histograms (the pointers are m's own, so a const m may). */
void ds_metrics_sum_all(const ds_metrics *m) {
    ds_metrics_flush(m);
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
    ds_metrics_flush(m);
    return m->hist[op];
}

const ds_hist *ds_metrics_service_hist(const ds_metrics *m, ds_op op) {
    if ((unsigned)op > DS_OP__COUNT) op = DS_OP__COUNT;
    if (op == DS_OP__COUNT) ds_metrics_sum_all(m);
    ds_metrics_flush(m);
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
    ds_metrics_flush(m);
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
        ds_hist_clear(m->row_hist);
        ds_hist_clear(m->row_svc);
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

static inline void completed(ds_metrics *m, int64_t now_ns, ds_op op) {
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

void ds_metrics_completed(ds_metrics *m, int64_t now_ns, ds_op op) { completed(m, now_ns, op); }

int64_t ds_metrics_answer(ds_metrics *m, int64_t now_ns, ds_op op, int64_t latency_ns,
                          int64_t service_ns) {
    add_latency(m, op, latency_ns, service_ns);
    completed(m, now_ns, op);
    return m->row_start_ns + m->interval_ns;
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
    ds_metrics_flush(m); /* the adds at row_start_ns, before the change, are the old phase's */
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
    if (rc == DS_OK) rc = ds_metrics_write_summary(m, &final, info, end_ns, err);
    if (rc == DS_OK) rc = ds_write_config(m, info, err);
    ds_metrics_free_hists(m);
    free(m);
    return rc;
}
