"""When a feed may be fetched next: server hints, backoff, Retry-After and 410.

Pure functions, no I/O, so the politeness rules are tested without a clock
or a network. Three kinds of "not before" exist, and they differ in who may
override them:

- ``next_fetch``: the server's caching hints (``Cache-Control: max-age``,
  ``Expires``, RSS ``<ttl>``) or our own backoff after failures. Periodic and
  "refresh all" runs obey it; refreshing one feed on purpose does not.
- ``retry_after``: the server said ``Retry-After`` with a 429 or 503. Nobody
  overrides it, not even a forced refresh: the server asked.
- ``gone``: the server said 410. Only a forced refresh fetches it again.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_HINT = timedelta(days=1)
FIRST_BACKOFF = timedelta(minutes=5)
MAX_BACKOFF = timedelta(days=1)
JITTER = 0.1  # up to 10% later, so feeds that failed together do not retry together
# A feed due this close to now counts as due: its time was measured from when
# its last fetch ended, the run's clock from when the run started.
DUE_MARGIN = timedelta(minutes=1)


@dataclass(frozen=True)
class Skip:
    """Why a feed is not fetched now; ``until`` is None for a feed marked gone."""

    reason: str  # "not due", "retry-after" or "gone"
    until: datetime | None = None


def _jittered(delay: timedelta, rng: random.Random | None) -> timedelta:
    spread = (rng or random).uniform(0.0, JITTER)
    return delay * (1.0 + spread)


def hinted_not_before(now: datetime, hints: Iterable[datetime | None]) -> datetime | None:
    """The latest of the server's "not before" hints, at most a day away.

    Not jittered: a feed whose max-age equals the refresh interval must be
    due at every periodic run (which itself runs a little late, never early).
    """
    latest = max((hint for hint in hints if hint is not None and hint > now), default=None)
    if latest is None:
        return None
    return now + min(latest - now, MAX_HINT)


def ttl_hint(now: datetime, ttl_minutes: int | None) -> datetime | None:
    """RSS ``<ttl>`` as a point in time."""
    if not ttl_minutes or ttl_minutes <= 0:
        return None
    return now + min(timedelta(minutes=ttl_minutes), MAX_HINT)


def backoff_delay(failures: int) -> timedelta:
    """How long to leave a feed alone after ``failures`` failures in a row.

    5 minutes after the first, doubling each time, never more than a day.
    """
    if failures <= 0:
        return timedelta(0)
    # Beyond 2**10 the cap has long been reached; avoid huge exponents.
    doublings: int = min(failures - 1, 10)
    return min(FIRST_BACKOFF * (1 << doublings), MAX_BACKOFF)


def backoff_until(now: datetime, failures: int, rng: random.Random | None = None) -> datetime:
    return now + min(_jittered(backoff_delay(failures), rng), MAX_BACKOFF)


def capped_retry_after(now: datetime, retry_after: datetime | None) -> datetime | None:
    """A server's Retry-After, honoured for at most a day (some ask for weeks by mistake)."""
    if retry_after is None or retry_after <= now:
        return None
    return min(retry_after, now + MAX_HINT)


def skip_reason(
    now: datetime,
    *,
    next_fetch: datetime | None,
    retry_after: datetime | None,
    gone: bool,
    forced: bool,
) -> Skip | None:
    """Why the feed must not be fetched now, or None when it may be."""
    if retry_after is not None and retry_after > now:
        return Skip("retry-after", retry_after)
    if forced:
        return None
    if gone:
        return Skip("gone")
    if next_fetch is not None and next_fetch > now + DUE_MARGIN:
        return Skip("not due", next_fetch)
    return None


def periodic_delay(interval: float, rng: random.Random | None = None) -> float:
    """Seconds until the next automatic refresh: the interval, 0–10% later.

    The spread keeps many readers started at the same moment (a boot, a
    cron job) from hitting the same servers in the same second every time.
    """
    return interval * (1.0 + (rng or random).uniform(0.0, JITTER))


MAX_SPREAD_SECONDS = 30.0


def periodic_spread(interval: float) -> float:
    """Seconds over which one periodic run spreads its fetches' starts.

    A twentieth of the interval, at most half a minute: enough that 300 feeds
    do not start in one second, short enough that the run still feels prompt.
    """
    return min(interval / 20, MAX_SPREAD_SECONDS)


def start_delay(spread: float, rng: random.Random | None = None) -> float:
    """When, within ``spread`` seconds of a run's start, one feed's fetch begins."""
    return (rng or random).uniform(0.0, spread) if spread > 0 else 0.0
