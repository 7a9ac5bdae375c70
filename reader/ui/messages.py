"""Messages from background refresh workers to the screen."""

from __future__ import annotations

from collections.abc import Sequence

from textual.message import Message

from reader.models import UpdateOutcome


class FeedRefreshed(Message):
    """One feed finished (stored, not modified, or failed)."""

    def __init__(self, outcome: UpdateOutcome, done: int, total: int) -> None:
        self.outcome = outcome
        self.done = done
        self.total = total
        super().__init__()


class RefreshFinished(Message):
    """A whole refresh run ended."""

    def __init__(
        self, outcomes: Sequence[UpdateOutcome], error: str | None, requested: int
    ) -> None:
        self.outcomes = outcomes
        self.error = error
        self.requested = requested  # feeds asked for; more than outcomes if stopped
        super().__init__()
