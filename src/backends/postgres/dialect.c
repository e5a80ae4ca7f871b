/*
 * dialect.c — operations → PostgreSQL SQL.
 *
 * Rendering needs no connection: `--sql` mode and golden tests use it as is. Every
 * identifier is double-quoted; names in a schema other than public are written
 * "schema"."name". PostgreSQL alters tables natively, so every table change is an
 * ALTER TABLE of its own. What the diff's order cannot settle is settled here:
 *
 *  - foreign keys are dropped first (a table they point at may be dropped next) and
 *    added last, after every table and index exists, so cycles and keys on unique
 *    indexes work; tables that are dropped together lose their keys to each other
 *    first;
 *  - a column whose type changes loses its default first and gets it back after, and
 *    the cast is spelled out (USING "col"::type);
 *  - functions are created with check_function_bodies off for the transaction, as
 *    pg_dump does, so an SQL function may name a table created after it;
 *  - an enum that only gains labels gets ALTER TYPE … ADD VALUE … BEFORE/AFTER (in a
 *    transaction since PostgreSQL 12), unless the same script uses a new label (in a
 *    default, CHECK, index, view or trigger), which PostgreSQL refuses before COMMIT;
 *    that enum, and one that loses or reorders labels, is rebuilt: the old type is
 *    renamed away, the new one created, every column of it converted through text
 *    (its default dropped and restored around that), the old type dropped. Views
 *    reading those tables are dropped before and re-created after by the diff.
 *
 * A new NOT NULL column without a default is added nullable, followed by a
 * `-- strata:fill <table>.<column>: ...` step where the author writes the UPDATE that
 * fills existing rows, then SET NOT NULL, which fails the revision (and so rolls it
 * back) while a row still holds NULL. `-- WARNING: ...` lines stand above statements
 * that may lose data.
 */
#include "backends/postgres/postgres_internal.h"
#include "schema/render.h"

#include <stdlib.h>
#include <string.h>

void pg_quote(buf *out, const char *name)
{
	buf_putc(out, '"');
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			buf_putc(out, '"');
		buf_putc(out, *p);
	}
	buf_putc(out, '"');
}

void pg_qname(buf *out, const char *name)
{
	const char *dot = strchr(name, '.');
	if (!dot) {
		pg_quote(out, name);
		return;
	}
	char *schema = xmalloc((size_t)(dot - name) + 1);
	memcpy(schema, name, (size_t)(dot - name));
	schema[dot - name] = '\0';
	pg_quote(out, schema);
	buf_putc(out, '.');
	pg_quote(out, dot + 1);
	free(schema);
}

void pg_quote_string(buf *out, const char *s)
{
	buf_putc(out, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			buf_putc(out, '\'');
		buf_putc(out, *p);
	}
	buf_putc(out, '\'');
}

/* The part of a catalog name after its schema. */
static const char *bare(const char *name)
{
	const char *dot = strchr(name, '.');
	return dot ? dot + 1 : name;
}

static void column_def(buf *out, const strata_column *c);

/* How PostgreSQL differs from the shared renderer (schema/render.h); the hooks below. */
static int pg_op(buf *out, const strata_oplist *ops, size_t k, void *state);
static void render_rows_save(buf *out, const strata_oplist *ops);
static void render_rows_restore(buf *out, const strata_oplist *ops, size_t k);
static void render_fkey_drops(buf *out, const strata_oplist *ops, void *state);
static void render_fkey_adds(buf *out, const strata_oplist *ops, void *state);

static const strata_render_dialect pg_dialect = {
	.quote = pg_quote,
	.qname = pg_qname,
	.column_def = column_def,
	.flags = STRATA_RENDER_FK_UPDATE_FIRST | STRATA_RENDER_TRIGGER_ON_TABLE |
		 STRATA_RENDER_FKEYS_AFTER_TABLES,
	.op = pg_op,
	.fkey_drops = render_fkey_drops,
	.fkey_adds = render_fkey_adds,
};

/* What pg_render hands the hooks: whether check_function_bodies is off yet, and the
 * foreign keys leaning on a key that is dropped (see leaning_fkeys). */
typedef struct pg_state {
	int bodies_off;
	vec lean_old, lean_new;
} pg_state;

static void alter_table(buf *out, const char *table)
{
	strata_render_alter_table(out, &pg_dialect, table);
}

/* serial types exist only in CREATE TABLE and ADD COLUMN. */
static const char *plain_type(const char *type)
{
	return strcmp(type, "serial") == 0	  ? "integer"
	       : strcmp(type, "bigserial") == 0	  ? "bigint"
	       : strcmp(type, "smallserial") == 0 ? "smallint"
						  : type;
}

/* "GENERATED ... AS IDENTITY [(options)]" of column `c`. */
static void identity_def(buf *out, const strata_column *c)
{
	buf_printf(out, " GENERATED %s AS IDENTITY", c->identity == 'a' ? "ALWAYS" : "BY DEFAULT");
	if (c->identity_opts)
		buf_printf(out, " (%s)", c->identity_opts);
}

