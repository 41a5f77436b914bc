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

#include "hist.h"

#define DS_METRICS_PATH_MAX            4096
#define DS_METRICS_DEFAULT_INTERVAL_US 1000000

struct ds_metrics {
    char dir[DS_METRICS_PATH_MAX];
    FILE *ts, *races;
    int64_t interval_us;
    int64_t row_start_us;            /* start of the interval being accumulated */
    int64_t last_now_us;             /* latest clock seen */
    uint64_t done_requests;          /* completions in the current interval */
    ds_stats prev, last;             /* stats at the previous row / latest snapshot */
    ds_hist *hist[DS_OP__COUNT + 1]; /* per op, then ALL */
    ds_status werr;                  /* first write error */
    ds_err werr_msg;
};

static const char *const ds_ts_header =
    "time_s,requests,throughput_rps,hit_ratio,queue_len,jobs_in_flight,blocked_clients,"
    "used_memory_bytes,evictions,gets,sets,dels,disk_loads,disk_saves\n";
static const char *const ds_races_header = "time_us,client,op,key,expected,observed,kind\n";

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

static int ds_mkdir_p(const char *dir, ds_err *err) {
    char buf[DS_METRICS_PATH_MAX];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof buf) {
        ds_err_set(err, DS_ERR_ARG, "metrics: bad results directory '%s'", dir);
        return -1;
    }
    memcpy(buf, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0') continue;
        char c = buf[i];
        buf[i] = '\0';
        struct stat sb;
        if (stat(buf, &sb) != 0) {
            if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
                ds_err_set(err, DS_ERR_IO, "%s: cannot create directory: %s", buf, strerror(errno));
                return -1;
            }
        } else if (!S_ISDIR(sb.st_mode)) {
            ds_err_set(err, DS_ERR_IO, "%s: not a directory", buf);
            return -1;
        }
        buf[i] = c;
    }
    return 0;
}

static FILE *ds_metrics_create(const ds_metrics *m, const char *name, const char *header,
                               ds_err *err) {
    char path[DS_METRICS_PATH_MAX + 64];
    ds_metrics_path(m, name, path, sizeof path);
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

/* Write one CSV string field, quoted by libcsv only when it needs to be. */
static void ds_csv_field(FILE *f, const char *s) {
    if (!s) s = "";
    size_t n = strlen(s);
    bool quote = n > 0 && (s[0] == ' ' || s[n - 1] == ' ');
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (quote)
        csv_fwrite(f, s, n);
    else
        fwrite(s, 1, n, f);
}

/* Escape bytes outside printable ASCII, and the backslash itself, as \xNN. Caller frees. */
static char *ds_escape(const void *p, size_t len) {
    const unsigned char *b = p;
    char *out = malloc(len * 4 + 1);
    if (!out) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (b[i] >= 0x20 && b[i] < 0x7f && b[i] != '\\')
            out[o++] = (char)b[i];
        else
            o += (size_t)sprintf(out + o, "\\x%02x", b[i]);
    }
    out[o] = '\0';
    return out;
}

/* "12.345678" from microseconds, without floating point. */
static void ds_fmt_seconds(char *buf, size_t len, int64_t us) {
    const char *sign = us < 0 ? "-" : "";
    uint64_t u = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
    snprintf(buf, len, "%s%" PRIu64 ".%06" PRIu64, sign, u / 1000000u, u % 1000000u);
}

/* A ratio with 6 decimals, or an empty field when the denominator is 0. */
static void ds_fmt_ratio(char *buf, size_t len, uint64_t num, uint64_t den) {
    if (den == 0)
        buf[0] = '\0';
    else
        snprintf(buf, len, "%.6f", (double)num / (double)den);
}

/* ---- open, record ------------------------------------------------------------------------- */

