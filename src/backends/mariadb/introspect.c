/*
 * introspect.c — a MariaDB database → catalog, through information_schema.
 *
 * The same code reads the live database and the shadow database that schema.sql was
 * loaded into (shadow.c), so what matters is that one declared schema always reads
 * back the same; both are read from the server's own records, never from the author's
 * text. The mapping onto the dialect-neutral catalog:
 *
 *  - a column's type is COLUMN_TYPE upper-cased outside quotes ("INT(11) UNSIGNED",
 *    "ENUM('a','b')"), with AUTO_INCREMENT appended when EXTRA says so; its default is
 *    the expression MariaDB reports (a nullable column's implicit DEFAULT NULL is no
 *    default), with "ON UPDATE current_timestamp()" appended, so the dialect renders
 *    it back as written; its collation is kept even when it is the table's (a table's
 *    new default collation changes no existing column);
 *  - every index but PRIMARY is an index (a UNIQUE constraint is a unique index in
 *    MariaDB), its `def` the CREATE statement with prefix lengths, DESC, FULLTEXT and
 *    SPATIAL;
 *  - foreign keys with their actions (RESTRICT and NO ACTION, the same in InnoDB, read
 *    as the default); CHECK constraints by name;
 *  - views and triggers with the database's name taken out of their text, so that the
 *    shadow database's copy compares equal;
 *  - table options ENGINE, COLLATE and COMMENT, when they differ from the database's
 *    defaults, as an object ("table options t") whose statement sets them.
 *
 * What the live database holds beyond that (routines, events, sequences, system-versioned
 * and partitioned tables, other table options, column and index comments, invisible
 * columns) is listed in the catalog's `uncompared`, so that `check` names it instead of
 * passing over it in silence.
 */
#define _POSIX_C_SOURCE 200809L
#include "backends/mariadb/mariadb_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Runs a query with the database name as $1 (and `extra` as $2, may be NULL). */
static int q(strata_conn *c, const char *sql, const char *db, const char *extra, strata_rows *r,
	     strata_err *e)
{
	const char *p[2] = { db, extra };
	return my_query(c, sql, p, extra ? 2 : 1, r, e);
}

#define CELL(r, i, j) STRATA_ROWS_CELL(r, i, j)

/* `s` upper-cased outside single-quoted strings, malloc'd. */
static char *upper_outside_quotes(const char *s)
{
	char *out = xstrdup(s);
	int inq = 0;
	for (char *p = out; *p; p++) {
		if (*p == '\'')
			inq = !inq;
		else if (!inq)
			*p = (char)toupper((unsigned char)*p);
	}
	return out;
}

/* Removes every "`db`." from b (the qualifier MariaDB adds to names in view and
 * trigger text). */
static void strip_db(buf *b, const char *db)
{
	buf pat = BUF_INIT, r = BUF_INIT;
	my_quote(&pat, db);
	buf_putc(&pat, '.');
	const char *p = b->ptr;
	for (const char *hit; (hit = strstr(p, pat.ptr)); p = hit + pat.len)
		buf_add(&r, p, (size_t)(hit - p));
	buf_puts(&r, p);
	buf_free(b);
	*b = r;
	buf_free(&pat);
}

/* Whether `name` is one of strata's own tables. */
static int is_strata_table(const char *name, const char *version_table)
{
	return strcmp(name, version_table) == 0 || strcmp(name, "strata_history") == 0;
}

