/*
 * SQLite driver: connect, execute, lock, version tables, backup — over libsqlite3.
 *
 * Writers are serialised by SQLite itself: begin() is BEGIN IMMEDIATE, which takes
 * the write lock up front and waits up to the lock timeout (sqlite3_busy_timeout)
 * for another migrator, so two processes never interleave inside one revision.
 * lock() adds the run-wide migration lock (lock.c) that keeps a second migrator out
 * between the transactions of one run.
 */
#define _POSIX_C_SOURCE 200809L
#include "backends/sqlite/sqlite_internal.h"
#include "strata/backend.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define STMT_CACHE 8

struct strata_conn {
	sqlite3 *db;
	int borrowed;
	int lock_timeout_ms;
	char *path;
	char *version_table; /* strata_version unless configured */
	int lock_fd; /* the migration lock file while the run-wide lock is held, else -1 */
	/* Prepared statements of sq_query, reused by SQL text: a run of n revisions
	 * prepares its version and history statements once, not n times. Each is reset
	 * after use, so none holds a lock or a read transaction between uses. */
	struct {
		char *sql;
		sqlite3_stmt *st;
	} cache[STMT_CACHE];
	size_t cache_next;
};

sqlite3 *strata_sqlite_handle(strata_conn *c)
{
	return c->db;
}

const char *sqlite_version_table(strata_conn *c)
{
	return c->version_table;
}

/* The file path of a sqlite: URL (malloc'd), or NULL when it is not one. Both
 * strata's short forms and SQLAlchemy's are read: sqlite:rel.db, sqlite:/abs.db,
 * sqlite:///rel.db (three slashes: relative to the working directory, as SQLAlchemy
 * reads it), sqlite:////abs.db, and sqlite:// alone for an in-memory database. */
char *sqlite_url_path(const char *url)
{
	if (strncmp(url, "sqlite:", 7) != 0)
		return NULL;
	const char *p = url + 7;
	if (strcmp(p, "//") == 0)
		return xstrdup(":memory:");
	if (strncmp(p, "///", 3) == 0)
		p += 3; /* sqlite:///rel → rel, sqlite:////abs → /abs */
	else if (strncmp(p, "//", 2) == 0)
		p += 2; /* sqlite://rel → rel */
	if (!*p)
		return NULL;
	return xstrdup(p);
}

/* Fills e from the connection's last error, with the phrase users search for when
 * the database was locked. */
static int db_error(strata_conn *c, int rc, const char *what, strata_err *e)
{
	int code = rc & 0xff;
	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		return err_set(e, STRATA_ELOCKED,
			       "database is locked: another process held %s for more than %d ms%s%s",
			       c->path ? c->path : "the database", c->lock_timeout_ms,
			       what ? " while " : "", what ? what : "");
	return err_set(e, STRATA_EFAIL, "%s", sqlite3_errmsg(c->db));
}