ds_metrics *ds_metrics_open(const char *dir, int64_t interval_us, ds_err *err) {
    if (!dir || strlen(dir) >= DS_METRICS_PATH_MAX - 32) {
        ds_err_set(err, DS_ERR_ARG, "metrics: results directory missing or too long");
        return NULL;
    }
    if (ds_mkdir_p(dir, err) != 0) return NULL;
    ds_metrics *m = calloc(1, sizeof *m);
    if (!m) {
        ds_err_set(err, DS_ERR_NOMEM, "metrics: out of memory");
        return NULL;
    }
    snprintf(m->dir, sizeof m->dir, "%s", dir);
    m->interval_us = interval_us > 0 ? interval_us : DS_METRICS_DEFAULT_INTERVAL_US;
    for (size_t i = 0; i <= DS_OP__COUNT; i++) {
        m->hist[i] = ds_hist_new();
        if (!m->hist[i]) {
            ds_err_set(err, DS_ERR_NOMEM, "metrics: out of memory");
            goto fail;
        }
    }
    m->ts = ds_metrics_create(m, "timeseries.csv", ds_ts_header, err);
    if (!m->ts) goto fail;
    m->races = ds_metrics_create(m, "races.csv", ds_races_header, err);
    if (!m->races) goto fail;
    return m;
fail:
    if (m->ts) fclose(m->ts);
    for (size_t i = 0; i <= DS_OP__COUNT; i++)
        ds_hist_free(m->hist[i]);
    free(m);
    return NULL;
}

void ds_metrics_latency(ds_metrics *m, ds_op op, int64_t latency_us) {
    if ((unsigned)op < DS_OP__COUNT) ds_hist_add(m->hist[op], latency_us);
    ds_hist_add(m->hist[DS_OP__COUNT], latency_us);
}

const ds_hist *ds_metrics_hist(const ds_metrics *m, ds_op op) {
    if ((unsigned)op > DS_OP__COUNT) op = DS_OP__COUNT;
    return m->hist[op];
}

/* ---- timeseries --------------------------------------------------------------------------- */

/* One row for the interval [row_start_us, end_us); counters are deltas since the last row. */
static void ds_metrics_row(ds_metrics *m, int64_t end_us) {
    const ds_stats *a = &m->prev, *b = &m->last;
    int64_t dur_us = end_us - m->row_start_us;
    char t[32], hr[32], thr[40];
    ds_fmt_seconds(t, sizeof t, end_us);
    ds_fmt_ratio(hr, sizeof hr, b->hits - a->hits, (b->hits - a->hits) + (b->misses - a->misses));
    snprintf(thr, sizeof thr, "%.3f",
             dur_us > 0 ? (double)m->done_requests * 1e6 / (double)dur_us : 0.0);
    int r = fprintf(m->ts,
                    "%s,%" PRIu64 ",%s,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
                    ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n",
                    t, m->done_requests, thr, hr, b->queued_ops, b->jobs_processing,
                    b->blocked_clients, b->used_memory_bytes, b->evictions - a->evictions,
                    b->gets - a->gets, b->sets - a->sets, b->dels - a->dels,
                    b->disk_loads - a->disk_loads, b->disk_saves - a->disk_saves);
    if (r < 0) ds_metrics_fail(m, "timeseries.csv", errno);
    m->prev = m->last;
    m->done_requests = 0;
    m->row_start_us = end_us;
}

/* Write a row for every whole interval that ended at or before now_us. */
static void ds_metrics_advance(ds_metrics *m, int64_t now_us) {
    if (now_us > m->last_now_us) m->last_now_us = now_us;
    while (now_us - m->row_start_us >= m->interval_us)
        ds_metrics_row(m, m->row_start_us + m->interval_us);
}

void ds_metrics_completed(ds_metrics *m, int64_t now_us, ds_op op) {
    (void)op;
    /* Normally tick(now) came first and this is a no-op; if not, count it where it belongs. */
    ds_metrics_advance(m, now_us);
    m->done_requests++;
}

ds_status ds_metrics_tick(ds_metrics *m, int64_t now_us, const ds_stats *st, ds_err *err) {
    if (st) m->last = *st;
    ds_metrics_advance(m, now_us);
    if (m->werr != DS_OK) return ds_err_set(err, m->werr, "%s", m->werr_msg.msg);
    return DS_OK;
}

