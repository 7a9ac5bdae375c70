"""parse_feed: RSS 2.0, Atom, RSS 1.0, JSON Feed; identity; one-line rejections."""

from __future__ import annotations

import codecs
import io
import json
import logging
import xml.sax.expatreader
import xml.sax.handler
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest

from reader.models import Enclosure, ParsedFeed
from reader.parse import NotAFeedError, entry_identity, feed_links, parse_feed
from tests.corpus import hang_guard
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
    # Stored as the feed sent it: reader.text drops scripts (whole) when showing it.
    assert "<script" in first.content
    # Relative links stay as written, with the base they resolve against when shown.
    assert 'href="/world/2"' in first.content
    assert first.base == "https://tass.example/rss"
    assert first.enclosures == (Enclosure("https://tass.example/a.mp3", "audio/mpeg", 12345),)
    assert second.id == "https://tass.example/world/2"  # no guid: the link
    assert second.published == datetime(2019, 10, 15, 8, 0, tzinfo=UTC)


def test_xml_base_is_each_entry_base() -> None:
    feed = parse_feed(
        b'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://a.example/blog/">'
        b"<title>t</title><entry><id>1</id><title>One</title>"
        b'<content type="html" xml:base="https://b.example/c/">&lt;a href="x"&gt;x&lt;/a&gt;'
        b"</content></entry><entry><id>2</id><title>Two</title>"
        b'<summary type="html">&lt;img src="i.png"&gt;</summary></entry></feed>',
        url="https://a.example/feed",
    )
    first, second = feed.entries
    assert (first.content, first.base) == ('<a href="x">x</a>', "https://b.example/c/")
    assert (second.summary, second.base) == ('<img src="i.png">', "https://a.example/blog/")


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


class _CountingBytes(bytes):
    """A document that tallies how many bytes its searches read."""

    read = 0

    def find(self, needle: Any, start: Any = 0, *rest: Any) -> int:
        found = super().find(needle, start, *rest)
        _CountingBytes.read += (found + len(needle) if found >= 0 else len(self)) - start
        return found


def _ids_written_out_of_order(count: int) -> bytes:
    """Each guid written with a character reference, its literal text only in an
    earlier list in reverse order: every id is found only before the last one."""
    listed = "".join(f"id-{n:06d} " for n in reversed(range(count)))
    items = "".join(
        f"<item><title>t{n}</title><guid isPermaLink='false'>&#105;d-{n:06d}</guid></item>"
        for n in range(count)
    )
    return (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>ids</title>"
        f"<description>{listed}</description>{items}</channel></rss>"
    ).encode()


def test_ids_written_out_of_order_cost_a_few_passes_not_one_per_entry() -> None:
    from reader.parse import _identities_as_written

    count = 2000
    document = _CountingBytes(_ids_written_out_of_order(count))
    keys = [f"id-{n:06d}" for n in range(count)]
    _CountingBytes.read = 0
    assert _identities_as_written(document, keys) is False  # so the parser reads them again
    assert _CountingBytes.read < 20 * len(document)  # it was ~count / 2 passes (hours at 16 MB)
    in_order = _CountingBytes(b" ".join(key.encode() for key in keys))
    _CountingBytes.read = 0
    assert _identities_as_written(in_order, keys) is True
    assert _CountingBytes.read <= 2 * len(in_order)  # each search starts at the id before


@pytest.mark.parametrize("url", [None, "https://ids.example/feed"])
def test_a_feed_with_ids_written_out_of_order_keeps_them(url: str | None) -> None:
    feed = parse_feed(_ids_written_out_of_order(3000), url=url)
    assert [e.id for e in feed.entries] == [f"id-{n:06d}" for n in range(3000)]


def test_ids_with_markup_characters_are_found_escaped_or_in_cdata() -> None:
    from reader.parse import _identities_as_written

    escaped = b"<guid>a?x=1&amp;y=&lt;2&gt;</guid><guid>b&amp;c</guid>"
    cdata = b"<guid><![CDATA[a?x=1&y=<2>]]></guid><guid><![CDATA[b&c]]></guid>"
    for document in (escaped, cdata):
        assert _identities_as_written(document, ["a?x=1&y=<2>", "b&c"])
    assert not _identities_as_written(escaped, ["a?x=1&y=<2>", "/relative"])


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


