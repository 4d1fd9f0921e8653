"""Names found in batches of texts, here or in worker processes (`--jobs`).

Finding names is the slow part of `extract` and `ingest`, and it depends on the text alone:
it is done in batches (spaCy's `nlp.pipe`), in this process or spread over worker processes.
The extractor is loaded once, here, and the workers are forked from this process after the
load: they share the loaded model (copy-on-write) instead of each paying the start-up again
(on Linux; elsewhere each worker loads it).
Everything that depends on what came before (resolution across articles, the dossier's
writes) stays with the caller, in input order, so the result is the same whatever the number
of processes.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from dossier.ingest.entities import Candidate, Gazetteer, make_extractor

# One text's candidates, or why it failed: (exception type, message).
Failure = tuple[str, str]
Found = list[Candidate] | Failure


def extract_each(extractor, texts: list[str]) -> list[Found]:  # noqa: ANN001 - an Extractor
    """The candidates of each text, batched when the extractor can (`extract_many`); a text
    that makes the extractor fail gets its failure and the others their candidates."""
    many = getattr(extractor, "extract_many", None)
    if many is not None and len(texts) > 1:
        try:
            return list(many(texts))
        except Exception:  # noqa: BLE001, S110 - one text failed: find which, one by one
            pass
    out: list[Found] = []
    for text in texts:
        try:
            out.append(extractor.extract(text))
        except Exception as exc:  # noqa: BLE001 - the caller refuses this text with why
            out.append((type(exc).__name__, str(exc)))
    return out


def jobs_count(jobs: int) -> int:
    """`--jobs`: 0 means one a core."""
    if jobs < 0:
        raise ValueError("--jobs must be 0 (one a core) or more")
    return jobs or os.cpu_count() or 1


class LocalFinder:
    """Extraction in this process: a batch is extracted when its result is asked for."""

    def __init__(self, extractor: str, model: str | None, gazetteer: Gazetteer):
        self.extractor = make_extractor(extractor, model, gazetteer)
        self.name = self.extractor.name
        self.ahead = 0  # batches submitted before the first result is asked for

    def submit(self, texts: list[str]) -> Callable[[], list[Found]]:
        return lambda: extract_each(self.extractor, texts)

    def ready(self) -> None:
        pass

    def close(self) -> None:
        pass


_worker_extractor = None
_worker_error: Exception | None = None


class ForkFinder(LocalFinder):
    """Extraction spread over `jobs` worker processes forked from this one once the
    extractor is loaded here: each worker starts with the model in memory, shared with this
    process page by page until written (copy-on-write). Results come back in the order the
    batches were submitted.

    Forking a process that holds a dossier open is safe here because the workers never
    touch it: they only run `_worker_batch` and leave with `os._exit` (multiprocessing's
    fork start), so no SQLite call, no finaliser and no `atexit` runs in them; SQLite's rule
    is not to use a connection across a fork, and its locks belong to the process that took
    them. The objects alive at the fork are frozen out of the workers' garbage collector
    (`gc.freeze`), which would otherwise write to every page of the model it scans."""

    def __init__(self, extractor: str, model: str | None, gazetteer: Gazetteer, jobs: int):
        global _worker_extractor, _worker_error
        super().__init__(extractor, model, gazetteer)
        _worker_extractor, _worker_error = self.extractor, None
        gc.freeze()
        try:
            self.pool = ProcessPoolExecutor(max_workers=jobs,
                                            mp_context=multiprocessing.get_context("fork"))
            # With fork, the pool starts every worker at the first submission: now, while
            # the frozen objects are those of the load.
            self.pool.submit(_worker_ready).result()
        finally:
            gc.unfreeze()
        self.ahead = jobs

    def submit(self, texts: list[str]) -> Callable[[], list[Found]]:
        future = self.pool.submit(_worker_batch, texts)
        return lambda: future.result()[1]

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)


def _worker_init(extractor: str, model: str | None, gazetteer_files: list[Path]) -> None:
    global _worker_extractor, _worker_error
    try:
        _worker_extractor = make_extractor(extractor, model, Gazetteer.load(gazetteer_files))
    except Exception as exc:  # noqa: BLE001 - given back with the first batch, raised there
        _worker_error = exc


def _worker_ready() -> str:
    if _worker_error is not None:
        raise _worker_error
    return _worker_extractor.name  # type: ignore[union-attr]


def _worker_batch(texts: list[str]) -> tuple[str, list[Found]]:
    if _worker_error is not None:
        raise _worker_error
    return _worker_extractor.name, extract_each(_worker_extractor, texts)  # type: ignore[union-attr]


class PoolFinder:
    """Extraction spread over `jobs` worker processes started afresh (forkserver, or spawn
    where there is none), each loading the extractor once: where a loaded model cannot be
    forked (`can_fork`).
    Results come back in the order the batches were submitted. The first worker starts at
    once and loads the extractor while the caller reads its input; more start when batches
    wait for one."""

    def __init__(self, extractor: str, model: str | None, gazetteer_files: Iterable[Path],
                 jobs: int):
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if ctx.get_start_method() == "forkserver":
            # The server imports this module alone, not the caller's `__main__` (the whole
            # command line): the workers start sooner.
            ctx.set_forkserver_preload([__name__])
        self.pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx,
                                        initializer=_worker_init,
                                        initargs=(extractor, model, list(gazetteer_files)))
        self.name = ""  # known from the first result
        self.ahead = jobs
        self._ready = self.pool.submit(_worker_ready)

    def submit(self, texts: list[str]) -> Callable[[], list[Found]]:
        future = self.pool.submit(_worker_batch, texts)

        def result() -> list[Found]:
            self.name, found = future.result()
            return found

        return result

    def ready(self) -> None:
        """Wait for the first worker's extractor; raise why it could not load."""
        self.name = self._ready.result()

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)


def can_fork() -> bool:
    """Whether worker processes can be forked from this one with its model loaded: on Linux.
    (macOS has fork, but its system libraries, numpy's Accelerate among them, may not
    survive one; Windows has none.)"""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def finder(extractor: str, model: str | None, gazetteer_files: Iterable[Path],
           jobs: int) -> LocalFinder | ForkFinder | PoolFinder:
    """Where names are found: here (`jobs` 1) or in `jobs` worker processes, forked from
    this one after the extractor loads here (or each loading it, where forking cannot be
    used). The gazetteer files are read here first, so a bad one is said before any process
    starts.

    A model in one worker beside this process (its start-up and work overlapping the
    caller's reading, dates and writing) was measured and did not pay on the shared 2-core
    machine: `jobs` 1 stays here (BENCHMARKS.md, "Extraction throughput")."""
    gazetteer_files = list(gazetteer_files)
    if jobs <= 1:
        return LocalFinder(extractor, model, Gazetteer.load(gazetteer_files))
    if can_fork():
        return ForkFinder(extractor, model, Gazetteer.load(gazetteer_files), jobs)
    if gazetteer_files:
        Gazetteer.load(gazetteer_files)
    return PoolFinder(extractor, model, gazetteer_files, jobs)
