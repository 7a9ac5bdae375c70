"""Fixed sample feeds for the snapshot test and ``make screenshots``.

Built straight into a database through the project's own storage code, with
fixed dates, so the pictures are the same on every machine.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from reader.config import load_config
from reader.decide import plan_entries
from reader.models import FeedUpdate, ParsedEntry, ParsedFeed
from reader.storage import Storage

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

CONFIG = """\
[settings]
refresh_on_start = false
refresh_interval = "0"

[[feeds]]
url = "https://news.example.org/world.xml"
title = "World News"
tags = ["news"]

[[feeds]]
url = "https://agency.example.net/rss/v2.xml"
title = "Wire Agency"
tags = ["news", "world"]

[[feeds]]
url = "https://kernel.example.com/headlines/rss"
title = "Kernel Weekly"
tags = ["tech"]

[[feeds]]
url = "https://blog.example.dev/atom.xml"
title = "A Programmer's Notes"
tags = ["tech"]

[[feeds]]
url = "https://broken.example.com/feed"
title = "Broken feed"
"""

BODY = (
    "<p>The committee met on <strong>Thursday</strong> to agree the final text. "
    "Delegates from forty countries took part, and the chair said the outcome was "
    "<em>better than anyone expected</em>.</p>"
    "<h2>What was agreed</h2>"
    "<ul><li>A shared timetable for the next three years.</li>"
    "<li>Funding for the secretariat.</li>"
    "<li>A review clause after eighteen months.</li></ul>"
    "<blockquote><p>We leave with more than we came for.</p></blockquote>"
    '<p>Read the <a href="https://news.example.org/docs/final-text">full text</a> '
    'or the <a href="https://news.example.org/faq">questions and answers</a>.</p>'
)

FEEDS: dict[str, list[tuple[str, str]]] = {
    "https://news.example.org/world.xml": [
        ("Talks end with agreement on a shared timetable", "Jane Doe"),
        ("Storm closes ports along the northern coast", ""),
        ("Museum returns artefacts after decades-long campaign", "Ali Hassan"),
        ("Elections: what to watch for this weekend", ""),
    ],
    "https://agency.example.net/rss/v2.xml": [
        ("Ministers meet to discuss energy prices", ""),
        ("Rail line reopens after repairs", ""),
        ("Central bank holds rates steady", ""),
    ],
    "https://kernel.example.com/headlines/rss": [
        ("Kernel prepatch 6.19-rc3", "Editor"),
        ("A new scheduler for latency-sensitive tasks", "Editor"),
        ("Security updates for Tuesday", ""),
    ],
    "https://blog.example.dev/atom.xml": [
        ("Writing a terminal UI that stays fast at 100,000 rows", "Sam"),
        ("Notes on SQLite's WAL mode", "Sam"),
    ],
}


def build_sample(directory: Path) -> tuple[Path, Path]:
    """Write config.toml and newsreader.db under ``directory``; return both paths."""
    config_path = directory / "config.toml"
    db_path = directory / "newsreader.db"
    config_path.write_text(CONFIG, encoding="utf-8")
    config = load_config(config_path)
    storage = Storage(db_path)
    storage.sync_feeds(config.feeds)
    step = 0
    for url, items in FEEDS.items():
        entries = []
        for index, (title, author) in enumerate(items):
            step += 1
            entries.append(
                ParsedEntry(
                    id=f"{url}#{index}",
                    title=title,
                    link=f"{url.rsplit('/', 1)[0]}/articles/{index}",
                    author=author or None,
                    published=NOW - timedelta(hours=3 * step + index * 20),
                    summary=BODY,
                )
            )
        site = url.split("/")[2]
        parsed = ParsedFeed(title=site, link=f"https://{site}/", entries=tuple(entries))
        plan = plan_entries(parsed.entries, {})
        update = FeedUpdate(url, NOW - timedelta(minutes=5), parsed=parsed)
        storage.apply_update(update, plan.new, plan.changed)
    storage.apply_update(
        FeedUpdate(
            "https://broken.example.com/feed",
            NOW - timedelta(minutes=5),
            error="HTTP 404 Not Found",
        )
    )
    first_ids = storage.entry_ids([f.url for f in config.feeds])
    storage.set_read(first_ids[3:6], True)
    storage.set_starred(first_ids[1:2], True)
    storage.close()
    return config_path, db_path
