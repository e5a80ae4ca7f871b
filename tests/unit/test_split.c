/*
 * Unit tests for the statement splitter (src/core/split.c).
 *
 * Every input is handed over in a buffer of exactly its length (no NUL after it), so the
 * sanitizer build catches any read past `len`. Every SQLite case is also cut a second
 * way, by sqlite3_complete() itself, and the two cuts must agree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/split.h"
#include "strata/backend.h"

#define SQLITE STRATA_DIALECT_SQLITE
#define PG     STRATA_DIALECT_POSTGRES
#define MY     STRATA_DIALECT_MYSQL

typedef struct expect {
	const char *sql;
	int line;
} expect;

/* Splits in[0..len) from a malloc'd copy of exactly len bytes; returns the status. */
static int split_exact(const char *in, size_t len, int dialect, int first_line,
		       strata_stmtlist *out, strata_err *e)
{
	char *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	if (len)
		memcpy(copy, in, len);
	int rc = strata_split(copy, len, dialect, first_line, out, e);
	free(copy);
	return rc;
}

/* Whether SQLite finds no statement at all in `s` (only whitespace, comments, ';'). */
static int sqlite_blank(sqlite3 *db, const char *s)
{
	const char *tail = s;
	while (*tail) {
		sqlite3_stmt *st = NULL;
		const char *next = NULL;
		int rc = sqlite3_prepare_v2(db, tail, -1, &st, &next);
		if (st) {
			sqlite3_finalize(st);
			return 0;
		}
		if (rc != SQLITE_OK)
			return 0;
		if (!next || next == tail)
			break;
		tail = next;
	}
	return 1;
}

/* Whether in[from..to) is blank to SQLite. */
static int sqlite_blank_range(sqlite3 *db, const char *in, size_t from, size_t to)
{
	char *s = strndup(in + from, to - from);
	assert_non_null(s);
	int blank = sqlite_blank(db, s);
	free(s);
	return blank;
}

/* Cuts `in` where sqlite3_complete() first says "complete" and checks that each piece
 * holds exactly one of our statements with nothing but blanks around it, or is blank. */
static void crosscheck_sqlite(const char *in, const strata_stmtlist *l)
{
	sqlite3 *db = NULL;
	size_t n = strlen(in), start = 0, k = 0, cur = 0, i;
	size_t *pos = calloc(l->n + 1, sizeof *pos);

	assert_non_null(pos);
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	for (i = 0; i < l->n; i++) {
		const char *hit = strstr(in + cur, l->v[i].sql);
		assert_non_null(hit);
		pos[i] = (size_t)(hit - in);
		cur = pos[i] + strlen(l->v[i].sql);
	}
	for (i = 0; i <= n && start < n; i++) {
		if (i < n && in[i] != ';')
			continue;
		size_t end = i < n ? i + 1 : n;
		char *piece = strndup(in + start, end - start);
		assert_non_null(piece);
		if (i < n && !sqlite3_complete(piece)) {
			free(piece);
			continue;
		}
		if (k < l->n && pos[k] >= start && pos[k] < end) {
			size_t stop = pos[k] + strlen(l->v[k].sql);
			assert_true(stop <= end);
			assert_true(sqlite_blank_range(db, in, start, pos[k]));
			assert_true(sqlite_blank_range(db, in, stop, end));
			if (i < n) {
				char *with_semi = malloc(strlen(l->v[k].sql) + 2);
				assert_non_null(with_semi);
				memcpy(with_semi, l->v[k].sql, strlen(l->v[k].sql));
				memcpy(with_semi + strlen(l->v[k].sql), ";", 2);
				assert_true(sqlite3_complete(with_semi));
				free(with_semi);
			}
			k++;
		} else {
			assert_true(sqlite_blank(db, piece));
		}
		free(piece);
		start = end;
	}
	assert_int_equal(k, l->n);
	sqlite3_close(db);
	free(pos);
}

/* Splits `in` and asserts exactly the statements `want` (text and line). */
static void check_split(int dialect, const char *in, int first_line, const expect *want,
			size_t nwant)
{
	strata_stmtlist l = { 0 };
	strata_err e = STRATA_ERR_INIT;
	size_t i;

	int rc = split_exact(in, strlen(in), dialect, first_line, &l, &e);
	if (rc)
		fail_msg("split failed: %s", e.msg ? e.msg : "(no message)");
	if (l.n != nwant) {
		for (i = 0; i < l.n; i++)
			print_message("got [%zu] line %d: <%s>\n", i, l.v[i].line, l.v[i].sql);
	}
	assert_int_equal(l.n, nwant);
	for (i = 0; i < nwant; i++) {
		assert_string_equal(l.v[i].sql, want[i].sql);
		assert_int_equal(l.v[i].line, want[i].line);
	}
	if (dialect == SQLITE)
		crosscheck_sqlite(in, &l);
	strata_stmtlist_free(&l);
	assert_null(l.v);
	assert_int_equal(l.n, 0);
	err_clear(&e);
}

#define EXPECT_AT(d, first, in, ...)                                                    \
	do {                                                                             \
		const expect w_[] = { __VA_ARGS__ };                                     \
		check_split((d), (in), (first), w_, sizeof w_ / sizeof w_[0]);          \
	} while (0)
#define EXPECT(d, in, ...) EXPECT_AT(d, 1, in, __VA_ARGS__)
#define EXPECT_NONE(d, in) check_split((d), (in), 1, NULL, 0)

/* Asserts that splitting in[0..len) fails with exactly `msg`, leaving a list that already
 * held one statement untouched. */
static void check_error_len(int dialect, const char *in, size_t len, int first_line,
			    const char *msg)
{
	strata_stmtlist l = { 0 };
	strata_err e = STRATA_ERR_INIT;

	assert_int_equal(strata_split("SELECT 0;", 9, dialect, 1, &l, &e), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(split_exact(in, len, dialect, first_line, &l, &e), STRATA_EFAIL);
	assert_int_equal(e.code, STRATA_EFAIL);
	assert_non_null(e.msg);
	assert_string_equal(e.msg, msg);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].sql, "SELECT 0");
	strata_stmtlist_free(&l);
	err_clear(&e);
}

/* Like check_error_len, for a C string. */
static void check_error(int dialect, const char *in, int first_line, const char *msg)
{
	check_error_len(dialect, in, strlen(in), first_line, msg);
}

