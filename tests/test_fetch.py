"""Broken and hostile servers: each gives one clean line, and the rest of a refresh goes on.

Every server here is real, on 127.0.0.1 (see tests/feedserver.py). Slow
servers are ended by a 1 s deadline; a generous hang guard turns any hang
into a failure instead of a stuck run.
"""

from __future__ import annotations

import asyncio
import gzip
import random
import ssl
import threading
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

import httpx
import pytest
import trustme

from reader.fetch import (
    fetch_feed,
    format_size,
    freshness_hint,
    make_client,
    retry_after,
    tls_context_without_trust,
    too_large,
)
from reader.models import FeedConfig, FeedForUpdate, FetchResult
from reader.sanitize import has_controls
from reader.storage import Storage
from reader.update import build_update, refresh_feeds
from tests.feedserver import FeedServer, closed_port, compressed_zeros, http_date, rss

MIB = 1024 * 1024
LIMIT = MIB  # max_bytes in these tests
DEADLINE = 1.0
HANG_GUARD = 30.0  # seconds; only ever reached if something hangs
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
FEED = rss("Good", [{"title": "hello", "guid": "1"}])
NOT_A_FEED = "not a feed"


async def fetch(
    url: str,
    *,
    deadline: float = 10.0,
    max_bytes: int = LIMIT,
    client: httpx.AsyncClient | None = None,
) -> FetchResult:
    """One fetch_feed with a hang guard; the client's own timeouts far beyond the deadline."""
    async with asyncio.timeout(HANG_GUARD):
        if client is not None:
            return await fetch_feed(
                client, FeedForUpdate(url), deadline=deadline, max_bytes=max_bytes
            )
        async with make_client(timeout=HANG_GUARD) as own:
            return await fetch_feed(own, FeedForUpdate(url), deadline=deadline, max_bytes=max_bytes)


def one_line(error: str | None) -> str:
    """``error``, after checking it is a single clean line."""
    assert error, "expected an error"
    assert not has_controls(error), repr(error)
    assert error == error.strip() and len(error) <= 300, repr(error)
    return error


# -- servers that say no -------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (404, "HTTP 404 Not Found"),
        (410, "HTTP 410 Gone"),
        (500, "HTTP 500 Internal Server Error"),
        (503, "HTTP 503 Service Unavailable"),
    ],
)
async def test_error_status_is_one_line_with_status_and_headers(
    feed_server: FeedServer, status: int, expected: str
) -> None:
    url = feed_server.add("/f", "<html>oops</html>", status=status, headers={"X-Why": "because"})
    result = await fetch(url)
    assert one_line(result.error) == expected
    assert result.status == status
    assert result.headers["x-why"] == "because"
    assert result.content is None


async def test_connection_refused() -> None:
    result = await fetch(f"http://127.0.0.1:{closed_port()}/feed")
    assert one_line(result.error) == "connection refused"


async def test_unresolvable_host_name() -> None:
    result = await fetch("http://nonexistent.invalid/feed")
    assert one_line(result.error) == "cannot resolve host name"


async def test_redirect_without_location_is_an_error(feed_server: FeedServer) -> None:
    url = feed_server.add("/moved", b"", status=301)  # no Location header
    result = await fetch(url)
    assert one_line(result.error) == "HTTP 301 Moved Permanently"


# -- TLS -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def tls_server(ca: trustme.CA, *hosts: str) -> FeedServer:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*hosts).configure_cert(context)
    return FeedServer(tls=context)


@pytest.fixture
def https_server(ca: trustme.CA) -> Iterator[FeedServer]:
    """An HTTPS server whose certificate for 127.0.0.1 comes from a CA nobody trusts."""
    with tls_server(ca, "127.0.0.1") as server:
        yield server


def trusting_client(ca: trustme.CA) -> httpx.AsyncClient:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return httpx.AsyncClient(verify=context)


async def test_untrusted_certificate_is_a_tls_error(https_server: FeedServer) -> None:
    url = https_server.add("/feed", FEED)
    result = await fetch(url)
    error = one_line(result.error)
    assert error.startswith("TLS certificate problem: "), error
    assert "certificate" in error.removeprefix("TLS certificate problem: ")


async def test_the_same_https_server_works_for_a_client_that_trusts_it(
    https_server: FeedServer, ca: trustme.CA
) -> None:
    url = https_server.add("/feed", FEED)
    async with trusting_client(ca) as client:
        result = await fetch(url, client=client)
    assert result.error is None and result.content == FEED.encode()


