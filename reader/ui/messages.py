"""Messages from background refresh workers to the screen."""

from __future__ import annotations

from collections.abc import Sequence

from textual.message import Message

from reader.fulltext import PageOutcome
from reader.models import Entry, UpdateOutcome


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


class FullTextsFinished(Message):
    """An automatic full-text run (after a refresh) ended."""

    def __init__(self, pages: Sequence[PageOutcome], error: str | None, stopped: bool) -> None:
        self.pages = pages
        self.error = error
        self.stopped = stopped  # a new refresh or quitting cut it short
        super().__init__()


class FullTextProgress(Message):
    """One more article page of an automatic full-text run was handled."""

    def __init__(self, done: int, total: int) -> None:
        self.done = done
        self.total = total
        super().__init__()


class FullTextFetched(Message):
    """The full text asked for with ``f`` arrived (or failed: ``entry.full_text`` is None)."""

    def __init__(self, entry_id: int, entry: Entry | None, error: str | None = None) -> None:
        self.entry_id = entry_id
        self.entry = entry
        self.error = error  # the fetch itself broke (database), beyond the entry's own error
        super().__init__()
