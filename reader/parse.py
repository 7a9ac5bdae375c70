"""Feed bytes + response headers → :class:`~reader.models.ParsedFeed`.

RSS and Atom go through feedparser, always from a stream (feedparser treats
a bytes value that names an existing file as that file). JSON Feed, which
feedparser does not read, is parsed here with the standard library. A
document that is not a usable feed raises :class:`NotAFeedError` with a
one-line reason; a feed with flaws but entries is accepted with a warning.
"""

from __future__ import annotations

import codecs
import hashlib
import html
import io
import json
import re
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import feedparser

from reader.models import Enclosure, ParsedEntry, ParsedFeed

_TAG = re.compile(r"<[^>]*>")
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.I | re.S)
_JSON_FEED_VERSION = re.compile(r"^https?://jsonfeed\.org/version/1(\.\d+)?/?$")


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


def _parse_xml_feed(content: bytes, headers: dict[str, str], url: str | None) -> ParsedFeed:
    response_headers = {"content-location": url} if url else {}
    response_headers.update(headers)
    response_headers.pop("content-encoding", None)  # httpx already decoded the body
    # Without a type feedparser would decode undeclared UTF-8 as ISO-8859-1.
    response_headers.setdefault("content-type", "application/xml")
    result = feedparser.parse(
        io.BytesIO(content),
        response_headers=response_headers,
        sanitize_html=True,
        resolve_relative_uris=True,
    )
    raw_entries = result.get("entries", [])
    own = _own_identities(content, response_headers, raw_entries) if url else None
    entries = tuple(
        _unique(
            _xml_entry(entry, own[number] if own else None)
            for number, entry in enumerate(raw_entries)
        )
    )
    feed = result.get("feed", {})
    version = result.get("version", "")
    bozo = result.get("bozo", 0)
    if not entries and not version:
        raise NotAFeedError(_reject_reason(content, result))
    if bozo and not entries and not feed.get("title"):
        raise NotAFeedError(_reject_reason(content, result))
    warning = None
    if bozo:
        warning = _describe_bozo(result.get("bozo_exception"), _line_shift(content))
    return ParsedFeed(
        title=_plain(feed.get("title")),
        link=feed.get("link") or None,
        description=_plain(feed.get("subtitle") or feed.get("description")),
        entries=entries,
        warning=warning,
        ttl=_ttl(feed.get("ttl")),
    )


def _ttl(value: object) -> int | None:
    """RSS ``<ttl>`` minutes, when it is a sane positive number."""
    minutes = _int(value.strip() if isinstance(value, str) else value)
    return minutes if minutes is not None and 0 < minutes < 10**7 else None


def _own_identities(
    content: bytes, response_headers: dict[str, str], entries: list[Any]
) -> list[tuple[object, object]] | None:
    """Each entry's (id, link) as the document wrote them, if feedparser changed any.

    feedparser joins a relative guid/id (or link) to the fetch URL, so such an
    entry's identity would change when the feed moves. Only when some identity
    is not literally in the document is it parsed again without that URL.
    """
    for entry in entries:
        key = entry.get("id") or entry.get("link")
        if not isinstance(key, str) or not key.strip():
            continue
        if key.encode() not in content and xml_escape(key).encode() not in content:
            break
    else:
        return None
    headers = {k: v for k, v in response_headers.items() if k != "content-location"}
    again = feedparser.parse(
        io.BytesIO(content),
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    ).get("entries", [])
    if len(again) != len(entries):
        return None
    return [(entry.get("id"), entry.get("link")) for entry in again]


def _reject_reason(content: bytes, result: Any) -> str:
    if _HTML_START.match(content[:4096]):
        return "not a feed: HTML page"
    if content[:2] == b"\x1f\x8b":
        return "not a feed: gzip-compressed data"
    if result.get("bozo"):
        return _describe_bozo(result.get("bozo_exception"), _line_shift(content))
    return "not a feed: no RSS, Atom or JSON Feed content found"


