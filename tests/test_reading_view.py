"""The reading view: measure, typography, header, and opening link N by number.

Driven through the Pilot on a small app holding just an ArticleView (plus a
list standing in for the article list, to show keys forwarded from a screen).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from rich.console import Console
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

from reader.models import Entry
from reader.output import entry_json, entry_text
from reader.text import document_to_text, html_to_document
from reader.ui.article_render import DEFAULT_STYLES, render_document
from reader.ui.article_view import (
    FULL_TEXT_LABEL,
    SUMMARY_LABEL,
    ArticleView,
    LinkChooser,
    LinkStep,
)
from reader.ui.help_screen import HelpScreen

DATE = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
CHAR_WIDTH = 12.2  # of Textual's SVG export


def make_entry(
    body: str,
    *,
    full_text: str | None = None,
    full_text_error: str | None = None,
    title: str = "A title",
) -> Entry:
    return Entry(
        id=1,
        feed_url="https://feed.example/rss",
        feed_title="Feed",
        entry_id="e1",
        title=title,
        link="https://news.example/post",
        author="Ann",
        published=DATE,
        updated=None,
        date=DATE,
        summary=None,
        content=body,
        enclosures=(),
        read=False,
        starred=False,
        full_text=full_text,
        full_text_error=full_text_error,
    )


def links_body(count: int) -> str:
    return "".join(f"<p>see <a href='/p{n}'>page {n}</a></p>" for n in range(1, count + 1))


class ListStandIn(Static, can_focus=True):
    """Takes focus like the article list does, enter included."""

    BINDINGS = [Binding("enter", "choose", "Open")]

    def action_choose(self) -> None:
        assert isinstance(self.app, ReaderApp)
        self.app.chosen += 1


class ReaderScreen(Screen[None]):
    """An ArticleView beside a focusable list, like the main screen.

    Its ``on_key`` forwards keys to the view as the main screen should, so
    digits open links while the list has focus, and the list's own keys
    (enter) do not fire while a number is being typed.
    """

    def __init__(self, reading_width: int) -> None:
        super().__init__()
        self.reading_width = reading_width

    def compose(self) -> ComposeResult:
        yield ListStandIn("the list", id="list")
        yield ArticleView(reading_width=self.reading_width, id="article")

    def on_key(self, event: events.Key) -> None:
        if self.query_one(ArticleView).link_key(event.key):
            event.stop()

    def on_article_view_open_link(self, message: ArticleView.OpenLink) -> None:
        assert isinstance(self.app, ReaderApp)
        self.app.opened.append((message.number, message.url))

    def on_article_view_notice(self, message: ArticleView.Notice) -> None:
        assert isinstance(self.app, ReaderApp)
        self.app.notices.append(message.text)


class ReaderApp(App[None]):
    """Runs a ReaderScreen and records what its view posts."""

    def __init__(self, reading_width: int = 100) -> None:
        super().__init__()
        self.reading_width = reading_width
        self.opened: list[tuple[int, str]] = []
        self.notices: list[str] = []
        self.chosen = 0  # enter reached the list

    def get_default_screen(self) -> Screen[None]:
        return ReaderScreen(self.reading_width)


def screen_lines(app: App[Any]) -> list[str]:
    """The screen as lines of text, rebuilt from Textual's SVG export by position."""
    svg = app.export_screenshot()
    rows: dict[int, dict[int, str]] = {}
    pattern = r'<text[^>]*\bx="([\d.]+)"[^>]*clip-path="url\(#[\w-]*line-(\d+)\)"[^>]*>(.*?)</text>'
    for match in re.finditer(pattern, svg, re.S):
        column = round(float(match.group(1)) / CHAR_WIDTH)
        text = html.unescape(re.sub(r"<[^>]+>", "", match.group(3))).replace("\xa0", " ")
        rows.setdefault(int(match.group(2)), {})[column] = text
    lines = []
    for number in sorted(rows):
        line = ""
        for column, text in sorted(rows[number].items()):
            line = line.ljust(column) + text
        lines.append(line.rstrip())
    return lines


async def until(pilot: Pilot[None], condition: Callable[[], bool]) -> None:
    for _ in range(1500):  # a hang guard, not a timing assertion
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition never became true")


async def show(pilot: Pilot[None], entry: Entry, **kwargs: Any) -> ArticleView:
    view = pilot.app.query_one(ArticleView)
    view.show_entry(entry, **kwargs)
    await pilot.pause()
    return view


# -- LinkChooser, without Textual ---------------------------------------------------


