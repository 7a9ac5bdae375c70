"""Where refresh CPU goes per feed: newsreader's parse next to its parts and a C baseline.

``python -m bench.perf.parsers FEED_DIR [--limit N]`` times, over the ``*.xml``
files of a feed farm (the shared harness's genfarm.py output, say), in one process:

- ``reader.parse.parse_feed`` as a refresh calls it: ``_prepare_xml``, then
  the lxml fast path, else feedparser;
- its parts: ``_prepare_xml`` alone, and the fast path alone
  (``reader.parse_fast.parse_fast``) on bytes already prepared;
- feedparser alone, with relative-URI resolution off (as newsreader calls it)
  and on (as it used to): the path every feed took before the fast path;
- ``lxml.etree`` parsing the same bytes: what a C parser costs for the XML
  layer, the floor for the fast path.

It also says how many of the feeds the fast path took; on a farm that should
be all of them. Figures are milliseconds per feed and per item (best of
``--rounds``).
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

from reader.parse import _prepare_xml, parse_feed
from reader.parse_fast import parse_fast

URL = "http://127.0.0.1/feed.xml"
BASE = {"content-location": URL}  # as newsreader passes it: relative links resolve against it
HEADERS = {"content-type": "application/rss+xml"}


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
    return parse_feed(data, HEADERS, URL)


def _prepare(data: bytes) -> object:
    return _prepare_xml(data, HEADERS)


def _fast(prepared: bytes) -> object:
    return parse_fast(prepared, URL)


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
    prepared = [_prepare_xml(data, HEADERS).data for data in documents]
    items = sum(len(parse_feed(data).entries) for data in documents)
    size = sum(len(data) for data in documents) / len(documents) / 1024
    fast = sum(parse_fast(data, URL) is not None for data in prepared)
    print(f"{len(documents)} feeds, {items} items, {size:.0f} KB per feed on average")
    print(f"the fast path took {fast} of the {len(documents)} feeds")
    print(f"{'parser':<52} {'ms/feed':>8} {'ms/item':>8}")
    for name, parse, inputs in (
        ("reader.parse.parse_feed (what refresh runs)", _newsreader, documents),
        ("  its reader.parse._prepare_xml alone", _prepare, documents),
        ("  its reader.parse_fast.parse_fast alone (prepared)", _fast, prepared),
        ("feedparser, resolve_relative_uris=False", _feedparser(False), documents),
        ("feedparser, resolve_relative_uris=True", _feedparser(True), documents),
        ("lxml.etree.fromstring (XML layer only)", _lxml, documents),
    ):
        seconds = time_all(inputs, parse, args.rounds)
        print(f"{name:<52} {seconds * 1000 / len(documents):8.2f} {seconds * 1000 / items:8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
