/*
 * Seeded random schema pairs on PostgreSQL, through autogenerate, with the data oracle
 * (test_oracle.h).
 *
 * Each pair: a random schema A (tables of every common column type, generated columns,
 * defaults, NOT NULL, checks, foreign keys, indexes, views) with five rows per table
 * (NULLs, boundaries, unicode, long text, awkward literals), and B = A after a few
 * random mutations (type changes, generated columns made plain and back, renames,
 * drops, additions, NOT NULL, defaults). Per pair, in one transaction that is rolled
 * back: B is loaded and read (then rolled back to a savepoint), A is loaded with its
 * rows and read, autogenerate renders the upgrade and downgrade, the upgrade runs; the
 * database must then read as B, autogenerate again must find nothing, and every value of
 * every column both sides have must be unchanged, converted as an assignment to the new
 * type converts it, or named by a `-- WARNING:` of the revision; the same for the
 * downgrade back to A. An upgrade may fail only under a warning, and must then change
 * nothing.
 *
 * Needs $STRATA_PG_URL (tests/run.sh starts a throwaway cluster); without it the test
 * is skipped. STRATA_SEED=n picks the seed (printed), STRATA_PG_PAIRS=n the number of
 * pairs (default 2000).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/postgres/postgres_internal.h"
#include "core/split.h"
#include "schema/autogen.h"
#include "test_oracle.h"
#include "test_random.h"
#include "test_oracle_pairs.h"

/* --- types and their values ------------------------------------------------------------ */

enum { P_INT, P_SMALLINT, P_BIGINT, P_NUM123, P_NUM, P_REAL, P_DOUBLE, P_TEXT, P_VC10,
       P_BOOL, P_DATE, P_TS, P_TSTZ, P_BYTEA, P_JSONB, P_UUID, P_TEXTARR, P_CHAR5, P_VC300,
       P_NTYPES };

/* Name, rows 1/3/4/5, the types a change may make of it (after '|': some rows' values
 * are rejected), indexable, may be generated, takes no literal default, gets no CHECK. */
static const orc_type types[P_NTYPES] = {
	[P_INT] = { "integer", { "42", "2147483647", "-2147483648", "0" }, "2 4 6 7 18 | 1", 1, 1, 0, 0 },
	[P_SMALLINT] = { "smallint", { "7", "32767", "-32768", "0" }, "0 2 7", 1, 1, 0, 0 },
	[P_BIGINT] = { "bigint", { "42", "9223372036854775807", "-9223372036854775808", "-1" },
		       "4 7 | 0", 1, 1, 0, 0 },
	[P_NUM123] = { "numeric(12,3)", { "1.5", "123456789.123", "-0.001", "0" }, "4 6 7", 1, 1, 0, 0 },
	[P_NUM] = { "numeric", { "1.5", "123456789012345678901234567890.123456789",
				 "0.000000000000000000000000000001", "-7" }, "6 7 | 3", 1, 1, 0, 0 },
	[P_REAL] = { "real", { "1.5", "3.4e38", "-1.17549435e-38", "0.1" }, "6 7", 1, 0, 0, 0 },
	[P_DOUBLE] = { "double precision", { "1.5", "1.7976931348623157e308",
					     "2.2250738585072014e-308", "0.1" }, "7 | 5 3", 1, 0, 0, 0 },
	[P_TEXT] = { "text", { "'v'", "'naïve ñandú 日本語 🎉'", "LONG", "'it''s -- ; \"q\" \\ x'" },
		     "8 18", 0, 1, 0, 0 },
	[P_VC10] = { "character varying(10)", { "'v1'", "'naïve日本'", "'0123456789'", "' '" },
		     "7 18", 1, 0, 0, 0 },
	[P_BOOL] = { "boolean", { "true", "false", "true", "false" }, "7", 1, 0, 0, 1 },
	[P_DATE] = { "date", { "'2024-02-29'", "'5874897-12-31'", "'4713-01-01 BC'", "'infinity'" },
		     "7 | 11 12", 1, 0, 0, 0 },
	[P_TS] = { "timestamp without time zone",
		   { "'2024-02-29 12:34:56.789012'", "'294276-12-31 23:59:59.999999'",
		     "'4713-01-01 00:00:00 BC'", "'-infinity'" }, "12 10 7", 1, 0, 0, 0 },
	[P_TSTZ] = { "timestamp with time zone",
		     { "'2024-02-29 12:34:56.789012+05:30'", "'infinity'", "'1970-01-01 00:00:00+00'",
		       "'2000-01-01 00:00:00-12'" }, "11 7", 1, 0, 0, 0 },
	[P_BYTEA] = { "bytea", { "'\\x00ff'", "'\\x'", "LONGBYTES", "'\\xe697a5'" }, "7", 0, 0, 0, 0 },
	[P_JSONB] = { "jsonb", { "'{\"a\": [1, 2.50, \"ü\"], \"b\": null}'", "'[]'", "'\"str\"'",
				 "'1e400'" }, "7", 0, 0, 0, 0 },
	[P_UUID] = { "uuid", { "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'",
			       "'00000000-0000-0000-0000-000000000000'",
			       "'ffffffff-ffff-ffff-ffff-ffffffffffff'",
			       "'123e4567-e89b-12d3-a456-426614174000'" }, "7", 1, 0, 0, 0 },
	[P_TEXTARR] = { "text[]", { "'{a,\"b c\",NULL,ü}'", "'{}'", "'{{1,2},{3,4}}'", "'{\"\"}'" },
			"7", 0, 0, 0, 0 },
	[P_CHAR5] = { "character(5)", { "'ab'", "'abcde'", "' '", "'ü'" }, "7 8", 1, 0, 0, 0 },
	[P_VC300] = { "character varying(300)", { "'v'", "'ünï'", "'0123456789abc'", "''" },
		      "7 8", 1, 0, 0, 0 },
};

