/*
 * introspect.c — a PostgreSQL database → catalog, from pg_catalog.
 *
 * Everything is read as the server prints it (format_type, pg_get_expr,
 * pg_get_constraintdef's parts, pg_get_indexdef, pg_get_viewdef, pg_get_triggerdef,
 * pg_get_functiondef), never as an author wrote it: both sides of a diff — the live
 * database and schema.sql loaded into a shadow database — are read here, so the same
 * declared schema always reads back the same. information_schema is not used: it hides
 * real type names. All queries run in one REPEATABLE READ snapshot, sent in one
 * request (see `batch` below).
 *
 * Left out: system schemas (pg_*, information_schema), objects that belong to an
 * extension (pg_depend deptype 'e'), sequences owned by a column (serial, identity),
 * indexes behind constraints, internal triggers, partitions, and strata's own
 * strata_version / strata_history in the version schema. What a database holds of the
 * kinds not modelled is listed in the catalog's `uncompared` (read_uncompared), so that
 * `check` names it; only for the live database, as nothing reads the shadow's list.
 */
#include "backends/postgres/postgres_internal.h"
#include "util/map.h"

#include <stdlib.h>
#include <string.h>

/* What a query over a schema's objects adds to skip system schemas. */
#define NS_FILTER                                                                       \
	" n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE " \
	"'pg\\_%' "
/* ... and objects that belong to an extension (`cls` its catalog, `oid` its oid). */
#define NOT_EXT(cls, oid)                                                                 \
	" NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = '" cls "'::regclass AND " \
	"x.objid = " oid " AND x.deptype = 'e') "
/* ... and strata's version tables. */
#define NOT_STRATA                                                                  \
	" NOT (n.nspname = $1 AND c.relname IN ($2, 'strata_history')) "
/* ... whether sequence `s` (a pg_sequence row) owned by a column of type `typ` is what
 * `serial` creates: the column's type, and every parameter at its default. */
#define SERIAL_LIKE(s, typ)                                                              \
	" (" s ".seqtypid = " typ " AND " s ".seqstart = 1 AND " s ".seqincrement = 1 AND " \
	s ".seqmin = 1 AND " s ".seqcache = 1 AND NOT " s ".seqcycle AND " s ".seqmax = "  \
	"CASE " s ".seqtypid WHEN 'int2'::regtype THEN 32767 WHEN 'int4'::regtype THEN "   \
	"2147483647 ELSE 9223372036854775807 END) "
/* The oids of the user tables that introspection reads. */
#define USER_TABLES                                                                      \
	"SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " \
	"c.relkind IN ('r', 'p') AND NOT c.relispartition AND" NS_FILTER "AND"              \
	NOT_EXT("pg_class", "c.oid") "AND" NOT_STRATA
/* Lists come back joined by the unit separator, which names never hold. */
#define SEP "chr(31)"

/*
 * One introspection sends all its queries in one request (the simple-query protocol
 * runs them in order and returns a result for each) and reads the results back in
 * the same order, each reader taking the next one: a few round trips per command,
 * whatever the number of tables. The version schema and table ($1 and $2 in the
 * queries) go into the text as literals.
 */
typedef struct batch {
	PGconn *pg;
	const char *const *sql; /* the queries sent, in order */
	size_t n, at;           /* how many; the next one to read */
	map tables;             /* oid (text) -> strata_table, for the queries about tables */
} batch;

/* The next result of the batch, which must be that of query `sql`; NULL with `e` set
 * when it failed (the caller clears a result it gets). */
static PGresult *q(batch *x, const char *sql, strata_err *e)
{
	if (x->at >= x->n || x->sql[x->at] != sql) {
		err_set(e, STRATA_EFAIL, "reading the PostgreSQL catalog: query %zu read out of order",
			x->at);
		return NULL;
	}
	x->at++;
	PGresult *r = PQgetResult(x->pg);
	if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
		const char *m = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
		buf b = BUF_INIT;
		buf_puts(&b, m ? m : PQerrorMessage(x->pg));
		buf_rtrim(&b);
		err_set(e, STRATA_EFAIL, "reading the PostgreSQL catalog: %s", b.len ? b.ptr : "no result");
		buf_free(&b);
		PQclear(r);
		return NULL;
	}
	return r;
}

static const char *cell(PGresult *r, int i, int j)
{
	return PQgetisnull(r, i, j) ? NULL : PQgetvalue(r, i, j);
}

static int is_true(PGresult *r, int i, int j)
{
	const char *v = cell(r, i, j);
	return v && v[0] == 't';
}

/* "name" in schema public, "schema.name" elsewhere (malloc'd). */
static char *disp(const char *nsp, const char *name)
{
	return strcmp(nsp, "public") == 0 ? xstrdup(name) : xasprintf("%s.%s", nsp, name);
}

/* Splits a SEP-joined list into `out`. */
static void split_list(strvec *out, const char *s)
{
	if (!s || !*s)
		return;
	for (const char *p = s;;) {
		const char *q2 = strchr(p, '\x1f');
		size_t n = q2 ? (size_t)(q2 - p) : strlen(p);
		char *item = xmalloc(n + 1);
		memcpy(item, p, n);
		item[n] = '\0';
		strvec_push_owned(out, item);
		if (!q2)
			break;
		p = q2 + 1;
	}
}

/* Statement text without trailing whitespace and ';'. */
static char *trim_statement(const char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\t' || s[n - 1] == ';' ||
		     s[n - 1] == '\r'))
		n--;
	while (*s == ' ' || *s == '\n') {
		s++;
		n--;
	}
	char *r = xmalloc(n + 1);
	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

static const char *action(const char *c)
{
	switch (c ? c[0] : 'a') {
	case 'r': return "RESTRICT";
	case 'c': return "CASCADE";
	case 'n': return "SET NULL";
	case 'd': return "SET DEFAULT";
	default: return NULL;
	}
}

/* The table a row of a batched query is about: its last column is the table's oid. */
static strata_table *row_table(PGresult *r, int i, const map *tables)
{
	return map_get(tables, cell(r, i, PQnfields(r) - 1));
}

static const char Q_COLUMNS[] =
	"SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
	"pg_get_expr(ad.adbin, ad.adrelid), a.attidentity, a.attgenerated, "
	"CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation "
	"THEN CASE WHEN cn.nspname IN ('pg_catalog', 'public') THEN '' ELSE "
	"quote_ident(cn.nspname) || '.' END || quote_ident(co.collname) END, "
	"(SELECT CASE WHEN sn.nspname = 'public' THEN s.relname ELSE sn.nspname || '.' || "
	"s.relname END FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND "
	"s.relkind = 'S' JOIN pg_namespace sn ON sn.oid = s.relnamespace "
	"JOIN pg_sequence ps ON ps.seqrelid = s.oid WHERE d.classid = "
	"'pg_class'::regclass AND d.refobjid = a.attrelid AND d.refobjsubid = a.attnum AND "
	"d.deptype = 'a' AND" SERIAL_LIKE("ps", "a.atttypid") " LIMIT 1), "
	/* the identity's sequence options, unless all are at their defaults */
	"(SELECT format('START WITH %s INCREMENT BY %s MINVALUE %s MAXVALUE %s CACHE %s "
	"%sCYCLE', s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, CASE WHEN "
	"s.seqcycle THEN '' ELSE 'NO ' END) FROM pg_depend d JOIN pg_sequence s ON "
	"s.seqrelid = d.objid WHERE a.attidentity <> '' AND d.classid = "
	"'pg_class'::regclass AND d.refobjid = a.attrelid AND d.refobjsubid = a.attnum AND "
	"d.deptype = 'i' AND NOT" SERIAL_LIKE("s", "a.atttypid") "LIMIT 1), "
	"a.attinhcount > 0 AND NOT a.attislocal, a.attrelid::text "
	"FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
	"LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum "
	"LEFT JOIN pg_collation co ON co.oid = a.attcollation "
	"LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace "
	"WHERE a.attrelid IN (" USER_TABLES ") AND a.attnum > 0 AND NOT a.attisdropped "
	"ORDER BY a.attrelid, a.attnum";

/* The columns of every table into the tables x->tables maps them to: one query for
 * all of them. */
static int read_columns(batch *x, strata_err *e)
{
	PGresult *r = q(x, Q_COLUMNS, e);
	if (!r)
		return STRATA_EFAIL;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *type = cell(r, i, 1), *dflt = cell(r, i, 3);
		const char *ident = cell(r, i, 4), *gen = cell(r, i, 5);
		const char *seq = cell(r, i, 7);
		int serial = seq && dflt && strncmp(dflt, "nextval(", 8) == 0;
		if (serial) {
			/* The sequence comes and goes with the column: say serial, as the author did. */
			type = strcmp(type, "bigint") == 0	   ? "bigserial"
			       : strcmp(type, "smallint") == 0 ? "smallserial"
							       : "serial";
			dflt = NULL;
		}
		strata_table *t = row_table(r, i, &x->tables);
		if (!t)
			continue;
		strata_column *c = strata_table_add_column(t, cell(r, i, 0), type);
		c->notnull = is_true(r, i, 2);
		if (gen && gen[0] == 's') {
			c->generated = STRATA_GEN_STORED;
			c->gen_expr = dflt ? xstrdup(dflt) : NULL;
		} else if (dflt) {
			c->dflt = xstrdup(dflt);
		}
		if (ident && (ident[0] == 'a' || ident[0] == 'd'))
			c->identity = ident[0];
		if (cell(r, i, 6))
			c->collation = xstrdup(cell(r, i, 6));
		if (c->identity && cell(r, i, 8))
			c->identity_opts = xstrdup(cell(r, i, 8));
		c->inherited = is_true(r, i, 9);
		if (serial)
			c->serial_seq = xstrdup(seq);
	}
	PQclear(r);
	return 0;
}

