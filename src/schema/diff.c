/*
 * diff: catalog × catalog → ordered operations. See diff.h for the order and why.
 */
#include "schema/diff.h"

#include "util/map.h"

#include <stdlib.h>
#include <string.h>

/* --- small helpers ---------------------------------------------------------------- */

/* A lower-cased copy of `s` when names are case-insensitive, so it can key a map. */
static char *name_key(const char *s, int nocase)
{
	char *k = xstrdup(s);
	if (nocase)
		for (char *p = k; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p + ('a' - 'A'));
	return k;
}

/* A set of names (folded when nocase); keys are owned by `keys`. */
typedef struct nameset {
	map m;
	strvec keys;
	int nocase;
} nameset;

static void nameset_put(nameset *s, const char *name)
{
	char *k = name_key(name, s->nocase);
	if (map_get(&s->m, k)) {
		free(k);
		return;
	}
	strvec_push_owned(&s->keys, k);
	map_put(&s->m, k, (void *)1);
}

/* Whether a catalog name is schema-qualified ("app.items", PostgreSQL's catalogs, which
 * compare case-sensitively); returns its bare part, or NULL. */
static const char *qualified_bare(const char *name, int nocase)
{
	const char *dot = nocase ? NULL : strchr(name, '.');
	return dot && dot[1] ? dot + 1 : NULL;
}

/* Adds a name; a schema-qualified one also under its bare part, because SQL text
 * (a view body) names it as tokens "app" "." "items": matching the bare part is the
 * conservative reading. */
static void nameset_add(nameset *s, const char *name)
{
	nameset_put(s, name);
	if (qualified_bare(name, s->nocase))
		nameset_put(s, qualified_bare(name, s->nocase));
}

static int nameset_has(const nameset *s, const char *name)
{
	char *k = name_key(name, s->nocase);
	int has = map_get(&s->m, k) != NULL;
	free(k);
	return has;
}

static void nameset_free(nameset *s)
{
	map_free(&s->m);
	strvec_free(&s->keys);
}

/* Whether `sql` names any member of `s`. */
static int sql_reads_any(const char *sql, const nameset *s)
{
	if (!s->keys.n)
		return 0;
	strata_toklist l = { 0 };
	strata_sql_tokenize(&l, sql);
	int found = 0;
	for (size_t i = 0; !found && i < l.n; i++) {
		if (l.v[i].type != STRATA_TOK_WORD && l.v[i].type != STRATA_TOK_QID)
			continue;
		char *id = strata_tok_ident(&l.v[i]);
		found = nameset_has(s, id);
		free(id);
	}
	strata_toklist_free(&l);
	return found;
}

/* Whether view `v` reads any member of `s`: by its dependency records where the
 * backend gave them, else by the names its SQL mentions. */
static int view_reads_any(const strata_view *v, const nameset *s)
{
	if (!v->reads_known)
		return sql_reads_any(v->sql, s);
	for (size_t i = 0; i < v->reads.n; i++)
		if (nameset_has(s, v->reads.v[i]))
			return 1;
	return 0;
}

/* Whether view `v` reads the relation `name` (see view_reads_any). */
static int view_reads(const strata_view *v, const char *name, int nocase)
{
	if (v->reads_known) {
		for (size_t i = 0; i < v->reads.n; i++)
			if (strata_name_eq(v->reads.v[i], name, nocase))
				return 1;
		return 0;
	}
	nameset one = { .nocase = nocase };
	nameset_add(&one, name);
	int hit = sql_reads_any(v->sql, &one);
	nameset_free(&one);
	return hit;
}

/*
 * Orders items 0..n-1 so that each comes after the items it depends on (edge k: item
 * dep_of[k] depends on item dep_on[k]). Ties keep index order; a cycle is broken at its
 * lowest index, as the only order there is. Writes the permutation to `order`.
 */
static void topo_order(size_t *order, size_t n, const size_t *dep_of, const size_t *dep_on,
		       size_t ne)
{
	size_t *indeg = xcalloc(n ? n : 1, sizeof(*indeg));
	char *placed = xcalloc(n ? n : 1, 1);
	for (size_t k = 0; k < ne; k++)
		if (dep_of[k] != dep_on[k])
			indeg[dep_of[k]]++;
	for (size_t done = 0; done < n; done++) {
		size_t pick = n;
		for (size_t i = 0; i < n && pick == n; i++)
			if (!placed[i] && indeg[i] == 0)
				pick = i;
		for (size_t i = 0; i < n && pick == n; i++)
			if (!placed[i])
				pick = i;
		placed[pick] = 1;
		order[done] = pick;
		for (size_t k = 0; k < ne; k++)
			if (dep_on[k] == pick && dep_of[k] != pick && !placed[dep_of[k]] &&
			    indeg[dep_of[k]])
				indeg[dep_of[k]]--;
	}
	free(indeg);
	free(placed);
}

typedef struct edges {
	size_t *of, *on;
	size_t n, cap;
} edges;

static void edges_add(edges *e, size_t of, size_t on)
{
	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 16;
		e->of = xrealloc(e->of, e->cap * sizeof(*e->of));
		e->on = xrealloc(e->on, e->cap * sizeof(*e->on));
	}
	e->of[e->n] = of;
	e->on[e->n++] = on;
}

static void edges_free(edges *e)
{
	free(e->of);
	free(e->on);
}

/* Orders tables parents-first by their foreign keys and the tables they inherit from. */
static void order_by_fkeys(size_t *order, strata_table *const *t, size_t n, int nocase)
{
	strvec keys = { 0 };
	map idx = { 0 };
	for (size_t i = 0; i < n; i++) {
		char *k = name_key(t[i]->name, nocase);
		strvec_push_owned(&keys, k);
		map_put(&idx, k, (void *)(i + 1));
	}
	edges e = { 0 };
	for (size_t i = 0; i < n; i++)
		for (size_t f = 0; f < t[i]->fkeys.n; f++) {
			char *k = name_key(((strata_fkey *)t[i]->fkeys.v[f])->ref_table, nocase);
			size_t j = (size_t)map_get(&idx, k);
			free(k);
			if (j)
				edges_add(&e, i, j - 1);
		}
	for (size_t i = 0; i < n; i++)
		for (size_t p = 0; p < t[i]->inherits.n; p++) {
			char *k = name_key(t[i]->inherits.v[p], nocase);
			size_t j = (size_t)map_get(&idx, k);
			free(k);
			if (j)
				edges_add(&e, i, j - 1);
		}
	topo_order(order, n, e.of, e.on, e.n);
	edges_free(&e);
	map_free(&idx);
	strvec_free(&keys);
}

/* Orders views so that each comes after the views it reads. */
static void order_views(size_t *order, strata_view *const *v, size_t n, int nocase)
{
	edges e = { 0 };
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			if (i != j && view_reads(v[i], v[j]->name, nocase))
				edges_add(&e, i, j);
	topo_order(order, n, e.of, e.on, e.n);
	edges_free(&e);
}

/* --- pairing old and new tables and columns ---------------------------------------------- */

static int is_table_rename_target(const strata_renames *r, const char *name, int nocase)
{
	for (size_t i = 0; r && i < r->n; i++)
		if (r->v[i].kind == STRATA_RENAME_TABLE && strata_name_eq(r->v[i].to, name, nocase))
			return 1;
	return 0;
}

static int is_column_rename_target(const strata_renames *r, const char *table, const char *col,
				   int nocase)
{
	for (size_t i = 0; r && i < r->n; i++)
		if (r->v[i].kind == STRATA_RENAME_COLUMN &&
		    strata_name_eq(r->v[i].table, table, nocase) &&
		    strata_name_eq(r->v[i].to, col, nocase))
			return 1;
	return 0;
}

/* The old name of a table that `r` renames to `name` (itself when none does). */
static const char *renamed_from(const strata_renames *r, const char *name, int nocase)
{
	for (size_t i = 0; r && i < r->n; i++)
		if (r->v[i].kind == STRATA_RENAME_TABLE && strata_name_eq(r->v[i].to, name, nocase))
			return r->v[i].from;
	return name;
}

/* The table of `to` that old table `a` becomes, or NULL when it is dropped. */
static strata_table *table_partner(const strata_table *a, const strata_catalog *to,
				   const strata_renames *r, int nocase)
{
	const char *bname = strata_renames_table(r, a->name, nocase);
	if (bname != a->name)
		return strata_catalog_table(to, bname);
	strata_table *b = strata_catalog_table(to, a->name);
	return (b && !is_table_rename_target(r, b->name, nocase)) ? b : NULL;
}

/* The column of `b` that column `ca` of old table `a` becomes, or NULL. */
static strata_column *column_partner(const strata_table *a, const strata_column *ca,
				     const strata_table *b, const strata_renames *r, int nocase)
{
	const char *bname = strata_renames_column(r, a->name, ca->name, nocase);
	if (bname != ca->name)
		return strata_table_column(b, bname, nocase);
	strata_column *cb = strata_table_column(b, ca->name, nocase);
	return (cb && !is_column_rename_target(r, a->name, cb->name, nocase)) ? cb : NULL;
}

/* The index `name` of table `t` (may be NULL) when it has one, else of any table of `c`:
 * on MariaDB an index's name is its table's alone (InnoDB names a foreign key's index
 * after the column, so user_id may stand in several tables). */
static const strata_index *index_named(const strata_catalog *c, const strata_table *t,
				       const char *name, int nocase)
{
	for (size_t i = 0; t && i < t->indexes.n; i++)
		if (strata_name_eq(((const strata_index *)t->indexes.v[i])->name, name, nocase))
			return t->indexes.v[i];
	return strata_catalog_index(c, name);
}

