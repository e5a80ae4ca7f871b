/*
 * introspect.c — a live SQLite database → catalog.
 *
 * What PRAGMAs report (table_list, table_xinfo, index_list, index_xinfo,
 * foreign_key_list) is taken from them; the CREATE text is parsed only for what they
 * are silent about: CHECK constraints, column collations, generated expressions,
 * AUTOINCREMENT, DEFERRABLE, and the expressions, explicit collations and WHERE of
 * indexes. Everything is normalised (types upper-cased, expressions re-joined from
 * tokens) so the same declared schema read twice compares equal, whoever wrote it.
 */
#include "backends/sqlite/sqlite_internal.h"

#include "util/map.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* --- small helpers ------------------------------------------------------------------- */

static char *upper_dup(const char *s)
{
	char *u = xstrdup(s);
	for (char *p = u; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - ('a' - 'A'));
	return u;
}

static char *lower_dup(const char *s)
{
	char *u = xstrdup(s);
	for (char *p = u; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + ('a' - 'A'));
	return u;
}

/* A collation as the catalog keeps it: upper-cased, NULL for BINARY when `binary_is_null`. */
static char *norm_collation(const char *s, int binary_is_null)
{
	if (!s)
		return NULL;
	char *u = upper_dup(s);
	if (binary_is_null && strcmp(u, "BINARY") == 0) {
		free(u);
		return NULL;
	}
	return u;
}

/* The canonical text of tokens [0, n), outer parentheses dropped; malloc'd. */
static char *norm_tokens(const strata_token *t, size_t n)
{
	buf raw = BUF_INIT, out = BUF_INIT;
	strata_sql_join(&raw, t, n);
	strata_sql_normalize(&out, raw.ptr, 1);
	buf_free(&raw);
	return buf_detach(&out);
}

/* A declared type as the catalog keeps it: words upper-cased, no space around
 * parentheses and commas, single spaces elsewhere ("varchar ( 80 )" → "VARCHAR(80)"). */
static char *norm_type(const char *type)
{
	strata_toklist l = { 0 };
	buf b = BUF_INIT;
	strata_sql_tokenize(&l, type ? type : "");
	for (size_t i = 0; i < l.n; i++) {
		const strata_token *t = &l.v[i];
		int tight = strata_tok_punct(t, "(") || strata_tok_punct(t, ")") ||
			    strata_tok_punct(t, ",");
		if (i && !tight && !strata_tok_punct(&l.v[i - 1], "(") &&
		    !strata_tok_punct(&l.v[i - 1], ","))
			buf_putc(&b, ' ');
		for (size_t k = 0; k < t->n; k++) {
			char c = t->p[k];
			if (t->type == STRATA_TOK_WORD && c >= 'a' && c <= 'z')
				c = (char)(c - ('a' - 'A'));
			buf_putc(&b, c);
		}
	}
	strata_toklist_free(&l);
	return buf_detach(&b);
}

/* Index after the parenthesised group opening at t[k] (or k + 1 when t[k] is not "("). */
static size_t skip_group(const strata_token *t, size_t n, size_t k)
{
	if (k >= n || !strata_tok_punct(&t[k], "("))
		return k + 1;
	int depth = 0;
	for (size_t i = k; i < n; i++) {
		if (strata_tok_punct(&t[i], "("))
			depth++;
		else if (strata_tok_punct(&t[i], ")") && --depth == 0)
			return i + 1;
	}
	return n;
}

/* --- CREATE TABLE: what the PRAGMAs do not say ------------------------------------------ */

typedef struct parsed_column {
	char *name;
	char *collation;
	char *gen_expr;
} parsed_column;

typedef struct parsed_fkey {
	strvec from;
	char *ref;
	int deferrable;
	int initially_deferred;
	int used;
} parsed_fkey;

typedef struct parsed_check {
	char *name;
	char *expr;
} parsed_check;

typedef struct parsed_table {
	vec cols;   /* parsed_column * */
	vec checks; /* parsed_check *, in declaration order */
	vec fkeys;  /* parsed_fkey * */
	int pk_autoincrement;
} parsed_table;

