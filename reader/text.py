"""Turn article HTML from a feed into plain, terminal-safe reading text.

Feed bodies are hostile and often broken, so this module never trusts them:
scripts, styles, frames and forms are dropped with their content, every
string that comes out has been through :func:`reader.sanitize.clean_text`, and
nothing here interprets Rich/Textual markup, so ``[bold]`` stays literal text
(the caller must render the result without markup).

The parser is a small regex tokenizer feeding an explicit stack of open
elements rather than ``html.parser``: it only decodes the attributes it needs,
jumps over script/style bodies without tokenizing them, and cannot recurse
(10,000 nested tags are just a long list). Its regexes cannot backtrack
catastrophically, so a 5 MB page parses in about half a second.

:func:`html_to_document` produces a :class:`Document` of blocks with inline
spans so a UI can style it; :func:`document_to_text` lays that out as plain
text, optionally wrapped, with numbered link references.
"""

from __future__ import annotations

import bisect
import html as htmllib
import math
import re
import textwrap
from dataclasses import dataclass, replace
from typing import Literal
from urllib.parse import urljoin, urlsplit

from reader.links import ALLOWED_SCHEMES, LinkRefused, check_link
from reader.sanitize import clean_line, clean_text

__all__ = [
    "NOT_OPENABLE",
    "QUOTE",
    "TABLE_GAP",
    "Block",
    "BlockKind",
    "Document",
    "Span",
    "SpanStyle",
    "document_to_text",
    "html_to_document",
    "html_to_text",
    "link_line",
    "link_openable",
    "nest_prefixes",
    "numeric_columns",
    "reading_time_minutes",
    "shorten_document",
    "shown_url",
    "table_columns",
]

SpanStyle = Literal["bold", "italic", "underline", "strike", "mark", "code", "link"]
BlockKind = Literal["heading", "paragraph", "quote", "code", "list_item", "rule", "image", "table"]

# An entry of Block.nest that stands for an enclosing block quote. Every other
# entry is a list item's prefix, which always ends in a space or is empty.
QUOTE = ">"


@dataclass(frozen=True)
class Span:
    """Inline style over ``Block.text[start:end]``; kept apart from the text so
    the text itself never carries markup a renderer could interpret."""

    start: int
    end: int
    style: SpanStyle
    link: int | None = None  # 1-based index into Document.links for style "link"


@dataclass(frozen=True)
class Block:
    """One block of the article, already whitespace-normalised and cleaned.

    ``nest`` lists the containers around the block, outermost first:
    :data:`QUOTE` for a block quote, else a list item's prefix: its marker
    ("• ", "3. ") on the item's first block, and blanks as wide as the marker on
    later ones, so text lines up under the item's text. A renderer draws each
    entry on the block's first line and the entry's "rest" form (a quote bar, or
    blanks) on later lines. At most 20 entries: deeper nesting is drawn flat.

    ``level`` is the heading level (1-6), the list depth of a list item (0 =
    top), or the quote depth of a quote. A ``table`` block's text is its rows,
    one a line, cells joined by " | "; ``cells`` gives each row's cells as
    ``(start, end)`` offsets into that text (empty when the layout must stay
    row per line) and ``head`` says whether the first row is a header.
    ``tight`` blocks follow the one before without a blank line: the items of
    one list.
    """

    kind: BlockKind
    text: str
    level: int = 0
    spans: tuple[Span, ...] = ()
    nest: tuple[str, ...] = ()
    cells: tuple[tuple[tuple[int, int], ...], ...] = ()
    head: bool = False
    tight: bool = False


@dataclass(frozen=True)
class Document:
    """An article as blocks plus the absolute URLs its ``[n]`` markers refer to.

    Links are numbered in order of first appearance. http(s) and mailto links
    may be opened; other real destinations (ftp:, tel:, gemini: ...) are listed
    too, and :func:`link_openable` tells them apart.
    """

    blocks: tuple[Block, ...]
    links: tuple[str, ...]


# --------------------------------------------------------------------------
# Tokenizer
# --------------------------------------------------------------------------

# Attribute area of a start tag, following the HTML tokenizer: quotes only
# open a value right after "=". Atomic group + possessive repeat: no
# backtracking, so a broken tag costs at most one scan of itself.
_ATTRS = (
    r"(?>[\t\n\f\r /]+"
    r"|[^\t\n\f\r />=][^\t\n\f\r />=]*"
    r"(?:[\t\n\f\r ]*=[\t\n\f\r ]*(?:\"[^\"]*\"|'[^']*'|[^\t\n\f\r >]*))?"
    r"|=[^\t\n\f\r />=]*)*+"
)
_START_TAG = re.compile(r"<([a-zA-Z][^\t\n\f\r />]*)(" + _ATTRS + r")>")
_START_TAG_LOOSE = re.compile(r"<([a-zA-Z][^\t\n\f\r />]*)([^>]*)>")
_END_TAG = re.compile(r"</([a-zA-Z][^\t\n\f\r />]*)[^>]*>")
_ATTR = re.compile(
    r"([^\t\n\f\r />=][^\t\n\f\r />=]*|=[^\t\n\f\r />=]*)"
    r"(?:[\t\n\f\r ]*=[\t\n\f\r ]*(\"[^\"]*\"|'[^']*'|[^\t\n\f\r >]*))?"
)
# Elements whose content is raw text in HTML; all of them are dropped, so the
# tokenizer skips straight to their end tag without looking inside.
_RAW_DROP = ("script", "style", "title", "textarea", "iframe", "noscript", "noembed", "noframes")
_RAW_END = {name: re.compile(r"</" + name + r"(?=[\t\n\f\r />]|\Z)", re.I) for name in _RAW_DROP}
_LOOKS_LIKE_HTML = re.compile(r"<(?:[a-zA-Z!?]|/[a-zA-Z])")


def _parse_attrs(attrs: str) -> dict[str, str]:
    """Attribute names (lower-cased) to decoded values; the first duplicate wins."""
    out: dict[str, str] = {}
    for m in _ATTR.finditer(attrs):
        name = m.group(1).lower()
        if name in out:
            continue
        value = m.group(2) or ""
        if len(value) > 1 and value[0] in "'\"" and value[-1] == value[0]:
            value = value[1:-1]
        # The input was cleaned as a whole; only decoded entities can add controls.
        out[name] = _clean_keeping_tabs(htmllib.unescape(value)) if "&" in value else value
    return out


def _clean_keeping_tabs(value: str) -> str:
    """:func:`clean_text` without expanding tabs (they are parked on a noncharacter).

    Tabs are dropped from URLs, as browsers do, so "jav&#9;ascript:" is seen as
    the javascript: link it is rather than as a relative link with a space.
    """
    return clean_text(value.replace("\ufffe", "").replace("\t", "\ufffe")).replace("\ufffe", "\t")


# --------------------------------------------------------------------------
# Tree-less builder
# --------------------------------------------------------------------------


def _words(names: str) -> frozenset[str]:
    return frozenset(names.split())


