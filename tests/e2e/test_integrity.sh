# Integrity on SQLite: stamp to an ancestor, transaction control in a transactional
# revision, target keywords as ids, control characters in headers, safe backups,
# strata.ini limits and secrets, out-of-range step counts. Each scenario names what
# went wrong without its guard; tests/e2e/test_pg_integrity.sh has the PostgreSQL ones.
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

# --- COMMIT, ROLLBACK or END in a revision that runs in a transaction is refused
# before anything runs, naming file and line; `transaction off` allows them.
mkdir txctl && cd txctl && project
mkrev x1 "" "make t" "CREATE TABLE t (x INTEGER);
CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET x = x + 0 WHERE 0; END;" "DROP TABLE t;" >/dev/null
f2=$(mkrev x2 x1 "fill t" "INSERT INTO t VALUES (1);
COMMIT;
INSERT INTO t VALUES ('END; ROLLBACK;');" "DELETE FROM t;")
line=$(grep -n '^COMMIT;$' "$f2" | cut -d: -f1)
run upgrade head
expect_rc 1 "txctl: a transactional revision with COMMIT is refused"
expect_err "$f2:$line: COMMIT in revision x2" "txctl: the error names file, line and revision"
expect_err "strata:transaction off" "txctl: the error suggests transaction off"
check "txctl: nothing ran, not even the revision before it" test ! -e db.sqlite -o "$(sq db.sqlite "select count(*) from sqlite_master where name = 't'")" = 0
run upgrade x1
expect_rc 0 "txctl: a trigger body's END is no transaction end"
run upgrade head --sql
expect_rc 1 "txctl: upgrade --sql refuses it too"
expect_err "$f2:$line: COMMIT" "txctl: --sql names file and line"
printf '%s\n' "-- strata:revision x2" "-- strata:revises x1" "-- strata:message fill t" "" "-- strata:upgrade" \
  "INSERT INTO t VALUES (1);" "ROLLBACK TO SAVEPOINT nothing_here_yet;" >"$f2"
run upgrade head
expect_rc 1 "txctl: ROLLBACK TO a savepoint is not refused (SQLite then fails on the unknown savepoint)"
expect_err "no such savepoint" "txctl: ...and says so"
printf '%s\n' "-- strata:revision x2" "-- strata:revises x1" "-- strata:message fill t" "" "-- strata:upgrade" \
  "SAVEPOINT a;" "INSERT INTO t VALUES (1);" "ROLLBACK TO a;" "INSERT INTO t VALUES (2);" "RELEASE a;" >"$f2"
run upgrade head
expect_rc 0 "txctl: savepoints inside the revision are fine"
check "txctl: only the row after the savepoint rollback" test "$(sq db.sqlite 'select group_concat(x) from t')" = 2
run downgrade x1
mkrev x3 x2 "own transaction" "BEGIN;
INSERT INTO t VALUES (3);
END;
VACUUM;" "DELETE FROM t WHERE x = 3;" "-- strata:transaction off" >/dev/null
run upgrade head
expect_rc 0 "txctl: transaction off allows BEGIN … END"
check "txctl: its row is there" test "$(sq db.sqlite 'select count(*) from t where x = 3')" = 1
cd "$T"

# --- Target keywords are refused as revision ids and branch labels: a revision named
# `head` was accepted and then never reachable by its name.
mkdir kw && cd kw && project
mkrev k1 "" "one" "CREATE TABLE k (x);" "DROP TABLE k;" >/dev/null
for id in head heads base current; do
  f=$(mkrev "$id" k1 "shadowed" "SELECT 1;" "SELECT 1;")
  run upgrade head
  expect_rc 1 "kw: a revision file with id '$id' is refused"
  expect_err "$f:1: revision id '$id' is a target keyword" "kw: the error names file and line ($id)"
  rm -f "$f"
done
f=$(mkrev k2 k1 "labelled" "SELECT 1;" "SELECT 1;" "-- strata:branch-labels main heads")
run heads
expect_rc 1 "kw: a branch label 'heads' in a file is refused"
expect_err "$f:4: branch label 'heads' is a target keyword" "kw: the error names file and line (label)"
rm -f "$f"
run revision -m "x" --rev-id base
expect_rc 2 "kw: --rev-id base is a usage error"
expect_err "'base' is a target keyword" "kw: --rev-id says why"
run revision -m "x" --rev-id HEAD
expect_rc 2 "kw: --rev-id HEAD too (any case)"
run revision -m "x" --branch-label current
expect_rc 2 "kw: --branch-label current is a usage error"
expect_err "--branch-label 'current' is a target keyword" "kw: --branch-label says why"
check "kw: no file was written" test "$(ls migrations/versions | wc -l)" -eq 1
run upgrade head
expect_rc 0 "kw: the project still works"
cd "$T"

# --- A control character in a header is refused with file and line: a CR in the
# message ended the `--sql` comment line and smuggled a statement into the script.
mkdir ctl && cd ctl && project
f=migrations/versions/c1_add_index.sql
printf -- '-- strata:revision c1\n-- strata:revises\n-- strata:message add index\rDROP TABLE victim; --\n\n-- strata:upgrade\nCREATE INDEX ix ON t (x);\n' >"$f"
run upgrade head --sql
expect_rc 1 "ctl: upgrade --sql refuses a CR in the message"
expect_err "$f:3: control character 0x0d in the '-- strata:message' header" "ctl: the error names file, line and header"
check "ctl: no script was printed" test ! -s "$OUT"
run history
expect_rc 1 "ctl: history refuses it too"
printf -- '-- strata:revision c1\n-- strata:revises\n-- strata:message add index\n-- strata:created \033]0;pwned\007\n\n-- strata:upgrade\nSELECT 1;\n' >"$f"
run show c1
expect_err "$f:4: control character 0x1b in the '-- strata:created' header" "ctl: an escape sequence is refused"
rm -f "$f"
run revision -m "$(printf 'add index\rDROP TABLE victim; --')"
expect_rc 2 "ctl: revision -m with a CR is a usage error"
expect_err "control character 0x0d" "ctl: -m says why"
check "ctl: no file was written" test -z "$(ls migrations/versions)"
cd "$T"

# --- SQLite backup: the temporary copy is created safely (a symlink planted at the
# old predictable name <backup>.tmp-<pid> was written through and chmod-ed), a
# symlink at the backup's own name is never followed, a failed copy leaves nothing,
# and automatic names never collide.
mkdir bk && cd bk && project
mkrev b1 "" "data" "CREATE TABLE d (x TEXT);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 4000)
INSERT INTO d SELECT hex(randomblob(100)) FROM c;" "DROP TABLE d;" >/dev/null
run upgrade head
printf 'precious\n' >target.txt; chmod 644 target.txt
# The shell's pid is strata's: exec keeps it.
sh -c 'ln -s "$PWD/target.txt" "out.db.tmp-$$"; exec "$0" backup out.db' "$STRATA" >"$OUT" 2>"$ERR"; RC=$?
expect_rc 0 "backup: succeeds with a symlink planted at the old temporary name"
check "backup: the symlink's target is untouched" test "$(cat target.txt)" = precious
check "backup: ...and keeps its mode" test "$(stat -c %a target.txt)" = 644
check "backup: the copy holds the data" test "$(sq out.db 'select count(*) from d')" = 4000
check "backup: the copy is 0600" test "$(stat -c %a out.db)" = 600
rm -f out.db.tmp-*
ln -s "$PWD/target.txt" link.db
run backup link.db
expect_rc 1 "backup: a symlink at the backup's name is refused"
expect_err "link.db already exists" "backup: ...saying it exists"
check "backup: the symlink's target is still untouched" test "$(cat target.txt)" = precious
ln -s "$PWD/nowhere.db" dangling.db
run backup dangling.db
expect_rc 1 "backup: a dangling symlink at the backup's name is refused"
check "backup: nothing was created through it" test ! -e nowhere.db
# A copy that fails half way (the file size limit) leaves no file behind.
(trap '' XFSZ; ulimit -f 100; exec "$STRATA" backup big.db) >"$OUT" 2>"$ERR"; RC=$?
expect_rc 1 "backup: a copy that fails half way fails"
check "backup: no partial backup or temporary file is left" test -z "$(ls | grep -E '^big\.db')"
# Automatic names: two in one second, then 8 concurrent upgrade --backup.
run backup
first=$(cat "$OUT")
run backup
second=$(cat "$OUT")
expect_rc 0 "backup: a second automatic backup in the same second succeeds"
check "backup: under another name" test -n "$first" -a -n "$second" -a "$first" != "$second" -a -f "$second"
rm -f db_backup_*
pids=""
for p in 1 2 3 4 5 6 7 8; do st upgrade head --backup >"up.$p" 2>&1 & pids="$pids $!"; done
bad=0
for pid in $pids; do wait "$pid" || bad=$((bad + 1)); done
check "backup: 8 concurrent upgrade --backup all succeed" test "$bad" -eq 0
check "backup: ...with 8 distinct backups" test "$(ls db_backup_* | wc -l)" -eq 8
check "backup: no temporary file is left" test -z "$(ls | grep -- '\.tmp-')"
cd "$T"

# --- strata.ini: a line longer than inih reads was cut into pieces (a wrong line
# quoted, or a value silently cut); a misspelt key printed its value, password and
# all; lock_timeout = nan was converted to int (undefined behaviour).
mkdir ini && cd ini && project
long=$(printf 'x%.0s' $(seq 1 260))
printf '[strata]\nscript_location = migrations\n\ndatabase = sqlite:%s.db\n' "$long" >strata.ini
run current
expect_rc 1 "ini: a long line is refused"
expect_err "strata.ini:4: line longer than [0-9]+ characters" "ini: ...naming its line"
printf '[strata]\nscript_location = migrations\ndatabse = postgresql://u:hunter2@db.example/app\n' >strata.ini
run current
expect_rc 1 "ini: a misspelt key is refused"
expect_err "strata.ini:3: unknown or invalid setting 'databse'" "ini: ...naming key and line"
check "ini: ...without its value" sh -c '! grep -q hunter2 "$1"' sh "$ERR"
printf '[strata]\ndatabase = postgresql:u:hunter2@/app\n' >strata.ini
run current
expect_rc 2 "ini: a malformed URL is a usage error"
check "ini: ...its password masked" sh -c '! grep -q hunter2 "$1" && grep -q "postgresql:u:\*\*\*@/app" "$1"' sh "$ERR"
printf '[strata]\ndatabase = sqlite:db.sqlite\nlock_timeout = nan\n' >strata.ini
run current
expect_rc 1 "ini: lock_timeout = nan is refused"
expect_err "strata.ini:3: unknown or invalid setting 'lock_timeout = nan'" "ini: ...naming the line"
cd "$T"

# --- Step counts beyond a long: `downgrade -- -9223372036854775808` negated LONG_MIN
# (undefined behaviour: UBSan aborted); they are usage errors.
mkdir ub && cd ub && project
mkrev u1 "" "one" "CREATE TABLE u (x);" "DROP TABLE u;" >/dev/null
run upgrade head
for t in -9223372036854775808 -99999999999999999999 +99999999999999999999; do
  run downgrade -- "$t"
  expect_rc 2 "ub: downgrade $t is a usage error"
  expect_err "step count is out of range" "ub: ...saying the count is out of range ($t)"
done
run downgrade -- -9223372036854775807
expect_rc 1 "ub: the most negative count a long holds goes past base"
check "ub: still at u1" test "$(sq db.sqlite 'select version_num from strata_version')" = u1
cd "$T"