/* Reads the tables and their options (phase 1). */
static int read_tables(strata_conn *c, const char *db, const char *vt, strata_catalog *cat,
		       strata_err *e)
{
	strata_rows r = { 0 }, d = { 0 };
	int rc = q(c,
		   "SELECT TABLE_NAME, ENGINE, TABLE_COLLATION, TABLE_COMMENT FROM information_schema.TABLES"
		   " WHERE TABLE_SCHEMA = $1 AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
		   db, NULL, &r, e);
	if (!rc)
		rc = q(c,
		       "SELECT s.DEFAULT_COLLATION_NAME, @@default_storage_engine FROM information_schema.SCHEMATA s"
		       " WHERE s.SCHEMA_NAME = $1",
		       db, NULL, &d, e);
	const char *dcoll = !rc && d.nrows ? CELL(&d, 0, 0) : NULL;
	const char *dengine = !rc && d.nrows ? CELL(&d, 0, 1) : NULL;
	for (size_t i = 0; !rc && i < r.nrows; i++) {
		const char *name = CELL(&r, i, 0), *engine = CELL(&r, i, 1);
		const char *coll = CELL(&r, i, 2), *comment = CELL(&r, i, 3);
		if (!name || is_strata_table(name, vt))
			continue;
		strata_catalog_add_table(cat, name);
		int odd_engine = engine && dengine && strcasecmp(engine, dengine) != 0;
		int odd_coll = coll && dcoll && strcmp(coll, dcoll) != 0;
		if (!odd_engine && !odd_coll && !(comment && *comment))
			continue;
		buf set = BUF_INIT, unset = BUF_INIT, oname = BUF_INIT;
		buf_puts(&set, "ALTER TABLE ");
		my_quote(&set, name);
		buf_puts(&unset, set.ptr);
		buf_printf(&set, " ENGINE=%s, COLLATE=%s, COMMENT=", engine ? engine : "InnoDB",
			   coll ? coll : "utf8mb4_general_ci");
		my_quote_string(&set, comment ? comment : "");
		buf_printf(&unset, " ENGINE=%s, COLLATE=%s, COMMENT=''", dengine ? dengine : "InnoDB",
			   dcoll ? dcoll : "utf8mb4_general_ci");
		buf_printf(&oname, "table options %s", name);
		strata_catalog_add_object(cat, STRATA_OBJ_COMMENT, oname.ptr, set.ptr, unset.ptr, NULL);
		buf_free(&set);
		buf_free(&unset);
		buf_free(&oname);
	}
	strata_rows_free(&d);
	strata_rows_free(&r);
	return rc;
}

/* Reads the columns of every table (phase 2); those of views and sequences, which the
 * catalog has no table for, are passed over (joining information_schema.TABLES to leave
 * them out makes the server read every database's tables: several times slower). */
static int read_columns(strata_conn *c, const char *db, strata_catalog *cat, strata_err *e)
{
	strata_rows r = { 0 };
	int rc = q(c,
		   "SELECT c.TABLE_NAME, c.COLUMN_NAME, c.COLUMN_TYPE, c.IS_NULLABLE, c.COLUMN_DEFAULT,"
		   "       c.EXTRA, c.COLLATION_NAME, NULL, c.IS_GENERATED,"
		   "       c.GENERATION_EXPRESSION"
		   " FROM information_schema.COLUMNS c WHERE c.TABLE_SCHEMA = $1"
		   " ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION",
		   db, NULL, &r, e);
	for (size_t i = 0; !rc && i < r.nrows; i++) {
		strata_table *t = CELL(&r, i, 0) ? strata_catalog_table(cat, CELL(&r, i, 0)) : NULL;
		if (!t)
			continue;
		const char *extra = CELL(&r, i, 5) ? CELL(&r, i, 5) : "";
		buf type = BUF_INIT, dflt = BUF_INIT;
		char *up = upper_outside_quotes(CELL(&r, i, 2) ? CELL(&r, i, 2) : "");
		buf_puts(&type, up);
		free(up);
		if (strstr(extra, "auto_increment"))
			buf_puts(&type, " AUTO_INCREMENT");
		strata_column *col = strata_table_add_column(t, CELL(&r, i, 1), type.ptr);
		col->notnull = CELL(&r, i, 3) && strcmp(CELL(&r, i, 3), "NO") == 0;
		const char *d = CELL(&r, i, 4);
		const char *onupd = strstr(extra, "on update ");
		int generated = CELL(&r, i, 8) && strcmp(CELL(&r, i, 8), "ALWAYS") == 0;
		if (generated) {
			col->generated = strstr(extra, "STORED") || strstr(extra, "PERSISTENT")
						 ? STRATA_GEN_STORED : STRATA_GEN_VIRTUAL;
			buf g = BUF_INIT;
			strata_sql_normalize(&g, CELL(&r, i, 9) ? CELL(&r, i, 9) : "", 1);
			col->gen_expr = buf_detach(&g);
		} else {
			if (d && !(strcmp(d, "NULL") == 0 && !col->notnull))
				strata_sql_normalize(&dflt, d, 1);
			if (onupd) {
				if (!dflt.len)
					buf_puts(&dflt, "NULL");
				buf_printf(&dflt, " ON UPDATE %s", onupd + strlen("on update "));
			}
			if (dflt.len)
				col->dflt = buf_detach(&dflt);
		}
		/* Kept also when it is the table's: a new table collation changes no column. */
		if (CELL(&r, i, 6))
			col->collation = xstrdup(CELL(&r, i, 6));
		buf_free(&type);
		buf_free(&dflt);
	}
	strata_rows_free(&r);
	return rc;
}

