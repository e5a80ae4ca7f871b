/* doctor: recognises the troubleshooting cases of the migration guides (multiple heads,
 * an unknown revision in the database, pending revisions, tables without a version
 * table, schema.sql out of sync, edited revisions, broken files, a held lock), says
 * what is wrong and the command that fixes it. --fix applies the safe fixes (merge the
 * heads, stamp) after asking, or without asking with --yes. Exit 0 only when healthy. */
#include "cli/cli.h"
#include "cli/json.h"

#include <stdlib.h>
#include <string.h>

typedef struct report {
	cJSON *findings; /* [{ok, message, fix?, details?, fixed?}] */
	int problems;
} report;

static cJSON *finding(report *r, int ok, const char *message, const char *fix)
{
	cJSON *f = cJSON_CreateObject();
	cJSON_AddBoolToObject(f, "ok", ok);
	cJSON_AddStringToObject(f, "message", message);
	if (fix)
		cJSON_AddStringToObject(f, "fix", fix);
	cJSON_AddItemToArray(r->findings, f);
	if (!ok)
		r->problems++;
	return f;
}

static void fixed(report *r, cJSON *f, const char *what)
{
	cJSON_AddStringToObject(f, "fixed", what);
	r->problems--;
}

/* Writes a merge revision joining the heads, after asking. */
static int assume_yes;

static int ask(const char *question)
{
	return assume_yes || cli_confirm(question);
}

static int fix_merge(strata *s, const strata_revision *const *heads, size_t n, char **path)
{
	if (!ask("Write a merge revision joining the heads?"))
		return 1;
	const char **ids = calloc(n, sizeof(char *));
	if (!ids)
		abort();
	for (size_t i = 0; i < n; i++)
		ids[i] = heads[i]->id;
	strata_revision_options o = STRATA_REVISION_OPTIONS_INIT;
	o.message = "merge heads";
	o.parents = ids;
	o.nparents = n;
	int rc = strata_revision_new(s, &o, path);
	free(ids);
	if (rc)
		cli_error(s, rc);
	return rc;
}

static int fix_stamp(strata *s, const char *rev, int purge)
{
	char q[256];
	snprintf(q, sizeof q, "Stamp the database at %s without running anything?", rev);
	if (!ask(q))
		return 1;
	int rc = strata_stamp(s, &rev, 1, purge);
	if (rc)
		cli_error(s, rc);
	return rc;
}

static void print_text(const report *r)
{
	cJSON *f, *d;
	cJSON_ArrayForEach(f, r->findings)
	{
		int ok = cJSON_IsTrue(cJSON_GetObjectItem(f, "ok"));
		cJSON *fix = cJSON_GetObjectItem(f, "fix"), *done = cJSON_GetObjectItem(f, "fixed");
		printf("[%s] %s\n", ok ? "ok" : "!!", cJSON_GetObjectItem(f, "message")->valuestring);
		cJSON_ArrayForEach(d, cJSON_GetObjectItem(f, "details"))
			printf("     - %s\n", d->valuestring);
		if (fix && !ok)
			printf("     fix: %s\n", fix->valuestring);
		if (done)
			printf("     fixed: %s\n", done->valuestring);
	}
	if (r->problems)
		printf("%d problem(s) found\n", r->problems);
	else
		printf("healthy\n");
}

