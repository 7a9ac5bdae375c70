"""Make feed-provided strings safe to show in a terminal.

Feeds are written by strangers. Textual passes control characters straight
through to the terminal, so an OSC sequence in a title could retitle the
window and a CSI sequence could clear the screen. Everything a feed says goes
through :func:`clean_text` (multi-line) or :func:`clean_line` (one line)
before it is displayed or printed.
"""

from __future__ import annotations

import re

# Whole escape sequences first, so their parameters do not survive as text:
# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), other ESC-x pairs, and the
# 8-bit C1 forms of CSI/OSC/DCS/SOS/PM/APC. A string control counts only when
# it is terminated and its payload is short printable ASCII (as real ones
# are); otherwise only the introducer goes, so mojibake such as "â\x80\x9d"
# (a curly quote read as Latin-1) cannot swallow the text that follows.
_ESCAPE_SEQUENCE = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]            # CSI
    | \x1b[\]PX^_][\x20-\x7e]{0,512}?(?:\x07|\x1b\\|\x9c)   # OSC, DCS, SOS, PM, APC
    | \x9b[0-?]*[ -/]*[@-~]            # 8-bit CSI
    | [\x90\x98\x9d\x9e\x9f][\x20-\x7e]{0,512}?(?:\x07|\x1b\\|\x9c)  # 8-bit string controls
    | \x1b[ -/]*[0-~]?                  # any other ESC: intermediates, then one final byte
    """,
    re.VERBOSE,
)
# Remaining C0 controls except tab and newline, DEL, C1 controls, and the
# Unicode bidi controls that can make text display reversed: embeddings and
# overrides, isolates, and the left-to-right, right-to-left and Arabic marks.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Unicode's line and paragraph separators: a terminal may draw them as a cell
# the layout did not count, so they become the newline they mean.
_SEPARATOR = re.compile("[\u2028\u2029]")
_WHITESPACE_RUN = re.compile(r"\s+")
# The user:password@ part of any URL in a text: whatever follows "://" up to
# the last "@" before the path. Anchored on "://" rather than on the scheme,
# so the scan is linear (a scheme pattern retried at every letter of a long
# "a.a.a…" string is quadratic) and a scheme glued to other text still counts.
_USERINFO = re.compile(r"://[^/\s]*@")


def clean_text(value: str | None) -> str:
    """Strip escape sequences and control characters; keep tabs and newlines."""
    if not value:
        return ""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _SEPARATOR.sub("\n", value)
    value = _ESCAPE_SEQUENCE.sub("", value)
    value = _CONTROL.sub("", value)
    return value.expandtabs(4)


def clean_line(value: str | None, max_length: int = 1000) -> str:
    """One display line: cleaned, whitespace collapsed, no credentials, length bounded.

    Credentials are removed here, not only in error messages, because a feed
    URL reaches the screen in many guises: as the title of a feed that has
    none, and inside the article links a feed's relative links resolve to.
    """
    text = redact_credentials(_WHITESPACE_RUN.sub(" ", clean_text(value)).strip())
    if len(text) > max_length:
        text = text[: max_length - 1].rstrip() + "…"
    return text


def has_controls(value: str) -> bool:
    """Whether ``value`` holds anything :func:`clean_text` would strip (tab and newline count)."""
    return bool(_CONTROL.search(value)) or "\x1b" in value or "\t" in value or "\n" in value


def redact_credentials(text: str) -> str:
    """``text`` with the ``user:password@`` part of every URL in it removed."""
    return _USERINFO.sub("://", text)


def safe_message(text: str, max_length: int = 300) -> str:
    """A message fit for the terminal and the log: no credentials, no controls, one line."""
    return clean_line(text, max_length)
