/*
 * verify: rehearses pending revisions on a scratch copy of the database.
 *
 * The copy is opened as a second handle with the same configuration, so every step
 * goes through the ordinary runner (transactions, version table, file-and-line
 * errors). For each pending revision, in upgrade order: upgrade it, downgrade it,
 * compare the schema with the one before the upgrade, upgrade it again; row counts of
 * every table are taken before and after. The real database is only read: SQLite is
 * copied with the online backup API, PostgreSQL with pg_dump piped into pg_restore
 * to a temporary database on the same server. The copy is removed on every path out.
 */
#define _POSIX_C_SOURCE 200809L
#include "core/ctx.h"
#include "core/schema_source.h"
#include "core/split.h"
#include "schema/catalog.h"
#include "schema/diff.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* The SQLite backend's reading of a sqlite: URL (the file path, malloc'd, or NULL). */
char *sqlite_url_path(const char *url);

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* --- the scratch copy ----------------------------------------------------------- */

typedef struct scratch {
	strata *live;
	strata *s;     /* the handle on the copy, or NULL */
	char *dir;     /* temporary directory (SQLite: holds the copy) */
	char *file;    /* SQLite: the copy */
	char *pgname;  /* PostgreSQL: the temporary database, once created */
	char *url;     /* the copy's URL */
} scratch;

/* A temporary directory under $TMPDIR (or /tmp), mode 0700; malloc'd path or NULL. */
static char *temp_dir(void)
{
	const char *t = getenv("TMPDIR");
	char *tmpl = xasprintf("%s/strata-verify-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpl)) {
		free(tmpl);
		return NULL;
	}
	return tmpl;
}

/* Removes every file in `dir` (SQLite may leave -journal, -wal, -shm) and `dir`. */
static void remove_dir(const char *dir)
{
	strvec names = { 0 };
	if (fs_list(&names, dir, NULL, NULL) == 0)
		for (size_t i = 0; i < names.n; i++) {
			char *p = fs_join(dir, names.v[i]);
			unlink(p);
			free(p);
		}
	strvec_free(&names);
	rmdir(dir);
}

/* Appends `s` to `b` as a SQL string literal. */
static void put_literal(buf *b, const char *s)
{
	buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			buf_putc(b, '\'');
		buf_putc(b, *s);
	}
	buf_putc(b, '\'');
}

/* Appends `s` to `b` as a double-quoted identifier. */
static void put_ident(buf *b, const char *s, size_t n)
{
	buf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			buf_putc(b, '"');
		buf_putc(b, s[i]);
	}
	buf_putc(b, '"');
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* %XX-decodes n bytes of s (a URL component); malloc'd. */
static char *pct_decode(const char *s, size_t n)
{
	buf b = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		int hi, lo;
		if (s[i] == '%' && i + 2 < n && (hi = hexval((unsigned char)s[i + 1])) >= 0 && (lo = hexval((unsigned char)s[i + 2])) >= 0) {
			buf_putc(&b, (char)(hi * 16 + lo));
			i += 2;
		} else {
			buf_putc(&b, s[i]);
		}
	}
	return buf_detach(&b);
}

/* Rewrites a postgresql:// URL: with `dbname` non-NULL that database replaces the
 * URL's; without `keep_pw` the password is left out (pg_dump and pg_restore get it
 * through their environment, never their command line). *pw receives the password,
 * NULL when the URL has none. Both results are malloc'd. */
static void pg_url_parts(const char *url, const char *dbname, int keep_pw, char **out, char **pw)
{
	buf b = BUF_INIT;
	*pw = NULL;
	const char *auth = strstr(url, "://");
	auth = auth ? auth + 3 : url;
	buf_add(&b, url, (size_t)(auth - url));
	size_t alen = strcspn(auth, "/?");
	const char *at = memchr(auth, '@', alen);
	const char *host = auth;
	if (at) {
		const char *colon = memchr(auth, ':', (size_t)(at - auth));
		if (colon) {
			buf_add(&b, auth, (size_t)((keep_pw ? at : colon) - auth));
			*pw = pct_decode(colon + 1, (size_t)(at - colon - 1));
		} else {
			buf_add(&b, auth, (size_t)(at - auth));
		}
		buf_putc(&b, '@');
		host = at + 1;
	}
	buf_add(&b, host, (size_t)(auth + alen - host));
	const char *rest = auth + alen;
	size_t plen = rest[0] == '/' ? strcspn(rest, "?") : 0;
	if (dbname)
		buf_printf(&b, "/%s", dbname);
	else
		buf_add(&b, rest, plen);
	rest += plen;
	int first = 1;
	if (*rest == '?')
		rest++;
	while (*rest) {
		size_t n = strcspn(rest, "&");
		int is_pw = n >= 9 && strncmp(rest, "password=", 9) == 0;
		if (is_pw) {
			free(*pw);
			*pw = pct_decode(rest + 9, n - 9);
		}
		if (n && (!is_pw || keep_pw) && !(dbname && n >= 7 && strncmp(rest, "dbname=", 7) == 0)) {
			buf_putc(&b, first ? '?' : '&');
			buf_add(&b, rest, n);
			first = 0;
		}
		rest += n;
		if (*rest == '&')
			rest++;
	}
	*out = buf_detach(&b);
}

