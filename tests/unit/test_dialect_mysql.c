/*
 * Golden SQL from the MariaDB dialect: catalogs built in memory as the MariaDB
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

#include "backends/mariadb/mariadb_internal.h"

static void expect_text(const char *got, const char *want)
{
	if (strcmp(got, want) != 0) {
		print_error("---- got:\n%s\n---- want:\n%s\n----\n", got, want);
		fail();
	}
}

/* users(id INT(11) AUTO_INCREMENT PRIMARY KEY, name VARCHAR(80) NOT NULL) */
static strata_table *users(strata_catalog *c)
{
	strata_table *t = strata_catalog_add_table(c, "users");
	strata_table_add_column(t, "id", "INT(11) AUTO_INCREMENT")->notnull = 1;
	strata_column *n = strata_table_add_column(t, "name", "VARCHAR(80)");
	n->notnull = 1;
	n->collation = xstrdup("utf8mb4_general_ci");
	strvec_push(&t->pk.columns, "id");
	return t;
}

static strata_catalog *cat(void)
{
	strata_catalog *c = strata_catalog_new(0);
	c->type_narrows = my_type_narrows;
	return c;
}

static void render(const strata_catalog *a, const strata_catalog *b, const strata_renames *r,
		   buf *up, buf *down)
{
	strata_oplist *ops = NULL;
	strata_err e = STRATA_ERR_INIT;
	assert_int_equal(strata_diff_catalogs(&ops, a, b, r, &e), 0);
	strata_oplist *inv = strata_oplist_invert(ops);
	assert_int_equal(my_render(ops, up, &e), 0);
	assert_int_equal(my_render(inv, down, &e), 0);
	strata_oplist_free(ops);
	strata_oplist_free(inv);
}

/* New tables, parents first, with a foreign key added after every table exists. */
static void test_create_table_fkey_last(void **state)
{
	(void)state;
	strata_catalog *a = cat(), *b = cat();
	users(b);
	strata_table *p = strata_catalog_add_table(b, "posts");
	strata_table_add_column(p, "id", "BIGINT(20) UNSIGNED AUTO_INCREMENT")->notnull = 1;
	strata_table_add_column(p, "user_id", "INT(11)")->notnull = 1;
	strata_column *ts = strata_table_add_column(p, "changed", "TIMESTAMP");
	ts->notnull = 1;
	ts->dflt = xstrdup("current_timestamp() ON UPDATE current_timestamp()");
	strvec_push(&p->pk.columns, "id");
	strata_table_add_check(p, "ck", "`user_id` > 0");
	strata_fkey *fk = strata_table_add_fkey(p, "users");
	fk->name = xstrdup("fk_user");
	strvec_push(&fk->from, "user_id");
	strvec_push(&fk->to, "id");
	fk->on_delete = xstrdup("CASCADE");
	strata_index *ix = strata_table_add_index(p, "fk_user", 0);
	strata_index_add_part(ix, "user_id", 0, NULL, 0);
	ix->def = xstrdup("CREATE INDEX `fk_user` ON `posts` (`user_id`)");
	strata_catalog_sort(b);
	buf up = BUF_INIT, down = BUF_INIT;
	render(a, b, NULL, &up, &down);
	expect_text(up.ptr,
		    "CREATE TABLE `users` (\n"
		    "    `id` INT(11) AUTO_INCREMENT NOT NULL,\n"
		    "    `name` VARCHAR(80) COLLATE utf8mb4_general_ci NOT NULL,\n"
		    "    PRIMARY KEY (`id`)\n"
		    ");\n"
		    "\n"
		    "CREATE TABLE `posts` (\n"
		    "    `id` BIGINT(20) UNSIGNED AUTO_INCREMENT NOT NULL,\n"
		    "    `user_id` INT(11) NOT NULL,\n"
		    "    `changed` TIMESTAMP NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp(),\n"
		    "    PRIMARY KEY (`id`),\n"
		    "    CONSTRAINT `ck` CHECK (`user_id` > 0)\n"
		    ");\n"
		    "\n"
		    "CREATE INDEX `fk_user` ON `posts` (`user_id`);\n"
		    "\n"
		    "ALTER TABLE `posts` ADD CONSTRAINT `fk_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE;\n");
	expect_text(down.ptr,
		    "ALTER TABLE `posts` DROP FOREIGN KEY `fk_user`;\n"
		    "\n"
		    "DROP INDEX `fk_user` ON `posts`;\n"
		    "\n"
		    "-- WARNING: drops table posts and every row in it\n"
		    "DROP TABLE `posts`;\n"
		    "\n"
		    "-- WARNING: drops table users and every row in it\n"
		    "DROP TABLE `users`;\n");
	buf_free(&up);
	buf_free(&down);
	strata_catalog_free(a);
	strata_catalog_free(b);
}

