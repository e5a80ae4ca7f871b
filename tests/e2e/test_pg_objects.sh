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

# --- one object of every kind pg_dump emits ------------------------------------------
# Every user object is named inv_*: each entry of pg_dump's table of contents names one.
INV='CREATE SCHEMA inv_app;
CREATE EXTENSION citext;
CREATE TYPE inv_mood AS ENUM ('"'a', 'b'"');
CREATE DOMAIN inv_posint AS integer CHECK (VALUE > 0);
CREATE TYPE inv_pair AS (x integer, y integer);
CREATE TYPE inv_range AS RANGE (subtype = float8);
CREATE COLLATION inv_coll (provider = icu, locale = '"'und-u-ks-level2'"', deterministic = false);
CREATE SEQUENCE inv_seq;
CREATE TABLE inv_tbl (id integer PRIMARY KEY, a text COLLATE inv_coll, n inv_posint, m inv_mood, s serial, CONSTRAINT inv_chk CHECK (id > 0));
CREATE TABLE inv_ref (id integer PRIMARY KEY, t_id integer CONSTRAINT inv_fk REFERENCES inv_tbl (id));
CREATE TABLE inv_child (extra text) INHERITS (inv_ref);
CREATE UNLOGGED TABLE inv_unlogged (id integer);
CREATE TABLE inv_part (id integer, at date) PARTITION BY RANGE (at);
CREATE TABLE inv_part_1 PARTITION OF inv_part FOR VALUES FROM ('"'2020-01-01'"') TO ('"'2021-01-01'"');
CREATE TABLE inv_typed OF inv_pair;
CREATE INDEX inv_idx ON inv_tbl (a);
CREATE VIEW inv_view AS SELECT id FROM inv_tbl;
CREATE MATERIALIZED VIEW inv_mv AS SELECT id FROM inv_tbl;
CREATE INDEX inv_mv_idx ON inv_mv (id);
CREATE FUNCTION inv_fn(x integer) RETURNS integer LANGUAGE sql AS $$ SELECT x $$;
CREATE PROCEDURE inv_proc() LANGUAGE sql AS $$ SELECT 1 $$;
CREATE AGGREGATE inv_agg(integer) (sfunc = int4pl, stype = integer);
CREATE FUNCTION inv_trgfn() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER inv_trg BEFORE INSERT ON inv_tbl FOR EACH ROW EXECUTE FUNCTION inv_trgfn();
CREATE RULE inv_rule AS ON INSERT TO inv_view DO INSTEAD NOTHING;
ALTER TABLE inv_tbl ENABLE ROW LEVEL SECURITY;
CREATE POLICY inv_pol ON inv_tbl USING (true);
CREATE PUBLICATION inv_pub FOR TABLE inv_tbl;
CREATE SUBSCRIPTION inv_sub CONNECTION '"'dbname=inv_nowhere'"' PUBLICATION inv_pub WITH (connect = false);
CREATE FUNCTION inv_evtfn() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE EVENT TRIGGER inv_evt ON ddl_command_start EXECUTE FUNCTION inv_evtfn();
CREATE FOREIGN DATA WRAPPER inv_fdw;
CREATE SERVER inv_srv FOREIGN DATA WRAPPER inv_fdw;
CREATE USER MAPPING FOR postgres SERVER inv_srv;
CREATE FOREIGN TABLE inv_ft (id integer) SERVER inv_srv;
CREATE TEXT SEARCH CONFIGURATION inv_tsc (COPY = english);
CREATE TEXT SEARCH DICTIONARY inv_tsd (TEMPLATE = simple);
CREATE CAST (inv_pair AS text) WITH INOUT;
CREATE FUNCTION inv_eq(inv_pair, inv_pair) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
CREATE OPERATOR === (leftarg = inv_pair, rightarg = inv_pair, function = inv_eq);
CREATE OPERATOR FAMILY inv_opf USING hash;
CREATE OPERATOR CLASS inv_opc FOR TYPE integer USING hash FAMILY inv_opf AS OPERATOR 1 =, FUNCTION 1 hashint4(integer);
CREATE STATISTICS inv_stat ON a, id FROM inv_tbl;
CREATE CONVERSION inv_conv FOR '"'LATIN1'"' TO '"'UTF8'"' FROM iso8859_1_to_utf8;
CREATE ACCESS METHOD inv_am TYPE TABLE HANDLER heap_tableam_handler;
CREATE TRUSTED LANGUAGE inv_lang HANDLER plpgsql_call_handler;
COMMENT ON TABLE inv_tbl IS '"'t'"'; COMMENT ON AGGREGATE inv_agg(integer) IS '"'sum'"'; COMMENT ON SERVER inv_srv IS '"'s'"';
GRANT SELECT ON inv_tbl TO PUBLIC;
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC;
ALTER TABLE inv_ref SET (fillfactor = 70);
ALTER TABLE inv_ref ALTER COLUMN t_id SET STATISTICS 100;
ALTER TABLE inv_ref REPLICA IDENTITY FULL;
ALTER TABLE inv_tbl CLUSTER ON inv_idx;
ALTER TABLE inv_ref ADD CONSTRAINT inv_nv CHECK (id > 0) NOT VALID;
CREATE TABLE inv_order (id integer PRIMARY KEY, a text, b text);'
cd "$T" && mkdir inv && cd inv || exit 1
wipe "$db"
pq "$db" "DROP PUBLICATION IF EXISTS inv_pub; DROP SUBSCRIPTION IF EXISTS inv_sub; DROP EVENT TRIGGER IF EXISTS inv_evt" >/dev/null 2>&1
project "$url"
printf 'schema = schema.sql\nshadow_database = %s\n' "$shadow_url" >>strata.ini
printf '%s\n' "$INV" | psql -h "$PGHOST" -p "$PGPORT" -U postgres -XAtq -v ON_ERROR_STOP=1 -d "$db" >"$OUT" 2>"$ERR"
check "the inventory loads into PostgreSQL" test "$(grep -c ERROR "$ERR")" = 0
# schema.sql declares the same, inv_order with its columns in another order
printf '%s\n' "$INV" | sed 's/inv_order (id integer PRIMARY KEY, a text, b text)/inv_order (id integer PRIMARY KEY, b text, a text)/' >schema.sql
run check
cp "$OUT" "$T/notcompared.txt"
expect_rc 0 "check passes when the database holds what schema.sql declares"
check "check says once that only the column order of inv_order differs" test "$(grep -c 'column order of table inv_order' "$T/notcompared.txt")" = 1
grep '^note: not compared: ' "$T/notcompared.txt" >"$T/nc.txt"
run diff
expect_err "note: column order of table inv_order differs from schema.sql: \(id, b, a\) there, \(id, a, b\) in the database" "diff states the column order"
check "diff makes no change for the column order" test ! -s "$OUT"
run migrate -m again
expect_out "No changes detected" "migrate makes no revision for the column order"
: >schema.sql
run check
cp "$OUT" "$T/empty.txt"
expect_rc 1 "check against an empty schema.sql fails"
# Each entry of pg_dump's table of contents: a kind strata compares (check against an
# empty schema.sql reports the object or the table it belongs to), or named in a
# "not compared" line of check.
MANAGED='|SCHEMA|EXTENSION|TYPE|DOMAIN|COLLATION|SEQUENCE|SEQUENCE OWNED BY|TABLE|DEFAULT|CONSTRAINT|FK CONSTRAINT|CHECK CONSTRAINT|INDEX|VIEW|MATERIALIZED VIEW|FUNCTION|PROCEDURE|TRIGGER|COMMENT|TABLE ATTACH|'
pg_dump -h "$PGHOST" -p "$PGPORT" -U postgres -s -Fc -T strata_version -T strata_history -T strata_history_id_seq "$db" >inv.dump
pg_restore -l inv.dump | grep -v '^;' | sed 's/^[0-9]*; [0-9]* [0-9]* //' >"$T/toc.txt"
silent=""
ntoc=0
while IFS= read -r entry; do
  ntoc=$((ntoc + 1))
  kind=$(printf '%s\n' "$entry" | sed -E 's/ (-|[a-z_]+) .*//')
  names=$(printf '%s\n' "$entry" | grep -oE 'inv_[a-z_0-9]+' || true)
  first=$(printf '%s\n' "$names" | head -1)
  last=$(printf '%s\n' "$names" | tail -1)
  case "$entry" in
    *" SCHEMA public "*|"SCHEMA - public "*) continue ;; # the built-in schema, never managed
    *citext*) first=citext last=citext ;;
    "DEFAULT ACL "*) first="-" last="default privileges" ;;
  esac
  # the sequence of a serial column comes and goes with its table's column
  case "$kind" in SEQUENCE*) grep -qw -- "$(printf '%s' "$first" | sed 's/_[a-z]*_seq$//')" "$T/empty.txt" && continue ;; esac
  case "$MANAGED" in *"|$kind|"*) grep -qw -- "$first" "$T/empty.txt" && continue ;; esac
  grep -qiw -- "$last" "$T/nc.txt" && continue
  silent="$silent
  $entry"
