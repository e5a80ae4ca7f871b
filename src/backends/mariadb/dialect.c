/*
 * dialect.c — operations → MariaDB SQL (no connection needed).
 *
 * A list renders in three passes, because InnoDB checks a foreign key against its
 * parent's key as soon as it exists: every foreign key that goes is dropped first
 * (under its table's old name), then the operations run in the diff's order without
 * foreign keys, then every foreign key that comes (of new tables too) is added last.
 *
 * Columns change with ALTER TABLE … MODIFY COLUMN and the full new definition
 * (MariaDB has no per-attribute ALTER for type, NULL or collation), a rename with
 * RENAME COLUMN (10.5+), a default alone with ALTER COLUMN … SET/DROP DEFAULT. Adding
 * a column, dropping one and changing a default ask for ALGORITHM=INSTANT where
 * MariaDB can do it without copying the table (not on a table with a FULLTEXT index,
 * not for a stored generated or AUTO_INCREMENT column, not for a default that is an
 * expression), so a change that would copy a large table fails instead of blocking it.
 */
#define _POSIX_C_SOURCE 200809L
#include "backends/mariadb/mariadb_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void alter_table(buf *out, const char *table)
{
	buf_puts(out, "ALTER TABLE ");
	my_quote(out, table);
	buf_putc(out, ' ');
}

/* A column's definition: name, type, collation, generation or default, NULL. */
static void column_def(buf *out, const strata_column *c)
{
	my_quote(out, c->name);
	buf_printf(out, " %s", c->type);
	if (c->collation)
		buf_printf(out, " COLLATE %s", c->collation);
	if (c->generated)
		buf_printf(out, " AS (%s) %s", c->gen_expr ? c->gen_expr : "NULL",
			   c->generated == STRATA_GEN_STORED ? "STORED" : "VIRTUAL");
	else
		buf_puts(out, c->notnull ? " NOT NULL" : " NULL");
	if (!c->generated && c->dflt)
		buf_printf(out, " DEFAULT %s", c->dflt);
}

static void quoted_list(buf *out, const strvec *names)
{
	buf_putc(out, '(');
	for (size_t i = 0; i < names->n; i++) {
		if (i)
			buf_puts(out, ", ");
		my_quote(out, names->v[i]);
	}
	buf_putc(out, ')');
}

static void constraint_name(buf *out, const char *name)
{
	if (name) {
		buf_puts(out, "CONSTRAINT ");
		my_quote(out, name);
		buf_putc(out, ' ');
	}
}

static void check_def(buf *out, const strata_check *ck)
{
	constraint_name(out, ck->name);
	buf_printf(out, "CHECK (%s)", ck->expr);
}

static void unique_def(buf *out, const strata_unique *u)
{
	constraint_name(out, u->name);
	buf_puts(out, "UNIQUE (");
	for (size_t i = 0; i < u->nparts; i++) {
		if (i)
			buf_puts(out, ", ");
		my_quote(out, u->parts[i].name);
	}
	buf_putc(out, ')');
}

static void fkey_def(buf *out, const strata_fkey *fk)
{
	constraint_name(out, fk->name);
	buf_puts(out, "FOREIGN KEY ");
	quoted_list(out, &fk->from);
	buf_puts(out, " REFERENCES ");
	my_quote(out, fk->ref_table);
	if (fk->to.n) {
		buf_putc(out, ' ');
		quoted_list(out, &fk->to);
	}
	if (fk->on_delete)
		buf_printf(out, " ON DELETE %s", fk->on_delete);
	if (fk->on_update)
		buf_printf(out, " ON UPDATE %s", fk->on_update);
}

