/*
 * test_oracle_pairs.h — what the server backends' random pairs (PostgreSQL, MariaDB)
 * share around the data oracle: the rename specs and type changes of the mutations,
 * the tables and columns both catalogs have (after renames), their rows read before a
 * migration and compared after it, and autogenerate with a backend's renderer.
 *
 * Each test supplies how it reads a table's rows as literals (orc_snapshot_fn) and how
 * the server converts a value to a new type (orc_convert_fn, with an orc_conv context).
 * Include after test_oracle.h and test_random.h.
 */
#ifndef TEST_ORACLE_PAIRS_H
#define TEST_ORACLE_PAIRS_H

#include "schema/autogen.h"
#include "schema/catalog.h"
#include "schema/diff.h"

/* Appends a name as a rename spec writes it: in double quotes, a quote doubled. */
static void orc_spec_name(buf *b, const char *name)
{
	buf_putc(b, '"');
	for (const char *p = name; *p; p++)
		buf_puts(b, *p == '"' ? "\"\"" : (char[2]){ *p, 0 });
	buf_putc(b, '"');
}

/* A type index from `to` (space-separated indexes; those after '|' reject some of the
 * rows' values and are picked one time in five), or `self` when it names none. */
static int orc_type_change(const char *to, int self)
{
	int cand[8], n = 0;
	const char *p = to, *bar = strchr(p, '|');
	if (bar && chance(20))
		p = bar + 1;
	while (*p && *p != '|' && n < 8) {
		cand[n++] = (int)strtol(p, (char **)&p, 10);
		while (*p == ' ')
			p++;
	}
	return n ? cand[rnd(n)] : self;
}

/* A table both catalogs have, with the columns both sides have (old and new names and
 * catalog columns, in the same order) and the rows read before the migration. */
typedef struct orc_tab {
	const strata_table *ta, *tb;
	strvec acols, bcols;
	vec acol, bcol;
	orc_snap before;
} orc_tab;

/* Reads the rows of `cols` of `table`, keyed by "id", as literals. */
typedef orc_snap (*orc_snapshot_fn)(const char *table, const strvec *cols);

/* The new name of table `name` (table NULL) or of column `name` of old table `table`. */
static const char *orc_renamed(const strata_renames *r, const char *table, const char *name)
{
	for (size_t i = 0; i < r->n; i++) {
		const strata_rename *x = &r->v[i];
		if (x->kind == STRATA_RENAME_TABLE && !table && strcmp(x->from, name) == 0)
			return x->to;
		if (x->kind == STRATA_RENAME_COLUMN && table && strcmp(x->table, table) == 0 &&
		    strcmp(x->from, name) == 0)
			return x->to;
	}
	return name;
}

/* The tables of `a` that `b` has too (after renames), *n of them; free with
 * orc_tabs_free. */
static orc_tab *orc_survivors(const strata_catalog *a, const strata_catalog *b,
			      const strata_renames *r, size_t *n)
{
	orc_tab *v = xcalloc(a->tables.n + 1, sizeof(*v));
	*n = 0;
	for (size_t i = 0; i < a->tables.n; i++) {
		const strata_table *ta = a->tables.v[i];
		const strata_table *tb = strata_catalog_table(b, orc_renamed(r, NULL, ta->name));
		if (!tb)
			continue;
		orc_tab *t = &v[(*n)++];
		t->ta = ta;
		t->tb = tb;
		for (size_t j = 0; j < ta->columns.n; j++) {
			const strata_column *ca = ta->columns.v[j];
			const strata_column *cb =
				strata_table_column(tb, orc_renamed(r, ta->name, ca->name), 0);
			if (!cb)
				continue;
			strvec_push(&t->acols, ca->name);
			strvec_push(&t->bcols, cb->name);
			vec_push(&t->acol, (void *)ca);
			vec_push(&t->bcol, (void *)cb);
		}
	}
	return v;
}

