/*
 * PostgreSQL driver: connect, execute, lock, version tables, backup — over libpq.
 *
 * DDL is transactional here, so a revision and its version rows commit or vanish
 * together. Migrators are serialised by one session-level advisory lock held for the
 * whole run; its key is derived from the version table's qualified name, so two
 * projects sharing a database with different version schemas do not wait for each
 * other. Server notices ("relation … already exists, skipping") are swallowed: the
 * library never prints.
 *
 * Round trips: inside a transaction, a parameterised write that returns no rows
 * (strata's version and history rows) waits in `pending`, its values written in as
 * literals escaped by libpq, and goes to the server with the COMMIT as one request;
 * anything else sent first flushes it. The server stops a multi-statement request at
 * its first error, so a failing write is reported by the commit and the transaction
 * rolls back. A step's bookkeeping thus costs one round trip instead of three.
 * BEGIN waits too, and goes ahead of the first statement of the transaction in the
 * same request ("BEGIN; " on the statement's first line, so the server's error
 * position still gives the statement's line): a two-statement step is three requests.
 */
#define _POSIX_C_SOURCE 200809L
#include "backends/postgres/postgres_internal.h"
#include "strata/backend.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/sqlbind.h"
#include "util/vec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* SQLSTATE 55P03 (lock_not_available): what the server raises when lock_timeout runs
 * out, named in strata's own message when its wait for the migration lock does. */
#define SQLSTATE_LOCK_NOT_AVAILABLE "55P03"

#define DEFAULT_SCHEMA "public"

struct strata_conn {
	PGconn *pg;
	int lock_timeout_ms;
	char *schema;       /* version schema; "public" unless configured */
	char *version_table; /* strata_version unless configured */
	int schema_set;     /* 1 when the configuration named the schema */
	int tables_ok;      /* the version tables were seen to exist: no more DDL */
	long long lock_key; /* pg_advisory_lock key */
	int locked;
	int shadow;         /* opened as the configured shadow database */
	PGcancel *cancel;   /* for pg_interrupt, made at connect time (PQgetCancel is not
			     * async-signal-safe; PQcancel is) */
	int borrowed;       /* pg is the application's (strata_options.pg_handle): never closed */
	int in_tx;          /* pg_begin ran; no COMMIT or ROLLBACK since */
	int begin_later;    /* pending starts with pg_begin's BEGIN, not sent yet */
	buf pending;        /* deferred writes, each ending in ";\n": see flush */
};

/* The libpq handle behind a connection, for the PostgreSQL introspection. */
PGconn *strata_pg_handle(strata_conn *c)
{
	return c->pg;
}

/* Whether the connection was opened as the configured shadow database. */
int strata_pg_is_shadow(strata_conn *c)
{
	return c->shadow;
}

/* The schema of the version tables, which introspection leaves out. */
const char *strata_pg_version_schema(strata_conn *c)
{
	return c->schema;
}

const char *strata_pg_version_table(strata_conn *c)
{
	return c->version_table;
}

/* Notices go nowhere: the library must not write to the caller's stderr. */
static void pg_drop_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Appends `name` to `out` as a double-quoted identifier. */
static void quote_ident(buf *out, const char *name)
{
	buf_putc(out, '"');
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			buf_putc(out, '"');
		buf_putc(out, *p);
	}
	buf_putc(out, '"');
}

/* "schema"."name" for a strata table in `schema` (malloc'd). */
static char *qualified(const char *schema, const char *name)
{
	buf b = BUF_INIT;
	quote_ident(&b, schema);
	buf_putc(&b, '.');
	quote_ident(&b, name);
	return buf_detach(&b);
}

/* A 64-bit key from the qualified version-table name (FNV-1a), as the signed bigint
 * pg_advisory_lock takes. Fixed for a given name, so every strata agrees on it. */
