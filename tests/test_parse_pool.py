"""ParsePool: threads for small refreshes, worker processes past the threshold once ready.

The functions sent to workers live at module level here, so spawned workers
can import them (spawn hands the worker this process's sys.path).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Coroutine
from datetime import UTC, datetime
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import pytest

from reader import parse_pool
from reader.models import ALL, FeedForUpdate, FeedUpdate, FetchResult
from reader.parse import NotAFeedError, parse_feed
from reader.parse_pool import ParsePool
from reader.service import Service
from reader.update import build_update
from tests.feedserver import Behaviour, FeedServer, raw_head, rss
from tests.harness import OpenService

DATA = Path(__file__).parent / "data"
R = TypeVar("R")
HANG_GUARD = 30.0  # seconds; only a hung pool comes near it


def whoami() -> int:
    return os.getpid()


def logs_and_fails(message: str) -> None:
    logging.getLogger("reader.parse").warning("about to fail: %s", message)
    raise NotAFeedError(message)


def sleeps_on(data: bytes, seconds: float) -> int:
    time.sleep(seconds)
    return len(data)


def run(coroutine: Coroutine[Any, Any, R]) -> R:
    return asyncio.run(asyncio.wait_for(coroutine, HANG_GUARD))


async def warmed(pool: ParsePool) -> ParsePool:
    """``pool`` past its threshold, with its workers up (the first job ran in a thread)."""
    assert await pool.run(whoami, weight=pool.threshold + 1) == os.getpid()
    while not pool.ready:
        await asyncio.sleep(0.02)  # the run's hang guard ends a pool that never gets ready
    return pool


def test_under_the_threshold_everything_stays_in_this_process() -> None:
    async def main() -> tuple[list[int], bool]:
        with ParsePool(threshold=1000, workers=2) as pool:
            pids = [await pool.run(whoami, weight=400) for _ in range(2)]
            return pids, pool.started

    pids, started = run(main())
    assert pids == [os.getpid()] * 2
    assert not started


def test_past_the_threshold_work_goes_to_worker_processes_once_they_are_up() -> None:
    async def main() -> tuple[list[int], bool, bool, list[int]]:
        with ParsePool(threshold=1000, workers=2) as pool:
            pids = [await pool.run(whoami, weight=600) for _ in range(2)]
            started, ready = pool.started, pool.ready
            while not pool.ready:
                await asyncio.sleep(0.02)
            return pids, started, ready, [await pool.run(whoami, weight=1) for _ in range(3)]

    before, started, ready, after = run(main())
    assert before == [os.getpid()] * 2  # under, then over but not up yet: threads
    assert started and not ready
    assert os.getpid() not in after


def test_a_single_core_never_starts_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse_pool, "usable_cores", lambda: 1)

    async def main() -> tuple[int, bool]:
        with ParsePool(threshold=0) as pool:
            return await pool.run(whoami, weight=10**9), pool.started

    assert run(main()) == (os.getpid(), False)


def test_workers_leave_a_core_to_the_refresh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse_pool, "usable_cores", lambda: 2)
    assert ParsePool().workers == 1
    monkeypatch.setattr(parse_pool, "usable_cores", lambda: 64)
    assert ParsePool().workers == parse_pool.MAX_WORKERS


def test_a_worker_builds_the_same_update_as_a_thread() -> None:
    content = (DATA / "rss2.xml").read_bytes()
    result = FetchResult("https://tass.example/rss", status=200, content=content)
    now = datetime(2024, 6, 1, tzinfo=UTC)
    feed = FeedForUpdate("https://tass.example/rss")

    async def main() -> tuple[FeedUpdate, FeedUpdate]:
        with ParsePool(threshold=10**12) as threads, ParsePool(threshold=0, workers=1) as workers:
            here = await threads.run(build_update, result, now, feed, weight=len(content))
            await warmed(workers)
            there = await workers.run(build_update, result, now, feed, weight=len(content))
            assert workers.started
            return here, there

    here, there = run(main())
    assert here == there
    assert here.parsed == parse_feed(content, {}, "https://tass.example/rss")


class Remember(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append((record.name, record.levelno, record.getMessage()))


def test_a_workers_exception_and_log_records_come_back() -> None:
    async def main() -> None:
        with ParsePool(threshold=0, workers=1) as pool:
            await (await warmed(pool)).run(logs_and_fails, "not a feed: test", weight=1)

    remember = Remember()
    # On the logger itself: "reader" may not propagate (the log file's setup).
    logging.getLogger("reader.parse").addHandler(remember)
    try:
        with pytest.raises(NotAFeedError) as info:
            run(main())
    finally:
        logging.getLogger("reader.parse").removeHandler(remember)
    assert str(info.value) == "not a feed: test"
    assert ("reader.parse", logging.WARNING, "about to fail: not a feed: test") in remember.seen


def dies_unless_in(pid: int) -> int:
    if os.getpid() != pid:
        os._exit(3)  # a worker killed (out of memory, say) in the middle of a job
    return pid


def test_when_a_worker_dies_its_jobs_run_again_in_threads() -> None:
    async def main() -> tuple[list[int], int]:
        with ParsePool(threshold=0, workers=1) as pool:
            await warmed(pool)
            jobs = [pool.run(dies_unless_in, os.getpid(), weight=1) for _ in range(5)]
            results = await asyncio.gather(*jobs)
            return results, await pool.run(whoami, weight=1)  # no pool any more

    results, after = run(main())
    assert results == [os.getpid()] * 5  # every job done, none lost with the worker
    assert after == os.getpid()


def touches(path: str, seconds: float) -> None:
    Path(path + ".began").touch()
    time.sleep(seconds)
    Path(path).touch()


def test_close_drops_jobs_not_begun_and_workers_end(tmp_path: Path) -> None:
    async def main() -> list[Any]:
        pool = await warmed(ParsePool(threshold=0, workers=1))
        executor = pool._executor
        assert executor is not None
        processes = list(executor._processes.values())
        marks = [str(tmp_path / f"job{n}") for n in range(6)]
        jobs = [asyncio.ensure_future(pool.run(touches, mark, 0.3, weight=1)) for mark in marks]
        while not Path(marks[0] + ".began").exists():  # the first job is in the worker now
            await asyncio.sleep(0.01)
        pool.close()
        for job in jobs:  # as the refresh's stop does
            job.cancel()
        # A dead process's sentinel is ready (is_alive() can't tell: the
        # executor's own thread may reap the process first).
        sentinels = [process.sentinel for process in processes]
        while sentinels:  # the run's hang guard ends a worker that never ends
            ready: list[Any] = await asyncio.to_thread(wait, sentinels, 1.0)
            for sentinel in ready:
                sentinels.remove(sentinel)
        return await asyncio.gather(*jobs, return_exceptions=True)

    results = run(main())
    ran = sorted(path.name for path in tmp_path.glob("job?"))
    # The one begun, and those already handed to the workers' queue, which
    # ProcessPoolExecutor keeps at workers + 1 calls: 1 + 2 here, never all 6.
    assert ran and len(ran) <= 3
    assert all(isinstance(r, asyncio.CancelledError) for r in results)


def test_ctrl_c_is_the_refreshs_to_handle_not_the_workers() -> None:
    async def main() -> int:
        with ParsePool(threshold=0, workers=1) as pool:
            await warmed(pool)
            job = asyncio.ensure_future(pool.run(sleeps_on, b"data", 0.5, weight=1))
            await asyncio.sleep(0.2)  # in the worker now
            for process in list(pool._executor._processes.values()):  # type: ignore[union-attr]
                os.kill(process.pid, signal.SIGINT)  # what Ctrl-C sends the whole group
            try:
                return await job
            except KeyboardInterrupt:  # the worker's, sent back as its job's outcome
                return -1

    assert run(main()) == 4  # the job finished


def prints_and_warns() -> str:
    print("on stdout")
    os.write(2, b"on stderr\n")
    warnings.warn("a warning", UserWarning, stacklevel=1)
    return "done"


def test_workers_print_nothing_on_the_terminal(capfd: pytest.CaptureFixture[str]) -> None:
    async def main() -> str:
        with ParsePool(threshold=0, workers=1) as pool:
            return await (await warmed(pool)).run(prints_and_warns, weight=1)

    assert run(main()) == "done"
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


HTML_PAGE = "<!DOCTYPE html><html></html>"


def late(body: str, content_type: str = "application/rss+xml") -> Behaviour:
    """A response sent whole, but only after a while (or when the server stops)."""
    data = body.encode()

    def send(wfile: BinaryIO, stopping: threading.Event) -> None:
        stopping.wait(1.5)
        headers = {"Content-Type": content_type, "Content-Length": str(len(data))}
        wfile.write(raw_head(200, "OK", headers) + data)

    return send


def test_a_refresh_past_the_threshold_stores_what_a_threaded_one_does(
    feed_server: FeedServer, open_service: OpenService, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = [{"title": f"Story {n}", "guid": f"s{n}", "description": "<p>x</p>"} for n in range(5)]
    # The first feed comes at once and starts the workers; the rest come
    # later, when the workers are up.
    feeds = [{"url": feed_server.add("/f0.xml", rss("Feed 0", items))}]
    for n in range(1, 4):  # with the page: four, as many as one host serves at once
        feeds.append(
            {"url": feed_server.add_behaviour(f"/f{n}.xml", late(rss(f"Feed {n}", items)))}
        )
    feeds.append({"url": feed_server.add_behaviour("/page.html", late(HTML_PAGE, "text/html"))})

    def stored(service: Service) -> list[tuple[str, str]]:
        entries = service.entries(service.entry_ids(ALL))
        return sorted((entry.feed_url, entry.title) for entry in entries)

    threaded = open_service(feeds)
    threaded_outcomes = threaded.refresh()
    expected = stored(threaded)
    threaded.storage.db.execute("DELETE FROM entries")

    monkeypatch.setattr(parse_pool, "PROCESS_THRESHOLD", 0)
    remember = Remember()
    pool_logger = logging.getLogger("reader.parse_pool")
    pool_logger.addHandler(remember)
    level = pool_logger.level
    pool_logger.setLevel(logging.INFO)  # setLevel, not the attribute: it clears a cache
    try:
        pooled = open_service(feeds)
        pooled_outcomes = pooled.refresh(forced=True)
    finally:
        pool_logger.removeHandler(remember)
        pool_logger.setLevel(level)
    assert any("worker processes" in message for _, _, message in remember.seen)
    counts = [
        re.fullmatch(r"(\d+) of 5 parses ran in worker processes", m) for _, _, m in remember.seen
    ]
    (in_workers,) = [int(match.group(1)) for match in counts if match]
    assert in_workers >= 1  # the late feeds, once the workers were up
    assert stored(pooled) == expected and len(expected) == 20
    errors = {o.url: o.error for o in pooled_outcomes if o.error}
    assert errors == {o.url: o.error for o in threaded_outcomes if o.error}
    assert list(errors.values()) == ["not a feed: HTML page"]


def test_workers_that_cannot_start_leave_the_work_to_a_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_processes(*args: object, **kwargs: object) -> None:
        raise OSError("Too many open files")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_processes)

    async def main() -> tuple[int, bool]:
        with ParsePool(threshold=0, workers=1) as pool:
            return await pool.run(whoami, weight=1), pool.started

    assert run(main()) == (os.getpid(), False)


def test_a_process_closing_its_pool_with_big_jobs_queued_exits_at_once(tmp_path: Path) -> None:
    """Jobs bigger than a pipe's buffer wait in the pool's queue half-sent. The
    process must still exit once the job begun is done (the UI quitting mid-refresh)."""
    script = tmp_path / "quit_mid_refresh.py"
    script.write_text(
        "import asyncio, sys\n"
        "from reader.parse_pool import ParsePool\n"
        "from tests.test_parse_pool import sleeps_on\n"
        "async def main():\n"
        "    pool = ParsePool(threshold=0, workers=1)\n"
        "    await pool.run(sleeps_on, b'', 0.0, weight=1)\n"
        "    while not pool.ready:\n"
        "        await asyncio.sleep(0.02)\n"
        "    jobs = [asyncio.ensure_future(pool.run(sleeps_on, b'x' * 1_000_000, 0.3, weight=1))\n"
        "            for _ in range(4)]\n"
        "    await asyncio.sleep(0.5)\n"
        "    pool.close()\n"
        "    for job in jobs:\n"
        "        job.cancel()\n"
        "    print('closed', flush=True)\n"
        "if __name__ == '__main__':\n"
        "    asyncio.run(main())\n"
    )
    done = run_script(script)  # a hang fails here
    assert done.stdout == "closed\n" and done.returncode == 0, done.stderr[-2000:]


def test_a_process_quitting_mid_parse_in_a_thread_exits_at_once(tmp_path: Path) -> None:
    """A long parse in a thread (under the threshold) must not hold up quitting:
    asyncio.to_thread's threads are joined at exit, a 3 MB broken feed took 10 s."""
    script = tmp_path / "quit_mid_parse.py"
    script.write_text(
        "import asyncio, time\n"
        "from reader.parse_pool import ParsePool\n"
        "async def main():\n"
        "    pool = ParsePool(threshold=10**12, workers=1)\n"
        "    job = asyncio.ensure_future(pool.run(time.sleep, 60, weight=1))\n"
        "    await asyncio.sleep(0.2)\n"
        "    job.cancel()\n"
        "    print('quit', flush=True)\n"
        "if __name__ == '__main__':\n"
        "    asyncio.run(main())\n"
    )
    done = run_script(script)  # the sleeping thread would hold the exit for 60 s
    assert done.stdout == "quit\n" and done.returncode == 0, done.stderr[-2000:]


def run_script(script: Path) -> subprocess.CompletedProcess[str]:
    """Run ``script`` as its own process, from the checkout, within the hang guard."""
    root = Path(__file__).parent.parent
    return subprocess.run(
        [sys.executable, str(script)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )
