# Autogenerate on MariaDB: diff, migrate, check against schema.sql through the shadow
# database (created and always dropped, or the configured shadow_database, emptied);
# ALGORITHM=INSTANT where MariaDB allows it; errors in schema.sql name the line; an
# exec: source sees STRATA_DIALECT=mysql.
# Runs only when tests/run.sh started a throwaway server (STRATA_MARIADB_URL set).
# Without a server: skipped, except in CI (CI set), where it is a failure.
[ -n "${STRATA_MARIADB_URL:-}" ] || { [ -z "${CI:-}" ] && exit 0; echo "not ok - no MariaDB server (STRATA_MARIADB_URL is unset)"; exit 1; }
. "$STRATA_TOP/tests/e2e/lib.sh"
my() { mariadb --no-defaults -S "$STRATA_MARIADB_SOCKET" -uroot -N -B "$@"; }
mq() { my "$1" -e "$2"; }
mydb() { my -e "DROP DATABASE IF EXISTS \`$1\`; CREATE DATABASE \`$1\`" && echo "mysql://root@localhost/$1?socket=$STRATA_MARIADB_SOCKET"; }
shadows() { my -e "SHOW DATABASES LIKE 'strata\\_shadow%'" | wc -l; }

db=myag_$$
url=$(mydb "$db")
project "$url"
printf 'schema = schema.sql\n' >>strata.ini
cat >schema.sql <<'SQL'
CREATE TABLE users (
  id INT AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(80) NOT NULL,
  bio TEXT,
  created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  UNIQUE KEY uq_name (name(40))
) COMMENT='people';
CREATE TABLE posts (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  user_id INT NOT NULL,
  CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
SQL
before=$(shadows)
run diff
expect_rc 0 "diff against an empty database"
expect_out 'CREATE TABLE `users`' "diff creates the tables"
expect_out 'ON UPDATE current_timestamp\(\)' "with ON UPDATE"
expect_out 'CREATE UNIQUE INDEX `uq_name` ON `users` \(`name`\(40\)\)' "a prefix index"
expect_out 'ADD CONSTRAINT `fk_user` FOREIGN KEY \(`user_id`\) REFERENCES `users` \(`id`\) ON DELETE CASCADE' "the foreign key, last"
expect_out "COMMENT='people'" "the table comment"
check "the shadow database was dropped" test "$(shadows)" = "$before"
run migrate -m init
expect_rc 0 "migrate writes the first revision"
run upgrade
expect_rc 0 "upgrade"
run check
expect_rc 0 "check passes after upgrade"
check "check names nothing as not compared where there is nothing of the kind" sh -c "! grep -q 'not compared' '$ERR'"
run diff
expect_err "No changes detected" "diff finds nothing"

# What autogenerate does not model is named by check, one note each, never passed over.
nc_url=$(mydb "${db}_nc")
mq "${db}_nc" "CREATE PROCEDURE nc_proc() SELECT 1;
CREATE FUNCTION nc_func(x INT) RETURNS INT DETERMINISTIC RETURN x + 1;
CREATE EVENT nc_event ON SCHEDULE EVERY 1 DAY DO SELECT 1;
CREATE SEQUENCE nc_seq;
CREATE TABLE nc_hist (id INT PRIMARY KEY) WITH SYSTEM VERSIONING;
CREATE TABLE nc_part (id INT PRIMARY KEY) PARTITION BY HASH (id) PARTITIONS 2;
CREATE TABLE nc_opts (id INT PRIMARY KEY, c INT COMMENT 'a column', d INT INVISIBLE,
  KEY ix_c (c) COMMENT 'an index') ROW_FORMAT=REDUNDANT;" 2>"$ERR" || nok "creating one object of each kind"
run -d "$nc_url" check
expect_rc 1 "check on a database with tables schema.sql lacks fails"
for what in "procedure nc_proc" "function nc_func" "event nc_event" "sequence nc_seq" \
  "system-versioned table nc_hist" "partitions of table nc_part" "options of table nc_opts (row_format=REDUNDANT)" \
  "comment on column nc_opts.c" "comment on index ix_c on nc_opts" "invisible column nc_opts.d"; do
  check "check names: $what" grep -qF "strata: note: not compared: $what" "$ERR"
done
check "and nothing else" test "$(grep -c 'not compared' "$ERR")" = 10
my -e "DROP DATABASE \`${db}_nc\`"

# ALGORITHM=INSTANT for a column added, a default changed; not with FULLTEXT.
sed -i 's/  bio TEXT,/  bio TEXT,\n  age INT DEFAULT 0,/' schema.sql
run diff
expect_out 'ALTER TABLE `users` ADD COLUMN `age` INT\(11\) NULL DEFAULT 0, ALGORITHM=INSTANT;' "ADD COLUMN asks for ALGORITHM=INSTANT"
run migrate -m age
check "its downgrade drops the column in place too" grep -q 'ALTER TABLE `users` DROP COLUMN `age`, ALGORITHM=INSTANT;' migrations/versions/*_age.sql
run upgrade
expect_rc 0 "the instant ADD COLUMN runs"
sed -i 's/age INT DEFAULT 0/age INT DEFAULT 18/' schema.sql
run diff
expect_out 'ALTER TABLE `users` ALTER COLUMN `age` SET DEFAULT 18, ALGORITHM=INSTANT;' "a new default alone changes in place"
sed -i 's/age INT DEFAULT 18/age BIGINT DEFAULT 18/' schema.sql
run diff
expect_out 'ALTER TABLE `users` MODIFY COLUMN `age` BIGINT\(20\) NULL DEFAULT 18;' "a new type goes through MODIFY COLUMN"
printf 'ALTER TABLE users ADD FULLTEXT KEY ft_bio (bio);\n' >>schema.sql
sed -i 's/  age BIGINT DEFAULT 18,/  age BIGINT DEFAULT 18,\n  extra INT,/' schema.sql
run diff
expect_out 'ADD COLUMN `extra` INT\(11\) NULL;' "no INSTANT on a table with a FULLTEXT index"

# Errors in schema.sql name the line; the shadow database still goes.
printf 'CREATE TABLE broken (id INT PRIMARY KEY,);\n' >>schema.sql
run diff
expect_rc 1 "a broken schema.sql fails"
expect_err "schema.sql:[0-9]+: You have an error in your SQL syntax" "the error names schema.sql and its line"
check "the shadow database was dropped after the error" test "$(shadows)" = "$before"
sed -i '/broken/d' schema.sql

# shadow_database = URL: used and emptied; a migrated database is refused as one.
sh_url=$(mydb "${db}_sh")
printf 'shadow_database = %s\n' "$sh_url" >>strata.ini
mq "${db}_sh" "CREATE TABLE leftover (id INT)"
run diff
expect_rc 0 "diff through the configured shadow database"
check "the configured shadow database is emptied after use" test -z "$(mq "${db}_sh" 'SHOW TABLES')"
check "no temporary shadow database was made" test "$(shadows)" = "$before"
mq "${db}_sh" "CREATE TABLE strata_version (version_num VARCHAR(32))"
run diff
expect_rc 1 "a shadow database with a strata_version table is refused"
expect_err "holds a strata_version table" "and says why"
check "and is not emptied" test "$(mq "${db}_sh" 'SHOW TABLES')" = strata_version
# The live database under another spelling of its URL: refused by the server's identity.
printf 'shadow_database = mariadb://root@localhost/%s?socket=%s\n' "$db" "$STRATA_MARIADB_SOCKET" >>strata.ini
sed -i "0,/^shadow_database/{/^shadow_database/d}" strata.ini
run diff
expect_rc 2 "the live database spelled another way is refused as the shadow database"
expect_err "shadow_database is the database itself \\($db " "naming it as the server does"
check "the live database keeps its tables" test -n "$(mq "$db" 'SHOW TABLES')"
sed -i '/^shadow_database/d' strata.ini
# Scratch databases of a killed strata: doctor lists them, --fix drops them.
my -e "CREATE DATABASE strata_shadow_999999_abcdef; CREATE DATABASE strata_verify_999999_x"
run doctor
expect_out "2 scratch database\\(s\\) left by a strata that was killed" "doctor lists the leftovers"
run doctor --fix --yes
expect_out "fixed: dropped 2 database\\(s\\)" "--fix drops them"
check "they are gone" test -z "$(my -e "SHOW DATABASES LIKE 'strata\\_%\\_999999\\_%'")"

# An exec: source renders for the mysql dialect.
printf '%s\n' 'echo "-- $STRATA_DIALECT" ; echo "CREATE TABLE users (id INT PRIMARY KEY);"' >gen.sh
printf '%s\n' 'echo "dialect=$STRATA_DIALECT" >&2; exit 3' >bad.sh
sed -i 's/^schema = .*/schema = exec:sh bad.sh/' strata.ini
run diff
expect_err "dialect=mysql" "an exec: source sees STRATA_DIALECT=mysql"

# reset: the history squashed into one revision built from the live database.
sed -i 's/^schema = .*/schema = schema.sql/' strata.ini
run reset --yes -m squashed
expect_rc 1 "reset refuses while the database differs from schema.sql"
expect_err "column users.extra is in schema.sql but not in the database" "and says what differs"
run migrate -m sync
run upgrade
expect_rc 0 "a MODIFY COLUMN, a column and a FULLTEXT index added"
run reset --yes -m squashed
expect_rc 0 "reset squashes the history"
check "reset backed the database up with mariadb-dump, named after it" env db="$db" sh -c "grep -q 'CREATE TABLE \`users\`' \${db}_backup_*.sql"
check "one revision is left" test "$(ls migrations/versions | wc -l)" = 1
check "it creates the live tables" grep -q 'CREATE TABLE `posts`' migrations/versions/*_squashed.sql
run current
expect_out "_?[0-9a-f]+ \(head\)" "the database is stamped at it"

# A django: schema source on MariaDB renders through Django's mysql backend, which needs
# mysqlclient (MySQLdb): without it strata says so, naming the package.
. "$STRATA_TOP/tests/fixtures/djangoproj/testlib.sh"
dj_project "$T/djmy"
cd "$T/djmy" || exit 1
printf '[strata]\ndatabase = %s\nscript_location = migrations\nschema = django:proj.settings\n' "$url" >strata.ini
mkdir -p migrations/versions
run diff
if /usr/bin/python3 -c 'import MySQLdb' 2>/dev/null; then
  expect_out "CREATE TABLE \`accounts_customer\`" "django: renders Django's tables for MariaDB"
else
  expect_rc 1 "django: on MariaDB without mysqlclient fails"
  expect_err "needs the mysqlclient package \(MySQLdb\)" "and names the package to install"
fi
cd "$T" || exit 1

my -e "DROP DATABASE $db; DROP DATABASE ${db}_sh"
