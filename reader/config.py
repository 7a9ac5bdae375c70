"""The TOML config file → a frozen, validated :class:`~reader.models.Config`.

The config is the source of truth for *which* feeds exist. Errors name the
file and either the line (TOML syntax) or the table and key, in one line,
because users edit this file by hand. Unknown keys are warnings so a config
written for a later version still loads.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from reader.models import Config, FeedConfig, Settings
from reader.sanitize import has_controls

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?\s*$")
_SIZE_UNITS = {
    None: 1,
    "b": 1,
    "kb": 1000,
    "kib": 1024,
    "mb": 1000**2,
    "mib": 1024**2,
    "gb": 1000**3,
    "gib": 1024**3,
}
MIN_FEED_SIZE = 1024
_SETTINGS_KEYS = {
    "refresh_on_start",
    "refresh_interval",
    "browser",
    "timeout",
    "max_connections",
    "connections_per_host",
    "max_feed_size",
    "full_text",
    "reading_width",
    "theme",
}
_FEED_KEYS = {"url", "title", "tags", "full_text"}
_TOP_KEYS = {"settings", "feeds"}

STARTER_CONFIG = """\
# newsreader configuration.
#
# Add a feed with a [[feeds]] table: `url` is required, `title` overrides
# the feed's own title, `tags` groups feeds in the feed pane.
# Durations are "90s", "30m", "2h", "1d" or a number of seconds; "0" is off.

[settings]
refresh_on_start = true      # fetch all feeds when the UI opens
refresh_interval = "30m"     # auto-refresh while open; "0" turns it off
# browser = "firefox %u"     # how `o` opens links; default: $BROWSER, then the system browser
# timeout = "30s"            # give up on a feed after this long
# max_feed_size = "16MiB"    # read no more of one feed than this
# connections_per_host = 4   # feeds fetched at once from one server
# full_text = false          # fetch every new article's web page (per feed: full_text = true)
# reading_width = 100        # columns of article text at most
# theme = "textual-dark"     # colours: "textual-light", "nord", "ansi-dark" (the terminal's)…

# --- Examples: well-known public feeds. Delete or replace them. ---

[[feeds]]
url = "https://lwn.net/headlines/rss"
title = "LWN.net"
tags = ["tech", "linux"]

[[feeds]]
url = "https://hnrss.org/frontpage"
title = "Hacker News"
tags = ["tech"]

[[feeds]]
url = "https://feeds.bbci.co.uk/news/world/rss.xml"
title = "BBC World"
tags = ["news", "world"]

[[feeds]]
url = "https://tass.com/rss/v2.xml"
title = "TASS"
tags = ["news", "world"]

[[feeds]]
url = "https://xkcd.com/atom.xml"
title = "xkcd"
"""


MIN_REFRESH_INTERVAL = 60.0


class ConfigError(Exception):
    """A config problem, described in one line for the user."""


def parse_duration(value: object, where: str) -> float:
    """Seconds from ``"90s"``, ``"30m"``, ``"2h"``, ``"1d"`` or a number."""
    if isinstance(value, bool):
        raise ConfigError(f'{where}: expected a duration like "30m", got {value!r}')
    if isinstance(value, int | float):
        if value < 0:
            raise ConfigError(f"{where}: duration must not be negative")
        return float(value)
    if isinstance(value, str):
        match = _DURATION.match(value.lower())
        if match:
            return float(match.group(1)) * _UNITS[match.group(2)]
    raise ConfigError(
        f'{where}: expected a duration like "90s", "30m", "2h" or "1d", got {value!r}'
    )


def parse_size(value: object, where: str) -> int:
    """Bytes from ``"16MiB"``, ``"500kB"``, ``"2GB"`` or a number of bytes."""
    if isinstance(value, bool):
        raise ConfigError(f'{where}: expected a size like "16MiB", got {value!r}')
    if isinstance(value, int | float):
        if value < 0:
            raise ConfigError(f"{where}: size must not be negative")
        return int(value)
    if isinstance(value, str):
        match = _SIZE.match(value.lower())
        if match:
            return int(float(match.group(1)) * _SIZE_UNITS[match.group(2)])
    raise ConfigError(f'{where}: expected a size like "16MiB", "500kB" or bytes, got {value!r}')


def load_config(path: Path) -> Config:
    """Read and validate the config file at ``path``."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {_describe_toml_error(exc)}") from None
    return config_from_dict(data, str(path))


def _describe_toml_error(exc: tomllib.TOMLDecodeError) -> str:
    """'line 3, column 7: Invalid value' from tomllib's '... (at line 3, column 7)'."""
    message = str(exc)
    match = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if not match:
        match_eof = "end of document" in message
        text = re.sub(r"\s*\(at end of document\)", "", message)
        return f"invalid TOML at end of file: {text}" if match_eof else f"invalid TOML: {text}"
    text = message[: match.start()].strip()
    return f"invalid TOML at line {match.group(1)}, column {match.group(2)}: {text}"


