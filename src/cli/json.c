/* JSON output (--format json), built with cJSON so escaping is never by hand.
 * Field names are stable and documented in docs/json.md. */
#include "cli/json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

cJSON *cli_json_strings(const char *const *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return a;
}

void cli_json_addf(cJSON *arr, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *text = malloc((size_t)(n < 0 ? 0 : n) + 1);
	if (!text)
		abort();
	va_start(ap, fmt);
	vsnprintf(text, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap);
	va_end(ap);
	cJSON_AddItemToArray(arr, cJSON_CreateString(text));
	free(text);
}

cJSON *cli_json_revision(const strata_revision *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "revision", r->id);
	cJSON_AddItemToObject(o, "parents", cli_json_strings(r->parents, r->nparents));
	cJSON_AddStringToObject(o, "message", r->message);
	cJSON_AddItemToObject(o, "branch_labels", cli_json_strings(r->labels, r->nlabels));
	cJSON_AddItemToObject(o, "depends_on", cli_json_strings(r->depends, r->ndepends));
	cJSON_AddBoolToObject(o, "head", r->is_head);
	cJSON_AddBoolToObject(o, "branchpoint", r->is_branchpoint);
	cJSON_AddBoolToObject(o, "mergepoint", r->is_mergepoint);
	cJSON_AddBoolToObject(o, "transactional", r->transactional);
	cJSON_AddStringToObject(o, "path", r->path);
	cJSON_AddStringToObject(o, "created", r->created);
	return o;
}

void cli_json_print(cJSON *root)
{
	char *text = cJSON_Print(root);
	if (text) {
		fputs(text, stdout);
		fputc('\n', stdout);
	}
	free(text);
	cJSON_Delete(root);
}
