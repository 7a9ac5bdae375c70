"""The headless commands, in-process through ``main()`` and as the real console script."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from reader import __version__
from reader.config import load_config
from reader.models import ALL
from reader.paths import default_config_path, default_db_path
from reader.service import Service
from tests.feedserver import FeedServer, rss, write_config

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
HOSTILE = "\x1b]0;pwned\x07 Evil \x1b[2J [bold red]x[/]"
COMMANDS = ["refresh", "unread", "feeds", "entries", "show", "import", "export"]


@dataclass
class Setup:
    config: Path
    db: Path
    news: str
    tech: str

    def opts(self) -> list[str]:
        return ["--config", str(self.config), "--db", str(self.db)]

    def service(self) -> Service:
        return Service(load_config(self.config), self.db)


NEWS_ITEMS = [
    {
        "title": "Second story",
        "guid": "n2",
        "link": "http://example.org/n2",
        "pubDate": datetime(2024, 5, 2, 8, 0, tzinfo=UTC),
        "author": "reporter@example.org (Rita Reporter)",
        "description": '<p>Body of the <a href="/more">second</a> story.</p><p>Ending.</p>',
    },
    {
        "title": "First story",
        "guid": "n1",
        "link": "http://example.org/n1",
        "pubDate": datetime(2024, 5, 1, 8, 0, tzinfo=UTC),
        "description": "<p>first</p>",
    },
]


@pytest.fixture
def setup(feed_server: FeedServer, tmp_path: Path) -> Setup:
    news = feed_server.add("/news.xml", rss("News Wire", NEWS_ITEMS))
    tech = feed_server.add(
        "/tech.xml",
        rss(
            "Tech", [{"title": "Kernel", "guid": "t1", "pubDate": datetime(2024, 5, 3, tzinfo=UTC)}]
        ),
    )
    config = write_config(
        tmp_path, [{"url": news, "tags": ["news"]}, {"url": tech, "title": "Tech Mine"}]
    )
    return Setup(config, tmp_path / "db" / "newsreader.db", news, tech)


def refreshed(setup: Setup, run) -> Setup:
    result = run(*setup.opts(), "refresh")
    assert result.code == 0, result.err
    return setup


def entry_id(setup: Setup, title: str) -> int:
    service = setup.service()
    try:
        for entry in service.entries(service.entry_ids(ALL)):
            if entry.title == title:
                return entry.id
    finally:
        service.close()
    raise AssertionError(title)


# -- basics ------------------------------------------------------------------


def test_version(run) -> None:
    result = run("--version")
    assert result.code == 0
    assert result.out.strip() == f"newsreader {__version__}"


def test_main_help_lists_commands(run) -> None:
    result = run("--help")
    assert result.code == 0
    for command in COMMANDS:
        assert command in result.out


@pytest.mark.parametrize("command", COMMANDS)
def test_subcommand_help(run, command: str) -> None:
    result = run(command, "--help")
    assert result.code == 0
    assert result.out.startswith(f"usage: newsreader {command}")
    assert "--config" in result.out and "--db" in result.out


def test_usage_error_exits_2(run) -> None:
    result = run("entries", "--limit", "0")
    assert result.code == 2
    assert "must be between 1 and 1000000000" in result.err
    huge = run("entries", "--limit", "99999999999999999999")
    assert huge.code == 2 and "Traceback" not in huge.err


# -- refresh -----------------------------------------------------------------


def test_refresh_summary_and_failures_on_stderr(
    feed_server: FeedServer, tmp_path: Path, run
) -> None:
    good = feed_server.add("/good", rss("Good", NEWS_ITEMS))
    missing = feed_server.url("/missing")
    broken = feed_server.add("/broken", b"", status=500)
    config = write_config(tmp_path, [{"url": good}, {"url": missing}, {"url": broken}])
    result = run("--config", config, "--db", tmp_path / "x.db", "refresh")
    assert result.code == 0
    assert result.out == "3 feeds: 1 ok, 0 not modified, 2 failed; 2 new articles\n"
    assert f"failed: {missing}: HTTP 404 Not Found" in result.err.splitlines()
    assert f"failed: {broken}: HTTP 500 Internal Server Error" in result.err.splitlines()
    # The failed feeds back off: the next run skips them and says until when.
    again = run("--config", config, "--db", tmp_path / "x.db", "refresh")
    assert again.out == "3 feeds: 1 ok, 0 not modified, 0 failed, 2 skipped; 0 new articles\n"
    skipped = [line for line in again.err.splitlines() if line.startswith("skipped until ")]
    assert sorted(line.rsplit(": ", 1)[1] for line in skipped) == sorted([missing, broken])
    # Named on the command line, a feed is fetched anyway.
    forced = run("--config", config, "--db", tmp_path / "x.db", "refresh", "--feed", missing)
    assert forced.out == "1 feeds: 0 ok, 0 not modified, 1 failed; 0 new articles\n"


def test_ctrl_c_during_a_refresh_says_what_was_kept(
    feed_server: FeedServer, tmp_path: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reader.update

    urls = [feed_server.add(f"/f{n}", rss(f"Feed {n}", NEWS_ITEMS)) for n in range(3)]
    config = write_config(tmp_path, [{"url": url} for url in urls])
    real_store = reader.update.store_update
    stores = 0

    def store_until_ctrl_c(*args: Any) -> Any:
        nonlocal stores
        stores += 1
        if stores == 3:
            raise KeyboardInterrupt
        return real_store(*args)

    monkeypatch.setattr(reader.update, "store_update", store_until_ctrl_c)
    result = run("--config", config, "--db", tmp_path / "x.db", "refresh")
    assert result.code == 130
    assert result.err.splitlines()[-1] == (
        "stopped: 2 of 3 feeds done and stored; the others keep what they had"
    )
    service = Service(load_config(config), tmp_path / "x.db")
    try:
        assert len(service.entry_ids(ALL)) == 2 * len(NEWS_ITEMS)
    finally:
        service.close()


def test_refresh_one_feed(setup: Setup, feed_server: FeedServer, run) -> None:
    result = run(*setup.opts(), "refresh", "--feed", setup.tech)
    assert result.code == 0
    assert result.out == "1 feeds: 1 ok, 0 not modified, 0 failed; 1 new article\n"
    assert [r.path for r in feed_server.requests] == ["/tech.xml"]


def test_refresh_unknown_feed_exits_1(setup: Setup, feed_server: FeedServer, run) -> None:
    result = run(*setup.opts(), "refresh", "--feed", "http://nowhere.example/rss")
    assert result.code == 1
    assert result.out == ""
    assert result.err.startswith("newsreader: no feed with URL 'http://nowhere.example/rss'")
    assert feed_server.requests == []


def test_refresh_reports_a_permanent_move(feed_server: FeedServer, tmp_path: Path, run) -> None:
    old = feed_server.redirect("/old", "/new")
    new = feed_server.add("/new", rss("N", NEWS_ITEMS))
    config = write_config(tmp_path, [{"url": old}])
    result = run("--config", config, "--db", tmp_path / "x.db", "refresh")
    assert f"moved: {old} now redirects permanently to {new}; update the config" in result.err
    listed = run("--config", config, "--db", tmp_path / "x.db", "feeds").out
    assert f"(moved permanently to {new}: update the config)" in listed


def test_refresh_never_prints_credentials(tmp_path: Path, feed_server: FeedServer, run) -> None:
    url = f"http://user:secret@127.0.0.1:{feed_server.port}/private"
    config = write_config(tmp_path, [{"url": url}])
    result = run("--config", config, "--db", tmp_path / "x.db", "refresh")
    assert "HTTP 404 Not Found" in result.err
    assert "secret" not in result.out + result.err


# -- reading -----------------------------------------------------------------


def test_unread_prints_just_a_number(setup: Setup, run) -> None:
    assert run(*setup.opts(), "unread").out == "0\n"
    refreshed(setup, run)
    result = run(*setup.opts(), "unread")
    assert (result.code, result.out, result.err) == (0, "3\n", "")


def test_feeds_text(setup: Setup, run) -> None:
    refreshed(setup, run)
    lines = run(*setup.opts(), "feeds").out.splitlines()
    assert len(lines) == 2
    assert "News Wire" in lines[0] and "[news]" in lines[0] and setup.news in lines[0]
    assert "Tech Mine" in lines[1]


def test_feeds_json(setup: Setup, feed_server: FeedServer, run) -> None:
    feed_server.add("/tech.xml", b"", status=500)
    refreshed(setup, run)
    result = run(*setup.opts(), "feeds", "--json")
    assert result.code == 0
    news, tech = json.loads(result.out)
    required = {"url", "title", "tags", "unread", "total", "last_fetched", "last_error"}
    assert required <= set(news) and required <= set(tech)
    assert news["url"] == setup.news
    assert news["title"] == "News Wire"
    assert news["tags"] == ["news"]
    assert (news["unread"], news["total"]) == (2, 2)
    assert ISO_Z.match(news["last_fetched"])
    assert news["last_error"] is None
    assert tech["title"] == "Tech Mine"
    assert tech["last_error"] == "HTTP 500 Internal Server Error"
    assert (tech["unread"], tech["total"]) == (0, 0)
    assert (tech["failures"], tech["gone"], tech["retry_after"]) == (1, False, None)
    assert ISO_Z.match(tech["next_fetch"])  # backing off
    assert news["next_fetch"] is None and news["failures"] == 0
    assert ISO_Z.match(news["last_ok"]) and tech["last_ok"] is None
    text = run(*setup.opts(), "feeds").out.splitlines()[1]
    assert "! HTTP 500 Internal Server Error  (next fetch not before " in text


def test_feeds_json_before_any_refresh(setup: Setup, run) -> None:
    news, _ = json.loads(run(*setup.opts(), "feeds", "--json").out)
    assert news["last_fetched"] is None and news["total"] == 0


def test_entries_filters_and_json(setup: Setup, run) -> None:
    refreshed(setup, run)
    service = setup.service()
    ids = {e.title: e.id for e in service.entries(service.entry_ids(ALL))}
    service.set_read([ids["First story"]], True)
    service.set_starred([ids["Second story"]], True)
    service.close()

    def titles(*args: str) -> list[str]:
        result = run(*setup.opts(), "entries", "--json", *args)
        assert result.code == 0, result.err
        return [item["title"] for item in json.loads(result.out)]

    assert titles() == ["Kernel", "Second story", "First story"]
    assert titles("--feed", setup.news) == ["Second story", "First story"]
    assert titles("--unread") == ["Kernel", "Second story"]
    assert titles("--starred") == ["Second story"]
    assert titles("--unread", "--feed", setup.news) == ["Second story"]
    assert titles("--limit", "2") == ["Kernel", "Second story"]

    (item,) = json.loads(run(*setup.opts(), "entries", "--json", "--starred").out)
    required = {"id", "feed_url", "title", "link", "author", "published", "read", "starred"}
    assert required <= set(item)
    assert item["id"] == ids["Second story"]
    assert item["feed_url"] == setup.news
    assert item["link"] == "http://example.org/n2"
    assert item["author"] == "reporter@example.org (Rita Reporter)"
    assert item["published"] == "2024-05-02T08:00:00Z"
    assert (item["read"], item["starred"]) == (False, True)


def test_entries_text(setup: Setup, run) -> None:
    refreshed(setup, run)
    lines = run(*setup.opts(), "entries", "--limit", "2").out.splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("Tech Mine: Kernel")
    assert lines[1].endswith("News Wire: Second story")


def test_entries_unknown_feed_exits_1(setup: Setup, run) -> None:
    result = run(*setup.opts(), "entries", "--feed", "http://nowhere.example/")
    assert result.code == 1 and "no feed with URL" in result.err


def test_show_text(setup: Setup, feed_server: FeedServer, run) -> None:
    refreshed(setup, run)
    number = entry_id(setup, "Second story")
    result = run(*setup.opts(), "show", str(number))
    assert result.code == 0
    header, body = result.out.split("\n\n", 1)
    lines = header.splitlines()
    assert lines[0] == "Second story"
    assert lines[1] == "Feed: News Wire"
    assert lines[2] == "Author: reporter@example.org (Rita Reporter)"
    assert lines[3].startswith("Date: 2024-05-0")
    assert lines[4] == "Link: http://example.org/n2"
    assert body.startswith("Body of the second[1] story.\n\nEnding.")
    # Relative links resolve against the feed's own URL.
    assert body.endswith(f"\n\nLinks:\n[1] {feed_server.url('/more')}\n")


def test_show_json_has_text(setup: Setup, run) -> None:
    refreshed(setup, run)
    number = entry_id(setup, "Second story")
    data = json.loads(run(*setup.opts(), "show", str(number), "--json").out)
    assert data["id"] == number
    assert data["title"] == "Second story"
    assert data["text"].startswith("Second story\nFeed: News Wire\n")
    assert "Body of the second[1] story." in data["text"]


def test_show_does_not_mark_read(setup: Setup, run) -> None:
    refreshed(setup, run)
    number = entry_id(setup, "Kernel")
    assert run(*setup.opts(), "show", str(number)).code == 0
    assert run(*setup.opts(), "unread").out == "3\n"
    items = json.loads(run(*setup.opts(), "entries", "--json").out)
    assert [item["read"] for item in items if item["id"] == number] == [False]


def test_show_unknown_id_exits_1(setup: Setup, run) -> None:
    refreshed(setup, run)
    result = run(*setup.opts(), "show", "999999")
    assert result.code == 1
    assert result.out == ""
    assert result.err == "newsreader: no article with id 999999\n"


def test_show_of_a_feed_removed_from_config_exits_1(setup: Setup, run) -> None:
    refreshed(setup, run)
    number = entry_id(setup, "Kernel")
    write_config(setup.config.parent, [{"url": setup.news}])
    assert run(*setup.opts(), "show", str(number)).code == 1


# -- where the config and database are ----------------------------------------


def test_global_options_before_or_after_the_command(setup: Setup, run) -> None:
    before = run("--config", setup.config, "--db", setup.db, "refresh")
    after = run("refresh", "--config", setup.config, "--db", setup.db)
    mixed = run("--db", setup.db, "unread", "--config", setup.config)
    assert before.code == after.code == mixed.code == 0
    assert before.out.endswith("3 new articles\n")
    assert after.out.endswith("0 new articles\n")  # same database both times
    assert mixed.out == "3\n"


def test_env_vars_and_flags_win_over_them(
    setup: Setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run
) -> None:
    refreshed(setup, run)
    monkeypatch.setenv("NEWSREADER_CONFIG", str(setup.config))
    monkeypatch.setenv("NEWSREADER_DB", str(setup.db))
    assert run("unread").out == "3\n"
    other = write_config(tmp_path / "other", [{"url": setup.tech}])
    assert run("--config", other, "unread").out == "1\n"  # config flag wins
    assert run("unread", "--db", tmp_path / "empty.db").out == "0\n"  # db flag wins
    assert (tmp_path / "empty.db").exists()
    assert not default_db_path().exists()
    assert not default_config_path().exists()


@pytest.mark.parametrize("how", ["flag", "env"])
def test_explicit_missing_config_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run, how: str
) -> None:
    missing = tmp_path / "nope" / "config.toml"
    if how == "env":
        monkeypatch.setenv("NEWSREADER_CONFIG", str(missing))
        result = run("unread")
    else:
        result = run("--config", missing, "unread")
    assert result.code == 2
    assert result.err == f"newsreader: {missing}: config file not found\n"
    assert not missing.exists()  # never replaced by a starter config


def test_bad_config_exits_2_with_one_line(tmp_path: Path, run) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[[feeds]]\nurl = "https://a.example/"\n\n[[feeds]]\ntitle = "x"\n')
    result = run("--config", config, "--db", tmp_path / "x.db", "feeds")
    assert result.code == 2
    assert result.err == f"newsreader: {config}: [[feeds]] #2: url is missing\n"
    config.write_text("[settings\n")
    result = run("--config", config, "--db", tmp_path / "x.db", "unread")
    assert result.code == 2
    assert len(result.err.splitlines()) == 1 and "line 1" in result.err
    assert "Traceback" not in result.err


def test_unusable_database_exits_1(tmp_path: Path, setup: Setup, run) -> None:
    not_a_db = tmp_path / "garbage.db"
    not_a_db.write_bytes(b"this is not an SQLite database, just text" * 100)
    result = run("--config", setup.config, "--db", not_a_db, "unread")
    assert result.code == 1
    assert result.err.startswith(f"newsreader: {not_a_db}: cannot open database:")
    assert len(result.err.splitlines()) == 1


def test_config_warnings_go_to_stderr(tmp_path: Path, run) -> None:
    config = write_config(tmp_path, [{"url": "https://a.example/", "colour": "red"}])
    result = run("--config", config, "--db", tmp_path / "x.db", "unread")
    assert result.code == 0 and result.out == "0\n"
    assert "warning:" in result.err and "'colour'" in result.err


def test_default_config_missing_writes_starter(isolated_env: Path, run) -> None:
    path = default_config_path()
    assert path.is_relative_to(isolated_env) and not path.exists()
    result = run("unread")  # no network: the starter feeds are never fetched
    assert result.code == 0
    assert result.out == "0\n"
    assert result.err == (
        f"newsreader: wrote a starter config to {path}; edit it to add your feeds\n"
    )
    assert len(load_config(path).feeds) >= 3
    assert default_db_path().exists()
    assert run("unread").err == ""  # only the first time


# -- OPML --------------------------------------------------------------------

OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>subs</title></head>
  <body>
    <outline text="news">
      <outline type="rss" text="Already" xmlUrl="https://a.example/rss"/>
      <outline type="rss" text="World" xmlUrl="https://world.example/rss"/>
    </outline>
    <outline type="rss" text="Loose" xmlUrl="https://loose.example/feed"/>
  </body>
</opml>
"""


