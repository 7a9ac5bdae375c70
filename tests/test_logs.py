"""The log file: details go there, never to the user's terminal."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.logs import LOGGER_NAME, MAX_BYTES, setup_logging


@pytest.fixture(autouse=True)
def restore_logger() -> Iterator[None]:
    logger = logging.getLogger(LOGGER_NAME)
    handlers, propagate, raise_exceptions = (
        list(logger.handlers),
        logger.propagate,
        logging.raiseExceptions,
    )
    yield
    for handler in list(logger.handlers):
        if handler not in handlers:
            logger.removeHandler(handler)
            handler.close()
    logger.propagate = propagate
    logging.raiseExceptions = raise_exceptions


def test_details_go_to_the_rotating_log(tmp_path: Path) -> None:
    path = setup_logging(tmp_path / "log" / "newsreader.log")
    assert path == tmp_path / "log" / "newsreader.log"
    try:
        raise ValueError("the detail")
    except ValueError:
        logging.getLogger(f"{LOGGER_NAME}.update").exception("feed failed")
    text = path.read_text(encoding="utf-8")
    assert "feed failed" in text and "Traceback" in text and "the detail" in text
    # Rotation keeps it bounded.
    for _ in range(3 * MAX_BYTES // 1000 + 10):
        logging.getLogger(LOGGER_NAME).warning("x" * 1000)
    assert path.stat().st_size <= MAX_BYTES + 2000
    assert sorted(p.name for p in path.parent.iterdir())[:2] == [
        "newsreader.log",
        "newsreader.log.1",
    ]


def test_an_unwritable_log_location_prints_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert setup_logging(blocker / "log" / "newsreader.log") is None
    logging.getLogger(f"{LOGGER_NAME}.update").warning("would have gone to stderr")
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_a_log_file_that_fails_later_prints_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log_dir = tmp_path / "log"
    path = setup_logging(log_dir / "newsreader.log")  # opened lazily, on the first record
    assert path is not None
    log_dir.rmdir()
    log_dir.write_text("now a file")  # the directory is gone: opening the log fails
    logging.getLogger(LOGGER_NAME).warning("lost, quietly")
    assert capsys.readouterr().err == ""
