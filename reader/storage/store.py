"""Feed and entry queries over one SQLite connection.

Knows no HTTP and no UI. A view of articles is a snapshot (counted through
an index) read page by page by keyset, so a view of 100,000 articles costs
what its first screen costs; rows are fetched only for the window shown.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from reader.decide import StoredIdentity, identity_key
from reader.models import (
    Entry,
    EntryRow,
    FeedConfig,
    FeedForUpdate,
    FeedInfo,
    FeedUpdate,
    ParsedEntry,
    ViewSnapshot,
)
from reader.storage.connection import connect
from reader.storage.convert import enclosures_from_json, enclosures_to_json, from_epoch, to_epoch

_ENTRY_COLUMNS = (
    "e.id, f.url, COALESCE(f.title, f.url), e.entry_id, e.title, e.link, e.author, "
    "e.published, e.updated, e.sort_date, e.summary, e.content, e.enclosures, e.read, e.starred, "
    "t.html, t.error, e.base"
)
_ENTRY_COLUMNS_WITHOUT_PAGE = _ENTRY_COLUMNS.replace("t.html, t.error", "NULL, t.error")
_ENTRY_TABLES = (
    "entries e JOIN feeds f ON f.id = e.feed_id LEFT JOIN full_texts t ON t.entry_id = e.id"
)


def _json_list(values: Iterable[object]) -> str:
    return json.dumps(list(values))


class Storage:
    """The cache and reading state; one instance per thread."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self.db = connect(path)

    def close(self) -> None:
        self.db.close()

    def wait_at_most(self, seconds: float) -> None:
        """Wait no longer than ``seconds`` for another writer's lock on this connection.

        The UI's own writes (marking read, starring) run on its event loop: a
        short wait, then a clear "busy" message, beats a frozen screen.
        """
        current = self.db.execute("PRAGMA busy_timeout").fetchone()[0] / 1000
        self.db.execute(f"PRAGMA busy_timeout = {round(min(current, seconds) * 1000)}")

    # -- feeds -----------------------------------------------------------

    def sync_feeds(self, feeds: Sequence[FeedConfig]) -> None:
        """Make sure every configured feed has a row.

        A config URL equal to a stored feed's remembered redirect target is
        that feed: the row is renamed, keeping its articles and flags.
        """
        now = to_epoch(datetime.now(UTC))
        stored = {url for (url,) in self.db.execute("SELECT url FROM feeds")}
        if all(feed.url in stored for feed in feeds):
            return  # the usual case: no write lock needed to start up
        configured = _json_list(feed.url for feed in feeds)
        with self._transaction():
            known = {url for (url,) in self.db.execute("SELECT url FROM feeds")}
            for feed in feeds:
                if feed.url in known:
                    continue
                moved = self.db.execute(
                    "SELECT id FROM feeds WHERE fetch_url = ? AND url NOT IN "
                    "(SELECT value FROM json_each(?))",
                    (feed.url, configured),
                ).fetchone()
                if moved:
                    self.db.execute(
                        "UPDATE feeds SET url = ?, fetch_url = NULL WHERE id = ?",
                        (feed.url, moved[0]),
                    )
                else:
                    self.db.execute(
                        "INSERT INTO feeds (url, created) VALUES (?, ?)", (feed.url, now)
                    )
                known.add(feed.url)

    def feeds_for_update(self, urls: Sequence[str]) -> list[FeedForUpdate]:
        """The stored fetch state of ``urls``, in the order given."""
        rows = self.db.execute(
            "SELECT url, etag, last_modified, fetch_url, next_fetch, retry_after, failures, "
            "gone, ttl FROM feeds WHERE url IN (SELECT value FROM json_each(?))",
            (_json_list(urls),),
        ).fetchall()
        by_url = {
            row[0]: FeedForUpdate(
                url=row[0],
                etag=row[1],
                last_modified=row[2],
                fetch_url=row[3],
                next_fetch=from_epoch(row[4]),
                retry_after=from_epoch(row[5]),
                failures=row[6],
                gone=bool(row[7]),
                ttl=row[8],
            )
            for row in rows
        }
        return [by_url[url] for url in urls if url in by_url]

    def feed_infos(self, feeds: Sequence[FeedConfig]) -> list[FeedInfo]:
        """Configured feeds with counts, in config order."""
        rows = self.db.execute(
            "SELECT f.url, f.title, f.link, f.description, f.last_fetched, f.last_error, "
            "f.fetch_url, f.last_ok, f.last_warning, f.next_fetch, f.retry_after, f.failures, "
            "f.gone, "
            "(SELECT count(*) FROM entries e WHERE e.feed_id = f.id AND e.read = 0), "
            "(SELECT count(*) FROM entries e WHERE e.feed_id = f.id) "
            "FROM feeds f WHERE f.url IN (SELECT value FROM json_each(?))",
            (_json_list(f.url for f in feeds),),
        ).fetchall()
        by_url = {row[0]: row for row in rows}
        infos = []
        for feed in feeds:
            row = by_url.get(feed.url)
            if row is None:
                infos.append(FeedInfo(feed.url, feed.title or feed.url, feed.tags, 0, 0))
                continue
            (
                _,
                title,
                link,
                description,
                fetched,
                error,
                fetch_url,
                last_ok,
                warning,
                next_fetch,
                retry_after,
                failures,
                gone,
                unread,
                total,
            ) = row
            infos.append(
                FeedInfo(
                    url=feed.url,
                    title=feed.title or title or feed.url,
                    tags=feed.tags,
                    unread=unread,
                    total=total,
                    link=link,
                    description=description,
                    last_fetched=from_epoch(fetched),
                    last_error=error,
                    moved_to=fetch_url,
                    last_ok=from_epoch(last_ok),
                    last_warning=warning,
                    next_fetch=from_epoch(next_fetch),
                    retry_after=from_epoch(retry_after),
                    failures=failures,
                    gone=bool(gone),
                )
            )
        return infos

    def entry_hashes(self, feed_url: str) -> dict[str, str]:
        """entry id → content hash, for deciding what a fetch changed."""
        return dict(
            self.db.execute(
                "SELECT e.entry_id, e.content_hash FROM entries e "
                "JOIN feeds f ON f.id = e.feed_id WHERE f.url = ?",
                (feed_url,),
            )
        )

    def entry_keys(self, feed_url: str) -> dict[str, StoredIdentity]:
        """entry id → link/title key and published date, for spotting renamed ids."""
        keys = {}
        for entry_id, link, title, published in self.db.execute(
            "SELECT e.entry_id, e.link, e.title, e.published FROM entries e "
            "JOIN feeds f ON f.id = e.feed_id WHERE f.url = ?",
            (feed_url,),
        ):
            key = identity_key(link, title)
            if key is not None:
                keys[entry_id] = StoredIdentity(key, from_epoch(published))
        return keys

    def apply_update(
        self,
        update: FeedUpdate,
        new: Sequence[tuple[ParsedEntry, str]] = (),
        changed: Sequence[tuple[ParsedEntry, str]] = (),
        renamed: Sequence[tuple[str, ParsedEntry, str]] = (),
    ) -> None:
        """Write one feed's refresh result in one transaction.

        Read and starred flags are never touched here. ``new`` is in document
        order; it is inserted last-first so that, among entries with the same
        date, the feed's first entry gets the highest id and shows first.
        ``renamed`` entries are stored ones the feed now sends under another
        id: their row takes the new id and content, keeping flags and place.
        """
        fetched = to_epoch(update.fetched_at)
        assert fetched is not None
        with self._transaction():
            row = self.db.execute("SELECT id FROM feeds WHERE url = ?", (update.url,)).fetchone()
            if row is None:
                return
            feed_id = row[0]
            schedule = (
                to_epoch(update.next_fetch),
                to_epoch(update.retry_after),
                update.failures,
                int(update.gone),
            )
            if update.error is not None:
                self.db.execute(
                    "UPDATE feeds SET last_fetched = ?, last_error = ?, next_fetch = ?, "
                    "retry_after = ?, failures = ?, gone = ? WHERE id = ?",
                    (fetched, update.error, *schedule, feed_id),
                )
                return
            # A 304 need not repeat the validators: keep the stored ones then.
            validators = (
                "etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified)"
                if update.not_modified
                else "etag = ?, last_modified = ?"
            )
            self.db.execute(
                f"UPDATE feeds SET last_fetched = ?, last_ok = ?, last_error = NULL, "
                f"{validators}, fetch_url = COALESCE(?, fetch_url), next_fetch = ?, "
                "retry_after = ?, failures = ?, gone = ? WHERE id = ?",
                (
                    fetched,
                    fetched,
                    update.etag,
                    update.last_modified,
                    update.fetch_url,
                    *schedule,
                    feed_id,
                ),
            )
            parsed = update.parsed
            if parsed is None:
                return
            self.db.execute(
                "UPDATE feeds SET title = COALESCE(?, title), link = COALESCE(?, link), "
                "description = COALESCE(?, description), ttl = ?, last_warning = ? WHERE id = ?",
                (
                    parsed.title,
                    parsed.link,
                    parsed.description,
                    update.ttl,
                    parsed.warning,
                    feed_id,
                ),
            )
            for old_id, entry, _digest in renamed:
                self.db.execute(
                    # OR IGNORE: another process may have stored the new id meanwhile.
                    "UPDATE OR IGNORE entries SET entry_id = ? WHERE feed_id = ? AND entry_id = ?",
                    (entry.id, feed_id, old_id),
                )
            changed = [*changed, *((entry, digest) for _, entry, digest in renamed)]
            self.db.executemany(
                "INSERT INTO entries (feed_id, entry_id, title, link, author, published, "
                "updated, first_seen, sort_date, summary, content, enclosures, content_hash, "
                "base) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (feed_id, entry_id) DO NOTHING",
                [
                    _new_entry_row(feed_id, fetched, entry, digest)
                    for entry, digest in reversed(new)
                ],
            )
            for entry, digest in changed:
                published = to_epoch(entry.published or entry.updated)
                self.db.execute(
                    "UPDATE entries SET title = ?, link = ?, author = ?, published = ?, "
                    "updated = ?, sort_date = MIN(COALESCE(?, first_seen), first_seen), "
                    "summary = ?, content = ?, enclosures = ?, content_hash = ?, base = ? "
                    "WHERE feed_id = ? AND entry_id = ?",
                    (
                        entry.title,
                        entry.link,
                        entry.author,
                        to_epoch(entry.published),
                        to_epoch(entry.updated),
                        published,
                        entry.summary,
                        entry.content,
                        enclosures_to_json(entry.enclosures),
                        digest,
                        entry.base,
                        feed_id,
                        entry.id,
                    ),
                )

    def begin_batch(self) -> None:
        """Open one transaction for the writes until :meth:`commit_batch`.

        Each write inside still succeeds or fails whole (a savepoint); the
        batch is one commit, so a refresh of hundreds of feeds writes the
        shared index pages once a batch instead of once a feed.
        """
        if not self.db.in_transaction:
            self.db.execute("BEGIN IMMEDIATE")

    def commit_batch(self) -> None:
        """Commit the batch's writes (rolled back if the commit itself fails)."""
        if not self.db.in_transaction:
            # begin_batch opened one: SQLite dropped it (disk full, I/O error).
            raise sqlite3.OperationalError("the transaction was rolled back by the database")
        try:
            self.db.execute("COMMIT")
        except sqlite3.Error:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise

    def back_off(self, updates: Sequence[tuple[str, int, datetime]]) -> None:
        """Record (url, failures, next fetch) for feeds whose backoff was deferred."""
        if not updates:
            return
        with self._transaction():
            self.db.executemany(
                "UPDATE feeds SET failures = ?, next_fetch = ? WHERE url = ?",
                [(failures, to_epoch(until), url) for url, failures, until in updates],
            )

    # -- entries ---------------------------------------------------------

    def _covers_every_feed(self, feed_urls: Sequence[str]) -> bool:
        """Whether ``feed_urls`` names every stored feed (the usual All/Unread view)."""
        stored = self.db.execute("SELECT count(*) FROM feeds").fetchone()[0]
        if len(set(feed_urls)) < stored:
            return False
        named = self.db.execute(
            "SELECT count(*) FROM feeds WHERE url IN (SELECT value FROM json_each(?))",
            (_json_list(feed_urls),),
        ).fetchone()[0]
        return bool(named == stored)

    def _view_filter(
        self,
        feed_urls: Sequence[str],
        unread_only: bool,
        starred_only: bool,
        *,
        every_feed: bool = False,
    ) -> tuple[str, list[object]]:
        """A WHERE clause over ``entries e``; ``every_feed`` drops the feed filter,
        so the date indexes give the order without a sort."""
        clauses = ["1"]
        params: list[object] = []
        if not every_feed:
            clauses = [
                "e.feed_id IN (SELECT id FROM feeds WHERE url IN (SELECT value FROM json_each(?)))"
            ]
            params.append(_json_list(feed_urls))
        if unread_only:
            clauses.append("e.read = 0")
        if starred_only:
            clauses.append("e.starred = 1")
        return " AND ".join(clauses), params

    def entry_ids(
        self,
        feed_urls: Sequence[str],
        *,
        unread_only: bool = False,
        starred_only: bool = False,
        limit: int | None = None,
    ) -> list[int]:
        """Ids of the matching entries, newest first."""
        where, params = self._view_filter(
            feed_urls, unread_only, starred_only, every_feed=self._covers_every_feed(feed_urls)
        )
        sql = f"SELECT e.id FROM entries e WHERE {where} ORDER BY e.sort_date DESC, e.id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [row[0] for row in self.db.execute(sql, params)]

    def snapshot(
        self, feed_urls: Sequence[str], *, unread_only: bool = False, starred_only: bool = False
    ) -> ViewSnapshot:
        """The matching entries as of now: how many, and the newest id among them.

        Counted through an index; no entry is read. Pages come from
        :meth:`snapshot_page`, so a view of 100,000 articles costs what its
        first screen costs.
        """
        where, params = self._view_filter(
            feed_urls, unread_only, starred_only, every_feed=self._covers_every_feed(feed_urls)
        )
        count, newest = self.db.execute(
            f"SELECT count(*), COALESCE(max(e.id), 0) FROM entries e WHERE {where}", params
        ).fetchone()
        return ViewSnapshot(where, tuple(params), int(count), int(newest))

    def snapshot_page(
        self, snapshot: ViewSnapshot, after: tuple[int, int] | None, limit: int
    ) -> list[tuple[int, int]]:
        """(id, sort date) of up to ``limit`` entries, newest first, after the key ``after``.

        ``after`` is the (sort date, id) of the last entry of the page before
        (keyset paging: each page is an index range, however deep).
        """
        where, params = _within(snapshot)
        if after is not None:
            where += " AND (e.sort_date, e.id) < (?, ?)"
            params.extend(after)
        return self.db.execute(
            f"SELECT e.id, e.sort_date FROM entries e WHERE {where} "
            "ORDER BY e.sort_date DESC, e.id DESC LIMIT ?",
            [*params, limit],
        ).fetchall()

    def snapshot_position(self, snapshot: ViewSnapshot, entry_id: int) -> int | None:
        """Where ``entry_id`` is in the snapshot's order (0 = newest), or None if absent."""
        where, params = _within(snapshot)
        key = self.db.execute(
            f"SELECT e.sort_date FROM entries e WHERE {where} AND e.id = ?", [*params, entry_id]
        ).fetchone()
        if key is None:
            return None
        before = self.db.execute(
            f"SELECT count(*) FROM entries e WHERE {where} AND (e.sort_date, e.id) > (?, ?)",
            [*params, key[0], entry_id],
        ).fetchone()[0]
        return int(before)

    def entry_rows(self, ids: Sequence[int]) -> dict[int, EntryRow]:
        """The list-row fields of the given entries (any order)."""
        if not ids:
            return {}
        rows = self.db.execute(
            "SELECT e.id, f.url, COALESCE(f.title, f.url), COALESCE(e.title, ''), e.sort_date, "
            "e.read, e.starred FROM entries e JOIN feeds f ON f.id = e.feed_id "
            "WHERE e.id IN (SELECT value FROM json_each(?))",
            (_json_list(ids),),
        )
        result = {}
        for entry_id, url, feed_title, title, sort_date, read, starred in rows:
            result[entry_id] = EntryRow(
                entry_id,
                url,
                feed_title,
                title,
                datetime.fromtimestamp(sort_date, UTC),
                bool(read),
                bool(starred),
            )
        return result

    def entries(self, ids: Sequence[int], *, with_full_text: bool = True) -> list[Entry]:
        """Full entries, in the order of ``ids``; ``with_full_text=False`` leaves the
        stored pages out (a listing of many entries need not load them)."""
        if not ids:
            return []
        columns = _ENTRY_COLUMNS if with_full_text else _ENTRY_COLUMNS_WITHOUT_PAGE
        rows = self.db.execute(
            f"SELECT {columns} FROM {_ENTRY_TABLES} WHERE e.id IN (SELECT value FROM json_each(?))",
            (_json_list(ids),),
        ).fetchall()
        by_id = {row[0]: _entry_from_row(row) for row in rows}
        return [by_id[i] for i in ids if i in by_id]

    def entry(self, entry_id: int) -> Entry | None:
        found = self.entries([entry_id])
        return found[0] if found else None

    # -- full text -------------------------------------------------------

    def store_full_text(
        self,
        entry_id: int,
        html: str | None,
        error: str | None,
        fetched: datetime,
        *,
        count: bool = True,
    ) -> None:
        """Record one extraction: the article, or why there is none (keeping an older article).

        A failure after a success keeps the article; ``attempts`` counts failures
        in a row, so retries can back off; ``count=False`` records a failure
        that was not the article's fault (offline, a busy site) without using
        up a try.
        """
        with self._transaction():
            if html is not None:
                self.db.execute(
                    "INSERT INTO full_texts (entry_id, html, error, fetched, attempts) "
                    "VALUES (?, ?, NULL, ?, 0) ON CONFLICT (entry_id) DO UPDATE SET "
                    "html = excluded.html, error = NULL, fetched = excluded.fetched, attempts = 0",
                    (entry_id, html, to_epoch(fetched)),
                )
            else:
                self.db.execute(
                    "INSERT INTO full_texts (entry_id, html, error, fetched, attempts) "
                    "VALUES (?, NULL, ?, ?, ?) ON CONFLICT (entry_id) DO UPDATE SET "
                    # An article got earlier stays, and then so does "no error".
                    "error = CASE WHEN html IS NULL THEN excluded.error END, "
                    "fetched = excluded.fetched, attempts = attempts + excluded.attempts",
                    (entry_id, error, to_epoch(fetched), int(count)),
                )

    def full_text_candidates(
        self,
        feed_urls: Sequence[str],
        *,
        seen_since: datetime,
        retry_before: Callable[[int], datetime],
        max_attempts: int,
        limit: int,
    ) -> list[tuple[int, str]]:
        """(entry id, link) of recent entries of ``feed_urls`` still wanting a full text.

        Those never tried, and failed ones whose last try is older than
        ``retry_before(attempts)``, newest first, at most ``limit``.
        """
        rows = self.db.execute(
            "SELECT e.id, e.link, t.fetched, t.attempts FROM entries e "
            "JOIN feeds f ON f.id = e.feed_id LEFT JOIN full_texts t ON t.entry_id = e.id "
            "WHERE f.url IN (SELECT value FROM json_each(?)) AND e.first_seen >= ? "
            "AND e.link IS NOT NULL AND (t.entry_id IS NULL OR "
            "(t.html IS NULL AND t.attempts < ?)) "
            "ORDER BY e.sort_date DESC, e.id DESC",
            (_json_list(feed_urls), to_epoch(seen_since), max_attempts),
        ).fetchall()
        wanted = []
        for entry_id, link, fetched, attempts in rows:
            if fetched is not None and from_epoch(fetched) > retry_before(attempts):  # type: ignore[operator]
                continue
            wanted.append((entry_id, link))
            if len(wanted) >= limit:
                break
        return wanted

    def set_read(self, ids: Sequence[int], read: bool) -> None:
        with self._transaction():
            self.db.execute(
                "UPDATE entries SET read = ? WHERE id IN (SELECT value FROM json_each(?))",
                (int(read), _json_list(ids)),
            )

    def set_starred(self, ids: Sequence[int], starred: bool) -> None:
        with self._transaction():
            self.db.execute(
                "UPDATE entries SET starred = ? WHERE id IN (SELECT value FROM json_each(?))",
                (int(starred), _json_list(ids)),
            )

    def mark_view_read(
        self, feed_urls: Sequence[str], *, starred_only: bool = False, up_to_id: int | None = None
    ) -> int:
        """Mark the unread entries of a view read; returns how many changed.

        ``up_to_id`` bounds it to what the user has seen: ids only grow, so an
        article stored after the list was drawn (by another process, say) has a
        larger id and stays unread.
        """
        where, params = self._view_filter(feed_urls, True, starred_only)
        if up_to_id is not None:
            where += " AND e.id <= ?"
            params.append(up_to_id)
        with self._transaction():
            cursor = self.db.execute(
                "UPDATE entries SET read = 1 WHERE id IN "
                f"(SELECT e.id FROM entries e WHERE {where})",
                params,
            )
        return cursor.rowcount

    def starred_count(self, feed_urls: Sequence[str]) -> int:
        """Starred entries of the given feeds, from the small partial index."""
        where, params = self._view_filter(feed_urls, False, True)
        sql = f"SELECT count(*) FROM entries e INDEXED BY entries_starred WHERE {where}"
        return int(self.db.execute(sql, params).fetchone()[0])

    def view_counts(self, feed_urls: Sequence[str]) -> tuple[int, int, int]:
        """(all, unread, starred) over the given feeds."""
        where, params = self._view_filter(feed_urls, False, False)
        row = self.db.execute(
            f"SELECT count(*), COALESCE(sum(e.read = 0), 0), COALESCE(sum(e.starred), 0) "
            f"FROM entries e WHERE {where}",
            params,
        ).fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    # -- helpers ---------------------------------------------------------

    def _transaction(self) -> _Transaction:
        return _Transaction(self.db)


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any exception.

    IMMEDIATE takes the write lock up front, so a busy database waits in
    ``busy_timeout`` rather than failing half-way through. Inside a batch
    (:meth:`Storage.begin_batch`) it is a savepoint instead: the write still
    succeeds or fails whole, and the batch's commit makes it durable.
    """

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.nested = False

    def __enter__(self) -> None:
        self.nested = self.db.in_transaction
        self.db.execute("SAVEPOINT one_write" if self.nested else "BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is not None and not self.db.in_transaction:
            return  # SQLite already rolled everything back (disk full, I/O error)
        if not self.nested:
            self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")
            return
        if exc_type is not None:
            self.db.execute("ROLLBACK TO one_write")
        self.db.execute("RELEASE one_write")


def _within(snapshot: ViewSnapshot) -> tuple[str, list[object]]:
    """The WHERE clause over ``entries e`` of the snapshot's entries, and its parameters."""
    # "+e.id": the bound must not steer SQLite to a rowid range plus a sort.
    return f"{snapshot.where} AND +e.id <= ?", [*snapshot.params, snapshot.up_to_id]