/* A value of the given catalog type that fills a column (for `-- strata:fill`). */
static const char *fill_value(const char *type)
{
	for (int i = 0; i < P_NTYPES; i++)
		if (strcmp(types[i].name, type) == 0)
			return types[i].vals[0];
	return "NULL";
}

static const int mutations[] = { ORC_ADD_TABLE, ORC_DROP_TABLE, ORC_ADD_COLUMN, ORC_DROP_COLUMN,
				 ORC_RETYPE, ORC_RETYPE, ORC_NOTNULL, ORC_DEFAULT, ORC_PLAIN,
				 ORC_GENERATED, ORC_EXPRESSION, ORC_RENAME_TABLE, ORC_RENAME_COLUMN };

static const orc_model model = {
	.types = types,
	.ntypes = P_NTYPES,
	.int_type = P_INT,
	.gen_types = { P_INT, P_BIGINT, P_NUM, P_TEXT },
	.maxt = 4,
	.maxc = 8,
	.more_cols = 5,
	.checks = 1,
	.views = 1,
	.mutations = mutations,
	.nmutations = (int)(sizeof(mutations) / sizeof(mutations[0])),
	.quote = pg_quote,
	.qname = pg_qname,
	.bytes_open = "'\\x",
	.fill_value = fill_value,
	.id_text = "\"id\"::text",
	.literal_fn = "quote_nullable",
};

/* --- printing ------------------------------------------------------------------------------ */

static void put_gen_expr(buf *b, const orc_col *c)
{
	buf_printf(b, c->type == P_TEXT ? "((\"id\" * %d)::text)" : "(\"id\" * %d)", c->gexpr ? 3 : 2);
}