/* Reads the primary keys and indexes (phase 3). */
static int read_indexes(strata_conn *c, const char *db, strata_catalog *cat, strata_err *e)
{
	strata_rows r = { 0 };
	int rc = q(c,
		   "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, COLLATION, INDEX_TYPE"
		   " FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = $1"
		   " ORDER BY TABLE_NAME, INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX",
		   db, NULL, &r, e);
	strata_index *ix = NULL;
	buf cols = BUF_INIT;
	for (size_t i = 0; !rc && i <= r.nrows; i++) {
		const char *tn = i < r.nrows ? CELL(&r, i, 0) : NULL;
		const char *in = i < r.nrows ? CELL(&r, i, 1) : NULL;
		if (ix && (!tn || strcmp(tn, ix->table) != 0 || !in || strcmp(in, ix->name) != 0)) {
			/* The previous index is complete: its CREATE statement. */
			buf def = BUF_INIT;
			const char *kind = ix->def; /* the INDEX_TYPE kept there meanwhile */
			buf_printf(&def, "CREATE %sINDEX ",
				   ix->unique ? "UNIQUE " : strcmp(kind, "FULLTEXT") == 0 ? "FULLTEXT "
						 : strcmp(kind, "SPATIAL") == 0 ? "SPATIAL " : "");
			my_quote(&def, ix->name);
			buf_puts(&def, " ON ");
			my_quote(&def, ix->table);
			buf_printf(&def, " (%s)", cols.ptr);
			free(ix->def);
			ix->def = buf_detach(&def);
			ix = NULL;
			buf_reset(&cols);
		}
		if (!tn)
			break;
		strata_table *t = strata_catalog_table(cat, tn);
		const char *col = CELL(&r, i, 3);
		if (!t || !in || !col)
			continue;
		if (strcmp(in, "PRIMARY") == 0) {
			strvec_push(&t->pk.columns, col);
			continue;
		}
		if (!ix) {
			ix = strata_table_add_index(t, in, CELL(&r, i, 2) && strcmp(CELL(&r, i, 2), "0") == 0);
			ix->def = xstrdup(CELL(&r, i, 6) ? CELL(&r, i, 6) : "BTREE");
		}
		int desc = CELL(&r, i, 5) && strcmp(CELL(&r, i, 5), "D") == 0;
		strata_index_add_part(ix, col, 0, NULL, desc);
		if (cols.len)
			buf_puts(&cols, ", ");
		my_quote(&cols, col);
		if (CELL(&r, i, 4))
			buf_printf(&cols, "(%s)", CELL(&r, i, 4));
		if (desc)
			buf_puts(&cols, " DESC");
	}
	buf_free(&cols);
	strata_rows_free(&r);
	return rc;
}

/* An action as the catalog keeps it: NULL for the default (RESTRICT, NO ACTION). */
static char *fk_action(const char *a)
{
	if (!a || strcmp(a, "RESTRICT") == 0 || strcmp(a, "NO ACTION") == 0)
		return NULL;
	return xstrdup(a);
}

/* Reads foreign keys and CHECK constraints (phase 4). Each information_schema table is
 * filtered by the column the server looks a database up by (k.TABLE_SCHEMA; without it
 * the join reads every database's keys). */