/* Columns: ADD and DROP in place, a default alone in place, a type through MODIFY (INT
 * to BIGINT widens: no warning), a NOT NULL column without a default added with a fill
 * step. */
static void test_columns(void **state)
{
	(void)state;
	strata_catalog *a = cat(), *b = cat();
	strata_table *ta = users(a);
	strata_table_add_column(ta, "age", "INT(11)")->dflt = xstrdup("0");
	strata_table_add_column(ta, "gone", "TEXT");
	strata_table_add_column(ta, "score", "INT(11)");
	strata_table *tb = users(b);
	strata_table_add_column(tb, "age", "INT(11)")->dflt = xstrdup("18");
	strata_table_add_column(tb, "score", "BIGINT(20)");
	strata_table_add_column(tb, "code", "CHAR(3)")->notnull = 1;
	buf up = BUF_INIT, down = BUF_INIT;
	render(a, b, NULL, &up, &down);
	expect_text(up.ptr,
		    "-- WARNING: drops column users.gone and the data in it\n"
		    "ALTER TABLE `users` DROP COLUMN `gone`, ALGORITHM=INSTANT;\n"
		    "\n"
		    "ALTER TABLE `users` ALTER COLUMN `age` SET DEFAULT 18, ALGORITHM=INSTANT;\n"
		    "\n"
		    "ALTER TABLE `users` MODIFY COLUMN `score` BIGINT(20) NULL;\n"
		    "\n"
		    "-- WARNING: adds NOT NULL column users.code without a default: existing rows must be filled in the marked step\n"
		    "ALTER TABLE `users` ADD COLUMN `code` CHAR(3) NULL, ALGORITHM=INSTANT;\n"
		    "-- strata:fill users.code: write an UPDATE that fills this column for existing rows, for example\n"
		    "-- UPDATE users SET code = ... WHERE code IS NULL;\n"
		    "-- MODIFY … NOT NULL below fails the revision while a row still holds NULL there.\n"
		    "ALTER TABLE `users` MODIFY COLUMN `code` CHAR(3) NOT NULL;\n");
	buf_free(&up);
	buf_free(&down);
	strata_catalog_free(a);
	strata_catalog_free(b);
}

/* Renames: RENAME TABLE, RENAME COLUMN; a changing primary key is dropped first. */
static void test_renames_and_pkey(void **state)
{
	(void)state;
	strata_catalog *a = cat(), *b = cat();
	strata_table *ta = strata_catalog_add_table(a, "t");
	strata_table_add_column(ta, "id", "INT(11)")->notnull = 1;
	strata_table_add_column(ta, "k", "INT(11)")->notnull = 1;
	strata_table_add_column(ta, "a", "INT(11)");
	strvec_push(&ta->pk.columns, "id");
	strvec_push(&ta->pk.columns, "k");
	strata_table *tb = strata_catalog_add_table(b, "t2");
	strata_table_add_column(tb, "id", "INT(11)")->notnull = 1;
	strata_table_add_column(tb, "k", "INT(11)")->notnull = 1;
	strata_table_add_column(tb, "b", "INT(11)");
	strvec_push(&tb->pk.columns, "id");
	strata_renames r = { 0 };
	strata_renames_add(&r, STRATA_RENAME_TABLE, NULL, "t", "t2");
	strata_renames_add(&r, STRATA_RENAME_COLUMN, "t", "a", "b");
	buf up = BUF_INIT, down = BUF_INIT;
	render(a, b, &r, &up, &down);
	expect_text(up.ptr,
		    "RENAME TABLE `t` TO `t2`;\n"
		    "\n"
		    "ALTER TABLE `t2` RENAME COLUMN `a` TO `b`;\n"
		    "\n"
		    "ALTER TABLE `t2` DROP PRIMARY KEY;\n"
		    "ALTER TABLE `t2` ADD PRIMARY KEY (`id`);\n");
	strata_renames_free(&r);
	buf_free(&up);
	buf_free(&down);
	strata_catalog_free(a);
	strata_catalog_free(b);
}

/* Table `name`(id, `col` INT) of c with a foreign key NAME_ibfk_1 on `col` to p(id), and
 * the index InnoDB made for it, named after the column (as a database reads after
 * CREATE TABLE … FOREIGN KEY (col) REFERENCES p (id)). */
