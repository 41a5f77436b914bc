/*
 * progress.c - see progress.h. The wall clock is read here and in nowhere else on the
 * virtual-time path; it only decides when to draw, never what the run does.
 */
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

struct ds_progress {
    bool enabled, drawn;
    uint64_t total, calls;
    double start_s, last_s;
};

static double wall_now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

ds_progress *ds_progress_new(bool enabled, uint64_t total_requests) {
    ds_progress *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->enabled = enabled && isatty(STDERR_FILENO);
    p->total = total_requests;
    p->start_s = p->last_s = wall_now_s();
    return p;
}

void ds_progress_update(ds_progress *p, uint64_t requests, int64_t sim_us) {
    if (!p || !p->enabled || (++p->calls & 4095) != 0) return;
    double now = wall_now_s();
    if (now - p->start_s < 1.0 || now - p->last_s < 0.25) return;
    p->last_s = now;
    double el = now - p->start_s;
    double rate = requests / el;
    char eta[48] = "";
    if (p->total && rate > 0 && requests < p->total)
        snprintf(eta, sizeof eta, ", ETA %.0f s", (double)(p->total - requests) / rate);
    fprintf(stderr, "\r%llu requests, %.2f M req/s, sim %.1f s, wall %.1f s%s   ",
            (unsigned long long)requests, rate / 1e6, (double)sim_us / 1e6, el, eta);
    fflush(stderr);
    p->drawn = true;
}

double ds_progress_wall_seconds(const ds_progress *p) { return p ? wall_now_s() - p->start_s : 0; }

void ds_progress_free(ds_progress *p) {
    if (!p) return;
    if (p->drawn) fprintf(stderr, "\r%70s\r", "");
    free(p);
}
