# Reliability guarantees (docs/reliability.md): edited history is reported, hostile
# identifiers in schema.sql create exactly those names, a password never leaves
# strata, a full disk fails cleanly, concurrent migrators on PostgreSQL run each
# revision once.
. "$STRATA_TOP/tests/e2e/lib.sh"

# --- Edited history ------------------------------------------------------------------
mkdir edit && cd edit || exit 1
project
f1=$(mkrev e0001 "" "one" "CREATE TABLE a (id INTEGER PRIMARY KEY);" "DROP TABLE a;")
run upgrade head
expect_rc 0 "edit: first upgrade"
mkrev e0002 e0001 "two" "CREATE TABLE b (id INTEGER PRIMARY KEY);" "DROP TABLE b;" >/dev/null
# Line endings alone are not an edit (the checksum normalises CRLF).
sed -i 's/$/\r/' "$f1"
run upgrade head
expect_rc 0 "edit: upgrade with a CRLF checkout of an applied revision"
check "edit: CRLF is not reported as an edit" sh -c "! grep -q 'edited' '$ERR'"
sed -i 's/\r$//; s/CREATE TABLE a (id INTEGER PRIMARY KEY);/CREATE TABLE a (id INTEGER PRIMARY KEY, extra TEXT);/' "$f1"
mkrev e0003 e0002 "three" "CREATE TABLE c (id INTEGER PRIMARY KEY);" "DROP TABLE c;" >/dev/null
run upgrade head
expect_rc 0 "edit: upgrade still runs the pending revision"
expect_err "warning: .*revision e0001 was edited after it was applied" "edit: upgrade warns about the edited revision"
expect_err "checksum differs from strata_history" "edit: and says how it knows"
check "edit: only the edited one is named" sh -c "! grep -q 'warning: .*e0002' '$ERR'"
check "edit: the edited SQL did not run again" test "$(sq db.sqlite "SELECT count(*) FROM pragma_table_info('a') WHERE name = 'extra'")" = 0
check "edit: e0003 applied" test "$(sq db.sqlite 'SELECT version_num FROM strata_version')" = e0003
run upgrade head
expect_err "revision e0001 was edited" "edit: every later upgrade warns again"
run -q upgrade head
check "edit: -q silences the warning" test ! -s "$ERR"
run doctor
expect_out "e0001 was edited" "edit: doctor names it too"
cd "$T" || exit 1

# --- Injection: hostile identifiers in schema.sql ------------------------------------
mkdir inj && cd inj || exit 1
project
printf 'schema = schema.sql\n' >>strata.ini
cat >schema.sql <<'EOF'
CREATE TABLE victim (id INTEGER PRIMARY KEY);
CREATE TABLE "q""uote" ("c""ol" TEXT, "semi;col" INTEGER);
CREATE TABLE "semi;DROP TABLE victim;" (id INTEGER PRIMARY KEY, "x--y" TEXT);
CREATE TABLE "dash--comment" (id INTEGER PRIMARY KEY, "a/*b" TEXT);
CREATE TABLE "slash/*star*/" (id INTEGER PRIMARY KEY);
CREATE TABLE "with space" ("two words" TEXT);
CREATE TABLE "naïve_ünïcode_表" ("ç" TEXT, "名前" TEXT);
CREATE TABLE "x'); DROP TABLE victim; --" (id INTEGER PRIMARY KEY, "'" TEXT);
CREATE INDEX "ix;--/*" ON "with space" ("two words");
CREATE VIEW "v ""1"";" AS SELECT "c""ol" FROM "q""uote";
EOF
want=$(printf '%s\n' victim 'q"uote' 'semi;DROP TABLE victim;' 'dash--comment' 'slash/*star*/' 'with space' \
  'naïve_ünïcode_表' "x'); DROP TABLE victim; --" 'ix;--/*' 'v "1";' | sort)
