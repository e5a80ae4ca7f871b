/*
 * schema_source: where the declared schema comes from (`schema = …` in strata.ini):
 * a SQL file (the default, schema.sql), `sqlalchemy:MODULE:ATTR`,
 * `django:SETTINGS[:APP,…]` or `exec:COMMAND`.
 */
#ifndef STRATA_CORE_SCHEMA_SOURCE_H
#define STRATA_CORE_SCHEMA_SOURCE_H

#include "util/buf.h"
#include "util/err.h"

struct strata;

/* Appends the declared schema's DDL to `out`. A file is read as it is; a provider
 * or command runs in the directory holding strata.ini with STRATA_DIALECT set, and
 * its standard output is the DDL. A source that fails, or prints nothing, is an
 * error naming it, with the end of its standard error. */
int schema_source_read(struct strata *s, buf *out, strata_err *e);
/* 1 when `spec` (a `schema` setting) names a file rather than a provider. */
int schema_source_is_file(const char *spec);
/* 1 when the configured source can be read: a provider always, a file when it exists. */
int schema_source_exists(struct strata *s);
/* The dialect the sources render for: STRATA_DIALECT's value ("sqlite",
 * "postgresql", …), from the configured database's backend. */
const char *schema_source_dialect(struct strata *s);
/* Runs the embedded Python `program` (src/providers/NAME.py) with the configured
 * interpreter as `python -c TEXT ARGS…` (args NULL-terminated) in the config's
 * directory with STRATA_DIALECT set; appends its standard output to `out`. A
 * non-zero exit is an error naming `what`, with the end of its standard error. */
int schema_source_run_python(struct strata *s, const char *program, const char *const *args,
			     const char *what, buf *out, strata_err *e);

#endif