/* The environment for a PostgreSQL client program: ours, with PGPASSWORD set to
 * `pw` when there is one. vec of borrowed strings plus *owned to free. */
static void client_env(vec *env, const char *pw, char **owned)
{
	*owned = pw ? xasprintf("PGPASSWORD=%s", pw) : NULL;
	for (char **v = environ; *v; v++)
		if (!*owned || strncmp(*v, "PGPASSWORD=", 11) != 0)
			vec_push(env, *v);
	if (*owned)
		vec_push(env, *owned);
	vec_push(env, NULL);
}

/* Replaces every occurrence of the password `pw` in `b` with ***. */
static void mask(buf *b, const char *pw)
{
	if (!pw || !*pw || !strstr(b->ptr, pw))
		return;
	buf out = BUF_INIT;
	size_t n = strlen(pw);
	for (const char *p = b->ptr; *p;) {
		const char *hit = strstr(p, pw);
		if (!hit) {
			buf_puts(&out, p);
			break;
		}
		buf_add(&out, p, (size_t)(hit - p));
		buf_puts(&out, "***");
		p = hit + n;
	}
	buf_free(b);
	*b = out;
}

/* pg_dump of the live database piped into pg_restore to `dst` (a clean URL);
 * their standard error collected in a file of the scratch directory. */
static int pg_copy(scratch *sc, int with_data, const char *src, const char *dst, const char *pw,
		   strata_err *e)
{
	vec env = { 0 };
	char *pwenv = NULL, *errpath = fs_join(sc->dir, "client.err");
	int rc = STRATA_EFAIL, pipefd[2] = { -1, -1 }, errfd = -1;
	pid_t dump = -1, restore = -1;
	posix_spawn_file_actions_t fa_dump, fa_restore;
	int fa = 0;
	buf why = BUF_INIT;
	client_env(&env, pw, &pwenv);
	errfd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (errfd < 0 || pipe(pipefd) != 0) {
		err_set(e, STRATA_EFAIL, "cannot copy the database: %s", strerror(errno));
		goto done;
	}
	posix_spawn_file_actions_init(&fa_dump);
	posix_spawn_file_actions_init(&fa_restore);
	fa = 1;
	posix_spawn_file_actions_addopen(&fa_dump, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa_dump, pipefd[1], 1);
	posix_spawn_file_actions_adddup2(&fa_dump, errfd, 2);
	posix_spawn_file_actions_addclose(&fa_dump, pipefd[0]);
	posix_spawn_file_actions_addclose(&fa_dump, pipefd[1]);
	posix_spawn_file_actions_addclose(&fa_dump, errfd);
	posix_spawn_file_actions_adddup2(&fa_restore, pipefd[0], 0);
	posix_spawn_file_actions_addopen(&fa_restore, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa_restore, errfd, 2);
	posix_spawn_file_actions_addclose(&fa_restore, pipefd[0]);
	posix_spawn_file_actions_addclose(&fa_restore, pipefd[1]);
	posix_spawn_file_actions_addclose(&fa_restore, errfd);
	char *dargv[] = { "pg_dump", "--format=custom", "--no-password",
			  with_data ? "--no-sync" : "--schema-only", "--dbname", (char *)src, NULL };
	char *rargv[] = { "pg_restore", "--no-password", "--no-owner", "--no-privileges",
			  "--exit-on-error", "--single-transaction", "--dbname", (char *)dst, NULL };
	int serr = posix_spawnp(&dump, "pg_dump", &fa_dump, NULL, dargv, (char **)env.v);
	if (!serr)
		serr = posix_spawnp(&restore, "pg_restore", &fa_restore, NULL, rargv, (char **)env.v);
	close(pipefd[0]);
	close(pipefd[1]);
	pipefd[0] = pipefd[1] = -1;
	if (serr) {
		err_set(e, STRATA_EFAIL,
			"cannot copy the database: %s (verify on PostgreSQL runs pg_dump and "
			"pg_restore: install the PostgreSQL client programs)",
			serr == ENOENT ? "pg_dump or pg_restore was not found on PATH" : strerror(serr));
		goto done;
	}
	int st_dump = 0, st_restore = 0;
	while (waitpid(dump, &st_dump, 0) < 0 && errno == EINTR)
		;
	dump = -1;
	while (waitpid(restore, &st_restore, 0) < 0 && errno == EINTR)
		;
	restore = -1;
	int ok_dump = WIFEXITED(st_dump) && WEXITSTATUS(st_dump) == 0;
	int ok_restore = WIFEXITED(st_restore) && WEXITSTATUS(st_restore) == 0;
	if (!ok_dump || !ok_restore) {
		fs_read(&why, errpath, NULL);
		buf_rtrim(&why);
		mask(&why, pw);
		err_set(e, STRATA_EFAIL, "cannot copy the database: %s failed: %s",
			!ok_dump ? "pg_dump" : "pg_restore", why.len ? why.ptr : "no message");
		goto done;
	}
	rc = 0;
done:
	if (dump > 0)
		waitpid(dump, NULL, 0);
	if (restore > 0)
		waitpid(restore, NULL, 0);
	if (fa) {
		posix_spawn_file_actions_destroy(&fa_dump);
		posix_spawn_file_actions_destroy(&fa_restore);
	}
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (errfd >= 0)
		close(errfd);
	unlink(errpath);
	free(errpath);
	free(pwenv);
	vec_free(&env);
	buf_free(&why);
	return rc;
}

