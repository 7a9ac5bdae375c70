"""Measure the UI in a fresh process, driven by Textual's Pilot; prints one JSON object.

``paint``: launch → first screen with the feed pane and the article list drawn.
``keys``: the same, then the cost of moving through long lists and switching views.

Run by :mod:`bench.perf.run`, one process per sample, so each start-up is cold
for Python (imports) though not for the OS page cache. The parent passes its
clock reading from just before it started this process (``--launched``), so
"launch" includes the interpreter's own start-up and every import.

What a figure means:

- *first paint*: the moment both ``CursorList`` subclasses (feed pane and
  article list) have drawn their first line, found by wrapping
  ``CursorList.render_line`` for this process only.
- *per key*: CPU time (user+sys, ``time.process_time``) the process spends
  between sending a key and being idle again, including the repaint the key
  causes and the encoding of that repaint into terminal escapes (headless
  Textual skips that step, so :func:`_encode_updates` does it). Pilot's own
  waiting is sleep and costs no CPU; its bookkeeping is what the ``baseline``
  key (one nothing is bound to) measures.
- *view switch*: CPU time for the key that switches, and the wall time of
  ``MainScreen._load_articles`` alone.
"""

from __future__ import annotations

import time

_STARTED = time.time()  # as early as possible: the imports below count as start-up

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from textual.pilot import Pilot  # noqa: E402
from textual.strip import Strip  # noqa: E402

from reader.config import load_config  # noqa: E402
from reader.models import ALL, UNREAD, View  # noqa: E402
from reader.service import Service  # noqa: E402
from reader.ui.app import NewsReaderApp  # noqa: E402
from reader.ui.article_list import ArticleList  # noqa: E402
from reader.ui.cursor_list import CursorList  # noqa: E402
from reader.ui.feed_pane import FeedPane  # noqa: E402
from reader.ui.main_screen import MainScreen  # noqa: E402

_IMPORTED = time.time()
SIZE = (160, 48)
BASELINE_KEY = "x"  # bound to nothing on the main screen

_first_drawn: dict[str, tuple[float, int]] = {}  # widget class → (time, rows then)


def _record_first_draw() -> None:
    original = CursorList.render_line

    def render_line(self: CursorList, y: int) -> Strip:
        name = type(self).__name__
        if name not in _first_drawn:
            _first_drawn[name] = (time.time(), self._row_count())
        return original(self, y)

    setattr(CursorList, "render_line", render_line)  # noqa: B010 (a method, on purpose)


def _encode_updates(app: NewsReaderApp) -> None:
    """Make headless Textual pay for turning each screen update into terminal output."""
    original: Callable[..., None] = app._display

    def display(screen: Any, renderable: Any) -> None:
        if renderable is not None and hasattr(renderable, "render_segments"):
            renderable.render_segments(app.console)
        original(screen, renderable)

    setattr(app, "_display", display)  # noqa: B010


