# upgrade --plan / downgrade --plan: what would run, with its dangers, changing nothing.
. "$STRATA_TOP/tests/e2e/lib.sh"
project
mkrev p00000000001 "" "create" "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, name TEXT);" "DROP TABLE users;" >/dev/null
mkrev p00000000002 p00000000001 "drop name" "ALTER TABLE users DROP COLUMN name;" "ALTER TABLE users ADD COLUMN name TEXT;" >/dev/null
mkrev p00000000003 p00000000002 "vacuum" "VACUUM;" "SELECT 1;" "-- strata:transaction off" >/dev/null
run upgrade --plan
expect_rc 0 "upgrade --plan"
expect_out "^upgrade p00000000001 create \(in a transaction\)$" "one line per revision"
expect_out "^upgrade p00000000003 vacuum \(outside a transaction\)$" "says when outside a transaction"
expect_out "^    ! drops column users.name$" "flags a dropped column"
check "--plan changes nothing" test ! -s db.sqlite -o -z "$(sq db.sqlite "select name from sqlite_master")"
run upgrade p00000000002
run downgrade base --plan
expect_rc 0 "downgrade --plan"
expect_out "^downgrade p00000000002 drop name" "downgrade plan, newest first"
expect_out "^    ! drops table users$" "flags a dropped table"
check "downgrade order" sh -c "grep -n '^downgrade' $OUT | head -1 | grep -q p00000000002"
run upgrade --plan --format json
check "plan JSON" test "$(python3 -c "import json; d=json.load(open('$OUT')); print([p['revision'] for p in d['plan']], d['plan'][0]['transactional'])")" = "['p00000000003'] False"
check "still at p00000000002" test "$(sq db.sqlite 'select version_num from strata_version')" = p00000000002
