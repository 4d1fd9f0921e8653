"""Layering: nothing outside dossier/tui/ imports Textual (as harlequin's import-hygiene test).

Every module outside the UI is imported in a fresh interpreter in which importing `textual`
fails; a static scan catches imports hidden inside functions, which only run later.
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
