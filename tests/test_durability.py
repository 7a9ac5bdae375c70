"""Never lose data: kill -9 mid-refresh, two writers at once, a busy or broken database.

Everything is real: the ``newsreader`` console script in subprocesses, the
feed server on 127.0.0.1, SQLite files in ``tmp_path``, the Textual app
driven by keys. The database is checked with plain ``sqlite3`` so that a
bug in the storage code cannot hide itself.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.app import App

from reader.cli import main
from reader.config import load_config
from reader.models import View
from reader.service import Service
from reader.storage import Storage, StorageError
from reader.storage.connection import (
    BUSY_TIMEOUT_ENV,
    database_unusable,
    describe_database_error,
)
from reader.ui.article_list import ArticleList
from reader.ui.main_screen import StatusLine
from tests.feedserver import FeedServer, Route, rss, write_config
from tests.ui_helpers import make_app, settle, until

NEWSREADER = Path(sys.executable).parent / "newsreader"
HANG_GUARD = 60.0  # seconds; only ever reached when something is broken
SHORT_BUSY_TIMEOUT = "0.2"  # seconds a write waits for the lock in these tests

BASE_PER_FEED = 6  # kept in every generation, revised each time
GATED_FEED = 0  # the feed whose requests can be held back

BUSY = "the database is busy (another newsreader is writing to it); try again"
READ_ONLY = "the database is read-only; check the permissions of the file and its directory"
NOT_A_DATABASE = (
    "the file is not a newsreader database or is damaged; "
    "move it aside and newsreader will start a new one"
)
DAMAGED = "the database file is damaged; move it aside and newsreader will start a new one"
DISK_FULL = "the disk is full; the database cannot be written until space is freed"
CANNOT_OPEN = "the database file cannot be opened; check that its directory exists and is writable"

Flags = dict[tuple[str, str], tuple[bool, bool]]  # (feed url, entry guid) -> (read, starred)


# -- a feed server whose answers can be held back ---------------------------


class GatedFeedServer(FeedServer):
    """The real feed server; requests for gated paths wait until the gate opens.

    Holding one feed back keeps a refresh process provably mid-refresh: it
    has stored the other feeds and still has this one to write.
    """

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.gate.set()
        self.gated: set[str] = set()

    def route(self, path: str) -> Route | None:
        if path in self.gated:
            self.gate.wait(HANG_GUARD)
        return super().route(path)

    def hold(self, path: str) -> None:
        self.gated.add(path)
        self.gate.clear()

    def release(self) -> None:
        self.gate.set()


# -- the library: feeds, entries and flags set through the real code --------


def feed_path(feed: int) -> str:
    return f"/feed-{feed}.xml"


def items(feed: int, generation: int, new_per_feed: int) -> list[dict[str, Any]]:
    """A feed's document at ``generation``: its base entries revised, plus new ones.

    Base entries are the newest, feed 0's first, so they head the UI's list
    and stay there while older new entries arrive.
    """
    newest = datetime(2024, 6, 1, tzinfo=UTC) - timedelta(days=feed)
    base = [
        {
            "title": f"Base {feed}.{n} rev {generation}",
            "guid": f"base-{feed}-{n}",
            "link": f"http://example.org/{feed}/base/{n}",
            "pubDate": newest + timedelta(hours=n),
            "description": f"<p>Revision {generation} of base entry {n}.</p>",
        }
        for n in range(BASE_PER_FEED)
    ]
    new = [
        {
            "title": f"New {feed}.{n} gen {generation}",
            "guid": f"gen{generation}-{feed}-{n}",
            "link": f"http://example.org/{feed}/{generation}/{n}",
            "pubDate": datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=generation * 100 + n),
            "description": "<p>" + "Some words of a longer article body. " * 20 + "</p>",
        }
        for n in range(new_per_feed)
    ]
    return base + new


@dataclass
class Library:
    server: GatedFeedServer
    config: Path
    db: Path
    urls: list[str]
    new_per_feed: int
    flags: Flags  # every entry's flags after set-up

    @property
    def feeds(self) -> int:
        return len(self.urls)

    def serve(self, generation: int) -> None:
        for feed in range(self.feeds):
            document = rss(f"Feed {feed}", items(feed, generation, self.new_per_feed))
            self.server.add(feed_path(feed), document)

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "NEWSREADER_CONFIG": str(self.config),
            "NEWSREADER_DB": str(self.db),
            **extra,
        }

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(NEWSREADER), *args],
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=HANG_GUARD,
            check=False,
        )

    def start_refresh(self) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(NEWSREADER), "refresh"],
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


@pytest.fixture
def gated_server() -> Iterator[GatedFeedServer]:
    server = GatedFeedServer()
    server.start()
    try:
        yield server
    finally:
        server.release()  # never leave a handler thread waiting
        server.stop()


def make_library(
    directory: Path, server: GatedFeedServer, feeds: int, new_per_feed: int
) -> Library:
    """Generation 0 of every feed stored, and flags set on the base entries.

    Base entry 0 of each feed is read, 1 starred, 2 both; the others are
    left for the tests to change.
    """
    urls = [server.url(feed_path(feed)) for feed in range(feeds)]
    config = write_config(
        directory,
        [{"url": url} for url in urls],
        {"refresh_on_start": False, "refresh_interval": "0"},
    )
    library = Library(server, config, directory / "data" / "newsreader.db", urls, new_per_feed, {})
    library.serve(0)
    service = Service(load_config(config), library.db)
    try:
        outcomes = service.refresh()
        assert not [o.error for o in outcomes if o.error]
        for feed, url in enumerate(urls):
            ids = service.entry_ids(View("feed", url))
            by_guid = {e.entry_id: e.id for e in service.entries(ids)}
            service.set_read([by_guid[f"base-{feed}-0"], by_guid[f"base-{feed}-2"]], True)
            service.set_starred([by_guid[f"base-{feed}-1"], by_guid[f"base-{feed}-2"]], True)
    finally:
        service.close()
    library.flags = read_flags(library.db)
    assert len(library.flags) == feeds * (BASE_PER_FEED + new_per_feed)
    assert sum(read for read, _ in library.flags.values()) == 2 * feeds
    assert sum(starred for _, starred in library.flags.values()) == 2 * feeds
    return library


@pytest.fixture
def library(tmp_path: Path, gated_server: GatedFeedServer) -> Library:
    """A small library, for tests about one command or one key."""
    return make_library(tmp_path, gated_server, feeds=2, new_per_feed=4)


@pytest.fixture
def big_library(tmp_path: Path, gated_server: GatedFeedServer) -> Library:
    """Enough feeds and entries that a refresh spends a while writing."""
    return make_library(tmp_path, gated_server, feeds=9, new_per_feed=40)


# -- checking the database with plain sqlite3 --------------------------------


def read_flags(db: Path) -> Flags:
    with _plain(db) as conn:
        rows = conn.execute(
            "SELECT f.url, e.entry_id, e.read, e.starred FROM entries e "
            "JOIN feeds f ON f.id = e.feed_id"
        ).fetchall()
    return {(url, guid): (bool(read), bool(starred)) for url, guid, read, starred in rows}


def titles(db: Path) -> dict[str, str]:
    """guid → title of every entry."""
    with _plain(db) as conn:
        return dict(conn.execute("SELECT entry_id, title FROM entries"))


def count_stored(db: Path, guid_prefix: str) -> tuple[int, int]:
    """(entries, feeds having any) whose guid starts with ``guid_prefix``."""
    with _plain(db) as conn:
        row = conn.execute(
            "SELECT count(*), count(DISTINCT feed_id) FROM entries WHERE entry_id LIKE ?",
            (guid_prefix + "%",),
        ).fetchone()
    return int(row[0]), int(row[1])


def _plain(db: Path) -> closing[sqlite3.Connection]:
    """A plain sqlite3 connection, closed on exit (``with sqlite3.connect`` only commits)."""
    return closing(sqlite3.connect(db, timeout=HANG_GUARD))


def assert_database_sound(db: Path) -> None:
    """Structurally intact, no dangling rows, every entry stored once."""
    with _plain(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        duplicates = conn.execute(
            "SELECT feed_id, entry_id, count(*) FROM entries "
            "GROUP BY feed_id, entry_id HAVING count(*) > 1"
        ).fetchall()
        assert duplicates == []


def assert_flags_kept(db: Path, before: Mapping[tuple[str, str], tuple[bool, bool]]) -> None:
    now = read_flags(db)
    assert {key: now.get(key) for key in before} == dict(before)


def status_text(app: App[Any]) -> str:
    return str(app.screen.query_one(StatusLine).content)


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[str], what: str) -> None:
    """Poll until ``condition`` holds while ``process`` still runs (hang-guarded)."""
    deadline = time.monotonic() + HANG_GUARD
    while not condition():
        if process.poll() is not None:
            out, err = process.communicate()
            raise AssertionError(f"refresh ended before {what}: {process.returncode} {out} {err}")
        assert time.monotonic() < deadline, f"never reached: {what}"
        time.sleep(0.002)


def finish(process: subprocess.Popen[str]) -> tuple[str, str]:
    try:
        return process.communicate(timeout=HANG_GUARD)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


# -- 1. kill -9 in the middle of a refresh -----------------------------------


def kill_refresh_when(
    library: Library, generation: int, reached: Callable[[int, int], bool], moment: str
) -> None:
    """Start a refresh and SIGKILL it once ``reached(feeds stored, requests made)``."""
    requests_before = len(library.server.requests)

    def now_reached() -> bool:
        stored = count_stored(library.db, f"gen{generation}-")[1]
        return reached(stored, len(library.server.requests) - requests_before)

    process = library.start_refresh()
    try:
        wait_for(now_reached, process, moment)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        finish(process)
    assert process.returncode == -signal.SIGKILL, f"not killed at {moment}"


def test_kill_9_at_any_moment_of_a_refresh_loses_nothing(big_library: Library) -> None:
    """Each round serves a new generation and kills the refresh at a later point."""
    kill_points: list[tuple[str, Callable[[int, int], bool]]] = [
        ("fetching", lambda stored, requested: requested > 0),
        ("the first feed stored", lambda stored, requested: stored >= 1),
        ("a third of the feeds stored", lambda stored, requested: stored >= big_library.feeds // 3),
        ("two thirds stored", lambda stored, requested: stored >= 2 * big_library.feeds // 3),
    ]
    for generation, (moment, reached) in enumerate(kill_points, start=1):
        big_library.serve(generation)
        kill_refresh_when(big_library, generation, reached, moment)
        assert_database_sound(big_library.db)
        assert_flags_kept(big_library.db, big_library.flags)

    final = big_library.run("refresh")
    assert final.returncode == 0, final.stderr
    assert "Traceback" not in final.stderr
    assert_database_sound(big_library.db)
    assert_flags_kept(big_library.db, big_library.flags)
    last = len(kill_points)
    assert count_stored(big_library.db, f"gen{last}-") == (
        big_library.feeds * big_library.new_per_feed,
        big_library.feeds,
    )
    revised = titles(big_library.db)
    assert all(
        revised[f"base-{f}-{n}"].endswith(f"rev {last}")
        for f in range(big_library.feeds)
        for n in (0, 1, 2)
    )


# -- 2. two processes at once -------------------------------------------------


def test_two_refreshes_at_once_both_succeed_and_store_each_entry_once(big_library: Library) -> None:
    gated = feed_path(GATED_FEED)
    big_library.server.hold(gated)
    big_library.serve(1)
    first, second = big_library.start_refresh(), big_library.start_refresh()
    try:
        # Both are mid-refresh when both wait for the same feed.
        for process in (first, second):
            wait_for(lambda: len(big_library.server.requests_for(gated)) >= 2, process, "both wait")
        big_library.server.release()
        results = [finish(first), finish(second)]
    finally:
        big_library.server.release()
        finish(first)
        finish(second)
    for process, (_out, err) in zip((first, second), results, strict=True):
        assert process.returncode == 0, err
        assert "Traceback" not in err and "failed" not in err, err
    assert_database_sound(big_library.db)
    assert_flags_kept(big_library.db, big_library.flags)
    assert count_stored(big_library.db, "gen1-") == (
        big_library.feeds * big_library.new_per_feed,
        big_library.feeds,
    )
    assert len(read_flags(big_library.db)) == big_library.feeds * (
        BASE_PER_FEED + 2 * big_library.new_per_feed
    )


async def test_the_ui_marks_articles_while_a_refresh_process_writes(big_library: Library) -> None:
    """Flags set in the UI mid-refresh survive the refresh rewriting those very entries."""
    gated = feed_path(GATED_FEED)
    big_library.server.hold(gated)
    big_library.serve(1)
    app, _ = make_app(big_library.config, big_library.db)
    process = big_library.start_refresh()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(
                pilot, lambda: count_stored(big_library.db, "gen1-")[1] == big_library.feeds - 1
            )
            articles = app.screen.query_one(ArticleList)
            wanted: dict[int, tuple[bool, bool]] = {}
            for keys, flags in (
                (["s"], (False, True)),
                (["m"], (True, False)),
                (["s", "m"], (True, True)),
            ):
                entry_id = articles.current_id
                assert entry_id is not None
                await pilot.press(*keys)
                await pilot.pause()
                wanted[entry_id] = flags
                await pilot.press("j")
            status = status_text(app)
            assert "Not saved" not in status
            assert process.poll() is None  # still holding the gated feed back
            big_library.server.release()
            _out, err = await asyncio.to_thread(finish, process)
            assert app.is_running
    finally:
        big_library.server.release()
        finish(process)
    assert process.returncode == 0, err
    assert "Traceback" not in err and "failed" not in err, err
    assert_database_sound(big_library.db)
    with _plain(big_library.db) as conn:
        rows = conn.execute(
            "SELECT e.id, e.entry_id, e.title, e.read, e.starred FROM entries e "
            "WHERE e.id IN (SELECT value FROM json_each(?))",
            (str(list(wanted)),),
        ).fetchall()
    assert {row[0]: (bool(row[3]), bool(row[4])) for row in rows} == wanted
    # The UI marked entries of the held-back feed, which the refresh rewrote afterwards.
    assert all(guid.startswith(f"base-{GATED_FEED}-") for _, guid, _, _, _ in rows)
    assert all(title.endswith("rev 1") for _, _, title, _, _ in rows)
    untouched = {
        key: value for key, value in big_library.flags.items() if key[1] not in {r[1] for r in rows}
    }
    assert_flags_kept(big_library.db, untouched)


# -- 2c. a busy database: one line, never a traceback ------------------------


@contextmanager
def write_locked(db: Path, begin: str = "IMMEDIATE") -> Iterator[None]:
    """Another connection holds the write lock meanwhile, as a writing newsreader would."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute(f"BEGIN {begin}")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


