"""Feeds built to make the parser's work grow faster than their size.

Each case is one the old code took minutes or hours over (a regex that
backtracks, a list searched or shifted once per item). The hang guard is a
check against freezing, not a speed measurement: the fixed code takes a
fraction of a second, the old code far longer than the guard.
"""

from __future__ import annotations

import codecs
import tracemalloc
from collections.abc import Callable
from typing import Any

from reader import parse, parse_fast
from reader.parse import parse_feed
from tests.corpus import hang_guard
from tests.feedserver import rss

GUARD = 20.0
ITEMS = [{"title": f"t{n}", "guid": f"g{n}", "description": "<p>x</p>"} for n in range(3)]


def test_blank_lines_then_junk_before_the_declaration() -> None:
    """Every split of 40 newlines was tried before the pattern gave up (2^40)."""
    document = b"\n" * 40 + b"PHP Warning: x\n" + rss("late", ITEMS).encode()
    with hang_guard(GUARD):
        feed = parse_feed(document, url="https://late.example/feed")
    assert [entry.id for entry in feed.entries] == ["g0", "g1", "g2"]
    assert feed.warning == "text before the XML declaration was ignored"


def test_a_long_first_line_repeating_encoding_attributes() -> None:
    """feedparser's declared-encoding pattern is cubic in the first line's length."""
    first_line = b'<?xml version="1.0" ' + b'encoding="utf-8" ' * 2000
    with hang_guard(GUARD):
        error = _rejection(first_line + b"\n<rss/>")
    assert error.startswith("XML error at line 1:")


def test_a_minified_feed_reads_as_the_same_feed_with_the_same_error_lines() -> None:
    document = rss("one line", ITEMS).replace("\n", "").encode()
    assert b"\n" not in document and len(document) > 512
    pretty = parse_feed(rss("one line", ITEMS).encode(), url="https://min.example/feed")
    assert parse_feed(document, url="https://min.example/feed") == pretty
    broken = parse_feed(document.replace(b"</channel>", b"</chanel>"))
    assert broken.warning == "XML error at line 1: mismatched tag"
    unclosed = parse_feed(b"<?xml-stylesheet " + b"x" * 600 + document)
    assert [entry.id for entry in unclosed.entries] == ["g0", "g1", "g2"]


def test_short_first_line_splits_only_what_it_must() -> None:
    declaration = b'<?xml version="1.0"?>'
    long_line = declaration + b"<rss>" + b"x" * 600
    assert parse._short_first_line(long_line) == (declaration + b"\n<rss>" + b"x" * 600, 1)
    short = declaration + b"\n<rss>" + b"x" * 600
    assert parse._short_first_line(short) == (short, 0)
    assert parse._short_first_line(b"<rss>" + b"x" * 600) == (b"<rss>" + b"x" * 600, 0)
    data, added = parse._short_first_line(b"<?" + b"x" * 600)
    assert added == 1 and data.startswith(b"<?xml") and data.endswith(b"\n<?" + b"x" * 600)


def test_atom_xhtml_content_with_a_million_blank_pieces() -> None:
    """The pieces around the wrapping div were deleted from the front one by one."""
    pieces = ["\n"] * 1_000_000 + ["<div>", "text", "</div>"] + ["\n"] * 1_000_000
    with hang_guard(GUARD):
        assert parse_fast._without_wrapping_div(pieces) == ["text"]
    assert parse_fast._without_wrapping_div(["\n", " "]) == ["\n"]


def test_a_feed_over_ten_megabytes_still_takes_the_fast_path() -> None:
    """libxml2 refuses one buffer over 10 MB; fed in pieces, it reads it."""
    item = b"<item><guid>g%d</guid><title>t</title><link>https://e.example/%d</link></item>"
    items = b"".join(item % (n, n) for n in range(130_000))
    document = b'<?xml version="1.0"?><rss version="2.0"><channel><title>big</title>'
    document += items + b"</channel></rss>"
    assert len(document) > 10_500_000
    root, _ = parse_fast._tree(document)
    assert len(root[0]) == 130_001


def test_counting_utf8_sequences_lists_none_of_them() -> None:
    """A list of every multi-byte character was 30 times the document's size."""
    document = b"<?xml version='1.0'?><rss><channel><title>"
    document += "é".encode() * 2_000_000 + b"\xff</title></channel></rss>"
    data, note = _peak_within(5 * len(document), parse._keep_mostly_utf8, document, {})
    assert note == "invalid UTF-8 bytes were replaced" and b"\xff" not in data


def test_counting_entity_references_lists_none_of_them() -> None:
    document = b"<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY ab 'v'>]><rss><channel><title>"
    document += b"&ab;" * 1_000_000 + b"</title></channel></rss>"
    entities = _peak_within(
        2 * len(document), parse._vetted_entities, [b"<!ENTITY ab 'v'>"], document
    )
    assert entities == {b"ab": b"v"}


