"""strata history importer `strata import alembic DIR`.

Run by strata as `python -c <this text> DIR` in the directory holding strata.ini,
with STRATA_DIALECT set to sqlite, postgresql or mysql. DIR is an Alembic or
Flask-Migrate script directory (env.py, versions/), or a directory whose alembic.ini
names one (script_location).

Reads the revisions with alembic.script.ScriptDirectory (ids, parents, branch labels,
depends_on, message, Create Date) and renders each revision's upgrade() and
downgrade() with Alembic's offline mode (`--sql`) for the dialect: the functions run
under a MigrationContext configured here with as_sql and literal_binds, so env.py (and
the Flask app Flask-Migrate's env.py needs) is not run, and no statement on the
version table is produced. The SQL is what `alembic upgrade --sql A:B` prints for each
revision.

A step with no offline form (op.get_bind() queries, reflection, SQLite batch copies)
stops that function: the SQL rendered before it is kept and a warning names the file,
line and call. A downgrade that raises, or does nothing after an upgrade that did
something, is irreversible: downgrade null and a warning.

Prints one JSON document (see BRIDGE_PROTOCOL.md / SPEC "Importing a history").
Errors (no such directory, a revision that does not load, a broken graph): a message
on stderr and exit 1.
"""
import configparser
import contextlib
import io
import json
import os
import re
import sys
import traceback

PROG = "alembic import"
DIALECTS = ("sqlite", "postgresql", "mysql")
# Batch operations SQLite performs with ALTER TABLE (3.25+: RENAME COLUMN, 3.35+: DROP
# COLUMN), which Alembic would otherwise render as a table copy it cannot do offline.
SQLITE_ALTERABLE = ("add_column", "drop_column", "create_index", "drop_index")


class ImportFailure(Exception):
    """A failure of the whole import, reported as one line on stderr (exit 1)."""


def fail(msg):
    """Prints msg on stderr and exits 1."""
    sys.stderr.write("%s: %s\n" % (PROG, msg))
    sys.exit(1)


def locate(arg):
    """Returns (script_location, alembic.ini path or None) for the DIR argument."""
    if not os.path.isdir(arg):
        raise ImportFailure("%s: no such directory" % arg)
    ini = os.path.join(arg, "alembic.ini")
    if os.path.isdir(os.path.join(arg, "versions")) or os.path.isfile(os.path.join(arg, "env.py")):
        return os.path.abspath(arg), (ini if os.path.isfile(ini) else None)
    if os.path.isfile(ini):
        cp = configparser.ConfigParser(defaults={"here": os.path.abspath(arg)})
        cp.read(ini)
        loc = cp.get("alembic", "script_location", fallback=None)
        if loc:
            if ":" in loc and not os.path.isabs(loc):  # package:path resources are not read
                raise ImportFailure("%s: script_location '%s' is a package resource; name the "
                                    "script directory itself" % (ini, loc))
            return os.path.abspath(os.path.join(arg, loc)), ini
    raise ImportFailure("%s is not an Alembic script directory (it has no versions/ nor env.py, "
                        "and no alembic.ini naming a script_location)" % arg)


def load_scripts(location, ini):
    """Returns (ScriptDirectory, its revisions from the bases up)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    cfg = Config(ini) if ini else Config()
    cfg.set_main_option("script_location", location)
    try:
        script = ScriptDirectory.from_config(cfg)
        revs = list(script.walk_revisions("base", "heads"))
    except SyntaxError as e:
        raise ImportFailure("%s line %s: syntax error: %s" % (e.filename, e.lineno, e.msg))
    except Exception as e:
        traceback.print_exc()
        raise ImportFailure("cannot read the revisions in %s: %s: %s"
                            % (location, type(e).__name__, e))
    revs.reverse()
    if not revs:
        raise ImportFailure("%s holds no revisions (versions/ is empty)" % location)
    return cfg, script, revs


def as_list(value):
    """Returns a revision attribute (None, a string or a sequence) as a list."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def created_of(sc):
    """Returns the 'Create Date' of a revision's docstring as YYYY-MM-DD HH:MM:SS."""
    m = re.search(r"^Create Date:\s*(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)", sc.longdoc or "", re.M)
    return "%s %s" % (m.group(1), m.group(2)) if m else None


def message_of(sc):
    """Returns the revision's message (the docstring's first paragraph) on one line."""
    return " ".join((sc.doc or "").split())


