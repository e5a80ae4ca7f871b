/*
 * strata.h — the public API of libstrata.
 *
 * libstrata migrates a database (SQLite, PostgreSQL) along a graph of revisions
 * (Alembic's model: revisions with parents, merges, branch labels, dependencies).
 * The strata command-line tool uses nothing but this header.
 *
 * Conventions: functions return 0 (STRATA_OK) or a STRATA_E* status; on failure the
 * message is kept on the handle (strata_errmsg). The library never prints and never
 * exits. What a _new/_open returned is released with the matching _free. Strings the
 * library returns through `const char *` belong to the handle and stay valid until
 * the next call that reloads revisions or until strata_free.
 */
#ifndef STRATA_H
#define STRATA_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STRATA_VERSION "0.1.0"

/* Status codes. 0, 1 and 2 are also the command-line exit codes; the typed failures
 * from 3 on say which failure it was (the command exits 1 for each of them). A
 * caller that only tests `!= STRATA_OK` sees every failure. */
#define STRATA_OK     0
#define STRATA_EFAIL  1 /* a failure, or a check that does not hold */
#define STRATA_EUSAGE 2 /* bad arguments */
#define STRATA_ELOCKED           3 /* "database is locked": another migrator held the lock
				    * (or the database) past lock_timeout */
#define STRATA_EUNKNOWN_REVISION 4 /* "Can't locate revision identified by …": a target,
				    * or a revision the database records, no file defines */
#define STRATA_EMULTIPLE_HEADS   5 /* "Multiple head revisions are present" */
#define STRATA_EUNVERSIONED      6 /* tables exist but no version table (stamp first) */
#define STRATA_ESTEP_FAILED      7 /* a revision's statement (or C function, or hook)
				    * failed: strata_failed_revision/_file/_line */
#define STRATA_EEDITED           8 /* an applied revision's file was edited since it ran
				    * (with strata_run_options.edited_is_error) */
#define STRATA_EINTERRUPTED      9 /* strata_interrupt stopped the run */

typedef struct strata strata;

/* Progress and log events, delivered while a command runs. */
typedef enum strata_event_kind {
	STRATA_EVENT_STEP_BEGIN, /* a revision starts: rev, up, index, total */
	STRATA_EVENT_STEP_END,   /* a revision finished: also ms */
	STRATA_EVENT_STATEMENT,  /* a statement is about to run: sql */
	STRATA_EVENT_NOTICE,     /* something the user should read: text */
	STRATA_EVENT_WARNING,    /* something that may be wrong: text (ids: the revisions it names) */
	STRATA_EVENT_STAMP,      /* stamp records rev (NULL: drops a row): text is Alembic's
				  * "a1b2 -> c3d4" (the rows it replaces -> the one it writes) */
	STRATA_EVENT_STEP_FAILED /* a revision failed and was rolled back (as far as it
				  * could be): rev, up, index, total, ms; text is the message,
				  * sql the failing statement (NULL: not a statement), line
				  * its line in rev->path (0: none) */
} strata_event_kind;

struct strata_revision;

typedef struct strata_event {
	strata_event_kind kind;
	const struct strata_revision *rev;
	int up;        /* 1 upgrade, 0 downgrade */
	size_t index;  /* 1-based position in the run */
	size_t total;
	double ms;
	const char *sql;
	const char *text;
	const char *const *ids; /* revisions a warning is about (stamp's skipped ones) */
	size_t nids;
	int line;      /* STEP_FAILED: the failing statement's line, 0 when none */
} strata_event;

typedef void (*strata_event_fn)(void *ctx, const strata_event *ev);

/* One compiled-in revision, for programs that embed their migrations
 * (see `strata embed`). Lists are space-separated, as in revision files. */
typedef struct strata_embedded_revision {
	const char *id;
	const char *revises;
	const char *message;
	const char *branch_labels;
	const char *depends_on;
	int transactional;
	const char *upgrade_sql;
	const char *downgrade_sql;
	/* A revision written in C (goose's Go migrations): called after the section's
	 * SQL (which may be NULL or empty), inside the revision's transaction, on the
	 * connection strata migrates (use strata_exec / strata_query on `s`). Non-zero
	 * fails the revision and rolls it back. NULL: SQL only. */
	int (*upgrade_fn)(void *ctx, strata *s);
	int (*downgrade_fn)(void *ctx, strata *s);
	void *fn_ctx;
} strata_embedded_revision;

