"""HTTP for feeds: conditional GET with one shared httpx client.

Returns bytes plus HTTP facts as a :class:`~reader.models.FetchResult`; never
parses. Every failure becomes a one-line ``error`` on the result, never an
exception, so one broken server cannot stop a refresh of the others.

The body is read raw and decompressed here, with a bound on the output of
every step: httpx's own decoder inflates a whole network chunk at once, and
one 64 KiB chunk of a gzip bomb becomes 64 MiB. So no more than about
``max_bytes`` is ever held, whatever the server sends.

:func:`retry_after` and :func:`freshness_hint` read the "not before" times a
server asks for; they are pure, and the scheduler decides what to do with them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
import socket
import ssl
import sys
import zlib
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx

from reader import __version__
from reader.models import FeedForUpdate, FetchResult
from reader.sanitize import clean_line, safe_message

USER_AGENT = f"newsreader/{__version__} (terminal feed reader)"
ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
ACCEPT_ENCODING = "gzip, deflate"  # only what _Inflater decodes
MAX_FEED_BYTES = 16 * 1024 * 1024
_PERMANENT = {301, 308}
# A compressed body may be a little larger than what it holds (block and
# header overhead); beyond this slack it is too large whatever it inflates to.
_COMPRESSED_SLACK = 64 * 1024
_INFLATE_PIECE = 256 * 1024  # most bytes one decompress call may produce
# RFC 9111 §1.2.2: a delta-seconds value too large to hold counts as 2^31 s.
_DELTA_SECONDS_MAX = 2**31
_QUOTED_BYTES = re.compile(r":?\s*(?:bytearray\()?\bb['\"].*$")


def make_client(timeout: float = 30.0, max_connections: int = 16) -> httpx.AsyncClient:
    """The one client a refresh shares: pooled connections, explicit timeouts.

    Its TLS context gets its CA certificates just before the first https
    request (see :class:`_TrustOnDemand`).
    """
    trust = _TrustOnDemand()
    return httpx.AsyncClient(
        verify=trust.context,
        event_hooks={"request": [trust.before_request]},
        follow_redirects=True,
        max_redirects=10,
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        limits=httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        ),
        headers={"User-Agent": USER_AGENT, "Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING},
    )


class _TrustOnDemand:
    """The TLS context httpx would make, with its CA certificates loaded on first need.

    Loading them takes about 20 ms, as long as some thirty 304 answers, and a
    refresh of ``http://`` feeds never needs them. The context only serves
    ``https://`` URLs (a proxy's own TLS has its own context), and every
    request, redirects included, passes :meth:`before_request` first.
    """

    def __init__(self) -> None:
        self.context = tls_context_without_trust()
        self._loaded = False

    async def before_request(self, request: httpx.Request) -> None:
        if not self._loaded and request.url.scheme == "https":
            _load_trust_or_explain(self.context)
            self._loaded = True


class TrustUnavailableError(Exception):
    """No https request can be verified; ``str()`` is the one-line reason."""


def _load_trust_or_explain(context: ssl.SSLContext) -> None:
    """:func:`load_trust`; a failure is a :class:`TrustUnavailableError` saying which file."""
    try:
        load_trust(context)
    except OSError as exc:  # ssl.SSLError included: a file that holds no certificate
        reason = exc.strerror or str(exc)
        if isinstance(exc, ssl.SSLError) and exc.reason:
            reason = exc.reason.replace("_", " ").lower()
        raise TrustUnavailableError(
            f"TLS error: cannot load the CA certificates ({trust_source()}): "
            + clean_line(reason, 120)
        ) from None


def tls_context_without_trust() -> ssl.SSLContext:
    """``ssl.create_default_context()`` before it loads any CA certificate."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies certificate and host name
    if sys.version_info >= (3, 13):  # create_default_context got stricter checks in 3.13
        context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN | ssl.VERIFY_X509_STRICT
    return context


def load_trust(context: ssl.SSLContext) -> None:
    """The CA certificates httpx trusts: $SSL_CERT_FILE, else $SSL_CERT_DIR, else certifi's."""
    if os.environ.get("SSL_CERT_FILE"):
        context.load_verify_locations(cafile=os.environ["SSL_CERT_FILE"])
    elif os.environ.get("SSL_CERT_DIR"):
        context.load_verify_locations(capath=os.environ["SSL_CERT_DIR"])
    else:
        import certifi

        context.load_verify_locations(cafile=certifi.where())


