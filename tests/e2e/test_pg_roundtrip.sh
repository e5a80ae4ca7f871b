# Autogenerate round trips on PostgreSQL: for each (A, B) pair of schemas, build A
# through migrate + upgrade, insert rows, declare B, migrate, upgrade, and compare the
# result with a fresh database loaded from B — through catalog queries, not text —
# check that the rows are kept, `check` passes (a second migrate would find nothing);
# then downgrade -1 and compare with a fresh database loaded from A. Creating a
# database per step is slow, so the scenarios share a few databases that are emptied
# between them, and schema.sql is loaded through `shadow_database`.
# Without a server: skipped, except in CI (CI set), where it is a failure.
[ -n "${STRATA_PG_URL:-}" ] || { [ -z "${CI:-}" ] && exit 0; echo "not ok - no PostgreSQL server (STRATA_PG_URL is unset)"; exit 1; }
. "$STRATA_TOP/tests/e2e/lib.sh"
# The pairs are dealt to processes of their own (see rt_shards in lib.sh).
rt_shards test_pg_roundtrip.sh
. "$STRATA_TOP/tests/e2e/pg_rt.sh"

# The user schema of a database as sorted lines, independent of names the server
# makes up for constraints and of column order.
cat >"$T/fp.sql" <<'SQL'
WITH rel AS (
  SELECT c.oid, c.relkind, n.nspname, c.relname, format('%I.%I', n.nspname, c.relname) AS q
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
    AND c.relname NOT IN ('strata_version', 'strata_history', 'strata_history_id_seq'))