_VOID = _words(
    "area base basefont bgsound br col embed frame hr image img input keygen link meta param "
    "source track wbr"
)
# Dropped with all their content (the raw-text ones never reach the builder).
_DROP = _words(
    "applet button datalist embed form frameset head input object select svg math template"
)
# Tags that may appear in <head>; anything else ends an unclosed head, as in browsers.
_HEAD_OK = _words("base basefont bgsound link meta noscript script style template title")

(
    _K_INLINE,
    _K_BLOCK,
    _K_HEADING,
    _K_LIST,
    _K_ITEM,
    _K_QUOTE,
    _K_PRE,
    _K_TABLE,
    _K_ROW,
    _K_CELL,
    _K_STYLE,
    _K_LINK,
    _K_SOFT,  # a block element inside a table cell: only a paragraph break in the cell
) = range(13)

_STYLE_OF: dict[str, SpanStyle] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "cite": "italic",
    "code": "code",
    "kbd": "code",
    "samp": "code",
    "tt": "code",
    "u": "underline",
    "ins": "underline",
    "s": "strike",
    "strike": "strike",
    "del": "strike",
    "mark": "mark",
}
_BLOCK_TAGS = _words(
    "address article aside body caption center details dialog div fieldset figcaption "
    "figure footer frameset header hgroup html legend main nav p search section summary"
)
_KIND: dict[str, int] = dict.fromkeys(_BLOCK_TAGS, _K_BLOCK)
_KIND.update(dict.fromkeys(("h1", "h2", "h3", "h4", "h5", "h6"), _K_HEADING))
_KIND.update(dict.fromkeys(("ul", "ol", "dl", "menu", "dir"), _K_LIST))
_KIND.update(dict.fromkeys(("li", "dt", "dd"), _K_ITEM))
_KIND.update(blockquote=_K_QUOTE, table=_K_TABLE, tr=_K_ROW, td=_K_CELL, th=_K_CELL)
_KIND.update(dict.fromkeys(("pre", "xmp", "listing", "plaintext"), _K_PRE))
_KIND.update(dict.fromkeys(_STYLE_OF, _K_STYLE))
_KIND["a"] = _K_LINK
# Block elements an implied </li> passes through (the spec's list); inline ones too.
_ITEM_SCOPE_BLOCKS = _words("address div p")
# Inside a table cell these only separate the cell's paragraphs (see _Table).
_SOFT_IN_TABLE = frozenset((_K_BLOCK, _K_LIST, _K_ITEM))

# Deeper list/quote nesting is reported (and drawn) at this depth, so hostile
# nesting cannot push the text off the screen of any renderer.
_MAX_DEPTH = 20
# Link targets longer than this are shown shortened.
_MAX_SHOWN_URL = 4096
_COLLAPSE = re.compile(r"[ \t\n]+")
_URL_NOISE = re.compile(r"[\t\n\r]")
_INT = re.compile(r"\s*([+-]?\d{1,9})\s*\Z")
_LINK_SCHEMES = ALLOWED_SCHEMES  # links `o` and `l` may open
# Links with these schemes are code, inline data or the reader's own machine, not
# places to go: their text stays, without a number. Any other scheme (ftp:, tel:,
# gemini:...) is numbered and listed as a link newsreader does not open.
_NOT_LISTED = _words(
    "about blob chrome data file filesystem jar javascript livescript view-source vbscript"
)
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]+):")
# An absolute http(s) URL with a plain host; group 1 is its origin.
_ABSOLUTE_URL = re.compile(r"(https?://[a-z0-9.-]+(?::[0-9]+)?)(?:[/?#]|\Z)", re.I)
# Lazy-loading pages keep the real image in a data attribute and a placeholder in src.
_IMAGE_SOURCES = ("src", "data-src", "data-original", "data-lazy-src", "data-url")


_BULLETS = ("•", "◦", "▪")  # by list depth, as browsers vary them


class _List:
    """A list: how it numbers, and its items, whose markers are set when it ends
    (a reversed list counts down from its number of items, and numbers are
    right-aligned to the widest)."""

    __slots__ = ("depth", "items", "ordered", "reversed", "start", "style")

    def __init__(
        self, ordered: bool, start: int | None, reversed_: bool, style: str, depth: int
    ) -> None:
        self.ordered = ordered
        self.start = start
        self.reversed = reversed_
        self.style = style  # the <ol type>: "1", "a", "A", "i" or "I"
        self.depth = depth
        self.items: list[_Item] = []

    def set_markers(self) -> None:
        if not self.ordered:
            bullet = _BULLETS[self.depth % len(_BULLETS)] + " "
            for item in self.items:
                item.marker, item.blank = bullet, "  "
            return
        step = -1 if self.reversed else 1
        current = len(self.items) if self.reversed else 1
        if self.start is not None:
            current = self.start
        labels = []
        for item in self.items:
            number = current if item.value is None else item.value
            labels.append(_ordinal(number, self.style) + ".")
            current = number + step
        width = max(map(len, labels), default=0)
        for item, label in zip(self.items, labels, strict=True):
            item.marker = label.rjust(width) + " "
            item.blank = " " * (width + 1)


class _Item:
    """A list item as a container of blocks: the first block it holds gets the
    marker, later ones blanks as wide."""

    __slots__ = ("blank", "first_block", "marker", "value")

    def __init__(self, value: int | None = None, marker: str = "") -> None:
        self.value = value  # <li value>
        self.marker = marker
        self.blank = " " * len(marker)
        self.first_block = -1


_Container = str | _Item  # QUOTE or a list item


def _ordinal(number: int, style: str) -> str:
    """``number`` as an <ol type> counts it: 3 is "c" for "a", "III" for "I"."""
    if number > 0 and style in ("a", "A"):
        letters = ""
        while number:
            number, digit = divmod(number - 1, 26)
            letters = chr(ord("a") + digit) + letters
        return letters if style == "a" else letters.upper()
    if 0 < number < 4000 and style in ("i", "I"):
        roman = ""
        for value, numeral in _ROMAN:
            count, number = divmod(number, value)
            roman += numeral * count
        return roman.lower() if style == "i" else roman
    return str(number)


_ROMAN = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)  # fmt: skip
# A table whose cells hold this much text, or paragraphs and this much, lays
# out a page rather than data: its cells become paragraphs.
_LAYOUT_CELL = 1000
_LAYOUT_CELL_WITH_PARAGRAPHS = 200


