"""The Textual app: the only layer that imports Textual."""

import os

# Textual paints at most TEXTUAL_FPS times a second and holds a change until the next tick:
# at its default 60 that alone adds up to 16.7 ms to a keypress. 120 halves the wait; a user's
# own setting wins. Set here, before any Textual module reads it.
os.environ.setdefault("TEXTUAL_FPS", "120")
