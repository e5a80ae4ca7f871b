/*
 * revspec: target expressions — head, heads, base, ids and prefixes, +N/-N, REV+N,
 * LABEL@head, LABEL@+N, LABEL@REV — and history ranges (A:B, A:, :B, -N:, current:).
 */
#ifndef STRATA_CORE_REVSPEC_H
#define STRATA_CORE_REVSPEC_H

#include "core/graph.h"

/* Resolves `spec` against `g`. `current` holds the database's heads (rev *) for the
 * relative forms, or NULL when unknown (relative to base then). Appends the
 * resulting revisions to `out`; nothing is appended for base. */
int revspec_resolve(const graph *g, const char *spec, const vec *current, vec *out,
		    strata_err *e);
/* The same, telling through *below whether the target lies just below the returned
 * revisions (they are to be reverted too): LABEL@base, and relative steps that
 * go down past a base revision. Such a target reverts one branch, never all. */
int revspec_resolve_ex(const graph *g, const char *spec, const vec *current, vec *out,
		       int *below, strata_err *e);
/* Looks up one revision by full id or unique prefix (at least 4 characters). */
int revspec_lookup(const graph *g, const char *id, rev **out, strata_err *e);

#endif
