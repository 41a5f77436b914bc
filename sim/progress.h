/*
 * progress.h - a one-line progress display for long runs on a terminal.
 *
 * Why it is this quiet: output that is not a terminal (CI logs, pipes, tests) must stay
 * byte-stable, and short runs should not flicker; so the line appears only when stderr is a
 * tty and the run has taken more than about a second of wall time.
 */
#ifndef DS_PROGRESS_H
#define DS_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct ds_progress ds_progress;

/* enabled=false gives a progress object that never prints. total_requests 0 = unknown. */
ds_progress *ds_progress_new(bool enabled, uint64_t total_requests);
/* Cheap: reads the wall clock only every few thousand calls. */
void ds_progress_update(ds_progress *p, uint64_t requests, int64_t sim_us);
/* Clear the line (if one was drawn) and free. */
void ds_progress_free(ds_progress *p);
/* Wall-clock seconds since ds_progress_new. */
double ds_progress_wall_seconds(const ds_progress *p);

#endif