static void orc_tabs_free(orc_tab *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		strvec_free(&v[i].acols);
		strvec_free(&v[i].bcols);
		vec_free(&v[i].acol);
		vec_free(&v[i].bcol);
		orc_snap_free(&v[i].before);
	}
	free(v);
}

/* Reads every table's rows under its A names (use_b 0) or B names. */
static void orc_take(orc_tab *v, size_t n, int use_b, orc_snapshot_fn snap)
{
	for (size_t i = 0; i < n; i++) {
		orc_snap_free(&v[i].before);
		v[i].before = snap(use_b ? v[i].tb->name : v[i].ta->name,
				   use_b ? &v[i].bcols : &v[i].acols);
	}
}

/* The context of an orc_convert_fn: the compared columns before and after. */
typedef struct orc_conv {
	const vec *from, *to;
} orc_conv;

/* Whether every row read before still holds its values after the step from side
 * `from_b` to side `to_b` (0: A, 1: B), under the revision `sql` (see orc_compare). */
static int orc_rows_kept(orc_tab *v, size_t n, int from_b, int to_b, const char *sql, buf *why,
			 orc_snapshot_fn snap, orc_convert_fn convert)
{
	int ok = 1;
	for (size_t i = 0; i < n && ok; i++) {
		orc_tab *t = &v[i];
		orc_snap now = snap(to_b ? t->tb->name : t->ta->name, to_b ? &t->bcols : &t->acols);
		orc_conv x = { from_b ? &t->bcol : &t->acol, to_b ? &t->bcol : &t->acol };
		int *check = xcalloc(t->acol.n + 1, sizeof(*check));
		for (size_t j = 0; j < t->acol.n; j++)
			check[j] = !(((const strata_column *)x.from->v[j])->generated &&
				     ((const strata_column *)x.to->v[j])->generated);
		ok = orc_compare(&t->before, &now, check,
				 (const char *const *)(from_b ? t->bcols.v : t->acols.v),
				 (const char *const *)(to_b ? t->bcols.v : t->acols.v), 1, convert, &x,
				 sql, from_b ? t->tb->name : t->ta->name, to_b ? t->tb->name : t->ta->name,
				 why);
		free(check);
		orc_snap_free(&now);
	}
	return ok;
}

/* Autogenerate from `live` to `want` with the renderer of a backend; 0, or nonzero
 * with the error appended to `why`. */
static int orc_autogen(strata_render_fn render, const strata_catalog *live,
		       const strata_catalog *want, const char *const *ren, size_t nren,
		       strata_autogen_result *r, buf *why)
{
	strata_autogen_opts o = STRATA_AUTOGEN_OPTS_INIT;
	o.renames = ren;
	o.nrenames = nren;
	strata_err e = STRATA_ERR_INIT;
	int rc = strata_autogen_catalogs(render, live, want, &o, r, &e);
	if (rc)
		buf_printf(why, "autogenerate failed: %s\n", e.msg);
	err_clear(&e);
	return rc;
}

/* --- one pair --------------------------------------------------------------------------- */

/* What a pair holds while it runs: A and B as read from the server, the database after
 * a step (`now`), the revision and autogenerate after the upgrade, the renames, the
 * tables both sides have with their rows, and why the pair fails. */
typedef struct orc_pair {
	strata_catalog *ca, *cb, *now;
	strata_autogen_result r, again;
	strata_renames rn;
	orc_tab *tabs;
	size_t nt;
	buf why;
} orc_pair;

/* Autogenerates the revision from A to B (ca, cb read), then reads the rows of the
 * tables both sides have. 0, or 1 with the reason in p->why. */
static int orc_pair_plan(orc_pair *p, strata_render_fn render, const char *const *ren,
			 size_t nren, orc_snapshot_fn snap)
{
	strata_err e = STRATA_ERR_INIT;
	if (orc_autogen(render, p->ca, p->cb, ren, nren, &p->r, &p->why))
		return 1;
	if (strata_renames_parse(&p->rn, ren, nren, p->ca, p->cb, &e)) {
		buf_printf(&p->why, "renames: %s", e.msg);
		err_clear(&e);
		return 1;
	}
	p->tabs = orc_survivors(p->ca, p->cb, &p->rn, &p->nt);
	orc_take(p->tabs, p->nt, 0, snap);
	return 0;
}

