# Django on PostgreSQL, with the real Django and psycopg2 from Debian and the fixture
# project tests/fixtures/djangoproj: the scenarios of test_django.sh against the throwaway
# cluster, the catalogs compared through pg_catalog.
# Runs only when tests/run.sh started a throwaway cluster (STRATA_PG_URL set).
# Without a server: skipped, except in CI (CI set), where it is a failure.
[ -n "${STRATA_PG_URL:-}" ] || { [ -z "${CI:-}" ] && exit 0; echo "not ok - no PostgreSQL server (STRATA_PG_URL is unset)"; exit 1; }
. "$STRATA_TOP/tests/e2e/lib.sh"
. "$STRATA_TOP/tests/fixtures/djangoproj/testlib.sh"
if ! /usr/bin/python3 -c 'import django, psycopg2' 2>/dev/null; then
  echo "not ok - Django and psycopg2 for /usr/bin/python3 (install python3-django python3-psycopg2: make deps)"; exit 1
fi
# pgdb NAME: creates a database for one scenario and prints its URL
pgdb() { createdb -h "$PGHOST" -p "$PGPORT" -U postgres "$1" && echo "postgresql://postgres@/$1?host=$PGHOST&port=$PGPORT"; }
# pq DB SQL: the value(s) psql prints for SQL, unaligned
pq() { psql -h "$PGHOST" -p "$PGPORT" -U postgres -XAtq -d "$1" -c "$2"; }
# djpg DB DIR ARG...: manage.py ARG... in DIR on the PostgreSQL database DB
djpg() { _db=$1; shift; DJANGO_DB_ENGINE=postgresql DJANGO_DB_NAME=$_db DJANGO_DB_HOST=$PGHOST DJANGO_DB_PORT=$PGPORT DJANGO_DB_USER=postgres dj "$@"; }
# same_catalog NAME DB1 DB2: the two databases have the same catalog
same_catalog() {
  pg_catalog_of "$2" >"$T/$2.cat"; pg_catalog_of "$3" >"$T/$3.cat"
  if cmp -s "$T/$2.cat" "$T/$3.cat" && [ -s "$T/$2.cat" ]; then ok "$1"; else
    echo "not ok - $1"; diff "$T/$2.cat" "$T/$3.cat" | head -20 | sed 's/^/    /'; fi
}

# --- 1. the schema from the models -------------------------------------------------
s=djs_$$; r=djr_$$
A=$T/app
dj_project "$A"
cd "$A" || exit 1
url=$(pgdb "$s")
pgdb "$r" >/dev/null
printf '[strata]\ndatabase = %s\nscript_location = migrations\nschema = django:proj.settings\n' "$url" >strata.ini
mkdir -p migrations/versions
djpg "$r" "$A" migrate -v 0
check "manage.py migrate built the reference database" test "$(pq "$r" "SELECT count(*) FROM django_migrations")" -gt 15

run -d "postgresql://postgres@/$r?host=$PGHOST&port=$PGPORT" check
expect_rc 0 "check: the database manage.py migrate built matches the models"

run migrate -m "initial"
expect_rc 0 "migrate writes the first revision from the models"
run upgrade
expect_rc 0 "upgrade creates the tables"
same_catalog "the catalog equals the one manage.py migrate built" "$s" "$r"
check "DEFERRABLE foreign keys as Django makes them" test "$(pq "$s" "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND condeferrable AND condeferred")" -ge 10
run check
expect_rc 0 "check after upgrade"
# The provider never connects: the settings name a server that cannot be reached.
DJANGO_DB_ENGINE=postgresql DJANGO_DB_HOST=/nonexistent/socket-dir DJANGO_DB_NAME=nowhere st check >"$OUT" 2>"$ERR"; RC=$?
expect_rc 0 "check works with the settings' server unreachable"

pq "$s" "INSERT INTO accounts_customer (email, name, is_active, created_at) VALUES
  ('ann@example.org', 'Ann', true, now()), ('bob@example.org', 'Bob', true, now())"
role_change "$A"
check "no role column after the refused upgrade" test "$(pq "$s" "SELECT count(*) FROM information_schema.columns WHERE table_name = 'accounts_customer' AND column_name = 'role'")" = 0
fill_role "$ROLE_REV"
run upgrade
expect_rc 0 "upgrade applies role"
check "rows survive with role filled" test "$(pq "$s" "SELECT string_agg(email || ':' || role, ',' ORDER BY id) FROM accounts_customer")" = "ann@example.org:user,bob@example.org:user"
run check
expect_rc 0 "check passes after the upgrade"
djpg "$r" "$A" makemigrations accounts -n customer_role -v 0
djpg "$r" "$A" migrate -v 0
same_catalog "with role: the catalog equals Django's own migration's" "$s" "$r"

