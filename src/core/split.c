/*
 * split: the statement splitter (see split.h for what it promises).
 *
 * One forward pass over the bytes. Whitespace and comments are skipped; every other
 * token (a word, a literal, a quoted identifier, a punctuation character) extends the
 * current statement; a ';' ends it unless the dialect's block tracking says it belongs
 * to a body. Every inner loop only moves forward, so the whole pass is linear.
 */
#include "core/split.h"

#include <stdlib.h>
#include <string.h>

#include "strata/backend.h"
#include "util/buf.h"

/* sqlite3_complete()'s tokens and state machine (SQLite's complete.c), so that a file is
 * cut exactly where the sqlite3 shell would cut it. */
enum { TK_SEMI, TK_WS, TK_OTHER, TK_EXPLAIN, TK_CREATE, TK_TEMP, TK_TRIGGER, TK_END };
enum { ST_START = 1 }; /* the state after a complete statement */

/* trigger_trans[state][token]: the next state. Only CREATE TRIGGER statements leave
 * the first three states, which is how a body's inner ';' stays inside. */
static const unsigned char trigger_trans[8][8] = {
	/*             SEMI WS OTHER EXPLAIN CREATE TEMP TRIGGER END */
	/* 0 NOTHING */ { 1, 0, 2, 3, 4, 2, 2, 2 },
	/* 1 START   */ { 1, 1, 2, 3, 4, 2, 2, 2 },
	/* 2 NORMAL  */ { 1, 2, 2, 2, 2, 2, 2, 2 },
	/* 3 EXPLAIN */ { 1, 3, 3, 2, 4, 2, 2, 2 },
	/* 4 CREATE  */ { 1, 4, 2, 2, 2, 4, 5, 2 },
	/* 5 TRIGGER */ { 6, 5, 5, 5, 5, 5, 5, 5 },
	/* 6 SEMI    */ { 6, 6, 5, 5, 5, 5, 5, 7 },
	/* 7 END     */ { 1, 7, 5, 5, 5, 5, 5, 5 },
};

/* Longest dollar-quote tag quoted in full in an error message. */
#define TAG_SHOW_MAX 64

typedef struct scanner {
	const char *s;
	size_t len;
	size_t pos;
	int line;
	unsigned flags; /* STRATA_SQL_* of the dialect */
	strata_err *e;

	/* SQLite: the sqlite3_complete() state of the current statement. */
	unsigned char trig;

	/* PostgreSQL: psql's counters. `ident` records which of the first four words were
	 * CREATE/OR/REPLACE/FUNCTION/PROCEDURE (by first letter), as psql does. */
	size_t paren;
	size_t begin;
	size_t nident;
	char ident[4];

	/* STRATA_SQL_BODY_ROUTINES: the delimiter a DELIMITER line set (NULL: ';'), and the
	 * block depth (`begin`) inside a CREATE … PROCEDURE|FUNCTION|TRIGGER|EVENT body.
	 * `routine`: the statement creates one; `after_end`: the last word was END (END IF
	 * closes one block, not two); `stmt_start`: the next word begins a statement of
	 * the body. */
	const char *delim;
	size_t delim_len;
	int routine, after_end, stmt_start;
	size_t nwords;
} scanner;

/* Whitespace as both SQLite and PostgreSQL define it. */
static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* ASCII only: the locale must not change where a word ends. */
static int is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* ASCII digits only, for the same reason. */
static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* A word's byte without STRATA_SQL_DOLLAR_QUOTES (SQLite's IdChar()): letters, digits,
 * '_', '$' and every byte of a UTF-8 sequence. */
static int loose_idchar(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || c == '_' || c == '$' || c >= 0x80;
}

/* A word's first byte with STRATA_SQL_DOLLAR_QUOTES (PostgreSQL's ident_start), which is
 * also a dollar-quote tag's first character. */
static int ident_start(unsigned char c)
{
	return is_alpha(c) || c == '_' || c >= 0x80;
}

/* A dollar-quote tag's later byte (PostgreSQL's dolq_cont: ident_cont without '$'). */
static int tag_cont(unsigned char c)
{
	return ident_start(c) || is_digit(c);
}

