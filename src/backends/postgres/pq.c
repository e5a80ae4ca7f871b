/* Loads libpq at the first PostgreSQL connection (see pq.h). */
#define _POSIX_C_SOURCE 200809L
#define STRATA_PQ_REAL_NAMES
#include "backends/postgres/pq.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

strata_pq_api strata_pq;
static void *libpq;

int pq_load(strata_err *e)
{
	if (libpq)
		return 0;
	/* $STRATA_LIBPQ names another build of libpq (a path, or a soname). */
	const char *name = getenv("STRATA_LIBPQ");
	if (!name || !*name)
		name = "libpq.so.5";
	void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return err_set(e, STRATA_EFAIL,
			       "PostgreSQL needs libpq, which could not be loaded (%s); "
			       "install it (Debian: apt-get install libpq5) or set STRATA_LIBPQ",
			       dlerror());
	strata_pq_api api;
	const char *missing = NULL;
	/* dlsym returns an object pointer; POSIX guarantees it converts to a function
	 * pointer, which memcpy does without a cast C forbids. */
#define STRATA_PQ_LOOKUP(name)                                                    \
	{                                                                         \
		void *sym = dlsym(h, #name);                                      \
		if (!sym && !missing)                                             \
			missing = #name;                                          \
		memcpy(&api.name, &sym, sizeof(api.name));                        \
	}
	STRATA_PQ_FUNCS(STRATA_PQ_LOOKUP)
#undef STRATA_PQ_LOOKUP
	if (missing) {
		dlclose(h);
		return err_set(e, STRATA_EFAIL, "%s lacks %s: install a newer libpq5", name, missing);
	}
	strata_pq = api;
	libpq = h;
	return 0;
}
