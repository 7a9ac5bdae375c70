"""The refresh pipeline: due feeds → fetch → parse → decide → store.

Runs on its own asyncio loop (the CLI's, or one inside a UI worker thread),
fetching many feeds at once over one shared client. Each feed's outcome is
reported as soon as it is stored, so a UI can show it immediately.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from reader.decide import plan_entries
from reader.fetch import MAX_FEED_BYTES, fetch_feed, make_client
from reader.models import FeedForUpdate, FeedUpdate, FetchResult, UpdateOutcome
from reader.parse import NotAFeedError, parse_feed
from reader.sanitize import safe_message
from reader.storage import Storage

ProgressCallback = Callable[[UpdateOutcome, int, int], None]
STOP_POLL_SECONDS = 0.1


@dataclass(frozen=True)
class Tally:
    """What a refresh did, counted once for the CLI's and the UI's summaries."""

    feeds: int
    ok: int
    not_modified: int
    failed: int
    new_entries: int

    @classmethod
    def of(cls, outcomes: Sequence[UpdateOutcome]) -> Tally:
        failed = sum(1 for o in outcomes if o.error)
        not_modified = sum(1 for o in outcomes if o.not_modified)
        return cls(
            feeds=len(outcomes),
            ok=len(outcomes) - failed - not_modified,
            not_modified=not_modified,
            failed=failed,
            new_entries=sum(o.new_entries for o in outcomes),
        )


def build_update(result: FetchResult, now: datetime) -> FeedUpdate:
    """Turn a fetch result into what storage must write (parsing included)."""
    if result.error is not None:
        return FeedUpdate(result.url, now, error=_safe_error(result.error))
    etag = result.headers.get("etag")
    last_modified = result.headers.get("last-modified")
    if result.not_modified:
        return FeedUpdate(
            result.url,
            now,
            not_modified=True,
            etag=etag,
            last_modified=last_modified,
            fetch_url=result.permanent_redirect,
        )
    try:
        parsed = parse_feed(result.content or b"", result.headers, result.final_url or result.url)
    except NotAFeedError as exc:
        return FeedUpdate(result.url, now, error=_safe_error(str(exc)))
    except Exception as exc:
        return FeedUpdate(result.url, now, error=_safe_error(f"cannot parse feed: {exc!r}"))
    return FeedUpdate(
        result.url,
        now,
        parsed=parsed,
        etag=etag,
        last_modified=last_modified,
        fetch_url=result.permanent_redirect,
    )


def _safe_error(message: str) -> str:
    return safe_message(message)


def store_update(storage: Storage, update: FeedUpdate) -> UpdateOutcome:
    """Apply one feed's update and say what happened."""
    if update.parsed is None:
        storage.apply_update(update)
        return UpdateOutcome(
            update.url,
            not_modified=update.not_modified,
            error=update.error,
            moved_to=update.fetch_url,
        )
    plan = plan_entries(update.parsed.entries, storage.entry_hashes(update.url))
    storage.apply_update(update, plan.new, plan.changed)
    return UpdateOutcome(update.url, new_entries=len(plan.new), moved_to=update.fetch_url)


async def refresh_feeds(
    storage: Storage,
    feeds: Sequence[FeedForUpdate],
    *,
    timeout: float = 30.0,
    max_connections: int = 16,
    max_feed_size: int = MAX_FEED_BYTES,
    on_progress: ProgressCallback | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[UpdateOutcome]:
    """Fetch, parse and store ``feeds`` concurrently; one outcome per feed.

    ``should_stop`` is polled a few times a second; when it says so, feeds
    still in flight are abandoned (their stored state is untouched) and the
    outcomes so far are returned. The UI uses it to quit without waiting.
    """
    total = len(feeds)
    outcomes: list[UpdateOutcome] = []
    if not feeds:
        return outcomes
    semaphore = asyncio.Semaphore(max_connections)

    async with make_client(timeout=timeout, max_connections=max_connections) as client:

        async def one(feed: FeedForUpdate) -> None:
            async with semaphore:
                result = await fetch_feed(
                    client, feed, deadline=timeout, max_bytes=max_feed_size
                )
            # Parsing is CPU work: off the loop, so other fetches keep their deadlines.
            update = await asyncio.to_thread(build_update, result, datetime.now(UTC))
            try:
                outcome = store_update(storage, update)
            except Exception as exc:
                outcome = UpdateOutcome(feed.url, error=_safe_error(f"cannot store feed: {exc}"))
            outcomes.append(outcome)
            if on_progress is not None:
                on_progress(outcome, len(outcomes), total)

        tasks = {asyncio.create_task(one(feed)) for feed in feeds}
        while tasks:
            done, tasks = await asyncio.wait(tasks, timeout=STOP_POLL_SECONDS)
            for task in done:
                task.result()  # re-raise a bug instead of losing it
            if tasks and should_stop is not None and should_stop():
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                break
    return outcomes
