"""Feed bytes + response headers → :class:`~reader.models.ParsedFeed`.

RSS and Atom go through feedparser, always from a stream (feedparser treats
a bytes value that names an existing file as that file). JSON Feed, which
feedparser does not read, is parsed here with the standard library. A
document that is not a usable feed raises :class:`NotAFeedError` with a
one-line reason; a feed with flaws but entries is accepted with a warning.

Before feedparser sees an XML document it is prepared (:func:`_prepare_xml`):

- **Repairs** that turn real-world breakage into a clean parse: UTF-16
  without a byte-order mark is re-encoded, whitespace, comments or junk
  before ``<?xml`` are dropped, mostly-UTF-8 text with a few invalid bytes
  keeps its UTF-8 (the bad bytes become U+FFFD) instead of being read as
  Windows-1252, HTML named entities (``&nbsp;``) become character
  references so the strict parser need not give up on them, references
  beyond Unicode become U+FFFD, and namespace URIs lose stray whitespace.
- **One encoding.** feedparser's own detection turns the bytes into UTF-8
  first, so every later step, and the prepared document, is UTF-8.
- **Entities, safe by construction** (:func:`_defuse_doctype`). A DOCTYPE can
  declare entities that expand exponentially ("billion laughs") or
  quadratically (one long entity referenced a million times), or that name
  files and URLs (external and parameter entities, an external DTD).
  feedparser strips DOCTYPEs with line-based regexes that a one-line DOCTYPE
  slips past, and its fallback parser expands the "safe" entities it finds
  without any limit; expat's own amplification limit and feedparser's
  switching off of external entities are library defaults this module does
  not rely on. Instead the DOCTYPE is always rewritten: only internal
  general entities whose value is plain text (no markup, no references but
  one character reference) survive, and only while their total expansion
  stays under :data:`MAX_ENTITY_EXPANSION`; external identifiers, parameter
  entities and every other declaration are dropped. Nothing is ever read
  from a file or the network, and expansion is bounded before parsing.

A prepared document that needed no repair is first offered to
:mod:`reader.parse_fast`, which reads well-formed RSS and Atom with lxml in
a tenth of feedparser's time and gives exactly the ParsedFeed the feedparser
path would, or declines (then feedparser reads it as always).

An HTML page is recognised by its DOCTYPE or first element and rejected
without parsing, naming the feeds it links to. Every scan here is linear in
the document, whatever it holds. A document feedparser itself crashes on is
rejected in one line; the traceback goes to the log.
"""

from __future__ import annotations

import codecs
import hashlib
import html
import io
import itertools
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from html.entities import html5 as _HTML5_ENTITIES
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.sax.saxutils import escape as xml_escape

import feedparser
from feedparser.encodings import convert_to_utf8

from reader import feedparser_guards
from reader.models import Enclosure, ParsedEntry, ParsedFeed
from reader.sanitize import redact_credentials

logger = logging.getLogger(__name__)
feedparser_guards.install()  # before any feed is read, in every process that reads them

# "<" then anything but "<" or ">": linear even on a title of a million "<".
_TAG = re.compile(r"<[^<>]*>")
_JSON_FEED_VERSION = re.compile(r"^https?://(www\.)?jsonfeed\.org/version/1(\.\d+)?/?$")
_BARE_JSON_FEED_VERSION = re.compile(r"^1(\.\d+)?$")
MAX_ENTITY_EXPANSION = 1_000_000  # characters all declared entities may add, in total
_MAX_LISTED_LINKS = 3
_MAX_REASON = 300
_UTF8_DECLARATION = b"<?xml version='1.0' encoding='utf-8'?>"


class NotAFeedError(Exception):
    """The document is not a feed; ``str()`` is the one-line reason."""


def parse_feed(
    content: bytes, headers: Mapping[str, str] | None = None, url: str | None = None
) -> ParsedFeed:
    """Parse a feed document of any supported format."""
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    stripped = content.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        raise NotAFeedError("empty document")
    if stripped[:1] in (b"{", b"["):
        return parse_json_feed(stripped)
    return _parse_xml_feed(content, headers, url)


# -- XML: preparing the bytes ---------------------------------------------------


@dataclass(frozen=True)
class _Prepared:
    """An XML document made ready for feedparser (see the module docstring)."""

    data: bytes  # UTF-8, starting with a UTF-8 declaration
    line_offset: int  # data's line N is the original's line N - line_offset
    problem: object | None = None  # feedparser's complaint about the encoding, if any
    note: str | None = None  # a repair the reader should hear about
    first_element: str | None = None  # the root element's name, as written
    looks_html: bool = False  # an HTML DOCTYPE, or a root element only HTML has
    no_feed_element: bool = False  # nothing like <rss>, <feed>, <rdf:RDF> or <channel>

    @property
    def html_page(self) -> bool:
        """HTML with no feed inside (feeds wrapped in XHTML exist): no need to parse."""
        return self.looks_html and self.no_feed_element


def _prepare_xml(content: bytes, headers: Mapping[str, str]) -> _Prepared:
    data = _utf16_without_bom_to_utf8(content)
    data, removed_lines, note = _strip_before_declaration(data)
    data, split_lines = _short_first_line(data)
    data = _plausible_declared_encoding(data)
    data, utf8_note = _keep_mostly_utf8(data, headers)
    added_line = _line_shift(data) + split_lines
    scratch: dict[str, Any] = {}
    try:
        converted = convert_to_utf8(_xml_media_type(headers), data, scratch)
    except (ValueError, LookupError):  # a declaration no check above foresaw
        scratch.clear()
    if not scratch.get("encoding"):  # feedparser found no encoding that decodes it
        text = data.decode("utf-8", "replace")
        converted = _UTF8_DECLARATION + b"\n" + text.encode("utf-8")
        added_line = 1
    html_doctype, first_element = _root(converted)
    looks_html = html_doctype or (first_element or "").lower() in _HTML_TAGS
    converted, squeezed, declared = _defuse_doctype(converted)
    converted = _tidy_namespaces(_xml_references(converted, declared))
    return _Prepared(
        data=converted,
        line_offset=added_line - removed_lines - squeezed,
        problem=scratch.get("bozo_exception"),
        note=note or utf8_note,
        first_element=first_element,
        looks_html=looks_html,
        no_feed_element=_FEED_ROOT.search(converted) is None,
    )


