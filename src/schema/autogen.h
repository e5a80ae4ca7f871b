/*
 * autogen: the database and schema.sql in, a reviewed migration out.
 *
 * Backend-neutral: it reaches the database only through the backend table (introspect,
 * load_shadow, render). Both sides are read the same way — the live database, and
 * schema.sql executed in a scratch database — diffed, and rendered twice: the upgrade
 * and its exact inverse as the downgrade.
 *
 * What the SQL asks of the runner (SQLite; see src/backends/sqlite/dialect.c):
 *  - a line `-- strata:rebuild <table>` anywhere in a section means the section must run
 *    with foreign-key enforcement off, switched before BEGIN and restored after the
 *    transaction ends (inside a transaction the PRAGMA does nothing);
 *  - the statement after `-- strata:fk-check` is `PRAGMA foreign_key_check;`, and the
 *    revision fails (rolls back) when it returns any row;
 *  - a `-- strata:fill <table>.<column>: ...` step is followed by a guard that fails the
 *    revision while existing rows still hold NULL in a new NOT NULL column;
 *  - `-- WARNING: ...` lines precede statements that may lose data.
 */
#ifndef STRATA_SCHEMA_AUTOGEN_H
#define STRATA_SCHEMA_AUTOGEN_H

#include <stddef.h>

#include "schema/catalog.h"
#include "schema/diff.h"
#include "strata/backend.h"
#include "util/err.h"

typedef struct strata_autogen_opts {
	/* Declared renames: "old_table:new_table" or "table.old_col:new_col". */
	const char *const *renames;
	size_t nrenames;
	/* Asked for each rename candidate when non-NULL; returns 1 to accept. kind is
	 * "table" (table is NULL) or "column" (table as schema.sql names it). */
	int (*confirm_rename)(void *ctx, const char *kind, const char *table, const char *from,
			      const char *to);
	void *confirm_ctx;
	/* Compare schema.sql with an empty database instead of the live one (the initial
	 * revision of `reset`). */
	int from_empty;
	/* What `check`'s lines call the declared schema (NULL: "schema.sql"). */
	const char *source;
	/* Compare owners and privileges (strata.ini `manage_privileges = yes`); without it
	 * they are left out of both sides, and the result says so once in `notes`. */
	int manage_privileges;
} strata_autogen_opts;

#define STRATA_AUTOGEN_OPTS_INIT { NULL, 0, NULL, NULL, 0, NULL, 0 }

typedef struct strata_autogen_result {
	char *upgrade_sql;   /* malloc'd, "" when no changes */
	char *downgrade_sql; /* malloc'd: the exact inverse */
	char **ops;          /* one human line per operation ("+ table users") */
	size_t nops;
	char **warnings;     /* dangerous operations, human text */
	size_t nwarnings;
	/* For `check`: "column user.sneaky is in the database but not in schema.sql",
	 * "table x is in schema.sql but not in the database", ... */
	char **differences;
	size_t ndifferences;
	/* What was left out of the comparison, one line each ("privileges (GRANT, ...) are
	 * not compared: ..."). */
	char **notes;
	size_t nnotes;
} strata_autogen_result;

/* Renders an op list as SQL, appending to a buf (a backend's render slot). */
typedef int (*strata_render_fn)(const strata_oplist *ops, buf *out, strata_err *e);

/* Diffs the connection's database against `schema_sql` (read from `schema_path`, used in
 * messages; may be NULL). `o` may be NULL. On success *out holds the result (free it
 * with strata_autogen_result_free); on failure *out is left empty and `e` says why. */
int strata_autogen_run(const strata_backend *be, strata_conn *c, const char *schema_sql,
		       const char *schema_path, const strata_autogen_opts *o,
		       strata_autogen_result *out, strata_err *e);

/* The same from two catalogs already read: `live` (the database) and `want`
 * (schema.sql), rendered with `render`. */
int strata_autogen_catalogs(strata_render_fn render, const strata_catalog *live,
			    const strata_catalog *want, const strata_autogen_opts *o,
			    strata_autogen_result *out, strata_err *e);

void strata_autogen_result_free(strata_autogen_result *r);

#endif
