# The C side of the bridge: exec: schema sources, the version_table and python
# settings, SQLAlchemy's URL forms, read-only commands that never create a database,
# and `strata import`'s checks (with importers from $STRATA_PROVIDERS_DIR standing in
# for the built-in ones, so each broken document can be tested; the real Alembic and
# Django importers are tested against the peers in test_flask.sh / test_django.sh).
. "$STRATA_TOP/tests/e2e/lib.sh"

# --- exec: sources -----------------------------------------------------------------
# Each part works in a directory of its own: strata.ini is looked for in the
# directories above, so $T itself holds none.
mkdir -p "$T/s" && cd "$T/s"
project sqlite:db.sqlite
cat >gen.sh <<'SH'
echo "-- dialect: $STRATA_DIALECT"
echo "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
[ -f extra ] && echo "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id));"
exit 0
SH
printf 'schema = exec:sh gen.sh\n' >>strata.ini
run migrate -m first
expect_rc 0 "migrate reads an exec: source"
check "the revision creates the table" grep -Eq 'CREATE TABLE "?users' migrations/versions/*_first.sql
run upgrade
run check
expect_rc 0 "check against an exec: source"
expect_out "matches exec:sh gen.sh" "check names the source"
touch extra
run check
expect_rc 1 "check sees the source's new table"
expect_out "posts" "and names it"
run diff
expect_out 'CREATE TABLE "?posts' "diff renders it"
# The source runs in the directory holding strata.ini, whatever the working directory.
mkdir sub
(cd sub && st -c ../strata.ini -d sqlite:../db.sqlite diff >"$OUT" 2>"$ERR"); RC=$?
expect_rc 0 "a source runs in the config's directory"
expect_out 'CREATE TABLE "?posts' "and sees the files there"
printf '%s\n' 'echo "STRATA_DIALECT=$STRATA_DIALECT" >&2; echo "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"' >dialect.sh
sed -i 's/^schema = .*/schema = exec:sh dialect.sh; exit 3/' strata.ini
ls migrations/versions >before
run check
expect_rc 1 "a failing source fails the command"
expect_err "schema source 'exec:sh dialect.sh; exit 3' failed \(exit 3" "the error names the source and its exit"
expect_err "STRATA_DIALECT=sqlite" "and shows the end of its stderr (the dialect was set)"
run migrate -m nope
expect_rc 1 "migrate with a failing source fails"
ls migrations/versions >after
check "and writes no revision" cmp -s before after
sed -i 's/^schema = .*/schema = exec:true/' strata.ini
run diff
expect_rc 1 "a source that prints nothing is refused"
expect_err "printed no DDL" "with the reason"
sed -i 's/^schema = .*/schema = exec:/' strata.ini
run diff
expect_rc 2 "an empty exec: is a usage error"
sed -i 's/^schema = .*/schema = sqlalchemy:app:db/' strata.ini
mkdir -p fakeprov && echo 'print("CREATE TABLE users (id INTEGER PRIMARY KEY);")' >fakeprov/sqlalchemy_provider.py
export STRATA_PROVIDERS_DIR="$T/s/fakeprov"
STRATA_PYTHON=/nonexistent/python3 st check >"$OUT" 2>"$ERR"; RC=$?
expect_rc 1 "a missing interpreter fails"
expect_err "cannot run the Python interpreter '/nonexistent/python3'" "and names it"
printf 'python = /nonexistent/py2\n' >>strata.ini
STRATA_PYTHON=/nonexistent/python3 st check >"$OUT" 2>"$ERR"; RC=$?
expect_err "'/nonexistent/py2'" "python in strata.ini wins over \$STRATA_PYTHON"
unset STRATA_PROVIDERS_DIR
check "the database is still at its revision" test "$(sq db.sqlite 'SELECT count(*) FROM strata_version')" = 1

# --- URL forms ---------------------------------------------------------------------
rm -rf "$T/u" && mkdir -p "$T/u/migrations/versions" && cd "$T/u"
mkrev r1 "" "t" "CREATE TABLE t (x INT);" "DROP TABLE t;" >/dev/null
run upgrade -d sqlite:///rel.db
expect_rc 0 "sqlite:///rel.db (SQLAlchemy's three slashes)"
check "is relative to the working directory" test -f "$T/u/rel.db"
run upgrade -d "sqlite:////$T/u/abs.db"
check "sqlite:////abs.db is absolute" test -f "$T/u/abs.db"
DATABASE_URL=sqlite+pysqlite:///rel.db st current >"$OUT" 2>"$ERR"; RC=$?
expect_out "^r1 \(head\)" "sqlite+pysqlite:/// (a +DRIVER) in DATABASE_URL"
printf '[strata]\ndatabase = sqlite:///rel.db\n' >strata.ini
run current
expect_out "^r1 \(head\)" "sqlite:/// in strata.ini"
rm strata.ini
for c in current status check diff doctor history; do
  run $c -d sqlite:///nodir/missing.db
  check "$c never creates a database or its directory" test ! -e nodir
