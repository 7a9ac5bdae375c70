"""Find the article on a web page and return it as small, safe HTML.

The steps of :func:`extract_article`:

1. Decode (BOM, valid UTF-8, the HTTP charset, ``<meta charset>``, else UTF-8
   with replacement) and refuse what is empty or not HTML.
2. Parse once with lxml and prepare the page for both extractors
   (:func:`_prepare_page`): scripts, styles, frames, form controls, navigation
   and hidden elements go; lazy images get their ``src``; links become
   absolute; a caption becomes its image's alt text instead of a paragraph.
3. Run trafilatura and readability-lxml on the prepared page. Each fails
   where the other does not (trafilatura can drop half an article held in
   odd containers; readability keeps standfirsts and site boxes).
4. Rewrite both outputs into a few allowed tags (:class:`_Writer`: p, h1-h6,
   lists, quotes, pre/code, tables, em/strong, links and images with absolute
   URLs), drop lists of links, one-link "read also" paragraphs and a heading
   that repeats the title (:func:`_clean`).
5. Keep the one whose *extra* text over the other reads as prose rather than
   as links (:func:`_choose`); on a tie, the shorter one.

docs/EXTRACTION.md has the measurements behind these rules. No rule knows a
site: everything is about text, links and structure.

Hostile pages: input is cut at :data:`MAX_PAGE_BYTES`, pages with more than
:data:`MAX_ELEMENTS` elements are refused, libxml2 stops at 255 levels of
nesting and the writer flattens past :data:`_MAX_DEPTH`, nothing is fetched or
read from disk, and any failure inside a library becomes an
:class:`ExtractionError` with one line of reason (details go to the log).

trafilatura, readability and lxml are slow to import, so they are imported
on the first extraction, never when this module is imported.
"""

from __future__ import annotations

import bisect
import codecs
import html as htmllib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urldefrag, urljoin, urlsplit

from reader.links import ALLOWED_SCHEMES
from reader.sanitize import redact_credentials

# lxml ships no type information: its elements are Any here.
HtmlElement = Any

__all__ = ["MAX_PAGE_BYTES", "ExtractedArticle", "ExtractionError", "extract_article"]

logger = logging.getLogger(__name__)

MAX_PAGE_BYTES = 5_000_000
"""Pages are cut here before parsing: larger ones are hostile or mostly
inline data, and extraction time grows with the size of the tree."""

MAX_ELEMENTS = 50_000
"""A page with more elements (after scripts, styles and the like are gone) is
refused: extraction time grows with the element count (about 6 s at this
bound on a 2-core machine), and real articles have a few thousand."""

MAX_PREPARED_CHARS = 2_000_000
"""The cleaned page handed to the extractors is cut here (time grows with text too)."""

MAX_ARTICLE_CHARS = 1_000_000
"""The article HTML is cut, between blocks, at this size (the reading view's own bound)."""

_CHARSET_SCAN = 65_536  # bytes searched for <meta charset>; some pages declare it late
_MAX_DEPTH = 120  # deeper elements are written as their plain text
_MIN_ARTICLE_CHARS = 40
_MAX_LINK_DENSITY = 0.6  # an "article" that is mostly link text is an index page


@dataclass(frozen=True)
class ExtractedArticle:
    """The main article of a page: simple HTML (see the module doc) and its title."""

    html: str
    title: str | None


class ExtractionError(Exception):
    """No article could be taken from the page; ``str()`` is one line for the user."""


def extract_article(
    page: bytes | str, url: str | None, *, content_type: str | None = None
) -> ExtractedArticle:
    """The article on ``page`` (fetched from ``url``), or :class:`ExtractionError`.

    ``content_type`` is the HTTP Content-Type header, used for its charset and
    to refuse what is not HTML. ``url`` makes relative links absolute; without
    it relative links and images are dropped.
    """
    text = _page_text(page, content_type)
    try:
        return _extract(text, url)
    except ExtractionError:
        raise
    except Exception as exc:  # a library failed on odd input: this page only
        logger.warning("extraction failed for %s", redact_credentials(url or ""), exc_info=True)
        raise ExtractionError(f"cannot extract the article ({type(exc).__name__})") from exc


