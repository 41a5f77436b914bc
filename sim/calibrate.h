/*
 * calibrate.h - `dslab calibrate` and `dslab validate`: measure a real backend and host, write
 * the models virtual time needs, and check virtual time against real runs.
 */
#ifndef DS_CALIBRATE_H
#define DS_CALIBRATE_H

/* The calibration file format; a file with another value is refused (exit 2). Bump it when a
 * model term changes meaning. */
#define DS_CAL_FORMAT 2

int ds_main_calibrate(int argc, char **argv);
int ds_main_validate(int argc, char **argv);

#endif /* DS_CALIBRATE_H */