static const char Q_CONSTRAINTS[] =
	"SELECT k.conname, k.contype, array_to_string(ARRAY(SELECT a.attname FROM "
	"unnest(k.conkey) WITH ORDINALITY u(n, o) JOIN pg_attribute a ON a.attrelid = "
	"k.conrelid AND a.attnum = u.n ORDER BY u.o), " SEP "), rn.nspname, rc.relname, "
	"array_to_string(ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY "
	"u(n, o) JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY "
	"u.o), " SEP "), k.confupdtype, k.confdeltype, k.condeferrable, k.condeferred, "
	"pg_get_expr(k.conbin, k.conrelid), "
	"CASE WHEN k.contype = 'x' THEN pg_get_constraintdef(k.oid) END, "
	"k.contype = 'u' AND pg_get_constraintdef(k.oid) LIKE 'UNIQUE NULLS NOT DISTINCT%', "
	"k.confmatchtype = 'f', k.connoinherit, k.conrelid::text "
	"FROM pg_constraint k LEFT JOIN pg_class rc ON rc.oid = k.confrelid "
	"LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace "
	"WHERE k.conrelid IN (" USER_TABLES ") AND k.contype IN ('p', 'u', 'c', 'f', 'x') "
	/* not those a table inherits (INHERITS): they come with its parent */
	"AND k.conparentid = 0 AND k.conislocal "
	"ORDER BY k.conrelid, k.conname";

/* Primary key, UNIQUE, CHECK and FOREIGN KEY constraints of every table. */
static int read_constraints(batch *x, strata_err *e)
{
	PGresult *r = q(x, Q_CONSTRAINTS, e);
	if (!r)
		return STRATA_EFAIL;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *name = cell(r, i, 0), *kind = cell(r, i, 1);
		strata_table *t = row_table(r, i, &x->tables);
		if (!t)
			continue;
		strvec cols = { 0 };
		split_list(&cols, cell(r, i, 2));
		if (kind[0] == 'p') {
			for (size_t j = 0; j < cols.n; j++)
				strvec_push(&t->pk.columns, cols.v[j]);
			t->pk.name = xstrdup(name);
			t->pk.deferrable = is_true(r, i, 8);
			t->pk.initially_deferred = is_true(r, i, 9);
		} else if (kind[0] == 'u') {
			strata_unique *u = strata_table_add_unique(t);
			u->name = xstrdup(name);
			u->deferrable = is_true(r, i, 8);
			u->initially_deferred = is_true(r, i, 9);
			u->nulls_not_distinct = is_true(r, i, 12);
			for (size_t j = 0; j < cols.n; j++)
				strata_unique_add_part(u, cols.v[j], NULL, 0);
		} else if (kind[0] == 'c') {
			strata_table_add_check(t, name, cell(r, i, 10) ? cell(r, i, 10) : "true")
				->no_inherit = is_true(r, i, 14);
		} else if (kind[0] == 'x') {
			strata_table_add_check(t, name, cell(r, i, 11))->exclude = 1;
		} else {
			char *ref = disp(cell(r, i, 3), cell(r, i, 4));
			strata_fkey *fk = strata_table_add_fkey(t, ref);
			free(ref);
			fk->name = xstrdup(name);
			for (size_t j = 0; j < cols.n; j++)
				strvec_push(&fk->from, cols.v[j]);
			split_list(&fk->to, cell(r, i, 5));
			const char *u = action(cell(r, i, 6)), *d = action(cell(r, i, 7));
			fk->on_update = u ? xstrdup(u) : NULL;
			fk->on_delete = d ? xstrdup(d) : NULL;
			fk->deferrable = is_true(r, i, 8);
			fk->initially_deferred = is_true(r, i, 9);
			fk->match_full = is_true(r, i, 13);
		}
		strvec_free(&cols);
	}
	PQclear(r);
	return 0;
}

static const char Q_INDEXES[] =
	"SELECT ic.relname, n.nspname, i.indisunique, pg_get_indexdef(i.indexrelid), "
	"pg_get_expr(i.indpred, i.indrelid), array_to_string(ARRAY(SELECT "
	"COALESCE(a.attname, '') FROM unnest(i.indkey::int2[]) WITH ORDINALITY u(n, o) "
	"LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = u.n "
	"WHERE u.o <= i.indnkeyatts ORDER BY u.o), " SEP "), i.indrelid::text "
	"FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
	"JOIN pg_namespace n ON n.oid = ic.relnamespace WHERE i.indrelid IN (" USER_TABLES ") "
	"AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = "
	"i.indrelid AND k.contype IN ('p', 'u', 'x')) ORDER BY i.indrelid, ic.relname";

/* The indexes of every table that no constraint owns. */
static int read_indexes(batch *x, strata_err *e)
{
	PGresult *r = q(x, Q_INDEXES, e);
	if (!r)
		return STRATA_EFAIL;
	for (int i = 0; i < PQntuples(r); i++) {
		strata_table *t = row_table(r, i, &x->tables);
		if (!t)
			continue;
		char *name = disp(cell(r, i, 1), cell(r, i, 0));
		strata_index *ix = strata_table_add_index(t, name, is_true(r, i, 2));
		free(name);
		/* An index of a partitioned table prints as "ON ONLY t" (the parent alone);
		 * declared without ONLY, it is built on every partition. */
		ix->def = xstrdup(cell(r, i, 3));
		char *only = t->partition_by ? strstr(ix->def, " ON ONLY ") : NULL;
		if (only)
			memmove(only + 3, only + 8, strlen(only + 8) + 1);
		if (cell(r, i, 4))
			ix->where = xstrdup(cell(r, i, 4));
		strvec parts = { 0 };
		split_list(&parts, cell(r, i, 5));
		for (size_t j = 0; j < parts.n; j++)
			strata_index_add_part(ix, parts.v[j][0] ? parts.v[j] : "(expression)",
					      !parts.v[j][0], NULL, 0);
		strvec_free(&parts);
	}
	PQclear(r);
	return 0;
}

static const char Q_TABLES[] =
	"SELECT c.oid, n.nspname, c.relname, CASE WHEN c.relkind = 'p' THEN "
	"pg_get_partkeydef(c.oid) END, c.relpersistence = 'u', "
	/* the parents it inherits from, in order */
	"array_to_string(ARRAY(SELECT CASE WHEN pn.nspname = 'public' THEN pc.relname ELSE "
	"pn.nspname || '.' || pc.relname END FROM pg_inherits i JOIN pg_class pc ON pc.oid = "
	"i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace WHERE i.inhrelid = "
	"c.oid ORDER BY i.inhseqno), " SEP ") FROM pg_class c JOIN pg_namespace n ON n.oid = "
	"c.relnamespace WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND"
	NS_FILTER "AND" NOT_EXT("pg_class", "c.oid") "AND" NOT_STRATA "ORDER BY 2, 3";

static int read_tables(batch *x, strata_catalog *cat, strata_err *e)
{
	PGresult *r = q(x, Q_TABLES, e);
	int rc = 0;
	if (!r)
		return STRATA_EFAIL;
	/* Columns, constraints and indexes of all tables in three queries, not three per
	 * table: each row names its table by its oid. */
	for (int i = 0; i < PQntuples(r); i++) {
		char *name = disp(cell(r, i, 1), cell(r, i, 2));
		strata_table *t = strata_catalog_add_table(cat, name);
		if (cell(r, i, 3))
			t->partition_by = xstrdup(cell(r, i, 3));
		t->unlogged = is_true(r, i, 4);
		split_list(&t->inherits, cell(r, i, 5));
		map_put(&x->tables, cell(r, i, 0), t);
		free(name);
	}
	if (!(rc = read_columns(x, e)) && !(rc = read_constraints(x, e)))
		rc = read_indexes(x, e);
	PQclear(r);
	return rc;
}

static const char Q_VIEWS[] =
	"SELECT n.nspname, c.relname, c.relkind, pg_get_viewdef(c.oid), "
	/* the relations its rewrite rule depends on */
	"array_to_string(ARRAY(SELECT DISTINCT CASE WHEN dn.nspname = 'public' THEN "
	"dc.relname ELSE dn.nspname || '.' || dc.relname END FROM pg_rewrite rw "
	"JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid "
	"AND d.refclassid = 'pg_class'::regclass JOIN pg_class dc ON dc.oid = d.refobjid "
	"JOIN pg_namespace dn ON dn.oid = dc.relnamespace WHERE rw.ev_class = c.oid "
	"AND d.refobjid <> c.oid ORDER BY 1), " SEP ") FROM pg_class c "
	"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('v', 'm') AND"
	NS_FILTER "AND" NOT_EXT("pg_class", "c.oid") "ORDER BY 1, 2";

static int read_views(batch *x, strata_catalog *cat, strata_err *e)
{
	PGresult *r = q(x, Q_VIEWS, e);
	if (!r)
		return STRATA_EFAIL;
	for (int i = 0; i < PQntuples(r); i++) {
		char *name = disp(cell(r, i, 0), cell(r, i, 1));
		int mat = cell(r, i, 2)[0] == 'm';
		char *body = trim_statement(cell(r, i, 3) ? cell(r, i, 3) : "");
		buf b = BUF_INIT;
		buf_puts(&b, mat ? "CREATE MATERIALIZED VIEW " : "CREATE VIEW ");
		pg_qname(&b, name);
		buf_printf(&b, " AS\n%s", body);
		strata_view *v = strata_catalog_add_view(cat, name, b.ptr);
		v->materialized = mat;
		split_list(&v->reads, cell(r, i, 4));
		v->reads_known = 1;
		buf_free(&b);
		free(body);
		free(name);
	}
	PQclear(r);
	return 0;
}

static const char Q_TRIGGERS[] =
	"SELECT t.tgname, n.nspname, c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
	"JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
	"WHERE NOT t.tgisinternal AND NOT c.relispartition AND" NS_FILTER "AND"
	NOT_EXT("pg_class", "c.oid")
	"AND" NOT_STRATA "ORDER BY 1, 2, 3";

