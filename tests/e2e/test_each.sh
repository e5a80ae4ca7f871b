# --each: one command over many tenant databases, N at a time, past failures.
. "$STRATA_TOP/tests/e2e/lib.sh"
project
mkrev e00000000001 "" "one" "CREATE TABLE one (id INTEGER);" "DROP TABLE one;" >/dev/null
mkrev e00000000002 e00000000001 "two" "CREATE TABLE two (id INTEGER);" "DROP TABLE two;" >/dev/null
mkdir tenants
for i in 1 2 3 4 5 6; do sqlite3 "tenants/t$i.db" "PRAGMA user_version=1"; done
sqlite3 tenants/t4.db "CREATE TABLE legacy (x)"   # the broken tenant
run upgrade --each 'sqlite:tenants/*.db' --jobs 3
expect_rc 1 "--each exits 1 when a tenant fails"
check "one result line per database plus a summary" test "$(wc -l <"$OUT")" -eq 7
expect_out "^sqlite:tenants/t4.db: FAILED: .*already exists" "the broken tenant is named with its error"
expect_out "^sqlite:tenants/t6.db: ok$" "it continues past the failure"
expect_out "^6 database\(s\): 5 ok, 1 failed$" "summary"
check "results come in list order" sh -c "head -6 $OUT | cut -d: -f2 | tr '\n' ' ' | grep -q 'tenants/t1.db tenants/t2.db tenants/t3.db tenants/t4.db tenants/t5.db tenants/t6.db'"
for i in 1 2 3 5 6; do
  check "tenant $i is at head" test "$(sq tenants/t$i.db 'select version_num from strata_version')" = e00000000002
done
check "the broken tenant is untouched" test -z "$(sq tenants/t4.db "select name from sqlite_master where name like 'strata%'")"
run current --each 'sqlite:tenants/t[12].db'
expect_rc 0 "current --each"
expect_out "^sqlite:tenants/t1.db: ok: e00000000002 \(head\)$" "current shows each revision"
printf '# tenants\nsqlite:tenants/t1.db\n\nsqlite:tenants/t2.db\n' >urls.txt
run status --each urls.txt
expect_rc 0 "--each with a file of URLs"
expect_out "^2 database\(s\): 2 ok, 0 failed$" "file of URLs summary"
run downgrade base --each 'sqlite:tenants/t[56].db' -j 2
expect_rc 0 "downgrade --each"
check "downgraded" test -z "$(sq tenants/t5.db 'select version_num from strata_version')"
run upgrade --each 'sqlite:nothing/*.db'
expect_rc 1 "a pattern matching nothing fails"
run history --each 'sqlite:tenants/*.db'
expect_rc 2 "--each with an unsupported command"
run upgrade --each 'sqlite:tenants/*.db' --jobs 0
expect_rc 2 "--jobs 0 is a usage error"

# --format json with --each: one object per database, one per line, in list order.
run --each 'sqlite:tenants/t[1-4].db' --format json current
expect_rc 0 "current --each --format json"
check "one JSON line per database" test "$(wc -l <"$OUT")" -eq 4
check "each line holds the database and the command's own object" test "$(python3 -c "
import json
rows = [json.loads(l) for l in open('$OUT')]
print([(r['database'], r['ok'], [c['revision'] for c in r['result']['current']]) for r in rows][:2])")" = "[('sqlite:tenants/t1.db', True, ['e00000000002']), ('sqlite:tenants/t2.db', True, ['e00000000002'])]"
run --each 'sqlite:tenants/t[3-4].db' --format json upgrade
expect_rc 1 "upgrade --each --format json exits 1 when a database fails"
check "the failed database says why, the other what it did" test "$(python3 -c "
import json
rows = [json.loads(l) for l in open('$OUT')]
print([(r['ok'], r['exit'], 'already exists' in (r['error'] or ''), r['result']['applied']) for r in rows])")" = "[(True, 0, False, []), (False, 1, True, [])]"

