"""in_daemon_thread: CPU work off the event loop, in reused threads nobody waits for."""

from __future__ import annotations

import asyncio
import threading

import pytest

from reader import concurrency
from reader.concurrency import in_daemon_thread


def work_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "newsreader-work"]


def test_many_jobs_share_a_few_daemon_threads() -> None:
    async def main() -> list[int]:
        return await asyncio.gather(*(in_daemon_thread(pow, n, 2) for n in range(300)))

    assert asyncio.run(main()) == [n * n for n in range(300)]
    threads = work_threads()
    assert 0 < len(threads) <= concurrency._DAEMON_THREADS._most
    assert all(thread.daemon for thread in threads)


def test_an_error_reaches_the_awaiting_task() -> None:
    async def main() -> None:
        await in_daemon_thread(int, "not a number")

    with pytest.raises(ValueError, match="not a number"):
        asyncio.run(main())


def test_a_busy_pool_still_runs_every_job() -> None:
    """With every thread held, queued jobs wait for the first to come free."""
    pool = concurrency._DaemonThreads(most=2)
    release = threading.Event()
    done: list[int] = []
    finished = threading.Semaphore(0)

    def job(number: int) -> None:
        release.wait(10)
        done.append(number)
        finished.release()

    for number in range(6):
        pool.run(lambda number=number: job(number))  # type: ignore[misc]
    assert pool._started == 2
    release.set()
    for _ in range(6):
        assert finished.acquire(timeout=10)
    assert sorted(done) == list(range(6))
