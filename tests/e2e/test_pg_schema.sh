# version_table_schema on PostgreSQL: the version tables live in the named schema
# (created when missing, quoted as an identifier), two projects with different
# version schemas share a database, and a role that may not create schemas can
# still migrate once the version tables exist.
# Without a server: skipped, except in CI (CI set), where it is a failure.
[ -n "${STRATA_PG_URL:-}" ] || { [ -z "${CI:-}" ] && exit 0; echo "not ok - no PostgreSQL server (STRATA_PG_URL is unset)"; exit 1; }
. "$STRATA_TOP/tests/e2e/lib.sh"
# pgdb NAME: creates a database for one scenario and prints its URL
pgdb() { createdb -h "$PGHOST" -p "$PGPORT" -U postgres "$1" && echo "postgresql://postgres@/$1?host=$PGHOST&port=$PGPORT"; }
# pq DB SQL: the value(s) psql prints for SQL, unaligned
pq() { psql -h "$PGHOST" -p "$PGPORT" -U postgres -XAtq -d "$1" -c "$2"; }

db=pgschema_$$
url=$(pgdb "$db")
project "$url"
echo "version_table_schema = migr" >>strata.ini
mkrev s1 "" "users" "CREATE TABLE users (id int PRIMARY KEY);" "DROP TABLE users;" >/dev/null
mkrev s2 s1 "posts" "CREATE TABLE posts (id int PRIMARY KEY, user_id int REFERENCES users);" "DROP TABLE posts;" >/dev/null

run upgrade
expect_rc 0 "upgrade with version_table_schema"
check "the schema was created" test "$(pq "$db" "SELECT count(*) FROM pg_namespace WHERE nspname = 'migr'")" = 1
check "strata_version is in the schema" test "$(pq "$db" 'SELECT version_num FROM migr.strata_version')" = s2
check "strata_history is in the schema" test "$(pq "$db" 'SELECT count(*) FROM migr.strata_history')" = 2
check "nothing in public" test "$(pq "$db" "SELECT to_regclass('public.strata_version') IS NULL AND to_regclass('public.strata_history') IS NULL")" = t
check "the user's tables stay in public" test "$(pq "$db" "SELECT to_regclass('public.posts') IS NOT NULL")" = t
run current
expect_out "^s2 \(head\)$" "current reads the schema's version table"
run downgrade -1
expect_rc 0 "downgrade with version_table_schema"
check "the version moved in the schema" test "$(pq "$db" 'SELECT version_num FROM migr.strata_version')" = s1
run stamp head
expect_rc 0 "stamp with version_table_schema"
run stamp s1
run upgrade
expect_rc 0 "upgrade again"
run history -i
expect_out "\(current\)" "history -i reads the schema's version table"

# Without the setting, the same database looks unversioned (public has no version
# table) and strata refuses to run over the existing tables.
run -c /dev/null -d "$url" upgrade
expect_rc 1 "another version schema sees the tables as unversioned"
expect_err "already exists" "and refuses with the usual message"

# A schema name that needs quoting.
mkdir other && cd other || exit 1
project "$url"
printf 'version_table_schema = Mixed Case\n' >>strata.ini
mkrev o1 "" "other app" "CREATE TABLE other_things (id int);" "DROP TABLE other_things;" >/dev/null
pq "$db" 'CREATE SCHEMA "Mixed Case"'
pq "$db" 'CREATE TABLE "Mixed Case".strata_version (version_num VARCHAR(255) PRIMARY KEY)'
run upgrade
expect_rc 0 "a second project in the same database with a quoted version schema"
check "its version is recorded there" test "$(pq "$db" 'SELECT version_num FROM "Mixed Case".strata_version')" = o1
check "the first project's version is untouched" test "$(pq "$db" 'SELECT version_num FROM migr.strata_version')" = s2
cd ..

# A role that may create tables in public but not schemas, and may only read and
# write the existing version tables: CREATE … IF NOT EXISTS would be refused
# (PostgreSQL checks the privilege before existence), so strata must not send it.
pq "$db" "CREATE ROLE strata_app_$$ LOGIN;
GRANT CREATE, USAGE ON SCHEMA public TO strata_app_$$;
GRANT USAGE ON SCHEMA migr TO strata_app_$$;
GRANT SELECT, INSERT, UPDATE, DELETE ON migr.strata_version, migr.strata_history TO strata_app_$$;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA migr TO strata_app_$$;
GRANT SELECT, REFERENCES ON users TO strata_app_$$"
mkrev s3 s2 "app role" "CREATE TABLE comments (id int PRIMARY KEY, user_id int REFERENCES users);" "DROP TABLE comments;" >/dev/null
run -d "postgresql://strata_app_$$@/$db?host=$PGHOST&port=$PGPORT" upgrade
expect_rc 0 "a role without CREATE on the database or the version schema can migrate"
check "its revision was recorded" test "$(pq "$db" 'SELECT version_num FROM migr.strata_version')" = s3
