/*
 * The public API (include/strata.h) end to end, on real SQLite files: a handle opened
 * from options with a versions directory of revision files; upgrade, current, heads,
 * downgrade and stamp; a failure kept on the handle; an sqlite3 * the application
 * opened itself, migrated in place and left open; revisions compiled in
 * (strata_options.embedded, what `strata embed` writes).
 *
 * The tests run in a fresh temporary directory (no strata.ini of the checkout leaks
 * in); each uses its own database file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "strata.h"

static char tmpdir[] = "/tmp/strata-test-api-XXXXXX";
static char oldcwd[PATH_MAX];

#define R1 "1a2b3c4d5e01"
#define R2 "1a2b3c4d5e02"
#define R3 "9f8e7d6c5b03"

static void write_file(const char *name, const char *text)
{
	FILE *f = fopen(name, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

/* Creates script location `loc` and its versions directory. */
static void make_location(const char *loc)
{
	char v[256];
	snprintf(v, sizeof v, "%s/versions", loc);
	assert_int_equal(mkdir(loc, 0755), 0);
	assert_int_equal(mkdir(v, 0755), 0);
}

/* Three revisions in a line under mig/versions: r1 creates a, r2 creates b, r3 adds
 * a column to a (and carries the branch label "main"). */
static int setup(void **state)
{
	(void)state;
	if (!getcwd(oldcwd, sizeof oldcwd) || !mkdtemp(tmpdir) || chdir(tmpdir) != 0)
		return -1;
	if (mkdir("mig", 0755) != 0 || mkdir("mig/versions", 0755) != 0)
		return -1;
	write_file("mig/versions/" R1 "_create_a.sql",
		   "-- strata:revision " R1 "\n-- strata:revises\n-- strata:message create a\n\n"
		   "-- strata:upgrade\nCREATE TABLE a (id INTEGER PRIMARY KEY);\n\n"
		   "-- strata:downgrade\nDROP TABLE a;\n");
	write_file("mig/versions/" R2 "_create_b.sql",
		   "-- strata:revision " R2 "\n-- strata:revises " R1 "\n-- strata:message create b\n\n"
		   "-- strata:upgrade\nCREATE TABLE b (id INTEGER PRIMARY KEY);\n\n"
		   "-- strata:downgrade\nDROP TABLE b;\n");
	write_file("mig/versions/" R3 "_a_name.sql",
		   "-- strata:revision " R3 "\n-- strata:revises " R2 "\n-- strata:message a.name\n"
		   "-- strata:branch-labels main\n\n"
		   "-- strata:upgrade\nALTER TABLE a ADD COLUMN name TEXT;\n\n"
		   "-- strata:downgrade\nALTER TABLE a DROP COLUMN name;\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[PATH_MAX + 16];
	if (chdir(oldcwd) != 0)
		return -1;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A handle on sqlite:DB with the revisions of mig/; fails the test unless it opens. */
static strata *open_db(const char *db)
{
	char url[256];
	snprintf(url, sizeof url, "sqlite:%s", db);
	strata_options o = STRATA_OPTIONS_INIT;
	o.database_url = url;
	o.use_env = 0;
	o.script_location = "mig";
	strata *s = NULL;
	int rc = strata_open(&s, &o);
	assert_non_null(s);
	if (rc != STRATA_OK)
		fail_msg("strata_open: %s", strata_errmsg(s));
	return s;
}

/* The database's current revisions, space-separated ("" at base). */
static void current_is(strata *s, const char *want)
{
	char **ids = NULL;
	size_t n = 0;
	char got[256] = "";
	if (strata_current(s, &ids, &n) != STRATA_OK)
		fail_msg("strata_current: %s", strata_errmsg(s));
	for (size_t i = 0; i < n; i++) {
		if (i)
			strncat(got, " ", sizeof got - strlen(got) - 1);
		strncat(got, ids[i], sizeof got - strlen(got) - 1);
	}
	strata_strings_free(ids, n);
	assert_string_equal(got, want);
}

/* 1 when the SQLite file `db` has a table named `table`. */
static int has_table(const char *db, const char *table)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	int yes = 0;
	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	sqlite3_close(h);
	return yes;
}

static void test_open_and_graph(void **state)
{
	(void)state;
	strata *s = open_db("graph.db");
	assert_string_equal(strata_errmsg(s), "");
	assert_string_equal(strata_database_display(s), "sqlite:graph.db");
	assert_non_null(strstr(strata_versions_dir(s), "mig/versions"));

	const strata_revision *const *revs;
	size_t n;
	assert_int_equal(strata_revisions(s, &revs, &n), STRATA_OK);
	assert_int_equal(n, 3);
	assert_string_equal(revs[0]->id, R1);
	assert_string_equal(revs[1]->id, R2);
	assert_string_equal(revs[2]->id, R3);
	assert_int_equal(revs[0]->is_base, 1);
	assert_int_equal(revs[0]->nparents, 0);
	assert_int_equal(revs[2]->nparents, 1);
	assert_string_equal(revs[2]->parents[0], R2);
	assert_string_equal(revs[2]->message, "a.name");
	assert_int_equal(revs[2]->nlabels, 1);
	assert_string_equal(revs[2]->labels[0], "main");
	assert_non_null(strstr(revs[0]->upgrade_sql, "CREATE TABLE a"));

	const strata_revision *const *heads;
	assert_int_equal(strata_heads(s, &heads, &n), STRATA_OK);
	assert_int_equal(n, 1);
	assert_string_equal(heads[0]->id, R3);
	assert_int_equal(heads[0]->is_head, 1);
	/* One view per revision, whichever call made it; the list ends in NULL. */
	assert_ptr_equal(heads[0], revs[2]);
	assert_null(revs[3]);
	const strata_revision *const *again;
	assert_int_equal(strata_revisions(s, &again, &n), STRATA_OK);
	assert_ptr_equal(again, revs);
	assert_int_equal(n, 3);

	/* Targets: a prefix, a label, base. */
	const strata_revision **r = NULL;
	assert_int_equal(strata_resolve(s, "1a2b3c4d5e02", &r, &n), STRATA_OK);
	assert_int_equal(n, 1);
	assert_string_equal(r[0]->id, R2);
	free(r);
	assert_int_equal(strata_resolve(s, "main@head", &r, &n), STRATA_OK);
	assert_int_equal(n, 1);
	assert_string_equal(r[0]->id, R3);
	free(r);
	assert_int_equal(strata_resolve(s, "base", &r, &n), STRATA_OK);
	assert_int_equal(n, 0);
	free(r);

	/* The offline SQL needs no database. */
	char *sql = NULL;
	assert_int_equal(strata_sql(s, 1, NULL, "head", &sql), STRATA_OK);
	assert_non_null(strstr(sql, "CREATE TABLE a"));
	assert_non_null(strstr(sql, "ALTER TABLE a ADD COLUMN name"));
	free(sql);
	strata_free(s);
	assert_int_equal(access("graph.db", F_OK), -1);
}

static void on_event(void *ctx, const strata_event *ev)
{
	int *steps = ctx;
	if (ev->kind == STRATA_EVENT_STEP_END)
		(*steps)++;
}

static void test_upgrade_downgrade(void **state)
{
	(void)state;
	strata *s = open_db("up.db");
	current_is(s, "");

	/* The plan from base, without changing anything. */
	strata_step *steps = NULL;
	size_t n = 0;
	assert_int_equal(strata_plan(s, 1, "head", &steps, &n), STRATA_OK);
	assert_int_equal(n, 3);
	assert_string_equal(steps[0].rev->id, R1);
	assert_int_equal(steps[0].up, 1);
	free(steps);
	current_is(s, "");

	assert_int_equal(strata_upgrade(s, R2, NULL), STRATA_OK);
	current_is(s, R2);
	assert_true(has_table("up.db", "b"));

	assert_int_equal(strata_upgrade(s, NULL, NULL), STRATA_OK);
	current_is(s, R3);
	int yes = 0;
	size_t pending = 9;
	assert_int_equal(strata_at_heads(s, &yes, &pending), STRATA_OK);
	assert_int_equal(yes, 1);
	assert_int_equal(pending, 0);

	/* Every applied revision is recorded with its checksum, none edited. */
	strata_applied *ap = NULL;
	assert_int_equal(strata_applied_list(s, &ap, &n), STRATA_OK);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(ap[i].edited, 0);
		assert_int_equal(ap[i].known, 1);
		assert_int_equal(strlen(ap[i].checksum), 64);
	}
	strata_applied_free(ap, n);

	/* Already at head: nothing runs. */
	assert_int_equal(strata_upgrade(s, "head", NULL), STRATA_OK);
	current_is(s, R3);

	assert_int_equal(strata_downgrade(s, NULL, NULL), STRATA_OK); /* -1 */
	current_is(s, R2);
	assert_int_equal(strata_downgrade(s, "base", NULL), STRATA_OK);
	current_is(s, "");
	assert_false(has_table("up.db", "a"));
	assert_false(has_table("up.db", "b"));
	strata_free(s);

	/* A second handle sees the same state; events report each revision. */
	int ended = 0;
	strata_options o = STRATA_OPTIONS_INIT;
	o.database_url = "sqlite:up.db";
	o.use_env = 0;
	o.script_location = "mig";
	o.on_event = on_event;
	o.event_ctx = &ended;
	assert_int_equal(strata_open(&s, &o), STRATA_OK);
	strata_run_options ro = STRATA_RUN_OPTIONS_INIT;
	ro.single_transaction = 1;
	assert_int_equal(strata_upgrade(s, "heads", &ro), STRATA_OK);
	assert_int_equal(ended, 3);
	current_is(s, R3);
	strata_free(s);
}

