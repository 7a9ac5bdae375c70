"""Config loading: the documented form, durations, one-line errors, warnings."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from reader.config import (
    STARTER_CONFIG,
    ConfigError,
    config_from_dict,
    ensure_starter_config,
    load_config,
    parse_duration,
    parse_size,
)
from reader.models import FeedConfig, Settings
from reader.paths import default_config_path

ISSUE_EXAMPLE = """\
[settings]
refresh_on_start = true      # fetch all feeds when the UI opens
refresh_interval = "30m"     # auto-refresh while open; "0" turns it off

[[feeds]]
url = "https://tass.com/rss/v2.xml"
title = "TASS"               # optional: overrides the feed's own title
tags = ["news", "world"]     # optional: groups in the feed pane
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    message = str(info.value)
    assert "\n" not in message
    return message


def test_issue_example_loads_exactly(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ISSUE_EXAMPLE))
    assert config.settings.refresh_on_start is True
    assert config.settings.refresh_interval == 1800
    assert config.feeds == (FeedConfig("https://tass.com/rss/v2.xml", "TASS", ("news", "world")),)
    assert config.warnings == ()
    assert config.path == str(tmp_path / "config.toml")


def test_empty_file_gives_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""))
    assert config.settings == Settings()
    assert config.feeds == ()


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ('"90s"', 90),
        ('"30m"', 1800),
        ('"2h"', 7200),
        ('"1d"', 86400),
        ("450", 450),
        ("90.5", 90.5),
        ('"0"', 0),
        ("0", 0),
        ('"2H"', 7200),
        ('"120"', 120),
    ],
)
def test_refresh_interval_durations(tmp_path: Path, value: str, seconds: float) -> None:
    config = load_config(write(tmp_path, f"[settings]\nrefresh_interval = {value}\n"))
    assert config.settings.refresh_interval == seconds


@pytest.mark.parametrize("value", ['"soon"', '"-5m"', '"5 minutes"', "-1", "true", "[1]"])
def test_bad_duration_names_the_key(tmp_path: Path, value: str) -> None:
    message = error_of(tmp_path, f"[settings]\nrefresh_interval = {value}\n")
    assert "refresh_interval" in message
    assert str(tmp_path / "config.toml") in message


def test_parse_duration_directly() -> None:
    assert parse_duration("90s", "x") == 90
    with pytest.raises(ConfigError, match=r"^where: "):
        parse_duration("1w", "where")


