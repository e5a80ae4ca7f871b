/* import: bring an Alembic / Flask-Migrate or Django history over. */
#include "cli/cli.h"
#include "cli/json.h"

#include <stdio.h>
#include <string.h>

int cmd_import(cli_globals *g, cli_args *a)
{
	strata *s;
	strata_import_options o = { 0 };
	strata_import_result r;
	if (a->npos < 1)
		return cli_errorf(STRATA_EUSAGE, "usage: strata import alembic DIR | strata import django [--settings MODULE] [APP...]");
	o.kind = a->pos[0];
	if (strcmp(o.kind, "alembic") == 0) {
		if (a->npos != 2 || cli_value(a, "settings"))
			return cli_errorf(STRATA_EUSAGE, "usage: strata import alembic DIR (the directory holding env.py and versions/)");
		o.source = a->pos[1];
	} else if (strcmp(o.kind, "django") == 0) {
		o.source = cli_value(a, "settings");
		o.apps = (const char *const *)(a->pos + 1);
		o.napps = (size_t)(a->npos - 1);
	} else {
		return cli_errorf(STRATA_EUSAGE, "strata import takes 'alembic DIR' or 'django [--settings MODULE] [APP...]', not '%s'",
				  o.kind);
	}
	int rc = cli_open(g, &s);
	if (rc)
		return rc;
	if ((rc = strata_import(s, &o, &r))) {
		rc = cli_error(s, rc);
		strata_free(s);
		return rc;
	}
	if (CLI_JSON(g)) {
		cJSON *root = cJSON_CreateObject();
		cJSON_AddStringToObject(root, "kind", o.kind);
		cJSON_AddItemToObject(root, "written", cli_json_strings((const char *const *)r.paths, r.npaths));
		cJSON_AddItemToObject(root, "warnings", cli_json_strings((const char *const *)r.warnings, r.nwarnings));
		cJSON_AddItemToObject(root, "stamped", cli_json_strings((const char *const *)r.stamped, r.nstamped));
		if (r.version_table)
			cJSON_AddStringToObject(root, "version_table", r.version_table);
		cli_json_print(root);
	} else {
		for (size_t i = 0; i < r.npaths; i++)
			printf("%s\n", r.paths[i]);
		if (!g->quiet) {
			fprintf(stderr, "Imported %zu revision%s from %s.\n", r.npaths, r.npaths == 1 ? "" : "s",
				o.kind[0] == 'a' ? o.source : "Django");
			if (r.version_table)
				fprintf(stderr,
					"strata.ini: version_table = %s (strata and Alembic now share it: the "
					"database is already at its revision)\n",
					r.version_table);
			for (size_t i = 0; i < r.nstamped; i++)
				fprintf(stderr, "Stamped %s (applied according to django_migrations)\n", r.stamped[i]);
		}
		if (r.nwarnings) {
			fprintf(stderr, "%zu step%s with no SQL form (kept as -- WARNING lines in the revisions; "
					"do them by hand where they matter):\n",
				r.nwarnings, r.nwarnings == 1 ? "" : "s");
			for (size_t i = 0; i < r.nwarnings; i++)
				fprintf(stderr, "  %s\n", r.warnings[i]);
		}
	}
	strata_import_result_free(&r);
	strata_free(s);
	return 0;
}
