"""The pure "what is new, what changed" decision of a refresh.

No I/O: given what a feed document holds and the content hashes storage
already has, say which entries to insert and which to rewrite. Tested
without a database or a network.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from reader.models import ParsedEntry


@dataclass(frozen=True)
class EntryPlan:
    """Entries paired with their content hash, split by what storage must do.

    ``renamed`` holds (stored id, entry, hash): a stored article the feed now
    sends under a new id, to be rewritten in place so it keeps its flags.
    """

    new: tuple[tuple[ParsedEntry, str], ...]
    changed: tuple[tuple[ParsedEntry, str], ...]
    renamed: tuple[tuple[str, ParsedEntry, str], ...] = ()


def entry_hash(entry: ParsedEntry) -> str:
    """A digest of everything shown about an entry, to detect edits cheaply."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (
        entry.title,
        entry.link,
        entry.author,
        entry.published.isoformat() if entry.published else None,
        entry.updated.isoformat() if entry.updated else None,
        entry.summary,
        entry.content,
        repr(entry.enclosures),
    ):
        digest.update((part or "").encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


def identity_key(link: str | None, title: str | None) -> tuple[str, str] | None:
    """What makes two entries the same article when their ids differ: link and title.

    Both are needed: weekly threads and release pages share a link but not a title.
    """
    if not link or not title:
        return None
    return link.strip(), " ".join(title.split())


@dataclass(frozen=True)
class StoredIdentity:
    """A stored entry's :func:`identity_key` and published date."""

    key: tuple[str, str]
    published: datetime | None = None


def plan_entries(
    entries: Sequence[ParsedEntry],
    stored: Mapping[str, str],
    stored_keys: Mapping[str, StoredIdentity] | None = None,
    digests: Sequence[str] | None = None,
) -> EntryPlan:
    """Split ``entries`` into new ones, changed ones and renamed ones.

    ``stored`` maps stored ids to content hashes; ``stored_keys`` maps stored
    ids to their identity. Entries missing from ``entries`` but present in
    ``stored`` are kept as they are: a feed that drops an item does not
    delete it. When a feed changes its id scheme, an incoming entry with an
    unknown id takes over a stored entry with the same link and title whose
    id this fetch no longer carries, one to one — unless both have a
    published date and the dates differ: a rotating "deal of the day" or a
    re-run keeps its link and title but is a new article.

    ``digests`` are the entries' :func:`entry_hash` values when they were
    already computed (next to the parsing, possibly in another process).
    """
    if digests is None or len(digests) != len(entries):
        digests = [entry_hash(entry) for entry in entries]
    orphans = _orphans_by_key(entries, stored_keys or {})
    new = []
    changed = []
    renamed = []
    for entry, digest in zip(entries, digests, strict=True):
        known = stored.get(entry.id)
        if known is not None:
            if known != digest:
                changed.append((entry, digest))
            continue
        key = identity_key(entry.link, entry.title)
        match = _take_match(orphans.get(key, []) if key is not None else [], entry.published)
        if match is not None:
            renamed.append((match, entry, digest))
        else:
            new.append((entry, digest))
    return EntryPlan(new=tuple(new), changed=tuple(changed), renamed=tuple(renamed))


def _take_match(
    candidates: list[tuple[str, datetime | None]], published: datetime | None
) -> str | None:
    """Remove and return the first candidate id whose date does not contradict ``published``."""
    for index, (stored_id, stored_published) in enumerate(candidates):
        if (
            published is None
            or stored_published is None
            # Storage keeps whole seconds.
            or int(published.timestamp()) == int(stored_published.timestamp())
        ):
            del candidates[index]
            return stored_id
    return None


def _orphans_by_key(
    entries: Sequence[ParsedEntry], stored_keys: Mapping[str, StoredIdentity]
) -> dict[tuple[str, str], list[tuple[str, datetime | None]]]:
    """Stored ids (with their dates) missing from this fetch, grouped by identity key."""
    if not stored_keys:
        return {}
    incoming = {entry.id for entry in entries}
    orphans: dict[tuple[str, str], list[tuple[str, datetime | None]]] = {}
    for stored_id, identity in sorted(stored_keys.items()):
        if stored_id not in incoming:
            orphans.setdefault(identity.key, []).append((stored_id, identity.published))
    return orphans