/* The statement creating index ix (its def when the catalog has one). */
static void index_def(buf *out, const strata_index *ix)
{
	if (ix->def) {
		buf_puts(out, ix->def);
		return;
	}
	buf_printf(out, "CREATE %sINDEX ", ix->unique ? "UNIQUE " : "");
	my_quote(out, ix->name);
	buf_puts(out, " ON ");
	my_quote(out, ix->table);
	buf_puts(out, " (");
	for (size_t i = 0; i < ix->nparts; i++) {
		if (i)
			buf_puts(out, ", ");
		if (ix->parts[i].is_expr)
			buf_printf(out, "(%s)", ix->parts[i].name);
		else
			my_quote(out, ix->parts[i].name);
		if (ix->parts[i].desc)
			buf_puts(out, " DESC");
	}
	buf_putc(out, ')');
}

static void create_table(buf *out, const strata_table *t)
{
	buf_puts(out, "CREATE TABLE ");
	my_quote(out, t->name);
	buf_puts(out, " (");
	const char *sep = "\n    ";
	for (size_t i = 0; i < t->columns.n; i++) {
		buf_puts(out, sep);
		column_def(out, t->columns.v[i]);
		sep = ",\n    ";
	}
	if (t->pk.columns.n) {
		buf_puts(out, sep);
		buf_puts(out, "PRIMARY KEY ");
		quoted_list(out, &t->pk.columns);
	}
	for (size_t i = 0; i < t->uniques.n; i++) {
		buf_puts(out, sep);
		unique_def(out, t->uniques.v[i]);
	}
	for (size_t i = 0; i < t->checks.n; i++) {
		buf_puts(out, sep);
		check_def(out, t->checks.v[i]);
	}
	buf_puts(out, "\n);\n");
}

/* Whether table t has a FULLTEXT index (ALGORITHM=INSTANT is then refused). */
static int has_fulltext(const strata_table *t)
{
	for (size_t i = 0; t && i < t->indexes.n; i++) {
		const strata_index *ix = t->indexes.v[i];
		if (ix->def && strncmp(ix->def, "CREATE FULLTEXT", 15) == 0)
			return 1;
	}
	return 0;
}

/* Whether adding or dropping column c can be done in place without a copy. */
static int instant_ok(const strata_table *t, const strata_column *c)
{
	return !has_fulltext(t) && c->generated != STRATA_GEN_STORED &&
	       !strstr(c->type, "AUTO_INCREMENT") &&
	       (!c->dflt || strata_sql_is_literal(c->dflt));
}

/* ADD COLUMN; a NOT NULL column with nothing to fill existing rows is added nullable,
 * with a marked step where the author fills it, and constrained after: in strict
 * mode MODIFY … NOT NULL fails the revision while a row still holds NULL there. */
static void render_add_column(buf *out, const strata_table *t, const strata_column *c)
{
	int fill = c->notnull && !c->dflt && !c->generated && !strstr(c->type, "AUTO_INCREMENT");
	strata_column tmp = *c;
	if (fill)
		tmp.notnull = 0;
	alter_table(out, t->name);
	buf_puts(out, "ADD COLUMN ");
	column_def(out, &tmp);
	if (instant_ok(t, &tmp))
		buf_puts(out, ", ALGORITHM=INSTANT");
	buf_puts(out, ";\n");
	if (!fill)
		return;
	strata_render_fill_note(out, t->name, c->name, "MODIFY … NOT NULL");
	alter_table(out, t->name);
	buf_puts(out, "MODIFY COLUMN ");
	column_def(out, c);
	buf_puts(out, ";\n");
}

static int opt_streq(const char *a, const char *b)
{
	return a ? b && strcmp(a, b) == 0 : b == NULL;
}

/* The changes that turn column `a` into `b` of table t: a default alone changes in
 * place, anything else with MODIFY COLUMN and the whole definition. */
static void render_alter_column(buf *out, const strata_table *t, const strata_column *a,
				const strata_column *b)
{
	int only_default = strcasecmp(a->type, b->type) == 0 && a->notnull == b->notnull &&
			   opt_streq(a->collation, b->collation) && a->generated == b->generated &&
			   !a->generated && (!b->dflt || strata_sql_is_literal(b->dflt)) &&
			   !(a->dflt && strstr(a->dflt, " ON UPDATE ")) && !has_fulltext(t);
	alter_table(out, t->name);
	if (only_default) {
		buf_puts(out, "ALTER COLUMN ");
		my_quote(out, b->name);
		if (b->dflt)
			buf_printf(out, " SET DEFAULT %s", b->dflt);
		else
			buf_puts(out, " DROP DEFAULT");
		buf_puts(out, ", ALGORITHM=INSTANT;\n");
		return;
	}
	buf_puts(out, "MODIFY COLUMN ");
	column_def(out, b);
	buf_puts(out, ";\n");
}

