/*
 * strata/backend.h — the backend table, for backend implementers.
 *
 * A backend is a table of function pointers chosen by URL scheme. The core never
 * includes libsqlite3 or libpq: it reaches a database only through this table.
 * Rendering SQL needs no connection and lives in the dialect, so `--sql` offline
 * mode and golden-SQL tests work without a database.
 *
 * Every function returns 0 on success or a STRATA_E* status, and leaves its
 * message in the strata_err it was given (never printing).
 */
#ifndef STRATA_BACKEND_H
#define STRATA_BACKEND_H

#include <stddef.h>

#include "strata.h"

struct strata_err;
struct strata_catalog;  /* src/schema/catalog.h */
struct strata_oplist;   /* src/schema/diff.h */
struct buf;

typedef struct strata_conn strata_conn; /* defined by each backend */

/* Capability flags. */
#define STRATA_CAP_TRANSACTIONAL_DDL 0x1u /* DDL rolls back with the transaction */
#define STRATA_CAP_DROP_COLUMN       0x2u /* native ALTER TABLE … DROP COLUMN */
#define STRATA_CAP_ADVISORY_LOCK     0x4u /* a session lock held for the whole run */

/* Splitter dialects. */
#define STRATA_DIALECT_SQLITE   1
#define STRATA_DIALECT_POSTGRES 2

/* A result set: nrows × ncols cells, row-major; a cell is NULL for SQL NULL. */
typedef struct strata_rows {
	size_t nrows;
	size_t ncols;
	char **cells;
} strata_rows;

#define STRATA_ROWS_CELL(r, i, j) ((r)->cells[(i) * (r)->ncols + (j)])
void strata_rows_free(strata_rows *r);

typedef struct strata_conn_opts {
	int lock_timeout_ms;     /* how long to wait for another migrator (default 10000) */
	const char *version_schema; /* PostgreSQL: schema of the version tables, or NULL */
	/* Name of the version table (`version_table` in strata.ini; NULL: strata_version).
	 * `alembic_version` shares a Flask-Migrate database's table. The history table is
	 * always strata_history. */
	const char *version_table;
	void *borrowed_handle;   /* an already open native handle (sqlite3 *), not closed */
	/* The database is the configured shadow database (shadow_database = URL), which
	 * strata empties on every use: load_shadow loads schema.sql into it instead of
	 * creating a temporary database. */
	int shadow;
	/* The caller only reads: a database that does not exist is an error (SQLite:
	 * no file or directory is created). */
	int must_exist;
	/* The directory a relative file path in the URL is relative to (the URL came
	 * from a strata.ini in another directory), or NULL for the working directory. */
	const char *base_dir;
} strata_conn_opts;

typedef struct strata_backend {
	const char *name;   /* "sqlite", "postgresql" */
	unsigned caps;
	int dialect;        /* STRATA_DIALECT_* for the splitter */

	/* Opens a connection for `url` (the full URL as the user wrote it). */
	int (*connect)(strata_conn **out, const char *url, const strata_conn_opts *opts,
		       struct strata_err *e);
	void (*disconnect)(strata_conn *c);

	/* Runs one statement, discarding any rows. */
	int (*exec)(strata_conn *c, const char *sql, struct strata_err *e);
	/* Runs one statement with text parameters $1..$n and returns all rows as text. */
	int (*query)(strata_conn *c, const char *sql, const char *const *params, size_t nparams,
		     strata_rows *out, struct strata_err *e);

	/* Transactions. begin() takes the database's write lock where that is how the
	 * database serialises writers (SQLite: BEGIN IMMEDIATE with the busy timeout). */
	int (*begin)(strata_conn *c, struct strata_err *e);
	int (*commit)(strata_conn *c, struct strata_err *e);
	int (*rollback)(strata_conn *c, struct strata_err *e);

	/* The migration lock for a whole run (PostgreSQL: pg_advisory_lock); may be NULL. */
	int (*lock)(strata_conn *c, struct strata_err *e);
	void (*unlock)(strata_conn *c);

	/* Names of the user's tables (not strata's own, not the system's), sorted. */
	int (*user_tables)(strata_conn *c, char ***names, size_t *n, struct strata_err *e);
	/* Whether the named strata table exists (in the version schema). */
	int (*table_exists)(strata_conn *c, const char *name, int *exists, struct strata_err *e);

	/* Qualified, quoted name of a strata table ("strata_version" or
	 * "public"."strata_version"), malloc'd. With a NULL connection (offline --sql),
	 * `o` gives the version schema. */
	char *(*table_name)(strata_conn *c, const strata_conn_opts *o, const char *name);
	/* DDL creating the version and history tables if absent (may be several
	 * statements separated by ";\n"). With a NULL connection (offline --sql), `o`
	 * gives the version schema and table. */
	void (*version_ddl)(strata_conn *c, const strata_conn_opts *o, struct buf *out);

	/* Copies the database to `path` (mode 0600); may be NULL. */
	int (*backup)(strata_conn *c, const char *path, struct strata_err *e);

	/* Autogenerate: read the live schema, load a declared schema into a scratch
	 * database and read it, render operations as SQL. Filled by src/schema. */
	int (*introspect)(strata_conn *c, struct strata_catalog **out, struct strata_err *e);
	int (*load_shadow)(strata_conn *c, const char *schema_sql, const char *schema_path,
			   struct strata_catalog **out, struct strata_err *e);
	int (*render)(const struct strata_oplist *ops, struct buf *out, struct strata_err *e);
} strata_backend;

/* Picks the backend for a URL, or NULL when the scheme is unknown. */
const strata_backend *strata_backend_for_url(const char *url);

extern const strata_backend strata_sqlite_backend;
extern const strata_backend strata_postgres_backend;

#endif
