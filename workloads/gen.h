/*
 * gen.h - synthetic workload generators.
 *
 * Why: replaying the same public traces only shows a handful of access patterns. A generator
 * lets an experiment sweep one knob (skew, write share, value size, arrival rate) while keeping
 * everything else fixed, and a seed makes every stream reproducible byte for byte. Generators
 * stream: memory does not grow with the number of requests, and no per-key table is ever built,
 * so a key count of 1e9 costs the same as 1e3.
 *
 * Spec syntax (one line, no spaces needed):
 *
 *     MODEL[,NAME=VALUE]...
 *
 * MODEL (key popularity) is one of
 *     uniform                    every key equally likely
 *     zipf:THETA                 YCSB ScrambledZipfian: rank r has weight 1/r^THETA, ranks are
 *                                spread over the key space by a fixed bijective 64-bit hash
 *                                permutation (0 < THETA <= 5, THETA != 1; YCSB's default is 0.99)
 *     hotspot:FRAC_KEYS:FRAC_OPS FRAC_OPS of requests go uniformly to the first FRAC_KEYS of the
 *                                keys, the rest uniformly to the others (YCSB hotspot)
 *     latest[:THETA]             YCSB SkewedLatest: zipf (default 0.99) over recency of inserts;
 *                                the newest key is the most popular
 *     sequential                 keys 0, 1, 2, ... in order, wrapping
 *     ycsb-a ycsb-b ycsb-c ycsb-d ycsb-f
 *                                YCSB core workload presets (proportions below); later options
 *                                override them. YCSB E (scans) is not provided: no scans.
 *
 * Options (defaults in brackets):
 *     keys=N          key count [10000], 1..1e12; keys are "k%010llu" of the key index 0..N-1
 *                     (inserts add indices N, N+1, ...)
 *     requests=N      records to generate [100000], >= 1
 *     seed=S          seed of every random draw [1]
 *     mix=OP:W/OP:W.. operation weights, normalised to sum 1 [get:0.9/set:0.1]. OP is get, set,
 *                     del, exists, mget, exec (alias rmw), insert (a SET of a new key). The
 *                     separator may also be ';' and the weight may follow '=' instead of ':'
 *                     ("mix=get=0.9;set=0.1"), since ',' separates options.
 *     mget-keys=N     keys per MGET [10], exec-keys=N keys per EXEC [1] (1..DS_MULTI_MAX_KEYS)
 *     size=MODEL      value size in bytes of SET/EXEC/insert [fixed:100]:
 *                     fixed:N  uniform:LO:HI  lognormal:MEDIAN:SIGMA  pareto:MIN:ALPHA
 *                     (draws are clamped to 1..1 GiB). Other ops carry size 0.
 *     ttl=S[:FRAC]    give FRAC [1] of the SETs (and inserts) a ttl of S seconds [0 = none]
 *     clients=N       client ids 0..N-1 [1]; assign=rr|random [rr] (round robin or seeded draw)
 *     arrival=MODEL   virtual arrival times in microseconds from 0 [poisson:100000]:
 *                     fixed:R (R requests/s, evenly spaced)  poisson:R  burst:R:ON_MS:OFF_MS
 *                     (Poisson at R/s during ON_MS windows, silence for OFF_MS between them)
 *
 * YCSB presets (all zipf 0.99 except D, value size fixed:1000 = 10 fields of 100 bytes):
 *     ycsb-a  get:0.5/set:0.5       ycsb-b  get:0.95/set:0.05     ycsb-c  get:1
 *     ycsb-d  latest, get:0.95/insert:0.05
 *     ycsb-f  get:0.5/exec:0.5 (read-modify-write = one-key EXEC)
 *
 * Choices that differ from YCSB: YCSB's ScrambledZipfian draws over a fixed item count of 1e10
 * and folds it onto the keys with FNV modulo the key count, so hash collisions merge ranks; here
 * the zipf is over the real key count and the scramble is a bijection, so key popularity follows
 * the zipf law exactly as far as the sampler does. The sampler is YCSB's (Gray et al. 1994):
 * ranks 1 and 2 are exact, larger ranks use a continuous approximation. zeta(N) is summed
 * directly up to 10000 terms and completed with Euler-Maclaurin beyond, so it needs no per-key
 * table. Models other than latest pick among the initial N keys; inserts extend the key space.
 * Separate random streams (derived from seed) drive arrivals, clients, ops, keys, sizes and
 * ttls, so changing one knob does not reshuffle the others.
 */
#ifndef DS_GEN_H
#define DS_GEN_H

#include <stdint.h>

#include "dslab.h"
#include "trace.h"

typedef struct ds_gen ds_gen;

/* Parse a spec and start a stream. NULL with DS_ERR_CONFIG in err (naming the option). */
ds_gen *ds_gen_open_spec(const char *spec, ds_err *err);

/* 1 = *out filled (keys point into generator storage valid until the next call), 0 = end,
 * -1 = error. */
int ds_gen_next(ds_gen *g, ds_trace_req *out, ds_err *err);

void ds_gen_close(ds_gen *g);

/* The `dslab gen` verb. argv[0] is the verb (or program) name and is skipped. Exit status 0, or
 * 2 with "dslab: ..." on stderr for bad arguments, 1 for output errors. */
int ds_main_gen(int argc, char **argv);

/* The zipf sampler, exposed for tests and for other generators. rank = ds_zipf_next(..) is
 * 0-based: rank 0 is the most popular. n may grow (ds_zipf_grow), as YCSB's latest needs. */
typedef struct ds_zipf {
    uint64_t n;
    double theta, alpha, zeta2, zetan, eta, half_pow_theta;
} ds_zipf;

double ds_zipf_zeta(uint64_t n, double theta); /* sum_{i=1..n} i^-theta */
ds_status ds_zipf_init(ds_zipf *z, uint64_t n, double theta, ds_err *err);
void ds_zipf_grow(ds_zipf *z, uint64_t n);         /* n >= z->n; incremental zeta */
uint64_t ds_zipf_next(const ds_zipf *z, double u); /* u uniform in [0, 1) */

/* The fixed bijection of 0..n-1 used to scramble zipf ranks into key indices. */
uint64_t ds_gen_scramble(uint64_t rank, uint64_t n);

#endif
