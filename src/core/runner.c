/*
 * runner: moves a database along the revision graph — upgrade, downgrade, stamp —
 * and the version-table bookkeeping behind them.
 *
 * The version table holds the heads of the applied set (Alembic's model): applying
 * a revision replaces those of its parents that were heads; reverting it brings back
 * the parents that become heads again. Each step runs in its own transaction with
 * its version rows and history row, and re-reads the version table under the write
 * lock first, so concurrent migrators never run a revision twice.
 */
#define _POSIX_C_SOURCE 200809L
#include "core/ctx.h"
#include "core/revspec.h"
#include "core/split.h"
#include "util/sha256.h"
#include "util/fs.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void utc_now(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm);
}

/* Runs `fmt` (a query with one %s, where strata table `table`'s qualified name
 * goes) and appends the non-NULL values of its first column to `out`. */
static int query_column(strata *s, const char *table, const char *fmt, strvec *out, strata_err *e)
{
	char *t = s->be->table_name(s->conn, NULL, table);
	char *sql = xasprintf(fmt, t);
	strata_rows r = { 0 };
	int rc = s->be->query(s->conn, sql, NULL, 0, &r, e);
	for (size_t i = 0; !rc && i < r.nrows; i++)
		if (r.cells[i * r.ncols])
			strvec_push(out, r.cells[i * r.ncols]);
	strata_rows_free(&r);
	free(sql);
	free(t);
	return rc;
}

/* Reads the version table (missing table: no rows). `exists` 1 skips asking the
 * catalog, for a caller that created the table itself. */
static int read_versions_ex(strata *s, strvec *ids, int exists, strata_err *e)
{
	int rc = exists ? 0 : s->be->table_exists(s->conn, s->version_table, &exists, e);
	if (rc || !exists)
		return rc;
	return query_column(s, s->version_table, "SELECT version_num FROM %s ORDER BY version_num", ids, e);
}

static int read_versions(strata *s, strvec *ids, strata_err *e)
{
	return read_versions_ex(s, ids, 0, e);
}

/* Maps version ids to graph revisions; an unknown id is the classic
 * "Can't locate revision" failure. */
static int known_heads(strata *s, const strvec *ids, vec *out, strata_err *e)
{
	for (size_t i = 0; i < ids->n; i++) {
		rev *r = graph_get(s->g, ids->v[i]);
		if (!r)
			return err_set(e, STRATA_EUNKNOWN_REVISION,
				       "Can't locate revision identified by '%s': the database records it in "
				       "%s but no file in %s defines it. Restore the file, or "
				       "record where the database really is with `strata stamp <revision> --purge`.",
				       ids->v[i], s->version_table, s->versions_dir);
		vec_push(out, r);
	}
	return 0;
}

static int db_heads_ex(strata *s, vec *out, int exists, strata_err *e)
{
	strvec ids = { 0 };
	int rc = read_versions_ex(s, &ids, exists, e);
	if (!rc)
		rc = known_heads(s, &ids, out, e);
	strvec_free(&ids);
	return rc;
}

static int db_heads(strata *s, vec *out, strata_err *e)
{
	return db_heads_ex(s, out, 0, e);
}

int strata_current(strata *s, char ***ids, size_t *n)
{
	strata_err e = STRATA_ERR_INIT;
	strvec v = { 0 };
	*ids = NULL;
	*n = 0;
	int rc = ctx_connect(s);
	if (rc)
		return rc;
	if (read_versions(s, &v, &e)) {
		strvec_free(&v);
		return ctx_take(s, &e);
	}
	*ids = v.v;
	*n = v.n;
	return 0;
}

int strata_resolve(strata *s, const char *target, const strata_revision ***out, size_t *n)
{
	strata_err e = STRATA_ERR_INIT;
	vec cur = { 0 }, res = { 0 };
	int rc = ctx_graph(s);
	*out = NULL;
	*n = 0;
	if (rc)
		return rc;
	/* Relative targets need the database; others resolve offline. */
	int relative = strchr(target, '+') || (target[0] == '-') || strstr(target, "@-");
	if (relative) {
		if ((rc = ctx_connect(s)))
			return rc;
		if (db_heads(s, &cur, &e))
			goto fail;
	}
	if (revspec_resolve(s->g, target, &cur, &res, &e))
		goto fail;
	*out = xcalloc(res.n + 1, sizeof(**out));
	for (size_t i = 0; i < res.n; i++)
		(*out)[i] = ctx_rev(s, res.v[i]);
	*n = res.n;
	vec_free(&cur);
	vec_free(&res);
	return 0;
fail:
	vec_free(&cur);
	vec_free(&res);
	return ctx_take(s, &e);
}

/* Fills via[] (parallel to g->order) for the revisions in `want` that are there
 * through a dependency rather than the targets' own lineage (`own`): upgrading, the
 * dependant that needs them; downgrading, the reverted revision they depend on.
 * Walks from the targets outwards, so a revision inherits the reason of the one that
 * brought it in. */
static void plan_reasons(const graph *g, int up, const unsigned char *want,
			 const unsigned char *own, rev **via)
{
	size_t n = g->order.n;
	for (size_t k = 0; k < n; k++) {
		size_t i = up ? n - 1 - k : k;
		rev *r = g->order.v[i];
		if (!want[i])
			continue;
		const vec *lin = up ? &r->parents : &r->children;
		const vec *dep = up ? &r->deps : &r->dependents;
		for (size_t j = 0; j < lin->n + dep->n; j++) {
			rev *o = j < lin->n ? lin->v[j] : dep->v[j - lin->n];
			rev *why = j < lin->n ? via[i] : up ? r : (via[i] ? via[i] : r);
			if (want[o->idx] && !own[o->idx] && !via[o->idx] && why)
				via[o->idx] = why;
		}
	}
}

/* The revisions to run, in order, from heads `cur` towards `target`, as Alembic
 * plans them: an upgrade applies what the targets need (dependencies included);
 * a downgrade reverts what stands above the targets — their children's
 * descendants, and the dependants of those — never a revision that only depends on
 * a target that stays. `below`: the targets go too. `via`, when not NULL, receives
 * for each step the revision whose dependency brought it in (NULL: none). */
static int plan_steps(const graph *g, const vec *cur, int up, const vec *target, int below,
		      vec *steps, vec *via, strata_err *e)
{
	size_t n = g->order.n;
	unsigned char *applied = xcalloc(n + 1, 1);
	unsigned char *want = xcalloc(n + 1, 1);
	unsigned char *own = xcalloc(n + 1, 1);
	rev **why = xcalloc(n + 1, sizeof(*why));
	vec roots = { 0 };
	int rc = 0;
	graph_mark_ancestors(g, cur, applied);
	if (up) {
		graph_mark_ancestors(g, target, want);
		graph_mark_related(g, target, own, 0, 0);
		for (size_t i = 0; i < n; i++)
			want[i] = want[i] && !applied[i];
	} else {
		for (size_t i = 0; !below && i < target->n; i++) {
			rev *t = target->v[i];
			if (!applied[t->idx]) {
				rc = err_set(e, STRATA_EFAIL,
					     "Destination %s is not a valid downgrade target: the database has not reached it",
					     t->id);
				goto done;
			}
		}
		if (target->n) {
			for (size_t i = 0; i < target->n; i++) {
				rev *t = target->v[i];
				const vec *from = below ? NULL : &t->children;
				if (!from)
					vec_push(&roots, t);
				for (size_t j = 0; from && j < from->n; j++)
					if (vec_index(&roots, from->v[j]) < 0)
						vec_push(&roots, from->v[j]);
			}
			graph_mark_descendants(g, &roots, want);
			graph_mark_related(g, &roots, own, 1, 0);
		} else {
			memset(want, 1, n);
			memset(own, 1, n);
		}
		for (size_t i = 0; i < n; i++)
			want[i] = want[i] && applied[i];
	}
	if (via)
		plan_reasons(g, up, want, own, why);
	for (size_t k = 0; k < n; k++) {
		size_t i = up ? k : n - 1 - k;
		if (!want[i])
			continue;
		vec_push(steps, g->order.v[i]);
		if (via)
			vec_push(via, why[i]);
	}
done:
	vec_free(&roots);
	free(applied);
	free(want);
	free(own);
	free(why);
	return rc;
}

/* Heads after applying (up) or reverting one step from heads `cur`. `st` keeps the
 * applied set of the heads it last returned: a run moving step by step from its own
 * last heads pays O(edges of the step), not O(graph), per step. */
static void heads_after(const graph *g, graph_state *st, const vec *cur, rev *r, int up, vec *out)
{
	if (!graph_state_is(st, cur))
		graph_state_set(g, st, cur);
	if (graph_state_step(g, st, r, up) != 0) {
		/* Not a step from these heads (the database moved otherwise): as marked. */
		graph_state_set(g, st, cur);
		st->mark[r->idx] = (unsigned char)up;
		st->heads.n = 0;
		graph_marked_heads(g, st->mark, &st->heads);
		st->valid = 0; /* these marks need not be closed: not a state to step from */
	}
	for (size_t i = 0; i < st->heads.n; i++)
		vec_push(out, st->heads.v[i]);
}

static int exec_ddl(strata *s, strata_err *e)
{
	buf ddl = BUF_INIT;
	strata_stmtlist l = { 0 };
	s->be->version_ddl(s->conn, NULL, &ddl);
	int rc = strata_split(ddl.ptr, ddl.len, s->be->dialect, 1, &l, e);
	for (size_t i = 0; !rc && i < l.n; i++)
		rc = s->be->exec(s->conn, l.v[i].sql, e);
	strata_stmtlist_free(&l);
	buf_free(&ddl);
	return rc;
}

enum { SQL_VERSION_UPDATE, SQL_VERSION_DELETE, SQL_VERSION_INSERT, SQL_HISTORY_INSERT };

