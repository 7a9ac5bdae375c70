"""Refreshes built to make the rename decision's work grow faster than the feed.

Work is counted, not timed: the old code walked every stored entry sharing a
link and title once per incoming entry with an unknown id, inside the
refresh's write transaction.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from reader.decide import EntryPlan, StoredIdentity, plan_entries
from reader.models import ParsedEntry

LINK, TITLE = "http://e.com/deal", "Deal of the day"
START = 1_577_836_800  # 2020-01-01


class _CountedDate(datetime):
    """A date that counts how often it is turned into seconds."""

    conversions = 0

    def timestamp(self) -> float:
        _CountedDate.conversions += 1
        return super().timestamp()


def _counted(second: float) -> datetime:
    return _CountedDate.fromtimestamp(second, UTC)


def _deal(entry_id: str, published: datetime | None) -> ParsedEntry:
    return ParsedEntry(id=entry_id, title=TITLE, link=LINK, published=published)


def _renames(plan: EntryPlan) -> list[tuple[str, str]]:
    return [(stored, entry.id) for stored, entry, _ in plan.renamed]


def test_new_deals_do_not_walk_all_old_deals_with_the_same_link_and_title(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """n old deals, n new ones on other days: n × n date checks before, about 2n now."""
    n = 400
    keys = {f"old{i:04d}": StoredIdentity((LINK, TITLE), _counted(START + i)) for i in range(n)}
    incoming = [_deal(f"new{i}", _counted(START - 86_400 - i)) for i in range(n)]
    monkeypatch.setattr(_CountedDate, "conversions", 0)
    plan = plan_entries(incoming, dict.fromkeys(keys, "h"), keys)
    assert len(plan.new) == n and plan.renamed == ()
    assert _CountedDate.conversions <= 3 * n


def test_each_new_id_takes_the_first_stored_id_its_date_allows() -> None:
    """Stored ids are tried in id order; an undated side never contradicts."""
    monday, tuesday = _counted(START), _counted(START + 86_400)
    keys = {
        "a": StoredIdentity((LINK, TITLE), tuesday),
        "b": StoredIdentity((LINK, TITLE), None),
        "c": StoredIdentity((LINK, TITLE), monday),
        "d": StoredIdentity((LINK, TITLE), _counted(START + 0.5)),  # same whole second
        "e": StoredIdentity((LINK, TITLE), monday),
    }
    incoming = [
        _deal("x", monday),
        _deal("y", monday),
        _deal("z", None),
        _deal("w", monday),
        _deal("v", monday),
        _deal("u", tuesday),
    ]
    plan = plan_entries(incoming, dict.fromkeys(keys, "h"), keys)
    assert _renames(plan) == [("b", "x"), ("c", "y"), ("a", "z"), ("d", "w"), ("e", "v")]
    assert [entry.id for entry, _ in plan.new] == ["u"]


def _first_fit(
    incoming: list[ParsedEntry], keys: dict[str, StoredIdentity]
) -> list[tuple[str, str]]:
    """The rule stated plainly (stored ids walked per entry), as a reference."""
    incoming_ids = {entry.id for entry in incoming}
    free = [stored for stored in sorted(keys) if stored not in incoming_ids]
    renames = []
    for entry in incoming:
        if entry.id in keys:
            continue
        for stored in free:
            theirs = keys[stored].published
            if keys[stored].key == (entry.link, entry.title) and (
                entry.published is None
                or theirs is None
                or int(entry.published.timestamp()) == int(theirs.timestamp())
            ):
                free.remove(stored)
                renames.append((stored, entry.id))
                break
    return renames


def test_renames_match_the_plain_rule_on_random_feeds() -> None:
    rng = random.Random(20240611)

    def date() -> datetime | None:
        return None if rng.random() < 0.3 else _counted(START + rng.choice((0, 0.5, 1, 2)))

    for _ in range(2000):
        keys = {
            f"s{rng.randrange(20)}": StoredIdentity((LINK, rng.choice((TITLE, "Other"))), date())
            for _ in range(rng.randrange(10))
        }
        incoming = [
            ParsedEntry(
                id=rng.choice((f"s{rng.randrange(20)}", f"n{index}")),
                title=rng.choice((TITLE, "Other")),
                link=LINK,
                published=date(),
            )
            for index in range(rng.randrange(10))
        ]
        plan = plan_entries(incoming, dict.fromkeys(keys, "h"), keys)
        assert _renames(plan) == _first_fit(incoming, keys)