def _xml_media_type(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers for encoding detection, reading ``text/xml`` as RFC 7303 does.

    feedparser follows the older RFC 3023: ``text/xml`` without a charset is
    US-ASCII, so every UTF-8 feed served that way would get a warning. RFC
    7303 lets the document's own declaration decide, as for ``application/xml``.
    """
    result = dict(headers)
    media_type, _, parameters = result.get("content-type", "").partition(";")
    media_type = media_type.strip().lower()
    is_text_xml = media_type == "text/xml" or (
        media_type.startswith("text/") and media_type.endswith("+xml")
    )
    if is_text_xml and not _CHARSET.search(parameters):
        result["content-type"] = "application/xml"
    return result


_HTML_DOCTYPE = re.compile(rb"<!DOCTYPE[ \t\r\n]+html\b", re.I)
_ELEMENT_NAME = re.compile(rb"<([A-Za-z_][A-Za-z0-9_.:-]{0,100})")


def _root(data: bytes) -> tuple[bool, str | None]:
    """(whether the DOCTYPE is HTML's, the first element's name) of a UTF-8 document."""
    position = _skip_prolog_items(data, 0)
    html_doctype = _HTML_DOCTYPE.match(data, position) is not None
    if data[position : position + 9].upper() == b"<!DOCTYPE":
        try:
            position = _skip_prolog_items(data, _scan_doctype(data, position)[0])
        except _MalformedDoctype:
            return html_doctype, None
    element = _ELEMENT_NAME.match(data, position)
    return html_doctype, element.group(1).decode("ascii") if element else None


def _skip_prolog_items(data: bytes, position: int) -> int:
    """Past whitespace, comments and processing instructions (the declaration too)."""
    while (item := _PROLOG_ITEM.match(data, position)) is not None:
        position = item.end()
    return position


_DECLARATION_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?\bencoding\s*=\s*)(["'])[^"']*\2""")


def _utf16_without_bom_to_utf8(content: bytes) -> bytes:
    """UTF-16 with no byte-order mark, spotted by its zero bytes, as UTF-8."""
    head = content[:4]
    if len(head) < 4 or _byte_order_mark(content)[0]:
        return content
    if head[0] == 0 and head[1] and head[2] == 0 and head[3]:
        codec = "utf-16-be"
    elif head[0] and head[1] == 0 and head[2] and head[3] == 0:
        codec = "utf-16-le"
    else:
        return content
    text = content.decode(codec, "replace")
    if not text.lstrip().startswith("<"):
        return content
    return _DECLARATION_ENCODING.sub(r"\1\2utf-8\2", text, count=1).encode("utf-8")


_BEFORE_DECLARATION_LIMIT = 4096
# Possessive: with plain repeats a failed match tries every split of the whitespace.
_HARMLESS_PREFIX = re.compile(rb"(?:\xef\xbb\xbf|[ \t\r\n]++|<!--.*?-->)*+", re.S)
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:rdf|rdf|channel)\b", re.I)


def _strip_before_declaration(data: bytes) -> tuple[bytes, int, str | None]:
    """Drop what precedes a late ``<?xml`` declaration: (data, lines removed, note).

    Whitespace and comments go silently; other junk (a server's warning
    text) goes with a note. Nothing is dropped if a feed element comes first,
    as the declaration is then inside the document.
    """
    start = data.find(b"<?xml", 0, _BEFORE_DECLARATION_LIMIT)
    prefix = data[:start]
    if start <= 0 or prefix == codecs.BOM_UTF8 or _FEED_ROOT.search(prefix):
        return data, 0, None
    harmless = _HARMLESS_PREFIX.fullmatch(prefix) is not None
    note = None if harmless else "text before the XML declaration was ignored"
    return data[start:], prefix.count(b"\n"), note


_LONGEST_FIRST_LINE = 512


def _short_first_line(data: bytes) -> tuple[bytes, int]:
    """``data`` with its first line no longer than a declaration, and the lines added.

    feedparser looks for the declared encoding with a pattern that backtracks
    over the whole first line, in time cubic in its length when that line
    repeats ``encoding="``, and a minified feed is megabytes on one line. A
    first processing instruction gets a line of its own; one not closed
    within 512 characters is no declaration, and a declaration goes before
    it. A byte-order mark says how the text is encoded (feedparser decodes
    UTF-16 and UTF-32 before its pattern runs).
    """
    bom, codec = _byte_order_mark(data)
    body = data[len(bom) :]
    # surrogateescape: each undecodable byte is one character, and encodes back to itself
    head = body[: _LONGEST_FIRST_LINE * 4].decode(codec, "surrogateescape")[:_LONGEST_FIRST_LINE]
    if not head.startswith("<?") or "\n" in head:
        return data, 0
    end = head.find("?>")
    if end < 0:
        declaration = _UTF8_DECLARATION if codec == "utf-8" else b"<?xml version='1.0'?>"
        return bom + (declaration + b"\n").decode("ascii").encode(codec) + body, 1
    split = len(head[: end + 2].encode(codec, "surrogateescape"))
    return bom + body[:split] + "\n".encode(codec) + body[split:], 1


_BYTE_ORDER_MARKS = (  # UTF-32's before UTF-16's: FF FE 00 00 starts with FF FE
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF8, "utf-8"),
)


def _byte_order_mark(data: bytes) -> tuple[bytes, str]:
    """(the byte-order mark, the codec it names); (b"", "utf-8") without one."""
    for bom, codec in _BYTE_ORDER_MARKS:
        if data.startswith(bom):
            return bom, codec
    return b"", "utf-8"


