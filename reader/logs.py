"""The log file: full details of errors the user only sees as one line.

Lives under ``platformdirs.user_log_path("newsreader")`` and is rotated so it
never grows past a few MB. Set up lazily by the CLI, never at import time.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

LOGGER_NAME = "reader"
MAX_BYTES = 1_000_000
BACKUPS = 3


def default_log_path() -> Path:
    import platformdirs

    return platformdirs.user_log_path("newsreader") / "newsreader.log"


def setup_logging(path: Path | None = None) -> Path | None:
    """Send the ``reader`` logger to a rotating file; None if it cannot be created."""
    path = path or default_log_path()
    # A log file that cannot be written later (disk full, removed) must not
    # print logging's own traceback on the user's terminal.
    logging.raiseExceptions = False
    logger = logging.getLogger(LOGGER_NAME)
    for handler in list(logger.handlers):
        if isinstance(handler, logging.handlers.RotatingFileHandler):
            logger.removeHandler(handler)
            handler.close()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True
        )
    except OSError:
        # No log file: drop the details rather than let Python print them to stderr.
        logger.addHandler(logging.NullHandler())
        logger.propagate = False
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return path