/* Case-insensitive comparison of the word s[0..n) with the lowercase keyword `kw`. */
static int word_is(const char *s, size_t n, const char *kw)
{
	size_t i;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (kw[i] == '\0' || c != (unsigned char)kw[i])
			return 0;
	}
	return kw[n] == '\0';
}

/* The byte after the current one, or NUL at the end (the input holds no NUL). */
static unsigned char peek1(const scanner *sc)
{
	return sc->pos + 1 < sc->len ? (unsigned char)sc->s[sc->pos + 1] : 0;
}

/* Skips a "--" comment up to, not including, the newline that ends it (or the end). */
static void skip_line_comment(scanner *sc)
{
	const char *nl = memchr(sc->s + sc->pos, '\n', sc->len - sc->pos);
	sc->pos = nl ? (size_t)(nl - sc->s) : sc->len;
}

/* Skips a comment opened by the slash-star at pos; PostgreSQL comments nest, SQLite's
 * end at the first star-slash. Returns 0, or STRATA_EFAIL naming the opening line. */
static int skip_block_comment(scanner *sc)
{
	int start_line = sc->line;
	size_t depth = 0;
	size_t i = sc->pos + 2;

	while (i < sc->len) {
		char c = sc->s[i];
		char next = i + 1 < sc->len ? sc->s[i + 1] : '\0';
		if (c == '*' && next == '/') {
			i += 2;
			if (depth == 0) {
				sc->pos = i;
				return 0;
			}
			depth--;
		} else if ((sc->flags & STRATA_SQL_NESTED_COMMENTS) && c == '/' && next == '*') {
			depth++;
			i += 2;
		} else {
			if (c == '\n')
				sc->line++;
			i++;
		}
	}
	return err_set(sc->e, STRATA_EFAIL, "line %d: unterminated /* comment", start_line);
}

/* Skips a quoted token whose body starts `open_len` bytes after pos and ends at `close`.
 * `doubled`: a doubled `close` stands for itself; `backslash`: a backslash escapes the
 * next byte (E'' strings). `what` names the construct in the error, which gives the line
 * where it began. */
static int skip_quoted(scanner *sc, size_t open_len, char close, int doubled, int backslash,
		       const char *what)
{
	int start_line = sc->line;
	size_t i = sc->pos + open_len;

	while (i < sc->len) {
		char c = sc->s[i];
		if (c == '\n')
			sc->line++;
		if (backslash && c == '\\') {
			if (i + 1 < sc->len && sc->s[i + 1] == '\n')
				sc->line++;
			i += 2;
			continue;
		}
		i++;
		if (c == close) {
			if (doubled && i < sc->len && sc->s[i] == close) {
				i++;
				continue;
			}
			sc->pos = i;
			return 0;
		}
	}
	return err_set(sc->e, STRATA_EFAIL, "line %d: unterminated %s", start_line, what);
}

/* Skips a dollar-quoted string whose opening delimiter ($$ or $tag$) is the `dlen` bytes
 * at pos, up to the same delimiter. A tag holds no '$', so a partial match starting at one
 * '$' never reaches past the next '$': the search stays linear. */
static int skip_dollar(scanner *sc, size_t dlen)
{
	int start_line = sc->line;
	const char *delim = sc->s + sc->pos;
	size_t i = sc->pos + dlen;

	for (; i < sc->len; i++) {
		char c = sc->s[i];
		if (c == '\n') {
			sc->line++;
		} else if (c == '$' && sc->len - i >= dlen && memcmp(sc->s + i, delim, dlen) == 0) {
			sc->pos = i + dlen;
			return 0;
		}
	}
	if (dlen > TAG_SHOW_MAX)
		return err_set(sc->e, STRATA_EFAIL, "line %d: unterminated dollar-quoted string %.*s...",
			       start_line, TAG_SHOW_MAX, delim);
	return err_set(sc->e, STRATA_EFAIL, "line %d: unterminated dollar-quoted string %.*s",
		       start_line, (int)dlen, delim);
}

/* Classifies a word for sqlite3_complete()'s machine (STRATA_SQL_BODY_TRIGGER). */
static int trigger_word_kind(const char *w, size_t n)
{
	if (word_is(w, n, "create"))
		return TK_CREATE;
	if (word_is(w, n, "trigger"))
		return TK_TRIGGER;
	if (word_is(w, n, "temp") || word_is(w, n, "temporary"))
		return TK_TEMP;
	if (word_is(w, n, "end"))
		return TK_END;
	if (word_is(w, n, "explain"))
		return TK_EXPLAIN;
	return TK_OTHER;
}

