/* Shared pieces of the command-line tool: opening the handle and printing events. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

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

int cli_open(cli_globals *g, strata **out)
{
	strata_options o = STRATA_OPTIONS_INIT;
	o.config_path = g->config;
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
