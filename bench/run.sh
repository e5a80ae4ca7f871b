#!/bin/sh
# strata benchmarks against their floors: the sqlite3 / psql CLI running the same
# SQL, measured in the same run, reported as ratios.
#
#   sh bench/run.sh [--no-write] STRATA_BINARY        (`make bench` runs it on build/strata)
#
# Sections (BENCH_ONLY picks some, e.g. BENCH_ONLY="core graph"):
#   core     1,000 revisions on SQLite: upgrade head, --single-transaction, current
#   graph    heads and history on generated graphs (BENCH_SIZES), with the index of
#            parsed revisions (warm) and without (cold); peak memory
#   long     not run unless named (`make bench-long`): --single-transaction over
#            BENCH_LONG_SIZES revisions (default 10000 30000 100000), the curve
#   autogen  diff of a 1,000-table database against schema.sql; peak memory of a
#            diff of 5,000 tables
#   each     upgrade --each over many tenant databases, --jobs 1 vs --jobs 2
#   pg       1,000 revisions and autogenerate on a throwaway PostgreSQL cluster
#            (tests/pg_cluster.sh; skipped with a reason when it cannot start)
#   mariadb  1,000 revisions on a throwaway MariaDB server (tests/mariadb_server.sh)
#            against the mariadb client running the same SQL, and diff of those 1,000
#            tables + 1 declared against mariadb-dump --no-data; skipped with a reason
#            when it cannot start
#   sources  `strata check` with `schema = sqlalchemy:app:db` on a generated 50-model
#            Flask-SQLAlchemy app vs `python3 -c 'import app'` (BENCH_PYTHON, default
#            /usr/bin/python3; skipped with a reason when it lacks Flask-SQLAlchemy)
#   verify   bench/bench_verify.sh, when that file exists
#
# Every run writes its table to bench/RESULTS.md (BENCH_RESULTS names another file;
# --no-write prints it only), so the committed file shows the last full run.
#
# Environment:
#   BENCH_RUNS     timed samples per measurement (default 5)
#   BENCH_STAT     min (default) or median of the samples
#   BENCH_SIZES    graph sizes for heads/history (default "10000 100000")
#   BENCH_LONG_SIZES  history lengths for `long` (default "10000 30000 100000")
#   BENCH_TENANTS  databases for the --each benchmark (default 1000)
#   BENCH_SLOW_RUNS samples for the slow sections, each and pg (default 3)
#   BENCH_PG_PER_REVISION=0  skip the slow `psql -1 -f` per revision reference run
#   BENCH_KEEP     keep the temporary directory (default: removed on exit)
#   BENCH_PYTHON   the interpreter with Flask-SQLAlchemy for `sources` (default /usr/bin/python3)
#
# POSIX sh + awk + GNU date (%N); hyperfine is not needed. strata and its floor are
# sampled alternately (A B A B …) so disk or CPU drift during the run hits both sides
# alike. The reported figure is the minimum of the samples by default: other
# processes on a shared machine only ever add time, so the fastest sample is the
# steadiest estimate of each side (BENCH_STAT=median to see the middle instead).
# Commands that take a few milliseconds are timed as a batch of REPS invocations per
# sample and reported per invocation, so the cost of forking `date` stays out of
# them. A failing command aborts the benchmark: a fast error is not a fast migration.
set -eu

