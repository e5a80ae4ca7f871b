/*
 * Unit tests for target expressions (src/core/revspec.c) on graphs built in memory.
 *
 * The main fixture:
 *
 *   core:  a0001 ─ a0002 ─ a0003 ─┬─ a0004 ─┬─ m0001        (a0001 labelled "core")
 *                                 └─ b0001 ─┘                (b0001 labelled "feature")
 *   users: u0001 ─ u0002 ─ u0003                             (u0001 labelled "users")
 *   extra: x0001 ─┬─ abcd1111                                (x0001 labelled "extra")
 *                 └─ abcd2222
 *
 * so the graph has three bases and four heads: m0001, u0003, abcd1111, abcd2222.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/revspec.h"

static script *mk(const char *id, const char *parents, const char *labels)
{
	buf t = BUF_INIT;
	buf_printf(&t, "-- strata:revision %s\n-- strata:revises %s\n", id, parents ? parents : "");
	if (labels)
		buf_printf(&t, "-- strata:branch-labels %s\n", labels);
	buf_puts(&t, "-- strata:upgrade\nSELECT 1;\n");
	char *path = xasprintf("v/%s.sql", id);
	script *s = NULL;
	strata_err e = STRATA_ERR_INIT;
	if (script_parse(&s, path, t.ptr, t.len, &e) != 0)
		fail_msg("fixture does not parse: %s", e.msg);
	free(path);
	buf_free(&t);
	return s;
}

static graph *build(script *first, ...)
{
	vec v = { 0 };
	va_list ap;
	va_start(ap, first);
	for (script *s = first; s; s = va_arg(ap, script *))
		vec_push(&v, s);
	va_end(ap);
	graph *g = NULL;
	strata_err e = STRATA_ERR_INIT;
	if (graph_build(&g, &v, &e) != 0)
		fail_msg("graph_build: %s", e.msg);
	return g;
}

static graph *fixture(void)
{
	return build(mk("a0001", NULL, "core"), mk("a0002", "a0001", NULL), mk("a0003", "a0002", NULL),
		     mk("a0004", "a0003", NULL), mk("b0001", "a0003", "feature"),
		     mk("m0001", "a0004 b0001", NULL), mk("u0001", NULL, "users"),
		     mk("u0002", "u0001", NULL), mk("u0003", "u0002", NULL), mk("x0001", NULL, "extra"),
		     mk("abcd1111", "x0001", NULL), mk("abcd2222", "x0001", NULL), NULL);
}

/* A single chain c0001 … c0005, labelled "only" at its base. */
static graph *chain(void)
{
	return build(mk("c0001", NULL, "only"), mk("c0002", "c0001", NULL), mk("c0003", "c0002", NULL),
		     mk("c0004", "c0003", NULL), mk("c0005", "c0004", NULL), NULL);
}

/* A current set from space-separated ids ("" for base). The caller frees it. */
static vec current(const graph *g, const char *idlist)
{
	vec v = { 0 };
	strvec ids = { 0 };
	strvec_split_ws(&ids, idlist);
	for (size_t i = 0; i < ids.n; i++) {
		rev *r = graph_get(g, ids.v[i]);
		if (!r)
			fail_msg("no %s in the fixture", ids.v[i]);
		vec_push(&v, r);
	}
	strvec_free(&ids);
	return v;
}

static char *ids_of(const vec *v, size_t from)
{
	buf b = BUF_INIT;
	for (size_t i = from; i < v->n; i++)
		buf_printf(&b, "%s%s", i > from ? " " : "", ((rev *)v->v[i])->id);
	return buf_detach(&b);
}

/* Resolves `spec` with the current set `cur` (NULL: unknown); it must give exactly `want`
 * (space-separated ids, "" for base) and the `below` flag. revspec_resolve must agree,
 * giving the parents of the revisions instead when `below` is set. */
