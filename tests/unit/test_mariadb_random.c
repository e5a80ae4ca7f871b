/*
 * Seeded random schema pairs on MariaDB, through autogenerate, with the data oracle
 * (test_oracle.h).
 *
 * Each pair: a random schema A (tables of the common MariaDB column types, stored
 * generated columns, defaults, NOT NULL, foreign keys, indexes) with five rows per table
 * (NULLs, boundaries, unicode, long text, awkward literals), and B = A after a few
 * random mutations (type changes, generated columns made plain, renames, drops,
 * additions, NOT NULL, defaults). MariaDB commits DDL as it runs, so each pair gets a
 * database of its own: B is loaded and read, the database is emptied, A is loaded with
 * its rows and read, autogenerate renders the upgrade and downgrade, and the upgrade
 * runs; the database must then read as B, autogenerate again must find nothing, and
 * every value of every column both sides have must be unchanged, converted as an
 * assignment to the new type converts it, or named by a `-- WARNING:` of the revision;
 * the same for the downgrade back to A. An upgrade may fail only under a warning.
 *
 * Needs $STRATA_MARIADB_URL (tests/run.sh starts a throwaway server); without it the
 * test is skipped. STRATA_SEED=n picks the seed (printed), STRATA_MARIADB_PAIRS=n the
 * number of pairs (default 2000). A pair costs about 20 ms of CPU, mostly the server's
 * DDL and catalog reads, when the server keeps its data in memory (tests/mariadb_server.sh);
 * on a disk, where each DDL statement syncs MariaDB's DDL log, about 30 times that.
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

#include "backends/mariadb/mariadb_internal.h"
#include "schema/autogen.h"
#include "test_oracle.h"
#include "test_random.h"
#include "test_oracle_pairs.h"

/* --- types and their values ------------------------------------------------------------ */

enum { M_INT, M_SMALLINT, M_BIGINT, M_DEC, M_DOUBLE, M_FLOAT, M_TEXT, M_VC10, M_VC300,
       M_CHAR5, M_BOOL, M_DATE, M_DT, M_BLOB, M_ENUM, M_NTYPES };

/* Name, rows 1/3/4/5, the types a change may make of it (after '|': some rows' values
 * are rejected or changed), indexable, may be generated, takes no literal default. */
static const orc_type types[M_NTYPES] = {
	[M_INT] = { "INT", { "42", "2147483647", "-2147483648", "0" }, "2 3 4 6 8 | 1", 1, 1, 0, 0 },
	[M_SMALLINT] = { "SMALLINT", { "7", "32767", "-32768", "0" }, "0 2 3", 1, 1, 0, 0 },
	[M_BIGINT] = { "BIGINT", { "42", "9223372036854775807", "-9223372036854775808", "-1" },
		       "6 8 | 0", 1, 1, 0, 0 },
	[M_DEC] = { "DECIMAL(12,3)", { "1.5", "123456789.123", "-0.001", "0" }, "4 6 | 0", 1, 1, 0, 0 },
	[M_DOUBLE] = { "DOUBLE", { "1.5", "1.7976931348623157e308", "2.2250738585072014e-308",
				   "0.1" }, "6 | 5 3", 1, 0, 0, 0 },
	[M_FLOAT] = { "FLOAT", { "1.5", "3.4e38", "-1.17549e-38", "0.5" }, "4", 1, 0, 0, 0 },
	[M_TEXT] = { "TEXT", { "'v'", "'naïve ñandú 日本語 🎉'", "LONG", "'it''s -- ; \"q\" \\\\ x'" },
		     "8 | 7", 0, 1, 1, 0 },
	[M_VC10] = { "VARCHAR(10)", { "'v1'", "'naïve日本'", "'0123456789'", "' x'" }, "8 6 | 9",
		     1, 0, 0, 0 },
	[M_VC300] = { "VARCHAR(300)", { "'v'", "'ünï'", "'0123456789abc'", "''" }, "6 | 7", 1, 0, 0, 0 },
	[M_CHAR5] = { "CHAR(5)", { "'ab'", "'abcde'", "' '", "'ü'" }, "7 8 6", 1, 0, 0, 0 },
	[M_BOOL] = { "TINYINT(1)", { "1", "0", "1", "0" }, "0 1", 1, 0, 0, 0 },
	[M_DATE] = { "DATE", { "'2024-02-29'", "'9999-12-31'", "'1000-01-01'", "'1970-01-01'" },
		     "12 6", 1, 0, 0, 0 },
	[M_DT] = { "DATETIME(6)", { "'2024-02-29 12:34:56.789012'", "'9999-12-31 23:59:59.999999'",
				    "'1000-01-01 00:00:00'", "'1970-01-01 00:00:01'" }, "6 | 11", 1, 0, 0, 0 },
	[M_BLOB] = { "BLOB", { "X'00ff'", "X''", "LONGBYTES", "X'e697a5'" }, "", 0, 0, 1, 0 },
	[M_ENUM] = { "ENUM('a','b','c')", { "'a'", "'b'", "'c'", "'a'" }, "8", 1, 0, 0, 0 },
};