static int sq_connect(strata_conn **out, const char *url, const strata_conn_opts *o,
		      strata_err *e)
{
	strata_conn *c = xcalloc(1, sizeof(*c));
	c->lock_timeout_ms = o && o->lock_timeout_ms > 0 ? o->lock_timeout_ms : 10000;
	c->version_table = xstrdup(o && o->version_table ? o->version_table : "strata_version");
	c->lock_fd = -1;
	*out = NULL;
	if (o && o->borrowed_handle) {
		c->db = o->borrowed_handle;
		c->borrowed = 1;
		const char *f = sqlite3_db_filename(c->db, "main");
		c->path = xstrdup(f && *f ? f : ":memory:");
	} else {
		c->path = sqlite_url_path(url);
		if (c->path && o && o->base_dir && c->path[0] != '/' &&
		    strcmp(c->path, ":memory:") != 0) {
			char *rebased = fs_join(o->base_dir, c->path);
			free(c->path);
			c->path = rebased;
		}
		if (!c->path) {
			free(c->version_table);
			free(c);
			return err_set(e, STRATA_EUSAGE, "not a SQLite URL: %s", url);
		}
		if (o && o->must_exist && strcmp(c->path, ":memory:") != 0 && !fs_exists(c->path)) {
			err_set(e, STRATA_EFAIL,
				"SQLite database %s does not exist (check the URL%s; `strata upgrade` "
				"creates it)", c->path,
				strncmp(url, "sqlite:///", 10) == 0 && url[10] != '/'
					? ": sqlite:///path is relative to the working directory, "
					  "sqlite:////path absolute"
					: "");
			free(c->path);
			free(c->version_table);
			free(c);
			return STRATA_EFAIL;
		}
		if (strcmp(c->path, ":memory:") != 0) {
			char *dir = fs_dirname(c->path);
			int rc = fs_is_dir(dir) ? 0 : fs_mkdirs(dir, e);
			free(dir);
			if (rc) {
				free(c->path);
				free(c->version_table);
				free(c);
				return rc;
			}
		}
		int rc = sqlite3_open_v2(c->path, &c->db,
					 SQLITE_OPEN_READWRITE |
						 (o && o->must_exist ? 0 : SQLITE_OPEN_CREATE),
					 NULL);
		if (rc != SQLITE_OK) {
			err_set(e, STRATA_EFAIL, "cannot open SQLite database %s: %s", c->path,
				c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
			sqlite3_close(c->db);
			free(c->path);
			free(c->version_table);
			free(c);
			return STRATA_EFAIL;
		}
		sqlite3_extended_result_codes(c->db, 1);
	}
	sqlite3_busy_timeout(c->db, c->lock_timeout_ms);
	*out = c;
	return 0;
}

static void sq_disconnect(strata_conn *c)
{
	if (!c)
		return;
	if (c->lock_fd >= 0)
		close(c->lock_fd);
	for (size_t i = 0; i < STMT_CACHE; i++) {
		sqlite3_finalize(c->cache[i].st);
		free(c->cache[i].sql);
	}
	if (!c->borrowed)
		sqlite3_close(c->db);
	free(c->path);
	free(c->version_table);
	free(c);
}

/* sqlite3_interrupt only sets a flag the running statement polls: the sqlite3 shell
 * calls it from its SIGINT handler too. */
static void sq_interrupt(strata_conn *c)
{
	if (c && c->db)
		sqlite3_interrupt(c->db);
}

/* The prepared statement for `sql` (its first statement), from the cache or prepared
 * and cached now; *st is NULL for SQL without a statement. Returns an SQLite code. */
static int prepare_cached(strata_conn *c, const char *sql, sqlite3_stmt **st)
{
	for (size_t i = 0; i < STMT_CACHE; i++)
		if (c->cache[i].sql && strcmp(c->cache[i].sql, sql) == 0) {
			*st = c->cache[i].st;
			return SQLITE_OK;
		}
	int rc = sqlite3_prepare_v2(c->db, sql, -1, st, NULL);
	if (rc != SQLITE_OK || !*st)
		return rc;
	size_t k = c->cache_next++ % STMT_CACHE;
	sqlite3_finalize(c->cache[k].st);
	free(c->cache[k].sql);
	c->cache[k].sql = xstrdup(sql);
	c->cache[k].st = *st;
	return SQLITE_OK;
}

/* Makes a cached statement ready for its next use: no row pending, no bindings. */
static void release_cached(sqlite3_stmt *st)
{
	if (!st)
		return;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static int sq_query(strata_conn *c, const char *sql, const char *const *params, size_t nparams,
		    strata_rows *out, strata_err *e)
{
	sqlite3_stmt *st = NULL;
	int rc = prepare_cached(c, sql, &st);
	if (rc != SQLITE_OK)
		return db_error(c, rc, NULL, e);
	for (size_t i = 0; i < nparams; i++)
		sqlite3_bind_text(st, (int)i + 1, params[i], -1, SQLITE_STATIC);
	size_t ncols = st ? (size_t)sqlite3_column_count(st) : 0;
	vec cells = { 0 };
	size_t nrows = 0;
	while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (out) {
			for (size_t j = 0; j < ncols; j++) {
				const unsigned char *t = sqlite3_column_text(st, (int)j);
				vec_push(&cells, t ? xstrdup((const char *)t) : NULL);
			}
		}
		nrows++;
	}
	if (st && rc != SQLITE_DONE) {
		db_error(c, rc, NULL, e);
		release_cached(st);
		for (size_t i = 0; i < cells.n; i++)
			free(cells.v[i]);
		vec_free(&cells);
		return STRATA_EFAIL;
	}
	release_cached(st);
	if (out) {
		out->nrows = nrows;
		out->ncols = ncols;
		out->cells = (char **)cells.v;
	}
	return 0;
}

static int sq_exec(strata_conn *c, const char *sql, strata_err *e)
{
	char *msg = NULL;
	int rc = sqlite3_exec(c->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		if ((rc & 0xff) == SQLITE_BUSY)
			db_error(c, rc, NULL, e);
		else
			err_set(e, STRATA_EFAIL, "%s", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return STRATA_EFAIL;
	}
	return 0;
}

static int sq_begin(strata_conn *c, strata_err *e)
{
	int rc = sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return db_error(c, rc, "waiting for the write lock", e);
	return 0;
}

static int sq_commit(strata_conn *c, strata_err *e)
{
	int rc = sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return db_error(c, rc, "committing", e);
	return 0;
}

static int sq_rollback(strata_conn *c, strata_err *e)
{
	if (sqlite3_get_autocommit(c->db))
		return 0; /* the failed statement already ended the transaction */
	int rc = sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return db_error(c, rc, "rolling back", e);
	return 0;
}

/* The run-wide migration lock (lock.c): held from the start of an upgrade,
 * downgrade or stamp to its end, across the transactions of its steps. */
static int sq_lock(strata_conn *c, strata_err *e)
{
	if (c->lock_fd >= 0)
		return 0;
	return sqlite_lock_file(sqlite3_db_filename(c->db, "main"), c->lock_timeout_ms, &c->lock_fd, e);
}

/* Releases the migration lock (closing the file releases it). */
static void sq_unlock(strata_conn *c)
{
	if (c->lock_fd >= 0)
		close(c->lock_fd);
	c->lock_fd = -1;
}

static int sq_user_tables(strata_conn *c, char ***names, size_t *n, strata_err *e)
{
	strata_rows r = { 0 };
	const char *p[1] = { c->version_table };
	int rc = sq_query(c,
			  "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
			  " AND name NOT IN ($1, 'strata_history') ORDER BY name",
			  p, 1, &r, e);
	if (rc)
		return rc;
	*names = r.cells;
	*n = r.nrows;
	return 0;
}

static int sq_table_exists(strata_conn *c, const char *name, int *exists, strata_err *e)
{
	/* A lookup in the schema SQLite loads anyway for the next statement, instead of a
	 * scan of sqlite_schema (thousands of rows in a large database). Anything but
	 * "found" asks the catalog, which tells a missing table from a failure. */
	if (sqlite3_table_column_metadata(c->db, "main", name, NULL, NULL, NULL, NULL, NULL, NULL) ==
	    SQLITE_OK) {
		*exists = 1;
		return 0;
	}
	strata_rows r = { 0 };
	const char *p[1] = { name };
	int rc = sq_query(c, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = $1", p, 1,
			  &r, e);
	if (rc)
		return rc;
	*exists = r.nrows > 0;
	strata_rows_free(&r);
	return 0;
}

static char *sq_table_name(strata_conn *c, const strata_conn_opts *o, const char *name)
{
	return xstrdup(name);
}

/* The version table is created as Alembic creates alembic_version (one
 * version_num column, the primary key), whatever its configured name. */
static void sq_version_ddl(strata_conn *c, const strata_conn_opts *o, buf *out)
{
	const char *vt = c ? c->version_table
			   : o && o->version_table ? o->version_table : "strata_version";
	buf_printf(out,
		 "CREATE TABLE IF NOT EXISTS %s (\n"
		 "    version_num VARCHAR(255) NOT NULL PRIMARY KEY\n"
		 ");\n", vt);
	buf_puts(out,
		 "CREATE TABLE IF NOT EXISTS strata_history (\n"
		 "    id INTEGER PRIMARY KEY,\n"
		 "    revision VARCHAR(255) NOT NULL,\n"
		 "    direction VARCHAR(8) NOT NULL,\n"
		 "    checksum CHAR(64),\n"
		 "    applied_at TEXT NOT NULL,\n"
		 "    duration_ms INTEGER NOT NULL DEFAULT 0,\n"
		 "    success INTEGER NOT NULL,\n"
		 "    statements_done INTEGER\n"
		 ");\n");
}

/* Online backup into a temporary file beside `path` (created by mkstemp and opened
 * without following links), then published under `path` without replacing anything
 * there: a reader never sees a half-copied backup, a planted symlink is never
 * written through, and a failed copy is removed. */
static int sq_backup(strata_conn *c, const char *path, strata_err *e)
{
	char *tmp = NULL;
	sqlite3 *dst = NULL;
	int rc = STRATA_EFAIL;
	if (fs_lexists(path)) {
		err_set(e, STRATA_EFAIL, "backup %s already exists", path);
		goto done;
	}
	int fd = fs_temp_beside(path, &tmp, e);
	if (fd < 0)
		goto done;
	close(fd);
	if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
		err_set(e, STRATA_EFAIL, "cannot create backup %s: %s", path,
			dst ? sqlite3_errmsg(dst) : "out of memory");
		goto done;
	}
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", c->db, "main");
	if (!b) {
		err_set(e, STRATA_EFAIL, "cannot back up to %s: %s", path, sqlite3_errmsg(dst));
		goto done;
	}
	int step = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (step != SQLITE_DONE) {
		err_set(e, STRATA_EFAIL, "backup to %s failed: %s", path, sqlite3_errstr(step));
		goto done;
	}
	if (sqlite3_close(dst) != SQLITE_OK) {
		err_set(e, STRATA_EFAIL, "backup to %s failed while closing", path);
		dst = NULL;
		goto done;
	}
	dst = NULL;
	if (fs_publish(tmp, path, e)) {
		err_prefix(e, "backup: ");
		goto done;
	}
	rc = 0;
done:
	if (dst)
		sqlite3_close(dst);
	if (rc && tmp)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* The default backup file: the database file's name with _backup_STAMP before its
 * extension (the backup_path slot). */
static char *sq_backup_path(const char *url, const char *stamp)
{
	/* The file as the backend reads the URL (sqlite:///rel.db is relative). */
	char *f = sqlite_url_path(url);
	if (!f || strcmp(f, ":memory:") == 0) {
		free(f);
		return NULL;
	}
	char *p;
	const char *dot = strrchr(f, '.');
	const char *slash = strrchr(f, '/');
	if (dot && (!slash || dot > slash))
		p = xasprintf("%.*s_backup_%s%s", (int)(dot - f), f, stamp, dot);
	else
		p = xasprintf("%s_backup_%s", f, stamp);
	free(f);
	return p;
}

/* SQLite ignores PRAGMA foreign_keys inside a transaction, so a table rebuild must
 * have enforcement switched off before BEGIN (or dropping a parent table cascades). */
static int sq_fk_pause_needed(const char *sql)
{
	return strstr(sql, "-- strata:rebuild") != NULL;
}

static int sq_fk_pause(strata_conn *c, int *was_on, strata_err *e)
{
	strata_rows rows = { 0 };
	int rc = sq_query(c, "PRAGMA foreign_keys", NULL, 0, &rows, e);
	*was_on = !rc && rows.nrows && rows.cells[0] && strcmp(rows.cells[0], "1") == 0;
	strata_rows_free(&rows);
	if (!rc && *was_on)
		rc = sq_exec(c, "PRAGMA foreign_keys = OFF", e);
	return rc;
}

static void sq_fk_resume(strata_conn *c, int was_on)
{
	if (was_on)
		sq_exec(c, "PRAGMA foreign_keys = ON", NULL);
}

/* 1 when the statement asks SQLite for foreign-key violations: strata fails the
 * revision when it returns any. */
static int sq_is_check(const char *sql)
{
	return strncasecmp(sql, "PRAGMA", 6) == 0 &&
	       strstr(sql, "foreign_key_check") != NULL;
}

static const char *const sq_schemes[] = { "sqlite:", NULL };

/* See strata_backend.lent_handle. */
static void **sq_lent_handle(strata_options *o)
{
	return &o->sqlite_handle;
}

const strata_backend strata_sqlite_backend = {
	.lent_handle = sq_lent_handle,
	.name = "sqlite",
	.schemes = sq_schemes,
	.url_forms = "sqlite:path.db, sqlite:///relative.db, sqlite:////absolute.db",
	.caps = STRATA_CAP_TRANSACTIONAL_DDL | STRATA_CAP_DROP_COLUMN,
	.dialect = STRATA_SQL_BODY_TRIGGER | STRATA_SQL_TRIGGER_DEFAULTS,
	.connect = sq_connect,
	.disconnect = sq_disconnect,
	.exec = sq_exec,
	.query = sq_query,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.lock = sq_lock,
	.unlock = sq_unlock,
	.user_tables = sq_user_tables,
	.table_exists = sq_table_exists,
	.table_name = sq_table_name,
	.version_ddl = sq_version_ddl,
	.backup = sq_backup,
	.backup_path = sq_backup_path,
	.url_path = sqlite_url_path,
	.fk_pause_needed = sq_fk_pause_needed,
	.fk_pause = sq_fk_pause,
	.fk_resume = sq_fk_resume,
	.is_check = sq_is_check,
	.scratch_copy = sqlite_scratch_copy,
	.scratch_sql = "PRAGMA synchronous = OFF;\n"
		       "PRAGMA journal_mode = MEMORY;\n"
		       "PRAGMA cache_size = -262144",
	.empty_url = "sqlite::memory:",
	.introspect = sqlite_introspect,
	.load_shadow = sqlite_load_shadow,
	.render = sqlite_render,
	.type_narrows = sq_type_narrows,
	.interrupt = sq_interrupt,
};
