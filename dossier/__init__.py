"""Dossier: triage news stories in a terminal."""

__version__ = "0.1.0"
