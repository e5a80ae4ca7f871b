/*
 * postgres_internal.h — what the PostgreSQL backend's files share.
 *
 * driver.c connects, executes and locks; introspect.c reads a database from pg_catalog
 * into a catalog; shadow.c loads schema.sql into a scratch database and reads that;
 * dialect.c renders operations as PostgreSQL SQL. The three `pg_*` functions named like
 * the backend table's introspect, load_shadow and render slots have their signatures.
 *
 * Names in the catalog: an object in schema "public" is named bare ("users"), one in
 * any other schema "schema.name"; pg_qname() quotes both forms.
 */
#ifndef STRATA_POSTGRES_INTERNAL_H
#define STRATA_POSTGRES_INTERNAL_H

#include "backends/postgres/pq.h"

#include "schema/catalog.h"
#include "schema/diff.h"
#include "strata/backend.h"
#include "util/buf.h"
#include "util/err.h"

/* The libpq handle and the version schema ("public" unless configured) (driver.c). */
PGconn *strata_pg_handle(strata_conn *c);
const char *strata_pg_version_schema(strata_conn *c);
const char *strata_pg_version_table(strata_conn *c);
/* Whether it was opened as the configured shadow database (strata_conn_opts.shadow). */
int strata_pg_is_shadow(strata_conn *c);

/* Reads the user schema of the database behind `pg` into a new catalog at *out (the
 * caller frees it), in one read-only snapshot and one request. Leaves out system
 * schemas, objects that belong to extensions, and the version table (`version_table`,
 * NULL for strata_version) and strata_history in `version_schema` (which is itself not
 * reported as a user schema). With `uncompared` set, also lists what it does not model
 * (catalog.uncompared), which `check` names for the live database only. */
int pg_read_catalog(PGconn *pg, const char *version_schema, const char *version_table,
		    int uncompared, strata_catalog **out, strata_err *e);
/* pg_read_catalog with `uncompared` set. */
int pg_introspect_db(PGconn *pg, const char *version_schema, const char *version_table,
		     strata_catalog **out, strata_err *e);

/* Backend-table slots. */
int pg_introspect(strata_conn *c, strata_catalog **out, strata_err *e);
int pg_load_shadow(strata_conn *c, const char *schema_sql, const char *schema_path,
		   strata_catalog **out, strata_err *e);
/* Renders `ops` as PostgreSQL SQL, appending to `out`. */
int pg_render(const strata_oplist *ops, buf *out, strata_err *e);
/* The type-narrowing rule (strata_backend.type_narrows): anything but a known widening
 * (types.c). */
int pg_type_narrows(const char *from, const char *to);

/* verify's scratch copy: the scratch_copy and scratch_drop slots (copy.c). */
int pg_scratch_copy(strata_conn *c, const char *url, const char *dir, int with_data,
		    strata_scratch *out, strata_err *e);
int pg_scratch_drop(strata_conn *c, const strata_scratch *sc, strata_err *e);

/* Appends `name` as a double-quoted identifier. */
void pg_quote(buf *out, const char *name);
/* Appends a catalog name ("t" or "schema.t") quoted part by part. */
void pg_qname(buf *out, const char *name);
/* Appends a single-quoted string literal. */
void pg_quote_string(buf *out, const char *s);

#endif
