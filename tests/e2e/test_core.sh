# Core workflow on SQLite: init, revision, upgrade, downgrade, current, history,
# heads, branches, show, status, stamp, backup, --sql.
. "$STRATA_TOP/tests/e2e/lib.sh"

run init
expect_rc 0 "init succeeds"
check "init creates the layout" test -d migrations/versions -a -f strata.ini -a -f schema.sql
run init
expect_rc 1 "init refuses a non-empty directory"
expect_err "already exists and is not empty" "init names the problem"
run init other
expect_rc 0 "init DIR uses another directory"
check "init DIR creates DIR/versions" test -d other/versions
rm -rf other

run revision -m "create users"
expect_rc 0 "revision creates a file"
r1=$(cat "$OUT"); id1=$(sed -n 's/^-- strata:revision //p' "$r1")
check "revision prints the path of a new file" test -f "$r1"
check "revision id is 12 hex digits" sh -c "echo $id1 | grep -Eq '^[0-9a-f]{12}$'"
check "the file name is id_slug.sql" sh -c "basename $r1 | grep -q '^${id1}_create_users.sql$'"
check "a base revision has an empty revises line" grep -qx -- '-- strata:revises ' "$r1"
cat >"$r1" <<SQL
-- strata:revision $id1
-- strata:revises
-- strata:message create users

-- strata:upgrade
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE INDEX ix_users_name ON users (name);

-- strata:downgrade
DROP INDEX ix_users_name;
DROP TABLE users;
SQL
run revision -m "add email" --rev-id add_email_2024
expect_rc 0 "revision --rev-id"
r2=$(cat "$OUT")
check "--rev-id names the file" test -f migrations/versions/add_email_2024_add_email.sql
check "the new revision revises the head" grep -qx -- "-- strata:revises $id1" "$r2"
sed -i 's/^-- strata:upgrade$/-- strata:upgrade\nALTER TABLE users ADD COLUMN email TEXT;/; s/^-- strata:downgrade$/-- strata:downgrade\nALTER TABLE users DROP COLUMN email;/' "$r2"

run current
expect_rc 1 "current before the database exists fails"
expect_err "SQLite database instance/app.db does not exist" "naming the file"
check "and creates neither it nor its directory" test ! -e instance
mkdir instance && sq instance/app.db 'PRAGMA user_version = 0'
run current
expect_rc 0 "current on a fresh database"
check "current prints nothing at base" test ! -s "$OUT"
run status
expect_out "^\[ \] $id1 create users$" "status shows pending revisions"

run upgrade
expect_rc 0 "upgrade head"
check "the tables exist" sh -c "sqlite3 instance/app.db .tables | grep -q users"
check "strata_version holds the head" test "$(sq instance/app.db 'select version_num from strata_version')" = add_email_2024
check "strata_history has one row per revision" test "$(sq instance/app.db "select count(*) from strata_history where direction='up' and success=1")" = 2
check "history checksums are SHA-256 hex" test "$(sq instance/app.db "select count(*) from strata_history where length(checksum)=64")" = 2
check "the database file is not a tty-only progress victim" test ! -s "$OUT"
run current
expect_out "^add_email_2024 \(head\)$" "current marks the head"
run status
expect_out "^\[X\] $id1 create users$" "status marks applied revisions"
run upgrade
expect_rc 0 "upgrade again is a no-op"
check "still two up rows" test "$(sq instance/app.db "select count(*) from strata_history where direction='up'")" = 2

run history
expect_out "^$id1 -> add_email_2024 \(head\), add email$" "history line for the head"
expect_out "^<base> -> $id1, create users$" "history line for the base"
check "history is newest first" sh -c "head -1 $OUT | grep -q add_email_2024"
run history -i
expect_out "\(head\) \(current\), add email" "history -i marks current"
run history -r "$id1:$id1"
check "history -r A:A shows one revision" test "$(wc -l <"$OUT")" -eq 1
run history -r :base
expect_rc 0 "history -r :base"
run history -r current:
expect_out "add_email_2024" "history -r current:"
run show add_email
expect_rc 0 "show by prefix"
expect_out "^Rev: add_email_2024 \(head\)$" "show prints the revision"
expect_out "^Parent: $id1$" "show prints the parent"
expect_out "ALTER TABLE users ADD COLUMN email TEXT" "show prints the SQL"
run heads
expect_out "^add_email_2024 \(head\)$" "heads"

