"""A refresh commits feeds in batches: each feed atomic, told after its commit."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import pytest

import reader.storage.store
import reader.update
from reader.fetch import fetch_feed
from reader.models import ALL, ParsedEntry, UpdateOutcome
from reader.storage import Storage
from tests.feedserver import FeedServer, rss
from tests.harness import OpenService

FEEDS = 40  # more than one batch (MAX_FEEDS)


def items(feed: int) -> list[dict[str, str]]:
    return [{"title": f"Feed {feed} story {n}", "guid": f"{feed}-{n}"} for n in range(3)]


def serve(feed_server: FeedServer) -> list[dict[str, str]]:
    return [
        {"url": feed_server.add(f"/f{n}.xml", rss(f"Feed {n}", items(n)))} for n in range(FEEDS)
    ]


def titles_elsewhere(storage: Storage, url: str) -> set[str]:
    """What another connection (the UI's, another process) sees of a feed now."""
    other = sqlite3.connect(storage.path)
    try:
        rows = other.execute(
            "SELECT e.title FROM entries e JOIN feeds f ON f.id = e.feed_id WHERE f.url = ?",
            (url,),
        ).fetchall()
        return {title for (title,) in rows}
    finally:
        other.close()


def test_each_outcome_is_told_once_its_feed_is_committed(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    feeds = serve(feed_server)
    service = open_service(feeds)
    seen: list[tuple[str, int]] = []

    def progress(outcome: UpdateOutcome, done: int, total: int) -> None:
        visible = titles_elsewhere(service.storage, outcome.url)
        seen.append((outcome.url, len(visible)))

    outcomes = service.refresh(on_progress=progress)
    assert len(outcomes) == FEEDS and not any(o.error for o in outcomes)
    assert sorted(seen) == sorted((feed["url"], 3) for feed in feeds)


def test_a_feed_that_fails_half_way_is_rolled_back_alone(
    feed_server: FeedServer, open_service: OpenService, monkeypatch: pytest.MonkeyPatch
) -> None:
    feeds = serve(feed_server)
    bad = feeds[FEEDS // 2]["url"]
    real_row = reader.storage.store._new_entry_row

    def row_or_failure(feed_id: int, fetched: int, entry: ParsedEntry, digest: str) -> Any:
        # The feed's own row is already updated when its entries go in.
        if entry.title and entry.title.startswith(f"Feed {FEEDS // 2} "):
            raise sqlite3.IntegrityError("CHECK constraint failed: test")
        return real_row(feed_id, fetched, entry, digest)

    monkeypatch.setattr(reader.storage.store, "_new_entry_row", row_or_failure)
    service = open_service(feeds)
    outcomes = {o.url: o for o in service.refresh()}
    assert outcomes[bad].error == "not stored: database error: CHECK constraint failed: test"
    assert titles_elsewhere(service.storage, bad) == set()
    (info,) = [f for f in service.feeds() if f.url == bad]
    assert info.last_fetched is None  # the feed's row update went with the rest
    stored = service.entries(service.entry_ids(ALL))
    assert len(stored) == 3 * (FEEDS - 1)
    assert all(o.new_entries == 3 for url, o in outcomes.items() if url != bad)


def test_a_commit_that_fails_fails_its_feeds_and_ends_the_refresh(
    feed_server: FeedServer, open_service: OpenService, monkeypatch: pytest.MonkeyPatch
) -> None:
    feeds = serve(feed_server)
    service = open_service(feeds)
    real_commit = Storage.commit_batch
    commits = 0

    def commit_until_the_disk_fills(storage: Storage) -> None:
        nonlocal commits
        commits += 1
        if commits == 2:
            storage.db.execute("ROLLBACK")
            raise sqlite3.OperationalError("database or disk is full")
        real_commit(storage)

    monkeypatch.setattr(Storage, "commit_batch", commit_until_the_disk_fills)
    told: list[UpdateOutcome] = []
    with pytest.raises(sqlite3.OperationalError):
        service.refresh(on_progress=lambda outcome, done, total: told.append(outcome))
    kept = {o.url for o in told if not o.error}
    failed = [o for o in told if o.error]
    assert failed and all(o.error and o.error.startswith("not stored: ") for o in failed)
    assert all(o.new_entries == 0 for o in failed)
    for outcome in told:  # what was told as stored is stored; nothing else is
        visible = titles_elsewhere(service.storage, outcome.url)
        assert len(visible) == (3 if outcome.url in kept else 0)


def test_feeds_fetched_but_not_handed_to_storage_are_bounded(
    feed_server: FeedServer, open_service: OpenService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When parsing falls behind, fetching waits: memory stays flat."""
    in_hand = 0
    most = 0
    real_decide = reader.update.decide_update

    async def fetch(*args: Any, **kwargs: Any) -> Any:
        nonlocal in_hand, most
        result = await fetch_feed(*args, **kwargs)
        in_hand += 1
        most = max(most, in_hand)
        return result

    async def decide(*args: Any) -> Any:
        nonlocal in_hand
        await asyncio.sleep(0.05)  # parsing that falls behind (the connection is free again)
        try:
            return await real_decide(*args)
        finally:
            in_hand -= 1

    monkeypatch.setattr(reader.update, "fetch_feed", fetch)
    monkeypatch.setattr(reader.update, "decide_update", decide)
    service = open_service(serve(feed_server), {"max_connections": 2})
    outcomes = service.refresh()
    assert len(outcomes) == FEEDS and not any(o.error for o in outcomes)
    assert 2 <= most <= 2 * 2  # twice the connections


def test_the_write_lock_is_never_held_while_the_refresh_waits(
    feed_server: FeedServer, open_service: OpenService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The UI writes (marking read) on its own connection: it must find the lock free
    whenever the refresh is waiting on the network or the parser."""
    service = open_service(serve(feed_server))
    real_decide = reader.update.decide_update
    held: list[bool] = []

    async def decide(*args: Any) -> Any:
        held.append(service.storage.db.in_transaction)
        await asyncio.sleep(0.01)
        held.append(service.storage.db.in_transaction)
        return await real_decide(*args)

    monkeypatch.setattr(reader.update, "decide_update", decide)
    outcomes = service.refresh()
    assert len(outcomes) == FEEDS and not any(o.error for o in outcomes)
    assert len(held) == 2 * FEEDS and not any(held)


def test_a_transaction_the_database_dropped_fails_its_whole_batch(
    feed_server: FeedServer, open_service: OpenService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Disk full or an I/O error can make SQLite roll everything back mid-batch."""
    feeds = serve(feed_server)
    bad = feeds[FEEDS // 2]["url"]
    real_apply = Storage.apply_update

    def apply_or_lose_everything(storage: Storage, update: Any, *args: Any) -> None:
        if update.url == bad:
            storage.db.execute("ROLLBACK")  # what SQLite does on SQLITE_FULL
            raise sqlite3.OperationalError("database or disk is full")
        real_apply(storage, update, *args)

    monkeypatch.setattr(Storage, "apply_update", apply_or_lose_everything)
    service = open_service(feeds)
    told: list[UpdateOutcome] = []
    with pytest.raises(sqlite3.OperationalError):
        service.refresh(on_progress=lambda outcome, done, total: told.append(outcome))
    assert any(o.url == bad and o.error for o in told)
    for outcome in told:  # told as stored means stored; nothing else is
        visible = titles_elsewhere(service.storage, outcome.url)
        assert len(visible) == (0 if outcome.error else 3), outcome
    assert not service.storage.db.in_transaction
