"""The Textual application: owns the service, the clock and the link opener."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from textual.app import App

from reader.sanitize import clean_line
from reader.service import Service
from reader.ui.main_screen import MainScreen
from reader.ui.opener import Opener, make_opener

logger = logging.getLogger("reader.ui")
UI_WRITE_WAIT_SECONDS = 2.0


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
        self._fixed_opener = opener
        self.opener: Opener = opener or make_opener(service.config.settings.browser, self)
        self.crash: str | None = None

    def on_mount(self) -> None:
        # This thread's connection serves keypresses: never freeze for long on a lock.
        self.service.storage.wait_at_most(UI_WRITE_WAIT_SECONDS)
        problem = self._apply_theme()
        if problem:
            self.notices += (problem,)  # the screen shows them once it is up
        self.push_screen(MainScreen())
        self.call_after_refresh(self._settle_memory)

    @staticmethod
    def _settle_memory() -> None:
        """After the first screen: move what start-up built out of the garbage
        collector's way, so its full passes stop pausing keypresses for tens of
        milliseconds (the objects stay alive; they are just not scanned)."""
        gc.collect()
        gc.freeze()

    def settings_changed(self) -> None:
        """Pick up a reloaded ``[settings]`` table (the browser command, the theme)."""
        if self._fixed_opener is None:
            self.opener = make_opener(self.service.config.settings.browser, self)
        problem = self._apply_theme()
        if problem:
            self.notify(problem, severity="warning", markup=False, timeout=20)

    def _apply_theme(self) -> str | None:
        """Use the ``theme`` setting if Textual has a theme by that name; else
        keep the colours and say why, naming the themes there are."""
        name = self.service.config.settings.theme
        if name in self.available_themes:
            self.theme = name
            return None
        known = ", ".join(sorted(self.available_themes))
        return clean_line(
            f"{self.service.config.path}: [settings] theme {name!r} is not one of {known}", 1000
        )

    # A bug must not greet the user with a traceback: the details go to the
    # log file and the caller prints one line from ``crash``. (Textual offers
    # no public hook; these two methods are where it reports unhandled errors.)

    def _handle_exception(self, error: Exception) -> None:
        logger.error("unexpected error in the UI", exc_info=error)
        self.crash = clean_line(f"{type(error).__name__}: {error}", 300)
        super()._handle_exception(error)

    def _print_error_renderables(self) -> None:
        if self.crash:
            self._exit_renderables.clear()
        super()._print_error_renderables()
