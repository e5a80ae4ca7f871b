/* placeholder */
#include "backends/mariadb/mariadb_internal.h"
int my_introspect(strata_conn *c, strata_catalog **out, strata_err *e)
{
	(void)c; *out = NULL;
	return err_set(e, STRATA_EFAIL, "MariaDB introspection is not implemented yet");
}
