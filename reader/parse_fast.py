"""RSS 2.0 and Atom 1.0 read with lxml, exactly as the feedparser path reads them, or not at all.

feedparser spends about half a millisecond per item in its SAX handlers,
which run in Python for every tag and every piece of text. Most feeds are
plain, well-formed RSS 2.0 or Atom 1.0; for those :func:`parse_fast` builds
the same :class:`~reader.models.ParsedFeed` from one lxml tree in a fraction
of the time.

The feedparser path (``reader.parse._parse_xml_feed``) is the reference.
This module mirrors what feedparser's handlers do with the elements it knows
(the first title at the shallowest depth wins, a second description becomes
content, a permalink guid becomes the link, an Atom ``<div>`` wrapper goes,
``name (email)`` authors, Windows-1252 and doubly encoded UTF-8 repairs, ...)
and answers None, "not mine", for anything else: an element whose handling
it does not know to be irrelevant to the fields kept, an ``xml:base``, a
DOCTYPE, base64 content, ambiguous namespace prefixes, any lxml complaint.
The caller then runs feedparser. Falling back is always correct; reading a
document differently is a bug, and ``tests/test_parse_fast.py`` compares
both paths over the whole shared corpus.

It reads only what ``reader.parse._prepare_xml`` made (UTF-8, DOCTYPE
defused) and refuses any remaining DOCTYPE. lxml runs without entity
resolution, DTD loading or network access and with its default size and
depth limits (no ``huge_tree``), so nothing is read from files or the
network and hostile input costs linear time.
"""

from __future__ import annotations

import binascii
import logging
import re
from base64 import decodebytes as base64_decode
from collections.abc import Callable, Iterable
from contextlib import suppress
from typing import Any
from xml.sax.saxutils import escape

from feedparser.datetimes import _parse_date
from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.urls import _urljoin, make_safe_absolute_uri
from feedparser.util import FeedParserDict
from lxml import etree  # type: ignore[import-untyped]

from reader.models import ParsedFeed
from reader.parse import _identities_as_written, _plain, _ttl, _unique, _xml_entry

logger = logging.getLogger(__name__)

# lxml ships no type information: its elements are Any here.
Element = Any

_ATOM = "http://www.w3.org/2005/Atom"
_ATOM_FEED = "{http://www.w3.org/2005/Atom}feed"
_RDF_ROOT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"
_RDF_ABOUT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"
_XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"
_XLINK = "http://www.w3.org/1999/xlink"
# feedparser's own table: namespace URI (lower case) → the prefix its handlers use.
_KNOWN_NAMESPACES = {uri.lower(): prefix for uri, prefix in _FeedParserMixin.namespaces.items()}
# Declared on the root, these make feedparser call an Atom feed RSS 1.0 or 0.90.
_VERSION_NAMESPACES = frozenset(
    {"http://purl.org/rss/1.0/", "http://my.netscape.com/rdf/simple/0.9/"}
)
_START_HANDLERS = frozenset(n[7:] for n in dir(_FeedParserMixin) if n.startswith("_start_"))
_END_HANDLERS = frozenset(n[5:] for n in dir(_FeedParserMixin) if n.startswith("_end_"))
_HANDLERS = _START_HANDLERS | _END_HANDLERS
_HTML_TYPES = frozenset({"application/xhtml+xml", "text/html"})
_SUMMARY_TYPES = _HTML_TYPES | {"text/plain"}
# Keys an element without a handler would write over (feedparser stores such an
# element under its own name): ones read from feedparser's result, or that break it.
_RESERVED = frozenset(
    {"links", "enclosures", "authors", "author_detail", "guidislink", "title_detail"}
    | {"summary_detail", "description_detail", "subtitle_detail", "content_detail"}
    | {"published_parsed", "updated_parsed", "date_parsed", "modified_parsed", "issued_parsed"}
)
# feedparser takes "xml:base" and a bare "base" attribute alike, anywhere.
# Searched for in the lower-cased document (feedparser lower-cases attribute names).
# Literal first, so the engine can search for it; the lookbehind wants an attribute.
_BASE_ATTRIBUTE = re.compile(rb"base(?<=[ \t\r\n:]base)[ \t\r\n]*+=")
_ENTITY_LIKE = re.compile(r"&([A-Za-z0-9_]+);")
_C1_RANGE = re.compile("[\x80-\x9f]")
# An absolute http(s) URL that urljoin gives back unchanged whatever the base:
# no whitespace, params (";"), empty query or fragment, IPv6 or non-ASCII host.
_URL_CHARACTERS = r"[A-Za-z0-9._~!$&'()*+,=:@%/-]"
_PLAIN_URL = re.compile(
    rf"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/{_URL_CHARACTERS}*)?"
    rf"(?:\?(?:{_URL_CHARACTERS}|\?)+)?(?:#(?:{_URL_CHARACTERS}|[?#])+)?"
)