/* A temporary database on the live server, created from template0 with the live
 * database's encoding and collation, filled by pg_copy. */
static int pg_scratch(scratch *sc, int with_data, strata_err *e)
{
	strata *s = sc->live;
	char stamp[32];
	snprintf(stamp, sizeof stamp, "%lx", (unsigned long)time(NULL) ^ ((unsigned long)clock() << 8));
	char *name = xasprintf("strata_verify_%ld_%s", (long)getpid(), stamp);
	buf sql = BUF_INIT;
	strata_rows r = { 0 };
	int rc = 0, created = 0;
	buf_puts(&sql, "CREATE DATABASE ");
	put_ident(&sql, name, strlen(name));
	buf_puts(&sql, " TEMPLATE template0");
	size_t plain = sql.len;
	if (s->be->query(s->conn,
			 "SELECT pg_catalog.pg_encoding_to_char(encoding), datcollate, datctype"
			 " FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()",
			 NULL, 0, &r, NULL) == 0 && r.nrows == 1 && r.ncols == 3 && r.cells[0] &&
	    r.cells[1] && r.cells[2]) {
		buf_puts(&sql, " ENCODING ");
		put_literal(&sql, r.cells[0]);
		buf_puts(&sql, " LC_COLLATE ");
		put_literal(&sql, r.cells[1]);
		buf_puts(&sql, " LC_CTYPE ");
		put_literal(&sql, r.cells[2]);
		created = s->be->exec(s->conn, sql.ptr, NULL) == 0;
	}
	/* Without the live settings (e.g. an ICU database): the server's defaults. */
	buf_truncate(&sql, plain);
	if (!created && (rc = s->be->exec(s->conn, sql.ptr, e)))
		goto fail;
	sc->pgname = name;
	name = NULL;
	char *src = NULL, *dst = NULL, *pw = NULL, *pw2 = NULL, *pw3 = NULL;
	pg_url_parts(s->url, NULL, 0, &src, &pw);
	pg_url_parts(s->url, sc->pgname, 0, &dst, &pw2);
	pg_url_parts(s->url, sc->pgname, 1, &sc->url, &pw3);
	rc = pg_copy(sc, with_data, src, dst, pw, e);
	free(src);
	free(dst);
	free(pw);
	free(pw2);
	free(pw3);
	strata_rows_free(&r);
	buf_free(&sql);
	return rc;
fail:
	err_prefix(e, "cannot create a temporary database for the copy: ");
	free(name);
	strata_rows_free(&r);
	buf_free(&sql);
	return rc;
}

/* Events of the handle on the copy that the caller may want: statements (for -v)
 * and warnings. Its own step events would mislead: verify reports one step per
 * revision on the live handle. */
static void forward_event(void *ctx, const strata_event *ev)
{
	if (ev->kind == STRATA_EVENT_STATEMENT || ev->kind == STRATA_EVENT_WARNING)
		ctx_event(ctx, ev);
}

/* Makes the copy and opens a handle on it with the live handle's configuration.
 * `fresh` names a SQLite file that does not exist yet (and must not be created by
 * connecting to it): the copy is then a new empty database. */