static void print_table(buf *b, const orc_schema *s, const orc_table *t)
{
	buf_puts(b, "CREATE TABLE ");
	orc_put_table(&model, b, s, t->name);
	buf_puts(b, " (\n  \"id\" integer PRIMARY KEY");
	for (int i = 1; i < t->ncols; i++) {
		const orc_col *c = &t->cols[i];
		if (!c->alive)
			continue;
		buf_puts(b, ",\n  ");
		pg_quote(b, c->name);
		buf_printf(b, " %s", types[c->type].name);
		if (c->gen) {
			buf_puts(b, " GENERATED ALWAYS AS ");
			put_gen_expr(b, c);
			buf_puts(b, " STORED");
			continue;
		}
		if (c->notnull)
			buf_puts(b, " NOT NULL");
		if (c->dflt) {
			buf_puts(b, " DEFAULT ");
			orc_put_value(&model, b, c->type, 1, i);
		}
		if (c->check) {
			buf_puts(b, " CHECK (");
			pg_quote(b, c->name);
			buf_puts(b, " IS DISTINCT FROM ");
			orc_put_value(&model, b, c->type, 5, i);
			buf_printf(b, "::%s)", types[c->type].name);
		}
		if (c->ref && s->t[0].alive) {
			buf_puts(b, " REFERENCES ");
			orc_put_table(&model, b, s, s->t[0].name);
		}
	}
	buf_puts(b, "\n);\n");
	for (int i = 1; i < t->ncols; i++) {
		const orc_col *c = &t->cols[i];
		if (!c->alive || !c->index)
			continue;
		buf_puts(b, "CREATE INDEX ON ");
		orc_put_table(&model, b, s, t->name);
		buf_puts(b, " (");
		pg_quote(b, c->name);
		buf_puts(b, ");\n");
	}
	if (t->view) {
		buf_puts(b, "CREATE VIEW ");
		char vn[64];
		snprintf(vn, sizeof(vn), "v_%s", t->name);
		orc_put_table(&model, b, s, vn);
		buf_puts(b, " AS SELECT * FROM ");
		orc_put_table(&model, b, s, t->name);
		buf_puts(b, ";\n");
	}
}

static void print_schema(buf *b, const orc_schema *s)
{
	buf_puts(b, "CREATE SCHEMA ");
	pg_quote(b, s->schema);
	buf_puts(b, ";\n");
	for (int i = 0; i < s->nt; i++)
		if (s->t[i].alive)
			print_table(b, s, &s->t[i]);
}

/* --- the database ------------------------------------------------------------------------- */

static PGconn *pg;

/* Runs SQL; returns 0, or 1 with the server's message in *msg (malloc'd). */
static int pexec(const char *sql, char **msg)
{
	PGresult *r = PQexec(pg, sql);
	ExecStatusType st = PQresultStatus(r);
	int rc = st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY;
	if (rc && msg)
		*msg = xstrdup(PQerrorMessage(pg));
	PQclear(r);
	return rc;
}

static void pmust(const char *sql)
{
	char *msg = NULL;
	if (pexec(sql, &msg)) {
		print_error("SQL failed: %s\n%.2000s\n", msg, sql);
		free(msg);
		fail();
	}
}

static strata_catalog *pcatalog(void)
{
	strata_catalog *c = NULL;
	strata_err e = STRATA_ERR_INIT;
	if (pg_introspect_db(pg, NULL, NULL, &c, &e))
		fail_msg("introspect: %s", e.msg);
	return c;
}

/* --- the oracle's view of the tables ---------------------------------------------------------- */

/* The rows of `cols` of `table` keyed by "id", as literals. */
static orc_snap psnapshot(const char *table, const strvec *cols)
{
	orc_snap s = { 0, cols->n, NULL };
	buf q = BUF_INIT;
	orc_snapshot_sql(&model, &q, table, cols);
	PGresult *r = PQexec(pg, q.ptr);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("snapshot failed: %s: %s", PQerrorMessage(pg), q.ptr);
	char **cells = xcalloc(cols->n + 1, sizeof(*cells));
	for (int row = 0; row < PQntuples(r); row++) {
		for (size_t i = 0; i <= cols->n; i++)
			cells[i] = PQgetisnull(r, row, (int)i) ? NULL : PQgetvalue(r, row, (int)i);
		orc_snap_add(&s, cells);
	}
	free(cells);
	PQclear(r);
	buf_free(&q);
	return s;
}

/* The scratch tables of the running transaction, one per column type: conv_types[i]
 * is the type of pg_temp.strata_conv_<i>. Emptied when a pair (or batch) begins. */
static strvec conv_types;

/* What an assignment to the new type makes of a value, asked of the server: the value
 * inserted into a scratch column of that type (an explicit cast where the types have no
 * assignment cast). */
