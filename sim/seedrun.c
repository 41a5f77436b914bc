/*
 * seedrun.c - the multi-process seed loop (seedrun.h).
 *
 * Protocol on each worker's pipe: one record per seed, "SEED<TAB>STATUS<TAB>LINE\n", STATUS 0
 * for success or the ds_status of a failure. LINE is the rest of the record up to the newline
 * (it may hold tabs); workers replace any newline in it by a blank. The parent polls every pipe, so
 * a slow worker never blocks a fast one; results wait in a slot per seed until every earlier seed
 * has arrived.
 */
#include "seedrun.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SR_MAX_JOBS 256

typedef struct sr_pipe {
    int fd;
    pid_t pid;
    char buf[2 * DS_SEEDRUN_LINE_MAX + 64];
    size_t len;
} sr_pipe;

typedef struct sr_state {
    const ds_seedrun_opts *o;
    char **slot;   /* result line per seed offset; NULL = not yet */
    uint64_t next; /* next seed offset to hand to collect */
    ds_seed_collect_fn collect;
    void *cctx;
    ds_status fail;
    ds_err *err;
} sr_state;

static double mono_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) _exit(3);
        p += w;
        n -= (size_t)w;
    }
}

static void worker(const ds_seedrun_opts *o, unsigned k, unsigned jobs, int fd, ds_seed_fn run,
                   void *ctx) {
    char line[DS_SEEDRUN_LINE_MAX], rec[DS_SEEDRUN_LINE_MAX + 64];
    for (uint64_t i = k; i < o->count; i += jobs) {
        uint64_t seed = o->first + i;
        line[0] = 0;
        ds_status st = run(ctx, k, seed, line, sizeof line);
        for (char *p = line; *p; p++)
            if (*p == '\n' || *p == '\r') *p = ' ';
        int n =
            snprintf(rec, sizeof rec, "%llu\t%d\t%s\n", (unsigned long long)seed, (int)st, line);
        write_all(fd, rec, (size_t)n < sizeof rec ? (size_t)n : sizeof rec - 1);
        if (st != DS_OK) break;
    }
    close(fd);
    fflush(NULL);
    _exit(0);
}

