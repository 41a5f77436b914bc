/*
 * gen_internal.h - the parsed form of a generator spec, shared by the spec parser
 * (gen_spec.c), the generator (gen.c) and the `dslab gen` verb (gen_main.c).
 *
 * Why a separate options struct: the CLI applies --flags on top of the spec through the very
 * same per-option setter, so a flag and a spec option can never disagree on syntax.
 */
#ifndef DS_GEN_INTERNAL_H
#define DS_GEN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "dslab.h"

typedef enum ds_gen_model {
    DS_GEN_UNIFORM = 0,
    DS_GEN_ZIPF,
    DS_GEN_HOTSPOT,
    DS_GEN_LATEST,
    DS_GEN_SEQUENTIAL
} ds_gen_model;

/* Generator operations: the native ops plus INSERT (a SET of a brand-new key). */
enum { DS_GEN_OP_INSERT = DS_OP__COUNT, DS_GEN_OP__COUNT };

typedef enum ds_gen_size_kind {
    DS_GEN_SIZE_FIXED = 0,
    DS_GEN_SIZE_UNIFORM,
    DS_GEN_SIZE_LOGNORMAL,
    DS_GEN_SIZE_PARETO
} ds_gen_size_kind;

typedef enum ds_gen_arrival_kind {
    DS_GEN_ARR_FIXED = 0,
    DS_GEN_ARR_POISSON,
    DS_GEN_ARR_BURST
} ds_gen_arrival_kind;

typedef struct ds_gen_opts {
    ds_gen_model model;
    double theta; /* zipf, latest */
    double hot_keys_frac, hot_ops_frac;
    uint64_t keys, requests, seed;
    double mix[DS_GEN_OP__COUNT]; /* weights, not yet normalised */
    uint32_t mget_keys, exec_keys;
    ds_gen_size_kind size_kind;
    double size_a, size_b;
    int64_t ttl_s;
    double ttl_frac;
    uint64_t clients;
    int assign_random;
    ds_gen_arrival_kind arrival;
    double rate_per_s, on_ms, off_ms;
    bool load; /* load=1: a SET of every key 0..keys-1 before the requests (YCSB's load) */
} ds_gen_opts;

#define DS_GEN_KEYS_MAX       1000000000000ull
#define DS_GEN_SIZE_MAX_BYTES (1ull << 30)

void ds_gen_opts_default(ds_gen_opts *o);

/* Parse "MODEL[,NAME=VALUE]..." into o (starting from defaults). */
ds_status ds_gen_opts_parse(ds_gen_opts *o, const char *spec, ds_err *err);

/* Set the popularity model (or a ycsb-* preset) from its spec word, e.g. "zipf:0.99". */
ds_status ds_gen_opts_model(ds_gen_opts *o, const char *model, ds_err *err);

/* Set one option by name ("keys", "mix", ...). Errors name the option. */
ds_status ds_gen_opts_set(ds_gen_opts *o, const char *name, const char *value, ds_err *err);

/* Cross-option checks (mix not all zero, ...). */
ds_status ds_gen_opts_validate(const ds_gen_opts *o, ds_err *err);

/* The effective options as a spec string that parses back to the same stream. */
void ds_gen_opts_format(const ds_gen_opts *o, char *buf, size_t len);

/* Open a generator from already parsed options. */
struct ds_gen *ds_gen_open_opts(const ds_gen_opts *o, ds_err *err);

#endif
