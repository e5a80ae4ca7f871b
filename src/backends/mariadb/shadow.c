/*
 * shadow.c — schema.sql → a shadow database → catalog.
 *
 * As for PostgreSQL, only the server reads schema.sql exactly as it will read a
 * revision, so the declared schema is executed for real:
 *
 *  - by default in a database strata_shadow_<pid>_<random> created on the same server
 *    with the live database's character set and collation (so defaults compare
 *    equal), always dropped again, also on error (this needs the CREATE and DROP
 *    privileges on it);
 *  - or, when strata.ini sets `shadow_database = URL`, in that database: its tables,
 *    views and routines are dropped before and after, and a database holding a
 *    strata_version table is refused rather than emptied.
 *
 * The same session does the work: USE switches to the shadow database and back, so
 * no second connection is opened. Statements are cut with the MariaDB splitter
 * (DELIMITER and routine bodies included) and run one at a time, so a failure names
 * schema.sql's line.
 */
#define _POSIX_C_SOURCE 200809L
#include "backends/mariadb/mariadb_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* USE `db`. */
static int use_db(strata_conn *c, const char *db, strata_err *e)
{
	buf b = BUF_INIT;
	buf_puts(&b, "USE ");
	my_quote(&b, db);
	int rc = my_exec(c, b.ptr, e);
	buf_free(&b);
	return rc;
}

/* Runs schema.sql statement by statement in the current database. */
static int load(strata_conn *c, const char *schema_sql, const char *path, strata_err *e)
{
	strata_stmtlist l = { 0 };
	int rc = 0;
	if (strata_split(schema_sql, strlen(schema_sql), STRATA_DIALECT_MYSQL, 1, &l, e)) {
		err_prefix(e, "%s: ", path);
		return STRATA_EFAIL;
	}
	for (size_t i = 0; i < l.n && !rc; i++)
		if ((rc = my_exec(c, l.v[i].sql, e)))
			err_prefix(e, "%s:%d: ", path, l.v[i].line);
	strata_stmtlist_free(&l);
	return rc;
}

/* Drops every table, view and routine of the configured shadow database `db`, after
 * checking that it holds no strata_version table. */
static int empty_db(strata_conn *c, const char *db, strata_err *e)
{
	strata_rows r = { 0 };
	const char *p[1] = { db };
	int rc = my_query(c,
			  "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = $1"
			  " UNION ALL SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES"
			  " WHERE ROUTINE_SCHEMA = $1",
			  p, 1, &r, e);
	for (size_t i = 0; !rc && i < r.nrows; i++)
		if (STRATA_ROWS_CELL(&r, i, 0) && strcmp(STRATA_ROWS_CELL(&r, i, 0), "strata_version") == 0)
			rc = err_set(e, STRATA_EFAIL,
				     "shadow database \"%s\" holds a strata_version table: it looks like a "
				     "migrated database, and a shadow database is emptied on every use; point "
				     "shadow_database at a database of its own", db);
	if (!rc)
		rc = my_exec(c, "SET FOREIGN_KEY_CHECKS = 0", e);
	for (size_t i = 0; !rc && i < r.nrows; i++) {
		const char *name = STRATA_ROWS_CELL(&r, i, 0), *type = STRATA_ROWS_CELL(&r, i, 1);
		if (!name || !type)
			continue;
		buf b = BUF_INIT;
		buf_printf(&b, "DROP %s ", strcmp(type, "VIEW") == 0 ? "VIEW"
					   : strcmp(type, "PROCEDURE") == 0 ? "PROCEDURE"
					   : strcmp(type, "FUNCTION") == 0 ? "FUNCTION" : "TABLE");
		my_quote(&b, db);
		buf_putc(&b, '.');
		my_quote(&b, name);
		rc = my_exec(c, b.ptr, e);
		buf_free(&b);
	}
	my_exec(c, "SET FOREIGN_KEY_CHECKS = 1", NULL);
	strata_rows_free(&r);
	if (rc)
		err_prefix(e, "cannot empty the shadow database: ");
	return rc;
}

int my_create_db_like(strata_conn *c, const char *name, const char *like, strata_err *e)
{
	strata_rows r = { 0 };
	buf sql = BUF_INIT;
	const char *p[1] = { like };
	int rc = my_query(c,
			  "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME"
			  " FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = $1",
			  p, 1, &r, e);
	if (!rc) {
		buf_puts(&sql, "CREATE DATABASE ");
		my_quote(&sql, name);
		if (r.nrows == 1 && STRATA_ROWS_CELL(&r, 0, 0) && STRATA_ROWS_CELL(&r, 0, 1))
			buf_printf(&sql, " CHARACTER SET %s COLLATE %s", STRATA_ROWS_CELL(&r, 0, 0),
				   STRATA_ROWS_CELL(&r, 0, 1));
		rc = my_exec(c, sql.ptr, e);
	}
	strata_rows_free(&r);
	buf_free(&sql);
	return rc;
}

int my_drop_db(strata_conn *c, const char *name, strata_err *e)
{
	buf sql = BUF_INIT;
	buf_puts(&sql, "DROP DATABASE IF EXISTS ");
	my_quote(&sql, name);
	int rc = my_exec(c, sql.ptr, e);
	buf_free(&sql);
	return rc;
}

/* Loads schema.sql into a shadow database and reads it; see the header comment. */
int my_load_shadow(strata_conn *c, const char *schema_sql, const char *schema_path,
		   strata_catalog **out, strata_err *e)
{
	const char *path = schema_path ? schema_path : "schema.sql";
	const char *live = strata_my_database(c);
	buf name = BUF_INIT;
	int rc, created = 0, moved = 0;
	*out = NULL;
	if (strata_my_is_shadow(c)) {
		rc = empty_db(c, live, e);
		if (!rc && !(rc = load(c, schema_sql, path, e)))
			rc = my_introspect_db(c, live, NULL, out, e);
		strata_err e2 = STRATA_ERR_INIT;
		if (empty_db(c, live, &e2) && !rc)
			rc = err_set(e, e2.code, "%s", e2.msg);
		err_clear(&e2);
		return rc;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	unsigned long rnd = (unsigned long)ts.tv_nsec ^ ((unsigned long)ts.tv_sec << 7);
	buf_printf(&name, "strata_shadow_%ld_%06lx", (long)getpid(), rnd & 0xffffffUL);
	if ((rc = my_create_db_like(c, name.ptr, live, e))) {
		err_prefix(e, "cannot create a shadow database to load %s (set shadow_database = URL "
			      "in strata.ini to a database strata may empty): ", path);
		goto done;
	}
	created = 1;
	if ((rc = use_db(c, name.ptr, e)))
		goto done;
	moved = 1;
	if ((rc = load(c, schema_sql, path, e)))
		goto done;
	rc = my_introspect_db(c, name.ptr, NULL, out, e);
done:
	if (moved) {
		strata_err e2 = STRATA_ERR_INIT;
		if (use_db(c, live, &e2) && !rc)
			rc = err_set(e, e2.code, "%s", e2.msg);
		err_clear(&e2);
	}
	if (created) {
		strata_err e2 = STRATA_ERR_INIT;
		if (my_drop_db(c, name.ptr, &e2) && !rc)
			rc = err_set(e, e2.code, "cannot drop the shadow database: %s", e2.msg);
		err_clear(&e2);
	}
	if (rc && *out) {
		strata_catalog_free(*out);
		*out = NULL;
	}
	buf_free(&name);
	return rc;
}
