/*
 * catalog: the schema model, its comparisons, and the SQL token helpers both sides of a
 * diff are normalised with.
 */
#include "schema/catalog.h"

#include <stdlib.h>
#include <string.h>

/* --- names ------------------------------------------------------------------------ */

static int fold(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* ASCII case-insensitive strcmp: SQLite folds identifiers this way only. */
static int name_cmp_nocase(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = fold((unsigned char)*a), cb = fold((unsigned char)*b);
		if (ca != cb || !ca)
			return ca - cb;
	}
}

/* Equality of two identifiers under the catalog's case rule. */
int strata_name_eq(const char *a, const char *b, int nocase)
{
	if (!a || !b)
		return a == b;
	return nocase ? name_cmp_nocase(a, b) == 0 : strcmp(a, b) == 0;
}

/* Equality of two optional strings compared case-insensitively (collations, actions). */
static int opt_eq_nocase(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return name_cmp_nocase(a, b) == 0;
}

static char *opt_dup(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* --- building and freeing ------------------------------------------------------------ */

/* A new empty catalog; never NULL. */
strata_catalog *strata_catalog_new(int nocase)
{
	strata_catalog *c = xcalloc(1, sizeof(*c));
	c->nocase = nocase;
	return c;
}

/* Frees a view (NULL is fine). */
static void view_free(strata_view *v)
{
	if (!v)
		return;
	free(v->name);
	free(v->sql);
	strvec_free(&v->reads);
	free(v);
}

/* Frees a trigger (NULL is fine). */
static void trigger_free(strata_trigger *t)
{
	if (!t)
		return;
	free(t->name);
	free(t->table);
	free(t->sql);
	free(t);
}

/* Frees a catalog and everything in it (NULL is fine). */
void strata_catalog_free(strata_catalog *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->tables.n; i++)
		strata_table_free(c->tables.v[i]);
	for (size_t i = 0; i < c->views.n; i++)
		view_free(c->views.v[i]);
	for (size_t i = 0; i < c->triggers.n; i++)
		trigger_free(c->triggers.v[i]);
	for (size_t i = 0; i < c->objects.n; i++) {
		strata_object *o = c->objects.v[i];
		free(o->name);
		free(o->sql);
		free(o->drop);
		free(o->alter);
		free(o->type);
		free(o->parent);
		free(o->on);
		strvec_free(&o->values);
		free(o);
	}
	vec_free(&c->objects);
	vec_free(&c->tables);
	vec_free(&c->views);
	vec_free(&c->triggers);
	strvec_free(&c->uncompared);
	free(c);
}

/* Orders names case-folded first, so "Users" and "users" sort together, then exactly so
 * the order is total. */
static int name_order(const char *a, const char *b)
{
	int r = name_cmp_nocase(a, b);
	return r ? r : strcmp(a, b);
}

static int cmp_table(const void *x, const void *y)
{
	return name_order((*(strata_table *const *)x)->name, (*(strata_table *const *)y)->name);
}

static int cmp_view(const void *x, const void *y)
{
	return name_order((*(strata_view *const *)x)->name, (*(strata_view *const *)y)->name);
}

static int cmp_trigger(const void *x, const void *y)
{
	return name_order((*(strata_trigger *const *)x)->name,
			  (*(strata_trigger *const *)y)->name);
}

static int cmp_index(const void *x, const void *y)
{
	return name_order((*(strata_index *const *)x)->name, (*(strata_index *const *)y)->name);
}

static int cmp_object(const void *x, const void *y)
{
	const strata_object *a = *(strata_object *const *)x, *b = *(strata_object *const *)y;
	return a->kind != b->kind ? (a->kind < b->kind ? -1 : 1) : strcmp(a->name, b->name);
}

static void vec_sort(vec *v, int (*cmp)(const void *, const void *))
{
	if (v->n > 1)
		qsort(v->v, v->n, sizeof(*v->v), cmp);
}

/* Sorts every list that has no meaningful order of its own. */
void strata_catalog_sort(strata_catalog *c)
{
	vec_sort(&c->tables, cmp_table);
	vec_sort(&c->views, cmp_view);
	vec_sort(&c->triggers, cmp_trigger);
	vec_sort(&c->objects, cmp_object);
	for (size_t i = 0; i < c->tables.n; i++)
		vec_sort(&((strata_table *)c->tables.v[i])->indexes, cmp_index);
}

/* Appends a table named `name`; the catalog owns it. */
strata_table *strata_catalog_add_table(strata_catalog *c, const char *name)
{
	strata_table *t = xcalloc(1, sizeof(*t));
	t->name = xstrdup(name);
	vec_push(&c->tables, t);
	return t;
}

/* Appends a view; the catalog owns it. */
strata_view *strata_catalog_add_view(strata_catalog *c, const char *name, const char *sql)
{
	strata_view *v = xcalloc(1, sizeof(*v));
	v->name = xstrdup(name);
	v->sql = xstrdup(sql);
	vec_push(&c->views, v);
	return v;
}

/* Appends a trigger; the catalog owns it. */
strata_trigger *strata_catalog_add_trigger(strata_catalog *c, const char *name,
					   const char *table, const char *sql)
{
	strata_trigger *t = xcalloc(1, sizeof(*t));
	t->name = xstrdup(name);
	t->table = xstrdup(table);
	t->sql = xstrdup(sql);
	vec_push(&c->triggers, t);
	return t;
}

/* Appends an object; the catalog owns it. */
strata_object *strata_catalog_add_object(strata_catalog *c, int kind, const char *name,
					 const char *sql, const char *drop, const char *alter)
{
	strata_object *o = xcalloc(1, sizeof(*o));
	o->kind = kind;
	o->name = xstrdup(name);
	o->sql = xstrdup(sql);
	o->drop = xstrdup(drop);
	o->alter = opt_dup(alter);
	vec_push(&c->objects, o);
	return o;
}

