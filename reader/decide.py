"""The pure "what is new, what changed" decision of a refresh.

No I/O: given what a feed document holds and the content hashes storage
already has, say which entries to insert and which to rewrite. Tested
without a database or a network.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict, deque
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
        group = orphans.get(key) if key is not None else None
        match = group.take(entry.published) if group is not None else None
        if match is not None:
            renamed.append((match, entry, digest))
        else:
            new.append((entry, digest))
    return EntryPlan(new=tuple(new), changed=tuple(changed), renamed=tuple(renamed))


class _Orphans:
    """Stored ids sharing one identity key that this fetch no longer carries.

    An incoming entry takes the first of them, in id order, whose date does
    not contradict its own. They are indexed by published second so that
    finding it does not walk the group: a feed that once served thousands of
    items with one link and title would otherwise cost stored × incoming
    steps inside the refresh's write transaction.
    """

    __slots__ = ("_by_second", "_ids", "_next", "_taken")

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._taken: list[bool] = []
        self._next = 0  # no free position before this one
        # Positions (increasing) by published second; None: stored without a date.
        self._by_second: dict[int | None, deque[int]] = {}

    def add(self, stored_id: str, published: datetime | None) -> None:
        self._by_second.setdefault(_second(published), deque()).append(len(self._ids))
        self._ids.append(stored_id)
        self._taken.append(False)

    def take(self, published: datetime | None) -> str | None:
        """Remove and return the first id whose date does not contradict ``published``."""
        if published is None:
            position = self._first_free()
        else:
            heads = (self._first_free_in(None), self._first_free_in(_second(published)))
            position = min((head for head in heads if head is not None), default=None)
        if position is None:
            return None
        self._taken[position] = True
        return self._ids[position]

    def _first_free(self) -> int | None:
        """The first untaken position of all: an undated entry contradicts no date."""
        while self._next < len(self._taken) and self._taken[self._next]:
            self._next += 1
        return self._next if self._next < len(self._taken) else None

    def _first_free_in(self, second: int | None) -> int | None:
        """The first untaken position with this published second; taken ones are dropped."""
        positions = self._by_second.get(second)
        while positions and self._taken[positions[0]]:
            positions.popleft()
        return positions[0] if positions else None


def _second(published: datetime | None) -> int | None:
    """The date as storage keeps it: whole seconds."""
    return None if published is None else int(published.timestamp())


def _orphans_by_key(
    entries: Sequence[ParsedEntry], stored_keys: Mapping[str, StoredIdentity]
) -> dict[tuple[str, str], _Orphans]:
    """Stored ids (with their dates) missing from this fetch, grouped by identity key."""
    if not stored_keys:
        return {}
    incoming = {entry.id for entry in entries}
    orphans: defaultdict[tuple[str, str], _Orphans] = defaultdict(_Orphans)
    for stored_id, identity in sorted(stored_keys.items()):
        if stored_id not in incoming:
            orphans[identity.key].add(stored_id, identity.published)
    return dict(orphans)