static void resolves_ex(const graph *g, const char *cur, const char *spec, const char *want,
			int want_below)
{
	vec c = cur ? current(g, cur) : (vec){ 0 };
	vec out = { 0 };
	/* Something already in `out` is kept: results are appended. */
	size_t keep = g->order.n ? 1 : 0;
	if (keep)
		vec_push(&out, g->order.v[0]);
	int below = -1;
	strata_err e = STRATA_ERR_INIT;
	int rc = revspec_resolve_ex(g, spec, cur ? &c : NULL, &out, &below, &e);
	if (rc)
		fail_msg("'%s' failed: %s", spec, e.msg);
	assert_null(e.msg);
	if (keep)
		assert_ptr_equal(out.v[0], g->order.v[0]);
	char *got = ids_of(&out, keep);
	if (strcmp(got, want) != 0)
		fail_msg("'%s' (current '%s') gave '%s', wanted '%s'", spec, cur ? cur : "(null)", got, want);
	assert_int_equal(below, want_below);
	free(got);

	/* revspec_resolve: the same, or the parents of the result when below. */
	vec out2 = { 0 };
	rc = revspec_resolve(g, spec, cur ? &c : NULL, &out2, &e);
	assert_int_equal(rc, 0);
	if (!want_below) {
		got = ids_of(&out2, 0);
		assert_string_equal(got, want);
		free(got);
	} else {
		vec parents = { 0 };
		for (size_t i = keep; i < out.n; i++) {
			rev *r = out.v[i];
			for (size_t j = 0; j < r->parents.n; j++)
				if (vec_index(&parents, r->parents.v[j]) < 0)
					vec_push(&parents, r->parents.v[j]);
		}
		char *a = ids_of(&out2, 0), *b = ids_of(&parents, 0);
		assert_string_equal(a, b);
		free(a);
		free(b);
		vec_free(&parents);
	}
	vec_free(&out2);
	vec_free(&out);
	vec_free(&c);
}

static void resolves(const graph *g, const char *cur, const char *spec, const char *want)
{
	resolves_ex(g, cur, spec, want, 0);
}

/* Resolving must fail with `code`, a message containing each of the NULL-terminated
 * fragments, and nothing appended. */
static void fails(const graph *g, const char *cur, const char *spec, int code, ...)
{
	vec c = cur ? current(g, cur) : (vec){ 0 };
	vec out = { 0 };
	int below = 0;
	strata_err e = STRATA_ERR_INIT;
	int rc = revspec_resolve_ex(g, spec, cur ? &c : NULL, &out, &below, &e);
	if (rc == 0) {
		char *got = ids_of(&out, 0);
		fail_msg("'%s' resolved to '%s' instead of failing", spec, got);
	}
	assert_int_equal(rc, code);
	assert_int_equal(e.code, code);
	assert_non_null(e.msg);
	assert_int_equal(out.n, 0);
	va_list ap;
	va_start(ap, code);
	for (const char *frag = va_arg(ap, const char *); frag; frag = va_arg(ap, const char *))
		if (!strstr(e.msg, frag))
			fail_msg("'%s': message '%s' lacks '%s'", spec, e.msg, frag);
	va_end(ap);
	err_clear(&e);
	/* revspec_resolve fails the same way. */
	assert_int_equal(revspec_resolve(g, spec, cur ? &c : NULL, &out, &e), code);
	assert_int_equal(out.n, 0);
	err_clear(&e);
	vec_free(&out);
	vec_free(&c);
}

static void test_head(void **state)
{
	(void)state;
	graph *g = chain();
	resolves(g, NULL, "head", "c0005");
	resolves(g, "c0002", "head", "c0005");
	resolves(g, NULL, "heads", "c0005");
	graph_free(g);

	g = fixture();
	fails(g, NULL, "head", STRATA_EMULTIPLE_HEADS, "Multiple head revisions are present", "'head'",
	      "m0001", "u0003", "abcd1111", "abcd2222", "heads", "LABEL@head", "strata merge heads",
	      NULL);
	/* In upgrade order (graph.h), which puts the short branches first here. */
	resolves(g, NULL, "heads", "abcd1111 abcd2222 u0003 m0001");
	graph_free(g);

	/* An empty graph: head is base. */
	vec none = { 0 };
	strata_err e = STRATA_ERR_INIT;
	assert_int_equal(graph_build(&g, &none, &e), 0);
	resolves(g, NULL, "head", "");
	resolves(g, NULL, "heads", "");
	resolves(g, NULL, "base", "");
	graph_free(g);
}

static void test_base(void **state)
{
	(void)state;
	graph *g = fixture();
	resolves(g, NULL, "base", "");
	resolves(g, "m0001", "base", "");
	fails(g, NULL, "", STRATA_EUSAGE, "empty revision target", NULL);
	graph_free(g);
}

