"""Dates shown in the local time zone, even at the edges of the calendar."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from reader.output import local_time
from reader.ui.formatting import long_date, short_date


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


NOW = datetime(2026, 11, 28, 17, 0, tzinfo=UTC)  # 12:00 in New York


def test_short_date_forms(new_york: None) -> None:
    assert short_date(datetime(2026, 11, 28, 15, 5, tzinfo=UTC), NOW) == "10:05"
    assert short_date(datetime(2026, 11, 26, 15, 5, tzinfo=UTC), NOW) == "Thu 10:05"
    assert short_date(datetime(2026, 3, 2, 15, 5, tzinfo=UTC), NOW) == "02 Mar"
    assert short_date(datetime(2023, 10, 12, 15, 5, tzinfo=UTC), NOW) == "2023-10-12"


def test_edge_of_the_calendar_does_not_crash(new_york: None) -> None:
    first = datetime(1, 1, 1, tzinfo=UTC)  # west of UTC this is before year 1
    assert short_date(first, NOW).endswith("1-01-01")  # shown in UTC, unshifted
    assert long_date(first).startswith("Mon 01 Jan")
    assert local_time(first).endswith("1-01-01 00:00")