/* A value that fills a column of catalog type `type` (for `-- strata:fill`). */
static const char *fill_value(const char *type)
{
	return strstr(type, "INT") || strstr(type, "DECIMAL") || strstr(type, "DOUBLE") ||
			       strstr(type, "FLOAT") ? "1"
	       : strncmp(type, "DATETIME", 8) == 0 ? "'2000-01-01 00:00:00'"
	       : strncmp(type, "DATE", 4) == 0 ? "'2000-01-01'"
	       : strncmp(type, "ENUM", 4) == 0 ? "'a'"
	       : strstr(type, "BLOB") ? "X'00'"
				      : "'x'";
}

/* The mutations MariaDB's pairs draw from: no plain column is made generated here. */
static const int mutations[] = { ORC_ADD_TABLE, ORC_DROP_TABLE, ORC_ADD_COLUMN, ORC_DROP_COLUMN,
				 ORC_RETYPE, ORC_RETYPE, ORC_NOTNULL, ORC_DEFAULT, ORC_PLAIN,
				 ORC_RENAME_TABLE, ORC_RENAME_COLUMN };

static const orc_model model = {
	.types = types,
	.ntypes = M_NTYPES,
	.int_type = M_INT,
	.gen_types = { M_INT, M_BIGINT, M_DEC, M_TEXT },
	.maxt = 3,
	.maxc = 7,
	.more_cols = 4,
	.strict_notnull = 1,
	.mutations = mutations,
	.nmutations = (int)(sizeof(mutations) / sizeof(mutations[0])),
	.quote = my_quote,
	.qname = my_quote,
	.bytes_open = "X'",
	.fill_value = fill_value,
	.id_text = "CAST(`id` AS CHAR)",
	.literal_fn = "QUOTE",
};

/* --- printing ------------------------------------------------------------------------------ */

static void print_table(buf *b, const orc_schema *s, const orc_table *t)
{
	buf_puts(b, "CREATE TABLE ");
	my_quote(b, t->name);
	buf_puts(b, " (\n  `id` INT NOT NULL PRIMARY KEY");
	for (int i = 1; i < t->ncols; i++) {
		const orc_col *c = &t->cols[i];
		if (!c->alive)
			continue;
		buf_puts(b, ",\n  ");
		my_quote(b, c->name);
		buf_printf(b, " %s", types[c->type].name);
		if (c->gen) {
			buf_printf(b, c->type == M_TEXT ? " AS (CONCAT('g', `id` * %d)) STORED"
							: " AS (`id` * %d) STORED", c->gexpr ? 3 : 2);
			continue;
		}
		if (c->notnull)
			buf_puts(b, " NOT NULL");
		if (c->dflt) {
			buf_puts(b, " DEFAULT ");
			orc_put_value(&model, b, c->type, 1, i);
		}
	}
	for (int i = 1; i < t->ncols; i++) {
		const orc_col *c = &t->cols[i];
		if (c->alive && c->ref && s->t[0].alive) {
			buf_puts(b, ",\n  FOREIGN KEY (");
			my_quote(b, c->name);
			buf_puts(b, ") REFERENCES ");
			my_quote(b, s->t[0].name);
			buf_puts(b, " (`id`)");
		}
	}
	buf_puts(b, "\n) ENGINE=InnoDB;\n");
	for (int i = 1; i < t->ncols; i++) {
		const orc_col *c = &t->cols[i];
		if (!c->alive || !c->index || c->ref)
			continue;
		buf_printf(b, "CREATE INDEX `ix_%u` ON ", ++name_seq);
		my_quote(b, t->name);
		buf_puts(b, " (");
		my_quote(b, c->name);
		buf_puts(b, ");\n");
	}
}

