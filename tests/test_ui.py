"""The UI driven through the Pilot with real keys, a real server and a real database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reader.config import load_config
from reader.service import Service
from reader.ui.article_list import ArticleList
from reader.ui.article_view import ArticleView
from reader.ui.feed_pane import FeedPane
from reader.ui.help_screen import HelpScreen
from reader.ui.main_screen import MainScreen, StatusLine
from tests.feedserver import FeedServer, rss
from tests.ui_helpers import make_app, screen_text, settle, until

TECH_ITEMS = [
    {
        "title": f"Tech story {n}",
        "link": f"https://tech.example/{n}",
        "guid": f"tech-{n}",
        "pubDate": f"Mon, 0{n} Nov 2026 10:00:00 GMT",
        "description": f"<p>Body of tech story {n} with <b>bold</b> words.</p>",
    }
    for n in range(1, 4)
]
NEWS_ITEMS = [
    {
        "title": f"News item {n}",
        "link": f"https://news.example/{n}",
        "guid": f"news-{n}",
        "pubDate": f"Tue, 1{n} Nov 2026 08:00:00 GMT",
        "description": f"<p>News body {n}.</p>",
    }
    for n in range(1, 3)
]


@pytest.fixture
def populated(
    tmp_path: Path, feed_server: FeedServer, write_config: Callable[..., Path]
) -> tuple[Path, Path]:
    """A config with two working feeds and a broken one, already fetched once."""
    tech = feed_server.add("/tech.xml", rss("Tech Feed", TECH_ITEMS))
    news = feed_server.add("/news.xml", rss("News Feed", NEWS_ITEMS))
    broken = feed_server.url("/missing.xml")
    config = write_config(
        tmp_path,
        [
            {"url": tech, "tags": ["tech"]},
            {"url": news, "title": "The News", "tags": ["news", "world"]},
            {"url": broken, "title": "Broken One"},
        ],
        {"refresh_on_start": False, "refresh_interval": "0"},
    )
    db = tmp_path / "test.db"
    service = Service(load_config(config), db)
    service.refresh()
    service.close()
    return config, db


def _db_flags(config: Path, db: Path) -> dict[str, tuple[bool, bool]]:
    service = Service(load_config(config), db)
    try:
        from reader.models import ALL

        entries = service.entries(service.entry_ids(ALL))
        return {e.title: (e.read, e.starred) for e in entries}
    finally:
        service.close()


async def test_three_panes_show_feeds_counts_and_articles(populated: tuple[Path, Path]) -> None:
    app, _ = make_app(*populated)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        for expected in ("All", "Unread", "Starred", "tech", "news", "world", "The News"):
            assert expected in text
        assert "Tech Feed" in text
        assert "⚠" in text and "Broken One" in text
        assert "News item 2" in text  # newest first: News items are later than Tech
        articles = app.screen.query_one(ArticleList)
        assert len(articles.ids) == 5
        first = articles.row(articles.ids[0])
        assert first is not None and first.title == "News item 2"


async def test_open_article_shows_text_and_marks_read(populated: tuple[Path, Path]) -> None:
    app, _ = make_app(*populated)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("j", "enter")
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        assert view.entry is not None and view.entry.title == "News item 1"
        assert "News body 1." in screen_text(app)
        assert _db_flags(*populated)["News item 1"] == (True, False)
        text = screen_text(app)
        assert "Unread" in text
        assert app.screen.query_one(FeedPane).cursor == 0


async def test_mark_unread_and_star_change_counts(populated: tuple[Path, Path]) -> None:
    app, _ = make_app(*populated)
    async with app.run_test(size=(120, 40)) as pilot:
        service = app.service
        assert service.counts() == (5, 5, 0)
        await pilot.press("enter")  # opens News item 2, marks read
        await pilot.pause()
        assert service.counts() == (5, 4, 0)
        await pilot.press("m")
        assert service.counts() == (5, 5, 0)
        await pilot.press("s")
        await pilot.pause()
        assert service.counts() == (5, 5, 1)
        assert _db_flags(*populated)["News item 2"] == (False, True)
        assert "★" in screen_text(app)
        await pilot.press("s", "m")
        assert service.counts() == (5, 4, 0)


async def test_refresh_all_brings_new_articles(
    populated: tuple[Path, Path], feed_server: FeedServer
) -> None:
    app, _ = make_app(*populated)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("j")
        selected = app.screen.query_one(ArticleList).current_id
        new_item = {
            "title": "Fresh tech story",
            "guid": "tech-new",
            "link": "https://tech.example/new",
            "pubDate": "Wed, 25 Nov 2026 09:00:00 GMT",
        }
        feed_server.add("/tech.xml", rss("Tech Feed", [new_item, *TECH_ITEMS]))
        await pilot.press("R")
        await settle(pilot)
        articles = app.screen.query_one(ArticleList)
        assert len(articles.ids) == 6
        assert "Fresh tech story" in screen_text(app)
        assert articles.current_id == selected  # selection kept
        status = str(app.screen.query_one(StatusLine).render())
        assert "1 new" in status


async def test_unread_only_toggle(populated: tuple[Path, Path]) -> None:
    app, _ = make_app(*populated)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter", "j", "enter")  # read two articles
        await pilot.pause()
        await pilot.press("u")
        articles = app.screen.query_one(ArticleList)
        assert len(articles.ids) == 3
        await pilot.press("u")
        assert len(articles.ids) == 5


async def test_mark_all_read_in_view(populated: tuple[Path, Path]) -> None:
    app, _ = make_app(*populated)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("A")
        await pilot.pause()
        assert app.service.counts() == (5, 0, 0)
        assert "Marked 5 articles read" in screen_text(app)


async def test_next_and_previous_unread_and_space(populated: tuple[Path, Path]) -> None:
    app, _ = make_app(*populated)
    async with app.run_test(size=(120, 40)) as pilot:
        articles = app.screen.query_one(ArticleList)
        await pilot.press("enter")  # read index 0
        await pilot.press("j", "enter")  # read index 1
        await pilot.press("k", "k")
        await pilot.press("n")  # next unread after index 0 is index 2
        await pilot.pause()
        assert articles.cursor == 2
        view = app.screen.query_one(ArticleView)
        assert view.entry is not None and view.entry.id == articles.ids[2]
        await pilot.press("space")  # short article: goes on to the next unread
        await pilot.pause()
        assert articles.cursor == 3
        await pilot.press("p")  # index 2 is read now; 1 and 0 too
        await pilot.pause()
        assert articles.cursor == 3
        assert "No more unread" in screen_text(app)


async def test_feed_pane_navigation_filters_articles(populated: tuple[Path, Path]) -> None:
    app, _ = make_app(*populated)
    async with app.run_test(size=(120, 40)) as pilot:
        assert isinstance(app.screen, MainScreen)
        await pilot.press("shift+tab")  # to the feed pane
        pane = app.screen.query_one(FeedPane)
        assert app.focused is pane
        # All, Unread, Starred, ▾ news, The News, ▾ tech, Tech Feed, ▾ world, The News, ...
        await pilot.press("j", "j", "j")
        articles = app.screen.query_one(ArticleList)
        view = app.screen.view
        assert view.kind == "tag" and view.key == "news"
        assert len(articles.ids) == 2
        await pilot.press("j", "j", "j")
        view = app.screen.view
        assert view.kind == "feed" and "tech.xml" in view.key
        assert len(articles.ids) == 3
        await pilot.press("enter")
        assert app.screen.focused is articles
        await pilot.press("shift+tab")
        await pilot.press("j", "j", "j", "j")  # ▾ world, The News, ▾ untagged, Broken One
        view = app.screen.view
        assert view.kind == "feed" and "missing.xml" in view.key
        await pilot.pause()
        text = screen_text(app)
        assert "HTTP 404" in text
        assert "No articles. Last fetch failed" in text


async def test_open_link_uses_opener_and_refuses_other_schemes(
    tmp_path: Path, feed_server: FeedServer, write_config: Callable[..., Path]
) -> None:
    items = [
        {
            "title": "Good",
            "link": "https://good.example/a",
            "guid": "1",
            "pubDate": "Mon, 02 Nov 2026 10:00:00 GMT",
        },
        {
            "title": "Evil",
            "link": "javascript:alert(1)",
            "guid": "2",
            "pubDate": "Mon, 01 Nov 2026 10:00:00 GMT",
        },
    ]
    url = feed_server.add("/f.xml", rss("Links", items))
    config = write_config(
        tmp_path, [{"url": url}], {"refresh_on_start": True, "refresh_interval": "0"}
    )
    app, opener = make_app(config, tmp_path / "db.sqlite")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        assert opener.opened == ["https://good.example/a"]
        await pilot.press("j", "o")
        await pilot.pause()
        assert opener.opened == ["https://good.example/a"]
        assert "refusing to open a link with javascript scheme" in screen_text(app)


async def test_hostile_feed_text_is_shown_literally(
    tmp_path: Path, feed_server: FeedServer, write_config: Callable[..., Path]
) -> None:
    evil_title = "[@click=app.quit]Click me[/] [bold red]loud[/] \x1b]0;pwned\x07\x1b[2J end"
    items = [
        {
            "title": evil_title,
            "guid": "x",
            "link": "https://evil.example/x",
            "pubDate": "Mon, 02 Nov 2026 10:00:00 GMT",
            "description": (
                "<p>[/] [@click=app.quit]body[/] \x1b[31mred</p><script>alert(1)</script>"
            ),
        }
    ]
    url = feed_server.add("/evil.xml", rss("[b]Evil[/b] \x1b]2;title\x07feed", items))
    config = write_config(
        tmp_path, [{"url": url}], {"refresh_on_start": True, "refresh_interval": "0"}
    )
    app, _ = make_app(config, tmp_path / "db.sqlite")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(app)
        assert "[@click=app.quit]Click me[/] [bold red]loud[/]" in text
        assert "[b]Evil[/b]" in text
        assert "[@click=app.quit]body[/]" in text
        assert "\x1b" not in text and "pwned" not in text
        assert "alert(1)" not in text
        await pilot.click(ArticleView)
        assert app.is_running


async def test_help_screen_opens_and_closes(populated: tuple[Path, Path]) -> None:
    app, _ = make_app(*populated)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert "mark every article in the view read" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_quit_with_q(populated: tuple[Path, Path]) -> None:
    app, _ = make_app(*populated)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_config_reload_adds_and_fetches_new_feed(
    populated: tuple[Path, Path], feed_server: FeedServer
) -> None:
    config, db = populated
    extra = feed_server.add(
        "/extra.xml", rss("Extra Feed", [{"title": "Extra story", "guid": "e1"}])
    )
    app, _ = make_app(config, db)
    async with app.run_test(size=(120, 40)) as pilot:
        text = config.read_text(encoding="utf-8")
        config.write_text(text + f'\n[[feeds]]\nurl = "{extra}"\ntags = ["extra"]\n', "utf-8")
        await pilot.press("ctrl+r")
        await settle(pilot)
        screen = screen_text(app)
        assert "Extra Feed" in screen and "Extra story" in screen
        # A broken config keeps the old one and says why.
        config.write_text("[[feeds]]\nurl = 3\n", "utf-8")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert "Config not reloaded" in screen_text(app)
        assert "Extra Feed" in screen_text(app)


async def test_removed_feed_disappears(populated: tuple[Path, Path]) -> None:
    config, db = populated
    app, _ = make_app(config, db)
    async with app.run_test(size=(120, 40)) as pilot:
        lines = config.read_text(encoding="utf-8").split("[[feeds]]")
        config.write_text("[[feeds]]".join(lines[:2]), "utf-8")  # keep settings + tech only
        await pilot.press("ctrl+r")
        await pilot.pause()
        text = screen_text(app)
        assert "The News" not in text and "News item" not in text
        assert len(app.screen.query_one(ArticleList).ids) == 3


async def test_mouse_click_opens_article(populated: tuple[Path, Path]) -> None:
    app, _ = make_app(*populated)
    async with app.run_test(size=(120, 40)) as pilot:
        articles = app.screen.query_one(ArticleList)
        await pilot.click(ArticleList, offset=(10, 2))  # border row + second article
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        assert view.entry is not None and view.entry.id == articles.ids[1]


@pytest.mark.parametrize("size", [(80, 24), (60, 20), (200, 60)])
async def test_layout_at_different_sizes(
    populated: tuple[Path, Path], size: tuple[int, int]
) -> None:
    app, _ = make_app(*populated)
    async with app.run_test(size=size) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(app)
        assert "News item 2" in text
        assert "News body 2." in text


async def test_r_refreshes_only_the_selected_feed(
    populated: tuple[Path, Path], feed_server: FeedServer
) -> None:
    app, _ = make_app(*populated)
    async with app.run_test(size=(120, 40)) as pilot:
        before = len(feed_server.requests)
        await pilot.press("shift+tab", "j", "j", "j", "j")  # ▾ news, then The News
        assert isinstance(app.screen, MainScreen)
        assert app.screen.view.kind == "feed" and "news.xml" in app.screen.view.key
        await pilot.press("r")
        await settle(pilot)
        paths = [r.path for r in feed_server.requests[before:]]
        assert paths == ["/news.xml"]
        assert "Refreshed 1 feed" in screen_text(app)


async def test_refresh_progress_and_notices_are_shown(
    populated: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    config, db = populated
    said: list[str] = []
    original_say = StatusLine.say

    def recording_say(self: StatusLine, message: str, *, error: bool = False) -> None:
        said.append(message)
        original_say(self, message, error=error)

    monkeypatch.setattr(StatusLine, "say", recording_say)
    service = Service(load_config(config), db)
    from reader.ui.app import NewsReaderApp
    from tests.ui_helpers import FIXED_NOW, RecordingOpener

    app = NewsReaderApp(
        service, clock=lambda: FIXED_NOW, opener=RecordingOpener(), notices=["hello [b]there[/b]"]
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        shown = [(n.message, n.markup) for n in app._notifications]
        assert shown == [("hello [b]there[/b]", False)]
        await pilot.press("R")
        await settle(pilot)
        progress = [m for m in said if m.startswith("⟳ Refreshing")]
        assert progress[0] == "⟳ Refreshing 0/3…"
        assert progress[-1] == "⟳ Refreshing 3/3…"
        # The feed that failed before is backing off: R skips it and says so.
        assert said[-1].startswith(
            "Refreshed 2 feeds: 0 new, 1 skipped (not due yet or asked to wait; the first is due "
        )


async def test_hostile_feed_title_and_tag_in_the_feed_pane(
    tmp_path: Path, feed_server: FeedServer, write_config: Callable[..., Path]
) -> None:
    """Titles and tags reach border titles too: they must stay literal there."""
    item = {"title": "plain", "guid": "1", "pubDate": "Mon, 02 Nov 2026 10:00:00 GMT"}
    url = feed_server.add("/t.xml", rss("Close [/] tag [@click=app.quit]x[/]", [item]))
    config = write_config(
        tmp_path,
        [{"url": url, "tags": ["[/]oops [bold]"]}],
        {"refresh_on_start": True, "refresh_interval": "0"},
    )
    app, _ = make_app(config, tmp_path / "db.sqlite")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("shift+tab", "j", "j", "j")  # the tag header
        assert isinstance(app.screen, MainScreen)
        assert app.screen.view.kind == "tag"
        assert "[/]oops [bold]" in screen_text(app)
        await pilot.press("j")  # the feed itself
        assert app.screen.view.kind == "feed"
        text = screen_text(app)
        assert "Close [/] tag [@click=app.quit]x[/]" in text
        await pilot.click(ArticleList, offset=(10, 0))  # on the border title
        assert app.is_running


async def test_tiny_terminal_still_reaches_the_feed_pane(populated: tuple[Path, Path]) -> None:
    app, _ = make_app(*populated)
    async with app.run_test(size=(56, 20)) as pilot:
        await pilot.pause()
        pane = app.screen.query_one(FeedPane)
        assert pane.size.width == 0  # collapsed while the list has focus
        await pilot.press("shift+tab")
        await pilot.pause()
        assert app.focused is pane and pane.size.width > 20
        await pilot.press("j", "j", "enter")  # Starred
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and app.screen.view.kind == "starred"
        assert pane.size.width == 0


async def test_reloaded_settings_take_effect(populated: tuple[Path, Path]) -> None:
    config, db = populated
    app, _ = make_app(config, db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen._refresh_timer is None  # refresh_interval = "0"
        text = config.read_text(encoding="utf-8").replace('"0"', '"45m"')
        config.write_text(text, encoding="utf-8")
        await pilot.press("ctrl+r")
        assert screen._refresh_timer is not None
        assert app.service.config.settings.refresh_interval == 45 * 60


async def test_a_crash_is_logged_and_summarised_not_dumped(
    populated: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.logs import setup_logging

    log = setup_logging(tmp_path / "logs" / "newsreader.log")
    assert log is not None
    app, _ = make_app(*populated)

    def broken_entry(entry_id: int) -> None:
        raise RuntimeError("boom [/] \x1b[2J")

    monkeypatch.setattr(app.service, "entry", broken_entry)
    with pytest.raises(RuntimeError):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("enter")
            await pilot.pause()
    assert app.crash == "RuntimeError: boom [/]"
    details = log.read_text(encoding="utf-8")
    assert "unexpected error in the UI" in details and "Traceback" in details


async def test_n_first_opens_the_unread_article_under_the_cursor(
    populated: tuple[Path, Path],
) -> None:
    app, _ = make_app(*populated)
    async with app.run_test(size=(120, 40)) as pilot:
        articles = app.screen.query_one(ArticleList)
        await pilot.press("n")
        view = app.screen.query_one(ArticleView)
        assert articles.cursor == 0
        assert view.entry is not None and view.entry.id == articles.ids[0]
        await pilot.press("n")
        assert articles.cursor == 1 and view.entry.id == articles.ids[1]


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    import socket

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/feed.xml"
    finally:
        listener.close()


async def test_a_refresh_can_be_stopped_without_waiting_for_slow_servers(
    tmp_path: Path, silent_server: str, write_config: Callable[..., Path]
) -> None:
    config = write_config(
        tmp_path,
        [{"url": silent_server}],
        {"refresh_on_start": False, "refresh_interval": "0", "timeout": "10m"},
    )
    app, _ = make_app(config, tmp_path / "db.sqlite")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("R")
        screen = app.screen
        assert isinstance(screen, MainScreen) and screen.refreshing
        app.workers.cancel_group(screen, "refresh")  # what quitting does
        await until(pilot, lambda: not screen.refreshing)  # not after 10 minutes
        assert "Refresh stopped after 0 of 1" in screen_text(app)
        await pilot.press("R")  # and the next refresh is not blocked by the stopped one
        assert screen.refreshing and "Refreshing 0/1" in screen_text(app)
        app.workers.cancel_group(screen, "refresh")
        await until(pilot, lambda: not screen.refreshing)


async def test_mark_all_read_spares_articles_that_arrived_unseen(
    populated: tuple[Path, Path],
) -> None:
    config, db = populated
    app, _ = make_app(config, db)
    async with app.run_test(size=(120, 40)) as pilot:
        from reader.models import ParsedEntry
        from tests.ui_helpers import store_elsewhere

        tech = next(f.url for f in load_config(config).feeds if "tech" in f.url)
        store_elsewhere(config, db, tech, [ParsedEntry(id="late", title="Late news")])
        await pilot.press("A")
        assert app.service.counts() == (6, 1, 0)


async def test_a_database_failure_is_a_message_not_a_crash(
    populated: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    app, _ = make_app(*populated)

    def locked(ids: object, starred: bool) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(app.service, "set_starred", locked)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        assert "Not saved: the database is busy" in screen_text(app)
        assert app.is_running


def _with_theme(config: Path, theme: str) -> None:
    """The config's ``[settings] theme`` set to ``theme`` (replaced, if it has one)."""
    lines = config.read_text(encoding="utf-8").splitlines(keepends=True)
    lines = [line for line in lines if not line.startswith("theme = ")]
    lines.insert(lines.index("[settings]\n") + 1, f'theme = "{theme}"\n')
    config.write_text("".join(lines), encoding="utf-8")


async def test_theme_setting_applies_at_start_and_on_reload_with_an_article_open(
    populated: tuple[Path, Path],
) -> None:
    config, db = populated
    _with_theme(config, "nord")
    app, _ = make_app(config, db)
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.theme == "nord"
        await pilot.press("enter")
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        _with_theme(config, "solarized-light")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert app.theme == "solarized-light"  # the repaint: test_reading_view
        assert view.entry is not None and "News body 2" in screen_text(app)  # still open


async def test_an_unknown_theme_is_a_warning_naming_the_themes_and_colours_stay(
    populated: tuple[Path, Path],
) -> None:
    config, db = populated
    _with_theme(config, "no-such-theme")
    app, _ = make_app(config, db)
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"
        (warning,) = [n.message for n in app._notifications if "no-such-theme" in n.message]
        assert "[settings] theme 'no-such-theme' is not one of" in warning
        assert "textual-light" in warning and "\n" not in warning
