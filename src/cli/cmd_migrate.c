/* upgrade, downgrade, stamp, backup: commands that move or copy the database. */
#include "cli/cli.h"
#include "cli/json.h"

#include <stdlib.h>
#include <string.h>

static int offline_sql(cli_globals *g, int up, const char *target)
{
	strata *s;
	int rc = cli_open(g, &s);
	if (rc)
		return rc;
	char *from = NULL, *sql = NULL;
	const char *to = target;
	const char *colon = strchr(target, ':');
	if (colon) {
		from = strndup(target, (size_t)(colon - target));
		to = colon + 1;
	}
	rc = strata_sql(s, up, from && *from ? from : NULL, to, &sql);
	if (rc)
		rc = cli_error(s, rc);
	else
		fputs(sql, stdout);
	free(sql);
	free(from);
	strata_free(s);
	return rc;
}

static int print_plan(cli_globals *g, strata *s, int up, const char *target)
{
	strata_step *steps;
	size_t n;
	int rc = strata_plan(s, up, target, &steps, &n);
	if (rc)
		return cli_error(s, rc);
	if (!n && !CLI_JSON(g))
		printf("Nothing to %s.\n", up ? "upgrade" : "downgrade");
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		const strata_revision *r = steps[i].rev;
		char **d = NULL;
		size_t nd = 0;
		strata_revision_dangers(s, r, up, &d, &nd);
		if (CLI_JSON(g)) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "revision", r->id);
			cJSON_AddStringToObject(o, "message", r->message);
			cJSON_AddStringToObject(o, "direction", up ? "upgrade" : "downgrade");
			cJSON_AddBoolToObject(o, "transactional", r->transactional);
			cJSON_AddBoolToObject(o, "atomic", steps[i].atomic);
			cJSON_AddItemToObject(o, "dangers", cli_json_strings((const char *const *)d, nd));
			cJSON_AddItemToObject(o, "via", steps[i].via ? cJSON_CreateString(steps[i].via->id)
								     : cJSON_CreateNull());
			cJSON_AddItemToArray(arr, o);
		} else {
			printf("%s %s %s (%s)\n", up ? "upgrade" : "downgrade", r->id, r->message,
			       !r->transactional ? "outside a transaction"
			       : steps[i].atomic ? "in a transaction"
						 : "not atomic: its DDL commits as it runs, a failure cannot roll it back");
			if (steps[i].via && up)
				printf("    + needed by %s (depends-on)\n", steps[i].via->id);
			else if (steps[i].via)
				printf("    + depends on %s, which is reverted\n", steps[i].via->id);
			for (size_t j = 0; j < nd; j++)
				printf("    ! %s\n", d[j]);
		}
		strata_strings_free(d, nd);
	}
	if (CLI_JSON(g)) {
		cJSON *root = cJSON_CreateObject();
		cJSON_AddItemToObject(root, "plan", arr);
		cli_json_print(root);
	} else {
		cJSON_Delete(arr);
	}
	free(steps);
	return 0;
}

/* With --format json: starts the object that upgrade, downgrade and stamp print,
 * with the arrays their events fill (see on_event). */
static void json_begin(cli_globals *g, const char *command, const char *target)
{
	if (!CLI_JSON(g))
		return;
	g->json = cJSON_CreateObject();
	cJSON_AddStringToObject(g->json, "command", command);
	cJSON_AddStringToObject(g->json, "target", target);
	cJSON_AddItemToObject(g->json, "applied", cJSON_CreateArray());
	cJSON_AddItemToObject(g->json, "stamped", cJSON_CreateArray());
	cJSON_AddItemToObject(g->json, "skipped", cJSON_CreateArray());
}

/* Ends and prints that object: the database, whether the command succeeded (its
 * error otherwise, and the revision that was running), and the version-table rows
 * it left. Returns rc. */
static int json_end(cli_globals *g, strata *s, int rc)
{
	cJSON *o = g->json;
	if (!o)
		return rc;
	g->json = NULL;
	cJSON_AddStringToObject(o, "database", strata_database_display(s));
	cJSON_AddBoolToObject(o, "ok", rc == 0);
	cJSON_AddItemToObject(o, "error", rc ? cJSON_CreateString(strata_errmsg(s)) : cJSON_CreateNull());
	cJSON_AddItemToObject(o, "failed", rc && g->step ? cJSON_CreateString(g->step->id)
							: cJSON_CreateNull());
	char **ids = NULL;
	size_t n = 0;
	if (strata_current(s, &ids, &n) == 0)
		cJSON_AddItemToObject(o, "current", cli_json_strings((const char *const *)ids, n));
	else
		cJSON_AddItemToObject(o, "current", cJSON_CreateNull());
	strata_strings_free(ids, n);
	cli_json_print(o);
	return rc;
}