run downgrade
expect_rc 0 "downgrade -1"
run current
expect_out "^$id1$" "downgrade -1 moves one step"
check "email column is gone" sh -c "! sqlite3 instance/app.db 'select email from users' 2>/dev/null"
run upgrade +1
expect_rc 0 "upgrade +1"
run current
expect_out "^add_email_2024 \(head\)$" "upgrade +1 reaches the head"
run downgrade base
expect_rc 0 "downgrade base"
run current
check "at base nothing is current" test ! -s "$OUT"
check "the tables are gone" test -z "$(sq instance/app.db "select name from sqlite_master where name='users'")"
run upgrade "$id1"
expect_rc 0 "upgrade to a full id"
run current
expect_out "^$id1$" "upgrade to an id stops there"
run upgrade head --single-transaction
expect_rc 0 "upgrade --single-transaction"
run current
expect_out "add_email_2024" "single transaction reaches head"

# stamp
run stamp base
expect_rc 0 "stamp base"
run current
check "stamp base empties the version table" test ! -s "$OUT"
check "stamp ran nothing: tables stay" test -n "$(sq instance/app.db "select name from sqlite_master where name='users'")"
run stamp head
expect_rc 0 "stamp head"
run current
expect_out "^add_email_2024 \(head\)$" "stamp head records the head"

# offline SQL needs no database
run -d sqlite:/nonexistent/dir/x.db upgrade --sql
expect_rc 0 "upgrade --sql needs no database"
expect_out "CREATE TABLE IF NOT EXISTS strata_version" "--sql includes the version table"
expect_out "INSERT INTO strata_version \(version_num\) VALUES \('$id1'\)" "--sql includes version updates"
expect_out "CREATE INDEX ix_users_name ON users \(name\);" "--sql includes the statements"
check "--sql created no database" test ! -e /nonexistent/dir/x.db
run downgrade --sql "head:base"
expect_rc 0 "downgrade --sql head:base"
expect_out "DROP TABLE users;" "downgrade SQL"
expect_out "DELETE FROM strata_version WHERE version_num = '$id1'" "downgrade SQL removes versions"

# backup
run backup "$T/copy.db"
expect_rc 0 "backup PATH"
check "backup is a valid database" test "$(sq "$T/copy.db" 'pragma integrity_check')" = ok
check "backup mode is 0600" test "$(stat -c %a "$T/copy.db")" = 600
check "backup has the data" test "$(sq "$T/copy.db" 'select version_num from strata_version')" = add_email_2024
run backup "$T/copy.db"
expect_rc 1 "backup refuses to overwrite"
run downgrade -1 --backup
expect_rc 0 "downgrade --backup"
expect_err "backed up the database to instance/app_backup_[0-9_]+\.db" "--backup says where"

# global options after the command, DATABASE_URL and -d precedence
DATABASE_URL=sqlite:env.db st upgrade >/dev/null 2>&1
check "DATABASE_URL overrides the config" test -f env.db
run upgrade -d sqlite:flag.db
check "-d after the command works" test -f flag.db
DATABASE_URL=sqlite:env2.db st -d sqlite:flag2.db upgrade >/dev/null 2>&1
check "-d wins over DATABASE_URL" test -f flag2.db -a ! -f env2.db
run --version
expect_out "^strata [0-9]+\.[0-9]+\.[0-9]+$" "--version"
run upgrade --help
expect_rc 0 "command --help"
expect_out "strata upgrade \[TARGET\]" "command help shows the synopsis"
