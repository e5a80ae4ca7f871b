/*
 * Golden SQL from the SQLite dialect: catalogs built in memory, diffed and rendered,
 * compared with the exact text. No database is opened.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "backends/sqlite/sqlite_internal.h"

/* Asserts equal strings, printing both in full when they differ. */
static void expect_text(const char *got, const char *want)
{
	if (strcmp(got, want) != 0) {
		print_error("---- got:\n%s\n---- want:\n%s\n----\n", got, want);
		fail();
	}
}

/* users(id INTEGER PRIMARY KEY, name TEXT) with an index on name. */
static strata_table *users(strata_catalog *c)
{
	strata_table *t = strata_catalog_add_table(c, "users");
	strata_table_add_column(t, "id", "INTEGER");
	strata_table_add_column(t, "name", "TEXT");
	strvec_push(&t->pk.columns, "id");
	strata_index_add_part(strata_table_add_index(t, "ix_name", 0), "name", 0, NULL, 0);
	return t;
}

/* Diffs and renders both directions. */
static void render(const strata_catalog *a, const strata_catalog *b, const strata_renames *r,
		   buf *up, buf *down)
{
	strata_oplist *ops = NULL;
	strata_err e = STRATA_ERR_INIT;
	assert_int_equal(strata_diff_catalogs(&ops, a, b, r, &e), 0);
	strata_oplist *inv = strata_oplist_invert(ops);
	assert_int_equal(sqlite_render(ops, up, &e), 0);
	assert_int_equal(sqlite_render(inv, down, &e), 0);
	strata_oplist_free(ops);
	strata_oplist_free(inv);
}

static void test_create_table_everything(void **state)
{
	(void)state;
	strata_catalog *c = strata_catalog_new(1);
	strata_table *t = strata_catalog_add_table(c, "odd \"name\"");
	strata_column *id = strata_table_add_column(t, "id", "INTEGER");
	strata_column *n = strata_table_add_column(t, "name", "VARCHAR(80)");
	n->notnull = 1;
	n->dflt = xstrdup("'it''s'");
	n->collation = xstrdup("NOCASE");
	strata_column *at = strata_table_add_column(t, "at", "TEXT");
	at->dflt = xstrdup("CURRENT_TIMESTAMP");
	strata_column *g = strata_table_add_column(t, "g", "INTEGER");
	g->generated = STRATA_GEN_STORED;
	g->gen_expr = xstrdup("id * 2");
	strata_column *p = strata_table_add_column(t, "parent", "");
	(void)id;
	(void)p;
	strvec_push(&t->pk.columns, "id");
	t->pk.autoincrement = 1;
	strata_unique *u = strata_table_add_unique(t);
	strata_unique_add_part(u, "name", NULL, 0);
	strata_unique_add_part(u, "at", "RTRIM", 1);
	strata_table_add_check(t, "named", "length(name) > 0");
	strata_table_add_check(t, NULL, "id > 0");
	strata_fkey *fk = strata_table_add_fkey(t, "odd \"name\"");
	strvec_push(&fk->from, "parent");
	strvec_push(&fk->to, "id");
	fk->on_delete = xstrdup("CASCADE");
	fk->on_update = xstrdup("SET NULL");
	fk->deferrable = fk->initially_deferred = 1;
	t->strict = 1;

	buf out = BUF_INIT;
	sqlite_render_create_table(&out, t, t->name);
	expect_text(out.ptr,
		    "CREATE TABLE \"odd \"\"name\"\"\" (\n"
		    "    \"id\" INTEGER PRIMARY KEY AUTOINCREMENT,\n"
		    "    \"name\" VARCHAR(80) NOT NULL DEFAULT 'it''s' COLLATE \"NOCASE\",\n"
		    "    \"at\" TEXT DEFAULT (CURRENT_TIMESTAMP),\n"
		    "    \"g\" INTEGER GENERATED ALWAYS AS (id * 2) STORED,\n"
		    "    \"parent\",\n"
		    "    UNIQUE (\"name\", \"at\" COLLATE \"RTRIM\" DESC),\n"
		    "    CONSTRAINT \"named\" CHECK (length(name) > 0),\n"
		    "    CHECK (id > 0),\n"
		    "    FOREIGN KEY (\"parent\") REFERENCES \"odd \"\"name\"\"\" (\"id\") ON DELETE CASCADE "
		    "ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED\n"
		    ") STRICT;\n");

	buf_reset(&out);
	t->without_rowid = 1;
	t->pk.autoincrement = 0;
	strvec_push(&t->pk.columns, "name");
	sqlite_render_create_table(&out, t, "x");
	assert_non_null(strstr(out.ptr, "    \"id\" INTEGER,\n"));
	assert_non_null(strstr(out.ptr, "    PRIMARY KEY (\"id\", \"name\"),\n"));
	assert_non_null(strstr(out.ptr, "\n) WITHOUT ROWID, STRICT;\n"));
	buf_free(&out);
	strata_catalog_free(c);
}

