/*
 * engine_real.h - the wall-clock engine of `dslab replay --clock real`.
 *
 * Why a second engine: virtual time proves the scheduling rules deterministically, but only
 * real threads on a real disk show what the design costs (fsync, rename, contention) and
 * whether the core's single-thread contract holds when IO really runs concurrently. The engine
 * keeps that contract: worker threads only plan and run backend calls; every call into the
 * core (job take, job done, exec, cron) happens on the thread that runs the engine.
 *
 * Save log (crash testing): when the environment variable DSLAB_SAVE_LOG names a file, the
 * engine appends one line per SAVE handed to a worker and one per SAVE acknowledged by the
 * backend, each flushed to the kernel before the worker may start (or before the core learns
 * about the completion), so a SIGKILL never loses a line that describes work that happened:
 *     P <job id> <key as hex> <version | D>     a SAVE (version from the oracle stamp) or a
 *                                               delete was handed to a worker
 *     A <job id>                                that job completed successfully on the backend
 * scripts/crash-test.sh and bench/crashcheck.c read it.
 */
#ifndef DS_ENGINE_REAL_H
#define DS_ENGINE_REAL_H

#include "replay.h"

#define DS_ENGINE_REAL_SAVE_LOG_ENV "DSLAB_SAVE_LOG"

/* A real-time engine with o->io_threads worker threads (started here). NULL with a message in
 * err when threads, the eventfd or the save log cannot be set up. Free it (which stops and
 * joins the workers) before freeing the cache and the backend. */
rp_engine *ds_engine_real_new(rp_run *r, const ds_replay_opts *o, ds_err *err);

#endif /* DS_ENGINE_REAL_H */