static long long lock_key_for(const char *qualified_name)
{
	uint64_t h = 14695981039346656037ULL;
	for (const char *p = "strata:"; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	for (const char *p = qualified_name; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	if (h <= (uint64_t)INT64_MAX)
		return (long long)h;
	return -(long long)(~h) - 1; /* two's complement without relying on the cast */
}

/* Replaces every occurrence of `needle` in `b` with `with`. */
static void buf_replace_all(buf *b, const char *needle, const char *with)
{
	size_t nl = strlen(needle);
	if (!nl || !strstr(b->ptr, needle))
		return;
	buf r = BUF_INIT;
	const char *p = b->ptr;
	for (const char *hit; (hit = strstr(p, needle)); p = hit + nl) {
		buf_add(&r, p, (size_t)(hit - p));
		buf_puts(&r, with);
	}
	buf_puts(&r, p);
	buf_free(b);
	*b = r;
}

/* The passwords a URL carries (user:PASS@ and password=PASS), appended to `out`. */
static void url_passwords(const char *url, strvec *out)
{
	const char *scheme = strstr(url, "://");
	if (scheme) {
		const char *auth = scheme + 3;
		const char *end = auth + strcspn(auth, "/?");
		const char *at = NULL;
		for (const char *p = auth; p < end; p++)
			if (*p == '@')
				at = p; /* the last '@' ends the user info */
		const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
		if (colon && at > colon + 1)
			strvec_push_owned(out, xstrndup(colon + 1, (size_t)(at - colon - 1)));
	}
	for (const char *p = url; (p = strstr(p, "password="));) {
		p += strlen("password=");
		size_t n = strcspn(p, "& ");
		if (n)
			strvec_push_owned(out, xstrndup(p, n));
		p += n;
	}
}

/* Copies libpq's message with the URL masked: libpq echoes a URI it cannot parse,
 * and no password may reach the user's terminal or logs. */
static char *scrub(const char *msg, const char *url)
{
	buf b = BUF_INIT;
	char *masked = strata_url_mask(url);
	strvec pw = { 0 };
	buf_puts(&b, msg ? msg : "");
	buf_rtrim(&b);
	buf_replace_all(&b, url, masked);
	url_passwords(url, &pw);
	for (size_t i = 0; i < pw.n; i++)
		if (strlen(pw.v[i]) >= 4) /* shorter ones cannot be told from ordinary words */
			buf_replace_all(&b, pw.v[i], "***");
	strvec_free(&pw);
	free(masked);
	return buf_detach(&b);
}

/* 1-based line of character `pos` (the server counts characters, not bytes) in `sql`. */
static int line_of_position(const char *sql, long pos)
{
	int line = 1;
	long ch = 0;
	for (const unsigned char *p = (const unsigned char *)sql; *p; p++) {
		if ((*p & 0xc0) != 0x80 && ++ch >= pos)
			break;
		if (*p == '\n')
			line++;
	}
	return line;
}

/* Fills e from a failed result: the server's message, its SQLSTATE, then detail and
 * hint when the server gave them, and where in a multi-line statement it failed. */
static int result_error(strata_conn *c, const PGresult *res, const char *sql, strata_err *e)
{
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	buf b = BUF_INIT;
	if (!msg) {
		/* No server error: the connection broke or libpq refused the call. */
		buf_puts(&b, PQerrorMessage(c->pg));
		buf_rtrim(&b);
		if (PQstatus(c->pg) == CONNECTION_BAD)
			err_set(e, STRATA_EFAIL, "lost the connection to PostgreSQL: %s", b.ptr);
		else
			err_set(e, STRATA_EFAIL, "%s", b.len ? b.ptr : "PostgreSQL request failed");
		buf_free(&b);
		return STRATA_EFAIL;
	}
	buf_puts(&b, msg);
	if (state)
		buf_printf(&b, " (SQLSTATE %s)", state);
	const char *pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
	if (pos && sql) {
		int line = line_of_position(sql, strtol(pos, NULL, 10));
		if (line > 1)
			buf_printf(&b, " at line %d of the statement", line);
	}
	const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	if (detail)
		buf_printf(&b, "\n  detail: %s", detail);
	if (hint)
		buf_printf(&b, "\n  hint: %s", hint);
	err_set(e, STRATA_EFAIL, "%s", b.ptr);
	buf_free(&b);
	return STRATA_EFAIL;
}

/* Consumes what a COPY left behind, so the connection is usable again: strata has no
 * data to feed COPY … FROM STDIN and nowhere to put COPY … TO STDOUT. Returns the
 * final result (the caller clears it). */
static PGresult *finish_copy(strata_conn *c, PGresult *res)
{
	while (res) {
		ExecStatusType st = PQresultStatus(res);
		if (st == PGRES_COPY_IN) {
			PQclear(res);
			PQputCopyEnd(c->pg, "COPY FROM STDIN is not supported in a strata revision; "
					    "use INSERT, or COPY FROM a server-side file");
		} else if (st == PGRES_COPY_OUT) {
			char *row = NULL;
			PQclear(res);
			while (PQgetCopyData(c->pg, &row, 0) > 0)
				PQfreemem(row);
		} else {
			break;
		}
		res = PQgetResult(c->pg);
	}
	/* Drain anything left so the next call starts clean. */
	for (PGresult *extra; (extra = PQgetResult(c->pg));)
		PQclear(extra);
	return res;
}

/* Runs `sql` with text parameters; returns the result when it succeeded (the caller
 * clears it) or NULL with e filled. */
static PGresult *run(strata_conn *c, const char *sql, const char *const *params,
		     size_t nparams, strata_err *e)
{
	PGresult *res;
	if (nparams)
		res = PQexecParams(c->pg, sql, (int)nparams, NULL, params, NULL, NULL, 0);
	else
		res = PQexec(c->pg, sql);
	ExecStatusType st = PQresultStatus(res);
	if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT) {
		res = finish_copy(c, res);
		st = PQresultStatus(res);
	}
	if (res && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY))
		return res;
	result_error(c, res, sql, e);
	PQclear(res);
	return NULL;
}

