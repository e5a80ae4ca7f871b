/*
 * copy.c — the MariaDB client programs: `backup` through mariadb-dump, and verify's
 * scratch copy, a temporary database on the live server (with the live database's
 * character set and collation) filled by mariadb-dump piped into the mariadb client,
 * dropped when verify is done. The password never appears on a command line: the
 * programs get it through MYSQL_PWD in their environment, and no option file is read
 * (--no-defaults), as strata's own connection reads none.
 */
#define _POSIX_C_SOURCE 200809L
#include "backends/mariadb/mariadb_internal.h"
#include "util/fs.h"
#include "util/proc.h"
#include "util/vec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Starts argv for client program `prog` with the connection options of `u` (no
 * database, no password). */
static void client_argv(strvec *argv, const char *prog, const my_url *u)
{
	strvec_push(argv, prog);
	strvec_push(argv, "--no-defaults");
	strvec_push(argv, "--default-character-set=utf8mb4");
	if (u->user)
		strvec_push_owned(argv, xasprintf("--user=%s", u->user));
	if (u->host)
		strvec_push_owned(argv, xasprintf("--host=%s", u->host));
	if (u->port)
		strvec_push_owned(argv, xasprintf("--port=%u", u->port));
	if (u->socket)
		strvec_push_owned(argv, xasprintf("--socket=%s", u->socket));
}

/* Runs argv (NULL-terminated by this function) with the password of `u` in MYSQL_PWD,
 * `input` on its standard input (may be NULL) and its output appended to `out` (may
 * be NULL). A program that cannot start or exits non-zero fills e with `what` and the
 * end of its standard error. */
static int run_client(strvec *argv, const my_url *u, const char *input, buf *out, const char *what,
		      strata_err *e)
{
	char *pwenv = u->password ? xasprintf("MYSQL_PWD=%s", u->password) : NULL;
	const char *env[] = { pwenv, NULL };
	proc_opts po = { NULL, pwenv ? env : NULL, input };
	buf errout = BUF_INIT;
	int status = 0;
	strvec_push_owned(argv, NULL);
	int rc = proc_run((const char *const *)argv->v, &po, out, &errout, &status, e);
	if (rc) {
		err_prefix(e, "cannot %s (install the MariaDB client programs, e.g. the mariadb-client "
			      "package): ", what);
	} else if (status != 0) {
		buf_rtrim(&errout);
		rc = err_set(e, STRATA_EFAIL, "%s failed to %s: %s", argv->v[0], what,
			     errout.len ? proc_tail(errout.ptr, 5) : "no message");
	}
	buf_free(&errout);
	free(pwenv);
	return rc;
}

/* mariadb-dump into a 0600 temporary file beside `path`, then rename: a reader never
 * sees a half-written dump. */
int my_backup(strata_conn *c, const char *path, strata_err *e)
{
	const my_url *u = strata_my_url(c);
	char *tmp = xasprintf("%s.tmp-%ld", path, (long)getpid());
	char *what = xasprintf("back up database \"%s\"", u->database);
	strvec argv = { 0 };
	int rc = STRATA_EFAIL, file_made = 0;

	if (fs_exists(path)) {
		err_set(e, STRATA_EFAIL, "backup %s already exists", path);
		goto done;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		err_set(e, STRATA_EFAIL, "cannot create backup %s: %s", path, strerror(errno));
		goto done;
	}
	close(fd);
	file_made = 1;
	client_argv(&argv, "mariadb-dump", u);
	strvec_push(&argv, "--single-transaction");
	strvec_push(&argv, "--routines");
	strvec_push(&argv, "--triggers");
	strvec_push(&argv, "--events");
	strvec_push_owned(&argv, xasprintf("--result-file=%s", tmp));
	strvec_push(&argv, "--databases");
	strvec_push(&argv, u->database);
	if ((rc = run_client(&argv, u, NULL, NULL, what, e)) || (rc = fs_rename(tmp, path, e)))
		goto done;
	file_made = 0;
done:
	if (file_made)
		unlink(tmp);
	strvec_free(&argv);
	free(what);
	free(tmp);
	return rc;
}

/* DATABASE_backup_STAMP.sql: a mariadb-dump is SQL text. */
char *my_backup_path(const char *url, const char *stamp)
{
	my_url u;
	if (my_url_parse(url, &u, NULL))
		return NULL;
	char *p = xasprintf("%s_backup_%s.sql", u.database, stamp);
	my_url_free(&u);
	return p;
}

int my_scratch_copy(strata_conn *c, const char *url, const char *dir, int with_data,
		    strata_scratch *out, strata_err *e)
{
	(void)dir; /* the copy lives on the server, the dump passes through memory */
	if (!c || !url)
		return err_set(e, STRATA_EFAIL, "verify cannot copy a MariaDB database without its URL");
	const my_url *u = strata_my_url(c);
	char stamp[32];
	snprintf(stamp, sizeof stamp, "%lx", (unsigned long)time(NULL) ^ ((unsigned long)clock() << 8));
	char *name = xasprintf("strata_verify_%ld_%s", (long)getpid(), stamp);
	strvec dump = { 0 }, load = { 0 };
	buf sql = BUF_INIT;
	char *what = xasprintf("copy database \"%s\" for verify", u->database);
	int rc = my_create_db_like(c, name, u->database, e);
	if (rc) {
		err_prefix(e, "cannot create a temporary database for the copy: ");
		goto done;
	}
	out->name = name;
	name = NULL;
	out->schema_only = !with_data;
	out->how = xasprintf("temporary database %s on the same server (%s)", out->name,
			     with_data ? "schema and data" : "schema only");
	out->url = my_url_with_db(url, out->name);
	client_argv(&dump, "mariadb-dump", u);
	strvec_push(&dump, "--single-transaction");
	strvec_push(&dump, "--routines");
	strvec_push(&dump, "--triggers");
	strvec_push(&dump, "--skip-add-locks");
	if (!with_data)
		strvec_push(&dump, "--no-data");
	strvec_push(&dump, u->database);
	if ((rc = run_client(&dump, u, NULL, &sql, what, e)))
		goto done;
	client_argv(&load, "mariadb", u);
	strvec_push(&load, out->name);
	rc = run_client(&load, u, sql.ptr, NULL, what, e);
done:
	strvec_free(&dump);
	strvec_free(&load);
	buf_free(&sql);
	free(what);
	free(name);
	return rc;
}

int my_scratch_drop(strata_conn *c, const strata_scratch *sc, strata_err *e)
{
	int rc = my_drop_db(c, sc->name, e);
	if (rc)
		err_prefix(e, "could not drop the temporary database %s (drop it by hand): ", sc->name);
	return rc;
}