static void test_stamp(void **state)
{
	(void)state;
	strata *s = open_db("stamp.db");
	const char *head[] = { "head" };
	assert_int_equal(strata_stamp(s, head, 1, 0), STRATA_OK);
	current_is(s, R3);
	/* Nothing ran. */
	assert_false(has_table("stamp.db", "a"));

	const char *r1[] = { "1a2b3c4d5e01" };
	assert_int_equal(strata_stamp(s, r1, 1, 1), STRATA_OK);
	current_is(s, R1);
	const char *base[] = { "base" };
	assert_int_equal(strata_stamp(s, base, 1, 0), STRATA_OK);
	current_is(s, "");
	strata_free(s);
}

static void test_errors(void **state)
{
	(void)state;
	/* A failure to open still returns a handle that says why. */
	strata_options o = STRATA_OPTIONS_INIT;
	o.config_path = "no-such.ini";
	o.use_env = 0;
	strata *s = NULL;
	assert_int_not_equal(strata_open(&s, &o), STRATA_OK);
	assert_non_null(s);
	assert_non_null(strstr(strata_errmsg(s), "no-such.ini"));
	strata_free(s);

	s = open_db("err.db");
	assert_int_equal(strata_upgrade(s, "fedcba987654", NULL), STRATA_EUNKNOWN_REVISION);
	assert_int_equal(strata_errcode(s), STRATA_EUNKNOWN_REVISION);
	assert_non_null(strstr(strata_errmsg(s), "Can't locate revision identified by 'fedcba987654'"));
	const char *bad[] = { "nope1234" };
	assert_int_equal(strata_stamp(s, bad, 1, 0), STRATA_EUNKNOWN_REVISION);
	assert_non_null(strstr(strata_errmsg(s), "Can't locate revision"));
	current_is(s, "");
	const strata_revision **r = NULL;
	size_t n = 0;
	assert_int_equal(strata_resolve(s, "1a2b", &r, &n), STRATA_EFAIL);
	assert_non_null(strstr(strata_errmsg(s), "Ambiguous revision"));
	free(r);
	strata_free(s);

	/* A revision that fails rolls back alone: the database stays at the one before. */
	make_location("bad");
	write_file("bad/versions/aaaa00000001_ok.sql",
		   "-- strata:revision aaaa00000001\n-- strata:revises\n-- strata:message ok\n\n"
		   "-- strata:upgrade\nCREATE TABLE t (id INTEGER);\n\n-- strata:downgrade\nDROP TABLE t;\n");
	write_file("bad/versions/aaaa00000002_broken.sql",
		   "-- strata:revision aaaa00000002\n-- strata:revises aaaa00000001\n-- strata:message broken\n\n"
		   "-- strata:upgrade\nCREATE TABLE u (id INTEGER);\nINSERT INTO no_such_table VALUES (1);\n\n"
		   "-- strata:downgrade\nDROP TABLE u;\n");
	o.config_path = NULL;
	o.database_url = "sqlite:bad.db";
	o.script_location = "bad";
	assert_int_equal(strata_open(&s, &o), STRATA_OK);
	assert_int_equal(strata_upgrade(s, NULL, NULL), STRATA_ESTEP_FAILED);
	assert_non_null(strstr(strata_errmsg(s), "aaaa00000002"));
	/* The failing revision, file and line as fields, not only text. */
	assert_string_equal(strata_failed_revision(s), "aaaa00000002");
	assert_string_equal(strata_failed_file(s), "bad/versions/aaaa00000002_broken.sql");
	assert_int_equal(strata_failed_line(s), 7);
	assert_non_null(strstr(strata_errmsg(s), "no_such_table"));
	current_is(s, "aaaa00000001");
	assert_true(has_table("bad.db", "t"));
	assert_false(has_table("bad.db", "u"));
	strata_free(s);
}

