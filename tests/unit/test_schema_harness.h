/*
 * test_schema_harness.h — the autogenerate round trip, shared by the schema tests.
 *
 * One round trip on a real SQLite file: build schema A, insert rows, autogenerate
 * against schema B, run the upgrade the way the runner does (foreign keys off around the
 * transaction only when the SQL holds `-- strata:rebuild`, and on otherwise, so a
 * missing marker shows up as cascaded deletes), compare the database with a fresh one
 * built from B (catalogs, never text), check that rows in surviving columns survived in
 * every table, autogenerate again (nothing), run the downgrade, compare with A, and
 * check foreign keys and integrity after each step.
 */
#ifndef TEST_SCHEMA_HARNESS_H
#define TEST_SCHEMA_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backends/sqlite/sqlite_internal.h"
#include "schema/autogen.h"
#include "test_oracle.h"

typedef struct rt_case {
	const char *name;
	const char *a;           /* schema A */
	const char *rows;        /* run on A before the upgrade */
	const char *b;           /* schema B */
	const char *renames[4];  /* declared renames, NULL-terminated */
	const char *fill;        /* value the fill steps write, or NULL to leave them empty */
	const char *expect;      /* a text the upgrade SQL must hold, or NULL */
	const char *expect_not;  /* a text it must not hold, or NULL */
	const char *fails_with;  /* the upgrade must fail with this message, or NULL */
	int same;                /* 1: A and B differ in spelling only; 0: they differ; -1: either */
} rt_case;

/* What the round trips exercised, for the summary line. */
static struct {
	unsigned runs, empty, rebuilds, fills, renames, native, failed_as_expected;
} rt_stats;

/* Opens a fresh in-memory database with foreign keys enforced, as applications run
 * (a transaction, the rebuild's rename and the foreign-key pragmas behave as in a file). */
static sqlite3 *rt_open(void)
{
	sqlite3 *db = NULL;
	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		fail_msg("cannot open an in-memory database");
	sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	return db;
}

/* Runs SQL that must succeed. */
static void rt_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		print_error("SQL failed: %s\n%s\n", msg, sql);
		sqlite3_free(msg);
		fail();
	}
}

/* The first column of the first row of a query, malloc'd ("" when none). */
static char *rt_query1(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	char *out = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("prepare failed: %s: %s", sqlite3_errmsg(db), sql);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		out = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out ? out : xstrdup("");
}

/* Puts an UPDATE after each `-- strata:fill T.C:` line, as the author would write it. */
static char *rt_fill(const char *sql, const char *value)
{
	buf b = BUF_INIT;
	const char *p = sql;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p + 1) : strlen(p);
		buf_add(&b, p, n);
		char *table = NULL, *col = NULL;
		if (value && orc_fill_target(p, &table, &col)) {
			buf_puts(&b, "UPDATE ");
			sqlite_quote(&b, table);
			buf_puts(&b, " SET ");
			sqlite_quote(&b, col);
			buf_printf(&b, " = %s WHERE ", value);
			sqlite_quote(&b, col);
			buf_puts(&b, " IS NULL;\n");
			free(table);
			free(col);
		}
		p += n;
	}
	return buf_detach(&b);
}

/* Runs a migration section the way the runner does; returns 0, or 1 with the message
 * in *msg (malloc'd). */
static int rt_run(sqlite3 *db, const char *section, const char *fill, char **msg)
{
	char *sql = rt_fill(section, fill);
	int rebuild = strstr(sql, "-- strata:rebuild") != NULL;
	char *fk = rt_query1(db, "PRAGMA foreign_keys");
	int was_on = strcmp(fk, "1") == 0, rc = 0;
	free(fk);
	*msg = NULL;
	if (rebuild && was_on)
		rt_exec(db, "PRAGMA foreign_keys = OFF");
	rt_exec(db, "BEGIN");
	const char *p = sql;
	while (*p && !rc) {
		sqlite3_stmt *st = NULL;
		const char *tail = NULL;
		if (sqlite3_prepare_v2(db, p, -1, &st, &tail) != SQLITE_OK) {
			*msg = xasprintf("%s", sqlite3_errmsg(db));
			rc = 1;
			break;
		}
		if (!st)
			break;
		strata_token first;
		strata_sql_next(sqlite3_sql(st), &first);
		const char *text = first.p;
		int fk_check = strncasecmp(text, "PRAGMA", 6) == 0 && strstr(text, "foreign_key_check");
		int step;
		while ((step = sqlite3_step(st)) == SQLITE_ROW)
			if (fk_check && !rc) {
				*msg = xasprintf("foreign key violation in %s", sqlite3_column_text(st, 0));
				rc = 1;
			}
		if (step != SQLITE_DONE && !rc) {
			*msg = xasprintf("%s", sqlite3_errmsg(db));
			rc = 1;
		}
		sqlite3_finalize(st);
		p = tail;
	}
	rt_exec(db, rc ? "ROLLBACK" : "COMMIT");
	if (rebuild && was_on)
		rt_exec(db, "PRAGMA foreign_keys = ON");
	free(sql);
	return rc;
}

