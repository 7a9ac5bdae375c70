"""The ``?`` help screen: every key, grouped by what it does."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Moving",
        (
            ("j / ↓, k / ↑", "next / previous line"),
            ("tab, shift+tab", "next / previous pane"),
            ("enter", "open the feed or article"),
            ("n / p", "next / previous unread article"),
            ("space", "page the article down, then the next unread"),
            ("g / G, home / end", "first / last article"),
            ("mouse", "click to select, wheel to scroll"),
        ),
    ),
    (
        "Articles",
        (
            ("m", "toggle read / unread"),
            ("s", "toggle star"),
            ("A", "mark every article in the view read"),
            ("o", "open the article's link in the browser"),
            ("f", "toggle full text / feed summary"),
            ("u", "show unread only / all"),
        ),
    ),
    (
        "Links in the article",
        (
            ("1 … 9", "open link 1 to 9 of the article"),
            ("l 12 enter", "open link 12 (or wait a moment after the digits)"),
            ("esc", "stop typing a link number"),
        ),
    ),
    (
        "Feeds",
        (
            ("r", "refresh the selected feed now, due or not"),
            ("R", "refresh all feeds that are due"),
            ("i", "feed details: last error, next fetch, moves"),
            ("ctrl+r", "re-read the config file"),
        ),
    ),
    ("App", (("?", "this help"), ("q", "quit"))),
)


class HelpScreen(ModalScreen[None]):
    """A modal list of keys; any of escape, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 64; max-width: 95%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for index, (section, keys) in enumerate(KEYS):
            if index:
                table.add_row("", "")
            table.add_row(Text(section, style="bold underline"), "")
            for key, meaning in keys:
                table.add_row(key, meaning)
        with VerticalScroll() as scroll:
            scroll.border_title = "newsreader keys"
            scroll.border_subtitle = "esc to close"
            yield Static(table)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
