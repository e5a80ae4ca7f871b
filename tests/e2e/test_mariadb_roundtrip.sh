# Autogenerate round trips on MariaDB: for each (A, B) pair of schemas, build A through
# migrate + upgrade, insert rows, declare B, migrate, upgrade, and compare the result
# with a fresh database loaded from B by the mariadb client — through information_schema
# queries, not text — check that the rows are kept, `check` passes (a second migrate
# would find nothing); then downgrade -1 and compare with a fresh database loaded from A.
# schema.sql goes through strata's own shadow database (CREATE DATABASE … dropped after).
# Without a server: skipped, except in CI (CI set), where it is a failure.
[ -n "${STRATA_MARIADB_URL:-}" ] || { [ -z "${CI:-}" ] && exit 0; echo "not ok - no MariaDB server (STRATA_MARIADB_URL is unset)"; exit 1; }
. "$STRATA_TOP/tests/e2e/lib.sh"
# The pairs are dealt to processes of their own (see rt_shards in lib.sh).
rt_shards test_mariadb_roundtrip.sh
# my [ARGS…]: the mariadb client on the test server, tab-separated, no headers
my() { mariadb --no-defaults -S "$STRATA_MARIADB_SOCKET" -uroot -N -B "$@"; }
mq() { my "$1" -e "$2"; }
# wipe DB: the database dropped and made anew
wipe() { my -e "DROP DATABASE IF EXISTS \`$1\`; CREATE DATABASE \`$1\`"; }
# fp_sql DB: the query that prints DB's user schema as sorted lines, independent of
# column order and of the database's own name in view and trigger text
fp_sql() {
  printf '%s\n' "SET @db = '$1';
SELECT line FROM (
  SELECT CONCAT_WS(' ', 'tab', TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COLLATION, TABLE_COMMENT) AS line
    FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$1'
  UNION ALL SELECT CONCAT_WS(' ', 'col', TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE,
      IFNULL(COLUMN_DEFAULT, '-'), EXTRA, IFNULL(COLLATION_NAME, '-'), IFNULL(GENERATION_EXPRESSION, '-'))
    FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$1'
  UNION ALL SELECT CONCAT_WS(' ', 'idx', TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME,
      IFNULL(SUB_PART, '-'), IFNULL(COLLATION, '-'), INDEX_TYPE)
    FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = '$1'
  UNION ALL SELECT CONCAT_WS(' ', 'fk', r.TABLE_NAME, r.CONSTRAINT_NAME, r.REFERENCED_TABLE_NAME, r.UPDATE_RULE,
      r.DELETE_RULE, k.ORDINAL_POSITION, k.COLUMN_NAME, k.REFERENCED_COLUMN_NAME)
    FROM information_schema.REFERENTIAL_CONSTRAINTS r JOIN information_schema.KEY_COLUMN_USAGE k
      ON k.CONSTRAINT_SCHEMA = r.CONSTRAINT_SCHEMA AND k.TABLE_NAME = r.TABLE_NAME AND k.CONSTRAINT_NAME = r.CONSTRAINT_NAME
    WHERE r.CONSTRAINT_SCHEMA = '$1' AND k.TABLE_SCHEMA = '$1'
  UNION ALL SELECT CONCAT_WS(' ', 'chk', TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE)
    FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = '$1'
  UNION ALL SELECT CONCAT_WS(' ', 'view', TABLE_NAME, REPLACE(VIEW_DEFINITION, CONCAT('\`', @db, '\`.'), ''), CHECK_OPTION)
    FROM information_schema.VIEWS WHERE TABLE_SCHEMA = '$1'
  UNION ALL SELECT CONCAT_WS(' ', 'trg', TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_STATEMENT)
    FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = '$1'
) x WHERE line NOT LIKE '% strata\\_version %' AND line NOT LIKE '% strata\\_history %' ORDER BY line;"
}
# same_as DB SQL: SQL loaded by the client into a fresh database DB_ref, and DB's
# fingerprint compared with it, in one client run: 0 when they are equal (the
# difference in $OUT), 1 when they differ, 2 when the client failed
same_as() {
  { printf 'DROP DATABASE IF EXISTS `%s_ref`; CREATE DATABASE `%s_ref`; USE `%s_ref`;\n' "$1" "$1" "$1"
    printf '%s\nDELIMITER ;\n' "$2"; fp_sql "$1"; echo "SELECT '-- reference';"; fp_sql "$1_ref"
  } | my >fp.all 2>"$ERR" || return 2
  sed '/^-- reference$/,$d' fp.all >fp.got
  sed '1,/^-- reference$/d' fp.all >fp.want
  diff fp.want fp.got >"$OUT" || return 1
}

