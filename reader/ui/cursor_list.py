"""A keyboard-and-mouse list with a cursor, drawn with Textual's line API.

Both the feed pane (thousands of feeds) and the article list (100,000
articles) are built on it: no widget per row, and only the rows on screen
are ever drawn. Subclasses say how many rows there are and how to draw one.
"""

from __future__ import annotations

from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip


class CursorList(ScrollView, can_focus=True):
    """Rows 0..n-1 with a cursor; subclasses implement the ``_row_*`` hooks."""

    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False),
        Binding("k,up", "cursor_up", "Up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
        Binding("enter", "select", "Open", show=False),
    ]
    COMPONENT_CLASSES = {"cursor-list--cursor"}
    DEFAULT_CSS = """
    CursorList {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
    }
    CursorList > .cursor-list--cursor { background: $block-cursor-blurred-background; }
    CursorList:focus > .cursor-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.cursor = 0

    # -- for subclasses --------------------------------------------------

    def _row_count(self) -> int:
        raise NotImplementedError

    def _render_row(self, index: int, width: int, cursor: Style | None) -> Strip:
        """Draw row ``index``; ``cursor`` is the style to draw over it, if selected."""
        raise NotImplementedError

    def _render_empty(self, y: int, width: int) -> Strip:
        return Strip.blank(width, self.rich_style)

    def _cursor_moved(self) -> None:
        """The cursor now points at another row."""

    def _row_chosen(self) -> None:
        """The user pressed enter or clicked the cursor row."""

    def _cursor_style(self) -> Style:
        return self.get_component_rich_style("cursor-list--cursor")

    def _rows_changed(self, cursor: int, *, keep_screen_row: bool = True) -> None:
        """Call after replacing the rows: place the cursor and keep the scroll sensible."""
        screen_row = self.cursor - self.scroll_offset.y if keep_screen_row else 0
        count = self._row_count()
        self.cursor = max(0, min(cursor, count - 1))
        self.virtual_size = Size(0, count)
        self.scroll_to(y=max(self.cursor - max(screen_row, 0), 0), animate=False, immediate=True)
        self.refresh()

    # -- moving ----------------------------------------------------------

    def move_to(self, index: int, *, select: bool = False) -> None:
        count = self._row_count()
        if count == 0:
            return
        index = max(0, min(index, count - 1))
        if index != self.cursor:
            self.cursor = index
            self._cursor_moved()
        self._scroll_cursor_into_view()
        self.refresh()
        if select:
            self._row_chosen()

    def _scroll_cursor_into_view(self) -> None:
        height = max(self.scrollable_content_region.height, 1)
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def _page(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_page_down(self) -> None:
        self.move_to(self.cursor + self._page())

    def action_page_up(self) -> None:
        self.move_to(self.cursor - self._page())

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(self._row_count() - 1)

    def action_select(self) -> None:
        if self._row_count():
            self._row_chosen()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = self.scroll_offset.y + offset.y
        if 0 <= index < self._row_count():
            self.focus()
            self.move_to(index, select=True)

    # -- drawing ---------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        count = self._row_count()
        if count == 0:
            return self._render_empty(y, width)
        index = self.scroll_offset.y + y
        if index >= count:
            return Strip.blank(width, self.rich_style)
        cursor = self._cursor_style() if index == self.cursor else None
        return self._render_row(index, width, cursor)