/* psql's heuristic for SQL-standard function bodies: inside a statement that begins
 * CREATE [OR REPLACE] FUNCTION|PROCEDURE, outside parentheses, BEGIN opens a block, CASE
 * opens one when already inside a block, END closes one. */
static void block_word(scanner *sc, const char *w, size_t n)
{
	const char *id = sc->ident;

	if (sc->nident == 0)
		memset(sc->ident, 0, sizeof sc->ident);
	if (word_is(w, n, "create") || word_is(w, n, "function") || word_is(w, n, "procedure") ||
	    word_is(w, n, "or") || word_is(w, n, "replace")) {
		if (sc->nident < sizeof sc->ident)
			sc->ident[sc->nident] = (char)(w[0] | 0x20);
	}
	sc->nident++;

	if (id[0] == 'c' &&
	    (id[1] == 'f' || id[1] == 'p' ||
	     (id[1] == 'o' && id[2] == 'r' && (id[3] == 'f' || id[3] == 'p'))) &&
	    sc->paren == 0) {
		if (word_is(w, n, "begin")) {
			sc->begin++;
		} else if (word_is(w, n, "case")) {
			if (sc->begin >= 1)
				sc->begin++;
		} else if (word_is(w, n, "end")) {
			if (sc->begin > 0)
				sc->begin--;
		}
	}
}

/* Whether pos starts an executable comment: slash-star followed by ! or M!. */
static int my_exec_comment_at(const scanner *sc)
{
	const char *s = sc->s + sc->pos;
	size_t left = sc->len - sc->pos;
	return left > 2 && s[0] == '/' && s[1] == '*' &&
	       (s[2] == '!' || (left > 3 && s[2] == 'M' && s[3] == '!'));
}

/* Whether the delimiter a DELIMITER line set starts at byte j. */
static int my_delim_at(const scanner *sc, size_t j)
{
	return sc->delim && sc->len - j >= sc->delim_len && memcmp(sc->s + j, sc->delim, sc->delim_len) == 0;
}

/* Feeds a MariaDB word to the compound-statement tracker: inside a statement that
 * creates a routine, trigger or event, BEGIN, LOOP, WHILE, REPEAT, CASE and a
 * statement-level IF open a block and END closes one, as the mysql client would need
 * DELIMITER for. */
static void my_word(scanner *sc, const char *w, size_t n)
{
	int start = sc->stmt_start;
	sc->stmt_start = 0;
	if (sc->nwords++ == 0) {
		sc->routine = word_is(w, n, "create") ? 1 : 0;
		return;
	}
	if (sc->routine == 1 && sc->begin == 0) {
		if (word_is(w, n, "procedure") || word_is(w, n, "function") || word_is(w, n, "trigger") ||
		    word_is(w, n, "event"))
			sc->routine = 2;
		else if (word_is(w, n, "table") || word_is(w, n, "view") || word_is(w, n, "index"))
			sc->routine = 0;
	}
	if (sc->routine != 2)
		return;
	int after_end = sc->after_end;
	sc->after_end = word_is(w, n, "end");
	if (sc->after_end) {
		if (sc->begin > 0)
			sc->begin--;
		return;
	}
	if (after_end)
		return; /* END IF, END LOOP, …: the END closed it */
	if (word_is(w, n, "begin") || word_is(w, n, "loop") || word_is(w, n, "repeat") ||
	    (sc->begin > 0 && (word_is(w, n, "case") || word_is(w, n, "while") ||
			       (start && word_is(w, n, "if"))))) {
		sc->begin++;
		sc->stmt_start = 1;
	} else if (word_is(w, n, "then") || word_is(w, n, "else") || word_is(w, n, "do")) {
		sc->stmt_start = 1;
	}
}

/* Whether "--" at pos starts a MariaDB comment: it needs a space or control character
 * (or the end) after it, else it is two minus signs. */
static int my_dashdash(const scanner *sc)
{
	return sc->pos + 2 >= sc->len || (unsigned char)sc->s[sc->pos + 2] <= ' ';
}

