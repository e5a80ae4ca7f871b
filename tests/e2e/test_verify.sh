# verify: pending revisions rehearsed (upgrade, downgrade, upgrade) on a scratch copy;
# the live database is never changed and the copy never left behind.
. "$STRATA_TOP/tests/e2e/lib.sh"
TMPDIR="$T/tmp"
export TMPDIR
mkdir -p "$TMPDIR"
sum() { sha256sum "$1" | cut -d' ' -f1; }
# untouched NAME: the live file has the checksum taken before, and no copy is left
untouched() {
  check "$1: live database unchanged" test "$(sum db.sqlite)" = "$before"
  check "$1: no temporary files left" test -z "$(ls -A "$TMPDIR")"
}
# fresh DIR: a new project in DIR with two users at revision r1
fresh() {
  mkdir "$T/$1" && cd "$T/$1" || exit 1
  project
  mkrev r1 "" "create users" "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);" "DROP TABLE users;" >/dev/null
  st upgrade >/dev/null 2>&1
  sq db.sqlite "INSERT INTO users (email) VALUES ('a@x'), ('b@x');"
}

# Reversible revisions, and schema.sql that matches the result.
fresh ok
mkrev r2 r1 "add name" "ALTER TABLE users ADD COLUMN name TEXT;" "ALTER TABLE users DROP COLUMN name;" >/dev/null
mkrev r3 r2 "add posts" "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id), body TEXT);
CREATE INDEX ix_posts_user ON posts (user_id);" "DROP INDEX ix_posts_user;
DROP TABLE posts;" >/dev/null
cat >schema.sql <<'EOF'
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT);
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id), body TEXT);
CREATE INDEX ix_posts_user ON posts (user_id);
EOF
before=$(sum db.sqlite)
run verify
expect_rc 0 "reversible revisions verify"
expect_out "^ok +r2 add name" "r2 ok"
expect_out "^ok +r3 add posts" "r3 ok"
expect_out "^schema.sql: the result matches the declared schema" "compared with schema.sql"
expect_out "^verify: OK, 2 of 2 revisions hold" "summary line"
expect_out "rows of posts: \(new table\) -> 0" "a new table's rows are reported"
untouched "reversible"
check "the live database is still at r1" test "$(sq db.sqlite 'SELECT version_num FROM strata_version')" = r1
check "nothing recorded in the live history" test "$(sq db.sqlite 'SELECT count(*) FROM strata_history')" = 1
run verify r2
expect_rc 0 "verify up to a target"
expect_no_out "r3" "stops at the target"
expect_out "not compared: the target is not every head" "schema.sql is not compared short of the heads"
run -v verify
expect_out "rows of users: 2 -> 2" "-v shows every table's rows"
# The result differs from schema.sql.
echo "CREATE TABLE extra (id INTEGER);" >>schema.sql
run verify
expect_rc 1 "a result that differs from schema.sql fails"
expect_out "^schema.sql: the result differs from the declared schema:" "says it differs"
expect_out "extra" "names the difference"
untouched "schema differs"
run upgrade
run verify
expect_rc 1 "nothing pending, schema.sql still differs"
expect_out "^Rehearsing 0 revisions" "nothing pending"

# A downgrade that leaves a column behind.
fresh wrong
mkrev r2 r1 "add nick" "ALTER TABLE users ADD COLUMN nick TEXT;" "SELECT 1;" >/dev/null
mkrev r3 r2 "later" "CREATE TABLE later (id INTEGER);" "DROP TABLE later;" >/dev/null
before=$(sum db.sqlite)
run verify
expect_rc 1 "a downgrade that does not restore fails"
expect_out "^not restored +r2 add nick: downgrade does not restore the schema \(migrations/versions/r2_add_nick.sql\)" "says the downgrade does not restore"
expect_out "^    \+ column users.nick$" "names the column left behind"
expect_out "^skipped +r3" "the rehearsal stops"
untouched "wrong downgrade"
# The same when the upgrade can run again: the downgrade drops the wrong thing.
fresh wrong2
mkrev r2 r1 "add two" "ALTER TABLE users ADD COLUMN a TEXT;
ALTER TABLE users ADD COLUMN b TEXT;" "ALTER TABLE users DROP COLUMN a;" >/dev/null
mkrev r3 r2 "later" "CREATE TABLE later (id INTEGER);" "DROP TABLE later;" >/dev/null
before=$(sum db.sqlite)
run verify
expect_rc 1 "partial downgrade fails"
expect_out "^    \+ column users.b$" "names column b"
untouched "partial downgrade"

# An empty downgrade (irreversible): reported, and the rehearsal goes on.
fresh irrev
mkrev r2 r1 "backfill" "UPDATE users SET email = lower(email);" "-- nothing to undo" >/dev/null
mkrev r3 r2 "add name" "ALTER TABLE users ADD COLUMN name TEXT;" "ALTER TABLE users DROP COLUMN name;" >/dev/null
before=$(sum db.sqlite)
run verify
expect_rc 1 "an empty downgrade fails verify"
expect_out "^irreversible +r2 backfill: downgrade is empty" "says the downgrade is empty"
expect_out "^ok +r3 add name" "later revisions are still rehearsed"
untouched "irreversible"

