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
 *
 * Adding a backend (src/backends/README.md): one folder src/backends/NAME/ filling a
 * `const strata_backend strata_NAME_backend`, its extern below, and one line in the
 * registration table strata_backends[] (src/backends/registry.c). Everything the core needs
 * to know about a database is a hook, a data field or a STRATA_CAP_* bit here: the
 * core never tests which backend it holds. This header compiles on its own
 * (tests/header/backend_alone.c); the catalog and operation types it names are those
 * of src/schema/.
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

/* A backend's type-narrowing rule (strata_backend.type_narrows): 1 when changing a
 * column's type from `from` to `to` may change or reject a stored value. */
typedef int (*strata_type_narrows_fn)(const char *from, const char *to);

/* Capability flags. */
#define STRATA_CAP_TRANSACTIONAL_DDL 0x1u /* DDL rolls back with the transaction */
#define STRATA_CAP_DROP_COLUMN       0x2u /* native ALTER TABLE … DROP COLUMN */
#define STRATA_CAP_ADVISORY_LOCK     0x4u /* a session lock held for the whole run */

#define STRATA_CAP_SCHEMAS           0x8u /* user_tables may name "schema.table" */
#define STRATA_CAP_SHADOW_DATABASE   0x10u /* load_shadow can load into a configured
					    * shadow database (strata_conn_opts.shadow) */

/*
 * The statement splitter's rules for a backend's SQL text (strata_backend.dialect).
 * Every dialect knows '…' strings with doubled quotes, "…" identifiers, -- and slash-star
 * comments, and cuts at ';'. Exactly one STRATA_SQL_BODY_* rule says when a ';' belongs
 * to a body instead of ending the statement; a flag word without exactly one is an
 * unknown dialect. A body rule with no other flag takes its family's lexical flags
 * (STRATA_SQL_*_DEFAULTS), so STRATA_DIALECT_SQLITE is 1 and STRATA_DIALECT_POSTGRES 2.
 */
#define STRATA_SQL_BODY_TRIGGER    0x01u /* sqlite3_complete(): CREATE TRIGGER runs to "; END;" */
#define STRATA_SQL_BODY_BLOCKS     0x02u /* psql: no cut inside (…), nor inside BEGIN … END
					  * of CREATE [OR REPLACE] FUNCTION|PROCEDURE */
#define STRATA_SQL_BODY_ROUTINES   0x80u /* the mariadb client: DELIMITER lines, and no cut
					  * inside BEGIN … END, LOOP, WHILE, REPEAT, CASE, IF …
					  * END of CREATE PROCEDURE|FUNCTION|TRIGGER|EVENT */
#define STRATA_SQL_BODY_MASK       0x83u
#define STRATA_SQL_BRACKET_IDENTS  0x04u /* [ident] quotes an identifier */
#define STRATA_SQL_BACKTICK_IDENTS 0x08u /* `ident` quotes an identifier */
#define STRATA_SQL_DOLLAR_QUOTES   0x10u /* $$…$$ and $tag$…$tag$ strings, $1 parameters;
					  * a word starts with a letter, '_' or a byte >= 0x80
					  * (without it: runs of letters, digits, '_', '$') */
#define STRATA_SQL_E_STRINGS       0x20u /* E'…' strings with backslash escapes */
#define STRATA_SQL_NESTED_COMMENTS 0x40u /* slash-star comments nest */
#define STRATA_SQL_BACKSLASH_STRINGS 0x100u /* '…' and "…" are strings with backslash
					    * escapes */
#define STRATA_SQL_HASH_COMMENTS   0x200u /* # comments; -- needs a space after it; slash-
					  * star-bang (executable) comments are text */
#define STRATA_SQL_ALL             0x3ffu /* every flag this version knows */

#define STRATA_SQL_TRIGGER_DEFAULTS (STRATA_SQL_BRACKET_IDENTS | STRATA_SQL_BACKTICK_IDENTS)
#define STRATA_SQL_BLOCK_DEFAULTS \
	(STRATA_SQL_DOLLAR_QUOTES | STRATA_SQL_E_STRINGS | STRATA_SQL_NESTED_COMMENTS)
#define STRATA_SQL_ROUTINE_DEFAULTS \
	(STRATA_SQL_BACKTICK_IDENTS | STRATA_SQL_BACKSLASH_STRINGS | STRATA_SQL_HASH_COMMENTS)

/* The built-in dialects (SQLite's and psql's splitting), as tests and tools name them. */
#define STRATA_DIALECT_SQLITE   1 /* STRATA_SQL_BODY_TRIGGER | STRATA_SQL_TRIGGER_DEFAULTS */
#define STRATA_DIALECT_POSTGRES 2 /* STRATA_SQL_BODY_BLOCKS | STRATA_SQL_BLOCK_DEFAULTS */
#define STRATA_DIALECT_MYSQL    (STRATA_SQL_BODY_ROUTINES | STRATA_SQL_ROUTINE_DEFAULTS) /* the mariadb client */

