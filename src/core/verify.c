/*
 * verify: rehearses pending revisions on a scratch copy of the database.
 *
 * The copy is opened as a second handle with the same configuration, so every step
 * goes through the ordinary runner (transactions, version table, file-and-line
 * errors). For each pending revision, in upgrade order: upgrade it, downgrade it,
 * compare the schema with the one before the upgrade, upgrade it again; row counts of
 * every table are taken before and after. The real database is only read: the backend
 * makes the copy (strata_backend.scratch_copy: SQLite's online backup API, PostgreSQL's
 * pg_dump piped into pg_restore to a temporary database on the same server). The copy
 * is removed on every path out.
 */
#define _POSIX_C_SOURCE 200809L
#include "core/ctx.h"
#include "core/schema_source.h"
#include "core/split.h"
#include "schema/catalog.h"
#include "schema/diff.h"
#include "util/fs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* --- the scratch copy ----------------------------------------------------------- */

typedef struct scratch {
	strata *live;
	strata *s;           /* the handle on the copy, or NULL */
	char *dir;           /* temporary directory (a file copy lives in it) */
	strata_scratch copy; /* what the backend made */
} scratch;

/* A temporary directory under $TMPDIR (or /tmp), mode 0700; malloc'd path or NULL. */
static char *temp_dir(void)
{
	char *tmpl = fs_temp_template("strata-verify");
	if (!mkdtemp(tmpl)) {
		free(tmpl);
		return NULL;
	}
	return tmpl;
}

/* Removes every file in `dir` (a database may leave journal files beside it) and `dir`. */
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

/* Appends `s` to `b` as a quoted identifier in the dialect's quotes. */
static void put_ident(buf *b, const char *s, size_t n, unsigned dialect)
{
	/* Where "…" is a string (STRATA_SQL_BACKSLASH_STRINGS), `…` quotes a name. */
	char q = dialect & STRATA_SQL_BACKSLASH_STRINGS ? '`' : '"';
	buf_putc(b, q);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == q)
			buf_putc(b, q);
		buf_putc(b, s[i]);
	}
	buf_putc(b, q);
}

/* Events of the handle on the copy that the caller may want: statements (for -v)
 * and warnings. Its own step events would mislead: verify reports one step per
 * revision on the live handle. */
static void forward_event(void *ctx, const strata_event *ev)
{
	if (ev->kind == STRATA_EVENT_STATEMENT || ev->kind == STRATA_EVENT_WARNING)
		ctx_event(ctx, ev);
}

/* Makes the copy through the backend and opens a handle on it with the live handle's
 * configuration. `fresh`: the live database does not exist yet (and must not be
 * created by connecting to it), so the copy is a new empty database. */
static int scratch_open(scratch *sc, int with_data, int fresh, char **how)
{
	strata *s = sc->live;
	const strata_backend *be = ctx_backend(s);
	strata_err e = STRATA_ERR_INIT;
	int rc = 0;
	if (!be->scratch_copy)
		return ctx_fail(s, STRATA_EFAIL, "verify cannot copy a %s database", be->name);
	if (!(sc->dir = temp_dir()))
		return ctx_fail(s, STRATA_EFAIL, "cannot create a temporary directory for the copy: %s",
				strerror(errno));
	if ((rc = be->scratch_copy(fresh ? NULL : s->conn, s->url, sc->dir, with_data, &sc->copy, &e)))
		return ctx_take(s, &e);
	*how = xstrdup(sc->copy.how);
	strata_options o = s->opts;
	o.config_path = s->config_path;
	o.database_url = sc->copy.url;
	o.use_env = 0;
	o.script_location = s->script_location;
	o.schema_path = s->schema_path;
	ctx_unborrow(&o);
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
	strata_stmtlist l = { 0 };
	const char *tune = c->be->scratch_sql;
	if (tune && strata_split(tune, strlen(tune), c->be->dialect, 1, &l, NULL) == 0)
		for (size_t i = 0; i < l.n; i++)
			c->be->exec(c->conn, l.v[i].sql, NULL);
	strata_stmtlist_free(&l);
	return 0;
}

