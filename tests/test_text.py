"""Article HTML to terminal text: structure, links, hostile input, layout."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from reader.text import (
    NOT_OPENABLE,
    QUOTE,
    Block,
    Document,
    Span,
    document_to_text,
    html_to_document,
    html_to_text,
    link_line,
    link_openable,
    numeric_columns,
    reading_time_minutes,
    shorten_document,
    shown_url,
    table_columns,
)

TEST_PAGES = Path("/work/shared/corpus/readability/test/test-pages")
BASE = "https://example.com/blog/post.html"
# Anything a terminal could act on: C0/C1 controls (bar newline), DEL, bidi overrides.
UNSAFE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f]")


def doc(html: str | None, base_url: str | None = BASE) -> Document:
    return html_to_document(html, base_url)


def kinds(document: Document) -> list[tuple[str, str]]:
    return [(b.kind, b.text) for b in document.blocks]


def assert_tidy(text: str) -> None:
    """The layout promises of document_to_text."""
    assert not text.endswith("\n")
    assert not text.startswith("\n")
    assert "\n\n\n" not in text
    for line in text.split("\n"):
        assert line == line.rstrip(), repr(line)
    assert not UNSAFE.search(text), repr(text)


# -- empty and plain input ---------------------------------------------------


@pytest.mark.parametrize("value", [None, "", "   \n\t ", "<p> </p>", "<!-- only a comment -->"])
def test_empty_input_gives_empty_document(value: str | None) -> None:
    document = doc(value)
    assert document.blocks == ()
    assert document.links == ()
    assert document_to_text(document) == ""
    assert reading_time_minutes(document) == 0


def test_plain_text_paragraphs_split_on_blank_lines_and_entities_decode() -> None:
    document = doc("First   para\nsecond line\n\n  \nFish &amp; chips &lt;3 &eacute;")
    assert kinds(document) == [
        ("paragraph", "First para\nsecond line"),
        ("paragraph", "Fish & chips <3 é"),
    ]
    assert html_to_text("First\n\n\n\nSecond") == "First\n\nSecond"


# -- block elements -------------------------------------------------------------


def test_headings_keep_level_and_render_with_hash_prefix() -> None:
    document = doc("<h1>Top</h1><h3>Third  <em>level</em></h3><h6>Six</h6>")
    assert [(b.kind, b.level, b.text) for b in document.blocks] == [
        ("heading", 1, "Top"),
        ("heading", 3, "Third level"),
        ("heading", 6, "Six"),
    ]
    assert document_to_text(document) == "# Top\n\n### Third level\n\n###### Six"


def test_paragraph_whitespace_collapses_and_br_is_a_newline() -> None:
    document = doc("<p>  one\n   two\t three <br> four<br/><br><br><br>five </p><div>six</div>")
    assert kinds(document) == [("paragraph", "one two three\nfour\n\nfive"), ("paragraph", "six")]
    assert document_to_text(document) == "one two three\nfour\n\nfive\n\nsix"


def test_block_containers_separate_paragraphs() -> None:
    html = "<article><section>a</section><div>b<div>c</div>d</div><p>e<p>f</article>"
    assert [b.text for b in doc(html).blocks] == ["a", "b", "c", "d", "e", "f"]


def test_nested_lists_number_and_indent_under_their_item() -> None:
    html = (
        "<ol start='3'><li>three</li><li>four<ul><li>dot</li><li>dot2"
        "<ol><li>deep</li></ol></li></ul></li><li value='10'>ten</li><li>eleven</ol>"
        "<ul><li>bullet</ul>"
    )
    document = doc(html)
    assert [(b.kind, b.level, b.nest, b.text, b.tight) for b in document.blocks] == [
        ("list_item", 0, (" 3. ",), "three", False),
        ("list_item", 0, (" 4. ",), "four", True),
        ("list_item", 1, ("    ", "◦ "), "dot", True),
        ("list_item", 1, ("    ", "◦ "), "dot2", True),
        ("list_item", 2, ("    ", "  ", "1. "), "deep", True),
        ("list_item", 0, ("10. ",), "ten", True),
        ("list_item", 0, ("11. ",), "eleven", True),
        ("list_item", 0, ("• ",), "bullet", False),  # another list: not tight
    ]
    assert document_to_text(document) == (
        " 3. three\n 4. four\n    ◦ dot\n    ◦ dot2\n      1. deep\n10. ten\n11. eleven\n\n• bullet"
    )


def test_bullets_vary_with_depth() -> None:
    text = html_to_text("<ul><li>a<ul><li>b<ul><li>c<ul><li>d</ul></ul></ul></ul>")
    assert text == "• a\n  ◦ b\n    ▪ c\n      • d"


def test_unclosed_list_items_and_paragraphs_inside_items() -> None:
    document = doc("<ul><li><p>first</p><p>more of first</p><li>second</ul><p>after</p>")
    assert [(b.kind, b.nest, b.text) for b in document.blocks] == [
        ("list_item", ("• ",), "first"),
        ("list_item", ("  ",), "more of first"),
        ("list_item", ("• ",), "second"),  # a sibling of the unclosed first item
        ("paragraph", (), "after"),
    ]
    assert document_to_text(document) == "• first\n  more of first\n• second\n\nafter"
    nested = "<ol><li>a<ol><li>b<li>c</ol><li>d</ol>"
    assert html_to_text(nested) == "1. a\n   1. b\n   2. c\n2. d"


@pytest.mark.parametrize(
    ("html", "markers"),
    [
        ("<ol reversed><li>a<li>b<li>c</ol>", ["3.", "2.", "1."]),
        ("<ol reversed start='10'><li>a<li>b</ol>", ["10.", " 9."]),
        ("<ol reversed><li>a<li value='7'>b<li>c</ol>", ["3.", "7.", "6."]),
        ("<ol start='-1'><li>a<li>b<li>c</ol>", ["-1.", " 0.", " 1."]),
        ("<ol type='a' start='25'><li>y<li>z<li>aa</ol>", [" y.", " z.", "aa."]),
        ("<ol type='A'><li>a<li>b</ol>", ["A.", "B."]),
        ("<ol type='i' start='3'><li>a<li>b</ol>", ["iii.", " iv."]),
        ("<ol type='I' start='1999'><li>a</ol>", ["MCMXCIX."]),
        ("<ol type='a' start='0'><li>a<li>b</ol>", ["0.", "a."]),  # no letter for 0
        ("<ol type='x' start='2'><li>a</ol>", ["2."]),  # unknown type: numbers
        ("<ol start='junk'><li>a</ol>", ["1."]),
    ],
)
def test_ordered_list_start_reversed_and_type(html: str, markers: list[str]) -> None:
    document = doc(html)
    assert [b.nest[-1] for b in document.blocks] == [m + " " for m in markers]


def test_markers_align_numbers_on_the_right() -> None:
    items = "".join(f"<li>item {n}" for n in range(1, 11))
    lines = html_to_text(f"<ol>{items}</ol>").split("\n")
    assert lines[0] == " 1. item 1" and lines[9] == "10. item 10"


def test_quote_keeps_its_bar_around_headings_lists_code_and_rules() -> None:
    html = (
        "<blockquote><h2>Quoted heading</h2><p>said</p><ul><li>one</li><li>two"
        "<blockquote>inside the item</blockquote></li></ul><pre>code()</pre><hr>"
        "<table><tr><td>a</td><td>b</td></tr></table></blockquote><p>after</p>"
    )
    document = doc(html)
    assert [(b.kind, b.nest) for b in document.blocks] == [
        ("heading", (QUOTE,)),
        ("quote", (QUOTE,)),
        ("list_item", (QUOTE, "• ")),
        ("list_item", (QUOTE, "• ")),
        ("quote", (QUOTE, "  ", QUOTE)),
        ("code", (QUOTE,)),
        ("rule", (QUOTE,)),
        ("table", (QUOTE,)),
        ("paragraph", ()),
    ]
    assert document_to_text(document, width=24) == (
        "> ## Quoted heading\n>\n> said\n>\n> • one\n> • two\n>\n>   > inside the item\n"
        ">\n>     code()\n>\n> ──────────────────────\n>\n> a  b\n\nafter"
    )


def test_list_inside_a_list_item_paragraph_and_heading() -> None:
    html = "<ol><li><h3>Step</h3><p>Do it.</p><ul><li>carefully</li></ul></li></ol>"
    assert html_to_text(html) == "1. ### Step\n\n   Do it.\n   ◦ carefully"


def test_wrapped_list_item_continues_under_its_text() -> None:
    text = html_to_text("<ol><li>alpha beta gamma delta epsilon</li></ol>", width=16)
    assert text == "1. alpha beta\n   gamma delta\n   epsilon"


def test_nested_blockquotes_prefix_every_line() -> None:
    document = doc("<blockquote><p>outer words here</p><blockquote>inner</blockquote></blockquote>")
    assert [(b.kind, b.level, b.text) for b in document.blocks] == [
        ("quote", 1, "outer words here"),
        ("quote", 2, "inner"),
    ]
    assert document_to_text(document) == "> outer words here\n>\n> > inner"
    assert document_to_text(document, width=12) == "> outer\n> words here\n>\n> > inner"


def test_pre_keeps_whitespace_exactly_and_is_never_wrapped() -> None:
    code = "def f(x):\n    return [x,  x]   # long comment that goes past the width\n\n  end"
    document = doc(f"<p>intro</p><pre><code>\n{code}\n</code></pre><p>outro</p>")
    assert kinds(document) == [("paragraph", "intro"), ("code", code), ("paragraph", "outro")]
    text = document_to_text(document, width=20)
    assert "\n".join("    " + line if line else "" for line in code.split("\n")) in text
    assert text.startswith("intro\n\n    def f(x):")
    assert text.endswith("    end\n\noutro")


def test_pre_expands_tabs_from_line_start_and_decodes_entities() -> None:
    document = doc("<pre>a\tb\n\tc &lt;tag&gt; <b>bold</b></pre>")
    assert kinds(document) == [("code", "a   b\n    c <tag> bold")]


def test_hr_becomes_a_rule() -> None:
    document = doc("<p>a</p><hr><p>b</p>")
    assert kinds(document) == [("paragraph", "a"), ("rule", ""), ("paragraph", "b")]
    assert document_to_text(document) == "a\n\n" + "─" * 40 + "\n\nb"
    assert document_to_text(document, width=10) == "a\n\n" + "─" * 10 + "\n\nb"


def test_table_rows_become_lines_with_cells_joined() -> None:
    html = (
        "<table><thead><tr><th>Name</th><th>Age</th></tr></thead>"
        "<tbody><tr><td> Ann </td><td>31</td></tr><tr><td>Bob<td>4<br>2</table><p>after</p>"
    )
    document = doc(html)
    assert kinds(document) == [
        ("table", "Name | Age\nAnn | 31\nBob | 4 2"),
        ("paragraph", "after"),
    ]
    table = document.blocks[0]
    assert table.head
    assert [[table.text[a:b] for a, b in row] for row in table.cells] == [
        ["Name", "Age"],
        ["Ann", "31"],
        ["Bob", "4 2"],
    ]


def test_small_table_is_aligned_with_a_header_rule_and_numbers_on_the_right() -> None:
    html = (
        "<table><tr><th>Name</th><th>Commits</th><th>Share</th></tr>"
        "<tr><td>Ann <a href='/ann'>Lee</a></td><td>1,204</td><td>88.1%</td></tr>"
        "<tr><td>Bob</td><td>7</td><td>0.5%</td></tr></table>"
    )
    document = doc(html)
    assert table_columns(document.blocks[0], 80) == (10, 7, 5)
    assert numeric_columns(document.blocks[0]) == (False, True, True)
    assert document_to_text(document, width=80, link_list=False) == (
        "Name        Commits  Share\n"
        "──────────  ───────  ─────\n"
        "Ann Lee[1]    1,204  88.1%\n"
        "Bob               7   0.5%"
    )


def test_table_too_wide_for_the_width_goes_one_row_a_line() -> None:
    html = (
        "<table><tr><td>first cell words</td><td>second cell words</td></tr>"
        "<tr><td>a</td><td>b</td></tr></table>"
    )
    document = doc(html)
    assert table_columns(document.blocks[0], 36) == (16, 17)
    assert table_columns(document.blocks[0], 30) is None
    assert document_to_text(document, width=36) == (
        "first cell words  second cell words\na                 b"
    )
    assert document_to_text(document, width=20) == (
        "first cell words |\n  second cell words\na | b"
    )


def test_table_cells_with_paragraphs_lists_and_empty_rows() -> None:
    html = (
        "<table><caption>Scores</caption><tr><td><p>Ann</p></td><td><ul><li>x<li>y</ul></td>"
        "<td><div>1</div><div>2</div></td></tr><tr><td></td><td></td></tr>"
        "<tr><td></td><td>only</td></tr><tr><td colspan=3>A lone wide cell row</td></tr></table>"
    )
    document = doc(html)
    assert kinds(document) == [
        ("paragraph", "Scores"),
        ("table", "Ann | x y | 1 2\nonly\nA lone wide cell row"),
    ]
    table = document.blocks[1]
    assert [[table.text[a:b] for a, b in row] for row in table.cells] == [
        ["Ann", "x y", "1 2"],
        ["", "only"],
        ["A lone wide cell row"],  # spans the table: it does not widen the first column
    ]
    assert document_to_text(document) == (
        "Scores\n\nAnn  x y   1 2\n     only\nA lone wide cell row"
    )


def test_layout_table_becomes_paragraphs() -> None:
    """Old pages lay out the whole article in a table: that must read as prose."""
    para = "A sentence of the article that goes on for a while. " * 3
    html = (
        f"<table><tr><td><b>Menu</b></td><td><p>{para}</p><p>Second <a href='/x'>para</a>.</p>"
        f"<p>{para}</p></td></tr></table>"
    )
    document = doc(html)
    assert [b.kind for b in document.blocks] == ["paragraph", "paragraph", "paragraph"]
    assert document.blocks[0].text == "Menu | " + para.strip()
    second = document.blocks[1]
    assert second.text == "Second para[1]."
    assert [second.text[s.start : s.end] for s in second.spans] == ["para"]
    assert document.blocks[0].spans[0] == Span(0, 4, "bold")


def test_text_outside_cells_keeps_the_table_row_per_line() -> None:
    document = doc("<table>stray<tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>")
    (table,) = document.blocks
    assert table.kind == "table" and table.cells == ()
    assert document_to_text(document) == "stray\na | b\nc"


def test_heading_in_a_table_splits_it_and_nothing_is_lost() -> None:
    document = doc("<table><tr><td>a</td><td><h2>H</h2></td><td>b</td></tr></table>")
    assert kinds(document) == [("table", "a"), ("heading", "H"), ("table", "b")]


def test_tables_never_raise_on_broken_markup() -> None:
    for html in (
        "<td>cell</td><td>outside</td>",
        "<tr><td>a",
        "<table><td>a<table><td>b</table>c</td></table>",
        "<table><tr><td>a</p>b</td></tr></table>",
        "<table><tr><td><hr>x</td></table>",
        "<table>" * 50 + "<td>deep",
        "<table><tr><td>" + "<p>x</p>" * 1000 + "</table>",
    ):
        text = html_to_text(html, width=30)
        assert_tidy(text)
        assert text


def test_definition_list() -> None:
    document = doc("<dl><dt>Term</dt><dd>Meaning of it</dd><dt>Other</dt><dd>More</dd></dl>")
    assert [(b.kind, b.level, b.text) for b in document.blocks] == [
        ("list_item", 0, "Term"),
        ("list_item", 1, "Meaning of it"),
        ("list_item", 0, "Other"),
        ("list_item", 1, "More"),
    ]
    assert document_to_text(document) == "Term\n  Meaning of it\nOther\n  More"


def test_figure_with_image_and_caption() -> None:
    document = doc(
        "<figure><img src='cat.jpg' alt=' A  cat '><figcaption>Tom</figcaption></figure>"
    )
    assert kinds(document) == [("image", "[image: A cat][1]"), ("paragraph", "Tom")]
    assert document.blocks[0].spans == (Span(0, 14, "link", 1),)
    assert document.links == ("https://example.com/blog/cat.jpg",)


# -- inline elements -----------------------------------------------------------


def test_inline_styles_become_spans_over_the_text() -> None:
    block = doc(
        "<p>a <b>bold</b> <strong>strong</strong> <i>it</i> <em>em</em> <code>x()</code> "
        "<u>u</u> <ins>ins</ins> <s>s</s> <del>del</del> <mark>hi</mark></p>"
    )
    assert block.blocks[0].text == "a bold strong it em x() u ins s del hi"
    text = block.blocks[0].text
    assert [(text[s.start : s.end], s.style) for s in block.blocks[0].spans] == [
        ("bold", "bold"),
        ("strong", "bold"),
        ("it", "italic"),
        ("em", "italic"),
        ("x()", "code"),
        ("u", "underline"),
        ("ins", "underline"),
        ("s", "strike"),
        ("del", "strike"),
        ("hi", "mark"),
    ]


def test_span_does_not_cover_surrounding_spaces() -> None:
    block = doc("<p>a<b> bold </b>c</p>").blocks[0]
    assert block.text == "a bold c"
    assert [(s.start, s.end) for s in block.spans] == [(2, 6)]


def test_style_crossing_blocks_is_split_per_block() -> None:
    document = doc("<b>one<p>two</p></b>")
    assert [(b.text, b.spans) for b in document.blocks] == [
        ("one", (Span(0, 3, "bold"),)),
        ("two", (Span(0, 3, "bold"),)),
    ]


# -- links ----------------------------------------------------------------------


def test_links_numbered_in_order_deduplicated_and_resolved() -> None:
    html = (
        "<p>See <a href='/a'>first</a>, <a href='b.html'>second</a> and "
        "<a href='https://example.com/a'>first again</a>.</p>"
        "<p><a href='//cdn.example.net/x'>cdn</a> <a href='../up?q=1#frag'>up</a></p>"
    )
    document = doc(html)
    assert document.links == (
        "https://example.com/a",
        "https://example.com/blog/b.html",
        "https://cdn.example.net/x",
        "https://example.com/up?q=1#frag",
    )
    first = document.blocks[0]
    assert first.text == "See first[1], second[2] and first again[1]."
    assert [(first.text[s.start : s.end], s.link) for s in first.spans] == [
        ("first", 1),
        ("second", 2),
        ("first again", 1),
    ]
    assert document.blocks[1].text == "cdn[3] up[4]"


def test_link_text_equal_to_url_still_gets_a_number() -> None:
    document = doc('<p><a href="https://x.org/">https://x.org/</a></p>', None)
    assert document.blocks[0].text == "https://x.org/[1]"
    assert document.links == ("https://x.org/",)


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "\x00javascript:alert(1)",
        "\u202ejavascript:alert(1)",
        "jav&#x09;ascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "vbscript:x",
        "data:text/html,<b>x</b>",
        "file:///etc/passwd",
        "#section",
        "",
    ],
)
def test_unsafe_or_useless_links_keep_text_without_number(href: str) -> None:
    document = doc(f'<p>click <a href="{href}">here</a> now</p>')
    assert document.blocks[0].text == "click here now"
    assert document.blocks[0].spans == ()
    assert document.links == ()


def test_other_schemes_are_listed_but_marked_as_not_opened() -> None:
    html = (
        "<p><a href='ftp://files.example.org/x'>ftp</a> <a href='tel:+1555'>call</a> "
        "<a href='gemini://g.example/'>gem</a> <a href='/ok'>ok</a> <a href='ftp:'>empty</a></p>"
    )
    document = doc(html)
    assert document.blocks[0].text == "ftp[1] call[2] gem[3] ok[4] empty"
    assert [link_openable(url) for url in document.links] == [False, False, False, True]
    assert document_to_text(document).split("Links:\n")[1] == (
        f"[1] ftp://files.example.org/x {NOT_OPENABLE}\n[2] tel:+1555 {NOT_OPENABLE}\n"
        f"[3] gemini://g.example/ {NOT_OPENABLE}\n[4] https://example.com/ok"
    )
    assert link_line(4, "mailto:a@b.example") == "[4] mailto:a@b.example"


def test_relative_link_without_base_is_not_numbered_but_mailto_is() -> None:
    document = doc('<a href="/x">rel</a> <a href="mailto:me@example.com">mail</a>', None)
    assert document.blocks[0].text == "rel mail[1]"
    assert document.links == ("mailto:me@example.com",)


def test_link_marker_goes_after_text_not_after_trailing_space() -> None:
    assert doc("<p>a <a href='/x'> spaced </a>b</p>").blocks[0].text == "a spaced[1] b"


def test_link_around_blocks_marks_each_block() -> None:
    document = doc("<a href='/post'><h2>Title</h2><p>Summary</p></a>")
    assert kinds(document) == [("heading", "Title[1]"), ("paragraph", "Summary[1]")]


def test_nested_and_unclosed_anchors() -> None:
    document = doc("<p><a href='/1'>one <a href='/2'>two</a> three <a href='/3'>four")
    assert document.blocks[0].text == "one[1] two[2] three four[3]"


def test_link_list_footer_and_switch() -> None:
    document = doc("<p>go <a href='/x'>there</a></p><p><img src='/i.png'></p>")
    assert document_to_text(document) == (
        "go there[1]\n\n[image][2]\n\nLinks:\n"
        "[1] https://example.com/x\n[2] https://example.com/i.png"
    )
    assert document_to_text(document, link_list=False) == "go there[1]\n\n[image][2]"


def test_links_resolved_against_a_credentialed_url_are_shown_without_them() -> None:
    """A feed's URL may carry user:password; links resolved against it must not show it."""
    document = doc("<p><a href='/x'>x</a> <a href='y'>y</a></p>", "https://me:pw@example.com/f/")
    assert document.links == ("https://me:pw@example.com/x", "https://me:pw@example.com/f/y")
    text = document_to_text(document)
    assert "[1] https://example.com/x\n[2] https://example.com/f/y" in text
    assert "pw" not in text
    assert shown_url("http://a:b@c.example/\x1b[2Jd") == "http://c.example/d"


