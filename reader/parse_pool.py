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
they reach the log file and never the terminal. A worker that dies (killed,
out of memory) costs only the feeds it had: they fail with one line, and the
pool is not used again in that refresh. :meth:`ParsePool.close` kills the
workers outright, so quitting never waits for a parse to finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

PROCESS_THRESHOLD = 2_000_000  # bytes to parse in one refresh before workers start
MAX_WORKERS = 4

T = TypeVar("T")
logger = logging.getLogger(__name__)


class WorkerDiedError(Exception):
    """A worker process ended while it had this job; ``str()`` is the one-line reason."""


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
    given to :meth:`run`); ``workers`` defaults to the usable cores, at most
    :data:`MAX_WORKERS`. With a single core no worker is ever started.
    """

    def __init__(self, *, threshold: int | None = None, workers: int | None = None) -> None:
        self.threshold = PROCESS_THRESHOLD if threshold is None else threshold
        self.workers = workers if workers is not None else min(usable_cores(), MAX_WORKERS)
        self._weight = 0
        self._executor: ProcessPoolExecutor | None = None
        self._broken = False

    @property
    def started(self) -> bool:
        """Whether worker processes were started."""
        return self._executor is not None

    async def run(self, function: Callable[..., T], *args: Any, weight: int = 0) -> T:
        """``function(*args)`` in a thread or a worker; its exception is raised here.

        ``function`` and its arguments must pickle (a module-level function and
        plain values) once workers are in use.
        """
        self._weight += weight
        executor = self._process_executor()
        if executor is None:
            return await asyncio.to_thread(function, *args)
        from concurrent.futures.process import BrokenProcessPool

        try:  # submitting starts the workers
            future = asyncio.get_running_loop().run_in_executor(
                executor, _call_logged, function, args
            )
        except Exception:
            logger.warning("cannot start parsing processes; parsing in threads", exc_info=True)
            self._broken = True
            self.close()
            return await asyncio.to_thread(function, *args)
        try:
            outcome = await future
        except BrokenProcessPool:
            self._broken = True
            raise WorkerDiedError("the parsing process ended unexpectedly") from None
        for name, level, message in outcome.records:
            logging.getLogger(name).log(level, "%s", message)
        if outcome.error is not None:
            raise outcome.error
        return cast(T, outcome.value)

    def _process_executor(self) -> Executor | None:
        if self._broken or self.workers < 2 or self._weight <= self.threshold:
            return None
        if self._executor is None:
            # Imported here: a refresh that never starts workers need not pay for it.
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            try:
                with _stderr_to_devnull():
                    self._executor = ProcessPoolExecutor(
                        max_workers=self.workers,
                        mp_context=multiprocessing.get_context("spawn"),
                        initializer=_quiet_worker,
                    )
            except Exception:
                logger.warning("cannot start parsing processes; parsing in threads", exc_info=True)
                self._broken = True
                return None
            logger.info("parsing in %d worker processes", self.workers)
        return self._executor

    def close(self) -> None:
        """Stop the workers now, whatever they are doing; pending calls are dropped."""
        executor, self._executor = self._executor, None
        if executor is None:
            return
        # Taken before shutdown, which forgets them. ProcessPoolExecutor has no
        # public way to stop a running job before Python 3.14's terminate_workers().
        processes = list(getattr(executor, "_processes", {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            with contextlib.suppress(OSError, ValueError):  # already gone or closed
                process.kill()

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


def _quiet_worker() -> None:
    """A worker shares the terminal the UI draws on: nothing it prints may land there."""
    warnings.simplefilter("ignore")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)


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