async def test_certificate_for_another_host_is_a_tls_error(ca: trustme.CA) -> None:
    with tls_server(ca, "feeds.example") as server:
        url = server.add("/feed", FEED)
        async with trusting_client(ca) as client:
            result = await fetch(url, client=client)
    error = one_line(result.error)
    assert error.startswith("TLS certificate problem: ") and "mismatch" in error, error


async def test_plain_http_on_an_https_url_is_a_tls_error(feed_server: FeedServer) -> None:
    feed_server.add("/feed", FEED)
    result = await fetch(f"https://127.0.0.1:{feed_server.port}/feed")
    assert one_line(result.error).startswith("TLS error: "), result.error


def test_the_tls_context_is_the_default_one_before_its_certificates() -> None:
    ours, default = tls_context_without_trust(), ssl.create_default_context()
    for setting in ("verify_mode", "check_hostname", "options", "verify_flags", "protocol"):
        assert getattr(ours, setting) == getattr(default, setting), setting
    assert (ours.minimum_version, ours.maximum_version) == (
        default.minimum_version,
        default.maximum_version,
    )
    assert ours.cert_store_stats()["x509_ca"] == 0 < default.cert_store_stats()["x509_ca"]


async def test_ca_certificates_are_loaded_for_the_first_https_request_only(
    feed_server: FeedServer, https_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading them takes ~20 ms: a refresh of http:// feeds never does."""
    import reader.fetch

    loads: list[ssl.SSLContext] = []
    real_load = reader.fetch.load_trust

    def counting_load(context: ssl.SSLContext) -> None:
        loads.append(context)
        real_load(context)

    monkeypatch.setattr(reader.fetch, "load_trust", counting_load)
    plain = feed_server.add("/feed", FEED)
    secure = https_server.add("/feed", FEED)
    async with make_client(timeout=HANG_GUARD) as client:
        assert (await fetch(plain, client=client)).error is None
        assert loads == []
        for _ in range(2):  # verified against the loaded certificates both times
            error = one_line((await fetch(secure, client=client)).error)
            assert error.startswith("TLS certificate problem: "), error
    assert len(loads) == 1 and loads[0].cert_store_stats()["x509_ca"] > 0


async def test_ssl_cert_file_is_trusted_as_httpx_does(
    feed_server: FeedServer,
    https_server: FeedServer,
    ca: trustme.CA,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """$SSL_CERT_FILE replaces the bundled certificates, also after an http → https redirect."""
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    secure = https_server.add("/feed", FEED)
    moved = feed_server.redirect("/moved", secure)
    for url in (moved, secure):
        result = await fetch(url)  # a new client each time: nothing loaded yet
        assert result.error is None and result.content == FEED.encode(), result.error


@pytest.mark.parametrize(
    ("content", "reason"),
    [(None, "No such file or directory"), ("not a certificate", "no certificate or crl found")],
    ids=["missing", "garbage"],
)
async def test_unusable_ssl_cert_file_fails_https_feeds_in_one_line(
    feed_server: FeedServer,
    https_server: FeedServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    content: str | None,
    reason: str,
) -> None:
    bundle = tmp_path / "ca.pem"
    if content is not None:
        bundle.write_text(content)
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    async with make_client(timeout=HANG_GUARD) as client:
        secure = await fetch(https_server.add("/feed", FEED), client=client)
        plain = await fetch(feed_server.add("/feed", FEED), client=client)
    error = one_line(secure.error)
    source = f"($SSL_CERT_FILE = {bundle})"
    assert error.startswith(f"TLS error: cannot load the CA certificates {source}: "), error
    assert error.endswith(reason) and secure.unreachable, error
    assert https_server.requests == []  # no request went out unverified
    assert plain.error is None and plain.content == FEED.encode()


# -- Retry-After and freshness -------------------------------------------------


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize("value", ["120", http_date(NOW + timedelta(minutes=5))])
async def test_retry_after_reaches_the_result(
    feed_server: FeedServer, status: int, value: str
) -> None:
    headers = {"Retry-After": value, "Date": http_date(NOW)}
    url = feed_server.add("/busy", "slow down", status=status, headers=headers)
    result = await fetch(url)
    assert result.status == status
    assert result.headers["retry-after"] == value
    assert one_line(result.error).startswith(f"HTTP {status} ")
    assert retry_after(result.headers, NOW) in (
        NOW + timedelta(seconds=120),
        NOW + timedelta(minutes=5),
    )


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "120"}, NOW + timedelta(seconds=120)),
        ({"Retry-After": " 3600 "}, NOW + timedelta(hours=1)),
        ({"retry-after": http_date(NOW + timedelta(minutes=5))}, NOW + timedelta(minutes=5)),
        # A server clock an hour slow: the date counts from the server's own Date.
        (
            {
                "retry-after": http_date(NOW - timedelta(hours=1) + timedelta(minutes=2)),
                "date": http_date(NOW - timedelta(hours=1)),
            },
            NOW + timedelta(minutes=2),
        ),
        # Far beyond any sane wait: kept (within HTTP's 2^31 s); the caller caps.
        ({"retry-after": "99999999999999999999"}, NOW + timedelta(seconds=2**31)),
        (
            {
                "retry-after": "Fri, 31 Dec 9999 23:59:59 GMT",
                "date": "Thu, 01 Jan 1970 00:00:00 GMT",
            },
            NOW + timedelta(seconds=2**31),
        ),
        ({"retry-after": "0"}, None),
        ({"retry-after": "-30"}, None),
        ({"retry-after": "1.5"}, None),
        ({"retry-after": "soon"}, None),
        ({"retry-after": ""}, None),
        ({"retry-after": "١٢٠"}, None),  # Arabic-Indic digits are not HTTP digits
        ({"retry-after": http_date(NOW - timedelta(minutes=5))}, None),
        ({"retry-after": "Mon, 99 Foo 2024 99:99:99 GMT"}, None),
        ({}, None),
    ],
)
def test_retry_after(headers: dict[str, str], expected: datetime | None) -> None:
    assert retry_after(headers, NOW) == expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"cache-control": "max-age=300"}, NOW + timedelta(seconds=300)),
        ({"Cache-Control": 'public, MAX-AGE="600"'}, NOW + timedelta(seconds=600)),
        ({"cache-control": "max-age=300, must-revalidate"}, NOW + timedelta(seconds=300)),
        ({"cache-control": "max-age=300", "age": "100"}, NOW + timedelta(seconds=200)),
        ({"cache-control": "max-age=300", "age": "400"}, None),
        ({"cache-control": "max-age=0"}, None),
        ({"cache-control": "no-cache, max-age=300"}, None),
        ({"cache-control": "no-store"}, None),
        ({"cache-control": "max-age=soon", "expires": http_date(NOW + timedelta(hours=1))}, None),
        # max-age wins over Expires.
        (
            {"cache-control": "max-age=60", "expires": http_date(NOW + timedelta(hours=1))},
            NOW + timedelta(seconds=60),
        ),
        ({"expires": http_date(NOW + timedelta(hours=1))}, NOW + timedelta(hours=1)),
        # A server clock two hours fast: Expires counts from the server's own Date.
        (
            {
                "expires": http_date(NOW + timedelta(hours=2, minutes=10)),
                "date": http_date(NOW + timedelta(hours=2)),
            },
            NOW + timedelta(minutes=10),
        ),
        (
            {"cache-control": "private", "expires": http_date(NOW + timedelta(hours=1))},
            NOW + timedelta(hours=1),
        ),
        ({"expires": http_date(NOW - timedelta(hours=1))}, None),
        (
            {"expires": "Fri, 31 Dec 9999 23:59:59 GMT", "date": "Thu, 01 Jan 1970 00:00:00 GMT"},
            NOW + timedelta(seconds=2**31),
        ),
        ({"expires": "0"}, None),
        ({"expires": "-1"}, None),
        ({"cache-control": "public"}, None),
        ({}, None),
    ],
)
def test_freshness_hint(headers: dict[str, str], expected: datetime | None) -> None:
    assert freshness_hint(headers, NOW) == expected


