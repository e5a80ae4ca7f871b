#include "strata/backend.h"

#include <stdlib.h>
#include <string.h>

void strata_rows_free(strata_rows *r)
{
	if (!r || !r->cells)
		return;
	for (size_t i = 0; i < r->nrows * r->ncols; i++)
		free(r->cells[i]);
	free(r->cells);
	r->cells = NULL;
	r->nrows = r->ncols = 0;
}

const strata_backend *strata_backend_for_url(const char *url)
{
	if (strncmp(url, "sqlite:", 7) == 0 && url[7])
		return &strata_sqlite_backend;
	/* Both spellings libpq accepts; the URL itself goes to libpq untouched. */
	if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
		return &strata_postgres_backend;
	/* SQLAlchemy's spelling; config.c has already dropped a +DRIVER (mysql+pymysql). */
	if (strncmp(url, "mysql://", 8) == 0 || strncmp(url, "mariadb://", 10) == 0)
		return &strata_mariadb_backend;
	return NULL;
}
