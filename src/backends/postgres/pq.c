/* Loads libpq at the first PostgreSQL connection (see pq.h). */
#define _POSIX_C_SOURCE 200809L
#define STRATA_PQ_REAL_NAMES
#include "backends/postgres/pq.h"
#include "util/buf.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

strata_pq_api strata_pq;
static void *libpq;
static char *load_error; /* why the one load failed, for every caller */
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

/* The one load, run by pthread_once: handles in several threads may connect at the
 * same moment, and none may see the table half filled. Sets libpq and strata_pq, or
 * load_error. */
static void load(void)
{
	/* $STRATA_LIBPQ names another build of libpq (a path, or a soname). */
	const char *name = getenv("STRATA_LIBPQ");
	if (!name || !*name)
		name = "libpq.so.5";
	void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		load_error = xasprintf("PostgreSQL needs libpq, which could not be loaded (%s); "
				       "install it (Debian: apt-get install libpq5) or set STRATA_LIBPQ",
				       dlerror());
		return;
	}
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
		load_error = xasprintf("%s lacks %s: install a newer libpq5", name, missing);
		return;
	}
	strata_pq = api;
	libpq = h;
}

int pq_load(strata_err *e)
{
	pthread_once(&load_once, load);
	if (libpq)
		return 0;
	return err_set(e, STRATA_EFAIL, "%s", load_error ? load_error : "libpq could not be loaded");
}
