/*
 * split: cuts a section of SQL into the statements the database's own client would send.
 * What it knows of a dialect is the backend's flag word (STRATA_SQL_* in
 * strata/backend.h); the two built-in flag words behave as follows.
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

#include "strata/backend.h"
#include "util/err.h"

/* strata_stmt, strata_stmtlist, strata_split() and strata_stmtlist_free() are declared
 * in strata/backend.h, where backends reach them. */

#endif