static void parsed_table_free(parsed_table *pt)
{
	for (size_t i = 0; i < pt->cols.n; i++) {
		parsed_column *c = pt->cols.v[i];
		free(c->name);
		free(c->collation);
		free(c->gen_expr);
		free(c);
	}
	for (size_t i = 0; i < pt->checks.n; i++) {
		parsed_check *ck = pt->checks.v[i];
		free(ck->name);
		free(ck->expr);
		free(ck);
	}
	for (size_t i = 0; i < pt->fkeys.n; i++) {
		parsed_fkey *fk = pt->fkeys.v[i];
		strvec_free(&fk->from);
		free(fk->ref);
		free(fk);
	}
	vec_free(&pt->cols);
	vec_free(&pt->checks);
	vec_free(&pt->fkeys);
}

/* Reads a CHECK at t[k] (t[k + 1] is its "("); returns the index after it. */
static size_t parse_check(parsed_table *pt, const strata_token *t, size_t n, size_t k,
			  char **pending_name)
{
	size_t end = skip_group(t, n, k + 1);
	if (k + 1 < n && strata_tok_punct(&t[k + 1], "(") && end >= k + 3) {
		parsed_check *ck = xcalloc(1, sizeof(*ck));
		ck->name = *pending_name;
		ck->expr = norm_tokens(t + k + 2, end - k - 3);
		*pending_name = NULL;
		vec_push(&pt->checks, ck);
	}
	return end;
}

/* Reads a REFERENCES clause at t[k] for the child columns `from` (moved into the
 * result); returns the index after the clause. */
static size_t parse_references(parsed_table *pt, const strata_token *t, size_t n, size_t k,
			       strvec *from)
{
	parsed_fkey *fk = xcalloc(1, sizeof(*fk));
	fk->from = *from;
	memset(from, 0, sizeof(*from));
	k++;
	if (k < n)
		fk->ref = strata_tok_ident(&t[k++]);
	if (k < n && strata_tok_punct(&t[k], "("))
		k = skip_group(t, n, k);
	while (k < n) {
		if (strata_tok_is(&t[k], "ON") && k + 2 < n) {
			k += 2;
			k += (strata_tok_is(&t[k], "SET") || strata_tok_is(&t[k], "NO")) ? 2 : 1;
		} else if (strata_tok_is(&t[k], "MATCH")) {
			k += 2;
		} else if (strata_tok_is(&t[k], "NOT") && k + 1 < n &&
			   strata_tok_is(&t[k + 1], "DEFERRABLE")) {
			fk->deferrable = fk->initially_deferred = 0;
			k += 2;
			if (k < n && strata_tok_is(&t[k], "INITIALLY"))
				k += 2;
		} else if (strata_tok_is(&t[k], "DEFERRABLE")) {
			fk->deferrable = 1;
			k++;
			if (k + 1 < n && strata_tok_is(&t[k], "INITIALLY")) {
				fk->initially_deferred = strata_tok_is(&t[k + 1], "DEFERRED");
				k += 2;
			}
		} else {
			break;
		}
	}
	vec_push(&pt->fkeys, fk);
	return k;
}

/* Reads the identifiers of a "(a, b)" group at t[k] into `out`; returns the index after. */
static size_t parse_name_list(strvec *out, const strata_token *t, size_t n, size_t k)
{
	size_t end = skip_group(t, n, k);
	for (size_t i = k + 1; i + 1 < end; i++)
		if (t[i].type == STRATA_TOK_WORD || t[i].type == STRATA_TOK_QID) {
			if (!strata_tok_is(&t[i], "ASC") && !strata_tok_is(&t[i], "DESC") &&
			    !strata_tok_is(&t[i], "AUTOINCREMENT") &&
			    !(i > 0 && strata_tok_is(&t[i - 1], "COLLATE")) &&
			    !strata_tok_is(&t[i], "COLLATE"))
				strvec_push_owned(out, strata_tok_ident(&t[i]));
		}
	return end;
}