static void fk_child(strata_catalog *c, const char *name, const char *col)
{
	strata_table *t = strata_catalog_add_table(c, name);
	strata_table_add_column(t, "id", "INT(11)")->notnull = 1;
	strata_table_add_column(t, col, "INT(11)");
	strvec_push(&t->pk.columns, "id");
	strata_fkey *fk = strata_table_add_fkey(t, "p");
	fk->name = xasprintf("%s_ibfk_1", name);
	strvec_push(&fk->from, col);
	strvec_push(&fk->to, "id");
	strata_index *ix = strata_table_add_index(t, col, 0);
	strata_index_add_part(ix, col, 0, NULL, 0);
	ix->def = xasprintf("CREATE INDEX `%s` ON `%s` (`%s`)", col, name, col);
}

/* p(id) and c(id, `col`) referencing it (fk_child). */
static strata_catalog *fk_pair(const char *col)
{
	strata_catalog *c = cat();
	strata_table *p = strata_catalog_add_table(c, "p");
	strata_table_add_column(p, "id", "INT(11)")->notnull = 1;
	strvec_push(&p->pk.columns, "id");
	fk_child(c, "c", col);
	strata_catalog_sort(c);
	return c;
}

/* A column renamed under a foreign key: the live database keeps the foreign key's index
 * under the old column's name, a database loaded from the declared schema names it after
 * the new one. DROP INDEX fails there (error 1553, the foreign key needs it): the index
 * is renamed in place, both ways. An index renamed with nothing else changed, too. */
static void test_fkey_index_follows_rename(void **state)
{
	(void)state;
	strata_catalog *a = fk_pair("p_id"), *b = fk_pair("parent");
	strata_renames r = { 0 };
	strata_renames_add(&r, STRATA_RENAME_COLUMN, "c", "p_id", "parent");
	buf up = BUF_INIT, down = BUF_INIT;
	render(a, b, &r, &up, &down);
	expect_text(up.ptr,
		    "ALTER TABLE `c` RENAME COLUMN `p_id` TO `parent`;\n"
		    "\n"
		    "ALTER TABLE `c` RENAME INDEX `p_id` TO `parent`;\n");
	expect_text(down.ptr,
		    "ALTER TABLE `c` RENAME COLUMN `parent` TO `p_id`;\n"
		    "\n"
		    "ALTER TABLE `c` RENAME INDEX `parent` TO `p_id`;\n");
	strata_renames_free(&r);
	strata_catalog_free(b);
	/* The same columns, another name: renamed; another column: dropped and created. */
	b = fk_pair("p_id");
	strata_table *tb = strata_catalog_table(b, "c");
	strata_table_add_column(tb, "other", "INT(11)");
	free(((strata_index *)tb->indexes.v[0])->name);
	((strata_index *)tb->indexes.v[0])->name = xstrdup("ix_p");
	free(((strata_index *)tb->indexes.v[0])->def);
	((strata_index *)tb->indexes.v[0])->def = xstrdup("CREATE INDEX `ix_p` ON `c` (`p_id`)");
	strata_index *ix = strata_table_add_index(tb, "ix_other", 0);
	strata_index_add_part(ix, "other", 0, NULL, 0);
	ix->def = xstrdup("CREATE INDEX `ix_other` ON `c` (`other`)");
	buf_reset(&up);
	buf_reset(&down);
	render(a, b, NULL, &up, &down);
	expect_text(up.ptr,
		    "ALTER TABLE `c` ADD COLUMN `other` INT(11) NULL, ALGORITHM=INSTANT;\n"
		    "\n"
		    "ALTER TABLE `c` RENAME INDEX `p_id` TO `ix_p`;\n"
		    "\n"
		    "CREATE INDEX `ix_other` ON `c` (`other`);\n");
	expect_text(down.ptr,
		    "DROP INDEX `ix_other` ON `c`;\n"
		    "\n"
		    "-- WARNING: drops column c.other and the data in it\n"
		    "ALTER TABLE `c` DROP COLUMN `other`, ALGORITHM=INSTANT;\n"
		    "\n"
		    "ALTER TABLE `c` RENAME INDEX `ix_p` TO `p_id`;\n");
	buf_free(&up);
	buf_free(&down);
	strata_catalog_free(a);
	strata_catalog_free(b);
}

/* An index's name is its table's alone: two tables with a foreign key on a column of
 * the same name each have an index of that name. Nothing changes between equal
 * schemas, and renaming one of the columns renames that table's index only. */