def _line_shift(content: bytes) -> int:
    """1 if feedparser prepended an XML declaration line (the document has none), else 0."""
    head = content[:1024]
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        text = head.decode("utf-32", "ignore")
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head.decode("utf-16", "ignore")
    else:
        text = head.removeprefix(codecs.BOM_UTF8).decode("latin-1")
    return 0 if re.match(r"<\?xml[^>]*?>", text) else 1


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
    if name == "NonXMLContentType":
        return "served with a non-XML content type"
    return f"{name}: {message}" if message else name


def _xml_entry(entry: Any, own: tuple[object, object] | None = None) -> ParsedEntry:
    """One feedparser entry; ``own`` is its unresolved (id, link) for the identity."""
    title = _plain(entry.get("title"))
    link = entry.get("link") or None
    published = _to_datetime(entry.get("published_parsed"))
    # dict.get: feedparser's own get() falls back to published, with a DeprecationWarning.
    updated = _to_datetime(dict.get(entry, "updated_parsed"))
    contents = entry.get("content") or []
    content = "\n".join(c.get("value", "") for c in contents if c.get("value")) or None
    summary = entry.get("summary") or None
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


def _plain(value: object) -> str | None:
    """Text without tags or entities (titles may arrive as HTML)."""
    if not isinstance(value, str):
        return None
    text = html.unescape(_TAG.sub("", value)) if "<" in value or "&" in value else value
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


def parse_json_feed(content: bytes) -> ParsedFeed:
    """JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1)."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise NotAFeedError("not a feed: JSON is not UTF-8") from None
    except ValueError as exc:
        raise NotAFeedError(f"not a feed: invalid JSON ({exc})") from None
    if not isinstance(data, dict) or not _JSON_FEED_VERSION.match(str(data.get("version", ""))):
        raise NotAFeedError("not a feed: JSON document is not a JSON Feed")
    items = data.get("items")
    if not isinstance(items, list):
        raise NotAFeedError("not a feed: JSON Feed has no items list")
    entries = tuple(_unique(_json_entry(item, data) for item in items if isinstance(item, dict)))
    return ParsedFeed(
        title=_plain(data.get("title")),
        link=_str(data.get("home_page_url")),
        description=_plain(data.get("description")),
        entries=entries,
    )


def _json_entry(item: dict[str, Any], feed: dict[str, Any]) -> ParsedEntry:
    link = _str(item.get("url")) or _str(item.get("external_url"))
    title = _plain(item.get("title"))
    published = _iso_datetime(item.get("date_published"))
    updated = _iso_datetime(item.get("date_modified"))
    content_html = _str(item.get("content_html"))
    content_text = _str(item.get("content_text"))
    content = content_html
    if content_text and not content_html:
        content = "".join(f"<p>{html.escape(p)}</p>" for p in content_text.split("\n\n"))
    attachments = item.get("attachments") if isinstance(item.get("attachments"), list) else []
    enclosures = tuple(
        Enclosure(str(a["url"]), _str(a.get("mime_type")), _int(a.get("size_in_bytes")))
        for a in attachments or []
        if isinstance(a, dict) and _str(a.get("url"))
    )
    return ParsedEntry(
        id=entry_identity(_str(item.get("id")) or None, link, title, published or updated),
        title=title,
        link=link,
        author=_json_author(item) or _json_author(feed),
        published=published,
        updated=updated,
        summary=_str(item.get("summary")),
        content=content,
        enclosures=enclosures,
    )


def _json_author(obj: dict[str, Any]) -> str | None:
    authors = obj.get("authors")
    if isinstance(authors, list):
        names = [a.get("name") for a in authors if isinstance(a, dict) and a.get("name")]
        if names:
            return _plain(", ".join(str(n) for n in names))
    author = obj.get("author")
    if isinstance(author, dict) and author.get("name"):
        return _plain(str(author["name"]))
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