/* ---- both dialects ---------------------------------------------------------------- */

/* Plain statements, one or several per line. */
static void test_simple(void **state)
{
	(void)state;
	int d;
	for (d = SQLITE; d <= PG; d++) {
		EXPECT(d, "SELECT 1; SELECT 2;", { "SELECT 1", 1 }, { "SELECT 2", 1 });
		EXPECT(d, "CREATE TABLE t(a INT);\nINSERT INTO t VALUES (1);\n",
		       { "CREATE TABLE t(a INT)", 1 }, { "INSERT INTO t VALUES (1)", 2 });
		EXPECT(d, "  \n\t SELECT 1 \t\n ;\n", { "SELECT 1", 2 });
	}
}

/* The last statement needs no ';'. */
static void test_no_trailing_semicolon(void **state)
{
	(void)state;
	int d;
	for (d = SQLITE; d <= PG; d++) {
		EXPECT(d, "CREATE TABLE t(a);\nINSERT INTO t VALUES (1)",
		       { "CREATE TABLE t(a)", 1 }, { "INSERT INTO t VALUES (1)", 2 });
		EXPECT(d, "SELECT 1\n\n", { "SELECT 1", 1 });
		EXPECT(d, "SELECT 1; -- the end", { "SELECT 1", 1 });
		EXPECT(d, "SELECT 1 -- no newline, no semicolon", { "SELECT 1", 1 });
	}
}

/* Nothing, whitespace and bare ';' give no statement. */
static void test_empty_input(void **state)
{
	(void)state;
	int d;
	for (d = SQLITE; d <= PG; d++) {
		EXPECT_NONE(d, "");
		EXPECT_NONE(d, "   \n\t\r\n  ");
		EXPECT_NONE(d, ";");
		EXPECT_NONE(d, ";;; ;\n;");
		EXPECT(d, ";;SELECT 1;;;SELECT 2;;", { "SELECT 1", 1 }, { "SELECT 2", 1 });
	}
	/* a NULL pointer with no bytes is an empty input */
	strata_stmtlist l = { 0 };
	assert_int_equal(strata_split(NULL, 0, SQLITE, 1, &l, NULL), 0);
	assert_int_equal(l.n, 0);
}

/* Comment-only input and comment-only statements are dropped. */
static void test_only_comments(void **state)
{
	(void)state;
	int d;
	for (d = SQLITE; d <= PG; d++) {
		EXPECT_NONE(d, "-- a\n/* b; */\n-- c;");
		EXPECT_NONE(d, "-- a\n;\n/* b */ ;\n-- c\n;");
		EXPECT_NONE(d, "/* only */");
	}
}

/* ';', comment markers and '' inside string literals. */
static void test_strings_with_semicolons(void **state)
{
	(void)state;
	int d;
	for (d = SQLITE; d <= PG; d++) {
		EXPECT(d, "INSERT INTO t VALUES ('a;b', 'it''s; ok');SELECT ';'",
		       { "INSERT INTO t VALUES ('a;b', 'it''s; ok')", 1 }, { "SELECT ';'", 1 });
		EXPECT(d, "SELECT 'line one;\nline two;\n'; SELECT 2;",
		       { "SELECT 'line one;\nline two;\n'", 1 }, { "SELECT 2", 3 });
		EXPECT(d, "SELECT '''';SELECT '';", { "SELECT ''''", 1 }, { "SELECT ''", 1 });
		EXPECT(d, "SELECT '--not a comment;', '/*;*/';",
		       { "SELECT '--not a comment;', '/*;*/'", 1 });
	}
}

/* ';' inside comments; comments inside statements are kept. */
static void test_comments_with_semicolons(void **state)
{
	(void)state;
	int d;
	for (d = SQLITE; d <= PG; d++) {
		EXPECT(d, "SELECT 1 -- not; here\n, 2; /* ; */ SELECT 3;",
		       { "SELECT 1 -- not; here\n, 2", 1 }, { "SELECT 3", 2 });
		EXPECT(d, "SELECT /* a; 'b */ 1;", { "SELECT /* a; 'b */ 1", 1 });
		/* comments after the last token are not part of the statement */
		EXPECT(d, "SELECT 1 /* trailing */ ;SELECT 2 -- trailing\n;",
		       { "SELECT 1", 1 }, { "SELECT 2", 1 });
		/* a minus or a slash alone is an operator, not a comment */
		EXPECT(d, "SELECT 1-1; SELECT 4/2;", { "SELECT 1-1", 1 }, { "SELECT 4/2", 1 });
		EXPECT(d, "SELECT 1 --;\n-2;", { "SELECT 1 --;\n-2", 1 });
	}
}

/* "..." identifiers with "" escapes hold ';' and comment markers. */
static void test_quoted_identifiers(void **state)
{
	(void)state;
	int d;
	for (d = SQLITE; d <= PG; d++) {
		EXPECT(d, "CREATE TABLE \"a;b\" (\"c\"\";d\" INT); SELECT \"x\"\"\";",
		       { "CREATE TABLE \"a;b\" (\"c\"\";d\" INT)", 1 }, { "SELECT \"x\"\"\"", 1 });
		EXPECT(d, "SELECT \"--\", \"/*\"; SELECT 2",
		       { "SELECT \"--\", \"/*\"", 1 }, { "SELECT 2", 1 });
	}
}

/* Comments before the first token are dropped and `line` is that token's. */
static void test_leading_comments_dropped(void **state)
{
	(void)state;
	int d;
	for (d = SQLITE; d <= PG; d++) {
		EXPECT(d, "-- header\n-- more\n\nCREATE TABLE t(a);\n-- about u\nCREATE TABLE u(b);",
		       { "CREATE TABLE t(a)", 4 }, { "CREATE TABLE u(b)", 6 });
		EXPECT(d, "/* block\n comment */ SELECT 1;", { "SELECT 1", 2 });
		EXPECT(d, "SELECT 1; -- after\nSELECT 2;", { "SELECT 1", 1 }, { "SELECT 2", 2 });
	}
}

