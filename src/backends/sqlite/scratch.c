/*
 * verify's scratch copy on SQLite: the online backup API copies the live database
 * into a file of verify's temporary directory; a database that does not exist yet
 * is copied as a new empty file.
 */
#include "backends/sqlite/sqlite_internal.h"
#include "util/fs.h"

#include <stdlib.h>

/* See sqlite_internal.h and strata_backend.scratch_copy. */
int sqlite_scratch_copy(strata_conn *c, const char *url, const char *dir, int with_data,
			strata_scratch *out, strata_err *e)
{
	(void)with_data; /* the copy always holds the rows: it is one file */
	char *file = fs_join(dir, "copy.db");
	int rc = 0;
	if (!c) {
		/* No database yet: the copy of nothing is an empty database. */
		char *path = url ? sqlite_url_path(url) : NULL;
		out->how = xasprintf("a new empty SQLite database (%s does not exist yet)",
				     path ? path : "the database");
		free(path);
	} else if ((rc = strata_sqlite_backend.backup(c, file, e))) {
		err_prefix(e, "cannot copy the database: ");
		goto done;
	} else {
		out->how = xasprintf("SQLite online backup to a temporary file");
	}
	out->url = xasprintf("sqlite:%s", file);
done:
	free(file);
	return rc;
}
