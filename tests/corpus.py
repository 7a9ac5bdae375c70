"""Walk the shared robustness corpus through the real parse + store pipeline.

One home for the rules both ``tests/test_corpus.py`` and ``make corpus``
(``python -m tests.corpus``) use: which corpus files are feed inputs (by
sniffing, not by extension), how one file is ingested (``build_update`` then
``store_update`` into a real SQLite file, exactly as a refresh does), what
counts as accepted, accepted with a warning or rejected, and how rejection
reasons are grouped for the report. The corpus is read-only: nothing is ever
written next to it.
"""

from __future__ import annotations

import gzip
import re
import signal
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from types import FrameType
from typing import Literal
from urllib.parse import quote

from reader.models import FeedConfig, FetchResult
from reader.parse import NotAFeedError, parse_feed
from reader.storage import Storage
from reader.update import build_update, store_update

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
FEED_SUFFIXES = frozenset({".xml", ".rss", ".atom", ".rdf", ".json"})
CHUNK_FILES = 300  # at most per test case, so pytest-xdist can spread big sources
CHUNK_BYTES = 1_500_000
HANG_SECONDS = 20.0  # generous: the slowest corpus file takes well under a second
MAX_REASON_LENGTH = 300
FOAF_NAMESPACE = "http://xmlns.com/foaf/0.1/"
_CONTENT_TYPES = {
    ".json": "application/feed+json",
    ".atom": "application/atom+xml",
    ".rss": "application/rss+xml",
    ".rdf": "application/rdf+xml",
    ".html": "text/html; charset=utf-8",
    ".gz": "text/html; charset=utf-8",  # the benchmark's *.html.gz, served gunzipped
}
# Skip the prolog (declaration, comments, PIs, DOCTYPE) to reach the root element.
_ROOT = re.compile(
    r"(?:\s|\ufeff|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)*<([\w:.-]+)([^>]*)>?",
    re.S | re.I,
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

Kind = Literal["accepted", "warning", "rejected", "crashed", "hung"]


class FileHung(BaseException):
    """Raised by the hang guard; a BaseException so no ``except Exception`` swallows it."""


@dataclass(frozen=True)
class Outcome:
    """What ingesting one corpus file did."""

    path: str  # relative to the corpus, POSIX separators
    kind: Kind
    entries: int = 0  # unique entries the parser returned
    stored: int = 0  # entry rows in the database afterwards
    reason: str | None = None  # the parser's rejection reason, the warning, or what crashed
    seconds: float = 0.0
    stored_error: str | None = None  # the feed's error as the database has it

    @property
    def source(self) -> str:
        return self.path.split("/", 1)[0]


# -- classification --------------------------------------------------------


def is_ground_truth(relative: PurePosixPath) -> bool:
    """Expected outputs of the extraction benchmarks: never inputs."""
    if relative.parts[0] == "article-extraction-benchmark":
        return relative.name == "ground-truth.json"
    return relative.parts[0] == "readability" and relative.name in (
        "expected.html",
        "expected-metadata.json",
    )


def _sniff_text(content: bytes) -> str:
    """The first few KB as text, good enough to find the root element."""
    head = content[:8192]
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return head.decode("utf-32", "replace")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", "replace")
    if head[:1] == b"\x00" and head[1:2] != b"\x00":
        return head.decode("utf-16-be", "replace")
    if head[1:2] == b"\x00" and head[3:4] == b"\x00" and head[2:3] != b"\x00":
        return head.decode("utf-16-le", "replace")
    return head.decode("latin-1")


def root_element(content: bytes) -> tuple[str, str] | None:
    """(qualified name, attribute text) of the root element, if one is found."""
    match = _ROOT.match(_sniff_text(content))
    return (match.group(1), match.group(2)) if match else None


def is_subscription_list(content: bytes) -> bool:
    """OPML, or a FOAF list (an RDF root declaring FOAF whose first child is FOAF)."""
    root = root_element(content)
    if root is None:
        return False
    name, attributes = root
    local = name.rsplit(":", 1)[-1].lower()
    if local == "opml":
        return True
    if local != "rdf" or FOAF_NAMESPACE not in attributes:
        return False
    text = _sniff_text(content)
    after_root = text[text.find(attributes) + len(attributes) :]
    child = re.search(r"<([\w.-]+):", re.sub(r"<!--.*?-->", "", after_root, flags=re.S))
    return (
        child is not None
        and re.search(
            rf'xmlns:{re.escape(child.group(1))}\s*=\s*["\']{re.escape(FOAF_NAMESPACE)}', attributes
        )
        is not None
    )


def feed_files(corpus: Path = CORPUS) -> list[PurePosixPath]:
    """Every feed input of the corpus, relative and sorted."""
    found: list[PurePosixPath] = []
    for path in corpus.rglob("*"):
        relative = PurePosixPath(path.relative_to(corpus).as_posix())
        if path.suffix.lower() not in FEED_SUFFIXES or is_ground_truth(relative):
            continue
        if not path.is_file() or is_subscription_list(path.read_bytes()[:8192]):
            continue
        found.append(relative)
    return sorted(found)


def html_pages(corpus: Path = CORPUS) -> list[PurePosixPath]:
    """Every HTML page (``*.html``, the benchmark's ``*.html.gz``) but ground truth."""
    found = [
        PurePosixPath(path.relative_to(corpus).as_posix())
        for pattern in ("*.html", "*.html.gz")
        for path in corpus.rglob(pattern)
    ]
    return sorted(relative for relative in found if not is_ground_truth(relative))


def read_input(relative: str, corpus: Path = CORPUS) -> bytes:
    """A corpus file's bytes as a server would send them (benchmark pages gunzipped)."""
    content = (corpus / relative).read_bytes()
    return gzip.decompress(content) if relative.endswith(".html.gz") else content


def chunks(
    files: Sequence[PurePosixPath],
    corpus: Path = CORPUS,
    max_files: int = CHUNK_FILES,
    max_bytes: int = CHUNK_BYTES,
) -> dict[str, list[str]]:
    """Files grouped by source folder, big sources split: ``{"feedparser-2": [...]}``.

    A chunk holds at most ``max_files`` files and about ``max_bytes`` of them,
    so pytest-xdist gets pieces of similar weight.
    """
    by_source: dict[str, list[str]] = defaultdict(list)
    for relative in files:
        by_source[relative.parts[0]].append(relative.as_posix())
    named: dict[str, list[str]] = {}
    for source, paths in sorted(by_source.items()):
        pieces: list[list[str]] = [[]]
        weight = 0
        for path in paths:
            size = (corpus / path).stat().st_size
            if pieces[-1] and (len(pieces[-1]) >= max_files or weight + size > max_bytes):
                pieces.append([])
                weight = 0
            pieces[-1].append(path)
            weight += size
        for number, piece in enumerate(pieces, 1):
            named[source if len(pieces) == 1 else f"{source}-{number}"] = piece
    return named


# -- ingesting --------------------------------------------------------------


@contextmanager
def hang_guard(seconds: float | None = None) -> Iterator[None]:
    """Raise :class:`FileHung` if the block runs longer than ``seconds`` (main thread only).

    ``seconds`` defaults to :data:`HANG_SECONDS`, read at call time.
    """
    seconds = HANG_SECONDS if seconds is None else seconds
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise FileHung(f"still running after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def corpus_url(relative: str) -> str:
    """The fake address a corpus file is 'served' from."""
    return "http://corpus.invalid/" + quote(relative)


def _stored_count(storage: Storage, url: str) -> int:
    row = storage.db.execute(
        "SELECT COUNT(*) FROM entries JOIN feeds ON feeds.id = entries.feed_id WHERE feeds.url = ?",
        (url,),
    ).fetchone()
    return int(row[0])


def _stored_error(storage: Storage, url: str) -> str | None:
    row = storage.db.execute("SELECT last_error FROM feeds WHERE url = ?", (url,)).fetchone()
    return None if row is None else row[0]


def _parser_reason(content: bytes, headers: dict[str, str], url: str) -> str | None:
    """The rejection reason exactly as the parser words it (before any cleaning)."""
    try:
        with hang_guard():
            parse_feed(content, headers, url)
    except NotAFeedError as exc:
        return str(exc)
    return None


def ingest(storage: Storage, relative: str, corpus: Path = CORPUS) -> Outcome:
    """Fetch-result → parse → store one corpus file, the way a refresh does."""
    content = read_input(relative, corpus)
    url = corpus_url(relative)
    headers = {
        "content-type": _CONTENT_TYPES.get(PurePosixPath(relative).suffix, "application/xml")
    }
    started = time.perf_counter()
    try:
        with hang_guard():
            update = build_update(
                FetchResult(url, status=200, content=content, headers=headers, final_url=url),
                datetime.now(UTC),
            )
            store_update(storage, update)
    except FileHung as exc:
        return Outcome(relative, "hung", reason=str(exc), seconds=time.perf_counter() - started)
    except Exception as exc:
        crash = f"{type(exc).__name__}: {exc}"
        return Outcome(relative, "crashed", reason=crash, seconds=time.perf_counter() - started)
    seconds = time.perf_counter() - started
    if update.parsed is None:
        # build_update turns an unexpected exception into this message: a crash.
        if (update.error or "").startswith("cannot parse feed"):
            return Outcome(relative, "crashed", reason=update.error, seconds=seconds)
        reason = _parser_reason(content, headers, url)
        stored_error = _stored_error(storage, url)
        return Outcome(relative, "rejected", 0, 0, reason, seconds, stored_error)
    parsed = update.parsed
    kind: Kind = "warning" if parsed.warning else "accepted"
    stored = _stored_count(storage, url)
    return Outcome(relative, kind, len(parsed.entries), stored, parsed.warning, seconds)


def walk(relatives: Sequence[str], database: Path, corpus: Path = CORPUS) -> list[Outcome]:
    """Ingest each file into one database (one feed per file)."""
    storage = Storage(database)
    try:
        # All rows up front: one transaction instead of one per file.
        storage.sync_feeds([FeedConfig(corpus_url(relative)) for relative in relatives])
        return [ingest(storage, relative, corpus) for relative in relatives]
    finally:
        storage.close()


# -- judging and reporting -------------------------------------------------------


def problem(outcome: Outcome) -> str | None:
    """What is wrong with one file's outcome, or None if it is as it should be."""
    if outcome.kind in ("crashed", "hung"):
        return f"{outcome.kind}: {outcome.reason}"
    if outcome.kind != "accepted":
        defect = reason_defect(outcome.reason)
        if defect:
            return f"{defect}: {outcome.reason!r}"
    if outcome.kind == "rejected" and outcome.stored_error != outcome.reason:
        return f"stored error {outcome.stored_error!r} is not the reason {outcome.reason!r}"
    if outcome.stored != outcome.entries:
        return f"{outcome.entries} entries parsed but {outcome.stored} stored"
    return None


def reason_defect(reason: str | None) -> str | None:
    """Why ``reason`` is not a clear one-line message, or None if it is."""
    if not reason or not reason.strip():
        return "empty reason"
    if "\n" in reason or "\r" in reason:
        return "reason spans lines"
    if _CONTROL.search(reason):
        return "reason has control characters"
    if len(reason) > MAX_REASON_LENGTH:
        return f"reason longer than {MAX_REASON_LENGTH} characters"
    return None


def reason_group(reason: str | None) -> str:
    """A reason without its specifics: "XML error at line 3: x" → "XML error"."""
    text = re.sub(r'"[^"]*"', '"…"', (reason or "").split(" (", 1)[0])
    if text.startswith("XML error"):
        return "XML error"
    parts = text.split(": ")
    keep = 2 if parts[0] in ("not a feed", "JSON Feed") and len(parts) > 1 else 1
    return re.sub(r"(?<= )\d+\b", "N", ": ".join(parts[:keep]))


def report(outcomes: Sequence[Outcome], slowest: int = 5) -> str:
    """The summary ``make corpus`` prints."""
    kinds = Counter(o.kind for o in outcomes)
    lines = [
        f"{len(outcomes)} feed files: {kinds['accepted']} accepted, "
        f"{kinds['warning']} accepted with warnings, {kinds['rejected']} rejected"
        + (f", {kinds['crashed']} CRASHED" if kinds["crashed"] else "")
        + (f", {kinds['hung']} HUNG" if kinds["hung"] else ""),
        f"entries stored: {sum(o.stored for o in outcomes)}",
        "",
        "rejected, by reason:",
    ]
    groups = Counter(reason_group(o.reason) for o in outcomes if o.kind == "rejected")
    lines += [f"  {count:5}  {group}" for group, count in groups.most_common()]
    warnings = Counter(reason_group(o.reason) for o in outcomes if o.kind == "warning")
    lines += ["", "warnings, by reason:"]
    lines += [f"  {count:5}  {group}" for group, count in warnings.most_common()]
    lines += ["", f"  {'source':28} {'files':>6} {'ok':>6} {'warn':>6} {'reject':>6} {'crash':>6}"]
    for source, group in sorted(_by_source(outcomes).items()):
        count = Counter(o.kind for o in group)
        lines.append(
            f"  {source:28} {len(group):6} {count['accepted']:6} {count['warning']:6}"
            f" {count['rejected']:6} {count['crashed'] + count['hung']:6}"
        )
    lines += ["", "slowest files:"]
    for outcome in sorted(outcomes, key=lambda o: o.seconds, reverse=True)[:slowest]:
        lines.append(f"  {outcome.seconds * 1000:7.0f} ms  {outcome.path}")
    problems = [o for o in outcomes if problem(o)]
    if problems:
        lines += ["", "PROBLEMS:"]
        lines += [f"  {o.path}: {problem(o)}" for o in problems]
    return "\n".join(lines)


def _by_source(outcomes: Sequence[Outcome]) -> dict[str, list[Outcome]]:
    grouped: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        grouped[outcome.source].append(outcome)
    return grouped


def main() -> int:
    if not CORPUS.is_dir():
        print(f"no corpus at {CORPUS}", file=sys.stderr)
        return 1
    started = time.perf_counter()
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="corpus-") as scratch:
        for name, relatives in chunks(feed_files()).items():
            outcomes += walk(relatives, Path(scratch) / f"{name}.sqlite")
    print(report(outcomes))
    print(f"\nwalked in {time.perf_counter() - started:.1f} s")
    bad = any(o.kind in ("crashed", "hung") for o in outcomes)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
