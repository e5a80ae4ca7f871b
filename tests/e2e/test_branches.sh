# Branches, merges, labels, dependencies and every target form.
. "$STRATA_TOP/tests/e2e/lib.sh"
project
mkrev aaaa00000001 "" "base one" "CREATE TABLE a (id INTEGER);" "DROP TABLE a;" >/dev/null
mkrev bbbb00000002 aaaa00000001 "on a" "CREATE TABLE b (id INTEGER);" "DROP TABLE b;" >/dev/null
mkrev cccc00000003 aaaa00000001 "other branch" "CREATE TABLE c (id INTEGER);" "DROP TABLE c;" >/dev/null

run heads
check "two heads" test "$(wc -l <"$OUT")" -eq 2
run branches
expect_out "^aaaa00000001 \(branchpoint\)$" "branches shows the branch point"
expect_out "^ +-> bbbb00000002 \(head\), on a$" "branches lists each child"
run upgrade
expect_rc 1 "upgrade head with two heads fails"
expect_err "Multiple head revisions are present" "the Alembic phrase"
expect_err "strata merge heads" "the message suggests merge"
check "nothing ran" test -z "$(sq db.sqlite "select name from sqlite_master where name in ('a','b','c')")"
run revision -m "x"
expect_rc 1 "revision with two heads fails"
expect_err "Multiple heads are present" "revision names the problem"
run upgrade heads
expect_rc 0 "upgrade heads"
run current
check "the database is at both heads" test "$(wc -l <"$OUT")" -eq 2
check "strata_version has one row per head" test "$(sq db.sqlite 'select count(*) from strata_version')" = 2
run current --check-heads
expect_rc 0 "current --check-heads at every head"
run history
expect_out "aaaa00000001 -> bbbb00000002 \(head\), on a" "history on branches"
expect_out "<base> -> aaaa00000001 \(branchpoint\), base one" "branchpoint marked"
run history --graph
expect_rc 0 "history --graph"
expect_out "^\* +\|? *cccc00000003|^\| \* +bbbb|^\* +bbbb" "graph draws lanes"

run merge heads -m "merge the branches"
expect_rc 0 "merge heads"
m=$(cat "$OUT")
check "the merge revises both heads" grep -Eq -- "-- strata:revises (bbbb00000002 cccc00000003|cccc00000003 bbbb00000002)" "$m"
mid=$(sed -n 's/^-- strata:revision //p' "$m")
run current --check-heads
expect_rc 1 "--check-heads fails when behind"
run upgrade
expect_rc 0 "upgrade through the merge"
run current
expect_out "^$mid \(head\)$" "one head after the merge"
check "merge replaced both version rows" test "$(sq db.sqlite 'select count(*) from strata_version')" = 1
run history
expect_out "(bbbb00000002, cccc00000003|cccc00000003, bbbb00000002) -> $mid \(head\) \(mergepoint\), merge the branches" "mergepoint line"
run downgrade -1
expect_rc 0 "downgrade through a merge point"
run current
check "back at two heads" test "$(wc -l <"$OUT")" -eq 2
run downgrade -1
expect_rc 1 "-1 with two current heads is ambiguous"
expect_err "Ambiguous" "ambiguity is named"
run downgrade cccc00000003-1
expect_rc 0 "downgrade REV-1: back to that revision"
run current
expect_out "^aaaa00000001 \(branchpoint\)?$|^aaaa00000001$" "everything above the target is reverted"
check "tables b and c are gone" test -z "$(sq db.sqlite "select name from sqlite_master where name in ('b','c')")"
run upgrade cccc00000003
run downgrade cccc00000003-1
expect_rc 0 "downgrade REV-1 on one branch"
run upgrade bbbb00000002
run downgrade cccc00000003
expect_rc 1 "downgrade to a revision that is not applied fails"
expect_err "not a valid downgrade target" "the message says why"
run upgrade heads
run upgrade head
expect_rc 0 "upgrade head after the merge"

# prefixes
run show bbbb
expect_out "^Rev: bbbb00000002" "a 4-character prefix"
mkrev bbbb99999999 "$mid" "lookalike" "SELECT 1;" "SELECT 1;" >/dev/null
run show bbbb
expect_rc 1 "an ambiguous prefix fails"
expect_err "Ambiguous revision" "the phrase"
expect_err "bbbb00000002" "ambiguity lists the candidates"
run show bbb
expect_rc 1 "a 3-character prefix is not looked up"
run upgrade zzzz
expect_rc 1 "an unknown target"
expect_err "Can't locate revision identified by 'zzzz'" "the Alembic phrase"
run upgrade bbbb99999999
expect_rc 0 "upgrade to a full id"

# relative forms
run downgrade bbbb99999999-1
run current
expect_out "^$mid" "REV-1"
run upgrade +1
run current
expect_out "^bbbb99999999" "+1"
run downgrade -2
expect_rc 0 "-2 ending at a merge point goes back to its parents"
run current
check "two heads after -2" test "$(wc -l <"$OUT")" -eq 2
run upgrade bbbb99999999
run downgrade -3
expect_rc 1 "-3 across a merge point is ambiguous"
expect_err "Ambiguous relative revision" "ambiguity is named"
run upgrade +5
expect_rc 1 "+N past the head fails"

# branch labels, several bases, depends-on
mkrev app000000001 "" "app base" "CREATE TABLE app (id INTEGER);" "DROP TABLE app;" "-- strata:branch-labels app" >/dev/null
mkrev app000000002 app000000001 "app two" "CREATE TABLE app2 (id INTEGER);" "DROP TABLE app2;" "-- strata:depends-on bbbb00000002" >/dev/null
run heads
check "three heads with a second base" test "$(wc -l <"$OUT")" -eq 2
run upgrade app@head
expect_rc 0 "upgrade LABEL@head"
run current
expect_out "^app000000002 \(app\)? ?\(head\)|^app000000002 \(head\)" "the labelled branch is at its head"
run downgrade app@-1
expect_rc 0 "downgrade LABEL@-1"
run current
expect_out "^app000000001 \(app\)$" "LABEL@-1"
run upgrade app@+1
expect_rc 0 "LABEL@+1"
run downgrade app@base
expect_rc 0 "downgrade LABEL@base"
run current
expect_no_out "app0000" "LABEL@base reverts the branch"
run downgrade bbbb00000002-1
expect_rc 0 "downgrade below a dependency"
run upgrade app@app000000002
expect_rc 0 "LABEL@REV upgrade pulls its dependency"
check "the dependency was applied too" test -n "$(sq db.sqlite "select name from sqlite_master where name='b'")"
run downgrade bbbb00000002-1
expect_rc 0 "downgrading a dependency"
check "dependents are reverted with their dependency" test -z "$(sq db.sqlite "select name from sqlite_master where name='app2'")"
run revision -m "new base" --head base --branch-label tools
expect_rc 0 "revision --head base starts a new base"
check "new base has no parent" grep -qx -- '-- strata:revises ' "$(cat "$OUT")"
run revision -m "on top" --head tools@head
expect_rc 0 "revision --head LABEL@head"
run revision -m "spliced" --head aaaa00000001
expect_rc 1 "--head on a non-head needs --splice"
expect_err "--splice" "the message names --splice"
run revision -m "spliced" --head aaaa00000001 --splice
expect_rc 0 "--splice starts a branch"
run revision -m "dup" --rev-id aaaa00000001
expect_rc 1 "a duplicate --rev-id is refused"
run revision -m "bad" --rev-id "../../etc"
expect_rc 2 "a path-like --rev-id is a usage error"