/* See diff.h. */
void strata_renames_of_table(strata_renames *out, const strata_renames *r, const char *table,
			     int nocase)
{
	for (size_t i = 0; r && i < r->n; i++) {
		const strata_rename *x = &r->v[i];
		if (x->kind == STRATA_RENAME_TABLE ||
		    (x->table && strata_name_eq(x->table, table, nocase)))
			strata_renames_add(out, x->kind, x->table, x->from, x->to);
	}
}

/* Whether index ia of the old catalog is ib, under the renames of its own table. */
static int index_same(const strata_index *ia, const strata_index *ib, const strata_renames *r,
		      int nocase)
{
	strata_renames own = { 0 };
	strata_renames_of_table(&own, r, ia->table, nocase);
	int eq = strata_index_equal(ia, ib, &own, nocase);
	strata_renames_free(&own);
	return eq;
}

/* --- rename specs and candidates ------------------------------------------------------ */

/* Reads one name of a rename spec at *s: "quoted" (with "" for a quote) or a run of
 * characters up to '.', ':' or the end. Returns it malloc'd, or NULL when empty. */
static char *spec_name(const char **s)
{
	buf b = BUF_INIT;
	const char *p = *s;
	if (*p == '"') {
		for (p++; *p; p++) {
			if (*p == '"') {
				if (p[1] != '"')
					break;
				p++;
			}
			buf_putc(&b, *p);
		}
		if (*p != '"') {
			buf_free(&b);
			return NULL;
		}
		p++;
	} else {
		while (*p && *p != '.' && *p != ':')
			buf_putc(&b, *p++);
	}
	*s = p;
	if (!b.len) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b);
}

/* Parses one spec into its parts; `table` is NULL for a table rename. */
static int spec_split(const char *spec, char **table, char **from, char **to, char **to_qual)
{
	const char *s = spec;
	char *a = spec_name(&s), *b = NULL;
	if (!a)
		return -1;
	if (*s == '.') {
		s++;
		b = spec_name(&s);
		if (!b)
			goto bad;
	}
	if (*s != ':')
		goto bad;
	s++;
	char *c = spec_name(&s), *d = NULL;
	if (c && *s == '.') {
		s++;
		d = spec_name(&s);
		if (!d) {
			free(c);
			goto bad;
		}
	}
	if (!c || *s) {
		free(c);
		free(d);
		goto bad;
	}
	*table = b ? a : NULL;
	*from = b ? b : a;
	*to = d ? d : c;
	*to_qual = d ? c : NULL;
	return 0;
bad:
	free(a);
	free(b);
	return -1;
}

/* "schema.name" as a catalog of `c` names a table: qualified, or bare when the schema
 * is the default one ("public") and the catalog has it bare (malloc'd). */
static char *qualified_table(const strata_catalog *c, const char *schema, const char *name)
{
	char *q = xasprintf("%s.%s", schema, name);
	if (!strata_catalog_table(c, q) && strcmp(schema, "public") == 0) {
		free(q);
		q = xstrdup(name);
	}
	return q;
}

/*
 * Where schemas qualify names (catalogs that compare case-sensitively), a spec
 * "app.t:app.t2" or "t:app.t" renames or moves a table: rewrites the parts of such a
 * spec to a table rename (table and qual NULL, old and new whole names).
 */
static void schema_qualified_spec(const strata_catalog *from, const strata_catalog *to,
				  char **table, char **old, char **new, char **qual)
{
	if (from->nocase)
		return;
	char *old_full = NULL;
	if (*table) {
		old_full = xasprintf("%s.%s", *table, *old);
		if (strata_catalog_table(from, *table) || !strata_catalog_table(from, old_full)) {
			free(old_full);
			return; /* a column rename */
		}
	} else if (!*qual) {
		return;
	}
	char *new_full = *qual ? qualified_table(to, *qual, *new) : xstrdup(*new);
	if (old_full) {
		free(*old);
		*old = old_full;
	}
	free(*new);
	*new = new_full;
	free(*table);
	free(*qual);
	*table = *qual = NULL;
}

/* Parses rename specs against both catalogs; see diff.h. Table renames are read first
 * so a column spec may name its table as schema.sql does. */
int strata_renames_parse(strata_renames *out, const char *const *specs, size_t n,
			 const strata_catalog *from, const strata_catalog *to, strata_err *e)
{
	int nocase = from->nocase, rc = 0;
	for (int pass = 0; pass < 2 && !rc; pass++)
		for (size_t i = 0; i < n && !rc; i++) {
			char *table = NULL, *old = NULL, *new = NULL, *qual = NULL;
			if (spec_split(specs[i], &table, &old, &new, &qual) < 0) {
				rc = err_set(e, STRATA_EUSAGE,
					     "bad rename '%s': expected old_table:new_table or "
					     "table.old_column:new_column", specs[i]);
				continue;
			}
			schema_qualified_spec(from, to, &table, &old, &new, &qual);
			if (!table && pass == 0) {
				if (qual)
					rc = err_set(e, STRATA_EUSAGE,
						     "bad rename '%s': a table rename is "
						     "old_table:new_table", specs[i]);
				else
					strata_renames_add(out, STRATA_RENAME_TABLE, NULL, old, new);
			} else if (table && pass == 1) {
				/* The table as schema.sql names it (renamed), else as the database does. */
				const char *resolved = NULL;
				for (size_t k = 0; !resolved && k < out->n; k++)
					if (out->v[k].kind == STRATA_RENAME_TABLE &&
					    strata_name_eq(out->v[k].to, table, nocase))
						resolved = out->v[k].from;
				if (!resolved && strata_catalog_table(from, table))
					resolved = strata_catalog_table(from, table)->name;
				if (!resolved)
					rc = err_set(e, STRATA_EUSAGE,
						     "bad rename '%s': table %s is not in the database",
						     specs[i], table);
				else if (qual && !strata_name_eq(qual, table, nocase))
					rc = err_set(e, STRATA_EUSAGE,
						     "bad rename '%s': a column keeps its table", specs[i]);
				else
					strata_renames_add(out, STRATA_RENAME_COLUMN, resolved, old, new);
			}
			free(table);
			free(old);
			free(new);
			free(qual);
		}
	return rc;
}

/* How many columns two tables share by name and type. */
static size_t shared_columns(const strata_table *a, const strata_table *b, int nocase)
{
	size_t n = 0;
	for (size_t i = 0; i < a->columns.n; i++) {
		const strata_column *ca = a->columns.v[i];
		const strata_column *cb = strata_table_column(b, ca->name, nocase);
		if (cb && strata_name_eq(ca->type, cb->type, 1))
			n++;
	}
	return n;
}

/* Lists rename candidates; see diff.h. */
void strata_diff_rename_candidates(strata_renames *out, const strata_catalog *from,
				   const strata_catalog *to, const strata_renames *accepted,
				   int kind)
{
	int nocase = from->nocase;
	char *used = xcalloc(to->tables.n + 1, 1);
	for (size_t i = 0; i < from->tables.n; i++) {
		const strata_table *p = table_partner(from->tables.v[i], to, accepted, nocase);
		for (size_t j = 0; p && j < to->tables.n; j++)
			if (to->tables.v[j] == p)
				used[j] = 1;
	}
	for (size_t i = 0; i < from->tables.n; i++) {
		const strata_table *a = from->tables.v[i];
		const strata_table *partner = table_partner(a, to, accepted, nocase);
		if (kind == STRATA_RENAME_TABLE && !partner) {
			/* The look-alike shares the most columns, and at least half of each. */
			size_t best = 0, best_j = 0;
			for (size_t j = 0; j < to->tables.n; j++) {
				if (used[j])
					continue;
				const strata_table *b = to->tables.v[j];
				size_t s = shared_columns(a, b, nocase);
				size_t most = a->columns.n > b->columns.n ? a->columns.n : b->columns.n;
				if (s > best && 2 * s >= most) {
					best = s;
					best_j = j;
				}
			}
			if (best) {
				used[best_j] = 1;
				strata_renames_add(out, STRATA_RENAME_TABLE, NULL, a->name,
						   ((strata_table *)to->tables.v[best_j])->name);
			}
		} else if (kind == STRATA_RENAME_COLUMN && partner) {
			const strata_table *b = partner;
			char *cused = xcalloc(b->columns.n + 1, 1);
			for (size_t j = 0; j < a->columns.n; j++) {
				strata_column *cb = column_partner(a, a->columns.v[j], b, accepted, nocase);
				for (size_t k = 0; cb && k < b->columns.n; k++)
					if (b->columns.v[k] == cb)
						cused[k] = 1;
			}
			for (size_t j = 0; j < a->columns.n; j++) {
				const strata_column *ca = a->columns.v[j];
				if (column_partner(a, ca, b, accepted, nocase))
					continue;
				for (size_t k = 0; k < b->columns.n; k++) {
					const strata_column *cb = b->columns.v[k];
					if (cused[k] || !strata_column_equal(ca, cb, a->name, accepted, nocase))
						continue;
					cused[k] = 1;
					strata_renames_add(out, STRATA_RENAME_COLUMN, a->name, ca->name,
							   cb->name);
					break;
				}
			}
			free(cused);
		}
	}
	free(used);
}

/* --- the op list ------------------------------------------------------------------------- */

static strata_op *push(strata_oplist *l, strata_op_kind kind, unsigned flags)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	strata_op *op = &l->v[l->n++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->flags = flags;
	return op;
}

/* Frees the list (NULL is fine); the catalogs it points into are not touched. */
void strata_oplist_free(strata_oplist *ops)
{
	if (!ops)
		return;
	free(ops->v);
	strata_renames_free(&ops->renames);
	free(ops);
}

int strata_op_is_table_change(const strata_op *op)
{
	return op->kind >= STRATA_OP_RENAME_TABLE && op->kind <= STRATA_OP_ALTER_OPTIONS;
}