strata_object *strata_catalog_object(const strata_catalog *c, int kind, const char *name)
{
	for (size_t i = 0; i < c->objects.n; i++) {
		strata_object *o = c->objects.v[i];
		if (o->kind == kind && strcmp(o->name, name) == 0)
			return o;
	}
	return NULL;
}

/* Both sides come from the same server's printing functions: exact text decides. */
int strata_object_equal(const strata_object *a, const strata_object *b)
{
	if (a->kind != b->kind || strcmp(a->name, b->name) != 0 || strcmp(a->sql, b->sql) != 0 ||
	    a->values.n != b->values.n)
		return 0;
	for (size_t i = 0; i < a->values.n; i++)
		if (strcmp(a->values.v[i], b->values.v[i]) != 0)
			return 0;
	return 1;
}

const char *strata_object_kind_name(int kind)
{
	switch (kind) {
	case STRATA_OBJ_SCHEMA: return "schema";
	case STRATA_OBJ_EXTENSION: return "extension";
	case STRATA_OBJ_ENUM: return "enum";
	case STRATA_OBJ_SEQUENCE: return "sequence";
	case STRATA_OBJ_FUNCTION: return "function";
	case STRATA_OBJ_DOMAIN: return "domain";
	case STRATA_OBJ_DOMAIN_CHECK: return "domain constraint";
	case STRATA_OBJ_PARTITION: return "partition";
	case STRATA_OBJ_SEQUENCE_OWNER: return "sequence owner";
	case STRATA_OBJ_COLLATION: return "collation";
	case STRATA_OBJ_VIEW_INDEX: return "index";
	case STRATA_OBJ_POLICY: return "policy";
	case STRATA_OBJ_RLS: return "row level security on";
	case STRATA_OBJ_RLS_FORCE: return "forced row level security on";
	case STRATA_OBJ_OWNER: return "owner";
	case STRATA_OBJ_PRIVILEGE: return "privilege";
	default: return "comment";
	}
}

/* Appends a column; `type` NULL means none. */
strata_column *strata_table_add_column(strata_table *t, const char *name, const char *type)
{
	strata_column *col = xcalloc(1, sizeof(*col));
	col->name = xstrdup(name);
	col->type = xstrdup(type ? type : "");
	vec_push(&t->columns, col);
	return col;
}

/* Appends an empty UNIQUE constraint. */
strata_unique *strata_table_add_unique(strata_table *t)
{
	strata_unique *u = xcalloc(1, sizeof(*u));
	vec_push(&t->uniques, u);
	return u;
}

/* Appends a CHECK constraint (strings copied; `name` may be NULL). */
strata_check *strata_table_add_check(strata_table *t, const char *name, const char *expr)
{
	strata_check *ck = xcalloc(1, sizeof(*ck));
	ck->name = opt_dup(name);
	ck->expr = xstrdup(expr);
	vec_push(&t->checks, ck);
	return ck;
}

/* Appends a foreign key to `ref_table` with no columns yet. */
strata_fkey *strata_table_add_fkey(strata_table *t, const char *ref_table)
{
	strata_fkey *fk = xcalloc(1, sizeof(*fk));
	fk->ref_table = xstrdup(ref_table);
	vec_push(&t->fkeys, fk);
	return fk;
}

/* Appends an index on `t` with no key parts yet. */
strata_index *strata_table_add_index(strata_table *t, const char *name, int unique)
{
	strata_index *ix = xcalloc(1, sizeof(*ix));
	ix->name = xstrdup(name);
	ix->table = xstrdup(t->name);
	ix->unique = unique;
	vec_push(&t->indexes, ix);
	return ix;
}

/* Grows a key-part array by one cleared element and returns it. */
static strata_keypart *parts_push(strata_keypart **parts, size_t *n, const char *name,
				  int is_expr, const char *collation, int desc)
{
	*parts = xrealloc(*parts, (*n + 1) * sizeof(**parts));
	strata_keypart *p = &(*parts)[(*n)++];
	p->name = xstrdup(name);
	p->is_expr = is_expr;
	p->collation = opt_dup(collation);
	p->desc = desc;
	return p;
}

/* Appends a key part to an index. */
strata_keypart *strata_index_add_part(strata_index *ix, const char *name, int is_expr,
				      const char *collation, int desc)
{
	return parts_push(&ix->parts, &ix->nparts, name, is_expr, collation, desc);
}

/* Appends a column key part to a UNIQUE constraint. */
strata_keypart *strata_unique_add_part(strata_unique *u, const char *name,
				       const char *collation, int desc)
{
	return parts_push(&u->parts, &u->nparts, name, 0, collation, desc);
}

static void parts_free(strata_keypart *parts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(parts[i].name);
		free(parts[i].collation);
	}
	free(parts);
}

static void column_free(strata_column *c)
{
	free(c->name);
	free(c->type);
	free(c->dflt);
	free(c->collation);
	free(c->gen_expr);
	free(c->identity_opts);
	free(c->serial_seq);
	free(c);
}

static void index_free(strata_index *ix)
{
	free(ix->name);
	free(ix->table);
	parts_free(ix->parts, ix->nparts);
	free(ix->where);
	free(ix->def);
	free(ix);
}

static void fkey_free(strata_fkey *fk)
{
	strvec_free(&fk->from);
	strvec_free(&fk->to);
	free(fk->ref_table);
	free(fk->on_delete);
	free(fk->on_update);
	free(fk->name);
	free(fk);
}