class _Table:
    """Rows and cells of an open table as offsets into the inline buffer.

    Cells are collected as text ("a | b" lines) and, on the side, as offsets,
    so a table that turns out to be page layout (long cells of paragraphs) can
    still become plain paragraphs at its soft breaks.
    """

    __slots__ = ("break_marks", "breaks", "cell", "cell_head", "heads", "layout", "rows")

    def __init__(self) -> None:
        self.rows: list[list[tuple[int, int]]] = []
        self.heads: list[bool] = []  # per row: all its cells are <th>
        self.cell = -1  # buffer offset where the open cell's text starts; -1: none open
        self.cell_head = False
        self.breaks: list[int] = []  # buffer offsets of paragraph breaks inside cells
        # 1 at each offset in ``breaks``, for has_break_between.
        self.break_marks = bytearray()
        self.layout = False

    def new_row(self) -> None:
        self.rows.append([])
        self.heads.append(True)

    def add_break(self, offset: int) -> None:
        self.breaks.append(offset)
        if offset >= len(self.break_marks):
            self.break_marks.extend(bytes(offset + 1 - len(self.break_marks)))
        self.break_marks[offset] = 1

    def has_break_between(self, start: int, end: int) -> bool:
        """Whether a break lies strictly inside (start, end).

        Scans the cell's own span, not every break so far: a table of many
        paragraphs then many longer cells would otherwise cost breaks × cells.
        """
        return self.break_marks.find(1, start + 1, end) >= 0

    def reset(self, reopen_cell: bool) -> None:
        """After the buffer was flushed: a cell that was open goes on in the new one."""
        self.rows, self.heads, self.breaks = [], [], []
        self.break_marks = bytearray()
        if reopen_cell:
            self.new_row()
            self.cell = 0


class _Ctx:
    """An open element that decides what kind of block its text becomes."""

    __slots__ = ("kind", "level", "nested", "table")

    def __init__(self, kind: str, level: int = 0, table: _Table | None = None) -> None:
        self.kind = kind  # "heading", "quote", "item" or "table"
        self.level = level
        self.nested = False  # it added an entry to the builder's nest
        self.table = table


def _span_order(span: Span) -> tuple[int, int]:
    return span.start, span.end


def _to_int(value: str | None) -> int | None:
    if value is None:
        return None
    m = _INT.match(value)
    return int(m.group(1)) if m else None


def _collapse(value: str) -> str:
    return _COLLAPSE.sub(" ", clean_text(value)).strip()


# A block inside list items, without its nest: kind, text, level, spans, cells, head, tight.
_BlockArgs = tuple[
    BlockKind, str, int, tuple[Span, ...], tuple[tuple[tuple[int, int], ...], ...], bool, bool
]
_PENDING = Block("paragraph", "")


