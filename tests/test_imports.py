"""Nothing outside ``reader/ui/`` imports Textual (each module in a fresh interpreter)."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import reader
from tests.feedserver import FeedServer, rss, write_config

CHECK = (
    "import importlib, sys; importlib.import_module(sys.argv[1]); "
    "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')); "
    "print(' '.join(bad))"
)


def core_modules() -> list[str]:
    names = [
        info.name
        for info in pkgutil.walk_packages(reader.__path__, prefix="reader.")
        if info.name != "reader.ui" and not info.name.startswith("reader.ui.")
    ]
    return ["reader", *sorted(names)]


def test_the_module_list_covers_the_core() -> None:
    modules = core_modules()
    for name in ("reader.cli", "reader.service", "reader.storage.store", "reader.output"):
        assert name in modules
    assert not any(name.startswith("reader.ui") for name in modules)


@pytest.mark.parametrize("module", core_modules())
def test_core_module_does_not_import_textual(module: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK, module],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"{module} pulled in {result.stdout.strip()}"


def test_the_check_itself_detects_textual() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK, "reader.ui.app"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "textual" in result.stdout.split()


LIGHT_COMMAND = (
    "import sys; from reader.cli import main; code = main(sys.argv[1:]); "
    "heavy = ('textual', 'httpx', 'feedparser', 'trafilatura', 'lxml', 'readability'); "
    "print('LOADED:' + ' '.join(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))"
)


def python(code: str, *argv: str, config: Path) -> subprocess.CompletedProcess[str]:
    """``code`` run by a fresh interpreter, with ``config`` and a database beside it."""
    env = {
        **os.environ,
        "NEWSREADER_CONFIG": str(config),
        "NEWSREADER_DB": str(config.parent / "db"),
    }
    return subprocess.run(
        [sys.executable, "-c", code, *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


@pytest.mark.parametrize("argv", [["unread"], ["feeds", "--json"], ["entries", "--limit", "5"]])
def test_reading_commands_do_not_import_the_network_parsing_or_ui_stacks(
    argv: list[str], tmp_path: Path
) -> None:
    """`newsreader unread` starts fast: no Textual, httpx, feedparser or extraction."""
    config = tmp_path / "config.toml"
    config.write_text('[[feeds]]\nurl = "https://example.org/feed"\n', encoding="utf-8")
    result = python(LIGHT_COMMAND, *argv, config=config)
    assert result.returncode == 0, result.stderr
    (loaded,) = [line for line in result.stdout.splitlines() if line.startswith("LOADED:")]
    assert loaded == "LOADED:", loaded


def test_the_light_command_check_sees_heavy_imports(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    result = python("import httpx; " + LIGHT_COMMAND, "unread", config=config)
    assert "httpx" in result.stdout


REFRESH = (
    "import sys; from reader.cli import main; code = main(['refresh']); "
    "heavy = ('feedparser', 'reader.parse', 'reader.output', 'reader.text', 'lxml', 'textual'); "
    "print('LOADED:' + ' '.join(sorted(m for m in sys.modules if m in heavy or "
    "m.split('.')[0] in heavy)))"
)


def test_a_refresh_where_every_feed_answers_304_loads_no_parser(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    """Nothing to parse, nothing to show: feedparser and the text renderer stay unloaded."""
    urls = [feed_server.add(f"/{n}", rss("f", [{"guid": "1"}]), etag=f'"{n}"') for n in (1, 2)]
    config = write_config(tmp_path, [{"url": url} for url in urls])

    def refresh() -> tuple[str, str]:
        result = python(REFRESH, config=config)
        assert result.returncode == 0, result.stderr
        *summary, loaded = result.stdout.strip().splitlines()
        return "\n".join(summary), loaded

    first = refresh()  # stores the validators; parsing loads feedparser (the check sees it)
    assert first[0].startswith("2 feeds: 2 ok"), first
    assert "feedparser" in first[1].removeprefix("LOADED:").split(), first
    summary, loaded = refresh()
    assert summary.startswith("2 feeds: 0 ok, 2 not modified"), summary
    assert loaded == "LOADED:", loaded