# -- HTML pages instead of feeds ---------------------------------------------------------

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no shared corpus at {CORPUS}")


def page(head: str) -> bytes:
    return f"<!DOCTYPE html>\n<html><head>{head}</head><body><p>hi</p></body></html>".encode()


def test_html_page_names_the_feeds_it_links_to() -> None:
    body = page(
        '<link rel="alternate" type="application/rss+xml" href="/feed.xml">'
        "<LINK HREF='atom.xml' TYPE='Application/Atom+XML' REL='Alternate'>"
        "<link href=https://other.example/j.json rel=alternate type=application/feed+json>"
        '<link rel="alternate" type="application/json" href="/fourth.json">'
    )
    assert reject(body, url="https://x.example/blog/") == (
        "not a feed: HTML page (it links to feeds: https://x.example/feed.xml, "
        "https://x.example/blog/atom.xml, https://other.example/j.json)"
    )


def test_html_page_feed_links_are_clean_http_urls_only() -> None:
    body = page(
        '<link rel="stylesheet alternate" type="application/rss+xml" href="/style">'
        '<link rel="alternate" type="text/html" href="/fr/">'
        '<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">'
        '<link rel="alternate" type="application/rss+xml" href="ftp://x.example/f">'
        '<link rel="alternate" type="application/rss+xml" href="">'
        '<link rel="alternate" type="application/rss+xml; charset=utf-8" href="/a&#10;\x1b[31mb">'
    )
    message = reject(body, url="http://x.example/")
    assert message == "not a feed: HTML page (it links to feeds: http://x.example/a[31mb)"


def test_html_page_without_feed_links_or_url() -> None:
    assert reject(page("<title>x</title>")) == "not a feed: HTML page"
    assert reject(page('<link rel="alternate" href="/x.xml">')) == "not a feed: HTML page"
    # Relative links need the page's URL; without one they cannot be named.
    relative = page('<link rel="alternate" type="application/rss+xml" href="/f.xml">')
    assert reject(relative) == "not a feed: HTML page"


def test_html_page_base_element_and_rel_feed() -> None:
    body = page('<base href="https://cdn.example/b/"><link rel="feed" href="f.atom">')
    assert reject(body, url="https://x.example/") == (
        "not a feed: HTML page (it links to feeds: https://cdn.example/b/f.atom)"
    )


def test_long_feed_links_keep_the_reason_short() -> None:
    long = "https://x.example/" + "a" * 400
    body = page(f'<link rel="alternate" type="application/rss+xml" href="{long}">' * 2)
    message = reject(body)
    assert len(message) <= 300
    assert message.startswith("not a feed: HTML page (it links to feeds: https://x.example/aaa")
    assert message.endswith("…)")


@pytest.mark.parametrize(
    "body",
    [
        b"<p>An article body, <b>not</b> a feed.</p>\n<p>Second paragraph</p>",
        b'<figure><img src="x.png"></figure><p>caption</p>',
        b"<?xml version='1.0'?>\n<html xmlns='http://www.w3.org/1999/xhtml'><body/></html>",
    ],
)
def test_html_fragments_and_xhtml_are_html_pages(body: bytes) -> None:
    assert reject(body) == "not a feed: HTML page"


def test_a_feed_wrapped_in_an_xhtml_page_is_still_read() -> None:
    feed = atom("wrapped", [{"id": "1", "title": "inside"}]).split("?>", 1)[1]
    body = f"<!DOCTYPE html><html><body>{feed}</body></html>".encode()
    assert [e.title for e in parse_feed(body).entries] == ["inside"]


@needs_corpus
def test_real_home_pages_name_their_feeds() -> None:
    resources = CORPUS / "netnewswire/Modules/RSCore/Tests/RSCoreTests/Resources"
    daring = (resources / "daringfireball.html").read_bytes()
    assert reject(daring, url="https://daringfireball.net/") == (
        "not a feed: HTML page (it links to feeds: "
        "https://daringfireball.net/feeds/main, https://daringfireball.net/feeds/json)"
    )
    youtube = CORPUS / "netnewswire/Modules/RSParser/Tests/RSParserTests/Resources"
    message = reject((youtube / "YouTubeTheVolvoRocks.html").read_bytes())
    assert message == (
        "not a feed: HTML page (it links to feeds: https://www.youtube.com/feeds/videos.xml"
        "?channel_id=UCct7QF2jcWRY6dhXWMSq9LQ)"
    )