# feedparser's own pattern for the declared encoding, and what a name looks like.
_FEEDPARSER_DECLARED_ENCODING = re.compile(rb"""^<\?.*encoding=['"](.*?)['"].*\?>""")
_ENCODING_NAME = re.compile(rb"[A-Za-z0-9._:-]{1,40}")


def _plausible_declared_encoding(data: bytes) -> bytes:
    """A declared encoding that is no name at all (``encoding="\xff"``) reads as UTF-8.

    feedparser decodes the name as UTF-8 and crashes when it is not.
    """
    bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
    body = data[len(bom) :]
    declared = _FEEDPARSER_DECLARED_ENCODING.match(body)
    if declared is None or _ENCODING_NAME.fullmatch(declared.group(1)):
        return data
    return bom + body[: declared.start(1)] + b"utf-8" + body[declared.end(1) :]


_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")
_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.I)


def _keep_mostly_utf8(data: bytes, headers: Mapping[str, str]) -> tuple[bytes, str | None]:
    """UTF-8 with a few invalid bytes stays UTF-8 (bad bytes → U+FFFD).

    feedparser would fall back to Windows-1252 for the whole document and
    turn every accented letter into mojibake. Applies only when nothing
    declares another encoding and valid multi-byte sequences outnumber the
    invalid bytes.
    """
    body = data.removeprefix(codecs.BOM_UTF8)
    charset = _CHARSET.search(headers.get("content-type", ""))
    declared = _XML_ENCODING.match(body)
    for name in (charset.group(1) if charset else None, declared and declared.group(1)):
        if name and _codec_name(name) != "utf-8":
            return data, None
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return data, None
    text = body.decode("utf-8", "replace")
    invalid = text.count("\ufffd") - body.count(b"\xef\xbf\xbd")
    sequences = _UTF8_SEQUENCE.finditer(body)  # counted, not listed: a list is 30× the input
    if next(itertools.islice(sequences, invalid, None), None) is None:
        return data, None
    return text.encode("utf-8"), "invalid UTF-8 bytes were replaced"


def _codec_name(name: str | bytes) -> str | None:
    try:
        text = name.decode("ascii") if isinstance(name, bytes) else name
        return codecs.lookup(text.strip()).name
    except (LookupError, UnicodeDecodeError, ValueError):
        return None


# A prolog item before any DOCTYPE, and the parts of a DOCTYPE. Possessive
# quantifiers keep every pattern linear even on hostile input.
_SPACE = rb"[ \t\r\n]"
_PROLOG_ITEM = re.compile(rb"[ \t\r\n]++|<!--.*?-->|<\?.*?\?>", re.S)
_DOCTYPE_NAME = re.compile(rb"<!DOCTYPE" + _SPACE + rb"++([^ \t\r\n\[>]++)", re.I)
_DOCTYPE_REST = re.compile(rb"""(?:[^"'\[>]++|"[^"]*+"|'[^']*+')*+([\[>])""")
# An unclosed comment or PI runs to the end (then the scan fails once, not per "<!").
_SUBSET_ITEM = re.compile(
    rb"""[ \t\r\n]++|<!--(?:.*?-->|.*)|<\?(?:.*?\?>|.*)|%[^;\s]*+;"""
    rb"""|<!(?:[^"'>]++|"[^"]*+"|'[^']*+')*+>|\]""",
    re.S,
)
_SUBSET_END = re.compile(_SPACE + rb"*+>")
_ENTITY = re.compile(
    rb"<!ENTITY" + _SPACE + rb"++([A-Za-z_][A-Za-z0-9_]*+)" + _SPACE + rb"++"
    rb"""(?:"([^"]*+)"|'([^']*+)')""" + _SPACE + rb"*+>\Z"
)
_PLAIN_ENTITY_VALUE = re.compile(rb"""[^&%<>"']{0,1000}|&#[0-9]{1,7};|&#x[0-9A-Fa-f]{1,6};""")
_SIMPLE_NAME = re.compile(rb"[A-Za-z_][A-Za-z0-9_.:-]{0,100}")
_ELEMENT_START = re.compile(rb"<[A-Za-z_]")
_FEEDPARSER_HEAD_END = re.compile(rb"<\w")  # where feedparser's own DOCTYPE handling stops
_PREDEFINED_ENTITIES = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})
_ENTITY_REFERENCE = re.compile(rb"&([A-Za-z_][A-Za-z0-9_]*+);")


class _MalformedDoctype(Exception):
    pass


def _defuse_doctype(data: bytes) -> tuple[bytes, int, frozenset[bytes]]:
    """Rewrite the DOCTYPE so no entity can read a file or expand without bound.

    ``data`` is UTF-8 starting with a declaration. The DOCTYPE (if any) is
    replaced by as many newlines as it spanned, so line numbers stay the
    document's own, and a new one-line DOCTYPE holding only the vetted
    entities goes right after the declaration. Returns the document, the
    blank lines taken out before its first element (see
    :func:`_tame_feedparser_head`), and the entity names it still declares.
    """
    declaration = re.match(rb"<\?xml[^>]*\?>", data)
    if declaration is None:
        data = _UTF8_DECLARATION + data
        declaration_end = len(_UTF8_DECLARATION)
    else:
        declaration_end = declaration.end()
    start = _doctype_start(data, declaration_end)
    if start is None:
        return *_tame_feedparser_head(data, declaration_end), frozenset()
    try:
        end, name, declarations = _scan_doctype(data, start)
    except _MalformedDoctype:
        cut = _ELEMENT_START.search(data, start + 2)
        end, name, declarations = (cut.start() if cut else len(data)), b"", []
    entities = _vetted_entities(declarations, data)
    doctype = b""
    if entities:
        if not _SIMPLE_NAME.fullmatch(name):
            name = b"feed"
        declared = b"".join(b'<!ENTITY %s "%s">' % item for item in entities.items())
        doctype = b"<!DOCTYPE %s [%s]>" % (name, declared)
    rewritten = b"".join(
        (
            data[:declaration_end],
            doctype,
            data[declaration_end:start],
            b"\n" * data.count(b"\n", start, end),
            data[end:],
        )
    )
    tamed, squeezed = _tame_feedparser_head(rewritten, declaration_end + len(doctype))
    return tamed, squeezed, frozenset(entities)