def _new_entry_row(
    feed_id: int, fetched: int, entry: ParsedEntry, digest: str
) -> tuple[object, ...]:
    """The ``entries`` columns of a new entry; it sorts by its date, never a future one."""
    published = to_epoch(entry.published)
    dated = published if published is not None else to_epoch(entry.updated)
    return (
        feed_id,
        entry.id,
        entry.title,
        entry.link,
        entry.author,
        published,
        to_epoch(entry.updated),
        fetched,
        fetched if dated is None else min(dated, fetched),
        entry.summary,
        entry.content,
        enclosures_to_json(entry.enclosures),
        digest,
        entry.base,
    )


def _entry_from_row(row: Sequence[object]) -> Entry:
    (
        entry_id,
        feed_url,
        feed_title,
        guid,
        title,
        link,
        author,
        published,
        updated,
        sort_date,
        summary,
        content,
        enclosures,
        read,
        starred,
        full_text,
        full_text_error,
        base,
    ) = row
    return Entry(
        id=int(entry_id),  # type: ignore[call-overload]
        feed_url=str(feed_url),
        feed_title=str(feed_title),
        entry_id=str(guid),
        title=str(title or ""),
        link=link,  # type: ignore[arg-type]
        author=author,  # type: ignore[arg-type]
        published=from_epoch(published),  # type: ignore[arg-type]
        updated=from_epoch(updated),  # type: ignore[arg-type]
        date=datetime.fromtimestamp(sort_date, UTC),  # type: ignore[arg-type]
        summary=summary,  # type: ignore[arg-type]
        content=content,  # type: ignore[arg-type]
        enclosures=enclosures_from_json(enclosures),  # type: ignore[arg-type]
        read=bool(read),
        starred=bool(starred),
        full_text=full_text,  # type: ignore[arg-type]
        full_text_error=full_text_error,  # type: ignore[arg-type]
        base=base,  # type: ignore[arg-type]
    )