ds_status ds_metrics_race(ds_metrics *m, int64_t time_us, uint64_t client, ds_op op,
                          const void *key, uint32_t keylen, const char *expected,
                          const char *observed, const char *kind, ds_err *err) {
    char *k = ds_escape(key, key ? keylen : 0);
    char *e = ds_escape(expected ? expected : "", expected ? strlen(expected) : 0);
    char *o = ds_escape(observed ? observed : "", observed ? strlen(observed) : 0);
    ds_status st = DS_OK;
    if (!k || !e || !o) {
        st = ds_err_set(err, DS_ERR_NOMEM, "metrics: out of memory");
        goto out;
    }
    fprintf(m->races, "%" PRId64 ",%" PRIu64 ",%s,", time_us, client, ds_op_name(op));
    ds_csv_field(m->races, k);
    fputc(',', m->races);
    ds_csv_field(m->races, e);
    fputc(',', m->races);
    ds_csv_field(m->races, o);
    fputc(',', m->races);
    ds_csv_field(m->races, kind);
    if (fputc('\n', m->races) == EOF) ds_metrics_fail(m, "races.csv", errno);
    if (m->werr != DS_OK) st = ds_err_set(err, m->werr, "%s", m->werr_msg.msg);
out:
    free(k);
    free(e);
    free(o);
    return st;
}

/* ---- close: latency.csv, summary.csv, config.txt ------------------------------------------ */

static void ds_write_latency_op(FILE *f, const char *name, const ds_hist *h) {
    uint64_t total = ds_hist_count(h), cum = 0, n;
    size_t it = 0;
    int64_t lo, hi;
    while (ds_hist_bucket(h, &it, &lo, &hi, &n)) {
        cum += n;
        fprintf(f, "%s,%" PRId64 ",%" PRId64 ",%" PRIu64 ",%.9f\n", name, lo, hi, n,
                (double)cum / (double)total);
    }
}

static ds_status ds_write_latency(ds_metrics *m, ds_err *err) {
    FILE *f = ds_metrics_create(m, "latency.csv",
                                "op,bucket_lo_us,bucket_hi_us,count,cum_fraction\n", err);
    if (!f) return DS_ERR_IO;
    for (int op = 0; op < DS_OP__COUNT; op++)
        if (ds_hist_count(m->hist[op]) > 0)
            ds_write_latency_op(f, ds_op_name((ds_op)op), m->hist[op]);
    if (ds_hist_count(m->hist[DS_OP__COUNT]) > 0)
        ds_write_latency_op(f, "ALL", m->hist[DS_OP__COUNT]);
    return ds_metrics_fclose(m, f, "latency.csv", DS_OK, err);
}

/* ---- summary.csv: one table of columns ---------------------------------------------------- */

/* What a summary column is computed from. */
typedef struct ds_sum_src {
    const ds_stats *s;
    const ds_run_info *in;
    ds_hist *const *hist; /* per op, then ALL at [DS_OP__COUNT] */
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
    (void)arg;
    snprintf(buf, len, "%.3f", ds_hist_mean(src->hist[DS_OP__COUNT]));
}

/* Quantiles by index: p50, p90, p99, p999, p9999, then max. */
static const double ds_sum_q[] = {0.5, 0.9, 0.99, 0.999, 0.9999};
#define DS_Q(op, qi) ((size_t)(op)*8 + (qi))
#define DS_QMAX      5

/* A latency quantile of one op (DS_OP__COUNT = all ops); empty when that op never ran, except
 * for all ops, whose columns predate the per-op ones and print 0 for an empty run. */
static void ds_col_quantile(const ds_sum_src *src, size_t arg, char *buf, size_t len) {
    size_t op = arg / 8, qi = arg % 8;
    const ds_hist *h = src->hist[op];
    if (ds_hist_count(h) == 0 && op != DS_OP__COUNT) {
        buf[0] = '\0';
        return;
    }
    int64_t v = qi == DS_QMAX ? ds_hist_max(h) : ds_hist_quantile(h, ds_sum_q[qi]);
    snprintf(buf, len, "%" PRId64, v);
}

/* Core CPU per command type, measured by real-clock runs; empty in virtual time. */
static void ds_col_core_cpu(const ds_sum_src *src, size_t arg, char *buf, size_t len) {
    if (!src->in->core_cpu || arg >= DS_RUN_CPU_COLS)
        buf[0] = '\0';
    else
        snprintf(buf, len, "%.3f", src->in->core_cpu_us[arg]);
}

