"""Textual bindings built from the one list of keys (`dossier.keys`)."""

from __future__ import annotations

from textual.binding import Binding

from dossier.keys import keys_for


def bindings(where: str) -> list[Binding]:
    """The `BINDINGS` of one place (app, list, reader, inspector, help)."""
    return [Binding(k.keys, k.action, k.description, show=k.show, priority=k.priority,
                    id=k.id, tooltip=k.tooltip) for k in keys_for(where)]
