# Several `strata upgrade head` processes at once on one SQLite database: each
# revision runs exactly once and every process exits 0.
. "$STRATA_TOP/tests/e2e/lib.sh"
project
prev=""
for i in $(seq -w 1 30); do
  mkrev "c0000000${i}" "$prev" "rev $i" "CREATE TABLE t$i (id INTEGER PRIMARY KEY, v TEXT);
INSERT INTO t$i (v) SELECT 'x' FROM (SELECT 1 UNION SELECT 2 UNION SELECT 3);
CREATE INDEX ix_t$i ON t$i (v);" "DROP TABLE t$i;" >/dev/null
  prev="c0000000${i}"
done
trials=${STRATA_CONC_TRIALS:-5}
procs=${STRATA_CONC_PROCS:-8}
# race: $procs processes run `upgrade head` at once on a new db.sqlite (output in
# out.N); $bad is how many of them failed.
race() {
  rm -f db.sqlite
  pids=""
  for p in $(seq 1 "$procs"); do
    st upgrade head >"out.$p" 2>&1 &
    pids="$pids $!"
  done
  bad=0
  for pid in $pids; do wait "$pid" || bad=$((bad + 1)); done
}
for trial in $(seq 1 "$trials"); do
  race
  check "trial $trial: all $procs processes exit 0" test "$bad" -eq 0
  [ "$bad" -eq 0 ] || cat out.*
  check "trial $trial: each revision ran once" test "$(sq db.sqlite "select count(*) from strata_history where direction='up' and success=1")" = 30
  check "trial $trial: no revision ran twice" test -z "$(sq db.sqlite "select revision from strata_history where direction='up' group by revision having count(*) > 1")"
  check "trial $trial: every table holds its 3 rows once" test "$(sq db.sqlite "select sum(n) from (select (select count(*) from t01) n union all select (select count(*) from t30))")" = 6
  check "trial $trial: at head" test "$(sq db.sqlite 'select version_num from strata_version')" = c000000030
done

# Revisions marked `-- strata:transaction off` run outside a transaction, so only the
# run-wide migration lock keeps a second migrator from running them again.
mkdir notx && cd notx && project
mkrev n01 "" "make t" "CREATE TABLE t (rev TEXT, i INTEGER);" "DROP TABLE t;" >/dev/null
# Each INSERT commits on its own; the PRAGMAs spare the disk flush and journal file of each.
inserts() { echo "PRAGMA synchronous = OFF;"; echo "PRAGMA journal_mode = MEMORY;"; for i in $(seq 1 "$2"); do echo "INSERT INTO t VALUES ('$1', $i);"; done; }
n=${STRATA_CONC_INSERTS:-500}
mkrev n02 n01 "fill a" "$(inserts a "$n")" "DELETE FROM t WHERE rev = 'a';" "-- strata:transaction off" >/dev/null
mkrev n03 n02 "fill b" "$(inserts b "$n")" "DELETE FROM t WHERE rev = 'b';" "-- strata:transaction off" >/dev/null
ntrials=${STRATA_CONC_NOTX_TRIALS:-20}
failed=0
for trial in $(seq 1 "$ntrials"); do
  race
  rows=$(sq db.sqlite "select count(*) from t")
  ups=$(sq db.sqlite "select count(*) from strata_history where direction='up' and success=1")
  if [ "$bad" -ne 0 ] || [ "$rows" != $((2 * n)) ] || [ "$ups" != 3 ]; then
    failed=$((failed + 1))
    echo "# trial $trial: $bad process(es) failed, $rows rows (want $((2 * n))), $ups upgrades (want 3)"
    [ "$bad" -eq 0 ] || cat out.* | grep -v '^$' | head -5
  fi
done
check "transaction off: $ntrials trials x $procs migrators, each revision applied exactly once" test "$failed" -eq 0
cd "$T"

# A migrator that holds the lock past lock_timeout: the next one waits that long,
# then fails with "database is locked" and changes nothing. The holder is another
# process with an fcntl lock on the lock file.
mkdir held && cd held && project
printf 'lock_timeout = 300ms\n' >>strata.ini
mkrev h01 "" "make h" "CREATE TABLE h (x INTEGER);" "DROP TABLE h;" >/dev/null
run upgrade head
check "lock: the lock file sits beside the database" test -f db.sqlite-strata.lock
mkrev h02 h01 "fill h" "INSERT INTO h VALUES (1);" "DELETE FROM h;" "-- strata:transaction off" >/dev/null
/usr/bin/python3 -c 'import fcntl, sys, time
f = open("db.sqlite-strata.lock", "r+"); fcntl.lockf(f, fcntl.LOCK_EX)
print("held", flush=True); time.sleep(float(sys.argv[1]))' 3 >holder.out &
holder=$!
for i in $(seq 1 50); do grep -q held holder.out 2>/dev/null && break; sleep 0.1; done
run upgrade head
expect_rc 1 "lock: upgrade fails while another process holds the lock"
expect_err "database is locked" "lock: the error says the database is locked"
expect_err "300 ms" "lock: the error names the wait"
run stamp h02
expect_rc 1 "lock: stamp waits for the lock too"
check "lock: nothing changed" test "$(sq db.sqlite 'select version_num from strata_version'),$(sq db.sqlite 'select count(*) from h')" = "h01,0"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
run upgrade head
expect_rc 0 "lock: upgrade runs once the holder is gone"
check "lock: h02 applied" test "$(sq db.sqlite 'select count(*) from h')" = 1
cd "$T"