@pytest.fixture
def write_lock(library: Library) -> Iterator[None]:
    """The write lock is held by someone else for the whole test."""
    with write_locked(library.db):
        yield


@pytest.mark.parametrize("begin", ["IMMEDIATE", "EXCLUSIVE"])
def test_reading_commands_work_while_another_process_writes(library: Library, begin: str) -> None:
    """WAL: readers never wait for a writer, even one that waits for nobody."""
    unread = sum(not read for read, _ in library.flags.values())
    env = {BUSY_TIMEOUT_ENV: "0"}
    with write_locked(library.db, begin):
        counted = library.run("unread", **env)
        listed = [library.run(*command, **env) for command in (["feeds"], ["entries", "--starred"])]
    assert (counted.returncode, counted.stdout, counted.stderr) == (0, f"{unread}\n", "")
    for result in listed:
        assert (result.returncode, result.stderr) == (0, "")
    assert len(listed[0].stdout.splitlines()) == library.feeds
    assert len(listed[1].stdout.splitlines()) == 2 * library.feeds  # starred: two per feed


def test_refresh_while_the_database_is_locked_is_one_line(
    library: Library, write_lock: None
) -> None:
    library.serve(1)
    result = library.run("refresh", **{BUSY_TIMEOUT_ENV: SHORT_BUSY_TIMEOUT})
    assert "Traceback" not in result.stderr
    assert (result.returncode, result.stderr.splitlines()) == (1, [f"newsreader: {BUSY}"])