def test_entities_in_attributes_are_decoded() -> None:
    document = doc('<a href="/s?a=1&amp;b=2">q</a><img src="x" alt="Tom &amp; Jerry">')
    assert document.links[0] == "https://example.com/s?a=1&b=2"
    assert "[image: Tom & Jerry][2]" in document.blocks[0].text


# -- images ---------------------------------------------------------------------


def test_inline_image_in_paragraph_is_text() -> None:
    document = doc("<p>before <img src='a.png' alt='chart'> after <img src='b.png'></p>")
    block = document.blocks[0]
    assert block.kind == "paragraph"
    assert block.text == "before [image: chart][1] after [image][2]"
    assert document.links[1] == "https://example.com/blog/b.png"


def test_image_that_begins_a_paragraph_stays_in_it() -> None:
    document = doc(
        "<p><img src='a.png' alt='cat'> sits on <b>the mat</b></p><p><img src='b.png'></p>"
    )
    assert kinds(document) == [
        ("paragraph", "[image: cat][1] sits on the mat"),
        ("image", "[image][2]"),
    ]
    first = document.blocks[0]
    assert [(first.text[s.start : s.end], s.style) for s in first.spans] == [
        ("[image: cat]", "link"),
        ("the mat", "bold"),
    ]


def test_image_variants() -> None:
    html = (
        "<img src='data:image/gif;base64,AAAA' alt='inline data'>"
        "<img src='p.gif' width='1' height='1'>"  # tracking pixel
        "<img>"  # nothing to show
        "<img src='data:image/gif;base64,AAAA' data-src='/lazy.jpg' alt='lazy'>"
        "<img src='javascript:x' alt='bad'>"
    )
    document = doc(html)
    assert kinds(document) == [
        ("image", "[image: inline data]"),
        ("image", "[image: lazy][1]"),
        ("image", "[image: bad]"),
    ]
    assert document.links == ("https://example.com/lazy.jpg",)


