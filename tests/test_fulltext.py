"""Full text end to end: article pages on a real local server, a real database, the CLI and UI."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reader import fulltext
from reader.concurrency import in_daemon_thread
from reader.config import load_config
from reader.models import ALL
from reader.service import Service
from tests.feedserver import FeedServer, rss, write_config
from tests.harness import OpenService, Run

ARTICLE_SENTENCES = [
    "The river rose four metres overnight, flooding the old market square for the first time.",
    "Volunteers stacked sandbags along the embankment while the mayor asked people to stay in.",
    "Engineers said the new flood wall held, but warned that the forecast showed more rain.",
    "Shop owners in the lower town began moving stock upstairs before dawn, again this year.",
]
BOILERPLATE = [
    "Accept all cookies",
    "Subscribe to our newsletter",
    "Share on Facebook",
    "Read also",
]


def article_page(title: str = "Flood in the old town") -> str:
    paragraphs = "".join(f"<p>{sentence}</p>" for sentence in ARTICLE_SENTENCES)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{title} | Daily</title>
<script>var tracking = "SECRET-TRACKER";</script><style>.x{{color:red}}</style></head>
<body>
<div class="cookie-banner">Accept all cookies <button>OK</button></div>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/sport">Sport</a></li></ul></nav>
<main><article><h1>{title}</h1><p class="byline">By Ana Writer</p>
{paragraphs}
<h2>What happens next</h2><p>The council will meet on Monday to decide on
<a href="/aid">emergency aid</a> for the families affected.</p>
</article>
<aside><h3>Read also</h3>
<ul><li><a href="/a">Another story about something else entirely</a></li></ul></aside>
<div class="share">Share on Facebook · Share on X</div></main>
<footer>Subscribe to our newsletter · © Daily 2026 · Privacy · Terms</footer>
</body></html>"""


def item(n: int, link: str) -> dict[str, str]:
    return {"title": f"Story {n}", "link": link, "guid": f"s{n}", "description": f"Teaser {n}."}


def served_feed(feed_server: FeedServer, pages: int = 2) -> str:
    items = []
    for n in range(pages):
        page = feed_server.add(
            f"/story/{n}", article_page(), content_type="text/html; charset=utf-8"
        )
        items.append(item(n, page))
    return feed_server.add("/feed.xml", rss("Daily", items))


def full_text_words(service: Service) -> list[str | None]:
    return [e.full_text for e in service.entries(service.entry_ids(ALL))]