def test_a_command_that_must_write_while_locked_is_one_line(
    library: Library, gated_server: GatedFeedServer
) -> None:
    """A feed added to the config must be registered: that write meets the lock."""
    extra = gated_server.add("/extra.xml", rss("Extra", []))
    write_config(
        library.config.parent,
        [{"url": url} for url in [*library.urls, extra]],
        {"refresh_on_start": False, "refresh_interval": "0"},
    )
    with write_locked(library.db):
        busy = library.run("feeds", **{BUSY_TIMEOUT_ENV: SHORT_BUSY_TIMEOUT})
    assert "Traceback" not in busy.stderr
    assert (busy.returncode, busy.stderr.splitlines()) == (1, [f"newsreader: {BUSY}"])
    later = library.run("feeds", **{BUSY_TIMEOUT_ENV: SHORT_BUSY_TIMEOUT})
    assert (later.returncode, later.stderr) == (0, "")
    assert len(later.stdout.splitlines()) == library.feeds + 1
    assert_database_sound(library.db)
    assert_flags_kept(library.db, library.flags)


async def test_ui_marking_while_locked_is_a_status_line_message(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, SHORT_BUSY_TIMEOUT)
    app, _ = make_app(library.config, library.db)
    async with app.run_test(size=(120, 40)) as pilot:
        articles = app.screen.query_one(ArticleList)
        entry_id = articles.current_id
        assert entry_id is not None
        row = articles.row(entry_id)
        assert row is not None and not row.read
        with write_locked(library.db):
            await pilot.press("m")
            await pilot.pause()
            assert status_text(app) == f"Not saved: {BUSY}"
            assert app.is_running
            still = articles.row(entry_id)
            assert still is not None and not still.read  # the list does not pretend
        await pilot.press("m")
        await pilot.pause()
        assert status_text(app) == "Marked read."
    with _plain(library.db) as conn:
        assert conn.execute("SELECT read FROM entries WHERE id = ?", (entry_id,)).fetchone() == (1,)


