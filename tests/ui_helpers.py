"""Helpers for driving the UI in tests: building an app and reading its screen."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from textual.pilot import Pilot

from reader.config import load_config
from reader.decide import plan_entries
from reader.models import FeedUpdate, ParsedEntry, ParsedFeed
from reader.service import Service
from reader.ui.app import NewsReaderApp

FIXED_NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


class RecordingOpener:
    """Stands in for the browser: remembers the links it was asked to open."""

    def __init__(self) -> None:
        self.opened: list[str] = []

    def __call__(self, url: str) -> None:
        self.opened.append(url)


def make_app(config_path: Path, db_path: Path) -> tuple[NewsReaderApp, RecordingOpener]:
    opener = RecordingOpener()
    service = Service(load_config(config_path), db_path)
    app = NewsReaderApp(service, clock=lambda: FIXED_NOW, opener=opener)
    return app, opener


def store_elsewhere(
    config: Path, db: Path, feed_url: str, entries: list[ParsedEntry], title: str | None = None
) -> None:
    """Store entries as a refresh in another process would, on its own connection."""
    service = Service(load_config(config), db)
    try:
        items = tuple(entries)
        plan = plan_entries(items, service.storage.entry_hashes(feed_url))
        update = FeedUpdate(feed_url, FIXED_NOW, parsed=ParsedFeed(title=title, entries=items))
        service.storage.apply_update(update, plan.new, plan.changed)
    finally:
        service.close()


def screen_text(app: NewsReaderApp) -> str:
    """Everything visible on screen as plain text (from Textual's own SVG export)."""
    svg = app.export_screenshot()
    lines = []
    for match in re.finditer(r"<text[^>]*>(.*?)</text>", svg, re.S):
        lines.append(html.unescape(re.sub(r"<[^>]+>", "", match.group(1))))
    return "\n".join(lines).replace("\xa0", " ")


async def settle(pilot: Pilot[None]) -> None:
    """Wait for background workers, then for the messages they posted."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def until(pilot: Pilot[None], condition: Callable[[], bool], limit: float = 30.0) -> None:
    """Let the app run until ``condition`` holds (a worker thread finishing, say).

    Fails after ``limit`` seconds, so a regression shows as a failure, not a hang.
    """
    waited = 0.0
    while not condition():
        assert waited < limit, "condition never became true"
        await pilot.pause(0.02)
        waited += 0.02
