/*
 * libFuzzer harness for target expressions (src/core/revspec.c).
 *
 * A small fixed graph (built once) with a merge, a branch point, three bases, branch
 * labels and ids sharing prefixes:
 *
 *   a0001 ─ a0002 ─ a0003 ─┬─ a0004 ─┬─ m0001      a0001 "core", b0001 "feature"
 *                          └─ b0001 ─┘
 *   u0001 ─ u0002 ─ u0003                          u0001 "users"
 *   x0001 ─┬─ abcd1111                             x0001 "extra" (x0002 depends on u0002)
 *          ├─ abcd2222
 *          └─ x0002
 *
 * The first input byte picks the database's current set (unknown, base, one revision, a
 * merge's parents, several heads); the rest, up to the first NUL, is the target string.
 * Checks: the status is 0, STRATA_EFAIL, STRATA_EUSAGE, or a typed unknown-revision or
 * multiple-heads code; a failure has a message and
 * appends nothing; a success appends only revisions of the graph, without duplicates;
 * revspec_resolve agrees with revspec_resolve_ex (the parents of the result when "below").
 * Build and run: see tests/fuzz/README.md (or tests/fuzz/run.sh).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/revspec.h"

#define CHECK(cond)                                                                      \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "fuzz_revspec: %s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                                         \
			abort();                                                          \
		}                                                                         \
	} while (0)

static graph *g;

static void add(vec *v, const char *id, const char *parents, const char *extra)
{
	char text[512];
	snprintf(text, sizeof text, "-- strata:revision %s\n-- strata:revises %s\n%s-- strata:upgrade\n",
		 id, parents, extra);
	script *s = NULL;
	strata_err e = STRATA_ERR_INIT;
	CHECK(script_parse(&s, id, text, strlen(text), &e) == 0);
	vec_push(v, s);
}

static void build(void)
{
	vec v = { 0 };
	strata_err e = STRATA_ERR_INIT;
	add(&v, "a0001", "", "-- strata:branch-labels core\n");
	add(&v, "a0002", "a0001", "");
	add(&v, "a0003", "a0002", "");
	add(&v, "a0004", "a0003", "");
	add(&v, "b0001", "a0003", "-- strata:branch-labels feature\n");
	add(&v, "m0001", "a0004 b0001", "");
	add(&v, "u0001", "", "-- strata:branch-labels users\n");
	add(&v, "u0002", "u0001", "");
	add(&v, "u0003", "u0002", "");
	add(&v, "x0001", "", "-- strata:branch-labels extra\n");
	add(&v, "abcd1111", "x0001", "");
	add(&v, "abcd2222", "x0001", "");
	add(&v, "x0002", "x0001", "-- strata:depends-on u0002\n");
	CHECK(graph_build(&g, &v, &e) == 0);
}

/* The current sets the first byte chooses from; NULL is "unknown". */
static const char *const currents[] = {
	NULL, "", "a0002", "m0001", "a0004 b0001", "m0001 u0003 abcd1111 abcd2222 x0002",
	"u0001", "a0001 u0001 x0001", "b0001 u0002",
};

static int in_graph(const rev *r)
{
	return r && r->idx < g->order.n && g->order.v[r->idx] == r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!g)
		build();
	if (size == 0)
		return 0;
	const char *pick = currents[data[0] % (sizeof currents / sizeof currents[0])];
	size_t n = size - 1;
	const char *nul = memchr(data + 1, '\0', n);
	if (nul)
		n = (size_t)(nul - (const char *)(data + 1));
	char *spec = malloc(n + 1);
	CHECK(spec != NULL);
	memcpy(spec, data + 1, n);
	spec[n] = '\0';

	vec cur = { 0 };
	if (pick) {
		strvec ids = { 0 };
		strvec_split_ws(&ids, pick);
		for (size_t i = 0; i < ids.n; i++) {
			rev *r = graph_get(g, ids.v[i]);
			CHECK(r != NULL);
			vec_push(&cur, r);
		}
		strvec_free(&ids);
	}
	const vec *cp = pick ? &cur : NULL;

	vec out = { 0 }, out2 = { 0 };
	strata_err e = STRATA_ERR_INIT, e2 = STRATA_ERR_INIT;
	int below = -1;
	vec_push(&out, g->order.v[0]); /* results are appended after what is there */
	int rc = revspec_resolve_ex(g, spec, cp, &out, &below, &e);
	int rc2 = revspec_resolve(g, spec, cp, &out2, &e2);
	CHECK(rc == rc2);
	CHECK(out.v[0] == g->order.v[0]);
	if (rc) {
		CHECK(rc == STRATA_EFAIL || rc == STRATA_EUSAGE || rc == STRATA_EUNKNOWN_REVISION || rc == STRATA_EMULTIPLE_HEADS);
		CHECK(e.code == rc && e.msg && *e.msg);
		CHECK(e2.msg && strcmp(e.msg, e2.msg) == 0);
		CHECK(out.n == 1 && out2.n == 0);
	} else {
		CHECK(e.msg == NULL && e2.msg == NULL);
		CHECK(below == 0 || below == 1);
		for (size_t i = 1; i < out.n; i++) {
			CHECK(in_graph(out.v[i]));
			for (size_t j = 1; j < i; j++)
				CHECK(out.v[i] != out.v[j]);
		}
		if (!below) {
			CHECK(out2.n == out.n - 1);
			for (size_t i = 0; i < out2.n; i++)
				CHECK(out2.v[i] == out.v[i + 1]);
		} else {
			CHECK(out.n > 1);
			for (size_t i = 0; i < out2.n; i++)
				CHECK(in_graph(out2.v[i]));
		}
		/* An exact id resolves to itself. */
		rev *exact = graph_get(g, spec);
		if (exact)
			CHECK(out.n == 2 && out.v[1] == exact && !below);
	}
	err_clear(&e);
	err_clear(&e2);
	vec_free(&out);
	vec_free(&out2);
	vec_free(&cur);
	free(spec);
	return 0;
}