/* Frees a table and everything it owns (NULL is fine). */
void strata_table_free(strata_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->columns.n; i++)
		column_free(t->columns.v[i]);
	for (size_t i = 0; i < t->uniques.n; i++) {
		strata_unique *u = t->uniques.v[i];
		parts_free(u->parts, u->nparts);
		free(u->name);
		free(u);
	}
	for (size_t i = 0; i < t->checks.n; i++) {
		strata_check *ck = t->checks.v[i];
		free(ck->name);
		free(ck->expr);
		free(ck);
	}
	for (size_t i = 0; i < t->fkeys.n; i++)
		fkey_free(t->fkeys.v[i]);
	for (size_t i = 0; i < t->indexes.n; i++)
		index_free(t->indexes.v[i]);
	vec_free(&t->columns);
	vec_free(&t->uniques);
	vec_free(&t->checks);
	vec_free(&t->fkeys);
	vec_free(&t->indexes);
	strvec_free(&t->pk.columns);
	free(t->pk.name);
	free(t->partition_by);
	strvec_free(&t->inherits);
	free(t->name);
	free(t);
}

static void strvec_copy(strvec *dst, const strvec *src)
{
	for (size_t i = 0; i < src->n; i++)
		strvec_push(dst, src->v[i]);
}

/* A deep copy of a table, owned by the caller. */
strata_table *strata_table_dup(const strata_table *t)
{
	strata_table *d = xcalloc(1, sizeof(*d));
	d->name = xstrdup(t->name);
	d->without_rowid = t->without_rowid;
	d->strict = t->strict;
	d->partition_by = opt_dup(t->partition_by);
	d->unlogged = t->unlogged;
	strvec_copy(&d->inherits, &t->inherits);
	for (size_t i = 0; i < t->columns.n; i++) {
		const strata_column *c = t->columns.v[i];
		strata_column *n = strata_table_add_column(d, c->name, c->type);
		n->notnull = c->notnull;
		n->dflt = opt_dup(c->dflt);
		n->collation = opt_dup(c->collation);
		n->generated = c->generated;
		n->gen_expr = opt_dup(c->gen_expr);
		n->hidden = c->hidden;
		n->identity = c->identity;
		n->identity_opts = opt_dup(c->identity_opts);
		n->inherited = c->inherited;
		n->serial_seq = opt_dup(c->serial_seq);
	}
	strvec_copy(&d->pk.columns, &t->pk.columns);
	d->pk.name = opt_dup(t->pk.name);
	d->pk.autoincrement = t->pk.autoincrement;
	d->pk.deferrable = t->pk.deferrable;
	d->pk.initially_deferred = t->pk.initially_deferred;
	for (size_t i = 0; i < t->uniques.n; i++) {
		const strata_unique *u = t->uniques.v[i];
		strata_unique *n = strata_table_add_unique(d);
		n->name = opt_dup(u->name);
		n->deferrable = u->deferrable;
		n->initially_deferred = u->initially_deferred;
		n->nulls_not_distinct = u->nulls_not_distinct;
		for (size_t j = 0; j < u->nparts; j++)
			strata_unique_add_part(n, u->parts[j].name, u->parts[j].collation,
					       u->parts[j].desc);
	}
	for (size_t i = 0; i < t->checks.n; i++) {
		const strata_check *ck = t->checks.v[i];
		strata_check *n = strata_table_add_check(d, ck->name, ck->expr);
		n->exclude = ck->exclude;
		n->no_inherit = ck->no_inherit;
	}
	for (size_t i = 0; i < t->fkeys.n; i++) {
		const strata_fkey *fk = t->fkeys.v[i];
		strata_fkey *n = strata_table_add_fkey(d, fk->ref_table);
		strvec_copy(&n->from, &fk->from);
		strvec_copy(&n->to, &fk->to);
		n->on_delete = opt_dup(fk->on_delete);
		n->on_update = opt_dup(fk->on_update);
		n->deferrable = fk->deferrable;
		n->initially_deferred = fk->initially_deferred;
		n->name = opt_dup(fk->name);
		n->match_full = fk->match_full;
	}
	for (size_t i = 0; i < t->indexes.n; i++) {
		const strata_index *ix = t->indexes.v[i];
		strata_index *n = strata_table_add_index(d, ix->name, ix->unique);
		free(n->table);
		n->table = xstrdup(ix->table);
		for (size_t j = 0; j < ix->nparts; j++)
			strata_index_add_part(n, ix->parts[j].name, ix->parts[j].is_expr,
					      ix->parts[j].collation, ix->parts[j].desc);
		n->where = opt_dup(ix->where);
		n->def = opt_dup(ix->def);
	}
	return d;
}

/* --- lookups ----------------------------------------------------------------------- */

/* The table named `name`, or NULL. */
strata_table *strata_catalog_table(const strata_catalog *c, const char *name)
{
	for (size_t i = 0; i < c->tables.n; i++) {
		strata_table *t = c->tables.v[i];
		if (strata_name_eq(t->name, name, c->nocase))
			return t;
	}
	return NULL;
}

/* The view named `name`, or NULL. */
strata_view *strata_catalog_view(const strata_catalog *c, const char *name)
{
	for (size_t i = 0; i < c->views.n; i++) {
		strata_view *v = c->views.v[i];
		if (strata_name_eq(v->name, name, c->nocase))
			return v;
	}
	return NULL;
}

/* The trigger named `name`, or NULL. */
strata_trigger *strata_catalog_trigger(const strata_catalog *c, const char *name,
				       const char *table)
{
	for (size_t i = 0; i < c->triggers.n; i++) {
		strata_trigger *t = c->triggers.v[i];
		if (strata_name_eq(t->name, name, c->nocase) &&
		    (!table || strata_name_eq(t->table, table, c->nocase)))
			return t;
	}
	return NULL;
}

/* The index named `name` on any table, or NULL (index names share one namespace). */
strata_index *strata_catalog_index(const strata_catalog *c, const char *name)
{
	for (size_t i = 0; i < c->tables.n; i++) {
		const strata_table *t = c->tables.v[i];
		for (size_t j = 0; j < t->indexes.n; j++) {
			strata_index *ix = t->indexes.v[j];
			if (strata_name_eq(ix->name, name, c->nocase))
				return ix;
		}
	}
	return NULL;
}

