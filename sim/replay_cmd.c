/*
 * replay_cmd.c - the `dslab replay` verb: options, header line, run, summary table.
 *
 * Exit codes: 0 run finished (violations are results, not failures: `dslab check` and the
 * tests judge them), 2 bad input (option, trace line), 1 other failures (IO, memory).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "replay.h"

static void print_header(const ds_replay_opts *o) {
    const char *names[DS_CLI_EFFECTIVE_MAX], *values[DS_CLI_EFFECTIVE_MAX];
    char buf[DS_CLI_EFFECTIVE_BUF];
    size_t n = ds_cli_effective(o, names, values, buf);
    fprintf(stderr, "dslab replay: trace %s seed %llu out %s\n", o->trace,
            (unsigned long long)o->seed, o->out);
    size_t col = 0;
    for (size_t i = 0; i < n; i++) {
        int w = fprintf(stderr, "%s%s=%s", col ? " " : "  ", names[i], values[i]);
        col += (size_t)(w > 0 ? w : 0);
        if (col > 90 || i + 1 == n) {
            fputc('\n', stderr);
            col = 0;
        }
    }
}

static double ratio(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : 0.0; }

void ds_replay_print_summary(FILE *f, const ds_replay_opts *o, const ds_replay_result *r) {
    const ds_stats *s = &r->stats;
    fprintf(f, "%-18s %llu\n", "requests", (unsigned long long)r->requests);
    fprintf(f, "%-18s %.4f (hits %llu, misses %llu, neg hits %llu)\n", "hit ratio",
            ratio(s->hits, s->hits + s->misses), (unsigned long long)s->hits,
            (unsigned long long)s->misses, (unsigned long long)s->neg_hits);
    fprintf(f, "%-18s %llu\n", "disk loads", (unsigned long long)s->disk_loads);
    fprintf(f, "%-18s %llu (deletes %llu)\n", "disk saves", (unsigned long long)s->disk_saves,
            (unsigned long long)s->disk_dels);
    fprintf(f, "%-18s %llu\n", "saves coalesced", (unsigned long long)s->saves_coalesced);
    fprintf(f, "%-18s %llu (negative %llu)\n", "evictions", (unsigned long long)s->evictions,
            (unsigned long long)s->neg_evictions);
    fprintf(f, "%-18s %llu\n", "blocked requests", (unsigned long long)s->blocked_requests);
    if (r->errors)
        fprintf(f, "%-18s %llu (first: %s)\n", "errors", (unsigned long long)r->errors,
                r->first_error);
    else
        fprintf(f, "%-18s 0\n", "errors");
    /* The core's own trouble, shown only when it happened (the default output stays as is). */
    if (s->loads_dropped_nomem)
        fprintf(f, "%-18s %llu (out of memory: their waiters answered an error)\n", "loads dropped",
                (unsigned long long)s->loads_dropped_nomem);
    if (s->invariant_errors || s->flag_errors)
        fprintf(f, "%-18s %llu (flag errors %llu): a core bug, please report\n", "invariant errors",
                (unsigned long long)s->invariant_errors, (unsigned long long)s->flag_errors);
    fprintf(f, "%-8s %10s %12s %12s %12s %12s   (us, from intended time)\n", "latency", "count",
            "p50", "p99", "p999", "max");
    for (int op = 0; op <= DS_OP__COUNT; op++) {
        if (!r->n_op[op]) continue;
        fprintf(f, "%-8s %10llu %12.3f %12.3f %12.3f %12.3f\n",
                op == DS_OP__COUNT ? "ALL" : ds_op_name((ds_op)op), (unsigned long long)r->n_op[op],
                (double)r->q_ns[op][0] / 1e3, (double)r->q_ns[op][1] / 1e3,
                (double)r->q_ns[op][2] / 1e3, (double)r->q_ns[op][3] / 1e3);
    }
    if (r->n_op[DS_OP__COUNT])
        fprintf(f, "%-8s %10s %12.3f %12.3f %12.3f %12.3f   (us, from issue)\n", "service", "",
                (double)r->sq_ns[0] / 1e3, (double)r->sq_ns[1] / 1e3, (double)r->sq_ns[2] / 1e3,
                (double)r->sq_ns[3] / 1e3);
    fprintf(f, "%-18s %llu\n", "stale reads", (unsigned long long)r->stale_reads);
    fprintf(f, "%-18s %llu\n", "lost writes", (unsigned long long)r->lost_writes);
    fprintf(f, "%-18s %.3f\n", "sim seconds", r->sim_seconds);
    fprintf(f, "%-18s %.3f\n", "wall seconds", r->wall_seconds);
    fprintf(f, "%-18s %.0f\n", "requests/wall s",
            r->wall_seconds > 0 ? (double)r->requests / r->wall_seconds : 0.0);
    fprintf(f, "%-18s %s\n", "output", o->out);
}

/*
 * Ctrl-C and SIGTERM: the first stops the run gracefully (the engines stop issuing, the drain
 * finishes what is in flight, within DS_DRAIN_SAVE_ATTEMPTS per key, and every CSV is written
 * with interrupted = 1; exit 130); a second one exits at once, for a drain that takes too long.
 * The flag is process-wide because a signal is; the library takes it as a pointer.
 */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig) {
    if (stop_signal) _exit(130);
    stop_signal = sig;
}

volatile sig_atomic_t *ds_replay_signals_install(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: the real engine's ppoll returns EINTR and re-checks */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    return &stop_signal;
}

int ds_main_replay(int argc, char **argv) {
    static ds_replay_opts o; /* large (path buffers); one per process run of the verb */
    ds_replay_opts_default(&o);
    bool help;
    ds_err err = {{0}};
    if (argc > 0) argc--, argv++; /* argv[0] is the verb */
    if (ds_cli_parse(&o, argc, argv, &help, &err) != DS_OK) {
        fprintf(stderr, "dslab: %s\n", err.msg);
        return 2;
    }
    if (help) {
        ds_cli_usage(stdout);
        return 0;
    }
    ds_cli_default_out(&o);
    if (!o.quiet) print_header(&o);
    o.stop = ds_replay_signals_install();
    ds_replay_result res;
    ds_status st = ds_replay_run(&o, &res, &err);
    if (st != DS_OK) {
        fprintf(stderr, "dslab: %s\n", err.msg);
        return st == DS_ERR_ARG || st == DS_ERR_CONFIG || st == DS_ERR_CORRUPT ? 2 : 1;
    }
    ds_replay_print_summary(stdout, &o, &res);
    if (res.interrupted) {
        fprintf(stderr, "dslab: interrupted (%s) after %llu requests; results in %s\n",
                *o.stop == SIGTERM ? "SIGTERM" : "SIGINT", (unsigned long long)res.requests, o.out);
        return 130;
    }
    return 0;
}
