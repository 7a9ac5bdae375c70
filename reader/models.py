"""Small frozen values handed between the stages of newsreader.

Direction of travel: config gives :class:`FeedConfig`; storage hands the
refresh pipeline :class:`FeedForUpdate`; fetch returns :class:`FetchResult`;
parse returns :class:`ParsedFeed`; the pure decision step returns
:class:`FeedUpdate`, which storage applies. The UI and CLI read
:class:`FeedInfo`, :class:`EntryRow` and :class:`Entry`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class FeedConfig:
    """One ``[[feeds]]`` table of the config file."""

    url: str
    title: str | None = None
    tags: tuple[str, ...] = ()
    full_text: bool | None = None  # fetch each new article's page; None: [settings] full_text


@dataclass(frozen=True)
class Settings:
    """The ``[settings]`` table, with defaults for everything left out."""

    refresh_on_start: bool = True
    refresh_interval: float = 1800.0  # seconds; 0 turns auto-refresh off
    browser: str | None = None  # command with %u, else $BROWSER, else webbrowser
    timeout: float = 30.0  # total seconds allowed for one feed's fetch
    max_connections: int = 16  # feeds fetched at once
    connections_per_host: int = 4  # feeds fetched at once from any one host
    max_feed_size: int = 16 * 1024 * 1024  # bytes read of one feed (after decompression)
    full_text: bool = False  # default for feeds without their own full_text
    reading_width: int = 100  # columns of article text at most
    theme: str = "textual-dark"  # a Textual theme's name; the UI checks it


@dataclass(frozen=True)
class Config:
    """The whole config file, validated."""

    path: str
    settings: Settings
    feeds: tuple[FeedConfig, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeedForUpdate:
    """What the fetcher needs to know about a stored feed."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    fetch_url: str | None = None  # a remembered permanent-redirect target
    next_fetch: datetime | None = None  # not before: caching hints or backoff
    retry_after: datetime | None = None  # not before, as the server demanded
    failures: int = 0  # failed fetches in a row
    gone: bool = False  # the server answered 410 Gone
    ttl: int | None = None  # the feed's last RSS <ttl>, in minutes

    @property
    def request_url(self) -> str:
        return self.fetch_url or self.url


@dataclass(frozen=True)
class FetchResult:
    """Bytes and HTTP facts of one fetch; never parsed here."""

    url: str
    status: int | None = None
    content: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    final_url: str | None = None
    permanent_redirect: str | None = None
    error: str | None = None
    # No server was reached at all (refused, unresolvable, no route, connect
    # timeout): maybe the server is down, maybe we are offline.
    unreachable: bool = False

    @property
    def not_modified(self) -> bool:
        return self.status == 304 and self.error is None


@dataclass(frozen=True)
class Enclosure:
    url: str
    type: str | None = None
    length: int | None = None


@dataclass(frozen=True)
class ParsedEntry:
    """One entry as the feed describes it (identity already resolved)."""

    id: str
    title: str | None = None
    link: str | None = None
    author: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    summary: str | None = None
    content: str | None = None
    enclosures: tuple[Enclosure, ...] = ()
    # What relative URLs in summary and content are relative to (xml:base, else
    # the feed's URL); they are stored as written and resolved when shown.
    base: str | None = None


@dataclass(frozen=True)
class ParsedFeed:
    """A feed document turned into values; ``warning`` notes a tolerated flaw."""

    title: str | None = None
    link: str | None = None
    description: str | None = None
    entries: tuple[ParsedEntry, ...] = ()
    warning: str | None = None
    ttl: int | None = None  # RSS <ttl>: minutes the feed asks readers to wait


@dataclass(frozen=True)
class FeedUpdate:
    """Everything storage must write after one feed's refresh."""

    url: str
    fetched_at: datetime
    error: str | None = None
    parsed: ParsedFeed | None = None
    digests: tuple[str, ...] = ()  # each parsed entry's content hash, in order
    etag: str | None = None
    last_modified: str | None = None
    fetch_url: str | None = None
    not_modified: bool = False
    # Scheduling, decided by update.build_update from the fetch and the feed's history.
    next_fetch: datetime | None = None
    retry_after: datetime | None = None
    failures: int = 0
    gone: bool = False
    ttl: int | None = None
    # A network failure whose backoff waits until the end of the run: when no
    # server at all answered, the fault is probably ours (offline), not the feed's.
    backoff_pending: bool = False


@dataclass(frozen=True)
class UpdateOutcome:
    """The result of one feed's refresh, for progress reports and summaries."""

    url: str
    new_entries: int = 0
    not_modified: bool = False
    error: str | None = None
    moved_to: str | None = None
    warning: str | None = None  # the feed was read, but has a flaw worth knowing
    skipped: str | None = None  # why it was not fetched: "not due", "retry-after", "gone"
    skipped_until: datetime | None = None
    gone: bool = False  # this fetch found the feed gone (HTTP 410)


@dataclass(frozen=True)
class FeedInfo:
    """A feed as the UI and CLI show it."""

    url: str
    title: str
    tags: tuple[str, ...]
    unread: int
    total: int
    link: str | None = None
    description: str | None = None
    last_fetched: datetime | None = None
    last_error: str | None = None
    moved_to: str | None = None
    last_ok: datetime | None = None  # the last fetch that worked
    last_warning: str | None = None
    next_fetch: datetime | None = None
    retry_after: datetime | None = None
    failures: int = 0
    gone: bool = False


@dataclass(frozen=True)
class EntryRow:
    """The few fields an article-list row shows."""

    id: int
    feed_url: str
    feed_title: str
    title: str
    date: datetime
    read: bool
    starred: bool


@dataclass(frozen=True)
class Entry:
    """One article, in full."""

    id: int
    feed_url: str
    feed_title: str
    entry_id: str
    title: str
    link: str | None
    author: str | None
    published: datetime | None
    updated: datetime | None
    date: datetime
    summary: str | None
    content: str | None
    enclosures: tuple[Enclosure, ...]
    read: bool
    starred: bool
    full_text: str | None = None  # the article extracted from its web page (HTML), if fetched
    full_text_error: str | None = None  # why the last extraction failed, one line
    base: str | None = None  # what relative URLs in summary/content are relative to

    @property
    def body_html(self) -> str:
        """The richest content the feed gave: full content, else the summary."""
        return self.content or self.summary or ""

    def html_and_base(self, full_text: bool) -> tuple[str, str | None]:
        """The HTML to show and the URL its links are relative to: the extracted
        page's, or the feed's body. Entries stored before schema v5 have no
        base; their bodies were resolved when parsed, and the article's link is
        the best guess left."""
        if full_text and self.full_text is not None:
            return self.full_text, self.link
        return self.body_html, self.base or self.link


@dataclass(frozen=True)
class ViewSnapshot:
    """A view's articles as they were at one moment, to be read page by page.

    Entries stored later have higher ids, so ``up_to_id`` keeps them out:
    pages read later still fit the count and the pages read before. The
    filter is storage's own SQL over ``entries e``.
    """

    where: str
    params: tuple[object, ...]
    count: int
    up_to_id: int


@dataclass(frozen=True)
class View:
    """What the article list shows: a virtual view, one tag, or one feed."""

    kind: str  # "all", "unread", "starred", "tag" or "feed"
    key: str = ""  # the tag name or feed URL for "tag" and "feed"

    @property
    def unread_only(self) -> bool:
        return self.kind == "unread"

    @property
    def starred_only(self) -> bool:
        return self.kind == "starred"


ALL = View("all")
UNREAD = View("unread")
STARRED = View("starred")
