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
for trial in $(seq 1 "$trials"); do
  rm -f db.sqlite
  pids=""
  for p in $(seq 1 "$procs"); do
    st upgrade head >"out.$p" 2>&1 &
    pids="$pids $!"
  done
  bad=0
  for pid in $pids; do wait "$pid" || bad=$((bad + 1)); done
  check "trial $trial: all $procs processes exit 0" test "$bad" -eq 0
  [ "$bad" -eq 0 ] || cat out.*
  check "trial $trial: each revision ran once" test "$(sq db.sqlite "select count(*) from strata_history where direction='up' and success=1")" = 30
  check "trial $trial: no revision ran twice" test -z "$(sq db.sqlite "select revision from strata_history where direction='up' group by revision having count(*) > 1")"
  check "trial $trial: every table holds its 3 rows once" test "$(sq db.sqlite "select sum(n) from (select (select count(*) from t01) n union all select (select count(*) from t30))")" = 6
  check "trial $trial: at head" test "$(sq db.sqlite 'select version_num from strata_version')" = c000000030
done