static void print_schema(buf *b, const orc_schema *s)
{
	for (int i = 0; i < s->nt; i++)
		if (s->t[i].alive)
			print_table(b, s, &s->t[i]);
}

/* --- the database ------------------------------------------------------------------------- */

static strata_conn *conn;
static const char *dbname = "strata_random";

/* Runs every statement of `sql` (the mariadb client's splitting); 0, or 1 with the
 * server's message in *msg (malloc'd). */
static int mexec(const char *sql, char **msg)
{
	strata_stmtlist l = { 0 };
	strata_err e = STRATA_ERR_INIT;
	int rc = strata_split(sql, strlen(sql), STRATA_DIALECT_MYSQL, 1, &l, &e);
	for (size_t i = 0; i < l.n && !rc; i++)
		rc = my_exec(conn, l.v[i].sql, &e);
	if (rc && msg)
		*msg = xstrdup(e.msg ? e.msg : "failed");
	strata_stmtlist_free(&l);
	err_clear(&e);
	return rc != 0;
}

static void mmust(const char *sql)
{
	char *msg = NULL;
	if (mexec(sql, &msg)) {
		print_error("SQL failed: %s\n%.2000s\n", msg, sql);
		free(msg);
		fail();
	}
}

/* Drops and creates the pair's database, utf8mb4, and switches to it. */
static void fresh_db(void)
{
	buf q = BUF_INIT;
	buf_printf(&q, "DROP DATABASE IF EXISTS `%s`;\nCREATE DATABASE `%s` CHARACTER SET utf8mb4 "
		       "COLLATE utf8mb4_general_ci;\nUSE `%s`", dbname, dbname, dbname);
	mmust(q.ptr);
	buf_free(&q);
}

static strata_catalog *mcatalog(void)
{
	strata_catalog *c = NULL;
	strata_err e = STRATA_ERR_INIT;
	if (my_introspect_db(conn, dbname, NULL, &c, &e))
		fail_msg("introspect: %s", e.msg);
	return c;
}

/* --- the oracle's view of the tables ---------------------------------------------------------- */

/* The rows of `cols` of `table` keyed by `id`, as literals (QUOTE()). */
static orc_snap msnapshot(const char *table, const strvec *cols)
{
	orc_snap s = { 0, cols->n, NULL };
	buf q = BUF_INIT;
	orc_snapshot_sql(&model, &q, table, cols);
	strata_rows r = { 0 };
	strata_err e = STRATA_ERR_INIT;
	if (my_query(conn, q.ptr, NULL, 0, &r, &e))
		fail_msg("snapshot failed: %s: %s", e.msg, q.ptr);
	for (size_t row = 0; row < r.nrows; row++)
		orc_snap_add(&s, &r.cells[row * r.ncols]);
	strata_rows_free(&r);
	buf_free(&q);
	return s;
}

/* The scratch tables of the session, two for each change of type the pairs met:
 * conv_types[k] is "OLD\nNEW", the types of strata_conv_K_a and strata_conv_K_b in the
 * URL's database (the pairs' own database is dropped between pairs); each value gets a
 * row of its own, keyed by conv_seq. */
static strvec conv_types;
static unsigned conv_seq;