def trust_source() -> str:
    """Where :func:`load_trust` takes the certificates from, for messages."""
    for variable in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
        if os.environ.get(variable):
            return f"${variable} = {clean_line(os.environ[variable], 200)}"
    return "certifi"


async def fetch_feed(
    client: httpx.AsyncClient,
    feed: FeedForUpdate,
    *,
    deadline: float = 30.0,
    max_bytes: int = MAX_FEED_BYTES,
    accept: str | None = None,
) -> FetchResult:
    """Fetch one feed, sending its stored validators; never raises for I/O.

    ``accept`` replaces the feed-flavoured Accept header (article pages ask for HTML).

    ``deadline`` bounds the whole fetch (connecting, redirects, a server that
    drips), not just each read. An error is one clean line without credentials.
    """
    result = await _fetch(client, feed, deadline, max_bytes, accept)
    if result.error is None:
        return result
    return dataclasses.replace(result, error=safe_message(result.error))


async def _fetch(
    client: httpx.AsyncClient,
    feed: FeedForUpdate,
    deadline: float,
    max_bytes: int,
    accept: str | None = None,
) -> FetchResult:
    headers = {"Accept": accept} if accept else {}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    url = feed.request_url
    try:
        async with asyncio.timeout(deadline):
            try:
                return await _get(client, feed.url, url, headers, max_bytes)
            except httpx.RemoteProtocolError as exc:
                if not _closed_before_answering(exc):
                    raise
                # A kept-alive connection the server had just closed: like a
                # browser, try an idempotent GET once more on a new connection.
                return await _get(client, feed.url, url, headers, max_bytes)
    except TimeoutError:
        return FetchResult(feed.url, error=f"timed out after {deadline:g}s")
    except TrustUnavailableError as exc:  # no server was asked: not the feed's fault
        return FetchResult(feed.url, error=str(exc), unreachable=True)
    except httpx.TooManyRedirects:
        return FetchResult(feed.url, error="too many redirects (redirect loop?)")
    except httpx.UnsupportedProtocol as exc:
        return FetchResult(feed.url, error=_unfetchable_scheme(exc, url))
    except httpx.ConnectTimeout:
        return FetchResult(feed.url, error="timed out connecting to the server", unreachable=True)
    except httpx.TimeoutException:
        return FetchResult(feed.url, error="timed out waiting for the server")
    except httpx.HTTPError as exc:
        error = describe_http_error(exc)
        unreachable = isinstance(exc, httpx.ConnectError) and error.startswith(_UNREACHABLE)
        return FetchResult(feed.url, error=error, unreachable=unreachable)
    except (ssl.SSLError, OSError) as exc:
        return FetchResult(feed.url, error=f"network error: {clean_line(str(exc))}")
    except httpx.InvalidURL as exc:  # not an httpx.HTTPError
        return FetchResult(feed.url, error=f"invalid URL: {clean_line(str(exc))}")
    except UnicodeError:
        return FetchResult(feed.url, error="invalid URL: bad international host name")
    except Exception as exc:  # whatever else: this feed failed, the others go on
        while isinstance(exc, ExceptionGroup) and exc.exceptions:
            exc = exc.exceptions[0]
        return FetchResult(feed.url, error=f"cannot fetch: {type(exc).__name__}: {exc}")


# describe_http_error's words for a connect failure that reached no server
# (a TLS failure did reach one).
_UNREACHABLE = ("connection refused", "cannot resolve host name", "cannot connect")


def _closed_before_answering(exc: httpx.RemoteProtocolError) -> bool:
    return "without sending a response" in str(exc)


async def _get(
    client: httpx.AsyncClient,
    feed_url: str,
    url: str,
    headers: dict[str, str],
    max_bytes: int,
) -> FetchResult:
    async with client.stream("GET", url, headers=headers) as response:
        permanent = _permanent_target(response, url)
        if response.status_code == 304:
            await _finish_empty_body(response)
            return FetchResult(
                feed_url,
                status=304,
                headers=dict(response.headers),
                final_url=str(response.url),
                permanent_redirect=permanent,
            )
        if not 200 <= response.status_code < 300:
            # Kept with its headers: the scheduler reads Retry-After from a 429/503.
            reason = clean_line(response.reason_phrase, 80)
            return FetchResult(
                feed_url,
                status=response.status_code,
                headers=dict(response.headers),
                error=f"HTTP {response.status_code} {reason}".strip(),
            )
        try:
            content = await _read_body(response, max_bytes)
        except _BodyRefused as refused:
            return FetchResult(
                feed_url,
                status=response.status_code,
                headers=dict(response.headers),
                error=str(refused),
            )
        return FetchResult(
            feed_url,
            status=response.status_code,
            content=content,
            headers=dict(response.headers),
            final_url=str(response.url),
            permanent_redirect=permanent,
        )


