"""feedparser's author e-mail search and category list, kept linear (reader.feedparser_guards)."""

from __future__ import annotations

import random
import re
from typing import Any

import feedparser.mixin
import pytest
from feedparser.util import FeedParserDict

import reader.parse  # installs the guards
from reader import feedparser_guards
from reader.parse import parse_feed
from tests.corpus import hang_guard

JUNK = b"PHP Warning: junk\n"  # a repair note: the document goes to feedparser


def _rss(items: bytes) -> bytes:
    return (
        JUNK + b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
        b"<item><guid>g</guid>" + items + b"</item></channel></rss>"
    )


def test_the_guards_are_in_place_once_reader_parse_is_imported() -> None:
    assert reader.parse is not None
    assert feedparser_guards._feedparser_email_pattern() is not None  # still in feedparser 6.0
    assert isinstance(feedparser.mixin.re, feedparser_guards._ReWithRunStartEmail)
    assert feedparser.mixin._FeedParserMixin._add_tag is feedparser_guards._keep_latest_tag


@pytest.mark.parametrize(
    "author",
    [
        "John Doe (john.doe@example.com)",
        "<jd+tag@mail.example.co.uk>",
        "ann@[10.0.0.1]",
        "me@host.com?subject=hello there",
        "a.b@c@d.example.org and e@f.gh",
        "no address here",
        "x@y",
    ],
)
def test_the_same_address_is_found(author: str) -> None:
    pattern = feedparser_guards._feedparser_email_pattern()
    assert pattern is not None
    original = re.search(pattern, author)
    guarded = feedparser.mixin.re.search(pattern, author)
    assert (original and (original.span(), original.group())) == (
        guarded and (guarded.span(), guarded.group())
    )


def test_the_same_address_is_found_in_random_text() -> None:
    pattern = feedparser_guards._feedparser_email_pattern()
    assert pattern is not None
    anchored = feedparser.mixin.re
    alphabet = "ab1.-+_@[]()<> ?=s"
    rng = random.Random(7)
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        original, guarded = re.search(pattern, text), anchored.search(pattern, text)
        assert (original and original.span()) == (guarded and guarded.span()), text


def test_a_huge_author_is_read_in_linear_time() -> None:
    """The search restarted at every character: 64 KB took half a minute."""
    with hang_guard(20):
        feed = parse_feed(_rss(b"<author>" + b"a" * 200_000 + b"</author>"))
    assert feed.entries[0].author == "a" * 200_000
    named = parse_feed(_rss(b"<author>Ann (ann@example.com)</author>"))
    assert named.entries[0].author == "Ann (ann@example.com)"


def test_categories_are_not_compared_with_each_other(monkeypatch: pytest.MonkeyPatch) -> None:
    comparisons = 0
    original_eq = FeedParserDict.__eq__

    def counted(self: Any, other: Any) -> Any:
        nonlocal comparisons
        comparisons += 1
        return original_eq(self, other)

    monkeypatch.setattr(FeedParserDict, "__eq__", counted)
    categories = b"".join(b"<category domain='d'>c%d</category>" % n for n in range(500))
    feed = parse_feed(_rss(categories + b"<title>kept</title>"))
    assert feed.entries[0].title == "kept"
    assert comparisons < 500  # each new category was compared with all before: 125,000


def test_blank_lines_before_atom_xhtml_content_are_dropped_at_once() -> None:
    """feedparser deleted them from the front of a list one by one: 800 KB took 33 s."""
    document = (
        JUNK + b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>t</title>"
        b"<entry><id>e</id><title>x</title><content type='xhtml'>" + b"\n" * 1_000_000 + b"<div "
        b"xmlns='http://www.w3.org/1999/xhtml'><p>kept</p></div></content></entry></feed>"
    )
    with hang_guard(20):
        feed = parse_feed(document)
    assert feed.entries[0].content == "<p>kept</p>"


@pytest.mark.parametrize(
    ("pieces", "joined"),
    [
        (["\n", " ", "<div>", "\n"], ["\n ", "<div>", "\n"]),
        (["\n", " "], ["\n", " "]),  # nothing follows: feedparser's own rules decide
        (["<div>", "\n", "\n"], ["<div>", "\n", "\n"]),
        (["\n", b" ", "x"], ["\n", b" ", "x"]),  # bytes (not from expat) are left alone
    ],
)
def test_only_leading_blank_text_followed_by_more_is_joined(
    pieces: list[Any], joined: list[Any]
) -> None:
    feedparser_guards._join_leading_blanks(pieces)
    assert pieces == joined
