/*
 * libFuzzer harness for the statement splitter (src/core/split.c).
 *
 * Each input is split in both dialects straight from libFuzzer's buffer, which holds
 * exactly `size` bytes and no NUL after them, so AddressSanitizer reports any read past
 * `len`. Beyond memory safety the harness checks what callers rely on: every statement is
 * non-empty, trimmed, a piece of the input in input order, on a line inside the input;
 * splitting a statement's own text gives back that statement alone; a failure leaves the
 * list as it was and says which line.
 * Built with -DSTRATA_FUZZ_SQLITE (and -lsqlite3) it also checks every SQLite cut against
 * sqlite3_complete() itself. Build and run: see tests/fuzz/README.md.
 */
#define _GNU_SOURCE /* memmem */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/split.h"
#include "strata/backend.h"

#ifdef STRATA_FUZZ_SQLITE
#include <sqlite3.h>
#endif

#define CHECK(cond)                                                                     \
	do {                                                                             \
		if (!(cond)) {                                                           \
			fprintf(stderr, "fuzz_split: %s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                                        \
			abort();                                                         \
		}                                                                        \
	} while (0)

/* Whether c is whitespace to the splitter. */
static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Splits one statement's text again, from an exactly sized copy, and checks that it comes
 * back whole: the cut is stable, so running a statement never depends on what followed. */
static void check_resplit(const strata_stmt *st, int dialect)
{
	size_t n = strlen(st->sql);
	char *copy = malloc(n);
	strata_stmtlist again = { 0 };
	strata_err e = STRATA_ERR_INIT;

	CHECK(copy != NULL);
	memcpy(copy, st->sql, n);
	CHECK(strata_split(copy, n, dialect, st->line, &again, &e) == 0);
	CHECK(again.n == 1);
	CHECK(strcmp(again.v[0].sql, st->sql) == 0);
	CHECK(again.v[0].line == st->line);
	strata_stmtlist_free(&again);
	err_clear(&e);
	free(copy);
}

#ifdef STRATA_FUZZ_SQLITE
/* Checks one SQLite statement against sqlite3_complete(): no ';' inside it completes a
 * statement, and unless it ran to the end of the input, it is complete with a ';'. */
static void check_sqlite_complete(const char *sql, int last)
{
	size_t n = strlen(sql), j;
	char *buf = malloc(n + 2);

	CHECK(buf != NULL);
	for (j = 0; j < n; j++) {
		if (sql[j] != ';')
			continue;
		memcpy(buf, sql, j + 1);
		buf[j + 1] = '\0';
		CHECK(!sqlite3_complete(buf));
	}
	if (!last) {
		memcpy(buf, sql, n);
		memcpy(buf + n, ";", 2);
		CHECK(sqlite3_complete(buf));
	}
	free(buf);
}
#endif

/* Splits data[0..size) in one dialect and checks the result. */
static void run(const uint8_t *data, size_t size, int dialect)
{
	const char *in = (const char *)data;
	const int first_line = 7;
	strata_stmtlist l = { 0 };
	strata_err e = STRATA_ERR_INIT;
	size_t i, cursor = 0;
	int last_line = first_line;
	int max_line = first_line;

	for (i = 0; i < size; i++)
		max_line += in[i] == '\n';

	int rc = strata_split(in, size, dialect, first_line, &l, &e);
	if (rc != 0) {
		CHECK(rc == STRATA_EFAIL);
		CHECK(e.code == STRATA_EFAIL);
		CHECK(e.msg != NULL && strncmp(e.msg, "line ", 5) == 0);
		int line = atoi(e.msg + 5);
		CHECK(line >= first_line && line <= max_line);
		CHECK(l.n == 0 && l.v == NULL);
		err_clear(&e);
		return;
	}
	CHECK(e.code == 0 && e.msg == NULL);
	for (i = 0; i < l.n; i++) {
		const strata_stmt *st = &l.v[i];
		size_t n = strlen(st->sql);
		CHECK(n > 0);
		CHECK(!is_space((unsigned char)st->sql[0]));
		CHECK(!is_space((unsigned char)st->sql[n - 1]));
		CHECK(st->line >= last_line && st->line <= max_line);
		last_line = st->line;

		const char *hit = memmem(in + cursor, size - cursor, st->sql, n);
		CHECK(hit != NULL);
		cursor = (size_t)(hit - in) + n;
		check_resplit(st, dialect);
#ifdef STRATA_FUZZ_SQLITE
		if (dialect == STRATA_DIALECT_SQLITE)
			check_sqlite_complete(st->sql, i + 1 == l.n);
#endif
	}
	strata_stmtlist_free(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libFuzzer's entry point: both dialects on the same bytes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	run(data, size, STRATA_DIALECT_SQLITE);
	run(data, size, STRATA_DIALECT_POSTGRES);
	return 0;
}
