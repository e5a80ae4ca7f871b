/* The declared schema: diff against the live database, health probes, reset. */
#define _POSIX_C_SOURCE 200809L
#include "core/ctx.h"
#include "core/schema_source.h"
#include "schema/autogen.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void strata_diff_free(strata_diff *d)
{
	if (!d)
		return;
	free(d->upgrade_sql);
	free(d->downgrade_sql);
	strata_strings_free(d->ops, d->nops);
	strata_strings_free(d->warnings, d->nwarnings);
	strata_strings_free(d->differences, d->ndifferences);
	strata_strings_free(d->notes, d->nnotes);
	free(d);
}

/* The database `c` is, as its server names it (backend identity_sql), malloc'd in
 * *out; NULL when the backend has no such query. */
static int db_identity(const strata_backend *be, strata_conn *c, char **out, strata_err *e)
{
	strata_rows r = { 0 };
	*out = NULL;
	if (!be->identity_sql)
		return 0;
	int rc = be->query(c, be->identity_sql, NULL, 0, &r, e);
	if (!rc && r.nrows == 1 && r.ncols >= 1 && r.cells[0])
		*out = xstrdup(r.cells[0]);
	strata_rows_free(&r);
	return rc;
}

/* Refuses a shadow database that is the live one, however its URL is spelled: the
 * server's own identity of both connections is compared (STRATA_EUSAGE). */
static int same_database(const strata_backend *be, strata_conn *live, strata_conn *shadow, strata_err *e)
{
	char *a = NULL, *b = NULL;
	int rc = db_identity(be, live, &a, e);
	if (!rc)
		rc = db_identity(be, shadow, &b, e);
	if (!rc && a && b && strcmp(a, b) == 0)
		rc = err_set(e, STRATA_EUSAGE,
			     "shadow_database is the database itself (%s), under another spelling of its URL; "
			     "it is emptied on every use, so it must be a database of its own", a);
	free(a);
	free(b);
	return rc;
}

int strata_diff_schema(strata *s, const strata_diff_options *o, strata_diff **out)
{
	strata_diff_options def = STRATA_DIFF_OPTIONS_INIT;
	strata_err e = STRATA_ERR_INIT;
	strata_autogen_result r;
	buf text = BUF_INIT;
	strata_conn *scratch = NULL;
	int rc;
	memset(&r, 0, sizeof r);
	*out = NULL;
	if (!o)
		o = &def;
	if (schema_source_is_file(s->schema_path) && !fs_exists(s->schema_path))
		return ctx_fail(s, STRATA_EFAIL,
				"declared schema %s not found (set 'schema' in strata.ini, or run `strata init`)",
				s->schema_path);
	if ((rc = ctx_connect(s)))
		return rc;
	if (!s->be->introspect || !s->be->load_shadow || !s->be->render)
		return ctx_fail(s, STRATA_EFAIL, "autogenerate is not available for %s", s->be->name);
	if (schema_source_read(s, &text, &e)) {
		buf_free(&text);
		return ctx_take(s, &e);
	}
	strata_conn *c = s->conn, *shadow = NULL;
	strata_autogen_opts ao;
	memset(&ao, 0, sizeof ao);
	ao.renames = o->renames;
	ao.nrenames = o->nrenames;
	ao.confirm_rename = o->confirm_rename;
	ao.confirm_ctx = o->confirm_ctx;
	ao.source = s->schema_path;
	ao.manage_privileges = s->manage_privileges;
	strata_conn_opts co = { .lock_timeout_ms = s->lock_timeout_ms,
				.version_schema = s->version_schema };
	if (o->from_empty && s->be->empty_url) {
		/* An empty database of the same kind (SQLite: in memory). */
		if ((rc = s->be->connect(&scratch, s->be->empty_url, &co, &e))) {
			buf_free(&text);
			return ctx_take(s, &e);
		}
		c = scratch;
	} else if (o->from_empty) {
		/* The backend's shadow database already starts empty: compare with nothing. */
		ao.from_empty = 1;
	}
	int shadow_db = s->shadow_url && (s->be->caps & STRATA_CAP_SHADOW_DATABASE);
	if (shadow_db && s->url &&
	    strcmp(s->shadow_url, s->url) == 0) {
		buf_free(&text);
		return ctx_fail(s, STRATA_EFAIL,
				"shadow_database names the database itself; it is emptied on every "
				"use, so it must be a database of its own");
	}
	if (shadow_db) {
		/* schema.sql goes into the configured shadow database: opened as such, the
		 * backend loads into it instead of creating a temporary one. */
		strata_conn_opts so = co;
		so.shadow = 1;
		if ((rc = s->be->connect(&shadow, s->shadow_url, &so, &e)) ||
		    (rc = same_database(s->be, s->conn, shadow, &e))) {
			if (shadow)
				s->be->disconnect(shadow);
			buf_free(&text);
			if (rc != STRATA_EUSAGE)
				err_prefix(&e, "shadow_database: ");
			return ctx_take(s, &e);
		}
	}
	if (shadow) {
		strata_catalog *live = NULL, *want = NULL;
		memset(&r, 0, sizeof r);
		if (ao.from_empty)
			live = strata_catalog_new(0);
		else
			rc = s->be->introspect(c, &live, &e);
		if (!rc)
			rc = s->be->load_shadow(shadow, text.ptr, s->schema_path, &want, &e);
		if (!rc)
			rc = strata_autogen_catalogs(s->be->render, live, want, &ao, &r, &e);
		strata_catalog_free(live);
		strata_catalog_free(want);
		s->be->disconnect(shadow);
	} else {
		rc = strata_autogen_run(s->be, c, text.ptr, s->schema_path, &ao, &r, &e);
	}
	if (scratch)
		s->be->disconnect(scratch);
	buf_free(&text);
	if (rc)
		return ctx_take(s, &e);
	/* The result's strings move to the public struct (both are freed the same way:
	 * each element, then the array). */
	strata_diff *d = xcalloc(1, sizeof(*d));
	d->upgrade_sql = r.upgrade_sql ? r.upgrade_sql : xstrdup("");
	d->downgrade_sql = r.downgrade_sql ? r.downgrade_sql : xstrdup("");
	d->ops = r.ops;
	d->nops = r.nops;
	d->warnings = r.warnings;
	d->nwarnings = r.nwarnings;
	d->differences = r.differences;
	d->ndifferences = r.ndifferences;
	d->notes = r.notes;
	d->nnotes = r.nnotes;
	*out = d;
	return 0;
}

