"""add_feeds: appends [[feeds]] tables without disturbing the user's file."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from reader.config_edit import AddResult, ConfigEditError, add_feeds
from reader.models import FeedConfig

COMMENTED = """\
# my feeds
[settings]
refresh_on_start = true      # fetch all feeds when the UI opens

[[feeds]]
url = "https://tass.com/rss/v2.xml"
title = "TASS"               # optional
tags = ["news", "world"]     # optional
# trailing comment, no newline"""


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode())
    return path


def test_appends_to_commented_file_keeping_every_byte(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", COMMENTED)
    new = [
        FeedConfig("https://lwn.net/headlines/rss", 'LWN "net" \\ é', ("tech", "linux")),
        FeedConfig("https://xkcd.com/atom.xml"),
    ]
    result = add_feeds(path, new)
    assert result == AddResult(added=tuple(new), skipped=())
    text = path.read_text(encoding="utf-8")
    assert text.startswith(COMMENTED + "\n")
    data = tomllib.loads(text)
    assert data["settings"] == {"refresh_on_start": True}
    assert data["feeds"] == [
        {"url": "https://tass.com/rss/v2.xml", "title": "TASS", "tags": ["news", "world"]},
        {
            "url": "https://lwn.net/headlines/rss",
            "title": 'LWN "net" \\ é',
            "tags": ["tech", "linux"],
        },
        {"url": "https://xkcd.com/atom.xml"},
    ]
    appended = text[len(COMMENTED) :]
    assert appended.startswith("\n\n[[feeds]]\nurl = ")
    assert appended.index("url") < appended.index("title") < appended.index("tags")


def test_skips_existing_and_normalised_duplicates(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", COMMENTED + "\n")
    feeds = [
        FeedConfig("https://tass.com/rss/v2.xml"),
        FeedConfig("HTTPS://TASS.com/rss/v2.xml/"),
        FeedConfig("https://new.example/feed/"),
        FeedConfig("https://NEW.example/feed", "again"),
        FeedConfig("https://new.example/Feed"),  # path case matters
    ]
    result = add_feeds(path, feeds)
    assert result.added == (feeds[2], feeds[4])
    assert result.skipped == (feeds[0], feeds[1], feeds[3])
    urls = [f["url"] for f in tomllib.loads(path.read_text())["feeds"]]
    assert urls == [
        "https://tass.com/rss/v2.xml",
        "https://new.example/feed/",
        "https://new.example/Feed",
    ]


def test_nothing_new_leaves_file_untouched(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", COMMENTED)
    before = path.stat().st_mtime_ns
    result = add_feeds(path, [FeedConfig("https://tass.com/rss/v2.xml/")])
    assert result.added == () and len(result.skipped) == 1
    assert path.read_text() == COMMENTED
    assert path.stat().st_mtime_ns == before


def test_creates_missing_file_and_directory(tmp_path: Path) -> None:
    path = tmp_path / "newsreader" / "config.toml"
    add_feeds(path, [FeedConfig("https://a.example/rss", "A", ("x",))])
    assert tomllib.loads(path.read_text()) == {
        "feeds": [{"url": "https://a.example/rss", "title": "A", "tags": ["x"]}]
    }
    assert path.read_text().startswith("[[feeds]]\n")
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_empty_file_and_file_without_feeds(tmp_path: Path) -> None:
    empty = write(tmp_path / "empty.toml", "")
    add_feeds(empty, [FeedConfig("https://a.example/")])
    assert tomllib.loads(empty.read_text()) == {"feeds": [{"url": "https://a.example/"}]}
    settings = write(tmp_path / "settings.toml", "[settings]\nrefresh_on_start = false\n")
    add_feeds(settings, [FeedConfig("https://a.example/")])
    assert settings.read_text() == (
        '[settings]\nrefresh_on_start = false\n\n[[feeds]]\nurl = "https://a.example/"\n'
    )


def test_keeps_mode_and_crlf_line_endings(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", COMMENTED.replace("\n", "\r\n") + "\r\n")
    os.chmod(path, 0o640)
    add_feeds(path, [FeedConfig("https://a.example/", "A")])
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    data = path.read_bytes()
    assert data.startswith(COMMENTED.replace("\n", "\r\n").encode())
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert tomllib.loads(data.decode())["feeds"][-1] == {"url": "https://a.example/", "title": "A"}


def test_invalid_toml_raises_and_leaves_file_unchanged(tmp_path: Path) -> None:
    bad = "[settings]\nrefresh_on_start = true\nurl = = 3\n"
    path = write(tmp_path / "config.toml", bad)
    with pytest.raises(ConfigEditError) as e:
        add_feeds(path, [FeedConfig("https://a.example/")])
    message = str(e.value)
    assert message.startswith(f"{path}: ") and "line 3" in message and "\n" not in message
    assert path.read_text() == bad
    assert list(tmp_path.iterdir()) == [path]


@pytest.mark.parametrize(
    "text", ['feeds = [{ url = "https://a.example/" }]\n', "[feeds]\nurl = 'x'\n", "feeds = 3\n"]
)
def test_feeds_that_are_not_an_array_of_tables_is_an_error(tmp_path: Path, text: str) -> None:
    path = write(tmp_path / "config.toml", text)
    with pytest.raises(ConfigEditError, match=r"\[\[feeds\]\]"):
        add_feeds(path, [FeedConfig("https://b.example/")])
    assert path.read_text() == text


def test_symlinked_config_is_edited_through_the_link(tmp_path: Path) -> None:
    real = write(tmp_path / "dotfiles.toml", COMMENTED)
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    add_feeds(link, [FeedConfig("https://a.example/")])
    assert link.is_symlink()
    assert real.read_text().startswith(COMMENTED)
    assert "https://a.example/" in real.read_text()