/* Reads a table constraint (tokens [0, n)). */
static void parse_table_constraint(parsed_table *pt, const strata_token *t, size_t n)
{
	char *pending = NULL;
	for (size_t k = 0; k < n;) {
		if (strata_tok_is(&t[k], "CONSTRAINT") && k + 1 < n) {
			free(pending);
			pending = strata_tok_ident(&t[k + 1]);
			k += 2;
		} else if (strata_tok_is(&t[k], "PRIMARY")) {
			size_t open = k + 2, end = skip_group(t, n, open);
			for (size_t i = open; i < end; i++)
				if (strata_tok_is(&t[i], "AUTOINCREMENT"))
					pt->pk_autoincrement = 1;
			k = end;
		} else if (strata_tok_is(&t[k], "CHECK")) {
			k = parse_check(pt, t, n, k, &pending);
		} else if (strata_tok_is(&t[k], "FOREIGN") && k + 2 < n) {
			strvec from = { 0 };
			k = parse_name_list(&from, t, n, k + 2);
			if (k < n && strata_tok_is(&t[k], "REFERENCES"))
				k = parse_references(pt, t, n, k, &from);
			strvec_free(&from);
		} else if (strata_tok_punct(&t[k], "(")) {
			k = skip_group(t, n, k);
		} else {
			k++;
		}
	}
	free(pending);
}

/* Reads a column definition (tokens [0, n)). */
static void parse_column(parsed_table *pt, const strata_token *t, size_t n)
{
	parsed_column *c = xcalloc(1, sizeof(*c));
	char *pending = NULL;
	c->name = strata_tok_ident(&t[0]);
	vec_push(&pt->cols, c);
	for (size_t k = 1; k < n;) {
		if (strata_tok_punct(&t[k], "(")) {
			k = skip_group(t, n, k);
		} else if (strata_tok_is(&t[k], "CONSTRAINT") && k + 1 < n) {
			free(pending);
			pending = strata_tok_ident(&t[k + 1]);
			k += 2;
		} else if (strata_tok_is(&t[k], "CHECK")) {
			k = parse_check(pt, t, n, k, &pending);
		} else if (strata_tok_is(&t[k], "COLLATE") && k + 1 < n) {
			free(c->collation);
			char *id = strata_tok_ident(&t[k + 1]);
			c->collation = norm_collation(id, 1);
			free(id);
			k += 2;
		} else if (strata_tok_is(&t[k], "AS") && k + 1 < n && strata_tok_punct(&t[k + 1], "(")) {
			size_t end = skip_group(t, n, k + 1);
			free(c->gen_expr);
			c->gen_expr = norm_tokens(t + k + 2, end - k - 3);
			k = end;
		} else if (strata_tok_is(&t[k], "AUTOINCREMENT")) {
			pt->pk_autoincrement = 1;
			k++;
		} else if (strata_tok_is(&t[k], "REFERENCES")) {
			strvec from = { 0 };
			strvec_push(&from, c->name);
			k = parse_references(pt, t, n, k, &from);
		} else if (strata_tok_is(&t[k], "DEFAULT") && k + 1 < n) {
			/* Skip the value, so nothing in it reads as a constraint. */
			k++;
			if (strata_tok_punct(&t[k], "("))
				k = skip_group(t, n, k);
			else if ((strata_tok_punct(&t[k], "-") || strata_tok_punct(&t[k], "+")) && k + 1 < n)
				k += 2;
			else
				k++;
		} else {
			k++;
		}
	}
	free(pending);
}

/* Reads what the PRAGMAs do not say from a CREATE TABLE statement. */
static void parse_create_table(parsed_table *pt, const char *sql)
{
	strata_toklist l = { 0 };
	strata_sql_tokenize(&l, sql ? sql : "");
	size_t open = 0;
	while (open < l.n && !strata_tok_punct(&l.v[open], "("))
		open++;
	size_t close = skip_group(l.v, l.n, open) - 1;
	int depth = 0;
	for (size_t i = open + 1, start = open + 1; open < l.n && i <= close && i < l.n; i++) {
		const strata_token *t = &l.v[i];
		if (i == close || (depth == 0 && strata_tok_punct(t, ","))) {
			const strata_token *item = l.v + start;
			size_t n = i - start;
			start = i + 1;
			if (!n)
				continue;
			if (strata_tok_is(item, "CONSTRAINT") || strata_tok_is(item, "PRIMARY") ||
			    strata_tok_is(item, "UNIQUE") || strata_tok_is(item, "CHECK") ||
			    strata_tok_is(item, "FOREIGN"))
				parse_table_constraint(pt, item, n);
			else
				parse_column(pt, item, n);
		} else if (strata_tok_punct(t, "(")) {
			depth++;
		} else if (strata_tok_punct(t, ")")) {
			depth--;
		}
	}
	strata_toklist_free(&l);
}

