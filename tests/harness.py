"""Shared pieces of the CLI and service fixtures in conftest.py, importable for type hints."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reader.service import Service

OpenService = Callable[..., Service]  # (feeds, settings=None) -> Service on a shared database


@dataclass
class Run:
    """What one in-process ``newsreader`` command did."""

    code: int
    out: str
    err: str


def open_service_in(
    directory: Path, opened: list[Service]
) -> Callable[[Sequence[Mapping[str, Any]], Mapping[str, Any] | None], Service]:
    """A factory of Services over configs written in ``directory``, all on one database."""
    from reader.config import load_config
    from tests.feedserver import write_config

    def open_(
        feeds: Sequence[Mapping[str, Any]], settings: Mapping[str, Any] | None = None
    ) -> Service:
        config = write_config(directory / f"config{len(opened)}", feeds, settings)
        service = Service(load_config(config), directory / "data" / "newsreader.db")
        opened.append(service)
        return service

    return open_
