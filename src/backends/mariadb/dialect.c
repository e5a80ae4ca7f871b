/* placeholder */
#include "backends/mariadb/mariadb_internal.h"
int my_render(const strata_oplist *ops, buf *out, strata_err *e)
{
	(void)ops; (void)out;
	return err_set(e, STRATA_EFAIL, "MariaDB rendering is not implemented yet");
}
