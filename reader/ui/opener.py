"""Opening links from the UI: GUI browsers in the background, terminal ones in place."""

from __future__ import annotations

import subprocess
import threading
import webbrowser
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Protocol

from reader.links import TERMINAL_BROWSERS, browser_command


class Suspender(Protocol):
    def suspend(self) -> AbstractContextManager[Any]: ...


Opener = Callable[[str], None]


def make_opener(browser_setting: str | None, app: Suspender) -> Opener:
    """An opener honouring the ``browser`` setting, ``$BROWSER``, then webbrowser.

    A terminal browser (lynx, w3m, ...) needs the terminal, so it runs with
    the app suspended and the screen is restored when it exits.
    """

    def open_link(url: str) -> None:
        command = browser_command(url, browser_setting)
        if command is None:
            _open_with_webbrowser(url, app)
            return
        if command.in_terminal:
            with app.suspend():
                subprocess.run(command.argv, check=False)
            return
        subprocess.Popen(
            command.argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    return open_link


def _open_with_webbrowser(url: str, app: Suspender) -> None:
    try:
        controller = webbrowser.get()
    except webbrowser.Error:
        raise OSError("no web browser found; set `browser` in [settings] or $BROWSER") from None
    name = getattr(controller, "name", "")
    if name in TERMINAL_BROWSERS:
        with app.suspend():
            controller.open(url)
        return
    threading.Thread(target=controller.open, args=(url,), daemon=True).start()
