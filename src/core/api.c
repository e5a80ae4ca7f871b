/* The handle: options, configuration, lazy connection and graph, public views. */
#include "core/ctx.h"
#include "core/revindex.h"
#include "core/revspec.h"
#include "util/fs.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ctx_fail(strata *s, int code, const char *fmt, ...)
{
	buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(s->err.msg);
	s->err.msg = buf_detach(&b);
	s->err.code = code;
	return code;
}

int ctx_take(strata *s, strata_err *e)
{
	int code = e->code ? e->code : STRATA_EFAIL;
	err_move(&s->err, e);
	s->err.code = code;
	return code;
}

void ctx_event(strata *s, const strata_event *ev)
{
	if (s->opts.on_event)
		s->opts.on_event(s->opts.event_ctx, ev);
}

void strata_interrupt(strata *s)
{
	if (!s)
		return;
	s->interrupted = 1;
	if (s->be && s->conn && s->be->interrupt)
		s->be->interrupt(s->conn);
	strata_interrupt(s->child);
}

void ctx_notice(strata *s, strata_event_kind kind, const char *fmt, ...)
{
	if (!s->opts.on_event)
		return;
	buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	strata_event ev = { 0 };
	ev.kind = kind;
	ev.text = b.ptr;
	ctx_event(s, &ev);
	buf_free(&b);
}

int strata_open(strata **out, const strata_options *opts)
{
	strata *s = xcalloc(1, sizeof(*s));
	strata_options def = STRATA_OPTIONS_INIT;
	s->opts = opts ? *opts : def;
	*out = s;
	return config_load(s);
}

static int prefetch_join(strata *s, graph **g, strata_err *e);

void ctx_drop_graph(strata *s)
{
	if (s->loading && s->loader_pid != getpid())
		s->loading = 0; /* a forked process: the thread is not there to wait for */
	if (s->loading) { /* a prefetched graph: of the files as they were, or of none */
		graph *g = NULL;
		strata_err e = STRATA_ERR_INIT;
		prefetch_join(s, &g, &e);
		graph_free(g);
		err_clear(&e);
	}
	/* The views live in these blocks; s->revs only points to them. */
	for (size_t i = 0; i < s->rev_blocks.n; i++)
		free(s->rev_blocks.v[i]);
	vec_free(&s->rev_blocks);
	graph_free(s->g);
	s->g = NULL;
	free(s->revs);
	free(s->headp);
	s->revs = NULL;
	s->headp = NULL;
	s->nheads = 0;
}

void strata_free(strata *s)
{
	if (!s)
		return;
	if (s->conn)
		s->be->disconnect(s->conn);
	ctx_drop_graph(s);
	for (size_t i = 0; i < sizeof s->step_sql / sizeof s->step_sql[0]; i++)
		free(s->step_sql[i]);
	free(s->err.msg);
	free(s->config_path);
	free(s->url);
	free(s->url_display);
	free(s->script_location);
	free(s->versions_dir);
	free(s->schema_path);
	free(s->version_schema);
	free(s->version_table);
	free(s->python);
	free(s->config_dir);
	free(s->shadow_url);
	free(s->failed_rev);
	free(s->failed_file);
	free(s);
}

const char *strata_errmsg(const strata *s)
{
	return s && s->err.msg ? s->err.msg : "";
}

int strata_errcode(const strata *s)
{
	return s ? s->err.code : STRATA_OK;
}

/* 1 when the last failure was a revision failing (the failed_* fields describe it). */
static int step_failure(const strata *s)
{
	return s && s->failed_rev &&
	       (s->err.code == STRATA_ESTEP_FAILED || s->err.code == STRATA_EINTERRUPTED);
}

const char *strata_failed_revision(const strata *s)
{
	return step_failure(s) ? s->failed_rev : NULL;
}

const char *strata_failed_file(const strata *s)
{
	return step_failure(s) ? s->failed_file : NULL;
}

int strata_failed_line(const strata *s)
{
	return step_failure(s) ? s->failed_line : 0;
}

int strata_exec(strata *s, const char *sql)
{
	strata_err e = STRATA_ERR_INIT;
	int rc = ctx_connect(s);
	if (rc)
		return rc;
	return s->be->exec(s->conn, sql, &e) ? ctx_take(s, &e) : 0;
}

