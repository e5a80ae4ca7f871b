/*
 * repair: accepting an intentional edit of an applied revision (Flyway's `repair`).
 * The file's new checksum is recorded in strata_history as a "repair" row; nothing
 * of the revision runs. strata_applied_list then compares the file with it.
 */
#include "core/ctx.h"
#include "core/revspec.h"
#include "util/sha256.h"

#include <stdlib.h>
#include <string.h>

/* Resolves each of `ids` to one revision id, appended to `want`; an id that names
 * nothing, or several, is an error naming it. */
static int resolve_ids(strata *s, const char *const *ids, size_t n, strvec *want, strata_err *e)
{
	for (size_t i = 0; i < n; i++) {
		vec res = { 0 };
		int rc = revspec_resolve(s->g, ids[i], NULL, &res, e);
		if (!rc && res.n != 1)
			rc = err_set(e, STRATA_EFAIL, "repair takes revision ids, and '%s' names %zu revisions",
				     ids[i], res.n);
		if (!rc)
			strvec_push(want, ((rev *)res.v[0])->id);
		vec_free(&res);
		if (rc)
			return rc;
	}
	return 0;
}

/* Picks from `a` (strata_applied_list's records) the edited revisions to repair:
 * those in `want`, or every edited one when want is empty. */
static int pick(const strata_applied *a, size_t na, const strvec *want, strvec *out, strata_err *e)
{
	for (size_t i = 0; i < want->n; i++) {
		const strata_applied *hit = NULL;
		for (size_t j = 0; j < na && !hit; j++)
			if (a[j].known && strcmp(a[j].revision, want->v[i]) == 0)
				hit = &a[j];
		if (!hit)
			return err_set(e, STRATA_EFAIL, "cannot repair %s: the database has not applied it "
				       "(repair accepts edits of applied revisions)", want->v[i]);
		if (!hit->edited)
			return err_set(e, STRATA_EFAIL, "cannot repair %s: its file matches what was applied; "
				       "nothing to accept", want->v[i]);
		strvec_push(out, want->v[i]);
	}
	for (size_t j = 0; !want->n && j < na; j++)
		if (a[j].edited)
			strvec_push(out, a[j].revision);
	return 0;
}

int strata_repair(strata *s, const char *const *ids, size_t n, char ***done, size_t *ndone)
{
	strata_err e = STRATA_ERR_INIT;
	strvec want = { 0 }, todo = { 0 };
	strata_applied *a = NULL;
	size_t na = 0;
	int rc, locked = 0, in_tx = 0;
	*done = NULL;
	*ndone = 0;
	if ((rc = ctx_graph(s)) || (rc = ctx_connect(s)))
		return rc;
	if (s->be->lock) {
		if ((rc = s->be->lock(s->conn, &e)))
			goto done;
		locked = 1;
	}
	if ((rc = resolve_ids(s, ids, n, &want, &e)))
		goto done;
	if ((rc = strata_applied_list(s, &a, &na)))
		goto done_handle;
	if ((rc = pick(a, na, &want, &todo, &e)) || !todo.n)
		goto done;
	if ((rc = s->be->begin(s->conn, &e)))
		goto done;
	in_tx = 1;
	for (size_t i = 0; !rc && i < todo.n; i++) {
		rev *r = graph_get(s->g, todo.v[i]);
		char sum[65];
		sha256_hex_text(r->s->upgrade, strlen(r->s->upgrade), sum);
		rc = write_history(s, r->id, "repair", sum, 0, 1, &e);
	}
	if (!rc)
		rc = s->be->commit(s->conn, &e);
	in_tx = rc != 0;
	if (!rc) {
		*done = todo.v;
		*ndone = todo.n;
		todo = (strvec){ 0 };
	}
done:
	rc = rc ? ctx_take(s, &e) : 0;
done_handle:
	if (in_tx)
		s->be->rollback(s->conn, NULL);
	if (locked)
		s->be->unlock(s->conn);
	strata_applied_free(a, na);
	strvec_free(&want);
	strvec_free(&todo);
	return rc;
}
