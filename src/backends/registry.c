/*
 * The registration table: one line per backend (src/backends/README.md). A URL goes to
 * the first backend with a matching scheme prefix (strata_backend.schemes); an
 * application's lent handle to the first whose lent_handle field holds one.
 */
#include "strata/backend.h"

const strata_backend *const strata_backends[] = {
	&strata_sqlite_backend,
	&strata_postgres_backend,
	&strata_mariadb_backend,
	NULL,
};

/* The defaults that name a backend, kept beside the table that registers it. */
const char strata_default_url[] = "sqlite::memory:";
const char strata_init_url[] = "sqlite:instance/app.db";
