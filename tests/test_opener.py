"""The UI link opener: terminal browsers suspend the app, GUI ones run in the background."""

from __future__ import annotations

import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from reader.ui.opener import make_opener


class FakeApp:
    """Records when the terminal is handed over."""

    def __init__(self) -> None:
        self.suspended = 0

    @contextmanager
    def suspend(self) -> Iterator[None]:
        self.suspended += 1
        yield


def _recording_browser(directory: Path, name: str) -> tuple[Path, Path]:
    record = directory / f"{name}.args"
    script = directory / name
    script.write_text(  # write then rename, so a reader never sees a half-written file
        f'#!/bin/sh\nprintf "%s\\n" "$@" > "{record}.tmp" && mv "{record}.tmp" "{record}"\n',
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, record


def test_terminal_browser_runs_with_the_app_suspended(tmp_path: Path) -> None:
    script, record = _recording_browser(tmp_path, "w3m")
    app = FakeApp()
    make_opener(f"{script} -o x %u", app)("https://example.org/a?b=1")
    assert app.suspended == 1
    assert record.read_text(encoding="utf-8").splitlines() == [
        "-o",
        "x",
        "https://example.org/a?b=1",
    ]


def test_gui_browser_runs_in_the_background(tmp_path: Path) -> None:
    script, record = _recording_browser(tmp_path, "mybrowser")
    app = FakeApp()
    make_opener(str(script), app)("https://example.org/b")
    assert app.suspended == 0
    deadline = time.monotonic() + 10
    while not record.exists() and time.monotonic() < deadline:  # the child runs on its own
        time.sleep(0.02)
    assert record.read_text(encoding="utf-8").splitlines() == ["https://example.org/b"]


def test_browser_environment_variable_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script, record = _recording_browser(tmp_path, "lynx")
    monkeypatch.setenv("BROWSER", str(script))
    app = FakeApp()
    make_opener(None, app)("mailto:someone@example.org")
    assert app.suspended == 1
    assert record.read_text(encoding="utf-8").splitlines() == ["mailto:someone@example.org"]
