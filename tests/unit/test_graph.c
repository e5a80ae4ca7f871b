/*
 * Unit tests for the revision graph (src/core/graph.c).
 *
 * Revisions are written as revision-file text and parsed in memory, so error messages
 * carry real "path:line" positions. The shapes: linear, branches, merges, several bases
 * with labels, depends-on, and every error graph_build reports; then the topological
 * invariants on a seeded random DAG of 2,000 revisions, checked against a brute-force
 * transitive closure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/graph.h"

/* Parses a revision: `parents` and `extra` (more header lines, each ending in "\n") may be
 * NULL. The path is "v/<file>.sql", where file defaults to the id. */
static script *mk_file(const char *file, const char *id, const char *parents, const char *extra)
{
	buf t = BUF_INIT;
	buf_printf(&t, "-- strata:revision %s\n", id);
	if (parents)
		buf_printf(&t, "-- strata:revises %s\n", parents);
	buf_printf(&t, "-- strata:message msg %s\n", id);
	if (extra)
		buf_puts(&t, extra);
	buf_puts(&t, "-- strata:upgrade\nSELECT 1;\n-- strata:downgrade\nSELECT 2;\n");
	char *path = xasprintf("v/%s.sql", file);
	script *s = NULL;
	strata_err e = STRATA_ERR_INIT;
	if (script_parse(&s, path, t.ptr, t.len, &e) != 0)
		fail_msg("fixture does not parse: %s", e.msg);
	free(path);
	buf_free(&t);
	return s;
}

static script *mk(const char *id, const char *parents, const char *extra)
{
	return mk_file(id, id, parents, extra);
}

/* Builds a graph from a NULL-terminated list of scripts; fails the test on error. */
static graph *build_ok(script *first, ...)
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
		fail_msg("graph_build failed: %s", e.msg);
	assert_null(e.msg);
	assert_non_null(g);
	assert_int_equal(v.n, 0);
	return g;
}

/* Builds a graph that must fail; returns the message (malloc'd). The scripts are owned by
 * graph_build also on failure, which the sanitizer and valgrind builds check. */
static char *build_fails(script *first, ...)
{
	vec v = { 0 };
	va_list ap;
	va_start(ap, first);
	for (script *s = first; s; s = va_arg(ap, script *))
		vec_push(&v, s);
	va_end(ap);
	graph *g = (graph *)(uintptr_t)1;
	strata_err e = STRATA_ERR_INIT;
	assert_int_equal(graph_build(&g, &v, &e), STRATA_EFAIL);
	assert_null(g);
	assert_int_equal(e.code, STRATA_EFAIL);
	assert_non_null(e.msg);
	assert_int_equal(v.n, 0);
	return e.msg;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("'%s' does not contain '%s'", hay, needle);
}

