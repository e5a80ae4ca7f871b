/* libcheck: drives libstrata's contract for tests/e2e/test_library.sh. The graph is
 * the revision files of ./migrations plus one revision written in C (c2: fills t
 * through strata_exec, between the SQL revisions a1 and a3). Usage:
 *   libcheck DB TARGET [dry] [single] [strict] [ignore] [hooks] [abort=REV] [cfail] [down]
 * It prints one line per event, then the status, the typed code, the failing
 * revision, file and line, and what the run applied (strata_upgrade_ex). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strata.h>

static int cfail;

static int fill(void *ctx, strata *s)
{
	(void)ctx;
	for (int i = 1; i <= 3; i++) {
		char sql[64];
		snprintf(sql, sizeof sql, "INSERT INTO t (n) VALUES (%d)", i);
		if (strata_exec(s, sql))
			return 1;
	}
	char **cells;
	size_t nrows, ncols;
	const char *p[1] = { "2" };
	if (strata_query(s, "SELECT count(*) FROM t WHERE n > $1", p, 1, &cells, &nrows, &ncols))
		return 2;
	int ok = nrows == 1 && ncols == 1 && strcmp(cells[0], "1") == 0;
	strata_strings_free(cells, nrows * ncols);
	if (!ok)
		return 3;
	return cfail ? strata_exec(s, "INSERT INTO no_such_table VALUES (1)") ? 4 : 5 : 0;
}

static int unfill(void *ctx, strata *s)
{
	(void)ctx;
	return strata_exec(s, "DELETE FROM t");
}

static const strata_embedded_revision code[] = {
	{ .id = "c2", .revises = "a1", .message = "fill t in C", .transactional = 1, .upgrade_fn = fill,
	  .downgrade_fn = unfill },
};

static const char *abort_rev;

/* Hooks: an audit row per revision, written inside the revision's transaction. */
static int before(void *ctx, strata *s, const strata_revision *r, int up)
{
	(void)ctx;
	(void)up;
	printf("before %s\n", r->id);
	return strata_exec(s, "CREATE TABLE IF NOT EXISTS audit (rev TEXT)");
}

static int after(void *ctx, strata *s, const strata_revision *r, int up)
{
	(void)ctx;
	char sql[128];
	snprintf(sql, sizeof sql, "INSERT INTO audit VALUES ('%s %s')", up ? "up" : "down", r->id);
	if (strata_exec(s, sql))
		return 1;
	printf("after %s\n", r->id);
	return abort_rev && strcmp(abort_rev, r->id) == 0 ? 7 : 0;
}

static void on_event(void *ctx, const strata_event *ev)
{
	(void)ctx;
	switch (ev->kind) {
	case STRATA_EVENT_STEP_BEGIN: printf("begin %s %zu/%zu\n", ev->rev->id, ev->index, ev->total); break;
	case STRATA_EVENT_STEP_END: printf("end %s\n", ev->rev->id); break;
	case STRATA_EVENT_STEP_FAILED:
		printf("failed %s line=%d: %.60s\n", ev->rev->id, ev->line, ev->text);
		break;
	case STRATA_EVENT_STATEMENT: printf("statement %s\n", ev->sql); break;
	case STRATA_EVENT_WARNING: printf("warning %s\n", ev->text); break;
	default: break;
	}
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	char url[512];
	snprintf(url, sizeof url, "sqlite:%s", argv[1]);
	strata_options o = STRATA_OPTIONS_INIT;
	o.database_url = url;
	o.use_env = 0;
	o.script_location = "migrations";
	o.code_revisions = code;
	o.ncode_revisions = 1;
	o.on_event = on_event;
	strata_run_options ro = STRATA_RUN_OPTIONS_INIT;
	int down = 0;
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "dry"))
			ro.dry_run = 1;
		else if (!strcmp(argv[i], "single"))
			ro.single_transaction = 1;
		else if (!strcmp(argv[i], "strict"))
			ro.edited_is_error = 1;
		else if (!strcmp(argv[i], "ignore"))
			ro.ignore_unknown = 1;
		else if (!strcmp(argv[i], "hooks"))
			ro.before_step = before, ro.after_step = after;
		else if (!strncmp(argv[i], "abort=", 6))
			abort_rev = argv[i] + 6;
		else if (!strcmp(argv[i], "cfail"))
			cfail = 1;
		else if (!strcmp(argv[i], "down"))
			down = 1;
	}
	strata *s = NULL;
	int rc = strata_open(&s, &o);
	strata_run_result res = { 0 };
	if (!rc)
		rc = down ? strata_downgrade_ex(s, argv[2], &ro, &res) : strata_upgrade_ex(s, argv[2], &ro, &res);
	printf("rc=%d code=%d failed=%s file=%s line=%d\n", rc, strata_errcode(s),
	       strata_failed_revision(s) ? strata_failed_revision(s) : "-",
	       strata_failed_file(s) ? strata_failed_file(s) : "-", strata_failed_line(s));
	printf("applied:");
	for (size_t i = 0; i < res.nsteps; i++)
		printf(" %s%s", res.steps[i].rev->id, res.steps[i].ms >= 0 ? "" : "(bad ms)");
	printf("\n");
	if (rc)
		printf("error: %s\n", strata_errmsg(s));
	char *sql = NULL;
	if (s && !down && strata_sql(s, 1, NULL, NULL, &sql) == 0) /* NULL target: head */
		printf("offline: %s\n", strstr(sql, "INSERT INTO strata_version (version_num) VALUES ('a3')") ? "to a3" : "?");
	free(sql);
	strata_run_result_free(&res);
	strata_free(s);
	return rc;
}
