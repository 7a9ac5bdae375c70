"""Awkward and hostile documents served by a real server, through the whole refresh.

tests/test_parse.py covers these at the parser; here they arrive as a user's
feeds do: over HTTP, with headers, into a real database.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.models import ALL
from tests.feedserver import FeedServer
from tests.harness import OpenService

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
ITEM = "<item><guid>1</guid><title>{title}</title><description>{body}</description></item>"


def rss_doc(title: str = "Café", body: str = "text", *, prolog: str = "", doctype: str = "") -> str:
    return (
        f'{prolog}<?xml version="1.0" encoding="utf-8"?>{doctype}<rss version="2.0"><channel>'
        f"<title>Feed</title>{ITEM.format(title=title, body=body)}</channel></rss>"
    )


def stored_titles(open_service: OpenService, url: str) -> list[str]:
    service = open_service([{"url": url}])
    outcomes = service.refresh()
    assert [o.error for o in outcomes] == [None], outcomes
    return [entry.title for entry in service.entries(service.entry_ids(ALL))]


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        # Declared Latin-1, but the bytes are UTF-8 (and the server says nothing).
        (rss_doc().replace("utf-8", "iso-8859-1").encode(), "application/xml", "Caf"),
        # The server's charset is wrong; the document's is right.
        (rss_doc().encode(), "text/xml; charset=windows-1251", "Caf"),
        # Invalid UTF-8 bytes in the middle of a title.
        (
            rss_doc(title="Caf\xe9 BAD").encode().replace(b"BAD", b"\xff\xfe"),
            "application/xml",
            "Caf",
        ),
        # UTF-16 without a byte order mark.
        (rss_doc().replace("utf-8", "utf-16").encode("utf-16-le"), "application/xml", "Café"),
        (rss_doc().replace("utf-8", "utf-16").encode("utf-16-be"), "application/xml", "Café"),
        # Whitespace and a blank line before the XML declaration.
        (rss_doc(prolog="\n \n\t").encode(), "application/rss+xml", "Café"),
    ],
)
def test_awkward_encodings_are_read(
    feed_server: FeedServer,
    open_service: OpenService,
    body: bytes,
    content_type: str,
    expected: str,
) -> None:
    url = feed_server.add("/feed", body, content_type=content_type)
    (title,) = stored_titles(open_service, url)
    assert title.startswith(expected)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("miniflux/internal/reader/encoding/testdata/koi8r.xml", "Первая новость"),
        ("miniflux/internal/reader/encoding/testdata/utf8-incorrect-prolog.xml", "Café"),
        ("simplepie/tests/data/feed-utf16le.xml", "Test feed title 1"),
        ("simplepie/tests/data/feed-utf16be.xml", "Test feed title 1"),
    ],
)
def test_real_encoding_traps_from_the_corpus(
    feed_server: FeedServer, open_service: OpenService, path: str, expected: str
) -> None:
    if not (CORPUS / path).is_file():
        pytest.skip(f"{CORPUS} is not beside the repository")
    url = feed_server.add("/feed", (CORPUS / path).read_bytes(), content_type="text/xml")
    assert expected in stored_titles(open_service, url)


LAUGHS = "".join(
    f'<!ENTITY lol{n} "{"".join(f"&lol{n - 1};" for _ in range(10))}">' for n in range(1, 10)
)


def test_billion_laughs_neither_hangs_nor_explodes(
    feed_server: FeedServer, open_service: OpenService
) -> None:
    doctype = f'<!DOCTYPE rss [<!ENTITY lol0 "lol">{LAUGHS}]>'
    url = feed_server.add("/laughs", rss_doc(title="&lol9;", doctype=doctype))
    service = open_service([{"url": url}])
    (outcome,) = service.refresh()
    entries = service.entries(service.entry_ids(ALL))
    # Rejected, or read with the expansion bounded: never 10^9 characters.
    assert outcome.error is not None or all(len(e.title) < 2_000_000 for e in entries)


def test_external_entities_are_never_read(
    feed_server: FeedServer, open_service: OpenService, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7731")
    doctype = (
        f'<!DOCTYPE rss [<!ENTITY leak SYSTEM "file://{secret}">'
        f'<!ENTITY % remote SYSTEM "file://{secret}"> %remote;]>'
    )
    url = feed_server.add("/xxe", rss_doc(title="x&leak;y", body="&leak;", doctype=doctype))
    service = open_service([{"url": url}])
    service.refresh()
    database = (tmp_path / "data" / "newsreader.db").read_bytes()
    wal = tmp_path / "data" / "newsreader.db-wal"
    assert b"TOP-SECRET" not in database + (wal.read_bytes() if wal.exists() else b"")
    for entry in service.entries(service.entry_ids(ALL)):
        assert "TOP-SECRET" not in f"{entry.title}{entry.summary}{entry.content}"
