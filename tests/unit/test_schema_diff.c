/*
 * The catalog and the diff: normalised SQL text, renames, rename candidates, what the
 * operations say (ops lines, warnings, `check` differences), their order, and what
 * introspection leaves out. Schemas are loaded into in-memory SQLite databases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "backends/sqlite/sqlite_internal.h"
#include "schema/autogen.h"

static strata_catalog *load(const char *sql)
{
	strata_catalog *c = NULL;
	strata_err e = STRATA_ERR_INIT;
	if (sqlite_shadow_load(sql, NULL, &c, &e))
		fail_msg("load: %s", e.msg);
	return c;
}

/* Autogenerates from schema `a` to schema `b` with optional rename specs. */
static int autogen(const char *a, const char *b, const char *const *renames, size_t n,
		   strata_autogen_result *r, strata_err *e)
{
	strata_catalog *ca = load(a), *cb = load(b);
	strata_autogen_opts o = STRATA_AUTOGEN_OPTS_INIT;
	o.renames = renames;
	o.nrenames = n;
	int rc = strata_autogen_catalogs(sqlite_render, ca, cb, &o, r, e);
	strata_catalog_free(ca);
	strata_catalog_free(cb);
	return rc;
}

static int has_line(char **v, size_t n, const char *line)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], line) == 0)
			return 1;
	for (size_t i = 0; i < n; i++)
		print_error("  have: %s\n", v[i]);
	print_error("  want: %s\n", line);
	return 0;
}

static void test_sql_text(void **state)
{
	(void)state;
	buf b = BUF_INIT;
	strata_sql_normalize(&b, "((  a+ b ) * \"c\" -- x\n /* y */ ,lower( d ) )", 1);
	assert_string_equal(b.ptr, "(a + b) * \"c\", lower(d)");
	buf_reset(&b);
	strata_sql_normalize(&b, "(1) + (2)", 1);
	assert_string_equal(b.ptr, "(1) + (2)");
	buf_reset(&b);
	strata_sql_normalize(&b, "t . x IN ( 1 , - - 2 )", 0);
	assert_string_equal(b.ptr, "t.x IN(1, - - 2)");
	buf_free(&b);

	assert_true(strata_sql_equal("a  >  0 -- c", "\"A\">0", NULL, NULL, 1));
	assert_true(strata_sql_equal("[my col] = 'x'", "`MY COL`='x'", NULL, NULL, 1));
	assert_false(strata_sql_equal("a = 'x'", "a = 'X'", NULL, NULL, 1));
	assert_false(strata_sql_equal("\"A\" = 1", "a = 1", NULL, NULL, 0));
	assert_true(strata_sql_equal("A = 1", "a = 1", NULL, NULL, 0));
	strata_renames r = { 0 };
	strata_renames_add(&r, STRATA_RENAME_COLUMN, "t", "old", "new");
	assert_true(strata_sql_equal("old > 0", "\"new\" > 0", &r, "t", 1));
	assert_false(strata_sql_equal("old > 0", "\"new\" > 0", &r, "other", 1));
	strata_renames_free(&r);

	assert_true(strata_sql_is_literal("-1"));
	assert_true(strata_sql_is_literal("'a''b'"));
	assert_true(strata_sql_is_literal("x'00'"));
	assert_true(strata_sql_is_literal("NULL"));
	assert_false(strata_sql_is_literal("CURRENT_TIMESTAMP"));
	assert_false(strata_sql_is_literal("1 + 1"));
	assert_true(strata_sql_mentions("lower(\"E\"\"x\")", "e\"X", 1));
	assert_false(strata_sql_mentions("'email'", "email", 1));
}

