/* verify: rehearse the pending revisions on a scratch copy of the database. */
#include "cli/cli.h"
#include "cli/json.h"

#include <stdlib.h>
#include <string.h>

static const char *status_word(strata_verify_status st)
{
	switch (st) {
	case STRATA_VERIFY_OK: return "ok";
	case STRATA_VERIFY_NOT_RESTORED: return "not_restored";
	case STRATA_VERIFY_IRREVERSIBLE: return "irreversible";
	case STRATA_VERIFY_FAILED: return "failed";
	case STRATA_VERIFY_SKIPPED: return "skipped";
	}
	return "?";
}

/* Prints `text` with every line after the first indented by `indent`. */
static void print_indented(const char *text, const char *indent)
{
	for (const char *p = text; *p; p++) {
		putchar(*p);
		if (*p == '\n' && p[1])
			fputs(indent, stdout);
	}
	putchar('\n');
}

/* Row counts: the tables whose count changed (every table with -v); a table that
 * lost rows is marked with '!'. */
static void print_rows(const cli_globals *g, const strata_verify_entry *en)
{
	for (size_t i = 0; i < en->nrows; i++) {
		const strata_verify_rows *r = &en->rows[i];
		if (r->before == r->after && !g->verbose)
			continue;
		int lost = r->before > 0 && r->after < r->before;
		printf("    %s rows of %s: ", lost ? "!" : " ", r->table);
		if (r->before < 0)
			printf("(new table) -> %lld\n", r->after);
		else if (r->after < 0)
			printf("%lld -> (table dropped)\n", r->before);
		else if (lost)
			printf("%lld -> %lld (%lld deleted)\n", r->before, r->after, r->before - r->after);
		else
			printf("%lld -> %lld\n", r->before, r->after);
	}
}

static void print_text(const cli_globals *g, strata *s, const strata_verify_result *res)
{
	size_t good = 0;
	if (!g->quiet)
		printf("Rehearsing %zu revision%s on a copy of %s: %s\n", res->nentries,
		       res->nentries == 1 ? "" : "s", strata_database_display(s), res->copy);
	for (size_t i = 0; i < res->nentries; i++) {
		const strata_verify_entry *en = &res->entries[i];
		const strata_revision *r = en->rev;
		good += en->status == STRATA_VERIFY_OK;
		switch (en->status) {
		case STRATA_VERIFY_OK:
			if (!g->quiet)
				printf("ok            %s %s (%.0f ms)\n", r->id, r->message, en->ms);
			break;
		case STRATA_VERIFY_NOT_RESTORED:
			printf("not restored  %s %s: downgrade does not restore the schema (%s)\n", r->id,
			       r->message, *r->path ? r->path : "compiled in");
			for (size_t j = 0; j < en->ndifferences; j++)
				printf("    %s\n", en->differences[j]);
			if (en->error) {
				printf("    then %s failed: ", en->step);
				print_indented(en->error, "    ");
			}
			break;
		case STRATA_VERIFY_IRREVERSIBLE:
			printf("irreversible  %s %s: downgrade is empty (%s)\n", r->id, r->message,
			       *r->path ? r->path : "compiled in");
			break;
		case STRATA_VERIFY_FAILED:
			printf("failed        %s %s: %s failed\n    ", r->id, r->message, en->step);
			print_indented(en->error, "    ");
			break;
		case STRATA_VERIFY_SKIPPED:
			printf("skipped       %s %s: not run, an earlier revision failed\n", r->id, r->message);
			break;
		}
		if (en->status != STRATA_VERIFY_SKIPPED && (!g->quiet || en->status != STRATA_VERIFY_OK))
			print_rows(g, en);
	}
	if (res->schema_note && !g->quiet)
		printf("note: %s\n", res->schema_note);
	const char *schema = strata_schema_path(s);
	if (res->declared_checked && res->ndeclared_differences) {
		printf("%s: the result differs from the declared schema:\n", schema);
		for (size_t j = 0; j < res->ndeclared_differences; j++)
			printf("    %s\n", res->declared_differences[j]);
	} else if (res->declared_checked) {
		if (!g->quiet)
			printf("%s: the result matches the declared schema\n", schema);
	} else if (res->declared_note && !g->quiet) {
		printf("%s: %s\n", schema, res->declared_note);
	}
	if (!g->quiet || !res->ok)
		printf("verify: %s, %zu of %zu revision%s hold%s; the database itself was not touched\n",
		       res->ok ? "OK" : "FAILED", good, res->nentries, res->nentries == 1 ? "" : "s",
		       good == 1 ? "s" : "");
}

