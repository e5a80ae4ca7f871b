#include "strata/backend.h"
#include "core/ctx.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

void strata_rows_free(strata_rows *r)
{
	if (!r || !r->cells)
		return;
	for (size_t i = 0; i < r->nrows * r->ncols; i++)
		free(r->cells[i]);
	free(r->cells);
	r->cells = NULL;
	r->nrows = r->ncols = 0;
}

/* Whether `url` starts with `prefix`; a prefix ending in ':' also needs a rest. */
static int scheme_matches(const char *url, const char *prefix)
{
	size_t n = strlen(prefix);
	return strncmp(url, prefix, n) == 0 && (prefix[n - 1] != ':' || url[n]);
}

/* See strata/backend.h. */
const strata_backend *strata_backend_for_url(const char *url)
{
	for (size_t i = 0; strata_backends[i]; i++)
		for (const char *const *p = strata_backends[i]->schemes; p && *p; p++)
			if (scheme_matches(url, *p))
				return strata_backends[i];
	return NULL;
}

/* See strata/backend.h: the core's url_mask, for backends. */
/* Value of hex digit c, or -1. */
static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *strata_url_decode(const char *s, size_t n)
{
	buf b = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		int hi, lo;
		if (s[i] == '%' && i + 2 < n && (hi = hexval((unsigned char)s[i + 1])) >= 0 &&
		    (lo = hexval((unsigned char)s[i + 2])) >= 0) {
			buf_putc(&b, (char)(hi * 16 + lo));
			i += 2;
		} else {
			buf_putc(&b, s[i]);
		}
	}
	return buf_detach(&b);
}

char *strata_url_mask(const char *url)
{
	return url_mask(url);
}

/* See ctx.h: every backend's url_forms, joined as "a, b or c". */
char *backend_url_forms(void)
{
	buf b = BUF_INIT;
	for (size_t i = 0; strata_backends[i]; i++) {
		if (!strata_backends[i]->url_forms)
			continue;
		if (b.len)
			buf_puts(&b, strata_backends[i + 1] ? ", " : " or ");
		buf_puts(&b, strata_backends[i]->url_forms);
	}
	return buf_detach(&b);
}
