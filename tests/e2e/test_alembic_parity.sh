# Targets, plans and version rows on a graph with branch labels, several bases, a
# merge and depends-on across lineages, compared case by case with what Alembic 1.8
# itself does on the same graph (tests/e2e/alembic_peer.py runs it live).
. "$STRATA_TOP/tests/e2e/lib.sh"
PY=${STRATA_PYTHON:-/usr/bin/python3}
if ! "$PY" -c 'import alembic' 2>/dev/null; then
  # Without the peer there is nothing to compare with: a failure, never a silent skip.
  echo "not ok - Alembic for $PY (install python3-alembic: make deps)"; exit 1
fi
project
# ID|PARENTS|LABELS|DEPENDS|MESSAGE: the README's per-app layout (users, learning
# depending on users) and a lineage that branches and merges, depending on users.
cat >graph <<'G'
users0001||users||users base
users0002|users0001|||users two
learn0001||learning|users0001|learning base
learn0002|learn0001|||learning two
core0001||core||core base
core002a|core0001|||core a
core002b|core0001|||core b
merge0003abc|core002a core002b|||core merge
tail0004ef|merge0003abc||users0002|core four
G
while IFS='|' read -r id parents labels deps msg; do
  hdr=""
  [ -n "$labels" ] && hdr="-- strata:branch-labels $labels"
  [ -n "$deps" ] && hdr="${hdr:+$hdr
}-- strata:depends-on $deps"
  mkrev "$id" "$parents" "$msg" "SELECT 1;" "SELECT 1;" "$hdr" >/dev/null
done <graph
# CURRENT|COMMAND|TARGET: the version rows to start from (as Alembic writes them),
# then every target form of SPEC "Revision identifiers".
cat >cases <<'C'
-|resolve|users@head
-|resolve|learning@head
-|resolve|core@head
-|resolve|users@users0002
-|resolve|core@merg
-|resolve|users@learn0001
-|resolve|tail
!-|resolve|core002a+1
-|resolve|nosuch@head
-|upgrade|head
-|upgrade|heads
-|upgrade|users@head
-|upgrade|learning@head
-|upgrade|core@head
-|upgrade|learning@heads
-|upgrade|users0002
-|upgrade|tail
-|upgrade|merg
-|upgrade|users@+1
-|upgrade|users@+2
-|upgrade|learning@+1
-|upgrade|core@+2
-|upgrade|+1
-|upgrade|users@users0002
-|upgrade|core@merge0003abc
-|upgrade|core002a+1
-|upgrade|users0001+1
-|upgrade|users0002-1
-|upgrade|users@learn0001
users0002|upgrade|learning@head
users0002|upgrade|+1
users0002|upgrade|learning@+1
users0002|upgrade|core@head
users0002|upgrade|heads
users0002|upgrade|users0001
core002a|upgrade|core@+1
core002a|upgrade|+1
core002a|upgrade|merge0003abc
learn0001|upgrade|users@+1
learn0001|upgrade|learning@+1
learn0001|upgrade|+1
users0002 learn0001|upgrade|learning@+1
users0002 learn0001|upgrade|users@+1
users0002 learn0001|downgrade|users0001
users0002 learn0001|downgrade|users@-1
users0002 learn0001|downgrade|users@base
users0002 learn0001|downgrade|learning@-1
users0002 learn0001|downgrade|learning@base
users0002 learn0001|downgrade|base
users0002 learn0001|downgrade|learn0002
learn0001|downgrade|users@-1
learn0001|downgrade|users@base
learn0001|downgrade|-1
learn0001|downgrade|base
users0002|downgrade|-1
users0002|downgrade|-2
users0002|downgrade|-3
users0002|downgrade|users0002-1
tail0004ef learn0002|downgrade|base
tail0004ef learn0002|downgrade|users0001
tail0004ef learn0002|downgrade|users@base
tail0004ef learn0002|downgrade|users@-1
tail0004ef learn0002|downgrade|users@users0001
tail0004ef learn0002|downgrade|core@-1
tail0004ef learn0002|downgrade|core0001
tail0004ef learn0002|downgrade|core002a
tail0004ef learn0002|downgrade|core@core002a
tail0004ef learn0002|downgrade|learning@-1
tail0004ef learn0002|downgrade|learning@base
tail0004ef learn0002|downgrade|learn0001
tail0004ef learn0002|downgrade|tail0004ef-1
tail0004ef learn0002|downgrade|merg
!tail0004ef learn0002|downgrade|core@-2
!tail0004ef learn0002|downgrade|merge0003abc-1
C
# Dealt to STRATA_RT_SHARD of STRATA_RT_SHARDS when the test lanes run it in parts.
if [ -n "${STRATA_RT_SHARDS:-}" ]; then
  awk -v s="$STRATA_RT_SHARDS" -v r="${STRATA_RT_SHARD:-0}" '(NR - 1) % s == r' cases >cases.part && mv cases.part cases
