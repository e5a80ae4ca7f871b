/*
 * render.c — the ALTER/CREATE rendering the SQL dialects share; see render.h.
 */
#include "schema/render.h"

#include <string.h>

/* See render.h. */
void strata_render_alter_table(buf *out, const strata_render_dialect *d, const char *table)
{
	buf_puts(out, "ALTER TABLE ");
	d->qname(out, table);
	buf_putc(out, ' ');
}

/* See render.h. */
void strata_render_quoted_list(buf *out, const strata_render_dialect *d, const strvec *names)
{
	buf_putc(out, '(');
	for (size_t i = 0; i < names->n; i++) {
		if (i)
			buf_puts(out, ", ");
		d->quote(out, names->v[i]);
	}
	buf_putc(out, ')');
}

/* See render.h. */
void strata_render_constraint_name(buf *out, const strata_render_dialect *d, const char *name)
{
	if (name) {
		buf_puts(out, "CONSTRAINT ");
		d->quote(out, name);
		buf_putc(out, ' ');
	}
}

/* See render.h. */
void strata_render_unique_def(buf *out, const strata_render_dialect *d, const strata_unique *u)
{
	strata_render_constraint_name(out, d, u->name);
	buf_puts(out, "UNIQUE (");
	for (size_t i = 0; i < u->nparts; i++) {
		if (i)
			buf_puts(out, ", ");
		d->quote(out, u->parts[i].name);
	}
	buf_putc(out, ')');
}

/* See render.h. An EXCLUDE constraint is its own text. */
void strata_render_check_def(buf *out, const strata_render_dialect *d, const strata_check *ck)
{
	strata_render_constraint_name(out, d, ck->name);
	buf_printf(out, ck->exclude ? "%s" : "CHECK (%s)", ck->expr);
}

/* See render.h. */
void strata_render_pkey_def(buf *out, const strata_render_dialect *d, const strata_table *t)
{
	if (!(d->flags & STRATA_RENDER_PK_UNNAMED))
		strata_render_constraint_name(out, d, t->pk.name);
	buf_puts(out, "PRIMARY KEY ");
	strata_render_quoted_list(out, d, &t->pk.columns);
}

