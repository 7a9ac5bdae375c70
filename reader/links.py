"""Deciding whether and how to open a link.

Feeds can put anything in a link; only http, https and mailto are opened.
The browser is the ``browser`` setting (a command with ``%u``), else
``$BROWSER``, else Python's :mod:`webbrowser`.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from urllib.parse import urlsplit

from reader.sanitize import has_controls

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
TERMINAL_BROWSERS = frozenset(
    {"lynx", "w3m", "links", "links2", "elinks", "browsh", "carbonyl", "www-browser", "chawan"}
)


class LinkRefused(Exception):
    """A link that newsreader will not open; the message says why."""


def check_link(url: str | None) -> str:
    """Return the link if it may be opened, else raise :class:`LinkRefused`."""
    if not url or not url.strip():
        raise LinkRefused("this article has no link")
    url = url.strip()
    if has_controls(url):
        raise LinkRefused("refusing to open a link containing control characters")
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        raise LinkRefused("refusing to open a malformed link") from None
    if scheme not in ALLOWED_SCHEMES:
        shown = scheme or "no"
        raise LinkRefused(f"refusing to open a link with {shown} scheme (only http, https, mailto)")
    return url


@dataclass(frozen=True)
class BrowserCommand:
    """An argv to run, and whether it takes over the terminal."""

    argv: tuple[str, ...]
    in_terminal: bool


def browser_command(url: str, setting: str | None) -> BrowserCommand | None:
    """The command that opens ``url``; None means "use Python's webbrowser"."""
    template = setting or os.environ.get("BROWSER") or ""
    # $BROWSER may be a colon-separated list; the first entry is used.
    template = template.split(":")[0].strip() if not setting else template.strip()
    if not template:
        return None
    try:
        parts = shlex.split(template)
    except ValueError:
        parts = template.split()
    if not parts:
        return None
    if any("%u" in part for part in parts):
        argv = tuple(part.replace("%u", url) for part in parts)
    else:
        argv = (*parts, url)
    program = os.path.basename(parts[0])
    return BrowserCommand(argv=argv, in_terminal=program in TERMINAL_BROWSERS)