def test_a_digit_opens_links_one_to_nine_at_once() -> None:
    chooser = LinkChooser()
    assert chooser.press("3", 5) == LinkStep(True, open=3)
    assert chooser.press("9", 5) == LinkStep(True, notice="No link 9: this article has links 1–5.")
    assert chooser.press("1", 0) == LinkStep(True, notice="This article has no links.")
    assert chooser.press("2", 1) == LinkStep(True, notice="No link 2: this article has link 1.")
    for key in ("0", "j", "enter", "escape", "space", "backspace"):
        assert chooser.press(key, 5) == LinkStep(False), key
    assert not chooser.active


def test_l_then_digits_then_enter() -> None:
    chooser = LinkChooser()
    step = chooser.press("l", 150)
    assert step.handled and step.prompt is not None and step.prompt.startswith("open link: ▏")
    assert not step.wait  # no pause before a digit: the reader may be looking for the number
    step = chooser.press("1", 150)
    assert step.prompt is not None and step.prompt.startswith("open link: 1▏") and step.wait
    assert chooser.press("2", 150).wait  # 120-129 still possible
    assert chooser.press("backspace", 150).prompt.startswith("open link: 1▏")  # type: ignore[union-attr]
    chooser.press("3", 150)
    assert chooser.press("enter", 150) == LinkStep(True, open=13)
    assert not chooser.active


def test_l_number_opens_as_soon_as_no_digit_could_follow() -> None:
    chooser = LinkChooser()
    chooser.press("l", 15)
    assert chooser.press("1", 15).open is None  # 1 or 10-15
    assert chooser.press("2", 15) == LinkStep(True, open=12)
    chooser.press("l", 15)
    assert chooser.press("7", 15) == LinkStep(True, open=7)  # 70+ is out of range
    chooser.press("l", 5)
    assert chooser.press("9", 5).notice == "No link 9: this article has links 1–5."


def test_pause_escape_other_keys_and_no_links() -> None:
    chooser = LinkChooser()
    chooser.press("l", 40)
    assert chooser.timeout(40).open is None and chooser.active  # nothing typed: keep waiting
    chooser.press("3", 40)
    assert chooser.timeout(40) == LinkStep(True, open=3)
    chooser.press("l", 40)
    chooser.press("2", 40)
    assert chooser.press("escape", 40) == LinkStep(True)
    assert not chooser.active
    chooser.press("l", 40)
    assert chooser.press("j", 40) == LinkStep(False)  # j goes on to scroll
    assert not chooser.active
    chooser.press("l", 40)
    assert chooser.press("enter", 40) == LinkStep(True)  # nothing typed: just ends
    assert chooser.press("l", 0) == LinkStep(True, notice="This article has no links.")
    assert not chooser.active
    chooser.press("l", 40)
    for _ in range(20):
        chooser.press("0", 40)
    assert chooser.typed is not None and len(chooser.typed) <= 6
    assert chooser.press("enter", 40).notice == "No link 0: this article has links 1–40."


# -- opening links in the view ---------------------------------------------------------


async def test_digit_and_l_number_post_open_link_with_the_url() -> None:
    app = ReaderApp()
    async with app.run_test(size=(100, 40)) as pilot:
        view = await show(pilot, make_entry(links_body(14)))
        view.focus()
        await pilot.press("2")
        await pilot.press("l", "1", "3")  # 130+ impossible: opens at once
        await pilot.press("l", "1")
        assert "open link: 1▏" in str(view.border_subtitle)
        await pilot.press("enter")
        await pilot.pause()
        assert app.opened == [
            (2, "https://news.example/p2"),
            (13, "https://news.example/p13"),
            (1, "https://news.example/p1"),
        ]
        assert view.border_subtitle in (None, "")


async def test_digits_work_while_the_list_has_focus_when_the_screen_forwards_them() -> None:
    app = ReaderApp()
    async with app.run_test(size=(100, 40)) as pilot:
        await show(pilot, make_entry(links_body(3)))
        app.query_one(ListStandIn).focus()
        await pilot.press("3", "9")
        await pilot.pause()
        assert app.opened == [(3, "https://news.example/p3")]
        assert app.notices == ["No link 9: this article has links 1–3."]
        await pilot.press("l", "enter")  # enter ends the (empty) choice, not the list's
        assert app.chosen == 0 and len(app.opened) == 1
        await pilot.press("enter")  # and then it is the list's again
        assert app.chosen == 1


async def test_no_article_no_link_keys() -> None:
    app = ReaderApp()
    async with app.run_test(size=(100, 40)) as pilot:
        view = app.query_one(ArticleView)
        assert not view.link_key("1") and not view.link_key("l")
        await pilot.press("1", "l")
        assert app.opened == [] and app.notices == []


