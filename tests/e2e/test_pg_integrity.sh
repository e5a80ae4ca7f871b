# Integrity on PostgreSQL: `upgrade --sql` honours version_table_schema, transaction
# control in a transactional revision is refused, a control character in a header
# cannot smuggle a statement into `--sql` output. Runs only when tests/run.sh started
# a throwaway cluster (STRATA_PG_URL set).
# Without a server: skipped, except in CI (CI set), where it is a failure.
[ -n "${STRATA_PG_URL:-}" ] || { [ -z "${CI:-}" ] && exit 0; echo "not ok - no PostgreSQL server (STRATA_PG_URL is unset)"; exit 1; }
. "$STRATA_TOP/tests/e2e/lib.sh"
pgdb() { createdb -h "$PGHOST" -p "$PGPORT" -U postgres "$1" && echo "postgresql://postgres@/$1?host=$PGHOST&port=$PGPORT"; }
pq() { psql -h "$PGHOST" -p "$PGPORT" -U postgres -XAtq -d "$1" -c "$2"; }
pqf() { psql -h "$PGHOST" -p "$PGPORT" -U postgres -XAtq -v ON_ERROR_STOP=1 -d "$1" -f "$2"; }

# --- upgrade --sql writes the version rows where version_table_schema puts them, so
# a later online upgrade does not run the revisions again.
db=pgint_sql_$$
url=$(pgdb "$db")
mkdir vschema && cd vschema && project "$url"
printf 'version_table_schema = migr\n' >>strata.ini
mkrev s1 "" "make t" "CREATE TABLE t (x INTEGER);" "DROP TABLE t;" >/dev/null
mkrev s2 s1 "fill t" "INSERT INTO t VALUES (1);" "DELETE FROM t;" >/dev/null
run upgrade head --sql
expect_rc 0 "sql schema: upgrade --sql"
expect_out '"migr"\."strata_version"' "sql schema: the version table is in the configured schema"
expect_no_out '"public"\."strata_version"' "sql schema: never in public"
cp "$OUT" up.sql
check "sql schema: the script runs in psql" pqf "$db" up.sql
check "sql schema: the version row is in migr" test "$(pq "$db" 'SELECT version_num FROM migr.strata_version')" = s2
run upgrade head
expect_rc 0 "sql schema: an online upgrade after the script"
check "sql schema: it ran nothing again" test "$(pq "$db" 'SELECT count(*) FROM t')" = 1
run current
expect_out "^s2 \(head\)$" "sql schema: current reads the script's row"
cd "$T"

# --- ROLLBACK in a transactional revision: PostgreSQL would roll the revision's work
# back and strata record it as applied. Refused before anything runs; a COMMIT in a
# procedure body (dollar quote) or a BEGIN ATOMIC body is no statement of the revision.
db=pgint_tx_$$
url=$(pgdb "$db")
mkdir txctl && cd txctl && project "$url"
mkrev p1 "" "make t" "CREATE TABLE t (x INTEGER);
CREATE PROCEDURE fill() LANGUAGE plpgsql AS \$\$ BEGIN INSERT INTO t VALUES (7); COMMIT; END \$\$;
CREATE FUNCTION one() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;" "DROP FUNCTION one(); DROP PROCEDURE fill(); DROP TABLE t;" >/dev/null
f2=$(mkrev p2 p1 "fill t" "INSERT INTO t VALUES (1);
ROLLBACK;" "DELETE FROM t;")
run upgrade head
expect_rc 1 "txctl: a transactional revision with ROLLBACK is refused"
expect_err "$f2:7: ROLLBACK in revision p2" "txctl: the error names file, line and revision"
check "txctl: nothing ran" test "$(pq "$db" "SELECT to_regclass('public.t') IS NULL")" = t
run upgrade p1
expect_rc 0 "txctl: COMMIT inside a procedure body is accepted"
run upgrade head --sql
expect_rc 1 "txctl: --sql refuses it too"
sed -i 's/^ROLLBACK;$/ABORT;/' "$f2"
run upgrade head
expect_err "$f2:7: ABORT in revision p2" "txctl: ABORT is refused as well"
check "txctl: p2 not recorded" test "$(pq "$db" 'SELECT version_num FROM strata_version')" = p1
cd "$T"

# --- A CR in a message header: in the `--sql` script PostgreSQL ends the comment
# line at the CR, so the rest of the message ran as a statement. Refused now.
db=pgint_ctl_$$
url=$(pgdb "$db")
mkdir ctl && cd ctl && project "$url"
pq "$db" "CREATE TABLE victim (x INTEGER)"
printf -- '-- strata:revision c1\n-- strata:revises\n-- strata:message add index\rDROP TABLE victim; --\n\n-- strata:upgrade\nCREATE TABLE t (x INTEGER);\n' >migrations/versions/c1.sql
st upgrade head --sql >up.sql 2>"$ERR"; RC=$?
expect_rc 1 "ctl: upgrade --sql refuses the header"
psql -h "$PGHOST" -p "$PGPORT" -U postgres -XAtq -d "$db" -f up.sql >/dev/null 2>&1
check "ctl: the victim table survives whatever the script held" test "$(pq "$db" "SELECT to_regclass('public.victim') IS NOT NULL")" = t
cd "$T"