/* Consumes a MariaDB executable comment (slash-star-bang … star-slash) as one token. */
static int my_exec_comment(scanner *sc)
{
	int start_line = sc->line;
	for (size_t i = sc->pos + 3; i + 1 < sc->len; i++) {
		if (sc->s[i] == '\n')
			sc->line++;
		if (sc->s[i] == '*' && sc->s[i + 1] == '/') {
			sc->pos = i + 2;
			return 0;
		}
	}
	return err_set(sc->e, STRATA_EFAIL, "line %d: unterminated /*! comment", start_line);
}

/* A DELIMITER line at the start of a statement (the mysql client's command): sets the
 * delimiter to its argument and skips the line. Returns 1 when it was one. */
static int my_delimiter(scanner *sc)
{
	const char *s = sc->s + sc->pos;
	size_t left = sc->len - sc->pos;
	if (left < 10 || !word_is(s, 9, "delimiter") || (s[9] != ' ' && s[9] != '\t'))
		return 0;
	size_t i = 10;
	while (i < left && (s[i] == ' ' || s[i] == '\t'))
		i++;
	size_t j = i;
	while (j < left && !is_space((unsigned char)s[j]))
		j++;
	if (j == i)
		return 0;
	sc->delim = s + i;
	sc->delim_len = j - i;
	if (sc->delim_len == 1 && sc->delim[0] == ';')
		sc->delim = NULL;
	while (j < left && s[j] != '\n')
		j++;
	sc->pos += j;
	return 1;
}

/* Consumes a '$' at pos (STRATA_SQL_DOLLAR_QUOTES): a $1 parameter, a dollar-quoted
 * string, or a lone '$'. */
static int dollar_token(scanner *sc)
{
	const char *s = sc->s;
	size_t j = sc->pos + 1;
	if (j < sc->len && is_digit((unsigned char)s[j])) {
		/* $1: a parameter, never a quote */
		while (j < sc->len && is_digit((unsigned char)s[j]))
			j++;
		sc->pos = j;
		return 0;
	}
	if (j < sc->len && ident_start((unsigned char)s[j])) {
		j++;
		while (j < sc->len && tag_cont((unsigned char)s[j]))
			j++;
	}
	if (j < sc->len && s[j] == '$')
		return skip_dollar(sc, j + 1 - sc->pos);
	sc->pos++; /* a lone '$': what follows is lexed afresh, as psql does */
	return 0;
}

/* Consumes one word at pos and returns its kind for the trigger machine (TK_OTHER when
 * the byte there starts no word); 0 bytes consumed means no word. */
static int word_token(scanner *sc, size_t *n)
{
	const char *s = sc->s;
	unsigned char c = (unsigned char)s[sc->pos];
	size_t j = sc->pos;
	if (sc->flags & STRATA_SQL_DOLLAR_QUOTES) {
		if (is_digit(c)) {
			/* a number: its digits must not start a word that could swallow a '$' */
			while (j < sc->len && is_digit((unsigned char)s[j]))
				j++;
		} else if (ident_start(c)) {
			j++;
			while (j < sc->len && (tag_cont((unsigned char)s[j]) || s[j] == '$'))
				j++;
			if (sc->flags & STRATA_SQL_BODY_BLOCKS)
				block_word(sc, s + sc->pos, j - sc->pos);
		}
	} else {
		while (j < sc->len && loose_idchar((unsigned char)s[j]) && !my_delim_at(sc, j))
			j++;
		if ((sc->flags & STRATA_SQL_BODY_ROUTINES) && j > sc->pos && !is_digit(c))
			my_word(sc, s + sc->pos, j - sc->pos);
	}
	*n = j - sc->pos;
	int kind = *n ? trigger_word_kind(s + sc->pos, *n) : TK_OTHER;
	sc->pos = j;
	return kind;
}

/* Consumes one token at pos (not whitespace, a comment or a ';') and, with
 * STRATA_SQL_BODY_TRIGGER, feeds it to the trigger machine. */