/* The statement `which` of the step bookkeeping, built once per handle. */
static const char *step_sql(strata *s, int which)
{
	static const char *const fmt[] = {
		[SQL_VERSION_UPDATE] = "UPDATE %s SET version_num = $1 WHERE version_num = $2",
		[SQL_VERSION_DELETE] = "DELETE FROM %s WHERE version_num = $1",
		[SQL_VERSION_INSERT] = "INSERT INTO %s (version_num) VALUES ($1)",
		[SQL_HISTORY_INSERT] = ("INSERT INTO %s (revision, direction, checksum, applied_at, "
					"duration_ms, success) VALUES ($1, $2, $3, $4, $5, $6)"),
	};
	if (!s->step_sql[which]) {
		char *t = s->be->table_name(s->conn, NULL,
					    which == SQL_HISTORY_INSERT ? "strata_history" : s->version_table);
		s->step_sql[which] = xasprintf(fmt[which], t);
		free(t);
	}
	return s->step_sql[which];
}

/* Rewrites the version rows from `before` to `after`, in as few statements as the
 * change allows: a row that goes and one that comes are one UPDATE (Alembic's own
 * way: a linear step is one statement on every backend), the rest a DELETE or an
 * INSERT each. */
static int write_versions(strata *s, const vec *before, const vec *after, strata_err *e)
{
	vec gone = { 0 }, come = { 0 };
	for (size_t i = 0; i < before->n; i++)
		if (vec_index(after, before->v[i]) < 0)
			vec_push(&gone, before->v[i]);
	for (size_t i = 0; i < after->n; i++)
		if (vec_index(before, after->v[i]) < 0)
			vec_push(&come, after->v[i]);
	int rc = 0;
	size_t i = 0;
	for (; !rc && i < gone.n && i < come.n; i++) {
		const char *p[2] = { ((rev *)come.v[i])->id, ((rev *)gone.v[i])->id };
		rc = s->be->query(s->conn, step_sql(s, SQL_VERSION_UPDATE), p, 2, NULL, e);
	}
	for (size_t j = i; !rc && j < gone.n; j++) {
		const char *p[1] = { ((rev *)gone.v[j])->id };
		rc = s->be->query(s->conn, step_sql(s, SQL_VERSION_DELETE), p, 1, NULL, e);
	}
	for (size_t j = i; !rc && j < come.n; j++) {
		const char *p[1] = { ((rev *)come.v[j])->id };
		rc = s->be->query(s->conn, step_sql(s, SQL_VERSION_INSERT), p, 1, NULL, e);
	}
	vec_free(&gone);
	vec_free(&come);
	return rc;
}

int write_history(strata *s, const char *id, const char *dir, const char *checksum,
		  double ms, int ok, strata_err *e)
{
	char when[32], dur[32];
	utc_now(when);
	snprintf(dur, sizeof dur, "%ld", (long)(ms + 0.5));
	const char *p[6] = { id, dir, checksum, when, dur, ok ? "1" : "0" };
	return s->be->query(s->conn, step_sql(s, SQL_HISTORY_INSERT), p, 6, NULL, e);
}

static const char *section(const rev *r, int up)
{
	return up ? r->s->upgrade : r->s->downgrade;
}

static int section_line(const rev *r, int up)
{
	return up ? r->s->upgrade_line : r->s->downgrade_line;
}

/* Turns the splitter's "line N: what" into "path:N: what". */
static void prefix_path(strata_err *e, const char *path)
{
	if (e->msg && strncmp(e->msg, "line ", 5) == 0) {
		char *m = xasprintf("%s:%s", path, e->msg + 5);
		free(e->msg);
		e->msg = m;
	} else {
		err_prefix(e, "%s: ", path);
	}
}

/* Marks e as revision r's failure (STRATA_ESTEP_FAILED, unless the database said
 * the lock was in the way) and keeps its revision, file and line (0: no statement)
 * on the handle for strata_failed_revision and the STEP_FAILED event. */
static int step_failed(strata *s, const rev *r, int line, strata_err *e)
{
	if (!e->code || e->code == STRATA_EFAIL)
		e->code = STRATA_ESTEP_FAILED;
	free(s->failed_rev);
	free(s->failed_file);
	s->failed_rev = xstrdup(r->id);
	s->failed_file = xstrdup(ctx_rev(s, r)->path);
	s->failed_line = line;
	return e->code;
}

/* Runs statement `st` of revision r's section; on failure names revision, file and
 * line and shows the statement's first line. */
static int run_statement(strata *s, rev *r, int up, const strata_stmt *st, strata_err *e)
{
	int rc;
	if (s->interrupted)
		return err_set(e, STRATA_EFAIL, "interrupted");
	strata_event ev = { 0 };
	ev.kind = STRATA_EVENT_STATEMENT;
	ev.rev = ctx_rev(s, r);
	ev.up = up;
	ev.sql = st->sql;
	ctx_event(s, &ev);
	if (s->be->is_check && s->be->is_check(st->sql)) {
		strata_rows rows = { 0 };
		rc = s->be->query(s->conn, st->sql, NULL, 0, &rows, e);
		if (!rc && rows.nrows) {
			rc = err_set(e, STRATA_EFAIL,
				     "foreign key check found %zu violation(s), first in table %s",
				     rows.nrows, rows.cells[0] ? rows.cells[0] : "?");
		}
		strata_rows_free(&rows);
	} else {
		rc = s->be->exec(s->conn, st->sql, e);
	}
	if (rc) {
		/* First line of the statement, to show what failed. */
		const char *stmt = st->sql;
		const char *nl = strchr(stmt, '\n');
		int shown = nl ? (int)(nl - stmt) : (int)strlen(stmt);
		err_prefix(e, "%s of %s failed at %s:%d: ", up ? "upgrade" : "downgrade", r->id,
			   r->s->path, st->line);
		buf b = BUF_INIT;
		buf_printf(&b, "%s\n  statement: %.*s%s", e->msg, shown > 200 ? 200 : shown, stmt,
			   (nl || shown > 200) ? " …" : "");
		free(e->msg);
		e->msg = buf_detach(&b);
		rc = step_failed(s, r, st->line, e);
	}
	return rc;
}

/* Splits a step's section into `l`; on failure e names the file and line. */
static int split_section(strata *s, rev *r, int up, strata_stmtlist *l, strata_err *e)
{
	const char *sql = section(r, up);
	int rc = strata_split(sql, strlen(sql), s->be->dialect, section_line(r, up), l, e);
	if (rc)
		prefix_path(e, r->s->path);
	return rc;
}

/* Refuses a statement that would end the transaction a revision runs in (COMMIT,
 * ROLLBACK, END…): the revision would then be recorded as applied with its work
 * rolled back, or half committed. `l` is the section as split. */
static int refuse_tx_control(const strata_backend *be, const rev *r, const strata_stmtlist *l, strata_err *e)
{
	for (size_t i = 0; r->s->transactional && i < l->n; i++) {
		const char *kw = strata_stmt_tx_control(l->v[i].sql, be->dialect);
		if (kw)
			return err_set(e, STRATA_EFAIL,
				       "%s:%d: %s in revision %s, which runs inside a transaction: it "
				       "would end strata's transaction, so the revision could be recorded "
				       "as applied with its work rolled back or half committed. Remove it, "
				       "or mark the revision '-- strata:transaction off' (its statements "
				       "then run one by one, outside a transaction)",
				       r->s->path, l->v[i].line, kw, r->id);
	}
	return 0;
}

/* Refuses to revert r when its downgrade says it cannot be (an imported migration
 * without a downgrade), naming it, instead of running nothing. */
static int refuse_irreversible(const rev *r, int up, strata_err *e)
{
	if (up || !script_irreversible(r->s->downgrade))
		return 0;
	return err_set(e, STRATA_EFAIL,
		       "cannot downgrade past %s (%s): it is irreversible, its downgrade section says "
		       "so (the migration it was imported from has no downgrade). Downgrade to %s or "
		       "a revision above it; or write its downgrade SQL in the file and remove the '"
		       SCRIPT_IRREVERSIBLE_MARK "' line", r->id, r->s->path, r->id);
}

/* Splits a section as run_section does and refuses transaction control in it. SQL
 * that does not split is left for run_section to report when the step comes. */
static int check_section(strata *s, rev *r, int up, strata_err *e)
{
	if (refuse_irreversible(r, up, e))
		return STRATA_EFAIL;
	strata_stmtlist l = { 0 };
	strata_err split_e = STRATA_ERR_INIT;
	const char *sql = section(r, up);
	int rc = 0;
	if (strata_split(sql, strlen(sql), s->be->dialect, section_line(r, up), &l, &split_e) == 0)
		rc = refuse_tx_control(s->be, r, &l, e);
	err_clear(&split_e);
	strata_stmtlist_free(&l);
	return rc;
}

/* Calls code of the application during step r (a C revision's function, a hook):
 * non-zero fails the step, with the message `what` and what the code left on the
 * handle (a failing strata_exec). */
static int call_code(strata *s, const rev *r, int ret, const char *what, strata_err *e)
{
	if (ret == 0)
		return 0;
	const char *why = s->err.msg && *s->err.msg ? s->err.msg : NULL;
	err_set(e, STRATA_ESTEP_FAILED, "%s of revision %s failed (returned %d)%s%s", what, r->id, ret,
		why ? ": " : "", why ? why : "");
	return step_failed(s, r, 0, e);
}

/* Forgets the handle's last error before application code runs, so that call_code
 * reports only what that code left there. */
static void clear_err(strata *s)
{
	err_clear(&s->err);
}

