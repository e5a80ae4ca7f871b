#include "core/graph.h"
#include "core/revindex.h"

#include <stdlib.h>
#include <string.h>

/* What a rev owns outside the graph's blocks: its script and dependency lists. */
static void rev_clear(rev *r)
{
	script_free(r->s);
	vec_free(&r->deps);
	vec_free(&r->dependents);
}

void graph_free(graph *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->npool; i++)
		rev_clear(&g->pool[i]);
	free(g->pool);
	free(g->edges);
	vec_free(&g->order);
	map_free(&g->by_id);
	map_free(&g->by_label);
	vec_free(&g->heads);
	vec_free(&g->bases);
	revindex_free(g->index);
	free(g);
}

rev *graph_get(const graph *g, const char *id)
{
	return map_get(&g->by_id, id);
}

int graph_is_head(const rev *r)
{
	return r->children.n == 0;
}

int graph_is_branchpoint(const rev *r)
{
	return r->children.n > 1;
}

int graph_is_mergepoint(const rev *r)
{
	return r->parents.n > 1;
}

/* Resolves a depends-on entry: an id, a branch label, or a unique id prefix. */
static rev *resolve_dep(const graph *g, vec *all, const char *name, int *ambiguous)
{
	rev *r = map_get(&g->by_id, name);
	if (!r)
		r = map_get(&g->by_label, name);
	if (r)
		return r;
	size_t nl = strlen(name);
	*ambiguous = 0;
	for (size_t i = 0; nl >= 4 && i < all->n; i++) {
		rev *c = all->v[i];
		if (strncmp(c->id, name, nl) == 0) {
			if (r)
				*ambiguous = 1;
			r = c;
		}
	}
	return *ambiguous ? NULL : r;
}

/* Describes one cycle among the revisions that Kahn's algorithm could not order. */
static int report_cycle(vec *all, const unsigned char *done, strata_err *e)
{
	rev *start = NULL;
	for (size_t i = 0; i < all->n && !start; i++)
		if (!done[((rev *)all->v[i])->idx])
			start = all->v[i];
	/* Walk unfinished parents until a revision repeats: that is a cycle. */
	unsigned char *seen = xcalloc(all->n, 1);
	rev *r = start;
	while (!seen[r->idx]) {
		seen[r->idx] = 1;
		rev *next = NULL;
		for (size_t i = 0; i < r->parents.n && !next; i++)
			if (!done[((rev *)r->parents.v[i])->idx])
				next = r->parents.v[i];
		for (size_t i = 0; i < r->deps.n && !next; i++)
			if (!done[((rev *)r->deps.v[i])->idx])
				next = r->deps.v[i];
		r = next;
	}
	buf b = BUF_INIT;
	rev *c = r;
	do {
		buf_printf(&b, "%s -> ", c->id);
		rev *next = NULL;
		for (size_t i = 0; i < c->parents.n && !next; i++)
			if (!done[((rev *)c->parents.v[i])->idx] && seen[((rev *)c->parents.v[i])->idx])
				next = c->parents.v[i];
		for (size_t i = 0; i < c->deps.n && !next; i++)
			if (!done[((rev *)c->deps.v[i])->idx] && seen[((rev *)c->deps.v[i])->idx])
				next = c->deps.v[i];
		c = next;
	} while (c && c != r);
	buf_puts(&b, r->id);
	err_set(e, STRATA_EFAIL, "%s:%d: revision cycle: %s", r->s->path,
		r->s->revises_line ? r->s->revises_line : 1, b.ptr);
	buf_free(&b);
	free(seen);
	return STRATA_EFAIL;
}

/* Resolves every revision's parents into g->edges, each list sized exactly, then
 * the children lists after them (in the order the loop below pushed them before:
 * by child, in file order). Fails naming the file and line on an unknown or repeated
 * parent. */
static int link_parents(graph *g, vec *all, strata_err *e)
{
	size_t nedges = 0;
	for (size_t i = 0; i < all->n; i++)
		nedges += ((rev *)all->v[i])->s->parents.n;
	g->edges = xcalloc(2 * nedges + 1, sizeof(*g->edges));
	size_t *nchild = xcalloc(all->n + 1, sizeof(*nchild));
	void **at = g->edges;
	int rc = 0;
	for (size_t i = 0; !rc && i < all->n; i++) {
		rev *r = all->v[i];
		r->parents = (vec){ at, 0, r->s->parents.n };
		for (size_t j = 0; j < r->s->parents.n; j++) {
			rev *p = map_get(&g->by_id, r->s->parents.v[j]);
			if (!p) {
				rc = err_set(e, STRATA_EFAIL,
					     "%s:%d: Can't locate revision identified by '%s' (parent of %s)",
					     r->s->path, r->s->revises_line, r->s->parents.v[j], r->id);
				break;
			}
			if (vec_index(&r->parents, p) >= 0) {
				rc = err_set(e, STRATA_EFAIL, "%s:%d: parent %s is listed twice", r->s->path,
					     r->s->revises_line, p->id);
				break;
			}
			r->parents.v[r->parents.n++] = p;
			nchild[p->idx]++;
		}
		at += r->s->parents.n;
	}
	for (size_t i = 0; !rc && i < all->n; i++) {
		rev *r = all->v[i];
		r->children = (vec){ at, 0, nchild[i] };
		at += nchild[i];
	}
	for (size_t i = 0; !rc && i < all->n; i++) {
		rev *r = all->v[i];
		for (size_t j = 0; j < r->parents.n; j++) {
			rev *p = r->parents.v[j];
			p->children.v[p->children.n++] = r;
		}
	}
	free(nchild);
	return rc;
}

