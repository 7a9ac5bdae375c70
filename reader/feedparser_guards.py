"""Keep three of feedparser's habits from turning quadratic on a hostile feed.

- **Authors.** Its e-mail pattern is searched for in the text of every
  author. The search begins again at each character of a long run of
  name-like characters, so a 64 KB author took half a minute. The leftmost
  match always begins where such a run begins: the same pattern, tried only
  there, finds the same match in linear time.
- **Categories.** Each category is compared with every one kept before it,
  to drop repeats. newsreader reads no categories, so only the latest is
  kept: feedparser's own handlers look at that one.
- **Atom XHTML content.** Blank text before the wrapping ``<div>`` arrives
  in pieces (one per line) that are then deleted from the front one at a
  time. Joined into one piece first, they go in one step, and the text is
  the same.

:func:`install` applies all three once. The pattern is taken from feedparser's
code, not restated here. If a later feedparser no longer has it, the author
guard is skipped (feedparser is pinned to 6.0.x; ``tests/test_feedparser_guards.py``
notices).
"""

from __future__ import annotations

import re
from types import ModuleType
from typing import Any

import feedparser.mixin
from feedparser.mixin import _FeedParserMixin
from feedparser.util import FeedParserDict

# Characters of the name part of feedparser's e-mail pattern; a match starts
# where a run of them starts.
_RUN_START = r"(?<![a-zA-Z0-9_.+-])"


def _feedparser_email_pattern() -> str | None:
    """The e-mail pattern ``_sync_author_detail`` searches with, from its code."""
    constants = _FeedParserMixin._sync_author_detail.__code__.co_consts
    found = [c for c in constants if isinstance(c, str) and "@" in c and "subject" in c]
    return found[0] if len(found) == 1 else None


class _ReWithRunStartEmail:
    """``re`` as feedparser.mixin sees it, with the e-mail search anchored at runs."""

    def __init__(self, original: ModuleType, email: str) -> None:
        self._original = original
        self._email = email
        self._anchored = original.compile(_RUN_START + email)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)

    def search(self, pattern: Any, string: Any, flags: int = 0) -> Any:
        if pattern == self._email and not flags:
            return self._anchored.search(string)
        return self._original.search(pattern, string, flags)


def _keep_latest_tag(self: Any, term: Any, scheme: Any, label: Any) -> None:
    """``_add_tag`` without comparing each tag with all before it."""
    tags = self._get_context().setdefault("tags", [])
    if term or scheme or label:
        tags[:] = [FeedParserDict(term=term, scheme=scheme, label=label)]


def _join_leading_blanks(pieces: list[Any]) -> None:
    """The blank text pieces before the first non-blank one, as one piece."""
    count = 0
    while count < len(pieces) and isinstance(pieces[count], str) and not pieces[count].strip():
        count += 1
    if 1 < count < len(pieces):  # something follows them: the result is the same
        pieces[:count] = ["".join(pieces[:count])]


_feedparser_pop = _FeedParserMixin.pop


def _pop_joining_leading_blanks(self: Any, element: Any, strip_whitespace: Any = 1) -> Any:
    """feedparser's ``pop``, after :func:`_join_leading_blanks` on the element's text."""
    if self.elementstack and self.elementstack[-1][0] == element:
        _join_leading_blanks(self.elementstack[-1][2])
    return _feedparser_pop(self, element, strip_whitespace)


_installed = False


def install() -> None:
    """Apply both guards (once; later calls do nothing)."""
    global _installed
    if _installed:
        return
    _installed = True
    email = _feedparser_email_pattern()
    if email is not None:
        feedparser.mixin.re = _ReWithRunStartEmail(re, email)
    _FeedParserMixin._add_tag = _keep_latest_tag
    _FeedParserMixin.pop = _pop_joining_leading_blanks
