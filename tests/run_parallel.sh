#!/bin/sh
# Runs every test of the build directories given, in $STRATA_LANES lanes side by side
# (default: the CPUs + 1, since scenarios wait on database servers): each lane is one
# tests/run.sh over all the builds, with its own throwaway PostgreSQL cluster and MariaDB
# server and its own temp dirs, and the lanes share one queue (STRATA_QUEUE), so every
# test runs once, in the first lane free to take it. Then prints the lanes' reports one
# after the other and one total line: "N passed, M failed".
# `make test` runs the plain and the sanitizer build this way.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
logs=$(mktemp -d)
mkdir "$logs/queue"
lanes=${STRATA_LANES:-$(( $(nproc 2>/dev/null || echo 1) + 1 ))}
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$logs"' EXIT INT TERM
i=1
while [ "$i" -le "$lanes" ]; do
  STRATA_QUEUE="$logs/queue" STRATA_SUITES="$*" sh "$top/tests/run.sh" >"$logs/lane$i.log" 2>&1 &
  pids="$pids $!"
  i=$((i + 1))
done
rc=0
for p in $pids; do wait "$p" || rc=1; done
pids=""
pass=0
fail=0
i=1
while [ "$i" -le "$lanes" ]; do
  echo "== lane $i"
  cat "$logs/lane$i.log"
  line=$(tail -n 1 "$logs/lane$i.log")
  case $line in
  *" passed, "*" failed")
    pass=$((pass + ${line%% passed*}))
    f=${line#* passed, }
    fail=$((fail + ${f%% failed*})) ;;
  *) echo "FAIL lane $i ended without its summary line"; fail=$((fail + 1)) ;;
  esac
  i=$((i + 1))
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$rc" -eq 0 ]
