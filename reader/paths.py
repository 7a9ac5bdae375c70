"""Where the config file and the database live.

Resolved lazily, never at import time, so tests and the CLI can point
everything elsewhere with flags or environment variables first.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "newsreader"
CONFIG_ENV = "NEWSREADER_CONFIG"
DB_ENV = "NEWSREADER_DB"


def default_config_path() -> Path:
    import platformdirs

    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def default_db_path() -> Path:
    import platformdirs

    return platformdirs.user_data_path(APP_NAME) / "newsreader.db"


def resolve_config_path(flag: str | None) -> tuple[Path, bool]:
    """The config path to use, and whether the user chose it explicitly.

    The flag wins over the environment variable, which wins over the default.
    """
    if flag:
        return Path(flag).expanduser(), True
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser(), True
    return default_config_path(), False


def resolve_db_path(flag: str | None) -> Path:
    """The database path: flag, then environment variable, then default."""
    if flag:
        return Path(flag).expanduser()
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    return default_db_path()