int cmd_doctor(cli_globals *g, cli_args *a)
{
	strata *s;
	report r = { cJSON_CreateArray(), 0 };
	int fix = cli_flag(a, "fix");
	assume_yes = cli_flag(a, "yes");
	if (assume_yes && !fix) {
		cJSON_Delete(r.findings);
		return cli_errorf(STRATA_EUSAGE, "--yes goes with --fix");
	}
	const strata_revision *const *revs = NULL, *const *heads = NULL;
	size_t nrevs = 0, nheads = 0;
	char msg[1024];
	cJSON *f;
	if (a->npos) {
		cJSON_Delete(r.findings);
		return cli_errorf(STRATA_EUSAGE, "unexpected argument '%s' (usage: strata doctor [--fix])", a->pos[0]);
	}
	int rc = cli_open(g, &s);
	if (rc) {
		cJSON_Delete(r.findings);
		return rc;
	}
	/* The revision files. */
	int graph_ok = strata_revisions(s, &revs, &nrevs) == 0 && strata_heads(s, &heads, &nheads) == 0;
	if (!graph_ok) {
		finding(&r, 0, strata_errmsg(s),
			"repair or remove the file named above (a file that does not parse, a duplicate id, "
			"a missing parent or a cycle)");
	} else {
		snprintf(msg, sizeof msg, "%zu revision file(s) parse and form one graph", nrevs);
		finding(&r, 1, msg, NULL);
		if (nheads > 1) {
			size_t len = (size_t)snprintf(msg, sizeof msg, "Multiple head revisions are present:");
			for (size_t i = 0; i < nheads && len < sizeof msg - 40; i++)
				len += (size_t)snprintf(msg + len, sizeof msg - len, " %s", heads[i]->id);
			f = finding(&r, 0, msg, "strata merge heads -m \"merge heads\", then strata upgrade");
			char *path = NULL;
			if (fix && fix_merge(s, heads, nheads, &path) == 0) {
				snprintf(msg, sizeof msg, "wrote %s (run `strata upgrade`)", path);
				fixed(&r, f, msg);
			}
			free(path);
		} else if (nheads == 1) {
			finding(&r, 1, "one head", NULL);
		}
	}
	/* The database. */
	int held = 0;
	if (strata_probe_lock(s, &held) != 0) {
		finding(&r, 0, strata_errmsg(s), "check the database URL (-d, $DATABASE_URL or strata.ini)");
		goto out;
	}
	if (held)
		finding(&r, 0, "database is locked: another process holds the migration lock "
			       "(a migration running, or a stuck client)",
			"wait for it to finish, or stop the process that holds it");
	else
		finding(&r, 1, "the migration lock is free", NULL);
	int unversioned = 0;
	char **tables = NULL;
	size_t ntables = 0;
	cJSON *unversioned_f = NULL;
	if (strata_unversioned_tables(s, &unversioned, &tables, &ntables) == 0 && unversioned) {
		snprintf(msg, sizeof msg, "%zu table(s) already exist (e.g. %s) but there is no version table", ntables,
			 tables[0]);
		unversioned_f = finding(&r, 0, msg,
					"if they match schema.sql: strata stamp head (Django's --fake-initial)");
	}
	strata_strings_free(tables, ntables);
	char **cur = NULL;
	size_t ncur = 0;
	cJSON *unknown_f = NULL;
	if (graph_ok && strata_current(s, &cur, &ncur) == 0) {
		for (size_t i = 0; i < ncur; i++) {
			int known = 0;
			for (size_t j = 0; j < nrevs && !known; j++)
				known = strcmp(revs[j]->id, cur[i]) == 0;
			if (!known) {
				snprintf(msg, sizeof msg,
					 "Can't locate revision identified by '%s': the database records a revision "
					 "that no file defines",
					 cur[i]);
				unknown_f = finding(&r, 0, msg,
						    "restore the file from version control, or `strata stamp REV --purge` "
						    "at the revision the database really is at");
			}
		}
	}
	strata_strings_free(cur, ncur);
	int at_heads = 0;
	size_t pending = 0;
	if (graph_ok && !unknown_f && !unversioned_f && strata_at_heads(s, &at_heads, &pending) == 0) {
		if (pending) {
			snprintf(msg, sizeof msg, "%zu pending revision(s)", pending);
			finding(&r, 0, msg, "strata upgrade");
		} else if (at_heads) {
			finding(&r, 1, "the database is at its heads", NULL);
		}
	}
	strata_applied *ap = NULL;
	size_t nap = 0;
	if (graph_ok && !unknown_f && strata_applied_list(s, &ap, &nap) == 0) {
		int edited = 0;
		for (size_t i = 0; i < nap; i++)
			if (ap[i].edited) {
				edited = 1;
				snprintf(msg, sizeof msg,
					 "revision %s was edited after it was applied (checksum differs from strata_history)",
					 ap[i].revision);
				finding(&r, 0, msg,
					"restore the file from version control and put the change in a new revision");
			}
		if (!edited && nap)
			finding(&r, 1, "applied revisions match their files", NULL);
	}
	strata_applied_free(ap, nap);
	/* The declared schema. */
	strata_diff *d = NULL;
	if (strata_diff_schema(s, NULL, &d) == 0) {
		size_t n = d->ndifferences ? d->ndifferences : d->nops;
		char **v = d->ndifferences ? d->differences : d->ops;
		if (n) {
			snprintf(msg, sizeof msg, "%s and the database are out of sync", strata_schema_path(s));
			f = finding(&r, 0, msg,
				    pending ? "strata upgrade first, then strata migrate -m \"describe the change\""
					    : "strata migrate -m \"describe the change\", then strata upgrade");
			cJSON_AddItemToObject(f, "details", cli_json_strings((const char *const *)v, n));
		} else {
			snprintf(msg, sizeof msg, "%s matches the database", strata_schema_path(s));
			finding(&r, 1, msg, NULL);
			/* The database holds exactly what schema.sql declares: stamping it at the
			 * single head is then safe. */
			if (fix && graph_ok && nheads == 1 && (unversioned_f || unknown_f) &&
			    fix_stamp(s, heads[0]->id, unknown_f != NULL) == 0) {
				snprintf(msg, sizeof msg, "stamped the database at %s", heads[0]->id);
				fixed(&r, unversioned_f ? unversioned_f : unknown_f, msg);
			}
		}
	} else {
		finding(&r, 0, strata_errmsg(s), NULL);
	}
	strata_diff_free(d);
out:
	if (CLI_JSON(g)) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddBoolToObject(o, "healthy", r.problems == 0);
		cJSON_AddNumberToObject(o, "problems", r.problems);
		cJSON_AddItemToObject(o, "findings", r.findings);
		r.findings = NULL;
		cli_json_print(o);
	} else {
		print_text(&r);
	}
	cJSON_Delete(r.findings);
	strata_free(s);
	return r.problems ? STRATA_EFAIL : 0;
}
