# A Flask-SQLAlchemy / Flask-Migrate project on SQLite, with the real peers from Debian
# (/usr/bin/python3, /usr/bin/flask):
# - `schema = sqlalchemy:app:db`: migrate + upgrade give the catalog db.create_all()
#   gives; seed 004's User.role through check / migrate / upgrade with rows kept; every
#   ATTR form; failing sources (import error, syntax error, missing attribute, wrong kind,
#   a connection at import) exit 1 naming the source, nothing written;
# - `strata import alembic`: a history Flask-Migrate itself builds here (7 revisions: a
#   branch, two merges, a labelled second base with depends_on, a get_bind step), SQL
#   equal to `flask db upgrade --sql` per revision; strata and flask db side by side on
#   one database (current, upgrade, downgrade, a fresh build, flask db migrate).
. "$STRATA_TOP/tests/e2e/lib.sh"
. "$STRATA_TOP/tests/fixtures/flaskapp/lib.sh"
# catalog DB: the app's tables as SQLite's PRAGMAs describe them (declared types without
# spaces), their CHECK clauses, and the indexes with their columns
catalog() {
  for t in $(sq "$1" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                      AND name NOT LIKE 'strata_%' AND name <> 'alembic_version' ORDER BY name"); do
    echo "table $t"
    sq "$1" "SELECT cid, name, replace(type, ' ', ''), \"notnull\", dflt_value, pk FROM pragma_table_info('$t')"
    sq "$1" "SELECT il.name, il.\"unique\", il.origin, il.partial, group_concat(ii.name)
             FROM pragma_index_list('$t') il, pragma_index_info(il.name) ii GROUP BY il.name ORDER BY il.name"
    sq "$1" "SELECT \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list('$t') ORDER BY \"from\""
    sq "$1" "SELECT sql FROM sqlite_master WHERE name = '$t'" | grep -i 'check *(' | tr -d ' \t",'
  done
}
# provider ARG: runs the SQLAlchemy provider directly, as strata does
provider() { $PY -c "$(cat "$STRATA_TOP/src/providers/sqlalchemy_provider.py")" "$@"; }

# --- schema = sqlalchemy:app:db --------------------------------------------------------------
mkdir app && cd app || exit 1
cp "$FIX/app.py" "$FIX/plain.py" .
export FLASKAPP_DATABASE="sqlite:///$T/app/flask.db"
printf '[strata]\ndatabase = sqlite:///strata.db\nscript_location = strata\nschema = sqlalchemy:app:db\n' >strata.ini
mkdir -p strata/versions
run migrate -m "initial"
expect_rc 0 "migrate from sqlalchemy:app:db on an empty database"
check "one revision written" test "$(nfiles strata/versions)" = 1
check "it creates the six tables" test "$(grep -c '^CREATE TABLE' strata/versions/*.sql)" = 6
run upgrade
expect_rc 0 "upgrade"
run check
expect_rc 0 "check: the database matches the models"
create_all 2>"$ERR"
check "db.create_all() builds the peer's database" test -s flask.db
catalog strata.db >cat.strata
catalog flask.db >cat.flask
check "the catalog strata built is the one db.create_all() builds" diff cat.flask cat.strata
diff cat.flask cat.strata
check "the catalog has the tables, the enum column, the CHECK and the ON DELETE rules" sh -c \
  "grep -q '^table post_tags' cat.flask && grep -q '|status|VARCHAR(9)|1|' cat.flask && grep -q 'CHECK(views>=0)' cat.flask && grep -q 'users|author_id|id|NO ACTION|CASCADE' cat.flask"
check "the provider never touched the app's database" test ! -e instance/app.db

# seed 004: User gains role, NOT NULL with a server default; existing rows survive.
sq strata.db "INSERT INTO users (email, name) VALUES ('a@x', 'Ann'), ('b@x', 'Bob')"
add_role
run check
expect_rc 1 "check after the model gained User.role"
expect_out "role" "names the column"
run migrate -m "add role"
expect_rc 0 "migrate writes the change"
check "a second revision adds users.role" sh -c "grep -l 'role' strata/versions/*add_role*.sql | grep -q ."
run upgrade
expect_rc 0 "upgrade applies it"
check "the rows survive with role 'user'" test "$(sq strata.db "SELECT count(*) FROM users WHERE role = 'user'")" = 2
run check
expect_rc 0 "check: up to date again"

# --- ATTR forms ------------------------------------------------------------------------------
setschema() { sed -i "s|^schema = .*|schema = $1|" strata.ini; }
for form in app:app app:create_app app:db.Model.metadata; do
  setschema "sqlalchemy:$form"
  run check
  expect_rc 0 "sqlalchemy:$form reads the same models"
done
setschema "sqlalchemy:plain:Base"
run check
expect_rc 1 "sqlalchemy:plain:Base (a plain declarative base) differs from the Flask models"
expect_out "customers" "and names its tables"
setschema "sqlalchemy:plain:metadata"
run diff
expect_out 'CREATE TABLE "invoices"' "sqlalchemy:plain:metadata (a MetaData) is read too"

# --- failing sources -------------------------------------------------------------------------
printf 'import nosuchdep\n' >dep.py
printf 'from app import db\nclass Broken(db.Model:\n    pass\n' >bad.py
printf 'from app import app, db\nwith app.app_context():\n    db.create_all()\n' >conn.py
printf 'def make():\n    return 42\n' >fact.py
n=$(nfiles strata/versions)
cp strata.db strata.before
fails() { # SPEC PATTERN NAME
  setschema "$1"
  run migrate -m "should not be written"
  expect_rc 1 "$3: migrate exits 1"
  expect_err "schema source '$1'" "$3: the error names the source"
  expect_err "$2" "$3: and shows the end of its stderr"
  check "$3: no revision written" test "$(nfiles strata/versions)" = "$n"
}
fails sqlalchemy:dep:db "No module named 'nosuchdep'" "an import error in the app"
fails sqlalchemy:bad:db "syntax error in .*bad.py line 2" "a syntax error in the app"
fails sqlalchemy:app:nosuch "app has no attribute 'nosuch'" "a missing attribute"
fails sqlalchemy:app:Status "not a sqlalchemy MetaData, a declarative base, a Flask-SQLAlchemy db, a Flask app" "an attribute of the wrong kind"
fails sqlalchemy:fact:make "what it returned is a value of type int" "a factory returning the wrong kind"
fails sqlalchemy:app "is not MODULE:ATTR" "a spec without ATTR"
fails sqlalchemy:conn:db "conn.py line 3: the app tried to connect to its database" "an app that connects at import"
check "the app that connects at import created nothing" test ! -e flask.db.journal -a "$(sq flask.db 'SELECT count(*) FROM users')" = 0
setschema "sqlalchemy:app:db"
printf 'python = %s\n' "$T/no/python3" >>strata.ini
run check
expect_rc 1 "a missing interpreter fails"
expect_err "cannot run the Python interpreter '$T/no/python3'" "and names it"
sed -i '/^python = /d' strata.ini
check "the database is unchanged by the failures" cmp -s strata.db strata.before

# The provider on its own: DDL loadable by SQLite, only the default bind's tables.
provider app:db >ddl.sql 2>"$ERR"
check "the provider's SQLite DDL loads into sqlite3" sh -c "sqlite3 -bail :memory: <ddl.sql"
check "each statement ends with ';' and a newline" test "$(grep -c ';$' ddl.sql)" = "$(grep -cE '^(CREATE|ALTER)' ddl.sql)"
cat >binds.py <<'EOF'
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql://nobody@unreachable.invalid/app"
app.config["SQLALCHEMY_BINDS"] = {"audit": "sqlite:////nonexistent/dir/audit.db"}
db = SQLAlchemy(app)
class Main(db.Model):
    id = db.Column(db.Integer, primary_key=True)
class Trail(db.Model):
    __bind_key__ = "audit"
    id = db.Column(db.Integer, primary_key=True)
EOF
STRATA_DIALECT=postgresql provider binds:app >"$OUT" 2>"$ERR"; RC=$?
expect_rc 0 "an app with two binds and an unreachable database URL renders"
expect_out "^CREATE TABLE main" "the default bind's table is there"
expect_no_out "CREATE TABLE trail" "the other bind's table is not"
expect_out "^-- the tables of bind\(s\) audit are left out" "and the output says so"
STRATA_DIALECT=oracle provider app:db >"$OUT" 2>"$ERR"; RC=$?
expect_rc 1 "an unknown STRATA_DIALECT fails"
cd "$T" || exit 1

# --- import alembic: a history Flask-Migrate builds here ------------------------------------
mkdir fm && cd fm || exit 1
cp "$FIX/app.py" .
export FLASKAPP_DATABASE="sqlite:///$T/fm/flask.db"
hist_build
check "Flask-Migrate built 7 revisions" test "$(nfiles migrations/versions | tr -d ' ')" -ge 7 -a -n "$R7"
imp() { STRATA_DIALECT=sqlite $PY -c "$(cat "$STRATA_TOP/src/providers/alembic_import.py")" "$@"; }
imp migrations >imp.json 2>"$ERR"; RC=$?
expect_rc 0 "the importer reads the Flask-Migrate directory"
# field ID KEY: a value of the import's JSON (lists space-separated), from one flat dump
$PY -c 'import json
for r in json.load(open("imp.json"))["revisions"]:
    for k, v in r.items():
        v = " ".join(v) if isinstance(v, list) else v
        print("%s|%s|%s" % (r["id"], k, str(v).replace("\n", "\\n")))' >imp.flat
field() { grep "^$1|$2|" imp.flat | cut -d'|' -f3- | sed 's/\\n/\n/g'; }
check "merge R4 revises R2 and R3" test "$(echo $(field $R4 revises | tr ' ' '\n' | sort))" = "$(echo $(printf '%s\n' $R2 $R3 | sort))"
check "R5 is a base labelled audit depending on R4" test "$(field $R5 revises)|$(field $R5 branch_labels)|$(field $R5 depends_on)" = "|audit|$R4"
check "R6's labels are its own (none)" test -z "$(field $R6 branch_labels)"
check "messages and dates come from the files" test "$(field $R2 message)" = "add role" -a -n "$(field $R2 created)"
check "the get_bind step is a warning naming the file, line and call" sh -c \
  "$PY -c 'import json; print(json.load(open(\"imp.json\"))[\"revisions\"][5][\"warnings\"])' | grep -q '${R6}_backfill_audit.py line [0-9]* .n = conn.execute'"
# Alembic's own offline mode, revision by revision (statements on alembic_version aside).
$FLASK db upgrade --sql "base:$R7" >flask_up.sql 2>flask_up.err
$PY "$FIX/compare_sql.py" imp.json upgrade flask_up.sql >"$OUT" 2>"$ERR"; RC=$?
expect_rc 0 "each upgrade is what \`flask db upgrade --sql\` prints for it"
check "six revisions compared (flask stops at the get_bind step, as the import does)" test "$(grep -c '^same' "$OUT")" = 6
$FLASK db downgrade --sql "$R7:base" >flask_down.sql 2>flask_down.err
$PY "$FIX/compare_sql.py" imp.json downgrade flask_down.sql >"$OUT" 2>"$ERR"
check "downgrades equal \`flask db downgrade --sql\` up to where flask stops (R7 R6 R5 R4, R3 when it comes first)" \
  test "$(grep -c '^same' "$OUT")" -ge 4 -a "$(grep '^differs' "$OUT")" = "differs $R2"
down2=$(field $R2 downgrade | grep -v '^--' | tr -d '\n')
check "where flask db cannot render SQLite's batch drop_column offline, the import uses ALTER TABLE" sh -c \
  "grep -q 'requires a live database connection' flask_down.err && grep -q '^differs $R2' '$OUT' && test '$down2' = 'ALTER TABLE users DROP COLUMN role;'"

# Error paths of the importer.
imp nowhere >"$OUT" 2>"$ERR"; RC=$?
expect_rc 1 "import of a missing directory fails"
expect_err "nowhere: no such directory" "naming it"
mkdir -p broken/versions
cp migrations/versions/${R1}_*.py broken/versions/
hist_write broken bad1 "$R1" oops "" "op.execute('SELECT 1')" ""
sed -i 's/^def upgrade():/def upgrade(:/' broken/versions/bad1_oops.py
mkdir -p irrev/versions
cp migrations/versions/${R1}_*.py irrev/versions/
hist_write irrev c0ffee000001 "$R1" "drop the color column for good" "2024-01-15 10:30:00.123456" \
  "op.add_column('tags', sa.Column('color', sa.String(7)))
op.execute(\"UPDATE tags SET color = '#fff'\")" \
  "raise NotImplementedError('the colors cannot come back')"
hist_write irrev c0ffee000002 c0ffee000001 "index outside a transaction" "2024-01-16 10:30:00" \
  "with op.get_context().autocommit_block():
    op.create_index('ix_tags_name2', 'tags', ['name'], postgresql_concurrently=True)" \
  "with op.get_context().autocommit_block():
    op.drop_index('ix_tags_name2', table_name='tags', postgresql_concurrently=True)"
imp irrev >irrev.json 2>"$ERR"; RC=$?
expect_rc 0 "a revision with an irreversible downgrade imports"
check "its downgrade is null with a warning" sh -c "$PY -c '
import json; r=[x for x in json.load(open(\"irrev.json\"))[\"revisions\"] if x[\"id\"]==\"c0ffee000001\"][0]
assert r[\"downgrade\"] is None and \"irreversible\" in r[\"downgrade_warnings\"][0] and \"c0ffee000001_drop_the_color_column_for_good.py\" in r[\"downgrade_warnings\"][0], r
assert r[\"created\"] == \"2024-01-15 10:30:00\" and r[\"message\"] == \"drop the color column for good\", r'"
cd "$T" || exit 1

# --- strata import alembic, then strata and flask db side by side -----------------------------
cd fm || exit 1
run init strata
expect_rc 0 "strata init strata next to Flask-Migrate's migrations/"
sed -i 's|^database = .*|database = sqlite:///flask.db|; s|^schema = .*|schema = sqlalchemy:app:db|' strata.ini
rm -f schema.sql
cp strata.ini strata.ini.before
run import alembic nowhere
expect_rc 1 "import of a missing directory fails"
expect_err "nowhere" "and names it"
run import alembic broken
expect_rc 1 "import of a history with a revision that does not parse fails"
expect_err "bad1_oops.py line 17: syntax error" "showing the importer's error: the file and line"
check "failed imports wrote nothing" sh -c "test \"\$(ls strata/versions | wc -l)\" = 0 && cmp -s strata.ini strata.ini.before"
flask_current=$($FLASK db current 2>/dev/null | ids)
run import alembic migrations
expect_rc 0 "strata import alembic migrations"
expect_err "Imported 7 revisions" "reports the count"
expect_err "$R6.*backfill_audit.py line [0-9]+ .n = conn.execute" "and lists the get_bind step at the end"
check "one strata revision per Alembic revision" test "$(nfiles strata/versions)" = 7
check "strata.ini now shares alembic_version" grep -q '^version_table = alembic_version' strata.ini
check "the get_bind step is a -- WARNING line in its revision" grep -q "^-- WARNING: .*${R6}_backfill_audit.py line" strata/versions/${R6}_*.sql
check "the labelled second base keeps its label and depends-on" sh -c \
  "grep -q '^-- strata:branch-labels audit' strata/versions/${R5}_*.sql && grep -q '^-- strata:depends-on $R4' strata/versions/${R5}_*.sql"
check "the merge revises both parents" grep -qE "^-- strata:revises ($R4 $R6|$R6 $R4)$" strata/versions/${R7}_*.sql
run current
check "strata current agrees with flask db current ($R7)" test "$(ids <"$OUT")" = "$flask_current" -a "$flask_current" = "$R7 "
dump() { sqlite3 "$1" .dump | grep -v strata_history; }
dump flask.db >before.dump
run upgrade heads
expect_rc 0 "strata upgrade heads on the database Flask-Migrate migrated"
check "changes nothing" sh -c "dump() { sqlite3 \"\$1\" .dump | grep -v strata_history; }; dump flask.db | cmp -s - before.dump"
run check
expect_rc 0 "strata check: the models match the imported head"
run -d sqlite:///fresh_s.db upgrade heads
expect_rc 0 "strata upgrade heads builds a fresh database"
FLASKAPP_DATABASE="sqlite:///$T/fm/fresh_f.db" $FLASK db upgrade heads >/dev/null 2>&1
catalog fresh_f.db >cat.flask
catalog fresh_s.db >cat.strata
check "with the catalog \`flask db upgrade heads\` builds" diff cat.flask cat.strata
check "(seven tables, users.role and tags.color included)" sh -c "test \$(grep -c '^table' cat.flask) = 7 && grep -q '|role|VARCHAR(20)|1|' cat.flask && grep -q '|color|VARCHAR(7)|' cat.flask"
run -d sqlite:///fresh_s.db downgrade base
expect_rc 0 "strata downgrade base runs every imported downgrade (SQLite's DROP COLUMN for the batch step)"
check "leaving only alembic_version and strata's history" test "$(sq fresh_s.db "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name)")" = "alembic_version,strata_history"

run downgrade -1
expect_rc 0 "strata downgrade -1 from the merge"
check "flask db current agrees: $R4 and $R6" test "$($FLASK db current 2>/dev/null | ids)" = "$(echo $R4 $R6 | ids)"
check "the version table holds $R6 alone ($R4 comes with it through depends_on, as Alembic records it)" \
  test "$(sq flask.db 'SELECT group_concat(version_num) FROM alembic_version')" = "$R6"
run current
expect_out "^$R6" "strata current shows $R6"
$FLASK db upgrade >flask_up2.log 2>&1
check "flask db upgrade goes on from there to $R7" grep -q "Running upgrade .* -> $R7" flask_up2.log
run upgrade
expect_rc 0 "strata upgrade then has nothing to do"
check "back at $R7, flask db current agrees" test "$($FLASK db current 2>/dev/null | ids)" = "$R7 "
ls -l strata/versions >versions.before
run import alembic migrations
expect_rc 1 "a second import refuses"
expect_err "already holds 7 strata revisions" "saying why"
check "and leaves the revisions as they were" sh -c "ls -l strata/versions | cmp -s - versions.before"

# flask db migrate on a database strata has upgraded: strata_history is not a model.
$FLASK db migrate -m side >side.log 2>&1
check "without a filter, autogenerate proposes dropping strata_history" sh -c "grep -q \"op.drop_table('strata_history')\" migrations/versions/*_side.py"
rm -f migrations/versions/*_side.py
sed -i 's/^    migrate.init_app(new, db)$/    migrate.init_app(new, db, include_name=lambda name, type_, parents: not (type_ == "table" and name.startswith("strata_")))/' app.py
$FLASK db migrate -m side >side.log 2>&1
check "with Migrate(..., include_name=…) as docs/from-flask-migrate.md shows, it sees no change" sh -c \
  "grep -q 'No changes in schema detected' side.log && ! ls migrations/versions/*_side.py >/dev/null 2>&1"

# An irreversible downgrade imports as one.
mkdir irr && cd irr || exit 1
st init strata >/dev/null 2>&1
sed -i "s|^database = .*|database = sqlite:///irr.db|" strata.ini
run import alembic ../irrev
expect_rc 0 "a history with an irreversible downgrade imports"
check "its downgrade section says it is irreversible" sh -c "sed -n '/^-- strata:downgrade/,\$p' strata/versions/c0ffee000001_*.sql | grep -q 'irreversible'"
check "a revision using autocommit_block() runs outside a transaction" grep -q '^-- strata:transaction off' strata/versions/c0ffee000002_*.sql
check "message and date come over" sh -c "grep -q '^-- strata:message drop the color column for good' strata/versions/c0ffee000001_*.sql && grep -q '^-- strata:created 2024-01-15 10:30:00' strata/versions/c0ffee000001_*.sql"
cd "$T" || exit 1
