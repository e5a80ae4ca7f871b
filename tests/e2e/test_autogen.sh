# Autogenerate on SQLite: migrate / revision --autogenerate, check, diff, and the
# Flask-Migrate workflow of the guides (edit the models, migrate, upgrade, check).
. "$STRATA_TOP/tests/e2e/lib.sh"
project
printf 'schema = schema.sql\n' >>strata.ini
nfiles() { ls migrations/versions | wc -l | tr -d ' '; }
schema_of() { sq db.sqlite "select type, name, sql from sqlite_master where name not like 'strata_%' order by name"; }

# No schema.sql yet.
run migrate -m "initial"
expect_rc 1 "migrate without schema.sql fails"
expect_err "schema.sql" "and names the file"

cat >schema.sql <<'EOF'
CREATE TABLE user (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT UNIQUE
);
CREATE TABLE post (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES user(id), body TEXT);
CREATE INDEX post_user ON post(user_id);
EOF

# A syntax error in schema.sql is reported with its line; nothing is written.
cp schema.sql good.sql
printf 'CREATE TABLE broken (id INTEGER,,);\n' >>schema.sql
run migrate -m "initial"
expect_rc 1 "a broken schema.sql fails"
expect_err "schema.sql:8" "naming schema.sql and the line"
check "no revision file was written" test "$(nfiles)" = 0
cp good.sql schema.sql

run diff
expect_rc 0 "diff on an empty database"
expect_out 'CREATE TABLE "user"' "prints the CREATE statements"
check "diff writes no file" test "$(nfiles)" = 0
run --format json diff
expect_rc 0 "diff --format json"
check "diff JSON parses and lists operations" sh -c "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d[\"changes\"] and len(d[\"operations\"])==3' '$OUT'"

run check
expect_rc 1 "check fails on an empty database"
expect_out "table user is in schema.sql but not in the database" "check says what differs"