/* The options of an identity made those of `b` in place: "SET START WITH 1 SET ..."
 * (NO MINVALUE / NO MAXVALUE give back the defaults of the column's type). */
static void identity_set(buf *out, const strata_column *b)
{
	const char *opts = b->identity_opts
				   ? b->identity_opts
				   : "START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1 NO CYCLE";
	static const char *const words[] = { "START", "INCREMENT", "MINVALUE", "MAXVALUE",
					     "CACHE", "CYCLE", "NO" };
	int after_no = 0;
	for (const char *p = opts; *p;) {
		const char *end = strchr(p, ' ');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		int kw = 0;
		for (size_t i = 0; i < sizeof words / sizeof *words && !kw; i++)
			kw = strlen(words[i]) == n && strncmp(words[i], p, n) == 0;
		if (kw && !after_no)
			buf_puts(out, " SET");
		after_no = n == 2 && strncmp(p, "NO", 2) == 0;
		buf_putc(out, ' ');
		buf_add(out, p, n);
		p += n;
		while (*p == ' ')
			p++;
	}
}

static void column_def(buf *out, const strata_column *c)
{
	pg_quote(out, c->name);
	buf_printf(out, " %s", c->type);
	if (c->collation)
		buf_printf(out, " COLLATE %s", c->collation);
	if (c->generated)
		buf_printf(out, " GENERATED ALWAYS AS (%s) STORED", c->gen_expr ? c->gen_expr : "NULL");
	else if (c->identity)
		identity_def(out, c);
	else if (c->dflt)
		buf_printf(out, " DEFAULT %s", c->dflt);
	if (c->notnull)
		buf_puts(out, " NOT NULL");
}

static void add_fkey(buf *out, const char *table, const strata_fkey *fk)
{
	alter_table(out, table);
	buf_puts(out, "ADD ");
	strata_render_fkey_def(out, &pg_dialect, fk);
	buf_puts(out, ";\n");
}

static void drop_constraint(buf *out, const char *table, const char *name)
{
	strata_render_drop_constraint(out, &pg_dialect, table, name);
}

static void alter_column(buf *out, const char *table, const char *col)
{
	alter_table(out, table);
	buf_puts(out, "ALTER COLUMN ");
	pg_quote(out, col);
	buf_putc(out, ' ');
}

/* Moves serial column `c`'s sequence past the values the rows of `table` hold. */
static void render_serial_setval(buf *out, const char *table, const strata_column *c)
{
	buf seq = BUF_INIT;
	pg_qname(&seq, c->serial_seq);
	buf_puts(out, "SELECT setval(");
	pg_quote_string(out, seq.ptr);
	buf_puts(out, ", coalesce(max(");
	pg_quote(out, c->name);
	buf_puts(out, "), 0) + 1, false) FROM ");
	pg_qname(out, table);
	buf_puts(out, ";\n");
	buf_free(&seq);
}

/*
 * The sequence behind a serial column, when the column becomes serial, stops being one
 * or changes integer type (`retyped`): a serial's sequence has the column's type, is
 * owned by it and feeds its default. A new one starts after the rows already there.
 */
static void render_serial_change(buf *out, const char *table, const strata_column *a,
				 const strata_column *b, int retyped)
{
	const char *tb = plain_type(b->type);
	if (a->serial_seq && b->serial_seq && retyped) {
		buf_puts(out, "ALTER SEQUENCE ");
		pg_qname(out, a->serial_seq);
		buf_printf(out, " AS %s;\n", tb);
	} else if (a->serial_seq && !b->serial_seq) {
		buf_puts(out, "DROP SEQUENCE ");
		pg_qname(out, a->serial_seq);
		buf_puts(out, ";\n");
	} else if (!a->serial_seq && b->serial_seq) {
		buf seq = BUF_INIT;
		pg_qname(&seq, b->serial_seq);
		buf_printf(out, "CREATE SEQUENCE %s AS %s OWNED BY ", seq.ptr, tb);
		pg_qname(out, table);
		buf_putc(out, '.');
		pg_quote(out, b->name);
		buf_puts(out, ";\n");
		alter_column(out, table, b->name);
		buf_puts(out, "SET DEFAULT nextval(");
		pg_quote_string(out, seq.ptr);
		buf_puts(out, "::regclass);\n");
		render_serial_setval(out, table, b);
		buf_free(&seq);
	}
}

/* The changes that turn column `a` into `b` of `table`; `via_text` when both types are
 * enums (whose values convert only through text). Returns 1 when the column was
 * dropped and added anew (its indexes went with it). */
