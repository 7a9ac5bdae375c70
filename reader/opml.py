"""OPML import and export: the format every feed reader uses to move subscriptions.

Import must cope with files written by many other readers, so it is lenient
about attribute case, folders versus ``category`` attributes and duplicates,
yet strict about safety: any DOCTYPE is refused, so entity expansion ("billion
laughs") and external entities (reading local files) can never happen.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.parsers import expat

from reader.config import feed_url_problem
from reader.models import FeedConfig

# Characters XML 1.0 cannot carry at all, even escaped.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class OpmlError(Exception):
    """An OPML problem, described in one line for the user."""


def parse_opml(data: bytes, source: str = "OPML") -> list[FeedConfig]:
    """Feeds of an OPML document, tagged by their folders and ``category``.

    ``source`` (usually the file name) starts every error message.
    """
    root = _parse_xml(data, source)
    if _local(root.tag) != "opml":
        raise OpmlError(f"{source}: not an OPML file (root element is <{_local(root.tag)}>)")
    feeds: dict[str, FeedConfig] = {}
    for body in root:
        if _local(body.tag) == "body":
            _walk(body, feeds)
    if not feeds:
        raise OpmlError(f"{source}: no feeds found")
    return list(feeds.values())


def write_opml(feeds: Iterable[FeedConfig], title: str = "newsreader feeds") -> str:
    """An OPML 2.0 document with one folder per tag, which other readers import.

    A feed with several tags appears in several folders; :func:`parse_opml`
    merges those copies back into one feed with all its tags.
    """
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = _clean(title)
    ET.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC), usegmt=True)
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {}
    for feed in feeds:
        name = _clean(feed.title or feed.url)
        attrs = {"type": "rss", "text": name, "title": name, "xmlUrl": _clean(feed.url)}
        if not feed.tags:
            ET.SubElement(body, "outline", attrs)
        for tag in dict.fromkeys(feed.tags):
            if tag not in folders:
                folders[tag] = ET.SubElement(body, "outline", text=_clean(tag))
            ET.SubElement(folders[tag], "outline", attrs)
    ET.indent(root)
    xml = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{xml}\n'


def _parse_xml(data: bytes, source: str) -> ET.Element:
    """Parse with expat directly, because only expat can refuse a DOCTYPE up front."""

    def refuse_doctype(*_: object) -> None:
        raise OpmlError(f"{source}: DOCTYPE and entity declarations are not allowed in OPML")

    # Whitespace before ``<?xml`` is an error to expat but common in the wild.
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    rest = data[len(bom) :].lstrip(b" \t\r\n")
    if rest.startswith(b"<?xml"):
        data = bom + rest
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype
    parser.StartElementHandler = lambda tag, attrs: builder.start(tag, attrs)
    parser.EndElementHandler = builder.end
    try:
        parser.Parse(data, True)
    except expat.ExpatError as e:
        raise OpmlError(
            f"{source}: XML error at line {e.lineno}: {expat.ErrorString(e.code)}"
        ) from None
    return builder.close()


def _walk(body: ET.Element, feeds: dict[str, FeedConfig]) -> None:
    """Collect feeds below ``body`` in document order, tagged by their enclosing folders.

    Iterative, so a hostile file nested thousands deep cannot hit the recursion limit.
    """
    stack: list[tuple[ET.Element, tuple[str, ...]]] = [(o, ()) for o in reversed(body)]
    while stack:
        outline, folders = stack.pop()
        if _local(outline.tag) != "outline":
            continue
        # Reversed, so the first of ``xmlUrl``/``xmlurl``/... in the document wins.
        attrs = {_local(k).lower(): v.strip() for k, v in reversed(outline.attrib.items())}
        url = attrs.get("xmlurl")
        if url is None:  # a folder
            name = attrs.get("text") or attrs.get("title")
            folders = (*folders, name) if name else folders
        elif _is_web_url(url):
            title = attrs.get("title") or attrs.get("text") or None
            tags = (*folders, *_categories(attrs.get("category", "")))
            _add(feeds, FeedConfig(url, None if title == url else title, tags))
        stack.extend((child, folders) for child in reversed(outline))


def _add(feeds: dict[str, FeedConfig], feed: FeedConfig) -> None:
    """Keep the first copy of a URL, but with every copy's tags and a title if any has one."""
    old = feeds.get(feed.url)
    if old is not None:
        feed = FeedConfig(old.url, old.title or feed.title, (*old.tags, *feed.tags))
    feeds[feed.url] = FeedConfig(feed.url, feed.title, tuple(dict.fromkeys(feed.tags)))


def _categories(value: str) -> list[str]:
    """Tags from ``category="news,/tech/linux"``: every path segment is a tag."""
    return [part.strip() for path in value.split(",") for part in path.split("/") if part.strip()]


def _is_web_url(url: str) -> bool:
    """Only URLs the config would accept are imported."""
    return feed_url_problem(url) is None


def _local(name: str) -> str:
    """``name`` without a namespace prefix, so ``<ns:opml>`` counts as ``<opml>``."""
    return name.rpartition("}")[2].rpartition(":")[2]


def _clean(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)