@needs_corpus
def test_firefox_feed_discovery_cases() -> None:
    # Firefox's discovery test page: every link titled "Bogus…" must be skipped.
    text = (CORPUS / "simplepie/tests/data/fftests.html").read_text("utf-8")
    found = feed_links(text, "http://x.example/")
    assert found == [f"http://x.example/{n}" for n in
        ("1.atom", "2.rss", "3.xml", "4.atom", "5.atom", "6.atom", "7.atom", "8.atom",
         "9.atom", "10.atom", "11.atom", "12.atom", "13.atom")]  # fmt: skip


# -- repairs: encodings, junk before the declaration -----------------------------------------

UNICODE_RSS = (
    '<?xml version="1.0" encoding="UTF-16"?>\n<rss version="2.0"><channel><title>Ünïcødé ✓</title>'
    "<item><guid>1</guid><title>naïve café</title></item></channel></rss>"
)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("declared", [True, False])
def test_utf16_without_byte_order_mark(codec: str, declared: bool) -> None:
    text = UNICODE_RSS if declared else UNICODE_RSS.split("\n", 1)[1]
    feed = parse_feed(text.encode(codec))
    assert feed.title == "Ünïcødé ✓"
    assert [e.title for e in feed.entries] == ["naïve café"]
    assert feed.warning is None


@pytest.mark.parametrize(
    ("prefix", "warning"),
    [
        (b"\n\n   \t", None),
        (b"\xef\xbb\xbf\n", None),
        (b"<!-- generated -->\r\n", None),
        (
            b"<br />\n<b>Warning</b>: Cannot modify header information in x.php<br />\n",
            "text before the XML declaration was ignored",
        ),
    ],
)
def test_whitespace_comments_or_junk_before_the_declaration(
    prefix: bytes, warning: str | None
) -> None:
    document = rss("late", [{"title": "é", "guid": "1"}]).encode("iso-8859-1")
    document = document.replace(b'encoding="UTF-8"', b'encoding="iso-8859-1"', 1)
    assert document.startswith(b'<?xml version="1.0" encoding="iso-8859-1"?>')
    feed = parse_feed(prefix + document)
    assert [e.title for e in feed.entries] == ["é"]  # the declared Latin-1 was honoured
    assert feed.warning == warning


def test_error_lines_count_the_lines_before_the_declaration() -> None:
    body = b"\n\n<?xml version='1.0'?>\n<rss>\n<channel>\n<title>x</broken>\n"
    assert reject(body).startswith("XML error at line 6: ")


def test_a_declaration_inside_the_document_is_not_a_prefix() -> None:
    body = (
        b"<rss version='2.0'><channel><title>t</title><item><title>x</title>"
        b"<guid><![CDATA[g<?xml version='1.0'?>]]></guid></item></channel></rss>"
    )
    assert [e.id for e in parse_feed(body).entries] == ["g<?xml version='1.0'?>"]


def test_wrongly_declared_encoding_is_decoded_another_way() -> None:
    body = (
        b"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>t</title>"
        b"<item><guid>1</guid><title>caf\xe9 cr\xe8me</title></item></channel></rss>"
    )
    feed = parse_feed(body)
    assert [e.title for e in feed.entries] == ["café crème"]
    assert feed.warning == "declared character encoding was wrong; decoded another way"


def test_mostly_utf8_keeps_its_utf8_and_replaces_bad_bytes() -> None:
    body = (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Ünï</title>"
        "<item><guid>1</guid><title>naïve café BAD</title></item></channel></rss>"
    ).encode()
    feed = parse_feed(body.replace(b"BAD", b"\xff"))
    assert feed.title == "Ünï"
    assert [e.title for e in feed.entries] == ["naïve café \ufffd"]
    assert feed.warning == "invalid UTF-8 bytes were replaced"


