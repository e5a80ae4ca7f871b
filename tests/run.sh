#!/bin/sh
# Runs every test for each build in $STRATA_SUITES (default: the build dir given as $1):
# the cmocka unit binaries and the end-to-end scenarios in tests/e2e/test_*.sh against
# that build's strata binary, each line naming BUILD/TEST and its seconds. A throwaway PostgreSQL cluster is started once for all
# suites (tests/pg_cluster.sh) and stopped at exit, also when tests fail; so is a
# throwaway MariaDB server (tests/mariadb_server.sh, exported as STRATA_MARIADB_URL)
# unless STRATA_NO_MARIADB is set or STRATA_TESTS names no test_mariadb_* scenario.
# In CI (CI set) a server that cannot start fails the run.
# STRATA_TESTS="test_core test_embed …" limits the run to the named unit binaries and
# scenarios. Ends with one line: "N passed, M failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
suites=${STRATA_SUITES:-${1:-build}}
results=$(mktemp -d)
pass=0
fail=0
cleanup() {
  [ -n "${STRATA_PG_DIR:-}" ] && sh "$top/tests/pg_cluster.sh" stop "$STRATA_PG_DIR" >/dev/null 2>&1
  [ -n "${STRATA_MARIADB_DIR:-}" ] && sh "$top/tests/mariadb_server.sh" stop "$STRATA_MARIADB_DIR" >/dev/null 2>&1
  rm -rf "$results"
}
trap cleanup EXIT INT TERM

if [ -z "${STRATA_NO_PG:-}" ] && [ -f "$top/tests/pg_cluster.sh" ]; then
  if pgenv=$(sh "$top/tests/pg_cluster.sh" start 2>"$results/pg.err"); then
    eval "$pgenv"
    # The tests call psql and createdb hundreds of times: the binaries themselves,
    # of the same version as the server, not Debian's Perl wrapper.
    [ -x "$STRATA_PG_BIN/psql" ] && PATH="$STRATA_PG_BIN:$PATH" && export PATH
  elif [ -n "${CI:-}" ]; then
    # In CI a server that cannot start is a failure, never a silent skip.
    echo "FAIL: the throwaway PostgreSQL cluster did not start: $(tail -n 3 "$results/pg.err")"
    exit 1
  else
    echo "note: PostgreSQL tests skipped: $(tail -n 3 "$results/pg.err")"
  fi
  export STRATA_PG_DIR STRATA_PG_URL PGHOST PGPORT PGUSER 2>/dev/null || true
fi

want_mariadb=1
case " ${STRATA_TESTS:- test_mariadb_}" in *" test_mariadb_"*) ;; *) want_mariadb="" ;; esac
if [ -z "${STRATA_NO_MARIADB:-}" ] && [ -n "$want_mariadb" ] && [ -f "$top/tests/mariadb_server.sh" ]; then
  if myenv=$(sh "$top/tests/mariadb_server.sh" start 2>"$results/my.err"); then
    eval "$myenv"
    export STRATA_MARIADB_DIR STRATA_MARIADB_SOCKET STRATA_MARIADB_URL
  elif [ -n "${CI:-}" ]; then
    # In CI a server that cannot start is a failure, never a silent skip.
    echo "FAIL: the throwaway MariaDB server did not start: $(tail -n 25 "$results/my.err")"
    exit 1
  else
    echo "note: MariaDB tests skipped: $(tail -n 3 "$results/my.err")"
  fi
fi

selected() { # name: true when STRATA_TESTS is unset or lists it
  [ -z "${STRATA_TESTS:-}" ] && return 0
  case " $STRATA_TESTS " in *" $1 "*) return 0 ;; esac
  return 1
}

count_cmocka() { # file: adds its [  PASSED  ] / [  FAILED  ] totals
  p=$(sed -n 's/^\[  PASSED  \] \([0-9][0-9]*\) test.*/\1/p' "$1" | awk '{s+=$1} END {print s+0}')
  f=$(sed -n 's/^\[  FAILED  \] \([0-9][0-9]*\) test.*/\1/p' "$1" | awk '{s+=$1} END {print s+0}')
  pass=$((pass + p)); fail=$((fail + f))
}

