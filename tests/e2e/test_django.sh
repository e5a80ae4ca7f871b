# Django on SQLite, with the real Django from Debian and the fixture project
# tests/fixtures/djangoproj (two apps, contrib auth/contenttypes, six migrations of its own:
# cross-app dependencies, RunSQL, RunPython, a non-atomic and an irreversible one).
# 1. `schema = django:proj.settings`: migrate + upgrade on an empty database gives the
#    catalog `manage.py migrate` builds; seed 004's User.role case (NOT NULL with a
#    default) through check / migrate / upgrade with rows kept; failing sources.
# 2. `strata import django`: the importer's SQL is what `manage.py sqlmigrate` prints and
#    its graph what `showmigrations --plan` shows; then import, current/status against
#    showmigrations, upgrade heads, a fresh database, downgrade, refusal to overwrite.
. "$STRATA_TOP/tests/e2e/lib.sh"
. "$STRATA_TOP/tests/fixtures/djangoproj/testlib.sh"
if ! /usr/bin/python3 -c 'import django' 2>/dev/null; then
  echo "not ok - Django for /usr/bin/python3 (install python3-django: make deps)"; exit 1
fi

# --- 1. the schema from the models -------------------------------------------------
A=$T/app
dj_project "$A"
cd "$A" || exit 1
printf '[strata]\ndatabase = sqlite:app.db\nscript_location = migrations\nschema = django:proj.settings\n' >strata.ini
mkdir -p migrations/versions
DJANGO_DB_NAME=$T/django.db dj "$A" migrate -v 0
check "manage.py migrate built the reference database" test -s "$T/django.db"
cp "$T/django.db" "$T/full.db" # kept for part 2, before the models change

run -d "sqlite:$T/django.db" check
expect_rc 0 "check: the database manage.py migrate built matches the models"
expect_out "matches django:proj.settings" "check names the schema source"

run migrate -m "initial"
expect_rc 0 "migrate writes the first revision from the models"
check "one revision written" test "$(versions)" = 1
run upgrade
expect_rc 0 "upgrade creates the tables"
sq_catalog app.db >"$T/strata.cat"
sq_catalog "$T/django.db" >"$T/django.cat"
check "the catalog equals the one manage.py migrate built" cmp -s "$T/strata.cat" "$T/django.cat"
check "the catalog is not trivially empty" test "$(grep -c '^column|' "$T/strata.cat")" -gt 60
run check
expect_rc 0 "check after upgrade"
# The provider never opens the settings' database: point it at a directory that is not there.
DJANGO_DB_NAME=$T/nowhere/app.db st check >"$OUT" 2>"$ERR"; RC=$?
expect_rc 0 "check works with the settings' database elsewhere"
check "the settings' database is never opened" test ! -e "$T/nowhere"

# Seed 004: the model gains a NOT NULL column with a (Python) default; rows must survive.
sq app.db "INSERT INTO accounts_customer (email, name, is_active, created_at) VALUES
  ('ann@example.org', 'Ann', 1, '2024-01-15 10:30:00'), ('bob@example.org', 'Bob', 1, '2024-01-16 11:00:00')"
role_change "$A"
check "rows untouched by the refused upgrade" test "$(sq app.db 'SELECT count(*) FROM accounts_customer')" = 2
fill_role "$ROLE_REV"
run upgrade
expect_rc 0 "upgrade applies role"
check "rows survive with role filled" test "$(sq app.db "SELECT group_concat(email || ':' || role) FROM (SELECT * FROM accounts_customer ORDER BY id)")" = "ann@example.org:user,bob@example.org:user"
run check
expect_rc 0 "check passes after the upgrade"
# Django's own migration for the same change gives the same catalog.
DJANGO_DB_NAME=$T/django.db dj "$A" makemigrations accounts -n customer_role -v 0
DJANGO_DB_NAME=$T/django.db dj "$A" migrate -v 0
sq_catalog app.db >"$T/strata.cat"
sq_catalog "$T/django.db" >"$T/django.cat"
check "with role: the catalog equals Django's own migration's" cmp -s "$T/strata.cat" "$T/django.cat"