/* The column named `name`, or NULL. */
strata_column *strata_table_column(const strata_table *t, const char *name, int nocase)
{
	for (size_t i = 0; i < t->columns.n; i++) {
		strata_column *c = t->columns.v[i];
		if (strata_name_eq(c->name, name, nocase))
			return c;
	}
	return NULL;
}

static int strvec_has_name(const strvec *v, const char *name, int nocase)
{
	for (size_t i = 0; i < v->n; i++)
		if (strata_name_eq(v->v[i], name, nocase))
			return 1;
	return 0;
}

/* Whether `col` is part of the primary key. */
int strata_table_in_pk(const strata_table *t, const char *col, int nocase)
{
	return strvec_has_name(&t->pk.columns, col, nocase);
}

/* Whether `col` is a key of some UNIQUE constraint. */
int strata_table_in_unique(const strata_table *t, const char *col, int nocase)
{
	for (size_t i = 0; i < t->uniques.n; i++) {
		const strata_unique *u = t->uniques.v[i];
		for (size_t j = 0; j < u->nparts; j++)
			if (strata_name_eq(u->parts[j].name, col, nocase))
				return 1;
	}
	return 0;
}

/* Whether `col` is a child column of some foreign key. */
int strata_table_in_fkey(const strata_table *t, const char *col, int nocase)
{
	for (size_t i = 0; i < t->fkeys.n; i++)
		if (strvec_has_name(&((strata_fkey *)t->fkeys.v[i])->from, col, nocase))
			return 1;
	return 0;
}

/* --- renames ------------------------------------------------------------------------- */

/* Appends a rename (strings copied; `table` may be NULL for table renames). */
void strata_renames_add(strata_renames *r, int kind, const char *table, const char *from,
			const char *to)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 8;
		r->v = xrealloc(r->v, r->cap * sizeof(*r->v));
	}
	strata_rename *x = &r->v[r->n++];
	x->kind = kind;
	x->table = opt_dup(table);
	x->from = xstrdup(from);
	x->to = xstrdup(to);
}

/* Frees the renames and leaves `r` empty. */
void strata_renames_free(strata_renames *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].table);
		free(r->v[i].from);
		free(r->v[i].to);
	}
	free(r->v);
	r->v = NULL;
	r->n = r->cap = 0;
}

/* The new name of old table `name`, or `name` itself. */
const char *strata_renames_table(const strata_renames *r, const char *name, int nocase)
{
	for (size_t i = 0; r && i < r->n; i++)
		if (r->v[i].kind == STRATA_RENAME_TABLE && strata_name_eq(r->v[i].from, name, nocase))
			return r->v[i].to;
	return name;
}

/* The new name of column `col` of old table `table`, or `col` itself. */
const char *strata_renames_column(const strata_renames *r, const char *table, const char *col,
				  int nocase)
{
	for (size_t i = 0; r && i < r->n; i++)
		if (r->v[i].kind == STRATA_RENAME_COLUMN &&
		    strata_name_eq(r->v[i].table, table, nocase) &&
		    strata_name_eq(r->v[i].from, col, nocase))
			return r->v[i].to;
	return col;
}

/* Appends to `dst` the inverse of every rename in `src`. */
void strata_renames_invert(strata_renames *dst, const strata_renames *src, int nocase)
{
	for (size_t i = 0; src && i < src->n; i++) {
		const strata_rename *x = &src->v[i];
		if (x->kind == STRATA_RENAME_TABLE)
			strata_renames_add(dst, x->kind, NULL, x->to, x->from);
		else
			strata_renames_add(dst, x->kind, strata_renames_table(src, x->table, nocase),
					   x->to, x->from);
	}
}

/* --- SQL tokens -------------------------------------------------------------------------- */

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* SQLite treats every byte of a UTF-8 sequence as an identifier character. */
static int is_id_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int is_id_char(int c)
{
	return is_id_start(c) || is_digit(c) || c == '$';
}

/* Skips a quoted run opened by `q` at s[0]; a doubled closer stands for itself.
 * Returns the position after the closer (or the end when unterminated). */
static const char *skip_quoted(const char *s, char close)
{
	s++;
	while (*s) {
		if (*s == close) {
			if (close != ']' && s[1] == close) {
				s += 2;
				continue;
			}
			return s + 1;
		}
		s++;
	}
	return s;
}

