# libstrata's contract, from a program built against an installed tree (DESTDIR):
# strata.pc (only what libstrata.a uses), a revision written in C beside SQL files,
# step hooks that act inside the revision's transaction and can abort it, typed
# status codes with the failing revision/file/line as fields, the STEP_FAILED event,
# strata_upgrade_ex's result, dry_run's events, edited revisions (warning, or an
# error), ignore_unknown, strata_sql with a NULL target; and lock_timeout that waits
# what it says.
. "$STRATA_TOP/tests/e2e/lib.sh"

build_under_test

# --- install into a DESTDIR tree; pkg-config reads it through the sysroot ------------------
D="$T/dest"
if [ -n "$MAKESAN" ]; then
  make -s -C "$STRATA_TOP" install DESTDIR="$D" PREFIX=/usr/local BUILD="$bdir" $MAKESAN CFLAGS="-O1 -g" >"$OUT" 2>"$ERR"
else
  make -s -C "$STRATA_TOP" install DESTDIR="$D" PREFIX=/usr/local BUILD="$bdir" >"$OUT" 2>"$ERR"
fi
RC=$?
expect_rc 0 "make install DESTDIR=… PREFIX=/usr/local"
export PKG_CONFIG_PATH="$D/usr/local/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$D"
libs=$(pkg-config --static --libs strata)
check "strata.pc names no libpq, libmariadb nor libcrypto (opened at run time)" sh -c "! echo '$libs' | grep -Eq -- '-l(pq|mariadb|crypto)'"
check "strata.pc brings sqlite3, inih, cjson, -ldl and -pthread" \
  sh -c "for l in -lstrata -lsqlite3 -linih -lcjson -ldl -pthread; do echo ' $libs ' | grep -q -- \" \$l \" || exit 1; done"
CCW="cc -std=c11 -Wall -Wextra -Werror $SANFLAGS"
src="$STRATA_TOP/tests/e2e/library/libcheck.c"
# Fully static when every library has its archive (Debian ships no libcjson.a:
# then the dynamic form, which must link as well).
if [ -z "$SANFLAGS" ] && [ -f "$(pkg-config --variable=libdir libcjson)/libcjson.a" ]; then
  check "cc -static \$(pkg-config --static --libs strata) links" \
    sh -c "$CCW -static \$(pkg-config --cflags strata) -o libcheck '$src' $libs 2>'$ERR'"
else
  check "cc \$(pkg-config --cflags --libs strata) links (no static libcjson here)" \
    sh -c "$CCW \$(pkg-config --cflags strata) -o libcheck '$src' \$(pkg-config --libs strata)"
fi
L="$T/libcheck"
[ -x "$L" ] || { echo "not ok - no libcheck program"; exit 1; }

project
mkrev a1 "" "create t" "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER);" "DROP TABLE t;" >/dev/null
mkrev a3 "c2" "t.note" "ALTER TABLE t ADD COLUMN note TEXT;" "ALTER TABLE t DROP COLUMN note;" >/dev/null
lc() { "$L" "$@" >"$OUT" 2>"$ERR"; RC=$?; }

# dry_run: the events it promises, nothing changed.
lc dry.db head dry
expect_rc 0 "dry run"
expect_out "^begin c2 2/3$" "reports each step with index and total (the C revision among them)"
expect_out "^statement ALTER TABLE t ADD COLUMN note TEXT$" "and each statement"
expect_out "^end a3$" "and the step ends"
expect_out "^applied:$" "applies nothing"
expect_out "^offline: to a3$" "strata_sql with a NULL target renders up to head"
check "the database has no table" test -z "$(sq dry.db "select name from sqlite_master where name = 't'")"

# A C revision between SQL files, with hooks acting inside each transaction.
lc app.db head hooks
expect_rc 0 "upgrade through the C revision"
expect_out "^applied: a1 c2 a3$" "strata_upgrade_ex returns what it applied, in order"
check "the C function filled t (strata_exec, strata_query)" test "$(sq app.db 'select count(*) from t')" = 3
check "the hooks wrote their audit rows" test "$(sq app.db 'select group_concat(rev) from audit')" = "up a1,up c2,up a3"
check "the CLI sees the same history" test "$(sq app.db 'select version_num from strata_version')" = a3
lc app.db c2 hooks down abort=a3
expect_rc 7 "an after_step hook returning non-zero aborts the downgrade (STRATA_ESTEP_FAILED)"
expect_out "^failed a3 line=0: the after_step hook of revision a3 failed" "a STEP_FAILED event names the revision"
expect_out "^rc=7 code=7 failed=a3 file=migrations/versions/a3_t.note.sql line=0$" "failed revision and file as fields"
check "its work and audit row rolled back" test "$(sq app.db "select count(*) from pragma_table_info('t') where name = 'note'")-$(sq app.db "select count(*) from audit where rev = 'down a3'")" = 1-0
check "the database stays at a3" test "$(sq app.db 'select version_num from strata_version')" = a3
lc app.db a1 down
expect_rc 0 "downgrade through the C revision's downgrade function"
expect_out "^applied: a3 c2$" "reverted a3 then c2"
check "which emptied t" test "$(sq app.db 'select count(*) from t')" = 0