static strata_conn *conn_new(PGconn *pg, const strata_conn_opts *o);
static void pg_unlock(strata_conn *c);

/* Opens a session for a postgresql:// or postgres:// URL; on failure e says what
 * failed, with any password in the URL shown as ***. */
static int pg_connect(strata_conn **out, const char *url, const strata_conn_opts *o,
		      strata_err *e)
{
	*out = NULL;
	/* The URL goes to libpq as given (expand_dbname): host, sslmode, PG* variables
	 * and the rest behave as in psql. client_encoding comes before it so a URL that
	 * names one wins; revision files are UTF-8. */
	const char *const keys[] = { "client_encoding", "fallback_application_name", "dbname", NULL };
	const char *const vals[] = { "UTF8", "strata", url, NULL };
	int rc = pq_load(e);
	if (rc)
		return rc;
	if (o && o->borrowed_handle) {
		/* The application's session, as it set it up: strata only uses it. */
		*out = conn_new(o->borrowed_handle, o);
		(*out)->borrowed = 1;
		return 0;
	}
	PGconn *pg = PQconnectdbParams(keys, vals, 1);
	if (!pg)
		return err_set(e, STRATA_EFAIL, "cannot connect to PostgreSQL: out of memory");
	if (PQstatus(pg) != CONNECTION_OK) {
		char *masked = strata_url_mask(url);
		char *why = scrub(PQerrorMessage(pg), url);
		err_set(e, STRATA_EFAIL, "cannot connect to PostgreSQL database %s: %s", masked, why);
		free(why);
		free(masked);
		PQfinish(pg);
		return STRATA_EFAIL;
	}
	PQsetNoticeProcessor(pg, pg_drop_notice, NULL);
	/* If strata is killed mid-statement, let the server notice within a second and
	 * end the session, so its advisory lock does not outlive it for the length of a
	 * long statement (PostgreSQL 14+ on Linux; elsewhere this fails and is ignored,
	 * and a value the user configured is kept). */
	PGresult *chk = PQexec(pg, "SELECT set_config('client_connection_check_interval', '1000', false)"
				   " WHERE current_setting('client_connection_check_interval') = '0'");
	PQclear(chk);
	*out = conn_new(pg, o);
	return 0;
}

/* The connection state around an open session `pg`, with the options' version
 * table, schema, lock timeout and shadow flag. */
static strata_conn *conn_new(PGconn *pg, const strata_conn_opts *o)
{
	strata_conn *c = xcalloc(1, sizeof(*c));
	c->pg = pg;
	c->pending = (buf)BUF_INIT;
	c->cancel = PQgetCancel(pg);
	c->lock_timeout_ms = o && o->lock_timeout_ms > 0 ? o->lock_timeout_ms : 10000;
	c->shadow = o && o->shadow;
	c->schema_set = o && o->version_schema && *o->version_schema;
	c->schema = xstrdup(c->schema_set ? o->version_schema : DEFAULT_SCHEMA);
	c->version_table = xstrdup(o && o->version_table ? o->version_table : "strata_version");
	char *vt = qualified(c->schema, c->version_table);
	c->lock_key = lock_key_for(vt);
	free(vt);
	return c;
}