static void test_normalised_introspection(void **state)
{
	(void)state;
	strata_catalog *c = load("create table T (ID integer primary key autoincrement,"
				 " n varchar ( 10 , 2 ) default (-1) collate nocase check ((n > 0)),"
				 " p references t, g as (ID*2) stored, unique (n collate rtrim desc));"
				 "create index ix on t ((n || 'x') collate binary desc, p) where (p > 0);");
	strata_table *t = strata_catalog_table(c, "t");
	assert_non_null(t);
	strata_column *n = strata_table_column(t, "N", 1);
	assert_string_equal(n->type, "VARCHAR(10,2)");
	assert_string_equal(n->dflt, "- 1");
	assert_string_equal(n->collation, "NOCASE");
	assert_int_equal(t->pk.autoincrement, 1);
	assert_string_equal(((strata_check *)t->checks.v[0])->expr, "n > 0");
	strata_fkey *fk = t->fkeys.v[0];
	assert_string_equal(fk->to.v[0], "ID");
	strata_column *g = strata_table_column(t, "g", 1);
	assert_int_equal(g->generated, STRATA_GEN_STORED);
	assert_string_equal(g->gen_expr, "ID * 2");
	strata_unique *u = t->uniques.v[0];
	assert_string_equal(u->parts[0].collation, "RTRIM");
	assert_int_equal(u->parts[0].desc, 1);
	strata_index *ix = t->indexes.v[0];
	assert_int_equal(ix->parts[0].is_expr, 1);
	assert_string_equal(ix->parts[0].name, "n || 'x'");
	assert_string_equal(ix->parts[0].collation, "BINARY");
	assert_int_equal(ix->parts[0].desc, 1);
	assert_string_equal(ix->where, "p > 0");
	strata_catalog_free(c);
}

static void test_left_out(void **state)
{
	(void)state;
	const char *fts = sqlite3_compileoption_used("ENABLE_FTS5")
				  ? "CREATE VIRTUAL TABLE docs USING fts5(body);"
				  : "";
	buf sql = BUF_INIT;
	buf_printf(&sql, "CREATE TABLE strata_version (version_num VARCHAR(255) PRIMARY KEY);"
			 "CREATE TABLE strata_history (x);"
			 "CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, u TEXT UNIQUE);"
			 "INSERT INTO a (u) VALUES ('x'); ANALYZE;%s", fts);
	strata_catalog *c = load(sql.ptr);
	assert_int_equal(c->tables.n, 1);
	strata_table *t = c->tables.v[0];
	assert_string_equal(t->name, "a");
	assert_int_equal(t->indexes.n, 0); /* the UNIQUE's autoindex is a constraint */
	assert_int_equal(t->uniques.n, 1);
	buf_free(&sql);
	strata_catalog_free(c);
}

static void test_shadow_errors_name_the_line(void **state)
{
	(void)state;
	strata_catalog *c = NULL;
	strata_err e = STRATA_ERR_INIT;
	assert_int_equal(sqlite_shadow_load("CREATE TABLE a (x);\n-- comment\n\nCREATE TABEL b (y);",
					    "db/schema.sql", &c, &e),
			 STRATA_EFAIL);
	assert_null(c);
	assert_string_equal(e.msg, "db/schema.sql:4: near \"TABEL\": syntax error");
	assert_int_equal(sqlite_shadow_load("CREATE TABLE a (x);\n\n  /* again */ CREATE TABLE a (y);",
					    NULL, &c, &e),
			 STRATA_EFAIL);
	assert_string_equal(e.msg, "schema.sql:3: table a already exists");
	assert_int_equal(sqlite_shadow_load("CREATE TABLE a (x);\nCREATE INDEX i ON a (\n  nope);",
					    NULL, &c, &e),
			 STRATA_EFAIL);
	assert_non_null(strstr(e.msg, "no such column: nope"));
	assert_int_equal(strncmp(e.msg, "schema.sql:", 11), 0);
	err_clear(&e);
	assert_int_equal(sqlite_shadow_load("  -- nothing\n", NULL, &c, &e), 0);
	assert_int_equal(c->tables.n, 0);
	strata_catalog_free(c);
}

