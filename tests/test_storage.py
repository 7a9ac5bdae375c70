"""SQLite storage: schema and pragmas, counts, filters, reading state."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest

from reader.config import config_from_dict
from reader.decide import plan_entries
from reader.models import (
    ALL,
    STARRED,
    UNREAD,
    FeedConfig,
    FeedUpdate,
    ParsedEntry,
    ParsedFeed,
    View,
    ViewSnapshot,
)
from reader.service import Service
from reader.storage import SCHEMA_VERSION, Storage, StorageError
from reader.storage import schema as schema_module

A, B, C = "https://a.example/rss", "https://b.example/rss", "https://c.example/rss"
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    opened = Storage(tmp_path / "db" / "test.db")
    opened.sync_feeds([FeedConfig(A), FeedConfig(B), FeedConfig(C)])
    yield opened
    opened.close()


def entries(prefix: str, count: int) -> list[ParsedEntry]:
    return [
        ParsedEntry(
            id=f"{prefix}{n}",
            title=f"{prefix} {n}",
            published=NOW - timedelta(hours=n),
            summary=f"<p>{prefix}{n}</p>",
        )
        for n in range(count)
    ]


def store(storage: Storage, url: str, items: list[ParsedEntry], title: str = "T") -> None:
    plan = plan_entries(items, storage.entry_hashes(url))
    parsed = ParsedFeed(title=title, entries=tuple(items))
    storage.apply_update(FeedUpdate(url, NOW, parsed=parsed), plan.new, plan.changed)


def raw(storage: Storage, sql: str, *params: object) -> list[tuple[object, ...]]:
    """Query the file with a separate plain connection."""
    db = sqlite3.connect(storage.path)
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


def test_migrations_set_user_version(storage: Storage) -> None:
    assert storage.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 1
    tables = {name for (name,) in raw(storage, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"feeds", "entries"} <= tables
    # Reopening an up-to-date database changes nothing.
    again = Storage(storage.path)
    assert again.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    again.close()


def test_failed_migration_leaves_the_previous_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.db"
    Storage(path).close()

    def broken(db: sqlite3.Connection) -> None:
        schema_module._script(db, "CREATE TABLE half_done (x INTEGER);")
        raise RuntimeError("migration bug")

    monkeypatch.setattr(schema_module, "MIGRATIONS", (*schema_module.MIGRATIONS, broken))
    monkeypatch.setattr(schema_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(RuntimeError, match="migration bug"):
        Storage(path)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("SELECT name FROM sqlite_master WHERE name = 'half_done'").fetchall() == []
    db.close()


def test_newer_schema_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    db.close()
    with pytest.raises(StorageError, match="newer than this newsreader"):
        Storage(path)


def test_garbage_file_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"\x00not sqlite\xff" * 500)
    with pytest.raises(StorageError, match="cannot open database"):
        Storage(path)


def test_wal_and_foreign_keys(storage: Storage) -> None:
    assert storage.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert storage.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert (Path(storage.path).parent / "test.db-wal").exists()
    store(storage, A, entries("a", 2))
    with pytest.raises(sqlite3.IntegrityError):
        storage.db.execute(
            "INSERT INTO entries (feed_id, entry_id, first_seen, sort_date, content_hash) "
            "VALUES (9999, 'x', 0, 0, '')"
        )
    storage.db.execute("DELETE FROM feeds WHERE url = ?", (A,))
    assert raw(storage, "SELECT count(*) FROM entries") == [(0,)]  # cascaded


def test_a_second_connection_reads_while_a_write_is_open(storage: Storage) -> None:
    store(storage, A, entries("a", 3))
    reader = Storage(storage.path)
    try:
        storage.db.execute("BEGIN IMMEDIATE")
        storage.db.execute("UPDATE entries SET read = 1")
        assert reader.view_counts([A]) == (3, 3, 0)  # sees the last commit, not blocked
        storage.db.execute("COMMIT")
        assert reader.view_counts([A]) == (3, 0, 0)
    finally:
        reader.close()


def test_view_counts(storage: Storage) -> None:
    store(storage, A, entries("a", 3))
    store(storage, B, entries("b", 2))
    ids = storage.entry_ids([A])
    storage.set_read(ids[:2], True)
    storage.set_starred(ids[1:], True)
    assert storage.view_counts([A]) == (3, 1, 2)
    assert storage.view_counts([A, B]) == (5, 3, 2)
    assert storage.view_counts([C]) == (0, 0, 0)
    assert storage.view_counts([]) == (0, 0, 0)


def test_entry_ids_filters_and_order(storage: Storage) -> None:
    store(storage, A, entries("a", 3))
    store(storage, B, entries("b", 2))
    every = storage.entry_ids([A, B])
    titles = [e.title for e in storage.entries(every)]
    assert titles == ["b 0", "a 0", "b 1", "a 1", "a 2"]  # newest first; ties: later insert
    b0, a0, b1, a1, a2 = every
    storage.set_read([a0, b1], True)
    storage.set_starred([a1, b1], True)
    assert storage.entry_ids([A, B], unread_only=True) == [b0, a1, a2]
    assert storage.entry_ids([A, B], starred_only=True) == [b1, a1]
    assert storage.entry_ids([A, B], unread_only=True, starred_only=True) == [a1]
    assert storage.entry_ids([B]) == [b0, b1]
    assert storage.entry_ids([A, B], limit=2) == [b0, a0]
    assert storage.entry_ids([]) == []
    storage.set_read([a0], False)
    storage.set_starred([b1], False)
    assert storage.entry_ids([A, B], unread_only=True) == [b0, a0, a1, a2]
    assert storage.entry_ids([A, B], starred_only=True) == [a1]


def test_entry_rows_and_entries(storage: Storage) -> None:
    store(storage, A, entries("a", 2), title="Feed A")
    first, second = storage.entry_ids([A])
    rows = storage.entry_rows([second, first, 12345])
    assert set(rows) == {first, second}
    assert rows[first].title == "a 0" and rows[first].feed_title == "Feed A"
    assert rows[first].date == NOW
    assert storage.entry_rows([]) == {}
    assert [e.id for e in storage.entries([second, first])] == [second, first]
    assert storage.entry(999) is None


def test_entries_keep_the_base_their_relative_links_resolve_against(storage: Storage) -> None:
    item = ParsedEntry(
        id="rel",
        title="Relative",
        link="https://a.example/posts/1",
        content='<a href="../next">next</a>',
        base="https://a.example/feeds/rss",
    )
    store(storage, A, [item])
    (entry,) = storage.entries(storage.entry_ids([A]))
    assert entry.base == "https://a.example/feeds/rss"
    assert entry.html_and_base(full_text=False) == (item.content, item.base)
    # A changed body brings its new base along.
    store(storage, A, [replace(item, content="<p>edited</p>", base="https://b.example/")])
    (entry,) = storage.entries(storage.entry_ids([A]))
    assert (entry.content, entry.base) == ("<p>edited</p>", "https://b.example/")


def test_entries_stored_before_bases_were_kept_fall_back_to_their_link(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    shutil.copy(Path(__file__).parent / "data" / "newsreader-v1.db", path)
    old = Storage(path)
    try:
        entry = old.entries(old.entry_ids(["http://feeds.example/a.xml"]))[0]
        assert entry.base is None and entry.link
        assert entry.html_and_base(full_text=False) == (entry.body_html, entry.link)
        page = replace(entry, full_text="<p>page</p>")
        assert page.html_and_base(full_text=True) == ("<p>page</p>", entry.link)
    finally:
        old.close()


def test_mark_view_read(storage: Storage) -> None:
    store(storage, A, entries("a", 3))
    store(storage, B, entries("b", 2))
    (b_first, _) = storage.entry_ids([B])
    storage.set_starred([b_first], True)
    assert storage.mark_view_read([A, B], starred_only=True) == 1
    assert storage.view_counts([A, B]) == (5, 4, 1)
    assert storage.mark_view_read([A]) == 3
    assert storage.mark_view_read([A]) == 0  # already read
    assert storage.view_counts([A, B]) == (5, 1, 1)


def test_sync_feeds_is_idempotent(storage: Storage) -> None:
    storage.sync_feeds([FeedConfig(A), FeedConfig(B), FeedConfig(C)])
    assert raw(storage, "SELECT count(*) FROM feeds") == [(3,)]


def test_update_for_an_unknown_feed_is_ignored(storage: Storage) -> None:
    update = FeedUpdate("https://unknown.example/", NOW, parsed=ParsedFeed(entries=()))
    storage.apply_update(update)
    assert raw(storage, "SELECT count(*) FROM feeds") == [(3,)]


def test_error_update_keeps_entries_and_validators(storage: Storage) -> None:
    store(storage, A, entries("a", 2))
    storage.apply_update(FeedUpdate(A, NOW, etag='"e"', parsed=ParsedFeed()))
    storage.apply_update(FeedUpdate(A, NOW + timedelta(hours=1), error="HTTP 500"))
    (feed,) = storage.feeds_for_update([A])
    assert feed.etag == '"e"'
    (info,) = storage.feed_infos([FeedConfig(A)])
    assert info.last_error == "HTTP 500" and info.total == 2
    assert info.last_fetched == NOW + timedelta(hours=1)


def service_for(tmp_path: Path, urls: list[str]) -> Service:
    config = config_from_dict({"feeds": [{"url": u, "tags": ["t"]} for u in urls]}, "cfg")
    return Service(config, tmp_path / "db" / "test.db")


def test_removed_feeds_vanish_from_views_but_rows_remain(storage: Storage, tmp_path: Path) -> None:
    store(storage, A, entries("a", 2))
    store(storage, B, entries("b", 3))
    a_ids = storage.entry_ids([A])
    full = service_for(tmp_path, [A, B])
    assert [f.url for f in full.feeds()] == [A, B]
    assert full.counts() == (5, 5, 0)
    full.close()

    service = service_for(tmp_path, [B])
    try:
        assert [f.url for f in service.feeds()] == [B]
        for view in (ALL, UNREAD, STARRED, View("tag", "t"), View("feed", A)):
            ids = service.entry_ids(view)
            assert not set(ids) & set(a_ids)
        assert len(service.entry_ids(ALL)) == 3
        assert service.entry_ids(View("feed", A)) == []
        assert service.counts() == (3, 3, 0)
        assert service.entry(a_ids[0]) is None
        assert service.mark_view_read(ALL) == 3
        # The rows are still there, untouched, should the feed come back.
        assert raw(storage, "SELECT count(*) FROM feeds WHERE url = ?", A) == [(1,)]
        assert raw(storage, "SELECT count(*) FROM entries WHERE read = 0") == [(2,)]
        assert storage.view_counts([A]) == (2, 2, 0)
    finally:
        service.close()
    back = service_for(tmp_path, [A, B])
    assert back.counts() == (5, 2, 0)
    back.close()


def test_mark_view_read_stops_at_what_was_shown(storage: Storage) -> None:
    store(storage, A, entries("a", 2))
    shown = storage.entry_ids([A])
    store(storage, A, entries("late", 1))  # arrives after the list was drawn
    assert storage.mark_view_read([A], up_to_id=max(shown)) == 2
    assert storage.view_counts([A]) == (3, 1, 0)


def test_opening_needs_no_write_lock_when_every_feed_is_known(
    storage: Storage, tmp_path: Path
) -> None:
    """A CLI command must not wait behind a long write just to start."""
    import sqlite3

    first = service_for(tmp_path, [A, B])  # creates the rows
    first.close()
    blocker = sqlite3.connect(tmp_path / "db" / "test.db", isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        second = service_for(tmp_path, [A, B])  # would wait 15 s if it took the lock
        assert [f.url for f in second.feeds()] == [A, B]
        second.close()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


def _plans_of(
    storage: Storage,
    call: Callable[[], object],
    prefixes: tuple[str, ...] = ("SELECT E.ID FROM ENTRIES", "SELECT E.ID, E.SORT_DATE"),
) -> list[str]:
    """The query plans of the SELECTs (starting with ``prefixes``) ``call`` runs."""
    statements: list[str] = []
    storage.db.set_trace_callback(statements.append)
    try:
        call()
    finally:
        storage.db.set_trace_callback(None)
    plans = []
    for sql in statements:
        if sql.lstrip().upper().startswith(prefixes):
            rows = storage.db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
            plans.append(" | ".join(row[3] for row in rows))
    return plans


def test_views_of_every_feed_come_in_index_order_without_a_sort(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "plans.db")
    urls = ["http://a.example/feed", "http://b.example/feed"]
    storage.sync_feeds([FeedConfig(url) for url in urls])
    for url in urls:
        items = tuple(ParsedEntry(id=f"{url}#{n}", title=f"t{n}") for n in range(3))
        update = FeedUpdate(url, datetime.now(UTC), parsed=ParsedFeed(entries=items))
        plan = plan_entries(items, storage.entry_hashes(url))
        storage.apply_update(update, plan.new)
    (unread,) = _plans_of(storage, lambda: storage.entry_ids(urls, unread_only=True))
    assert "entries_unread_by_date" in unread and "TEMP B-TREE" not in unread, unread
    (every,) = _plans_of(storage, lambda: storage.entry_ids(urls))
    assert "entries_by_date" in every and "TEMP B-TREE" not in every, every
    # A view of some feeds keeps its filter, and still gives the right entries.
    assert len(storage.entry_ids(urls[:1], unread_only=True)) == 3
    assert len(storage.entry_ids(urls, unread_only=True)) == 6
    storage.close()


def _read_all_pages(storage: Storage, snapshot: ViewSnapshot, size: int) -> list[int]:
    ids: list[int] = []
    after = None
    while page := storage.snapshot_page(snapshot, after, size):
        ids.extend(entry_id for entry_id, _ in page)
        after = (page[-1][1], page[-1][0])
    return ids


def test_snapshot_pages_join_into_the_view_and_keep_later_arrivals_out(storage: Storage) -> None:
    # Equal dates in a row, so the keyset must order by id within a date.
    same_day = [replace(e, published=NOW) for e in entries("s", 5)]
    store(storage, A, entries("a", 12) + same_day)
    store(storage, B, entries("b", 7))
    urls = [A, B]
    snapshot = storage.snapshot(urls)
    assert snapshot.count == 24
    assert _read_all_pages(storage, snapshot, 5) == storage.entry_ids(urls)
    assert [p for p, _ in storage.snapshot_page(snapshot, None, 3)] == storage.entry_ids(urls)[:3]
    # New articles, even dated in the middle of the list, wait for the next snapshot.
    store(storage, A, [*entries("a", 12), *same_day, *entries("late", 2)])
    assert _read_all_pages(storage, snapshot, 7) == _read_all_pages(storage, snapshot, 100)
    assert len(_read_all_pages(storage, snapshot, 7)) == 24
    assert storage.snapshot(urls).count == 26


def test_snapshot_position_finds_an_article_in_view_order(storage: Storage) -> None:
    store(storage, A, entries("a", 9))
    store(storage, B, entries("b", 4))
    snapshot = storage.snapshot([A, B])
    order = storage.entry_ids([A, B])
    for index, entry_id in enumerate(order):
        assert storage.snapshot_position(snapshot, entry_id) == index
    only_b = storage.snapshot([B])
    assert storage.snapshot_position(only_b, storage.entry_ids([A])[0]) is None


def test_unread_snapshot_pages_skip_articles_read_since(storage: Storage) -> None:
    store(storage, A, entries("a", 10))
    snapshot = storage.snapshot([A], unread_only=True)
    first, *rest = storage.entry_ids([A])
    storage.set_read(rest[:4], True)
    assert snapshot.count == 10
    assert _read_all_pages(storage, snapshot, 3) == [first, *rest[4:]]


def test_snapshot_pages_are_index_ranges_without_a_sort(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "plans.db")
    urls = ["http://a.example/feed", "http://b.example/feed"]
    storage.sync_feeds([FeedConfig(url) for url in urls])
    for url in urls:
        store(storage, url, entries(url, 3))
    for unread_only, index in ((False, "entries_by_date"), (True, "entries_unread_by_date")):
        snapshot = storage.snapshot(urls, unread_only=unread_only)
        (plan,) = _plans_of(storage, partial(storage.snapshot_page, snapshot, (2**40, 1), 50))
        assert "SEARCH e USING" in plan and index in plan and "sort_date<?" in plan, plan
        assert "TEMP B-TREE" not in plan, plan
    one_feed = storage.snapshot(urls[:1])
    (plan,) = _plans_of(storage, lambda: storage.snapshot_page(one_feed, (2**40, 1), 50))
    assert "entries_by_feed_date (feed_id=? AND sort_date<?)" in plan, plan
    storage.close()


def test_feed_counts_come_from_indexes_not_from_reading_articles(storage: Storage) -> None:
    store(storage, A, entries("a", 3))
    feeds = [FeedConfig(A), FeedConfig(B)]
    (plan,) = _plans_of(storage, lambda: storage.feed_infos(feeds), ("SELECT F.URL",))
    assert "SCAN e" not in plan, plan
    assert "entries_unread" in plan and "COVERING INDEX entries_by_feed_date" in plan, plan
    assert [(i.unread, i.total) for i in storage.feed_infos(feeds)] == [(3, 3), (0, 0)]
