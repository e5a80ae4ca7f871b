#!/bin/sh
# Runs every test for each build in $STRATA_SUITES (default: the build dir given as $1):
# the cmocka unit binaries, then the end-to-end scenarios in tests/e2e/test_*.sh against
# that build's strata binary. A throwaway PostgreSQL cluster is started once for all
# suites (tests/pg_cluster.sh) and stopped at exit, also when tests fail.
# Ends with one line: "N passed, M failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
suites=${STRATA_SUITES:-${1:-build}}
results=$(mktemp -d)
pass=0
fail=0
cleanup() {
  [ -n "${STRATA_PG_DIR:-}" ] && sh "$top/tests/pg_cluster.sh" stop "$STRATA_PG_DIR" >/dev/null 2>&1
  rm -rf "$results"
}
trap cleanup EXIT INT TERM

if [ -z "${STRATA_NO_PG:-}" ] && [ -f "$top/tests/pg_cluster.sh" ]; then
  pgenv=$(sh "$top/tests/pg_cluster.sh" start 2>"$results/pg.err") && eval "$pgenv" ||
    echo "note: PostgreSQL tests skipped: $(tail -n 3 "$results/pg.err")"
  export STRATA_PG_DIR STRATA_PG_URL PGHOST PGPORT PGUSER 2>/dev/null || true
fi

count_cmocka() { # file: adds its [  PASSED  ] / [  FAILED  ] totals
  p=$(sed -n 's/^\[  PASSED  \] \([0-9][0-9]*\) test.*/\1/p' "$1" | awk '{s+=$1} END {print s+0}')
  f=$(sed -n 's/^\[  FAILED  \] \([0-9][0-9]*\) test.*/\1/p' "$1" | awk '{s+=$1} END {print s+0}')
  pass=$((pass + p)); fail=$((fail + f))
}

for b in $suites; do
  echo "== suite $b"
  vg=""
  [ -n "${STRATA_VALGRIND:-}" ] && vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
  for t in "$top/$b"/tests/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    out="$results/$b-$name.out"
    (cd "$top" && $vg "$t") >"$out" 2>&1
    rc=$?
    count_cmocka "$out"
    if [ $rc -ne 0 ]; then
      if ! grep -q '^\[  FAILED  \]' "$out"; then fail=$((fail + 1)); fi
      echo "FAIL unit $name (exit $rc)"; sed -n '1,60p' "$out" | grep -v '^\[ \(RUN\|      OK\) ' | head -40
    else
      echo "ok   unit $name"
    fi
  done
  for t in "$top"/tests/e2e/test_*.sh; do
    [ -f "$t" ] || continue
    name=$(basename "$t" .sh)
    out="$results/$b-$name.out"
    STRATA="$top/$b/strata" STRATA_TOP="$top" STRATA_VG="$vg" sh "$t" >"$out" 2>&1
    rc=$?
    p=$(grep -c '^ok ' "$out"); f=$(grep -c '^not ok ' "$out")
    pass=$((pass + p)); fail=$((fail + f))
    if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then fail=$((fail + 1)); fi
    if [ $rc -ne 0 ] || [ "$f" -ne 0 ]; then
      echo "FAIL e2e $name ($p ok, $f not ok, exit $rc)"; grep -A12 '^not ok ' "$out" | head -60
      [ "$f" -eq 0 ] && tail -n 20 "$out"
    else
      echo "ok   e2e $name ($p checks)"
    fi
  done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
