/*
 * ctx: the strata handle (struct strata) shared by the core's modules.
 */
#ifndef STRATA_CORE_CTX_H
#define STRATA_CORE_CTX_H

#include "strata.h"
#include "strata/backend.h"
#include "core/graph.h"
#include "util/err.h"

#include <pthread.h>
#include <sys/types.h>
#include <signal.h>

struct strata {
	strata_err err;
	strata_options opts;
	char *config_path;     /* NULL when no file was read */
	char *url;             /* NULL when none configured */
	char *url_display;     /* password masked */
	char *script_location; /* e.g. "migrations" */
	char *versions_dir;    /* script_location/versions */
	char *schema_path;
	char *version_schema;  /* PostgreSQL: schema of the version tables */
	char *version_table;   /* "strata_version" unless configured (e.g. alembic_version) */
	char *python;          /* interpreter for the Python schema sources and importers */
	char *config_dir;      /* directory holding the config file ("." when none) */
	int url_from_config;   /* the URL came from the config file (relative to config_dir) */
	char *shadow_url;      /* PostgreSQL: database for loading schema.sql */
	int manage_privileges; /* PostgreSQL: compare owners and privileges (GRANT, REVOKE) */
	int lock_timeout_ms;
	char *failed_rev;      /* the revision that failed in the last run (strata_failed_revision) */
	char *failed_file;
	int failed_line;
	volatile sig_atomic_t interrupted; /* strata_interrupt was called: runs stop */
	strata *volatile child; /* a handle working for this one (verify's copy): interrupted with it */

	const strata_backend *be;
	strata_conn *conn;

	graph *g;
	/* strata_prefetch's load, while `loading`: the thread writes only these. */
	pthread_t loader;
	int loading;
	pid_t loader_pid;  /* the process that started it (a fork has no such thread) */
	int load_rc;
	graph *loaded;
	strata_err load_err;
	strata_revision **revs;       /* public views of g->order, made by ctx_rev; NULL
					 * where not asked for yet */
	vec rev_blocks;               /* the views ctx_rev allocated (one block each), freed
					 * with the graph */
	const strata_revision **headp;
	size_t nheads;
	/* The version and history statements a step runs (runner.c), built on first use:
	 * the tables' names do not change while the handle is connected. */
	char *step_sql[4];
	int progress_column; /* strata_history was seen to have statements_done (runner.c) */
};

/* Fills the handle's error; returns code. */
int ctx_fail(strata *s, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Moves an error into the handle; returns its code. */
int ctx_take(strata *s, strata_err *e);
/* Reads configuration (flags > $DATABASE_URL > file). */
int config_load(strata *s);
/* Masks the password of a URL (user:***@, password=***). malloc'd. */
char *url_mask(const char *url);
/* The connection options the handle's configuration gives (borrowed strings). */
void ctx_conn_opts(strata *s, strata_conn_opts *co);
/* A file path taken from the database URL (malloc'd, or NULL), made relative to
 * the config file's directory when the URL came from a strata.ini elsewhere, as the
 * connection reads it (strata_conn_opts.base_dir). Takes and returns ownership. */
char *ctx_url_file(strata *s, char *path);
/* Connects on first use. */
int ctx_connect(strata *s);
/* Loads the graph on first use. */
int ctx_graph(strata *s);
/* Forgets the loaded graph (the files changed). */
void ctx_drop_graph(strata *s);
/* Public view of a graph revision, filled on first use. */
const strata_revision *ctx_rev(strata *s, const rev *r);
/* Emits an event when a listener is set. */
void ctx_event(strata *s, const strata_event *ev);
void ctx_notice(strata *s, strata_event_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The backend for the configured URL (or the default URL's when none, for offline
 * work or a borrowed handle). */
const strata_backend *ctx_backend(strata *s);
/* The native handle the application lent in the options (strata_options.sqlite_handle
 * or pg_handle), or NULL; ctx_unborrow clears them in a copy of the options. */
void *ctx_borrowed(const strata_options *o);
void ctx_unborrow(strata_options *o);
/* Appends a strata_history row (runner.c): revision `id`, direction `dir` ("up",
 * "down", "stamp", "repair"), the checksum (or NULL), duration and success, inside
 * the caller's transaction; the error in e. */
int write_history(strata *s, const char *id, const char *dir, const char *checksum,
		  double ms, int ok, strata_err *e);
/* Each revision that stopped partway on an earlier run (runner.c), for doctor:
 * appends its one-line account to `heads`, the statements that ran to `ran` (one
 * string, lines joined by '\n'), and how to go on to `how`. */
int runner_stopped(strata *s, strvec *heads, strvec *ran, strvec *how, strata_err *e);
/* The URL forms every registered backend accepts, for messages ("a, b or c");
 * malloc'd (backend.c). */
char *backend_url_forms(void);

#endif