static void test_ids_and_prefixes(void **state)
{
	(void)state;
	graph *g = fixture();
	resolves(g, NULL, "a0003", "a0003");
	resolves(g, NULL, "abcd1111", "abcd1111");
	resolves(g, NULL, "abcd1", "abcd1111");
	resolves(g, NULL, "m000", "m0001");
	/* A branch label alone names its revision. */
	resolves(g, NULL, "feature", "b0001");
	resolves(g, NULL, "users", "u0001");
	fails(g, NULL, "abcd", STRATA_EFAIL, "Ambiguous revision", "abcd1111", "abcd2222", NULL);
	fails(g, NULL, "a000", STRATA_EFAIL, "Ambiguous revision", "a0001", "a0002", "a0003", "a0004", NULL);
	fails(g, NULL, "zzzz9999", STRATA_EUNKNOWN_REVISION, "Can't locate revision identified by 'zzzz9999'", NULL);
	/* Prefixes need 4 characters. */
	fails(g, NULL, "m00", STRATA_EUNKNOWN_REVISION, "Can't locate revision identified by 'm00'", NULL);
	fails(g, NULL, "abc", STRATA_EUNKNOWN_REVISION, "Can't locate revision identified by 'abc'",
	      "a prefix needs at least 4 characters", NULL);
	/* Case matters, as in file names and Alembic. */
	fails(g, NULL, "A0001", STRATA_EUNKNOWN_REVISION, "Can't locate revision identified by 'A0001'", NULL);
	/* A longer string is not a prefix. */
	fails(g, NULL, "a00011", STRATA_EUNKNOWN_REVISION, "Can't locate", NULL);
	graph_free(g);
}

static void test_lookup(void **state)
{
	(void)state;
	/* More than ten candidates: the list is cut and counted. */
	vec v = { 0 };
	char id[16];
	for (int i = 0; i < 12; i++) {
		snprintf(id, sizeof id, "feed%04d", i);
		vec_push(&v, mk(id, NULL, NULL));
	}
	graph *g = NULL;
	strata_err e = STRATA_ERR_INIT;
	assert_int_equal(graph_build(&g, &v, &e), 0);
	rev *r = NULL;
	assert_int_equal(revspec_lookup(g, "feed", &r, &e), STRATA_EFAIL);
	assert_non_null(strstr(e.msg, "Ambiguous revision prefix 'feed'"));
	assert_non_null(strstr(e.msg, "feed0000"));
	assert_non_null(strstr(e.msg, "feed0009"));
	assert_null(strstr(e.msg, "feed0011"));
	assert_non_null(strstr(e.msg, "(12 in all)"));
	err_clear(&e);
	assert_int_equal(revspec_lookup(g, "feed0011", &r, &e), 0);
	assert_string_equal(r->id, "feed0011");
	assert_int_equal(revspec_lookup(g, "feed001", &r, &e), STRATA_EFAIL);
	assert_non_null(strstr(e.msg, "feed0010, feed0011"));
	err_clear(&e);
	graph_free(g);
}

/* +N / -N count from the database's current revision (base when there is none). */
static void test_relative_to_current(void **state)
{
	(void)state;
	graph *g = chain();
	resolves(g, NULL, "+1", "c0001");
	resolves(g, NULL, "+3", "c0003");
	resolves(g, "", "+2", "c0002");
	resolves(g, "c0002", "+1", "c0003");
	resolves(g, "c0002", "+3", "c0005");
	resolves(g, "c0004", "-1", "c0003");
	resolves(g, "c0004", "-3", "c0001");
	/* One step below the base revision: that branch reverts entirely. */
	resolves_ex(g, "c0004", "-4", "c0001", 1);
	resolves_ex(g, "c0001", "-1", "c0001", 1);
	fails(g, "c0004", "-5", STRATA_EFAIL, "goes past base", "c0001 is a base revision", NULL);
	fails(g, NULL, "-1", STRATA_EFAIL, "Relative revision -1 goes past base", NULL);
	fails(g, "c0004", "+2", STRATA_EFAIL, "Relative revision +2 goes past the head",
	      "c0005 has no later revision", NULL);
	fails(g, "c0005", "+1", STRATA_EFAIL, "goes past the head", NULL);
	fails(g, NULL, "+6", STRATA_EFAIL, "goes past the head", NULL);
	fails(g, "c0002", "+0", STRATA_EUSAGE, "invalid relative revision '+0'", NULL);
	fails(g, "c0002", "-0", STRATA_EUSAGE, "invalid relative revision '-0'", NULL);
	fails(g, "c0002", "+1x", STRATA_EUSAGE, "invalid relative revision '+1x'", NULL);
	fails(g, "c0002", "+ 1", STRATA_EUSAGE, "invalid relative revision", NULL);
	fails(g, "c0002", "-x", STRATA_EUSAGE, "invalid relative revision", NULL);
	fails(g, "c0002", "+", STRATA_EUNKNOWN_REVISION, "Can't locate revision identified by '+'", NULL);
	graph_free(g);
}