/* Appends `home`.strata_conv_K_SIDE. */
static void conv_table(buf *q, size_t k, char side)
{
	my_quote(q, strata_my_database(conn));
	buf_printf(q, ".strata_conv_%zu_%c", k, side);
}

/* What an assignment to the new type makes of a value, asked of the server: the value
 * stored in a scratch column of the old type, then copied into one of the new type. */
static char *mconvert(void *ctx, size_t col, const char *value)
{
	orc_conv *x = ctx;
	const strata_column *a = x->from->v[col], *b = x->to->v[col];
	if (strcmp(a->type, b->type) == 0 || b->generated || strcmp(value, "NULL") == 0)
		return NULL;
	buf key = BUF_INIT, q = BUF_INIT;
	buf_printf(&key, "%s\n%s", a->type, b->type);
	size_t k = 0;
	while (k < conv_types.n && strcmp(conv_types.v[k], key.ptr) != 0)
		k++;
	if (k == conv_types.n) {
		buf_puts(&q, "CREATE TEMPORARY TABLE ");
		conv_table(&q, k, 'a');
		buf_printf(&q, " (k INT PRIMARY KEY, v %s);\nCREATE TEMPORARY TABLE ", a->type);
		conv_table(&q, k, 'b');
		buf_printf(&q, " (k INT PRIMARY KEY, v %s)", b->type);
		mmust(q.ptr);
		strvec_push(&conv_types, key.ptr);
	}
	unsigned id = ++conv_seq;
	buf_reset(&q);
	buf_puts(&q, "INSERT INTO ");
	conv_table(&q, k, 'a');
	buf_printf(&q, " VALUES (%u, %s)", id, value);
	mmust(q.ptr);
	buf_reset(&q);
	buf_puts(&q, "INSERT INTO ");
	conv_table(&q, k, 'b');
	buf_puts(&q, " SELECT k, v FROM ");
	conv_table(&q, k, 'a');
	buf_printf(&q, " WHERE k = %u", id);
	char *out = NULL;
	if (!mexec(q.ptr, NULL)) {
		strata_rows r = { 0 };
		strata_err e = STRATA_ERR_INIT;
		buf_reset(&q);
		buf_puts(&q, "SELECT QUOTE(v) FROM ");
		conv_table(&q, k, 'b');
		buf_printf(&q, " WHERE k = %u", id);
		if (my_query(conn, q.ptr, NULL, 0, &r, &e) == 0 && r.nrows == 1)
			out = xstrdup(STRATA_ROWS_CELL(&r, 0, 0) ? STRATA_ROWS_CELL(&r, 0, 0) : "NULL");
		strata_rows_free(&r);
		err_clear(&e);
	}
	buf_free(&q);
	buf_free(&key);
	return out ? out : xasprintf("(rejected by %s)", b->type);
}

/* --- one pair -------------------------------------------------------------------------------- */

static struct {
	unsigned runs, empty, failed_warned;
} st;

/* Runs the revision `sql` (filled from catalog `fill`); 0 when it ran. A failure is
 * fine only under a warning: *ok then says whether the pair holds. */
static int apply(const char *rev, const strata_catalog *fill, const char *what, int *ok, buf *why)
{
	char *msg = NULL, *sql = orc_fill(&model, rev, fill);
	int failed = mexec(sql, &msg);
	if (failed) {
		/* DDL commits as it runs: what ran before the failure stays, so the data
		 * is not compared; the revision must say it may fail. */
		*ok = strstr(rev, "-- WARNING:") != NULL;
		if (*ok)
			st.failed_warned++;
		else
			buf_printf(why, "%s failed without a warning: %s\n", what, msg);
	}
	free(msg);
	free(sql);
	return failed;
}