static int render_alter_column(buf *out, const char *table, const strata_column *a,
			       const strata_column *b, int via_text)
{
	const char *ta = plain_type(a->type), *tb = plain_type(b->type);
	strata_column plain;
	if (a->generated && !b->generated) {
		/* A generated column made plain keeps the values it holds (PostgreSQL 13+);
		 * what else changes is altered on the now plain column. */
		alter_column(out, table, b->name);
		buf_puts(out, "DROP EXPRESSION;\n");
		plain = *a;
		plain.generated = STRATA_GEN_NONE;
		plain.gen_expr = NULL;
		a = &plain;
	}
	if (a->generated != b->generated ||
	    (a->generated && !strata_sql_equal(a->gen_expr, b->gen_expr, NULL, NULL, 0))) {
		/* A generation expression cannot be altered: the column is made anew (its
		 * values are computed ones either way). */
		alter_table(out, table);
		buf_puts(out, "DROP COLUMN "); /* renames ran first: it has its new name */
		pg_quote(out, b->name);
		buf_puts(out, ";\n");
		alter_table(out, table);
		buf_puts(out, "ADD COLUMN ");
		column_def(out, b);
		buf_puts(out, ";\n");
		return 1;
	}
	if (a->identity && !b->identity) {
		alter_column(out, table, b->name);
		buf_puts(out, "DROP IDENTITY;\n");
	}
	int retype = strcmp(ta, tb) != 0 || (a->collation ? !b->collation || strcmp(a->collation,
		b->collation) : b->collation != NULL);
	int dflt_changed = !strata_sql_equal(a->dflt, b->dflt, NULL, NULL, 0);
	int sa = a->serial_seq != NULL, sb = b->serial_seq != NULL;
	/* A serial column's default (its nextval) survives a change between integer
	 * types; it goes when the column stops being serial. */
	if ((a->dflt && (retype || (dflt_changed && !b->dflt))) || (sa && !sb)) {
		alter_column(out, table, b->name);
		buf_puts(out, "DROP DEFAULT;\n");
	}
	if (retype) {
		alter_column(out, table, b->name);
		buf_printf(out, "TYPE %s", tb);
		if (b->collation)
			buf_printf(out, " COLLATE %s", b->collation);
		buf_puts(out, " USING ");
		pg_quote(out, b->name);
		buf_putc(out, ':');
		buf_putc(out, ':');
		/* Between enum types there is no cast but through text. */
		if (via_text)
			buf_puts(out, "text::");
		buf_printf(out, "%s;\n", tb);
	}
	render_serial_change(out, table, a, b, retype);
	if (b->dflt && (dflt_changed || retype)) {
		alter_column(out, table, b->name);
		buf_printf(out, "SET DEFAULT %s;\n", b->dflt);
	}
	if (a->notnull != b->notnull) {
		alter_column(out, table, b->name);
		buf_puts(out, b->notnull ? "SET NOT NULL;\n" : "DROP NOT NULL;\n");
	}
	if (b->identity && !a->identity) {
		alter_column(out, table, b->name);
		buf_puts(out, "ADD");
		identity_def(out, b);
		buf_puts(out, ";\n");
	} else if (b->identity) {
		int opts = !strata_sql_equal(a->identity_opts, b->identity_opts, NULL, NULL, 0);
		if (a->identity != b->identity || opts) {
			alter_column(out, table, b->name);
			if (a->identity != b->identity)
				buf_printf(out, "SET GENERATED %s",
					   b->identity == 'a' ? "ALWAYS" : "BY DEFAULT");
			if (opts)
				identity_set(out, b);
			buf_puts(out, ";\n");
		}
	}
	return 0;
}

/* Whether `v` holds `name`. */
static int has_name(const strvec *v, const char *name)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->v[i], name) == 0)
			return 1;
	return 0;
}

/* ALTER TABLE `table` VERB parent, for each parent in `from` that `to` lacks. */
static void inherit_changes(buf *out, const char *table, const strvec *from, const strvec *to,
			    const char *verb)
{
	for (size_t i = 0; i < from->n; i++)
		if (!has_name(to, from->v[i])) {
			alter_table(out, table);
			buf_puts(out, verb);
			pg_qname(out, from->v[i]);
			buf_puts(out, ";\n");
		}
}

/* The options of table `a` made those of `b`: LOGGED / UNLOGGED, and the parents it
 * stops or starts inheriting from (INHERIT needs the parents' columns, which the
 * column changes before it add). */
static void render_table_options(buf *out, const strata_table *a, const strata_table *b)
{
	if (a->unlogged != b->unlogged) {
		alter_table(out, b->name);
		buf_puts(out, b->unlogged ? "SET UNLOGGED;\n" : "SET LOGGED;\n");
	}
	inherit_changes(out, b->name, &a->inherits, &b->inherits, "NO INHERIT ");
	inherit_changes(out, b->name, &b->inherits, &a->inherits, "INHERIT ");
}

