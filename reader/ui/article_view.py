"""The article view: header lines, then the body as readable text."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from reader.models import Entry
from reader.sanitize import clean_line
from reader.text import Document, html_to_document, reading_time_minutes, shorten_document
from reader.ui.article_render import render_document
from reader.ui.formatting import long_date

# Rich lays out a Static's whole text on every resize and focus change, and
# parsing takes about a second per megabyte of HTML: a long article would
# freeze the screen, so the view reads and shows this much of one.
MAX_PARSED_HTML = 1_000_000
MAX_SHOWN_CHARS = 100_000
MAX_SHOWN_BLOCKS = 2_000
# The header stays a few lines high however long what a feed puts in it.
MAX_TITLE_CHARS = 300
MAX_NAME_CHARS = 100
MAX_ATTACHMENTS = 5


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

    def show_entry(
        self, entry: Entry, *, full_text: bool = False, note: str | None = None
    ) -> None:
        self.entry = entry
        shows_full = full_text and entry.full_text is not None
        html = (entry.full_text if shows_full else entry.body_html) or ""
        cut = len(html) > MAX_PARSED_HTML
        self.document = html_to_document(html[:MAX_PARSED_HTML], base_url=entry.link)
        self.query_one("#article-header", Static).update(self._header(entry, self.document))
        shown, omitted = shorten_document(self.document, MAX_SHOWN_CHARS, MAX_SHOWN_BLOCKS)
        body = render_document(shown, shortened=cut or omitted > 0)
        self.query_one("#article-body", Static).update(body)
        self.scroll_home(animate=False)

    @staticmethod
    def _header(entry: Entry, document: Document) -> Text:
        """Title, feed · author · date · reading time, link, attachments; each bounded."""
        header = Text(clean_line(entry.title, MAX_TITLE_CHARS) or "(untitled)", style="bold")
        meta = [clean_line(entry.feed_title, MAX_NAME_CHARS)]
        if entry.author:
            meta.append(clean_line(entry.author, MAX_NAME_CHARS))
        meta.append(long_date(entry.date))
        meta.append(f"{reading_time_minutes(document)} min read")
        header.append("\n" + " · ".join(meta), style="dim")
        if entry.link:
            header.append("\n" + clean_line(entry.link, MAX_TITLE_CHARS), style="underline")
        for enclosure in entry.enclosures[:MAX_ATTACHMENTS]:
            kind = f" ({clean_line(enclosure.type, MAX_NAME_CHARS)})" if enclosure.type else ""
            url = clean_line(enclosure.url, MAX_TITLE_CHARS)
            header.append(f"\nAttachment{kind}: {url}", style="dim")
        more = len(entry.enclosures) - MAX_ATTACHMENTS
        if more > 0:
            header.append(f"\n… and {more} more attachment{'s' if more != 1 else ''}", style="dim")
        return header

    @property
    def at_bottom(self) -> bool:
        return self.scroll_y >= self.max_scroll_y