# -- dropped content --------------------------------------------------------------


def test_scripts_styles_frames_forms_and_friends_are_dropped_with_content() -> None:
    html = (
        "<head><title>TITLE</title><meta charset=utf-8><style>p{color:red}</style></head>"
        "<body><p>keep1</p><script>alert('SCRIPT')</script>"
        "<script type='x'>if (a < b && c > d) { '</p>' }</script>"
        "<style>.STYLE{}</style><noscript>NOSCRIPT</noscript>"
        "<iframe src='https://evil.example/'>IFRAME</iframe>"
        "<form action='/go'>FORM<input value='INPUT'><button>BUTTON</button>"
        "<select><option>OPTION</option></select><textarea>TEXTAREA</p></textarea></form>"
        "<object data='x'>OBJECT</object><embed src='x'><template>TEMPLATE</template>"
        "<svg><text>SVG</text><svg>INNER</svg>SVGTAIL</svg><math>MATH</math>"
        "<!-- COMMENT --><p>keep2</p></body>"
    )
    document = doc(html)
    assert kinds(document) == [("paragraph", "keep1"), ("paragraph", "keep2")]
    assert document.links == ()
    text = html_to_text(html)
    for word in ("TITLE", "SCRIPT", "STYLE", "IFRAME", "FORM", "INPUT", "BUTTON", "OPTION"):
        assert word not in text
    for word in ("TEXTAREA", "OBJECT", "TEMPLATE", "SVG", "INNER", "MATH", "COMMENT", "color"):
        assert word not in text


