# Round trips on PostgreSQL, shared by test_pg_roundtrip.sh and test_pg_objects.sh
# (sourced after lib.sh). The caller defines `snap DB`, which prints what is compared of
# a database's schema, or sets SNAP_SQL to a file holding a query that prints it, and
# calls rt_dbs once before its rt lines.

# pgdb NAME: creates a database for one scenario and prints its URL
pgdb() { createdb -h "$PGHOST" -p "$PGPORT" -U postgres "$1" && echo "postgresql://postgres@/$1?host=$PGHOST&port=$PGPORT"; }
# pq DB SQL: the value(s) psql prints for SQL, unaligned
pq() { psql -h "$PGHOST" -p "$PGPORT" -U postgres -XAtq -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
# The statement that empties a database: every user schema dropped, public re-created.
WIPE="DO \$\$ DECLARE s text; BEGIN FOR s IN SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%' LOOP EXECUTE format('DROP SCHEMA %I CASCADE', s); END LOOP; CREATE SCHEMA public; END \$\$"
# wipe DB: DB emptied
wipe() { PGOPTIONS="-c client_min_messages=warning" pq "$1" "$WIPE" >/dev/null; }
# fresh DB SQL: the reference database emptied and loaded from SQL, by one psql
fresh() { printf '%s\n' "$2" | PGOPTIONS="-c client_min_messages=warning" psql -h "$PGHOST" -p "$PGPORT" -U postgres -XAtq -v ON_ERROR_STOP=1 -d "$1" -c "$WIPE" -f - >/dev/null 2>&1; }
# rt_dbs NAME: creates the scenario database NAME, its shadow and its reference
rt_dbs() {
  db=$1
  url=$(pgdb "$db")
  shadow_url=$(pgdb "${db}_shadow")
  pgdb "${db}_ref" >/dev/null
  n=0
}
# rt_drop_dbs: drops them again
rt_drop_dbs() { cd "$T" && for d in "$db" "${db}_shadow" "${db}_ref"; do pq postgres "drop database if exists $d" >/dev/null; done; }

# rt NAME A B SEED QUERY WANT [--rename SPEC]...: build A through migrate + upgrade,
# insert SEED, declare B, migrate, upgrade, compare with B loaded directly (`snap`),
# QUERY must give WANT, `check` passes (a second migrate would find nothing); downgrade -1
# and compare with A (and, with RT_ROWS_KEPT set, QUERY gives WANT again). With
# STRATA_RT_SHARDS set, only every STRATA_RT_SHARDS-th pair from STRATA_RT_SHARD runs.
rt() {
  name=$1 A=$2 B=$3 seed=$4 query=$5 want=$6
  shift 6
  n=$((n + 1))
  [ $((n % ${STRATA_RT_SHARDS:-1})) -eq "${STRATA_RT_SHARD:-0}" ] || return 0
  dir="$T/case$n"
  mkdir -p "$dir" && cd "$dir" || return
  [ "${clean:-}" = 1 ] || wipe "$db" # the last case's final psql may have emptied it
  clean=""
  project "$url"
  printf 'schema = schema.sql\nshadow_database = %s\n' "$shadow_url" >>strata.ini
  printf '%s\n' "$A" >schema.sql
  fail=""
  st migrate -m a >"$OUT" 2>"$ERR" || fail="migrate A"
  [ -z "$fail" ] && { st upgrade >"$OUT" 2>"$ERR" || fail="upgrade A"; }
  [ -z "$fail" ] && [ -n "$seed" ] && { pq "$db" "$seed" >"$OUT" 2>"$ERR" || fail="seed"; }
  printf '%s\n' "$B" >schema.sql
  [ -z "$fail" ] && { st migrate -m b "$@" >"$OUT" 2>"$ERR" || fail="migrate B"; }
  [ -z "$fail" ] && { st upgrade >"$OUT" 2>"$ERR" || { fail="upgrade B"; cat migrations/versions/*_b.sql >>"$OUT"; }; }
  [ -z "$fail" ] && rt_same B "$B" "after upgrade" "$query"
  # check passing is the second migrate finding nothing: both compare the database with
  # schema.sql through the same diff, and check fails on any operation it would write.
  [ -z "$fail" ] && { st check >"$OUT" 2>"$ERR" || fail="check after upgrade"; }
  [ -z "$fail" ] && { st downgrade -1 >"$OUT" 2>"$ERR" || { fail="downgrade"; cat migrations/versions/*_b.sql >>"$OUT"; }; }
  [ -z "$fail" ] && rt_same A "$A" "after downgrade" "${RT_ROWS_KEPT:+$query}"
  if [ -z "$fail" ]; then ok "$n $name"; else echo "# $fail"; nok "$n $name"; fi
  cd "$T" || return
}
# rt_same WHICH SQL WHEN [ROWS]: the scenario database is what SQL loaded with psql
# gives, and with ROWS set, QUERY gives WANT. With SNAP_SQL set (a file of the query that
# prints what is compared), one psql loads the reference and reads both databases and
# the rows; else `snap` reads each database.
rt_same() {
  which=$1 sql=$2 when=$3 rows=${4:-}
  if [ -z "${SNAP_SQL:-}" ]; then
    fresh "${db}_ref" "$sql" || { fail="loading $which with psql"; return; }
    snap "$db" >snap.got && snap "${db}_ref" >snap.want || { fail="reading the schema"; return; }
  else
    rm -f snap.want snap.got rows.got
    set --
    [ -n "$rows" ] && set -- -c '\o rows.got' -c "$query"
    # After the last comparison of a case the same psql empties the scenario database
    # for the next case.
    [ "$which" = A ] && set -- "$@" -c '\o /dev/null' -c "$WIPE"
    if printf '%s\n' "$sql" | PGOPTIONS="-c client_min_messages=warning" psql -h "$PGHOST" -p "$PGPORT" -U postgres -XAtq -v ON_ERROR_STOP=1 \
      -d "${db}_ref" -c '\o /dev/null' -c "$WIPE" -f - -c '\o snap.want' -f "$SNAP_SQL" \
      -c "\\c $db" -c '\o snap.got' -f "$SNAP_SQL" "$@" >/dev/null 2>"$ERR"; then
      [ "$which" = A ] && clean=1
    else
      [ -f snap.want ] || { fail="loading $which with psql"; return; }
      { [ -f snap.got ] && { [ -z "$rows" ] || [ -f rows.got ]; }; } || { fail="reading the schema"; return; }
    fi
  fi
  diff snap.want snap.got >"$OUT" || { fail="schema $when differs from $which"; cat migrations/versions/*_b.sql >>"$OUT"; return; }
  [ -z "$rows" ] && return
  if [ -z "${SNAP_SQL:-}" ]; then got=$(pq "$db" "$query" 2>"$ERR"); else got=$(cat rows.got); fi
  [ "$got" = "$want" ] || fail="rows $when: got '$got', wanted '$want'"
}
