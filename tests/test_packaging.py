"""The wheel carries the data and themes, so `pip install .` works outside the source tree."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_data_and_themes(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--quiet", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("dossier-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for sample in (ROOT / "data" / "sample").glob("*.txt"):
        assert f"dossier/data/sample/{sample.name}" in names
    for shipped in list((ROOT / "data").glob("*.yaml")) + list((ROOT / "themes").glob("*.yaml")):
        assert f"dossier/{shipped.parent.name}/{shipped.name}" in names
    for tcss in (ROOT / "dossier" / "tui").glob("*.tcss"):
        assert f"dossier/tui/{tcss.name}" in names
    scripts = [n for n in names if n.endswith("entry_points.txt")]
    entry_points = zipfile.ZipFile(wheel).read(scripts[0]).decode()
    assert "dossier = dossier.cli:main" in entry_points


def test_python_dash_m_runs_the_cli():
    result = subprocess.run([sys.executable, "-m", "dossier", "--version"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "dossier" in result.stdout