static int scratch_open(scratch *sc, int with_data, const char *fresh, char **how)
{
	strata *s = sc->live;
	strata_err e = STRATA_ERR_INIT;
	int rc = 0;
	if (!(sc->dir = temp_dir()))
		return ctx_fail(s, STRATA_EFAIL, "cannot create a temporary directory for the copy: %s",
				strerror(errno));
	if (fresh) {
		/* No database yet: the copy of nothing is an empty database. */
		sc->file = fs_join(sc->dir, "copy.db");
		sc->url = xasprintf("sqlite:%s", sc->file);
		*how = xasprintf("a new empty SQLite database (%s does not exist yet)", fresh);
	} else if (s->be == &strata_sqlite_backend) {
		sc->file = fs_join(sc->dir, "copy.db");
		if ((rc = s->be->backup(s->conn, sc->file, &e))) {
			err_prefix(&e, "cannot copy the database: ");
			return ctx_take(s, &e);
		}
		sc->url = xasprintf("sqlite:%s", sc->file);
		*how = xasprintf("SQLite online backup to a temporary file");
	} else if (s->be->dialect == STRATA_DIALECT_POSTGRES && s->url) {
		if ((rc = pg_scratch(sc, with_data, &e)))
			return ctx_take(s, &e);
		*how = xasprintf("temporary database %s on the same server (%s)", sc->pgname,
				 with_data ? "schema and data" : "schema only");
	} else {
		return ctx_fail(s, STRATA_EFAIL, "verify cannot copy a %s database", s->be->name);
	}
	strata_options o = s->opts;
	o.config_path = s->config_path;
	o.database_url = sc->url;
	o.use_env = 0;
	o.script_location = s->script_location;
	o.schema_path = s->schema_path;
	o.sqlite_handle = NULL;
	o.read_only = 0; /* the scratch copy is strata's to create and change */
	o.lock_timeout_ms = s->lock_timeout_ms;
	o.on_event = forward_event;
	o.event_ctx = s;
	if ((rc = strata_open(&sc->s, &o)) || (rc = ctx_graph(sc->s)) || (rc = ctx_connect(sc->s))) {
		ctx_fail(s, rc, "cannot open the copy: %s", strata_errmsg(sc->s));
		return rc;
	}
	/* The copy is thrown away, so nothing it writes needs to survive a crash: no
	 * waiting for the disk at each commit, and a page cache that holds the whole copy
	 * for the row counts. What the statements do is unchanged (rollback included). */
	strata *c = sc->s;
	if (c->be->dialect == STRATA_DIALECT_SQLITE) {
		c->be->exec(c->conn, "PRAGMA synchronous = OFF", NULL);
		c->be->exec(c->conn, "PRAGMA journal_mode = MEMORY", NULL);
		c->be->exec(c->conn, "PRAGMA cache_size = -262144", NULL);
	} else if (c->be->dialect == STRATA_DIALECT_POSTGRES) {
		c->be->exec(c->conn, "SET synchronous_commit = off", NULL);
	}
	return 0;
}

/* Closes the copy and removes it: the temporary file, or the temporary database
 * (dropped through the live connection once the copy's own is closed). */
static int scratch_close(scratch *sc, strata_err *e)
{
	strata *s = sc->live;
	int rc = 0;
	strata_free(sc->s);
	sc->s = NULL;
	if (sc->pgname) {
		buf sql = BUF_INIT;
		buf_puts(&sql, "DROP DATABASE IF EXISTS ");
		put_ident(&sql, sc->pgname, strlen(sc->pgname));
		size_t plain = sql.len;
		buf_puts(&sql, " WITH (FORCE)");
		if (s->be->exec(s->conn, sql.ptr, NULL) != 0) {
			buf_truncate(&sql, plain); /* before PostgreSQL 13 */
			rc = s->be->exec(s->conn, sql.ptr, e);
			if (rc)
				err_prefix(e, "could not drop the temporary database %s (drop it by hand): ",
					   sc->pgname);
		}
		buf_free(&sql);
	}
	if (sc->dir)
		remove_dir(sc->dir);
	free(sc->dir);
	free(sc->file);
	free(sc->pgname);
	free(sc->url);
	memset(sc, 0, sizeof *sc);
	return rc;
}

/* --- schema snapshots ------------------------------------------------------------- */

/* The schema at one moment: a catalog where the backend can introspect, else
 * canonical text lines read from PostgreSQL's system catalogs. */
typedef struct snapshot {
	strata_catalog *cat;
	strvec lines;
} snapshot;

static void snap_free(snapshot *sn)
{
	strata_catalog_free(sn->cat);
	sn->cat = NULL;
	strvec_free(&sn->lines);
}

/* One line per object of the user's schemas, in a form that compares equal when the
 * schema is the same: columns with type, NOT NULL and default; constraints, indexes,
 * views, triggers as the server prints them; sequences, enum types, functions
 * (their definition's hash), schemas, extensions. strata's own tables are left out;
 * so are objects that belong to extensions. */