/* Runs a C revision's function for the step, if it has one. */
static int run_fn(strata *s, rev *r, int up, strata_err *e)
{
	int (*fn)(void *, strata *) = up ? r->s->upgrade_fn : r->s->downgrade_fn;
	if (!fn)
		return 0;
	clear_err(s);
	return call_code(s, r, fn(r->s->fn_ctx, s), up ? "the upgrade function" : "the downgrade function", e);
}

/* Runs one section's statements, then a C revision's function; on failure names
 * revision, file and line. `checked`: check_section passed it already in this run. */
static int run_section(strata *s, rev *r, int up, int checked, strata_err *e)
{
	strata_stmtlist l = { 0 };
	int rc = split_section(s, r, up, &l, e);
	if (!rc && !checked)
		rc = refuse_tx_control(s->be, r, &l, e);
	for (size_t i = 0; !rc && i < l.n; i++)
		rc = run_statement(s, r, up, &l.v[i], e);
	strata_stmtlist_free(&l);
	return rc ? rc : run_fn(s, r, up, e);
}

/* 1 when a failure rolls step r back as a whole on backend `be`: it runs in a
 * transaction, and the database either has transactional DDL or none of the step's
 * statements commits on its own (the backend's implicit_commit). */
static int step_atomic_on(const strata_backend *be, rev *r, int up)
{
	if (!r->s->transactional)
		return 0;
	if ((be->caps & STRATA_CAP_TRANSACTIONAL_DDL) || !be->implicit_commit)
		return 1;
	strata_stmtlist l = { 0 };
	strata_err e = STRATA_ERR_INIT;
	const char *sql = section(r, up);
	int atomic = 1;
	if (strata_split(sql, strlen(sql), be->dialect, 1, &l, &e) == 0)
		for (size_t i = 0; atomic && i < l.n; i++)
			atomic = !be->implicit_commit(l.v[i].sql);
	strata_stmtlist_free(&l);
	err_clear(&e);
	return atomic;
}

static int step_atomic(strata *s, rev *r, int up)
{
	return step_atomic_on(s->be, r, up);
}

/* Whether the backend needs foreign-key enforcement off around the step's
 * transaction (strata_backend.fk_pause_needed). */
static int needs_fk_off(strata *s, rev *r, int up)
{
	return s->be->fk_pause_needed && s->be->fk_pause_needed(section(r, up));
}

static int fk_pause(strata *s, int *was_on, strata_err *e)
{
	*was_on = 0;
	return s->be->fk_pause ? s->be->fk_pause(s->conn, was_on, e) : 0;
}

static void fk_resume(strata *s, int was_on)
{
	if (s->be->fk_resume)
		s->be->fk_resume(s->conn, was_on);
}

/* Replaces the error of an interrupted run with what happened and where the
 * database is: "interrupted: <what>; the database is at <heads>". */