/* Reads the next token; see catalog.h. */
const char *strata_sql_next(const char *s, strata_token *t)
{
	for (;;) {
		while (is_space((unsigned char)*s))
			s++;
		if (s[0] == '-' && s[1] == '-') {
			while (*s && *s != '\n')
				s++;
			continue;
		}
		if (s[0] == '/' && s[1] == '*') {
			const char *end = strstr(s + 2, "*/");
			s = end ? end + 2 : s + strlen(s);
			continue;
		}
		break;
	}
	const char *start = s;
	int c = (unsigned char)*s;
	if (!c) {
		t->type = STRATA_TOK_EOF;
	} else if (c == '\'') {
		t->type = STRATA_TOK_STRING;
		s = skip_quoted(s, '\'');
	} else if (c == '"' || c == '`') {
		t->type = STRATA_TOK_QID;
		s = skip_quoted(s, (char)c);
	} else if (c == '[') {
		t->type = STRATA_TOK_QID;
		s = skip_quoted(s, ']');
	} else if ((c == 'x' || c == 'X') && s[1] == '\'') {
		t->type = STRATA_TOK_BLOB;
		s = skip_quoted(s + 1, '\'');
	} else if (is_digit(c) || (c == '.' && is_digit((unsigned char)s[1]))) {
		t->type = STRATA_TOK_NUMBER;
		if (c == '0' && (s[1] == 'x' || s[1] == 'X')) {
			s += 2;
			while (is_id_char((unsigned char)*s))
				s++;
		} else {
			while (is_digit((unsigned char)*s) || *s == '.')
				s++;
			if ((*s == 'e' || *s == 'E') &&
			    (is_digit((unsigned char)s[1]) ||
			     ((s[1] == '+' || s[1] == '-') && is_digit((unsigned char)s[2])))) {
				s += 2;
				while (is_digit((unsigned char)*s))
					s++;
			}
		}
	} else if (c == '?' || ((c == ':' || c == '@' || c == '$') &&
				is_id_char((unsigned char)s[1]))) {
		t->type = STRATA_TOK_VAR;
		s++;
		while (is_id_char((unsigned char)*s))
			s++;
	} else if (is_id_start(c)) {
		t->type = STRATA_TOK_WORD;
		while (is_id_char((unsigned char)*s))
			s++;
	} else {
		static const char *const multi[] = { "->>", "||", "->", "<=", ">=", "==", "!=",
						     "<>", "<<", ">>" };
		t->type = STRATA_TOK_PUNCT;
		size_t n = 1;
		for (size_t i = 0; i < sizeof(multi) / sizeof(*multi); i++) {
			size_t m = strlen(multi[i]);
			if (strncmp(s, multi[i], m) == 0) {
				n = m;
				break;
			}
		}
		s += n;
	}
	t->p = start;
	t->n = (size_t)(s - start);
	return s;
}

/* Appends every token of `sql`. */
void strata_sql_tokenize(strata_toklist *out, const char *sql)
{
	strata_token t;
	const char *s = sql;
	for (;;) {
		s = strata_sql_next(s, &t);
		if (t.type == STRATA_TOK_EOF)
			return;
		if (out->n == out->cap) {
			out->cap = out->cap ? out->cap * 2 : 32;
			out->v = xrealloc(out->v, out->cap * sizeof(*out->v));
		}
		out->v[out->n++] = t;
	}
}

void strata_toklist_free(strata_toklist *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* Whether `t` is the bare word `kw`. */
int strata_tok_is(const strata_token *t, const char *kw)
{
	if (t->type != STRATA_TOK_WORD || strlen(kw) != t->n)
		return 0;
	for (size_t i = 0; i < t->n; i++)
		if (fold((unsigned char)t->p[i]) != fold((unsigned char)kw[i]))
			return 0;
	return 1;
}

/* Whether `t` is the punctuation `p`. */
int strata_tok_punct(const strata_token *t, const char *p)
{
	return t->type == STRATA_TOK_PUNCT && strlen(p) == t->n && memcmp(t->p, p, t->n) == 0;
}

/* The identifier named by a WORD or QID token (any other token: its text). */
char *strata_tok_ident(const strata_token *t)
{
	if (t->type != STRATA_TOK_QID || t->n < 2)
		return xstrndup(t->p, t->n);
	char close = t->p[0] == '[' ? ']' : t->p[0];
	buf b = BUF_INIT;
	for (size_t i = 1; i + 1 < t->n; i++) {
		buf_putc(&b, t->p[i]);
		if (close != ']' && t->p[i] == close && t->p[i + 1] == close)
			i++;
	}
	return buf_detach(&b);
}

static int is_name_tok(const strata_token *t)
{
	return t->type == STRATA_TOK_WORD || t->type == STRATA_TOK_QID;
}

/* Whether canonical text puts a space between `a` and `b`: only where dropping it can
 * never merge two tokens into one. */
static int need_space(const strata_token *a, const strata_token *b)
{
	if (strata_tok_punct(a, "(") || strata_tok_punct(b, ")") || strata_tok_punct(b, ","))
		return 0;
	if (strata_tok_punct(a, ".") && (is_name_tok(b) || strata_tok_punct(b, "*")))
		return 0;
	if (strata_tok_punct(b, ".") && is_name_tok(a))
		return 0;
	if (strata_tok_punct(b, "(") && is_name_tok(a))
		return 0;
	return 1;
}

/* Appends tokens joined canonically. */
void strata_sql_join(buf *out, const strata_token *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i && need_space(&t[i - 1], &t[i]))
			buf_putc(out, ' ');
		buf_add(out, t[i].p, t[i].n);
	}
}

/* Index of the parenthesis closing the one at `open`, or n when unbalanced. */
static size_t match_paren(const strata_token *t, size_t n, size_t open)
{
	int depth = 0;
	for (size_t i = open; i < n; i++) {
		if (strata_tok_punct(&t[i], "("))
			depth++;
		else if (strata_tok_punct(&t[i], ")") && --depth == 0)
			return i;
	}
	return n;
}

/* Appends the canonical text of `sql`. */
void strata_sql_normalize(buf *out, const char *sql, int strip_parens)
{
	strata_toklist l = { 0 };
	strata_sql_tokenize(&l, sql);
	size_t lo = 0, hi = l.n;
	while (strip_parens && hi - lo >= 2 && strata_tok_punct(&l.v[lo], "(") &&
	       match_paren(l.v + lo, hi - lo, 0) == hi - lo - 1) {
		lo++;
		hi--;
	}
	strata_sql_join(out, l.v + lo, hi - lo);
	strata_toklist_free(&l);
}

/* Folds a bare word to lower case, as a database that is not case-insensitive
 * throughout does (quoted identifiers keep their case there). */
static void fold_word(char *s)
{
	for (; *s; s++)
		*s = (char)fold((unsigned char)*s);
}

/* The name a WORD or QID token stands for under the case rule; malloc'd. */
static char *canon_ident(const strata_token *t, int nocase)
{
	char *s = strata_tok_ident(t);
	if (!nocase && t->type == STRATA_TOK_WORD)
		fold_word(s);
	return s;
}

