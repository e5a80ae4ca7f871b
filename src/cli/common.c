#define _POSIX_C_SOURCE 200809L
/* Shared pieces of the command-line tool: opening the handle, printing events and
 * catching Ctrl-C. */
#include "cli/cli.h"
#include "cli/json.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Writes `v` joined by ", " (Alembic's format_as_comma). */
static void put_list(FILE *f, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? ", " : "", v[i]);
}

/* One line per revision as Alembic logs it: "Running upgrade a1b2 -> c3d4, add role"
 * (a base revision comes from nothing: "Running upgrade  -> a1b2, …"); `verb`
 * replaces "Running". */
static void put_step(FILE *f, const char *verb, const strata_event *ev)
{
	const strata_revision *r = ev->rev;
	fprintf(f, "%s %s ", verb, ev->up ? "upgrade" : "downgrade");
	if (ev->up)
		put_list(f, r->parents, r->nparents);
	else
		fputs(r->id, f);
	fputs(" -> ", f);
	if (ev->up)
		fputs(r->id, f);
	else
		put_list(f, r->parents, r->nparents);
	if (*r->message)
		fprintf(f, ", %s", r->message);
	fputc('\n', f);
}

/* Each statement under its revision (-v), indented. */
static void put_statement(FILE *f, const char *sql)
{
	fputs("    ", f);
	for (const char *p = sql; *p; p++) {
		fputc(*p, f);
		if (*p == '\n' && p[1])
			fputs("    ", f);
	}
	fputs(";\n", f);
}

/* Warns about each destructive operation of a revision an upgrade is running. */
static void warn_dangers(strata *s, const strata_revision *r)
{
	char **d = NULL;
	size_t n = 0;
	if (strata_revision_dangers(s, r, 1, &d, &n))
		return;
	for (size_t i = 0; i < n; i++)
		cli_warn("%s %s", r->id, d[i]);
	strata_strings_free(d, n);
}

/* The step lines on stderr (unless -q, or inside --each, whose parent prints one
 * line per database), statements with -v, warnings unless -q; with --format json
 * the finished steps are also collected for the final object. */
static void on_event(void *ctx, const strata_event *ev)
{
	cli_globals *g = ctx;
	switch (ev->kind) {
	case STRATA_EVENT_STEP_BEGIN:
		if (!g->quiet && !g->summary)
			put_step(stderr, g->rehearsal ? "Rehearsing" : "Running", ev);
		if (ev->up && !g->quiet && !g->rehearsal && g->s)
			warn_dangers(g->s, ev->rev);
		g->step = ev->rev;
		break;
	case STRATA_EVENT_STEP_END:
		g->step = NULL;
		if (g->json) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "revision", ev->rev->id);
			cJSON_AddStringToObject(o, "message", ev->rev->message);
			cJSON_AddStringToObject(o, "direction", ev->up ? "upgrade" : "downgrade");
			cJSON_AddNumberToObject(o, "ms", (double)(long)(ev->ms + 0.5));
			cJSON_AddItemToArray(cJSON_GetObjectItem(g->json, "applied"), o);
		}
		break;
	case STRATA_EVENT_STEP_FAILED:
		break; /* g->step stays the failed revision; the error is printed on return */
	case STRATA_EVENT_STATEMENT:
		if (g->verbose && !g->summary)
			put_statement(stderr, ev->sql);
		break;
	case STRATA_EVENT_STAMP:
		if (!g->quiet && !g->summary)
			fprintf(stderr, "Running stamp_revision %s\n", ev->text);
		if (g->json) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "stamp", ev->text);
			cJSON_AddItemToObject(o, "revision", ev->rev ? cJSON_CreateString(ev->rev->id)
								   : cJSON_CreateNull());
			cJSON_AddItemToArray(cJSON_GetObjectItem(g->json, "stamped"), o);
		}
		break;
	case STRATA_EVENT_NOTICE:
		if (!g->quiet)
			fprintf(stderr, "strata: %s\n", ev->text);
		break;
	case STRATA_EVENT_WARNING:
		if (!g->quiet)
			cli_warn("%s", ev->text);
		for (size_t i = 0; g->json && i < ev->nids; i++)
			cJSON_AddItemToArray(cJSON_GetObjectItem(g->json, "skipped"),
					     cJSON_CreateString(ev->ids[i]));
		break;
	}
}

static strata *volatile sig_handle;
static volatile sig_atomic_t sig_caught;

/* Async-signal-safe: records the signal and interrupts the handle. The handler is
 * installed with SA_RESETHAND, so a second Ctrl-C ends strata at once. */
static void on_signal(int sig)
{
	sig_caught = sig;
	if (sig_handle)
		strata_interrupt(sig_handle);
}

void cli_catch_signals(strata *s)
{
	static const int sigs[] = { SIGINT, SIGTERM };
	sig_handle = s;
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		struct sigaction sa, old;
		memset(&sa, 0, sizeof sa);
		sigemptyset(&sa.sa_mask);
		sa.sa_handler = s ? on_signal : SIG_DFL;
		sa.sa_flags = SA_RESETHAND;
		/* A signal the shell told us to ignore (a background job's SIGINT) stays ignored. */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

int cli_signal_status(int rc)
{
	return sig_caught ? 128 + sig_caught : rc;
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
		char parent[sizeof path + 8];
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
	g->s = rc ? NULL : *out;
	if (rc) {
		cli_error(*out, rc);
		strata_free(*out);
		*out = NULL;
	}
	return rc;
}
