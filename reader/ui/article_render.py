"""Article documents → Rich renderables for the article view.

Built from plain strings and styles, never from markup, so a feed that
writes ``[bold]`` or ``[@click=app.quit]`` shows exactly that. The layout
follows :func:`reader.text.document_to_text` (the same blocks, nesting, link
numbers and table decisions), drawn with styles instead of ``#`` and ``>``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.rule import Rule
from rich.segment import Segment
from rich.style import Style
from rich.text import Span as RichSpan
from rich.text import Text

from reader.text import (
    NOT_OPENABLE,
    QUOTE,
    TABLE_GAP,
    Block,
    Document,
    link_openable,
    numeric_columns,
    shown_url,
    table_columns,
)

# A page of thousands of links would take seconds to lay out; nobody reads that list.
MAX_LISTED_LINKS = 500
QUOTE_BAR = "▌ "


def _default_headings() -> tuple[Style, ...]:
    return (
        Style(bold=True, underline=True),
        Style(bold=True),
        Style(bold=True, italic=True),
        Style(italic=True),
        Style(italic=True),
        Style(italic=True),
    )


@dataclass(frozen=True)
class ArticleStyles:
    """How each part of an article looks. The defaults need no theme; the view
    builds a set from its theme's colours (see ``ArticleView``)."""

    headings: tuple[Style, ...] = field(default_factory=_default_headings)  # h1..h6
    code_block: Style = field(default_factory=lambda: Style(color="bright_cyan"))
    code_inline: Style = field(default_factory=lambda: Style(color="bright_cyan"))
    quote_bar: Style = field(default_factory=lambda: Style(color="bright_black"))
    quote_text: Style = field(default_factory=lambda: Style(italic=True))
    marker: Style = field(default_factory=lambda: Style(bold=True))
    link: Style = field(default_factory=lambda: Style(underline=True, color="bright_blue"))
    link_not_openable: Style = field(default_factory=lambda: Style(underline=True, dim=True))
    link_number: Style = field(default_factory=lambda: Style(dim=True))
    mark: Style = field(default_factory=lambda: Style(reverse=True))
    image: Style = field(default_factory=lambda: Style(italic=True, dim=True))
    table_head: Style = field(default_factory=lambda: Style(bold=True))
    dim: Style = field(default_factory=lambda: Style(dim=True))


DEFAULT_STYLES = ArticleStyles()
_FIXED_SPAN_STYLES = {
    "bold": Style(bold=True),
    "italic": Style(italic=True),
    "underline": Style(underline=True),
    "strike": Style(strike=True),
}


class _Links:
    """Which link numbers may be opened, worked out once per document."""

    def __init__(self, links: tuple[str, ...]) -> None:
        self.links = links
        self._openable: dict[int, bool] = {}

    def openable(self, number: int) -> bool:
        known = self._openable.get(number)
        if known is None:
            url = self.links[number - 1] if 0 < number <= len(self.links) else None
            known = self._openable[number] = url is None or link_openable(url)
        return known


def _inline(block: Block, styles: ArticleStyles, links: _Links, base: Style | None = None) -> Text:
    text = Text(block.text, style=base or "")  # text.py has cleaned it
    for span in block.spans:
        if span.style == "link":
            number = span.link or 0
            style = styles.link if links.openable(number) else styles.link_not_openable
            text.stylize(style, span.start, span.end)
            tail = f"[{number}]"
            if block.text.startswith(tail, span.end):
                text.stylize(styles.link_number, span.end, span.end + len(tail))
        elif span.style == "code":
            text.stylize(styles.code_inline, span.start, span.end)
        elif span.style == "mark":
            text.stylize(styles.mark, span.start, span.end)
        else:
            text.stylize(_FIXED_SPAN_STYLES[span.style], span.start, span.end)
    return text


class Indented:
    """A renderable drawn narrower, with a prefix on the first and later lines.

    Used for everything inside list items (marker, then a hanging indent) and
    block quotes (a bar on every line), which Rich's own wrapping cannot do.
    """

    def __init__(self, body: RenderableType, first: Text, rest: Text) -> None:
        self.body = body
        self.first = first
        self.rest = rest

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        indent = max(self.first.cell_len, self.rest.cell_len)
        width = max(options.max_width - indent, 10)
        lines = console.render_lines(self.body, options.update_width(width), pad=False)
        first = list(self.first.render(console))
        rest = list(self.rest.render(console)) if len(lines) > 1 else []
        newline = Segment.line()
        for index, line in enumerate(lines):
            yield from rest if index else first
            yield from line
            yield newline


def nest_texts(nest: tuple[str, ...], styles: ArticleStyles = DEFAULT_STYLES) -> tuple[Text, Text]:
    """A block's containers as the prefixes of its first and of its other lines."""
    first = Text()
    rest = Text()
    quotes = 0  # a run of quotes is appended at once: nesting can be 20 deep
    for entry in (*nest, ""):
        if entry == QUOTE:
            quotes += 1
            continue
        if quotes:
            first.append(QUOTE_BAR * quotes, styles.quote_bar)
            rest.append(QUOTE_BAR * quotes, styles.quote_bar)
            quotes = 0
        if entry:
            first.append(entry, styles.marker)
            rest.append(" " * cell_len(entry))
    return first, rest