/* Validates the renames against the catalogs. */
static int check_renames(const strata_catalog *from, const strata_catalog *to,
			 const strata_renames *r, strata_err *e)
{
	int nocase = from->nocase;
	for (size_t i = 0; r && i < r->n; i++) {
		const strata_rename *x = &r->v[i];
		for (size_t j = 0; j < i; j++)
			if (r->v[j].kind == x->kind &&
			    strata_name_eq(r->v[j].table, x->table, nocase) &&
			    (strata_name_eq(r->v[j].from, x->from, nocase) ||
			     strata_name_eq(r->v[j].to, x->to, nocase)))
				return err_set(e, STRATA_EUSAGE, "rename of %s%s%s given twice",
					       x->table ? x->table : "", x->table ? "." : "", x->from);
		if (x->kind == STRATA_RENAME_TABLE) {
			if (!strata_catalog_table(from, x->from))
				return err_set(e, STRATA_EUSAGE,
					       "cannot rename table %s: it is not in the database",
					       x->from);
			if (!strata_catalog_table(to, x->to))
				return err_set(e, STRATA_EUSAGE,
					       "cannot rename table %s to %s: %s is not in schema.sql",
					       x->from, x->to, x->to);
			continue;
		}
		const strata_table *a = strata_catalog_table(from, x->table);
		const strata_table *b = a ? table_partner(a, to, r, nocase) : NULL;
		if (!a || !strata_table_column(a, x->from, nocase))
			return err_set(e, STRATA_EUSAGE,
				       "cannot rename column %s.%s: it is not in the database",
				       x->table, x->from);
		if (!b || !strata_table_column(b, x->to, nocase))
			return err_set(e, STRATA_EUSAGE,
				       "cannot rename column %s.%s to %s: it is not in schema.sql",
				       x->table, x->from, x->to);
	}
	return 0;
}

/* Orders renames (indices into `ops`, all of one kind and scope) so that a name is
 * renamed away before another takes it; fails on a cycle. */
static int order_renames(strata_op *ops, size_t n, int nocase, strata_err *e)
{
	/* Renames with names on the same side are few; a quadratic pass is plenty. */
	for (size_t done = 0; done < n; done++) {
		size_t pick = n;
		for (size_t i = done; i < n && pick == n; i++) {
			const char *want = ops[i].kind == STRATA_OP_RENAME_TABLE ? ops[i].new_table->name
										 : ops[i].new_col->name;
			int blocked = 0;
			for (size_t j = done; j < n && !blocked; j++) {
				const char *held = ops[j].kind == STRATA_OP_RENAME_TABLE
							   ? ops[j].old_table->name
							   : ops[j].old_col->name;
				blocked = j != i && strata_name_eq(held, want, nocase);
			}
			if (!blocked)
				pick = i;
		}
		if (pick == n)
			return err_set(e, STRATA_EUSAGE,
				       "renames that swap names (%s) cannot be applied in one step; "
				       "rename through a temporary name in two revisions",
				       ops[done].kind == STRATA_OP_RENAME_TABLE ? ops[done].old_table->name
										 : ops[done].old_col->name);
		strata_op tmp = ops[pick];
		memmove(ops + done + 1, ops + done, (pick - done) * sizeof(*ops));
		ops[done] = tmp;
	}
	return 0;
}

/* Whether an item of `a` has an unused equal in `b`; marks it used. */
typedef int (*item_eq)(const void *a, const void *b, const char *old_table,
		       const strata_renames *r, int nocase);

static int eq_unique(const void *a, const void *b, const char *t, const strata_renames *r, int nc)
{
	return strata_unique_equal(a, b, t, r, nc);
}

static int eq_check(const void *a, const void *b, const char *t, const strata_renames *r, int nc)
{
	return strata_check_equal(a, b, t, r, nc);
}

static int eq_fkey(const void *a, const void *b, const char *t, const strata_renames *r, int nc)
{
	return strata_fkey_equal(a, b, t, r, nc);
}

/* Emits drop ops for items of `av` without an equal in `bv` and add ops for the rest
 * of `bv`, into `drops` and `adds`. */
static void diff_items(strata_oplist *drops, strata_oplist *adds, const strata_table *a,
		       const strata_table *b, const vec *av, const vec *bv, item_eq eq,
		       strata_op_kind drop_kind, strata_op_kind add_kind, const strata_renames *r,
		       int nocase)
{
	char *used = xcalloc(bv->n + 1, 1);
	for (size_t i = 0; i < av->n; i++) {
		int found = 0;
		for (size_t j = 0; j < bv->n && !found; j++)
			if (!used[j] && eq(av->v[i], bv->v[j], a->name, r, nocase))
				used[j] = found = 1;
		if (!found) {
			strata_op *op = push(drops, drop_kind, 0);
			op->old_table = a;
			op->new_table = b;
			op->old_obj = av->v[i];
		}
	}
	for (size_t j = 0; j < bv->n; j++)
		if (!used[j]) {
			strata_op *op = push(adds, add_kind, 0);
			op->old_table = a;
			op->new_table = b;
			op->new_obj = bv->v[j];
		}
	free(used);
}

static void append_ops(strata_oplist *dst, const strata_oplist *src)
{
	for (size_t i = 0; i < src->n; i++)
		*push(dst, src->v[i].kind, 0) = src->v[i];
}

/* Whether two tables inherit from the same parents, in the same order. */
static int same_parents(const strata_table *a, const strata_table *b, int nocase)
{
	if (a->inherits.n != b->inherits.n)
		return 0;
	for (size_t i = 0; i < a->inherits.n; i++)
		if (!strata_name_eq(a->inherits.v[i], b->inherits.v[i], nocase))
			return 0;
	return 1;
}

/* Whether `b` inherits from a table that `a` does not. */
static int gains_parent(const strata_table *a, const strata_table *b, int nocase)
{
	for (size_t i = 0; i < b->inherits.n; i++) {
		int had = 0;
		for (size_t j = 0; j < a->inherits.n && !had; j++)
			had = strata_name_eq(a->inherits.v[j], b->inherits.v[i], nocase);
		if (!had)
			return 1;
	}
	return 0;
}

/* Appends the run of changes that turns old table `a` into `b` (nothing when equal). */
static int diff_table(strata_oplist *out, const strata_table *a, const strata_table *b,
		      const strata_renames *r, int nocase, strata_err *e)
{
	strata_oplist renames = { 0 }, drops = { 0 }, mid = { 0 }, adds = { 0 };
	int rc = 0;
	for (size_t i = 0; i < a->columns.n; i++) {
		const strata_column *ca = a->columns.v[i];
		const strata_column *cb = column_partner(a, ca, b, r, nocase);
		strata_op *op = NULL;
		if (ca->inherited || (cb && cb->inherited))
			continue; /* it comes and goes with the parent's, or INHERIT */
		if (!cb) {
			op = push(&mid, STRATA_OP_DROP_COLUMN, 0);
		} else {
			if (!strata_name_eq(ca->name, cb->name, nocase)) {
				op = push(&renames, STRATA_OP_RENAME_COLUMN, 0);
				op->old_table = a;
				op->new_table = b;
				op->old_col = ca;
				op->new_col = cb;
			}
			op = strata_column_equal(ca, cb, a->name, r, nocase)
				     ? NULL
				     : push(&mid, STRATA_OP_ALTER_COLUMN, 0);
		}
		if (op) {
			op->old_table = a;
			op->new_table = b;
			op->old_col = ca;
			op->new_col = cb;
		}
	}
	for (size_t i = 0; i < b->columns.n; i++) {
		const strata_column *cb = b->columns.v[i];
		int found = 0;
		for (size_t j = 0; j < a->columns.n && !found; j++)
			found = column_partner(a, a->columns.v[j], b, r, nocase) == cb;
		/* An inherited column arrives with its parent's, unless the table starts
		 * inheriting: INHERIT wants the column there already. */
		if (!found && cb->inherited && !gains_parent(a, b, nocase))
			found = 1;
		if (!found) {
			strata_op *op = push(&mid, STRATA_OP_ADD_COLUMN, 0);
			op->old_table = a;
			op->new_table = b;
			op->new_col = cb;
		}
	}
	if ((rc = order_renames(renames.v, renames.n, nocase, e)))
		goto done;

	diff_items(&drops, &adds, a, b, &a->fkeys, &b->fkeys, eq_fkey, STRATA_OP_DROP_FKEY,
		   STRATA_OP_ADD_FKEY, r, nocase);
	diff_items(&drops, &adds, a, b, &a->checks, &b->checks, eq_check, STRATA_OP_DROP_CHECK,
		   STRATA_OP_ADD_CHECK, r, nocase);
	diff_items(&drops, &adds, a, b, &a->uniques, &b->uniques, eq_unique, STRATA_OP_DROP_UNIQUE,
		   STRATA_OP_ADD_UNIQUE, r, nocase);
	if (!strata_pkey_equal(a, b, r, nocase)) {
		strata_op *op = push(&adds, STRATA_OP_ALTER_PKEY, 0);
		op->old_table = a;
		op->new_table = b;
	}
	if (a->without_rowid != b->without_rowid || a->strict != b->strict ||
	    a->unlogged != b->unlogged || !same_parents(a, b, nocase)) {
		strata_op *op = push(&adds, STRATA_OP_ALTER_OPTIONS, 0);
		op->old_table = a;
		op->new_table = b;
	}
	size_t start = out->n;
	if (!strata_name_eq(a->name, b->name, nocase)) {
		strata_op *op = push(out, STRATA_OP_RENAME_TABLE, 0);
		op->old_table = a;
		op->new_table = b;
	}
	if (start == out->n && !renames.n && !drops.n && !mid.n && !adds.n)
		goto done;
	append_ops(out, &renames);
	append_ops(out, &drops);
	append_ops(out, &mid);
	append_ops(out, &adds);
	/* One run in kind order: renames, constraint drops, column changes, additions. */
	for (size_t i = start + 1; i < out->n; i++)
		for (size_t j = i; j > start && out->v[j - 1].kind > out->v[j].kind; j--) {
			strata_op tmp = out->v[j];
			out->v[j] = out->v[j - 1];
			out->v[j - 1] = tmp;
		}
done:
	free(renames.v);
	free(drops.v);
	free(mid.v);
	free(adds.v);
	return rc;
}

