/*
 * sqlite_internal.h — what the SQLite backend's files share.
 *
 * driver.c connects, executes and locks; introspect.c reads a live database into a
 * catalog; shadow.c loads schema.sql into a scratch database and reads that; dialect.c
 * renders operations as SQLite SQL (see its header comment for the SQL contract with
 * the migration runner). The three `sqlite_*` functions without `_db` have exactly the
 * signatures of the backend table's introspect, load_shadow and render slots.
 */
#ifndef STRATA_SQLITE_INTERNAL_H
#define STRATA_SQLITE_INTERNAL_H

#include <sqlite3.h>

#include "schema/catalog.h"
#include "schema/diff.h"
#include "strata/backend.h"
#include "util/buf.h"
#include "util/err.h"

/* The file path of a sqlite: URL (malloc'd), or NULL when it is not one (driver.c;
 * the url_path slot). */
char *sqlite_url_path(const char *url);

/* verify's scratch copy: the scratch_copy slot (scratch.c). */
int sqlite_scratch_copy(strata_conn *c, const char *url, const char *dir, int with_data,
			strata_scratch *out, strata_err *e);

/* The native handle of a connection (driver.c). */
sqlite3 *strata_sqlite_handle(strata_conn *c);

/* Reads the user schema of `db`'s main database into a new catalog at *out (the
 * caller frees it). Leaves out SQLite's own objects (sqlite_*), virtual tables and
 * their shadow tables, and strata's version table (`version_table`, NULL for
 * strata_version) and strata_history. */
int sqlite_introspect_db(sqlite3 *db, const char *version_table, strata_catalog **out,
			 strata_err *e);
/* The connection's version table name. */
const char *sqlite_version_table(strata_conn *c);

/* Runs `schema_sql` statement by statement in a fresh in-memory database and reads it
 * into a new catalog at *out. A failing statement reports "PATH:LINE: message", PATH
 * being `schema_path` or "schema.sql". */
int sqlite_shadow_load(const char *schema_sql, const char *schema_path, strata_catalog **out,
		       strata_err *e);

/* Takes the run-wide migration lock of database file `db` (lock.c): *fd is the
 * open lock file to close for releasing it, or -1 when there is nothing to lock. */
int sqlite_lock_file(const char *db, int timeout_ms, int *fd, strata_err *e);

/* Backend-table slots. */
int sqlite_introspect(strata_conn *c, strata_catalog **out, strata_err *e);
int sqlite_load_shadow(strata_conn *c, const char *schema_sql, const char *schema_path,
		       strata_catalog **out, strata_err *e);
/* Renders `ops` as SQLite SQL, appending to `out`. */
int sqlite_render(const strata_oplist *ops, buf *out, strata_err *e);

/* The type-narrowing rule (strata_backend.type_narrows): a change of type affinity or
 * a smaller declared size (types.c). */
int sq_type_narrows(const char *from, const char *to);
/* Whether table t's lone INTEGER PRIMARY KEY column is an alias of its rowid. */
int sq_rowid_alias(const strata_table *t);

/* Appends `name` as a double-quoted identifier ("" doubling a quote). */
void sqlite_quote(buf *out, const char *name);
/* Appends the CREATE TABLE statement (ending ";\n") for `t` under the name `name`. */
void sqlite_render_create_table(buf *out, const strata_table *t, const char *name);
/* Appends the CREATE INDEX statement (ending ";\n") for `ix`. */
void sqlite_render_create_index(buf *out, const strata_index *ix);

#endif