# -- servers that never finish -------------------------------------------------


async def test_deadline_ends_servers_that_never_finish(feed_server: FeedServer) -> None:
    urls = [
        feed_server.hang("/silent"),
        feed_server.drip("/drip-head", FEED, interval=0.2, headers_too=True),
        feed_server.drip("/drip-body", FEED, interval=0.2, headers_too=False),
    ]
    # The client's own timeouts are 30 s: only the deadline can end these.
    results = await asyncio.gather(*(fetch(url, deadline=DEADLINE) for url in urls))
    assert [one_line(result.error) for result in results] == ["timed out after 1s"] * 3
    assert [
        len(feed_server.requests_for(path)) for path in ("/silent", "/drip-head", "/drip-body")
    ] == [1, 1, 1]


def handler_threads() -> set[threading.Thread]:
    """Live per-connection server threads (socketserver names them after their target)."""
    return {t for t in threading.enumerate() if "process_request_thread" in t.name}


async def test_stopping_the_server_ends_its_hung_handlers() -> None:
    before = handler_threads()
    with FeedServer() as server:
        for url in (server.hang("/hang"), server.drip("/drip", FEED, interval=5.0)):
            result = await fetch(url, deadline=0.3)
            assert result.error == "timed out after 0.3s"
        hung = handler_threads() - before
        assert len(hung) == 2  # the client gave up; both handlers still wait
    for thread in hung:
        thread.join(timeout=HANG_GUARD)
        assert not thread.is_alive(), thread.name