static char *pconvert(void *ctx, size_t col, const char *value)
{
	orc_conv *x = ctx;
	const strata_column *a = x->from->v[col], *b = x->to->v[col];
	if (strcmp(a->type, b->type) == 0 || b->generated)
		return NULL;
	size_t k = 0;
	while (k < conv_types.n && strcmp(conv_types.v[k], b->type) != 0)
		k++;
	buf q = BUF_INIT;
	if (k == conv_types.n) {
		buf_printf(&q, "CREATE TEMP TABLE strata_conv_%zu (v %s)", k, b->type);
		pmust(q.ptr);
		strvec_push(&conv_types, b->type);
	}
	char *out = NULL;
	for (int explicit = 0; explicit < 2 && !out; explicit++) {
		buf_reset(&q);
		buf_printf(&q, "INSERT INTO pg_temp.strata_conv_%zu VALUES (((%s)::%s)%s%s) "
			       "RETURNING quote_nullable(v)", k, value, a->type, explicit ? "::" : "",
			   explicit ? b->type : "");
		pmust("SAVEPOINT conv");
		PGresult *r = PQexec(pg, q.ptr);
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
			out = xstrdup(PQgetvalue(r, 0, 0));
		PQclear(r);
		pmust(out ? "RELEASE SAVEPOINT conv" : "ROLLBACK TO SAVEPOINT conv");
	}
	buf_free(&q);
	return out ? out : xasprintf("(rejected by %s)", b->type);
}

/* --- one pair -------------------------------------------------------------------------------- */

static struct {
	unsigned runs, empty, failed_warned, gen_plain, retyped;
} st;

/* Runs one pair in a transaction that is rolled back; returns 1 when it holds, else
 * prints the pair. */
/* The pair whose schema ("pN") the first statement of `sql` that fails names, or -1. */
static int failing_pair(const char *sql)
{
	strata_stmtlist l = { 0 };
	strata_err e = STRATA_ERR_INIT;
	int who = -1;
	pmust("SAVEPOINT find");
	if (strata_split(sql, strlen(sql), STRATA_DIALECT_POSTGRES, 1, &l, &e) == 0)
		for (size_t i = 0; i < l.n && who < 0; i++) {
			if (!pexec(l.v[i].sql, NULL))
				continue;
			const char *p = strstr(l.v[i].sql, "\"p");
			who = p ? atoi(p + 2) : -1;
			who = who >= 0 ? who : -2;
		}
	pmust("ROLLBACK TO SAVEPOINT find");
	strata_stmtlist_free(&l);
	err_clear(&e);
	return who;
}

/* Runs one pair (or a batch of pairs in schemas of their own); when `culprit` is not
 * NULL and the upgrade or downgrade fails, sets it to the pair the failing statement
 * names and returns 0 without printing. */
