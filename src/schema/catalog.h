/*
 * catalog: a dialect-neutral model of a database schema.
 *
 * Autogenerate reads two catalogs — the live database and the declared schema loaded
 * into a scratch database — and diffs them. Both sides are read by the same backend
 * code, so the catalog holds what the database reports, normalised so that the same
 * declared schema always reads back equal: names as the database spells them, types
 * upper-cased, expressions as token streams re-joined with canonical spacing (never the
 * author's raw text, which keeps comments and line breaks).
 *
 * Ownership: a catalog owns its tables, views, triggers and other objects; a table owns
 * its columns, constraints and indexes. Every string is malloc'd and freed with its owner.
 *
 * PostgreSQL fills a few more fields (constraint names, identity, whole index
 * definitions, materialized views, strata_object); SQLite leaves them empty, and every
 * comparison treats an empty field as it did before they existed.
 *
 * Names: in SQLite every identifier compares case-insensitively (ASCII only); a catalog
 * records that in `nocase`, and every lookup and comparison below honours it.
 */
#ifndef STRATA_SCHEMA_CATALOG_H
#define STRATA_SCHEMA_CATALOG_H

#include <stddef.h>

#include "util/buf.h"
#include "util/vec.h"

/* How a column is generated (strata_column.generated). */
#define STRATA_GEN_NONE    0
#define STRATA_GEN_VIRTUAL 1
#define STRATA_GEN_STORED  2

typedef struct strata_column {
	char *name;
	char *type;      /* normalised declared type ("VARCHAR(80)"), "" when none */
	int notnull;
	char *dflt;      /* normalised DEFAULT expression without outer parentheses, or NULL */
	char *collation; /* upper-cased collation, or NULL for the default (BINARY) */
	int generated;   /* STRATA_GEN_* */
	char *gen_expr;  /* normalised generation expression, or NULL */
	int hidden;      /* a hidden column of a virtual table */
	char identity;   /* PostgreSQL identity: 'a' ALWAYS, 'd' BY DEFAULT, 0 none */
	/* PostgreSQL: the identity's sequence options as CREATE SEQUENCE spells them
	 * ("START WITH -100 INCREMENT BY 5 MINVALUE -100 MAXVALUE 1000 CACHE 1 NO CYCLE"),
	 * or NULL when every one is at its default. */
	char *identity_opts;
	/* PostgreSQL: the column only comes from a parent table (INHERITS) and is not
	 * declared by the table itself. */
	int inherited;
	/* PostgreSQL serial: the sequence the column owns, as a catalog name
	 * ("t_id_seq", "app.t_id_seq"), or NULL. Not compared (the type says serial). */
	char *serial_seq;
} strata_column;

/* One key of an index or UNIQUE constraint. */
typedef struct strata_keypart {
	char *name;      /* the column, or the normalised expression when is_expr */
	int is_expr;
	char *collation; /* explicit COLLATE (upper-cased), or NULL */
	int desc;
} strata_keypart;

typedef struct strata_pkey {
	strvec columns;    /* in key order; empty when there is no declared primary key */
	int autoincrement;
	char *name;        /* constraint name where the database names it, or NULL */
	int deferrable;    /* PostgreSQL: DEFERRABLE [INITIALLY DEFERRED] */
	int initially_deferred;
} strata_pkey;

typedef struct strata_unique {
	strata_keypart *parts;
	size_t nparts;
	char *name; /* constraint name where the database names it, or NULL */
	int deferrable; /* PostgreSQL: DEFERRABLE [INITIALLY DEFERRED] */
	int initially_deferred;
	int nulls_not_distinct; /* PostgreSQL 15: UNIQUE NULLS NOT DISTINCT */
} strata_unique;

typedef struct strata_check {
	char *name; /* CONSTRAINT name, or NULL */
	char *expr; /* normalised, without the surrounding parentheses */
	/* A PostgreSQL exclusion constraint: `expr` is then its whole definition as the
	 * server prints it ("EXCLUDE USING gist (room WITH =, during WITH &&)"). */
	int exclude;
	int no_inherit; /* PostgreSQL: CHECK (...) NO INHERIT */
} strata_check;

