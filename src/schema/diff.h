/*
 * diff: two catalogs in, an ordered list of operations out.
 *
 * The list is dialect-neutral: each operation names what changes and points at both
 * versions of the objects involved (in the `from` and `to` catalogs, which must outlive
 * the list), so a dialect can render it in either direction and a reader can describe
 * it. strata_oplist_invert() gives the operations that undo a list, in undo order.
 *
 * Order (what tools that got it wrong taught): objects that read others wrap around the
 * change — triggers, then views (those reading others first) are dropped before tables
 * change and re-created after, bottom-up; indexes are dropped before and created after;
 * tables are dropped children-first and created parents-first; each table that stays
 * has its changes in one contiguous run, renames first, so a dialect that must rebuild
 * the table can do it once.
 */
#ifndef STRATA_SCHEMA_DIFF_H
#define STRATA_SCHEMA_DIFF_H

#include <stddef.h>

#include "schema/catalog.h"
#include "util/buf.h"
#include "util/err.h"

typedef enum strata_op_kind {
	STRATA_OP_DROP_TRIGGER,
	STRATA_OP_DROP_VIEW,
	STRATA_OP_DROP_INDEX,
	STRATA_OP_DROP_TABLE,
	/* Changes to a table that stays: one contiguous run per table. */
	STRATA_OP_RENAME_TABLE,
	STRATA_OP_RENAME_COLUMN,
	STRATA_OP_DROP_FKEY,
	STRATA_OP_DROP_CHECK,
	STRATA_OP_DROP_UNIQUE,
	STRATA_OP_DROP_COLUMN,
	STRATA_OP_ALTER_COLUMN,
	STRATA_OP_ADD_COLUMN,
	STRATA_OP_ALTER_PKEY,
	STRATA_OP_ADD_UNIQUE,
	STRATA_OP_ADD_CHECK,
	STRATA_OP_ADD_FKEY,
	STRATA_OP_ALTER_OPTIONS, /* WITHOUT ROWID, STRICT */
	/* After the tables. */
	STRATA_OP_CREATE_TABLE,
	STRATA_OP_CREATE_INDEX,
	STRATA_OP_CREATE_VIEW,
	STRATA_OP_CREATE_TRIGGER,
	/* Objects (strata_object, in old_obj/new_obj). Comments are dropped before
	 * everything and created or altered after everything; the other kinds are created
	 * or altered after the table drops, before the tables change, and dropped after the
	 * triggers are created. */
	STRATA_OP_CREATE_OBJECT,
	STRATA_OP_ALTER_OBJECT,
	STRATA_OP_DROP_OBJECT
} strata_op_kind;

/* The op only re-creates an unchanged object around a change to what it reads. */
#define STRATA_OP_IMPLIED  0x1u
/* The op is half of replacing an object that changed (drop old, create new). On
 * DROP_TABLE and CREATE_TABLE: a rebuild of a table whose partition key changes; the
 * drop carries the new table in new_obj, the create the old one in old_obj, and the
 * dialect keeps the rows. */
#define STRATA_OP_REPLACED 0x2u

typedef struct strata_op {
	strata_op_kind kind;
	unsigned flags;
	/* The table the op is about, as it is before (old) and after (new); NULL where
	 * that side does not exist (old for CREATE_TABLE, new for DROP_TABLE, ...). */
	const strata_table *old_table;
	const strata_table *new_table;
	/* Column ops: the column before and after. */
	const strata_column *old_col;
	const strata_column *new_col;
	/* The index, view, trigger, strata_unique, strata_check or strata_fkey, before
	 * and after. */
	const void *old_obj;
	const void *new_obj;
} strata_op;

typedef struct strata_oplist {
	strata_op *v;
	size_t n;
	size_t cap;
	const strata_catalog *from; /* borrowed */
	const strata_catalog *to;   /* borrowed */
	strata_renames renames;     /* owned: the renames the list was made with */
	int nocase;
	/* either catalog's type_narrows (from's first) */
	int (*type_narrows)(const char *from, const char *to);
} strata_oplist;