static void test_create_index(void **state)
{
	(void)state;
	strata_catalog *c = strata_catalog_new(1);
	strata_table *t = users(c);
	strata_index *ix = strata_table_add_index(t, "ix \"x\"", 1);
	strata_index_add_part(ix, "lower(name)", 1, NULL, 0);
	strata_index_add_part(ix, "id", 0, "NOCASE", 1);
	ix->where = xstrdup("name IS NOT NULL");
	buf out = BUF_INIT;
	sqlite_render_create_index(&out, ix);
	expect_text(out.ptr, "CREATE UNIQUE INDEX \"ix \"\"x\"\"\" ON \"users\" (lower(name), \"id\" "
			     "COLLATE \"NOCASE\" DESC) WHERE name IS NOT NULL;\n");
	buf_free(&out);
	strata_catalog_free(c);
}

static void test_add_nullable_column_is_native(void **state)
{
	(void)state;
	strata_catalog *a = strata_catalog_new(1), *b = strata_catalog_new(1);
	users(a);
	strata_table *t = users(b);
	strata_column *e = strata_table_add_column(t, "email", "TEXT");
	e->dflt = xstrdup("'none'");
	buf up = BUF_INIT, down = BUF_INIT;
	render(a, b, NULL, &up, &down);
	expect_text(up.ptr, "ALTER TABLE \"users\" ADD COLUMN \"email\" TEXT DEFAULT 'none';\n");
	expect_text(down.ptr, "-- WARNING: drops column users.email and the data in it\n"
			      "ALTER TABLE \"users\" DROP COLUMN \"email\";\n");
	buf_free(&up);
	buf_free(&down);
	strata_catalog_free(a);
	strata_catalog_free(b);
}

static void test_add_not_null_column_fill(void **state)
{
	(void)state;
	strata_catalog *a = strata_catalog_new(1), *b = strata_catalog_new(1);
	users(a);
	strata_table *t = users(b);
	strata_table_add_column(t, "email", "TEXT")->notnull = 1;
	buf up = BUF_INIT, down = BUF_INIT;
	render(a, b, NULL, &up, &down);
	expect_text(up.ptr,
		    "-- WARNING: adds NOT NULL column users.email without a default: existing rows "
		    "must be filled in the marked step\n"
		    "ALTER TABLE \"users\" ADD COLUMN \"email\" TEXT;\n"
		    "-- strata:fill users.email: write an UPDATE that fills this column for existing "
		    "rows, for example\n"
		    "-- UPDATE users SET email = ... WHERE email IS NULL;\n"
		    "-- The guard below fails the revision while a row still holds NULL there.\n"
		    "CREATE TEMP TABLE \"strata_guard\" (\"ok\" INTEGER CONSTRAINT \"users.email must be "
		    "filled: some rows still hold NULL\" CHECK (\"ok\" = 0));\n"
		    "INSERT INTO temp.\"strata_guard\" SELECT count(*) FROM \"users\" WHERE \"email\" IS "
		    "NULL;\n"
		    "DROP TABLE temp.\"strata_guard\";\n"
		    "-- strata:rebuild users\n"
		    "PRAGMA defer_foreign_keys = ON;\n"
		    "CREATE TABLE \"_strata_new_users\" (\n"
		    "    \"id\" INTEGER PRIMARY KEY,\n"
		    "    \"name\" TEXT,\n"
		    "    \"email\" TEXT NOT NULL\n"
		    ");\n"
		    "INSERT INTO \"_strata_new_users\" (\"id\", \"name\", \"email\") SELECT \"id\", "
		    "\"name\", \"email\" FROM \"users\";\n"
		    "DROP TABLE \"users\";\n"
		    "ALTER TABLE \"_strata_new_users\" RENAME TO \"users\";\n"
		    "CREATE INDEX \"ix_name\" ON \"users\" (\"name\");\n"
		    "\n"
		    "-- strata:fk-check\n"
		    "PRAGMA foreign_key_check;\n");
	expect_text(down.ptr, "-- WARNING: drops column users.email and the data in it\n"
			      "ALTER TABLE \"users\" DROP COLUMN \"email\";\n");
	buf_free(&up);
	buf_free(&down);
	strata_catalog_free(a);
	strata_catalog_free(b);
}

