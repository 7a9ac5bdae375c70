"""The article list: a line-API scroll view over a list of integer ids.

A view can hold 100,000 articles, so there is no widget per row and no row
text held for rows off screen: the widget keeps the ordered ids, and asks its
row source for the rows of the visible window only when it draws them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.models import EntryRow
from reader.sanitize import clean_line
from reader.ui.formatting import short_date

RowSource = Callable[[Sequence[int]], Mapping[int, EntryRow]]

DATE_WIDTH = 11
FEED_WIDTH = 18
_CACHE_LIMIT = 4000


class ArticleList(ScrollView, can_focus=True):
    """Newest-first list of a view's articles, drawn line by line."""

    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False),
        Binding("k,up", "cursor_up", "Up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
        Binding("enter", "select", "Open", show=False),
    ]
    COMPONENT_CLASSES = {
        "article-list--cursor",
        "article-list--unread",
        "article-list--read",
        "article-list--meta",
        "article-list--star",
        "article-list--empty",
    }
    DEFAULT_CSS = """
    ArticleList {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
    }
    ArticleList > .article-list--cursor { background: $block-cursor-blurred-background; }
    ArticleList:focus > .article-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
    }
    ArticleList > .article-list--unread { text-style: bold; color: $text; }
    ArticleList > .article-list--read { color: $text-muted; }
    ArticleList > .article-list--meta { color: $text-muted; }
    ArticleList > .article-list--star { color: $warning; }
    ArticleList > .article-list--empty { color: $text-muted; text-style: italic; }
    """

    class Highlighted(Message):
        """The cursor moved to another article."""

        def __init__(self, entry_id: int | None) -> None:
            self.entry_id = entry_id
            super().__init__()

    class Selected(Message):
        """The user opened the article under the cursor."""

        def __init__(self, entry_id: int) -> None:
            self.entry_id = entry_id
            super().__init__()

    def __init__(
        self,
        row_source: RowSource,
        clock: Callable[[], datetime],
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._row_source = row_source
        self._clock = clock
        self._ids: list[int] = []
        self._rows: dict[int, EntryRow] = {}
        self.cursor = 0
        self.show_feed = True
        self.empty_message = "No articles."

    # -- data in ---------------------------------------------------------

    @property
    def ids(self) -> Sequence[int]:
        return self._ids

    @property
    def current_id(self) -> int | None:
        return self._ids[self.cursor] if 0 <= self.cursor < len(self._ids) else None

    def set_ids(self, ids: list[int], *, show_feed: bool, keep_position: bool = True) -> None:
        """Show a new list, keeping the cursor on the same article if it is still there."""
        previous = self.current_id if keep_position else None
        screen_row = self.cursor - self.scroll_offset.y
        self._ids = ids
        self._rows.clear()
        self.show_feed = show_feed
        found = _index_of(ids, previous)
        if found is not None:
            self.cursor = found
        elif keep_position:
            self.cursor = min(self.cursor, max(len(ids) - 1, 0))
        else:
            self.cursor = 0
            screen_row = 0
        self.virtual_size = Size(0, len(ids))
        self.scroll_to(y=max(self.cursor - max(screen_row, 0), 0), animate=False, immediate=True)
        self.refresh()
        if self.current_id != previous:
            self.post_message(self.Highlighted(self.current_id))

    def update_row(
        self, entry_id: int, *, read: bool | None = None, starred: bool | None = None
    ) -> None:
        """Reflect a flag change without re-reading the list."""
        row = self._rows.get(entry_id)
        if row is None:
            return
        if read is not None:
            row = replace(row, read=read)
        if starred is not None:
            row = replace(row, starred=starred)
        self._rows[entry_id] = row
        self.refresh()

    def row(self, entry_id: int) -> EntryRow | None:
        return self._rows.get(entry_id) or self._row_source([entry_id]).get(entry_id)

    # -- moving ----------------------------------------------------------

    def move_to(self, index: int, *, select: bool = False) -> None:
        if not self._ids:
            return
        index = max(0, min(index, len(self._ids) - 1))
        if index != self.cursor:
            self.cursor = index
            self.post_message(self.Highlighted(self.current_id))
        self._scroll_cursor_into_view()
        self.refresh()
        if select and self.current_id is not None:
            self.post_message(self.Selected(self.current_id))

    def _scroll_cursor_into_view(self) -> None:
        height = max(self.scrollable_content_region.height, 1)
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_page_down(self) -> None:
        self.move_to(self.cursor + max(self.scrollable_content_region.height - 1, 1))

    def action_page_up(self) -> None:
        self.move_to(self.cursor - max(self.scrollable_content_region.height - 1, 1))

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(len(self._ids) - 1)

    def action_select(self) -> None:
        if self.current_id is not None:
            self.post_message(self.Selected(self.current_id))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = self.scroll_offset.y + offset.y
        if 0 <= index < len(self._ids):
            self.focus()
            self.move_to(index, select=True)

    # -- drawing ---------------------------------------------------------

    def _fetch_window(self, index: int) -> None:
        if len(self._rows) > _CACHE_LIMIT:
            self._rows.clear()
        height = max(self.scrollable_content_region.height, 1)
        start = max(index - height, 0)
        window = [i for i in self._ids[start : index + 2 * height] if i not in self._rows]
        self._rows.update(self._row_source(window))

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = self.scroll_offset.y + y
        base = self.rich_style
        if not self._ids:
            if y == 0:
                style = self.get_component_rich_style("article-list--empty")
                return Strip([Segment(" " + self.empty_message, style)]).crop_extend(0, width, base)
            return Strip.blank(width, base)
        if index >= len(self._ids):
            return Strip.blank(width, base)
        entry_id = self._ids[index]
        row = self._rows.get(entry_id)
        if row is None:
            self._fetch_window(index)
            row = self._rows.get(entry_id)
        if row is None:  # deleted meanwhile
            return Strip.blank(width, base)
        cursor = (
            self.get_component_rich_style("article-list--cursor") if index == self.cursor else None
        )
        fill = base + cursor if cursor is not None else base
        return Strip(self._segments(row, cursor)).crop_extend(0, width, fill)

    def _segments(self, row: EntryRow, overlay: Style | None) -> list[Segment]:
        """The row's cells; ``overlay`` (the cursor) is drawn over every cell."""
        text_style = self.get_component_rich_style(
            "article-list--read" if row.read else "article-list--unread"
        )
        meta = self.get_component_rich_style("article-list--meta")
        star = self.get_component_rich_style("article-list--star")
        if overlay is not None:
            text_style, meta, star = text_style + overlay, meta + overlay, star + overlay
        segments = [
            Segment(" ● " if not row.read else "   ", text_style),
            Segment("★ " if row.starred else "  ", star),
            Segment(short_date(row.date, self._clock()).ljust(DATE_WIDTH), meta),
        ]
        if self.show_feed:
            width = max(min(FEED_WIDTH, self.scrollable_content_region.width // 5), 8)
            feed = clean_line(row.feed_title, width)
            segments.append(Segment(_fit(feed, width), meta + Style(bold=False)))
        segments.append(Segment(clean_line(row.title) or "(untitled)", text_style))
        return segments


def _index_of(ids: list[int], entry_id: int | None) -> int | None:
    if entry_id is None:
        return None
    try:
        return ids.index(entry_id)
    except ValueError:
        return None


def _fit(text: str, width: int) -> str:
    """Pad or cut ``text`` to exactly ``width`` cells (leaving a gap)."""
    if cell_len(text) > width - 1:
        text = set_cell_size(text, width - 2) + "…"
    return set_cell_size(text, width)
