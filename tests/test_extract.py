"""reader.extract: the article of real corpus pages, hostile pages, decoding, lazy imports.

The full benchmark (50 pages, word F1) is ``make bench-extract``; here a few
corpus pages check that key sentences are in and known boilerplate is out.
"""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

import reader.extract as extract_module
from reader.extract import ExtractedArticle, ExtractionError, extract_article

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
BENCHMARK = CORPUS / "article-extraction-benchmark" / "html"
READABILITY = CORPUS / "readability" / "test" / "test-pages"
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"the shared corpus is not at {CORPUS}"
)

ALLOWED_TAGS = frozenset(
    [
        *("p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre"),
        *("code", "a", "img", "em", "strong", "br", "table", "tr", "th", "td"),
    ]
)
ALLOWED_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}}


class _Markup(HTMLParser):
    """Every tag, attribute and text run of an extracted article."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def markup(html: str) -> _Markup:
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return parser


def text_of(article: ExtractedArticle) -> str:
    return " ".join(" ".join(markup(article.html).text).split())


def assert_simple_and_safe(article: ExtractedArticle) -> None:
    """Only the allowed tags and attributes; every URL absolute http(s) or mailto."""
    for tag, attrs in markup(article.html).tags:
        assert tag in ALLOWED_TAGS, tag
        assert set(attrs) <= ALLOWED_ATTRIBUTES.get(tag, set()), (tag, attrs)
        for name in ("href", "src"):
            if name in attrs:
                assert re.match(r"(https?://|mailto:)", attrs[name] or ""), attrs[name]


def benchmark_page(prefix: str) -> bytes:
    (path,) = BENCHMARK.glob(f"{prefix}*.html.gz")
    return gzip.decompress(path.read_bytes())


def sentences(count: int, topic: str = "river") -> str:
    """Distinct paragraphs of plain prose, enough to be an article."""
    return "".join(
        f"<p>The {topic} report number {n} describes how the water rose slowly during "
        f"the night, and how the people of the valley moved their animals uphill "
        f"before the morning of day {n} arrived.</p>"
        for n in range(count)
    )


def page(body: str, title: str = "A test article", head: str = "") -> str:
    return f"<html><head><title>{title}</title>{head}</head><body>{body}</body></html>"


# --- corpus pages ------------------------------------------------------------------


@needs_corpus
def test_an_article_trafilatura_cuts_short_is_taken_whole_without_its_boxes() -> None:
    """Wired: trafilatura alone keeps only the first half of this article."""
    article = extract_article(benchmark_page("2f42ef1d"), "https://www.wired.com/story/x/")
    text = text_of(article)
    assert text.startswith("The latest wave of tech-based financial startups")
    assert "That will almost certainly also be the case with these neo-banks" in text
    assert "A second problem is more serious" in text
    assert "Condé Nast" not in text  # the footer
    assert "Get WIRED Access" not in text  # the subscription bar
    assert_simple_and_safe(article)


@needs_corpus
def test_read_also_teasers_between_paragraphs_are_dropped() -> None:
    """Fox News: headlines of other articles sit between the paragraphs as bold links."""
    article = extract_article(benchmark_page("7dfc3e35"), "https://www.foxnews.com/x")
    text = text_of(article)
    assert "Van Der Beek revealed the news of the miscarriage" in text
    assert "Bergeron chimed in" in text
    assert "CLICK HERE TO GET THE FOX NEWS APP" not in text
    assert "SEAN SPICER ELIMINATED" not in text
    assert_simple_and_safe(article)


@needs_corpus
def test_a_japanese_article_keeps_its_text_and_loses_its_related_posts() -> None:
    article = extract_article(benchmark_page("f105de6e"), "https://example.jp/kindle/")
    text = text_of(article)
    assert "これでようやく元の操作性を取り戻せました。" in text
    assert "<h2>Kindle for PCの起動ホットキーがKeePassと被る</h2>" in article.html
    assert "WordPressの記事更新にWindows Live Writerを試してみる" not in text
    assert_simple_and_safe(article)


@needs_corpus
def test_a_caption_becomes_its_images_alt_text_not_a_paragraph() -> None:
    source = (READABILITY / "nytimes-1" / "source.html").read_bytes()
    article = extract_article(source, "https://www.nytimes.com/2017/01/13/world/africa/x.html")
    caption = "United Nations peacekeepers at a refugee camp in Sudan on Monday."
    assert "the Obama administration" in text_of(article)
    assert caption not in text_of(article)
    alts = [attrs.get("alt") or "" for tag, attrs in markup(article.html).tags if tag == "img"]
    assert any(alt.startswith(caption) for alt in alts)
    assert article.title == "United States to Lift Sudan Sanctions"
    assert_simple_and_safe(article)


# --- structure, links and the title --------------------------------------------------


def test_structure_links_and_images_are_kept_simple_and_absolute() -> None:
    body = (
        "<article><h1>A test article</h1><div class='lead'>Intro text in a div, "
        "long enough to be read as the start of the story itself.</div>"
        + sentences(4)
        + "<h2>Details</h2><ul><li>first point of the list</li><li>second point</li></ul>"
        "<blockquote><p>A quoted sentence from somebody.</p></blockquote>"
        "<pre>line one\n  line two</pre>"
        "<p>See <a href='/docs/more.html' onclick='steal()'>the <b>docs</b></a> and "
        "<a href='mailto:desk@example.com'>write</a> and "
        "<a href='#section-2'>jump</a>.</p>"
        "<figure><img data-src='/img/photo.jpg' src='data:image/gif;base64,R0lGOD' alt=''>"
        "<figcaption>The river at dawn.</figcaption></figure>"
        + sentences(2, "forest")
        + "</article>"
    )
    article = extract_article(page(body), "https://news.example.com/2026/story.html")
    assert_simple_and_safe(article)
    html = article.html
    assert "<h1>" not in html  # the title is apart, not repeated as a heading
    assert article.title == "A test article"
    assert "<p>Intro text in a div" in html
    assert "<h2>Details</h2>" in html
    assert "<li>first point of the list</li>" in html
    assert "<blockquote><p>A quoted sentence from somebody.</p></blockquote>" in html
    assert "<pre><code>line one\n  line two</code></pre>" in html
    assert '<a href="https://news.example.com/docs/more.html">the <strong>docs</strong></a>' in html
    assert '<a href="mailto:desk@example.com">write</a>' in html
    assert "jump" in html and "#section-2" not in html
    assert '<img src="https://news.example.com/img/photo.jpg" alt="The river at dawn.">' in html
    assert "The river at dawn." not in text_of(article)


def test_without_a_url_relative_links_lose_their_target_but_keep_their_text() -> None:
    body = (
        sentences(5)
        + "<p>Read <a href='/other'>the other one</a> or <a href='https://x.org/a'>this</a>.</p>"
    )
    article = extract_article(page(body), None)
    assert "Read the other one or" in text_of(article)
    assert '<a href="https://x.org/a">this</a>' in article.html
    assert "/other" not in article.html


def test_base_href_resolves_relative_links() -> None:
    head = "<base href='https://cdn.example.net/site/'>"
    body = sentences(5) + "<p>A <a href='page.html'>relative link</a> in the text.</p>"
    article = extract_article(page(body, head=head), "https://example.com/a/b.html")
    assert '<a href="https://cdn.example.net/site/page.html">relative link</a>' in article.html


# --- hostile pages ---------------------------------------------------------------------


def test_scripts_styles_frames_forms_and_hidden_text_never_come_out() -> None:
    body = (
        "<article>"
        + sentences(3)
        + "<p>Inline <script>document.write('SCRIPTMARK')</script>script and "
        "<style>.STYLEMARK{color:red}</style>style in a paragraph of real text here.</p>"
        "<iframe src='https://evil.example/'>IFRAMEMARK</iframe>"
        "<noscript>NOSCRIPTMARK</noscript><template>TEMPLATEMARK</template>"
        "<svg><text>SVGMARK</text></svg><object>OBJECTMARK</object>"
        "<form action='/x'><input value='INPUTMARK'><button>BUTTONMARK</button>"
        "<select><option>OPTIONMARK</option></select><textarea>TEXTAREAMARK</textarea></form>"
        "<div style='display: none'>HIDDENMARK</div><p hidden>HIDDENMARK</p>"
        "<p><img src='x.jpg' onerror='alert(1)' alt='photo'>"
        "<a href='javascript:alert(1)'>a script link</a> and "
        "<a href=' JavaScript:alert(2)'>another</a> and <a href='vbscript:x'>a third</a> "
        "and <a href='data:text/html,hi'>a data link</a>.</p>"
        + sentences(3, "forest")
        + "</article>"
    )
    article = extract_article(page(body, head="<script>var HEADMARK=1</script>"), "https://e.com/")
    assert "MARK" not in article.html
    assert "<script" not in article.html.lower() and "onerror" not in article.html
    assert not re.search(r"javascript:|vbscript:|data:", article.html, re.I)
    assert "a script link and another and a third and a data link" in text_of(article)
    assert_simple_and_safe(article)


def test_a_page_over_the_size_cap_is_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract_module, "MAX_PAGE_BYTES", 3_000)
    body = sentences(20) + "<p>BEYOND THE CUT is a sentence that must not be read at all.</p>"
    article = extract_article(page(body).encode(), "https://e.com/")
    assert "report number 0 " in text_of(article)
    assert "BEYOND THE CUT" not in article.html


def test_a_page_with_too_many_elements_is_refused_quickly() -> None:
    links = "<a href='/x'>x</a>" * (extract_module.MAX_ELEMENTS + 10)
    with pytest.raises(ExtractionError) as caught:
        extract_article(page(sentences(3) + links), "https://e.com/")
    assert str(caught.value).startswith("the page is too large to find an article in")


def test_nesting_beyond_the_parsers_depth_gives_an_error_not_a_crash() -> None:
    deep = "<div>" * 50_000 + sentences(3) + "</div>" * 50_000
    with pytest.raises(ExtractionError):
        extract_article(page(deep), "https://e.com/")


def test_deep_but_parsable_nesting_is_extracted() -> None:
    nested = "<div><span>" * 120 + sentences(5) + "</span></div>" * 120
    article = extract_article(page(nested), "https://e.com/")
    assert "report number 4 " in text_of(article)
    assert_simple_and_safe(article)


def test_an_index_page_of_links_is_not_an_article() -> None:
    links = "".join(
        f"<p><a href='/story/{n}'>Headline of story number {n} on the front page</a></p>"
        for n in range(40)
    )
    with pytest.raises(ExtractionError, match="no article found"):
        extract_article(page(links), "https://e.com/")


@pytest.mark.parametrize(
    ("content", "content_type", "reason"),
    [
        (b"", None, "the page is empty"),
        (b"  \n\t ", "text/html", "the page is empty"),
        (
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
            None,
            "the page is not HTML (it is a PDF document)",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00", None, "the page is not HTML (it is an image)"),
        (bytes(range(256)) * 8, None, "the page is not HTML (binary data)"),
        (
            b"<html><body>" + b"text " * 50 + b"</body></html>",
            "application/pdf",
            "the page is not HTML (application/pdf)",
        ),
        (b"Just some plain text without any markup at all, " * 5, None, "the page is not HTML"),
        (
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>',
            None,
            "the page is a feed, not an article",
        ),
        (
            b'<?xml version="1.0"?>\n<!-- c -->\n<feed xmlns="http://www.w3.org/2005/Atom"/>',
            None,
            "the page is a feed, not an article",
        ),
        (
            b"<html><head><title>t</title></head><body></body></html>",
            None,
            "no article found on the page",
        ),
        (
            b"<html><body><nav><a href='/'>Home</a></nav><script>x()</script></body></html>",
            None,
            "no article found on the page",
        ),
    ],
)
def test_what_is_not_an_article_gives_one_clear_line(
    content: bytes, content_type: str | None, reason: str
) -> None:
    with pytest.raises(ExtractionError) as caught:
        extract_article(content, "https://e.com/", content_type=content_type)
    assert str(caught.value) == reason
    assert "\n" not in str(caught.value)


def test_a_failure_inside_extraction_becomes_an_extraction_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(extract_module, "_blocks", broken)
    with pytest.raises(ExtractionError) as caught:
        extract_article(page(sentences(5)), "https://e.com/")
    assert str(caught.value) == "cannot extract the article (RecursionError)"


# --- decoding --------------------------------------------------------------------------


def test_the_http_charset_decodes_the_page() -> None:
    content = page(sentences(4) + "<p>Ça coûte très cher, dit-elle à l'été.</p>").encode("cp1252")
    article = extract_article(
        content, "https://e.com/", content_type="text/html; charset=ISO-8859-1"
    )
    assert "Ça coûte très cher, dit-elle à l'été." in text_of(article)


def test_a_meta_charset_decodes_the_page() -> None:
    head = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
    content = page(sentences(4) + "<p>Привет, это статья о погоде.</p>", head=head).encode("cp1251")
    assert "Привет, это статья о погоде." in text_of(extract_article(content, "https://e.com/"))


def test_valid_utf8_wins_over_a_stale_declaration() -> None:
    head = '<meta charset="gb2312">'
    content = page(sentences(4) + "<p>Größe und Übermut: naïve café.</p>", head=head).encode()
    assert "Größe und Übermut: naïve café." in text_of(extract_article(content, "https://e.com/"))


def test_undecodable_bytes_are_replaced_not_fatal() -> None:
    content = page(sentences(4)).encode() + b"<p>broken \xff\xfe bytes in the last paragraph.</p>"
    assert "report number 3 " in text_of(extract_article(content, "https://e.com/"))


def test_text_input_with_nul_and_an_xml_declaration_is_accepted() -> None:
    text = '<?xml version="1.0" encoding="utf-8"?>' + page(sentences(4) + "<p>nul\x00here</p>")
    assert "report number 2 " in text_of(extract_article(text, "https://e.com/"))


# --- imports -----------------------------------------------------------------------------

HEAVY = (
    "sorted(m for m in sys.modules if m.split('.')[0] in ('trafilatura', 'lxml', 'readability'))"
)


def run_python(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_importing_the_module_does_not_import_the_extractors() -> None:
    assert run_python(f"import sys, reader.extract; print({HEAVY})") == "[]"


def test_the_extractors_are_imported_when_a_page_is_extracted() -> None:
    code = (
        "import sys; from reader.extract import extract_article; "
        f"extract_article({page(sentences(5))!r}, 'https://e.com/'); print({HEAVY})"
    )
    loaded = run_python(code)
    assert "'trafilatura'" in loaded and "'lxml'" in loaded and "'readability'" in loaded
