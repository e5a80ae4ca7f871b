#include "util/err.h"
#include "util/buf.h"

#include <stdarg.h>
#include <stdlib.h>

int err_set(strata_err *e, int code, const char *fmt, ...)
{
	if (!e)
		return code;
	buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(e->msg);
	e->msg = buf_detach(&b);
	e->code = code;
	return code;
}

void err_prefix(strata_err *e, const char *fmt, ...)
{
	if (!e)
		return;
	buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	buf_puts(&b, e->msg ? e->msg : "");
	free(e->msg);
	e->msg = buf_detach(&b);
}

void err_clear(strata_err *e)
{
	if (!e)
		return;
	free(e->msg);
	e->msg = NULL;
	e->code = 0;
}

void err_move(strata_err *dst, strata_err *src)
{
	free(dst->msg);
	*dst = *src;
	src->msg = NULL;
	src->code = 0;
}
