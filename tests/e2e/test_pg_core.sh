# The core workflow on PostgreSQL: upgrade, downgrade, current, history, stamp,
# status; transactional rollback of a failing revision; dollar-quoted bodies;
# `transaction off` revisions; offline --sql; password masking; backup with pg_dump.
# Runs only when tests/run.sh started a throwaway cluster (STRATA_PG_URL set).
# Without a server: skipped, except in CI (CI set), where it is a failure.
[ -n "${STRATA_PG_URL:-}" ] || { [ -z "${CI:-}" ] && exit 0; echo "not ok - no PostgreSQL server (STRATA_PG_URL is unset)"; exit 1; }
. "$STRATA_TOP/tests/e2e/lib.sh"
# pgdb NAME: creates a database for one scenario and prints its URL
pgdb() { createdb -h "$PGHOST" -p "$PGPORT" -U postgres "$1" && echo "postgresql://postgres@/$1?host=$PGHOST&port=$PGPORT"; }
# pq DB SQL: the value(s) psql prints for SQL, unaligned
pq() { psql -h "$PGHOST" -p "$PGPORT" -U postgres -XAtq -d "$1" -c "$2"; }

db=pgcore_$$
url=$(pgdb "$db")
project "$url"
mkrev a1 "" "create users" "CREATE TABLE users (id SERIAL PRIMARY KEY, name TEXT NOT NULL);
CREATE INDEX ix_users_name ON users (name);" "DROP TABLE users;" >/dev/null
mkrev a2 a1 "add email" "ALTER TABLE users ADD COLUMN email TEXT;" "ALTER TABLE users DROP COLUMN email;" >/dev/null

# libpq is loaded at the first PostgreSQL connection: without it, a clear error.
env STRATA_LIBPQ=libpq-not-here.so.5 "$STRATA" current >"$OUT" 2>"$ERR"; RC=$?
expect_rc 1 "without libpq, PostgreSQL fails cleanly"
expect_err "PostgreSQL needs libpq, which could not be loaded" "and says what to install"

run current
expect_rc 0 "current on a fresh PostgreSQL database"
check "current prints nothing at base" test ! -s "$OUT"
run status
expect_out "^\[ \] a1 create users$" "status shows pending revisions"

run upgrade
expect_rc 0 "upgrade head"
check "the tables exist" test "$(pq "$db" "SELECT to_regclass('public.users') IS NOT NULL")" = t
check "strata_version holds the head" test "$(pq "$db" 'SELECT version_num FROM strata_version')" = a2
check "strata_history has one row per revision" test "$(pq "$db" "SELECT count(*) FROM strata_history WHERE direction = 'up' AND success = 1")" = 2
check "history checksums are SHA-256 hex" test "$(pq "$db" "SELECT count(*) FROM strata_history WHERE checksum ~ '^[0-9a-f]{64}\$'")" = 2
run current
expect_out "^a2 \(head\)$" "current marks the head"
run status
expect_out "^\[X\] a1 create users$" "status marks applied revisions"
run history
expect_out "^a1 -> a2 \(head\), add email$" "history line for the head"
expect_out "^<base> -> a1, create users$" "history line for the base"
run upgrade
expect_rc 0 "upgrade again is a no-op"
check "still two up rows" test "$(pq "$db" "SELECT count(*) FROM strata_history WHERE direction = 'up'")" = 2