/* Closes the session (which also drops an advisory lock still held) and frees c. */
static void pg_disconnect(strata_conn *c)
{
	if (!c)
		return;
	if (c->cancel)
		PQfreeCancel(c->cancel);
	if (c->borrowed)
		pg_unlock(c); /* the session lives on: its advisory lock must not */
	else
		PQfinish(c->pg);
	free(c->schema);
	free(c->version_table);
	buf_free(&c->pending);
	free(c);
}

/* Asks the server to cancel the running statement (psql's Ctrl-C): PQcancel is safe
 * in a signal handler with a local error buffer. */
static void pg_interrupt(strata_conn *c)
{
	char errbuf[256];
	if (c && c->cancel)
		PQcancel(c->cancel, errbuf, (int)sizeof errbuf);
}

/* Sends the writes deferred in c->pending, if any, as one request; 0 or the error of
 * the first that failed (the transaction is then aborted). */
static int flush(strata_conn *c, strata_err *e)
{
	c->begin_later = 0;
	if (!c->pending.len)
		return 0;
	PGresult *res = run(c, c->pending.ptr, NULL, 0, e);
	buf_reset(&c->pending);
	if (!res)
		return STRATA_EFAIL;
	PQclear(res);
	return 0;
}

/* A value as a literal, quoted and escaped by libpq (sqlbind_quote). */
static void quote_value(void *ctx, const char *v, buf *out)
{
	strata_conn *c = ctx;
	char *lit = PQescapeLiteral(c->pg, v, strlen(v));
	if (!lit) { /* libpq could not escape it (out of memory, bad encoding) */
		buf_puts(out, "NULL::text /* unescapable */");
		return;
	}
	buf_puts(out, lit);
	PQfreemem(lit);
}

#define BEGIN_LATER "BEGIN;\n"

/* Runs one statement, discarding rows; the error carries SQLSTATE, detail and hint. */
static int pg_exec(strata_conn *c, const char *sql, strata_err *e)
{
	PGresult *res;
	if (c->begin_later && c->pending.len == sizeof(BEGIN_LATER) - 1) {
		/* The transaction's first request: its BEGIN and this statement. */
		c->begin_later = 0;
		buf_reset(&c->pending);
		buf_puts(&c->pending, "BEGIN; ");
		buf_puts(&c->pending, sql);
		res = run(c, c->pending.ptr, NULL, 0, e);
		buf_reset(&c->pending);
	} else {
		if (flush(c, e))
			return STRATA_EFAIL;
		res = run(c, sql, NULL, 0, e);
	}
	if (!res)
		return STRATA_EFAIL;
	PQclear(res);
	return 0;
}

/* Runs one statement with text parameters $1..$n; when `out` is given it receives
 * every row as malloc'd text (NULL cells for SQL NULL), freed with strata_rows_free. */
static int pg_query(strata_conn *c, const char *sql, const char *const *params, size_t nparams,
		    strata_rows *out, strata_err *e)
{
	if (c->in_tx && nparams && !out) { /* a write of the open transaction: deferred */
		sqlbind(&c->pending, sql, params, nparams, 0, quote_value, c);
		buf_puts(&c->pending, ";\n");
		return 0;
	}
	if (flush(c, e))
		return STRATA_EFAIL;
	/* Always the extended protocol, so exactly one statement runs and $n means a
	 * parameter even when there are none. */
	PGresult *res = PQexecParams(c->pg, sql, (int)nparams, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);
	if (!res || (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)) {
		result_error(c, res, sql, e);
		PQclear(res);
		return STRATA_EFAIL;
	}
	if (out) {
		size_t nrows = (size_t)PQntuples(res), ncols = (size_t)PQnfields(res);
		out->nrows = nrows;
		out->ncols = ncols;
		out->cells = xcalloc(nrows * ncols + 1, sizeof(char *));
		for (size_t i = 0; i < nrows; i++)
			for (size_t j = 0; j < ncols; j++)
				if (!PQgetisnull(res, (int)i, (int)j))
					out->cells[i * ncols + j] = xstrdup(PQgetvalue(res, (int)i, (int)j));
	}
	PQclear(res);
	return 0;
}