typedef struct strata_options {
	/* Configuration file; NULL reads ./strata.ini when it exists. */
	const char *config_path;
	/* Database URL; NULL falls back to $DATABASE_URL (if use_env), then the config. */
	const char *database_url;
	int use_env;
	/* Override the config's script_location and schema. */
	const char *script_location;
	const char *schema_path;
	/* An open sqlite3 * the application owns: strata migrates it and never closes it. */
	void *sqlite_handle;
	/* Revisions compiled into the program instead of a directory. */
	const strata_embedded_revision *embedded;
	size_t nembedded;
	/* How long to wait for another migrator, in ms (0: the config's, default 10000). */
	int lock_timeout_ms;
	strata_event_fn on_event;
	void *event_ctx;
	/* The version table's name (NULL: the config's `version_table`, default
	 * strata_version; "alembic_version" shares a Flask-Migrate database's table). */
	const char *version_table;
	/* 1 when the caller only reads: a SQLite database file (or its directory) that
	 * does not exist is an error naming it instead of being created. */
	int read_only;
	/* PostgreSQL: the schema of the version and history tables (NULL: the config's
	 * `version_table_schema`, default the search path's first schema). */
	const char *version_table_schema;
	/* Revisions written in code, added to the graph beside the revision files (or
	 * beside `embedded`): a C data migration between two SQL revisions. */
	const strata_embedded_revision *code_revisions;
	size_t ncode_revisions;
	/* An open PGconn * the application owns (as sqlite_handle for SQLite): strata
	 * migrates through that session, as the application set it up, and never closes
	 * it (its advisory lock is released when the handle is freed). */
	void *pg_handle;
} strata_options;

#define STRATA_OPTIONS_INIT { NULL, NULL, 1, NULL, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, 0, NULL, NULL, 0, NULL }

/* Opens a handle: reads the configuration (no database connection yet; the first
 * call that needs the database connects). opts may be NULL (STRATA_OPTIONS_INIT);
 * the strings and arrays it points to must outlive the handle. On failure *out is
 * still set, so strata_errmsg can tell why; free it with strata_free. */
int strata_open(strata **out, const strata_options *opts);
/* Releases the handle and everything it returned through `const` pointers; closes
 * the connection it opened, never an sqlite_handle the application passed. NULL is
 * a no-op. */
void strata_free(strata *s);
/* The message of the last failure on this handle ("" when none, or when s is NULL).
 * It belongs to the handle and is replaced by the next failure. */
const char *strata_errmsg(const strata *s);
/* The status of the last failure on this handle (STRATA_OK when none). */
int strata_errcode(const strata *s);
/* When the last failure was a revision that failed (STRATA_ESTEP_FAILED, or
 * STRATA_EINTERRUPTED while a revision ran): its id, its file ("" for compiled-in
 * revisions) and the failing statement's line (0 when no statement was running: a
 * C function or a hook). NULL / 0 otherwise. They belong to the handle. */
const char *strata_failed_revision(const strata *s);
const char *strata_failed_file(const strata *s);
int strata_failed_line(const strata *s);

/* Run one statement / a query with text parameters $1..$n on the connection strata
 * migrates (connecting first if needed). Meant for C revisions and step hooks, where
 * it runs inside the revision's transaction. strata_query returns nrows × ncols
 * cells row-major (NULL for SQL NULL); free them with strata_strings_free(cells,
 * nrows * ncols). */
int strata_exec(strata *s, const char *sql);
int strata_query(strata *s, const char *sql, const char *const *params, size_t nparams, char ***cells,
		 size_t *nrows, size_t *ncols);

/* The database URL with any password replaced by ***, or "" when none is set. */
const char *strata_database_display(strata *s);
/* The configured revisions directory (…/versions) and declared schema path; they
 * belong to the handle. */
const char *strata_versions_dir(strata *s);
const char *strata_schema_path(strata *s);

