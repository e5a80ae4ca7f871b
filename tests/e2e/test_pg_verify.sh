# verify on PostgreSQL: a temporary database built with pg_dump | pg_restore (schema
# only, or with --with-data the rows too), dropped at the end; the live catalog and
# rows unchanged. Runs only when tests/run.sh started a throwaway cluster.
# Without a server: skipped, except in CI (CI set), where it is a failure.
[ -n "${STRATA_PG_URL:-}" ] || { [ -z "${CI:-}" ] && exit 0; echo "not ok - no PostgreSQL server (STRATA_PG_URL is unset)"; exit 1; }
. "$STRATA_TOP/tests/e2e/lib.sh"
pgdb() { createdb -h "$PGHOST" -p "$PGPORT" -U postgres "$1" && echo "postgresql://postgres@/$1?host=$PGHOST&port=$PGPORT"; }
pq() { psql -h "$PGHOST" -p "$PGPORT" -U postgres -XAtq -d "$1" -c "$2"; }
# catalog DB: a text picture of the live schema, its version rows and its row counts
catalog() {
  pq "$1" "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable
           FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1;
           SELECT indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1;
           SELECT version_num FROM strata_version ORDER BY 1;
           SELECT count(*) FROM strata_history;
           SELECT count(*) FROM users;"
}
# leftovers: the temporary databases verify left on the server (none expected)
leftovers() { pq postgres "SELECT count(*) FROM pg_database WHERE datname LIKE 'strata\_verify\_%'"; }
untouched() {
  check "$1: live catalog, versions and rows unchanged" test "$(catalog "$db")" = "$before"
  check "$1: no temporary database left" test "$(leftovers)" = 0
}
# fresh NAME: a new project on a new database with two users at r1
fresh() {
  mkdir "$T/$1" && cd "$T/$1" || exit 1
  db=pgverify_${1}_$$
  url=$(pgdb "$db")
  project "$url"
  mkrev r1 "" "create users" "CREATE TABLE users (id SERIAL PRIMARY KEY, email TEXT NOT NULL);" "DROP TABLE users;" >/dev/null
  st upgrade >/dev/null 2>&1
  pq "$db" "INSERT INTO users (email) VALUES ('a@x'), ('b@x');"
}

fresh ok
mkrev r2 r1 "add name" "ALTER TABLE users ADD COLUMN name VARCHAR(80) DEFAULT 'x';
CREATE INDEX ix_users_name ON users (name);" "DROP INDEX ix_users_name;
ALTER TABLE users DROP COLUMN name;" >/dev/null
mkrev r3 r2 "add posts" "CREATE TABLE posts (id SERIAL PRIMARY KEY, user_id INTEGER REFERENCES users (id), body TEXT);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RETURN NEW; END \$\$;
CREATE TRIGGER posts_touch BEFORE UPDATE ON posts FOR EACH ROW EXECUTE FUNCTION touch();" "DROP TABLE posts;
DROP FUNCTION touch();" >/dev/null
before=$(catalog "$db")
run verify
expect_rc 0 "reversible revisions verify on PostgreSQL"
expect_out "^Rehearsing 2 revisions .*temporary database strata_verify_[0-9a-z_]+ on the same server \(schema only\)" "says how the copy was made"
expect_out "^ok +r2 add name" "r2 ok"
expect_out "^ok +r3 add posts" "r3 ok"
expect_no_out "password" "no password shown"
untouched "reversible"
run verify --with-data
expect_rc 0 "verify --with-data"
expect_out "\(schema and data\)" "copies the rows"
untouched "with data"
run -v verify --with-data
expect_out "rows of users: 2 -> 2" "row counts from the copied rows"
run verify -d "postgresql://postgres:sekret99@/$db?host=$PGHOST&port=$PGPORT"
expect_rc 0 "a URL with a password (the cluster trusts local connections)"
check "the password is never printed" sh -c "! grep -q sekret99 '$OUT' '$ERR'"
expect_out "postgres:\*\*\*@" "the URL is shown masked"
run verify -d "postgresql://postgres@/$db?host=$PGHOST&port=$PGPORT&password=sekret99"
expect_rc 0 "a password as a URL parameter"
check "that password is never printed either" sh -c "! grep -q sekret99 '$OUT' '$ERR'"
run verify --format json
expect_rc 0 "JSON on PostgreSQL"
check "JSON: every revision ok" test "$(python3 -c "
import json; d = json.load(open('$OUT')); print(d['ok'], [e['status'] for e in d['revisions']])")" = "True ['ok', 'ok']"
untouched "json"

