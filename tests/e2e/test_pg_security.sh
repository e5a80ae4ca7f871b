# Row-level security, privileges and the generated SQL that used to fail on PostgreSQL,
# as round trips: for each (A, B) pair, build A through migrate + upgrade, insert rows,
# declare B, migrate, upgrade; `check` passes, a second migrate finds nothing, and
# `pg_dump --schema-only` of the result equals that of a database loaded from B with
# psql; the rows are kept; then downgrade -1 and the dump equals A's. One database (and
# a shadow and a reference database) serve every pair.
[ -n "${STRATA_PG_URL:-}" ] || exit 0
. "$STRATA_TOP/tests/e2e/lib.sh"
pgdb() { createdb -h "$PGHOST" -p "$PGPORT" -U postgres "$1" && echo "postgresql://postgres@/$1?host=$PGHOST&port=$PGPORT"; }
pq() { psql -h "$PGHOST" -p "$PGPORT" -U postgres -XAtq -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
# wipe DB: every user schema dropped, public re-created as a new database has it
wipe() {
  PGOPTIONS="-c client_min_messages=warning" pq "$1" "DO \$\$ DECLARE s text; BEGIN FOR s IN SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%' LOOP EXECUTE format('DROP SCHEMA %I CASCADE', s); END LOOP; CREATE SCHEMA public AUTHORIZATION pg_database_owner; GRANT USAGE ON SCHEMA public TO PUBLIC; COMMENT ON SCHEMA public IS 'standard public schema'; END \$\$" >/dev/null
}
fresh() { wipe "$1" && printf '%s\n' "$2" | psql -h "$PGHOST" -p "$PGPORT" -U postgres -XAtq -v ON_ERROR_STOP=1 -d "$1" >/dev/null 2>&1; }
# dump DB: the schema as pg_dump prints it, without strata's own tables
dump() { pg_dump -h "$PGHOST" -p "$PGPORT" -U postgres -s -T 'public.strata_*' "$1" | grep -v -e '^-- Dumped' -e '^\\restrict' -e '^\\unrestrict'; }

# Roles are the cluster's: made once, kept for other runs of this script.
for r in strata_reader strata_writer strata_owner; do
  pq postgres "DO \$\$ BEGIN CREATE ROLE $r; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" >/dev/null
done

db=pgsec_$$
url=$(pgdb "$db")
shadow_url=$(pgdb "${db}_shadow")
pgdb "${db}_ref" >/dev/null
n=0
# rt NAME A B SEED QUERY WANT [INI-LINE]: one round trip; INI-LINE is added to strata.ini
rt() {
  name=$1 A=$2 B=$3 seed=$4 query=$5 want=$6 extra=${7:-}
  n=$((n + 1))
  # STRATA_SEC_ONLY=WORD runs only the pairs whose name holds WORD (while debugging)
  case "$name" in *"${STRATA_SEC_ONLY:-}"*) ;; *) return 0 ;; esac
  dir="$T/case$n"
  mkdir -p "$dir" && cd "$dir" || return
  wipe "$db"
  project "$url"
  printf 'schema = schema.sql\nshadow_database = %s\n%s\n' "$shadow_url" "$extra" >>strata.ini
  printf '%s\n' "$A" >schema.sql
  fail=""
  st migrate -m a >"$OUT" 2>"$ERR" || fail="migrate A"
  [ -z "$fail" ] && { st upgrade >"$OUT" 2>"$ERR" || fail="upgrade A"; }
  [ -z "$fail" ] && [ -n "$seed" ] && { pq "$db" "$seed" >"$OUT" 2>"$ERR" || fail="seed"; }
  printf '%s\n' "$B" >schema.sql
  [ -z "$fail" ] && { st migrate -m b >"$OUT" 2>"$ERR" || fail="migrate B"; }
  [ -z "$fail" ] && { st upgrade >"$OUT" 2>"$ERR" || { fail="upgrade B"; cat migrations/versions/*_b.sql >>"$OUT"; }; }
  if [ -z "$fail" ]; then
    fresh "${db}_ref" "$B" || fail="loading B with psql"
    [ -z "$fail" ] && { dump "$db" >got.sql && dump "${db}_ref" >want.sql || fail="pg_dump"; }
    [ -z "$fail" ] && { diff want.sql got.sql >"$OUT" || { fail="pg_dump after upgrade differs from B"; cat migrations/versions/*_b.sql >>"$OUT"; }; }
  fi
  if [ -z "$fail" ] && [ -n "$query" ]; then
    got=$(pq "$db" "$query" 2>"$ERR")
    [ "$got" = "$want" ] || { fail="rows: got '$got', wanted '$want'"; }
  fi
  [ -z "$fail" ] && { st check >"$OUT" 2>"$ERR" || fail="check after upgrade"; }
  [ -z "$fail" ] && { st migrate -m again >"$OUT" 2>"$ERR"; grep -q "No changes detected" "$OUT" "$ERR" || fail="second migrate is not empty"; }
  [ -z "$fail" ] && { st downgrade -1 >"$OUT" 2>"$ERR" || { fail="downgrade"; cat migrations/versions/*_b.sql >>"$OUT"; }; }
  if [ -z "$fail" ]; then
    fresh "${db}_ref" "$A" || fail="loading A with psql"
    [ -z "$fail" ] && { dump "$db" >got.sql && dump "${db}_ref" >want.sql || fail="pg_dump"; }
    [ -z "$fail" ] && { diff want.sql got.sql >"$OUT" || { fail="pg_dump after downgrade differs from A"; cat migrations/versions/*_b.sql >>"$OUT"; }; }
  fi
  if [ -z "$fail" ] && [ -n "$query" ]; then
    got=$(pq "$db" "$query" 2>"$ERR")
    [ "$got" = "$want" ] || { fail="rows after downgrade: got '$got', wanted '$want'"; }
  fi
  if [ -z "$fail" ]; then ok "$n $name"; else echo "# $fail"; nok "$n $name"; fi
  cd "$T" || return
}
# both NAME A B SEED QUERY WANT [INI-LINE]: the pair in both directions
both() { rt "$1" "$2" "$3" "$4" "$5" "$6" "${7:-}"; rt "$1 (reversed)" "$3" "$2" "$4" "$5" "$6" "${7:-}"; }

T1='CREATE TABLE t (id integer PRIMARY KEY, a text);'
S1="INSERT INTO t (id, a) VALUES (1, 'x'), (2, 'y');"
C1='SELECT count(*) FROM t'

# --- generated SQL that failed or never converged ---------------------------------------
both "serial to bigserial" 'CREATE TABLE t (id serial PRIMARY KEY, a text);' 'CREATE TABLE t (id bigserial PRIMARY KEY, a text);' "$S1" "$C1" 2
both "smallserial to serial" 'CREATE TABLE t (id smallserial PRIMARY KEY, a text);' 'CREATE TABLE t (id serial PRIMARY KEY, a text);' "$S1" "$C1" 2
both "serial to integer with an explicit sequence" 'CREATE TABLE t (id serial PRIMARY KEY, a text);' "CREATE SEQUENCE t_ids; CREATE TABLE t (id integer PRIMARY KEY DEFAULT nextval('t_ids'), a text);" "$S1" "$C1" 2
both "serial to plain integer" 'CREATE TABLE t (id serial PRIMARY KEY, a text);' "$T1" "$S1" "$C1" 2
E1="CREATE TYPE mood AS ENUM ('ok', 'sad');"
E2="CREATE TYPE feeling AS ENUM ('ok', 'sad', 'mad');"
both "column from one enum type to another" "$E1 $E2 CREATE TABLE t (id integer PRIMARY KEY, m mood DEFAULT 'ok');" "$E1 $E2 CREATE TABLE t (id integer PRIMARY KEY, m feeling DEFAULT 'ok');" "INSERT INTO t VALUES (1, 'ok'), (2, 'sad');" "SELECT string_agg(m::text, ',' ORDER BY id) FROM t" "ok,sad"
both "enum replaced by another name, columns follow" "$E1 CREATE TABLE t (id integer PRIMARY KEY, m mood);" "$E2 CREATE TABLE t (id integer PRIMARY KEY, m feeling);" "INSERT INTO t VALUES (1, 'ok'), (2, 'sad');" "SELECT string_agg(m::text, ',' ORDER BY id) FROM t" "ok,sad"
both "primary key moves while a foreign key references it" 'CREATE TABLE p (id integer PRIMARY KEY, code text NOT NULL UNIQUE); CREATE TABLE c (id integer PRIMARY KEY, p_id integer REFERENCES p (id));' 'CREATE TABLE p (id integer NOT NULL UNIQUE, code text PRIMARY KEY); CREATE TABLE c (id integer PRIMARY KEY, p_id integer REFERENCES p (id));' "INSERT INTO p VALUES (1, 'a'), (2, 'b'); INSERT INTO c VALUES (1, 1), (2, 2);" "SELECT count(*) FROM c JOIN p ON p.id = c.p_id" 2
both "primary key column type changes under a foreign key" 'CREATE TABLE p (id integer PRIMARY KEY); CREATE TABLE c (id integer PRIMARY KEY, p_id integer REFERENCES p (id));' 'CREATE TABLE p (id bigint PRIMARY KEY); CREATE TABLE c (id integer PRIMARY KEY, p_id bigint REFERENCES p (id));' "INSERT INTO p VALUES (1), (2); INSERT INTO c VALUES (1, 1), (2, 2);" "SELECT count(*) FROM c JOIN p ON p.id = c.p_id" 2
PK1="CREATE TABLE ev (id bigint NOT NULL, at date NOT NULL, kind text NOT NULL) PARTITION BY RANGE (at); CREATE TABLE ev_old PARTITION OF ev FOR VALUES FROM ('2000-01-01') TO ('2021-01-01'); CREATE TABLE ev_new PARTITION OF ev FOR VALUES FROM ('2021-01-01') TO ('2100-01-01');"
PK2="CREATE TABLE ev (id bigint NOT NULL, at date NOT NULL, kind text NOT NULL) PARTITION BY LIST (kind); CREATE TABLE ev_a PARTITION OF ev FOR VALUES IN ('a'); CREATE TABLE ev_rest PARTITION OF ev DEFAULT;"
EXTRA="CREATE INDEX ev_kind ON ev (kind); CREATE VIEW ev_count AS SELECT count(*) AS n FROM ev; COMMENT ON TABLE ev IS 'events'; COMMENT ON COLUMN ev.kind IS 'what';"
both "partition key changes: the table is rebuilt with its rows" "$PK1 $EXTRA" "$PK2 $EXTRA" "INSERT INTO ev VALUES (1, '2020-03-01', 'a'), (2, '2024-01-01', 'b');" "SELECT string_agg(id || kind, ',' ORDER BY id) FROM ev" "1a,2b"

echo "# $n round trips"
cd "$T" && for d in "$db" "${db}_shadow" "${db}_ref"; do pq postgres "drop database if exists $d" >/dev/null; done
