/*
 * The autogenerate round trip over a corpus of schema pairs (A, B) on real SQLite
 * files: see test_schema_harness.h for what each case checks.
 */
#include "test_schema_harness.h"

#define PARENT_CHILD                                                                        \
	"CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT);\n"                         \
	"CREATE TABLE child (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES parent(id) "     \
	"ON DELETE CASCADE, note TEXT);\n"
#define PARENT_CHILD_ROWS                                                                   \
	"INSERT INTO parent VALUES (1, 'a'), (2, 'b'), (3, NULL);"                           \
	"INSERT INTO child VALUES (10, 1, 'x'), (11, 1, 'y'), (12, 2, NULL), (13, NULL, 'z');"

static const rt_case cases[] = {
	/* --- tables --- */
	{ "create table", "CREATE TABLE a (x INTEGER);", "INSERT INTO a VALUES (1);",
	  "CREATE TABLE a (x INTEGER); CREATE TABLE b (id INTEGER PRIMARY KEY, v TEXT NOT NULL);",
	  { NULL }, NULL, "CREATE TABLE \"b\"", "strata:rebuild", NULL, 0 },
	{ "drop table", "CREATE TABLE a (x INTEGER); CREATE TABLE b (y TEXT);",
	  "INSERT INTO a VALUES (1); INSERT INTO b VALUES ('q');", "CREATE TABLE a (x INTEGER);",
	  { NULL }, NULL, "-- WARNING: drops table b", NULL, NULL, 0 },
	{ "create parent and child", "CREATE TABLE z (q);", NULL,
	  "CREATE TABLE z (q); CREATE TABLE kid (id INTEGER PRIMARY KEY, m INTEGER REFERENCES mom(id));"
	  "CREATE TABLE mom (id INTEGER PRIMARY KEY);",
	  { NULL }, NULL, NULL, NULL, NULL, 0 },
	{ "drop parent and child", PARENT_CHILD, PARENT_CHILD_ROWS, "CREATE TABLE other (x);",
	  { NULL }, NULL, NULL, NULL, NULL, 0 },
	{ "empty to schema", "", NULL, PARENT_CHILD "CREATE INDEX ix_child_pid ON child(pid);",
	  { NULL }, NULL, NULL, NULL, NULL, 0 },

	/* --- columns --- */
	{ "add nullable column", "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);",
	  "INSERT INTO t VALUES (1, 'x'), (2, NULL);",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER DEFAULT 7);",
	  { NULL }, NULL, "ALTER TABLE \"t\" ADD COLUMN \"b\" INTEGER DEFAULT 7;", "strata:rebuild",
	  NULL, 0 },
	{ "add NOT NULL column with default", "CREATE TABLE t (id INTEGER PRIMARY KEY);",
	  "INSERT INTO t VALUES (1), (2);",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, flag INTEGER NOT NULL DEFAULT 0);",
	  { NULL }, NULL, "ADD COLUMN \"flag\" INTEGER NOT NULL DEFAULT 0", "strata:rebuild", NULL, 0 },
	{ "add NOT NULL column, filled", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);",
	  "INSERT INTO users VALUES (1, 'ann'), (2, 'bob');",
	  "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT NOT NULL);",
	  { NULL }, "'someone@example.com'", "-- strata:fill users.email:", NULL, NULL, 0 },
	{ "add NOT NULL column, fill left empty", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);",
	  "INSERT INTO users VALUES (1, 'ann');",
	  "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT NOT NULL);",
	  { NULL }, NULL, NULL, NULL, "users.email must be filled", 0 },
	{ "add column with non-constant default",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY);", "INSERT INTO t VALUES (1);",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, at TEXT DEFAULT CURRENT_TIMESTAMP);",
	  { NULL }, NULL, "strata:rebuild", NULL, NULL, 0 },
	{ "drop column", "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT);",
	  "INSERT INTO t VALUES (1, 'x', 'y');", "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);",
	  { NULL }, NULL, "ALTER TABLE \"t\" DROP COLUMN \"b\";", "strata:rebuild", NULL, 0 },
	{ "drop indexed column", "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT UNIQUE, b TEXT);"
	  "CREATE INDEX ix_b ON t(b);",
	  "INSERT INTO t VALUES (1, 'x', 'y');", "CREATE TABLE t (id INTEGER PRIMARY KEY, b TEXT);",
	  { NULL }, NULL, "strata:rebuild", NULL, NULL, 0 },
	{ "change type", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);",
	  "INSERT INTO t VALUES (1, 'ann');",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR(80));",
	  { NULL }, NULL, "WARNING: changes the type of t.name", NULL, NULL, 0 },
	{ "add NOT NULL to a column", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);",
	  "INSERT INTO t VALUES (1, 'ann');", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL);",
	  { NULL }, NULL, "WARNING: makes t.name NOT NULL", NULL, NULL, 0 },
	{ "NOT NULL on a column holding NULL fails cleanly",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);", "INSERT INTO t VALUES (1, NULL);",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL);",
	  { NULL }, NULL, NULL, NULL, "NOT NULL constraint failed", 0 },
	{ "change default and collation",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT DEFAULT 'x', code TEXT);",
	  "INSERT INTO t VALUES (1, 'a', 'B');",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT DEFAULT ('y' || 'z'), code TEXT COLLATE NOCASE);",
	  { NULL }, NULL, "COLLATE \"NOCASE\"", NULL, NULL, 0 },
	{ "generated columns", "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER);",
	  "INSERT INTO t VALUES (1, 2, 3);",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER,"
	  " s INTEGER GENERATED ALWAYS AS (a + b) STORED, v AS (a * 2) VIRTUAL);",
	  { NULL }, NULL, "GENERATED ALWAYS AS (a + b) STORED", NULL, NULL, 0 },
	{ "generated expression change",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, s INTEGER AS (a + 1) STORED);",
	  "INSERT INTO t (id, a) VALUES (1, 2);",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, s INTEGER AS (a + 2) STORED);",
	  { NULL }, NULL, "strata:rebuild", NULL, NULL, 0 },
	/* The data oracle (test_oracle.h) checks that b keeps the values it held. */
	{ "stored generated column made plain keeps its values",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER GENERATED ALWAYS AS (a * 2) STORED);",
	  "INSERT INTO t (id, a) VALUES (1, 2), (2, NULL), (3, -4611686018427387904);",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER);",
	  { NULL }, NULL, "INSERT INTO \"_strata_new_t\" (\"id\", \"a\", \"b\")", "WARNING", NULL, 0 },
	{ "virtual generated column made plain keeps its values",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b AS (a || '!'));",
	  "INSERT INTO t (id, a) VALUES (1, 'naïve'), (2, NULL);",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b);",
	  { NULL }, NULL, "strata:rebuild", "WARNING", NULL, 0 },
	{ "plain column made generated warns: its values are replaced",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER);",
	  "INSERT INTO t VALUES (1, 2, 99);",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER AS (a * 2) STORED);",
	  { NULL }, NULL, "-- WARNING: makes t.b a generated column", NULL, NULL, 0 },

	/* --- keys and constraints --- */
	{ "composite primary key", "CREATE TABLE m (a INTEGER, b TEXT, c TEXT);",
	  "INSERT INTO m VALUES (1, 'x', 'p'), (1, 'y', 'q');",
	  "CREATE TABLE m (a INTEGER NOT NULL, b TEXT NOT NULL, c TEXT, PRIMARY KEY (a, b));",
	  { NULL }, NULL, "PRIMARY KEY (\"a\", \"b\")", NULL, NULL, 0 },
	{ "unique constraints", "CREATE TABLE u (id INTEGER PRIMARY KEY, a TEXT, b TEXT, c TEXT UNIQUE);",
	  "INSERT INTO u VALUES (1, 'a', 'b', 'c'), (2, 'a', 'c', 'd');",
	  "CREATE TABLE u (id INTEGER PRIMARY KEY, a TEXT, b TEXT, c TEXT, UNIQUE (a, b));",
	  { NULL }, NULL, "UNIQUE (\"a\", \"b\")", NULL, NULL, 0 },
	{ "check constraints", "CREATE TABLE c (id INTEGER PRIMARY KEY, age INTEGER CHECK (age >= 0));",
	  "INSERT INTO c VALUES (1, 30);",
	  "CREATE TABLE c (id INTEGER PRIMARY KEY, age INTEGER, CONSTRAINT adult CHECK (age >= 18),"
	  " CHECK (id > 0));",
	  { NULL }, NULL, "CONSTRAINT \"adult\" CHECK (age >= 18)", NULL, NULL, 0 },
	{ "check that rows violate fails cleanly",
	  "CREATE TABLE c (id INTEGER PRIMARY KEY, age INTEGER);", "INSERT INTO c VALUES (1, 3);",
	  "CREATE TABLE c (id INTEGER PRIMARY KEY, age INTEGER CHECK (age >= 18));",
	  { NULL }, NULL, NULL, NULL, "CHECK constraint failed", 0 },
	{ "add foreign key column natively", "CREATE TABLE p (id INTEGER PRIMARY KEY);"
	  "CREATE TABLE c (id INTEGER PRIMARY KEY);",
	  "INSERT INTO p VALUES (1); INSERT INTO c VALUES (5);",
	  "CREATE TABLE p (id INTEGER PRIMARY KEY);"
	  "CREATE TABLE c (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES p(id) ON DELETE SET NULL);",
	  { NULL }, NULL, "ADD COLUMN \"pid\" INTEGER REFERENCES \"p\" (\"id\") ON DELETE SET NULL",
	  "strata:rebuild", NULL, 0 },
	{ "foreign key actions and deferrable", PARENT_CHILD, PARENT_CHILD_ROWS,
	  "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT);\n"
	  "CREATE TABLE child (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES parent(id) "
	  "ON DELETE SET NULL ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED, note TEXT);",
	  { NULL }, NULL, "DEFERRABLE INITIALLY DEFERRED", NULL, NULL, 0 },
	{ "foreign key a row violates fails cleanly",
	  "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (id INTEGER PRIMARY KEY, pid INTEGER);",
	  "INSERT INTO p VALUES (1); INSERT INTO c VALUES (1, 1), (2, 99);",
	  "CREATE TABLE p (id INTEGER PRIMARY KEY);"
	  "CREATE TABLE c (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES p(id));",
	  { NULL }, NULL, NULL, NULL, "foreign key violation", 0 },
	{ "NOT NULL on a parent holding NULL fails cleanly", PARENT_CHILD, PARENT_CHILD_ROWS,
	  "CREATE TABLE parent (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL DEFAULT '');\n"
	  "CREATE TABLE child (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES parent(id) "
	  "ON DELETE CASCADE, note TEXT);\n",
	  { NULL }, NULL, "-- strata:rebuild parent", NULL, "NOT NULL constraint failed", 0 },
	{ "rebuild a parent with cascading children keeps them", PARENT_CHILD, PARENT_CHILD_ROWS,
	  "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT CHECK (name <> ''), extra BLOB);\n"
	  "CREATE TABLE child (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES parent(id) "
	  "ON DELETE CASCADE, note TEXT);\n",
	  { NULL }, NULL, "-- strata:fk-check\nPRAGMA foreign_key_check;", NULL, NULL, 0 },
	{ "self-referencing table rebuilt",
	  "CREATE TABLE node (id INTEGER PRIMARY KEY, up INTEGER REFERENCES node(id) ON DELETE CASCADE, v TEXT);",
	  "INSERT INTO node VALUES (1, NULL, 'r'), (2, 1, 'a'), (3, 2, 'b');",
	  "CREATE TABLE node (id INTEGER PRIMARY KEY, up INTEGER REFERENCES node(id) ON DELETE CASCADE, v TEXT NOT NULL DEFAULT 'x' CHECK (length(v) > 0));",
	  { NULL }, NULL, NULL, NULL, NULL, 0 },
	{ "foreign key cycle", "CREATE TABLE x (id INTEGER PRIMARY KEY);", NULL,
	  "CREATE TABLE x (id INTEGER PRIMARY KEY, y_id INTEGER REFERENCES y(id));"
	  "CREATE TABLE y (id INTEGER PRIMARY KEY, x_id INTEGER REFERENCES x(id));",
	  { NULL }, NULL, NULL, NULL, NULL, 0 },

	/* --- indexes --- */
	{ "indexes: unique, partial, expression, desc, collate",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT, score INTEGER, deleted INTEGER);"
	  "CREATE INDEX ix_old ON t(score);",
	  "INSERT INTO t VALUES (1, 'A@x', 3, 0), (2, 'b@x', 5, 1);",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT, score INTEGER, deleted INTEGER);"
	  "CREATE UNIQUE INDEX ix_email ON t(lower(email)) WHERE deleted = 0;"
	  "CREATE INDEX ix_score ON t(score DESC, email COLLATE NOCASE);",
	  { NULL }, NULL, "CREATE UNIQUE INDEX \"ix_email\" ON \"t\" (lower(email)) WHERE deleted = 0;",
	  "strata:rebuild", NULL, 0 },
	{ "index changes and survives a rebuild",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT); CREATE INDEX keep ON t(a);"
	  "CREATE INDEX chg ON t(a, b);",
	  "INSERT INTO t VALUES (1, 'a', 'b');",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL, b TEXT); CREATE INDEX keep ON t(a);"
	  "CREATE INDEX chg ON t(b, a) WHERE (b IS NOT NULL);",
	  { NULL }, NULL, "CREATE INDEX \"keep\" ON \"t\" (\"a\");", NULL, NULL, 0 },

	/* --- views and triggers --- */
	{ "view on a rebuilt table", "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);"
	  "CREATE VIEW v AS SELECT id, a FROM t; CREATE VIEW vv AS SELECT count(*) AS n FROM v;",
	  "INSERT INTO t VALUES (1, 'x');",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL);"
	  "CREATE VIEW v AS SELECT id, a FROM t; CREATE VIEW vv AS SELECT count(*) AS n FROM v;",
	  { NULL }, NULL, "DROP VIEW \"vv\";\n\nDROP VIEW \"v\";", NULL, NULL, 0 },
	{ "view changes", "CREATE TABLE t (a, b); CREATE VIEW v AS SELECT a FROM t;", NULL,
	  "CREATE TABLE t (a, b); CREATE VIEW v AS SELECT a, b FROM t; CREATE VIEW w AS SELECT b FROM v;",
	  { NULL }, NULL, NULL, NULL, NULL, 0 },
	{ "triggers", "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT); CREATE TABLE log (msg TEXT);"
	  "CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO log VALUES ('ins; ' || new.a); END;",
	  "INSERT INTO t VALUES (1, 'x');",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER NOT NULL DEFAULT 1 CHECK (b > 0));"
	  "CREATE TABLE log (msg TEXT);"
	  "CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO log VALUES ('ins; ' || new.a); END;"
	  "CREATE TRIGGER tr2 BEFORE DELETE ON t BEGIN SELECT RAISE(ABORT, 'no -- deletes'); END;",
	  { NULL }, NULL, "CREATE TRIGGER tr2", NULL, NULL, 0 },
	{ "trigger on a view", "CREATE TABLE t (a); CREATE VIEW v AS SELECT a FROM t;"
	  "CREATE TRIGGER iv INSTEAD OF INSERT ON v BEGIN INSERT INTO t VALUES (new.a); END;",
	  "INSERT INTO t VALUES (1);",
	  "CREATE TABLE t (a NOT NULL); CREATE VIEW v AS SELECT a FROM t;"
	  "CREATE TRIGGER iv INSTEAD OF INSERT ON v BEGIN INSERT INTO t VALUES (new.a); END;",
	  { NULL }, NULL, NULL, NULL, NULL, 0 },

	/* --- table options --- */
	{ "WITHOUT ROWID", "CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT);",
	  "INSERT INTO kv VALUES ('a', '1'), ('b', NULL);",
	  "CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID;",
	  { NULL }, NULL, ") WITHOUT ROWID;", NULL, NULL, 0 },
	{ "STRICT", "CREATE TABLE s (id INTEGER PRIMARY KEY, n INTEGER, t TEXT);",
	  "INSERT INTO s VALUES (1, 2, 'x');",
	  "CREATE TABLE s (id INTEGER PRIMARY KEY, n INTEGER, t TEXT, a ANY) STRICT;",
	  { NULL }, NULL, ") STRICT;", NULL, NULL, 0 },
	{ "AUTOINCREMENT", "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT);",
	  "INSERT INTO a VALUES (1, 'x'), (5, 'y');",
	  "CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);",
	  { NULL }, NULL, "PRIMARY KEY AUTOINCREMENT", NULL, NULL, 0 },
	{ "AUTOINCREMENT kept through a rebuild",
	  "CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);",
	  "INSERT INTO a (v) VALUES ('x'), ('y'), ('z'); DELETE FROM a WHERE id = 3;",
	  "CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT NOT NULL DEFAULT '');",
	  { NULL }, NULL, "INSERT INTO sqlite_sequence", NULL, NULL, 0 },

	/* --- awkward names --- */
	{ "quoted identifiers",
	  "CREATE TABLE \"my table\" (\"the id\" INTEGER PRIMARY KEY, \"a\"\"b\" TEXT, \"semi;colon\" TEXT);",
	  "INSERT INTO \"my table\" VALUES (1, 'q', 'r');",
	  "CREATE TABLE \"my table\" (\"the id\" INTEGER PRIMARY KEY, \"a\"\"b\" TEXT NOT NULL DEFAULT '',"
	  " \"semi;colon\" TEXT, \"dash--dash\" INTEGER);"
	  "CREATE INDEX \"ix -- odd\" ON \"my table\" (\"semi;colon\");",
	  { NULL }, NULL, "\"a\"\"b\"", NULL, NULL, 0 },
	{ "reserved words and non-ASCII names",
	  "CREATE TABLE \"order\" (\"select\" INTEGER PRIMARY KEY, \"group\" TEXT);"
	  "CREATE TABLE café (naïve TEXT, ñ INTEGER);",
	  "INSERT INTO \"order\" VALUES (1, 'g'); INSERT INTO café VALUES ('x', 1);",
	  "CREATE TABLE \"order\" (\"select\" INTEGER PRIMARY KEY, \"group\" TEXT, \"where\" REAL);"
	  "CREATE TABLE café (naïve TEXT NOT NULL DEFAULT 'é', ñ INTEGER);",
	  { NULL }, NULL, "\"order\"", NULL, NULL, 0 },
	{ "names differing in case only", "CREATE TABLE Users (ID INTEGER PRIMARY KEY, Name TEXT);",
	  "INSERT INTO Users VALUES (1, 'a');", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);",
	  { NULL }, NULL, NULL, NULL, NULL, 1 },

	/* --- renames --- */
	{ "rename table", "CREATE TABLE old_t (id INTEGER PRIMARY KEY, v TEXT);"
	  "CREATE TABLE ref (id INTEGER PRIMARY KEY, t_id INTEGER REFERENCES old_t(id));"
	  "CREATE INDEX ix_v ON old_t(v);",
	  "INSERT INTO old_t VALUES (1, 'a'); INSERT INTO ref VALUES (1, 1);",
	  "CREATE TABLE new_t (id INTEGER PRIMARY KEY, v TEXT);"
	  "CREATE TABLE ref (id INTEGER PRIMARY KEY, t_id INTEGER REFERENCES new_t(id));"
	  "CREATE INDEX ix_v ON new_t(v);",
	  { "old_t:new_t", NULL }, NULL, "ALTER TABLE \"old_t\" RENAME TO \"new_t\";", "DROP TABLE",
	  NULL, 0 },
	{ "rename column", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE);"
	  "CREATE INDEX ix_mail ON users(email) WHERE email IS NOT NULL;"
	  "CREATE VIEW mails AS SELECT email FROM users;",
	  "INSERT INTO users VALUES (1, 'a@b');",
	  "CREATE TABLE users (id INTEGER PRIMARY KEY, email_address TEXT UNIQUE);"
	  "CREATE INDEX ix_mail ON users(email_address) WHERE email_address IS NOT NULL;"
	  "CREATE VIEW mails AS SELECT email_address FROM users;",
	  { "users.email:email_address", NULL }, NULL,
	  "ALTER TABLE \"users\" RENAME COLUMN \"email\" TO \"email_address\";", "DROP COLUMN", NULL, 0 },
	{ "rename table and column and change it",
	  "CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT, y TEXT);",
	  "INSERT INTO a VALUES (1, 'x', 'y');",
	  "CREATE TABLE b (id INTEGER PRIMARY KEY, z TEXT NOT NULL DEFAULT '', y INTEGER);",
	  { "a:b", "b.x:z", NULL }, NULL, "RENAME COLUMN \"x\" TO \"z\"", NULL, NULL, 0 },
	{ "rename chain", "CREATE TABLE a (v); CREATE TABLE b (w);",
	  "INSERT INTO a VALUES (1); INSERT INTO b VALUES (2);",
	  "CREATE TABLE b (v); CREATE TABLE c (w);", { "a:b", "b:c", NULL }, NULL,
	  "ALTER TABLE \"b\" RENAME TO \"c\";\n\nALTER TABLE \"a\" RENAME TO \"b\";", NULL, NULL, 0 },

	/* --- more combinations --- */
	{ "drop a column a view reads", "CREATE TABLE t (a, b); CREATE VIEW v AS SELECT a, b FROM t;",
	  "INSERT INTO t VALUES (1, 2);", "CREATE TABLE t (a); CREATE VIEW v AS SELECT a FROM t;",
	  { NULL }, NULL, "DROP COLUMN \"b\"", NULL, NULL, 0 },
	{ "trigger reading a renamed column",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER); CREATE TABLE audit (v);"
	  "CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN INSERT INTO audit VALUES (new.n); END;",
	  "INSERT INTO t VALUES (1, 5);",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, qty INTEGER); CREATE TABLE audit (v);"
	  "CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN INSERT INTO audit VALUES (new.qty); END;",
	  { "t.n:qty", NULL }, NULL, "DROP TRIGGER \"t_ins\";", NULL, NULL, 0 },
	{ "change the primary key", "CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT);",
	  "INSERT INTO t VALUES (1, 'a'), (7, 'b');",
	  "CREATE TABLE t (id INTEGER, code TEXT NOT NULL, PRIMARY KEY (code));",
	  { NULL }, NULL, "strata:rebuild", NULL, NULL, 0 },
	{ "rowids survive a rebuild", "CREATE TABLE t (a TEXT, b TEXT);",
	  "INSERT INTO t VALUES ('x', '1'), ('y', '2'), ('z', '3'); DELETE FROM t WHERE a = 'y';"
	  "INSERT INTO t VALUES ('w', '4');",
	  "CREATE TABLE t (a TEXT NOT NULL, b TEXT);",
	  { NULL }, NULL, "INSERT INTO \"_strata_new_t\" (rowid, \"a\", \"b\") SELECT rowid", NULL, NULL, 0 },
	{ "add a UNIQUE column", "CREATE TABLE t (id INTEGER PRIMARY KEY);", "INSERT INTO t VALUES (1);",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, slug TEXT UNIQUE);",
	  { NULL }, NULL, "strata:rebuild", NULL, NULL, 0 },
	{ "add a foreign key column with a default",
	  "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (id INTEGER PRIMARY KEY);",
	  "INSERT INTO p VALUES (1); INSERT INTO c VALUES (1);",
	  "CREATE TABLE p (id INTEGER PRIMARY KEY);"
	  "CREATE TABLE c (id INTEGER PRIMARY KEY, pid INTEGER DEFAULT 1 REFERENCES p(id));",
	  { NULL }, NULL, "strata:rebuild", NULL, NULL, 0 },
	{ "two tables rebuilt that reference each other",
	  "CREATE TABLE a (id INTEGER PRIMARY KEY, b_id INTEGER REFERENCES b(id) ON DELETE CASCADE, x TEXT);"
	  "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id) ON DELETE CASCADE, y TEXT);",
	  "INSERT INTO a VALUES (1, NULL, 'p'); INSERT INTO b VALUES (1, 1, 'q'); UPDATE a SET b_id = 1;",
	  "CREATE TABLE a (id INTEGER PRIMARY KEY, b_id INTEGER REFERENCES b(id) ON DELETE CASCADE, x TEXT NOT NULL);"
	  "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id) ON DELETE CASCADE, y INTEGER);",
	  { NULL }, NULL, "-- strata:rebuild b", NULL, NULL, 0 },
	{ "rename a parent column that children reference",
	  "CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT UNIQUE);"
	  "CREATE TABLE c (id INTEGER PRIMARY KEY, pcode TEXT REFERENCES p(code));",
	  "INSERT INTO p VALUES (1, 'k'); INSERT INTO c VALUES (1, 'k');",
	  "CREATE TABLE p (id INTEGER PRIMARY KEY, ref TEXT UNIQUE);"
	  "CREATE TABLE c (id INTEGER PRIMARY KEY, pcode TEXT REFERENCES p(ref));",
	  { "p.code:ref", NULL }, NULL, "RENAME COLUMN \"code\" TO \"ref\"", "strata:rebuild", NULL, 0 },
	{ "drop a table a view reads", "CREATE TABLE a (x); CREATE TABLE b (y);"
	  "CREATE VIEW v AS SELECT x, y FROM a, b;", "INSERT INTO a VALUES (1);",
	  "CREATE TABLE a (x);", { NULL }, NULL, "DROP VIEW \"v\";", NULL, NULL, 0 },
	{ "awkward literals", "CREATE TABLE t (id INTEGER PRIMARY KEY);", "INSERT INTO t VALUES (1);",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER DEFAULT -1, b TEXT DEFAULT 'it''s; -- no',"
	  " c BLOB DEFAULT x'00ff', d REAL DEFAULT 1.5e3, e TEXT CHECK (e IN ('a(', 'CHECK', '--x')));",
	  { NULL }, NULL, "DEFAULT 'it''s; -- no'", NULL, NULL, 0 },
	{ "many changes to one table",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER, c TEXT); CREATE INDEX t_b ON t(b);"
	  "CREATE INDEX t_c ON t(c);",
	  "INSERT INTO t VALUES (1, 'a', 2, 'c'), (2, 'b', 3, NULL);",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT COLLATE NOCASE, b INTEGER NOT NULL DEFAULT 0,"
	  " d TEXT, e TEXT NOT NULL, UNIQUE (a, b)); CREATE INDEX t_b ON t(b DESC); CREATE INDEX t_d ON t(d);",
	  { NULL }, "'e'", "-- strata:fill t.e:", NULL, NULL, 0 },
	{ "schema to empty", PARENT_CHILD "CREATE VIEW pv AS SELECT * FROM parent;"
	  "CREATE TRIGGER pt AFTER DELETE ON parent BEGIN DELETE FROM child WHERE pid = old.id; END;"
	  "CREATE INDEX cix ON child(note);",
	  PARENT_CHILD_ROWS, "", { NULL }, NULL, "DROP TABLE \"child\";\n\n-- WARNING: drops table parent",
	  NULL, NULL, 0 },
	{ "column moves and a new one in the middle",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT);", "INSERT INTO t VALUES (1, 'a', 'b');",
	  "CREATE TABLE t (id INTEGER PRIMARY KEY, b TEXT, n INTEGER, a TEXT);",
	  { NULL }, NULL, "ADD COLUMN \"n\" INTEGER;", NULL, NULL, 0 },

	/* --- the same schema spelled differently: nothing to do --- */
	{ "same: spelling of keys, types, defaults, checks",
	  "CREATE TABLE p (id integer primary key, code varchar ( 80 ) default (0) collate nocase,"
	  " CHECK ((id > 0)), unique (code));"
	  "CREATE TABLE c (x REFERENCES p, y INTEGER);",
	  NULL,
	  "CREATE TABLE IF NOT EXISTS \"P\" (\"ID\" INTEGER, CODE VARCHAR(80) DEFAULT 0 COLLATE NOCASE UNIQUE,"
	  " PRIMARY KEY (ID), check (id>0));\n"
	  "create table c (x references p(id), y integer);",
	  { NULL }, NULL, NULL, NULL, NULL, 1 },
	{ "same: views, triggers and indexes spelled differently",
	  "CREATE TABLE t (a, b); CREATE INDEX i ON t(a) WHERE (b > 0);"
	  "CREATE VIEW v AS SELECT a, b -- the pair\n FROM t WHERE a > 1;"
	  "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET b = 1 WHERE a = new.a; END;",
	  NULL,
	  "create table t (a, b); create index \"i\" on \"t\" (\"a\") where b>0;"
	  "create view v as   select \"a\",b from [t] where a>1;"
	  "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE t SET b = 1 WHERE a = new.a;\nEND;",
	  { NULL }, NULL, NULL, NULL, NULL, 1 },
};

static void test_case(void **state)
{
	const rt_case *c = *state;
	if (!rt_round_trip(c))
		fail_msg("round trip failed: %s", c->name);
}

int main(void)
{
	enum { N = sizeof(cases) / sizeof(cases[0]) };
	struct CMUnitTest tests[N];
	for (size_t i = 0; i < N; i++) {
		tests[i] = (struct CMUnitTest){ cases[i].name, test_case, NULL, NULL, (void *)&cases[i] };
	}
	int rc = cmocka_run_group_tests_name("schema round trip", tests, NULL, NULL);
	rt_summary("schema round trip");
	return rc;
}