typedef struct strata_fkey {
	strvec from;
	char *ref_table;
	strvec to;        /* empty: the parent's primary key (only when the parent is unknown) */
	char *on_delete;  /* upper-cased action, NULL for NO ACTION */
	char *on_update;
	int deferrable;
	int initially_deferred;
	char *name;       /* constraint name where the database names it, or NULL */
	int match_full;   /* MATCH FULL (else the default, MATCH SIMPLE) */
} strata_fkey;

typedef struct strata_index {
	char *name;
	char *table;
	int unique;
	strata_keypart *parts;
	size_t nparts;
	char *where; /* normalised predicate of a partial index, or NULL */
	/* The whole CREATE INDEX statement as the database prints it (PostgreSQL: method,
	 * expressions, INCLUDE, predicate), or NULL. When both sides have it, it decides
	 * equality and is what a dialect renders. */
	char *def;
} strata_index;

typedef struct strata_view {
	char *name;
	char *sql; /* the CREATE VIEW statement as the database keeps it */
	int materialized; /* a PostgreSQL materialized view */
	/* The tables and views it reads, as the database's dependency records name them
	 * (PostgreSQL: pg_depend); when `reads_known` is 0 the diff reads them off `sql`. */
	strvec reads;
	int reads_known;
} strata_view;

typedef struct strata_trigger {
	char *name;
	char *table; /* the table or view it fires on */
	char *sql;   /* the CREATE TRIGGER statement as the database keeps it */
} strata_trigger;

typedef struct strata_table {
	char *name;
	vec columns; /* strata_column *, in declaration order */
	strata_pkey pk;
	vec uniques; /* strata_unique * */
	vec checks;  /* strata_check * */
	vec fkeys;   /* strata_fkey * */
	vec indexes; /* strata_index *, sorted by name */
	int without_rowid;
	int strict;
	/* PostgreSQL: the partition key of a partitioned table ("RANGE (at)"), or NULL. */
	char *partition_by;
	/* PostgreSQL: an UNLOGGED table. */
	int unlogged;
	/* PostgreSQL: the tables it inherits from (INHERITS), in order. */
	strvec inherits;
} strata_table;

/*
 * Objects other than tables, views and triggers (PostgreSQL: schemas, extensions, enums,
 * sequences, functions, comments). Each carries the statements that create and remove
 * it, as the backend that read it spells them; the diff compares them and places them
 * by kind: everything but comments is created before the tables change and removed
 * after, comments are removed first and set last.
 */
#define STRATA_OBJ_SCHEMA    1
#define STRATA_OBJ_EXTENSION 2
#define STRATA_OBJ_ENUM      3
/* A domain: `type` is its base type; `alter` sets its default and NOT NULL in place
 * (a new base type is refused by the diff). Its CHECK constraints are objects of their
 * own. */
#define STRATA_OBJ_DOMAIN    4
#define STRATA_OBJ_SEQUENCE  5
#define STRATA_OBJ_FUNCTION  6
/* A CHECK constraint of a domain (`parent`), after the functions it may call. */
#define STRATA_OBJ_DOMAIN_CHECK 7
#define STRATA_OBJ_COMMENT   8
/* A partition of a partitioned table (PostgreSQL): created after the tables, dropped
 * before them; `alter` attaches it with its bounds (the dialect detaches it from its
 * old `parent` first). */
#define STRATA_OBJ_PARTITION 9
/* The column that owns a sequence (OWNED BY), once the table exists. */
#define STRATA_OBJ_SEQUENCE_OWNER 10
/* A collation (CREATE COLLATION): created after schemas and extensions, before the
 * types and tables that use it; dropped after them. */
#define STRATA_OBJ_COLLATION 11
/* An index of a materialized view: created after the views, dropped before them
 * (`drop` says IF EXISTS: the view may have taken it along). */
