/*
 * split: cuts a section of SQL into the statements the database's own client would send.
 * What it knows of a dialect is the backend's flag word (STRATA_SQL_* in
 * strata/backend.h); the three built-in flag words behave as follows.
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
 * MariaDB/MySQL input (STRATA_DIALECT_MYSQL) is split as the mariadb client splits a
 * file: '…' and "…" strings with backslash escapes, `…` identifiers, # comments, "--"
 * a comment only when a space or control character follows, slash-star-bang
 * (executable) comments kept as text; a DELIMITER line at a statement's start sets the
 * delimiter (';' again with "DELIMITER ;"); and without one, no cut inside the body of
 * a statement that starts CREATE … PROCEDURE|FUNCTION|TRIGGER|EVENT, where BEGIN, LOOP,
 * REPEAT, and (inside a block) WHILE, CASE and a statement-level IF open a block and
 * END closes one (END IF, END LOOP … close one, not two).
 *
 * Each statement's text runs from its first token to its last: whitespace and comments
 * before the first token (and after the last one, before the ';') are dropped, comments
 * between tokens are kept. Statements with no token at all are dropped. The input need not
 * be NUL-terminated; it must not contain NUL bytes. The work is linear in `len`.
 */
#ifndef STRATA_CORE_SPLIT_H
#define STRATA_CORE_SPLIT_H

#include "strata/backend.h"
#include "util/err.h"

/* strata_stmt, strata_stmtlist, strata_split() and strata_stmtlist_free() are declared
 * in strata/backend.h, where backends reach them. */

/* One token as the splitter reads it: a word (keyword or bare name), a string (any
 * quoting the dialect has: '…', E'…', $tag$…$tag$), a quoted identifier ("…", and `…`,
 * […] where the dialect has them), a comment (-- to the end of the line, or a block),
 * the ';' that ends a statement, or anything else (a number, an operator, punctuation,
 * a ';' inside a body). `p` points into the text given, `n` bytes long. */
#define STRATA_TOK_SPLIT_WORD    1
#define STRATA_TOK_SPLIT_STRING  2
#define STRATA_TOK_SPLIT_QUOTED  3
#define STRATA_TOK_SPLIT_COMMENT 4
#define STRATA_TOK_SPLIT_OTHER   5
#define STRATA_TOK_SPLIT_END     6

typedef struct strata_split_tok {
	int kind; /* STRATA_TOK_SPLIT_* */
	const char *p;
	size_t n;
} strata_split_tok;

/* Reads `len` bytes of `sql` by the rules of `dialect` (as strata_split takes it) with
 * the splitter's own lexer and calls `fn` for each token in order, until it returns
 * non-zero. Returns 0, or STRATA_EFAIL with "line N: …" in `e` as strata_split does. */
int strata_split_tokens(const char *sql, size_t len, unsigned dialect,
			int (*fn)(void *ctx, const strata_split_tok *t), void *ctx, strata_err *e);

/* The transaction-control statement that `stmt` (one statement as strata_split cut
 * it, read with the same lexer by the rules of `dialect`) is, as a constant keyword: "COMMIT", "END", "ROLLBACK" (not ROLLBACK … TO a
 * savepoint), "ABORT" or "PREPARE TRANSACTION"; NULL for any other statement. Such a
 * statement ends the transaction a revision runs in. */
const char *strata_stmt_tx_control(const char *stmt, unsigned dialect);

#endif