static int read_constraints(strata_conn *c, const char *db, strata_catalog *cat, strata_err *e)
{
	strata_rows r = { 0 }, k = { 0 };
	int rc = q(c,
		   "SELECT rc.TABLE_NAME, rc.CONSTRAINT_NAME, rc.REFERENCED_TABLE_NAME, rc.UPDATE_RULE,"
		   "       rc.DELETE_RULE, k.COLUMN_NAME, k.REFERENCED_COLUMN_NAME"
		   " FROM information_schema.REFERENTIAL_CONSTRAINTS rc"
		   " JOIN information_schema.KEY_COLUMN_USAGE k ON k.CONSTRAINT_SCHEMA = rc.CONSTRAINT_SCHEMA"
		   "  AND k.TABLE_NAME = rc.TABLE_NAME AND k.CONSTRAINT_NAME = rc.CONSTRAINT_NAME"
		   " WHERE rc.CONSTRAINT_SCHEMA = $1 AND k.TABLE_SCHEMA = $1"
		   " ORDER BY rc.TABLE_NAME, rc.CONSTRAINT_NAME, k.ORDINAL_POSITION",
		   db, NULL, &r, e);
	strata_fkey *fk = NULL;
	const char *cur_t = NULL, *cur_n = NULL;
	for (size_t i = 0; !rc && i < r.nrows; i++) {
		const char *tn = CELL(&r, i, 0), *cn = CELL(&r, i, 1);
		strata_table *t = tn ? strata_catalog_table(cat, tn) : NULL;
		if (!t || !cn)
			continue;
		if (!fk || strcmp(cur_t, tn) != 0 || strcmp(cur_n, cn) != 0) {
			fk = strata_table_add_fkey(t, CELL(&r, i, 2) ? CELL(&r, i, 2) : "");
			fk->name = xstrdup(cn);
			fk->on_update = fk_action(CELL(&r, i, 3));
			fk->on_delete = fk_action(CELL(&r, i, 4));
			cur_t = tn;
			cur_n = cn;
		}
		strvec_push(&fk->from, CELL(&r, i, 5) ? CELL(&r, i, 5) : "");
		strvec_push(&fk->to, CELL(&r, i, 6) ? CELL(&r, i, 6) : "");
	}
	if (!rc)
		rc = q(c,
		       "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS"
		       " WHERE CONSTRAINT_SCHEMA = $1 ORDER BY TABLE_NAME, CONSTRAINT_NAME",
		       db, NULL, &k, e);
	for (size_t i = 0; !rc && i < k.nrows; i++) {
		strata_table *t = CELL(&k, i, 0) ? strata_catalog_table(cat, CELL(&k, i, 0)) : NULL;
		if (!t || !CELL(&k, i, 2))
			continue;
		buf x = BUF_INIT;
		strata_sql_normalize(&x, CELL(&k, i, 2), 1);
		strata_table_add_check(t, CELL(&k, i, 1), x.ptr);
		buf_free(&x);
	}
	strata_rows_free(&k);
	strata_rows_free(&r);
	return rc;
}

/* Reads views and triggers (phase 5). */
static int read_views_triggers(strata_conn *c, const char *db, strata_catalog *cat, strata_err *e)
{
	strata_rows v = { 0 }, t = { 0 };
	int rc = q(c,
		   "SELECT TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION FROM information_schema.VIEWS"
		   " WHERE TABLE_SCHEMA = $1 ORDER BY TABLE_NAME",
		   db, NULL, &v, e);
	for (size_t i = 0; !rc && i < v.nrows; i++) {
		if (!CELL(&v, i, 0))
			continue;
		buf b = BUF_INIT;
		buf_puts(&b, "CREATE VIEW ");
		my_quote(&b, CELL(&v, i, 0));
		buf_printf(&b, " AS %s", CELL(&v, i, 1) ? CELL(&v, i, 1) : "SELECT 1");
		if (CELL(&v, i, 2) && strcmp(CELL(&v, i, 2), "NONE") != 0)
			buf_printf(&b, " WITH %s CHECK OPTION", CELL(&v, i, 2));
		strip_db(&b, db);
		strata_catalog_add_view(cat, CELL(&v, i, 0), b.ptr);
		buf_free(&b);
	}
	if (!rc)
		rc = q(c,
		       "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION,"
		       "       ACTION_STATEMENT FROM information_schema.TRIGGERS"
		       " WHERE EVENT_OBJECT_SCHEMA = $1 AND TRIGGER_SCHEMA = $1 ORDER BY TRIGGER_NAME",
		       db, NULL, &t, e);
	for (size_t i = 0; !rc && i < t.nrows; i++) {
		if (!CELL(&t, i, 0) || !CELL(&t, i, 1))
			continue;
		buf b = BUF_INIT;
		buf_puts(&b, "CREATE TRIGGER ");
		my_quote(&b, CELL(&t, i, 0));
		buf_printf(&b, " %s %s ON ", CELL(&t, i, 2) ? CELL(&t, i, 2) : "",
			   CELL(&t, i, 3) ? CELL(&t, i, 3) : "");
		my_quote(&b, CELL(&t, i, 1));
		buf_printf(&b, " FOR EACH ROW %s", CELL(&t, i, 4) ? CELL(&t, i, 4) : "");
		strip_db(&b, db);
		strata_catalog_add_trigger(cat, CELL(&t, i, 0), CELL(&t, i, 1), b.ptr);
		buf_free(&b);
	}
	strata_rows_free(&t);
	strata_rows_free(&v);
	return rc;
}