static const parsed_column *parsed_col(const parsed_table *pt, const char *name)
{
	for (size_t i = 0; i < pt->cols.n; i++) {
		const parsed_column *c = pt->cols.v[i];
		if (strata_name_eq(c->name, name, 1))
			return c;
	}
	return NULL;
}

/* --- CREATE INDEX ------------------------------------------------------------------------- */

typedef struct parsed_part {
	char *expr;
	char *collation;
	int desc;
} parsed_part;

typedef struct parsed_index {
	parsed_part *parts;
	size_t nparts;
	char *where;
} parsed_index;

static void parsed_index_free(parsed_index *pi)
{
	for (size_t i = 0; i < pi->nparts; i++) {
		free(pi->parts[i].expr);
		free(pi->parts[i].collation);
	}
	free(pi->parts);
	free(pi->where);
}

/* Reads key expressions, explicit collations, DESC and WHERE from CREATE INDEX. */
static void parse_create_index(parsed_index *pi, const char *sql)
{
	strata_toklist l = { 0 };
	strata_sql_tokenize(&l, sql ? sql : "");
	size_t k = 0;
	while (k < l.n && !strata_tok_is(&l.v[k], "ON"))
		k++;
	while (k < l.n && !strata_tok_punct(&l.v[k], "("))
		k++;
	size_t end = skip_group(l.v, l.n, k);
	int depth = 0;
	for (size_t i = k + 1, start = k + 1; k < l.n && i < end; i++) {
		const strata_token *t = &l.v[i];
		if (i == end - 1 || (depth == 0 && strata_tok_punct(t, ","))) {
			size_t s = start, e = i;
			start = i + 1;
			if (e == s)
				continue;
			parsed_part p = { 0 };
			if (strata_tok_is(&l.v[e - 1], "DESC") || strata_tok_is(&l.v[e - 1], "ASC"))
				p.desc = strata_tok_is(&l.v[--e], "DESC");
			if (e - s >= 3 && strata_tok_is(&l.v[e - 2], "COLLATE")) {
				char *id = strata_tok_ident(&l.v[e - 1]);
				p.collation = norm_collation(id, 0);
				free(id);
				e -= 2;
			}
			p.expr = norm_tokens(l.v + s, e - s);
			pi->parts = xrealloc(pi->parts, (pi->nparts + 1) * sizeof(*pi->parts));
			pi->parts[pi->nparts++] = p;
		} else if (strata_tok_punct(t, "(")) {
			depth++;
		} else if (strata_tok_punct(t, ")")) {
			depth--;
		}
	}
	if (end < l.n && strata_tok_is(&l.v[end], "WHERE") && end + 1 < l.n)
		pi->where = norm_tokens(l.v + end + 1, l.n - end - 1);
	strata_toklist_free(&l);
}

/* --- reading the database ----------------------------------------------------------------- */

typedef struct reader {
	sqlite3 *db;
	sqlite3_stmt *xinfo, *index_list, *index_xinfo, *fkeys;
	map sql;      /* folded name of a table or index → its CREATE statement */
	strvec keys;  /* owns the keys of `sql` */
	strvec sqls;  /* owns the values of `sql` */
	strata_err *e;
} reader;

static int db_fail(reader *r, const char *what)
{
	return err_set(r->e, STRATA_EFAIL, "reading the schema (%s): %s", what,
		       sqlite3_errmsg(r->db));
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Binds `name` to ?1 of a reset statement. */
static void bind_name(sqlite3_stmt *st, const char *name)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
}

