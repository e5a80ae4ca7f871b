/* migrate (revision --autogenerate), check, diff, reset: commands that compare the
 * database with the declared schema (schema.sql). */
#include "cli/cli.h"
#include "cli/json.h"

#include <stdlib.h>
#include <string.h>

/* Asks on a terminal, as Django does, whether a look-alike pair is a rename. Off a
 * terminal the answer is no (a drop and an add, each flagged in the warnings), and a
 * hint says how to declare the rename. */
static int ask_rename(void *ctx, const char *kind, const char *table, const char *from,
		      const char *to)
{
	char what[400], q[512], spec[400];
	(void)kind;
	(void)ctx;
	if (table) {
		snprintf(what, sizeof what, "%s.%s to %s.%s", table, from, table, to);
		snprintf(spec, sizeof spec, "%s.%s:%s", table, from, to);
	} else {
		snprintf(what, sizeof what, "table %s to %s", from, to);
		snprintf(spec, sizeof spec, "%s:%s", from, to);
	}
	snprintf(q, sizeof q, "Did you rename %s?", what);
	if (cli_confirm(q))
		return 1;
	if (!cli_interactive())
		cli_warn("%s looks like a rename but is rendered as a drop and an add; "
			 "if it is one, pass --rename %s", what, spec);
	return 0;
}

int cli_schema_diff(strata *s, cli_args *a, strata_diff **d)
{
	strata_diff_options o = STRATA_DIFF_OPTIONS_INIT;
	char **ren = NULL;
	o.nrenames = a ? (size_t)cli_values(a, "rename", &ren) : 0;
	o.renames = (const char *const *)ren;
	o.confirm_rename = ask_rename;
	return strata_diff_schema(s, &o, d);
}

/* Refuses autogenerate unless the database is at its heads. */
static int require_up_to_date(strata *s)
{
	int yes;
	size_t pending;
	int rc = strata_at_heads(s, &yes, &pending);
	if (rc)
		return cli_error(s, rc);
	const strata_revision *const *heads;
	size_t nheads = 0;
	if (!yes && strata_heads(s, &heads, &nheads))
		nheads = 0;
	if (!yes)
		return cli_errorf(STRATA_EFAIL,
				  "Target database is not up to date (%zu pending revision(s)): run "
				  "`strata upgrade%s` first, then generate the next revision",
				  pending, nheads > 1 ? " heads" : "");
	return 0;
}

/* For a database built outside strata (tables, no version table) in a project
 * without revisions: the names of its tables joined by ", " (malloc'd), else NULL. */
static char *unadopted_tables(strata *s)
{
	const strata_revision *const *revs;
	size_t nrevs = 0, n = 0, len = 0;
	char **tables = NULL, *out = NULL;
	int yes = 0;
	if (strata_revisions(s, &revs, &nrevs) || nrevs ||
	    strata_unversioned_tables(s, &yes, &tables, &n) || !yes)
		goto done;
	FILE *f = open_memstream(&out, &len);
	for (size_t i = 0; f && i < n && i < 5; i++)
		fprintf(f, "%s%s", i ? ", " : "", tables[i]);
	if (f && n > 5)
		fprintf(f, ", … (%zu tables)", n);
	if (f)
		fclose(f);
done:
	strata_strings_free(tables, n);
	return out;
}

/* How to adopt such a database, for migrate. */
static const char ADOPT_HOW[] =
	"to start tracking it, `strata reset` writes one initial revision from schema.sql and "
	"stamps the database at it (it must match schema.sql); or write the first revision by "
	"hand and record that the database has it with `strata stamp head`";

/* migrate --format json: what was written (path and id; null with nothing to do
 * or with --sql), the operations, warnings and the upgrade SQL. The id is --rev-id,
 * or the generated one the file name starts with (ID_slug.sql). */
static void migrate_json(const cli_args *a, const strata_diff *d, const char *path)
{
	const char *base = path ? strrchr(path, '/') : NULL;
	base = base ? base + 1 : path;
	char *id = !path ? NULL : cli_value(a, "rev-id") ? strdup(cli_value(a, "rev-id"))
							  : strndup(base, strcspn(base, "_."));
	cJSON *o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "changes", d->nops > 0);
	cJSON_AddItemToObject(o, "revision", id ? cJSON_CreateString(id) : cJSON_CreateNull());
	cJSON_AddItemToObject(o, "path", path ? cJSON_CreateString(path) : cJSON_CreateNull());
	cJSON_AddItemToObject(o, "operations", cli_json_strings((const char *const *)d->ops, d->nops));
	cJSON_AddItemToObject(o, "warnings", cli_json_strings((const char *const *)d->warnings, d->nwarnings));
	cJSON_AddStringToObject(o, "upgrade", d->upgrade_sql);
	cJSON_AddStringToObject(o, "downgrade", d->downgrade_sql);
	cli_json_print(o);
	free(id);
}

/* The message of a revision `migrate` writes without -m: Flask-Migrate's (flask db
 * migrate leaves Alembic's message empty, and its template writes this). */
#define MIGRATE_DEFAULT_MESSAGE "empty message"