/* After the upgrade ran (p->now read): the database must read as B, autogenerate must
 * find nothing more, every row must be kept; then the rows are read for the downgrade.
 * 1 when all holds, else 0 with the reason in p->why. */
static int orc_pair_upgraded(orc_pair *p, strata_render_fn render, orc_snapshot_fn snap,
			     orc_convert_fn convert)
{
	if (!strata_catalog_equal(p->now, p->cb, &p->why)) {
		buf_puts(&p->why, " (after upgrade, the database differs from B)\n");
		return 0;
	}
	if (orc_autogen(render, p->now, p->cb, NULL, 0, &p->again, &p->why))
		return 0;
	if (p->again.upgrade_sql[0]) {
		buf_printf(&p->why, "autogenerate after upgrade is not empty:\n%s\n", p->again.upgrade_sql);
		return 0;
	}
	if (!orc_rows_kept(p->tabs, p->nt, 0, 1, p->r.upgrade_sql, &p->why, snap, convert)) {
		buf_puts(&p->why, "(after upgrade)\n");
		return 0;
	}
	orc_take(p->tabs, p->nt, 1, snap);
	return 1;
}

/* After the downgrade ran (p->now read anew): the database must read as A and every row
 * must be kept. 1, or 0 with the reason in p->why. */
static int orc_pair_downgraded(orc_pair *p, orc_snapshot_fn snap, orc_convert_fn convert)
{
	if (!strata_catalog_equal(p->now, p->ca, &p->why)) {
		buf_puts(&p->why, " (after downgrade, the database differs from A)\n");
		return 0;
	}
	if (!orc_rows_kept(p->tabs, p->nt, 1, 0, p->r.downgrade_sql, &p->why, snap, convert)) {
		buf_puts(&p->why, "(after downgrade)\n");
		return 0;
	}
	return 1;
}

/* Prints a pair that did not hold as a reproduction (unless `quiet`), and frees it. */
static void orc_pair_end(orc_pair *p, int ok, int quiet, const char *a, const char *rows,
			 const char *b)
{
	if (!ok && !quiet)
		fprintf(stderr, "%s\n---- A:\n%s\n---- rows:\n%.3000s\n---- B:\n%s\n---- upgrade:\n%s\n"
			"---- downgrade:\n%s\n", p->why.ptr ? p->why.ptr : "", a, rows, b,
			p->r.upgrade_sql ? p->r.upgrade_sql : "",
			p->r.downgrade_sql ? p->r.downgrade_sql : "");
	buf_free(&p->why);
	orc_tabs_free(p->tabs, p->nt);
	strata_renames_free(&p->rn);
	strata_autogen_result_free(&p->r);
	strata_autogen_result_free(&p->again);
	strata_catalog_free(p->ca);
	strata_catalog_free(p->cb);
	strata_catalog_free(p->now);
	memset(p, 0, sizeof(*p));
}

/* --- the random model ------------------------------------------------------------------------ */

/* A column type of a backend's model, and the values its rows take. */
typedef struct orc_type {
	const char *name;    /* as written in A and B */
	const char *vals[4]; /* rows 1, 3, 4, 5 (row 2 is NULL where allowed); "LONG" and
			      * "LONGBYTES" stand for long text and bytes */
	const char *to;      /* types a change may turn it into (orc_type_change) */
	int indexable;       /* an index on it needs no prefix and takes every value */
	int genable;         /* may be computed as a generated column */
	int nodefault;       /* takes no literal DEFAULT (MariaDB's TEXT and BLOB) */
	int nocheck;         /* gets no CHECK */
} orc_type;

#define ORC_MAXC 8
#define ORC_MAXT 4