class _Builder:
    """Consumes tokens and accumulates blocks; one instance per document."""

    def __init__(self, base_url: str | None) -> None:
        self.blocks: list[Block] = []
        # Blocks inside list items, with their containers: list markers are
        # only known when their lists end, so these get their nest last.
        self._pending: list[tuple[tuple[_Container, ...], _BlockArgs]] = []
        self._previous: tuple[str, int] = ("", 0)  # the last block's kind and list
        self.links: dict[str, int] = {}
        self._base = base_url
        # "scheme://host" of base_url, for the fast path of root-relative links.
        origin = _ABSOLUTE_URL.match(base_url or "")
        self._origin = origin.group(1) if origin else ""
        self._resolved: dict[str, str | None] = {}
        # Inline text of the block being built.
        self._buf: list[str] = []
        self._len = 0
        self._last = ""
        self._newlines = 0  # trailing <br> newlines, capped at 2
        self._lone_image_end = -1  # buffer length after an image that began the block
        self._spans: list[Span] = []
        self._style_count: dict[SpanStyle, int] = {}
        self._style_start: dict[SpanStyle, int] = {}
        self._link_url: str | None = None
        self._link_start = 0
        self._link_frame = -1  # stack index of the <a> that owns the open link
        # Open elements.
        self._frames: list[tuple[str, int]] = []
        self._open: dict[str, int] = {}
        self._ctx: list[_Ctx] = []
        self._lists: list[_List] = []
        self._all_lists: list[_List] = []
        self._list_serial = 0  # counts outermost lists
        self._nest: list[_Container] = []  # quotes and list items around the text
        self._quotes = 0
        self._pre = 0
        self._pre_in_cell = False  # the outermost open <pre> began in an open table cell
        self._drop = ""
        self._drop_depth = 0

    # -- tokenizer -----------------------------------------------------------

    def feed(self, src: str) -> None:
        """Tokenize ``src`` (already cleaned) and build blocks as tags arrive."""
        pos = 0
        n = len(src)
        last_gt = src.rfind(">")
        find = src.find
        text = self.text
        start = self.start
        end = self.end
        while pos < n:
            lt = find("<", pos)
            if lt < 0 or lt > last_gt:  # no tag can be complete any more: the rest is text
                text(src[pos:])
                return
            if lt > pos:
                text(src[pos:lt])
            c = src[lt + 1]  # exists: lt < last_gt
            if "a" <= c <= "z" or "A" <= c <= "Z":
                m = _START_TAG.match(src, lt) or _START_TAG_LOOSE.match(src, lt)
                if m is None:  # cannot happen while a ">" follows; stay safe anyway
                    text("<")
                    pos = lt + 1
                    continue
                name = m.group(1).lower()
                attrs = m.group(2)
                pos = m.end()
                closed = attrs[-1:] == "/" and (len(attrs) == 1 or attrs[-2] in "\t\n\f\r \"'")
                raw_end = _RAW_END.get(name)
                if raw_end is None:
                    start(name, attrs, closed)
                elif not closed:  # script, style...: skip to the end tag unseen
                    e = raw_end.search(src, pos)
                    gt = find(">", e.end()) if e is not None else -1
                    if gt < 0:
                        return
                    pos = gt + 1
            elif c == "/":
                m = _END_TAG.match(src, lt)
                if m is not None:
                    end(m.group(1).lower())
                    pos = m.end()
                else:  # "</>" or "</ junk>": a bogus comment
                    pos = find(">", lt) + 1
            elif c == "!" or c == "?":
                if src.startswith("<!--", lt):
                    if src.startswith("<!-->", lt):
                        pos = lt + 5
                    elif src.startswith("<!--->", lt):
                        pos = lt + 6
                    else:
                        close = find("-->", lt + 4)
                        pos = n if close < 0 else close + 3
                else:  # doctype, CDATA outside foreign content, processing instruction
                    pos = find(">", lt) + 1
            else:
                text("<")
                pos = lt + 1

    # -- links ------------------------------------------------------------

    def _resolve(self, href: str | None) -> str | None:
        """Absolute http(s)/mailto URL for href, or None when it is not worth a number."""
        if not href:
            return None
        url = self._resolved.get(href, "")
        if url == "":
            url = self._resolved[href] = self._resolve_new(href)
        return url

    def _resolve_new(self, href: str) -> str | None:
        href = _URL_NOISE.sub("", href).strip(" ")
        if not href or href[0] == "#":  # in-page anchors lead nowhere in a terminal
            return None
        if _ABSOLUTE_URL.match(href):  # the common case, without urljoin's cost
            return href.replace(" ", "%20")
        if href[0] == "/" and href[1:2] != "/" and "/." not in href and self._origin:
            return (self._origin + href).replace(" ", "%20")
        scheme = _SCHEME.match(href)
        if scheme is not None and scheme.group(1).lower() not in _LINK_SCHEMES:
            if scheme.group(1).lower() in _NOT_LISTED or not href[scheme.end() :].strip("/ "):
                return None
            return href.replace(" ", "%20")  # listed, but not opened
        try:
            url = urljoin(self._base, href) if self._base else href
            if url.startswith("//"):
                url = "https:" + url
            parts = urlsplit(url)
        except ValueError:  # e.g. a malformed IPv6 host
            return None
        if parts.scheme not in _LINK_SCHEMES:  # relative to a base of another scheme
            return None
        if parts.scheme != "mailto" and not parts.netloc:
            return None
        return url.replace(" ", "%20")

    def _number(self, url: str) -> int:
        number = self.links.get(url)
        if number is None:
            number = self.links[url] = len(self.links) + 1
        return number

    # -- inline buffer -----------------------------------------------------

    def _put(self, s: str) -> None:
        self._buf.append(s)
        self._len += len(s)
        self._last = s[-1]
        self._newlines = 0

    def _append(self, s: str) -> None:
        """Append collapsed text, never doubling a space or starting a line with one."""
        if s[0] == " ":
            if self._last in " \n" or not self._len:
                s = s[1:]
                if not s:
                    return
            else:  # spans opened right here begin after the space
                for style, start in self._style_start.items():
                    if start == self._len:
                        self._style_start[style] = start + 1
                if self._link_start == self._len:
                    self._link_start += 1
        self._put(s)

    def _strip_space(self) -> bool:
        if self._last != " ":
            return False
        piece = self._buf[-1][:-1]
        self._len -= 1
        if piece:
            self._buf[-1] = piece
        else:
            self._buf.pop()
        self._last = self._buf[-1][-1] if self._buf else ""
        return True

    def _reset_inline(self) -> None:
        self._lone_image_end = -1
        self._buf = []
        self._len = 0
        self._last = ""
        self._newlines = 0
        self._spans = []
        for style in self._style_start:
            self._style_start[style] = 0
        self._link_start = 0

    def text(self, data: str) -> None:
        if self._drop:
            if self._drop != "head" or not data.strip():
                return
            self._drop = ""  # text ends an unclosed <head>, as in browsers
        if self._pre:
            if "&" in data:  # cleaned with the whole code block
                data = htmllib.unescape(data)
            if data:
                self._put(data)
            return
        if "&" in data:
            data = clean_text(htmllib.unescape(data))
        if "\n" in data or "\t" in data or "  " in data:
            data = _COLLAPSE.sub(" ", data)
        if data:
            self._append(data)

    def _line_break(self) -> None:
        if self._pre:
            self._put("\n")
            return
        if self._ctx and self._ctx[-1].kind == "table":  # lines are the table's rows
            self._append(" ")
            return
        self._strip_space()
        if self._len and self._newlines < 2:
            newlines = self._newlines
            self._put("\n")
            self._newlines = newlines + 1

    # -- blocks --------------------------------------------------------------

    def _link_tail(self, end: int) -> str:
        """Marker for the open link's text in this block, recording its span."""
        if self._link_url is None or self._link_start >= end:
            return ""
        number = self._number(self._link_url)
        self._spans.append(Span(self._link_start, end, "link", number))
        return f"[{number}]"

    def _emit(
        self,
        kind: BlockKind,
        text: str,
        level: int = 0,
        spans: tuple[Span, ...] = (),
        cells: tuple[tuple[tuple[int, int], ...], ...] = (),
        head: bool = False,
    ) -> None:
        """Add a block inside the open quotes and list items."""
        group = self._list_serial if self._lists else 0
        tight = group > 0 and kind == "list_item" and self._previous == (kind, group)
        self._previous = (kind, group)
        if self._nest and not all(container is QUOTE for container in self._nest):
            index = len(self.blocks)
            for container in self._nest:
                if isinstance(container, _Item) and container.first_block < 0:
                    container.first_block = index
            self._pending.append(
                (tuple(self._nest), (kind, text, level, spans, cells, head, tight))
            )
            self.blocks.append(_PENDING)  # made in finish(), when the markers are known
            return
        nest = (QUOTE,) * len(self._nest)
        self.blocks.append(Block(kind, text, level, spans, nest, cells, head, tight))

    def _flush(self) -> None:
        """End the current block (a block-level tag started or ended)."""
        if self._pre:
            if self._len and self._last != "\n":
                self._put("\n")
            return
        ctx = self._ctx[-1] if self._ctx else None
        table = ctx.table if ctx is not None else None
        open_cell = table is not None and table.cell >= 0
        if table is not None and open_cell:
            self._end_cell(table)
        if not self._len:
            if table is not None:
                table.reset(open_cell)
            return
        text = "".join(self._buf).rstrip(" \n")
        if table is not None and text.endswith(" |") and _ends_in_empty_cell(table, text):
            text = text[:-2]  # the separator before an empty cell
        end = len(text)
        for style, start in self._style_start.items():
            if start < end:
                self._spans.append(Span(start, end, style))
        text += self._link_tail(end)
        spans = [
            s if s.end <= end else Span(s.start, end, s.style, s.link)
            for s in self._spans
            if s.start < s.end and s.start < end
        ]
        if len(spans) > 1:
            spans.sort(key=_span_order)
        lone_image = self._len == self._lone_image_end
        self._reset_inline()
        if table is not None:
            self._table_blocks(table, text, tuple(spans))
            table.reset(open_cell)
        elif not text:
            return
        elif ctx is None:
            self._emit("image" if lone_image else "paragraph", text, spans=tuple(spans))
        elif ctx.kind == "heading":
            self._emit("heading", text, ctx.level, tuple(spans))
        elif ctx.kind == "quote":
            self._emit("quote", text, ctx.level, tuple(spans))
        else:
            self._emit("list_item", text, ctx.level, tuple(spans))

    def _flush_code(self) -> None:
        """End a <pre>: whitespace kept, outer blank lines and trailing spaces dropped."""
        lines = [line.rstrip() for line in clean_text("".join(self._buf)).split("\n")]
        while lines and not lines[-1]:
            lines.pop()
        first = 0
        while first < len(lines) and not lines[first]:
            first += 1
        text = "\n".join(lines[first:])
        if text:
            text += self._link_tail(self._len)
            self._emit("code", text)
        self._reset_inline()
        self._rebase_table()

    def _rebase_table(self) -> None:
        """After a <pre> in a table ends, its code block has taken the buffer: the
        rows and breaks the table counted in it are gone, and the cell the <pre>
        began in goes on from the new buffer's start, as after _flush (stale
        offsets split later cells at the code's breaks, or left text uncelled)."""
        table = self._table()
        if table is not None:
            table.reset(self._pre_in_cell)

    # -- tables ----------------------------------------------------------------

    def _table(self) -> _Table | None:
        """The table whose cells the text is going into, if any."""
        return self._ctx[-1].table if self._ctx else None

    def _row_break(self) -> None:
        if self._pre:
            return
        self._strip_space()
        if self._len and self._last != "\n":
            self._put("\n")

    def _start_row(self, table: _Table) -> None:
        self._end_cell(table)
        self._row_break()
        table.new_row()

    def _start_cell(self, table: _Table, head: bool) -> None:
        self._end_cell(table)
        if not table.rows:
            table.new_row()
        elif table.rows[-1] and self._len and self._last != "\n":
            self._strip_space()
            self._put(" | ")
        table.cell = self._len
        table.cell_head = head

    def _end_cell(self, table: _Table) -> None:
        if table.cell < 0:
            return
        self._strip_space()
        start = min(table.cell, self._len)
        end = self._len
        table.cell = -1
        if not table.rows:
            table.new_row()
        table.rows[-1].append((start, end))
        if not table.cell_head:
            table.heads[-1] = False
        length = end - start
        if length > _LAYOUT_CELL_WITH_PARAGRAPHS and not table.layout:
            inner = table.has_break_between(start, end)
            table.layout = inner or length > _LAYOUT_CELL

    def _soft_break(self, table: _Table) -> None:
        """A paragraph boundary inside a cell: a space, remembered as a break."""
        if self._len and self._last not in " \n":
            self._put(" ")
        if table.cell >= 0 and self._len > table.cell:
            table.add_break(self._len)

    def _table_blocks(self, table: _Table, text: str, spans: tuple[Span, ...]) -> None:
        """The table's text so far as a table block, or as paragraphs if it is layout."""
        if table.layout:
            self._paragraphs_at(text, spans, table.breaks)
            return
        rows = [
            (row, head)
            for row, head in zip(table.rows, table.heads, strict=True)
            if any(start < end for start, end in row)
        ]
        if not rows:
            self._emit("paragraph", text, spans=spans)
            return
        size = len(text)
        cells = tuple(tuple((min(a, size), min(b, size)) for a, b in row) for row, _ in rows)
        head = len(rows) > 1 and rows[0][1]
        if not _cells_cover(text, cells):  # text outside any cell: keep it, row per line
            cells, head = (), False
        self._emit("table", text, spans=spans, cells=cells, head=head)

    def _paragraphs_at(self, text: str, spans: tuple[Span, ...], breaks: list[int]) -> None:
        bounds = [0, *sorted(b for b in breaks if 0 < b < len(text)), len(text)]
        pieces: list[list[Span]] = [[] for _ in bounds]
        for span in spans:  # each span goes to the pieces it overlaps
            first = bisect.bisect_right(bounds, span.start) - 1
            for index in range(max(first, 0), len(bounds) - 1):
                if bounds[index] >= span.end:
                    break
                pieces[index].append(span)
        for index in range(len(bounds) - 1):
            piece = text[bounds[index] : bounds[index + 1]]
            start = bounds[index] + len(piece) - len(piece.lstrip(" \n"))
            piece = piece.strip(" \n")
            if not piece:
                continue
            end = start + len(piece)
            own = tuple(
                Span(max(s.start, start) - start, min(s.end, end) - start, s.style, s.link)
                for s in pieces[index]
                if s.start < end and s.end > start
            )
            self._emit("paragraph", piece, spans=own)

    def _image(self, attrs: dict[str, str]) -> None:
        if attrs.get("width", "").strip() in ("0", "1") or attrs.get("height", "").strip() in (
            "0",
            "1",
        ):
            return  # tracking pixel
        url = None
        for name in _IMAGE_SOURCES:
            url = self._resolve(attrs.get(name))
            if url:
                break
        if url is None:
            for name in ("srcset", "data-srcset"):
                candidate = attrs.get(name, "").strip().split(",")[0].split()
                url = self._resolve(candidate[0] if candidate else None)
                if url:
                    break
        alt = _collapse(attrs.get("alt") or attrs.get("title") or "")
        if url is None and not alt:
            return
        label = f"[image: {alt}]" if alt else "[image]"
        number = self._number(url) if url else None
        tail = f"[{number}]" if number else ""
        if self._pre:
            self._put(label + tail)
        else:
            # An image that begins a block is a block of its own (a figure)
            # unless text follows it in the same paragraph.
            alone = self._link_url is None and not self._ctx
            if alone and self._len and self._len == self._lone_image_end:
                self._flush()  # the image before it stands alone too
            alone = alone and not self._len
            if self._len and self._last not in " \n":
                self._put(" ")
            start = self._len
            self._put(label)
            if number:
                self._spans.append(Span(start, self._len, "link", number))
                self._put(tail)
            self._put(" ")
            if alone:
                self._lone_image_end = self._len

    # -- elements ------------------------------------------------------------

    def start(self, tag: str, attrs: str, closed: bool) -> None:
        if self._drop:
            if tag == self._drop:
                if not closed:
                    self._drop_depth += 1
                return
            if self._drop != "head" or tag in _HEAD_OK:
                return
            self._drop = ""  # an unclosed <head> ends where body content starts
        if tag in _DROP:
            if not closed and tag not in _VOID:
                self._drop = tag
                self._drop_depth = 1
            return
        table = self._ctx[-1].table if self._ctx else None
        if tag in _VOID:
            if tag == "br":
                self._line_break()
            elif tag in ("img", "image"):
                self._image(_parse_attrs(attrs))
            elif tag == "hr":
                if table is not None:
                    self._soft_break(table)
                    return
                self._flush()
                if not self._pre:
                    self._emit("rule", "")
            return
        kind = _KIND.get(tag, _K_INLINE)
        if table is not None and kind in _SOFT_IN_TABLE and tag != "caption":
            kind = _K_SOFT
            self._soft_break(table)
        elif kind == _K_STYLE:
            style = _STYLE_OF[tag]
            count = self._style_count.get(style, 0)
            if not count:
                self._style_start[style] = self._len
            self._style_count[style] = count + 1
        elif kind == _K_LINK:
            if self._link_url is not None:  # <a> inside <a>: the first one ends here
                self._end_link()
            url = self._resolve(_parse_attrs(attrs).get("href"))
            if url is not None:
                self._link_url = url
                self._link_start = self._len
                self._link_frame = len(self._frames)
        elif kind in (_K_CELL, _K_ROW):
            if table is None:
                self._flush()
            elif kind == _K_ROW:
                self._start_row(table)
            else:
                self._start_cell(table, tag == "th")
        elif kind != _K_INLINE:
            if kind == _K_ITEM:
                self._close_open_item(tag)
            self._open_block(tag, kind, attrs)
        if closed:  # XHTML-style <p/>: an empty element, not an unclosed one
            if kind != _K_INLINE:
                self._close(tag, kind, len(self._frames))
            return
        self._frames.append((tag, kind))
        self._open[tag] = self._open.get(tag, 0) + 1

    def _close_open_item(self, tag: str) -> None:
        """A new <li> ends the open <li> of the same list, as in browsers (and a
        <dt>/<dd> the open <dt>/<dd>): unclosed items are siblings, not nested."""
        names = ("li",) if tag == "li" else ("dt", "dd")
        if not any(self._open.get(name) for name in names):
            return
        for index in range(len(self._frames) - 1, max(len(self._frames) - 200, 0) - 1, -1):
            name, kind = self._frames[index]
            if name in names:
                self.end(name)
                return
            if kind not in (_K_INLINE, _K_STYLE, _K_LINK) and name not in _ITEM_SCOPE_BLOCKS:
                return

    def _push(self, ctx: _Ctx, container: _Container | None) -> None:
        """Open a context; its container joins the nest while there is room."""
        if container is not None and len(self._nest) < _MAX_DEPTH:
            self._nest.append(container)
            ctx.nested = True
        self._ctx.append(ctx)

    def _open_block(self, tag: str, kind: int, attrs: str) -> None:
        if kind == _K_PRE:
            self._flush()  # inside an outer <pre> this is just a line break
            if not self._pre:  # the text after it is still in the cell it began in
                table = self._table()
                self._pre_in_cell = table is not None and table.cell >= 0
            self._pre += 1
            return
        self._flush()
        if kind == _K_HEADING:
            self._ctx.append(_Ctx("heading", int(tag[1])))
        elif kind == _K_LIST:
            self._open_list(tag, attrs)
        elif kind == _K_ITEM:
            depth = min(max(0, len(self._lists) - 1), _MAX_DEPTH)
            if tag == "li":
                lst = self._lists[-1] if self._lists else None
                if lst is None:  # an item outside any list
                    item = _Item(marker=_BULLETS[0] + " ")
                else:
                    item = _Item(_to_int(_parse_attrs(attrs).get("value")) if lst.ordered else None)
                    lst.items.append(item)
                self._push(_Ctx("item", depth), item)
            elif tag == "dd":  # definition: indented under its term
                self._push(_Ctx("item", min(depth + 1, _MAX_DEPTH)), _Item(marker="  "))
            else:  # definition term: flush with the list
                self._push(_Ctx("item", depth), None)
        elif kind == _K_QUOTE:
            self._quotes += 1
            self._push(_Ctx("quote", min(self._quotes, _MAX_DEPTH)), QUOTE)
        elif kind == _K_TABLE:
            self._ctx.append(_Ctx("table", table=_Table()))

    def _open_list(self, tag: str, attrs: str) -> None:
        ordered = tag == "ol"
        start: int | None = None
        reversed_ = False
        style = "1"
        if ordered and attrs:
            parsed = _parse_attrs(attrs)
            start = _to_int(parsed.get("start"))
            reversed_ = "reversed" in parsed
            style = parsed.get("type", "1").strip()
        lst = _List(ordered, start, reversed_, style, len(self._lists))
        if not self._lists:
            self._list_serial += 1
        self._lists.append(lst)
        self._all_lists.append(lst)

    def _end_style(self, style: SpanStyle) -> None:
        count = self._style_count.get(style, 0) - 1
        if count > 0:
            self._style_count[style] = count
            return
        self._style_count.pop(style, None)
        start = self._style_start.pop(style, 0)
        end = self._len - (self._last == " ")
        if start < end:
            self._spans.append(Span(start, end, style))

    def _end_link(self) -> None:
        if self._pre:
            tail = self._link_tail(self._len)
            if tail:
                self._put(tail)
        else:
            had_space = self._strip_space()
            tail = self._link_tail(self._len)
            if tail:
                self._put(tail)
            if had_space:
                self._put(" ")
        self._link_url = None
        self._link_frame = -1

    def _close(self, tag: str, kind: int, index: int) -> None:
        """Run the end-of-element action for the frame that was at stack ``index``."""
        if kind == _K_INLINE:
            return
        if kind == _K_STYLE:
            self._end_style(_STYLE_OF[tag])
        elif kind == _K_LINK:
            if index == self._link_frame:
                self._end_link()
        elif kind == _K_SOFT:
            table = self._table()
            if table is not None:
                self._soft_break(table)
        elif kind == _K_CELL:
            table = self._table()
            if table is not None:
                self._end_cell(table)
        elif kind == _K_ROW:
            table = self._table()
            if table is not None:
                self._end_cell(table)
                self._row_break()
            else:
                self._flush()
        elif kind == _K_PRE:
            if self._pre == 1:
                self._flush_code()
            else:
                self._flush()
            self._pre -= 1
        else:
            self._flush()
            if kind == _K_LIST:
                if self._lists:
                    self._lists.pop()
            elif kind != _K_BLOCK and self._ctx:
                ctx = self._ctx.pop()
                if ctx.nested:
                    self._nest.pop()
                if kind == _K_QUOTE:
                    self._quotes -= 1

    def end(self, tag: str) -> None:
        if self._drop:
            if tag == self._drop:
                self._drop_depth -= 1
                if not self._drop_depth:
                    self._drop = ""
            return
        if not self._open.get(tag):
            kind = _KIND.get(tag, _K_INLINE)
            table = self._table()
            if tag == "br":  # browsers treat a stray </br> as <br>
                self._line_break()
            elif table is not None and kind in _SOFT_IN_TABLE:
                self._soft_break(table)
            elif kind not in (_K_INLINE, _K_STYLE, _K_LINK):
                self._flush()
            return
        while self._frames:
            name, kind = self._frames.pop()
            self._open[name] -= 1
            self._close(name, kind, len(self._frames))
            if name == tag:
                break

    def finish(self) -> Document:
        self._drop = ""
        while self._frames:
            name, kind = self._frames.pop()
            self._close(name, kind, len(self._frames))
        if self._link_url is not None:
            self._end_link()
        if self._pre:
            self._flush_code()
        else:
            self._flush()
        for lst in self._all_lists:
            lst.set_markers()
        if self._pending:
            pending = iter(self._pending)
            for index, block in enumerate(self.blocks):
                if block is _PENDING:
                    containers, args = next(pending)
                    block_kind, text, level, spans, cells, head, tight = args
                    nest = _nest_prefixes(containers, index)
                    self.blocks[index] = Block(
                        block_kind, text, level, spans, nest, cells, head, tight
                    )
        return Document(tuple(self.blocks), tuple(self.links))