async def _finish_empty_body(response: httpx.Response) -> None:
    """Read to the end of a body HTTP says is empty (a 304), keeping the connection.

    A response left unread closes its connection: an all-304 refresh would
    open a new one for every feed. h11 knows a 304 has no body, so this
    reads nothing from the network and cannot wait on the server.
    """
    async for _ in response.aiter_raw():
        break


class _BodyRefused(Exception):
    """The body was not (fully) read; ``str()`` is the one-line reason."""


def too_large(max_bytes: int) -> str:
    """The error for a body beyond ``max_bytes``."""
    return f"feed is larger than the {format_size(max_bytes)} limit (max_feed_size); not read"


def format_size(size: int) -> str:
    """``size`` bytes for people: "512 bytes", "64 KiB", "1.5 MiB"."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            number = f"{size / scale:.1f}".removesuffix(".0")
            return f"{number} {unit}"
    return "1 byte" if size == 1 else f"{size} bytes"


async def _read_body(response: httpx.Response, max_bytes: int) -> bytes:
    """The decoded body, refused as soon as it would exceed ``max_bytes``."""
    inflater = _inflater_for(response.headers.get("content-encoding", ""))
    raw_limit = max_bytes if inflater is None else max_bytes + _COMPRESSED_SLACK
    declared = response.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > raw_limit:
        raise _BodyRefused(too_large(max_bytes))
    chunks: list[bytes] = []
    raw_size = size = 0
    async for raw in response.aiter_raw():
        raw_size += len(raw)
        if raw_size > raw_limit:
            raise _BodyRefused(too_large(max_bytes))
        for piece in [raw] if inflater is None else inflater.inflate(raw):
            size += len(piece)
            if size > max_bytes:
                raise _BodyRefused(too_large(max_bytes))
            chunks.append(piece)
    if inflater is not None:
        inflater.finish()
    return b"".join(chunks)


def _inflater_for(content_encoding: str) -> _Inflater | None:
    """The decoder a Content-Encoding needs; None for identity."""
    codings = [c.strip().lower() for c in content_encoding.split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if not codings:
        return None
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip", "deflate"):
        return _Inflater(codings[0])
    shown = clean_line(content_encoding, 40)
    raise _BodyRefused(f"server sent an unsupported Content-Encoding ({shown}); not read")


class _Inflater:
    """gzip or deflate decoding that never produces more than a piece per step.

    gzip may hold several members one after another (RFC 1952); bytes after
    the last member that do not start another are ignored, as gzip(1) does.
    "deflate" is meant to be zlib-wrapped (RFC 9110) but some servers send raw
    deflate, so its first two bytes decide.
    """

    def __init__(self, coding: str) -> None:
        self._coding = "gzip" if coding == "x-gzip" else coding
        self._decoder: zlib._Decompress | None = None
        self._held = b""  # input waiting until a stream's first bytes are known
        self._members = 0  # streams decoded to their end
        self._ended = False  # nothing more to decode; later bytes are ignored
        self._output_waiting = False  # the last step filled its piece

    def inflate(self, data: bytes) -> Iterator[bytes]:
        """Decode ``data``, yielding pieces of at most ``_INFLATE_PIECE`` bytes."""
        data, self._held = self._held + data, b""
        while (data or self._output_waiting) and not self._ended:
            if self._decoder is None:
                if self._members:
                    data = data.lstrip(b"\0")  # padding after a gzip member
                self._decoder = self._new_decoder(data)
                if self._decoder is None:
                    self._held = b"" if self._ended else data
                    return
            try:
                piece = self._decoder.decompress(data, _INFLATE_PIECE)
            except zlib.error as exc:
                raise _BodyRefused(f"cannot decode the {self._coding} body: {exc}") from None
            self._output_waiting = len(piece) == _INFLATE_PIECE
            if piece:
                yield piece
            if self._decoder.eof:
                data = self._decoder.unused_data
                self._decoder, self._output_waiting = None, False
                self._members += 1
                self._ended = self._coding != "gzip"  # bytes after a deflate stream: ignored
            else:
                data = self._decoder.unconsumed_tail

    def finish(self) -> None:
        """Refuse a body that ended before its compressed stream did."""
        if not self._ended and (self._decoder is not None or self._held):
            raise _BodyRefused(f"cannot decode the {self._coding} body: it is cut short")

    def _new_decoder(self, data: bytes) -> zlib._Decompress | None:
        """A decoder for the stream ``data`` starts; None until two bytes are known."""
        if len(data) < 2:
            return None
        if self._coding == "gzip":
            if self._members and not data.startswith(b"\x1f\x8b"):
                self._ended = True  # trailing bytes, not another member
                return None
            return zlib.decompressobj(32 + zlib.MAX_WBITS)  # gzip, or zlib mislabelled
        return zlib.decompressobj(zlib.MAX_WBITS if _zlib_header(data) else -zlib.MAX_WBITS)


def _zlib_header(head: bytes) -> bool:
    """Whether ``head`` starts like a zlib stream (RFC 1950: CM 8, FCHECK valid)."""
    return head[0] & 0x0F == 8 and head[0] >> 4 <= 7 and int.from_bytes(head[:2], "big") % 31 == 0


def _permanent_target(response: httpx.Response, requested: str) -> str | None:
    """The final URL when every redirect hop was permanent (301/308)."""
    if not response.history:
        return None
    if all(hop.status_code in _PERMANENT for hop in response.history):
        final = _with_credentials_of(requested, response.url)
        return final if final != requested else None
    return None


def _with_credentials_of(requested: str, target: httpx.URL) -> str:
    """``target``, carrying the ``user:password@`` of ``requested`` when on the same host.

    A private feed moved (http → https, a new path) still needs its credentials;
    a move to another host does not get them.
    """
    try:
        origin = httpx.URL(requested)
    except (httpx.InvalidURL, ValueError):
        return str(target)
    if origin.userinfo and not target.userinfo and origin.host == target.host:
        return str(target.copy_with(userinfo=origin.userinfo))
    return str(target)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the exceptions it was raised from, innermost last."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _unfetchable_scheme(exc: httpx.UnsupportedProtocol, asked: str) -> str:
    """Which scheme, and whether a redirect led there ("file:", say, to read a local file)."""
    try:
        target = exc.request.url
    except RuntimeError:  # no request attached: nothing more to say
        return "unsupported URL scheme"
    scheme = clean_line(target.scheme, 20) or "an empty"
    if asked.lower().startswith(("http://", "https://")):  # so a redirect led there
        return f"redirected to a {scheme}: URL, which is never fetched (only http and https)"
    return f"unsupported URL scheme {scheme}: (only http and https)"


def describe_http_error(exc: httpx.HTTPError) -> str:
    """A short, credential-free sentence for a transport failure."""
    text = clean_line(str(exc)) or type(exc).__name__
    lowered = text.lower()
    if isinstance(exc, httpx.ConnectError):
        causes = list(_causes(exc))
        if any(isinstance(cause, ConnectionRefusedError) for cause in causes):
            return "connection refused"  # httpx says only "All connection attempts failed"
        if any(isinstance(cause, socket.gaierror) for cause in causes):
            return "cannot resolve host name"
        tls = _describe_tls(causes)
        if tls is not None:
            return tls
        if (
            "name or service not known" in lowered
            or "nodename nor servname" in lowered
            or ("temporary failure in name resolution" in lowered)
            or "no address associated" in lowered
        ):
            return "cannot resolve host name"
        if "certificate" in lowered or "ssl" in lowered or "tls" in lowered:
            return f"TLS error: {text}"
        if "refused" in lowered:
            return "connection refused"
        return f"cannot connect: {text}"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "unsupported URL scheme"
    if isinstance(exc, httpx.InvalidURL):
        return "invalid URL"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"server broke the connection: {_without_raw_bytes(text)}"
    if isinstance(exc, httpx.DecodingError):
        return f"cannot decode response: {text}"
    return f"network error: {text}"


def _without_raw_bytes(text: str) -> str:
    """h11's message less the raw bytes it quotes ("illegal status line: bytearray(b'...')")."""
    return _QUOTED_BYTES.sub("", text) or text