static void print_json(strata *s, const char *target, const strata_verify_result *res)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddBoolToObject(root, "ok", res->ok);
	cJSON_AddStringToObject(root, "database", strata_database_display(s));
	cJSON_AddStringToObject(root, "target", target);
	cJSON_AddStringToObject(root, "copy", res->copy ? res->copy : "");
	cJSON *cmp = cJSON_AddObjectToObject(root, "schema_comparison");
	cJSON_AddStringToObject(cmp, "method", res->schema_note ? "catalog text" : "catalog");
	if (res->schema_note)
		cJSON_AddStringToObject(cmp, "note", res->schema_note);
	else
		cJSON_AddNullToObject(cmp, "note");
	cJSON *arr = cJSON_AddArrayToObject(root, "revisions");
	for (size_t i = 0; i < res->nentries; i++) {
		const strata_verify_entry *en = &res->entries[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "revision", en->rev->id);
		cJSON_AddStringToObject(o, "message", en->rev->message);
		cJSON_AddStringToObject(o, "path", en->rev->path);
		cJSON_AddStringToObject(o, "status", status_word(en->status));
		if (en->step)
			cJSON_AddStringToObject(o, "step", en->step);
		else
			cJSON_AddNullToObject(o, "step");
		if (en->error)
			cJSON_AddStringToObject(o, "error", en->error);
		else
			cJSON_AddNullToObject(o, "error");
		cJSON_AddItemToObject(o, "differences",
				      cli_json_strings((const char *const *)en->differences, en->ndifferences));
		cJSON *rows = cJSON_AddArrayToObject(o, "rows");
		for (size_t j = 0; j < en->nrows; j++) {
			cJSON *t = cJSON_CreateObject();
			cJSON_AddStringToObject(t, "table", en->rows[j].table);
			if (en->rows[j].before < 0)
				cJSON_AddNullToObject(t, "before");
			else
				cJSON_AddNumberToObject(t, "before", (double)en->rows[j].before);
			if (en->rows[j].after < 0)
				cJSON_AddNullToObject(t, "after");
			else
				cJSON_AddNumberToObject(t, "after", (double)en->rows[j].after);
			cJSON_AddItemToArray(rows, t);
		}
		cJSON_AddNumberToObject(o, "ms", (double)(long long)(en->ms + 0.5));
		cJSON_AddItemToArray(arr, o);
	}
	cJSON *d = cJSON_AddObjectToObject(root, "declared_schema");
	cJSON_AddStringToObject(d, "path", strata_schema_path(s));
	cJSON_AddBoolToObject(d, "checked", res->declared_checked);
	cJSON_AddBoolToObject(d, "matches", res->declared_checked && !res->ndeclared_differences);
	cJSON_AddItemToObject(d, "differences",
			      cli_json_strings((const char *const *)res->declared_differences,
					       res->ndeclared_differences));
	if (res->declared_note)
		cJSON_AddStringToObject(d, "note", res->declared_note);
	else
		cJSON_AddNullToObject(d, "note");
	cli_json_print(root);
}

int cmd_verify(cli_globals *g, cli_args *a)
{
	if (a->npos > 1)
		return cli_errorf(STRATA_EUSAGE, "usage: strata verify [TARGET] [--with-data]");
	const char *target = a->npos ? a->pos[0] : "heads";
	strata *s;
	int rc = cli_open(g, &s);
	if (rc)
		return rc;
	strata_verify_options o = STRATA_VERIFY_OPTIONS_INIT;
	o.target = target;
	o.with_data = cli_flag(a, "with-data");
	strata_verify_result *res = NULL;
	g->rehearsal = 1;
	cli_catch_signals(s);
	rc = strata_verify(s, &o, &res);
	cli_catch_signals(NULL);
	if (rc) {
		rc = cli_error(s, rc);
	} else {
		if (CLI_JSON(g))
			print_json(s, target, res);
		else
			print_text(g, s, res);
		rc = res->ok ? 0 : STRATA_EFAIL;
	}
	strata_verify_result_free(res);
	strata_free(s);
	return cli_signal_status(rc);
}
