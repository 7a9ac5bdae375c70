"""Which links may be opened, and with which command."""

from __future__ import annotations

import pytest

from reader.links import LinkRefused, browser_command, check_link


@pytest.mark.parametrize(
    "url", ["https://example.org/a", "http://example.org/", "mailto:someone@example.org"]
)
def test_allowed_links_pass(url: str) -> None:
    assert check_link(f"  {url} ") == url


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("javascript:alert(1)", "javascript scheme"),
        ("file:///etc/passwd", "file scheme"),
        ("data:text/html,hi", "data scheme"),
        ("ftp://example.org/x", "ftp scheme"),
        ("/relative/path", "no scheme"),
        ("", "no link"),
        (None, "no link"),
        ("https://example.org/\x1b]0;x\x07", "control characters"),
        ("JaVaScRiPt:alert(1)", "javascript scheme"),
        ("  JAVASCRIPT:alert(1)", "javascript scheme"),
        ("\tjavascript:alert(1)", "javascript scheme"),  # stripped like spaces
        ("java\tscript:alert(1)", "control characters"),
        ("java\nscript:alert(1)", "control characters"),
        ("\x00javascript:alert(1)", "control characters"),
        ("\x01javascript:alert(1)", "control characters"),
        ("\u202ejavascript:alert(1)", "control characters"),
        ("\u200bjavascript:alert(1)", "no scheme"),  # zero-width space: not a scheme
        ("FILE:///etc/passwd", "file scheme"),
        ("Data:text/html;base64,PHNjcmlwdD4=", "data scheme"),
        ("vbscript:msgbox", "vbscript scheme"),
        ("about:blank", "about scheme"),
        ("chrome://settings", "chrome scheme"),
        ("//evil.example/x", "no scheme"),
        ("http://[::1", "malformed"),
    ],
)
def test_other_links_are_refused(url: str | None, reason: str) -> None:
    with pytest.raises(LinkRefused, match=reason) as refused:
        check_link(url)
    message = str(refused.value)
    assert "\n" not in message and len(message) < 100  # one line for the status bar


def test_browser_setting_with_placeholder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROWSER", "should-not-be-used")
    command = browser_command("https://x.example/a b", "firefox --new-tab %u")
    assert command is not None
    assert command.argv == ("firefox", "--new-tab", "https://x.example/a b")
    assert not command.in_terminal


def test_browser_env_used_when_no_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROWSER", "w3m:lynx")
    command = browser_command("https://x.example/", None)
    assert command is not None
    assert command.argv == ("w3m", "https://x.example/")
    assert command.in_terminal


def test_terminal_browser_by_path(monkeypatch: pytest.MonkeyPatch) -> None:
    command = browser_command("https://x.example/", "/usr/bin/lynx -accept_all_cookies %u")
    assert command is not None and command.in_terminal
    assert command.argv[-1] == "https://x.example/"


def test_no_setting_no_env_means_python_webbrowser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BROWSER", raising=False)
    assert browser_command("https://x.example/", None) is None