# -- redirects -----------------------------------------------------------------


@pytest.mark.parametrize(("status", "permanent"), [(301, True), (302, False)])
async def test_redirect_permanence_on_the_result(
    feed_server: FeedServer, status: int, permanent: bool
) -> None:
    url = feed_server.redirect("/old", "/new", status=status)
    new = feed_server.add("/new", FEED)
    result = await fetch(url)
    assert result.error is None and result.content == FEED.encode()
    assert result.final_url == new
    assert result.permanent_redirect == (new if permanent else None)


async def test_permanent_redirect_to_itself_is_a_loop(feed_server: FeedServer) -> None:
    url = feed_server.redirect("/self", "/self", status=301)
    result = await fetch(url)
    assert one_line(result.error) == "too many redirects (redirect loop?)"
    assert result.permanent_redirect is None


async def test_redirect_to_a_local_file_is_refused(feed_server: FeedServer) -> None:
    url = feed_server.redirect("/sneaky", "file:///etc/passwd", status=302)
    result = await fetch(url)
    assert one_line(result.error) == (
        "redirected to a file: URL, which is never fetched (only http and https)"
    )
    assert result.content is None


# -- bodies too large, endless, or bombs ---------------------------------------


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


ENCODINGS: dict[str, tuple[str, Callable[[bytes], bytes]]] = {
    "identity": ("identity", lambda data: data),
    "gzip": ("gzip", _gzip),
    "x-gzip": ("x-gzip", _gzip),
    "deflate": ("deflate", zlib.compress),
    "raw deflate": ("deflate", _raw_deflate),
}


@pytest.mark.parametrize("encoding", list(ENCODINGS))
async def test_body_up_to_the_limit_is_read_and_a_byte_more_is_not(
    feed_server: FeedServer, encoding: str
) -> None:
    header, compress = ENCODINGS[encoding]
    body = random.Random(3).randbytes(LIMIT // 2) + b"x" * (LIMIT // 2)
    headers = {"Content-Encoding": header}
    fits = feed_server.add("/fits", compress(body), headers=headers)
    over = feed_server.add("/over", compress(body + b"x"), headers=headers)
    async with make_client() as client:
        ok = await fetch(fits, client=client)
        refused = await fetch(over, client=client)
    assert ok.error is None and ok.content == body
    assert one_line(refused.error) == (
        "feed is larger than the 1 MiB limit (max_feed_size); not read"
    )
    assert refused.content is None


async def test_endless_body_stops_at_the_limit(feed_server: FeedServer) -> None:
    url = feed_server.endless("/forever")
    result = await fetch(url)
    assert one_line(result.error) == too_large(LIMIT)
    assert result.content is None


@pytest.mark.parametrize(
    ("wrapper", "content_encoding"), [("gzip", "gzip"), ("zlib", "deflate"), ("raw", "deflate")]
)
async def test_decompression_bomb_stops_at_the_limit_in_bounded_memory(
    feed_server: FeedServer, wrapper: Literal["gzip", "zlib", "raw"], content_encoding: str
) -> None:
    bomb = compressed_zeros(1024, wrapper)  # 1 GiB of zeros
    limit = 2 * MIB
    assert len(bomb) < limit  # small enough on the wire: only decoding can stop it
    url = feed_server.add("/bomb", bomb, headers={"Content-Encoding": content_encoding})
    tracemalloc.start()
    try:
        result = await fetch(url, max_bytes=limit)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert one_line(result.error) == too_large(limit)
    # httpx's own decoder inflates a 64 KiB network chunk of this to 64 MiB at once.
    assert peak < 16 * MIB, f"peak {peak / MIB:.1f} MiB"


def test_bomb_builder_makes_a_valid_stream() -> None:
    size = 3 * MIB
    assert gzip.decompress(compressed_zeros(3, "gzip")) == bytes(size)
    assert zlib.decompress(compressed_zeros(3, "zlib")) == bytes(size)
    assert zlib.decompress(compressed_zeros(3, "raw"), -15) == bytes(size)


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (1, "1 byte"),
        (512, "512 bytes"),
        (1024, "1 KiB"),
        (1536, "1.5 KiB"),
        (MIB, "1 MiB"),
        (16 * MIB, "16 MiB"),
        (MIB + MIB // 4, "1.2 MiB"),
        (2 * 1024 * MIB, "2 GiB"),
    ],
)
def test_sizes_read_nicely(size: int, text: str) -> None:
    assert format_size(size) == text