def _doctype_start(data: bytes, position: int) -> int | None:
    """Where the prolog's DOCTYPE starts, skipping space, comments and PIs."""
    position = _skip_prolog_items(data, position)
    return position if data[position : position + 9].upper() == b"<!DOCTYPE" else None


def _scan_doctype(data: bytes, start: int) -> tuple[int, bytes, list[bytes]]:
    """(end, name, markup declarations of the internal subset) of a DOCTYPE."""
    head = _DOCTYPE_NAME.match(data, start)
    rest = _DOCTYPE_REST.match(data, head.end()) if head else None
    if head is None or rest is None:
        raise _MalformedDoctype
    declarations: list[bytes] = []
    position = rest.end()
    if rest.group(1) == b"[":
        while True:
            item = _SUBSET_ITEM.match(data, position)
            if item is None:
                raise _MalformedDoctype
            position = item.end()
            if item.group() == b"]":
                break
            if item.end() == len(data):
                raise _MalformedDoctype  # ran to the end: never closed
            if item.group().startswith(b"<!") and not item.group().startswith(b"<!--"):
                declarations.append(item.group())
        closing = _SUBSET_END.match(data, position)
        if closing is None:
            raise _MalformedDoctype
        position = closing.end()
    return position, head.group(1), declarations


def _vetted_entities(declarations: list[bytes], data: bytes) -> dict[bytes, bytes]:
    """Internal general entities with plain values, if their expansion is bounded."""
    entities: dict[bytes, bytes] = {}
    for declaration in declarations:
        match = _ENTITY.match(declaration)
        if match is None:
            continue  # parameter or external entity, element, attribute list...
        name = match.group(1)
        value = match.group(2) if match.group(2) is not None else match.group(3)
        if name in _PREDEFINED_ENTITIES or name in entities:
            continue
        if _PLAIN_ENTITY_VALUE.fullmatch(value):
            entities[name] = value
    if not entities:
        return entities
    references = (match.group(1) for match in _ENTITY_REFERENCE.finditer(data))
    uses = Counter(name for name in references if name in entities)  # no list of them all
    expansion = sum(len(entities[name]) * count for name, count in uses.items())
    return entities if expansion <= MAX_ENTITY_EXPANSION else {}


def _tame_feedparser_head(data: bytes, keep_before: int) -> tuple[bytes, int]:
    """The text before the first element, made safe for feedparser's regexes,
    and how many lines that took out.

    feedparser searches it for lines starting with ``<!DOCTYPE`` and
    ``<!ENTITY`` (even inside comments) and hands the entities it finds to its
    fallback parser, which expands them unbounded: lower-cased, they match
    neither its regexes nor XML. Its pattern also runs over all the blank
    lines that follow each line start, quadratic in their number, so blank
    lines there (nothing but prolog whitespace, comments or a DOCTYPE's
    leftovers) are squeezed into one where they run long.
    """
    head_end = _FEEDPARSER_HEAD_END.search(data, keep_before)
    end = head_end.start() + 1 if head_end else len(data)
    head = data[keep_before:end]
    tamed = _BLANK_LINES.sub(b"\n", head)
    tamed = tamed.replace(b"<!DOCTYPE", b"<!doctype").replace(b"<!ENTITY", b"<!entity")
    if tamed == head:  # the usual case: no copy of the whole document
        return data, 0
    return data[:keep_before] + tamed + data[end:], head.count(b"\n") - tamed.count(b"\n")


# A line break and at least 64 more blank characters (\f and \v too: its \s
# takes them). Shorter runs cost feedparser little and are left, so the error
# lines of ordinary documents stay exact even before such a run.
_BLANK_LINES = re.compile(rb"\n[ \t\r\n\f\v]{64,}+")


_REFERENCE = re.compile(
    rb"&(?!(?:amp|lt|gt|quot|apos);)([A-Za-z][A-Za-z0-9]{1,31});"
    rb"|&#(?:([0-9]++)|[xX]([0-9A-Fa-f]++));"
)
_SECTION_ENDS = {b"<![CDATA[": b"]]>", b"<!--": b"-->"}
_REPLACEMENT_CHARACTER = b"&#65533;"


def _xml_references(data: bytes, declared: frozenset[bytes]) -> bytes:
    """References XML and feedparser can both take, outside CDATA and comments.

    ``&nbsp;`` → ``&#160;``: XML knows five named entities, HTML over 2,000,
    and feeds use HTML's; expat gives up on them and feedparser falls back to
    its lenient parser with a warning (names the DOCTYPE declares are kept).
    A numeric reference beyond Unicode (``&#x110000;``) or to a lone surrogate
    becomes U+FFFD: feedparser's fallback parser crashes on the first, and
    the second cannot be stored as UTF-8. (Other references XML forbids, such
    as ``&#27;``, are left for the fallback parser and the display's
    sanitising, as before.)
    """
    if b"&" not in data:
        return data

    def replace(match: re.Match[bytes]) -> bytes:
        name, decimal, hexadecimal = match.groups()
        if name is not None and name not in declared:
            text = _HTML5_ENTITIES.get(name.decode("ascii") + ";")
            if text is not None:
                return b"".join(b"&#%d;" % ord(char) for char in text)
        elif decimal is not None or hexadecimal is not None:
            digits, base = (decimal, 10) if decimal is not None else (hexadecimal, 16)
            if len(digits.lstrip(b"0")) > 7 or not _is_unicode_scalar(int(digits, base)):
                return _REPLACEMENT_CHARACTER
        return match.group()

    pieces: list[bytes] = []
    position = 0
    for start, end in _markup_sections(data):
        pieces += (_REFERENCE.sub(replace, data[position:start]), data[start:end])
        position = end
    pieces.append(_REFERENCE.sub(replace, data[position:]))
    return b"".join(pieces)


