"""Running many network jobs at once, politely, and stopping them on request.

Shared by the feed refresh and the full-text fetcher: a limit overall and per
host, a loop that can abandon the jobs still in flight when asked, and CPU
work in threads nobody waits for.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")

STOP_POLL_SECONDS = 0.1


def host_of(url: str) -> str:
    """The lower-case host name of ``url`` ("" when it has none)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


class HostLimits:
    """At most ``total`` jobs at once, and at most ``per_host`` against one host."""

    def __init__(self, total: int, per_host: int) -> None:
        self._total = asyncio.Semaphore(total)
        self._per_host_limit = per_host
        self._hosts: dict[str, asyncio.Semaphore] = {}

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        """Hold a slot for a request to ``url``; the host's first, so no global slot idles."""
        key = host_of(url)
        host = self._hosts.get(key)
        if host is None:
            host = self._hosts[key] = asyncio.Semaphore(self._per_host_limit)
        async with host, self._total:
            yield


async def run_stoppable(
    jobs: Iterable[Awaitable[None]], should_stop: Callable[[], bool] | None = None
) -> None:
    """Run ``jobs`` concurrently until all end or ``should_stop()`` says so.

    A job's exception ends the run and is re-raised (jobs report their own
    expected failures). Jobs still in flight are cancelled, and every result
    is collected, so no "Task exception was never retrieved" is printed.
    """
    started = [asyncio.ensure_future(job) for job in jobs]
    tasks = set(started)
    try:
        while tasks:
            done, tasks = await asyncio.wait(tasks, timeout=STOP_POLL_SECONDS)
            for task in done:
                task.result()
            if tasks and should_stop is not None and should_stop():
                break
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*started, return_exceptions=True)


async def in_daemon_thread(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in a daemon thread, awaited without blocking the loop.

    Unlike ``asyncio.to_thread``, nobody joins the thread: a user who quits
    (or presses Ctrl-C) while a large page is extracted or a large feed
    parsed does not wait seconds for it. The work must touch no shared state
    that matters after exit: parsing and extraction only compute.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def run() -> None:
        value: Any = None
        error: BaseException | None = None
        try:
            value = function(*args)
        except BaseException as exc:  # handed to the awaiting task
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop is gone (the user quit)
            loop.call_soon_threadsafe(_settle, future, value, error)

    _DAEMON_THREADS.run(run)
    return await future


class _DaemonThreads:
    """Daemon threads kept for reuse: starting one costs the event loop ~0.1 ms,
    once per feed parsed. Like ThreadPoolExecutor's workers, but nobody joins them."""

    def __init__(self, most: int) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._idle = threading.Semaphore(0)  # released by each thread done with a job
        self._lock = threading.Lock()
        self._started = 0
        self._most = most

    def run(self, job: Callable[[], None]) -> None:
        """Run ``job`` (which must not raise) in one of the threads, soon."""
        self._jobs.put(job)
        if self._idle.acquire(blocking=False):
            return  # a thread that finished a job will take it
        with self._lock:
            if self._started >= self._most:
                return  # all are busy: the first to finish takes it
            self._started += 1
        threading.Thread(target=self._work, name="newsreader-work", daemon=True).start()

    def _work(self) -> None:
        while True:
            self._jobs.get()()
            self._idle.release()


_DAEMON_THREADS = _DaemonThreads(most=min(32, (os.cpu_count() or 1) + 4))


def _settle(future: asyncio.Future[T], value: T, error: BaseException | None) -> None:
    if future.done():  # cancelled meanwhile: nobody wants it
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)
