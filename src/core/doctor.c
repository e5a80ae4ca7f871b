/* doctor: the diagnosis behind `strata doctor`. Each check is one phase below; it
 * appends findings (ok or not) with the command that fixes a problem and, where the
 * fix is safe to automate, the action strata_doctor_fix applies. The driver,
 * strata_doctor, reads as the list of phases. Adding a check: write a phase, call it
 * from strata_doctor, name its `check` in strata.h's list and in docs/commands/doctor.txt. */
#include "core/ctx.h"
#include "util/buf.h"
#include "util/fs.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What the phases learn and later phases read. */
typedef struct diag {
	strata *s;
	strata_doctor_result *r;
	size_t cap;
	const strata_revision *const *revs, *const *heads;
	size_t nrevs, nheads;
	int graph_ok;
	int db_ok;          /* the database could be reached */
	size_t pending;
	long unversioned;   /* index of the "unversioned" finding, or -1 */
	long unknown;       /* index of the first "unknown_revision" finding, or -1 */
	size_t stopped;     /* revisions that stopped partway ("stopped" findings) */
} diag;

/* Appends a finding (message formatted, fix copied or NULL) and returns it; it
 * stays valid until the next append. */
static strata_doctor_finding *add(diag *d, const char *check, int ok, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static strata_doctor_finding *add(diag *d, const char *check, int ok, const char *fix, const char *fmt, ...)
{
	strata_doctor_result *r = d->r;
	if (r->nfindings == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 16;
		r->findings = xrealloc(r->findings, d->cap * sizeof(*r->findings));
	}
	strata_doctor_finding *f = &r->findings[r->nfindings++];
	memset(f, 0, sizeof(*f));
	buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	f->check = check;
	f->ok = ok;
	f->message = buf_detach(&b);
	f->fix = fix ? xstrdup(fix) : NULL;
	if (!ok)
		r->problems++;
	return f;
}

/* Gives the finding an action that strata_doctor_fix applies after asking `question`. */
static void offer(strata_doctor_finding *f, strata_doctor_action action, const char *question, const char *arg,
		  int purge)
{
	f->action = action;
	f->question = xstrdup(question);
	f->arg = arg ? xstrdup(arg) : NULL;
	f->purge = purge;
}

/* The revision files parse and form one graph with one head. */
static void check_revisions(diag *d)
{
	strata *s = d->s;
	d->graph_ok = strata_revisions(s, &d->revs, &d->nrevs) == 0 && strata_heads(s, &d->heads, &d->nheads) == 0;
	if (!d->graph_ok) {
		add(d, "revisions", 0,
		    "repair or remove the file named above (a file that does not parse, a duplicate id, "
		    "a missing parent or a cycle)",
		    "%s", strata_errmsg(s));
		return;
	}
	add(d, "revisions", 1, NULL, "%zu revision file(s) parse and form one graph", d->nrevs);
	if (d->nheads == 1) {
		add(d, "heads", 1, NULL, "one head");
	} else if (d->nheads > 1) {
		buf b = BUF_INIT;
		for (size_t i = 0; i < d->nheads; i++)
			buf_printf(&b, " %s", d->heads[i]->id);
		strata_doctor_finding *f = add(d, "heads", 0, "strata merge heads -m \"merge heads\", then strata upgrade",
					       "Multiple head revisions are present:%s", b.ptr);
		offer(f, STRATA_DOCTOR_MERGE_HEADS, "Write a merge revision joining the heads?", NULL, 0);
		buf_free(&b);
	}
}

/* The database answers and nobody holds the migration lock. */
static void check_lock(diag *d)
{
	int held = 0;
	if (strata_probe_lock(d->s, &held) != 0) {
		add(d, "database", 0, "check the database URL (-d, $DATABASE_URL or strata.ini)", "%s",
		    strata_errmsg(d->s));
		return;
	}
	d->db_ok = 1;
	if (held)
		add(d, "lock", 0, "wait for it to finish, or stop the process that holds it",
		    "database is locked: another process holds the migration lock "
		    "(a migration running, or a stuck client)");
	else
		add(d, "lock", 1, NULL, "the migration lock is free");
}

/* Tables exist but no version table: a database made before strata. */
static void check_unversioned(diag *d)
{
	int yes = 0;
	char **tables = NULL;
	size_t n = 0;
	if (strata_unversioned_tables(d->s, &yes, &tables, &n) == 0 && yes) {
		d->unversioned = (long)d->r->nfindings;
		add(d, "unversioned", 0, "if they match schema.sql: strata stamp head (Django's --fake-initial)",
		    "%zu table(s) already exist (e.g. %s) but there is no version table", n, n ? tables[0] : "?");
	}
	strata_strings_free(tables, n);
}

/* The version table names only revisions some file defines. */
static void check_current(diag *d)
{
	char **cur = NULL;
	size_t n = 0;
	if (!d->graph_ok || strata_current(d->s, &cur, &n) != 0)
		return;
	for (size_t i = 0; i < n; i++) {
		int known = 0;
		for (size_t j = 0; j < d->nrevs && !known; j++)
			known = strcmp(d->revs[j]->id, cur[i]) == 0;
		if (known)
			continue;
		if (d->unknown < 0)
			d->unknown = (long)d->r->nfindings;
		add(d, "unknown_revision", 0,
		    "restore the file from version control, or `strata stamp REV --purge` "
		    "at the revision the database really is at",
		    "Can't locate revision identified by '%s': the database records a revision that no file defines",
		    cur[i]);
	}
	strata_strings_free(cur, n);
}

static void give_details(strata_doctor_finding *f, strvec *v);

/* No revision stopped partway (one that cannot roll back as a whole: transaction
 * off, or DDL on MariaDB) and was left so: which statements ran and how to go on. */
static void check_stopped(diag *d)
{
	strvec heads = { 0 }, ran = { 0 }, how = { 0 };
	strata_err e = STRATA_ERR_INIT;
	if (!d->graph_ok)
		return;
	if (ctx_graph(d->s) || runner_stopped(d->s, &heads, &ran, &how, &e)) {
		add(d, "stopped", 0, NULL, "cannot read how far earlier runs got: %s",
		    e.msg ? e.msg : strata_errmsg(d->s));
		err_clear(&e);
	}
	for (size_t i = 0; i < heads.n; i++) {
		strata_doctor_finding *f = add(d, "stopped", 0, how.v[i], "%s", heads.v[i]);
		d->stopped++;
		strvec lines = { 0 };
		for (const char *p = ran.v[i]; p && *p;) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			strvec_push_owned(&lines, xstrndup(p, n));
			p = nl ? nl + 1 : NULL;
		}
		give_details(f, &lines);
	}
	strvec_free(&heads);
	strvec_free(&ran);
	strvec_free(&how);
}

