"""The refresh pipeline: due feeds → fetch → parse → decide → store.

Runs on its own asyncio loop (the CLI's, or one inside a UI worker thread),
fetching many feeds at once over one shared client, at most a few per host.
Feeds that are not due (server hints, backoff, Retry-After, 410) are skipped
and reported as such. Each feed's outcome is reported as soon as it is
stored, so a UI can show it immediately.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from reader import schedule
from reader.concurrency import HostLimits, in_daemon_thread, run_stoppable
from reader.decide import entry_hash, plan_entries
from reader.fetch import MAX_FEED_BYTES, fetch_feed, freshness_hint, make_client, retry_after
from reader.models import FeedForUpdate, FeedUpdate, FetchResult, ParsedFeed, UpdateOutcome
from reader.parse_pool import ParsePool
from reader.sanitize import redact_credentials, safe_message
from reader.storage import Storage
from reader.storage.connection import database_unusable, describe_database_error

ProgressCallback = Callable[[UpdateOutcome, int, int], None]
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tally:
    """What a refresh did, counted once for the CLI's and the UI's summaries."""

    feeds: int
    ok: int
    not_modified: int
    failed: int
    new_entries: int
    skipped: int = 0

    @classmethod
    def of(cls, outcomes: Sequence[UpdateOutcome]) -> Tally:
        failed = sum(1 for o in outcomes if o.error)
        not_modified = sum(1 for o in outcomes if o.not_modified)
        skipped = sum(1 for o in outcomes if o.skipped)
        return cls(
            feeds=len(outcomes),
            ok=len(outcomes) - failed - not_modified - skipped,
            not_modified=not_modified,
            failed=failed,
            new_entries=sum(o.new_entries for o in outcomes),
            skipped=skipped,
        )


def build_update(
    result: FetchResult, now: datetime, feed: FeedForUpdate | None = None
) -> FeedUpdate:
    """Turn a fetch result into what storage must write (parsing and scheduling included).

    ``feed`` is the stored state the fetch started from (failures so far, the
    last ``<ttl>``); without it the feed is taken as new.
    """
    feed = feed or FeedForUpdate(result.url)
    if result.error is not None:
        return _failed(result, now, feed, result.error)
    etag = result.headers.get("etag")
    last_modified = result.headers.get("last-modified")
    server_hint = freshness_hint(result.headers, now)
    if result.not_modified:
        return FeedUpdate(
            result.url,
            now,
            not_modified=True,
            etag=etag,
            last_modified=last_modified,
            fetch_url=result.permanent_redirect,
            next_fetch=schedule.hinted_not_before(
                now, [server_hint, schedule.ttl_hint(now, feed.ttl)]
            ),
        )
    from reader.parse import NotAFeedError

    try:
        parsed = parse_feed(result.content or b"", result.headers, result.final_url or result.url)
    except NotAFeedError as exc:
        return _failed(result, now, feed, str(exc))
    except Exception as exc:
        logger.exception("parser failed on %s", redact_credentials(result.url))
        return _failed(result, now, feed, f"cannot parse feed: {exc!r}")
    return FeedUpdate(
        result.url,
        now,
        parsed=parsed,
        # Hashed here, next to the parsing: in a worker process when there is one.
        digests=tuple(entry_hash(entry) for entry in parsed.entries),
        etag=etag,
        last_modified=last_modified,
        fetch_url=result.permanent_redirect,
        next_fetch=schedule.hinted_not_before(
            now, [server_hint, schedule.ttl_hint(now, parsed.ttl)]
        ),
        ttl=parsed.ttl,
    )


def parse_feed(content: bytes, headers: Mapping[str, str], url: str) -> ParsedFeed:
    """:func:`reader.parse.parse_feed`, imported on first use.

    A refresh where every feed answers 304 then never loads the parser and
    feedparser (about 40 ms of imports).
    """
    from reader import parse

    return parse.parse_feed(content, headers, url)


async def decide_update(
    result: FetchResult, feed: FeedForUpdate, parsing: ParsePool | None = None
) -> FeedUpdate:
    """:func:`build_update` as of now; a body to parse is parsed off the event loop.

    Parsing is CPU work: in a thread (or, in a refresh with much to parse,
    in ``parsing``'s worker processes), other fetches keep their deadlines. A
    304 or a failure has nothing to parse, and a thread hop would cost more
    than deciding it here.
    """
    now = datetime.now(UTC)
    if not needs_parsing(result):
        return build_update(result, now, feed)
    if parsing is None:
        return await in_daemon_thread(build_update, result, now, feed)
    weight = len(result.content or b"")
    return await parsing.run(build_update, result, now, feed, weight=weight)


def needs_parsing(result: FetchResult) -> bool:
    """Whether :func:`build_update` will parse ``result``'s body."""
    return result.error is None and not result.not_modified


def _failed(result: FetchResult, now: datetime, feed: FeedForUpdate, error: str) -> FeedUpdate:
    """A failure: the error, and when to try again (backoff, Retry-After, 410)."""
    failures = feed.failures + 1
    wait = None
    if result.status in (429, 503):
        wait = schedule.capped_retry_after(now, retry_after(result.headers, now))
    gone = result.status == 410
    if gone:
        error = f"{error}: the server says the feed was removed"
    # No server reached: maybe the network is down here, so the backoff is
    # decided at the end of the run (see refresh_feeds). 410: never fetched by
    # due runs anyway, so no backoff time to show.
    pending = result.unreachable
    return FeedUpdate(
        result.url,
        now,
        error=safe_message(error),
        next_fetch=(
            feed.next_fetch if pending else None if gone else schedule.backoff_until(now, failures)
        ),
        retry_after=wait,
        failures=feed.failures if pending else failures,
        gone=gone,
        ttl=feed.ttl,
        backoff_pending=pending,
    )


def store_update(storage: Storage, update: FeedUpdate) -> UpdateOutcome:
    """Apply one feed's update and say what happened."""
    if update.parsed is None:
        storage.apply_update(update)
        return UpdateOutcome(
            update.url,
            not_modified=update.not_modified,
            error=update.error,
            moved_to=update.fetch_url,
            gone=update.gone,
        )
    entries = update.parsed.entries
    hashes = storage.entry_hashes(update.url)
    # Link/title keys matter only when some id is unknown (a new article, or a renamed one).
    unknown_ids = hashes and any(entry.id not in hashes for entry in entries)
    keys = storage.entry_keys(update.url) if unknown_ids else None
    plan = plan_entries(entries, hashes, keys, update.digests)
    storage.apply_update(update, plan.new, plan.changed, plan.renamed)
    return UpdateOutcome(
        update.url,
        new_entries=len(plan.new),
        moved_to=update.fetch_url,
        warning=update.parsed.warning,
    )


def skipped_outcome(feed: FeedForUpdate, now: datetime, *, forced: bool) -> UpdateOutcome | None:
    """The outcome of a feed that must not be fetched now, or None when it may be."""
    skip = schedule.skip_reason(
        now,
        next_fetch=feed.next_fetch,
        retry_after=feed.retry_after,
        gone=feed.gone,
        forced=forced,
    )
    if skip is None:
        return None
    return UpdateOutcome(feed.url, skipped=skip.reason, skipped_until=skip.until, gone=feed.gone)


async def refresh_feeds(
    storage: Storage,
    feeds: Sequence[FeedForUpdate],
    *,
    timeout: float = 30.0,
    max_connections: int = 16,
    connections_per_host: int = 4,
    max_feed_size: int = MAX_FEED_BYTES,
    forced: bool = False,
    spread: float = 0.0,
    on_progress: ProgressCallback | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[UpdateOutcome]:
    """Fetch, parse and store the due ones of ``feeds`` concurrently; one outcome per feed.

    ``forced`` fetches feeds that are not due or marked gone (the user asked
    for these feeds by name); a server's Retry-After is obeyed even then.
    ``spread`` > 0 starts each feed's fetch at a random moment within that
    many seconds (periodic runs), so many feeds do not start at once.
    ``should_stop`` is polled a few times a second; when it says so, feeds
    still in flight are abandoned (their stored state is untouched) and the
    outcomes so far are returned. The UI uses it to quit without waiting.
    """
    total = len(feeds)
    outcomes: list[UpdateOutcome] = []
    if not feeds:
        return outcomes

    def report(outcome: UpdateOutcome) -> None:
        outcomes.append(outcome)
        if on_progress is not None:
            on_progress(outcome, len(outcomes), total)

    now = datetime.now(UTC)
    due = []
    for feed in feeds:
        skipped = skipped_outcome(feed, now, forced=forced)
        if skipped is None:
            due.append(feed)
        else:
            report(skipped)
    if not due:
        return outcomes

    limits = HostLimits(max_connections, connections_per_host)
    deferred: list[FeedUpdate] = []
    reached_a_server = False
    # Worker processes start only if this run has much to parse.
    parsing = ParsePool(preload=("reader.update", "reader.parse"))
    batches = _Batches(storage, report)
    # Feeds fetched but not yet handed to storage are bounded, so when parsing
    # falls behind, fetching waits: memory stays flat however many feeds.
    in_hand = asyncio.Semaphore(2 * max_connections)

    async with make_client(timeout=timeout, max_connections=max_connections) as client:

        async def process(feed: FeedForUpdate) -> FeedUpdate:
            nonlocal reached_a_server
            delay = schedule.start_delay(spread)
            if delay:
                await asyncio.sleep(delay)
            # Taken once a connection is ours, never while waiting for one: a
            # host with many feeds must not hold up the others.
            async with limits.slot(feed.request_url):
                await in_hand.acquire()
                try:
                    result = await fetch_feed(
                        client, feed, deadline=timeout, max_bytes=max_feed_size
                    )
                except BaseException:
                    in_hand.release()
                    raise
            try:
                reached_a_server = reached_a_server or not result.unreachable
                update = await decide_update(result, feed, parsing)
            finally:
                in_hand.release()
            if update.error:
                logger.warning(
                    "%s: %s (HTTP status %s)",
                    redact_credentials(feed.url),
                    update.error,
                    result.status,
                )
            if update.backoff_pending:
                deferred.append(update)
            return update

        async def one(feed: FeedForUpdate) -> None:
            try:
                update = await process(feed)
            except Exception as exc:  # a bug met by one feed must not cost the others theirs
                logger.exception("refreshing %s failed", redact_credentials(feed.url))
                report(_internal_error(feed.url, exc))
                return
            batches.add(update)  # may raise: an unusable database ends the refresh

        try:
            await run_stoppable((one(feed) for feed in due), should_stop)
        except BaseException:
            parsing.close()
            with contextlib.suppress(Exception):  # the first error is the one to tell
                batches.flush()  # what was fetched before the failure is kept
            raise
        parsing.close()
        batches.flush()  # also after a stop: the feeds fetched so far are kept
    if reached_a_server:
        _back_off(storage, deferred)
    return outcomes


class _Batches:
    """Feeds' updates written together, their outcomes told after the commit.

    Updates queue up until :attr:`MAX_FEEDS` are waiting or the oldest has
    waited :attr:`MAX_AGE` seconds; then all are written in one transaction,
    each in its own savepoint, without yielding to the event loop. The write
    lock is held only while writing, so the UI's own writes (marking read)
    never wait long, and index pages are written once a batch instead of
    once a feed. A feed whose write fails rolls back alone; if the database
    drops the whole transaction (disk full, I/O error), every feed of the
    batch is told it was not stored, and an unusable database ends the
    refresh.
    """

    MAX_FEEDS = 16
    MAX_AGE = 0.05

    def __init__(self, storage: Storage, report: Callable[[UpdateOutcome], None]) -> None:
        self.storage = storage
        self.report = report
        self.queue: list[FeedUpdate] = []
        self.timer: asyncio.TimerHandle | None = None
        self.failure: BaseException | None = None  # a flush on the timer that failed

    def add(self, update: FeedUpdate) -> None:
        """Queue one feed's update; write the batch when it is full."""
        self._raise_timer_failure()
        self.queue.append(update)
        if len(self.queue) >= self.MAX_FEEDS:
            self.flush()
        elif self.timer is None:
            self.timer = asyncio.get_running_loop().call_later(self.MAX_AGE, self._on_timer)

    def flush(self) -> None:
        """Write the queued updates in one transaction and tell their outcomes."""
        self._raise_timer_failure()
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        queue, self.queue = self.queue, []
        if not queue:
            return
        outcomes: list[UpdateOutcome] = []
        self.storage.begin_batch()
        try:
            for update in queue:
                outcomes.append(self._store(update))
        except sqlite3.Error as exc:
            self._lose(queue, exc)
            raise
        except BaseException:
            # Ctrl-C in the middle: the feed being written was rolled back
            # (its savepoint); the ones before it are kept and told.
            if self.storage.db.in_transaction:
                self.storage.commit_batch()
            self._tell(outcomes)
            raise
        try:
            self.storage.commit_batch()
        except sqlite3.Error as exc:
            self._lose(queue, exc)
            raise
        self._tell(outcomes)

    def _lose(self, queue: list[FeedUpdate], exc: sqlite3.Error) -> None:
        """The batch's transaction failed: none of its feeds was stored; say so."""
        if self.storage.db.in_transaction:
            self.storage.db.execute("ROLLBACK")  # release the write lock
        logger.warning("cannot store %d feeds", len(queue), exc_info=exc)
        error = f"not stored: {describe_database_error(exc)}"
        self._tell([UpdateOutcome(update.url, error=error) for update in queue])

    def _tell(self, outcomes: list[UpdateOutcome]) -> None:
        for outcome in outcomes:
            self.report(outcome)

    def _store(self, update: FeedUpdate) -> UpdateOutcome:
        try:
            return store_update(self.storage, update)
        except sqlite3.Error as exc:
            if database_unusable(exc) or not self.storage.db.in_transaction:
                raise  # the whole batch is lost, or every feed would fail alike
            logger.warning("cannot store %s", redact_credentials(update.url), exc_info=exc)
            return UpdateOutcome(update.url, error=f"not stored: {describe_database_error(exc)}")
        except Exception as exc:  # a bug met by one feed must not cost the others theirs
            logger.exception("storing %s failed", redact_credentials(update.url))
            return _internal_error(update.url, exc)

    def _on_timer(self) -> None:
        self.timer = None
        try:
            self.flush()
        except Exception as exc:  # raised again by the next add() or flush()
            self.failure = exc

    def _raise_timer_failure(self) -> None:
        failure, self.failure = self.failure, None
        if failure is not None:
            raise failure


def _internal_error(url: str, exc: Exception) -> UpdateOutcome:
    """A bug met by one feed: its one-line outcome (the traceback is in the log)."""
    error = f"internal error: {type(exc).__name__}: {exc} (details in the log)"
    return UpdateOutcome(url, error=safe_message(error))


def _back_off(storage: Storage, updates: Sequence[FeedUpdate]) -> None:
    """Network failures count against their feeds once some server answered this run."""
    try:
        storage.back_off(
            [
                (u.url, u.failures + 1, schedule.backoff_until(u.fetched_at, u.failures + 1))
                for u in updates
            ]
        )
    except Exception:
        logger.exception("cannot record backoff")
