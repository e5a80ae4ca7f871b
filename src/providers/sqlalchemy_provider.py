"""strata schema source `sqlalchemy:MODULE:ATTR`.

Run by strata as `python -c <this text> MODULE:ATTR` in the directory holding
strata.ini, with STRATA_DIALECT set to sqlite, postgresql or mysql. Imports MODULE
(the working directory first on sys.path), resolves the dotted ATTR and prints the
DDL of its tables for that dialect, each statement ending with ';' and a newline:
enum types, sequences, tables in dependency order, indexes, comments.

ATTR may name a sqlalchemy MetaData, a declarative base (its .metadata), a
Flask-SQLAlchemy `db` (its default bind's metadata), a Flask app (the SQLAlchemy
extension it holds) or a callable returning one of these (an app factory).

The DDL is rendered offline with a mock engine: nothing connects to a database.
Connecting while the app is imported (e.g. `db.create_all()` at module level) is
refused, so rendering the schema never changes the app's database.
Errors: a message on stderr and exit 1.
"""
import importlib
import os
import sys
import traceback

PROG = "sqlalchemy schema source"
ACCEPTED = ("a sqlalchemy MetaData, a declarative base, a Flask-SQLAlchemy db, "
            "a Flask app, or a callable returning one of these")
DIALECTS = {"sqlite": "sqlite://", "postgresql": "postgresql://", "mysql": "mysql://"}


class SourceError(Exception):
    """A failure to report as one line on stderr (exit 1)."""


def fail(msg):
    """Prints msg on stderr and exits 1."""
    sys.stderr.write("%s: %s\n" % (PROG, msg))
    sys.exit(1)


def parse_arg(argv):
    """Returns (module, attr) from the single MODULE:ATTR argument."""
    if len(argv) != 1:
        raise SourceError("usage: sqlalchemy_provider MODULE:ATTR (got %d arguments)" % len(argv))
    module, sep, attr = argv[0].partition(":")
    if not sep or not module or not attr or ":" in attr:
        raise SourceError("'%s' is not MODULE:ATTR (e.g. app:db, myapp:create_app, "
                          "models:Base.metadata)" % argv[0])
    for part in module.split(".") + attr.split("."):
        if not part.isidentifier():
            raise SourceError("'%s' is not MODULE:ATTR: '%s' is not a Python name" % (argv[0], part))
    return module, attr


def forbid_connections(sqlalchemy):
    """Makes any connection through a sqlalchemy pool raise: the app's import must not
    reach its database (strata compares the models, not what an import created)."""
    from sqlalchemy.pool import base

    def refuse(self, *a, **kw):
        frame = user_frame(traceback.extract_stack())
        raise SourceError(
            "%sthe app tried to connect to its database while strata read the models "
            "(e.g. db.create_all() or a query at import time); strata renders the schema "
            "without a database: move that call under `if __name__ == '__main__':` or "
            "into a CLI command" % ("%s line %d: " % frame if frame else ""))
    base.Pool.connect = refuse
    if hasattr(base.Pool, "_do_get"):
        base.Pool._do_get = refuse


def import_module(name):
    """Imports the user's module with the working directory on sys.path; a failure is a
    SourceError naming the module, the file and line when Python gives them."""
    cwd = os.getcwd()
    if "" not in sys.path and cwd not in sys.path:
        sys.path.insert(0, cwd)
    try:
        return importlib.import_module(name)
    except SourceError:
        raise
    except SyntaxError as e:
        traceback.print_exc()
        raise SourceError("cannot import %s: syntax error in %s line %s: %s"
                          % (name, e.filename, e.lineno, e.msg))
    except ModuleNotFoundError as e:
        if e.name == name or name.startswith((e.name or "?") + "."):
            raise SourceError("cannot import %s: no module named '%s' in %s (nor on sys.path)"
                              % (name, e.name, cwd))
        traceback.print_exc()
        raise SourceError("cannot import %s: %s" % (name, where(e)))
    except BaseException as e:  # the app's own code may raise anything, even SystemExit
        traceback.print_exc()
        raise SourceError("cannot import %s: %s" % (name, where(e)))


def where(exc):
    """Returns 'Type: message (file line N)' for exc, naming the deepest frame of the
    user's code (outside the Python library)."""
    frame = user_frame(traceback.extract_tb(exc.__traceback__))
    text = "%s: %s" % (type(exc).__name__, exc)
    if frame is not None:
        text += " (%s line %d)" % frame
    return text


def user_frame(frames):
    """Returns (file, line) of the deepest frame in the user's code (not in Python's
    library nor in this program), or None."""
    found = None
    for f in frames:
        if f.filename.startswith("<") or (f.filename.startswith(sys.prefix)
                                          and not f.filename.startswith(os.getcwd())):
            continue
        found = (os.path.relpath(f.filename), f.lineno)
    return found


def resolve(module, mod, attr):
    """Returns the object the dotted attr names in mod, or raises SourceError."""
    obj = mod
    done = []
    for part in attr.split("."):
        if not hasattr(obj, part):
            have = [n for n in dir(obj) if not n.startswith("_")][:12] if obj is mod else []
            raise SourceError("%s has no attribute '%s'%s" % (
                ".".join([module] + done), part,
                " (it defines: %s)" % ", ".join(have) if have else ""))
        obj = getattr(obj, part)
        done.append(part)
    return obj


