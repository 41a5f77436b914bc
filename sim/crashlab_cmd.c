/*
 * crashlab_cmd.c - the `dslab crash` verb: its own options, then every replay option; the
 * table per seed, the summary line, crash.csv.
 *
 *     dslab crash TRACE --seeds N [--procs P] [--writeback-ms MS] [replay options]
 *
 * Exit codes: 0 no seed lost an acknowledged write or showed a torn value, 1 one did (or a
 * seed could not run), 2 bad input.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crashlab.h"

#define CRASH_SEEDS_MAX     10000000ull
#define CRASH_WRITEBACK_DEF 30000 /* ms: Linux's dirty_expire_centisecs = 3000 */

static void usage(FILE *f) {
    fprintf(f,
            "usage: dslab crash TRACE [--seeds N] [--procs P] [--writeback-ms MS] "
            "[replay options]\n"
            "  --seeds N         seeds to run, from --seed on (default 100)\n"
            "  --procs P         worker processes (default: one per core)\n"
            "  --writeback-ms MS --fsync never: age at which a write reaches the disk "
            "(default %d; 0 = never)\n"
            "Per seed: replay in virtual time on a store whose writes not yet durable are\n"
            "volatile, cut the power at a seeded moment (each such write applied, dropped\n"
            "or torn), reopen the store and check it against the acknowledged SAVEs.\n"
            "Writes OUT/crash.csv; exit 1 when a seed lost an acknowledged write or showed\n"
            "a torn value. Replay options (dslab replay --help):\n",
            CRASH_WRITEBACK_DEF);
    ds_cli_usage(f);
}

/* The lab's own options (the replay table in sim/cli.c holds replay options only): integers
 * through the shared parser, with the option's name in the message. */
static ds_status parse_u64(const char *name, const char *v, uint64_t lo, uint64_t hi, uint64_t *out,
                           ds_err *err) {
    uint64_t x = 0;
    if (!v || !ds_parse_u64(v, strlen(v), &x) || x < lo || x > hi)
        return ds_err_set(err, DS_ERR_CONFIG,
                          "--%s: expected an integer in [%" PRIu64 ", %" PRIu64 "], got '%s'", name,
                          lo, hi, v ? v : "");
    *out = x;
    return DS_OK;
}

/* Take the crash options out of argv (the rest goes to the replay parser). */
static ds_status parse_own(ds_crash_lab_opts *o, int *argc, char **argv, ds_err *err) {
    int n = 0;
    for (int i = 0; i < *argc; i++) {
        const char *a = argv[i], *names[3] = {"--seeds", "--procs", "--writeback-ms"};
        int k = 0;
        while (k < 3 && strcmp(a, names[k]) != 0)
            k++;
        if (k == 3) {
            argv[n++] = argv[i];
            continue;
        }
        const char *v = i + 1 < *argc ? argv[++i] : NULL;
        uint64_t x = 0;
        ds_status st = k == 0   ? parse_u64("seeds", v, 1, CRASH_SEEDS_MAX, &o->seeds, err)
                       : k == 1 ? parse_u64("procs", v, 0, 1024, &x, err)
                                : parse_u64("writeback-ms", v, 0, 86400000ull * 365, &x, err);
        if (st != DS_OK) return st;
        if (k == 1) o->procs = (unsigned)x;
        if (k == 2) o->writeback_ms = (int64_t)x;
    }
    *argc = n;
    return DS_OK;
}

static void print_row(FILE *f, const ds_crash_seed *s) {
    const ds_crash_counts *c = &s->counts;
    fprintf(f,
            "%8" PRIu64 " %10.3f %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %7" PRIu64 " %7" PRIu64
            " %5" PRIu64 " %6" PRIu64 " %5" PRIu64 " %5" PRIu64 "  %s\n",
            s->seed, (double)s->crash_us / 1000.0, s->rep.pushes, s->rep.acks, c->volatile_writes,
            c->applied, c->dropped, c->torn, s->rep.newer, s->rep.lost, s->rep.torn,
            ds_crash_seed_ok(s) ? "ok" : "VIOLATION");
}