static int pair(const char *a, const char *rows, const char *b, const char *const *ren, size_t nren,
		int quiet, int *culprit)
{
	orc_pair p = { 0 };
	char *msg = NULL, *sql = NULL;
	int ok = 0;

	pmust("BEGIN");
	strvec_clear(&conv_types);
	pmust("SAVEPOINT b");
	if (pexec(b, &msg)) {
		buf_printf(&p.why, "loading B failed: %s", msg);
		goto done;
	}
	p.cb = pcatalog();
	pmust("ROLLBACK TO SAVEPOINT b");
	if (pexec(a, &msg) || pexec(rows, &msg)) {
		buf_printf(&p.why, "loading A failed: %s", msg);
		goto done;
	}
	p.ca = pcatalog();
	if (orc_pair_plan(&p, pg_render, ren, nren, psnapshot))
		goto done;
	st.runs++;
	st.empty += !p.r.upgrade_sql[0];
	sql = orc_fill(&model, p.r.upgrade_sql, p.cb);
	pmust("SAVEPOINT up");
	if (pexec(sql, &msg)) {
		/* A failed revision is fine under a warning, and must change nothing. */
		pmust("ROLLBACK TO SAVEPOINT up");
		if (culprit && (*culprit = failing_pair(sql)) >= 0)
			goto done;
		if (!strstr(p.r.upgrade_sql, "-- WARNING:")) {
			buf_printf(&p.why, "upgrade failed without a warning: %s", msg);
			goto done;
		}
		ok = orc_rows_kept(p.tabs, p.nt, 0, 0, "", &p.why, psnapshot, pconvert);
		st.failed_warned += ok;
		goto done;
	}
	p.now = pcatalog();
	if (!orc_pair_upgraded(&p, pg_render, psnapshot, pconvert))
		goto done;
	free(sql);
	sql = orc_fill(&model, p.r.downgrade_sql, p.ca);
	pmust("SAVEPOINT down");
	if (pexec(sql, &msg)) {
		/* As for the upgrade: a failure is fine under a warning. */
		pmust("ROLLBACK TO SAVEPOINT down");
		if (culprit && (*culprit = failing_pair(sql)) >= 0)
			goto done;
		if (!strstr(p.r.downgrade_sql, "-- WARNING:")) {
			buf_printf(&p.why, "downgrade failed without a warning: %s", msg);
			goto done;
		}
		ok = orc_rows_kept(p.tabs, p.nt, 1, 1, "", &p.why, psnapshot, pconvert);
		st.failed_warned += ok;
		goto done;
	}
	strata_catalog_free(p.now);
	p.now = pcatalog();
	ok = orc_pair_downgraded(&p, psnapshot, pconvert);
done:
	if (PQtransactionStatus(pg) != PQTRANS_IDLE)
		pexec("ROLLBACK", NULL);
	orc_pair_end(&p, ok, quiet, a, rows, b);
	free(msg);
	free(sql);
	return ok;
}

