/*
 * bench_gen.c - how many requests per second the generators produce (no assertions).
 *
 * Why: a replay must not be bounded by its workload source, and zipf over 1e8 keys must cost
 * the same as over 1e4 (no per-key table). `bench_gen gen SPEC ...` also runs the `dslab gen`
 * verb, so the default workload can be regenerated before the simulator binary exists.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gen.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int bench_one(const char *spec, ds_trace_req *req) {
    ds_err err = {{0}};
    double t0 = now_s();
    ds_gen *g = ds_gen_open_spec(spec, &err);
    if (!g) {
        fprintf(stderr, "bench_gen: %s\n", err.msg);
        return 1;
    }
    double t1 = now_s();
    uint64_t n = 0, sink = 0;
    int rc;
    while ((rc = ds_gen_next(g, req, &err)) == 1) {
        n++;
        sink += (uint64_t)req->keys[0].len + req->size;
    }
    double t2 = now_s();
    ds_gen_close(g);
    if (rc < 0) {
        fprintf(stderr, "bench_gen: %s\n", err.msg);
        return 1;
    }
    printf("%-72s open %7.3f ms  %12.0f requests/s  (check %llu)\n", spec, (t1 - t0) * 1e3,
           (double)n / (t2 - t1), (unsigned long long)(sink % 10));
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "gen") == 0) return ds_main_gen(argc - 1, argv + 1);
    static const char *const specs[] = {
        "zipf:0.99,keys=10000,requests=2000000",
        "zipf:0.99,keys=100000000,requests=2000000",
        "zipf:0.99,keys=1000000000,requests=2000000",
        "zipf:1.2,keys=1000000,requests=2000000",
        "uniform,keys=1000000,requests=2000000",
        "latest,keys=1000000,requests=2000000,mix=get:0.95/insert:0.05",
        "zipf:0.99,keys=10000,requests=2000000,mix=get:0.9/set:0.09/del:0.01,clients=64,"
        "size=uniform:100:1000,arrival=poisson:20000",
    };
    ds_trace_req *req = malloc(sizeof(*req));
    if (!req) return 1;
    int rc = 0;
    for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
        rc |= bench_one(specs[i], req);
    free(req);
    return rc;
}