/* How many partitions up the chain of parents `o` is (1 for a partition of a table,
 * 0 for objects that are not partitions). */
static size_t partition_depth(const strata_catalog *c, const strata_object *o)
{
	size_t d = 0;
	for (; o && o->kind == STRATA_OBJ_PARTITION && d <= c->objects.n; d++)
		o = o->parent ? strata_catalog_object(c, STRATA_OBJ_PARTITION, o->parent) : NULL;
	return d;
}

/* The deepest partition of a catalog (0 when it has none). */
static size_t max_partition_depth(const strata_catalog *c)
{
	size_t m = 0;
	for (size_t i = 0; i < c->objects.n; i++) {
		size_t d = partition_depth(c, c->objects.v[i]);
		m = d > m ? d : m;
	}
	return m;
}

/* See diff.h. */
const char *strata_partition_root(const strata_catalog *c, const strata_object *o)
{
	const char *name = o->parent;
	for (size_t d = 0; name && d <= c->objects.n; d++) {
		const strata_object *p = strata_catalog_object(c, STRATA_OBJ_PARTITION, name);
		if (!p)
			break;
		name = p->parent;
	}
	return name;
}

/* The table or view an object belongs to, when it goes and comes with it (partitions,
 * comments, security), or NULL. */
static const char *object_table(const strata_catalog *c, const strata_object *o, buf *tmp)
{
	static const char *const prefixes[] = { "on table ", "on view ", "on materialized view " };
	if (o->kind == STRATA_OBJ_PARTITION)
		return strata_partition_root(c, o);
	if (o->kind >= STRATA_OBJ_POLICY)
		return o->parent;
	if (o->kind != STRATA_OBJ_COMMENT)
		return NULL;
	buf_reset(tmp);
	for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
		if (strncmp(o->name, prefixes[i], strlen(prefixes[i])) == 0) {
			buf_puts(tmp, o->name + strlen(prefixes[i]));
			return tmp->ptr;
		}
	const char *dot = strrchr(o->name, '.');
	if (strncmp(o->name, "on column ", 10) != 0 || !dot || dot < o->name + 10)
		return NULL;
	buf_add(tmp, o->name + 10, (size_t)(dot - o->name - 10));
	return tmp->ptr;
}

/* What makes an unchanged object be made again: the tables rebuilt, the tables and
 * views that change (`changed`, `vchanged`, names of the old catalog), the functions
 * dropped and created anew. */
typedef struct regen {
	const nameset *rebuilt;
	const nameset *changed;
	const nameset *vchanged;
	const nameset *replaced;
} regen;

/* Whether object `o` of catalog `c` goes with what it belongs to and must be made again
 * (see regen): everything of a rebuilt table; comments, owners and privileges of a view
 * or function that is re-created; a policy on a table that changes or reading one. */
static int on_rebuilt(const strata_catalog *c, const strata_object *o, const regen *g)
{
	buf tmp = BUF_INIT;
	const char *t = object_table(c, o, &tmp);
	int hit = t && nameset_has(g->rebuilt, t);
	if (!hit && t && (o->kind == STRATA_OBJ_COMMENT || o->kind == STRATA_OBJ_OWNER ||
			  o->kind == STRATA_OBJ_PRIVILEGE))
		hit = nameset_has(g->vchanged, t) || nameset_has(g->replaced, t);
	if (!hit && t && o->kind == STRATA_OBJ_POLICY)
		hit = nameset_has(g->changed, t) || nameset_has(g->vchanged, t) ||
		      sql_reads_any(o->sql, g->changed) || sql_reads_any(o->sql, g->vchanged);
	buf_free(&tmp);
	return hit;
}

/* Appends object ops for kinds `lo`..`hi`: drops (in reverse kind order) when `drops`,
 * else creates and alters (in kind order). Partitions of partitions are created after
 * their parents and dropped before them. Objects of a table in `rebuilt` are dropped
 * and created again even when unchanged (flagged implied). */
static void diff_objects(strata_oplist *l, const strata_catalog *from, const strata_catalog *to,
			 int lo, int hi, int drops, const regen *rebuilt, const nameset *retaken)
{
	if (drops) {
		for (size_t depth = max_partition_depth(from) + 1; depth-- > 0;)
			for (size_t i = from->objects.n; i-- > 0;) {
				const strata_object *a = from->objects.v[i];
				if (a->kind < lo || a->kind > hi || partition_depth(from, a) != depth)
					continue;
				const strata_object *b = strata_catalog_object(to, a->kind, a->name);
				if (b && !on_rebuilt(from, a, rebuilt))
					continue;
				/* Under a rebuild, even one that goes is replaced: its rows stay. */
				strata_op *op = push(l, STRATA_OP_DROP_OBJECT,
						     !b ? (on_rebuilt(from, a, rebuilt) ? STRATA_OP_REPLACED : 0)
						     : strata_object_equal(a, b) ? STRATA_OP_IMPLIED
										 : STRATA_OP_REPLACED);
				op->old_obj = a;
			}
		return;
	}
	size_t deepest = max_partition_depth(to);
	for (size_t depth = 0; depth <= deepest; depth++)
		for (size_t j = 0; j < to->objects.n; j++) {
			const strata_object *b = to->objects.v[j];
			if (b->kind < lo || b->kind > hi || partition_depth(to, b) != depth)
				continue;
			const strata_object *a = strata_catalog_object(from, b->kind, b->name);
			int under = a ? on_rebuilt(from, a, rebuilt) : on_rebuilt(to, b, rebuilt);
			int again = a && under;
			unsigned flags = !under ? 0 : again && strata_object_equal(a, b)
							  ? STRATA_OP_IMPLIED : STRATA_OP_REPLACED;
			if (a && !again && strata_object_equal(a, b)) {
				/* Set again when what it hangs on is dropped and re-created. */
				if (!retaken || !b->on || !nameset_has(retaken, b->on))
					continue;
				flags = STRATA_OP_IMPLIED;
			}
			strata_op *op = push(l, a && !again ? STRATA_OP_ALTER_OBJECT : STRATA_OP_CREATE_OBJECT,
					     flags);
			op->old_obj = again ? NULL : a;
			op->new_obj = b;
		}
}

/* The schema part of a table's name ("app." or "") followed by `name`, into `dst`. */
static void sibling_name(buf *dst, const char *table, const char *name)
{
	const char *dot = strchr(table, '.');
	buf_reset(dst);
	if (dot)
		buf_add(dst, table, (size_t)(dot - table + 1));
	buf_puts(dst, name);
}

/* Adds "KIND TABLE.NAME" (and "index SCHEMA.NAME" for a key's index) to `s`. */
static void retaken_add(nameset *s, const char *kind, const char *table, const char *name,
			int index)
{
	if (!name)
		return;
	buf b = BUF_INIT;
	buf_printf(&b, "%s %s.%s", kind, table, name);
	nameset_put(s, b.ptr);
	if (index) {
		buf k = BUF_INIT;
		sibling_name(&k, table, name);
		buf_reset(&b);
		buf_printf(&b, "index %s", k.ptr);
		nameset_put(s, b.ptr);
		buf_free(&k);
	}
	buf_free(&b);
}

/*
 * What the list so far drops and creates again, as strata_object.on names it ("view v",
 * "index ix", "constraint t.c", "trigger t.x", "domain constraint d.c", "collation c"):
 * comments and view indexes on them go with them and are set again.
 */
static void retaken_keys(const strata_oplist *l, nameset *s)
{
	buf b = BUF_INIT;
	for (size_t i = 0; i < l->n; i++) {
		const strata_op *op = &l->v[i];
		const char *t = op->old_table ? op->old_table->name : "";
		buf_reset(&b);
		switch (op->kind) {
		case STRATA_OP_DROP_VIEW:
			buf_printf(&b, "view %s", ((const strata_view *)op->old_obj)->name);
			break;
		case STRATA_OP_DROP_INDEX:
			buf_printf(&b, "index %s", ((const strata_index *)op->old_obj)->name);
			break;
		case STRATA_OP_DROP_TRIGGER:
			retaken_add(s, "trigger", ((const strata_trigger *)op->old_obj)->table,
				    ((const strata_trigger *)op->old_obj)->name, 0);
			break;
		case STRATA_OP_DROP_CHECK:
			retaken_add(s, "constraint", t, ((const strata_check *)op->old_obj)->name,
				    ((const strata_check *)op->old_obj)->exclude);
			break;
		case STRATA_OP_DROP_UNIQUE:
			retaken_add(s, "constraint", t, ((const strata_unique *)op->old_obj)->name, 1);
			break;
		case STRATA_OP_DROP_FKEY:
			retaken_add(s, "constraint", t, ((const strata_fkey *)op->old_obj)->name, 0);
			break;
		case STRATA_OP_ALTER_PKEY:
			retaken_add(s, "constraint", t, op->old_table->pk.name, 1);
			break;
		case STRATA_OP_ALTER_OBJECT:
		case STRATA_OP_DROP_OBJECT: {
			const strata_object *o = op->old_obj;
			if (o->kind == STRATA_OBJ_DOMAIN_CHECK)
				buf_printf(&b, "domain constraint %s", o->name);
			else if (o->kind == STRATA_OBJ_COLLATION)
				buf_printf(&b, "collation %s", o->name);
			else if (o->kind == STRATA_OBJ_VIEW_INDEX)
				buf_printf(&b, "index %s", o->name);
			break;
		}
		default:
			break;
		}
		if (b.len)
			nameset_put(s, b.ptr);
	}
	buf_free(&b);
}

