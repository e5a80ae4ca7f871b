#include "util/sqlbind.h"

#include <ctype.h>
#include <stdlib.h>

void sqlbind(buf *out, const char *sql, const char *const *params, size_t n, int backslash,
	     sqlbind_quote quote, void *ctx)
{
	for (const char *p = sql; *p;) {
		if (*p == '\'' || *p == '"' || *p == '`') {
			char q = *p;
			const char *s = p++;
			while (*p && *p != q) {
				if (backslash && *p == '\\' && q != '`' && p[1])
					p++;
				p++;
			}
			if (*p)
				p++;
			buf_add(out, s, (size_t)(p - s));
		} else if (*p == '$' && isdigit((unsigned char)p[1])) {
			char *end;
			unsigned long k = strtoul(p + 1, &end, 10);
			if (k >= 1 && k <= n) {
				if (params[k - 1])
					quote(ctx, params[k - 1], out);
				else
					buf_puts(out, "NULL");
				p = end;
			} else {
				buf_putc(out, *p++);
			}
		} else {
			buf_putc(out, *p++);
		}
	}
}