static void test_ops_warnings_differences(void **state)
{
	(void)state;
	strata_autogen_result r = { 0 };
	strata_err e = STRATA_ERR_INIT;
	assert_int_equal(autogen("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, sneaky INT);"
				 "CREATE TABLE x (a); CREATE INDEX ix_old ON users(name);",
				 "CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(80) NOT NULL,"
				 " email TEXT); CREATE TABLE y (b); CREATE VIEW v AS SELECT b FROM y;",
				 NULL, 0, &r, &e),
			 0);
	assert_true(has_line(r.ops, r.nops, "+ table y"));
	assert_true(has_line(r.ops, r.nops, "- table x"));
	assert_true(has_line(r.ops, r.nops, "+ column users.email"));
	assert_true(has_line(r.ops, r.nops, "- column users.sneaky"));
	assert_true(has_line(r.ops, r.nops, "~ column users.name (type TEXT -> VARCHAR(80), NOT NULL added)"));
	assert_true(has_line(r.ops, r.nops, "- index ix_old"));
	assert_true(has_line(r.ops, r.nops, "+ view v"));
	assert_int_equal(r.nops, 7);
	assert_true(has_line(r.differences, r.ndifferences,
			     "column users.sneaky is in the database but not in schema.sql"));
	assert_true(has_line(r.differences, r.ndifferences,
			     "table y is in schema.sql but not in the database"));
	assert_true(has_line(r.differences, r.ndifferences,
			     "column users.name differs from schema.sql (type TEXT -> VARCHAR(80), NOT NULL added)"));
	assert_true(has_line(r.warnings, r.nwarnings, "drops table x and every row in it"));
	assert_true(has_line(r.warnings, r.nwarnings, "drops column users.sneaky and the data in it"));
	assert_true(has_line(r.warnings, r.nwarnings,
			     "changes the type of users.name from TEXT to VARCHAR(80): stored values may "
			     "be converted or rejected; makes users.name NOT NULL: fails if a row holds "
			     "NULL there"));
	assert_int_equal(r.nwarnings, 3);
	/* The ops run in the documented order: index drop, table drop, the table's run,
	 * table creation, then the view. */
	const char *u = r.upgrade_sql;
	assert_true(strstr(u, "DROP INDEX \"ix_old\"") < strstr(u, "DROP TABLE \"x\""));
	assert_true(strstr(u, "DROP TABLE \"x\"") < strstr(u, "-- strata:rebuild users"));
	assert_true(strstr(u, "-- strata:rebuild users") < strstr(u, "CREATE TABLE \"y\""));
	assert_true(strstr(u, "CREATE TABLE \"y\"") < strstr(u, "CREATE VIEW v"));
	strata_autogen_result_free(&r);
}

static void test_rename_specs(void **state)
{
	(void)state;
	strata_catalog *a = load("CREATE TABLE \"my.t\" (\"a:b\" INT, c INT); CREATE TABLE user (email);");
	strata_catalog *b = load("CREATE TABLE people (\"a:b\" INT, d INT); CREATE TABLE user (email_address);");
	strata_renames r = { 0 };
	strata_err e = STRATA_ERR_INIT;
	const char *ok[] = { "people.c:d", "\"my.t\":people", "user.email:user.email_address" };
	assert_int_equal(strata_renames_parse(&r, ok, 3, a, b, &e), 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.v[0].kind, STRATA_RENAME_TABLE);
	assert_string_equal(r.v[0].from, "my.t");
	assert_string_equal(r.v[1].table, "my.t"); /* resolved from the new name */
	assert_string_equal(r.v[1].to, "d");
	assert_string_equal(r.v[2].table, "user");
	strata_oplist *ops = NULL;
	assert_int_equal(strata_diff_catalogs(&ops, a, b, &r, &e), 0);
	buf line = BUF_INIT;
	for (size_t i = 0; i < ops->n; i++)
		if (strata_op_describe(&line, &ops->v[i]))
			buf_putc(&line, '\n');
	assert_string_equal(line.ptr, "~ table my.t -> people (rename)\n"
				      "~ column people.c -> d (rename)\n"
				      "~ column user.email -> email_address (rename)\n");
	buf_free(&line);
	strata_oplist_free(ops);
	strata_renames_free(&r);

	const char *bad[] = { "nocolon", "a.b.c:d", ":x", "x.y:z.w", "\"open:x" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_int_equal(strata_renames_parse(&r, &bad[i], 1, a, b, &e), STRATA_EUSAGE);
		strata_renames_free(&r);
	}
	const char *missing[] = { "nope.c:d" };
	assert_int_equal(strata_renames_parse(&r, missing, 1, a, b, &e), STRATA_EUSAGE);
	assert_non_null(strstr(e.msg, "table nope is not in the database"));
	strata_renames_free(&r);
	const char *wrong[] = { "user:nothere" };
	assert_int_equal(strata_renames_parse(&r, wrong, 1, a, b, &e), 0);
	assert_int_equal(strata_diff_catalogs(&ops, a, b, &r, &e), STRATA_EUSAGE);
	assert_null(ops);
	assert_non_null(strstr(e.msg, "nothere is not in schema.sql"));
	strata_renames_free(&r);
	err_clear(&e);
	strata_catalog_free(a);
	strata_catalog_free(b);
}

