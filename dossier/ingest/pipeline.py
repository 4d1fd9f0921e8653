"""Ingest: files -> articles -> entities, mentions, events -> the dossier, one article a
transaction (a kill leaves every article whole or absent; running again completes it)."""

from __future__ import annotations

import itertools
import os
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from dossier.ingest.entities import Candidate, Gazetteer
from dossier.ingest.filedates import date_from_mtime, date_from_name
from dossier.ingest.parallel import Found as FoundNames
from dossier.ingest.parallel import LocalFinder, PoolFinder, finder, jobs_count
from dossier.ingest.readers import EXTENSIONS, IngestError, Record, records, to_article
from dossier.ingest.resolve import Resolver, drop_ordinary, ordinary_words
from dossier.ingest.timeline import article_events
from dossier.model import Article, Entity, Event, Mention
from dossier.safefile import not_regular
from dossier.store import Store, integrity_errors

Progress = Callable[[int, int, int], None]  # files done, files in all, articles read
FileDate = Callable[[Path], tuple[str, str] | None]  # a file -> (ISO value, precision)


@dataclass
class IngestReport:
    """What an ingest did: articles added, skipped as duplicates, refused with why."""

    added: int = 0
    duplicates: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)
    extractor: str = ""
    skipped: str = ""  # the files and folders passed over, by kind (`Scan.skipped_summary`)


@dataclass
class Scan:
    """What a list of files and folders holds: the files to read, the files and folders
    passed over (hidden ones, other formats) with why, and paths that cannot be read."""

    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # (path, kind)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)

    def skipped_summary(self) -> str:
        """`3 hidden, 2 .docx, 1 .png (not an article format)`: the skipped, by kind."""
        counts = Counter(kind for _, kind in self.skipped)
        hidden = counts.pop(HIDDEN, 0)
        parts = [f"{hidden} hidden"] if hidden else []
        others = [f"{n} {kind}" for kind, n in sorted(counts.items(), key=lambda kv: (-kv[1],
                                                                                     kv[0]))]
        if others:
            parts.append(", ".join(others) + " (not an article format)")
        return ", ".join(parts)


HIDDEN = "hidden"
NO_EXTENSION = "without extension"


def _skip_kind(path: Path) -> str:
    return path.suffix.lower() or NO_EXTENSION


def scan(paths: Iterable[Path]) -> Scan:
    """Files to read: the given files, and the article files inside given folders (at any
    depth), sorted. Inside a folder, a hidden file or folder (name starting with `.`: a
    `.git`, an editor's `.swp`, macOS's `._name` copies) is passed over without being
    walked, and so is a file of another format; a file named on the command line is read
    whatever its name."""
    found = Scan()
    for path in paths:
        path = Path(path)
        if path.is_dir():
            inside: list[Path] = []
            def unreadable(exc: OSError) -> None:
                found.problems.append((str(exc.filename), f"not read ({exc.strerror})"))

            for folder, dirs, names in os.walk(path, onerror=unreadable):
                here = Path(folder)
                for name in list(dirs):
                    if name.startswith("."):
                        dirs.remove(name)
                        found.skipped.append((here / name, HIDDEN))
                for name in names:
                    inside.append(here / name)
            for p in sorted(inside):
                if p.name.startswith("."):
                    found.skipped.append((p, HIDDEN))
                elif p.suffix.lower() not in EXTENSIONS:
                    if not p.is_dir():  # a symlink to a folder is not walked, nor counted
                        found.skipped.append((p, _skip_kind(p)))
                elif p.is_file():
                    found.files.append(p)
                elif p.exists() and not p.is_dir():  # a FIFO or a device named like one
                    found.problems.append((str(p), not_regular(p.stat().st_mode) or "not read"))
        elif path.is_file():
            found.files.append(path)
        elif path.exists():  # a FIFO or a device: stat says so without opening it
            found.problems.append((str(path), not_regular(path.stat().st_mode) or "not read"))
        else:
            found.problems.append((str(path), "no such file or folder"))
    found.skipped.sort()
    return found