static void test_relative_branches(void **state)
{
	(void)state;
	graph *g = fixture();
	/* Two bases: +1 from base is ambiguous. */
	fails(g, NULL, "+1", STRATA_EFAIL, "Ambiguous relative revision +1", "a0001, u0001, x0001", NULL);
	/* The database at several heads. */
	fails(g, "a0004 b0001", "-1", STRATA_EFAIL, "Ambiguous relative revision -1",
	      "several heads", "a0004, b0001", NULL);
	/* Upward through a branch point is ambiguous. */
	fails(g, "a0002", "+2", STRATA_EFAIL, "Ambiguous relative revision +2", "a0003", "a0004, b0001",
	      NULL);
	resolves(g, "a0002", "+1", "a0003");
	/* Stepping down from a merge point gives all its parents. */
	resolves(g, "m0001", "-1", "a0004 b0001");
	/* … but not in the middle of a longer walk. */
	fails(g, "m0001", "-2", STRATA_EFAIL, "Ambiguous relative revision -2", "a0004, b0001", NULL);
	resolves(g, "b0001", "-1", "a0003");
	resolves(g, "b0001", "+1", "m0001");
	graph_free(g);
}

/* REV+N / REV-N count from a named revision (an id, a prefix, a label, head, base). */
static void test_rev_plus_minus(void **state)
{
	(void)state;
	graph *g = fixture();
	resolves(g, NULL, "a0001+2", "a0003");
	resolves(g, "u0003", "a0001+2", "a0003"); /* the current revision plays no part */
	resolves(g, NULL, "a0004+1", "m0001");
	resolves(g, NULL, "a0004-3", "a0001");
	resolves(g, NULL, "m0001-1", "a0004 b0001");
	resolves(g, NULL, "m000-1", "a0004 b0001");
	resolves(g, NULL, "users+2", "u0003");
	resolves(g, NULL, "feature-1", "a0003");
	resolves_ex(g, NULL, "a0004-4", "a0001", 1);
	resolves_ex(g, NULL, "u0001-1", "u0001", 1);
	fails(g, NULL, "a0004-5", STRATA_EFAIL, "goes past base", NULL);
	fails(g, NULL, "a0003+1", STRATA_EFAIL, "Ambiguous relative revision a0003+1", "a0004, b0001", NULL);
	fails(g, NULL, "x0001+1", STRATA_EFAIL, "Ambiguous relative revision", "abcd1111, abcd2222", NULL);
	fails(g, NULL, "m0001-2", STRATA_EFAIL, "Ambiguous relative revision m0001-2", NULL);
	fails(g, NULL, "u0003+1", STRATA_EFAIL, "goes past the head", "u0003 has no later revision", NULL);
	fails(g, NULL, "a000+1", STRATA_EFAIL, "Ambiguous revision", NULL);
	fails(g, NULL, "zzzz+1", STRATA_EUNKNOWN_REVISION, "Can't locate revision identified by 'zzzz'", NULL);
	/* More than six digits is not a step count. */
	fails(g, NULL, "a0001+1000000", STRATA_EUNKNOWN_REVISION, "Can't locate revision identified by 'a0001+1000000'", NULL);
	/* heads / head / base with a step. */
	fails(g, NULL, "heads-1", STRATA_EMULTIPLE_HEADS, "Multiple head revisions are present", NULL);
	fails(g, NULL, "head-1", STRATA_EMULTIPLE_HEADS, "Multiple head revisions are present", NULL);
	fails(g, NULL, "base+1", STRATA_EFAIL, "Ambiguous relative revision base+1", NULL);
	fails(g, NULL, "base-1", STRATA_EFAIL, "goes past base", NULL);
	graph_free(g);

	g = chain();
	resolves(g, NULL, "head-1", "c0004");
	resolves(g, NULL, "head-4", "c0001");
	resolves_ex(g, NULL, "head-5", "c0001", 1);
	resolves(g, NULL, "base+1", "c0001");
	resolves(g, NULL, "base+5", "c0005");
	resolves(g, NULL, "only+1", "c0002");
	fails(g, NULL, "head+1", STRATA_EFAIL, "goes past the head", NULL);
	fails(g, NULL, "base+6", STRATA_EFAIL, "goes past the head", NULL);
	graph_free(g);
}