int strata_query(strata *s, const char *sql, const char *const *params, size_t nparams, char ***cells,
		 size_t *nrows, size_t *ncols)
{
	strata_err e = STRATA_ERR_INIT;
	strata_rows r = { 0 };
	*cells = NULL;
	*nrows = *ncols = 0;
	int rc = ctx_connect(s);
	if (rc)
		return rc;
	if (s->be->query(s->conn, sql, params, nparams, &r, &e))
		return ctx_take(s, &e);
	*cells = r.cells;
	*nrows = r.nrows;
	*ncols = r.ncols;
	return 0;
}

const char *strata_database_display(strata *s)
{
	return s->url_display ? s->url_display : "";
}

const char *strata_versions_dir(strata *s)
{
	return s->versions_dir;
}

const char *strata_schema_path(strata *s)
{
	return s->schema_path;
}

/* The first backend of the registration table that `o` lends an open handle to, or
 * NULL; *slot gets the options' field holding it. */
static const strata_backend *lender(strata_options *o, void ***slot)
{
	for (size_t i = 0; strata_backends[i]; i++) {
		void **p = strata_backends[i]->lent_handle ? strata_backends[i]->lent_handle(o) : NULL;
		if (p && *p) {
			*slot = p;
			return strata_backends[i];
		}
	}
	return NULL;
}

/* See ctx.h. */
void *ctx_borrowed(const strata_options *o)
{
	void **slot = NULL;
	/* lent_handle only takes the field's address: nothing is written through it here. */
	return lender((strata_options *)o, &slot) ? *slot : NULL;
}

/* See ctx.h. */
void ctx_unborrow(strata_options *o)
{
	for (size_t i = 0; strata_backends[i]; i++)
		if (strata_backends[i]->lent_handle)
			*strata_backends[i]->lent_handle(o) = NULL;
}

const strata_backend *ctx_backend(strata *s)
{
	void **slot = NULL;
	const strata_backend *lent = lender(&s->opts, &slot);
	if (lent)
		return lent;
	const strata_backend *be =
		s->url && !ctx_borrowed(&s->opts) ? strata_backend_for_url(s->url) : NULL;
	return be ? be : strata_backend_for_url(strata_default_url);
}

char *ctx_url_file(strata *s, char *path)
{
	if (!path || path[0] == '/' || !s->url_from_config || !s->config_dir ||
	    strcmp(s->config_dir, ".") == 0 || strcmp(path, ":memory:") == 0)
		return path;
	char *rebased = fs_join(s->config_dir, path);
	free(path);
	return rebased;
}

void ctx_conn_opts(strata *s, strata_conn_opts *co)
{
	memset(co, 0, sizeof(*co));
	co->lock_timeout_ms = s->lock_timeout_ms;
	co->version_schema = s->version_schema;
	co->version_table = s->version_table;
	co->must_exist = s->opts.read_only;
	if (s->url_from_config && s->config_dir && strcmp(s->config_dir, ".") != 0)
		co->base_dir = s->config_dir;
}

int ctx_connect(strata *s)
{
	if (s->conn)
		return 0;
	if (!s->url && !ctx_borrowed(&s->opts))
		return ctx_fail(s, STRATA_EUSAGE,
				"no database configured: pass -d URL, set DATABASE_URL, or set 'database' in strata.ini");
	s->be = ctx_backend(s);
	strata_conn_opts co;
	ctx_conn_opts(s, &co);
	co.borrowed_handle = ctx_borrowed(&s->opts);
	strata_err e = STRATA_ERR_INIT;
	const char *url = s->url && !co.borrowed_handle ? s->url : s->be->schemes[0];
	if (s->be->connect(&s->conn, url ? url : strata_default_url, &co, &e))
		return ctx_take(s, &e);
	return 0;
}

/* Builds scripts from n compiled-in revisions (strata_options.embedded or
 * code_revisions) and appends them to `out`; on failure e names the revision. */
