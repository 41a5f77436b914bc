/*
 * metrics_summary.c - summary.csv: one row of columns computed from the run phase's counters
 * and histograms (metrics.h says what each phase is).
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "csvfmt.h"
#include "metrics_int.h"

void ds_fmt_trace_bytes(const ds_run_info *in, char *buf, size_t len) {
    if (in->trace && in->trace_bytes >= 0)
        snprintf(buf, len, "%" PRId64, in->trace_bytes);
    else
        buf[0] = '\0';
}

/* Counters of the run phase: end - base, field by field (ds_stats is all uint64_t). */
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

ds_status ds_metrics_write_summary(ds_metrics *m, const ds_stats *final, const ds_run_info *in,
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
