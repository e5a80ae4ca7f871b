/*
 * libFuzzer harness for database URLs: url_mask (src/core/config.c) and
 * strata_backend_for_url (src/core/backend.c).
 *
 * The input, up to its first NUL, is the URL. Checks beyond memory safety:
 *   - "scheme://user:PASSWORD@host…" or "scheme:user:PASSWORD@host…" (a scheme, then an
 *     '@' before the first '/', '?' or '#', and a ':' before it) comes out as
 *     "scheme://user:***@host…", masked up to the last such '@';
 *   - after the credentials, every "password=" in the output is followed by "***" and then
 *     the end, '&', whitespace, or what followed a quoted value;
 *   - text without "password" and without credentials comes out unchanged;
 *   - a URL that starts with "sqlite:" and has something after it gets a backend, and a
 *     backend always has a name.
 * Build and run: see tests/fuzz/README.md (or tests/fuzz/run.sh).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"

#define CHECK(cond)                                                                      \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "fuzz_url: %s:%d: check failed: %s\n", __FILE__,     \
				__LINE__, #cond);                                         \
			abort();                                                          \
		}                                                                         \
	} while (0)


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nul = memchr(data, '\0', size);
	size_t n = nul ? (size_t)(nul - (const char *)data) : size;
	char *url = malloc(n + 1);
	CHECK(url != NULL);
	memcpy(url, data, n);
	url[n] = '\0';

	char *m = url_mask(url);
	CHECK(m != NULL);

	/* Credentials: a scheme (a letter, then letters, digits, '+', '-', '.') and ':', an
	 * optional "//", then an authority up to '/', '?' or '#' whose last '@' ends the user
	 * part; a ':' in it starts the password. */
	size_t skip = 0, sn = 0;
	if (isalpha((unsigned char)url[0]))
		while (isalnum((unsigned char)url[sn]) || url[sn] == '+' || url[sn] == '-' || url[sn] == '.')
			sn++;
	if (sn && url[sn] == ':') {
		const char *auth = url + sn + 1;
		if (auth[0] == '/' && auth[1] == '/')
			auth += 2;
		size_t alen = strcspn(auth, "/?#");
		const char *at = NULL;
		for (size_t i = 0; i < alen; i++)
			if (auth[i] == '@')
				at = auth + i;
		const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
		if (colon) {
			size_t keep = (size_t)(colon - url) + 1;
			CHECK(strncmp(m, url, keep) == 0);
			CHECK(strncmp(m + keep, "***@", 4) == 0);
			CHECK(strcmp(m + keep + 3, at) == 0 || strstr(at, "password"));
			skip = keep + 3;
		}
	}
	/* Every password value after the credentials ("password", blanks, '=', blanks, as
	 * libpq reads a keyword) is masked whole: "***" then the end, '&', whitespace, or (a
	 * quoted value) whatever followed its closing quote. */
	for (const char *p = strstr(m + skip, "password"); p; p = strstr(p + 1, "password")) {
		const char *v = p + strlen("password");
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v++ != '=')
			continue;
		while (*v == ' ' || *v == '\t')
			v++;
		CHECK(strncmp(v, "***", 3) == 0);
		CHECK(v[3] == '\0' || v[3] == '&' || isspace((unsigned char)v[3]) || strchr(url, '\''));
	}
	if (!skip && !strstr(url, "password"))
		CHECK(strcmp(m, url) == 0);
	free(m);

	const strata_backend *be = strata_backend_for_url(url);
	if (strncmp(url, "sqlite:", 7) == 0 && url[7])
		CHECK(be != NULL);
	if (be)
		CHECK(be->name != NULL && be->name[0] != '\0');
	free(url);
	return 0;
}