static int read_triggers(batch *x, strata_catalog *cat, strata_err *e)
{
	PGresult *r = q(x, Q_TRIGGERS, e);
	if (!r)
		return STRATA_EFAIL;
	for (int i = 0; i < PQntuples(r); i++) {
		char *table = disp(cell(r, i, 1), cell(r, i, 2));
		strata_catalog_add_trigger(cat, cell(r, i, 0), table, cell(r, i, 3));
		free(table);
	}
	PQclear(r);
	return 0;
}

/* Appends "ALTER TABLE <t> ". */
static void alter_table_of(buf *out, const char *t)
{
	buf_puts(out, "ALTER TABLE ");
	pg_qname(out, t);
	buf_putc(out, ' ');
}

/* Adds an object whose statements are built from `sql` by the caller. */
static strata_object *add_obj(strata_catalog *cat, int kind, const char *name, buf *sql,
			      buf *drop, const char *alter)
{
	return strata_catalog_add_object(cat, kind, name, sql->ptr, drop->ptr, alter);
}

static const char Q_DOMAINS_DOMAINS[] =
	"SELECT n.nspname, t.typname, format_type(t.typbasetype, t.typtypmod), "
	"CASE WHEN t.typcollation <> b.typcollation THEN (SELECT c.collname FROM "
	"pg_collation c WHERE c.oid = t.typcollation) END, t.typdefault, t.typnotnull "
	"FROM pg_type t JOIN pg_type b ON b.oid = t.typbasetype JOIN pg_namespace n ON "
	"n.oid = t.typnamespace WHERE t.typtype = 'd' AND" NS_FILTER "AND"
	NOT_EXT("pg_type", "t.oid") "ORDER BY 1, 2";

static const char Q_DOMAINS_DOMAIN_CHECKS[] =
	"SELECT n.nspname, t.typname, k.conname, pg_get_constraintdef(k.oid) FROM "
	"pg_constraint k JOIN pg_type t ON t.oid = k.contypid JOIN pg_namespace n ON "
	"n.oid = t.typnamespace WHERE k.contype = 'c' AND" NS_FILTER "AND"
	NOT_EXT("pg_type", "t.oid") "ORDER BY 1, 2, 3";

/* Domains and their CHECK constraints (objects of their own, after the functions),
 * built in the caller's buffers. */
static int read_domains(batch *x, strata_catalog *cat, buf *sql, buf *drop, buf *name,
			strata_err *e)
{
	PGresult *r;

	if (!(r = q(x, Q_DOMAINS_DOMAINS, e)))
		return STRATA_EFAIL;
	for (int i = 0; i < PQntuples(r); i++) {
		char *n = disp(cell(r, i, 0), cell(r, i, 1));
		buf_reset(sql);
		buf_reset(drop);
		buf_reset(name);
		buf_puts(sql, "CREATE DOMAIN ");
		pg_qname(sql, n);
		buf_puts(sql, " AS ");
		size_t type_at = sql->len;
		buf_puts(sql, cell(r, i, 2));
		if (cell(r, i, 3)) {
			buf_puts(sql, " COLLATE ");
			pg_quote(sql, cell(r, i, 3));
		}
		/* The base type with its collation: what the domain cannot change in place. */
		char *base = xstrdup(sql->ptr + type_at);
		if (cell(r, i, 4))
			buf_printf(sql, " DEFAULT %s", cell(r, i, 4));
		if (is_true(r, i, 5))
			buf_puts(sql, " NOT NULL");
		buf_puts(drop, "DROP DOMAIN ");
		pg_qname(drop, n);
		/* In place: the default and NOT NULL as they are now. */
		buf_puts(name, "ALTER DOMAIN ");
		pg_qname(name, n);
		if (cell(r, i, 4))
			buf_printf(name, " SET DEFAULT %s", cell(r, i, 4));
		else
			buf_puts(name, " DROP DEFAULT");
		buf_puts(name, ";\nALTER DOMAIN ");
		pg_qname(name, n);
		buf_puts(name, is_true(r, i, 5) ? " SET NOT NULL" : " DROP NOT NULL");
		add_obj(cat, STRATA_OBJ_DOMAIN, n, sql, drop, name->ptr)->type = base;
		free(n);
	}
	PQclear(r);

	if (!(r = q(x, Q_DOMAINS_DOMAIN_CHECKS, e)))
		return STRATA_EFAIL;
	for (int i = 0; i < PQntuples(r); i++) {
		char *dom = disp(cell(r, i, 0), cell(r, i, 1));
		buf_reset(sql);
		buf_reset(drop);
		buf_reset(name);
		buf_puts(sql, "ALTER DOMAIN ");
		pg_qname(sql, dom);
		buf_puts(sql, " ADD CONSTRAINT ");
		pg_quote(sql, cell(r, i, 2));
		buf_printf(sql, " %s", cell(r, i, 3));
		buf_puts(drop, "ALTER DOMAIN ");
		pg_qname(drop, dom);
		buf_puts(drop, " DROP CONSTRAINT ");
		pg_quote(drop, cell(r, i, 2));
		buf_printf(name, "%s.%s", dom, cell(r, i, 2));
		add_obj(cat, STRATA_OBJ_DOMAIN_CHECK, name->ptr, sql, drop, NULL)->parent = dom;
	}
	PQclear(r);
	return 0;
}

static const char Q_PARTITIONS_PARTITIONS[] =
	"SELECT n.nspname, c.relname, pn.nspname, pc.relname, "
	"pg_get_expr(c.relpartbound, c.oid), CASE WHEN c.relkind = 'p' THEN "
	"pg_get_partkeydef(c.oid) END FROM pg_class c "
	"JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_inherits i ON "
	"i.inhrelid = c.oid JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn "
	"ON pn.oid = pc.relnamespace WHERE c.relispartition AND c.relkind IN ('r', 'p') AND"
	NS_FILTER "AND" NOT_EXT("pg_class", "c.oid") "ORDER BY 1, 2";

/* Partitions of partitioned tables, each with its parent and bounds. */
static int read_partitions(batch *x, strata_catalog *cat, buf *sql, buf *drop, buf *name,
			strata_err *e)
{
	/* Partitions of partitions too: the diff orders them by `parent`. */
	PGresult *r;

	if (!(r = q(x, Q_PARTITIONS_PARTITIONS, e)))
		return STRATA_EFAIL;
	for (int i = 0; i < PQntuples(r); i++) {
		char *n = disp(cell(r, i, 0), cell(r, i, 1));
		char *parent = disp(cell(r, i, 2), cell(r, i, 3));
		const char *bound = cell(r, i, 4) ? cell(r, i, 4) : "DEFAULT";
		buf_reset(sql);
		buf_reset(drop);
		buf_reset(name);
		buf_puts(sql, "CREATE TABLE ");
		pg_qname(sql, n);
		buf_puts(sql, " PARTITION OF ");
		pg_qname(sql, parent);
		buf_printf(sql, " %s", bound);
		if (cell(r, i, 5))
			buf_printf(sql, " PARTITION BY %s", cell(r, i, 5));
		buf_puts(drop, "DROP TABLE ");
		pg_qname(drop, n);
		/* New bounds keep the rows: the dialect detaches it from its old parent, then
		 * this attaches it (which checks them). */
		buf_puts(name, "ALTER TABLE ");
		pg_qname(name, parent);
		buf_puts(name, " ATTACH PARTITION ");
		pg_qname(name, n);
		buf_printf(name, " %s", bound);
		strata_object *o = add_obj(cat, STRATA_OBJ_PARTITION, n, sql, drop, name->ptr);
		o->parent = xstrdup(parent);
		o->type = cell(r, i, 5) ? xstrdup(cell(r, i, 5)) : NULL;
		free(parent);
		free(n);
	}
	PQclear(r);
	return 0;
}

static const char Q_OBJECTS_SCHEMAS[] =
	"SELECT n.nspname FROM pg_namespace n WHERE" NS_FILTER "AND n.nspname <> 'public' "
	"AND n.nspname <> $1 AND" NOT_EXT("pg_namespace", "n.oid") "ORDER BY 1";

static const char Q_OBJECTS_ENUMS[] =
	"SELECT n.nspname, t.typname, format_type(t.oid, NULL), array_to_string(ARRAY("
	"SELECT l.enumlabel FROM pg_enum l WHERE l.enumtypid = t.oid ORDER BY "
	"l.enumsortorder), " SEP ") FROM pg_type t JOIN pg_namespace n ON n.oid = "
	"t.typnamespace WHERE t.typtype = 'e' AND" NS_FILTER "AND"
	NOT_EXT("pg_type", "t.oid") "ORDER BY 1, 2";

static const char Q_OBJECTS_FUNCTIONS[] =
	/* keyed by argument types alone: parameter names may change */
	"SELECT n.nspname, p.proname, oidvectortypes(p.proargtypes), "
	"p.prokind, pg_get_functiondef(p.oid), pg_get_function_arguments(p.oid) || ' -> ' "
	"|| coalesce(pg_get_function_result(p.oid), '') FROM pg_proc p JOIN pg_namespace n "
	"ON n.oid = "
	"p.pronamespace WHERE p.prokind IN ('f', 'p') AND" NS_FILTER "AND"
	NOT_EXT("pg_proc", "p.oid")
	/* not the constructors CREATE TYPE ... AS RANGE makes: they go with the type */
	"AND NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = 'pg_proc'::regclass "
	"AND x.objid = p.oid AND x.deptype = 'i') ORDER BY 1, 2, 3";