int cmd_autogenerate(cli_globals *g, cli_args *a)
{
	if (a->npos)
		return cli_errorf(STRATA_EUSAGE, "unexpected argument '%s' (the message goes after -m)", a->pos[0]);
	strata *s;
	strata_diff *d = NULL;
	char *path = NULL;
	int rc = cli_open(g, &s);
	if (rc)
		return rc;
	if ((rc = require_up_to_date(s)))
		goto done;
	if ((rc = cli_schema_diff(s, a, &d))) {
		rc = cli_error(s, rc);
		goto done;
	}
	char *adopt = CLI_JSON(g) ? NULL : unadopted_tables(s);
	if (!d->nops && adopt) {
		printf("The database already has tables (%s) but no version table, and there are "
		       "no revisions yet: %s.\n", adopt, ADOPT_HOW);
		free(adopt);
		goto done;
	}
	if (adopt)
		cli_warn("the database's tables (%s) are in no revision and it has no version table: "
			 "the new revision holds only the difference; %s", adopt, ADOPT_HOW);
	free(adopt);
	if (!d->nops && !CLI_JSON(g)) {
		printf("No changes detected\n");
		goto done;
	}
	for (size_t i = 0; i < d->nwarnings; i++)
		cli_warn("%s", d->warnings[i]);
	if (cli_flag(a, "sql") && !CLI_JSON(g)) {
		/* Preview: the revision's upgrade section, nothing written. */
		fputs(d->upgrade_sql, stdout);
		goto done;
	}
	strata_revision_options o = STRATA_REVISION_OPTIONS_INIT;
	cli_revision_options(a, &o);
	if (!o.message)
		o.message = MIGRATE_DEFAULT_MESSAGE;
	o.upgrade_sql = d->upgrade_sql;
	o.downgrade_sql = d->downgrade_sql;
	if (d->nops && !cli_flag(a, "sql") && (rc = strata_revision_new(s, &o, &path))) {
		rc = cli_error(s, rc);
		goto done;
	}
	if (CLI_JSON(g)) {
		migrate_json(a, d, path);
		goto done;
	}
	if (!g->quiet)
		for (size_t i = 0; i < d->nops; i++)
			printf("  %s\n", d->ops[i]);
	printf("%s\n", path);
done:
	free(path);
	strata_diff_free(d);
	strata_free(s);
	return rc;
}

int cmd_diff(cli_globals *g, cli_args *a)
{
	strata *s;
	strata_diff *d = NULL;
	if (a->npos)
		return cli_errorf(STRATA_EUSAGE, "unexpected argument '%s' (usage: strata diff [--rename OLD:NEW])",
				  a->pos[0]);
	int rc = cli_open(g, &s);
	if (rc)
		return rc;
	/* Ctrl-C lets the scratch database be dropped on the way out. */
	cli_catch_signals(s);
	rc = cli_schema_diff(s, a, &d);
	cli_catch_signals(NULL);
	if (rc) {
		rc = cli_error(s, rc);
	} else if (cli_signal_status(0)) {
		rc = cli_errorf(STRATA_EFAIL, "interrupted: no difference was printed");
	} else if (CLI_JSON(g)) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "schema", strata_schema_path(s));
		cJSON_AddBoolToObject(o, "changes", d->nops > 0);
		cJSON_AddItemToObject(o, "operations", cli_json_strings((const char *const *)d->ops, d->nops));
		cJSON_AddItemToObject(o, "warnings", cli_json_strings((const char *const *)d->warnings, d->nwarnings));
		cJSON_AddItemToObject(o, "notes", cli_json_strings((const char *const *)d->notes, d->nnotes));
		cJSON_AddStringToObject(o, "upgrade", d->upgrade_sql);
		cJSON_AddStringToObject(o, "downgrade", d->downgrade_sql);
		cli_json_print(o);
	} else {
		for (size_t i = 0; i < d->nwarnings; i++)
			cli_warn("%s", d->warnings[i]);
		for (size_t i = 0; i < d->nnotes && !g->quiet; i++)
			fprintf(stderr, "strata: note: %s\n", d->notes[i]);
		if (!d->nops && !g->quiet)
			fprintf(stderr, "No changes detected: the database matches %s\n", strata_schema_path(s));
		fputs(d->upgrade_sql, stdout);
	}
	strata_diff_free(d);
	strata_free(s);
	return cli_signal_status(rc);
}