/* `name` (malloc'd, consumed) carried through the renames: the columns of `table` when
 * given, else any table or column. Returns a malloc'd name. */
static char *map_name(char *name, const strata_renames *r, const char *table, int nocase)
{
	const char *m = name;
	if (r && table) {
		m = strata_renames_column(r, table, name, nocase);
	} else if (r) {
		m = strata_renames_table(r, name, nocase);
		for (size_t i = 0; m == name && i < r->n; i++)
			if (r->v[i].kind == STRATA_RENAME_COLUMN &&
			    strata_name_eq(r->v[i].from, name, nocase))
				m = r->v[i].to;
	}
	if (m == name)
		return name;
	char *d = xstrdup(m);
	free(name);
	return d;
}

/* Token equality for strata_sql_equal. */
static int tok_equal(const strata_token *a, const strata_token *b, const strata_renames *r,
		     const char *table, int nocase)
{
	if (is_name_tok(a) && is_name_tok(b)) {
		char *x = map_name(canon_ident(a, nocase), r, table, nocase);
		char *y = canon_ident(b, nocase);
		int eq = strata_name_eq(x, y, nocase);
		free(x);
		free(y);
		return eq;
	}
	if (a->type != b->type || a->n != b->n)
		return 0;
	if (a->type == STRATA_TOK_BLOB) {
		for (size_t i = 0; i < a->n; i++)
			if (fold((unsigned char)a->p[i]) != fold((unsigned char)b->p[i]))
				return 0;
		return 1;
	}
	return memcmp(a->p, b->p, a->n) == 0;
}

/* Token-wise equality of two SQL texts; see catalog.h. */
int strata_sql_equal(const char *a, const char *b, const strata_renames *r, const char *table,
		     int nocase)
{
	if (!a || !b)
		return a == b;
	strata_toklist x = { 0 }, y = { 0 };
	strata_sql_tokenize(&x, a);
	strata_sql_tokenize(&y, b);
	int eq = x.n == y.n;
	for (size_t i = 0; eq && i < x.n; i++)
		eq = tok_equal(&x.v[i], &y.v[i], r, table, nocase);
	strata_toklist_free(&x);
	strata_toklist_free(&y);
	return eq;
}

/* Whether `sql` names `name` anywhere. */
int strata_sql_mentions(const char *sql, const char *name, int nocase)
{
	if (!sql)
		return 0;
	strata_toklist l = { 0 };
	strata_sql_tokenize(&l, sql);
	int found = 0;
	for (size_t i = 0; !found && i < l.n; i++) {
		if (!is_name_tok(&l.v[i]))
			continue;
		char *id = strata_tok_ident(&l.v[i]);
		found = strata_name_eq(id, name, nocase);
		free(id);
	}
	strata_toklist_free(&l);
	return found;
}

/* Whether `expr` is a constant literal. */
int strata_sql_is_literal(const char *expr)
{
	strata_toklist l = { 0 };
	strata_sql_tokenize(&l, expr);
	size_t i = 0;
	if (l.n == 2 && (strata_tok_punct(&l.v[0], "-") || strata_tok_punct(&l.v[0], "+")))
		i = 1;
	int lit = l.n == i + 1 &&
		  ((i == 1 && l.v[i].type == STRATA_TOK_NUMBER) ||
		   (i == 0 && (l.v[0].type == STRATA_TOK_NUMBER || l.v[0].type == STRATA_TOK_STRING ||
			       l.v[0].type == STRATA_TOK_BLOB || strata_tok_is(&l.v[0], "NULL") ||
			       strata_tok_is(&l.v[0], "TRUE") || strata_tok_is(&l.v[0], "FALSE"))));
	strata_toklist_free(&l);
	return lit;
}

/* --- comparison ------------------------------------------------------------------------- */

/* Equality of two columns, names aside. */
int strata_column_equal(const strata_column *a, const strata_column *b, const char *old_table,
			const strata_renames *r, int nocase)
{
	return name_cmp_nocase(a->type, b->type) == 0 && a->notnull == b->notnull &&
	       strata_sql_equal(a->dflt, b->dflt, r, old_table, nocase) &&
	       opt_eq_nocase(a->collation, b->collation) && a->generated == b->generated &&
	       strata_sql_equal(a->gen_expr, b->gen_expr, r, old_table, nocase) &&
	       a->hidden == b->hidden && a->identity == b->identity &&
	       strata_sql_equal(a->identity_opts, b->identity_opts, NULL, NULL, 0);
}

static int parts_equal(const strata_keypart *a, size_t na, const strata_keypart *b, size_t nb,
		       const char *old_table, const strata_renames *r, int nocase)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++) {
		if (a[i].is_expr != b[i].is_expr || a[i].desc != b[i].desc ||
		    !opt_eq_nocase(a[i].collation, b[i].collation))
			return 0;
		if (a[i].is_expr ? !strata_sql_equal(a[i].name, b[i].name, r, old_table, nocase)
				 : !strata_name_eq(strata_renames_column(r, old_table, a[i].name, nocase),
						   b[i].name, nocase))
			return 0;
	}
	return 1;
}

static int columns_equal(const strvec *a, const strvec *b, const char *old_table,
			 const strata_renames *r, int nocase)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (!strata_name_eq(strata_renames_column(r, old_table, a->v[i], nocase), b->v[i],
				    nocase))
			return 0;
	return 1;
}

/* Equality of two tables' primary keys. */
int strata_pkey_equal(const strata_table *a, const strata_table *b, const strata_renames *r,
		      int nocase)
{
	return a->pk.autoincrement == b->pk.autoincrement &&
	       (!a->pk.columns.n ||
		(a->pk.deferrable == b->pk.deferrable &&
		 a->pk.initially_deferred == b->pk.initially_deferred)) &&
	       columns_equal(&a->pk.columns, &b->pk.columns, a->name, r, nocase);
}