async def test_escape_restores_the_border_and_keys_keep_their_jobs() -> None:
    app = ReaderApp()
    async with app.run_test(size=(100, 12)) as pilot:
        view = await show(pilot, make_entry(links_body(30)))
        view.border_subtitle = "before"
        view.focus()
        await pilot.press("l", "2")
        assert "open link: 2▏" in str(view.border_subtitle)
        await pilot.press("escape")
        assert view.border_subtitle == "before" and not view.chooser.active
        await pilot.press("l", "j")  # j ends the choice and scrolls as usual
        await pilot.pause()
        assert view.border_subtitle == "before"
        assert view.scroll_y > 0
        assert app.opened == []


async def test_after_a_pause_the_typed_number_opens() -> None:
    app = ReaderApp()
    async with app.run_test(size=(100, 40)) as pilot:
        view = await show(pilot, make_entry(links_body(40)))
        view.link_pause = 0.05
        view.focus()
        await pilot.press("l", "3")
        await until(pilot, lambda: bool(app.opened))
        assert app.opened == [(3, "https://news.example/p3")]
        assert view.border_subtitle in (None, "")


async def test_showing_another_article_ends_a_half_typed_number() -> None:
    app = ReaderApp()
    async with app.run_test(size=(100, 40)) as pilot:
        view = await show(pilot, make_entry(links_body(40)))
        view.focus()
        await pilot.press("l", "1")
        await show(pilot, make_entry(links_body(2)))
        assert not view.chooser.active and view.border_subtitle in (None, "")
        await pilot.press("enter")
        assert app.opened == []


async def test_a_link_newsreader_does_not_open_is_still_passed_on_for_the_screen_to_refuse() -> (
    None
):
    """The screen runs check_link on every OpenLink, as for `o`; the view only numbers."""
    app = ReaderApp()
    async with app.run_test(size=(100, 40)) as pilot:
        view = await show(pilot, make_entry("<a href='ftp://files.example/x'>ftp</a>"))
        view.focus()
        await pilot.press("1")
        await pilot.pause()
        assert app.opened == [(1, "ftp://files.example/x")]
        lines = screen_lines(app)
        assert any("[1] ftp://files.example/x (not opened by newsreader)" in line for line in lines)


# -- measure and typography -------------------------------------------------------------


async def test_body_and_header_are_at_most_the_reading_width() -> None:
    words = " ".join(["measure"] * 200)
    app = ReaderApp(reading_width=40)
    async with app.run_test(size=(120, 50)) as pilot:
        view = await show(pilot, make_entry(f"<p>{words}</p>", title="title " * 30))
        for part in ("#article-header", "#article-body"):
            assert view.query_one(part, Static).size.width == 40
        lines = [line for line in screen_lines(app) if "measure" in line]
        assert lines and all(len(line.strip()) <= 40 for line in lines)
        view.set_reading_width(70)
        await pilot.pause()
        assert view.query_one("#article-body", Static).size.width == 70
        view.set_reading_width(3)  # nonsense is raised to a usable minimum
        await pilot.pause()
        assert view.query_one("#article-body", Static).size.width == 20


async def test_narrow_terminal_wins_over_the_reading_width() -> None:
    app = ReaderApp(reading_width=100)
    async with app.run_test(size=(50, 30)) as pilot:
        view = await show(pilot, make_entry("<p>" + "word " * 100 + "</p>"))
        assert view.query_one("#article-body", Static).size.width < 50


async def test_structure_is_drawn_with_bars_markers_aligned_tables_and_links() -> None:
    body = (
        "<h2>Heading</h2><blockquote><h3>Quoted heading</h3><ul><li>quoted item</li></ul>"
        "</blockquote><ol start='9'><li>nine</li><li>ten</li></ol>"
        "<table><tr><th>Name</th><th>Score</th></tr><tr><td>Ann</td><td>31</td></tr>"
        "<tr><td>Bob</td><td>4</td></tr></table>"
        "<p><img src='/cat.png' alt='A cat'> and <a href='/x'>a link</a></p><pre>  indented()</pre>"
    )
    app = ReaderApp()
    async with app.run_test(size=(100, 50)) as pilot:
        await show(pilot, make_entry(body))
        lines = screen_lines(app)
        nine = next(line for line in lines if "nine" in line)
        ten = next(line for line in lines if "ten" in line)
        assert nine.index("nine") == ten.index("ten")  # numbers aligned on the right
        text = "\n".join(line.strip() for line in lines)
        for expected in (
            "Heading",
            "▌ Quoted heading",
            "▌ • quoted item",
            "9. nine\n10. ten",
            "Name  Score\n────  ─────\nAnn      31\nBob       4",
            "[image: A cat][1] and a link[2]",
            "indented()",
            "Links\n[1] https://news.example/cat.png\n[2] https://news.example/x",
        ):
            assert expected in text, expected
        assert "#" not in text  # headings are styled, not marked up


