/*
 * `strata import`: brings an Alembic / Flask-Migrate or Django history over.
 *
 * The peer's own code reads its history: an embedded Python importer
 * (src/providers/alembic_import.py, django_import.py) prints one JSON document
 * describing every revision with its SQL (see src/providers/README.md). This file
 * checks that document, writes one revision file per entry (all or nothing), and
 * puts the database where the peer left it: for Alembic by sharing its version
 * table (version_table = alembic_version), for Django by stamping the heads of what
 * django_migrations records as applied.
 */
#define _POSIX_C_SOURCE 200809L
#include "core/ctx.h"
#include "core/schema_source.h"
#include "core/script.h"
#include "util/fs.h"
#include "util/map.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void strata_import_result_free(strata_import_result *r)
{
	if (!r)
		return;
	strata_strings_free(r->paths, r->npaths);
	strata_strings_free(r->warnings, r->nwarnings);
	strata_strings_free(r->stamped, r->nstamped);
	free(r->version_table);
	memset(r, 0, sizeof(*r));
}

/* One imported revision, with what marks it applied in Django's table. */
typedef struct imported {
	script sc;
	char *django;   /* "app\tname", or NULL */
	strvec replaces; /* "app\tname" each */
} imported;

static void imported_free(imported *im)
{
	strvec_free(&im->sc.parents);
	strvec_free(&im->sc.labels);
	strvec_free(&im->sc.depends);
	free(im->sc.id);
	free(im->sc.message);
	free(im->sc.created);
	free(im->sc.upgrade);
	free(im->sc.downgrade);
	free(im->django);
	strvec_free(&im->replaces);
}

/* Reads a JSON array of strings into `out`; a missing member is an empty list. */
static int string_list(const cJSON *o, const char *key, strvec *out, const char *id,
		       strata_err *e)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!a || cJSON_IsNull(a))
		return 0;
	if (!cJSON_IsArray(a))
		return err_set(e, STRATA_EFAIL, "revision %s: '%s' is not a list", id, key);
	const cJSON *x;
	cJSON_ArrayForEach(x, a) {
		if (!cJSON_IsString(x))
			return err_set(e, STRATA_EFAIL, "revision %s: '%s' holds a non-string", id, key);
		strvec_push(out, x->valuestring);
	}
	return 0;
}

/* "app\tname" from a JSON ["app", "name"] pair, or NULL. */
static char *django_key(const cJSON *pair)
{
	if (!cJSON_IsArray(pair) || cJSON_GetArraySize(pair) != 2)
		return NULL;
	const cJSON *a = cJSON_GetArrayItem(pair, 0), *n = cJSON_GetArrayItem(pair, 1);
	if (!cJSON_IsString(a) || !cJSON_IsString(n))
		return NULL;
	return xasprintf("%s\t%s", a->valuestring, n->valuestring);
}

/* Adds `-- WARNING: …` lines for each warning, one line each, before `sql`. */
static char *with_warnings(const strvec *w, const char *sql, const char *note)
{
	buf b = BUF_INIT;
	for (size_t i = 0; i < w->n; i++) {
		buf_puts(&b, "-- WARNING: ");
		for (const char *p = w->v[i]; *p; p++)
			buf_putc(&b, *p == '\n' || *p == '\r' ? ' ' : *p);
		buf_putc(&b, '\n');
	}
	if (note)
		buf_printf(&b, "-- WARNING: %s\n", note);
	buf_puts(&b, sql ? sql : "");
	return buf_detach(&b);
}

