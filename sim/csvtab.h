/*
 * csvtab.h - read a small CSV table (a header and rows) whole, through libcsv.
 *
 * Why: the result files dslab writes (summary.csv, sweep.csv, io_latency.csv, validate.csv) are
 * read back by other verbs (validate, calibrate, compare, plot). They are small (one row per run
 * or per histogram bucket), so reading them whole into strings, with the column looked up by
 * name, is simpler and safer than a streaming parser per verb. Every row must have the header's
 * number of fields; a mismatch is an error naming the file and line.
 */
#ifndef DS_CSVTAB_H
#define DS_CSVTAB_H

#include <stddef.h>

#include "dslab.h"

typedef struct ds_csvtab {
    size_t ncols, nrows; /* nrows: data rows, the header not counted */
    char **cells;        /* (nrows + 1) * ncols strings; row 0 is the header */
} ds_csvtab;

/* Read path; errors "PATH: ..." or "PATH:LINE: ...". An empty file is an error. */
ds_status ds_csvtab_read(const char *path, ds_csvtab *t, ds_err *err);
void ds_csvtab_free(ds_csvtab *t);
/* Column index of name, or -1. */
int ds_csvtab_col(const ds_csvtab *t, const char *name);
/* Data row `row` (0-based), column `col`; NULL out of range. */
const char *ds_csvtab_get(const ds_csvtab *t, size_t row, int col);
/* The cell as a double; false when missing or not a number. */
bool ds_csvtab_num(const ds_csvtab *t, size_t row, const char *name, double *out);

#endif /* DS_CSVTAB_H */