int strata_unique_equal(const strata_unique *a, const strata_unique *b, const char *old_table,
			const strata_renames *r, int nocase)
{
	return a->deferrable == b->deferrable && a->initially_deferred == b->initially_deferred &&
	       a->nulls_not_distinct == b->nulls_not_distinct &&
	       parts_equal(a->parts, a->nparts, b->parts, b->nparts, old_table, r, nocase);
}

/* Whether two tables are partitioned the same way (or both not at all). */
static int partition_eq(const strata_table *a, const strata_table *b);

/* See catalog.h. */
int strata_table_options_equal(const strata_table *a, const strata_table *b, int nocase)
{
	if (a->without_rowid != b->without_rowid || a->strict != b->strict ||
	    a->unlogged != b->unlogged || !partition_eq(a, b) || a->inherits.n != b->inherits.n)
		return 0;
	for (size_t i = 0; i < a->inherits.n; i++)
		if (!strata_name_eq(a->inherits.v[i], b->inherits.v[i], nocase))
			return 0;
	return 1;
}

/* Whether two tables are partitioned the same way (or both not at all). */
static int partition_eq(const strata_table *a, const strata_table *b)
{
	return (!a->partition_by && !b->partition_by) ||
	       (a->partition_by && b->partition_by && strcmp(a->partition_by, b->partition_by) == 0);
}

int strata_check_equal(const strata_check *a, const strata_check *b, const char *old_table,
		       const strata_renames *r, int nocase)
{
	return a->exclude == b->exclude && a->no_inherit == b->no_inherit && strata_name_eq(a->name, b->name, nocase) &&
	       strata_sql_equal(a->expr, b->expr, r, old_table, nocase);
}

int strata_fkey_equal(const strata_fkey *a, const strata_fkey *b, const char *old_table,
		      const strata_renames *r, int nocase)
{
	return columns_equal(&a->from, &b->from, old_table, r, nocase) &&
	       strata_name_eq(strata_renames_table(r, a->ref_table, nocase), b->ref_table, nocase) &&
	       columns_equal(&a->to, &b->to, a->ref_table, r, nocase) &&
	       opt_eq_nocase(a->on_delete, b->on_delete) && opt_eq_nocase(a->on_update, b->on_update) &&
	       a->deferrable == b->deferrable && a->initially_deferred == b->initially_deferred &&
	       a->match_full == b->match_full;
}

int strata_index_equal(const strata_index *a, const strata_index *b, const strata_renames *r,
		       int nocase)
{
	if (a->def && b->def)
		return strata_name_eq(a->name, b->name, nocase) &&
		       strata_name_eq(strata_renames_table(r, a->table, nocase), b->table, nocase) &&
		       strata_sql_equal(a->def, b->def, r, NULL, nocase);
	return strata_name_eq(a->name, b->name, nocase) &&
	       strata_name_eq(strata_renames_table(r, a->table, nocase), b->table, nocase) &&
	       a->unique == b->unique &&
	       parts_equal(a->parts, a->nparts, b->parts, b->nparts, a->table, r, nocase) &&
	       strata_sql_equal(a->where, b->where, r, a->table, nocase);
}

int strata_view_equal(const strata_view *a, const strata_view *b, const strata_renames *r,
		      int nocase)
{
	return strata_name_eq(a->name, b->name, nocase) && a->materialized == b->materialized &&
	       strata_sql_equal(a->sql, b->sql, r, NULL, nocase);
}

int strata_trigger_equal(const strata_trigger *a, const strata_trigger *b,
			 const strata_renames *r, int nocase)
{
	return strata_name_eq(a->name, b->name, nocase) &&
	       strata_name_eq(strata_renames_table(r, a->table, nocase), b->table, nocase) &&
	       strata_sql_equal(a->sql, b->sql, r, NULL, nocase);
}

typedef int (*item_eq_fn)(const void *a, const void *b, const char *old_table,
			  const strata_renames *r, int nocase);

static int uq_eq(const void *a, const void *b, const char *t, const strata_renames *r, int nc)
{
	return strata_unique_equal(a, b, t, r, nc);
}

static int ck_eq(const void *a, const void *b, const char *t, const strata_renames *r, int nc)
{
	return strata_check_equal(a, b, t, r, nc);
}

static int fk_eq(const void *a, const void *b, const char *t, const strata_renames *r, int nc)
{
	return strata_fkey_equal(a, b, t, r, nc);
}

/* Whether two lists hold the same items in any order. */
static int multiset_equal(const vec *a, const vec *b, item_eq_fn eq, const char *old_table,
			  int nocase)
{
	if (a->n != b->n)
		return 0;
	char *used = xcalloc(b->n ? b->n : 1, 1);
	int ok = 1;
	for (size_t i = 0; ok && i < a->n; i++) {
		ok = 0;
		for (size_t j = 0; j < b->n && !ok; j++)
			if (!used[j] && eq(a->v[i], b->v[j], old_table, NULL, nocase))
				used[j] = ok = 1;
	}
	free(used);
	return ok;
}

