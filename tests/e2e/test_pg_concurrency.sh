# Concurrent migrators on PostgreSQL: six `strata upgrade head` at once apply each
# revision exactly once and all exit 0 (also across a CREATE INDEX CONCURRENTLY
# revision, which waits for other sessions' snapshots); a migrator that cannot get
# the lock in time says another strata holds it; a killed migrator's lock goes away.
# Without a server: skipped, except in CI (CI set), where it is a failure.
[ -n "${STRATA_PG_URL:-}" ] || { [ -z "${CI:-}" ] && exit 0; echo "not ok - no PostgreSQL server (STRATA_PG_URL is unset)"; exit 1; }
. "$STRATA_TOP/tests/e2e/lib.sh"
# pgdb NAME: creates a database for one scenario and prints its URL
pgdb() { createdb -h "$PGHOST" -p "$PGPORT" -U postgres "$1" && echo "postgresql://postgres@/$1?host=$PGHOST&port=$PGPORT"; }
# pq DB SQL: the value(s) psql prints for SQL, unaligned
pq() { psql -h "$PGHOST" -p "$PGPORT" -U postgres -XAtq -d "$1" -c "$2"; }

project
n=20
prev=""
for i in $(seq -w 1 $n); do
  if [ "$i" = 10 ]; then
    mkrev "c0000000${i}" "$prev" "rev $i" "CREATE INDEX CONCURRENTLY ix_t09_v ON t09 (v);" \
      "DROP INDEX CONCURRENTLY ix_t09_v;" "-- strata:transaction off" >/dev/null
  else
    mkrev "c0000000${i}" "$prev" "rev $i" "CREATE TABLE t$i (id SERIAL PRIMARY KEY, v TEXT);
INSERT INTO t$i (v) SELECT 'x' FROM generate_series(1, 3);
CREATE INDEX ix_t$i ON t$i (v);" "DROP TABLE t$i;" >/dev/null
  fi
  prev="c0000000${i}"
done
head=c0000000$n
trials=${STRATA_CONC_TRIALS:-3}
procs=${STRATA_CONC_PROCS:-6}
for trial in $(seq 1 "$trials"); do
  db=pgconc_$$_$trial
  url=$(pgdb "$db")
  pids=""
  for p in $(seq 1 "$procs"); do
    st -d "$url" upgrade head >"out.$p" 2>&1 &
    pids="$pids $!"
  done
  bad=0
  for pid in $pids; do wait "$pid" || bad=$((bad + 1)); done
  check "trial $trial: all $procs processes exit 0" test "$bad" -eq 0
  [ "$bad" -eq 0 ] || cat out.*
  check "trial $trial: each revision ran once" test "$(pq "$db" "SELECT count(*) FROM strata_history WHERE direction = 'up' AND success = 1")" = $n
  check "trial $trial: no revision ran twice" test -z "$(pq "$db" "SELECT revision FROM strata_history GROUP BY revision HAVING count(*) > 1")"
  check "trial $trial: no failed attempts" test "$(pq "$db" "SELECT count(*) FROM strata_history WHERE success = 0")" = 0
  check "trial $trial: every table holds its 3 rows once" test "$(pq "$db" 'SELECT (SELECT count(*) FROM t01) + (SELECT count(*) FROM t20)')" = 6
  check "trial $trial: the concurrent index is valid" test "$(pq "$db" "SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_t09_v'::regclass")" = t
  check "trial $trial: at head" test "$(pq "$db" 'SELECT version_num FROM strata_version')" = "$head"
done

# A migrator still waiting when lock_timeout runs out gives up with a clear message.
db=pglock_$$
url=$(pgdb "$db")
# The sleep comes from a database setting, read when a session starts: no table
# of the user's may exist before the first upgrade.
mkrev c0000000slow "$head" "slow" "SELECT pg_sleep(current_setting('strata_test.sleep')::float);" "SELECT 1;" >/dev/null
pq "$db" "ALTER DATABASE $db SET strata_test.sleep = '4'"
st -d "$url" upgrade head >out.slow 2>&1 &
slow=$!
i=0
# Wait until the slow revision runs (and so holds the lock).
while [ "$(pq "$db" "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%SELECT pg_sleep%' AND state = 'active' AND pid <> pg_backend_pid()")" = 0 ] && [ $i -lt 100 ]; do
  sleep 0.1; i=$((i + 1))
done
printf '[strata]\ndatabase = %s\nscript_location = migrations\nlock_timeout = 500ms\n' "$url" >impatient.ini
run -c impatient.ini upgrade head
expect_rc 1 "a migrator that cannot get the lock in time fails"
expect_err "another strata holds the migration lock" "and says another strata holds the lock"
expect_err "database is locked" "with the phrase users search for"
expect_err "500 ms" "and how long it waited"
wait "$slow"
check "the lock holder finished normally" test $? -eq 0
run -c impatient.ini upgrade head
expect_rc 0 "the lock is free afterwards"

# A killed migrator's session ends with it, and so does its lock.
db=pgkill_$$
url=$(pgdb "$db")
pq "$db" "ALTER DATABASE $db SET strata_test.sleep = '60'"
"$STRATA" -d "$url" upgrade head >out.kill 2>&1 &
victim=$!
i=0
while [ "$(pq "$db" "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%SELECT pg_sleep%' AND state = 'active' AND pid <> pg_backend_pid()")" = 0 ] && [ $i -lt 100 ]; do
  sleep 0.1; i=$((i + 1))
done
kill -9 "$victim"
wait "$victim" 2>/dev/null
pq "$db" "ALTER DATABASE $db SET strata_test.sleep = '0'"
start=$(date +%s)
run -d "$url" upgrade head
expect_rc 0 "the next migrator gets the lock of a killed one"
check "within a few seconds, not after the killed statement's 60 s" test $(($(date +%s) - start)) -lt 15
check "the killed run left no half-applied revision" test "$(pq "$db" "SELECT count(*) FROM strata_history WHERE revision = 'c0000000slow'")" = 1