typedef struct orc_col {
	int alive;
	char name[48];
	int type;
	int notnull;
	int dflt;    /* a DEFAULT (the type's first value) */
	int check;   /* CHECK (c IS DISTINCT FROM <row 5 value>): row 5 holds row 1's value */
	int ref;     /* references the first table's id */
	int gen;     /* GENERATED ALWAYS AS (id * 2 or id * 3) STORED */
	int gexpr;
	int index;   /* a plain index on it */
	int renamed; /* renamed by a declared rename: it stays */
	int in_a;    /* A has it */
} orc_col;

typedef struct orc_table {
	int alive, in_a, view;
	char name[48];
	orc_col cols[ORC_MAXC]; /* cols[0] is id, the primary key */
	int ncols;
} orc_table;

typedef struct orc_schema {
	orc_table t[ORC_MAXT];
	int nt;
	char schema[16]; /* the schema every table of the pair lives in, or "" */
} orc_schema;

/* The renames B declares, as specs, and which tables they touch. */
typedef struct orc_renames {
	char spec[4][200];
	int n;
	int renamed[ORC_MAXT];
	int cols_renamed[ORC_MAXT];
} orc_renames;

/* What a mutation does (a model lists the ones it draws from). */
enum { ORC_ADD_TABLE, ORC_DROP_TABLE, ORC_ADD_COLUMN, ORC_DROP_COLUMN, ORC_RETYPE, ORC_NOTNULL,
       ORC_DEFAULT, ORC_PLAIN, ORC_GENERATED, ORC_EXPRESSION, ORC_RENAME_TABLE,
       ORC_RENAME_COLUMN };

/* A backend's model: its types, its limits, what it draws from, how it writes names. */
typedef struct orc_model {
	const orc_type *types;
	int ntypes;
	int int_type;           /* of id and of a foreign key column */
	int gen_types[4];       /* the types a generated column takes */
	int maxt, maxc;         /* tables, and columns of a table with id, at most */
	int more_cols;          /* a new table has 1 + rnd(more_cols) columns besides id */
	int checks, views;      /* whether columns get CHECKs and tables views */
	int strict_notnull;     /* NOT NULL stays on a column B adds without a default */
	const int *mutations;   /* what a mutation is, by rnd(nmutations) */
	int nmutations;
	void (*quote)(buf *b, const char *name);
	void (*qname)(buf *b, const char *name);   /* a table named "schema.table" or "table" */
	const char *bytes_open; /* how a long byte-string literal opens: "X'", "'\\x" */
	const char *(*fill_value)(const char *type); /* a value of a catalog type */
	const char *id_text;    /* the id column as text: "CAST(`id` AS CHAR)" */
	const char *literal_fn; /* the function that writes a value as a literal: "QUOTE" */
} orc_model;

/* The query that reads `cols` of `table` (named as in the catalog) as literals, keyed
 * by id, into q. */
static void orc_snapshot_sql(const orc_model *m, buf *q, const char *table, const strvec *cols)
{
	buf_printf(q, "SELECT %s", m->id_text);
	for (size_t i = 0; i < cols->n; i++) {
		buf_printf(q, ", %s(", m->literal_fn);
		m->quote(q, cols->v[i]);
		buf_putc(q, ')');
	}
	buf_puts(q, " FROM ");
	m->qname(q, table);
	buf_puts(q, " ORDER BY 1");
}

/* Seeds the numbers for pair i of a run with `seed`: a pair is reproduced alone. */
static void orc_seed_pair(uint64_t seed, int i)
{
	rng_state = seed * 0x9E3779B97F4A7C15ull + (uint64_t)i * 0xD1B54A32D192ED03ull + 7;
}