/* Whether an enum's labels change other than by insertions (a rebuild of the type). */
int strata_enum_rebuilt(const strata_object *a, const strata_object *b)
{
	size_t j = 0;
	for (size_t i = 0; i < a->values.n; i++) {
		while (j < b->values.n && strcmp(b->values.v[j], a->values.v[i]) != 0)
			j++;
		if (j == b->values.n)
			return 1;
		j++;
	}
	return 0;
}

/* Fails when collation `b` changes while a column of `from` uses it: it would be
 * dropped and created, which PostgreSQL refuses while a column uses it. */
static int collation_in_use(const strata_catalog *from, const strata_object *b, strata_err *e)
{
	const strata_object *a = strata_catalog_object(from, b->kind, b->name);
	if (!a || strata_object_equal(a, b))
		return 0;
	for (size_t i = 0; i < from->tables.n; i++) {
		const strata_table *t = from->tables.v[i];
		for (size_t j = 0; j < t->columns.n; j++) {
			const strata_column *c = t->columns.v[j];
			if (c->collation && strata_sql_equal(c->collation, b->name, NULL, NULL, 0))
				return err_set(e, STRATA_EFAIL,
					       "collation %s: a new definition is not generated while "
					       "column %s.%s uses it (it would be dropped and created): "
					       "write this revision by hand (strata revision -m ...)",
					       b->name, t->name, c->name);
		}
	}
	return 0;
}

/* What happens to an old view or trigger. */
enum { KEEP, WRAP, REPLACE, DROP };