static const char pg_catalog_text[] =
	"WITH ns AS (SELECT oid, nspname FROM pg_catalog.pg_namespace"
	"  WHERE nspname NOT IN ('information_schema') AND nspname NOT LIKE 'pg\\_%'),"
	" rel AS (SELECT c.oid, c.relname, c.relkind, ns.nspname FROM pg_catalog.pg_class c"
	"  JOIN ns ON ns.oid = c.relnamespace"
	"  WHERE c.relname NOT IN ('strata_version', 'strata_history', 'strata_history_id_seq',"
	"                         'strata_version_pkey', 'strata_history_pkey')"
	"    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass"
	"                    AND d.objid = c.oid AND d.deptype = 'e'))"
	" SELECT line FROM ("
	"  SELECT 'schema ' || nspname AS line FROM ns"
	"  UNION ALL SELECT 'extension ' || extname FROM pg_catalog.pg_extension"
	"  UNION ALL SELECT CASE r.relkind WHEN 'v' THEN 'view ' WHEN 'm' THEN 'view ' ELSE 'table ' END"
	"    || r.nspname || '.' || r.relname || ' column ' || a.attname || ' '"
	"    || pg_catalog.format_type(a.atttypid, a.atttypmod)"
	"    || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END"
	"    || COALESCE(' DEFAULT ' || pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), '')"
	"    FROM rel r JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped"
	"    LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = r.oid AND ad.adnum = a.attnum"
	"    WHERE r.relkind IN ('r', 'p', 'v', 'm', 'f')"
	"  UNION ALL SELECT 'table ' || r.nspname || '.' || r.relname FROM rel r WHERE r.relkind IN ('r', 'p', 'f')"
	"  UNION ALL SELECT 'constraint ' || r.nspname || '.' || r.relname || ' ' || co.conname || ' '"
	"    || pg_catalog.pg_get_constraintdef(co.oid)"
	"    FROM pg_catalog.pg_constraint co JOIN rel r ON r.oid = co.conrelid"
	"  UNION ALL SELECT 'index ' || r.nspname || '.' || r.relname || ' '"
	"    || pg_catalog.pg_get_indexdef(r.oid) FROM rel r WHERE r.relkind IN ('i', 'I')"
	"  UNION ALL SELECT 'view ' || r.nspname || '.' || r.relname || ' '"
	"    || pg_catalog.pg_get_viewdef(r.oid) FROM rel r WHERE r.relkind IN ('v', 'm')"
	"  UNION ALL SELECT 'sequence ' || r.nspname || '.' || r.relname FROM rel r WHERE r.relkind = 'S'"
	"  UNION ALL SELECT 'trigger ' || r.nspname || '.' || r.relname || ' ' || pg_catalog.pg_get_triggerdef(t.oid)"
	"    FROM pg_catalog.pg_trigger t JOIN rel r ON r.oid = t.tgrelid WHERE NOT t.tgisinternal"
	"  UNION ALL SELECT 'type ' || ns.nspname || '.' || ty.typname || ' enum ('"
	"    || string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) || ')'"
	"    FROM pg_catalog.pg_type ty JOIN ns ON ns.oid = ty.typnamespace"
	"    JOIN pg_catalog.pg_enum e ON e.enumtypid = ty.oid GROUP BY ns.nspname, ty.typname"
	"  UNION ALL SELECT 'function ' || ns.nspname || '.' || p.proname || '('"
	"    || pg_catalog.pg_get_function_identity_arguments(p.oid) || ') definition '"
	"    || md5(pg_catalog.pg_get_functiondef(p.oid))"
	"    FROM pg_catalog.pg_proc p JOIN ns ON ns.oid = p.pronamespace"
	"    WHERE p.prokind IN ('f', 'p') AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
	"      WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')"
	" ) x ORDER BY 1";

/* Reads the copy's schema into *sn. */
static int snap_take(strata *c, snapshot *sn, strata_err *e)
{
	memset(sn, 0, sizeof *sn);
	if (c->be->introspect)
		return c->be->introspect(c->conn, &sn->cat, e);
	strata_rows r = { 0 };
	int rc = c->be->query(c->conn, pg_catalog_text, NULL, 0, &r, e);
	for (size_t i = 0; !rc && i < r.nrows; i++)
		if (r.cells[i])
			strvec_push(&sn->lines, r.cells[i]);
	strata_rows_free(&r);
	return rc;
}

/* Appends to `out` one line per difference from `a` (before the upgrade) to `b`
 * (after the downgrade): "+ …" is left behind, "- …" is missing, "~ …" changed. */
static void snap_diff(const snapshot *a, const snapshot *b, strvec *out)
{
	if (a->cat && b->cat) {
		strata_oplist *ops = NULL;
		buf why = BUF_INIT;
		if (strata_catalog_equal(a->cat, b->cat, &why) && strata_catalog_equal(b->cat, a->cat, NULL)) {
			buf_free(&why);
			return;
		}
		if (strata_diff_catalogs(&ops, a->cat, b->cat, NULL, NULL) == 0) {
			for (size_t i = 0; i < ops->n; i++) {
				buf line = BUF_INIT;
				strata_op_describe(&line, &ops->v[i]);
				if (line.len && !strvec_contains(out, line.ptr))
					strvec_push(out, line.ptr);
				buf_free(&line);
			}
		}
		strata_oplist_free(ops);
		if (!out->n) {
			buf_rtrim(&why);
			strvec_push(out, why.len ? why.ptr : "the schema differs");
		}
		buf_free(&why);
		return;
	}
	/* Two sorted line lists: a merge. */
	size_t i = 0, j = 0;
	while (i < a->lines.n || j < b->lines.n) {
		int c = i >= a->lines.n ? 1 : j >= b->lines.n ? -1 : strcmp(a->lines.v[i], b->lines.v[j]);
		if (c == 0) {
			i++;
			j++;
		} else if (c < 0) {
			char *l = xasprintf("- %s", a->lines.v[i++]);
			strvec_push_owned(out, l);
		} else {
			char *l = xasprintf("+ %s", b->lines.v[j++]);
			strvec_push_owned(out, l);
		}
	}
}