def test_too_large_names_the_limit_and_the_setting() -> None:
    assert too_large(16 * MIB) == "feed is larger than the 16 MiB limit (max_feed_size); not read"
    assert (
        too_large(512 * 1024) == "feed is larger than the 512 KiB limit (max_feed_size); not read"
    )


# -- content encodings ---------------------------------------------------------


async def test_compressed_feeds_are_decoded_and_parsed(feed_server: FeedServer) -> None:
    body = FEED.encode()
    two_members = _gzip(body[:100]) + _gzip(body[100:])
    served = {
        "/gzip": ("gzip", _gzip(body)),
        "/members": ("gzip", two_members),
        "/padded": ("gzip", _gzip(body) + b"\0" * 16),
        "/deflate": ("deflate", zlib.compress(body)),
        "/raw": ("deflate", _raw_deflate(body)),
        "/listed": ("identity, gzip", _gzip(body)),
        "/upper": ("GZIP", _gzip(body)),
    }
    async with make_client() as client:
        for path, (encoding, data) in served.items():
            url = feed_server.add(path, data, headers={"Content-Encoding": encoding})
            result = await fetch(url, client=client)
            assert result.content == body, path
            update = build_update(result, NOW)
            assert update.error is None and update.parsed is not None, path
            assert update.parsed.title == "Good"
    assert feed_server.requests[0].headers["accept-encoding"] == "gzip, deflate"


@pytest.mark.parametrize(
    ("encoding", "data", "expected"),
    [
        (
            "br",
            b"\x0b\x02\x80hello\x03",
            "server sent an unsupported Content-Encoding (br); not read",
        ),
        (
            "gzip, gzip",
            _gzip(_gzip(b"x")),
            "server sent an unsupported Content-Encoding (gzip, gzip); not read",
        ),
        ("gzip", b"this is not gzip at all", "cannot decode the gzip body: "),
        ("gzip", _gzip(FEED.encode())[:-20], "cannot decode the gzip body: it is cut short"),
        (
            "deflate",
            zlib.compress(FEED.encode())[:30],
            "cannot decode the deflate body: it is cut short",
        ),
    ],
)
async def test_undecodable_bodies_are_one_line_errors(
    feed_server: FeedServer, encoding: str, data: bytes, expected: str
) -> None:
    url = feed_server.add("/odd", data, headers={"Content-Encoding": encoding})
    result = await fetch(url)
    assert one_line(result.error).startswith(expected), result.error
    assert result.content is None


# -- bodies that are not feeds, through the real pipeline ------------------------


def local_feed(tmp_path: Path) -> Path:
    """A valid feed in a local file: if anything opened a path it was given, it would parse."""
    path = tmp_path / "local.xml"
    path.write_text(rss("LOCAL FILE WAS READ", [{"title": "from disk", "guid": "d"}]))
    return path


