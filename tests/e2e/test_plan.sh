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

# Hand-written revisions are read with the splitter's lexer: keywords inside strings,
# quoted names and comments are not taken for statements; lossy statements are listed.
mkrev p00000000004 p00000000003 "hand" "ALTER TABLE users ADD COLUMN note TEXT DEFAULT 'please drop everything; DROP TABLE users';
-- DELETE FROM users; (a comment, not a statement)
INSERT INTO users (email) VALUES ('TRUNCATE users');
ALTER TABLE \"drop table x\" RENAME TO y;
DELETE FROM users WHERE id = 1;
UPDATE users SET note = '-- WARNING: not a warning';" "SELECT 1;" >/dev/null
run upgrade p00000000004 --plan
expect_rc 0 "plan of a hand-written revision"
expect_no_out "!" "no danger read out of strings, quoted names or comments"
mkrev p00000000005 p00000000004 "lossy" "DELETE FROM users;
truncate table users;
ALTER TABLE users ALTER COLUMN email TYPE varchar(10), DROP COLUMN IF EXISTS note;
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
drop table if exists \"old data\", users;" "SELECT 1;" >/dev/null
run upgrade --plan
expect_out "^    ! deletes every row of users$" "flags DELETE without WHERE"
expect_out "^    ! truncates table users$" "flags TRUNCATE"
expect_out "^    ! changes the type of users.email$" "flags ALTER COLUMN TYPE"
expect_out "^    ! drops column users.note$" "flags DROP COLUMN IF EXISTS in a clause list"
expect_out "^    ! adds NOT NULL to users.email$" "flags SET NOT NULL"
expect_out "^    ! drops table old data$" "flags each table of DROP TABLE, quoted names read"
expect_out "^    ! drops table users$" "flags DROP TABLE IF EXISTS"
check "the lossy revision is listed under its own line" sh -c "grep -A8 '^upgrade p00000000005' $OUT | grep -q 'deletes every row'"
# MariaDB's ALTER TABLE clauses that drop a key, not a column, are not read as columns
# (a column named like a keyword is still one after COLUMN).
mkrev p00000000006 p00000000005 "keys" "ALTER TABLE users DROP FOREIGN KEY fk_a, DROP PRIMARY KEY, DROP INDEX ix_b, DROP KEY ix_c, DROP CHECK ck_d, DROP CONSTRAINT ck_e;
ALTER TABLE users DROP COLUMN \`key\`;" "SELECT 1;" >/dev/null
run upgrade p00000000006 --plan
expect_no_out "drops column users\.(FOREIGN|PRIMARY|INDEX|KEY|CHECK|CONSTRAINT)" "DROP FOREIGN KEY / PRIMARY KEY / INDEX / KEY / CHECK drop no column"
expect_out "^    ! drops column users\.key$" "DROP COLUMN of a column named key is still a dropped column"