/* The ids of a vec of rev *, space-separated (malloc'd). */
static char *ids(const vec *v)
{
	buf b = BUF_INIT;
	for (size_t i = 0; i < v->n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", ((rev *)v->v[i])->id);
	return buf_detach(&b);
}

/* The ids of the marked revisions, sorted by id and space-separated (malloc'd). */
static char *marked_ids(const graph *g, const unsigned char *mark)
{
	strvec v = { 0 };
	for (size_t i = 0; i < g->order.n; i++)
		if (mark[i])
			strvec_push(&v, ((rev *)g->order.v[i])->id);
	strvec_sort(&v);
	char *j = strvec_join(&v, " ");
	strvec_free(&v);
	return j;
}

static void assert_ids(const vec *v, const char *want)
{
	char *got = ids(v);
	assert_string_equal(got, want);
	free(got);
}

/* Every revision's index is its position, and every parent and dependency comes first. */
static void assert_topological(const graph *g)
{
	for (size_t i = 0; i < g->order.n; i++) {
		const rev *r = g->order.v[i];
		assert_int_equal(r->idx, i);
		assert_ptr_equal(graph_get(g, r->id), r);
		for (size_t j = 0; j < r->parents.n; j++)
			assert_true(((rev *)r->parents.v[j])->idx < i);
		for (size_t j = 0; j < r->deps.n; j++)
			assert_true(((rev *)r->deps.v[j])->idx < i);
		for (size_t j = 0; j < r->children.n; j++)
			assert_true(vec_index(&((rev *)r->children.v[j])->parents, r) >= 0);
		for (size_t j = 0; j < r->dependents.n; j++)
			assert_true(vec_index(&((rev *)r->dependents.v[j])->deps, r) >= 0);
	}
	/* heads and bases: exactly the revisions without children / parents, in order. */
	size_t h = 0, b = 0;
	for (size_t i = 0; i < g->order.n; i++) {
		rev *r = g->order.v[i];
		if (!r->children.n) {
			assert_true(h < g->heads.n);
			assert_ptr_equal(g->heads.v[h++], r);
			assert_true(graph_is_head(r));
		}
		if (!r->parents.n) {
			assert_true(b < g->bases.n);
			assert_ptr_equal(g->bases.v[b++], r);
		}
	}
	assert_int_equal(h, g->heads.n);
	assert_int_equal(b, g->bases.n);
}

static void test_empty(void **state)
{
	(void)state;
	vec v = { 0 };
	graph *g = NULL;
	strata_err e = STRATA_ERR_INIT;
	assert_int_equal(graph_build(&g, &v, &e), 0);
	assert_non_null(g);
	assert_int_equal(g->order.n, 0);
	assert_int_equal(g->heads.n, 0);
	assert_int_equal(g->bases.n, 0);
	assert_null(graph_get(g, "anything"));
	graph_free(g);
	graph_free(NULL);
}

static void test_linear(void **state)
{
	(void)state;
	/* Given newest first: the order comes from the parents, not from the files. */
	graph *g = build_ok(mk("c3", "b2", NULL), mk("b2", "a1", NULL), mk("a1", NULL, NULL), NULL);
	assert_ids(&g->order, "a1 b2 c3");
	assert_ids(&g->heads, "c3");
	assert_ids(&g->bases, "a1");
	rev *a = graph_get(g, "a1"), *b = graph_get(g, "b2"), *c = graph_get(g, "c3");
	assert_non_null(a);
	assert_ids(&b->parents, "a1");
	assert_ids(&b->children, "c3");
	assert_ids(&a->children, "b2");
	assert_int_equal(a->parents.n, 0);
	assert_true(graph_is_head(c));
	assert_false(graph_is_head(b));
	assert_false(graph_is_branchpoint(a));
	assert_false(graph_is_mergepoint(c));
	assert_null(graph_get(g, "b"));   /* no prefix lookup here */
	assert_null(graph_get(g, "b2 ")); /* exact */
	assert_topological(g);
	graph_free(g);
}

static void test_branches_and_merge(void **state)
{
	(void)state;
	/*   a ─ b ─┬─ c ─┬─ e
	 *          └─ d ─┘      and f, a second head off b */
	graph *g = build_ok(mk("a", NULL, NULL), mk("b", "a", NULL), mk("c", "b", NULL),
			    mk("d", "b", NULL), mk("e", "c d", NULL), mk("f", "b", NULL), NULL);
	assert_topological(g);
	rev *b = graph_get(g, "b"), *e = graph_get(g, "e");
	assert_true(graph_is_branchpoint(b));
	assert_ids(&b->children, "c d f");
	assert_true(graph_is_mergepoint(e));
	assert_ids(&e->parents, "c d");
	assert_ids(&g->heads, "f e"); /* in upgrade order: f is ready before the merge */
	assert_ids(&g->bases, "a");
	assert_false(graph_is_mergepoint(b));
	graph_free(g);
}

/* Several bases, each with a branch label (Django's per-app histories). */
static void test_several_bases_with_labels(void **state)
{
	(void)state;
	graph *g = build_ok(mk("u1", NULL, "-- strata:branch-labels users\n"), mk("u2", "u1", NULL),
			    mk("o1", NULL, "-- strata:branch-labels orders shop\n"), mk("o2", "o1", NULL),
			    mk("m1", "u2 o2", NULL), NULL);
	assert_topological(g);
	assert_ids(&g->bases, "u1 o1");
	assert_ids(&g->heads, "m1");
	assert_ptr_equal(map_get(&g->by_label, "users"), graph_get(g, "u1"));
	assert_ptr_equal(map_get(&g->by_label, "orders"), graph_get(g, "o1"));
	assert_ptr_equal(map_get(&g->by_label, "shop"), graph_get(g, "o1"));
	assert_null(map_get(&g->by_label, "u1"));
	graph_free(g);

	/* A label equal to its own revision's id is harmless. */
	g = build_ok(mk("x1", NULL, "-- strata:branch-labels x1\n"), NULL);
	graph_free(g);
}

static void test_depends_on(void **state)
{
	(void)state;
	/* The dependent comes first in the files; the order must still put the dependency
	 * first. By id, by label and by prefix (>= 4 characters). */
	graph *g = build_ok(mk("b2", "b1", "-- strata:depends-on a2\n"),
			    mk("c2", "c1", "-- strata:depends-on alpha\n"),
			    mk("d2", "d1", "-- strata:depends-on c1ff\n"), mk("b1", NULL, NULL),
			    mk("c1ff00", NULL, "-- strata:branch-labels cbranch\n"),
			    mk("d1", NULL, NULL), mk("c1", NULL, NULL),
			    mk("a2", "a1", NULL), mk("a1", NULL, "-- strata:branch-labels alpha\n"), NULL);
	assert_topological(g);
	rev *b2 = graph_get(g, "b2"), *c2 = graph_get(g, "c2"), *d2 = graph_get(g, "d2");
	assert_ids(&b2->deps, "a2");
	assert_ids(&c2->deps, "a1");
	assert_ids(&d2->deps, "c1ff00");
	assert_ids(&graph_get(g, "a2")->dependents, "b2");
	/* Dependencies are not parents: b1 is still b2's only parent; a2 is still a head. */
	assert_ids(&b2->parents, "b1");
	assert_true(graph_is_head(graph_get(g, "a2")));
	/* An exact id wins over a prefix of a longer one ("c1" vs "c1ff00"). */
	graph_free(g);
	g = build_ok(mk("x", NULL, "-- strata:depends-on c1ff00\n"), mk("c1ff00", NULL, NULL),
		     mk("c1ff", NULL, NULL), mk("y", NULL, "-- strata:depends-on c1ff\n"), NULL);
	assert_ids(&graph_get(g, "y")->deps, "c1ff");
	assert_topological(g);
	graph_free(g);
}

static void test_depends_on_errors(void **state)
{
	(void)state;
	char *m = build_fails(mk("a1", NULL, NULL),
			      mk("b1", NULL, "-- strata:message x\n-- strata:depends-on nothere\n"), NULL);
	assert_string_equal(m, "v/b1.sql:4: unknown dependency 'nothere'");
	free(m);
	m = build_fails(mk("abcd01", NULL, NULL), mk("abcd02", NULL, NULL),
			mk("z", NULL, "-- strata:depends-on abcd\n"), NULL);
	assert_string_equal(m, "v/z.sql:3: ambiguous dependency 'abcd'");
	free(m);
	/* A prefix needs 4 characters. */
	m = build_fails(mk("abcd01", NULL, NULL), mk("z", NULL, "-- strata:depends-on abc\n"), NULL);
	assert_string_equal(m, "v/z.sql:3: unknown dependency 'abc'");
	free(m);
	m = build_fails(mk("self", NULL, "-- strata:depends-on self\n"), NULL);
	assert_string_equal(m, "v/self.sql:3: self-referencing dependency 'self'");
	free(m);
	m = build_fails(mk("self01", NULL, "-- strata:branch-labels me\n-- strata:depends-on me\n"), NULL);
	assert_string_equal(m, "v/self01.sql:4: self-referencing dependency 'me'");
	free(m);
}

static void test_duplicates(void **state)
{
	(void)state;
	char *m = build_fails(mk_file("one", "dup", NULL, NULL), mk("x", "dup", NULL),
			      mk_file("two", "dup", NULL, NULL), NULL);
	assert_string_equal(m, "v/two.sql:1: duplicate revision id dup (also in v/one.sql)");
	free(m);
	m = build_fails(mk("a", NULL, "-- strata:branch-labels lab\n"),
			mk("b", NULL, "-- strata:branch-labels other lab\n"), NULL);
	assert_string_equal(m, "v/b.sql: branch label 'lab' is also used by v/a.sql");
	free(m);
	/* One revision naming a label twice. */
	m = build_fails(mk("a", NULL, "-- strata:branch-labels lab lab\n"), NULL);
	assert_string_equal(m, "v/a.sql: branch label 'lab' is also used by v/a.sql");
	free(m);
	m = build_fails(mk("a", NULL, NULL), mk("b", NULL, "-- strata:branch-labels a\n"), NULL);
	assert_string_equal(m, "v/b.sql: branch label 'a' is also a revision id");
	free(m);
	m = build_fails(mk("a", NULL, NULL), mk("b", "a a", NULL), NULL);
	assert_string_equal(m, "v/b.sql:2: parent a is listed twice");
	free(m);
}

static void test_unknown_parent(void **state)
{
	(void)state;
	char *m = build_fails(mk("a1", NULL, NULL), mk("b2", "a1 nothere0000", NULL), NULL);
	assert_string_equal(m, "v/b2.sql:2: Can't locate revision identified by 'nothere0000' (parent of b2)");
	free(m);
	/* A prefix is not a parent: revises names full ids. */
	m = build_fails(mk("a1b2c3d4", NULL, NULL), mk("z", "a1b2", NULL), NULL);
	assert_contains(m, "v/z.sql:2: Can't locate revision identified by 'a1b2'");
	free(m);
}

/* A cycle message names the file and line of one member and spells the cycle out, from a
 * revision back to itself, with only the members of the cycle in it. */
static void check_cycle(const char *msg, const char *const *members, size_t n)
{
	const char *p = strstr(msg, "revision cycle: ");
	if (!p)
		fail_msg("no 'revision cycle' in '%s'", msg);
	assert_true(strncmp(msg, "v/", 2) == 0);
	assert_contains(msg, ".sql:2: revision cycle: ");
	p += strlen("revision cycle: ");
	/* Split "x -> y -> ... -> x". */
	char *copy = xstrdup(p), *save = NULL;
	strvec got = { 0 };
	for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if (strcmp(tok, "->") != 0)
			strvec_push(&got, tok);
	assert_int_equal(got.n, n + 1);
	assert_string_equal(got.v[0], got.v[n]);
	for (size_t i = 0; i < n; i++) {
		int found = 0;
		for (size_t j = 0; j < n; j++)
			found += strcmp(got.v[i], members[j]) == 0;
		if (found != 1)
			fail_msg("'%s' is not exactly once a cycle member in '%s'", got.v[i], msg);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(got.v[i], got.v[j]);
	}
	/* The file named is that of the first revision of the cycle spelled out. */
	char *want = xasprintf("v/%s.sql:", got.v[0]);
	assert_true(strncmp(msg, want, strlen(want)) == 0);
	free(want);
	strvec_free(&got);
	free(copy);
}

static void test_cycles(void **state)
{
	(void)state;
	static const char *const two[] = { "b2", "b3" };
	char *m = build_fails(mk("b1", NULL, NULL), mk("b2", "b3", NULL), mk("b3", "b2", NULL), NULL);
	check_cycle(m, two, 2);
	free(m);

	static const char *const three[] = { "x", "y", "z" };
	m = build_fails(mk("x", "z", NULL), mk("y", "x", NULL), mk("z", "y", NULL), NULL);
	check_cycle(m, three, 3);
	free(m);

	/* Revisions hanging off the cycle (descendants, a base before it) are not named. */
	m = build_fails(mk("tail1", "y", NULL), mk("tail2", "tail1", NULL), mk("root", NULL, NULL),
			mk("x", "z root", NULL), mk("y", "x", NULL), mk("z", "y", NULL), NULL);
	check_cycle(m, three, 3);
	free(m);

	/* A cycle through a dependency: named from the dependent's side too. */
	m = build_fails(mk("p", NULL, "-- strata:depends-on q\n"), mk("q", "p", NULL), NULL);
	assert_contains(m, "revision cycle: ");
	assert_true(strstr(m, "p -> q -> p") || strstr(m, "q -> p -> q"));
	free(m);
}

/* A small deterministic generator (xorshift), so the random DAG is the same on every run. */
static uint64_t rng_state;
static uint64_t rng(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

#define NRAND 2000

/* Builds the seeded random DAG: revision i has 0 to 3 parents and sometimes a dependency,
 * all among revisions < i in creation order; the files are handed over shuffled. Returns
 * the graph; perm[i] is the position in the file list of the revision created i-th. */
static graph *random_dag(uint64_t seed)
{
	rng_state = seed;
	script **made = xcalloc(NRAND, sizeof(*made));
	char id[32];
	for (size_t i = 0; i < NRAND; i++) {
		buf parents = BUF_INIT, extra = BUF_INIT;
		size_t np = i == 0 || rng() % 50 == 0 ? 0 : 1 + rng() % 3;
		size_t chosen[3];
		size_t nc = 0;
		for (size_t k = 0; k < np; k++) {
			/* Mostly recent parents, so chains are long; sometimes far ones. */
			size_t back = rng() % 4 ? 1 + rng() % 8 : 1 + rng() % i;
			size_t p = back > i ? 0 : i - back;
			int dupe = 0;
			for (size_t j = 0; j < nc; j++)
				dupe |= chosen[j] == p;
			if (dupe)
				continue;
			chosen[nc++] = p;
			buf_printf(&parents, "%sr%04zu", parents.len ? " " : "", p);
		}
		if (i > 10 && rng() % 10 == 0)
			buf_printf(&extra, "-- strata:depends-on r%04zu\n", (size_t)(rng() % i));
		if (rng() % 100 == 0)
			buf_printf(&extra, "-- strata:branch-labels lbl%zu\n", i);
		snprintf(id, sizeof id, "r%04zu", i);
		made[i] = mk(id, nc ? parents.ptr : NULL, extra.len ? extra.ptr : NULL);
		buf_free(&parents);
		buf_free(&extra);
	}
	/* Fisher-Yates shuffle of the file order. */
	for (size_t i = NRAND - 1; i > 0; i--) {
		size_t j = (size_t)(rng() % (i + 1));
		script *t = made[i];
		made[i] = made[j];
		made[j] = t;
	}
	vec v = { 0 };
	for (size_t i = 0; i < NRAND; i++)
		vec_push(&v, made[i]);
	free(made);
	graph *g = NULL;
	strata_err e = STRATA_ERR_INIT;
	if (graph_build(&g, &v, &e) != 0)
		fail_msg("random DAG: %s", e.msg);
	return g;
}

static void test_random_dag_order(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 3; seed++) {
		graph *g = random_dag(0x9E3779B97F4A7C15ull * seed);
		assert_int_equal(g->order.n, NRAND);
		assert_topological(g);
		size_t merges = 0, bases = 0;
		for (size_t i = 0; i < g->order.n; i++) {
			merges += graph_is_mergepoint(g->order.v[i]);
			bases += ((rev *)g->order.v[i])->parents.n == 0;
		}
		/* The generator made the interesting shapes. */
		assert_true(merges > 100);
		assert_true(bases > 5);
		assert_true(g->heads.n > 5);
		graph_free(g);
	}
}

/* Brute force: ancestors of r (parents and dependencies, transitively, r included), computed
 * in topological order as bit rows. */
static unsigned char *closure(const graph *g)
{
	size_t n = g->order.n;
	unsigned char *anc = xcalloc(n * n, 1);
	for (size_t i = 0; i < n; i++) {
		rev *r = g->order.v[i];
		anc[i * n + i] = 1;
		for (int pass = 0; pass < 2; pass++) {
			const vec *up = pass ? &r->deps : &r->parents;
			for (size_t j = 0; j < up->n; j++) {
				size_t p = ((rev *)up->v[j])->idx;
				for (size_t k = 0; k <= p; k++)
					anc[i * n + k] |= anc[p * n + k];
			}
		}
	}
	return anc;
}

/* graph_state moves the applied set one step at a time; after every step its heads must
 * be what graph_marked_heads gives for the same set from scratch, upgrading in plan
 * order (any revision whose parents and dependencies are applied) and downgrading
 * (any head), on the random DAG with its merges and dependencies. */
static void test_state_steps(void **state)
{
	(void)state;
	graph *g = random_dag(0xC0FFEEull);
	size_t n = g->order.n;
	graph_state st = { 0 };
	vec none = { 0 }, full = { 0 };
	unsigned char *ref = xcalloc(n, 1);
	graph_state_set(g, &st, &none);
	assert_int_equal(st.heads.n, 0);
	rng_state = 11;
	size_t applied = 0;
	for (int step = 0; step < 20000; step++) {
		/* Mostly upgrades, so the walk reaches deep into the graph. */
		int up = applied == 0 || (applied < n && rng() % 3 != 0);
		rev *r = NULL;
		for (size_t tries = 0; !r && tries < 4 * n; tries++) {
			rev *c = g->order.v[rng() % n];
			if (up && !st.mark[c->idx]) {
				int ready = 1;
				for (size_t j = 0; j < c->parents.n; j++)
					ready &= st.mark[((rev *)c->parents.v[j])->idx];
				for (size_t j = 0; j < c->deps.n; j++)
					ready &= st.mark[((rev *)c->deps.v[j])->idx];
				if (ready)
					r = c;
			} else if (!up && vec_index(&st.heads, c) >= 0) {
				r = c;
			}
		}
		if (!r)
			continue;
		/* A move the state cannot make is refused and changes nothing. */
		assert_int_equal(graph_state_step(g, &st, r, !up), -1);
		assert_int_equal(graph_state_step(g, &st, r, up), 0);
		applied += up ? 1 : (size_t)-1;
		ref[r->idx] = (unsigned char)up;
		assert_memory_equal(ref, st.mark, n);
		full.n = 0;
		graph_marked_heads(g, ref, &full);
		assert_int_equal(full.n, st.heads.n);
		for (size_t i = 0; i < full.n; i++)
			assert_ptr_equal(full.v[i], st.heads.v[i]);
		assert_true(graph_state_is(&st, &full));
	}
	assert_true(applied > 100);
	/* Setting from heads gives the same set. */
	graph_state copy = { 0 };
	graph_state_set(g, &copy, &st.heads);
	assert_memory_equal(copy.mark, st.mark, n);
	graph_state_free(&copy);
	graph_state_free(&st);
	vec_free(&full);
	free(ref);
	graph_free(g);
}

static void test_random_dag_marks(void **state)
{
	(void)state;
	graph *g = random_dag(42);
	size_t n = g->order.n;
	unsigned char *anc = closure(g);
	unsigned char *mark = xcalloc(n, 1);
	rng_state = 7;
	for (int trial = 0; trial < 60; trial++) {
		vec from = { 0 };
		size_t k = 1 + rng() % 3;
		for (size_t i = 0; i < k; i++)
			vec_push(&from, g->order.v[rng() % n]);

		memset(mark, 0, n);
		graph_mark_ancestors(g, &from, mark);
		for (size_t x = 0; x < n; x++) {
			int want = 0;
			for (size_t i = 0; i < from.n; i++)
				want |= anc[((rev *)from.v[i])->idx * n + x];
			assert_int_equal(mark[x], want);
		}
		/* The heads of the set: exactly the marked revisions without a marked child or
		 * dependant, in upgrade order. */
		vec hs = { 0 };
		graph_marked_heads(g, mark, &hs);
		size_t h = 0;
		for (size_t x = 0; x < n; x++) {
			rev *r = g->order.v[x];
			int child_marked = 0;
			for (size_t c = 0; c < r->children.n; c++)
				child_marked |= mark[((rev *)r->children.v[c])->idx];
			for (size_t c = 0; c < r->dependents.n; c++)
				child_marked |= mark[((rev *)r->dependents.v[c])->idx];
			if (mark[x] && !child_marked) {
				assert_true(h < hs.n);
				assert_ptr_equal(hs.v[h++], r);
			}
		}
		assert_int_equal(h, hs.n);
		/* Every revision of `from` without a descendant in `from` is a head. */
		for (size_t i = 0; i < from.n; i++) {
			size_t fi = ((rev *)from.v[i])->idx;
			rev *r = from.v[i];
			int below_other = 0;
			for (size_t c = 0; c < r->children.n + r->dependents.n; c++) {
				rev *up = c < r->children.n ? r->children.v[c]
							    : r->dependents.v[c - r->children.n];
				for (size_t j = 0; j < from.n; j++)
					below_other |= anc[((rev *)from.v[j])->idx * n + up->idx];
			}
			if (!below_other)
				assert_true(vec_index(&hs, g->order.v[fi]) >= 0);
		}
		vec_free(&hs);

		memset(mark, 0, n);
		graph_mark_descendants(g, &from, mark);
		for (size_t x = 0; x < n; x++) {
			int want = 0;
			for (size_t i = 0; i < from.n; i++)
				want |= anc[x * n + ((rev *)from.v[i])->idx];
			assert_int_equal(mark[x], want);
		}
		vec_free(&from);
	}
	free(mark);
	free(anc);
	graph_free(g);
}

/* graph_mark_* and graph_marked_heads on a small graph, by hand. */
static void test_marks(void **state)
{
	(void)state;
	/*   a ─ b ─┬─ c ─┬─ e      x ─ y  (y depends on c)
	 *          └─ d ─┘                                   */
	graph *g = build_ok(mk("a", NULL, NULL), mk("b", "a", NULL), mk("c", "b", NULL),
			    mk("d", "b", NULL), mk("e", "c d", NULL), mk("x", NULL, NULL),
			    mk("y", "x", "-- strata:depends-on c\n"), NULL);
	unsigned char mark[7];
	vec from = { 0 }, hs = { 0 };
#define MARKED(want)                                                                     \
	do {                                                                              \
		char *got_ = marked_ids(g, mark);                                         \
		assert_string_equal(got_, want);                                          \
		free(got_);                                                               \
	} while (0)

	vec_push(&from, graph_get(g, "y"));
	memset(mark, 0, sizeof mark);
	graph_mark_ancestors(g, &from, mark);
	MARKED("a b c x y");
	graph_marked_heads(g, mark, &hs);
	/* c's children are not marked, but y depends on c: as in Alembic's version table,
	 * only y is recorded (it implies c). */
	assert_ids(&hs, "y");
	vec_free(&hs);

	/* A lineage follows `revises` only: y (depending on c) is not on c's. */
	memset(mark, 0, sizeof mark);
	graph_mark_lineage(g, graph_get(g, "c"), mark);
	MARKED("a b c e");
	memset(mark, 0, sizeof mark);
	graph_mark_lineage(g, graph_get(g, "y"), mark);
	MARKED("x y");
	memset(mark, 0, sizeof mark);
	from.n = 0;
	vec_push(&from, graph_get(g, "c"));
	graph_mark_related(g, &from, mark, 1, 0);
	MARKED("c e");

	memset(mark, 0, sizeof mark);
	from.n = 0;
	vec_push(&from, graph_get(g, "c"));
	graph_mark_descendants(g, &from, mark);
	MARKED("c e y");

	memset(mark, 0, sizeof mark);
	from.n = 0;
	vec_push(&from, graph_get(g, "d"));
	vec_push(&from, graph_get(g, "x"));
	graph_mark_ancestors(g, &from, mark);
	MARKED("a b d x");
	graph_marked_heads(g, mark, &hs);
	assert_ids(&hs, graph_get(g, "d")->idx < graph_get(g, "x")->idx ? "d x" : "x d");
	vec_free(&hs);

	/* Marks already set are kept and not walked through again. */
	memset(mark, 0, sizeof mark);
	mark[graph_get(g, "b")->idx] = 1;
	from.n = 0;
	vec_push(&from, graph_get(g, "e"));
	graph_mark_ancestors(g, &from, mark);
	MARKED("b c d e");

	/* Empty from: nothing. */
	memset(mark, 0, sizeof mark);
	from.n = 0;
	graph_mark_descendants(g, &from, mark);
	MARKED("");
	graph_marked_heads(g, mark, &hs);
	assert_int_equal(hs.n, 0);
#undef MARKED
	vec_free(&hs);
	vec_free(&from);
	graph_free(g);
}

static int cmp_plain(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* A long list (a directory of revision files) sorts as strcmp orders it: names that
 * share 8 or 16 leading bytes, names shorter than 8 and 16, an empty name, bytes above
 * 0x7f, duplicates. */
static void test_strvec_sort_long(void **state)
{
	(void)state;
	static const char *const stems[] = { "", "a", "ab", "abcdefg", "abcdefgh", "abcdefghi",
					     "abcdefghijklmno", "abcdefghijklmnop",
					     "abcdefghijklmnopq", "e00000000001_", "\xc3\xa9t\xc3\xa9",
					     "\xff", "Z", "0001_initial" };
	const size_t nstems = sizeof stems / sizeof stems[0];
	strvec v = { 0 }, want = { 0 };
	unsigned x = 12345;
	for (size_t i = 0; i < 3000; i++) {
		x = x * 1103515245u + 12345u;
		char name[64];
		snprintf(name, sizeof name, "%s%s%u", stems[(x >> 8) % nstems], (x & 1) ? "" : "_",
			 (x >> 16) % 700);
		strvec_push(&v, name);
		strvec_push(&want, name);
	}
	strvec_sort(&v);
	qsort(want.v, want.n, sizeof(*want.v), cmp_plain);
	assert_int_equal(v.n, want.n);
	for (size_t i = 0; i < v.n; i++)
		assert_string_equal(v.v[i], want.v[i]);
	strvec_free(&v);
	strvec_free(&want);
}

/* A long chain: marking is iterative (no recursion depth), the build linear. */
static void test_long_chain(void **state)
{
	(void)state;
	size_t n = 20000;
	vec v = { 0 };
	char id[16], parent[16];
	for (size_t i = 0; i < n; i++) {
		snprintf(id, sizeof id, "c%06zu", n - 1 - i);
		snprintf(parent, sizeof parent, "c%06zu", n - 2 - i);
		vec_push(&v, mk(id, i + 1 < n ? parent : NULL, NULL));
	}
	graph *g = NULL;
	strata_err e = STRATA_ERR_INIT;
	assert_int_equal(graph_build(&g, &v, &e), 0);
	assert_int_equal(g->order.n, n);
	assert_string_equal(((rev *)g->order.v[0])->id, "c000000");
	assert_string_equal(((rev *)g->order.v[n - 1])->id, "c019999");
	unsigned char *mark = xcalloc(n, 1);
	vec from = { 0 };
	vec_push(&from, g->order.v[n - 1]);
	graph_mark_ancestors(g, &from, mark);
	for (size_t i = 0; i < n; i++)
		assert_true(mark[i]);
	vec_free(&from);
	free(mark);
	graph_free(g);
}

/* Runs every graph test; exits non-zero when one fails. */
/* The id map: reserved for n keys it takes them without growing, keeps every key
 * findable when more come, and a key put twice returns the value it replaced. */
static void test_map_reserve(void **state)
{
	(void)state;
	enum { N = 5000 };
	static char keys[2 * N][16];
	map m = { 0 };
	map_reserve(&m, N);
	size_t cap = m.cap;
	assert_true(cap >= 2 * N);
	for (size_t i = 0; i < 2 * N; i++) {
		snprintf(keys[i], sizeof keys[i], "k%zu", i);
		if (i == N)
			assert_int_equal(m.cap, cap); /* N keys fit as reserved */
		assert_null(map_put(&m, keys[i], keys[i]));
	}
	map_reserve(&m, 10); /* never shrinks */
	assert_true(m.cap >= cap);
	assert_int_equal(m.n, 2 * N);
	for (size_t i = 0; i < 2 * N; i++)
		assert_ptr_equal(map_get(&m, keys[i]), keys[i]);
	assert_null(map_get(&m, "k-none"));
	assert_ptr_equal(map_put(&m, keys[7], keys[8]), keys[7]);
	assert_ptr_equal(map_get(&m, keys[7]), keys[8]);
	assert_int_equal(m.n, 2 * N);
	map_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_reserve),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_linear),
		cmocka_unit_test(test_branches_and_merge),
		cmocka_unit_test(test_several_bases_with_labels),
		cmocka_unit_test(test_depends_on),
		cmocka_unit_test(test_depends_on_errors),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_unknown_parent),
		cmocka_unit_test(test_cycles),
		cmocka_unit_test(test_random_dag_order),
		cmocka_unit_test(test_random_dag_marks),
		cmocka_unit_test(test_state_steps),
		cmocka_unit_test(test_marks),
		cmocka_unit_test(test_long_chain),
		cmocka_unit_test(test_strvec_sort_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
