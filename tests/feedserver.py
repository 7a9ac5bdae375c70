"""A real HTTP server on 127.0.0.1 for tests, and builders for feed documents.

The server serves canned responses registered with :meth:`FeedServer.add`,
answers conditional requests with 304 when told the resource's validators,
follows nothing itself (redirects are just responses) and records every
request so tests can assert on what the client sent.

Broken and hostile servers are routes too: :meth:`FeedServer.add_raw` sends
bytes verbatim (a forged status line), :meth:`~FeedServer.hang` never
answers, :meth:`~FeedServer.drip` sends a byte at a time, :meth:`~FeedServer.endless`
streams a body that never ends, and ``FeedServer(tls=context)`` speaks HTTPS.
Every such handler gives up as soon as the server stops, so teardown is prompt.
"""

from __future__ import annotations

import socket
import ssl
import threading
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO, Literal
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import tomlkit

__all__ = [
    "Behaviour",
    "FeedServer",
    "Request",
    "Route",
    "atom",
    "closed_port",
    "compressed_zeros",
    "http_date",
    "json_feed",
    "rss",
    "write_config",
]


@dataclass(frozen=True)
class Request:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]  # lower-case names


@dataclass
class Route:
    """A canned response for one path."""

    body: bytes = b""
    content_type: str = "application/rss+xml"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    behaviour: Behaviour | None = None  # when set, it writes the whole response itself


# Writes a whole response (status line included) to the client; the event is
# set when the server stops, and a behaviour that waits must wait on it.
Behaviour = Callable[[BinaryIO, threading.Event], None]


class _QuietServer(ThreadingHTTPServer):
    """Clients that hang up early (a test's deadline ran out) are not errors here."""

    tls: ssl.SSLContext | None = None

    def handle_error(self, request: object, client_address: object) -> None:
        pass

    def finish_request(self, request: Any, client_address: Any) -> None:
        # The TLS handshake runs here, in the connection's own thread, so a
        # client that fails it (or never starts it) cannot block accept().
        if self.tls is None:
            super().finish_request(request, client_address)
            return
        with self.tls.wrap_socket(request, server_side=True) as secure:
            super().finish_request(secure, client_address)