run migrate -m "initial"
expect_rc 0 "migrate writes the initial revision"
expect_out "migrations/versions/.*_initial.sql" "and prints its path"
expect_out "\+ table user" "and the operations"
first=$(ls migrations/versions/*_initial.sql)
check "the revision has both sections" grep -q "DROP TABLE \"user\"" "$first"

run migrate -m "again"
expect_rc 1 "migrate with a pending revision is refused"
expect_err "Target database is not up to date" "with the SPEC phrase"
check "no second file" test "$(nfiles)" = 1

run upgrade
expect_rc 0 "upgrade runs the generated revision"
run check
expect_rc 0 "check passes once upgraded"
run migrate -m "nothing"
expect_rc 0 "migrate with nothing to do exits 0"
expect_out "No changes detected" "and says No changes detected"
check "and writes no file" test "$(nfiles)" = 1
run revision --autogenerate -m "nothing"
expect_out "No changes detected" "revision --autogenerate is the same command"

sq db.sqlite "insert into user (name, email) values ('ann', 'ann@example.com'), ('bob', 'bob@example.com');
insert into post (user_id, body) values (1, 'hello');"
before=$(schema_of)

# The models change: a new column with a default, a new table, a dropped index.
cat >schema.sql <<'EOF'
CREATE TABLE user (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT UNIQUE,
    active INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE post (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES user(id), body TEXT);
CREATE TABLE tag (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
EOF
run check
expect_rc 1 "check notices the edited schema.sql"
expect_out "user.active" "names the new column"
run migrate -m "active users and tags"
expect_rc 0 "migrate the change"
second=$(ls migrations/versions/*_active_users_and_tags.sql)
check "the new revision revises the first" grep -q "^-- strata:revises $(basename "$first" | cut -d_ -f1)" "$second"
run upgrade
expect_rc 0 "upgrade the change"
check "rows survive" test "$(sq db.sqlite 'select count(*) from user where active = 1')" = 2
check "the post still points at its user" test "$(sq db.sqlite 'select user.name from post join user on user.id = post.user_id')" = ann
run check
expect_rc 0 "check passes"
run downgrade -1
expect_rc 0 "downgrade the generated revision"
check "the downgrade restores the previous schema exactly" test "$(schema_of)" = "$before"
check "and keeps the rows" test "$(sq db.sqlite 'select count(*) from user')" = 2
run upgrade
expect_rc 0 "upgrade again"

# A rename: without --rename it is a drop and an add, flagged; with it the data stays.
sed 's/email TEXT UNIQUE/email_address TEXT UNIQUE/' schema.sql >s.tmp && mv s.tmp schema.sql
run diff
expect_err "drops column user.email" "diff warns that the data of a dropped column is lost"
expect_out "WARNING" "and the SQL carries the warning"
run migrate -m "rename email" --rename user.email:email_address
expect_rc 0 "migrate with --rename"
expect_out "rename" "reports the rename"
run upgrade
expect_rc 0 "upgrade the rename"
check "the data moved with the column" test "$(sq db.sqlite "select email_address from user where name = 'bob'")" = bob@example.com
run migrate -m "bad rename" --rename user.nosuch:other
expect_rc 2 "a --rename that names nothing is a usage error"
check "and writes no file" test "$(nfiles)" = 3

# A NOT NULL column without a default on a table with rows cannot be filled: the
# revision fails and rolls back instead of inventing values.
sed 's/    active INTEGER NOT NULL DEFAULT 1/    active INTEGER NOT NULL DEFAULT 1,\n    nickname TEXT NOT NULL/' schema.sql >s.tmp && mv s.tmp schema.sql
run migrate -m "nickname"
expect_rc 0 "migrate a NOT NULL column without default"
expect_err "WARNING|warning" "with a warning"
rev=$(sq db.sqlite 'select version_num from strata_version')
run upgrade
expect_rc 1 "the upgrade fails while rows have no value"
check "the database stays at its revision" test "$(sq db.sqlite 'select version_num from strata_version')" = "$rev"
check "and keeps its rows" test "$(sq db.sqlite 'select count(*) from user')" = 2
check "and has no half-made table" test -z "$(sq db.sqlite "select name from sqlite_master where name like '%strata_new%'")"
rm migrations/versions/*_nickname.sql
cp schema.sql want.sql
sed '/nickname/d; s/active INTEGER NOT NULL DEFAULT 1,/active INTEGER NOT NULL DEFAULT 1/' want.sql >schema.sql
run check
expect_rc 0 "back in sync"

# check: an edited applied revision is reported.
printf '\n-- a comment\n' >>"$second"
sed -i 's/^CREATE TABLE "tag"/CREATE TABLE IF NOT EXISTS "tag"/' "$second"
run check
expect_rc 1 "check fails after an applied revision was edited"
expect_out "edited after it was applied" "and says which"
run --format json check
check "check --format json lists the problem" sh -c "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert not d[\"ok\"] and any(\"edited\" in p for p in d[\"problems\"])' '$OUT'"

# Off a terminal, a look-alike pair is a drop and an add, with a hint to declare it.
sed 's/name TEXT NOT NULL UNIQUE/label TEXT NOT NULL UNIQUE/' schema.sql >s.tmp && mv s.tmp schema.sql
run diff
expect_err "tag.name to tag.label looks like a rename" "diff names the rename candidate"
expect_err "pass --rename tag.name:label" "and how to declare it"

# Every default schema.sql accepts round-trips: outside parentheses SQLite reads a lone
# identifier ("" , [x], abc) as the string of its name; rendered as it parsed it
# (a string literal), the revision runs and a second diff is empty, both ways.
mkdir -p "$T/dflt" && cd "$T/dflt" || exit 1
project
echo 'CREATE TABLE t (id INTEGER PRIMARY KEY);' >schema.sql
run migrate -m base
run upgrade
sq db.sqlite "INSERT INTO t VALUES (1), (2)"
echo 'CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL DEFAULT "", b TEXT DEFAULT [x y], c DEFAULT abc, d DEFAULT CURRENT_DATE, e DEFAULT "it'"'"'s", f DEFAULT -5);' >schema.sql
run migrate -m defaults
expect_rc 0 "migrate with identifier defaults"
run upgrade
expect_rc 0 "the revision runs (no \"not constant\" default)"
check "rows get the defaults SQLite read" test "$(sq db.sqlite "select quote(a) || b || c || e || f from t where id = 1")" = "''x yabcit's-5"
run check
expect_rc 0 "check is clean after it"
run downgrade -1
expect_rc 0 "and it downgrades"
check "keeping the rows" test "$(sq db.sqlite 'select count(*) from t')" = 2
cd "$T" || exit 1

# schema.sql is loaded into SQLite's temporary database, which spills its pages to a
# deleted file once they pass its cache; where that file cannot be written (here:
# a file size limit of 64 KiB, with SIGXFSZ ignored), the load runs again in memory
# and the diff is the same.
mkdir -p "$T/big" && cd "$T/big" || exit 1
project
printf 'schema = schema.sql\n' >>strata.ini
: >db.sqlite
awk 'BEGIN { for (i = 1; i <= 800; i++) printf "CREATE TABLE b_%d (\n    id INTEGER PRIMARY KEY,\n    name TEXT NOT NULL\n);\nCREATE INDEX ix_b_%d ON b_%d (name);\n", i, i, i }' >schema.sql
run diff
expect_rc 0 "diff of 800 tables"
cp "$OUT" diff.full
check "it creates the 800 tables" test "$(grep -c '^CREATE TABLE' diff.full)" = 800
# (The output goes through a pipe, which the limit does not cover.)
{ sh -c 'trap "" XFSZ; ulimit -f 128; exec "$@"' sh ${STRATA_VG:-} "$STRATA" diff 2>"$ERR"; echo $? >rc; } | cat >"$OUT"
RC=$(cat rc)
expect_rc 0 "diff where the temporary file cannot grow"
check "gives the same diff" cmp -s "$OUT" diff.full
cd "$T" || exit 1