@pytest.mark.parametrize(
    "body", ["/etc/passwd", "/dev/zero", "file:///etc/passwd", "LOCAL", "file://LOCAL"]
)
async def test_a_body_naming_a_local_file_is_never_opened(
    feed_server: FeedServer, tmp_path: Path, body: str
) -> None:
    body = body.replace("LOCAL", str(local_feed(tmp_path)))
    url = feed_server.add("/path", body)
    result = await fetch(url)
    assert result.error is None and result.content == body.encode()
    async with asyncio.timeout(HANG_GUARD):  # reading /dev/zero would never end
        update = await asyncio.to_thread(build_update, result, NOW)
    assert update.parsed is None
    error = one_line(update.error)
    assert error.startswith(NOT_A_FEED) and "LOCAL FILE" not in error, error


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b"", "application/rss+xml", "empty document"),
        (b" \r\n\t ", "application/rss+xml", "empty document"),
        (random.Random(5).randbytes(4096), "application/octet-stream", NOT_A_FEED),
        (b"<!DOCTYPE html><html><body><p>Sign in</p></body></html>", "text/html", "not a feed"),
    ],
    ids=["empty", "blank", "random bytes", "html"],
)
async def test_documents_that_are_not_feeds(
    feed_server: FeedServer, body: bytes, content_type: str, expected: str | tuple[str, ...]
) -> None:
    url = feed_server.add("/doc", body, content_type=content_type)
    update = build_update(await fetch(url), NOW)
    assert update.parsed is None
    assert one_line(update.error).startswith(expected), update.error


# -- what a hostile server says is cleaned ------------------------------------------


@pytest.mark.parametrize(
    ("status_line", "expected"),
    [
        (b"HTTP/1.1 500 \x1b]0;pwned\x07[bold]x", "HTTP 500 [bold]x"),
        # httpx drops non-ASCII bytes, so an 8-bit CSI loses just its introducer.
        (b"HTTP/1.1 503 \x1b[2J\x1b[31mred\x9b1m\xe2\x80\xae!", "HTTP 503 red1m!"),
        (b"HTTP/1.1 404 " + b"A" * 5000, "HTTP 404 " + "A" * 79 + "…"),
        # h11 refuses a CR in the status line; its message quotes the raw bytes.
        (b"HTTP/1.1 500 \x1b[2J\r", "server broke the connection: illegal status line"),
    ],
    ids=["osc", "csi", "long", "malformed"],
)
async def test_hostile_reason_phrase_is_cleaned(
    feed_server: FeedServer, status_line: bytes, expected: str
) -> None:
    url = feed_server.add_raw("/evil", status_line + b"\r\nContent-Length: 0\r\n\r\n")
    result = await fetch(url)
    assert one_line(result.error) == expected


@pytest.mark.parametrize("kind", ["404", "refused", "dns", "loop", "big"])
async def test_credentials_in_the_url_never_reach_the_error(
    feed_server: FeedServer, kind: str
) -> None:
    feed_server.add("/big", b"x" * (LIMIT + 1))
    feed_server.redirect("/loop", "/loop", status=302)
    host = {
        "refused": f"127.0.0.1:{closed_port()}",
        "dns": "nonexistent.invalid",
    }.get(kind, f"127.0.0.1:{feed_server.port}")
    path = {"404": "/missing", "loop": "/loop", "big": "/big"}.get(kind, "/f")
    result = await fetch(f"http://user:hunter2@{host}{path}")
    error = one_line(result.error)
    assert "hunter2" not in error and "user:" not in error


# -- the rest of the refresh carries on --------------------------------------------


