"""Pages built to make extraction's work grow faster than their size.

Each case is one the old code took minutes or longer over (a regex that
backtracks, a subtree searched once per caption, a text rebuilt once per
removed element). Where the work is easy to count, it is counted; otherwise
the hang guard checks against freezing and does not measure speed: the fixed
code takes a fraction of a second, and the old code far longer than the guard.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import reader.extract as extract_module
from reader.extract import ExtractionError, extract_article
from tests.corpus import hang_guard

GUARD = 20.0
PROSE = "<p>" + "This is a sentence of real prose in the article. " * 20 + "</p>"


def _prepared(body: str) -> Any:
    """The page around ``body``, parsed and prepared for the extractors."""
    root = extract_module._parse(f"<html><body>{PROSE}{body}{PROSE}</body></html>")
    extract_module._prepare_page(root, "https://news.example/a")
    return root


def _tag_calls(monkeypatch: pytest.MonkeyPatch, work: Callable[[], object]) -> int:
    """How many elements ``work`` looks at by name (every visit goes through _tag)."""
    calls = 0
    tag = extract_module._tag

    def counting(el: Any) -> str:
        nonlocal calls
        calls += 1
        return tag(el)

    monkeypatch.setattr(extract_module, "_tag", counting)
    work()
    return calls


# --- the first tag: is the page a feed? ---------------------------------------------------


def test_comments_before_text_are_read_once_not_split_every_way() -> None:
    """A comment also matched "<!...>", so 40 comments meant 2^40 tries."""
    page = "<!---->" * 40 + "text, then <p>an article</p>"
    with hang_guard(GUARD):
        assert extract_module._not_html(page) is None
        with pytest.raises(ExtractionError, match="no article found"):
            extract_article(page.encode(), "https://news.example/a", content_type="text/html")


def test_an_unclosed_comment_runs_to_the_end_of_the_page() -> None:
    """As in a browser: "<!--" with no "-->" hides the rest, which is not read
    as a feed (each "<!--" was scanned to the end again: quadratic)."""
    assert extract_module._not_html("<!-- > <rss><channel></channel></rss>") is None
    assert extract_module._not_html("<!-- >" * 1000 + "<html><body><p>x</p>") is None


def test_a_feed_behind_its_declaration_comments_and_doctype_is_still_known() -> None:
    feed = '<?xml version="1.0"?>\n<!-- a -- b -->\n<!DOCTYPE rss>\n<!----><rss version="2.0">'
    assert extract_module._not_html(feed) == "the page is a feed, not an article"
    assert extract_module._not_html("<!--<rss>--><html><body><p>x</p>") is None
    for empty in ("<!-->", "<!--->"):  # closed at once, as HTML reads them
        assert extract_module._not_html(empty + " <rss>") == "the page is a feed, not an article"


# --- captions ---------------------------------------------------------------------------


def test_captions_side_by_side_are_matched_in_one_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each caption searched its holders' whole subtrees: n^2/2 visits."""
    captions = '<img src="/a.png">' + "<figcaption>c</figcaption>" * 2000
    root = extract_module._parse(f"<html><body>{PROSE}{captions}</body></html>")
    visits = _tag_calls(monkeypatch, lambda: extract_module._captions_to_alt(root))
    assert visits < 20_000  # the old code: over 2,000,000
    assert root.find(".//figcaption") is None
    assert root.find(".//img").get("alt") == "c"


def test_nested_caption_blocks_are_judged_in_one_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each block named "caption" looked through all its descendants for an
    image: the depth times the page."""
    nested = '<div class="caption">' * 200 + "<b>x</b>" * 1000 + "</div>" * 200
    root = extract_module._parse(f"<html><body>{PROSE}{nested}</body></html>")
    visits = _tag_calls(monkeypatch, lambda: extract_module._captions_to_alt(root))
    assert visits < 20_000  # the old code: over 200,000
    assert root.find(".//b") is not None  # 1,000 characters: not a caption


def test_each_caption_goes_to_the_nearest_image_of_its_block() -> None:
    root = _prepared(
        '<div><img src="/1.png"><p class="caption">First</p>'
        '<p class="credit">Photo: A. Person</p></div>'
        '<figure><figcaption>Second, before its image</figcaption><img src="/2.png"></figure>'
        '<div class="caption">No image near</div>'
        '<figure><figcaption>Holds <img src="/3.png" alt="x"> its own</figcaption>'
        '<img src="/4.png"></figure>'
    )
    alts = [(img.get("src"), img.get("alt")) for img in root.iter("img")]
    assert alts == [
        ("https://news.example/1.png", "Photo: A. Person"),  # the longer caption wins
        ("https://news.example/2.png", "Second, before its image"),
        ("https://news.example/4.png", None),  # /3.png went with its caption
    ]
    assert "No image near" not in root.text_content()


# --- removed elements -----------------------------------------------------------------------


def test_the_text_after_many_removed_elements_is_joined_once() -> None:
    """Each removal appended its tail to one growing text: quadratic."""
    with hang_guard(GUARD):
        root = _prepared("<p>x</p>" + "<!---->tail text " * 100_000)
    assert root.find(".//p[2]").tail == "tail text " * 100_000


def test_removed_elements_leave_their_text_in_order() -> None:
    root = _prepared(
        "<div>a<script>s</script>b<!---->c<span hidden>h</span>d"
        "<b>kept</b>e<style>s</style>f<figcaption>cap</figcaption>g</div>"
    )
    div = root.find(".//div")
    assert (div.text, [(el.tag, el.tail) for el in div]) == ("abcd", [("b", "efg")])


# --- teasers ----------------------------------------------------------------------------------


def test_a_long_word_full_of_at_signs_is_judged_in_one_pass() -> None:
    """Every "@" restarted a scan to the end of the word: quadratic."""
    with hang_guard(GUARD):
        assert extract_module._URL_LIKE.match("@" * 1_000_000 + " x") is None


@pytest.mark.parametrize(
    ("text", "shows_address"),
    [
        ("https://example.com/a", True),
        ("www.example.com", True),
        ("editor@example.com", True),
        ("example.com", False),
        ("Read more at https://example.com", False),
        ("a@b c", False),
    ],
)
def test_a_link_that_shows_its_address_is_no_teaser(text: str, shows_address: bool) -> None:
    assert bool(extract_module._URL_LIKE.match(text)) is shows_address