int my_introspect_db(strata_conn *c, const char *db, const char *version_table,
		     strata_catalog **out, strata_err *e)
{
	strata_catalog *cat = strata_catalog_new(0);
	const char *vt = version_table ? version_table : "strata_version";
	cat->type_narrows = my_type_narrows;
	*out = NULL;
	int rc = read_tables(c, db, vt, cat, e);
	if (!rc)
		rc = read_columns(c, db, cat, e);
	if (!rc)
		rc = read_indexes(c, db, cat, e);
	if (!rc)
		rc = read_constraints(c, db, cat, e);
	if (!rc)
		rc = read_views_triggers(c, db, cat, e);
	if (rc) {
		strata_catalog_free(cat);
		return rc;
	}
	strata_catalog_sort(cat);
	*out = cat;
	return 0;
}

/* The sequences and system-versioned tables of database $1 (named as a whole; their
 * columns are not read). */
#define NOT_TABLES \
	"SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = $1 AND TABLE_TYPE IN " \
	"('SEQUENCE', 'SYSTEM VERSIONED')"

/* What database `db` holds that the catalog does not model, into cat->uncompared as
 * "KIND NAME" lines (strata's own tables left out). */
static int read_uncompared(strata_conn *c, const char *db, const char *vt, strata_catalog *cat,
			   strata_err *e)
{
	strata_rows r = { 0 };
	int rc = q(c,
		   "SELECT k, n FROM ("
		   "SELECT LOWER(ROUTINE_TYPE) k, ROUTINE_NAME n FROM information_schema.ROUTINES"
		   " WHERE ROUTINE_SCHEMA = $1"
		   " UNION ALL SELECT 'event', EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = $1"
		   " UNION ALL SELECT CASE TABLE_TYPE WHEN 'SEQUENCE' THEN 'sequence'"
		   "  ELSE 'system-versioned table' END, TABLE_NAME FROM information_schema.TABLES"
		   "  WHERE TABLE_SCHEMA = $1 AND TABLE_TYPE IN ('SEQUENCE', 'SYSTEM VERSIONED')"
		   " UNION ALL SELECT 'partitions of table', TABLE_NAME FROM information_schema.PARTITIONS"
		   "  WHERE TABLE_SCHEMA = $1 AND PARTITION_NAME IS NOT NULL GROUP BY TABLE_NAME"
		   " UNION ALL SELECT 'options of table', CONCAT(TABLE_NAME, ' (', TRIM(REPLACE(CREATE_OPTIONS,"
		   "  'partitioned', '')), ')') FROM information_schema.TABLES WHERE TABLE_SCHEMA = $1"
		   "  AND TABLE_TYPE = 'BASE TABLE' AND TRIM(REPLACE(CREATE_OPTIONS, 'partitioned', '')) <> ''"
		   "  AND TABLE_NAME NOT IN ($2, 'strata_history')"
		   " UNION ALL SELECT 'comment on column', CONCAT(TABLE_NAME, '.', COLUMN_NAME)"
		   "  FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = $1 AND COLUMN_COMMENT <> ''"
		   "  AND TABLE_NAME NOT IN (" NOT_TABLES ")"
		   " UNION ALL SELECT 'invisible column', CONCAT(TABLE_NAME, '.', COLUMN_NAME)"
		   "  FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = $1 AND EXTRA LIKE '%INVISIBLE%'"
		   "  AND TABLE_NAME NOT IN (" NOT_TABLES ")"
		   " UNION ALL SELECT 'comment on index', CONCAT(INDEX_NAME, ' on ', TABLE_NAME)"
		   "  FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = $1 AND INDEX_COMMENT <> ''"
		   "  GROUP BY TABLE_NAME, INDEX_NAME"
		   ") x ORDER BY 1, 2",
		   db, vt, &r, e);
	for (size_t i = 0; !rc && i < r.nrows; i++)
		if (CELL(&r, i, 0) && CELL(&r, i, 1))
			strvec_push_owned(&cat->uncompared,
					  xasprintf("%s %s", CELL(&r, i, 0), CELL(&r, i, 1)));
	strata_rows_free(&r);
	return rc;
}

int my_introspect(strata_conn *c, strata_catalog **out, strata_err *e)
{
	const char *vt = strata_my_version_table(c) ? strata_my_version_table(c) : "strata_version";
	int rc = my_introspect_db(c, strata_my_database(c), vt, out, e);
	if (!rc && (rc = read_uncompared(c, strata_my_database(c), vt, *out, e))) {
		strata_catalog_free(*out);
		*out = NULL;
	}
	return rc;
}
