"""A line-based list over rows fetched from SQLite a page at a time.

`DataTable` keeps every row in memory and `ListView` mounts a widget per row: neither opens
100,000 rows fast. This is a `ScrollView` whose virtual height is the row count and whose
`render_line` asks a `RowSource` for just the visible rows (plus a page either side), kept in a
small cache (as Textual's own option list and toolong's log lines do). Moving the cursor
repaints two lines.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Generic, TypeVar

from rich.text import Text
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from dossier import keys
from dossier.tui.bindings import bindings

Row = TypeVar("Row")
PAGE = 100
CACHE_PAGES = 8
CACHE_STRIPS = 400  # drawn lines kept: a few screens of rows


class RowSource(Generic[Row]):
    """Where a list's rows come from: a count and pages, e.g. a store query.

    A source whose page at `offset` costs more than a frame says so (`slow_page`); the list
    then reads it with `page_in_worker` on a worker thread and shows the rows when they
    arrive, so the keys keep answering meanwhile."""

    def count(self) -> int:
        raise NotImplementedError

    def page(self, offset: int, limit: int) -> list[Row]:
        raise NotImplementedError

    def slow_page(self, offset: int) -> bool:
        """True when the page at `offset` is to be read off the UI thread."""
        return False

    def page_in_worker(self, offset: int, limit: int) -> list[Row]:
        """The page, read on a worker thread (its own connection)."""
        return self.page(offset, limit)

    def forget(self) -> None:
        """Drop anything remembered about rows already fetched (the file has changed)."""


class EmptySource(RowSource[Any]):
    def count(self) -> int:
        return 0

    def page(self, offset: int, limit: int) -> list[Any]:
        return []


class LazyList(ScrollView, Generic[Row], can_focus=True):
    """A cursor over a RowSource; subclasses say how a row looks (`render_row`)."""

    BINDINGS = bindings(keys.LIST)

    class Highlighted(Message):
        """The cursor moved to a row."""

        def __init__(self, lazy_list: LazyList, row: Any) -> None:
            super().__init__()
            self.lazy_list = lazy_list
            self.row = row

    class MarksChanged(Message):
        """A row was marked or unmarked."""

        def __init__(self, lazy_list: LazyList) -> None:
            super().__init__()
            self.lazy_list = lazy_list

    class Reloaded(Message):
        """The rows were read again (another source, or a change in the file): their count
        may differ; the pane around the list retitles."""

        def __init__(self, lazy_list: LazyList) -> None:
            super().__init__()
            self.lazy_list = lazy_list

    class Chosen(Message):
        """Enter was pressed on a row."""

        def __init__(self, lazy_list: LazyList, row: Any) -> None:
            super().__init__()
            self.lazy_list = lazy_list
            self.row = row

    def __init__(self, source: RowSource[Row] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source: RowSource[Row] = source or EmptySource()
        self.cursor = 0
        self.marked: set[Any] = set()
        self._count = 0
        self._pages: OrderedDict[int, list[Row]] = OrderedDict()
        self._pending: set[int] = set()  # pages being read by a worker
        self._epoch = 0  # bumped when the rows may have changed: older pages are dropped
        self.empty_text = "nothing here"
        self._bar_seen: tuple[Size, Size, Size] | None = None
        self._lines_memo: tuple[Any, ...] | None = None
        # Drawn lines by (row, line): a scroll by one row redraws every line of the list,
        # all but two of them as they were; kept while the row, its tags and its look hold.
        self._strips: OrderedDict[tuple[Any, int], tuple[Any, ...]] = OrderedDict()
        self._base: Any = None  # the base style of the drawing pass under way

    # Screen lines a row takes (the article list takes two: the title on a line of its own).
    row_height = 1

    # ------------------------------------------------------------- data

    def set_source(self, source: RowSource[Row], *, keep_cursor: bool = False) -> None:
        """Show another source (a filter, search results), from the top unless told."""
        self.source = source
        self.reload(keep_cursor=keep_cursor)

    def reload(self, *, keep_cursor: bool = True, recount: bool = True) -> None:
        """Forget cached pages and count (after a change) and repaint; `recount=False` when
        the change cannot have added or removed rows (a tag on an unfiltered list)."""
        before = self.current if keep_cursor else None
        self._pages.clear()
        self._pending.clear()
        self._strips.clear()
        self._epoch += 1
        self.source.forget()
        if recount:
            self._count = self.source.count()
            self.post_message(self.Reloaded(self))
        if not keep_cursor:
            self.cursor = 0
            self.scroll_to(0, 0, animate=False)
        self.cursor = max(0, min(self.cursor, self._count - 1))
        self.virtual_size = Size(0, self._count * self.row_height)
        self.refresh()
        after = self.current
        if before is None or after is None or self.row_key(before) != self.row_key(after):
            self._announce()  # the same row still under the cursor: nothing new to tell

    def row_at(self, index: int) -> Row | None:
        if not 0 <= index < self._count:
            return None
        page_no = index // PAGE
        page = self._pages.get(page_no)
        if page is None and self.source.slow_page(page_no * PAGE):
            self._fetch_later(page_no)
            return None
        if page is None:
            page = self.source.page(page_no * PAGE, PAGE)
            self._pages[page_no] = page
            while len(self._pages) > CACHE_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_no)
        offset = index - page_no * PAGE
        return page[offset] if offset < len(page) else None

    def _fetch_later(self, page_no: int) -> None:
        """Read a slow page in a worker; its rows show when they arrive (`_page_read`)."""
        if page_no in self._pending:
            return
        self._pending.add(page_no)
        source, epoch = self.source, self._epoch

        def read() -> None:
            rows = source.page_in_worker(page_no * PAGE, PAGE)
            self.app.call_from_thread(self._page_read, source, epoch, page_no, rows)

        self.run_worker(read, thread=True, group="page", exit_on_error=False,
                        name=f"page {page_no}")

    def _page_read(self, source: RowSource[Row], epoch: int, page_no: int,
                   rows: list[Row]) -> None:
        if source is not self.source or epoch != self._epoch:
            return  # another source, or the rows changed since: a stale page is dropped
        self._pending.discard(page_no)
        self._pages[page_no] = rows
        while len(self._pages) > CACHE_PAGES:
            self._pages.popitem(last=False)
        self.refresh()
        if self.cursor // PAGE == page_no:
            self._announce()  # the row under the cursor is known now

    def pending(self, index: int) -> bool:
        """True while the row at `index` is being read by a worker."""
        return index // PAGE in self._pending

    @property
    def current(self) -> Row | None:
        return self.row_at(self.cursor)

    @property
    def count(self) -> int:
        return self._count

    def row_key(self, row: Row) -> Any:
        """What identifies a row across reloads (for marks)."""
        return getattr(row, "id", row)

    # ------------------------------------------------------------- drawing

    def render_row(self, row: Row, index: int, width: int) -> Text:
        return Text(str(row))

    def render_row_lines(self, row: Row, index: int, width: int) -> list[Text]:
        """The row's lines (`row_height` of them); one line, `render_row`, unless told."""
        return [self.render_row(row, index, width)]

    def render_lines(self, crop: Region) -> list[Strip]:
        # The base style (the theme's colours under every row) walks the widget's
        # ancestors: looked up once a drawing pass, not once a line.
        self._base = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._base = None

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index, line = divmod(scroll_y + y, self.row_height)
        width = self.scrollable_content_region.width
        base = self.rich_style if self._base is None else self._base
        if self._count == 0:
            if y == 0:
                text = Text(self.empty_text, style="italic dim")
                return Strip(list(text.render(self.app.console, end=""))).apply_style(
                    base).crop_extend(0, width, base)
            return Strip.blank(width, base)
        row = self.row_at(index)
        if row is None:
            if line == 0 and self.pending(index):
                text = Text("…", style="dim")
                return Strip(list(text.render(self.app.console, end=""))).apply_style(
                    base).crop_extend(0, width, base)
            return Strip.blank(width, base)
        key = self.row_key(row)
        marked = key in self.marked
        look = ("cursor" if self.has_focus else "cursor-blurred") if index == self.cursor else ""
        state = (index, width, scroll_x, marked, look, self.app.theme, base)
        tags = getattr(row, "tags", None)
        drawn = self._strips.get((key, line))
        if drawn is not None and drawn[0] is row and drawn[1] is tags and drawn[2] == state:
            self._strips.move_to_end((key, line))
            return drawn[3]  # type: ignore[no-any-return]
        lines = self._row_lines(row, index, width)
        text = lines[line].copy() if line < len(lines) else Text()
        text.no_wrap = True
        text.overflow = "ellipsis"
        text.truncate(max(width, 1), overflow="ellipsis", pad=True)
        if marked:
            text.stylize(self.get_component_rich_style("lazy-list--marked", partial=True))
        if look:
            text.stylize(self.get_component_rich_style(f"lazy-list--{look}", partial=True))
        segments = list(text.render(self.app.console, end=""))
        strip = Strip(segments).apply_style(base).crop_extend(scroll_x, scroll_x + width, base)
        self._strips[(key, line)] = (row, tags, state, strip)
        while len(self._strips) > CACHE_STRIPS:
            self._strips.popitem(last=False)
        return strip

    def _row_lines(self, row: Row, index: int, width: int) -> list[Text]:
        """`render_row_lines`, built once for the lines of one row (a two-line row is drawn
        line by line: without this each line built both)."""
        state = (index, width, self.row_key(row) in self.marked, self.app.theme)
        memo = self._lines_memo
        if memo is not None and memo[0] is row and memo[1] is getattr(row, "tags", None) \
                and memo[2] == state:
            return memo[3]  # type: ignore[no-any-return]
        lines = self.render_row_lines(row, index, width)
        self._lines_memo = (row, getattr(row, "tags", None), state, lines)
        return lines

    def _refresh_row(self, index: int) -> None:
        # In the list's own lines: Textual takes the scroll offset off (taken off here as
        # well, a scrolled list repainted lines above the row, and the row kept its look).
        self.refresh_lines(index * self.row_height, self.row_height)

    COMPONENT_CLASSES = {"lazy-list--cursor", "lazy-list--cursor-blurred", "lazy-list--marked"}
    DEFAULT_CSS = """
    LazyList { height: 1fr; overflow-x: hidden; }
    LazyList > .lazy-list--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
        text-style: bold;
    }
    LazyList > .lazy-list--cursor-blurred { background: $block-cursor-blurred-background; }
    LazyList > .lazy-list--marked {
        background: $accent 30%; color: $foreground; text-style: italic;
    }
    """

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size,
                      layout: bool = True) -> bool:
        # Textual's ScrollView sets its scrollbars again when the virtual size the compositor
        # arranged differs from the widget's own; for a line-API widget the arranged one is
        # the region's, never the rows', so every layout anywhere on the screen (the
        # inspector's or the reader's text changing) refreshed this list's scrollbar, and the
        # frame that drew it drew every visible row of the list again beneath it (three
        # lists: ~46 rows built as Rich text, in the frame of the next key). The bar is set
        # when something it shows changed: the list's size or its rows' height.
        seen = (size, container_size, self.virtual_size)
        if seen == self._bar_seen:
            return False
        self._bar_seen = seen
        return super()._size_updated(size, virtual_size, container_size, layout)

    def on_resize(self) -> None:
        # Rows are cut to the width (with an ellipsis), never scrolled sideways: a virtual
        # width of 0 keeps a horizontal scrollbar from taking a row.
        self.virtual_size = Size(0, self._count * self.row_height)

    def on_focus(self) -> None:
        self._refresh_row(self.cursor)

    def on_blur(self) -> None:
        self._refresh_row(self.cursor)

    # ------------------------------------------------------------- moving

    def move_to(self, index: int) -> None:
        if self._count == 0:
            return
        index = max(0, min(index, self._count - 1))
        old = self.cursor
        self.cursor = index
        h = self.row_height
        top = self.scroll_offset.y
        height = max(self.scrollable_content_region.height, 1)
        if index * h < top or (index + 1) * h > top + height:
            self.scroll_to_region(Region(0, index * h, 1, h), animate=False, immediate=True)
            self.refresh()
        else:
            self._refresh_row(old)
            self._refresh_row(index)
        self._announce()

    def _announce(self) -> None:
        row = self.current
        self.post_message(self.Highlighted(self, row))

    def action_cursor(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        rows = self.scrollable_content_region.height // self.row_height
        self.move_to(self.cursor + direction * max(rows - 1, 1))

    def action_top(self) -> None:
        self.move_to(0)

    def action_bottom(self) -> None:
        self.move_to(self._count - 1)

    def action_choose(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Chosen(self, row))

    def clear_marks(self) -> None:
        """Unmark every row (after an action on the marked rows); the pane retitles."""
        if self.marked:
            self.marked.clear()
            self.refresh()  # the rows lose their marked look (a tag elsewhere cleared them)
            self.post_message(self.MarksChanged(self))

    def action_mark(self) -> None:
        row = self.current
        if row is None:
            return
        key = self.row_key(row)
        self.marked.symmetric_difference_update({key})
        self.post_message(self.MarksChanged(self))
        self.move_to(self.cursor + 1) if self.cursor + 1 < self._count else self.refresh()

    def on_click(self, event: Any) -> None:
        index = (self.scroll_offset.y + event.y) // self.row_height
        if 0 <= index < self._count:
            self.move_to(index)
