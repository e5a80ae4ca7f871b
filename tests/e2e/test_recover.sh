# Recovering from what goes wrong (issue 13 §3), on SQLite and, when tests/run.sh
# started a cluster, PostgreSQL: a `transaction off` revision that fails midway is
# recorded statement by statement, a blind retry is refused with what ran, `doctor`
# explains it, and `upgrade --resume` continues from the failed statement.
. "$STRATA_TOP/tests/e2e/lib.sh"

# resume_scenario LABEL DBQUERY FIXSQL: the scenario on the project in the current
# directory; DBQUERY runs SQL on its database and prints the values.
resume_scenario() {
  L=$1; dbq=$2
  mkrev a1 "" "create users" "CREATE TABLE users (id INTEGER);" "DROP TABLE users;" >/dev/null
  mkrev b2 a1 "split tables" "CREATE TABLE t1 (id INTEGER);
CREATE TABLE t2 (id INTEGER);
INSERT INTO missing VALUES (1);
CREATE TABLE t3 (id INTEGER);" "DROP TABLE t3;
DROP TABLE t2;
DROP TABLE t1;" "-- strata:transaction off" >/dev/null
  run upgrade
  expect_rc 1 "$L: a transaction-off revision fails at its third statement"
  expect_err "statements 1-2 of 4 stay applied: it runs outside a transaction" "$L: the error says which statements stay applied"
  expect_err "upgrade --resume" "$L: and offers --resume"
  check "$L: strata_history records how far it got" test "$($dbq "SELECT statements_done FROM strata_history WHERE revision = 'b2' AND success = 0")" = 2
  check "$L: the database stays recorded at a1" test "$($dbq "SELECT version_num FROM strata_version")" = a1
  run upgrade
  expect_rc 1 "$L: a blind retry is refused"
  expect_err "upgrade of b2 stopped partway on an earlier run: 2 of its 4 statements ran" "$L: the refusal says how far it got"
  expect_err "ran: migrations/versions/b2_split_tables.sql:8: CREATE TABLE t2" "$L: and lists the statements that ran"
  check "$L: instead of 'already exists'" sh -c "! grep -q 'already exists' '$ERR'"
  run doctor
  expect_rc 1 "$L: doctor reports the stopped revision"
  expect_out "b2 stopped partway on an earlier run: 2 of its 4 statements ran" "$L: doctor explains the state"
  expect_out "ran: migrations/versions/b2_split_tables.sql:7: CREATE TABLE t1" "$L: doctor lists the statements that ran"
  expect_out "fix: check the database, then .strata upgrade --resume. runs it from statement 3" "$L: doctor says the fix"
  expect_out "fix: the revision that stopped partway first" "$L: and the pending finding points to it"
  $dbq "CREATE TABLE missing (id INTEGER)" >/dev/null
  run upgrade --resume
  expect_rc 0 "$L: upgrade --resume continues after the cause is fixed"
  check "$L: the resumed run ran statements 3 and 4 only" test "$($dbq "SELECT count(*) FROM missing")" = 1
  check "$L: the database is at b2" test "$($dbq "SELECT version_num FROM strata_version")" = b2
  check "$L: the run is recorded complete" test "$($dbq "SELECT statements_done FROM strata_history WHERE revision = 'b2' AND success = 1")" = 4
  run upgrade --resume
  expect_rc 0 "$L: --resume with nothing to resume is a no-op"
  # Downgrades stop and resume the same way.
  $dbq "DROP TABLE t2" >/dev/null
  run downgrade a1
  expect_rc 1 "$L: a failing transaction-off downgrade"
  expect_err "statements 1-1 of 3 stay applied" "$L: says what stays"
  run downgrade a1
  expect_rc 1 "$L: a blind downgrade retry is refused"
  expect_err "downgrade --resume" "$L: and offers downgrade --resume"
  $dbq "CREATE TABLE t2 (id INTEGER)" >/dev/null
  run downgrade a1 --resume
  expect_rc 0 "$L: downgrade --resume finishes it"
  check "$L: t1 is gone" test "$($dbq "SELECT count(*) FROM strata_version WHERE version_num = 'a1'")" = 1
}