static const char Q_OBJECTS_OTHER_COMMENTS[] =
	"SELECT 'TYPE', n.nspname, t.typname, NULL, d.description FROM pg_description d "
	"JOIN pg_type t ON d.classoid = 'pg_type'::regclass AND d.objoid = t.oid JOIN "
	"pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype = 'e' AND" NS_FILTER
	"AND" NOT_EXT("pg_type", "t.oid") "UNION ALL SELECT CASE p.prokind WHEN 'p' THEN "
	"'PROCEDURE' ELSE 'FUNCTION' END, n.nspname, p.proname, "
	"pg_get_function_identity_arguments(p.oid), d.description FROM pg_description d "
	"JOIN pg_proc p ON d.classoid = 'pg_proc'::regclass AND d.objoid = p.oid JOIN "
	"pg_namespace n ON n.oid = p.pronamespace WHERE" NS_FILTER "AND"
	NOT_EXT("pg_proc", "p.oid") "UNION ALL SELECT 'SCHEMA', n.nspname, NULL, NULL, "
	"d.description FROM pg_description d JOIN pg_namespace n ON d.classoid = "
	"'pg_namespace'::regclass AND d.objoid = n.oid WHERE" NS_FILTER "AND n.nspname <> "
	"'public' AND" NOT_EXT("pg_namespace", "n.oid") "ORDER BY 1, 2, 3, 4";

static const char Q_OBJECTS_EXTENSIONS[] =
	"SELECT e.extname, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = "
	"e.extnamespace WHERE e.extname <> 'plpgsql' ORDER BY 1";

static const char Q_OBJECTS_SEQUENCES[] =
	"SELECT n.nspname, c.relname, format_type(s.seqtypid, NULL), s.seqincrement, "
	"s.seqmin, s.seqmax, s.seqstart, s.seqcache, s.seqcycle, own.nspname, own.relname, "
	"own.attname FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid "
	"JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN LATERAL (SELECT "
	"tn.nspname, t.relname, a.attname, a.atttypid FROM pg_depend d JOIN pg_class t ON "
	"t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.relnamespace JOIN "
	"pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid WHERE "
	"d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = "
	"'pg_class'::regclass AND d.deptype = 'a') own ON true WHERE" NS_FILTER
	"AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass "
	"AND d.objid = c.oid AND d.deptype IN ('i', 'e')) AND NOT (own.relname IS NOT NULL "
	"AND" SERIAL_LIKE("s", "own.atttypid") ") ORDER BY 1, 2";

static const char Q_OBJECTS_COMMENTS[] =
	"SELECT n.nspname, c.relname, c.relkind, a.attname, d.description FROM pg_description "
	"d JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid "
	"JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_attribute a ON "
	"a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0 WHERE c.relkind "
	"IN ('r', 'p', 'v', 'm') AND (d.objsubid = 0 OR a.attname IS NOT NULL) AND"
	NS_FILTER "AND" NOT_EXT("pg_class", "c.oid") "AND" NOT_STRATA "ORDER BY 1, 2, 4";

static int read_objects(batch *x, strata_catalog *cat, strata_err *e)
{
	buf sql = BUF_INIT, drop = BUF_INIT, name = BUF_INIT;
	PGresult *r = NULL;
	int rc = STRATA_EFAIL;

	if (!(r = q(x, Q_OBJECTS_SCHEMAS, e)))
		goto done;
	for (int i = 0; i < PQntuples(r); i++) {
		buf_reset(&sql);
		buf_reset(&drop);
		buf_puts(&sql, "CREATE SCHEMA ");
		pg_quote(&sql, cell(r, i, 0));
		buf_puts(&drop, "DROP SCHEMA ");
		pg_quote(&drop, cell(r, i, 0));
		add_obj(cat, STRATA_OBJ_SCHEMA, cell(r, i, 0), &sql, &drop, NULL);
	}
	PQclear(r);

	if (!(r = q(x, Q_OBJECTS_EXTENSIONS, e)))
		goto done;
	for (int i = 0; i < PQntuples(r); i++) {
		buf_reset(&sql);
		buf_reset(&drop);
		buf_puts(&sql, "CREATE EXTENSION IF NOT EXISTS ");
		pg_quote(&sql, cell(r, i, 0));
		buf_puts(&sql, " WITH SCHEMA ");
		pg_quote(&sql, cell(r, i, 1));
		buf_puts(&drop, "DROP EXTENSION IF EXISTS ");
		pg_quote(&drop, cell(r, i, 0));
		add_obj(cat, STRATA_OBJ_EXTENSION, cell(r, i, 0), &sql, &drop, NULL);
	}
	PQclear(r);

	if (!(r = q(x, Q_OBJECTS_ENUMS, e)))
		goto done;
	for (int i = 0; i < PQntuples(r); i++) {
		char *n = disp(cell(r, i, 0), cell(r, i, 1));
		strvec labels = { 0 };
		split_list(&labels, cell(r, i, 3));
		buf_reset(&sql);
		buf_reset(&drop);
		buf_puts(&sql, "CREATE TYPE ");
		pg_qname(&sql, n);
		buf_puts(&sql, " AS ENUM (");
		for (size_t j = 0; j < labels.n; j++) {
			if (j)
				buf_puts(&sql, ", ");
			pg_quote_string(&sql, labels.v[j]);
		}
		buf_putc(&sql, ')');
		buf_puts(&drop, "DROP TYPE ");
		pg_qname(&drop, n);
		strata_object *o = add_obj(cat, STRATA_OBJ_ENUM, n, &sql, &drop, NULL);
		o->values = labels;
		o->type = xstrdup(cell(r, i, 2));
		free(n);
	}
	PQclear(r);

	if (!(r = q(x, Q_OBJECTS_SEQUENCES, e)))
		goto done;
	for (int i = 0; i < PQntuples(r); i++) {
		char *n = disp(cell(r, i, 0), cell(r, i, 1));
		buf_reset(&name);
		buf_printf(&name, " AS %s INCREMENT BY %s MINVALUE %s MAXVALUE %s START WITH %s "
				  "CACHE %s %s", cell(r, i, 2), cell(r, i, 3), cell(r, i, 4),
			   cell(r, i, 5), cell(r, i, 6), cell(r, i, 7),
			   is_true(r, i, 8) ? "CYCLE" : "NO CYCLE");
		buf_reset(&sql);
		buf_reset(&drop);
		buf_puts(&sql, "CREATE SEQUENCE ");
		pg_qname(&sql, n);
		buf_puts(&sql, name.ptr);
		buf_puts(&drop, "ALTER SEQUENCE ");
		pg_qname(&drop, n);
		buf_puts(&drop, name.ptr);
		char *alter = buf_detach(&drop);
		buf_puts(&drop, "DROP SEQUENCE ");
		pg_qname(&drop, n);
		add_obj(cat, STRATA_OBJ_SEQUENCE, n, &sql, &drop, alter);
		free(alter);
		if (cell(r, i, 10)) {
			/* Owned by a column (OWNED BY), but not what serial makes. */
			char *t = disp(cell(r, i, 9), cell(r, i, 10));
			buf_reset(&sql);
			buf_reset(&drop);
			buf_puts(&sql, "ALTER SEQUENCE ");
			pg_qname(&sql, n);
			buf_puts(&sql, " OWNED BY ");
			pg_qname(&sql, t);
			buf_putc(&sql, '.');
			pg_quote(&sql, cell(r, i, 11));
			buf_puts(&drop, "ALTER SEQUENCE ");
			pg_qname(&drop, n);
			buf_puts(&drop, " OWNED BY NONE");
			add_obj(cat, STRATA_OBJ_SEQUENCE_OWNER, n, &sql, &drop, NULL);
			free(t);
		}
		free(n);
	}
	PQclear(r);

	if (!(r = q(x, Q_OBJECTS_FUNCTIONS, e)))
		goto done;
	for (int i = 0; i < PQntuples(r); i++) {
		char *n = disp(cell(r, i, 0), cell(r, i, 1));
		char *def = trim_statement(cell(r, i, 4));
		buf_reset(&name);
		buf_printf(&name, "%s(%s)", n, cell(r, i, 2));
		buf_reset(&sql);
		buf_reset(&drop);
		buf_puts(&sql, def);
		buf_puts(&drop, cell(r, i, 3)[0] == 'p' ? "DROP PROCEDURE " : "DROP FUNCTION ");
		pg_qname(&drop, n);
		buf_printf(&drop, "(%s)", cell(r, i, 2));
		add_obj(cat, STRATA_OBJ_FUNCTION, name.ptr, &sql, &drop, def)->type =
			xstrdup(cell(r, i, 5));
		free(def);
		free(n);
	}
	PQclear(r);

	if (!(r = q(x, Q_OBJECTS_COMMENTS, e)))
		goto done;
	for (int i = 0; i < PQntuples(r); i++) {
		char *n = disp(cell(r, i, 0), cell(r, i, 1));
		char k = cell(r, i, 2)[0];
		const char *col = cell(r, i, 3);
		const char *what = col ? "COLUMN" : k == 'v' ? "VIEW" : k == 'm' ? "MATERIALIZED VIEW"
									 : "TABLE";
		buf_reset(&name);
		buf_printf(&name, "on %s %s%s%s", col ? "column" : k == 'v' ? "view"
						  : k == 'm' ? "materialized view" : "table",
			   n, col ? "." : "", col ? col : "");
		buf_reset(&sql);
		buf_printf(&sql, "COMMENT ON %s ", what);
		pg_qname(&sql, n);
		if (col) {
			buf_putc(&sql, '.');
			pg_quote(&sql, col);
		}
		buf_puts(&sql, " IS ");
		buf_reset(&drop);
		buf_puts(&drop, sql.ptr);
		buf_puts(&drop, "NULL");
		pg_quote_string(&sql, cell(r, i, 4));
		strata_object *o = add_obj(cat, STRATA_OBJ_COMMENT, name.ptr, &sql, &drop, sql.ptr);
		if (k == 'v' || k == 'm') /* a view that is re-created takes it along */
			o->on = xasprintf("view %s", n);
		free(n);
	}
	PQclear(r);

	if (!(r = q(x, Q_OBJECTS_OTHER_COMMENTS, e)))
		goto done;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *what = cell(r, i, 0);
		char *n = cell(r, i, 2) ? disp(cell(r, i, 1), cell(r, i, 2)) : xstrdup(cell(r, i, 1));
		const char *args = cell(r, i, 3);
		buf_reset(&sql);
		buf_printf(&sql, "COMMENT ON %s ", what);
		if (cell(r, i, 2))
			pg_qname(&sql, n);
		else
			pg_quote(&sql, n);
		if (args)
			buf_printf(&sql, "(%s)", args);
		buf_reset(&name);
		buf_printf(&name, "on %s %s", what, n);
		if (args)
			buf_printf(&name, "(%s)", args);
		for (char *s = name.ptr + 3; *s && *s != ' '; s++)
			if (*s >= 'A' && *s <= 'Z')
				*s = (char)(*s - 'A' + 'a');
		buf_puts(&sql, " IS ");
		buf_reset(&drop);
		buf_puts(&drop, sql.ptr);
		buf_puts(&drop, "NULL");
		pg_quote_string(&sql, cell(r, i, 4));
		add_obj(cat, STRATA_OBJ_COMMENT, name.ptr, &sql, &drop, sql.ptr);
		free(n);
	}
	PQclear(r);
	r = NULL;
	if (read_domains(x, cat, &sql, &drop, &name, e) ||
	    read_partitions(x, cat, &sql, &drop, &name, e))
		goto done;
	rc = 0;