def _nest_prefixes(nest: tuple[_Container, ...], index: int) -> tuple[str, ...]:
    """Block ``index``'s containers as Block.nest strings."""
    return tuple(
        c if isinstance(c, str) else (c.marker if c.first_block == index else c.blank) for c in nest
    )


def _ends_in_empty_cell(table: _Table, text: str) -> bool:
    return bool(table.rows and table.rows[-1] and table.rows[-1][-1][0] >= len(text) - 1)


def _cells_cover(text: str, cells: tuple[tuple[tuple[int, int], ...], ...]) -> bool:
    """Whether everything in ``text`` outside the cells is separators (" | ", newlines)."""
    pos = 0
    for row in cells:
        for start, end in row:
            if start < pos or text[pos:start].strip(" |\n"):
                return False
            pos = end
    return not text[pos:].strip(" |\n")


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def _plain_document(text: str) -> Document:
    """Text without tags: entities decoded, blank lines separate paragraphs,
    single newlines kept as line breaks (poems and addresses survive)."""
    text = clean_text(htmllib.unescape(text))
    blocks = []
    for para in re.split(r"\n[ \t]*\n", text):
        lines = [_COLLAPSE.sub(" ", line).strip() for line in para.split("\n")]
        body = "\n".join(line for line in lines if line)
        if body:
            blocks.append(Block("paragraph", body))
    return Document(tuple(blocks), ())


