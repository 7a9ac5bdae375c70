"""Where refresh CPU goes per feed: newsreader's parse next to its parts and a C baseline.

``python -m bench.perf.parsers FEED_DIR [--limit N]`` times, over the ``*.xml``
files of a feed farm (the shared harness's genfarm.py output, say), in one process:

- ``reader.parse.parse_feed`` as a refresh calls it;
- feedparser alone, as newsreader calls it (``resolve_relative_uris`` on), and
  with relative-URI resolution off: the difference is what resolving lazily
  at display time would save;
- ``lxml.etree`` parsing the same bytes (already a dependency, via the
  extractor): what a C parser costs for the XML layer, the floor for a
  fast path.

Figures are milliseconds per feed and per item (best of ``--rounds``).
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable
from pathlib import Path

import feedparser
from lxml import etree  # type: ignore[import-untyped]

from reader.parse import parse_feed

URL = "http://127.0.0.1/feed.xml"
BASE = {"content-location": URL}  # as newsreader passes it: relative links resolve against it


def _feedparser(resolve: bool) -> Callable[[bytes], object]:
    def parse(data: bytes) -> object:
        return feedparser.parse(
            io.BytesIO(data),
            response_headers={"content-type": "application/xml; charset=utf-8", **BASE},
            sanitize_html=False,
            resolve_relative_uris=resolve,
        )

    return parse


def _lxml(data: bytes) -> object:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(data, parser)


def _newsreader(data: bytes) -> object:
    return parse_feed(data, {"content-type": "application/rss+xml"}, URL)


def time_all(documents: list[bytes], parse: Callable[[bytes], object], rounds: int) -> float:
    """Best total seconds over ``rounds`` passes through every document."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for data in documents:
            parse(data)
        best = min(best, time.perf_counter() - started)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("feed_dir", type=Path, help="a directory of feed files (*.xml)")
    parser.add_argument("--limit", type=int, default=60, help="feeds to use")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    paths = sorted(args.feed_dir.rglob("*.xml"))[: args.limit]
    if not paths:
        raise SystemExit(f"no *.xml under {args.feed_dir}")
    documents = [path.read_bytes() for path in paths]
    items = sum(len(parse_feed(data).entries) for data in documents)
    size = sum(len(data) for data in documents) / len(documents) / 1024
    print(f"{len(documents)} feeds, {items} items, {size:.0f} KB per feed on average")
    print(f"{'parser':<44} {'ms/feed':>8} {'ms/item':>8}")
    for name, parse in (
        ("reader.parse.parse_feed (what refresh runs)", _newsreader),
        ("feedparser, resolve_relative_uris=True", _feedparser(True)),
        ("feedparser, resolve_relative_uris=False", _feedparser(False)),
        ("lxml.etree.fromstring (XML layer only)", _lxml),
    ):
        seconds = time_all(documents, parse, args.rounds)
        print(f"{name:<44} {seconds * 1000 / len(documents):8.2f} {seconds * 1000 / items:8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