class NotMine(Exception):
    """Something feedparser may read differently; ``str()`` says what (for tests and tuning)."""


def parse_fast(data: bytes, url: str | None) -> ParsedFeed | None:
    """The feed in prepared ``data`` as the feedparser path reads it, or None if not sure.

    ``url`` is what relative links resolve against, as for feedparser (None:
    they stay relative).
    """
    try:
        return read(data, url)
    except NotMine:
        return None
    except Exception:  # a bug here must not cost the feed: feedparser reads it instead
        logger.warning("the fast parser failed; feedparser takes over", exc_info=True)
        return None


def read(data: bytes, url: str | None) -> ParsedFeed:
    """:func:`parse_fast`, raising :class:`NotMine` with the reason instead of answering None."""
    bases = _BASE_ATTRIBUTE.search(data.lower()) is not None
    root, declarations = _tree(data)
    namespaces = _Namespaces(declarations)
    document = _Reader(namespaces, url or "", bases).read(root)
    own = None
    keys = (entry.data.get("id") or entry.data.get("link") for entry in document.entries)
    if url and not _identities_as_written(data, keys):
        # The identities as written, unresolved: what the feedparser path parses again for.
        again = _Reader(namespaces, "", bases).read(root).entries
        own = [(entry.data.get("id"), entry.data.get("link")) for entry in again]
    entries = tuple(
        _unique(
            _xml_entry(entry.result(), own[number] if own else None)
            for number, entry in enumerate(document.entries)
        )
    )
    feed = document.feed.data
    return ParsedFeed(
        title=_plain(feed.get("title")),
        link=feed.get("link") or None,
        description=_plain(_feed_description(feed)),
        entries=entries,
        ttl=_ttl(feed.get("ttl")),
    )


_CHUNK = 1 << 20