done:
	PQclear(r);
	buf_free(&sql);
	buf_free(&drop);
	buf_free(&name);
	return rc;
}

/* --- objects hanging on others, collations, and what is not compared ------------------- */

/* "name" in schema public, "schema.name" elsewhere, as SQL computes it. */
#define DISP(nsp, name) \
	" CASE WHEN " nsp " = 'public' THEN " name " ELSE " nsp " || '.' || " name " END "
/* "schema"."name", quoted, as SQL computes it. */
#define QN(nsp, name) " quote_ident(" nsp ") || '.' || quote_ident(" name ") "

static const char Q_VIEW_INDEXES[] =
	"SELECT" DISP("n.nspname", "ic.relname") "," DISP("n.nspname", "c.relname") ", "
	"pg_get_indexdef(i.indexrelid)," QN("n.nspname", "ic.relname") "FROM pg_index i "
	"JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid "
	"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'm' AND"
	NS_FILTER "AND" NOT_EXT("pg_class", "c.oid") "ORDER BY 1";

/* The indexes of materialized views: objects created after the views and set again
 * wherever a view is re-created (it takes its indexes along). */
static int read_view_indexes(batch *x, strata_catalog *cat, strata_err *e)
{
	PGresult *r = q(x, Q_VIEW_INDEXES, e);
	if (!r)
		return STRATA_EFAIL;
	for (int i = 0; i < PQntuples(r); i++) {
		char *drop = xasprintf("DROP INDEX IF EXISTS %s", cell(r, i, 3));
		strata_object *o = strata_catalog_add_object(cat, STRATA_OBJ_VIEW_INDEX, cell(r, i, 0),
							     cell(r, i, 2), drop, NULL);
		o->on = xasprintf("view %s", cell(r, i, 1));
		free(drop);
	}
	PQclear(r);
	return 0;
}

static const char Q_MORE_COMMENTS[] =
	"SELECT 'index', 'INDEX ' ||" QN("n.nspname", "ic.relname") ","
	DISP("n.nspname", "ic.relname") ", 'index ' ||" DISP("n.nspname", "ic.relname") ", "
	"d.description FROM pg_description d JOIN pg_class ic ON d.classoid = "
	"'pg_class'::regclass AND d.objoid = ic.oid AND d.objsubid = 0 JOIN pg_index i ON "
	"i.indexrelid = ic.oid JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON "
	"n.oid = c.relnamespace WHERE NOT c.relispartition AND" NS_FILTER "AND"
	NOT_EXT("pg_class", "c.oid") "AND" NOT_STRATA
	"UNION ALL SELECT 'constraint', format('CONSTRAINT %I ON %s', k.conname," QN("n.nspname",
	"c.relname") "), " DISP("n.nspname", "c.relname") "|| '.' || k.conname, "
	"'constraint ' ||" DISP("n.nspname", "c.relname") "|| '.' || k.conname, "
	"d.description FROM pg_description d JOIN pg_constraint k ON d.classoid = "
	"'pg_constraint'::regclass AND d.objoid = k.oid JOIN pg_class c ON c.oid = "
	"k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT c.relispartition "
	"AND" NS_FILTER "AND" NOT_EXT("pg_class", "c.oid") "AND" NOT_STRATA
	"UNION ALL SELECT 'constraint', format('CONSTRAINT %I ON DOMAIN %s', k.conname,"
	QN("n.nspname", "t.typname") "), " DISP("n.nspname", "t.typname") "|| '.' || "
	"k.conname, 'domain constraint ' ||" DISP("n.nspname", "t.typname") "|| '.' || "
	"k.conname, d.description FROM pg_description d JOIN pg_constraint k ON d.classoid "
	"= 'pg_constraint'::regclass AND d.objoid = k.oid JOIN pg_type t ON t.oid = "
	"k.contypid JOIN pg_namespace n ON n.oid = t.typnamespace WHERE" NS_FILTER "AND"
	NOT_EXT("pg_type", "t.oid")
	"UNION ALL SELECT 'domain', 'DOMAIN ' ||" QN("n.nspname", "t.typname") ","
	DISP("n.nspname", "t.typname") ", NULL, d.description FROM pg_description d JOIN "
	"pg_type t ON d.classoid = 'pg_type'::regclass AND d.objoid = t.oid JOIN "
	"pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype = 'd' AND" NS_FILTER "AND"
	NOT_EXT("pg_type", "t.oid")
	"UNION ALL SELECT 'trigger', format('TRIGGER %I ON %s', x.tgname," QN("n.nspname",
	"c.relname") "), " DISP("n.nspname", "c.relname") "|| '.' || x.tgname, 'trigger ' ||"
	DISP("n.nspname", "c.relname") "|| '.' || x.tgname, d.description FROM "
	"pg_description d JOIN pg_trigger x ON d.classoid = 'pg_trigger'::regclass AND "
	"d.objoid = x.oid JOIN pg_class c ON c.oid = x.tgrelid JOIN pg_namespace n ON n.oid = "
	"c.relnamespace WHERE NOT x.tgisinternal AND NOT c.relispartition AND" NS_FILTER "AND"
	NOT_EXT("pg_class", "c.oid") "AND" NOT_STRATA
	"UNION ALL SELECT 'collation', 'COLLATION ' ||" QN("n.nspname", "co.collname") ","
	DISP("n.nspname", "co.collname") ", 'collation ' ||" DISP("n.nspname", "co.collname")
	", d.description FROM pg_description d JOIN pg_collation co ON d.classoid = "
	"'pg_collation'::regclass AND d.objoid = co.oid JOIN pg_namespace n ON n.oid = "
	"co.collnamespace WHERE" NS_FILTER "AND" NOT_EXT("pg_collation", "co.oid")
	"UNION ALL SELECT 'sequence', 'SEQUENCE ' ||" QN("n.nspname", "c.relname") ","
	DISP("n.nspname", "c.relname") ", NULL, d.description FROM pg_description d JOIN "
	"pg_class c ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid AND "
	"d.objsubid = 0 JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S' "
	"AND" NS_FILTER "AND" NOT_EXT("pg_class", "c.oid") "AND" NOT_STRATA
	"ORDER BY 1, 3";

/* Comments on indexes, constraints, domains, triggers, collations and sequences; each
 * remembers what it hangs on (strata_object.on). */
static int read_more_comments(batch *x, strata_catalog *cat, strata_err *e)
{
	/* kind, target as COMMENT ON spells it, name, what it hangs on, text */
	PGresult *r = q(x, Q_MORE_COMMENTS, e);
	if (!r)
		return STRATA_EFAIL;
	buf stmt = BUF_INIT, drop = BUF_INIT;
	for (int i = 0; i < PQntuples(r); i++) {
		char *name = xasprintf("on %s %s", cell(r, i, 0), cell(r, i, 2));
		buf_reset(&stmt);
		buf_reset(&drop);
		buf_printf(&stmt, "COMMENT ON %s IS ", cell(r, i, 1));
		buf_printf(&drop, "%sNULL", stmt.ptr);
		pg_quote_string(&stmt, cell(r, i, 4));
		strata_object *o = strata_catalog_add_object(cat, STRATA_OBJ_COMMENT, name, stmt.ptr,
							     drop.ptr, stmt.ptr);
		o->on = cell(r, i, 3) ? xstrdup(cell(r, i, 3)) : NULL;
		free(name);
	}
	buf_free(&stmt);
	buf_free(&drop);
	PQclear(r);
	return 0;
}

static const char Q_COLLATIONS[] =
	"SELECT" DISP("n.nspname", "co.collname") ", co.collprovider, co.collcollate, "
	"co.collctype, coalesce(to_jsonb(co) ->> 'colliculocale', to_jsonb(co) ->> "
	"'colllocale'), co.collisdeterministic FROM pg_collation co JOIN pg_namespace n ON "
	"n.oid = co.collnamespace WHERE" NS_FILTER "AND" NOT_EXT("pg_collation", "co.oid")
	"ORDER BY 1";

