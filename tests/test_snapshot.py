"""Snapshot of the main screen with fixed sample data, clock and time zone."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.sample_data import build_sample
from tests.ui_helpers import make_app


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_main_screen_snapshot(tmp_path: Path, utc: None, snap_compare: Callable[..., bool]) -> None:
    config, db = build_sample(tmp_path)
    app, _ = make_app(config, db)
    assert snap_compare(app, press=["j", "enter"], terminal_size=(120, 36))