def flask_sqlalchemy_db(obj):
    """Returns the Flask-SQLAlchemy extension when obj is one, else None."""
    for cls in type(obj).__mro__:
        if cls.__name__ == "SQLAlchemy" and cls.__module__.startswith("flask_sqlalchemy"):
            return obj
    return None


def db_metadata(db, notes):
    """Returns the default bind's MetaData of a Flask-SQLAlchemy db; other binds'
    tables are left out, with a note naming them."""
    metadatas = getattr(db, "metadatas", None)
    if isinstance(metadatas, dict):  # Flask-SQLAlchemy 3: one MetaData per bind key
        others = sorted(str(k) for k in metadatas if k is not None and metadatas[k].tables)
        if others:
            notes.append("the tables of bind(s) %s are left out: only the default bind's tables are "
                         "the declared schema" % ", ".join(others))
        return metadatas.get(None, db.metadata)
    md = db.metadata  # Flask-SQLAlchemy 2: one MetaData, tables tagged with info['bind_key']
    others = sorted(set(str(t.info["bind_key"]) for t in md.tables.values()
                        if t.info.get("bind_key") is not None))
    if others:
        notes.append("the tables of bind(s) %s are left out: only the default bind's tables are "
                     "the declared schema" % ", ".join(others))
        return [t for t in md.sorted_tables if t.info.get("bind_key") is None]
    return md


def to_metadata(obj, sqlalchemy, notes, depth=0):
    """Returns a MetaData (or a list of its Tables) for any accepted kind of obj."""
    MetaData = sqlalchemy.MetaData
    if isinstance(obj, MetaData):
        return obj
    if flask_sqlalchemy_db(obj) is not None:
        return db_metadata(obj, notes)
    ext = getattr(obj, "extensions", None)
    if isinstance(ext, dict) and hasattr(obj, "app_context"):  # a Flask app
        db = ext.get("sqlalchemy")
        if db is None:
            raise SourceError("the Flask app has no SQLAlchemy extension "
                              "(app.extensions['sqlalchemy'] is missing: call db.init_app(app))")
        if flask_sqlalchemy_db(db) is None:  # Flask-SQLAlchemy 2 stores a state object
            db = getattr(db, "db", db)
        with obj.app_context():
            return db_metadata(db, notes)
    md = getattr(obj, "metadata", None)
    if isinstance(md, MetaData):  # a declarative base, a registry, a model class
        return md
    if callable(obj) and not isinstance(obj, type) and depth == 0:
        try:
            made = obj()
        except SourceError:
            raise
        except BaseException as e:
            traceback.print_exc()
            raise SourceError("calling %s() failed: %s" % (getattr(obj, "__name__", "it"), where(e)))
        return to_metadata(made, sqlalchemy, notes, depth + 1)
    raise SourceError("%s is %s, not %s" % (
        "what it returned" if depth else "it", describe(obj), ACCEPTED))


def describe(obj):
    """Returns what obj is, for an error message."""
    if obj is None:
        return "None"
    if isinstance(obj, type):
        return "the class %s.%s" % (obj.__module__, obj.__qualname__)
    t = type(obj)
    name = t.__qualname__ if t.__module__ == "builtins" else "%s.%s" % (t.__module__, t.__qualname__)
    return "a value of type %s" % name


def render(tables, sqlalchemy, dialect):
    """Returns the DDL that create_all emits for tables on a mock engine of dialect."""
    out = []

    def executor(sql, *multiparams, **params):
        text = str(sql.compile(dialect=eng.dialect)).strip()
        if text:
            out.append(text + ";\n")
    # named paramstyle: '%' in defaults and CHECKs is written once, as the database reads it
    eng = sqlalchemy.create_mock_engine(DIALECTS[dialect], executor, paramstyle="named")
    if isinstance(tables, sqlalchemy.MetaData):
        tables.create_all(eng, checkfirst=False)
    else:
        sqlalchemy.MetaData().create_all(eng, tables=tables, checkfirst=False)
    return "".join(out)


def main(argv):
    """Runs the provider: prints the DDL, returns the exit status."""
    try:
        module, attr = parse_arg(argv)
        dialect = os.environ.get("STRATA_DIALECT", "sqlite")
        if dialect not in DIALECTS:
            raise SourceError("STRATA_DIALECT '%s' is not one of %s" % (dialect, ", ".join(DIALECTS)))
        try:
            import sqlalchemy
        except ImportError:
            raise SourceError("SQLAlchemy is not installed for %s (set `python = PATH` in "
                              "strata.ini to the app's interpreter)" % sys.executable)
        forbid_connections(sqlalchemy)
        mod = import_module(module)
        obj = resolve(module, mod, attr)
        notes = []
        try:
            md = to_metadata(obj, sqlalchemy, notes)
        except SourceError as e:
            raise SourceError("%s:%s: %s" % (module, attr, e))
        tables = md.tables if isinstance(md, sqlalchemy.MetaData) else md
        if not tables:
            raise SourceError("%s:%s has no tables: import the modules that define the "
                              "models from %s (or name an ATTR whose module does)"
                              % (module, attr, module))
        try:
            ddl = render(md, sqlalchemy, dialect)
        except Exception as e:
            traceback.print_exc()
            raise SourceError("%s:%s: cannot render its tables for %s: %s"
                              % (module, attr, dialect, where(e)))
    except SourceError as e:
        fail(str(e))
    for n in notes:
        sys.stderr.write("%s: note: %s\n" % (PROG, n))
    sys.stdout.write("".join("-- %s\n" % n for n in notes) + ddl)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