/* Runs one pair in a fresh database; returns 1 when it holds, else prints the pair. */
static int pair(const char *a, const char *rows, const char *b, const char *const *ren, size_t nren)
{
	orc_pair p = { 0 };
	char *msg = NULL;
	int ok = 0;

	fresh_db();
	if (mexec(b, &msg)) {
		buf_printf(&p.why, "loading B failed: %s", msg);
		goto done;
	}
	p.cb = mcatalog();
	fresh_db();
	if (mexec(a, &msg) || mexec(rows, &msg)) {
		buf_printf(&p.why, "loading A failed: %s", msg);
		goto done;
	}
	p.ca = mcatalog();
	if (orc_pair_plan(&p, my_render, ren, nren, msnapshot))
		goto done;
	st.runs++;
	st.empty += !p.r.upgrade_sql[0];
	if (apply(p.r.upgrade_sql, p.cb, "upgrade", &ok, &p.why))
		goto done;
	p.now = mcatalog();
	if (!orc_pair_upgraded(&p, my_render, msnapshot, mconvert))
		goto done;
	if (apply(p.r.downgrade_sql, p.ca, "downgrade", &ok, &p.why))
		goto done;
	strata_catalog_free(p.now);
	p.now = mcatalog();
	ok = orc_pair_downgraded(&p, msnapshot, mconvert);
done:
	orc_pair_end(&p, ok, 0, a, rows, b);
	free(msg);
	return ok;
}

static void test_random_pairs_mariadb(void **state)
{
	(void)state;
	const char *url = getenv("STRATA_MARIADB_URL");
	if (!url || !*url) {
		printf("schema random mariadb: STRATA_MARIADB_URL is not set: skipped\n");
		skip();
	}
	strata_err e = STRATA_ERR_INIT;
	if (strata_mariadb_backend.connect(&conn, url, NULL, &e))
		fail_msg("cannot connect to %s: %s", url, e.msg);
	mmust("SET SESSION sql_mode = 'STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION', time_zone = '+00:00'");
	const char *s = getenv("STRATA_SEED");
	uint64_t seed = s && *s ? strtoull(s, NULL, 10) : 20240611u;
	const char *np = getenv("STRATA_MARIADB_PAIRS");
	int pairs = np && *np ? atoi(np) : 2000, failed = 0;
	printf("schema random mariadb: seed %" PRIu64 " (STRATA_SEED), %d pairs (STRATA_MARIADB_PAIRS)\n",
	       seed, pairs);
	for (int i = 0; i < pairs && failed < 3; i++) {
		orc_seed_pair(seed, i);
		orc_schema a, b;
		orc_random_schema(&model, &a);
		b = a;
		orc_renames rn;
		memset(&rn, 0, sizeof(rn));
		buf sa = BUF_INIT, sb = BUF_INIT, rows = BUF_INIT, log = BUF_INIT;
		int m = 1 + rnd(3);
		for (int k = 0; k < m; k++)
			orc_mutate(&model, &b, &rn, &log);
		print_schema(&sa, &a);
		print_schema(&sb, &b);
		orc_print_rows(&model, &rows, &a, &b);
		const char *ren[4];
		for (int k = 0; k < rn.n; k++)
			ren[k] = rn.spec[k];
		if (!pair(sa.ptr ? sa.ptr : "", rows.ptr ? rows.ptr : "", sb.ptr ? sb.ptr : "", ren,
			  (size_t)rn.n)) {
			fprintf(stderr, "seed %" PRIu64 ", pair %d, mutations: %s\n", seed, i,
				log.ptr ? log.ptr : "");
			failed++;
		}
		buf_free(&sa);
		buf_free(&sb);
		buf_free(&rows);
		buf_free(&log);
	}
	buf q = BUF_INIT;
	buf_printf(&q, "DROP DATABASE IF EXISTS `%s`", dbname);
	mexec(q.ptr, NULL);
	buf_free(&q);
	strata_mariadb_backend.disconnect(conn);
	strvec_free(&conv_types);
	printf("schema random mariadb: %u round trips, %u failing under a warning, %u without "
	       "changes\n", st.runs, st.failed_warned, st.empty);
	if (failed)
		fail_msg("%d random pairs failed (seed %" PRIu64 ")", failed, seed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_pairs_mariadb),
	};
	return cmocka_run_group_tests_name("schema random mariadb", tests, NULL, NULL);
}