/* A revision of the graph. */
typedef struct strata_revision {
	const char *id;
	const char *message;
	const char *path;     /* the file, or "" for compiled-in revisions */
	const char *created;  /* "" when unknown */
	const char *const *parents;  size_t nparents;
	const char *const *children; size_t nchildren;
	const char *const *labels;   size_t nlabels;
	const char *const *depends;  size_t ndepends;
	int transactional;
	int is_head, is_base, is_branchpoint, is_mergepoint;
	const char *upgrade_sql;
	const char *downgrade_sql;
	size_t index;         /* position in upgrade (topological) order */
} strata_revision;

/* Loads the revision graph (once; later calls reuse it) and returns its revisions
 * in upgrade order; the array and the revisions belong to the handle. Fails, naming
 * file and line, on files that do not parse, duplicate ids, unknown parents and
 * cycles. */
int strata_revisions(strata *s, const strata_revision *const **out, size_t *n);
/* The heads of the graph, in upgrade order; the array belongs to the handle (it
 * loads the graph as strata_revisions does). */
int strata_heads(strata *s, const strata_revision *const **out, size_t *n);
/* Starts loading the revision graph on a thread of its own, so that the load and
 * the caller's next work (connecting, reading the database's current revision)
 * overlap; the next call that needs the graph waits for the load and reports its
 * errors, as if it had loaded the graph itself. Without such a call the load is
 * dropped at strata_free (or when the handle reloads revisions). A no-op when the
 * graph is loaded or loading; when no thread can start, the graph loads when first
 * needed. The handle may be used meanwhile, from this thread only, as before. */
void strata_prefetch(strata *s);
/* Resolves a target expression (see the SPEC: head, base, prefixes, +N, LABEL@head…)
 * to its revisions; *n is 0 for base. The array is malloc'd: free() it. */
int strata_resolve(strata *s, const char *target, const strata_revision ***out, size_t *n);

/* The revisions recorded in the database's version table (one per head it is at),
 * malloc'd; free with strata_strings_free. Ids no file defines are included. *n is
 * 0 at base, also when there is no version table yet. */
int strata_current(strata *s, char ***ids, size_t *n);
/* Frees an array of n malloc'd strings that the library returned, and the strings;
 * NULL is a no-op. */
void strata_strings_free(char **v, size_t n);

/* A hook around each revision of a run: called inside the revision's transaction
 * (before its SQL, and after it before the version table moves); it may use
 * strata_exec / strata_query on `s`. Non-zero fails the revision, which rolls back. */
typedef int (*strata_step_hook)(void *ctx, strata *s, const strata_revision *rev, int up);

/* Options of upgrade and downgrade. */
typedef struct strata_run_options {
	int single_transaction; /* every revision of the run in one transaction */
	/* Plan only, change nothing: each step that would run is reported as events
	 * (STEP_BEGIN, a STATEMENT per statement, STEP_END with ms 0). */
	int dry_run;
	/* Continue a revision that stopped partway on a database whose DDL commits as it
	 * runs (MariaDB/MySQL): its statements that already ran, as strata_history
	 * records them, are skipped. Without it such a revision is refused. */
	int resume;
	/* An upgrade warns (a WARNING event naming it) about each applied revision whose
	 * file was edited since it ran; with this set it fails instead, with
	 * STRATA_EEDITED, before running anything. */
	int edited_is_error;
	/* The database records a revision no file defines (a newer program migrated it):
	 * instead of failing with STRATA_EUNKNOWN_REVISION, an upgrade does nothing and
	 * says so in a WARNING event (goose's and refinery's "ignore missing"). */
	int ignore_unknown;
	strata_step_hook before_step; /* NULL: none */
	strata_step_hook after_step;
	void *hook_ctx;
} strata_run_options;
#define STRATA_RUN_OPTIONS_INIT { 0, 0, 0, 0, 0, NULL, NULL, NULL }

/* What a run applied (or reverted), step by step, in order. */
typedef struct strata_run_step {
	const strata_revision *rev; /* belongs to the handle */
	int up;
	double ms;
} strata_run_step;
typedef struct strata_run_result {
	strata_run_step *steps; /* malloc'd; free with strata_run_result_free */
	size_t nsteps;
} strata_run_result;
/* Frees the steps and zeroes *r. */
void strata_run_result_free(strata_run_result *r);