static void orc_random_column(const orc_model *m, orc_schema *s, int ti, orc_col *c, int in_a)
{
	memset(c, 0, sizeof(*c));
	c->alive = 1;
	c->in_a = in_a;
	new_name(c->name, sizeof(c->name), "c");
	int kind = rnd(10);
	if (kind == 0 && ti > 0 && s->t[0].alive && s->t[0].in_a) {
		c->type = m->int_type;
		c->ref = 1;
	} else if (kind == 1) {
		c->type = m->gen_types[rnd(4)];
		c->gen = 1;
		c->gexpr = rnd(2);
		return;
	} else {
		c->type = rnd(m->ntypes);
	}
	const orc_type *ty = &m->types[c->type];
	c->notnull = chance(25) && (in_a || !c->ref);
	c->dflt = !c->ref && !ty->nodefault && chance(30);
	if (!in_a && c->notnull && !ty->nodefault)
		c->dflt = 1;
	else if (!in_a && c->notnull)
		c->notnull = 0;
	c->check = m->checks && !c->ref && !ty->nocheck && chance(10);
	c->index = ty->indexable && chance(20);
}

static void orc_random_table(const orc_model *m, orc_schema *s, int in_a)
{
	if (s->nt >= m->maxt)
		return;
	int ti = s->nt++;
	orc_table *t = &s->t[ti];
	memset(t, 0, sizeof(*t));
	t->alive = 1;
	t->in_a = in_a;
	new_name(t->name, sizeof(t->name), "t");
	snprintf(t->cols[0].name, sizeof(t->cols[0].name), "id");
	t->cols[0].alive = 1;
	t->cols[0].type = m->int_type;
	t->ncols = 1;
	int n = 1 + rnd(m->more_cols);
	for (int i = 0; i < n; i++)
		orc_random_column(m, s, ti, &t->cols[t->ncols++], in_a);
	t->view = m->views && chance(20);
}

/* A: one or two tables. */
static void orc_random_schema(const orc_model *m, orc_schema *s)
{
	memset(s, 0, sizeof(*s));
	int n = 1 + rnd(2);
	for (int i = 0; i < n; i++)
		orc_random_table(m, s, 1);
}

/* Appends row r's value (1..5; 2 is NULL elsewhere) of a column of `type`, the k-th of
 * its table. */
static void orc_put_value(const orc_model *m, buf *b, int type, int r, int k)
{
	const char *v = m->types[type].vals[r == 1 ? 0 : r - 2];
	if (strcmp(v, "LONG") == 0) {
		buf_putc(b, '\'');
		for (int n = 0; n < 250; n++)
			buf_puts(b, "long text ");
		buf_printf(b, "%d'", k);
	} else if (strcmp(v, "LONGBYTES") == 0) {
		buf_puts(b, m->bytes_open);
		for (int n = 0; n < 500; n++)
			buf_puts(b, "00ff");
		buf_putc(b, '\'');
	} else {
		buf_puts(b, v);
	}
}

/* Appends table `name` of s, qualified by its schema when it has one. */
static void orc_put_table(const orc_model *m, buf *b, const orc_schema *s, const char *name)
{
	if (s->schema[0]) {
		m->quote(b, s->schema);
		buf_putc(b, '.');
	}
	m->quote(b, name);
}

/* Whether column k of table i may hold NULL in A and, where B keeps it, in B. */
static int orc_nullable(const orc_schema *a, const orc_schema *b, int i, int k)
{
	if (k == 0 || a->t[i].cols[k].notnull)
		return 0;
	const orc_table *tb = &b->t[i];
	return !tb->alive || k >= tb->ncols || !tb->cols[k].alive || !tb->cols[k].notnull;
}

