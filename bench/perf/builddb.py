"""Build the large cache the UI and CLI figures are measured on, through newsreader's own code.

2,000 feeds and 100,000 articles, all unread (the state right after a first
refresh), written with ``Storage.apply_update`` exactly as a refresh writes
them. One feed holds 10,000 articles (the "minutes to open a 10,000-item
feed" case); the other 90,000 are spread over the remaining 1,999 feeds.
Article bodies are HTML of a few kB, like the shared harness's farm, so the
database has a realistic size (a few hundred MB) and a query that reads
article rows instead of an index shows.

The same config with an empty database (feeds known, no articles) is the
"empty cache" the start-up time is compared with.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from reader.config import load_config
from reader.decide import plan_entries
from reader.models import FeedUpdate, ParsedEntry, ParsedFeed
from reader.storage import Storage

BUILDER_VERSION = 1  # bump when the generated data changes, so a stale cache is rebuilt
_VOCABULARY = (
    "the of and to in is for on that with as by at from this new data system feed reader "
    "server cache update release version user project code file open source performance "
    "test build error fix change memory request query index storage design model language "
    "library module package config value result report city river garden market kitchen "
    "coffee music film book story author article photo light science energy climate ocean "
    "planet research study team season quickly slowly simple modern stable secure"
)
WORDS = _VOCABULARY.split()
TAGS = [f"topic-{n:02d}" for n in range(20)]


@dataclass(frozen=True)
class CacheSpec:
    feeds: int = 2000
    articles: int = 100_000
    big_feed_articles: int = 10_000
    seed: int = 1


@dataclass(frozen=True)
class BuiltCache:
    config: Path
    db: Path
    empty_db: Path
    big_feed_url: str
    articles: int
    feeds: int
    seconds: float  # how long building took (0 when reused)


def feed_url(index: int) -> str:
    # Port 9 (discard): nothing listens; the config turns every refresh off anyway.
    return f"http://127.0.0.1:9/feeds/{index:04d}.xml"


def articles_per_feed(spec: CacheSpec) -> list[int]:
    """Feed 0 gets ``big_feed_articles``; the rest share what is left as evenly as possible."""
    rest = spec.articles - spec.big_feed_articles
    others = spec.feeds - 1
    base, extra = divmod(rest, others)
    return [spec.big_feed_articles] + [base + (1 if i < extra else 0) for i in range(others)]


def write_config(path: Path, spec: CacheSpec) -> None:
    """Most feeds under one of 20 tags (the pane then has groups), a fifth untagged."""
    lines = ['[settings]\nrefresh_on_start = false\nrefresh_interval = "0"\n']
    for index in range(spec.feeds):
        lines.append(f'[[feeds]]\nurl = "{feed_url(index)}"\n')
        if index % 5:
            lines.append(f'tags = ["{TAGS[index % len(TAGS)]}"]\n')
        if index == 0:
            lines.append('title = "Ten thousand"\n')
        lines.append("\n")
    path.write_text("".join(lines), encoding="utf-8")


def _sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choices(WORDS, k=rng.randint(low, high))).capitalize()


def _body(rng: random.Random) -> str:
    """A few kB of ordinary article HTML: paragraphs, a link, a list, sometimes a quote."""
    parts = [f"<p>{_sentence(rng, 30, 60)}.</p>" for _ in range(rng.randint(3, 6))]
    parts.insert(1, f'<p>See <a href="https://example.org/{rng.randint(1, 10**6)}">more</a>.</p>')
    parts.append("<ul>" + "".join(f"<li>{_sentence(rng, 4, 9)}</li>" for _ in range(3)) + "</ul>")
    if rng.random() < 0.3:
        parts.append(f"<blockquote><p>{_sentence(rng, 10, 20)}.</p></blockquote>")
    return "".join(parts)


def _entries(index: int, count: int, rng: random.Random, now: datetime) -> tuple[ParsedEntry, ...]:
    url = feed_url(index)
    # Newest first, one every few hours, like a feed document.
    step = timedelta(minutes=37 + index % 50)
    return tuple(
        ParsedEntry(
            id=f"{url}#{n}",
            title=_sentence(rng, 4, 11),
            link=f"https://site{index:04d}.example.org/posts/{n}",
            author=None if n % 3 else "Jane Doe",
            published=now - step * (n + 1),
            summary=f"<p>{_sentence(rng, 15, 30)}.</p>",
            content=_body(rng),
        )
        for n in range(count)
    )


def _fill(db: Path, config: Path, spec: CacheSpec) -> None:
    feeds = load_config(config).feeds
    storage = Storage(db)
    try:
        storage.sync_feeds(feeds)
        rng = random.Random(spec.seed)
        now = datetime.now(UTC).replace(microsecond=0)
        for index, count in enumerate(articles_per_feed(spec)):
            parsed = ParsedFeed(
                title=f"Feed {index:04d}",
                link=f"https://site{index:04d}.example.org/",
                entries=_entries(index, count, rng, now),
            )
            plan = plan_entries(parsed.entries, {})
            fetched = now - timedelta(minutes=5)
            storage.apply_update(FeedUpdate(feeds[index].url, fetched, parsed=parsed), plan.new)
        storage.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        storage.close()


def _empty(db: Path, config: Path) -> None:
    storage = Storage(db)
    try:
        storage.sync_feeds(load_config(config).feeds)
        storage.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        storage.close()


def build(directory: Path, spec: CacheSpec | None = None, *, rebuild: bool = False) -> BuiltCache:
    """Build (or reuse, when the stamp matches) the config and both databases."""
    spec = spec or CacheSpec()
    directory.mkdir(parents=True, exist_ok=True)
    config, db, empty_db = (
        directory / "config.toml",
        directory / "big.db",
        directory / "empty.db",
    )
    stamp = directory / "stamp.json"
    wanted = {"version": BUILDER_VERSION, **spec.__dict__}
    started = time.perf_counter()
    fresh = rebuild or not stamp.exists() or json.loads(stamp.read_text()) != wanted
    if fresh:
        stamp.unlink(missing_ok=True)
        for path in directory.glob("*.db*"):
            path.unlink()
        write_config(config, spec)
        _empty(empty_db, config)
        _fill(db, config, spec)
        stamp.write_text(json.dumps(wanted))
    seconds = time.perf_counter() - started if fresh else 0.0
    return BuiltCache(
        config, db, empty_db, feed_url(0), spec.articles, spec.feeds, round(seconds, 1)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--rebuild", action="store_true", help="ignore an existing build")
    args = parser.parse_args(argv)
    built = build(args.directory, rebuild=args.rebuild)
    print(json.dumps({k: str(v) for k, v in built.__dict__.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
