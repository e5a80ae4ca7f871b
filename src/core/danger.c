/* Dangerous operations in a revision's SQL, for `upgrade --plan` and `verify`:
 * what can lose data or fail on existing rows — DROP TABLE, ALTER TABLE … DROP
 * [COLUMN], ALTER … TYPE, SET NOT NULL, TRUNCATE, DELETE without WHERE — in revisions
 * written by hand as in generated ones, and the markers autogenerate writes in comments
 * (`-- strata:rebuild`, `-- WARNING:`). It reads the SQL with the splitter's own lexer
 * (split.h), keywords case-insensitively, so a keyword inside a string literal, a
 * quoted name or a comment is never taken for one. */
#include "core/ctx.h"
#include "core/split.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One token of a statement: its kind and text (a quoted identifier unquoted). */
typedef struct tok {
	int kind;
	char *text;
} tok;

/* The tokens of the statement being read, and what the section says so far. */
typedef struct reader {
	tok *v;
	size_t n, cap;
	strvec *out;
} reader;

/* Adds `what` unless a line already says it: the same words, or a marker's longer
 * version of them ("drops table t and every row in it" covers "drops table t"),
 * or, for a table's drop, its rebuild (the rebuild drops the old copy). */
static void add(strvec *out, const char *what)
{
	size_t n = strlen(what);
	const char *tbl = strncmp(what, "drops table ", 12) == 0 ? what + 12 : NULL;
	for (size_t i = 0; i < out->n; i++) {
		const char *o = out->v[i];
		if (strncmp(o, what, n) == 0 && (o[n] == '\0' || o[n] == ' '))
			return;
		if (tbl && strncmp(o, "rebuilds table ", 15) == 0 &&
		    strncmp(o + 15, tbl, strlen(tbl)) == 0 && o[15 + strlen(tbl)] == ' ')
			return;
	}
	strvec_push(out, what);
}

/* The text of a quoted identifier without its quotes, a doubled quote made single. */
static char *unquote(const char *p, size_t n)
{
	buf b = BUF_INIT;
	char close = p[0] == '[' ? ']' : p[0];
	for (size_t i = 1; i + 1 < n; i++) {
		buf_putc(&b, p[i]);
		if (p[i] == close && close != ']' && i + 2 < n && p[i + 1] == close)
			i++;
	}
	return buf_detach(&b);
}

static int is_word(const reader *r, size_t i, const char *kw)
{
	return i < r->n && r->v[i].kind == STRATA_TOK_SPLIT_WORD && strcasecmp(r->v[i].text, kw) == 0;
}

static int is_punct(const reader *r, size_t i, const char *p)
{
	return i < r->n && r->v[i].kind == STRATA_TOK_SPLIT_OTHER && strcmp(r->v[i].text, p) == 0;
}

/* Reads a name (schema-qualified with '.') at *i into `b`; returns 0 when there is none. */
static int name_at(const reader *r, size_t *i, buf *b)
{
	buf_reset(b);
	for (;;) {
		if (*i >= r->n || (r->v[*i].kind != STRATA_TOK_SPLIT_WORD &&
				   r->v[*i].kind != STRATA_TOK_SPLIT_QUOTED))
			return b->len > 0;
		buf_puts(b, r->v[(*i)++].text);
		if (!is_punct(r, *i, "."))
			return 1;
		buf_putc(b, '.');
		(*i)++;
	}
}

/* strata's own tables (the version tables, a rebuild's new table) are not user data. */
static int own_table(const char *name)
{
	const char *dot = strrchr(name, '.');
	const char *bare = dot ? dot + 1 : name;
	return strncasecmp(bare, "strata_", 7) == 0 || strncasecmp(bare, "_strata", 7) == 0;
}

static void report(reader *r, const char *fmt, const char *a, const char *b)
{
	char *m = xasprintf(fmt, a, b);
	add(r->out, m);
	free(m);
}

/* One clause of ALTER TABLE `t`, tokens [i, end). */
static void alter_clause(reader *r, size_t i, size_t end, const char *t)
{
	buf col = BUF_INIT;
	if (is_word(r, i, "DROP")) {
		i++;
		/* Without COLUMN, DROP CONSTRAINT / FOREIGN KEY / PRIMARY KEY / INDEX / KEY /
		 * CHECK (MariaDB's spellings too) drop a key, not a column. */
		static const char *const keys[] = { "CONSTRAINT", "FOREIGN", "PRIMARY", "INDEX", "KEY", "CHECK" };
		int key = 0;
		if (is_word(r, i, "COLUMN"))
			i++;
		else
			for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
				key |= is_word(r, i, keys[k]);
		if (is_word(r, i, "IF") && is_word(r, i + 1, "EXISTS"))
			i += 2;
		if (!key && name_at(r, &i, &col))
			report(r, "drops column %s.%s", t, col.ptr);
	} else if (is_word(r, i, "ALTER")) {
		i++;
		if (is_word(r, i, "COLUMN"))
			i++;
		if (name_at(r, &i, &col)) {
			if (is_word(r, i, "SET") && is_word(r, i + 1, "DATA"))
				i += 2;
			if (is_word(r, i, "TYPE"))
				report(r, "changes the type of %s.%s", t, col.ptr);
			else if (is_word(r, i, "SET") && is_word(r, i + 1, "NOT") && is_word(r, i + 2, "NULL"))
				report(r, "adds NOT NULL to %s.%s", t, col.ptr);
		}
	}
	(void)end;
	buf_free(&col);
}

