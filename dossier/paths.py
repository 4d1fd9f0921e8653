"""Where things live: the shipped data and themes, and the user's data directory."""

from __future__ import annotations

import getpass
import os
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path


def data_files() -> Traversable:
    """The shipped `data/` folder (sample articles, default tag sets, gazetteer)."""
    return resources.files("dossier.data")


def theme_files() -> Traversable:
    """The shipped `themes/` folder."""
    return resources.files("dossier.themes")


def user_data_dir() -> Path:
    """Where the app keeps its own files (the built sample dossier): $DOSSIER_HOME, else
    $XDG_DATA_HOME/dossier, else ~/.local/share/dossier."""
    if env := os.environ.get("DOSSIER_HOME"):
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return Path(base) / "dossier"


def default_analyst() -> str:
    """The analyst name recorded on changes: $DOSSIER_ANALYST, else the login name."""
    if env := os.environ.get("DOSSIER_ANALYST"):
        return env
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers): still a usable name
        return "analyst"
