/*
 * Golden SQL from the PostgreSQL dialect: catalogs built in memory as the PostgreSQL
 * introspection builds them, diffed and rendered in both directions, compared with the
 * exact text. No database is opened.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "backends/postgres/postgres_internal.h"

static void expect_text(const char *got, const char *want)
{
	if (strcmp(got, want) != 0) {
		print_error("---- got:\n%s\n---- want:\n%s\n----\n", got, want);
		fail();
	}
}

/* users(id integer PRIMARY KEY, name text) */
static strata_table *users(strata_catalog *c)
{
	strata_table *t = strata_catalog_add_table(c, "users");
	strata_table_add_column(t, "id", "integer")->notnull = 1;
	strata_table_add_column(t, "name", "text");
	strvec_push(&t->pk.columns, "id");
	t->pk.name = xstrdup("users_pkey");
	return t;
}

static void render(const strata_catalog *a, const strata_catalog *b, const strata_renames *r,
		   buf *up, buf *down)
{
	strata_oplist *ops = NULL;
	strata_err e = STRATA_ERR_INIT;
	assert_int_equal(strata_diff_catalogs(&ops, a, b, r, &e), 0);
	strata_oplist *inv = strata_oplist_invert(ops);
	assert_int_equal(pg_render(ops, up, &e), 0);
	assert_int_equal(pg_render(inv, down, &e), 0);
	strata_oplist_free(ops);
	strata_oplist_free(inv);
}

static strata_object *mood(strata_catalog *c, const char *const *labels, size_t n)
{
	buf sql = BUF_INIT;
	buf_puts(&sql, "CREATE TYPE \"mood\" AS ENUM (");
	for (size_t i = 0; i < n; i++)
		buf_printf(&sql, "%s'%s'", i ? ", " : "", labels[i]);
	buf_putc(&sql, ')');
	strata_object *o = strata_catalog_add_object(c, STRATA_OBJ_ENUM, "mood", sql.ptr,
						     "DROP TYPE \"mood\"", NULL);
	for (size_t i = 0; i < n; i++)
		strvec_push(&o->values, labels[i]);
	o->type = xstrdup("mood");
	buf_free(&sql);
	return o;
}

static void test_create_table_keys_last(void **state)
{
	(void)state;
	strata_catalog *a = strata_catalog_new(0), *b = strata_catalog_new(0);
	users(b);
	strata_table *p = strata_catalog_add_table(b, "app.posts");
	strata_column *id = strata_table_add_column(p, "id", "bigint");
	id->notnull = 1;
	id->identity = 'a';
	strata_table_add_column(p, "user_id", "integer");
	strata_column *st = strata_table_add_column(p, "title", "character varying(80)");
	st->dflt = xstrdup("'x'::character varying");
	strvec_push(&p->pk.columns, "id");
	p->pk.name = xstrdup("posts_pkey");
	strata_table_add_check(p, "posts_title_check", "(length((title)::text) > 0)");
	strata_fkey *fk = strata_table_add_fkey(p, "users");
	fk->name = xstrdup("posts_user_id_fkey");
	strvec_push(&fk->from, "user_id");
	strvec_push(&fk->to, "id");
	fk->on_delete = xstrdup("CASCADE");
	strata_index *ix = strata_table_add_index(p, "app.posts_title_idx", 0);
	ix->def = xstrdup("CREATE INDEX posts_title_idx ON app.posts USING btree (lower((title)::text))");
	strata_catalog_sort(b);
	buf up = BUF_INIT, down = BUF_INIT;
	render(a, b, NULL, &up, &down);
	expect_text(up.ptr,
		    "CREATE TABLE \"users\" (\n"
		    "    \"id\" integer NOT NULL,\n"
		    "    \"name\" text,\n"
		    "    CONSTRAINT \"users_pkey\" PRIMARY KEY (\"id\")\n"
		    ");\n"
		    "\n"
		    "CREATE TABLE \"app\".\"posts\" (\n"
		    "    \"id\" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,\n"
		    "    \"user_id\" integer,\n"
		    "    \"title\" character varying(80) DEFAULT 'x'::character varying,\n"
		    "    CONSTRAINT \"posts_pkey\" PRIMARY KEY (\"id\"),\n"
		    "    CONSTRAINT \"posts_title_check\" CHECK ((length((title)::text) > 0))\n"
		    ");\n"
		    "\n"
		    "CREATE INDEX posts_title_idx ON app.posts USING btree (lower((title)::text));\n"
		    "\n"
		    "ALTER TABLE \"app\".\"posts\" ADD CONSTRAINT \"posts_user_id_fkey\" FOREIGN KEY "
		    "(\"user_id\") REFERENCES \"users\" (\"id\") ON DELETE CASCADE;\n");
	expect_text(down.ptr,
		    "ALTER TABLE \"app\".\"posts\" DROP CONSTRAINT \"posts_user_id_fkey\";\n"
		    "\n"
		    "DROP INDEX \"app\".\"posts_title_idx\";\n"
		    "\n"
		    "-- WARNING: drops table app.posts and every row in it\n"
		    "DROP TABLE \"app\".\"posts\";\n"
		    "\n"
		    "-- WARNING: drops table users and every row in it\n"
		    "DROP TABLE \"users\";\n");
	buf_free(&up);
	buf_free(&down);
	strata_catalog_free(a);
	strata_catalog_free(b);
}

