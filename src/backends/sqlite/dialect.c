/*
 * dialect.c — operations → SQLite SQL.
 *
 * Rendering needs no connection: `--sql` mode and golden tests use it as is. Every
 * identifier is double-quoted. What ALTER TABLE does natively in every case is done
 * natively (RENAME TO, RENAME COLUMN, ADD COLUMN of a column SQLite accepts whatever
 * rows the table holds, DROP COLUMN of a column nothing else uses); everything else is
 * SQLite's generalized ALTER (lang_altertable.html §7), one rebuild per table:
 *
 *   -- strata:rebuild users
 *   PRAGMA defer_foreign_keys = ON;
 *   CREATE TABLE "_strata_new_users" (...);
 *   INSERT INTO "_strata_new_users" (...) SELECT ... FROM "users";
 *   DROP TABLE "users";
 *   ALTER TABLE "_strata_new_users" RENAME TO "users";
 *   CREATE INDEX ...;            -- the table's indexes that did not change
 *
 * The new table is renamed into place, never the old one away, because a rename
 * rewrites the references in other tables' foreign keys. Views and triggers that read
 * the table were dropped before (the diff orders that) and are re-created after.
 *
 * THE CONTRACT WITH THE MIGRATION RUNNER
 *
 * 1. `-- strata:rebuild <table>`: a revision whose SQL holds this line must run with
 *    foreign-key enforcement off: the runner executes `PRAGMA foreign_keys = OFF` before
 *    BEGIN and restores the previous setting after COMMIT or ROLLBACK. The PRAGMA is a
 *    silent no-op inside a transaction, and with enforcement on, DROP TABLE of a parent
 *    deletes its rows first — ON DELETE CASCADE would empty the children. The
 *    `PRAGMA defer_foreign_keys = ON` inside is only a second line of defence.
 * 2. `-- strata:fk-check`: the statement after this line is `PRAGMA foreign_key_check;`.
 *    It is the last statement of any script with a rebuild. The runner fails the
 *    revision (and so rolls it back) when it returns any row, naming the first
 *    violation (table, rowid, parent). A PRAGMA cannot raise an error by itself.
 * 3. `-- strata:fill <table>.<column>: ...` marks where the author writes an UPDATE that
 *    fills a new NOT NULL column for existing rows. The guard after it fails the
 *    revision with "CHECK constraint failed: <table>.<column> must be filled ..." while
 *    any row still holds NULL there; the column is constrained NOT NULL after it.
 * 4. `-- WARNING: ...` lines stand above statements that may lose data.
 */
#include "backends/sqlite/sqlite_internal.h"

#include <stdlib.h>
#include <string.h>

/* Appends a double-quoted identifier. */
void sqlite_quote(buf *out, const char *name)
{
	buf_putc(out, '"');
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			buf_putc(out, '"');
		buf_putc(out, *p);
	}
	buf_putc(out, '"');
}

/* Appends a single-quoted string literal. */
static void quote_string(buf *out, const char *s)
{
	buf_putc(out, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			buf_putc(out, '\'');
		buf_putc(out, *p);
	}
	buf_putc(out, '\'');
}


/* Appends the column definition as CREATE TABLE and ADD COLUMN take it. */
static void column_def(buf *out, const strata_column *c, int inline_pk, int autoincrement)
{
	sqlite_quote(out, c->name);
	if (c->type[0])
		buf_printf(out, " %s", c->type);
	if (inline_pk)
		buf_puts(out, autoincrement ? " PRIMARY KEY AUTOINCREMENT" : " PRIMARY KEY");
	if (c->notnull)
		buf_puts(out, " NOT NULL");
	if (c->dflt && !c->generated) {
		/* A literal stands alone; anything else must be parenthesised after DEFAULT. */
		if (strata_sql_is_literal(c->dflt))
			buf_printf(out, " DEFAULT %s", c->dflt);
		else
			buf_printf(out, " DEFAULT (%s)", c->dflt);
	}
	if (c->collation) {
		buf_puts(out, " COLLATE ");
		sqlite_quote(out, c->collation);
	}
	if (c->generated)
		buf_printf(out, " GENERATED ALWAYS AS (%s) %s", c->gen_expr ? c->gen_expr : "NULL",
			   c->generated == STRATA_GEN_STORED ? "STORED" : "VIRTUAL");
}