names() { sq db.sqlite "SELECT name FROM sqlite_master WHERE name NOT LIKE 'strata\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\_%' ESCAPE '\\'" | sort; }
check "inj: the database starts empty" test -z "$(names)"
run migrate -m hostile
expect_rc 0 "inj: migrate writes a revision for hostile names"
run upgrade head
expect_rc 0 "inj: it applies"
check "inj: exactly the declared names exist, nothing else" test "$(names)" = "$want"
cols=$(sq db.sqlite "SELECT group_concat(name, '|') FROM (SELECT name FROM pragma_table_info('q\"uote') ORDER BY cid)")
check "inj: column names kept exactly ('$cols')" test "$cols" = 'c"ol|semi;col'
cols=$(sq db.sqlite "SELECT group_concat(name, '|') FROM (SELECT name FROM pragma_table_info('naïve_ünïcode_表') ORDER BY cid)")
check "inj: non-ASCII column names kept exactly ('$cols')" test "$cols" = 'ç|名前'
sq db.sqlite "INSERT INTO victim VALUES (1); INSERT INTO \"q\"\"uote\" VALUES ('v', 7); INSERT INTO \"with space\" VALUES ('w');"
run migrate -m again
expect_out "No changes detected" "inj: a second migrate finds nothing to do"
# A change SQLite cannot ALTER: the table rebuild must quote every name too.
sed -i 's/"semi;col" INTEGER)/"semi;col" INTEGER NOT NULL DEFAULT 0 CHECK ("semi;col" >= 0))/; s/("two words" TEXT)/("two words" TEXT NOT NULL DEFAULT '"'-- x'"')/' schema.sql
run migrate -m rebuild
expect_rc 0 "inj: migrate writes the table rebuilds"
f=$(ls migrations/versions/*_rebuild.sql 2>/dev/null | head -1)
check "inj: the revision rebuilds tables" grep -q -- '-- strata:rebuild' "$f"
run upgrade head
expect_rc 0 "inj: the rebuilds apply"
check "inj: still exactly the declared names after the rebuilds" test "$(names)" = "$want"
check "inj: the rows survived the rebuild" test "$(sq db.sqlite "SELECT (SELECT count(*) FROM victim) || (SELECT \"c\"\"ol\" || \"semi;col\" FROM \"q\"\"uote\") || (SELECT \"two words\" FROM \"with space\")")" = "1v7w"
run downgrade base
expect_rc 0 "inj: downgrade base"
check "inj: downgrade leaves nothing behind" test -z "$(names)"
cd "$T" || exit 1

# The same on PostgreSQL, when autogenerate is available there.
if [ -n "${STRATA_PG_URL:-}" ]; then
  pq() { psql -h "$PGHOST" -p "$PGPORT" -U postgres -XAtq -d "$1" -c "$2"; }
  createdb -h "$PGHOST" -p "$PGPORT" -U postgres "rel_inj_$$"
  url="postgresql://postgres@/rel_inj_$$?host=$PGHOST&port=$PGPORT"
  mkdir pginj && cd pginj || exit 1
  project "$url"
  printf 'schema = schema.sql\n' >>strata.ini
  grep -v 'CREATE TABLE "naïve\|CREATE VIEW' "$T/inj/schema.sql" | sed 's/INTEGER PRIMARY KEY/INTEGER PRIMARY KEY/' >schema.sql
  echo 'CREATE TABLE "naïve_ünïcode_表" ("ç" TEXT, "名前" TEXT);' >>schema.sql
  run migrate -m hostile
  if [ "$RC" -ne 0 ] && grep -q "not available" "$ERR"; then
    echo "# PostgreSQL autogenerate not available: PG injection check skipped"
  else
    expect_rc 0 "inj pg: migrate writes a revision for hostile names"
    run upgrade head
    expect_rc 0 "inj pg: it applies"
    pgnames=$(pq "rel_inj_$$" "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'public' AND relkind IN ('r', 'i', 'v') AND relname NOT LIKE 'strata\_%' AND relname NOT LIKE '%_pkey'" | sort)
    pgwant=$(printf '%s\n' "$want" | grep -v '^v "1";$')
    check "inj pg: exactly the declared names exist" test "$pgnames" = "$pgwant"
    [ "$pgnames" = "$pgwant" ] || { echo "# got:"; echo "$pgnames" | sed 's/^/#   /'; }
  fi
  cd "$T" || exit 1
fi

# --- Secrets: a password in a URL or config never leaves strata ---------------------------
PW=Sup3rS3cretPw
# leak WHAT: fails when the password shows in stdout, stderr, or any file name here
leak() {
  if grep -aq "$PW" "$OUT" "$ERR" || find . -name "*$PW*" | grep -q .; then
    echo "# the password leaked:"; grep -a "$PW" "$OUT" "$ERR" | head -3; nok "secret: $1"
  else ok "secret: $1"; fi
}
mkdir secret && cd secret || exit 1
project
mkrev s0001 "" "one" "CREATE TABLE a (id INTEGER PRIMARY KEY);" "DROP TABLE a;" >/dev/null
mkrev s0002 s0001 "broken" "INSERT INTO nowhere VALUES (1);" "SELECT 1;" >/dev/null
dead="postgresql://app:$PW@127.0.0.1:1/app?connect_timeout=2"
for cmd in "current" "upgrade head" "upgrade head -v" "history -i" "status" "doctor" "check" "stamp head" "downgrade base" "backup"; do
  run -d "$dead" $cmd
  leak "connection failure: $cmd"
done
DATABASE_URL="$dead" st current >"$OUT" 2>"$ERR"
leak "connection failure, DATABASE_URL"
printf '[strata]\ndatabase = %s\nscript_location = migrations\n' "$dead" >pw.ini
run -c pw.ini -v upgrade head
leak "connection failure, URL in the config file"
run -d "postgresql://app@127.0.0.1:1/app?password=$PW&connect_timeout=2" current
leak "connection failure, password= in the query string"
printf '%s\n' "$dead" "postgresql://b:$PW@127.0.0.1:1/b?connect_timeout=2" >tenants.txt
run --each tenants.txt current
leak "--each over URLs with passwords"
run --each tenants.txt -v upgrade head
leak "--each upgrade -v"
if [ -n "${STRATA_PG_URL:-}" ]; then
  # Local connections are trusted: the password is carried but not needed, so every
  # command gets as far as the database.
  createdb -h "$PGHOST" -p "$PGPORT" -U postgres "rel_pw_$$"
  good="postgresql://postgres:$PW@/rel_pw_$$?host=$PGHOST&port=$PGPORT"
  run -d "$good" -v upgrade head
  expect_rc 1 "secret pg: the broken revision fails"
  expect_err "nowhere" "secret pg: with the database's message"
  leak "statement failure, upgrade -v"
  for cmd in "current" "history -i" "status" "heads" "doctor" "check" "diff" "upgrade s0001 --plan" "downgrade base -v" "upgrade s0001 -v" "stamp s0001" "backup" "upgrade s0001 --backup"; do
    run -d "$good" $cmd
    leak "pg: $cmd (exit $RC)"
  done
  printf '[strata]\ndatabase = %s\nscript_location = migrations\n' "$good" >pg.ini
  run -c pg.ini -v upgrade head
  leak "pg: URL in the config file, failing upgrade -v"
  printf '%s\n' "$good" >pgtenants.txt
  run --each pgtenants.txt -v upgrade head
  leak "pg: --each upgrade -v"
  hist=$(psql -h "$PGHOST" -p "$PGPORT" -U postgres -XAtq -d "rel_pw_$$" -c "SELECT * FROM strata_history; SELECT * FROM strata_version")
  check "secret pg: strata_history and strata_version hold no password" sh -c "! printf '%s' \"\$1\" | grep -q '$PW'" _ "$hist"
  check "secret pg: no file name carries it" sh -c "! find . -name '*$PW*' | grep -q ."
fi
cd "$T" || exit 1

# --- Disk trouble: a full file system ---------------------------------------------------
mkdir full && cd full || exit 1
if [ "$(id -u)" = 0 ] && mkdir mnt && mount -t tmpfs -o size=1m strata_full mnt 2>/dev/null; then
  project sqlite:mnt/db.sqlite
  mkrev f0001 "" "small" "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO a (v) VALUES ('kept');" "DROP TABLE a;" >/dev/null
  mkrev f0002 f0001 "big" "CREATE TABLE big (v TEXT);
INSERT INTO big (v) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000) SELECT hex(randomblob(32)) FROM c;" "DROP TABLE big;" >/dev/null
  run upgrade f0001
  expect_rc 0 "disk: the small revision fits"
  run upgrade head
  expect_rc 1 "disk: the revision that fills the disk fails"
  expect_err "database or disk is full" "disk: with SQLite's message"
  expect_err "upgrade of f0002 failed at migrations/versions/f0002_big.sql" "disk: naming the revision and file"
  check "disk: the database stays at the previous revision" test "$(sq mnt/db.sqlite 'SELECT version_num FROM strata_version')" = f0001
  check "disk: integrity_check is ok" test "$(sq mnt/db.sqlite 'PRAGMA integrity_check')" = ok
  check "disk: no table of the failed revision" test "$(sq mnt/db.sqlite "SELECT count(*) FROM sqlite_master WHERE name = 'big'")" = 0
  check "disk: the earlier rows are intact" test "$(sq mnt/db.sqlite 'SELECT v FROM a')" = kept
  run current
  expect_out "f0001" "disk: strata current still works"
  # Room again: the same revision now applies.
  mount -o remount,size=64m mnt
  run upgrade head
  expect_rc 0 "disk: with room again, upgrade head finishes"
  umount mnt
else
  echo "# no tmpfs mount here (needs root and mount rights): full-disk check skipped"
fi
cd "$T" || exit 1

# --- Concurrency on PostgreSQL: 8 migrators at once ------------------------------------
if [ -n "${STRATA_PG_URL:-}" ]; then
  mkdir conc && cd conc || exit 1
  project
  prev=""
  for i in $(seq -w 1 12); do
    mkrev "p0000000$i" "$prev" "rev $i" "CREATE TABLE t$i (id INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v TEXT);
INSERT INTO t$i (v) SELECT 'x' FROM generate_series(1, 3);" "DROP TABLE t$i;" >/dev/null
    prev="p0000000$i"
  done
  for trial in 1 2; do
    db=rel_conc_$$_$trial
    createdb -h "$PGHOST" -p "$PGPORT" -U postgres "$db"
    url="postgresql://postgres@/$db?host=$PGHOST&port=$PGPORT"
    pids=""
    for p in 1 2 3 4 5 6 7 8; do st -d "$url" upgrade head >"out.$p" 2>&1 & pids="$pids $!"; done
    bad=0
    for pid in $pids; do wait "$pid" || bad=$((bad + 1)); done
    check "conc pg trial $trial: all 8 processes exit 0" test "$bad" -eq 0
    [ "$bad" -eq 0 ] || cat out.*
    ran=$(psql -h "$PGHOST" -p "$PGPORT" -U postgres -XAtq -d "$db" -c "SELECT count(*), count(DISTINCT revision) FROM strata_history WHERE direction = 'up'")
    check "conc pg trial $trial: each of 12 revisions ran once ($ran)" test "$ran" = "12|12"
  done
  cd "$T" || exit 1
fi