#define STRATA_OBJ_VIEW_INDEX 12

/*
 * Security (PostgreSQL), each with `parent` naming the object it is about (a table, or
 * a function as "f(integer)"): dropped before anything else and created after
 * everything but comments, and made again when their parent is dropped and re-created
 * (a rebuilt table, a re-created view or function); a policy also when its table, or
 * what its expressions read, changes (PostgreSQL refuses to alter a column a policy
 * uses).
 */
/* CREATE POLICY, named "<policy> on <table>". */
#define STRATA_OBJ_POLICY    20
/* ENABLE ROW LEVEL SECURITY on the table `name`. */
#define STRATA_OBJ_RLS       21
/* FORCE ROW LEVEL SECURITY on the table `name`. */
#define STRATA_OBJ_RLS_FORCE 22
/* The owner of an object when it is not the role strata connects as: "of table t". */
#define STRATA_OBJ_OWNER     23
/* A privilege that differs from the object's default: a GRANT ("SELECT on table t to
 * r") or a REVOKE of a default one ("revoke EXECUTE on function f(integer) from
 * PUBLIC"). Owners and privileges are compared only with manage_privileges. */
#define STRATA_OBJ_PRIVILEGE 24

typedef struct strata_object {
	int kind;     /* STRATA_OBJ_* */
	char *name;   /* unique within its kind: "mood", "app.f(integer)", "column t.c" */
	char *sql;    /* the statement that creates it */
	char *drop;   /* the statement that removes it */
	char *alter;  /* a statement that turns another version into this one in place, or
		       * NULL (enums are altered by the dialect from `values`) */
	strvec values; /* enum labels in sort order */
	char *type;   /* enum: the type as a column's type names it; domain: its base type;
		       * partition: its own partition key, or NULL; function: its parameters
		       * (names, defaults) and result, which CREATE OR REPLACE cannot change */
	char *parent; /* partition: the table it is a partition of; domain constraint: the
		       * domain */
	/* Comments and view indexes: what they hang on, which takes them along when it is
	 * dropped — "view v", "index app.ix", "constraint t.c", "trigger t.x", "table t" —
	 * or NULL. The diff sets them again where it re-creates that. */
	char *on;
} strata_object;

typedef struct strata_catalog {
	vec tables;   /* strata_table *, sorted by name */
	vec views;    /* strata_view *, sorted by name */
	vec triggers; /* strata_trigger *, sorted by name */
	vec objects;  /* strata_object *, sorted by kind, then name */
	int nocase;   /* identifiers compare case-insensitively (ASCII) */
	/* The backend's type-narrowing rule (strata_backend.type_narrows), set by the
	 * introspection that made the catalog; NULL: every change of type narrows. */
	int (*type_narrows)(const char *from, const char *to);
	/* What the database holds that is not modelled, one "KIND NAME" line each
	 * ("aggregate public.total(integer)"): `check` lists them as not compared. */
	strvec uncompared;
} strata_catalog;

/* Renames declared or accepted by the user, from the old catalog to the new one. */
#define STRATA_RENAME_TABLE  1
#define STRATA_RENAME_COLUMN 2

typedef struct strata_rename {
	int kind;    /* STRATA_RENAME_* */
	char *table; /* column renames: the table's name in the old catalog */
	char *from;
	char *to;
} strata_rename;

typedef struct strata_renames {
	strata_rename *v;
	size_t n;
	size_t cap;
} strata_renames;

/* --- building and freeing ------------------------------------------------------ */

/* A new empty catalog; `nocase` as for strata_catalog. Never NULL. */
strata_catalog *strata_catalog_new(int nocase);
void strata_catalog_free(strata_catalog *c);
/* Sorts tables, views, triggers and each table's indexes by name, so that output
 * built from a catalog is deterministic. */
void strata_catalog_sort(strata_catalog *c);