def html_to_document(html: str | None, base_url: str | None = None) -> Document:
    """Parse feed HTML (or plain text) into blocks; never raises on any string.

    Relative links and image sources are resolved against ``base_url``. Links
    are numbered and listed unless they are in-page anchors, unresolvable, or
    code, inline data or local files (javascript:, data:, file: ...).
    """
    if not html:
        return Document((), ())
    # One pass over the whole input removes escape sequences and control
    # characters. Tabs stay: <pre> blocks expand them later, relative to their
    # own lines, and URLs drop them.
    html = _clean_keeping_tabs(html)
    if not _LOOKS_LIKE_HTML.search(html):
        return _plain_document(html)
    base = clean_text(_URL_NOISE.sub("", base_url)).strip() if base_url else None
    builder = _Builder(base or None)
    try:
        builder.feed(html)
        return builder.finish()
    except Exception:  # pragma: no cover - last line of defence for hostile input
        # A bug here must not take the reader down: fall back to the tag-stripped text.
        return _plain_document(re.sub(r"<[^>]*>", " ", html))


# --------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------

# East Asian wide/fullwidth ranges (CJK, Hangul, kana, fullwidth forms, common
# emoji): two terminal cells each. An approximation, erring towards "wide".
_WIDE_RANGES = (
    "\u1100-\u115f\u231a\u231b\u2329\u232a\u23e9-\u23ec\u23f0\u23f3\u25fd\u25fe\u2614\u2615"
    "\u2648-\u2653\u267f\u2693\u26a1\u26aa\u26ab\u26bd\u26be\u26c4\u26c5\u26ce\u26d4\u26ea"
    "\u26f2\u26f3\u26f5\u26fa\u26fd\u2705\u270a\u270b\u2728\u274c\u274e\u2753-\u2755\u2757"
    "\u2795-\u2797\u27b0\u27bf\u2b1b\u2b1c\u2b50\u2b55\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf"
    "\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19"
    "\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6\U0001f004\U0001f0cf\U0001f18e\U0001f191-\U0001f19a"
    "\U0001f200-\U0001f64f\U0001f680-\U0001f6ff\U0001f7e0-\U0001f7eb\U0001f900-\U0001f9ff"
    "\U0001fa70-\U0001faff\U00020000-\U0003fffd"
)
_WIDE = re.compile(f"[{_WIDE_RANGES}]")
# CJK closing punctuation stays with the character before it: no line starts with "。".
_CLOSING = "、。，．：；？！）」』】〕〉》｝］”’"
_WRAP_TOKEN = re.compile(f"[ ]+|[{_WIDE_RANGES}][{_CLOSING}]*|[^ {_WIDE_RANGES}]+")
_LONG_WORD = re.compile(r"[^ ]{200}")