static void test_same_index_name_in_two_tables(void **state)
{
	(void)state;
	strata_catalog *a = fk_pair("user_id"), *b = fk_pair("user_id");
	fk_child(a, "d", "user_id");
	fk_child(b, "d", "user_id");
	strata_catalog_sort(a);
	strata_catalog_sort(b);
	buf up = BUF_INIT, down = BUF_INIT;
	render(a, b, NULL, &up, &down);
	expect_text(up.ptr ? up.ptr : "", "");
	expect_text(down.ptr ? down.ptr : "", "");
	strata_catalog_free(b);
	b = fk_pair("user_id");
	fk_child(b, "d", "author");
	strata_catalog_sort(b);
	strata_renames r = { 0 };
	strata_renames_add(&r, STRATA_RENAME_COLUMN, "d", "user_id", "author");
	render(a, b, &r, &up, &down);
	expect_text(up.ptr,
		    "ALTER TABLE `d` RENAME COLUMN `user_id` TO `author`;\n"
		    "\n"
		    "ALTER TABLE `d` RENAME INDEX `user_id` TO `author`;\n");
	expect_text(down.ptr,
		    "ALTER TABLE `d` RENAME COLUMN `author` TO `user_id`;\n"
		    "\n"
		    "ALTER TABLE `d` RENAME INDEX `author` TO `user_id`;\n");
	strata_renames_free(&r);
	buf_free(&up);
	buf_free(&down);
	strata_catalog_free(a);
	strata_catalog_free(b);
}

/* MariaDB's type rule: which type changes may change or reject stored values. */
static void test_type_narrows(void **state)
{
	(void)state;
	static const struct {
		const char *from, *to;
		int flagged;
	} cases[] = {
		{ "INT(11)", "BIGINT(20)", 0 },
		{ "INT(11) AUTO_INCREMENT", "BIGINT(20) AUTO_INCREMENT", 0 },
		{ "BIGINT(20)", "INT(11)", 1 },
		{ "TINYINT(4)", "SMALLINT(6)", 0 },
		{ "INT(10) UNSIGNED", "BIGINT(20)", 0 },
		{ "INT(10) UNSIGNED", "INT(11)", 1 },
		{ "INT(11)", "INT(10) UNSIGNED", 1 },
		{ "INT(11)", "DECIMAL(10,0)", 0 },
		{ "INT(11)", "DECIMAL(10,2)", 1 },
		{ "INT(11)", "DOUBLE", 0 },
		{ "BIGINT(20)", "DOUBLE", 1 },
		{ "FLOAT", "DOUBLE", 0 },
		{ "DOUBLE", "FLOAT", 1 },
		{ "DECIMAL(10,2)", "DECIMAL(12,3)", 0 },
		{ "DECIMAL(10,2)", "DECIMAL(10,3)", 1 },
		{ "VARCHAR(10)", "VARCHAR(80)", 0 },
		{ "VARCHAR(80)", "VARCHAR(10)", 1 },
		{ "VARCHAR(80)", "TEXT", 0 },
		{ "VARCHAR(80)", "CHAR(80)", 1 },
		{ "CHAR(5)", "VARCHAR(5)", 0 },
		{ "TEXT", "VARCHAR(255)", 1 },
		{ "TEXT", "LONGTEXT", 0 },
		{ "BLOB", "TEXT", 1 },
		{ "INT(11)", "TEXT", 0 },
		{ "DATE", "DATETIME", 0 },
		{ "DATETIME", "DATE", 1 },
		{ "DATETIME", "DATETIME(6)", 0 },
		{ "DATETIME(6)", "DATETIME", 1 },
		{ "ENUM('a','b')", "ENUM('a','b','c')", 0 },
		{ "ENUM('a','b')", "ENUM('b','a')", 1 },
		{ "ENUM('a','b')", "ENUM('a')", 1 },
		{ "VARBINARY(4)", "VARBINARY(8)", 0 },
		{ "VARBINARY(4)", "BINARY(8)", 1 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int got = my_type_narrows(cases[i].from, cases[i].to);
		if (got != cases[i].flagged) {
			print_error("%s -> %s: flagged %d, want %d\n", cases[i].from, cases[i].to, got,
				    cases[i].flagged);
			fail();
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_table_fkey_last),
		cmocka_unit_test(test_columns),
		cmocka_unit_test(test_renames_and_pkey),
		cmocka_unit_test(test_fkey_index_follows_rename),
		cmocka_unit_test(test_same_index_name_in_two_tables),
		cmocka_unit_test(test_type_narrows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
