"""The one facade the UI and the CLI call.

Holds the validated config and hands out a storage connection per thread
(SQLite connections must not cross threads; WAL lets them share the file).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from reader.config import load_config
from reader.models import (
    Config,
    Entry,
    EntryRow,
    FeedConfig,
    FeedInfo,
    UpdateOutcome,
    View,
)
from reader.storage import Storage
from reader.update import ProgressCallback, refresh_feeds


class UnknownFeedError(Exception):
    """A feed URL that is not in the config."""


class Service:
    """Config + database, for one process."""

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
        old_urls = {f.url for f in self.config.feeds}
        new_urls = {f.url for f in new.feeds}
        added = [f.url for f in new.feeds if f.url not in old_urls]
        removed = [f.url for f in self.config.feeds if f.url not in new_urls]
        self.storage.sync_feeds(new.feeds)
        self.config = new
        return added, removed

    def feed_config(self, url: str) -> FeedConfig:
        for feed in self.config.feeds:
            if feed.url == url:
                return feed
        raise UnknownFeedError(f"no feed with URL {url!r} in {self.config.path}")

    # -- reading ---------------------------------------------------------

    def feeds(self) -> list[FeedInfo]:
        return self.storage.feed_infos(self.config.feeds)

    def feed_urls(self, view: View) -> list[str]:
        """The configured feeds a view covers."""
        if view.kind == "feed":
            return [view.key] if any(f.url == view.key for f in self.config.feeds) else []
        if view.kind == "tag":
            if view.key == "":
                return [f.url for f in self.config.feeds if not f.tags]
            return [f.url for f in self.config.feeds if view.key in f.tags]
        return [f.url for f in self.config.feeds]

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

    def _title_override(self, feed_url: str) -> str | None:
        """The config's ``title`` for a feed, which wins over the feed's own."""
        for feed in self.config.feeds:
            if feed.url == feed_url:
                return feed.title
        return None

    def entry_rows(self, ids: Sequence[int]) -> dict[int, EntryRow]:
        rows = self.storage.entry_rows(ids)
        overrides = {f.url: f.title for f in self.config.feeds if f.title}
        if overrides:
            for key, row in rows.items():
                title = overrides.get(row.feed_url)
                if title is not None:
                    rows[key] = replace(row, feed_title=title)
        return rows

    def entry(self, entry_id: int) -> Entry | None:
        entry = self.storage.entry(entry_id)
        if entry is None or entry.feed_url not in {f.url for f in self.config.feeds}:
            return None
        title = self._title_override(entry.feed_url)
        return replace(entry, feed_title=title) if title else entry

    def entries(self, ids: Sequence[int]) -> list[Entry]:
        overrides = {f.url: f.title for f in self.config.feeds if f.title}
        return [
            replace(e, feed_title=overrides[e.feed_url]) if e.feed_url in overrides else e
            for e in self.storage.entries(ids)
        ]

    def counts(self) -> tuple[int, int, int]:
        """(all, unread, starred) over every configured feed."""
        return self.storage.view_counts([f.url for f in self.config.feeds])

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

    def mark_view_read(self, view: View) -> int:
        return self.storage.mark_view_read(self.feed_urls(view), starred_only=view.starred_only)

    # -- refreshing ------------------------------------------------------

    def refresh(
        self, urls: Sequence[str] | None = None, on_progress: ProgressCallback | None = None
    ) -> list[UpdateOutcome]:
        """Fetch the given (default: all) configured feeds; blocks until done."""
        return asyncio.run(self.refresh_async(urls, on_progress))

    async def refresh_async(
        self, urls: Sequence[str] | None = None, on_progress: ProgressCallback | None = None
    ) -> list[UpdateOutcome]:
        wanted = [f.url for f in self.config.feeds] if urls is None else list(urls)
        storage = self.storage
        settings = self.config.settings
        return await refresh_feeds(
            storage,
            storage.feeds_for_update(wanted),
            timeout=settings.timeout,
            max_connections=settings.max_connections,
            on_progress=on_progress,
        )