# Failing sources: exit 1, the source named, the end of its stderr shown, nothing written.
n=$(versions)
sed -i 's/^schema = .*/schema = django:proj.nosuch/' strata.ini
run check
expect_rc 1 "a settings module that does not import fails check"
expect_err "django:proj\.nosuch" "the error names the source"
expect_err "No module named 'proj\.nosuch'" "the error shows the end of its stderr"
run migrate -m "never"
expect_rc 1 "migrate fails with the bad source"
check "nothing written" test "$(versions)" = "$n"
sed -i 's/^schema = .*/schema = django:proj.settings:shop,nope/' strata.ini
run migrate -m "never"
expect_rc 1 "an unknown app label fails"
expect_err "django:proj\.settings:shop,nope" "the error names that source"
expect_err "no installed app with label 'nope'" "and the label"
check "nothing written either" test "$(versions)" = "$n"

# --- 2. the history from the migrations --------------------------------------------
B=$T/imp
dj_project "$B"
dj_import "$B" sqlite proj.settings >"$T/imp.json" 2>"$ERR"
check "the importer runs" test -s "$T/imp.json"
(cd "$B" && DJANGO_DB_NAME=$T/full.db /usr/bin/python3 peer_checks.py sql "$T/imp.json") >"$OUT" 2>&1; RC=$?
expect_rc 0 "every revision's SQL is what manage.py sqlmigrate prints, forwards and backwards"
expect_out "compared (4[0-9]|[5-9][0-9])" "sqlmigrate compared for every migration"
(cd "$B" && DJANGO_DB_NAME=$T/full.db /usr/bin/python3 peer_checks.py graph "$T/imp.json") >"$OUT" 2>&1; RC=$?
expect_rc 0 "revises + depends_on are the dependencies showmigrations --plan shows"
check "branch label per app on its first migration" dj_json "$T/imp.json" \
  'revs["shop_0001_initial"]["branch_labels"] == ["shop"] and revs["accounts_0001_initial"]["branch_labels"] == ["accounts"] and not revs["shop_0002_product_stock"]["branch_labels"]'
check "cross-app dependency as depends_on" dj_json "$T/imp.json" \
  'revs["shop_0003_seed_categories"]["depends_on"] == ["accounts_0003_seed_plans"] and revs["shop_0003_seed_categories"]["revises"] == ["shop_0002_product_stock"]'
check "RunPython is a warning both ways" dj_json "$T/imp.json" \
  '"add_categories" in " ".join(revs["shop_0003_seed_categories"]["warnings"]) and "remove_categories" in " ".join(revs["shop_0003_seed_categories"]["downgrade_warnings"])'
check "RunPython without reverse_code: no downgrade" dj_json "$T/imp.json" 'revs["accounts_0004_backfill_names"]["downgrade"] is None'
check "atomic = False: no transaction" dj_json "$T/imp.json" \
  'revs["accounts_0004_backfill_names"]["transaction"] is False and revs["accounts_0003_seed_plans"]["transaction"] is True'
check "RunSQL kept as its SQL" dj_json "$T/imp.json" '"INSERT INTO accounts_plan" in revs["accounts_0003_seed_plans"]["upgrade"]'
check "created from the Generated by Django line" dj_json "$T/imp.json" \
  'revs["shop_0002_product_stock"]["created"] == open(sys.argv[1].rsplit("/", 1)[0] + "/imp/shop/migrations/0002_product_stock.py").readline().split(" on ")[1].strip() + ":00"'
check "django names the django_migrations row" dj_json "$T/imp.json" 'revs["shop_0002_product_stock"]["django"] == ["shop", "0002_product_stock"]'
dj_import "$B" sqlite proj.settings shop >"$T/shop.json" 2>"$ERR"
check "importer: an app list imports only those apps, and says what it left out" dj_json "$T/shop.json" \
  'set(revs) == {"shop_0001_initial", "shop_0002_product_stock", "shop_0003_seed_categories"} and any("accounts_0001_initial" in w or "accounts 0001_initial" in w for w in d["warnings"])'