/* Lines count from first_line, across multi-line statements and literals. */
static void test_line_numbers(void **state)
{
	(void)state;
	int d;
	for (d = SQLITE; d <= PG; d++) {
		EXPECT_AT(d, 10,
			  "\n"
			  "CREATE TABLE t (\n"
			  "  a INT,\n"
			  "  b TEXT\n"
			  ");\n"
			  "\n"
			  "INSERT INTO t\n"
			  "VALUES (1, 'x');  SELECT\n"
			  "1;",
			  { "CREATE TABLE t (\n  a INT,\n  b TEXT\n)", 11 },
			  { "INSERT INTO t\nVALUES (1, 'x')", 16 }, { "SELECT\n1", 17 });
		/* newlines inside strings, identifiers and comments count too */
		EXPECT_AT(d, 5, "SELECT 'a\nb', \"c\nd\" /* e\nf */;\n-- g\nSELECT 2;",
			  { "SELECT 'a\nb', \"c\nd\"", 5 }, { "SELECT 2", 10 });
	}
}

/* CRLF input: lines count on '\n', the '\r' stays inside statements. */
static void test_crlf(void **state)
{
	(void)state;
	int d;
	for (d = SQLITE; d <= PG; d++) {
		EXPECT(d, "-- c\r\nCREATE TABLE t(\r\n  a INT\r\n);\r\nSELECT 1;\r\n",
		       { "CREATE TABLE t(\r\n  a INT\r\n)", 2 }, { "SELECT 1", 5 });
		EXPECT(d, "SELECT 1 -- c\r\n;\r\n\r\nSELECT 'x\r\ny'\r\n",
		       { "SELECT 1", 1 }, { "SELECT 'x\r\ny'", 4 });
	}
}

/* Results append to a list that already holds statements. */
static void test_appends(void **state)
{
	(void)state;
	strata_stmtlist l = { 0 };
	strata_err e = STRATA_ERR_INIT;
	size_t i;
	char text[32];

	/* enough calls to grow the array several times */
	for (i = 0; i < 40; i++) {
		int n = snprintf(text, sizeof text, "SELECT %zu;", i);
		assert_int_equal(strata_split(text, (size_t)n, PG, (int)i + 1, &l, &e), 0);
	}
	assert_int_equal(l.n, 40);
	for (i = 0; i < 40; i++) {
		snprintf(text, sizeof text, "SELECT %zu", i);
		assert_string_equal(l.v[i].sql, text);
		assert_int_equal(l.v[i].line, (int)i + 1);
	}
	strata_stmtlist_free(&l);
	assert_int_equal(l.cap, 0);
}

/* Unterminated literals, identifiers and comments fail with their first line. */
static void test_unterminated(void **state)
{
	(void)state;
	int d;
	for (d = SQLITE; d <= PG; d++) {
		check_error(d, "SELECT 1;\nSELECT 'abc;\n\n", 1, "line 2: unterminated string literal");
		check_error(d, "SELECT 'it''s", 1, "line 1: unterminated string literal");
		check_error(d, "SELECT 1;\n\nSELECT \"abc", 7, "line 9: unterminated quoted identifier");
		check_error(d, "SELECT 1; /* open\n\n", 1, "line 1: unterminated /* comment");
		check_error(d, "SELECT 1;\nSELECT 2 /* open */ */ /*", 1,
			    "line 2: unterminated /* comment");
		/* the line is where the construct began, not where the input ended */
		check_error(d, "\n\nSELECT 'a\nb\nc", 1, "line 3: unterminated string literal");
	}
	check_error(SQLITE, "SELECT [abc;\n", 1, "line 1: unterminated quoted identifier");
	check_error(SQLITE, "SELECT 1;\nSELECT `abc", 1, "line 2: unterminated quoted identifier");
}

/* Found by fuzz_split: a failure after some statements were cut must not leave an array
 * behind in a list that owned none, or a caller that bails out without freeing leaks. */
static void test_error_leaves_zeroed_list(void **state)
{
	(void)state;
	strata_stmtlist l = { 0 };
	strata_err e = STRATA_ERR_INIT;
	int d;
	for (d = SQLITE; d <= PG; d++) {
		assert_int_equal(split_exact("SELECT 1; SELECT 2;\nSELECT 'x", 29, d, 1, &l, &e),
				 STRATA_EFAIL);
		assert_string_equal(e.msg, "line 2: unterminated string literal");
		assert_null(l.v);
		assert_int_equal(l.n, 0);
		assert_int_equal(l.cap, 0);
		err_clear(&e);
	}
}

/* A NUL byte and an unknown dialect are errors. */
static void test_nul_and_bad_dialect(void **state)
{
	(void)state;
	static const char nul_in[] = "SELECT 1;\nSELECT '\0';";
	check_error_len(SQLITE, nul_in, sizeof nul_in - 1, 3, "line 4: NUL byte in SQL text");
	check_error_len(PG, "\0", 1, 1, "line 1: NUL byte in SQL text");

	strata_stmtlist l = { 0 };
	strata_err e = STRATA_ERR_INIT;
	assert_int_equal(strata_split("SELECT 1", 8, 0, 1, &l, &e), STRATA_EFAIL);
	assert_string_equal(e.msg, "unknown SQL dialect 0");
	assert_int_equal(strata_split("SELECT 1", 8, 99, 1, &l, &e), STRATA_EFAIL);
	assert_string_equal(e.msg, "unknown SQL dialect 99");
	assert_int_equal(l.n, 0);
	err_clear(&e);
}

/* ---- MariaDB/MySQL ---------------------------------------------------------------- */

/* Backslash escapes, backquoted identifiers, # and "-- " comments; "--" without a
 * space is two minus signs. */
static void test_my_quotes_comments(void **state)
{
	(void)state;
	EXPECT(MY, "INSERT INTO t VALUES ('a\\';b', \"c;\\\"d\"); # x;y\nSELECT `a;``b` FROM t",
	       { "INSERT INTO t VALUES ('a\\';b', \"c;\\\"d\")", 1 }, { "SELECT `a;``b` FROM t", 2 });
	EXPECT(MY, "SELECT 1--1;\n-- gone;\nSELECT 2", { "SELECT 1--1", 1 }, { "SELECT 2", 3 });
	EXPECT(MY, "/*!40101 SET NAMES utf8mb4 */;\n/* plain; */ SELECT 3",
	       { "/*!40101 SET NAMES utf8mb4 */", 1 }, { "SELECT 3", 2 });
	check_error(MY, "SELECT 'abc\\';", 1, "line 1: unterminated string literal");
}