/* Rows 1..5 in every table of A (B says which may hold NULL), one INSERT a table. */
static void orc_print_rows(const orc_model *m, buf *b, const orc_schema *a, const orc_schema *bs)
{
	for (int i = 0; i < a->nt; i++) {
		const orc_table *t = &a->t[i];
		buf_puts(b, "INSERT INTO ");
		orc_put_table(m, b, a, t->name);
		buf_puts(b, " (");
		m->quote(b, "id");
		for (int k = 1; k < t->ncols; k++)
			if (!t->cols[k].gen) {
				buf_puts(b, ", ");
				m->quote(b, t->cols[k].name);
			}
		buf_puts(b, ") VALUES");
		for (int r = 1; r <= 5; r++) {
			buf_printf(b, "%s\n  (%d", r > 1 ? "," : "", r);
			for (int k = 1; k < t->ncols; k++) {
				const orc_col *c = &t->cols[k];
				if (c->gen)
					continue;
				buf_puts(b, ", ");
				if (r == 2 && orc_nullable(a, bs, i, k))
					buf_puts(b, "NULL");
				else if (c->ref)
					buf_printf(b, "%d", r);
				else if (c->check && r == 5)
					orc_put_value(m, b, c->type, 1, k);
				else
					orc_put_value(m, b, c->type, r, k);
			}
			buf_putc(b, ')');
		}
		buf_puts(b, ";\n");
	}
}

/* Appends the rename spec of table or column `name` of s (schema-qualified when s has
 * one). */
static void orc_spec_table(buf *spec, const orc_schema *s, const char *name)
{
	if (s->schema[0]) {
		orc_spec_name(spec, s->schema);
		buf_putc(spec, '.');
	}
	orc_spec_name(spec, name);
}