class TableBlock:
    """A table: columns aligned when they fit the width it is drawn at, else one
    row a line (wrapped lines hang under their row)."""

    def __init__(self, block: Block, text: Text, styles: ArticleStyles) -> None:
        self.block = block
        self.text = text
        self.styles = styles

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        block = self.block
        widths = table_columns(block, options.max_width)
        if widths is None:
            for number, line in enumerate(self.text.split("\n")):
                if number == 0 and block.head:
                    line.stylize(self.styles.table_head)
                yield Indented(line, Text(), Text("  "))
            return
        rows = self._aligned_rows(widths, numeric_columns(block))
        for number, line in enumerate(rows):
            if number == 0 and block.head:
                line.stylize(self.styles.table_head)
                yield line
                rule = " " * TABLE_GAP
                yield Text(rule.join("─" * width for width in widths), style=self.styles.dim)
            else:
                yield line

    def _aligned_rows(self, widths: tuple[int, ...], right: tuple[bool, ...]) -> list[Text]:
        """Each row padded into columns, keeping the styles of its cells' text.

        Built from plain strings with the spans moved over, in one sweep: Rich's
        Text slicing costs too much for tables of thousands of cells.
        """
        plain = self.text.plain
        spans = sorted(self.text.spans, key=lambda span: span.start)
        upcoming = 0
        active: list[RichSpan] = []
        lines: list[Text] = []
        for row in self.block.cells:
            spanning = len(row) == 1 < len(widths)  # one cell across the table
            cells: list[tuple[int, int]] = list(row[:1] if spanning else row[: len(widths)])
            cells += [(0, 0)] * (0 if spanning else len(widths) - len(cells))
            pieces: list[str] = []
            moved: list[RichSpan] = []
            offset = 0
            for column, (start, end) in enumerate(cells):
                if column:
                    pieces.append(" " * TABLE_GAP)
                    offset += TABLE_GAP
                content = plain[start:end]
                room = 0 if spanning else max(0, widths[column] - cell_len(content))
                lead = room if room and right[column] else 0
                if start < end:  # cells come in text order: spans are swept once
                    while upcoming < len(spans) and spans[upcoming].start < end:
                        active.append(spans[upcoming])
                        upcoming += 1
                    active = [span for span in active if span.end > start]
                    at = offset + lead - start
                    for span in active:
                        a, b = max(span.start, start), min(span.end, end)
                        if a < b:
                            moved.append(RichSpan(a + at, b + at, span.style))
                pieces.append(" " * lead + content + " " * (room - lead))
                offset += len(pieces[-1])
            line = "".join(pieces).rstrip()
            lines.append(Text(line, style=self.text.style, spans=moved, no_wrap=True))
        return lines


def _body(block: Block, styles: ArticleStyles, links: _Links) -> RenderableType:
    if block.kind == "heading":
        level = min(max(block.level, 1), len(styles.headings))
        return _inline(block, styles, links, styles.headings[level - 1])
    if block.kind == "code":  # wrapped rather than cut: the view cannot scroll sideways
        code = Text(block.text, style=styles.code_block, overflow="fold")
        return Padding(code, (0, 1), style=styles.code_block, expand=True)
    if block.kind == "rule":
        return Rule(style=styles.dim)
    if block.kind == "image":
        return _inline(block, styles, links, styles.image)
    if block.kind == "quote":
        return _inline(block, styles, links, styles.quote_text)
    if block.kind == "table":
        return TableBlock(block, _inline(block, styles, links), styles)
    return _inline(block, styles, links)


class _Prefixes:
    """Prefix and separator Texts per nest, made once: articles repeat a few nests."""

    def __init__(self, styles: ArticleStyles) -> None:
        self.styles = styles
        self._nests: dict[tuple[str, ...], tuple[Text, Text]] = {}
        self._separators: dict[tuple[str, ...], Text] = {}

    def of(self, nest: tuple[str, ...]) -> tuple[Text, Text]:
        texts = self._nests.get(nest)
        if texts is None:
            texts = self._nests[nest] = nest_texts(nest, self.styles)
        return texts

    def separator(self, above: Block, below: Block) -> Text:
        """The line between two blocks: blank, but inside the quotes they share."""
        shared = 0
        for a, b in zip(above.nest, below.nest, strict=False):
            if (a == QUOTE) != (b == QUOTE):
                break
            shared += 1
        key = below.nest[:shared]
        line = self._separators.get(key)
        if line is None:
            line = self._separators[key] = self.of(key)[1].copy()
            line.rstrip()
        return line


def render_document(
    document: Document, *, shortened: bool = False, styles: ArticleStyles = DEFAULT_STYLES
) -> RenderableType:
    """The whole body: blocks separated by blank lines, then the numbered links.

    A ``shortened`` article gets a note saying so after its text. At most
    :data:`MAX_LISTED_LINKS` links are listed; those newsreader will not open
    are marked.
    """
    parts: list[RenderableType] = []
    links = _Links(document.links)
    prefixes = _Prefixes(styles)
    previous: Block | None = None
    for block in document.blocks:
        if previous is not None and not block.tight:
            parts.append(prefixes.separator(previous, block))
        body = _body(block, styles, links)
        parts.append(Indented(body, *prefixes.of(block.nest)) if block.nest else body)
        previous = block
    if shortened:
        parts.append(Text(""))
        note = "(The article is too long to show here in full; o opens it in the browser.)"
        parts.append(Text(note, style=styles.dim + Style(italic=True)))
    if document.links:
        parts.append(Text(""))
        parts.append(Text("Links", style=styles.headings[2]))
        for number, url in enumerate(document.links[:MAX_LISTED_LINKS], start=1):
            line = Text(f"[{number}] ", style=styles.link_number)
            if links.openable(number):
                line.append(shown_url(url), style=styles.link)
            else:
                line.append(shown_url(url), style=styles.link_not_openable)
                line.append(f" {NOT_OPENABLE}", style=styles.dim)
            parts.append(line)
        more = len(document.links) - MAX_LISTED_LINKS
        if more > 0:
            parts.append(Text(f"… and {more:,} more", style=styles.dim))
    if not parts:
        parts.append(Text("(this article has no text)", style=styles.dim + Style(italic=True)))
    return Group(*parts)
