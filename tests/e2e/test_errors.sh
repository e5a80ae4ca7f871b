# Error paths: every phrase of the SPEC, malformed files, failing statements,
# locks, configuration and usage errors. A failure changes nothing.
. "$STRATA_TOP/tests/e2e/lib.sh"
project
f1=$(mkrev a00000000001 "" "one" "CREATE TABLE one (id INTEGER PRIMARY KEY, v TEXT);" "DROP TABLE one;")
run upgrade
expect_rc 0 "setup"

# A failing statement rolls its revision back and names revision, file and line.
f2=$(mkrev a00000000002 a00000000001 "two" "CREATE TABLE two (id INTEGER);
INSERT INTO one (v) VALUES ('kept?');

INSERT INTO nosuch VALUES (1);" "DROP TABLE two;")
run upgrade
expect_rc 1 "a failing statement fails the upgrade"
expect_err "upgrade of a00000000002 failed at $f2:9: no such table: nosuch" "names revision, file:line and the database's message"
expect_err "statement: INSERT INTO nosuch" "shows the statement"
check "the revision's earlier statements were rolled back" test -z "$(sq db.sqlite "select name from sqlite_master where name='two'")"
check "no row from the failed revision" test "$(sq db.sqlite 'select count(*) from one')" = 0
check "the database stays at the previous revision" test "$(sq db.sqlite 'select version_num from strata_version')" = a00000000001
check "the failure is recorded in strata_history" test "$(sq db.sqlite "select count(*) from strata_history where revision='a00000000002' and success=0")" = 1
rm "$f2"

# --single-transaction: all or nothing
mkrev a00000000002 a00000000001 "two" "CREATE TABLE two (id INTEGER);" "DROP TABLE two;" >/dev/null
f3=$(mkrev a00000000003 a00000000002 "three" "CREATE TABLE three (id INTEGER); SELECT * FROM nosuch;" "DROP TABLE three;")
run upgrade --single-transaction
expect_rc 1 "--single-transaction failure"
check "--single-transaction rolls back every revision of the run" test -z "$(sq db.sqlite "select name from sqlite_master where name='two'")"
check "still at the previous revision" test "$(sq db.sqlite 'select version_num from strata_version')" = a00000000001
rm "$f3"
mkrev a00000000003 a00000000002 "vacuum" "VACUUM;" "SELECT 1;" "-- strata:transaction off" >/dev/null
run upgrade --single-transaction
expect_rc 1 "--single-transaction refuses a transaction-off revision"
expect_err "transaction off" "the refusal names the header"
run upgrade
expect_rc 0 "a transaction-off revision (VACUUM) runs outside a transaction"
check "it was recorded" test "$(sq db.sqlite 'select version_num from strata_version')" = a00000000003

# The database at a revision no file defines.
sq db.sqlite "update strata_version set version_num='deadbeef0000'"
run upgrade
expect_rc 1 "upgrade from an unknown revision"
expect_err "Can't locate revision identified by 'deadbeef0000'" "the Alembic phrase"
expect_err "strata stamp" "suggests stamp"
run current
expect_rc 1 "current reports the unknown revision"
expect_err "Can't locate revision identified by 'deadbeef0000'" "current names it"
# A unique prefix of a revision's id, recorded in the database, is no revision of its
# (a target may be a prefix; a recorded version is an id).
fc=$(mkrev c0ffee000001 a00000000003 "later" "SELECT 1;" "SELECT 1;")
sq db.sqlite "update strata_version set version_num='c0ffee'"
run current
expect_rc 1 "current: a unique prefix of an id recorded in the database"
expect_err "Can't locate revision identified by 'c0ffee'" "is not taken for the revision it starts"
rm "$fc"
sq db.sqlite "update strata_version set version_num='deadbeef0000'"
run stamp a00000000003
expect_rc 0 "stamp repairs the version table"
expect_err "deadbeef0000" "stamp says it dropped the unknown id"
run current
expect_out "^a00000000003 \(head\)$" "stamped"

# Tables without a version table.
sqlite3 legacy.db "CREATE TABLE one (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO one (v) VALUES ('x');"
run -d sqlite:legacy.db upgrade
expect_rc 1 "upgrade over unversioned tables"
expect_err "already exists" "the phrase"
expect_err "strata stamp" "suggests stamp"
check "nothing was created" test -z "$(sq legacy.db "select name from sqlite_master where name like 'strata%'")"
run -d sqlite:legacy.db stamp a00000000001
expect_rc 0 "stamp adopts the database"
run -d sqlite:legacy.db upgrade
expect_rc 0 "then upgrade works"
check "the data survived" test "$(sq legacy.db 'select v from one')" = x

# A lock held by another process.
printf '[strata]\ndatabase = sqlite:db.sqlite\nscript_location = migrations\nlock_timeout = 300ms\n' >strata.ini
mkrev a00000000004 a00000000003 "four" "CREATE TABLE four (id INTEGER);" "DROP TABLE four;" >/dev/null
( printf 'BEGIN IMMEDIATE;\nINSERT INTO one (v) VALUES (1);\n.shell sleep 3\nCOMMIT;\n' | sqlite3 db.sqlite ) &
sleep 0.5
run upgrade
expect_rc 1 "upgrade while another process holds the lock"
expect_err "database is locked" "the phrase"
wait
check "still at the previous revision after the lock" test "$(sq db.sqlite 'select version_num from strata_version')" = a00000000003
run upgrade
expect_rc 0 "upgrade once the lock is gone"

# Edited history and CRLF.
sed -i 's/$/\r/' "$f1"
run upgrade
check "CRLF line endings do not look like an edit" sh -c "! grep -q 'edited' $ERR"
sed -i 's/v TEXT/v TEXT, w TEXT/' "$f1"
run upgrade
expect_err "revision a00000000001 was edited after it was applied" "upgrade warns about an edited revision"

# Malformed revision files, reported by every command that reads them.
mkdir bad && cd bad && project
mkrev b00000000001 "" "ok" "SELECT 1;" "SELECT 1;" >/dev/null
printf -- '-- strata:revision b00000000002\n-- strata:revises b00000000001\n-- strata:colour blue\n-- strata:upgrade\nSELECT 1;\n' >migrations/versions/b2.sql
for c in history heads upgrade current; do
  run "$c"
  expect_rc 1 "$c: unknown header fails"
  expect_err "migrations/versions/b2.sql:3: unknown header '-- strata:colour'" "$c names file and line"
done
printf -- '-- strata:revises b00000000001\n-- strata:upgrade\nSELECT 1;\n' >migrations/versions/b2.sql
run history; expect_err "b2.sql:1: missing '-- strata:revision' header" "missing revision header"
printf -- '-- strata:revision b00000000002\n-- strata:revises nothere0000\n-- strata:upgrade\nSELECT 1;\n' >migrations/versions/b2.sql
run history; expect_err "b2.sql:2: Can't locate revision identified by 'nothere0000'" "unknown parent names file:line"
printf -- '-- strata:revision b00000000001\n-- strata:upgrade\nSELECT 1;\n' >migrations/versions/b2.sql
run history; expect_err "duplicate revision id b00000000001" "duplicate ids"
printf -- '-- strata:revision b00000000002\n-- strata:revises b00000000002\n-- strata:upgrade\nSELECT 1;\n' >migrations/versions/b2.sql
run history; expect_err "revises itself" "self-parent"
printf -- '-- strata:revision b00000000002\n-- strata:revises b00000000003\n-- strata:upgrade\nSELECT 1;\n' >migrations/versions/b2.sql
printf -- '-- strata:revision b00000000003\n-- strata:revises b00000000002\n-- strata:upgrade\nSELECT 1;\n' >migrations/versions/b3.sql
run history; expect_rc 1 "a cycle fails"; expect_err "revision cycle: b0000000000[23] -> b0000000000[23] -> b0000000000[23]" "the cycle is spelled out"
rm migrations/versions/b3.sql
printf -- '-- strata:revision ../../etc/passwd\n-- strata:upgrade\nSELECT 1;\n' >migrations/versions/b2.sql
run history; expect_err "b2.sql:1: invalid revision id" "path-like ids"
printf -- '-- strata:revision b00000000002\nCREATE TABLE x (id INT);\n-- strata:upgrade\n' >migrations/versions/b2.sql
run history; expect_err "b2.sql:2: SQL before the '-- strata:upgrade' section" "SQL before the section"
printf '\000\001\002binary' >migrations/versions/b2.sql
run history; expect_err "not a text file" "binary garbage"
: >migrations/versions/b2.sql
run history; expect_rc 1 "an empty file fails"; expect_err "b2.sql" "the empty file is named"
printf -- "-- strata:revision b00000000002\n-- strata:revises b00000000001\n-- strata:upgrade\nINSERT INTO t VALUES ('unterminated);\n" >migrations/versions/b2.sql
run history; expect_rc 0 "an unterminated string only matters when it runs"
run upgrade; expect_rc 1 "upgrade with an unterminated string"; expect_err "b2.sql:4: unterminated" "unterminated string names the line"
check "the database stays at the revision before" test "$(sq db.sqlite "select version_num from strata_version")" = b00000000001
cd ..

# Configuration and usage errors.
printf '[strata]\ndatabase = sqlite:x.db\nbogus = 1\n' >bad.ini
run -c bad.ini current; expect_rc 1 "an unknown config key"; expect_err "bad.ini:3: unknown or invalid setting 'bogus' \(its value is not shown" "names file and line"
run -c missing.ini current; expect_rc 1 "a missing config file"; expect_err "missing.ini not found" "names the file"
run -d "oracle://root:hunter2@db/app" current; expect_rc 2 "an unknown URL scheme is a usage error"
expect_err "oracle://root:\*\*\*@db/app" "the password is masked"
check "the password never appears" sh -c "! grep -q hunter2 $ERR $OUT"
run frobnicate; expect_rc 2 "unknown command"
run upgrade --frob; expect_rc 2 "unknown option"
run revision; expect_rc 2 "revision without -m"
run show; expect_rc 2 "show without REV"
run -d; expect_rc 2 "-d without a value"

# A large history is read on several threads: the error is still the first bad file in
# name order, and a good history of the same size loads whole.
mkdir big && cd big
mkdir -p migrations/versions
printf '[strata]\ndatabase = sqlite:db.sqlite\nscript_location = migrations\n' >strata.ini
awk 'BEGIN { prev = ""; for (i = 1; i <= 1500; i++) { id = sprintf("b%011d", i);
  f = sprintf("migrations/versions/%s_r.sql", id);
  printf "-- strata:revision %s\n-- strata:revises %s\n-- strata:message r%d\n\n-- strata:upgrade\nSELECT 1;\n\n-- strata:downgrade\nSELECT 1;\n", id, prev, i > f;
  close(f); prev = id } }'
run history
expect_rc 0 "1500 revisions load"
check "all 1500 are listed" test "$(grep -c ', r[0-9]*$' "$OUT")" = 1500
printf 'garbage\n' >migrations/versions/b00000001400_r.sql
printf 'garbage\n' >migrations/versions/b00000000700_r.sql
run heads
expect_rc 1 "a broken file among 1500 fails"
expect_err "b00000000700_r.sql" "naming the first broken file in name order"
cd ..