/* Asks the command running on `s` to stop, from a signal handler (it is
 * async-signal-safe) or another thread: the statement running is cancelled, its
 * revision rolled back (as any failure), no further revision starts, and the
 * command fails with "interrupted: c3d4 rolled back; the database is at a1b2".
 * The handle stays interrupted: later upgrades and downgrades on it stop at once. */
void strata_interrupt(strata *s);

/* Applies revisions up to `target` (NULL: "head"); o may be NULL (the defaults).
 * Each revision runs in its own transaction with its version-table update; a
 * failure rolls that revision back, stops, and leaves the database at the revision
 * before it, with the message (revision, file and line, the database's error) on
 * the handle. Already at target, it does nothing and returns 0. Progress goes to
 * opts->on_event. */
int strata_upgrade(strata *s, const char *target, const strata_run_options *o);
/* Reverts revisions down to `target` (NULL: "-1"; "base" reverts everything), as
 * strata_upgrade applies them: o may be NULL, one transaction per revision. */
int strata_downgrade(strata *s, const char *target, const strata_run_options *o);
/* strata_upgrade / strata_downgrade that also fill *out (when not NULL) with the
 * steps that completed, also when a later one failed (then the run stopped there);
 * with single_transaction a failure leaves it empty, as nothing stays applied. */
int strata_upgrade_ex(strata *s, const char *target, const strata_run_options *o, strata_run_result *out);
int strata_downgrade_ex(strata *s, const char *target, const strata_run_options *o, strata_run_result *out);

/* One step of a plan. */
typedef struct strata_step {
	const strata_revision *rev;
	int up;
	/* 1 when a failure rolls the whole step back; 0 when it runs outside a transaction
	 * or holds a statement the database commits on its own (MariaDB/MySQL DDL). */
	int atomic;
	/* NULL, or why a step outside the target's own lineage is in the plan: upgrading,
	 * the revision whose depends-on needs it; downgrading, the reverted revision it
	 * depends on (a dependant is reverted before what it depends on). */
	const strata_revision *via;
} strata_step;
/* The steps an upgrade (up=1) or downgrade (up=0) to `target` would run from the
 * database's current state, without changing anything. Free *steps with free(). */
int strata_plan(strata *s, int up, const char *target, strata_step **steps, size_t *n);
/* The dangerous operations in a revision's upgrade (up=1) or downgrade SQL: drops,
 * type changes that may narrow, NOT NULL added, table rebuilds, deletes. One human
 * line each; free with strata_strings_free. */
int strata_revision_dangers(strata *s, const strata_revision *r, int up, char ***out, size_t *n);

/* Offline SQL (no database): the script an upgrade (or downgrade) from `from`
 * (NULL: base for upgrades, heads for downgrades) to `to` (NULL: "head" for
 * upgrades, "-1" for downgrades, as strata_upgrade/strata_downgrade take it) would
 * run, version-table statements included. *sql is malloc'd. */
int strata_sql(strata *s, int up, const char *from, const char *to, char **sql);

/* Sets the version table to `targets` without running anything; "base" empties it.
 * With purge, every existing row is dropped first (also ids no file defines). */
int strata_stamp(strata *s, const char *const *targets, size_t n, int purge);

/* Applied-revision bookkeeping kept in strata_history. */
typedef struct strata_applied {
	char *revision;
	char *checksum;   /* of the upgrade section that ran */
	char *applied_at;
	int edited;       /* the file's upgrade section differs from what ran */
	int known;        /* a file defines it */
} strata_applied;
/* For each revision the database is at or has passed, the last successful upgrade
 * record, then one record (known 0) per version row that no file defines. With such
 * a row the database's place in the graph is unknown: the revisions strata_history
 * last recorded as applied or stamped (not reverted since), and those below them,
 * stand in. *out is malloc'd, free with strata_applied_free. */
int strata_applied_list(strata *s, strata_applied **out, size_t *n);
/* Frees the n records and the array; NULL is a no-op. */
void strata_applied_free(strata_applied *a, size_t n);

