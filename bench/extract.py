"""Word precision, recall and F1 of :func:`reader.extract.extract_article` on the corpus.

Two sets from ``../shared/corpus`` (see docs/EXTRACTION.md):

- ``article-extraction-benchmark``: 30 gzipped pages, truth = ``articleBody``;
- ``readability/test/test-pages``: 20 pages, truth = the text of ``expected.html``.

Words are lowercase runs of letters and digits, compared as bags with counts:
precision = shared words / extracted words, recall = shared words / true words.
trafilatura alone and readability-lxml alone are scored the same way as
comparison columns (``--no-compare`` skips them). The last line is always
``mean F1: X (30-page set), worst: Y; mean F1: Z (20-page set)``.

Run with ``make bench-extract`` or ``.venv/bin/python -m bench.extract``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import platform
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path

from reader.extract import ExtractionError, extract_article

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CORPUS = Path(os.environ.get("NEWSREADER_CORPUS", DEFAULT_CORPUS))
AEB = CORPUS / "article-extraction-benchmark"
READABILITY = CORPUS / "readability" / "test" / "test-pages"
# Mozilla's Readability tests resolve the pages' relative links against this URL.
READABILITY_URL = "http://fakehost/test/page.html"

Extractor = Callable[[bytes, str | None], str]


@dataclass(frozen=True)
class Page:
    name: str
    content: bytes
    url: str | None
    truth: str


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float


# --- scoring -------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")
_BREAKS = frozenset(
    [
        *("address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt"),
        *("figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header"),
        *("hr", "img", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody"),
        *("td", "tfoot", "th", "thead", "tr", "ul"),
    ]
)


class _TextOf(HTMLParser):
    """Text of an HTML fragment, with a space wherever a block starts or ends."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        if tag in _BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
        if tag in _BREAKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def words(text: str) -> Counter[str]:
    return Counter(_WORD.findall(text.lower()))


def score(extracted: str, truth: str) -> Score:
    got, want = words(extracted), words(truth)
    shared = sum((got & want).values())
    precision = shared / sum(got.values()) if got else 0.0
    recall = shared / sum(want.values()) if want else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1)


# --- the sets ----------------------------------------------------------------------


def benchmark_pages() -> Iterator[Page]:
    truth = json.loads((AEB / "ground-truth.json").read_text(encoding="utf-8"))
    for key in sorted(truth):
        content = gzip.decompress((AEB / "html" / f"{key}.html.gz").read_bytes())
        yield Page(key[:12], content, truth[key].get("url"), truth[key]["articleBody"])


def readability_pages() -> Iterator[Page]:
    for folder in sorted(p for p in READABILITY.iterdir() if p.is_dir()):
        expected = (folder / "expected.html").read_text(encoding="utf-8")
        content = (folder / "source.html").read_bytes()
        yield Page(folder.name, content, READABILITY_URL, html_text(expected))


# --- extractors ----------------------------------------------------------------------


def ours(content: bytes, url: str | None) -> str:
    try:
        return html_text(extract_article(content, url).html)
    except ExtractionError:
        return ""


def trafilatura_alone(content: bytes, url: str | None) -> str:
    """trafilatura with its default settings, as HTML, on the raw bytes."""
    import trafilatura

    return html_text(trafilatura.extract(content, url=url, output_format="html") or "")


def readability_alone(content: bytes, url: str | None) -> str:
    """readability-lxml with its default settings on the raw bytes."""
    from readability import Document  # type: ignore[import-untyped]

    try:
        return html_text(Document(content, url=url).summary(html_partial=True))
    except Exception:  # readability raises on pages without a body
        return ""


# --- report ----------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("trafilatura", "readability-lxml", "lxml")
    )
    return (
        f"machine: {cpu}, {os.cpu_count()} cores; Python {platform.python_version()} "
        f"({platform.python_implementation()}); {versions}"
    )


def run_set(
    title: str, pages: list[Page], extractors: dict[str, Extractor]
) -> dict[str, list[Score]]:
    names = list(extractors)
    print(f"\n{title}: precision / recall / F1 of words")
    print(f"{'page':<18}" + "".join(f"{name:>22}" for name in names) + f"{'ours ms':>9}")
    results: dict[str, list[Score]] = {name: [] for name in names}
    for page in pages:
        row = f"{page.name:<18}"
        elapsed = 0.0
        for name, extract in extractors.items():
            started = time.perf_counter()
            got = score(extract(page.content, page.url), page.truth)
            if name == "ours":
                elapsed = time.perf_counter() - started
            results[name].append(got)
            row += f"{got.precision:>8.3f}{got.recall:>7.3f}{got.f1:>7.3f}"
        print(row + f"{elapsed * 1000:>9.0f}", flush=True)
    for label, pick in (("mean", statistics.fmean), ("worst", min)):
        row = f"{label:<18}"
        for name in names:
            scores = results[name]
            if label == "mean":
                row += "".join(
                    f"{pick([getattr(s, f) for s in scores]):>{w}.3f}"
                    for f, w in (("precision", 8), ("recall", 7), ("f1", 7))
                )
            else:
                row += f"{'':>15}{min(s.f1 for s in scores):>7.3f}"
        print(row)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-compare", action="store_true", help="score our extraction only")
    parser.add_argument("--show", metavar="PAGE", help="print our HTML for one page and stop")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # the libraries' own warnings are noise here
    if not AEB.is_dir() or not READABILITY.is_dir():
        print(f"corpus not found at {CORPUS} (set NEWSREADER_CORPUS)", file=sys.stderr)
        return 2
    sets = {"30-page set": list(benchmark_pages()), "20-page set": list(readability_pages())}
    if args.show:
        for page in (p for pages in sets.values() for p in pages):
            if page.name.startswith(args.show):
                print(extract_article(page.content, page.url).html)
                return 0
        print(f"no page named {args.show}", file=sys.stderr)
        return 2
    extractors: dict[str, Extractor] = {"ours": ours}
    if not args.no_compare:
        extractors |= {"trafilatura": trafilatura_alone, "readability": readability_alone}
    print(machine())
    totals = {title: run_set(title, pages, extractors) for title, pages in sets.items()}
    big = [s.f1 for s in totals["30-page set"]["ours"]]
    small = [s.f1 for s in totals["20-page set"]["ours"]]
    print(
        f"\nmean F1: {statistics.fmean(big):.3f} (30-page set), worst: {min(big):.3f}; "
        f"mean F1: {statistics.fmean(small):.3f} (20-page set)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