/* strata_prefetch: the graph loads on a thread while the handle reads the database;
 * what the graph calls return, and the errors they report, are those of a load
 * without it; a load nobody asks for is dropped at strata_free; a forked child loads
 * the graph itself. */
static void test_prefetch(void **state)
{
	(void)state;
	strata *s = open_db("pf.db");
	assert_int_equal(strata_upgrade(s, R2, NULL), STRATA_OK);
	strata_free(s);

	s = open_db("pf.db");
	strata_prefetch(s);
	strata_prefetch(s); /* a second call while it loads: a no-op */
	current_is(s, R2);
	const strata_revision *const *heads;
	size_t n = 0;
	assert_int_equal(strata_heads(s, &heads, &n), STRATA_OK);
	assert_int_equal(n, 1);
	assert_string_equal(heads[0]->id, R3);
	strata_prefetch(s); /* loaded: a no-op */
	const strata_revision *const *revs;
	assert_int_equal(strata_revisions(s, &revs, &n), STRATA_OK);
	assert_int_equal(n, 3);
	strata_free(s);

	/* Never asked for: freed with the handle (ASan and valgrind see any leak). */
	s = open_db("pf.db");
	strata_prefetch(s);
	strata_free(s);

	/* A file that does not parse: the same error, from the call that needs the graph. */
	make_location("pfbad");
	write_file("pfbad/versions/bbbb00000001_x.sql",
		   "-- strata:revision bbbb00000001\n-- strata:revises cccc00000009\n-- strata:message x\n\n"
		   "-- strata:upgrade\nCREATE TABLE x (id INTEGER);\n");
	char want[512];
	strata_options o = STRATA_OPTIONS_INIT;
	o.database_url = "sqlite:pf.db";
	o.use_env = 0;
	o.script_location = "pfbad";
	assert_int_equal(strata_open(&s, &o), STRATA_OK);
	assert_int_not_equal(strata_heads(s, &heads, &n), STRATA_OK);
	snprintf(want, sizeof want, "%s", strata_errmsg(s));
	strata_free(s);
	assert_non_null(strstr(want, "bbbb00000001_x.sql"));
	assert_int_equal(strata_open(&s, &o), STRATA_OK);
	strata_prefetch(s);
	current_is(s, R2); /* the database side works meanwhile */
	assert_int_not_equal(strata_heads(s, &heads, &n), STRATA_OK);
	assert_string_equal(strata_errmsg(s), want);
	strata_free(s);

	/* Forked while it loads: the child has no such thread and loads the graph itself. */
	s = open_db("pf.db");
	strata_prefetch(s);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int ok = strata_heads(s, &heads, &n) == STRATA_OK && n == 1 &&
			 strcmp(heads[0]->id, R3) == 0;
		_exit(ok ? 0 : 1);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(strata_heads(s, &heads, &n), STRATA_OK);
	assert_string_equal(heads[0]->id, R3);
	strata_free(s);
}

