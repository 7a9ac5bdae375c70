"""One line naming the machine, so a figure is never read without its context."""

from __future__ import annotations

import os
import platform
import sqlite3
from datetime import UTC, datetime
from pathlib import Path


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def memory_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1048576:.0f} GiB RAM"
    except OSError:
        pass
    return "RAM unknown"


def load_average() -> str:
    """Other work on the machine skews every figure; say how busy it was."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "load unknown"
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def describe() -> str:
    """CPU, cores, RAM, OS, Python, SQLite and the date, on one line."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{now}; {cpu_model()}, {os.cpu_count()} cores, {memory_gib()}; "
        f"Linux {platform.release()}; Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}; {load_average()}"
    )


if __name__ == "__main__":
    print(describe())
