"""HTTP for feeds: conditional GET with one shared httpx client.

Returns bytes plus HTTP facts as a :class:`~reader.models.FetchResult`; never
parses. Every failure becomes a one-line ``error`` on the result, never an
exception, so one broken server cannot stop a refresh of the others.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Iterator

import httpx

from reader import __version__
from reader.models import FeedForUpdate, FetchResult
from reader.sanitize import clean_line

USER_AGENT = f"newsreader/{__version__} (terminal feed reader)"
ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
MAX_FEED_BYTES = 16 * 1024 * 1024
_PERMANENT = {301, 308}


def make_client(timeout: float = 30.0, max_connections: int = 16) -> httpx.AsyncClient:
    """The one client a refresh shares: pooled connections, explicit timeouts."""
    return httpx.AsyncClient(
        follow_redirects=True,
        max_redirects=10,
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        limits=httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        ),
        headers={"User-Agent": USER_AGENT, "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"},
    )


async def fetch_feed(
    client: httpx.AsyncClient,
    feed: FeedForUpdate,
    *,
    deadline: float = 30.0,
    max_bytes: int = MAX_FEED_BYTES,
) -> FetchResult:
    """Fetch one feed, sending its stored validators; never raises for I/O."""
    headers = {}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    url = feed.request_url
    try:
        async with asyncio.timeout(deadline):
            return await _get(client, feed.url, url, headers, max_bytes)
    except TimeoutError:
        return FetchResult(feed.url, error=f"timed out after {deadline:g}s")
    except httpx.TooManyRedirects:
        return FetchResult(feed.url, error="too many redirects (redirect loop?)")
    except httpx.TimeoutException:
        return FetchResult(feed.url, error="timed out waiting for the server")
    except httpx.HTTPError as exc:
        return FetchResult(feed.url, error=describe_http_error(exc))
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
            return FetchResult(
                feed_url,
                status=304,
                headers=dict(response.headers),
                final_url=str(response.url),
                permanent_redirect=permanent,
            )
        if response.status_code >= 400:
            reason = response.reason_phrase or ""
            return FetchResult(
                feed_url,
                status=response.status_code,
                headers=dict(response.headers),
                error=f"HTTP {response.status_code} {reason}".strip(),
            )
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > max_bytes:
                return FetchResult(
                    feed_url,
                    status=response.status_code,
                    error=f"feed is larger than {max_bytes // (1024 * 1024)} MiB; not read",
                )
            chunks.append(chunk)
        return FetchResult(
            feed_url,
            status=response.status_code,
            content=b"".join(chunks),
            headers=dict(response.headers),
            final_url=str(response.url),
            permanent_redirect=permanent,
        )


def _permanent_target(response: httpx.Response, requested: str) -> str | None:
    """The final URL when every redirect hop was permanent (301/308)."""
    if not response.history:
        return None
    if all(hop.status_code in _PERMANENT for hop in response.history):
        final = str(response.url)
        return final if final != requested else None
    return None


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the exceptions it was raised from, innermost last."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


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
        return f"server broke the connection: {text}"
    if isinstance(exc, httpx.DecodingError):
        return f"cannot decode response: {text}"
    return f"network error: {text}"