def test_styles_follow_the_blocks() -> None:
    """Heading levels look different; inline code and links are styled; [n] is dim."""
    document = html_to_document(
        "<h1>One</h1><h2>Two</h2><h3>Three</h3><p><code>c</code> <a href='/x'>l</a></p>",
        "https://e.example/",
    )
    console = Console(width=40, color_system="truecolor")
    styles = {
        seg.text: seg.style for seg in console.render(render_document(document)) if seg.text.strip()
    }
    assert len({styles["One"], styles["Two"], styles["Three"]}) == 3
    assert styles["One"] == DEFAULT_STYLES.headings[0]
    assert styles["c"] == DEFAULT_STYLES.code_inline
    assert styles["l"] == DEFAULT_STYLES.link
    assert styles["[1]"] == DEFAULT_STYLES.link_number


async def test_theme_styles_give_code_a_background() -> None:
    app = ReaderApp()
    async with app.run_test(size=(80, 20)) as pilot:
        view = await show(pilot, make_entry("<pre>code</pre>"))
        styles = view.article_styles()
        assert styles.code_block.bgcolor is not None
        assert styles.headings[0] != styles.headings[1] != styles.headings[2]


def body_styles(view: ArticleView) -> dict[str, Any]:
    """Each piece of text in the article body, and its style, as a terminal gets it."""
    console = Console(width=80, color_system="truecolor")
    body = view.query_one("#article-body", Static).content
    return {seg.text: seg.style for seg in console.render(body) if seg.text.strip()}  # type: ignore[arg-type]


async def test_a_theme_change_repaints_the_open_article_where_it_was() -> None:
    paragraphs = "".join(f"<p>para {n}</p>" for n in range(40))
    app = ReaderApp()
    async with app.run_test(size=(80, 20)) as pilot:
        app.theme = "textual-dark"
        view = await show(pilot, make_entry("<p>a <a href='/x'>linked</a> word</p>" + paragraphs))
        view.scroll_to(y=10, animate=False)
        await pilot.pause()
        before = body_styles(view)["linked"]
        assert before == view.article_styles().link
        app.theme = "textual-light"
        await pilot.pause()
        after = body_styles(view)["linked"]
        assert after == view.article_styles().link  # the new theme's link colour
        assert after.color != before.color
        assert view.scroll_y == 10


# -- the header -----------------------------------------------------------------------------


def header_text(view: ArticleView) -> str:
    content = view.query_one("#article-header", Static).content
    assert hasattr(content, "plain")
    return str(content.plain).replace("\xa0", " ")


async def test_header_says_feed_summary_and_its_reading_time() -> None:
    app = ReaderApp()
    async with app.run_test(size=(100, 30)) as pilot:
        view = await show(pilot, make_entry("<p>short</p>", full_text="<p>" + "w " * 1000))
        header = header_text(view)
        assert f"1 min read · {SUMMARY_LABEL}" in header
        assert not view.shows_full_text


async def test_full_text_replaces_the_summary_and_the_header_says_so() -> None:
    long = "<p>" + "word " * 1000 + "</p><p>the <a href='/deep'>extracted</a> article</p>"
    app = ReaderApp()
    async with app.run_test(size=(100, 30)) as pilot:
        view = await show(pilot, make_entry("<p>short summary</p>", full_text=long), full_text=True)
        header = header_text(view)
        assert f"5 min read · {FULL_TEXT_LABEL}" in header  # the time of the text shown
        assert view.shows_full_text
        assert view.document is not None and view.document.links == ("https://news.example/deep",)
        body = "\n".join(screen_lines(app))
        assert "word word" in body and "short summary" not in body


async def test_missing_full_text_falls_back_with_its_error_or_the_callers_note() -> None:
    app = ReaderApp()
    async with app.run_test(size=(100, 30)) as pilot:
        entry = make_entry("<p>summary</p>", full_text_error="HTTP 404 Not Found")
        view = await show(pilot, entry, full_text=True)
        header = header_text(view)
        assert SUMMARY_LABEL in header
        assert "No full text: HTTP 404 Not Found; showing the feed summary" in header
        view = await show(pilot, entry, note="⟳ fetching the full text…")
        assert "⟳ fetching the full text…" in header_text(view)
        view = await show(pilot, make_entry("<p>summary</p>"))
        assert "fetching" not in header_text(view) and "No full text" not in header_text(view)


