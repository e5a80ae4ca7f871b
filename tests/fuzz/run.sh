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
objs=""
for src in $(cd "$top" && find src -name '*.c' ! -path 'src/cli/*' | sort); do
  obj="$out/obj/$(echo "${src%.c}" | tr / _).o"
  hdrs_newer=$(find "$top/src" "$top/include" -name '*.h' -newer "$obj" 2>/dev/null | head -n 1 || true)
  if [ ! -f "$obj" ] || [ "$top/$src" -nt "$obj" ] || [ -n "$hdrs_newer" ]; then
    $cc $cflags -fsanitize=fuzzer-no-link -c "$top/$src" -o "$obj"
  fi
  objs="$objs $obj"
done
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

status=0
summary=""
for name in $names; do
  h="$top/tests/fuzz/fuzz_$name.c"
  [ -f "$h" ] || { echo "fuzz: no harness $h" >&2; exit 2; }
  bin="$out/fuzz_$name"
  $cc $cflags -fsanitize=fuzzer "$h" "$out/libstrata-fuzz.a" $libs -o "$bin"
  corpus="$out/corpus-$name"
  mkdir -p "$corpus"
  seeds="$top/tests/fuzz/corpus/$name"
  [ -d "$seeds" ] || seeds=""
  log="$out/fuzz_$name.log"
  echo "== fuzz_$name: ${secs} s"
  rc=0
  (cd "$out" && "$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
     -artifact_prefix="$out/crash-$name-" ${FUZZ_FLAGS:-} "$corpus" $seeds) >"$log" 2>&1 || rc=$?
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
