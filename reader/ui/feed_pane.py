"""The feed pane: virtual views, then feeds grouped under their tags.

Drawn with the line API (a user may follow thousands of feeds), from plain
strings only: a feed titled ``[@click=app.quit]`` shows exactly that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.message import Message
from textual.strip import Strip

from reader.models import ALL, STARRED, UNREAD, FeedInfo, View
from reader.sanitize import clean_line
from reader.ui.cursor_list import CursorList
from reader.ui.formatting import fit_cells

UNTAGGED = "untagged"


@dataclass(frozen=True)
class PaneRow:
    """One line of the pane: a view, a tag header or a feed."""

    view: View
    icon: str
    name: str
    count: str
    kind: str  # "view", "tag", "feed" or "broken"
    indent: int = 0


def build_rows(feeds: Sequence[FeedInfo], counts: tuple[int, int, int]) -> list[PaneRow]:
    """Virtual views, then each tag (sorted) with its feeds, then untagged feeds."""
    total, unread, starred = counts
    rows = [
        PaneRow(ALL, "≡", "All", str(total), "view"),
        PaneRow(UNREAD, "●", "Unread", str(unread), "view"),
        PaneRow(STARRED, "★", "Starred", str(starred), "view"),
    ]
    groups: dict[str, list[FeedInfo]] = {}
    untagged: list[FeedInfo] = []
    for feed in feeds:
        for tag in feed.tags:
            groups.setdefault(tag, []).append(feed)
        if not feed.tags:
            untagged.append(feed)
    sections: list[tuple[str, View | None, list[FeedInfo]]] = [
        (tag, View("tag", tag), members)
        for tag, members in sorted(groups.items(), key=lambda item: item[0].casefold())
    ]
    if untagged:
        sections.append((UNTAGGED, View("tag", "") if groups else None, untagged))
    for label, group_view, members in sections:
        if group_view is not None:
            unread_in_tag = sum(f.unread for f in members)
            rows.append(
                PaneRow(group_view, "▾", clean_line(label, 80), str(unread_in_tag or ""), "tag")
            )
        for feed in members:
            broken = feed.last_error is not None
            rows.append(
                PaneRow(
                    View("feed", feed.url),
                    "⊘" if feed.gone else "⚠" if broken else " ",
                    clean_line(feed.title, 200),
                    str(feed.unread) if feed.unread else "",
                    "broken" if broken else "feed",
                    indent=2 if group_view is not None else 0,
                )
            )
    return rows


class FeedPane(CursorList):
    """Lists views and feeds; posts :class:`ViewHighlighted` / :class:`ViewChosen`."""

    COMPONENT_CLASSES = {
        "feed-pane--tag",
        "feed-pane--broken",
        "feed-pane--count",
    }
    DEFAULT_CSS = """
    FeedPane > .feed-pane--tag { text-style: bold; }
    FeedPane > .feed-pane--broken { color: $error; }
    FeedPane > .feed-pane--count { text-style: bold; }
    """

    class ViewHighlighted(Message):
        def __init__(self, view: View) -> None:
            self.view = view
            super().__init__()

    class ViewChosen(Message):
        def __init__(self, view: View) -> None:
            self.view = view
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: list[PaneRow] = []
        self._errors: dict[str, str] = {}
        self._titles: dict[str, str] = {}

    def show_feeds(self, feeds: Sequence[FeedInfo], counts: tuple[int, int, int]) -> None:
        """Redraw with new feeds and counts, keeping the cursor on the same row."""
        current = self.highlighted_view
        self._titles = {feed.url: feed.title for feed in feeds}
        self._errors = {feed.url: clean_line(feed.last_error) for feed in feeds if feed.last_error}
        rows = build_rows(feeds, counts)
        cursor = self.cursor if current is None else self._index_in(rows, current, self.cursor)
        self._rows = rows
        self._rows_changed(cursor)

    @staticmethod
    def _index_in(rows: Sequence[PaneRow], view: View, near: int) -> int:
        """The row showing ``view`` closest to ``near`` (a feed may be under two tags)."""
        matches = [index for index, row in enumerate(rows) if row.view == view]
        if not matches:
            return 0
        return min(matches, key=lambda index: abs(index - near))

    @property
    def highlighted_view(self) -> View | None:
        return self._rows[self.cursor].view if 0 <= self.cursor < len(self._rows) else None

    def feed_title(self, url: str) -> str:
        return self._titles.get(url, url)

    def error_for(self, view: View) -> str | None:
        return self._errors.get(view.key) if view.kind == "feed" else None

    def select_view(self, view: View) -> None:
        self.move_to(self._index_in(self._rows, view, self.cursor))

    # -- CursorList hooks ------------------------------------------------

    def _row_count(self) -> int:
        return len(self._rows)

    def _cursor_moved(self) -> None:
        view = self.highlighted_view
        if view is not None:
            self.post_message(self.ViewHighlighted(view))

    def _row_chosen(self) -> None:
        view = self.highlighted_view
        if view is not None:
            self.post_message(self.ViewChosen(view))

    def _render_row(self, index: int, width: int, cursor: Style | None) -> Strip:
        row = self._rows[index]
        base = self.rich_style
        name_style = Style()
        if row.kind == "tag":
            name_style = self.get_component_rich_style("feed-pane--tag", partial=True)
        elif row.kind == "broken":
            name_style = self.get_component_rich_style("feed-pane--broken", partial=True)
        count_style = self.get_component_rich_style("feed-pane--count", partial=True)
        if cursor is not None:
            name_style, count_style = name_style + cursor, count_style + cursor
        fill = base + cursor if cursor is not None else base
        prefix = " " * (row.indent + 1) + row.icon + " "
        count = f" {row.count} " if row.count else " "
        name_width = max(width - cell_len(prefix) - cell_len(count), 1)
        segments = [
            Segment(prefix, base + name_style),
            Segment(fit_cells(row.name, name_width), base + name_style),
            Segment(count, base + count_style),
        ]
        return Strip(segments).crop_extend(0, width, fill)
