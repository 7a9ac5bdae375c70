"""Pure politeness rules: caching hints, backoff, Retry-After, gone, jitter."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest

from reader import schedule
from reader.decide import StoredIdentity, plan_entries
from reader.fetch import freshness_hint, retry_after
from reader.models import ParsedEntry
from tests.feedserver import http_date

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def test_retry_after_seconds_and_http_date() -> None:
    assert retry_after({"retry-after": "120"}, NOW) == NOW + timedelta(seconds=120)
    later = NOW + timedelta(hours=2)
    assert retry_after({"Retry-After": http_date(later)}, NOW) == later


@pytest.mark.parametrize("value", ["", "soon", "-5", "0", "1.5", http_date(NOW - DAY)])
def test_retry_after_garbage_or_past_is_ignored(value: str) -> None:
    assert retry_after({"retry-after": value}, NOW) is None


def test_cache_control_max_age() -> None:
    hint = freshness_hint({"cache-control": "public, max-age=600"}, NOW)
    assert hint == NOW + timedelta(seconds=600)


@pytest.mark.parametrize("value", ["no-cache", "no-store, max-age=600", "max-age=0", "private"])
def test_cache_control_without_a_usable_max_age(value: str) -> None:
    assert freshness_hint({"cache-control": value}, NOW) is None


def test_expires_is_read_against_the_servers_clock() -> None:
    # The server's clock is an hour behind ours; it still means "fresh for 10 minutes".
    served = NOW - timedelta(hours=1)
    headers = {"date": http_date(served), "expires": http_date(served + timedelta(minutes=10))}
    assert freshness_hint(headers, NOW) == NOW + timedelta(minutes=10)


def test_expires_in_the_past_or_garbage_is_no_hint() -> None:
    assert freshness_hint({"expires": http_date(NOW - DAY)}, NOW) is None
    assert freshness_hint({"expires": "0"}, NOW) is None
    assert freshness_hint({}, NOW) is None


def test_hints_are_capped_at_a_day_and_take_the_latest() -> None:
    week = NOW + timedelta(days=7)
    assert schedule.hinted_not_before(NOW, [week]) == NOW + DAY
    hour = NOW + timedelta(hours=1)
    assert schedule.hinted_not_before(NOW, [None, hour, NOW + timedelta(minutes=5)]) == hour
    assert schedule.hinted_not_before(NOW, [None, NOW - DAY]) is None


def test_a_feed_due_within_a_minute_counts_as_due() -> None:
    """max-age equal to the refresh interval: due at every periodic run."""
    soon = NOW + timedelta(seconds=50)
    assert (
        schedule.skip_reason(NOW, next_fetch=soon, retry_after=None, gone=False, forced=False)
        is None
    )
    later = NOW + timedelta(minutes=2)
    assert schedule.skip_reason(NOW, next_fetch=later, retry_after=None, gone=False, forced=False)


def test_ttl_hint() -> None:
    assert schedule.ttl_hint(NOW, 60) == NOW + timedelta(minutes=60)
    assert schedule.ttl_hint(NOW, 10**6) == NOW + DAY
    assert schedule.ttl_hint(NOW, None) is None
    assert schedule.ttl_hint(NOW, 0) is None


def test_backoff_doubles_and_is_capped_at_a_day() -> None:
    delays = [schedule.backoff_delay(n) for n in range(0, 14)]
    assert delays[:4] == [
        timedelta(0),
        timedelta(minutes=5),
        timedelta(minutes=10),
        timedelta(minutes=20),
    ]
    assert all(later >= earlier for earlier, later in itertools.pairwise(delays))
    assert delays[-1] == DAY
    assert schedule.backoff_delay(10**9) == DAY


def test_backoff_is_jittered_but_never_beyond_a_day() -> None:
    times = {schedule.backoff_until(NOW, 3, random.Random(seed)) for seed in range(20)}
    assert len(times) > 1
    assert all(NOW + timedelta(minutes=20) <= t <= NOW + timedelta(minutes=22) for t in times)
    assert schedule.backoff_until(NOW, 50, random.Random(3)) == NOW + DAY


def test_retry_after_is_capped_at_a_day() -> None:
    assert schedule.capped_retry_after(NOW, NOW + timedelta(days=30)) == NOW + DAY
    assert schedule.capped_retry_after(NOW, NOW - timedelta(seconds=1)) is None


def test_who_may_fetch_when() -> None:
    later = NOW + timedelta(hours=1)

    def skip(**kwargs: object) -> schedule.Skip | None:
        state: dict[str, object] = {"next_fetch": None, "retry_after": None, "gone": False}
        state.update(kwargs)
        return schedule.skip_reason(NOW, **state)  # type: ignore[arg-type]

    assert skip(forced=False) is None
    assert skip(next_fetch=later, forced=False) == schedule.Skip("not due", later)
    # The server's Retry-After has no margin.
    assert skip(retry_after=NOW + timedelta(seconds=5), forced=False) is not None
    assert skip(next_fetch=later, forced=True) is None
    assert skip(next_fetch=NOW - DAY, forced=False) is None
    assert skip(gone=True, forced=False) == schedule.Skip("gone")
    assert skip(gone=True, forced=True) is None
    # A server's Retry-After binds even a forced refresh.
    assert skip(retry_after=later, forced=True) == schedule.Skip("retry-after", later)
    assert skip(retry_after=NOW - DAY, forced=True) is None


def test_periodic_refresh_is_spread() -> None:
    delays = [schedule.periodic_delay(1800, random.Random(seed)) for seed in range(50)]
    assert all(1800 <= d <= 1980 for d in delays)
    assert max(delays) - min(delays) > 60


# -- entry identity when a feed changes its id scheme -------------------------


def entry(
    entry_id: str, title: str | None, link: str | None, published: datetime | None = None
) -> ParsedEntry:
    return ParsedEntry(id=entry_id, title=title, link=link, published=published)


def key(link: str, title: str, published: datetime | None = None) -> StoredIdentity:
    return StoredIdentity((link, title), published)


def test_a_new_id_for_the_same_link_and_title_is_a_rename() -> None:
    stored_hashes = {"old-1": "h1", "old-2": "h2"}
    keys = {"old-1": key("http://x/1", "One"), "old-2": key("http://x/2", "Two")}
    incoming = [entry("new-1", "One", "http://x/1"), entry("new-2", "Two", "http://x/2")]
    plan = plan_entries(incoming, stored_hashes, keys)
    assert plan.new == ()
    assert [(old, e.id) for old, e, _ in plan.renamed] == [("old-1", "new-1"), ("old-2", "new-2")]


def test_entries_that_only_share_a_link_stay_separate() -> None:
    # A weekly thread: one link, a new title every week.
    keys = {"w1": key("http://x/thread", "Week 1")}
    plan = plan_entries([entry("w2", "Week 2", "http://x/thread")], {"w1": "h"}, keys)
    assert [e.id for e, _ in plan.new] == ["w2"] and plan.renamed == ()


def test_a_stored_entry_still_in_the_feed_is_not_taken_over() -> None:
    # Same link and title, but the old id is still sent: two real entries.
    keys = {"a": key("http://x/same", "Same")}
    incoming = [entry("a", "Same", "http://x/same"), entry("b", "Same", "http://x/same")]
    plan = plan_entries(incoming, {"a": "h"}, keys)
    assert [e.id for e, _ in plan.new] == ["b"] and plan.renamed == ()


def test_renames_are_one_to_one() -> None:
    keys = {"old": key("http://x/1", "One")}
    incoming = [entry("n1", "One", "http://x/1"), entry("n2", "One", "http://x/1")]
    plan = plan_entries(incoming, {"old": "h"}, keys)
    assert [(old, e.id) for old, e, _ in plan.renamed] == [("old", "n1")]
    assert [e.id for e, _ in plan.new] == ["n2"]


def test_entries_without_title_or_link_are_never_matched() -> None:
    plan = plan_entries([entry("n", None, "http://x/1")], {"o": "h"}, {})
    assert len(plan.new) == 1 and plan.renamed == ()


def test_the_same_link_and_title_on_another_date_is_a_new_article() -> None:
    """A rotating "deal of the day": one link, one title, a new article every day."""
    monday, tuesday = NOW, NOW + DAY
    keys = {"d1": key("http://x/deal", "Deal of the day", monday)}
    plan = plan_entries(
        [entry("d2", "Deal of the day", "http://x/deal", tuesday)], {"d1": "h"}, keys
    )
    assert [e.id for e, _ in plan.new] == ["d2"] and plan.renamed == ()
    same_day = plan_entries(
        [entry("d2", "Deal of the day", "http://x/deal", monday)], {"d1": "h"}, keys
    )
    assert [(old, e.id) for old, e, _ in same_day.renamed] == [("d1", "d2")]
    undated = plan_entries([entry("d2", "Deal of the day", "http://x/deal")], {"d1": "h"}, keys)
    assert len(undated.renamed) == 1


def test_periodic_runs_spread_their_starts_over_a_short_window() -> None:
    assert schedule.periodic_spread(1800) == 30.0
    assert schedule.periodic_spread(60) == 3.0
    starts = [schedule.start_delay(3.0, random.Random(seed)) for seed in range(50)]
    assert all(0 <= s <= 3.0 for s in starts) and max(starts) - min(starts) > 1.0
    assert schedule.start_delay(0.0) == 0.0
