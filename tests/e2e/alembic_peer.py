"""Asks Alembic itself how it moves a database along a revision graph, so the
end-to-end tests compare strata with the peer's own answers instead of hard-coded
plans.

usage: alembic_peer.py GRAPH CASES            prints Alembic's answers
       alembic_peer.py compare GRAPH ALEMBIC STRATA   prints ok / not ok per case

GRAPH has one revision a line: ID|PARENTS|LABELS|DEPENDS|MESSAGE (lists separated
by spaces). CASES has one case a line: CURRENT|COMMAND|TARGET, where CURRENT lists
the version-table rows to start from ("-" for none) and COMMAND is upgrade,
downgrade or resolve. For each case this prints, on one line:

    CURRENT|COMMAND|TARGET|STEPS|AFTER

STEPS being Alembic's log lines ("Running upgrade a -> b, msg") joined by ";" and
AFTER the version-table rows afterwards (sorted, space-separated), or
"ERROR|message" when Alembic refuses. `resolve` gives the revisions that
ScriptDirectory.get_revisions returns for TARGET (AFTER empty).

`compare` reads strata's answers in the same format, with one more field: the ids
of `--plan` in order. A case passes when both refuse, or when both run the same
steps (the same "Running ..." lines; the order may differ only between revisions
that do not need each other, and strata's order must put every revision after its
parents and dependencies), leave the same version-table rows, and strata's plan
lists what its run did, in that order. A case written "!CURRENT|..." is one where
strata deliberately answers what Alembic refuses (Alembic must still refuse it).

The upgrade and downgrade really run (alembic.command, online, on a SQLite file);
every revision's functions do nothing.
"""
import logging
import os
import sqlite3
import sys
import tempfile

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

ENV_PY = """
from alembic import context
from sqlalchemy import create_engine

def run():
    engine = create_engine(context.config.get_main_option("sqlalchemy.url"))
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=None)
        with context.begin_transaction():
            context.run_migrations()

run()
"""


def py_list(items):
    if not items:
        return "None"
    if len(items) == 1:
        return repr(items[0])
    return repr(tuple(items))


def write_project(root, graph_lines):
    """Writes an Alembic script directory with one module per revision."""
    versions = os.path.join(root, "versions")
    os.makedirs(versions)
    with open(os.path.join(root, "env.py"), "w") as f:
        f.write(ENV_PY)
    for line in graph_lines:
        rid, parents, labels, depends, message = line.split("|", 4)
        with open(os.path.join(versions, rid + ".py"), "w") as f:
            f.write('"""%s"""\n' % message)
            f.write("revision = %r\n" % rid)
            f.write("down_revision = %s\n" % py_list(parents.split()))
            f.write("branch_labels = %s\n" % py_list(labels.split()))
            f.write("depends_on = %s\n" % py_list(depends.split()))
            f.write("def upgrade():\n    pass\n")
            f.write("def downgrade():\n    pass\n")


class Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        msg = record.getMessage()
        if msg.startswith("Running "):
            self.lines.append(msg)


def version_rows(db):
    con = sqlite3.connect(db)
    try:
        return sorted(r[0] for r in con.execute("SELECT version_num FROM alembic_version"))
    except sqlite3.OperationalError:
        return []
    finally:
        con.close()


def set_rows(db, rows):
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE IF NOT EXISTS alembic_version "
                "(version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
    con.execute("DELETE FROM alembic_version")
    for r in rows:
        con.execute("INSERT INTO alembic_version VALUES (?)", (r,))
    con.commit()
    con.close()


def step_id(line):
    """The revision a "Running upgrade a -> b, msg" line runs."""
    words = line.split(" ", 2)
    rest = words[2]
    if words[1] == "upgrade":
        return rest.split(" -> ", 1)[1].split(",", 1)[0]
    return rest.split(" -> ", 1)[0]


