/*
 * shadow.c — schema.sql → a shadow database → catalog.
 *
 * Only the server reads schema.sql exactly as it will read a revision, and only the
 * server's own printing of what it built can be compared with the live database (see
 * introspect.c), so the declared schema is executed for real:
 *
 *  - by default in a temporary database on the same server, created from template0
 *    as strata_shadow_<pid>_<random> and always dropped again, also on error (this
 *    needs the CREATEDB privilege);
 *  - or, when strata.ini sets `shadow_database = URL`, in that database: it is emptied
 *    (every user schema dropped, public re-created) before and after. The core opens
 *    that connection with strata_conn_opts.shadow set, and a database that holds a
 *    strata_version table is refused rather than emptied.
 *
 * Statements are cut as psql cuts them (src/core/split.h, dollar quoting included) and
 * sent a hundred to a request (see load()); a failure names schema.sql's line.
 */
#define _POSIX_C_SOURCE 200809L
#include "backends/postgres/postgres_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void drop_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Runs `sql`, discarding rows; fills `e` (with `what` in front) on failure. */
static int run(PGconn *pg, const char *sql, const char *what, strata_err *e)
{
	PGresult *r = PQexec(pg, sql);
	ExecStatusType st = PQresultStatus(r);
	int rc = 0;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
		const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
		buf b = BUF_INIT;
		buf_puts(&b, m ? m : PQerrorMessage(pg));
		buf_rtrim(&b);
		rc = err_set(e, STRATA_EFAIL, "%s: %s", what, b.ptr);
		buf_free(&b);
	}
	PQclear(r);
	return rc;
}

/* The 1-based line of character `pos` (the server counts characters) in `sql`. */
static int line_at(const char *sql, long pos)
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

/* Runs statements [from, to) of `l` one at a time in `pg`; the first failure names
 * `path` and its line (the statement's, moved down by where in it the server says it
 * failed). */
static int run_each(PGconn *pg, const strata_stmtlist *l, size_t from, size_t to,
		    const char *path, strata_err *e)
{
	int rc = 0;
	for (size_t i = from; i < to && !rc; i++) {
		PGresult *r = PQexec(pg, l->v[i].sql);
		ExecStatusType st = PQresultStatus(r);
		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
			const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
			const char *pos = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION);
			int line = l->v[i].line;
			if (pos)
				line += line_at(l->v[i].sql, strtol(pos, NULL, 10)) - 1;
			buf b = BUF_INIT;
			buf_puts(&b, m ? m : PQerrorMessage(pg));
			buf_rtrim(&b);
			rc = err_set(e, STRATA_EFAIL, "%s:%d: %s", path, line, b.ptr);
			buf_free(&b);
		}
		PQclear(r);
	}
	return rc;
}

/* Runs `sql` (several statements) in one request and reads every result; 1 when all
 * of them succeeded. */
static int run_batch(PGconn *pg, const char *sql)
{
	int ok = PQsendQuery(pg, sql);
	for (PGresult *r; (r = PQgetResult(pg));) {
		ExecStatusType st = PQresultStatus(r);
		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY)
			ok = 0;
		PQclear(r);
	}
	return ok;
}

/* 1 when statement `sql` opens, ends or marks a transaction (its first word is one of
 * those): a script holding one is run statement by statement. */
static int tx_word(const char *sql)
{
	static const char *const words[] = { "begin", "start", "commit", "end", "rollback",
					     "abort", "prepare", "savepoint", "release", NULL };
	for (const char *const *w = words; *w; w++) {
		size_t n = strlen(*w);
		if (strncasecmp(sql, *w, n) == 0 && !isalnum((unsigned char)sql[n]) && sql[n] != '_')
			return 1;
	}
	return 0;
}

/* Statements sent per request: each request is one transaction, and every relation it
 * creates holds a lock until it ends, so a request stays well inside the server's
 * lock table (max_locks_per_transaction × max_connections). */
#define LOAD_BATCH 100

