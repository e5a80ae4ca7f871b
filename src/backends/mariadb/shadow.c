/* placeholder */
#include "backends/mariadb/mariadb_internal.h"
int my_load_shadow(strata_conn *c, const char *schema_sql, const char *schema_path,
		   strata_catalog **out, strata_err *e)
{
	(void)c; (void)schema_sql; (void)schema_path; *out = NULL;
	return err_set(e, STRATA_EFAIL, "MariaDB shadow databases are not implemented yet");
}
