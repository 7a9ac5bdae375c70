"""Opening the database (pragmas, busy handling, migrations) and wording its failures.

Several processes may use one database at once (the reader, a cron
``newsreader refresh``, a quick ``newsreader unread``). WAL mode lets
readers go on while someone writes; writers take turns, each waiting up to
the busy timeout for the write lock before giving up with "database is
busy".

``NEWSREADER_BUSY_TIMEOUT`` (seconds, default 15) changes that wait. It is
an advanced knob, meant for tests that provoke a busy database and for
setups that prefer failing fast; 0 means "do not wait at all".
"""

from __future__ import annotations

import math
import os
import sqlite3
from pathlib import Path

from reader.storage.schema import SchemaTooNewError, migrate

BUSY_TIMEOUT_ENV = "NEWSREADER_BUSY_TIMEOUT"
DEFAULT_BUSY_TIMEOUT_SECONDS = 15.0
MAX_BUSY_TIMEOUT_SECONDS = 24 * 3600.0

# Primary SQLite result codes (the low byte of an extended code).
_SQLITE_PERM = 3
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14
_SQLITE_NOTADB = 26

BUSY_MESSAGE = "the database is busy (another newsreader is writing to it); try again"
_MESSAGES = {
    _SQLITE_BUSY: BUSY_MESSAGE,
    _SQLITE_LOCKED: BUSY_MESSAGE,
    _SQLITE_READONLY: (
        "the database is read-only; check the permissions of the file and its directory"
    ),
    _SQLITE_PERM: "no permission to write the database; check the permissions of its file",
    _SQLITE_FULL: "the disk is full; the database cannot be written until space is freed",
    _SQLITE_NOTADB: (
        "the file is not a newsreader database or is damaged; "
        "move it aside and newsreader will start a new one"
    ),
    _SQLITE_CORRUPT: (
        "the database file is damaged; move it aside and newsreader will start a new one"
    ),
    _SQLITE_CANTOPEN: (
        "the database file cannot be opened; check that its directory exists and is writable"
    ),
    _SQLITE_IOERR: "the disk failed to read or write the database (I/O error); check the disk",
}
# For errors without a result code (raised by hand, or by an older sqlite3 module).
_MESSAGE_BY_TEXT = (
    ("locked", _SQLITE_BUSY),
    ("busy", _SQLITE_BUSY),
    ("readonly", _SQLITE_READONLY),
    ("read-only", _SQLITE_READONLY),
    ("is full", _SQLITE_FULL),
    ("not a database", _SQLITE_NOTADB),
    ("malformed", _SQLITE_CORRUPT),
    ("unable to open", _SQLITE_CANTOPEN),
    ("disk i/o error", _SQLITE_IOERR),
)


class StorageError(Exception):
    """The database cannot be opened or used; the message is for the user."""


def busy_timeout() -> float:
    """Seconds a write waits for another connection's lock (see the module docstring)."""
    raw = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_BUSY_TIMEOUT_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not 0 <= seconds <= MAX_BUSY_TIMEOUT_SECONDS:  # also refuses nan
        raise StorageError(
            f"{BUSY_TIMEOUT_ENV} must be a number of seconds between 0 and "
            f"{MAX_BUSY_TIMEOUT_SECONDS:.0f}, not {raw!r}"
        )
    return seconds


def connect(path: Path | str) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the database at ``path``.

    Autocommit mode: every write method opens its own short transaction, so
    the UI, a refresh and the CLI can share the file under WAL.
    """
    timeout = busy_timeout()
    try:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, isolation_level=None, timeout=timeout, check_same_thread=False)
    except sqlite3.Error as exc:
        raise StorageError(
            f"{path}: cannot open database: {describe_database_error(exc)}"
        ) from None
    except OSError as exc:
        raise StorageError(f"{path}: cannot open database: {exc.strerror or exc}") from None
    try:
        _prepare(db, timeout)
    except (sqlite3.Error, SchemaTooNewError) as exc:
        db.close()
        reason = str(exc) if isinstance(exc, SchemaTooNewError) else describe_database_error(exc)
        raise StorageError(f"{path}: cannot open database: {reason}") from None
    return db


def _prepare(db: sqlite3.Connection, timeout: float) -> None:
    db.execute(f"PRAGMA busy_timeout = {round(timeout * 1000)}")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    migrate(db)


def database_unusable(exc: BaseException) -> bool:
    """True when ``exc`` says the database itself cannot be used now.

    Busy, full, read-only, damaged or unopenable: retrying other feeds would
    fail the same way, so a refresh should stop and say so once instead of
    reporting every feed as failed. Constraint errors and the like are about
    one write and are not included.
    """
    return isinstance(exc, sqlite3.Error) and _known_failure(exc) is not None


def describe_database_error(exc: sqlite3.Error) -> str:
    """One sentence for a database failure, saying what the user can do about it."""
    known = _known_failure(exc)
    return _MESSAGES[known] if known is not None else f"database error: {exc}"


def _known_failure(exc: sqlite3.Error) -> int | None:
    """The primary result code of a failure we have a sentence for, else None."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        primary = code & 0xFF
        return primary if primary in _MESSAGES else None
    text = str(exc).lower()
    return next((primary for fragment, primary in _MESSAGE_BY_TEXT if fragment in text), None)
