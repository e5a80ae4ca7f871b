/* Loads libmariadb at the first MariaDB/MySQL connection (see mdb.h). */
#define _POSIX_C_SOURCE 200809L
#define STRATA_MDB_REAL_NAMES
#include "backends/mariadb/mdb.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

strata_mdb_api strata_mdb;
static void *libmariadb;

int mdb_load(strata_err *e)
{
	if (libmariadb)
		return 0;
	/* $STRATA_LIBMARIADB names another build of the client library (a path, or a soname). */
	const char *name = getenv("STRATA_LIBMARIADB");
	if (!name || !*name)
		name = "libmariadb.so.3";
	void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return err_set(e, STRATA_EFAIL,
			       "MariaDB/MySQL needs libmariadb, which could not be loaded (%s); "
			       "install it (Debian: apt-get install libmariadb3) or set STRATA_LIBMARIADB",
			       dlerror());
	strata_mdb_api api;
	const char *missing = NULL;
	/* As in pq.c: memcpy turns dlsym's object pointer into a function pointer. */
#define STRATA_MDB_LOOKUP(name)                                                   \
	{                                                                         \
		void *sym = dlsym(h, #name);                                      \
		if (!sym && !missing)                                             \
			missing = #name;                                          \
		memcpy(&api.name, &sym, sizeof(api.name));                        \
	}
	STRATA_MDB_FUNCS(STRATA_MDB_LOOKUP)
#undef STRATA_MDB_LOOKUP
	if (missing) {
		dlclose(h);
		return err_set(e, STRATA_EFAIL, "%s lacks %s: install a newer libmariadb3", name, missing);
	}
	strata_mdb = api;
	libmariadb = h;
	return 0;
}