/* Structural table equality for strata_catalog_equal; appends the first difference. */
static int table_equal(const strata_table *a, const strata_table *b, int nocase, buf *why)
{
	const char *what = NULL;
	if (a->columns.n != b->columns.n)
		what = "the number of columns";
	for (size_t i = 0; !what && i < a->columns.n; i++) {
		const strata_column *ca = a->columns.v[i];
		const strata_column *cb = strata_table_column(b, ca->name, nocase);
		if (!cb || !strata_column_equal(ca, cb, a->name, NULL, nocase)) {
			if (why)
				buf_printf(why, "table %s: column %s differs\n", a->name, ca->name);
			return 0;
		}
	}
	if (!what && !strata_pkey_equal(a, b, NULL, nocase))
		what = "the primary key";
	if (!what && !multiset_equal(&a->uniques, &b->uniques, uq_eq, a->name, nocase))
		what = "UNIQUE constraints";
	if (!what && !multiset_equal(&a->checks, &b->checks, ck_eq, a->name, nocase))
		what = "CHECK constraints";
	if (!what && !multiset_equal(&a->fkeys, &b->fkeys, fk_eq, a->name, nocase))
		what = "foreign keys";
	if (!what && !strata_table_options_equal(a, b, nocase))
		what = "table options";
	if (!what && a->indexes.n != b->indexes.n)
		what = "the number of indexes";
	for (size_t i = 0; !what && i < a->indexes.n; i++) {
		const strata_index *ia = a->indexes.v[i];
		const strata_index *ib = NULL;
		for (size_t j = 0; j < b->indexes.n && !ib; j++)
			if (strata_name_eq(ia->name, ((strata_index *)b->indexes.v[j])->name, nocase))
				ib = b->indexes.v[j];
		if (!ib || !strata_index_equal(ia, ib, NULL, nocase))
			what = "indexes";
	}
	if (what && why)
		buf_printf(why, "table %s: %s differ\n", a->name, what);
	return !what;
}

/* Structural equality of two catalogs; see catalog.h. */
int strata_catalog_equal(const strata_catalog *a, const strata_catalog *b, buf *why)
{
	int nocase = a->nocase;
	for (size_t i = 0; i < a->tables.n; i++) {
		const strata_table *ta = a->tables.v[i];
		const strata_table *tb = strata_catalog_table(b, ta->name);
		if (!tb) {
			if (why)
				buf_printf(why, "table %s is only on one side\n", ta->name);
			return 0;
		}
		if (!table_equal(ta, tb, nocase, why))
			return 0;
	}
	for (size_t i = 0; i < a->views.n; i++) {
		const strata_view *va = a->views.v[i];
		const strata_view *vb = strata_catalog_view(b, va->name);
		if (!vb || !strata_view_equal(va, vb, NULL, nocase)) {
			if (why)
				buf_printf(why, "view %s differs\n", va->name);
			return 0;
		}
	}
	for (size_t i = 0; i < a->triggers.n; i++) {
		const strata_trigger *xa = a->triggers.v[i];
		const strata_trigger *xb = strata_catalog_trigger(b, xa->name, xa->table);
		if (!xb || !strata_trigger_equal(xa, xb, NULL, nocase)) {
			if (why)
				buf_printf(why, "trigger %s differs\n", xa->name);
			return 0;
		}
	}
	for (size_t i = 0; i < a->objects.n; i++) {
		const strata_object *oa = a->objects.v[i];
		const strata_object *ob = strata_catalog_object(b, oa->kind, oa->name);
		if (!ob || !strata_object_equal(oa, ob)) {
			if (why)
				buf_printf(why, "%s %s differs\n", strata_object_kind_name(oa->kind),
					   oa->name);
			return 0;
		}
	}
	if (a->tables.n != b->tables.n || a->views.n != b->views.n ||
	    a->triggers.n != b->triggers.n || a->objects.n != b->objects.n) {
		if (why)
			buf_puts(why, "the other side has more tables, views or triggers\n");
		return 0;
	}
	return 1;
}

static const char *gen_word(int g)
{
	return g == STRATA_GEN_STORED ? "STORED" : g == STRATA_GEN_VIRTUAL ? "VIRTUAL" : "none";
}

static const char *identity_word(char id)
{
	return id == 'a' ? "ALWAYS" : id == 'd' ? "BY DEFAULT" : "none";
}

/* Appends one "what: old -> new" clause, separated from earlier ones by ", ". */
static void change(buf *out, size_t start, const char *what, const char *a, const char *b)
{
	if (out->len > start)
		buf_puts(out, ", ");
	buf_printf(out, "%s %s -> %s", what, a, b);
}

/* Appends a summary of how column `a` became `b`. */
void strata_column_describe_change(buf *out, const strata_column *a, const strata_column *b)
{
	size_t start = out->len;
	if (name_cmp_nocase(a->type, b->type) != 0)
		change(out, start, "type", a->type[0] ? a->type : "(none)",
		       b->type[0] ? b->type : "(none)");
	if (a->notnull != b->notnull) {
		if (out->len > start)
			buf_puts(out, ", ");
		buf_puts(out, b->notnull ? "NOT NULL added" : "NOT NULL dropped");
	}
	if (!strata_sql_equal(a->dflt, b->dflt, NULL, NULL, 1))
		change(out, start, "default", a->dflt ? a->dflt : "(none)",
		       b->dflt ? b->dflt : "(none)");
	if (!opt_eq_nocase(a->collation, b->collation))
		change(out, start, "collation", a->collation ? a->collation : "BINARY",
		       b->collation ? b->collation : "BINARY");
	if (a->generated != b->generated)
		change(out, start, "generated", gen_word(a->generated), gen_word(b->generated));
	else if (!strata_sql_equal(a->gen_expr, b->gen_expr, NULL, NULL, 1))
		change(out, start, "generated as", a->gen_expr ? a->gen_expr : "(none)",
		       b->gen_expr ? b->gen_expr : "(none)");
	if (a->hidden != b->hidden) {
		if (out->len > start)
			buf_puts(out, ", ");
		buf_puts(out, b->hidden ? "now hidden" : "no longer hidden");
	}
	if (a->identity != b->identity)
		change(out, start, "identity", identity_word(a->identity), identity_word(b->identity));
	if (!strata_sql_equal(a->identity_opts, b->identity_opts, NULL, NULL, 0))
		change(out, start, "identity options", a->identity_opts ? a->identity_opts : "(default)",
		       b->identity_opts ? b->identity_opts : "(default)");
}