/* Renders one op of the list (foreign keys aside). */
static void render_op(buf *out, const strata_oplist *ops, size_t k)
{
	const strata_op *op = &ops->v[k];
	const strata_table *tt = op->new_table ? op->new_table : op->old_table;
	const char *t = tt ? tt->name : "";
	const strata_object *o;
	switch (op->kind) {
	case STRATA_OP_CREATE_TABLE:
		create_table(out, op->new_table);
		break;
	case STRATA_OP_DROP_TABLE:
		buf_puts(out, "DROP TABLE ");
		my_quote(out, op->old_table->name);
		buf_puts(out, ";\n");
		break;
	case STRATA_OP_RENAME_TABLE:
		buf_puts(out, "RENAME TABLE ");
		my_quote(out, op->old_table->name);
		buf_puts(out, " TO ");
		my_quote(out, op->new_table->name);
		buf_puts(out, ";\n");
		break;
	case STRATA_OP_RENAME_COLUMN:
		alter_table(out, t);
		buf_puts(out, "RENAME COLUMN ");
		my_quote(out, op->old_col->name);
		buf_puts(out, " TO ");
		my_quote(out, op->new_col->name);
		buf_puts(out, ";\n");
		break;
	case STRATA_OP_DROP_CHECK:
		alter_table(out, t);
		buf_puts(out, "DROP CONSTRAINT ");
		my_quote(out, ((const strata_check *)op->old_obj)->name ? ((const strata_check *)op->old_obj)->name : "");
		buf_puts(out, ";\n");
		break;
	case STRATA_OP_DROP_UNIQUE:
		alter_table(out, t);
		buf_puts(out, "DROP INDEX ");
		my_quote(out, ((const strata_unique *)op->old_obj)->name ? ((const strata_unique *)op->old_obj)->name : "");
		buf_puts(out, ";\n");
		break;
	case STRATA_OP_DROP_COLUMN:
		alter_table(out, t);
		buf_puts(out, "DROP COLUMN ");
		my_quote(out, op->old_col->name);
		if (instant_ok(op->old_table, op->old_col) && !strata_table_in_pk(op->old_table, op->old_col->name, 0))
			buf_puts(out, ", ALGORITHM=INSTANT");
		buf_puts(out, ";\n");
		break;
	case STRATA_OP_ADD_COLUMN:
		render_add_column(out, op->new_table, op->new_col);
		break;
	case STRATA_OP_ALTER_COLUMN:
		render_alter_column(out, op->new_table, op->old_col, op->new_col);
		break;
	case STRATA_OP_ALTER_PKEY: /* the old key was dropped where the run began */
		if (op->new_table->pk.columns.n) {
			alter_table(out, t);
			buf_puts(out, "ADD PRIMARY KEY ");
			quoted_list(out, &op->new_table->pk.columns);
			buf_puts(out, ";\n");
		}
		break;
	case STRATA_OP_ADD_UNIQUE:
		alter_table(out, t);
		buf_puts(out, "ADD ");
		unique_def(out, op->new_obj);
		buf_puts(out, ";\n");
		break;
	case STRATA_OP_ADD_CHECK:
		alter_table(out, t);
		buf_puts(out, "ADD ");
		check_def(out, op->new_obj);
		buf_puts(out, ";\n");
		break;
	case STRATA_OP_CREATE_INDEX:
		index_def(out, op->new_obj);
		buf_puts(out, ";\n");
		break;
	case STRATA_OP_DROP_INDEX:
		buf_puts(out, "DROP INDEX ");
		my_quote(out, ((const strata_index *)op->old_obj)->name);
		buf_puts(out, " ON ");
		my_quote(out, ((const strata_index *)op->old_obj)->table);
		buf_puts(out, ";\n");
		break;
	case STRATA_OP_CREATE_VIEW:
		buf_printf(out, "%s;\n", ((const strata_view *)op->new_obj)->sql);
		break;
	case STRATA_OP_DROP_VIEW:
		buf_puts(out, "DROP VIEW ");
		my_quote(out, ((const strata_view *)op->old_obj)->name);
		buf_puts(out, ";\n");
		break;
	case STRATA_OP_CREATE_TRIGGER:
		buf_printf(out, "%s;\n", ((const strata_trigger *)op->new_obj)->sql);
		break;
	case STRATA_OP_DROP_TRIGGER:
		buf_puts(out, "DROP TRIGGER ");
		my_quote(out, ((const strata_trigger *)op->old_obj)->name);
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

/* Pass 1: every foreign key that goes, under its table's name before the list runs. */
static void render_fkey_drops(buf *out, const strata_oplist *ops)
{
	for (size_t i = 0; i < ops->n; i++) {
		const strata_op *op = &ops->v[i];
		if (op->kind != STRATA_OP_DROP_FKEY && op->kind != STRATA_OP_DROP_TABLE)
			continue;
		const strata_table *t = op->old_table;
		for (size_t j = 0; j < t->fkeys.n; j++) {
			const strata_fkey *fk = t->fkeys.v[j];
			if ((op->kind == STRATA_OP_DROP_FKEY && fk != op->old_obj) || !fk->name)
				continue;
			alter_table(out, t->name);
			buf_puts(out, "DROP FOREIGN KEY ");
			my_quote(out, fk->name);
			buf_puts(out, ";\n");
		}
	}
}

/* Pass 3: every foreign key that comes, new tables' included. */
static void render_fkey_adds(buf *out, const strata_oplist *ops)
{
	for (size_t i = 0; i < ops->n; i++) {
		const strata_op *op = &ops->v[i];
		if (op->kind != STRATA_OP_ADD_FKEY && op->kind != STRATA_OP_CREATE_TABLE)
			continue;
		const strata_table *t = op->new_table;
		for (size_t j = 0; j < t->fkeys.n; j++) {
			const strata_fkey *fk = t->fkeys.v[j];
			if (op->kind == STRATA_OP_ADD_FKEY && fk != op->new_obj)
				continue;
			alter_table(out, t->name);
			buf_puts(out, "ADD ");
			fkey_def(out, fk);
			buf_puts(out, ";\n");
		}
	}
}

/* Renders a whole list; see the header comment. */
int my_render(const strata_oplist *ops, buf *out, strata_err *e)
{
	buf why = BUF_INIT;
	size_t mark = out->len;
	render_fkey_drops(out, ops);
	for (size_t i = 0; i < ops->n; i++) {
		const strata_op *op = &ops->v[i];
		if (op->kind == STRATA_OP_DROP_FKEY || op->kind == STRATA_OP_ADD_FKEY ||
		    op->kind == STRATA_OP_ALTER_OPTIONS)
			continue;
		if (out->len > mark)
			buf_putc(out, '\n');
		/* MariaDB refuses to drop a key column while the key stands. */
		if (strata_op_drops_pkey_here(ops, i)) {
			alter_table(out, op->new_table->name);
			buf_puts(out, "DROP PRIMARY KEY;\n");
		}
		buf_reset(&why);
		if (strata_op_danger(&why, op, ops->strict_types))
			strata_render_warning(out, why.ptr);
		render_op(out, ops, i);
	}
	size_t before = out->len;
	if (out->len > mark)
		buf_putc(out, '\n');
	size_t start = out->len;
	render_fkey_adds(out, ops);
	if (out->len == start) {
		out->len = before;
		out->ptr[before] = '\0';
	}
	buf_free(&why);
	(void)e;
	return 0;
}