/* Closes the copy and removes it: the temporary directory, and what the backend made
 * elsewhere (dropped through the live connection once the copy's own is closed). */
static int scratch_close(scratch *sc, strata_err *e)
{
	strata *s = sc->live;
	int rc = 0;
	s->child = NULL;
	strata_free(sc->s);
	sc->s = NULL;
	if (sc->copy.name && s->be && s->be->scratch_drop)
		rc = s->be->scratch_drop(s->conn, &sc->copy, e);
	if (sc->dir)
		remove_dir(sc->dir);
	free(sc->dir);
	free(sc->copy.url);
	free(sc->copy.how);
	free(sc->copy.name);
	memset(sc, 0, sizeof *sc);
	return rc;
}

/* --- schema snapshots ------------------------------------------------------------- */

/* The schema at one moment, as the backend's introspection reads it. */
typedef struct snapshot {
	strata_catalog *cat;
} snapshot;

static void snap_free(snapshot *sn)
{
	strata_catalog_free(sn->cat);
	sn->cat = NULL;
}

/* Reads the copy's schema into *sn. */
static int snap_take(strata *c, snapshot *sn, strata_err *e)
{
	memset(sn, 0, sizeof *sn);
	if (!c->be->introspect)
		return err_set(e, STRATA_EFAIL, "%s has no catalog introspection: verify cannot "
				"compare schemas", c->be->name);
	return c->be->introspect(c->conn, &sn->cat, e);
}

/* Appends to `out` one line per difference from `a` (before the upgrade) to `b`
 * (after the downgrade): "+ …" is left behind, "- …" is missing, "~ …" changed. */
static void snap_diff(const snapshot *a, const snapshot *b, strvec *out)
{
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
		const char *dot = c->be->caps & STRATA_CAP_SCHEMAS ? strchr(t, '.') : NULL;
		buf sql = BUF_INIT;
		buf_puts(&sql, "SELECT COUNT(*) FROM ");
		if (dot) {
			put_ident(&sql, t, (size_t)(dot - t), c->be->dialect);
			buf_putc(&sql, '.');
			t = dot + 1;
		}
		put_ident(&sql, t, strlen(t), c->be->dialect);
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
static int section_empty(unsigned dialect, const char *sql)
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
	/* Connecting to a database file that does not exist would create it. */
	const strata_backend *be = ctx_backend(s);
	char *path = s->url && !ctx_borrowed(&s->opts) && be->url_path ? be->url_path(s->url) : NULL;
	path = ctx_url_file(s, path);
	int fresh = path && strcmp(path, ":memory:") != 0 && !fs_exists(path);
	if (!fresh && (rc = ctx_connect(s))) {
		free(path);
		return rc;
	}
	res = xcalloc(1, sizeof(*res));
	if ((rc = scratch_open(&sc, o->with_data, fresh, &res->copy)))
		goto done;
	strata *c = sc.s;
	s->child = c; /* strata_interrupt reaches the copy's statements too */
	/* strata_version on a schema-only copy is empty: put the live revisions there. */
	if (sc.copy.schema_only) {
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
		if (k >= s->g->order.n || strcmp(((rev *)s->g->order.v[k])->id, steps[i].rev->id) != 0) {
			rc = ctx_fail(s, STRATA_EFAIL, "the revision files changed while verify ran");
			goto done;
		}
		res->entries[i].rev = ctx_rev(s, s->g->order.v[k]);
		res->entries[i].status = STRATA_VERIFY_SKIPPED;
	}
	if (snap_take(c, &before, &e) || counts_take(c, &rows, &e)) {
		err_prefix(&e, "cannot read the copy: ");
		rc = ctx_take(s, &e);
		goto done;
	}
	res->schema_compared = 1;
	int go_on = 1;
	for (size_t i = 0; go_on && !s->interrupted && i < nsteps; i++) {
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
	if (s->interrupted) {
		rc = ctx_fail(s, STRATA_EFAIL, "interrupted: the rehearsal stopped and its copy is "
			      "removed; the database was not changed");
		goto done;
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