static strata_catalog *rt_catalog(sqlite3 *db)
{
	strata_catalog *c = NULL;
	strata_err e = STRATA_ERR_INIT;
	if (sqlite_introspect_db(db, NULL, &c, &e))
		fail_msg("introspect: %s", e.msg);
	return c;
}

static strata_catalog *rt_shadow(const char *sql)
{
	strata_catalog *c = NULL;
	strata_err e = STRATA_ERR_INIT;
	if (sqlite_shadow_load(sql, NULL, &c, &e))
		fail_msg("shadow: %s", e.msg);
	return c;
}

/* PRAGMA foreign_key_check finds nothing and integrity_check says ok. */
static void rt_healthy(sqlite3 *db, const char *when)
{
	char *fk = rt_query1(db, "PRAGMA foreign_key_check");
	char *ok = rt_query1(db, "PRAGMA integrity_check");
	if (fk[0] || strcmp(ok, "ok") != 0)
		fail_msg("%s: foreign_key_check '%s', integrity_check '%s'", when, fk, ok);
	free(fk);
	free(ok);
}

/* The renamed name of `name` under "old:new" (tables) or "table.old:new" (columns of
 * `table`) specs, or `name` itself. */
static const char *rt_renamed(const char *const *renames, const char *table, const char *name,
			      char *out, size_t outsz)
{
	for (size_t i = 0; renames && renames[i]; i++) {
		const char *r = renames[i], *colon = strchr(r, ':'), *dot = strchr(r, '.');
		if (!colon)
			continue;
		if (!table && (!dot || dot > colon) && strlen(name) == (size_t)(colon - r) &&
		    strncasecmp(r, name, (size_t)(colon - r)) == 0) {
			snprintf(out, outsz, "%s", colon + 1);
			return out;
		}
		if (table && dot && dot < colon && strlen(table) == (size_t)(dot - r) &&
		    strncasecmp(r, table, (size_t)(dot - r)) == 0 &&
		    strlen(name) == (size_t)(colon - dot - 1) &&
		    strncasecmp(dot + 1, name, (size_t)(colon - dot - 1)) == 0) {
			snprintf(out, outsz, "%s", colon + 1);
			return out;
		}
	}
	return name;
}

/* One table that both A and B have, with the columns both have (after renames): their
 * names and versions on each side, and the row key each side reads: the rowid when
 * neither side is WITHOUT ROWID (rebuilds keep it), else A's primary key when B keeps
 * its columns under the same types, else none (columns compare as sorted lists). */
typedef struct rt_table {
	char *a, *b;
	const strata_table *ta, *tb;
	strvec acols, bcols;
	vec acol, bcol;    /* strata_column *, parallel to acols/bcols */
	char *key_a, *key_b;
	orc_snap before;   /* the rows before the step under way */
} rt_table;

/* The key of a table as a SQL expression over `cols` (quoted names), or NULL. */
static char *rt_key(const strvec *cols)
{
	if (!cols->n)
		return NULL;
	buf b = BUF_INIT;
	for (size_t i = 0; i < cols->n; i++) {
		buf_puts(&b, i ? " || '|' || quote(" : "quote(");
		sqlite_quote(&b, cols->v[i]);
		buf_putc(&b, ')');
	}
	return buf_detach(&b);
}