static void test_alter_column_type_default_not_null(void **state)
{
	(void)state;
	strata_catalog *a = strata_catalog_new(0), *b = strata_catalog_new(0);
	strata_column *ca = strata_table_add_column(users(a), "n", "text");
	ca->dflt = xstrdup("'1'::text");
	strata_column *cb = strata_table_add_column(users(b), "n", "integer");
	cb->dflt = xstrdup("0");
	cb->notnull = 1;
	buf up = BUF_INIT, down = BUF_INIT;
	render(a, b, NULL, &up, &down);
	expect_text(up.ptr,
		    "-- WARNING: changes the type of users.n from text to integer: stored values may "
		    "be converted or rejected; makes users.n NOT NULL: fails if a row holds NULL there\n"
		    "ALTER TABLE \"users\" ALTER COLUMN \"n\" DROP DEFAULT;\n"
		    "ALTER TABLE \"users\" ALTER COLUMN \"n\" TYPE integer USING \"n\"::integer;\n"
		    "ALTER TABLE \"users\" ALTER COLUMN \"n\" SET DEFAULT 0;\n"
		    "ALTER TABLE \"users\" ALTER COLUMN \"n\" SET NOT NULL;\n");
	expect_text(down.ptr,
		    "-- WARNING: changes the type of users.n from integer to text: stored values may "
		    "be converted or rejected\n"
		    "ALTER TABLE \"users\" ALTER COLUMN \"n\" DROP DEFAULT;\n"
		    "ALTER TABLE \"users\" ALTER COLUMN \"n\" TYPE text USING \"n\"::text;\n"
		    "ALTER TABLE \"users\" ALTER COLUMN \"n\" SET DEFAULT '1'::text;\n"
		    "ALTER TABLE \"users\" ALTER COLUMN \"n\" DROP NOT NULL;\n");
	buf_free(&up);
	buf_free(&down);
	strata_catalog_free(a);
	strata_catalog_free(b);
}

/* serial -> bigserial changes the sequence's type too; serial -> integer drops the
 * default and the sequence, and back creates one owned by the column, past the rows. */
static void test_serial_changes(void **state)
{
	(void)state;
	strata_catalog *a = strata_catalog_new(0), *b = strata_catalog_new(0);
	strata_catalog *c = strata_catalog_new(0);
	a->type_narrows = b->type_narrows = c->type_narrows = pg_type_narrows; /* as PostgreSQL's catalogs */
	strata_column *ca = strata_table_add_column(users(a), "n", "serial");
	ca->notnull = 1;
	ca->serial_seq = xstrdup("users_n_seq");
	strata_column *cb = strata_table_add_column(users(b), "n", "bigserial");
	cb->notnull = 1;
	cb->serial_seq = xstrdup("users_n_seq");
	strata_table_add_column(users(c), "n", "integer")->notnull = 1;
	buf up = BUF_INIT, down = BUF_INIT;
	render(a, b, NULL, &up, &down);
	expect_text(up.ptr, "ALTER TABLE \"users\" ALTER COLUMN \"n\" TYPE bigint USING \"n\"::bigint;\n"
			    "ALTER SEQUENCE \"users_n_seq\" AS bigint;\n");
	expect_text(down.ptr,
		    "-- WARNING: changes the type of users.n from bigserial to serial: stored values "
		    "may be converted or rejected\n"
		    "ALTER TABLE \"users\" ALTER COLUMN \"n\" TYPE integer USING \"n\"::integer;\n"
		    "ALTER SEQUENCE \"users_n_seq\" AS integer;\n");
	buf_reset(&up);
	buf_reset(&down);
	render(a, c, NULL, &up, &down);
	expect_text(up.ptr, "ALTER TABLE \"users\" ALTER COLUMN \"n\" DROP DEFAULT;\n"
			    "DROP SEQUENCE \"users_n_seq\";\n");
	expect_text(down.ptr,
		    "CREATE SEQUENCE \"users_n_seq\" AS integer OWNED BY \"users\".\"n\";\n"
		    "ALTER TABLE \"users\" ALTER COLUMN \"n\" SET DEFAULT nextval('\"users_n_seq\"'::regclass);\n"
		    "SELECT setval('\"users_n_seq\"', coalesce(max(\"n\"), 0) + 1, false) FROM \"users\";\n");
	buf_free(&up);
	buf_free(&down);
	strata_catalog_free(a);
	strata_catalog_free(b);
	strata_catalog_free(c);
}

/* A column from one enum type to another converts through text. */
static void test_enum_to_enum_column(void **state)
{
	(void)state;
	strata_catalog *a = strata_catalog_new(0), *b = strata_catalog_new(0);
	const char *labels[] = { "ok", "sad" };
	mood(a, labels, 2);
	mood(b, labels, 2);
	strata_object *f = strata_catalog_add_object(b, STRATA_OBJ_ENUM, "feeling",
						     "CREATE TYPE \"feeling\" AS ENUM ('ok', 'sad')",
						     "DROP TYPE \"feeling\"", NULL);
	strvec_push(&f->values, "ok");
	strvec_push(&f->values, "sad");
	f->type = xstrdup("feeling");
	strata_catalog_sort(b);
	strata_table_add_column(users(a), "m", "mood");
	strata_table_add_column(users(b), "m", "feeling");
	buf up = BUF_INIT, down = BUF_INIT;
	render(a, b, NULL, &up, &down);
	assert_non_null(strstr(up.ptr, "ALTER TABLE \"users\" ALTER COLUMN \"m\" TYPE feeling "
					"USING \"m\"::text::feeling;\n"));
	assert_non_null(strstr(down.ptr, "ALTER TABLE \"users\" ALTER COLUMN \"m\" TYPE mood "
					  "USING \"m\"::text::mood;\n"));
	buf_free(&up);
	buf_free(&down);
	strata_catalog_free(a);
	strata_catalog_free(b);
}