@pytest.mark.parametrize(
    "hidden",
    [
        "<SCRIPT>HIDDEN</SCRIPT>",
        "<ScRiPt type='text/javascript' data-x='</script>'>HIDDEN</sCrIpT >",
        "<style media='a>b'>HIDDEN</style>",
        "<noscript><p>HIDDEN</p><img src='/pixel.gif' alt='HIDDEN'></noscript>",
        "<template><p>HIDDEN</p></template>",
        "<svg><foreignObject><p>HIDDEN</p></foreignObject><style>HIDDEN</style></svg>",
        "<math><annotation-xml encoding='text/html'><p>HIDDEN</p></annotation-xml></math>",
        "<object data='x'><param name='a' value='HIDDEN'><p>HIDDEN</p></object>",
        "<iframe srcdoc='HIDDEN'><p>HIDDEN</p></iframe>",
        "<form><label>HIDDEN</label><fieldset><legend>HIDDEN</legend></fieldset></form>",
        "<input value='HIDDEN'><input type='submit' value='HIDDEN'><button>HIDDEN</button>",
        "<select><optgroup label='HIDDEN'><option>HIDDEN</option></optgroup></select>",
        "<textarea><p>HIDDEN</p></textarea><datalist><option>HIDDEN</datalist>",
        "<applet>HIDDEN</applet><noembed>HIDDEN</noembed><noframes>HIDDEN</noframes>",
    ],
)
def test_every_variant_of_hidden_content_is_dropped(hidden: str) -> None:
    text = html_to_text(f"<p>before</p>{hidden}<p>after</p>")
    assert text == "before\n\nafter"


