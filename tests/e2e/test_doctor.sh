# doctor (each troubleshooting case of the SPEC, its fix, --fix --yes) and reset
# (squash the history safely: refuses when out of sync, backs up, loses nothing).
. "$STRATA_TOP/tests/e2e/lib.sh"
project
printf 'schema = schema.sql\nlock_timeout = 300ms\n' >>strata.ini
cat >schema.sql <<'SQL'
CREATE TABLE user (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
SQL
st migrate -m "initial" >/dev/null && st upgrade >/dev/null
sq db.sqlite "insert into user (name) values ('ann'), ('bob')"
run doctor
expect_rc 0 "doctor on a healthy project"
expect_out "^healthy" "says healthy"
run --format json doctor
check "doctor JSON: healthy" sh -c "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d[\"healthy\"] and d[\"problems\"]==0' '$OUT'"
base=$(sq db.sqlite 'select version_num from strata_version')

# Multiple heads after a team merge.
mkrev b00000000001 "$base" "alice" "CREATE TABLE a (id INTEGER);" "DROP TABLE a;" >/dev/null
mkrev b00000000002 "$base" "bob" "CREATE TABLE b (id INTEGER);" "DROP TABLE b;" >/dev/null
run doctor
expect_rc 1 "doctor with two heads"
expect_out "Multiple head revisions are present" "names the problem with the usual phrase"
expect_out "fix: strata merge heads" "and the fix"
expect_out "2 pending revision" "and the pending revisions"
run doctor --fix
expect_rc 1 "--fix off a terminal asks and, unanswered, changes nothing"
check "no merge file written" test "$(ls migrations/versions | wc -l)" = 3
run doctor --yes
expect_rc 2 "--yes without --fix is a usage error"
run doctor --fix --yes
expect_out "fixed: wrote .*merge_heads" "--fix --yes writes the merge revision"
run heads
check "one head after the fix" test "$(wc -l <"$OUT")" = 1
run upgrade
expect_rc 0 "upgrade through the merge"
sed -i '$a CREATE TABLE a (id INTEGER);\nCREATE TABLE b (id INTEGER);' schema.sql
run doctor
expect_rc 0 "healthy again"

# schema.sql out of sync: a column only in the database, a table only in schema.sql.
sq db.sqlite "alter table user add column sneaky TEXT"
printf 'CREATE TABLE extra (id INTEGER);\n' >>schema.sql
run doctor
expect_rc 1 "doctor with schema.sql out of sync"
expect_out "out of sync" "says so"
expect_out "user.sneaky" "names the column"
expect_out "extra" "names the table"
expect_out "fix: strata migrate" "suggests migrate"
run --format json doctor
check "doctor JSON lists the details" sh -c "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); f=[x for x in d[\"findings\"] if not x[\"ok\"]]; assert len(f)==1 and len(f[0][\"details\"])==2, f' '$OUT'"
sq db.sqlite "alter table user drop column sneaky"
sed -i '/extra/d' schema.sql

# An applied revision edited afterwards.
f=$(ls migrations/versions/*alice.sql)
cp "$f" alice.bak
sed -i 's/CREATE TABLE a (id INTEGER);/CREATE TABLE a (id INTEGER, x TEXT);/' "$f"
run doctor
expect_rc 1 "doctor with an edited revision"
expect_out "b00000000001 was edited after it was applied" "names it"
cp alice.bak "$f"

# The database at a revision no file defines.
sq db.sqlite "update strata_version set version_num = 'deadbeef0000'"
run doctor
expect_rc 1 "doctor with an unknown revision"
expect_out "Can't locate revision identified by 'deadbeef0000'" "uses the usual phrase"
expect_out "strata stamp" "suggests stamp"
run doctor --fix --yes
expect_out "fixed: stamped the database" "--fix stamps the head, as schema.sql matches the database"
run current
expect_out "(head)" "the database is at the head"

# A revision file that does not parse.
printf 'not a revision\n' >migrations/versions/zz_broken.sql
run doctor
expect_rc 1 "doctor with a broken file"
expect_out "zz_broken.sql" "names the file"
rm migrations/versions/zz_broken.sql

# A lock held by another process.
( printf 'BEGIN IMMEDIATE;\nINSERT INTO user (name) VALUES (1);\n.shell sleep 2\nROLLBACK;\n' | sqlite3 db.sqlite ) &
sleep 0.5
run doctor
expect_rc 1 "doctor while another process holds the lock"
expect_out "database is locked" "says who is in the way"
wait

# Tables without a version table (a database made before strata).
sq legacy.db "CREATE TABLE user (id INTEGER PRIMARY KEY, name TEXT NOT NULL); CREATE TABLE a (id INTEGER); CREATE TABLE b (id INTEGER);"
run -d sqlite:legacy.db doctor
expect_rc 1 "doctor on tables without a version table"
expect_out "already exist" "says the tables already exist"
expect_out "strata stamp head" "suggests stamp head"
run -d sqlite:legacy.db doctor --fix --yes
expect_out "fixed: stamped" "--fix stamps it, the tables matching schema.sql"
run -d sqlite:legacy.db doctor
expect_rc 0 "and it is healthy"

# reset: refuses, changing nothing, while out of sync.
sq db.sqlite "alter table user add column sneaky TEXT"
ls migrations/versions >files.before
rev=$(sq db.sqlite 'select version_num from strata_version')
run reset --yes
expect_rc 1 "reset refuses while the database and schema.sql differ"
expect_err "does not match" "and says why"
check "the files are untouched" sh -c 'ls migrations/versions | cmp -s - files.before'
check "the version is untouched" test "$(sq db.sqlite 'select version_num from strata_version')" = "$rev"
check "no backup folder" test -z "$(ls -d migrations/backup-* 2>/dev/null)"
sq db.sqlite "alter table user drop column sneaky"
run reset
expect_rc 1 "reset off a terminal without --yes asks and stops"
expect_err "needs confirmation" "says to pass --yes"
check "still untouched" sh -c 'ls migrations/versions | cmp -s - files.before'

run reset --yes -m "squashed"
expect_rc 0 "reset --yes"
expect_out "backed up the database to" "prints the backup"
check "one revision file left" test "$(ls migrations/versions | wc -l)" = 1
check "the old files are kept" test "$(ls migrations/backup-*/ | wc -l)" = 4
backup=$(sed -n 's/^backed up the database to //p' "$OUT")
check "the database backup exists" test -s "$backup"
run current
expect_out "(head)" "the database is stamped at the new revision"
check "the data is intact" test "$(sq db.sqlite 'select count(*) from user')" = 2
run check
expect_rc 0 "check passes after the reset"
run upgrade
expect_rc 0 "upgrade has nothing to do"
run -d sqlite:fresh.db upgrade
expect_rc 0 "the squashed revision builds a fresh database"
run -d sqlite:fresh.db check
expect_rc 0 "which matches schema.sql, as the old one does"

# Partial files of a strata killed while writing (a backup beside the database, a
# revision file): reported, and removed by --fix.
touch db.sqlite.tmp-Ab12Cd "migrations/versions/f00_x.sql.tmp-Zz9Yy8"
run doctor
expect_rc 1 "doctor with partial files left behind"
expect_out "2 partial file\(s\) left by a strata that was killed" "counts them"
expect_out "db.sqlite.tmp-Ab12Cd" "names the one beside the database"
expect_out "f00_x.sql.tmp-Zz9Yy8" "and the one among the revisions"
run doctor --fix --yes
expect_out "fixed: removed 2 file\(s\)" "--fix removes them"
check "they are gone" test ! -e db.sqlite.tmp-Ab12Cd -a ! -e migrations/versions/f00_x.sql.tmp-Zz9Yy8
run doctor
expect_rc 0 "healthy again"
