/*
 * autogen: introspect both sides, settle renames, diff, render both directions.
 */
#include "schema/autogen.h"

#include <stdlib.h>
#include <string.h>

static void list_push(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = s;
}

static void list_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Frees what a result holds and leaves it empty. */
void strata_autogen_result_free(strata_autogen_result *r)
{
	if (!r)
		return;
	free(r->upgrade_sql);
	free(r->downgrade_sql);
	list_free(r->ops, r->nops);
	list_free(r->warnings, r->nwarnings);
	list_free(r->differences, r->ndifferences);
	list_free(r->notes, r->nnotes);
	memset(r, 0, sizeof(*r));
}

/* Turns an op's human line into what `check` says about it; `src` names the declared
 * schema (schema.sql, sqlalchemy:app:db, …). */
static char *difference(const strata_op *op, const char *line, const char *src)
{
	const char *what = line + 2;
	if (op->kind == STRATA_OP_RENAME_TABLE)
		return xasprintf("table %s is named %s in %s", op->old_table->name,
				 op->new_table->name, src);
	if (op->kind == STRATA_OP_RENAME_COLUMN)
		return xasprintf("column %s.%s is named %s in %s", op->new_table->name,
				 op->old_col->name, op->new_col->name, src);
	if (line[0] == '+')
		return xasprintf("%s is in %s but not in the database", what, src);
	if (line[0] == '-')
		return xasprintf("%s is in the database but not in %s", what, src);
	const char *paren = strstr(what, " (");
	if (!paren)
		return xasprintf("%s differs from %s", what, src);
	return xasprintf("%.*s differs from %s%s", (int)(paren - what), what, src, paren);
}

/* The columns of old table `a` that new table `b` keeps, in `a`'s order: into `old` by
 * their names in `a`, into `new` by their names in `b` ("(x, y)" each). */
static void kept_columns(buf *old, buf *new, const strata_table *a, const strata_table *b,
			 const strata_renames *r, int nocase)
{
	size_t n = 0;
	buf_putc(old, '(');
	buf_putc(new, '(');
	for (size_t i = 0; i < a->columns.n; i++) {
		const strata_column *c = a->columns.v[i];
		const strata_column *cb =
			strata_table_column(b, strata_renames_column(r, a->name, c->name, nocase), nocase);
		if (!cb)
			continue;
		buf_printf(old, "%s%s", n ? ", " : "", c->name);
		buf_printf(new, "%s%s", n++ ? ", " : "", cb->name);
	}
	buf_putc(old, ')');
	buf_putc(new, ')');
}

/* Notices for `check` and `diff`: what the live database holds that is not compared,
 * and tables whose columns differ only in order (ADD COLUMN appends; nothing reorders
 * them, so this is said, never turned into operations). */
static void add_notices(strata_autogen_result *out, const strata_catalog *live,
			const strata_catalog *want, const strata_renames *r, const char *src)
{
	int nocase = live->nocase;
	buf db = BUF_INIT, mapped = BUF_INIT, declared = BUF_INIT, unused = BUF_INIT;
	strata_renames back = { 0 };
	strata_renames_invert(&back, r, nocase);
	for (size_t i = 0; i < live->tables.n; i++) {
		const strata_table *ta = live->tables.v[i];
		const strata_table *tb =
			strata_catalog_table(want, strata_renames_table(r, ta->name, nocase));
		if (!tb)
			continue;
		buf_reset(&db);
		buf_reset(&mapped);
		buf_reset(&declared);
		buf_reset(&unused);
		kept_columns(&db, &mapped, ta, tb, r, nocase);
		kept_columns(&declared, &unused, tb, ta, &back, nocase);
		if (strcmp(mapped.ptr, declared.ptr) != 0)
			list_push(&out->notes, &out->nnotes,
				  xasprintf("column order of table %s differs from %s: %s there, %s in "
					    "the database (columns are not reordered; new ones are "
					    "added at the end)", tb->name, src, declared.ptr, db.ptr));
	}
	for (size_t i = 0; i < live->uncompared.n; i++)
		list_push(&out->notes, &out->nnotes,
			  xasprintf("not compared: %s", live->uncompared.v[i]));
	strata_renames_free(&back);
	buf_free(&db);
	buf_free(&mapped);
	buf_free(&declared);
	buf_free(&unused);
}

/* Adds to `r` the candidates of one kind the user accepts. */
static void ask_renames(strata_renames *r, const strata_catalog *live, const strata_catalog *want,
			const strata_autogen_opts *o, int kind)
{
	strata_renames cand = { 0 };
	strata_diff_rename_candidates(&cand, live, want, r, kind);
	for (size_t i = 0; i < cand.n; i++) {
		const strata_rename *x = &cand.v[i];
		int yes;
		if (kind == STRATA_RENAME_TABLE) {
			yes = o->confirm_rename(o->confirm_ctx, "table", NULL, x->from, x->to);
		} else {
			const char *table = strata_renames_table(r, x->table, live->nocase);
			yes = o->confirm_rename(o->confirm_ctx, "column", table, x->from, x->to);
		}
		if (yes == 1)
			strata_renames_add(r, x->kind, x->table, x->from, x->to);
	}
	strata_renames_free(&cand);
}