static int embedded_scripts(const strata_embedded_revision *list, size_t n, vec *out, strata_err *e)
{
	for (size_t i = 0; i < n; i++) {
		const strata_embedded_revision *er = &list[i];
		script *sc = xcalloc(1, sizeof(*sc));
		vec_push(out, sc);
		if (!er->id || !script_valid_id(er->id))
			return err_set(e, STRATA_EFAIL, "compiled-in revision %zu has an invalid id", i);
		if (script_reserved_id(er->id))
			return err_set(e, STRATA_EFAIL,
				       "compiled-in revision %zu: id '%s' is a target keyword (" SCRIPT_RESERVED_IDS ")",
				       i, er->id);
		sc->id = xstrdup(er->id);
		sc->path = xasprintf("<compiled-in %s>", er->id);
		if (er->message && script_control_char(er->message))
			return err_set(e, STRATA_EFAIL,
				       "compiled-in revision %s: control character 0x%02x in its message",
				       er->id, script_control_char(er->message));
		sc->message = xstrdup(er->message ? er->message : "");
		sc->created = xstrdup("");
		strvec_split_ws(&sc->parents, er->revises ? er->revises : "");
		strvec_split_ws(&sc->labels, er->branch_labels ? er->branch_labels : "");
		for (size_t j = 0; j < sc->labels.n; j++)
			if (script_reserved_id(sc->labels.v[j]))
				return err_set(e, STRATA_EFAIL,
					       "compiled-in revision %s: branch label '%s' is a target keyword ("
					       SCRIPT_RESERVED_IDS ")", er->id, sc->labels.v[j]);
		strvec_split_ws(&sc->depends, er->depends_on ? er->depends_on : "");
		sc->transactional = er->transactional;
		sc->upgrade = xstrdup(er->upgrade_sql ? er->upgrade_sql : "");
		sc->downgrade = xstrdup(er->downgrade_sql ? er->downgrade_sql : "");
		sc->upgrade_line = sc->downgrade_line = 1;
		sc->has_downgrade = er->downgrade_sql != NULL || er->downgrade_fn != NULL;
		sc->upgrade_fn = er->upgrade_fn;
		sc->downgrade_fn = er->downgrade_fn;
		sc->fn_ctx = er->fn_ctx;
	}
	return 0;
}

/* The scripts of the graph: the compiled-in revisions or the versions directory's
 * files, then the revisions written in code. *keep receives the index the files'
 * scripts borrow from (NULL when none; free it after them). */
static int graph_scripts(strata *s, vec *sc, struct revindex **keep, strata_err *e)
{
	int rc;
	*keep = NULL;
	if (s->opts.embedded)
		rc = embedded_scripts(s->opts.embedded, s->opts.nembedded, sc, e);
	else
		rc = script_load_dir_keep(sc, s->versions_dir, NULL, keep, e);
	if (!rc)
		rc = embedded_scripts(s->opts.code_revisions, s->opts.ncode_revisions, sc, e);
	return rc;
}

static const char *const empty_list[1] = { NULL };

/* Loads the revision graph into *out (NULL on failure, the error in e). Reads only the
 * handle's options, versions_dir and config_path: strata_prefetch runs it on a thread
 * while the handle is used. */
static int load_graph(strata *s, graph **out, strata_err *e)
{
	*out = NULL;
	if (!s->opts.embedded && !fs_is_dir(s->versions_dir))
		return err_set(e, STRATA_EFAIL,
			       "no revisions directory %s (run `strata init` first, or set script_location)%s",
			       s->versions_dir,
			       s->config_path ? "" : "; no strata.ini here or in a directory above");
	vec sc = { 0 };
	struct revindex *keep = NULL;
	int rc = graph_scripts(s, &sc, &keep, e);
	if (rc) {
		for (size_t i = 0; i < sc.n; i++)
			script_free(sc.v[i]);
		vec_free(&sc);
	} else {
		rc = graph_build(out, &sc, e);
	}
	/* The scripts borrow from the index: it lives as long as the graph. */
	if (rc)
		revindex_free(keep);
	else
		(*out)->index = keep;
	return rc;
}

static void *prefetch_main(void *arg)
{
	strata *s = arg;
	s->load_rc = load_graph(s, &s->loaded, &s->load_err);
	return NULL;
}

void strata_prefetch(strata *s)
{
	if (!s || s->g || s->loading)
		return;
	s->loaded = NULL;
	s->load_rc = 0;
	err_clear(&s->load_err);
	if (pthread_create(&s->loader, NULL, prefetch_main, s) == 0) {
		s->loading = 1;
		s->loader_pid = getpid();
	}
}

/* Waits for strata_prefetch's load: its graph into *g, its error into e. In a process
 * forked meanwhile the thread is not there: the child loads the graph itself (what the
 * parent's thread had allocated is left alone; it may be half built). */
