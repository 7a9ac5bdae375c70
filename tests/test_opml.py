"""OPML import/export: tags from folders and categories, safety, round-trip."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from reader.models import FeedConfig
from reader.opml import OpmlError, parse_opml, write_opml

CORPUS = Path("/work/shared/corpus")


def opml(body: str) -> bytes:
    return f'<?xml version="1.0"?>\n<opml version="2.0"><head/><body>{body}</body></opml>'.encode()


def test_folders_become_tags_and_title_falls_back_to_text() -> None:
    feeds = parse_opml(
        opml(
            '<outline text="tech">'
            '  <outline type="rss" text="LWN" xmlUrl="https://lwn.net/headlines/rss"/>'
            "</outline>"
            '<outline title="Top" xmlUrl="https://top.example/feed"/>'
        )
    )
    assert feeds == [
        FeedConfig("https://lwn.net/headlines/rss", "LWN", ("tech",)),
        FeedConfig("https://top.example/feed", "Top", ()),
    ]


def test_nested_folders_give_outermost_first_deduplicated_tags() -> None:
    feeds = parse_opml(
        opml(
            '<outline text=" tech "><outline title="linux"><outline text="tech">'
            '<outline xmlUrl="https://a.example/rss"/>'
            "</outline></outline></outline>"
        )
    )
    assert feeds == [FeedConfig("https://a.example/rss", None, ("tech", "linux"))]


def test_category_attribute_and_case_insensitive_xmlurl() -> None:
    feeds = parse_opml(
        opml(
            '<outline text="news">'
            '<outline text="A" xmlURL=" https://a.example/rss " category="/tech/linux, world,,"/>'
            '<outline text="B" XMLURL="https://b.example/rss" category="news"/>'
            "</outline>"
        )
    )
    assert feeds == [
        FeedConfig("https://a.example/rss", "A", ("news", "tech", "linux", "world")),
        FeedConfig("https://b.example/rss", "B", ("news",)),
    ]


def test_duplicate_urls_merge_tags_and_first_wins() -> None:
    feeds = parse_opml(
        opml(
            '<outline text="a"><outline text="First" xmlUrl="https://x.example/rss"/></outline>'
            '<outline text="b"><outline text="Second" xmlUrl="https://x.example/rss"/></outline>'
            '<outline text="Third" xmlUrl="https://x.example/rss" category="a,c"/>'
        )
    )
    assert feeds == [FeedConfig("https://x.example/rss", "First", ("a", "b", "c"))]


def test_non_http_and_empty_urls_are_skipped() -> None:
    feeds = parse_opml(
        opml(
            '<outline text="e" xmlUrl=""/>'
            '<outline text="f" xmlUrl="file:///etc/passwd"/>'
            '<outline text="j" xmlUrl="javascript:alert(1)"/>'
            '<outline text="ok" xmlUrl="HTTP://ok.example/rss"/>'
        )
    )
    assert [f.url for f in feeds] == ["HTTP://ok.example/rss"]


def test_only_unusable_outlines_is_no_feeds_found() -> None:
    with pytest.raises(OpmlError, match=r"^feeds\.opml: no feeds found$"):
        parse_opml(opml('<outline text="f" xmlUrl="ftp://x/y"/>'), "feeds.opml")


def test_namespaced_root_bom_and_declared_encoding() -> None:
    ns = b'<o:opml xmlns:o="urn:x"><o:body><o:outline xmlUrl="https://n.example/"/></o:body></o:opml>'
    assert [f.url for f in parse_opml(ns)] == ["https://n.example/"]
    cp1251 = (
        '<?xml version="1.0" encoding="windows-1251"?>'
        '<opml><body><outline text="Новости" xmlUrl="https://tass.ru/rss"/></body></opml>'
    ).encode("cp1251")
    assert parse_opml(b"\xef\xbb\xbf\n " + opml('<outline xmlUrl="https://b/"/>'))[0].url == (
        "https://b/"
    )
    assert parse_opml(cp1251)[0].title == "Новости"


def test_deep_nesting_is_fine() -> None:
    depth = 5000
    data = opml(
        '<outline text="f">' * depth + '<outline xmlUrl="https://deep/"/>' + "</outline>" * depth
    )
    assert parse_opml(data) == [FeedConfig("https://deep/", None, ("f",))]


def test_not_opml_names_root_element() -> None:
    with pytest.raises(OpmlError) as e:
        parse_opml(b"<rss version='2.0'><channel/></rss>", "feeds.opml")
    assert str(e.value) == "feeds.opml: not an OPML file (root element is <rss>)"


def test_malformed_xml_reports_line() -> None:
    data = b"<opml>\n<body>\n<outline xmlUrl='https://a/'></body>\n</opml>"
    with pytest.raises(OpmlError) as e:
        parse_opml(data, "feeds.opml")
    assert str(e.value) == "feeds.opml: XML error at line 3: mismatched tag"
    with pytest.raises(OpmlError, match="XML error at line 1"):
        parse_opml(b"")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE opml [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
]>
<opml><body><outline text="&f;" xmlUrl="https://a.example/"/></body></opml>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<opml><body><outline text="&xxe;" xmlUrl="https://a.example/"/></body></opml>"""

