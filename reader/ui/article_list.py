"""The article list: a line-API scroll view over a view's articles, read page by page.

A view can hold 100,000 articles, so there is no widget per row, and nothing
is read for rows never shown: the widget knows how many rows there are (a
count made through an index), reads their ids a page at a time by keyset as
the cursor or the scroll reaches them, and asks its row source for the rows
of the visible window only when it draws them. Opening any view costs the
same as opening a small one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from rich.segment import Segment
from rich.style import Style
from textual.message import Message
from textual.strip import Strip

from reader.models import EntryRow
from reader.sanitize import clean_line
from reader.ui.cursor_list import CursorList
from reader.ui.formatting import fit_cells, short_date

RowSource = Callable[[Sequence[int]], Mapping[int, EntryRow]]
# (after the (sort date, id) key or from the top, how many) → [(id, sort date)], newest first
PageSource = Callable[[tuple[int, int] | None, int], Sequence[tuple[int, int]]]
# an article's id → its row number in the view, or None if it is not there
Locator = Callable[[int], int | None]

DATE_WIDTH = 11
FEED_WIDTH = 18
_CACHE_LIMIT = 4000
PAGE = 200  # ids read at a time


class ArticleList(CursorList):
    """Newest-first list of a view's articles, drawn line by line."""

    COMPONENT_CLASSES = {
        "article-list--unread",
        "article-list--read",
        "article-list--meta",
        "article-list--star",
        "article-list--empty",
    }
    DEFAULT_CSS = """
    ArticleList > .article-list--unread { text-style: bold; color: $text; }
    ArticleList > .article-list--read { color: $text-muted; }
    ArticleList > .article-list--meta { color: $text-muted; }
    ArticleList > .article-list--star { color: $warning; }
    ArticleList > .article-list--empty { color: $text-muted; text-style: italic; }
    """

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
        self._ids: list[int] = []  # the ids read so far: the first rows of the view
        self._seen: set[int] = set()  # the same ids, to look up
        self._count = 0  # rows in the view (until the last page shows fewer are left)
        self._pages: PageSource = _no_pages
        self._last_key: tuple[int, int] | None = None  # (sort date, id) of the last id read
        self._complete = True  # every id of the view is read
        self._rows: dict[int, EntryRow] = {}
        # Cleaned (feed, title) per row: cleaning a feed's 100 kB title for every
        # visible row on every cursor move would make the list crawl.
        self._labels: dict[int, tuple[str, str]] = {}
        self.show_feed = True
        self.empty_message = "No articles."

    # -- data in ---------------------------------------------------------

    @property
    def ids(self) -> Sequence[int]:
        """The ids read so far, in order (the whole view once scrolled to its end)."""
        return self._ids

    @property
    def row_total(self) -> int:
        return self._count

    @property
    def current_id(self) -> int | None:
        return self.id_at(self.cursor)

    def id_at(self, index: int) -> int | None:
        """The id on row ``index``, reading pages up to it if needed."""
        if not 0 <= index < self._count:
            return None
        self._read_through(index)
        return self._ids[index] if index < len(self._ids) else None

    def ids_between(self, start: int, stop: int) -> Sequence[int]:
        """The ids of rows ``start`` to ``stop - 1`` (fewer at the end of the view)."""
        if stop > start:
            self._read_through(stop - 1)
        return self._ids[max(start, 0) : max(stop, 0)]

    def set_view(
        self,
        count: int,
        pages: PageSource,
        locate: Locator,
        *,
        show_feed: bool,
        keep_position: bool = True,
    ) -> None:
        """Show a new view of ``count`` rows, keeping the cursor on the same article
        if it is still there (else on the same row)."""
        previous = self.current_id if keep_position else None
        self._ids = []
        self._seen = set()
        self._count = count
        self._pages = pages
        self._last_key = None
        self._complete = count == 0
        self._rows.clear()
        self._labels.clear()
        self.show_feed = show_feed
        self.border_subtitle = str(count)
        found = locate(previous) if previous is not None else None
        if found is None:
            found = self.cursor if keep_position else 0
        self._rows_changed(found, keep_screen_row=keep_position)

    def _read_through(self, index: int) -> None:
        """Read pages of ids until row ``index`` is known or the view ends."""
        while not self._complete and len(self._ids) <= index:
            wanted = max(PAGE, index + 1 - len(self._ids) + PAGE // 2)
            page = self._pages(self._last_key, wanted)
            # An article re-dated by a refresh elsewhere can cross the last
            # key and come again: each article is listed once.
            fresh = [entry_id for entry_id, _ in page if entry_id not in self._seen]
            self._seen.update(fresh)
            self._ids.extend(fresh)
            if page:
                last_id, last_date = page[-1]
                self._last_key = (last_date, last_id)
            if len(page) < wanted:
                self._complete = True
        if self._complete and len(self._ids) != self._count:
            # Articles read or removed since the count: the view is shorter.
            self._count = len(self._ids)
            self.border_subtitle = str(self._count)
            self.call_after_refresh(self._rows_changed, self.cursor)

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

    # -- CursorList hooks ------------------------------------------------

    def _row_count(self) -> int:
        return self._count

    def _row_chosen(self) -> None:
        if self.current_id is not None:
            self.post_message(self.Selected(self.current_id))

    def _render_empty(self, y: int, width: int) -> Strip:
        if y != 0:
            return Strip.blank(width, self.rich_style)
        style = self.get_component_rich_style("article-list--empty")
        return Strip([Segment(" " + self.empty_message, style)]).crop_extend(
            0, width, self.rich_style
        )

    def _fetch_window(self, index: int) -> None:
        if len(self._rows) > _CACHE_LIMIT:
            self._rows.clear()
            self._labels.clear()
        height = max(self.scrollable_content_region.height, 1)
        start = max(index - height, 0)
        window = [i for i in self.ids_between(start, index + 2 * height) if i not in self._rows]
        self._rows.update(self._row_source(window))

    def _render_row(self, index: int, width: int, cursor: Style | None) -> Strip:
        base = self.rich_style
        entry_id = self.id_at(index)
        if entry_id is None:  # past the end of a view that turned out shorter
            return Strip.blank(width, base)
        row = self._rows.get(entry_id)
        if row is None:
            self._fetch_window(index)
            row = self._rows.get(entry_id)
        if row is None:  # deleted meanwhile
            return Strip.blank(width, base)
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
        feed, title = self._label(row)
        if self.show_feed:
            width = max(min(FEED_WIDTH, self.scrollable_content_region.width // 5), 8)
            segments.append(Segment(fit_cells(feed, width - 1) + " ", meta + Style(bold=False)))
        segments.append(Segment(title, text_style))
        return segments

    def _label(self, row: EntryRow) -> tuple[str, str]:
        """The row's feed name and title as shown: one line each, no markup or controls."""
        label = self._labels.get(row.id)
        if label is None:
            title = clean_line(row.title) or "(untitled)"
            label = self._labels[row.id] = (clean_line(row.feed_title, FEED_WIDTH), title)
        return label


def _no_pages(after: tuple[int, int] | None, limit: int) -> Sequence[tuple[int, int]]:
    return ()
