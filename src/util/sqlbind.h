/*
 * sqlbind: a statement with $1..$n parameters turned into one with the values written
 * in it as literals, for drivers that send several statements in one request (where
 * the protocol takes no parameters). The driver quotes each value (its client
 * library's escaping for the connection's character set).
 */
#ifndef STRATA_UTIL_SQLBIND_H
#define STRATA_UTIL_SQLBIND_H

#include "util/buf.h"

#include <stddef.h>

/* Appends the literal for non-NULL value `v` (quotes included) to out. */
typedef void (*sqlbind_quote)(void *ctx, const char *v, buf *out);

/* Appends `sql` to out with $1..$n replaced by quote()'s literals (NULL parameters as
 * NULL). Text inside '…', "…" and `…` is copied as it is; with `backslash`, a
 * backslash inside them escapes the next character (MariaDB's strings), otherwise not
 * (standard SQL, PostgreSQL). A $k beyond n is copied as it is. */
void sqlbind(buf *out, const char *sql, const char *const *params, size_t n, int backslash,
	     sqlbind_quote quote, void *ctx);

#endif
