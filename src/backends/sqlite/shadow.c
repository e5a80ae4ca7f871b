/*
 * shadow.c — schema.sql → a scratch in-memory database → catalog.
 *
 * SQLite's own parser is the only one that reads schema.sql exactly as the database
 * will, so the declared schema is executed for real in a throwaway database and then
 * read back with the same introspection as the live one. Statements run one at a time
 * (sqlite3_prepare_v2's tail pointer), so an error names the line it is on.
 */
#include "backends/sqlite/sqlite_internal.h"

#include <stdlib.h>
#include <string.h>

/* The 1-based line of `at` within `text`. */
static int line_of(const char *text, const char *at)
{
	int line = 1;
	for (const char *p = text; p < at && *p; p++)
		if (*p == '\n')
			line++;
	return line;
}

/* Where the next statement really starts: past whitespace and comments. */
static const char *statement_start(const char *s)
{
	strata_token t;
	strata_sql_next(s, &t);
	return t.type == STRATA_TOK_EOF ? s : t.p;
}

/* Loads schema.sql into a scratch database and reads it; see sqlite_internal.h. */
int sqlite_shadow_load(const char *schema_sql, const char *schema_path, strata_catalog **out,
		       strata_err *e)
{
	const char *path = schema_path ? schema_path : "schema.sql";
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = 0;
	*out = NULL;
	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		rc = err_set(e, STRATA_EFAIL, "cannot open a scratch database: %s",
			     db ? sqlite3_errmsg(db) : "out of memory");
		goto done;
	}
	for (const char *p = schema_sql ? schema_sql : ""; *p;) {
		const char *tail = NULL;
		const char *start = statement_start(p);
		if (sqlite3_prepare_v2(db, p, -1, &st, &tail) != SQLITE_OK) {
			int off = sqlite3_error_offset(db);
			const char *at = off >= 0 ? p + off : start;
			rc = err_set(e, STRATA_EFAIL, "%s:%d: %s", path, line_of(schema_sql, at),
				     sqlite3_errmsg(db));
			goto done;
		}
		if (!st) /* only whitespace and comments were left */
			break;
		int step;
		while ((step = sqlite3_step(st)) == SQLITE_ROW)
			;
		if (step != SQLITE_DONE) {
			rc = err_set(e, STRATA_EFAIL, "%s:%d: %s", path, line_of(schema_sql, start),
				     sqlite3_errmsg(db));
			goto done;
		}
		sqlite3_finalize(st);
		st = NULL;
		p = tail;
	}
	rc = sqlite_introspect_db(db, NULL, out, e);
	if (rc)
		err_prefix(e, "%s: ", path);
done:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

/* The backend-table slot: the connection is not needed, the scratch database is new. */
int sqlite_load_shadow(strata_conn *c, const char *schema_sql, const char *schema_path,
		       strata_catalog **out, strata_err *e)
{
	(void)c;
	return sqlite_shadow_load(schema_sql, schema_path, out, e);
}