def test_timeout_accepts_duration_and_rejects_zero(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[settings]\ntimeout = "10s"\n'))
    assert config.settings.timeout == 10
    assert "timeout" in error_of(tmp_path, '[settings]\ntimeout = "0"\n')


def test_bad_toml_names_file_and_line(tmp_path: Path) -> None:
    message = error_of(
        tmp_path,
        '[settings]\nrefresh_on_start = true\nrefresh_interval = "30m\n',
    )
    assert message.startswith(str(tmp_path / "config.toml") + ": ")
    assert "line 3" in message


def test_bad_toml_on_a_later_line(tmp_path: Path) -> None:
    text = ISSUE_EXAMPLE + '\n[[feeds]]\nurl = "https://a.example/" title = "x"\n'
    message = error_of(tmp_path, text)
    assert "line 11" in message


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'[[feeds]]\nurl = "https://a.example/\xff"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


def test_missing_url_names_the_third_feed(tmp_path: Path) -> None:
    text = (
        '[[feeds]]\nurl = "https://a.example/rss"\n\n'
        '[[feeds]]\nurl = "https://b.example/rss"\n\n'
        '[[feeds]]\ntitle = "no url here"\n'
    )
    message = error_of(tmp_path, text)
    assert "[[feeds]] #3: url is missing" in message
    assert message.startswith(str(tmp_path / "config.toml"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[feeds]]\nurl = 5\n", "#1: url must be a string"),
        ('[[feeds]]\nurl = "ftp://x.example/"\n', "must start with http"),
        ('[[feeds]]\nurl = "https://a.example/"\ntitle = 3\n', "#1: title must be a string"),
        ('[[feeds]]\nurl = "https://a.example/"\ntags = [1]\n', "tags must be a list of strings"),
        ('[[feeds]]\nurl = "https://a.example/"\ntags = 2\n', "tags must be a list of strings"),
        ('[settings]\nrefresh_on_start = "yes"\n', "refresh_on_start must be true or false"),
        ("[settings]\nbrowser = 1\n", "browser must be a string"),
        ("[settings]\nmax_connections = 0\n", "max_connections must be between"),
        ('[settings]\nmax_connections = "8"\n', "max_connections must be an integer"),
        ("settings = 3\n", "[settings] must be a table"),
        ('[feeds]\nurl = "https://a.example/"\n', "[[feeds]]"),
        ("feeds = [1]\n", "#1: must be a table"),
    ],
)
def test_wrong_types(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in error_of(tmp_path, text)


def test_duplicate_url(tmp_path: Path) -> None:
    text = (
        '[[feeds]]\nurl = "https://a.example/rss"\n\n'
        '[[feeds]]\nurl = "https://b.example/rss"\n\n'
        '[[feeds]]\nurl = " https://a.example/rss "\n'
    )
    message = error_of(tmp_path, text)
    assert "#3: duplicate url 'https://a.example/rss' (also in #1)" in message


def test_unknown_keys_are_warnings_naming_them(tmp_path: Path) -> None:
    text = (
        'colour = "blue"\n'
        "[settings]\nrefresh_on_start = false\nthemee = 1\n\n"
        '[[feeds]]\nurl = "https://a.example/rss"\n\n'
        '[[feeds]]\nurl = "https://b.example/rss"\nfull_txt = true\n'
    )
    config = load_config(write(tmp_path, text))
    assert config.settings.refresh_on_start is False
    assert len(config.feeds) == 2
    warnings = "\n".join(config.warnings)
    assert len(config.warnings) == 3
    assert "'colour'" in warnings
    assert "[settings]: unknown key 'themee'" in warnings
    assert "[[feeds]] #2: unknown key 'full_txt'" in warnings


def test_tags_string_dedup_and_blank_title(tmp_path: Path) -> None:
    text = (
        '[[feeds]]\nurl = "https://a.example/rss"\ntitle = "  "\n'
        'tags = ["news", " news ", "", "tech"]\n\n'
        '[[feeds]]\nurl = "https://b.example/rss"\ntags = "solo"\n'
    )
    config = load_config(write(tmp_path, text))
    assert config.feeds == (
        FeedConfig("https://a.example/rss", None, ("news", "tech")),
        FeedConfig("https://b.example/rss", None, ("solo",)),
    )


def test_browser_setting(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[settings]\nbrowser = "firefox %u"\n'))
    assert config.settings.browser == "firefox %u"


def test_starter_config_written_to_default_path_and_parses(isolated_env: Path) -> None:
    path = default_config_path()
    assert path.is_relative_to(isolated_env)  # the fixture isolated the user's dirs
    assert not path.exists()
    assert ensure_starter_config(path) is True
    assert path.read_text(encoding="utf-8") == STARTER_CONFIG
    config = load_config(path)
    assert config.warnings == ()
    assert len(config.feeds) >= 3
    assert all(feed.url.startswith("https://") for feed in config.feeds)
    assert config.settings.refresh_interval == 1800
    # A second call leaves the (possibly edited) file alone.
    path.write_text(ISSUE_EXAMPLE, encoding="utf-8")
    assert ensure_starter_config(path) is False
    assert path.read_text(encoding="utf-8") == ISSUE_EXAMPLE


def test_starter_config_contains_the_issue_example_settings() -> None:
    data = tomllib.loads(STARTER_CONFIG)
    assert data["settings"] == {"refresh_on_start": True, "refresh_interval": "30m"}
    assert {"url": "https://tass.com/rss/v2.xml", "title": "TASS", "tags": ["news", "world"]} in (
        data["feeds"]
    )


@pytest.mark.parametrize(
    "url", ["https://a.example/x y", "https://a.example/\x1b[2J", "https://a.example/\u202ex"]
)
def test_urls_with_spaces_or_control_characters_are_refused(url: str) -> None:
    with pytest.raises(ConfigError, match=r"\[\[feeds\]\] #1: url contains spaces or control"):
        config_from_dict({"feeds": [{"url": url}]}, "c.toml")


def test_refresh_interval_under_a_minute_is_refused() -> None:
    with pytest.raises(ConfigError, match=r'refresh_interval: must be "0" \(off\) or at least'):
        config_from_dict({"settings": {"refresh_interval": "30s"}}, "c.toml")
    assert (
        config_from_dict({"settings": {"refresh_interval": 60}}, "c").settings.refresh_interval
        == 60
    )


def test_size_and_per_host_settings(tmp_path: Path) -> None:
    path = write(tmp_path, '[settings]\nmax_feed_size = "2MiB"\nconnections_per_host = 2\n')
    settings = load_config(path).settings
    assert settings.max_feed_size == 2 * 1024 * 1024
    assert settings.connections_per_host == 2
    assert Settings().max_feed_size == 16 * 1024 * 1024
    assert Settings().connections_per_host == 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [("512", 512), ("500kB", 500_000), ("1.5 KiB", 1536), ("1GB", 10**9), (2048, 2048)],
)
def test_parse_size(text: object, expected: int) -> None:
    assert parse_size(text, "x") == expected


@pytest.mark.parametrize(
    "body",
    [
        'max_feed_size = "lots"',
        "max_feed_size = 10",
        "max_feed_size = true",
        "connections_per_host = 0",
        'connections_per_host = "4"',
    ],
)
def test_bad_size_and_per_host_settings(tmp_path: Path, body: str) -> None:
    assert "[settings]" in error_of(tmp_path, f"[settings]\n{body}\n")


def test_full_text_and_reading_width(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[settings]\nfull_text = true\nreading_width = 72\n\n"
        '[[feeds]]\nurl = "https://a.example/f"\nfull_text = false\n\n'
        '[[feeds]]\nurl = "https://b.example/f"\n',
    )
    config = load_config(path)
    assert (config.settings.full_text, config.settings.reading_width) == (True, 72)
    assert [feed.full_text for feed in config.feeds] == [False, None]
    assert not config.warnings
    assert (Settings().full_text, Settings().reading_width) == (False, 100)


@pytest.mark.parametrize(
    "body",
    [
        '[settings]\nfull_text = "yes"\n',
        "[settings]\nreading_width = 5\n",
        '[settings]\nreading_width = "wide"\n',
        '[[feeds]]\nurl = "https://a.example/f"\nfull_text = 1\n',
    ],
)
def test_bad_full_text_and_reading_width(tmp_path: Path, body: str) -> None:
    assert "full_text" in error_of(tmp_path, body) or "reading_width" in error_of(tmp_path, body)


def test_theme_is_a_name_left_for_the_ui_to_check(tmp_path: Path) -> None:
    assert Settings().theme == "textual-dark"
    path = write(tmp_path, '[settings]\ntheme = "  nord "\n')
    assert load_config(path).settings.theme == "nord"
    path = write(tmp_path, '[settings]\ntheme = "no-such-theme"\n')
    assert load_config(path).settings.theme == "no-such-theme"  # the UI warns, knowing the list


@pytest.mark.parametrize(
    "body",
    ["theme = 3", 'theme = ""', 'theme = "   "', 'theme = "nord\\u001b]0;owned\\u0007"'],
)
def test_bad_theme(tmp_path: Path, body: str) -> None:
    message = error_of(tmp_path, f"[settings]\n{body}\n")
    assert "[settings]: theme must be a theme's name" in message
    assert "\x1b" not in message