/* Whether an object is an owner or a privilege, which manage_privileges governs. */
static int is_privilege(const strata_object *o)
{
	return o->kind == STRATA_OBJ_OWNER || o->kind == STRATA_OBJ_PRIVILEGE;
}

/* A view of `c` in `view` without its owners and privileges: the same tables and
 * objects, borrowed; the caller frees only view->objects' array. Returns how many it
 * left out. */
static size_t without_privileges(strata_catalog *view, const strata_catalog *c)
{
	size_t n = 0;
	*view = *c;
	memset(&view->objects, 0, sizeof(view->objects));
	for (size_t i = 0; i < c->objects.n; i++) {
		if (is_privilege(c->objects.v[i]))
			n++;
		else
			vec_push(&view->objects, c->objects.v[i]);
	}
	return n;
}

/* Diffs two catalogs and renders the result; see autogen.h. */
int strata_autogen_catalogs(strata_render_fn render, const strata_catalog *live,
			    const strata_catalog *want, const strata_autogen_opts *o,
			    strata_autogen_result *out, strata_err *e)
{
	static const strata_autogen_opts none = STRATA_AUTOGEN_OPTS_INIT;
	strata_renames renames = { 0 };
	strata_oplist *ops = NULL, *inv = NULL;
	buf up = BUF_INIT, down = BUF_INIT, line = BUF_INIT;
	strata_catalog live_view, want_view;
	int rc, filtered = 0;
	memset(out, 0, sizeof(*out));
	if (!o)
		o = &none;
	if (!o->manage_privileges) {
		filtered = 1;
		size_t n = without_privileges(&live_view, live) + without_privileges(&want_view, want);
		live = &live_view;
		want = &want_view;
		if (n)
			list_push(&out->notes, &out->nnotes,
				  xstrdup("privileges (GRANT, REVOKE, OWNER TO) are not compared: set "
					  "manage_privileges = yes in strata.ini to manage them"));
	}
	if ((rc = strata_renames_parse(&renames, o->renames, o->nrenames, live, want, e)))
		goto done;
	if (o->confirm_rename) {
		ask_renames(&renames, live, want, o, STRATA_RENAME_TABLE);
		ask_renames(&renames, live, want, o, STRATA_RENAME_COLUMN);
	}
	if ((rc = strata_diff_catalogs(&ops, live, want, &renames, e)))
		goto done;
	inv = strata_oplist_invert(ops);
	if ((rc = render(ops, &up, e)) || (rc = render(inv, &down, e)))
		goto done;
	for (size_t i = 0; i < ops->n; i++) {
		const strata_op *op = &ops->v[i];
		buf_reset(&line);
		if (strata_op_describe(&line, op)) {
			list_push(&out->ops, &out->nops, xstrdup(line.ptr));
			list_push(&out->differences, &out->ndifferences, difference(op, line.ptr, o->source ? o->source : "schema.sql"));
		}
		buf_reset(&line);
		if (strata_op_danger(&line, op, ops->type_narrows))
			list_push(&out->warnings, &out->nwarnings, xstrdup(line.ptr));
	}
	add_notices(out, live, want, &renames, o->source ? o->source : "schema.sql");
	out->upgrade_sql = buf_detach(&up);
	out->downgrade_sql = buf_detach(&down);
done:
	if (rc)
		strata_autogen_result_free(out);
	strata_oplist_free(ops);
	strata_oplist_free(inv);
	strata_renames_free(&renames);
	buf_free(&up);
	buf_free(&down);
	buf_free(&line);
	if (filtered) {
		vec_free(&live_view.objects);
		vec_free(&want_view.objects);
	}
	return rc;
}

/* Reads both sides through the backend and diffs them; see autogen.h. */
int strata_autogen_run(const strata_backend *be, strata_conn *c, const char *schema_sql,
		       const char *schema_path, const strata_autogen_opts *o,
		       strata_autogen_result *out, strata_err *e)
{
	strata_catalog *live = NULL, *want = NULL;
	int rc;
	memset(out, 0, sizeof(*out));
	if (!be->introspect || !be->load_shadow || !be->render)
		return err_set(e, STRATA_EFAIL, "autogenerate is not available for %s databases",
			       be->name);
	if (o && o->from_empty)
		rc = (live = strata_catalog_new(1)) ? 0 : STRATA_EFAIL;
	else
		rc = be->introspect(c, &live, e);
	if (!rc)
		rc = be->load_shadow(c, schema_sql, schema_path, &want, e);
	if (!rc) {
		if (o && o->from_empty)
			live->nocase = want->nocase;
		rc = strata_autogen_catalogs(be->render, live, want, o, out, e);
	}
	strata_catalog_free(live);
	strata_catalog_free(want);
	return rc;
}