int strata_at_heads(strata *s, int *yes, size_t *pending)
{
	strata_step *steps = NULL;
	char **ids = NULL;
	size_t n = 0, nids = 0;
	int rc;
	*yes = 0;
	*pending = 0;
	if ((rc = strata_plan(s, 1, "heads", &steps, &n)))
		return rc;
	free(steps);
	if ((rc = strata_current(s, &ids, &nids)))
		return rc;
	*pending = n;
	/* Nothing pending, and every row a head (a head that a dependant needs has no
	 * row of its own, as in Alembic). */
	int ok = n == 0;
	for (size_t j = 0; ok && j < nids; j++) {
		int found = 0;
		for (size_t i = 0; i < s->nheads && !found; i++)
			found = strcmp(ids[j], s->headp[i]->id) == 0;
		ok = found;
	}
	*yes = ok;
	strata_strings_free(ids, nids);
	return 0;
}

int strata_probe_lock(strata *s, int *held)
{
	strata_err e = STRATA_ERR_INIT;
	int rc;
	*held = 0;
	if ((rc = ctx_connect(s)))
		return rc;
	/* The run-wide lock of another strata, then the write lock of any other writer
	 * (SQLite: BEGIN IMMEDIATE waits for it). */
	if (s->be->lock) {
		rc = s->be->lock(s->conn, &e);
		if (!rc)
			s->be->unlock(s->conn);
	}
	if (!rc) {
		rc = s->be->begin(s->conn, &e);
		if (!rc)
			s->be->rollback(s->conn, NULL);
	}
	if (rc) {
		*held = 1;
		err_clear(&e);
	}
	return 0;
}

void strata_reset_result_free(strata_reset_result *r)
{
	free(r->revision_path);
	free(r->database_backup);
	free(r->old_revisions_dir);
	memset(r, 0, sizeof *r);
}

/* Puts moved files back where they were (best effort, on a failed reset). */
static void move_back(const strvec *names, const char *from, const char *to)
{
	for (size_t i = 0; i < names->n; i++) {
		char *a = fs_join(from, names->v[i]);
		char *b = fs_join(to, names->v[i]);
		rename(a, b);
		free(a);
		free(b);
	}
}

