"""The command palette's provider: every action of the app, each pane, each theme.

The palette parses a plain `str` prompt as markup (and `Matcher.highlight` does too), while a
theme's name comes from a file: prompts are built here as literal `Content`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content

from dossier.safetext import safe_line

Command = tuple[str, str, Callable[[], Any]]  # title, help, what it does


class DossierCommands(Provider):
    """Lists the app's own commands (`DossierApp.palette_commands`), fuzzy-matched."""

    def _commands(self) -> list[Command]:
        app: Any = self.app
        return app.palette_commands() if hasattr(app, "palette_commands") else []

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(Content(safe_line(title)), callback, text=title,
                               help=literal(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, highlight(matcher, title), callback, text=title,
                          help=literal(help_text))


def highlight(matcher: Matcher, title: str) -> Content:
    """The title as literal text, the letters that matched the query styled."""
    title = safe_line(title)
    content = Content(title)
    _, offsets = matcher.fuzzy_search.match(matcher.query, title)
    for offset in offsets:
        content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


def literal(text: str) -> Any:
    """Help text as literal `Content` (the palette passes Content through unparsed)."""
    return Content(safe_line(text))
