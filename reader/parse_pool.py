"""Parsing on every core, for the refreshes that have a lot to parse.

Parsing holds the GIL, so parsing in threads uses one core however many
feeds arrive at once; on a first refresh of hundreds of feeds that core is
the bottleneck while the others idle. :class:`ParsePool` runs a refresh's
CPU-heavy step (``update.build_update``) in a thread at first, and once the
bytes handed to it pass :data:`PROCESS_THRESHOLD` it starts worker processes
and sends the rest there. Nearly every refresh (all 304s, a few changed
feeds) stays under the threshold and never pays the 0.1–0.3 s a worker takes
to start.

Workers are *spawned*, not forked: the UI refreshes from a thread, and
forking a process that has threads can copy a held lock into the child.
A worker's log records are sent back with its result and logged here, so
they reach the log file and never the terminal. When a worker dies (killed,
out of memory), every job the pool still had fails at once; those jobs are
run again in threads, as without a pool, and the pool is not used again in
that refresh. :meth:`ParsePool.close` drops the jobs not yet begun and lets
each worker end after the one it is on, as a parsing thread would; killing
workers mid-job could leave the executor's own threads blocked on a
half-sent job or result (seen: the UI then never exited).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
import signal
import sys
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

from reader.concurrency import in_daemon_thread

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

PROCESS_THRESHOLD = 1_000_000  # bytes to parse in one refresh before workers start
MAX_WORKERS = 4

T = TypeVar("T")
logger = logging.getLogger(__name__)


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS reports one)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class ParsePool:
    """Runs CPU-heavy calls off the event loop: in a thread, then in worker processes.

    One pool serves one refresh; close it when the refresh ends (it is a
    context manager). ``threshold`` is in bytes of input (the ``weight``
    given to :meth:`run`); ``workers`` defaults to one fewer than the usable
    cores (the refresh itself keeps one busy fetching, decompressing and
    storing), at most :data:`MAX_WORKERS`: with a single core none is ever
    started. On 2 cores one worker beat two by 5–7% on a first refresh of
    500 feeds and on one with 100 changed feeds, with 10–15% less CPU. Each
    worker imports the ``preload`` modules as it starts, so its first job
    does not wait for them.
    """

    def __init__(
        self,
        *,
        threshold: int | None = None,
        workers: int | None = None,
        preload: tuple[str, ...] = (),
    ) -> None:
        self.threshold = PROCESS_THRESHOLD if threshold is None else threshold
        self.workers = min(usable_cores() - 1, MAX_WORKERS) if workers is None else workers
        self.preload = preload
        self._weight = 0
        self._executor: ProcessPoolExecutor | None = None
        self._ready: Future[None] | None = None  # done once the workers can take jobs
        self._broken = False
        self.jobs = 0  # calls to run()
        self.jobs_in_workers = 0  # of which the workers took

    @property
    def started(self) -> bool:
        """Whether worker processes were started."""
        return self._executor is not None

    @property
    def ready(self) -> bool:
        """Whether jobs now go to the workers."""
        return self._usable_executor() is not None

    async def run(self, function: Callable[..., T], *args: Any, weight: int = 0) -> T:
        """``function(*args)`` in a thread or a worker; its exception is raised here.

        ``function`` and its arguments must pickle (a module-level function and
        plain values) once workers are in use.
        """
        self._weight += weight
        self.jobs += 1
        executor = self._process_executor()
        if executor is None:
            return await in_daemon_thread(function, *args)
        from concurrent.futures.process import BrokenProcessPool

        self.jobs_in_workers += 1
        try:
            outcome = await asyncio.get_running_loop().run_in_executor(
                executor, _call_logged, function, args
            )
        except BrokenProcessPool:
            if not self._broken:  # every job the pool had ends here: say it once
                logger.warning("a parsing process ended unexpectedly; parsing in threads")
            self._broken = True
            return await in_daemon_thread(function, *args)
        for name, level, message in outcome.records:
            logging.getLogger(name).log(level, "%s", message)
        if outcome.error is not None:
            raise outcome.error
        return cast(T, outcome.value)

    def _process_executor(self) -> Executor | None:
        """The workers if they are ready for jobs, starting them past the threshold."""
        if self._broken or self.workers < 1 or self._weight <= self.threshold:
            return None
        if self._executor is None:
            self._start()
        return self._usable_executor()

    def _usable_executor(self) -> Executor | None:
        ready = self._ready
        if self._broken or ready is None or not ready.done():
            return None
        if ready.cancelled() or ready.exception() is not None:  # the workers did not start
            self._broken = True
            logger.warning("parsing processes did not start; parsing in threads")
            self.close()
            return None
        return self._executor

    def _start(self) -> None:
        # Imported here: a refresh that never starts workers need not pay for it.
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        try:
            with _stderr_to_devnull():
                self._executor = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_worker,
                    initargs=(self.preload,),
                )
                # Submitting starts the workers; this job is done once one is up.
                self._ready = self._executor.submit(_nothing)
        except Exception:
            logger.warning("cannot start parsing processes; parsing in threads", exc_info=True)
            self._broken = True
            self.close()
            return
        logger.info("parsing in %d worker processes", self.workers)

    def close(self) -> None:
        """Drop the calls not yet handed over; workers end once those are done.

        ProcessPoolExecutor has already queued up to ``workers + 1`` calls
        for its workers; those still run, the rest are cancelled.
        """
        executor, self._executor = self._executor, None
        if executor is None:
            return
        logger.info("%d of %d parses ran in worker processes", self.jobs_in_workers, self.jobs)
        executor.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@contextlib.contextmanager
def _stderr_to_devnull() -> Iterator[None]:
    """``sys.stderr`` is /dev/null while the pool is made.

    Making it starts multiprocessing's resource tracker, which inherits
    ``sys.stderr``'s file descriptor. In the UI, Textual has replaced
    ``sys.stderr`` by an object without a real one, and the start fails;
    on a terminal the tracker would print there.
    """
    saved = sys.stderr
    with open(os.devnull, "w") as devnull:
        sys.stderr = devnull
        try:
            yield
        finally:
            sys.stderr = saved


def _start_worker(preload: tuple[str, ...]) -> None:
    """Quiet the worker, then import what its jobs will need.

    A worker shares the terminal the UI draws on: nothing it prints may land
    there. Ctrl-C reaches every process of the terminal's foreground group:
    the refresh decides what to do about it, and a worker that died of it
    mid-job could leave the pool's threads blocked.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warnings.simplefilter("ignore")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    for module in preload:
        importlib.import_module(module)


def _nothing() -> None:
    """The job that tells the workers are up."""


class _Collect(logging.Handler):
    """Keeps a worker's log records (as name, level, text) to send back with its result."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.records.append((record.name, record.levelno, text))


@dataclass(frozen=True)
class _Outcome:
    """What a worker sends back: the value or the exception, and the log records."""

    value: object = None
    error: Exception | None = None
    records: tuple[tuple[str, int, str], ...] = ()


def _call_logged(function: Callable[..., object], args: tuple[Any, ...]) -> _Outcome:
    """In a worker: ``function(*args)``, with the log records it made on the way."""
    root = logging.getLogger()
    for handler in list(root.handlers):  # nothing a worker logs may reach its stderr
        root.removeHandler(handler)
    collect = _Collect()
    root.addHandler(collect)
    root.setLevel(logging.INFO)
    logging.getLogger("reader").propagate = True
    try:
        return _Outcome(value=function(*args), records=tuple(collect.records))
    except Exception as exc:
        return _Outcome(error=exc, records=tuple(collect.records))
    finally:
        root.removeHandler(collect)
