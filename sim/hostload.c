/*
 * hostload.c - other processes' CPU use around a real run (see hostload.h).
 */
#include "hostload.h"

#include "dslab.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

int64_t ds_mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t tv_us(struct timeval tv) { return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec; }

void ds_hostload_take(ds_hostload *h) {
    h->ok = false;
    h->busy_ticks = h->steal_ticks = 0;
    FILE *f = fopen("/proc/stat", "r");
    if (f) {
        unsigned long long v[8] = {0};
        /* cpu user nice system idle iowait irq softirq steal [guest guest_nice: inside user] */
        int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                       &v[4], &v[5], &v[6], &v[7]);
        fclose(f);
        if (n >= 7) {
            h->busy_ticks = v[0] + v[1] + v[2] + v[5] + v[6];
            h->steal_ticks = n >= 8 ? v[7] : 0;
            h->ok = true;
        }
    }
    struct rusage ru;
    h->own_us = getrusage(RUSAGE_SELF, &ru) == 0 ? tv_us(ru.ru_utime) + tv_us(ru.ru_stime) : 0;
    h->wall_ns = ds_mono_ns();
}

double ds_hostload_other(const ds_hostload *a, const ds_hostload *b, double *steal_cores) {
    if (steal_cores) *steal_cores = 0;
    double wall_s = (double)(b->wall_ns - a->wall_ns) / 1e9;
    long hz = sysconf(_SC_CLK_TCK);
    if (!a->ok || !b->ok || wall_s <= 0 || hz <= 0) return 0;
    double busy_s = (double)(b->busy_ticks - a->busy_ticks) / (double)hz;
    double own_s = (double)(b->own_us - a->own_us) / 1e6;
    if (steal_cores) *steal_cores = (double)(b->steal_ticks - a->steal_ticks) / (double)hz / wall_s;
    double other = (busy_s - own_s) / wall_s;
    return other > 0 ? other : 0;
}

double ds_hostload_wait_quiet(double max_cores, double timeout_s, bool *quiet) {
    if (timeout_s <= 0) { /* no waiting asked for: not even a sample */
        *quiet = true;
        return 0;
    }
    int64_t end = ds_mono_ns() + (int64_t)(timeout_s * 1e9);
    double load = 0;
    for (;;) {
        ds_hostload a, b;
        ds_hostload_take(&a);
        struct timespec ts = {1, 0};
        while (nanosleep(&ts, &ts) != 0) {
        }
        ds_hostload_take(&b);
        load = ds_hostload_other(&a, &b, NULL);
        if (load <= max_cores || !a.ok || ds_mono_ns() >= end) break;
    }
    *quiet = load <= max_cores;
    return load;
}

int ds_quiet_option(ds_quiet *q, const char *who, const char *name, const char *value) {
    static const struct {
        const char *name;
        double hi;
    } opts[3] = {{"--max-host-load", 4096}, {"--quiet-wait", 86400}, {"--retries", 100}};
    for (int i = 0; i < 3; i++) {
        if (strcmp(name, opts[i].name) != 0) continue;
        double d;
        if (!ds_parse_f64(value, &d) || !(d >= 0 && d <= opts[i].hi) || (i == 2 && d != (int)d))
            return fprintf(stderr, "%s: %s: expected %s 0..%g, got '%s'\n", who, name,
                           i == 2 ? "an integer" : "a number", opts[i].hi, value),
                   2;
        if (i == 0)
            q->max_cores = d;
        else if (i == 1)
            q->wait_s = d;
        else
            q->retries = (int)d;
        return 0;
    }
    return 1;
}

int ds_hostload_quiet_run(const ds_quiet *q, const char *who, int run, FILE *runs_csv,
                          ds_quiet_fn fn, void *arg, double *other_cores) {
    int rc = 0;
    for (int attempt = 0; attempt <= q->retries; attempt++) {
        bool quiet;
        double before = ds_hostload_wait_quiet(q->max_cores, q->wait_s, &quiet);
        if (!quiet)
            fprintf(stderr,
                    "%s: other processes use %.2f cores (limit %.2f) after %.0f s of waiting; "
                    "running anyway\n",
                    who, before, q->max_cores, q->wait_s);
        ds_hostload a, b;
        ds_hostload_take(&a);
        rc = fn(arg);
        ds_hostload_take(&b);
        double steal, other = ds_hostload_other(&a, &b, &steal);
        bool ok = other <= q->max_cores;
        *other_cores = other;
        if (runs_csv)
            fprintf(runs_csv, "%d,%d,%.3f,%.3f,%.3f,%d\n", run, attempt,
                    (double)(b.wall_ns - a.wall_ns) / 1e9, other, steal, ok && rc == 0);
        if (rc != 0 || ok) break;
        fprintf(stderr, "%s: real run %d: other processes used %.2f cores (limit %.2f)%s\n", who,
                run, other, q->max_cores,
                attempt < q->retries ? "; repeating it"
                                     : "; kept, but its latencies include their load");
    }
    return rc;
}