static void test_random_pairs_pg(void **state)
{
	(void)state;
	const char *url = getenv("STRATA_PG_URL");
	if (!url || !*url) {
		printf("schema random pg: STRATA_PG_URL is not set: skipped\n");
		skip();
	}
	strata_err e = STRATA_ERR_INIT;
	if (pq_load(&e))
		fail_msg("%s", e.msg);
	const char *keys[] = { "dbname", NULL };
	const char *vals[] = { url, NULL };
	pg = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(pg) != CONNECTION_OK)
		fail_msg("cannot connect to %s: %s", url, PQerrorMessage(pg));
	pmust("SET client_min_messages = warning; SET TimeZone = 'UTC'");
	const char *s = getenv("STRATA_SEED");
	uint64_t seed = s && *s ? strtoull(s, NULL, 10) : 20240611u;
	const char *np = getenv("STRATA_PG_PAIRS");
	int pairs = np && *np ? atoi(np) : 2000, failed = 0;
	printf("schema random pg: seed %" PRIu64 " (STRATA_SEED), %d pairs (STRATA_PG_PAIRS)\n", seed,
	       pairs);
	/* Pairs run in batches, each pair in a schema of its own, so one migration and a
	 * few catalog reads serve many pairs; a batch that fails is run again pair by
	 * pair, and the failing pairs are printed alone. */
	const char *bs = getenv("STRATA_PG_BATCH");
	int batch = bs && *bs ? atoi(bs) : 20;
	if (batch < 1)
		batch = 1;
	/* STRATA_RT_SHARD of STRATA_RT_SHARDS: the test lanes run the batches in parts. */
	const char *hs = getenv("STRATA_RT_SHARDS"), *hr = getenv("STRATA_RT_SHARD");
	int shards = hs && *hs ? atoi(hs) : 1, shard = hr && *hr ? atoi(hr) : 0;
	if (shards < 1)
		shards = 1;
	for (int first = 0; first < pairs && failed < 3; first += batch) {
		if ((first / batch) % shards != shard)
			continue;
		int k = pairs - first < batch ? pairs - first : batch;
		buf *sa = xcalloc((size_t)k, sizeof(buf)), *sb = xcalloc((size_t)k, sizeof(buf));
		buf *rows = xcalloc((size_t)k, sizeof(buf)), *log = xcalloc((size_t)k, sizeof(buf));
		orc_renames *rn = xcalloc((size_t)k, sizeof(orc_renames));
		buf all_a = BUF_INIT, all_b = BUF_INIT, all_rows = BUF_INIT;
		const char **ren = xcalloc((size_t)k * 4 + 1, sizeof(*ren));
		size_t nren = 0;
		for (int j = 0; j < k; j++) {
			int i = first + j;
			orc_seed_pair(seed, i);
			orc_schema a, b;
			orc_random_schema(&model, &a);
			snprintf(a.schema, sizeof(a.schema), "p%d", i);
			b = a;
			int n = 1 + rnd(3);
			for (int m = 0; m < n; m++)
				orc_mutate(&model, &b, &rn[j], &log[j]);
			print_schema(&sa[j], &a);
			print_schema(&sb[j], &b);
			orc_print_rows(&model, &rows[j], &a, &b);
		}
		/* A pair whose upgrade fails (under a warning) is run alone and left out. */
		char *out = xcalloc((size_t)k, 1);
		int culprit = -1, ok;
		for (;;) {
			buf_reset(&all_a);
			buf_reset(&all_b);
			buf_reset(&all_rows);
			nren = 0;
			for (int j = 0; j < k; j++) {
				if (out[j])
					continue;
				buf_puts(&all_a, sa[j].ptr);
				buf_puts(&all_b, sb[j].ptr);
				buf_puts(&all_rows, rows[j].ptr);
				for (int m = 0; m < rn[j].n; m++)
					ren[nren++] = rn[j].spec[m];
			}
			culprit = -1;
			ok = pair(all_a.ptr ? all_a.ptr : "", all_rows.ptr ? all_rows.ptr : "",
				  all_b.ptr ? all_b.ptr : "", ren, nren, k > 1, k > 1 ? &culprit : NULL);
			if (ok || culprit < first || culprit >= first + k || out[culprit - first])
				break;
			out[culprit - first] = 1;
			const char *one[4];
			for (int m = 0; m < rn[culprit - first].n; m++)
				one[m] = rn[culprit - first].spec[m];
			int j = culprit - first;
			if (!pair(sa[j].ptr, rows[j].ptr, sb[j].ptr, one, (size_t)rn[j].n, 0, NULL)) {
				fprintf(stderr, "seed %" PRIu64 ", pair %d, mutations: %s\n", seed, culprit,
					log[j].ptr ? log[j].ptr : "");
				failed++;
			}
		}
		free(out);
		if (!ok) {
			int alone = 0;
			for (int j = 0; j < k && k > 1; j++) {
				const char *one[4];
				for (int m = 0; m < rn[j].n; m++)
					one[m] = rn[j].spec[m];
				if (!pair(sa[j].ptr, rows[j].ptr, sb[j].ptr, one, (size_t)rn[j].n, 0, NULL)) {
					fprintf(stderr, "seed %" PRIu64 ", pair %d, mutations: %s\n", seed,
						first + j, log[j].ptr ? log[j].ptr : "");
					alone++;
				}
			}
			if (!alone) {
				fprintf(stderr, "seed %" PRIu64 ", pairs %d..%d fail together only:\n", seed,
					first, first + k - 1);
				pair(all_a.ptr, all_rows.ptr, all_b.ptr, ren, nren, 0, NULL);
			}
			failed += alone ? alone : 1;
		}
		for (int j = 0; j < k; j++) {
			buf_free(&sa[j]);
			buf_free(&sb[j]);
			buf_free(&rows[j]);
			buf_free(&log[j]);
		}
		free(sa);
		free(sb);
		free(rows);
		free(log);
		free(rn);
		free(ren);
		buf_free(&all_a);
		buf_free(&all_b);
		buf_free(&all_rows);
	}
	PQfinish(pg);
	strvec_free(&conv_types);
	printf("schema random pg: %u round trips, %u failing cleanly under a warning, %u without "
	       "changes\n", st.runs, st.failed_warned, st.empty);
	if (failed)
		fail_msg("%d random pairs failed (seed %" PRIu64 ")", failed, seed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_pairs_pg),
	};
	return cmocka_run_group_tests_name("schema random pg", tests, NULL, NULL);
}