int cmd_check(cli_globals *g, cli_args *a)
{
	strata *s;
	strata_diff *d = NULL;
	strata_applied *ap = NULL;
	size_t nap = 0;
	cJSON *problems = cJSON_CreateArray();
	if (a->npos)
		return cli_errorf(STRATA_EUSAGE, "unexpected argument '%s' (usage: strata check)", a->pos[0]);
	int rc = cli_open(g, &s);
	if (rc)
		return rc;
	int yes;
	size_t pending;
	if ((rc = strata_at_heads(s, &yes, &pending))) {
		rc = cli_error(s, rc);
		goto done;
	}
	if (!yes) {
		if (pending)
			cli_json_addf(problems, "the database is not at its heads: %zu pending revision(s) (run `strata upgrade`)",
				      pending);
		else
			cli_json_addf(problems, "the database is not at its heads (see `strata heads` and `strata current`)");
	}
	if ((rc = strata_applied_list(s, &ap, &nap))) {
		rc = cli_error(s, rc);
		goto done;
	}
	for (size_t i = 0; i < nap; i++)
		if (ap[i].edited)
			cli_json_addf(problems, "revision %s was edited after it was applied (checksum differs from "
				      "strata_history): restore the file, or accept the edit with `strata repair %s`",
				      ap[i].revision, ap[i].revision);
	if ((rc = cli_schema_diff(s, NULL, &d))) {
		rc = cli_error(s, rc);
		goto done;
	}
	for (size_t i = 0; i < d->ndifferences; i++)
		cli_json_addf(problems, "%s", d->differences[i]);
	for (size_t i = 0; i < d->nnotes && !CLI_JSON(g) && !g->quiet; i++)
		fprintf(stderr, "strata: note: %s\n", d->notes[i]);
	for (size_t i = 0; !d->ndifferences && i < d->nops; i++)
		cli_json_addf(problems, "%s differs from the database: %s", strata_schema_path(s), d->ops[i]);
	int nproblems = cJSON_GetArraySize(problems);
	rc = nproblems ? STRATA_EFAIL : 0;
	if (CLI_JSON(g)) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddBoolToObject(o, "ok", nproblems == 0);
		cJSON_AddStringToObject(o, "schema", strata_schema_path(s));
		cJSON_AddNumberToObject(o, "pending", (double)pending);
		cJSON_AddItemToObject(o, "problems", problems);
		problems = NULL;
		cJSON *notes = cJSON_AddArrayToObject(o, "notes");
		for (size_t i = 0; notes && i < d->nnotes; i++)
			cJSON_AddItemToArray(notes, cJSON_CreateString(d->notes[i]));
		cli_json_print(o);
	} else {
		cJSON *p;
		cJSON_ArrayForEach(p, problems)
			printf("%s\n", p->valuestring);
		fflush(stdout);
		if (nproblems)
			fprintf(stderr, "strata: check failed: %d difference(s)\n", nproblems);
		else if (!g->quiet)
			printf("OK: the database is at its heads and matches %s\n", strata_schema_path(s));
	}
done:
	cJSON_Delete(problems);
	strata_applied_free(ap, nap);
	strata_diff_free(d);
	strata_free(s);
	return rc;
}

/* The branch labels of the revisions now on file, joined by ", " (malloc'd), or
 * NULL when there are none or the graph does not load. */
static char *labels_on_file(strata *s)
{
	const strata_revision *const *revs;
	size_t n, len = 0;
	char *out = NULL;
	if (strata_revisions(s, &revs, &n))
		return NULL;
	FILE *f = open_memstream(&out, &len);
	for (size_t i = 0; f && i < n; i++)
		for (size_t j = 0; j < revs[i]->nlabels; j++)
			fprintf(f, "%s%s", ftell(f) ? ", " : "", revs[i]->labels[j]);
	if (f)
		fclose(f);
	if (out && !*out) {
		free(out);
		out = NULL;
	}
	return out;
}

int cmd_reset(cli_globals *g, cli_args *a)
{
	strata *s;
	strata_reset_result r;
	if (a->npos)
		return cli_errorf(STRATA_EUSAGE, "unexpected argument '%s' (usage: strata reset [--yes] [-m MSG])",
				  a->pos[0]);
	if (!cli_flag(a, "yes") && !cli_interactive())
		return cli_errorf(STRATA_EFAIL, "reset needs confirmation: answer y on a terminal, or pass --yes");
	int rc = cli_open(g, &s);
	if (rc)
		return rc;
	if (!cli_flag(a, "yes") &&
	    !cli_confirm("Squash every revision into one initial revision from schema.sql? "
			 "(the database and the old files are backed up first)")) {
		strata_free(s);
		fprintf(stderr, "strata: reset: nothing changed\n");
		return 0;
	}
	char *labels = labels_on_file(s);
	rc = strata_reset(s, cli_value(a, "message"), &r);
	if (rc) {
		rc = cli_error(s, rc);
	} else {
		const char *base = strrchr(r.revision_path, '/');
		base = base ? base + 1 : r.revision_path;
		size_t idlen = strcspn(base, "_.");
		printf("backed up the database to %s\n", r.database_backup);
		printf("moved the old revision files to %s\n", r.old_revisions_dir);
		printf("wrote %s and stamped the database at it\n", r.revision_path);
		if (labels)
			printf("the branch labels %s were on the old revisions and are not carried over "
			       "(one initial revision holds no branches): give the next revision of a "
			       "branch --branch-label LABEL\n", labels);
		printf("other copies of this database (colleagues, staging, production) are still "
		       "recorded at the old revisions: run `strata stamp %.*s --purge` on each once it "
		       "matches schema.sql (`strata doctor --fix` offers it)\n", (int)idlen, base);
		strata_reset_result_free(&r);
	}
	free(labels);
	strata_free(s);
	return rc;
}