/* Accepts intentional edits of applied revisions, as Flyway's `repair`: for each
 * revision `ids` names (ids or prefixes; every edited one when n is 0) whose
 * upgrade section changed since it ran (strata_applied.edited), records the file's
 * checksum in strata_history (a row with direction "repair"), so check, doctor and
 * upgrade stop reporting it. No SQL of the revision runs. *done receives the ids
 * re-recorded, malloc'd (free with strata_strings_free; *ndone 0: nothing was
 * edited). A named revision that is not applied or not edited is an error naming
 * it, and nothing is recorded. */
int strata_repair(strata *s, const char *const *ids, size_t n, char ***done, size_t *ndone);

/* Writes a new revision file and returns its path (malloc'd). */
typedef struct strata_revision_options {
	const char *message;
	const char *rev_id;            /* NULL: 12 random hex digits */
	const char *const *parents;    /* targets; NULL with nparents 0: the single head */
	size_t nparents;
	int splice;                    /* allow a parent that is not a head */
	const char *const *labels; size_t nlabels;
	const char *const *depends; size_t ndepends;
	const char *upgrade_sql;       /* NULL: empty section */
	const char *downgrade_sql;
	int transactional;             /* 1 unless the SQL cannot run in a transaction */
} strata_revision_options;
#define STRATA_REVISION_OPTIONS_INIT { NULL, NULL, NULL, 0, 0, NULL, 0, NULL, 0, NULL, NULL, 1 }
/* Writes the revision file into the versions directory (ID_SLUG.sql, written to a
 * temporary file and renamed) and sets *path to it, malloc'd: free() it. o->message
 * is required. Fails, writing nothing, on several heads without parents ("Multiple
 * heads are present"), a parent that is not a head without splice, or a taken id.
 * The handle's graph is reloaded on the next call that needs it. */
int strata_revision_new(strata *s, const strata_revision_options *o, char **path);

/* Creates the project layout in the current directory: strata.ini, DIR/versions,
 * schema.sql (when absent). Refuses when DIR exists and is not empty. */
int strata_init(strata *s, const char *dir, const char *database_url);

/* Brings an Alembic / Flask-Migrate or Django history over (`strata import`). */
typedef struct strata_import_options {
	const char *kind;   /* "alembic" or "django" */
	/* alembic: the script directory (env.py, versions/); django: the settings module
	 * (NULL: a django: schema source's, else $DJANGO_SETTINGS_MODULE). */
	const char *source;
	const char *const *apps; /* django: only these apps (NULL, 0: every app) */
	size_t napps;
} strata_import_options;
typedef struct strata_import_result {
	char **paths;       /* the revision files written */
	size_t npaths;
	char **warnings;    /* "REV: step" for each step that has no SQL form */
	size_t nwarnings;
	char **stamped;     /* django: the revisions the version table was stamped at */
	size_t nstamped;
	char *version_table; /* alembic: the version table now configured */
} strata_import_result;
/* Runs the peer's importer (with the configured Python), writes one revision file
 * per migration into the empty versions directory (all or nothing), then shares
 * Alembic's version table (version_table = alembic_version in strata.ini) or stamps
 * the heads django_migrations records. Refuses when strata revisions exist. Free the
 * result with strata_import_result_free. */
int strata_import(strata *s, const strata_import_options *o, strata_import_result *out);
void strata_import_result_free(strata_import_result *r);

/* Copies the database (SQLite: online backup API) to `path`, or to a time-stamped
 * file beside it when path is NULL; returns the path written (malloc'd). */
int strata_backup(strata *s, const char *path, char **written);

/* 1 when the database has user tables but no version table (created outside
 * strata: the case for `stamp`), 0 otherwise. */
int strata_unversioned_tables(strata *s, int *yes, char ***tables, size_t *n);

/* The difference between the database and the declared schema (schema.sql). */
typedef struct strata_diff {
	char *upgrade_sql;    /* brings the database to schema.sql; "" when equal */
	char *downgrade_sql;  /* its exact inverse */
	char **ops;           /* one human line per operation ("+ table users") */
	size_t nops;
	char **warnings;      /* dangerous operations (drops, narrowing, NOT NULL) */
	size_t nwarnings;
	char **differences;   /* for `check`: "column user.x is in the database but not in schema.sql" */
	size_t ndifferences;
	char **notes;         /* what was not compared, once each ("privileges (GRANT, …) are not compared: …") */
	size_t nnotes;
} strata_diff;