/* Whether the list drops or creates index `name` itself. */
static int index_op(const strata_oplist *ops, const char *name)
{
	for (size_t i = 0; i < ops->n; i++) {
		const strata_op *op = &ops->v[i];
		if ((op->kind == STRATA_OP_DROP_INDEX &&
		     strcmp(((const strata_index *)op->old_obj)->name, name) == 0) ||
		    (op->kind == STRATA_OP_CREATE_INDEX &&
		     strcmp(((const strata_index *)op->new_obj)->name, name) == 0))
			return 1;
	}
	return 0;
}

/* After column `col` of table `t` was dropped and added anew: the indexes on it that
 * the list leaves as they are, which DROP COLUMN took with it, are created again. */
static void recreate_indexes(buf *out, const strata_oplist *ops, const strata_table *t,
			     const char *col)
{
	for (size_t i = 0; i < t->indexes.n; i++) {
		const strata_index *ix = t->indexes.v[i];
		int uses = ix->where && strata_sql_mentions(ix->where, col, 0);
		for (size_t j = 0; j < ix->nparts && !uses; j++)
			uses = ix->parts[j].is_expr ? strata_sql_mentions(ix->parts[j].name, col, 0)
						    : strcmp(ix->parts[j].name, col) == 0;
		if (uses && ix->def && !index_op(ops, ix->name))
			buf_printf(out, "%s;\n", ix->def);
	}
}

/* ADD COLUMN; a NOT NULL column with nothing to fill existing rows is added nullable,
 * with a marked step where the author fills it, and constrained after: SET NOT NULL
 * fails the revision while a row still holds NULL there. */
static void render_add_column(buf *out, const char *table, const strata_column *c)
{
	int fill = c->notnull && !c->dflt && !c->generated && !c->identity &&
		   strcmp(plain_type(c->type), c->type) == 0;
	strata_column tmp = *c;
	if (fill)
		tmp.notnull = 0;
	alter_table(out, table);
	buf_puts(out, "ADD COLUMN ");
	column_def(out, &tmp);
	buf_puts(out, ";\n");
	if (!fill)
		return;
	strata_render_fill_note(out, table, c->name, "SET NOT NULL");
	alter_column(out, table, c->name);
	buf_puts(out, "SET NOT NULL;\n");
}

/* --- enums ------------------------------------------------------------------------------ */

static int has_label(const strata_object *o, const char *label)
{
	for (size_t i = 0; i < o->values.n; i++)
		if (strcmp(o->values.v[i], label) == 0)
			return 1;
	return 0;
}

/* Whether op `k` of the list comes after some change to a table. */
static int after_table_changes(const strata_oplist *ops, size_t k)
{
	for (size_t i = 0; i < k; i++)
		if (strata_op_is_table_change(&ops->v[i]) || ops->v[i].kind == STRATA_OP_CREATE_TABLE)
			return 1;
	return 0;
}

/* Whether the list has an op of `kind` on table `t` before (`before`) or after op `k`. */
static int table_op(const strata_oplist *ops, size_t k, strata_op_kind kind, const strata_table *t,
		    int before)
{
	for (size_t i = before ? 0 : k + 1; i < (before ? k : ops->n); i++)
		if (ops->v[i].kind == kind &&
		    (ops->v[i].old_table == t || ops->v[i].new_table == t))
			return 1;
	return 0;
}

/* Whether `text` holds the string literal `label`. */
static int has_literal(const char *text, const char *label)
{
	if (!text)
		return 0;
	buf lit = BUF_INIT;
	pg_quote_string(&lit, label);
	int hit = strstr(text, lit.ptr) != NULL;
	buf_free(&lit);
	return hit;
}

/* Whether the statements of the list (other than the enum's own) may use `label`: a
 * label added by ADD VALUE cannot be used before the transaction commits. */
static int label_used(const strata_oplist *ops, const char *label)
{
	for (size_t i = 0; i < ops->n; i++) {
		const strata_op *op = &ops->v[i];
		const strata_table *t = op->new_table;
		switch (op->kind) {
		case STRATA_OP_CREATE_TABLE:
			for (size_t j = 0; j < t->columns.n; j++) {
				const strata_column *c = t->columns.v[j];
				if (has_literal(c->dflt, label) || has_literal(c->gen_expr, label))
					return 1;
			}
			for (size_t j = 0; j < t->checks.n; j++)
				if (has_literal(((strata_check *)t->checks.v[j])->expr, label))
					return 1;
			break;
		case STRATA_OP_ADD_COLUMN:
		case STRATA_OP_ALTER_COLUMN:
			if (has_literal(op->new_col->dflt, label) || has_literal(op->new_col->gen_expr, label))
				return 1;
			break;
		case STRATA_OP_ADD_CHECK:
			if (has_literal(((const strata_check *)op->new_obj)->expr, label))
				return 1;
			break;
		case STRATA_OP_CREATE_INDEX:
			if (has_literal(((const strata_index *)op->new_obj)->def, label))
				return 1;
			break;
		case STRATA_OP_CREATE_VIEW:
			if (has_literal(((const strata_view *)op->new_obj)->sql, label))
				return 1;
			break;
		case STRATA_OP_CREATE_TRIGGER:
			if (has_literal(((const strata_trigger *)op->new_obj)->sql, label))
				return 1;
			break;
		default:
			break;
		}
	}
	return 0;
}