def _tree(data: bytes) -> tuple[Element, list[tuple[str, str]]]:
    """(root, every namespace declaration in document order), if lxml has no complaint."""
    parser = etree.XMLPullParser(
        events=("start-ns",),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    try:
        # In pieces: libxml2 refuses one buffer over 10 MB unless huge_tree
        # lifts its other limits too, and the feed would go to feedparser.
        for start in range(0, len(data), _CHUNK):
            parser.feed(data[start : start + _CHUNK])
        root = parser.close()
    except (etree.LxmlError, ValueError) as exc:
        raise NotMine(f"lxml: {type(exc).__name__}") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise NotMine("a DOCTYPE")
    if len(parser.error_log):
        raise NotMine("lxml warned")
    if not data.isascii():
        _ascii_names(root)
    return root, [declaration for _, declaration in parser.read_events()]


def _ascii_names(root: Element) -> None:
    """Names with letters beyond ASCII, which expat (feedparser's parser) may refuse.

    libxml2 takes the name characters of XML 1.0's fifth edition, expat
    fewer; where expat refuses, feedparser falls back to its lenient parser
    and warns. Elements, attributes and processing instructions are checked.
    """
    for node in (*root.itersiblings(preceding=True), root, *root.itersiblings()):
        if node.tag is etree.PI and not node.target.isascii():
            raise NotMine("a name beyond ASCII")
    for node in root.iter():
        tag = node.tag
        if isinstance(tag, str):
            # (Whole names first: cheaper, and namespace URIs are rarely beyond ASCII.)
            if not tag.isascii() and not _local(tag).isascii():
                raise NotMine("a name beyond ASCII")
            for key in node.attrib:
                if not key.isascii() and not _local(key).isascii():
                    raise NotMine("a name beyond ASCII")
        elif tag is etree.PI and not node.target.isascii():
            raise NotMine("a name beyond ASCII")


def _feed_description(feed: dict[str, Any]) -> object:
    """``feed.get("subtitle") or feed.get("description")`` as feedparser's dict answers it."""
    if feed.get("subtitle"):
        return feed["subtitle"]
    return feed["summary"] if "summary" in feed else feed.get("subtitle")


class _Namespaces:
    """Element names as feedparser's handlers see them (``dc_creator``, ``title``)."""

    def __init__(self, declarations: list[tuple[str, str]]) -> None:
        bound: dict[str, str] = {}
        self.unknown: dict[str, set[str]] = {}  # URI → prefixes declared for it ("" default)
        self.uris: set[str] = set()
        for prefix, uri in declarations:
            if not prefix.isascii():
                raise NotMine("a name beyond ASCII")
            if not uri:
                continue
            if uri == _XLINK:  # feedparser adds an attribute to the next element
                raise NotMine("an xlink namespace")
            if prefix and bound.setdefault(prefix, uri) != uri:  # lookups depend on order
                raise NotMine("a prefix bound twice")
            if _known_prefix(uri) is None:
                self.unknown.setdefault(uri, set()).add(prefix)
            self.uris.add(uri.lower())
        # feedparser renames a prefix declared for a known namespace to its own.
        self.renamed = {
            prefix: known
            for prefix, uri in bound.items()
            if (known := _known_prefix(uri)) is not None
        }
        self._names: dict[str, str] = {}

    def name(self, tag: str) -> str:
        """``{uri}Local`` → feedparser's name for the element, lower case."""
        name = self._names.get(tag)
        if name is None:
            name = self._names[tag] = self._name(tag)
        return name

    def _name(self, tag: str) -> str:
        if tag[0] != "{":
            return tag.lower()
        uri, local = tag[1:].split("}", 1)
        known = _known_prefix(uri)
        if known is not None:
            prefix = known.lower()
        else:
            # feedparser looks an unknown namespace up by its declared prefix.
            declared = self.unknown.get(uri, set())
            if len(declared) != 1:
                raise NotMine("an unknown namespace under several prefixes")
            prefix = next(iter(declared)).lower()
        if prefix and self.renamed.get(prefix, prefix) != prefix:
            raise NotMine("a prefix feedparser renames")
        return f"{prefix}_{local.lower()}" if prefix else local.lower()


def _known_prefix(uri: str) -> str | None:
    lower = uri.lower()
    if "backend.userland.com/rss" in lower:
        return ""
    return _KNOWN_NAMESPACES.get(lower)


class _Target:
    """Where values go: the feed (or an entry's source), where the last one wins."""

    def __init__(self, actions: _Actions) -> None:
        self.data: dict[str, Any] = {}
        self.actions = actions  # what its children mean

    def store(self, key: str, value: str, depth: int) -> None:
        self.data[key] = value


class _Entry(_Target):
    """One entry: feedparser keeps a value from the shallowest element, the last among equals."""

    def __init__(self) -> None:
        super().__init__(_ENTRY_ACTIONS)
        self.depths: dict[str, int] = {}
        self.links: list[dict[str, str]] = []
        self.authors = _Authors()

    def store(self, key: str, value: str, depth: int) -> None:
        stored = self.depths.get(key)
        if stored is None or depth <= stored:
            self.depths[key] = depth
            self.data[key] = value

    def result(self) -> dict[str, Any]:
        """The entry shaped like feedparser's, for ``reader.parse._xml_entry``."""
        enclosures = [link for link in self.links if link.get("rel") == "enclosure"]
        return {**self.data, "author": self.authors.author(), "enclosures": enclosures}


class _Authors:
    """An entry's author, worked out as feedparser's handlers do.

    One author element (the usual case) gives its text, or "name (email)"
    from its parts. From a second one on, feedparser's own ``_save_author``
    and ``_sync_author_detail`` replay them all on a dict holding only the
    keys they touch: what an earlier author leaves to a later one (an
    email, say) is theirs to decide, not a copy's.
    """

    _save_author = _FeedParserMixin._save_author
    _sync_author_detail = _FeedParserMixin._sync_author_detail

    def __init__(self) -> None:
        self.first: tuple[list[tuple[str, str]], str, int] | None = None
        self.context: Any = None  # feedparser's state, once there are two authors
        self.depth: int | None = None  # of the element the stored text came from

    def add(self, parts: list[tuple[str, str]], text: str, depth: int) -> None:
        """One author element: its (key, value) parts in order, its own text, its depth."""
        if self.first is None:
            self.first = (parts, text, depth)
            return
        if self.context is None:
            self.context = FeedParserDict()
            self._replay(*self.first)
        self._replay(parts, text, depth)

    def author(self) -> str | None:
        if self.context is not None:
            return self.context.get("author")  # type: ignore[no-any-return]
        if self.first is None:
            return None
        parts, text, _ = self.first
        detail = dict(parts)
        name, email = detail.get("name"), detail.get("email")
        if name and email:
            return f"{name} ({email})"
        return name or email or text

    def _get_context(self) -> Any:
        return self.context

    def _replay(self, parts: list[tuple[str, str]], text: str, depth: int) -> None:
        self.context.setdefault("authors", []).append(FeedParserDict())
        for key, value in parts:
            self._save_author(key, value)
        if self.depth is None or depth <= self.depth:
            self.depth = depth
            self.context["author"] = text
        self._sync_author_detail()


class _Document:
    def __init__(self) -> None:
        self.feed = _Target(_FEED_ACTIONS)
        self.entries: list[_Entry] = []


Handler = Callable[["_Reader", Element, int, Any], None]


class _Reader:
    """One walk over the tree, keeping the parts of feedparser's state that matter."""

    def __init__(self, namespaces: _Namespaces, url: str, bases: bool) -> None:
        self.names = namespaces
        self.base = url  # what relative URLs resolve against here (feedparser's baseuri)
        self.bases = bases  # some element may carry xml:base (or a bare base attribute)
        self.atom = False
        self.channels = 0
        self.item_depth = 3  # items are children of the channel (or of Atom's feed: 2)
        self.title_depth = -1  # depth of the last non-empty title (feedparser skips deeper ones)
        self.has_content = False  # a content element was seen in this entry (or the feed)
        self.document = _Document()
        self._dates: dict[str, object] = {}
        self._dispatch: dict[_Actions, dict[str, Handler]] = {}

    # -- structure ---------------------------------------------------------------

    def read(self, root: Element) -> _Document:
        self.base = self._base_of(root)
        feed = self.document.feed
        if root.tag == "rss":
            self._children(root, 1, feed, _RSS_ROOT_ACTIONS)
        elif root.tag == _ATOM_FEED:
            if self.names.uris & _VERSION_NAMESPACES:
                raise NotMine("an Atom feed declaring RSS 1.0 or 0.90")
            self.atom = True
            self.item_depth = 2
            self._children(root, 1, feed, feed.actions)
        elif root.tag == _RDF_ROOT:
            # feedparser names the version after a namespace; Atom's would be the wrong one.
            if not self.names.uris & _VERSION_NAMESPACES or _ATOM.lower() in self.names.uris:
                raise NotMine("RSS 1.0 without its namespace, or with Atom's")
            self.item_depth = 2
            self._children(root, 1, feed, _RDF_ROOT_ACTIONS)
        else:
            raise NotMine(f"root <{_local(root.tag)}>")
        return self.document

    def _channel(self, channel: Element, depth: int, feed: _Target) -> None:
        self.channels += 1
        if self.channels > 1:
            raise NotMine("several channels")
        self._no_cdf_attributes(channel)
        self._children(channel, depth, feed, feed.actions)

    def _outside(self, element: Element, depth: int, target: Any) -> None:
        self._nothing_known(element)

    def _nothing_known(self, element: Element) -> None:
        """Outside the channel only elements without a handler change nothing kept."""
        for descendant in element.iter():
            if _is_element(descendant):
                name = self.names.name(descendant.tag)
                if name in _HANDLERS or name in _RESERVED:
                    raise NotMine(f"<{name}> outside the channel")

    def _children(self, parent: Element, depth: int, target: Any, actions: _Actions) -> None:
        """Dispatch each child element as feedparser would, one level deeper."""
        depth += 1
        known = self._dispatch.setdefault(actions, {})  # tag → action, for this document
        for child in parent:
            tag = child.tag
            if isinstance(tag, str):
                action = known.get(tag)
                if action is None:
                    action = known[tag] = actions.of(self.names.name(tag))
                if self.bases:
                    parent_base, self.base = self.base, self._base_of(child)
                    action(self, child, depth, target)
                    self.base = parent_base
                else:
                    action(self, child, depth, target)
            elif tag is not etree.Comment and tag is not etree.PI:
                raise NotMine("an entity reference")

    def _base_of(self, element: Element) -> str:
        """The base inside ``element``, given the current one, as feedparser works it out.

        An ``xml:base`` (else a bare ``base``) joins the current base, unless
        the result has an unsafe scheme. Without a base at all (no URL given)
        feedparser keeps a nested one for the elements after it: not mine.
        """
        declared = _declared_base(element) if self.bases else None
        if not self.base:
            if declared is not None:
                raise NotMine("xml:base without a document URL")
            return ""
        base = make_safe_absolute_uri(self.base, declared or self.base) or self.base
        if base != self.base and (make_safe_absolute_uri(base, base) or base) != base:
            raise NotMine("a base that changes again when made safe")
        return str(base)

    def _item(self, item: Element, depth: int, feed: _Target) -> None:
        if depth != self.item_depth:
            raise NotMine("an item inside another element")
        self._no_cdf_attributes(item)
        entry = _Entry()
        about = self._about(item)
        if about:
            entry.data["id"] = about
        self.title_depth = -1
        self._children(item, depth, entry, entry.actions)
        self.has_content = False
        self.document.entries.append(entry)

    def _no_cdf_attributes(self, element: Element) -> None:
        """``lastmod`` and ``href`` on a channel or item set a date and link (CDF).

        feedparser also sees an attribute of an unknown namespace under its
        bare name, so the local name is what counts.
        """
        for key, _ in element.items():
            if _local(key).lower() in ("lastmod", "href"):
                raise NotMine("CDF attributes")

    def _about(self, item: Element) -> str | None:
        """An item's ``rdf:about``, which feedparser takes as its id.

        feedparser looks it up by a lower-case prefixed name, which another
        namespace's ``about`` could also get.
        """
        for key, _ in item.items():
            if key != _RDF_ABOUT and key[0] == "{" and _local(key).lower() == "about":
                raise NotMine("an about attribute of another namespace")
        about = item.get(_RDF_ABOUT)
        if about is not None and self.names.renamed.get("rdf", "rdf") != "rdf":
            raise NotMine("the rdf prefix bound elsewhere")
        return str(about) if about is not None else None

    def _transparent(self, element: Element, depth: int, target: _Target) -> None:
        """An element that changes nothing kept: only its children count."""
        self._children(element, depth, target, target.actions)

    def _leaf(self, element: Element, depth: int, target: Any) -> None:
        """An element that changes nothing kept, as long as it holds only text."""
        _text(element)

    def _not_mine(self, element: Element, depth: int, target: Any) -> None:
        raise NotMine(f"<{self.names.name(element.tag)}>")

    def _chapters(self, element: Element, depth: int, target: Any) -> None:
        """Podlove chapters: feedparser crashes on a chapter without a start."""
        for chapter in element:
            if not _is_element(chapter):
                continue
            if self.names.name(chapter.tag) != "psc_chapter":
                raise NotMine("chapters holding other elements")
            if "start" not in self._attributes(chapter):
                raise NotMine("a chapter without a start")
            _text(chapter)

    def _keywords(self, element: Element, depth: int, target: Any) -> None:
        """feedparser splits the text; with attributes there is none and it crashes."""
        if element.items():
            raise NotMine("keywords with attributes")
        _text(element)

    # -- text ----------------------------------------------------------------------

    def _attributes(self, element: Element) -> dict[str, str]:
        """Attributes as feedparser's handlers get them: lower-case names, rel/type values."""
        attributes: dict[str, str] = {}
        for key, value in element.items():
            if key[0] == "{":
                uri, local = key[1:].split("}", 1)
                if uri != _XML_NAMESPACE:  # feedparser may see it under its bare name too
                    raise NotMine("a namespaced attribute")
                key = "xml:" + local
            key = key.lower()
            attributes[key] = value.lower() if key in ("rel", "type") else value
        return attributes

    def _finish(self, text: str, resolve: bool = False, base64: bool = False) -> str:
        """What feedparser's ``pop`` makes of an element's text."""
        text = text.strip()
        if base64:
            with suppress(binascii.Error, binascii.Incomplete, UnicodeDecodeError):
                text = base64_decode(text.encode("utf8")).decode("utf8")
        if resolve and text:
            text = self._resolve(text)
        if not text.isascii():
            with suppress(UnicodeError):  # UTF-8 once decoded as Latin-1 on the way
                text = text.encode("iso-8859-1").decode("utf-8")
            if _C1_RANGE.search(text):
                text = text.translate(_cp1252)
        return text

    def _construct(self, element: Element, default_type: str) -> tuple[str, str]:
        """(text, content type) of a title, summary or content element."""
        attributes = self._attributes(element)
        kind = _content_type(attributes.get("type", default_type))
        # feedparser decodes base64 when told to, or when the type is not text.
        base64 = attributes.get("mode", "") == "base64" or not (
            kind.startswith("text/") or kind.endswith(("+xml", "/xml"))
        )
        if kind == "application/xhtml+xml":
            if base64:
                raise NotMine("base64 XHTML")
            return self._finish(self._xhtml(element)), kind
        return self._finish(_text(element), base64=base64), kind

    def _xhtml(self, element: Element) -> str:
        """Inline XHTML serialised as feedparser does; Atom's wrapping ``<div>`` goes."""
        pieces: list[str] = []
        if element.text:
            pieces.append(escape(element.text))
        for child in element:
            self._xhtml_node(child, pieces)
        return "".join(_without_wrapping_div(pieces) if self.atom else pieces)

    def _xhtml_node(self, node: Element, pieces: list[str]) -> None:
        if _is_element(node):
            name = self.names.name(node.tag)
            local = node.tag.rsplit("}", 1)[-1].lower()
            if name in _END_HANDLERS or local in ("svg", "math"):  # handled even in content
                raise NotMine(f"<{local}> in XHTML content")
            attributes = "".join(
                f' {key}="{escape(value, {chr(34): "&quot;"})}"'
                for key, value in self._attributes(node).items()
            )
            pieces.append(f"<{local}{attributes}>")
            if node.text:
                pieces.append(escape(node.text))
            for child in node:
                self._xhtml_node(child, pieces)
            pieces.append(f"</{local}>")
        if node.tail:
            pieces.append(escape(node.tail))

    def _resolve(self, uri: str) -> str:
        """feedparser's join of ``uri`` to the base (it leaves a plain absolute URL as it is)."""
        if _PLAIN_URL.fullmatch(uri):
            return uri
        return str(_urljoin(self.base, uri))

    def _date(self, text: str) -> object:
        if text not in self._dates:
            self._dates[text] = _parse_date(text)
        return self._dates[text]

    # -- elements --------------------------------------------------------------------

    def _title(self, element: Element, depth: int, target: _Target) -> None:
        value, _ = self._construct(element, "text/plain")
        if not -1 < self.title_depth <= depth:
            target.store("title", value, depth)
        if value:
            self.title_depth = depth

    def _media_title(self, element: Element, depth: int, target: _Target) -> None:
        """Like a title, but leaves the depth that shuts out later titles alone."""
        title_depth = self.title_depth
        self._title(element, depth, target)
        self.title_depth = title_depth

    def _link(self, element: Element, depth: int, target: _Target) -> None:
        attributes = self._attributes(element)
        rel = attributes.setdefault("rel", "alternate")
        attributes.setdefault("type", "application/atom+xml" if rel == "self" else "text/html")
        _take_href(attributes)
        if isinstance(target, _Entry):
            target.links.append(attributes)
        if "href" in attributes:
            _no_children(element)
            href = attributes["href"] = self._resolve(attributes["href"])
            if rel == "alternate" and _content_type(attributes["type"]) in _HTML_TYPES:
                target.data["link"] = href
            return
        value = self._finish(_text(element), resolve=True)
        if isinstance(target, _Entry):
            value = _entity_like_fixed(value.replace("&amp;", "&"))
            if value:
                attributes["href"] = value
        else:
            value = _entity_like_fixed(value)
        target.data["link"] = value

    def _guid(self, element: Element, depth: int, target: _Target) -> None:
        is_link = self._attributes(element).get("ispermalink", "true") == "true"
        value = self._finish(_text(element), resolve=is_link)
        target.store("id", value, depth)
        if is_link:
            target.data.setdefault("link", value)

    def _published(self, element: Element, depth: int, entry: _Entry) -> None:
        entry.data["published_parsed"] = self._date(self._finish(_text(element)))

    def _updated(self, element: Element, depth: int, entry: _Entry) -> None:
        entry.data["updated_parsed"] = self._date(self._finish(_text(element)))

    def _author(self, element: Element, depth: int, entry: _Entry) -> None:
        """``<author>`` text, or Atom's name/email/uri children: "name (email)".

        As feedparser's handlers go: a new author starts, each part is saved,
        the element's own text is stored (if no shallower one is), then the
        author is worked out from the last author's parts.
        """
        parts: list[tuple[str, str]] = []
        pieces = [element.text or ""]
        for child in element:
            if _is_element(child):
                pieces.append(self._author_part(child, parts))
            pieces.append(child.tail or "")
        entry.authors.add(parts, self._finish("".join(pieces)), depth)

    def _author_part(self, part: Element, parts: list[tuple[str, str]]) -> str:
        """Note a name, email or URI; returns the text feedparser adds to the author's own."""
        name = self.names.name(part.tag)
        key = _AUTHOR_PARTS.get(name)
        if key is None:
            if name in _HANDLERS or name in _RESERVED:
                raise NotMine(f"<{name}> in an author")
            # Without a handler: with attributes its text is the author's, else its own.
            text = _text(part)
            return text if part.items() else ""
        if self.bases and _declared_base(part) is not None:
            raise NotMine("xml:base inside an author")
        value = _text(part).strip()
        if key == "href":
            value = self._finish(value, resolve=True)
        parts.append((key, value))
        return ""

    def _description(self, element: Element, depth: int, target: _Target) -> None:
        if "summary" in target.data and not self.has_content:
            self._content(element, depth, target)
            return
        value, _ = self._construct(element, "text/html")
        self._store_summary("subtitle", value, depth, target)

    def _summary(self, element: Element, depth: int, target: _Target) -> None:
        if "summary" in target.data and not self.has_content:
            self._content(element, depth, target)
            return
        value, _ = self._construct(element, "text/plain")
        self._store_summary("summary", value, depth, target)

    def _store_summary(self, feed_key: str, value: str, depth: int, target: _Target) -> None:
        if isinstance(target, _Entry):
            target.store("summary", value, depth)
            target.data["summary_detail"] = {"base": self.base}
        else:
            target.data[feed_key] = value

    def _subtitle(self, element: Element, depth: int, feed: _Target) -> None:
        feed.data["subtitle"] = self._construct(element, "text/plain")[0]

    def _content(self, element: Element, depth: int, target: _Target) -> None:
        self._add_content(element, target, "text/plain")

    def _content_encoded(self, element: Element, depth: int, target: _Target) -> None:
        self._add_content(element, target, "text/html")

    def _body(self, element: Element, depth: int, target: _Target) -> None:
        """RSS ``<body>`` (XHTML): content, but unlike the others not counted as content."""
        self._add_content(element, target, "application/xhtml+xml", counts=False)

    def _add_content(
        self, element: Element, target: _Target, default_type: str, counts: bool = True
    ) -> None:
        if counts:
            self.has_content = True
        value, kind = self._construct(element, default_type)
        if isinstance(target, _Entry):
            target.data.setdefault("content", []).append({"value": value, "base": self.base})
        else:
            target.data["content"] = value
        if kind in _SUMMARY_TYPES:
            target.data.setdefault("summary", value)

    def _enclosure(self, element: Element, depth: int, entry: _Entry) -> None:
        _no_children(element)
        attributes = self._attributes(element)
        _take_href(attributes)
        attributes["rel"] = "enclosure"
        entry.links.append(attributes)

    def _source(self, element: Element, depth: int, entry: _Entry) -> None:
        """The feed an entry came from: kept apart, but titles and content inside count.

        Its title moves the depth that shuts out later titles, and content
        (or a second summary) inside marks the entry as having content.
        """
        self.title_depth = -1
        source = _Target(_SOURCE_ACTIONS)
        self._children(element, depth, source, source.actions)

    def _ttl(self, element: Element, depth: int, feed: _Target) -> None:
        """An element feedparser has no handler for: with attributes it keeps those instead."""
        attributes = self._attributes(element)
        feed.data["ttl"] = attributes if attributes else self._finish(_text(element))

    def _image(self, element: Element, depth: int, feed: _Target) -> None:
        """The channel's ``<image>``: its title goes elsewhere but moves the title depth."""
        self._title_holder(element, depth, _IMAGE_PARTS)

    def _textinput(self, element: Element, depth: int, feed: _Target) -> None:
        self._title_holder(element, depth, _TEXTINPUT_PARTS)

    def _title_holder(self, element: Element, depth: int, parts: frozenset[str]) -> None:
        self.title_depth = -1
        for child in element:
            if not _is_element(child):
                continue
            name = self.names.name(child.tag)
            if name not in parts:
                raise NotMine(f"<{name}> in an image or text input")
            if name != "title":
                _text(child)
            elif self._construct(child, "text/plain")[0]:
                self.title_depth = depth + 1


def _is_element(node: Element) -> bool:
    tag = node.tag
    if isinstance(tag, str):
        return True
    if tag is etree.Comment or tag is etree.PI:
        return False
    raise NotMine("an entity reference")


def _text(element: Element) -> str:
    """The text of an element that holds no elements (comments and PIs don't count)."""
    if not len(element):
        return str(element.text or "")
    pieces = [element.text or ""]
    for child in element:
        if _is_element(child):
            raise NotMine(f"elements inside <{_local(element.tag)}>")
        pieces.append(child.tail or "")
    return "".join(pieces)


def _declared_base(element: Element) -> str | None:
    """The element's ``xml:base``, else its bare ``base`` attribute (feedparser's order)."""
    declared: dict[str, str] = {}
    for key, value in element.items():
        if key[0] == "{":
            uri, local = key[1:].split("}", 1)
            if local.lower() == "base":
                if uri != _XML_NAMESPACE:
                    raise NotMine("a namespaced base attribute")
                declared["xml:base"] = value
        elif key.lower() == "base":
            declared["base"] = value
    return declared.get("xml:base", declared.get("base"))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _entity_like_fixed(link: str) -> str:
    """feedparser's repair of query strings read as references: ``&b;=2`` → ``&b=2``."""
    return _ENTITY_LIKE.sub(r"&\1", link) if "&" in link else link


def _no_children(element: Element) -> None:
    if any(_is_element(child) for child in element):
        raise NotMine(f"elements inside <{_local(element.tag)}>")


def _content_type(value: str) -> str:
    """A ``type`` attribute as feedparser maps it ("html" → "text/html")."""
    value = value.lower()
    return _SHORT_TYPES.get(value, value)


_SHORT_TYPES = {
    "text": "text/plain",
    "plain": "text/plain",
    "html": "text/html",
    "xhtml": "application/xhtml+xml",
}


def _take_href(attributes: dict[str, str]) -> None:
    """feedparser's href: ``url``, else ``uri``, else ``href``, if not empty."""
    href = attributes.get("url", attributes.get("uri", attributes.get("href")))
    if href:
        attributes.pop("url", None)
        attributes.pop("uri", None)
        attributes["href"] = href


def _without_wrapping_div(pieces: list[str]) -> list[str]:
    """Atom XHTML without its ``<div>``, when that one div holds everything."""
    last = len(pieces) - 1
    while last > 0 and not pieces[last].strip():
        last -= 1
    first = 0
    while first < last and not pieces[first].strip():
        first += 1
    pieces = pieces[first : last + 1]  # one slice: deleting one by one is quadratic
    if not pieces or pieces[-1] != "</div>":
        return pieces
    if not (pieces[0] == "<div>" or pieces[0].startswith("<div ")):
        return pieces
    depth = 0
    for piece in pieces[:-1]:
        if piece.startswith("</"):
            depth -= 1
            if depth == 0:
                return pieces  # the first div closes before the end
        elif piece.startswith("<") and not piece.endswith("/>"):
            depth += 1
    return pieces[1:-1]


_AUTHOR_PARTS = {
    "name": "name",
    "itunes_name": "name",
    "email": "email",
    "itunes_email": "email",
    "uri": "href",
    "url": "href",
    "homepage": "href",
}
_IMAGE_PARTS = frozenset({"title", "link", "url", "width", "height", "description"})
_TEXTINPUT_PARTS = frozenset({"title", "link", "description", "name"})


class _Actions:
    """What to do with each element name in one context (feed or entry)."""

    def __init__(
        self,
        handlers: dict[str, Handler],
        leaves: Iterable[str] = (),
        passes: Iterable[str] = (),
        default: Handler | None = None,
    ) -> None:
        self._known: dict[str, Handler] = dict(handlers)
        for name in leaves:
            self._known.setdefault(name, _Reader._leaf)
        for name in passes:
            self._known.setdefault(name, _Reader._transparent)
        self._default = default

    def of(self, name: str) -> Handler:
        action = self._known.get(name)
        if action is None:
            if self._default is not None:
                action = self._default
            elif name in _HANDLERS or name in _RESERVED:
                action = _Reader._not_mine
            else:
                action = _Reader._transparent
            self._known[name] = action
        return action


_AUTHORS = ("author", "dc_author", "dc_creator", "itunes_author", "managingeditor")
_TITLES = {"title": _Reader._title, "dc_title": _Reader._title, "media_title": _Reader._media_title}
_DESCRIPTIONS = {
    "description": _Reader._description,
    "dc_description": _Reader._description,
    "media_description": _Reader._description,
    "summary": _Reader._summary,
    "itunes_summary": _Reader._summary,
    "content": _Reader._content,
    "content_encoded": _Reader._content_encoded,
    "fullitem": _Reader._content_encoded,
}
# Handlers that change nothing kept when the element holds only text.
_LEAVES = (
    *("category", "keywords", "dc_subject", "media_category", "tags", "cloud", "generator"),
    *("created", "dcterms_created", "expirationdate", "dcterms_valid", "newlocation"),
    *("language", "dc_language", "webmaster", "dc_publisher", "cc_license", "dc_contributor"),
    *("width", "height", "url", "homepage", "uri", "name", "email", "itunes_name", "itunes_email"),
    *("media_rating", "media_credit", "media_restriction", "media_license", "media_player"),
    *("media_thumbnail", "itunes_image", "itunes_link", "itunes_block", "itunes_explicit"),
    *("subtitle", "tagline", "itunes_subtitle", "rights", "copyright", "dc_rights", "info"),
    *("georss_point", "georss_line", "georss_polygon", "georss_box", "psc_chapter"),
    "feedburner_browserfriendly",
)
# Handlers whose children feedparser handles as if they stood in the parent.
_CONTAINERS = ("media_group", "media_content", "itunes_category", "contributor")
_DATES = {
    **dict.fromkeys(("pubdate", "published", "issued", "dcterms_issued"), _Reader._published),
    **dict.fromkeys(
        ("updated", "modified", "lastbuilddate", "dc_date", "dcterms_modified"), _Reader._updated
    ),
}
_KEYWORDS = {
    "itunes_keywords": _Reader._keywords,
    "media_keywords": _Reader._keywords,
    "psc_chapters": _Reader._chapters,
}
_BODIES = {"body": _Reader._body, "xhtml_body": _Reader._body}

_ENTRY_ACTIONS = _Actions(
    {
        **_TITLES,
        **_DESCRIPTIONS,
        **_DATES,
        **_KEYWORDS,
        **_BODIES,
        **dict.fromkeys(_AUTHORS, _Reader._author),
        "link": _Reader._link,
        "guid": _Reader._guid,
        "id": _Reader._guid,
        "enclosure": _Reader._enclosure,
        "source": _Reader._source,
    },
    leaves=_LEAVES,
    passes=_CONTAINERS,
)
_FEEDLIKE: dict[str, Handler] = {
    **_TITLES,
    **_DESCRIPTIONS,
    **_KEYWORDS,
    **_BODIES,
    "subtitle": _Reader._subtitle,
    "tagline": _Reader._subtitle,
    "itunes_subtitle": _Reader._subtitle,
    "link": _Reader._link,
    "guid": _Reader._guid,
    "id": _Reader._guid,
    "ttl": _Reader._ttl,
}
_FEED_LEAVES = [*_LEAVES, *_DATES, "enclosure"]
_FEED_PASSES = [*_CONTAINERS, *_AUTHORS, "itunes_owner"]
_FEED_ACTIONS = _Actions(
    {
        **_FEEDLIKE,
        "image": _Reader._image,
        "textinput": _Reader._textinput,
        "item": _Reader._item,
        "entry": _Reader._item,
    },
    leaves=_FEED_LEAVES,
    passes=_FEED_PASSES,
)
# The root's children: in RSS 2.0 the channel, in RSS 1.0 the items and image too.
_RSS_ROOT_ACTIONS = _Actions({"channel": _Reader._channel}, default=_Reader._outside)
_RDF_ROOT_ACTIONS = _Actions(
    {
        "channel": _Reader._channel,
        "item": _Reader._item,
        "image": _Reader._image,
        "textinput": _Reader._textinput,
    },
    default=_Reader._outside,
)
# An entry's <source> is read like a feed, into a dict nobody reads.
_SOURCE_ACTIONS = _Actions(_FEEDLIKE, leaves=_FEED_LEAVES, passes=_FEED_PASSES)