static void test_type_change_rebuilds(void **state)
{
	(void)state;
	strata_catalog *a = strata_catalog_new(1), *b = strata_catalog_new(1);
	strata_table *ta = strata_catalog_add_table(a, "log");
	strata_table_add_column(ta, "msg", "TEXT");
	strata_table_add_column(ta, "n", "INTEGER");
	strata_table *tb = strata_catalog_add_table(b, "log");
	strata_table_add_column(tb, "msg", "VARCHAR(20)");
	strata_table_add_column(tb, "n", "INTEGER");
	buf up = BUF_INIT, down = BUF_INIT;
	render(a, b, NULL, &up, &down);
	expect_text(up.ptr,
		    "-- WARNING: changes the type of log.msg from TEXT to VARCHAR(20): stored values "
		    "may be converted or rejected\n"
		    "-- strata:rebuild log\n"
		    "PRAGMA defer_foreign_keys = ON;\n"
		    "CREATE TABLE \"_strata_new_log\" (\n"
		    "    \"msg\" VARCHAR(20),\n"
		    "    \"n\" INTEGER\n"
		    ");\n"
		    "INSERT INTO \"_strata_new_log\" (rowid, \"msg\", \"n\") SELECT rowid, \"msg\", \"n\" "
		    "FROM \"log\";\n"
		    "DROP TABLE \"log\";\n"
		    "ALTER TABLE \"_strata_new_log\" RENAME TO \"log\";\n"
		    "\n"
		    "-- strata:fk-check\n"
		    "PRAGMA foreign_key_check;\n");
	assert_non_null(strstr(down.ptr, "    \"msg\" TEXT,\n"));
	assert_null(strstr(down.ptr, "WARNING")); /* TEXT is not narrower than VARCHAR(20) */
	buf_free(&up);
	buf_free(&down);
	strata_catalog_free(a);
	strata_catalog_free(b);
}

static void test_autoincrement_counter_kept(void **state)
{
	(void)state;
	strata_catalog *a = strata_catalog_new(1), *b = strata_catalog_new(1);
	strata_table *ta = strata_catalog_add_table(a, "o'k");
	strata_table_add_column(ta, "id", "INTEGER");
	strvec_push(&ta->pk.columns, "id");
	ta->pk.autoincrement = 1;
	strata_table *tb = strata_catalog_add_table(b, "o'k");
	strata_table_add_column(tb, "id", "INTEGER");
	strata_table_add_column(tb, "v", "TEXT")->dflt = xstrdup("lower('X')");
	strvec_push(&tb->pk.columns, "id");
	tb->pk.autoincrement = 1;
	buf up = BUF_INIT, down = BUF_INIT;
	render(a, b, NULL, &up, &down);
	assert_non_null(strstr(up.ptr, "\"v\" TEXT DEFAULT (lower('X'))"));
	assert_non_null(strstr(up.ptr, "DELETE FROM sqlite_sequence WHERE name = '_strata_new_o''k';\n"
					"INSERT INTO sqlite_sequence (name, seq) SELECT "
					"'_strata_new_o''k', seq FROM sqlite_sequence WHERE name = "
					"'o''k' COLLATE NOCASE;\n"
					"DROP TABLE \"o'k\";\n"));
	buf_free(&up);
	buf_free(&down);
	strata_catalog_free(a);
	strata_catalog_free(b);
}

static void test_renames_are_native(void **state)
{
	(void)state;
	strata_catalog *a = strata_catalog_new(1), *b = strata_catalog_new(1);
	users(a);
	strata_table *t = strata_catalog_add_table(b, "people");
	strata_table_add_column(t, "id", "INTEGER");
	strata_table_add_column(t, "full name", "TEXT");
	strvec_push(&t->pk.columns, "id");
	strata_index *ix = strata_table_add_index(t, "ix_name", 0);
	strata_index_add_part(ix, "full name", 0, NULL, 0);
	strata_renames r = { 0 };
	strata_renames_add(&r, STRATA_RENAME_TABLE, NULL, "users", "people");
	strata_renames_add(&r, STRATA_RENAME_COLUMN, "users", "name", "full name");
	buf up = BUF_INIT, down = BUF_INIT;
	render(a, b, &r, &up, &down);
	expect_text(up.ptr, "ALTER TABLE \"users\" RENAME TO \"people\";\n"
			    "ALTER TABLE \"people\" RENAME COLUMN \"name\" TO \"full name\";\n");
	expect_text(down.ptr, "ALTER TABLE \"people\" RENAME TO \"users\";\n"
			      "ALTER TABLE \"users\" RENAME COLUMN \"full name\" TO \"name\";\n");
	strata_renames_free(&r);
	buf_free(&up);
	buf_free(&down);
	strata_catalog_free(a);
	strata_catalog_free(b);
}

