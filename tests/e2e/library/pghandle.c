/* pghandle: migrates through a PGconn the program opened (strata_options.pg_handle),
 * then uses the same session: strata must not have closed it nor kept its lock.
 * Usage: pghandle CONNINFO */
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>
#include <strata.h>

static const strata_embedded_revision revs[] = {
	{ .id = "p1", .revises = "", .message = "notes", .transactional = 1,
	  .upgrade_sql = "CREATE TABLE notes (id SERIAL PRIMARY KEY, body TEXT);\n",
	  .downgrade_sql = "DROP TABLE notes;\n" },
};

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	PGconn *pg = PQconnectdb(argv[1]);
	if (PQstatus(pg) != CONNECTION_OK)
		return 3;
	PQclear(PQexec(pg, "SET application_name = 'mine'"));
	strata_options o = STRATA_OPTIONS_INIT;
	o.pg_handle = pg;
	o.use_env = 0;
	o.embedded = revs;
	o.nembedded = 1;
	strata *s = NULL;
	int rc = strata_open(&s, &o);
	if (!rc)
		rc = strata_upgrade(s, NULL, NULL);
	if (rc)
		printf("error: %s\n", strata_errmsg(s));
	char **ids = NULL;
	size_t n = 0;
	if (!rc && strata_current(s, &ids, &n) == 0 && n == 1)
		printf("current %s\n", ids[0]);
	strata_strings_free(ids, n);
	strata_free(s);
	PGresult *r = PQexec(pg, "INSERT INTO notes (body) VALUES ('x') RETURNING current_setting('application_name'),"
				 " (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid())");
	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		printf("session %s, advisory locks %s\n", PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
	PQclear(r);
	PQfinish(pg);
	return rc;
}
