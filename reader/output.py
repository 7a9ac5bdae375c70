"""Plain and JSON renderings of feeds and entries for the headless commands.

Everything a feed said is cleaned of control characters here, so piping
``newsreader entries`` into a terminal is as safe as the UI; URLs are shown
without their ``user:password@`` part, in JSON too.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from reader.models import Entry, FeedInfo
from reader.sanitize import clean_line, clean_text
from reader.text import (
    document_to_text,
    html_to_document,
    reading_time_minutes,
    shown_url,
)


def iso_utc(value: datetime | None) -> str | None:
    """ISO-8601 UTC with a ``Z``, or None."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_local(value: datetime) -> datetime:
    """In the local time zone; a date at the edge of the calendar stays in UTC."""
    try:
        return value.astimezone()
    except (OverflowError, ValueError, OSError):
        return value


def local_time(value: datetime | None) -> str:
    return "" if value is None else to_local(value).strftime("%Y-%m-%d %H:%M")


def feed_json(feed: FeedInfo) -> dict[str, Any]:
    return {
        "url": shown_url(feed.url),
        "title": clean_line(feed.title),
        "tags": [clean_line(tag) for tag in feed.tags],
        "unread": feed.unread,
        "total": feed.total,
        "last_fetched": iso_utc(feed.last_fetched),
        "last_error": clean_line(feed.last_error) if feed.last_error else None,
        "link": shown_url(feed.link or "") or None,
        "last_ok": iso_utc(feed.last_ok),
        "last_warning": clean_line(feed.last_warning) if feed.last_warning else None,
        "next_fetch": iso_utc(feed.next_fetch),
        "retry_after": iso_utc(feed.retry_after),
        "failures": feed.failures,
        "gone": feed.gone,
        "moved_to": shown_url(feed.moved_to) if feed.moved_to else None,
    }


def entry_json(entry: Entry, *, full_text: bool = True) -> dict[str, Any]:
    """An article as JSON. ``full_text`` adds the extracted article as plain text
    (null when there is none) and why its extraction last failed; converting
    it costs milliseconds an article, so long listings may leave it out."""
    data: dict[str, Any] = {
        "id": entry.id,
        "feed_url": shown_url(entry.feed_url),
        "feed_title": clean_line(entry.feed_title),
        "title": clean_line(entry.title),
        "link": shown_url(entry.link or "") or None,
        "author": clean_line(entry.author) or None,
        "published": iso_utc(entry.published),
        "updated": iso_utc(entry.updated),
        "date": iso_utc(entry.date),
        "read": entry.read,
        "starred": entry.starred,
    }
    if full_text:
        data["full_text"] = body_text(entry.full_text, entry) if entry.full_text else None
        data["full_text_error"] = (
            clean_line(entry.full_text_error) if entry.full_text_error else None
        )
    return data


def dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def feed_line(feed: FeedInfo) -> str:
    tags = f"  [{', '.join(clean_line(t) for t in feed.tags)}]" if feed.tags else ""
    status = f"  ! {clean_line(feed.last_error)}" if feed.last_error else ""
    if feed.moved_to:
        status += f"  (moved permanently to {shown_url(feed.moved_to)}: update the config)"
    if feed.gone:
        status += "  (gone: refresh it with --feed to try again)"
    elif feed.retry_after is not None and feed.retry_after > datetime.now(UTC):
        status += f"  (server asked to wait until {local_time(feed.retry_after)})"
    elif feed.next_fetch is not None and feed.next_fetch > datetime.now(UTC):
        status += f"  (next fetch not before {local_time(feed.next_fetch)})"
    return (
        f"{feed.unread:>5}/{feed.total:<5} {clean_line(feed.title)}{tags}  "
        f"{shown_url(feed.url)}{status}"
    )


def entry_line(entry: Entry) -> str:
    flags = ("N" if not entry.read else " ") + ("*" if entry.starred else " ")
    return (
        f"{entry.id:>7} {flags} {local_time(entry.date)}  "
        f"{clean_line(entry.feed_title, 30)}: {clean_line(entry.title) or '(untitled)'}"
    )


def entry_text(
    entry: Entry, width: int | None, *, full_text: bool = False, reading_width: int = 100
) -> str:
    """Header lines, a blank line, the body as text, then its link list.

    The body is the extracted full text when asked for and stored, else the
    feed's content; a "Content:" line says which, with the reading time. Text
    is wrapped at ``width`` (the terminal) but never wider than
    ``reading_width``; without a width (a pipe, JSON) it is not wrapped.
    """
    if width is not None:
        width = min(width, max(reading_width, 20))
    shows_full = full_text and entry.full_text is not None
    html, base = entry.html_and_base(full_text)
    document = html_to_document(html, base_url=base)
    header = [clean_line(entry.title) or "(untitled)", f"Feed: {clean_line(entry.feed_title)}"]
    if entry.author:
        header.append(f"Author: {clean_line(entry.author)}")
    header.append(f"Date: {local_time(entry.date)}")
    if entry.link:
        header.append(f"Link: {shown_url(entry.link)}")
    minutes = reading_time_minutes(document)
    content = "full text" if shows_full else "feed summary"
    content += f", {minutes} min read" if minutes else ", no text"
    if full_text and not shows_full and entry.full_text_error:
        content += f" (no full text: {clean_line(entry.full_text_error, 300)})"
    header.append(f"Content: {content}")
    return "\n".join(header) + "\n\n" + clean_text(document_to_text(document, width))


def body_text(html: str | None, entry: Entry, width: int | None = None) -> str:
    """Article HTML as the reading text (links resolved against the article's link)."""
    return clean_text(document_to_text(html_to_document(html, base_url=entry.link), width))
