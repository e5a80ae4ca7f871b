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

#endif