# strata import django on a database manage.py migrated partway.
C=$T/part
import_project "$C" sqlite:app.db
export DJANGO_DB_NAME=$C/app.db
dj "$C" migrate -v 0 shop 0002
run import django --settings proj.settings shop nope
expect_rc 1 "import: an unknown app label fails"
expect_err "no installed app with label 'nope'" "import: the error names it"
run import django --settings proj.nosuch
expect_rc 1 "import: settings that do not import fail"
expect_err "No module named 'proj\.nosuch'" "import: the error shows the end of the importer's stderr"
check "import: nothing written by the failures" test -z "$(ls strata/versions)"
run import django --settings proj.settings
expect_rc 0 "import django"
check "one revision per migration" test "$(ls strata/versions | wc -l)" = "$(dj "$C" showmigrations --list | grep -c '^ \[')"
expect_err "shop_0003_seed_categories: RunPython add_categories\(\) has no SQL form" "RunPython listed at the end of the import"
check "RunPython is a WARNING line in the revision" grep -q '^-- WARNING: RunPython add_categories() has no SQL form' strata/versions/shop_0003_seed_categories.sql
check "the cross-app dependency is a depends-on header" grep -q '^-- strata:depends-on accounts_0003_seed_plans$' strata/versions/shop_0003_seed_categories.sql
check "atomic = False is transaction off" grep -q '^-- strata:transaction off' strata/versions/accounts_0004_backfill_names.sql
agree "current and status agree with showmigrations (partway)" "$C"
sum=$(tree_sum strata)
run import django --settings proj.settings
expect_rc 1 "import refuses to overwrite existing revisions"
check "the revisions are untouched" test "$(tree_sum strata)" = "$sum"
run upgrade heads
expect_rc 0 "upgrade heads from partway"
agree "showmigrations agrees after strata upgrade (django_migrations kept in step)" "$C"
run downgrade shop_0002_product_stock
expect_rc 0 "downgrade one step"
agree "showmigrations agrees after strata downgrade" "$C"
check "the step is unapplied for Django" test "$(sq app.db "SELECT count(*) FROM django_migrations WHERE app = 'shop' AND name = '0003_seed_categories'")" = 0
run upgrade heads
expect_rc 0 "upgrade heads again"

# On the database manage.py migrate built fully: upgrade heads changes nothing; a fresh
# database built by strata has the same catalog and the same django_migrations rows.
D=$T/fullimp
import_project "$D" sqlite:app.db django:proj.settings
export DJANGO_DB_NAME=$D/app.db
cp "$T/full.db" app.db
unset DJANGO_SETTINGS_MODULE
run import django
expect_rc 0 "import django, the settings from the django: schema source"
agree "current and status agree with showmigrations (fully migrated)" "$D"
sq_catalog app.db >"$T/before.cat"
rows=$(sq app.db 'SELECT count(*) FROM django_migrations')
run upgrade heads
expect_rc 0 "upgrade heads on the fully migrated database"
sq_catalog app.db >"$T/after.cat"
check "upgrade heads changed nothing" cmp -s "$T/before.cat" "$T/after.cat"
check "no revision ran" test "$(sq app.db "SELECT count(*) FROM strata_history WHERE direction = 'up'")" = 0
check "django_migrations untouched" test "$(sq app.db 'SELECT count(*) FROM django_migrations')" = "$rows"
run -d sqlite:fresh.db upgrade heads
expect_rc 0 "upgrade heads builds a fresh database"
sq_catalog fresh.db >"$T/fresh.cat"
check "the fresh database has the catalog manage.py migrate built" cmp -s "$T/fresh.cat" "$T/before.cat"
check "and the same django_migrations rows" test "$(sq fresh.db 'SELECT app, name FROM django_migrations ORDER BY 1, 2')" = "$(sq app.db 'SELECT app, name FROM django_migrations ORDER BY 1, 2')"
run -d sqlite:fresh.db check
expect_rc 0 "the fresh database matches the models"

# A squashed migration stands for those it replaces: Django's database recorded only the
# replaced ones; the fresh database strata builds records them as Django does.
E=$T/squash
import_project "$E" sqlite:app.db
export DJANGO_DB_NAME=$E/app.db
cp "$T/full.db" app.db
dj "$E" squashmigrations accounts 0002 --noinput -v 0
run import django --settings proj.settings
expect_rc 0 "import django with a squashed migration"
check "the squashed migration is one revision" test -f strata/versions/accounts_0001_squashed_0002_plan.sql -a ! -f strata/versions/accounts_0001_initial.sql
check "what depended on a replaced migration depends on the squashed one" grep -q '^-- strata:depends-on accounts_0001_squashed_0002_plan$' strata/versions/shop_0001_initial.sql
agree "current and status agree with showmigrations (squashed)" "$E"
run -d sqlite:fresh.db upgrade heads
expect_rc 0 "upgrade heads with a squashed migration"
DJANGO_DB_NAME=$E/fresh.db
check "Django sees the fresh database fully migrated" test "$(dj "$E" showmigrations --list | grep -c '^ \[ \]')" = 0