#define STAT(f)     ds_col_stat, offsetof(ds_stats, f)
#define INFO(f)     ds_col_info, offsetof(ds_run_info, f)
#define INFO_F6(f)  ds_col_info_f6, offsetof(ds_run_info, f)
#define QUANT(o, q) ds_col_quantile, DS_Q(o, q)

/* The summary.csv contract after trace, trace_bytes and the config columns (README "Results";
 * tests/test_metrics.c pins the order). DESIGN.md's columns first, then additions; a new
 * column is one new row, appended at the end so existing readers keep their positions. */
static const ds_sum_col ds_sum_cols[] = {
    {"requests", INFO(requests)},
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
    {"sim_seconds", INFO_F6(sim_seconds)},
    {"wall_seconds", INFO_F6(wall_seconds)},
    {"requests_per_wall_second", ds_col_rps, 0},
    {"peak_memory_bytes", STAT(peak_memory_bytes)},
    {"save_retries", STAT(save_retries)},
    {"load_errors", STAT(load_errors)},
    {"memory_limit_misses", STAT(memory_limit_misses)},
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

static ds_status ds_write_summary(ds_metrics *m, const ds_stats *s, const ds_run_info *in,
                                  ds_err *err) {
    FILE *f = ds_metrics_create(m, "summary.csv", NULL, err);
    if (!f) return DS_ERR_IO;
    fputs("trace,trace_bytes", f);
    for (size_t i = 0; i < in->ncfg; i++) {
        fputc(',', f);
        ds_csv_field(f, in->cfg_names[i]);
    }
    for (size_t i = 0; i < DS_NSUM; i++)
        fprintf(f, ",%s", ds_sum_cols[i].name);
    fputc('\n', f);
    char buf[64];
    ds_csv_field(f, in->trace);
    ds_fmt_trace_bytes(in, buf, sizeof buf);
    fprintf(f, ",%s", buf);
    for (size_t i = 0; i < in->ncfg; i++) {
        fputc(',', f);
        ds_csv_field(f, in->cfg_values[i]);
    }
    ds_sum_src src = {.s = s, .in = in, .hist = m->hist};
    for (size_t i = 0; i < DS_NSUM; i++) {
        ds_sum_cols[i].fn(&src, ds_sum_cols[i].arg, buf, sizeof buf);
        fprintf(f, ",%s", buf);
    }
    fputc('\n', f);
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
static void ds_metrics_final_row(ds_metrics *m, int64_t end_us) {
    ds_metrics_advance(m, end_us);
    bool pending = m->done_requests > 0 || memcmp(&m->prev, &m->last, sizeof m->prev) != 0;
    if (end_us > m->row_start_us)
        ds_metrics_row(m, end_us);
    else if (pending)
        ds_metrics_row(m, m->row_start_us + m->interval_us);
}

ds_status ds_metrics_close(ds_metrics *m, const ds_stats *st, const ds_run_info *info,
                           ds_err *err) {
    if (!m) return DS_OK;
    static const ds_run_info none = {0};
    if (!info) info = &none;
    ds_stats final = st ? *st : m->last;
    m->last = final;
    int64_t end_us = info->sim_seconds > 0 ? (int64_t)(info->sim_seconds * 1e6 + 0.5) : 0;
    if (end_us < m->last_now_us) end_us = m->last_now_us;
    ds_metrics_final_row(m, end_us);
    ds_status rc = m->werr;
    if (rc != DS_OK) ds_err_set(err, rc, "%s", m->werr_msg.msg);
    rc = ds_metrics_fclose(m, m->ts, "timeseries.csv", rc, err);
    rc = ds_metrics_fclose(m, m->races, "races.csv", rc, err);
    if (rc == DS_OK) rc = ds_write_latency(m, err);
    if (rc == DS_OK) rc = ds_write_summary(m, &final, info, err);
    if (rc == DS_OK) rc = ds_write_config(m, info, err);
    for (size_t i = 0; i <= DS_OP__COUNT; i++)
        ds_hist_free(m->hist[i]);
    free(m);
    return rc;
}
