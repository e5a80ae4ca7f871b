# The index of parsed revision files (migrations/versions/.strata-index): never a
# wrong answer. Each change a user can make to the files is seen by the very next
# command: an edit (also of the same size, in the same second), a new file, a removed
# one, a rename; a truncated or damaged index is rebuilt, not trusted; a directory the
# index cannot be written to still works; concurrent writers leave a whole index.
. "$STRATA_TOP/tests/e2e/lib.sh"
project
V=migrations/versions
IX=$V/.strata-index
mkrev aaaa00000001 "" "first" "CREATE TABLE a (id INTEGER);" "DROP TABLE a;" >/dev/null
mkrev bbbb00000002 aaaa00000001 "second" "CREATE TABLE b (id INTEGER);" "DROP TABLE b;" >/dev/null
mkrev cccc00000003 bbbb00000002 "third" "CREATE TABLE c (id INTEGER);" "DROP TABLE c;" >/dev/null

# edit SED-EXPR FILE: rewrites FILE in place (same inode, as an editor saving over it).
edit() { sed "$1" "$2" >"$T/edit.tmp" && cat "$T/edit.tmp" >"$2"; }
ino() { ls -i "$IX" 2>/dev/null | awk '{ print $1 }'; }
# settle: runs `heads` until a run takes every file from the index (it then leaves the
# index as it was: same inode). Files changed just before a run are "racy" and read
# again by the next one, so this takes a few runs at most; up to 20 are allowed.
settle() {
  i=0
  while [ $i -lt 20 ]; do
    before=$(ino); st heads >/dev/null 2>&1
    [ -n "$before" ] && [ "$before" = "$(ino)" ] && return 0
    i=$((i + 1))
  done
  return 1
}

run heads
expect_out "^cccc00000003 \(head\)" "heads on three files"
check "the first load writes the index" test -f "$IX"
check "a run that changes nothing takes every file from the index" settle
run history
expect_out "bbbb00000002 -> cccc00000003 \(head\), third" "history from the index"

# Same size, same second: the message 'third' becomes 'THIRD' and c now revises a
# (ids of the same length), right after a run that used the index.
C=$(ls $V/cccc00000003_*.sql)
sz=$(wc -c <"$C")
inode=$(ls -i "$C" | awk '{ print $1 }')
edit 's/^-- strata:message third$/-- strata:message THIRD/; s/^-- strata:revises bbbb00000002$/-- strata:revises aaaa00000001/' "$C"
check "the edit kept the inode" test "$(ls -i "$C" | awk '{ print $1 }')" = "$inode"
check "the edit kept the size" test "$(wc -c <"$C")" = "$sz"
run heads
expect_out "^bbbb00000002 \(head\)" "a same-size edit is seen at once: b is a head again"
check "two heads" test "$(wc -l <"$OUT")" -eq 2
run history
expect_out "aaaa00000001 -> cccc00000003 \(head\), THIRD" "the edited message"

settle
# An edit that keeps size and mtime (touch -r restores the old time): the ctime moves.
cp -p "$C" "$T/keep.sql"
edit 's/THIRD/Third/' "$C"
touch -r "$T/keep.sql" "$C"
run history
expect_out "cccc00000003 \(head\), Third" "an edit with the mtime set back is seen"

settle
mkrev dddd00000004 cccc00000003 "fourth" "CREATE TABLE d (id INTEGER);" "DROP TABLE d;" >/dev/null
run history
expect_out "cccc00000003 -> dddd00000004 \(head\), fourth" "an added file is seen"
expect_no_out "cccc00000003 \(head\)" "its parent is no head any more"

settle
rm $V/dddd00000004_*.sql
run heads
expect_out "^cccc00000003 \(head\)" "a removed file is seen"
expect_no_out "dddd00000004" "the removed revision is gone"

settle
mv $V/bbbb00000002_second.sql $V/bbbb00000002_renamed.sql
run show bbbb00000002
expect_out "Path: .*bbbb00000002_renamed\.sql" "a renamed file is seen under its new name"

# Same content, another name and inode (a checkout rewriting the file): still right.
settle
cp "$V/bbbb00000002_renamed.sql" "$T/b.sql" && rm "$V/bbbb00000002_renamed.sql" && cp "$T/b.sql" "$V/bbbb00000002_renamed.sql"
run history
expect_out "aaaa00000001 -> bbbb00000002 \(head\), second" "a replaced file"

# A broken file is reported by the next command, whatever the index held for it.
settle
cp "$C" "$T/c.sql"
edit 's/^-- strata:revision cccc00000003$/-- strata:revision cccc0000000!/' "$C"
run heads
expect_rc 1 "a file broken after it was indexed fails the next command"
expect_err "cccc00000003_third.sql:1: invalid revision id" "naming the file and line"
cat "$T/c.sql" >"$C"
run heads
expect_rc 0 "and works again once repaired"

