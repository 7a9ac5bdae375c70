"""Opening the database: pragmas, busy handling and migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from reader.storage.schema import SchemaTooNewError, migrate

BUSY_TIMEOUT_MS = 15_000


class StorageError(Exception):
    """The database cannot be opened or used; the message is for the user."""


def connect(path: Path | str) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the database at ``path``.

    Autocommit mode: every write method opens its own short transaction, so
    the UI, a refresh and the CLI can share the file under WAL.
    """
    try:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(
            path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
        )
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        migrate(db)
    except (sqlite3.DatabaseError, SchemaTooNewError) as exc:
        raise StorageError(f"{path}: cannot open database: {exc}") from None
    except OSError as exc:
        raise StorageError(f"{path}: cannot open database: {exc.strerror or exc}") from None
    return db


def describe_database_error(exc: sqlite3.Error) -> str:
    """One sentence for a database failure the user can act on."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return "the database is busy (another newsreader is writing to it); try again"
    if "readonly" in text:
        return "the database is read-only; check the file's permissions"
    if "disk is full" in text or "full" in text:
        return "the disk is full; the database cannot be written"
    return f"database error: {text}"