/* Turns one JSON revision into `im`, collecting its warnings into `warnings`. */
static int read_revision(const cJSON *o, imported *im, strvec *warnings, strata_err *e)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(o, "message");
	const cJSON *created = cJSON_GetObjectItemCaseSensitive(o, "created");
	const cJSON *up = cJSON_GetObjectItemCaseSensitive(o, "upgrade");
	const cJSON *down = cJSON_GetObjectItemCaseSensitive(o, "downgrade");
	const cJSON *tx = cJSON_GetObjectItemCaseSensitive(o, "transaction");
	strvec w = { 0 }, dw = { 0 };
	int rc = 0;
	if (!cJSON_IsObject(o) || !cJSON_IsString(id))
		return err_set(e, STRATA_EFAIL, "the importer printed a revision without an id");
	if (!script_valid_id(id->valuestring))
		return err_set(e, STRATA_EFAIL,
			       "revision id '%s' cannot be a strata id (1 to 64 letters, digits or '_')",
			       id->valuestring);
	im->sc.id = xstrdup(id->valuestring);
	im->sc.message = xstrdup(cJSON_IsString(msg) && *msg->valuestring ? msg->valuestring
									   : id->valuestring);
	im->sc.created = cJSON_IsString(created) ? xstrdup(created->valuestring) : NULL;
	im->sc.transactional = !cJSON_IsFalse(tx);
	if ((rc = string_list(o, "revises", &im->sc.parents, im->sc.id, e)) ||
	    (rc = string_list(o, "depends_on", &im->sc.depends, im->sc.id, e)) ||
	    (rc = string_list(o, "branch_labels", &im->sc.labels, im->sc.id, e)) ||
	    (rc = string_list(o, "warnings", &w, im->sc.id, e)) ||
	    (rc = string_list(o, "downgrade_warnings", &dw, im->sc.id, e)))
		goto done;
	if (up && !cJSON_IsString(up) && !cJSON_IsNull(up)) {
		rc = err_set(e, STRATA_EFAIL, "revision %s: 'upgrade' is not SQL text", im->sc.id);
		goto done;
	}
	im->sc.upgrade = with_warnings(&w, cJSON_IsString(up) ? up->valuestring : "", NULL);
	im->sc.downgrade = with_warnings(
		&dw, cJSON_IsString(down) ? down->valuestring : "",
		cJSON_IsString(down) ? NULL
				     : "irreversible: the original migration has no downgrade; "
				       "strata downgrade refuses to go past this revision\n"
				       SCRIPT_IRREVERSIBLE_MARK);
	im->sc.has_downgrade = 1;
	for (size_t i = 0; i < w.n; i++)
		strvec_push_owned(warnings, xasprintf("%s: %s", im->sc.id, w.v[i]));
	for (size_t i = 0; i < dw.n; i++)
		strvec_push_owned(warnings, xasprintf("%s (downgrade): %s", im->sc.id, dw.v[i]));
	if (!cJSON_IsString(down))
		strvec_push_owned(warnings, xasprintf("%s: irreversible (no downgrade)", im->sc.id));
	im->django = django_key(cJSON_GetObjectItemCaseSensitive(o, "django"));
	const cJSON *rep = cJSON_GetObjectItemCaseSensitive(o, "replaces"), *x;
	cJSON_ArrayForEach(x, rep) {
		char *k = django_key(x);
		if (k)
			strvec_push_owned(&im->replaces, k);
	}
done:
	strvec_free(&w);
	strvec_free(&dw);
	return rc;
}

/* Checks the revisions against each other: unique ids, parents and dependencies
 * that exist among them. */
static int check_graph(imported *v, size_t n, strata_err *e)
{
	map ids = { 0 };
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		if (map_get(&ids, v[i].sc.id))
			rc = err_set(e, STRATA_EFAIL, "the importer printed revision %s twice", v[i].sc.id);
		map_put(&ids, v[i].sc.id, &v[i]);
	}
	for (size_t i = 0; i < n && !rc; i++) {
		for (size_t j = 0; j < v[i].sc.parents.n && !rc; j++)
			if (!map_get(&ids, v[i].sc.parents.v[j]))
				rc = err_set(e, STRATA_EFAIL, "revision %s revises %s, which the history does not hold",
					     v[i].sc.id, v[i].sc.parents.v[j]);
		for (size_t j = 0; j < v[i].sc.depends.n && !rc; j++)
			if (!map_get(&ids, v[i].sc.depends.v[j]))
				rc = err_set(e, STRATA_EFAIL,
					     "revision %s depends on %s, which the history does not hold",
					     v[i].sc.id, v[i].sc.depends.v[j]);
	}
	map_free(&ids);
	return rc;
}

/* The file name of an imported revision: ID_SLUG.sql, or ID.sql when the id already
 * says what the slug would (Django's ids carry the migration's name). */
static char *file_name(const script *sc)
{
	char *slug = script_slug(sc->message);
	char *name = *slug && !strstr(sc->id, slug) ? xasprintf("%s_%s.sql", sc->id, slug)
						     : xasprintf("%s.sql", sc->id);
	free(slug);
	return name;
}

