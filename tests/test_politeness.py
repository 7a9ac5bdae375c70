"""Polite fetching end to end: hints, backoff, Retry-After, 410, per-host limits.

A real HTTP server on 127.0.0.1 and a real SQLite file; the server's request
log proves what was (not) fetched.
"""

from __future__ import annotations

import shutil
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from reader.models import ALL, FeedConfig, FeedInfo
from reader.service import Service
from reader.storage import Storage
from reader.storage.schema import MIGRATIONS
from tests.feedserver import FeedServer, closed_port, http_date, raw_head, rss
from tests.harness import OpenService

DAY = timedelta(days=1)


def info(service: Service, url: str) -> FeedInfo:
    found = service.feed_info(url)
    assert found is not None
    return found


def hits(server: FeedServer, path: str) -> int:
    return len(server.requests_for(path))


def item(n: int) -> dict[str, str]:
    return {"title": f"item {n}", "link": f"http://example.org/{n}", "guid": f"g{n}"}


# -- 410 Gone -----------------------------------------------------------------


def test_410_marks_the_feed_gone_until_it_is_refreshed_by_name(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    url = feed_server.add("/gone", b"", status=410)
    service = open_service([{"url": url}])
    (outcome,) = service.refresh()
    assert outcome.gone and outcome.error is not None and outcome.error.startswith("HTTP 410")
    assert info(service, url).gone
    # Periodic and "all" refreshes leave it alone, across restarts too.
    again = open_service([{"url": url}])
    (skipped,) = again.refresh()
    assert skipped.skipped == "gone" and skipped.error is None
    assert hits(feed_server, "/gone") == 1
    # The user acts: refreshing it by name fetches it, and success clears the mark.
    feed_server.add("/gone", rss("Back", [item(1)]))
    (forced,) = again.refresh([url], forced=True)
    assert forced.error is None and forced.new_entries == 1
    assert not info(again, url).gone and info(again, url).last_error is None
    assert hits(feed_server, "/gone") == 2


# -- Retry-After --------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize("form", ["seconds", "date"])
def test_retry_after_holds_even_forced_refreshes_across_restarts(
    feed_server: FeedServer, open_service: OpenService, status: int, form: str
) -> None:
    later = datetime.now(UTC) + timedelta(hours=2)
    value = "7200" if form == "seconds" else http_date(later)
    url = feed_server.add("/busy", b"slow down", status=status, headers={"Retry-After": value})
    service = open_service([{"url": url}])
    (outcome,) = service.refresh()
    assert (
        outcome.error
        == f"HTTP {status} {'Too Many Requests' if status == 429 else 'Service Unavailable'}"
    )
    stored = info(service, url).retry_after
    assert stored is not None and abs(stored - later) < timedelta(minutes=1)
    restarted = open_service([{"url": url}])
    for forced in (False, True):
        (skipped,) = restarted.refresh([url], forced=forced)
        assert skipped.skipped == "retry-after" and skipped.skipped_until == stored
    assert hits(feed_server, "/busy") == 1


def test_retry_after_of_a_month_is_honoured_for_a_day(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    url = feed_server.add("/x", b"", status=429, headers={"Retry-After": str(30 * 86400)})
    service = open_service([{"url": url}])
    service.refresh()
    stored = info(service, url).retry_after
    assert stored is not None and stored <= datetime.now(UTC) + DAY


# -- caching hints ------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Cache-Control": "max-age=3600"},
        {"Expires": http_date(datetime.now(UTC) + timedelta(hours=1))},
    ],
)
def test_caching_headers_make_the_feed_not_due(
    feed_server: FeedServer, open_service: OpenService, headers: dict[str, str]
) -> None:
    url = feed_server.add("/cached", rss("C", [item(1)]), headers=headers)
    service = open_service([{"url": url}])
    service.refresh()
    (skipped,) = service.refresh()
    assert skipped.skipped == "not due"
    assert skipped.skipped_until is not None
    assert timedelta(minutes=55) < skipped.skipped_until - datetime.now(UTC) <= timedelta(hours=2)
    assert hits(feed_server, "/cached") == 1
    # By name it is fetched anyway, still sending validators.
    (forced,) = service.refresh([url], forced=True)
    assert forced.skipped is None and hits(feed_server, "/cached") == 2


