# A Flask-SQLAlchemy / Flask-Migrate project on PostgreSQL, with the real peers from
# Debian (/usr/bin/python3, /usr/bin/flask, psycopg2):
# - `schema = sqlalchemy:app:db`: migrate + upgrade give the catalog db.create_all()
#   gives (pg_catalog: columns, defaults, constraints, indexes, the enum type); seed
#   004's User.role; plain SQLAlchemy models with a sequence and an identity column;
# - `strata import alembic`: the Flask-Migrate history of tests/fixtures/flaskapp built
#   here, SQL equal to `flask db upgrade --sql` / `downgrade --sql` per revision;
#   strata and flask db side by side on one database.
# Runs only when tests/run.sh started a throwaway cluster (STRATA_PG_URL set).
# Without a server: skipped, except in CI (CI set), where it is a failure.
[ -n "${STRATA_PG_URL:-}" ] || { [ -z "${CI:-}" ] && exit 0; echo "not ok - no PostgreSQL server (STRATA_PG_URL is unset)"; exit 1; }
. "$STRATA_TOP/tests/e2e/lib.sh"
. "$STRATA_TOP/tests/fixtures/flaskapp/lib.sh"
# pgdb NAME: creates a database and prints its URL (libpq's and SQLAlchemy's form alike)
pgdb() { createdb -h "$PGHOST" -p "$PGPORT" -U postgres "$1" && echo "postgresql://postgres@/$1?host=$PGHOST&port=$PGPORT"; }
pq() { psql -h "$PGHOST" -p "$PGPORT" -U postgres -XAtq -d "$1" -c "$2"; }
# pgcat DB: the app's schema as pg_catalog describes it: columns (type, NOT NULL,
# default, identity), constraints, indexes, enum types and sequences; strata's and
# Alembic's version tables left out
pgcat() {
  pq "$1" "
  WITH t AS (SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind = 'r'
               AND c.relname NOT LIKE 'strata\\_%' AND c.relname <> 'alembic_version')
  SELECT 'column ' || t.relname || '.' || a.attname || ' #' || a.attnum || ' ' || format_type(a.atttypid, a.atttypmod)
         || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
         || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')
         || CASE a.attidentity WHEN '' THEN '' ELSE ' IDENTITY ' || a.attidentity::text END
    FROM t JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  UNION ALL
  SELECT 'constraint ' || t.relname || ' ' || co.conname || ' ' || pg_get_constraintdef(co.oid)
    FROM t JOIN pg_constraint co ON co.conrelid = t.oid
  UNION ALL
  SELECT 'index ' || pg_get_indexdef(i.indexrelid)
    FROM t JOIN pg_index i ON i.indrelid = t.oid
  UNION ALL
  SELECT 'enum ' || ty.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
    FROM pg_type ty JOIN pg_enum e ON e.enumtypid = ty.oid GROUP BY ty.typname
  UNION ALL
  SELECT 'sequence ' || s.relname || ' ' || q.seqstart || ' ' || q.seqincrement
    FROM pg_class s JOIN pg_sequence q ON q.seqrelid = s.oid JOIN pg_namespace n ON n.oid = s.relnamespace
   WHERE n.nspname = 'public' AND s.relname NOT LIKE 'strata\\_%'
  ORDER BY 1"
}