/* Whether enum `a` must be rebuilt into `b` rather than gain labels in place. */
static int enum_needs_rebuild(const strata_oplist *ops, const strata_object *a,
			      const strata_object *b)
{
	if (strata_enum_rebuilt(a, b))
		return 1;
	for (size_t j = 0; j < b->values.n; j++)
		if (!has_label(a, b->values.v[j]) && label_used(ops, b->values.v[j]))
			return 1;
	return 0;
}

static void render_enum(buf *out, const strata_oplist *ops, size_t k)
{
	const strata_object *a = ops->v[k].old_obj, *b = ops->v[k].new_obj;
	if (!enum_needs_rebuild(ops, a, b)) {
		for (size_t j = 0; j < b->values.n; j++) {
			if (has_label(a, b->values.v[j]))
				continue;
			buf_puts(out, "ALTER TYPE ");
			pg_qname(out, b->name);
			buf_puts(out, " ADD VALUE ");
			pg_quote_string(out, b->values.v[j]);
			if (j > 0) {
				buf_puts(out, " AFTER ");
				pg_quote_string(out, b->values.v[j - 1]);
			} else {
				for (size_t m = 1; m < b->values.n; m++)
					if (has_label(a, b->values.v[m])) {
						buf_puts(out, " BEFORE ");
						pg_quote_string(out, b->values.v[m]);
						break;
					}
			}
			buf_puts(out, ";\n");
		}
		return;
	}
	buf old = BUF_INIT;
	const char *dot = strchr(b->name, '.');
	if (dot)
		buf_add(&old, b->name, (size_t)(dot - b->name + 1));
	buf_printf(&old, "%s__strata_old", bare(b->name));
	buf_puts(out, "ALTER TYPE ");
	pg_qname(out, a->name);
	buf_puts(out, " RENAME TO ");
	pg_quote(out, bare(old.ptr));
	buf_puts(out, ";\n");
	buf_printf(out, "%s;\n", b->sql);
	/* The tables as they are at this point of the list. */
	int late = after_table_changes(ops, k);
	const strata_catalog *cat = late ? ops->to : ops->from;
	for (size_t i = 0; cat && i < cat->tables.n; i++) {
		const strata_table *t = cat->tables.v[i];
		if (late ? table_op(ops, k, STRATA_OP_CREATE_TABLE, t, 0)
			 : table_op(ops, k, STRATA_OP_DROP_TABLE, t, 1))
			continue;
		for (size_t j = 0; j < t->columns.n; j++) {
			const strata_column *c = t->columns.v[j];
			if (!a->type || strcmp(c->type, a->type) != 0)
				continue;
			if (c->dflt) {
				alter_column(out, t->name, c->name);
				buf_puts(out, "DROP DEFAULT;\n");
			}
			alter_column(out, t->name, c->name);
			buf_puts(out, "TYPE ");
			pg_qname(out, b->name);
			buf_puts(out, " USING ");
			pg_quote(out, c->name);
			buf_puts(out, "::text::");
			pg_qname(out, b->name);
			buf_puts(out, ";\n");
			if (c->dflt) {
				alter_column(out, t->name, c->name);
				buf_printf(out, "SET DEFAULT %s;\n", c->dflt);
			}
		}
	}
	buf_puts(out, "DROP TYPE ");
	pg_qname(out, old.ptr);
	buf_puts(out, ";\n");
	buf_free(&old);
}

/* The schema of a catalog name ("public" for a bare one) into `dst`. */
static void schema_of(buf *dst, const char *name)
{
	const char *dot = strchr(name, '.');
	if (dot)
		buf_add(dst, name, (size_t)(dot - name));
	else
		buf_puts(dst, "public");
}

/* A table renamed, moved to another schema, or both. */
static void render_rename_table(buf *out, const char *from, const char *to)
{
	buf sa = BUF_INIT, sb = BUF_INIT;
	schema_of(&sa, from);
	schema_of(&sb, to);
	if (strcmp(sa.ptr, sb.ptr) != 0) {
		alter_table(out, from);
		buf_puts(out, "SET SCHEMA ");
		pg_quote(out, sb.ptr);
		buf_puts(out, ";\n");
	}
	if (strcmp(bare(from), bare(to)) != 0) {
		buf moved = BUF_INIT;
		if (strcmp(sb.ptr, "public") != 0)
			buf_printf(&moved, "%s.", sb.ptr);
		buf_puts(&moved, bare(from));
		alter_table(out, moved.ptr);
		buf_puts(out, "RENAME TO ");
		pg_quote(out, bare(to));
		buf_puts(out, ";\n");
		buf_free(&moved);
	}
	buf_free(&sa);
	buf_free(&sb);
}