def test_rss_ttl_is_a_hint_capped_at_a_day_and_survives_a_304(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    body = rss("T", [item(1)]).replace("<channel>", "<channel><ttl>100000</ttl>", 1)
    url = feed_server.add("/ttl", body, etag='"v1"')
    service = open_service([{"url": url}])
    service.refresh()
    until = info(service, url).next_fetch
    assert until is not None and DAY - timedelta(minutes=1) < until - datetime.now(UTC) <= DAY
    # A 304 has no body, so the stored <ttl> is what still applies.
    (not_modified,) = service.refresh([url], forced=True)
    assert not_modified.not_modified
    assert feed_server.requests_for("/ttl")[-1].headers.get("if-none-match") == '"v1"'
    until = info(service, url).next_fetch
    assert until is not None and until - datetime.now(UTC) > timedelta(hours=23)


def test_without_hints_every_feed_is_due_every_time(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    url = feed_server.add("/plain", rss("P", [item(1)]), etag='"e"')
    service = open_service([{"url": url}])
    for _ in range(3):
        (outcome,) = service.refresh()
        assert outcome.skipped is None
    assert hits(feed_server, "/plain") == 3


# -- backoff ------------------------------------------------------------------


def test_a_failing_feed_backs_off_exponentially_and_success_resets_it(
    feed_server: FeedServer, open_service: OpenService, tmp_path: Path
) -> None:
    url = feed_server.add("/flaky", b"", status=500)
    service = open_service([{"url": url}])
    waits = []
    for expected_failures in (1, 2, 3):
        service.refresh([url], forced=True)
        state = info(service, url)
        assert state.failures == expected_failures
        assert state.next_fetch is not None
        waits.append(state.next_fetch - datetime.now(UTC))
    assert timedelta(minutes=4) < waits[0] < timedelta(minutes=6)
    assert timedelta(minutes=19) < waits[2] < timedelta(minutes=23)
    (skipped,) = service.refresh()
    assert skipped.skipped == "not due"
    feed_server.add("/flaky", rss("F", [item(1)]))
    service.refresh([url], forced=True)
    state = info(service, url)
    assert state.failures == 0 and state.next_fetch is None and state.last_error is None


def test_backoff_is_capped_at_a_day(feed_server: FeedServer, open_service: OpenService) -> None:
    url = feed_server.add("/down", b"", status=500)
    service = open_service([{"url": url}])
    for _ in range(15):
        service.refresh([url], forced=True)
    state = info(service, url)
    assert state.failures == 15
    assert state.next_fetch is not None and state.next_fetch - datetime.now(UTC) <= DAY


def test_when_no_server_answers_at_all_nothing_backs_off(open_service: OpenService) -> None:
    """Offline: every feed fails to connect; that is our network, not the feeds."""
    urls = [f"http://127.0.0.1:{closed_port()}/f{n}" for n in range(3)]
    service = open_service([{"url": url} for url in urls])
    outcomes = service.refresh()
    assert all(o.error == "connection refused" for o in outcomes)
    for url in urls:
        assert info(service, url).failures == 0 and info(service, url).next_fetch is None
    assert all(o.skipped is None for o in service.refresh())


def test_network_failures_back_off_when_other_servers_answer(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    dead = f"http://127.0.0.1:{closed_port()}/feed"
    good = feed_server.add("/good", rss("G", [item(1)]))
    service = open_service([{"url": dead}, {"url": good}])
    service.refresh()
    assert info(service, dead).failures == 1 and info(service, dead).next_fetch is not None
    assert info(service, good).failures == 0


# -- per-host limit -----------------------------------------------------------


def test_at_most_connections_per_host_at_once(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    arrived = threading.Condition()
    active = 0
    peak = 0
    body = rss("S", [item(1)]).encode()

    def slow(wfile: BinaryIO, stopping: threading.Event) -> None:
        """Hold each request until a second one is in too, then a little longer.

        With the limit kept, exactly two are ever in at once; without it, all
        eight would pile up during the hold.
        """
        nonlocal active, peak
        with arrived:
            active += 1
            peak = max(peak, active)
            arrived.notify_all()
            arrived.wait_for(lambda: active >= 2 or stopping.is_set(), timeout=5)
        stopping.wait(0.2)
        with arrived:
            active -= 1
        head = raw_head(
            200,
            "OK",
            {
                "Content-Type": "application/rss+xml",
                "Content-Length": str(len(body)),
                "Connection": "close",  # the fixture closes it after each response
            },
        )
        wfile.write(head + body)

    urls = [feed_server.add_behaviour(f"/slow{n}", slow) for n in range(8)]
    service = open_service([{"url": url} for url in urls], {"connections_per_host": 2})
    outcomes = service.refresh()
    assert all(o.error is None for o in outcomes), [o.error for o in outcomes]
    assert peak == 2


# -- renamed ids --------------------------------------------------------------


def test_a_guid_scheme_change_keeps_flags_and_adds_nothing(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    old = [{"title": f"Post {n}", "link": f"http://x/{n}", "guid": f"old-{n}"} for n in range(3)]
    url = feed_server.add("/blog", rss("Blog", old))
    service = open_service([{"url": url}])
    service.refresh()
    ids = service.entry_ids(ALL)
    service.set_read(ids[:2], True)
    service.set_starred(ids[:1], True)
    new = [{**entry, "guid": f"https://blog/{n}"} for n, entry in enumerate(old)]
    feed_server.add("/blog", rss("Blog", new))
    (outcome,) = service.refresh()
    assert outcome.new_entries == 0
    assert service.entry_ids(ALL) == ids
    entries = service.entries(ids)
    assert [e.entry_id for e in entries] == [f"https://blog/{n}" for n in range(3)]
    assert [e.read for e in entries] == [True, True, False]
    assert [e.starred for e in entries] == [True, False, False]


def test_entries_that_share_a_link_stay_separate(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    week1 = {"title": "Weekly thread 1", "link": "http://x/thread", "guid": "w1"}
    url = feed_server.add("/forum", rss("Forum", [week1]))
    service = open_service([{"url": url}])
    service.refresh()
    week2 = {"title": "Weekly thread 2", "link": "http://x/thread", "guid": "w2"}
    feed_server.add("/forum", rss("Forum", [week2]))
    (outcome,) = service.refresh()
    assert outcome.new_entries == 1
    assert sorted(e.title for e in service.entries(service.entry_ids(ALL))) == [
        "Weekly thread 1",
        "Weekly thread 2",
    ]


# -- schema migration ---------------------------------------------------------


V1_DATABASE = Path(__file__).parent / "data" / "newsreader-v1.db"


def test_a_database_made_by_the_first_version_keeps_everything(tmp_path: Path) -> None:
    """tests/data/newsreader-v1.db was written by newsreader at schema version 1."""
    path = tmp_path / "newsreader.db"
    shutil.copy(V1_DATABASE, path)
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
    storage = Storage(path)
    try:
        assert storage.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        a, b = "http://feeds.example/a.xml", "http://feeds.example/b.xml"
        feed_a, feed_b = storage.feeds_for_update([a, b])
        assert feed_a.etag == '"etag-a"' and feed_b.last_modified == "Mon, 02 Jun 2025 10:00:00 GMT"
        assert (feed_a.failures, feed_a.gone, feed_a.next_fetch, feed_a.ttl) == (
            0,
            False,
            None,
            None,
        )
        info_a, info_b = storage.feed_infos([FeedConfig(a), FeedConfig(b)])
        assert (info_a.title, info_a.total, info_a.unread) == ("Feed A", 4, 1)
        assert (info_b.total, info_b.unread) == (2, 2)
        assert info_b.last_error == "HTTP 500 Internal Server Error"
        rows = storage.db.execute(
            "SELECT f.url, e.title, e.read, e.starred FROM entries e "
            "JOIN feeds f ON f.id = e.feed_id ORDER BY e.id"
        ).fetchall()
        assert rows == [
            (b, "Story 1", 0, 0),
            (b, "Story 0", 0, 0),
            (a, "Story 3", 1, 1),
            (a, "Story 2", 1, 0),
            (a, "Story 1", 1, 0),
            (a, "Story 0", 0, 1),
        ]
        assert storage.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        storage.close()


# -- one feed's trouble is that feed's alone -----------------------------------


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (
            RuntimeError("impossible"),
            "internal error: RuntimeError: impossible (details in the log)",
        ),
        (
            sqlite3.IntegrityError("CHECK constraint failed: x"),
            "not stored: database error: CHECK constraint failed: x",
        ),
    ],
)
def test_a_failure_storing_one_feed_leaves_the_others_stored(
    feed_server: FeedServer,
    open_service: OpenService,
    monkeypatch: pytest.MonkeyPatch,
    failure: Exception,
    expected: str,
) -> None:
    import reader.update

    bad = feed_server.add("/bad", rss("Bad", [item(1)]))
    good = feed_server.add("/good", rss("Good", [item(2)]))
    real_store = reader.update.store_update

    def store(storage: Storage, update: Any) -> Any:
        if update.url == bad:
            raise failure
        return real_store(storage, update)

    monkeypatch.setattr(reader.update, "store_update", store)
    service = open_service([{"url": bad}, {"url": good}])
    outcomes = {o.url: o for o in service.refresh()}
    assert outcomes[bad].error == expected
    assert outcomes[good].error is None and outcomes[good].new_entries == 1
    assert [e.title for e in service.entries(service.entry_ids(ALL))] == ["item 2"]


def test_an_unusable_database_stops_the_refresh_with_one_error(
    feed_server: FeedServer, open_service: OpenService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Busy, full or read-only: every feed would fail alike, so it is said once."""
    import reader.update

    def locked(storage: Storage, update: Any) -> Any:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(reader.update, "store_update", locked)
    urls = [feed_server.add(f"/f{n}", rss("F", [item(n)])) for n in range(3)]
    service = open_service([{"url": url} for url in urls])
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        service.refresh()


def test_a_server_that_answers_badly_counts_as_reached(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    """Only refused/unresolvable/no-route failures may mean "offline"; a hang does not."""
    hanging = feed_server.hang("/hang")
    dead = f"http://127.0.0.1:{closed_port()}/feed"
    service = open_service([{"url": hanging}, {"url": dead}], {"timeout": "1s"})
    outcomes = {o.url: o for o in service.refresh()}
    assert outcomes[hanging].error == "timed out after 1s"
    for url in (hanging, dead):
        assert info(service, url).failures == 1 and info(service, url).next_fetch is not None
    assert all(o.skipped == "not due" for o in service.refresh())


def test_a_gone_feed_has_no_next_fetch_time(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    url = feed_server.add("/gone", b"", status=410)
    service = open_service([{"url": url}])
    service.refresh()
    state = info(service, url)
    assert state.gone and state.next_fetch is None


def test_a_private_feed_keeps_its_credentials_when_it_moves(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    feed_server.add("/new", rss("Private", [item(1)]))
    feed_server.redirect("/old", "/new", 301)
    url = feed_server.url("/old").replace("http://", "http://reader:s3cret@")
    service = open_service([{"url": url}])
    (outcome,) = service.refresh()
    assert outcome.moved_to == feed_server.url("/new").replace("http://", "http://reader:s3cret@")
    service.refresh([url], forced=True)
    sent = [r.headers.get("authorization") for r in feed_server.requests_for("/new")]
    assert len(sent) == 2 and all(a and a.startswith("Basic ") for a in sent)
    # The user updates the config to the new URL (credentials included): same feed.
    moved = open_service([{"url": outcome.moved_to}])
    assert info(moved, outcome.moved_to).total == 1


def test_a_spread_run_staggers_every_feed(
    feed_server: FeedServer, open_service: OpenService, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader import schedule

    delays: list[float] = []

    def recorded(spread: float, rng: object = None) -> float:
        delays.append(spread)
        return 0.0

    monkeypatch.setattr(schedule, "start_delay", recorded)
    urls = [feed_server.add(f"/f{n}", rss("F", [item(n)])) for n in range(4)]
    service = open_service([{"url": url} for url in urls])
    service.refresh(spread=2.5)
    assert delays == [2.5] * 4
    delays.clear()
    service.refresh()
    assert delays == [0.0] * 4
