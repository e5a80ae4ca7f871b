/*
 * MariaDB/MySQL driver: connect, execute, lock, version tables, backup — over
 * libmariadb (loaded at the first connection, see mdb.h).
 *
 * DDL is not transactional here: every CREATE, ALTER, DROP, RENAME or TRUNCATE
 * commits the open transaction and itself at once. The backend therefore leaves out
 * STRATA_CAP_TRANSACTIONAL_DDL and names, through implicit_commit, the statements that
 * commit on their own; the runner records a non-atomic revision's progress per
 * statement in strata_history.statements_done so a failure can be resumed honestly.
 *
 * Migrators are serialised by GET_LOCK, a named lock of the session held for the whole
 * run and released by RELEASE_LOCK or when the session ends (a killed strata holds
 * nothing). Its name is derived from the database and version table, so two projects
 * in different databases of one server do not wait for each other.
 *
 * Parameters ($1..$n) are sent as quoted literals escaped by the client library for
 * the connection's character set (utf8mb4): every value strata sends is text.
 *
 * Round trips: inside a transaction, START TRANSACTION and every parameterised write
 * that returns no rows (strata's version and history rows) wait in `pending` and go
 * to the server with the COMMIT, as one multi-statement request; anything else sent
 * first flushes them. The server stops a multi-statement request at its first error,
 * so a failing write is reported by the commit and the transaction rolls back. A
 * step's bookkeeping thus costs one round trip instead of five. Outside a transaction,
 * the runner's progress row between two statements of a revision (query_later) goes
 * in the same request as the next statement, ahead of it.
 */
#define _POSIX_C_SOURCE 200809L
#include "backends/mariadb/mariadb_internal.h"
#include "util/fs.h"
#include "util/proc.h"
#include "util/sqlbind.h"
#include "util/vec.h"

#include <ctype.h>
#include <pthread.h>
#include <signal.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define HISTORY "strata_history"

struct strata_conn {
	MYSQL *my;
	my_url url;
	int lock_timeout_ms;
	char *version_table; /* strata_version unless configured */
	char *lock_name;     /* GET_LOCK name for this database's version table */
	int tables_ok;       /* the version tables were seen to exist: no more DDL */
	int locked;
	int shadow;          /* opened as the configured shadow database */
	unsigned long thread_id; /* the session's id, for KILL QUERY */
	int wake[2];         /* my_interrupt writes 'k' here, my_disconnect 'q' */
	int in_tx;           /* my_begin was called; no COMMIT/ROLLBACK since */
	buf pending;         /* deferred statements, ';'-separated: see flush */
	size_t later;        /* how many of them my_query_later queued outside a transaction */
	pthread_t watcher;   /* reads wake[0]; see my_interrupt */
	int watching;
};

MYSQL *strata_my_handle(strata_conn *c)
{
	return c->my;
}

const char *strata_my_database(strata_conn *c)
{
	return c->url.database;
}

const char *strata_my_version_table(strata_conn *c)
{
	return c->version_table;
}

const my_url *strata_my_url(strata_conn *c)
{
	return &c->url;
}

int strata_my_is_shadow(strata_conn *c)
{
	return c->shadow;
}

void my_quote(buf *out, const char *name)
{
	buf_putc(out, '`');
	for (const char *p = name; *p; p++) {
		if (*p == '`')
			buf_putc(out, '`');
		buf_putc(out, *p);
	}
	buf_putc(out, '`');
}

void my_quote_string(buf *out, const char *s)
{
	buf_putc(out, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			buf_putc(out, '\'');
		else if (*p == '\\')
			buf_putc(out, '\\');
		buf_putc(out, *p);
	}
	buf_putc(out, '\'');
}

/* Fills e with the server's (or the client library's) last error: message, error
 * number and SQLSTATE. */
static int my_error(strata_conn *c, strata_err *e)
{
	unsigned no = mysql_errno(c->my);
	const char *msg = mysql_error(c->my);
	if (no == 2006 || no == 2013) /* CR_SERVER_GONE_ERROR, CR_SERVER_LOST */
		return err_set(e, STRATA_EFAIL, "lost the connection to MariaDB: %s", msg);
	return err_set(e, STRATA_EFAIL, "%s (error %u, SQLSTATE %s)", msg && *msg ? msg : "request failed",
		       no, mysql_sqlstate(c->my));
}

/* A value as a quoted literal, escaped by the client library for the connection's
 * character set (sqlbind_quote). */