/* The tables of A that B keeps, with the columns both have. */
static rt_table *rt_survivors(const strata_catalog *a, const strata_catalog *b,
			      const char *const *renames, size_t *n)
{
	rt_table *v = xcalloc(a->tables.n + 1, sizeof(*v));
	*n = 0;
	for (size_t i = 0; i < a->tables.n; i++) {
		const strata_table *ta = a->tables.v[i];
		char tmp[256], ctmp[256];
		const strata_table *tb = strata_catalog_table(b, rt_renamed(renames, NULL, ta->name, tmp, sizeof(tmp)));
		if (!tb)
			continue;
		rt_table *t = &v[(*n)++];
		t->a = xstrdup(ta->name);
		t->b = xstrdup(tb->name);
		t->ta = ta;
		t->tb = tb;
		for (size_t j = 0; j < ta->columns.n; j++) {
			const strata_column *ca = ta->columns.v[j];
			const strata_column *cb = strata_table_column(
				tb, rt_renamed(renames, ta->name, ca->name, ctmp, sizeof(ctmp)), 1);
			if (!cb)
				continue;
			strvec_push(&t->acols, ca->name);
			strvec_push(&t->bcols, cb->name);
			vec_push(&t->acol, (void *)ca);
			vec_push(&t->bcol, (void *)cb);
		}
		int rowids = !ta->without_rowid && !tb->without_rowid &&
			     !strata_table_column(ta, "_rowid_", 1) && !strata_table_column(tb, "_rowid_", 1);
		if (rowids) {
			t->key_a = xstrdup("_rowid_");
			t->key_b = xstrdup("_rowid_");
			continue;
		}
		strvec ka = { 0 }, kb = { 0 };
		for (size_t k = 0; k < ta->pk.columns.n; k++) {
			const strata_column *ca = strata_table_column(ta, ta->pk.columns.v[k], 1);
			const strata_column *cb = strata_table_column(
				tb, rt_renamed(renames, ta->name, ta->pk.columns.v[k], ctmp, sizeof(ctmp)), 1);
			if (!ca || !cb || strcasecmp(ca->type, cb->type) != 0)
				break;
			strvec_push(&ka, ca->name);
			strvec_push(&kb, cb->name);
		}
		if (ka.n && ka.n == ta->pk.columns.n) {
			t->key_a = rt_key(&ka);
			t->key_b = rt_key(&kb);
		}
		strvec_free(&ka);
		strvec_free(&kb);
	}
	return v;
}

static void rt_tables_free(rt_table *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].a);
		free(v[i].b);
		free(v[i].key_a);
		free(v[i].key_b);
		strvec_free(&v[i].acols);
		strvec_free(&v[i].bcols);
		vec_free(&v[i].acol);
		vec_free(&v[i].bcol);
		orc_snap_free(&v[i].before);
	}
	free(v);
}

/* The rows of `cols` of `table`, keyed by `key` (an expression, or NULL), as literals. */
static orc_snap rt_snapshot(sqlite3 *db, const char *table, const char *key, const strvec *cols)
{
	orc_snap s = { 0, cols->n, NULL };
	buf q = BUF_INIT;
	buf_printf(&q, "SELECT %s", key ? key : "''");
	for (size_t i = 0; i < cols->n; i++) {
		buf_puts(&q, ", quote(");
		sqlite_quote(&q, cols->v[i]);
		buf_putc(&q, ')');
	}
	buf_puts(&q, " FROM ");
	sqlite_quote(&q, table);
	buf_puts(&q, " ORDER BY 1");
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, q.ptr, -1, &st, NULL) != SQLITE_OK)
		fail_msg("prepare failed: %s: %s", sqlite3_errmsg(db), q.ptr);
	char **cells = xcalloc(cols->n + 1, sizeof(*cells));
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (size_t i = 0; i <= cols->n; i++)
			cells[i] = (char *)sqlite3_column_text(st, (int)i);
		orc_snap_add(&s, cells);
	}
	free(cells);
	sqlite3_finalize(st);
	buf_free(&q);
	return s;
}

/* Reads every table's rows on the side `use_b` names, as the "before" of a step. */
static void rt_take(sqlite3 *db, rt_table *v, size_t n, int use_b)
{
	for (size_t i = 0; i < n; i++) {
		orc_snap_free(&v[i].before);
		v[i].before = rt_snapshot(db, use_b ? v[i].b : v[i].a, use_b ? v[i].key_b : v[i].key_a,
					  use_b ? &v[i].bcols : &v[i].acols);
	}
}

/* The conversion context: a scratch database, and the column versions of the step. */
typedef struct rt_conv {
	sqlite3 *scratch;
	const vec *from, *to;
	int from_strict, to_strict;
} rt_conv;

/* What storing `value` in the new column does to it, asked of SQLite: the value put
 * into a scratch table with the new column's declared type (and STRICT). */
static char *rt_convert(void *ctx, size_t col, const char *value)
{
	rt_conv *x = ctx;
	const strata_column *a = x->from->v[col], *b = x->to->v[col];
	if (strcasecmp(a->type, b->type) == 0 && x->from_strict == x->to_strict)
		return NULL;
	if (b->generated)
		return NULL;
	if (!x->scratch && sqlite3_open(":memory:", &x->scratch) != SQLITE_OK)
		fail_msg("cannot open a scratch database");
	buf q = BUF_INIT;
	buf_puts(&q, "DROP TABLE IF EXISTS conv; CREATE TABLE conv (v");
	if (b->type[0])
		buf_printf(&q, " %s", b->type);
	buf_printf(&q, ")%s; INSERT INTO conv VALUES (%s)", x->to_strict ? " STRICT" : "", value);
	char *out = NULL;
	if (sqlite3_exec(x->scratch, q.ptr, NULL, NULL, NULL) == SQLITE_OK)
		out = rt_query1(x->scratch, "SELECT quote(v) FROM conv");
	else
		out = xasprintf("(rejected by %s)", b->type);
	buf_free(&q);
	return out;
}

