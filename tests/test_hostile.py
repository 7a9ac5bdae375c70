"""Hostile feeds end to end: shown as plain text everywhere, acted on nowhere.

Feeds carrying Rich/Textual markup, terminal escape sequences, C1 controls,
bidi overrides, NUL bytes, huge titles, dangerous links and credentials in
their URLs are served by a real HTTP server and refreshed for real, then
looked at through the UI (the Pilot, real keys and clicks) and the CLI.

"Nothing reaches the terminal" is checked on what Textual would write: every
segment of the whole composed screen (notifications and modal screens
included) and the byte stream rendered from it, in which only Textual's own
colour and cursor sequences may appear.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import socketserver
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console, Group
from rich.style import Style
from rich.text import Text
from textual._compositor import LayoutUpdate
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Static

from reader.config import load_config
from reader.models import ALL
from reader.sanitize import clean_line
from reader.service import Service
from reader.ui import article_list
from reader.ui.app import NewsReaderApp
from reader.ui.article_list import ArticleList
from reader.ui.article_view import MAX_PARSED_HTML, MAX_SHOWN_CHARS, ArticleView
from reader.ui.feed_pane import FeedPane
from reader.ui.main_screen import MainScreen, StatusLine
from tests.feedserver import FeedServer, atom, json_feed, rss, write_config
from tests.harness import Run
from tests.ui_helpers import FIXED_NOW, RecordingOpener, make_app, settle, until

# Anything a terminal would act on rather than print: C0 controls (newline
# separates lines of output; no segment of a screen may hold one), DEL, C1
# controls, and bidi overrides, isolates and marks.
UNSAFE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# The only sequences Textual itself writes for a screen: colours and cursor moves.
OWN_SEQUENCES = re.compile(r"\x1b\[[0-9;]*m|\x1b\[[0-9]+;[0-9]+H")

MARKUP = "[@click=app.quit]Quit[/] [bold red]loud[/] [/]"
ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x9b2J\u202eevil\u202c\u061c \x00nul"
HOSTILE = f"{MARKUP} {ESCAPES}"
BODY = (
    f"<p>{HOSTILE}</p><p><b>[bold]</b> tail <a href='javascript:alert(1)'>js link</a></p>"
    "<script>SCRIPTTEXT</script><style>STYLETEXT</style><iframe>IFRAMETEXT</iframe>"
    "<form>FORMTEXT<input value='INPUTVALUE'><button>BUTTONTEXT</button>"
    "<select><option>OPTIONTEXT</option></select><textarea>TEXTAREATEXT</textarea></form>"
    "<noscript>NOSCRIPTTEXT</noscript><template>TEMPLATETEXT</template>"
    "<svg><text>SVGTEXT</text></svg><math><mi>MATHTEXT</mi></math>"
    "<object data='x'>OBJECTTEXT</object><p>end of body</p>"
)
DROPPED = (
    "SCRIPTTEXT",
    "STYLETEXT",
    "IFRAMETEXT",
    "FORMTEXT",
    "INPUTVALUE",
    "BUTTONTEXT",
    "OPTIONTEXT",
    "TEXTAREATEXT",
    "NOSCRIPTTEXT",
    "TEMPLATETEXT",
    "SVGTEXT",
    "MATHTEXT",
    "OBJECTTEXT",
)
UI_SETTINGS = {"refresh_on_start": True, "refresh_interval": "0"}


# -- what reaches the terminal ---------------------------------------------------


def terminal_problems(app: App[Any]) -> list[str]:
    """Whatever on the current screen a terminal would act on instead of printing.

    Composes the whole screen as Textual does for a full redraw, then looks at
    the text of every segment, at every hyperlink a style carries (written as
    an OSC 8 sequence), and at the rendered byte stream with Textual's own
    colour and cursor sequences removed.
    """
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    assert isinstance(update, LayoutUpdate)
    problems = []
    for line in update.strips:
        for strip in line:
            for segment in strip:
                if segment.control or UNSAFE.search(segment.text) or "\n" in segment.text:
                    problems.append(f"segment {segment.text!r}")
                if segment.style is not None and segment.style.link:
                    problems.append(f"hyperlink {segment.style.link!r}")
    console = Console(
        width=app.size.width,
        height=app.size.height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        legacy_windows=False,
    )
    stream = OWN_SEQUENCES.sub("", update.render_segments(console)).replace("\n", "")
    problems.extend(f"stream {char!r}" for char in sorted(set(UNSAFE.findall(stream))))
    return problems


def assert_terminal_safe(app: App[Any]) -> None:
    problems = terminal_problems(app)
    assert not problems, problems[:10]


def screen_lines(app: App[Any]) -> list[str]:
    """The screen as one string per row, cells in order (wide characters once)."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    assert isinstance(update, LayoutUpdate)
    return ["".join(seg.text for strip in line for seg in strip) for line in update.strips]