/*
 * Runs schema.sql in `pg`, LOAD_BATCH statements per request instead of one request
 * per statement. A request of several statements is one (implicit) transaction, so
 * when one of them fails nothing of that request stays, and its statements are run
 * again one at a time: that names the failing statement's line as before, and runs
 * what a transaction refuses (CREATE INDEX CONCURRENTLY, a procedure that commits).
 * A script that controls transactions itself runs statement by statement.
 */
static int load(PGconn *pg, const char *schema_sql, const char *path, strata_err *e)
{
	strata_stmtlist l = { 0 };
	int rc = 0, batch = 1;
	if (strata_split(schema_sql, strlen(schema_sql), strata_postgres_backend.dialect, 1, &l, e)) {
		err_prefix(e, "%s: ", path);
		return STRATA_EFAIL;
	}
	for (size_t i = 0; i < l.n && batch; i++)
		batch = !tx_word(l.v[i].sql);
	buf sql = BUF_INIT;
	for (size_t at = 0; at < l.n && !rc;) {
		size_t to = batch && l.n - at > LOAD_BATCH ? at + LOAD_BATCH : batch ? l.n : at + 1;
		if (to - at > 1) {
			buf_reset(&sql);
			for (size_t i = at; i < to; i++) {
				buf_puts(&sql, l.v[i].sql);
				buf_puts(&sql, ";\n");
			}
			if (run_batch(pg, sql.ptr)) {
				at = to;
				continue;
			}
			if (PQtransactionStatus(pg) == PQTRANS_INERROR)
				PQclear(PQexec(pg, "ROLLBACK"));
		}
		rc = run_each(pg, &l, at, to, path, e);
		at = to;
	}
	buf_free(&sql);
	strata_stmtlist_free(&l);
	return rc;
}

/* Drops what a database holds outside its schemas and no extension owns: subscriptions
 * (disabled and detached from their slot first), publications, event triggers, foreign
 * data wrappers with their servers, access methods, languages, and casts between
 * built-in types (others go with their types). */
#define NOT_EXT_X(cls) \
	" AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '" cls "'::regclass " \
	"AND d.objid = o.oid AND d.deptype = 'e') "
#define WIPE_UNSCHEMED                                                                    \
	"DO $strata$ DECLARE x record; BEGIN "                                             \
	"FOR x IN SELECT subname AS n FROM pg_subscription WHERE subdbid = (SELECT oid FROM " \
	"pg_database WHERE datname = current_database()) LOOP "                           \
	"EXECUTE format('ALTER SUBSCRIPTION %I DISABLE', x.n); "                          \
	"EXECUTE format('ALTER SUBSCRIPTION %I SET (slot_name = NONE)', x.n); "           \
	"EXECUTE format('DROP SUBSCRIPTION %I', x.n); END LOOP; "                         \
	"FOR x IN SELECT pubname AS n FROM pg_publication LOOP "                          \
	"EXECUTE format('DROP PUBLICATION %I', x.n); END LOOP; "                          \
	"FOR x IN SELECT o.oid, evtname AS n FROM pg_event_trigger o WHERE true"             \
	NOT_EXT_X("pg_event_trigger") "LOOP "                                              \
	"EXECUTE format('DROP EVENT TRIGGER %I', x.n); END LOOP; "                        \
	"FOR x IN SELECT o.oid, fdwname AS n FROM pg_foreign_data_wrapper o WHERE o.oid >= 16384" \
	NOT_EXT_X("pg_foreign_data_wrapper") "LOOP "                                       \
	"EXECUTE format('DROP FOREIGN DATA WRAPPER %I CASCADE', x.n); END LOOP; "         \
	"FOR x IN SELECT o.oid, amname AS n FROM pg_am o WHERE o.oid >= 16384" NOT_EXT_X("pg_am") \
	"LOOP EXECUTE format('DROP ACCESS METHOD %I CASCADE', x.n); END LOOP; "           \
	"FOR x IN SELECT o.oid, lanname AS n FROM pg_language o WHERE o.oid >= 16384"          \
	NOT_EXT_X("pg_language") "LOOP "                                                   \
	"EXECUTE format('DROP LANGUAGE %I CASCADE', x.n); END LOOP; "                     \
	"FOR x IN SELECT o.oid, format('(%s AS %s)', format_type(castsource, NULL), "       \
	"format_type(casttarget, NULL)) AS n FROM pg_cast o WHERE o.oid >= 16384 AND "     \
	"castsource < 16384 AND casttarget < 16384"                                         \
	NOT_EXT_X("pg_cast") "LOOP EXECUTE 'DROP CAST ' || x.n; END LOOP; END $strata$"