/* The diff; see diff.h. */
int strata_diff_catalogs(strata_oplist **out, const strata_catalog *from,
			 const strata_catalog *to, const strata_renames *renames, strata_err *e)
{
	int nocase = from->nocase, rc;
	strata_oplist *l = xcalloc(1, sizeof(*l));
	strata_oplist groups = { 0 };
	l->from = from;
	l->to = to;
	l->nocase = nocase;
	l->type_narrows = from->type_narrows ? from->type_narrows : to->type_narrows;
	for (size_t i = 0; renames && i < renames->n; i++)
		strata_renames_add(&l->renames, renames->v[i].kind, renames->v[i].table,
				   renames->v[i].from, renames->v[i].to);
	const strata_renames *r = &l->renames;
	size_t na = from->tables.n, nb = to->tables.n;
	strata_table **partner = xcalloc(na + 1, sizeof(*partner));
	char *b_paired = xcalloc(nb + 1, 1);
	strata_table **b_origin = xcalloc(nb + 1, sizeof *b_origin); /* the old table of a paired b */
	size_t *order = xcalloc(na + nb + from->views.n + to->views.n + 1, sizeof(*order));
	int *vstate = xcalloc(from->views.n + 1, sizeof(*vstate));
	int *tstate = xcalloc(from->triggers.n + 1, sizeof(*tstate));
	nameset changed = { .nocase = nocase }, vchanged = { .nocase = nocase };
	nameset retaken = { .nocase = nocase };
	nameset rebuilt = { .nocase = nocase }, replaced = { .nocase = nocase };
	regen g = { &rebuilt, &changed, &vchanged, &replaced };
	vec dropped = { 0 }, created = { 0 }, pairs = { 0 };

	if ((rc = check_renames(from, to, r, e)))
		goto done;
	/* A table whose partition key changes is dropped and created anew, with its
	 * partitions, indexes and comments; the dialect carries its rows across. */
	for (size_t i = 0; i < na; i++) {
		const strata_table *a = from->tables.v[i], *b = table_partner(a, to, r, nocase);
		if (b && (a->partition_by || b->partition_by) &&
		    (!a->partition_by || !b->partition_by || strcmp(a->partition_by, b->partition_by)))
			nameset_put(&rebuilt, a->name);
	}
	for (size_t i = 0; i < to->objects.n; i++) {
		const strata_object *b = to->objects.v[i];
		const strata_object *a = b->kind == STRATA_OBJ_DOMAIN || b->kind == STRATA_OBJ_PARTITION
						 ? strata_catalog_object(from, b->kind, b->name) : NULL;
		if (a && b->kind == STRATA_OBJ_PARTITION && !on_rebuilt(to, b, &g) &&
		    (a->type || b->type) && (!a->type || !b->type || strcmp(a->type, b->type))) {
			rc = err_set(e, STRATA_EFAIL,
				     "partition %s: changing how a table is partitioned (%s -> %s) is "
				     "not generated; it needs a new table and a copy of the rows: write "
				     "this revision by hand (strata revision -m ...)", b->name,
				     a->type ? a->type : "not partitioned",
				     b->type ? b->type : "not partitioned");
			goto done;
		}
		if (b->kind == STRATA_OBJ_COLLATION &&
		    (rc = collation_in_use(from, b, e)))
			goto done;
		if (a && b->kind == STRATA_OBJ_DOMAIN && a->type && b->type &&
		    strcmp(a->type, b->type) != 0) {
			rc = err_set(e, STRATA_EFAIL,
				     "domain %s: a new base type (%s -> %s) is not generated; the "
				     "columns of the domain must be converted: write this revision by "
				     "hand (strata revision -m ...)", b->name, a->type, b->type);
			goto done;
		}
	}

	/* Tables: pairs, drops, creates. */
	for (size_t i = 0; i < na; i++) {
		strata_table *a = from->tables.v[i];
		partner[i] = table_partner(a, to, r, nocase);
		if (partner[i] && nameset_has(&rebuilt, a->name))
			partner[i] = NULL; /* dropped here, created below */
		if (!partner[i]) {
			vec_push(&dropped, a);
			nameset_add(&changed, a->name);
			continue;
		}
		for (size_t j = 0; j < nb; j++)
			if (to->tables.v[j] == partner[i]) {
				b_paired[j] = 1;
				b_origin[j] = a;
			}
	}
	for (size_t j = 0; j < nb; j++)
		if (!b_paired[j])
			vec_push(&created, to->tables.v[j]);

	/* Each table that stays: its run of changes. Runs that rename a table go after the
	 * run that frees the name they take. */
	for (size_t i = 0; i < na; i++) {
		if (!partner[i])
			continue;
		size_t before = groups.n;
		if ((rc = diff_table(&groups, from->tables.v[i], partner[i], r, nocase, e)))
			goto done;
		if (groups.n > before) {
			vec_push(&pairs, (void *)(before + 1));
			nameset_add(&changed, ((strata_table *)from->tables.v[i])->name);
		}
	}
	{
		strata_oplist heads = { 0 };
		for (size_t k = 0; k < pairs.n; k++) {
			strata_op *first = &groups.v[(size_t)pairs.v[k] - 1];
			strata_op *op = push(&heads, STRATA_OP_RENAME_TABLE, 0);
			op->old_table = first->old_table;
			op->new_table = first->new_table;
			op->old_obj = first; /* carries the run back after ordering */
		}
		rc = order_renames(heads.v, heads.n, nocase, e);
		for (size_t k = 0; !rc && k < heads.n; k++)
			pairs.v[k] = (void *)((const strata_op *)heads.v[k].old_obj - groups.v + 1);
		free(heads.v);
		if (rc)
			goto done;
	}

	/* Indexes. */
	for (size_t i = 0; i < na; i++) {
		const strata_table *a = from->tables.v[i];
		for (size_t j = 0; j < a->indexes.n; j++) {
			const strata_index *ia = a->indexes.v[j];
			const strata_index *ib = index_named(to, partner[i], ia->name, nocase);
			int again = ib && nameset_has(&rebuilt, a->name);
			if (ib && !again && index_same(ia, ib, r, nocase))
				continue;
			strata_op *op = push(l, STRATA_OP_DROP_INDEX,
					     !ib ? 0 : again && index_same(ia, ib, r, nocase)
							   ? STRATA_OP_IMPLIED : STRATA_OP_REPLACED);
			op->old_table = a;
			op->new_table = partner[i];
			op->old_obj = ia;
		}
	}
	size_t index_drops = l->n;

	/* A rebuilt enum changes the type of every column of it: what reads those tables
	 * is wrapped around the change. Labels that are only added need no rebuild, but
	 * the downgrade — the same list inverted — removes them, so they wrap too. */
	for (size_t i = 0; i < from->objects.n; i++) {
		const strata_object *oa = from->objects.v[i];
		const strata_object *ob = strata_catalog_object(to, oa->kind, oa->name);
		if (oa->kind != STRATA_OBJ_ENUM || !ob || !oa->type ||
		    (!strata_enum_rebuilt(oa, ob) && !strata_enum_rebuilt(ob, oa)))
			continue;
		for (size_t t = 0; t < na; t++) {
			const strata_table *a = from->tables.v[t];
			for (size_t k = 0; k < a->columns.n; k++)
				if (strcmp(((strata_column *)a->columns.v[k])->type, oa->type) == 0) {
					nameset_add(&changed, a->name);
					break;
				}
		}
	}

	/* Views and triggers: dropped, changed, or wrapped around a change to what they
	 * read — until nothing more is pulled in. */
	for (size_t i = 0; i < from->views.n; i++) {
		const strata_view *va = from->views.v[i];
		const strata_view *vb = strata_catalog_view(to, va->name);
		vstate[i] = !vb ? DROP : !strata_view_equal(va, vb, r, nocase) ? REPLACE : KEEP;
		if (vstate[i] != KEEP)
			nameset_add(&vchanged, va->name);
	}
	for (int again = 1; again;) {
		again = 0;
		for (size_t i = 0; i < from->views.n; i++) {
			const strata_view *va = from->views.v[i];
			if (vstate[i] == KEEP &&
			    (view_reads_any(va, &changed) || view_reads_any(va, &vchanged))) {
				vstate[i] = WRAP;
				nameset_add(&vchanged, va->name);
				again = 1;
			}
		}
	}
	for (size_t i = 0; i < from->triggers.n; i++) {
		const strata_trigger *xa = from->triggers.v[i];
		const strata_trigger *xb =
			strata_catalog_trigger(to, xa->name, strata_renames_table(r, xa->table, nocase));
		tstate[i] = !xb ? DROP : !strata_trigger_equal(xa, xb, r, nocase) ? REPLACE : KEEP;
		if (tstate[i] == KEEP &&
		    (nameset_has(&changed, xa->table) || nameset_has(&vchanged, xa->table) ||
		     sql_reads_any(xa->sql, &changed) || sql_reads_any(xa->sql, &vchanged)))
			tstate[i] = WRAP;
	}

	/* Functions that are dropped and created anew (a new result or parameters). */
	for (size_t i = 0; i < from->objects.n; i++) {
		const strata_object *oa = from->objects.v[i];
		const strata_object *ob = strata_catalog_object(to, oa->kind, oa->name);
		if (oa->kind == STRATA_OBJ_FUNCTION && ob && oa->type && ob->type &&
		    strcmp(oa->type, ob->type) != 0)
			nameset_put(&replaced, oa->name);
	}
	/* Emit, in the order of diff.h. Index drops are already in `l`; triggers and views
	 * go before them. */
	strata_oplist head = { 0 };
	diff_objects(&head, from, to, STRATA_OBJ_COMMENT, STRATA_OBJ_COMMENT, 1, &g, NULL);
	diff_objects(&head, from, to, STRATA_OBJ_VIEW_INDEX, STRATA_OBJ_VIEW_INDEX, 1, &g, NULL);
	diff_objects(&head, from, to, STRATA_OBJ_POLICY, STRATA_OBJ_PRIVILEGE, 1, &g, NULL);
	for (size_t i = 0; i < from->triggers.n; i++) {
		if (tstate[i] == KEEP)
			continue;
		const strata_trigger *xa = from->triggers.v[i];
		strata_op *op = push(&head, STRATA_OP_DROP_TRIGGER,
				     tstate[i] == WRAP ? STRATA_OP_IMPLIED
				     : tstate[i] == REPLACE ? STRATA_OP_REPLACED : 0);
		op->old_obj = xa;
	}
	order_views(order, (strata_view *const *)from->views.v, from->views.n, nocase);
	for (size_t k = from->views.n; k-- > 0;) {
		size_t i = order[k];
		if (vstate[i] == KEEP)
			continue;
		strata_op *op = push(&head, STRATA_OP_DROP_VIEW,
				     vstate[i] == WRAP ? STRATA_OP_IMPLIED
				     : vstate[i] == REPLACE ? STRATA_OP_REPLACED : 0);
		op->old_obj = from->views.v[i];
	}
	for (size_t k = 0; k < index_drops; k++)
		*push(&head, l->v[k].kind, 0) = l->v[k];
	free(l->v);
	l->v = head.v;
	l->n = head.n;
	l->cap = head.cap;

	diff_objects(l, from, to, STRATA_OBJ_PARTITION, STRATA_OBJ_SEQUENCE_OWNER, 1, &g, NULL);
	order_by_fkeys(order, (strata_table *const *)dropped.v, dropped.n, nocase);
	for (size_t k = dropped.n; k-- > 0;) {
		const strata_table *a = dropped.v[order[k]];
		int again = nameset_has(&rebuilt, a->name);
		strata_op *op = push(l, STRATA_OP_DROP_TABLE, again ? STRATA_OP_REPLACED : 0);
		op->old_table = a;
		/* A rebuild: the table it becomes rides along for the dialect. */
		op->new_obj = again ? table_partner(a, to, r, nocase) : NULL;
	}
	/* Collations after the schemas and extensions, before the types that use them. */
	diff_objects(l, from, to, STRATA_OBJ_SCHEMA, STRATA_OBJ_EXTENSION, 0, &g, NULL);
	diff_objects(l, from, to, STRATA_OBJ_COLLATION, STRATA_OBJ_COLLATION, 0, &g, NULL);
	diff_objects(l, from, to, STRATA_OBJ_ENUM, STRATA_OBJ_DOMAIN_CHECK, 0, &g, NULL);
	for (size_t k = 0; k < pairs.n; k++) {
		const strata_op *first = &groups.v[(size_t)pairs.v[k] - 1];
		for (size_t i = (size_t)(first - groups.v); i < groups.n; i++) {
			if (groups.v[i].old_table != first->old_table)
				break;
			*push(l, groups.v[i].kind, 0) = groups.v[i];
		}
	}
	order_by_fkeys(order, (strata_table *const *)created.v, created.n, nocase);
	for (size_t k = 0; k < created.n; k++) {
		const strata_table *b = created.v[order[k]];
		const strata_table *a = NULL;
		for (size_t i = 0; i < na && !a; i++)
			if (nameset_has(&rebuilt, ((strata_table *)from->tables.v[i])->name) &&
			    table_partner(from->tables.v[i], to, r, nocase) == b)
				a = from->tables.v[i];
		strata_op *op = push(l, STRATA_OP_CREATE_TABLE, a ? STRATA_OP_REPLACED : 0);
		op->new_table = b;
		op->old_obj = a; /* a rebuild: the table it was */
	}
	diff_objects(l, from, to, STRATA_OBJ_PARTITION, STRATA_OBJ_SEQUENCE_OWNER, 0, &g, NULL);
	for (size_t j = 0; j < nb; j++) {
		const strata_table *b = to->tables.v[j];
		for (size_t k = 0; k < b->indexes.n; k++) {
			const strata_index *ib = b->indexes.v[k];
			const strata_table *origin = b_origin[j];
			const strata_index *ia = index_named(from, origin, ib->name, nocase);
			int again = ia && nameset_has(&rebuilt, b->name);
			if (ia && !again && index_same(ia, ib, r, nocase))
				continue;
			strata_op *op = push(l, STRATA_OP_CREATE_INDEX,
					     !ia ? 0 : again && index_same(ia, ib, r, nocase)
							   ? STRATA_OP_IMPLIED : STRATA_OP_REPLACED);
			op->old_table = origin;
			op->new_table = b;
			op->new_obj = ib;
		}
	}
	order_views(order, (strata_view *const *)to->views.v, to->views.n, nocase);
	for (size_t k = 0; k < to->views.n; k++) {
		const strata_view *vb = to->views.v[order[k]];
		const strata_view *va = strata_catalog_view(from, vb->name);
		int st = DROP;
		for (size_t i = 0; va && i < from->views.n; i++)
			if (from->views.v[i] == va)
				st = vstate[i];
		if (st == KEEP)
			continue;
		strata_op *op = push(l, STRATA_OP_CREATE_VIEW,
				     !va ? 0 : st == WRAP ? STRATA_OP_IMPLIED : STRATA_OP_REPLACED);
		op->new_obj = vb;
	}
	for (size_t k = 0; k < to->triggers.n; k++) {
		const strata_trigger *xb = to->triggers.v[k];
		const strata_trigger *xa =
			strata_catalog_trigger(from, xb->name, renamed_from(r, xb->table, nocase));
		int st = DROP;
		for (size_t i = 0; xa && i < from->triggers.n; i++)
			if (from->triggers.v[i] == xa)
				st = tstate[i];
		if (st == KEEP)
			continue;
		strata_op *op = push(l, STRATA_OP_CREATE_TRIGGER,
				     !xa ? 0 : st == WRAP ? STRATA_OP_IMPLIED : STRATA_OP_REPLACED);
		op->new_obj = xb;
	}
	diff_objects(l, from, to, STRATA_OBJ_ENUM, STRATA_OBJ_DOMAIN_CHECK, 1, &g, NULL);
	diff_objects(l, from, to, STRATA_OBJ_COLLATION, STRATA_OBJ_COLLATION, 1, &g, NULL);
	diff_objects(l, from, to, STRATA_OBJ_SCHEMA, STRATA_OBJ_EXTENSION, 1, &g, NULL);
	diff_objects(l, from, to, STRATA_OBJ_POLICY, STRATA_OBJ_PRIVILEGE, 0, &g, NULL);
	/* Last: view indexes, then comments, set again on what the list re-created. */
	retaken_keys(l, &retaken);
	diff_objects(l, from, to, STRATA_OBJ_VIEW_INDEX, STRATA_OBJ_VIEW_INDEX, 0, &g, &retaken);
	retaken_keys(l, &retaken);
	diff_objects(l, from, to, STRATA_OBJ_COMMENT, STRATA_OBJ_COMMENT, 0, &g, &retaken);
done:
	free(partner);
	free(b_paired);
	free(b_origin);
	free(order);
	free(vstate);
	free(tstate);
	free(groups.v);
	nameset_free(&changed);
	nameset_free(&vchanged);
	nameset_free(&retaken);
	nameset_free(&rebuilt);
	nameset_free(&replaced);
	vec_free(&dropped);
	vec_free(&created);
	vec_free(&pairs);
	if (rc) {
		strata_oplist_free(l);
		l = NULL;
	}
	*out = l;
	return rc;
}

/* --- inversion ----------------------------------------------------------------------------- */