/* --- row counts -------------------------------------------------------------------- */

typedef struct counts {
	strvec tables;    /* sorted */
	long long *rows;
} counts;

static void counts_free(counts *k)
{
	strvec_free(&k->tables);
	free(k->rows);
	k->rows = NULL;
}

/* Counts the rows of every user table of the copy. PostgreSQL names tables outside
 * public as schema.table. */
static int counts_take(strata *c, counts *k, strata_err *e)
{
	char **names = NULL;
	size_t n = 0;
	memset(k, 0, sizeof *k);
	int rc = c->be->user_tables(c->conn, &names, &n, e);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++)
		strvec_push(&k->tables, names[i]);
	strata_strings_free(names, n);
	strvec_sort(&k->tables);
	k->rows = xcalloc(k->tables.n + 1, sizeof(long long));
	for (size_t i = 0; !rc && i < k->tables.n; i++) {
		const char *t = k->tables.v[i];
		const char *dot = c->be->dialect == STRATA_DIALECT_POSTGRES ? strchr(t, '.') : NULL;
		buf sql = BUF_INIT;
		buf_puts(&sql, "SELECT COUNT(*) FROM ");
		if (dot) {
			put_ident(&sql, t, (size_t)(dot - t));
			buf_putc(&sql, '.');
			t = dot + 1;
		}
		put_ident(&sql, t, strlen(t));
		strata_rows r = { 0 };
		rc = c->be->query(c->conn, sql.ptr, NULL, 0, &r, e);
		if (!rc)
			k->rows[i] = r.nrows && r.cells[0] ? strtoll(r.cells[0], NULL, 10) : 0;
		strata_rows_free(&r);
		buf_free(&sql);
	}
	return rc;
}

static long long counts_get(const counts *k, const char *table)
{
	for (size_t i = 0; i < k->tables.n; i++)
		if (strcmp(k->tables.v[i], table) == 0)
			return k->rows[i];
	return -1;
}

/* Every table of either side, sorted, with its rows before and after. */
static void counts_merge(const counts *before, const counts *after, strata_verify_entry *en)
{
	strvec all = { 0 };
	for (size_t i = 0; i < before->tables.n; i++)
		strvec_push(&all, before->tables.v[i]);
	for (size_t i = 0; i < after->tables.n; i++)
		if (!strvec_contains(&all, after->tables.v[i]))
			strvec_push(&all, after->tables.v[i]);
	strvec_sort(&all);
	en->rows = xcalloc(all.n + 1, sizeof(*en->rows));
	for (size_t i = 0; i < all.n; i++) {
		en->rows[i].table = xstrdup(all.v[i]);
		en->rows[i].before = counts_get(before, all.v[i]);
		en->rows[i].after = counts_get(after, all.v[i]);
	}
	en->nrows = all.n;
	strvec_free(&all);
}

/* --- the rehearsal ------------------------------------------------------------------ */

/* Whether a downgrade section holds no statement at all. */
static int section_empty(int dialect, const char *sql)
{
	strata_stmtlist l = { 0 };
	strata_err e = STRATA_ERR_INIT;
	int empty = strata_split(sql, strlen(sql), dialect, 1, &l, &e) == 0 && l.n == 0;
	strata_stmtlist_free(&l);
	err_clear(&e);
	return empty;
}

/* Whether two id lists hold the same ids. */
static int same_ids(char **a, size_t na, char **b, size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++) {
		int found = 0;
		for (size_t j = 0; j < nb && !found; j++)
			found = strcmp(a[i], b[j]) == 0;
		if (!found)
			return 0;
	}
	return 1;
}

static void entry_fail(strata_verify_entry *en, const char *step, strata *c)
{
	en->status = STRATA_VERIFY_FAILED;
	en->step = step;
	en->error = xstrdup(strata_errmsg(c));
}

/* Moves a strvec into an entry's string array. */
static char **strvec_take(strvec *v, size_t *n)
{
	char **out = xcalloc(v->n + 1, sizeof(char *));
	for (size_t i = 0; i < v->n; i++)
		out[i] = v->v[i];
	*n = v->n;
	free(v->v);
	memset(v, 0, sizeof *v);
	return out;
}

/* Rehearses one revision: upgrade, downgrade, compare, upgrade again. `before` and
 * `rows` hold the copy's schema and row counts before it and are replaced by those
 * after it. Returns 1 when the copy can go on to the next revision. */