typedef struct strata_diff_options {
	/* Declared renames: "old_table:new_table" or "table.old_column:new_column". */
	const char *const *renames;
	size_t nrenames;
	/* Asked for each rename candidate when set; returns 1 to accept. kind is
	 * "table" or "column"; table is NULL for tables. */
	int (*confirm_rename)(void *ctx, const char *kind, const char *table, const char *from,
			      const char *to);
	void *confirm_ctx;
	/* Compare schema.sql with an empty database instead of the live one. */
	int from_empty;
} strata_diff_options;
#define STRATA_DIFF_OPTIONS_INIT { NULL, 0, NULL, NULL, 0 }

/* Diffs the live database against schema.sql (loaded into a scratch database); o
 * may be NULL. Changes nothing. *out is freed with strata_diff_free. */
int strata_diff_schema(strata *s, const strata_diff_options *o, strata_diff **out);
/* Frees the diff and everything in it; NULL is a no-op. */
void strata_diff_free(strata_diff *d);

/* Whether the database is at every head of the graph (no pending revisions, no
 * extra revisions). *pending receives the count of revisions an upgrade to heads
 * would run. */
int strata_at_heads(strata *s, int *yes, size_t *pending);

/* Tries to take the migration lock within the lock timeout and releases it:
 * *held is 1 when another process holds it. */
int strata_probe_lock(strata *s, int *held);

/* Reset: squash the whole history into one initial revision written from
 * schema.sql. Backs up the database, moves the revision files to
 * SCRIPT_LOCATION/backup-<timestamp>/, writes the new revision and stamps the database
 * at it. Refuses, changing nothing, unless the database matches schema.sql.
 * Returns the new revision's path, the backup and the folder of old files. */
typedef struct strata_reset_result {
	char *revision_path;
	char *database_backup;
	char *old_revisions_dir;
} strata_reset_result;
/* message NULL: "initial schema". On success fills *out (free its strings with
 * strata_reset_result_free); on failure the files and the version table are as
 * they were. */
int strata_reset(strata *s, const char *message, strata_reset_result *out);
/* Frees the three paths and zeroes *r. */
void strata_reset_result_free(strata_reset_result *r);

/* doctor: a diagnosis of the project and its database, one finding per check
 * (the troubleshooting cases of the migration guides: revision files that do not
 * parse, multiple heads, a held lock, tables without a version table, a revision no
 * file defines, pending revisions, edited revisions, schema.sql out of sync), each
 * with the command that fixes it; the `strata doctor` command prints it. */
typedef enum strata_doctor_action {
	STRATA_DOCTOR_NO_ACTION,   /* nothing strata_doctor_fix can do: see fix */
	STRATA_DOCTOR_MERGE_HEADS, /* write a merge revision joining the heads */
	STRATA_DOCTOR_STAMP,       /* stamp the database at `arg` (with purge: drop every row first) */
	STRATA_DOCTOR_DROP_DATABASES, /* drop the leftover scratch databases named in details */
	STRATA_DOCTOR_REMOVE_FILES /* remove the partial files (*.tmp-*) named in details */
} strata_doctor_action;

typedef struct strata_doctor_finding {
	const char *check; /* what was checked, a stable name: "revisions", "heads", "lock",
			    * "unversioned", "unknown_revision", "stopped", "pending", "edited", "schema",
			    * "scratch_databases", "partial_files"… */
	int ok;            /* 1: healthy on this point; 0: a problem */
	char *message;     /* one line, with the phrases users search for */
	char *fix;         /* NULL, or the command(s) that fix it */
	char **details;    /* more lines (schema.sql differences), may be empty */
	size_t ndetails;
	strata_doctor_action action; /* what strata_doctor_fix would do */
	char *question;    /* NULL, or the question to ask before that action */
	char *arg;         /* the action's argument (STAMP: the revision), or NULL */
	int purge;
	char *fixed;       /* NULL; after strata_doctor_fix succeeded, what it did */
} strata_doctor_finding;

typedef struct strata_doctor_result {
	strata_doctor_finding *findings; /* in the order checked */
	size_t nfindings;
	int problems;      /* findings not ok and not fixed */
} strata_doctor_result;