/* Collations (CREATE COLLATION), as their catalog row defines them. */
static int read_collations(batch *x, strata_catalog *cat, strata_err *e)
{
	/* The ICU locale's column is named differently across versions: read it by name
	 * from the row. */
	PGresult *r = q(x, Q_COLLATIONS, e);
	if (!r)
		return STRATA_EFAIL;
	buf stmt = BUF_INIT, drop = BUF_INIT;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *name = cell(r, i, 0), *prov = cell(r, i, 1);
		buf_reset(&stmt);
		buf_reset(&drop);
		buf_puts(&stmt, "CREATE COLLATION ");
		pg_qname(&stmt, name);
		buf_printf(&stmt, " (provider = %s, ", prov[0] == 'i' ? "icu" : "libc");
		if (prov[0] == 'i' && cell(r, i, 4)) {
			buf_puts(&stmt, "locale = ");
			pg_quote_string(&stmt, cell(r, i, 4));
		} else {
			buf_puts(&stmt, "lc_collate = ");
			pg_quote_string(&stmt, cell(r, i, 2) ? cell(r, i, 2) : "");
			buf_puts(&stmt, ", lc_ctype = ");
			pg_quote_string(&stmt, cell(r, i, 3) ? cell(r, i, 3) : "");
		}
		if (!is_true(r, i, 5))
			buf_puts(&stmt, ", deterministic = false");
		buf_putc(&stmt, ')');
		buf_puts(&drop, "DROP COLLATION ");
		pg_qname(&drop, name);
		add_obj(cat, STRATA_OBJ_COLLATION, name, &stmt, &drop, NULL);
	}
	buf_free(&stmt);
	buf_free(&drop);
	PQclear(r);
	return 0;
}

/* Objects of a user schema (`cls` its catalog, `oid` its oid, `nsp` its namespace oid)
 * that no extension owns. */
#define USER_OBJ(cls, oid, nsp)                                                          \
	" EXISTS (SELECT 1 FROM pg_namespace n WHERE n.oid = " nsp " AND" NS_FILTER ") AND" \
	NOT_EXT(cls, oid)
/* Objects created after initdb (outside any schema) that no extension owns. */
#define NEW_OBJ(cls, oid) " " oid " >= 16384 AND" NOT_EXT(cls, oid)

static const char Q_UNCOMPARED[] =
	"SELECT k, n FROM ("
	"SELECT 'aggregate' k, p.oid::regprocedure::text n FROM pg_proc p WHERE p.prokind IN "
	"('a', 'w') AND" USER_OBJ("pg_proc", "p.oid", "p.pronamespace")
	"UNION ALL SELECT 'operator', o.oid::regoperator::text FROM pg_operator o WHERE"
	USER_OBJ("pg_operator", "o.oid", "o.oprnamespace")
	"UNION ALL SELECT 'operator class', format('%s using %s', o.opcname, m.amname) FROM "
	"pg_opclass o JOIN pg_am m ON m.oid = o.opcmethod WHERE" USER_OBJ("pg_opclass",
	"o.oid", "o.opcnamespace")
	"UNION ALL SELECT 'operator family', format('%s using %s', o.opfname, m.amname) FROM "
	"pg_opfamily o JOIN pg_am m ON m.oid = o.opfmethod WHERE" USER_OBJ("pg_opfamily",
	"o.oid", "o.opfnamespace")
	"UNION ALL SELECT 'cast', format('(%s AS %s)', format_type(c.castsource, NULL), "
	"format_type(c.casttarget, NULL)) FROM pg_cast c WHERE" NEW_OBJ("pg_cast", "c.oid")
	/* not the casts to a multirange that CREATE TYPE ... AS RANGE makes */
	"AND NOT EXISTS (SELECT 1 FROM pg_range g WHERE g.rngtypid = c.castsource AND "
	"to_jsonb(g) ->> 'rngmultitypid' = c.casttarget::text) "
	"UNION ALL SELECT 'conversion', o.conname::text FROM pg_conversion o WHERE"
	USER_OBJ("pg_conversion", "o.oid", "o.connamespace")
	"UNION ALL SELECT CASE t.typtype WHEN 'r' THEN 'range type' WHEN 'c' THEN "
	"'composite type' WHEN 'p' THEN 'shell type' ELSE 'base type' END, "
	"format_type(t.oid, NULL) FROM pg_type t LEFT JOIN pg_class c ON c.oid = t.typrelid "
	"WHERE (t.typtype IN ('r', 'p') OR (t.typtype = 'b' AND t.typcategory <> 'A') OR "
	"(t.typtype = 'c' AND c.relkind = 'c')) AND" USER_OBJ("pg_type", "t.oid", "t.typnamespace")
	"UNION ALL SELECT 'text search configuration', o.cfgname::text FROM pg_ts_config o WHERE"
	USER_OBJ("pg_ts_config", "o.oid", "o.cfgnamespace")
	"UNION ALL SELECT 'text search dictionary', o.dictname::text FROM pg_ts_dict o WHERE"
	USER_OBJ("pg_ts_dict", "o.oid", "o.dictnamespace")
	"UNION ALL SELECT 'text search parser', o.prsname::text FROM pg_ts_parser o WHERE"
	USER_OBJ("pg_ts_parser", "o.oid", "o.prsnamespace")
	"UNION ALL SELECT 'text search template', o.tmplname::text FROM pg_ts_template o WHERE"
	USER_OBJ("pg_ts_template", "o.oid", "o.tmplnamespace")
	"UNION ALL SELECT 'foreign data wrapper', o.fdwname::text FROM pg_foreign_data_wrapper "
	"o WHERE" NEW_OBJ("pg_foreign_data_wrapper", "o.oid")
	"UNION ALL SELECT 'server', o.srvname::text FROM pg_foreign_server o WHERE"
	NEW_OBJ("pg_foreign_server", "o.oid")
	"UNION ALL SELECT 'user mapping', format('for %s server %s', o.usename, o.srvname) "
	"FROM pg_user_mappings o "
	"UNION ALL SELECT 'foreign table'," DISP("n.nspname", "c.relname") "FROM pg_class c "
	"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'f' AND" NS_FILTER
	"AND" NOT_EXT("pg_class", "c.oid")
	"UNION ALL SELECT 'typed table', " DISP("n.nspname", "c.relname") "FROM pg_class c "
	"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.reloftype <> 0 AND" NS_FILTER
	"UNION ALL SELECT 'publication', o.pubname::text FROM pg_publication o "
	"UNION ALL SELECT 'subscription', o.subname::text FROM pg_subscription o WHERE "
	"o.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
	"UNION ALL SELECT 'event trigger', o.evtname::text FROM pg_event_trigger o WHERE"
	NOT_EXT("pg_event_trigger", "o.oid")
	"UNION ALL SELECT 'rule', format('%s on %s', o.rulename," DISP("n.nspname",
	"c.relname") ") FROM pg_rewrite o JOIN pg_class c ON c.oid = o.ev_class JOIN "
	"pg_namespace n ON n.oid = c.relnamespace WHERE o.rulename <> '_RETURN' AND" NS_FILTER
	"AND" NOT_EXT("pg_class", "c.oid")
	"UNION ALL SELECT 'statistics object'," DISP("n.nspname", "o.stxname") "FROM "
	"pg_statistic_ext o JOIN pg_namespace n ON n.oid = o.stxnamespace WHERE" NS_FILTER
	"UNION ALL SELECT 'access method', o.amname::text FROM pg_am o WHERE"
	NEW_OBJ("pg_am", "o.oid")
	"UNION ALL SELECT 'transform', pg_describe_object('pg_transform'::regclass, o.oid, 0) "
	"FROM pg_transform o WHERE" NEW_OBJ("pg_transform", "o.oid")
	"UNION ALL SELECT 'language', o.lanname::text FROM pg_language o WHERE"
	NEW_OBJ("pg_language", "o.oid")
	"UNION ALL SELECT 'security label', pg_describe_object(o.classoid, o.objoid, "
	"o.objsubid) FROM pg_seclabel o "
	/* what a table or view carries beyond what is read */
	"UNION ALL SELECT CASE c.relkind WHEN 'v' THEN 'options of view' WHEN 'm' THEN "
	"'storage parameters of materialized view' ELSE 'storage parameters of table' END, "
	DISP("n.nspname", "c.relname") "FROM pg_class c JOIN pg_namespace n ON n.oid = "
	"c.relnamespace WHERE c.reloptions IS NOT NULL AND c.relkind IN ('r', 'p', 'v', 'm') "
	"AND" NS_FILTER "AND" NOT_STRATA
	"UNION ALL SELECT 'tablespace of', " DISP("n.nspname", "c.relname") "FROM pg_class c "
	"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.reltablespace <> 0 AND"
	NS_FILTER
	"UNION ALL SELECT 'replica identity of table', " DISP("n.nspname", "c.relname")
	"FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN "
	"('r', 'p') AND c.relreplident <> 'd' AND" NS_FILTER
	"UNION ALL SELECT 'access method of', " DISP("n.nspname", "c.relname") "FROM pg_class "
	"c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am a ON a.oid = c.relam "
	"WHERE c.relkind IN ('r', 'm') AND a.amname <> 'heap' AND" NS_FILTER
	"UNION ALL SELECT 'CLUSTER ON index', " DISP("n.nspname", "c.relname") "FROM pg_index "
	"i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = "
	"c.relnamespace WHERE i.indisclustered AND" NS_FILTER
	"UNION ALL SELECT 'storage, statistics or options of column', "
	DISP("n.nspname", "c.relname") "|| '.' || a.attname FROM pg_attribute a JOIN pg_class "
	"c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t "
	"ON t.oid = a.atttypid WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', "
	"'p', 'm', 'f') AND (a.attstattarget >= 0 OR EXISTS (SELECT 1 FROM unnest(a.attoptions) "
	"o WHERE o NOT LIKE 'pg\\_%') OR "
	"a.attstorage <> t.typstorage OR a.attcompression <> '') AND" NS_FILTER
	"UNION ALL SELECT 'NOT VALID constraint', k.conname || ' on ' || CASE WHEN k.contypid "
	"<> 0 THEN 'domain ' || format_type(k.contypid, NULL) ELSE k.conrelid::regclass::text "
	"END FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace WHERE "
	"NOT k.convalidated AND k.conislocal AND" NS_FILTER
	/* comments on what the comment readers leave out */
	"UNION ALL SELECT 'comment on', pg_describe_object(d.classoid, d.objoid, d.objsubid) "
	"FROM pg_description d WHERE d.objoid >= 16384 AND d.classoid NOT IN "
	"('pg_class'::regclass, 'pg_type'::regclass, 'pg_proc'::regclass, "
	"'pg_namespace'::regclass, 'pg_constraint'::regclass, 'pg_trigger'::regclass, "
	"'pg_collation'::regclass, 'pg_extension'::regclass) AND NOT EXISTS (SELECT 1 FROM "
	"pg_depend x WHERE x.classid = d.classoid AND x.objid = d.objoid AND x.deptype = 'e') "
	"UNION ALL SELECT 'comment on', pg_describe_object(d.classoid, d.objoid, d.objsubid) "
	"FROM pg_description d JOIN pg_type t ON d.classoid = 'pg_type'::regclass AND "
	"d.objoid = t.oid WHERE t.typtype NOT IN ('e', 'd') AND" USER_OBJ("pg_type", "t.oid",
	"t.typnamespace")
	"UNION ALL SELECT 'comment on', pg_describe_object(d.classoid, d.objoid, d.objsubid) "
	"FROM pg_description d JOIN pg_proc p ON d.classoid = 'pg_proc'::regclass AND "
	"d.objoid = p.oid WHERE p.prokind NOT IN ('f', 'p') AND" USER_OBJ("pg_proc", "p.oid",
	"p.pronamespace")
	"UNION ALL SELECT 'comment on', pg_describe_object(d.classoid, d.objoid, d.objsubid) "
	"FROM pg_description d JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND "
	"d.objoid = c.oid WHERE c.relkind NOT IN ('r', 'p', 'v', 'm', 'i', 'I', 'S') AND"
	USER_OBJ("pg_class", "c.oid", "c.relnamespace")
	") x ORDER BY 1, 2";