def _memory_mb() -> dict[str, float]:
    """Current and peak resident set of this process (Linux /proc)."""
    found: dict[str, float] = {}
    try:
        for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = round(int(value.split()[0]) / 1024, 1)
    except OSError:
        pass
    return found


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "n": len(samples),
        "median_ms": round(statistics.median(samples) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


async def _wait_first_paint(limit: float = 60.0) -> float:
    """Poll (without forcing a repaint) until both lists have drawn."""
    waited = 0.0
    while not {"FeedPane", "ArticleList"} <= _first_drawn.keys():
        if waited > limit:
            raise SystemExit("the lists were never drawn")
        await asyncio.sleep(0.002)
        waited += 0.002
    return max(_first_drawn["FeedPane"][0], _first_drawn["ArticleList"][0])


async def _key_cpu(pilot: Pilot[None], key: str) -> float:
    started = time.process_time()
    await pilot.press(key)
    await pilot.pause()
    return time.process_time() - started


async def _keys(pilot: Pilot[None], key: str, count: int) -> dict[str, float]:
    return _stats([await _key_cpu(pilot, key) for _ in range(count)])


class _LoadTimer:
    """Wall time of each ``MainScreen._load_articles`` call (the view switch's own work)."""

    def __init__(self, screen: MainScreen) -> None:
        self.calls: list[float] = []
        original = screen._load_articles

        def timed(*, keep_position: bool = True) -> None:
            started = time.perf_counter()
            original(keep_position=keep_position)
            self.calls.append(time.perf_counter() - started)

        setattr(screen, "_load_articles", timed)  # noqa: B010

    def last_ms(self) -> float | None:
        return round(self.calls[-1] * 1000, 2) if self.calls else None


async def _switch(
    pilot: Pilot[None], loads: _LoadTimer, action: Callable[[], object]
) -> dict[str, float | int | None]:
    """CPU of one view switch (the action, its messages and the repaint) and the load's wall."""
    before = len(loads.calls)
    started = time.process_time()
    action()
    await pilot.pause()
    cpu = time.process_time() - started
    articles = pilot.app.screen.query_one(ArticleList)
    return {
        "cpu_ms": round(cpu * 1000, 2),
        "load_ms": loads.last_ms() if len(loads.calls) > before else None,
        "rows": articles.row_total,
    }


async def _press_and_switch(
    pilot: Pilot[None], loads: _LoadTimer, key: str
) -> dict[str, float | int | None]:
    before = len(loads.calls)
    cpu = await _key_cpu(pilot, key)
    articles = pilot.app.screen.query_one(ArticleList)
    return {
        "cpu_ms": round(cpu * 1000, 2),
        "load_ms": loads.last_ms() if len(loads.calls) > before else None,
        "rows": articles.row_total,
    }


async def _interact(pilot: Pilot[None], big_feed: str, presses: int) -> dict[str, Any]:
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    feeds, articles = screen.query_one(FeedPane), screen.query_one(ArticleList)
    loads = _LoadTimer(screen)
    await pilot.pause()
    out: dict[str, Any] = {"all_rows": articles.row_total}
    out["baseline"] = await _keys(pilot, BASELINE_KEY, presses // 2)
    out["all_j"] = await _keys(pilot, "j", presses // 2)
    out["all_pagedown"] = await _keys(pilot, "pagedown", presses // 4)

    feeds.focus()
    await pilot.pause()
    out["open_big_feed"] = await _switch(
        pilot, loads, lambda: feeds.select_view(View("feed", big_feed))
    )
    articles.focus()
    await pilot.pause()
    out["feed_j"] = await _keys(pilot, "j", presses)
    out["feed_k"] = await _keys(pilot, "k", presses // 2)
    out["feed_pagedown"] = await _keys(pilot, "pagedown", presses // 2)
    out["feed_pageup"] = await _keys(pilot, "pageup", presses // 4)
    out["feed_end"] = await _keys(pilot, "G", 5)

    feeds.focus()
    await pilot.pause()
    out["to_all"] = await _switch(pilot, loads, lambda: feeds.select_view(ALL))
    out["unread_view"] = await _press_and_switch(pilot, loads, "j")  # All → Unread, one key
    assert feeds.highlighted_view == UNREAD, feeds.highlighted_view
    out["to_all_again"] = await _switch(pilot, loads, lambda: feeds.select_view(ALL))
    out["unread_view_again"] = await _press_and_switch(pilot, loads, "j")
    articles.focus()
    await pilot.pause()
    out["unread_j"] = await _keys(pilot, "j", presses // 4)
    out["toggle_u"] = await _press_and_switch(pilot, loads, "u")
    out["memory"] = _memory_mb()
    return out


async def _run(args: argparse.Namespace) -> dict[str, Any]:
    service = Service(load_config(args.config), args.db)
    app = NewsReaderApp(service)
    _encode_updates(app)
    result: dict[str, Any] = {}
    async with app.run_test(size=SIZE) as pilot:
        painted = await _wait_first_paint()
        result = {
            "launch_to_paint_s": round(painted - args.launched, 3),
            "import_s": round(_IMPORTED - args.launched, 3),
            "interpreter_s": round(_STARTED - args.launched, 3),
            "rows_at_first_paint": {k: v[1] for k, v in _first_drawn.items()},
            "memory_at_paint": _memory_mb(),
        }
        if args.mode == "keys":
            result.update(await _interact(pilot, args.big_feed, args.presses))
    service.close()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="one UI measurement (see the module docstring)")
    parser.add_argument("mode", choices=("paint", "keys"))
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--launched", type=float, default=_STARTED, help="parent's time.time()")
    parser.add_argument("--big-feed", default="", help="URL of the 10,000-article feed")
    parser.add_argument("--presses", type=int, default=200)
    args = parser.parse_args(argv)
    _record_first_draw()
    print(json.dumps(asyncio.run(_run(args))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