/* Nothing pending: the database is at its heads. */
static void check_pending(diag *d)
{
	int at_heads = 0;
	if (!d->graph_ok || d->unknown >= 0 || d->unversioned >= 0 ||
	    strata_at_heads(d->s, &at_heads, &d->pending) != 0)
		return;
	if (d->pending)
		add(d, "pending", 0,
		    d->stopped ? "the revision that stopped partway first (above): strata upgrade --resume"
			       : "strata upgrade",
		    "%zu pending revision(s)", d->pending);
	else if (at_heads)
		add(d, "pending", 1, NULL, "the database is at its heads");
}

/* The applied revisions' files are what ran (strata_history's checksums). */
static void check_edited(diag *d)
{
	strata_applied *ap = NULL;
	size_t n = 0;
	if (!d->graph_ok || d->unknown >= 0 || strata_applied_list(d->s, &ap, &n) != 0)
		return;
	int edited = 0;
	for (size_t i = 0; i < n; i++) {
		if (!ap[i].edited)
			continue;
		edited = 1;
		strata_doctor_finding *f =
			add(d, "edited", 0, NULL,
			    "revision %s was edited after it was applied (checksum differs from strata_history)",
			    ap[i].revision);
		if (f)
			f->fix = xasprintf("restore the file from version control and put the change in a new "
					   "revision; or, when the edit is intentional, accept it with "
					   "`strata repair %s`", ap[i].revision);
	}
	if (!edited && n)
		add(d, "edited", 1, NULL, "applied revisions match their files");
	strata_applied_free(ap, n);
}