/*
 * What the database holds that autogenerate does not model, into cat->uncompared as
 * "KIND NAME" lines: `check` names each, so nothing is passed over in silence.
 */
static int read_uncompared(batch *x, strata_catalog *cat, strata_err *e)
{
	PGresult *r = q(x, Q_UNCOMPARED, e);
	if (!r)
		return STRATA_EFAIL;
	for (int i = 0; i < PQntuples(r); i++) {
		char *line = xasprintf("%s %s", cell(r, i, 0), cell(r, i, 1));
		strvec_push_owned(&cat->uncompared, line);
	}
	PQclear(r);
	return 0;
}

/* --- row-level security ------------------------------------------------------------------ */

/* Appends an object about `parent` (copied) whose statements the caller built. */
static void add_child(strata_catalog *cat, int kind, const char *name, const char *parent,
		      buf *sql, buf *drop)
{
	add_obj(cat, kind, name, sql, drop, NULL)->parent = xstrdup(parent);
}

static const char Q_POLICIES_RLS[] =
	"SELECT n.nspname, c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c "
	"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND NOT "
	"c.relispartition AND (c.relrowsecurity OR c.relforcerowsecurity) AND" NS_FILTER
	"AND" NOT_EXT("pg_class", "c.oid") "AND" NOT_STRATA "ORDER BY 1, 2";

static const char Q_POLICIES_POLICIES[] =
	"SELECT n.nspname, c.relname, p.polname, p.polpermissive, p.polcmd, "
	"array_to_string(ARRAY(SELECT CASE WHEN u.r = 0 THEN 'PUBLIC' ELSE "
	"quote_ident(ro.rolname) END FROM unnest(p.polroles) u(r) LEFT JOIN pg_roles ro ON "
	"ro.oid = u.r ORDER BY 1), ', '), pg_get_expr(p.polqual, p.polrelid), "
	"pg_get_expr(p.polwithcheck, p.polrelid) FROM pg_policy p JOIN pg_class c ON "
	"c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE" NS_FILTER
	"AND" NOT_EXT("pg_class", "c.oid") "AND" NOT_STRATA "ORDER BY 1, 2, 3";

/* ENABLE / FORCE ROW LEVEL SECURITY of tables, and their policies. */
static int read_policies(batch *x, strata_catalog *cat, strata_err *e)
{
	buf sql = BUF_INIT, drop = BUF_INIT, name = BUF_INIT;
	PGresult *r = q(x, Q_POLICIES_RLS, e);
	int rc = STRATA_EFAIL;
	if (!r)
		goto done;
	for (int i = 0; i < PQntuples(r); i++) {
		char *t = disp(cell(r, i, 0), cell(r, i, 1));
		for (int force = 0; force < 2; force++) {
			if (!is_true(r, i, 2 + force))
				continue;
			buf_reset(&sql);
			buf_reset(&drop);
			alter_table_of(&sql, t);
			alter_table_of(&drop, t);
			buf_puts(&sql, force ? "FORCE" : "ENABLE");
			buf_puts(&drop, force ? "NO FORCE" : "DISABLE");
			buf_puts(&sql, " ROW LEVEL SECURITY");
			buf_puts(&drop, " ROW LEVEL SECURITY");
			add_child(cat, force ? STRATA_OBJ_RLS_FORCE : STRATA_OBJ_RLS, t, t, &sql, &drop);
		}
		free(t);
	}
	PQclear(r);
	if (!(r = q(x, Q_POLICIES_POLICIES, e)))
		goto done;
	for (int i = 0; i < PQntuples(r); i++) {
		char *t = disp(cell(r, i, 0), cell(r, i, 1));
		const char *cmd = cell(r, i, 4);
		buf_reset(&sql);
		buf_puts(&sql, "CREATE POLICY ");
		pg_quote(&sql, cell(r, i, 2));
		buf_puts(&sql, " ON ");
		pg_qname(&sql, t);
		buf_printf(&sql, " AS %s FOR %s TO %s", is_true(r, i, 3) ? "PERMISSIVE" : "RESTRICTIVE",
			   cmd[0] == 'r' ? "SELECT" : cmd[0] == 'a' ? "INSERT" : cmd[0] == 'w' ? "UPDATE"
			   : cmd[0] == 'd' ? "DELETE" : "ALL", cell(r, i, 5));
		if (cell(r, i, 6))
			buf_printf(&sql, " USING (%s)", cell(r, i, 6));
		if (cell(r, i, 7))
			buf_printf(&sql, " WITH CHECK (%s)", cell(r, i, 7));
		buf_reset(&drop);
		buf_puts(&drop, "DROP POLICY ");
		pg_quote(&drop, cell(r, i, 2));
		buf_puts(&drop, " ON ");
		pg_qname(&drop, t);
		buf_reset(&name);
		buf_printf(&name, "%s on %s", cell(r, i, 2), t);
		add_child(cat, STRATA_OBJ_POLICY, name.ptr, t, &sql, &drop);
		free(t);
	}
	rc = 0;
done:
	PQclear(r);
	buf_free(&sql);
	buf_free(&drop);
	buf_free(&name);
	return rc;
}

/* --- owners and privileges ----------------------------------------------------------------- */

/*
 * Every object privileges apply to — tables, views, sequences, their columns, functions,
 * procedures, schemas — with its owner, its ACL and its default ACL (acldefault), as
 * rows: SQL keyword of its kind, catalog name, column, owner, ACL, default ACL,
 * the statement's object ("TABLE \"t\""), the parent name for the catalog.
 */
#define PRIV_OBJECTS                                                                          \
	"WITH rel AS (SELECT c.oid, c.relkind, c.relowner, c.relacl, CASE WHEN n.nspname = "     \
	"'public' THEN c.relname ELSE n.nspname || '.' || c.relname END AS name, "             \
	"format('%I.%I', n.nspname, c.relname) AS q FROM pg_class c JOIN pg_namespace n ON "   \
	"n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND" NS_FILTER     \
	"AND" NOT_EXT("pg_class", "c.oid") "AND NOT (n.nspname = $1 AND c.relname IN ($2, "   \
	"'strata_history', 'strata_history_id_seq'))), obj AS ("                               \
	"SELECT CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN "    \
	"'MATERIALIZED VIEW' ELSE 'TABLE' END AS what, r.name, NULL::name AS col, r.relowner "  \
	"AS owner, r.relacl AS acl, acldefault((CASE r.relkind WHEN 'S' THEN 's' ELSE 'r' END)::\"char\", " \
	"r.relowner) AS dflt, r.q, r.name AS parent, NOT EXISTS (SELECT 1 FROM pg_depend d "   \
	"WHERE d.classid = 'pg_class'::regclass AND d.objid = r.oid AND d.deptype IN ('a', "   \
	"'i')) AS own FROM rel r UNION ALL SELECT 'COLUMN', r.name, a.attname, r.relowner, "   \
	"a.attacl, acldefault('c', r.relowner), r.q, r.name, false FROM rel r JOIN "          \
	"pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped AND "    \
	"a.attacl IS NOT NULL UNION ALL SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE " \
	"'FUNCTION' END, CASE WHEN n.nspname = 'public' THEN p.proname ELSE n.nspname || '.' " \
	"|| p.proname END || '(' || oidvectortypes(p.proargtypes) || ')', NULL, p.proowner, "  \
	"p.proacl, acldefault('f', p.proowner), format('%I.%I', n.nspname, p.proname) || '(' " \
	"|| oidvectortypes(p.proargtypes) || ')', CASE WHEN n.nspname = 'public' THEN "       \
	"p.proname ELSE n.nspname || '.' || p.proname END || '(' || "                          \
	"oidvectortypes(p.proargtypes) || ')', true FROM pg_proc p JOIN pg_namespace n ON "    \
	"n.oid = p.pronamespace WHERE p.prokind IN ('f', 'p') AND" NS_FILTER "AND"             \
	NOT_EXT("pg_proc", "p.oid") "UNION ALL SELECT 'SCHEMA', n.nspname, NULL, n.nspowner, " \
	"n.nspacl, acldefault('n', n.nspowner), quote_ident(n.nspname), n.nspname, true FROM " \
	"pg_namespace n WHERE" NS_FILTER "AND n.nspname <> $1 AND" NOT_EXT("pg_namespace",      \
	"n.oid") ") "