db=myrt_${$}_$STRATA_RT_SHARD
url="mysql://root@localhost/$db?socket=$STRATA_MARIADB_SOCKET"
n=0
# rt NAME A B SEED QUERY WANT [--rename SPEC]...: one round trip
rt() {
  name=$1 A=$2 B=$3 seed=$4 query=$5 want=$6
  shift 6
  n=$((n + 1))
  [ $((n % STRATA_RT_SHARDS)) -eq "$STRATA_RT_SHARD" ] || return 0
  dir="$T/case$n"
  mkdir -p "$dir" && cd "$dir" || return
  wipe "$db"
  project "$url"
  printf 'schema = schema.sql\n' >>strata.ini
  printf '%s\n' "$A" >schema.sql
  fail=""
  st migrate -m a >"$OUT" 2>"$ERR" || fail="migrate A"
  [ -z "$fail" ] && { st upgrade >"$OUT" 2>"$ERR" || fail="upgrade A"; }
  [ -z "$fail" ] && [ -n "$seed" ] && { mq "$db" "$seed" >"$OUT" 2>"$ERR" || fail="seed"; }
  printf '%s\n' "$B" >schema.sql
  [ -z "$fail" ] && { st migrate -m b "$@" >"$OUT" 2>"$ERR" || fail="migrate B"; }
  [ -z "$fail" ] && { st upgrade >"$OUT" 2>"$ERR" || { fail="upgrade B"; cat migrations/versions/*_b.sql >>"$OUT"; }; }
  if [ -z "$fail" ]; then
    same_as "$db" "$B"
    case $? in 1) fail="catalog after upgrade differs from B" ;; 2) fail="loading B with the mariadb client" ;; esac
  fi
  if [ -z "$fail" ] && [ -n "$query" ]; then
    got=$(mq "$db" "$query" 2>"$ERR")
    [ "$got" = "$want" ] || { fail="rows: got '$got', wanted '$want'"; }
  fi
  # check passing is the second migrate finding nothing: both compare the database with
  # schema.sql through the same diff, and check fails on any operation it would write.
  [ -z "$fail" ] && { st check >"$OUT" 2>"$ERR" || fail="check after upgrade"; }
  [ -z "$fail" ] && { st downgrade -1 >"$OUT" 2>"$ERR" || { fail="downgrade"; cat migrations/versions/*_b.sql >>"$OUT"; }; }
  if [ -z "$fail" ]; then
    same_as "$db" "$A"
    case $? in 1) fail="catalog after downgrade differs from A" ;; 2) fail="loading A with the mariadb client" ;; esac
  fi
  if [ -z "$fail" ]; then ok "$n $name"; else echo "# $fail"; nok "$n $name"; fi
  cd "$T" || return
}

T1='CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(50));'
S1="INSERT INTO t (id, a) VALUES (1, 'x'), (2, 'y');"
C1='SELECT COUNT(*) FROM t'

rt "add a nullable column" "$T1" 'CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(50), b INT);' "$S1" "$C1" 2
rt "add a NOT NULL column with a default" "$T1" "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(50), b INT NOT NULL DEFAULT 7);" "$S1" "SELECT SUM(b) FROM t" 14
rt "drop a column" 'CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(50), b INT);' "$T1" "$S1" "$C1" 2
rt "INT to BIGINT" 'CREATE TABLE t (id INT PRIMARY KEY, n INT);' 'CREATE TABLE t (id INT PRIMARY KEY, n BIGINT);' "INSERT INTO t VALUES (1, 5);" "SELECT n FROM t" 5
rt "VARCHAR widened" 'CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(20));' 'CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(100));' "$S1" "$C1" 2
rt "VARCHAR to INT" 'CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(10));' 'CREATE TABLE t (id INT PRIMARY KEY, a INT);' "INSERT INTO t VALUES (1, '41'), (2, '1');" "SELECT SUM(a) FROM t" 42
rt "UNSIGNED and DECIMAL" "$T1" 'CREATE TABLE t (id INT UNSIGNED PRIMARY KEY, a VARCHAR(50), price DECIMAL(10,2) NOT NULL DEFAULT 0.00);' "$S1" "SELECT SUM(price) FROM t" 0.00
rt "set NOT NULL" "$T1" 'CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(50) NOT NULL);' "$S1" "$C1" 2
rt "drop NOT NULL" 'CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(50) NOT NULL);' "$T1" "$S1" "$C1" 2
rt "add a default (instant)" "$T1" "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(50) DEFAULT 'z');" "$S1" "$C1" 2
rt "change a default" "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(50) DEFAULT 'z');" "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(50) DEFAULT 'it''s');" "$S1" "$C1" 2
rt "expression default" "$T1" "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(50) DEFAULT (CONCAT('a', 'b')));" "$S1" "$C1" 2
rt "CURRENT_TIMESTAMP ON UPDATE added" "$T1" 'CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(50), changed TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP);' "$S1" "SELECT COUNT(changed) FROM t" 2
rt "ON UPDATE dropped, DATETIME(6)" 'CREATE TABLE t (id INT PRIMARY KEY, changed DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6));' 'CREATE TABLE t (id INT PRIMARY KEY, changed DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6));' "INSERT INTO t (id) VALUES (1);" "SELECT COUNT(changed) FROM t" 1
rt "AUTO_INCREMENT added" "$T1" 'CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, a VARCHAR(50));' "$S1" "$C1" 2
rt "AUTO_INCREMENT dropped" 'CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, a VARCHAR(50));' "$T1" "$S1" "$C1" 2
rt "ENUM column added" "$T1" "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(50), m ENUM('ok','sad') NOT NULL DEFAULT 'ok');" "$S1" "SELECT GROUP_CONCAT(m) FROM t" "ok,ok"
rt "ENUM gains a value" "CREATE TABLE t (id INT PRIMARY KEY, m ENUM('ok','sad'));" "CREATE TABLE t (id INT PRIMARY KEY, m ENUM('ok','meh','sad'));" "INSERT INTO t VALUES (1, 'ok'), (2, 'sad');" "SELECT GROUP_CONCAT(m ORDER BY id) FROM t" "ok,sad"
rt "SET column" "$T1" "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(50), flags SET('a','b','c') DEFAULT 'a,b');" "$S1" "SELECT COUNT(flags) FROM t" 2
rt "column collation and charset" "$T1" 'CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(50) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin);' "$S1" "$C1" 2
rt "column collation dropped" 'CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(50) COLLATE utf8mb4_unicode_ci);' "$T1" "$S1" "$C1" 2
rt "virtual generated column" "$T1" "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(50), up VARCHAR(50) AS (UPPER(a)) VIRTUAL);" "$S1" "SELECT GROUP_CONCAT(up ORDER BY id) FROM t" "X,Y"
rt "stored generated column" "$T1" "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(50), d INT AS (id * 2) STORED);" "$S1" "SELECT SUM(d) FROM t" 6
rt "generated expression changes" "CREATE TABLE t (id INT PRIMARY KEY, d INT AS (id * 2) VIRTUAL);" "CREATE TABLE t (id INT PRIMARY KEY, d INT AS (id * 3) VIRTUAL);" "INSERT INTO t (id) VALUES (1);" "SELECT d FROM t" 3
rt "add a CHECK" "$T1" 'CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(50), CONSTRAINT short CHECK (CHAR_LENGTH(a) < 10));' "$S1" "$C1" 2
rt "drop a column CHECK" 'CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(50) CHECK (a <> '"''"'));' "$T1" "$S1" "$C1" 2
rt "CHECK expression changes" 'CREATE TABLE t (id INT PRIMARY KEY, n INT, CONSTRAINT pos CHECK (n > 0));' 'CREATE TABLE t (id INT PRIMARY KEY, n INT, CONSTRAINT pos CHECK (n >= 0));' "INSERT INTO t VALUES (1, 5);" "SELECT n FROM t" 5
rt "add UNIQUE" "$T1" 'CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(50) UNIQUE);' "$S1" "$C1" 2
rt "drop a two-column UNIQUE" 'CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(50), b VARCHAR(50), UNIQUE KEY ab (a, b));' 'CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(50), b VARCHAR(50));' "$S1" "$C1" 2
P='CREATE TABLE p (id INT PRIMARY KEY);'
SP="INSERT INTO p VALUES (1), (2); INSERT INTO c VALUES (1, 1), (2, 2);"
rt "add a foreign key" "$P CREATE TABLE c (id INT PRIMARY KEY, p_id INT);" "$P CREATE TABLE c (id INT PRIMARY KEY, p_id INT, CONSTRAINT c_p FOREIGN KEY (p_id) REFERENCES p (id));" "$SP" "SELECT COUNT(*) FROM c" 2
rt "drop a foreign key" "$P CREATE TABLE c (id INT PRIMARY KEY, p_id INT, CONSTRAINT c_p FOREIGN KEY (p_id) REFERENCES p (id));" "$P CREATE TABLE c (id INT PRIMARY KEY, p_id INT, KEY c_p (p_id));" "$SP" "SELECT COUNT(*) FROM c" 2
# InnoDB names a foreign key's own index after the column; loaded from B, it has the new
# column's name: the index is renamed with the column (DROP INDEX fails, error 1553).
rt "rename a column under a foreign key" "$P CREATE TABLE c (id INT PRIMARY KEY, p_id INT, FOREIGN KEY (p_id) REFERENCES p (id));" "$P CREATE TABLE c (id INT PRIMARY KEY, parent INT, FOREIGN KEY (parent) REFERENCES p (id));" "$SP" "SELECT GROUP_CONCAT(parent ORDER BY id) FROM c" "1,2" --rename c.p_id:parent
rt "foreign key actions change" "$P CREATE TABLE c (id INT PRIMARY KEY, p_id INT, CONSTRAINT c_p FOREIGN KEY (p_id) REFERENCES p (id));" "$P CREATE TABLE c (id INT PRIMARY KEY, p_id INT, CONSTRAINT c_p FOREIGN KEY (p_id) REFERENCES p (id) ON DELETE CASCADE ON UPDATE SET NULL);" "$SP" "SELECT COUNT(*) FROM c" 2
rt "drop parent and child together" "$P CREATE TABLE c (id INT PRIMARY KEY, p_id INT, CONSTRAINT c_p FOREIGN KEY (p_id) REFERENCES p (id)); $T1" "$T1" "$SP $S1" "$C1" 2
rt "foreign-key cycle between new tables" "$T1" "$T1 CREATE TABLE x (id INT PRIMARY KEY, y_id INT); CREATE TABLE y (id INT PRIMARY KEY, x_id INT, CONSTRAINT y_x FOREIGN KEY (x_id) REFERENCES x (id)); ALTER TABLE x ADD CONSTRAINT x_y FOREIGN KEY (y_id) REFERENCES y (id);" "$S1" "$C1" 2
rt "add an index" "$T1" "$T1 CREATE INDEX t_a_idx ON t (a);" "$S1" "$C1" 2
rt "drop an index" "$T1 CREATE INDEX t_a_idx ON t (a);" "$T1" "$S1" "$C1" 2
rt "prefix index and DESC" "$T1" "$T1 CREATE INDEX t_pre ON t (a(10) DESC, id);" "$S1" "$C1" 2
rt "index columns change" "$T1 CREATE INDEX t_ix ON t (a);" "$T1 CREATE INDEX t_ix ON t (a, id);" "$S1" "$C1" 2
rt "FULLTEXT index" 'CREATE TABLE t (id INT PRIMARY KEY, body TEXT);' 'CREATE TABLE t (id INT PRIMARY KEY, body TEXT, FULLTEXT KEY ft_body (body));' "INSERT INTO t VALUES (1, 'hello world');" "SELECT COUNT(*) FROM t" 1
rt "column added to a table with a FULLTEXT index (no INSTANT)" 'CREATE TABLE t (id INT PRIMARY KEY, body TEXT, FULLTEXT KEY ft_body (body));' 'CREATE TABLE t (id INT PRIMARY KEY, body TEXT, n INT DEFAULT 1, FULLTEXT KEY ft_body (body));' "INSERT INTO t VALUES (1, 'hello world');" "SELECT n FROM t" 1
rt "add a table" "$T1" "$T1 CREATE TABLE u (id BIGINT PRIMARY KEY, t_id INT, CONSTRAINT u_t FOREIGN KEY (t_id) REFERENCES t (id));" "$S1" "$C1" 2
rt "drop a table" "$T1 CREATE TABLE u (id INT PRIMARY KEY);" "$T1" "$S1" "$C1" 2
rt "rename a column" "$T1" 'CREATE TABLE t (id INT PRIMARY KEY, b VARCHAR(50));' "$S1" "SELECT GROUP_CONCAT(b ORDER BY id) FROM t" "x,y" --rename t.a:b
rt "rename a table" "$T1" 'CREATE TABLE t2 (id INT PRIMARY KEY, a VARCHAR(50));' "$S1" "SELECT COUNT(*) FROM t2" 2 --rename t:t2
rt "add a view" "$T1" "$T1 CREATE VIEW v AS SELECT id, a FROM t WHERE id > 0;" "$S1" "$C1" 2
rt "change a view" "$T1 CREATE VIEW v AS SELECT id FROM t;" "$T1 CREATE VIEW v AS SELECT id, UPPER(a) AS a FROM t;" "$S1" "$C1" 2
rt "views re-created around a column type change" "$T1 CREATE VIEW v AS SELECT id, a FROM t; CREATE VIEW w AS SELECT a FROM v;" "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(80)); CREATE VIEW v AS SELECT id, a FROM t; CREATE VIEW w AS SELECT a FROM v;" "$S1" "SELECT COUNT(*) FROM w" 2
TR='DELIMITER //
CREATE TRIGGER t_fill BEFORE INSERT ON t FOR EACH ROW BEGIN IF NEW.a IS NULL THEN SET NEW.a = '"'auto'"'; END IF; END//
DELIMITER ;'
rt "add a trigger with a body" "$T1" "$T1
$TR" "$S1" "INSERT INTO t (id) VALUES (3); SELECT a FROM t WHERE id = 3" auto
rt "change a trigger" "$T1 CREATE TRIGGER t_up BEFORE INSERT ON t FOR EACH ROW SET NEW.a = UPPER(NEW.a);" "$T1 CREATE TRIGGER t_up BEFORE INSERT ON t FOR EACH ROW SET NEW.a = LOWER(NEW.a);" "$S1" "$C1" 2
rt "table comment and engine" "$T1" "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(50)) ENGINE=Aria COMMENT='things';" "$S1" "$C1" 2
rt "table collation changes" "$T1" "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(50)) COLLATE=utf8mb4_unicode_ci;" "$S1" "$C1" 2
rt "primary key changes columns" 'CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(50) NOT NULL);' 'CREATE TABLE t (id INT NOT NULL, a VARCHAR(50) NOT NULL, PRIMARY KEY (id, a));' "$S1" "$C1" 2
rt "a primary-key column dropped" 'CREATE TABLE t (id INT, k INT, PRIMARY KEY (id, k));' 'CREATE TABLE t (id INT PRIMARY KEY);' "" "SELECT COUNT(*) FROM t" 0
rt "quoted odd names" "$T1" 'CREATE TABLE `Odd Name` (`Id` INT PRIMARY KEY, `a``b` VARCHAR(20)); CREATE INDEX `Odd Idx` ON `Odd Name` (`a``b`);'" $T1" "$S1" "$C1" 2
rt "JSON column" "$T1" "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(50), doc JSON);" "$S1" "$C1" 2

echo "# shard $STRATA_RT_SHARD of $STRATA_RT_SHARDS: $n round trips in all"
cd "$T" && my -e "DROP DATABASE IF EXISTS \`$db\`; DROP DATABASE IF EXISTS \`${db}_ref\`"