/* schema.sql and the database agree. When they do, a database without a version
 * table or at an unknown revision holds exactly what the single head declares, so
 * stamping it there is offered. */
static void check_schema(diag *d)
{
	strata *s = d->s;
	strata_diff *df = NULL;
	if (strata_diff_schema(s, NULL, &df) != 0) {
		add(d, "schema", 0, NULL, "%s", strata_errmsg(s));
		return;
	}
	size_t n = df->ndifferences ? df->ndifferences : df->nops;
	char **v = df->ndifferences ? df->differences : df->ops;
	if (n) {
		strata_doctor_finding *f =
			add(d, "schema", 0,
			    d->pending ? "strata upgrade first, then strata migrate -m \"describe the change\""
				       : "strata migrate -m \"describe the change\", then strata upgrade",
			    "%s and the database are out of sync", strata_schema_path(s));
		f->details = xcalloc(n, sizeof(char *));
		for (size_t i = 0; i < n; i++)
			f->details[i] = xstrdup(v[i]);
		f->ndetails = n;
	} else {
		add(d, "schema", 1, NULL, "%s matches the database", strata_schema_path(s));
		long at = d->unversioned >= 0 ? d->unversioned : d->unknown;
		if (d->graph_ok && d->nheads == 1 && at >= 0) {
			buf q = BUF_INIT;
			buf_printf(&q, "Stamp the database at %s without running anything?", d->heads[0]->id);
			offer(&d->r->findings[at], STRATA_DOCTOR_STAMP, q.ptr, d->heads[0]->id, d->unknown >= 0);
			buf_free(&q);
		}
	}
	strata_diff_free(df);
}

/* Moves the strings of `v` into the finding's details. */
static void give_details(strata_doctor_finding *f, strvec *v)
{
	f->details = v->v;
	f->ndetails = v->n;
	*v = (strvec){ 0 };
}

/* No temporary database of a killed strata (diff's strata_shadow_*, verify's
 * strata_verify_*) is left on the server. */
static void check_scratch_databases(diag *d)
{
	strata *s = d->s;
	strata_rows r = { 0 };
	strata_err e = STRATA_ERR_INIT;
	if (!s->be->scratch_list_sql || !s->be->scratch_drop)
		return;
	if (s->be->query(s->conn, s->be->scratch_list_sql, NULL, 0, &r, &e)) {
		add(d, "scratch_databases", 0, NULL, "cannot list leftover scratch databases: %s", e.msg);
		err_clear(&e);
		return;
	}
	strvec names = { 0 };
	for (size_t i = 0; i < r.nrows; i++)
		if (r.cells[i * r.ncols])
			strvec_push(&names, r.cells[i * r.ncols]);
	strata_rows_free(&r);
	if (!names.n) {
		add(d, "scratch_databases", 1, NULL, "no leftover scratch databases on the server");
		return;
	}
	strata_doctor_finding *f =
		add(d, "scratch_databases", 0, "strata doctor --fix drops them",
		    "%zu scratch database(s) left by a strata that was killed (diff's strata_shadow_*, "
		    "verify's strata_verify_*); no session uses them", names.n);
	offer(f, STRATA_DOCTOR_DROP_DATABASES, "Drop the leftover scratch databases?", NULL, 0);
	give_details(f, &names);
}

/* Appends to `out` the partial files (NAME.tmp-XXXXXX, written then renamed into
 * place) that a killed strata left in `dir`, as paths. */
static void list_partial(const char *dir, strvec *out)
{
	strvec names = { 0 };
	if (fs_list(&names, dir, NULL, NULL) == 0)
		for (size_t i = 0; i < names.n; i++)
			if (strstr(names.v[i], ".tmp-"))
				strvec_push_owned(out, fs_join(dir, names.v[i]));
	strvec_free(&names);
}

/* No partial file of a killed backup, reset or revision write is left beside the
 * revisions or the database file. */