async def test_refresh_stores_good_feeds_and_one_line_per_bad_one(
    feed_server: FeedServer, https_server: FeedServer, tmp_path: Path
) -> None:
    def bad(path: str) -> str:
        """A URL of ``path`` on the plain server, with credentials that must not leak."""
        return feed_server.url(path).replace("http://", "http://user:hunter2@")

    good_rss = feed_server.add("/good", rss("One", [{"title": "a", "guid": "a"}]))
    good_gzip = feed_server.add(
        "/good-gz",
        _gzip(rss("Two", [{"title": "b", "guid": "b"}, {"title": "c", "guid": "c"}]).encode()),
        headers={"Content-Encoding": "gzip"},
    )
    for status in (410, 500):
        feed_server.add(f"/{status}", b"", status=status)
    feed_server.add("/503", b"", status=503, headers={"Retry-After": "60"})
    feed_server.hang("/hang")
    feed_server.drip("/drip", FEED, interval=0.2)
    feed_server.redirect("/loop", "/loop", status=301)
    feed_server.add("/big", b"x" * (LIMIT + 1))
    feed_server.endless("/endless")
    feed_server.add("/bomb", compressed_zeros(64, "gzip"), headers={"Content-Encoding": "gzip"})
    feed_server.add("/passwd", "/etc/passwd")
    feed_server.add("/empty", b"")
    feed_server.add("/noise", random.Random(9).randbytes(2048))
    feed_server.add("/html", "<!doctype html><title>x</title>", content_type="text/html")
    feed_server.add_raw("/evil", b"HTTP/1.1 500 \x1b]0;pwned\x07\r\nContent-Length: 0\r\n\r\n")
    too_big = too_large(LIMIT)
    expected: dict[str, str | tuple[str, ...]] = {
        bad("/missing"): "HTTP 404 Not Found",
        bad("/410"): "HTTP 410 Gone",
        bad("/500"): "HTTP 500 Internal Server Error",
        bad("/503"): "HTTP 503 Service Unavailable",
        f"http://user:hunter2@127.0.0.1:{closed_port()}/f": "connection refused",
        "http://user:hunter2@nonexistent.invalid/feed": "cannot resolve host name",
        https_server.add("/tls", FEED): "TLS certificate problem: ",
        bad("/hang"): "timed out after 1.5s",
        bad("/drip"): "timed out after 1.5s",
        bad("/loop"): "too many redirects (redirect loop?)",
        bad("/big"): too_big,
        bad("/endless"): too_big,
        bad("/bomb"): too_big,
        bad("/passwd"): NOT_A_FEED,
        bad("/empty"): "empty document",
        bad("/noise"): NOT_A_FEED,
        bad("/html"): "not a feed: HTML page",
        bad("/evil"): "HTTP 500",
    }
    configs = [FeedConfig(url) for url in [good_rss, *expected, good_gzip]]
    storage = Storage(tmp_path / "refresh.db")
    try:
        storage.sync_feeds(configs)
        feeds = storage.feeds_for_update([config.url for config in configs])
        async with asyncio.timeout(HANG_GUARD):
            outcomes = await refresh_feeds(
                storage, feeds, timeout=1.5, max_connections=32, max_feed_size=LIMIT
            )
        assert len(outcomes) == len(configs)
        infos = {info.url: info for info in storage.feed_infos(configs)}
    finally:
        storage.close()
    for url, total in ((good_rss, 1), (good_gzip, 2)):
        assert infos[url].last_error is None, infos[url].last_error
        assert infos[url].total == total
    for url, prefix in expected.items():
        error = one_line(infos[url].last_error)
        assert error.startswith(prefix), (url, error)
        assert "hunter2" not in error and "pwned" not in error
        assert infos[url].total == 0


# -- connections are kept ------------------------------------------------------------


async def test_304_answers_leave_the_connection_open_for_the_next_request(
    feed_server: FeedServer,
) -> None:
    """An all-304 refresh costs one connection per host, not one per feed."""
    connects: list[str] = []

    async def trace(event: str, info: object) -> None:
        if event == "connection.connect_tcp.started":
            connects.append(event)

    async def traced(request: httpx.Request) -> None:
        request.extensions["trace"] = trace

    urls = [feed_server.add(f"/{n}", FEED, etag=f'"{n}"') for n in range(3)]
    async with make_client(timeout=HANG_GUARD, max_connections=1) as client:
        client.event_hooks["request"].append(traced)
        for n, url in enumerate(urls):
            feed = FeedForUpdate(url, etag=f'"{n}"')
            async with asyncio.timeout(HANG_GUARD):
                result = await fetch_feed(client, feed, deadline=DEADLINE)
            assert result.status == 304 and result.error is None, result.error
    assert len(connects) == 1


# -- a kept-alive connection the server closed --------------------------------------


class _ClosesKeptAliveConnections(threading.Thread):
    """Answers the first request on each connection (keep-alive, no Connection: close),
    then closes the connection when the next request arrives on it, without answering:
    what a server whose idle timeout just ran out does."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        import socket

        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = 0

    def run(self) -> None:
        body = FEED.encode()
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                conn.recv(65536)
                conn.sendall(head.encode() + body)
                conn.recv(65536)  # the next request on this connection: hang up on it

    def close(self) -> None:
        self.listener.close()


async def test_a_closed_keep_alive_connection_is_retried_once() -> None:
    server = _ClosesKeptAliveConnections()
    server.start()
    try:
        async with make_client(timeout=HANG_GUARD, max_connections=1) as client:
            first = await fetch(f"http://127.0.0.1:{server.port}/a", client=client)
            second = await fetch(f"http://127.0.0.1:{server.port}/b", client=client)
        assert first.error is None and second.error is None, second.error
        assert second.content == FEED.encode()
        assert server.connections == 2  # the second fetch reused, was hung up on, reconnected
    finally:
        server.close()