# --- decoding and sniffing --------------------------------------------------------

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# WHATWG's encoding labels where Python's codec of the same name is narrower.
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "latin5": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "big5": "big5hkscs",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
}
_META_CHARSET = re.compile(
    rb"""<meta\b[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I
)
_MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG", "an image"),
    (b"GIF8", "an image"),
    (b"\xff\xd8\xff", "an image"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "compressed data"),
)
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ud800-\udfff]")
# The first element's name, after any XML declaration, comments and doctype.
# Possessive, and a comment is never also read as "<!...>" nor ends early: with
# overlapping parts, n comments before text cost 2^n tries. As in HTML, an
# unclosed comment runs to the end (before, each "<!--" scanned to the end again).
_FIRST_TAG = re.compile(
    r"\s*+(?:<\?xml[^>]*+>\s*+|<!--(?:-?>|.*?(?:-->|\Z))\s*+|<!(?!--)[^>]*+>\s*+)*+"
    r"<([A-Za-z][\w:.-]*)",
    re.S,
)
_ANY_TAG = re.compile(r"<(?:[A-Za-z][\w:-]*[\s/>]|!doctype\s)", re.I)
_FEED_ROOTS = frozenset({"rss", "feed", "rdf:rdf"})


def _page_text(page: bytes | str, content_type: str | None) -> str:
    """The page as text, or ExtractionError if it is empty or not HTML."""
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if mime and mime not in _HTML_TYPES:
        raise ExtractionError(f"the page is not HTML ({mime[:60]})")
    if isinstance(page, bytes):
        raw = page[:MAX_PAGE_BYTES]
        kind = next((name for magic, name in _MAGIC if raw.startswith(magic)), None)
        if kind:
            raise ExtractionError(f"the page is not HTML (it is {kind})")
        text = _decode(raw, content_type)
    else:
        text = page[:MAX_PAGE_BYTES]
    if len(page) > MAX_PAGE_BYTES:
        logger.info("page cut from %d to %d", len(page), MAX_PAGE_BYTES)
    if not text.strip():
        raise ExtractionError("the page is empty")
    problem = _not_html(text)
    if problem:
        raise ExtractionError(problem)
    # lxml refuses NULs, lone surrogates and (in str input) encoding declarations.
    text = _BAD_CHARS.sub("", text)
    if text.lstrip().startswith("<?xml"):
        text = re.sub(r"^\s*<\?xml[^>]*>", "", text, count=1)
    return text


def _decode(raw: bytes, content_type: str | None) -> str:
    """Bytes to text: BOM, valid UTF-8, the HTTP charset, <meta charset>, else UTF-8."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if raw.startswith(bom):
            return raw[len(bom) :].decode(codec, errors="replace")
    if b"\x00" in raw[:1024]:
        raise ExtractionError("the page is not HTML (binary data)")
    try:
        # Text in a legacy charset is practically never valid UTF-8, while pages
        # saved or served as UTF-8 under a stale declaration are common.
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _charset_param(content_type)
    if declared is None:
        found = _META_CHARSET.search(raw[:_CHARSET_SCAN])
        declared = _codec(found.group(1).decode("ascii")) if found else None
    return raw.decode(declared or "utf-8", errors="replace")


def _charset_param(content_type: str | None) -> str | None:
    if not content_type:
        return None
    found = re.search(r"""charset\s*=\s*["']?([^\s;"']+)""", content_type, re.I)
    return _codec(found.group(1)) if found else None


def _codec(label: str) -> str | None:
    """Python's codec for a charset label; None if unknown or impossible for HTML."""
    label = label.strip().lower()
    name = _CHARSET_ALIASES.get(label, label)
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    if info.name.startswith("utf-16") or info.name.startswith("utf-32"):
        return "utf-8"  # a declaration read as ASCII cannot be UTF-16 (WHATWG)
    if info.name in {"rot-13", "base64", "hex", "zlib", "bz2", "quopri", "uu"}:
        return None
    return info.name


def _not_html(text: str) -> str | None:
    """Why ``text`` is not an HTML page, or None."""
    first = _FIRST_TAG.match(text[:100_000])
    if first and first.group(1).lower() in _FEED_ROOTS:
        return "the page is a feed, not an article"
    head = text[:100_000]
    if not _ANY_TAG.search(head):
        return "the page is not HTML"
    return None


# --- running the extractors --------------------------------------------------------

_LIBRARY_LOGGERS = ("trafilatura", "readability", "htmldate", "courlan", "justext")


def _quiet_libraries() -> None:
    """Keep the libraries' warnings off the terminal (logging's last resort)."""
    for name in _LIBRARY_LOGGERS:
        lib = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in lib.handlers):
            lib.addHandler(logging.NullHandler())


