"""The feed pane: virtual views, then feeds grouped under their tags.

Every label is built from plain strings (never markup), so a feed titled
``[@click=app.quit]`` shows exactly that.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.models import ALL, STARRED, UNREAD, FeedInfo, View
from reader.sanitize import clean_line

UNTAGGED = "untagged"


def _label(icon: str, name: str, count: str, *, style: str = "", indent: int = 0) -> Table:
    """Icon (indented), name cut with an ellipsis, count flush right."""
    grid = Table.grid(expand=True, padding=(0, 1, 0, 0))
    grid.add_column(no_wrap=True, width=indent + len(icon), justify="right")
    grid.add_column(no_wrap=True, overflow="ellipsis", ratio=1)
    grid.add_column(no_wrap=True, justify="right", width=max(len(count), 1))
    grid.add_row(
        Text(" " * indent + icon, style=style),
        Text(name, style=style),
        Text(count, style="dim" if count in ("", "0") else "bold"),
    )
    return grid


class FeedPane(OptionList):
    """Lists views and feeds; posts :class:`ViewHighlighted` / :class:`ViewChosen`."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

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
        self._views: dict[str, View] = {}
        self._errors: dict[str, str] = {}
        self._titles: dict[str, str] = {}

    def show_feeds(self, feeds: Sequence[FeedInfo], counts: tuple[int, int, int]) -> None:
        """Rebuild the list, keeping the highlighted entry where it was."""
        current = self.highlighted_view
        total, unread, starred = counts
        options: list[Option] = [
            Option(_label("≡", "All", str(total)), id="all"),
            Option(_label("●", "Unread", str(unread)), id="unread"),
            Option(_label("★", "Starred", str(starred)), id="starred"),
        ]
        views: dict[str, View] = {"all": ALL, "unread": UNREAD, "starred": STARRED}
        self._errors = {}
        groups: dict[str, list[FeedInfo]] = {}
        untagged: list[FeedInfo] = []
        self._titles = {feed.url: feed.title for feed in feeds}
        for feed in feeds:
            for tag in feed.tags:
                groups.setdefault(tag, []).append(feed)
            if not feed.tags:
                untagged.append(feed)
            if feed.last_error:
                self._errors[feed.url] = clean_line(feed.last_error)
        # (option id, label, view of the group or None for no header, members)
        sections: list[tuple[str, str, View | None, list[FeedInfo]]] = [
            (f"tag:{tag}", tag, View("tag", tag), members)
            for tag, members in sorted(groups.items(), key=lambda item: item[0].casefold())
        ]
        if untagged:
            header = View("tag", "") if groups else None
            sections.append(("notag", UNTAGGED, header, untagged))
        for section_id, label, group_view, members in sections:
            if group_view is not None:
                views[section_id] = group_view
                unread_in_tag = sum(f.unread for f in members)
                options.append(
                    Option(
                        _label("▾", clean_line(label, 60), str(unread_in_tag or ""), style="bold"),
                        id=section_id,
                    )
                )
            for feed in members:
                option_id = f"feed:{section_id}:{feed.url}"
                views[option_id] = View("feed", feed.url)
                broken = feed.last_error is not None
                options.append(
                    Option(
                        _label(
                            "⚠" if broken else " ",
                            clean_line(feed.title, 200),
                            str(feed.unread) if feed.unread else "",
                            style="red" if broken else "",
                            indent=2 if group_view else 0,
                        ),
                        id=option_id,
                    )
                )
        self._views = views
        self.clear_options()
        self.add_options(options)
        self._restore(current)

    def _restore(self, view: View | None) -> None:
        if view is None:
            self.highlighted = 0
            return
        for option_id, candidate in self._views.items():
            if candidate == view:
                self.highlighted = self.get_option_index(option_id)
                return
        self.highlighted = 0

    @property
    def highlighted_view(self) -> View | None:
        if self.highlighted is None:
            return None
        option = self.get_option_at_index(self.highlighted)
        return self._views.get(option.id or "")

    def feed_title(self, url: str) -> str:
        return self._titles.get(url, url)

    def error_for(self, view: View) -> str | None:
        return self._errors.get(view.key) if view.kind == "feed" else None

    def select_view(self, view: View) -> None:
        self._restore(view)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        view = self._views.get(event.option_id or "")
        if view is not None:
            self.post_message(self.ViewHighlighted(view))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        view = self._views.get(event.option_id or "")
        if view is not None:
            self.post_message(self.ViewChosen(view))