static const char *stored_sql(const reader *r, const char *name)
{
	char *k = lower_dup(name);
	const char *s = map_get(&r->sql, k);
	free(k);
	return s;
}

/* Whether strata leaves the table out: SQLite's own and strata's own (the version
 * table under its configured name `vt`). */
static int skipped_table(const char *name, const char *vt)
{
	return strncasecmp(name, "sqlite_", 7) == 0 || strata_name_eq(name, vt, 1) ||
	       strata_name_eq(name, "strata_history", 1);
}

/*
 * A column default as SQLite reads it: outside parentheses, a lone identifier — DEFAULT
 * "", DEFAULT [x], DEFAULT abc — is the string of its name, not a column reference.
 * Rewrites such a default in `dflt` (normalised text) to the string literal, so that it
 * is rendered as one: in parentheses SQLite would read it as a name and refuse it as
 * "not constant". Keywords that stand for values (NULL, TRUE, CURRENT_TIME, ...) stay.
 */
static void default_as_parsed(char **dflt)
{
	static const char *const values[] = { "NULL", "TRUE", "FALSE", "CURRENT_TIME",
					      "CURRENT_DATE", "CURRENT_TIMESTAMP" };
	strata_toklist l = { 0 };
	strata_sql_tokenize(&l, *dflt);
	int ident = l.n == 1 && (l.v[0].type == STRATA_TOK_QID || l.v[0].type == STRATA_TOK_WORD);
	for (size_t i = 0; ident && i < sizeof values / sizeof *values; i++)
		ident = !strata_tok_is(&l.v[0], values[i]);
	if (ident) {
		char *name = strata_tok_ident(&l.v[0]);
		buf b = BUF_INIT;
		buf_putc(&b, '\'');
		for (const char *p = name; *p; p++) {
			if (*p == '\'')
				buf_putc(&b, '\'');
			buf_putc(&b, *p);
		}
		buf_putc(&b, '\'');
		free(name);
		free(*dflt);
		*dflt = buf_detach(&b);
	}
	strata_toklist_free(&l);
}

/* Columns, primary key and generated expressions of one table. */
static int read_columns(reader *r, strata_table *t, const parsed_table *pt)
{
	sqlite3_stmt *st = r->xinfo;
	int rc;
	vec pkpos = { 0 }; /* the position in the primary key of each column, or 0 */
	bind_name(st, t->name);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = col_text(st, 0);
		char *type = norm_type(col_text(st, 1));
		strata_column *c = strata_table_add_column(t, name, type);
		free(type);
		c->notnull = sqlite3_column_int(st, 2);
		if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
			buf b = BUF_INIT;
			strata_sql_normalize(&b, col_text(st, 3), 1);
			c->dflt = buf_detach(&b);
			default_as_parsed(&c->dflt);
		}
		int hidden = sqlite3_column_int(st, 5);
		vec_push(&pkpos, (void *)(size_t)sqlite3_column_int(st, 4));
		c->generated = hidden == 2 ? STRATA_GEN_VIRTUAL : hidden == 3 ? STRATA_GEN_STORED : 0;
		c->hidden = hidden == 1;
		const parsed_column *p = parsed_col(pt, name);
		if (p) {
			c->collation = p->collation ? xstrdup(p->collation) : NULL;
			if (c->generated && p->gen_expr)
				c->gen_expr = xstrdup(p->gen_expr);
		}
	}
	if (rc != SQLITE_DONE) {
		vec_free(&pkpos);
		return db_fail(r, t->name);
	}
	for (size_t pos = 1; pos <= pkpos.n; pos++)
		for (size_t i = 0; i < pkpos.n; i++)
			if ((size_t)pkpos.v[i] == pos)
				strvec_push(&t->pk.columns, ((strata_column *)t->columns.v[i])->name);
	t->pk.autoincrement = pt->pk_autoincrement && t->pk.columns.n == 1;
	vec_free(&pkpos);
	return 0;
}

/* The effective collation of a table column: its own, or BINARY. */
static const char *column_collation(const strata_table *t, const char *col)
{
	const strata_column *c = col ? strata_table_column(t, col, 1) : NULL;
	return c && c->collation ? c->collation : "BINARY";
}