@pytest.mark.parametrize("encoding", ["bogus", "utf-32", "x-unknown-\x01", "\xff\xfe-not-utf-8"])
def test_unknown_or_impossible_declared_encodings_do_not_crash(encoding: str) -> None:
    body = (
        f"<?xml version='1.0' encoding='{encoding}'?><rss version='2.0'><channel>"
        "<title>t</title><item><guid>1</guid><title>x</title></item></channel></rss>"
    ).encode("latin-1")
    assert [e.title for e in parse_feed(body).entries] == ["x"]


def test_html_entities_are_read_by_the_strict_parser() -> None:
    body = (
        b"<rss version='2.0'><channel><title>a&nbsp;b &mdash; &eacute;</title><item>"
        b"<guid>1</guid><title><![CDATA[&copy; kept]]></title></item></channel></rss>"
    )
    feed = parse_feed(body)
    assert feed.title == "a b — é"
    assert feed.warning is None  # no fallback to the lenient parser
    assert [e.title for e in feed.entries] == ["© kept"]  # CDATA untouched, unescaped as text


def test_nul_bytes_and_huge_titles_do_not_break_parsing() -> None:
    huge = "word " * 400_000
    angles = "&lt;" * 300_000
    body = (
        f"<rss version='2.0'><channel><title>{huge}</title>"
        f"<item><guid>1</guid><title>nul\x00here</title></item>"
        f"<item><guid>2</guid><title>{angles}x</title></item></channel></rss>"
    ).encode()
    with hang_guard(20):
        feed = parse_feed(body)
    assert feed.title is not None and len(feed.title) > 1_000_000
    assert [e.id for e in feed.entries] == ["1", "2"]
    with hang_guard(20):
        json_feed_doc = parse_feed(
            json_feed("n", [{"id": "1", "title": "a\x00" * 500_000}]).encode()
        )
    assert json_feed_doc.entries[0].title is not None


# -- entities: expansion bombs and external entities ----------------------------------------


def xml_rss(doctype: str, title: str, broken: bool = False) -> bytes:
    """An RSS document with ``doctype``, whose feed and entry titles are ``title``."""
    tail = "<oops>" if broken else ""
    return (
        f'<?xml version="1.0"?>{doctype}\n<rss version="2.0"><channel><title>{title}</title>'
        f"<item><guid>1</guid><title>{title}</title>{tail}</item></channel></rss>"
    ).encode()


def all_text(feed: ParsedFeed) -> str:
    return repr(feed)


BILLION_LAUGHS = (
    '<!DOCTYPE rss [<!ENTITY a0 "lol">'
    + "".join(f'<!ENTITY a{n} "{f"&a{n - 1};" * 10}">' for n in range(1, 10))
    + "]>"
)


@pytest.mark.parametrize("multiline", [False, True])
@pytest.mark.parametrize("broken", [False, True])
def test_billion_laughs_does_not_expand(multiline: bool, broken: bool) -> None:
    # On lines of their own, feedparser's regexes see the declarations.
    doctype = BILLION_LAUGHS.replace("<!", "\n<!") if multiline else BILLION_LAUGHS
    with hang_guard(20):
        feed = parse_feed(xml_rss(doctype, "&a9;", broken))
    assert len(all_text(feed)) < 10_000


@pytest.mark.parametrize("multiline", [False, True])
@pytest.mark.parametrize("broken", [False, True])
def test_quadratic_blowup_does_not_expand(multiline: bool, broken: bool) -> None:
    # One 2,000-character entity referenced 20,000 times would be 40 MB.
    newline = "\n" if multiline else ""
    doctype = f'{newline}<!DOCTYPE rss [{newline}<!ENTITY big "{"x" * 2000}">{newline}]>'
    with hang_guard(20):
        feed = parse_feed(xml_rss(doctype, "&big;" * 20_000, broken))
    assert len(all_text(feed)) < 1_000_000


def test_entity_declarations_hidden_in_a_comment_are_not_used() -> None:
    # feedparser's line-based regexes find declarations even inside comments.
    doctype = f'\n<!--\n<!DOCTYPE rss>\n<!ENTITY big "{"x" * 2000}">\n-->'
    with hang_guard(20):
        feed = parse_feed(xml_rss(doctype, "&big;" * 5_000, broken=True))
    assert "x" * 2000 not in all_text(feed)


