"""The benchmark's generated dossier is valid and deterministic (figures live in bench/)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import make_dossier  # noqa: E402

from dossier.store import Store  # noqa: E402


def test_builder_makes_a_valid_deterministic_dossier(tmp_path):
    counts = make_dossier.build(200, tmp_path / "a.db", seed=7, quiet=True)
    make_dossier.build(200, tmp_path / "b.db", seed=7, quiet=True)
    assert counts["articles"] == 200 and counts["mentions"] == 2000
    a, b = Store.open(tmp_path / "a.db"), Store.open(tmp_path / "b.db")
    assert a.check() == [] and b.check() == []
    hashes = [r["content_hash"] for r in a.iter_rows("articles")]
    assert hashes == [r["content_hash"] for r in b.iter_rows("articles")]
    for summary in a.list_articles(0, 20):
        body = a.get_article(summary.id).body
        assert all(body[m.start:m.end] == m.text for m in a.article_mentions(summary.id))
    top = a.list_entities(0, 1)[0]
    assert top.mention_count > 2000 / 20  # Zipf: the head entity gets a large share
    assert a.count_search("said") > 0
    a.close()
    b.close()