def feed_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a feed URL, or None when it can."""
    if " " in url or has_controls(url):
        return "url contains spaces or control characters"
    if not re.match(r"^https?://[^/\s]+", url, re.IGNORECASE):
        return f"url must start with http:// or https:// (got {url!r})"
    return None


def config_from_dict(data: dict[str, Any], path: str) -> Config:
    """Validate an already-parsed TOML document."""
    warnings: list[str] = []
    for key in data:
        if key not in _TOP_KEYS:
            warnings.append(f"{path}: unknown key {key!r} ignored")
    settings = _settings(data.get("settings", {}), path, warnings)
    feeds = _feeds(data.get("feeds", []), path, warnings)
    return Config(path=path, settings=settings, feeds=feeds, warnings=tuple(warnings))


def _bool_setting(raw: dict[str, Any], key: str, default: bool, where: str) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: {key} must be true or false")
    return value


def _int_setting(
    raw: dict[str, Any], key: str, default: int, where: str, low: int, high: int, unit: str = ""
) -> int:
    """An integer setting within [low, high]; ``unit`` names what it counts in errors."""
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        kind = f"a number of {unit}" if unit else "an integer"
        raise ConfigError(f"{where}: {key} must be {kind}")
    if not low <= value <= high:
        raise ConfigError(
            f"{where}: {key} must be between {low} and {high}{' ' + unit if unit else ''}"
        )
    return value


def _settings(raw: object, path: str, warnings: list[str]) -> Settings:
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: [settings] must be a table")
    defaults = Settings()
    where = f"{path}: [settings]"
    for key in raw:
        if key not in _SETTINGS_KEYS:
            warnings.append(f"{where}: unknown key {key!r} ignored")
    refresh_on_start = _bool_setting(raw, "refresh_on_start", defaults.refresh_on_start, where)
    browser = raw.get("browser", defaults.browser)
    if browser is not None and not isinstance(browser, str):
        raise ConfigError(f"{where}: browser must be a string (a command, %u is the link)")
    max_connections = _int_setting(raw, "max_connections", defaults.max_connections, where, 1, 256)
    per_host = _int_setting(
        raw, "connections_per_host", defaults.connections_per_host, where, 1, 64
    )
    max_feed_size = parse_size(
        raw.get("max_feed_size", defaults.max_feed_size), f"{where} max_feed_size"
    )
    if max_feed_size < MIN_FEED_SIZE:
        raise ConfigError(f'{where} max_feed_size: must be at least "1KiB"')
    full_text = _bool_setting(raw, "full_text", defaults.full_text, where)
    reading_width = _int_setting(
        raw, "reading_width", defaults.reading_width, where, 20, 1000, unit="columns"
    )
    theme = raw.get("theme", defaults.theme)
    if not isinstance(theme, str) or not theme.strip() or has_controls(theme) or len(theme) > 100:
        raise ConfigError(f'{where}: theme must be a theme\'s name, e.g. "textual-light"')
    timeout = parse_duration(raw.get("timeout", defaults.timeout), f"{where} timeout")
    if timeout <= 0:
        raise ConfigError(f"{where} timeout: must be more than 0")
    refresh_interval = parse_duration(
        raw.get("refresh_interval", defaults.refresh_interval), f"{where} refresh_interval"
    )
    if 0 < refresh_interval < MIN_REFRESH_INTERVAL:
        raise ConfigError(
            f'{where} refresh_interval: must be "0" (off) or at least "1m", to spare the servers'
        )
    return Settings(
        refresh_on_start=refresh_on_start,
        refresh_interval=refresh_interval,
        browser=browser or None,
        timeout=timeout,
        max_connections=max_connections,
        connections_per_host=per_host,
        max_feed_size=max_feed_size,
        full_text=full_text,
        reading_width=reading_width,
        theme=theme.strip(),
    )


def _feeds(raw: object, path: str, warnings: list[str]) -> tuple[FeedConfig, ...]:
    if not isinstance(raw, list):
        raise ConfigError(f"{path}: feeds must be an array of tables ([[feeds]])")
    feeds: list[FeedConfig] = []
    seen: dict[str, int] = {}
    for number, table in enumerate(raw, start=1):
        where = f"{path}: [[feeds]] #{number}"
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: must be a table")
        for key in table:
            if key not in _FEED_KEYS:
                warnings.append(f"{where}: unknown key {key!r} ignored")
        url = table.get("url")
        if url is None:
            raise ConfigError(f"{where}: url is missing")
        if not isinstance(url, str):
            raise ConfigError(f"{where}: url must be a string")
        url = url.strip()
        problem = feed_url_problem(url)
        if problem:
            raise ConfigError(f"{where}: {problem}")
        if url in seen:
            raise ConfigError(f"{where}: duplicate url {url!r} (also in #{seen[url]})")
        seen[url] = number
        title = table.get("title")
        if title is not None and not isinstance(title, str):
            raise ConfigError(f"{where}: title must be a string")
        tags = table.get("tags", [])
        if isinstance(tags, str):
            tags = [tags]
        if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
            raise ConfigError(f"{where}: tags must be a list of strings")
        clean_tags = tuple(dict.fromkeys(tag.strip() for tag in tags if tag.strip()))
        full_text = table.get("full_text")
        if full_text is not None and not isinstance(full_text, bool):
            raise ConfigError(f"{where}: full_text must be true or false")
        feeds.append(
            FeedConfig(
                url=url,
                title=(title or "").strip() or None,
                tags=clean_tags,
                full_text=full_text,
            )
        )
    return tuple(feeds)


def ensure_starter_config(path: Path) -> bool:
    """Write the commented starter config if ``path`` does not exist.

    Returns True when it was written, so the caller can tell the user where.
    """
    if path.exists():
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:
            handle.write(STARTER_CONFIG)
    except FileExistsError:
        return False
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigError(f"{path}: cannot write the starter config: {reason}") from None
    return True
