"""The article list reads a big view page by page, and still behaves like one list.

One feed with more articles than several pages hold, stored through the same
call a refresh makes; the Pilot presses real keys.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from reader.config import load_config
from reader.models import ALL, ParsedEntry
from reader.service import Service
from reader.ui.article_list import PAGE, ArticleList
from tests.ui_helpers import FIXED_NOW, make_app, screen_text, store_elsewhere

FEED = "http://127.0.0.1:9/big.xml"  # never fetched: refresh is off
ARTICLES = 3 * PAGE + 37


def store(config: Path, db: Path, entries: list[ParsedEntry]) -> None:
    store_elsewhere(config, db, FEED, entries, title="Big")


def article(number: int, hours_ago: float) -> ParsedEntry:
    return ParsedEntry(
        id=f"a{number}",
        title=f"Article number {number}",
        published=FIXED_NOW - timedelta(hours=hours_ago),
        summary=f"<p>Text {number}</p>",
    )


def view_order(config: Path, db: Path, *, unread_only: bool = False) -> list[int]:
    service = Service(load_config(config), db)
    try:
        return service.entry_ids(ALL, unread_only=unread_only)
    finally:
        service.close()


@pytest.fixture
def big(tmp_path: Path, write_config: Callable[..., Path]) -> tuple[Path, Path]:
    config = write_config(
        tmp_path, [{"url": FEED}], {"refresh_on_start": False, "refresh_interval": "0"}
    )
    db = tmp_path / "big.db"
    store(config, db, [article(n, hours_ago=n) for n in range(ARTICLES)])
    return config, db


async def test_a_big_view_opens_with_one_page_and_reads_on_as_the_cursor_goes(
    big: tuple[Path, Path],
) -> None:
    order = view_order(*big)
    app, _ = make_app(*big)
    async with app.run_test(size=(120, 40)) as pilot:
        articles = app.screen.query_one(ArticleList)
        assert articles.row_total == ARTICLES
        assert str(articles.border_subtitle) == str(ARTICLES)
        await pilot.pause()
        assert PAGE <= len(articles.ids) < ARTICLES  # only what the screen needed
        for _ in range(100):  # page down across a page boundary
            await pilot.press("pagedown")
            assert articles.current_id == order[articles.cursor]
            if articles.cursor > PAGE + 20:
                break
        assert articles.cursor > PAGE + 20
        assert len(articles.ids) < ARTICLES
        await pilot.press("end")
        await pilot.pause()
        assert articles.cursor == ARTICLES - 1
        assert articles.current_id == order[-1]
        assert list(articles.ids) == order
        assert f"Article number {ARTICLES - 1}" in screen_text(app)
        await pilot.press("k", "home")
        assert articles.current_id == order[0]


async def test_an_unread_view_that_shrank_meanwhile_ends_where_its_articles_end(
    big: tuple[Path, Path],
) -> None:
    config, db = big
    app, _ = make_app(config, db)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("u")  # unread only: counted now, read page by page
        articles = app.screen.query_one(ArticleList)
        assert articles.row_total == ARTICLES
        order = view_order(config, db)
        other = Service(load_config(config), db)  # read elsewhere meanwhile
        other.set_read(order[2 * PAGE :][:100], True)
        other.close()
        await pilot.press("end")
        await pilot.pause()
        assert str(articles.border_subtitle) == str(ARTICLES - 100)  # the count shown, too
        assert articles.row_total == ARTICLES - 100
        assert articles.cursor == ARTICLES - 101
        assert articles.current_id == order[-1]
        await pilot.press("enter")  # the last row opens the last article
        await pilot.pause()
        assert f"Article number {ARTICLES - 1}" in screen_text(app)


async def test_the_cursor_stays_on_its_article_when_new_ones_arrive_above(
    big: tuple[Path, Path],
) -> None:
    config, db = big
    app, _ = make_app(config, db)
    async with app.run_test(size=(120, 40)) as pilot:
        articles = app.screen.query_one(ArticleList)
        for _ in range(PAGE + 50):
            articles.action_cursor_down()
        await pilot.pause()
        before = articles.current_id
        assert before is not None and articles.cursor == PAGE + 50
        store(config, db, [article(ARTICLES + n, hours_ago=-1 - n) for n in range(5)])
        await pilot.press("u", "u")  # the list is read again, keeping the article
        assert articles.row_total == ARTICLES + 5
        assert articles.current_id == before
        assert articles.cursor == PAGE + 55


async def test_mark_all_read_covers_rows_never_scrolled_to(big: tuple[Path, Path]) -> None:
    config, db = big
    app, _ = make_app(config, db)
    async with app.run_test(size=(120, 40)) as pilot:
        assert len(app.screen.query_one(ArticleList).ids) < ARTICLES
        await pilot.press("A")
        await pilot.pause()
        assert app.service.counts()[1] == 0
        assert f"Marked {ARTICLES} articles read" in screen_text(app)


async def test_an_article_re_dated_elsewhere_is_listed_once(big: tuple[Path, Path]) -> None:
    config, db = big
    app, _ = make_app(config, db)
    async with app.run_test(size=(120, 40)) as pilot:
        articles = app.screen.query_one(ArticleList)
        await pilot.pause()  # the first screen is drawn: its page is read
        assert PAGE <= len(articles.ids) < ARTICLES
        assert articles.ids[3] == view_order(config, db)[3]
        # A refresh elsewhere dates an article already listed much older:
        # it now also sorts among the rows not read yet.
        moved = article(3, hours_ago=ARTICLES - 10)
        store(config, db, [article(n, hours_ago=n) for n in range(ARTICLES) if n != 3] + [moved])
        await pilot.press("end")
        await pilot.pause()
        assert len(articles.ids) == len(set(articles.ids)) == ARTICLES
        assert set(articles.ids) == set(view_order(config, db))
