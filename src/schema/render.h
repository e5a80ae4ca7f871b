/*
 * render: the ALTER/CREATE rendering the SQL dialects share.
 *
 * A dialect describes itself in a strata_render_dialect: how it quotes a name and a
 * (possibly schema-qualified) table name, how it writes a column definition, the few
 * spellings that differ (flags), and hooks for what it renders its own way (renaming a
 * table, adding or altering a column, the foreign-key passes). strata_render_list()
 * then walks an operation list: foreign keys that go first, every other operation in
 * the diff's order (a primary key that changes dropped where its table's run begins,
 * a `-- WARNING:` line above a lossy step), foreign keys that come last.
 */
#ifndef STRATA_SCHEMA_RENDER_H
#define STRATA_SCHEMA_RENDER_H

#include <stddef.h>

#include "schema/catalog.h"
#include "schema/diff.h"
#include "util/buf.h"

enum {
	/* FOREIGN KEY … ON UPDATE before ON DELETE (else ON DELETE first). */
	STRATA_RENDER_FK_UPDATE_FIRST = 1 << 0,
	/* The primary key has no name of its own: PRIMARY KEY without CONSTRAINT, and
	 * DROP PRIMARY KEY (else CONSTRAINT name and DROP CONSTRAINT name). */
	STRATA_RENDER_PK_UNNAMED = 1 << 1,
	/* DROP INDEX name ON table (else DROP INDEX name). */
	STRATA_RENDER_INDEX_ON_TABLE = 1 << 2,
	/* DROP TRIGGER name ON table (else DROP TRIGGER name). */
	STRATA_RENDER_TRIGGER_ON_TABLE = 1 << 3,
	/* A UNIQUE constraint goes with DROP INDEX (else DROP CONSTRAINT). */
	STRATA_RENDER_UNIQUE_IS_INDEX = 1 << 4,
	/* Foreign keys come right after the last table change or index (after a blank
	 * line even at the start of the output); else at the end, after a blank line
	 * when something came before. */
	STRATA_RENDER_FKEYS_AFTER_TABLES = 1 << 5,
};

typedef struct strata_render_dialect strata_render_dialect;

struct strata_render_dialect {
	void (*quote)(buf *out, const char *name); /* an identifier */
	void (*qname)(buf *out, const char *name); /* a table, index or view name */
	void (*column_def)(buf *out, const strata_column *c);
	unsigned flags; /* STRATA_RENDER_* */
	/* Renders op k of the list when the dialect has its own way for it and returns 1;
	 * 0 lets the shared renderer do it. `state` is strata_render_list's. */
	int (*op)(buf *out, const strata_oplist *ops, size_t k, void *state);
	/* The foreign keys that go before the list runs, and those that come after it. */
	void (*fkey_drops)(buf *out, const strata_oplist *ops, void *state);
	void (*fkey_adds)(buf *out, const strata_oplist *ops, void *state);
};

/* "ALTER TABLE <table> " */
void strata_render_alter_table(buf *out, const strata_render_dialect *d, const char *table);
/* "(a, b, …)", each name quoted. */
void strata_render_quoted_list(buf *out, const strata_render_dialect *d, const strvec *names);
/* "CONSTRAINT <name> " when name is not NULL. */
void strata_render_constraint_name(buf *out, const strata_render_dialect *d, const char *name);
void strata_render_unique_def(buf *out, const strata_render_dialect *d, const strata_unique *u);
void strata_render_check_def(buf *out, const strata_render_dialect *d, const strata_check *ck);
/* t's primary key as it stands in CREATE TABLE or after ADD. */
void strata_render_pkey_def(buf *out, const strata_render_dialect *d, const strata_table *t);
void strata_render_fkey_def(buf *out, const strata_render_dialect *d, const strata_fkey *fk);
/* The CREATE INDEX statement of ix (its def when the catalog has one), no ';'. */
void strata_render_index_def(buf *out, const strata_render_dialect *d, const strata_index *ix);
/* "CREATE TABLE …;\n" with columns, primary key, UNIQUE and CHECK constraints. */
void strata_render_create_table(buf *out, const strata_render_dialect *d, const strata_table *t);
/* "ALTER TABLE <table> DROP CONSTRAINT <name>;\n" */
void strata_render_drop_constraint(buf *out, const strata_render_dialect *d, const char *table,
				   const char *name);

/* Renders the whole list into `out` (see the header comment); `state` is handed to the
 * dialect's hooks. Never fails. */
void strata_render_list(buf *out, const strata_render_dialect *d, const strata_oplist *ops,
			void *state);

#endif