/* Writes every revision; on a failure removes what it wrote. */
static int write_all(strata *s, imported *v, size_t n, strvec *paths, strata_err *e)
{
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		buf b = BUF_INIT;
		char *name = file_name(&v[i].sc);
		char *path = fs_join(s->versions_dir, name);
		script_render(&b, &v[i].sc);
		rc = fs_write_atomic(path, b.ptr, b.len, 0644, 1, e);
		if (!rc)
			strvec_push(paths, path);
		free(path);
		free(name);
		buf_free(&b);
	}
	if (rc)
		for (size_t i = 0; i < paths->n; i++)
			unlink(paths->v[i]);
	return rc;
}

/* The offset of the line in `text` that sets `key` in the [strata] section, or of
 * the line after the [strata] header when none does (`*found` says which); -1
 * when there is no [strata] section. */
static long key_line(const char *text, const char *key, int *found)
{
	size_t klen = strlen(key);
	long after_header = -1;
	int in_strata = 0;
	*found = 0;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		const char *next = nl ? nl + 1 : p + strlen(p);
		const char *q = p + strspn(p, " \t");
		if (*q == '[') {
			in_strata = strncmp(q, "[strata]", 8) == 0;
			if (in_strata && after_header < 0)
				after_header = (long)(next - text);
		} else if (in_strata && strncmp(q, key, klen) == 0 &&
			   (q[klen] == ' ' || q[klen] == '=' || q[klen] == '\t')) {
			*found = 1;
			return (long)(p - text);
		}
		p = next;
	}
	return after_header;
}

/* Sets `key = value` in the [strata] section of the config file (replacing the
 * line when there is one, else right after the header), atomically. */
static int config_set(const char *path, const char *key, const char *value, strata_err *e)
{
	buf text = BUF_INIT, out = BUF_INIT;
	int rc = fs_read(&text, path, e), found = 0;
	if (!rc) {
		long at = key_line(text.ptr, key, &found);
		if (at < 0) {
			buf_puts(&out, text.ptr);
			if (out.len && out.ptr[out.len - 1] != '\n')
				buf_putc(&out, '\n');
			buf_printf(&out, "[strata]\n%s = %s\n", key, value);
		} else {
			buf_add(&out, text.ptr, (size_t)at);
			if (out.len && out.ptr[out.len - 1] != '\n')
				buf_putc(&out, '\n');
			buf_printf(&out, "%s = %s\n", key, value);
			const char *rest = text.ptr + at;
			if (found)
				rest += strcspn(rest, "\n") + (rest[strcspn(rest, "\n")] ? 1 : 0);
			buf_puts(&out, rest);
		}
		rc = fs_write_atomic(path, out.ptr, out.len, 0644, 0, e);
	}
	buf_free(&text);
	buf_free(&out);
	return rc;
}

/* Whether a Django migration counts as applied: its own row, or (squashed) a row for
 * every migration it replaces. */
static int django_applied(const imported *im, const map *rows)
{
	if (!im->django)
		return 0;
	if (map_get(rows, im->django))
		return 1;
	if (!im->replaces.n)
		return 0;
	for (size_t i = 0; i < im->replaces.n; i++)
		if (!map_get(rows, im->replaces.v[i]))
			return 0;
	return 1;
}

/* The revisions django_migrations records as applied that no applied revision
 * revises or depends on: what strata's version table must hold. */