/* Opens a transaction; DDL inside it rolls back with it. The BEGIN waits in pending
 * for the transaction's first request. */
static int pg_begin(strata_conn *c, strata_err *e)
{
	(void)e;
	buf_reset(&c->pending);
	buf_puts(&c->pending, BEGIN_LATER);
	c->begin_later = 1;
	c->in_tx = 1;
	return 0;
}

/* COMMIT of a transaction that already failed succeeds with the tag ROLLBACK: report
 * that as the failure it is instead of claiming the revision was applied. */
static int pg_commit(strata_conn *c, strata_err *e)
{
	c->in_tx = 0;
	c->begin_later = 0; /* if nothing was sent: BEGIN, its writes and COMMIT at once */
	if (PQtransactionStatus(c->pg) == PQTRANS_INERROR) {
		buf_reset(&c->pending);
		pg_exec(c, "ROLLBACK", NULL);
		return err_set(e, STRATA_EFAIL, "the transaction was aborted by an earlier error and was rolled back");
	}
	/* The deferred writes and the COMMIT: one request, which stops at a failing write. */
	buf_puts(&c->pending, "COMMIT");
	PGresult *res = run(c, c->pending.ptr, NULL, 0, e);
	buf_reset(&c->pending);
	if (!res) {
		if (PQtransactionStatus(c->pg) != PQTRANS_IDLE)
			pg_exec(c, "ROLLBACK", NULL);
		return STRATA_EFAIL;
	}
	int rolled_back = strcmp(PQcmdStatus(res), "ROLLBACK") == 0;
	PQclear(res);
	if (rolled_back)
		return err_set(e, STRATA_EFAIL, "the transaction was rolled back instead of committed");
	return 0;
}

/* Rolls back the open transaction, if any. */
static int pg_rollback(strata_conn *c, strata_err *e)
{
	c->in_tx = 0;
	c->begin_later = 0;
	buf_reset(&c->pending); /* never sent: nothing of them ran */
	if (PQtransactionStatus(c->pg) == PQTRANS_IDLE)
		return 0; /* nothing open: the failure ended it already */
	return pg_exec(c, "ROLLBACK", e);
}

/* Monotonic milliseconds, for the lock wait. */
static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Takes the run's advisory lock, waiting up to the lock timeout.
 *
 * It polls pg_try_advisory_lock rather than blocking in pg_advisory_lock: a session
 * blocked in that call holds a snapshot the whole time, and CREATE INDEX CONCURRENTLY
 * run by the lock holder waits for every older snapshot to go away — the two would
 * wait for each other until the deadlock detector killed the index build. Between
 * polls a waiting strata holds no snapshot. */
static int pg_lock(strata_conn *c, strata_err *e)
{
	char key[32];
	snprintf(key, sizeof key, "%lld", c->lock_key);
	const char *p[1] = { key };
	double start = now_ms();
	int pause_ms = 5;
	for (;;) {
		strata_rows r = { 0 };
		if (pg_query(c, "SELECT pg_try_advisory_lock($1::bigint)", p, 1, &r, e))
			return STRATA_EFAIL;
		int got = r.nrows == 1 && r.cells[0] && strcmp(r.cells[0], "t") == 0;
		strata_rows_free(&r);
		if (got) {
			c->locked = 1;
			return 0;
		}
		double waited = now_ms() - start;
		if (waited >= c->lock_timeout_ms) {
			char *vt = qualified(c->schema, c->version_table);
			err_set(e, STRATA_ELOCKED,
				"database is locked: another strata holds the migration lock on database "
				"\"%s\" (advisory lock %s for %s) and did not release it within %d ms "
				"(SQLSTATE " SQLSTATE_LOCK_NOT_AVAILABLE "). Wait for it to finish, or raise "
				"lock_timeout in strata.ini; `SELECT pid FROM pg_locks WHERE locktype = "
				"'advisory'` shows the holder",
				PQdb(c->pg), key, vt, c->lock_timeout_ms);
			free(vt);
			return STRATA_ELOCKED;
		}
		int left = c->lock_timeout_ms - (int)waited;
		int nap = pause_ms < left ? pause_ms : left;
		poll(NULL, 0, nap);
		if (pause_ms < 100)
			pause_ms *= 2;
	}
}