/* One complete record from a worker. */
static void take_record(sr_state *s, char *rec) {
    char *t1 = strchr(rec, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
    if (!t2) {
        if (s->fail == DS_OK)
            s->fail = ds_err_set(s->err, DS_ERR_STATE, "seedrun: malformed worker record");
        return;
    }
    *t1 = *t2 = 0;
    uint64_t seed = strtoull(rec, NULL, 10);
    int st = atoi(t1 + 1);
    if (seed < s->o->first || seed - s->o->first >= s->o->count) return;
    if (st != DS_OK && s->fail == DS_OK)
        s->fail =
            ds_err_set(s->err, (ds_status)st, "seed %llu: %s", (unsigned long long)seed, t2 + 1);
    uint64_t off = seed - s->o->first;
    if (st == DS_OK && !s->slot[off]) s->slot[off] = strdup(t2 + 1);
    while (s->next < s->o->count && s->slot[s->next]) {
        s->collect(s->cctx, s->o->first + s->next, s->slot[s->next]);
        free(s->slot[s->next]);
        s->slot[s->next] = NULL;
        s->next++;
    }
}

/* Read what is available on p; false at EOF or error. */
static bool drain_pipe(sr_state *s, sr_pipe *p) {
    ssize_t n = read(p->fd, p->buf + p->len, sizeof p->buf - 1 - p->len);
    if (n < 0 && errno == EINTR) return true;
    if (n <= 0) return false;
    p->len += (size_t)n;
    p->buf[p->len] = 0;
    char *start = p->buf, *nl;
    while ((nl = strchr(start, '\n'))) {
        *nl = 0;
        take_record(s, start);
        start = nl + 1;
    }
    p->len -= (size_t)(start - p->buf);
    memmove(p->buf, start, p->len);
    if (p->len == sizeof p->buf - 1) p->len = 0; /* an overlong record: dropped */
    return true;
}

static ds_status spawn(const ds_seedrun_opts *o, unsigned jobs, sr_pipe *pp, ds_seed_fn run,
                       void *ctx, ds_err *err) {
    fflush(NULL);
    for (unsigned k = 0; k < jobs; k++) {
        int fds[2];
        if (pipe(fds) != 0) return ds_err_set(err, DS_ERR_IO, "seedrun: pipe: %s", strerror(errno));
        pid_t pid = fork();
        if (pid < 0) {
            close(fds[0]);
            close(fds[1]);
            return ds_err_set(err, DS_ERR_IO, "seedrun: fork: %s", strerror(errno));
        }
        if (pid == 0) {
            close(fds[0]);
            for (unsigned j = 0; j < k; j++)
                close(pp[j].fd);
            worker(o, k, jobs, fds[1], run, ctx);
        }
        close(fds[1]);
        pp[k] = (sr_pipe){.fd = fds[0], .pid = pid};
    }
    return DS_OK;
}

/* Poll until every pipe is at EOF, then reap the workers. */
static void gather(sr_state *s, sr_pipe *pp, unsigned jobs) {
    struct pollfd pfd[SR_MAX_JOBS];
    unsigned open_n = jobs;
    for (unsigned k = 0; k < jobs; k++)
        pfd[k] = (struct pollfd){.fd = pp[k].fd, .events = POLLIN};
    while (open_n > 0) {
        if (poll(pfd, jobs, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (unsigned k = 0; k < jobs; k++) {
            if (pfd[k].fd < 0 || !(pfd[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            if (!drain_pipe(s, &pp[k])) {
                close(pp[k].fd);
                pfd[k].fd = -1;
                open_n--;
            }
        }
    }
    for (unsigned k = 0; k < jobs; k++) {
        int wst = 0;
        while (waitpid(pp[k].pid, &wst, 0) < 0 && errno == EINTR) {
        }
        if (s->fail == DS_OK && !(WIFEXITED(wst) && WEXITSTATUS(wst) == 0))
            s->fail = ds_err_set(s->err, DS_ERR_STATE, "seedrun: worker %u %s %d", k,
                                 WIFSIGNALED(wst) ? "killed by signal" : "exited with",
                                 WIFSIGNALED(wst) ? WTERMSIG(wst) : WEXITSTATUS(wst));
    }
}

unsigned ds_seedrun_jobs(const ds_seedrun_opts *o) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned jobs = o->jobs ? o->jobs : (unsigned)(cores > 0 ? cores : 1);
    if (jobs > SR_MAX_JOBS) jobs = SR_MAX_JOBS;
    if (o->count < jobs) jobs = (unsigned)(o->count ? o->count : 1);
    return jobs;
}

ds_status ds_seedrun(const ds_seedrun_opts *o, ds_seed_fn run, void *run_ctx,
                     ds_seed_collect_fn collect, void *collect_ctx, ds_seedrun_stats *stats,
                     ds_err *err) {
    unsigned jobs = ds_seedrun_jobs(o);
    sr_state s = {.o = o, .collect = collect, .cctx = collect_ctx, .err = err};
    s.slot = calloc(o->count ? o->count : 1, sizeof *s.slot);
    sr_pipe *pp = calloc(jobs, sizeof *pp);
    if (!s.slot || !pp) {
        free(s.slot);
        free(pp);
        return ds_err_set(err, DS_ERR_NOMEM, "seedrun: out of memory");
    }
    double t0 = mono_seconds();
    ds_status st = o->count ? spawn(o, jobs, pp, run, run_ctx, err) : DS_OK;
    unsigned started = 0;
    while (started < jobs && pp[started].pid > 0)
        started++;
    if (o->count) gather(&s, pp, started);
    if (st == DS_OK) st = s.fail;
    if (st == DS_OK && s.next < o->count)
        st = ds_err_set(err, DS_ERR_STATE, "seedrun: no result for seed %llu",
                        (unsigned long long)(o->first + s.next));
    double wall = mono_seconds() - t0;
    if (stats)
        *stats = (ds_seedrun_stats){.jobs = jobs,
                                    .wall_seconds = wall,
                                    .seeds_per_second = wall > 0 ? (double)o->count / wall : 0};
    for (uint64_t i = 0; i < o->count; i++)
        free(s.slot[i]);
    free(s.slot);
    free(pp);
    return st;
}
