"""Summarise a py-spy ``--format raw`` profile (folded stacks) as text.

Each line of the file is ``frame;frame;...;frame COUNT`` with frames like
``function (path/to/file.py:123)``. Prints the functions with the largest
inclusive share (time in them or anything they called) and the largest self
share (time in their own code), grouped by function and file, not line.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>.*?)(?::\d+)?\)$")


def frame_name(frame: str) -> str:
    """``function (file)`` with the line number and the site-packages prefix dropped."""
    match = _FRAME.match(frame.strip())
    if match is None:
        return frame.strip()
    path = match.group("file")
    for marker in ("site-packages/", "lib/python3."):
        if marker in path:
            path = path.split(marker, 1)[1]
            if marker.startswith("lib/"):
                path = "stdlib:" + path.split("/", 1)[-1]
            break
    else:
        path = re.sub(r"^.*/(reader|bench)/", r"\1/", path)
    return f"{match.group('function')} ({path})"


def summarise(lines: list[str]) -> tuple[int, Counter[str], Counter[str]]:
    """(total samples, inclusive samples per function, self samples per function)."""
    total = 0
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for line in lines:
        stack, _, count_text = line.rstrip().rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [frame_name(frame) for frame in stack.split(";")]
        total += count
        for name in set(frames):
            inclusive[name] += count
        own[frames[-1]] += count
    return total, inclusive, own


def report(path: Path, top: int = 25) -> str:
    total, inclusive, own = summarise(path.read_text(encoding="utf-8").splitlines())
    if not total:
        return f"{path}: no samples\n"
    out = [f"{path.name}: {total} samples", "", "inclusive %  function"]
    out += [f"{100 * n / total:10.1f}  {name}" for name, n in inclusive.most_common(top)]
    out += ["", "self %      function"]
    out += [f"{100 * n / total:10.1f}  {name}" for name, n in own.most_common(top)]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="summarise py-spy folded stacks")
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    for path in args.files:
        print(report(path, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
