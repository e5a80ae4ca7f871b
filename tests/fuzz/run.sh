#!/bin/sh
# Builds every libFuzzer harness (tests/fuzz/fuzz_*.c, or the names given as arguments,
# e.g. `sh tests/fuzz/run.sh script url`) with clang -fsanitize=fuzzer,address,undefined,
# linked with the library sources compiled the same way, and runs each for
# ${FUZZ_SECONDS:-60} seconds on a scratch corpus grown from its seeds in
# tests/fuzz/corpus/<name>/ (the seeds are only read). Prints the executions per harness
# and exits non-zero when a harness found a crash (the input is left in the build dir as
# crash-<name>-<sha1>; replay it with build-fuzz/fuzz_<name> FILE).
#
# Environment: FUZZ_SECONDS (60), FUZZ_BUILD (build-fuzz), FUZZ_CC (clang),
# FUZZ_FLAGS (more libFuzzer flags, e.g. "-max_len=200000 -len_control=0").
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${FUZZ_BUILD:-$top/build-fuzz}
secs=${FUZZ_SECONDS:-60}
cc=${FUZZ_CC:-clang}
pkgs="sqlite3 libcrypto inih libpq libcjson"

command -v "$cc" >/dev/null 2>&1 || { echo "fuzz: $cc not found (Debian: apt-get install clang)" >&2; exit 2; }
cflags="-g -O1 -std=c11 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined \
 -D_DEFAULT_SOURCE -I$top/include -I$top/src $(pkg-config --cflags $pkgs libmariadb)" # libmariadb: headers only, opened at run time
libs="$(pkg-config --libs $pkgs) -lm"
mkdir -p "$out/obj"
# fuzz_config writes each input to a file: memory-backed is faster where there is one.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi

# The library, instrumented for coverage but without libFuzzer's main; rebuilt when a
# source is newer than its object.
# The stale ones are compiled $jobs at a time.
jobs=$(nproc 2>/dev/null || echo 2)
objs=""
stale=""
for src in $(cd "$top" && find src -name '*.c' ! -path 'src/cli/*' | sort); do
  obj="$out/obj/$(echo "${src%.c}" | tr / _).o"
  hdrs_newer=$(find "$top/src" "$top/include" -name '*.h' -newer "$obj" 2>/dev/null | head -n 1 || true)
  if [ ! -f "$obj" ] || [ "$top/$src" -nt "$obj" ] || [ -n "$hdrs_newer" ]; then
    stale="$stale $src"
  fi
  objs="$objs $obj"
done
if [ -n "$stale" ]; then
  export cc cflags out top
  printf '%s\n' $stale | xargs -P "$jobs" -I{} sh -c \
    'src={}; $cc $cflags -fsanitize=fuzzer-no-link -c "$top/$src" -o "$out/obj/$(echo "${src%.c}" | tr / _).o"'
fi
# The Python providers compiled in, as the Makefile does (tools/gen_embed.sh).
mkdir -p "$out/gen"
sh "$top/tools/gen_embed.sh" "$out/gen/embedded.c" $(ls "$top"/src/providers/*.py 2>/dev/null | sort)
$cc $cflags -fsanitize=fuzzer-no-link -c "$out/gen/embedded.c" -o "$out/obj/gen_embedded.o"
objs="$objs $out/obj/gen_embedded.o"
rm -f "$out/libstrata-fuzz.a"
ar rcs "$out/libstrata-fuzz.a" $objs

if [ $# -gt 0 ]; then names="$*"; else
  names=$(cd "$top/tests/fuzz" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')
fi

for name in $names; do
  [ -f "$top/tests/fuzz/fuzz_$name.c" ] || { echo "fuzz: no harness $top/tests/fuzz/fuzz_$name.c" >&2; exit 2; }
done
# run_one NAME: builds and runs one harness; its exit status lands in $out/fuzz_NAME.rc
run_one() {
  rm -f "$out/fuzz_$1.rc"
  bin="$out/fuzz_$1"
  corpus="$out/corpus-$1"
  mkdir -p "$corpus"
  seeds="$top/tests/fuzz/corpus/$1"
  [ -d "$seeds" ] || seeds=""
  rc=0
  { $cc $cflags -fsanitize=fuzzer "$top/tests/fuzz/fuzz_$1.c" "$out/libstrata-fuzz.a" $libs -o "$bin" &&
    (cd "$out" && "$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
     -artifact_prefix="$out/crash-$1-" ${FUZZ_FLAGS:-} "$corpus" $seeds); } >"$out/fuzz_$1.log" 2>&1 || rc=$?
  echo "$rc" >"$out/fuzz_$1.rc"
}
# The harnesses run $jobs at a time, each for ${secs} s.
echo "== fuzz: $(echo $names | wc -w) harnesses, ${secs} s each, $jobs at a time"
running=0
for name in $names; do
  run_one "$name" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait; running=0; fi
done
wait

status=0
summary=""
for name in $names; do
  log="$out/fuzz_$name.log"
  corpus="$out/corpus-$name"
  rc=$(cat "$out/fuzz_$name.rc" 2>/dev/null || echo 1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  [ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  files=$(ls "$corpus" | wc -l | tr -d ' ')
  if [ "$rc" -eq 0 ]; then
    line=$(printf '%-16s %12s executions %8s/s  corpus %6s  ok' "fuzz_$name" "${execs:-?}" "${rate:-?}" "$files")
  else
    status=1
    line=$(printf '%-16s %12s executions  FAILED (exit %s), see %s' "fuzz_$name" "${execs:-?}" "$rc" "$log")
    grep -E 'ERROR:|runtime error|check failed|SUMMARY|Test unit written' "$log" | head -n 8 | sed 's/^/    /'
  fi
  echo "$line"
  summary="$summary$line
"
done
echo "== summary"
printf '%s' "$summary"
exit $status