static int next_token(scanner *sc)
{
	unsigned char c = (unsigned char)sc->s[sc->pos];
	unsigned f = sc->flags;
	int kind = TK_OTHER;
	int rc = 0;
	size_t n = 0;

	if ((c == '\'' || c == '"') && (f & STRATA_SQL_BACKSLASH_STRINGS)) {
		rc = skip_quoted(sc, 1, (char)c, 1, 1, "string literal");
	} else if (c == '/' && (f & STRATA_SQL_HASH_COMMENTS) && my_exec_comment_at(sc)) {
		rc = my_exec_comment(sc);
	} else if (c == '\'') {
		rc = skip_quoted(sc, 1, '\'', 1, 0, "string literal");
	} else if (c == '"' || (c == '`' && (f & STRATA_SQL_BACKTICK_IDENTS))) {
		rc = skip_quoted(sc, 1, (char)c, 1, 0, "quoted identifier");
	} else if (c == '[' && (f & STRATA_SQL_BRACKET_IDENTS)) {
		rc = skip_quoted(sc, 1, ']', 0, 0, "quoted identifier");
	} else if (c == '(' && (f & STRATA_SQL_BODY_BLOCKS)) {
		sc->paren++;
		sc->pos++;
	} else if (c == ')' && (f & STRATA_SQL_BODY_BLOCKS)) {
		if (sc->paren > 0)
			sc->paren--;
		sc->pos++;
	} else if (c == '$' && (f & STRATA_SQL_DOLLAR_QUOTES)) {
		rc = dollar_token(sc);
	} else if ((c == 'e' || c == 'E') && peek1(sc) == '\'' && (f & STRATA_SQL_E_STRINGS)) {
		rc = skip_quoted(sc, 2, '\'', 1, 1, "string literal");
	} else {
		kind = word_token(sc, &n);
		if (!n) {
			if (c == ':' && (f & STRATA_SQL_BODY_ROUTINES))
				sc->stmt_start = 1; /* after a label */
			sc->pos++;
		}
	}
	if (rc == 0 && (f & STRATA_SQL_BODY_TRIGGER))
		sc->trig = trigger_trans[sc->trig][kind];
	return rc;
}

/* Appends a copy of s[0..n) as a statement starting on `line`. */
static void stmt_push(strata_stmtlist *l, const char *s, size_t n, int line)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n].sql = xstrndup(s, n);
	l->v[l->n].line = line;
	l->n++;
}

/* Whether a ';' at pos ends the statement, rather than belonging to a body. For SQLite
 * the machine also advances past the ';'. */
static int semicolon_ends(scanner *sc)
{
	if (sc->flags & STRATA_SQL_BODY_ROUTINES)
		return !sc->delim && sc->begin == 0;
	if (sc->flags & STRATA_SQL_BODY_BLOCKS)
		return sc->paren == 0 && sc->begin == 0;
	sc->trig = trigger_trans[sc->trig][TK_SEMI];
	return sc->trig == ST_START;
}

/* Resets the per-statement state after a cut. */
static void stmt_reset(scanner *sc)
{
	sc->trig = ST_START;
	sc->paren = 0;
	sc->begin = 0;
	sc->nident = 0;
	sc->routine = 0;
	sc->after_end = 0;
	sc->stmt_start = 0;
	sc->nwords = 0;
}

/* Checks `dialect` (a STRATA_SQL_* flag word; a bare body rule takes its defaults) and
 * sets up `sc` to read sql[0..len) from line `first_line`. */
static int scanner_init(scanner *sc, const char *sql, size_t len, unsigned dialect,
			int first_line, strata_err *e)
{
	unsigned body = dialect & STRATA_SQL_BODY_MASK;
	if ((dialect & ~(unsigned)STRATA_SQL_ALL) ||
	    (body != STRATA_SQL_BODY_TRIGGER && body != STRATA_SQL_BODY_BLOCKS &&
	     body != STRATA_SQL_BODY_ROUTINES))
		return err_set(e, STRATA_EFAIL, "unknown SQL dialect %u", dialect);
	memset(sc, 0, sizeof *sc);
	sc->s = sql;
	sc->len = len;
	sc->line = first_line;
	sc->flags = dialect;
	if (!(dialect & ~STRATA_SQL_BODY_MASK))
		sc->flags |= body == STRATA_SQL_BODY_TRIGGER	? STRATA_SQL_TRIGGER_DEFAULTS
			     : body == STRATA_SQL_BODY_BLOCKS	? STRATA_SQL_BLOCK_DEFAULTS
								: STRATA_SQL_ROUTINE_DEFAULTS;
	sc->e = e;
	stmt_reset(sc);
	return 0;
}