/* One statement cut by strata_split(). */
typedef struct strata_stmt {
	char *sql; /* malloc'd statement text, trimmed of surrounding whitespace, without the final ';' */
	int line;  /* 1-based line (counting from first_line) where the statement's first token starts */
} strata_stmt;

typedef struct strata_stmtlist {
	strata_stmt *v;
	size_t n, cap;
} strata_stmtlist;

/* Splits `len` bytes of `sql` by the rules of `dialect` (a STRATA_SQL_* flag word, e.g. a
 * backend's dialect) and appends the statements to `out`, which must start zeroed ({0})
 * or hold earlier results. `first_line` is the line number of sql[0]; lines are counted on
 * '\n', so CRLF input counts right. Returns 0, or STRATA_EFAIL with "line N: unterminated
 * …" in `e` (N is where the string, identifier, comment or dollar quote began; the caller
 * prefixes the file name), or "unknown SQL dialect N" for a flag word without exactly one
 * STRATA_SQL_BODY_* rule. On failure `out` holds the statements it held before, and no
 * array if it owned none. See src/core/split.h for the rules in detail. */
int strata_split(const char *sql, size_t len, unsigned dialect, int first_line,
		 strata_stmtlist *out, struct strata_err *e);

/* Frees every statement and the array, leaving `l` zeroed and reusable. */
void strata_stmtlist_free(strata_stmtlist *l);

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

/* verify's scratch copy of a database, as a backend's scratch_copy made it. */
typedef struct strata_scratch {
	char *url;       /* malloc'd: the copy's URL, opened like any other */
	char *how;       /* malloc'd: how it was made, for the report */
	char *name;      /* malloc'd: what scratch_drop removes (a temporary database), or NULL */
	int schema_only; /* the copy holds no rows, the version table's included */
} strata_scratch;