static void quote_value(void *ctx, const char *v, buf *out)
{
	strata_conn *c = ctx;
	size_t n = strlen(v);
	char *esc = xmalloc(2 * n + 1);
	unsigned long m = mysql_real_escape_string(c->my, esc, v, (unsigned long)n);
	buf_putc(out, '\'');
	buf_add(out, esc, m);
	buf_putc(out, '\'');
	free(esc);
}

/* Appends `sql` to out with $1..$n replaced by the quoted, escaped parameters. */
static void bind_params(strata_conn *c, const char *sql, const char *const *params,
			size_t nparams, buf *out)
{
	sqlbind(out, sql, params, nparams, 1, quote_value, c);
}

/* The error of the statement at index `at` of the request being sent: my_error's, and
 * when that statement is one my_query_later queued, said to be strata's progress row,
 * not the statement the request carried after it (which then did not run). */
static int later_error(strata_conn *c, size_t at, strata_err *e)
{
	int rc = my_error(c, e);
	if (at < c->later)
		err_prefix(e, "recording progress in " HISTORY " (the next statement did not run): ");
	return rc;
}

/* Sends `sql` and consumes every result it produces; with `out`, the first result set
 * is kept there as text. */
static int run(strata_conn *c, const char *sql, size_t len, strata_rows *out, strata_err *e)
{
	int kept = 0;
	size_t at = 0; /* the statement whose result comes next */
	if (mysql_real_query(c->my, sql, (unsigned long)len))
		return later_error(c, at, e);
	for (;;) {
		MYSQL_RES *res = mysql_store_result(c->my);
		if (!res && mysql_field_count(c->my))
			return my_error(c, e);
		if (res && out && !kept) {
			size_t nrows = (size_t)mysql_num_rows(res), ncols = mysql_num_fields(res);
			out->nrows = nrows;
			out->ncols = ncols;
			out->cells = xcalloc(nrows * ncols + 1, sizeof(char *));
			for (size_t i = 0; i < nrows; i++) {
				MYSQL_ROW row = mysql_fetch_row(res);
				unsigned long *lens = mysql_fetch_lengths(res);
				for (size_t j = 0; row && j < ncols; j++)
					if (row[j])
						out->cells[i * ncols + j] = xstrndup(row[j], lens[j]);
			}
			kept = 1;
		}
		if (res)
			mysql_free_result(res);
		int st = mysql_next_result(c->my);
		at++;
		if (st < 0)
			return 0;
		if (st > 0) {
			if (out && kept)
				strata_rows_free(out);
			return later_error(c, at, e);
		}
	}
}

/* Sends the statements deferred in c->pending, if any; 0 or the first one's error. */
static int flush(strata_conn *c, strata_err *e)
{
	if (!c->pending.len)
		return 0;
	int rc = run(c, c->pending.ptr, c->pending.len, NULL, e);
	buf_reset(&c->pending);
	c->later = 0;
	return rc;
}

int my_exec(strata_conn *c, const char *sql, strata_err *e)
{
	if (c->later && !c->in_tx) { /* the queued writes and sql: one request */
		buf_putc(&c->pending, ';');
		buf_puts(&c->pending, sql);
		return flush(c, e);
	}
	int rc = flush(c, e);
	return rc ? rc : run(c, sql, strlen(sql), NULL, e);
}

/* Queues a write that returns no rows to go ahead of the next request (at the latest
 * with the next exec, query, begin or commit; disconnect sends it too). The server
 * runs a multi-statement request in order and stops at its first error, so a write
 * that fails keeps the statement behind it from running, and the error says so. */
static int my_query_later(strata_conn *c, const char *sql, const char *const *params,
			  size_t nparams, strata_err *e)
{
	(void)e;
	if (c->pending.len)
		buf_putc(&c->pending, ';');
	bind_params(c, sql, params, nparams, &c->pending);
	if (!c->in_tx)
		c->later++;
	return 0;
}

int my_query(strata_conn *c, const char *sql, const char *const *params, size_t nparams,
	     strata_rows *out, strata_err *e)
{
	int rc;
	if (c->in_tx && nparams && !out) /* a write of the open transaction: deferred */
		return my_query_later(c, sql, params, nparams, e);
	if ((rc = flush(c, e)))
		return rc;
	if (!nparams)
		return run(c, sql, strlen(sql), out, e);
	buf b = BUF_INIT;
	bind_params(c, sql, params, nparams, &b);
	rc = run(c, b.ptr, b.len, out, e);
	buf_free(&b);
	return rc;
}

