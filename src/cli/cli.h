/*
 * cli: the strata command-line tool. It uses only the public API (strata.h).
 *
 * Adding a command: write cmd_<name>() in a src/cli/cmd_*.c file, add a row to the
 * command table in main.c (name, one-line description, usage), a page in docs/, and
 * end-to-end tests in tests/e2e/.
 */
#ifndef STRATA_CLI_H
#define STRATA_CLI_H

#include "strata.h"

#include <stdio.h>

/* Global options, accepted before or after the command name. */
typedef struct cli_globals {
	const char *config;
	const char *database;
	int quiet;
	int verbose;
	int tty;     /* stdout is a terminal */
	int color;   /* colour allowed (a terminal and no NO_COLOR) */
	const char *format; /* "text" or "json" */
	const char *each;   /* --each PATTERN: run over many databases */
	const char *jobs;   /* --jobs N */
	int read_only;      /* the command only reads: a missing database is an error */
	int no_discovery;   /* init: do not look for strata.ini in directories above */
	int summary;        /* run by an --each worker: the parent prints one line per database */
	struct cJSON *json; /* with --format json: the object events fill (applied, stamped, skipped) */
	const struct strata_revision *step; /* the revision running now (NULL between steps) */
	strata *s;          /* the handle cli_open opened last: its events reach on_event */
	int rehearsal;      /* verify: steps are rehearsed on a copy, not run on the database */
} cli_globals;

#define CLI_JSON(g) ((g)->format[0] == 'j')

/* One option a command accepts. */
typedef struct cli_opt {
	const char *name;  /* long name without dashes */
	char shrt;         /* short letter or 0 */
	int takes_value;
} cli_opt;

#define CLI_MAX_OPTS 24
typedef struct cli_args {
	const cli_opt *spec;
	int npos;
	char **pos;
	/* For each spec entry: how often given and the values (repeatable). */
	int count[CLI_MAX_OPTS];
	char **values[CLI_MAX_OPTS];
} cli_args;

typedef struct cli_cmd {
	const char *name;
	int (*fn)(cli_globals *g, cli_args *a);
	const cli_opt *opts;
	const char *usage;
	const char *summary;
	int json;      /* supports --format json */
} cli_cmd;

/* The command pages (docs/commands/NAME.txt) that `strata COMMAND --help` prints,
 * compiled by tools/gen_help.sh into BUILD/gen/help.c: one row per page, the whole
 * page as text, ended by { NULL, NULL }. */
typedef struct cli_help_entry {
	const char *name;
	const char *text;
} cli_help_entry;
extern const cli_help_entry cli_help[];

/* Option access. */
int cli_flag(const cli_args *a, const char *name);
const char *cli_value(const cli_args *a, const char *name);
int cli_values(const cli_args *a, const char *name, char ***out);

/* Opens the handle with the globals; prints the error and returns nonzero on failure. */
int cli_open(cli_globals *g, strata **out);
/* The exit status of a library status: the typed failures (STRATA_ELOCKED …
 * STRATA_EINTERRUPTED) exit 1, as the SPEC says; others are unchanged. */
int cli_status(int rc);
/* Prints "strata: error: <msg>" and returns the exit status (1 when rc is 0). */
int cli_error(strata *s, int rc);
int cli_errorf(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* 1 when stdin and stderr are terminals (questions can be asked). */
int cli_interactive(void);
/* Reads a yes/no answer from the terminal (default no). 0 when not a terminal. */
int cli_confirm(const char *question);

/* Catches SIGINT and SIGTERM while `s` runs a command: the first one interrupts it
 * (strata_interrupt: the running revision is rolled back), a second one ends strata
 * at once. NULL restores the default. */
void cli_catch_signals(strata *s);
/* The exit status after an interrupt: 128 + the signal (130 Ctrl-C, 143 SIGTERM),
 * else rc. */
int cli_signal_status(int rc);

/* Runs `fn` once per database matched by `pattern`, `jobs` at a time. */
int cli_each(cli_globals *g, int (*fn)(cli_globals *, cli_args *), cli_args *a, const char *pattern,
	     int jobs);

/* Commands. */
int cmd_init(cli_globals *g, cli_args *a);
int cmd_revision(cli_globals *g, cli_args *a);
int cmd_merge(cli_globals *g, cli_args *a);
int cmd_upgrade(cli_globals *g, cli_args *a);
int cmd_downgrade(cli_globals *g, cli_args *a);
int cmd_verify(cli_globals *g, cli_args *a);
int cmd_stamp(cli_globals *g, cli_args *a);
int cmd_repair(cli_globals *g, cli_args *a);
int cmd_backup(cli_globals *g, cli_args *a);
int cmd_autogenerate(cli_globals *g, cli_args *a);
int cmd_diff(cli_globals *g, cli_args *a);
int cmd_check(cli_globals *g, cli_args *a);
int cmd_doctor(cli_globals *g, cli_args *a);
int cmd_reset(cli_globals *g, cli_args *a);
int cmd_embed(cli_globals *g, cli_args *a);
int cmd_import(cli_globals *g, cli_args *a);
extern const cli_opt cmd_embed_opts[]; /* embed takes its options from its own file */
/* Fills message, rev-id, splice, branch labels, depends-on and --head parents. */
void cli_revision_options(cli_args *a, strata_revision_options *o);
int cmd_current(cli_globals *g, cli_args *a);
int cmd_history(cli_globals *g, cli_args *a);
int cmd_heads(cli_globals *g, cli_args *a);
int cmd_branches(cli_globals *g, cli_args *a);
int cmd_show(cli_globals *g, cli_args *a);
int cmd_status(cli_globals *g, cli_args *a);

#endif
