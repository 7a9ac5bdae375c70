"""CLI figures on the large cache: wall time of the light commands and what they import."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HEAVY_MODULES = ("textual", "feedparser", "httpx", "trafilatura", "lxml", "readability", "rich")
_IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


@dataclass(frozen=True)
class CommandTiming:
    argv: tuple[str, ...]
    wall_s: list[float]
    output_head: str

    @property
    def median_s(self) -> float:
        return statistics.median(self.wall_s)


@dataclass(frozen=True)
class ImportReport:
    total_s: float  # cumulative import time of everything the command imported
    heavy: dict[str, float]  # heavy top-level package → its cumulative seconds
    slowest: list[tuple[str, float]] = field(default_factory=list)  # top-level packages


def command_env(config: Path, db: Path, home: Path) -> dict[str, str]:
    """The environment the harness gives newsreader: its own config, database and home."""
    env = dict(os.environ)
    env.update(
        NEWSREADER_CONFIG=str(config),
        NEWSREADER_DB=str(db),
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_STATE_HOME=str(home / ".local/state"),
    )
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    return env


def time_command(
    newsreader: Path, args: tuple[str, ...], env: dict[str, str], reps: int
) -> CommandTiming:
    """Median-ready wall times of ``newsreader ARGS`` run ``reps`` times (after one warm-up)."""
    walls = []
    head = ""
    for rep in range(reps + 1):
        started = time.perf_counter()
        done = subprocess.run(
            [str(newsreader), *args], env=env, capture_output=True, text=True, check=False
        )
        wall = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"newsreader {' '.join(args)} failed: {done.stderr.strip()}")
        head = done.stdout[:60].strip()
        if rep:  # the first run warms the page cache, as a user's second command would find it
            walls.append(wall)
    return CommandTiming(args, walls, head)


def import_report(newsreader: Path, args: tuple[str, ...], env: dict[str, str]) -> ImportReport:
    """``python -X importtime`` of ``newsreader ARGS``: totals, and which heavy packages came."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", str(newsreader), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    per_package: dict[str, float] = {}  # top-level lines: what the command itself imported
    heavy: dict[str, float] = {}  # a heavy package anywhere in the tree: its own cumulative
    for line in done.stderr.splitlines():
        match = _IMPORT_LINE.match(line)
        if not match:
            continue
        cumulative, depth, name = int(match.group(2)) / 1e6, len(match.group(3)), match.group(4)
        if name in HEAVY_MODULES:
            heavy[name] = max(heavy.get(name, 0.0), round(cumulative, 4))
        if depth == 1:
            package = name.split(".")[0]
            per_package[package] = per_package.get(package, 0.0) + cumulative
    slowest = sorted(per_package.items(), key=lambda item: -item[1])[:6]
    return ImportReport(
        round(sum(per_package.values()), 4),
        heavy,
        [(name, round(seconds, 4)) for name, seconds in slowest],
    )
