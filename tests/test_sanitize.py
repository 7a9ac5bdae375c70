"""Feed text made safe for a terminal: escape sequences and controls go, text stays."""

from __future__ import annotations

import pytest

from reader.sanitize import clean_line, clean_text


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
