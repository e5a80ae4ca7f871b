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

static char rt_dir[256];
static unsigned rt_seq;

/* A temporary directory for the run's database files, removed at exit. */
static void rt_cleanup(void)
{
	char cmd[300];
	if (rt_dir[0] && strncmp(rt_dir, "/tmp/", 5) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", rt_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", rt_dir);
	}
}

static const char *rt_tmpdir(void)
{
	if (!rt_dir[0]) {
		snprintf(rt_dir, sizeof(rt_dir), "/tmp/strata-schema-XXXXXX");
		if (!mkdtemp(rt_dir))
			fail_msg("mkdtemp failed");
		atexit(rt_cleanup);
	}
	return rt_dir;
}

/* Opens a fresh database file with foreign keys enforced, as applications run. */
static sqlite3 *rt_open(void)
{
	char path[320];
	snprintf(path, sizeof(path), "%s/db%u.sqlite", rt_tmpdir(), rt_seq++);
	unlink(path);
	sqlite3 *db = NULL;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		fail_msg("cannot open %s", path);
	sqlite3_exec(db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = OFF", NULL, NULL, NULL);
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
		if (value && strncmp(p, "-- strata:fill ", 15) == 0) {
			const char *t = p + 15, *dot = strchr(t, '.'), *colon = dot ? strchr(dot, ':') : NULL;
			if (dot && colon) {
				char *table = xstrndup(t, (size_t)(dot - t));
				char *col = xstrndup(dot + 1, (size_t)(colon - dot - 1));
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

/* One table's surviving columns: their names in A and in B; with the rowid when a
 * side has no INTEGER PRIMARY KEY to carry it, as rows must keep their rowid then. */
typedef struct rt_table {
	char *a, *b;
	strvec acols, bcols;
	int rowid_a, rowid_b;
	char *before_a, *before_b;
} rt_table;

/* The rows of `cols` of `table` (and the rowid) as one string, in a stable order. */
static char *rt_rows(sqlite3 *db, const char *table, const strvec *cols, int rowid)
{
	buf q = BUF_INIT;
	buf_puts(&q, "SELECT group_concat(r, char(10)) FROM (SELECT ");
	buf_puts(&q, rowid ? "_rowid_ || '|' || " : "");
	if (!cols->n)
		buf_puts(&q, "'row'");
	for (size_t i = 0; i < cols->n; i++) {
		buf_puts(&q, i ? " || '|' || quote(" : "quote(");
		sqlite_quote(&q, cols->v[i]);
		buf_putc(&q, ')');
	}
	buf_puts(&q, " AS r FROM ");
	sqlite_quote(&q, table);
	buf_puts(&q, " ORDER BY 1)");
	char *s = rt_query1(db, q.ptr);
	buf_free(&q);
	return s;
}

/* The tables of A that B keeps, with the columns whose values must survive: those
 * B keeps with the same type and that neither side computes. */
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
		int rowids = !ta->without_rowid && !tb->without_rowid &&
			     !strata_table_column(ta, "_rowid_", 1) && !strata_table_column(tb, "_rowid_", 1);
		t->rowid_a = rowids && !strata_table_has_rowid_alias(ta);
		t->rowid_b = rowids && !strata_table_has_rowid_alias(tb);
		for (size_t j = 0; j < ta->columns.n; j++) {
			const strata_column *ca = ta->columns.v[j];
			const strata_column *cb = strata_table_column(
				tb, rt_renamed(renames, ta->name, ca->name, ctmp, sizeof(ctmp)), 1);
			if (!cb || ca->generated || cb->generated || strcasecmp(ca->type, cb->type) != 0)
				continue;
			strvec_push(&t->acols, ca->name);
			strvec_push(&t->bcols, cb->name);
		}
	}
	return v;
}

static void rt_tables_free(rt_table *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].a);
		free(v[i].b);
		free(v[i].before_a);
		free(v[i].before_b);
		strvec_free(&v[i].acols);
		strvec_free(&v[i].bcols);
	}
	free(v);
}

/* Compares the rows now with those before; `use_b` reads B's names. */
static int rt_rows_kept(sqlite3 *db, rt_table *v, size_t n, int use_b, const char *when)
{
	for (size_t i = 0; i < n; i++) {
		const char *before = use_b ? v[i].before_b : v[i].before_a;
		char *now = rt_rows(db, use_b ? v[i].b : v[i].a, use_b ? &v[i].bcols : &v[i].acols,
				    use_b ? v[i].rowid_b : v[i].rowid_a);
		int same = strcmp(now, before) == 0;
		if (!same)
			print_error("%s: rows of %s changed:\nbefore:\n%s\nafter:\n%s\n", when, v[i].a,
				    before, now);
		free(now);
		if (!same)
			return 0;
	}
	return 1;
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
	for (size_t i = 0; i < nt; i++) {
		tables[i].before_a = rt_rows(db, tables[i].a, &tables[i].acols, tables[i].rowid_a);
		tables[i].before_b = rt_rows(db, tables[i].a, &tables[i].acols, tables[i].rowid_b);
	}

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
			ok = ok && rt_rows_kept(db, tables, nt, 0, "after the failed upgrade");
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
	if (!rt_rows_kept(db, tables, nt, 1, "after upgrade"))
		goto done;
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
	ok = rt_rows_kept(db, tables, nt, 0, "after downgrade");
done:
	if (!ok)
		print_error("---- %s\n---- A:\n%s\n---- B:\n%s\n---- upgrade:\n%s\n---- downgrade:\n%s\n",
			    c->name, c->a, c->b, r.upgrade_sql ? r.upgrade_sql : "",
			    r.downgrade_sql ? r.downgrade_sql : "");
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
