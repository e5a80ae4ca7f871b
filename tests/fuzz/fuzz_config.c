/*
 * libFuzzer harness for the configuration reader (src/core/config.c, through inih).
 *
 * config_load takes a path, so each input is written to one temporary file (created once
 * per process, in $TMPDIR or /tmp) and opened with strata_open as config_path; the
 * environment is not consulted. Checks: the status is 0, STRATA_EFAIL or STRATA_EUSAGE;
 * a failure has a message that names the file (or the URL, for a scheme strata does not
 * support); a success has a usable lock timeout, versions directory and schema path, and
 * the displayed URL is the masked URL. Undefined behaviour in the value conversions
 * (lock_timeout) is caught by UBSan.
 * Build and run: see tests/fuzz/README.md (or tests/fuzz/run.sh).
 */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ctx.h"

#define CHECK(cond)                                                                      \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "fuzz_config: %s:%d: check failed: %s\n", __FILE__,  \
				__LINE__, #cond);                                         \
			abort();                                                          \
		}                                                                         \
	} while (0)

static char path[4096];

static void cleanup(void)
{
	if (path[0])
		unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!path[0]) {
		const char *dir = getenv("TMPDIR");
		snprintf(path, sizeof path, "%s/strata-fuzz-config-%ld.ini", dir && *dir ? dir : "/tmp",
			 (long)getpid());
		atexit(cleanup);
	}
	FILE *f = fopen(path, "wb");
	CHECK(f != NULL);
	CHECK(fwrite(data, 1, size, f) == size);
	CHECK(fclose(f) == 0);

	strata_options o = STRATA_OPTIONS_INIT;
	o.config_path = path;
	o.use_env = 0;
	strata *s = NULL;
	int rc = strata_open(&s, &o);
	CHECK(s != NULL);
	const char *msg = strata_errmsg(s);
	CHECK(msg != NULL);
	if (rc == 0) {
		CHECK(*msg == '\0');
		CHECK(s->lock_timeout_ms >= 0);
		CHECK(s->script_location && s->versions_dir && s->schema_path);
		CHECK(strata_versions_dir(s)[0] != '\0' || s->script_location[0] == '\0');
		if (s->url) {
			CHECK(s->url[0] != '\0');
			char *m = url_mask(s->url);
			CHECK(strcmp(m, strata_database_display(s)) == 0);
			free(m);
		} else {
			CHECK(strcmp(strata_database_display(s), "") == 0);
		}
	} else {
		CHECK(rc == STRATA_EFAIL || rc == STRATA_EUSAGE);
		CHECK(*msg != '\0');
		if (rc == STRATA_EFAIL)
			CHECK(strstr(msg, path) != NULL);
		else
			CHECK(strncmp(msg, "unsupported database URL '", 26) == 0);
	}
	strata_free(s);
	return 0;
}
