/*
 * proc: runs a child program and collects what it prints.
 *
 * Used for the schema sources (`exec:`, the Python providers) and the history
 * importers: strata starts the user's own interpreter or command, feeds it nothing,
 * and reads its standard output and standard error in full.
 */
#ifndef STRATA_UTIL_PROC_H
#define STRATA_UTIL_PROC_H

#include "util/buf.h"
#include "util/err.h"

typedef struct proc_opts {
	const char *cwd;         /* directory to run in, or NULL for the current one */
	const char *const *env;  /* extra "NAME=VALUE" entries (override the environment), NULL-terminated, or NULL */
	const char *input;       /* text written to its standard input, or NULL for /dev/null */
} proc_opts;

/*
 * Runs argv[0] (looked up on PATH when it has no '/') with `argv`, waits for it and
 * appends its standard output to `out` and its standard error to `errout` (either may
 * be NULL to discard). `*status` receives the exit status (0..255), or 128+signal when
 * it was killed by a signal. Returns 0 when the program ran (whatever its status), or
 * STRATA_EFAIL with a message in `e` when it could not be started (not found: the
 * message names argv[0]).
 */
int proc_run(const char *const *argv, const proc_opts *o, buf *out, buf *errout, int *status,
	     strata_err *e);

/* The last `lines` lines of `text` (a pointer into it), for error messages that
 * show the end of a child's standard error. */
const char *proc_tail(const char *text, int lines);

#endif
