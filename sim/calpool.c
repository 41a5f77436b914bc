/*
 * calpool.c - pooled measurements of a calibration's real runs (see calpool.h).
 */
#include "calpool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ds_status ds_calpool_add(ds_calpool *p, const char *run_dir, ds_err *err) {
    if (p->n >= DS_CALPOOL_MAX) return ds_err_set(err, DS_ERR_ARG, "too many calibration runs");
    char path[4096];
    if (snprintf(path, sizeof path, "%s/io_latency.csv", run_dir) >= (int)sizeof path)
        return ds_err_set(err, DS_ERR_ARG, "path too long: %s", run_dir);
    ds_status st = ds_csvtab_read(path, &p->io[p->n], err);
    if (st != DS_OK) return st;
    snprintf(path, sizeof path, "%s/core_cpu.csv", run_dir);
    if ((st = ds_csvtab_read(path, &p->cpu[p->n], err)) != DS_OK) {
        ds_csvtab_free(&p->io[p->n]);
        return st;
    }
    p->n++;
    return DS_OK;
}

void ds_calpool_free(ds_calpool *p) {
    for (int i = 0; i < p->n; i++) {
        ds_csvtab_free(&p->io[i]);
        ds_csvtab_free(&p->cpu[i]);
    }
    p->n = 0;
}

typedef struct bucket {
    double lo, hi;
    uint64_t n;
} bucket;

static int bucket_cmp(const void *a, const void *b) {
    double x = ((const bucket *)a)->hi, y = ((const bucket *)b)->hi;
    return (x > y) - (x < y);
}

/* The buckets of `kind` of run `run` (-1: every run), sorted by upper bound, equal bounds
 * summed (the histogram's buckets are the same in every run). Returns the count of buckets;
 * *out is malloc'ed. */
static size_t pooled(const ds_calpool *p, const char *kind, int run, bucket **out) {
    size_t cap = 0, n = 0;
    for (int r = 0; r < p->n; r++)
        cap += p->io[r].nrows;
    bucket *b = malloc((cap ? cap : 1) * sizeof *b);
    if (!b) return *out = NULL, 0;
    for (int r = 0; r < p->n; r++) {
        if (run >= 0 && r != run) continue;
        const ds_csvtab *t = &p->io[r];
        int c_op = ds_csvtab_col(t, "op"), c_lo = ds_csvtab_col(t, "bucket_lo_us");
        int c_hi = ds_csvtab_col(t, "bucket_hi_us"), c_n = ds_csvtab_col(t, "count");
        if (c_op < 0 || c_lo < 0 || c_hi < 0 || c_n < 0) continue;
        for (size_t i = 0; i < t->nrows; i++) {
            if (strcmp(ds_csvtab_get(t, i, c_op), kind) != 0) continue;
            b[n++] = (bucket){strtod(ds_csvtab_get(t, i, c_lo), NULL),
                              strtod(ds_csvtab_get(t, i, c_hi), NULL),
                              strtoull(ds_csvtab_get(t, i, c_n), NULL, 10)};
        }
    }
    qsort(b, n, sizeof *b, bucket_cmp);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && b[m - 1].hi == b[i].hi)
            b[m - 1].n += b[i].n;
        else
            b[m++] = b[i];
    }
    *out = b;
    return m;
}

/* The p99 (bucket upper bound) of run's `kind` (nonzero: of its samples above 0 us); -1 when
 * it has none. */
static double run_p99(const ds_calpool *p, const char *kind, bool nonzero, int run) {
    bucket *b;
    size_t m = pooled(p, kind, run, &b);
    uint64_t total = 0, cum = 0;
    for (size_t i = 0; i < m; i++)
        total += nonzero && b[i].hi <= 0 ? 0 : b[i].n;
    double q = -1;
    for (size_t i = 0; total && i < m && q < 0; i++) {
        cum += nonzero && b[i].hi <= 0 ? 0 : b[i].n;
        if ((double)cum >= 0.99 * (double)total) q = b[i].hi;
    }
    free(b);
    return q;
}

/* The run whose p99 of `kind` is the median of the runs' (the lower middle of an even count):
 * validate's real figure is the median of its runs, and one disturbed run's tail (a 20 ms
 * stall of the host) would otherwise set the model's. -1 when no run has the kind. */
static int median_run(const ds_calpool *p, const char *kind, bool nonzero) {
    double q[DS_CALPOOL_MAX];
    int idx[DS_CALPOOL_MAX], n = 0;
    for (int r = 0; r < p->n; r++)
        if ((q[n] = run_p99(p, kind, nonzero, r)) >= 0) idx[n++] = r;
    for (int i = 1; i < n; i++) /* insertion sort by p99 */
        for (int j = i; j > 0 && q[j] < q[j - 1]; j--) {
            double t = q[j];
            q[j] = q[j - 1], q[j - 1] = t;
            int k = idx[j];
            idx[j] = idx[j - 1], idx[j - 1] = k;
        }
    return n ? idx[(n - 1) / 2] : -1;
}

