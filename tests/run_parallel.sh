#!/bin/sh
# Runs tests/run.sh once per build directory given, all at the same time (each with its
# own throwaway PostgreSQL cluster and MariaDB server, each in its own temp dirs), then
# prints their reports one after the other and one total line: "N passed, M failed".
# `make test` runs the plain and the sanitizer build this way: on two CPUs, side by side
# takes about half the time of one after the other.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
logs=$(mktemp -d)
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$logs"' EXIT INT TERM
for b in "$@"; do
  sh "$top/tests/run.sh" "$b" >"$logs/$b.log" 2>&1 &
  pids="$pids $!"
done
rc=0
for p in $pids; do wait "$p" || rc=1; done
pids=""
pass=0
fail=0
for b in "$@"; do
  cat "$logs/$b.log"
  line=$(tail -n 1 "$logs/$b.log")
  case $line in
  *" passed, "*" failed")
    pass=$((pass + ${line%% passed*}))
    f=${line#* passed, }
    fail=$((fail + ${f%% failed*})) ;;
  *) echo "FAIL suite $b ended without its summary line"; fail=$((fail + 1)) ;;
  esac
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$rc" -eq 0 ]
