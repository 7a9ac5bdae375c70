"""Where a fetch is decided: a body is parsed off the event loop, a 304 right there."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping
from datetime import UTC, datetime

import pytest

import reader.update
from reader.decide import entry_hash, plan_entries
from reader.fetch import fetch_feed, make_client
from reader.models import FeedForUpdate, FetchResult, ParsedFeed
from reader.update import build_update, decide_update, needs_parsing
from tests.feedserver import FeedServer, closed_port, rss

HANG_GUARD = 30.0
FEED = rss("Decided", [{"title": "one", "guid": "1"}])


async def fetched(feed: FeedForUpdate) -> FetchResult:
    async with asyncio.timeout(HANG_GUARD), make_client(timeout=HANG_GUARD) as client:
        return await fetch_feed(client, feed)


@pytest.fixture
def parser_threads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The threads ``reader.update.parse_feed`` ran in, one per call."""
    threads: list[int] = []
    real_parse = reader.update.parse_feed

    def recording_parse(content: bytes, headers: Mapping[str, str], url: str) -> ParsedFeed:
        threads.append(threading.get_ident())
        return real_parse(content, headers, url)

    monkeypatch.setattr(reader.update, "parse_feed", recording_parse)
    return threads


async def test_a_body_is_parsed_off_the_event_loop(
    feed_server: FeedServer, parser_threads: list[int]
) -> None:
    """Other fetches keep their deadlines while a big feed is parsed."""
    url = feed_server.add("/feed", FEED, etag='"v1"')
    result = await fetched(FeedForUpdate(url))
    assert needs_parsing(result)
    update = await decide_update(result, FeedForUpdate(url))
    assert update.parsed is not None and [e.id for e in update.parsed.entries] == ["1"]
    assert update.etag == '"v1"'
    assert len(parser_threads) == 1 and parser_threads[0] != threading.get_ident()


async def test_a_304_is_decided_without_parsing(
    feed_server: FeedServer, parser_threads: list[int]
) -> None:
    url = feed_server.add("/feed", FEED, etag='"v1"')
    feed = FeedForUpdate(url, etag='"v1"', ttl=30)
    result = await fetched(feed)
    assert result.status == 304 and not needs_parsing(result)
    update = await decide_update(result, feed)
    assert update.not_modified and update.error is None and update.parsed is None
    assert update.next_fetch is not None  # the stored <ttl> still counts after a 304
    assert parser_threads == []


async def test_a_failure_is_decided_without_parsing(parser_threads: list[int]) -> None:
    feed = FeedForUpdate(f"http://127.0.0.1:{closed_port()}/feed", failures=2)
    result = await fetched(feed)
    assert result.error == "connection refused" and not needs_parsing(result)
    update = await decide_update(result, feed)
    assert update.error == "connection refused" and update.backoff_pending
    assert parser_threads == []


def test_entries_are_hashed_next_to_the_parsing_and_planned_alike() -> None:
    items = [{"title": f"t{n}", "guid": f"g{n}", "description": f"<p>{n}</p>"} for n in range(4)]
    result = FetchResult("http://x.example/f", status=200, content=rss("H", items).encode())
    update = build_update(result, datetime.now(UTC))
    assert update.parsed is not None
    entries = update.parsed.entries
    assert update.digests == tuple(entry_hash(entry) for entry in entries) and len(entries) == 4
    stored = {entries[0].id: update.digests[0], entries[1].id: "an older hash"}
    assert plan_entries(entries, stored, digests=update.digests) == plan_entries(entries, stored)
    planned = plan_entries(entries, stored, digests=update.digests)
    assert [e.id for e, _ in planned.changed] == [entries[1].id]
    assert [e.id for e, _ in planned.new] == [entries[2].id, entries[3].id]