static void test_rename_column_and_identity(void **state)
{
	(void)state;
	strata_catalog *a = strata_catalog_new(0), *b = strata_catalog_new(0);
	users(a);
	strata_table *t = users(b);
	free(((strata_column *)t->columns.v[1])->name);
	((strata_column *)t->columns.v[1])->name = xstrdup("full name");
	((strata_column *)t->columns.v[0])->identity = 'd';
	strata_renames r = { 0 };
	strata_renames_add(&r, STRATA_RENAME_COLUMN, "users", "name", "full name");
	buf up = BUF_INIT, down = BUF_INIT;
	render(a, b, &r, &up, &down);
	expect_text(up.ptr,
		    "ALTER TABLE \"users\" RENAME COLUMN \"name\" TO \"full name\";\n"
		    "\n"
		    "ALTER TABLE \"users\" ALTER COLUMN \"id\" ADD GENERATED BY DEFAULT AS IDENTITY;\n");
	expect_text(down.ptr,
		    "ALTER TABLE \"users\" RENAME COLUMN \"full name\" TO \"name\";\n"
		    "\n"
		    "ALTER TABLE \"users\" ALTER COLUMN \"id\" DROP IDENTITY;\n");
	strata_renames_free(&r);
	buf_free(&up);
	buf_free(&down);
	strata_catalog_free(a);
	strata_catalog_free(b);
}

/* users(id, name) with column `col` (generated as id * 2 when `gen`) and an index on it. */
static void with_b(strata_catalog *c, const char *col, int gen, int notnull)
{
	strata_table *t = users(c);
	strata_column *b = strata_table_add_column(t, col, "integer");
	b->notnull = notnull;
	if (gen) {
		b->generated = STRATA_GEN_STORED;
		b->gen_expr = xstrdup("(id * 2)");
	}
	strata_index *ix = strata_table_add_index(t, "users_b_idx", 0);
	strata_index_add_part(ix, col, 0, NULL, 0);
	ix->def = xasprintf("CREATE INDEX users_b_idx ON public.users USING btree (%s)", col);
}

static void test_generated_made_plain(void **state)
{
	(void)state;
	strata_catalog *a = strata_catalog_new(0), *b = strata_catalog_new(0);
	with_b(a, "b", 1, 0);
	with_b(b, "b", 0, 1);
	buf up = BUF_INIT, down = BUF_INIT;
	render(a, b, NULL, &up, &down);
	/* The values stay: DROP EXPRESSION, never DROP COLUMN + ADD COLUMN. */
	expect_text(up.ptr,
		    "-- WARNING: makes users.b NOT NULL: fails if a row holds NULL there\n"
		    "ALTER TABLE \"users\" ALTER COLUMN \"b\" DROP EXPRESSION;\n"
		    "ALTER TABLE \"users\" ALTER COLUMN \"b\" SET NOT NULL;\n");
	/* The way back replaces the values, says so, and brings the index back. */
	expect_text(down.ptr,
		    "-- WARNING: makes users.b a generated column: its stored values are replaced "
		    "by computed ones\n"
		    "ALTER TABLE \"users\" DROP COLUMN \"b\";\n"
		    "ALTER TABLE \"users\" ADD COLUMN \"b\" integer GENERATED ALWAYS AS ((id * 2)) "
		    "STORED;\n"
		    "CREATE INDEX users_b_idx ON public.users USING btree (b);\n");
	buf_free(&up);
	buf_free(&down);
	strata_catalog_free(a);
	strata_catalog_free(b);
}

static void test_renamed_and_made_generated(void **state)
{
	(void)state;
	strata_catalog *a = strata_catalog_new(0), *b = strata_catalog_new(0);
	with_b(a, "b", 0, 0);
	with_b(b, "c", 1, 0);
	strata_renames r = { 0 };
	strata_renames_add(&r, STRATA_RENAME_COLUMN, "users", "b", "c");
	buf up = BUF_INIT, down = BUF_INIT;
	render(a, b, &r, &up, &down);
	/* The column is dropped by the name the rename gave it. */
	expect_text(up.ptr,
		    "ALTER TABLE \"users\" RENAME COLUMN \"b\" TO \"c\";\n"
		    "\n"
		    "-- WARNING: makes users.c a generated column: its stored values are replaced "
		    "by computed ones\n"
		    "ALTER TABLE \"users\" DROP COLUMN \"c\";\n"
		    "ALTER TABLE \"users\" ADD COLUMN \"c\" integer GENERATED ALWAYS AS ((id * 2)) "
		    "STORED;\n"
		    "CREATE INDEX users_b_idx ON public.users USING btree (c);\n");
	expect_text(down.ptr,
		    "ALTER TABLE \"users\" RENAME COLUMN \"c\" TO \"b\";\n"
		    "\n"
		    "ALTER TABLE \"users\" ALTER COLUMN \"b\" DROP EXPRESSION;\n");
	strata_renames_free(&r);
	buf_free(&up);
	buf_free(&down);
	strata_catalog_free(a);
	strata_catalog_free(b);
}

static void test_enum_add_value_and_rebuild(void **state)
{
	(void)state;
	static const char *const two[] = { "ok", "sad" };
	static const char *const three[] = { "great", "ok", "meh", "sad" };
	strata_catalog *a = strata_catalog_new(0), *b = strata_catalog_new(0);
	mood(a, two, 2);
	mood(b, three, 4);
	strata_column *ca = strata_table_add_column(users(a), "m", "mood");
	ca->dflt = xstrdup("'ok'::mood");
	strata_column *cb = strata_table_add_column(users(b), "m", "mood");
	cb->dflt = xstrdup("'ok'::mood");
	strata_catalog_add_view(a, "v", "CREATE VIEW \"v\" AS\nSELECT users.m\n   FROM users");
	strata_catalog_add_view(b, "v", "CREATE VIEW \"v\" AS\nSELECT users.m\n   FROM users");
	buf up = BUF_INIT, down = BUF_INIT;
	render(a, b, NULL, &up, &down);
	expect_text(up.ptr,
		    "DROP VIEW \"v\";\n"
		    "\n"
		    "ALTER TYPE \"mood\" ADD VALUE 'great' BEFORE 'ok';\n"
		    "ALTER TYPE \"mood\" ADD VALUE 'meh' AFTER 'ok';\n"
		    "\n"
		    "CREATE VIEW \"v\" AS\nSELECT users.m\n   FROM users;\n");
	expect_text(down.ptr,
		    "DROP VIEW \"v\";\n"
		    "\n"
		    "-- WARNING: rebuilds enum mood without value(s) 'great', 'meh': rows holding them "
		    "fail the conversion\n"
		    "ALTER TYPE \"mood\" RENAME TO \"mood__strata_old\";\n"
		    "CREATE TYPE \"mood\" AS ENUM ('ok', 'sad');\n"
		    "ALTER TABLE \"users\" ALTER COLUMN \"m\" DROP DEFAULT;\n"
		    "ALTER TABLE \"users\" ALTER COLUMN \"m\" TYPE \"mood\" USING \"m\"::text::\"mood\";\n"
		    "ALTER TABLE \"users\" ALTER COLUMN \"m\" SET DEFAULT 'ok'::mood;\n"
		    "DROP TYPE \"mood__strata_old\";\n"
		    "\n"
		    "CREATE VIEW \"v\" AS\nSELECT users.m\n   FROM users;\n");
	buf_free(&up);
	buf_free(&down);
	strata_catalog_free(a);
	strata_catalog_free(b);
}

