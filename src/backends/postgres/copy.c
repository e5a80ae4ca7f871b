/*
 * verify's scratch copy on PostgreSQL: a temporary database on the live server,
 * created with the live database's encoding and collation and filled by pg_dump piped
 * into pg_restore; dropped when verify is done. The password never appears on a
 * command line: the client programs get it through PGPASSWORD.
 */
#define _POSIX_C_SOURCE 200809L
#include "backends/postgres/postgres_internal.h"
#include "util/fs.h"
#include "util/vec.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

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
			*pw = strata_url_decode(colon + 1, (size_t)(at - colon - 1));
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
			*pw = strata_url_decode(rest + 9, n - 9);
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
static int pg_copy(const char *dir, int with_data, const char *src, const char *dst, const char *pw,
		   strata_err *e)
{
	vec env = { 0 };
	char *pwenv = NULL, *errpath = fs_join(dir, "client.err");
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
 * database's encoding and collation, filled by pg_copy (the scratch_copy slot). */
int pg_scratch_copy(strata_conn *c, const char *url, const char *dir, int with_data,
		    strata_scratch *out, strata_err *e)
{
	const strata_backend *be = &strata_postgres_backend;
	if (!c || !url)
		return err_set(e, STRATA_EFAIL, "verify cannot copy a %s database", be->name);
	char stamp[32];
	snprintf(stamp, sizeof stamp, "%lx", (unsigned long)time(NULL) ^ ((unsigned long)clock() << 8));
	char *name = xasprintf("strata_verify_%ld_%s", (long)getpid(), stamp);
	buf sql = BUF_INIT;
	strata_rows r = { 0 };
	int rc = 0, created = 0;
	buf_puts(&sql, "CREATE DATABASE ");
	pg_quote(&sql, name);
	buf_puts(&sql, " TEMPLATE template0");
	size_t plain = sql.len;
	if (be->query(c,
			 "SELECT pg_catalog.pg_encoding_to_char(encoding), datcollate, datctype"
			 " FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()",
			 NULL, 0, &r, NULL) == 0 && r.nrows == 1 && r.ncols == 3 && r.cells[0] &&
	    r.cells[1] && r.cells[2]) {
		buf_puts(&sql, " ENCODING ");
		pg_quote_string(&sql, r.cells[0]);
		buf_puts(&sql, " LC_COLLATE ");
		pg_quote_string(&sql, r.cells[1]);
		buf_puts(&sql, " LC_CTYPE ");
		pg_quote_string(&sql, r.cells[2]);
		created = be->exec(c, sql.ptr, NULL) == 0;
	}
	/* Without the live settings (e.g. an ICU database): the server's defaults. */
	buf_truncate(&sql, plain);
	if (!created && (rc = be->exec(c, sql.ptr, e)))
		goto fail;
	out->name = name;
	name = NULL;
	out->schema_only = !with_data;
	out->how = xasprintf("temporary database %s on the same server (%s)", out->name,
			     with_data ? "schema and data" : "schema only");
	char *src = NULL, *dst = NULL, *pw = NULL, *pw2 = NULL, *pw3 = NULL;
	pg_url_parts(url, NULL, 0, &src, &pw);
	pg_url_parts(url, out->name, 0, &dst, &pw2);
	pg_url_parts(url, out->name, 1, &out->url, &pw3);
	rc = pg_copy(dir, with_data, src, dst, pw, e);
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

/* Drops the temporary database pg_scratch_copy made (the scratch_drop slot). */
int pg_scratch_drop(strata_conn *c, const strata_scratch *sc, strata_err *e)
{
	const strata_backend *be = &strata_postgres_backend;
	int rc = 0;
	buf sql = BUF_INIT;
	buf_puts(&sql, "DROP DATABASE IF EXISTS ");
	pg_quote(&sql, sc->name);
	size_t plain = sql.len;
	buf_puts(&sql, " WITH (FORCE)");
	if (be->exec(c, sql.ptr, NULL) != 0) {
		buf_truncate(&sql, plain); /* before PostgreSQL 13 */
		rc = be->exec(c, sql.ptr, e);
		if (rc)
			err_prefix(e, "could not drop the temporary database %s (drop it by hand): ",
				   sc->name);
	}
	buf_free(&sql);
	return rc;
}
