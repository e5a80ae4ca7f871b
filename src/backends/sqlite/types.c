/*
 * types.c — SQLite's type rules for the diff: type affinity, and the rowid alias.
 *
 * A SQLite column holds any value whatever its declared type; the type only gives it an
 * affinity (lang_datatype3 §3.1), which converts some values as they are stored. A
 * change of declared type within one affinity keeps every value; a change of affinity,
 * or a shorter declared size, is flagged (as what other tools would enforce).
 */
#include "backends/sqlite/sqlite_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* SQLite's type affinity of a declared type (lang_datatype3 §3.1): 'I'nteger, 'T'ext,
 * 'B'lob, 'R'eal or 'N'umeric.  */
static char affinity(const char *type)
{
	char *u = xstrdup(type);
	for (char *p = u; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	char a = strstr(u, "int")						? 'I'
		 : (strstr(u, "char") || strstr(u, "clob") || strstr(u, "text")) ? 'T'
		 : (strstr(u, "blob") || !*u)					? 'B'
		 : (strstr(u, "real") || strstr(u, "floa") || strstr(u, "doub")) ? 'R'
									 : 'N';
	free(u);
	return a;
}

/* The first number in a type's parentheses ("VARCHAR(80)" → 80), or -1. */
static long type_size(const char *type)
{
	const char *p = strchr(type, '(');
	return p ? strtol(p + 1, NULL, 10) : -1;
}

/* See sqlite_internal.h. */
int sq_type_narrows(const char *a, const char *b)
{
	if (strata_name_eq(a, b, 1))
		return 0;
	char fa = affinity(a), fb = affinity(b);
	if (fb == 'B' && !*b)
		return 0;
	if (fa != fb)
		return 1;
	long sa = type_size(a), sb = type_size(b);
	return sb >= 0 && (sa < 0 || sb < sa);
}

/* See sqlite_internal.h. */
int sq_rowid_alias(const strata_table *t)
{
	if (t->without_rowid || t->pk.columns.n != 1)
		return 0;
	const strata_column *c = strata_table_column(t, t->pk.columns.v[0], 1);
	return c && strata_name_eq(c->type, "INTEGER", 1);
}