/* A 64-bit FNV-1a hash, for lock names too long for GET_LOCK's 64 characters. */
static uint64_t fnv1a(const char *s)
{
	uint64_t h = 14695981039346656037ULL;
	for (const char *p = s; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return h;
}

/* Opens a session for a mysql:// URL; on failure e says what failed, without the
 * password. */
/* Opens a session for URL parts `u` into *out: utf8mb4, a 10 s connect timeout, the
 * password from the URL or MYSQL_PWD. 0, or STRATA_EFAIL naming the database, where
 * and who (never the password). */
static int open_session(const my_url *u, MYSQL **out, strata_err *e)
{
	MYSQL *my = mysql_init(NULL);
	*out = NULL;
	if (!my)
		return err_set(e, STRATA_EFAIL, "cannot connect to MariaDB: out of memory");
	unsigned timeout = 10;
	mysql_options(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	const char *pw = u->password ? u->password : getenv("MYSQL_PWD");
	if (!mysql_real_connect(my, u->host, u->user, pw, u->database, u->port, u->socket,
				CLIENT_MULTI_STATEMENTS | CLIENT_MULTI_RESULTS)) {
		const char *where = u->socket ? u->socket : u->host ? u->host : "localhost";
		err_set(e, STRATA_EFAIL, "cannot connect to MariaDB/MySQL database \"%s\" at %s as %s: %s",
			u->database, where, u->user ? u->user : "the current user", mysql_error(my));
		mysql_close(my);
		return STRATA_EFAIL;
	}
	*out = my;
	return 0;
}

/* The watcher thread of connection c: on each 'k' from my_interrupt it opens a second
 * session and sends KILL QUERY for c's, which makes c's running statement fail (the
 * mariadb client's Ctrl-C); on 'q' or a closed pipe it ends. */
static void *watch(void *arg)
{
	strata_conn *c = arg;
	for (;;) {
		char ch;
		ssize_t n = read(c->wake[0], &ch, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || ch != 'k')
			break;
		MYSQL *killer = NULL;
		if (open_session(&c->url, &killer, NULL) == 0) {
			char sql[64];
			int len = snprintf(sql, sizeof sql, "KILL QUERY %lu", c->thread_id);
			mysql_real_query(killer, sql, (unsigned long)len);
			mysql_close(killer);
		}
	}
	mysql_thread_end();
	return NULL;
}

/* Starts c's watcher with every signal blocked in it, so signals still reach the
 * thread that runs strata. Without a pipe or a thread, interrupts only stop strata
 * between statements. */
static void start_watcher(strata_conn *c)
{
	if (pipe(c->wake) != 0)
		return;
	fcntl(c->wake[0], F_SETFD, FD_CLOEXEC);
	fcntl(c->wake[1], F_SETFD, FD_CLOEXEC);
	fcntl(c->wake[1], F_SETFL, O_NONBLOCK);
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	c->watching = pthread_create(&c->watcher, NULL, watch, c) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!c->watching) {
		close(c->wake[0]);
		close(c->wake[1]);
	}
}

/* Cancels the statement running on c: async-signal-safe, it only wakes the watcher,
 * which sends KILL QUERY from a session of its own. */
static void my_interrupt(strata_conn *c)
{
	if (c && c->watching) {
		int saved = errno;
		ssize_t n = write(c->wake[1], "k", 1);
		(void)n;
		errno = saved;
	}
}

static int my_connect(strata_conn **out, const char *url, const strata_conn_opts *o,
		      strata_err *e)
{
	*out = NULL;
	my_url u;
	int rc = mdb_load(e);
	if (rc || (rc = my_url_parse(url, &u, e)))
		return rc;
	MYSQL *my = NULL;
	if ((rc = open_session(&u, &my, e))) {
		my_url_free(&u);
		return rc;
	}
	strata_conn *c = xcalloc(1, sizeof(*c));
	c->my = my;
	c->pending = (buf)BUF_INIT;
	c->thread_id = mysql_thread_id(my);
	start_watcher(c);
	c->url = u;
	c->lock_timeout_ms = o && o->lock_timeout_ms > 0 ? o->lock_timeout_ms : 10000;
	c->shadow = o && o->shadow;
	c->version_table = xstrdup(o && o->version_table ? o->version_table : "strata_version");
	char *name = xasprintf("strata:%s.%s", u.database, c->version_table);
	if (strlen(name) > 64) {
		char *hashed = xasprintf("strata:%016llx", (unsigned long long)fnv1a(name));
		free(name);
		name = hashed;
	}
	c->lock_name = name;
	*out = c;
	return 0;
}

/* Closes the session (which also releases a GET_LOCK still held) and frees c. */
static void my_disconnect(strata_conn *c)
{
	if (!c)
		return;
	if (c->watching) {
		close(c->wake[1]); /* the watcher reads end-of-file and ends */
		pthread_join(c->watcher, NULL);
		close(c->wake[0]);
	}
	if (!c->in_tx)
		flush(c, NULL); /* writes queued by my_query_later, best effort */
	mysql_close(c->my);
	buf_free(&c->pending); /* a transaction never committed: the server rolls it back */
	my_url_free(&c->url);
	free(c->version_table);
	free(c->lock_name);
	free(c);
}

/* A transaction for DML; any DDL inside commits it (see implicit_commit). Its START
 * TRANSACTION waits in c->pending for the next statement or the COMMIT. */
static int my_begin(strata_conn *c, strata_err *e)
{
	int rc = flush(c, e);
	if (rc)
		return rc;
	buf_puts(&c->pending, "START TRANSACTION");
	c->in_tx = 1;
	return 0;
}

/* Commits, sending what is deferred in the same request. When a deferred statement
 * fails, the server stops before the COMMIT with the transaction still open: it is
 * rolled back here, so a failed commit ends the transaction with nothing of it kept,
 * as a failed COMMIT does. */
static int my_commit(strata_conn *c, strata_err *e)
{
	c->in_tx = 0;
	if (!c->pending.len)
		return run(c, "COMMIT", 6, NULL, e);
	buf_puts(&c->pending, ";COMMIT");
	int rc = flush(c, e);
	if (rc)
		run(c, "ROLLBACK", 8, NULL, NULL);
	return rc;
}

/* Rolls back; the deferred statements are dropped unsent. */
static int my_rollback(strata_conn *c, strata_err *e)
{
	c->in_tx = 0;
	buf_reset(&c->pending);
	c->later = 0;
	return run(c, "ROLLBACK", 8, NULL, e);
}

/* Takes the run's named lock, waiting up to the lock timeout. */
static int my_lock(strata_conn *c, strata_err *e)
{
	char secs[32];
	snprintf(secs, sizeof secs, "%.3f", c->lock_timeout_ms / 1000.0);
	const char *p[2] = { c->lock_name, secs };
	strata_rows r = { 0 };
	if (my_query(c, "SELECT GET_LOCK($1, $2)", p, 2, &r, e))
		return STRATA_EFAIL;
	int got = r.nrows == 1 && r.cells[0] && strcmp(r.cells[0], "1") == 0;
	strata_rows_free(&r);
	if (got) {
		c->locked = 1;
		return 0;
	}
	char *holder = NULL;
	if (my_query(c, "SELECT IS_USED_LOCK($1)", p, 1, &r, NULL) == 0 && r.nrows == 1 && r.cells[0])
		holder = xstrdup(r.cells[0]);
	strata_rows_free(&r);
	err_set(e, STRATA_ELOCKED,
		"database is locked: another strata holds the migration lock on database \"%s\" "
		"(GET_LOCK('%s')%s%s) and did not release it within %d ms. Wait for it to finish, "
		"or raise lock_timeout in strata.ini",
		c->url.database, c->lock_name, holder ? ", held by connection " : "",
		holder ? holder : "", c->lock_timeout_ms);
	free(holder);
	return STRATA_ELOCKED;
}

/* Releases the run's lock (best effort: closing the session releases it too). */
static void my_unlock(strata_conn *c)
{
	if (!c->locked)
		return;
	my_rollback(c, NULL);
	const char *p[1] = { c->lock_name };
	my_query(c, "SELECT RELEASE_LOCK($1)", p, 1, NULL, NULL);
	c->locked = 0;
}

/* The user's base tables in the URL's database, strata's own left out, sorted. */
static int my_user_tables(strata_conn *c, char ***names, size_t *n, strata_err *e)
{
	strata_rows r = { 0 };
	const char *p[1] = { c->version_table };
	int rc = my_query(c,
			  "SELECT TABLE_NAME FROM information_schema.TABLES"
			  " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'"
			  "   AND TABLE_NAME NOT IN ($1, '" HISTORY "')"
			  " ORDER BY TABLE_NAME",
			  p, 1, &r, e);
	if (rc)
		return rc;
	*names = r.cells;
	*n = r.nrows;
	return 0;
}

/* Whether strata table `name` exists in the URL's database. */
static int my_table_exists(strata_conn *c, const char *name, int *exists, strata_err *e)
{
	strata_rows r = { 0 };
	const char *p[1] = { name };
	int rc = my_query(c,
			  "SELECT 1 FROM information_schema.TABLES"
			  " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = BINARY $1",
			  p, 1, &r, e);
	if (rc)
		return rc;
	*exists = r.nrows > 0;
	strata_rows_free(&r);
	return 0;
}

static char *my_table_name(strata_conn *c, const strata_conn_opts *o, const char *name)
{
	(void)c;
	(void)o;
	buf b = BUF_INIT;
	my_quote(&b, name);
	return buf_detach(&b);
}

/* The version tables' DDL; nothing when a live connection sees them already (CREATE
 * TABLE IF NOT EXISTS would still commit the open transaction). The history table's
 * statements_done counts the statements of a non-atomic revision that ran. */
static void my_version_ddl(strata_conn *c, const strata_conn_opts *o, buf *out)
{
	if (c && !c->tables_ok) {
		int a = 0, b = 0;
		if (my_table_exists(c, c->version_table, &a, NULL) == 0 &&
		    my_table_exists(c, HISTORY, &b, NULL) == 0 && a && b)
			c->tables_ok = 1;
	}
	if (c && c->tables_ok)
		return;
	const char *vt = c ? c->version_table : o && o->version_table ? o->version_table : "strata_version";
	buf_puts(out, "CREATE TABLE IF NOT EXISTS ");
	my_quote(out, vt);
	buf_puts(out, " (\n"
		      "    version_num VARCHAR(255) NOT NULL PRIMARY KEY\n"
		      ") ENGINE=InnoDB;\n"
		      "CREATE TABLE IF NOT EXISTS `" HISTORY "` (\n"
		      "    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,\n"
		      "    revision VARCHAR(255) NOT NULL,\n"
		      "    direction VARCHAR(8) NOT NULL,\n"
		      "    checksum CHAR(64),\n"
		      "    applied_at DATETIME NOT NULL,\n"
		      "    duration_ms BIGINT NOT NULL DEFAULT 0,\n"
		      "    success INTEGER NOT NULL,\n"
		      "    statements_done INTEGER\n"
		      ") ENGINE=InnoDB;\n");
}

/* 1 when `sql` commits the open transaction by itself: MariaDB's DDL and the other
 * statements its manual lists as causing an implicit commit. */
static int my_implicit_commit(const char *sql)
{
	static const char *const words[] = { "CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE",
					     "LOCK", "UNLOCK", "GRANT", "REVOKE", "ANALYZE",
					     "OPTIMIZE", "REPAIR", "FLUSH", "INSTALL", "UNINSTALL",
					     "LOAD", "CACHE", "RESET", NULL };
	while (isspace((unsigned char)*sql) || *sql == '(')
		sql++;
	size_t n = 0;
	while (isalpha((unsigned char)sql[n]))
		n++;
	for (size_t i = 0; words[i]; i++)
		if (strlen(words[i]) == n && strncasecmp(sql, words[i], n) == 0)
			return 1;
	return 0;
}

static const char *const my_schemes[] = { "mysql://", "mariadb://", NULL };

const strata_backend strata_mariadb_backend = {
	.name = "mysql",
	.schemes = my_schemes,
	.url_forms = "mysql://user:password@host/db (?socket=PATH), mariadb://",
	.caps = STRATA_CAP_DROP_COLUMN | STRATA_CAP_ADVISORY_LOCK | STRATA_CAP_SHADOW_DATABASE,
	.dialect = STRATA_DIALECT_MYSQL,
	.connect = my_connect,
	.disconnect = my_disconnect,
	.exec = my_exec,
	.query = my_query,
	.query_later = my_query_later,
	.begin = my_begin,
	.commit = my_commit,
	.rollback = my_rollback,
	.lock = my_lock,
	.unlock = my_unlock,
	.user_tables = my_user_tables,
	.table_exists = my_table_exists,
	.table_name = my_table_name,
	.version_ddl = my_version_ddl,
	.backup = my_backup,
	.backup_path = my_backup_path,
	.scratch_copy = my_scratch_copy,
	.scratch_drop = my_scratch_drop,
	.scratch_list_sql = "SELECT schema_name FROM information_schema.schemata WHERE (schema_name LIKE "
			    "'strata\\_shadow\\_%' OR schema_name LIKE 'strata\\_verify\\_%') AND schema_name NOT IN "
			    "(SELECT db FROM information_schema.processlist WHERE db IS NOT NULL) ORDER BY 1",
	.identity_sql = "SELECT CONCAT(DATABASE(), ' (', @@hostname, ':', @@port, ' ', @@datadir, ')')",
	.introspect = my_introspect,
	.load_shadow = my_load_shadow,
	.render = my_render,
	.type_narrows = my_type_narrows,
	.history_newest = " ORDER BY id DESC LIMIT 1", /* no subquery on the updated table */
	.implicit_commit = my_implicit_commit,
	.interrupt = my_interrupt,
};
