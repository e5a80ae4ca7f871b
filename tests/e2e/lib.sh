# Helpers for end-to-end scenarios: each check prints "ok - name" or "not ok - name".
# $STRATA is the binary under test; every scenario works in its own temp dir.
set -u
: "${STRATA:?set STRATA to the strata binary}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
st() { ${STRATA_VG:-} "$STRATA" "$@"; }
OUT="$T/.out"; ERR="$T/.err"
# run CMD...: runs strata, keeping stdout/stderr in $OUT/$ERR and the status in $RC.
run() { st "$@" >"$OUT" 2>"$ERR"; RC=$?; }
ok() { echo "ok - $1"; }
nok() { echo "not ok - $1"; echo "  stdout:"; sed 's/^/    /' "$OUT" | head -20; echo "  stderr:"; sed 's/^/    /' "$ERR" | head -20; }
# expect_rc N name: the last run exited N
expect_rc() { if [ "$RC" -eq "$1" ]; then ok "$2"; else echo "# exit $RC, wanted $1"; nok "$2"; fi; }
# expect_out PATTERN name / expect_err PATTERN name: grep -E in stdout / stderr
expect_out() { if grep -Eq -- "$1" "$OUT"; then ok "$2"; else echo "# stdout lacks /$1/"; nok "$2"; fi; }
expect_err() { if grep -Eq -- "$1" "$ERR"; then ok "$2"; else echo "# stderr lacks /$1/"; nok "$2"; fi; }
expect_no_out() { if grep -Eq -- "$1" "$OUT"; then echo "# stdout has /$1/"; nok "$2"; else ok "$2"; fi; }
# check COND name: any shell condition
check() { name=$1; shift; if "$@"; then ok "$name"; else nok "$name"; fi; }
# sq DB SQL: the sqlite3 CLI
sq() { sqlite3 -batch "$1" "$2"; }
# mkrev ID PARENTS MSG UP DOWN [EXTRA-HEADERS]: writes a revision file by hand
mkrev() {
  mkdir -p migrations/versions
  f="migrations/versions/${1}_$(echo "$3" | tr ' A-Z' '_a-z').sql"
  { echo "-- strata:revision $1"; echo "-- strata:revises $2"; echo "-- strata:message $3"
    [ -n "${6:-}" ] && printf '%s\n' "$6"
    echo; echo "-- strata:upgrade"; printf '%s\n' "$4"; echo; echo "-- strata:downgrade"; printf '%s\n' "$5"; } >"$f"
  echo "$f"
}
# project [URL]: strata.ini pointing at db.sqlite (or URL) with an empty versions dir
project() {
  mkdir -p migrations/versions
  printf '[strata]\ndatabase = %s\nscript_location = migrations\n' "${1:-sqlite:db.sqlite}" >strata.ini
}
# on_tty ANSWER ARGS...: runs strata on a pseudo-terminal (stdin, stdout and stderr),
# typing ANSWER and Enter; what it printed goes to $OUT, the status to $RC.
on_tty() {
  "${STRATA_PYTHON:-/usr/bin/python3}" - "$STRATA" "$@" >"$OUT" 2>"$ERR" <<'PY'
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1]] + sys.argv[3:])
os.write(fd, sys.argv[2].encode() + b"\n")
out = b""
while True:
    try:
        d = os.read(fd, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace").replace("\r\n", "\n"))
sys.exit(os.WEXITSTATUS(st) if os.WIFEXITED(st) else 128 + os.WTERMSIG(st))
PY
  RC=$?
}
# build_under_test: sets bdir to the build directory of $STRATA (relative to the top
# when it lies inside it, as make's dependency files expect), and for an ASan build
# SANFLAGS (to compile programs against it) and MAKESAN (to install it with the same
# flags); both empty otherwise.
build_under_test() {
  bdir=$(cd "$(dirname "$STRATA")" && pwd)
  case "$bdir" in "$STRATA_TOP"/*) bdir=${bdir#"$STRATA_TOP"/} ;; esac
  SANFLAGS=""
  MAKESAN=""
  case "$(basename "$bdir")" in
    *asan*) SANFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer"; MAKESAN="SAN=1" ;;
  esac
}
# rt_shards SCRIPT: in a round-trip script (SCRIPT, its name in tests/e2e) not yet
# dealt out, runs SCRIPT as $STRATA_RT_SHARDS processes (default 2) side by side, each
# with STRATA_RT_SHARD set to its number (the script's rt then takes every
# STRATA_RT_SHARDS-th pair from there), prints their reports one after the other and
# exits with 1 when any of them failed; in a shard it returns at once.
rt_shards() {
  [ -z "${STRATA_RT_SHARD:-}" ] || return 0
  shards=${STRATA_RT_SHARDS:-2}
  pids="" i=0
  while [ "$i" -lt "$shards" ]; do
    STRATA_RT_SHARD=$i STRATA_RT_SHARDS=$shards sh "$STRATA_TOP/tests/e2e/$1" >"$T/shard$i" 2>&1 &
    pids="$pids $!"
    i=$((i + 1))
  done
  rc=0
  for p in $pids; do wait "$p" || rc=1; done
  i=0
  while [ "$i" -lt "$shards" ]; do cat "$T/shard$i"; i=$((i + 1)); done
  exit $rc
}