int strata_reset(strata *s, const char *message, strata_reset_result *out)
{
	strata_err e = STRATA_ERR_INIT;
	strata_diff *live = NULL, *fresh = NULL;
	strvec names = { 0 };
	char *backup_dir = NULL, *dbcopy = NULL, *newpath = NULL;
	int rc, moved = 0;
	memset(out, 0, sizeof *out);
	/* 1. The database must already be what schema.sql declares. */
	if ((rc = strata_diff_schema(s, NULL, &live)))
		goto done;
	if (live->ndifferences || live->nops) {
		buf b = BUF_INIT;
		for (size_t i = 0; i < live->ndifferences; i++)
			buf_printf(&b, "\n  %s", live->differences[i]);
		for (size_t i = 0; !live->ndifferences && i < live->nops; i++)
			buf_printf(&b, "\n  %s", live->ops[i]);
		rc = ctx_fail(s, STRATA_EFAIL,
			      "the database does not match %s, so a reset would lose track of real "
			      "changes; nothing was changed. Bring them together first (`strata migrate` "
			      "then `strata upgrade`, or edit %s):%s",
			      s->schema_path, s->schema_path, b.ptr);
		buf_free(&b);
		goto done;
	}
	strata_diff_options fo = STRATA_DIFF_OPTIONS_INIT;
	fo.from_empty = 1;
	if ((rc = strata_diff_schema(s, &fo, &fresh)))
		goto done;
	/* 2. Back up the database. */
	if ((rc = strata_backup(s, NULL, &dbcopy)))
		goto done;
	/* 3. Move the old revision files aside (same file system: rename). */
	char stamp[32];
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d_%H%M%S", &tm);
	char *leaf = xasprintf("backup-%s", stamp);
	backup_dir = fs_join(s->script_location, leaf);
	free(leaf);
	if (fs_exists(backup_dir)) {
		rc = ctx_fail(s, STRATA_EFAIL, "%s already exists; try again in a second", backup_dir);
		goto done;
	}
	if (fs_mkdirs(backup_dir, &e) || fs_list(&names, s->versions_dir, NULL, &e)) {
		rc = ctx_take(s, &e);
		goto done;
	}
	for (size_t i = 0; i < names.n; i++) {
		char *a = fs_join(s->versions_dir, names.v[i]);
		char *b = fs_join(backup_dir, names.v[i]);
		int r2 = fs_rename(a, b, &e);
		free(a);
		free(b);
		if (r2) {
			strvec part = { names.v, i, 0 };
			move_back(&part, backup_dir, s->versions_dir);
			rc = ctx_take(s, &e);
			goto done;
		}
	}
	moved = 1;
	/* 4. One fresh initial revision, from the declared schema. */
	ctx_drop_graph(s);
	strata_revision_options ro = STRATA_REVISION_OPTIONS_INIT;
	ro.message = message ? message : "initial schema";
	ro.upgrade_sql = fresh->upgrade_sql;
	ro.downgrade_sql = fresh->downgrade_sql;
	if ((rc = strata_revision_new(s, &ro, &newpath)))
		goto done;
	/* 5. Record that the database is at it. */
	ctx_drop_graph(s);
	const strata_revision *const *heads;
	size_t nh;
	if ((rc = strata_heads(s, &heads, &nh)))
		goto done;
	if (nh != 1) {
		rc = ctx_fail(s, STRATA_EFAIL, "reset: %s did not load as the only revision", newpath);
		goto done;
	}
	const char *target = heads[0]->id;
	if ((rc = strata_stamp(s, &target, 1, 1)))
		goto done;
	out->revision_path = newpath;
	out->database_backup = dbcopy;
	out->old_revisions_dir = backup_dir;
	newpath = dbcopy = backup_dir = NULL;
done:
	if (rc && moved) {
		/* Undo: the new file goes, the old files come back. */
		if (newpath)
			remove(newpath);
		move_back(&names, backup_dir, s->versions_dir);
		remove(backup_dir);
		ctx_drop_graph(s);
	}
	strvec_free(&names);
	strata_diff_free(live);
	strata_diff_free(fresh);
	free(backup_dir);
	free(dbcopy);
	free(newpath);
	return rc;
}