static void test_rename_swap_is_refused(void **state)
{
	(void)state;
	strata_autogen_result r = { 0 };
	strata_err e = STRATA_ERR_INIT;
	const char *swap[] = { "a:b", "b:a" };
	assert_int_equal(autogen("CREATE TABLE a (x); CREATE TABLE b (y);",
				 "CREATE TABLE a (y); CREATE TABLE b (x);", swap, 2, &r, &e),
			 STRATA_EUSAGE);
	assert_non_null(strstr(e.msg, "swap"));
	const char *cswap[] = { "t.x:y", "t.y:x" };
	assert_int_equal(autogen("CREATE TABLE t (x, y);", "CREATE TABLE t (y, x);", cswap, 2, &r, &e),
			 STRATA_EUSAGE);
	err_clear(&e);
}

static void test_rename_candidates(void **state)
{
	(void)state;
	strata_catalog *a = load("CREATE TABLE user (id INTEGER PRIMARY KEY, email TEXT NOT NULL, age INT);"
				 "CREATE TABLE gone (q BLOB);");
	strata_catalog *b = load("CREATE TABLE account (id INTEGER PRIMARY KEY, email_address TEXT NOT NULL,"
				 " age INT); CREATE TABLE fresh (z TEXT);");
	strata_renames c = { 0 };
	strata_diff_rename_candidates(&c, a, b, NULL, STRATA_RENAME_TABLE);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.v[0].from, "user");
	assert_string_equal(c.v[0].to, "account");
	strata_renames accepted = { 0 };
	strata_renames_add(&accepted, STRATA_RENAME_TABLE, NULL, "user", "account");
	strata_renames_free(&c);
	strata_diff_rename_candidates(&c, a, b, &accepted, STRATA_RENAME_COLUMN);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.v[0].table, "user");
	assert_string_equal(c.v[0].from, "email");
	assert_string_equal(c.v[0].to, "email_address");
	strata_renames_free(&c);
	strata_renames_free(&accepted);
	strata_catalog_free(a);
	strata_catalog_free(b);
}

typedef struct asked {
	buf log;
	int answer;
} asked;

static int confirm(void *ctx, const char *kind, const char *table, const char *from, const char *to)
{
	asked *a = ctx;
	buf_printf(&a->log, "Did you rename %s%s%s to %s%s%s? (%s)\n", table ? table : "",
		   table ? "." : "", from, table ? table : "", table ? "." : "", to, kind);
	return a->answer;
}