# -- 3. the messages, from real failures -------------------------------------


def _real_error(action: Callable[[], object]) -> sqlite3.Error:
    with pytest.raises(sqlite3.Error) as caught:
        action()
    return caught.value


def locked_error(tmp_path: Path) -> sqlite3.Error:
    db = tmp_path / "x.db"
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(db, isolation_level=None, timeout=0)
    try:
        return _real_error(lambda: other.execute("BEGIN IMMEDIATE"))
    finally:
        other.close()
        holder.close()


def disk_full_error(tmp_path: Path) -> sqlite3.Error:
    conn = sqlite3.connect(tmp_path / "x.db")
    conn.execute("CREATE TABLE t (x)")
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages + 1}")  # as if the disk had one page left
    try:
        return _real_error(lambda: conn.execute("INSERT INTO t VALUES (?)", (b"x" * 100_000,)))
    finally:
        conn.close()


def read_only_error(tmp_path: Path) -> sqlite3.Error:
    db = tmp_path / "x.db"
    sqlite3.connect(db).execute("CREATE TABLE t (x)").connection.close()
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return _real_error(lambda: conn.execute("INSERT INTO t VALUES (1)"))
    finally:
        conn.close()


def not_a_database_error(tmp_path: Path) -> sqlite3.Error:
    db = tmp_path / "random.db"
    db.write_bytes(os.urandom(8192))
    conn = sqlite3.connect(db)
    try:
        return _real_error(lambda: conn.execute("SELECT * FROM sqlite_master"))
    finally:
        conn.close()