def test_unclosed_head_ends_where_the_body_starts() -> None:
    assert kinds(doc("<html><head><title>T</title><link rel=x><p>Body text")) == [
        ("paragraph", "Body text")
    ]
    assert kinds(doc("<head><meta charset=utf-8>Just text")) == [("paragraph", "Just text")]


def test_unclosed_script_swallows_the_rest() -> None:
    assert kinds(doc("<p>shown</p><script>var x = '<p>hidden</p>'")) == [("paragraph", "shown")]


def test_self_closed_iframe_and_script_do_not_swallow_the_article() -> None:
    assert kinds(doc("<iframe src='x'/><p>one</p><script/><p>two</p>")) == [
        ("paragraph", "one"),
        ("paragraph", "two"),
    ]


# -- hostile text -----------------------------------------------------------------


def test_rich_and_textual_markup_survives_literally() -> None:
    markup = "[bold red]x[/] [@click=app.quit]q[/] [link=https://e.vil]y[/link] \\[escaped]"
    for source in (markup, f"<p>{markup}</p>", f"<h2>{markup}</h2>", f"<pre>{markup}</pre>"):
        document = doc(source)
        assert document.blocks[0].text == markup
        assert markup in document_to_text(document)


def test_markup_in_attributes_survives_literally() -> None:
    document = doc("<img src='/a.png' alt='[@click=app.quit]boom[/]'>")
    assert document.blocks[0].text == "[image: [@click=app.quit]boom[/]][1]"


