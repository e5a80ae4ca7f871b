"""strata schema source `django:SETTINGS[:APP,APP...]`.

Run as `python -c <this text> SETTINGS[:APP,APP...]` in the directory holding strata.ini,
with STRATA_DIALECT set to `sqlite`, `postgresql` or `mysql`. Prints the CREATE statements Django's
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


# ENGINES, FAMILY, fail() and offline_django() come from django_common.py.


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
