"""Every file of the shared robustness corpus through the real parse + store pipeline.

Each feed file either yields a feed whose entries all reach the database or
is rejected with one clear line; nothing raises, nothing hangs. The walk and
its rules live in ``tests/corpus.py`` (also behind ``make corpus``). The
corpus sits outside the repository; without it these tests skip.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import feedparser
import pytest

from tests import corpus
from tests.corpus import Outcome

PRESENT = corpus.CORPUS.is_dir()
ABSENT_REASON = f"the shared corpus is not at {corpus.CORPUS}"
CHUNKS = corpus.chunks(corpus.feed_files()) if PRESENT else {}
JSON_FEED_VERSION = re.compile(r"^https?://jsonfeed\.org/version/1(\.1)?/?$")

# README's adversarial files (and a few more) with the reason each must give.
EXPECTED_REASONS = {
    "newsboat/test/data/empty.xml": "empty document",
    "gofeed/testdata/parser/universal/empty_feed.xml": "empty document",
    "node-feedparser/test/feeds/notafeed.html": "not a feed: HTML page",
    "rss-parser-js/test/input/unrecognized.rss": "not a feed: HTML page",
    "feedjira/spec/sample_feeds/TechCrunchFirstEntry.xml": "not a feed: HTML page",
    "rome/rome-modules/src/test/resources/2.rss": (
        "not a feed: HTML page (it links to feeds: http://web.mac.com/"
    ),
    "node-feedparser/test/feeds/compressed.xml": "not a feed: gzip-compressed data",
    "node-feedparser/test/feeds/invalid-characters-gzipped.xml": (
        "not a feed: gzip-compressed data"
    ),
    "gofeed/testdata/parser/universal/unknown_feed.xml": (
        "not a feed: no RSS, Atom or JSON Feed content found (the document is a <note>)"
    ),
    "reader/tests/data/unknown.json": "not a feed: unknown JSON Feed version",
    "gofeed/testdata/parser/universal/invalid.json": "not a feed: invalid JSON (",
    "gofeed/testdata/parser/json/invalid/invalid.json": "not a feed: invalid JSON (",
    "netnewswire/Modules/RSParser/Tests/RSParserTests/Resources/ScriptingNews.json": (
        "not a feed: JSON document is not a JSON Feed"
    ),
    "feedparser/tests/illformed/rss_empty_document.xml": "XML error at line 5: ",
}
# feedparser marks these bozo, yet they have entries: accepted, with a warning.
BOZO_WITH_ENTRIES = [
    "node-feedparser/test/feeds/saxerror.xml",
    "rss-parser-js/test/input/uolNoticias.rss",
    "feedjira/spec/sample_feeds/PaulDixExplainsNothingWFW.xml",
]
# Repaired before parsing, so they come out clean.
REPAIRED = {
    "simplepie/tests/data/feed-utf16be.xml": 1,
    "simplepie/tests/data/feed-utf16le.xml": 1,
    "simplepie/tests/data/feed-with-whitespace-before-xml-declaration.xml": 0,
    "feedjira/spec/sample_feeds/TechCrunch.xml": 20,
    "rss-parser-js/test/input/itunes-missing-image.rss": 130,
}


needs_corpus = pytest.mark.skipif(not PRESENT, reason=ABSENT_REASON)


def walk(paths: list[str], tmp_path: Path) -> dict[str, Outcome]:
    return {o.path: o for o in corpus.walk(paths, tmp_path / "corpus.sqlite")}


@needs_corpus
@pytest.mark.parametrize("chunk", list(CHUNKS) or ["absent"])
def test_every_feed_file_is_stored_or_rejected_with_one_clear_line(
    chunk: str, tmp_path: Path
) -> None:
    outcomes = corpus.walk(CHUNKS[chunk], tmp_path / "corpus.sqlite")
    assert len(outcomes) == len(CHUNKS[chunk])
    problems = [f"{o.path}: {corpus.problem(o)}" for o in outcomes if corpus.problem(o)]
    assert not problems, "\n".join(problems)


@needs_corpus
def test_the_walk_covers_the_whole_corpus_but_subscription_lists_and_ground_truth() -> None:
    files = {f.as_posix() for f in corpus.feed_files()}
    assert sum(len(paths) for paths in CHUNKS.values()) == len(files) > 3000
    assert "newsboat/test/data/empty.xml" in files  # sniffed as nothing: still walked
    assert "reader/tests/data/invalid.json" in files
    assert not any(f.startswith("rome/rome-opml/") for f in files)  # OPML by its root
    assert "listparser/tests/files/rdf/foaf_group-1.xml" not in files  # FOAF by its root
    assert "article-extraction-benchmark/ground-truth.json" not in files
    assert not any(f.endswith("expected-metadata.json") for f in files)


@needs_corpus
def test_every_html_page_is_rejected_as_an_html_page(tmp_path: Path) -> None:
    pages = [p.as_posix() for p in corpus.html_pages()]
    outcomes = walk(pages, tmp_path)
    assert len(outcomes) > 70
    wrong = {o.path: o.reason for o in outcomes.values() if o.kind != "rejected"}
    wrong |= {
        o.path: o.reason
        for o in outcomes.values()
        if not (o.reason or "").startswith("not a feed: HTML page")
        or corpus.reason_defect(o.reason)
    }
    assert not wrong
    inessential = "netnewswire/Modules/RSCore/Tests/RSCoreTests/Resources/inessential.html"
    assert outcomes[inessential].reason == (
        "not a feed: HTML page (it links to feeds: "
        "https://inessential.com/xml/rss.xml, https://inessential.com/feed.json)"
    )


@needs_corpus
def test_named_adversarial_files_give_their_reasons(tmp_path: Path) -> None:
    outcomes = walk(list(EXPECTED_REASONS), tmp_path)
    wrong = {
        path: outcomes[path].reason
        for path, expected in EXPECTED_REASONS.items()
        if outcomes[path].kind != "rejected"
        or not (outcomes[path].reason or "").startswith(expected)
    }
    assert not wrong


def json_feed_items(relative: str) -> int | None:
    """How many item objects a corpus JSON Feed has; None if it is no JSON Feed."""
    try:
        data = json.loads(corpus.read_input(relative).decode("utf-8-sig"))
    except ValueError:
        return None
    if not isinstance(data, dict) or not JSON_FEED_VERSION.match(str(data.get("version"))):
        return None
    return sum(isinstance(item, dict) for item in data.get("items", []))


@needs_corpus
def test_every_json_feed_comes_out_with_its_entries(tmp_path: Path) -> None:
    paths = [f.as_posix() for f in corpus.feed_files() if f.suffix == ".json"]
    items = {path: count for path in paths if (count := json_feed_items(path)) is not None}
    assert len(items) >= 18
    outcomes = walk(list(items), tmp_path)
    wrong = {
        path: (outcomes[path].kind, outcomes[path].stored, count)
        for path, count in items.items()
        if outcomes[path].kind not in ("accepted", "warning") or outcomes[path].stored != count
    }
    assert not wrong


@needs_corpus
def test_a_json_feed_with_wrongly_typed_values_keeps_its_items_with_a_warning(
    tmp_path: Path,
) -> None:
    # lemon24/reader ships this as a feed whose bad values are to be ignored.
    (outcome,) = walk(["reader/tests/data/invalid.json"], tmp_path).values()
    assert outcome.kind == "warning" and outcome.stored == 8
    assert outcome.reason is not None
    assert outcome.reason.startswith("JSON Feed: ignored 13 values of the wrong type (")


@needs_corpus
def test_files_feedparser_marks_bozo_keep_their_entries_with_a_warning(tmp_path: Path) -> None:
    outcomes = walk(BOZO_WITH_ENTRIES, tmp_path)
    for path in BOZO_WITH_ENTRIES:
        raw = feedparser.parse(io.BytesIO(corpus.read_input(path)))
        assert raw.bozo and raw.entries, path  # the premise
        outcome = outcomes[path]
        assert outcome.kind == "warning", (path, outcome)
        assert outcome.stored == outcome.entries == len(raw.entries)


@needs_corpus
def test_repairable_files_parse_cleanly(tmp_path: Path) -> None:
    outcomes = walk(list(REPAIRED), tmp_path)
    for path, entries in REPAIRED.items():
        assert (outcomes[path].kind, outcomes[path].stored) == ("accepted", entries), path
        assert feedparser.parse(io.BytesIO(corpus.read_input(path))).bozo, path  # was broken


@needs_corpus
def test_report_counts_and_groups(tmp_path: Path) -> None:
    outcomes = corpus.walk([*EXPECTED_REASONS, *REPAIRED], tmp_path / "r.sqlite")
    text = corpus.report(outcomes)
    rejected = len(EXPECTED_REASONS)
    assert text.startswith(
        f"{len(outcomes)} feed files: {len(REPAIRED)} accepted, 0 accepted with warnings, "
        f"{rejected} rejected\n"
    )
    assert re.search(r"^ +2 +empty document$", text, re.M)
    assert re.search(r"^ +1 +XML error$", text, re.M)
    assert re.search(r"^ +simplepie +3 +3 +0 +0 +0$", text, re.M)
    assert "slowest files:" in text and "PROBLEMS" not in text


def test_crashes_and_hangs_are_caught_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: object) -> None:
        raise ValueError("boom")

    monkeypatch.setattr("reader.update.parse_feed", explode)
    storage_path = tmp_path / "x.sqlite"
    (outcome,) = corpus.walk(["any.xml"], storage_path, corpus=_one_file(tmp_path))
    assert outcome.kind == "crashed" and "boom" in (outcome.reason or "")
    assert "PROBLEMS:\n  any.xml: crashed: cannot parse feed: ValueError('boom')" in (
        corpus.report([outcome])
    )

    def spin(*args: object) -> None:
        while True:
            pass

    monkeypatch.setattr("reader.update.parse_feed", spin)
    monkeypatch.setattr(corpus, "HANG_SECONDS", 0.2)
    (outcome,) = corpus.walk(["any.xml"], storage_path, corpus=_one_file(tmp_path))
    assert outcome.kind == "hung"


def _one_file(tmp_path: Path) -> Path:
    folder = tmp_path / "fake-corpus"
    folder.mkdir(exist_ok=True)
    (folder / "any.xml").write_bytes(b"<rss/>")
    return folder


def test_reason_groups() -> None:
    assert corpus.reason_group("XML error at line 3: mismatched tag") == "XML error"
    assert corpus.reason_group("not a feed: HTML page (it links to feeds: x)") == (
        "not a feed: HTML page"
    )
    assert corpus.reason_group('not a feed: unknown JSON Feed version "x/9"') == (
        'not a feed: unknown JSON Feed version "…"'
    )
    assert corpus.reason_group("JSON Feed: ignored 3 values of the wrong type (a)") == (
        "JSON Feed: ignored N values of the wrong type"
    )
    assert corpus.reason_group("invalid UTF-8 bytes were replaced") == (
        "invalid UTF-8 bytes were replaced"
    )


def test_reason_defects() -> None:
    assert corpus.reason_defect("empty document") is None
    assert corpus.reason_defect("") == "empty reason"
    assert corpus.reason_defect("two\nlines") == "reason spans lines"
    assert corpus.reason_defect("bell\x07") == "reason has control characters"
    assert corpus.reason_defect("x" * 301) == "reason longer than 300 characters"


def test_outcome_problems() -> None:
    def problem(kind: corpus.Kind, **fields: Any) -> str | None:
        return corpus.problem(Outcome("f.xml", kind, **fields))

    assert problem("rejected", reason="empty document", stored_error="empty document") is None
    assert problem("accepted", entries=2, stored=2) is None
    assert problem("warning", entries=1, stored=1, reason="XML error at line 2: x") is None
    assert problem("rejected", reason="ok", stored_error="changed") == (
        "stored error 'changed' is not the reason 'ok'"
    )
    assert (problem("rejected", reason="x" * 301, stored_error="x" * 301) or "").startswith(
        "reason longer than 300 characters"
    )
    assert problem("warning", entries=1, stored=1, reason="a\nb") == "reason spans lines: 'a\\nb'"
    assert problem("accepted", entries=2, stored=1) == "2 entries parsed but 1 stored"
    assert problem("hung", reason="still running") == "hung: still running"