static void csv_text(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static ds_status write_csv(const char *out, const ds_crash_seed *s, uint64_t n, ds_err *err) {
    char path[DS_OPT_STR_MAX + 16];
    snprintf(path, sizeof path, "%s/crash.csv", out);
    FILE *f = fopen(path, "w");
    if (!f) return ds_err_set(err, DS_ERR_IO, "%s: %s", path, strerror(errno));
    fputs("seed,crash_us,requests,pushes,acks,volatile_writes,interrupted,applied,dropped,"
          "torn_writes,written_back,keys,newer,absent,lost,torn_values,foreign,violations,verdict,"
          "first_violation\n",
          f);
    for (uint64_t i = 0; i < n; i++) {
        const ds_crash_seed *x = &s[i];
        const ds_crash_counts *c = &x->counts;
        const ds_cc_report *r = &x->rep;
        fprintf(f,
                "%" PRIu64 ",%" PRId64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
                ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
                ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%s,",
                x->seed, x->crash_us, x->requests, r->pushes, r->acks, c->volatile_writes,
                c->interrupted, c->applied, c->dropped, c->torn, c->written_back, r->keys, r->newer,
                r->absent, r->lost, r->torn, r->foreign, r->violations,
                ds_crash_seed_ok(x) ? "ok" : "violation");
        csv_text(f, x->msg);
        fputc('\n', f);
    }
    if (fclose(f) != 0) return ds_err_set(err, DS_ERR_IO, "%s: %s", path, strerror(errno));
    return DS_OK;
}

/* The summary line; returns the exit code. */
static int summary(const ds_crash_lab_opts *o, const ds_crash_seed *s) {
    uint64_t bad = 0, lost_seeds = 0, torn_seeds = 0, lost = 0, torn = 0, acks = 0;
    ds_crash_counts t = {0};
    for (uint64_t i = 0; i < o->seeds; i++) {
        bad += !ds_crash_seed_ok(&s[i]);
        lost_seeds += s[i].rep.lost > 0;
        torn_seeds += s[i].rep.torn > 0;
        lost += s[i].rep.lost;
        torn += s[i].rep.torn;
        acks += s[i].rep.acks;
        t.volatile_writes += s[i].counts.volatile_writes;
        t.applied += s[i].counts.applied;
        t.dropped += s[i].counts.dropped;
        t.torn += s[i].counts.torn;
    }
    printf("crash: %" PRIu64 " seeds, fsync %s: %" PRIu64
           " seeds lost acknowledged writes (%" PRIu64
           " keys lost their last acknowledged SAVE; %" PRIu64 " SAVEs acknowledged), %" PRIu64
           " seeds showed torn values (%" PRIu64 "); writes not durable"
           " at the crash %" PRIu64 ": applied %" PRIu64 ", dropped %" PRIu64 ", torn %" PRIu64
           "; %s\n",
           o->seeds, o->replay.fsync == DS_FSYNC_ALWAYS ? "always" : "never", lost_seeds, lost,
           acks, torn_seeds, torn, t.volatile_writes, t.applied, t.dropped, t.torn,
           bad ? "VIOLATIONS" : "ok");
    return bad ? 1 : 0;
}

static int run(ds_crash_lab_opts *o) {
    ds_err err = {{0}};
    ds_crash_seed *s = calloc(o->seeds, sizeof *s);
    if (!s) return fprintf(stderr, "dslab: crash: out of memory\n"), 1;
    if (mkdir(o->replay.out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "dslab: %s: %s\n", o->replay.out, strerror(errno));
        free(s);
        return 2;
    }
    int64_t span = 0;
    ds_status st = ds_crash_lab_run(o, s, &span, &err);
    if (st == DS_OK) st = write_csv(o->replay.out, s, o->seeds, &err);
    if (st != DS_OK) {
        fprintf(stderr, "dslab: %s\n", err.msg);
        free(s);
        return st == DS_ERR_ARG || st == DS_ERR_CONFIG || st == DS_ERR_CORRUPT ? 2 : 1;
    }
    if (!o->replay.quiet) {
        printf("%8s %10s %8s %8s %8s %7s %7s %5s %6s %5s %5s  %s\n", "seed", "crash_ms", "pushed",
               "acked", "volatile", "applied", "dropped", "torn", "newer", "lost", "tornv",
               "verdict");
        for (uint64_t i = 0; i < o->seeds; i++)
            print_row(stdout, &s[i]);
    }
    int rc = summary(o, s);
    free(s);
    return rc;
}

static unsigned online_cores(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

int ds_main_crash(int argc, char **argv) {
    static ds_crash_lab_opts o;
    memset(&o, 0, sizeof o);
    ds_replay_opts_default(&o.replay);
    o.seeds = 100;
    o.writeback_ms = CRASH_WRITEBACK_DEF;
    bool help = false;
    ds_err err = {{0}};
    if (argc > 0) argc--, argv++; /* argv[0] is the verb */
    ds_status st = parse_own(&o, &argc, argv, &err);
    if (st == DS_OK) st = ds_cli_parse(&o.replay, argc, argv, &help, &err);
    if (st == DS_OK && !help && !o.replay.trace[0])
        st = ds_err_set(&err, DS_ERR_CONFIG, "crash: a trace is required (dslab crash --help)");
    if (st == DS_OK && o.replay.clock != DS_CLOCK_VIRTUAL)
        st = ds_err_set(&err, DS_ERR_CONFIG, "--clock: dslab crash runs the virtual clock only");
    if (st == DS_OK && strstr(o.replay.backend, "fsync="))
        st = ds_err_set(&err, DS_ERR_CONFIG,
                        "--backend: dslab crash takes the sync mode from --fsync, not the spec");
    if (st == DS_OK && o.replay.seed > UINT64_MAX - o.seeds)
        st = ds_err_set(&err, DS_ERR_CONFIG, "--seed: too large for --seeds");
    if (st != DS_OK) {
        fprintf(stderr, "dslab: %s\n", err.msg);
        return 2;
    }
    if (help) {
        usage(stdout);
        return 0;
    }
    ds_cli_default_out(&o.replay);
    o.replay.progress = false;
    if (!o.replay.quiet)
        printf("dslab crash: trace %s, seeds %" PRIu64 "..%" PRIu64 ", %u processes, fsync %s, "
               "writeback %" PRId64 " ms, out %s\n",
               o.replay.trace, o.replay.seed, o.replay.seed + o.seeds - 1,
               o.procs ? o.procs : online_cores(),
               o.replay.fsync == DS_FSYNC_ALWAYS ? "always" : "never", o.writeback_ms,
               o.replay.out);
    return run(&o);
}