/* See split.h; this is the one pass, cutting at each ending ';'. */
int strata_split(const char *sql, size_t len, unsigned dialect, int first_line,
		 strata_stmtlist *out, strata_err *e)
{
	scanner sc;
	size_t n0 = out->n;
	size_t cap0 = out->cap;
	int have = 0; /* the current statement has a token */
	size_t start = 0, end = 0;
	int start_line = 0;
	const char *nul;

	if (scanner_init(&sc, sql, len, dialect, first_line, e))
		return STRATA_EFAIL;
	if (len == 0)
		return 0;

	/* A NUL would silently cut the statement text that reaches the database; it also
	 * catches a UTF-16 file early. */
	nul = memchr(sql, '\0', len);
	if (nul) {
		int line = first_line;
		const char *p;
		for (p = sql; p < nul; p++)
			line += *p == '\n';
		return err_set(e, STRATA_EFAIL, "line %d: NUL byte in SQL text", line);
	}

	while (sc.pos < len) {
		unsigned char c = (unsigned char)sql[sc.pos];
		size_t tok = sc.pos;
		int tok_line = sc.line;
		int rc;

		if (is_space(c)) {
			if (c == '\n')
				sc.line++;
			sc.pos++;
			continue;
		}
		if ((c == '-' && peek1(&sc) == '-' &&
		     (!(sc.flags & STRATA_SQL_HASH_COMMENTS) || my_dashdash(&sc))) ||
		    (c == '#' && (sc.flags & STRATA_SQL_HASH_COMMENTS))) {
			skip_line_comment(&sc);
			continue;
		}
		if ((sc.flags & STRATA_SQL_BODY_ROUTINES) && !have && (c == 'd' || c == 'D') &&
		    my_delimiter(&sc))
			continue;
		if (my_delim_at(&sc, sc.pos)) {
			sc.pos += sc.delim_len;
			if (have)
				stmt_push(out, sql + start, end - start, start_line);
			have = 0;
			stmt_reset(&sc);
			continue;
		}
		/* Executable comments (slash-star-bang) are statements' text. */
		if (c == '/' && peek1(&sc) == '*' &&
		    !((sc.flags & STRATA_SQL_HASH_COMMENTS) && my_exec_comment_at(&sc))) {
			if (skip_block_comment(&sc))
				goto fail;
			continue;
		}
		if (c == ';') {
			sc.pos++;
			if (semicolon_ends(&sc)) {
				if (have)
					stmt_push(out, sql + start, end - start, start_line);
				have = 0;
				stmt_reset(&sc);
				continue;
			}
		} else {
			rc = next_token(&sc);
			if (rc)
				goto fail;
		}
		if (!have) {
			have = 1;
			start = tok;
			start_line = tok_line;
		}
		end = sc.pos;
	}
	if (have)
		stmt_push(out, sql + start, end - start, start_line);
	return 0;

fail:
	while (out->n > n0)
		free(out->v[--out->n].sql);
	if (cap0 == 0) {
		/* the list owned nothing before: a caller that bails out must not leak */
		free(out->v);
		out->v = NULL;
		out->cap = 0;
	}
	return STRATA_EFAIL;
}

/* The kind of the token sc->s[tok..sc->pos) that next_token() just consumed. */
static int token_kind(const scanner *sc, size_t tok)
{
	unsigned char c = (unsigned char)sc->s[tok];
	unsigned f = sc->flags;
	if (c == '\'' || ((c == 'e' || c == 'E') && (f & STRATA_SQL_E_STRINGS) &&
			   tok + 1 < sc->pos && sc->s[tok + 1] == '\'') ||
	    (c == '$' && (f & STRATA_SQL_DOLLAR_QUOTES) && sc->pos - tok > 1 &&
	     sc->s[sc->pos - 1] == '$'))
		return STRATA_TOK_SPLIT_STRING;
	if (c == '"' || (c == '`' && (f & STRATA_SQL_BACKTICK_IDENTS)) ||
	    (c == '[' && (f & STRATA_SQL_BRACKET_IDENTS)))
		return STRATA_TOK_SPLIT_QUOTED;
	if ((f & STRATA_SQL_DOLLAR_QUOTES) ? ident_start(c)
					   : loose_idchar(c) && !is_digit(c) && c != '$')
		return STRATA_TOK_SPLIT_WORD;
	return STRATA_TOK_SPLIT_OTHER;
}