# A C revision that fails: rolled back, typed status, line 0 (no statement).
lc app.db head cfail
expect_rc 7 "a failing C function fails its revision"
expect_out "^failed c2 line=0: the upgrade function of revision c2 failed" "STEP_FAILED for c2"
expect_out "no such table: no_such_table" "with what strata_exec left on the handle"
check "its inserts rolled back" test "$(sq app.db 'select count(*) from t')" = 0
check "at a1" test "$(sq app.db 'select version_num from strata_version')" = a1

# A failing SQL statement: file and line as fields.
f=$(mkrev a4 "a3" "bad" "SELECT 1;
INSERT INTO nowhere VALUES (1);" "")
line=$(grep -n nowhere "$f" | cut -d: -f1)
lc app.db head
expect_rc 7 "a failing statement: STRATA_ESTEP_FAILED"
expect_out "^failed a4 line=[0-9]+: upgrade of a4 failed at" "STEP_FAILED carries the message"
expect_out "^rc=7 code=7 failed=a4 file=$f line=$line$" "revision, file and line ($line)"
expect_out "^applied: c2 a3$" "and the result lists what was applied before it"
rm migrations/versions/a4_bad.sql

# An edited revision: a WARNING event, or with edited_is_error a typed failure.
sed -i 's/INTEGER PRIMARY KEY, n INTEGER/INTEGER PRIMARY KEY, n BIGINT/' migrations/versions/a1_create_t.sql
mkrev a5 "a3" "more" "CREATE TABLE more (id INTEGER);" "DROP TABLE more;" >/dev/null
lc app.db head strict
expect_rc 8 "edited_is_error: STRATA_EEDITED"
expect_out "revision a1 was edited after it was applied" "naming the revision"
check "nothing ran" test "$(sq app.db 'select version_num from strata_version')" = a3
lc app.db head
expect_rc 0 "without it the upgrade runs"
expect_out "^warning revision a1 was edited after it was applied" "with a WARNING event"

# ignore_unknown: a database a newer program moved on.
sq app.db "update strata_version set version_num = 'zz9'"
lc app.db head
expect_rc 4 "an unknown revision in the database: STRATA_EUNKNOWN_REVISION"
lc app.db head ignore
expect_rc 0 "ignore_unknown: nothing to do"
expect_out "^warning the database records revision\(s\) zz9 that no file defines" "said in a WARNING event"
check "the version table is untouched" test "$(sq app.db 'select version_num from strata_version')" = zz9

# The CLI (a project of its own: it knows no C revision).
mkdir cli && cd cli && project
mkrev b1 "" "one" "CREATE TABLE one (id INTEGER);" "DROP TABLE one;" >/dev/null
st upgrade >/dev/null 2>&1
sq db.sqlite "update strata_version set version_num = 'zz9'"
run upgrade
expect_rc 1 "the CLI maps the typed code (unknown revision) to exit 1"
expect_err "Can't locate revision identified by 'zz9'" "with the usual message"

# lock_timeout waits what it says, once (was twice: the edited-revision check waited
# too). Two timeouts 1000 ms apart: their run times differ by about 1000 ms, whatever
# starting strata costs (was 2000).
# The other process holds its lock until told to let go (through a FIFO), however
# slowly the runs go on a loaded machine.
sq lock.db "create table x (y)"
mkfifo hold.fifo
# (The holder waits out the poll below rather than failing its BEGIN on the poll's read.)
( printf '.timeout 10000\nBEGIN EXCLUSIVE;\nINSERT INTO x VALUES (1);\n.shell read go <hold.fifo\nROLLBACK;\n' | sqlite3 lock.db ) &
i=0
until [ "$(sqlite3 -cmd '.timeout 0' lock.db 'select count(*) from x' 2>&1)" != 0 ] || [ $i -ge 100 ]; do sleep 0.05; i=$((i + 1)); done
timed() { t0=$(date +%s%N); run -d sqlite:lock.db upgrade; ms=$(( ($(date +%s%N) - t0) / 1000000 )); }
printf '\nlock_timeout = 200ms\n' >>strata.ini
timed; short=$ms
expect_rc 1 "upgrade while another process holds the database"
expect_err "database is locked" "says so"
sed -i 's/^lock_timeout = 200ms$/lock_timeout = 1200ms/' strata.ini
timed; long=$ms
expect_err "for more than 1200 ms" "with the longer timeout too"
check "the timeouts differ by 1000 ms, the run times by $((long - short)) ms (not twice that)" \
  test $((long - short)) -gt 800 -a $((long - short)) -lt 1500
echo go >hold.fifo
wait
