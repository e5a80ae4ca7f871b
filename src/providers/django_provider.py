"""strata schema source `django:SETTINGS[:APP,APP...]`.

Run as `python -c <this text> SETTINGS[:APP,APP...]` in the directory holding strata.ini,
with STRATA_DIALECT set to `sqlite` or `postgresql`. Prints the CREATE statements Django's
own schema editor writes for every managed model (not proxy, not swapped out, allowed on
the default database by the project's routers) of the installed apps, or of the listed app
labels: tables with the auto-created many-to-many tables, db_table, Meta.indexes,
Meta.constraints, unique_together, index_together, and Django's own generated index and
constraint names — and Django's own `django_migrations` table, which every database
`manage.py migrate` built holds. Each statement ends with ';' and a newline.

Never connects to the app's database: every configured database is pointed at the
dialect's Django backend with a name that cannot be reached (SQLite: an in-memory
database, which Django's SQLite schema editor opens to switch foreign-key checks off).
Errors (settings that do not import, an unknown app label, a model Django refuses) go to
stderr with exit status 1.
"""
import os
import sys

ENGINES = {"sqlite": "django.db.backends.sqlite3", "postgresql": "django.db.backends.postgresql"}
# Engines of the same family that a project may already use (kept as they are).
FAMILY = {"sqlite": ("sqlite3", "spatialite"), "postgresql": ("postgresql", "postgis")}


def fail(msg):
    """Prints msg on stderr and exits 1."""
    sys.stderr.write("django: %s\n" % msg)
    sys.exit(1)


def offline_django(settings_module, dialect):
    """Imports settings_module, points every database at an unreachable one of dialect's
    backend, runs django.setup(); returns the default connection."""
    if dialect not in ENGINES:
        fail("unsupported STRATA_DIALECT %r (sqlite or postgresql)" % dialect)
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    try:
        import django
        from django.conf import settings
    except ImportError as exc:
        fail("cannot import Django with %s: %s" % (sys.executable, exc))
    try:
        databases = settings.DATABASES
    except Exception as exc:  # the user's settings module may raise anything
        fail("cannot import settings module %r: %s: %s" % (settings_module, type(exc).__name__, exc))
    if "default" not in databases:
        databases["default"] = {}
    for conf in databases.values():
        if not any(f in conf.get("ENGINE", "") for f in FAMILY[dialect]):
            conf["ENGINE"] = ENGINES[dialect]
        conf["OPTIONS"] = {}
        if dialect == "sqlite":
            conf["NAME"] = ":memory:"
        else:  # a socket directory that does not exist: a connection attempt fails at once
            conf.update(NAME="strata_offline", HOST="/nonexistent/strata-offline", PORT="",
                        USER="strata_offline", PASSWORD="")
    try:
        django.setup()
    except Exception as exc:
        fail("django.setup() failed for %r: %s: %s" % (settings_module, type(exc).__name__, exc))
    from django.db import connection
    if dialect == "postgresql":
        # Feature flags read the server version; answer for the server strata targets
        # instead of connecting.
        connection.__dict__.setdefault("pg_version", 150000)
    return connection


def app_configs(labels):
    """The AppConfigs of labels (all installed apps when empty); an unknown label fails."""
    from django.apps import apps
    if not labels:
        return list(apps.get_app_configs())
    out = []
    for label in labels:
        try:
            out.append(apps.get_app_config(label))
        except LookupError:
            known = ", ".join(sorted(c.label for c in apps.get_app_configs()))
            fail("no installed app with label %r (installed: %s)" % (label, known))
    return out


def render(connection, configs):
    """The CREATE statements of the managed models of configs, in Django's order."""
    from django.db import router
    from django.db.migrations.recorder import MigrationRecorder
    with connection.schema_editor(collect_sql=True, atomic=False) as editor:
        editor.create_model(MigrationRecorder.Migration)
        for config in configs:
            for model in config.get_models(include_auto_created=False):
                meta = model._meta
                if not meta.managed or meta.proxy or meta.swapped:
                    continue
                if not router.allow_migrate_model(connection.alias, model):
                    continue
                try:
                    editor.create_model(model)
                except Exception as exc:
                    fail("model %s.%s: %s: %s" % (meta.app_label, meta.object_name,
                                                 type(exc).__name__, exc))
    return editor.collected_sql


def main(argv):
    """Entry point: argv[0] is SETTINGS[:APP,APP...]."""
    if len(argv) != 1 or not argv[0] or argv[0].startswith(":"):
        fail("usage: django_provider SETTINGS[:APP,APP...]")
    settings_module, _, apps_arg = argv[0].partition(":")
    labels = [a.strip() for a in apps_arg.split(",") if a.strip()]
    connection = offline_django(settings_module, os.environ.get("STRATA_DIALECT", "sqlite"))
    out = []
    for stmt in render(connection, app_configs(labels)):
        stmt = stmt.strip()
        out.append(stmt if stmt.endswith(";") else stmt + ";")
    sys.stdout.write("".join(s + "\n" for s in out))


if __name__ == "__main__":
    main(sys.argv[1:])
