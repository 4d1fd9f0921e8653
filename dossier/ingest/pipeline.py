"""Ingest: files -> articles -> entities, mentions, events -> the dossier, one article a
transaction (a kill leaves every article whole or absent; running again completes it)."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from dossier.ingest.entities import Gazetteer, make_extractor
from dossier.ingest.readers import EXTENSIONS, IngestError, Record, records, to_article
from dossier.ingest.resolve import Resolver
from dossier.ingest.timeline import article_events
from dossier.model import Article, Entity, Event, Mention
from dossier.safefile import not_regular
from dossier.store import Store

Progress = Callable[[int, int, str], None]  # done, total, current file


@dataclass
class IngestReport:
    """What an ingest did: articles added, skipped as duplicates, refused with why."""

    added: int = 0
    duplicates: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)
    extractor: str = ""


def expand(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files to read: the given files, and the article files inside given folders, sorted."""
    files: list[Path] = []
    problems: list[tuple[str, str]] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for p in sorted(path.rglob("*")):
                if p.suffix.lower() not in EXTENSIONS or p.name.startswith(".") or p.is_dir():
                    continue
                if p.is_file():
                    files.append(p)
                elif p.exists():  # a FIFO or a device named like an article
                    problems.append((str(p), not_regular(p.stat().st_mode) or "not read"))
        elif path.is_file():
            files.append(path)
        elif path.exists():  # a FIFO or a device: stat says so without opening it
            problems.append((str(path), not_regular(path.stat().st_mode) or "not read"))
        else:
            problems.append((str(path), "no such file or folder"))
    return files, problems


class Analyser:
    """Turns articles into entities, mentions and events, resolving across the dossier."""

    def __init__(self, store: Store, extractor: str = "auto", model: str | None = None,
                 gazetteer_files: Iterable[Path] = ()):
        self.extractor = make_extractor(extractor, model, Gazetteer.load(gazetteer_files))
        self.resolver = Resolver(list(store.iter_entities_with_aliases()))

    def analyse(self, article: Article) -> tuple[
            list[Entity], list[tuple[int, Mention]], list[tuple[Event, list[int]]]]:
        candidates = self.extractor.extract(article.body)
        entities, kept = self.resolver.resolve(candidates)
        mentions = [(i, Mention(None, None, c.start, c.end, article.body[c.start:c.end]))
                    for i, c in kept]
        spans = [(m.start, m.end, i) for i, m in mentions]
        events = article_events(article.body, article.published, spans)
        return entities, mentions, events


def iter_records(files: list[Path]) -> Iterator[tuple[Path, Record | IngestError]]:
    for path in files:
        for item in records(path):
            yield path, item


def ingest_paths(
    store: Store,
    paths: Iterable[Path],
    *,
    source: str | None = None,
    extractor: str = "auto",
    model: str | None = None,
    gazetteer_files: Iterable[Path] = (),
    progress: Progress | None = None,
) -> IngestReport:
    """Add the articles in `paths` to the dossier; one bad file never stops the others."""
    files, problems = expand(paths)
    report = IngestReport(refused=list(problems))
    analyser = Analyser(store, extractor, model, gazetteer_files)
    report.extractor = analyser.extractor.name
    _ingest_all(store, files, analyser, report, source, progress)
    return report


BATCH = 25  # articles a transaction: whole articles, and one commit for many


def _ingest_all(store: Store, files: list[Path], analyser: Analyser, report: IngestReport,
                source: str | None, progress: Progress | None) -> None:
    items = iter_records(files)
    done = 0
    while True:
        batch = list(itertools.islice(items, BATCH))
        if not batch:
            return
        # Reading and finding names take most of the time: done before the write lock is
        # taken, so a colleague's tag never waits for an extraction. The write is short.
        analysed = []
        for path, item in batch:
            done += 1
            ready = _analyse_one(store, path, item, analyser, report, source)
            if ready is not None:
                analysed.append(ready)
        if analysed:
            with store.bulk(synchronous="NORMAL"):
                for path, article, found in analysed:
                    _store_one(store, path, article, found, report)
        if progress:
            progress(done, len(files), str(batch[-1][0]))


Found = tuple[list[Entity], list[tuple[int, Mention]], list[tuple[Event, list[int]]]]


def _analyse_one(store: Store, path: Path, item: Record | IngestError, analyser: Analyser,
                 report: IngestReport, source: str | None) -> tuple[Path, Article, Found] | None:
    """Read and analyse one article; a failure refuses it (with why) and the rest go on."""
    if isinstance(item, IngestError):
        report.refused.append((item.origin, item.reason))
        return None
    try:
        article = to_article(item, source=source)
    except IngestError as exc:
        report.refused.append((exc.origin, exc.reason))
        return None
    except Exception as exc:  # noqa: BLE001 - a bug on one article must not stop the others
        report.refused.append((str(path), f"could not be read ({type(exc).__name__}: {exc})"))
        return None
    if store.find_article_by_hash(article.content_hash) is not None:
        report.duplicates += 1
        return None
    try:
        found = analyser.analyse(article)
    except Exception as exc:  # noqa: BLE001 - as above: refused with its reason
        report.refused.append((article.origin or str(path),
                               f"could not be analysed ({type(exc).__name__}: {exc})"))
        return None
    return path, article, found


def _store_one(store: Store, path: Path, article: Article, found: Found,
               report: IngestReport) -> None:
    entities, mentions, events = found
    try:
        added = store.ingest_article(article, entities, mentions, events)
    except sqlite3.IntegrityError as exc:  # one article's rows refused, not the batch
        report.refused.append((article.origin or str(path), f"not stored ({exc})"))
        return
    if added is None:
        report.duplicates += 1
    else:
        report.added += 1