def test_import_adds_feeds_with_tags_keeps_comments_skips_existing(tmp_path: Path, run) -> None:
    config = tmp_path / "config.toml"
    original = '# my feeds, keep this comment\n[[feeds]]\nurl = "https://a.example/rss"  # mine\n'
    config.write_text(original)
    opml = tmp_path / "subs.opml"
    opml.write_text(OPML)
    result = run("--config", config, "import", opml)
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "added: World <https://world.example/rss> [news]",
        "added: Loose <https://loose.example/feed>",
        f"2 feeds added to {config}, 1 already there",
    ]
    text = config.read_text()
    assert text.startswith(original)
    loaded = load_config(config)
    assert [(f.url, f.title, f.tags) for f in loaded.feeds] == [
        ("https://a.example/rss", None, ()),
        ("https://world.example/rss", "World", ("news",)),
        ("https://loose.example/feed", "Loose", ()),
    ]
    again = run("import", opml, "--config", config)
    assert again.out.splitlines() == [f"0 feeds added to {config}, 3 already there"]
    assert config.read_text() == text


def test_import_errors(tmp_path: Path, run) -> None:
    config = tmp_path / "config.toml"
    result = run("--config", config, "import", tmp_path / "missing.opml")
    assert result.code == 1 and "cannot read" in result.err
    bad = tmp_path / "bad.opml"
    bad.write_text("<opml><body>")
    result = run("--config", config, "import", bad)
    assert result.code == 1 and "XML error" in result.err
    assert not config.exists()