def damaged_error(tmp_path: Path) -> sqlite3.Error:
    db = tmp_path / "damaged.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE t (x)")
    conn.executemany("INSERT INTO t VALUES (?)", [(f"row {n}",) for n in range(5000)])
    conn.commit()
    conn.close()
    with db.open("r+b") as file:  # scribble over the table's leaf pages, keep the rest
        file.seek(4096 * 2)
        file.write(b"\xa5" * 4096 * 4)
    conn = sqlite3.connect(db)
    try:
        return _real_error(lambda: conn.execute("SELECT count(*), max(x) FROM t").fetchall())
    finally:
        conn.close()


def cannot_open_error(tmp_path: Path) -> sqlite3.Error:
    return _real_error(lambda: sqlite3.connect(tmp_path))  # a directory


@pytest.mark.parametrize(
    ("make_error", "expected"),
    [
        (locked_error, BUSY),
        (disk_full_error, DISK_FULL),
        (read_only_error, READ_ONLY),
        (not_a_database_error, NOT_A_DATABASE),
        (damaged_error, DAMAGED),
        (cannot_open_error, CANNOT_OPEN),
    ],
)
def test_a_real_database_failure_gets_its_sentence(
    tmp_path: Path, make_error: Callable[[Path], sqlite3.Error], expected: str
) -> None:
    error = make_error(tmp_path)
    assert describe_database_error(error) == expected
    assert database_unusable(error)  # a refresh should stop rather than fail every feed