/* See split.h: the loop of strata_split, reporting tokens instead of cutting. */
int strata_split_tokens(const char *sql, size_t len, unsigned dialect,
			int (*fn)(void *ctx, const strata_split_tok *t), void *ctx, strata_err *e)
{
	scanner sc;
	if (scanner_init(&sc, sql, len, dialect, 1, e))
		return STRATA_EFAIL;
	while (sc.pos < len) {
		unsigned char c = (unsigned char)sql[sc.pos];
		size_t tok = sc.pos;
		strata_split_tok t = { STRATA_TOK_SPLIT_OTHER, sql + tok, 0 };
		if (is_space(c)) {
			sc.line += c == '\n';
			sc.pos++;
			continue;
		}
		if ((c == '-' && peek1(&sc) == '-' &&
		     (!(sc.flags & STRATA_SQL_HASH_COMMENTS) || my_dashdash(&sc))) ||
		    (c == '#' && (sc.flags & STRATA_SQL_HASH_COMMENTS))) {
			skip_line_comment(&sc);
			t.kind = STRATA_TOK_SPLIT_COMMENT;
		} else if (c == '/' && peek1(&sc) == '*' &&
			   !((sc.flags & STRATA_SQL_HASH_COMMENTS) && my_exec_comment_at(&sc))) {
			if (skip_block_comment(&sc))
				return STRATA_EFAIL;
			t.kind = STRATA_TOK_SPLIT_COMMENT;
		} else if (c == ';') {
			sc.pos++;
			if (semicolon_ends(&sc)) {
				t.kind = STRATA_TOK_SPLIT_END;
				stmt_reset(&sc);
			}
		} else {
			if (next_token(&sc))
				return STRATA_EFAIL;
			t.kind = token_kind(&sc, tok);
		}
		t.n = sc.pos - tok;
		if (fn(ctx, &t))
			break;
	}
	return 0;
}

/* The first words of a statement, as strata_stmt_tx_control reads them. */
typedef struct lead_words {
	const strata_split_tok *w;
	strata_split_tok v[3];
	size_t n;
} lead_words;

/* Collects the statement's first three tokens that are not comments; stops at the
 * third or at anything that is not a word. */
static int lead_word(void *ctx, const strata_split_tok *t)
{
	lead_words *lw = ctx;
	if (t->kind == STRATA_TOK_SPLIT_COMMENT)
		return 0;
	if (t->kind != STRATA_TOK_SPLIT_WORD)
		return 1;
	lw->v[lw->n++] = *t;
	return lw->n == 3;
}

/* 1 when lead word i exists and is `kw` (lowercase). */
static int lead_is(const lead_words *lw, size_t i, const char *kw)
{
	return i < lw->n && word_is(lw->v[i].p, lw->v[i].n, kw);
}

/* See split.h. */
const char *strata_stmt_tx_control(const char *stmt, unsigned dialect)
{
	lead_words lw = { 0 };
	if (strata_split_tokens(stmt, strlen(stmt), dialect, lead_word, &lw, NULL) || !lw.n)
		return NULL;
	if (lead_is(&lw, 0, "commit"))
		return "COMMIT";
	if (lead_is(&lw, 0, "end"))
		return "END";
	if (lead_is(&lw, 0, "abort"))
		return "ABORT";
	if (lead_is(&lw, 0, "prepare"))
		return lead_is(&lw, 1, "transaction") ? "PREPARE TRANSACTION" : NULL;
	if (!lead_is(&lw, 0, "rollback"))
		return NULL;
	/* ROLLBACK [WORK | TRANSACTION] TO [SAVEPOINT] name stays inside the transaction. */
	size_t to = lead_is(&lw, 1, "work") || lead_is(&lw, 1, "transaction") ? 2 : 1;
	return lead_is(&lw, to, "to") ? NULL : "ROLLBACK";
}

/* See split.h. */
void strata_stmtlist_free(strata_stmtlist *l)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		free(l->v[i].sql);
	free(l->v);
	l->v = NULL;
	l->n = 0;
	l->cap = 0;
}
