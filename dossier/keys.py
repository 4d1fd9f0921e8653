"""Every key of the app, once: binding id, keys, action, description, tooltip, where it works.

Plain data (no Textual here): the TUI builds its `BINDINGS` from it, the help screen lists
it, the command palette offers it, and `dossier.tagsets` refuses a tag hotkey that is one of
these keys. A user's `keymap:` (in a tag-set file) names the binding ids below.
"""

from __future__ import annotations

from dataclasses import dataclass

APP, LIST, READER, INSPECTOR, HELP = "app", "list", "reader", "inspector", "help"
WHERE = {APP: "Everywhere", LIST: "In a list (Articles, Entities, Timeline)",
         READER: "In the Reader", INSPECTOR: "In the Inspector", HELP: "In this help"}


@dataclass(frozen=True)
class Key:
    """One binding. `keys` are Textual key names, comma-separated (`j,down`)."""

    id: str
    keys: str
    action: str
    description: str
    tooltip: str
    where: str = APP
    show: bool = True
    priority: bool = False


def _k(id: str, keys: str, action: str, description: str, tooltip: str,  # noqa: A002
       where: str = APP, *, show: bool = True, priority: bool = False) -> Key:
    return Key(id, keys, action, description, tooltip, where, show, priority)


KEYS: tuple[Key, ...] = (
    # Everywhere on the main screen.
    _k("dossier.quit", "q", "app.quit", "Quit", "Leave the app (every change is already saved)"),
    _k("dossier.help", "question_mark", "app.help", "Help", "Every key, and the tag hotkeys"),
    _k("dossier.search", "slash", "search", "Search",
       "Full-text search: any text (a name with a hyphen or dot, an unclosed quote) is a "
       "valid query; FTS5's \"a phrase\", OR, NOT, pre* still work; hits show at once, "
       "latest first, then ranked. In Entities: find by "
       "name as you type"),
    _k("dossier.back", "escape", "back", "Back",
       "Back one step: close the zoom or the search box, leave search results, clear the "
       "list's filter; on a small screen, from the Reader or Inspector back to the list",
       show=False),
    _k("dossier.filter", "f", "filter", "Filter",
       "Filter the focused list by tag (OR within a set, AND across sets)"),
    _k("dossier.tag", "t", "tag", "Tag", "Tag picker for the focused item (or the marked rows)"),
    _k("dossier.next_untagged", "x", "next_untagged", "Next untagged",
       "Walk the triage queue: from the cursor, the next article with no tag of the first "
       "exclusive set", show=False),
    _k("dossier.link", "l", "link", "Link", "Link the focused item to another, with evidence"),
    _k("dossier.mention", "n", "mention(1)", "Next mention",
       "Next mention of the focused entity, across articles", show=False),
    _k("dossier.mention_back", "N", "mention(-1)", "Prev mention",
       "Previous mention of the focused entity, across articles", show=False),
    _k("dossier.merge", "m", "merge", "Merge",
       "Merge the focused entity (or the marked ones, one u each) into another", show=False),
    _k("dossier.edit", "r", "edit", "Edit",
       "Rename or edit the focused item; with articles marked, date every marked article at "
       "once", show=False),
    _k("dossier.undo", "u", "undo", "Undo", "Undo your latest change (kept across restarts)"),
    _k("dossier.redo", "ctrl+r", "redo", "Redo", "Redo your latest undone change"),
    _k("dossier.export", "e", "export", "Export",
       "Export what the Articles list shows (or the marked articles): brief, JSON, CSV, "
       "FtM, ..."),
    _k("dossier.zoom", "z", "zoom", "Zoom", "Give the focused pane the whole screen, or back",
       show=False),
    _k("dossier.connections", "c", "connections", "Connections",
       "The focused entity's neighbourhood: links and the entities named with it, two hops "
       "out", show=False),
    _k("dossier.entity_scope", "a", "entity_scope", "Scope",
       "Entities of the open article or of the whole dossier", show=False),
    _k("dossier.entity_sort", "s", "entity_sort", "Sort",
       "Sort entities by mentions or by name", show=False),
    _k("dossier.follow", "F", "follow_story", "Follow filter",
       "Entities and Timeline follow the Articles filter and search (the story's articles, "
       "counts within them), or show the whole dossier again", show=False),
    _k("dossier.views", "V", "views", "Views",
       "Named views: save the Articles filter, search and order under a name, or recall "
       "one (kept in the dossier, per analyst)"),
    _k("dossier.review", "equals_sign", "review", "Review",
       "The review queue: suggested merges and near-duplicate articles, one pair at a time "
       "(same, different, skip, undo)", show=False),
    _k("dossier.pile", "plus", "pile", "Pile",
       "Open or close the near-duplicate pile under the cursor: an article's resent copies "
       "are folded under the first (+N); open, they show under it, indented and marked ≈",
       show=False),
    # In a list.
    _k("list.down", "j,down", "cursor(1)", "Down", "Move down", LIST, show=False),
    _k("list.up", "k,up", "cursor(-1)", "Up", "Move up", LIST, show=False),
    _k("list.pagedown", "pagedown", "page(1)", "Page down", "Move a page down", LIST,
       show=False),
    _k("list.pageup", "pageup", "page(-1)", "Page up", "Move a page up", LIST, show=False),
    _k("list.top", "g,home", "top", "Top", "First row", LIST, show=False),
    _k("list.bottom", "G,end", "bottom", "Bottom", "Last row", LIST, show=False),
    _k("list.open", "enter", "choose", "Open", "Open the focused item", LIST),
    _k("list.mark", "space", "mark", "Mark",
       "Mark or unmark the row: tag, merge, export and set date then apply to every marked "
       "row", LIST, show=False),
    # In the reader.
    _k("reader.next_mention", "]", "mention(1)", "Next mention",
       "Move to the next mention in this article", READER),
    _k("reader.prev_mention", "[", "mention(-1)", "Previous mention",
       "Move to the previous mention in this article", READER),
    _k("reader.open_entity", "enter", "open_entity", "Open entity",
       "Show the entity of the mention under the cursor", READER),
    _k("reader.select", "v", "select", "Select",
       "Select text word by word (to mark a missed mention)", READER),
    _k("reader.word_next", "right", "select_move(1)", "Next word", "Selection: the next word",
       READER, show=False),
    _k("reader.word_prev", "left", "select_move(-1)", "Previous word",
       "Selection: the previous word", READER, show=False),
    _k("reader.extend", "shift+right", "select_extend(1)", "Extend",
       "Selection: take one more word", READER, show=False),
    _k("reader.shrink", "shift+left", "select_extend(-1)", "Shrink",
       "Selection: give back one word", READER, show=False),
    _k("reader.down", "j,down", "read(1)", "Scroll",
       "Scroll down (past the end of a long article's drawn part: on)", READER, show=False),
    _k("reader.up", "k,up", "read(-1)", "Scroll",
       "Scroll up (past the top of a long article's drawn part: back)", READER, show=False),
    _k("reader.top", "g", "read_end(-1)", "Top", "The top of the article", READER,
       show=False),
    _k("reader.bottom", "G", "read_end(1)", "Bottom", "The end of the article", READER,
       show=False),
    # In the inspector.
    _k("inspector.next_link", "]", "link(1)", "Next link",
       "Select the item's next link (then t or a tag key tags it)", INSPECTOR),
    _k("inspector.prev_link", "[", "link(-1)", "Previous link",
       "Select the item's previous link", INSPECTOR),
    _k("inspector.follow", "enter", "follow", "Follow link",
       "Go to the other end of the selected link", INSPECTOR),
    _k("inspector.candidates", "M", "candidates", "Same entity?",
       "Review the entity's merge candidates one by one (s merges)", INSPECTOR, show=False),
    # In the help screen.
    _k("help.close", "escape,q,question_mark", "close", "Close", "Close the help", HELP),
    _k("help.down", "j,down", "scroll(1)", "Down", "Scroll the help down", HELP, show=False),
    _k("help.up", "k,up", "scroll(-1)", "Up", "Scroll the help up", HELP, show=False),
    _k("help.pagedown", "pagedown,space", "page(1)", "Page down",
       "Scroll the help a page down", HELP, show=False),
    _k("help.pageup", "pageup", "page(-1)", "Page up", "Scroll the help a page up", HELP,
       show=False),
    _k("help.top", "g,home", "end(-1)", "Top", "The top of the help", HELP, show=False),
    _k("help.bottom", "G,end", "end(1)", "Bottom", "The end of the help", HELP, show=False),
)