static int rehearse(strata *c, strata_verify_entry *en, snapshot *before, counts *rows,
		    strata_err *e)
{
	const strata_revision *r = en->rev;
	char **heads = NULL, **now = NULL;
	size_t nheads = 0, nnow = 0;
	snapshot down = { 0 }, after = { 0 };
	counts rows_after = { 0 };
	strvec diff = { 0 };
	int go_on = 0;
	strata_run_options ro = STRATA_RUN_OPTIONS_INIT;
	en->status = STRATA_VERIFY_OK;
	if (strata_current(c, &heads, &nheads)) {
		entry_fail(en, "upgrade", c);
		goto done;
	}
	if (strata_upgrade(c, r->id, &ro)) {
		entry_fail(en, "upgrade", c);
		goto done;
	}
	if (section_empty(c->be->dialect, r->downgrade_sql)) {
		en->status = STRATA_VERIFY_IRREVERSIBLE;
	} else {
		char *below = xasprintf("%s-1", r->id);
		int rc = strata_downgrade(c, below, &ro);
		free(below);
		if (rc) {
			entry_fail(en, "downgrade", c);
			/* A failed downgrade in a transaction left the copy at the revision. */
			go_on = r->transactional;
			if (go_on && snap_take(c, &after, e) == 0 && counts_take(c, &rows_after, e) == 0)
				goto next;
			go_on = 0;
			goto done;
		}
		/* Reverting to the parents may have reverted a sibling branch applied earlier:
		 * bring back what was there before the upgrade. */
		if (strata_current(c, &now, &nnow)) {
			entry_fail(en, "downgrade", c);
			goto done;
		}
		for (size_t i = 0; !same_ids(heads, nheads, now, nnow) && i < nheads; i++)
			if (strata_upgrade(c, heads[i], &ro)) {
				entry_fail(en, "downgrade", c);
				goto done;
			}
		if (snap_take(c, &down, e)) {
			en->status = STRATA_VERIFY_FAILED;
			en->step = "downgrade";
			en->error = xasprintf("cannot read the schema after the downgrade: %s", e->msg);
			goto done;
		}
		snap_diff(before, &down, &diff);
		if (diff.n) {
			en->status = STRATA_VERIFY_NOT_RESTORED;
			en->differences = strvec_take(&diff, &en->ndifferences);
		}
		if (strata_upgrade(c, r->id, &ro)) {
			/* Usually because of what the downgrade left behind: that stays the verdict. */
			strata_verify_status st = en->status;
			entry_fail(en, "upgrade again", c);
			if (st == STRATA_VERIFY_NOT_RESTORED)
				en->status = st;
			goto done;
		}
	}
	if (snap_take(c, &after, e) || counts_take(c, &rows_after, e)) {
		en->status = STRATA_VERIFY_FAILED;
		en->step = "upgrade";
		en->error = xasprintf("cannot read the copy after the upgrade: %s", e->msg);
		goto done;
	}
	go_on = 1;
next:
	counts_merge(rows, &rows_after, en);
	snap_free(before);
	*before = after;
	memset(&after, 0, sizeof after);
	counts_free(rows);
	*rows = rows_after;
	memset(&rows_after, 0, sizeof rows_after);
done:
	if (!go_on && !en->rows) {
		/* What the copy holds now, where it can still be read. */
		counts now_rows = { 0 };
		strata_err ignore = STRATA_ERR_INIT;
		if (counts_take(c, &now_rows, &ignore) == 0)
			counts_merge(rows, &now_rows, en);
		counts_free(&now_rows);
		err_clear(&ignore);
	}
	strata_strings_free(heads, nheads);
	strata_strings_free(now, nnow);
	snap_free(&down);
	snap_free(&after);
	counts_free(&rows_after);
	strvec_free(&diff);
	err_clear(e);
	return go_on;
}

/* Compares the copy, now at the target, with schema.sql as `check` does. */
static void declared_check(strata *c, strata_verify_result *res)
{
	strata_diff *d = NULL;
	int yes = 0;
	size_t pending = 0;
	if (!schema_source_exists(c)) {
		res->declared_note = xstrdup("does not exist: not compared");
		return;
	}
	if (strata_at_heads(c, &yes, &pending) == 0 && !yes) {
		res->declared_note = xstrdup("not compared: the target is not every head");
		return;
	}
	if (strata_diff_schema(c, NULL, &d)) {
		res->declared_note = xasprintf("not compared: %s", strata_errmsg(c));
		return;
	}
	res->declared_checked = 1;
	char **src = d->ndifferences ? d->differences : d->ops;
	size_t n = d->ndifferences ? d->ndifferences : d->nops;
	res->declared_differences = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		res->declared_differences[i] = xstrdup(src[i]);
	res->ndeclared_differences = n;
	strata_diff_free(d);
}