uint64_t ds_calpool_write_hist(const ds_calpool *p, const char *kind, bool nonzero,
                               const char *path, ds_err *err) {
    int run = median_run(p, kind, nonzero);
    if (run < 0) return 0;
    bucket *b;
    size_t m = pooled(p, kind, run, &b);
    for (size_t i = 0; nonzero && i < m; i++)
        if (b[i].hi <= 0) b[i].n = 0;
    uint64_t total = 0, cum = 0;
    for (size_t i = 0; i < m; i++)
        total += b[i].n;
    if (!total) return free(b), 0;
    FILE *f = fopen(path, "w");
    if (!f) {
        ds_err_set(err, DS_ERR_IO, "%s: %s", path, strerror(errno));
        return free(b), 0;
    }
    fprintf(f,
            "# %s measured by dslab calibrate (run %d of %d: its p99 is their median): us "
            "cum_fraction\n",
            kind, run + 1, p->n);
    for (size_t i = 0; i < m; i++) {
        cum += b[i].n;
        if (b[i].n) fprintf(f, "%.0f %.9f\n", b[i].hi, (double)cum / (double)total);
    }
    free(b);
    if (ferror(f) | (fclose(f) != 0))
        return ds_err_set(err, DS_ERR_IO, "%s: write failed", path), 0;
    return total;
}

double ds_calpool_mean(const ds_calpool *p, const char *kind, uint64_t *n, uint64_t *nonzero) {
    bucket *b;
    size_t m = pooled(p, kind, -1, &b);
    double sum = 0;
    uint64_t k = 0, nz = 0;
    for (size_t i = 0; i < m; i++) {
        sum += (double)b[i].n * (b[i].lo + b[i].hi) / 2;
        k += b[i].n;
        if (b[i].hi > 0) nz += b[i].n;
    }
    free(b);
    if (n) *n = k;
    if (nonzero) *nonzero = nz;
    return k ? sum / (double)k : 0;
}

/* A core_cpu.csv row summed over the runs: total us and count; false when no run has it. */
static bool cpu_row(const ds_calpool *p, const char *op, double *total_us, double *count) {
    bool any = false;
    *total_us = *count = 0;
    for (int r = 0; r < p->n; r++) {
        const ds_csvtab *t = &p->cpu[r];
        int c_op = ds_csvtab_col(t, "op"), c_n = ds_csvtab_col(t, "count");
        int c_tot = ds_csvtab_col(t, "total_us");
        for (size_t i = 0; c_op >= 0 && c_n >= 0 && c_tot >= 0 && i < t->nrows; i++) {
            if (strcmp(ds_csvtab_get(t, i, c_op), op) != 0) continue;
            *total_us += strtod(ds_csvtab_get(t, i, c_tot), NULL);
            *count += strtod(ds_csvtab_get(t, i, c_n), NULL);
            any = true;
        }
    }
    return any;
}

/* The mean CPU of the core's own calls, and the harness: the real main thread also spends
 * time around them (the answer's bookkeeping, the oracle, reading the next record, waking from
 * ppoll, the eventfd, signalling workers), the thread's whole CPU minus the core's calls, per
 * request. It is charged as the harness cost (corecost.c): the modelled core stays busy that
 * long after each command. (It used to be reported only: on the default workload the real
 * main thread is 32% busy at 20k requests/s, the core's calls alone 3%, and arrivals that find
 * it busy wait; without the term virtual GET p90 was 41 us against 73 us real.) MGET and EXEC
 * are charged per key by the model; a per-command mean does not give that, so they keep their
 * defaults. */
void ds_calpool_core_costs(const ds_calpool *p, char *buf, size_t cap, double *harness_us) {
    static const char *const want[][2] = {{"get", "get"},
                                          {"set", "set"},
                                          {"del", "del"},
                                          {"exists", "exists"},
                                          {"loaddone", "done_load"},
                                          {"savedone", "done_save"},
                                          {"cron", "cron"}};
    static const char *const others[] = {"mget", "exec"};
    double mean[7], tot, n, accounted = 0, main_us, reqs;
    for (size_t w = 0; w < 7; w++) {
        mean[w] = cpu_row(p, want[w][1], &tot, &n) && n > 0 ? tot / n : -1;
        accounted += tot;
    }
    for (size_t w = 0; w < 2; w++) {
        cpu_row(p, others[w], &tot, &n);
        accounted += tot;
    }
    cpu_row(p, "main_thread", &main_us, &reqs);
    *harness_us = reqs > 0 && main_us > accounted ? (main_us - accounted) / reqs : 0;
    size_t len = 0;
    buf[0] = '\0';
    for (size_t w = 0; w < 7; w++) {
        if (mean[w] < 0) continue;
        int k = snprintf(buf + len, cap - len, "%s%s:%.3f", len ? "," : "", want[w][0], mean[w]);
        if (k > 0 && (size_t)k < cap - len) len += (size_t)k;
    }
    if (len && *harness_us > 0 && len < cap)
        snprintf(buf + len, cap - len, ",harness:%.3f", *harness_us);
}
