/*
 * csvfmt.c - formatting shared by the results writers: CSV fields, escaped keys, seconds and
 * microseconds printed from integers (so the same inputs give the same bytes), mkdir -p, rm -rf.
 */
#include "csvfmt.h"

#include <csv.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

ds_status ds_rm_tree(const char *dir) {
    struct stat st;
    if (lstat(dir, &st) != 0) return DS_OK;
    return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? DS_OK : DS_ERR_IO;
}

ds_status ds_mkdir_p(const char *dir, ds_err *err) {
    char buf[4096];
    size_t n = strlen(dir);
    if (n == 0) return ds_err_set(err, DS_ERR_ARG, "empty directory name");
    if (n >= sizeof buf)
        return ds_err_set(err, DS_ERR_ARG,
                          "%.64s...: directory name too long (%zu bytes, at most %zu)", dir, n,
                          sizeof buf - 1);
    memcpy(buf, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0') continue;
        char c = buf[i];
        buf[i] = '\0';
        struct stat sb;
        if (stat(buf, &sb) != 0) {
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return ds_err_set(err, DS_ERR_IO, "%s: cannot create directory: %s", buf,
                                  strerror(errno));
        } else if (!S_ISDIR(sb.st_mode)) {
            return ds_err_set(err, DS_ERR_IO, "%s: not a directory", buf);
        }
        buf[i] = c;
    }
    return DS_OK;
}

/* Write one CSV string field, quoted by libcsv only when it needs to be. */
void ds_csv_field(FILE *f, const char *s) {
    if (!s) s = "";
    size_t n = strlen(s);
    bool quote = n > 0 && (s[0] == ' ' || s[n - 1] == ' ');
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (quote)
        csv_fwrite(f, s, n);
    else
        fwrite(s, 1, n, f);
}

/* Escape bytes outside printable ASCII, and the backslash itself, as \xNN. Caller frees. */
char *ds_escape(const void *p, size_t len) {
    const unsigned char *b = p;
    char *out = malloc(len * 4 + 1);
    if (!out) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (b[i] >= 0x20 && b[i] < 0x7f && b[i] != '\\')
            out[o++] = (char)b[i];
        else
            o += (size_t)sprintf(out + o, "\\x%02x", b[i]);
    }
    out[o] = '\0';
    return out;
}

/* "12.345678" from nanoseconds (microsecond precision), without floating point. */
void ds_fmt_seconds(char *buf, size_t len, int64_t ns) {
    int64_t us = ns / 1000;
    const char *sign = us < 0 ? "-" : "";
    uint64_t u = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
    snprintf(buf, len, "%s%" PRIu64 ".%06" PRIu64, sign, u / 1000000u, u % 1000000u);
}

/* Microseconds with 3 decimals ("0.600") from nanoseconds >= 0. */
void ds_fmt_us(char *buf, size_t len, int64_t ns) {
    uint64_t u = ns < 0 ? 0 : (uint64_t)ns;
    snprintf(buf, len, "%" PRIu64 ".%03" PRIu64, u / 1000u, u % 1000u);
}

/* A ratio with 6 decimals, or an empty field when the denominator is 0. */
void ds_fmt_ratio(char *buf, size_t len, uint64_t num, uint64_t den) {
    if (den == 0)
        buf[0] = '\0';
    else
        snprintf(buf, len, "%.6f", (double)num / (double)den);
}