/* Key parts of an index or constraint, as index_xinfo lists them. */
typedef struct xpart {
	int cid;
	char *name;
	int desc;
	char *coll;
} xpart;

static int read_xinfo(reader *r, const char *index, xpart **out, size_t *n)
{
	sqlite3_stmt *st = r->index_xinfo;
	int rc;
	bind_name(st, index);
	*out = NULL;
	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!sqlite3_column_int(st, 4))
			continue; /* not a key column: the rowid or the PK a WITHOUT ROWID row carries */
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		xpart *p = &(*out)[(*n)++];
		p->cid = sqlite3_column_int(st, 0);
		p->name = col_text(st, 1) ? xstrdup(col_text(st, 1)) : NULL;
		p->desc = sqlite3_column_int(st, 2);
		p->coll = col_text(st, 3) ? upper_dup(col_text(st, 3)) : NULL;
	}
	return rc == SQLITE_DONE ? 0 : db_fail(r, index);
}

static void xparts_free(xpart *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].coll);
	}
	free(p);
}

/* UNIQUE constraints and explicit indexes of one table. */
static int read_indexes(reader *r, strata_table *t)
{
	sqlite3_stmt *st = r->index_list;
	strvec names = { 0 }, origins = { 0 };
	vec uniq = { 0 };
	int rc;
	bind_name(st, t->name);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		strvec_push(&names, col_text(st, 0));
		strvec_push(&origins, col_text(st, 2));
		vec_push(&uniq, (void *)(size_t)sqlite3_column_int(st, 1));
	}
	if (rc != SQLITE_DONE) {
		rc = db_fail(r, t->name);
		goto done;
	}
	rc = 0;
	/* index_list lists the newest first; declaration order reads better. */
	for (size_t k = names.n; k-- > 0 && !rc;) {
		const char *name = names.v[k], *origin = origins.v[k];
		xpart *xp = NULL;
		size_t nx = 0;
		if (strcmp(origin, "pk") == 0)
			continue;
		if ((rc = read_xinfo(r, name, &xp, &nx)))
			break;
		if (strcmp(origin, "u") == 0) {
			strata_unique *u = strata_table_add_unique(t);
			for (size_t i = 0; i < nx; i++) {
				const char *own = column_collation(t, xp[i].name);
				const char *coll = xp[i].coll && !strata_name_eq(xp[i].coll, own, 1) ? xp[i].coll
													  : NULL;
				strata_unique_add_part(u, xp[i].name ? xp[i].name : "", coll, xp[i].desc);
			}
		} else {
			parsed_index pi = { 0 };
			parse_create_index(&pi, stored_sql(r, name));
			strata_index *ix = strata_table_add_index(t, name, uniq.v[k] != NULL);
			for (size_t i = 0; i < nx; i++) {
				const parsed_part *pp = pi.nparts == nx ? &pi.parts[i] : NULL;
				int is_expr = xp[i].cid == -2;
				const char *key = is_expr || !xp[i].name ? (pp ? pp->expr : "NULL") : xp[i].name;
				strata_index_add_part(ix, key, is_expr, pp ? pp->collation : NULL, xp[i].desc);
			}
			ix->where = pi.where ? xstrdup(pi.where) : NULL;
			parsed_index_free(&pi);
		}
		xparts_free(xp, nx);
	}
done:
	strvec_free(&names);
	strvec_free(&origins);
	vec_free(&uniq);
	return rc;
}

