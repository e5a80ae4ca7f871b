/*
 * strata.h — the public API of libstrata.
 *
 * libstrata migrates a database (SQLite, PostgreSQL) along a graph of revisions.
 * The strata command-line tool uses nothing but this header.
 *
 * Conventions: functions return 0 (STRATA_OK) or a STRATA_E* status; on failure the
 * message is kept on the handle (strata_errmsg). The library never prints and never
 * exits. What a _new/_open returned is released with the matching _free.
 */
#ifndef STRATA_H
#define STRATA_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STRATA_VERSION "0.1.0"

/* Status codes; they are also the command-line exit codes. */
#define STRATA_OK     0
#define STRATA_EFAIL  1 /* a failure, or a check that does not hold */
#define STRATA_EUSAGE 2 /* bad arguments */

#ifdef __cplusplus
}
#endif
#endif
