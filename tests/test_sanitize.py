"""Feed text made safe for a terminal: escape sequences and controls go, text stays."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from reader.sanitize import clean_line, clean_text, redact_credentials, safe_message


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("\x1b]0;pwned\x07title", "title"),  # OSC ended by BEL
        ("\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\", "link"),  # OSC 8 ended by ST
        ("\x1b]0;never ended", "0;never ended"),  # unterminated: only the introducer goes
        ("a\x1b[2Jb", "ab"),  # CSI erase display
        ("\x1b[1;31mred\x1b[0m", "red"),  # SGR colours
        ("\x1b[?1049h\x1b[?25l", ""),  # private-mode CSI
        ("x\x9b31my", "xy"),  # 8-bit CSI
        ("x\x9d0;t\x9cy", "xy"),  # 8-bit OSC ended by 8-bit ST
        ("x\x1bPdcs data\x1b\\y", "xy"),  # DCS
        ("a\x1bcb", "ab"),  # ESC c: full reset
        ("a\x1b7b\x1b8c", "abc"),  # save / restore cursor
        ("a\x1b(Bb\x1b#8c", "abc"),  # charset selection, screen alignment test
        ("trailing\x1b", "trailing"),
        ("a\x85b\x80c", "abc"),  # other C1 controls
        ("nul\x00byte", "nulbyte"),
        ("bell\x07 back\x08space del\x7f", "bell backspace del"),
        ("\u202eevil\u202c txt", "evil txt"),  # bidi override
        ("\u2066iso\u2069 \u200emark\u200f", "iso mark"),  # isolates and marks
        ("\u061carabic mark", "arabic mark"),  # the Arabic letter mark is a bidi control too
        ("line\u2028sep\u2029para", "line\nsep\npara"),  # Unicode's own line breaks
        ("a\rb\r\nc", "a\nb\nc"),  # carriage returns cannot overwrite a line
    ],
)
def test_clean_text_strips_controls(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_clean_text_keeps_newlines_tabs_and_unicode() -> None:
    text = "Привет, мир\n\tindented — “quotes” 漢字 😀\n[bold red]x[/] <b>&amp;"
    assert clean_text(text) == text.expandtabs(4)
    assert "\t" not in clean_text("a\tb")
    assert clean_text("a\tb") == "a   b"


def test_clean_text_of_nothing() -> None:
    assert clean_text(None) == ""
    assert clean_text("") == ""


def test_clean_line_is_one_line() -> None:
    assert clean_line("  two\nlines\r\n\tand\x1b[2J  spaces  ") == "two lines and spaces"
    assert clean_line(None) == ""
    assert clean_line("\x1b]0;pwned\x07 Evil \x1b[2J [bold red]x[/]") == "Evil [bold red]x[/]"


def test_clean_line_bounds_huge_titles() -> None:
    huge = "word " * 20_000 + "\x1b[2J"  # 100 kB
    line = clean_line(huge)
    assert len(line) == 1000
    assert line.endswith("…")
    assert "\x1b" not in line
    short = clean_line(huge, max_length=80)
    assert len(short) <= 80 and short.endswith("…")
    assert clean_line("x" * 1000) == "x" * 1000  # exactly the limit is kept whole


def test_no_escape_character_survives_any_mix() -> None:
    nasty = "".join(chr(c) for c in range(0x00, 0xA0)) * 3 + "\x1b[" + "\x1b]" + "\x9b"
    for cleaned in (clean_text(nasty), clean_line(nasty)):
        assert not any(ord(ch) < 0x20 and ch not in "\n" for ch in cleaned)
        assert not any(0x7F <= ord(ch) <= 0x9F for ch in cleaned)


def test_mojibake_c1_characters_do_not_swallow_text() -> None:
    """UTF-8 curly quotes read as Latin-1 contain \\x9c and \\x9d; the words must survive."""
    mojibake = "He said “Hello,” and left. Then “bye”.".encode().decode("latin-1")
    assert clean_line(mojibake) == "He said âHello,â and left. Then âbyeâ."


def test_terminated_8bit_string_controls_go_whole() -> None:
    assert clean_line("a\x9d8;;http://evil.example\x9cb") == "ab"
    assert clean_line("a\x1b]8;;http://evil.example\x1b\\b") == "ab"


# -- credentials and messages ------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("https://user:pw@example.org/feed", "https://example.org/feed"),
        ("HTTP://USER:PW@EXAMPLE.ORG", "HTTP://EXAMPLE.ORG"),
        ("http://token@example.org:8080/x?a=b", "http://example.org:8080/x?a=b"),
        ("http://u:p@ss@example.org/", "http://example.org/"),  # up to the last @
        (
            "failed: https://u:p@a.example/x and ftp://v:q@b.example/",
            "failed: https://a.example/x and ftp://b.example/",
        ),
        ("1https://u:p@glued.example/", "1https://glued.example/"),  # a scheme glued to text
        (
            "https://example.org/@user and mailto:a@b.example",
            "https://example.org/@user and mailto:a@b.example",
        ),
    ],
)
def test_credentials_are_redacted(raw: str, shown: str) -> None:
    assert redact_credentials(raw) == shown
    assert clean_line(raw) == shown
    assert safe_message(raw) == shown


def test_redaction_comes_before_shortening() -> None:
    """A cut through the password must not leave part of it behind."""
    line = clean_line("https://user:" + "p" * 50 + "@example.org/feed", max_length=20)
    assert "p" * 5 not in line and line.startswith("https://example.org")


def _finishes(work: Callable[[], object], limit: float = 30.0) -> bool:
    """Whether ``work`` returns within a generous hang guard."""
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(limit)
    return not thread.is_alive()


@pytest.mark.parametrize("shape", ["a.", "a:", "http://a", "://a"])
def test_redaction_is_linear_on_hostile_text(shape: str) -> None:
    """A scheme pattern retried at every letter of "a.a.a.…" took minutes on 200 kB."""
    text = shape * (200_000 // len(shape))
    assert _finishes(lambda: safe_message(text))


def test_safe_message_is_one_plain_bounded_line() -> None:
    hostile = "HTTP 500 [@click=app.quit]x[/] \x1b]0;pwned\x07\x1b[2J\x9b2J\u202eevil\nsecond line"
    message = safe_message(hostile + " " + "long " * 200)
    assert message.startswith("HTTP 500 [@click=app.quit]x[/] evil second line")
    assert len(message) == 300 and message.endswith("…")
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in message)
    assert "pwned" not in message and "\u202e" not in message