static strata_op_kind inverse_kind(strata_op_kind k)
{
	switch (k) {
	case STRATA_OP_DROP_TRIGGER: return STRATA_OP_CREATE_TRIGGER;
	case STRATA_OP_CREATE_TRIGGER: return STRATA_OP_DROP_TRIGGER;
	case STRATA_OP_DROP_VIEW: return STRATA_OP_CREATE_VIEW;
	case STRATA_OP_CREATE_VIEW: return STRATA_OP_DROP_VIEW;
	case STRATA_OP_DROP_INDEX: return STRATA_OP_CREATE_INDEX;
	case STRATA_OP_CREATE_INDEX: return STRATA_OP_DROP_INDEX;
	case STRATA_OP_DROP_TABLE: return STRATA_OP_CREATE_TABLE;
	case STRATA_OP_CREATE_TABLE: return STRATA_OP_DROP_TABLE;
	case STRATA_OP_DROP_FKEY: return STRATA_OP_ADD_FKEY;
	case STRATA_OP_ADD_FKEY: return STRATA_OP_DROP_FKEY;
	case STRATA_OP_DROP_CHECK: return STRATA_OP_ADD_CHECK;
	case STRATA_OP_ADD_CHECK: return STRATA_OP_DROP_CHECK;
	case STRATA_OP_DROP_UNIQUE: return STRATA_OP_ADD_UNIQUE;
	case STRATA_OP_ADD_UNIQUE: return STRATA_OP_DROP_UNIQUE;
	case STRATA_OP_DROP_COLUMN: return STRATA_OP_ADD_COLUMN;
	case STRATA_OP_ADD_COLUMN: return STRATA_OP_DROP_COLUMN;
	case STRATA_OP_CREATE_OBJECT: return STRATA_OP_DROP_OBJECT;
	case STRATA_OP_DROP_OBJECT: return STRATA_OP_CREATE_OBJECT;
	default: return k;
	}
}

/* The undoing list: reversed, each op turned around, and each table's run put back in
 * run order (renames first) so the dialect meets it as it meets any run. */
strata_oplist *strata_oplist_invert(const strata_oplist *ops)
{
	strata_oplist *l = xcalloc(1, sizeof(*l));
	l->from = ops->to;
	l->to = ops->from;
	l->nocase = ops->nocase;
	l->type_narrows = ops->type_narrows;
	strata_renames_invert(&l->renames, &ops->renames, ops->nocase);
	for (size_t i = ops->n; i-- > 0;) {
		const strata_op *o = &ops->v[i];
		strata_op *op = push(l, inverse_kind(o->kind), o->flags);
		op->old_table = o->new_table;
		op->new_table = o->old_table;
		op->old_col = o->new_col;
		op->new_col = o->old_col;
		op->old_obj = o->new_obj;
		op->new_obj = o->old_obj;
	}
	for (size_t i = 0; i < l->n;) {
		size_t j = i + 1;
		if (strata_op_is_table_change(&l->v[i]))
			while (j < l->n && strata_op_is_table_change(&l->v[j]) &&
			       l->v[j].old_table == l->v[i].old_table)
				j++;
		for (size_t a = i + 1; a < j; a++)
			for (size_t b = a; b > i && l->v[b - 1].kind > l->v[b].kind; b--) {
				strata_op tmp = l->v[b];
				l->v[b] = l->v[b - 1];
				l->v[b - 1] = tmp;
			}
		i = j;
	}
	/* What is set last on what the upgrade re-created (comments, view indexes) is set
	 * last here too: the downgrade re-creates the same things, earlier in its list. */
	size_t k = 0;
	strata_op *late = xcalloc(l->n + 1, sizeof(*late));
	size_t nlate = 0;
	for (size_t i = 0; i < l->n; i++) {
		const strata_object *o = l->v[i].new_obj;
		if (l->v[i].kind == STRATA_OP_ALTER_OBJECT &&
		    (o->kind == STRATA_OBJ_COMMENT || o->kind == STRATA_OBJ_VIEW_INDEX))
			late[nlate++] = l->v[i];
		else
			l->v[k++] = l->v[i];
	}
	for (size_t i = nlate; i-- > 0;)
		l->v[k++] = late[i];
	free(late);
	return l;
}

/* --- describing ------------------------------------------------------------------------------ */

static void put_columns(buf *out, const strvec *cols)
{
	buf_putc(out, '(');
	for (size_t i = 0; i < cols->n; i++)
		buf_printf(out, "%s%s", i ? ", " : "", cols->v[i]);
	buf_putc(out, ')');
}

static void put_parts(buf *out, const strata_keypart *p, size_t n)
{
	buf_putc(out, '(');
	for (size_t i = 0; i < n; i++) {
		buf_printf(out, "%s%s", i ? ", " : "", p[i].name);
		if (p[i].collation)
			buf_printf(out, " COLLATE %s", p[i].collation);
		if (p[i].desc)
			buf_puts(out, " DESC");
	}
	buf_putc(out, ')');
}

/* " NULLS NOT DISTINCT", " DEFERRABLE [INITIALLY DEFERRED]", " MATCH FULL", " NO INHERIT":
 * what tells two versions of a key or constraint apart beyond its columns. */