/* Releases the run's advisory lock (best effort: closing the session releases it too). */
static void pg_unlock(strata_conn *c)
{
	if (!c->locked)
		return;
	if (PQtransactionStatus(c->pg) != PQTRANS_IDLE)
		pg_exec(c, "ROLLBACK", NULL);
	char key[32];
	snprintf(key, sizeof key, "%lld", c->lock_key);
	const char *p[1] = { key };
	pg_query(c, "SELECT pg_advisory_unlock($1::bigint)", p, 1, NULL, NULL);
	c->locked = 0;
}

/* Tables of the user's schemas: not the system's, not an extension's, not strata's
 * own. Tables outside `public` are shown schema-qualified. */
static int pg_user_tables(strata_conn *c, char ***names, size_t *n, strata_err *e)
{
	strata_rows r = { 0 };
	const char *p[2] = { c->schema, c->version_table };
	int rc = pg_query(c,
			  "SELECT CASE WHEN n.nspname = 'public' THEN c.relname"
			  "            ELSE n.nspname || '.' || c.relname END AS name"
			  " FROM pg_catalog.pg_class c"
			  " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
			  " WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition"
			  "   AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'"
			  "   AND NOT (n.nspname = $1 AND c.relname IN ($2, 'strata_history'))"
			  "   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
			  "                   WHERE d.classid = 'pg_catalog.pg_class'::regclass"
			  "                     AND d.objid = c.oid AND d.deptype = 'e')"
			  " ORDER BY 1",
			  p, 2, &r, e);
	if (rc)
		return rc;
	*names = r.cells;
	*n = r.nrows;
	return 0;
}

/* Whether strata table `name` exists in the version schema. */
static int pg_table_exists(strata_conn *c, const char *name, int *exists, strata_err *e)
{
	strata_rows r = { 0 };
	const char *p[2] = { c->schema, name };
	int rc = pg_query(c,
			  "SELECT 1 FROM pg_catalog.pg_class c"
			  " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
			  " WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')",
			  p, 2, &r, e);
	if (rc)
		return rc;
	*exists = r.nrows > 0;
	strata_rows_free(&r);
	return 0;
}

/* The version schema of a connection, or with none (offline --sql) the configured
 * one in `o`, else the default. */
static const char *version_schema(strata_conn *c, const strata_conn_opts *o)
{
	if (c)
		return c->schema;
	return o && o->version_schema && *o->version_schema ? o->version_schema : DEFAULT_SCHEMA;
}

static char *pg_table_name(strata_conn *c, const strata_conn_opts *o, const char *name)
{
	return qualified(version_schema(c, o), name);
}

/* 1 when the schema and both version tables exist, so no DDL is needed. CREATE …
 * IF NOT EXISTS checks the CREATE privilege before existence, so a role that may
 * migrate but not create schemas would fail on it every time. */
static int version_tables_present(strata_conn *c)
{
	if (c->tables_ok)
		return 1;
	int a = 0, b = 0;
	if (pg_table_exists(c, c->version_table, &a, NULL) == 0 &&
	    pg_table_exists(c, "strata_history", &b, NULL) == 0 && a && b)
		c->tables_ok = 1; /* seen committed: they stay for the session */
	return c->tables_ok;
}

/* 1 when the version schema exists (0 also when the query fails: then the DDL
 * that follows reports the real problem). */
static int schema_present(strata_conn *c)
{
	strata_rows r = { 0 };
	const char *p[1] = { c->schema };
	int yes = pg_query(c, "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1", p, 1,
			   &r, NULL) == 0 && r.nrows > 0;
	strata_rows_free(&r);
	return yes;
}

/* The version tables' DDL; nothing when a live connection sees them already. With a
 * NULL connection (offline --sql) the full DDL for the default schema. */
