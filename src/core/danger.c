/* Dangerous operations in a revision's SQL, for `upgrade --plan` and `verify`:
 * what can lose data or fail on existing rows. The scan reads statements as the
 * splitter cuts them, keywords case-insensitively, and the markers autogenerate
 * writes (`-- strata:rebuild`, `-- WARNING:`). */
#include "core/ctx.h"
#include "core/split.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Next word of `p` (letters, digits, '_', or a quoted name) into w. */
static const char *word(const char *p, char *w, size_t n)
{
	size_t k = 0;
	for (;;) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		break;
	}
	if (*p == '"' || *p == '`' || *p == '[') {
		char close = *p == '[' ? ']' : *p;
		p++;
		while (*p && *p != close && k + 1 < n)
			w[k++] = *p++;
		if (*p)
			p++;
	} else if (isalnum((unsigned char)*p) || *p == '_') {
		while ((isalnum((unsigned char)*p) || *p == '_' || *p == '.') && k + 1 < n)
			w[k++] = *p++;
	} else if (*p) {
		w[k++] = *p++;
	}
	w[k] = '\0';
	return p;
}

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

/* Scans one statement. */
static void scan(const char *sql, strvec *out)
{
	char w1[128], w2[128], w3[256], w4[128];
	const char *p = word(sql, w1, sizeof w1);
	p = word(p, w2, sizeof w2);
	if (strcasecmp(w1, "DROP") == 0 && strcasecmp(w2, "TABLE") == 0) {
		p = word(p, w3, sizeof w3);
		if (strcasecmp(w3, "IF") == 0) {
			p = word(p, w3, sizeof w3);
			p = word(p, w3, sizeof w3);
		}
		char *m = xasprintf("drops table %s", w3);
		if (strncasecmp(w3, "strata_", 7) != 0 && strncasecmp(w3, "_strata", 7) != 0)
			add(out, m);
		free(m);
		return;
	}
	if (strcasecmp(w1, "TRUNCATE") == 0 || strcasecmp(w1, "DELETE") == 0) {
		add(out, strcasecmp(w1, "DELETE") == 0 ? "deletes rows" : "truncates a table");
		return;
	}
	if (strcasecmp(w1, "ALTER") != 0 || strcasecmp(w2, "TABLE") != 0)
		return;
	p = word(p, w3, sizeof w3);
	if (strcasecmp(w3, "ONLY") == 0 || strcasecmp(w3, "IF") == 0)
		p = word(p, w3, sizeof w3);
	/* The rest of the statement, clause by clause (PostgreSQL allows several). */
	while (*p) {
		p = word(p, w4, sizeof w4);
		if (strcasecmp(w4, "DROP") == 0) {
			char w5[128];
			const char *q = word(p, w5, sizeof w5);
			if (strcasecmp(w5, "COLUMN") == 0)
				q = word(q, w5, sizeof w5);
			if (strcasecmp(w5, "CONSTRAINT") != 0 && strcasecmp(w5, "DEFAULT") != 0 &&
			    strcasecmp(w5, "NOT") != 0 && strcasecmp(w5, "IDENTITY") != 0 &&
			    strcasecmp(w5, "EXPRESSION") != 0) {
				char *m = xasprintf("drops column %s.%s", w3, w5);
				add(out, m);
				free(m);
			}
		} else if (strcasecmp(w4, "TYPE") == 0) {
			char *m = xasprintf("changes a column type in %s (may narrow it)", w3);
			add(out, m);
			free(m);
		} else if (strcasecmp(w4, "SET") == 0) {
			char w5[128], w6[128];
			const char *q = word(p, w5, sizeof w5);
			word(q, w6, sizeof w6);
			if (strcasecmp(w5, "NOT") == 0 && strcasecmp(w6, "NULL") == 0) {
				char *m = xasprintf("adds NOT NULL to a column of %s", w3);
				add(out, m);
				free(m);
			}
		}
	}
}

int strata_revision_dangers(strata *s, const strata_revision *r, int up, char ***out, size_t *n)
{
	strata_err e = STRATA_ERR_INIT;
	strata_stmtlist l = { 0 };
	strvec v = { 0 };
	const char *sql = up ? r->upgrade_sql : r->downgrade_sql;
	*out = NULL;
	*n = 0;
	/* Markers first: generated revisions say what they do. */
	for (const char *p = sql; (p = strstr(p, "-- strata:rebuild")); p++) {
		const char *t = p + strlen("-- strata:rebuild");
		size_t len = strcspn(t, "\r\n");
		while (len && *t == ' ')
			t++, len--;
		char *m = xasprintf("rebuilds table %.*s (copies every row)", (int)len, t);
		add(&v, m);
		free(m);
	}
	for (const char *p = sql; (p = strstr(p, "-- WARNING:")); p++) {
		const char *t = p + strlen("-- WARNING:");
		while (*t == ' ')
			t++;
		size_t len = strcspn(t, "\r\n");
		char *m = xstrndup(t, len);
		add(&v, m);
		free(m);
	}
	const strata_backend *be = ctx_backend(s);
	if (strata_split(sql, strlen(sql), be->dialect, 1, &l, &e) == 0)
		for (size_t i = 0; i < l.n; i++)
			scan(l.v[i].sql, &v);
	err_clear(&e);
	strata_stmtlist_free(&l);
	*out = v.v;
	*n = v.n;
	return 0;
}
