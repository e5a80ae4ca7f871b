#!/bin/sh
# strata verify against upgrade alone, same database, same run.
#
#   sh bench/bench_verify.sh STRATA_BINARY
#
# Builds a SQLite database of about BENCH_VERIFY_MB megabytes (default 50: rows in
# four tables) at a base revision, with BENCH_VERIFY_REVS pending revisions (default
# 100: new tables, some with an index, new columns on the big tables, and last an
# index on a big table). Then, in alternation for BENCH_VERIFY_RUNS samples (default 3):
#   - verify: `strata verify` on the database (copy, upgrade, downgrade, upgrade,
#     schema comparison and row counts for every revision, copy removed);
#   - upgrade: `strata upgrade heads` on a fresh copy of the same database (the copy
#     is made outside the timing).
# Prints, with the minimum of the samples:
#   verify 100 revisions on 50 MB: X s; upgrade alone: Y s; ratio Z
# POSIX sh + awk + sqlite3 + GNU date (%N). BENCH_KEEP=1 keeps the directory.
set -eu
STRATA=${1:?usage: sh bench/bench_verify.sh STRATA_BINARY}
case $STRATA in /*) ;; *) STRATA=$(pwd)/$STRATA ;; esac
MB=${BENCH_VERIFY_MB:-50}
REVS=${BENCH_VERIFY_REVS:-100}
RUNS=${BENCH_VERIFY_RUNS:-3}
command -v sqlite3 >/dev/null 2>&1 || { echo "bench_verify: sqlite3 is needed to build the database" >&2; exit 1; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/strata-bench-verify.XXXXXX")
[ -n "${BENCH_KEEP:-}" ] || trap 'rm -rf "$TMP"' EXIT INT TERM
cd "$TMP"

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# The project: a base revision with four tables, then REVS pending revisions.
mkdir -p migrations/versions
printf '[strata]\ndatabase = sqlite:live.db\nscript_location = migrations\n' >strata.ini
rev() { # rev ID PARENT UPGRADE DOWNGRADE
	{
		echo "-- strata:revision $1"
		echo "-- strata:revises $2"
		echo "-- strata:message bench $1"
		echo
		echo "-- strata:upgrade"
		printf '%s\n' "$3"
		echo
		echo "-- strata:downgrade"
		printf '%s\n' "$4"
	} >"migrations/versions/$1_bench.sql"
}
rev b000 "" "CREATE TABLE accounts (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT, created TEXT);
CREATE TABLE orders (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts (id), total REAL, note TEXT);
CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, payload TEXT);
CREATE TABLE audit (id INTEGER PRIMARY KEY, at TEXT, line TEXT);
CREATE INDEX ix_orders_account ON orders (account_id);" "DROP TABLE audit;
DROP TABLE events;
DROP TABLE orders;
DROP TABLE accounts;"
"$STRATA" upgrade >/dev/null
# Rows: about MB megabytes, spread over the four tables (about 130 bytes per row, indexes included).
rows=$((MB * 7800))
sqlite3 -batch live.db "
PRAGMA journal_mode = DELETE;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $rows / 4)
INSERT INTO accounts SELECT i, 'user' || i || '@example.com', hex(randomblob(24)), datetime('now') FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $rows / 4)
INSERT INTO orders SELECT i, 1 + abs(random()) % ($rows / 4), abs(random()) % 10000 / 100.0, hex(randomblob(40)) FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $rows / 4)
INSERT INTO events SELECT i, 'kind' || (i % 20), hex(randomblob(80)) FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $rows / 4)
INSERT INTO audit SELECT i, datetime('now'), hex(randomblob(60)) FROM n;
COMMIT;" >/dev/null
size=$(awk -v b="$(wc -c <live.db)" 'BEGIN { printf "%.0f", b / 1048576 }')

parent=b000
i=1
while [ "$i" -lt "$REVS" ]; do
	id=$(printf 'b%03d' "$i")
	case $((i % 4)) in
	0) rev "$id" "$parent" "CREATE TABLE t_$i (id INTEGER PRIMARY KEY, ref INTEGER, label TEXT NOT NULL DEFAULT '');
CREATE INDEX ix_t_${i}_ref ON t_$i (ref);" "DROP TABLE t_$i;" ;;
	1) rev "$id" "$parent" "ALTER TABLE accounts ADD COLUMN c_$i TEXT;" "ALTER TABLE accounts DROP COLUMN c_$i;" ;;
	2) rev "$id" "$parent" "ALTER TABLE orders ADD COLUMN c_$i INTEGER DEFAULT 0;" "ALTER TABLE orders DROP COLUMN c_$i;" ;;
	3) rev "$id" "$parent" "CREATE TABLE u_$i (id INTEGER PRIMARY KEY, v TEXT);
INSERT INTO u_$i (v) VALUES ('a'), ('b');" "DROP TABLE u_$i;" ;;
	esac
	parent=$id
	i=$((i + 1))
done
# The last one reads a big table: an index on events.
rev b_idx "$parent" "CREATE INDEX ix_events_kind ON events (kind);" "DROP INDEX ix_events_kind;"
total=$REVS

best_v=""
best_u=""
min() { if [ -z "$1" ]; then echo "$2"; else awk -v a="$1" -v b="$2" 'BEGIN { print (b < a ? b : a) }'; fi; }
run=1
while [ "$run" -le "$RUNS" ]; do
	t0=$(now)
	"$STRATA" verify -q >verify.out 2>&1 || { cat verify.out >&2; echo "bench_verify: verify failed" >&2; exit 1; }
	t1=$(now)
	best_v=$(min "$best_v" "$(secs "$t0" "$t1")")
	cp live.db copy.db
	t0=$(now)
	"$STRATA" -d sqlite:copy.db upgrade heads >upgrade.out 2>&1 || { cat upgrade.out >&2; echo "bench_verify: upgrade failed" >&2; exit 1; }
	t1=$(now)
	best_u=$(min "$best_u" "$(secs "$t0" "$t1")")
	rm -f copy.db
	run=$((run + 1))
done
ratio=$(awk -v v="$best_v" -v u="$best_u" 'BEGIN { printf "%.1f", (u > 0 ? v / u : 0) }')
echo "verify $total revisions on $size MB: $best_v s; upgrade alone: $best_u s; ratio $ratio"