static void test_objects_order(void **state)
{
	(void)state;
	strata_catalog *a = strata_catalog_new(0), *b = strata_catalog_new(0);
	users(a);
	users(b);
	strata_catalog_add_object(b, STRATA_OBJ_FUNCTION, "f()",
				  "CREATE OR REPLACE FUNCTION public.f()\n RETURNS integer\n LANGUAGE sql\n"
				  "AS $function$ SELECT count(*)::integer FROM users $function$",
				  "DROP FUNCTION \"f\"()", NULL);
	strata_catalog_add_object(b, STRATA_OBJ_SCHEMA, "app", "CREATE SCHEMA \"app\"",
				  "DROP SCHEMA \"app\"", NULL);
	strata_catalog_add_object(b, STRATA_OBJ_COMMENT, "on table users",
				  "COMMENT ON TABLE \"users\" IS 'people'",
				  "COMMENT ON TABLE \"users\" IS NULL",
				  "COMMENT ON TABLE \"users\" IS 'people'");
	strata_catalog_sort(b);
	buf up = BUF_INIT, down = BUF_INIT;
	render(a, b, NULL, &up, &down);
	expect_text(up.ptr,
		    "CREATE SCHEMA \"app\";\n"
		    "\n"
		    "SET LOCAL check_function_bodies = off;\n"
		    "CREATE OR REPLACE FUNCTION public.f()\n RETURNS integer\n LANGUAGE sql\n"
		    "AS $function$ SELECT count(*)::integer FROM users $function$;\n"
		    "\n"
		    "COMMENT ON TABLE \"users\" IS 'people';\n");
	expect_text(down.ptr,
		    "COMMENT ON TABLE \"users\" IS NULL;\n"
		    "\n"
		    "DROP FUNCTION \"f\"();\n"
		    "\n"
		    "DROP SCHEMA \"app\";\n");
	buf_free(&up);
	buf_free(&down);
	strata_catalog_free(a);
	strata_catalog_free(b);
}

static void test_add_not_null_column_fill(void **state)
{
	(void)state;
	strata_catalog *a = strata_catalog_new(0), *b = strata_catalog_new(0);
	users(a);
	strata_table_add_column(users(b), "age", "integer")->notnull = 1;
	buf up = BUF_INIT, down = BUF_INIT;
	render(a, b, NULL, &up, &down);
	expect_text(up.ptr,
		    "-- WARNING: adds NOT NULL column users.age without a default: existing rows "
		    "must be filled in the marked step\n"
		    "ALTER TABLE \"users\" ADD COLUMN \"age\" integer;\n"
		    "-- strata:fill users.age: write an UPDATE that fills this column for existing "
		    "rows, for example\n"
		    "-- UPDATE users SET age = ... WHERE age IS NULL;\n"
		    "-- SET NOT NULL below fails the revision while a row still holds NULL there.\n"
		    "ALTER TABLE \"users\" ALTER COLUMN \"age\" SET NOT NULL;\n");
	expect_text(down.ptr,
		    "-- WARNING: drops column users.age and the data in it\n"
		    "ALTER TABLE \"users\" DROP COLUMN \"age\";\n");
	buf_free(&up);
	buf_free(&down);
	strata_catalog_free(a);
	strata_catalog_free(b);
}

