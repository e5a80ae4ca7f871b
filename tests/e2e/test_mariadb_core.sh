# The core workflow on MariaDB: upgrade, downgrade, current, history, stamp, status;
# a revision whose DDL committed before a failure is recorded statement by statement,
# a blind retry is refused and --resume continues it; --plan says which revisions
# cannot roll back; routine bodies; the GET_LOCK migration lock; offline --sql;
# password masking; backup with mariadb-dump.
# Runs only when tests/run.sh started a throwaway server (STRATA_MARIADB_URL set).
# Without a server: skipped, except in CI (CI set), where it is a failure.
[ -n "${STRATA_MARIADB_URL:-}" ] || { [ -z "${CI:-}" ] && exit 0; echo "not ok - no MariaDB server (STRATA_MARIADB_URL is unset)"; exit 1; }
. "$STRATA_TOP/tests/e2e/lib.sh"
# mydb NAME: creates a database for one scenario and prints its URL
mydb() { my -e "DROP DATABASE IF EXISTS \`$1\`; CREATE DATABASE \`$1\`" && echo "mysql://root@localhost/$1?socket=$STRATA_MARIADB_SOCKET"; }
# my [DB] ARGS…: the mariadb client on the test server, tab-separated, no headers
my() { mariadb --no-defaults -S "$STRATA_MARIADB_SOCKET" -uroot -N -B "$@"; }
# mq DB SQL: the value(s) the client prints for SQL
mq() { my "$1" -e "$2"; }

db=mycore_$$
url=$(mydb "$db")
project "$url"
mkrev a1 "" "create users" "CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(80) NOT NULL);
CREATE INDEX ix_users_name ON users (name);" "DROP TABLE users;" >/dev/null
mkrev a2 a1 "add email" "ALTER TABLE users ADD COLUMN email VARCHAR(120);" "ALTER TABLE users DROP COLUMN email;" >/dev/null

# libmariadb is loaded at the first MariaDB connection: without it, a clear error.
env STRATA_LIBMARIADB=libmariadb-not-here.so.3 "$STRATA" current >"$OUT" 2>"$ERR"; RC=$?
expect_rc 1 "without libmariadb, MariaDB fails cleanly"
expect_err "MariaDB/MySQL needs libmariadb, which could not be loaded" "and says what to install"
check "strata --version does not load libmariadb" sh -c "! env LD_DEBUG=libs '$STRATA' --version 2>&1 | grep -q libmariadb"

run current
expect_rc 0 "current on a fresh MariaDB database"
check "current prints nothing at base" test ! -s "$OUT"
run status
expect_out "^\[ \] a1 create users$" "status shows pending revisions"
run upgrade --plan
expect_out "^upgrade a1 create users \(not atomic: its DDL commits as it runs" "--plan says a DDL revision cannot roll back"
run upgrade
expect_rc 0 "upgrade head"
check "the table exists" test "$(mq "$db" "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$db' AND TABLE_NAME = 'users'")" = 1
check "strata_version holds the head" test "$(mq "$db" 'SELECT version_num FROM strata_version')" = a2
check "strata_history has one row per revision" test "$(mq "$db" "SELECT COUNT(*) FROM strata_history WHERE direction = 'up' AND success = 1")" = 2
check "strata_history counts the statements that ran" test "$(mq "$db" "SELECT statements_done FROM strata_history WHERE revision = 'a1'")" = 2
run current
expect_out "^a2 \(head\)$" "current marks the head"
run history
expect_out "^a1 -> a2 \(head\), add email$" "history line for the head"
run upgrade
expect_rc 0 "upgrade again is a no-op"
run downgrade
expect_rc 0 "downgrade -1"
check "the email column is gone" test "$(mq "$db" "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$db' AND TABLE_NAME = 'users' AND COLUMN_NAME = 'email'")" = 0
run downgrade base
expect_rc 0 "downgrade base"
run current
check "at base nothing is current" test ! -s "$OUT"
run stamp head
expect_rc 0 "stamp head"
check "stamp ran nothing" test "$(mq "$db" "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$db' AND TABLE_NAME = 'users'")" = 0
run stamp base
run upgrade
expect_rc 0 "upgrade after stamping back"
for u in "mariadb://root@localhost/$db?socket=$STRATA_MARIADB_SOCKET" \
         "mysql+pymysql://root@/$db?unix_socket=$STRATA_MARIADB_SOCKET&charset=utf8mb4"; do
  run -d "$u" current
  expect_out "^a2 \(head\)$" "URL form ${u%%:*}:// works"