done
run current -d sqlite:///missing.db
expect_rc 1 "current on a missing SQLite file fails"
expect_err "missing.db does not exist" "and names it"
expect_err "sqlite:///path is relative" "and explains the slashes"
check "and creates no file" test ! -e missing.db
run current -d "postgresql+psycopg2://u:secret@/nodb?host=$T/nosocket"
expect_rc 1 "postgresql+psycopg2:// reaches libpq without the driver"
expect_err "postgresql://u:\*\*\*@" "its password is masked"
expect_no_out "secret" "and never printed"

# --- where strata.ini is found ----------------------------------------------------
rm -rf "$T/d" && mkdir -p "$T/d/proj/deep/er" "$T/d/elsewhere" && cd "$T/d/proj"
st init -d sqlite:app.db >/dev/null
printf 'CREATE TABLE a (x INT);\n' >schema.sql
st migrate -m one >/dev/null && st upgrade >/dev/null
cd deep/er
run check
expect_rc 0 "strata.ini is found in a directory above"
check "and paths in it mean what they mean from there" test ! -e app.db
run upgrade
check "no database is created in the subdirectory" test ! -e app.db
run verify
expect_rc 0 "verify from a subdirectory"
expect_out "copy of sqlite:app.db: SQLite online backup" "rehearses on a copy of the real database"
run backup
expect_rc 0 "backup from a subdirectory"
check "puts the copy beside the database" sh -c "ls '$T/d/proj'/app_backup_*.db"
cd "$T/d/elsewhere"
run -c ../proj/strata.ini history
expect_out "^<base> -> [0-9a-f]+ \(head\), one" "-c: script_location is relative to the config file"
run -c ../proj/strata.ini diff -d sqlite:../proj/app.db
expect_rc 0 "-c: the schema file is relative to the config file too"
expect_no_out "CREATE" "and matches"
run current -d sqlite:x.db
expect_err "no strata.ini here or in a directory above" "outside a project the error says so"

# --- version_table -----------------------------------------------------------------
rm -rf "$T/v" && mkdir -p "$T/v/migrations/versions" && cd "$T/v"
printf '[strata]\ndatabase = sqlite:db.sqlite\nversion_table = alembic_version\n' >strata.ini
mkrev r1 "" "t" "CREATE TABLE t (x INT);" "DROP TABLE t;" >/dev/null
mkrev r2 r1 "u" "CREATE TABLE u (x INT);" "DROP TABLE u;" >/dev/null
run upgrade r1
check "the configured version table holds the revision" test "$(sq db.sqlite 'SELECT version_num FROM alembic_version')" = r1
check "strata_version is not created" test -z "$(sq db.sqlite "SELECT name FROM sqlite_master WHERE name = 'strata_version'")"
printf 'CREATE TABLE t (x INT);\n' >schema.sql
run check
expect_no_out "alembic_version" "autogenerate leaves the configured version table out"
sq db.sqlite "UPDATE alembic_version SET version_num = 'r2'"
run current
expect_out "^r2 \(head\)" "a row another tool wrote there is read"
sq db.sqlite "UPDATE alembic_version SET version_num = 'gone'"
run upgrade
expect_err "Can't locate revision identified by 'gone'.*alembic_version" "messages name the configured table"
printf '[strata]\nversion_table = bad-name\n' >strata.ini
run current
expect_rc 1 "a version table that is not a plain identifier is refused"
expect_err "strata.ini:2: unknown or invalid setting 'version_table = bad-name'" "naming the line"