n=$(versions)
sed -i 's/^schema = .*/schema = django:proj.nosuch/' strata.ini
run migrate -m "never"
expect_rc 1 "a settings module that does not import fails, nothing written"
check "nothing written" test "$(versions)" = "$n"

# --- 2. the history from the migrations --------------------------------------------
B=$T/imp
dj_project "$B"
full=djf_$$
pgdb "$full" >/dev/null
djpg "$full" "$B" migrate -v 0
dj_import "$B" postgresql proj.settings >"$T/imp.json" 2>"$ERR"
check "the importer runs" test -s "$T/imp.json"
(cd "$B" && DJANGO_DB_ENGINE=postgresql DJANGO_DB_NAME=$full DJANGO_DB_HOST=$PGHOST DJANGO_DB_PORT=$PGPORT DJANGO_DB_USER=postgres \
  /usr/bin/python3 peer_checks.py sql "$T/imp.json") >"$OUT" 2>&1; RC=$?
expect_rc 0 "every revision's SQL is what manage.py sqlmigrate prints, forwards and backwards"
expect_out "compared (4[0-9]|[5-9][0-9])" "sqlmigrate compared for every migration"
(cd "$B" && DJANGO_DB_ENGINE=postgresql DJANGO_DB_NAME=$full DJANGO_DB_HOST=$PGHOST DJANGO_DB_PORT=$PGPORT DJANGO_DB_USER=postgres \
  /usr/bin/python3 peer_checks.py graph "$T/imp.json") >"$OUT" 2>&1; RC=$?
expect_rc 0 "revises + depends_on are the dependencies showmigrations --plan shows"

# strata import django on a database manage.py migrated partway.
export DJANGO_DB_ENGINE=postgresql DJANGO_DB_HOST=$PGHOST DJANGO_DB_PORT=$PGPORT DJANGO_DB_USER=postgres
part=djp_$$
C=$T/part
import_project "$C" "$(pgdb "$part")"
export DJANGO_DB_NAME=$part
dj "$C" migrate -v 0 shop 0002
run import django --settings proj.settings
expect_rc 0 "import django"
expect_err "shop_0003_seed_categories: RunPython add_categories\(\) has no SQL form" "RunPython listed at the end of the import"
agree "current and status agree with showmigrations (partway)" "$C"
run import django --settings proj.settings
expect_rc 1 "import refuses to overwrite existing revisions"
run upgrade heads
expect_rc 0 "upgrade heads from partway"
agree "showmigrations agrees after strata upgrade" "$C"
run downgrade shop_0002_product_stock
expect_rc 0 "downgrade one step"
agree "showmigrations agrees after strata downgrade" "$C"
check "Django forgets the step" test "$(pq "$part" "SELECT count(*) FROM django_migrations WHERE app = 'shop' AND name = '0003_seed_categories'")" = 0

# The fully migrated database: upgrade heads changes nothing; a fresh one built by strata
# has the catalog and the django_migrations rows manage.py migrate gave it.
D=$T/fullimp
fresh=djn_$$
import_project "$D" "postgresql://postgres@/$full?host=$PGHOST&port=$PGPORT" django:proj.settings
export DJANGO_DB_NAME=$full
run import django
expect_rc 0 "import django, the settings from the django: schema source"
agree "current and status agree with showmigrations (fully migrated)" "$D"
pg_catalog_of "$full" >"$T/before.cat"
run upgrade heads
expect_rc 0 "upgrade heads on the fully migrated database"
pg_catalog_of "$full" >"$T/after.cat"
check "upgrade heads changed nothing" cmp -s "$T/before.cat" "$T/after.cat"
check "no revision ran" test "$(pq "$full" "SELECT count(*) FROM strata_history WHERE direction = 'up'")" = 0
run -d "$(pgdb "$fresh")" upgrade heads
expect_rc 0 "upgrade heads builds a fresh database"
same_catalog "the fresh database has the catalog manage.py migrate built" "$fresh" "$full"
check "and the same django_migrations rows" test "$(pq "$fresh" 'SELECT app, name FROM django_migrations ORDER BY 1, 2')" = "$(pq "$full" 'SELECT app, name FROM django_migrations ORDER BY 1, 2')"
run -d "postgresql://postgres@/$fresh?host=$PGHOST&port=$PGPORT" check
expect_rc 0 "the fresh database matches the models"