static void check_partial_files(diag *d)
{
	strata *s = d->s;
	strvec paths = { 0 };
	if (!s->opts.embedded && fs_is_dir(s->versions_dir))
		list_partial(s->versions_dir, &paths);
	char *db = s->url && s->be->url_path ? ctx_url_file(s, s->be->url_path(s->url)) : NULL;
	if (db && strcmp(db, ":memory:") != 0) {
		char *dir = fs_dirname(db);
		list_partial(dir, &paths);
		free(dir);
	}
	free(db);
	if (!paths.n)
		return;
	strata_doctor_finding *f = add(d, "partial_files", 0, "strata doctor --fix removes them",
				       "%zu partial file(s) left by a strata that was killed while writing "
				       "(a backup, a revision file)", paths.n);
	offer(f, STRATA_DOCTOR_REMOVE_FILES, "Remove the partial files?", NULL, 0);
	give_details(f, &paths);
}

int strata_doctor(strata *s, strata_doctor_result **out)
{
	diag d = { 0 };
	d.s = s;
	d.r = xcalloc(1, sizeof(*d.r));
	d.unversioned = d.unknown = -1;
	*out = d.r;
	check_revisions(&d);
	check_lock(&d);
	if (!d.db_ok) {
		check_partial_files(&d);
		return 0;
	}
	check_unversioned(&d);
	check_current(&d);
	check_stopped(&d);
	check_pending(&d);
	check_edited(&d);
	check_schema(&d);
	check_scratch_databases(&d);
	check_partial_files(&d);
	return 0;
}

int strata_doctor_fix(strata *s, strata_doctor_result *r, size_t i)
{
	if (!r || i >= r->nfindings || r->findings[i].action == STRATA_DOCTOR_NO_ACTION || r->findings[i].fixed)
		return ctx_fail(s, STRATA_EUSAGE, "doctor: finding %zu has no fix to apply", i);
	strata_doctor_finding *f = &r->findings[i];
	int rc = 0;
	if (f->action == STRATA_DOCTOR_MERGE_HEADS) {
		const strata_revision *const *heads;
		size_t n;
		char *path = NULL;
		rc = strata_heads(s, &heads, &n);
		if (rc)
			return rc;
		const char **ids = xcalloc(n ? n : 1, sizeof(char *));
		for (size_t k = 0; k < n; k++)
			ids[k] = heads[k]->id;
		strata_revision_options o = STRATA_REVISION_OPTIONS_INIT;
		o.message = "merge heads";
		o.parents = ids;
		o.nparents = n;
		rc = strata_revision_new(s, &o, &path);
		free(ids);
		if (rc == 0)
			f->fixed = xasprintf("wrote %s (run `strata upgrade`)", path);
		free(path);
	} else if (f->action == STRATA_DOCTOR_STAMP) {
		const char *at = f->arg;
		rc = strata_stamp(s, &at, 1, f->purge);
		if (rc == 0)
			f->fixed = xasprintf("stamped the database at %s", at);
	} else if (f->action == STRATA_DOCTOR_DROP_DATABASES) {
		strata_err e = STRATA_ERR_INIT;
		if ((rc = ctx_connect(s)))
			return rc;
		for (size_t k = 0; !rc && k < f->ndetails; k++) {
			strata_scratch sc = { 0 };
			sc.name = f->details[k];
			rc = s->be->scratch_drop(s->conn, &sc, &e);
		}
		if (rc)
			return ctx_take(s, &e);
		f->fixed = xasprintf("dropped %zu database(s)", f->ndetails);
	} else if (f->action == STRATA_DOCTOR_REMOVE_FILES) {
		for (size_t k = 0; !rc && k < f->ndetails; k++)
			if (unlink(f->details[k]) != 0 && errno != ENOENT)
				rc = ctx_fail(s, STRATA_EFAIL, "cannot remove %s: %s", f->details[k], strerror(errno));
		if (!rc)
			f->fixed = xasprintf("removed %zu file(s)", f->ndetails);
	}
	if (rc == 0)
		r->problems--;
	return rc;
}

void strata_doctor_result_free(strata_doctor_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nfindings; i++) {
		strata_doctor_finding *f = &r->findings[i];
		free(f->message);
		free(f->fix);
		strata_strings_free(f->details, f->ndetails);
		free(f->question);
		free(f->arg);
		free(f->fixed);
	}
	free(r->findings);
	free(r);
}
