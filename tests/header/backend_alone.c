/*
 * Compiles strata/backend.h on its own, as an installed backend sees it: only the
 * public include directory on the path (-Iinclude), nothing from src/. Built by
 * `make unit`; it fails to compile when the header needs an internal one.
 */
#include <strata/backend.h>

/* Names every type the header promises, so a missing declaration is an error. */
const strata_backend *header_alone_pick(const char *url)
{
	strata_rows rows = { 0 };
	strata_stmtlist l = { 0 };
	strata_scratch sc = { 0 };
	strata_conn_opts o = { 0 };
	(void)rows;
	(void)l;
	(void)sc;
	(void)o;
	return strata_backend_for_url(url);
}