/* Whether a function's parameters or result change, which CREATE OR REPLACE refuses:
 * it is dropped and created instead. */
static int signature_changes(const strata_object *a, const strata_object *b)
{
	return b->kind == STRATA_OBJ_FUNCTION && a->type && b->type && strcmp(a->type, b->type) != 0;
}

/* --- the list ---------------------------------------------------------------------------- */

/* Whether `type` (as a column's type names it) is an enum of catalog `c`. */
static int is_enum_type(const strata_catalog *c, const char *type)
{
	for (size_t i = 0; c && i < c->objects.n; i++) {
		const strata_object *o = c->objects.v[i];
		if (o->kind == STRATA_OBJ_ENUM && o->type && strcmp(o->type, type) == 0)
			return 1;
	}
	return 0;
}

/* Whether `t` is dropped by some op of the list. */
static int dropped(const strata_oplist *ops, const char *name)
{
	for (size_t i = 0; i < ops->n; i++)
		if (ops->v[i].kind == STRATA_OP_DROP_TABLE && strcmp(ops->v[i].old_table->name, name) == 0)
			return 1;
	return 0;
}

/* Whether the list rebuilds table `name` (drops it and creates it anew). */
static int rebuilt(const strata_oplist *ops, const char *name)
{
	for (size_t i = 0; i < ops->n; i++)
		if (ops->v[i].kind == STRATA_OP_DROP_TABLE && (ops->v[i].flags & STRATA_OP_REPLACED) &&
		    strcmp(ops->v[i].old_table->name, name) == 0)
			return 1;
	return 0;
}

/* Whether the list drops foreign key `fk` itself. */
static int fkey_dropped(const strata_oplist *ops, const strata_fkey *fk)
{
	for (size_t i = 0; i < ops->n; i++)
		if (ops->v[i].kind == STRATA_OP_DROP_FKEY && ops->v[i].old_obj == fk)
			return 1;
	return 0;
}

/* Whether the key columns `key` (n of them, from a strata_keypart array or a strvec)
 * are the columns `to` of a foreign key, in any order. */
static int same_columns(const strvec *to, const char *const *key, size_t n)
{
	if (to->n != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int found = 0;
		for (size_t j = 0; j < n && !found; j++)
			found = strcmp(to->v[i], key[j]) == 0;
		if (!found)
			return 0;
	}
	return 1;
}

/* Whether the list drops the primary key, UNIQUE constraint or unique index of old
 * table `t` whose columns `fk` references: PostgreSQL refuses while the foreign key
 * stands. */
static int key_dropped_under(const strata_oplist *ops, const char *t, const strata_fkey *fk)
{
	for (size_t i = 0; i < ops->n; i++) {
		const strata_op *op = &ops->v[i];
		if (!op->old_table || strcmp(op->old_table->name, t) != 0)
			continue;
		if (op->kind == STRATA_OP_ALTER_PKEY &&
		    same_columns(&fk->to, (const char *const *)op->old_table->pk.columns.v,
				 op->old_table->pk.columns.n))
			return 1;
		const strata_keypart *parts = NULL;
		size_t n = 0;
		if (op->kind == STRATA_OP_DROP_UNIQUE) {
			parts = ((const strata_unique *)op->old_obj)->parts;
			n = ((const strata_unique *)op->old_obj)->nparts;
		} else if (op->kind == STRATA_OP_DROP_INDEX &&
			   ((const strata_index *)op->old_obj)->unique &&
			   !((const strata_index *)op->old_obj)->where) {
			parts = ((const strata_index *)op->old_obj)->parts;
			n = ((const strata_index *)op->old_obj)->nparts;
		}
		const char *cols[64];
		if (!parts || n > 64)
			continue;
		for (size_t j = 0; j < n; j++)
			cols[j] = parts[j].name;
		if (same_columns(&fk->to, cols, n))
			return 1;
	}
	return 0;
}

/*
 * The foreign keys that stay as they are but lean on a key the list drops and adds
 * back (a primary key that changes, a UNIQUE replaced): each is dropped first and
 * added back last. Fills `old` with (table, fkey) pairs of the old catalog and `new`
 * with the same keys in the new one.
 */