int graph_build(graph **out, vec *scripts, strata_err *e)
{
	graph *g = xcalloc(1, sizeof(*g));
	vec all = { 0 };
	int rc = STRATA_EFAIL;
	unsigned char *done = NULL;
	size_t *pending = NULL;
	*out = NULL;
	g->pool = xcalloc(scripts->n + 1, sizeof(*g->pool));
	g->npool = scripts->n;
	for (size_t i = 0; i < scripts->n; i++) {
		rev *r = &g->pool[i];
		r->s = scripts->v[i];
		r->id = r->s->id;
		r->idx = i;
		vec_push(&all, r);
	}
	vec_free(scripts);
	map_reserve(&g->by_id, all.n);
	for (size_t i = 0; i < all.n; i++) {
		rev *r = all.v[i];
		rev *prev = map_put(&g->by_id, r->id, r);
		if (prev) {
			err_set(e, STRATA_EFAIL, "%s:1: duplicate revision id %s (also in %s)", r->s->path,
				r->id, prev->s->path);
			goto done;
		}
	}
	for (size_t i = 0; i < all.n; i++) {
		rev *r = all.v[i];
		for (size_t j = 0; j < r->s->labels.n; j++) {
			const char *l = r->s->labels.v[j];
			rev *prev = map_put(&g->by_label, l, r);
			if (prev) {
				err_set(e, STRATA_EFAIL, "%s: branch label '%s' is also used by %s",
					r->s->path, l, prev->s->path);
				goto done;
			}
			if (map_get(&g->by_id, l) && map_get(&g->by_id, l) != r) {
				err_set(e, STRATA_EFAIL, "%s: branch label '%s' is also a revision id",
					r->s->path, l);
				goto done;
			}
		}
	}
	if (link_parents(g, &all, e))
		goto done;
	for (size_t i = 0; i < all.n; i++) {
		rev *r = all.v[i];
		for (size_t j = 0; j < r->s->depends.n; j++) {
			int amb = 0;
			rev *d = resolve_dep(g, &all, r->s->depends.v[j], &amb);
			if (!d || d == r) {
				err_set(e, STRATA_EFAIL, "%s:%d: %s dependency '%s'", r->s->path,
					r->s->depends_line, amb ? "ambiguous" : d ? "self-referencing" : "unknown",
					r->s->depends.v[j]);
				goto done;
			}
			vec_push(&r->deps, d);
			vec_push(&d->dependents, r);
		}
	}
	/* Kahn's algorithm over parent and dependency edges, seeded in file order. */
	pending = xcalloc(all.n ? all.n : 1, sizeof(*pending));
	done = xcalloc(all.n ? all.n : 1, 1);
	vec queue = { 0 };
	for (size_t i = 0; i < all.n; i++) {
		rev *r = all.v[i];
		pending[i] = r->parents.n + r->deps.n;
		if (!pending[i])
			vec_push(&queue, r);
	}
	for (size_t qi = 0; qi < queue.n; qi++) {
		rev *r = queue.v[qi];
		done[r->idx] = 1;
		vec_push(&g->order, r);
		for (int pass = 0; pass < 2; pass++) {
			vec *next = pass ? &r->dependents : &r->children;
			for (size_t j = 0; j < next->n; j++) {
				rev *c = next->v[j];
				if (--pending[c->idx] == 0)
					vec_push(&queue, c);
			}
		}
	}
	vec_free(&queue);
	if (g->order.n != all.n) {
		report_cycle(&all, done, e);
		vec_free(&g->order);
		goto done;
	}
	for (size_t i = 0; i < g->order.n; i++) {
		rev *r = g->order.v[i];
		r->idx = i;
		if (!r->children.n)
			vec_push(&g->heads, r);
		if (!r->parents.n)
			vec_push(&g->bases, r);
	}
	*out = g;
	g = NULL;
	rc = 0;
done:
	graph_free(g);
	vec_free(&all);
	free(pending);
	free(done);
	return rc;
}

/* Depth-first marking along parent (and, with deps, dependency) edges or the
 * reverse, iterative so long chains cannot overflow the stack. */
static void mark_walk(const vec *from, unsigned char *mark, int down, int deps)
{
	vec stack = { 0 };
	for (size_t i = 0; i < from->n; i++)
		vec_push(&stack, from->v[i]);
	while (stack.n) {
		rev *r = stack.v[--stack.n];
		if (mark[r->idx])
			continue;
		mark[r->idx] = 1;
		const vec *a = down ? &r->children : &r->parents;
		const vec *b = down ? &r->dependents : &r->deps;
		for (size_t i = 0; i < a->n; i++)
			if (!mark[((rev *)a->v[i])->idx])
				vec_push(&stack, a->v[i]);
		for (size_t i = 0; deps && i < b->n; i++)
			if (!mark[((rev *)b->v[i])->idx])
				vec_push(&stack, b->v[i]);
	}
	vec_free(&stack);
}

