# Habits users bring from git, Flask-Migrate and Alembic (issue 13 §4): a mistyped
# command suggests the nearest; `migrate` without -m uses Flask-Migrate's default
# message (taken from Flask-Migrate itself, run here); `reset` answered "n" changes
# nothing and is not an error, and its output says what other copies of the
# database need and what became of the branch labels.
. "$STRATA_TOP/tests/e2e/lib.sh"
PY=${STRATA_PYTHON:-/usr/bin/python3}

run upgade
expect_rc 2 "a mistyped command is a usage error"
expect_err "^strata: error: unknown command 'upgade' \(did you mean upgrade\?" "it suggests the nearest command"
run stauts
expect_err "did you mean status\?" "a swap of two letters is one edit"
run hist
expect_err "did you mean history\?" "a command's beginning suggests it"
run frobnicate
expect_rc 2 "an unknown command far from any"
check "suggests nothing then" sh -c "! grep -q 'did you mean' '$ERR'"

# Flask-Migrate's answer: `flask db migrate` without -m, on a model with one table.
mkdir fm && cd fm || exit 1
cat >app.py <<'PYAPP'
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from flask_migrate import Migrate
app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///app.db"
db = SQLAlchemy(app)
migrate = Migrate(app, db)
class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
PYAPP
FLASK_APP=app.py "$PY" -m flask db init >/dev/null 2>&1
FLASK_APP=app.py "$PY" -m flask db migrate >/dev/null 2>&1
fm_msg=$(head -n 1 migrations/versions/*.py | sed 's/^"""//')
check "Flask-Migrate wrote a revision without -m" test -n "$fm_msg"
cd .. || exit 1
mkdir sq && cd sq || exit 1
project
printf 'CREATE TABLE users (id INTEGER PRIMARY KEY);\n' >schema.sql
printf 'schema = schema.sql\n' >>strata.ini
run migrate
expect_rc 0 "migrate without -m writes a revision"
f=$(cat "$OUT" | tail -n 1)
check "with Flask-Migrate's default message ('$fm_msg')" grep -qx -- "-- strata:message $fm_msg" "$f"

# reset: "n" on a terminal changes nothing and exits 0; without a terminal and
# without --yes it refuses (exit 1).
run upgrade
sed -i 's/^-- strata:message .*/&\n-- strata:branch-labels users/' "$f"
before=$(ls migrations/versions)
on_tty n reset
expect_rc 0 "reset answered n is not an error"
expect_out "nothing changed" "it says nothing changed"
check "the revision files are untouched" test "$(ls migrations/versions)" = "$before"
run reset
expect_rc 1 "reset without a terminal and without --yes refuses"
expect_err "needs confirmation" "and says how to confirm"
on_tty y reset -m squashed
expect_rc 0 "reset answered y squashes the history"
new=$(ls migrations/versions)
newid=${new%%_*}
expect_out "the branch labels users were on the old revisions and are not carried over" "the loss of the branch labels is stated"
expect_out "other copies of this database .*strata stamp $newid --purge" "it says what other copies of the database need"
expect_out "doctor --fix" "and that doctor --fix offers it"

# LABEL@-1 when the label's branch is at two heads: Alembic 1.8 (run here on the same
# graph) refuses too, but without a word (a bare AssertionError); strata says why and
# spells the targets that work.
cd .. && mkdir lab && cd lab || exit 1
project
mkrev u1 "" "users base" "CREATE TABLE u1 (x INTEGER);" "DROP TABLE u1;" "-- strata:branch-labels users" >/dev/null
mkrev u2 u1 "u2" "" "" >/dev/null
mkrev u3 u2 "u3 a" "" "" >/dev/null
mkrev u4 u2 "u4 b" "" "" >/dev/null
printf 'u1||users||users base\nu2|u1|||u2\nu3|u2|||u3 a\nu4|u2|||u4 b\n' >graph
printf 'u3 u4|downgrade|users@-1\nu3 u4|downgrade|u3-1\n' >cases
"$PY" "$STRATA_TOP/tests/e2e/alembic_peer.py" graph cases >alembic.txt 2>alembic.err
check "Alembic refuses users@-1 with the branch at two heads" grep -q '^u3 u4|downgrade|users@-1|ERROR|' alembic.txt
check "and takes u3-1" grep -q '^u3 u4|downgrade|u3-1|Running downgrade' alembic.txt
run upgrade heads
run downgrade users@-1
expect_rc 1 "strata refuses users@-1 too"
expect_err "Ambiguous relative revision users@-1: branch users is at several heads in the database \(u3, u4\)" "and says why"
expect_err "name the one: u3-1 or u4-1" "and spells the targets that work"
check "nothing was reverted" test "$(sq db.sqlite 'SELECT count(*) FROM strata_version')" = 2
run downgrade u3-1
expect_rc 0 "u3-1 works, as in Alembic"
