"""The command line, thin: parse, call the layers, print. Styled after sqlite-utils' CLI.

Exit status: 0 success, 1 the work failed (some file refused, an integrity problem), 2 bad
usage or bad input (one clear line on stderr, never a traceback for a user's mistake).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dossier import __version__
from dossier.model import Scope
from dossier.safetext import safe_line

if TYPE_CHECKING:
    from dossier.store import Store


def echo(message: str, *, err: bool = False) -> None:
    """Print one line. File names, tag names and reasons come from strangers' files: every
    line the command line prints goes through here, made inert (`safe_line`) on the way."""
    click.echo(safe_line(message), err=err)


class UserError(click.ClickException):
    """A user's mistake: one line on stderr, exit status 2."""

    exit_code = 2

    def show(self, file=None) -> None:  # noqa: ANN001 - click's signature
        echo(f"dossier: {self.format_message()}", err=True)


class DossierTarget(click.ParamType):
    """A dossier file's path, or a PostgreSQL URL (`postgresql://user@host/db`, libpq's
    conventions: PG* variables and ~/.pgpass fill in what the URL leaves out)."""

    name = "file|url"

    def convert(self, value, param, ctx):  # noqa: ANN001, ANN201 - click's signature
        if isinstance(value, str) and value.startswith(("postgresql://", "postgres://")):
            return value
        return click.Path(dir_okay=False, path_type=Path).convert(value, param, ctx)


DOSSIER = DossierTarget()


def shown(target: str | Path) -> str:
    """A dossier as named in messages: a URL without its password."""
    if isinstance(target, str):
        from dossier.store.urls import server_name

        return server_name(target)
    return str(target)


def analyst_for(store: Store, given: str | None) -> str:
    """Who changes are recorded as: --analyst, else the database role of a PostgreSQL
    dossier, else $DOSSIER_ANALYST or the login. On PostgreSQL another name than the role's
    needs the role to be allowed to act for others (exit 2 otherwise, nothing written)."""
    from dossier.paths import default_analyst

    if given and (refused := store.refused_names([given])):
        raise UserError(f"{store.path}: {store.refusal(refused)}; leave out --analyst")
    return given or store.role() or default_analyst()


def open_store(path: str | Path, *, create: bool = False, readonly: bool = False) -> Store:
    """Open a dossier for a command, turning a refused file into exit status 2."""
    from dossier.store import DossierFileError, Store  # not for `extract`: it starts sooner

    try:
        return Store.open(path, create=create, readonly=readonly,
                          progress=_migration_progress(path))
    except DossierFileError as exc:
        raise UserError(str(exc)) from None