def _describe_tls(causes: list[BaseException]) -> str | None:
    """ "TLS certificate problem: self-signed certificate" and the like."""
    for cause in causes:
        if isinstance(cause, ssl.SSLCertVerificationError):
            detail = clean_line(cause.verify_message or cause.reason or "", 120)
            return f"TLS certificate problem: {detail or 'not trusted'}"
    for cause in causes:
        if isinstance(cause, ssl.SSLError):
            detail = clean_line((cause.reason or str(cause)).replace("_", " ").lower(), 120)
            return f"TLS error: {detail}"
    return None


# -- when the server wants to be asked again ---------------------------------


def retry_after(headers: Mapping[str, str], now: datetime) -> datetime | None:
    """When a 429/503 answer's ``Retry-After`` allows the next request.

    Both forms count: delay seconds, and an HTTP date (measured against the
    response's ``Date`` when it has one, so a server clock that is off does
    not shift the wait). None when absent, unreadable, negative or not in the
    future. No policy cap here (the caller decides how long is too long); a
    delay beyond 2^31 s, HTTP's own bound for delta-seconds, counts as that.
    """
    value = _header(headers, "retry-after")
    if value is None:
        return None
    seconds = _delta_seconds(value)
    if seconds is not None:
        return _later(now, timedelta(seconds=seconds))
    when = _http_date(value)
    if when is None:
        return None
    return _later(now, _server_delay(when, headers, now))


