/*
 * shadow.c — schema.sql → a scratch database → catalog.
 *
 * SQLite's own parser is the only one that reads schema.sql exactly as the database
 * will, so the declared schema is executed for real in a throwaway database and then
 * read back with the same introspection as the live one. Statements run one at a time
 * (sqlite3_prepare_v2's tail pointer), so an error names the line it is on.
 *
 * The scratch database is SQLite's private temporary database (the empty file name),
 * not ":memory:": SQLite gives every table and index a page of its own even when
 * empty, and an in-memory database keeps them all (51 MB for 5,000 tables and their
 * indexes), while a temporary one keeps its page cache (about 2 MB) and lets the rest
 * go to a deleted file in the temporary directory, which is no slower. Where that file
 * cannot be written, the load is run again in memory.
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

/* A failure of the temporary file, not of schema.sql: the load is worth a second try
 * in memory. */
static int temp_file_failed(int code)
{
	code &= 0xff;
	return code == SQLITE_CANTOPEN || code == SQLITE_IOERR || code == SQLITE_FULL ||
	       code == SQLITE_READONLY || code == SQLITE_PERM;
}

/* Loads schema.sql into the scratch database `name` and reads it. *io is set when it
 * failed on the database's own file. */
static int shadow_load_in(const char *name, const char *schema_sql, const char *schema_path,
			  strata_catalog **out, int *io, strata_err *e)
{
	const char *path = schema_path ? schema_path : "schema.sql";
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = 0;
	*out = NULL;
	*io = 0;
	if (sqlite3_open_v2(name, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		*io = 1;
		rc = err_set(e, STRATA_EFAIL, "cannot open a scratch database: %s",
			     db ? sqlite3_errmsg(db) : "out of memory");
		goto done;
	}
	for (const char *p = schema_sql ? schema_sql : ""; *p;) {
		const char *tail = NULL;
		const char *start = statement_start(p);
		if (sqlite3_prepare_v2(db, p, -1, &st, &tail) != SQLITE_OK) {
			*io = temp_file_failed(sqlite3_extended_errcode(db));
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
			*io = temp_file_failed(sqlite3_extended_errcode(db));
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

/* Loads schema.sql into a scratch database and reads it; see sqlite_internal.h. */
int sqlite_shadow_load(const char *schema_sql, const char *schema_path, strata_catalog **out,
		       strata_err *e)
{
	int io = 0;
	int rc = shadow_load_in("", schema_sql, schema_path, out, &io, e);
	if (rc && io) {
		err_clear(e);
		rc = shadow_load_in(":memory:", schema_sql, schema_path, out, &io, e);
	}
	return rc;
}

/* The backend-table slot: the connection is not needed, the scratch database is new. */
int sqlite_load_shadow(strata_conn *c, const char *schema_sql, const char *schema_path,
		       strata_catalog **out, strata_err *e)
{
	(void)c;
	return sqlite_shadow_load(schema_sql, schema_path, out, e);
}