/* Appends a new table/view/trigger (names copied) and returns it; the catalog owns it. */
strata_table *strata_catalog_add_table(strata_catalog *c, const char *name);
strata_view *strata_catalog_add_view(strata_catalog *c, const char *name, const char *sql);
strata_trigger *strata_catalog_add_trigger(strata_catalog *c, const char *name,
					   const char *table, const char *sql);

/* Appends an object (strings copied; `alter` may be NULL); the catalog owns it. */
strata_object *strata_catalog_add_object(strata_catalog *c, int kind, const char *name,
					 const char *sql, const char *drop, const char *alter);
/* The object of `kind` named `name`, or NULL. */
strata_object *strata_catalog_object(const strata_catalog *c, int kind, const char *name);
/* Whether two versions of an object are the same (statements and enum labels). */
int strata_object_equal(const strata_object *a, const strata_object *b);
/* "schema", "extension", "enum", "domain", "sequence", "function", "domain constraint",
 * "comment", "partition", "sequence owner", "collation", "index" (of a view). */
const char *strata_object_kind_name(int kind);

/* Appends a column with the given type (NULL for none); the rest starts cleared. */
strata_column *strata_table_add_column(strata_table *t, const char *name, const char *type);
strata_unique *strata_table_add_unique(strata_table *t);
strata_check *strata_table_add_check(strata_table *t, const char *name, const char *expr);
strata_fkey *strata_table_add_fkey(strata_table *t, const char *ref_table);
strata_index *strata_table_add_index(strata_table *t, const char *name, int unique);
/* Appends a key part (strings copied) to an index or a UNIQUE constraint. */
strata_keypart *strata_index_add_part(strata_index *ix, const char *name, int is_expr,
				      const char *collation, int desc);
strata_keypart *strata_unique_add_part(strata_unique *u, const char *name,
				       const char *collation, int desc);

void strata_table_free(strata_table *t);
/* A deep copy of `t`; the caller frees it with strata_table_free. */
strata_table *strata_table_dup(const strata_table *t);

/* --- lookups (NULL when absent) ------------------------------------------------- */

strata_table *strata_catalog_table(const strata_catalog *c, const char *name);
strata_view *strata_catalog_view(const strata_catalog *c, const char *name);
/* The trigger `name` on `table` (NULL: on any table): PostgreSQL names triggers per
 * table, so one name may stand on several. */
strata_trigger *strata_catalog_trigger(const strata_catalog *c, const char *name,
				       const char *table);
strata_index *strata_catalog_index(const strata_catalog *c, const char *name);
strata_column *strata_table_column(const strata_table *t, const char *name, int nocase);
/* Whether `col` is one of the table's primary-key, UNIQUE or foreign-key columns. */
int strata_table_in_pk(const strata_table *t, const char *col, int nocase);
int strata_table_in_unique(const strata_table *t, const char *col, int nocase);
int strata_table_in_fkey(const strata_table *t, const char *col, int nocase);

/* Identifier equality under the catalog's rule. */
int strata_name_eq(const char *a, const char *b, int nocase);

/* --- renames -------------------------------------------------------------------- */

void strata_renames_add(strata_renames *r, int kind, const char *table, const char *from,
			const char *to);
void strata_renames_free(strata_renames *r);
/* The new name of old table `name` (itself when not renamed). */
const char *strata_renames_table(const strata_renames *r, const char *name, int nocase);
/* The new name of column `col` of old table `table` (itself when not renamed). */
const char *strata_renames_column(const strata_renames *r, const char *table, const char *col,
				  int nocase);
/* The same renames seen from the new catalog back to the old one. */
void strata_renames_invert(strata_renames *dst, const strata_renames *src, int nocase);

/* --- comparison: `a` from the old catalog, `b` from the new one, with `a`'s names
 * carried through the renames `r` (may be NULL). Each returns 1 when equal. ----- */

int strata_column_equal(const strata_column *a, const strata_column *b, const char *old_table,
			const strata_renames *r, int nocase);
/* Whether two tables have the same options: SQLite's WITHOUT ROWID and STRICT,
 * PostgreSQL's partition key, UNLOGGED and INHERITS. */