/* The whole entry point through the SQLite driver's connection. */
static void test_autogen_run_through_the_backend(void **state)
{
	(void)state;
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE user (id INTEGER PRIMARY KEY, email TEXT);"
					  "INSERT INTO user VALUES (1, 'a@b');",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	strata_backend be = strata_sqlite_backend;
	be.introspect = sqlite_introspect;
	be.load_shadow = sqlite_load_shadow;
	be.render = sqlite_render;
	strata_conn_opts co = { 0 };
	co.borrowed_handle = db;
	strata_conn *conn = NULL;
	strata_err e = STRATA_ERR_INIT;
	assert_int_equal(be.connect(&conn, "sqlite::memory:", &co, &e), 0);

	const char *want = "CREATE TABLE user (id INTEGER PRIMARY KEY, email_address TEXT);";
	asked yes = { BUF_INIT, 1 }, no = { BUF_INIT, 0 };
	strata_autogen_opts o = STRATA_AUTOGEN_OPTS_INIT;
	o.confirm_rename = confirm;
	o.confirm_ctx = &yes;
	strata_autogen_result r = { 0 };
	assert_int_equal(strata_autogen_run(&be, conn, want, "schema.sql", &o, &r, &e), 0);
	assert_string_equal(yes.log.ptr, "Did you rename user.email to user.email_address? (column)\n");
	assert_string_equal(r.upgrade_sql,
			    "ALTER TABLE \"user\" RENAME COLUMN \"email\" TO \"email_address\";\n");
	assert_string_equal(r.downgrade_sql,
			    "ALTER TABLE \"user\" RENAME COLUMN \"email_address\" TO \"email\";\n");
	assert_int_equal(r.nops, 1);
	assert_string_equal(r.ops[0], "~ column user.email -> email_address (rename)");
	assert_int_equal(r.nwarnings, 0);
	strata_autogen_result_free(&r);

	o.confirm_ctx = &no;
	assert_int_equal(strata_autogen_run(&be, conn, want, "schema.sql", &o, &r, &e), 0);
	assert_int_equal(r.nops, 2);
	assert_int_equal(r.nwarnings, 1);
	assert_non_null(strstr(r.upgrade_sql, "DROP COLUMN \"email\""));
	strata_autogen_result_free(&r);

	o.confirm_rename = NULL;
	o.from_empty = 1;
	assert_int_equal(strata_autogen_run(&be, conn, want, "schema.sql", &o, &r, &e), 0);
	assert_string_equal(r.upgrade_sql, "CREATE TABLE \"user\" (\n    \"id\" INTEGER PRIMARY KEY,\n"
					   "    \"email_address\" TEXT\n);\n");
	assert_string_equal(r.downgrade_sql, "-- WARNING: drops table user and every row in it\n"
					     "DROP TABLE \"user\";\n");
	strata_autogen_result_free(&r);

	o.from_empty = 0;
	assert_int_equal(strata_autogen_run(&be, conn, "CREATE TABLE (", "app/schema.sql", &o, &r, &e),
			 STRATA_EFAIL);
	assert_non_null(strstr(e.msg, "app/schema.sql:1: "));
	assert_null(r.upgrade_sql);

	assert_int_equal(strata_autogen_run(&be, conn,
					    "CREATE TABLE user (id INTEGER PRIMARY KEY, email TEXT);",
					    NULL, NULL, &r, &e),
			 0);
	assert_string_equal(r.upgrade_sql, "");
	assert_string_equal(r.downgrade_sql, "");
	assert_int_equal(r.nops, 0);
	strata_autogen_result_free(&r);

	be.introspect = NULL;
	assert_int_equal(strata_autogen_run(&be, conn, want, NULL, NULL, &r, &e), STRATA_EFAIL);
	err_clear(&e);
	buf_free(&yes.log);
	buf_free(&no.log);
	be.disconnect(conn);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sql_text),
		cmocka_unit_test(test_normalised_introspection),
		cmocka_unit_test(test_left_out),
		cmocka_unit_test(test_shadow_errors_name_the_line),
		cmocka_unit_test(test_ops_warnings_differences),
		cmocka_unit_test(test_rename_specs),
		cmocka_unit_test(test_rename_swap_is_refused),
		cmocka_unit_test(test_rename_candidates),
		cmocka_unit_test(test_autogen_run_through_the_backend),
	};
	return cmocka_run_group_tests_name("schema diff", tests, NULL, NULL);
}
