"""Database schema, versioned with ``PRAGMA user_version``.

Each migration moves the schema one version up and runs in one transaction,
so a crash mid-migration leaves the previous version intact. Never edit a
released migration: add the next one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable


def _script(db: sqlite3.Connection, script: str) -> None:
    """Run ``script`` one statement at a time inside the caller's transaction.

    (``executescript`` would first commit the transaction :func:`migrate` opened.)
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        db.execute(statement)


def _v1(db: sqlite3.Connection) -> None:
    _script(
        db,
        """
        CREATE TABLE feeds (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            fetch_url TEXT,
            title TEXT,
            link TEXT,
            description TEXT,
            etag TEXT,
            last_modified TEXT,
            last_fetched INTEGER,
            last_error TEXT,
            created INTEGER NOT NULL
        );
        CREATE TABLE entries (
            id INTEGER PRIMARY KEY,
            feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
            entry_id TEXT NOT NULL,
            title TEXT,
            link TEXT,
            author TEXT,
            published INTEGER,
            updated INTEGER,
            first_seen INTEGER NOT NULL,
            sort_date INTEGER NOT NULL,
            summary TEXT,
            content TEXT,
            enclosures TEXT,
            content_hash TEXT NOT NULL,
            read INTEGER NOT NULL DEFAULT 0,
            starred INTEGER NOT NULL DEFAULT 0,
            UNIQUE (feed_id, entry_id)
        );
        CREATE INDEX entries_by_feed_date ON entries (feed_id, sort_date DESC, id DESC);
        CREATE INDEX entries_by_date ON entries (sort_date DESC, id DESC);
        CREATE INDEX entries_unread ON entries (feed_id) WHERE read = 0;
        CREATE INDEX entries_starred ON entries (sort_date DESC, id DESC) WHERE starred = 1;
        """,
    )


def _v2(db: sqlite3.Connection) -> None:
    """Fetch scheduling and feed health: when a feed may be fetched again and why."""
    _script(
        db,
        """
        ALTER TABLE feeds ADD COLUMN next_fetch INTEGER;
        ALTER TABLE feeds ADD COLUMN retry_after INTEGER;
        ALTER TABLE feeds ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE feeds ADD COLUMN gone INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE feeds ADD COLUMN ttl INTEGER;
        ALTER TABLE feeds ADD COLUMN last_ok INTEGER;
        ALTER TABLE feeds ADD COLUMN last_warning TEXT;
        """,
    )


def _v3(db: sqlite3.Connection) -> None:
    """Full text: the article extracted from each entry's web page, in its own table.

    Kept out of ``entries`` so list and count queries do not wade through pages.
    """
    _script(
        db,
        """
        CREATE TABLE full_texts (
            entry_id INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
            html TEXT,
            error TEXT,
            fetched INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0
        );
        """,
    )


def _v4(db: sqlite3.Connection) -> None:
    """The Unread view of every feed in date order straight from an index, no sort."""
    _script(
        db,
        "CREATE INDEX entries_unread_by_date ON entries (sort_date DESC, id DESC) WHERE read = 0;",
    )


def _v5(db: sqlite3.Connection) -> None:
    """Each entry's base URL: summaries and contents are stored as the feed wrote them.

    Resolving their relative links at parse time re-parsed every body and was
    half of the parse time; now the one article shown is resolved against
    ``base``. NULL (entries stored before v5, already resolved) falls back to
    the entry's link.
    """
    _script(db, "ALTER TABLE entries ADD COLUMN base TEXT;")


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_v1, _v2, _v3, _v4, _v5)
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNewError(Exception):
    """The database was written by a newer newsreader."""


def migrate(db: sqlite3.Connection) -> None:
    """Bring the database up to :data:`SCHEMA_VERSION`, one step per transaction."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"database schema version {version} is newer than this newsreader "
            f"understands ({SCHEMA_VERSION}); upgrade newsreader"
        )
    while version < SCHEMA_VERSION:
        db.execute("BEGIN IMMEDIATE")
        try:
            current = db.execute("PRAGMA user_version").fetchone()[0]
            if current == version:  # another process may have migrated meanwhile
                MIGRATIONS[version](db)
                db.execute(f"PRAGMA user_version = {version + 1}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        version = db.execute("PRAGMA user_version").fetchone()[0]