def _peak_within(limit: int, function: Callable[..., Any], *args: Any) -> Any:
    tracemalloc.start()
    try:
        result = function(*args)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < limit, f"peak {peak:,} bytes for a {limit:,}-byte bound"
    return result


def _rejection(document: bytes) -> str:
    try:
        parse_feed(document, url="https://hostile.example/feed")
    except parse.NotAFeedError as error:
        return str(error)
    raise AssertionError("parsed")


def test_blank_lines_before_the_first_element_for_feedparser() -> None:
    """feedparser's DOCTYPE pattern ran over every following blank line from each line."""
    body = rss("blank", ITEMS).split("?>", 1)[1].encode()
    junk_first = b"junk\n<?xml version='1.0'?>" + b"\n" * 200_000 + body
    with hang_guard(GUARD):
        feed = parse_feed(junk_first)  # the junk sends it to feedparser
    assert [entry.id for entry in feed.entries] == ["g0", "g1", "g2"]
    doctype = b"<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY e 'v'>" + b"\n" * 200_000 + b"]>"
    with hang_guard(GUARD):
        feed = parse_feed(doctype + body.replace(b"<title>t0", b"<title>&e;t0"))
    assert feed.entries[0].title == "vt0"


def test_squeezed_blank_lines_still_count_in_error_lines() -> None:
    body = rss("blank", ITEMS).split("?>", 1)[1].replace("</channel>", "</chanel>")
    document = "<?xml version='1.0'?>" + "\n" * 100 + body
    line = document.split("</chanel>")[0].count("\n") + 1
    assert parse_feed(document.encode()).warning == f"XML error at line {line}: mismatched tag"


def _namespace_flood(prefixes: int) -> bytes:
    declared = b"".join(b' xmlns:p%d="https://ns.example/%d"' % (n, n) for n in range(prefixes))
    unknown = b"<x:e xmlns:x='https://other.example/'>" + b"<x:i/>" * prefixes + b"</x:e>"
    return (
        b"junk\n<?xml version='1.0'?><rss version='2.0'" + declared + b"><channel><title>t</title>"
        b"<item><guid>g0</guid>" + unknown + b"</item></channel></rss>"
    )


def test_thousands_of_namespace_prefixes_are_refused_before_feedparser() -> None:
    """feedparser looked through every prefix for each element in an unknown namespace."""
    with hang_guard(GUARD):
        error = _rejection(_namespace_flood(40_000))
    assert error == "not a feed: it declares 40,001 XML namespace prefixes (feeds use a few)"
    assert [entry.id for entry in parse_feed(_namespace_flood(20)).entries] == ["g0"]
    # lxml reads such a document in linear time, so the fast path keeps it.
    fast = parse_feed(_namespace_flood(40_000).removeprefix(b"junk\n"))
    assert [entry.id for entry in fast.entries] == ["g0"]


def test_an_error_before_a_few_blank_lines_keeps_its_line() -> None:
    body = rss("x", ITEMS).split("?>", 1)[1]
    document = "<?xml version='1.0'?>\n<!-- cached -- x -->\n\n\n\n" + body
    assert parse_feed(document.encode()).warning == (
        "XML error at line 2: not well-formed (invalid token)"
    )


def test_namespace_values_holding_markup_characters_are_counted_too() -> None:
    flood = _namespace_flood(5_000).replace(b'"https://ns.example/', b'"https://ns.example/>')
    with hang_guard(GUARD):
        assert "declares 5,001 XML namespace prefixes" in _rejection(flood)


def test_form_feeds_between_blank_lines_before_the_first_element() -> None:
    body = rss("ff", ITEMS).split("?>", 1)[1].encode()
    document = b"junk\n<?xml version='1.0'?>" + b"\n\x0c" * 100_000 + body
    with hang_guard(GUARD):
        feed = parse_feed(document)
    assert [entry.id for entry in feed.entries] == ["g0", "g1", "g2"]


def test_a_long_first_line_in_utf16_with_a_byte_order_mark() -> None:
    """feedparser decodes UTF-16 before its declared-encoding pattern runs."""
    text = '<?xml version="1.0" ' + 'encoding="utf-8" ' * 3000 + "\n<rss/>"
    with hang_guard(GUARD):
        _rejection(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    feed = rss("one line", ITEMS).replace("\n", "").replace('"UTF-8"', '"UTF-16"')
    split = parse_feed(codecs.BOM_UTF16_LE + feed.encode("utf-16-le"))
    assert [entry.id for entry in split.entries] == ["g0", "g1", "g2"]