WRITE=1
if [ "${1:-}" = "--no-write" ]; then WRITE=0; shift; fi
if [ "${1:-}" = "--write" ]; then shift; fi
STRATA=${1:?usage: sh bench/run.sh [--no-write] STRATA_BINARY}
RUNS=${BENCH_RUNS:-5}
SLOW_RUNS=${BENCH_SLOW_RUNS:-3}
STAT=${BENCH_STAT:-min}
SIZES=${BENCH_SIZES:-"10000 100000"}
TENANTS=${BENCH_TENANTS:-1000}
ONLY=${BENCH_ONLY:-"core graph autogen each pg mariadb sources verify"}
NREV=1000
NEACH=20

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
OUT_MD=${BENCH_RESULTS:-$BENCH_DIR/RESULTS.md}
case $OUT_MD in /*) ;; *) OUT_MD=$(pwd)/$OUT_MD ;; esac # the runs cd elsewhere
case $STRATA in /*) ;; *) STRATA=$(pwd)/$STRATA ;; esac
[ -x "$STRATA" ] || { echo "bench: $STRATA is not an executable" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "bench: the sqlite3 CLI is needed (apt-get install sqlite3)" >&2; exit 2; }
case $(date +%N) in *N*|'') echo "bench: date +%N is needed (GNU coreutils)" >&2; exit 2 ;; esac
case $RUNS$SLOW_RUNS in *[!0-9]*) echo "bench: BENCH_RUNS and BENCH_SLOW_RUNS must be positive integers" >&2; exit 2 ;; esac
[ "$RUNS" -gt 0 ] && [ "$SLOW_RUNS" -gt 0 ] || { echo "bench: BENCH_RUNS and BENCH_SLOW_RUNS must be positive" >&2; exit 2; }
case $STAT in min|median) ;; *) echo "bench: BENCH_STAT is min or median" >&2; exit 2 ;; esac
want() { case " $ONLY " in *" $1 "*) return 0 ;; esac; return 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/strata-bench.XXXXXX")
PG_DIR=
MY_DIR=
SHM=
cleanup() {
	if [ -n "$SHM" ]; then rm -rf "$SHM"; fi
	if [ -n "$PG_DIR" ]; then sh "$ROOT/tests/pg_cluster.sh" stop "$PG_DIR" >/dev/null 2>&1 || :; fi
	if [ -n "$MY_DIR" ]; then sh "$ROOT/tests/mariadb_server.sh" stop "$MY_DIR" >/dev/null 2>&1 || :; fi
	if [ -n "${BENCH_KEEP:-}" ]; then echo "bench: kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
RESULTS=$TMP/results   # one line per figure: name|strata|floor|ratio|cpu ratio|target|verdict
NOTES=$TMP/notes       # free-form lines for the summary (skips, growth, throughput)
: >"$RESULTS"
: >"$NOTES"

now() { date +%s%N; }
load() { awk '{ print $1 }' /proc/loadavg 2>/dev/null || echo "?"; }
note() { echo "$*"; echo "$*" >>"$NOTES"; }

# ms ELAPSED_NS REPS: nanoseconds for REPS invocations → ms per invocation.
ms() { awk -v ns="$1" -v r="$2" 'BEGIN { printf "%.2f", ns / r / 1e6 }'; }

# stat FILE: the minimum (or median, BENCH_STAT) of the numbers in FILE.
stat() {
	sort -n "$1" | awk -v m="$STAT" '{ v[NR] = $1 } END {
		if (m == "min") printf "%.2f", v[1]
		else if (NR % 2) printf "%.2f", v[(NR + 1) / 2]
		else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# cpu_ms FILE: user+sys milliseconds of the children in FILE, the output of the
# `times` builtin (second line). `times` must run in this shell, redirected to
# a file: inside $(…) it would report the subshell's children. Resolution: a
# clock tick (10 ms), which is why short commands are timed in batches.
cpu_ms() {
	awk 'NR == 2 { t = 0
		for (i = 1; i <= 2; i++) { split($i, a, "m"); t += a[1] * 60 + a[2] }
		printf "%.0f", t * 1000 }' "$1"
}

# sample NAME REPS SETUP CMD…: runs SETUP (untimed, may be :), then CMD REPS times
# under one timer; appends ms per invocation to NAME.ms (wall clock) and NAME.cpu
# (user+sys). Output goes to /dev/null; a failure prints the command's stderr and
# stops the benchmark.
sample() {
	_name=$1 _reps=$2 _setup=$3
	shift 3
	eval "$_setup"
	_i=0
	times >"$TMP/times0"
	_t0=$(now)
	while [ $_i -lt "$_reps" ]; do
		if ! "$@" >"$TMP/stdout" 2>"$TMP/stderr"; then
			echo "bench: command failed: $*" >&2
			cat "$TMP/stdout" "$TMP/stderr" >&2
			exit 1
		fi
		_i=$((_i + 1))
	done
	_t1=$(now)
	times >"$TMP/times1"
	echo "$(ms $((_t1 - _t0)) "$_reps")" >>"$_name.ms"
	echo "$(ms $((($(cpu_ms "$TMP/times1") - $(cpu_ms "$TMP/times0")) * 1000000)) "$_reps")" >>"$_name.cpu"
}

# record LABEL STRATA FLOOR TARGET: compares the figures of the samples named
# STRATA and FLOOR, prints the line and remembers the row. TARGET is "le X"
# (wall-clock ratio strata/floor at most X), "speedup X" (floor/strata at least
# X), "under MS" (strata under MS ms; the floor is for reference) or "info".
record() {
	awk -v n="$1" -v s="$(stat "$2.ms")" -v f="$(stat "$3.ms")" \
	    -v sc="$(stat "$2.cpu")" -v fc="$(stat "$3.cpu")" -v t="$4" -v out="$RESULTS" 'BEGIN {
		split(t, a, " ")
		ratio = f > 0 ? s / f : 0
		if (a[1] == "le")      { ok = ratio <= a[2]; goal = sprintf("<= %.2fx", a[2]); shown = sprintf("%.2fx", ratio) }
		if (a[1] == "speedup") { ok = s > 0 && f / s >= a[2]; goal = sprintf(">= %gx faster", a[2]); shown = sprintf("%.2fx (%.1fx faster)", ratio, s > 0 ? f / s : 0) }
		if (a[1] == "info")    { ok = 1; goal = "(reference)"; shown = sprintf("%.2fx", ratio) }
		if (a[1] == "under")   { ok = s < a[2]; goal = sprintf("< %g ms", a[2]); shown = sprintf("%.2fx", ratio) }
		v = a[1] == "info" ? "" : ok ? "ok" : "MISSED"
		cr = fc > 0 ? sprintf("%.2fx", sc / fc) : "-"
		printf "%-42s strata %9.2f ms  floor %9.2f ms  ratio %-21s cpu %-7s target %-13s %s\n", n, s, f, shown, cr, goal, v
		printf "%s|%.2f ms|%.2f ms|%s|%s|%s|%s\n", n, s, f, shown, cr, goal, v >> out
	}'
}

# peak LABEL INPUT_BYTES FLOOR CMD…: the peak resident memory of one run of CMD (GNU
# time's %M, the child's getrusage ru_maxrss), printed and noted against the size of
# the input it reads (target: at most 3x) and against the peak of FLOOR (a shell
# command line, or : for none).
peak() {
	_label=$1 _input=$2 _floor=$3
	shift 3
	if [ ! -x /usr/bin/time ]; then
		note "memory: $_label: skipped (/usr/bin/time is not installed)"
		return 0
	fi
	/usr/bin/time -f %M -o "$TMP/peak" "$@" >/dev/null 2>&1 || { echo "bench: $* failed" >&2; exit 1; }
	echo 0 >"$TMP/peakf"
	if [ "$_floor" != : ]; then
		/usr/bin/time -f %M -o "$TMP/peakf" sh -c "$_floor" >/dev/null 2>&1 || { echo "bench: $_floor failed" >&2; exit 1; }
	fi
	awk -v l="$_label" -v k="$(tail -1 "$TMP/peak")" -v f="$(tail -1 "$TMP/peakf")" -v b="$_input" -v fc="$_floor" 'BEGIN {
		r = b > 0 ? k * 1024 / b : 0
		fl = f > 0 ? sprintf("; %s: %.1f MB, strata %.2fx that", fc, f / 1024, k / f) : ""
		printf "memory: %s: peak %.1f MB for %.1f MB of input text (%.2fx; target <= 3x) %s%s\n",
			l, k / 1024, b / 1048576, r, r <= 3 ? "ok" : "MISSED", fl }' | tee -a "$NOTES"
}

# ---------------------------------------------------------------- 1,000 revisions
# Revision i creates table t_i and an index on it. floor.sql holds the same
# statements in the same transactions with the same version-table update strata
# makes (DELETE the old head, INSERT the new one), all in one sqlite3 process;
# floor1.sql the same SQL in one transaction; pgrev/NNNN.sql one file per revision
# (its SQL and version update) for `psql -1 -f`; schema.sql declares the 1,000
# tables and one more, for the autogenerate benchmarks. strata also writes its
# strata_history row in each transaction; the floors do not (the floor is "the same
# SQL and a version update").
# The version-table update of one step as the floors run it (DELETE the old head,
# INSERT the new one), an awk function for the generators' programs.
AWK_VERSION_UPDATE='function version_update(prev, id,    v) {
	v = ""
	if (prev != "") v = sprintf("DELETE FROM strata_version WHERE version_num = '\''%s'\'';\n", prev)
	return v sprintf("INSERT INTO strata_version (version_num) VALUES ('\''%s'\'');\n", id)
}'

gen_linear() {
	dir=$1
	mkdir -p "$dir/migrations/versions" "$dir/pgrev"
	printf '[strata]\ndatabase = sqlite:db.sqlite\nscript_location = migrations\nschema = schema.sql\n' >"$dir/strata.ini"
	awk -v n="$NREV" -v vdir="$dir/migrations/versions" -v floor="$dir/floor.sql" -v one="$dir/floor1.sql" \
	    -v pg="$dir/pgrev" -v schema="$dir/schema.sql" "$AWK_VERSION_UPDATE"'
	BEGIN {
		ddl = "CREATE TABLE IF NOT EXISTS strata_version (version_num VARCHAR(255) NOT NULL PRIMARY KEY);"
		print ddl > floor
		prev = ""
		for (i = 1; i <= n; i++) {
			id = sprintf("a%011x", i)
			up = sprintf("CREATE TABLE t_%d (\n    id INTEGER PRIMARY KEY,\n    name TEXT NOT NULL,\n    created_at TEXT\n);\nCREATE INDEX ix_t_%d_name ON t_%d (name);\n", i, i, i)
			printf "%s", up > schema
			f = sprintf("%s/%s_rev_%d.sql", vdir, id, i)
			printf "-- strata:revision %s\n-- strata:revises %s\n-- strata:message rev %d\n-- strata:created 2024-01-01 00:00:00\n\n-- strata:upgrade\n%s\n-- strata:downgrade\nDROP INDEX ix_t_%d_name;\nDROP TABLE t_%d;\n", id, prev, i, up, i, i > f
			close(f)
			ver = version_update(prev, id)
			printf "BEGIN;\n%s%sCOMMIT;\n", up, ver > floor
			# The same SQL in one transaction: what --single-transaction could reach.
			if (i == 1) print "BEGIN;\n" ddl > one
			printf "%s%s", up, ver > one
			p = sprintf("%s/%05d.sql", pg, i)
			printf "%s%s%s", i == 1 ? ddl "\n" : "", up, ver > p
			close(p)
			prev = id
		}
		close(floor)
		print "COMMIT;" > one
		close(one)
		print "CREATE TABLE t_extra (\n    id INTEGER PRIMARY KEY,\n    note TEXT\n);" > schema
		close(schema)
		print prev > (vdir "/../../head")
	}'
}

echo "strata benchmarks: $STRATA"
LOAD0=$(load)
echo "$STAT of $RUNS runs ($SLOW_RUNS for the slow sections); sqlite3 $(sqlite3 --version | cut -d' ' -f1); $(nproc) CPUs, load average $LOAD0; temp dir on $(df -P "$TMP" | awk 'NR == 2 { print $1 }')"
awk -v l="$LOAD0" -v c="$(nproc)" 'BEGIN { if (l + 0 > c / 2) print "bench: the machine is busy (load " l "): ratios are noisier than usual; run again when it is quiet" }' | tee -a "$NOTES"
echo

P=$TMP/linear
gen_linear "$P"
HEAD=$(cat "$P/head")
cd "$P"

if want core || want autogen; then
	# Warm-up (page cache, dynamic loader), then check strata does reach head.
	rm -f db.sqlite fl.sqlite
	"$STRATA" upgrade head >/dev/null
	sqlite3 fl.sqlite <floor.sql
	got=$("$STRATA" current)
	case $got in "$HEAD"*) ;; *) echo "bench: upgrade ended at '$got', expected $HEAD" >&2; exit 1 ;; esac
	[ "$(sqlite3 db.sqlite "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'ix_t_%'")" = "$NREV" ] ||
		{ echo "bench: strata did not create $NREV indexes" >&2; exit 1; }
fi

if want core; then
	i=0
	while [ $i -lt "$RUNS" ]; do
		sample floor 1 'rm -f fl.sqlite' sh -c 'sqlite3 fl.sqlite <floor.sql'
		sample up 1 'rm -f db.sqlite' "$STRATA" upgrade head
		sample floor1 1 'rm -f fl.sqlite' sh -c 'sqlite3 fl.sqlite <floor1.sql'
		sample single 1 'rm -f db.sqlite' "$STRATA" upgrade head --single-transaction
		i=$((i + 1))
	done
	record "upgrade head, $NREV revisions" up floor "le 1.03"
	record "upgrade head --single-transaction" single floor "speedup 10"
	record "  same, vs sqlite3 in one transaction" single floor1 "le 1.05"
	# The most any tool can gain from one transaction on this disk and this run.
	awk -v f="$(stat floor.ms)" -v o="$(stat floor1.ms)" 'BEGIN { if (o > 0)
		printf "ceiling: sqlite3 running the same SQL in one transaction is %.1fx faster than the floor\n", f / o }' | tee -a "$NOTES"

	# current: database at head (the last sample left it there), $NREV files on disk.
	i=0
	while [ $i -lt "$RUNS" ]; do
		sample curfloor 20 : sqlite3 db.sqlite "SELECT version_num FROM strata_version"
		sample cur 20 : "$STRATA" current
		sample start 20 : "$STRATA" --version
		sample sqstart 20 : sqlite3 :memory: "SELECT 1"
		i=$((i + 1))
	done
	record "current ($NREV revisions on disk)" cur curfloor "le 1.3"
	record "  process start: --version vs sqlite3 :memory:" start sqstart "info"
fi

# ---------------------------------------------------------------- autogenerate
# The database at head holds the $NREV tables and their indexes; schema.sql declares
# them and one table more. The floor is what any autogenerate has to do at least:
# load schema.sql into a scratch database and read the live schema, here one sqlite3
# process doing both (.read into :memory:, .open the database, .schema).
if want autogen; then
	[ -n "$("$STRATA" current)" ] || "$STRATA" upgrade head >/dev/null
	out=$("$STRATA" diff 2>/dev/null)
	case $out in *t_extra*) ;; *) echo "bench: strata diff did not report t_extra:" >&2; echo "$out" | head -5 >&2; exit 1 ;; esac
	[ "$(printf '%s\n' "$out" | grep -c 'CREATE TABLE')" = 1 ] ||
		{ echo "bench: strata diff reported more than the one new table" >&2; exit 1; }
	printf '.read schema.sql\n.open db.sqlite\n.schema\n' >agfloor.txt
	i=0
	while [ $i -lt "$RUNS" ]; do
		sample agfloor 1 : sh -c 'sqlite3 :memory: <agfloor.txt'
		sample ag 1 : "$STRATA" diff
		i=$((i + 1))
	done
	record "diff, $NREV tables + 1 declared" ag agfloor "le 2"
	# Peak memory of a diff of 5,000 tables: the database holds them, schema.sql
	# declares them and one more; the input text is schema.sql.
	M5=$TMP/mem5k
	mkdir -p "$M5/migrations/versions"
	awk 'BEGIN { for (i = 1; i <= 5000; i++) printf "CREATE TABLE m_%d (\n    id INTEGER PRIMARY KEY,\n    name TEXT NOT NULL,\n    created_at TEXT\n);\nCREATE INDEX ix_m_%d_name ON m_%d (name);\n", i, i, i }' >"$M5/schema.sql"
	{ echo "BEGIN;"; cat "$M5/schema.sql"; echo "COMMIT;"; } | sqlite3 "$M5/db.sqlite"
	printf 'CREATE TABLE m_extra (\n    id INTEGER PRIMARY KEY\n);\n' >>"$M5/schema.sql"
	printf '[strata]\ndatabase = sqlite:db.sqlite\nscript_location = migrations\nschema = schema.sql\n' >"$M5/strata.ini"
	cd "$M5"
	# SQLite gives every table and index a page even when empty: loading schema.sql into
	# memory is most of the peak, so that load is shown as the floor.
	peak "diff, 5000 tables + 1 declared" "$(wc -c <schema.sql)" "sqlite3 :memory: <schema.sql" "$STRATA" diff
	cd "$P"
fi
cd "$TMP"

# ---------------------------------------------------------------- large graphs
# Mostly linear: a trunk; every 50 revisions a branch of 2–6 revisions leaves
# the trunk and is merged back 10 trunk revisions later; every 500 a branch
# point with two short arms that a merge revision joins; one branch label per
# 1,000. The floor is reading every revision file once (grep -r for the
# revises line; cat is no floor: coreutils cat is slower than strata here).
gen_graph() {
	dir=$1 n=$2
	mkdir -p "$dir/migrations/versions"
	printf '[strata]\ndatabase = sqlite:db.sqlite\nscript_location = migrations\n' >"$dir/strata.ini"
	awk -v n="$n" -v vdir="$dir/migrations/versions" '
	function emit(parents, labels,    id, f) {
		k++
		x = k * 2654435761 % 281474976710656    # a bijection on 48 bits: unique ids
		id = sprintf("%06x%06x", int(x / 16777216), x % 16777216)  # mawk: %x is 32-bit
		f = vdir "/" id "_step_" k ".sql"
		printf "-- strata:revision %s\n-- strata:revises %s\n-- strata:message step %d of the generated history\n", id, parents, k > f
		if (labels != "") printf "-- strata:branch-labels %s\n", labels > f
		printf "-- strata:created 2024-01-01 00:00:00\n\n-- strata:upgrade\nCREATE TABLE t_%d (\n    id INTEGER PRIMARY KEY,\n    name TEXT NOT NULL\n);\nCREATE INDEX ix_t_%d ON t_%d (name);\n\n-- strata:downgrade\nDROP INDEX ix_t_%d;\nDROP TABLE t_%d;\n", k, k, k, k, k > f
		close(f)
		return id
	}
	BEGIN {
		k = 0; trunk = ""; side = ""; due = 0
		while (k < n) {
			if (side != "" && k >= due) {          # merge the side branch back
				trunk = emit(trunk " " side, ""); side = ""
				continue
			}
			if (k % 500 == 250 && n - k > 10) {    # branch point, two arms, merge
				a = emit(emit(trunk, ""), ""); b = emit(emit(trunk, ""), "")
				trunk = emit(a " " b, "")
				continue
			}
			if (side == "" && k % 50 == 10 && n - k > 30) {  # side branch
				side = trunk; len = 2 + k % 5
				for (j = 0; j < len; j++) side = emit(side, "")
				due = k + 10
				continue
			}
			trunk = emit(trunk, (k % 1000 == 999) ? "l" k : "")
		}
	}'
}

if want graph; then
echo
for n in $SIZES; do
	G=$TMP/g$n
	t0=$(now)
	gen_graph "$G" "$n"
	t1=$(now)
	files=$(find "$G/migrations/versions" -name '*.sql' | wc -l)
	echo "generated $files revision files in $(ms $((t1 - t0)) 1) ms"
	cd "$G"
	nheads=$("$STRATA" heads | wc -l)
	[ "$nheads" -ge 1 ] || { echo "bench: heads printed nothing on the $n graph" >&2; exit 1; }
	reps=1
	[ "$n" -le 20000 ] && reps=5
	"$STRATA" history >/dev/null  # warm-up
	# Warm: the index of parsed revisions (versions/.strata-index) is there, as after
	# any earlier command; cold: it is not (the first command after a checkout), so
	# every file is read, parsed, and the index written. Files are in the page cache
	# for both: dropping it would need root and hit every other process.
	IDX=migrations/versions/.strata-index
	i=0
	while [ $i -lt "$RUNS" ]; do
		sample read "$reps" : grep -rcF -e '-- strata:revises' migrations/versions
		# What an index checked by stat costs at least: one stat per file (find's
		# -printf %C@ needs it), in one process.
		sample statwalk "$reps" : find migrations/versions -name '*.sql' -printf '%C@ %s\n'
		sample heads "$reps" : "$STRATA" heads
		sample hist "$reps" : "$STRATA" history
		sample headscold 1 "rm -f $IDX" "$STRATA" heads
		i=$((i + 1))
	done
	eval "HEADS_$n=$(stat heads.ms) HIST_$n=$(stat hist.ms)"
	record "heads, $n revisions (warm)" heads read "under 150"
	record "history, $n revisions (warm)" hist read "under 150"
	record "heads, $n revisions (cold: no index)" headscold read "under 1500"
	record "  heads warm vs find stating every file" heads statwalk "info"
	peak "heads, $n revisions" "$(du -sb --apparent-size --exclude=.strata-index migrations/versions | cut -f1)" : "$STRATA" heads
	cd "$TMP"
	rm -rf "$G"
done

set -- $SIZES
if [ $# -ge 2 ]; then
	a=$1 b=$2
	eval "h1=\$HEADS_$a h2=\$HEADS_$b y1=\$HIST_$a y2=\$HIST_$b"
	awk -v a="$a" -v b="$b" -v h1="$h1" -v h2="$h2" -v y1="$y1" -v y2="$y2" 'BEGIN {
		printf "growth %d -> %d revisions (%gx the files; linear is %gx): heads %.2fx, history %.2fx\n",
			a, b, b / a, b / a, h2 / h1, y2 / y1 }' | tee -a "$NOTES"
fi
fi

# ---------------------------------------------------------------- long histories
# Not in the default run (`make bench-long`, or BENCH_ONLY=long): --single-transaction
# over BENCH_LONG_SIZES revisions (default 10,000 30,000 100,000) against sqlite3
# running the same SQL in one transaction. Revision 1 creates a table and each later
# one inserts a row, so the floor grows linearly: with a table per revision, SQLite's
# own DDL is quadratic (each CREATE re-reads the schema table), which would hide
# strata's share. The time per revision at each size shows whether strata is linear.
gen_long() {
	dir=$1 n=$2
	mkdir -p "$dir/migrations/versions"
	printf '[strata]\ndatabase = sqlite:db.sqlite\nscript_location = migrations\n' >"$dir/strata.ini"
	awk -v n="$n" -v dir="$dir" -v vdir="$dir/migrations/versions" -v one="$dir/floor1.sql" "$AWK_VERSION_UPDATE"'
	BEGIN {
		print "BEGIN;\nCREATE TABLE IF NOT EXISTS strata_version (version_num VARCHAR(255) NOT NULL PRIMARY KEY);" > one
		prev = ""
		for (i = 1; i <= n; i++) {
			id = sprintf("a%011x", i)
			up = i == 1 ? "CREATE TABLE steps (n INTEGER PRIMARY KEY, note TEXT);\n" : sprintf("INSERT INTO steps (n, note) VALUES (%d, '\''step %d'\'');\n", i, i)
			f = sprintf("%s/%s_rev_%d.sql", vdir, id, i)
			printf "-- strata:revision %s\n-- strata:revises %s\n-- strata:message rev %d\n-- strata:created 2024-01-01 00:00:00\n\n-- strata:upgrade\n%s\n-- strata:downgrade\nDELETE FROM steps WHERE n = %d;\n", id, prev, i, up, i > f
			close(f)
			ver = version_update(prev, id)
			printf "%s%s", up, ver > one
			prev = id
		}
		print "COMMIT;" > one
		print prev > (dir "/head")
	}'
}
if want long; then
	echo
	for n in ${BENCH_LONG_SIZES:-10000 30000 100000}; do
		L=$TMP/long$n
		gen_long "$L" "$n"
		cd "$L"
		"$STRATA" -q upgrade head --single-transaction >/dev/null
		got=$("$STRATA" current)
		case $got in "$(cat head)"*) ;; *) echo "bench: long upgrade ended at '$got'" >&2; exit 1 ;; esac
		i=0
		while [ $i -lt "$SLOW_RUNS" ]; do
			sample lfloor 1 'rm -f fl.sqlite' sh -c 'sqlite3 fl.sqlite <floor1.sql'
			sample lsingle 1 'rm -f db.sqlite' "$STRATA" -q upgrade head --single-transaction
			i=$((i + 1))
		done
		record "upgrade --single-transaction, $n revisions" lsingle lfloor "le 1.2"
		awk -v n="$n" -v s="$(stat lsingle.ms)" -v f="$(stat lfloor.ms)" 'BEGIN {
			printf "  long: %d revisions: strata %.1f us per revision, sqlite3 %.1f us\n", n, s * 1000 / n, f * 1000 / n }' | tee -a "$NOTES"
		cd "$TMP"
		rm -rf "$L"
	done
fi

# ---------------------------------------------------------------- many databases
# $TENANTS empty tenant databases, a project of $NEACH revisions (a table and an
# index each); `upgrade --each` with one job, then two. The figure is databases per
# second; the target is that two jobs do at least 1.8x what one does, on a 2-CPU
# machine with nothing else running.
gen_each() {
	dir=$1
	mkdir -p "$dir/migrations/versions"
	printf '[strata]\ndatabase = sqlite:db.sqlite\nscript_location = migrations\n' >"$dir/strata.ini"
	awk -v n="$NEACH" -v vdir="$dir/migrations/versions" 'BEGIN {
		prev = ""
		for (i = 1; i <= n; i++) {
			id = sprintf("e%011x", i)
			f = sprintf("%s/%s_tenant_%d.sql", vdir, id, i)
			printf "-- strata:revision %s\n-- strata:revises %s\n-- strata:message tenant step %d\n\n-- strata:upgrade\nCREATE TABLE t_%d (\n    id INTEGER PRIMARY KEY,\n    name TEXT NOT NULL\n);\nCREATE INDEX ix_t_%d ON t_%d (name);\n\n-- strata:downgrade\nDROP TABLE t_%d;\n", id, prev, i, i, i, i, i > f
			close(f)
			prev = id
		}
	}'
}
# fresh_tenants: $TENANTS empty database files (an empty file is an empty SQLite database).
fresh_tenants() {
	rm -rf tenants
	mkdir tenants
	awk -v n="$TENANTS" 'BEGIN { for (i = 1; i <= n; i++) printf "tenants/t%05d.db\n", i }' | xargs touch
}
if want each; then
	E=$TMP/each
	gen_each "$E"
	cd "$E"
	fresh_tenants
	"$STRATA" upgrade --each 'sqlite:tenants/*.db' --jobs 2 >each.out ||
		{ tail -5 each.out >&2; echo "bench: upgrade --each failed" >&2; exit 1; }
	tail -1 each.out | grep -q "$TENANTS ok, 0 failed" || { tail -1 each.out >&2; exit 1; }
	[ "$(sqlite3 tenants/t00001.db "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'ix_t_%'")" = "$NEACH" ] ||
		{ echo "bench: a tenant database did not reach head" >&2; exit 1; }
	i=0
	while [ $i -lt "$SLOW_RUNS" ]; do
		sample each1 1 fresh_tenants "$STRATA" upgrade --each 'sqlite:tenants/*.db' --jobs 1
		sample each2 1 fresh_tenants "$STRATA" upgrade --each 'sqlite:tenants/*.db' --jobs 2
		i=$((i + 1))
	done
	# More jobs than CPUs: each database waits on its own file syncs, so jobs that wait
	# overlap. Once, for reference.
	sample each4 1 fresh_tenants "$STRATA" upgrade --each 'sqlite:tenants/*.db' --jobs 4
	# What takes the syncs away: each tenant's revisions in one transaction (4 file
	# syncs per database instead of 4 per revision).
	i=0
	while [ $i -lt "$SLOW_RUNS" ]; do
		sample eachst1 1 fresh_tenants "$STRATA" upgrade --each 'sqlite:tenants/*.db' --jobs 1 --single-transaction
		sample eachst2 1 fresh_tenants "$STRATA" upgrade --each 'sqlite:tenants/*.db' --jobs 2 --single-transaction
		i=$((i + 1))
	done
	# What two CPU-bound processes gain on this machine at all: the same work (SHA-256
	# of 256 MB in memory) twice in sequence, then side by side. Where this is well
	# under 2x, so is any parallel run.
	head -c 268435456 /dev/zero >"$TMP/cpu.bin"
	twice() { sha256sum "$TMP/cpu.bin" >/dev/null && sha256sum "$TMP/cpu.bin" >/dev/null; }
	apart() { sha256sum "$TMP/cpu.bin" >/dev/null & sha256sum "$TMP/cpu.bin" >/dev/null; wait; }
	i=0
	while [ $i -lt "$SLOW_RUNS" ]; do
		sample cpuseq 1 : twice
		sample cpupar 1 : apart
		i=$((i + 1))
	done
	rm -f "$TMP/cpu.bin"
	# What two streams of file syncs gain on this disk: 1,000 synced 4 KiB writes
	# (dd oflag=dsync, as a commit's fdatasync) to each of two files, in sequence, then
	# side by side. Each tenant's upgrade is mostly such syncs (80 per database).
	syncw() { dd if=/dev/zero of="$1" bs=4k count=1000 oflag=dsync 2>/dev/null; }
	syncseq() { syncw "$TMP/sync1" && syncw "$TMP/sync2"; }
	syncpar() { syncw "$TMP/sync1" & syncw "$TMP/sync2"; wait; }
	i=0
	while [ $i -lt "$SLOW_RUNS" ]; do
		sample syncseq 1 : syncseq
		sample syncpar 1 : syncpar
		i=$((i + 1))
	done
	rm -f "$TMP/sync1" "$TMP/sync2"
	# The same databases on tmpfs, where no write waits for the disk: what the CPUs
	# allow. Only where /dev/shm has room for them.
	SHM=
	if [ -d /dev/shm ] && [ -w /dev/shm ] &&
		[ "$(df -Pk /dev/shm | awk 'NR == 2 { print $4 }')" -gt $((TENANTS * 400 + 65536)) ]; then
		SHM=$(mktemp -d /dev/shm/strata-bench.XXXXXX)
		gen_each "$SHM"
		cd "$SHM"
		i=0
		while [ $i -lt "$SLOW_RUNS" ]; do
			sample "$E/shm1" 1 fresh_tenants "$STRATA" upgrade --each 'sqlite:tenants/*.db' --jobs 1
			sample "$E/shm2" 1 fresh_tenants "$STRATA" upgrade --each 'sqlite:tenants/*.db' --jobs 2
			i=$((i + 1))
		done
		cd "$E"
		rm -rf "$SHM"
		SHM=
	fi
	record "upgrade --each $TENANTS dbs: jobs 2 vs jobs 1" each2 each1 "speedup 1.8"
	record "  same, jobs 4 vs jobs 1" each4 each1 "info"
	record "  the machine: 2 CPU-bound processes side by side vs in sequence" cpupar cpuseq "info"
	record "  the disk: 2 streams of synced writes side by side vs in sequence" syncpar syncseq "info"
	[ -s shm1.ms ] && record "  same dbs on tmpfs (no file syncs): jobs 2 vs jobs 1" shm2 shm1 "info"
	record "  --single-transaction (4 syncs a database): jobs 2 vs jobs 1" eachst2 eachst1 "info"
	record "  --single-transaction vs a transaction per revision, jobs 2" eachst2 each2 "info"
	awk -v n="$TENANTS" -v a="$(stat each1.ms)" -v b="$(stat each2.ms)" -v l="$(load)" 'BEGIN {
		printf "  throughput: --jobs 1 %.1f databases/s, --jobs 2 %.1f databases/s (%d revisions each; load average %s)\n", n * 1000 / a, n * 1000 / b, '"$NEACH"', l }' | tee -a "$NOTES"
	awk -v n="$TENANTS" -v a="$(stat eachst1.ms)" -v b="$(stat eachst2.ms)" 'BEGIN {
		printf "  throughput with --single-transaction: --jobs 1 %.1f databases/s, --jobs 2 %.1f databases/s\n", n * 1000 / a, n * 1000 / b }' | tee -a "$NOTES"
	cd "$TMP"
	rm -rf "$E"
fi

# ---------------------------------------------------------------- PostgreSQL
# A throwaway cluster (tests/pg_cluster.sh: fsync off, Unix socket). The floor is
# one psql process running floor.sql: the same SQL and version update, one
# transaction per revision, as strata runs them. For reference, `psql -1 -f` once
# per revision file (a process and a connection per revision, as a deploy script
# would run them) is measured once; it takes minutes, BENCH_PG_PER_REVISION=0 skips it.
pg_url() { printf '%s\n' "$STRATA_PG_URL" | sed "s|/postgres?|/$1?|"; }
pg_fresh() {
	psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" \
		-c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
}
if want pg; then
	if ! command -v psql >/dev/null || ! command -v pg_dump >/dev/null; then
		note "pg: skipped: psql/pg_dump not installed"
	elif ! env=$(sh "$ROOT/tests/pg_cluster.sh" start 2>"$TMP/pg.err"); then
		note "pg: skipped: no PostgreSQL cluster could be started ($(tail -1 "$TMP/pg.err"))"
	else
		eval "$env"
		PG_DIR=$STRATA_PG_DIR
		export PGHOST PGPORT PGUSER
		SU=$(pg_url strata_bench)
		FU=$(pg_url strata_floor)
		cd "$P"
		pg_fresh strata_bench
		"$STRATA" -d "$SU" upgrade head >/dev/null
		got=$("$STRATA" -d "$SU" current)
		case $got in "$HEAD"*) ;; *) echo "bench: pg upgrade ended at '$got', expected $HEAD" >&2; exit 1 ;; esac
		i=0
		while [ $i -lt "$SLOW_RUNS" ]; do
			sample pgfloor 1 'pg_fresh strata_floor' psql -X -q -v ON_ERROR_STOP=1 -d "$FU" -f floor.sql
			sample pgup 1 'pg_fresh strata_bench' "$STRATA" -d "$SU" upgrade head
			i=$((i + 1))
		done
		record "pg: upgrade head, $NREV revisions" pgup pgfloor "le 1.1"
		if [ "${BENCH_PG_PER_REVISION:-1}" != 0 ]; then
			printf 'for f in pgrev/*.sql; do psql -X -q -1 -v ON_ERROR_STOP=1 -d "$1" -f "$f" >/dev/null || exit 1; done\n' >pgrev.sh
			sample pgrev 1 'pg_fresh strata_floor' sh pgrev.sh "$FU"
			record "  same, vs psql -1 -f per revision (1 run)" pgup pgrev "info"
		fi
		# Autogenerate on PostgreSQL, against its floor: the declared side has to be
		# executed by the server (psql loading schema.sql into a fresh database) and the
		# live side read (pg_dump --schema-only), one after the other.
		if ! "$STRATA" -d "$SU" diff >"$TMP/pgdiff.out" 2>"$TMP/pgdiff.err"; then
			note "pg: diff skipped: $(grep -m1 . "$TMP/pgdiff.err" | sed 's/^strata: error: //')"
		elif ! grep -q t_extra "$TMP/pgdiff.out"; then
			note "pg: diff skipped: its output does not mention the new table t_extra ($(head -c 200 "$TMP/pgdiff.out"))"
		else
			i=0
			while [ $i -lt "$SLOW_RUNS" ]; do
				sample pgdump 1 : pg_dump --schema-only -d "$SU"
				sample pgload 1 'pg_fresh strata_floor' psql -X -q -v ON_ERROR_STOP=1 -d "$FU" -f schema.sql
				sample pgdiff 1 : "$STRATA" -d "$SU" diff
				sample pgboth 1 'pg_fresh strata_floor' sh -c 'psql -X -q -v ON_ERROR_STOP=1 -d "$1" -f schema.sql >/dev/null && pg_dump --schema-only -d "$2"' sh "$FU" "$SU"
				i=$((i + 1))
			done
			record "pg: diff, $NREV tables + 1 declared" pgdiff pgboth "le 1.2"
			record "  same, vs pg_dump --schema-only alone" pgdiff pgdump "info"
			record "  same, vs psql -f schema.sql (load only)" pgdiff pgload "info"
		fi
		cd "$TMP"
		sh "$ROOT/tests/pg_cluster.sh" stop "$PG_DIR" >/dev/null 2>&1 || :
		PG_DIR=
	fi
fi

# ---------------------------------------------------------------- MariaDB
# The same 1,000 revisions with MariaDB types (an index needs a VARCHAR, not TEXT).
# The floor is one `mariadb` client process running the same statements and the
# same version update per revision; MariaDB commits each DDL statement as it runs,
# so there is no transaction around a revision to reproduce. strata also writes and
# updates its strata_history row per statement (see docs/mariadb.md).
gen_mariadb() {
	dir=$1
	mkdir -p "$dir/migrations/versions"
	awk -v n="$NREV" -v vdir="$dir/migrations/versions" -v floor="$dir/floor.sql" -v schema="$dir/schema.sql" "$AWK_VERSION_UPDATE"'
	BEGIN {
		print "CREATE TABLE IF NOT EXISTS strata_version (version_num VARCHAR(255) NOT NULL PRIMARY KEY);" > floor
		prev = ""
		for (i = 1; i <= n; i++) {
			id = sprintf("a%011x", i)
			up = sprintf("CREATE TABLE t_%d (\n    id INTEGER PRIMARY KEY,\n    name VARCHAR(100) NOT NULL,\n    created_at DATETIME\n);\nCREATE INDEX ix_t_%d_name ON t_%d (name);\n", i, i, i)
			f = sprintf("%s/%s_rev_%d.sql", vdir, id, i)
			printf "-- strata:revision %s\n-- strata:revises %s\n-- strata:message rev %d\n-- strata:created 2024-01-01 00:00:00\n\n-- strata:upgrade\n%s\n-- strata:downgrade\nDROP TABLE t_%d;\n", id, prev, i, up, i > f
			close(f)
			ver = version_update(prev, id)
			printf "%s%s", up, ver > floor
			printf "%s", up > schema
			prev = id
		}
		print "CREATE TABLE t_extra (id INTEGER PRIMARY KEY);" > schema
		close(floor)
		close(schema)
	}'
}
if want mariadb; then
	if ! command -v mariadb >/dev/null; then
		note "mariadb: skipped: the mariadb client is not installed"
	elif ! env=$(sh "$ROOT/tests/mariadb_server.sh" start 2>"$TMP/my.err"); then
		note "mariadb: skipped: no MariaDB server could be started ($(tail -1 "$TMP/my.err"))"
	else
		eval "$env"
		MY_DIR=$STRATA_MARIADB_DIR
		my_cli() { mariadb --no-defaults -S "$STRATA_MARIADB_SOCKET" -uroot "$@"; }
		my_fresh() { my_cli -e "DROP DATABASE IF EXISTS $1; CREATE DATABASE $1"; }
		MU="mysql://root@localhost/strata_bench?socket=$STRATA_MARIADB_SOCKET"
		M=$TMP/mariadb
		gen_mariadb "$M"
		cd "$M"
		printf '[strata]\ndatabase = %s\nscript_location = migrations\n' "$MU" >strata.ini
		my_fresh strata_bench
		"$STRATA" upgrade head >/dev/null
		got=$("$STRATA" current)
		case $got in "a$(printf '%011x' "$NREV")"*) ;; *) echo "bench: mariadb upgrade ended at '$got'" >&2; exit 1 ;; esac
		i=0
		while [ $i -lt "$SLOW_RUNS" ]; do
			sample myfloor 1 'my_fresh strata_floor' my_cli strata_floor -e "source floor.sql"
			sample myup 1 'my_fresh strata_bench' "$STRATA" upgrade head
			i=$((i + 1))
		done
		record "mariadb: upgrade head, $NREV revisions" myup myfloor "le 1.1"
		# Autogenerate on MariaDB: report only. The floor is mariadb-dump --no-data of
		# the live database; loading schema.sql into a database is the declared half.
		printf 'schema = schema.sql\n' >>strata.ini
		if ! "$STRATA" diff >"$TMP/mydiff.out" 2>"$TMP/mydiff.err"; then
			note "mariadb: diff skipped: $(grep -m1 . "$TMP/mydiff.err" | sed 's/^strata: error: //')"
		elif ! grep -q t_extra "$TMP/mydiff.out"; then
			note "mariadb: diff skipped: its output does not mention the new table t_extra ($(head -c 200 "$TMP/mydiff.out"))"
		else
			i=0
			while [ $i -lt "$SLOW_RUNS" ]; do
				sample mydump 1 : mariadb-dump --no-defaults -S "$STRATA_MARIADB_SOCKET" -uroot --no-data strata_bench
				sample myload 1 'my_fresh strata_floor' my_cli strata_floor -e "source schema.sql"
				sample mydiff 1 : "$STRATA" diff
				i=$((i + 1))
			done
			record "mariadb: diff, $NREV tables + 1 declared" mydiff mydump "info"
			record "  same, vs mariadb -e 'source schema.sql' (load only)" mydiff myload "info"
		fi
		cd "$TMP"
		sh "$ROOT/tests/mariadb_server.sh" stop "$MY_DIR" >/dev/null 2>&1 || :
		MY_DIR=
	fi
fi

# ---------------------------------------------------------------- schema sources
# A Flask-SQLAlchemy app of 50 models (a unique column, an index, a server default, a
# foreign key with ON DELETE to the previous model), its SQLite database migrated and
# upgraded by strata. Timed: `strata check` reading the models through
# `schema = sqlalchemy:app:db` (the interpreter imports the app, renders the DDL
# offline, strata loads it and diffs), against the floor `python -c 'import app'`:
# the least any tool reading the models pays. `strata check` with the same DDL in a
# schema.sql is reported for reference: the difference is what the source adds.
gen_flaskapp() {
	awk -v n=50 'BEGIN {
		print "from flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\n"
		print "app = Flask(__name__)\napp.config[\"SQLALCHEMY_DATABASE_URI\"] = \"sqlite:////nonexistent/never-opened.db\""
		print "db = SQLAlchemy(app)\n"
		for (i = 1; i <= n; i++) {
			printf "\nclass Model%d(db.Model):\n    __tablename__ = \"model_%d\"\n", i, i
			print "    id = db.Column(db.Integer, primary_key=True)"
			print "    name = db.Column(db.String(80), nullable=False, unique=True)"
			print "    code = db.Column(db.String(20), index=True)"
			print "    created_at = db.Column(db.DateTime, nullable=False, server_default=db.func.now())"
			if (i > 1) printf "    parent_id = db.Column(db.Integer, db.ForeignKey(\"model_%d.id\", ondelete=\"CASCADE\"))\n", i - 1
		}
	}' >app.py
}
if want sources; then
	PYB=${BENCH_PYTHON:-/usr/bin/python3}
	if ! "$PYB" -c 'import flask_sqlalchemy' >/dev/null 2>&1; then
		note "sources: skipped: $PYB cannot import flask_sqlalchemy (set BENCH_PYTHON)"
	else
		Q=$TMP/sources
		mkdir -p "$Q/migrations/versions" && cd "$Q"
		gen_flaskapp
		printf '[strata]\ndatabase = sqlite:db.sqlite\nscript_location = migrations\nschema = sqlalchemy:app:db\npython = %s\n' "$PYB" >strata.ini
		sed 's/^schema = .*/schema = schema.sql/' strata.ini >plain.ini
		STRATA_DIALECT=sqlite "$PYB" -c "$(cat "$ROOT/src/providers/sqlalchemy_provider.py")" app:db >schema.sql
		"$STRATA" migrate -m models >/dev/null && "$STRATA" upgrade >/dev/null
		"$STRATA" check >/dev/null || { echo "bench: strata check fails on the 50-model app" >&2; exit 1; }
		[ "$(sqlite3 db.sqlite "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'model_%' AND type = 'table'")" = 50 ] ||
			{ echo "bench: the 50-model app's tables are not all there" >&2; exit 1; }
		i=0
		while [ $i -lt "$RUNS" ]; do
			sample srcimport 1 : "$PYB" -c 'import app'
			sample srccheck 1 : "$STRATA" check
			sample srcsql 1 : "$STRATA" -c plain.ini check
			i=$((i + 1))
		done
		record "check, sqlalchemy:app:db, 50 models" srccheck srcimport "le 1.5"
		record "  same DDL from schema.sql, vs import app" srcsql srcimport "info"
		awk -v a="$(stat srccheck.ms)" -v b="$(stat srcsql.ms)" -v c="$(stat srcimport.ms)" 'BEGIN {
			printf "  sources: the sqlalchemy: source adds %.1f ms to check (%.2fx the %.1f ms of import app)\n", a - b, (c > 0 ? (a - b) / c : 0), c }' | tee -a "$NOTES"
		cd "$TMP"
	fi