def expand(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files to read and paths that cannot be (see `scan`)."""
    found = scan(paths)
    return found.files, found.problems


FORMAT_NAMES = {".txt": "text", ".md": "markdown", ".markdown": "markdown",
                ".html": "web page", ".htm": "web page", ".json": "json", ".jsonl": "json lines",
                ".rss": "feed", ".atom": "feed", ".xml": "feed", ".eml": "mail",
                ".mbox": "mailbox", ".pdf": "pdf"}


def format_name(path: Path) -> str:
    """The reader a file goes to, as `--dry-run` names it."""
    suffix = path.suffix.lower()
    return FORMAT_NAMES.get(suffix, suffix.lstrip(".") or "unknown")


class Analyser:
    """Turns articles into entities, mentions and events, resolving across the dossier."""

    def __init__(self, store: Store, extractor: str = "auto", model: str | None = None,
                 gazetteer_files: Iterable[Path] = (),
                 finder: LocalFinder | PoolFinder | None = None):
        if finder is None:
            finder = LocalFinder(extractor, model, Gazetteer.load(gazetteer_files))
        self.finder = finder
        self.extractor = finder.extractor if isinstance(finder, LocalFinder) else None
        self.resolver = Resolver(list(store.iter_entities_with_aliases()))

    def analyse(self, article: Article, candidates: list[Candidate] | None = None) -> tuple[
            list[Entity], list[tuple[int, Mention]], list[tuple[Event, list[int]]]]:
        """The article's entities, mentions and events; `candidates` are its names when they
        were found already (in a batch, or by a worker process)."""
        if candidates is None:
            candidates = self.finder.submit([article.body])()[0]
            if isinstance(candidates, tuple):
                raise RuntimeError(f"{candidates[0]}: {candidates[1]}")
        lowered = ordinary_words(article.body)  # for both: the text's lower-case words
        candidates = drop_ordinary(article.body, list(candidates), lowered)
        # The dossier's own names mark every occurrence (`Reagan` once it is known).
        candidates += self.resolver.known_hits(article.body, candidates, lowered)
        candidates.sort(key=lambda c: c.start)
        entities, kept = self.resolver.resolve(candidates)
        mentions = [(i, Mention(None, None, c.start, c.end, article.body[c.start:c.end]))
                    for i, c in kept]
        spans = [(m.start, m.end, i) for i, m in mentions]
        events = article_events(article.body, article.published, spans)
        return entities, mentions, events


def iter_records(files: list[Path]) -> Iterator[tuple[int, Path, Record | IngestError]]:
    """Every record of every file, with the file's place in the list (for progress)."""
    for index, path in enumerate(files):
        for item in records(path):
            yield index, path, item


def file_dating(*, from_name: bool = False, from_mtime: bool = False) -> FileDate | None:
    """The date a file gives an article with none of its own: its name's, then its mtime's."""
    if not (from_name or from_mtime):
        return None

    def dating(path: Path) -> tuple[str, str] | None:
        return ((date_from_name(path.name) if from_name else None)
                or (date_from_mtime(path) if from_mtime else None))

    return dating


def ingest_paths(
    store: Store,
    paths: Iterable[Path],
    *,
    source: str | None = None,
    extractor: str = "auto",
    model: str | None = None,
    gazetteer_files: Iterable[Path] = (),
    progress: Progress | None = None,
    date_from_name: bool = False,
    date_from_mtime: bool = False,
    scanned: Scan | None = None,
    jobs: int = 1,
) -> IngestReport:
    """Add the articles in `paths` to the dossier; one bad file never stops the others.

    An article with no date of its own takes its file's (`date_from_name`, then
    `date_from_mtime`) before its relative dates are resolved. `scanned` is `scan(paths)`
    when the caller has it already. `jobs` processes find the names (0: one a core); this
    process alone resolves and writes, in input order, so the dossier is the same whatever
    the number."""
    found = scanned if scanned is not None else scan(paths)
    report = IngestReport(refused=list(found.problems), skipped=found.skipped_summary())
    find = finder(extractor, model, gazetteer_files, jobs_count(jobs))
    try:
        analyser = Analyser(store, extractor, model, gazetteer_files, finder=find)
        dating = file_dating(from_name=date_from_name, from_mtime=date_from_mtime)
        _ingest_all(store, found.files, analyser, report, source, progress, dating)
        if not find.name:  # workers that were never asked: ask them now
            find.submit([])()
        report.extractor = find.name
    finally:
        find.close()
    return report


BATCH = 25  # articles a transaction: whole articles, and one commit for many

Read = tuple[Path, Article]


def _ingest_all(store: Store, files: list[Path], analyser: Analyser, report: IngestReport,
                source: str | None, progress: Progress | None,
                dating: FileDate | None = None) -> None:
    items = iter_records(files)
    done = 0
    find = analyser.finder
    # (last file index, articles read so far, the batch's articles, their names to come)
    pending: deque[tuple[int, int, list[Read], Callable[[], list[Found]]]] = deque()
    while True:
        batch = list(itertools.islice(items, BATCH))
        if batch:
            # Reading and finding names take most of the time: done before the write lock
            # is taken, so a colleague's tag never waits for an extraction. The write is
            # short. With workers, the next batches are read while this one is analysed.
            read = []
            for _, path, item in batch:
                done += 1
                article = _read_one(path, item, report, source, dating)
                if article is None:
                    continue
                if store.find_article_by_hash(article.content_hash) is not None:
                    report.duplicates += 1  # known already: no names to find for it
                    continue
                read.append((path, article))
            names = find.submit([a.body for _, a in read])
            pending.append((batch[-1][0], done, read, names))
            if len(pending) <= find.ahead:
                continue
        if not pending:
            if progress:
                progress(len(files), len(files), done)
            return
        last, done_then, read, names = pending.popleft()
        analysed = []
        for (path, article), candidates in zip(read, names(), strict=True):
            ready = _analyse_one(path, article, candidates, analyser, report)
            if ready is not None:
                analysed.append(ready)
        if analysed:
            with store.bulk(synchronous="NORMAL"):
                for path, article, found in analysed:
                    _store_one(store, path, article, found, report)
        if progress:
            progress(last, len(files), done_then)  # the last file may have more


Found = tuple[list[Entity], list[tuple[int, Mention]], list[tuple[Event, list[int]]]]


def _read_one(path: Path, item: Record | IngestError, report: IngestReport,
              source: str | None, dating: FileDate | None = None) -> Article | None:
    """Read one article; a failure refuses it (with why) and the rest go on."""
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
    if article.published is None and dating is not None:
        # Before the analysis: the article's relative dates count from this one.
        dated = dating(path)
        if dated is not None:
            article.published, article.published_precision = dated
    return article


def _analyse_one(path: Path, article: Article, candidates: FoundNames,
                 analyser: Analyser, report: IngestReport) -> tuple[Path, Article, Found] | None:
    """Analyse one article read, with its names found; one that fails is refused (with why)
    and the rest go on. (A copy stored meanwhile is counted a duplicate by `_store_one`.)"""
    if isinstance(candidates, tuple):  # the extractor failed on this text
        report.refused.append((article.origin or str(path),
                               f"could not be analysed ({candidates[0]}: {candidates[1]})"))
        return None
    try:
        found = analyser.analyse(article, candidates)
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
    except integrity_errors() as exc:  # one article's rows refused, not the batch
        report.refused.append((article.origin or str(path), f"not stored ({exc})"))
        return
    if added is None:
        report.duplicates += 1
    else:
        report.added += 1
