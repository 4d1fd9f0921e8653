"""Themes are data: themes/*.yaml -> textual.theme.Theme, registered with the app.

A broken theme file is reported (to be shown as one notification) and skipped, never a crash.
"""

from __future__ import annotations

import re
from importlib.abc import Traversable

import yaml
from textual.color import Color, ColorParseError
from textual.theme import Theme

from dossier import safeyaml
from dossier.paths import theme_files

THEME_KEYS = {"name", "dark", "primary", "secondary", "accent", "warning", "error", "success",
              "foreground", "background", "surface", "panel", "boost", "luminosity_spread",
              "text_alpha", "variables"}
ENTITY_DEFAULTS = {"entity-person": "#f2b35e", "entity-organisation": "#6fb8f2",
                   "entity-place": "#7ed69a", "entity-other": "#c8a2f0"}
DEFAULT_THEME = "dossier-dark"
COLOUR_KEYS = {"primary", "secondary", "accent", "warning", "error", "success", "foreground",
               "background", "surface", "panel", "boost"}
# Textual's theme variables that hold a text style or a colour with "auto", not a colour.
STYLE_VARIABLES = {"text", "text-muted", "text-disabled", "block-cursor-foreground",
                   "block-cursor-text-style", "block-cursor-blurred-text-style",
                   "link-background", "link-color", "link-style", "link-color-hover",
                   "link-style-hover", "input-cursor-text-style", "button-color-foreground",
                   "button-focus-text-style", *(f"markdown-h{n}-text-style" for n in range(1, 7))}
STYLE_VALUE = re.compile(r"[a-z0-9%# ]{1,40}")
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def load_theme(entry: Traversable) -> Theme:
    """One theme file; raises ValueError naming the file and the problem.

    Everything is checked here, before the theme is registered: a colour Textual cannot parse
    would otherwise surface later, as a crash while the app draws."""
    try:
        data = safeyaml.load(entry.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as exc:
        raise ValueError(f"theme {entry.name}: cannot read ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("name"), str) \
            or "primary" not in data:
        raise ValueError(f"theme {entry.name}: needs at least 'name' and 'primary'")
    unknown = set(data) - THEME_KEYS
    if unknown:
        raise ValueError(f"theme {entry.name}: unknown keys {', '.join(sorted(map(str, unknown)))}")
    if not NAME.fullmatch(data["name"]):
        raise ValueError(f"theme {entry.name}: the name must be letters, digits, - and _")
    for key in COLOUR_KEYS & set(data):
        if data[key] is not None and not _is_colour(data[key]):
            raise ValueError(f"theme {entry.name}: {key} is not a colour: {data[key]!r}")
    given = data.get("variables") or {}
    if not isinstance(given, dict):
        raise ValueError(f"theme {entry.name}: variables must be a mapping")
    variables = {**ENTITY_DEFAULTS}
    for key, value in given.items():
        key, value = str(key), str(value)
        if not NAME.fullmatch(key):
            raise ValueError(f"theme {entry.name}: bad variable name {key!r}")
        if key in STYLE_VARIABLES:
            if not STYLE_VALUE.fullmatch(value):
                raise ValueError(f"theme {entry.name}: {key} is not a text style: {value!r}")
        elif not _is_colour(value):
            raise ValueError(f"theme {entry.name}: {key} is not a colour: {value!r}")
        else:
            value = Color.parse(value).hex  # Rich reads hex, not every form Textual reads
        variables[key] = value
    try:
        theme = Theme(**{**data, "variables": variables})
        theme.to_color_system().generate()
    except (TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"theme {entry.name}: {exc}") from None
    return theme


def _is_colour(value: object) -> bool:
    try:
        Color.parse(str(value))
    except (ColorParseError, ValueError):
        return False
    return True


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
