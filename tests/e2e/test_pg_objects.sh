# PostgreSQL objects autogenerate reads beyond tables and columns (issue 17): for each
# (before, after) pair, build "before" through migrate + upgrade, insert rows, declare
# "after", migrate, upgrade, and compare `pg_dump --schema-only` of the result with that
# of a database loaded from "after" directly; `check` must pass; then downgrade -1 and
# compare with "before" the same way, the rows still there. Then: a database holding one
# object of every kind pg_dump emits, where `check` must either compare each one (it
# reports it when schema.sql leaves it out) or name it as not compared; and columns that
# differ only in order, which `check` and `diff` state once and never turn into changes.
[ -n "${STRATA_PG_URL:-}" ] || exit 0
. "$STRATA_TOP/tests/e2e/lib.sh"
pgdb() { createdb -h "$PGHOST" -p "$PGPORT" -U postgres "$1" && echo "postgresql://postgres@/$1?host=$PGHOST&port=$PGPORT"; }
pq() { psql -h "$PGHOST" -p "$PGPORT" -U postgres -XAtq -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
wipe() { PGOPTIONS="-c client_min_messages=warning" pq "$1" "DO \$\$ DECLARE s text; BEGIN FOR s IN SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%' LOOP EXECUTE format('DROP SCHEMA %I CASCADE', s); END LOOP; CREATE SCHEMA public; END \$\$" >/dev/null; }
fresh() { wipe "$1" && printf '%s\n' "$2" | psql -h "$PGHOST" -p "$PGPORT" -U postgres -XAtq -v ON_ERROR_STOP=1 -d "$1" >/dev/null 2>&1; }
# dump DB: the schema as pg_dump prints it, without strata's own tables, owners,
# privileges, comments of the dump and settings
dump() {
  pg_dump -h "$PGHOST" -p "$PGPORT" -U postgres -s -O -x -T strata_version -T strata_history -T strata_history_id_seq "$1" |
    grep -v -e '^--' -e '^\\restrict' -e '^\\unrestrict' -e '^SET ' -e '^SELECT pg_catalog.set_config' -e '^$'
}

db=pgobj_$$
url=$(pgdb "$db")
shadow_url=$(pgdb "${db}_shadow")
pgdb "${db}_ref" >/dev/null
n=0
# rt NAME BEFORE AFTER SEED QUERY WANT: one round trip; QUERY must give WANT after the
# upgrade and again after the downgrade
rt() {
  name=$1 A=$2 B=$3 seed=$4 query=$5 want=$6
  n=$((n + 1))
  dir="$T/case$n"
  mkdir -p "$dir" && cd "$dir" || return
  wipe "$db"
  project "$url"
  printf 'schema = schema.sql\nshadow_database = %s\n' "$shadow_url" >>strata.ini
  printf '%s\n' "$A" >schema.sql
  fail=""
  st migrate -m a >"$OUT" 2>"$ERR" || fail="migrate before"
  [ -z "$fail" ] && { st upgrade >"$OUT" 2>"$ERR" || fail="upgrade before"; }
  [ -z "$fail" ] && [ -n "$seed" ] && { pq "$db" "$seed" >"$OUT" 2>"$ERR" || fail="seed"; }
  printf '%s\n' "$B" >schema.sql
  [ -z "$fail" ] && { st migrate -m b >"$OUT" 2>"$ERR" || fail="migrate after"; }
  [ -z "$fail" ] && { st upgrade >"$OUT" 2>"$ERR" || { fail="upgrade after"; cat migrations/versions/*_b.sql >>"$OUT"; }; }
  if [ -z "$fail" ]; then
    fresh "${db}_ref" "$B" || fail="loading after with psql"
    [ -z "$fail" ] && { dump "$db" >got.sql && dump "${db}_ref" >want.sql || fail="pg_dump"; }
    [ -z "$fail" ] && { diff want.sql got.sql >"$OUT" || { fail="pg_dump after upgrade differs from after"; cat migrations/versions/*_b.sql >>"$OUT"; }; }
  fi
  [ -z "$fail" ] && [ -n "$query" ] && { got=$(pq "$db" "$query" 2>"$ERR"); [ "$got" = "$want" ] || fail="rows after upgrade: got '$got', wanted '$want'"; }
  [ -z "$fail" ] && { st check >"$OUT" 2>"$ERR" || fail="check after upgrade"; }
  [ -z "$fail" ] && { st downgrade -1 >"$OUT" 2>"$ERR" || { fail="downgrade"; cat migrations/versions/*_b.sql >>"$OUT"; }; }
  if [ -z "$fail" ]; then
    fresh "${db}_ref" "$A" || fail="loading before with psql"
    [ -z "$fail" ] && { dump "$db" >got.sql && dump "${db}_ref" >want.sql || fail="pg_dump"; }
    [ -z "$fail" ] && { diff want.sql got.sql >"$OUT" || { fail="pg_dump after downgrade differs from before"; cat migrations/versions/*_b.sql >>"$OUT"; }; }
  fi
  [ -z "$fail" ] && [ -n "$query" ] && { got=$(pq "$db" "$query" 2>"$ERR"); [ "$got" = "$want" ] || fail="rows after downgrade: got '$got', wanted '$want'"; }
  if [ -z "$fail" ]; then ok "$n $name"; else echo "# $fail"; nok "$n $name"; fi
  cd "$T" || return
}

# The items of issue 17, each on tables of its own, in one round trip (a database per
# item would take too long): "before" is A, "after" is B.
TF='CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$; CREATE TRIGGER cm_stamp BEFORE INSERT ON cm FOR EACH ROW EXECUTE FUNCTION stamp();'
CM="CREATE TABLE cm (id integer PRIMARY KEY, a text); CREATE INDEX cm_a ON cm (a); CREATE DOMAIN code AS text CONSTRAINT code_short CHECK (length(VALUE) < 5); $TF"
IP="CREATE TABLE animal (id integer PRIMARY KEY, name text, CONSTRAINT named CHECK (name <> ''));"
A="CREATE TABLE u1 (id integer PRIMARY KEY, a text UNIQUE);
CREATE TABLE u2 (id integer PRIMARY KEY, a text UNIQUE DEFERRABLE);
CREATE TABLE k1 (id integer PRIMARY KEY, a text); COMMENT ON CONSTRAINT k1_pkey ON k1 IS 'the key';
CREATE TABLE u3 (id integer PRIMARY KEY, a text UNIQUE);
CREATE TABLE fp (id integer PRIMARY KEY); CREATE TABLE fc (id integer PRIMARY KEY, p_id integer REFERENCES fp (id));
CREATE TABLE ck (id integer PRIMARY KEY, a text, CONSTRAINT short CHECK (length(a) < 10));
CREATE TABLE i1 (id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, a text);
CREATE TABLE i2 (id integer PRIMARY KEY, a text);
$CM
CREATE TABLE co (id integer PRIMARY KEY, a text, b text);
CREATE TABLE t (id integer PRIMARY KEY, a text); CREATE MATERIALIZED VIEW mv AS SELECT id, a FROM t;
CREATE TABLE t2 (id integer PRIMARY KEY, a text); CREATE MATERIALIZED VIEW mv2 AS SELECT id, a FROM t2; CREATE INDEX mv2_a ON mv2 (a); COMMENT ON MATERIALIZED VIEW mv2 IS 'kept';
$IP
CREATE TABLE animal2 (id integer PRIMARY KEY, name text); CREATE TABLE dog2 (bark text) INHERITS (animal2);
CREATE TABLE ul (id integer PRIMARY KEY, a text);"
B="CREATE TABLE u1 (id integer PRIMARY KEY, a text UNIQUE DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE u2 (id integer PRIMARY KEY, a text UNIQUE DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE k1 (id integer PRIMARY KEY DEFERRABLE, a text); COMMENT ON CONSTRAINT k1_pkey ON k1 IS 'the key';
CREATE TABLE u3 (id integer PRIMARY KEY, a text UNIQUE NULLS NOT DISTINCT);
CREATE TABLE fp (id integer PRIMARY KEY); CREATE TABLE fc (id integer PRIMARY KEY, p_id integer REFERENCES fp (id) MATCH FULL);
CREATE TABLE ck (id integer PRIMARY KEY, a text, CONSTRAINT short CHECK (length(a) < 10) NO INHERIT);
CREATE TABLE i1 (id integer GENERATED BY DEFAULT AS IDENTITY (START WITH -100 INCREMENT BY 5 MINVALUE -1000 MAXVALUE 100000 CACHE 10) PRIMARY KEY, a text);
CREATE TABLE i2 (id integer GENERATED ALWAYS AS IDENTITY (START WITH -100 INCREMENT BY 5 MINVALUE -1000 MAXVALUE 100000 CACHE 10 CYCLE) PRIMARY KEY, a text);
$CM COMMENT ON INDEX cm_a IS 'by a'; COMMENT ON CONSTRAINT cm_pkey ON cm IS 'the key'; COMMENT ON DOMAIN code IS 'codes';
COMMENT ON CONSTRAINT code_short ON DOMAIN code IS 'short'; COMMENT ON TRIGGER cm_stamp ON cm IS 'stamps';
CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE SCHEMA app; CREATE COLLATION app.c2 (provider = libc, locale = 'C');
CREATE TABLE co (id integer PRIMARY KEY, a text COLLATE ci, b text COLLATE app.c2);
CREATE TABLE t (id integer PRIMARY KEY, a text); CREATE MATERIALIZED VIEW mv AS SELECT id, a FROM t;
CREATE UNIQUE INDEX mv_id ON mv (id); COMMENT ON INDEX mv_id IS 'ids';
CREATE TABLE t2 (id integer PRIMARY KEY, a varchar(20)); CREATE MATERIALIZED VIEW mv2 AS SELECT id, a FROM t2; CREATE INDEX mv2_a ON mv2 (a); COMMENT ON MATERIALIZED VIEW mv2 IS 'kept';
$IP CREATE TABLE dog (bark text) INHERITS (animal);
CREATE TABLE animal2 (id integer PRIMARY KEY, name text, legs integer); CREATE TABLE dog2 (bark text) INHERITS (animal2);
CREATE UNLOGGED TABLE ul (id integer PRIMARY KEY, a text);"
SEED="INSERT INTO u1 VALUES (1, 'x'); INSERT INTO u2 VALUES (1, 'x'); INSERT INTO k1 VALUES (1, 'x');
INSERT INTO u3 VALUES (1, 'x'); INSERT INTO fp VALUES (1); INSERT INTO fc VALUES (1, 1); INSERT INTO ck VALUES (1, 'x');
INSERT INTO i1 (a) VALUES ('x'); INSERT INTO i2 VALUES (1, 'x'); INSERT INTO cm VALUES (1, 'x'); INSERT INTO co VALUES (1, 'x', 'y');
INSERT INTO t VALUES (1, 'x'); INSERT INTO t2 VALUES (1, 'x'); INSERT INTO animal VALUES (1, 'cat');
INSERT INTO dog2 VALUES (1, 'rex', 'woof'); INSERT INTO ul VALUES (1, 'x');"
ROWS="SELECT (SELECT count(*) FROM u1) + (SELECT count(*) FROM u2) + (SELECT count(*) FROM k1) + (SELECT count(*) FROM u3)
 + (SELECT count(*) FROM fc) + (SELECT count(*) FROM ck) + (SELECT count(*) FROM i1) + (SELECT count(*) FROM i2)
 + (SELECT count(*) FROM cm) + (SELECT count(*) FROM co) + (SELECT count(*) FROM t) + (SELECT count(*) FROM t2)
 + (SELECT count(*) FROM animal) + (SELECT count(*) FROM animal2) + (SELECT count(*) FROM ul)"
rt "constraint options, identity options, comments, collations, view indexes, INHERITS, UNLOGGED" "$A" "$B" "$SEED" "$ROWS" 15