UTF16_DOCTYPE = '<!DOCTYPE opml [<!ENTITY x "y">]><opml/>'.encode("utf-16")


@pytest.mark.parametrize("data", [BILLION_LAUGHS, XXE, UTF16_DOCTYPE])
def test_doctype_and_entities_are_refused_quickly(data: bytes) -> None:
    start = time.monotonic()
    with pytest.raises(OpmlError, match="DOCTYPE"):
        parse_opml(data)
    assert time.monotonic() - start < 1


def test_write_parse_round_trip_with_tags_and_special_characters() -> None:
    feeds = [
        FeedConfig("https://a.example/rss?x=1&y=2", 'A & <B> "quoted"', ("news", "world")),
        FeedConfig("https://b.example/atom", "Bee", ("news",)),
        FeedConfig("https://c.example/feed", None, ()),
        FeedConfig("https://d.example/feed", "Ctrl\x01char", ("a/b", 'x&<>"')),
    ]
    text = write_opml(feeds, title="Mine & yours")
    back = parse_opml(text.encode())
    assert {f.url: set(f.tags) for f in back} == {f.url: set(f.tags) for f in feeds}
    titles = {f.url: f.title for f in back}
    assert titles["https://a.example/rss?x=1&y=2"] == 'A & <B> "quoted"'
    assert titles["https://c.example/feed"] is None
    assert titles["https://d.example/feed"] == "Ctrlchar"


def test_written_document_is_opml_2() -> None:
    text = write_opml([FeedConfig("https://a.example/", "A", ("t",))], title="Mine & yours")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(text.encode())
    assert root.tag == "opml"
    assert root.get("version") == "2.0"
    assert root.findtext("head/title") == "Mine & yours"
    assert (root.findtext("head/dateCreated") or "").endswith("GMT")
    folder = root.find("body/outline")
    assert folder is not None and folder.get("text") == "t"
    feed = folder.find("outline")
    assert feed is not None
    assert feed.attrib == {
        "type": "rss",
        "text": "A",
        "title": "A",
        "xmlUrl": "https://a.example/",
    }


def _corpus_files() -> list[Path]:
    roots = [CORPUS / "listparser", CORPUS / "newsboat" / "test" / "data"]
    found = []
    for root in roots:
        for path in sorted(root.rglob("*")) if root.is_dir() else []:
            if not path.is_file():
                continue
            head = path.read_bytes()[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
            if path.suffix == ".opml" or b"<opml" in head:
                found.append(path)
    return found


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_corpus_files_give_feeds_or_opml_error() -> None:
    files = _corpus_files()
    assert files
    parsed = 0
    for path in files:
        try:
            feeds = parse_opml(path.read_bytes(), path.name)
        except OpmlError as e:
            message = str(e)
            assert message.startswith(f"{path.name}: ") and "\n" not in message
        else:
            parsed += 1
            assert feeds and all(f.url.lower().startswith("http") for f in feeds)
    assert parsed > 0