/* DELIMITER lines, as the mysql client reads them, and routine bodies without them. */
static void test_my_delimiter_and_bodies(void **state)
{
	(void)state;
	EXPECT(MY,
	       "DELIMITER $$\n"
	       "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END$$\n"
	       "DELIMITER ;\n"
	       "SELECT 3;",
	       { "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END", 2 }, { "SELECT 3", 4 });
	EXPECT(MY,
	       "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN\n"
	       "  IF NEW.a > 1 THEN SET NEW.b = IF(NEW.a > 2, 1, 0); END IF;\n"
	       "  WHILE x DO SET x = x - 1; END WHILE;\n"
	       "  SET NEW.c = CASE WHEN 1 THEN 2 END;\n"
	       "END;\n"
	       "CREATE TABLE begin_end (x INT);",
	       { "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN\n"
		 "  IF NEW.a > 1 THEN SET NEW.b = IF(NEW.a > 2, 1, 0); END IF;\n"
		 "  WHILE x DO SET x = x - 1; END WHILE;\n"
		 "  SET NEW.c = CASE WHEN 1 THEN 2 END;\n"
		 "END",
		 1 },
	       { "CREATE TABLE begin_end (x INT)", 6 });
	EXPECT(MY, "CREATE TRIGGER t2 AFTER DELETE ON t FOR EACH ROW DELETE FROM u WHERE id = OLD.id; SELECT 1",
	       { "CREATE TRIGGER t2 AFTER DELETE ON t FOR EACH ROW DELETE FROM u WHERE id = OLD.id", 1 },
	       { "SELECT 1", 1 });
}

/* ---- SQLite ------------------------------------------------------------------------ */

/* SQLite's [...] and `...` identifiers. */
static void test_sqlite_identifiers(void **state)
{
	(void)state;
	EXPECT(SQLITE, "CREATE TABLE [a;b] ([c;d] INT, `e;f` TEXT, `g``;h` INT); SELECT 1",
	       { "CREATE TABLE [a;b] ([c;d] INT, `e;f` TEXT, `g``;h` INT)", 1 },
	       { "SELECT 1", 1 });
	/* no escape inside [...]: the first ']' closes it */
	EXPECT(SQLITE, "SELECT [a]];SELECT 2", { "SELECT [a]]", 1 }, { "SELECT 2", 1 });
}

/* A trigger body's ';' do not cut it. */
static void test_sqlite_trigger(void **state)
{
	(void)state;
	EXPECT(SQLITE,
	       "CREATE TABLE t(a, b);\n"
	       "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n"
	       "  UPDATE t SET b = 1 WHERE a = new.a;\n"
	       "  INSERT INTO t VALUES (';', 'END;');\n"
	       "  DELETE FROM t WHERE a IS NULL;\n"
	       "END;\n"
	       "SELECT 1;",
	       { "CREATE TABLE t(a, b)", 1 },
	       { "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n"
		 "  UPDATE t SET b = 1 WHERE a = new.a;\n"
		 "  INSERT INTO t VALUES (';', 'END;');\n"
		 "  DELETE FROM t WHERE a IS NULL;\n"
		 "END",
		 2 },
	       { "SELECT 1", 7 });
}

/* CASE … END inside a trigger body does not end the trigger. */
static void test_sqlite_trigger_case(void **state)
{
	(void)state;
	/* CASE … END inside the body, also as the body's last statement, and nested */
	EXPECT(SQLITE,
	       "CREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW WHEN new.a > 0 BEGIN\n"
	       "  UPDATE t SET b = CASE WHEN new.a > 10 THEN 'big' ELSE 'small' END;\n"
	       "  SELECT CASE new.a WHEN 1 THEN CASE WHEN 1 THEN 2 END ELSE 3 END;\n"
	       "END;\n"
	       "CREATE TRIGGER tr2 AFTER DELETE ON t BEGIN\n"
	       "  SELECT RAISE(ABORT, 'no') WHERE CASE old.a WHEN 1 THEN 1 END;\n"
	       "END ;",
	       { "CREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW WHEN new.a > 0 BEGIN\n"
		 "  UPDATE t SET b = CASE WHEN new.a > 10 THEN 'big' ELSE 'small' END;\n"
		 "  SELECT CASE new.a WHEN 1 THEN CASE WHEN 1 THEN 2 END ELSE 3 END;\n"
		 "END",
		 1 },
	       { "CREATE TRIGGER tr2 AFTER DELETE ON t BEGIN\n"
		 "  SELECT RAISE(ABORT, 'no') WHERE CASE old.a WHEN 1 THEN 1 END;\n"
		 "END",
		 5 });
}

/* TEMP/TEMPORARY, IF NOT EXISTS, EXPLAIN, comments before the final ';'. */
static void test_sqlite_trigger_variants(void **state)
{
	(void)state;
	EXPECT(SQLITE, "create temp trigger x after insert on t begin select 1; end; select 2;",
	       { "create temp trigger x after insert on t begin select 1; end", 1 },
	       { "select 2", 1 });
	EXPECT(SQLITE, "CREATE TEMPORARY TRIGGER IF NOT EXISTS x AFTER INSERT ON t BEGIN SELECT 1; END",
	       { "CREATE TEMPORARY TRIGGER IF NOT EXISTS x AFTER INSERT ON t BEGIN SELECT 1; END", 1 });
	EXPECT(SQLITE, "EXPLAIN QUERY PLAN CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1; END;SELECT 2",
	       { "EXPLAIN QUERY PLAN CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1; END", 1 },
	       { "SELECT 2", 1 });
	/* comments between "; END" and ";" */
	EXPECT(SQLITE, "CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1; /* c */ END -- d\n; SELECT 2",
	       { "CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1; /* c */ END", 1 },
	       { "SELECT 2", 2 });
	/* the trigger's name or a string saying END does not end it */
	EXPECT(SQLITE, "CREATE TRIGGER \"end\" AFTER INSERT ON t BEGIN SELECT 'END;'; END;",
	       { "CREATE TRIGGER \"end\" AFTER INSERT ON t BEGIN SELECT 'END;'; END", 1 });
}