def _markup_sections(data: bytes) -> Iterator[tuple[int, int]]:
    """(start, end) of each CDATA section and comment, in document order.

    An unclosed one runs to the end. Each opener is searched for again only
    once the scan has passed it, so this stays linear (``bytes.find``, which
    is also far quicker than a regex trying every "<").
    """
    position = 0
    upcoming = {opener: data.find(opener) for opener in _SECTION_ENDS}
    while True:
        for opener, found in upcoming.items():
            if 0 <= found < position:
                upcoming[opener] = data.find(opener, position)
        starts = [(found, opener) for opener, found in upcoming.items() if found >= 0]
        if not starts:
            return
        start, opener = min(starts)
        end = data.find(_SECTION_ENDS[opener], start + len(opener))
        position = len(data) if end < 0 else end + len(_SECTION_ENDS[opener])
        yield start, position


# A namespace declaration; a value ends at a quote, "<" or ">" (linear on anything).
# "xmlns" comes first so the engine can search for it (the lookbehind is "\b"):
# a pattern starting with "\b" is tried at every byte, 30 times slower.
_NAMESPACE_DECLARATION = re.compile(
    rb"""(xmlns(?<![A-Za-z0-9_]xmlns)(?::[A-Za-z_][A-Za-z0-9_.-]*+)?[ \t\r\n]*+=[ \t\r\n]*+)"""
    rb"""(?:"([^"<>]*+)"|'([^'<>]*+)')"""
)


def _tidy_namespaces(data: bytes) -> bytes:
    """Namespace URIs without whitespace (``" http://x "``, ``&#160;`` inside).

    xml.sax splits "URI name" pairs on whitespace, so a space in a URI made
    feedparser crash; a namespace URI never legitimately holds one.
    """

    def tidy(match: re.Match[bytes]) -> bytes:
        raw = match.group(2) if match.group(2) is not None else match.group(3)
        text = raw.decode("utf-8", "replace")
        if "&" not in text and not any(char.isspace() for char in text):
            return match.group()
        uri = "".join(html.unescape(text).split())
        return match.group(1) + b'"' + xml_escape(uri, {'"': "&quot;"}).encode() + b'"'

    return _NAMESPACE_DECLARATION.sub(tidy, data) if b"xmlns" in data else data


MAX_NAMESPACE_PREFIXES = 64  # the corpus's most is 11
# "xmlns:name =", whatever the value holds and whatever the name is written in.
_PREFIX_DECLARATION = re.compile(rb"(?<![A-Za-z0-9_.:-])xmlns(:[^\s=/>]*+)?+[ \t\r\n]*+=")


def _refuse_namespace_flood(data: bytes) -> None:
    """Refuse thousands of namespace prefixes before feedparser reads them.

    For each element in a namespace it does not know, feedparser looks
    through every prefix declared so far, so they make a small document
    take minutes. Feeds declare a dozen at most.
    """
    if data.count(b"xmlns") <= MAX_NAMESPACE_PREFIXES:
        return
    prefixes = {match.group(1) for match in _PREFIX_DECLARATION.finditer(data)}
    if len(prefixes) > MAX_NAMESPACE_PREFIXES:
        raise NotAFeedError(
            f"not a feed: it declares {len(prefixes):,} XML namespace prefixes (feeds use a few)"
        )


def _is_unicode_scalar(code: int) -> bool:
    return 0 <= code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF


def _line_shift(content: bytes) -> int:
    """1 if feedparser prepends an XML declaration line (the document has none), else 0."""
    bom, codec = _byte_order_mark(content)
    head = content[len(bom) : 1024]
    text = head.decode("latin-1" if codec == "utf-8" else codec, "ignore")
    return 0 if re.match(r"<\?xml[^>]*?>", text) else 1


# -- XML: parsing -----------------------------------------------------------------------


def _feedparser(data: bytes, headers: Mapping[str, str], url: str | None) -> Any:
    """feedparser over prepared UTF-8, leaving summaries and contents as written.

    feedparser's HTML sanitiser is off: it removes ``<iframe>``, ``<template>``
    and ``<object>`` tags but keeps their text, while :mod:`reader.text`, which
    turns every body into terminal text, drops such elements whole. Stored HTML
    is never shown as HTML. Its resolving of relative URLs inside HTML is off
    too: it re-parses every summary and content and was half of feedparser's
    time. Each entry keeps the base URL instead (:attr:`ParsedEntry.base`), and
    the article view resolves the links of the one article it shows.
    """
    response_headers = {"content-location": url} if url else {}
    response_headers.update(headers)
    response_headers.pop("content-encoding", None)  # httpx already decoded the body
    response_headers["content-type"] = "application/xml; charset=utf-8"
    return feedparser.parse(
        io.BytesIO(data),
        response_headers=response_headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )


def _parse_xml_feed(content: bytes, headers: dict[str, str], url: str | None) -> ParsedFeed:
    prepared = _prepare_xml(content, headers)
    if prepared.html_page:  # no feed in there: spare the parse
        raise NotAFeedError(_html_page_reason(_feed_links(prepared.data, url)))
    fast = _parse_fast(prepared, headers, url)
    if fast is not None:
        return fast
    _refuse_namespace_flood(prepared.data)
    try:
        result = _feedparser(prepared.data, headers, url)
    except Exception as exc:  # feedparser has bugs that some broken documents reach
        logger.warning("feedparser failed on %s", redact_credentials(url or "?"), exc_info=True)
        raise NotAFeedError(
            f"not a well-formed feed (the feed parser failed: {type(exc).__name__})"
        ) from None
    raw_entries = result.get("entries", [])
    own = _own_identities(prepared.data, headers, raw_entries) if url else None
    entries = tuple(
        _unique(
            _xml_entry(entry, own[number] if own else None)
            for number, entry in enumerate(raw_entries)
        )
    )
    feed = result.get("feed", {})
    xml_error = result.get("bozo_exception") if result.get("bozo") else None
    flawed = xml_error is not None or prepared.problem is not None
    if not entries and (not result.get("version") or (flawed and not feed.get("title"))):
        raise NotAFeedError(_reject_reason(content, prepared, xml_error, url))
    warning = None
    if xml_error is not None:
        warning = _describe_bozo(xml_error, prepared.line_offset)
    elif prepared.problem is not None:
        warning = _describe_bozo(prepared.problem)
    return ParsedFeed(
        title=_plain(feed.get("title")),
        link=feed.get("link") or None,
        description=_plain(feed.get("subtitle") or feed.get("description")),
        entries=entries,
        warning=warning or prepared.note,
        ttl=_ttl(feed.get("ttl")),
    )