def _extract(text: str, url: str | None) -> ExtractedArticle:
    _quiet_libraries()
    root = _parse(text)
    base = _base_url(root, url)
    _prepare_page(root, base)
    elements = sum(1 for _ in root.iter())
    if elements > MAX_ELEMENTS:
        raise ExtractionError(f"the page is too large to find an article in ({elements} elements)")
    lxml_html = _lxml_html()
    page = lxml_html.tostring(root, encoding="unicode")[:MAX_PREPARED_CHARS]
    traf_html, meta = _run_trafilatura(page, url)
    read_html = _run_readability(page, url)
    title = meta.get("title") or _page_title(root)
    summary = meta.get("description")
    candidates = {
        "trafilatura": _clean(_blocks(traf_html, base), title, summary),
        "readability": _clean(_blocks(read_html, base), title, summary),
    }
    return _article(_choose(candidates), title)


def _lxml_html() -> Any:
    """lxml.html, imported on first use (it is slow to import and untyped)."""
    import lxml.html  # type: ignore[import-untyped]

    return lxml.html


def _parse(text: str) -> HtmlElement:
    lxml_html = _lxml_html()
    try:
        return lxml_html.document_fromstring(text)
    except Exception as exc:  # lxml's ParserError when nothing is left to parse
        raise ExtractionError("no article found on the page (no content)") from exc


def _article(blocks: list[_Block], title: str | None) -> ExtractedArticle:
    text_chars = sum(b.chars for b in blocks)
    if text_chars < _MIN_ARTICLE_CHARS:
        raise ExtractionError("no article found on the page")
    link_chars = sum(b.link_chars for b in blocks)
    if link_chars > _MAX_LINK_DENSITY * text_chars:
        raise ExtractionError("no article found on the page (only links)")
    kept: list[str] = []
    room = MAX_ARTICLE_CHARS
    for block in blocks:
        if len(block.html) >= room:
            logger.info("article cut at %d characters of HTML", MAX_ARTICLE_CHARS)
            if not kept:  # one huge block: keep the start of its text
                kept.append(_plain_block(block, room))
            break
        kept.append(block.html)
        room -= len(block.html) + 1
    return ExtractedArticle(html="\n".join(kept), title=title)