/* LABEL@head, LABEL@heads, LABEL@base, LABEL@+N, LABEL@-N, LABEL@REV, LABEL@REV±N. */
static void test_label_at(void **state)
{
	(void)state;
	graph *g = fixture();
	resolves(g, NULL, "users@head", "u0003");
	resolves(g, NULL, "users@heads", "u0003");
	resolves(g, NULL, "core@head", "m0001");
	resolves(g, NULL, "feature@head", "m0001");
	resolves(g, NULL, "extra@heads", "abcd1111 abcd2222");
	fails(g, NULL, "extra@head", STRATA_EMULTIPLE_HEADS, "Multiple head revisions are present",
	      "'extra@head'", "abcd1111, abcd2222", NULL);

	/* LABEL@base: just below the labelled revision, that branch only. */
	resolves_ex(g, NULL, "users@base", "u0001", 1);
	resolves_ex(g, "m0001 u0003", "feature@base", "b0001", 1);

	/* LABEL@+N / @-N: from the current revision on that branch (base when none). */
	resolves(g, NULL, "users@+1", "u0001");
	resolves(g, NULL, "users@+3", "u0003");
	resolves(g, "m0001 u0001", "users@+1", "u0002");
	resolves(g, "m0001 u0001", "users@+2", "u0003");
	resolves(g, "m0001 u0002", "users@-1", "u0001");
	resolves_ex(g, "m0001 u0002", "users@-2", "u0001", 1);
	resolves(g, "m0001 u0002", "core@-1", "a0004 b0001");
	resolves(g, "a0002 u0002", "core@+1", "a0003");
	/* The branch of "feature" is b0001's ancestors and descendants: not a0004. */
	resolves(g, "a0003 u0002", "feature@+1", "b0001");
	resolves(g, "a0003", "feature@+2", "m0001");
	fails(g, "a0002 u0002", "core@+2", STRATA_EFAIL, "Ambiguous relative revision core@+2",
	      "a0004, b0001", NULL);
	fails(g, "m0001 u0003", "users@+1", STRATA_EFAIL, "goes past the head", NULL);
	fails(g, "m0001 u0002", "users@-3", STRATA_EFAIL, "goes past base", NULL);
	fails(g, "a0004 b0001", "core@-1", STRATA_EFAIL, "branch core is at several heads", "a0004, b0001",
	      "a0004-1 or b0001-1", NULL);
	fails(g, NULL, "users@+0", STRATA_EUSAGE, "invalid relative revision 'users@+0'", NULL);
	fails(g, NULL, "users@+1x", STRATA_EUSAGE, "invalid relative revision 'users@+1x'", NULL);
	fails(g, NULL, "users@-", STRATA_EUNKNOWN_REVISION, "Can't locate", NULL);

	/* LABEL@REV and LABEL@REV±N. */
	resolves(g, NULL, "users@u0002", "u0002");
	resolves(g, NULL, "users@u0001+2", "u0003");
	resolves(g, NULL, "users@u0003-1", "u0002");
	resolves(g, NULL, "core@m000", "m0001");
	resolves(g, NULL, "feature@a0001", "a0001"); /* an ancestor is on the branch */
	resolves_ex(g, NULL, "users@u0001-1", "u0001", 1);
	fails(g, NULL, "users@u000", STRATA_EFAIL, "Ambiguous revision", "u0001", "u0002", "u0003", NULL);
	fails(g, NULL, "users@a0002", STRATA_EFAIL, "Revision a0002 is not on branch 'users'", NULL);
	fails(g, NULL, "feature@a0004", STRATA_EFAIL, "Revision a0004 is not on branch 'feature'", NULL);
	fails(g, NULL, "users@zzzz", STRATA_EUNKNOWN_REVISION, "Can't locate revision identified by 'zzzz'", NULL);
	fails(g, NULL, "users@u0003+1", STRATA_EFAIL, "goes past the head", NULL);
	fails(g, NULL, "users@", STRATA_EUNKNOWN_REVISION, "Can't locate", NULL);

	/* Unknown labels. */
	fails(g, NULL, "nolabel@head", STRATA_EUNKNOWN_REVISION,
	      "Can't locate revision identified by 'nolabel@head': no branch label 'nolabel'", NULL);
	fails(g, NULL, "@head", STRATA_EUNKNOWN_REVISION, "no branch label ''", NULL);
	fails(g, NULL, "a0001@head", STRATA_EUNKNOWN_REVISION, "no branch label 'a0001'", NULL);
	fails(g, NULL, "users@users@head", STRATA_EUNKNOWN_REVISION, "Can't locate", NULL);
	graph_free(g);
}

