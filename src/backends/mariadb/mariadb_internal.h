/*
 * mariadb_internal.h — what the MariaDB/MySQL backend's files share.
 *
 * driver.c connects, executes and locks; url.c reads a mysql:// URL; introspect.c
 * reads a database from information_schema into a catalog; shadow.c loads schema.sql
 * into a scratch database and reads that; dialect.c renders operations as MariaDB SQL.
 *
 * Names in the catalog are bare: a MariaDB "database" is what the other backends call
 * a schema, and strata works inside the one database the URL names.
 */
#ifndef STRATA_MARIADB_INTERNAL_H
#define STRATA_MARIADB_INTERNAL_H

#include "backends/mariadb/mdb.h"

#include "schema/catalog.h"
#include "schema/diff.h"
#include "strata/backend.h"
#include "util/buf.h"
#include "util/err.h"

/* The parts of a mysql:// URL, percent-decoded, malloc'd (NULL when absent). */
typedef struct my_url {
	char *user;
	char *password;
	char *host;     /* NULL or "localhost" with no port: the Unix socket */
	unsigned port;  /* 0: the default (3306) */
	char *database;
	char *socket;   /* ?socket= or ?unix_socket= */
} my_url;

/* Reads `url` (mysql://, mariadb://; a +DRIVER in the scheme is ignored) into `u`.
 * 0, or STRATA_EFAIL naming what is wrong (the password never shown). */
int my_url_parse(const char *url, my_url *u, strata_err *e);
void my_url_free(my_url *u);

/* The client handle, the database the URL names, and the version table (driver.c). */
MYSQL *strata_my_handle(strata_conn *c);
const char *strata_my_database(strata_conn *c);
const char *strata_my_version_table(strata_conn *c);
const my_url *strata_my_url(strata_conn *c);
int strata_my_is_shadow(strata_conn *c);
/* Runs one statement on `c`, discarding rows (the backend table's exec). */
int my_exec(strata_conn *c, const char *sql, strata_err *e);
/* The backend table's query: $1..$n are replaced by quoted literals. */
int my_query(strata_conn *c, const char *sql, const char *const *params, size_t nparams,
	     strata_rows *out, strata_err *e);

/* `url` with its database replaced by `db` (a plain name), malloc'd (url.c). */
char *my_url_with_db(const char *url, const char *db);

/* Creates database `name` with the character set and collation of database `like`
 * (shadow.c). */
int my_create_db_like(strata_conn *c, const char *name, const char *like, strata_err *e);
/* DROP DATABASE IF EXISTS `name` (shadow.c). */
int my_drop_db(strata_conn *c, const char *name, strata_err *e);

/* Backups and verify's scratch copy through mariadb-dump and the mariadb client
 * (copy.c): the backend-table slots. */
int my_backup(strata_conn *c, const char *path, strata_err *e);
char *my_backup_path(const char *url, const char *stamp);
int my_scratch_copy(strata_conn *c, const char *url, const char *dir, int with_data,
		    strata_scratch *out, strata_err *e);
int my_scratch_drop(strata_conn *c, const strata_scratch *sc, strata_err *e);

/* Reads the user tables, views and triggers of database `db` into a new catalog at *out
 * (the caller frees it), leaving out `version_table` (NULL: strata_version) and
 * strata_history. */
int my_introspect_db(strata_conn *c, const char *db, const char *version_table,
		     strata_catalog **out, strata_err *e);

/* Backend-table slots. */
int my_introspect(strata_conn *c, strata_catalog **out, strata_err *e);
int my_load_shadow(strata_conn *c, const char *schema_sql, const char *schema_path,
		   strata_catalog **out, strata_err *e);
int my_render(const strata_oplist *ops, buf *out, strata_err *e);
/* The type-narrowing rule (strata_backend.type_narrows; types.c). */
int my_type_narrows(const char *from, const char *to);

/* Appends `name` as a backquoted identifier. */
void my_quote(buf *out, const char *name);
/* Appends a single-quoted string literal (quotes and backslashes doubled/escaped). */
void my_quote_string(buf *out, const char *s);

#endif