def visible(app: App[Any]) -> str:
    """The screen as text, row by row."""
    return "\n".join(screen_lines(app))


async def click_on_text(pilot: Pilot[None], text: str, occurrence: int = 0) -> None:
    """Click the middle of the ``occurrence``-th place ``text`` is shown on screen."""
    from rich.cells import cell_len

    found = []
    for y, line in enumerate(screen_lines(pilot.app)):
        start = line.find(text)
        while start >= 0:
            found.append((cell_len(line[:start]) + len(text) // 2, y))
            start = line.find(text, start + 1)
    assert len(found) > occurrence, f"{text!r} is not on screen {occurrence + 1} times"
    await pilot.click(offset=found[occurrence])
    await pilot.pause()


class _Unsanitised(App[None]):
    def compose(self) -> ComposeResult:
        yield Static(Text("title \x1b]0;pwned\x07\x1b[2J \x9b2J \u202eevil"))
        yield Static(Text("link", style=Style(link="https://evil.example/\x1b")))

    def on_mount(self) -> None:
        self.notify("toast \u2066", markup=False)


async def test_the_terminal_check_catches_unsanitised_text() -> None:
    """Textual passes escapes through untouched; the check must see them."""
    app = _Unsanitised()
    async with app.run_test(size=(60, 12), notifications=True) as pilot:
        await pilot.pause()
        problems = " ".join(terminal_problems(app))
    for shown in ("segment", "hyperlink", r"'\x1b'", r"'\x9b'", r"'\u202e'", r"'\u2066'"):
        assert shown in problems


# -- hostile feeds in every format -------------------------------------------------


def _xml_safe(document: str) -> str:
    """XML 1.0 forbids these characters raw; feeds send them as character references."""
    for char in "\x1b\x07\x00":
        document = document.replace(char, f"&#x{ord(char):x};")
    return document


def serve_hostile(server: FeedServer, kind: str, link: str = "https://evil.example/1") -> str:
    """Serve a feed whose title, entry title, author and body are all hostile."""
    item = {
        "title": HOSTILE,
        "guid": "h1",
        "link": link,
        "author": HOSTILE,
        "pubDate": "Mon, 02 Nov 2026 10:00:00 GMT",
        "description": BODY,
    }
    if kind == "rss":
        return server.add("/hostile.rss", _xml_safe(rss(HOSTILE, [item])))
    if kind == "atom":
        document = _xml_safe(atom(HOSTILE, [item]))
        return server.add("/hostile.atom", document, content_type="application/atom+xml")
    json_item = {
        "id": "h1",
        "title": HOSTILE,
        "url": link,
        "authors": [{"name": HOSTILE}],
        "date_published": "2026-11-02T10:00:00Z",
        "content_html": BODY,
        "attachments": [{"url": "https://evil.example/a\x1b[2J.mp3", "mime_type": HOSTILE}],
    }
    document = json_feed(HOSTILE, [json_item])
    return server.add("/hostile.json", document, content_type="application/feed+json")


def stored_titles(config: Path, db: Path) -> list[str]:
    service = Service(load_config(config), db)
    try:
        return [entry.title for entry in service.entries(service.entry_ids(ALL))]
    finally:
        service.close()


def first_entry_id(config: Path, db: Path) -> str:
    service = Service(load_config(config), db)
    try:
        return str(service.entry_ids(ALL)[0])
    finally:
        service.close()


@pytest.mark.parametrize("kind", ["rss", "atom", "json"])
async def test_hostile_feed_is_plain_text_in_every_pane(
    kind: str, tmp_path: Path, feed_server: FeedServer
) -> None:
    url = serve_hostile(feed_server, kind)
    config = write_config(tmp_path, [{"url": url, "tags": [MARKUP]}], UI_SETTINGS)
    db = tmp_path / "db.sqlite"
    app, _ = make_app(config, db)
    async with app.run_test(size=(150, 45), notifications=True) as pilot:
        await settle(pilot)
        (title,) = stored_titles(config, db)
        assert "\x1b" in title and "\u202e" in title  # the hostile text was stored as sent
        assert_terminal_safe(app)
        assert MARKUP in visible(app)  # the article list row

        await pilot.press("enter")  # open it: header and body
        await pilot.pause()
        text = visible(app)
        assert_terminal_safe(app)
        assert text.count(MARKUP) >= 4  # list row, title, author line, body
        assert "[bold] tail js link" in text
        assert "end of body" in text
        assert "pwned" not in text and "javascript" not in text

        await pilot.press("tab", "j", "k", "end", "home")  # scroll the article view
        assert_terminal_safe(app)
        await pilot.press("tab")  # the feed pane
        await pilot.press("j", "j", "j")  # the tag, titled with markup
        assert_terminal_safe(app)
        await pilot.press("j", "enter")  # the feed: its title becomes the list's title
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and app.screen.view.kind == "feed"
        assert_terminal_safe(app)
        assert visible(app).count(MARKUP) >= 5  # + tag, feed row, border title
        if kind != "json":
            return  # what follows depends on the stored text, not on the format

        for occurrence in range(visible(app).count("[@click=app.quit]")):
            await click_on_text(pilot, "[@click=app.quit]", occurrence)
            assert app.is_running and app.return_code is None
        assert_terminal_safe(app)
        await pilot.press("question_mark")  # a modal screen over the hostile one
        assert_terminal_safe(app)
        await pilot.press("escape", "k", "k")
        assert app.is_running


@pytest.mark.parametrize(
    "kind",
    [
        "json",
        "rss",
        "atom",
    ],
)
async def test_scripts_forms_and_embedded_things_never_show_as_text(
    kind: str, tmp_path: Path, feed_server: FeedServer, run: Callable[..., Run]
) -> None:
    url = serve_hostile(feed_server, kind)
    config = write_config(tmp_path, [{"url": url}], UI_SETTINGS)
    db = tmp_path / "db.sqlite"
    app, _ = make_app(config, db)
    async with app.run_test(size=(150, 45), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        shown = {"view": visible(app)}
    number = first_entry_id(config, db)
    for args in (["show", number], ["show", number, "--json"]):
        shown[" ".join(args)] = run("--config", config, "--db", db, *args).out
    for where, text in shown.items():
        assert "end of body" in text, where
        leaked = [word for word in DROPPED if word in text]
        assert not leaked, (where, leaked)


async def test_hostile_text_in_notifications_is_literal(tmp_path: Path) -> None:
    notice = "[@click=app.quit]notice[/] [bold]n[/]"
    config = write_config(tmp_path, [], UI_SETTINGS)
    service = Service(load_config(config), tmp_path / "db.sqlite")
    app = NewsReaderApp(
        service,
        clock=lambda: FIXED_NOW,
        opener=RecordingOpener(),
        notices=[f"{notice} {ESCAPES}"],
    )
    async with app.run_test(size=(150, 45), notifications=True) as pilot:
        await settle(pilot)
        assert [n.markup for n in app._notifications] == [False]
        assert f"{notice} evil nul" in visible(app)
        assert_terminal_safe(app)
        await click_on_text(pilot, "[@click=app.quit]notice")
        assert app.is_running


# -- huge content -----------------------------------------------------------------


async def test_huge_titles_and_body_stay_bounded_and_responsive(
    tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    huge_title = "Huge [b]title[/b] \x1b[2J " * 5000  # 100 kB
    paragraph = "<p>" + "word " * 40 + "</p>"
    body = "<p>START of the body</p>" + paragraph * 5000 + "<p>END of the body</p>"  # 1 MB
    assert len(body) > MAX_PARSED_HTML and MAX_SHOWN_CHARS < 40 * 5000  # over every limit
    items = [
        {
            "id": "big",
            "title": huge_title,
            "url": "https://big.example/1",
            "date_published": "2026-11-03T10:00:00Z",
            "content_html": body,
        },
        {"id": "small", "title": "Small one", "date_published": "2026-11-02T10:00:00Z"},
        {
            "id": "many",
            "title": "Many tiny blocks",
            "date_published": "2026-11-01T10:00:00Z",
            "content_html": "".join(
                f"<p>b <a href='https://l.example/{n}'>{n}</a></p>" for n in range(25_000)
            ),  # 1 MB of blocks and links
        },
    ]
    url = feed_server.add(
        "/big.json", json_feed(huge_title, items), content_type="application/json"
    )
    config = write_config(tmp_path, [{"url": url}], UI_SETTINGS)
    app, _ = make_app(config, tmp_path / "db.sqlite")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        articles = app.screen.query_one(ArticleList)
        assert len(articles.ids) == 3
        rows = [articles.render_line(y).text for y in range(3)]
        assert "Huge [b]title[/b]" in rows[0] and "Small one" in rows[1]  # one line each
        assert "Many tiny blocks" in rows[2]
        feeds = app.screen.query_one(FeedPane)
        assert "Huge [b]title[/b]" in feeds.render_line(3).text
        assert feeds.render_line(4).text.strip() == ""  # the feed row did not wrap
        cleaned: list[str] = []

        def counting_clean_line(value: str | None, max_length: int = 1000) -> str:
            cleaned.append(value or "")
            return clean_line(value, max_length)

        monkeypatch.setattr(article_list, "clean_line", counting_clean_line)
        await pilot.press("j", "k", "j", "k")  # redraws reuse the rows' cleaned text
        assert cleaned == []

        await pilot.press("enter")
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        text = visible(app)
        assert "START of the body" in text
        header = view.query_one("#article-header", Static)
        assert header.size.height < 20  # the title is bounded, not 100 kB of lines
        await pilot.press("tab", "end")
        await pilot.pause()
        text = visible(app)
        assert "END of the body" not in text  # the view shows a bounded part ...
        assert "too long to show here in full" in text  # ... and says so
        assert_terminal_safe(app)
        await pilot.press("shift+tab", "j", "enter")  # still answering keys
        await until(pilot, lambda: view.entry is not None and view.entry.title == "Small one")
        await pilot.press("j", "enter")
        await until(pilot, lambda: view.entry is not None and view.entry.title != "Small one")
        shown = view.query_one("#article-body", Static).content
        assert isinstance(shown, Group)
        assert len(shown.renderables) < 10_000  # not 25,000 paragraphs and their links
        notes = [part for part in shown.renderables if "too long to show" in str(part)]
        assert len(notes) == 1
        assert str(shown.renderables[-1]).startswith("… and ")  # a bounded list of links


# -- hostile error messages ----------------------------------------------------------


class RawServer:
    """Answers every request with the same raw bytes, for what FeedServer cannot send."""

    def __init__(self, response: bytes) -> None:
        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                self.wfile.write(response)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/feed"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


REASON = "[@click=app.quit]boom[/] [bold red]x[/]"
# An HTML page is no feed; the error lists the feeds it links to, as the page spells them.
PAGE_LINK = "https://evil.example/[@click=app.quit]x[/]"
HOSTILE_PAGE = (
    "<!doctype html><html><head><link rel='alternate' type='application/rss+xml' "
    f"href='{PAGE_LINK}&#x1b;[2J&#x9b;2J&#x202e;'></head><body>hi</body></html>"
)


@pytest.fixture
def hostile_reason() -> Iterator[str]:
    """The URL of a server whose error status carries markup (and C1 bytes) in its reason."""
    raw = (
        f"HTTP/1.1 500 {REASON} \x9b2J\xe2\x80\xae\r\n".encode("latin-1")
        + b"Content-Length: 0\r\nConnection: close\r\n\r\n"
    )
    server = RawServer(raw)
    yield server.url
    server.close()


def _set_last_error(db: Path, url: str, error: str) -> None:
    with sqlite3.connect(db) as connection:
        changed = connection.execute(
            "UPDATE feeds SET last_error = ? WHERE url = ?", (error, url)
        ).rowcount
    connection.close()
    assert changed == 1


async def test_hostile_error_messages_are_plain_text(
    tmp_path: Path, feed_server: FeedServer, hostile_reason: str
) -> None:
    stored = feed_server.add("/ok.xml", rss("Stored error", []))
    page = feed_server.add("/page.html", HOSTILE_PAGE, content_type="text/html")
    feeds = [
        {"url": hostile_reason, "title": "Reason"},
        {"url": stored, "title": "Stored"},
        {"url": page, "title": "Page"},
    ]
    config = write_config(tmp_path, feeds, {"refresh_on_start": False, "refresh_interval": "0"})
    db = tmp_path / "db.sqlite"
    service = Service(load_config(config), db)
    await asyncio.to_thread(service.refresh)
    service.close()
    _set_last_error(db, stored, f"{HOSTILE} and more")
    app, _ = make_app(config, db)
    async with app.run_test(size=(150, 40), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("shift+tab", "j", "j", "j")  # the feed with the server's reason
        await pilot.pause()
        status = app.screen.query_one(StatusLine)
        text = visible(app)
        assert f"HTTP 500 {REASON}" in text  # status line and the empty list's message
        assert_terminal_safe(app)
        await click_on_text(pilot, "[@click=app.quit]")
        assert app.is_running
        await pilot.press("shift+tab", "j")  # the feed with the stored error
        await pilot.pause()
        assert status.has_class("-error")
        text = visible(app)
        assert f"{MARKUP} evil nul and more" in text
        assert "pwned" not in text
        assert_terminal_safe(app)
        for occurrence in range(text.count("[@click=app.quit]")):
            await click_on_text(pilot, "[@click=app.quit]", occurrence)
            assert app.is_running
        await pilot.press("shift+tab", "i")  # the feed's details: the error in full
        await pilot.pause()
        assert f"{MARKUP} evil nul and more" in visible(app)
        assert_terminal_safe(app)
        await pilot.press("escape", "j")  # the HTML page listing hostile feed links
        await pilot.pause()
        assert f"links to feeds: {PAGE_LINK}" in visible(app)
        assert_terminal_safe(app)
        await click_on_text(pilot, "[@click=app.quit]")
        assert app.is_running


# -- links ---------------------------------------------------------------------------

# What an article's own link tries (reader/links.py refuses every variant; see
# tests/test_links.py), and what its body links add.
ARTICLE_LINKS = [
    "JaVaScRiPt:alert(1)",
    "  java\tscript:alert(1)",
    "\x00javascript:alert(1)",
    "file:///etc/passwd",
]
BODY_LINKS = [
    *ARTICLE_LINKS,
    "javascript:alert(1)",
    "\x01javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox",
    "//evil.example/\x1b]8;;file:///etc/passwd\x07",
]


def _status_text(app: App[Any]) -> str:
    return visible(app).splitlines()[-2]


async def test_dangerous_links_are_refused_not_opened(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    body = "".join(
        f'<p><a href="{link}">body link {n}</a></p>' for n, link in enumerate(BODY_LINKS)
    )
    items = [
        {
            "id": str(n),
            "title": f"Link {n}",
            "url": link,
            "date_published": f"2026-11-{n + 1:02d}T10:00:00Z",
            "content_html": body,
        }
        for n, link in enumerate(ARTICLE_LINKS)
    ]
    url = feed_server.add("/links.json", json_feed("Links", items), content_type="application/json")
    config = write_config(tmp_path, [{"url": url}], UI_SETTINGS)
    app, opener = make_app(config, tmp_path / "db.sqlite")
    async with app.run_test(size=(150, 40), notifications=True) as pilot:
        await settle(pilot)
        status = app.screen.query_one(StatusLine)
        view = app.screen.query_one(ArticleView)
        await pilot.press("enter")
        await pilot.pause()
        assert view.document is not None
        assert not [link for link in view.document.links if not link.startswith("https://")]
        for keys in (["o"], ["tab", "o", "shift+tab"], ["j", "o"], ["j", "o"], ["j", "o"]):
            status.say("ready")
            await pilot.press(*keys)
            await pilot.pause()
            assert _status_text(app).strip().startswith("refusing to open a link")
            assert status.has_class("-error")
        refusals = [n for n in app._notifications if n.message.startswith("refusing to open")]
        assert len(refusals) >= 1 and all(not n.markup for n in refusals)
        assert_terminal_safe(app)
        assert opener.opened == []
        assert app.is_running


# -- the command line ---------------------------------------------------------------

# JSON output must not even carry these escaped: a consumer would decode them.
JSON_ESCAPED = re.compile(r"\\u00[01][0-9a-fA-F]|\\u007[fF]|\\u008[0-9a-fA-F]|\\u009[0-9a-fA-F]")


def assert_plain_output(text: str) -> None:
    assert not UNSAFE.search(text), sorted(set(UNSAFE.findall(text)))
    assert not JSON_ESCAPED.search(text)


@pytest.mark.parametrize("kind", ["rss", "atom", "json"])
def test_cli_output_is_plain_text(
    kind: str, tmp_path: Path, feed_server: FeedServer, hostile_reason: str, run: Callable[..., Run]
) -> None:
    url = serve_hostile(feed_server, kind)
    page = feed_server.add("/page.html", HOSTILE_PAGE, content_type="text/html")
    feeds: list[dict[str, Any]] = [{"url": url, "tags": [MARKUP]}, {"url": hostile_reason}]
    feeds.append({"url": page})
    config = write_config(tmp_path, feeds)
    opts = ["--config", config, "--db", tmp_path / "x.db"]
    results = {"refresh": run(*opts, "refresh")}
    assert f"HTTP 500 {REASON}" in results["refresh"].err
    (title,) = stored_titles(config, tmp_path / "x.db")
    assert "\x1b" in title  # the feed really was hostile
    number = first_entry_id(config, tmp_path / "x.db")
    for args in (
        ["feeds"],
        ["feeds", "--json"],
        ["entries"],
        ["entries", "--json"],
        ["show", number],
        ["show", number, "--json"],
        ["refresh", "--feed", hostile_reason],
    ):
        results[" ".join(args)] = run(*opts, *args)
    for name, result in results.items():
        assert result.code == 0, (name, result.err)
        assert_plain_output(result.out)
        assert_plain_output(result.err)
        assert "pwned" not in result.out + result.err
    # (XML feeds turn the raw C1 byte into "›": harmless, and not this test's business.)
    feed_line = results["feeds"].out.splitlines()[0]
    assert feed_line.count(MARKUP) == 2 and "evil nul" in feed_line  # title and tag
    assert f"! HTTP 500 {REASON}" in results["feeds"].out
    assert f"links to feeds: {PAGE_LINK}" in results["refresh"].err
    assert f"links to feeds: {PAGE_LINK}" in results["feeds"].out
    assert f"HTTP 500 {REASON}" in json.loads(results["feeds --json"].out)[1]["last_error"]
    shown = results[f"show {number}"].out.splitlines()
    assert shown[0].startswith(MARKUP) and shown[0].endswith("evil nul")
    assert shown[2].startswith(f"Author: {MARKUP}")
    assert "[bold] tail js link" in shown and "end of body" in shown
    as_json = json.loads(results[f"show {number} --json"].out)
    assert as_json["title"] == shown[0] and MARKUP in as_json["text"]


def test_cli_copes_with_huge_titles_and_bodies(
    tmp_path: Path, feed_server: FeedServer, run: Callable[..., Run]
) -> None:
    huge = "Huge [b]title[/b] \x1b[2J " * 5000  # 100 kB
    body = "<p>START</p>" + ("<p>" + "word " * 40 + "</p>") * 5000 + "<p>END</p>"  # 1 MB
    item = {
        "id": "1",
        "title": huge,
        "content_html": body,
        "date_published": "2026-11-03T10:00:00Z",
    }
    url = feed_server.add("/big.json", json_feed(huge, [item]), content_type="application/json")
    config = write_config(tmp_path, [{"url": url}])
    opts = ["--config", config, "--db", tmp_path / "x.db"]
    assert run(*opts, "refresh").code == 0
    feeds, entries, shown = (run(*opts, *args) for args in (["feeds"], ["entries"], ["show", "1"]))
    for result in (feeds, entries, shown):
        assert result.code == 0 and result.err == ""
        assert_plain_output(result.out)
    assert len(feeds.out.splitlines()) == 1 and len(feeds.out) < 2000  # one bounded line
    assert len(entries.out.splitlines()) == 1 and len(entries.out) < 2000
    assert "START" in shown.out and "END" in shown.out  # the command prints it all


# -- credentials -------------------------------------------------------------------

SECRET = "s3cr3t-pw"


def _no_secret_under(directory: Path) -> None:
    """No file under ``directory`` (the log among them) mentions the password."""
    for path in directory.rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text("utf-8", "replace"), path


@dataclass(frozen=True)
class Credentialed:
    config: Path
    failing: str  # as written in the config, password and all
    shown_base: str  # scheme, host and port: how the URLs may be shown


@pytest.fixture
def credentialed(tmp_path: Path, feed_server: FeedServer) -> Credentialed:
    """A config with a failing and a working feed, both with user:password in the URL.

    The working feed has no title of its own and links relative to itself, so
    the URL (credentials and all) would become its title and its links.
    """
    items = [
        {"title": "Private", "guid": "p1", "link": "post/1", "description": "<a href='/x'>x</a>"}
    ]
    feed_server.add("/private.xml", rss("", items))
    shown_base = f"http://127.0.0.1:{feed_server.port}"
    base = shown_base.replace("://", f"://reader:{SECRET}@")
    failing, working = f"{base}/missing", f"{base}/private.xml"
    config = write_config(tmp_path, [{"url": failing}, {"url": working}], UI_SETTINGS)
    return Credentialed(config, failing, shown_base)


def assert_no_credentials(text: str) -> None:
    assert SECRET not in text
    assert "reader@" not in text and "@127.0.0.1" not in text


@pytest.fixture
def log_file() -> Iterator[Path]:
    """The log file set up as the CLI does it (in the isolated home); undone afterwards."""
    import logging

    from reader.logs import setup_logging

    logger = logging.getLogger("reader")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    path = setup_logging()
    assert path is not None
    yield path
    for handler in logger.handlers[:]:
        if handler not in saved[0]:
            logger.removeHandler(handler)
            handler.close()
    logger.handlers[:] = saved[0]
    logger.setLevel(saved[1])
    logger.propagate = saved[2]


def test_cli_never_shows_credentials(
    credentialed: Credentialed,
    tmp_path: Path,
    isolated_env: Path,
    log_file: Path,
    run: Callable[..., Run],
) -> None:
    opts = ["--config", credentialed.config, "--db", tmp_path / "x.db"]
    results = [run(*opts, "refresh")]
    assert "HTTP 404" in results[0].err and "1 failed" in results[0].out
    number = first_entry_id(credentialed.config, tmp_path / "x.db")
    for args in (
        ["feeds"],
        ["feeds", "--json"],
        ["entries"],
        ["entries", "--json"],
        ["show", number],
        ["show", number, "--json"],
        ["refresh", "--feed", credentialed.failing],
    ):
        results.append(run(*opts, *args))
    for result in results:
        assert_no_credentials(result.out + result.err)
    base = credentialed.shown_base
    feeds = json.loads(results[2].out)
    assert [feed["url"] for feed in feeds] == [f"{base}/missing", f"{base}/private.xml"]
    assert f"{base}/missing  ! HTTP 404" in results[1].out  # the URL is the title
    assert f"Link: {base}/post/1" in results[5].out
    assert f"[1] {base}/x" in results[5].out
    assert "HTTP 404" in log_file.read_text("utf-8")  # the failure was logged ...
    _no_secret_under(isolated_env)  # ... without the password, like everything else


async def test_ui_never_shows_credentials(
    credentialed: Credentialed, tmp_path: Path, isolated_env: Path, log_file: Path
) -> None:
    app, opener = make_app(credentialed.config, tmp_path / "db.sqlite")
    async with app.run_test(size=(150, 40), notifications=True) as pilot:
        await settle(pilot)
        seen = [visible(app)]
        await pilot.press("enter", "o")  # the article: header, links; open it
        await pilot.pause()
        seen.append(visible(app))
        await pilot.press("shift+tab")
        for _ in range(4):  # every row of the feed pane: names, errors on the status line
            await pilot.press("j")
            await pilot.pause()
            seen.append(visible(app))
        await pilot.press("k", "r")  # refresh the failing feed by name
        await settle(pilot)
        seen.append(visible(app))
        seen.extend(n.message for n in app._notifications)
    assert len(opener.opened) == 1 and opener.opened[0].endswith("/post/1")
    everything = "\n".join(seen)
    base = credentialed.shown_base
    for shown in (f"{base}/missing: HTTP 404", f"{base}/private.xml", f"{base}/post/1"):
        assert shown in everything
    assert_no_credentials(everything)
    assert "HTTP 404" in log_file.read_text("utf-8")
    _no_secret_under(isolated_env)