static void test_views_and_triggers_wrap_the_change(void **state)
{
	(void)state;
	strata_catalog *a = strata_catalog_new(1), *b = strata_catalog_new(1);
	users(a);
	strata_table *t = users(b);
	((strata_column *)t->columns.v[1])->notnull = 1;
	for (int side = 0; side < 2; side++) {
		strata_catalog *c = side ? b : a;
		strata_catalog_add_view(c, "v1", "CREATE VIEW v1 AS SELECT name FROM users");
		strata_catalog_add_view(c, "v2", "CREATE VIEW v2 AS SELECT * FROM v1 -- all");
		strata_catalog_add_trigger(c, "tr", "users",
					   "CREATE TRIGGER tr AFTER INSERT ON users BEGIN SELECT 1; END");
	}
	buf up = BUF_INIT, down = BUF_INIT;
	render(a, b, NULL, &up, &down);
	const char *order[] = { "DROP TRIGGER \"tr\";", "DROP VIEW \"v2\";", "DROP VIEW \"v1\";",
				"-- strata:rebuild users", "CREATE VIEW v1 AS SELECT name FROM users;",
				"CREATE VIEW v2 AS SELECT * FROM v1 -- all\n;",
				"CREATE TRIGGER tr AFTER INSERT ON users BEGIN SELECT 1; END;",
				"-- strata:fk-check" };
	const char *at = up.ptr;
	for (size_t i = 0; i < sizeof(order) / sizeof(*order); i++) {
		const char *p = strstr(at, order[i]);
		if (!p) {
			print_error("missing or out of order: %s\n%s\n", order[i], up.ptr);
			fail();
		}
		at = p;
	}
	buf_free(&up);
	buf_free(&down);
	strata_catalog_free(a);
	strata_catalog_free(b);
}

static void test_drop_table_order_and_warning(void **state)
{
	(void)state;
	strata_catalog *a = strata_catalog_new(1), *b = strata_catalog_new(1);
	strata_table *kid = strata_catalog_add_table(a, "kid");
	strata_table_add_column(kid, "mom_id", "INTEGER");
	strvec_push(&strata_table_add_fkey(kid, "mom")->from, "mom_id");
	strata_table *mom = strata_catalog_add_table(a, "mom");
	strata_table_add_column(mom, "id", "INTEGER");
	strata_catalog_sort(a);
	buf up = BUF_INIT, down = BUF_INIT;
	render(a, b, NULL, &up, &down);
	expect_text(up.ptr, "-- WARNING: drops table kid and every row in it\n"
			    "DROP TABLE \"kid\";\n"
			    "\n"
			    "-- WARNING: drops table mom and every row in it\n"
			    "DROP TABLE \"mom\";\n");
	assert_true(strstr(down.ptr, "CREATE TABLE \"mom\"") < strstr(down.ptr, "CREATE TABLE \"kid\""));
	buf_free(&up);
	buf_free(&down);
	strata_catalog_free(a);
	strata_catalog_free(b);
}

/* SQLite's type rule is its affinities: integer widths do not narrow there, a change
 * of affinity or a shorter declared size does. */
static void test_type_narrows_by_affinity(void **state)
{
	(void)state;
	assert_int_equal(sq_type_narrows("bigint", "integer"), 0);
	assert_int_equal(sq_type_narrows("INTEGER", "BIGINT"), 0);
	assert_int_equal(sq_type_narrows("TEXT", "INTEGER"), 1);
	assert_int_equal(sq_type_narrows("VARCHAR(80)", "VARCHAR(20)"), 1);
	assert_int_equal(sq_type_narrows("VARCHAR(20)", "TEXT"), 0);
}

static void test_nothing_renders_nothing(void **state)
{
	(void)state;
	strata_catalog *a = strata_catalog_new(1), *b = strata_catalog_new(1);
	users(a);
	users(b);
	buf up = BUF_INIT, down = BUF_INIT;
	render(a, b, NULL, &up, &down);
	expect_text(up.ptr, "");
	expect_text(down.ptr, "");
	buf_free(&up);
	buf_free(&down);
	strata_catalog_free(a);
	strata_catalog_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_table_everything),
		cmocka_unit_test(test_create_index),
		cmocka_unit_test(test_add_nullable_column_is_native),
		cmocka_unit_test(test_add_not_null_column_fill),
		cmocka_unit_test(test_type_change_rebuilds),
		cmocka_unit_test(test_autoincrement_counter_kept),
		cmocka_unit_test(test_renames_are_native),
		cmocka_unit_test(test_views_and_triggers_wrap_the_change),
		cmocka_unit_test(test_drop_table_order_and_warning),
		cmocka_unit_test(test_type_narrows_by_affinity),
		cmocka_unit_test(test_nothing_renders_nothing),
	};
	return cmocka_run_group_tests_name("sqlite dialect", tests, NULL, NULL);
}
