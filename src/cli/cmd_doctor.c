/* doctor: prints the library's diagnosis (strata_doctor: multiple heads, an unknown
 * revision in the database, pending revisions, tables without a version table,
 * schema.sql out of sync, edited revisions, broken files, a held lock), what is wrong
 * and the command that fixes it. --fix applies the fixes the library offers (merge the
 * heads, stamp) after asking, or without asking with --yes. Exit 0 only when healthy. */
#include "cli/cli.h"
#include "cli/json.h"

#include <stdlib.h>
#include <string.h>

/* Asks each finding's question (all yes with --yes) and applies its fix. */
static void apply_fixes(strata *s, strata_doctor_result *r, int assume_yes)
{
	for (size_t i = 0; i < r->nfindings; i++) {
		const strata_doctor_finding *f = &r->findings[i];
		if (f->action == STRATA_DOCTOR_NO_ACTION || f->ok)
			continue;
		if (!assume_yes && !cli_confirm(f->question))
			continue;
		int rc = strata_doctor_fix(s, r, i);
		if (rc)
			cli_error(s, rc);
	}
}

/* The result as doctor's JSON object (docs/json.md). */
static cJSON *to_json(const strata_doctor_result *r)
{
	cJSON *o = cJSON_CreateObject(), *a = cJSON_CreateArray();
	cJSON_AddBoolToObject(o, "healthy", r->problems == 0);
	cJSON_AddNumberToObject(o, "problems", r->problems);
	for (size_t i = 0; i < r->nfindings; i++) {
		const strata_doctor_finding *f = &r->findings[i];
		cJSON *j = cJSON_CreateObject();
		cJSON_AddBoolToObject(j, "ok", f->ok);
		cJSON_AddStringToObject(j, "check", f->check);
		cJSON_AddStringToObject(j, "message", f->message);
		if (f->fix)
			cJSON_AddStringToObject(j, "fix", f->fix);
		if (f->ndetails)
			cJSON_AddItemToObject(j, "details",
					      cli_json_strings((const char *const *)f->details, f->ndetails));
		if (f->fixed)
			cJSON_AddStringToObject(j, "fixed", f->fixed);
		cJSON_AddItemToArray(a, j);
	}
	cJSON_AddItemToObject(o, "findings", a);
	return o;
}

static void print_text(const strata_doctor_result *r)
{
	for (size_t i = 0; i < r->nfindings; i++) {
		const strata_doctor_finding *f = &r->findings[i];
		printf("[%s] %s\n", f->ok ? "ok" : "!!", f->message);
		for (size_t k = 0; k < f->ndetails; k++)
			printf("     - %s\n", f->details[k]);
		if (f->fix && !f->ok)
			printf("     fix: %s\n", f->fix);
		if (f->fixed)
			printf("     fixed: %s\n", f->fixed);
	}
	if (r->problems)
		printf("%d problem(s) found\n", r->problems);
	else
		printf("healthy\n");
}

int cmd_doctor(cli_globals *g, cli_args *a)
{
	int fix = cli_flag(a, "fix"), assume_yes = cli_flag(a, "yes");
	if (assume_yes && !fix)
		return cli_errorf(STRATA_EUSAGE, "--yes goes with --fix");
	if (a->npos)
		return cli_errorf(STRATA_EUSAGE, "unexpected argument '%s' (usage: strata doctor [--fix])", a->pos[0]);
	strata *s;
	int rc = cli_open(g, &s);
	if (rc)
		return rc;
	strata_doctor_result *r = NULL;
	rc = strata_doctor(s, &r);
	if (rc) {
		rc = cli_error(s, rc);
		goto done;
	}
	if (fix)
		apply_fixes(s, r, assume_yes);
	if (CLI_JSON(g))
		cli_json_print(to_json(r));
	else
		print_text(r);
	rc = r->problems ? STRATA_EFAIL : 0;
done:
	strata_doctor_result_free(r);
	strata_free(s);
	return rc;
}
