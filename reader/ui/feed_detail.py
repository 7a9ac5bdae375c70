"""The ``i`` feed detail view: what newsreader knows about one feed and why.

A feed's row shows only ⚠ or ⊘; this is where the user reads the whole
story — the last error in full, when it will be fetched again and who
decided that (the server's hints, backoff, Retry-After, 410), where it moved.
"""

from __future__ import annotations

from datetime import datetime

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from reader.models import FeedInfo, UpdateOutcome
from reader.output import local_time
from reader.sanitize import clean_line, redact_credentials


def skip_text(outcome: UpdateOutcome) -> str:
    """Why a refresh left a feed alone, in words."""
    until = local_time(outcome.skipped_until)
    if outcome.skipped == "gone":
        return "not fetched: the server said it is gone (410); press r on it to try again"
    if outcome.skipped == "retry-after":
        return f"not fetched: the server asked to wait until {until} (Retry-After)"
    return f"skipped until {until}"


def _schedule_lines(info: FeedInfo, now: datetime) -> list[tuple[str, str]]:
    lines = []
    if info.gone:
        lines.append(("Gone", "the server said 410 Gone; not fetched until you press r"))
    waiting = info.retry_after is not None and info.retry_after > now
    if waiting:
        lines.append(
            ("Retry-After", f"the server asked to wait until {local_time(info.retry_after)}")
        )
    pending = info.next_fetch if info.next_fetch is not None and info.next_fetch > now else None
    if waiting and (pending is None or pending <= info.retry_after):  # type: ignore[operator]
        return lines  # the server's wait is the later one; a second time would only confuse
    if pending is not None:
        why = (
            f"backing off after {info.failures} failure{'s' if info.failures != 1 else ''}"
            if info.failures
            else "the server's caching hints"
        )
        lines.append(("Next fetch", f"not before {local_time(pending)} ({why})"))
    elif not info.gone:
        lines.append(("Next fetch", "at the next refresh"))
    return lines


def detail_rows(info: FeedInfo, now: datetime) -> list[tuple[str, str]]:
    """(label, value) pairs, every value cleaned for the terminal."""
    rows: list[tuple[str, str]] = [
        ("Title", info.title),
        ("URL", redact_credentials(info.url)),
    ]
    if info.moved_to:
        rows.append(
            (
                "Moved to",
                f"{redact_credentials(info.moved_to)} (moved permanently; "
                "put this URL in the config — the articles stay)",
            )
        )
    if info.link:
        rows.append(("Site", info.link))
    if info.tags:
        rows.append(("Tags", ", ".join(info.tags)))
    rows.append(("Articles", f"{info.total} ({info.unread} unread)"))
    if info.last_fetched is None:
        rows.append(("Last fetch", "never"))
    else:
        result = "failed" if info.last_error else "ok"
        rows.append(("Last fetch", f"{local_time(info.last_fetched)} ({result})"))
    if info.last_error and info.last_ok is not None:
        rows.append(("Last success", local_time(info.last_ok)))
    if info.last_error:
        rows.append(("Error", info.last_error))
    if info.last_warning:
        rows.append(("Warning", f"{info.last_warning} (the feed was read anyway)"))
    rows.extend(_schedule_lines(info, now))
    if info.description:
        rows.append(("About", info.description))
    return [(label, clean_line(value, 2000)) for label, value in rows]


class FeedDetailScreen(ModalScreen[bool]):
    """Everything about one feed; ``r`` closes it and refreshes the feed."""

    BINDINGS = [
        Binding("escape,q,i", "close", "Close"),
        Binding("r", "refresh", "Refresh this feed"),
    ]
    DEFAULT_CSS = """
    FeedDetailScreen { align: center middle; }
    FeedDetailScreen > VerticalScroll {
        width: 90; max-width: 95%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, info: FeedInfo, now: datetime) -> None:
        super().__init__()
        self.info = info
        self.now = now

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column(overflow="fold")
        for label, value in detail_rows(self.info, self.now):
            style = "bold red" if label in ("Error", "Gone") else ""
            table.add_row(Text(label), Text(value, style=style))
        with VerticalScroll() as scroll:
            scroll.border_title = Text(clean_line(self.info.title, 60))
            scroll.border_subtitle = "r refresh · esc close"
            yield Static(table)

    def action_close(self) -> None:
        self.dismiss(False)

    def action_refresh(self) -> None:
        self.dismiss(True)
