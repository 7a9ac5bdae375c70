"""Article documents → Rich ``Text`` for the article view.

Built from plain strings and styles, never from markup, so a feed that
writes ``[bold]`` or ``[@click=app.quit]`` shows exactly that.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from reader.text import Block, Document, shown_url

# A page of thousands of links would take seconds to lay out; nobody reads that list.
MAX_LISTED_LINKS = 500
_SPAN_STYLES = {
    "bold": Style(bold=True),
    "italic": Style(italic=True),
    "code": Style(color="bright_cyan"),
    "link": Style(underline=True, color="bright_blue"),
}
_HEADING = (
    Style(bold=True, underline=True, color="bright_white"),
    Style(bold=True, color="bright_white"),
    Style(bold=True),
)


def _inline(block: Block, base: Style | None = None) -> Text:
    text = Text(block.text, style=base or "")  # text.py has cleaned it
    for span in block.spans:
        style = _SPAN_STYLES.get(span.style)
        if style is not None:
            text.stylize(style, span.start, span.end)
    return text


class Indented:
    """A renderable drawn narrower, with a prefix on the first and later lines.

    Used for list items (marker, then hanging indent) and block quotes (a bar
    on every line), which Rich's own wrapping cannot do.
    """

    def __init__(self, body: RenderableType, first: Text, rest: Text) -> None:
        self.body = body
        self.first = first
        self.rest = rest

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        width = max(options.max_width - self.first.cell_len, 10)
        lines = console.render_lines(self.body, options.update_width(width), pad=False)
        for index, line in enumerate(lines):
            prefix = self.first if index == 0 else self.rest
            yield from prefix.render(console)
            yield from line
            yield Segment.line()


def render_block(block: Block) -> RenderableType:
    """One block, styled and indented as its kind asks."""
    if block.kind == "heading":
        return _inline(block, _HEADING[min(max(block.level, 1), 3) - 1])
    if block.kind == "code":
        return Text(block.text, style=Style(color="bright_cyan"), no_wrap=True)
    if block.kind == "rule":
        return Text("─" * 40, style="dim")
    if block.kind == "image":
        return _inline(block, Style(italic=True, dim=True))
    if block.kind == "quote":
        bar = Text("▌ " * max(block.level, 1), style=Style(color="bright_black"))
        return Indented(_inline(block, Style(italic=True)), bar, bar)
    if block.kind == "list_item":
        indent = "  " * block.level
        marker = Text(indent + block.marker, style="bold")
        return Indented(_inline(block), marker, Text(" " * marker.cell_len))
    return _inline(block)


def render_document(document: Document, *, shortened: bool = False) -> RenderableType:
    """The whole body: blocks separated by blank lines, then numbered links.

    A ``shortened`` article gets a note saying so after its text. At most
    :data:`MAX_LISTED_LINKS` links are listed.
    """
    parts: list[RenderableType] = []
    previous_kind = ""
    for block in document.blocks:
        tight = block.kind == "list_item" and previous_kind == "list_item"
        if parts and not tight:
            parts.append(Text(""))
        parts.append(render_block(block))
        previous_kind = block.kind
    if shortened:
        parts.append(Text(""))
        note = "(The article is too long to show here in full; o opens it in the browser.)"
        parts.append(Text(note, style="dim italic"))
    if document.links:
        parts.append(Text(""))
        parts.append(Text("Links", style="bold"))
        for number, url in enumerate(document.links[:MAX_LISTED_LINKS], start=1):
            line = Text(f"[{number}] ", style="dim")
            line.append(shown_url(url), style=Style(color="bright_blue"))
            parts.append(line)
        more = len(document.links) - MAX_LISTED_LINKS
        if more > 0:
            parts.append(Text(f"… and {more:,} more", style="dim"))
    if not parts:
        parts.append(Text("(this article has no text)", style="dim italic"))
    return Group(*parts)
