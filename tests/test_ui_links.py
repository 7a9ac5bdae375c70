"""Opening an article's numbered links from the real app, whichever pane has focus."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reader.ui.main_screen import StatusLine
from tests.feedserver import FeedServer, rss
from tests.ui_helpers import make_app, screen_text, settle


def links_feed(feed_server: FeedServer) -> str:
    body = "".join(
        f'<p>Para {n} <a href="https://site.example/{n}">link {n}</a>.</p>' for n in range(1, 13)
    )
    body += '<p><a href="javascript:alert(1)">bad</a> <a href="ftp://files.example/x">ftp</a></p>'
    item = {
        "title": "Many links",
        "link": "https://site.example/",
        "guid": "1",
        "description": body,
    }
    return feed_server.add("/links.xml", rss("Links", [item]))


async def test_digits_and_l_number_open_links_from_the_article_list(
    tmp_path: Path, feed_server: FeedServer, write_config: Callable[..., Path]
) -> None:
    config = write_config(tmp_path, [{"url": links_feed(feed_server)}], {"refresh_on_start": False})
    app, opener = make_app(config, tmp_path / "db.sqlite")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("enter")  # opens the article; the list keeps focus
        await pilot.pause()
        assert "[3]" in screen_text(app)
        await pilot.press("3")
        await pilot.pause()
        assert opener.opened == ["https://site.example/3"]
        await pilot.press("l", "1", "2", "enter")
        await pilot.pause()
        assert opener.opened[-1] == "https://site.example/12"
        # The ftp link is numbered but not opened; its number says so.
        await pilot.press("l", "1", "3", "enter")
        await pilot.pause()
        assert len(opener.opened) == 2
        status = str(app.screen.query_one(StatusLine).render())
        assert status, "a refusal or notice is on the status line"
        await pilot.press("l", "1", "4")  # there are 13 links: no link 14
        await pilot.pause()
        assert len(opener.opened) == 2
        assert "14" in str(app.screen.query_one(StatusLine).render())
        assert app.is_running
