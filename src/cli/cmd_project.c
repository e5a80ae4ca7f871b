/* init, revision, merge: commands that write project files. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

int cmd_init(cli_globals *g, cli_args *a)
{
	strata *s;
	if (a->npos > 1)
		return cli_errorf(STRATA_EUSAGE, "usage: strata init [DIR]");
	int rc = cli_open(g, &s);
	if (rc)
		return rc;
	const char *dir = a->npos ? a->pos[0] : "migrations";
	rc = strata_init(s, dir, g->database);
	if (rc)
		rc = cli_error(s, rc);
	else if (!g->quiet)
		printf("Created %s/versions, strata.ini and schema.sql.\n"
		       "Next: declare tables in schema.sql, then `strata migrate -m \"initial\"` and `strata upgrade`.\n",
		       dir);
	strata_free(s);
	return rc;
}

void cli_revision_options(cli_args *a, strata_revision_options *o)
{
	char **v;
	o->message = cli_value(a, "message");
	o->rev_id = cli_value(a, "rev-id");
	o->splice = cli_flag(a, "splice");
	o->nlabels = (size_t)cli_values(a, "branch-label", &v);
	o->labels = (const char *const *)v;
	o->ndepends = (size_t)cli_values(a, "depends-on", &v);
	o->depends = (const char *const *)v;
	o->nparents = (size_t)cli_values(a, "head", &v);
	o->parents = (const char *const *)v;
}

/* Creates a revision from options; shared by revision and merge. */
static int new_revision(cli_globals *g, cli_args *a, const char *const *parents, size_t nparents)
{
	strata *s;
	char *path = NULL;
	if (!cli_value(a, "message"))
		return cli_errorf(STRATA_EUSAGE, "a message is required: -m \"what it does\"");
	int rc = cli_open(g, &s);
	if (rc)
		return rc;
	strata_revision_options o = STRATA_REVISION_OPTIONS_INIT;
	cli_revision_options(a, &o);
	o.parents = parents;
	o.nparents = nparents;
	rc = strata_revision_new(s, &o, &path);
	if (rc)
		rc = cli_error(s, rc);
	else
		printf("%s\n", path);
	free(path);
	strata_free(s);
	return rc;
}

int cmd_revision(cli_globals *g, cli_args *a)
{
	char **heads;
	if (a->npos)
		return cli_errorf(STRATA_EUSAGE, "unexpected argument '%s' (the message goes after -m)", a->pos[0]);
	if (cli_flag(a, "autogenerate"))
		return cmd_autogenerate(g, a);
	if (cli_flag(a, "rename") || cli_flag(a, "sql"))
		return cli_errorf(STRATA_EUSAGE, "--%s goes with --autogenerate", cli_flag(a, "sql") ? "sql" : "rename");
	int n = cli_values(a, "head", &heads);
	return new_revision(g, a, (const char *const *)heads, (size_t)n);
}

int cmd_merge(cli_globals *g, cli_args *a)
{
	if (a->npos < 1)
		return cli_errorf(STRATA_EUSAGE, "usage: strata merge REV REV... -m MSG | strata merge heads -m MSG");
	strata *s;
	int rc = cli_open(g, &s);
	if (rc)
		return rc;
	/* Expand the targets (heads, LABEL@head…) to ids so the merge names each parent. */
	char **ids = calloc(1, sizeof(char *));
	size_t nids = 0;
	for (int i = 0; !rc && i < a->npos; i++) {
		const strata_revision **r;
		size_t n;
		rc = strata_resolve(s, a->pos[i], &r, &n);
		if (rc) {
			rc = cli_error(s, rc);
			break;
		}
		ids = realloc(ids, (nids + n + 1) * sizeof(char *));
		for (size_t j = 0; j < n; j++)
			ids[nids++] = strdup(r[j]->id);
		free(r);
	}
	strata_free(s);
	if (!rc && nids < 2)
		rc = cli_errorf(STRATA_EFAIL, "a merge needs at least two revisions (there %s %zu: nothing to merge)",
				nids == 1 ? "is" : "are", nids);
	if (!rc)
		rc = new_revision(g, a, (const char *const *)ids, nids);
	strata_strings_free(ids, nids);
	return rc;
}