/* Empties the configured shadow database: every user schema goes, public comes back. */
static int wipe(PGconn *pg, strata_err *e)
{
	PGresult *r = PQexec(pg,
			     "SELECT n.nspname, EXISTS (SELECT 1 FROM pg_class c WHERE "
			     "c.relnamespace = n.oid AND c.relname = 'strata_version') FROM "
			     "pg_namespace n WHERE n.nspname NOT IN ('pg_catalog', "
			     "'information_schema') AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1");
	int rc = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		PQclear(r);
		return err_set(e, STRATA_EFAIL, "cannot read the shadow database: %s",
			       PQerrorMessage(pg));
	}
	for (int i = 0; i < PQntuples(r); i++)
		if (PQgetvalue(r, i, 1)[0] == 't') {
			rc = err_set(e, STRATA_EFAIL,
				     "shadow database \"%s\" holds a strata_version table: it looks like "
				     "a migrated database, and a shadow database is emptied on every "
				     "use; point shadow_database at a database of its own", PQdb(pg));
			goto done;
		}
	/* All of it in one request, which is one transaction: first what lives outside
	 * schemas (an event trigger would also fire on the drops), then the schemas, then
	 * public as a new database (PostgreSQL 15) has it — owner, privileges, comment — so
	 * that its privileges compare equal. When any of that fails nothing happened, and
	 * it is done again step by step below. */
	buf all = BUF_INIT;
	buf_puts(&all, WIPE_UNSCHEMED ";\n");
	for (int i = 0; i < PQntuples(r); i++) {
		buf_puts(&all, "DROP SCHEMA ");
		pg_quote(&all, PQgetvalue(r, i, 0));
		buf_puts(&all, " CASCADE;\n");
	}
	buf_puts(&all, "CREATE SCHEMA public AUTHORIZATION pg_database_owner;\n"
		       "GRANT USAGE ON SCHEMA public TO PUBLIC;\n"
		       "COMMENT ON SCHEMA public IS 'standard public schema'");
	int done_at_once = run_batch(pg, all.ptr);
	buf_free(&all);
	if (done_at_once)
		goto done;
	rc = run(pg, WIPE_UNSCHEMED, "cannot empty the shadow database", e);
	for (int i = 0; i < PQntuples(r) && !rc; i++) {
		buf b = BUF_INIT;
		buf_puts(&b, "DROP SCHEMA ");
		pg_quote(&b, PQgetvalue(r, i, 0));
		buf_puts(&b, " CASCADE");
		rc = run(pg, b.ptr, "cannot empty the shadow database", e);
		buf_free(&b);
	}
	/* public as a new database has it; else (an older server, a role that may not do
	 * that) plainly. */
	if (!rc && !run(pg, "CREATE SCHEMA public AUTHORIZATION pg_database_owner", "", NULL)) {
		run(pg, "GRANT USAGE ON SCHEMA public TO PUBLIC", "", NULL);
		run(pg, "COMMENT ON SCHEMA public IS 'standard public schema'", "", NULL);
	} else if (!rc) {
		rc = run(pg, "CREATE SCHEMA public", "cannot empty the shadow database", e);
	}
done:
	PQclear(r);
	return rc;
}