static void put_flags(buf *out, int nulls_not_distinct, int deferrable, int deferred,
		      int match_full, int no_inherit)
{
	if (nulls_not_distinct)
		buf_puts(out, " NULLS NOT DISTINCT");
	if (match_full)
		buf_puts(out, " MATCH FULL");
	if (deferrable)
		buf_puts(out, deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE");
	if (no_inherit)
		buf_puts(out, " NO INHERIT");
}

static void put_options(buf *out, const strata_table *t)
{
	size_t start = out->len;
	if (t->without_rowid)
		buf_puts(out, "WITHOUT ROWID");
	if (t->strict)
		buf_puts(out, out->len > start ? ", STRICT" : "STRICT");
	if (t->unlogged)
		buf_puts(out, out->len > start ? ", UNLOGGED" : "UNLOGGED");
	for (size_t i = 0; i < t->inherits.n; i++)
		buf_printf(out, "%sINHERITS %s", out->len > start ? ", " : "", t->inherits.v[i]);
	if (out->len == start)
		buf_puts(out, "no options");
}

/* "~ table ev (partition key RANGE (at) -> LIST (kind): rebuilt)" for table `a` rebuilt
 * as `b`. */
static void rebuild_line(buf *out, const strata_table *a, const strata_table *b)
{
	buf_printf(out, "~ table %s (partition key %s -> %s: rebuilt)", b->name,
		   a && a->partition_by ? a->partition_by : "none",
		   b->partition_by ? b->partition_by : "none");
}

/* The table an op is about, as the reader of the upgrade knows it. */
static const char *op_table(const strata_op *op)
{
	return op->new_table ? op->new_table->name : op->old_table ? op->old_table->name : "";
}

/* One human line per op; see diff.h. */
int strata_op_describe(buf *out, const strata_op *op)
{
	if (op->flags & STRATA_OP_IMPLIED)
		return 0;
	const char *t = op_table(op);
	const strata_check *ck;
	const strata_fkey *fk;
	const strata_unique *uq;
	switch (op->kind) {
	case STRATA_OP_CREATE_TABLE:
		if (op->flags & STRATA_OP_REPLACED)
			rebuild_line(out, op->old_obj, op->new_table);
		else
			buf_printf(out, "+ table %s", t);
		break;
	case STRATA_OP_DROP_TABLE:
		if (op->flags & STRATA_OP_REPLACED)
			return 0;
		buf_printf(out, "- table %s", t);
		break;
	case STRATA_OP_RENAME_TABLE:
		buf_printf(out, "~ table %s -> %s (rename)", op->old_table->name, op->new_table->name);
		break;
	case STRATA_OP_RENAME_COLUMN:
		buf_printf(out, "~ column %s.%s -> %s (rename)", t, op->old_col->name,
			   op->new_col->name);
		break;
	case STRATA_OP_ADD_COLUMN: buf_printf(out, "+ column %s.%s", t, op->new_col->name); break;
	case STRATA_OP_DROP_COLUMN: buf_printf(out, "- column %s.%s", t, op->old_col->name); break;
	case STRATA_OP_ALTER_COLUMN:
		buf_printf(out, "~ column %s.%s (", t, op->new_col->name);
		strata_column_describe_change(out, op->old_col, op->new_col);
		buf_putc(out, ')');
		break;
	case STRATA_OP_ALTER_PKEY:
		buf_printf(out, "~ primary key %s ", t);
		put_columns(out, &op->old_table->pk.columns);
		if (op->old_table->pk.autoincrement)
			buf_puts(out, " AUTOINCREMENT");
		put_flags(out, 0, op->old_table->pk.deferrable, op->old_table->pk.initially_deferred,
			  0, 0);
		buf_puts(out, " -> ");
		put_columns(out, &op->new_table->pk.columns);
		if (op->new_table->pk.autoincrement)
			buf_puts(out, " AUTOINCREMENT");
		put_flags(out, 0, op->new_table->pk.deferrable, op->new_table->pk.initially_deferred,
			  0, 0);
		break;
	case STRATA_OP_ADD_UNIQUE:
	case STRATA_OP_DROP_UNIQUE:
		uq = op->kind == STRATA_OP_ADD_UNIQUE ? op->new_obj : op->old_obj;
		buf_printf(out, "%c unique %s ", op->kind == STRATA_OP_ADD_UNIQUE ? '+' : '-', t);
		put_parts(out, uq->parts, uq->nparts);
		put_flags(out, uq->nulls_not_distinct, uq->deferrable, uq->initially_deferred, 0, 0);
		break;
	case STRATA_OP_ADD_CHECK:
	case STRATA_OP_DROP_CHECK:
		ck = op->kind == STRATA_OP_ADD_CHECK ? op->new_obj : op->old_obj;
		if (ck->exclude)
			buf_printf(out, "%c exclusion constraint %s.%s (%s)",
				   op->kind == STRATA_OP_ADD_CHECK ? '+' : '-', t, ck->name, ck->expr);
		else
			buf_printf(out, "%c check %s%s%s (%s)",
				   op->kind == STRATA_OP_ADD_CHECK ? '+' : '-', t, ck->name ? "." : "",
				   ck->name ? ck->name : "", ck->expr);
		put_flags(out, 0, 0, 0, 0, ck->no_inherit);
		break;
	case STRATA_OP_ADD_FKEY:
	case STRATA_OP_DROP_FKEY:
		fk = op->kind == STRATA_OP_ADD_FKEY ? op->new_obj : op->old_obj;
		buf_printf(out, "%c foreign key %s ", op->kind == STRATA_OP_ADD_FKEY ? '+' : '-', t);
		put_columns(out, &fk->from);
		buf_printf(out, " -> %s ", fk->ref_table);
		put_columns(out, &fk->to);
		put_flags(out, 0, fk->deferrable, fk->initially_deferred, fk->match_full, 0);
		break;
	case STRATA_OP_ALTER_OPTIONS:
		buf_printf(out, "~ table %s (", t);
		put_options(out, op->old_table);
		buf_puts(out, " -> ");
		put_options(out, op->new_table);
		buf_putc(out, ')');
		break;
	case STRATA_OP_CREATE_INDEX:
	case STRATA_OP_CREATE_VIEW:
	case STRATA_OP_CREATE_TRIGGER: {
		const char *what = op->kind == STRATA_OP_CREATE_INDEX  ? "index"
				   : op->kind == STRATA_OP_CREATE_VIEW ? "view"
								       : "trigger";
		const char *name = op->kind == STRATA_OP_CREATE_INDEX
					   ? ((const strata_index *)op->new_obj)->name
				   : op->kind == STRATA_OP_CREATE_VIEW
					   ? ((const strata_view *)op->new_obj)->name
					   : ((const strata_trigger *)op->new_obj)->name;
		buf_printf(out, "%c %s %s", op->flags & STRATA_OP_REPLACED ? '~' : '+', what, name);
		if (op->kind == STRATA_OP_CREATE_INDEX)
			buf_printf(out, " on %s", t);
		else if (op->kind == STRATA_OP_CREATE_TRIGGER)
			buf_printf(out, " on %s", ((const strata_trigger *)op->new_obj)->table);
		break;
	}
	case STRATA_OP_CREATE_OBJECT:
	case STRATA_OP_ALTER_OBJECT:
	case STRATA_OP_DROP_OBJECT: {
		const strata_object *o = op->kind == STRATA_OP_DROP_OBJECT ? op->old_obj : op->new_obj;
		buf_printf(out, "%c %s %s",
			   op->kind == STRATA_OP_CREATE_OBJECT ? '+'
			   : op->kind == STRATA_OP_DROP_OBJECT ? '-' : '~',
			   strata_object_kind_name(o->kind), o->name);
		if (op->kind == STRATA_OP_ALTER_OBJECT && o->kind == STRATA_OBJ_ENUM) {
			const strata_object *a = op->old_obj;
			buf_puts(out, " (values");
			for (size_t i = 0; i < a->values.n; i++)
				buf_printf(out, "%s%s", i ? ", " : " ", a->values.v[i]);
			buf_puts(out, " ->");
			for (size_t i = 0; i < o->values.n; i++)
				buf_printf(out, "%s%s", i ? ", " : " ", o->values.v[i]);
			buf_putc(out, ')');
		}
		break;
	}
	case STRATA_OP_DROP_INDEX:
	case STRATA_OP_DROP_VIEW:
	case STRATA_OP_DROP_TRIGGER:
		if (op->flags & STRATA_OP_REPLACED)
			return 0;
		buf_printf(out, "- %s %s",
			   op->kind == STRATA_OP_DROP_INDEX  ? "index"
			   : op->kind == STRATA_OP_DROP_VIEW ? "view"
							     : "trigger",
			   op->kind == STRATA_OP_DROP_INDEX ? ((const strata_index *)op->old_obj)->name
			   : op->kind == STRATA_OP_DROP_VIEW
				   ? ((const strata_view *)op->old_obj)->name
				   : ((const strata_trigger *)op->old_obj)->name);
		if (op->kind == STRATA_OP_DROP_TRIGGER)
			buf_printf(out, " on %s", ((const strata_trigger *)op->old_obj)->table);
		break;
	}
	return 1;
}

/* Whether changing a column's type from `a` to `b` may change or reject stored values,
 * by the backend's rule `narrows` (NULL: any change of type does). */
static int type_narrows(int (*narrows)(const char *, const char *), const char *a, const char *b)
{
	return narrows ? narrows(a, b) : !strata_name_eq(a, b, 1);
}

/* Why an op is dangerous; see diff.h. */
int strata_op_danger(buf *out, const strata_op *op,
		     int (*narrows)(const char *from, const char *to))
{
	const char *t = op_table(op);
	switch (op->kind) {
	case STRATA_OP_DROP_TABLE:
		if (op->flags & STRATA_OP_REPLACED) {
			const strata_table *b = op->new_obj;
			buf_printf(out, "rebuilds table %s for partition key %s (was %s): its rows are "
					"copied to a temporary table and back, and the revision fails if "
					"one fits no partition", t, b->partition_by ? b->partition_by : "none",
				   op->old_table->partition_by ? op->old_table->partition_by : "none");
			return 1;
		}
		buf_printf(out, "drops table %s and every row in it", t);
		return 1;
	case STRATA_OP_DROP_COLUMN:
		buf_printf(out, "drops column %s.%s and the data in it", t, op->old_col->name);
		return 1;
	case STRATA_OP_ADD_COLUMN:
		if (!op->new_col->notnull || op->new_col->dflt || op->new_col->generated)
			return 0;
		buf_printf(out,
			   "adds NOT NULL column %s.%s without a default: existing rows must be "
			   "filled in the marked step", t, op->new_col->name);
		return 1;
	case STRATA_OP_ALTER_COLUMN: {
		if (op->new_col->generated && !op->old_col->generated) {
			buf_printf(out, "makes %s.%s a generated column: its stored values are "
					"replaced by computed ones", t, op->new_col->name);
			return 1;
		}
		int notnull = op->new_col->notnull && !op->old_col->notnull;
		int narrow = type_narrows(narrows, op->old_col->type, op->new_col->type);
		if (!notnull && !narrow)
			return 0;
		if (narrow)
			buf_printf(out, "changes the type of %s.%s from %s to %s: stored values may be "
					"converted or rejected", t, op->new_col->name,
				   op->old_col->type[0] ? op->old_col->type : "(none)",
				   op->new_col->type[0] ? op->new_col->type : "(none)");
		if (narrow && notnull)
			buf_puts(out, "; ");
		if (notnull)
			buf_printf(out, "makes %s.%s NOT NULL: fails if a row holds NULL there", t,
				   op->new_col->name);
		return 1;
	}
	case STRATA_OP_DROP_OBJECT: {
		const strata_object *o = op->old_obj;
		if (o->kind == STRATA_OBJ_PARTITION &&
		    !(op->flags & (STRATA_OP_IMPLIED | STRATA_OP_REPLACED))) {
			buf_printf(out, "drops partition %s and every row in it", o->name);
			return 1;
		}
		if (o->kind != STRATA_OBJ_SEQUENCE)
			return 0;
		buf_printf(out, "drops sequence %s and its current value", o->name);
		return 1;
	}
	case STRATA_OP_ALTER_OBJECT: {
		const strata_object *a = op->old_obj, *b = op->new_obj;
		if (a->kind == STRATA_OBJ_PARTITION) {
			buf_printf(out, "gives partition %s new bounds: fails if a row falls outside "
					"them", a->name);
			return 1;
		}

		if (a->kind != STRATA_OBJ_ENUM || !strata_enum_rebuilt(a, b))
			return 0;
		buf_printf(out, "rebuilds enum %s without value(s)", a->name);
		for (size_t i = 0, n = 0; i < a->values.n; i++) {
			int kept = 0;
			for (size_t j = 0; j < b->values.n && !kept; j++)
				kept = strcmp(a->values.v[i], b->values.v[j]) == 0;
			if (!kept)
				buf_printf(out, "%s'%s'", n++ ? ", " : " ", a->values.v[i]);
		}
		buf_puts(out, ": rows holding them fail the conversion");
		return 1;
	}
	default:
		return 0;
	}
}

/* See diff.h. */
int strata_op_same_run(const strata_oplist *ops, size_t k)
{
	return k > 0 && strata_op_is_table_change(&ops->v[k - 1]) &&
	       strata_op_is_table_change(&ops->v[k]) &&
	       ops->v[k - 1].old_table == ops->v[k].old_table;
}

/* See diff.h. */
int strata_op_drops_pkey_here(const strata_oplist *ops, size_t k)
{
	const strata_op *op = &ops->v[k];
	if (!strata_op_is_table_change(op) || op->kind <= STRATA_OP_RENAME_COLUMN ||
	    (strata_op_same_run(ops, k) && ops->v[k - 1].kind > STRATA_OP_RENAME_COLUMN))
		return 0;
	for (size_t j = k; j < ops->n && (j == k || strata_op_same_run(ops, j)); j++)
		if (ops->v[j].kind == STRATA_OP_ALTER_PKEY && op->old_table->pk.columns.n)
			return 1;
	return 0;
}

/* See diff.h. */
void strata_render_comment_text(buf *out, const char *name)
{
	for (const char *p = name; *p; p++)
		buf_putc(out, (*p == '\n' || *p == '\r') ? ' ' : *p);
}

/* See diff.h. */
void strata_render_warning(buf *out, const char *text)
{
	buf_puts(out, "-- WARNING: ");
	strata_render_comment_text(out, text);
	buf_putc(out, '\n');
}

/* See diff.h. */
void strata_render_fill_note(buf *out, const char *table, const char *col, const char *what)
{
	buf_puts(out, "-- strata:fill ");
	strata_render_comment_text(out, table);
	buf_putc(out, '.');
	strata_render_comment_text(out, col);
	buf_puts(out, ": write an UPDATE that fills this column for existing rows, for example\n"
		      "-- UPDATE ");
	strata_render_comment_text(out, table);
	buf_puts(out, " SET ");
	strata_render_comment_text(out, col);
	buf_puts(out, " = ... WHERE ");
	strata_render_comment_text(out, col);
	buf_printf(out, " IS NULL;\n-- %s below fails the revision while a row still holds NULL there.\n",
		   what);
}