def _parse_fast(
    prepared: _Prepared, headers: Mapping[str, str], url: str | None
) -> ParsedFeed | None:
    """The lxml reading of a clean document (:mod:`reader.parse_fast`), or None.

    Only documents that needed no repair qualify: the feedparser path would
    add a warning to those. A Content-Location header would change the base
    URL feedparser resolves against, so such responses take the feedparser path.
    """
    if prepared.note is not None or prepared.problem is not None or prepared.looks_html:
        return None
    if "content-location" in headers:
        return None
    from reader.parse_fast import parse_fast  # imports lxml, which only this needs

    return parse_fast(prepared.data, url)


def _ttl(value: object) -> int | None:
    """RSS ``<ttl>`` minutes, when it is a sane positive number."""
    minutes = _int(value.strip() if isinstance(value, str) else value)
    return minutes if minutes is not None and 0 < minutes < 10**7 else None


def _own_identities(
    data: bytes, headers: Mapping[str, str], entries: list[Any]
) -> list[tuple[object, object]] | None:
    """Each entry's (id, link) as the document wrote them, if feedparser changed any.

    feedparser joins a relative guid/id (or link) to the fetch URL, so such an
    entry's identity would change when the feed moves. Only when some identity
    is not literally in the document is it parsed again without that URL.
    """
    if _identities_as_written(data, (entry.get("id") or entry.get("link") for entry in entries)):
        return None
    try:
        again = _feedparser(data, headers, None).get("entries", [])
    except Exception:  # keep the resolved identities rather than fail the feed
        return None
    if len(again) != len(entries):
        return None
    return [(entry.get("id"), entry.get("link")) for entry in again]


def _identities_as_written(data: bytes, keys: Iterable[object]) -> bool:
    """Whether each entry's id (else link) is literally in the document.

    Ids come in document order, so each is looked for from where the last one
    was. A search that finds nothing has read to the end of the document; after
    a few of those the answer is no, which costs one more parse. Searching the
    whole document again for every entry would let a hostile feed whose ids
    are written out of order take hours to read.
    """
    position = 0
    vain = 0
    raw_first = False  # a feed writes all its ids alike: escaped, or raw in CDATA
    for key in keys:
        if not isinstance(key, str) or not key.strip():
            continue
        needles = _written_forms(key)
        if raw_first:
            needles = needles[::-1]
        found, misses = _find_first(data, needles, position)
        if found < 0:  # written before the last one, or not at all
            found, more = _find_first(data, needles, 0)
            misses += more
        vain += misses
        if found < 0 or vain > _VAIN_SEARCHES_ALLOWED:
            return False
        if len(needles) > 1:  # an id both forms of which differ: which one matched
            raw_first = needles[misses % 2] == key.encode()
        position = found
    return True


_VAIN_SEARCHES_ALLOWED = 8


def _written_forms(key: str) -> tuple[bytes, ...]:
    """How ``key`` can be written in XML text: escaped, else raw (in CDATA)."""
    escaped = xml_escape(key)
    return (escaped.encode(), key.encode()) if escaped != key else (key.encode(),)


def _find_first(data: bytes, needles: tuple[bytes, ...], start: int) -> tuple[int, int]:
    """Where the first of ``needles`` found from ``start`` on is (-1 if none), and
    how many searches read to the end in vain."""
    for misses, needle in enumerate(needles):
        found = data.find(needle, start)
        if found >= 0:
            return found, misses
    return -1, len(needles)


# -- rejections --------------------------------------------------------------------------


def _reject_reason(
    content: bytes, prepared: _Prepared, xml_error: object | None, url: str | None
) -> str:
    if content.lstrip()[:2] == b"\x1f\x8b":
        return "not a feed: gzip-compressed data"
    if prepared.looks_html:
        return _html_page_reason(_feed_links(prepared.data, url))
    if not content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") and not (prepared.first_element):
        # Text, random bytes, a path name: no markup at all, so no XML error to report.
        return "not a feed: not XML (no RSS, Atom or JSON Feed content)"
    if xml_error is not None:
        return _describe_bozo(xml_error, prepared.line_offset)
    reason = "not a feed: no RSS, Atom or JSON Feed content found"
    root = prepared.first_element
    if root and not _FEED_ROOT.match(b"<" + root.encode()):
        reason += f" (the document is a <{_clean(root)[:40]}>)"
    return reason


def _html_page_reason(links: list[str]) -> str:
    reason = "not a feed: HTML page"
    listed: list[str] = []
    for link in links[:_MAX_LISTED_LINKS]:
        candidate = f"{reason} (it links to feeds: {', '.join([*listed, link])})"
        if len(candidate) > _MAX_REASON:
            if not listed:
                room = _MAX_REASON - len(reason) - len(" (it links to feeds: …)")
                listed.append(link[:room] + "…")
            break
        listed.append(link)
    return f"{reason} (it links to feeds: {', '.join(listed)})" if listed else reason


def _describe_bozo(exc: object, line_shift: int = 0) -> str:
    if exc is None:
        return "not a well-formed feed"
    get_line = getattr(exc, "getLineNumber", None)
    message = " ".join(str(getattr(exc, "getMessage", lambda: exc)()).split())
    if callable(get_line):
        try:
            return f"XML error at line {max(1, get_line() - line_shift)}: {message}"
        except Exception:
            pass
    name = type(exc).__name__
    if name == "CharacterEncodingOverride":
        return "declared character encoding was wrong; decoded another way"
    if name == "CharacterEncodingUnknown":
        return "character encoding unknown; decoded as UTF-8"
    if name == "NonXMLContentType":
        return "served with a non-XML content type"
    return f"{name}: {message}" if message else name