def test_small_plain_entities_still_work() -> None:
    doctype = '\n<!DOCTYPE rss [\n  <!ENTITY id "tag:example.com,">\n  <!ENTITY c "&#169;">\n]>'
    feed = parse_feed(xml_rss(doctype, "&c; &id;2006"))
    assert [e.title for e in feed.entries] == ["© tag:example.com,2006"]
    assert feed.warning is None


@pytest.fixture
def secret_files(tmp_path: Path) -> dict[str, str]:
    """A file with a secret, and DTDs that would pull it in, as file: URLs."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-8d1f")
    dtd = tmp_path / "leak.dtd"
    dtd.write_text('<!ENTITY leak "TOPSECRET-8d1f">')
    return {"secret": secret.as_uri(), "dtd": dtd.as_uri()}


@pytest.fixture
def expat_loads_external_entities(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make xml.sax load external entities whatever feedparser asks for.

    feedparser switches them off; this proves the reader does not rely on it.
    """
    original = xml.sax.expatreader.ExpatParser.setFeature

    def set_feature(self: Any, name: str, state: bool) -> None:
        if name == xml.sax.handler.feature_external_ges:
            state = True
        original(self, name, state)

    monkeypatch.setattr(xml.sax.expatreader.ExpatParser, "setFeature", set_feature)


@pytest.mark.parametrize("library_default", [True, False])
@pytest.mark.parametrize(
    ("doctype", "title"),
    [
        ('<!DOCTYPE rss [<!ENTITY s SYSTEM "{secret}">]>', "&s;"),
        ('\n<!DOCTYPE rss [\n<!ENTITY s SYSTEM "{secret}">\n]>', "&s;"),
        ('<!DOCTYPE rss [<!ENTITY % p SYSTEM "{dtd}"> %p;]>', "&leak;"),
        ('<!DOCTYPE rss SYSTEM "{dtd}">', "&leak;"),
        ('<!DOCTYPE rss PUBLIC "-//x//y" "{dtd}">', "&leak;"),
    ],
)
def test_external_entities_are_never_read(
    doctype: str,
    title: str,
    library_default: bool,
    secret_files: dict[str, str],
    request: pytest.FixtureRequest,
) -> None:
    if not library_default:
        request.getfixturevalue("expat_loads_external_entities")
    body = xml_rss(doctype.format(**secret_files), f"x{title}y")
    with hang_guard(20):
        feed = parse_feed(body, url="http://x.example/feed")
    assert "TOPSECRET" not in all_text(feed)
    assert [e.id for e in feed.entries] == ["1"]


def test_the_library_switch_is_what_the_external_entity_test_flips(
    secret_files: dict[str, str], expat_loads_external_entities: None
) -> None:
    # The premise: with the switch flipped, feedparser alone reads the file.
    body = xml_rss(f'<!DOCTYPE rss [<!ENTITY s SYSTEM "{secret_files["secret"]}">]>', "&s;")
    result = feedparser.parse(io.BytesIO(body))
    assert "TOPSECRET" in result.entries[0].title


# -- JSON Feed leniency ------------------------------------------------------------------------


def test_json_feed_with_a_bare_version_number_is_read_with_a_warning() -> None:
    body = b'{"version": "1.1", "title": "t", "items": [{"id": "1", "title": "x"}]}'
    feed = parse_feed(body)
    assert [e.title for e in feed.entries] == ["x"]
    assert feed.warning == 'JSON Feed version "1.1" is not a jsonfeed.org URL'


def test_json_feed_values_of_the_wrong_type_are_ignored_and_named() -> None:
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": ["not a string"],
            "items": [
                {"id": 7, "title": {"no": 1}, "url": "https://x.example/7", "attachments": "x"},
                "not an item",
                {"id": "b", "content_html": True, "authors": [{"name": "Ann"}, 3]},
            ],
        }
    ).encode()
    feed = parse_feed(body)
    assert feed.title is None
    first, second = feed.entries
    assert (first.id, first.title, first.link) == ("7", None, "https://x.example/7")
    assert (second.id, second.content, second.author) == ("b", None, "Ann")
    assert feed.warning == (
        "JSON Feed: ignored 6 values of the wrong type (title, items[1], items[0].title, …)"
    )