/* Opens a session to database `db` with the live session's other connection settings. */
static PGconn *connect_to(PGconn *live, const char *db)
{
	PQconninfoOption *opts = PQconninfo(live);
	size_t n = 0;
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		n++;
	const char **keys = xcalloc(n + 2, sizeof(*keys));
	const char **vals = xcalloc(n + 2, sizeof(*vals));
	size_t k = 0;
	for (PQconninfoOption *o = opts; o && o->keyword; o++) {
		if (!o->val || strcmp(o->keyword, "dbname") == 0)
			continue;
		keys[k] = o->keyword;
		vals[k++] = o->val;
	}
	keys[k] = "dbname";
	vals[k++] = db;
	PGconn *pg = PQconnectdbParams(keys, vals, 0);
	free(keys);
	free(vals);
	PQconninfoFree(opts);
	return pg;
}

/* Loads schema.sql into a shadow database and reads it; see the header comment. */
int pg_load_shadow(strata_conn *c, const char *schema_sql, const char *schema_path,
		   strata_catalog **out, strata_err *e)
{
	PGconn *live = strata_pg_handle(c), *sh = NULL;
	const char *vs = strata_pg_version_schema(c);
	const char *path = schema_path ? schema_path : "schema.sql";
	buf name = BUF_INIT, sql = BUF_INIT;
	int rc = 0, created = 0;
	*out = NULL;
	if (!schema_sql)
		schema_sql = "";

	if (strata_pg_is_shadow(c)) {
		if ((rc = wipe(live, e)))
			return rc;
		rc = load(live, schema_sql, path, e);
		if (!rc)
			rc = pg_read_catalog(live, vs, strata_pg_version_table(c), 0, out, e);
		strata_err e2 = STRATA_ERR_INIT;
		if (wipe(live, &e2) && !rc) {
			err_move(e, &e2);
			rc = STRATA_EFAIL;
		}
		err_clear(&e2);
		return rc;
	}

	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	unsigned long rnd = (unsigned long)ts.tv_nsec ^ ((unsigned long)ts.tv_sec << 20) ^
			    ((unsigned long)(size_t)&ts >> 4);
	buf_printf(&name, "strata_shadow_%ld_%06lx", (long)getpid(), rnd & 0xffffffUL);
	buf_puts(&sql, "CREATE DATABASE ");
	pg_quote(&sql, name.ptr);
	buf_puts(&sql, " TEMPLATE template0");
	PGresult *r = PQexec(live, sql.ptr);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
		if (state && strcmp(state, "42501") == 0)
			rc = err_set(e, STRATA_EFAIL,
				     "cannot create a shadow database to load %s: role \"%s\" lacks the "
				     "CREATEDB privilege. Grant it (ALTER ROLE \"%s\" CREATEDB) or set "
				     "shadow_database = URL in strata.ini to a database strata may empty",
				     path, PQuser(live), PQuser(live));
		else
			rc = err_set(e, STRATA_EFAIL, "cannot create a shadow database to load %s: %s",
				     path, m ? m : PQerrorMessage(live));
		PQclear(r);
		goto done;
	}
	PQclear(r);
	created = 1;
	sh = connect_to(live, name.ptr);
	if (PQstatus(sh) != CONNECTION_OK) {
		rc = err_set(e, STRATA_EFAIL, "cannot connect to the shadow database: %s",
			     PQerrorMessage(sh));
		goto done;
	}
	PQsetNoticeProcessor(sh, drop_notice, NULL);
	rc = load(sh, schema_sql, path, e);
	if (!rc)
		rc = pg_read_catalog(sh, vs, strata_pg_version_table(c), 0, out, e);
done:
	if (sh)
		PQfinish(sh);
	if (created) {
		buf_reset(&sql);
		buf_puts(&sql, "DROP DATABASE IF EXISTS ");
		pg_quote(&sql, name.ptr);
		buf_puts(&sql, " WITH (FORCE)");
		strata_err e2 = STRATA_ERR_INIT;
		if (run(live, sql.ptr, "cannot drop the shadow database", &e2) && !rc) {
			err_move(e, &e2);
			rc = STRATA_EFAIL;
		}
		err_clear(&e2);
	}
	if (rc) {
		strata_catalog_free(*out);
		*out = NULL;
	}
	buf_free(&name);
	buf_free(&sql);
	return rc;
}