fi
"$PY" "$STRATA_TOP/tests/e2e/alembic_peer.py" graph cases >alembic.txt 2>alembic.err
check "Alembic answered every case" test "$(wc -l <alembic.txt)" -eq "$(wc -l <cases)"

# each_case DBSQL OUTFILE [CASES]: runs every case with strata, resetting the version
# rows with DBSQL (a command taking SQL), and writes its answers in alembic_peer's
# format.
each_case() {
  : >"$2"
  while IFS='|' read -r cur cmd target; do
    rows=""
    for r in $(echo "$cur" | tr -d '!' | tr -d -); do rows="$rows INSERT INTO strata_version VALUES ('$r');"; done
    $1 "DELETE FROM strata_version;$rows" >/dev/null
    if [ "$cmd" = resolve ]; then
      run show "$target"
      if [ "$RC" -eq 0 ]; then ans="$(sed -n '1s/^Rev: \([^ ]*\).*/\1/p' "$OUT")|"
      else ans="ERROR|$(head -1 "$ERR")"; fi
    else
      run "$cmd" --plan "$target"
      plan=$(sed -n 's/^\(up\|down\)grade \([^ ]*\) .*/\2/p' "$OUT" | tr '\n' ' ')
      run "$cmd" "$target"
      if [ "$RC" -eq 0 ]; then
        ans="$(grep '^Running ' "$ERR" | paste -sd ';' -)|$($1 'SELECT version_num FROM strata_version ORDER BY 1' | paste -sd ' ' -)|$plan"
      else ans="ERROR|$(head -1 "$ERR")"; fi
    fi
    echo "$cur|$cmd|$target|$ans" >>"$2"
  done <"${3:-cases}"
}
sqlite_sql() { sq db.sqlite "$1"; }
run stamp base
each_case sqlite_sql strata.txt
"$PY" "$STRATA_TOP/tests/e2e/alembic_peer.py" compare graph alembic.txt strata.txt

# The same moves on PostgreSQL (the version rows are written by the same runner
# through another backend), when tests/run.sh started a cluster.
if [ -n "${STRATA_PG_URL:-}" ]; then
  db=pgparity_$$
  createdb -h "$PGHOST" -p "$PGPORT" -U postgres "$db"
  pg_sql() { psql -h "$PGHOST" -p "$PGPORT" -U postgres -XAtq -d "$db" -c "$1"; }
  # The moves that write several rows: downgrades, and upgrades across lineages.
  pick='[|]downgrade[|]|[|]upgrade[|](heads|learning@head|core@head|tail)$'
  grep -E "$pick" cases >cases.pg
  grep -E "$(echo "$pick" | sed 's/\$$/[|]/')" alembic.txt >alembic.pg
  st -d "postgresql://postgres@/$db?host=$PGHOST&port=$PGPORT" stamp base >/dev/null 2>&1
  DATABASE_URL="postgresql://postgres@/$db?host=$PGHOST&port=$PGPORT"; export DATABASE_URL
  each_case pg_sql strata.pg cases.pg
  unset DATABASE_URL
  "$PY" "$STRATA_TOP/tests/e2e/alembic_peer.py" compare graph alembic.pg strata.pg | sed 's/alembic parity:/alembic parity on PostgreSQL:/'
  dropdb -h "$PGHOST" -p "$PGPORT" -U postgres "$db"
fi

# The issue's own scenario, spelled out (in the first part only).
[ "${STRATA_RT_SHARD:-0}" = 0 ] || exit 0
sq db.sqlite "DELETE FROM strata_version"
run upgrade users@head
expect_rc 0 "upgrade users@head with another app depending on users"
run upgrade learning@head
expect_err "^Running upgrade  -> learn0001, learning base$" "learning@head runs the learning base"
run downgrade users0001
expect_rc 0 "downgrade users0001"
expect_err "^Running downgrade users0002 -> users0001, users two$" "it reverts users0002"
check "and leaves learn0001 (it depends on users0001, which stays)" sh -c "! grep -q learn0001 '$ERR'"
run upgrade users@head
run downgrade users@base --plan
expect_out "^downgrade learn0001 learning base " "reverting users reverts the dependant first"
expect_out "^    \+ depends on users0001, which is reverted$" "and the plan says why"
run downgrade base
run upgrade --plan tail
expect_out "^    \+ needed by tail0004ef \(depends-on\)$" "an upgrade plan says why a dependency comes along"
run revision -m "needs users" --depends-on users@head --rev-id notes0001 --head base
expect_rc 0 "revision --depends-on LABEL@head"
check "it records the resolved id" grep -qx -- "-- strata:depends-on users0002" "$(cat "$OUT")"
run revision -m "needs a label" --depends-on users --rev-id notes0002 --head base
check "a branch label is kept as written (as Alembic keeps it)" grep -qx -- "-- strata:depends-on users" "$(cat "$OUT")"
run revision -m "bad" --depends-on heads --head base
expect_rc 2 "--depends-on naming several revisions is a usage error"
expect_err "names more than one revision" "and says so"
