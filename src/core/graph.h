/*
 * graph: the revision graph — a DAG of revisions linked by `revises` (parents) and
 * `depends-on` (dependencies that are not parents), as in Alembic.
 *
 * Revisions are kept in a topological order (every parent and dependency before its
 * children), so "upgrade order" is simply index order. All queries are linear in
 * the size of the graph.
 */
#ifndef STRATA_CORE_GRAPH_H
#define STRATA_CORE_GRAPH_H

#include "core/script.h"
#include "util/map.h"
#include "util/vec.h"

typedef struct rev {
	script *s;       /* owned */
	const char *id;  /* s->id */
	size_t idx;      /* position in graph.order */
	vec parents;     /* rev * */
	vec children;    /* rev * */
	vec deps;        /* rev *: resolved depends-on */
	vec dependents;  /* rev * */
} rev;

typedef struct graph {
	vec order;      /* rev *, topological (upgrade) order */
	map by_id;      /* id -> rev * */
	map by_label;   /* branch label -> rev * */
	vec heads;      /* rev * without children, in order */
	vec bases;      /* rev * without parents, in order */
	struct revindex *index; /* what the scripts borrow their text from, or NULL */
	/* Storage: every rev in one array, and every revision's parents and children
	 * lists in one block (their vecs point into it and are never pushed to). */
	rev *pool;
	size_t npool;
	void **edges;
} graph;

/* Builds a graph from parsed scripts (a vec of script *, ownership taken, also on
 * failure). Fails naming the file and line on duplicate ids or labels, unknown
 * parents or dependencies, and cycles. */
int graph_build(graph **out, vec *scripts, strata_err *e);
void graph_free(graph *g);

rev *graph_get(const graph *g, const char *id);
int graph_is_head(const rev *r);
int graph_is_branchpoint(const rev *r);
int graph_is_mergepoint(const rev *r);

/* Marks (mark[idx] = 1) every revision in `from` and everything it needs: parents and
 * dependencies, transitively. `mark` has g->order.n bytes. */
void graph_mark_ancestors(const graph *g, const vec *from, unsigned char *mark);
/* Marks every revision in `from` and everything that needs it: children and
 * dependents, transitively. */
void graph_mark_descendants(const graph *g, const vec *from, unsigned char *mark);
/* The walks above with a choice: towards descendants (down) or ancestors, and along
 * dependencies too (deps) or `revises` links only. */
void graph_mark_related(const graph *g, const vec *from, unsigned char *mark, int down, int deps);
/* Marks the lineage of `r` as Alembic's branch filter sees it: r, its ancestors and
 * its descendants along `revises` links only (a dependency is another lineage). */
void graph_mark_lineage(const graph *g, rev *r, unsigned char *mark);
/* Heads of a marked set as the version table records them (Alembic's rows): marked
 * revisions that no other marked revision revises or depends on. */
void graph_marked_heads(const graph *g, const unsigned char *mark, vec *out);

/* An applied set moved one step at a time: `mark` (g->order.n bytes) marks the applied
 * revisions, `heads` (rev *, in order) are its heads as graph_marked_heads gives them.
 * A run of n steps pays O(n) once (graph_state_set) and then O(edges of the step) per
 * step, instead of O(n) per step. Starts zeroed; free with graph_state_free. */
typedef struct graph_state {
	unsigned char *mark;
	vec heads;
	int valid;
} graph_state;

/* Sets the applied set to `cur` and everything it needs (as graph_mark_ancestors). */
void graph_state_set(const graph *g, graph_state *st, const vec *cur);
/* 1 when st is valid and its heads are the set `cur` (any order). */
int graph_state_is(const graph_state *st, const vec *cur);
/* Applies (up) or reverts r. Applying needs r's parents and dependencies applied and r
 * not; reverting needs r to be a head. Returns 0, or -1 (st unchanged) when r cannot
 * move so. */
int graph_state_step(const graph *g, graph_state *st, rev *r, int up);
void graph_state_free(graph_state *st);

#endif