static void pg_version_ddl(strata_conn *c, const strata_conn_opts *o, buf *out)
{
	if (c && version_tables_present(c))
		return;
	const char *schema = version_schema(c, o);
	if (c ? c->schema_set && !schema_present(c) : strcmp(schema, DEFAULT_SCHEMA) != 0) {
		buf_puts(out, "CREATE SCHEMA IF NOT EXISTS ");
		quote_ident(out, schema);
		buf_puts(out, ";\n");
	}
	char *vt = qualified(schema, c ? c->version_table
				       : o && o->version_table ? o->version_table : "strata_version");
	char *ht = qualified(schema, "strata_history");
	buf_printf(out,
		   "CREATE TABLE IF NOT EXISTS %s (\n"
		   "    version_num VARCHAR(255) NOT NULL PRIMARY KEY\n"
		   ");\n"
		   "CREATE TABLE IF NOT EXISTS %s (\n"
		   "    id BIGSERIAL PRIMARY KEY,\n"
		   "    revision VARCHAR(255) NOT NULL,\n"
		   "    direction VARCHAR(8) NOT NULL,\n"
		   "    checksum CHAR(64),\n"
		   "    applied_at TIMESTAMP NOT NULL,\n"
		   "    duration_ms BIGINT NOT NULL DEFAULT 0,\n"
		   "    success INTEGER NOT NULL,\n"
		   "    statements_done INTEGER\n"
		   ");\n",
		   vt, ht);
	free(vt);
	free(ht);
}

/* Appends `key='value'` to a libpq keyword string, quoting as libpq expects. */
static void conninfo_add(buf *b, const char *key, const char *val)
{
	if (b->len)
		buf_putc(b, ' ');
	buf_printf(b, "%s='", key);
	for (const char *p = val; *p; p++) {
		if (*p == '\'' || *p == '\\')
			buf_putc(b, '\\');
		buf_putc(b, *p);
	}
	buf_putc(b, '\'');
}

/* Reads everything from fd into out until EOF. */
static void slurp_fd(int fd, buf *out)
{
	char tmp[4096];
	for (;;) {
		ssize_t n = read(fd, tmp, sizeof tmp);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		buf_add(out, tmp, (size_t)n);
	}
}

/* pg_dump -Fc into a 0600 temporary file beside `path`, then published under `path`
 * (never replacing a file there): a reader never sees a half-written dump. The connection's own parameters go to pg_dump as a
 * keyword string on its command line, the password through PGPASSWORD in its
 * environment, so it never shows in a process listing. */
static int pg_backup(strata_conn *c, const char *path, strata_err *e)
{
	char *tmp = NULL;
	buf conninfo = BUF_INIT, errout = BUF_INIT;
	char *pwenv = NULL;
	vec env = { 0 };
	int rc = STRATA_EFAIL, fd = -1, pipefd[2] = { -1, -1 }, file_made = 0;
	PQconninfoOption *opts = NULL;
	posix_spawn_file_actions_t fa;
	int fa_init = 0;

	if (fs_lexists(path)) {
		err_set(e, STRATA_EFAIL, "backup %s already exists", path);
		goto done;
	}
	/* An unpredictable name, created by mkstemp: pg_dump then writes a file that is
	 * already ours, never one planted (or a symlink) under a guessable name. */
	fd = fs_temp_beside(path, &tmp, e);
	if (fd < 0)
		goto done;
	file_made = 1;
	close(fd);
	fd = -1;

	opts = PQconninfo(c->pg);
	for (PQconninfoOption *o = opts; o && o->keyword; o++) {
		if (!o->val || !*o->val || strchr(o->dispchar, 'D'))
			continue;
		if (strcmp(o->keyword, "password") == 0)
			pwenv = xasprintf("PGPASSWORD=%s", o->val);
		else if (strcmp(o->keyword, "fallback_application_name") != 0 &&
			 strcmp(o->keyword, "client_encoding") != 0) /* pg_dump picks its own */
			conninfo_add(&conninfo, o->keyword, o->val);
	}
	for (char **v = environ; *v; v++)
		if (strncmp(*v, "PGPASSWORD=", 11) != 0 || !pwenv)
			vec_push(&env, *v);
	if (pwenv)
		vec_push(&env, pwenv);
	vec_push(&env, NULL);

	if (pipe(pipefd) != 0) {
		err_set(e, STRATA_EFAIL, "cannot run pg_dump: %s", strerror(errno));
		goto done;
	}
	posix_spawn_file_actions_init(&fa);
	fa_init = 1;
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
	posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	posix_spawn_file_actions_addclose(&fa, pipefd[1]);
	char *argv[] = { "pg_dump", "--format=custom", "--no-password", "--file", tmp,
			 "--dbname", conninfo.ptr, NULL };
	pid_t pid;
	int serr = posix_spawnp(&pid, "pg_dump", &fa, NULL, argv, (char **)env.v);
	close(pipefd[1]);
	pipefd[1] = -1;
	if (serr) {
		if (serr == ENOENT)
			err_set(e, STRATA_EFAIL,
				"cannot back up: pg_dump was not found on PATH (install the PostgreSQL "
				"client programs, e.g. the postgresql-client package)");
		else
			err_set(e, STRATA_EFAIL, "cannot run pg_dump: %s", strerror(serr));
		goto done;
	}
	slurp_fd(pipefd[0], &errout);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		/* pg_dump had the password only in its environment; mask it anyway. */
		buf_rtrim(&errout);
		if (pwenv && strlen(pwenv) >= 11 + 4)
			buf_replace_all(&errout, pwenv + 11, "***");
		char *why = buf_detach(&errout);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && !*why)
			err_set(e, STRATA_EFAIL, "cannot back up: pg_dump could not be run");
		else
			err_set(e, STRATA_EFAIL, "pg_dump failed to back up database \"%s\": %s",
				PQdb(c->pg), *why ? why : "no message");
		free(why);
		goto done;
	}
	if (fs_publish(tmp, path, e)) {
		err_prefix(e, "backup: ");
		goto done;
	}
	file_made = 0;
	rc = 0;