int strata_verify(strata *s, const strata_verify_options *o, strata_verify_result **out)
{
	strata_verify_options def = STRATA_VERIFY_OPTIONS_INIT;
	strata_err e = STRATA_ERR_INIT;
	strata_step *steps = NULL;
	size_t nsteps = 0;
	scratch sc;
	snapshot before = { 0 };
	counts rows = { 0 };
	strata_verify_result *res = NULL;
	int rc;
	memset(&sc, 0, sizeof sc);
	sc.live = s;
	*out = NULL;
	if (!o)
		o = &def;
	if ((rc = ctx_graph(s)))
		return rc;
	/* Connecting to a SQLite file that does not exist would create it. */
	char *path = s->url && !s->opts.sqlite_handle ? sqlite_url_path(s->url) : NULL;
	const char *fresh = path && strcmp(path, ":memory:") != 0 && !fs_exists(path) ? path : NULL;
	if (!fresh && (rc = ctx_connect(s))) {
		free(path);
		return rc;
	}
	res = xcalloc(1, sizeof(*res));
	if ((rc = scratch_open(&sc, o->with_data, fresh, &res->copy)))
		goto done;
	strata *c = sc.s;
	/* strata_version on a schema-only copy is empty: put the live revisions there. */
	if (sc.pgname && !o->with_data) {
		char **ids = NULL;
		size_t nids = 0;
		if ((rc = strata_current(s, &ids, &nids)) == 0 && nids &&
		    (rc = strata_stamp(c, (const char *const *)ids, nids, 1)))
			ctx_fail(s, rc, "cannot record the live revisions in the copy: %s", strata_errmsg(c));
		strata_strings_free(ids, nids);
		if (rc)
			goto done;
	}
	/* The plan, from the copy (the live database's state); the entries point at the
	 * live handle's revisions, which outlive the copy. */
	if ((rc = strata_plan(c, 1, o->target ? o->target : "heads", &steps, &nsteps))) {
		ctx_fail(s, rc, "%s", strata_errmsg(c));
		goto done;
	}
	res->entries = xcalloc(nsteps + 1, sizeof(*res->entries));
	res->nentries = nsteps;
	for (size_t i = 0; i < nsteps; i++) {
		size_t k = steps[i].rev->index;
		if (k >= s->g->order.n || strcmp(s->revp[k]->id, steps[i].rev->id) != 0) {
			rc = ctx_fail(s, STRATA_EFAIL, "the revision files changed while verify ran");
			goto done;
		}
		res->entries[i].rev = s->revp[k];
		res->entries[i].status = STRATA_VERIFY_SKIPPED;
	}
	if (snap_take(c, &before, &e) || counts_take(c, &rows, &e)) {
		err_prefix(&e, "cannot read the copy: ");
		rc = ctx_take(s, &e);
		goto done;
	}
	res->schema_compared = 1;
	if (!c->be->introspect)
		res->schema_note = xasprintf("%s has no catalog introspection here: the schema is "
					     "compared as text read from the system catalogs",
					     c->be->name);
	int go_on = 1;
	for (size_t i = 0; go_on && i < nsteps; i++) {
		strata_verify_entry *en = &res->entries[i];
		strata_event ev = { 0 };
		ev.kind = STRATA_EVENT_STEP_BEGIN;
		ev.rev = en->rev;
		ev.up = 1;
		ev.index = i + 1;
		ev.total = nsteps;
		ctx_event(s, &ev);
		double t0 = now_ms();
		go_on = rehearse(c, en, &before, &rows, &e);
		en->ms = now_ms() - t0;
		ev.kind = STRATA_EVENT_STEP_END;
		ev.ms = en->ms;
		ctx_event(s, &ev);
	}
	int all_ok = 1;
	for (size_t i = 0; i < nsteps; i++)
		all_ok &= res->entries[i].status == STRATA_VERIFY_OK;
	/* The final state means something only when the copy got to the target. */
	if (go_on)
		declared_check(c, res);
	else
		res->declared_note = xstrdup("not compared: the rehearsal stopped before the target");
	res->ok = all_ok && (!res->declared_checked || !res->ndeclared_differences);
done:
	snap_free(&before);
	counts_free(&rows);
	if (scratch_close(&sc, &e) && !rc)
		rc = ctx_take(s, &e);
	err_clear(&e);
	free(steps);
	free(path);
	if (rc) {
		strata_verify_result_free(res);
		return rc;
	}
	*out = res;
	return 0;
}

void strata_verify_result_free(strata_verify_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nentries; i++) {
		strata_verify_entry *en = &r->entries[i];
		free(en->error);
		strata_strings_free(en->differences, en->ndifferences);
		for (size_t j = 0; j < en->nrows; j++)
			free(en->rows[j].table);
		free(en->rows);
	}
	free(r->entries);
	free(r->copy);
	free(r->schema_note);
	free(r->declared_note);
	strata_strings_free(r->declared_differences, r->ndeclared_differences);
	free(r);
}