def test_export_opml_2_with_folders(setup: Setup, run, tmp_path: Path) -> None:
    result = run(*setup.opts(), "export")
    assert result.code == 0
    root = ET.fromstring(result.out.encode())
    assert root.tag == "opml" and root.get("version") == "2.0"
    body = root.find("body")
    assert body is not None
    (folder,) = [o for o in body if o.get("xmlUrl") is None]
    assert folder.get("text") == "news"
    assert [o.get("xmlUrl") for o in folder] == [setup.news]
    (loose,) = [o for o in body if o.get("xmlUrl") is not None]
    assert (loose.get("xmlUrl"), loose.get("title")) == (setup.tech, "Tech Mine")

    out = tmp_path / "out.opml"
    result = run(*setup.opts(), "export", out)
    assert result.code == 0 and result.out == ""
    assert "wrote 2 feeds" in result.err
    assert ET.parse(out).getroot().get("version") == "2.0"


# -- hostile feeds -------------------------------------------------------------


def test_hostile_text_never_reaches_the_terminal(
    feed_server: FeedServer, tmp_path: Path, run
) -> None:
    feed = (
        rss(
            HOSTILE,
            [
                {
                    "title": HOSTILE,
                    "guid": "h1",
                    "link": "http://example.org/\x1b[2J",
                    "author": HOSTILE,
                    "description": f"<p>{HOSTILE}</p><a href='http://x.example/\x1b]0;t\x07'>l</a>",
                }
            ],
        )
        .replace("\x1b", "&#x1b;")
        .replace("\x07", "&#x7;")
    )  # XML 1.0 forbids the raw bytes
    url = feed_server.add("/evil", feed)
    feed_server.add("/evil-error", HOSTILE.encode(), status=200, content_type="text/plain")
    config = write_config(
        tmp_path,
        [
            {"url": url, "tags": [HOSTILE]},
            {"url": feed_server.url("/evil-error"), "title": HOSTILE},
        ],
    )
    opts = ["--config", config, "--db", tmp_path / "x.db"]
    outputs = [run(*opts, "refresh")]
    service = Service(load_config(config), tmp_path / "x.db")
    (number,) = service.entry_ids(ALL)
    stored = service.entry(number)
    service.close()
    assert stored is not None and "\x1b" in stored.title  # the feed really was hostile
    for args in (
        ["feeds"],
        ["feeds", "--json"],
        ["entries"],
        ["entries", "--json"],
        ["show", str(number)],
        ["show", str(number), "--json"],
        ["export"],
        ["unread"],
    ):
        outputs.append(run(*opts, *args))
    for result in outputs:
        assert result.code == 0, result.err
        for text in (result.out, result.err):
            assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
            assert "\\u001b" not in text and "\\u0007" not in text  # not even JSON-escaped
    shown = outputs[5].out
    assert "[bold red]x[/]" in shown  # literal text, never interpreted as markup
    assert "pwned" not in shown.splitlines()[0]  # the OSC payload went with its sequence