/* Compares the rows now with the "before" of every table: after a step from the side
 * `from_b` names to the side `to_b` names, by the oracle (test_oracle.h) with `sql`'s warnings. */
static int rt_rows_kept(sqlite3 *db, rt_table *v, size_t n, int from_b, int to_b,
			const char *sql, const char *when, buf *why)
{
	int ok = 1;
	rt_conv x = { 0 };
	for (size_t i = 0; i < n && ok; i++) {
		rt_table *t = &v[i];
		orc_snap now = rt_snapshot(db, to_b ? t->b : t->a, to_b ? t->key_b : t->key_a,
					   to_b ? &t->bcols : &t->acols);
		x.from = from_b ? &t->bcol : &t->acol;
		x.to = to_b ? &t->bcol : &t->acol;
		x.from_strict = (from_b ? t->tb : t->ta)->strict;
		x.to_strict = (to_b ? t->tb : t->ta)->strict;
		int *check = xcalloc(t->acol.n + 1, sizeof(*check));
		for (size_t j = 0; j < t->acol.n; j++) {
			const strata_column *cf = x.from->v[j], *ct = x.to->v[j];
			check[j] = !(cf->generated && ct->generated);
		}
		ok = orc_compare(&t->before, &now, check,
				 (const char *const *)(from_b ? t->bcols.v : t->acols.v),
				 (const char *const *)(to_b ? t->bcols.v : t->acols.v),
				 (from_b ? t->key_b : t->key_a) != NULL, rt_convert, &x, sql,
				 from_b ? t->b : t->a, to_b ? t->b : t->a, why);
		if (!ok)
			buf_printf(why, "(%s)\n", when);
		free(check);
		orc_snap_free(&now);
	}
	if (x.scratch)
		sqlite3_close(x.scratch);
	return ok;
}

static int rt_autogen(sqlite3 *db, const strata_catalog *want, const char *const *renames,
		      strata_autogen_result *r)
{
	size_t nr = 0;
	while (renames && renames[nr])
		nr++;
	strata_autogen_opts o = STRATA_AUTOGEN_OPTS_INIT;
	o.renames = renames;
	o.nrenames = nr;
	strata_err e = STRATA_ERR_INIT;
	strata_catalog *live = rt_catalog(db);
	int rc = strata_autogen_catalogs(sqlite_render, live, want, &o, r, &e);
	strata_catalog_free(live);
	if (rc)
		print_error("autogen failed: %s\n", e.msg);
	err_clear(&e);
	return rc;
}

/* The whole round trip for one case; returns 1 when it holds. On failure it prints
 * what differs and the SQL. */