int strata_table_options_equal(const strata_table *a, const strata_table *b, int nocase);
int strata_pkey_equal(const strata_table *a, const strata_table *b, const strata_renames *r,
		      int nocase);
int strata_unique_equal(const strata_unique *a, const strata_unique *b, const char *old_table,
			const strata_renames *r, int nocase);
int strata_check_equal(const strata_check *a, const strata_check *b, const char *old_table,
		       const strata_renames *r, int nocase);
int strata_fkey_equal(const strata_fkey *a, const strata_fkey *b, const char *old_table,
		      const strata_renames *r, int nocase);
/* Index equality includes its name and table. */
int strata_index_equal(const strata_index *a, const strata_index *b, const strata_renames *r,
		       int nocase);
int strata_view_equal(const strata_view *a, const strata_view *b, const strata_renames *r,
		      int nocase);
int strata_trigger_equal(const strata_trigger *a, const strata_trigger *b,
			 const strata_renames *r, int nocase);
/* Structural equality of two catalogs (column order is not significant). On a
 * difference, returns 0 and appends one line saying what differs to `why` (may be NULL). */
int strata_catalog_equal(const strata_catalog *a, const strata_catalog *b, buf *why);

/* Appends "type TEXT -> VARCHAR(80), NOT NULL added, ..." for two versions of a column. */
void strata_column_describe_change(buf *out, const strata_column *a, const strata_column *b);

/* --- SQL text: tokens, canonical text, comparison ------------------------------- */

#define STRATA_TOK_EOF    0
#define STRATA_TOK_WORD   1 /* bare identifier or keyword */
#define STRATA_TOK_QID    2 /* "quoted", [bracketed] or `backticked` identifier */
#define STRATA_TOK_STRING 3
#define STRATA_TOK_BLOB   4
#define STRATA_TOK_NUMBER 5
#define STRATA_TOK_VAR    6 /* ?, ?1, :name, @name, $name */
#define STRATA_TOK_PUNCT  7 /* operators and ( ) , ; . */

typedef struct strata_token {
	int type;
	const char *p; /* into the tokenised text */
	size_t n;
} strata_token;

typedef struct strata_toklist {
	strata_token *v;
	size_t n;
	size_t cap;
} strata_toklist;

/* Reads the token starting at or after `s`, skipping whitespace and comments; returns
 * the position after it. At the end, t->type is STRATA_TOK_EOF. */
const char *strata_sql_next(const char *s, strata_token *t);
/* Appends the tokens of the NUL-terminated `sql` (comments dropped); they point into it. */
void strata_sql_tokenize(strata_toklist *out, const char *sql);
void strata_toklist_free(strata_toklist *l);
/* Whether `t` is the bare word `kw` (ASCII case-insensitive). */
int strata_tok_is(const strata_token *t, const char *kw);
/* Whether `t` is the punctuation `p`. */
int strata_tok_punct(const strata_token *t, const char *p);
/* The identifier a WORD or QID token names (quotes removed), malloc'd. */
char *strata_tok_ident(const strata_token *t);
/* Appends tokens [0, n) joined with canonical spacing. */
void strata_sql_join(buf *out, const strata_token *t, size_t n);
/* Appends the canonical text of `sql`; with `strip_parens`, parentheses wrapping the
 * whole expression are dropped. */
void strata_sql_normalize(buf *out, const char *sql, int strip_parens);
/* Token-wise equality: comments, spacing and identifier quoting do not matter; names
 * in `a` are carried through `r` (the columns of `table` when non-NULL, else every
 * table and column). */
int strata_sql_equal(const char *a, const char *b, const strata_renames *r, const char *table,
		     int nocase);
/* Whether `sql` mentions the identifier `name` anywhere (a conservative dependency test). */
int strata_sql_mentions(const char *sql, const char *name, int nocase);
/* Whether an expression is a constant literal: a number, string, blob, NULL, TRUE or
 * FALSE, optionally signed. */
int strata_sql_is_literal(const char *expr);

#endif
