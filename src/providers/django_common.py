"""Shared by django_provider.py and django_import.py: strata runs each as
`python -c TEXT`, with this file's text put before theirs (every src/providers file
named PREFIX_common.py is the prelude of the PREFIX_*.py programs)."""
import os
import sys

ENGINES = {"sqlite": "django.db.backends.sqlite3", "postgresql": "django.db.backends.postgresql",
           "mysql": "django.db.backends.mysql"}
# Engines of the same family that a project may already use (kept as they are).
FAMILY = {"sqlite": ("sqlite3", "spatialite"), "postgresql": ("postgresql", "postgis"),
          "mysql": ("mysql",)}


def fail(msg):
    """Prints msg on stderr and exits 1."""
    sys.stderr.write("django: %s\n" % msg)
    sys.exit(1)


def offline_django(settings_module, dialect):
    """Imports settings_module, points every database at an unreachable one of dialect's
    backend, runs django.setup(); returns the default connection."""
    if dialect not in ENGINES:
        fail("unsupported STRATA_DIALECT %r (sqlite, postgresql or mysql)" % dialect)
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
        from django.db import connection
        connection.ops  # loads the backend (Django's mysql backend imports MySQLdb)
    except Exception as exc:
        if dialect == "mysql" and "MySQLdb" in str(exc):
            fail("rendering for MariaDB/MySQL needs Django's mysql backend, which needs the "
                 "mysqlclient package (MySQLdb) for %s (Debian: python3-mysqldb; pip: "
                 "mysqlclient): %s" % (sys.executable, str(exc).splitlines()[0]))
        fail("django.setup() failed for %r: %s: %s" % (settings_module, type(exc).__name__, exc))
    if dialect == "mysql":
        # Feature flags and SQL modes read the server; answer for a current MariaDB
        # instead of connecting.
        connection.__dict__.update(mysql_server_info="10.11.0-MariaDB", mysql_version=(10, 11, 0),
                                   mysql_is_mariadb=True, sql_mode=set())
    if dialect == "postgresql":
        # Feature flags read the server version; answer for the server strata targets
        # instead of connecting.
        connection.__dict__.setdefault("pg_version", 150000)
    return connection