/* BEGIN/END and the word TRIGGER outside CREATE TRIGGER cut as usual. */
static void test_sqlite_not_trigger(void **state)
{
	(void)state;
	/* BEGIN … END is a transaction outside CREATE TRIGGER */
	EXPECT(SQLITE, "BEGIN; INSERT INTO t VALUES (1); END;",
	       { "BEGIN", 1 }, { "INSERT INTO t VALUES (1)", 1 }, { "END", 1 });
	/* TRIGGER must follow CREATE [TEMP] directly */
	EXPECT(SQLITE, "CREATE TABLE trigger_log(a); CREATE UNIQUE INDEX i ON t(a); SELECT 'x'",
	       { "CREATE TABLE trigger_log(a)", 1 }, { "CREATE UNIQUE INDEX i ON t(a)", 1 },
	       { "SELECT 'x'", 1 });
	EXPECT(SQLITE, "SELECT 1 AS trigger; DROP TRIGGER tr; SELECT 2",
	       { "SELECT 1 AS trigger", 1 }, { "DROP TRIGGER tr", 1 }, { "SELECT 2", 1 });
}

/* A trigger never closed runs to the end of the input. */
static void test_sqlite_unclosed_trigger(void **state)
{
	(void)state;
	/* a trigger without "; END" runs to the end of the input, as in the sqlite3 shell;
	 * SQLite itself then reports the error when the statement runs */
	EXPECT(SQLITE, "SELECT 0; CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1;\nSELECT 2;",
	       { "SELECT 0", 1 },
	       { "CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1;\nSELECT 2;", 1 });
}

/* PostgreSQL's quoting, nesting and parentheses do not apply to SQLite. */
static void test_sqlite_no_pg_syntax(void **state)
{
	(void)state;
	/* none of PostgreSQL's quoting applies to SQLite */
	EXPECT(SQLITE, "SELECT $$a; SELECT 2", { "SELECT $$a", 1 }, { "SELECT 2", 1 });
	EXPECT(SQLITE, "SELECT E'a\\'; SELECT 2", { "SELECT E'a\\'", 1 }, { "SELECT 2", 1 });
	/* comments do not nest in SQLite: the first star-slash closes it */
	EXPECT(SQLITE, "/* a /* b */ SELECT 1; /* c */ */ SELECT 2;",
	       { "SELECT 1", 1 }, { "*/ SELECT 2", 1 });
	/* nor does a parenthesis hold a ';' */
	EXPECT(SQLITE, "SELECT (1; SELECT 2)", { "SELECT (1", 1 }, { "SELECT 2)", 1 });
}

/* ---- PostgreSQL -------------------------------------------------------------------- */

/* $$ bodies hold ';', quotes and comment markers. */
static void test_pg_dollar_quotes(void **state)
{
	(void)state;
	EXPECT(PG,
	       "CREATE FUNCTION f() RETURNS int AS $$\n"
	       "BEGIN\n"
	       "  RAISE NOTICE 'x;';\n"
	       "  RETURN 1;\n"
	       "END;\n"
	       "$$ LANGUAGE plpgsql;\n"
	       "SELECT f();",
	       { "CREATE FUNCTION f() RETURNS int AS $$\n"
		 "BEGIN\n"
		 "  RAISE NOTICE 'x;';\n"
		 "  RETURN 1;\n"
		 "END;\n"
		 "$$ LANGUAGE plpgsql",
		 1 },
	       { "SELECT f()", 7 });
	EXPECT(PG, "SELECT $$it's; \"here\" /* -- $$; SELECT $_1$;$_1$;",
	       { "SELECT $$it's; \"here\" /* -- $$", 1 }, { "SELECT $_1$;$_1$", 1 });
}

/* $tag$ bodies close only at the same tag. */
static void test_pg_dollar_tags_nested(void **state)
{
	(void)state;
	EXPECT(PG,
	       "CREATE FUNCTION g() RETURNS void AS $fn$\n"
	       "BEGIN\n"
	       "  EXECUTE $$CREATE TABLE a (x int); DROP TABLE a;$$;\n"
	       "  EXECUTE $q$ SELECT ';' $q$;\n"
	       "  PERFORM $fnx$ $fn $f$ $fn_$;\n"
	       "END\n"
	       "$fn$ LANGUAGE plpgsql;\n"
	       "DROP FUNCTION g();",
	       { "CREATE FUNCTION g() RETURNS void AS $fn$\n"
		 "BEGIN\n"
		 "  EXECUTE $$CREATE TABLE a (x int); DROP TABLE a;$$;\n"
		 "  EXECUTE $q$ SELECT ';' $q$;\n"
		 "  PERFORM $fnx$ $fn $f$ $fn_$;\n"
		 "END\n"
		 "$fn$ LANGUAGE plpgsql",
		 1 },
	       { "DROP FUNCTION g()", 8 });
	/* a failed delimiter hands its last '$' back: $a$ … $b$a$ closes at "$a$" */
	EXPECT(PG, "SELECT $a$ x $b$a$; SELECT 2", { "SELECT $a$ x $b$a$", 1 }, { "SELECT 2", 1 });
	/* tags are case-sensitive */
	EXPECT(PG, "SELECT $T$ $t$; $T$; SELECT 2", { "SELECT $T$ $t$; $T$", 1 }, { "SELECT 2", 1 });
}

/* $1 parameters, '$' inside identifiers and lone '$' open no quote. */
static void test_pg_dollar_not_quotes(void **state)
{
	(void)state;
	/* $1 is a parameter */
	EXPECT(PG, "PREPARE p (int) AS SELECT $1; EXECUTE p(1);",
	       { "PREPARE p (int) AS SELECT $1", 1 }, { "EXECUTE p(1)", 1 });
	EXPECT(PG, "SELECT $1;SELECT $12 + $2;", { "SELECT $1", 1 }, { "SELECT $12 + $2", 1 });
	/* a tag cannot start with a digit: $1x$ is $1, x$ (an identifier) */
	EXPECT(PG, "SELECT $1x$; SELECT 2", { "SELECT $1x$", 1 }, { "SELECT 2", 1 });
	/* '$' inside an identifier belongs to it */
	EXPECT(PG, "SELECT a$$b, c$; SELECT 2", { "SELECT a$$b, c$", 1 }, { "SELECT 2", 1 });
	/* a '$' that opens no delimiter is a lone character */
	EXPECT(PG, "SELECT $a; SELECT $ ; SELECT $", { "SELECT $a", 1 }, { "SELECT $", 1 },
	       { "SELECT $", 1 });
}