/* Column type changes on strictly typed columns: which are flagged as narrowing. */
static void test_strict_type_narrowing(void **state)
{
	(void)state;
	static const struct {
		const char *from, *to;
		int flagged;
	} cases[] = {
		{ "integer", "bigint", 0 },
		{ "smallint", "integer", 0 },
		{ "bigint", "integer", 1 },
		{ "integer", "smallint", 1 },
		{ "integer", "numeric", 0 },
		{ "integer", "numeric(12,2)", 0 },
		{ "integer", "numeric(8,2)", 1 },
		{ "bigint", "double precision", 1 },
		{ "integer", "double precision", 0 },
		{ "real", "double precision", 0 },
		{ "double precision", "real", 1 },
		{ "numeric(10,2)", "numeric", 0 },
		{ "numeric(10,2)", "numeric(12,2)", 0 },
		{ "numeric(10,2)", "numeric(10,1)", 1 },
		{ "numeric(10,2)", "numeric(11,3)", 0 },
		{ "numeric", "numeric(10,2)", 1 },
		{ "character varying(20)", "character varying(100)", 0 },
		{ "character varying(100)", "character varying(20)", 1 },
		{ "character varying(100)", "text", 0 },
		{ "text", "character varying(100)", 1 },
		{ "integer", "text", 0 },
		{ "text", "integer", 1 },
		{ "date", "timestamp without time zone", 1 }, /* dates after 294276 AD fail */
		{ "timestamp without time zone", "date", 1 },
		{ "timestamp without time zone", "timestamp with time zone", 1 },
		{ "json", "jsonb", 1 },
		{ "integer[]", "bigint[]", 0 },
		{ "bigint[]", "integer[]", 1 },
		{ "integer", "integer[]", 1 },
		{ "text[]", "text", 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		strata_catalog *a = strata_catalog_new(0), *b = strata_catalog_new(0);
		a->type_narrows = b->type_narrows = pg_type_narrows;
		strata_table_add_column(users(a), "n", cases[i].from);
		strata_table_add_column(users(b), "n", cases[i].to);
		strata_oplist *ops = NULL;
		strata_err e = STRATA_ERR_INIT;
		assert_int_equal(strata_diff_catalogs(&ops, a, b, NULL, &e), 0);
		assert_int_equal(ops->n, 1);
		assert_int_equal(ops->v[0].kind, STRATA_OP_ALTER_COLUMN);
		buf why = BUF_INIT;
		int got = strata_op_danger(&why, &ops->v[0], ops->type_narrows);
		if (got != cases[i].flagged) {
			print_error("%s -> %s: flagged %d, want %d (%s)\n", cases[i].from,
				    cases[i].to, got, cases[i].flagged, why.ptr);
			fail();
		}
		buf_free(&why);
		strata_oplist_free(ops);
		strata_catalog_free(a);
		strata_catalog_free(b);
	}
}

/* An exclusion constraint is created with its table, replaced when it changes, and
 * described as what it is. */
static void test_exclusion_constraint(void **state)
{
	(void)state;
	strata_catalog *a = strata_catalog_new(0), *b = strata_catalog_new(0);
	users(a);
	strata_table *t = users(b);
	strata_table_add_check(t, "users_name_excl", "EXCLUDE USING gist (name WITH =)")->exclude = 1;
	buf up = BUF_INIT, down = BUF_INIT;
	render(a, b, NULL, &up, &down);
	expect_text(up.ptr, "ALTER TABLE \"users\" ADD CONSTRAINT \"users_name_excl\" EXCLUDE USING "
			    "gist (name WITH =);\n");
	expect_text(down.ptr, "ALTER TABLE \"users\" DROP CONSTRAINT \"users_name_excl\";\n");
	strata_oplist *ops = NULL;
	strata_err e = STRATA_ERR_INIT;
	assert_int_equal(strata_diff_catalogs(&ops, a, b, NULL, &e), 0);
	buf line = BUF_INIT;
	assert_int_equal(strata_op_describe(&line, &ops->v[0]), 1);
	expect_text(line.ptr, "+ exclusion constraint users.users_name_excl (EXCLUDE USING gist "
			      "(name WITH =))");
	strata_oplist_free(ops);
	/* A CHECK with the same name and text is not the same constraint. */
	strata_catalog *c = strata_catalog_new(0);
	strata_table_add_check(users(c), "users_name_excl", "EXCLUDE USING gist (name WITH =)");
	assert_int_equal(strata_diff_catalogs(&ops, c, b, NULL, &e), 0);
	assert_int_equal(ops->n, 2);
	strata_oplist_free(ops);
	strata_catalog_free(c);
	buf_reset(&up);
	buf_reset(&down);
	strata_table *full = strata_catalog_add_table(a, "rooms");
	strata_table_add_column(full, "during", "tsrange");
	strata_table_add_check(full, "rooms_during_excl", "EXCLUDE USING gist (during WITH &&)")->exclude = 1;
	strata_catalog *empty = strata_catalog_new(0);
	users(empty);
	render(empty, a, NULL, &up, &down);
	expect_text(up.ptr, "CREATE TABLE \"rooms\" (\n"
			    "    \"during\" tsrange,\n"
			    "    CONSTRAINT \"rooms_during_excl\" EXCLUDE USING gist (during WITH &&)\n"
			    ");\n");
	strata_catalog_free(empty);
	buf_free(&line);
	buf_free(&up);
	buf_free(&down);
	strata_catalog_free(a);
	strata_catalog_free(b);
}

/* A primary key that changes is dropped before the column changes of its run, and a
 * foreign key of another table that leans on it is dropped first and added back last. */
static void test_pkey_change_under_foreign_key(void **state)
{
	(void)state;
	strata_catalog *a = strata_catalog_new(0), *b = strata_catalog_new(0);
	strata_table *ua = users(a), *ub = users(b);
	((strata_column *)ub->columns.v[1])->notnull = 1;
	strvec_push(&ub->pk.columns, "name");
	strata_unique *u = strata_table_add_unique(ub);
	u->name = xstrdup("users_id_key");
	strata_unique_add_part(u, "id", NULL, 0);
	(void)ua;
	for (int side = 0; side < 2; side++) {
		strata_table *p = strata_catalog_add_table(side ? b : a, "posts");
		strata_table_add_column(p, "user_id", "integer");
		strata_fkey *fk = strata_table_add_fkey(p, "users");
		fk->name = xstrdup("posts_user_id_fkey");
		strvec_push(&fk->from, "user_id");
		strvec_push(&fk->to, "id");
	}
	strata_catalog_sort(a);
	strata_catalog_sort(b);
	buf up = BUF_INIT, down = BUF_INIT;
	render(a, b, NULL, &up, &down);
	expect_text(up.ptr,
		    "ALTER TABLE \"posts\" DROP CONSTRAINT \"posts_user_id_fkey\";\n"
		    "\n"
		    "ALTER TABLE \"users\" DROP CONSTRAINT \"users_pkey\";\n"
		    "-- WARNING: makes users.name NOT NULL: fails if a row holds NULL there\n"
		    "ALTER TABLE \"users\" ALTER COLUMN \"name\" SET NOT NULL;\n"
		    "\n"
		    "ALTER TABLE \"users\" ADD CONSTRAINT \"users_pkey\" PRIMARY KEY (\"id\", \"name\");\n"
		    "\n"
		    "ALTER TABLE \"users\" ADD CONSTRAINT \"users_id_key\" UNIQUE (\"id\");\n"
		    "\n"
		    "ALTER TABLE \"posts\" ADD CONSTRAINT \"posts_user_id_fkey\" FOREIGN KEY "
		    "(\"user_id\") REFERENCES \"users\" (\"id\");\n");
	expect_text(down.ptr,
		    "ALTER TABLE \"posts\" DROP CONSTRAINT \"posts_user_id_fkey\";\n"
		    "\n"
		    "ALTER TABLE \"users\" DROP CONSTRAINT \"users_pkey\";\n"
		    "ALTER TABLE \"users\" DROP CONSTRAINT \"users_id_key\";\n"
		    "\n"
		    "ALTER TABLE \"users\" ALTER COLUMN \"name\" DROP NOT NULL;\n"
		    "\n"
		    "ALTER TABLE \"users\" ADD CONSTRAINT \"users_pkey\" PRIMARY KEY (\"id\");\n"
		    "\n"
		    "ALTER TABLE \"posts\" ADD CONSTRAINT \"posts_user_id_fkey\" FOREIGN KEY "
		    "(\"user_id\") REFERENCES \"users\" (\"id\");\n");
	buf_free(&up);
	buf_free(&down);
	strata_catalog_free(a);
	strata_catalog_free(b);
}

/* "t:app.t2" moves and renames a table; "app.t2:t" brings it back. */
static void test_table_moved_between_schemas(void **state)
{
	(void)state;
	strata_catalog *a = strata_catalog_new(0), *b = strata_catalog_new(0);
	users(a);
	strata_table *t = strata_catalog_add_table(b, "app.people");
	strata_table_add_column(t, "id", "integer")->notnull = 1;
	strata_table_add_column(t, "name", "text");
	strvec_push(&t->pk.columns, "id");
	t->pk.name = xstrdup("users_pkey");
	strata_renames r = { 0 };
	strata_err e = STRATA_ERR_INIT;
	const char *spec[] = { "users:app.people" };
	assert_int_equal(strata_renames_parse(&r, spec, 1, a, b, &e), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v[0].kind, STRATA_RENAME_TABLE);
	assert_string_equal(r.v[0].to, "app.people");
	buf up = BUF_INIT, down = BUF_INIT;
	render(a, b, &r, &up, &down);
	expect_text(up.ptr, "ALTER TABLE \"users\" SET SCHEMA \"app\";\n"
			    "ALTER TABLE \"app\".\"users\" RENAME TO \"people\";\n");
	expect_text(down.ptr, "ALTER TABLE \"app\".\"people\" SET SCHEMA \"public\";\n"
			      "ALTER TABLE \"people\" RENAME TO \"users\";\n");
	strata_renames_free(&r);
	/* The other way round, written with the schema on the left. */
	const char *back[] = { "app.people:users" };
	assert_int_equal(strata_renames_parse(&r, back, 1, b, a, &e), 0);
	assert_int_equal(r.v[0].kind, STRATA_RENAME_TABLE);
	assert_string_equal(r.v[0].from, "app.people");
	assert_string_equal(r.v[0].to, "users");
	strata_renames_free(&r);
	/* A column rename keeps its meaning. */
	const char *col[] = { "users.name:full_name" };
	assert_int_equal(strata_renames_parse(&r, col, 1, a, b, &e), 0);
	assert_int_equal(r.v[0].kind, STRATA_RENAME_COLUMN);
	strata_renames_free(&r);
	buf_free(&up);
	buf_free(&down);
	strata_catalog_free(a);
	strata_catalog_free(b);
}

static strata_object *partition(strata_catalog *c, const char *name, const char *parent,
				const char *bound)
{
	char *sql = xasprintf("CREATE TABLE \"%s\" PARTITION OF \"%s\" %s", name, parent, bound);
	char *drop = xasprintf("DROP TABLE \"%s\"", name);
	strata_object *o = strata_catalog_add_object(c, STRATA_OBJ_PARTITION, name, sql, drop, NULL);
	o->parent = xstrdup(parent);
	free(sql);
	free(drop);
	return o;
}

/* Partitions come after their table and parents before their partitions, whatever
 * their names; they go children first, before the table. */
static void test_partitions_in_depth_order(void **state)
{
	(void)state;
	strata_catalog *a = strata_catalog_new(0), *b = strata_catalog_new(0);
	strata_table *t = strata_catalog_add_table(b, "ev");
	strata_table_add_column(t, "at", "date");
	t->partition_by = xstrdup("RANGE (at)");
	partition(b, "a_leaf", "z_mid", "DEFAULT");
	partition(b, "z_mid", "ev", "DEFAULT PARTITION BY RANGE (at)");
	strata_catalog_sort(b);
	buf up = BUF_INIT, down = BUF_INIT;
	render(a, b, NULL, &up, &down);
	expect_text(up.ptr, "CREATE TABLE \"ev\" (\n"
			    "    \"at\" date\n"
			    ") PARTITION BY RANGE (at);\n"
			    "\n"
			    "CREATE TABLE \"z_mid\" PARTITION OF \"ev\" DEFAULT PARTITION BY RANGE (at);\n"
			    "\n"
			    "CREATE TABLE \"a_leaf\" PARTITION OF \"z_mid\" DEFAULT;\n");
	expect_text(down.ptr, "-- WARNING: drops partition a_leaf and every row in it\n"
			      "DROP TABLE \"a_leaf\";\n"
			      "\n"
			      "-- WARNING: drops partition z_mid and every row in it\n"
			      "DROP TABLE \"z_mid\";\n"
			      "\n"
			      "-- WARNING: drops table ev and every row in it\n"
			      "DROP TABLE \"ev\";\n");
	/* A new partition key rebuilds the table: its rows go to a temporary table before
	 * its partitions are dropped and come back once the new ones exist. */
	strata_catalog *c = strata_catalog_new(0);
	strata_table *t2 = strata_catalog_add_table(c, "ev");
	strata_table_add_column(t2, "at", "date");
	t2->partition_by = xstrdup("LIST (at)");
	partition(c, "ev_all", "ev", "DEFAULT");
	strata_catalog_sort(c);
	buf_reset(&up);
	buf_reset(&down);
	render(b, c, NULL, &up, &down);
	expect_text(up.ptr, "CREATE TEMPORARY TABLE \"strata_rows_ev\" AS SELECT * FROM \"ev\";\n"
			    "\n"
			    "DROP TABLE \"a_leaf\";\n"
			    "\n"
			    "DROP TABLE \"z_mid\";\n"
			    "\n"
			    "-- WARNING: rebuilds table ev for partition key LIST (at) (was RANGE (at)): "
			    "its rows are copied to a temporary table and back, and the revision fails "
			    "if one fits no partition\n"
			    "DROP TABLE \"ev\";\n"
			    "\n"
			    "CREATE TABLE \"ev\" (\n"
			    "    \"at\" date\n"
			    ") PARTITION BY LIST (at);\n"
			    "\n"
			    "CREATE TABLE \"ev_all\" PARTITION OF \"ev\" DEFAULT;\n"
			    "INSERT INTO \"ev\" (\"at\") SELECT \"at\" FROM \"strata_rows_ev\";\n"
			    "DROP TABLE \"strata_rows_ev\";\n");
	strata_catalog_free(c);
	buf_free(&up);
	buf_free(&down);
	strata_catalog_free(a);
	strata_catalog_free(b);
}

/* Constraint and identity options, UNLOGGED and INHERITS: each change of only those is
 * rendered, both ways. */
static void test_constraint_and_table_options(void **state)
{
	(void)state;
	strata_catalog *a = strata_catalog_new(0), *b = strata_catalog_new(0);
	users(a);
	strata_table *t = users(b);
	t->pk.deferrable = 1;
	t->unlogged = 1;
	strata_column *id = t->columns.v[0];
	id->identity = 'd';
	id->identity_opts = xstrdup("START WITH -100 INCREMENT BY 5 MINVALUE -1000 MAXVALUE 100000 "
				    "CACHE 10 NO CYCLE");
	strata_unique *u = strata_table_add_unique(t);
	u->name = xstrdup("users_name_key");
	u->nulls_not_distinct = 1;
	u->deferrable = u->initially_deferred = 1;
	strata_unique_add_part(u, "name", NULL, 0);
	strata_table_add_check(t, "named", "(name <> ''::text)")->no_inherit = 1;
	strata_table *dog = strata_catalog_add_table(b, "dog");
	strata_table_add_column(dog, "id", "integer")->inherited = 1;
	strata_table_add_column(dog, "bark", "text");
	strvec_push(&dog->inherits, "users");
	strata_fkey *fk = strata_table_add_fkey(dog, "users");
	fk->name = xstrdup("dog_id_fkey");
	strvec_push(&fk->from, "id");
	strvec_push(&fk->to, "id");
	fk->match_full = 1;
	strata_catalog_sort(a);
	strata_catalog_sort(b);
	buf up = BUF_INIT, down = BUF_INIT;
	render(a, b, NULL, &up, &down);
	expect_text(up.ptr,
		    "ALTER TABLE \"users\" DROP CONSTRAINT \"users_pkey\";\n"
		    "ALTER TABLE \"users\" ALTER COLUMN \"id\" ADD GENERATED BY DEFAULT AS IDENTITY "
		    "(START WITH -100 INCREMENT BY 5 MINVALUE -1000 MAXVALUE 100000 CACHE 10 NO CYCLE);\n"
		    "\n"
		    "ALTER TABLE \"users\" ADD CONSTRAINT \"users_pkey\" PRIMARY KEY (\"id\") DEFERRABLE;\n"
		    "\n"
		    "ALTER TABLE \"users\" ADD CONSTRAINT \"users_name_key\" UNIQUE NULLS NOT DISTINCT "
		    "(\"name\") DEFERRABLE INITIALLY DEFERRED;\n"
		    "\n"
		    "ALTER TABLE \"users\" ADD CONSTRAINT \"named\" CHECK ((name <> ''::text)) NO INHERIT;\n"
		    "\n"
		    "ALTER TABLE \"users\" SET UNLOGGED;\n"
		    "\n"
		    "CREATE TABLE \"dog\" (\n    \"bark\" text\n) INHERITS (\"users\");\n"
		    "\n"
		    "ALTER TABLE \"dog\" ADD CONSTRAINT \"dog_id_fkey\" FOREIGN KEY (\"id\") REFERENCES "
		    "\"users\" (\"id\") MATCH FULL;\n");
	expect_text(down.ptr,
		    "-- WARNING: drops table dog and every row in it\n"
		    "DROP TABLE \"dog\";\n"
		    "\n"
		    "ALTER TABLE \"users\" DROP CONSTRAINT \"users_pkey\";\n"
		    "ALTER TABLE \"users\" DROP CONSTRAINT \"named\";\n"
		    "\n"
		    "ALTER TABLE \"users\" DROP CONSTRAINT \"users_name_key\";\n"
		    "\n"
		    "ALTER TABLE \"users\" ALTER COLUMN \"id\" DROP IDENTITY;\n"
		    "\n"
		    "ALTER TABLE \"users\" ADD CONSTRAINT \"users_pkey\" PRIMARY KEY (\"id\");\n"
		    "\n"
		    "ALTER TABLE \"users\" SET LOGGED;\n");
	/* Only the identity's options change: SET each, in place. */
	strata_catalog *c = strata_catalog_new(0);
	strata_column *cid = users(c)->columns.v[0];
	cid->identity = 'd';
	strata_catalog *d = strata_catalog_new(0);
	strata_column *did = users(d)->columns.v[0];
	did->identity = 'a';
	did->identity_opts = xstrdup("START WITH 5 INCREMENT BY 2 MINVALUE 1 MAXVALUE 99 CACHE 1 "
				     "CYCLE");
	buf_reset(&up);
	buf_reset(&down);
	render(c, d, NULL, &up, &down);
	expect_text(up.ptr, "ALTER TABLE \"users\" ALTER COLUMN \"id\" SET GENERATED ALWAYS SET START "
			    "WITH 5 SET INCREMENT BY 2 SET MINVALUE 1 SET MAXVALUE 99 SET CACHE 1 SET "
			    "CYCLE;\n");
	expect_text(down.ptr, "ALTER TABLE \"users\" ALTER COLUMN \"id\" SET GENERATED BY DEFAULT SET "
			      "START WITH 1 SET INCREMENT BY 1 SET NO MINVALUE SET NO MAXVALUE SET "
			      "CACHE 1 SET NO CYCLE;\n");
	buf_free(&up);
	buf_free(&down);
	strata_catalog_free(a);
	strata_catalog_free(b);
	strata_catalog_free(c);
	strata_catalog_free(d);
}

/* A materialized view re-created around a change to its table: its index and its
 * comment are set again after it, in both directions. */
static void test_view_index_and_comment_set_again(void **state)
{
	(void)state;
	strata_catalog *cat[2];
	for (int i = 0; i < 2; i++) {
		cat[i] = strata_catalog_new(0);
		strata_table *t = users(cat[i]);
		if (i) {
			strata_column *name = t->columns.v[1];
			free(name->type);
			name->type = xstrdup("character varying(20)");
		}
		strata_view *v = strata_catalog_add_view(cat[i], "mv", "CREATE MATERIALIZED VIEW "
							 "\"mv\" AS\nSELECT name FROM users");
		v->materialized = 1;
		v->reads_known = 1;
		strvec_push(&v->reads, "users");
		strata_object *ix = strata_catalog_add_object(cat[i], STRATA_OBJ_VIEW_INDEX, "mv_name",
			"CREATE INDEX mv_name ON public.mv USING btree (name)",
			"DROP INDEX IF EXISTS public.mv_name", NULL);
		ix->on = xstrdup("view mv");
		strata_object *cm = strata_catalog_add_object(cat[i], STRATA_OBJ_COMMENT, "on index mv_name",
			"COMMENT ON INDEX public.mv_name IS 'x'", "COMMENT ON INDEX public.mv_name IS NULL",
			"COMMENT ON INDEX public.mv_name IS 'x'");
		cm->on = xstrdup("index mv_name");
		strata_catalog_sort(cat[i]);
	}
	buf up = BUF_INIT, down = BUF_INIT;
	render(cat[0], cat[1], NULL, &up, &down);
	const char *tail = "DROP INDEX IF EXISTS public.mv_name;\n"
			   "CREATE INDEX mv_name ON public.mv USING btree (name);\n"
			   "\n"
			   "COMMENT ON INDEX public.mv_name IS 'x';\n";
	size_t n = strlen(tail);
	assert_true(up.len > n && down.len > n);
	expect_text(up.ptr + up.len - n, tail);
	expect_text(down.ptr + down.len - n, tail);
	buf_free(&up);
	buf_free(&down);
	strata_catalog_free(cat[0]);
	strata_catalog_free(cat[1]);
}

/* A collation whose definition changes while a column uses it is refused, naming both. */
static void test_changed_collation_in_use_is_refused(void **state)
{
	(void)state;
	strata_catalog *cat[2];
	for (int i = 0; i < 2; i++) {
		cat[i] = strata_catalog_new(0);
		strata_column *name = users(cat[i])->columns.v[1];
		name->collation = xstrdup("\"app\".\"ci\"");
		strata_catalog_add_object(cat[i], STRATA_OBJ_COLLATION, "app.ci",
					  i ? "CREATE COLLATION \"app\".\"ci\" (provider = icu, locale = 'de')"
					    : "CREATE COLLATION \"app\".\"ci\" (provider = icu, locale = 'fr')",
					  "DROP COLLATION \"app\".\"ci\"", NULL);
		strata_catalog_sort(cat[i]);
	}
	strata_oplist *ops = NULL;
	strata_err e = STRATA_ERR_INIT;
	assert_int_equal(strata_diff_catalogs(&ops, cat[0], cat[1], NULL, &e), STRATA_EFAIL);
	assert_non_null(strstr(e.msg, "collation app.ci"));
	assert_non_null(strstr(e.msg, "users.name"));
	assert_null(ops);
	err_clear(&e);
	strata_catalog_free(cat[0]);
	strata_catalog_free(cat[1]);
}

static void test_quoting(void **state)
{
	(void)state;
	buf b = BUF_INIT;
	pg_qname(&b, "we\"ird.t.x");
	pg_quote_string(&b, "it's");
	expect_text(b.ptr, "\"we\"\"ird\".\"t.x\"'it''s'");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_table_keys_last),
		cmocka_unit_test(test_alter_column_type_default_not_null),
		cmocka_unit_test(test_serial_changes),
		cmocka_unit_test(test_enum_to_enum_column),
		cmocka_unit_test(test_rename_column_and_identity),
		cmocka_unit_test(test_generated_made_plain),
		cmocka_unit_test(test_renamed_and_made_generated),
		cmocka_unit_test(test_enum_add_value_and_rebuild),
		cmocka_unit_test(test_objects_order),
		cmocka_unit_test(test_add_not_null_column_fill),
		cmocka_unit_test(test_strict_type_narrowing),
		cmocka_unit_test(test_exclusion_constraint),
		cmocka_unit_test(test_pkey_change_under_foreign_key),
		cmocka_unit_test(test_table_moved_between_schemas),
		cmocka_unit_test(test_partitions_in_depth_order),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_constraint_and_table_options),
		cmocka_unit_test(test_view_index_and_comment_set_again),
		cmocka_unit_test(test_changed_collation_in_use_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