def _plain_block(block: _Block, size: int) -> str:
    """``block`` as a paragraph (or preformatted text) of its text cut to ``size``."""
    if block.kind == "pre":
        code = htmllib.unescape(_TAG.sub("", block.html))[: size // 2]
        return f"<pre><code>{htmllib.escape(code, quote=False)}</code></pre>"
    return f"<p>{htmllib.escape(block.text[: size // 2], quote=False)}</p>"


def _run_trafilatura(text: str, url: str | None) -> tuple[str | None, dict[str, str]]:
    """trafilatura's article as HTML plus its metadata (title, description)."""
    import trafilatura

    try:
        out = trafilatura.extract(
            text,
            url=url,
            output_format="html",
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=True,
            include_links=True,
            include_formatting=True,
            deduplicate=False,
        )
    except Exception:
        logger.info("trafilatura failed on %s", redact_credentials(url or ""), exc_info=True)
        return None, {}
    if not out:
        return None, {}
    meta = {
        htmllib.unescape(name): htmllib.unescape(value)
        for name, value in re.findall(r'<meta name="([^"]*)" content="([^"]*)"', out)
    }
    return out, meta


def _run_readability(text: str, url: str | None) -> str | None:
    from readability import Document  # type: ignore[import-untyped]

    try:
        summary: str = Document(text, url=url).summary(html_partial=True)
    except Exception:
        logger.info("readability failed on %s", redact_credentials(url or ""), exc_info=True)
        return None
    return summary


def _base_url(root: HtmlElement, url: str | None) -> str | None:
    """The URL relative links are resolved against: <base href>, else the page's."""
    for base in root.iter("base"):
        href = _absolute(base.get("href") or "", url)
        if href and urlsplit(href).scheme in ("http", "https"):
            return href
    return url


def _page_title(root: HtmlElement) -> str | None:
    title = root.find(".//title")
    text = " ".join(title.text_content().split()) if title is not None else ""
    return text[:500] or None


def _absolute(href: str, base: str | None) -> str | None:
    href = "".join(href.split())  # browsers ignore whitespace inside URLs
    if not href:
        return None
    try:
        resolved = urljoin(base, href) if base else href
        scheme = urlsplit(resolved).scheme.lower()
    except ValueError:
        return None
    return resolved if scheme in ALLOWED_SCHEMES else None


# --- preparing the page for the extractors -------------------------------------------

_CAPTION_CLASS = re.compile(r"caption|credit", re.I)
_MAX_CAPTION_CHARS = 600
_MEDIA = ("img", "picture", "video", "table")


def _prepare_page(root: HtmlElement, base: str | None) -> None:
    """Take out what is never article text before either extractor looks.

    Scripts (but JSON-LD, which trafilatura reads for metadata), styles,
    frames, form controls, navigation and hidden elements go; lazily loaded
    images get their real ``src``; links are made absolute against ``base``;
    captions become their image's alt text.
    """
    _remove_all([el for el in root.iter() if _never_text(el)])
    for img in root.iter("img"):
        _load_lazy_image(img)
    if base:  # resolved here, so both extractors honour <base href>
        root.make_links_absolute(base, resolve_base_href=False, handle_failures="discard")
    _captions_to_alt(root)


def _never_text(el: HtmlElement) -> bool:
    tag = _tag(el)
    if not tag:
        return True  # comments and processing instructions
    if tag == "script":
        return (el.get("type") or "").strip().lower() != "application/ld+json"
    return tag in _UNSAFE or _is_hidden(el)


def _load_lazy_image(img: HtmlElement) -> None:
    src = (img.get("src") or "").strip()
    if src and not src.startswith("data:"):
        return
    lazy = next((img.get(name) for name in _LAZY_SRC if img.get(name)), None)
    if not lazy and img.get("srcset"):
        lazy = (
            img.get("srcset").strip().split(",")[0].split()[0]
            if img.get("srcset").strip()
            else None
        )
    if lazy:
        img.set("src", lazy.strip())


def _captions_to_alt(root: HtmlElement) -> None:
    """Fold each image's caption into its alt text and take it out of the text.

    A caption is about its image: kept as the image's description it stays
    with it instead of reading as a paragraph of the article (and it is never
    said twice). A caption whose image is not on the page goes.
    """
    page = _PageCaptions(root)
    for caption in page.captions:
        if page.take_out(caption):
            text = " ".join(caption.text_content().split())
            image = page.captioned_image(caption)
            if image is not None and len(text) > len(image.get("alt") or ""):
                image.set("alt", text)
    _remove_all(page.captions)


@dataclass
class _Open:
    """An element the walk is inside of, and what was found in it so far."""

    el: HtmlElement
    start: int  # its position in document order
    chars: int  # of its text_content()
    has_media: bool = False  # among its descendants
    is_holder: bool = False  # searched for a caption's image: its span is kept


class _PageCaptions:
    """The captions of a page and the image of each, from one walk of the page.

    Judging an element (an image inside? text short enough?) and searching each
    caption's enclosing blocks for its image walked a subtree each time: n^2/2
    visits for n captions side by side, the depth times the page for nested
    ones. Here the walk numbers the elements in document order and keeps the
    span of every caption and holder, so a search is a comparison of positions.
    Captions are met in document order and each is taken out (with its images)
    once done, as if it was removed from the page at once.
    """

    def __init__(self, root: HtmlElement) -> None:
        self.captions: list[HtmlElement] = []  # in document order
        self.holders: dict[HtmlElement, list[HtmlElement]] = {}  # closest first
        self.spans: dict[HtmlElement, tuple[int, int]] = {}  # first and last position
        self.image_at: list[int] = []
        self.images: list[HtmlElement] = []
        self._walk(root)
        self.taken_out_to = -1  # the last position inside the captions taken out so far
        self.passed = 0  # the number of images before the caption being placed
        self.last_before: int | None = None  # of those, the last still on the page

    def _walk(self, root: HtmlElement) -> None:
        found: list[tuple[int, HtmlElement]] = []
        inside: list[_Open] = []
        position = -1
        for el in root.iter():  # comments too: their tails are text
            parent = el.getparent()
            while inside and inside[-1].el is not parent:
                self._close(inside, position, found)
            position += 1
            text = el.text if isinstance(el.tag, str) else None
            inside.append(_Open(el, position, len(text or "")))
            if _tag(el) == "img":
                self.image_at.append(position)
                self.images.append(el)
        while inside:
            self._close(inside, position, found)
        self.captions = [el for _, el in sorted(found, key=lambda start_el: start_el[0])]

    def _close(self, inside: list[_Open], last: int, found: list[tuple[int, HtmlElement]]) -> None:
        """End the innermost open element, whose last descendant is at ``last``."""
        done = inside.pop()
        el = done.el
        if _is_caption(el, done.has_media, done.chars):
            found.append((done.start, el))
            self.holders[el] = _mark_holders(inside)
        if done.is_holder or el in self.holders:
            self.spans[el] = (done.start, last)
        if inside:
            parent = inside[-1]
            parent.chars += done.chars + len(el.tail or "")
            parent.has_media = parent.has_media or done.has_media or _tag(el) in _MEDIA

    def take_out(self, caption: HtmlElement) -> bool:
        """Pass the images before ``caption`` and count its content as gone from
        the page; False if it went already, inside a caption taken out before."""
        start, end = self.spans[caption]
        if start <= self.taken_out_to:
            return False
        while self.passed < len(self.images) and self.image_at[self.passed] < start:
            if self.image_at[self.passed] > self.taken_out_to:
                self.last_before = self.passed
            self.passed += 1
        self.taken_out_to = end
        return True

    def captioned_image(self, caption: HtmlElement) -> HtmlElement | None:
        """The image ``caption`` belongs to: in its closest enclosing block that
        has one, the last image before it, else the first after it (an image
        inside the caption counts as after it)."""
        before = self.last_before
        after = bisect.bisect_right(self.image_at, self.spans[caption][0])
        for holder in self.holders[caption]:
            first, last = self.spans[holder]
            if before is not None and self.image_at[before] >= first:
                return self.images[before]
            if after < len(self.images) and self.image_at[after] <= last:
                return self.images[after]
        return None


def _mark_holders(ancestors: list[_Open]) -> list[HtmlElement]:
    """The blocks searched for a caption's image, closest first: up to four of
    its ``ancestors`` (outermost first), none past the body, article or main."""
    holders = []
    for level, holder in enumerate(reversed(ancestors)):
        holder.is_holder = True
        holders.append(holder.el)
        if level >= 3 or _tag(holder.el) in ("body", "article", "main"):
            break
    return holders


def _is_caption(el: HtmlElement, has_media: bool, chars: int) -> bool:
    """Whether ``el`` (with ``has_media`` among its descendants and ``chars``
    characters of text) is a caption."""
    if _tag(el) == "figcaption":
        return True
    names = f"{el.get('class') or ''} {el.get('id') or ''}"
    if not _CAPTION_CLASS.search(names) or _tag(el) in ("body", "html", *_MEDIA):
        return False
    if has_media:
        return False  # a figure-like wrapper named after its caption, not the caption
    return chars <= _MAX_CAPTION_CHARS


# --- rewriting a candidate into allowed HTML ---------------------------------------

BlockKind = Literal["p", "h", "list", "quote", "pre", "table", "image"]


@dataclass(frozen=True)
class _Block:
    """One top-level block of output HTML with the text it shows."""

    kind: BlockKind
    html: str
    text: str  # whitespace collapsed
    chars: int  # of the text, spaces not counted
    link_chars: int  # of that, inside links

    @property
    def word_count(self) -> int:
        return len(_WORD.findall(self.text))


_WORD = re.compile(r"[^\W_]+")


# Never article text, dropped with their content from the page and from the output.
# (A <form> is unwrapped instead: some sites wrap the whole page in one.)
_UNSAFE = frozenset(
    [
        *("script", "style", "noscript", "template", "iframe", "frame", "frameset"),
        *("object", "embed", "applet", "param", "svg", "math", "canvas"),
        *("audio", "video", "source", "track", "map", "area", "nav", "menu"),
        *("input", "button", "select", "option", "optgroup", "textarea"),
        *("label", "fieldset", "legend", "output", "datalist", "dialog"),
    ]
)
_DROP = _UNSAFE | frozenset(["head", "title", "meta", "link", "base"])
# Block containers: their content flows on, but text inside one is its own paragraph.
_CONTAINERS = frozenset(
    [
        "form",
        *("html", "body", "div", "section", "article", "main", "header", "footer"),
        *("aside", "figure", "figcaption", "center", "hgroup", "details", "summary"),
        "address",
        *("li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "caption"),
    ]
)
_HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
_BLOCKS = frozenset(["p", "ul", "ol", "dl", "blockquote", "pre", "table", "hr", *_HEADINGS])
_EMPHASIS = {
    **dict.fromkeys(("em", "i", "cite", "dfn", "var"), "em"),
    **dict.fromkeys(("strong", "b"), "strong"),
    **dict.fromkeys(("code", "tt", "kbd", "samp"), "code"),
}
_LAZY_SRC = ("data-src", "data-lazy-src", "data-original", "data-url")
_SPACES = re.compile(r"\s+")
_DOUBLE_SPACE = re.compile(r"(?<= ) +|(?<=>) +(?=<)")
_TAG = re.compile(r"<[^>]*>")
_LINK_TEXT = re.compile(r"<a [^>]*>(.*?)</a>", re.S)


def _blocks(html: str | None, base: str | None) -> list[_Block]:
    """A candidate's HTML rewritten into allowed top-level blocks."""
    if not html or not html.strip():
        return []
    lxml_html = _lxml_html()
    try:
        root = lxml_html.document_fromstring(html)
    except Exception:  # lxml's ParserError for markup without elements, and the like
        logger.info("candidate HTML could not be parsed", exc_info=True)
        return []
    _strip_unsafe(root)
    body = root.find("body")
    writer = _Writer(base)
    writer.flow(body if body is not None else root, 0)
    return writer.finish()


def _strip_unsafe(root: HtmlElement) -> None:
    """Remove dropped and hidden elements (keeping their tails), comments and PIs."""
    doomed = [
        el
        for el in root.iter()
        if not isinstance(el.tag, str) or el.tag.lower() in _DROP or _is_hidden(el)
    ]
    _remove_all(doomed)


def _remove_all(doomed: list[HtmlElement]) -> None:
    """Remove each element (in document order) with its content but keep the text
    that follows it: it joins the tail of the previous sibling still there, or
    else the parent's text.

    The tails moved to one place are joined once at the end: appended one by
    one, a run of removed siblings rebuilt one growing string per element.
    An element inside one removed earlier goes with it.
    """
    moved: dict[tuple[HtmlElement, bool], list[str]] = {}  # (owner, is its tail): texts
    for el in doomed:
        parent = el.getparent()
        if parent is None:
            continue
        if el.tail:
            previous = el.getprevious()
            owner, is_tail = (parent, False) if previous is None else (previous, True)
            texts = moved.setdefault((owner, is_tail), [])
            if not texts:
                texts.append((owner.tail if is_tail else owner.text) or "")
            texts.append(el.tail)
        parent.remove(el)
    for (owner, is_tail), texts in moved.items():
        if is_tail:
            owner.tail = "".join(texts)
        else:
            owner.text = "".join(texts)


def _is_hidden(el: HtmlElement) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def _tag(el: HtmlElement) -> str:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else ""


def _text(value: str | None) -> str:
    """Escaped text with whitespace runs collapsed to one space."""
    return htmllib.escape(_SPACES.sub(" ", value), quote=False) if value else ""


def _visible(html: str) -> bool:
    return bool(_TAG.sub("", html).strip()) or "<img " in html


class _Writer:
    """Writes a parsed candidate as allowed HTML, one top-level block at a time.

    Inline content met in block context (text straight inside a div, say) is
    gathered into a run and closed as a paragraph when a block starts or its
    container ends. Unknown elements are unwrapped; past :data:`_MAX_DEPTH`
    an element is written as its plain text.
    """

    def __init__(self, base: str | None) -> None:
        self.base = base
        self.out: list[tuple[BlockKind, str]] = []
        self.run: list[str] = []

    # block context

    def flow(self, el: HtmlElement, depth: int) -> None:
        """Write ``el``'s children in block context."""
        if el.text:
            self.run.append(_text(el.text))
        for child in el:
            self.block(child, depth + 1)
            if child.tail:
                self.run.append(_text(child.tail))

    def block(self, el: HtmlElement, depth: int) -> None:
        tag = _tag(el)
        if depth > _MAX_DEPTH:
            self.run.append(_text(el.text_content()))
        elif tag in _BLOCKS:
            self.flush()
            self.block_element(el, tag, depth)
        elif tag in _CONTAINERS:
            self.flush()
            self.flow(el, depth)
            self.flush()
        elif tag not in _EMPHASIS and tag not in ("a", "img", "br") and _holds_blocks(el):
            self.flow(el, depth)  # an inline or unknown element wrapping blocks
        else:
            self.run.append(self.inline(el, depth, in_link=False))

    def block_element(self, el: HtmlElement, tag: str, depth: int) -> None:
        if tag == "p":
            self.emit("p", f"<p>{self.inline_children(el, depth, False).strip()}</p>")
        elif tag in _HEADINGS:
            self.emit("h", f"<{tag}>{self.inline_children(el, depth, False).strip()}</{tag}>")
        elif tag in ("ul", "ol", "dl"):
            self.emit("list", self.list_html(el, depth))
        elif tag == "blockquote":
            self.emit("quote", f"<blockquote>{self.nested(el, depth, True)}</blockquote>")
        elif tag == "pre":
            self.emit("pre", _pre_html(el))
        elif tag == "table" and _is_layout_table(el):
            self.flow(el, depth)
            self.flush()
        elif tag == "table":
            self.emit("table", self.table_html(el, depth))

    def flush(self) -> None:
        content = "".join(self.run).strip()
        self.run = []
        if not _visible(content):
            return
        lone_image = content.startswith("<img ") and content.count("<") == 1
        self.emit("image" if lone_image else "p", f"<p>{content}</p>")

    def emit(self, kind: BlockKind, html: str) -> None:
        if _visible(html):
            self.out.append((kind, html if kind == "pre" else _DOUBLE_SPACE.sub(" ", html)))

    def finish(self) -> list[_Block]:
        self.flush()
        return [_make_block(kind, html) for kind, html in self.out]

    # nested block context: list items and quotes

    def nested(self, el: HtmlElement, depth: int, wrap: bool) -> str:
        """``el``'s children as HTML: blocks stay blocks; a lone inline run is
        wrapped in <p> only if ``wrap`` (a list item's text needs no paragraph)."""
        inner = _Writer(self.base)
        inner.flow(el, depth)
        tail = "".join(inner.run).strip()
        parts = [html for _, html in inner.out]
        if _visible(tail):
            parts.append(f"<p>{tail}</p>" if wrap or parts else tail)
        if not wrap and len(parts) == 1 and parts[0].startswith("<p>"):
            only = parts[0]
            return only[3:-4] if only.count("<p>") == 1 else only
        return "".join(parts)

    def list_html(self, el: HtmlElement, depth: int) -> str:
        tag = "ol" if _tag(el) == "ol" else "ul"
        items = []
        for child in el:
            item = self.nested(child, depth + 1, wrap=False).strip()
            if _visible(item):
                items.append(f"<li>{item}</li>")
        return f"<{tag}>{''.join(items)}</{tag}>" if items else ""

    def table_html(self, el: HtmlElement, depth: int) -> str:
        rows = []
        for tr in el.iter("tr"):
            if _nearest_table(tr) is not el:
                continue
            cells = [
                f"<{name}>{self.inline_children(cell, depth + 2, False).strip()}</{name}>"
                for cell in tr
                if (name := _tag(cell)) in ("td", "th")
            ]
            if any(_visible(cell) for cell in cells):
                rows.append(f"<tr>{''.join(cells)}</tr>")
        return f"<table>{''.join(rows)}</table>" if rows else ""

    # inline context

    def inline_children(self, el: HtmlElement, depth: int, in_link: bool) -> str:
        """``el``'s content as inline HTML, keeping its outer spaces (they part words)."""
        parts = [_text(el.text)]
        for child in el:
            parts.append(self.inline(child, depth + 1, in_link))
            parts.append(_text(child.tail))
        return "".join(parts)

    def inline(self, el: HtmlElement, depth: int, in_link: bool) -> str:
        tag = _tag(el)
        if depth > _MAX_DEPTH:
            return _text(el.text_content())
        if tag == "br":
            return "<br>"
        if tag == "img":
            return self.image(el)
        if tag == "a":
            inner = self.inline_children(el, depth, True)
            href = None if in_link else self.link_target(el.get("href"))
            if href and _TAG.sub("", inner).strip():
                return _wrap(f'<a href="{htmllib.escape(href)}">', "</a>", inner)
            return inner
        inner = self.inline_children(el, depth, in_link)
        if tag in _EMPHASIS and _TAG.sub("", inner).strip():
            name = _EMPHASIS[tag]
            return _wrap(f"<{name}>", f"</{name}>", inner)
        if tag in _BLOCKS or tag in _CONTAINERS:
            return f" {inner} "  # a block inside a paragraph or heading: keep words apart
        return inner

    def link_target(self, href: str | None) -> str | None:
        if not href or href.strip().startswith("#"):
            return None  # in-page anchors mean nothing outside the page
        target = _absolute(href, self.base)
        if target and self.base and urldefrag(target).url == urldefrag(self.base).url:
            return None  # the page itself, or an anchor in it made absolute by an extractor
        return target

    def image(self, el: HtmlElement) -> str:
        src = el.get("src") or ""
        if not src or src.startswith("data:"):
            src = next((el.get(name) for name in _LAZY_SRC if el.get(name)), "") or ""
        target = _absolute(src, self.base) if src else None
        if not target or urlsplit(target).scheme.lower() not in ("http", "https"):
            return ""
        alt = " ".join((el.get("alt") or "").split())[:500]
        return f'<img src="{htmllib.escape(target)}" alt="{htmllib.escape(alt)}">'


def _wrap(start: str, end: str, inner: str) -> str:
    """``inner`` inside the tags, with its outer spaces moved outside them."""
    core = inner.strip()
    before = " " if inner[:1].isspace() else ""
    after = " " if inner[-1:].isspace() else ""
    return f"{before}{start}{core}{end}{after}"


def _pre_html(el: HtmlElement) -> str:
    for br in el.iter("br"):
        br.tail = "\n" + (br.tail or "")
    code = htmllib.escape(el.text_content().strip("\n"), quote=False)
    return f"<pre><code>{code}</code></pre>" if code.strip() else ""


def _make_block(kind: BlockKind, html: str) -> _Block:
    text = " ".join(htmllib.unescape(_TAG.sub(" ", html)).split())
    links = sum(_visible_chars(htmllib.unescape(_TAG.sub("", m))) for m in _LINK_TEXT.findall(html))
    return _Block(kind, html, text, _visible_chars(text), links)


def _visible_chars(text: str) -> int:
    """Characters that are not spaces: a measure of text that markup cannot inflate."""
    return len(text) - sum(1 for c in text if c.isspace())


def _holds_blocks(el: HtmlElement) -> bool:
    return any(_tag(d) in _BLOCKS or _tag(d) in _CONTAINERS for d in el.iterdescendants())


def _nearest_table(el: HtmlElement) -> HtmlElement | None:
    for ancestor in el.iterancestors():
        if _tag(ancestor) == "table":
            return ancestor
    return None


def _is_layout_table(table: HtmlElement) -> bool:
    """A table used to lay out the page (its cells hold paragraphs), not data."""
    inner = ("p", "div", "ul", "ol", "table", "blockquote", "pre", *_HEADINGS)
    return any(_tag(d) in inner for cell in table.iter("td", "th") for d in cell.iterdescendants())


# --- choosing and cleaning ---------------------------------------------------------


def _choose(candidates: dict[str, list[_Block]]) -> list[_Block]:
    """The candidate whose extra text (over the other one) reads most like prose."""
    traf, read = candidates["trafilatura"], candidates["readability"]
    if not traf or not read:
        return traf or read
    traf_score = _extra_score(traf, read)
    read_score = _extra_score(read, traf)
    if traf_score != read_score:
        return traf if traf_score > read_score else read
    return traf if _size(traf) <= _size(read) else read


def _size(blocks: Iterable[_Block]) -> int:
    return sum(b.chars for b in blocks)


def _extra_score(mine: list[_Block], other: list[_Block]) -> int:
    """Characters of prose in ``mine`` that ``other`` lacks, less its extra boilerplate."""
    theirs = _shingles(word for block in other for word in _WORD.findall(block.text.lower()))
    score = 0
    for block in mine:
        own = _shingles(_WORD.findall(block.text.lower()))
        if not own or len(own & theirs) >= len(own) / 2:
            continue
        if _is_prose(block):
            score += block.chars
        elif _is_boilerplate(block):
            score -= block.chars
    return score


def _shingles(words: Iterable[str]) -> set[tuple[str, ...]]:
    """Runs of three words: a block counts as found in another text by its runs,
    so different paragraph boundaries do not matter but shared common words do not count."""
    seq = list(words)
    if len(seq) < 3:
        return {tuple(seq)} if seq else set()
    return {tuple(seq[i : i + 3]) for i in range(len(seq) - 2)}


def _is_prose(block: _Block) -> bool:
    if block.kind not in ("p", "quote", "list"):
        return False
    long_enough = block.chars >= 70 or block.word_count >= 15
    return long_enough and block.link_chars < 0.3 * block.chars


def _is_boilerplate(block: _Block) -> bool:
    return block.chars > 0 and block.link_chars >= 0.5 * block.chars


def _clean(blocks: list[_Block], title: str | None, summary: str | None) -> list[_Block]:
    """Drop what no reader wants: the title and the page's summary said again
    at the top, lists of links, paragraphs that are one link to another
    article ("read also" teasers)."""
    kept = [b for b in blocks if not _is_link_list(b) and not _is_teaser(b)]
    return _drop_repeat(kept, title, headings_only=True)


def _is_link_list(block: _Block) -> bool:
    return block.kind == "list" and _is_boilerplate(block)


# One word holding "://", "www." or "@". The lookahead finds it in one backward
# scan; "\S*(?:...)\S*$" rescanned the rest of the word from every "@" (quadratic).
_URL_LIKE = re.compile(r"^(?=\S*(?:://|www\.|@))\S*+$")


def _is_teaser(block: _Block) -> bool:
    """A paragraph that is all link text, unless the link shows its address."""
    if block.kind != "p" or block.link_chars < 0.9 * block.chars:
        return False
    return not _URL_LIKE.match(block.text)


def _drop_repeat(blocks: list[_Block], said: str | None, headings_only: bool) -> list[_Block]:
    """Without the first of the leading blocks that only repeats ``said``."""
    wanted = _norm(said or "")
    if not wanted:
        return blocks
    for index, block in enumerate(blocks[:3]):
        if headings_only and block.kind != "h":
            continue
        text = _norm(block.text)
        if text and (text == wanted or (len(text) > 15 and text in wanted)):
            return blocks[:index] + blocks[index + 1 :]
    return blocks


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))