run downgrade
expect_rc 0 "downgrade -1"
run current
expect_out "^a1$" "downgrade -1 moves one step"
check "the email column is gone" test "$(pq "$db" "SELECT count(*) FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'email'")" = 0
run upgrade +1
expect_rc 0 "upgrade +1"
run downgrade base
expect_rc 0 "downgrade base"
run current
check "at base nothing is current" test ! -s "$OUT"
check "downgrade base dropped the tables" test "$(pq "$db" "SELECT to_regclass('public.users') IS NULL")" = t
run upgrade a1
expect_rc 0 "upgrade to an id"
run stamp head
expect_rc 0 "stamp head"
run current
expect_out "^a2 \(head\)$" "stamp head records the head"
check "stamp ran nothing" test "$(pq "$db" "SELECT count(*) FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'email'")" = 0
run stamp base
expect_rc 0 "stamp base"
check "stamp base empties strata_version" test "$(pq "$db" 'SELECT count(*) FROM strata_version')" = 0
run stamp a1
run upgrade
expect_rc 0 "upgrade after stamping back"
check "strata_history records stamps" test "$(pq "$db" "SELECT count(*) FROM strata_history WHERE direction = 'stamp'")" = 3
run -d "$(echo "$url" | sed 's|^postgresql://|postgres://|')" current
expect_out "^a2 \(head\)$" "postgres:// URLs work too"

# Tables made outside strata: refuse, and suggest stamp.
db2=pgcore2_$$
url2=$(pgdb "$db2")
pq "$db2" "CREATE TABLE users (id int)"
run -d "$url2" upgrade
expect_rc 1 "upgrade refuses tables without a version table"
expect_err "already exists" "the refusal says the tables already exist"
expect_err "stamp" "the refusal suggests stamp"

# Dollar-quoted bodies with ';' inside, E'' strings, a trigger.
up=$(cat <<'SQL'
CREATE FUNCTION users_lower() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.name := lower(NEW.name); -- a ; inside the body
  RETURN NEW;
END;
$$;
CREATE FUNCTION tagged(x int) RETURNS text LANGUAGE plpgsql AS $body$
DECLARE s text := 'semi;colon $$ not the end';
BEGIN
  RETURN s || x;
END;
$body$;
CREATE TRIGGER users_lower BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION users_lower();
INSERT INTO users (name) VALUES (E'AB\'C;D');
SQL
)
down=$(cat <<'SQL'
DELETE FROM users;
DROP TRIGGER users_lower ON users;
DROP FUNCTION tagged(int);
DROP FUNCTION users_lower();
SQL
)
mkrev a3 a2 "functions" "$up" "$down" >/dev/null
run upgrade
expect_rc 0 "upgrade with dollar-quoted function bodies"
check "the trigger body ran" test "$(pq "$db" 'SELECT name FROM users')" = "ab'c;d"
check "a tagged dollar quote keeps \$\$ and ; inside" test "$(pq "$db" 'SELECT tagged(1)')" = 'semi;colon $$ not the end1'
run downgrade -1
expect_rc 0 "downgrade drops the functions"
check "the functions are gone" test "$(pq "$db" "SELECT count(*) FROM pg_proc WHERE proname IN ('tagged', 'users_lower')")" = 0
run upgrade
expect_rc 0 "upgrade again"