def freshness_hint(headers: Mapping[str, str], now: datetime) -> datetime | None:
    """The time before which a refetch would only get the same response.

    ``Cache-Control: max-age`` (less ``Age``, time already spent in caches)
    wins over ``Expires``, as in RFC 9111; ``Expires`` is measured against the
    response's ``Date`` when present, so a skewed server clock does not
    matter. ``no-store`` and ``no-cache`` mean the server wants to be asked
    every time: no hint. ``must-revalidate`` and the rest do not change how
    long the response is fresh, so ``max-age`` still counts with them. An
    unreadable ``max-age`` or ``Expires`` means already stale. None when
    there is no hint or it is not in the future.
    """
    directives = _cache_directives(_header(headers, "cache-control") or "")
    if "no-store" in directives or "no-cache" in directives:
        return None
    if "max-age" in directives:
        max_age = _delta_seconds(directives["max-age"])
        if max_age is None:
            return None
        age = _delta_seconds(_header(headers, "age") or "") or 0
        return _later(now, timedelta(seconds=max_age - age))
    expires = _header(headers, "expires")
    if expires is None:
        return None
    when = _http_date(expires)
    if when is None:
        return None
    return _later(now, _server_delay(when, headers, now))


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """A header's value whatever the case of its name."""
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    return value.strip() if value is not None else None


def _delta_seconds(value: str) -> int | None:
    """A non-negative whole number of seconds (RFC 9110 digits only), bounded by 2^31."""
    value = value.strip().strip('"')
    if not value or not value.isascii() or not value.isdigit():
        return None
    if len(value) > 10:
        return _DELTA_SECONDS_MAX
    return min(int(value), _DELTA_SECONDS_MAX)


def _http_date(value: str) -> datetime | None:
    """An HTTP date as an aware datetime; None when it is not one."""
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _server_delay(when: datetime, headers: Mapping[str, str], now: datetime) -> timedelta:
    """How far ``when`` is from the server's own "now" (its Date), else from ours."""
    date = _http_date(_header(headers, "date") or "")
    return when - (date if date is not None else now)


def _later(now: datetime, delay: timedelta) -> datetime | None:
    """``now + delay`` when that is in the future; delays beyond 2^31 s count as that."""
    if delay <= timedelta(0):
        return None
    return now + min(delay, timedelta(seconds=_DELTA_SECONDS_MAX))


def _cache_directives(value: str) -> dict[str, str]:
    """Cache-Control as {lower-case name: value}; the first of a repeated name wins."""
    directives: dict[str, str] = {}
    for part in value.split(","):
        name, _, argument = part.partition("=")
        name = name.strip().lower()
        if name:
            directives.setdefault(name, argument.strip())
    return directives