done:
	if (fa_init)
		posix_spawn_file_actions_destroy(&fa);
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (file_made)
		unlink(tmp);
	PQconninfoFree(opts);
	vec_free(&env);
	free(pwenv);
	buf_free(&conninfo);
	buf_free(&errout);
	free(tmp);
	return rc;
}

/* Both spellings libpq accepts; the URL itself goes to libpq untouched. */
static const char *const pg_schemes[] = { "postgresql://", "postgres://", NULL };

/* See strata_backend.lent_handle. */
static void **pg_lent_handle(strata_options *o)
{
	return &o->pg_handle;
}

const strata_backend strata_postgres_backend = {
	.lent_handle = pg_lent_handle,
	.name = "postgresql",
	.schemes = pg_schemes,
	.url_forms = "postgresql://…",
	.caps = STRATA_CAP_TRANSACTIONAL_DDL | STRATA_CAP_DROP_COLUMN | STRATA_CAP_ADVISORY_LOCK |
		STRATA_CAP_SCHEMAS | STRATA_CAP_SHADOW_DATABASE,
	.dialect = STRATA_SQL_BODY_BLOCKS | STRATA_SQL_BLOCK_DEFAULTS,
	.connect = pg_connect,
	.disconnect = pg_disconnect,
	.exec = pg_exec,
	.query = pg_query,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.lock = pg_lock,
	.unlock = pg_unlock,
	.user_tables = pg_user_tables,
	.table_exists = pg_table_exists,
	.table_name = pg_table_name,
	.version_ddl = pg_version_ddl,
	.backup = pg_backup,
	.scratch_copy = pg_scratch_copy,
	.scratch_drop = pg_scratch_drop,
	.scratch_sql = "SET synchronous_commit = off",
	.scratch_list_sql = "SELECT d.datname FROM pg_database d WHERE (d.datname LIKE 'strata\\_shadow\\_%' "
			    "OR d.datname LIKE 'strata\\_verify\\_%') AND NOT EXISTS (SELECT 1 FROM "
			    "pg_stat_activity a WHERE a.datname = d.datname) ORDER BY 1",
	/* The postmaster's start time and port tell clusters apart, the database's oid
	 * the databases of one cluster. */
	.identity_sql = "SELECT current_database() || ' (oid ' || d.oid || ', port ' || current_setting('port') || "
			"', server started ' || pg_postmaster_start_time() || ')' FROM pg_database d "
			"WHERE d.datname = current_database()",
	.introspect = pg_introspect,
	.load_shadow = pg_load_shadow,
	.render = pg_render,
	.type_narrows = pg_type_narrows,
	.interrupt = pg_interrupt,
};
