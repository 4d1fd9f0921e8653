"""The review queue: same entity? same article? One pair at a time, decided by single keys.

The pairs are the store's merge suggestions (best first), then its near-duplicate articles.
`s` same (entities: merge, the left name survives; `S`: the right one does; articles: linked
as duplicates), `d` different (remembered: never offered again), `n` or space skip, `u` undo
(the latest decision is taken back and its pair offered again), escape closes. The next pair
shows at once: a merge runs in the background, on a connection of its own, in the app's
"merge" worker group, and undo waits for it as it does in the app.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from dossier.safetext import safe_line, safe_text
from dossier.store import JournalConflict, ReadOnlyError, Store
from dossier.store.suggest import Card, card, decide, duplicate_pairs, suggestions
from dossier.tui.messages import ReportsWorkerFailures

# Merges from the queue run one after the other (the next waits for the one before).
_merging = threading.Lock()


@dataclass
class Pair:
    """One pair of the queue: two entities or two articles, with why they are offered."""

    kind: str  # entity | article
    left: int
    right: int
    score: float
    reasons: list[str]


def load_pairs(store: Store, entity_id: int | None = None) -> list[Pair]:
    """The queue as the file is now: merge suggestions, then near-duplicate articles (or the
    candidates of one entity alone)."""
    pairs = [Pair("entity", s.a.id, s.b.id, s.score, s.reasons)
             for s in suggestions(store, entity_id=entity_id)]
    if entity_id is not None:
        return pairs
    pairs += [Pair("article", d.a_id, d.b_id, d.similarity,
                   [f"near-duplicate text ({d.similarity:.0%} of shingles alike)"])
              for d in duplicate_pairs(store)]
    return pairs


class ReviewScreen(ReportsWorkerFailures, Screen[None]):
    """Decide suggested pairs one at a time."""

    BINDINGS = [
        Binding("s", "same(False)", "Same", id="review.same",
                tooltip="Same: merge the right entity into the left (the left name stays), "
                        "or link the two articles as duplicates"),
        Binding("S", "same(True)", "Same, keep right", id="review.same_right",
                tooltip="Same: merge the left entity into the right (the right name stays)"),
        Binding("d", "different", "Different", id="review.different",
                tooltip="Different: remembered, never offered again"),
        Binding("n,space", "skip", "Skip", id="review.skip",
                tooltip="Skip this pair for now (offered again next time)"),
        Binding("u", "undo", "Undo", id="review.undo",
                tooltip="Take back the latest decision and offer its pair again"),
        Binding("escape", "close", "Close", id="review.close", tooltip="Back to the panes"),
    ]
    DEFAULT_CSS = """
    ReviewScreen { layout: vertical; }
    ReviewScreen #review-title { height: 1; padding: 0 1; text-style: bold; }
    ReviewScreen #review-sides { height: 1fr; }
    ReviewScreen .review-side { width: 1fr; border: round $primary; padding: 0 1; }
    ReviewScreen #review-why { height: auto; max-height: 8; padding: 0 1;
        border: round $secondary; }
    """

    def __init__(self, store: Store, analyst: str, entity_id: int | None = None) -> None:
        super().__init__()
        self.store = store
        self.analyst = analyst
        self.entity_id = entity_id  # the candidates of this entity only (from the inspector)
        self.queue: list[Pair] = []
        self.decided: list[Pair] = []  # decisions taken here, latest last (for undo)
        self.done = 0
        self.loaded = False
        self._pending_merges = 0

    def compose(self) -> ComposeResult:
        yield Static(Text("Review: looking for pairs…"), id="review-title")
        with Horizontal(id="review-sides"):
            yield Static(Text(""), id="review-left", classes="review-side")
            yield Static(Text(""), id="review-right", classes="review-side")
        with Vertical(id="review-why"):
            yield Static(Text(""), id="review-reasons")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="review")
    def load(self) -> None:
        with self.store.reading() as store:
            pairs = load_pairs(store, self.entity_id)
        self.app.call_from_thread(self._loaded, pairs)

    def _loaded(self, pairs: list[Pair]) -> None:
        self.queue = pairs
        self.loaded = True
        self.show()

    # ------------------------------------------------------------- drawing

    @property
    def current(self) -> Pair | None:
        return self.queue[0] if self.queue else None

    def _side(self, c: Card | None, label: str) -> Text:
        if c is None:
            return Text(f"{label}: gone (merged or deleted meanwhile)", style="dim")
        out = Text()
        out.append(f"{label}\n", style="dim")
        out.append(safe_line(c.name), style="bold")
        out.append(f"\n{safe_line(c.detail)}  ·  #{c.id}\n", style="italic")
        if c.kind == "entity":
            out.append(f"{c.count} mention{'s' if c.count != 1 else ''}\n")
            out.append("aliases: ", style="dim")
            out.append(safe_line(", ".join(c.aliases)) if c.aliases else "none")
        else:
            out.append(f"{c.count} words")
        if c.sentence:
            out.append("\n\n“")
            out.append(safe_text(c.sentence))
            out.append("”")
        return out

    def show(self) -> None:
        pair = self.current
        title = self.query_one("#review-title", Static)
        left = self.query_one("#review-left", Static)
        right = self.query_one("#review-right", Static)
        reasons = self.query_one("#review-reasons", Static)
        if pair is None:
            title.update(Text(f"Review: nothing left to decide ({self.done} decided here; "
                              "u undoes the latest, escape closes)"))
            left.update(Text(""))
            right.update(Text(""))
            reasons.update(Text(""))
            return
        what = "Same entity?" if pair.kind == "entity" else "Same article?"
        title.update(Text(f"Review: {what}  {len(self.queue)} left, {self.done} decided  "
                          "(s same · S same keeping the right · d different · n skip · "
                          "u undo · esc)"))
        left.update(self._side(card(self.store, pair.kind, pair.left), "left"))
        right.update(self._side(card(self.store, pair.kind, pair.right), "right"))
        why = Text(f"score {pair.score:.2f}\n", style="bold")
        for reason in pair.reasons:
            why.append("• " + safe_line(reason) + "\n")
        reasons.update(why)

    # ------------------------------------------------------------- decisions

    def _writable(self) -> bool:
        if self.store.readonly:
            self.notify("this dossier is open read-only: it cannot be changed here",
                        severity="warning", markup=False)
            return False
        return True

    def _next(self, decided: Pair | None) -> None:
        self.queue.pop(0)
        if decided is not None:
            self.decided.append(decided)
            self.done += 1
        self.show()

    def action_skip(self) -> None:
        if self.current is not None:  # not again this time; offered at the next opening
            self._next(None)

    def action_different(self) -> None:
        pair = self.current
        if pair is None or not self._writable():
            return
        try:
            decide(self.store, self.analyst, pair.kind, pair.left, pair.right, "different")
        except (ReadOnlyError, ValueError, KeyError) as exc:
            self.notify(safe_line(str(exc)), severity="warning", markup=False)
            self._next(None)
            return
        self._next(pair)

    def action_same(self, keep_right: bool) -> None:
        pair = self.current
        if pair is None or not self._writable():
            return
        if pair.kind == "article":
            try:
                decide(self.store, self.analyst, "article", pair.left, pair.right, "same")
            except (ReadOnlyError, ValueError, KeyError) as exc:
                self.notify(safe_line(str(exc)), severity="warning", markup=False)
                self._next(None)
                return
            self._next(pair)
            self._refresh_app()
            return
        survivor, gone = (pair.right, pair.left) if keep_right else (pair.left, pair.right)
        # Pairs touching the entity merged away are moot: the survivor's come again later.
        self.queue = [pair] + [p for p in self.queue[1:] if gone not in (p.left, p.right)]
        self._next(pair)
        app: Any = self.app
        app.long_work = "merge"
        self._pending_merges += 1
        self.app.run_worker(lambda: self._merge(gone, survivor), thread=True,
                            exit_on_error=False, group="merge")

    def _merge(self, gone: int, survivor: int) -> None:
        app: Any = self.app
        try:
            with _merging, self.store.writing() as writer:
                writer.merge_entities(self.analyst, gone, survivor, decided=True)
        except (ReadOnlyError, ValueError, KeyError) as exc:
            app.call_from_thread(self.notify, safe_line(str(exc)), severity="warning",
                                 markup=False)
        finally:
            app.call_from_thread(self._merged)

    def _merged(self) -> None:
        self._pending_merges -= 1
        if self._pending_merges == 0:
            app: Any = self.app
            app.long_work = None
        self._refresh_app()

    def _refresh_app(self) -> None:
        app: Any = self.app
        if hasattr(app, "after_change"):
            app.after_change()

    def action_undo(self) -> None:
        if not self._writable():
            return
        app: Any = self.app
        if getattr(app, "long_work", None):
            self.notify(f"wait for the {app.long_work} to finish before undo",
                        severity="warning", markup=False)
            return
        try:
            result = self.store.undo(self.analyst)
        except (JournalConflict, ReadOnlyError) as exc:
            self.notify(safe_line(str(exc)), severity="warning", markup=False)
            return
        if result is None:
            self.notify("nothing to undo", markup=False)
            return
        self.notify(f"undone: {safe_line(result.action)}", markup=False, timeout=3)
        if self.decided:
            self.queue.insert(0, self.decided.pop())
            self.done -= 1
        self.show()
        self._refresh_app()

    def action_close(self) -> None:
        self.dismiss(None)
