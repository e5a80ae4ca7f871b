#include "core/revspec.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

int revspec_lookup(const graph *g, const char *id, rev **out, strata_err *e)
{
	*out = graph_get(g, id);
	if (*out)
		return 0;
	rev *l = map_get(&g->by_label, id);
	if (l) {
		*out = l;
		return 0;
	}
	size_t n = strlen(id);
	vec hits = { 0 };
	if (n >= 4)
		for (size_t i = 0; i < g->order.n; i++)
			if (strncmp(((rev *)g->order.v[i])->id, id, n) == 0)
				vec_push(&hits, g->order.v[i]);
	int rc = 0;
	if (hits.n == 1) {
		*out = hits.v[0];
	} else if (hits.n > 1) {
		buf b = BUF_INIT;
		for (size_t i = 0; i < hits.n && i < 10; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", ((rev *)hits.v[i])->id);
		if (hits.n > 10)
			buf_printf(&b, ", … (%zu in all)", hits.n);
		rc = err_set(e, STRATA_EFAIL, "Ambiguous revision prefix '%s': it matches %s", id, b.ptr);
		buf_free(&b);
	} else {
		rc = err_set(e, STRATA_EUNKNOWN_REVISION,
			     "Can't locate revision identified by '%s'%s", id,
			     n < 4 && n > 0 && strspn(id, "0123456789abcdef") == n
				     ? " (a prefix needs at least 4 characters)" : "");
	}
	vec_free(&hits);
	return rc;
}

/* Reads a whole signed step count ("+3", "-12") into *n. Fails (usage error, in e)
 * on anything else, on 0, and on a count strtol cannot hold or whose magnitude is
 * not a long (LONG_MIN), so walk() never negates what it cannot. */
static int parse_steps(const char *text, const char *spec, long *n, strata_err *e)
{
	char *end = NULL;
	errno = 0;
	*n = strtol(text, &end, 10);
	if (end == text || *end || *n == 0)
		return err_set(e, STRATA_EUSAGE, "invalid relative revision '%s'", spec);
	if (errno == ERANGE || *n == LONG_MIN)
		return err_set(e, STRATA_EUSAGE, "invalid relative revision '%s': the step count is out of range",
			       spec);
	return 0;
}

/* Parses a trailing +N / -N; returns the position of the sign or NULL. */
static const char *relative_suffix(const char *spec, long *n)
{
	size_t len = strlen(spec);
	size_t i = len;
	while (i > 0 && isdigit((unsigned char)spec[i - 1]))
		i--;
	if (i == len || i == 0 || (spec[i - 1] != '+' && spec[i - 1] != '-'))
		return NULL;
	if (len - i > 6)
		return NULL;
	*n = strtol(spec + i, NULL, 10);
	if (spec[i - 1] == '-')
		*n = -*n;
	return spec + i - 1;
}

static int multiple_heads(const char *spec, const vec *heads, strata_err *e)
{
	buf b = BUF_INIT;
	for (size_t i = 0; i < heads->n; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", ((rev *)heads->v[i])->id);
	int rc = err_set(e, STRATA_EMULTIPLE_HEADS,
		"Multiple head revisions are present for given argument '%s' (%s); please specify "
		"a specific target revision, 'LABEL@head' to narrow to one branch, or 'heads' for "
		"all of them. See `strata heads`; `strata merge heads -m MSG` joins them.",
		spec, b.ptr);
	buf_free(&b);
	return rc;
}

/* Walks n steps from `r` (NULL = base) along children (n > 0) or parents (n < 0);
 * *out = NULL means base. `within` limits the walk to a branch when non-NULL. */
static int walk(const graph *g, rev *r, long n, const unsigned char *within, const char *spec,
		vec *out, int *below, strata_err *e)
{
	long steps = n < 0 ? -n : n;
	for (long i = 0; i < steps; i++) {
		int last = i + 1 == steps;
		vec cand = { 0 };
		if (n > 0) {
			const vec *from = r ? &r->children : &g->bases;
			for (size_t j = 0; j < from->n; j++)
				if (!within || within[((rev *)from->v[j])->idx])
					vec_push(&cand, from->v[j]);
		} else {
			if (!r)
				return err_set(e, STRATA_EFAIL, "Relative revision %s goes past base", spec);
			for (size_t j = 0; j < r->parents.n; j++)
				vec_push(&cand, r->parents.v[j]);
			if (cand.n == 0) {
				vec_free(&cand);
				if (!last)
					return err_set(e, STRATA_EFAIL, "Relative revision %s goes past base (%s is a base revision)",
						       spec, r->id);
				/* One step below a base revision: that revision's branch reverts. */
				vec_push(out, r);
				*below = 1;
				return 0;
			}
			if (cand.n > 1 && last) {
				/* One step down from a merge point: back to all its parents. */
				for (size_t j = 0; j < cand.n; j++)
					vec_push(out, cand.v[j]);
				vec_free(&cand);
				return 0;
			}
		}
		if (cand.n == 0) {
			vec_free(&cand);
			return err_set(e, STRATA_EFAIL,
				       "Relative revision %s goes past the head (%s has no later revision)",
				       spec, r ? r->id : "base");
		}
		if (cand.n > 1) {
			buf b = BUF_INIT;
			for (size_t j = 0; j < cand.n; j++)
				buf_printf(&b, "%s%s", j ? ", " : "", ((rev *)cand.v[j])->id);
			err_set(e, STRATA_EFAIL,
				"Ambiguous relative revision %s: %s %s leads to %s; name a branch (LABEL@%+ld) or a revision",
				spec, r ? r->id : "base", n > 0 ? "upward" : "downward", b.ptr, n);
			buf_free(&b);
			vec_free(&cand);
			return STRATA_EFAIL;
		}
		r = cand.v[0];
		vec_free(&cand);
	}
	if (r)
		vec_push(out, r);
	return 0;
}

/* The one current revision to count from (NULL: base). Within a branch, as Alembic:
 * the database's heads on that lineage, else the tips of the lineage's applied part
 * (the branch's head may be implied by a dependant that is recorded instead). */
static int single_current(const graph *g, const vec *current, const unsigned char *within,
			  const char *spec, rev **out, strata_err *e)
{
	vec pick = { 0 };
	for (size_t i = 0; current && i < current->n; i++) {
		rev *r = current->v[i];
		if (!within || within[r->idx])
			vec_push(&pick, r);
	}
	if (!pick.n && within && current && current->n) {
		unsigned char *applied = xcalloc(g->order.n + 1, 1);
		graph_mark_ancestors(g, current, applied);
		for (size_t i = 0; i < g->order.n; i++)
			applied[i] = applied[i] && within[i];
		graph_marked_heads(g, applied, &pick);
		free(applied);
	}
	int rc = 0;
	*out = NULL;
	const char *at = within ? strchr(spec, '@') : NULL;
	if (pick.n > 1 && at) {
		/* LABEL@±N with the label's branch split: say so, and spell the targets. */
		buf b = BUF_INIT, alt = BUF_INIT;
		for (size_t i = 0; i < pick.n; i++) {
			buf_printf(&b, "%s%s", i ? ", " : "", ((rev *)pick.v[i])->id);
			buf_printf(&alt, "%s%s%s", i ? (i + 1 == pick.n ? " or " : ", ") : "",
				   ((rev *)pick.v[i])->id, at + 1);
		}
		rc = err_set(e, STRATA_EFAIL,
			     "Ambiguous relative revision %s: branch %.*s is at several heads in the "
			     "database (%s), so there is no single revision to count from; name the "
			     "one: %s (or give a revision id)",
			     spec, (int)(at - spec), spec, b.ptr, alt.ptr);
		buf_free(&b);
		buf_free(&alt);
	} else if (pick.n > 1) {
		buf b = BUF_INIT;
		for (size_t i = 0; i < pick.n; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", ((rev *)pick.v[i])->id);
		rc = err_set(e, STRATA_EFAIL,
			     "Ambiguous relative revision %s: the database is at several heads (%s); %s",
			     spec, b.ptr, within ? "use one of them (REV-N / REV+N)"
						 : "use LABEL@-N / LABEL@+N or a revision id");
		buf_free(&b);
	} else if (pick.n == 1) {
		*out = pick.v[0];
	}
	vec_free(&pick);
	return rc;
}

/* Marks the lineage of the labelled revision (see graph_mark_lineage). */
static unsigned char *branch_mark(const graph *g, rev *labelled)
{
	unsigned char *m = xcalloc(g->order.n + 1, 1);
	graph_mark_lineage(g, labelled, m);
	return m;
}

int revspec_resolve(const graph *g, const char *spec, const vec *current, vec *out,
		    strata_err *e)
{
	int below = 0;
	size_t before = out->n;
	int rc = revspec_resolve_ex(g, spec, current, out, &below, e);
	if (!rc && below) {
		/* Callers that cannot express "below": the parents of those revisions. */
		vec tmp = { 0 };
		for (size_t i = before; i < out->n; i++)
			vec_push(&tmp, out->v[i]);
		out->n = before;
		for (size_t i = 0; i < tmp.n; i++) {
			rev *r = tmp.v[i];
			for (size_t j = 0; j < r->parents.n; j++)
				if (vec_index(out, r->parents.v[j]) < 0)
					vec_push(out, r->parents.v[j]);
		}
		vec_free(&tmp);
	}
	return rc;
}

int revspec_resolve_ex(const graph *g, const char *spec, const vec *current, vec *out,
		       int *below, strata_err *e)
{
	int rc = 0;
	*below = 0;
	unsigned char *within = NULL;
	if (!*spec)
		return err_set(e, STRATA_EUSAGE, "empty revision target");
	if (strcmp(spec, "base") == 0)
		return 0;
	if (strcmp(spec, "heads") == 0) {
		for (size_t i = 0; i < g->heads.n; i++)
			vec_push(out, g->heads.v[i]);
		return 0;
	}
	if (strcmp(spec, "head") == 0) {
		if (g->heads.n > 1)
			return multiple_heads(spec, &g->heads, e);
		if (g->heads.n == 1)
			vec_push(out, g->heads.v[0]);
		return 0;
	}
	const char *at = strchr(spec, '@');
	if (at) {
		char *label = xstrndup(spec, (size_t)(at - spec));
		const char *rest = at + 1;
		rev *l = map_get(&g->by_label, label);
		if (!l) {
			rc = err_set(e, STRATA_EUNKNOWN_REVISION, "Can't locate revision identified by '%s': no branch label '%s'",
				     spec, label);
			free(label);
			return rc;
		}
		free(label);
		within = branch_mark(g, l);
		if (strcmp(rest, "head") == 0 || strcmp(rest, "heads") == 0) {
			vec hs = { 0 };
			for (size_t i = 0; i < g->heads.n; i++)
				if (within[((rev *)g->heads.v[i])->idx])
					vec_push(&hs, g->heads.v[i]);
			if (hs.n > 1 && strcmp(rest, "head") == 0)
				rc = multiple_heads(spec, &hs, e);
			else
				for (size_t i = 0; i < hs.n; i++)
					vec_push(out, hs.v[i]);
			vec_free(&hs);
		} else if (strcmp(rest, "base") == 0) {
			/* Below the labelled revision: its branch, not every branch. */
			vec_push(out, l);
			*below = 1;
		} else if ((rest[0] == '+' || rest[0] == '-') && rest[1]) {
			long n = 0;
			rev *cur = NULL;
			if (!(rc = parse_steps(rest, spec, &n, e)) &&
			    !(rc = single_current(g, current, within, spec, &cur, e)))
				rc = walk(g, cur, n, within, spec, out, below, e);
		} else {
			rev *r = NULL;
			long n = 0;
			const char *sign = relative_suffix(rest, &n);
			char *base = sign ? xstrndup(rest, (size_t)(sign - rest)) : xstrdup(rest);
			rc = revspec_lookup(g, base, &r, e);
			if (!rc && !within[r->idx])
				rc = err_set(e, STRATA_EFAIL, "Revision %s is not on branch '%.*s'", r->id,
					     (int)(at - spec), spec);
			if (!rc && sign)
				rc = walk(g, r, n, within, spec, out, below, e);
			else if (!rc)
				vec_push(out, r);
			free(base);
		}
		free(within);
		return rc;
	}
	if ((spec[0] == '+' || spec[0] == '-') && spec[1]) {
		long n = 0;
		if ((rc = parse_steps(spec, spec, &n, e)))
			return rc;
		rev *cur = NULL;
		if ((rc = single_current(g, current, NULL, spec, &cur, e)))
			return rc;
		return walk(g, cur, n, NULL, spec, out, below, e);
	}
	long n = 0;
	const char *sign = relative_suffix(spec, &n);
	if (sign) {
		char *base = xstrndup(spec, (size_t)(sign - spec));
		vec b = { 0 };
		int sub_below = 0;
		rc = revspec_resolve_ex(g, base, current, &b, &sub_below, e);
		free(base);
		if (!rc && b.n > 1)
			rc = multiple_heads(spec, &b, e);
		if (!rc && sub_below)
			rc = err_set(e, STRATA_EUSAGE, "invalid relative revision '%s'", spec);
		if (!rc)
			rc = walk(g, b.n ? b.v[0] : NULL, n, NULL, spec, out, below, e);
		vec_free(&b);
		return rc;
	}
	rev *r = NULL;
	if ((rc = revspec_lookup(g, spec, &r, e)))
		return rc;
	vec_push(out, r);
	return 0;
}