# unknown_scenario LABEL DBQUERY: after resume_scenario (the database at a1), a
# version row that no file defines: status marks what strata_history knows and names it.
unknown_scenario() {
  L=$1; dbq=$2
  run upgrade
  $dbq "UPDATE strata_version SET version_num = 'zz99'" >/dev/null
  run status
  expect_rc 1 "$L: status with an unknown revision fails"
  expect_out "^\[X\] a1 create users$" "$L: it still marks what strata_history recorded (a1)"
  expect_out "^\[X\] b2 split tables$" "$L: and b2"
  expect_err "Can't locate revision identified by 'zz99': the database is at zz99" "$L: and says which id is unknown"
  st --format json status >"$OUT" 2>"$ERR"
  check "$L: status --format json lists the unknown id" grep -q '"unknown":.*"zz99"' "$OUT"
}

# adopt_scenario LABEL DBQUERY: a database with tables, no version table and no
# revisions: migrate says how to adopt it; with several heads pending, migrate's
# refusal says `upgrade heads`.
adopt_scenario() {
  L=$1; dbq=$2
  $dbq "DROP TABLE strata_version" >/dev/null
  $dbq "DROP TABLE strata_history" >/dev/null
  mkdir -p old && mv migrations/versions/* old/
  printf 'CREATE TABLE users (id INTEGER);\nCREATE TABLE missing (id INTEGER);\nCREATE TABLE t1 (id INTEGER);\nCREATE TABLE t3 (id INTEGER);\nCREATE TABLE t2 (id INTEGER);\n' >schema.sql
  grep -q '^schema' strata.ini || printf 'schema = schema.sql\n' >>strata.ini
  run migrate -m first
  expect_rc 0 "$L: migrate on an existing database without revisions"
  expect_out "already has tables \(.*users.*\) but no version table, and there are no revisions yet" "$L: says what it sees"
  expect_out "strata reset.*strata stamp head" "$L: and how to adopt it (reset, or stamp)"
  check "$L: instead of 'No changes detected'" sh -c "! grep -q 'No changes detected' '$OUT'"
  check "$L: and writes no file" test -z "$(ls migrations/versions)"
  run reset --yes
  expect_rc 0 "$L: reset adopts it"
  mkrev h1 "$(ls migrations/versions | cut -d_ -f1)" "head one" "CREATE TABLE h1 (id INTEGER);" "DROP TABLE h1;" >/dev/null
  mkrev h2 "$(ls migrations/versions | head -n 1 | cut -d_ -f1)" "head two" "CREATE TABLE h2 (id INTEGER);" "DROP TABLE h2;" >/dev/null
  run migrate -m next
  expect_rc 1 "$L: migrate with two heads pending"
  expect_err "Target database is not up to date \(2 pending revision\(s\)\): run .strata upgrade heads. first" "$L: the hint says upgrade heads"
}

# repair_scenario LABEL DBQUERY: after adopt_scenario, an intentional edit of an
# applied revision is accepted by `strata repair` after confirmation.
repair_scenario() {
  L=$1; dbq=$2
  run upgrade heads
  expect_rc 0 "$L: upgrade heads"
  f=$(ls migrations/versions/h1_*.sql)
  sed -i 's/^CREATE TABLE h1 (id INTEGER);$/CREATE TABLE h1 (id INTEGER); -- the first head/' "$f"
  run check
  expect_rc 1 "$L: check reports the edited revision"
  expect_out "revision h1 was edited after it was applied .*strata repair h1" "$L: and suggests strata repair"
  run doctor
  expect_out "revision h1 was edited after it was applied" "$L: doctor reports the edited revision"
  expect_out "fix: .*strata repair h1" "$L: and suggests strata repair"
  run repair
  expect_rc 1 "$L: repair without a terminal and without --yes refuses"
  expect_err "repair needs confirmation" "$L: says how to confirm"
  on_tty n repair
  expect_rc 0 "$L: repair answered n is not an error"
  expect_out "nothing changed" "$L: says nothing changed"
  check "$L: nothing was recorded" test "$($dbq "SELECT count(*) FROM strata_history WHERE direction = 'repair'")" = 0
  mkrev h3 h1 "head three" "CREATE TABLE h3 (id INTEGER);" "DROP TABLE h3;" >/dev/null
  run repair h3
  expect_rc 1 "$L: repair of a revision that is not applied"
  expect_err "cannot repair h3: the database has not applied it" "$L: names it"
  on_tty y repair
  expect_rc 0 "$L: repair answered y"
  expect_out "revision h1 was edited after it was applied" "$L: lists what it accepts"
  expect_out "recorded the edited h1 as applied" "$L: and says what it recorded"
  check "$L: one repair row" test "$($dbq "SELECT count(*) FROM strata_history WHERE direction = 'repair' AND revision = 'h1'")" = 1
  run check
  check "$L: check no longer reports it" sh -c "! grep -q 'edited' '$OUT'"
  run repair --yes
  expect_rc 0 "$L: repair with nothing edited"
  expect_out "nothing to repair" "$L: says so"
  run repair h1 --yes
  expect_rc 1 "$L: repair of a revision that matches its file"
  expect_err "cannot repair h1: its file matches what was applied" "$L: says nothing to accept"
}

mkdir sq && cd sq || exit 1
project
sqq() { sq db.sqlite "$1"; }
resume_scenario SQLite sqq
unknown_scenario SQLite sqq
adopt_scenario SQLite sqq
repair_scenario SQLite sqq

# A strata_history made before every backend counted progress lacks statements_done:
# the first revision that needs it adds the column.
mkdir ../old && cd ../old || exit 1
project
sq db.sqlite "CREATE TABLE strata_version (version_num VARCHAR(255) NOT NULL PRIMARY KEY);
CREATE TABLE strata_history (id INTEGER PRIMARY KEY, revision VARCHAR(255) NOT NULL, direction VARCHAR(8) NOT NULL,
checksum CHAR(64), applied_at TEXT NOT NULL, duration_ms INTEGER NOT NULL DEFAULT 0, success INTEGER NOT NULL);"
mkrev c1 "" "vacuum" "CREATE TABLE t (id INTEGER);
VACUUM;" "DROP TABLE t;" "-- strata:transaction off" >/dev/null
run upgrade
expect_rc 0 "an older strata_history gets its statements_done column"
check "and the run is recorded with it" test "$(sq db.sqlite "SELECT statements_done FROM strata_history WHERE revision = 'c1'")" = 2

# Without a server: skipped, except in CI (CI set), where it is a failure.
[ -n "${STRATA_PG_URL:-}" ] || { [ -z "${CI:-}" ] && exit 0; echo "not ok - no PostgreSQL server (STRATA_PG_URL is unset)"; exit 1; }
db=pgrecover_$$
createdb -h "$PGHOST" -p "$PGPORT" -U postgres "$db" || exit 1
trap 'dropdb -h "$PGHOST" -p "$PGPORT" -U postgres "$db" 2>/dev/null; rm -rf "$T"' EXIT
pgq() { psql -h "$PGHOST" -p "$PGPORT" -U postgres -XAtq -d "$db" -c "$1"; }
mkdir "$T/pg" && cd "$T/pg" || exit 1
project "postgresql://postgres@/$db?host=$PGHOST&port=$PGPORT"
resume_scenario PostgreSQL pgq
unknown_scenario PostgreSQL pgq
adopt_scenario PostgreSQL pgq
repair_scenario PostgreSQL pgq