/* Foreign keys of one table, DEFERRABLE taken from the parsed CREATE text. */
static int read_fkeys(reader *r, strata_table *t, parsed_table *pt)
{
	sqlite3_stmt *st = r->fkeys;
	int rc, last = -1;
	strata_fkey *fk = NULL;
	vec found = { 0 };
	bind_name(st, t->name);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int id = sqlite3_column_int(st, 0);
		if (id != last) {
			fk = strata_table_add_fkey(t, col_text(st, 2));
			vec_push(&found, fk);
			last = id;
			const char *upd = col_text(st, 5), *del = col_text(st, 6);
			if (upd && strcasecmp(upd, "NO ACTION") != 0)
				fk->on_update = upper_dup(upd);
			if (del && strcasecmp(del, "NO ACTION") != 0)
				fk->on_delete = upper_dup(del);
		}
		strvec_push(&fk->from, col_text(st, 3));
		if (col_text(st, 4))
			strvec_push(&fk->to, col_text(st, 4));
	}
	if (rc != SQLITE_DONE) {
		vec_free(&found);
		return db_fail(r, t->name);
	}
	/* foreign_key_list numbers the last declared key 0: declaration order is reversed. */
	for (size_t i = 0; i < found.n / 2; i++) {
		void *x = t->fkeys.v[t->fkeys.n - found.n + i];
		t->fkeys.v[t->fkeys.n - found.n + i] = t->fkeys.v[t->fkeys.n - 1 - i];
		t->fkeys.v[t->fkeys.n - 1 - i] = x;
	}
	for (size_t i = 0; i < t->fkeys.n; i++) {
		strata_fkey *k = t->fkeys.v[i];
		for (size_t j = 0; j < pt->fkeys.n; j++) {
			parsed_fkey *p = pt->fkeys.v[j];
			int same = !p->used && p->ref && strata_name_eq(p->ref, k->ref_table, 1) &&
				   p->from.n == k->from.n;
			for (size_t c = 0; same && c < k->from.n; c++)
				same = strata_name_eq(p->from.v[c], k->from.v[c], 1);
			if (same) {
				p->used = 1;
				k->deferrable = p->deferrable;
				k->initially_deferred = p->deferrable && p->initially_deferred;
				break;
			}
		}
	}
	vec_free(&found);
	return 0;
}

static int read_table(reader *r, strata_catalog *cat, const char *name, int wr, int strict)
{
	parsed_table pt = { 0 };
	strata_table *t = strata_catalog_add_table(cat, name);
	t->without_rowid = wr;
	t->strict = strict;
	parse_create_table(&pt, stored_sql(r, name));
	int rc = read_columns(r, t, &pt);
	if (!rc)
		rc = read_indexes(r, t);
	if (!rc)
		rc = read_fkeys(r, t, &pt);
	for (size_t i = 0; !rc && i < pt.checks.n; i++) {
		const parsed_check *ck = pt.checks.v[i];
		strata_table_add_check(t, ck->name, ck->expr);
	}
	parsed_table_free(&pt);
	return rc;
}

/* A foreign key written "REFERENCES parent" means the parent's primary key: spell it
 * out, so it compares equal to one that names the columns. */
static void resolve_fkey_targets(strata_catalog *cat)
{
	for (size_t i = 0; i < cat->tables.n; i++) {
		strata_table *t = cat->tables.v[i];
		for (size_t j = 0; j < t->fkeys.n; j++) {
			strata_fkey *fk = t->fkeys.v[j];
			const strata_table *p = fk->to.n ? NULL : strata_catalog_table(cat, fk->ref_table);
			for (size_t k = 0; p && k < p->pk.columns.n; k++)
				strvec_push(&fk->to, p->pk.columns.v[k]);
		}
	}
}

static int prepare(reader *r, sqlite3_stmt **st, const char *sql)
{
	if (sqlite3_prepare_v2(r->db, sql, -1, st, NULL) != SQLITE_OK)
		return db_fail(r, "prepare");
	return 0;
}