# A failing statement rolls the whole revision back, DDL included.
f=$(mkrev a4 a3 "broken" "CREATE TABLE halfway (id int);
INSERT INTO halfway VALUES (1);
INSERT INTO missing_table VALUES (1);" "DROP TABLE halfway;")
run upgrade
expect_rc 1 "a failing revision fails the upgrade"
expect_err "upgrade of a4 failed at migrations/versions/a4_broken.sql:8" "the error names the revision, file and line"
expect_err "SQLSTATE 42P01" "the error carries the SQLSTATE"
expect_err 'relation "missing_table" does not exist' "the error carries the server's message"
expect_err "INSERT INTO missing_table" "the error shows the statement"
check "the table created earlier in the revision is gone" test "$(pq "$db" "SELECT to_regclass('public.halfway') IS NULL")" = t
check "the database stays at the previous revision" test "$(pq "$db" 'SELECT version_num FROM strata_version')" = a3
check "the failure is recorded in strata_history" test "$(pq "$db" "SELECT count(*) FROM strata_history WHERE revision = 'a4' AND success = 0")" = 1
f2=$(mkrev a4b a3 "late error" "CREATE TABLE t_late (id int);
SELECT 1
  FROM t_late
  WHERE nope = 1;" "DROP TABLE t_late;")
rm -f "$f"
run upgrade
expect_err "at line 3 of the statement" "a multi-line statement says where in it the error is"
rm -f "$f2"
# The first statement of a revision goes to the server with the transaction's BEGIN,
# in one request: its error is still its own, at its own line.
f2=$(mkrev a4c a3 "first fails" "SELECT 1
  FROM nowhere_at_all;
CREATE TABLE t_never (id int);" "DROP TABLE t_never;")
run upgrade
expect_rc 1 "a revision whose first statement fails"
expect_err "upgrade of a4c failed at migrations/versions/a4c_first_fails.sql:6" "names the first statement's file and line"
expect_err 'relation "nowhere_at_all" does not exist' "with the server's message"
expect_err "at line 2 of the statement" "and the line in the statement, as if sent alone"
check "the statement after it did not run" test "$(pq "$db" "SELECT to_regclass('public.t_never') IS NULL")" = t
check "the database stays where it was" test "$(pq "$db" 'SELECT version_num FROM strata_version')" = a3
check "the session is usable again (no transaction left open)" test "$(pq "$db" "SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in transaction%'")" = 0
rm -f "$f2"

# CREATE INDEX CONCURRENTLY needs a revision outside a transaction.
f=$(mkrev a5 a3 "cic in a transaction" "CREATE INDEX CONCURRENTLY ix_bad ON users (name);" "DROP INDEX ix_bad;")
run upgrade
expect_rc 1 "CREATE INDEX CONCURRENTLY fails inside a transaction"
expect_err "SQLSTATE 25001" "and says it cannot run in a transaction block"
rm -f "$f"
mkrev a5 a3 "concurrent index" "CREATE INDEX CONCURRENTLY ix_users_email ON users (email);" \
  "DROP INDEX CONCURRENTLY ix_users_email;" "-- strata:transaction off" >/dev/null
run upgrade
expect_rc 0 "CREATE INDEX CONCURRENTLY in a 'transaction off' revision"
check "the index exists and is valid" test "$(pq "$db" "SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_users_email'::regclass")" = t
run downgrade -1
expect_rc 0 "DROP INDEX CONCURRENTLY in its downgrade"
check "the index is gone" test "$(pq "$db" "SELECT to_regclass('ix_users_email') IS NULL")" = t
run upgrade
expect_rc 0 "upgrade again"
# ALTER TYPE … ADD VALUE and a use of the new value need separate transactions.
mkrev a6 a5 "mood type" "CREATE TYPE mood AS ENUM ('sad');" "DROP TYPE mood;" >/dev/null
mkrev a7 a6 "happy mood" "ALTER TYPE mood ADD VALUE 'happy';
CREATE TABLE moods (m mood NOT NULL DEFAULT 'happy');
INSERT INTO moods DEFAULT VALUES;" "DROP TABLE moods;" "-- strata:transaction off" >/dev/null
run upgrade
expect_rc 0 "ADD VALUE then its use, outside a transaction"
check "the new enum value is usable" test "$(pq "$db" 'SELECT m FROM moods')" = happy
check "at the head" test "$(pq "$db" 'SELECT version_num FROM strata_version')" = a7

# Offline SQL for a PostgreSQL URL needs no server.
run -d "postgresql://nobody:pw@127.0.0.1:1/nowhere" upgrade --sql
expect_rc 0 "upgrade --sql with a postgresql URL needs no server"
expect_out 'CREATE TABLE IF NOT EXISTS "public"."strata_version"' "--sql creates the version table"
expect_out "INSERT INTO \"public\".\"strata_version\" \(version_num\) VALUES \('a1'\)" "--sql records versions"
expect_out '^\$body\$;$' "--sql keeps dollar-quoted bodies whole"
expect_out "CREATE INDEX CONCURRENTLY ix_users_email" "--sql includes transaction-off revisions"
run -d "postgresql://nobody:pw@127.0.0.1:1/nowhere" downgrade --sql a7:a5
expect_rc 0 "downgrade --sql A:B"
expect_out "DROP TABLE moods;" "downgrade SQL"

# A password never shows in an error.
run -d "postgresql://u:secret@127.0.0.1:1/x" current
expect_rc 1 "connection refused fails"
expect_err "cannot connect to PostgreSQL" "the error says what failed"
expect_err 'postgresql://u:\*\*\*@127\.0\.0\.1:1/x' "the URL is shown with the password masked"
check "the password is not printed" sh -c "! grep -q secret '$ERR' '$OUT'"
run -d "postgres://u@127.0.0.1:1/x?password=secret&connect_timeout=2" current
expect_err 'password=\*\*\*' "password= in the query string is masked"
check "the query-string password is not printed" sh -c "! grep -q secret '$ERR' '$OUT'"
run -d "postgresql://u:secret@[::1/x" current
expect_rc 1 "a malformed URL fails"
check "libpq's echo of a malformed URL is masked" sh -c "! grep -q secret '$ERR' '$OUT'"

# backup through pg_dump
run backup "$T/db.dump"
expect_rc 0 "backup PATH"
check "the backup mode is 0600" test "$(stat -c %a "$T/db.dump")" = 600
check "the backup is a pg_dump archive with the data" sh -c "pg_restore -l '$T/db.dump' | grep -q 'TABLE DATA public strata_version'"
run backup "$T/db.dump"
expect_rc 1 "backup refuses to overwrite"
PATH=/nonexistent "$STRATA" backup "$T/none.dump" >"$OUT" 2>"$ERR"; RC=$?
expect_rc 1 "backup without pg_dump fails"
expect_err "pg_dump was not found" "and says pg_dump is missing"
check "no file is left behind" test ! -e "$T/none.dump"
run downgrade -1 --backup
expect_rc 0 "downgrade --backup"
expect_err "backed up the database to strata_backup_[0-9_]+\.dump" "--backup says where"
check "the --backup file is 0600" sh -c 'test "$(stat -c %a strata_backup_*.dump)" = 600'

# A step's version and history writes go to the server with its COMMIT, in one request.
# When one of them fails (here a trigger refuses the history row), the revision's
# statements roll back with it, the version stays, and the error is the trigger's.
db3=pgbook_$$
url3=$(pgdb "$db3")
mkdir -p "$T/book" && cd "$T/book" || exit 1
project "$url3"
mkrev b1 "" "first" "CREATE TABLE one (id int);" "DROP TABLE one;" >/dev/null
mkrev b2 b1 "second" "CREATE TABLE two (id int);" "DROP TABLE two;" >/dev/null
run upgrade b1
expect_rc 0 "upgrade to the first revision"
pq "$db3" "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS \$\$BEGIN RAISE EXCEPTION 'history is closed for %', NEW.revision; END\$\$;
CREATE TRIGGER refuse BEFORE INSERT ON strata_history FOR EACH ROW EXECUTE FUNCTION refuse();" >/dev/null
run upgrade
expect_rc 1 "a refused history row fails the revision"
expect_err "history is closed for b2" "with the server's error"
check "the revision's statements rolled back" test "$(pq "$db3" "SELECT to_regclass('public.two') IS NULL")" = t
check "the version stayed" test "$(pq "$db3" 'SELECT version_num FROM strata_version')" = b1
run current
expect_out "^b1$" "current still says the first revision"
pq "$db3" "DROP TRIGGER refuse ON strata_history" >/dev/null
run upgrade
expect_rc 0 "without the trigger the revision runs"
check "and is recorded" test "$(pq "$db3" "SELECT string_agg(revision, ',' ORDER BY id) FROM strata_history WHERE direction = 'up'")" = "b1,b2"
run downgrade base
expect_rc 0 "downgrade base"
check "both revisions undone" test "$(pq "$db3" "SELECT count(*) FROM strata_version")" = 0