def test_fetch_full_text_stores_the_article_and_reads_offline(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    url = served_feed(feed_server, pages=1)
    service = open_service([{"url": url}])
    service.refresh()
    (entry_id,) = service.entry_ids(ALL)
    entry = service.fetch_full_text(entry_id)
    assert entry is not None and entry.full_text is not None and entry.full_text_error is None
    for sentence in ARTICLE_SENTENCES:
        assert sentence in entry.full_text
    for junk in [*BOILERPLATE, "SECRET-TRACKER"]:
        assert junk not in entry.full_text
    feed_server.remove("/story/0")  # offline from now on: the stored text is what counts
    again = open_service([{"url": url}])
    stored = again.entry(entry_id)
    assert stored is not None and stored.full_text == entry.full_text


def test_a_failed_page_keeps_the_feed_content_and_says_why(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    feed = feed_server.add("/feed.xml", rss("D", [item(0, feed_server.url("/gone"))]))
    service = open_service([{"url": feed}])
    service.refresh()
    (entry_id,) = service.entry_ids(ALL)
    entry = service.fetch_full_text(entry_id)
    assert entry is not None and entry.full_text is None
    assert entry.full_text_error == "HTTP 404 Not Found"
    assert entry.summary == "Teaser 0."


@pytest.mark.parametrize(
    ("link", "reason"),
    [
        ("mailto:someone@example.org", "not a web page"),
        ("javascript:alert(1)", "not a web page"),
        ("", "no link"),
    ],
)
def test_links_that_are_not_web_pages_are_not_fetched(
    feed_server: FeedServer, open_service: OpenService, link: str, reason: str
) -> None:
    entry = {"title": "x", "guid": "g", "description": "d"}
    if link:
        entry["link"] = link
    feed = feed_server.add("/feed.xml", rss("D", [entry]))
    service = open_service([{"url": feed}])
    service.refresh()
    (entry_id,) = service.entry_ids(ALL)
    fetched = service.fetch_full_text(entry_id)
    assert fetched is not None and fetched.full_text is None
    assert fetched.full_text_error is not None and reason in fetched.full_text_error


def test_full_text_feeds_get_new_articles_fetched_after_a_refresh(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    auto = served_feed(feed_server, pages=2)
    plain = feed_server.add("/plain.xml", rss("Plain", [item(9, feed_server.url("/story/0"))]))
    service = open_service([{"url": auto, "full_text": True}, {"url": plain}])
    service.refresh()
    pages = service.fetch_new_full_texts()
    assert len(pages) == 2 and all(page.error is None for page in pages)
    by_feed = {e.feed_url: e for e in service.entries(service.entry_ids(ALL))}
    assert by_feed[plain].full_text is None
    assert by_feed[auto].full_text is not None
    # Nothing left to do: the next run fetches no page again.
    assert service.fetch_new_full_texts() == []
    assert len(feed_server.requests_for("/story/1")) == 1


def test_the_settings_default_and_a_feed_can_opt_out(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    auto = served_feed(feed_server, pages=1)
    service = open_service([{"url": auto}], {"full_text": True})
    assert service.full_text_enabled(auto)
    opted_out = open_service([{"url": auto, "full_text": False}], {"full_text": True})
    assert not opted_out.full_text_enabled(auto)


def test_failures_are_retried_later_not_at_every_refresh(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    feed = feed_server.add("/feed.xml", rss("D", [item(0, feed_server.url("/flaky"))]))
    service = open_service([{"url": feed, "full_text": True}])
    service.refresh()
    (failed,) = service.fetch_new_full_texts()
    assert failed.error == "HTTP 404 Not Found"
    assert service.fetch_new_full_texts() == []  # not again right away
    assert len(feed_server.requests_for("/flaky")) == 1
    # f (fetch_full_text) tries at once, whatever the schedule.
    feed_server.add("/flaky", article_page(), content_type="text/html")
    (entry_id,) = service.entry_ids(ALL)
    entry = service.fetch_full_text(entry_id)
    assert entry is not None and entry.full_text is not None


def test_retry_schedule_doubles() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    before = fulltext.retry_before(now)
    assert now - before(1) == timedelta(hours=6)
    assert now - before(2) == timedelta(hours=12)
    assert now - before(3) == timedelta(hours=24)


# -- the CLI --------------------------------------------------------------------------


def test_show_full_text_fetches_then_reads_from_the_cache(
    feed_server: FeedServer, tmp_path: Path, run: Callable[..., Run]
) -> None:
    url = served_feed(feed_server, pages=1)
    config = write_config(tmp_path, [{"url": url}])
    opts = ["--config", config, "--db", tmp_path / "x.db"]
    assert run(*opts, "refresh").code == 0
    service = Service(load_config(config), tmp_path / "x.db")
    (entry_id,) = service.entry_ids(ALL)
    service.close()
    shown = run(*opts, "show", str(entry_id), "--full-text")
    assert shown.code == 0, shown.err
    assert ARTICLE_SENTENCES[2][:40] in shown.out.replace("\n", " ")
    assert "Accept all cookies" not in shown.out
    feed_server.remove("/story/0")
    cached = run(*opts, "show", str(entry_id), "--full-text", "--json")
    assert cached.code == 0
    import json

    data = json.loads(cached.out)
    assert ARTICLE_SENTENCES[0][:40] in data["full_text"].replace("\n", " ")
    plain = json.loads(run(*opts, "show", str(entry_id), "--json").out)
    assert plain["full_text"] is not None  # cached: --json always includes it


def test_show_full_text_failure_is_one_line_and_shows_the_feed_content(
    feed_server: FeedServer, tmp_path: Path, run: Callable[..., Run]
) -> None:
    feed = feed_server.add("/feed.xml", rss("D", [item(0, feed_server.url("/missing"))]))
    config = write_config(tmp_path, [{"url": feed}])
    opts = ["--config", config, "--db", tmp_path / "x.db"]
    run(*opts, "refresh")
    result = run(*opts, "show", "1", "--full-text")
    assert result.code == 1
    assert result.err.splitlines() == [
        "newsreader: no full text for article 1: HTTP 404 Not Found; showing the feed's content"
    ]
    assert "Teaser 0." in result.out


def test_refresh_fetches_full_text_for_feeds_that_want_it(
    feed_server: FeedServer, tmp_path: Path, run: Callable[..., Run]
) -> None:
    url = served_feed(feed_server, pages=2)
    config = write_config(tmp_path, [{"url": url, "full_text": True}])
    result = run("--config", config, "--db", tmp_path / "x.db", "refresh")
    assert result.code == 0
    assert result.out.splitlines()[-1] == "full text: 2 articles extracted, 0 failed"
    again = run("--config", config, "--db", tmp_path / "x.db", "refresh")
    assert "full text" not in again.out


# -- the UI ---------------------------------------------------------------------------


async def test_f_fetches_shows_and_toggles_the_full_text(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    from reader.ui.article_view import ArticleView
    from tests.ui_helpers import make_app, screen_text, settle, until

    url = served_feed(feed_server, pages=1)
    config = write_config(tmp_path, [{"url": url}], {"refresh_on_start": False})
    db = tmp_path / "x.db"
    setup = Service(load_config(config), db)
    await asyncio.to_thread(setup.refresh)  # the test's own loop is running
    setup.close()
    app, _ = make_app(config, db)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert "Teaser 0." in screen_text(app)
        await pilot.press("f")
        view = app.screen.query_one(ArticleView)
        await until(pilot, lambda: view.entry is not None and view.entry.full_text is not None)
        await settle(pilot)
        text = screen_text(app)
        assert "full text" in text
        assert "The river rose four metres overnight" in text
        assert "Accept all cookies" not in text and "Teaser 0." not in text
        # Stored: another process reads it offline.
        reader = Service(load_config(config), db)
        assert reader.entries(reader.entry_ids(ALL))[0].full_text is not None
        reader.close()
        await pilot.press("f")
        await pilot.pause()
        text = screen_text(app)
        assert "feed summary" in text and "Teaser 0." in text
        await pilot.press("f")  # cached now: no second request
        await pilot.pause()
        assert "The river rose four metres overnight" in screen_text(app)
        assert len(feed_server.requests_for("/story/0")) == 1


async def test_f_failure_keeps_the_summary_and_says_why(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    from reader.ui.main_screen import StatusLine
    from tests.ui_helpers import make_app, screen_text, settle

    feed = feed_server.add("/feed.xml", rss("D", [item(0, feed_server.url("/missing"))]))
    config = write_config(tmp_path, [{"url": feed}], {"refresh_on_start": False})
    db = tmp_path / "x.db"
    setup = Service(load_config(config), db)
    await asyncio.to_thread(setup.refresh)  # the test's own loop is running
    setup.close()
    app, _ = make_app(config, db)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter", "f")
        await settle(pilot)
        text = screen_text(app)
        assert "Teaser 0." in text
        assert "HTTP 404 Not Found" in text
        status = str(app.screen.query_one(StatusLine).render())
        assert status == "No full text: HTTP 404 Not Found"


async def test_a_full_text_feed_opens_on_its_full_text(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    from tests.ui_helpers import make_app, screen_text, settle

    url = served_feed(feed_server, pages=1)
    config = write_config(tmp_path, [{"url": url, "full_text": True}], {"refresh_on_start": False})
    app, _ = make_app(config, tmp_path / "x.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("R")
        await settle(pilot)
        assert len(feed_server.requests_for("/story/0")) == 1  # fetched after the refresh
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(app)
        assert "full text" in text and "The river rose four metres overnight" in text


# -- review fixes: stopping, retries, offline, busy sites -----------------------------


def test_a_stopped_fetch_returns_without_waiting_for_the_page(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    hanging = feed_server.hang("/slow-page")
    feed = feed_server.add("/feed.xml", rss("D", [item(0, hanging)]))
    service = open_service([{"url": feed}])
    service.refresh()
    (entry_id,) = service.entry_ids(ALL)
    entry = service.fetch_full_text(entry_id, should_stop=lambda: True)  # timeout is 30 s
    assert entry is not None and entry.full_text is None and entry.full_text_error is None


def test_an_extraction_thread_is_never_waited_for() -> None:
    """Quitting mid-extraction: asyncio.run returns though the thread still works."""
    import threading

    from reader.models import FetchResult

    release = threading.Event()

    def stuck(result: FetchResult) -> tuple[str | None, str | None]:
        release.wait(60)
        return None, "late"

    async def main() -> None:
        task = asyncio.ensure_future(in_daemon_thread(stuck, FetchResult("x")))
        await asyncio.sleep(0.05)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    runner = threading.Thread(target=lambda: asyncio.run(main()))
    runner.start()
    runner.join(10)
    try:
        assert not runner.is_alive()
    finally:
        release.set()


def test_failed_pages_come_back_after_their_wait(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    feed = feed_server.add("/feed.xml", rss("D", [item(0, feed_server.url("/missing"))]))
    service = open_service([{"url": feed, "full_text": True}])
    service.refresh()
    (entry_id,) = service.entry_ids(ALL)
    storage = service.storage
    now = datetime.now(UTC)

    def candidates(at: datetime) -> list[tuple[int, str]]:
        return storage.full_text_candidates(
            [feed],
            seen_since=at - fulltext.RECENT,
            retry_before=fulltext.retry_before(at),
            max_attempts=fulltext.MAX_ATTEMPTS,
            limit=10,
        )

    assert [c[0] for c in candidates(now)] == [entry_id]  # never tried
    for attempt, wait in enumerate((6, 12, 24), start=1):
        storage.store_full_text(entry_id, None, "HTTP 404 Not Found", now)
        assert candidates(now + timedelta(hours=wait - 1)) == []
        assert [c[0] for c in candidates(now + timedelta(hours=wait + 1))] == [entry_id], attempt
    storage.store_full_text(entry_id, None, "HTTP 404 Not Found", now)  # the fourth failure
    assert candidates(now + timedelta(days=5)) == []  # given up: only f tries again


def test_offline_failures_do_not_use_up_tries(open_service: OpenService, tmp_path: Path) -> None:
    from tests.feedserver import closed_port

    dead = f"http://127.0.0.1:{closed_port()}/page"
    with FeedServer() as feed_server:
        feed = feed_server.add("/feed.xml", rss("D", [item(0, dead)]))
        service = open_service([{"url": feed, "full_text": True}])
        service.refresh()
    (failed,) = service.fetch_new_full_texts()
    assert failed.error == "connection refused"
    (again,) = service.fetch_new_full_texts()  # at once: that try did not count
    assert again.error == "connection refused"


def test_a_busy_site_is_left_alone_for_the_rest_of_the_run(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    busy = [
        feed_server.add(f"/busy/{n}", b"", status=429, headers={"Retry-After": "60"})
        for n in range(6)
    ]
    feed = feed_server.add("/feed.xml", rss("D", [item(n, url) for n, url in enumerate(busy)]))
    service = open_service([{"url": feed, "full_text": True}])
    service.refresh()
    pages = service.fetch_new_full_texts()
    assert len(pages) == 6 and all(page.error for page in pages)
    requests = sum(len(feed_server.requests_for(f"/busy/{n}")) for n in range(6))
    assert requests <= fulltext.PAGES_PER_HOST  # the first answers stopped the rest
    assert len(service.fetch_new_full_texts()) == 6  # none of it counted against the articles


async def test_f_on_another_article_of_a_full_text_feed_shows_its_full_text(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    from tests.ui_helpers import make_app, screen_text, settle

    url = served_feed(feed_server, pages=2)
    config = write_config(tmp_path, [{"url": url, "full_text": True}], {"refresh_on_start": False})
    app, _ = make_app(config, tmp_path / "x.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("enter", "j", "f")  # the cursor is on the other article
        await pilot.pause()
        text = screen_text(app)
        assert "Story 0" in text and "full text" in text
        assert "The river rose four metres overnight" in text


async def test_f_reads_a_full_text_stored_after_the_article_opened(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    from tests.ui_helpers import make_app, screen_text

    url = served_feed(feed_server, pages=1)
    config = write_config(tmp_path, [{"url": url}], {"refresh_on_start": False})
    db = tmp_path / "x.db"
    setup = Service(load_config(config), db)
    await asyncio.to_thread(setup.refresh)
    setup.close()
    app, _ = make_app(config, db)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        other = Service(load_config(config), db)  # another process: `show --full-text`
        (entry_id,) = other.entry_ids(ALL)
        await asyncio.to_thread(other.fetch_full_text, entry_id)
        other.close()
        await pilot.press("f")
        await pilot.pause()
        assert "The river rose four metres overnight" in screen_text(app)
        assert len(feed_server.requests_for("/story/0")) == 1  # read from the cache