# --- schema = sqlalchemy:app:db --------------------------------------------------------------
mkdir app && cd app || exit 1
cp "$FIX/app.py" "$FIX/plain.py" .
s_url=$(pgdb sfl_$$)
f_url=$(pgdb ffl_$$)
export FLASKAPP_DATABASE="$f_url"
printf '[strata]\ndatabase = %s\nscript_location = strata\nschema = sqlalchemy:app:db\n' "$s_url" >strata.ini
mkdir -p strata/versions
run migrate -m "initial"
expect_rc 0 "migrate from sqlalchemy:app:db on an empty PostgreSQL database"
check "it creates the enum type" grep -q "CREATE TYPE.*post_status.*AS ENUM" strata/versions/*.sql
run upgrade
expect_rc 0 "upgrade"
run check
expect_rc 0 "check: the database matches the models"
create_all 2>"$ERR"
pgcat "sfl_$$" >cat.strata
pgcat "ffl_$$" >cat.flask
check "the catalog strata built is the one db.create_all() builds" diff cat.flask cat.strata
diff cat.flask cat.strata
check "it holds the enum, the ON DELETE rules, the CHECK and the server defaults" sh -c "
  grep -q '^enum post_status draft,published,archived' cat.flask &&
  grep -q 'FOREIGN KEY (author_id) REFERENCES users(id) ON DELETE CASCADE' cat.flask &&
  grep -q 'ON UPDATE CASCADE ON DELETE SET NULL' cat.flask &&
  grep -q 'CHECK ((views >= 0))' cat.flask && grep -q \"DEFAULT 'draft'::post_status\" cat.flask"

# seed 004: User gains role, NOT NULL with a server default; existing rows survive.
pq "sfl_$$" "INSERT INTO users (email, name) VALUES ('a@x', 'Ann'), ('b@x', 'Bob')"
add_role
run check
expect_rc 1 "check after the model gained User.role"
expect_out "role" "names the column"
run migrate -m "add role"
expect_rc 0 "migrate writes the change"
run upgrade
expect_rc 0 "upgrade applies it"
check "the rows survive with role 'user'" test "$(pq "sfl_$$" "SELECT count(*) FROM users WHERE role = 'user'")" = 2
run check
expect_rc 0 "check: up to date again"

# Plain SQLAlchemy models: a standalone sequence, an identity column, '%' in a default.
p_url=$(pgdb pfl_$$)
q_url=$(pgdb qfl_$$)
printf '[strata]\ndatabase = %s\nscript_location = plain\nschema = sqlalchemy:plain:metadata\n' "$p_url" >strata.ini
mkdir -p plain/versions
run migrate -m "plain"
expect_rc 0 "migrate from sqlalchemy:plain:metadata"
run upgrade
expect_rc 0 "upgrade"
run check
expect_rc 0 "check"
$PY -c 'import sys, sqlalchemy as sa, plain; plain.metadata.create_all(sa.create_engine(sys.argv[1]))' "$q_url" 2>"$ERR"
pgcat "pfl_$$" >pcat.strata
pgcat "qfl_$$" >pcat.sqla
check "same catalog as metadata.create_all(): sequence, identity, CHECK, '%' default" diff pcat.sqla pcat.strata
check "the sequence and the identity column are there" sh -c \
  "grep -q '^sequence invoice_numbers 1000 1' pcat.sqla && grep -q 'customers.id #1 integer NOT NULL IDENTITY d' pcat.sqla && grep -q \"'100% sure'\" pcat.sqla"
cd "$T" || exit 1

# --- import alembic: a history Flask-Migrate builds here ------------------------------------
mkdir fm && cd fm || exit 1
cp "$FIX/app.py" .
h_url=$(pgdb hfl_$$)
export FLASKAPP_DATABASE="$h_url"
hist_build
check "Flask-Migrate built 7 revisions on PostgreSQL" test "$(nfiles migrations/versions)" -ge 7 -a -n "$R7"
STRATA_DIALECT=postgresql $PY -c "$(cat "$STRATA_TOP/src/providers/alembic_import.py")" migrations >imp.json 2>"$ERR"; RC=$?
expect_rc 0 "the importer reads the Flask-Migrate directory for postgresql"
$FLASK db upgrade --sql "base:$R7" >flask_up.sql 2>flask_up.err
$PY "$FIX/compare_sql.py" imp.json upgrade flask_up.sql >"$OUT" 2>"$ERR"; RC=$?
expect_rc 0 "each upgrade is what \`flask db upgrade --sql\` prints for it"
check "six revisions compared (flask stops at the get_bind step, as the import does)" test "$(grep -c '^same' "$OUT")" = 6
$FLASK db downgrade --sql "$R7:base" >flask_down.sql 2>flask_down.err
$PY "$FIX/compare_sql.py" imp.json downgrade flask_down.sql >"$OUT" 2>"$ERR"; RC=$?
expect_rc 0 "each downgrade is what \`flask db downgrade --sql\` prints for it"
check "all seven compared" test "$(grep -c '^same' "$OUT")" = 7
check "the enum type comes in the initial revision" sh -c "grep -q 'CREATE TYPE post_status AS ENUM' imp.json"

# strata import alembic, then strata and flask db side by side on the same database.
run init strata
expect_rc 0 "strata init strata next to Flask-Migrate's migrations/"
# SQLAlchemy's spelling of the URL, as the app's config has it
printf '[strata]\ndatabase = %s\nscript_location = strata\nschema = sqlalchemy:app:db\n' \
  "postgresql+psycopg2://postgres@/hfl_$$?host=$PGHOST&port=$PGPORT" >strata.ini
rm -f schema.sql
flask_current=$($FLASK db current 2>/dev/null | ids)
run import alembic migrations
expect_rc 0 "strata import alembic migrations"
expect_err "Imported 7 revisions" "reports the count"
check "one strata revision per Alembic revision" test "$(nfiles strata/versions)" = 7
check "the enum type is created by the initial revision" grep -q "CREATE TYPE post_status AS ENUM" strata/versions/${R1}_*.sql
run current
check "strata current agrees with flask db current ($R7)" test "$(ids <"$OUT")" = "$flask_current" -a "$flask_current" = "$R7 "
pgcat "hfl_$$" >before.cat
before_rows=$(pq "hfl_$$" "SELECT (SELECT string_agg(version_num, ',') FROM alembic_version) || '/' || (SELECT count(*) FROM audit_log)")
run upgrade heads
expect_rc 0 "strata upgrade heads on the database Flask-Migrate migrated"
check "changes nothing (catalog, version rows, data)" sh -c \
  "test \"$before_rows\" = \"\$(psql -h '$PGHOST' -p '$PGPORT' -U postgres -XAtq -d hfl_$$ -c \"SELECT (SELECT string_agg(version_num, ',') FROM alembic_version) || '/' || (SELECT count(*) FROM audit_log)\")\""
pgcat "hfl_$$" >after.cat
check "(catalog compared)" diff before.cat after.cat
run check
expect_rc 0 "strata check: the models match the imported head"
fs_url=$(pgdb fsfl_$$)
ff_url=$(pgdb fffl_$$)
run -d "$fs_url" upgrade heads
expect_rc 0 "strata upgrade heads builds a fresh database"
FLASKAPP_DATABASE="$ff_url" $FLASK db upgrade heads >/dev/null 2>&1
pgcat "fsfl_$$" >cat.strata
pgcat "fffl_$$" >cat.flask
check "with the catalog \`flask db upgrade heads\` builds" diff cat.flask cat.strata
check "(the enum, users.role, tags.color and audit_log's index included)" sh -c \
  "grep -q '^enum post_status' cat.flask && grep -q 'users.role' cat.flask && grep -q 'tags.color' cat.flask && grep -q 'ix_audit_log_at' cat.flask"
run downgrade -1
expect_rc 0 "strata downgrade -1 from the merge"
check "flask db current agrees: $R4 and $R6" test "$($FLASK db current 2>/dev/null | ids)" = "$(echo $R4 $R6 | ids)"
run upgrade
expect_rc 0 "strata upgrade back"
check "flask db current agrees: $R7" test "$($FLASK db current 2>/dev/null | ids)" = "$R7 "
run -d "$fs_url" downgrade "$R1"
expect_rc 0 "strata downgrade to the initial revision on the fresh database"
check "flask db current agrees there too" test "$(FLASKAPP_DATABASE="$fs_url" $FLASK db current 2>/dev/null | ids)" = "$R1 "
check "users.role and audit_log are gone" test "$(pq "fsfl_$$" "SELECT count(*) FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'role'")/$(pq "fsfl_$$" "SELECT to_regclass('audit_log') IS NULL")" = "0/t"
cd "$T" || exit 1