# -- the real console script -----------------------------------------------------


def newsreader_script() -> Path:
    script = Path(sys.executable).parent / "newsreader"
    assert script.exists(), script
    return script


def test_console_script_end_to_end(setup: Setup) -> None:
    env = {
        **os.environ,
        "NEWSREADER_CONFIG": str(setup.config),
        "NEWSREADER_DB": str(setup.db),
    }

    def script(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(newsreader_script()), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    refresh = script("refresh")
    assert refresh.returncode == 0, refresh.stderr
    assert refresh.stdout == "2 feeds: 2 ok, 0 not modified, 0 failed; 3 new articles\n"
    assert script("unread").stdout == "3\n"
    assert script("--version").stdout.strip() == f"newsreader {__version__}"


def test_console_script_bad_config_has_no_traceback(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[[feeds]]\nurl = 5\n")
    env = {**os.environ, "NEWSREADER_CONFIG": str(config), "NEWSREADER_DB": str(tmp_path / "d")}
    result = subprocess.run(
        [str(newsreader_script()), "feeds"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == f"newsreader: {config}: [[feeds]] #1: url must be a string\n"
    assert "Traceback" not in result.stderr


def test_every_command_has_version(run) -> None:
    for command in COMMANDS:
        result = run(command, "--version")
        assert result.code == 0
        assert result.out.strip() == f"newsreader {__version__}"


def test_the_reader_refuses_to_start_without_a_terminal(setup: Setup, run) -> None:
    result = run(*setup.opts())  # pytest's stdin and stdout are not terminals
    assert result.code == 1
    assert result.err.strip() == (
        "newsreader: the reader needs a terminal; for scripts use a command (see --help)"
    )


def test_import_skips_urls_the_config_would_refuse(tmp_path: Path, run) -> None:
    config = tmp_path / "config.toml"
    opml = tmp_path / "evil.opml"
    opml.write_text(
        '<opml version="2.0"><body>'
        '<outline text="csi" xmlUrl="https://a.example/&#155;2J"/>'
        '<outline text="bidi" xmlUrl="https://b.example/&#x202E;x"/>'
        '<outline text="js" xmlUrl="javascript:alert(1)"/>'
        '<outline text="good" xmlUrl="https://good.example/feed"/>'
        "</body></opml>",
        encoding="utf-8",
    )
    result = run("--config", config, "import", opml)
    assert result.code == 0, result.err
    assert "\x9b" not in result.out and "\u202e" not in result.out
    assert [f.url for f in load_config(config).feeds] == ["https://good.example/feed"]


def test_export_uses_the_feeds_own_title_when_the_config_has_none(setup: Setup, run) -> None:
    refreshed(setup, run)
    result = run(*setup.opts(), "export")
    assert result.code == 0
    assert 'title="News Wire"' in result.out  # from the feed, not the URL
    assert 'title="Tech Mine"' in result.out  # the config's title wins


def test_a_database_error_is_one_line(setup: Setup, run, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from reader.service import Service as RealService

    def locked(self: RealService, *args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(RealService, "refresh", locked)
    result = run(*setup.opts(), "refresh")
    assert result.code == 1
    assert result.err.splitlines() == [
        "newsreader: the database is busy (another newsreader is writing to it); try again"
    ]


def test_an_unwritable_config_location_is_one_line(tmp_path: Path, run, monkeypatch) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocker / "x"))
    result = run("--db", tmp_path / "db", "unread")
    assert result.code == 2
    assert len(result.err.splitlines()) == 1
    assert "cannot write the starter config" in result.err


def test_a_bug_is_one_line_and_the_traceback_goes_to_the_log(
    setup: Setup, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.logs import default_log_path
    from reader.service import Service as RealService

    def broken(self: RealService) -> None:
        raise RuntimeError("something impossible happened")

    monkeypatch.setattr(RealService, "counts", broken)
    result = run(*setup.opts(), "unread")
    assert result.code == 1
    (line,) = result.err.splitlines()
    assert line.startswith("newsreader: internal error: RuntimeError: something impossible")
    assert str(default_log_path()) in line
    log = default_log_path().read_text(encoding="utf-8")
    assert "Traceback" in log and "something impossible happened" in log


def test_skipped_and_gone_feeds_are_reported(feed_server: FeedServer, tmp_path: Path, run) -> None:
    gone = feed_server.add("/gone", b"", status=410)
    busy = feed_server.add("/busy", b"", status=429, headers={"Retry-After": "3600"})
    config = write_config(tmp_path, [{"url": gone}, {"url": busy}])
    db = tmp_path / "x.db"
    first = run("--config", config, "--db", db, "refresh")
    assert f"failed: {gone}: HTTP 410 Gone: the server says the feed was removed" in first.err
    again = run("--config", config, "--db", db, "refresh")
    assert again.out == "2 feeds: 0 ok, 0 not modified, 0 failed, 2 skipped; 0 new articles\n"
    lines = again.err.splitlines()
    assert f"skipped: {gone}: gone (HTTP 410); refresh it with --feed to try again" in lines
    assert any(
        line.startswith("skipped until ")
        and line.endswith(f"{busy}: the server asked to wait (Retry-After)")
        for line in lines
    )
    # By name: the gone feed is tried again, the busy one still waits.
    by_name = run("--config", config, "--db", db, "refresh", "--feed", busy)
    assert "1 skipped" in by_name.out
    assert len(feed_server.requests_for("/busy")) == 1
    run("--config", config, "--db", db, "refresh", "--feed", gone)
    assert len(feed_server.requests_for("/gone")) == 2


def test_a_feed_is_found_by_its_url_as_shown_without_credentials(
    feed_server: FeedServer, tmp_path: Path, run
) -> None:
    secret = feed_server.url("/f.xml").replace("http://", "http://user:hunter2@")
    feed_server.add("/f.xml", rss("F", NEWS_ITEMS))
    config = write_config(tmp_path, [{"url": secret}])
    shown = json.loads(run("--config", config, "--db", tmp_path / "x.db", "feeds", "--json").out)
    assert "hunter2" not in shown[0]["url"]
    result = run(
        "--config", config, "--db", tmp_path / "x.db", "refresh", "--feed", shown[0]["url"]
    )
    assert result.code == 0 and "1 ok" in result.out and "hunter2" not in result.err
    wrong = run("--config", config, "--db", tmp_path / "x.db", "refresh", "--feed", "http://nope/")
    assert wrong.code == 1