def test_unknown_json_feed_version_is_named() -> None:
    body = b'{"version": "https://jsonfeed.org/version/2", "items": []}'
    assert reject(body) == 'not a feed: unknown JSON Feed version "https://jsonfeed.org/version/2"'


def test_xml_without_feed_content_names_its_root() -> None:
    body = b"<?xml version='1.0' encoding='utf-8'?>\n<note><to>Ana\xefs</to></note>"
    assert reject(body) == (
        "not a feed: no RSS, Atom or JSON Feed content found (the document is a <note>)"
    )


@pytest.mark.parametrize("content_type", ["text/xml", "text/rss+xml", "TEXT/XML; format=x"])
def test_text_xml_without_charset_follows_the_documents_declaration(content_type: str) -> None:
    # RFC 7303, not RFC 3023's US-ASCII: no warning for a feed served this way.
    feed = parse_feed(
        UNICODE_RSS.replace("UTF-16", "UTF-8").encode(), {"Content-Type": content_type}
    )
    assert feed.title == "Ünïcødé ✓"
    assert feed.warning is None


def test_a_charset_in_the_content_type_still_wins() -> None:
    body = (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>café</title>"
        "<item><guid>1</guid><title>x</title></item></channel></rss>"
    ).encode("iso-8859-1")
    feed = parse_feed(body, {"Content-Type": "text/xml; charset=iso-8859-1"})
    assert feed.title == "café"
    assert feed.warning is None


# -- hostile markup: everything here stays linear ---------------------------------------------

