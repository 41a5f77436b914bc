/*
 * bench_replay.c - requests per wall second of `dslab replay` in virtual time (no assertions).
 *
 * Runs: the default workload (workloads/default.csv.zst, or its generator spec when the file
 * is missing) with and without the oracle, and a 10M-request zipf trace generated on the fly
 * ("gen:" path) with --no-oracle. Also the reader alone on the same 10M stream, to show how
 * much of a replay's time is trace generation/parsing rather than cache and engine.
 *   bench_replay [REQUESTS]   (default 10000000 for the generated run)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "replay.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void bench_run(const char *label, const char *trace, const char *mem, bool oracle) {
    static ds_replay_opts o;
    ds_replay_opts_default(&o);
    ds_err err = {{0}};
    snprintf(o.trace, sizeof o.trace, "%s", trace);
    snprintf(o.out, sizeof o.out, "/tmp/dslab_bench_replay_%d", (int)getpid());
    if (mem && ds_cli_set(&o, "cache-max-memory", mem, &err) != DS_OK) {
        fprintf(stderr, "bench_replay: %s\n", err.msg);
        return;
    }
    o.oracle = oracle;
    o.progress = false;
    ds_replay_result res;
    if (ds_replay_run(&o, &res, &err) != DS_OK) {
        fprintf(stderr, "bench_replay: %s: %s\n", label, err.msg);
        return;
    }
    printf("%-34s %10llu requests %7.2f s wall %6.2f M req/s  hit %.3f  loads %llu\n", label,
           (unsigned long long)res.requests, res.wall_seconds,
           res.wall_seconds > 0 ? (double)res.requests / res.wall_seconds / 1e6 : 0.0,
           (double)res.stats.hits / (double)(res.stats.gets ? res.stats.gets : 1),
           (unsigned long long)res.stats.disk_loads);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf /tmp/dslab_bench_replay_%d", (int)getpid());
    if (system(cmd) != 0) fprintf(stderr, "bench_replay: cleanup failed\n");
}

static void bench_reader(const char *label, const char *trace) {
    ds_err err = {{0}};
    ds_reader_opts ro = {0};
    static ds_trace_req req;
    double t0 = now_s();
    ds_reader *r = ds_reader_open(trace, &ro, &err);
    if (!r) {
        fprintf(stderr, "bench_replay: %s\n", err.msg);
        return;
    }
    uint64_t n = 0;
    while (ds_reader_next(r, &req, &err) == 1)
        n++;
    ds_reader_close(r);
    double el = now_s() - t0;
    printf("%-34s %10llu requests %7.2f s wall %6.2f M req/s\n", label, (unsigned long long)n, el,
           el > 0 ? (double)n / el / 1e6 : 0.0);
}

int main(int argc, char **argv) {
    const char *n = argc > 1 ? argv[1] : "10000000";
    const char *def = "workloads/default.csv.zst";
    if (access(def, R_OK) != 0)
        def = "gen:zipf:0.99,keys=10000,requests=200000,clients=64,mix=get:0.9/set:0.1,seed=1";
    char big[256];
    snprintf(big, sizeof big,
             "gen:zipf:0.99,keys=10000,requests=%s,clients=64,"
             "mix=get:0.9/set:0.1,arrival=poisson:100000,seed=1",
             n);
    bench_run("default, oracle on, mem 1/3", def, "356kb", true);
    bench_run("default, no oracle, mem 1/3", def, "356kb", false);
    bench_run("default, no oracle, unlimited", def, NULL, false);
    bench_reader("zipf gen reader alone", big);
    bench_run("zipf gen, no oracle, unlimited", big, NULL, false);
    return 0;
}