def _cells(text: str) -> int:
    """Terminal cells ``text`` occupies (wide characters count two)."""
    return len(text) + len(_WIDE.findall(text))


def _wrap_cells(line: str, width: int, first: str, rest: str) -> list[str]:
    """Greedy wrap by terminal cells, for what textwrap gets wrong or slow.

    CJK text may break between any two characters, and a word wider than the
    line is cut in one pass (textwrap re-slices it per line: quadratic).
    """
    out: list[str] = []
    prefix = first
    cur: list[str] = []
    used = 0
    space = False
    for token in _WRAP_TOKEN.findall(line):
        if token[0] == " ":
            space = bool(cur)
            continue
        narrow = not _WIDE.match(token)  # else one CJK character and its punctuation
        size = len(token) if narrow else _cells(token)
        gap = 1 if space else 0
        space = False
        if cur and used + gap + size <= width - len(prefix):
            if gap:
                cur.append(" ")
            cur.append(token)
            used += gap + size
            continue
        if cur:
            out.append(prefix + "".join(cur))
            prefix = rest
        room = max(1, width - len(prefix))
        if size > room and narrow:
            at = 0
            while len(token) - at > room:
                out.append(prefix + token[at : at + room])
                at += room
                prefix = rest
                room = max(1, width - len(prefix))
            token = token[at:]
            size = len(token)
        cur = [token]
        used = size
    if cur or not out:
        out.append(prefix + "".join(cur))
    return out