static int prefetch_join(strata *s, graph **g, strata_err *e)
{
	if (s->loader_pid != getpid()) {
		s->loading = 0;
		s->loaded = NULL;
		memset(&s->load_err, 0, sizeof s->load_err);
		return load_graph(s, g, e);
	}
	pthread_join(s->loader, NULL);
	s->loading = 0;
	*g = s->loaded;
	s->loaded = NULL;
	err_move(e, &s->load_err);
	return s->load_rc;
}

int ctx_graph(strata *s)
{
	if (s->g)
		return 0;
	strata_err e = STRATA_ERR_INIT;
	graph *g = NULL;
	int rc = s->loading ? prefetch_join(s, &g, &e) : load_graph(s, &g, &e);
	if (rc)
		return ctx_take(s, &e);
	s->g = g;
	/* The views are made when first asked for (ctx_rev): `heads` on a long history
	 * makes a few, not one per revision. The array holds pointers, not the views:
	 * calloc zeroes what it hands out (memory reused from the heap is cleared by
	 * writing to it), and 8 bytes per revision are what `heads` pays. */
	s->revs = xcalloc(g->order.n + 1, sizeof(*s->revs));
	s->headp = xcalloc(g->heads.n + 1, sizeof(*s->headp));
	for (size_t i = 0; i < g->heads.n; i++)
		s->headp[i] = ctx_rev(s, g->heads.v[i]);
	s->nheads = g->heads.n;
	return 0;
}

/* The ids of the revisions in `from` (rev *) into `at`, NULL-terminated; returns the
 * slot after the NULL. */
static char **put_ids(char **at, const vec *from)
{
	for (size_t j = 0; j < from->n; j++)
		*at++ = (char *)((rev *)from->v[j])->id;
	*at++ = NULL;
	return at;
}

const strata_revision *ctx_rev(strata *s, const rev *r)
{
	if (s->revs[r->idx])
		return s->revs[r->idx];
	/* The view and its parents, children and dependencies: one block, freed with the
	 * graph. */
	size_t nids = r->parents.n + r->children.n + r->deps.n + 3;
	strata_revision *v = xmalloc(sizeof(*v) + nids * sizeof(char *));
	char **ids = (char **)(v + 1);
	vec_push(&s->rev_blocks, v);
	memset(v, 0, sizeof(*v));
	v->message = r->s->message;
	v->path = s->opts.embedded || r->s->path[0] == '<' ? "" : r->s->path;
	v->created = r->s->created ? r->s->created : "";
	v->parents = (const char *const *)ids;
	v->nparents = r->parents.n;
	ids = put_ids(ids, &r->parents);
	v->children = (const char *const *)ids;
	v->nchildren = r->children.n;
	ids = put_ids(ids, &r->children);
	v->depends = (const char *const *)ids;
	v->ndepends = r->deps.n;
	put_ids(ids, &r->deps);
	v->labels = r->s->labels.n ? (const char *const *)r->s->labels.v : empty_list;
	v->nlabels = r->s->labels.n;
	v->transactional = r->s->transactional;
	v->is_head = graph_is_head(r);
	v->is_base = r->parents.n == 0;
	v->is_branchpoint = graph_is_branchpoint(r);
	v->is_mergepoint = graph_is_mergepoint(r);
	v->upgrade_sql = r->s->upgrade;
	v->downgrade_sql = r->s->downgrade;
	v->index = r->idx;
	v->id = r->id;
	s->revs[r->idx] = v;
	return v;
}

int strata_revisions(strata *s, const strata_revision *const **out, size_t *n)
{
	int rc = ctx_graph(s);
	if (rc)
		return rc;
	/* s->revs is in upgrade order (a revision's idx is its place in g->order), and
	 * NULL-terminated. Every view made is one block: all are made when the blocks are
	 * as many as the revisions. */
	if (s->rev_blocks.n < s->g->order.n)
		for (size_t i = 0; i < s->g->order.n; i++)
			ctx_rev(s, s->g->order.v[i]);
	*out = (const strata_revision *const *)s->revs;
	*n = s->g->order.n;
	return 0;
}

int strata_heads(strata *s, const strata_revision *const **out, size_t *n)
{
	int rc = ctx_graph(s);
	if (rc)
		return rc;
	*out = s->headp;
	*n = s->nheads;
	return 0;
}

void strata_strings_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}
