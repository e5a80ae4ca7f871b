/*
 * Unit tests for the backend seam (src/core/backend.c, include/strata/backend.h): the
 * registration table, URL matching, what every registered backend must fill, and the
 * splitter driven by a dialect's flag word rather than by a backend's identity.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/split.h"
#include "strata/backend.h"

/* Every URL form the two built-in backends have always served goes to them; a prefix
 * ending in ':' needs a rest, one ending in "//" does not (libpq's defaults). */
static void test_url_matching(void **state)
{
	(void)state;
	assert_ptr_equal(strata_backend_for_url("sqlite:app.db"), &strata_sqlite_backend);
	assert_ptr_equal(strata_backend_for_url("sqlite:///rel.db"), &strata_sqlite_backend);
	assert_ptr_equal(strata_backend_for_url("sqlite::memory:"), &strata_sqlite_backend);
	assert_ptr_equal(strata_backend_for_url("postgresql://u@h/db"), &strata_postgres_backend);
	assert_ptr_equal(strata_backend_for_url("postgres://u@h/db"), &strata_postgres_backend);
	assert_ptr_equal(strata_backend_for_url("postgresql://"), &strata_postgres_backend);
	const char *bad[] = { "sqlite:", "SQLITE:x.db", "sqlite", "postgres:db", "postgresql:/x",
			      "oracle://scott@db", "", "x.db" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_null(strata_backend_for_url(bad[i]));
}

/* The table a new backend is added to: every entry fills what the core calls without
 * checking, its dialect flag word is one the splitter accepts, and its schemes reach it
 * (an earlier backend must not shadow them). */
static void test_registered_backends(void **state)
{
	(void)state;
	size_t n = 0;
	for (const strata_backend *const *p = strata_backends; *p; p++, n++) {
		const strata_backend *be = *p;
		assert_non_null(be->name);
		assert_non_null(be->url_forms);
		assert_non_null(be->schemes);
		assert_non_null(be->schemes[0]);
		assert_non_null(be->connect);
		assert_non_null(be->disconnect);
		assert_non_null(be->exec);
		assert_non_null(be->query);
		assert_non_null(be->begin);
		assert_non_null(be->commit);
		assert_non_null(be->rollback);
		assert_non_null(be->user_tables);
		assert_non_null(be->table_exists);
		assert_non_null(be->table_name);
		assert_non_null(be->version_ddl);
		assert_true(!be->lock == !be->unlock);
		assert_true(!be->fk_pause == !be->fk_resume);
		assert_true(!be->scratch_drop || be->scratch_copy);
		strata_stmtlist l = { 0 };
		strata_err e = STRATA_ERR_INIT;
		assert_int_equal(strata_split("SELECT 1; SELECT 2", 18, be->dialect, 1, &l, &e), 0);
		assert_int_equal(l.n, 2);
		strata_stmtlist_free(&l);
		for (const char *const *s = be->schemes; *s; s++) {
			char url[256];
			snprintf(url, sizeof url, "%sx", *s);
			assert_ptr_equal(strata_backend_for_url(url), be);
		}
	}
	assert_true(n >= 2);
}

/* Statements of `sql` under `dialect`, joined with '|'. */
static void cut(unsigned dialect, const char *sql, char *out, size_t cap)
{
	strata_stmtlist l = { 0 };
	strata_err e = STRATA_ERR_INIT;
	assert_int_equal(strata_split(sql, strlen(sql), dialect, 1, &l, &e), 0);
	out[0] = '\0';
	for (size_t i = 0; i < l.n; i++) {
		if (i)
			strncat(out, "|", cap - strlen(out) - 1);
		strncat(out, l.v[i].sql, cap - strlen(out) - 1);
	}
	strata_stmtlist_free(&l);
}

/* A body rule alone takes its family's lexical flags; spelled out, the same flags cut the
 * same; a flag left out changes exactly what it names. */
static void test_flag_words(void **state)
{
	(void)state;
	char a[256], b[256];
	const char *lite = "CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END; SELECT [a;b]; "
			   "SELECT `c;d`";
	cut(STRATA_DIALECT_SQLITE, lite, a, sizeof a);
	cut(STRATA_SQL_BODY_TRIGGER | STRATA_SQL_TRIGGER_DEFAULTS, lite, b, sizeof b);
	assert_string_equal(a, b);
	assert_string_equal(a, "CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END|"
			       "SELECT [a;b]|SELECT `c;d`");
	/* Backticks without brackets, as MySQL quotes. */
	cut(STRATA_SQL_BODY_TRIGGER | STRATA_SQL_BACKTICK_IDENTS, lite, b, sizeof b);
	assert_string_equal(b, "CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END|"
			       "SELECT [a|b]|SELECT `c;d`");

	const char *pg = "SELECT $$a;b$$; SELECT E'\\';'; /* x /* y */ ; */ SELECT 1";
	cut(STRATA_DIALECT_POSTGRES, pg, a, sizeof a);
	cut(STRATA_SQL_BODY_BLOCKS | STRATA_SQL_BLOCK_DEFAULTS, pg, b, sizeof b);
	assert_string_equal(a, b);
	assert_string_equal(a, "SELECT $$a;b$$|SELECT E'\\';'|SELECT 1");
	/* Without dollar quoting, $$ quotes nothing. */
	cut(STRATA_SQL_BODY_BLOCKS | STRATA_SQL_E_STRINGS | STRATA_SQL_NESTED_COMMENTS,
	    "SELECT $$a;b$$", b, sizeof b);
	assert_string_equal(b, "SELECT $$a|b$$");
}

/* A flag word without exactly one body rule, or with a bit this version does not know,
 * is refused by name. */
static void test_bad_flag_words(void **state)
{
	(void)state;
	strata_stmtlist l = { 0 };
	strata_err e = STRATA_ERR_INIT;
	assert_int_equal(strata_split("SELECT 1", 8, STRATA_SQL_BRACKET_IDENTS, 1, &l, &e),
			 STRATA_EFAIL);
	assert_string_equal(e.msg, "unknown SQL dialect 4");
	assert_int_equal(strata_split("SELECT 1", 8, STRATA_SQL_BODY_TRIGGER | 0x80u, 1, &l, &e),
			 STRATA_EFAIL);
	assert_string_equal(e.msg, "unknown SQL dialect 129");
	assert_int_equal(l.n, 0);
	err_clear(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_matching),
		cmocka_unit_test(test_registered_backends),
		cmocka_unit_test(test_flag_words),
		cmocka_unit_test(test_bad_flag_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