/* Runs every check (reading only; nothing changes) and fills *out (free with
 * strata_doctor_result_free). A check that cannot run becomes a finding, so it
 * returns 0 whatever it found (see (*out)->problems). */
int strata_doctor(strata *s, strata_doctor_result **out);
/* Applies the action of finding i (see strata_doctor_action); on success sets its
 * `fixed` and counts one problem less. A finding without an action is a
 * STRATA_EUSAGE error. */
int strata_doctor_fix(strata *s, strata_doctor_result *r, size_t i);
/* Frees the result and everything in it; NULL is a no-op. */
void strata_doctor_result_free(strata_doctor_result *r);

/* verify: rehearses the pending revisions on a scratch copy of the database — each
 * one upgraded, downgraded and upgraded again — before they reach production. The
 * copy is a temporary file made with SQLite's online backup API, or on PostgreSQL a
 * temporary database on the same server built with pg_dump and pg_restore (the
 * schema only, or everything with with_data). The real database is only read, and
 * the copy is removed in every case, also on failure. */
typedef struct strata_verify_options {
	const char *target; /* how far to go; NULL: "heads" */
	int with_data;      /* PostgreSQL: copy the rows too (SQLite copies them always) */
} strata_verify_options;
#define STRATA_VERIFY_OPTIONS_INIT { NULL, 0 }

/* What the rehearsal found for one revision. */
typedef enum strata_verify_status {
	STRATA_VERIFY_OK,           /* upgrade, downgrade, upgrade ran; the downgrade restored the schema */
	STRATA_VERIFY_NOT_RESTORED, /* "downgrade does not restore the schema": see differences */
	STRATA_VERIFY_IRREVERSIBLE, /* "downgrade is empty": upgraded once, not reverted */
	STRATA_VERIFY_FAILED,       /* a step failed: see step and error */
	STRATA_VERIFY_SKIPPED       /* not run: an earlier revision left the copy unusable */
} strata_verify_status;

/* Rows of one table before the revision's first upgrade and after its last step;
 * -1 where the table does not exist. */
typedef struct strata_verify_rows {
	char *table;
	long long before;
	long long after;
} strata_verify_rows;

typedef struct strata_verify_entry {
	const strata_revision *rev; /* belongs to the handle */
	strata_verify_status status;
	/* The step that failed ("upgrade", "downgrade" or "upgrade again") and the message,
	 * naming file and line; NULL when none did. Set for FAILED, and for NOT_RESTORED
	 * when upgrading again then failed (the rehearsal stops there). */
	const char *step;
	char *error;
	/* NOT_RESTORED: one line per difference between the schema before the upgrade
	 * and after the downgrade ("+ column users.nickname": left behind). */
	char **differences;
	size_t ndifferences;
	strata_verify_rows *rows; /* every table on either side, sorted by name */
	size_t nrows;
	double ms;                /* the three steps together */
} strata_verify_entry;

typedef struct strata_verify_result {
	strata_verify_entry *entries; /* the pending revisions in upgrade order */
	size_t nentries;
	char *copy;             /* how the copy was made ("SQLite backup to a temporary file", ...) */
	/* Schema comparison after each downgrade: 1 when it ran; else why not. */
	int schema_compared;
	char *schema_note;      /* NULL, or why the comparison was partial or unavailable */
	/* The final state against schema.sql (as `check` compares). */
	int declared_checked;   /* 1 when schema.sql exists and was compared */
	char *declared_note;    /* NULL, or why it was not compared */
	char **declared_differences; /* empty when the result matches schema.sql */
	size_t ndeclared_differences;
	int ok;                 /* 1 when every revision is OK and schema.sql matches */
} strata_verify_result;

/* Rehearses every revision pending up to o->target on a scratch copy (see above)
 * and fills *out (free with strata_verify_result_free). Returns 0 when the rehearsal
 * ran, whatever it found (see (*out)->ok); a status when it could not (no database,
 * a target that does not resolve, the copy could not be made). */
int strata_verify(strata *s, const strata_verify_options *o, strata_verify_result **out);
void strata_verify_result_free(strata_verify_result *r);

#ifdef __cplusplus
}
#endif
#endif