static const char Q_PRIVILEGES_OWNERS[] =
	PRIV_OBJECTS "SELECT what, name, quote_ident(pg_get_userbyid(owner)), q, parent "
	"FROM obj WHERE col IS NULL AND own AND owner <> (SELECT oid FROM pg_roles WHERE "
	"rolname = current_user) ORDER BY 1, 2";

static const char Q_PRIVILEGES_PRIVS[] =
	PRIV_OBJECTS ", ent AS (SELECT o.*, x.grantee, x.privilege_type, x.is_grantable, "
	"'+' AS sign FROM obj o, aclexplode(coalesce(o.acl, o.dflt)) x UNION ALL SELECT "
	"o.*, x.grantee, x.privilege_type, x.is_grantable, '-' FROM obj o, "
	"aclexplode(o.dflt) x) SELECT what, name, col, CASE WHEN grantee = 0 THEN 'PUBLIC' "
	"ELSE quote_ident(pg_get_userbyid(grantee)) END, privilege_type, is_grantable, "
	"min(sign), q, parent FROM ent WHERE grantee <> owner GROUP BY what, name, col, "
	"grantee, privilege_type, is_grantable, q, parent HAVING count(*) = 1 "
	"ORDER BY 1, 2, 3, 4, 5";

/* Owners other than the role strata connects as, and privileges that differ from each
 * object's default. */
static int read_privileges(batch *x, strata_catalog *cat, strata_err *e)
{
	/* Entries the ACL has beyond the default ('+') or lacks from it ('-'); the
	 * owner's own are left out, as is who granted them. */
	buf sql = BUF_INIT, drop = BUF_INIT, name = BUF_INIT;
	PGresult *r = q(x, Q_PRIVILEGES_OWNERS, e);
	int rc = STRATA_EFAIL;
	if (!r)
		goto done;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *what = cell(r, i, 0);
		buf_reset(&sql);
		buf_printf(&sql, "ALTER %s %s OWNER TO ", what, cell(r, i, 3));
		buf_reset(&drop);
		buf_puts(&drop, sql.ptr);
		buf_puts(&drop, "CURRENT_USER");
		buf_puts(&sql, cell(r, i, 2));
		buf_reset(&name);
		buf_printf(&name, "of %s %s", what, cell(r, i, 1));
		add_child(cat, STRATA_OBJ_OWNER, name.ptr, cell(r, i, 4), &sql, &drop);
	}
	PQclear(r);
	if (!(r = q(x, Q_PRIVILEGES_PRIVS, e)))
		goto done;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *what = cell(r, i, 0), *col = cell(r, i, 2), *who = cell(r, i, 3);
		const char *priv = cell(r, i, 4);
		int grant = cell(r, i, 6)[0] == '+', option = is_true(r, i, 5);
		buf on = BUF_INIT;
		buf_puts(&on, priv);
		if (col) {
			buf_puts(&on, " (");
			pg_quote(&on, col);
			buf_putc(&on, ')');
		}
		/* GRANT names views and columns' tables ON TABLE. */
		buf_printf(&on, " ON %s %s", col || strstr(what, "VIEW") ? "TABLE" : what, cell(r, i, 7));
		buf_reset(&sql);
		buf_reset(&drop);
		buf_printf(grant ? &sql : &drop, "GRANT %s TO %s%s", on.ptr, who,
			   option ? " WITH GRANT OPTION" : "");
		buf_printf(grant ? &drop : &sql, "REVOKE %s FROM %s", on.ptr, who);
		buf_reset(&name);
		buf_printf(&name, "%s%s on ", grant ? "" : "revoke ", priv);
		for (const char *c = col ? "column" : what; *c; c++) /* "on table t" */
			buf_putc(&name, (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c));
		buf_printf(&name, " %s%s%s %s %s%s", cell(r, i, 1), col ? "." : "", col ? col : "",
			   grant ? "to" : "from", who, option ? " with grant option" : "");
		add_child(cat, STRATA_OBJ_PRIVILEGE, name.ptr, cell(r, i, 8), &sql, &drop);
		buf_free(&on);
	}
	rc = 0;
done:
	PQclear(r);
	buf_free(&sql);
	buf_free(&drop);
	buf_free(&name);
	return rc;
}

/* Appends `s` as a string literal that reads the same whatever
 * standard_conforming_strings is. */
static void put_literal(buf *out, const char *s)
{
	buf_puts(out, "E'");
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			buf_putc(out, *s);
		buf_putc(out, *s);
	}
	buf_putc(out, '\'');
}

/* Appends query `sql` and ";", its parameters $1 and $2 replaced by `vs` as literals. */
static void put_query(buf *out, const char *sql, const char *const *vs)
{
	for (const char *p = sql; *p; p++) {
		if (p[0] == '$' && (p[1] == '1' || p[1] == '2') && !(p[2] >= '0' && p[2] <= '9')) {
			put_literal(out, vs[p[1] - '1']);
			p++;
		} else {
			buf_putc(out, *p);
		}
	}
	buf_puts(out, ";\n");
}

/* Reads the database behind `pg`; see postgres_internal.h. */
int pg_read_catalog(PGconn *pg, const char *version_schema, const char *version_table,
		    int uncompared, strata_catalog **out, strata_err *e)
{
	/* In the order the readers below take their results. */
	const char *const all[] = { Q_TABLES, Q_COLUMNS, Q_CONSTRAINTS, Q_INDEXES, Q_VIEWS,
				    Q_TRIGGERS, Q_OBJECTS_SCHEMAS, Q_OBJECTS_EXTENSIONS,
				    Q_OBJECTS_ENUMS, Q_OBJECTS_SEQUENCES, Q_OBJECTS_FUNCTIONS,
				    Q_OBJECTS_COMMENTS, Q_OBJECTS_OTHER_COMMENTS,
				    Q_DOMAINS_DOMAINS, Q_DOMAINS_DOMAIN_CHECKS,
				    Q_PARTITIONS_PARTITIONS, Q_COLLATIONS, Q_VIEW_INDEXES,
				    Q_MORE_COMMENTS, Q_UNCOMPARED, Q_POLICIES_RLS,
				    Q_POLICIES_POLICIES, Q_PRIVILEGES_OWNERS, Q_PRIVILEGES_PRIVS };
	const char *sent[sizeof all / sizeof all[0]];
	const char *vs[2] = { version_schema ? version_schema : "public",
			      version_table ? version_table : "strata_version" };
	strata_catalog *cat = strata_catalog_new(0);
	batch x = { .pg = pg, .sql = sent };
	buf req = BUF_INIT;
	int own_tx = PQtransactionStatus(pg) == PQTRANS_IDLE, rc = STRATA_EFAIL;
	PGresult *r = NULL;
	cat->type_narrows = pg_type_narrows;
	*out = NULL;
	/* What the database holds beyond the model is named for the live database only:
	 * nothing reads it of the shadow. */
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		if (uncompared || all[i] != Q_UNCOMPARED)
			sent[x.n++] = all[i];
	if (own_tx)
		buf_puts(&req, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;\n");
	for (size_t i = 0; i < x.n; i++)
		put_query(&req, sent[i], vs);
	if (own_tx)
		buf_puts(&req, "ROLLBACK");
	if (!PQsendQuery(pg, req.ptr)) {
		buf b = BUF_INIT;
		buf_puts(&b, PQerrorMessage(pg));
		buf_rtrim(&b);
		err_set(e, STRATA_EFAIL, "reading the PostgreSQL catalog: %s", b.ptr);
		buf_free(&b);
		goto done;
	}
	if (own_tx) {
		r = PQgetResult(pg);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			const char *m = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
			err_set(e, STRATA_EFAIL, "reading the PostgreSQL catalog: %s",
				m ? m : PQerrorMessage(pg));
			goto done;
		}
		PQclear(r);
		r = NULL;
	}
	rc = read_tables(&x, cat, e);
	if (!rc)
		rc = read_views(&x, cat, e);
	if (!rc)
		rc = read_triggers(&x, cat, e);
	if (!rc)
		rc = read_objects(&x, cat, e);
	if (!rc)
		rc = read_collations(&x, cat, e);
	if (!rc)
		rc = read_view_indexes(&x, cat, e);
	if (!rc)
		rc = read_more_comments(&x, cat, e);
	if (!rc && uncompared)
		rc = read_uncompared(&x, cat, e);
	if (!rc)
		rc = read_policies(&x, cat, e);
	if (!rc)
		rc = read_privileges(&x, cat, e);
	if (!rc && x.at != x.n)
		rc = err_set(e, STRATA_EFAIL, "reading the PostgreSQL catalog: %zu of %zu queries read",
			     x.at, x.n);
done:
	PQclear(r);
	/* The ROLLBACK's result, or what a failure left unread. */
	for (PGresult *rest; (rest = PQgetResult(pg));)
		PQclear(rest);
	if (own_tx && PQtransactionStatus(pg) != PQTRANS_IDLE)
		PQclear(PQexec(pg, "ROLLBACK"));
	map_free(&x.tables);
	buf_free(&req);
	if (rc) {
		strata_catalog_free(cat);
		return rc;
	}
	strata_catalog_sort(cat);
	*out = cat;
	return 0;
}

/* Reads the database behind `pg` with what it does not model; see postgres_internal.h. */
int pg_introspect_db(PGconn *pg, const char *version_schema, const char *version_table,
		     strata_catalog **out, strata_err *e)
{
	return pg_read_catalog(pg, version_schema, version_table, 1, out, e);
}

/* The backend-table slot. */
int pg_introspect(strata_conn *c, strata_catalog **out, strata_err *e)
{
	return pg_introspect_db(strata_pg_handle(c), strata_pg_version_schema(c),
			       strata_pg_version_table(c), out, e);
}