/* Huge step counts are errors, never wrap-arounds: a count a long holds walks off the
 * graph; one it cannot hold (strtol's ERANGE, or LONG_MIN, which has no positive
 * counterpart) is an invalid target, a usage error. */
static void test_huge_steps(void **state)
{
	(void)state;
	graph *g = chain();
	fails(g, "c0003", "+9223372036854775807", STRATA_EFAIL, "goes past the head", NULL);
	fails(g, "c0003", "-9223372036854775807", STRATA_EFAIL, "goes past base", NULL);
	fails(g, "c0003", "only@+9223372036854775807", STRATA_EFAIL, "goes past the head", NULL);
	fails(g, NULL, "c0003+999999", STRATA_EFAIL, "goes past the head", NULL);
	fails(g, NULL, "c0003-999999", STRATA_EFAIL, "goes past base", NULL);
	fails(g, "c0003", "+99999999999999999999", STRATA_EUSAGE, "out of range", NULL);
	fails(g, "c0003", "-9223372036854775808", STRATA_EUSAGE, "out of range", NULL);
	fails(g, "c0003", "-99999999999999999999", STRATA_EUSAGE, "out of range", NULL);
	fails(g, NULL, "-99999999999999999999", STRATA_EUSAGE, "out of range", NULL);
	fails(g, "c0003", "only@-9223372036854775808", STRATA_EUSAGE, "out of range", NULL);
	fails(g, "c0003", "only@-99999999999999999999", STRATA_EUSAGE, "out of range", NULL);
	fails(g, "c0003", "only@+x", STRATA_EUSAGE, "invalid relative revision", NULL);
	graph_free(g);
}

/* A long chain of steps in one target is refused or resolved without deep recursion.
 * BUG: revspec_resolve_ex() handles REV+N by recursing on the text before the last "+N",
 * copying that text at each level and keeping every copy until the recursion returns: a
 * target of "c0001" followed by 60,000 "+1" (a 120 KB argument) needs ~O(n^2) memory
 * (1.5 GB for 40,000 steps) and overflows the stack: `strata upgrade "a+1+1+…"` dies with
 * SIGSEGV (exit 139). Enable once fixed (either answer is fine: past the head, or invalid).
static void test_deep_relative(void **state)
{
	(void)state;
	graph *g = chain();
	buf b = BUF_INIT;
	buf_puts(&b, "c0001");
	for (int i = 0; i < 100000; i++)
		buf_puts(&b, "+1");
	vec out = { 0 };
	strata_err e = STRATA_ERR_INIT;
	assert_int_not_equal(revspec_resolve(g, b.ptr, NULL, &out, &e), 0);
	assert_int_equal(out.n, 0);
	err_clear(&e);
	buf_free(&b);
	graph_free(g);
}
*/

/* A long chain: stepping and labels stay linear. */
static void test_long_chain(void **state)
{
	(void)state;
	size_t n = 5000;
	vec v = { 0 };
	char id[16], parent[16];
	for (size_t i = 0; i < n; i++) {
		snprintf(id, sizeof id, "k%06zu", i);
		snprintf(parent, sizeof parent, "k%06zu", i - 1);
		vec_push(&v, mk(id, i ? parent : NULL, i ? NULL : "long"));
	}
	graph *g = NULL;
	strata_err e = STRATA_ERR_INIT;
	assert_int_equal(graph_build(&g, &v, &e), 0);
	resolves(g, NULL, "+5000", "k004999");
	resolves(g, NULL, "long@head", "k004999");
	resolves(g, "k004999", "-4999", "k000000");
	resolves(g, "k004999", "long@-4998", "k000001");
	resolves(g, NULL, "head-4999", "k000000");
	graph_free(g);
}

/* Runs every revspec test; exits non-zero when one fails. */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_head),
		cmocka_unit_test(test_base),
		cmocka_unit_test(test_ids_and_prefixes),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_relative_to_current),
		cmocka_unit_test(test_relative_branches),
		cmocka_unit_test(test_rev_plus_minus),
		cmocka_unit_test(test_label_at),
		cmocka_unit_test(test_huge_steps),
		/* BUG: cmocka_unit_test(test_deep_relative), */
		cmocka_unit_test(test_long_chain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