# Databases run on worker processes, one after another on each. A worker that dies in
# the middle of a database (here: killed while it waits for a lock) fails that one
# database with the signal, and a new worker runs the rest.
mkdir fleet
for i in 1 2 3 4; do sqlite3 "fleet/f$i.db" "PRAGMA user_version=1"; done
python3 -c "
import sqlite3, sys, time
c = sqlite3.connect('fleet/f2.db', isolation_level=None)
c.execute('BEGIN EXCLUSIVE')
open('locked', 'w').close()
time.sleep(60)
" &
HOLDER=$!
while [ ! -e locked ]; do sleep 0.05; done
# children PID: its child processes, from /proc (no procps needed).
children() { cat /proc/[0-9]*/stat 2>/dev/null | awk -v pp="$1" '{ pid = $1; sub(/.*\) /, ""); if ($2 == pp) print pid }'; }
# Its output files go to $TMPDIR: a directory of this test's own, so that what is
# left in it is this run's alone (other tests run beside this one).
mkdir each-tmp
TMPDIR="$PWD/each-tmp" ${STRATA_VG:-} "$STRATA" upgrade --each 'sqlite:fleet/*.db' --jobs 1 >"$OUT" 2>"$ERR" &
EACH=$!
# The worker waiting on f2.db: a child of strata with that file open.
victim=
for _ in $(seq 1 200); do
  for p in $(children "$EACH"); do
    ls -l "/proc/$p/fd" 2>/dev/null | grep -q 'fleet/f2.db$' && victim=$p
  done
  [ -n "$victim" ] && break
  sleep 0.05
done
check "a worker waits on the locked database" test -n "$victim"
check "the output files are made under \$TMPDIR" test -n "$(find each-tmp -name 'strata-each-*')"
[ -n "$victim" ] && kill -KILL "$victim"
wait "$EACH"; RC=$?
kill "$HOLDER" 2>/dev/null; wait "$HOLDER" 2>/dev/null
expect_rc 1 "--each exits 1 when a worker dies"
expect_out "^sqlite:fleet/f2.db: FAILED: ended by signal 9 \(Killed\) before it finished$" "the database its worker ran is failed with the signal"
expect_out "^sqlite:fleet/f1.db: ok$" "the database before it is done"
expect_out "^sqlite:fleet/f3.db: ok$" "a new worker runs the next database"
expect_out "^4 database\(s\): 3 ok, 1 failed$" "summary after a worker died"
for i in 1 3 4; do
  check "fleet database $i is at head" test "$(sq fleet/f$i.db 'select version_num from strata_version')" = e00000000002
done
check "the database whose worker died has no revision applied" test -z "$(sq fleet/f2.db "select name from sqlite_master where name like 'strata%' or name in ('one', 'two')")"
check "no worker is left" test -z "$(children "$EACH")"
check "no output file is left behind" test -z "$(ls -A each-tmp)"

# $TMPDIR where no file can be made: every database fails with the reason and the
# place, none is touched, and nothing else runs.
mkdir fleet2
for i in 1 2; do sqlite3 "fleet2/g$i.db" "PRAGMA user_version=1"; done
TMPDIR="$PWD/no-such-dir" st upgrade --each 'sqlite:fleet2/*.db' --jobs 2 >"$OUT" 2>"$ERR"; RC=$?
expect_rc 1 "--each exits 1 when its output files cannot be made"
expect_out "^sqlite:fleet2/g1.db: FAILED: no temporary file for its output: No such file or directory \($PWD/no-such-dir/strata-each-XXXXXX\)$" "the database fails with the reason and the place"
expect_out "^2 database\(s\): 0 ok, 2 failed$" "summary when no output file can be made"
check "no database was touched" test -z "$(sq fleet2/g1.db "select name from sqlite_master")$(sq fleet2/g2.db "select name from sqlite_master")"

# One worker runs every database in turn: each one's output is its own.
run upgrade --each 'sqlite:tenants/t[1-4].db' --jobs 1
expect_rc 1 "--jobs 1 over a failing tenant"
check "one worker: the failure is reported on its own database only" test "$(grep -c FAILED "$OUT")" -eq 1
expect_out "^sqlite:tenants/t4.db: FAILED: .*already exists" "the failing tenant's error, with one worker"