# Keys that are not bindings but that the app takes before a tag could: pane switching and
# the command palette (Textual's own), and the reader's selection keys.
OTHER_KEYS = ("tab", "shift+tab", "ctrl+p")

# Textual's names of the printable keys that are not their own character.
CHARACTERS = {"question_mark": "?", "slash": "/", "left_square_bracket": "[",
              "right_square_bracket": "]", "space": " ", "exclamation_mark": "!",
              "at": "@", "number_sign": "#", "full_stop": ".", "comma": ",",
              "plus": "+"}


def keys_for(where: str) -> list[Key]:
    """The keys that work in one place (APP, LIST, READER, INSPECTOR, HELP)."""
    return [k for k in KEYS if k.where == where]


def by_id() -> dict[str, Key]:
    return {k.id: k for k in KEYS}


def names(keys: str) -> list[str]:
    """`j,down` -> ['j', 'down']."""
    return [k.strip() for k in keys.split(",") if k.strip()]


def shown(keys: str) -> str:
    """Keys as a person reads them: `question_mark` is `?`."""
    return "  ".join(CHARACTERS.get(k, k) for k in names(keys))


def reserved() -> frozenset[str]:
    """What no tag may take as its hotkey: every key of the main screen (app, lists, reader,
    inspector), by its Textual name and by its character."""
    out: set[str] = set(OTHER_KEYS)
    for key in KEYS:
        if key.where == HELP:
            continue
        for name in names(key.keys):
            out.add(name)
            out.add(CHARACTERS.get(name, name))
    return frozenset(out)
