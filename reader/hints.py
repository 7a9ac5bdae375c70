"""What HTTP response headers say about when to come back.

Pure parsing of ``Retry-After``, ``Cache-Control: max-age`` and ``Expires``
into points in time; :mod:`reader.schedule` decides what to do with them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)\"?", re.IGNORECASE)
_MAX_SECONDS = 10 * 365 * 86400  # beyond this a number is garbage, not a hint


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _http_date(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def retry_after(headers: Mapping[str, str], now: datetime) -> datetime | None:
    """``Retry-After`` (seconds or an HTTP date) as a time; None if absent, garbage or past."""
    value = _header(headers, "retry-after")
    if value is None:
        return None
    if value.isdigit():
        seconds = int(value)
        return now + timedelta(seconds=seconds) if 0 < seconds <= _MAX_SECONDS else None
    when = _http_date(value)
    return when if when is not None and when > now else None


def freshness_hint(headers: Mapping[str, str], now: datetime) -> datetime | None:
    """Until when the response is fresh, by ``Cache-Control: max-age`` or ``Expires``.

    ``Expires`` is read relative to the server's own ``Date`` so a server
    whose clock is off still gets the interval it meant. Returns None when
    there is no hint or it lies in the past.
    """
    cache_control = _header(headers, "cache-control") or ""
    lowered = cache_control.lower()
    if "no-store" in lowered or "no-cache" in lowered:
        return None
    match = _MAX_AGE.search(cache_control)
    if match:
        seconds = int(match.group(1))
        return now + timedelta(seconds=seconds) if 0 < seconds <= _MAX_SECONDS else None
    expires = _http_date(_header(headers, "expires"))
    if expires is None:
        return None
    served = _http_date(_header(headers, "date")) or now
    fresh_for = expires - served
    return now + fresh_for if fresh_for > timedelta(0) else None