@pytest.mark.parametrize("note", ["[bold]x[/bold]\x1b[2J\x07 note", "a" * 5000])
async def test_the_note_is_one_clean_bounded_line(note: str) -> None:
    app = ReaderApp()
    async with app.run_test(size=(100, 30)) as pilot:
        view = await show(pilot, make_entry("<p>x</p>"), note=note)
        header = header_text(view)
        assert "\x1b" not in header and "\x07" not in header
        if note.startswith("["):
            assert "[bold]x[/bold][2J note" in header or "[bold]x[/bold] note" in header
        assert len(header) < 700


# -- newsreader show: the same conversion -----------------------------------------------


def test_show_text_is_the_same_conversion_at_the_reading_width() -> None:
    body = (
        "<h2>Part</h2><p>" + "word " * 60 + "<a href='/x'>link</a></p><ol start='9'><li>a<li>b</ol>"
    )
    entry = make_entry(body)
    text = entry_text(entry, 200, reading_width=50)
    header, rest = text.split("\n\n", 1)
    assert header.splitlines()[-1] == "Content: feed summary, 1 min read"
    assert rest == document_to_text(html_to_document(body, entry.link), 50)
    assert max(map(len, rest.split("\n")[:-1])) <= 50  # bar the link list
    assert " 9. a\n10. b" in rest and rest.endswith("Links:\n[1] https://news.example/x")
    assert entry_text(entry, 30, reading_width=50).split("\n\n", 1)[1] == document_to_text(
        html_to_document(body, entry.link), 30
    )
    unwrapped = entry_text(entry, None, reading_width=50)
    assert ("word " * 60).strip() + " link[1]" in unwrapped


def test_show_full_text_or_why_not() -> None:
    full = "<p>" + "long " * 700 + "</p><p>the <a href='/deep'>whole</a> story</p>"
    entry = make_entry("<p>short</p>", full_text=full)
    text = entry_text(entry, None, full_text=True)
    assert "\nContent: full text, 4 min read\n" in text
    assert "the whole[1] story" in text and "short" not in text
    assert "Content: feed summary, 1 min read" in entry_text(entry, None)
    failed = make_entry("<p>short</p>", full_text_error="HTTP 404 Not Found\x1b[2J")
    text = entry_text(failed, None, full_text=True)
    assert "Content: feed summary, 1 min read (no full text: HTTP 404 Not Found)" in text
    assert "\x1b" not in text


def test_show_json_has_the_full_text_as_plain_text_or_null() -> None:
    full = "<h1>Title</h1><p>Body <a href='/a'>link</a> [bold]x[/bold]\x1b[31m</p>"
    data = entry_json(make_entry("<p>s</p>", full_text=full, full_text_error=None))
    assert (
        data["full_text"]
        == "# Title\n\nBody link[1] [bold]x[/bold]\n\nLinks:\n[1] https://news.example/a"
    )
    assert data["full_text_error"] is None
    data = entry_json(make_entry("<p>s</p>", full_text_error="paywall\x07"))
    assert data["full_text"] is None and data["full_text_error"] == "paywall"
    assert "full_text" not in entry_json(make_entry("<p>s</p>"), full_text=False)


async def test_help_lists_the_link_keys_and_full_text() -> None:
    app = ReaderApp()
    async with app.run_test(size=(100, 50)) as pilot:
        app.push_screen(HelpScreen())
        await pilot.pause()
        text = "\n".join(screen_lines(app))
        for expected in ("open link 1 to 9", "l 12 enter", "toggle full text / feed summary"):
            assert expected in text, expected


def test_aligned_table_cells_keep_their_styles() -> None:
    document = html_to_document(
        "<table><tr><th>Who</th><th>N</th></tr><tr><td><b>Ann</b> <a href='/a'>Lee</a></td>"
        "<td>12</td></tr><tr><td>Bob</td><td><i>3</i></td></tr></table>",
        "https://e.example/",
    )
    console = Console(width=40, color_system="truecolor")
    segments = list(console.render(render_document(document)))
    lines = "".join(seg.text for seg in segments).split("\n")
    assert [line.rstrip() for line in lines[:4]] == [
        "Who          N",
        "──────────  ──",
        "Ann Lee[1]  12",
        "Bob          3",
    ]
    styles = {seg.text.strip(): seg.style for seg in segments if seg.text.strip()}
    assert styles["Ann"] is not None and styles["Ann"].bold
    assert styles["Lee"] == DEFAULT_STYLES.link
    assert styles["3"] is not None and styles["3"].italic
    assert styles["Who          N"] is not None and styles["Who          N"].bold  # header
