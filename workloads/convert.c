/*
 * convert.c - `dslab convert IN OUT`: stream any readable trace into a writable format.
 *
 * Why: replaying a public trace many times is faster from the binary form, and a native CSV
 * is the form a person can read and edit. The output format is --to, else taken from OUT's
 * name ("oracleGeneral" in it -> oracleGeneral, otherwise native); ".zst" on OUT compresses.
 * Streaming: constant memory for any trace length.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"
#include "verbs.h"

static void convert_usage(FILE *f) {
    fprintf(f,
            "usage: dslab convert IN OUT [--format F] [--to native|oracleGeneral|dsb] "
            "[--csv-opts S]\n"
            "Read trace IN and write OUT. Input formats: %s\n"
            "(IN.zst is decompressed). Output: native CSV, oracleGeneral or dsb (compact\n"
            "binary) with --to or an OUT name containing 'oracleGeneral' or ending in .dsb;\n"
            "OUT.zst is compressed; '-' is stdout.\n"
            "oracleGeneral keeps only time, key id and size: it reads back as GETs.\n"
            "  --format F     input format (default: from IN's name)\n"
            "  --csv-opts S   column options for --format csv, e.g.\n"
            "                 time-col=2,obj-id-col=5,obj-size-col=4,op-col=3,has-header=true\n",
            ds_trace_formats());
}

/* "--name value" or "--name=value"; advances *i. Returns NULL when argv[*i] is not --name. */
static const char *flag_value(int argc, char **argv, int *i, const char *name, int *bad) {
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0) return NULL;
    if (a[n] == '=') return a + n + 1;
    if (a[n] != 0) return NULL;
    if (*i + 1 >= argc) {
        fprintf(stderr, "dslab: convert: %s needs a value\n", name);
        *bad = 1;
        return NULL;
    }
    return argv[++*i];
}

static int fail(const char *what) {
    fprintf(stderr, "dslab: %s\n", what);
    return 2;
}

static int run_convert(const char *in, const char *out, const ds_reader_opts *o, const char *to) {
    ds_err err = {{0}};
    ds_reader *r = ds_reader_open(in, o, &err);
    if (!r) return fail(err.msg);
    ds_writer *w = ds_writer_open(out, to, &err);
    if (!w) {
        ds_reader_close(r);
        return fail(err.msg);
    }
    ds_trace_req *req = malloc(sizeof *req); /* ~16 KiB: keys[DS_MULTI_MAX_KEYS] */
    unsigned long long n = 0;
    int rc = req ? 1 : -1;
    if (!req) ds_err_set(&err, DS_ERR_NOMEM, "out of memory");
    while (req && (rc = ds_reader_next(r, req, &err)) == 1) {
        ds_status st = ds_writer_put(w, req, &err);
        if (st != DS_OK) {
            char msg[400];
            snprintf(msg, sizeof msg, "%s:%llu: %s", in, (unsigned long long)req->line, err.msg);
            free(req);
            ds_writer_close(w, NULL);
            ds_reader_close(r);
            return fail(msg);
        }
        n++;
    }
    free(req);
    ds_reader_close(r);
    ds_err werr = {{0}};
    if (ds_writer_close(w, &werr) != DS_OK) return fail(werr.msg);
    if (rc < 0) return fail(err.msg);
    fprintf(stderr, "dslab: converted %llu requests from %s to %s\n", n, in, out);
    return 0;
}

int ds_main_convert(int argc, char **argv) {
    const char *pos[2] = {NULL, NULL};
    const char *to = NULL, *v;
    ds_reader_opts o = {0};
    int npos = 0, bad = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            convert_usage(stdout);
            return 0;
        }
        if ((v = flag_value(argc, argv, &i, "--format", &bad)))
            o.format = v;
        else if ((v = flag_value(argc, argv, &i, "--to", &bad)))
            to = v;
        else if ((v = flag_value(argc, argv, &i, "--csv-opts", &bad)))
            o.csv_opts = v;
        else if (bad)
            return 2;
        else if (argv[i][0] == '-' && argv[i][1] != 0) {
            fprintf(stderr, "dslab: convert: unknown option '%s' (see --help)\n", argv[i]);
            return 2;
        } else if (npos < 2)
            pos[npos++] = argv[i];
        else
            return fail("convert: too many arguments (see --help)");
    }
    if (npos < 2) return fail("convert: needs IN and OUT (see --help)");
    if (to && strcmp(to, "native") != 0 && strcmp(to, "oracleGeneral") != 0 &&
        strcmp(to, "dsb") != 0) {
        fprintf(stderr, "dslab: convert: --to must be native, oracleGeneral or dsb, not '%s'\n",
                to);
        return 2;
    }
    return run_convert(pos[0], pos[1], &o, to);
}