SELECT * FROM (
  SELECT 'rel ' || q || ' ' || relkind::text FROM rel WHERE relkind IN ('r', 'v', 'm', 'p')
  UNION ALL
  SELECT 'col ' || r.q || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) ||
         CASE WHEN a.attnotnull THEN ' notnull' ELSE '' END ||
         ' default=' || coalesce(regexp_replace(pg_get_expr(d.adbin, d.adrelid), '_seq''', ''''), '-') ||
         ' identity=' || a.attidentity::text || ' generated=' || a.attgenerated::text ||
         ' collation=' || coalesce((SELECT collname FROM pg_collation WHERE oid = a.attcollation), '-')
  FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE r.relkind IN ('r', 'v', 'm')
  UNION ALL
  SELECT 'con ' || r.q || ' ' || k.contype::text || ' ' || pg_get_constraintdef(k.oid)
  FROM rel r JOIN pg_constraint k ON k.conrelid = r.oid
  UNION ALL
  SELECT 'idx ' || pg_get_indexdef(i.indexrelid)
  FROM rel r JOIN pg_index i ON i.indrelid = r.oid
  WHERE NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = r.oid)
  UNION ALL
  SELECT 'part ' || q || ' ' || coalesce(pg_get_expr(c.relpartbound, c.oid), '-') || ' ' ||
         coalesce(pg_get_partkeydef(c.oid), '-')
  FROM rel JOIN pg_class c ON c.oid = rel.oid WHERE c.relkind = 'p' OR c.relispartition
  UNION ALL
  SELECT 'view ' || q || ' ' || pg_get_viewdef(oid) FROM rel WHERE relkind IN ('v', 'm')
  UNION ALL
  SELECT 'trg ' || t.tgname || ' ' || pg_get_triggerdef(t.oid)
  FROM pg_trigger t JOIN rel r ON r.oid = t.tgrelid WHERE NOT t.tgisinternal
  UNION ALL
  SELECT 'enum ' || format_type(t.oid, NULL) || ' ' ||
         (SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = t.oid)
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype = 'e'
  UNION ALL
  SELECT 'domain ' || format_type(t.oid, NULL) || ' ' || format_type(t.typbasetype, t.typtypmod) ||
         ' default=' || coalesce(t.typdefault, '-') || ' notnull=' || t.typnotnull::text || ' ' ||
         coalesce((SELECT string_agg(k.conname || ':' || pg_get_constraintdef(k.oid), ',' ORDER BY k.conname)
                   FROM pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c'), '-')
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
  WHERE t.typtype = 'd' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
  UNION ALL
  SELECT 'seq ' || r.q || ' ' || s.seqincrement || ' ' || s.seqstart || ' ' || s.seqmin || ' ' || s.seqmax ||
         ' owner=' || coalesce((SELECT a.attrelid::regclass::text || '.' || a.attname FROM pg_depend d
           JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
           WHERE d.classid = 'pg_class'::regclass AND d.objid = r.oid AND d.deptype = 'a'), '-')
  FROM rel r JOIN pg_sequence s ON s.seqrelid = r.oid
  WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = r.oid AND d.deptype = 'i')
  UNION ALL
  SELECT 'fn ' || n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) ||
         ') ' || pg_get_function_result(p.oid) || ' ' || md5(p.prosrc)
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
  UNION ALL
  SELECT 'comment ' || r.q || '.' || d.objsubid || ' ' || d.description
  FROM rel r JOIN pg_description d ON d.objoid = r.oid AND d.classoid = 'pg_class'::regclass
  UNION ALL
  SELECT 'ext ' || extname FROM pg_extension
  UNION ALL
  SELECT 'schema ' || nspname FROM pg_namespace
  WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\_%'
) x(line) ORDER BY 1;
SQL
SNAP_SQL=$T/fp.sql
rt_dbs "pgrt_$$"

T1='CREATE TABLE t (id integer PRIMARY KEY, a text);'
S1="INSERT INTO t VALUES (1, 'x'), (2, 'y');"
C1='SELECT count(*) FROM t'

rt "add a nullable column" "$T1" 'CREATE TABLE t (id integer PRIMARY KEY, a text, b integer);' "$S1" "$C1" 2
rt "add a NOT NULL column with a default" "$T1" "CREATE TABLE t (id integer PRIMARY KEY, a text, b integer NOT NULL DEFAULT 7);" "$S1" "SELECT sum(b) FROM t" 14
rt "drop a column" 'CREATE TABLE t (id integer PRIMARY KEY, a text, b integer);' "$T1" "$S1" "$C1" 2
rt "integer to bigint" 'CREATE TABLE t (id integer PRIMARY KEY, n integer);' 'CREATE TABLE t (id integer PRIMARY KEY, n bigint);' "INSERT INTO t VALUES (1, 5);" "SELECT n FROM t" 5
rt "varchar widened" 'CREATE TABLE t (id integer PRIMARY KEY, a varchar(20));' 'CREATE TABLE t (id integer PRIMARY KEY, a varchar(100));' "$S1" "$C1" 2
rt "text to integer with a cast" 'CREATE TABLE t (id integer PRIMARY KEY, a text);' 'CREATE TABLE t (id integer PRIMARY KEY, a integer);' "INSERT INTO t VALUES (1, '41'), (2, '1');" "SELECT sum(a) FROM t" 42
rt "set NOT NULL" "$T1" 'CREATE TABLE t (id integer PRIMARY KEY, a text NOT NULL);' "$S1" "$C1" 2
rt "drop NOT NULL" 'CREATE TABLE t (id integer PRIMARY KEY, a text NOT NULL);' "$T1" "$S1" "$C1" 2
rt "add a default" "$T1" "CREATE TABLE t (id integer PRIMARY KEY, a text DEFAULT 'z');" "$S1" "$C1" 2
rt "change a default" "CREATE TABLE t (id integer PRIMARY KEY, a text DEFAULT 'z');" "CREATE TABLE t (id integer PRIMARY KEY, a text DEFAULT 'q' || 'r');" "$S1" "$C1" 2
rt "drop a default" "CREATE TABLE t (id integer PRIMARY KEY, c timestamptz DEFAULT now());" 'CREATE TABLE t (id integer PRIMARY KEY, c timestamptz);' "INSERT INTO t (id) VALUES (1);" "SELECT count(c) FROM t" 1
rt "add a CHECK" "$T1" 'CREATE TABLE t (id integer PRIMARY KEY, a text CHECK (length(a) < 10));' "$S1" "$C1" 2
rt "drop a named CHECK" 'CREATE TABLE t (id integer PRIMARY KEY, a text, CONSTRAINT short CHECK (length(a) < 10));' "$T1" "$S1" "$C1" 2
rt "add UNIQUE" "$T1" 'CREATE TABLE t (id integer PRIMARY KEY, a text UNIQUE);' "$S1" "$C1" 2
rt "drop a two-column UNIQUE" 'CREATE TABLE t (id integer PRIMARY KEY, a text, b text, UNIQUE (a, b));' 'CREATE TABLE t (id integer PRIMARY KEY, a text, b text);' "$S1" "$C1" 2
P='CREATE TABLE p (id integer PRIMARY KEY);'
SP="INSERT INTO p VALUES (1), (2); INSERT INTO c VALUES (1, 1), (2, 2);"
rt "add a foreign key" "$P CREATE TABLE c (id integer PRIMARY KEY, p_id integer);" "$P CREATE TABLE c (id integer PRIMARY KEY, p_id integer REFERENCES p (id));" "$SP" "SELECT count(*) FROM c" 2
rt "drop a foreign key" "$P CREATE TABLE c (id integer PRIMARY KEY, p_id integer REFERENCES p (id));" "$P CREATE TABLE c (id integer PRIMARY KEY, p_id integer);" "$SP" "SELECT count(*) FROM c" 2
rt "foreign key action changes" "$P CREATE TABLE c (id integer PRIMARY KEY, p_id integer REFERENCES p (id));" "$P CREATE TABLE c (id integer PRIMARY KEY, p_id integer REFERENCES p (id) ON DELETE CASCADE ON UPDATE SET NULL);" "$SP" "SELECT count(*) FROM c" 2
rt "deferrable foreign key" "$P CREATE TABLE c (id integer PRIMARY KEY, p_id integer REFERENCES p (id));" "$P CREATE TABLE c (id integer PRIMARY KEY, p_id integer REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED);" "$SP" "SELECT count(*) FROM c" 2
rt "drop parent and child together" "$P CREATE TABLE c (id integer PRIMARY KEY, p_id integer REFERENCES p (id)); $T1" "$T1" "$SP $S1" "$C1" 2
rt "foreign-key cycle between new tables" "$T1" "$T1 CREATE TABLE x (id integer PRIMARY KEY, y_id integer); CREATE TABLE y (id integer PRIMARY KEY, x_id integer REFERENCES x (id)); ALTER TABLE x ADD FOREIGN KEY (y_id) REFERENCES y (id);" "$S1" "$C1" 2
rt "add an index" "$T1" "$T1 CREATE INDEX t_a_idx ON t (a);" "$S1" "$C1" 2
rt "drop an index" "$T1 CREATE INDEX t_a_idx ON t (a);" "$T1" "$S1" "$C1" 2
rt "partial unique index" "$T1" "$T1 CREATE UNIQUE INDEX t_a_part ON t (a) WHERE a IS NOT NULL;" "$S1" "$C1" 2
rt "expression index, DESC" "$T1" "$T1 CREATE INDEX t_lower ON t (lower(a) DESC);" "$S1" "$C1" 2
rt "index method and INCLUDE change" "$T1 CREATE INDEX t_ix ON t (a);" "$T1 CREATE INDEX t_ix ON t USING btree (id) INCLUDE (a);" "$S1" "$C1" 2
rt "hash index" "$T1" "$T1 CREATE INDEX t_hash ON t USING hash (a);" "$S1" "$C1" 2
rt "add a table" "$T1" "$T1 CREATE TABLE u (id bigint PRIMARY KEY, t_id integer REFERENCES t (id));" "$S1" "$C1" 2
rt "drop a table" "$T1 CREATE TABLE u (id integer PRIMARY KEY);" "$T1" "$S1" "$C1" 2
rt "rename a column" "$T1" 'CREATE TABLE t (id integer PRIMARY KEY, b text);' "$S1" "SELECT string_agg(b, ',' ORDER BY id) FROM t" "x,y" --rename t.a:b
rt "rename a table" "$T1" 'CREATE TABLE t2 (id integer PRIMARY KEY, a text);' "$S1" "SELECT count(*) FROM t2" 2 --rename t:t2
rt "add a view" "$T1" "$T1 CREATE VIEW v AS SELECT id, a FROM t WHERE id > 0;" "$S1" "$C1" 2
rt "change a view" "$T1 CREATE VIEW v AS SELECT id FROM t;" "$T1 CREATE VIEW v AS SELECT id, upper(a) AS a FROM t;" "$S1" "$C1" 2
rt "view re-created around a column type change" "$T1 CREATE VIEW v AS SELECT id, a FROM t; CREATE VIEW w AS SELECT a FROM v;" "CREATE TABLE t (id integer PRIMARY KEY, a varchar(50)); CREATE VIEW v AS SELECT id, a FROM t; CREATE VIEW w AS SELECT a FROM v;" "$S1" "$C1" 2
rt "materialized view" "$T1" "$T1 CREATE MATERIALIZED VIEW mv AS SELECT count(*) AS n FROM t;" "$S1" "SELECT n FROM mv" 2
E='CREATE TYPE mood AS ENUM ('"'ok', 'sad'"');'
rt "enum and a column of it" "$T1" "$E CREATE TABLE t (id integer PRIMARY KEY, a text, m mood DEFAULT 'ok');" "$S1" "SELECT count(m) FROM t" 2
rt "enum gains a value in the middle" "$E CREATE TABLE t (id integer PRIMARY KEY, m mood);" 'CREATE TYPE mood AS ENUM ('"'ok', 'meh', 'sad'"'); CREATE TABLE t (id integer PRIMARY KEY, m mood);' "INSERT INTO t VALUES (1, 'ok'), (2, 'sad');" "SELECT string_agg(m::text, ',' ORDER BY id) FROM t" "ok,sad"
rt "enum gains a value read by a view" "$E CREATE TABLE t (id integer PRIMARY KEY, m mood); CREATE VIEW v AS SELECT m FROM t;" 'CREATE TYPE mood AS ENUM ('"'ok', 'sad', 'mad'"'); CREATE TABLE t (id integer PRIMARY KEY, m mood); CREATE VIEW v AS SELECT m FROM t;' "INSERT INTO t VALUES (1, 'sad');" "SELECT m FROM v" sad
rt "enum gains a value used as a default (rebuild)" "$E CREATE TABLE t (id integer PRIMARY KEY, m mood);" 'CREATE TYPE mood AS ENUM ('"'ok', 'sad', 'mad'"'); CREATE TABLE t (id integer PRIMARY KEY, m mood DEFAULT '"'mad'"');' "INSERT INTO t VALUES (1, 'sad');" "SELECT m FROM t" sad
rt "enum gains a first value" "$E CREATE TABLE t (id integer PRIMARY KEY, m mood);" 'CREATE TYPE mood AS ENUM ('"'great', 'ok', 'sad'"'); CREATE TABLE t (id integer PRIMARY KEY, m mood);' "INSERT INTO t VALUES (1, 'ok');" "SELECT m FROM t" ok
rt "enum loses a value (rebuild, default and view)" 'CREATE TYPE mood AS ENUM ('"'ok', 'meh', 'sad'"'); CREATE TABLE t (id integer PRIMARY KEY, m mood DEFAULT '"'ok'"'); CREATE VIEW v AS SELECT m FROM t;' "$E CREATE TABLE t (id integer PRIMARY KEY, m mood DEFAULT 'ok'); CREATE VIEW v AS SELECT m FROM t;" "INSERT INTO t VALUES (1, 'ok'), (2, 'sad');" "SELECT string_agg(m::text, ',' ORDER BY id) FROM t" "ok,sad"
rt "enum reordered (rebuild)" "$E CREATE TABLE t (id integer PRIMARY KEY, m mood);" 'CREATE TYPE mood AS ENUM ('"'sad', 'ok'"'); CREATE TABLE t (id integer PRIMARY KEY, m mood);' "INSERT INTO t VALUES (1, 'ok');" "SELECT m FROM t" ok
rt "add a sequence" "$T1" "$T1 CREATE SEQUENCE counter START 100 INCREMENT 5;" "$S1" "$C1" 2
rt "alter a sequence" "$T1 CREATE SEQUENCE counter;" "$T1 CREATE SEQUENCE counter INCREMENT 10 MAXVALUE 100000;" "$S1 SELECT nextval('counter');" "SELECT last_value FROM counter" 1
rt "column default from a sequence" "$T1" "CREATE SEQUENCE ids; CREATE TABLE t (id integer PRIMARY KEY, a text, n bigint DEFAULT nextval('ids'));" "$S1" "SELECT count(n) FROM t" 2
F1='CREATE FUNCTION twice(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT x * 2 $$;'
F2='CREATE FUNCTION twice(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT x + x $$;'
rt "add a function" "$T1" "$T1 $F1" "$S1" "SELECT twice(21)" 42
rt "change a function body" "$T1 $F1" "$T1 $F2" "$S1" "SELECT twice(21)" 42
rt "generated column using a function" "$T1" "$F1 CREATE TABLE t (id integer PRIMARY KEY, a text, d integer GENERATED ALWAYS AS (twice(id)) STORED);" "$S1" "SELECT sum(d) FROM t" 6
TF='CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.a := coalesce(NEW.a, '"'auto'"'); RETURN NEW; END $$;'
rt "add a trigger" "$T1" "$T1 $TF CREATE TRIGGER t_stamp BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION stamp();" "$S1" "$C1" 2
rt "change a trigger" "$T1 $TF CREATE TRIGGER t_stamp BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION stamp();" "$T1 $TF CREATE TRIGGER t_stamp BEFORE INSERT OR UPDATE ON t FOR EACH ROW EXECUTE FUNCTION stamp();" "$S1" "$C1" 2
rt "comment on a table and a column" "$T1" "$T1 COMMENT ON TABLE t IS 'things'; COMMENT ON COLUMN t.a IS 'the a';" "$S1" "$C1" 2
rt "change and drop comments" "$T1 COMMENT ON TABLE t IS 'things'; COMMENT ON COLUMN t.a IS 'the a';" "$T1 COMMENT ON TABLE t IS 'other things';" "$S1" "$C1" 2
rt "identity added" 'CREATE TABLE t (id integer PRIMARY KEY, a text);' 'CREATE TABLE t (id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, a text);' "$S1" "$C1" 2
rt "identity dropped" 'CREATE TABLE t (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, a text);' "$T1" "INSERT INTO t (a) VALUES ('x'), ('y');" "$C1" 2
rt "serial column added" "$T1" 'CREATE TABLE t (id integer PRIMARY KEY, a text, n bigserial);' "$S1" "SELECT count(n) FROM t" 2
rt "schema and a table in it" "$T1" "$T1 CREATE SCHEMA app; CREATE TABLE app.items (id integer PRIMARY KEY, t_id integer REFERENCES t (id)); CREATE VIEW app.v AS SELECT id FROM app.items;" "$S1" "$C1" 2
rt "views in another schema wrap a type change" "$T1 CREATE SCHEMA app; CREATE TABLE app.items (id integer PRIMARY KEY, n integer); CREATE VIEW app.v AS SELECT id, n FROM app.items; CREATE VIEW app.w AS SELECT n FROM app.v;" "$T1 CREATE SCHEMA app; CREATE TABLE app.items (id integer PRIMARY KEY, n bigint); CREATE VIEW app.v AS SELECT id, n FROM app.items; CREATE VIEW app.w AS SELECT n FROM app.v;" "$S1 INSERT INTO app.items VALUES (1, 7);" "SELECT n FROM app.w" 7
rt "primary key changes columns" 'CREATE TABLE t (id integer PRIMARY KEY, a text NOT NULL);' 'CREATE TABLE t (id integer NOT NULL, a text NOT NULL, PRIMARY KEY (id, a));' "$S1" "$C1" 2
rt "collation change" "$T1" 'CREATE TABLE t (id integer PRIMARY KEY, a text COLLATE "C");' "$S1" "$C1" 2
rt "extension and a column of its type" "$T1" 'CREATE EXTENSION citext; CREATE TABLE t (id integer PRIMARY KEY, a citext);' "$S1" "$C1" 2
rt "array and numeric types" "$T1" 'CREATE TABLE t (id integer PRIMARY KEY, a text, tags text[] DEFAULT '"'{}'"', price numeric(10,2) DEFAULT 0);' "$S1" "SELECT count(tags) FROM t" 2
rt "quoted mixed-case names" "$T1" 'CREATE TABLE "Odd Name" ("Id" integer PRIMARY KEY, "a""b" text); CREATE INDEX "Odd Idx" ON "Odd Name" ("a""b");'" $T1" "$S1" "$C1" 2

X1='CREATE TABLE booking (id integer PRIMARY KEY, during tsrange);'
rt "exclusion constraint added" "$X1" 'CREATE TABLE booking (id integer PRIMARY KEY, during tsrange, EXCLUDE USING gist (during WITH &&));' "INSERT INTO booking VALUES (1, '[2020-01-01,2020-01-02)'), (2, '[2020-01-02,2020-01-03)');" "SELECT count(*) FROM booking" 2
rt "exclusion constraint changes (btree_gist, WHERE)" 'CREATE EXTENSION btree_gist; CREATE TABLE booking (id integer PRIMARY KEY, room integer, during tsrange, CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&));' 'CREATE EXTENSION btree_gist; CREATE TABLE booking (id integer PRIMARY KEY, room integer, during tsrange, CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&) WHERE (room > 0));' "INSERT INTO booking VALUES (1, 1, '[2020-01-01,2020-01-02)'), (2, 1, '[2020-01-02,2020-01-03)');" "SELECT count(*) FROM booking" 2
rt "primary key widened under a foreign key that stays" 'CREATE TABLE p (id integer PRIMARY KEY, name text); CREATE TABLE c (id integer PRIMARY KEY, p_id integer REFERENCES p (id));' 'CREATE TABLE p (id integer, name text NOT NULL, PRIMARY KEY (id, name), UNIQUE (id)); CREATE TABLE c (id integer PRIMARY KEY, p_id integer REFERENCES p (id));' "INSERT INTO p VALUES (1, 'a'), (2, 'b'); INSERT INTO c VALUES (1, 1), (2, 2);" "SELECT count(*) FROM c JOIN p ON p.id = c.p_id" 2
rt "UNIQUE replaced by a unique index under a foreign key that stays" 'CREATE TABLE p (id integer PRIMARY KEY, code text UNIQUE); CREATE TABLE c (id integer PRIMARY KEY, code text REFERENCES p (code));' 'CREATE TABLE p (id integer PRIMARY KEY, code text); CREATE UNIQUE INDEX p_code_ux ON p (code); CREATE TABLE c (id integer PRIMARY KEY, code text REFERENCES p (code));' "INSERT INTO p VALUES (1, 'a'); INSERT INTO c VALUES (1, 'a');" "SELECT count(*) FROM c" 1
rt "a primary-key column dropped" 'CREATE TABLE t (id integer, k integer, PRIMARY KEY (id, k));' 'CREATE TABLE t (id integer PRIMARY KEY);' "" "SELECT count(*) FROM t" 0
rt "table moved to another schema and renamed" "$T1" 'CREATE SCHEMA app; CREATE TABLE app.t2 (id integer PRIMARY KEY, a text);' "$S1" "SELECT count(*) FROM app.t2" 2 --rename t:app.t2
rt "table moved to another schema, same name" "$T1 CREATE INDEX t_a ON t (a);" 'CREATE SCHEMA app; CREATE TABLE app.t (id integer PRIMARY KEY, a text); CREATE INDEX t_a ON app.t (a);' "$S1" "SELECT count(*) FROM app.t" 2 --rename t:app.t
rt "views ordered by what they read, not by the names they mention" "$T1 CREATE VIEW y AS SELECT id AS x FROM t; CREATE VIEW x AS SELECT x AS y FROM y;" "CREATE TABLE t (id bigint PRIMARY KEY, a text); CREATE VIEW y AS SELECT id AS x FROM t; CREATE VIEW x AS SELECT x AS y FROM y;" "$S1" "SELECT count(*) FROM x" 2
PT='CREATE TABLE ev (id bigint NOT NULL, at date NOT NULL, kind text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at); CREATE TABLE ev_2020 PARTITION OF ev FOR VALUES FROM ('"'2020-01-01'"') TO ('"'2021-01-01'"'); CREATE TABLE ev_rest PARTITION OF ev DEFAULT;'
SPT="INSERT INTO ev VALUES (1, '2020-03-01', 'a'), (2, '2024-01-01', 'b');"
rt "partitioned table with partitions, an index and a foreign key to it" "$T1" "$T1 $PT CREATE INDEX ev_kind ON ev (kind); CREATE TABLE ref (id integer PRIMARY KEY, ev_id bigint, ev_at date, FOREIGN KEY (ev_id, ev_at) REFERENCES ev (id, at));" "$S1" "$C1" 2
rt "partition added, with sub-partitions" "$PT" "$PT CREATE TABLE ev_2021 PARTITION OF ev FOR VALUES FROM ('2021-01-01') TO ('2022-01-01') PARTITION BY RANGE (at); CREATE TABLE ev_2021_h2 PARTITION OF ev_2021 FOR VALUES FROM ('2021-07-01') TO ('2022-01-01'); CREATE TABLE ev_2021_h1 PARTITION OF ev_2021 FOR VALUES FROM ('2021-01-01') TO ('2021-07-01');" "$SPT" "SELECT count(*) FROM ev" 2
rt "partition bounds change, rows kept" "$PT" 'CREATE TABLE ev (id bigint NOT NULL, at date NOT NULL, kind text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at); CREATE TABLE ev_2020 PARTITION OF ev FOR VALUES FROM ('"'2019-01-01'"') TO ('"'2021-01-01'"'); CREATE TABLE ev_rest PARTITION OF ev DEFAULT;' "$SPT" "SELECT count(*) FROM ev_2020" 1
rt "column added to a partitioned table" "$PT" 'CREATE TABLE ev (id bigint NOT NULL, at date NOT NULL, kind text, note text DEFAULT '"'-'"', PRIMARY KEY (id, at)) PARTITION BY RANGE (at); CREATE TABLE ev_2020 PARTITION OF ev FOR VALUES FROM ('"'2020-01-01'"') TO ('"'2021-01-01'"'); CREATE TABLE ev_rest PARTITION OF ev DEFAULT;' "$SPT" "SELECT string_agg(note, ',') FROM ev" "-,-"
D1='CREATE DOMAIN code AS text CHECK (length(VALUE) < 10);'
rt "domain with a check, and a column of it" "$T1" "CREATE DOMAIN posint AS integer CHECK (VALUE > 0); CREATE TABLE t (id integer PRIMARY KEY, a text, n posint);" "$S1" "$C1" 2
rt "domain default, NOT NULL and checks change in place" "$D1 CREATE TABLE t (id integer PRIMARY KEY, c code);" "CREATE DOMAIN code AS text DEFAULT 'X' NOT NULL CONSTRAINT code_upper CHECK (VALUE = upper(VALUE)); CREATE TABLE t (id integer PRIMARY KEY, c code);" "INSERT INTO t VALUES (1, 'A'), (2, 'B');" "SELECT string_agg(c, ',' ORDER BY id) FROM t" "A,B"
rt "domain check calling a function" "$T1" 'CREATE FUNCTION is_even(x integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT x % 2 = 0 $$; CREATE DOMAIN even AS integer CHECK (is_even(VALUE)); CREATE TABLE t (id integer PRIMARY KEY, a text, e even);' "$S1" "$C1" 2
rt "domain in another schema over an enum" "$T1" "CREATE SCHEMA app; $E CREATE DOMAIN app.feeling AS mood NOT NULL DEFAULT 'ok'; CREATE TABLE t (id integer PRIMARY KEY, a text, f app.feeling);" "$S1" "SELECT count(f) FROM t" 2
rt "sequence owned by a column, not a serial" "$T1" "CREATE SEQUENCE t_n START 100; CREATE TABLE t (id integer PRIMARY KEY, a text, n bigint DEFAULT nextval('t_n')); ALTER SEQUENCE t_n OWNED BY t.n;" "$S1" "SELECT min(n) FROM t" 100
rt "sequence ownership moves to another column" "CREATE SEQUENCE t_n START 100; CREATE TABLE t (id integer PRIMARY KEY, a text, n bigint DEFAULT nextval('t_n'), m bigint); ALTER SEQUENCE t_n OWNED BY t.n;" "CREATE SEQUENCE t_n START 100; CREATE TABLE t (id integer PRIMARY KEY, a text, n bigint DEFAULT nextval('t_n'), m bigint); ALTER SEQUENCE t_n OWNED BY t.m;" "$S1" "SELECT min(n) FROM t" 100
rt "partition moves to another parent" "$PT CREATE TABLE ev2 (id bigint NOT NULL, at date NOT NULL, kind text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);" 'CREATE TABLE ev (id bigint NOT NULL, at date NOT NULL, kind text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at); CREATE TABLE ev2 (id bigint NOT NULL, at date NOT NULL, kind text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at); CREATE TABLE ev_2020 PARTITION OF ev2 FOR VALUES FROM ('"'2020-01-01'"') TO ('"'2021-01-01'"'); CREATE TABLE ev_rest PARTITION OF ev DEFAULT;' "$SPT" "SELECT count(*) FROM ev2" 1
TU='CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.a := upper(NEW.a); RETURN NEW; END $$;'
rt "one trigger name on two tables, one of them changes" "$TU CREATE TABLE t (id integer PRIMARY KEY, a text); CREATE TABLE u (id integer PRIMARY KEY, a text); CREATE TRIGGER touch BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch(); CREATE TRIGGER touch BEFORE INSERT ON u FOR EACH ROW EXECUTE FUNCTION touch();" "$TU CREATE TABLE t (id integer PRIMARY KEY, a text); CREATE TABLE u (id integer PRIMARY KEY, a text); CREATE TRIGGER touch BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch(); CREATE TRIGGER touch BEFORE INSERT OR UPDATE ON u FOR EACH ROW EXECUTE FUNCTION touch(); CREATE TABLE w (id integer PRIMARY KEY, a text); CREATE TRIGGER touch BEFORE INSERT ON w FOR EACH ROW EXECUTE FUNCTION touch();" "$S1 INSERT INTO u VALUES (1, 'x');" "SELECT a FROM u" X
rt "function result type and parameter name change" "$T1 $F1" 'CREATE TABLE t (id integer PRIMARY KEY, a text); CREATE FUNCTION twice(n integer) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT n::bigint * 2 $$;' "$S1" "SELECT twice(21)" 42

echo "# shard $STRATA_RT_SHARD of $STRATA_RT_SHARDS: $n round trips in all"
rt_drop_dbs