# -- HTML pages ----------------------------------------------------------------------------

_FEED_LINK_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/feed+json", "application/json"}
)
# Elements that start HTML pages and fragments but no feed (names that
# other XML also uses, such as "title", "link" or "a", are left out).
_HTML_TAGS = frozenset(
    {"html", "head", "body", "meta", "script", "style", "noscript", "div", "span", "p", "img"}
    | {"table", "ul", "ol", "blockquote", "iframe", "h1", "h2", "h3", "h4", "h5", "h6", "br"}
    | {"hr", "figure", "picture", "section", "article", "main", "nav", "header", "footer"}
    | {"form", "center", "font"}
)
_UNPRINTABLE = re.compile(r"[\x00-\x20\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _clean(text: str) -> str:
    """Without control, format or space characters (for URLs and names in messages)."""
    return _UNPRINTABLE.sub("", text)


# A <link> or <base> tag, or a comment to skip. Linear on any input: a tag
# ends at the next "<" or ">", and an unclosed comment runs to the end.
# (html.parser over a whole hostile page can take minutes: it rescans.)
_LINK_TAG_OR_COMMENT = re.compile(rb"<!--(?:.*?-->|.*)|<(?:link|base)\b[^<>]*+>", re.I | re.S)


class _TagAttributes(HTMLParser):
    """Attributes of the tags fed to it, parsed as browsers do (quoting, case, entities)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))


def _feed_links(data: bytes, base_url: str | None) -> list[str]:
    """http(s) URLs of the feeds an HTML document links to, resolved, in order."""
    parser = _TagAttributes()
    for match in _LINK_TAG_OR_COMMENT.finditer(data):
        if not match.group().startswith(b"<!--"):
            parser.feed(match.group().decode("utf-8", "replace"))
    links: dict[str, None] = {}  # ordered, and a lookup does not scan the others
    base = base_url or ""
    for tag, attributes in parser.tags:
        if tag == "base" and attributes.get("href", "").strip():
            base = urljoin(base, attributes["href"].strip())
        elif tag == "link" and _is_feed_link(attributes):
            link = _clean(urljoin(base, attributes["href"].strip()))
            parts = urlsplit(link)
            if parts.scheme in ("http", "https") and parts.netloc:
                links.setdefault(link)
    return list(links)


def _is_feed_link(attributes: dict[str, str]) -> bool:
    """rel="alternate" with a feed type, or rel="feed" (not a stylesheet)."""
    rel = attributes.get("rel", "").lower().split()
    kind = attributes.get("type", "").split(";", 1)[0].strip().lower()
    if not attributes.get("href", "").strip() or ("stylesheet" in rel and "feed" not in rel):
        return False
    return "feed" in rel or ("alternate" in rel and kind in _FEED_LINK_TYPES)


def feed_links(page: str, base_url: str | None = None) -> list[str]:
    """The http(s) feed URLs an HTML page links to, resolved, in page order."""
    return _feed_links(page.encode("utf-8"), base_url)


# -- entries ---------------------------------------------------------------------------------


def _xml_entry(entry: Any, own: tuple[object, object] | None = None) -> ParsedEntry:
    """One feedparser entry; ``own`` is its unresolved (id, link) for the identity."""
    title = _plain(entry.get("title"))
    link = entry.get("link") or None
    published = _to_datetime(entry.get("published_parsed"))
    # dict.get: feedparser's own get() falls back to published, with a DeprecationWarning.
    updated = _to_datetime(dict.get(entry, "updated_parsed"))
    contents = [c for c in entry.get("content") or [] if c.get("value")]
    content = "\n".join(c["value"] for c in contents) or None
    summary = entry.get("summary") or None
    body = contents[0] if contents else entry.get("summary_detail") or {}
    if content and summary and summary.strip() == content.strip():
        summary = None
    enclosures = tuple(
        Enclosure(url=e["href"], type=e.get("type") or None, length=_int(e.get("length")))
        for e in entry.get("enclosures", [])
        if e.get("href")
    )
    return ParsedEntry(
        id=_identity(own, entry.get("id"), link, title, published or updated),
        title=title,
        link=link,
        author=_plain(entry.get("author")),
        published=published,
        updated=updated,
        summary=summary,
        content=content,
        enclosures=enclosures,
        base=body.get("base") or None,
    )


def entry_identity(guid: object, link: str | None, title: str | None, date: datetime | None) -> str:
    """Stable id: the guid, else the link, else a hash of title and date."""
    if isinstance(guid, str) and guid.strip():
        return guid.strip()
    if link and link.strip():
        return link.strip()
    basis = f"{title or ''}\x00{date.isoformat() if date else ''}"
    return "sha1:" + hashlib.sha1(basis.encode("utf-8")).hexdigest()


def _identity(
    own: tuple[object, object] | None,
    guid: object,
    link: str | None,
    title: str | None,
    date: datetime | None,
) -> str:
    if own is not None:
        own_guid, own_link = own
        guid = own_guid
        link = own_link if isinstance(own_link, str) else None
    return entry_identity(guid, link, title, date)


def _unique(entries: Iterable[ParsedEntry]) -> Iterable[ParsedEntry]:
    """Drop later entries that repeat an id already seen in the same document."""
    seen: set[str] = set()
    for entry in entries:
        if entry.id not in seen:
            seen.add(entry.id)
            yield entry


_CODE_OPEN = re.compile(r"<(script|style)\b", re.IGNORECASE)


def _without_code(text: str) -> str:
    """``text`` without the contents of closed <script>/<style> elements; linear time."""
    if "<" not in text:
        return text
    lowered = text.lower()
    kept: list[str] = []
    position = 0
    while (opening := _CODE_OPEN.search(text, position)) is not None:
        closing = lowered.find(f"</{opening.group(1).lower()}", opening.end())
        if closing == -1:
            break  # unclosed: keep the rest; its tags are stripped anyway
        end = text.find(">", closing)
        kept.append(text[position : opening.start()])
        position = len(text) if end == -1 else end + 1
    kept.append(text[position:])
    return "".join(kept)


def _plain(value: object) -> str | None:
    """Text without tags, code or entities (titles may arrive as HTML)."""
    if not isinstance(value, str):
        return None
    if "<" in value or "&" in value:
        text = html.unescape(_TAG.sub("", _without_code(value)))
    else:
        text = value
    text = " ".join(text.split())
    return text or None


# Dates outside these years are placeholders ("0001-01-01" from Hugo and Go)
# or typos; they would also overflow when shifted to a local time zone.
_FIRST_YEAR, _LAST_YEAR = 1970, 9000


def _plausible(value: datetime) -> datetime | None:
    return value if _FIRST_YEAR <= value.year <= _LAST_YEAR else None


def _to_datetime(value: object) -> datetime | None:
    if not isinstance(value, time.struct_time | tuple):
        return None
    try:
        year, month, day, hour, minute, second = value[:6]
        return _plausible(datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC))
    except (TypeError, ValueError, OverflowError):
        return None


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


# -- JSON Feed ---------------------------------------------------------------------------------


class _JsonReader:
    """Reads JSON Feed values leniently, noting each value of the wrong type.

    A feed with a list where a string belongs still has its other items and
    fields; the wrong values are ignored and named in the feed's warning.
    """

    def __init__(self) -> None:
        self.ignored: list[str] = []

    def text(self, obj: dict[str, Any], key: str, where: str = "") -> str | None:
        value = obj.get(key)
        if isinstance(value, bool) or not isinstance(value, str | int | float | None):
            self.ignored.append(where + key)
            return None
        return _str(value)

    def objects(
        self, obj: dict[str, Any], key: str, where: str = ""
    ) -> list[tuple[str, dict[str, Any]]]:
        """(path, dict) of each object in a list value; other members noted and skipped."""
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.ignored.append(where + key)
            return []
        found = []
        for number, member in enumerate(value):
            if isinstance(member, dict):
                found.append((f"{where}{key}[{number}].", member))
            else:
                self.ignored.append(f"{where}{key}[{number}]")
        return found

    def warning(self) -> str | None:
        if not self.ignored:
            return None
        shown = ", ".join(self.ignored[:3]) + (", …" if len(self.ignored) > 3 else "")
        count = len(self.ignored)
        values = "value" if count == 1 else "values"
        return f"JSON Feed: ignored {count} {values} of the wrong type ({shown})"


def parse_json_feed(content: bytes) -> ParsedFeed:
    """JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1)."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise NotAFeedError("not a feed: JSON is not UTF-8") from None
    except RecursionError:
        raise NotAFeedError("not a feed: JSON nested too deeply") from None
    except ValueError as exc:
        raise NotAFeedError(f"not a feed: invalid JSON ({exc})") from None
    version = str(data.get("version", "")).strip() if isinstance(data, dict) else ""
    bare_version = _BARE_JSON_FEED_VERSION.match(version) is not None
    if not isinstance(data, dict) or not (_JSON_FEED_VERSION.match(version) or bare_version):
        if "jsonfeed.org/version/" in version:
            raise NotAFeedError(f'not a feed: unknown JSON Feed version "{_clean(version)[:60]}"')
        raise NotAFeedError("not a feed: JSON document is not a JSON Feed")
    if not isinstance(data.get("items"), list):
        raise NotAFeedError("not a feed: JSON Feed has no items list")
    reader = _JsonReader()
    title = _plain(reader.text(data, "title"))
    link = reader.text(data, "home_page_url")
    description = _plain(reader.text(data, "description"))
    feed_author = _json_author(data, reader, "")
    entries = tuple(
        _unique(
            _json_entry(item, feed_author, reader, where)
            for where, item in reader.objects(data, "items")
        )
    )
    note = None
    if bare_version:
        note = f'JSON Feed version "{_clean(version)[:20]}" is not a jsonfeed.org URL'
    return ParsedFeed(
        title=title,
        link=link,
        description=description,
        entries=entries,
        warning=reader.warning() or note,
    )