# STRATA_QUEUE=DIR: several run.sh processes (lanes, started by tests/run_parallel.sh) share
# the work; each test of each suite runs in the lane that claims it first (mkdir is atomic),
# so a lane that finishes early takes the next test instead of idling.
claim() { # suite name: true when this process is to run it
  [ -z "${STRATA_QUEUE:-}" ] && return 0
  mkdir "$STRATA_QUEUE/$1-$2" 2>/dev/null
}

# suite_env BUILD: the settings of one suite: random pair counts and valgrind.
suite_env() {
  # The random schema pairs: 2,000 per backend in a plain build; a sanitizer build,
  # several times slower, checks fewer (both overridable; `make soak` runs 50,000).
  # MariaDB's throwaway server keeps its data in memory: a pair costs ~20 ms of CPU there.
  case $1 in
  *asan*) pairs=${STRATA_PAIRS:-500} pgpairs=${STRATA_PG_PAIRS:-300} mypairs=${STRATA_MARIADB_PAIRS:-8} ;;
  *) pairs=${STRATA_PAIRS:-2000} pgpairs=${STRATA_PG_PAIRS:-2000} mypairs=${STRATA_MARIADB_PAIRS:-2000} ;;
  esac
  vg=""
  # STRATA_VALGRIND=1: every unit binary and every strata the scenarios start through
  # `st`/`run` runs under valgrind, each process writing its report to its own log
  # file; a test whose processes left a non-empty log fails, whatever its exit status
  # (a scenario may expect strata to fail). Sanitizer builds cannot run under valgrind.
  vgdir="$results/vg-$1"
  if [ -n "${STRATA_VALGRIND:-}" ]; then
    case $1 in
    *asan*) ;;
    *) command -v valgrind >/dev/null 2>&1 || { echo "valgrind is not installed" >&2; exit 1; }
       mkdir -p "$vgdir"
       vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite --log-file=$vgdir/%p.log" ;;
    esac
  fi
}

