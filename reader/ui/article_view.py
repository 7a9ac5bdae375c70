"""The article view: header lines, then the body as readable text."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from reader.models import Entry
from reader.sanitize import clean_line
from reader.text import Document, html_to_document, reading_time_minutes
from reader.ui.article_render import render_document
from reader.ui.formatting import long_date


class ArticleView(VerticalScroll, can_focus=True):
    """Shows one article; scrolls with j/k, arrows, page keys and the mouse."""

    BINDINGS = [
        Binding("j", "scroll_down", "Down", show=False),
        Binding("k", "scroll_up", "Up", show=False),
    ]
    DEFAULT_CSS = """
    ArticleView { padding: 0 1; }
    ArticleView > Static { width: 100%; max-width: 100; }
    ArticleView > #article-header { margin-bottom: 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entry: Entry | None = None
        self.document: Document | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="article-header")
        yield Static(Text("Select an article to read it.", style="dim italic"), id="article-body")

    def show_entry(self, entry: Entry) -> None:
        self.entry = entry
        self.document = html_to_document(entry.body_html, base_url=entry.link)
        header = Text(clean_line(entry.title) or "(untitled)", style="bold")
        meta = [clean_line(entry.feed_title)]
        if entry.author:
            meta.append(clean_line(entry.author))
        meta.append(long_date(entry.date))
        meta.append(f"{reading_time_minutes(self.document)} min read")
        header.append("\n" + " · ".join(meta), style="dim")
        if entry.link:
            header.append("\n" + clean_line(entry.link), style="underline")
        for enclosure in entry.enclosures:
            kind = f" ({clean_line(enclosure.type)})" if enclosure.type else ""
            header.append(f"\nAttachment{kind}: {clean_line(enclosure.url)}", style="dim")
        self.query_one("#article-header", Static).update(header)
        self.query_one("#article-body", Static).update(render_document(self.document))
        self.scroll_home(animate=False)

    @property
    def at_bottom(self) -> bool:
        return self.scroll_y >= self.max_scroll_y
