/* Shared pieces of the command-line tool: opening the handle and printing events. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Progress on a terminal, statements with -v, warnings always (unless -q). */
static void on_event(void *ctx, const strata_event *ev)
{
	cli_globals *g = ctx;
	switch (ev->kind) {
	case STRATA_EVENT_STEP_BEGIN:
		if (g->tty && !g->quiet) {
			int w = 1;
			for (size_t t = ev->total; t >= 10; t /= 10)
				w++;
			printf("[%*zu/%zu] %s%s %s … ", w, ev->index, ev->total, ev->up ? "" : "revert ",
			       ev->rev->id, ev->rev->message);
			fflush(stdout);
		}
		break;
	case STRATA_EVENT_STEP_END:
		if (g->tty && !g->quiet)
			printf("%.0f ms\n", ev->ms);
		break;
	case STRATA_EVENT_STATEMENT:
		if (g->verbose)
			fprintf(stderr, "%s;\n", ev->sql);
		break;
	case STRATA_EVENT_NOTICE:
		if (!g->quiet)
			fprintf(stderr, "strata: %s\n", ev->text);
		break;
	case STRATA_EVENT_WARNING:
		if (!g->quiet)
			cli_warn("%s", ev->text);
		break;
	}
}

/* Like git: strata.ini in the working directory, else in the nearest directory
 * above that holds one ("../../strata.ini"); relative paths in it are relative to
 * its directory. NULL when none. */
static const char *find_config(void)
{
	static char path[4096];
	struct stat here, up;
	size_t len = 0;
	path[0] = '\0';
	for (int depth = 0; depth < 64; depth++) {
		if (len + sizeof("strata.ini") + 3 >= sizeof path)
			return NULL;
		memcpy(path + len, "strata.ini", sizeof("strata.ini"));
		if (access(path, F_OK) == 0)
			return path;
		/* Stop at the root: the directory is its own parent. */
		path[len] = '\0';
		const char *dir = len ? path : ".";
		char parent[4096];
		snprintf(parent, sizeof parent, "%s..", len ? path : "./");
		if (stat(dir, &here) != 0 || stat(parent, &up) != 0 ||
		    (here.st_dev == up.st_dev && here.st_ino == up.st_ino))
			return NULL;
		memcpy(path + len, "../", 4);
		len += 3;
	}
	return NULL;
}

int cli_open(cli_globals *g, strata **out)
{
	strata_options o = STRATA_OPTIONS_INIT;
	o.config_path = g->config ? g->config : g->no_discovery ? NULL : find_config();
	o.database_url = g->database;
	o.read_only = g->read_only;
	o.on_event = on_event;
	o.event_ctx = g;
	int rc = strata_open(out, &o);
	if (rc) {
		cli_error(*out, rc);
		strata_free(*out);
		*out = NULL;
	}
	return rc;
}
