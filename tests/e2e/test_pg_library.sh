# PostgreSQL faults: the shadow-database guard compares the server's identity of both
# databases, not their URLs (two spellings of the throwaway cluster's URL), and doctor
# lists and --fix drops the scratch databases a killed strata left (strata_shadow_*,
# strata_verify_*). Runs only when tests/run.sh started a throwaway cluster.
# Without a server: skipped, except in CI (CI set), where it is a failure.
[ -n "${STRATA_PG_URL:-}" ] || { [ -z "${CI:-}" ] && exit 0; echo "not ok - no PostgreSQL server (STRATA_PG_URL is unset)"; exit 1; }
. "$STRATA_TOP/tests/e2e/lib.sh"
pq() { psql -h "$PGHOST" -p "$PGPORT" -U postgres -XAtq -d "$1" -c "$2"; }

db=pglib_$$
createdb -h "$PGHOST" -p "$PGPORT" -U postgres "$db"
url="postgresql://postgres@/$db?host=$PGHOST&port=$PGPORT"
same="postgresql:///$db?port=$PGPORT&user=postgres&host=$PGHOST&application_name=other"
project "$url"
mkrev a1 "" "one" "CREATE TABLE one (id INTEGER);" "DROP TABLE one;" >/dev/null
pq "$db" "CREATE TABLE precious (id INTEGER); INSERT INTO precious VALUES (42);"
printf 'schema = schema.sql\nshadow_database = %s\n' "$same" >>strata.ini
printf 'CREATE TABLE one (id INTEGER);\n' >schema.sql
run diff
expect_rc 2 "shadow_database spelled differently but naming the live database is refused"
expect_err "shadow_database is the database itself \($db \(oid" "naming it as the server does"
check "the live database was not emptied" test "$(pq "$db" 'select id from precious')" = 42

sed -i '/^shadow_database/d' strata.ini
rm schema.sql # doctor's schema check would make a shadow database of its own

# Scratch databases of a strata killed mid-diff or mid-verify.
for n in strata_shadow_999999_abcdef strata_verify_999999_20260101; do
  createdb -h "$PGHOST" -p "$PGPORT" -U postgres "$n"
done
run doctor --fix --yes
expect_rc 1 "doctor with leftover scratch databases (and no schema.sql)"
expect_out "2 scratch database\(s\) left by a strata that was killed" "counts them"
expect_out "strata_shadow_999999_abcdef" "names the shadow one"
expect_out "strata_verify_999999_20260101" "and the verify one"
expect_out "fixed: dropped 2 database\(s\)" "--fix drops them"
check "they are gone" test -z "$(pq postgres "select datname from pg_database where datname like 'strata_%_999999_%'")"
check "the live database stays" test "$(pq "$db" 'select id from precious')" = 42
pq "$db" "DROP TABLE precious"

# An open PGconn handed over (strata_options.pg_handle), as an sqlite3 * can be.
build_under_test
check "a program handing over its PGconn builds" sh -c "cc -std=c11 -Wall -Wextra -Werror $SANFLAGS \
  -I'$STRATA_TOP/include' \$(pkg-config --cflags libpq) -o pghandle '$STRATA_TOP/tests/e2e/library/pghandle.c' \
  '$(dirname "$STRATA")/libstrata.a' \$(pkg-config --libs sqlite3 libcrypto inih libcjson libpq) -lm -pthread -ldl"
./pghandle "$url" >"$OUT" 2>"$ERR"
RC=$?
expect_rc 0 "it migrates through the program's session"
expect_out "^current p1$" "to the head"
expect_out "^session mine, advisory locks 0$" "and the session is still the program's, its lock released"
dropdb -h "$PGHOST" -p "$PGPORT" -U postgres "$db"