def test_a_failed_constraint_is_not_an_unusable_database() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (x UNIQUE)")
    conn.execute("INSERT INTO t VALUES (1)")
    try:
        error = _real_error(lambda: conn.execute("INSERT INTO t VALUES (1)"))
    finally:
        conn.close()
    assert not database_unusable(error)
    assert describe_database_error(error) == "database error: UNIQUE constraint failed: t.x"
    assert not database_unusable(ValueError("database is locked"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("database is locked", BUSY),
        ("database table is locked", BUSY),
        ("attempt to write a readonly database", READ_ONLY),
        ("database or disk is full", DISK_FULL),
        ("file is not a database", NOT_A_DATABASE),
        ("database disk image is malformed", DAMAGED),
        ("no such table: entries", "database error: no such table: entries"),
    ],
)
def test_messages_for_errors_without_a_result_code(text: str, expected: str) -> None:
    error = sqlite3.OperationalError(text)
    assert describe_database_error(error) == expected
    assert database_unusable(error) == (expected != f"database error: {text}")


@pytest.mark.parametrize("command", ["unread", "refresh", "feeds"])
def test_a_file_of_random_bytes_is_one_line_and_left_alone(
    library: Library, tmp_path: Path, command: str
) -> None:
    garbage = tmp_path / "garbage.db"
    content = os.urandom(64 * 1024)
    garbage.write_bytes(content)
    result = library.run("--db", str(garbage), command)
    assert "Traceback" not in result.stderr
    assert (result.returncode, result.stderr.splitlines()) == (
        1,
        [f"newsreader: {garbage}: cannot open database: {NOT_A_DATABASE}"],
    )
    assert garbage.read_bytes() == content  # never "repaired" by overwriting