# vg_check KIND NAME: reports and counts valgrind findings of the test just run
vg_check() {
  [ -n "$vg" ] || return 0
  logs=$(find "$vgdir" -name '*.log' -size +0c 2>/dev/null)
  if [ -n "$logs" ]; then
    fail=$((fail + 1))
    echo "FAIL valgrind $1 $2: $(echo "$logs" | wc -l) process(es) with errors"
    cat $logs | head -40
  fi
  rm -f "$vgdir"/*.log
}

# run_unit BUILD NAME [SHARD COUNT]: one cmocka binary of a suite (with SHARD and COUNT,
# its share, as run_e2e)
run_unit() {
  t="$top/$1/tests/$2"
  label="$1/$2"
  if [ $# -ge 4 ]; then label="$1/$2[$3/$4]"; fi
  out="$results/$1-$2${3:+.$3}.out"
  t0=$(date +%s)
  (cd "$top" && STRATA_RT_SHARD=${3:-} STRATA_RT_SHARDS=${4:-} STRATA_PAIRS=$pairs STRATA_PG_PAIRS=$pgpairs STRATA_MARIADB_PAIRS=$mypairs $vg "$t") >"$out" 2>&1
  rc=$?
  secs=$(($(date +%s) - t0))
  count_cmocka "$out"
  vg_check unit "$label"
  if [ $rc -ne 0 ]; then
    if ! grep -q '^\[  FAILED  \]' "$out"; then fail=$((fail + 1)); fi
    echo "FAIL unit $label (exit $rc)"; sed -n '1,60p' "$out" | grep -v '^\[ \(RUN\|      OK\) ' | head -40
  else
    echo "ok   unit $label (${secs} s)"
  fi
}

# run_e2e BUILD NAME [SHARD COUNT]: one scenario against a suite's strata; with SHARD
# and COUNT, only its share SHARD of COUNT (STRATA_RT_SHARD / STRATA_RT_SHARDS)
run_e2e() {
  t="$top/tests/e2e/$2.sh"
  label="$1/$2"
  if [ $# -ge 4 ]; then label="$1/$2[$3/$4]"; fi
  out="$results/$1-$2${3:+.$3}.out"
  t0=$(date +%s)
  if [ $# -ge 4 ]; then
    STRATA_RT_SHARD=$3 STRATA_RT_SHARDS=$4 STRATA="$top/$1/strata" STRATA_TOP="$top" STRATA_VG="$vg" sh "$t" >"$out" 2>&1
  else
    STRATA="$top/$1/strata" STRATA_TOP="$top" STRATA_VG="$vg" sh "$t" >"$out" 2>&1
  fi
  rc=$?
  secs=$(($(date +%s) - t0))
  vg_check e2e "$label"
  p=$(grep -c '^ok ' "$out"); f=$(grep -c '^not ok ' "$out")
  pass=$((pass + p)); fail=$((fail + f))
  if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then fail=$((fail + 1)); fi
  if [ $rc -ne 0 ] || [ "$f" -ne 0 ]; then
    echo "FAIL e2e $label ($p ok, $f not ok, exit $rc)"; grep -A12 '^not ok ' "$out" | head -60
    [ "$f" -eq 0 ] && tail -n 20 "$out"
  else
    echo "ok   e2e $label ($p checks, ${secs} s)"
  fi
}

# Scenarios that deal their cases to STRATA_RT_SHARD of STRATA_RT_SHARDS. Alone, such a
# scenario runs its shards side by side itself; when lanes share a queue, each shard is
# a test of its own, claimed by whichever lane is free.
shards_of() { # NAME: the number of shards the lanes deal, or 0
  [ -n "${STRATA_QUEUE:-}" ] || { echo 0; return; }
  case $1 in
  test_pg_roundtrip) echo "${STRATA_RT_SHARDS:-4}" ;;
  test_mariadb_roundtrip | test_alembic_parity | test_schema_random_pg) echo "${STRATA_RT_SHARDS:-2}" ;;
  *) echo 0 ;;
  esac
}

# run_claimed RUNNER BUILD NAME: each shard of a test (or the whole) this lane claims,
# run by RUNNER (run_e2e or run_unit)
run_claimed() {
  k=$(shards_of "$3")
  if [ "$k" -eq 0 ]; then
    claim "$2" "$3" && $1 "$2" "$3"
    return 0
  fi
  s=0
  while [ "$s" -lt "$k" ]; do
    claim "$2" "$3.$s" && $1 "$2" "$3" "$s" "$k"
    s=$((s + 1))
  done
  return 0
}

# The longest tests start first (scenarios and unit binaries, longest first as
# measured with lanes under ASan), so that lanes end together; then the other unit
# binaries, then the other scenarios in name order.
slow="test_pg_roundtrip test_schema_random_pg test_alembic_parity test_pg_security test_crash
 test_pg_verify test_django test_concurrency test_badinput test_pg_autogen test_mariadb_roundtrip
 test_pg_core test_help test_flask test_pg_objects test_schema_random test_reliability test_output
 test_sources test_mariadb_core test_pg_flask test_json test_pg_django"
all_e2e=$(cd "$top/tests/e2e" && ls test_*.sh 2>/dev/null | sed 's/\.sh$//')
is_slow() { case " $(echo $slow) " in *" $1 "*) return 0 ;; esac; return 1; }
# Sanitizer suites are the slower ones: theirs first.
heavy=""
for b in $suites; do case $b in *asan*) heavy="$heavy $b" ;; esac; done
for b in $suites; do case $b in *asan*) ;; *) heavy="$heavy $b" ;; esac; done
for n in $slow; do
  for b in $heavy; do
    suite_env "$b"
    selected "$n" || continue
    if [ -x "$top/$b/tests/$n" ]; then run_claimed run_unit "$b" "$n"
    elif [ -f "$top/tests/e2e/$n.sh" ]; then run_claimed run_e2e "$b" "$n"; fi
  done
done
for b in $suites; do
  suite_env "$b"
  for t in "$top/$b"/tests/test_*; do
    [ -x "$t" ] || continue
    n=$(basename "$t")
    is_slow "$n" && continue
    selected "$n" && run_claimed run_unit "$b" "$n"
  done
done
for n in $all_e2e; do
  is_slow "$n" && continue
  for b in $suites; do
    suite_env "$b"
    selected "$n" && run_claimed run_e2e "$b" "$n"
  done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