static int django_heads(strata *s, imported *v, size_t n, strvec *heads, strata_err *e)
{
	char **tables = NULL;
	size_t ntables = 0;
	map rows = { 0 }, applied = { 0 };
	strvec keys = { 0 }; /* the keys of `rows` */
	strata_rows r = { 0 };
	int rc = s->be->user_tables(s->conn, &tables, &ntables, e), have = 0;
	for (size_t i = 0; !rc && i < ntables; i++)
		have |= strcmp(tables[i], "django_migrations") == 0;
	if (rc || !have)
		goto done;
	if ((rc = s->be->query(s->conn, "SELECT app, name FROM django_migrations", NULL, 0, &r, e)))
		goto done;
	for (size_t i = 0; i < r.nrows; i++) {
		const char *app = STRATA_ROWS_CELL(&r, i, 0), *name = STRATA_ROWS_CELL(&r, i, 1);
		if (!app || !name)
			continue;
		char *k = xasprintf("%s\t%s", app, name);
		strvec_push_owned(&keys, k);
		map_put(&rows, k, (void *)1);
	}
	for (size_t i = 0; i < n; i++)
		if (django_applied(&v[i], &rows))
			map_put(&applied, v[i].sc.id, &v[i]);
	/* A migration Django applied whose parent it did not: the database is not where
	 * any set of strata heads can say. */
	for (size_t i = 0; i < n && !rc; i++) {
		if (!map_get(&applied, v[i].sc.id))
			continue;
		for (size_t j = 0; j < v[i].sc.parents.n && !rc; j++)
			if (!map_get(&applied, v[i].sc.parents.v[j]))
				rc = err_set(e, STRATA_EFAIL,
					     "django_migrations records %s as applied but not %s, which it "
					     "revises: run `manage.py migrate` to settle the database first",
					     v[i].sc.id, v[i].sc.parents.v[j]);
	}
	map covered = { 0 };
	for (size_t i = 0; i < n && !rc; i++) {
		if (!map_get(&applied, v[i].sc.id))
			continue;
		for (size_t j = 0; j < v[i].sc.parents.n; j++)
			map_put(&covered, v[i].sc.parents.v[j], (void *)1);
	}
	for (size_t i = 0; i < n && !rc; i++)
		if (map_get(&applied, v[i].sc.id) && !map_get(&covered, v[i].sc.id))
			strvec_push(heads, v[i].sc.id);
	map_free(&covered);
done:
	strata_strings_free(tables, ntables);
	strata_rows_free(&r);
	map_free(&rows);
	map_free(&applied);
	strvec_free(&keys);
	return rc;
}

/* Runs the importer for `o` and parses its document into `doc`. */
static int run_importer(strata *s, const strata_import_options *o, cJSON **doc, strata_err *e)
{
	buf out = BUF_INIT;
	vec args = { 0 };
	const char *program;
	char *what = NULL;
	int rc;
	*doc = NULL;
	if (strcmp(o->kind, "alembic") == 0) {
		program = "alembic_import.py";
		vec_push(&args, (void *)o->source);
		what = xasprintf("importing the Alembic history in %s", o->source);
	} else {
		program = "django_import.py";
		vec_push(&args, (void *)o->source);
		for (size_t i = 0; i < o->napps; i++)
			vec_push(&args, (void *)o->apps[i]);
		what = xasprintf("importing the Django migrations of %s", o->source);
	}
	vec_push(&args, NULL);
	rc = schema_source_run_python(s, program, (const char *const *)args.v, what, &out, e);
	if (!rc) {
		*doc = cJSON_Parse(out.ptr);
		if (!*doc || !cJSON_IsObject(*doc)) {
			cJSON_Delete(*doc);
			*doc = NULL;
			rc = err_set(e, STRATA_EFAIL, "%s: the importer's output is not a JSON document: %.200s",
				     what, out.ptr);
		}
	}
	free(what);
	vec_free(&args);
	buf_free(&out);
	return rc;
}

/* The Django settings module: the option, the django: schema source's, or
 * $DJANGO_SETTINGS_MODULE. NULL when none. malloc'd. */
static char *django_settings(strata *s, const char *given)
{
	if (given && *given)
		return xstrdup(given);
	if (strncmp(s->schema_path, "django:", 7) == 0 && s->schema_path[7]) {
		const char *m = s->schema_path + 7;
		return xstrndup(m, strcspn(m, ":"));
	}
	const char *env = getenv("DJANGO_SETTINGS_MODULE");
	return env && *env ? xstrdup(env) : NULL;
}