def call_site(exc, path):
    """Returns ('file line N `code`', own) for the deepest frame of exc in the revision
    file; own is true when that line is the revision's own `raise`."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if os.path.abspath(f.filename) == os.path.abspath(path)]
    rel = os.path.relpath(path)
    if not frames:
        return rel, False
    code = (frames[-1].line or "").strip()
    return "%s line %d `%s`" % (rel, frames[-1].lineno, code), code.startswith("raise")


class Renderer:
    """Runs revision functions under an offline MigrationContext for one dialect."""

    def __init__(self, cfg, script, dialect):
        self.cfg = cfg
        self.script = script
        self.dialect = dialect
        self.rendering = False  # true while a revision function runs
        self.patch_batch()

    def patch_batch(self):
        """On SQLite, batch operations SQLite can do with ALTER TABLE are rendered so
        instead of the table copy Alembic cannot render offline."""
        from alembic.operations import batch
        original = batch.BatchOperationsImpl._should_recreate
        renderer = self

        def should_recreate(impl):
            need = original(impl)
            ctx = impl.operations.migration_context
            if (need and impl.recreate == "auto" and ctx.as_sql and ctx.dialect.name == "sqlite"
                    and all(alterable(op) for op in impl.batch)):
                if renderer.rendering:
                    ctx.impl.static_output(
                        "-- batch_alter_table(%r) rendered as ALTER TABLE (SQLite 3.35+): "
                        "Alembic copies the table only with a live connection" % impl.table_name)
                return False
            return need
        batch.BatchOperationsImpl._should_recreate = should_recreate

    def run(self, sc, name):
        """Renders sc's function NAME. Returns (sql, failure, transaction): the SQL
        rendered (up to a failure), None or (call site, raised by the revision's own
        `raise` or NotImplementedError, the exception's last line), and False when the
        function used autocommit_block()."""
        from alembic.operations import Operations
        from alembic.runtime.environment import EnvironmentContext
        buf = io.StringIO()
        failure = None
        state = {"transaction": True}
        env = EnvironmentContext(self.cfg, self.script)
        with env:
            env.configure(dialect_name=self.dialect, as_sql=True, output_buffer=buf,
                          literal_binds=True)
            ctx = env.get_context()

            @contextlib.contextmanager
            def autocommit_block():
                state["transaction"] = False
                yield
            ctx.autocommit_block = autocommit_block
            self.rendering = True
            try:
                with Operations.context(ctx):
                    getattr(sc.module, name)()
            except Exception as e:
                site, own = call_site(e, sc.path)
                last = ("%s: %s" % (type(e).__name__, e)).strip().splitlines()
                failure = (site, own or isinstance(e, NotImplementedError), last[-1])
            finally:
                self.rendering = False
        return buf.getvalue(), failure, state["transaction"]


def alterable(op):
    """True when a batch operation is one SQLite does with ALTER TABLE."""
    kind, args, kw = op
    if kind == "alter_column":
        return set(kw) - {"new_column_name"} <= {k for k in kw if k.startswith("existing_")}
    if kind == "add_column":
        from sqlalchemy.sql import ClauseElement
        default = getattr(args[1], "server_default", None)
        return default is None or not isinstance(getattr(default, "arg", None), ClauseElement)
    return kind in SQLITE_ALTERABLE


def stopped(failure, name):
    """The warning for a function that stopped on failure (see Renderer.run)."""
    site, _, text = failure
    return ("%s in %s() has no SQL form offline (a step that needs a live database "
            "connection): %s; the rest of %s() was not rendered" % (site, name, text, name))


def convert(sc, renderer):
    """Returns the JSON entry for one revision."""
    up, up_failure, tx_up = renderer.run(sc, "upgrade")
    down, down_failure, tx_down = renderer.run(sc, "downgrade")
    rel = os.path.relpath(sc.path)
    warnings = [stopped(up_failure, "upgrade")] if up_failure else []
    dwarn = [stopped(down_failure, "downgrade")] if down_failure else []
    if down_failure and down_failure[1] and sql_free(down):
        down = None
        dwarn = ["%s: downgrade() raises %s: the revision is irreversible" % (rel, down_failure[2])]
    elif not down_failure and sql_free(down) and not sql_free(up):
        down = None
        dwarn = ["%s: downgrade() does nothing: the revision is irreversible" % rel]
    resolved = getattr(sc, "_resolved_dependencies", None)
    if resolved is None:
        resolved = [renderer.script.revision_map.get_revision(d).revision
                    for d in as_list(sc.dependencies)]
    return {
        "id": sc.revision,
        "revises": as_list(sc.down_revision),
        "depends_on": list(resolved),
        "branch_labels": sorted(getattr(sc, "_orig_branch_labels", sc.branch_labels) or ()),
        "message": message_of(sc),
        "created": created_of(sc),
        "upgrade": up,
        "downgrade": down,
        "transaction": tx_up and tx_down,
        "warnings": warnings,
        "downgrade_warnings": dwarn,
    }


def sql_free(text):
    """True when text holds only comments and blank lines."""
    return all(not line.strip() or line.lstrip().startswith("--") for line in text.splitlines())


def main(argv):
    """Runs the importer: prints the JSON document, returns the exit status."""
    try:
        if len(argv) != 1:
            raise ImportFailure("usage: alembic_import DIR (got %d arguments)" % len(argv))
        dialect = os.environ.get("STRATA_DIALECT", "sqlite")
        if dialect not in DIALECTS:
            raise ImportFailure("STRATA_DIALECT '%s' is not one of %s" % (dialect, ", ".join(DIALECTS)))
        try:
            import alembic  # noqa: F401
        except ImportError:
            raise ImportFailure("Alembic is not installed for %s (set `python = PATH` in "
                                "strata.ini to the app's interpreter)" % sys.executable)
        cwd = os.getcwd()
        if "" not in sys.path and cwd not in sys.path:
            sys.path.insert(0, cwd)
        location, ini = locate(argv[0])
        cfg, script, revs = load_scripts(location, ini)
        renderer = Renderer(cfg, script, dialect)
        entries = [convert(sc, renderer) for sc in revs]
    except ImportFailure as e:
        fail(str(e))
    doc = {"revisions": entries, "warnings": []}
    sys.stdout.write(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