/* Parses rename specs — "old_table:new_table" or "table.old_col:new_col" (a name may be
 * written in double quotes when it holds '.' or ':') — and appends them to `out`, with
 * each column rename's table resolved to its name in `from` (the spec may use either
 * side's name). Returns 0, or STRATA_EUSAGE naming the bad spec. */
int strata_renames_parse(strata_renames *out, const char *const *specs, size_t n,
			 const strata_catalog *from, const strata_catalog *to, strata_err *e);

/* Appends to `out` the rename candidates of one kind (STRATA_RENAME_TABLE or _COLUMN):
 * a table or column of `from` that is gone from `to` while a look-alike appears there,
 * given the renames already `accepted` (may be NULL). Each candidate's `table` is the
 * table's name in `from`. */
void strata_diff_rename_candidates(strata_renames *out, const strata_catalog *from,
				   const strata_catalog *to, const strata_renames *accepted,
				   int kind);

/* Appends to `out` the renames of `r` that apply inside old table `table`: every table
 * rename and that table's column renames (so that an index or expression of one table
 * is not read through another table's column of the same name). */
void strata_renames_of_table(strata_renames *out, const strata_renames *r, const char *table,
			     int nocase);

/* Diffs `from` (the database) against `to` (the declared schema) with the given renames
 * (may be NULL) into a new list at *out. Fails (STRATA_EUSAGE) when a rename names
 * something that does not exist or renames form a cycle. */
int strata_diff_catalogs(strata_oplist **out, const strata_catalog *from,
			 const strata_catalog *to, const strata_renames *renames, strata_err *e);

/* The list that undoes `ops`, in the order that undoes it; never NULL. */
strata_oplist *strata_oplist_invert(const strata_oplist *ops);
void strata_oplist_free(strata_oplist *ops);

/* Whether the op belongs to the run of changes to a table that stays. */
int strata_op_is_table_change(const strata_op *op);
/* Whether ops k-1 and k are in the same run of changes to one table. */
int strata_op_same_run(const strata_oplist *ops, size_t k);
/* Whether op k is where its table's run begins after the renames, in a run that changes
 * a primary key the table has: where a dialect drops the old key, before the changes
 * (dropping a key column, or NOT NULL from one) that the key would refuse. */
int strata_op_drops_pkey_here(const strata_oplist *ops, size_t k);

/* The table at the top of partition `o`'s chain of parents in `c` (its name, which `c`
 * owns), or NULL when `o` has no parent. */
const char *strata_partition_root(const strata_catalog *c, const strata_object *o);

/* Helpers every dialect's renderer shares. A "-- WARNING: TEXT" line (line breaks in
 * TEXT become spaces). */
void strata_render_warning(buf *out, const char *text);
/* Appends `name` for a SQL comment: line breaks become spaces. */
void strata_render_comment_text(buf *out, const char *name);
/* The "-- strata:fill TABLE.COL: …" note above the step that makes a new NOT NULL
 * column NOT NULL, ending with "-- WHAT below fails the revision while a row still
 * holds NULL there." */
void strata_render_fill_note(buf *out, const char *table, const char *col, const char *what);
/* Appends the op's one human line ("+ table users", "~ column users.name (type TEXT
 * -> VARCHAR(80))", "- index ix_old"); returns 0 and appends nothing for ops that are
 * not a change of their own (implied re-creations, the drop half of a replacement). */
int strata_op_describe(buf *out, const strata_op *op);
/* Whether enum `a` becomes `b` other than by inserting labels (removed or reordered
 * labels: the type must be rebuilt). */
int strata_enum_rebuilt(const strata_object *a, const strata_object *b);
/* Returns 1 and appends why when the op may lose data or fail on existing rows;
 * `narrows` is the backend's type-narrowing rule (the list's type_narrows; NULL: every
 * change of type narrows). */
int strata_op_danger(buf *out, const strata_op *op,
		     int (*narrows)(const char *from, const char *to));

#endif
