"""The article view: header lines, then the body as readable text.

Links in the body are numbered; ``l`` then a number (enter, or a short pause)
or a digit 1-9 asks to open link N. The view only posts
:class:`ArticleView.OpenLink`: the screen decides whether and how to open it,
exactly as for ``o``. :class:`LinkChooser` holds the typing logic without
Textual so a screen can forward keys to it while another pane has focus.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static

from reader.models import Entry
from reader.sanitize import clean_line
from reader.text import Document, html_to_document, reading_time_minutes, shorten_document
from reader.ui.article_render import ArticleStyles, render_document
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
MAX_NOTE_CHARS = 300
MAX_ATTACHMENTS = 5
DEFAULT_READING_WIDTH = 100
MIN_READING_WIDTH = 20
FULL_TEXT_LABEL = "full text"
SUMMARY_LABEL = "feed summary"


@dataclass(frozen=True)
class LinkStep:
    """What one key did to a :class:`LinkChooser`.

    ``handled`` says the key was used (the caller must not pass it on);
    ``prompt`` is what to show while a number is typed (None: hide it);
    ``open`` is a link number to open now; ``notice`` a line to tell the user;
    ``wait`` asks for :meth:`LinkChooser.timeout` after a short pause.
    """

    handled: bool
    prompt: str | None = None
    open: int | None = None
    notice: str | None = None
    wait: bool = False


_IGNORED = LinkStep(handled=False)
_MAX_TYPED = 6  # digits; no article has a million links


class LinkChooser:
    """Turns keys into "open link N": ``l`` then digits then enter (or a pause),
    or one digit 1-9 on its own.

    While a number is being typed, digits, backspace, enter and escape belong
    to it; any other key ends it and does its usual job. Once no further digit
    could make a valid number (3 typed, 12 links), the link opens at once.
    """

    def __init__(self) -> None:
        self.typed: str | None = None  # None: not choosing

    @property
    def active(self) -> bool:
        return self.typed is not None

    def cancel(self) -> None:
        self.typed = None

    def press(self, key: str, links: int) -> LinkStep:
        """Feed one key (a Textual key name) for an article with ``links`` links."""
        if self.typed is None:
            if key == "l":
                if not links:
                    return LinkStep(True, notice="This article has no links.")
                self.typed = ""
                return LinkStep(True, prompt=self._prompt(links))
            if len(key) == 1 and "1" <= key <= "9":
                return self._choose(int(key), links)
            return _IGNORED
        if key.isdecimal() and len(key) == 1:
            if len(self.typed) < _MAX_TYPED:
                self.typed += key
            if int(self.typed) * 10 > links:  # another digit cannot make a valid number
                return self.commit(links)
            return LinkStep(True, prompt=self._prompt(links), wait=bool(self.typed))
        if key == "backspace":
            self.typed = self.typed[:-1]
            return LinkStep(True, prompt=self._prompt(links), wait=bool(self.typed))
        if key == "enter":
            return self.commit(links)
        if key == "escape":
            self.typed = None
            return LinkStep(True)
        if key == "l":  # start again
            self.typed = ""
            return LinkStep(True, prompt=self._prompt(links))
        self.typed = None
        return _IGNORED

    def timeout(self, links: int) -> LinkStep:
        """The pause after a digit: open what was typed."""
        if not self.typed:
            return LinkStep(False, prompt=self._prompt(links) if self.active else None)
        return self.commit(links)

    def commit(self, links: int) -> LinkStep:
        typed, self.typed = self.typed, None
        if not typed:
            return LinkStep(True)
        return self._choose(int(typed), links)

    @staticmethod
    def _choose(number: int, links: int) -> LinkStep:
        if not links:
            return LinkStep(True, notice="This article has no links.")
        if not 1 <= number <= links:
            span = "link 1" if links == 1 else f"links 1–{links}"
            return LinkStep(True, notice=f"No link {number}: this article has {span}.")
        return LinkStep(True, open=number)

    def _prompt(self, links: int) -> str:
        return f"open link: {self.typed or ''}▏ (1–{links}, enter; esc cancels)"


class ArticleView(VerticalScroll, can_focus=True):
    """Shows one article; scrolls with j/k, arrows, page keys and the mouse."""

    class OpenLink(Message):
        """The reader asked to open link ``number`` of the article (``url``)."""

        def __init__(self, url: str, number: int) -> None:
            super().__init__()
            self.url = url
            self.number = number

    class Notice(Message):
        """A line for the status bar (e.g. "No link 12: ...")."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    BINDINGS = [
        Binding("j", "scroll_down", "Down", show=False),
        Binding("k", "scroll_up", "Up", show=False),
    ]
    COMPONENT_CLASSES = {
        "article-view--h1",
        "article-view--h2",
        "article-view--h3",
        "article-view--h4",
        "article-view--code",
        "article-view--quote-bar",
        "article-view--link",
        "article-view--mark",
    }
    DEFAULT_CSS = """
    ArticleView { padding: 0 1; }
    ArticleView > Static { width: 100%; max-width: 100; }
    ArticleView > #article-header { margin-bottom: 1; }
    ArticleView > .article-view--h1 { color: $markdown-h1-color; text-style: bold underline; }
    ArticleView > .article-view--h2 { color: $markdown-h2-color; text-style: bold; }
    ArticleView > .article-view--h3 { text-style: bold; }
    ArticleView > .article-view--h4 { color: $text-muted; text-style: bold italic; }
    ArticleView > .article-view--code { background: $foreground 8%; color: $text; }
    ArticleView > .article-view--quote-bar { color: $primary 70%; }
    ArticleView > .article-view--link { color: $text-primary; text-style: underline; }
    ArticleView > .article-view--mark { background: $warning 35%; }
    """

    reading_width: reactive[int] = reactive(DEFAULT_READING_WIDTH, init=False)
    # Seconds after the last digit of "l 1 2" before link 12 opens without enter.
    link_pause = 1.5

    def __init__(
        self, *, reading_width: int = DEFAULT_READING_WIDTH, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.set_reactive(ArticleView.reading_width, max(reading_width, MIN_READING_WIDTH))
        self.entry: Entry | None = None
        self.document: Document | None = None
        self.shows_full_text = False
        self.chooser = LinkChooser()
        self._link_timer: Timer | None = None
        self._subtitle_before: str | None = None
        self.prompting = False  # the border shows the link number being typed
        self._body: tuple[Document, bool] | None = None  # what the body shows, shortened?

    def compose(self) -> ComposeResult:
        header = Static(id="article-header")
        body = Static(Text("Select an article to read it.", style="dim italic"), id="article-body")
        for static in (header, body):
            static.styles.max_width = self.reading_width
        yield header
        yield body

    # -- reading width ---------------------------------------------------------

    def set_reading_width(self, columns: int) -> None:
        """At most ``columns`` columns of text (the ``reading_width`` setting)."""
        self.reading_width = max(columns, MIN_READING_WIDTH)

    def watch_reading_width(self, columns: int) -> None:
        for static in self.query(Static):
            static.styles.max_width = columns

    # -- theme -----------------------------------------------------------------

    def on_mount(self) -> None:
        # Published once the new theme's CSS is in place, so the styles read then are its.
        self.app.theme_changed_signal.subscribe(self, self._restyle)

    def _restyle(self, _theme: object) -> None:
        """Paint the article shown in the new theme's colours, where it was scrolled to."""
        if self._body is None:
            return
        shown, shortened = self._body
        body = render_document(shown, shortened=shortened, styles=self.article_styles())
        self.query_one("#article-body", Static).update(body)

    # -- showing an article ------------------------------------------------------

    def show_entry(self, entry: Entry, *, full_text: bool = False, note: str | None = None) -> None:
        """Show ``entry``: its full text when asked for and stored, else the feed's content.

        ``note`` is one more header line ("fetching the full text…"). When the
        full text was asked for but is missing, its last error says why.
        """
        self.entry = entry
        self._end_link_choice()
        self.shows_full_text = full_text and entry.full_text is not None
        html, base = entry.html_and_base(full_text)
        if note is None and full_text and not self.shows_full_text and entry.full_text_error:
            note = f"No full text: {entry.full_text_error}; showing the feed summary"
        cut = len(html) > MAX_PARSED_HTML
        self.document = html_to_document(html[:MAX_PARSED_HTML], base_url=base)
        shown, omitted = shorten_document(self.document, MAX_SHOWN_CHARS, MAX_SHOWN_BLOCKS)
        header = self._header(entry, self.document, self.shows_full_text, note)
        self.query_one("#article-header", Static).update(header)
        self._body = (shown, cut or omitted > 0)
        body = render_document(shown, shortened=cut or omitted > 0, styles=self.article_styles())
        self.query_one("#article-body", Static).update(body)
        self.scroll_home(animate=False)

    def article_styles(self) -> ArticleStyles:
        """The article's styles in the colours of the current theme."""
        style = self.get_component_rich_style
        minor = style("article-view--h4", partial=True)
        headings = (
            style("article-view--h1", partial=True),
            style("article-view--h2", partial=True),
            style("article-view--h3", partial=True),
            minor,
            minor,
            minor,
        )
        code = style("article-view--code")
        return ArticleStyles(
            headings=headings,
            code_block=code,
            code_inline=Style(bgcolor=code.bgcolor),
            quote_bar=style("article-view--quote-bar"),
            link=style("article-view--link", partial=True),
            mark=style("article-view--mark", partial=True),
        )

    @staticmethod
    def _header(entry: Entry, document: Document, full_text: bool, note: str | None) -> Text:
        """Title; feed · author · date · reading time · which content; note, link,
        attachments. Every line is bounded."""
        header = Text(clean_line(entry.title, MAX_TITLE_CHARS) or "(untitled)", style="bold")
        meta = [clean_line(entry.feed_title, MAX_NAME_CHARS)]
        if entry.author:
            meta.append(clean_line(entry.author, MAX_NAME_CHARS))
        meta.append(long_date(entry.date))
        minutes = reading_time_minutes(document)
        meta.append(f"{minutes} min read" if minutes else "no text")
        header.append("\n" + " · ".join(meta), style="dim")
        header.append(" · ", style="dim")
        label = FULL_TEXT_LABEL if full_text else SUMMARY_LABEL
        header.append(label.replace(" ", "\u00a0"), style="bold dim")  # kept on one line
        if note:
            header.append("\n" + clean_line(note, MAX_NOTE_CHARS), style="dim italic")
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

    # -- opening link N ---------------------------------------------------------------

    def link_key(self, key: str) -> bool:
        """Offer a key to the link chooser; True when it used the key.

        The view calls this for keys it receives itself; a screen calls it for
        keys that reach it while another widget has focus, so digits open
        links whenever an article is shown.
        """
        if self.entry is None or self.document is None:
            return False
        step = self.chooser.press(key, len(self.document.links))
        self._apply(step)
        return step.handled

    def on_key(self, event: events.Key) -> None:
        if self.link_key(event.key):
            event.stop()
            event.prevent_default()

    def _link_timeout(self) -> None:
        self._link_timer = None
        if self.document is not None:
            self._apply(self.chooser.timeout(len(self.document.links)))

    def _apply(self, step: LinkStep) -> None:
        if self._link_timer is not None:
            self._link_timer.stop()
            self._link_timer = None
        self._show_prompt(step.prompt if self.chooser.active else None)
        if step.wait:
            self._link_timer = self.set_timer(self.link_pause, self._link_timeout)
        if step.notice:
            self.post_message(self.Notice(step.notice))
        if step.open is not None and self.document is not None:
            self.post_message(self.OpenLink(self.document.links[step.open - 1], step.open))

    def _show_prompt(self, prompt: str | None) -> None:
        """The number being typed, in the border; what was there before comes back after."""
        if prompt is None:
            if self.prompting:
                self.prompting = False
                self.border_subtitle = self._subtitle_before
            return
        if not self.prompting:
            self._subtitle_before = self.border_subtitle  # as markup: it round-trips
            self.prompting = True
        self.border_subtitle = Text(prompt, style="bold")

    def _end_link_choice(self) -> None:
        if self.chooser.active:
            self.chooser.cancel()
            self._apply(LinkStep(False))