# --- import: the C side's checks -------------------------------------------------------
rm -rf "$T/i" && mkdir -p "$T/i" && cd "$T/i"
st init strata -d sqlite:app.db >/dev/null
mkdir -p alembic_dir fake
export STRATA_PROVIDERS_DIR="$T/i/fake"
# fake DOC: an importer that prints DOC (python -c runs it)
fake() { printf 'import sys\nsys.stdout.write(%s)\n' "$1" >fake/alembic_import.py; }
cp strata.ini strata.ini.orig
fake "'not json'"
run import alembic alembic_dir
expect_rc 1 "an importer that prints no JSON fails"
expect_err "not a JSON document" "and says so"
fake "'{\"revisions\": [{\"id\": \"a1\", \"revises\": [], \"upgrade\": \"\"}, {\"id\": \"a1\", \"revises\": []}]}'"
run import alembic alembic_dir
expect_err "revision a1 twice" "duplicate ids are refused"
fake "'{\"revisions\": [{\"id\": \"a2\", \"revises\": [\"zz\"]}]}'"
run import alembic alembic_dir
expect_err "revises zz, which the history does not hold" "an unknown parent is refused"
fake "'{\"revisions\": [{\"id\": \"bad id!\", \"revises\": []}]}'"
run import alembic alembic_dir
expect_err "'bad id!' cannot be a strata id" "an id strata cannot use is refused"
fake "'{\"revisions\": [{\"id\": \"c1\", \"revises\": [\"c2\"]}, {\"id\": \"c2\", \"revises\": [\"c1\"]}]}'"
run import alembic alembic_dir
expect_rc 1 "a cycle is refused"
check "no file is left behind after a failure" test -z "$(ls strata/versions)"
check "strata.ini is untouched after a failures" cmp -s strata.ini strata.ini.orig
printf 'import sys\nsys.stderr.write("Traceback ...\\nImportError: No module named alembic\\n")\nsys.exit(1)\n' >fake/alembic_import.py
run import alembic alembic_dir
expect_rc 1 "a failing importer fails"
expect_err "No module named alembic" "and shows the end of its stderr"
run import alembic no_such_dir
expect_rc 1 "a missing script directory fails"
expect_err "no Alembic script directory no_such_dir" "and names it"
run import nonsense x
expect_rc 2 "an unknown kind is a usage error"
env -u DJANGO_SETTINGS_MODULE "$STRATA" import django >"$OUT" 2>"$ERR"; RC=$?
expect_rc 2 "import django without settings is a usage error"
fake "'{\"revisions\": [{\"id\": \"a1\", \"revises\": [], \"message\": \"one\", \"created\": \"2024-01-01 10:00:00\", \"upgrade\": \"CREATE TABLE a (x INT);\", \"downgrade\": \"DROP TABLE a;\", \"branch_labels\": [\"core\"]}, {\"id\": \"b2\", \"revises\": [\"a1\"], \"message\": \"two\", \"upgrade\": \"\", \"downgrade\": null, \"warnings\": [\"RunPython fill\"], \"transaction\": false}]}'"
run import alembic alembic_dir
expect_rc 0 "a good document imports"
expect_out "strata/versions/a1_one.sql" "the files are listed"
expect_err "RunPython fill" "steps without SQL are listed at the end"
check "the warning is in the revision" grep -q "^-- WARNING: RunPython fill" strata/versions/b2_two.sql
check "an irreversible downgrade says so" grep -q "^-- WARNING: irreversible" strata/versions/b2_two.sql
check "transaction off is kept" grep -q "^-- strata:transaction off" strata/versions/b2_two.sql
check "the irreversible downgrade is marked" grep -q "^-- strata:irreversible$" strata/versions/b2_two.sql
run upgrade
expect_rc 0 "the imported history upgrades"
run downgrade base
expect_rc 1 "downgrade past the irreversible revision is refused"
expect_err "cannot downgrade past b2 \(strata/versions/b2_two.sql\): it is irreversible" "naming it"
check "nothing was reverted" test "$(sq app.db 'SELECT version_num FROM alembic_version')" = b2
run downgrade base --sql
expect_rc 1 "downgrade --sql refuses it too"
run downgrade b2
expect_rc 0 "downgrade to the irreversible revision itself is fine"
run stamp base --purge
check "labels and dates are kept" grep -q "^-- strata:branch-labels core" strata/versions/a1_one.sql
check "strata.ini now shares Alembic's table" grep -q "^version_table = alembic_version" strata.ini
run history
expect_out "a1 -> b2 \(head\), two" "the history reads as one graph"
run import alembic alembic_dir
expect_rc 1 "import refuses to overwrite revisions"
expect_err "already holds 2 strata revisions" "and says why"
rm strata/versions/*.sql
run import alembic alembic_dir
expect_rc 0 "importing again into an emptied directory works"
check "and sets version_table once" test "$(grep -c '^version_table' strata.ini)" = 1
sed -i 's/^version_table = .*/version_table   =   strata_version/' strata.ini && rm strata/versions/*.sql
run import alembic alembic_dir
check "a version_table line of another spelling is replaced" test "$(grep -c '^version_table' strata.ini)" = 1
check "by alembic_version" grep -q '^version_table = alembic_version$' strata.ini
unset STRATA_PROVIDERS_DIR
