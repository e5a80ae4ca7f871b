/*
 * split: cuts a section of SQL into the statements the database's own client would send.
 *
 * SQLite input is split where sqlite3_complete() would first call it complete: at a ';'
 * outside strings, "..." / [...] / `...` identifiers and comments, except that once a
 * statement begins CREATE [TEMP|TEMPORARY] TRIGGER (optionally after EXPLAIN) it runs to
 * the ';' that follows "; END", so the body's own ';' and CASE … END do not cut it.
 *
 * PostgreSQL input is split as psql splits a file: dollar quoting ($$…$$, $tag$…$tag$,
 * but $1 is a parameter), E'…' strings with backslash escapes, nested comments, no cut
 * inside parentheses, and no cut inside a BEGIN [ATOMIC] … END body of a statement that
 * starts CREATE [OR REPLACE] FUNCTION|PROCEDURE (CASE … END nested in it is counted).
 *
 * Each statement's text runs from its first token to its last: whitespace and comments
 * before the first token (and after the last one, before the ';') are dropped, comments
 * between tokens are kept. Statements with no token at all are dropped. The input need not
 * be NUL-terminated; it must not contain NUL bytes. The work is linear in `len`.
 */
#ifndef STRATA_CORE_SPLIT_H
#define STRATA_CORE_SPLIT_H

#include <stddef.h>

#include "util/err.h"

typedef struct strata_stmt {
	char *sql; /* malloc'd statement text, trimmed of surrounding whitespace, without the final ';' */
	int line;  /* 1-based line (counting from first_line) where the statement's first token starts */
} strata_stmt;

typedef struct strata_stmtlist {
	strata_stmt *v;
	size_t n, cap;
} strata_stmtlist;

/* Splits `len` bytes of `sql` in `dialect` (STRATA_DIALECT_SQLITE or
 * STRATA_DIALECT_POSTGRES from strata/backend.h) and appends the statements to `out`,
 * which must start zeroed ({0}) or hold earlier results. `first_line` is the line number
 * of sql[0]; lines are counted on '\n', so CRLF input counts right.
 * Returns 0, or STRATA_EFAIL with "line N: unterminated …" in `e` (N is where the string,
 * identifier, comment or dollar quote began; the caller prefixes the file name). On
 * failure `out` holds the statements it held before, and no array if it owned none. */
int strata_split(const char *sql, size_t len, int dialect, int first_line,
		 strata_stmtlist *out, strata_err *e);

/* The transaction-control statement that `stmt` (one statement as strata_split cut
 * it) is, as a constant keyword: "COMMIT", "END", "ROLLBACK" (not ROLLBACK … TO a
 * savepoint), "ABORT" or "PREPARE TRANSACTION"; NULL for any other statement. Such a
 * statement ends the transaction a revision runs in. */
const char *strata_stmt_tx_control(const char *stmt);

/* Frees every statement and the array, leaving `l` zeroed and reusable. */
void strata_stmtlist_free(strata_stmtlist *l);

#endif