fi

# ---------------------------------------------------------------- verify
if want verify; then
	if [ -f "$BENCH_DIR/bench_verify.sh" ]; then
		echo
		if sh "$BENCH_DIR/bench_verify.sh" "$STRATA" >"$TMP/verify.out" 2>&1; then vrc=0; else vrc=$?; fi
		cat "$TMP/verify.out"
		{ echo "bench_verify.sh (exit $vrc):"; sed 's/^/    /' "$TMP/verify.out"; } >>"$NOTES"
	else
		note "verify: skipped: bench/bench_verify.sh does not exist"
	fi
fi

# ---------------------------------------------------------------- summary
LOAD1=$(load)
summary() {
	echo "| benchmark | strata | floor | strata / floor | CPU strata / floor | target | met? |"
	echo "|---|---:|---:|---:|---:|---|---|"
	awk -F'|' '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }' "$RESULTS"
	if [ -s "$NOTES" ]; then
		echo
		sed 's/^/    /' "$NOTES"
	fi
	echo
	echo "Floors: the sqlite3 CLI running the same SQL (one transaction per revision, with the"
	echo "version update) in one process; \`sqlite3 db \"SELECT version_num FROM strata_version\"\`;"
	echo "for heads/history, reading every revision file once (grep -rc), and for reference stating"
	echo "each one (find -printf, what checking an index by stat costs at least); for diff, one sqlite3"
	echo "process loading schema.sql into :memory: and printing the live .schema; for --each, the"
	echo "same command with --jobs 1; on PostgreSQL, one psql process running the same SQL and"
	echo "pg_dump --schema-only; on MariaDB, one mariadb client process running the same SQL. Wall-clock $STAT of $RUNS runs ($SLOW_RUNS for --each and PostgreSQL);"
	echo "CPU is user+sys of the same runs. Load average $LOAD0 at the start, $LOAD1 at the end."
}
echo
summary
if [ "$WRITE" = 1 ]; then
	{
		echo "# Benchmark results"
		echo
		echo "Written by \`sh bench/run.sh\` (\`make bench\`); docs/performance.md explains each figure."
		echo
		echo "Run of $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, sqlite3 $(sqlite3 --version | cut -d' ' -f1)$(command -v psql >/dev/null && echo ", $(psql --version | awk '{ print $NF }') (psql)")."
		echo
		summary
		# The long-history curve (`make bench-long`, minutes) is kept in its own file
		# and shown here, so a plain `make bench` does not drop it.
		if [ "$OUT_MD" = "$BENCH_DIR/RESULTS.md" ] && [ -f "$BENCH_DIR/RESULTS-long.md" ]; then
			echo
			echo "## Long histories (\`make bench-long\`, bench/RESULTS-long.md)"
			echo
			sed -n '/^Run of /,$p' "$BENCH_DIR/RESULTS-long.md"
		fi
	} >"$OUT_MD.tmp" && mv "$OUT_MD.tmp" "$OUT_MD" || { echo "bench: cannot write $OUT_MD" >&2; exit 1; }
	echo
	echo "bench: wrote $OUT_MD"
fi
