"""The pure "what is new, what changed" decision of a refresh.

No I/O: given what a feed document holds and the content hashes storage
already has, say which entries to insert and which to rewrite. Tested
without a database or a network.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reader.models import ParsedEntry


@dataclass(frozen=True)
class EntryPlan:
    """Entries paired with their content hash, split by what storage must do."""

    new: tuple[tuple[ParsedEntry, str], ...]
    changed: tuple[tuple[ParsedEntry, str], ...]


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


def plan_entries(entries: Sequence[ParsedEntry], stored: Mapping[str, str]) -> EntryPlan:
    """Split ``entries`` into new ones and ones whose content changed.

    Entries missing from ``entries`` but present in ``stored`` are kept as
    they are: a feed that drops an item does not delete it.
    """
    new = []
    changed = []
    for entry in entries:
        digest = entry_hash(entry)
        known = stored.get(entry.id)
        if known is None:
            new.append((entry, digest))
        elif known != digest:
            changed.append((entry, digest))
    return EntryPlan(new=tuple(new), changed=tuple(changed))
