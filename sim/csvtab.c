/*
 * csvtab.c - a small CSV table read whole (see csvtab.h).
 */
#include "csvtab.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSVTAB_MAX_CELLS (16u * 1024u * 1024u) /* bounds memory on garbage input */

typedef struct tab_build {
    ds_csvtab *t;
    char **cells;
    size_t n, cap, in_row, line;
    const char *what; /* first error, or NULL */
    size_t what_line; /* its line */
} tab_build;

static void on_field(void *s, size_t len, void *data) {
    tab_build *b = data;
    if (b->what) return;
    if (b->n == b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 256;
        char **nc = ncap <= CSVTAB_MAX_CELLS ? realloc(b->cells, ncap * sizeof *nc) : NULL;
        if (!nc) {
            b->what = "too large or out of memory";
            b->what_line = b->line + 1;
            return;
        }
        b->cells = nc;
        b->cap = ncap;
    }
    char *c = malloc(len + 1);
    if (!c) {
        b->what = "out of memory";
        b->what_line = b->line + 1;
        return;
    }
    memcpy(c, s, len);
    c[len] = '\0';
    b->cells[b->n++] = c;
    b->in_row++;
}

static void on_row(int c, void *data) {
    (void)c;
    tab_build *b = data;
    if (b->what) return;
    b->line++;
    if (b->line == 1) {
        b->t->ncols = b->in_row;
    } else if (b->in_row != b->t->ncols) {
        b->what = "row and header differ in the number of fields";
        b->what_line = b->line;
        return;
    } else {
        b->t->nrows++;
    }
    b->in_row = 0;
}

static ds_status parse_file(FILE *f, tab_build *b) {
    struct csv_parser p;
    if (csv_init(&p, CSV_APPEND_NULL) != 0) return DS_ERR_NOMEM;
    char buf[8192];
    size_t n;
    bool bad = false;
    while (!bad && !b->what && (n = fread(buf, 1, sizeof buf, f)) > 0)
        bad = csv_parse(&p, buf, n, on_field, on_row, b) != n;
    if (!bad && !b->what) bad = csv_fini(&p, on_field, on_row, b) != 0;
    csv_free(&p);
    if (bad && !b->what) b->what = "malformed CSV", b->what_line = b->line + 1;
    return b->what ? DS_ERR_CORRUPT : DS_OK;
}

ds_status ds_csvtab_read(const char *path, ds_csvtab *t, ds_err *err) {
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "rb");
    if (!f) return ds_err_set(err, DS_ERR_ARG, "%s: %s", path, strerror(errno));
    tab_build b = {.t = t};
    ds_status st = parse_file(f, &b);
    if (st == DS_OK && ferror(f)) st = ds_err_set(err, DS_ERR_IO, "%s: read error", path);
    fclose(f);
    t->cells = b.cells;
    if (st == DS_OK && (b.line == 0 || t->ncols == 0)) {
        b.what = "empty: expected a header";
        b.what_line = 1;
        st = DS_ERR_CORRUPT;
    }
    if (b.what) {
        ds_err_set(err, DS_ERR_CORRUPT, "%s:%zu: %s", path, b.what_line, b.what);
        for (size_t i = 0; i < b.n; i++)
            free(b.cells[i]);
        free(b.cells);
        memset(t, 0, sizeof *t);
        return DS_ERR_CORRUPT;
    }
    return st;
}

void ds_csvtab_free(ds_csvtab *t) {
    if (!t->cells) return;
    for (size_t i = 0; i < (t->nrows + 1) * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof *t);
}

int ds_csvtab_col(const ds_csvtab *t, const char *name) {
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cells[i], name) == 0) return (int)i;
    return -1;
}

const char *ds_csvtab_get(const ds_csvtab *t, size_t row, int col) {
    if (col < 0 || (size_t)col >= t->ncols || row >= t->nrows) return NULL;
    return t->cells[(row + 1) * t->ncols + (size_t)col];
}

bool ds_csvtab_num(const ds_csvtab *t, size_t row, const char *name, double *out) {
    return ds_parse_f64(ds_csvtab_get(t, row, ds_csvtab_col(t, name)), out);
}