def _fit_prefix(prefix: str, width: int | None) -> str:
    """Shorten an indent/marker prefix from the left so text keeps some room."""
    if width is None:
        return prefix
    room = width - max(1, min(20, width // 2))
    return prefix if len(prefix) <= room else prefix[len(prefix) - max(room, 0) :]


def _wrap_block(
    text: str, width: int | None, first: str, rest: str, hang: str | None = None
) -> list[str]:
    """Wrap each "\\n"-separated line of ``text``; ``first`` prefixes the very
    first line, ``rest`` the others, and ``hang`` (default ``rest``) the
    continuation lines of a wrapped one."""
    first = _fit_prefix(first, width)
    rest = _fit_prefix(rest, width)
    hang = rest if hang is None else _fit_prefix(hang, width)
    out: list[str] = []
    for line in text.split("\n"):
        prefix = rest if out else first
        if not line.strip():
            out.append(prefix.rstrip())
        elif width is None:
            out.append(prefix + line)
        elif _WIDE.search(line) or _LONG_WORD.search(line):
            out.extend(_wrap_cells(line, width, prefix, hang))
        else:
            out.extend(
                textwrap.wrap(
                    line,
                    width=width,
                    initial_indent=prefix,
                    subsequent_indent=hang,
                    break_long_words=True,
                )
                or [prefix.rstrip()]
            )
    return out


def nest_prefixes(nest: tuple[str, ...], quote: str = "> ") -> tuple[str, str]:
    """The prefixes of a block's first line and of its other lines, as text."""
    first = "".join(quote if entry == QUOTE else entry for entry in nest)
    rest = "".join(quote if entry == QUOTE else " " * _cells(entry) for entry in nest)
    return first, rest


# Columns of an aligned table are this far apart.
TABLE_GAP = 2
# Wider tables (or more columns) are laid out one row a line.
_MAX_TABLE_COLUMNS = 12
_UNWRAPPED_TABLE_WIDTH = 100
_NUMBER = re.compile(r"[-+−]?[$€£¥]?[0-9][0-9.,\u00a0\u202f ]*%?\Z")


def table_columns(block: Block, width: int | None) -> tuple[int, ...] | None:
    """Column widths (in cells) for ``block`` as an aligned table in ``width``
    cells (100 when None), or None when it must go one row a line."""
    if not block.cells:
        return None
    columns = max(len(row) for row in block.cells)
    if columns > _MAX_TABLE_COLUMNS:
        return None
    widths = [0] * columns
    spanning = 0  # a lone cell in a row of a wider table spans it (a caption, an image)
    for row in block.cells:
        for column, (start, end) in enumerate(row):
            cell = block.text[start:end]
            if "\n" in cell:
                return None
            if len(row) == 1 < columns:
                spanning = max(spanning, _cells(cell))
            else:
                widths[column] = max(widths[column], _cells(cell))
    limit = _UNWRAPPED_TABLE_WIDTH if width is None else width
    if max(sum(widths) + TABLE_GAP * (columns - 1), spanning) > limit:
        return None
    return tuple(widths)


def numeric_columns(block: Block) -> tuple[bool, ...]:
    """Per column of a table block: every cell under the header is a number
    (such columns are right-aligned)."""
    if not block.cells:
        return ()
    columns = max(len(row) for row in block.cells)
    seen = [False] * columns
    numeric = [True] * columns
    for row in block.cells[1 if block.head else 0 :]:
        for column, (start, end) in enumerate(row):
            cell = block.text[start:end]
            if cell:
                seen[column] = True
                numeric[column] = numeric[column] and bool(_NUMBER.match(cell))
    return tuple(n and s for n, s in zip(numeric, seen, strict=True))


def _pad(cell: str, width: int, right: bool) -> str:
    room = " " * max(0, width - _cells(cell))
    return room + cell if right else cell + room


def _table_lines(block: Block, width: int | None, first: str, rest: str) -> list[str]:
    first = _fit_prefix(first, width)
    rest = _fit_prefix(rest, width)
    widths = table_columns(block, None if width is None else width - len(rest))
    if widths is None:  # one row a line, wrapped lines hanging under it
        return _wrap_block(block.text, width, first, rest, rest + "  ")
    right = numeric_columns(block)
    gap = " " * TABLE_GAP
    out: list[str] = []
    for number, row in enumerate(block.cells):
        cells = [block.text[start:end] for start, end in row]
        if len(cells) == 1 < len(widths):
            line = cells[0]
        else:
            cells += [""] * (len(widths) - len(cells))
            line = gap.join(_pad(c, w, r) for c, w, r in zip(cells, widths, right, strict=True))
        out.append((first if number == 0 else rest) + line)
        if number == 0 and block.head:
            out.append(rest + gap.join("─" * w for w in widths))
    return out


def _render(block: Block, width: int | None) -> list[str]:
    text = clean_text(block.text)
    first, rest = nest_prefixes(block.nest)
    if block.kind == "rule":
        first = _fit_prefix(first, width)
        return [first + "─" * (40 if width is None else max(1, width - len(first)))]
    if block.kind == "code":
        first = _fit_prefix(first, width) + "    "
        rest = _fit_prefix(rest, width) + "    "
        return [
            (rest if index else first) + line if line.strip() else rest.rstrip()
            for index, line in enumerate(text.split("\n"))
        ]
    if block.kind == "heading":
        hashes = "#" * min(max(block.level, 1), 6) + " "
        return _wrap_block(text, width, first + hashes, rest + " " * len(hashes))
    if block.kind == "table":
        return _table_lines(replace(block, text=text), width, first, rest)
    return _wrap_block(text, width, first, rest)


def _separator(above: Block, below: Block) -> str:
    """The line between two blocks: blank, but inside the quotes they share."""
    shared = 0
    for a, b in zip(above.nest, below.nest, strict=False):
        if (a == QUOTE) != (b == QUOTE):
            break
        shared += 1
    return nest_prefixes(below.nest[:shared])[1].rstrip()


def link_openable(url: str) -> bool:
    """Whether ``o``/``l`` would open this link (http, https or mailto)."""
    try:
        check_link(url)
    except LinkRefused:
        return False
    return True


def document_to_text(doc: Document, width: int | None = None, *, link_list: bool = True) -> str:
    """Lay out a document as plain text, wrapped to ``width`` cells when given.

    Code blocks are never wrapped. With ``link_list`` the numbered URLs follow
    under "Links:", those newsreader does not open marked so. No line has
    trailing spaces, blank lines never repeat, and there is no final newline. A
    width below 1 means no wrapping.
    """
    if width is not None and width < 1:
        width = None
    lines: list[str] = []
    prev: Block | None = None
    for block in doc.blocks:
        rendered = _render(block, width)
        if not any(rendered):
            continue
        if prev is not None and not block.tight:
            lines.append(_separator(prev, block))
        lines.extend(rendered)
        prev = block
    if link_list and doc.links:
        lines += ["", "Links:"]
        lines += [link_line(number, url) for number, url in enumerate(doc.links, 1)]
    out: list[str] = []
    for line in "\n".join(lines).split("\n"):
        line = line.rstrip()
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


NOT_OPENABLE = "(not opened by newsreader)"


def link_line(number: int, url: str) -> str:
    """One entry of the link list: "[3] https://…", marked when it is not openable."""
    line = f"[{number}] {shown_url(url)}"
    return line if link_openable(url) else f"{line} {NOT_OPENABLE}"


def shown_url(url: str) -> str:
    """A link as the reader shows it: one line, and without the ``user:password@``
    that links resolved against a credentialed feed URL would otherwise carry."""
    return clean_line(url, _MAX_SHOWN_URL)


def shorten_document(
    doc: Document, max_chars: int, max_blocks: int | None = None
) -> tuple[Document, int]:
    """At most ``max_chars`` characters in at most ``max_blocks`` blocks of ``doc``,
    and how many characters were left out.

    A terminal widget lays out all the text it is given on every resize, so a
    megabyte-long article (or 100,000 one-word paragraphs) would freeze the
    view; a UI shows a prefix instead. The block at the limit is cut (ending
    in "…") and the links only the dropped part referred to go too: links are
    numbered in order of appearance, so the kept ones are a prefix of the list.
    """
    total = sum(len(block.text) for block in doc.blocks)
    blocks = doc.blocks if max_blocks is None else doc.blocks[: max(max_blocks, 0)]
    if total <= max_chars and len(blocks) == len(doc.blocks):
        return doc, 0
    kept: list[Block] = []
    room = max(max_chars, 0)
    for block in blocks:
        if room <= 0:
            break
        length = len(block.text)
        kept.append(_cut_block(block, room) if length > room else block)
        room -= min(length, room)
    cited = [span.link for block in kept for span in block.spans if span.link is not None]
    links = doc.links[: max(cited, default=0)]
    return Document(tuple(kept), links), total - (max(max_chars, 0) - room)


def _cut_block(block: Block, length: int) -> Block:
    spans = tuple(
        replace(span, end=min(span.end, length)) for span in block.spans if span.start < length
    )
    return replace(block, text=block.text[:length].rstrip() + "…", spans=spans, cells=())


def html_to_text(html: str | None, base_url: str | None = None, width: int | None = None) -> str:
    """HTML straight to display text: :func:`html_to_document` then :func:`document_to_text`."""
    return document_to_text(html_to_document(html, base_url), width)


def reading_time_minutes(doc: Document, words_per_minute: int = 230) -> int:
    """Estimated minutes to read ``doc``: 0 for no text, otherwise at least 1.

    Each CJK character counts as one word (such text has no spaces and reads at
    a similar number of characters per minute).
    """
    words = 0
    for block in doc.blocks:
        if block.kind in ("rule", "image"):
            continue
        text = block.text.replace(" | ", " ") if block.kind == "table" else block.text
        wide = len(_WIDE.findall(text))
        words += wide + len(_WIDE.sub(" ", text).split())
    if not words:
        return 0
    return max(1, math.ceil(words / max(1, words_per_minute)))