void graph_mark_ancestors(const graph *g, const vec *from, unsigned char *mark)
{
	(void)g;
	mark_walk(from, mark, 0, 1);
}

void graph_mark_descendants(const graph *g, const vec *from, unsigned char *mark)
{
	(void)g;
	mark_walk(from, mark, 1, 1);
}

void graph_mark_related(const graph *g, const vec *from, unsigned char *mark, int down, int deps)
{
	(void)g;
	mark_walk(from, mark, down, deps);
}

void graph_mark_lineage(const graph *g, rev *r, unsigned char *mark)
{
	vec one = { 0 };
	(void)g;
	vec_push(&one, r);
	mark_walk(&one, mark, 0, 0);
	mark[r->idx] = 0; /* walk down from r too */
	mark_walk(&one, mark, 1, 0);
	vec_free(&one);
}

void graph_marked_heads(const graph *g, const unsigned char *mark, vec *out)
{
	for (size_t i = 0; i < g->order.n; i++) {
		rev *r = g->order.v[i];
		if (!mark[i])
			continue;
		int head = 1;
		for (size_t j = 0; j < r->children.n && head; j++)
			if (mark[((rev *)r->children.v[j])->idx])
				head = 0;
		for (size_t j = 0; j < r->dependents.n && head; j++)
			if (mark[((rev *)r->dependents.v[j])->idx])
				head = 0;
		if (head)
			vec_push(out, r);
	}
}

void graph_state_free(graph_state *st)
{
	free(st->mark);
	vec_free(&st->heads);
	memset(st, 0, sizeof(*st));
}

void graph_state_set(const graph *g, graph_state *st, const vec *cur)
{
	free(st->mark);
	st->mark = xcalloc(g->order.n + 1, 1);
	st->heads.n = 0;
	graph_mark_ancestors(g, cur, st->mark);
	graph_marked_heads(g, st->mark, &st->heads);
	st->valid = 1;
}

int graph_state_is(const graph_state *st, const vec *cur)
{
	if (!st->valid || st->heads.n != cur->n)
		return 0;
	for (size_t i = 0; i < cur->n; i++)
		if (vec_index(&st->heads, cur->v[i]) < 0)
			return 0;
	return 1;
}

/* 1 when some applied revision other than `except` revises or depends on r. */
static int needed_by_applied(const graph_state *st, const rev *r, const rev *except)
{
	for (size_t i = 0; i < r->children.n + r->dependents.n; i++) {
		const rev *c = i < r->children.n ? r->children.v[i] : r->dependents.v[i - r->children.n];
		if (c != except && st->mark[c->idx])
			return 1;
	}
	return 0;
}

/* Keeps heads in upgrade order, as graph_marked_heads lists them (few heads: insertion). */
static void heads_insert(vec *heads, rev *r)
{
	size_t i = heads->n;
	vec_push(heads, r);
	while (i > 0 && ((rev *)heads->v[i - 1])->idx > r->idx) {
		heads->v[i] = heads->v[i - 1];
		i--;
	}
	heads->v[i] = r;
}

static void heads_remove(vec *heads, const rev *r)
{
	long at = vec_index(heads, r);
	if (at < 0)
		return;
	memmove(&heads->v[at], &heads->v[at + 1], (heads->n - (size_t)at - 1) * sizeof(void *));
	heads->n--;
}

int graph_state_step(const graph *g, graph_state *st, rev *r, int up)
{
	(void)g;
	if (!st->valid)
		return -1;
	size_t np = r->parents.n, nd = r->deps.n;
	if (up) {
		/* Applied set stays closed under "needs": r's parents and dependencies are in,
		 * its children and dependents cannot be. */
		if (st->mark[r->idx])
			return -1;
		for (size_t i = 0; i < np + nd; i++)
			if (!st->mark[((rev *)(i < np ? r->parents.v[i] : r->deps.v[i - np]))->idx])
				return -1;
		for (size_t i = 0; i < np + nd; i++)
			heads_remove(&st->heads, i < np ? r->parents.v[i] : r->deps.v[i - np]);
		st->mark[r->idx] = 1;
		heads_insert(&st->heads, r);
		return 0;
	}
	if (!st->mark[r->idx] || vec_index(&st->heads, r) < 0)
		return -1;
	st->mark[r->idx] = 0;
	heads_remove(&st->heads, r);
	/* A parent or dependency becomes a head when nothing applied needs it any more. */
	for (size_t i = 0; i < np + nd; i++) {
		rev *p = i < np ? r->parents.v[i] : r->deps.v[i - np];
		if (vec_index(&st->heads, p) < 0 && !needed_by_applied(st, p, r))
			heads_insert(&st->heads, p);
	}
	return 0;
}
