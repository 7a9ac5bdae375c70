"""The Textual application: owns the service, the clock and the link opener."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from textual.app import App

from reader.service import Service
from reader.ui.main_screen import MainScreen
from reader.ui.opener import Opener, make_opener


def _now() -> datetime:
    return datetime.now(UTC)


class NewsReaderApp(App[None]):
    """newsreader's UI. Tests pass a fixed ``clock`` and a fake ``opener``."""

    TITLE = "newsreader"
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        service: Service,
        *,
        clock: Callable[[], datetime] = _now,
        opener: Opener | None = None,
        notices: Sequence[str] = (),
    ) -> None:
        super().__init__()
        self.service = service
        self.clock = clock
        self.notices = tuple(notices)
        self.opener: Opener = opener or make_opener(service.config.settings.browser, self)

    def on_mount(self) -> None:
        self.push_screen(MainScreen())