/* Reads the user schema of `db`; see sqlite_internal.h. */
int sqlite_introspect_db(sqlite3 *db, const char *version_table, strata_catalog **out,
			 strata_err *e)
{
	reader r = { .db = db, .e = e };
	strata_catalog *cat = strata_catalog_new(1);
	cat->type_narrows = sq_type_narrows;
	sqlite3_stmt *st = NULL;
	strvec tnames = { 0 }, trig = { 0 }; /* trig: name, table, sql of each trigger */
	vec flags = { 0 };
	int step;
	int rc, own_txn = sqlite3_get_autocommit(db);
	*out = NULL;
	/* One read transaction: a consistent snapshot, and one file lock instead of a lock
	 * and unlock around each of thousands of PRAGMA queries. */
	if (own_txn && sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(&r, "BEGIN");
	if ((rc = prepare(&r, &r.xinfo,
			  "SELECT name, type, \"notnull\", dflt_value, pk, hidden "
			  "FROM pragma_table_xinfo(?1, 'main') ORDER BY cid")) ||
	    (rc = prepare(&r, &r.index_list,
			  "SELECT name, \"unique\", origin FROM pragma_index_list(?1, 'main') ORDER BY seq")) ||
	    (rc = prepare(&r, &r.index_xinfo,
			  "SELECT cid, name, \"desc\", coll, key FROM pragma_index_xinfo(?1, 'main') "
			  "ORDER BY seqno")) ||
	    (rc = prepare(&r, &r.fkeys,
			  "SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete "
			  "FROM pragma_foreign_key_list(?1, 'main') ORDER BY id, seq")))
		goto done;

	/* Everything sqlite_schema holds, in one pass. */
	if ((rc = prepare(&r, &st, "SELECT type, name, tbl_name, sql FROM main.sqlite_schema "
				   "WHERE sql IS NOT NULL ORDER BY rowid")))
		goto done;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *type = col_text(st, 0), *name = col_text(st, 1);
		const char *tbl = col_text(st, 2), *sql = col_text(st, 3);
		if (strcmp(type, "table") == 0 || strcmp(type, "index") == 0) {
			char *k = lower_dup(name);
			char *v = xstrdup(sql);
			strvec_push_owned(&r.keys, k);
			strvec_push_owned(&r.sqls, v);
			map_put(&r.sql, k, v);
		} else if (strcmp(type, "view") == 0) {
			strata_catalog_add_view(cat, name, sql);
		} else if (strcmp(type, "trigger") == 0) {
			strvec_push(&trig, name);
			strvec_push(&trig, tbl);
			strvec_push(&trig, sql);
		}
	}
	if (step != SQLITE_DONE) {
		rc = db_fail(&r, "sqlite_schema");
		goto done;
	}
	sqlite3_finalize(st);
	if ((rc = prepare(&r, &st, "SELECT name, wr, strict FROM pragma_table_list "
				   "WHERE schema = 'main' AND type = 'table'")))
		goto done;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = col_text(st, 0);
		if (skipped_table(name, version_table ? version_table : "strata_version"))
			continue;
		strvec_push(&tnames, name);
		vec_push(&flags, (void *)(size_t)(sqlite3_column_int(st, 1) | sqlite3_column_int(st, 2) << 1));
	}
	if (step != SQLITE_DONE) {
		rc = db_fail(&r, "table_list");
		goto done;
	}
	for (size_t i = 0; i < tnames.n && !rc; i++) {
		size_t f = (size_t)flags.v[i];
		rc = read_table(&r, cat, tnames.v[i], (int)(f & 1), (int)(f >> 1 & 1));
	}
	if (rc)
		goto done;
	/* Triggers on what strata leaves out (virtual tables, its own) stay out too. */
	for (size_t i = 0; i + 2 < trig.n; i += 3)
		if (strata_catalog_table(cat, trig.v[i + 1]) || strata_catalog_view(cat, trig.v[i + 1]))
			strata_catalog_add_trigger(cat, trig.v[i], trig.v[i + 1], trig.v[i + 2]);
	resolve_fkey_targets(cat);
	strata_catalog_sort(cat);
done:
	sqlite3_finalize(st);
	sqlite3_finalize(r.xinfo);
	sqlite3_finalize(r.index_list);
	sqlite3_finalize(r.index_xinfo);
	sqlite3_finalize(r.fkeys);
	if (own_txn)
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	map_free(&r.sql);
	strvec_free(&r.keys);
	strvec_free(&r.sqls);
	strvec_free(&tnames);
	strvec_free(&trig);
	vec_free(&flags);
	if (rc)
		strata_catalog_free(cat);
	else
		*out = cat;
	return rc;
}

/* The backend-table slot: reads the schema of the connection's database. */
int sqlite_introspect(strata_conn *c, strata_catalog **out, strata_err *e)
{
	return sqlite_introspect_db(strata_sqlite_handle(c), sqlite_version_table(c), out, e);
}