static int rt_round_trip(const rt_case *c)
{
	sqlite3 *db = rt_open();
	strata_catalog *ca = rt_shadow(c->a), *cb = rt_shadow(c->b);
	strata_autogen_result r = { 0 }, again = { 0 };
	buf why = BUF_INIT;
	char *msg = NULL;
	int ok = 0;
	size_t nt = 0;
	rt_table *tables = NULL;
	const char *const *ren = c->renames[0] ? c->renames : NULL;

	rt_exec(db, c->a);
	if (c->rows)
		rt_exec(db, c->rows);
	strata_catalog *live = rt_catalog(db);
	if (!strata_catalog_equal(live, ca, &why)) {
		print_error("%s: A read live and from text differ: %s", c->name, why.ptr);
		strata_catalog_free(live);
		goto done;
	}
	strata_catalog_free(live);
	tables = rt_survivors(ca, cb, ren, &nt);
	rt_take(db, tables, nt, 0);

	if (rt_autogen(db, cb, ren, &r))
		goto done;
	rt_stats.runs++;
	rt_stats.empty += r.upgrade_sql[0] == 0;
	rt_stats.rebuilds += strstr(r.upgrade_sql, "-- strata:rebuild") != NULL;
	rt_stats.fills += strstr(r.upgrade_sql, "-- strata:fill") || strstr(r.downgrade_sql, "-- strata:fill");
	rt_stats.renames += strstr(r.upgrade_sql, " RENAME TO \"") && !strstr(r.upgrade_sql, "_strata_new_");
	rt_stats.renames += strstr(r.upgrade_sql, " RENAME COLUMN ") != NULL;
	rt_stats.native += strstr(r.upgrade_sql, " ADD COLUMN ") || strstr(r.upgrade_sql, " DROP COLUMN ");
	if (c->same >= 0 && c->same != (r.upgrade_sql[0] == 0)) {
		print_error("%s: expected %s\n", c->name, c->same ? "no changes" : "changes");
		goto done;
	}
	if (c->expect && !strstr(r.upgrade_sql, c->expect)) {
		print_error("%s: upgrade lacks '%s'\n", c->name, c->expect);
		goto done;
	}
	if (c->expect_not && strstr(r.upgrade_sql, c->expect_not)) {
		print_error("%s: upgrade holds '%s'\n", c->name, c->expect_not);
		goto done;
	}
	if (rt_run(db, r.upgrade_sql, c->fill, &msg)) {
		if (c->fails_with && strstr(msg, c->fails_with)) {
			/* The failed revision must have changed nothing. */
			strata_catalog *now = rt_catalog(db);
			ok = strata_catalog_equal(now, ca, &why);
			strata_catalog_free(now);
			if (!ok)
				print_error("%s: a failed upgrade changed the schema: %s", c->name, why.ptr);
			buf_reset(&why);
			ok = ok && rt_rows_kept(db, tables, nt, 0, 0, "", "after the failed upgrade", &why);
			if (!ok)
				print_error("%s: %s", c->name, why.ptr);
			rt_stats.failed_as_expected += ok;
			goto done;
		}
		print_error("%s: upgrade failed: %s\n", c->name, msg);
		goto done;
	}
	if (c->fails_with) {
		print_error("%s: upgrade should have failed with '%s'\n", c->name, c->fails_with);
		goto done;
	}
	rt_healthy(db, "after upgrade");
	live = rt_catalog(db);
	int equal = strata_catalog_equal(live, cb, &why);
	strata_catalog_free(live);
	if (!equal) {
		print_error("%s: after upgrade, database and B differ: %s", c->name, why.ptr);
		goto done;
	}
	buf_reset(&why);
	if (!rt_rows_kept(db, tables, nt, 0, 1, r.upgrade_sql, "after upgrade", &why)) {
		print_error("%s: %s", c->name, why.ptr);
		goto done;
	}
	rt_take(db, tables, nt, 1);
	if (rt_autogen(db, cb, NULL, &again))
		goto done;
	if (again.upgrade_sql[0] || again.nops) {
		print_error("%s: autogenerate after upgrade is not empty:\n%s\n", c->name,
			    again.upgrade_sql);
		goto done;
	}
	if (rt_run(db, r.downgrade_sql, c->fill, &msg)) {
		print_error("%s: downgrade failed: %s\n", c->name, msg);
		goto done;
	}
	rt_healthy(db, "after downgrade");
	live = rt_catalog(db);
	equal = strata_catalog_equal(live, ca, &why);
	strata_catalog_free(live);
	if (!equal) {
		print_error("%s: after downgrade, database and A differ: %s", c->name, why.ptr);
		goto done;
	}
	buf_reset(&why);
	ok = rt_rows_kept(db, tables, nt, 1, 0, r.downgrade_sql, "after downgrade", &why);
	if (!ok)
		print_error("%s: %s", c->name, why.ptr);
done:
	if (!ok) /* the whole pair, to reproduce it (print_error cuts long text) */
		fprintf(stderr, "---- %s\n---- A:\n%s\n---- rows:\n%s\n---- B:\n%s\n---- upgrade:\n%s\n"
			"---- downgrade:\n%s\n", c->name, c->a, c->rows ? c->rows : "", c->b,
			r.upgrade_sql ? r.upgrade_sql : "", r.downgrade_sql ? r.downgrade_sql : "");
	free(msg);
	buf_free(&why);
	rt_tables_free(tables, nt);
	strata_autogen_result_free(&r);
	strata_autogen_result_free(&again);
	strata_catalog_free(ca);
	strata_catalog_free(cb);
	sqlite3_close(db);
	return ok;
}

/* Prints what the round trips covered. */
static void rt_summary(const char *what)
{
	printf("%s: %u round trips: %u with a table rebuild, %u with native ADD/DROP COLUMN, "
	       "%u with a rename, %u with a fill step, %u failing cleanly as expected, "
	       "%u without changes\n",
	       what, rt_stats.runs, rt_stats.rebuilds, rt_stats.native, rt_stats.renames,
	       rt_stats.fills, rt_stats.failed_as_expected, rt_stats.empty);
}

#endif
