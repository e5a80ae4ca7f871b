/* JSON helpers for --format json. */
#ifndef STRATA_CLI_JSON_H
#define STRATA_CLI_JSON_H

#include "cli/cli.h"

#include <cJSON.h>

cJSON *cli_json_strings(const char *const *v, size_t n);
/* A revision's fields: revision, parents, message, branch_labels, depends_on, head,
 * branchpoint, mergepoint, transactional, path, created. */
cJSON *cli_json_revision(const strata_revision *r);
/* Appends a formatted string to a JSON array. */
void cli_json_addf(cJSON *arr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints and frees the document. */
void cli_json_print(cJSON *root);

#endif
