"""The one facade the UI and the CLI call.

Holds the validated config and hands out a storage connection per thread
(SQLite connections must not cross threads; WAL lets them share the file).
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from reader.config import load_config
from reader.models import (
    Config,
    Entry,
    EntryRow,
    FeedConfig,
    FeedInfo,
    UpdateOutcome,
    View,
    ViewSnapshot,
)
from reader.sanitize import redact_credentials
from reader.storage import Storage

if TYPE_CHECKING:
    from reader.fulltext import PageOutcome, PageProgress
    from reader.update import ProgressCallback


class UnknownFeedError(Exception):
    """A feed URL that is not in the config."""


class Service:
    """Config + database, for one process."""

    _config: Config
    _feeds: dict[str, FeedConfig]  # by URL, in config order

    @property
    def config(self) -> Config:
        return self._config

    @config.setter
    def config(self, config: Config) -> None:
        self._config = config
        self._feeds = {feed.url: feed for feed in config.feeds}

    def __init__(self, config: Config, db_path: Path) -> None:
        self.config = config
        self.db_path = db_path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._storages: list[Storage] = []
        self.storage.sync_feeds(config.feeds)

    @classmethod
    def open(cls, config_path: Path, db_path: Path) -> Service:
        return cls(load_config(config_path), db_path)

    @property
    def storage(self) -> Storage:
        """This thread's connection, opened on first use."""
        storage: Storage | None = getattr(self._local, "storage", None)
        if storage is None:
            storage = Storage(self.db_path)
            self._local.storage = storage
            with self._lock:
                self._storages.append(storage)
        return storage

    def release_thread_storage(self) -> None:
        """Close this thread's connection (a worker thread about to end)."""
        storage: Storage | None = getattr(self._local, "storage", None)
        if storage is None:
            return
        self._local.storage = None
        with self._lock:
            if storage in self._storages:
                self._storages.remove(storage)
        storage.close()

    def close(self) -> None:
        with self._lock:
            for storage in self._storages:
                storage.close()
            self._storages.clear()
        self._local = threading.local()

    # -- config ----------------------------------------------------------

    def reload_config(self) -> tuple[list[str], list[str]]:
        """Re-read the config file; returns (added urls, removed urls).

        Raises ConfigError and keeps the old config when the file is broken.
        """
        new = load_config(Path(self.config.path))
        new_urls = {f.url for f in new.feeds}
        added = [f.url for f in new.feeds if f.url not in self._feeds]
        removed = [url for url in self._feeds if url not in new_urls]
        self.storage.sync_feeds(new.feeds)
        self.config = new
        return added, removed

    def feed_config(self, url: str) -> FeedConfig:
        """The configured feed with this URL.

        Output never shows the ``user:password@`` of a URL, so the URL as
        shown (credentials removed) finds its feed too, when it is unambiguous.
        """
        found = self._feeds.get(url)
        if found is not None:
            return found
        shown = [feed for feed in self.config.feeds if redact_credentials(feed.url) == url]
        if len(shown) == 1:
            return shown[0]
        raise UnknownFeedError(
            f"no feed with URL {redact_credentials(url)!r} in {self.config.path}"
        )

    def config_mtime(self) -> float | None:
        """When the config file last changed (None if it cannot be read now)."""
        try:
            return os.stat(self.config.path).st_mtime
        except OSError:
            return None

    # -- reading ---------------------------------------------------------

    def feeds(self) -> list[FeedInfo]:
        return self.storage.feed_infos(self.config.feeds)

    def feed_info(self, url: str) -> FeedInfo | None:
        """One configured feed with its counts and fetch state (None if not configured)."""
        feed = self._feeds.get(url)
        return self.storage.feed_infos([feed])[0] if feed is not None else None

    def feed_urls(self, view: View) -> list[str]:
        """The configured feeds a view covers."""
        if view.kind == "feed":
            return [view.key] if view.key in self._feeds else []
        if view.kind == "tag":
            if view.key == "":
                return [f.url for f in self.config.feeds if not f.tags]
            return [f.url for f in self.config.feeds if view.key in f.tags]
        return list(self._feeds)

    def entry_ids(
        self,
        view: View,
        *,
        unread_only: bool = False,
        starred_only: bool = False,
        limit: int | None = None,
    ) -> list[int]:
        """Ids of the view's articles, newest first."""
        return self.storage.entry_ids(
            self.feed_urls(view),
            unread_only=unread_only or view.unread_only,
            starred_only=starred_only or view.starred_only,
            limit=limit,
        )

    def snapshot(self, view: View, *, unread_only: bool = False) -> ViewSnapshot:
        """The view's articles as of now, counted, to be read page by page."""
        return self.storage.snapshot(
            self.feed_urls(view),
            unread_only=unread_only or view.unread_only,
            starred_only=view.starred_only,
        )

    def snapshot_page(
        self, snapshot: ViewSnapshot, after: tuple[int, int] | None, limit: int
    ) -> list[tuple[int, int]]:
        """(id, sort date) of the next ``limit`` articles after the key ``after``."""
        return self.storage.snapshot_page(snapshot, after, limit)

    def snapshot_position(self, snapshot: ViewSnapshot, entry_id: int) -> int | None:
        """The row of ``entry_id`` in the snapshot, or None if it is not in it."""
        return self.storage.snapshot_position(snapshot, entry_id)

    def _with_config_title(self, feed_url: str, title: str) -> str:
        """The config's ``title`` for a feed wins over the feed's own."""
        feed = self._feeds.get(feed_url)
        return feed.title if feed is not None and feed.title else title

    def entry_rows(self, ids: Sequence[int]) -> dict[int, EntryRow]:
        rows = self.storage.entry_rows(ids)
        for key, row in rows.items():
            title = self._with_config_title(row.feed_url, row.feed_title)
            if title != row.feed_title:
                rows[key] = replace(row, feed_title=title)
        return rows

    def entry(self, entry_id: int) -> Entry | None:
        """One article of a configured feed (None for unknown ids and removed feeds)."""
        found = self.entries([entry_id])
        return found[0] if found else None

    def entries(self, ids: Sequence[int], *, with_full_text: bool = True) -> list[Entry]:
        """Articles of configured feeds, in the order of ``ids``."""
        return [
            replace(entry, feed_title=self._with_config_title(entry.feed_url, entry.feed_title))
            for entry in self.storage.entries(ids, with_full_text=with_full_text)
            if entry.feed_url in self._feeds
        ]

    def counts(self) -> tuple[int, int, int]:
        """(all, unread, starred) over every configured feed."""
        return self.overview()[1]

    def overview(self) -> tuple[list[FeedInfo], tuple[int, int, int]]:
        """Feeds with their counts, and (all, unread, starred) derived from them.

        Summing the per-feed counts avoids a second scan of every entry.
        """
        feeds = self.feeds()
        starred = self.storage.starred_count([f.url for f in feeds])
        return feeds, (sum(f.total for f in feeds), sum(f.unread for f in feeds), starred)

    # -- changing state --------------------------------------------------

    def set_read(self, ids: Sequence[int], read: bool) -> None:
        self.storage.set_read(ids, read)

    def set_starred(self, ids: Sequence[int], starred: bool) -> None:
        self.storage.set_starred(ids, starred)

    def mark_view_read(self, view: View, *, up_to_id: int | None = None) -> int:
        """Mark a view's unread articles read (only those with ids ≤ ``up_to_id``)."""
        return self.storage.mark_view_read(
            self.feed_urls(view), starred_only=view.starred_only, up_to_id=up_to_id
        )

    # -- refreshing ------------------------------------------------------

    def refresh(
        self,
        urls: Sequence[str] | None = None,
        on_progress: ProgressCallback | None = None,
        should_stop: Callable[[], bool] | None = None,
        *,
        forced: bool = False,
        spread: float = 0.0,
    ) -> list[UpdateOutcome]:
        """Fetch the given (default: all) configured feeds; blocks until done or stopped.

        Feeds that are not due are skipped unless ``forced`` (see :mod:`reader.schedule`);
        ``spread`` staggers the fetches' starts over that many seconds.
        """
        from reader.update import refresh_feeds  # httpx and feedparser: only to refresh

        wanted = list(self._feeds) if urls is None else list(urls)
        storage = self.storage
        settings = self.config.settings
        return asyncio.run(
            refresh_feeds(
                storage,
                storage.feeds_for_update(wanted),
                timeout=settings.timeout,
                max_connections=settings.max_connections,
                max_feed_size=settings.max_feed_size,
                connections_per_host=settings.connections_per_host,
                forced=forced,
                spread=spread,
                on_progress=on_progress,
                should_stop=should_stop,
            )
        )

    # -- full text -------------------------------------------------------

    def full_text_enabled(self, feed_url: str) -> bool:
        """Whether a feed's new articles get their full text automatically."""
        feed = self._feeds.get(feed_url)
        if feed is None:
            return False
        return self.config.settings.full_text if feed.full_text is None else feed.full_text

    def fetch_full_text(
        self, entry_id: int, should_stop: Callable[[], bool] | None = None
    ) -> Entry | None:
        """Fetch and extract one article's page now (even after failures); the updated entry."""
        entry = self.entry(entry_id)
        if entry is None:
            return None
        self._fetch_pages([(entry.id, entry.link or "")], None, should_stop)
        return self.entry(entry_id)

    def fetch_new_full_texts(
        self,
        on_progress: PageProgress | None = None,
        should_stop: Callable[[], bool] | None = None,
        *,
        feed_urls: Sequence[str] | None = None,
    ) -> list[PageOutcome]:
        """The full text of recent articles of feeds with ``full_text`` on (not yet fetched,
        or failed long enough ago), among ``feed_urls`` (default: all); blocks until done."""
        wanted = self._feeds if feed_urls is None else feed_urls
        urls = [url for url in wanted if self.full_text_enabled(url)]
        if not urls:
            return []
        from reader.fulltext import MAX_ATTEMPTS, PER_RUN, RECENT, retry_before

        now = datetime.now(UTC)
        pages = self.storage.full_text_candidates(
            urls,
            seen_since=now - RECENT,
            retry_before=retry_before(now),
            max_attempts=MAX_ATTEMPTS,
            limit=PER_RUN,
        )
        return self._fetch_pages(pages, on_progress, should_stop)

    def _fetch_pages(
        self,
        pages: Sequence[tuple[int, str]],
        on_progress: PageProgress | None,
        should_stop: Callable[[], bool] | None,
    ) -> list[PageOutcome]:
        """Fetch, extract and store (entry id, link) pages under the fetch settings."""
        from reader.fulltext import fetch_full_texts

        settings = self.config.settings
        return asyncio.run(
            fetch_full_texts(
                self.storage,
                pages,
                timeout=settings.timeout,
                connections_per_host=settings.connections_per_host,
                on_progress=on_progress,
                should_stop=should_stop,
            )
        )
