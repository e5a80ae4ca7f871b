# Ctrl-C / SIGTERM during upgrade: the running revision is rolled back, strata says
# so and where the database is, and exits 130 / 143. On SQLite, and on PostgreSQL
# when tests/run.sh started a cluster.
. "$STRATA_TOP/tests/e2e/lib.sh"
PY=${STRATA_PYTHON:-/usr/bin/python3}
# interrupt SIG [COMMAND]: runs `strata upgrade` (or COMMAND) in the background, waits until it has started
# the slow revision, sends SIG, and leaves the exit status in $RC. A background job
# of a script has SIGINT ignored, which strata keeps; the wrapper restores it, as a
# terminal's Ctrl-C finds it.
interrupt() {
  "$PY" -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' \
    "$STRATA" "${2:-upgrade}" >"$OUT" 2>"$ERR" &
  pid=$!
  i=0
  while [ $i -lt 100 ] && ! grep -q "ing upgrade.*slow" "$ERR" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
  sleep 0.5
  kill -"$1" $pid
  wait $pid; RC=$?
}
slow_sqlite="WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT count(*) FROM c;"

project
mkrev a1b2 "" "create users" "CREATE TABLE users (id INTEGER);" "DROP TABLE users;" >/dev/null
mkrev c3d4 a1b2 "slow" "CREATE TABLE t2 (id INTEGER);
$slow_sqlite" "DROP TABLE t2;" >/dev/null
interrupt INT
expect_rc 130 "Ctrl-C exits 130"
expect_err "^strata: error: interrupted: c3d4 rolled back; the database is at a1b2$" "strata says what was rolled back and where the database is"
check "the database is at a1b2" test "$(sq db.sqlite 'SELECT version_num FROM strata_version')" = a1b2
check "c3d4's statements were rolled back" test -z "$(sq db.sqlite "SELECT name FROM sqlite_master WHERE name = 't2'")"
check "the history records the failed attempt" test "$(sq db.sqlite "SELECT success FROM strata_history WHERE revision = 'c3d4'")" = 0
interrupt TERM
expect_rc 143 "SIGTERM exits 143"
expect_err "^strata: error: interrupted: c3d4 rolled back; the database is at a1b2$" "the same message"
run upgrade a1b2
expect_rc 0 "the next upgrade runs normally"

# Outside a transaction the statements before the interrupted one stay: strata says so.
rm migrations/versions/c3d4_*.sql
mkrev c3d4 a1b2 "slow" "CREATE TABLE t2 (id INTEGER);
$slow_sqlite" "DROP TABLE t2;" "-- strata:transaction off" >/dev/null
interrupt TERM
expect_rc 143 "SIGTERM outside a transaction"
expect_err "^strata: error: interrupted: c3d4 stopped after 1 of its 2 statements, which stay applied \(it runs outside a transaction; \`strata upgrade --resume\` continues from statement 2\); the database is at a1b2$" "says what stays and how to go on"
check "recorded at a1b2" test "$(sq db.sqlite 'SELECT version_num FROM strata_version')" = a1b2
check "strata_history counts the statement that ran" test "$(sq db.sqlite "SELECT statements_done FROM strata_history WHERE revision = 'c3d4' ORDER BY id DESC LIMIT 1")" = 1

# Without a server: skipped, except in CI (CI set), where it is a failure.
[ -n "${STRATA_PG_URL:-}" ] || { [ -z "${CI:-}" ] && exit 0; echo "not ok - no PostgreSQL server (STRATA_PG_URL is unset)"; exit 1; }
db=pgint_$$
createdb -h "$PGHOST" -p "$PGPORT" -U postgres "$db" || exit 1
pq() { psql -h "$PGHOST" -p "$PGPORT" -U postgres -XAtq -d "$db" -c "$1"; }
mkdir pg && cd pg || exit 1
project "postgresql://postgres@/$db?host=$PGHOST&port=$PGPORT"
mkrev a1b2 "" "create users" "CREATE TABLE users (id INTEGER);" "DROP TABLE users;" >/dev/null
mkrev c3d4 a1b2 "slow" "CREATE TABLE t2 (id INTEGER);
SELECT pg_sleep(30);" "DROP TABLE t2;" >/dev/null
interrupt INT
expect_rc 130 "PostgreSQL: Ctrl-C cancels the running statement"
expect_err "^strata: error: interrupted: c3d4 rolled back; the database is at a1b2$" "PostgreSQL: the message"
check "PostgreSQL: at a1b2, t2 rolled back" test "$(pq "SELECT version_num FROM strata_version"),$(pq "SELECT to_regclass('t2')")" = "a1b2,"
check "PostgreSQL: the advisory lock is released" test "$(pq "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")" = 0
pq "DROP TABLE t2" >/dev/null 2>&1
interrupt INT verify
expect_rc 130 "PostgreSQL: Ctrl-C during verify"
expect_err "^strata: error: interrupted: the rehearsal stopped and its copy is removed; the database was not changed$" "verify says so"
check "verify's scratch database is dropped" test -z "$(pq "SELECT datname FROM pg_database WHERE datname LIKE 'strata_verify_%'")"
check "the database is untouched" test "$(pq "SELECT version_num FROM strata_version")" = a1b2
cd .. && dropdb -h "$PGHOST" -p "$PGPORT" -U postgres "$db"
