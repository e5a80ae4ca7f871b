/*
 * err: where a failing internal function leaves its message.
 * The library never prints; every layer fills a strata_err and returns a status.
 */
#ifndef STRATA_UTIL_ERR_H
#define STRATA_UTIL_ERR_H

#include "strata.h"

typedef struct strata_err {
	int code;  /* one of STRATA_E* from strata.h, 0 when clear */
	char *msg; /* malloc'd, or NULL */
} strata_err;

#define STRATA_ERR_INIT { 0, NULL }

/* Sets the error (replacing any earlier one) and returns `code`, so callers can
 * write `return err_set(e, STRATA_EFAIL, "…")`. `e` may be NULL. */
int err_set(strata_err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prefixes the current message with a formatted context ("file.sql:3: " …). */
void err_prefix(strata_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void err_clear(strata_err *e);
/* Moves src into dst (dst's previous message is freed). */
void err_move(strata_err *dst, strata_err *src);

#endif
