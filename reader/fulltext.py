"""Full text: fetch articles' web pages and keep the article extracted from each.

The page is fetched with the same limits as a feed (deadline, size, per-host
connections), the article is extracted off the event loop
(:func:`reader.extract.extract_article`), and the result — the article, or
one line saying why there is none — is stored, so it reads offline and is not
tried again on every refresh. Failures are retried a few times, further apart
each time; ``f`` on the article tries again at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from reader.concurrency import HostLimits, host_of, in_daemon_thread, run_stoppable
from reader.fetch import fetch_feed, make_client
from reader.models import FeedForUpdate, FetchResult
from reader.sanitize import redact_credentials, safe_message
from reader.storage import Storage

logger = logging.getLogger(__name__)

PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
MAX_PAGE_BYTES = 5 * 1024 * 1024
# Automatic full text: articles first seen this recently, a few per run.
RECENT = timedelta(days=7)
PER_RUN = 100
MAX_ATTEMPTS = 4  # the first try, then after 6, 12 and 24 hours
FIRST_RETRY = timedelta(hours=6)
PAGES_AT_ONCE = 4
PAGES_PER_HOST = 2

_BUSY_SITE = "the site asked to wait (HTTP 429/503); tried again later"

PageProgress = Callable[["PageOutcome", int, int], None]


@dataclass(frozen=True)
class PageOutcome:
    """What one article's page gave: nothing to say, or why there is no full text."""

    entry_id: int
    error: str | None = None


def retry_before(now: datetime) -> Callable[[int], datetime]:
    """For a failure count, the time a failed try must be older than to be tried again."""

    def before(attempts: int) -> datetime:
        if attempts <= 0:  # failed without using a try (offline, a busy site): any time
            return now
        doublings: int = min(max(attempts - 1, 0), 8)
        return now - FIRST_RETRY * (1 << doublings)

    return before


def page_url_problem(link: str | None) -> str | None:
    """Why ``link`` cannot be fetched as the article's page, or None."""
    if not link:
        return "the article has no link to a web page"
    if not link.lower().startswith(("http://", "https://")):
        return "the article's link is not a web page (http or https)"
    return None


def extract(result: FetchResult) -> tuple[str | None, str | None]:
    """(article HTML, None) or (None, one-line reason) for a fetched page."""
    if result.error is not None:
        return None, result.error
    from reader.extract import ExtractionError, extract_article

    try:
        article = extract_article(
            result.content or b"",
            result.final_url or result.url,
            content_type=result.headers.get("content-type"),
        )
    except ExtractionError as exc:
        return None, str(exc)
    except Exception as exc:  # a bug in extraction: this article only
        logger.exception("extracting %s failed", redact_credentials(result.url))
        return None, f"cannot extract the article: {type(exc).__name__}"
    return article.html, None


async def fetch_full_texts(
    storage: Storage,
    pages: Sequence[tuple[int, str]],
    *,
    timeout: float = 30.0,
    connections_per_host: int = PAGES_PER_HOST,
    on_progress: PageProgress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[PageOutcome]:
    """Fetch and extract the pages of (entry id, link) pairs; store each result."""
    outcomes: list[PageOutcome] = []
    if not pages:
        return outcomes
    limits = HostLimits(PAGES_AT_ONCE, min(connections_per_host, PAGES_PER_HOST))
    busy_hosts: set[str] = set()  # answered 429/503 this run: leave them alone
    if on_progress is not None:
        on_progress(PageOutcome(0), 0, len(pages))

    async with make_client(timeout=timeout, max_connections=PAGES_AT_ONCE) as client:

        async def one(entry_id: int, link: str) -> None:
            html: str | None = None
            counts = True  # whether a failure uses up one of the article's tries
            error = page_url_problem(link)
            result = None
            if error is None:
                async with limits.slot(link):
                    if host_of(link) in busy_hosts:  # checked once a slot is ours
                        error, counts = _BUSY_SITE, False
                    else:
                        result = await fetch_feed(
                            client,
                            FeedForUpdate(link),
                            deadline=timeout,
                            max_bytes=MAX_PAGE_BYTES,
                            accept=PAGE_ACCEPT,
                        )
            if result is not None:
                if result.status in (429, 503):
                    busy_hosts.add(host_of(link))
                # Offline or a busy site: the article itself is not at fault.
                counts = not result.unreachable and result.status not in (429, 503)
                html, error = await in_daemon_thread(extract, result)
            if error is not None:
                error = safe_message(error)
                logger.info("no full text for %s: %s", redact_credentials(link), error)
            storage.store_full_text(entry_id, html, error, datetime.now(UTC), count=counts)
            outcomes.append(PageOutcome(entry_id, error))
            if on_progress is not None:
                on_progress(outcomes[-1], len(outcomes), len(pages))

        await run_stoppable((one(entry_id, link) for entry_id, link in pages), should_stop)
    return outcomes