/* E'' strings with backslash escapes; plain strings have none. */
static void test_pg_e_strings(void **state)
{
	(void)state;
	EXPECT(PG, "SELECT E'it\\'s; fine'; SELECT 2", { "SELECT E'it\\'s; fine'", 1 },
	       { "SELECT 2", 1 });
	EXPECT(PG, "SELECT e'\\\\'; SELECT e'a''b\\\\\\';';",
	       { "SELECT e'\\\\'", 1 }, { "SELECT e'a''b\\\\\\';'", 1 });
	EXPECT(PG, "SELECT E'a\\\nb;'; SELECT 2;", { "SELECT E'a\\\nb;'", 1 }, { "SELECT 2", 2 });
	/* only a word that is just E opens one: abcE'…' is an identifier and a plain string,
	 * where a backslash escapes nothing */
	EXPECT(PG, "SELECT abcE'x\\'; SELECT 2", { "SELECT abcE'x\\'", 1 }, { "SELECT 2", 1 });
	EXPECT(PG, "SELECT 'x\\'; SELECT 2", { "SELECT 'x\\'", 1 }, { "SELECT 2", 1 });
	check_error(PG, "SELECT 1;\nSELECT E'abc\\'", 1, "line 2: unterminated string literal");
	check_error(PG, "SELECT E'abc\\", 1, "line 1: unterminated string literal");
}

/* PostgreSQL comments nest. */
static void test_pg_nested_comments(void **state)
{
	(void)state;
	EXPECT(PG, "/* a /* b; */ c; */ SELECT 1; SELECT /* x /* y */ ; */ 2;",
	       { "SELECT 1", 1 }, { "SELECT /* x /* y */ ; */ 2", 1 });
	EXPECT(PG, "SELECT 1 /*/ still; */ ;", { "SELECT 1", 1 });
	EXPECT(PG, "SELECT 2 /***/; SELECT 3 /**/;", { "SELECT 2", 1 }, { "SELECT 3", 1 });
	check_error(PG, "SELECT 1;\n/* /* */ SELECT 2;", 1, "line 2: unterminated /* comment");
}

/* psql does not cut inside parentheses. */
static void test_pg_parentheses(void **state)
{
	(void)state;
	/* psql does not cut inside parentheses */
	EXPECT(PG,
	       "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); "
	       "INSERT INTO b VALUES (2));\nSELECT 1;",
	       { "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); "
		 "INSERT INTO b VALUES (2))",
		 1 },
	       { "SELECT 1", 2 });
	/* a stray ')' does not leave the depth below zero */
	EXPECT(PG, "SELECT 1); SELECT (2);", { "SELECT 1)", 1 }, { "SELECT (2)", 1 });
	/* an unclosed '(' runs to the end, where the server reports it */
	EXPECT(PG, "SELECT (1; SELECT 2;", { "SELECT (1; SELECT 2;", 1 });
}

/* BEGIN ATOMIC … END bodies of functions and procedures. */
static void test_pg_begin_atomic(void **state)
{
	(void)state;
	EXPECT(PG,
	       "CREATE FUNCTION f(a int) RETURNS text LANGUAGE sql\n"
	       "BEGIN ATOMIC\n"
	       "  SELECT CASE WHEN a > 0 THEN 'pos' ELSE 'neg' END;\n"
	       "  SELECT 'x;';\n"
	       "END;\n"
	       "SELECT f(1);",
	       { "CREATE FUNCTION f(a int) RETURNS text LANGUAGE sql\n"
		 "BEGIN ATOMIC\n"
		 "  SELECT CASE WHEN a > 0 THEN 'pos' ELSE 'neg' END;\n"
		 "  SELECT 'x;';\n"
		 "END",
		 1 },
	       { "SELECT f(1)", 6 });
	EXPECT(PG,
	       "create or replace procedure p() language sql begin atomic insert into t values (1); "
	       "update t set a = case a when 1 then 2 end; end; call p();",
	       { "create or replace procedure p() language sql begin atomic insert into t values (1); "
		 "update t set a = case a when 1 then 2 end; end",
		 1 },
	       { "call p()", 1 });
	EXPECT(PG, "CREATE OR REPLACE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT 1; END",
	       { "CREATE OR REPLACE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT 1; END", 1 });
}

/* BEGIN/END outside CREATE FUNCTION|PROCEDURE cut as usual. */
static void test_pg_begin_not_function(void **state)
{
	(void)state;
	/* transactions, and BEGIN/END words inside a $$ body, cut as usual */
	EXPECT(PG, "BEGIN; SELECT 1; END; COMMIT;",
	       { "BEGIN", 1 }, { "SELECT 1", 1 }, { "END", 1 }, { "COMMIT", 1 });
	EXPECT(PG, "CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END $$ LANGUAGE plpgsql; BEGIN; SELECT 1;",
	       { "CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END $$ LANGUAGE plpgsql", 1 },
	       { "BEGIN", 1 }, { "SELECT 1", 1 });
	/* BEGIN and END are counted only in CREATE [OR REPLACE] FUNCTION|PROCEDURE */
	EXPECT(PG, "CREATE TABLE begin (\"end\" int); INSERT INTO begin VALUES (1);",
	       { "CREATE TABLE begin (\"end\" int)", 1 }, { "INSERT INTO begin VALUES (1)", 1 });
	EXPECT(PG, "SELECT 1 AS create, 2 AS function, 3 AS begin; SELECT 2;",
	       { "SELECT 1 AS create, 2 AS function, 3 AS begin", 1 }, { "SELECT 2", 1 });
	/* CASE outside a BEGIN block is not counted */
	EXPECT(PG, "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql RETURN CASE a WHEN 1 THEN 1 END; SELECT 2;",
	       { "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql RETURN CASE a WHEN 1 THEN 1 END", 1 },
	       { "SELECT 2", 1 });
	/* a parameter named begin, inside parentheses, opens nothing */
	EXPECT(PG, "CREATE FUNCTION f(begin int) RETURNS int LANGUAGE sql RETURN 1; SELECT 2;",
	       { "CREATE FUNCTION f(begin int) RETURNS int LANGUAGE sql RETURN 1", 1 },
	       { "SELECT 2", 1 });
}