class FeedServer:
    """Serves registered paths on ``127.0.0.1`` at an ephemeral port."""

    def __init__(self, *, tls: ssl.SSLContext | None = None) -> None:
        """With ``tls`` (a server-side context holding a certificate) it serves HTTPS."""
        self.requests: list[Request] = []
        self.stopping = threading.Event()
        self.scheme = "https" if tls is not None else "http"
        self._routes: dict[str, Route] = {}
        self._lock = threading.Lock()
        self._httpd = _QuietServer(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self._httpd.tls = tls
        self.port: int = self._httpd.server_address[1]
        self._thread = threading.Thread(
            # A short poll interval keeps stop() (which waits for one poll) fast.
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="feedserver",
            daemon=True,
        )

    # -- lifecycle -------------------------------------------------------

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()  # wakes handlers that hang or drip
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- configuring responses -------------------------------------------

    def url(self, path: str) -> str:
        """The full URL of ``path`` on this server."""
        return f"{self.scheme}://127.0.0.1:{self.port}{_norm(path)}"

    def add(
        self,
        path: str,
        body: bytes | str,
        *,
        content_type: str = "application/rss+xml",
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> str:
        """Serve ``body`` at ``path`` (replacing what was there); returns the URL.

        With ``etag`` / ``last_modified`` the response carries those headers,
        and a request sending a matching If-None-Match / If-Modified-Since
        gets an empty 304 instead.
        """
        data = body.encode("utf-8") if isinstance(body, str) else body
        route = Route(data, content_type, status, dict(headers or {}), etag, last_modified)
        with self._lock:
            self._routes[_norm(path)] = route
        return self.url(path)

    def redirect(self, path: str, target_path: str, status: int = 301) -> str:
        """Answer ``path`` with a redirect to ``target_path`` on this server."""
        target = target_path if "://" in target_path else self.url(target_path)
        return self.add(
            path, b"", content_type="text/plain", status=status, headers={"Location": target}
        )

    def add_behaviour(self, path: str, behaviour: Behaviour) -> str:
        """Answer ``path`` by running ``behaviour``; the connection closes after it."""
        with self._lock:
            self._routes[_norm(path)] = Route(behaviour=behaviour)
        return self.url(path)

    def add_raw(self, path: str, response: bytes) -> str:
        """Answer ``path`` with ``response`` verbatim: status line, headers and body."""

        def send(wfile: BinaryIO, stopping: threading.Event) -> None:
            wfile.write(response)

        return self.add_behaviour(path, send)

    def hang(self, path: str) -> str:
        """Read the request for ``path`` and never answer (until the server stops)."""

        def wait(wfile: BinaryIO, stopping: threading.Event) -> None:
            stopping.wait()

        return self.add_behaviour(path, wait)

    def drip(
        self,
        path: str,
        body: bytes | str,
        *,
        interval: float = 1.0,
        headers_too: bool = True,
        content_type: str = "application/rss+xml",
    ) -> str:
        """Send the response for ``path`` one byte every ``interval`` seconds.

        With ``headers_too`` even the status line drips; otherwise the head
        comes at once and only the body drips.
        """
        data = body.encode("utf-8") if isinstance(body, str) else body
        head = raw_head(200, "OK", {"Content-Type": content_type, "Content-Length": str(len(data))})

        def send(wfile: BinaryIO, stopping: threading.Event) -> None:
            rest = head + data
            if not headers_too:
                wfile.write(head)
                rest = data
            for byte in rest:
                if stopping.wait(interval):
                    return
                wfile.write(bytes([byte]))

        return self.add_behaviour(path, send)

    def endless(self, path: str, *, piece: bytes = b"<item>" * 10_000) -> str:
        """A chunked 200 body for ``path`` that never ends (until the client hangs up)."""
        head = raw_head(
            200, "OK", {"Content-Type": "application/rss+xml", "Transfer-Encoding": "chunked"}
        )
        chunk = b"%x\r\n%s\r\n" % (len(piece), piece)

        def send(wfile: BinaryIO, stopping: threading.Event) -> None:
            wfile.write(head)
            while not stopping.is_set():
                wfile.write(chunk)  # blocks while the client is not reading

        return self.add_behaviour(path, send)

    def remove(self, path: str) -> None:
        """Forget ``path``: it answers 404 from now on."""
        with self._lock:
            self._routes.pop(_norm(path), None)

    def requests_for(self, path: str) -> list[Request]:
        """The requests received for ``path`` (query string included if given)."""
        wanted = _norm(path)
        return [r for r in list(self.requests) if r.path == wanted]

    def route(self, path: str) -> Route | None:
        with self._lock:
            found = self._routes.get(path)
            if found is None:
                found = self._routes.get(urlsplit(path).path)
            return found


def _norm(path: str) -> str:
    return path if path.startswith("/") else "/" + path


def _make_handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._respond(send_body=True)

        def do_HEAD(self) -> None:
            self._respond(send_body=False)

        def _respond(self, *, send_body: bool) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            server.requests.append(Request(self.command, self.path, headers))
            route = server.route(self.path)
            if route is None:
                self._send(404, b"not found\n", {"Content-Type": "text/plain"}, send_body)
                return
            if route.behaviour is not None:
                self.close_connection = True
                route.behaviour(self.wfile, server.stopping)  # type: ignore[arg-type]
                return
            extra = {"Content-Type": route.content_type, **route.headers}
            if route.etag is not None:
                extra["ETag"] = route.etag
            if route.last_modified is not None:
                extra["Last-Modified"] = route.last_modified
            if _not_modified(route, headers):
                # Like many real servers: ETag is repeated, Last-Modified is not.
                extra.pop("Content-Type", None)
                extra.pop("Last-Modified", None)
                self._send(304, b"", extra, send_body)
                return
            self._send(route.status, route.body, extra, send_body)

        def _send(
            self, status: int, body: bytes, headers: Mapping[str, str], send_body: bool
        ) -> None:
            if any(name.lower() == "date" for name in headers):
                # A route's own Date (a server clock that is off) replaces the real one.
                self.send_response_only(status)
                self.send_header("Server", self.version_string())
            else:
                self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body and status != 304 and body:
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output quiet

    return Handler


def _not_modified(route: Route, headers: Mapping[str, str]) -> bool:
    """RFC 9110 precedence: If-None-Match decides when both are present."""
    if route.status != 200:
        return False
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None and route.etag is not None:
        tags = [tag.strip() for tag in if_none_match.split(",")]
        return "*" in tags or route.etag in tags
    if_modified_since = headers.get("if-modified-since")
    if if_none_match is None and if_modified_since is not None and route.last_modified:
        return if_modified_since.strip() == route.last_modified
    return False


def raw_head(status: int, reason: str, headers: Mapping[str, str]) -> bytes:
    """An HTTP/1.1 status line and headers, ready for :meth:`FeedServer.add_raw`."""
    lines = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


_MIB = 1024 * 1024


@lru_cache(maxsize=8)
def compressed_zeros(mebibytes: int, wrapper: Literal["gzip", "zlib", "raw"] = "gzip") -> bytes:
    """A valid gzip / zlib / raw deflate stream of ``mebibytes`` MiB of zeros.

    A decompression bomb: about a thousand times smaller than what it
    inflates to. It is made without compressing the whole size: after a full
    flush the compressor's state is reset, so every further MiB compresses to
    the same bytes, and only the checksum must see every byte.
    """
    if mebibytes < 2:
        raise ValueError("at least 2 MiB")
    zeros = bytes(_MIB)
    wbits = {"gzip": 31, "zlib": 15, "raw": -15}[wrapper]
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    first = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    middle = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    last = compressor.compress(zeros) + compressor.flush()
    size = mebibytes * _MIB
    if wrapper == "gzip":
        crc = 0
        for _ in range(mebibytes):
            crc = zlib.crc32(zeros, crc)
        last = last[:-8] + crc.to_bytes(4, "little") + (size % 2**32).to_bytes(4, "little")
    elif wrapper == "zlib":
        # Adler-32 of n zeros: the low sum stays 1, the high sum grows by 1 a byte.
        adler = ((size % 65521) << 16) | 1
        last = last[:-4] + adler.to_bytes(4, "big")
    return first + middle * (mebibytes - 2) + last


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# -- feed documents ------------------------------------------------------


def http_date(value: datetime) -> str:
    """RFC 1123 date, as RSS pubDate and HTTP headers use."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return format_datetime(value.astimezone(UTC), usegmt=True)


def _text(value: object) -> str:
    if isinstance(value, datetime):
        return http_date(value)
    return escape(str(value))


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return escape(str(value))


def rss(
    title: str, items: Sequence[Mapping[str, Any]], *, link: str = "http://example.org/"
) -> str:
    """An RSS 2.0 document.

    Item keys (all optional): ``title``, ``link``, ``guid``, ``pubDate`` (a
    string, or a datetime formatted for you), ``description`` (HTML, escaped
    into the XML), ``author``, ``content`` (content:encoded).
    """
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
        "<channel>",
        f"<title>{escape(title)}</title>",
        f"<link>{escape(link)}</link>",
        "<description>test feed</description>",
    ]
    for item in items:
        parts.append("<item>")
        for key in ("title", "link", "guid", "pubDate", "description", "author"):
            if item.get(key) is not None:
                attrs = ' isPermaLink="false"' if key == "guid" else ""
                parts.append(f"<{key}{attrs}>{_text(item[key])}</{key}>")
        if item.get("content") is not None:
            parts.append(f"<content:encoded>{_text(item['content'])}</content:encoded>")
        parts.append("</item>")
    parts += ["</channel>", "</rss>", ""]
    return "\n".join(parts)


def atom(
    title: str,
    entries: Sequence[Mapping[str, Any]],
    *,
    link: str = "http://example.org/",
    feed_id: str = "urn:test:feed",
    updated: str | datetime = "2024-01-01T00:00:00Z",
) -> str:
    """An Atom 1.0 document.

    Entry keys (all optional) follow :func:`rss` names (``guid`` → id,
    ``pubDate`` → published and updated, ``description`` → summary) or Atom's
    own (``id``, ``published``, ``updated``, ``summary``, ``content``, ``author``).
    """
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{escape(title)}</title>",
        f'<link href="{escape(link)}"/>',
        f"<id>{escape(feed_id)}</id>",
        f"<updated>{_iso(updated)}</updated>",
    ]
    for entry in entries:
        parts.append("<entry>")
        if entry.get("title") is not None:
            parts.append(f"<title>{escape(str(entry['title']))}</title>")
        if entry.get("link") is not None:
            parts.append(f'<link rel="alternate" href="{escape(str(entry["link"]))}"/>')
        entry_id = entry.get("id", entry.get("guid"))
        if entry_id is not None:
            parts.append(f"<id>{escape(str(entry_id))}</id>")
        published = entry.get("published", entry.get("pubDate"))
        updated_at = entry.get("updated", published)
        if published is not None:
            parts.append(f"<published>{_iso(published)}</published>")
        if updated_at is not None:
            parts.append(f"<updated>{_iso(updated_at)}</updated>")
        if entry.get("author") is not None:
            parts.append(f"<author><name>{escape(str(entry['author']))}</name></author>")
        summary = entry.get("summary", entry.get("description"))
        if summary is not None:
            parts.append(f'<summary type="html">{escape(str(summary))}</summary>')
        if entry.get("content") is not None:
            parts.append(f'<content type="html">{escape(str(entry["content"]))}</content>')
        parts.append("</entry>")
    parts += ["</feed>", ""]
    return "\n".join(parts)


def json_feed(title: str, items: Sequence[Mapping[str, Any]]) -> str:
    """A JSON Feed 1.1 document; items are JSON Feed item objects."""
    import json

    return json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "title": title, "items": list(items)}
    )


def write_config(
    directory: Path,
    feeds: Sequence[Mapping[str, Any]],
    settings: Mapping[str, Any] | None = None,
    *,
    name: str = "config.toml",
) -> Path:
    """Write a TOML config with ``[settings]`` and ``[[feeds]]``; returns its path."""
    document: dict[str, Any] = {}
    if settings:
        document["settings"] = dict(settings)
    if feeds:
        document["feeds"] = [dict(feed) for feed in feeds]
    path = Path(directory) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomlkit.dumps(document), encoding="utf-8")
    return path