done
run -d "mysql://root@localhost/$db?socket=$STRATA_MARIADB_SOCKET&bogus=1" current
expect_rc 1 "an unknown URL parameter is refused"
expect_err "unknown parameter 'bogus'" "and named"
run -d "mysql://root@localhost/?socket=$STRATA_MARIADB_SOCKET" current
expect_err "names no database" "a URL without a database is refused"

# Tables made outside strata: refuse, and suggest stamp.
db2=mycore2_$$
url2=$(mydb "$db2")
mq "$db2" "CREATE TABLE users (id INT)"
run -d "$url2" upgrade
expect_rc 1 "upgrade refuses tables without a version table"
expect_err "already exists" "the refusal says the tables already exist"

# A DML-only revision is atomic: a failure rolls it back whole.
f=$(mkrev a3 a2 "dml only" "INSERT INTO users (name) VALUES ('kept?');
INSERT INTO users (nope) VALUES (1);" "DELETE FROM users;")
run upgrade --plan
expect_out "^upgrade a3 dml only \(in a transaction\)$" "--plan: a DML-only revision runs in a transaction"
run upgrade
expect_rc 1 "a failing DML revision fails"
expect_err "upgrade of a3 failed at migrations/versions/a3_dml_only.sql:7" "the error names the revision, file and line"
expect_err "Unknown column 'nope'" "the error carries the server's message"
expect_err "SQLSTATE 42S22" "and the SQLSTATE"
check "its first INSERT rolled back" test "$(mq "$db" 'SELECT COUNT(*) FROM users')" = 0
rm -f "$f"

# DDL commits as it runs: the failure says what stays, retry is refused, --resume continues.
f=$(mkrev a3 a2 "partial" "CREATE TABLE halfway (id INT PRIMARY KEY);
INSERT INTO halfway VALUES (1);
ALTER TABLE missing_table ADD COLUMN x INT;
CREATE INDEX ix_halfway ON halfway (id);" "DROP TABLE halfway;")
run upgrade
expect_rc 1 "a failing DDL revision fails"
expect_err "statements 1-2 of 4 stay applied" "the error says which statements stay applied"
expect_err "upgrade --resume" "and offers --resume"
expect_err "a3_partial.sql:8" "and names the failing line"
check "the table created before the failure stays" test "$(mq "$db" 'SELECT COUNT(*) FROM halfway')" = 1
check "the database stays recorded at the previous revision" test "$(mq "$db" 'SELECT version_num FROM strata_version')" = a2
check "strata_history records 2 statements done" test "$(mq "$db" "SELECT CONCAT(success, ':', statements_done) FROM strata_history WHERE revision = 'a3' ORDER BY id DESC LIMIT 1")" = "0:2"
run upgrade
expect_rc 1 "a blind retry is refused"
expect_err "stopped partway on an earlier run: 2 of its 4 statements ran" "the refusal says how far it got"
expect_err "ran: migrations/versions/a3_partial.sql:6: CREATE TABLE halfway" "and lists what ran"
check "the refused retry ran nothing" test "$(mq "$db" 'SELECT COUNT(*) FROM halfway')" = 1
mq "$db" "CREATE TABLE missing_table (id INT)"
run upgrade --resume
expect_rc 0 "upgrade --resume continues from the failed statement"
check "the resumed run did not repeat the INSERT" test "$(mq "$db" 'SELECT COUNT(*) FROM halfway')" = 1
check "the resumed run ran the rest" test "$(mq "$db" "SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = '$db' AND INDEX_NAME = 'ix_halfway'")" = 1
check "the database is at a3" test "$(mq "$db" 'SELECT version_num FROM strata_version')" = a3
run upgrade --resume
expect_rc 0 "--resume with nothing to resume is a no-op"
# A revision whose file changed since it stopped cannot be resumed.
mkrev a4 a3 "second partial" "CREATE TABLE p2 (id INT);
ALTER TABLE nothere ADD COLUMN y INT;" "DROP TABLE p2;" >/dev/null
run upgrade
expect_rc 1 "another partial failure"
f4=$(mkrev a4 a3 "second partial" "CREATE TABLE p2 (id INT);
ALTER TABLE p2 ADD COLUMN y INT;" "DROP TABLE p2;")
run upgrade --resume
expect_rc 1 "--resume refuses an edited revision"
expect_err "changed since its 1 statement\(s\) ran" "and says why"
mq "$db" "DROP TABLE p2"
mq "$db" "DELETE FROM strata_history WHERE revision = 'a4'"
# A revision finished by hand and stamped is no longer refused.
mkrev a4x a4 "stamped by hand" "CREATE TABLE byhand (id INT);
ALTER TABLE nothere ADD COLUMN y INT;" "DROP TABLE byhand;" >/dev/null
run upgrade --single-transaction
expect_rc 1 "--single-transaction refuses DDL revisions"
expect_err "commits its DDL as it runs" "and says why"
run upgrade
expect_rc 1 "a4x stops partway"
mq "$db" "DROP TABLE byhand"
rm -f migrations/versions/a4x_*.sql
mkrev a4x a4 "stamped by hand" "CREATE TABLE byhand (id INT);" "DROP TABLE byhand;" >/dev/null
check "the edited revision ran, a4x was refused" test "$(mq "$db" 'SELECT version_num FROM strata_version')" = a4
run stamp a4x
mq "$db" "CREATE TABLE byhand (id INT)"
run current
expect_out "^a4x" "stamped at the hand-finished revision"
run downgrade -1
expect_rc 0 "and it downgrades normally"
run upgrade a4x
expect_rc 0 "a revision stamped after a partial run runs again without --resume"

# Routine bodies: a trigger with ';' inside, and DELIMITER as the mysql client reads it.
up=$(cat <<'SQL'
CREATE TRIGGER users_lower BEFORE INSERT ON users FOR EACH ROW
BEGIN
  IF NEW.name IS NOT NULL THEN SET NEW.name = LOWER(NEW.name); END IF; -- a ; inside
END;
DELIMITER //
CREATE FUNCTION tagged(x INT) RETURNS VARCHAR(40) DETERMINISTIC
BEGIN
  RETURN CONCAT('semi;colon ', x);
END//
DELIMITER ;
INSERT INTO users (name) VALUES ('AB\'C;D');
SQL
)
mkrev a5 a4x "routines" "$up" "DELETE FROM users;
DROP TRIGGER users_lower;
DROP FUNCTION tagged;" >/dev/null
run upgrade
expect_rc 0 "upgrade with a trigger body and a DELIMITER block"
check "the trigger ran" test "$(mq "$db" "SELECT name FROM users WHERE name LIKE 'ab%'")" = "ab'c;d"
check "the function keeps ; inside" test "$(mq "$db" 'SELECT tagged(1)')" = 'semi;colon 1'
run downgrade -1
expect_rc 0 "downgrade drops them"

# The migration lock: another session holding it makes strata wait, then fail.
printf 'lock_timeout = 300ms\n' >>strata.ini
( my -e "SELECT GET_LOCK('strata:$db.strata_version', 10); SELECT SLEEP(3);" >/dev/null ) &
holder=$!
sleep 1
run upgrade
expect_rc 1 "upgrade fails while another session holds the lock"
expect_err "database is locked: another strata holds the migration lock on database \"$db\"" "the lock error names the database"
expect_err "held by connection [0-9]+" "and the holding connection"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
sed -i '/lock_timeout/d' strata.ini
# Two migrators at once: each revision runs once.
mkrev a6 a5 "counter" "CREATE TABLE counter (n INT);
INSERT INTO counter VALUES (1);" "DROP TABLE counter;" >/dev/null
st upgrade >"$T/u1.out" 2>&1 & p1=$!
st upgrade >"$T/u2.out" 2>&1 & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
check "two concurrent upgrades both succeed" test "$r1$r2" = 00
check "the revision ran once" test "$(mq "$db" 'SELECT COUNT(*) FROM counter')" = 1

# Offline SQL for a mysql URL needs no server.
run -d "mysql://nobody:pw@127.0.0.1:1/nowhere" upgrade --sql
expect_rc 0 "upgrade --sql with a mysql URL needs no server"
expect_out 'CREATE TABLE IF NOT EXISTS `strata_version`' "--sql creates the version table"
expect_out "INSERT INTO \`strata_version\` \(version_num\) VALUES \('a1'\)" "--sql records versions"
expect_no_out '^BEGIN;' "--sql puts no BEGIN around revisions whose DDL commits as it runs"

# A password never shows in an error.
run -d "mysql://u:secret@127.0.0.1:1/x" current
expect_rc 1 "connection refused fails"
expect_err "cannot connect to MariaDB/MySQL database \"x\" at 127.0.0.1 as u" "the error says what failed"
check "the password is not printed" sh -c "! grep -q secret '$ERR' '$OUT'"

# backup through mariadb-dump
run backup "$T/db.sql"
expect_rc 0 "backup PATH"
check "the backup mode is 0600" test "$(stat -c %a "$T/db.sql")" = 600
check "the backup is a dump with the data" grep -q "INSERT INTO \`strata_version\` VALUES" "$T/db.sql"
run backup "$T/db.sql"
expect_rc 1 "backup refuses to overwrite"
db3=mycore3_$$
my -e "CREATE DATABASE $db3"
sed "s/\`$db\`/\`$db3\`/g" "$T/db.sql" | my "$db3"
check "the backup restores" test "$(mq "$db3" 'SELECT version_num FROM strata_version')" = a6
PATH=/nonexistent "$STRATA" backup "$T/none.sql" >"$OUT" 2>"$ERR"; RC=$?
expect_rc 1 "backup without mariadb-dump fails"
expect_err "mariadb-dump" "and names the missing program"

# verify rehearses pending revisions on a temporary copy and leaves the database alone.
mkrev a7 a6 "good" "ALTER TABLE counter ADD COLUMN m INT;" "ALTER TABLE counter DROP COLUMN m;" >/dev/null
run verify --with-data
expect_rc 0 "verify passes a revision that upgrades and downgrades"
expect_out "temporary database strata_verify_[0-9a-f_]+ on the same server \(schema and data\)" "verify says how it copied"
check "verify left the database at a6" test "$(mq "$db" 'SELECT version_num FROM strata_version')" = a6
check "verify dropped its copy" test -z "$(my -e "SHOW DATABASES LIKE 'strata\_verify%'")"
mkrev a8 a7 "bad downgrade" "CREATE TABLE keeps (id INT);" "DROP TABLE not_there;" >/dev/null
run verify
expect_rc 1 "verify fails a revision whose downgrade breaks"
expect_out "a8" "and names it"
check "verify dropped its copy after the failure" test -z "$(my -e "SHOW DATABASES LIKE 'strata\_verify%'")"
check "the live database still has no table keeps" test "$(mq "$db" "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$db' AND TABLE_NAME = 'keeps'")" = 0
rm -f migrations/versions/a8_*.sql migrations/versions/a7_*.sql

# --each over mixed URLs: SQLite files and MariaDB databases in one list.
mkdir "$T/each" && cd "$T/each" || exit 1
project "sqlite:unused.db"
mkrev e1 "" "portable" "CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(80) NOT NULL);" "DROP TABLE items;" >/dev/null
u4=$(mydb "${db}_e1"); u5=$(mydb "${db}_e2")
printf '# tenants\nsqlite:one.db\n%s\n%s\n' "$u4" "$u5" >urls.txt
run --each urls.txt upgrade
expect_rc 0 "--each upgrades SQLite and MariaDB databases in one run"
check "the MariaDB tenants are at e1" test "$(mq "${db}_e1" 'SELECT version_num FROM strata_version')$(mq "${db}_e2" 'SELECT version_num FROM strata_version')" = e1e1
check "the SQLite tenant is at e1" test "$(sq one.db 'SELECT version_num FROM strata_version')" = e1
run --each urls.txt -j 2 current
expect_rc 0 "--each current with two jobs"
check "one line per database" test "$(grep -c 'e1' "$OUT")" = 3
cd "$T" || exit 1

# Ctrl-C during a long statement: a second session sends KILL QUERY, so strata stops
# at once, rolls the revision back and says where the database is, as on PostgreSQL.
mkdir "$T/int" && cd "$T/int" || exit 1
ui=$(mydb "${db}_int")
project "$ui"
mkrev c1 "" "table" "CREATE TABLE t (id INT);" "DROP TABLE t;" >/dev/null
mkrev c2 c1 "slow" "INSERT INTO t VALUES (1);
SELECT SLEEP(60);" "DELETE FROM t;" >/dev/null
run upgrade c1
# A background job of a script has SIGINT ignored; the wrapper restores it, as a
# terminal's Ctrl-C finds it.
started=$(date +%s)
"${STRATA_PYTHON:-/usr/bin/python3}" -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' \
  "$STRATA" upgrade >"$OUT" 2>"$ERR" &
pid=$!
i=0
while [ $i -lt 200 ] && [ "$(my -e "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO = 'SELECT SLEEP(60)'")" = 0 ]; do
  sleep 0.05; i=$((i + 1))
done
kill -INT $pid
wait $pid; RC=$?
expect_rc 130 "MariaDB: Ctrl-C stops the running statement"
expect_err "^strata: error: interrupted: c2 rolled back; the database is at c1$" "MariaDB: says what was rolled back and where the database is"
check "MariaDB: stopped long before the statement's 60 s" test $(($(date +%s) - started)) -lt 30
check "MariaDB: c2's insert is rolled back" test "$(mq "${db}_int" 'SELECT COUNT(*) FROM t'),$(mq "${db}_int" 'SELECT version_num FROM strata_version')" = "0,c1"
check "MariaDB: no session still runs the statement" test "$(my -e "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO = 'SELECT SLEEP(60)'")" = 0
cd "$T" || exit 1

# The version and history writes of a step go to the server with its COMMIT, in one
# request: when one of them fails there, the error is the server's and the step's
# rows roll back with it.
mkdir -p "$T/bk" && cd "$T/bk" || exit 1
project "$(mydb "${db}_bk")"
mkrev d1 "" "table" "CREATE TABLE t (id INT PRIMARY KEY);" "DROP TABLE t;" >/dev/null
mkrev d2 d1 "rows" "INSERT INTO t VALUES (1);
INSERT INTO t VALUES (2);" "DELETE FROM t;" >/dev/null
run upgrade d1
expect_rc 0 "MariaDB: upgrade to the table"
# A linear step moves its version row with one UPDATE (as Alembic does).
my "${db}_bk" -e "CREATE TRIGGER no_more BEFORE UPDATE ON strata_version FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'version write refused'"
run upgrade
expect_rc 1 "MariaDB: a version write refused at commit fails the step"
expect_err "version write refused" "MariaDB: with the server's message"
check "MariaDB: the step's rows rolled back, the version stays" test "$(mq "${db}_bk" 'SELECT COUNT(*) FROM t'),$(mq "${db}_bk" 'SELECT version_num FROM strata_version'),$(mq "${db}_bk" "SELECT COUNT(*) FROM strata_history WHERE revision = 'd2' AND success = 1")" = "0,d1,0"
my "${db}_bk" -e "DROP TRIGGER no_more"
run upgrade
expect_rc 0 "MariaDB: once the cause is gone, the step runs"
check "MariaDB: its rows and version are there" test "$(mq "${db}_bk" 'SELECT COUNT(*) FROM t'),$(mq "${db}_bk" 'SELECT version_num FROM strata_version')" = "2,d2"
# A DDL revision's progress row goes in one request with the statement after it,
# ahead of it: the row refused keeps that statement from running, and the error
# names the row, not the statement.
mkrev d3 d2 "tables" "CREATE TABLE u1 (id INT);
CREATE TABLE u2 (id INT);
CREATE TABLE u3 (id INT);" "DROP TABLE u3;
DROP TABLE u2;
DROP TABLE u1;" >/dev/null
my "${db}_bk" -e "CREATE TRIGGER no_rows BEFORE INSERT ON strata_history FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'history write refused'"
run upgrade
expect_rc 1 "MariaDB: a refused progress row fails the step"
expect_err "recording progress in strata_history \\(the next statement did not run\\): history write refused" "MariaDB: the error names the progress row and the server's message"
check "MariaDB: the first statement ran, the one after the refused row did not" test "$(mq "${db}_bk" "SELECT GROUP_CONCAT(table_name ORDER BY table_name) FROM information_schema.tables WHERE table_schema = '${db}_bk' AND table_name LIKE 'u%'"),$(mq "${db}_bk" 'SELECT version_num FROM strata_version')" = "u1,d2"
my "${db}_bk" -e "DROP TRIGGER no_rows; DROP TABLE u1"
run upgrade
expect_rc 0 "MariaDB: with the row allowed, the revision runs"
check "MariaDB: its progress was counted and completed" test "$(mq "${db}_bk" "SELECT statements_done, success FROM strata_history WHERE revision = 'd3' ORDER BY id DESC LIMIT 1" | tr '\t' ,),$(mq "${db}_bk" 'SELECT version_num FROM strata_version')" = "3,1,d3"
cd "$T" || exit 1

my -e "DROP DATABASE $db; DROP DATABASE $db2; DROP DATABASE $db3; DROP DATABASE ${db}_e1; DROP DATABASE ${db}_e2; DROP DATABASE ${db}_int; DROP DATABASE ${db}_bk"