def compare(graph_file, alembic_file, strata_file):
    needs = {}
    for line in open(graph_file):
        if line.strip():
            rid, parents, _labels, depends, _msg = line.rstrip("\n").split("|", 4)
            needs[rid] = set(parents.split()) | set(depends.split())
    ours = {}
    for line in open(strata_file):
        f = line.rstrip("\n").split("|")
        ours["|".join(f[:3])] = f[3:]
    failed = 0
    for line in open(alembic_file):
        f = line.rstrip("\n").split("|")
        key = "|".join(f[:3])
        extension = key.startswith("!")
        theirs = f[3:]
        mine = ours.get(key)
        why = None
        if mine is None:
            why = "strata gave no answer"
        elif extension:
            if theirs[0] != "ERROR":
                why = "Alembic no longer refuses this case: compare it as any other"
            elif mine[0] == "ERROR":
                why = "strata refuses a case it answers on purpose"
        elif theirs[0] == "ERROR" or mine[0] == "ERROR":
            if theirs[0] != mine[0]:
                why = "Alembic %s, strata %s" % (
                    "refuses (%s)" % theirs[1] if theirs[0] == "ERROR" else "runs it",
                    "refuses (%s)" % mine[1] if mine[0] == "ERROR" else "runs it")
        elif key.split("|")[1] == "resolve":
            if theirs[0] != mine[0]:
                why = "Alembic resolves to %r, strata to %r" % (theirs[0], mine[0])
        else:
            a_steps = [x for x in theirs[0].split(";") if x]
            s_steps = [x for x in mine[0].split(";") if x]
            plan = mine[2].split()
            ids = [step_id(x) for x in s_steps]
            down = key.split("|")[1] == "downgrade"
            seen = set()
            for i in (reversed(ids) if down else ids):
                if needs[i] & (set(ids) - seen):
                    why = "strata runs %s before what it needs" % i
                seen.add(i)
            if sorted(a_steps) != sorted(s_steps):
                why = "steps differ: Alembic %s; strata %s" % (a_steps, s_steps)
            elif theirs[1] != mine[1]:
                why = "version rows differ: Alembic %r, strata %r" % (theirs[1], mine[1])
            elif plan != ids:
                why = "strata's plan %s is not what it ran %s" % (plan, ids)
        if why:
            failed += 1
            print("not ok - alembic parity: %s\n  # %s" % (key, why))
        else:
            print("ok - alembic parity: %s" % key)
    return failed


def main():
    if sys.argv[1] == "compare":
        compare(sys.argv[2], sys.argv[3], sys.argv[4])
        return
    graph_lines = [l.rstrip("\n") for l in open(sys.argv[1]) if l.strip()]
    cases = [l.rstrip("\n") for l in open(sys.argv[2]) if l.strip()]
    root = tempfile.mkdtemp()
    scripts = os.path.join(root, "alembic")
    write_project(scripts, graph_lines)
    db = os.path.join(root, "db.sqlite")
    cfg = Config()
    cfg.set_main_option("script_location", scripts)
    cfg.set_main_option("sqlalchemy.url", "sqlite:///" + db)
    collect = Collect()
    log = logging.getLogger("alembic.runtime.migration")
    log.setLevel(logging.INFO)
    log.addHandler(collect)
    log.propagate = False
    sd = ScriptDirectory.from_config(cfg)
    for case in cases:
        current, cmd, target = case.split("|")
        current = current.lstrip("!")
        rows = [] if current == "-" else current.split()
        set_rows(db, rows)
        collect.lines = []
        try:
            if cmd == "resolve":
                revs = sd.get_revisions(target)
                print("%s|%s" % (case, " ".join(r.revision for r in revs if r)) + "|")
                continue
            getattr(command, cmd)(cfg, target)
        except Exception as e:  # Alembic's refusal is the answer
            text = str(e).replace("\n", " ")
            print("%s|ERROR|%s" % (case, text))
            continue
        print("%s|%s|%s" % (case, ";".join(collect.lines), " ".join(version_rows(db))))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