static int move(cli_globals *g, cli_args *a, int up)
{
	const char *target = a->npos ? a->pos[0] : up ? "head" : "-1";
	if (a->npos > 1)
		return cli_errorf(STRATA_EUSAGE, "usage: strata %s [TARGET]", up ? "upgrade" : "downgrade");
	if (cli_flag(a, "sql") && CLI_JSON(g))
		return cli_errorf(STRATA_EUSAGE, "--format json does not go with --sql (the SQL is the output)");
	if (cli_flag(a, "sql"))
		return offline_sql(g, up, target);
	strata *s;
	int rc = cli_open(g, &s);
	if (rc)
		return rc;
	if (cli_flag(a, "plan")) {
		rc = print_plan(g, s, up, target);
		strata_free(s);
		return rc;
	}
	if (cli_flag(a, "backup")) {
		char *path = NULL;
		if ((rc = strata_backup(s, NULL, &path))) {
			rc = cli_error(s, rc);
			strata_free(s);
			return rc;
		}
		if (!g->quiet)
			fprintf(stderr, "strata: backed up the database to %s\n", path);
		free(path);
	}
	strata_run_options o = STRATA_RUN_OPTIONS_INIT;
	o.single_transaction = cli_flag(a, "single-transaction");
	o.resume = cli_flag(a, "resume");
	json_begin(g, up ? "upgrade" : "downgrade", target);
	cli_catch_signals(s);
	rc = up ? strata_upgrade(s, target, &o) : strata_downgrade(s, target, &o);
	cli_catch_signals(NULL);
	if (rc)
		rc = cli_error(s, rc);
	rc = json_end(g, s, rc);
	strata_free(s);
	return cli_signal_status(rc);
}

int cmd_upgrade(cli_globals *g, cli_args *a)
{
	return move(g, a, 1);
}

int cmd_downgrade(cli_globals *g, cli_args *a)
{
	return move(g, a, 0);
}

int cmd_stamp(cli_globals *g, cli_args *a)
{
	if (a->npos < 1)
		return cli_errorf(STRATA_EUSAGE, "usage: strata stamp REV... [--purge] (stamp base empties the version table)");
	strata *s;
	int rc = cli_open(g, &s);
	if (rc)
		return rc;
	char *targets = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&targets, &len);
	for (int i = 0; f && i < a->npos; i++)
		fprintf(f, "%s%s", i ? " " : "", a->pos[i]);
	if (f)
		fclose(f);
	json_begin(g, "stamp", targets ? targets : "");
	free(targets);
	rc = strata_stamp(s, (const char *const *)a->pos, (size_t)a->npos, cli_flag(a, "purge"));
	if (rc)
		rc = cli_error(s, rc);
	rc = json_end(g, s, rc);
	strata_free(s);
	return rc;
}

int cmd_backup(cli_globals *g, cli_args *a)
{
	if (a->npos > 1)
		return cli_errorf(STRATA_EUSAGE, "usage: strata backup [PATH]");
	strata *s;
	int rc = cli_open(g, &s);
	if (rc)
		return rc;
	char *path = NULL;
	rc = strata_backup(s, a->npos ? a->pos[0] : NULL, &path);
	if (rc)
		rc = cli_error(s, rc);
	else
		printf("%s\n", path);
	free(path);
	strata_free(s);
	return rc;
}

int cmd_repair(cli_globals *g, cli_args *a)
{
	strata *s;
	strata_applied *ap = NULL;
	size_t nap = 0, nedited = 0;
	char **done = NULL;
	size_t ndone = 0;
	int yes = cli_flag(a, "yes");
	int rc = cli_open(g, &s);
	if (rc)
		return rc;
	if ((rc = strata_applied_list(s, &ap, &nap))) {
		rc = cli_error(s, rc);
		goto out;
	}
	/* What would be accepted: the named revisions, or every edited one. */
	for (size_t i = 0; i < nap; i++) {
		int named = !a->npos;
		for (int j = 0; !named && j < a->npos; j++)
			named = strncmp(ap[i].revision, a->pos[j], strlen(a->pos[j])) == 0;
		if (named && ap[i].edited) {
			nedited++;
			fprintf(stderr, "revision %s was edited after it was applied: its file's checksum "
					"differs from the one strata_history recorded\n", ap[i].revision);
		}
	}
	if (!nedited && !a->npos) {
		printf("No applied revision was edited: nothing to repair.\n");
		goto out;
	}
	if (nedited && !yes) {
		if (!cli_interactive()) {
			rc = cli_errorf(STRATA_EFAIL, "repair needs confirmation: answer y on a terminal, or "
					"pass --yes");
			goto out;
		}
		if (!cli_confirm("Record the edited files as what was applied? (their SQL does not run "
				 "again: the database keeps what ran)")) {
			fprintf(stderr, "strata: repair: nothing changed\n");
			goto out;
		}
	}
	rc = strata_repair(s, (const char *const *)a->pos, (size_t)a->npos, &done, &ndone);
	if (rc) {
		rc = cli_error(s, rc);
		goto out;
	}
	for (size_t i = 0; i < ndone; i++)
		printf("recorded the edited %s as applied\n", done[i]);
out:
	strata_strings_free(done, ndone);
	strata_applied_free(ap, nap);
	strata_free(s);
	return rc;
}
