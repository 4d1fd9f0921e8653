"""Themes are data: themes/*.yaml -> textual.theme.Theme, registered with the app.

A broken theme file is reported (to be shown as one notification) and skipped, never a crash.
"""

from __future__ import annotations

from importlib.abc import Traversable

import yaml
from textual.theme import Theme

from dossier.paths import theme_files

THEME_KEYS = {"name", "dark", "primary", "secondary", "accent", "warning", "error", "success",
              "foreground", "background", "surface", "panel", "boost", "luminosity_spread",
              "text_alpha", "variables"}
ENTITY_DEFAULTS = {"entity-person": "#f2b35e", "entity-organisation": "#6fb8f2",
                   "entity-place": "#7ed69a", "entity-other": "#c8a2f0"}
DEFAULT_THEME = "dossier-dark"


def load_theme(entry: Traversable) -> Theme:
    """One theme file; raises ValueError naming the file and the problem."""
    try:
        data = yaml.safe_load(entry.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as exc:
        raise ValueError(f"theme {entry.name}: cannot read ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("name"), str) \
            or "primary" not in data:
        raise ValueError(f"theme {entry.name}: needs at least 'name' and 'primary'")
    unknown = set(data) - THEME_KEYS
    if unknown:
        raise ValueError(f"theme {entry.name}: unknown keys {', '.join(sorted(unknown))}")
    variables = {**ENTITY_DEFAULTS, **{str(k): str(v) for k, v in
                                       (data.get("variables") or {}).items()}}
    try:
        return Theme(**{**data, "variables": variables})
    except (TypeError, ValueError) as exc:
        raise ValueError(f"theme {entry.name}: {exc}") from None


def load_themes(folder: Traversable | None = None) -> tuple[list[Theme], list[str]]:
    """Every theme in the folder, and the problems of those that could not be loaded."""
    folder = folder or theme_files()
    themes, problems = [], []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith((".yaml", ".yml")):
            continue
        try:
            themes.append(load_theme(entry))
        except ValueError as exc:
            problems.append(str(exc))
    return themes, problems