# A revision that fails midway: file and line, the rest skipped.
fresh failing
mkrev r2 r1 "good" "CREATE TABLE good (id INTEGER);" "DROP TABLE good;" >/dev/null
mkrev r3 r2 "bad" "CREATE TABLE t3 (id INTEGER);
INSERT INTO no_such_table VALUES (1);" "DROP TABLE t3;" >/dev/null
mkrev r4 r3 "after" "CREATE TABLE t4 (id INTEGER);" "DROP TABLE t4;" >/dev/null
before=$(sum db.sqlite)
run verify
expect_rc 1 "a failing revision fails verify"
expect_out "^ok +r2 good" "the revision before it is ok"
expect_out "^failed +r3 bad: upgrade failed" "the failing step is named"
expect_out "migrations/versions/r3_bad.sql:7: no such table: no_such_table" "file and line of the statement"
expect_out "^skipped +r4 after" "later revisions are skipped"
expect_out "^schema.sql: not compared: the rehearsal stopped" "no schema comparison after a failure"
untouched "failing revision"
# A failing downgrade: reported, and the rehearsal goes on from the upgraded copy.
fresh faildown
mkrev r2 r1 "add t" "CREATE TABLE t (id INTEGER);" "DROP TABLE not_t;" >/dev/null
mkrev r3 r2 "after" "CREATE TABLE t4 (id INTEGER);" "DROP TABLE t4;" >/dev/null
before=$(sum db.sqlite)
run verify
expect_rc 1 "a failing downgrade fails verify"
expect_out "^failed +r2 add t: downgrade failed" "the downgrade is named"
expect_out "r2_add_t.sql:[0-9]+: no such table: not_t" "with file and line"
expect_out "^ok +r3 after" "the next revision is still rehearsed"
untouched "failing downgrade"

# A revision that deletes rows: visible in the row counts.
fresh deleting
mkrev r2 r1 "purge" "DELETE FROM users WHERE email = 'a@x';" "SELECT 1;" >/dev/null
mkrev r3 r2 "drop" "DROP TABLE users;" "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);" >/dev/null
before=$(sum db.sqlite)
run verify
expect_rc 0 "deleting rows is reported, not refused"
expect_out "^    ! rows of users: 2 -> 1 \(1 deleted\)$" "deleted rows are marked"
expect_out "^    ! rows of users: 1 -> \(table dropped\)$" "a dropped table's rows are marked"
untouched "deleting"
check "the live rows are all there" test "$(sq db.sqlite 'SELECT count(*) FROM users')" = 2
run verify --format json
expect_rc 0 "verify --format json"
check "JSON: statuses and rows" test "$(python3 -c "
import json; d = json.load(open('$OUT'))
r = d['revisions']
print(d['ok'], [e['status'] for e in r], r[0]['rows'], r[1]['rows'][0]['after'])")" = "True ['ok', 'ok'] [{'table': 'users', 'before': 2, 'after': 1}] None"
untouched "json"

# Two branches from one revision: each reverted alone.
fresh branches
mkrev b1 r1 "branch one" "CREATE TABLE one (id INTEGER);" "DROP TABLE one;" >/dev/null
mkrev b2 r1 "branch two" "CREATE TABLE two (id INTEGER);" "DROP TABLE two;" >/dev/null
before=$(sum db.sqlite)
run verify
expect_rc 0 "two heads verify"
expect_out "^ok +b1" "first branch ok"
expect_out "^ok +b2" "second branch ok"
untouched "branches"

# JSON of a failure, and usage errors.
cd "$T/failing" || exit 1
before=$(sum db.sqlite)
run verify --format json
expect_rc 1 "JSON verify of a failing revision exits 1"
check "JSON: failed entry with step and error" test "$(python3 -c "
import json; d = json.load(open('$OUT'))
r = d['revisions']
print(d['ok'], [e['status'] for e in r], r[1]['step'], 'r3_bad.sql:7' in r[1]['error'], d['declared_schema']['checked'])")" = "False ['ok', 'failed', 'skipped'] upgrade True False"
run verify r2 r3
expect_rc 2 "two targets are a usage error"
run verify --bogus
expect_rc 2 "an unknown option is a usage error"
run verify nosuchrev
expect_rc 1 "an unknown target fails"
expect_err "Can't locate revision identified by 'nosuchrev'" "names the target"
run verify -d sqlite:missing/dir/x.db
expect_rc 1 "a database that cannot be opened fails"
check "no database created" test ! -e missing
run verify --help
expect_rc 0 "verify --help"
expect_out "verify" "help page"
untouched "usage errors"
mkdir "$T/nodb" && cd "$T/nodb" && mkdir -p migrations/versions
run verify
expect_rc 2 "no database configured is a usage error"

# A live database in WAL mode: the copy is made and removed all the same.
fresh wal
sq db.sqlite "PRAGMA journal_mode = WAL;" >/dev/null
mkrev r2 r1 "add name" "ALTER TABLE users ADD COLUMN name TEXT;" "ALTER TABLE users DROP COLUMN name;" >/dev/null
before=$(sum db.sqlite)
run verify
expect_rc 0 "verify a WAL database"
untouched "WAL"
check "WAL: the live database is still in WAL mode" test "$(sq db.sqlite 'PRAGMA journal_mode')" = wal

# A database file that does not exist yet is not created: the rehearsal starts empty.
mkdir "$T/new" && cd "$T/new" || exit 1
project
mkrev r1 "" "create users" "CREATE TABLE users (id INTEGER PRIMARY KEY);" "DROP TABLE users;" >/dev/null
run verify
expect_rc 0 "verify without a database file"
expect_out "new empty SQLite database" "says the copy starts empty"
expect_out "^ok +r1 create users" "rehearses from base"
check "the database file was not created" test ! -e db.sqlite
check "no temporary files left (new database)" test -z "$(ls -A "$TMPDIR")"
