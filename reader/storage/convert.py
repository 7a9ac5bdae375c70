"""Conversions between Python values and their SQLite column forms."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from reader.models import Enclosure


def to_epoch(value: datetime | None) -> int | None:
    """UTC seconds for storage; naive datetimes are taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


def from_epoch(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def enclosures_to_json(enclosures: tuple[Enclosure, ...]) -> str | None:
    if not enclosures:
        return None
    return json.dumps([[e.url, e.type, e.length] for e in enclosures])


def enclosures_from_json(value: str | None) -> tuple[Enclosure, ...]:
    if not value:
        return ()
    try:
        return tuple(Enclosure(url, kind, length) for url, kind, length in json.loads(value))
    except (ValueError, TypeError):
        return ()