static void leaning_fkeys(const strata_oplist *ops, vec *old, vec *new)
{
	const strata_catalog *from = ops->from, *to = ops->to;
	for (size_t i = 0; i < from->tables.n; i++) {
		const strata_table *t = from->tables.v[i];
		if (dropped(ops, t->name))
			continue;
		for (size_t j = 0; j < t->fkeys.n; j++) {
			const strata_fkey *fk = t->fkeys.v[j];
			int again = rebuilt(ops, fk->ref_table);
			if (fkey_dropped(ops, fk) || (dropped(ops, fk->ref_table) && !again) ||
			    (!again && !key_dropped_under(ops, fk->ref_table, fk)))
				continue;
			const strata_table *nt = strata_catalog_table(
				to, strata_renames_table(&ops->renames, t->name, ops->nocase));
			for (size_t k = 0; nt && k < nt->fkeys.n; k++) {
				const strata_fkey *nk = nt->fkeys.v[k];
				if (nk->name && fk->name && strcmp(nk->name, fk->name) == 0) {
					vec_push(old, (void *)t);
					vec_push(old, (void *)fk);
					vec_push(new, (void *)nt);
					vec_push(new, (void *)nk);
					break;
				}
			}
		}
	}
}

/* Foreign keys go first: those the runs drop, those between tables dropped together,
 * and those leaning on a key that is dropped (see leaning_fkeys); before them, the rows
 * of tables the list rebuilds are kept aside. */
static void render_fkey_drops(buf *out, const strata_oplist *ops, void *state)
{
	const vec *leaning = &((pg_state *)state)->lean_old;
	render_rows_save(out, ops);
	for (size_t i = 0; i < leaning->n; i += 2)
		drop_constraint(out, ((const strata_table *)leaning->v[i])->name,
				((const strata_fkey *)leaning->v[i + 1])->name);
	for (size_t i = 0; i < ops->n; i++) {
		const strata_op *op = &ops->v[i];
		if (op->kind == STRATA_OP_DROP_FKEY) {
			drop_constraint(out, op->old_table->name, ((const strata_fkey *)op->old_obj)->name);
		} else if (op->kind == STRATA_OP_DROP_TABLE) {
			const strata_table *t = op->old_table;
			for (size_t j = 0; j < t->fkeys.n; j++) {
				const strata_fkey *fk = t->fkeys.v[j];
				if (strcmp(fk->ref_table, t->name) != 0 && dropped(ops, fk->ref_table))
					drop_constraint(out, t->name, fk->name);
			}
		}
	}
}

/* Foreign keys go last: those the runs add, those of created tables, and those that
 * leaned on a key that was dropped. */
static void render_fkey_adds(buf *out, const strata_oplist *ops, void *state)
{
	const vec *leaning = &((pg_state *)state)->lean_new;
	for (size_t i = 0; i < leaning->n; i += 2)
		add_fkey(out, ((const strata_table *)leaning->v[i])->name, leaning->v[i + 1]);
	for (size_t i = 0; i < ops->n; i++) {
		const strata_op *op = &ops->v[i];
		if (op->kind == STRATA_OP_ADD_FKEY) {
			add_fkey(out, op->new_table->name, op->new_obj);
		} else if (op->kind == STRATA_OP_CREATE_TABLE) {
			const strata_table *t = op->new_table;
			for (size_t j = 0; j < t->fkeys.n; j++)
				add_fkey(out, t->name, t->fkeys.v[j]);
		}
	}
}

/* The ops PostgreSQL renders its own way (see the header comment); 1 when op k was one. */
static int pg_op(buf *out, const strata_oplist *ops, size_t k, void *state)
{
	const strata_op *op = &ops->v[k];
	const char *t = op->new_table ? op->new_table->name : op->old_table ? op->old_table->name : "";
	int *bodies_off = &((pg_state *)state)->bodies_off;
	const strata_object *o;
	switch (op->kind) {
	case STRATA_OP_RENAME_TABLE:
		render_rename_table(out, op->old_table->name, op->new_table->name);
		return 1;
	case STRATA_OP_ADD_COLUMN:
		render_add_column(out, t, op->new_col);
		return 1;
	case STRATA_OP_ALTER_COLUMN:
		if (render_alter_column(out, t, op->old_col, op->new_col,
					is_enum_type(ops->from, op->old_col->type) &&
						is_enum_type(ops->to, op->new_col->type)))
			recreate_indexes(out, ops, op->new_table, op->new_col->name);
		return 1;
	case STRATA_OP_ALTER_OPTIONS:
		render_table_options(out, op->old_table, op->new_table);
		return 1;
	case STRATA_OP_CREATE_OBJECT:
	case STRATA_OP_ALTER_OBJECT:
		o = op->new_obj;
		if (o->kind == STRATA_OBJ_FUNCTION && !*bodies_off) {
			buf_puts(out, "SET LOCAL check_function_bodies = off;\n");
			*bodies_off = 1;
		}
		if (op->kind == STRATA_OP_ALTER_OBJECT && o->kind == STRATA_OBJ_ENUM) {
			render_enum(out, ops, k);
		} else if (op->kind == STRATA_OP_ALTER_OBJECT && o->kind == STRATA_OBJ_PARTITION) {
			const strata_object *old = op->old_obj;
			buf_puts(out, "ALTER TABLE ");
			pg_qname(out, old->parent);
			buf_puts(out, " DETACH PARTITION ");
			pg_qname(out, old->name);
			buf_printf(out, ";\n%s;\n", o->alter);
		} else if (op->kind == STRATA_OP_ALTER_OBJECT && o->alter &&
			   !signature_changes(op->old_obj, o)) {
			buf_printf(out, "%s;\n", o->alter);
		} else if (op->kind == STRATA_OP_ALTER_OBJECT) {
			buf_printf(out, "%s;\n%s;\n", ((const strata_object *)op->old_obj)->drop, o->sql);
		} else {
			buf_printf(out, "%s;\n", o->sql);
		}
		render_rows_restore(out, ops, k);
		return 1;
	case STRATA_OP_CREATE_TABLE: /* as the shared renderer does, then a rebuild's rows */
		strata_render_create_table(out, &pg_dialect, op->new_table);
		render_rows_restore(out, ops, k);
		return 1;
	default:
		return 0;
	}
}

