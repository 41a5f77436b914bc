/*
 * verbs.h - the trace verbs of the `dslab` command (sim/main.c dispatches to them).
 *
 * Each takes the arguments after the verb name (argv[0] is the verb), prints --help on
 * request, and returns 0 on success or 2 with a one-line "dslab: ..." error on stderr.
 */
#ifndef DS_VERBS_H
#define DS_VERBS_H

/* dslab convert IN OUT [--format F] [--to native|oracleGeneral] [--csv-opts S] */
int ds_main_convert(int argc, char **argv);

/* dslab stat TRACE [--format F] [--csv-opts S] */
int ds_main_stat(int argc, char **argv);

#endif