/* An unclosed dollar quote fails naming its tag (shortened when long). */
static void test_pg_unterminated_dollar(void **state)
{
	(void)state;
	check_error(PG, "SELECT 1;\n\nCREATE FUNCTION f() AS $$\nSELECT 1;\n", 1,
		    "line 3: unterminated dollar-quoted string $$");
	check_error(PG, "SELECT $body$ x $body; $bod$ $Body$", 20,
		    "line 20: unterminated dollar-quoted string $body$");
	char in[200];
	memcpy(in, "SELECT $", 8);
	memset(in + 8, 'a', 100);
	memcpy(in + 108, "$ x", 3);
	char msg[128];
	snprintf(msg, sizeof msg, "line 1: unterminated dollar-quoted string $%.63s...",
		 in + 8);
	check_error_len(PG, in, 111, 1, msg);
}

/* SQLite's quoting and triggers do not apply to PostgreSQL. */
static void test_pg_no_sqlite_syntax(void **state)
{
	(void)state;
	/* brackets and backquotes quote nothing in PostgreSQL */
	EXPECT(PG, "SELECT a[1;2]; SELECT `x;y`",
	       { "SELECT a[1", 1 }, { "2]", 1 }, { "SELECT `x", 1 }, { "y`", 1 });
	/* nor does CREATE TRIGGER … BEGIN hold a ';' (PostgreSQL triggers call functions) */
	EXPECT(PG, "CREATE TRIGGER tr BEGIN SELECT 1; END;",
	       { "CREATE TRIGGER tr BEGIN SELECT 1", 1 }, { "END", 1 });
}

/* ---- size and speed ---------------------------------------------------------------- */

/* Fails when a pass took long enough to suggest quadratic work; the bound is far above
 * a linear pass even on a slow sanitizer build. */
static void assert_fast(clock_t t0)
{
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	if (secs > 10.0)
		fail_msg("splitting took %.1f s", secs);
}

/* 2 MB on one line, in shapes that would expose non-linear work. */
static void test_large_single_line(void **state)
{
	(void)state;
	const size_t big = 2u * 1024 * 1024;
	char *in = malloc(big + 64);
	strata_stmtlist l = { 0 };
	strata_err e = STRATA_ERR_INIT;
	size_t n, i;
	int d;

	assert_non_null(in);
	/* one 2 MB string literal full of semicolons */
	n = 0;
	memcpy(in, "INSERT INTO t VALUES ('", 23);
	n = 23;
	for (i = 0; i < big; i++)
		in[n++] = i % 7 == 0 ? ';' : 'x';
	memcpy(in + n, "');SELECT 1", 11);
	n += 11;
	for (d = SQLITE; d <= PG; d++) {
		clock_t t0 = clock();
		assert_int_equal(split_exact(in, n, d, 1, &l, &e), 0);
		assert_fast(t0);
		assert_int_equal(l.n, 2);
		assert_int_equal(strlen(l.v[0].sql), n - 9);
		assert_string_equal(l.v[1].sql, "SELECT 1");
		assert_int_equal(l.v[1].line, 1);
		strata_stmtlist_free(&l);
	}

	/* 2 MB of short statements on one line */
	n = 0;
	while (n + 9 <= big) {
		memcpy(in + n, "SELECT 1;", 9);
		n += 9;
	}
	for (d = SQLITE; d <= PG; d++) {
		clock_t t0 = clock();
		assert_int_equal(split_exact(in, n, d, 1, &l, &e), 0);
		assert_fast(t0);
		assert_int_equal(l.n, n / 9);
		assert_string_equal(l.v[l.n - 1].sql, "SELECT 1");
		strata_stmtlist_free(&l);
	}

	/* a dollar quote full of near-miss delimiters: each '$' is tried once */
	n = 0;
	memcpy(in, "SELECT $abcdefgh$", 17);
	n = 17;
	while (n + 8 <= big) {
		memcpy(in + n, "$abcdefg", 8);
		n += 8;
	}
	memcpy(in + n, "$abcdefgh$;", 11);
	n += 11;
	clock_t t0 = clock();
	assert_int_equal(split_exact(in, n, PG, 1, &l, &e), 0);
	assert_fast(t0);
	assert_int_equal(l.n, 1);
	assert_int_equal(strlen(l.v[0].sql), n - 1);
	strata_stmtlist_free(&l);

	/* a trigger body of 2 MB */
	n = 0;
	memcpy(in, "CREATE TRIGGER x AFTER INSERT ON t BEGIN ", 41);
	n = 41;
	while (n + 9 <= big) {
		memcpy(in + n, "SELECT 1;", 9);
		n += 9;
	}
	memcpy(in + n, "END;", 4);
	n += 4;
	t0 = clock();
	assert_int_equal(split_exact(in, n, SQLITE, 1, &l, &e), 0);
	assert_fast(t0);
	assert_int_equal(l.n, 1);
	assert_int_equal(strlen(l.v[0].sql), n - 1);
	strata_stmtlist_free(&l);

	free(in);
	err_clear(&e);
}

/* Runs every splitter test; exits non-zero when one fails. */
/* strata_split_tokens: each token with its kind, as "kind:text" lines. */
static int collect_token(void *ctx, const strata_split_tok *t)
{
	static const char kinds[] = "?wsqcoe";
	char line[256];
	snprintf(line, sizeof(line), "%c:%.*s\n", kinds[t->kind], (int)t->n, t->p);
	strncat((char *)ctx, line, 4095 - strlen((char *)ctx));
	return 0;
}

static void expect_tokens(const char *sql, int dialect, const char *want)
{
	char got[4096] = "";
	strata_err e = STRATA_ERR_INIT;
	assert_int_equal(strata_split_tokens(sql, strlen(sql), dialect, collect_token, got, &e), 0);
	if (strcmp(got, want) != 0) {
		print_error("tokens of %s\n---- got:\n%s---- want:\n%s", sql, got, want);
		fail();
	}
}

static void test_tokens(void **state)
{
	(void)state;
	expect_tokens("DELETE FROM \"a\"\"b\" WHERE x = 'it''s; DROP' -- c;\n;",
		      STRATA_DIALECT_SQLITE,
		      "w:DELETE\nw:FROM\nq:\"a\"\"b\"\nw:WHERE\nw:x\no:=\ns:'it''s; DROP'\n"
		      "c:-- c;\ne:;\n");
	expect_tokens("SELECT $x$ DROP $x$, E'\\\\' /* a /* b */ */ [t], $1;", STRATA_DIALECT_POSTGRES,
		      "w:SELECT\ns:$x$ DROP $x$\no:,\ns:E'\\\\'\nc:/* a /* b */ */\no:[\nw:t\no:]\no:,\n"
		      "o:$1\ne:;\n");
	expect_tokens("select [a b], `c`, 12x", STRATA_DIALECT_SQLITE,
		      "w:select\nq:[a b]\no:,\nq:`c`\no:,\no:12x\n");
	strata_err e = STRATA_ERR_INIT;
	char got[4096] = "";
	assert_int_equal(strata_split_tokens("x 'open", 7, STRATA_DIALECT_SQLITE, collect_token, got, &e),
			 STRATA_EFAIL);
	assert_non_null(strstr(e.msg, "unterminated string literal"));
	err_clear(&e);
}

