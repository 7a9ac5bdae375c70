"""The refresh pipeline end to end: a real HTTP server, a real SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from reader.fetch import fetch_feed, make_client
from reader.models import ALL, FeedConfig, FeedForUpdate, FeedInfo, FetchResult, UpdateOutcome, View
from reader.service import Service
from reader.storage import Storage
from reader.update import build_update, refresh_feeds
from tests.feedserver import FeedServer, atom, closed_port, http_date, json_feed, rss
from tests.harness import OpenService


def info(service: Service, url: str) -> FeedInfo:
    (found,) = [feed for feed in service.feeds() if feed.url == url]
    return found


def titles(service: Service, view: View = ALL) -> list[str]:
    return [entry.title for entry in service.entries(service.entry_ids(view))]


def by_title(service: Service, title: str) -> int:
    for entry in service.entries(service.entry_ids(ALL)):
        if entry.title == title:
            return entry.id
    raise AssertionError(f"no entry titled {title!r}")


def only(outcomes: list[UpdateOutcome]) -> UpdateOutcome:
    assert len(outcomes) == 1
    return outcomes[0]


DAY = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def items(*names: str, start: datetime = DAY) -> list[dict[str, Any]]:
    """Dated items, the first the newest, as most feeds list them."""
    return [
        {
            "title": name,
            "guid": f"id-{name}",
            "link": f"http://example.org/{name}",
            "pubDate": start - timedelta(hours=number),
            "description": f"<p>about {name}</p>",
        }
        for number, name in enumerate(names)
    ]


def test_fetch_and_store(feed_server: FeedServer, open_service: OpenService) -> None:
    url = feed_server.add("/feed.xml", rss("Example Feed", items("one", "two", "three")))
    service = open_service([{"url": url, "tags": ["news"]}])
    assert only(service.refresh()) == UpdateOutcome(url, new_entries=3)
    feed = info(service, url)
    assert (feed.title, feed.tags, feed.unread, feed.total) == ("Example Feed", ("news",), 3, 3)
    assert feed.last_error is None
    assert feed.last_fetched is not None
    assert titles(service) == ["one", "two", "three"]
    entry = service.entry(by_title(service, "two"))
    assert entry is not None
    assert entry.link == "http://example.org/two"
    assert entry.summary == "<p>about two</p>"
    assert entry.published == DAY - timedelta(hours=1)
    assert entry.feed_title == "Example Feed"
    assert not entry.read and not entry.starred
    assert service.counts() == (3, 3, 0)
    (request,) = feed_server.requests
    assert request.headers["user-agent"].startswith("newsreader/")
    assert "if-none-match" not in request.headers


def test_config_title_overrides_feed_title(feed_server: FeedServer, open_service: OpenService):
    url = feed_server.add("/f", rss("Own Title", items("a")))
    service = open_service([{"url": url, "title": "Mine"}])
    service.refresh()
    assert info(service, url).title == "Mine"


def test_atom_and_json_feed_over_http(feed_server: FeedServer, open_service: OpenService) -> None:
    atom_doc = atom("Atom", [{"id": "a1", "title": "atom entry", "pubDate": DAY}])
    atom_url = feed_server.add("/atom", atom_doc, content_type="application/atom+xml")
    json_url = feed_server.add(
        "/json",
        json_feed("JSON", [{"id": "j1", "title": "json entry", "date_published": "2024-03-02"}]),
        content_type="application/feed+json",
    )
    service = open_service([{"url": atom_url}, {"url": json_url}])
    outcomes = service.refresh()
    assert sorted(o.new_entries for o in outcomes) == [1, 1]
    assert titles(service) == ["json entry", "atom entry"]
    assert info(service, json_url).title == "JSON"


def test_refetch_sends_validators_and_304_is_not_modified(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    last_modified = http_date(DAY)
    url = feed_server.add(
        "/feed.xml", rss("F", items("a", "b")), etag='"v1"', last_modified=last_modified
    )
    service = open_service([{"url": url}])
    assert only(service.refresh()).new_entries == 2
    outcome = only(service.refresh())
    assert outcome == UpdateOutcome(url, not_modified=True)
    second = feed_server.requests[-1]
    assert second.headers["if-none-match"] == '"v1"'
    assert second.headers["if-modified-since"] == last_modified
    feed = info(service, url)
    assert feed.last_error is None
    assert (feed.unread, feed.total) == (2, 2)
    assert titles(service) == ["a", "b"]


def test_validators_kept_when_304_omits_them(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    last_modified = http_date(DAY)
    url = feed_server.add("/lm", rss("F", items("a")), last_modified=last_modified)
    service = open_service([{"url": url}])
    service.refresh()
    assert only(service.refresh()).not_modified  # this 304 carries no Last-Modified
    assert only(service.refresh()).not_modified  # so the stored one must have been kept
    assert [r.headers.get("if-modified-since") for r in feed_server.requests] == [
        None,
        last_modified,
        last_modified,
    ]


def test_changed_validators_replace_old_ones(feed_server: FeedServer, open_service):
    url = feed_server.add("/e", rss("F", items("a")), etag='"v1"')
    service = open_service([{"url": url}])
    service.refresh()
    feed_server.add("/e", rss("F", items("b", "a")), etag='"v2"')
    assert only(service.refresh()).new_entries == 1
    assert only(service.refresh()).not_modified
    assert [r.headers.get("if-none-match") for r in feed_server.requests] == [None, '"v1"', '"v2"']


def test_read_and_starred_survive_changed_content(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    url = feed_server.add("/f", rss("F", items("a", "b", "c")))
    service = open_service([{"url": url}])
    service.refresh()
    a, b = by_title(service, "a"), by_title(service, "b")
    service.set_read([a], True)
    service.set_starred([b], True)
    changed = items("a", "b", "c")
    for item in changed:
        item["title"] = f"{item['title']} (updated)"
        item["description"] = "<p>rewritten</p>"
    feed_server.add("/f", rss("F", changed))
    assert only(service.refresh()).new_entries == 0
    entry_a, entry_b = service.entries([a, b])
    assert entry_a.title == "a (updated)" and entry_a.summary == "<p>rewritten</p>"
    assert entry_a.read and not entry_a.starred
    assert entry_b.title == "b (updated)"
    assert entry_b.starred and not entry_b.read
    assert info(service, url).total == 3
    assert service.counts() == (3, 2, 1)


def test_flags_survive_item_dropped_and_brought_back(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    url = feed_server.add("/f", rss("F", items("a", "b")))
    service = open_service([{"url": url}])
    service.refresh()
    a = by_title(service, "a")
    service.set_read([a], True)
    service.set_starred([a], True)
    feed_server.add("/f", rss("F", items("b")))
    assert only(service.refresh()).new_entries == 0
    assert titles(service) == ["a", "b"]  # dropped from the feed, not from the cache
    feed_server.add("/f", rss("F", items("new", "a", "b")))
    assert only(service.refresh()).new_entries == 1
    assert titles(service) == ["new", "a", "b"]
    (entry,) = service.entries([a])
    assert entry.read and entry.starred
    assert info(service, url).total == 3


def test_errors_are_stored_per_feed_and_others_succeed(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    missing = feed_server.url("/missing")
    broken = feed_server.add("/broken", b"", status=500)
    page = "<!doctype html><html><body>x</body></html>"
    html = feed_server.add("/page", page, content_type="text/html")
    good = feed_server.add("/good", rss("Good", items("a")))
    service = open_service([{"url": u} for u in (missing, broken, html, good)])
    progress: list[tuple[str, int, int]] = []
    outcomes = service.refresh(
        on_progress=lambda o, done, total: progress.append((o.url, done, total))
    )
    errors = {o.url: o.error for o in outcomes}
    assert errors == {
        missing: "HTTP 404 Not Found",
        broken: "HTTP 500 Internal Server Error",
        html: "not a feed: HTML page",
        good: None,
    }
    assert sorted(done for _, done, _ in progress) == [1, 2, 3, 4]
    assert {total for _, _, total in progress} == {4}
    for url in (missing, broken, html):
        assert info(service, url).last_error == errors[url]
        assert info(service, url).last_fetched is not None
    assert info(service, good).last_error is None
    assert titles(service) == ["a"]
    # A later success (asked for by name, past the backoff) clears the stored error.
    feed_server.add("/missing", rss("Back", items("b")))
    service.refresh([missing], forced=True)
    assert info(service, missing).last_error is None
    assert info(service, broken).last_error == "HTTP 500 Internal Server Error"


def test_connection_refused_is_an_error_value(open_service: OpenService) -> None:
    url = f"http://127.0.0.1:{closed_port()}/feed"
    service = open_service([{"url": url}])
    outcome = only(service.refresh())
    assert outcome.error == "connection refused"
    assert info(service, url).last_error == "connection refused"


def test_unfetchable_urls_fail_alone(feed_server: FeedServer, open_service: OpenService) -> None:
    good = feed_server.add("/good", rss("Good", items("a")))
    bad = {
        "http://user:secret@127.0.0.1:99999/feed": "cannot fetch: OverflowError",
        "http://\u2603.example/feed": "invalid URL: Invalid IDNA hostname",
        "http://xn--/feed": "invalid URL",
    }
    service = open_service([{"url": good}, *({"url": url} for url in bad)])
    outcomes = {o.url: o for o in service.refresh()}
    assert outcomes[good].new_entries == 1 and outcomes[good].error is None
    for url, expected in bad.items():
        error = info(service, url).last_error
        assert error is not None and error.startswith(expected), error
        assert "secret" not in error


def test_credentials_in_any_error_message_are_removed() -> None:
    message = "proxy said no to http://user:secret@feeds.example/x via HTTPS://a:b@c.example"
    update = build_update(FetchResult("http://feeds.example/x", error=message), DAY)
    assert update.error == "proxy said no to http://feeds.example/x via HTTPS://c.example"


def test_permanent_redirect_is_remembered(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    old = feed_server.redirect("/old", "/new", status=301)
    new = feed_server.add("/new", rss("Moved", items("a")), etag='"m"')
    service = open_service([{"url": old}])
    outcome = only(service.refresh())
    assert outcome.moved_to == new
    assert outcome.new_entries == 1
    assert info(service, old).moved_to == new
    outcome = only(service.refresh())
    assert outcome.not_modified
    assert [r.path for r in feed_server.requests] == ["/old", "/new", "/new"]
    assert feed_server.requests[-1].headers["if-none-match"] == '"m"'


def test_308_is_permanent_too(feed_server: FeedServer, open_service: OpenService) -> None:
    old = feed_server.redirect("/old", "/new", status=308)
    new = feed_server.add("/new", rss("Moved", items("a")))
    service = open_service([{"url": old}])
    assert only(service.refresh()).moved_to == new


@pytest.mark.parametrize("status", [302, 307])
def test_temporary_redirect_is_not_remembered(
    feed_server: FeedServer, open_service: OpenService, status: int
) -> None:
    url = feed_server.redirect("/tmp", "/real", status=status)
    feed_server.add("/real", rss("Temp", items("a")))
    service = open_service([{"url": url}])
    assert only(service.refresh()).moved_to is None
    service.refresh()
    assert [r.path for r in feed_server.requests] == ["/tmp", "/real", "/tmp", "/real"]
    assert info(service, url).moved_to is None
    assert info(service, url).total == 1


def test_mixed_redirect_chain_is_not_permanent(feed_server: FeedServer, open_service):
    url = feed_server.redirect("/a", "/b", status=301)
    feed_server.redirect("/b", "/c", status=302)
    feed_server.add("/c", rss("C", items("x")))
    service = open_service([{"url": url}])
    assert only(service.refresh()).moved_to is None


def test_config_url_equal_to_redirect_target_adopts_the_feed(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    old = feed_server.redirect("/old", "/new", status=301)
    new = feed_server.add("/new", rss("Moved", items("a", "b")))
    first = open_service([{"url": old}])
    first.refresh()
    a = by_title(first, "a")
    first.set_read([a], True)
    first.set_starred([a], True)
    first.close()

    second = open_service([{"url": new, "tags": ["moved"]}])
    (feed,) = second.feeds()
    assert (feed.url, feed.title, feed.total, feed.unread) == (new, "Moved", 2, 1)
    assert feed.moved_to is None
    (entry,) = second.entries([a])
    assert entry.feed_url == new and entry.read and entry.starred
    assert only(second.refresh()).new_entries == 0  # same entries, no duplicates
    assert second.counts() == (2, 1, 1)
    assert [r.path for r in feed_server.requests][-1] == "/new"


def test_adoption_does_not_steal_a_feed_still_in_the_config(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    old = feed_server.redirect("/old", "/new", status=301)
    new = feed_server.add("/new", rss("Moved", items("a")))
    open_service([{"url": old}]).refresh()
    both = open_service([{"url": old}, {"url": new}])
    assert info(both, old).total == 1
    assert info(both, new).total == 0


def test_undated_entries_are_dated_when_first_seen(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    undated = [{"title": "undated", "guid": "u"}]
    url = feed_server.add("/f", rss("F", undated))
    service = open_service([{"url": url}])
    before = datetime.now(UTC).replace(microsecond=0)
    service.refresh()
    after = datetime.now(UTC)
    (entry,) = service.entries(service.entry_ids(ALL))
    assert entry.published is None
    assert before <= entry.date <= after
    first_date = entry.date
    # A later edit of the entry keeps the first-seen date.
    feed_server.add("/f", rss("F", [{"title": "undated, edited", "guid": "u"}]))
    service.refresh()
    (entry,) = service.entries(service.entry_ids(ALL))
    assert entry.title == "undated, edited"
    assert entry.date == first_date


def test_future_dates_are_clamped_to_fetch_time(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    future = datetime(2099, 1, 1, tzinfo=UTC)
    feed = [
        {"title": "from the future", "guid": "f", "pubDate": future},
        {"title": "recent", "guid": "r", "pubDate": datetime.now(UTC) - timedelta(days=1)},
    ]
    url = feed_server.add("/f", rss("F", feed))
    service = open_service([{"url": url}])
    service.refresh()
    after = datetime.now(UTC)
    future_entry, recent = service.entries(service.entry_ids(ALL))
    assert future_entry.title == "from the future"
    assert future_entry.published == future  # the feed's claim is kept as data
    assert future_entry.date <= after  # but it sorts as "now", not forever on top
    assert recent.date < future_entry.date


def test_newest_first_across_feeds_and_document_order_for_ties(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    one = feed_server.add(
        "/one",
        rss(
            "One",
            [
                {"title": "old", "guid": "1", "pubDate": DAY - timedelta(days=3)},
                {"title": "newest", "guid": "2", "pubDate": DAY},
                {"title": "tie-first", "guid": "3", "pubDate": DAY - timedelta(days=1)},
                {"title": "tie-second", "guid": "4", "pubDate": DAY - timedelta(days=1)},
            ],
        ),
    )
    two = feed_server.add(
        "/two", atom("Two", [{"id": "t", "title": "middle", "pubDate": DAY - timedelta(days=2)}])
    )
    service = open_service([{"url": one, "tags": ["a"]}, {"url": two, "tags": ["b"]}])
    service.refresh()
    assert titles(service) == ["newest", "tie-first", "tie-second", "middle", "old"]
    assert titles(service, View("tag", "b")) == ["middle"]
    assert titles(service, View("feed", one)) == ["newest", "tie-first", "tie-second", "old"]
    limited = service.entry_ids(ALL, limit=2)
    assert [e.title for e in service.entries(limited)] == ["newest", "tie-first"]


@pytest.mark.parametrize("kind", ["404", "refused"])
def test_credentials_never_reach_the_stored_error(
    feed_server: FeedServer, open_service: OpenService, kind: str
) -> None:
    port = feed_server.port if kind == "404" else closed_port()
    url = f"http://user:secret@127.0.0.1:{port}/private"
    service = open_service([{"url": url}])
    outcome = only(service.refresh())
    feed = info(service, url)
    assert outcome.error and feed.last_error == outcome.error
    assert "secret" not in feed.last_error and "user:" not in feed.last_error
    if kind == "404":
        assert feed.last_error == "HTTP 404 Not Found"
        assert feed_server.requests[-1].headers["authorization"].startswith("Basic ")


async def test_refresh_feeds_on_storage_directly(feed_server: FeedServer, tmp_path: Path) -> None:
    url = feed_server.add("/f", rss("F", items("a", "b")), etag='"x"')
    storage = Storage(tmp_path / "direct.db")
    try:
        storage.sync_feeds([FeedConfig(url)])
        outcomes = await refresh_feeds(storage, storage.feeds_for_update([url]))
        assert outcomes == [UpdateOutcome(url, new_entries=2)]
        (feed,) = storage.feeds_for_update([url])
        assert feed == FeedForUpdate(url, etag='"x"')
        again = await refresh_feeds(storage, [feed])
        assert again == [UpdateOutcome(url, not_modified=True)]
        assert await refresh_feeds(storage, []) == []
    finally:
        storage.close()


async def test_fetch_refuses_oversized_feeds(feed_server: FeedServer) -> None:
    url = feed_server.add("/big", b"x" * 5000)
    async with make_client() as client:
        result = await fetch_feed(client, FeedForUpdate(url), max_bytes=1000)
        assert result.error is not None and "larger than" in result.error
        assert result.content is None
        small = await fetch_feed(client, FeedForUpdate(url), max_bytes=10_000)
        assert small.content == b"x" * 5000 and small.error is None


async def test_fetch_follows_redirect_loop_to_an_error(feed_server: FeedServer) -> None:
    feed_server.redirect("/a", "/b", status=302)
    url = feed_server.redirect("/b", "/a", status=302)
    async with make_client() as client:
        result = await fetch_feed(client, FeedForUpdate(url))
    assert result.error == "too many redirects (redirect loop?)"


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/feed", "FTP://Example.COM/x"])
async def test_fetch_of_unsupported_scheme_is_an_error(url: str) -> None:
    async with make_client() as client:
        result = await fetch_feed(client, FeedForUpdate(url))
    assert result.error == "unsupported URL scheme ftp: (only http and https)"


def test_httpx_is_the_real_client(feed_server: FeedServer) -> None:
    # Sanity check of the fixture itself with a plain client.
    url = feed_server.add("/plain", "hello", content_type="text/plain", headers={"X-Test": "1"})
    response = httpx.get(url)
    assert (response.status_code, response.text, response.headers["x-test"]) == (200, "hello", "1")
    assert httpx.get(feed_server.url("/nothing")).status_code == 404