/* One random mutation of B, logged. */
static void orc_mutate(const orc_model *m, orc_schema *b, orc_renames *rn, buf *log)
{
	int cand[ORC_MAXT], nt = 0;
	for (int i = 0; i < b->nt; i++)
		if (b->t[i].alive)
			cand[nt++] = i;
	int ti = nt ? cand[rnd(nt)] : -1;
	orc_table *t = ti >= 0 ? &b->t[ti] : NULL;
	int cc[ORC_MAXC], ncc = 0;
	for (int k = 1; t && k < t->ncols; k++)
		if (t->cols[k].alive)
			cc[ncc++] = k;
	int ci = ncc ? cc[rnd(ncc)] : -1;
	orc_col *c = ci > 0 ? &t->cols[ci] : NULL;
	const orc_type *ty = c ? &m->types[c->type] : NULL;
	switch (m->mutations[rnd(m->nmutations)]) {
	case ORC_ADD_TABLE:
		orc_random_table(m, b, 0);
		buf_puts(log, "add table; ");
		break;
	case ORC_DROP_TABLE:
		/* The parent of every reference stays. */
		if (t && ti > 0 && t->in_a && !rn->renamed[ti] && !rn->cols_renamed[ti]) {
			t->alive = 0;
			buf_printf(log, "drop table %s; ", t->name);
		}
		break;
	case ORC_ADD_COLUMN:
		if (t && t->ncols < m->maxc) {
			orc_random_column(m, b, ti, &t->cols[t->ncols], 0);
			buf_printf(log, "add column %s.%s; ", t->name, t->cols[t->ncols].name);
			t->ncols++;
		}
		break;
	case ORC_DROP_COLUMN:
		if (c && !c->renamed) {
			c->alive = 0;
			buf_printf(log, "drop column %s.%s; ", t->name, c->name);
		}
		break;
	case ORC_RETYPE:
		if (c && !c->gen && !c->ref) {
			int to = orc_type_change(ty->to, c->type);
			buf_printf(log, "type %s.%s %s -> %s; ", t->name, c->name, ty->name,
				   m->types[to].name);
			c->type = to;
			c->index = c->index && m->types[to].indexable;
			c->dflt = c->dflt && !m->types[to].nodefault;
			c->check = 0;
		}
		break;
	case ORC_NOTNULL:
		if (c && !c->gen && (!m->strict_notnull || c->dflt || !c->notnull || c->in_a)) {
			c->notnull = !c->notnull;
			buf_printf(log, "notnull %s.%s; ", t->name, c->name);
		}
		break;
	case ORC_DEFAULT:
		if (c && !c->gen && !c->ref && !ty->nodefault) {
			c->dflt = !c->dflt;
			buf_printf(log, "default %s.%s; ", t->name, c->name);
		}
		break;
	case ORC_PLAIN:
		/* A generated column made plain: it keeps its values. */
		if (c && c->gen) {
			c->gen = 0;
			buf_printf(log, "plain %s.%s; ", t->name, c->name);
		}
		break;
	case ORC_GENERATED:
		/* A plain column made generated: its values are replaced. */
		if (c && !c->gen && !c->ref && ty->genable) {
			c->gen = 1;
			c->gexpr = rnd(2);
			c->notnull = c->dflt = c->check = 0;
			buf_printf(log, "generated %s.%s; ", t->name, c->name);
		}
		break;
	case ORC_EXPRESSION:
		if (c && c->gen) {
			c->gexpr = !c->gexpr;
			buf_printf(log, "expression %s.%s; ", t->name, c->name);
		}
		break;
	case ORC_RENAME_TABLE:
		if (t && t->in_a && !rn->renamed[ti] && rn->n < 4) {
			char old[48];
			snprintf(old, sizeof(old), "%s", t->name);
			snprintf(t->name, sizeof(t->name), "renamed%u", ++name_seq);
			buf spec = BUF_INIT;
			orc_spec_table(&spec, b, old);
			buf_putc(&spec, ':');
			orc_spec_table(&spec, b, t->name);
			snprintf(rn->spec[rn->n++], sizeof(rn->spec[0]), "%s", spec.ptr);
			buf_free(&spec);
			rn->renamed[ti] = 1;
			buf_printf(log, "rename table %s; ", old);
		}
		break;
	case ORC_RENAME_COLUMN:
		if (c && c->in_a && !c->renamed && !rn->renamed[ti] && rn->n < 4 &&
		    !strchr(t->name, ':') && !strchr(c->name, ':')) {
			char old[48];
			snprintf(old, sizeof(old), "%s", c->name);
			snprintf(c->name, sizeof(c->name), "rc%u", ++name_seq);
			c->renamed = 1;
			rn->cols_renamed[ti] = 1;
			buf spec = BUF_INIT, qual = BUF_INIT;
			if (b->schema[0])
				buf_printf(&qual, "%s.", b->schema);
			buf_puts(&qual, t->name);
			orc_spec_name(&spec, qual.ptr);
			buf_free(&qual);
			buf_putc(&spec, '.');
			orc_spec_name(&spec, old);
			buf_printf(&spec, ":%s", c->name);
			snprintf(rn->spec[rn->n++], sizeof(rn->spec[0]), "%s", spec.ptr);
			buf_free(&spec);
			buf_printf(log, "rename column %s.%s; ", t->name, old);
		}
		break;
	}
	if (t && t->view && chance(10)) {
		t->view = 0;
		buf_puts(log, "drop view; ");
	}
}

/* `sql` with an UPDATE after each `-- strata:fill T.C:` line that fills C with a value of
 * its type in catalog `c` (a foreign key column takes 1, an id every parent has);
 * malloc'd. */
static char *orc_fill(const orc_model *m, const char *sql, const strata_catalog *c)
{
	buf b = BUF_INIT;
	for (const char *p = sql; *p;) {
		size_t n = strcspn(p, "\n");
		n += p[n] == '\n';
		buf_add(&b, p, n);
		char *table = NULL, *col = NULL;
		if (orc_fill_target(p, &table, &col)) {
			const strata_table *tt = strata_catalog_table(c, table);
			const strata_column *cc = tt ? strata_table_column(tt, col, 0) : NULL;
			if (cc) {
				buf_puts(&b, "UPDATE ");
				m->qname(&b, table);
				buf_puts(&b, " SET ");
				m->quote(&b, col);
				buf_printf(&b, " = %s WHERE ", strata_table_in_fkey(tt, col, 0) ? "1"
							       : m->fill_value(cc->type));
				m->quote(&b, col);
				buf_puts(&b, " IS NULL;\n");
			}
			free(table);
			free(col);
		}
		p += n;
	}
	return buf_detach(&b);
}

#endif
