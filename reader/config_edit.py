"""Adding feeds to the hand-written config file without disturbing it.

The user owns this file: comments, order and layout must survive. So new
``[[feeds]]`` tables are appended as text after the original bytes, which stay
untouched, and the result is re-parsed to prove it means what we intended
before it atomically replaces the old file.
"""

from __future__ import annotations

import os
import secrets
import stat
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import tomlkit
from tomlkit.exceptions import ParseError
from tomlkit.items import AoT

from reader.models import FeedConfig


class ConfigEditError(Exception):
    """The config file cannot be edited safely, described in one line."""


@dataclass(frozen=True)
class AddResult:
    """Which of the requested feeds were written and which were already there."""

    added: tuple[FeedConfig, ...]
    skipped: tuple[FeedConfig, ...]


def add_feeds(path: Path, feeds: Sequence[FeedConfig]) -> AddResult:
    """Append a ``[[feeds]]`` table to ``path`` for each feed not yet in it.

    A feed counts as present if its URL matches one in the file (or earlier
    in ``feeds``) ignoring scheme/host case and a trailing slash. The file is
    created if missing and left alone if nothing is added.
    """
    target = path.resolve()  # edit a symlink's target, not replace the link
    try:
        raw = target.read_bytes()
    except FileNotFoundError:
        raw = None
    except OSError as e:
        raise ConfigEditError(f"{path}: cannot read: {e.strerror}") from None
    try:
        text = "" if raw is None else raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ConfigEditError(f"{path}: not UTF-8 text (byte {e.start})") from None

    old_urls = _feed_urls(text, path)
    seen = {_normalise(url) for url in old_urls}
    added: list[FeedConfig] = []
    skipped: list[FeedConfig] = []
    for feed in feeds:
        key = _normalise(feed.url)
        (skipped if key in seen else added).append(feed)
        seen.add(key)
    if not added:
        return AddResult((), tuple(skipped))

    new_text = text + _tables_text(text, added)
    if not _reads_back(new_text, [*old_urls, *(f.url for f in added)]):
        raise ConfigEditError(f"{path}: cannot append feeds safely; file left unchanged")
    mode = None if raw is None else stat.S_IMODE(target.stat().st_mode)
    _write_atomic(target, new_text.encode("utf-8"), mode)
    return AddResult(tuple(added), tuple(skipped))


def _feed_urls(text: str, path: Path) -> list[str]:
    """The ``url`` of every ``[[feeds]]`` table, or ConfigEditError if unparsable."""
    try:
        doc = tomlkit.parse(text)
    except ParseError as e:
        reason = str(e).rsplit(" at line ", 1)[0]
        raise ConfigEditError(f"{path}: invalid TOML at line {e.line}: {reason}") from None
    feeds: Any = doc.get("feeds")
    if feeds is None:
        return []
    if not isinstance(feeds, AoT):
        raise ConfigEditError(f"{path}: `feeds` must be [[feeds]] tables")
    return [str(t["url"]) for t in feeds if isinstance(t.get("url"), str)]


def _reads_back(text: str, urls: list[str]) -> bool:
    """Whether the config loader (tomllib) will see exactly ``urls`` as the feeds."""
    try:
        feeds = tomllib.loads(text).get("feeds", [])
    except tomllib.TOMLDecodeError:
        return False
    return [f.get("url") for f in feeds if isinstance(f.get("url"), str)] == urls


def _tables_text(text: str, feeds: Sequence[FeedConfig]) -> str:
    """TOML for ``feeds``, separated from ``text`` by a blank line, in its line ending."""
    doc = tomlkit.document()
    tables = tomlkit.aot()
    for feed in feeds:
        table = tomlkit.table()
        table.add("url", feed.url)
        if feed.title:
            table.add("title", feed.title)
        if feed.tags:
            table.add("tags", list(feed.tags))
        tables.append(table)
    doc.add("feeds", tables)
    new = tomlkit.dumps(doc)
    if text.strip():
        lf_text = text.replace("\r\n", "\n")
        end_line = "" if lf_text.endswith("\n") else "\n"
        blank_line = "" if (lf_text + end_line).endswith("\n\n") else "\n"
        new = end_line + blank_line + new
    return new.replace("\n", "\r\n") if "\r\n" in text else new


def _normalise(url: str) -> str:
    """``url`` with scheme and host lower-cased and no trailing slash, for comparison."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    path = parts.path.rstrip("/")
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), path, parts.query, parts.fragment)
    )


def _write_atomic(path: Path, data: bytes, mode: int | None) -> None:
    """Write via a temporary file and rename, so a crash never leaves half a config.

    ``mode`` is the old file's permission bits; a new file gets the usual
    umask-derived mode rather than a temporary file's 0600.
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if mode is not None:
            os.chmod(tmp, mode)  # the umask may have narrowed it
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise ConfigEditError(f"{path}: cannot write: {e.strerror}") from None
