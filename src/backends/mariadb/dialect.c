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
 *
 * An index that the list drops and creates again under another name with the same
 * definition (after the list's renames) is renamed in place, with ALTER TABLE … RENAME
 * INDEX where it is created: not only cheaper, but needed for the index InnoDB makes
 * for a foreign key. That index is named after the column, a database loaded from the
 * declared schema names it after the column's new name, and DROP INDEX of the live one
 * fails while the foreign key needs it (error 1553).
 */
#define _POSIX_C_SOURCE 200809L
#include "backends/mariadb/mariadb_internal.h"
#include "schema/render.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void column_def(buf *out, const strata_column *c);

/* How MariaDB differs from the shared renderer (schema/render.h); the hooks below. */
static int my_op(buf *out, const strata_oplist *ops, size_t k, void *state);
static void render_fkey_drops(buf *out, const strata_oplist *ops, void *state);
static void render_fkey_adds(buf *out, const strata_oplist *ops, void *state);

static const strata_render_dialect my_dialect = {
	.quote = my_quote,
	.qname = my_quote,
	.column_def = column_def,
	.flags = STRATA_RENDER_PK_UNNAMED | STRATA_RENDER_INDEX_ON_TABLE |
		 STRATA_RENDER_UNIQUE_IS_INDEX,
	.op = my_op,
	.fkey_drops = render_fkey_drops,
	.fkey_adds = render_fkey_adds,
};

static void alter_table(buf *out, const char *table)
{
	strata_render_alter_table(out, &my_dialect, table);
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

/* What my_render hands the hooks: for each op, the op that with it renames an index
 * (a DROP_INDEX and a CREATE_INDEX), or (size_t)-1. */
typedef struct my_render_state {
	size_t *renamed;
} my_render_state;

#define NO_OP ((size_t)-1)

/* Whether table t has an index named `name`. */
static int has_index(const strata_table *t, const char *name)
{
	for (size_t i = 0; i < t->indexes.n; i++)
		if (strcmp(((const strata_index *)t->indexes.v[i])->name, name) == 0)
			return 1;
	return 0;
}

/* Whether DROP_INDEX op d and CREATE_INDEX op c only rename an index: the same table
 * (after renames), which loses the old name and gains the new one, and the same
 * definition but for the name. */
static int index_renamed(const strata_oplist *ops, const strata_op *d, const strata_op *c)
{
	const strata_index *a = d->old_obj, *b = c->new_obj;
	if (!d->new_table || d->new_table != c->new_table || !a->def || !b->def ||
	    a->unique != b->unique || has_index(c->new_table, a->name) ||
	    has_index(d->old_table, b->name))
		return 0;
	/* a's statement under b's name */
	buf name = BUF_INIT, def = BUF_INIT;
	my_quote(&name, a->name);
	const char *at = strstr(a->def, name.ptr);
	int same = 0;
	if (at) {
		buf_add(&def, a->def, (size_t)(at - a->def));
		my_quote(&def, b->name);
		buf_puts(&def, at + name.len);
		strata_renames own = { 0 };
		strata_renames_of_table(&own, &ops->renames, a->table, ops->nocase);
		same = strata_sql_equal(def.ptr, b->def, &own, NULL, ops->nocase);
		strata_renames_free(&own);
	}
	buf_free(&name);
	buf_free(&def);
	return same;
}

/* Pairs each index the list drops with one it creates that only renames it. */
static void pair_renamed_indexes(const strata_oplist *ops, size_t *renamed)
{
	for (size_t i = 0; i < ops->n; i++)
		renamed[i] = NO_OP;
	for (size_t i = 0; i < ops->n; i++) {
		if (ops->v[i].kind != STRATA_OP_DROP_INDEX)
			continue;
		for (size_t j = 0; j < ops->n; j++)
			if (ops->v[j].kind == STRATA_OP_CREATE_INDEX && renamed[j] == NO_OP &&
			    index_renamed(ops, &ops->v[i], &ops->v[j])) {
				renamed[i] = j;
				renamed[j] = i;
				break;
			}
	}
}

/* The ops MariaDB renders its own way (see the header comment); 1 when op k was one. */
static int my_op(buf *out, const strata_oplist *ops, size_t k, void *state)
{
	const strata_op *op = &ops->v[k];
	const my_render_state *st = state;
	switch (op->kind) {
	case STRATA_OP_DROP_INDEX:
		if (st->renamed[k] == NO_OP)
			return 0;
		/* renamed where it is created: nothing here, not even the blank line */
		if (out->len >= 2 && out->ptr[out->len - 1] == '\n' && out->ptr[out->len - 2] == '\n')
			out->ptr[--out->len] = '\0';
		return 1;
	case STRATA_OP_CREATE_INDEX:
		if (st->renamed[k] == NO_OP)
			return 0;
		alter_table(out, op->new_table->name);
		buf_puts(out, "RENAME INDEX ");
		my_quote(out, ((const strata_index *)ops->v[st->renamed[k]].old_obj)->name);
		buf_puts(out, " TO ");
		my_quote(out, ((const strata_index *)op->new_obj)->name);
		buf_puts(out, ";\n");
		return 1;
	case STRATA_OP_RENAME_TABLE:
		buf_puts(out, "RENAME TABLE ");
		my_quote(out, op->old_table->name);
		buf_puts(out, " TO ");
		my_quote(out, op->new_table->name);
		buf_puts(out, ";\n");
		return 1;
	case STRATA_OP_DROP_COLUMN:
		alter_table(out, op->new_table ? op->new_table->name : op->old_table->name);
		buf_puts(out, "DROP COLUMN ");
		my_quote(out, op->old_col->name);
		if (instant_ok(op->old_table, op->old_col) && !strata_table_in_pk(op->old_table, op->old_col->name, 0))
			buf_puts(out, ", ALGORITHM=INSTANT");
		buf_puts(out, ";\n");
		return 1;
	case STRATA_OP_ADD_COLUMN:
		render_add_column(out, op->new_table, op->new_col);
		return 1;
	case STRATA_OP_ALTER_COLUMN:
		render_alter_column(out, op->new_table, op->old_col, op->new_col);
		return 1;
	default:
		return 0;
	}
}

/* Pass 1: every foreign key that goes, under its table's name before the list runs. */
static void render_fkey_drops(buf *out, const strata_oplist *ops, void *state)
{
	(void)state;
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
static void render_fkey_adds(buf *out, const strata_oplist *ops, void *state)
{
	(void)state;
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
			strata_render_fkey_def(out, &my_dialect, fk);
			buf_puts(out, ";\n");
		}
	}
}

/* Renders a whole list; see the header comment. */
int my_render(const strata_oplist *ops, buf *out, strata_err *e)
{
	my_render_state st = { xcalloc(ops->n + 1, sizeof(size_t)) };
	pair_renamed_indexes(ops, st.renamed);
	strata_render_list(out, &my_dialect, ops, &st);
	free(st.renamed);
	(void)e;
	return 0;
}