@pytest.mark.parametrize(
    "source",
    [
        "\x1b]0;pwned\x07Title \x1b[2Jclear",
        "<p>\x1b]0;pwned\x07Title \x1b[2Jclear</p>",
        "<p>&#27;]0;x&#7;Title &#x1b;&#x9b;2J\x9b2Jclear&#x202e;&#8206;</p>",
        "<pre>\x1b]0;pwned\x07Title \x1b[2Jclear</pre>",
        "<p>Ti\x00tle\x08\x7f <b>clear</b>\u202e</p>",
    ],
)
def test_escape_sequences_and_control_characters_are_removed(source: str) -> None:
    document = doc(source)
    for block in document.blocks:
        assert not UNSAFE.search(block.text)
        assert "\x1b" not in block.text
        assert "pwned" not in block.text
    text = document_to_text(document)
    assert_tidy(text)
    assert "Title" in text and "clear" in text


def test_escape_sequences_in_urls_and_alt_text_are_removed() -> None:
    document = doc('<a href="/x\x1b[2J&#x1b;]0;t&#7;y">l</a><img src="i.png" alt="\x1b[31mred">')
    assert document.links[0] == "https://example.com/x]0;ty"
    assert "[image: red]" in document.blocks[0].text
    assert not UNSAFE.search(document_to_text(document))