typedef struct strata_backend {
	const char *name;   /* "sqlite", "postgresql", "mysql": what STRATA_DIALECT holds */
	/* URL prefixes this backend serves, NULL-terminated ("sqlite:", "postgresql://"). A
	 * URL is served when it starts with one; a prefix ending in ':' also needs something
	 * after it. */
	const char *const *schemes;
	/* The URL forms it accepts, for the unsupported-URL message ("sqlite:path.db, …"). */
	const char *url_forms;
	unsigned caps;      /* STRATA_CAP_* */
	unsigned dialect;   /* STRATA_SQL_* flag word for the splitter */

	/* Opens a connection for `url` (the full URL as the user wrote it). */
	int (*connect)(strata_conn **out, const char *url, const strata_conn_opts *opts,
		       struct strata_err *e);
	void (*disconnect)(strata_conn *c);

	/* Runs one statement, discarding any rows. */
	int (*exec)(strata_conn *c, const char *sql, struct strata_err *e);
	/* Runs one statement with text parameters $1..$n and returns all rows as text. */
	int (*query)(strata_conn *c, const char *sql, const char *const *params, size_t nparams,
		     strata_rows *out, struct strata_err *e);
	/* Like query for a write that returns no rows, which may wait to go in one request
	 * with whatever is sent next on c (at the latest at disconnect); it must run before
	 * that and, when it fails, keep it from running and fail it with its own error.
	 * The runner writes a non-atomic revision's progress row between two statements
	 * with it. NULL: query is used. */
	int (*query_later)(strata_conn *c, const char *sql, const char *const *params,
			   size_t nparams, struct strata_err *e);

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

	/* The default file for `strata backup` without a path: malloc'd name built from
	 * `url` and `stamp` ("20260131_120000"), or NULL for strata_backup_STAMP.dump. May
	 * be NULL. */
	char *(*backup_path)(const char *url, const char *stamp);
	/* The file a URL names, for backends that keep a database in one file: malloc'd
	 * path (":memory:" for an in-memory database), or NULL. verify reads it so as not
	 * to create a database that does not exist yet. May be NULL. */
	char *(*url_path)(const char *url);

	/* Foreign keys around a revision (all three may be NULL: nothing to do).
	 * fk_pause_needed: whether a section of SQL needs enforcement off around its
	 * transaction (SQLite ignores PRAGMA foreign_keys inside one, so a table rebuild,
	 * marked `-- strata:rebuild`, must have it off before BEGIN). fk_pause switches
	 * enforcement off and sets *paused when it was on; fk_resume switches it back on
	 * when `paused`. */
	int (*fk_pause_needed)(const char *sql);
	int (*fk_pause)(strata_conn *c, int *paused, struct strata_err *e);
	void (*fk_resume)(strata_conn *c, int paused);
	/* Whether statement `sql` is a check whose result rows are violations (SQLite:
	 * PRAGMA foreign_key_check): the runner fails the revision when it returns any,
	 * naming the first row's first cell as the table. May be NULL. */
	int (*is_check)(const char *sql);

	/* verify: copies the live database (connection `c` on `url`; `url` may be NULL
	 * for a borrowed handle) into a new one, as a file in `dir` (a private temporary
	 * directory the core removes afterwards) or a temporary database on the same
	 * server; with `with_data` 0 a schema-only copy is enough. `c` is NULL when
	 * url_path named a file that does not exist yet: the copy is a new empty database.
	 * Fills *out. May be NULL: verify reports that it cannot copy. */
	int (*scratch_copy)(strata_conn *c, const char *url, const char *dir, int with_data,
			    strata_scratch *out, struct strata_err *e);
	/* Removes what scratch_copy made outside `dir` (out->name), through the live
	 * connection once the copy's own is closed. May be NULL. */
	int (*scratch_drop)(strata_conn *c, const strata_scratch *sc, struct strata_err *e);
	/* Statements run on the copy once it is open, errors ignored: the copy is thrown
	 * away, so nothing it writes needs to survive a crash. NULL: none. */
	const char *scratch_sql;
	/* A query listing, one name per row, the temporary databases strata makes on the
	 * server (strata_shadow_*, strata_verify_*) that no session uses: leftovers of a
	 * strata that was killed. `strata doctor` lists them; --fix drops each through
	 * scratch_drop. NULL: the backend makes none. */
	const char *scratch_list_sql;
	/* A query returning one cell that names the connected database as the server
	 * knows it (its name, and what tells servers apart), whatever the URL's spelling:
	 * the shadow database must not be the live one. NULL: URLs are compared. */
	const char *identity_sql;
	/* An empty database of this kind that connect opens without a server ("schema
	 * diff --from-empty"): its URL, or NULL when load_shadow's database starts empty. */
	const char *empty_url;

	/* Autogenerate: read the live schema, load a declared schema into a scratch
	 * database and read it, render operations as SQL. Filled by src/schema. */
	int (*introspect)(strata_conn *c, struct strata_catalog **out, struct strata_err *e);
	int (*load_shadow)(strata_conn *c, const char *schema_sql, const char *schema_path,
			   struct strata_catalog **out, struct strata_err *e);
	int (*render)(const struct strata_oplist *ops, struct buf *out, struct strata_err *e);
	/* Whether changing a column's type from `from` to `to` (as introspect writes types)
	 * may change or reject values already stored: the diff then puts a `-- WARNING:`
	 * above the change. introspect and load_shadow set it on the catalogs they make
	 * (strata_catalog.type_narrows), so the diff needs no backend. NULL: every change
	 * of type is flagged. */
	strata_type_narrows_fn type_narrows;

	/* Without STRATA_CAP_TRANSACTIONAL_DDL: 1 when statement `sql` commits the open
	 * transaction by itself (MariaDB's DDL), so a revision holding one cannot roll
	 * back as a whole and runs statement by statement with its progress recorded
	 * (strata_history.statements_done). NULL: no statement does. */
	int (*implicit_commit)(const char *sql);

	/* The clause that makes "UPDATE strata_history SET …" update only the newest row
	 * (the run's own, under the run lock), e.g. " ORDER BY id DESC LIMIT 1" where a
	 * subquery may not read the table being updated. NULL: " WHERE id = (SELECT
	 * MAX(id) FROM strata_history)". */
	const char *history_newest;

	/* Cancels the statement running on `c`, if any: it then fails. Called from a
	 * signal handler or another thread, so it must be async-signal-safe; may be NULL. */
	void (*interrupt)(strata_conn *c);

	/* The field of the options where an application lends this backend an open native
	 * handle (strata_options.sqlite_handle, .pg_handle): strata uses it instead of a
	 * URL and never closes it (it reaches connect as strata_conn_opts.borrowed_handle).
	 * NULL: the backend takes no lent handle. */
	void **(*lent_handle)(struct strata_options *o);
} strata_backend;

/* The URL with its password masked (user:***@, password=***), for messages; malloc'd. */
char *strata_url_mask(const char *url);
/* s[0..n) (a URL component) %XX-decoded, malloc'd; a '%' not followed by two hex
 * digits stays as it is. */
char *strata_url_decode(const char *s, size_t n);

/* Every backend, NULL-terminated, in the order URLs are matched: the registration
 * table in src/backends/registry.c. */
extern const strata_backend *const strata_backends[];

/* The library's database when none is configured, and the URL `strata init` writes into
 * a new strata.ini (src/backends/registry.c). */
extern const char strata_default_url[];
extern const char strata_init_url[];

/* Picks the backend for a URL from strata_backends, or NULL when no backend serves it. */
const strata_backend *strata_backend_for_url(const char *url);

/* The built-in backends (src/backends/). */
extern const strata_backend strata_sqlite_backend;
extern const strata_backend strata_postgres_backend;
extern const strata_backend strata_mariadb_backend;

#endif