def test_a_directory_as_the_database_is_one_line(library: Library, tmp_path: Path) -> None:
    directory = tmp_path / "a-directory"
    directory.mkdir()
    result = library.run("--db", str(directory), "unread")
    assert (result.returncode, result.stderr.splitlines()) == (
        1,
        [f"newsreader: {directory}: cannot open database: {CANNOT_OPEN}"],
    )


def _permissions_enforced() -> bool:
    """False when a read-only file can still be written: root (CAP_DAC_OVERRIDE) can."""
    with tempfile.TemporaryDirectory() as directory:
        probe = Path(directory) / "probe"
        probe.write_bytes(b"")
        probe.chmod(0o444)
        try:
            probe.open("ab").close()
        except PermissionError:
            return True
        return False


needs_permissions = pytest.mark.skipif(
    not _permissions_enforced(),
    reason="file permissions are not enforced for this user (root): "
    "a read-only file or directory cannot be simulated",
)


@needs_permissions
def test_a_read_only_database_file_can_be_read(library: Library) -> None:
    library.db.chmod(0o444)
    try:
        result = library.run("unread")
    finally:
        library.db.chmod(0o644)
    unread = sum(not read for read, _ in library.flags.values())
    assert (result.returncode, result.stdout, result.stderr) == (0, f"{unread}\n", "")


@needs_permissions
@pytest.mark.parametrize("command", ["unread", "refresh"])
def test_a_read_only_directory_is_one_line(library: Library, command: str) -> None:
    """WAL needs its side files next to the database, so even reading needs the directory."""
    library.serve(1)
    library.db.parent.chmod(0o555)
    try:
        result = library.run(command)
    finally:
        library.db.parent.chmod(0o755)
    assert (result.returncode, result.stderr.splitlines()) == (
        1,
        [f"newsreader: {library.db}: cannot open database: {READ_ONLY}"],
    )
    assert_flags_kept(library.db, library.flags)


@needs_permissions
def test_refresh_into_a_read_only_database_file_is_one_line(library: Library) -> None:
    library.serve(1)
    library.db.chmod(0o444)
    try:
        result = library.run("refresh")
    finally:
        library.db.chmod(0o644)
    assert "Traceback" not in result.stderr
    assert (result.returncode, result.stderr.splitlines()) == (1, [f"newsreader: {READ_ONLY}"])
    assert_flags_kept(library.db, library.flags)


# -- the busy-timeout knob ----------------------------------------------------


def test_busy_timeout_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def timeout_ms() -> int:
        storage = Storage(tmp_path / "x.db")
        try:
            return int(storage.db.execute("PRAGMA busy_timeout").fetchone()[0])
        finally:
            storage.close()

    monkeypatch.delenv(BUSY_TIMEOUT_ENV, raising=False)
    assert timeout_ms() == 15_000
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "0.25")
    assert timeout_ms() == 250
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "0")
    assert timeout_ms() == 0


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "inf", "1e9"])
def test_a_bad_busy_timeout_is_one_line(
    library: Library,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    value: str,
) -> None:
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, value)
    with pytest.raises(StorageError, match=BUSY_TIMEOUT_ENV):
        Storage(library.db)
    code = main(["--config", str(library.config), "--db", str(library.db), "unread"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.splitlines() == [
        f"newsreader: {BUSY_TIMEOUT_ENV} must be a number of seconds between 0 and 86400, "
        f"not {value!r}"
    ]


async def test_ui_refresh_while_locked_says_busy_once(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, SHORT_BUSY_TIMEOUT)
    library.serve(1)
    app, _ = make_app(library.config, library.db)
    async with app.run_test(size=(120, 40)) as pilot:
        with write_locked(library.db):
            await pilot.press("R")
            await settle(pilot)
            status = status_text(app)
        assert app.is_running
        assert status == f"Refresh failed: {BUSY}"
    assert_flags_kept(library.db, library.flags)
