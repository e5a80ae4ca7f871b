# What upgrade, downgrade and stamp say: one line per revision on stderr (terminal
# or not), -q and -v, stamp's lines and its warning, destructive operations, and
# --format json for upgrade, downgrade, stamp and migrate.
. "$STRATA_TOP/tests/e2e/lib.sh"
project
mkrev a1b2 "" "create users" "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE old (id INTEGER);" "DROP TABLE old;
DROP TABLE users;" >/dev/null
mkrev c3d4 a1b2 "add role" "ALTER TABLE users ADD COLUMN role TEXT;" "ALTER TABLE users DROP COLUMN role;" >/dev/null
mkrev e5f6 c3d4 "drop old" "-- WARNING: drops table old and every row in it
DROP TABLE old;" "CREATE TABLE old (id INTEGER);" >/dev/null
mkrev f7a8 e5f6 "comments only" "-- nothing to run here" "" >/dev/null

run upgrade c3d4
expect_rc 0 "upgrade with stdout not a terminal"
check "one line per revision on stderr, as Alembic logs them" test "$(grep -c '^Running upgrade' "$ERR")" -eq 2
expect_err "^Running upgrade  -> a1b2, create users$" "a base revision comes from nothing"
expect_err "^Running upgrade a1b2 -> c3d4, add role$" "a revision names its parent"
check "stdout stays empty" test ! -s "$OUT"
run downgrade -1 -v
expect_err "^Running downgrade c3d4 -> a1b2, add role$" "downgrade lines"
expect_err "^    ALTER TABLE users DROP COLUMN role;$" "-v prints each statement under its revision"
check "the statement comes after its revision's line" sh -c "grep -n . '$ERR' | grep -A1 'Running downgrade' | grep -q 'ALTER TABLE users DROP COLUMN role'"
run -q upgrade c3d4
check "-q silences the lines" test ! -s "$ERR"

# A destructive operation warns when upgrade runs it; --plan shows each once.
run upgrade e5f6 --plan
expect_rc 0 "upgrade --plan"
check "the drop is shown once (marker and statement are one danger)" test "$(grep -c 'drops table old' "$OUT")" -eq 1
run upgrade e5f6
expect_err "^strata: warning: e5f6 drops table old and every row in it$" "upgrade warns about the drop it runs"
run downgrade c3d4 -q
run -q upgrade e5f6
check "-q silences the warning too" test ! -s "$ERR"

# stamp names what it marks, and warns (with ids) about SQL it did not run.
run stamp base
expect_err "^Running stamp_revision e5f6 -> $" "stamp base names the row it removes"
run stamp c3d4
expect_rc 0 "stamp c3d4"
expect_err "^Running stamp_revision  -> c3d4$" "stamp names what it marked"
expect_err "^strata: warning: stamp marks 2 revision\(s\) applied without running their SQL: a1b2, c3d4 " "and warns with the ids"
run stamp f7a8
expect_err "^Running stamp_revision c3d4 -> f7a8$" "a stamp along a branch names the row it replaces"
expect_err "without running their SQL: e5f6 \(" "a revision with only comments is not named"
run -q stamp heads
check "stamp -q is silent" test ! -s "$ERR"

# --format json: what was applied, stamped or written.
jget() { python3 -c "import json,sys; d=json.load(open('$OUT')); print($1)"; }
sq db.sqlite "DROP TABLE users; DROP TABLE strata_version"
run downgrade base --format json
run upgrade c3d4 --format json
expect_rc 0 "upgrade --format json"
check "upgrade JSON lists what it applied" test "$(jget "[(a['revision'], a['direction']) for a in d['applied']], d['ok'], d['current']")" = "[('a1b2', 'upgrade'), ('c3d4', 'upgrade')] True ['c3d4']"
run downgrade base --format json
check "downgrade JSON" test "$(jget "[a['revision'] for a in d['applied']], d['current']")" = "['c3d4', 'a1b2'] []"
mkrev ffff c3d4 "broken" "CREATE TABLE t2 (id INTEGER);
CREATE TABLE t2 (id INTEGER);" "DROP TABLE t2;" >/dev/null
run upgrade ffff --format json
expect_rc 1 "a failing upgrade still exits 1"
expect_err "^strata: error: upgrade of ffff failed" "and says so on stderr"
check "its JSON says how far it got" test "$(jget "[a['revision'] for a in d['applied']], d['ok'], d['failed'], d['current']")" = "['a1b2', 'c3d4'] False ffff ['c3d4']"
rm migrations/versions/ffff_*.sql
run stamp e5f6 --format json
check "stamp JSON: what it marked and what it skipped" test "$(jget "[x['stamp'] for x in d['stamped']], d['skipped'], d['current']")" = "['c3d4 -> e5f6'] ['e5f6'] ['e5f6']"
printf 'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, role TEXT, email TEXT);\n' >schema.sql
printf '[strata]\ndatabase = sqlite:db.sqlite\nscript_location = migrations\nschema = schema.sql\n' >strata.ini
run stamp f7a8 -q
sq db.sqlite "DROP TABLE old" # what e5f6, stamped above, would have done
run migrate -m "add email" --format json
expect_rc 0 "migrate --format json"
check "migrate JSON names the file it wrote" sh -c "test -f \"\$(python3 -c \"import json; print(json.load(open('$OUT'))['path'])\")\""
check "and the revision and operations" test "$(jget "len(d['revision']), d['operations']")" = "12 ['+ column users.email']"
run upgrade -q
run migrate -m "nothing" --format json
check "migrate JSON with nothing to do" test "$(jget "d['changes'], d['path']")" = "False None"
run upgrade --sql --format json
expect_rc 2 "--sql with --format json is a usage error"