static void quoted_list(buf *out, const strvec *names)
{
	buf_putc(out, '(');
	for (size_t i = 0; i < names->n; i++) {
		if (i)
			buf_puts(out, ", ");
		sqlite_quote(out, names->v[i]);
	}
	buf_putc(out, ')');
}

static void key_parts(buf *out, const strata_keypart *p, size_t n)
{
	buf_putc(out, '(');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_puts(out, ", ");
		if (p[i].is_expr)
			buf_puts(out, p[i].name);
		else
			sqlite_quote(out, p[i].name);
		if (p[i].collation) {
			buf_puts(out, " COLLATE ");
			sqlite_quote(out, p[i].collation);
		}
		if (p[i].desc)
			buf_puts(out, " DESC");
	}
	buf_putc(out, ')');
}

/* Appends REFERENCES and what follows it. */
static void references(buf *out, const strata_fkey *fk)
{
	buf_puts(out, "REFERENCES ");
	sqlite_quote(out, fk->ref_table);
	if (fk->to.n) {
		buf_putc(out, ' ');
		quoted_list(out, &fk->to);
	}
	if (fk->on_delete)
		buf_printf(out, " ON DELETE %s", fk->on_delete);
	if (fk->on_update)
		buf_printf(out, " ON UPDATE %s", fk->on_update);
	if (fk->deferrable)
		buf_puts(out, fk->initially_deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE");
}

/* Appends CREATE TABLE for `t` under `name`. */
void sqlite_render_create_table(buf *out, const strata_table *t, const char *name)
{
	int inline_pk = t->pk.columns.n == 1;
	buf_puts(out, "CREATE TABLE ");
	sqlite_quote(out, name);
	buf_puts(out, " (");
	const char *sep = "\n    ";
	for (size_t i = 0; i < t->columns.n; i++) {
		const strata_column *c = t->columns.v[i];
		buf_puts(out, sep);
		int pk = inline_pk && strata_name_eq(c->name, t->pk.columns.v[0], 1);
		column_def(out, c, pk, pk && t->pk.autoincrement);
		sep = ",\n    ";
	}
	if (t->pk.columns.n > 1) {
		buf_printf(out, "%sPRIMARY KEY ", sep);
		quoted_list(out, &t->pk.columns);
	}
	for (size_t i = 0; i < t->uniques.n; i++) {
		const strata_unique *u = t->uniques.v[i];
		buf_printf(out, "%sUNIQUE ", sep);
		key_parts(out, u->parts, u->nparts);
	}
	for (size_t i = 0; i < t->checks.n; i++) {
		const strata_check *ck = t->checks.v[i];
		buf_puts(out, sep);
		if (ck->name) {
			buf_puts(out, "CONSTRAINT ");
			sqlite_quote(out, ck->name);
			buf_putc(out, ' ');
		}
		buf_printf(out, "CHECK (%s)", ck->expr);
	}
	for (size_t i = 0; i < t->fkeys.n; i++) {
		const strata_fkey *fk = t->fkeys.v[i];
		buf_printf(out, "%sFOREIGN KEY ", sep);
		quoted_list(out, &fk->from);
		buf_putc(out, ' ');
		references(out, fk);
	}
	buf_puts(out, "\n)");
	if (t->without_rowid)
		buf_puts(out, " WITHOUT ROWID");
	if (t->strict)
		buf_puts(out, t->without_rowid ? ", STRICT" : " STRICT");
	buf_puts(out, ";\n");
}

/* Appends CREATE INDEX for `ix`. */
void sqlite_render_create_index(buf *out, const strata_index *ix)
{
	buf_puts(out, ix->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
	sqlite_quote(out, ix->name);
	buf_puts(out, " ON ");
	sqlite_quote(out, ix->table);
	buf_putc(out, ' ');
	key_parts(out, ix->parts, ix->nparts);
	if (ix->where)
		buf_printf(out, " WHERE %s", ix->where);
	buf_puts(out, ";\n");
}

/* Appends a statement kept as the database stored it, then its terminator — on a line
 * of its own when the text ends in a comment that would swallow it. */
static void put_stored_statement(buf *out, const char *sql)
{
	strata_token t;
	const char *s = sql, *end = sql;
	for (;;) {
		s = strata_sql_next(s, &t);
		if (t.type == STRATA_TOK_EOF)
			break;
		end = t.p + t.n;
	}
	buf_puts(out, sql);
	buf_rtrim(out);
	int tail = 0;
	for (const char *p = end; *p; p++)
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			tail = 1;
	buf_puts(out, tail ? "\n;\n" : ";\n");
}

static void drop_object(buf *out, const char *what, const char *name)
{
	buf_printf(out, "DROP %s ", what);
	sqlite_quote(out, name);
	buf_puts(out, ";\n");
}

/* --- one table's run of changes ------------------------------------------------------------ */

typedef struct render_ctx {
	buf *out;
	const strata_oplist *ops;
	int nocase;
	int rebuilt; /* some table was rebuilt: the script ends with the foreign-key check */
} render_ctx;

/* Whether an expression is the literal NULL. */
static int is_null_literal(const char *expr)
{
	strata_token t;
	const char *rest = strata_sql_next(expr, &t);
	strata_token t2;
	strata_sql_next(rest, &t2);
	return strata_tok_is(&t, "NULL") && t2.type == STRATA_TOK_EOF;
}

/* The foreign key a run adds on `col` alone, which ADD COLUMN can carry inline. */
static const strata_fkey *inline_fkey(const strata_op *run, size_t n, const char *col,
				      int nocase)
{
	for (size_t i = 0; i < n; i++) {
		if (run[i].kind != STRATA_OP_ADD_FKEY)
			continue;
		const strata_fkey *fk = run[i].new_obj;
		if (fk->from.n == 1 && strata_name_eq(fk->from.v[0], col, nocase))
			return fk;
	}
	return NULL;
}

/* How many foreign keys of `t` use `col`. */
static size_t fkeys_on(const strata_table *t, const char *col, int nocase)
{
	size_t n = 0;
	for (size_t i = 0; i < t->fkeys.n; i++) {
		const strata_fkey *fk = t->fkeys.v[i];
		for (size_t j = 0; j < fk->from.n; j++)
			if (strata_name_eq(fk->from.v[j], col, nocase))
				n++;
	}
	return n;
}

/* Whether SQLite's ADD COLUMN accepts `c` whatever rows the table holds (FACTS.md):
 * not in a key, not STORED, and a constant default that is not NULL when NOT NULL. */
static int can_add_column(const strata_op *run, size_t n, const strata_table *t,
			  const strata_column *c, int nocase)
{
	if (strata_table_in_pk(t, c->name, nocase) || strata_table_in_unique(t, c->name, nocase))
		return 0;
	if (c->generated == STRATA_GEN_STORED || (c->generated && c->notnull))
		return 0;
	if (!c->generated && c->dflt && !strata_sql_is_literal(c->dflt))
		return 0;
	int null_default = !c->dflt || is_null_literal(c->dflt);
	if (c->notnull && null_default)
		return 0;
	size_t nfk = fkeys_on(t, c->name, nocase);
	if (nfk && (nfk > 1 || !inline_fkey(run, n, c->name, nocase) || !null_default))
		return 0;
	return 1;
}

/* Whether SQLite's DROP COLUMN accepts dropping `c` from `t` (FACTS.md); indexes, views
 * and triggers that use it are gone by then. */
static int can_drop_column(const strata_table *t, const strata_column *c, int nocase)
{
	if (strata_table_in_pk(t, c->name, nocase) || strata_table_in_unique(t, c->name, nocase) ||
	    strata_table_in_fkey(t, c->name, nocase))
		return 0;
	for (size_t i = 0; i < t->checks.n; i++)
		if (strata_sql_mentions(((strata_check *)t->checks.v[i])->expr, c->name, nocase))
			return 0;
	for (size_t i = 0; i < t->columns.n; i++) {
		const strata_column *o = t->columns.v[i];
		if (o != c && strata_sql_mentions(o->gen_expr, c->name, nocase))
			return 0;
	}
	return 1;
}

/* Whether the run (renames aside) can be done with native ALTER TABLE into `target`. */
static int run_is_native(const strata_op *run, size_t n, const strata_table *old,
			 const strata_table *target, int nocase)
{
	for (size_t i = 0; i < n; i++) {
		const strata_op *op = &run[i];
		const strata_column *c;
		const strata_fkey *fk;
		switch (op->kind) {
		case STRATA_OP_ADD_COLUMN:
			c = strata_table_column(target, op->new_col->name, nocase);
			if (!c || !can_add_column(run, n, target, c, nocase))
				return 0;
			break;
		case STRATA_OP_ADD_FKEY:
			fk = op->new_obj;
			if (fk->from.n != 1)
				return 0;
			int added = 0;
			for (size_t j = 0; j < n; j++)
				added |= run[j].kind == STRATA_OP_ADD_COLUMN &&
					 strata_name_eq(run[j].new_col->name, fk->from.v[0], nocase);
			if (!added)
				return 0;
			break;
		case STRATA_OP_DROP_COLUMN:
			if (!can_drop_column(old, op->old_col, nocase))
				return 0;
			break;
		default:
			return 0;
		}
	}
	return 1;
}

static void render_native(render_ctx *x, const strata_op *run, size_t n,
			  const strata_table *target)
{
	for (size_t i = 0; i < n; i++) {
		const strata_op *op = &run[i];
		if (op->kind == STRATA_OP_ADD_COLUMN) {
			const strata_column *c = strata_table_column(target, op->new_col->name, x->nocase);
			buf_puts(x->out, "ALTER TABLE ");
			sqlite_quote(x->out, target->name);
			buf_puts(x->out, " ADD COLUMN ");
			column_def(x->out, c, 0, 0);
			const strata_fkey *fk = inline_fkey(run, n, c->name, x->nocase);
			if (fk) {
				buf_putc(x->out, ' ');
				references(x->out, fk);
			}
			buf_puts(x->out, ";\n");
		} else if (op->kind == STRATA_OP_DROP_COLUMN) {
			buf_puts(x->out, "ALTER TABLE ");
			sqlite_quote(x->out, target->name);
			buf_puts(x->out, " DROP COLUMN ");
			sqlite_quote(x->out, op->old_col->name);
			buf_puts(x->out, ";\n");
		}
	}
}

/* A name for the rebuilt table that neither catalog uses. */
static char *temp_name(const render_ctx *x, const char *table)
{
	buf b = BUF_INIT;
	buf_printf(&b, "_strata_new_%s", table);
	while ((x->ops->from && strata_catalog_table(x->ops->from, b.ptr)) ||
	       (x->ops->to && strata_catalog_table(x->ops->to, b.ptr)))
		buf_putc(&b, '_');
	return buf_detach(&b);
}

/* A spelling of the rowid that no column of either table shadows, or NULL. */
static const char *rowid_name(const strata_table *a, const strata_table *b, int nocase)
{
	static const char *const names[] = { "rowid", "_rowid_", "oid" };
	for (size_t i = 0; i < 3; i++)
		if (!strata_table_column(a, names[i], nocase) && !strata_table_column(b, names[i], nocase))
			return names[i];
	return NULL;
}

/*
 * Appends the rebuild of the table now named dst->name from its current shape `src`,
 * whose columns are now called `src_names`, into `dst`. Columns of `dst` that `src`
 * has are copied (generated ones are computed anew), and so is the rowid, so rows keep
 * their identity. `kept` are the indexes to re-create.
 */
static void render_rebuild(render_ctx *x, const strata_table *src, const strvec *src_names,
			   const strata_table *dst, const vec *kept)
{
	buf *out = x->out;
	char *tmp = temp_name(x, dst->name);
	strvec cols = { 0 };
	x->rebuilt = 1;
	for (size_t i = 0; i < dst->columns.n; i++) {
		const strata_column *c = dst->columns.v[i];
		for (size_t j = 0; !c->generated && j < src_names->n; j++)
			if (strata_name_eq(src_names->v[j], c->name, x->nocase)) {
				strvec_push(&cols, c->name);
				break;
			}
	}
	/* Rows keep their rowid unless the new table names it itself (an INTEGER PRIMARY
	 * KEY, filled from its column). */
	const char *rowid = NULL;
	if (!src->without_rowid && !dst->without_rowid && !sq_rowid_alias(dst))
		rowid = rowid_name(src, dst, x->nocase);

	buf_puts(out, "-- strata:rebuild ");
	strata_render_comment_text(out, dst->name);
	buf_puts(out, "\nPRAGMA defer_foreign_keys = ON;\n");
	sqlite_render_create_table(out, dst, tmp);
	if (cols.n || rowid) {
		buf_puts(out, "INSERT INTO ");
		sqlite_quote(out, tmp);
		buf_puts(out, " (");
		for (int pass = 0; pass < 2; pass++) {
			if (rowid)
				buf_puts(out, rowid);
			for (size_t i = 0; i < cols.n; i++) {
				if (i || rowid)
					buf_puts(out, ", ");
				sqlite_quote(out, cols.v[i]);
			}
			buf_puts(out, pass ? " FROM " : ") SELECT ");
		}
		sqlite_quote(out, dst->name);
		buf_puts(out, ";\n");
	}
	if (src->pk.autoincrement && dst->pk.autoincrement) {
		/* Keep the AUTOINCREMENT counter: ids of deleted rows must not come back. */
		buf_puts(out, "DELETE FROM sqlite_sequence WHERE name = ");
		quote_string(out, tmp);
		buf_puts(out, ";\nINSERT INTO sqlite_sequence (name, seq) SELECT ");
		quote_string(out, tmp);
		buf_puts(out, ", seq FROM sqlite_sequence WHERE name = ");
		quote_string(out, dst->name);
		buf_puts(out, " COLLATE NOCASE;\n");
	}
	drop_object(out, "TABLE", dst->name);
	buf_puts(out, "ALTER TABLE ");
	sqlite_quote(out, tmp);
	buf_puts(out, " RENAME TO ");
	sqlite_quote(out, dst->name);
	buf_puts(out, ";\n");
	for (size_t i = 0; i < kept->n; i++)
		sqlite_render_create_index(out, kept->v[i]);
	strvec_free(&cols);
	free(tmp);
}

/* Appends the marked fill step and the guard for a new NOT NULL column. */
static void render_fill(render_ctx *x, const strata_table *t, const strata_column *c)
{
	buf *out = x->out;
	buf msg = BUF_INIT;
	buf_printf(&msg, "%s.%s must be filled: some rows still hold NULL", t->name, c->name);
	strata_render_fill_note(out, t->name, c->name, "The guard");
	buf_puts(out, "CREATE TEMP TABLE \"strata_guard\" (\"ok\" INTEGER CONSTRAINT ");
	sqlite_quote(out, msg.ptr);
	buf_puts(out, " CHECK (\"ok\" = 0));\n"
		      "INSERT INTO temp.\"strata_guard\" SELECT count(*) FROM ");
	sqlite_quote(out, t->name);
	buf_puts(out, " WHERE ");
	sqlite_quote(out, c->name);
	buf_puts(out, " IS NULL;\nDROP TABLE temp.\"strata_guard\";\n");
	buf_free(&msg);
}

/* Appends one table's run of changes (ops[0..n) share old_table and new_table). */
static void render_run(render_ctx *x, const strata_op *run, size_t n)
{
	buf *out = x->out;
	const strata_table *old = run[0].old_table, *new = run[0].new_table;
	int nocase = x->nocase;
	buf why = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		buf_reset(&why);
		if (strata_op_danger(&why, &run[i], sq_type_narrows))
			strata_render_warning(out, why.ptr);
	}
	buf_free(&why);

	size_t k = 0;
	if (run[k].kind == STRATA_OP_RENAME_TABLE) {
		buf_puts(out, "ALTER TABLE ");
		sqlite_quote(out, old->name);
		buf_puts(out, " RENAME TO ");
		sqlite_quote(out, new->name);
		buf_puts(out, ";\n");
		k++;
	}
	for (; k < n && run[k].kind == STRATA_OP_RENAME_COLUMN; k++) {
		buf_puts(out, "ALTER TABLE ");
		sqlite_quote(out, new->name);
		buf_puts(out, " RENAME COLUMN ");
		sqlite_quote(out, run[k].old_col->name);
		buf_puts(out, " TO ");
		sqlite_quote(out, run[k].new_col->name);
		buf_puts(out, ";\n");
	}
	const strata_op *rest = run + k;
	size_t nrest = n - k;
	if (!nrest)
		return;

	/* New NOT NULL columns without a default arrive nullable, get filled, and are
	 * constrained by a second rebuild. */
	strata_table *stage = NULL;
	vec fill = { 0 };
	for (size_t i = 0; i < nrest; i++) {
		const strata_column *c = rest[i].new_col;
		if (rest[i].kind == STRATA_OP_ADD_COLUMN && c->notnull && !c->dflt && !c->generated)
			vec_push(&fill, (void *)c);
	}
	if (fill.n) {
		stage = strata_table_dup(new);
		for (size_t i = 0; i < fill.n; i++)
			strata_table_column(stage, ((strata_column *)fill.v[i])->name, nocase)->notnull = 0;
	}
	const strata_table *target = stage ? stage : new;

	vec kept = { 0 };
	for (size_t i = 0; i < new->indexes.n; i++) {
		const strata_index *ib = new->indexes.v[i];
		for (size_t j = 0; j < old->indexes.n; j++)
			if (strata_index_equal(old->indexes.v[j], ib, &x->ops->renames, nocase)) {
				vec_push(&kept, (void *)ib);
				break;
			}
	}

	if (run_is_native(rest, nrest, old, target, nocase)) {
		render_native(x, rest, nrest, target);
	} else {
		strvec names = { 0 };
		for (size_t i = 0; i < old->columns.n; i++) {
			const strata_column *c = old->columns.v[i];
			const char *now = c->name;
			for (size_t j = 0; j < k; j++)
				if (run[j].kind == STRATA_OP_RENAME_COLUMN && run[j].old_col == c)
					now = run[j].new_col->name;
			strvec_push(&names, now);
		}
		render_rebuild(x, old, &names, target, &kept);
		strvec_free(&names);
	}
	if (stage) {
		for (size_t i = 0; i < fill.n; i++)
			render_fill(x, new, fill.v[i]);
		strvec names = { 0 };
		for (size_t i = 0; i < stage->columns.n; i++)
			strvec_push(&names, ((strata_column *)stage->columns.v[i])->name);
		render_rebuild(x, stage, &names, new, &kept);
		strvec_free(&names);
	}
	vec_free(&kept);
	vec_free(&fill);
	strata_table_free(stage);
}

/* Renders a whole list; see the header comment for what the SQL promises. */
int sqlite_render(const strata_oplist *ops, buf *out, strata_err *e)
{
	render_ctx x = { out, ops, ops->nocase, 0 };
	buf why = BUF_INIT;
	for (size_t i = 0; i < ops->n;) {
		const strata_op *op = &ops->v[i];
		if (i)
			buf_putc(out, '\n');
		if (strata_op_is_table_change(op)) {
			size_t j = i + 1;
			while (j < ops->n && strata_op_is_table_change(&ops->v[j]) &&
			       ops->v[j].old_table == op->old_table)
				j++;
			render_run(&x, op, j - i);
			i = j;
			continue;
		}
		buf_reset(&why);
		if (strata_op_danger(&why, op, sq_type_narrows))
			strata_render_warning(out, why.ptr);
		switch (op->kind) {
		case STRATA_OP_CREATE_TABLE:
			sqlite_render_create_table(out, op->new_table, op->new_table->name);
			break;
		case STRATA_OP_DROP_TABLE:
			drop_object(out, "TABLE", op->old_table->name);
			break;
		case STRATA_OP_CREATE_INDEX:
			sqlite_render_create_index(out, op->new_obj);
			break;
		case STRATA_OP_DROP_INDEX:
			drop_object(out, "INDEX", ((const strata_index *)op->old_obj)->name);
			break;
		case STRATA_OP_CREATE_VIEW:
			put_stored_statement(out, ((const strata_view *)op->new_obj)->sql);
			break;
		case STRATA_OP_DROP_VIEW:
			drop_object(out, "VIEW", ((const strata_view *)op->old_obj)->name);
			break;
		case STRATA_OP_CREATE_TRIGGER:
			put_stored_statement(out, ((const strata_trigger *)op->new_obj)->sql);
			break;
		case STRATA_OP_DROP_TRIGGER:
			drop_object(out, "TRIGGER", ((const strata_trigger *)op->old_obj)->name);
			break;
		default:
			break;
		}
		i++;
	}
	buf_free(&why);
	if (x.rebuilt)
		buf_puts(out, "\n-- strata:fk-check\nPRAGMA foreign_key_check;\n");
	(void)e;
	return 0;
}