def _json_entry(
    item: dict[str, Any], feed_author: str | None, reader: _JsonReader, where: str
) -> ParsedEntry:
    link = reader.text(item, "url", where) or reader.text(item, "external_url", where)
    title = _plain(reader.text(item, "title", where))
    published = _iso_datetime(reader.text(item, "date_published", where))
    updated = _iso_datetime(reader.text(item, "date_modified", where))
    content_html = reader.text(item, "content_html", where)
    content_text = reader.text(item, "content_text", where)
    content = content_html
    if content_text and not content_html:
        content = "".join(f"<p>{html.escape(p)}</p>" for p in content_text.split("\n\n"))
    enclosures = tuple(
        Enclosure(url, _str(a.get("mime_type")), _int(a.get("size_in_bytes")))
        for _, a in reader.objects(item, "attachments", where)
        if (url := _str(a.get("url")))
    )
    return ParsedEntry(
        id=entry_identity(reader.text(item, "id", where), link, title, published or updated),
        title=title,
        link=link,
        author=_json_author(item, reader, where) or feed_author,
        published=published,
        updated=updated,
        summary=reader.text(item, "summary", where),
        content=content,
        enclosures=enclosures,
    )


def _json_author(obj: dict[str, Any], reader: _JsonReader, where: str) -> str | None:
    """``authors`` (1.1), else ``author`` (1.0): the names joined."""
    names = [
        name
        for path, author in reader.objects(obj, "authors", where)
        if (name := reader.text(author, "name", path))
    ]
    if names:
        return _plain(", ".join(names))
    author = obj.get("author")
    if author is not None and not isinstance(author, dict):
        reader.ignored.append(where + "author")
    elif isinstance(author, dict):
        return _plain(reader.text(author, "name", f"{where}author."))
    return None


def _str(value: object) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value.strip() or None if isinstance(value, str) else None


def _iso_datetime(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return _plausible(parsed.astimezone(UTC))
    except (ValueError, OverflowError):
        return None
