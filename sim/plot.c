/*
 * plot.c - `dslab plot DIR`: draw a results folder's PNGs by running scripts/plot.sh.
 *
 * Why a separate shell script instead of talking to gnuplot from C: the plots are tuned by
 * editing gnuplot files, and users run scripts/plot.sh directly on results copied elsewhere.
 * The command only has to find the scripts: $DSLAB_SCRIPTS, else ./scripts, else the scripts
 * folder next to the build folder of this executable (/proc/self/exe/../../scripts).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "verbs_metrics.h"

#define DS_PLOT_PATH_MAX 4096

static int ds_plot_usage(FILE *f) {
    fprintf(f, "usage: dslab plot RESULTS_DIR\n"
               "  draws RESULTS_DIR/latency.png and RESULTS_DIR/timeline.png with gnuplot\n"
               "  (scripts from $DSLAB_SCRIPTS, ./scripts, or next to the dslab binary)\n"
               "       dslab plot SWEEP.csv --x COL --y COL ...   (dslab plot SWEEP.csv --help)\n");
    return 2;
}

static int ds_plot_exists(const char *dir, char *out, size_t len) {
    struct stat sb;
    int n = snprintf(out, len, "%s/plot.sh", dir);
    return n > 0 && (size_t)n < len && stat(out, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Find plot.sh; returns 0 and its path in out, or -1. */
static int ds_plot_find_script(char *out, size_t len) {
    const char *env = getenv("DSLAB_SCRIPTS");
    if (env && *env) return ds_plot_exists(env, out, len) ? 0 : -1;
    if (ds_plot_exists("scripts", out, len)) return 0;
    char exe[DS_PLOT_PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return -1;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash) return -1;
    *slash = '\0'; /* the build folder */
    char dir[DS_PLOT_PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s/../scripts", exe);
    return ds_plot_exists(dir, out, len) ? 0 : -1;
}

int ds_main_plot(int argc, char **argv) {
    if (argc > 0 && strcmp(argv[0], "plot") == 0) {
        argc--;
        argv++;
    }
    if (argc == 1 && (strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0)) {
        ds_plot_usage(stdout);
        return 0;
    }
    struct stat sb;
    for (int i = 0; i < argc; i++) /* a file among the arguments: a sweep plot */
        if (argv[i][0] != '-' && stat(argv[i], &sb) == 0 && S_ISREG(sb.st_mode))
            return ds_plot_sweep(argc, argv);
    if (argc != 1 || argv[0][0] == '-') return ds_plot_usage(stderr);
    if (stat(argv[0], &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "dslab: plot: %s: neither a results directory nor a CSV file\n", argv[0]);
        return 2;
    }
    char script[DS_PLOT_PATH_MAX + 32];
    if (ds_plot_find_script(script, sizeof script) != 0) {
        fprintf(stderr, "dslab plot: scripts/plot.sh not found (set DSLAB_SCRIPTS to the "
                        "folder that holds it)\n");
        return 1;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "dslab plot: fork: %s\n", strerror(errno));
        return 1;
    }
    if (pid == 0) {
        execl("/bin/sh", "sh", script, argv[0], (char *)NULL);
        fprintf(stderr, "dslab plot: /bin/sh %s: %s\n", script, strerror(errno));
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            fprintf(stderr, "dslab plot: waitpid: %s\n", strerror(errno));
            return 1;
        }
    }
    if (!WIFEXITED(status)) return 1;
    int rc = WEXITSTATUS(status);
    return rc == 0 ? 0 : rc == 2 ? 2 : 1;
}
