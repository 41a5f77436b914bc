/*
 * csvfmt.h - formatting shared by the results writers (metrics.c): CSV fields, escaped keys,
 * fixed-precision seconds and microseconds from integer nanoseconds, mkdir -p.
 */
#ifndef DS_CSVFMT_H
#define DS_CSVFMT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dslab.h"

/* mkdir -p; DS_OK, or DS_ERR_ARG (empty or too long) / DS_ERR_IO with one line naming the path
 * and the reason in err. */
ds_status ds_mkdir_p(const char *dir, ds_err *err);
/* rm -rf dir (a results or scratch directory); DS_OK when it is gone or never existed. */
ds_status ds_rm_tree(const char *dir);
/* One CSV string field, quoted by libcsv only when it needs to be. */
void ds_csv_field(FILE *f, const char *s);
/* Bytes outside printable ASCII, and the backslash, as \xNN. Caller frees; NULL = no memory. */
char *ds_escape(const void *p, size_t len);
/* "12.345678" seconds (microsecond precision) from nanoseconds. */
void ds_fmt_seconds(char *buf, size_t len, int64_t ns);
/* "0.600" microseconds (3 decimals) from nanoseconds; negative prints 0. */
void ds_fmt_us(char *buf, size_t len, int64_t ns);
/* A ratio with 6 decimals, or an empty field when den is 0. */
void ds_fmt_ratio(char *buf, size_t len, uint64_t num, uint64_t den);

#endif