def test_broken_markup_never_raises_and_keeps_text() -> None:
    cases = {
        "a < b and c > d": "a < b and c > d",
        "x<y": "x<y",
        "</p></div>stray</b></li>": "stray",
        "<p>unclosed <b>bold <i>both": "unclosed bold both",
        "AT&T &amp &bogus; &#xZZ; &#99999999; &": "AT&T & &bogus; &#xZZ; \ufffd &",
        "<p title='unterminated>text</p>": "text",
        '<p class="a>b">quoted gt</p>': "quoted gt",
        "<p>a</br>b": "a\nb",
        "<!DOCTYPE html><?xml x?><![CDATA[cdata]]><p>ok": "ok",
        "<p>nul\x00byte</p>": "nulbyte",
        "<": "<",
        "<<<>>>": "<<<>>>",
    }
    for source, expected in cases.items():
        document = doc(source)
        assert "\n\n".join(b.text for b in document.blocks) == expected, source


def test_random_hostile_fragments_never_raise() -> None:
    pieces = [
        "<p>", "</p>", "<li>", "<ol start=x>", "<a href='/x'>", "</a>", "<b>", "</i>",
        "<pre>", "</pre>", "<table>", "<td>", "<tr>", "<img src=y>", "<br>", "<hr/>",
        "<blockquote>", "<script>", "</script>", "<svg>", "<head>", "<!--", "-->", "<",
        ">", "'", '"', "&", "&amp;", "&#27;", "\x1b[2J", "\x00", "text", "中文", "[bold]",
        "\n", "\t", "  ", "<h2>", "<dd>", "<a href=javascript:x>", "<p/>", "</>",
    ]  # fmt: skip
    rng = random.Random(1234)
    for _ in range(500):
        source = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        document = doc(source)
        for block in document.blocks:
            assert not UNSAFE.search(block.text)
            for span in block.spans:
                assert 0 <= span.start < span.end <= len(block.text)
                assert (span.link is not None) == (span.style == "link")
        for width in (None, 3, 30):
            assert_tidy(document_to_text(document, width))


# -- robustness at scale ------------------------------------------------------------


@pytest.mark.parametrize(
    ("opening", "closing"),
    [
        ("<div>", "</div>"),
        ("<ul><li>", ""),
        ("<blockquote>", "</blockquote>"),
        ("<b><i>", ""),
        ("<a href='/x'>", "</a>"),
        ("<table><tr><td>", ""),
        ("<span>", "</span>"),
        ("<pre>", ""),
    ],
)
def test_ten_thousand_levels_of_nesting(opening: str, closing: str) -> None:
    document = doc(opening * 10_000 + "deep text" + closing * 10_000 + "<p>after</p>")
    assert all(b.level <= 20 for b in document.blocks if b.kind != "heading")
    text = document_to_text(document, width=80)
    assert "deep text" in text
    assert "after" in text
    for line in text.split("\n"):
        if not line.startswith("    "):  # code lines may be wider
            assert len(line) <= 80


