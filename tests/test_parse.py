"""parse_feed: RSS 2.0, Atom, RSS 1.0, JSON Feed; identity; one-line rejections."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from reader.models import Enclosure
from reader.parse import NotAFeedError, entry_identity, parse_feed
from tests.feedserver import atom, json_feed, rss

DATA = Path(__file__).parent / "data"


def reject(content: bytes, **kwargs: object) -> str:
    with pytest.raises(NotAFeedError) as info:
        parse_feed(content, **kwargs)  # type: ignore[arg-type]
    message = str(info.value)
    assert message and "\n" not in message
    return message


def test_rss2() -> None:
    feed = parse_feed((DATA / "rss2.xml").read_bytes(), url="https://tass.example/rss")
    assert feed.title == "TASS & Friends"
    assert feed.link == "https://tass.example/"
    assert feed.description == "News wire"  # tags stripped from plain-text fields
    assert feed.warning is None
    first, second = feed.entries
    assert first.id == "tass-1"
    assert first.title == "West does not want to involve Russia, China in cyber rules"
    assert first.link == "https://tass.example/world/1"
    assert first.author == "Ivan Reporter"
    assert first.published == datetime(2019, 10, 16, 6, 5, tzinfo=UTC)
    assert first.summary == "Short <i>summary</i>."
    assert first.content is not None
    assert "<b>Full</b>" in first.content
    assert "<script" not in first.content  # feedparser sanitises HTML
    assert 'href="https://tass.example/world/2"' in first.content  # resolved against the URL
    assert first.enclosures == (Enclosure("https://tass.example/a.mp3", "audio/mpeg", 12345),)
    assert second.id == "https://tass.example/world/2"  # no guid: the link
    assert second.published == datetime(2019, 10, 15, 8, 0, tzinfo=UTC)


def test_atom() -> None:
    feed = parse_feed((DATA / "atom.xml").read_bytes())
    assert feed.title == "LWN net"
    assert feed.description == "Linux news"
    assert feed.link == "https://lwn.example/"
    first, second = feed.entries
    assert first.id == "tag:lwn.example,2024:1"
    assert first.link == "https://lwn.example/Articles/1/"
    assert first.author == "Jonathan"
    assert first.published == datetime(2024, 5, 1, 10, 30, tzinfo=UTC)
    assert first.updated == datetime(2024, 5, 2, 9, 0, tzinfo=UTC)
    assert first.summary == "The summary"
    assert first.content == "<p>The <b>content</b></p>"
    assert second.published is None
    assert second.updated == datetime(2024, 4, 30, tzinfo=UTC)


def test_rss1_rdf() -> None:
    feed = parse_feed((DATA / "rss1.xml").read_bytes())
    assert feed.title == "Slash RDF"
    (entry,) = feed.entries
    assert entry.id == "https://slash.example/story/1"
    assert entry.title == "RDF story"
    assert entry.author == "Rob"
    assert entry.summary == "An RDF item"
    assert (entry.published or entry.updated) == datetime(2023, 3, 4, 5, 6, 7, tzinfo=UTC)


def test_json_feed_1_1() -> None:
    feed = parse_feed((DATA / "jsonfeed.json").read_bytes(), {"Content-Type": "application/json"})
    assert feed.title == "JSON Blog"
    assert feed.link == "https://json.example/"
    assert feed.description == "A JSON Feed"
    second, first = feed.entries
    assert second.id == "2"
    assert second.title == "Second"
    assert second.author == "Ann, Bob"
    assert second.summary == "Greets"
    assert second.content == "<p>Hello <em>world</em></p>"
    assert second.published == datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert second.enclosures == (Enclosure("https://json.example/pod.mp3", "audio/mpeg", 99),)
    assert first.id == "1"  # numeric ids become strings
    assert first.title is None
    assert first.author == "Feed Author"  # falls back to the feed's authors
    assert first.published == datetime(2024, 1, 2, 2, 4, 5, tzinfo=UTC)
    assert first.content == "<p>Plain &lt;text&gt;</p><p>second paragraph</p>"


def test_json_feed_with_bom_and_version_1_0() -> None:
    body = b'\xef\xbb\xbf{"version": "https://jsonfeed.org/version/1", "items": []}'
    assert parse_feed(body).entries == ()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"version": "nope", "items": []}', "not a feed: JSON document is not a JSON Feed"),
        (b'{"version": "https://jsonfeed.org/version/1.1"}', "no items list"),
        (b'{"version": ', "not a feed: invalid JSON"),
        (b"[1, 2]", "not a JSON Feed"),
    ],
)
def test_json_rejections(body: bytes, expected: str) -> None:
    assert expected in reject(body)


def test_identity_guid_then_link_then_hash() -> None:
    document = rss(
        "ids",
        [
            {"title": "a", "guid": " g-1 ", "link": "http://x.example/1"},
            {"title": "b", "link": "http://x.example/2"},
            {"title": "c", "pubDate": "Mon, 01 Jan 2024 00:00:00 GMT"},
        ],
    )
    a, b, c = parse_feed(document.encode()).entries
    assert a.id == "g-1"
    assert b.id == "http://x.example/2"
    assert c.id.startswith("sha1:")
    assert parse_feed(document.encode()).entries[2].id == c.id  # stable across calls


def test_hash_identity_differs_by_title_and_date() -> None:
    date = datetime(2024, 1, 1, tzinfo=UTC)
    base = entry_identity(None, None, "title", date)
    assert base == entry_identity("", "  ", "title", date)
    assert base != entry_identity(None, None, "other title", date)
    assert base != entry_identity(None, None, "title", datetime(2024, 1, 2, tzinfo=UTC))
    assert base != entry_identity(None, None, "title", None)


def test_atom_and_json_identity_fallbacks() -> None:
    feed = parse_feed(atom("a", [{"title": "no id", "link": "http://x.example/a"}]).encode())
    assert feed.entries[0].id == "http://x.example/a"
    items = [{"url": "http://x.example/j"}, {"title": "t", "date_published": "2024-01-01"}]
    json_a, json_b = parse_feed(json_feed("j", items).encode()).entries
    assert json_a.id == "http://x.example/j"
    assert json_b.id.startswith("sha1:")


def test_relative_ids_do_not_depend_on_the_fetch_url() -> None:
    # feedparser joins permalink guids and links to the document URL; the
    # identity must not change when the same feed is fetched from a new URL.
    document = rss("rel", [{"title": "a"}, {"title": "b", "link": "/p/2"}]).replace(
        "<title>a</title>", "<title>a</title><guid>17</guid>"
    )
    old = parse_feed(document.encode(), url="http://old.example/feed")
    new = parse_feed(document.encode(), url="https://new.example/x/feed")
    assert [e.id for e in old.entries] == [e.id for e in new.entries] == ["17", "/p/2"]
    assert old.entries[1].link == "http://old.example/p/2"  # links are still resolved
    assert new.entries[1].link == "https://new.example/p/2"
    atom_doc = atom("rel", [{"id": "42", "title": "x"}]).encode()
    assert parse_feed(atom_doc, url="https://a.example/feed").entries[0].id == "42"


def test_absolute_ids_with_escaped_characters_are_kept() -> None:
    document = rss("abs", [{"title": "a", "guid": "https://a.example/?p=1&x=2"}])
    (entry,) = parse_feed(document.encode(), url="https://a.example/feed").entries
    assert entry.id == "https://a.example/?p=1&x=2"


def test_repeated_ids_in_one_document_keep_the_first() -> None:
    document = rss("dup", [{"title": "first", "guid": "x"}, {"title": "second", "guid": "x"}])
    entries = parse_feed(document.encode()).entries
    assert [e.title for e in entries] == ["first"]


@pytest.mark.parametrize("body", [b"", b"  \r\n\t", b"\xef\xbb\xbf\n"])
def test_empty_document(body: bytes) -> None:
    assert reject(body) == "empty document"


def test_html_page() -> None:
    page = b"<!DOCTYPE html>\n<html><head><title>Moved</title></head><body>hi</body></html>"
    assert reject(page, headers={"Content-Type": "text/html"}) == "not a feed: HTML page"
    assert reject(b"<!-- c -->\n<html><body>x</body></html>") == "not a feed: HTML page"


def test_malformed_xml_without_entries_reports_the_line() -> None:
    body = b"<rss version='2.0'>\n<channel>\n<title>x</broken>\n"
    assert reject(body).startswith("XML error at line 3: ")


def test_xml_error_line_numbers_are_the_documents_own() -> None:
    # feedparser prepends a declaration line to documents without one.
    declared = b"<?xml version='1.0'?>\n<foo>\n<bar>\n</foo>\n"
    assert reject(declared).startswith("XML error at line 4: ")
    undeclared = b"\n<foo>\n<bar>\n</foo>\n"
    assert reject(undeclared).startswith("XML error at line 4: ")
    utf16 = "\ufeff<?xml version='1.0' encoding='utf-16'?>\n<a>\n</b>\n".encode("utf-16-le")
    assert reject(utf16).startswith("XML error at line 3: ")


def test_bozo_feed_with_entries_is_accepted_with_a_warning() -> None:
    body = (
        b"<rss version='2.0'><channel><title>T</title>\n"
        b"<item><title>fish & chips</title><guid>1</guid></item>\n"
        b"</channel></rss>"
    )
    feed = parse_feed(body)
    assert [e.title for e in feed.entries] == ["fish & chips"]
    assert feed.warning is not None
    assert feed.warning.startswith("XML error at line 2: ")


def test_plain_text_is_not_a_feed() -> None:
    message = reject(b"hello world, no markup here")
    assert message.startswith(("not a feed", "XML error"))


def test_gzip_bytes_are_reported() -> None:
    assert reject(b"\x1f\x8b\x08\x00garbage") == "not a feed: gzip-compressed data"


def test_content_encoding_header_is_ignored() -> None:
    document = rss("enc", [{"title": "x", "guid": "1"}]).encode()
    assert len(parse_feed(document, {"Content-Encoding": "gzip"}).entries) == 1


def test_never_opens_a_file_named_by_the_body(tmp_path: Path) -> None:
    feed_file = tmp_path / "feed.xml"
    feed_file.write_text(rss("secret file", [{"title": "leak", "guid": "1"}]), encoding="utf-8")
    with pytest.raises(NotAFeedError):
        parse_feed(str(feed_file).encode())
    with pytest.raises(NotAFeedError) as info:
        parse_feed(b"/etc/passwd")
    assert "root" not in str(info.value)


def test_undated_and_unparsable_dates_are_none() -> None:
    document = rss("d", [{"title": "x", "guid": "1", "pubDate": "not a date"}])
    (entry,) = parse_feed(document.encode()).entries
    assert entry.published is None and entry.updated is None


@pytest.mark.parametrize(
    "date", ["Mon, 01 Jan 0001 00:00:00 +0000", "Sat, 01 Jan 1000 00:00:00 GMT"]
)
def test_placeholder_dates_count_as_no_date(date: str) -> None:
    document = (
        '<rss version="2.0"><channel><title>t</title>'
        f"<item><guid>1</guid><title>x</title><pubDate>{date}</pubDate></item>"
        "</channel></rss>"
    )
    (entry,) = parse_feed(document.encode()).entries
    assert entry.published is None


def test_json_feed_dates_at_the_end_of_the_calendar_do_not_reject_the_feed() -> None:
    document = (
        '{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": ['
        '{"id": "1", "date_published": "9999-12-31T23:59:59-05:00"},'
        '{"id": "2", "date_published": "2024-05-01T08:00:00Z"}]}'
    )
    first, second = parse_feed(document.encode()).entries
    assert first.published is None
    assert second.published is not None and second.published.year == 2024
