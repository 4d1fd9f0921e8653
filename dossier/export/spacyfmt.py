"""Training data for spaCy: a folder with `train.spacy` (a `DocBin`) and `train.jsonl`.

`train.jsonl` is written without spaCy: one line an article,
`{"text", "spans": [{start, end, label, ...}], "relations": [{head, child, label, ...}],
"meta": {...}}` (see `training.py`: offsets are characters of `text`, `head`/`child` index
`spans`). `train.spacy` needs spaCy (the `spacy` extra) and holds the same documents:

- tokens from `spacy.blank("en")`'s tokenizer, split further where a mention starts or ends
  inside a token, so every span is whole tokens and its text is the body's slice;
- `doc.spans["sc"]`: every mention, label as in `training.LABELS`, `kb_id_` the entity
  (`dossier:entity:ID`), `id_` the mention (`dossier:mention:ID`);
- `doc.ents`: the mentions that overlap no other one; the tokens of overlapping ones are
  marked missing (neither entity nor outside), so `spacy train` learns nothing false there;
- `doc.user_data["dossier"]`: the article (id, title, source, published, tags), `spans`
  (the JSONL span records, in the order of `doc.spans["sc"]`) and `relations` (the JSONL
  records, `head`/`child` index `doc.spans["sc"]`, plus `head_token`/`child_token`, the first
  token of each). `DocBin(store_user_data=True)`, so `DocBin().from_disk` brings it back.

`spacy train config.cfg --paths.train OUT/train.spacy --paths.dev OUT/train.spacy` runs on it
as it is; splitting off a dev set is the user's choice.
"""

from __future__ import annotations

import bisect
from pathlib import Path
from typing import Any

from dossier.export.base import ExportError, Progress, Unavailable, dumps
from dossier.export.selection import Selection
from dossier.export.training import TDoc, documents
from dossier.store import Store

DOCBIN = "train.spacy"
JSONL = "train.jsonl"


def check() -> None:
    """Refuse before anything is written when spaCy cannot be imported."""
    try:
        import spacy  # noqa: F401
    except ImportError:
        raise Unavailable("the spacy format needs spaCy: pip install 'dossier[spacy]' "
                          "(or use --format brat)") from None


def write(store: Store, selection: Selection, target: Path, progress: Progress | None = None,
          final_name: str = "") -> None:
    check()
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    docbin = DocBin(store_user_data=True)
    target.mkdir()
    with (target / JSONL).open("w", encoding="utf-8", newline="\n") as jsonl:
        for tdoc in documents(store, selection, progress):
            jsonl.write(dumps(tdoc.as_json()) + "\n")
            docbin.add(to_doc(nlp, tdoc))
    docbin.to_disk(target / DOCBIN)


def to_doc(nlp: Any, tdoc: TDoc) -> Any:  # noqa: ANN401 - spaCy types, imported lazily
    """A spaCy `Doc` of one labelled document (see the module's docstring)."""
    from spacy.tokens import Doc

    cuts = sorted({s.start for s in tdoc.spans} | {s.end for s in tdoc.spans})
    words: list[str] = []
    spaces: list[bool] = []
    text = tdoc.text
    nlp.max_length = max(nlp.max_length, len(text) + 1)  # an article may be 20 MB
    for token in nlp.make_doc(text):
        start, end = token.idx, token.idx + len(token.text)
        points = [start, *cuts[bisect.bisect_right(cuts, start):bisect.bisect_left(cuts, end)],
                  end]
        for a, b in zip(points, points[1:], strict=False):
            words.append(text[a:b])
            spaces.append(False)
        spaces[-1] = bool(token.whitespace_)
    doc = Doc(nlp.vocab, words=words, spaces=spaces)
    if doc.text != text:  # never expected: the tokens are the text's own pieces
        raise ExportError(f"article {tdoc.article_id}: tokens do not rebuild the text")
    spans = []
    for s in tdoc.spans:
        span = doc.char_span(s.start, s.end, label=s.label,
                             kb_id=f"dossier:entity:{s.entity_id}",
                             span_id=f"dossier:mention:{s.mention_id}")
        if span is None:  # never expected: every start and end is a token boundary
            raise ExportError(f"article {tdoc.article_id}: span {s.start}-{s.end} is not "
                              "whole tokens")
        spans.append(span)
    doc.spans["sc"] = spans
    ents, missing = _ents(doc, spans)
    doc.set_ents(ents, missing=missing, default="outside")
    data = tdoc.as_json()
    relations = [{**record, "head_token": spans[r.head].start,
                  "child_token": spans[r.child].start}
                 for r, record in zip(tdoc.relations, data["relations"], strict=True)]
    doc.user_data["dossier"] = {"meta": data["meta"], "spans": data["spans"],
                                "relations": relations}
    return doc


def _ents(doc: Any, spans: list[Any]) -> tuple[list[Any], list[Any]]:  # noqa: ANN401
    """Spans overlapping no other one, and one missing span over each cluster that overlaps."""
    from spacy.tokens import Span

    ents, missing = [], []
    cluster: list[Any] = []
    cluster_end = -1
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        if cluster and span.start < cluster_end:
            cluster.append(span)
            cluster_end = max(cluster_end, span.end)
            continue
        _close(doc, cluster, cluster_end, ents, missing, Span)
        cluster, cluster_end = [span], span.end
    _close(doc, cluster, cluster_end, ents, missing, Span)
    return ents, missing


def _close(doc: Any, cluster: list[Any], end: int, ents: list[Any], missing: list[Any],
           span_type: Any) -> None:  # noqa: ANN401
    if len(cluster) == 1:
        ents.append(cluster[0])
    elif cluster:
        missing.append(span_type(doc, cluster[0].start, end))
