/*
 * test_oracle.h — the data oracle of the autogenerate round trips, backend-neutral.
 *
 * Before a migration, each table's rows are read as text: a row key (the rowid or the
 * primary key, so a row is followed through a rebuild) and, per column, the value as a
 * SQL literal (quote() on SQLite, quote_nullable() on PostgreSQL). After the migration
 * the same rows are read under the new names. Every value of every column that both
 * sides have must be unchanged, or equal to what the type change makes of it (the
 * backend's conversion callback asks the database), or the revision must carry a
 * `-- WARNING:` line naming the table. A row that disappears needs such a warning too.
 * A column whose new version is computed from others is not compared when the old one
 * was computed too (its values follow the expression the schema states).
 */
#ifndef TEST_ORACLE_H
#define TEST_ORACLE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

/* The values of one table: nrows rows of 1 + ncols cells (the key first), malloc'd. */
typedef struct orc_snap {
	size_t nrows, ncols;
	char **cell;
} orc_snap;

static void orc_snap_free(orc_snap *s)
{
	for (size_t i = 0; s->cell && i < s->nrows * (s->ncols + 1); i++)
		free(s->cell[i]);
	free(s->cell);
	memset(s, 0, sizeof(*s));
}

/* Appends a row (1 + ncols cells, copied). */
static void orc_snap_add(orc_snap *s, char **cells)
{
	size_t w = s->ncols + 1;
	s->cell = xrealloc(s->cell, (s->nrows + 1) * w * sizeof(*s->cell));
	for (size_t j = 0; j < w; j++)
		s->cell[s->nrows * w + j] = xstrdup(cells[j] ? cells[j] : "NULL");
	s->nrows++;
}

static const char *orc_cell(const orc_snap *s, size_t row, size_t col)
{
	return s->cell[row * (s->ncols + 1) + col + 1];
}

static const char *orc_key(const orc_snap *s, size_t row)
{
	return s->cell[row * (s->ncols + 1)];
}

/* Whether `name` appears in `line` as a whole name: not inside a longer word. */
static int orc_names(const char *line, size_t len, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = line; n && p + n <= line + len; p++) {
		if (strncmp(p, name, n) != 0)
			continue;
		char before = p > line ? p[-1] : ' ', after = p + n < line + len ? p[n] : ' ';
		int word_before = (before >= 'a' && before <= 'z') || (before >= 'A' && before <= 'Z') ||
				  (before >= '0' && before <= '9') || before == '_';
		int word_after = (after >= 'a' && after <= 'z') || (after >= 'A' && after <= 'Z') ||
				 (after >= '0' && after <= '9') || after == '_';
		if (!word_before && !word_after)
			return 1;
	}
	return 0;
}

/* Whether `sql` holds a `-- WARNING:` line naming table `ta` or `tb` (either may be NULL). */
static int orc_warned(const char *sql, const char *ta, const char *tb)
{
	for (const char *p = sql; p && (p = strstr(p, "-- WARNING:")); p++) {
		size_t len = strcspn(p, "\n");
		if ((ta && orc_names(p, len, ta)) || (tb && orc_names(p, len, tb)))
			return 1;
	}
	return 0;
}

/* The table and column (malloc'd) a `-- strata:fill T.C: ...` line at `line` names:
 * the column follows the last '.' before ": write"; returns 0 when it is no such line. */
static int orc_fill_target(const char *line, char **table, char **col)
{
	if (strncmp(line, "-- strata:fill ", 15) != 0)
		return 0;
	const char *t = line + 15, *colon = strstr(t, ": write"), *eol = strchr(t, '\n'), *dot = NULL;
	if (!colon || (eol && eol < colon))
		return 0;
	for (const char *q = t; q < colon; q++)
		if (*q == '.')
			dot = q;
	if (!dot)
		return 0;
	*table = xstrndup(t, (size_t)(dot - t));
	*col = xstrndup(dot + 1, (size_t)(colon - dot - 1));
	return 1;
}

/* What the type change makes of an old value (a literal): a malloc'd literal, or NULL
 * when the value must stay as it is. `col` indexes the compared columns. */
typedef char *(*orc_convert_fn)(void *ctx, size_t col, const char *value);

static int orc_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Compares `before` (old names) with `after` (the same columns, new names, same order).
 * `check[j]` is 0 for a column not compared. `keyed`: rows are matched by key, else
 * each column is compared as a sorted list. Appends what differs to `why` (table `ta`
 * → `tb`, column names `na`/`nb`) and returns 0 when a difference is not warned about
 * in `sql`; returns 1 when everything holds.
 */
static int orc_compare(const orc_snap *before, const orc_snap *after, const int *check,
		       const char *const *na, const char *const *nb, int keyed,
		       orc_convert_fn conv, void *ctx, const char *sql, const char *ta,
		       const char *tb, buf *why)
{
	int warned = orc_warned(sql, ta, tb), ok = 1;
	if (before->nrows != after->nrows && !warned) {
		buf_printf(why, "table %s -> %s: %zu rows before, %zu after, and no warning\n", ta, tb,
			   before->nrows, after->nrows);
		ok = 0;
	}
	for (size_t j = 0; j < before->ncols && ok; j++) {
		if (!check[j])
			continue;
		char **want = xcalloc(before->nrows + 1, sizeof(*want));
		char **got = xcalloc(before->nrows + 1, sizeof(*got));
		const char **keys = xcalloc(before->nrows + 1, sizeof(*keys));
		size_t n = 0;
		for (size_t r = 0; r < before->nrows; r++) {
			const char *v = orc_cell(before, r, j);
			char *c = conv ? conv(ctx, j, v) : NULL;
			const char *now = NULL;
			if (keyed) {
				for (size_t s = 0; s < after->nrows && !now; s++)
					if (strcmp(orc_key(after, s), orc_key(before, r)) == 0)
						now = orc_cell(after, s, j);
				if (!now) {
					free(c);
					continue; /* a lost row: counted above */
				}
			} else if (r < after->nrows) {
				now = orc_cell(after, r, j);
			} else {
				free(c);
				continue;
			}
			keys[n] = orc_key(before, r);
			want[n] = c ? c : xstrdup(v);
			got[n++] = xstrdup(now);
		}
		if (!keyed) {
			qsort(want, n, sizeof(*want), orc_cmp_str);
			qsort(got, n, sizeof(*got), orc_cmp_str);
		}
		for (size_t r = 0; r < n && ok; r++) {
			if (strcmp(want[r], got[r]) == 0 || warned)
				continue;
			buf_printf(why,
				   "column %s.%s -> %s.%s, row %s: value %.200s%s became %.200s%s, "
				   "and no warning names the table\n",
				   ta, na[j], tb, nb[j], keyed ? keys[r] : "(unkeyed)", want[r],
				   strlen(want[r]) > 200 ? "..." : "", got[r],
				   strlen(got[r]) > 200 ? "..." : "");
			ok = 0;
		}
		for (size_t r = 0; r < n; r++) {
			free(want[r]);
			free(got[r]);
		}
		free(want);
		free(got);
		free(keys);
	}
	return ok;
}

#endif