done <"$T/toc.txt"
[ -z "$silent" ] || { echo "# passed over in silence:$silent"; cp "$T/nc.txt" "$OUT"; }
check "each of the $ntoc objects pg_dump emits is compared or named as not compared" test -z "$silent"
sed "s/^/# check: /" "$T/nc.txt"
# What pg_dump prints inside a table's entry rather than as one of its own.
for what in "storage parameters of table inv_ref" "storage, statistics or options of column inv_ref.t_id" \
  "replica identity of table inv_ref" "CLUSTER ON index inv_idx" "NOT VALID constraint inv_nv on inv_ref" \
  "typed table inv_typed" "row-level security on table inv_tbl" "privileges (GRANT/REVOKE) on"; do
  check "check names: $what" grep -qF "not compared: $what" "$T/nc.txt"
done
pq "$db" "DROP PUBLICATION IF EXISTS inv_pub; ALTER SUBSCRIPTION inv_sub DISABLE; ALTER SUBSCRIPTION inv_sub SET (slot_name = NONE); DROP SUBSCRIPTION IF EXISTS inv_sub; DROP EVENT TRIGGER IF EXISTS inv_evt; DROP SERVER inv_srv CASCADE; DROP FOREIGN DATA WRAPPER inv_fdw; DROP ACCESS METHOD inv_am; DROP LANGUAGE inv_lang; ALTER DEFAULT PRIVILEGES REVOKE SELECT ON TABLES FROM PUBLIC" >/dev/null 2>&1

cd "$T" && for d in "$db" "${db}_shadow" "${db}_ref"; do pq postgres "drop database if exists $d" >/dev/null; done