/* Reads one statement's tokens for what may lose data or fail on existing rows. */
static void scan(reader *r)
{
	buf name = BUF_INIT;
	size_t i = 2;
	if (is_word(r, 0, "DROP") && is_word(r, 1, "TABLE")) {
		if (is_word(r, i, "IF") && is_word(r, i + 1, "EXISTS"))
			i += 2;
		while (name_at(r, &i, &name)) {
			if (!own_table(name.ptr))
				report(r, "drops table %s%s", name.ptr, "");
			if (!is_punct(r, i, ","))
				break;
			i++;
		}
	} else if (is_word(r, 0, "TRUNCATE")) {
		i = 1;
		if (is_word(r, i, "TABLE"))
			i++;
		if (is_word(r, i, "ONLY"))
			i++;
		while (name_at(r, &i, &name)) {
			report(r, "truncates table %s%s", name.ptr, "");
			if (!is_punct(r, i, ","))
				break;
			i++;
		}
	} else if (is_word(r, 0, "DELETE") && is_word(r, 1, "FROM")) {
		if (is_word(r, i, "ONLY"))
			i++;
		int where = 0;
		for (size_t k = i; k < r->n && !where; k++)
			where = is_word(r, k, "WHERE");
		if (name_at(r, &i, &name) && !where && !own_table(name.ptr))
			report(r, "deletes every row of %s%s", name.ptr, "");
	} else if (is_word(r, 0, "ALTER") && is_word(r, 1, "TABLE")) {
		if (is_word(r, i, "ONLY"))
			i++;
		if (is_word(r, i, "IF") && is_word(r, i + 1, "EXISTS"))
			i += 2;
		if (name_at(r, &i, &name)) {
			/* Clauses are separated by commas outside parentheses (PostgreSQL). */
			size_t start = i, depth = 0;
			for (size_t k = i; k <= r->n; k++) {
				if (k < r->n && is_punct(r, k, "("))
					depth++;
				else if (k < r->n && is_punct(r, k, ")") && depth)
					depth--;
				if (k == r->n || (depth == 0 && is_punct(r, k, ","))) {
					alter_clause(r, start, k, name.ptr);
					start = k + 1;
				}
			}
		}
	}
	buf_free(&name);
}

static void reader_clear(reader *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].text);
	r->n = 0;
}

/* A comment that autogenerate wrote: `-- strata:rebuild T`, `-- WARNING: ...`. */
static void marker(reader *r, const char *p, size_t n)
{
	static const char rebuild[] = "-- strata:rebuild", warning[] = "-- WARNING:";
	if (n >= sizeof(rebuild) - 1 && strncmp(p, rebuild, sizeof(rebuild) - 1) == 0) {
		const char *t = p + sizeof(rebuild) - 1, *end = p + n;
		while (t < end && *t == ' ')
			t++;
		char *name = xstrndup(t, (size_t)(end - t));
		report(r, "rebuilds table %s (copies every row)%s", name, "");
		free(name);
	} else if (n >= sizeof(warning) - 1 && strncmp(p, warning, sizeof(warning) - 1) == 0) {
		const char *t = p + sizeof(warning) - 1, *end = p + n;
		while (t < end && *t == ' ')
			t++;
		char *m = xstrndup(t, (size_t)(end - t));
		add(r->out, m);
		free(m);
	}
}

/* Each token of the section: comments are read for markers, statements end at ';'. */
static int on_token(void *ctx, const strata_split_tok *t)
{
	reader *r = ctx;
	if (t->kind == STRATA_TOK_SPLIT_COMMENT) {
		marker(r, t->p, t->n);
		return 0;
	}
	if (t->kind == STRATA_TOK_SPLIT_END) {
		scan(r);
		reader_clear(r);
		return 0;
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 32;
		r->v = xrealloc(r->v, r->cap * sizeof(*r->v));
	}
	r->v[r->n].kind = t->kind;
	r->v[r->n++].text = t->kind == STRATA_TOK_SPLIT_QUOTED ? unquote(t->p, t->n) : xstrndup(t->p, t->n);
	return 0;
}

int strata_revision_dangers(strata *s, const strata_revision *r, int up, char ***out, size_t *n)
{
	strata_err e = STRATA_ERR_INIT;
	strvec v = { 0 };
	const char *sql = up ? r->upgrade_sql : r->downgrade_sql;
	reader rd = { NULL, 0, 0, &v };
	*out = NULL;
	*n = 0;
	/* One pass of the splitter's lexer: markers in comments (autogenerated revisions say
	 * what they do), statements read token by token, so nothing inside a string counts. */
	if (strata_split_tokens(sql, strlen(sql), ctx_backend(s)->dialect, on_token, &rd, &e) == 0)
		scan(&rd);
	reader_clear(&rd);
	free(rd.v);
	err_clear(&e);
	*out = v.v;
	*n = v.n;
	return 0;
}