def test_five_megabytes_of_markup_does_not_raise() -> None:
    chunk = (
        "<div class='c'><p>Paragraph with <a href='/l'>a link</a>, <b>bold</b> &amp; "
        "<img src='i.png' alt='pic'> text.</p><ul><li>item</li></ul></div>\n"
    )
    document = doc(chunk * (5_000_000 // len(chunk)))
    assert len(document.blocks) > 60_000
    assert document.links == ("https://example.com/l", "https://example.com/blog/i.png")
    assert document_to_text(document, width=100).startswith("Paragraph with a link[1], bold")


def test_huge_word_and_plain_text_do_not_raise() -> None:
    assert html_to_text("x" * 1_000_000, width=80).count("\n") == 12_499
    assert len(html_to_text("<p>" + "word " * 200_000 + "</p>", width=80)) == 999_999


# -- layout -------------------------------------------------------------------------


def test_wrapping_respects_width_for_every_kind() -> None:
    long = " ".join(["lorem", "ipsum", "dolor", "sit", "amet"] * 20)
    html = (
        f"<h2>{long}</h2><p>{long}</p><blockquote>{long}</blockquote>"
        f"<ul><li>{long}<ul><li>{long}</li></ul></li></ul>"
        f"<p>{'x' * 200} https://example.com/{'very-long-path/' * 10}</p>"
        f"<blockquote><ol><li>{long}<blockquote><h3>{long}</h3></blockquote></ol></blockquote>"
        "<table><tr><th>key</th><th>value</th></tr><tr><td>k</td><td>v</td></tr></table>"
        f"<table><tr><td>{long}</td><td>{long}</td></tr></table><hr>"
    )
    for width in (10, 33, 80):
        text = html_to_text(html, width=width)
        assert_tidy(text)
        for line in text.split("\n"):
            assert len(line) <= width, (width, line)
    unwrapped = html_to_text(html)
    assert long in unwrapped.split("\n")


def test_wide_characters_wrap_by_display_width() -> None:
    text = html_to_text("<p>" + "漢字かな交じり文です。" * 8 + "</p>", width=20)
    lines = text.split("\n")
    assert len(lines) > 4
    for line in lines:
        cells = sum(2 if "\u3000" <= ch <= "\u9fff" else 1 for ch in line)
        assert cells <= 20, line
        assert not line.startswith("。")


def test_absurd_depth_keeps_room_for_text() -> None:
    text = html_to_text("<ul><li>" * 50 + "deep words here", width=30)
    for line in text.split("\n"):
        assert len(line) <= 30
    assert "deep" in text


def test_layout_is_tidy_for_messy_input() -> None:
    html = "<p> </p><p>a</p>\n\n<div><br><br></div><p>b </p><hr><hr><pre>\n\n\nx\n\n\n</pre>"
    text = html_to_text(html)
    assert_tidy(text)
    rule = "─" * 40
    assert text == f"a\n\nb\n\n{rule}\n\n{rule}\n\n    x"


def test_document_to_text_renders_hand_built_documents() -> None:
    document = Document(
        (
            Block("heading", "Title", level=2),
            Block("paragraph", "Body \x1b[2Jtext"),
            Block("list_item", "item", level=1, nest=("  ", "7. ")),
            Block("list_item", "next", level=1, nest=("  ", "8. "), tight=True),
            Block("quote", "said", level=2, nest=(QUOTE, QUOTE)),
            Block("code", "x = 1\n\n\n\ny = 2"),
            Block("table", "a | b", cells=(((0, 1), (4, 5)),)),
        ),
        ("https://a.example/",),
    )
    assert document_to_text(document) == (
        "## Title\n\nBody text\n\n  7. item\n  8. next\n\n> > said\n\n    x = 1\n\n    y = 2"
        "\n\na  b\n\nLinks:\n[1] https://a.example/"
    )


def test_html_to_text_is_document_then_text() -> None:
    html = "<h1>T</h1><p>see <a href='/x'>x</a> and more words</p>"
    assert html_to_text(html, BASE, 12) == document_to_text(doc(html), 12)


def test_reading_time() -> None:
    assert reading_time_minutes(doc("<p>one</p>")) == 1
    words = " ".join(["word"] * 461)
    assert reading_time_minutes(doc(f"<p>{words}</p>")) == 3
    assert reading_time_minutes(doc(f"<p>{words}</p>"), words_per_minute=461) == 1
    assert reading_time_minutes(doc("<img src='/a.png' alt='picture'><hr>")) == 0
    assert reading_time_minutes(doc("<p>" + "字" * 460 + "</p>")) == 2


def test_module_does_not_import_textual_or_rich() -> None:
    code = (
        "import sys, reader.text\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# -- real pages -------------------------------------------------------------------------

REAL_PAGES = ["ars-1", "bbc-1", "daringfireball-1", "lwn-1", "qq", "wikipedia", "nytimes-1"]


@pytest.mark.parametrize("name", REAL_PAGES)
def test_real_pages_convert(name: str) -> None:
    source = TEST_PAGES / name / "source.html"
    if not source.is_file():
        pytest.skip(f"corpus page {source} not available")
    html = source.read_text(encoding="utf-8", errors="replace")
    document = html_to_document(html, "https://example.org/article")
    assert len(document.blocks) > 10
    for width in (None, 72):
        text = document_to_text(document, width)
        assert text.strip()
        assert "<script" not in text.lower()
        assert_tidy(text)
    assert reading_time_minutes(document) >= 1
    for url in document.links:  # others are listed, but never code or local files
        assert link_openable(url) or not url.startswith(("javascript:", "data:", "file:")), url


# -- shortening for the view ---------------------------------------------------------


def test_short_documents_are_not_shortened() -> None:
    document = doc("<p>one</p><p>two</p>")
    assert shorten_document(document, 6) == (document, 0)


def test_long_documents_are_cut_and_say_how_much_is_left() -> None:
    html = "".join(f"<p>para {n} <a href='/{n}'>link {n}</a></p>" for n in range(1000))
    document = doc(html)
    total = sum(len(block.text) for block in document.blocks)
    shown, omitted = shorten_document(document, 100)
    kept = sum(len(block.text) for block in shown.blocks)
    assert kept <= 101 and omitted == total - 100
    assert shown.blocks[:3] == document.blocks[:3]
    assert [block.text for block in shown.blocks[-2:]] == ["para 5 link 5[6]", "para…"]
    assert shown.links == document.links[:6]  # the cut paragraph lost its link
    for block in shown.blocks:
        assert all(span.end <= len(block.text) for span in block.spans)


def test_one_huge_block_is_cut_with_its_spans() -> None:
    document = doc("<p><b>" + "x" * 10_000 + "</b></p>")
    shown, omitted = shorten_document(document, 50)
    (block,) = shown.blocks
    assert block.text == "x" * 50 + "…" and omitted == 9_950
    assert block.spans == (Span(0, 50, "bold"),)


def test_the_number_of_blocks_is_bounded_too() -> None:
    """100,000 one-letter paragraphs are few characters but slow to lay out."""
    document = doc("<p>a <a href='/x'>b</a></p>" * 50)
    shown, omitted = shorten_document(document, 1000, max_blocks=10)
    assert shown.blocks == document.blocks[:10] and shown.links == document.links
    assert omitted == 40 * len("a b[1]")
    assert shorten_document(document, 1000, max_blocks=50) == (document, 0)
