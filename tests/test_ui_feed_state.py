"""Feed health in the UI: the detail view, forced and due-only refreshes, gone feeds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from reader.config import load_config
from reader.service import Service
from reader.ui.feed_detail import FeedDetailScreen
from reader.ui.feed_pane import FeedPane
from reader.ui.main_screen import MainScreen, StatusLine
from tests.feedserver import FeedServer, rss
from tests.ui_helpers import make_app, screen_text, settle, until

ITEMS = [{"title": "Only story", "link": "https://x.example/1", "guid": "1"}]


@pytest.fixture
def feeds(
    tmp_path: Path, feed_server: FeedServer, write_config: Callable[..., Path]
) -> tuple[Path, Path]:
    """A working feed and a broken one (404), fetched once: the broken one is backing off."""
    good = feed_server.add("/good.xml", rss("Good Feed", ITEMS))
    broken = feed_server.url("/broken.xml")
    config = write_config(
        tmp_path,
        [{"url": good}, {"url": broken, "title": "Broken One"}],
        {"refresh_on_start": False, "refresh_interval": "0"},
    )
    db = tmp_path / "test.db"
    service = Service(load_config(config), db)
    service.refresh()
    service.close()
    return config, db


def status_text(app: object) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    return str(screen.query_one(StatusLine).render())


async def test_feed_details_explain_the_error_and_the_backoff(
    feeds: tuple[Path, Path], feed_server: FeedServer
) -> None:
    app, _ = make_app(*feeds)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("shift+tab", "G")  # the feed pane, its last row: Broken One
        assert app.screen.query_one(FeedPane).highlighted_view is not None
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, FeedDetailScreen)
        text = screen_text(app)
        assert "HTTP 404 Not Found" in text
        assert "backing off after 1 failure" in text
        assert feed_server.url("/broken.xml") in text
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_refresh_all_skips_a_feed_backing_off_but_r_fetches_it(
    feeds: tuple[Path, Path], feed_server: FeedServer
) -> None:
    app, _ = make_app(*feeds)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("R")
        await settle(pilot)
        assert len(feed_server.requests_for("/broken.xml")) == 1
        assert "1 skipped" in status_text(app)
        await pilot.press("shift+tab", "G", "r")
        await settle(pilot)
        assert len(feed_server.requests_for("/broken.xml")) == 2
        # Asked for by name and failed again: a notification says so.
        messages = [n.message for n in app._notifications]
        assert any("Broken One: HTTP 404 Not Found" in m for m in messages), messages


async def test_r_in_the_detail_view_refreshes_that_feed(
    feeds: tuple[Path, Path], feed_server: FeedServer
) -> None:
    feed_server.add("/broken.xml", rss("Fixed", [{"title": "Back again", "guid": "b"}]))
    app, _ = make_app(*feeds)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("shift+tab", "G", "i")
        await pilot.pause()
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        info = app.service.feed_info(feed_server.url("/broken.xml"))
        assert info is not None and info.last_error is None and info.total == 1
        assert "⚠" not in screen_text(app)


async def test_a_gone_feed_is_marked_and_r_brings_it_back(
    tmp_path: Path, feed_server: FeedServer, write_config: Callable[..., Path]
) -> None:
    url = feed_server.add("/gone.xml", b"", status=410)
    config = write_config(
        tmp_path, [{"url": url, "title": "Old Blog"}], {"refresh_on_start": False}
    )
    db = tmp_path / "test.db"
    app, _ = make_app(config, db)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("R")
        await settle(pilot)
        text = screen_text(app)
        assert "⊘" in text and "Old Blog" in text
        await pilot.press("R")
        await settle(pilot)
        assert len(feed_server.requests_for("/gone.xml")) == 1
        feed_server.add("/gone.xml", rss("Old Blog", ITEMS))
        await pilot.press("shift+tab", "G", "r")
        await settle(pilot)
        assert len(feed_server.requests_for("/gone.xml")) == 2
        text = screen_text(app)
        assert "⊘" not in text and "Only story" in text


async def test_details_name_a_permanent_move(
    tmp_path: Path, feed_server: FeedServer, write_config: Callable[..., Path]
) -> None:
    feed_server.add("/new.xml", rss("Moved Feed", ITEMS))
    old = feed_server.redirect("/old.xml", "/new.xml", 301)
    config = write_config(tmp_path, [{"url": old}], {"refresh_on_start": False})
    app, _ = make_app(config, tmp_path / "test.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("R")
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert any(
            f"moved permanently to {feed_server.url('/new.xml')}" in m and "Update the URL" in m
            for m in messages
        ), messages
        await pilot.press("i")  # on the article list: the current article's feed
        await pilot.pause()
        assert isinstance(app.screen, FeedDetailScreen)
        text = screen_text(app)
        assert "Moved to" in text and feed_server.url("/new.xml") in text


def _rows(**state: object) -> dict[str, str]:
    from datetime import UTC, datetime

    from reader.models import FeedInfo
    from reader.ui.feed_detail import detail_rows

    info = FeedInfo("https://u:p@feed.example/x", "T", (), 0, 0, **state)  # type: ignore[arg-type]
    return dict(detail_rows(info, datetime(2026, 1, 1, 12, tzinfo=UTC)))


def test_detail_rows_say_who_decided_the_next_fetch() -> None:
    from datetime import UTC, datetime

    noon = datetime(2026, 1, 1, 12, tzinfo=UTC)
    one, two = noon.replace(hour=13), noon.replace(hour=14)
    assert "feed.example" in _rows()["URL"] and "u:p" not in _rows()["URL"]
    assert _rows()["Next fetch"] == "at the next refresh"
    assert "caching hints" in _rows(next_fetch=one)["Next fetch"]
    assert "after 3 failures" in _rows(next_fetch=one, failures=3)["Next fetch"]
    waiting = _rows(next_fetch=one, retry_after=two, failures=1)
    assert "Retry-After" in waiting and "Next fetch" not in waiting
    both = _rows(next_fetch=two, retry_after=one, failures=4)
    assert "Retry-After" in both and "after 4 failures" in both["Next fetch"]
    gone = _rows(gone=True, last_error="HTTP 410 Gone")
    assert "Gone" in gone and "Next fetch" not in gone
    hostile = _rows(last_error="\x1b]0;pwned\x07[bold]x", last_warning="\x9b2J")
    assert hostile["Error"] == "[bold]x" and "\x9b" not in hostile["Warning"]


async def test_r_with_no_feed_selected_is_the_polite_refresh(
    feeds: tuple[Path, Path], feed_server: FeedServer
) -> None:
    """In an empty Unread view, r names no feed: it must not force every feed."""
    app, _ = make_app(*feeds)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("A", "u")  # everything read; the unread-only list is empty
        await pilot.pause()
        await pilot.press("r")
        await settle(pilot)
        assert len(feed_server.requests_for("/broken.xml")) == 1  # still backing off
        assert len(feed_server.requests_for("/good.xml")) == 2  # due: fetched


async def test_the_periodic_refresh_obeys_hints_and_rearms_itself(
    tmp_path: Path,
    feed_server: FeedServer,
    write_config: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import reader.ui.main_screen as main_screen

    asked: list[float] = []

    def quick(interval: float) -> float:
        asked.append(interval)
        return 0.05

    monkeypatch.setattr(main_screen, "periodic_delay", quick)
    spreads: list[float] = []

    def small_spread(interval: float) -> float:
        spreads.append(interval)
        return 0.01

    monkeypatch.setattr(main_screen, "periodic_spread", small_spread)
    plain = feed_server.add("/plain.xml", rss("Plain", ITEMS))
    cached = feed_server.add(
        "/cached.xml", rss("Cached", ITEMS), headers={"Cache-Control": "max-age=3600"}
    )
    config = write_config(
        tmp_path,
        [{"url": plain}, {"url": cached}],
        {"refresh_on_start": False, "refresh_interval": "1m"},
    )
    app, _ = make_app(config, tmp_path / "test.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: len(feed_server.requests_for("/plain.xml")) >= 3)
        await settle(pilot)
    assert asked and set(asked) == {60.0}
    assert spreads and set(spreads) == {60.0}  # periodic runs are spread; R and r are not
    assert len(feed_server.requests_for("/cached.xml")) == 1  # its max-age holds it back


async def test_r_during_a_refresh_runs_after_it_forced(
    tmp_path: Path, feed_server: FeedServer, write_config: Callable[..., Path]
) -> None:
    import threading
    from typing import BinaryIO

    from tests.feedserver import raw_head

    release = threading.Event()
    body = rss("Slow", ITEMS).encode()

    def slow(wfile: BinaryIO, stopping: threading.Event) -> None:
        release.wait(10)
        head = raw_head(200, "OK", {"Content-Length": str(len(body)), "Connection": "close"})
        wfile.write(head + body)

    slow_url = feed_server.add_behaviour("/slow.xml", slow)
    cached = feed_server.add(
        "/cached.xml", rss("Cached", ITEMS), headers={"Cache-Control": "max-age=3600"}
    )
    config = write_config(
        tmp_path,
        [{"url": cached, "title": "Cached"}, {"url": slow_url, "title": "Slow"}],
        {"refresh_on_start": False, "refresh_interval": "0"},
    )
    app, _ = make_app(config, tmp_path / "test.db")
    async with app.run_test(size=(120, 40)) as pilot:
        release.set()
        await pilot.press("R")
        await settle(pilot)
        assert len(feed_server.requests_for("/cached.xml")) == 1
        release.clear()
        await pilot.press("R")  # the slow feed is in flight; the cached one is skipped
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen) and screen.refreshing
        await pilot.press("shift+tab", "g", "j", "j", "j", "r")  # Cached, by name
        await pilot.pause()
        assert "the rest will follow" in status_text(app)
        release.set()
        await until(pilot, lambda: len(feed_server.requests_for("/cached.xml")) == 2)
        await settle(pilot)
        assert not screen.refreshing


async def test_the_ui_waits_briefly_for_another_writer_then_says_busy(
    feeds: tuple[Path, Path],
) -> None:
    """A long write lock held by another process: a short pause and a message, no freeze."""
    import sqlite3

    from reader.ui.app import UI_WRITE_WAIT_SECONDS

    app, _ = make_app(*feeds)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        wait_ms = app.service.storage.db.execute("PRAGMA busy_timeout").fetchone()[0]
        assert wait_ms == UI_WRITE_WAIT_SECONDS * 1000
        other = sqlite3.connect(feeds[1], isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            await pilot.press("m")
            await pilot.pause()
            assert "Not saved: the database is busy" in status_text(app)
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert app.is_running
