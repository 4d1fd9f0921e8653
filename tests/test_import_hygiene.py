"""Layering: nothing outside dossier/tui/ imports Textual (as harlequin's import-hygiene test),
and no SQL is written outside dossier/store/.

Every module outside the UI is imported in a fresh interpreter in which importing `textual`
fails; a static scan catches imports hidden inside functions, which only run later. A second
scan reads every module outside the store for `.execute(`-style calls and SQL in string
constants (docstrings and comments aside).
"""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import dossier

PACKAGE = Path(dossier.__file__).parent


def core_modules() -> list[str]:
    names = ["dossier"]
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="dossier."):
        if not info.name.startswith("dossier.tui"):
            names.append(info.name)
    return names


BLOCKER = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "textual" or name.startswith("textual."):
            raise ImportError("textual is not allowed here: " + name)
        return None
sys.meta_path.insert(0, Block())
import importlib
for name in {names!r}:
    importlib.import_module(name)
bad = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
assert not bad, bad
print("ok", len({names!r}))
"""


def test_core_imports_without_textual():
    names = core_modules()
    assert "dossier.store.store" in names and "dossier.cli" in names
    result = subprocess.run(
        [sys.executable, "-c", BLOCKER.format(names=names)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")


def test_no_textual_import_statement_outside_tui():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if "tui" in path.relative_to(PACKAGE).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                mods = [node.module or ""]
            else:
                continue
            if any(m == "textual" or m.startswith("textual.") for m in mods):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == []


SQL_KEYWORDS = ("SELECT ", "INSERT ", "UPDATE ", "DELETE ", "PRAGMA ")
SQL_CALLS = {"execute", "executemany", "executescript"}


def sql_outside_store(source: str) -> list[str]:
    """Lines of a module that run SQL or hold an SQL statement in a string (not a docstring)."""
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in SQL_CALLS):
            found.append(f"{node.lineno}: .{node.func.attr}(")
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and id(node) not in docstrings and any(k in node.value for k in SQL_KEYWORDS)):
            found.append(f"{node.lineno}: {node.value[:50]!r}")
    return found


def test_sql_scan_tells_code_from_docs():
    source = (
        '"""SELECT in a module docstring is prose."""\n'
        "# INSERT in a comment is prose too\n"
        "def f(store, kind):\n"
        '    """UPDATE in a docstring."""\n'
        '    store.conn.execute(f"SELECT id FROM {kind}")\n'
        "    store.conn.executemany(sql, rows)\n"
        '    return "PRAGMA table_info(x)"\n'
    )
    assert sorted(line.split(":")[0] for line in sql_outside_store(source)) == ["5", "5", "6", "7"]


def test_no_sql_outside_store():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).parts[0] == "store":
            continue
        for found in sql_outside_store(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(PACKAGE)}:{found}")
    assert offenders == [], "SQL belongs in dossier/store/ (a named store function or method)"


EXTRACT_ALONE = """
import io, sys
sys.stdin = io.TextIOWrapper(io.BytesIO(b'{"id": "a", "text": "Paris on Monday."}\\n'))
from dossier.cli import main
try:
    main(["extract", "--extractor", "rules"])
except SystemExit as done:
    assert not done.code, done.code
loaded = sorted(m for m in sys.modules
                if m.split(".")[0] == "psycopg" or m.startswith("dossier.store"))
print("loaded:", loaded)
"""


def test_extract_starts_without_the_store_or_psycopg():
    """`dossier extract` is a filter started per batch of text: it must not pay for the store
    and the PostgreSQL driver (a third of a second of imports) that it never uses."""
    result = subprocess.run([sys.executable, "-c", EXTRACT_ALONE],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("loaded: []"), result.stdout