def _migration_progress(path: str | Path) -> Callable[[int, int], None] | None:
    """A line on a terminal's stderr while an older file is migrated (the 2 -> 3 step
    compares a big dossier's near-duplicate candidates for some seconds)."""
    if not sys.stderr.isatty():
        return None

    def progress(done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        click.echo(f"\rmigrating {path}: near-duplicate candidates {done:,}/{total:,}{end}",
                   nl=False, err=True)

    return progress


@contextmanager
def damage_reported(file: str | Path) -> Iterator[None]:
    """A file that opened but turns out damaged further in (SQLite says "malformed" on some
    page no check reads at open): one line naming it, exit status 1, never a traceback."""
    from dossier.store import store_errors  # not at the top: `extract` starts without the store

    try:
        yield
    except (*store_errors(), UnicodeDecodeError) as exc:
        text = str(exc)
        if "malformed" in text or "not a database" in text:
            text = f"the file is corrupt ({text})"
        echo(f"dossier: {shown(file)}: damaged: {text}", err=True)
        sys.exit(1)


def _remove_new_file(path: Path) -> None:
    """Take away a dossier this command created and could not fill (no empty file left)."""
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        name.unlink(missing_ok=True)


class DefaultToOpen(click.Group):
    """With no subcommand, `dossier` opens the bundled sample dossier."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0].startswith("-") and args[0] not in ("--help", "--version")):
            args = ["open", *args]
        with _inert_errors():
            return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        with _inert_errors():
            return super().invoke(ctx)


@contextmanager
def _inert_errors() -> Iterator[None]:
    """Click's own errors name what was typed or found ("File '…' is a directory"), our
    UserErrors name files and their problems: each is made inert before click prints it."""
    try:
        yield
    except click.ClickException as exc:
        exc.message = safe_line(exc.message)
        raise


@click.group(cls=DefaultToOpen, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dossier")
def main() -> None:
    """Triage news stories in a terminal: ingest, read, tag, cross-link and export dossiers.

    With no command, opens the bundled sample dossier.
    """


@main.command("open")
@click.argument("file", required=False, type=DOSSIER)
@click.option("--tagsets", "tagset_files", multiple=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="A tag-set YAML file that adds or replaces sets (repeatable).")
@click.option("--theme", default=None, help="Theme name (see themes/).")
@click.option("--analyst", default=None,
              help="Name recorded on your changes [default: $DOSSIER_ANALYST, then login].")
@click.option("--read-only", "readonly", is_flag=True, help="Open without allowing changes.")
def open_cmd(
    file: Path | None, tagset_files: tuple[Path, ...], theme: str | None,
    analyst: str | None, readonly: bool,
) -> None:
    """Open FILE in the app (the bundled sample when FILE is left out)."""

    if file is None:
        from dossier.sample import ensure_sample
        from dossier.store import DossierFileError

        try:
            file = ensure_sample()
        except DossierFileError as exc:
            raise UserError(str(exc)) from None
    store = open_store(file, readonly=readonly)
    try:
        tagsets = _load_tagsets(store, tagset_files)
        who = analyst_for(store, analyst)
    except BaseException:
        store.close()
        raise
    from dossier.tui.app import DossierApp

    app = DossierApp(store, tagsets=tagsets, analyst=who, theme=theme)
    try:
        app.run()
    finally:
        store.close()
    if app.return_code:
        sys.exit(app.return_code)


def _load_tagsets(store: Store, files: tuple[Path, ...]):  # noqa: ANN202 - TagConfig
    """The default tag sets, then those remembered in the file, then --tagsets files; the
    result is remembered in the file so a colleague who opens it sees the same sets."""
    from dossier.tagsets import TagSetFileErrors, load_tagsets, remember

    try:
        config = load_tagsets(files, store=store)
    except TagSetFileErrors as exc:
        for error in exc.errors[1:]:
            echo(str(error), err=True)
        store.close()
        raise UserError(str(exc.errors[0])) from None
    if files:
        remember(store, config)
    return config


@main.command("check")
@click.argument("file", type=DOSSIER)
@click.option("--fix", is_flag=True,
              help="Rebuild the full-text index if it is out of step; remove tags and links "
                   "whose item is gone (journalled).")
@click.option("--analyst", default=None,
              help="Who the fix is recorded as (default: $DOSSIER_ANALYST, else the login).")
def check_cmd(file: Path, fix: bool, analyst: str | None) -> None:
    """Check FILE: schema version, counts, integrity, foreign keys, full-text index, and
    tags or links whose item is gone."""

    store = open_store(file)
    try:
        who = analyst_for(store, analyst) if fix else ""  # refused before anything is read
        with damage_reported(file):
            echo(f"{shown(file)}: dossier schema version {store.get_meta('schema_version')}, "
                 f"created by {store.get_meta('created_by')}"
                 + (" (read-only)" if store.readonly else ""))
            for table, count in store.counts().items():
                echo(f"  {table:<10} {count:>9}")
            problems = store.check()
            if problems and fix and not store.readonly:
                if store.dangling():
                    removed = store.remove_dangling(who)
                    echo(f"removed {removed} tags and links of missing items (journalled)")
                if any(p.startswith("near-duplicate pair") for p in problems):
                    removed = store.remove_dangling_pairs()
                    echo(f"removed {removed} near-duplicate pairs of missing articles")
                if any(p.startswith("full-text") for p in problems):
                    store.rebuild_fts()
                    echo("full-text index rebuilt")
                problems = store.check()
            from dossier.tagsets import remembered_problems

            problems += remembered_problems(store)
        for problem in problems:
            echo(f"{shown(file)}: {problem}", err=True)
        if problems:
            sys.exit(1)
        echo("ok")
    finally:
        store.close()


@main.command("suggest")
@click.argument("file", type=DOSSIER)
@click.option("--json", "as_json", is_flag=True,
              help='JSON lines: {"a": {"id", "name", "kind"}, "b": {...}, "score", "reasons"}.')
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="At most N suggestions, best first (default: all).")
def suggest_cmd(file: Path, as_json: bool, limit: int | None) -> None:
    """Entities of FILE that may be one, best first, with a score and the reasons. Pairs an
    analyst called different are left out."""
    import json

    from dossier.store.suggest import suggestions

    store = open_store(file, readonly=True)
    try:
        with damage_reported(file):
            found = suggestions(store, limit=limit)
    finally:
        store.close()
    for s in found:
        if as_json:
            # ASCII escapes: a name from a stranger's file never reaches the terminal raw,
            # and the line stays the JSON the names were.
            click.echo(json.dumps(s.as_json(), ensure_ascii=True))
        else:
            echo(f"{s.score:.3f}  {s.a.name} ({s.a.kind}, {s.a.id})  ~  "
                 f"{s.b.name} ({s.b.kind}, {s.b.id})  " + "; ".join(s.reasons))


@main.command("ingest")
@click.argument("file", type=DOSSIER)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--source", default=None, help="The outlet, when an article does not say.")
@click.option("--extractor", type=click.Choice(["auto", "rules", "spacy"]), default="auto",
              show_default=True, help="Entity extractor: auto takes spaCy when a model loads.")
@click.option("--model", default=None, help="A spaCy pipeline name (implies spaCy).")
@click.option("--gazetteer", "gazetteers", multiple=True,
              type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="A gazetteer YAML that extends the shipped one (repeatable).")
@click.option("--date-from-name", is_flag=True,
              help="An article with no date of its own takes the one its file name starts "
                   "with (2023-04-04-…, 20230404_…; 2023-04_… at month precision).")
@click.option("--date-from-mtime", is_flag=True,
              help="An article with no date of its own (nor one from its name, with "
                   "--date-from-name) takes its file's modification day.")
@click.option("--dry-run", is_flag=True,
              help="List what would be read and what skipped, and why; FILE is not opened.")
@click.option("--jobs", type=click.IntRange(min=0), default=1, show_default=True,
              help="Processes finding names (0: one a core); the dossier is the same.")
def ingest_cmd(file: Path, paths: tuple[Path, ...], source: str | None, extractor: str,
               model: str | None, gazetteers: tuple[Path, ...], date_from_name: bool,
               date_from_mtime: bool, dry_run: bool, jobs: int) -> None:
    """Add the articles in PATHS (files or folders: txt, md, html, json, jsonl, rss, atom,
    eml, mbox, pdf) to FILE, creating it if needed. A JSON export of a dossier is imported
    whole. Inside folders, hidden files and folders and other formats are skipped (and
    counted)."""
    from dossier.ingest.entities import ExtractorUnavailable, GazetteerError
    from dossier.ingest.pipeline import ingest_paths, scan
    from dossier.store import store_errors

    if model and extractor == "auto":
        extractor = "spacy"
    if dry_run:
        _dry_run(paths, date_from_name=date_from_name, date_from_mtime=date_from_mtime)
        return
    created = isinstance(file, Path) and not file.exists()  # a database is never removed
    store = open_store(file, create=True)
    if store.readonly:
        store.close()
        raise UserError(f"{shown(file)}: read-only (you may not write it): no article can be added")
    try:
        from dossier.export import ExportError
        from dossier.export.jsonfmt import import_json

        exports = _dossier_exports(paths)
        for path in exports:
            try:
                with damage_reported(file):
                    counts = import_json(store, path)
            except (ExportError, SystemExit) as exc:
                if created and path == exports[0]:  # nothing kept: leave no empty dossier
                    store.close()
                    _remove_new_file(file)
                if isinstance(exc, SystemExit):
                    raise
                raise UserError(str(exc)) from None
            echo(f"{shown(file)}: imported {path}: {counts['articles']} articles, "
                       f"{counts['entities']} entities, {counts['taggings']} tags, "
                       f"{counts['links']} links")
        paths = tuple(p for p in paths if p not in exports)
        if not paths:
            return
        found = scan(paths)
        show = sys.stderr.isatty() and len(found.files) > 1
        rate = _Rate()
        with click.progressbar(length=len(found.files), label="ingesting", file=sys.stderr,
                               hidden=not show, item_show_func=rate.text) as bar:
            def progress(files_done: int, total: int, articles: int) -> None:
                bar.update(files_done - bar.pos, articles)

            try:
                report = ingest_paths(store, paths, source=source, extractor=extractor,
                                      model=model, gazetteer_files=gazetteers,
                                      progress=progress, date_from_name=date_from_name,
                                      date_from_mtime=date_from_mtime, scanned=found,
                                      jobs=jobs)
            except (ExtractorUnavailable, GazetteerError) as exc:
                raise UserError(str(exc)) from None
            except store_errors() as exc:  # a full disk, a file-size limit, an I/O error
                echo(f"dossier: {shown(file)}: cannot write ({exc}); what was added before "
                           "is kept, and running the same ingest again completes it", err=True)
                sys.exit(1)
    finally:
        store.close()
    for origin, reason in report.refused:
        echo(f"refused {origin}: {reason}", err=True)
    echo(f"{shown(file)}: {report.added} added, {report.duplicates} duplicate, "
               f"{len(report.refused)} refused (extractor: {report.extractor})")
    if report.skipped:
        echo(f"skipped: {report.skipped}")
    if report.refused:
        sys.exit(1)


class _Rate:
    """The text after the progress bar: articles read so far and articles a second."""

    def __init__(self) -> None:
        self.start = time.monotonic()

    def text(self, articles: int | None) -> str:
        if not articles:
            return ""
        seconds = max(time.monotonic() - self.start, 1e-3)
        return f"{articles} articles, {articles / seconds:.1f} articles/s"


def _dossier_exports(paths: tuple[Path, ...]) -> list[Path]:
    """The JSON exports of a dossier among the paths named (imported whole, not as articles)."""
    from dossier.export.jsonfmt import is_dossier_export

    return [p for p in paths if p.suffix.lower() == ".json" and p.is_file()
            and is_dossier_export(p)]  # is_file: a FIFO named x.json would block


def _dry_run(paths: tuple[Path, ...], *, date_from_name: bool, date_from_mtime: bool) -> None:
    """Say what an ingest of PATHS would read and pass over, touching no dossier."""
    from dossier.ingest.pipeline import HIDDEN, file_dating, format_name, scan

    exports = _dossier_exports(paths)
    for path in exports:
        echo(f"read {path} (dossier export: imported whole)")
    found = scan(p for p in paths if p not in exports)
    dating = file_dating(from_name=date_from_name, from_mtime=date_from_mtime)
    for path in found.files:
        dated = dating(path) if dating else None
        when = f"; dated {dated[0]} unless it has a date" if dated else ""
        echo(f"read {path} ({format_name(path)}{when})")
    for path, kind in found.skipped:
        if kind == HIDDEN:
            why = "hidden folder" if path.is_dir() else "hidden"
        else:
            why = f"{kind}: not an article format"
        echo(f"skip {path} ({why})")
    for origin, reason in found.problems:
        echo(f"refuse {origin}: {reason}")
    summary = f"dry run: {len(found.files) + len(exports)} would be read"
    if found.skipped:
        summary += f"; skipped: {found.skipped_summary()}"
    if found.problems:
        summary += f"; {len(found.problems)} refused"
    echo(summary + "; nothing written")


@main.command("extract")
@click.option("--extractor", type=click.Choice(["auto", "rules", "spacy"]), default="auto",
              show_default=True)
@click.option("--model", default=None, help="A spaCy pipeline name (implies spaCy).")
@click.option("--jobs", type=click.IntRange(min=0), default=1, show_default=True,
              help="Processes finding names (0: one a core); the output is the same.")
def extract_cmd(extractor: str, model: str | None, jobs: int) -> None:
    """Read JSON lines {"id", "text", "published"?} on stdin; write entities and dates of each
    as JSON lines on stdout (offsets index the text as given)."""
    from dossier.ingest.entities import ExtractorUnavailable
    from dossier.ingest.extract import run_extract

    if model and extractor == "auto":
        extractor = "spacy"
    try:
        status = run_extract(sys.stdin, sys.stdout, sys.stderr, extractor=extractor,
                             model=model, jobs=jobs)
    except ExtractorUnavailable as exc:
        raise UserError(str(exc)) from None
    sys.exit(status)


@main.group("tagsets")
def tagsets_group() -> None:
    """Tag-set files: the tags analysts apply and the relations they link with."""


@tagsets_group.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def tagsets_check_cmd(files: tuple[Path, ...]) -> None:
    """Validate tag-set YAML FILES: every problem as FILE:LINE:COL: message."""
    from dossier.tagsets import load_tagsets, validate_file

    bad = False
    for path in files:
        for error in validate_file(path):
            echo(str(error), err=True)
            bad = True
    if bad:
        sys.exit(2)
    config = load_tagsets(files, include_default=False)
    tags = sum(len(s.tags) for s in config.sets.values())
    echo(f"ok: {len(config.sets)} sets, {tags} tags, {len(config.relations)} relations")


def _tag_pair(value: str) -> tuple[str, str]:
    tagset, sep, tag = value.partition(":")
    if not sep or not tagset.strip() or not tag.strip():
        raise click.BadParameter(f"'{value}' is not SET:TAG", param_hint="--tag")
    return tagset.strip(), tag.strip()


def _date_bound(value: str | None, name: str) -> str | None:
    import re

    if value is None:
        return None
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        raise click.BadParameter(f"'{value}' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)",
                                 param_hint=name)
    return value


@main.command("export")
@click.argument("file", type=DOSSIER)
@click.option("--format", "-f", "fmt", required=True,
              type=click.Choice(["md", "html", "json", "csv", "ftm", "timelinejs", "graphml",
                                 "dossier", "spacy", "brat"]), help="What to write.")
@click.option("-o", "--output", "output", default=None,
              help="Where to write (- for standard output) [default: FILE's name + format].")
@click.option("--tag", "tags", multiple=True, help="Only items with this tag, SET:TAG "
              "(repeatable).")
@click.option("--match", type=click.Choice(["any", "all"]), default="any", show_default=True,
              help="With several --tag: items with any of them, or all.")
@click.option("--kind", "kinds", multiple=True,
              type=click.Choice(["article", "entity", "event"]),
              help="Only these kinds of items (repeatable).")
@click.option("--since", default=None, help="Articles and events from this date on.")
@click.option("--until", default=None, help="Articles and events up to this date.")
@click.option("--tagged-only", is_flag=True, help="Only items that carry a tag.")
@click.option("--search", "search", default=None, metavar="TEXT",
              help="Only articles the full-text search finds (with their entities and events).")
def export_cmd(file: Path, fmt: str, output: str | None, tags: tuple[str, ...], match: str,
               kinds: tuple[str, ...], since: str | None, until: str | None,
               tagged_only: bool, search: str | None) -> None:
    """Export FILE for colleagues and for the field's tools (atomically: a failed export
    leaves no file behind; an output that is FILE itself or one of its journal files is
    refused)."""
    from dossier.export import FORMATS, ExportError, RefusedTarget, Selection, Unavailable, export

    selection = Selection(tags=[_tag_pair(t) for t in tags], match=match,
                          kinds=tuple(kinds) or ("article", "entity", "event"),
                          since=_date_bound(since, "--since"),
                          until=_date_bound(until, "--until"), tagged_only=tagged_only,
                          scope=Scope(query=search) if search and search.strip() else None)
    if output is None and not isinstance(file, Path):
        raise UserError(f"{shown(file)}: a PostgreSQL dossier has no file name to export "
                        "beside: say where with -o")
    store = open_store(file, readonly=True)
    target = output or str(file.with_suffix("")) + (FORMATS[fmt].extension or "-csv")
    if fmt == "dossier" and output is None:
        target = str(file.with_suffix("")) + "-selection.db"
    try:
        show = sys.stderr.isatty() and target != "-"
        with damage_reported(file), click.progressbar(
                length=max(store.count_articles(), 1), label=f"exporting {fmt}",
                file=sys.stderr, hidden=not show) as bar:
            export(store, fmt, target, selection,
                   progress=lambda done, total: bar.update(done - bar.pos))
    except (RefusedTarget, Unavailable) as exc:
        raise UserError(str(exc)) from None
    except ExportError as exc:
        echo(f"dossier: {exc}", err=True)
        sys.exit(1)
    finally:
        store.close()
    if target != "-":
        echo(f"wrote {target}", err=True)


@main.command("pull")
@click.argument("source", type=DOSSIER)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--tag", "tags", multiple=True,
              help="Only articles (and entities, events) with this tag, SET:TAG (repeatable).")
@click.option("--match", type=click.Choice(["any", "all"]), default="any", show_default=True,
              help="With several --tag: items with any of them, or all.")
@click.option("--since", default=None, help="Articles and events from this date on.")
@click.option("--until", default=None, help="Articles and events up to this date.")
def pull_cmd(source: str | Path, file: Path, tags: tuple[str, ...], match: str, since: str | None,
             until: str | None) -> None:
    """Write FILE, an offline dossier taken from SOURCE (the filters of `export --format
    dossier`), that remembers where and when it was pulled from, so `dossier push FILE
    SOURCE` later brings back the work done in it. FILE must not exist yet."""
    from dossier.export.selection import Selection
    from dossier.sync import SyncError, pull

    selection = Selection(tags=[_tag_pair(t) for t in tags], match=match,
                          since=_date_bound(since, "--since"), until=_date_bound(until, "--until"))
    name = shown(source)
    store = open_store(source, readonly=True)
    try:
        with damage_reported(source), click.progressbar(
                length=1, label="pulling", file=sys.stderr,
                hidden=not sys.stderr.isatty()) as bar:
            try:
                record = pull(store, file, selection, _progress_to(bar), location=name)
            except SyncError as exc:
                raise UserError(str(exc)) from None
            except OSError as exc:
                raise UserError(f"{file}: cannot write ({exc.strerror or exc})") from None
    finally:
        store.close()
    pulled = open_store(file, readonly=True)
    try:
        counts = pulled.counts()
    finally:
        pulled.close()
    echo(f"{file}: pulled from {name}: {counts['articles']} articles, {counts['entities']} "
         f"entities, {counts['taggings']} tags (journal mark {record['source_journal_mark']})")


@main.command("push")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("target", type=DOSSIER)
@click.option("--analyst", default=None,
              help="Who an import of new articles is recorded as [default: the database role "
                   "of a PostgreSQL target, else $DOSSIER_ANALYST, then login]; replayed "
                   "changes keep their own analyst.")
@click.option("--report", "report_path", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the report as JSON to this file.")
@click.option("--all-conflicts", is_flag=True,
              help="Also list the conflicts earlier pushes reported that still do not apply "
                   "(each is reported once, then only counted), on screen and in --report.")
@click.option("--whole", is_flag=True,
              help="TARGET is empty (a new file, or a database without a dossier): copy FILE "
                   "into it whole, ids, journal and each analyst's undo history as they are "
                   "(COPY on PostgreSQL: minutes for 100,000 articles, where a publish "
                   "journals every row as an import). Later pushes replay FILE's journal.")
def push_cmd(file: Path, target: str | Path, analyst: str | None, report_path: Path | None,
             all_conflicts: bool, whole: bool) -> None:
    """Bring the work of the dossier FILE into TARGET.

    A file not pulled from TARGET is published: articles matched by content hash, entities
    by name and kind or alias, tags, links and decisions carried with their analyst and time.
    A file pulled from TARGET (or pushed there before) has its journal replayed: every change
    not yet in TARGET goes in under its analyst; a change whose rows a colleague changed
    meanwhile (or whose item was merged away or deleted) is skipped and reported. Pushing
    again applies nothing twice; a skipped change is tried again at each push but reported
    once (TARGET remembers it): later pushes only count it, unless --all-conflicts. Saved
    views (per analyst, by name; the newer one wins) and relation types (by name) go too.

    Exit status: 0 everything applied (or only earlier-reported conflicts remain); 1 some
    changes skipped as new conflicts (listed, and in --report); 2 an error (one line naming
    the file or target; batches applied before it are kept and a new push completes the
    rest).
    """
    import json

    from dossier.store import store_errors
    from dossier.sync import SyncError, push

    name = shown(target)
    source = open_store(file, readonly=True)
    try:
        # A new file, or a PostgreSQL database without a dossier yet, is made (as ingest
        # does); an existing one is opened as it is.
        dest = open_store(target, create=not isinstance(target, Path) or not target.exists())
        if dest.readonly:
            dest.close()
            raise UserError(f"{name}: cannot be written (read-only)")
        try:
            with damage_reported(file), click.progressbar(
                    length=1, label="pushing", file=sys.stderr,
                    hidden=not sys.stderr.isatty()) as bar:
                report = push(source, dest, analyst_for(dest, analyst), _progress_to(bar),
                              name=str(file), target_name=name, whole=whole)
        except SyncError as exc:
            raise UserError(str(exc)) from None
        except store_errors() as exc:
            raise UserError(f"{name}: cannot write ({exc}); the batches applied before are "
                            "kept, and pushing again completes the rest") from None
        finally:
            dest.close()
    finally:
        source.close()
    if report_path is not None:
        try:
            report_path.write_text(json.dumps(report.as_json(all_conflicts), indent=2,
                                              ensure_ascii=False)
                                   + "\n", encoding="utf-8")
        except OSError as exc:
            raise UserError(f"{report_path}: cannot write the report "
                            f"({exc.strerror or exc})") from None
    for line in report.applied:
        echo(f"applied: {line}")
    for line in report.undone:
        echo(f"undone: {line}")
    for skipped in report.skipped:
        echo(skipped.line())
    if all_conflicts:
        for skipped in report.earlier:
            echo(f"earlier {skipped.line()}")
    imported = ", ".join(f"{n} {t}" for t, n in report.imported.items()) or "nothing new"
    matched = ", ".join(f"{n} {t}" for t, n in report.matched.items())
    settings = ", ".join([f"{n} views {how}" for how, n in sorted(report.views.items())]
                         + ([f"{report.relation_types} relation types added"]
                            if report.relation_types else []))
    earlier = (f" (and {len(report.earlier)} reported before, still not applied"
               + ("" if all_conflicts else ": --all-conflicts lists them") + ")"
               if report.earlier else "")
    echo(f"{name}: {report.mode} from {file}: imported {imported}"
         + (f"; already there: {matched}" if matched else "")
         + (f"; {settings}" if settings else "")
         + f"; {len(report.applied)} changes applied, {len(report.undone)} undone, "
         f"{len(report.skipped)} skipped as conflicts{earlier}")
    if report.status(all_conflicts):
        sys.exit(1)


def _progress_to(bar):  # noqa: ANN001, ANN202 - click's ProgressBar
    """A (done, total) callback moving a progress bar; a new phase (done back at the start)
    starts the bar again."""
    def progress(done: int, total: int) -> None:
        if done < bar.pos:
            bar.pos = 0
        bar.length = max(total, 1)
        bar.update(done - bar.pos)

    return progress