# A truncated index, and one with a byte changed: rebuilt, never trusted.
settle
good=$(ino)
size=$(wc -c <"$IX")
head -c $((size / 2)) "$IX" >"$T/half" && cat "$T/half" >"$IX"
run history
expect_rc 0 "history with a truncated index"
expect_out "cccc00000003 \(head\), Third" "the right answer from a truncated index"
check "a truncated index is written anew" test "$(wc -c <"$IX")" -eq "$size"
settle
printf 'X' | dd of="$IX" bs=1 seek=$((size - 20)) conv=notrunc 2>/dev/null
run history
expect_out "aaaa00000001 -> cccc00000003 \(head\), Third" "a damaged index is not trusted"
check "a damaged index is rebuilt" settle
printf 'not an index' >"$IX"
run heads
expect_out "^bbbb00000002 \(head\)" "a foreign file in the index's place is ignored"
check "and replaced" settle

# An index that cannot be written: no error, no index, the right answer. (A directory
# in its place makes the rename fail even for root; a read-only directory for others.)
rm -f "$IX" && mkdir "$IX"
run heads
expect_rc 0 "heads when the index cannot be written"
expect_out "^cccc00000003 \(head\)" "the right answer without an index"
check "nothing on stderr" test ! -s "$ERR"
check "no temporary file left behind" test -z "$(ls -a $V | grep tmp)"
rmdir "$IX"
if [ "$(id -u)" != 0 ]; then
  chmod a-w $V
  run heads
  expect_rc 0 "heads in a read-only directory"
  check "no index written there" test ! -e "$IX"
  chmod u+w $V
fi

# Concurrent writers: eight loads at once after every file changed; the index left
# behind is whole (the next runs use it) and right.
touch $V/*.sql
for i in 1 2 3 4 5 6 7 8; do st heads >"$T/c$i.out" 2>&1 & done
wait
check "every concurrent run gave the same answer" test "$(cat "$T"/c?.out | sort -u | wc -l)" -eq 2
check "the index they left is whole" settle
run heads
check "and gives the right heads" test "$(wc -l <"$OUT")" -eq 2
check "no temporary files left by the writers" test -z "$(ls -a $V | grep tmp)"

# Upgrading through the index runs the files' SQL as it is now.
settle
edit 's/CREATE TABLE c (id INTEGER);/CREATE TABLE c (id TEXT); /' "$C"
run upgrade heads
expect_rc 0 "upgrade through the index"
check "the edited SQL ran" test "$(sq db.sqlite "select type from pragma_table_info('c')")" = TEXT

# `strata init` keeps the index out of version control: git sees the revisions, not it.
mkdir "$T/fresh" && cd "$T/fresh" && git init -q . 2>/dev/null
run init
expect_rc 0 "init in a git work tree"
mkrev aaaa00000001 "" "first" "CREATE TABLE a (id INTEGER);" "DROP TABLE a;" >/dev/null
st heads >/dev/null 2>&1
check "the index was written" test -f migrations/versions/.strata-index
check "git ignores the index" git check-ignore -q migrations/versions/.strata-index
check "git does not ignore the revision files" sh -c '! git check-ignore -q migrations/versions/aaaa00000001_*.sql'

# A large index (2 MB and more: about 5,000 revisions) is read on a thread while the
# directory is listed: the same guarantees there. 7,000 revisions in a chain.
mkdir -p "$T/large" && cd "$T/large" || exit 1
project
awk -v vdir="$V" 'BEGIN {
  prev = ""
  for (i = 1; i <= 7000; i++) {
    id = sprintf("l%011d", i); f = sprintf("%s/%s_step.sql", vdir, id)
    printf "-- strata:revision %s\n-- strata:revises %s\n-- strata:message step %d of a long history\n\n-- strata:upgrade\nCREATE TABLE t_%d (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT);\nCREATE INDEX ix_t_%d ON t_%d (name);\n\n-- strata:downgrade\nDROP TABLE t_%d;\n", id, prev, i, i, i, i, i > f
    close(f); prev = id
  }
}'
run heads
expect_out "^l00000007000 \(head\)" "heads of 7,000 revisions"
check "the index is large enough to be read on a thread" test "$(wc -c <"$IX")" -ge 2097152
check "a run of the large index takes every file from it" settle
L=$V/l00000007000_step.sql
edit 's/step 7000/STEP 7000/' "$L"
run history
expect_out "STEP 7000" "an edit is seen through the large index"
printf '%s\n' "-- strata:revision l00000007001" "-- strata:revises l00000007000" "-- strata:message one more" "" \
  "-- strata:upgrade" "SELECT 1;" "" "-- strata:downgrade" "SELECT 1;" >$V/l00000007001_more.sql
run heads
expect_out "^l00000007001 \(head\)" "a new file is seen through the large index"
settle
printf 'STRATAIX garbage' | dd of="$IX" bs=1 seek=100 conv=notrunc 2>/dev/null
run heads
expect_rc 0 "a damaged large index is not an error"
expect_out "^l00000007001 \(head\)" "a damaged large index is rebuilt, not trusted"
rm -f $V/l00000007001_more.sql
run heads
expect_out "^l00000007000 \(head\)" "a removed file is seen through the large index"
cd "$T" || exit 1
