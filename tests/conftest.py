"""Shared fixtures: an isolated environment, a real feed server, config files."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reader.cli import main
from reader.service import Service
from tests.feedserver import FeedServer, write_config
from tests.harness import OpenService, Run, open_service_in

_CLEARED_ENV = (
    "NEWSREADER_CONFIG",
    "NEWSREADER_DB",
    "BROWSER",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point HOME and the XDG dirs at a temp dir, so no test touches real files.

    Returns the fake home directory, which is outside ``tmp_path`` so tests
    can still list that. Proxies are cleared so requests to the test server
    on 127.0.0.1 go straight to it.
    """
    home = tmp_path_factory.mktemp("home")
    for name, sub in (
        ("HOME", ""),
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_STATE_HOME", ".local/state"),
    ):
        directory = home / sub
        directory.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(name, str(directory))
    for name in _CLEARED_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    return home


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A real HTTP server on 127.0.0.1, fresh for each test."""
    with FeedServer() as server:
        yield server


@pytest.fixture(name="write_config")
def write_config_fixture() -> Callable[..., Path]:
    """``write_config(directory, feeds, settings=None) -> Path`` (also importable)."""
    return write_config


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """``run(*argv)``: call ``main(argv)`` in-process; its exit status and output."""

    def run_(*argv: str | Path) -> Run:
        try:
            code = main([str(arg) for arg in argv])
        except SystemExit as exc:  # argparse: --help, --version, usage errors
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run_


@pytest.fixture
def open_service(tmp_path: Path) -> Iterator[OpenService]:
    """``open_service(feeds, settings=None)``: a Service; every call shares one database."""
    opened: list[Service] = []
    yield open_service_in(tmp_path, opened)
    for service in opened:
        service.close()