/* Transaction-control statements, as the splitter cuts them: found whatever the case,
 * comments and spelling; never inside a trigger or function body, a string or a
 * dollar quote; ROLLBACK TO a savepoint is no end of the transaction. */
static void test_tx_control(void **state)
{
	(void)state;
	static const struct {
		const char *stmt;
		const char *want;
	} cases[] = {
		{ "COMMIT", "COMMIT" },
		{ "commit work", "COMMIT" },
		{ "/* done */ Commit -- now", "COMMIT" },
		{ "END", "END" },
		{ "end transaction", "END" },
		{ "ROLLBACK", "ROLLBACK" },
		{ "rollback transaction", "ROLLBACK" },
		{ "ROLLBACK PREPARED 'x'", "ROLLBACK" },
		{ "ABORT", "ABORT" },
		{ "PREPARE TRANSACTION 'x'", "PREPARE TRANSACTION" },
		{ "ROLLBACK TO sp1", NULL },
		{ "ROLLBACK TO SAVEPOINT sp1", NULL },
		{ "rollback transaction to savepoint sp1", NULL },
		{ "ROLLBACK WORK TO sp1", NULL },
		{ "PREPARE q AS SELECT 1", NULL },
		{ "SAVEPOINT sp1", NULL },
		{ "RELEASE sp1", NULL },
		{ "SELECT 'COMMIT'", NULL },
		{ "committed_rows", NULL },
		{ "INSERT INTO ending VALUES (1)", NULL },
		{ "\"COMMIT\"", NULL },
		{ "", NULL },
	};
	static const unsigned dialects[] = { SQLITE, PG, STRATA_DIALECT_MYSQL };
	for (size_t d = 0; d < sizeof dialects / sizeof dialects[0]; d++)
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			const char *got = strata_stmt_tx_control(cases[i].stmt, dialects[d]);
			if (!cases[i].want)
				assert_null(got);
			else
				assert_string_equal(got ? got : "(null)", cases[i].want);
		}
	/* The words are read by the splitter's lexer, with the dialect's comments: a
	 * nested comment (PostgreSQL) and a # comment (MariaDB) before the keyword. */
	assert_string_equal(strata_stmt_tx_control("/* a /* b */ c */ COMMIT", PG), "COMMIT");
	assert_string_equal(strata_stmt_tx_control("# why\nROLLBACK", STRATA_DIALECT_MYSQL), "ROLLBACK");
	assert_null(strata_stmt_tx_control("ROLLBACK /* x /* y */ z */ TO sp", PG));
	/* Whole sections: only top-level statements count. */
	static const struct {
		int dialect;
		const char *sql;
		int hits;
	} sections[] = {
		{ SQLITE, "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET x = 1; END;\nCOMMIT;", 1 },
		{ SQLITE, "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;", 0 },
		{ SQLITE, "INSERT INTO t VALUES ('COMMIT;');\n-- COMMIT;\n/* ROLLBACK; */", 0 },
		{ PG, "CREATE FUNCTION f() RETURNS void AS $$ BEGIN COMMIT; END $$ LANGUAGE plpgsql;", 0 },
		{ PG, "DO $x$ BEGIN ROLLBACK; END $x$;\nSAVEPOINT a;\nROLLBACK TO a;", 0 },
		{ PG, "CREATE PROCEDURE p() BEGIN ATOMIC SELECT 1; END;\nEND;", 1 },
		{ PG, "INSERT INTO t VALUES (1);\nROLLBACK;\nINSERT INTO t VALUES (2);\nCOMMIT;", 2 },
	};
	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
		strata_stmtlist l = { 0 };
		strata_err e = STRATA_ERR_INIT;
		assert_int_equal(strata_split(sections[i].sql, strlen(sections[i].sql), sections[i].dialect,
					      1, &l, &e), 0);
		int hits = 0;
		for (size_t j = 0; j < l.n; j++)
			hits += strata_stmt_tx_control(l.v[j].sql, (unsigned)sections[i].dialect) != NULL;
		assert_int_equal(hits, sections[i].hits);
		strata_stmtlist_free(&l);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_no_trailing_semicolon),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_only_comments),
		cmocka_unit_test(test_strings_with_semicolons),
		cmocka_unit_test(test_comments_with_semicolons),
		cmocka_unit_test(test_quoted_identifiers),
		cmocka_unit_test(test_leading_comments_dropped),
		cmocka_unit_test(test_line_numbers),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_appends),
		cmocka_unit_test(test_unterminated),
		cmocka_unit_test(test_error_leaves_zeroed_list),
		cmocka_unit_test(test_nul_and_bad_dialect),
		cmocka_unit_test(test_sqlite_identifiers),
		cmocka_unit_test(test_sqlite_trigger),
		cmocka_unit_test(test_sqlite_trigger_case),
		cmocka_unit_test(test_sqlite_trigger_variants),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_sqlite_not_trigger),
		cmocka_unit_test(test_sqlite_unclosed_trigger),
		cmocka_unit_test(test_sqlite_no_pg_syntax),
		cmocka_unit_test(test_pg_dollar_quotes),
		cmocka_unit_test(test_pg_dollar_tags_nested),
		cmocka_unit_test(test_pg_dollar_not_quotes),
		cmocka_unit_test(test_pg_e_strings),
		cmocka_unit_test(test_pg_nested_comments),
		cmocka_unit_test(test_pg_parentheses),
		cmocka_unit_test(test_pg_begin_atomic),
		cmocka_unit_test(test_pg_begin_not_function),
		cmocka_unit_test(test_pg_unterminated_dollar),
		cmocka_unit_test(test_pg_no_sqlite_syntax),
		cmocka_unit_test(test_large_single_line),
		cmocka_unit_test(test_my_quotes_comments),
		cmocka_unit_test(test_my_delimiter_and_bodies),
		cmocka_unit_test(test_tx_control),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
