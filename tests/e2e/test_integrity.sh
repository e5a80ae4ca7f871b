# Silent wrong results and unsafe input found by attacking strata (issue 14): each
# scenario failed before its fix. SQLite here; the PostgreSQL ones run when
# STRATA_PG_URL is set.
. "$STRATA_TOP/tests/e2e/lib.sh"

# --- stamp to an ancestor of the current head moves the database back
mkdir stamp && cd stamp && project
mkrev r1 "" one "CREATE TABLE a (x);" "DROP TABLE a;" >/dev/null
mkrev r2 r1 two "CREATE TABLE b (x);" "DROP TABLE b;" >/dev/null
mkrev r3 r2 three "CREATE TABLE c (x);" "DROP TABLE c;" >/dev/null
run stamp r3
run stamp r1
expect_rc 0 "stamp: stamp to an ancestor succeeds"
run current
expect_out "^r1$" "stamp: current names the ancestor"
expect_no_out "r3" "stamp: the old head is gone"
check "stamp: one version row, r1" test "$(sq db.sqlite 'select group_concat(version_num) from strata_version')" = r1
check "stamp: the history row names r1" test "$(sq db.sqlite "select revision from strata_history order by id desc limit 1")" = r1
run stamp r2
run current
expect_out "^r2$" "stamp: forward again to r2"
# A branch the target does not touch keeps its head.
mkrev b1 r1 side "CREATE TABLE s (x);" "DROP TABLE s;" >/dev/null
run stamp r3 b1
run stamp r2
run current
check "stamp: the other branch keeps its head" test "$(cut -d" " -f1 "$OUT" | sort | tr "\n" " ")" = "b1 r2 "
run upgrade heads
expect_rc 0 "stamp: upgrade heads after stamping back"
check "stamp: upgrade then runs r3 only" test "$(sq db.sqlite "select group_concat(revision) from strata_history where direction='up'")" = r3
cd "$T"
