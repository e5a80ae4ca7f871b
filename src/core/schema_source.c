/*
 * The declared schema's source (`schema = …` in strata.ini): a SQL file, the app's
 * SQLAlchemy models, a Django project's models, or any command that prints DDL.
 * Every reader of the declared schema (diff, check, migrate, doctor, reset, verify)
 * takes its text from here, so each source works with every command.
 */
#define _POSIX_C_SOURCE 200809L
#include "core/ctx.h"
#include "core/embedded.h"
#include "core/schema_source.h"
#include "util/fs.h"
#include "util/proc.h"

#include <stdlib.h>
#include <string.h>

/* The kinds of source, by the prefix of the `schema` setting. */
typedef struct source_kind {
	const char *prefix;   /* "sqlalchemy:" */
	const char *provider; /* embedded Python program, or NULL (exec:) */
	const char *form;     /* what follows the prefix, for messages */
} source_kind;

static const source_kind kinds[] = {
	{ "sqlalchemy:", "sqlalchemy_provider.py", "MODULE:ATTR" },
	{ "django:", "django_provider.py", "SETTINGS[:APP,APP...]" },
	{ "exec:", NULL, "COMMAND" },
	{ NULL, NULL, NULL },
};

/* The kind of source `spec` names, or NULL for a path. */
static const source_kind *kind_of(const char *spec)
{
	for (const source_kind *k = kinds; k->prefix; k++)
		if (strncmp(spec, k->prefix, strlen(k->prefix)) == 0)
			return k;
	return NULL;
}

int schema_source_is_file(const char *spec)
{
	return kind_of(spec) == NULL;
}

int schema_source_exists(strata *s)
{
	return !schema_source_is_file(s->schema_path) || fs_exists(s->schema_path);
}

const char *schema_source_dialect(strata *s)
{
	return ctx_backend(s)->name;
}

/* Appends the program `name` (and a newline) to `out`: from `dir` when set, else
 * the built-in copy. Returns 1 when it exists. */
static int load_program(const char *dir, const char *name, buf *out)
{
	if (dir && *dir) {
		char *path = fs_join(dir, name);
		int found = fs_read(out, path, NULL) == 0;
		free(path);
		if (!found)
			return 0;
	} else {
		const char *t = strata_embedded(name);
		if (!t)
			return 0;
		buf_puts(out, t);
	}
	buf_putc(out, '\n');
	return 1;
}

int schema_source_run_python(strata *s, const char *program, const char *const *args,
			     const char *what, buf *out, strata_err *e)
{
	/* $STRATA_PROVIDERS_DIR runs the programs from a directory instead of the
	 * built-in copies: for working on them, and for tests of the C side. */
	const char *dir = getenv("STRATA_PROVIDERS_DIR");
	buf file = BUF_INIT, err = BUF_INIT;
	const char *text = NULL;
	vec argv = { 0 };
	int status = 0, rc;
	/* PREFIX_common.py, when there is one, is the prelude of every PREFIX_*.py:
	 * code the programs of one peer share. */
	const char *us = strchr(program, '_');
	char *common = us ? xasprintf("%.*s_common.py", (int)(us - program), program) : NULL;
	if (common)
		load_program(dir, common, &file);
	if (load_program(dir, program, &file))
		text = file.ptr;
	free(common);
	char *dialect = xasprintf("STRATA_DIALECT=%s", schema_source_dialect(s));
	const char *env[] = { dialect, NULL };
	proc_opts po = { .cwd = s->config_dir, .env = env, .input = NULL };
	if (!text) {
		rc = err_set(e, STRATA_EFAIL, "%s: %s is not %s", what, program,
			     dir && *dir ? "in $STRATA_PROVIDERS_DIR" : "built into this strata");
		goto done;
	}
	vec_push(&argv, s->python);
	vec_push(&argv, "-c");
	vec_push(&argv, (void *)text);
	for (size_t i = 0; args && args[i]; i++)
		vec_push(&argv, (void *)args[i]);
	vec_push(&argv, NULL);
	if ((rc = proc_run((const char *const *)argv.v, &po, out, &err, &status, e))) {
		err_prefix(e, "%s: ", what);
		if (strstr(e->msg, "not found"))
			err_set(e, STRATA_EFAIL,
				"%s: cannot run the Python interpreter '%s': not found (set `python = PATH` "
				"in strata.ini or $STRATA_PYTHON to the interpreter that has your app's "
				"packages)", what, s->python);
		goto done;
	}
	if (status != 0) {
		buf_rtrim(&err);
		rc = err_set(e, STRATA_EFAIL, "%s failed (%s %d, run by %s in %s):\n%s", what,
			     status > 128 ? "signal" : "exit", status > 128 ? status - 128 : status,
			     s->python, s->config_dir,
			     err.len ? proc_tail(err.ptr, 8) : "(no output on stderr)");
		goto done;
	}
done:
	free(dialect);
	vec_free(&argv);
	buf_free(&err);
	buf_free(&file);
	return rc;
}

/* Runs an exec: source with /bin/sh in the config's directory. */
static int run_exec(strata *s, const char *command, const char *what, buf *out, strata_err *e)
{
	buf err = BUF_INIT;
	int status = 0, rc;
	char *dialect = xasprintf("STRATA_DIALECT=%s", schema_source_dialect(s));
	const char *env[] = { dialect, NULL };
	const char *argv[] = { "/bin/sh", "-c", command, NULL };
	proc_opts po = { .cwd = s->config_dir, .env = env, .input = NULL };
	if ((rc = proc_run(argv, &po, out, &err, &status, e))) {
		err_prefix(e, "%s: ", what);
		goto done;
	}
	if (status != 0) {
		buf_rtrim(&err);
		rc = err_set(e, STRATA_EFAIL, "%s failed (%s %d, run in %s):\n%s", what,
			     status > 128 ? "signal" : "exit", status > 128 ? status - 128 : status,
			     s->config_dir, err.len ? proc_tail(err.ptr, 8) : "(no output on stderr)");
	}
done:
	free(dialect);
	buf_free(&err);
	return rc;
}

int schema_source_read(strata *s, buf *out, strata_err *e)
{
	const char *spec = s->schema_path;
	const source_kind *k = kind_of(spec);
	int rc;
	if (!k) {
		if (!fs_exists(spec))
			return err_set(e, STRATA_EFAIL,
				       "declared schema %s not found (set 'schema' in strata.ini, or run `strata init`)",
				       spec);
		return fs_read(out, spec, e);
	}
	const char *arg = spec + strlen(k->prefix);
	char *what = xasprintf("schema source '%s'", spec);
	if (!*arg) {
		rc = err_set(e, STRATA_EUSAGE, "%s: expected %s%s", what, k->prefix, k->form);
		goto done;
	}
	if (k->provider) {
		const char *args[] = { arg, NULL };
		rc = schema_source_run_python(s, k->provider, args, what, out, e);
	} else {
		rc = run_exec(s, arg, what, out, e);
	}
	if (!rc && strspn(out->ptr, " \t\r\n") == out->len)
		rc = err_set(e, STRATA_EFAIL,
			     "%s printed no DDL: an empty declared schema would drop every table, so "
			     "it is refused (a source must print CREATE statements on standard output)",
			     what);
done:
	free(what);
	return rc;
}