fresh wrong
mkrev r2 r1 "add two" "ALTER TABLE users ADD COLUMN a TEXT;
ALTER TABLE users ADD COLUMN b TEXT;" "ALTER TABLE users DROP COLUMN a;" >/dev/null
mkrev r3 r2 "later" "CREATE TABLE later (id INTEGER);" "DROP TABLE later;" >/dev/null
before=$(catalog "$db")
run verify
expect_rc 1 "a downgrade that leaves a column fails"
expect_out "^not restored +r2 add two: downgrade does not restore the schema" "says the downgrade does not restore"
expect_out "^    \+ .*users.*\bb\b" "names the column left behind"
expect_out "^skipped +r3 later" "the rehearsal stops"
untouched "wrong downgrade"

fresh irrev
mkrev r2 r1 "backfill" "UPDATE users SET email = lower(email);" "" >/dev/null
mkrev r3 r2 "add name" "ALTER TABLE users ADD COLUMN name TEXT;" "ALTER TABLE users DROP COLUMN name;" >/dev/null
before=$(catalog "$db")
run verify
expect_rc 1 "an empty downgrade fails verify"
expect_out "^irreversible +r2 backfill: downgrade is empty" "says the downgrade is empty"
expect_out "^ok +r3 add name" "the rehearsal goes on"
untouched "irreversible"

fresh failing
mkrev r2 r1 "good" "CREATE TABLE good (id INTEGER);" "DROP TABLE good;" >/dev/null
mkrev r3 r2 "bad" "CREATE TABLE t3 (id INTEGER);
INSERT INTO no_such_table VALUES (1);" "DROP TABLE t3;" >/dev/null
mkrev r4 r3 "after" "CREATE TABLE t4 (id INTEGER);" "DROP TABLE t4;" >/dev/null
before=$(catalog "$db")
run verify
expect_rc 1 "a failing revision fails verify"
expect_out "^ok +r2 good" "the revision before it is ok"
expect_out "^failed +r3 bad: upgrade failed" "names the failing step"
expect_out "r3_bad.sql:7.*no_such_table" "file and line of the statement"
expect_out "^skipped +r4 after" "later revisions are skipped"
untouched "failing revision"
run verify nosuchrev
expect_rc 1 "an unknown target fails"
expect_err "Can't locate revision identified by 'nosuchrev'" "names the target"
untouched "unknown target"
run verify a b
expect_rc 2 "two targets are a usage error"

fresh deleting
mkrev r2 r1 "purge" "DELETE FROM users WHERE email = 'a@x';" "SELECT 1;" >/dev/null
before=$(catalog "$db")
run verify --with-data
expect_rc 0 "deleting rows is reported, not refused"
expect_out "^    ! rows of users: 2 -> 1 \(1 deleted\)$" "deleted rows are marked"
untouched "deleting"
run verify
expect_rc 0 "schema-only copy"
expect_no_out "deleted" "without rows nothing is deleted"
untouched "deleting, schema only"

# The copy cannot be made: a clear error, nothing left behind.
cd "$T/ok" || exit 1
db=pgverify_ok_$$
before=$(catalog "$db")
env PATH=/nonexistent "$STRATA" verify >"$OUT" 2>"$ERR"; RC=$?
expect_rc 1 "without pg_dump on PATH verify fails"
expect_err "pg_dump or pg_restore was not found on PATH" "says pg_dump is missing"
untouched "no pg_dump"
createuser -h "$PGHOST" -p "$PGPORT" -U postgres nocreate_$$
pq "$db" "GRANT SELECT ON ALL TABLES IN SCHEMA public TO nocreate_$$"
run verify -d "postgresql://nocreate_$$@/$db?host=$PGHOST&port=$PGPORT"
expect_rc 1 "a role without CREATEDB cannot verify"
expect_err "cannot create a temporary database for the copy: .*permission denied" "says why"
untouched "no CREATEDB"