static void test_sqlite_handle(void **state)
{
	(void)state;
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open("handle.db", &db), SQLITE_OK);
	strata_options o = STRATA_OPTIONS_INIT;
	o.sqlite_handle = db;
	o.use_env = 0;
	o.script_location = "mig";
	strata *s = NULL;
	if (strata_open(&s, &o) != STRATA_OK)
		fail_msg("strata_open: %s", strata_errmsg(s));
	assert_int_equal(strata_upgrade(s, "head", NULL), STRATA_OK);
	current_is(s, R3);
	strata_free(s);

	/* The connection is still the application's: it sees the migrated schema. */
	char *err = NULL;
	assert_int_equal(sqlite3_exec(db, "INSERT INTO a (name) VALUES ('x'); INSERT INTO b DEFAULT VALUES",
				      NULL, NULL, &err),
			 SQLITE_OK);
	sqlite3_free(err);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	assert_true(has_table("handle.db", "strata_version"));
}

static const strata_embedded_revision embedded[] = {
	{ "e00000000001", "", "create notes", "", "", 1, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\n",
	  "DROP TABLE notes;\n", NULL, NULL, NULL },
	{ "e00000000002", "e00000000001", "tags", "tags", "", 1, "CREATE TABLE tags (note INTEGER, tag TEXT);\n",
	  "DROP TABLE tags;\n", NULL, NULL, NULL },
};