static int interrupted(strata_err *e, const char *what, const vec *at)
{
	buf b = BUF_INIT;
	for (size_t i = 0; i < at->n; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", ((rev *)at->v[i])->id);
	err_clear(e);
	err_set(e, STRATA_EINTERRUPTED, "interrupted: %s; the database is at %s", what, at->n ? b.ptr : "base");
	buf_free(&b);
	return STRATA_EINTERRUPTED;
}

typedef struct run {
	strata *s;
	int up;
	vec target;
	int below; /* the target lies just below the revisions in `target` */
	size_t index, total;
	const strata_run_options *o;
	/* The heads this run left after its last step. The next step plans from them
	 * instead of reading the version table outside the lock; the plan is checked
	 * under the lock as before, so another migrator moving the database meanwhile
	 * costs one extra round, not a wrong step. */
	vec expect;
	int have_expect;
	int ddl_done; /* the version tables were created (and committed) by this run */
	int locked;   /* the backend's run-wide lock is held: no other migrator can move it */
	/* Revisions strata_history shows stopped partway at some time (read once per run,
	 * when a revision that cannot roll back is first about to run). */
	strvec partial;
	int partial_known;
	graph_state applied; /* the applied set behind the heads the last step left */
	vec plan;            /* the steps planned from the heads before plan[plan_at] */
	size_t plan_at;
	int have_plan;
	vec done;      /* strata_run_step * of the steps that completed (strata_upgrade_ex) */
	unsigned char *checked; /* by rev idx: check_section passed before the run began */
} run;

/* Runs the run options' hook `h` (before_step or after_step) for step r. */
static int step_hook(run *ru, strata_step_hook h, rev *r, const char *what, strata_err *e)
{
	if (!h)
		return 0;
	clear_err(ru->s);
	return call_code(ru->s, r, h(ru->o->hook_ctx, ru->s, ctx_rev(ru->s, r), ru->up), what, e);
}

/* The step's SQL (or C function) between the run's before_step and after_step hooks. */
static int hooked_section(run *ru, rev *r, strata_err *e)
{
	int rc = step_hook(ru, ru->o->before_step, r, "the before_step hook", e);
	if (!rc)
		rc = run_section(ru->s, r, ru->up, ru->checked && ru->checked[r->idx], e);
	if (!rc)
		rc = step_hook(ru, ru->o->after_step, r, "the after_step hook", e);
	return rc;
}

/* Emits a step event; a STEP_END of a real run is also recorded in ru->done, a
 * STEP_FAILED carries e's message and the failing statement's line. */
static void step_event_ex(run *ru, rev *r, strata_event_kind kind, double ms, const strata_err *e)
{
	strata_event ev = { 0 };
	ev.kind = kind;
	ev.rev = ctx_rev(ru->s, r);
	ev.up = ru->up;
	ev.index = ru->index;
	ev.total = ru->total;
	ev.ms = ms;
	if (kind == STRATA_EVENT_STEP_END && !ru->o->dry_run) {
		strata_run_step *st = xcalloc(1, sizeof(*st));
		st->rev = ev.rev;
		st->up = ru->up;
		st->ms = ms;
		vec_push(&ru->done, st);
	}
	if (kind == STRATA_EVENT_STEP_FAILED) {
		ev.text = e && e->msg ? e->msg : "";
		ev.line = ru->s->failed_rev && strcmp(ru->s->failed_rev, r->id) == 0 ? ru->s->failed_line : 0;
	}
	ctx_event(ru->s, &ev);
}

static void step_event(run *ru, rev *r, strata_event_kind kind, double ms)
{
	step_event_ex(ru, r, kind, ms, NULL);
}

/* Runs the body of one step (statements, version rows, history row) inside the
 * caller's transaction; on success *after holds the heads it leaves (the caller
 * frees it). */
static int step_body(run *ru, rev *r, const vec *cur, vec *after, strata_err *e)
{
	strata *s = ru->s;
	char sum[65];
	const char *sql = section(r, ru->up);
	double t0 = now_ms();
	sha256_hex_text(sql, strlen(sql), sum);
	int rc = hooked_section(ru, r, e);
	if (!rc) {
		heads_after(s->g, &ru->applied, cur, r, ru->up, after);
		rc = write_versions(s, cur, after, e);
	}
	if (!rc)
		rc = write_history(s, r->id, ru->up ? "up" : "down", sum, now_ms() - t0, 1, e);
	return rc;
}

/* Records a failed step in strata_history, in its own transaction, after the
 * rollback (best effort: the original error is what the user needs). */
static void record_failure(run *ru, rev *r)
{
	strata *s = ru->s;
	char sum[65];
	const char *sql = section(r, ru->up);
	sha256_hex_text(sql, strlen(sql), sum);
	if (s->be->begin(s->conn, NULL) == 0) {
		if (write_history(s, r->id, ru->up ? "up" : "down", sum, 0, 0, NULL) == 0)
			s->be->commit(s->conn, NULL);
		else
			s->be->rollback(s->conn, NULL);
	}
}

/* Refuses to upgrade a database whose tables were created outside strata. */
static int check_unversioned(strata *s, strata_err *e)
{
	int exists = 0;
	int rc = s->be->table_exists(s->conn, s->version_table, &exists, e);
	if (rc || exists)
		return rc;
	char **names = NULL;
	size_t n = 0;
	if ((rc = s->be->user_tables(s->conn, &names, &n, e)))
		return rc;
	/* Another migrator may have committed its first revision (tables and version table
	 * together) between the two reads: look again now that the tables were seen. */
	if (n)
		rc = s->be->table_exists(s->conn, s->version_table, &exists, e);
	if (n && !rc && !exists) {
		buf b = BUF_INIT;
		for (size_t i = 0; i < n && i < 5; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
		if (n > 5)
			buf_printf(&b, ", … (%zu tables)", n);
		rc = err_set(e, STRATA_EUNVERSIONED,
			     "table %s already exists (tables: %s) but the database has no %s "
			     "table: it was built outside strata. If its schema matches a revision, record that with "
			     "`strata stamp <revision>` (or `strata stamp head`) instead of upgrading; "
			     "`strata doctor` compares it with schema.sql.", names[0], b.ptr, s->version_table);
		buf_free(&b);
	}
	strata_strings_free(names, n);
	return rc;
}

/* The first line of `sql`, cut at 60 bytes, appended to b. */
static void first_line(buf *b, const char *sql)
{
	size_t n = strcspn(sql, "\n");
	buf_printf(b, "%.*s%s", (int)(n > 60 ? 60 : n), sql, n > 60 || sql[n] ? " …" : "");
}

/* The last strata_history row of r when it is an unfinished run in direction `dir`:
 * *done receives its statements_done (-1 when the last run finished or none is
 * recorded) and `sum` its checksum. */
static int last_progress(strata *s, rev *r, const char *dir, long *done, char sum[65],
			 strata_err *e)
{
	char *t = s->be->table_name(s->conn, NULL, "strata_history");
	/* Any direction: a stamp of r since (the user repaired it by hand) ends the story. */
	char *sql = xasprintf("SELECT direction, success, statements_done, checksum FROM %s"
			      " WHERE revision = $1 ORDER BY id DESC LIMIT 1", t);
	const char *p[1] = { r->id };
	strata_rows rows = { 0 };
	int rc = s->be->query(s->conn, sql, p, 1, &rows, e);
	*done = -1;
	sum[0] = 0;
	if (!rc && rows.nrows == 1 && rows.cells[0] && strcmp(rows.cells[0], dir) == 0 &&
	    rows.cells[1] && strcmp(rows.cells[1], "0") == 0 && rows.cells[2]) {
		*done = strtol(rows.cells[2], NULL, 10);
		snprintf(sum, 65, "%s", rows.cells[3] ? rows.cells[3] : "");
	}
	strata_rows_free(&rows);
	free(sql);
	free(t);
	return rc;
}

/* Why step r cannot roll back as a whole, for messages. */
static const char *nonatomic_why(const rev *r)
{
	return r->s->transactional ? "the database commits DDL as it runs"
				   : "it runs outside a transaction";
}

/* 1 when strata_history has its statements_done column: version tables made before
 * every backend counted progress lack it. A failing probe is the answer "no", so
 * this runs outside a transaction (PostgreSQL would abort an open one). */
static int has_progress_column(strata *s)
{
	if (s->progress_column) /* a column is not dropped under a run: asked once */
		return 1;
	char *t = s->be->table_name(s->conn, NULL, "strata_history");
	char *sql = xasprintf("SELECT statements_done FROM %s WHERE 1 = 0", t);
	strata_rows rows = { 0 };
	int yes = s->be->query(s->conn, sql, NULL, 0, &rows, NULL) == 0;
	s->progress_column = yes;
	strata_rows_free(&rows);
	free(sql);
	free(t);
	return yes;
}

/* Adds statements_done to an older strata_history that lacks it; no transaction open. */
static int ensure_progress_column(strata *s, strata_err *e)
{
	if (has_progress_column(s))
		return 0;
	char *t = s->be->table_name(s->conn, NULL, "strata_history");
	char *sql = xasprintf("ALTER TABLE %s ADD COLUMN statements_done INTEGER", t);
	int rc = s->be->exec(s->conn, sql, e);
	free(sql);
	free(t);
	return rc;
}

/* Appends to `out` the revisions strata_history shows stopped partway at some time
 * (none when the table or its statements_done column is missing). */
static int read_partial(strata *s, strvec *out, strata_err *e)
{
	int exists = 0;
	int rc = s->be->table_exists(s->conn, "strata_history", &exists, e);
	if (rc || !exists || !has_progress_column(s))
		return rc;
	return query_column(s, "strata_history",
			    "SELECT DISTINCT revision FROM %s WHERE success = 0 AND statements_done > 0", out, e);
}

/* What an earlier run of r that stopped partway left: `done` of the statements in
 * `l` (its section as split now) ran and stay applied. `head` receives the one-line
 * account, `ran` one line per statement that ran (file:line: first line, at most
 * five), `how` how to go on. */
static void partial_story(const rev *r, int up, long done, const strata_stmtlist *l, buf *head,
			  strvec *ran, buf *how)
{
	const char *verb = up ? "upgrade" : "downgrade";
	buf_printf(head, "%s of %s stopped partway on an earlier run: %ld of its %zu statements ran and "
			 "stay applied (%s), and running it again would repeat them",
		   verb, r->id, done, l->n, nonatomic_why(r));
	for (long i = 0; i < done && i < 5 && (size_t)i < l->n; i++) {
		buf b = BUF_INIT;
		buf_printf(&b, "ran: %s:%d: ", r->s->path, l->v[i].line);
		first_line(&b, l->v[i].sql);
		strvec_push_owned(ran, buf_detach(&b));
	}
	if (done > 5)
		strvec_push_owned(ran, xasprintf("… (%ld statements)", done));
	buf_printf(how, "check the database, then `strata %s --resume` runs it from statement %ld; or "
			"finish it by hand and record that with `strata stamp %s`",
		   verb, done + 1, r->id);
}

/* Each revision that stopped partway on an earlier run and was not finished, resumed
 * or stamped since, as `strata doctor` reports it: for each, its account, the
 * statements that ran and how to go on, appended to the three vectors. */
int runner_stopped(strata *s, strvec *heads, strvec *ran, strvec *how, strata_err *e)
{
	strvec ids = { 0 };
	int rc = read_partial(s, &ids, e);
	for (size_t i = 0; !rc && i < ids.n; i++) {
		rev *r = graph_get(s->g, ids.v[i]);
		for (int up = 1; r && !rc && up >= 0; up--) {
			char sum[65];
			long done = -1;
			strata_stmtlist l = { 0 };
			if ((rc = last_progress(s, r, up ? "up" : "down", &done, sum, e)) || done <= 0 ||
			    split_section(s, r, up, &l, NULL) != 0) {
				strata_stmtlist_free(&l);
				continue;
			}
			buf h = BUF_INIT, w = BUF_INIT;
			strvec lines = { 0 };
			partial_story(r, up, done, &l, &h, &lines, &w);
			strvec_push_owned(heads, buf_detach(&h));
			strvec_push_owned(how, buf_detach(&w));
			char *joined = strvec_join(&lines, "\n");
			strvec_push_owned(ran, joined);
			strvec_free(&lines);
			strata_stmtlist_free(&l);
		}
	}
	strvec_free(&ids);
	return rc;
}

/* Refuses to run r again blindly after an earlier run stopped partway, or decides
 * where a --resume starts: *skip is the number of statements already applied. */
static int plan_resume(run *ru, rev *r, const strata_stmtlist *l, const char *sum, size_t *skip,
		       strata_err *e)
{
	strata *s = ru->s;
	char was[65];
	long done = -1;
	int rc = 0;
	*skip = 0;
	if (!ru->partial_known) {
		if ((rc = read_partial(s, &ru->partial, e)))
			return rc;
		ru->partial_known = 1;
	}
	if (!strvec_contains(&ru->partial, r->id))
		return 0; /* never stopped partway */
	rc = last_progress(s, r, ru->up ? "up" : "down", &done, was, e);
	if (rc || done <= 0)
		return rc; /* nothing ran last time: a plain run is safe */
	if (ru->o->resume) {
		if (strcmp(was, sum) != 0 || (size_t)done > l->n)
			return err_set(e, STRATA_EFAIL,
				       "cannot resume %s of %s: %s changed since its %ld statement(s) ran; "
				       "restore the file as it was, or repair the database by hand and "
				       "record it with `strata stamp`", ru->up ? "upgrade" : "downgrade",
				       r->id, r->s->path, done);
		*skip = (size_t)done;
		return 0;
	}
	buf head = BUF_INIT, how = BUF_INIT;
	strvec ran = { 0 };
	partial_story(r, ru->up, done, l, &head, &ran, &how);
	char *lines = strvec_join(&ran, "\n  ");
	rc = err_set(e, STRATA_EFAIL, "%s.\n  %s\n%c%s", head.ptr, lines, toupper((unsigned char)how.ptr[0]),
		     how.ptr + 1);
	free(lines);
	strvec_free(&ran);
	buf_free(&head);
	buf_free(&how);
	return rc;
}

/* Runs a step that cannot roll back as a whole (its DDL commits as it runs), one
 * statement at a time, counting the statements done in its strata_history row as it
 * goes, so a failure says exactly what stays applied and --resume can continue. The
 * version rows move only when every statement ran. No transaction is open on entry. */
static int step_tracked(run *ru, rev *r, const vec *cur, vec *after, size_t *ran, size_t *total,
			strata_err *e)
{
	strata *s = ru->s;
	strata_stmtlist l = { 0 };
	char sum[65], when[32], n[32], dur[32];
	size_t skip = 0, i = 0;
	double t0 = now_ms();
	int rc, in_tx = 0, have_row = 0;
	const char *dir = ru->up ? "up" : "down";
	char *t = s->be->table_name(s->conn, NULL, "strata_history");
	/* The row is written after the first statement that commits (before it nothing
	 * ran that a retry could repeat), counted up after each one but the last, and
	 * completed with the version rows in one transaction. The run lock is held, so
	 * the newest row is this one (history_newest: how the backend picks it). */
	char *ins = xasprintf("INSERT INTO %s (revision, direction, checksum, applied_at, duration_ms,"
			      " success, statements_done) VALUES ($1, $2, $3, $4, $5, $6, $7)", t);
	char *newest = s->be->history_newest ? xstrdup(s->be->history_newest)
					     : xasprintf(" WHERE id = (SELECT MAX(id) FROM %s)", t);
	char *upd = xasprintf("UPDATE %s SET statements_done = $1, duration_ms = $2, success = $3%s", t,
			      newest);
	free(newest);

	sha256_hex_text(section(r, ru->up), strlen(section(r, ru->up)), sum);
	if ((rc = split_section(s, r, ru->up, &l, e)) || (rc = ensure_progress_column(s, e)) ||
	    (rc = plan_resume(ru, r, &l, sum, &skip, e)))
		goto done;
	*total = l.n;
	utc_now(when);
	/* Application code around the statements (a C revision's function, the run's
	 * hooks): the last statement is then counted before that code runs, so a resume
	 * runs only the code again. */
	int code = (ru->up ? r->s->upgrade_fn : r->s->downgrade_fn) || ru->o->after_step;
	if (!skip)
		rc = step_hook(ru, ru->o->before_step, r, "the before_step hook", e);
	for (i = skip; !rc && i < l.n; i++) {
		if ((rc = run_statement(s, r, ru->up, &l.v[i], e)))
			break;
		if (i + 1 == l.n && !code)
			break; /* the last one is counted with the version rows */
		snprintf(n, sizeof n, "%zu", i + 1);
		const char *pi[7] = { r->id, dir, sum, when, "0", "0", n };
		const char *pu[3] = { n, "0", "0" };
		const char *sql = have_row ? upd : ins, *const *p = have_row ? pu : pi;
		size_t np = have_row ? 3 : 7;
		/* Where the backend can, the row goes in one request with the next statement,
		 * ahead of it (query_later). */
		rc = s->be->query_later ? s->be->query_later(s->conn, sql, p, np, e)
					: s->be->query(s->conn, sql, p, np, NULL, e);
		have_row = 1;
	}
	if (!rc) {
		i = l.n;
		if (code && !(rc = run_fn(s, r, ru->up, e)))
			rc = step_hook(ru, ru->o->after_step, r, "the after_step hook", e);
	}
	if (rc) {
		if (!have_row) { /* the failure and how far it got, best effort */
			snprintf(n, sizeof n, "%zu", i);
			const char *pi[7] = { r->id, dir, sum, when, "0", "0", n };
			s->be->query(s->conn, ins, pi, 7, NULL, NULL);
		}
		*ran = i;
		if (i > 0 && i == l.n)
			err_prefix(e, "(its %zu statement(s) ran and stay applied: %s; the database is still "
				      "recorded at the revision before %s. Repair the cause, then `strata %s "
				      "--resume` runs only the code after them) ",
				   i, nonatomic_why(r), r->id, ru->up ? "upgrade" : "downgrade");
		else if (i > 0)
			err_prefix(e, "(statements 1-%zu of %zu stay applied: %s, and "
				      "strata_history records how far it got; the database is still recorded at "
				      "the revision before %s. Repair the cause, then `strata %s --resume` runs "
				      "it from statement %zu) ",
				   i, l.n, nonatomic_why(r), r->id, ru->up ? "upgrade" : "downgrade", i + 1);
		else
			err_prefix(e, "(nothing of %s was applied) ", r->id);
		goto done;
	}
	if ((rc = s->be->begin(s->conn, e)))
		goto done;
	in_tx = 1;
	heads_after(s->g, &ru->applied, cur, r, ru->up, after);
	snprintf(dur, sizeof dur, "%ld", (long)(now_ms() - t0 + 0.5));
	snprintf(n, sizeof n, "%zu", l.n);
	const char *pi[7] = { r->id, dir, sum, when, dur, "1", n };
	const char *pu[3] = { n, dur, "1" };
	if (!(rc = write_versions(s, cur, after, e)) &&
	    !(rc = have_row ? s->be->query(s->conn, upd, pu, 3, NULL, e)
			    : s->be->query(s->conn, ins, pi, 7, NULL, e)))
		rc = s->be->commit(s->conn, e);
	in_tx = rc != 0;
done:
	if (in_tx)
		s->be->rollback(s->conn, NULL);
	strata_stmtlist_free(&l);
	free(t);
	free(ins);
	free(upd);
	return rc;
}

/* 1 when every downgrade target is still applied in the run's applied set for `cur`
 * (what plan_steps checks before planning a downgrade). */
static int targets_applied(run *ru, const vec *cur)
{
	if (!graph_state_is(&ru->applied, cur))
		return 0;
	for (size_t i = 0; i < ru->target.n; i++)
		if (!ru->applied.mark[((rev *)ru->target.v[i])->idx])
			return 0;
	return 1;
}

/* The steps left from heads `cur` into `steps`. The plan from the heads a step of this
 * run left is the plan that step came from without it, so when `predicted` (cur is
 * what the last step left) the run continues its plan, the next step only, instead of
 * planning again: O(1) rather than O(graph) per step. */
static int plan_next(run *ru, const vec *cur, int predicted, vec *steps, strata_err *e)
{
	if (predicted && ru->have_plan && (ru->up || ru->below || targets_applied(ru, cur))) {
		if (ru->plan_at < ru->plan.n)
			vec_push(steps, ru->plan.v[ru->plan_at]);
		return 0;
	}
	ru->plan.n = 0;
	ru->plan_at = 0;
	ru->have_plan = 0;
	int rc = plan_steps(ru->s->g, cur, ru->up, &ru->target, ru->below, &ru->plan, NULL, e);
	for (size_t i = 0; !rc && i < ru->plan.n; i++)
		vec_push(steps, ru->plan.v[i]);
	ru->have_plan = !rc;
	return rc;
}

static int one_step(run *ru, int *finished, strata_err *e)
{
	strata *s = ru->s;
	vec cur = { 0 }, steps = { 0 }, after = { 0 };
	int rc = 0, was_on = 0, in_tx = 0, predicted = 0;
	rev *begun = NULL; /* the step announced with STEP_BEGIN */
	double t0 = 0;
	*finished = 0;
	/* Peek without the lock to know whether the step needs foreign keys off (after
	 * a step of this run, its result stands in for the peek). */
	if (ru->have_expect) {
		for (size_t i = 0; i < ru->expect.n; i++)
			vec_push(&cur, ru->expect.v[i]);
		ru->have_expect = 0;
		predicted = 1;
	} else {
		rc = db_heads(s, &cur, e);
	}
	if (rc || (rc = plan_next(ru, &cur, predicted, &steps, e)))
		goto done;
	if (!steps.n) {
		*finished = 1;
		goto done;
	}
	rev *r = steps.v[0];
	int tx = r->s->transactional;
	/* A step that cannot roll back as a whole (transaction off, or DDL the database
	 * commits as it runs): progress is counted per statement. */
	int tracked = !step_atomic(s, r, ru->up);
	if (s->interrupted) {
		char *what = xasprintf("stopped before %s", r->id);
		rc = interrupted(e, what, &cur);
		free(what);
		goto done;
	}
	if (tx && needs_fk_off(s, r, ru->up) && (rc = fk_pause(s, &was_on, e)))
		goto done;
	/* A tracked step planned from this run's last step under the run-wide lock needs
	 * no transaction here: it runs outside one anyway. */
	int bare = tracked && predicted && ru->locked && ru->ddl_done;
	if (!bare) {
		if ((rc = s->be->begin(s->conn, e)))
			goto done;
		in_tx = 1;
	}
	if (!ru->ddl_done && (rc = exec_ddl(s, e)))
		goto done;
	/* Under the lock: somebody may have moved the database meanwhile. Not when the
	 * run holds the backend's run-wide lock (PostgreSQL's advisory lock, SQLite's lock
	 * file, which every migrate and stamp takes) and planned from its own last step. */
	if (!(predicted && ru->locked)) {
		cur.n = 0;
		steps.n = 0;
		if ((rc = db_heads_ex(s, &cur, 1, e)) || (rc = plan_next(ru, &cur, 0, &steps, e)))
			goto done;
		if (!steps.n || steps.v[0] != r) {
			rc = s->be->commit(s->conn, e);
			in_tx = 0;
			ru->ddl_done |= !rc;
			*finished = !steps.n;
			goto done;
		}
	}
	ru->index++;
	step_event(ru, r, STRATA_EVENT_STEP_BEGIN, 0);
	begun = r;
	t0 = now_ms();
	if (tracked) {
		if (in_tx)
			rc = s->be->commit(s->conn, e);
		in_tx = 0;
		size_t ran = 0, total = 0;
		if (!rc)
			rc = step_tracked(ru, r, &cur, &after, &ran, &total, e);
		if (rc && s->interrupted) {
			char *what = ran ? xasprintf("%s stopped after %zu of its %zu statements, which stay "
						     "applied (%s; `strata %s --resume` continues from "
						     "statement %zu)", r->id, ran, total, nonatomic_why(r),
						     ru->up ? "upgrade" : "downgrade", ran + 1)
					 : xasprintf("%s stopped before any of its statements ran", r->id);
			interrupted(e, what, &cur);
			free(what);
		}
		if (rc)
			goto done;
	} else {
		rc = step_body(ru, r, &cur, &after, e);
	}
	if (!rc && in_tx) {
		rc = s->be->commit(s->conn, e);
		in_tx = 0;
	}
	if (!rc) {
		ru->ddl_done = 1;
		vec_free(&ru->expect);
		ru->expect = after;
		after = (vec){ 0 };
		ru->have_expect = 1;
		ru->plan_at++;
	}
	if (rc) {
		if (in_tx) {
			s->be->rollback(s->conn, NULL);
			in_tx = 0;
		}
		record_failure(ru, r);
		if (s->interrupted) {
			char *what = xasprintf("%s rolled back", r->id);
			interrupted(e, what, &cur);
			free(what);
		}
		goto done;
	}
	step_event(ru, r, STRATA_EVENT_STEP_END, now_ms() - t0);
done:
	if (in_tx)
		s->be->rollback(s->conn, NULL);
	fk_resume(s, was_on);
	if (rc && begun)
		step_event_ex(ru, begun, STRATA_EVENT_STEP_FAILED, now_ms() - t0, e);
	vec_free(&cur);
	vec_free(&steps);
	vec_free(&after);
	return rc;
}

/* All steps in one transaction. */
static int all_steps(run *ru, strata_err *e)
{
	strata *s = ru->s;
	vec cur = { 0 }, steps = { 0 };
	int rc, was_on = 0, in_tx = 0;
	if ((rc = db_heads(s, &cur, e)) || (rc = plan_steps(s->g, &cur, ru->up, &ru->target, ru->below, &steps, NULL, e)))
		goto done;
	int fk = 0;
	for (size_t i = 0; i < steps.n; i++) {
		rev *r = steps.v[i];
		if (!r->s->transactional) {
			rc = err_set(e, STRATA_EFAIL,
				     "--single-transaction cannot include revision %s (%s): it is marked "
				     "'-- strata:transaction off'; run without --single-transaction, or "
				     "stop before it", r->id, r->s->path);
			goto done;
		}
		if (!step_atomic(s, r, ru->up)) {
			rc = err_set(e, STRATA_EFAIL,
				     "--single-transaction cannot include revision %s (%s): %s commits its "
				     "DDL as it runs, so it cannot roll back; run without "
				     "--single-transaction", r->id, r->s->path, s->be->name);
			goto done;
		}
		fk |= needs_fk_off(s, r, ru->up);
	}
	if (!steps.n)
		goto done;
	if (fk && (rc = fk_pause(s, &was_on, e)))
		goto done;
	if ((rc = s->be->begin(s->conn, e)))
		goto done;
	in_tx = 1;
	if ((rc = exec_ddl(s, e)))
		goto done;
	cur.n = 0;
	steps.n = 0;
	if ((rc = db_heads_ex(s, &cur, 1, e)) || (rc = plan_steps(s->g, &cur, ru->up, &ru->target, ru->below, &steps, NULL, e)))
		goto done;
	ru->total = steps.n;
	vec heads = { 0 };
	for (size_t i = 0; i < cur.n; i++)
		vec_push(&heads, cur.v[i]);
	for (size_t i = 0; !rc && i < steps.n; i++) {
		rev *r = steps.v[i];
		ru->index++;
		step_event(ru, r, STRATA_EVENT_STEP_BEGIN, 0);
		double t0 = now_ms();
		vec after = { 0 };
		rc = step_body(ru, r, &heads, &after, e);
		vec_free(&heads);
		heads = after;
		if (!rc)
			step_event(ru, r, STRATA_EVENT_STEP_END, now_ms() - t0);
		else
			step_event_ex(ru, r, STRATA_EVENT_STEP_FAILED, now_ms() - t0, e);
	}
	vec_free(&heads);
	if (!rc) {
		rc = s->be->commit(s->conn, e);
		in_tx = 0;
	}
	if (rc && s->interrupted) {
		s->be->rollback(s->conn, NULL);
		in_tx = 0;
		cur.n = 0;
		if (!db_heads(s, &cur, NULL))
			interrupted(e, "the whole run was rolled back (--single-transaction)", &cur);
	} else if (rc) {
		err_prefix(e, "(--single-transaction: the whole run was rolled back) ");
	}
done:
	if (in_tx)
		s->be->rollback(s->conn, NULL);
	fk_resume(s, was_on);
	vec_free(&cur);
	vec_free(&steps);
	return rc;
}

/* Resolves against the database's heads. Upgrades have no use for "below": it
 * becomes the parents (what stays applied). */
static int resolve_target(strata *s, const char *spec, int up, vec *out, int *below,
			  strata_err *e)
{
	vec cur = { 0 };
	int rc = db_heads(s, &cur, e);
	*below = 0;
	if (!rc)
		rc = up ? revspec_resolve(s->g, spec, &cur, out, e)
			: revspec_resolve_ex(s->g, spec, &cur, out, below, e);
	vec_free(&cur);
	return rc;
}

/* The ids in the version table that no revision defines, appended to `out`. */
static int unknown_versions(strata *s, strvec *out, strata_err *e)
{
	strvec ids = { 0 };
	int rc = read_versions(s, &ids, e);
	for (size_t i = 0; !rc && i < ids.n; i++)
		if (!graph_get(s->g, ids.v[i]))
			strvec_push(out, ids.v[i]);
	strvec_free(&ids);
	return rc;
}

/* Validates an upgrade against strata_history: each applied revision whose file was
 * edited since it ran is a WARNING event naming it, or with edited_is_error the
 * failure STRATA_EEDITED. */
static int check_edited(run *ru, strata_err *e)
{
	strata *s = ru->s;
	strata_applied *a = NULL;
	size_t n = 0;
	int rc = strata_applied_list(s, &a, &n);
	if (rc)
		return err_set(e, rc, "%s", strata_errmsg(s));
	for (size_t i = 0; i < n && !rc; i++) {
		if (!a[i].edited)
			continue;
		if (ru->o->edited_is_error) {
			rc = err_set(e, STRATA_EEDITED,
				     "revision %s was edited after it was applied (checksum differs from "
				     "strata_history): restore the file from version control and put the "
				     "change in a new revision, or accept an intentional edit with "
				     "`strata repair %s`", a[i].revision, a[i].revision);
			break;
		}
		strata_event ev = { 0 };
		ev.kind = STRATA_EVENT_WARNING;
		ev.rev = ctx_rev(s, graph_get(s->g, a[i].revision));
		char *text = xasprintf("revision %s was edited after it was applied (checksum differs from "
				       "strata_history); its new SQL will not run again (`strata repair %s` "
				       "accepts the edit)", a[i].revision, a[i].revision);
		ev.text = text;
		ctx_event(s, &ev);
		free(text);
	}
	strata_applied_free(a, n);
	return rc;
}

/* dry_run: reports each step the run would take as events (STEP_BEGIN, one
 * STATEMENT per statement, STEP_END), running nothing. */
static int dry_run_events(run *ru, const vec *steps, strata_err *e)
{
	strata *s = ru->s;
	int rc = 0;
	for (size_t i = 0; !rc && i < steps->n; i++) {
		rev *r = steps->v[i];
		strata_stmtlist l = { 0 };
		ru->index++;
		step_event(ru, r, STRATA_EVENT_STEP_BEGIN, 0);
		rc = split_section(s, r, ru->up, &l, e);
		for (size_t k = 0; !rc && k < l.n; k++) {
			strata_event ev = { 0 };
			ev.kind = STRATA_EVENT_STATEMENT;
			ev.rev = ctx_rev(s, r);
			ev.up = ru->up;
			ev.sql = l.v[k].sql;
			ctx_event(s, &ev);
		}
		strata_stmtlist_free(&l);
		if (!rc)
			step_event(ru, r, STRATA_EVENT_STEP_END, 0);
	}
	return rc;
}

/* Moves the steps ru->done recorded into *out (NULL: drops them). */
static void take_result(run *ru, strata_run_result *out)
{
	if (out) {
		out->nsteps = ru->done.n;
		out->steps = xcalloc(ru->done.n + 1, sizeof(*out->steps));
		for (size_t i = 0; i < ru->done.n; i++)
			out->steps[i] = *(strata_run_step *)ru->done.v[i];
	}
	for (size_t i = 0; i < ru->done.n; i++)
		free(ru->done.v[i]);
	vec_free(&ru->done);
}

static int migrate(strata *s, int up, const char *target, const strata_run_options *o, strata_run_result *res)
{
	strata_run_options def = STRATA_RUN_OPTIONS_INIT;
	strata_err e = STRATA_ERR_INIT;
	run ru = { 0 };
	strvec unknown = { 0 };
	int rc, locked = 0;
	ru.s = s;
	ru.up = up;
	ru.o = o ? o : &def;
	if (res)
		memset(res, 0, sizeof(*res));
	free(s->failed_rev);
	free(s->failed_file);
	s->failed_rev = s->failed_file = NULL;
	s->failed_line = 0;
	if ((rc = ctx_graph(s)) || (rc = ctx_connect(s)))
		return rc;
	if (s->be->lock) {
		if ((rc = s->be->lock(s->conn, &e)))
			goto done;
		locked = ru.locked = 1;
	}
	if (up && (rc = check_unversioned(s, &e)))
		goto done;
	if (up && ru.o->ignore_unknown) {
		if ((rc = unknown_versions(s, &unknown, &e)))
			goto done;
		if (unknown.n) {
			char *list = strvec_join(&unknown, ", ");
			strata_event ev = { 0 };
			ev.kind = STRATA_EVENT_WARNING;
			ev.ids = (const char *const *)unknown.v;
			ev.nids = unknown.n;
			char *text = xasprintf("the database records revision(s) %s that no file defines (a newer "
					       "program migrated it): nothing to do, as ignore_unknown is set", list);
			ev.text = text;
			ctx_event(s, &ev);
			free(text);
			free(list);
			goto done;
		}
	}
	if ((rc = resolve_target(s, target, up, &ru.target, &ru.below, &e)))
		goto done;
	if (up && (rc = check_edited(&ru, &e)))
		goto done;
	/* Total for progress: the plan as seen now. */
	vec cur = { 0 }, steps = { 0 };
	if (!(rc = db_heads(s, &cur, &e)))
		rc = plan_steps(s->g, &cur, up, &ru.target, ru.below, &steps, NULL, &e);
	/* Refuse what no step may run before the first one runs. */
	ru.checked = xcalloc(s->g->order.n + 1, 1);
	for (size_t i = 0; !rc && i < steps.n; i++) {
		rc = check_section(s, steps.v[i], up, &e);
		ru.checked[((rev *)steps.v[i])->idx] = !rc;
	}
	ru.total = steps.n;
	if (!rc && ru.o->dry_run)
		rc = dry_run_events(&ru, &steps, &e);
	vec_free(&cur);
	vec_free(&steps);
	if (rc || ru.o->dry_run) {
		goto done;
	} else if (ru.o->single_transaction) {
		rc = all_steps(&ru, &e);
		if (rc)
			take_result(&ru, NULL); /* rolled back: nothing stays applied */
	} else {
		int finished = 0;
		while (!rc && !finished)
			rc = one_step(&ru, &finished, &e);
	}
done:
	if (locked)
		s->be->unlock(s->conn);
	take_result(&ru, res);
	vec_free(&ru.target);
	vec_free(&ru.expect);
	strvec_free(&ru.partial);
	graph_state_free(&ru.applied);
	vec_free(&ru.plan);
	free(ru.checked);
	strvec_free(&unknown);
	return rc ? ctx_take(s, &e) : 0;
}

int strata_upgrade(strata *s, const char *target, const strata_run_options *o)
{
	return migrate(s, 1, target ? target : "head", o, NULL);
}

int strata_downgrade(strata *s, const char *target, const strata_run_options *o)
{
	return migrate(s, 0, target ? target : "-1", o, NULL);
}

int strata_upgrade_ex(strata *s, const char *target, const strata_run_options *o, strata_run_result *out)
{
	return migrate(s, 1, target ? target : "head", o, out);
}

int strata_downgrade_ex(strata *s, const char *target, const strata_run_options *o, strata_run_result *out)
{
	return migrate(s, 0, target ? target : "-1", o, out);
}

void strata_run_result_free(strata_run_result *r)
{
	if (!r)
		return;
	free(r->steps);
	r->steps = NULL;
	r->nsteps = 0;
}

int strata_plan(strata *s, int up, const char *target, strata_step **out, size_t *n)
{
	strata_err e = STRATA_ERR_INIT;
	vec t = { 0 }, cur = { 0 }, steps = { 0 }, via = { 0 };
	int rc, below = 0;
	*out = NULL;
	*n = 0;
	if ((rc = ctx_graph(s)) || (rc = ctx_connect(s)))
		return rc;
	if ((rc = resolve_target(s, target ? target : up ? "head" : "-1", up, &t, &below, &e)) ||
	    (rc = db_heads(s, &cur, &e)) || (rc = plan_steps(s->g, &cur, up, &t, below, &steps, &via, &e)))
		goto done;
	*out = xcalloc(steps.n + 1, sizeof(**out));
	for (size_t i = 0; i < steps.n; i++) {
		(*out)[i].rev = ctx_rev(s, steps.v[i]);
		(*out)[i].up = up;
		(*out)[i].atomic = step_atomic(s, steps.v[i], up);
		(*out)[i].via = via.v[i] ? ctx_rev(s, via.v[i]) : NULL;
	}
	*n = steps.n;
done:
	vec_free(&t);
	vec_free(&cur);
	vec_free(&steps);
	vec_free(&via);
	return rc ? ctx_take(s, &e) : 0;
}

/* Renders a step's statements, each ended by ';', for offline mode. */
static int sql_section(strata *s, const strata_backend *be, rev *r, int up, buf *out,
		       strata_err *e)
{
	strata_stmtlist l = { 0 };
	const char *sql = section(r, up);
	int rc = refuse_irreversible(r, up, e);
	if (rc)
		return rc;
	rc = strata_split(sql, strlen(sql), be->dialect, section_line(r, up), &l, e);
	if (rc) {
		prefix_path(e, r->s->path);
		return rc;
	}
	rc = refuse_tx_control(be, r, &l, e);
	for (size_t i = 0; !rc && i < l.n; i++)
		buf_printf(out, "%s;\n\n", l.v[i].sql);
	strata_stmtlist_free(&l);
	(void)s;
	return rc;
}

int strata_sql(strata *s, int up, const char *from, const char *to, char **out)
{
	strata_err e = STRATA_ERR_INIT;
	const strata_backend *be = ctx_backend(s);
	vec f = { 0 }, t = { 0 }, steps = { 0 }, cur = { 0 };
	graph_state applied = { 0 };
	buf b = BUF_INIT;
	int rc, below = 0;
	*out = NULL;
	if ((rc = ctx_graph(s)))
		return rc;
	if (!from)
		from = up ? "base" : "heads";
	if (!to)
		to = up ? "head" : "-1";
	if ((rc = revspec_resolve(s->g, from, NULL, &f, &e)) ||
	    (rc = (up ? revspec_resolve(s->g, to, &f, &t, &e)
		      : revspec_resolve_ex(s->g, to, &f, &t, &below, &e))) ||
	    (rc = plan_steps(s->g, &f, up, &t, below, &steps, NULL, &e)))
		goto done;
	strata_conn_opts co;
	ctx_conn_opts(s, &co);
	char *vt = be->table_name(NULL, &co, s->version_table);
	buf_printf(&b, "-- strata %s %s -> %s (%s)\n\n", up ? "upgrade" : "downgrade", from, to,
		   be->name);
	be->version_ddl(NULL, &co, &b);
	buf_putc(&b, '\n');
	for (size_t i = 0; i < f.n; i++)
		vec_push(&cur, f.v[i]);
	for (size_t i = 0; !rc && i < steps.n; i++) {
		rev *r = steps.v[i];
		buf_printf(&b, "-- %s %s: %s\n", up ? "Running upgrade" : "Running downgrade", r->id,
			   r->s->message);
		int atomic = step_atomic_on(be, r, up);
		if (atomic)
			buf_puts(&b, "BEGIN;\n\n");
		rc = sql_section(s, be, r, up, &b, &e);
		vec after = { 0 };
		heads_after(s->g, &applied, &cur, r, up, &after);
		for (size_t j = 0; j < cur.n; j++)
			if (vec_index(&after, cur.v[j]) < 0)
				buf_printf(&b, "DELETE FROM %s WHERE version_num = '%s';\n", vt,
					   ((rev *)cur.v[j])->id);
		for (size_t j = 0; j < after.n; j++)
			if (vec_index(&cur, after.v[j]) < 0)
				buf_printf(&b, "INSERT INTO %s (version_num) VALUES ('%s');\n", vt,
					   ((rev *)after.v[j])->id);
		vec_free(&cur);
		cur = after;
		if (atomic)
			buf_puts(&b, "\nCOMMIT;\n");
		buf_putc(&b, '\n');
	}
	free(vt);
	if (!rc)
		*out = buf_detach(&b);
done:
	buf_free(&b);
	vec_free(&f);
	vec_free(&t);
	vec_free(&cur);
	vec_free(&steps);
	graph_state_free(&applied);
	return rc ? ctx_take(s, &e) : 0;
}

/* 1 when the revision's upgrade section holds a statement (not only comments). */
static int has_sql(strata *s, const rev *r)
{
	strata_stmtlist l = { 0 };
	int yes = strata_split(r->s->upgrade, strlen(r->s->upgrade), s->be->dialect, 1, &l, NULL) != 0 ||
		  l.n > 0;
	strata_stmtlist_free(&l);
	return yes;
}

/* Emits one STAMP event: `text` as Alembic logs stamp_revision. */
static void stamp_event(strata *s, rev *r, const char *text)
{
	strata_event ev = { 0 };
	ev.kind = STRATA_EVENT_STAMP;
	ev.rev = r ? ctx_rev(s, r) : NULL;
	ev.text = text;
	ctx_event(s, &ev);
}

/* Tells the listener what a stamp from rows `cur` to rows `after` records, as
 * Alembic logs stamp_revision: each new row with the old rows of its lineage that it
 * replaces ("a1b2 -> c3d4"), then each old row nothing replaces ("a1b2 -> "); and
 * warns, naming them, about the revisions it marks applied whose SQL never ran. */
static void stamp_report(strata *s, const vec *cur, const vec *after)
{
	size_t n = s->g->order.n;
	unsigned char *was = xcalloc(n + 1, 1), *now = xcalloc(n + 1, 1);
	unsigned char *replaced = xcalloc(cur->n + 1, 1);
	for (size_t i = 0; i < after->n; i++) {
		rev *r = after->v[i];
		if (vec_index(cur, r) >= 0)
			continue;
		vec one = { 0 };
		vec_push(&one, r);
		memset(now, 0, n);
		graph_mark_ancestors(s->g, &one, now);
		graph_mark_lineage(s->g, r, now);
		vec_free(&one);
		buf b = BUF_INIT;
		for (size_t j = 0; j < cur->n; j++)
			if (vec_index(after, cur->v[j]) < 0 && now[((rev *)cur->v[j])->idx]) {
				buf_printf(&b, "%s%s", b.len ? ", " : "", ((rev *)cur->v[j])->id);
				replaced[j] = 1;
			}
		buf_printf(&b, " -> %s", r->id);
		stamp_event(s, r, b.ptr);
		buf_free(&b);
	}
	for (size_t j = 0; j < cur->n; j++)
		if (!replaced[j] && vec_index(after, cur->v[j]) < 0) {
			char *text = xasprintf("%s -> ", ((rev *)cur->v[j])->id);
			stamp_event(s, NULL, text);
			free(text);
		}
	graph_mark_ancestors(s->g, cur, was);
	memset(now, 0, n);
	graph_mark_ancestors(s->g, after, now);
	strvec skipped = { 0 };
	for (size_t i = 0; i < n; i++)
		if (now[i] && !was[i] && has_sql(s, s->g->order.v[i]))
			strvec_push(&skipped, ((rev *)s->g->order.v[i])->id);
	if (skipped.n) {
		char *list = strvec_join(&skipped, ", ");
		char *text = xasprintf("stamp marks %zu revision(s) applied without running their SQL: %s "
				       "(`strata upgrade` runs them; stamp is for a database whose schema "
				       "already has their changes)", skipped.n, list);
		strata_event ev = { 0 };
		ev.kind = STRATA_EVENT_WARNING;
		ev.text = text;
		ev.ids = (const char *const *)skipped.v;
		ev.nids = skipped.n;
		ctx_event(s, &ev);
		free(text);
		free(list);
	}
	strvec_free(&skipped);
	free(replaced);
	free(was);
	free(now);
}

int strata_stamp(strata *s, const char *const *targets, size_t n, int purge)
{
	strata_err e = STRATA_ERR_INIT;
	vec want = { 0 }, cur = { 0 }, after = { 0 };
	strvec ids = { 0 };
	int rc, in_tx = 0, locked = 0;
	if ((rc = ctx_graph(s)) || (rc = ctx_connect(s)))
		return rc;
	if (s->be->lock) {
		if ((rc = s->be->lock(s->conn, &e)))
			goto done;
		locked = 1;
	}
	if ((rc = s->be->begin(s->conn, &e)))
		goto done;
	in_tx = 1;
	if ((rc = exec_ddl(s, &e)) || (rc = read_versions(s, &ids, &e)))
		goto done;
	for (size_t i = 0; i < ids.n; i++) {
		rev *r = graph_get(s->g, ids.v[i]);
		if (r)
			vec_push(&cur, r);
		else if (!purge)
			ctx_notice(s, STRATA_EVENT_WARNING,
				   "dropping '%s' from %s: no revision file defines it", ids.v[i],
				   s->version_table);
	}
	for (size_t i = 0; i < n; i++)
		if ((rc = revspec_resolve(s->g, targets[i], &cur, &want, &e)))
			goto done;
	size_t total = s->g->order.n;
	unsigned char *mark = xcalloc(total + 1, 1);
	if (want.n) {
		/* Keep the current heads of branches the targets do not touch: those
		 * neither ancestors nor descendants of a target. Two walks on two arrays,
		 * as each walk stops at revisions already marked. */
		unsigned char *rel = xcalloc(total + 1, 1);
		unsigned char *down = xcalloc(total + 1, 1);
		graph_mark_ancestors(s->g, &want, rel);
		graph_mark_descendants(s->g, &want, down);
		for (size_t i = 0; i < total; i++)
			rel[i] |= down[i];
		free(down);
		vec keep = { 0 };
		for (size_t i = 0; i < want.n; i++)
			vec_push(&keep, want.v[i]);
		for (size_t i = 0; !purge && i < cur.n; i++)
			if (!rel[((rev *)cur.v[i])->idx])
				vec_push(&keep, cur.v[i]);
		graph_mark_ancestors(s->g, &keep, mark);
		vec_free(&keep);
		free(rel);
	}
	graph_marked_heads(s->g, mark, &after);
	free(mark);
	char *t = s->be->table_name(s->conn, NULL, s->version_table);
	char *del = xasprintf("DELETE FROM %s", t);
	char *ins = xasprintf("INSERT INTO %s (version_num) VALUES ($1)", t);
	rc = s->be->query(s->conn, del, NULL, 0, NULL, &e);
	for (size_t i = 0; !rc && i < after.n; i++) {
		const char *p[1] = { ((rev *)after.v[i])->id };
		rc = s->be->query(s->conn, ins, p, 1, NULL, &e);
		if (!rc) {
			char sum[65];
			const char *sql = ((rev *)after.v[i])->s->upgrade;
			sha256_hex_text(sql, strlen(sql), sum);
			rc = write_history(s, p[0], "stamp", sum, 0, 1, &e);
		}
	}
	if (!rc && !after.n)
		rc = write_history(s, "base", "stamp", NULL, 0, 1, &e);
	free(t);
	free(del);
	free(ins);
	if (!rc) {
		rc = s->be->commit(s->conn, &e);
		in_tx = 0;
	}
	if (!rc)
		stamp_report(s, &cur, &after);
done:
	if (in_tx)
		s->be->rollback(s->conn, NULL);
	if (locked)
		s->be->unlock(s->conn);
	strvec_free(&ids);
	vec_free(&want);
	vec_free(&cur);
	vec_free(&after);
	return rc ? ctx_take(s, &e) : 0;
}

int strata_applied_list(strata *s, strata_applied **out, size_t *n)
{
	strata_err e = STRATA_ERR_INIT;
	strvec ids = { 0 };
	strata_rows rows = { 0 };
	vec cur = { 0 };
	int rc, exists = 0;
	*out = NULL;
	*n = 0;
	if ((rc = ctx_graph(s)) || (rc = ctx_connect(s)))
		return rc;
	if ((rc = read_versions(s, &ids, &e)))
		goto done;
	for (size_t i = 0; i < ids.n; i++) {
		rev *r = graph_get(s->g, ids.v[i]);
		if (r)
			vec_push(&cur, r);
	}
	if ((rc = s->be->table_exists(s->conn, "strata_history", &exists, &e)))
		goto done;
	if (exists) {
		char *t = s->be->table_name(s->conn, NULL, "strata_history");
		char *sql = xasprintf("SELECT revision, checksum, applied_at, direction FROM %s"
				      " WHERE success = 1 ORDER BY id", t);
		rc = s->be->query(s->conn, sql, NULL, 0, &rows, &e);
		free(sql);
		free(t);
		if (rc)
			goto done;
	}
	size_t total = s->g->order.n;
	unsigned char *applied = xcalloc(total + 1, 1);
	/* Per revision: the latest upgrade record, the latest checksum it was accepted
	 * with (an upgrade, or a `repair` that accepted an edit since), and the latest
	 * record of any kind. */
	map last = { 0 }, accepted = { 0 }, latest = { 0 };
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *id = STRATA_ROWS_CELL(&rows, i, 0), *dir = STRATA_ROWS_CELL(&rows, i, 3);
		if (!id || !dir)
			continue;
		if (strcmp(dir, "up") == 0)
			map_put(&last, id, (void *)(size_t)(i + 1));
		if (strcmp(dir, "up") == 0 || strcmp(dir, "repair") == 0)
			map_put(&accepted, id, (void *)(size_t)(i + 1));
		map_put(&latest, id, (void *)(size_t)(i + 1));
	}
	/* A version row no file defines hides where the database is: then what
	 * strata_history last recorded of each revision (applied or stamped, not
	 * reverted since) stands in, with what lies below it. */
	if (cur.n < ids.n)
		for (size_t i = 0; i < total; i++) {
			size_t row = (size_t)map_get(&latest, ((rev *)s->g->order.v[i])->id);
			const char *dir = row ? STRATA_ROWS_CELL(&rows, row - 1, 3) : "down";
			if (strcmp(dir, "down") != 0)
				vec_push(&cur, s->g->order.v[i]);
		}
	graph_mark_ancestors(s->g, &cur, applied);
	strata_applied *a = xcalloc(total + ids.n + 1, sizeof(*a));
	size_t k = 0;
	for (size_t i = 0; i < total; i++) {
		if (!applied[i])
			continue;
		rev *r = s->g->order.v[i];
		size_t row = (size_t)map_get(&last, r->id), acc = (size_t)map_get(&accepted, r->id);
		a[k].revision = xstrdup(r->id);
		a[k].known = 1;
		if (row) {
			const char *sum = STRATA_ROWS_CELL(&rows, acc - 1, 1);
			const char *when = STRATA_ROWS_CELL(&rows, row - 1, 2);
			a[k].checksum = sum ? xstrdup(sum) : NULL;
			a[k].applied_at = when ? xstrdup(when) : NULL;
			if (sum) {
				char now[65];
				sha256_hex_text(r->s->upgrade, strlen(r->s->upgrade), now);
				a[k].edited = strcmp(now, sum) != 0;
			}
		}
		k++;
	}
	for (size_t i = 0; i < ids.n; i++)
		if (!graph_get(s->g, ids.v[i]))
			a[k++].revision = xstrdup(ids.v[i]);
	map_free(&last);
	map_free(&accepted);
	map_free(&latest);
	free(applied);
	*out = a;
	*n = k;
done:
	strata_rows_free(&rows);
	strvec_free(&ids);
	vec_free(&cur);
	return rc ? ctx_take(s, &e) : 0;
}

void strata_applied_free(strata_applied *a, size_t n)
{
	for (size_t i = 0; a && i < n; i++) {
		free(a[i].revision);
		free(a[i].checksum);
		free(a[i].applied_at);
	}
	free(a);
}

int strata_unversioned_tables(strata *s, int *yes, char ***tables, size_t *n)
{
	strata_err e = STRATA_ERR_INIT;
	int rc, exists = 0;
	*yes = 0;
	*tables = NULL;
	*n = 0;
	if ((rc = ctx_connect(s)))
		return rc;
	if (s->be->table_exists(s->conn, s->version_table, &exists, &e) ||
	    (!exists && s->be->user_tables(s->conn, tables, n, &e)))
		return ctx_take(s, &e);
	*yes = !exists && *n > 0;
	return 0;
}

int strata_backup(strata *s, const char *path, char **written)
{
	strata_err e = STRATA_ERR_INIT;
	int rc;
	*written = NULL;
	if ((rc = ctx_connect(s)))
		return rc;
	if (!s->be->backup)
		return ctx_fail(s, STRATA_EFAIL, "backup is not supported for %s", s->be->name);
	char *p = NULL;
	if (path) {
		p = xstrdup(path);
		rc = s->be->backup(s->conn, p, &e);
	} else {
		char stamp[32];
		time_t t = time(NULL);
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(stamp, sizeof stamp, "%Y%m%d_%H%M%S", &tm);
		/* Two backups within a second, or several processes at once, start from one
		 * name. The backend never replaces a file, so a name found taken (before or
		 * by the time the copy is published) moves on to one with this process's id,
		 * then a counter. */
		int settled = 0; /* done, or failed for another reason than the name */
		for (int k = 0; k < 100 && !settled; k++) {
			char tag[48] = "";
			if (k == 1)
				snprintf(tag, sizeof tag, "_%ld", (long)getpid());
			else if (k > 1)
				snprintf(tag, sizeof tag, "_%ld_%d", (long)getpid(), k);
			char when[96];
			snprintf(when, sizeof when, "%s%s", stamp, tag);
			free(p);
			p = s->url && s->be->backup_path ? ctx_url_file(s, s->be->backup_path(s->url, when)) : NULL;
			if (!p)
				p = xasprintf("strata_backup_%s.dump", when);
			if (fs_lexists(p))
				continue;
			err_clear(&e);
			rc = s->be->backup(s->conn, p, &e);
			settled = !rc || !fs_lexists(p);
		}
		if (!settled) {
			err_clear(&e);
			rc = err_set(&e, STRATA_EFAIL, "no free backup name: %s and 99 others exist", p);
		}
	}
	if (rc) {
		free(p);
		return ctx_take(s, &e);
	}
	*written = p;
	return 0;
}
