/*
 * gen_main.c - the `dslab gen` verb: write a synthetic trace in the native format.
 *
 * Why flags are spec options: `--keys 10000` is applied as `keys=10000` through the same
 * setter as the spec, after the spec, so flags override the spec and both accept the same
 * values. The effective spec goes to stderr so that any trace can be regenerated exactly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "gen_internal.h"

#define GEN_FLAGS_MAX 64

static void gen_usage(FILE *f) {
    fputs(
        "usage: dslab gen SPEC [--keys N] [--requests N] [--seed S] [--mix OP:W/...]\n"
        "                 [--size MODEL] [--ttl S[:FRAC]] [--clients N] [--assign rr|random]\n"
        "                 [--arrival MODEL] [--mget-keys N] [--exec-keys N] [--format F]\n"
        "                 [--quiet] [-o FILE]\n"
        "Write a synthetic trace (native CSV; FILE.zst is compressed; '-' or none = stdout).\n"
        "SPEC is MODEL[,NAME=VALUE]...; every --NAME VALUE flag sets option NAME and wins\n"
        "over the spec. Same spec and seed -> same bytes.\n"
        "models:  uniform | zipf:THETA (YCSB scrambled zipfian, 0<THETA<=5, not 1)\n"
        "         hotspot:FRAC_KEYS:FRAC_OPS | latest[:THETA] (YCSB skewed latest)\n"
        "         sequential | ycsb-a | ycsb-b | ycsb-c | ycsb-d | ycsb-f (no E: no scans)\n"
        "options (default):\n"
        "  keys=N (10000)          keys \"k%010llu\" of index 0..N-1, up to 1e12\n"
        "  requests=N (100000)     records to write\n"
        "  seed=S (1)              seed of every draw\n"
        "  mix=OP:W/... (get:0.9/set:0.1)  ops get set del exists mget exec|rmw insert;\n"
        "                          weights are normalised; ';' and '=' also accepted\n"
        "  mget-keys=N (10) exec-keys=N (1)  keys per MGET / EXEC\n"
        "  size=MODEL (fixed:100)  fixed:N uniform:LO:HI lognormal:MEDIAN:SIGMA pareto:MIN:ALPHA\n"
        "  ttl=S[:FRAC] (0)        ttl of S seconds on FRAC (1) of SETs\n"
        "  clients=N (1) assign=rr|random (rr)\n"
        "  arrival=MODEL (poisson:100000)  fixed:R poisson:R burst:R:ON_MS:OFF_MS (R per s)\n"
        "example: dslab gen zipf:0.99 --keys 10000 --requests 50000 --seed 3 -o t.csv\n",
        f);
}

static int gen_fail(const char *what, const ds_err *err) {
    fprintf(stderr, "dslab: %s%s\n", what, err ? err->msg : "");
    return 2;
}

typedef struct gen_cli {
    const char *spec, *out, *format;
    int quiet;
    int nflags;
    const char *names[GEN_FLAGS_MAX], *values[GEN_FLAGS_MAX];
    char namebuf[GEN_FLAGS_MAX][64];
} gen_cli;

/* Split argv into the spec, -o, --format, --quiet, --help and option flags. Returns 0, 1 for
 * help, or 2 after printing an error. */
static int gen_parse_argv(gen_cli *c, int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) return 1;
        if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            c->quiet = 1;
            continue;
        }
        if (a[0] != '-' || strcmp(a, "-") == 0) {
            if (c->spec) return fprintf(stderr, "dslab: gen: a second SPEC '%s'\n", a), 2;
            c->spec = a;
            continue;
        }
        const char *name = a[1] == '-' ? a + 2 : a + 1;
        const char *eq = strchr(name, '='), *value;
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
        if (nlen == 0 || nlen >= sizeof(c->namebuf[0]))
            return fprintf(stderr, "dslab: gen: bad flag '%s'\n", a), 2;
        if (eq) {
            value = eq + 1;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            return fprintf(stderr, "dslab: gen: %s needs a value\n", a), 2;
        }
        char n[sizeof(c->namebuf[0])];
        memcpy(n, name, nlen);
        n[nlen] = '\0';
        if (strcmp(n, "o") == 0 || strcmp(n, "output") == 0) {
            c->out = value;
        } else if (strcmp(n, "format") == 0) {
            c->format = value;
        } else if (c->nflags == GEN_FLAGS_MAX) {
            return fprintf(stderr, "dslab: gen: more than %d flags\n", GEN_FLAGS_MAX), 2;
        } else {
            memcpy(c->namebuf[c->nflags], n, nlen + 1);
            c->names[c->nflags] = c->namebuf[c->nflags];
            c->values[c->nflags++] = value;
        }
    }
    if (!c->spec) return fprintf(stderr, "dslab: gen: missing SPEC (see dslab gen --help)\n"), 2;
    return 0;
}

static int gen_write(ds_gen *g, const gen_cli *c) {
    ds_err err = {{0}};
    ds_trace_req *req = malloc(sizeof(*req)); /* 16 KiB: keep it off the stack */
    if (!req) return fprintf(stderr, "dslab: gen: out of memory\n"), 1;
    ds_writer *w = ds_writer_open(c->out, c->format, &err);
    if (!w) {
        free(req);
        return gen_fail("gen: ", &err), 1;
    }
    int rc;
    while ((rc = ds_gen_next(g, req, &err)) == 1) {
        if (ds_writer_put(w, req, &err) != DS_OK) {
            rc = -1;
            break;
        }
    }
    ds_err cerr = {{0}};
    ds_status st = ds_writer_close(w, &cerr);
    free(req);
    if (rc < 0) return gen_fail("gen: ", &err), 1;
    if (st != DS_OK) return gen_fail("gen: ", &cerr), 1;
    return 0;
}

int ds_main_gen(int argc, char **argv) {
    gen_cli c;
    memset(&c, 0, sizeof(c));
    c.out = "-";
    int rc = gen_parse_argv(&c, argc, argv);
    if (rc == 1) {
        gen_usage(stdout);
        return 0;
    }
    if (rc != 0) return rc;
    ds_gen_opts o;
    ds_err err = {{0}};
    if (ds_gen_opts_parse(&o, c.spec, &err) != DS_OK) return gen_fail("gen: ", &err);
    for (int i = 0; i < c.nflags; i++) {
        if (ds_gen_opts_set(&o, c.names[i], c.values[i], &err) == DS_OK) continue;
        fprintf(stderr, "dslab: gen: --%s: %s\n", c.names[i], err.msg);
        return 2;
    }
    ds_gen *g = ds_gen_open_opts(&o, &err);
    if (!g) return gen_fail("gen: ", &err);
    if (!c.quiet) {
        char eff[1024];
        ds_gen_opts_format(&o, eff, sizeof(eff));
        fprintf(stderr, "dslab gen: %s\n", eff);
    }
    rc = gen_write(g, &c);
    ds_gen_close(g);
    return rc;
}