/* See render.h. */
void strata_render_fkey_def(buf *out, const strata_render_dialect *d, const strata_fkey *fk)
{
	strata_render_constraint_name(out, d, fk->name);
	buf_puts(out, "FOREIGN KEY ");
	strata_render_quoted_list(out, d, &fk->from);
	buf_puts(out, " REFERENCES ");
	d->qname(out, fk->ref_table);
	if (fk->to.n) {
		buf_putc(out, ' ');
		strata_render_quoted_list(out, d, &fk->to);
	}
	int update_first = (d->flags & STRATA_RENDER_FK_UPDATE_FIRST) != 0;
	if (update_first && fk->on_update)
		buf_printf(out, " ON UPDATE %s", fk->on_update);
	if (fk->on_delete)
		buf_printf(out, " ON DELETE %s", fk->on_delete);
	if (!update_first && fk->on_update)
		buf_printf(out, " ON UPDATE %s", fk->on_update);
	if (fk->deferrable)
		buf_puts(out, fk->initially_deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE");
}

/* See render.h. */
void strata_render_index_def(buf *out, const strata_render_dialect *d, const strata_index *ix)
{
	if (ix->def) {
		buf_puts(out, ix->def);
		return;
	}
	buf_printf(out, "CREATE %sINDEX ", ix->unique ? "UNIQUE " : "");
	d->quote(out, ix->name);
	buf_puts(out, " ON ");
	d->qname(out, ix->table);
	buf_puts(out, " (");
	for (size_t i = 0; i < ix->nparts; i++) {
		if (i)
			buf_puts(out, ", ");
		if (ix->parts[i].is_expr)
			buf_printf(out, "(%s)", ix->parts[i].name);
		else
			d->quote(out, ix->parts[i].name);
		if (ix->parts[i].desc)
			buf_puts(out, " DESC");
	}
	buf_putc(out, ')');
}

/* See render.h. */
void strata_render_create_table(buf *out, const strata_render_dialect *d, const strata_table *t)
{
	buf_puts(out, "CREATE TABLE ");
	d->qname(out, t->name);
	buf_puts(out, " (");
	const char *sep = "\n    ";
	for (size_t i = 0; i < t->columns.n; i++) {
		buf_puts(out, sep);
		d->column_def(out, t->columns.v[i]);
		sep = ",\n    ";
	}
	if (t->pk.columns.n) {
		buf_puts(out, sep);
		strata_render_pkey_def(out, d, t);
		sep = ",\n    ";
	}
	for (size_t i = 0; i < t->uniques.n; i++) {
		buf_puts(out, sep);
		strata_render_unique_def(out, d, t->uniques.v[i]);
		sep = ",\n    ";
	}
	for (size_t i = 0; i < t->checks.n; i++) {
		buf_puts(out, sep);
		strata_render_check_def(out, d, t->checks.v[i]);
		sep = ",\n    ";
	}
	buf_puts(out, "\n)");
	if (t->partition_by)
		buf_printf(out, " PARTITION BY %s", t->partition_by);
	buf_puts(out, ";\n");
}

/* "ALTER TABLE <table> <what> <name>;\n" (an empty name for a NULL one). */
static void alter_drop(buf *out, const strata_render_dialect *d, const char *table,
		       const char *what, const char *name)
{
	strata_render_alter_table(out, d, table);
	buf_puts(out, what);
	d->quote(out, name ? name : "");
	buf_puts(out, ";\n");
}

/* See render.h. */
void strata_render_drop_constraint(buf *out, const strata_render_dialect *d, const char *table,
				   const char *name)
{
	alter_drop(out, d, table, "DROP CONSTRAINT ", name);
}

/* "DROP <what> <name>;\n" */
static void drop_named(buf *out, void (*quote)(buf *, const char *), const char *what,
		       const char *name)
{
	buf_puts(out, what);
	quote(out, name);
	buf_puts(out, ";\n");
}

/* Renders op k the way every dialect does (foreign keys and table options aside). */
static void render_op(buf *out, const strata_render_dialect *d, const strata_oplist *ops, size_t k)
{
	const strata_op *op = &ops->v[k];
	const char *t = op->new_table ? op->new_table->name : op->old_table ? op->old_table->name : "";
	const strata_object *o;
	const strata_index *ix;
	const strata_trigger *tr;
	switch (op->kind) {
	case STRATA_OP_CREATE_TABLE:
		strata_render_create_table(out, d, op->new_table);
		break;
	case STRATA_OP_DROP_TABLE:
		drop_named(out, d->qname, "DROP TABLE ", op->old_table->name);
		break;
	case STRATA_OP_RENAME_COLUMN:
		strata_render_alter_table(out, d, t);
		buf_puts(out, "RENAME COLUMN ");
		d->quote(out, op->old_col->name);
		buf_puts(out, " TO ");
		d->quote(out, op->new_col->name);
		buf_puts(out, ";\n");
		break;
	case STRATA_OP_DROP_CHECK:
		strata_render_drop_constraint(out, d, t, ((const strata_check *)op->old_obj)->name);
		break;
	case STRATA_OP_DROP_UNIQUE:
		alter_drop(out, d, t,
			   d->flags & STRATA_RENDER_UNIQUE_IS_INDEX ? "DROP INDEX " : "DROP CONSTRAINT ",
			   ((const strata_unique *)op->old_obj)->name);
		break;
	case STRATA_OP_DROP_COLUMN:
		strata_render_alter_table(out, d, t);
		drop_named(out, d->quote, "DROP COLUMN ", op->old_col->name);
		break;
	case STRATA_OP_ALTER_PKEY: /* the old key was dropped where the run began */
		if (!op->new_table->pk.columns.n)
			break;
		/* fall through */
	case STRATA_OP_ADD_UNIQUE:
	case STRATA_OP_ADD_CHECK:
		strata_render_alter_table(out, d, t);
		buf_puts(out, "ADD ");
		if (op->kind == STRATA_OP_ALTER_PKEY)
			strata_render_pkey_def(out, d, op->new_table);
		else if (op->kind == STRATA_OP_ADD_UNIQUE)
			strata_render_unique_def(out, d, op->new_obj);
		else
			strata_render_check_def(out, d, op->new_obj);
		buf_puts(out, ";\n");
		break;
	case STRATA_OP_CREATE_INDEX:
		strata_render_index_def(out, d, op->new_obj);
		buf_puts(out, ";\n");
		break;
	case STRATA_OP_DROP_INDEX:
		ix = op->old_obj;
		buf_puts(out, "DROP INDEX ");
		d->qname(out, ix->name);
		if (d->flags & STRATA_RENDER_INDEX_ON_TABLE) {
			buf_puts(out, " ON ");
			d->qname(out, ix->table);
		}
		buf_puts(out, ";\n");
		break;
	case STRATA_OP_CREATE_VIEW:
		buf_printf(out, "%s;\n", ((const strata_view *)op->new_obj)->sql);
		break;
	case STRATA_OP_DROP_VIEW:
		drop_named(out, d->qname,
			   ((const strata_view *)op->old_obj)->materialized ? "DROP MATERIALIZED VIEW "
									    : "DROP VIEW ",
			   ((const strata_view *)op->old_obj)->name);
		break;
	case STRATA_OP_CREATE_TRIGGER:
		buf_printf(out, "%s;\n", ((const strata_trigger *)op->new_obj)->sql);
		break;
	case STRATA_OP_DROP_TRIGGER:
		tr = op->old_obj;
		buf_puts(out, "DROP TRIGGER ");
		d->quote(out, tr->name);
		if (d->flags & STRATA_RENDER_TRIGGER_ON_TABLE) {
			buf_puts(out, " ON ");
			d->qname(out, tr->table);
		}
		buf_puts(out, ";\n");
		break;
	case STRATA_OP_CREATE_OBJECT:
	case STRATA_OP_ALTER_OBJECT:
		o = op->new_obj;
		buf_printf(out, "%s;\n", o->alter && op->kind == STRATA_OP_ALTER_OBJECT ? o->alter : o->sql);
		break;
	case STRATA_OP_DROP_OBJECT:
		buf_printf(out, "%s;\n", ((const strata_object *)op->old_obj)->drop);
		break;
	default: /* foreign keys are rendered apart; table options are SQLite's */
		break;
	}
}

/* The index of the last table change, table creation or index creation (ops->n when
 * there is none). */
static size_t last_table_op(const strata_oplist *ops)
{
	size_t last = ops->n;
	for (size_t i = 0; i < ops->n; i++) {
		strata_op_kind k = ops->v[i].kind;
		if (strata_op_is_table_change(&ops->v[i]) || k == STRATA_OP_CREATE_TABLE ||
		    k == STRATA_OP_CREATE_INDEX)
			last = i;
	}
	return last;
}

/* Where a primary key that changes is dropped: where its table's run begins (after the
 * renames), before a key column or its NOT NULL goes, which the key would refuse. */
static void render_pkey_drop_early(buf *out, const strata_render_dialect *d,
				   const strata_oplist *ops, size_t k)
{
	const strata_op *op = &ops->v[k];
	if (!strata_op_drops_pkey_here(ops, k))
		return;
	if (d->flags & STRATA_RENDER_PK_UNNAMED) {
		strata_render_alter_table(out, d, op->new_table->name);
		buf_puts(out, "DROP PRIMARY KEY;\n");
	} else {
		strata_render_drop_constraint(out, d, op->new_table->name, op->old_table->pk.name);
	}
}

/* See render.h. */
void strata_render_list(buf *out, const strata_render_dialect *d, const strata_oplist *ops,
			void *state)
{
	buf why = BUF_INIT;
	int after_tables = (d->flags & STRATA_RENDER_FKEYS_AFTER_TABLES) != 0;
	size_t adds_at = after_tables ? last_table_op(ops) : ops->n ? ops->n - 1 : 0;
	size_t mark = out->len;
	d->fkey_drops(out, ops, state);
	for (size_t i = 0; i < ops->n; i++) {
		const strata_op *op = &ops->v[i];
		if (op->kind != STRATA_OP_DROP_FKEY && op->kind != STRATA_OP_ADD_FKEY &&
		    op->kind != STRATA_OP_ALTER_OPTIONS) {
			if (out->len > mark)
				buf_putc(out, '\n');
			render_pkey_drop_early(out, d, ops, i);
			buf_reset(&why);
			if (strata_op_danger(&why, op, ops->strict_types))
				strata_render_warning(out, why.ptr);
			if (!d->op || !d->op(out, ops, i, state))
				render_op(out, d, ops, i);
		}
		if (i == adds_at) {
			size_t before = out->len;
			if (after_tables || out->len > mark)
				buf_putc(out, '\n');
			size_t start = out->len;
			d->fkey_adds(out, ops, state);
			if (out->len == start && out->len > before) {
				out->len = before;
				out->ptr[before] = '\0';
			}
		}
	}
	buf_free(&why);
}