/* --- tables rebuilt for a new partition key ------------------------------------------------ */

/* The temporary table that holds a rebuilt table's rows: "strata_rows_<name>", with a
 * schema's dot made an underscore. */
static void rows_table(buf *out, const char *table)
{
	buf name = BUF_INIT;
	buf_puts(&name, "strata_rows_");
	for (const char *p = table; *p; p++)
		buf_putc(&name, *p == '.' ? '_' : *p);
	pg_quote(out, name.ptr);
	buf_free(&name);
}

/* Whether op `op` creates rebuilt table `t` or one of its partitions. */
static int creates_part_of(const strata_oplist *ops, const strata_op *op, const char *t)
{
	if (op->kind == STRATA_OP_CREATE_TABLE)
		return strcmp(op->new_table->name, t) == 0;
	if (op->kind != STRATA_OP_CREATE_OBJECT ||
	    ((const strata_object *)op->new_obj)->kind != STRATA_OBJ_PARTITION)
		return 0;
	const char *root = strata_partition_root(ops->to, op->new_obj);
	return root && strcmp(root, t) == 0;
}

/* Before anything else: the rows of every table the list rebuilds go to a temporary
 * table (partitions are dropped before their table, so this comes first). */
static void render_rows_save(buf *out, const strata_oplist *ops)
{
	for (size_t i = 0; i < ops->n; i++) {
		const strata_op *op = &ops->v[i];
		if (op->kind != STRATA_OP_DROP_TABLE || !(op->flags & STRATA_OP_REPLACED))
			continue;
		buf_puts(out, "CREATE TEMPORARY TABLE ");
		rows_table(out, op->old_table->name);
		buf_puts(out, " AS SELECT * FROM ");
		pg_qname(out, op->old_table->name);
		buf_puts(out, ";\n");
	}
}

/* After op k: the rows of each rebuilt table whose last part (the table or a partition)
 * op k creates go back in, the columns both versions have, serial sequences moved past
 * them. */
static void render_rows_restore(buf *out, const strata_oplist *ops, size_t k)
{
	for (size_t i = 0; i < ops->n; i++) {
		const strata_op *op = &ops->v[i];
		if (op->kind != STRATA_OP_CREATE_TABLE || !(op->flags & STRATA_OP_REPLACED) ||
		    !op->old_obj)
			continue;
		const strata_table *a = op->old_obj, *b = op->new_table;
		size_t last = i;
		for (size_t j = i; j < ops->n; j++)
			if (creates_part_of(ops, &ops->v[j], b->name))
				last = j;
		if (last != k)
			continue;
		buf cols = BUF_INIT;
		int overriding = 0;
		for (size_t j = 0; j < b->columns.n; j++) {
			const strata_column *c = b->columns.v[j];
			if (c->generated || !strata_table_column(a, c->name, 0))
				continue;
			if (cols.len)
				buf_puts(&cols, ", ");
			pg_quote(&cols, c->name);
			overriding |= c->identity == 'a';
		}
		buf_puts(out, "INSERT INTO ");
		pg_qname(out, b->name);
		buf_printf(out, " (%s)%s SELECT %s FROM ", cols.ptr,
			   overriding ? " OVERRIDING SYSTEM VALUE" : "", cols.ptr);
		rows_table(out, b->name);
		buf_puts(out, ";\nDROP TABLE ");
		rows_table(out, b->name);
		buf_puts(out, ";\n");
		for (size_t j = 0; j < b->columns.n; j++)
			if (((const strata_column *)b->columns.v[j])->serial_seq)
				render_serial_setval(out, b->name, b->columns.v[j]);
		buf_free(&cols);
	}
}

/* Renders a whole list; see the header comment. */
int pg_render(const strata_oplist *ops, buf *out, strata_err *e)
{
	pg_state st = { 0 };
	leaning_fkeys(ops, &st.lean_old, &st.lean_new);
	strata_render_list(out, &pg_dialect, ops, &st);
	vec_free(&st.lean_old);
	vec_free(&st.lean_new);
	(void)e;
	return 0;
}