_N = 256 * 1024
_RSS_START = b"<rss version='2.0'><channel><title>t</title><item><guid>1</guid><title>"
HOSTILE = {
    # html.parser rescans these: a whole page of them took minutes.
    "page of comment openers": b"<html>" + b"<!--" * (_N // 4),
    "page of end-tag openers": b"<!DOCTYPE html><html>" + b"</" * (_N // 2),
    "page of PI openers": b"<html>" + b"<?" * (_N // 2),
    "page of unclosed link tags": b"<html>" + b"<link " * (_N // 6),
    "fragment of comment openers": b"<p>" + b"<!--" * (_N // 4),
    "CDATA openers in a feed": _RSS_START + b"<![CDATA[" * (_N // 9),
    "comment openers in a feed": _RSS_START + b"<!--" * (_N // 4),
    "HTML entities in a feed": _RSS_START + b"&nbsp;" * (_N // 6),
    "comment openers in a DOCTYPE": b"<?xml version='1.0'?><!DOCTYPE rss [" + b"<!--" * (_N // 4),
    "PI openers in a DOCTYPE": b"<?xml version='1.0'?><!DOCTYPE rss [" + b"<?" * (_N // 2),
    "an unclosed DOCTYPE": b"<?xml version='1.0'?><!DOCTYPE rss " + b'"' * _N,
    "many entity declarations": b"<?xml version='1.0'?><!DOCTYPE rss ["
    + b"".join(b'<!ENTITY e%d "x">' % n for n in range(_N // 20))
    + b"]>"
    + _RSS_START
    + b"&e1;" * 1000
    + b"</title></item></channel></rss>",
    "comment openers in UTF-16": ("<rss>" + "<!--" * (_N // 8)).encode("utf-16-le"),
    "mostly invalid UTF-8": _RSS_START + b"\xc3\xa9\xff" * (_N // 3),
    "deeply nested JSON": b"[" * _N,
}


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_markup_is_parsed_or_rejected_quickly(body: bytes) -> None:
    with hang_guard(20):
        try:
            feed = parse_feed(body, url="http://x.example/")
        except NotAFeedError as exc:
            assert str(exc) and "\n" not in str(exc)
        else:
            assert len(feed.entries) == 1


# -- feedparser's own failure modes --------------------------------------------------------------


@pytest.mark.parametrize("reference", ["&#x110000;", "&#1114112;", "&#xD800;", "&#99999999999;"])
@pytest.mark.parametrize("broken", [False, True])
def test_references_beyond_unicode_become_replacement_characters(
    reference: str, broken: bool
) -> None:
    # feedparser's lenient parser (used once expat gives up) crashed on these,
    # and a lone surrogate cannot be stored as UTF-8.
    tail = "<oops>" if broken else ""
    body = (
        "<rss version='2.0'><channel><title>t</title><item><guid>1</guid>"
        f"<title>a{reference}b</title>{tail}</item></channel></rss>"
    ).encode()
    assert [e.title for e in parse_feed(body).entries] == ["a\ufffdb"]


def test_whitespace_in_namespace_uris_is_dropped() -> None:
    # xml.sax splits names on whitespace: a space in a URI crashed feedparser.
    body = (
        b"<rss version='2.0' xmlns:itunes=' http://www.itunes.com/dtds/podcast-1.0.dtd '"
        b' xmlns:content="http://purl.org/rss/1.0/modules&#160;/content/">'
        b"<channel><title>t</title><item><guid>1</guid><itunes:author>Ann</itunes:author>"
        b"</item></channel></rss>"
    )
    feed = parse_feed(body)
    assert [e.author for e in feed.entries] == ["Ann"]  # the iTunes namespace was recognised
    assert feed.warning is None


def test_a_document_feedparser_fails_on_is_rejected_in_one_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = (
        b'<rss version="2.0"><channel><title>t</title><item><guid>1</guid>'
        b"<title>a</tit]]>le></item><image><width>2</width></image></channel></rss>"
    )
    with pytest.raises(TypeError):  # the premise: feedparser itself raises
        feedparser.parse(io.BytesIO(body))
    logger = logging.getLogger("reader.parse")  # "reader" may not propagate to the root
    logger.addHandler(caplog.handler)
    try:
        assert reject(body, url="https://user:pw@x.example/f") == (
            "not a well-formed feed (the feed parser failed: TypeError)"
        )
    finally:
        logger.removeHandler(caplog.handler)
    assert "feedparser failed on https://x.example/f" in caplog.text  # details in the log
    assert "Traceback" in caplog.text
    assert "pw" not in caplog.text


def test_code_in_html_titles_is_dropped_not_shown() -> None:
    doc = (
        '<rss version="2.0"><channel><title>T</title><item><guid>1</guid>'
        "<title>&lt;script&gt;alert(1)&lt;/script&gt;Real &lt;style&gt;p{}&lt;/style&gt;title"
        "&lt;b&gt;!&lt;/b&gt;</title></item></channel></rss>"
    )
    (entry,) = parse_feed(doc.encode()).entries
    assert entry.title == "Real title!"


def test_dropping_code_from_titles_is_linear_on_hostile_input() -> None:
    from reader.parse import _without_code

    assert _without_code("<script" * 200_000) == "<script" * 200_000  # unclosed: kept
    assert _without_code("a<style>x</style>b<SCRIPT>y</script >c") == "abc"


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
def test_a_nul_in_the_declared_encoding_after_a_bom_does_not_escape(bom: bytes) -> None:
    doc = (
        b'<?xml version="1.0" encoding="\x00utf-8"?><rss version="2.0"><channel><title>t</title>'
        b"<item><title>a</title><guid>1</guid></item></channel></rss>"
    )
    feed = parse_feed(bom + doc)
    assert [e.title for e in feed.entries] == ["a"] and feed.warning is None


@pytest.mark.parametrize("body", [b"hello world", b"/etc/passwd", bytes(range(1, 200)) * 5])
def test_text_and_random_bytes_are_not_a_feed(body: bytes) -> None:
    assert reject(body) == "not a feed: not XML (no RSS, Atom or JSON Feed content)"


def test_ids_raw_in_cdata_are_found_without_a_second_parse() -> None:
    from reader.parse import _identities_as_written

    document = b"".join(
        b"<guid><![CDATA[a?p=%d&x=1]]></guid><guid>plain%d</guid>" % (n, n) for n in range(40)
    )
    keys = [key for n in range(40) for key in (f"a?p={n}&x=1", f"plain{n}")]
    assert _identities_as_written(document, keys)  # one vain search, not one per id