static void test_embedded(void **state)
{
	(void)state;
	strata_options o = STRATA_OPTIONS_INIT;
	o.database_url = "sqlite:embedded.db";
	o.use_env = 0;
	o.embedded = embedded;
	o.nembedded = sizeof embedded / sizeof embedded[0];
	o.script_location = "no-such-dir"; /* compiled-in revisions read no directory */
	strata *s = NULL;
	if (strata_open(&s, &o) != STRATA_OK)
		fail_msg("strata_open: %s", strata_errmsg(s));
	const strata_revision *const *revs;
	size_t n;
	assert_int_equal(strata_revisions(s, &revs, &n), STRATA_OK);
	assert_int_equal(n, 2);
	assert_string_equal(revs[1]->path, "");
	assert_string_equal(revs[1]->labels[0], "tags");
	assert_int_equal(strata_upgrade(s, NULL, NULL), STRATA_OK);
	current_is(s, "e00000000002");
	assert_true(has_table("embedded.db", "tags"));
	assert_int_equal(strata_downgrade(s, "tags@base", NULL), STRATA_OK);
	current_is(s, "e00000000001");
	assert_false(has_table("embedded.db", "tags"));
	strata_free(s);
}

/* strata_doctor: the diagnosis as data, and the fix it offers applied through
 * strata_doctor_fix (a database at a revision no file defines, matching schema.sql:
 * stamped at the head with purge). */
static void test_doctor(void **state)
{
	(void)state;
	write_file("doctor.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY, name TEXT);\n"
				 "CREATE TABLE b (id INTEGER PRIMARY KEY);\n");
	strata_options o = STRATA_OPTIONS_INIT;
	o.database_url = "sqlite:doctor.db";
	o.use_env = 0;
	o.script_location = "mig";
	o.schema_path = "doctor.sql";
	strata *s = NULL;
	if (strata_open(&s, &o) != STRATA_OK)
		fail_msg("strata_open: %s", strata_errmsg(s));
	assert_int_equal(strata_upgrade(s, NULL, NULL), STRATA_OK);
	strata_doctor_result *r = NULL;
	assert_int_equal(strata_doctor(s, &r), STRATA_OK);
	assert_int_equal(r->problems, 0);
	assert_true(r->nfindings >= 5);
	assert_string_equal(r->findings[0].check, "revisions");
	assert_int_equal(strata_doctor_fix(s, r, 0), STRATA_EUSAGE); /* nothing to fix */
	strata_doctor_result_free(r);

	sqlite3 *h = NULL;
	assert_int_equal(sqlite3_open("doctor.db", &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "UPDATE strata_version SET version_num = 'deadbeef0000'", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(strata_doctor(s, &r), STRATA_OK);
	assert_int_equal(r->problems, 1);
	size_t i = 0;
	while (i < r->nfindings && r->findings[i].ok)
		i++;
	assert_true(i < r->nfindings);
	assert_string_equal(r->findings[i].check, "unknown_revision");
	assert_non_null(strstr(r->findings[i].message, "Can't locate revision identified by 'deadbeef0000'"));
	assert_int_equal(r->findings[i].action, STRATA_DOCTOR_STAMP);
	assert_string_equal(r->findings[i].arg, R3);
	assert_int_equal(r->findings[i].purge, 1);
	assert_int_equal(strata_doctor_fix(s, r, i), STRATA_OK);
	assert_int_equal(r->problems, 0);
	assert_non_null(strstr(r->findings[i].fixed, R3));
	strata_doctor_result_free(r);
	current_is(s, R3);
	strata_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_and_graph),
		cmocka_unit_test(test_upgrade_downgrade),
		cmocka_unit_test(test_stamp),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_prefetch),
		cmocka_unit_test(test_sqlite_handle),
		cmocka_unit_test(test_embedded),
		cmocka_unit_test(test_doctor),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
