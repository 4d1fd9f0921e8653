"""Regression floor: entity recall of `dossier extract` on a slice of the development set
(../shared/eval, outside the repo; skipped when absent). Reached 88.9% on the first 20
articles (2026-12-02, spaCy model); fails below 86%."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCORER = ROOT.parent / "shared" / "eval" / "ner_eval.py"
FLOOR = 0.86


@pytest.mark.skipif(not SCORER.is_file(), reason="../shared/eval not here")
def test_entity_recall_stays_above_the_floor():
    from dossier.ingest.entities import ExtractorUnavailable, SpacyExtractor

    try:
        SpacyExtractor()
    except (ImportError, ExtractorUnavailable):
        pytest.skip("the floor is the spaCy extractor's; no model here")
    cmd = f"{sys.executable} -m dossier extract"
    done = subprocess.run([sys.executable, str(SCORER), "--cmd", cmd, "--limit", "20",
                           "--json"], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    recall = json.loads(done.stdout)["overall"]["recall"]
    assert recall >= FLOOR, f"entity recall {recall:.1%} fell below {FLOOR:.0%}"