int strata_import(strata *s, const strata_import_options *opts, strata_import_result *out)
{
	strata_err e = STRATA_ERR_INIT;
	strata_import_options o = *opts;
	strvec paths = { 0 }, warnings = { 0 }, heads = { 0 }, existing = { 0 };
	imported *v = NULL;
	size_t n = 0;
	cJSON *doc = NULL;
	char *settings = NULL;
	int rc = 0, alembic;
	memset(out, 0, sizeof(*out));
	if (!o.kind || (strcmp(o.kind, "alembic") != 0 && strcmp(o.kind, "django") != 0))
		return ctx_fail(s, STRATA_EUSAGE, "strata import takes alembic DIR or django [--settings M] [APP...]");
	alembic = strcmp(o.kind, "alembic") == 0;
	if (alembic && (!o.source || !*o.source))
		return ctx_fail(s, STRATA_EUSAGE, "usage: strata import alembic DIR (the directory holding env.py and versions/)");
	if (alembic && !fs_is_dir(o.source))
		return ctx_fail(s, STRATA_EFAIL, "no Alembic script directory %s", o.source);
	if (!alembic) {
		if (!(settings = django_settings(s, o.source)))
			return ctx_fail(s, STRATA_EUSAGE,
					"which Django settings? pass --settings MODULE, set schema = django:MODULE "
					"in strata.ini, or set DJANGO_SETTINGS_MODULE");
		o.source = settings;
	}
	/* 1. Nothing of strata's may be overwritten. */
	if (!fs_is_dir(s->versions_dir)) {
		rc = ctx_fail(s, STRATA_EFAIL,
			      "no revisions directory %s (run `strata init DIR` first, with a DIR of "
			      "strata's own)", s->versions_dir);
		goto done;
	}
	if (alembic && !s->config_path) {
		rc = ctx_fail(s, STRATA_EFAIL,
			      "strata import alembic records version_table = alembic_version in "
			      "strata.ini, and there is none here (run `strata init DIR` first)");
		goto done;
	}
	if ((rc = fs_list(&existing, s->versions_dir, ".sql", &e)))
		goto fail;
	if (existing.n) {
		rc = ctx_fail(s, STRATA_EFAIL,
			      "%s already holds %zu strata revision%s (%s…): import writes a whole history "
			      "and refuses to mix it with another; nothing was changed",
			      s->versions_dir, existing.n, existing.n == 1 ? "" : "s", existing.v[0]);
		goto done;
	}
	/* 2. The peer describes its history. */
	if ((rc = run_importer(s, &o, &doc, &e)))
		goto fail;
	const cJSON *revs = cJSON_GetObjectItemCaseSensitive(doc, "revisions"), *x;
	if (!cJSON_IsArray(revs)) {
		rc = err_set(&e, STRATA_EFAIL, "the importer's document has no 'revisions' list");
		goto fail;
	}
	v = xcalloc((size_t)cJSON_GetArraySize(revs) + 1, sizeof(*v));
	cJSON_ArrayForEach(x, revs) {
		if ((rc = read_revision(x, &v[n++], &warnings, &e)))
			goto fail;
	}
	if (!n) {
		rc = err_set(&e, STRATA_EFAIL, "%s holds no migrations: nothing to import",
			     alembic ? o.source : "the Django project");
		goto fail;
	}
	const cJSON *gw = cJSON_GetObjectItemCaseSensitive(doc, "warnings");
	cJSON_ArrayForEach(x, gw) {
		if (cJSON_IsString(x))
			strvec_push(&warnings, x->valuestring);
	}
	if ((rc = check_graph(v, n, &e)))
		goto fail;
	/* 3. Django: where the database is, before anything is written. */
	if (!alembic && s->url) {
		if ((rc = ctx_connect(s)))
			goto done;
		if ((rc = django_heads(s, v, n, &heads, &e)))
			goto fail;
	}
	/* 4. The files, then the graph they make must load. */
	if ((rc = write_all(s, v, n, &paths, &e)))
		goto fail;
	ctx_drop_graph(s);
	if ((rc = ctx_graph(s)))
		goto undo;
	/* 5. Where the database is. */
	if (alembic) {
		if ((rc = config_set(s->config_path, "version_table", "alembic_version", &e))) {
			ctx_take(s, &e);
			goto undo;
		}
		free(s->version_table);
		s->version_table = xstrdup("alembic_version");
		out->version_table = xstrdup("alembic_version");
	} else if (heads.n) {
		if ((rc = strata_stamp(s, (const char *const *)heads.v, heads.n, 0)))
			goto undo;
		out->stamped = heads.v;
		out->nstamped = heads.n;
		heads.v = NULL;
		heads.n = 0;
	}
	out->paths = paths.v;
	out->npaths = paths.n;
	paths.v = NULL;
	paths.n = 0;
	out->warnings = warnings.v;
	out->nwarnings = warnings.n;
	warnings.v = NULL;
	warnings.n = 0;
	goto done;
undo:
	for (size_t i = 0; i < paths.n; i++)
		unlink(paths.v[i]);
	ctx_drop_graph(s);
	goto done;
fail:
	rc = ctx_take(s, &e);
done:
	for (size_t i = 0; i < n; i++)
		imported_free(&v[i]);
	free(v);
	cJSON_Delete(doc);
	free(settings);
	strvec_free(&paths);
	strvec_free(&warnings);
	strvec_free(&heads);
	strvec_free(&existing);
	return rc;
}
