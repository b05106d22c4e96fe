"""Pages by URL: a web page or a PDF fetched over http(s), safely by default.

Every hop (the URL and each redirect) is resolved here and refused unless all its addresses are
public (not private, loopback, link-local, shared or reserved), unless `fetch.allow_private` is
set or the address sits in `fetch.allow_networks`. The connection then goes to the address that
was checked, never to a second lookup of the name (a name that changes its answer between the check
and the connect cannot reach the inside). No cookies, credentials or proxies from the environment
are sent; size, time and redirects are capped and the content type must be one the readers take.
safehttpx (Gradio's) does the same pinning but asks dns.google when the local resolver finds no
public address, takes a name if any one of its addresses is public, and follows no redirects."""
from __future__ import annotations

import ipaddress
import mimetypes
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

import httpx

from rag.config import FetchSettings
from rag.errors import FetchError, UserInputError

Resolver = Callable[[str, int], list[str]]
KINDS = {"text/html": ".html", "application/xhtml+xml": ".html", "text/plain": ".txt", "text/markdown": ".md",
         "application/pdf": ".pdf"}  # what mimetypes would get wrong or not know; the rest by mimetypes
REDIRECTS = (301, 302, 303, 307, 308)


@dataclass
class Fetched:
    url: str  # as asked for
    final_url: str  # after redirects
    data: bytes
    suffix: str  # the reader it goes to, from the content type
    fetched: str  # ISO time, UTC


def fetch(url: str, settings: FetchSettings, supported: tuple[str, ...], resolve: Resolver | None = None) -> Fetched:
    """The bytes at url, each hop checked by the guard; raises UserInputError (refused) or
    FetchError (the remote side failed)."""
    resolve = resolve or _resolve
    deadline = time.monotonic() + settings.timeout_s
    current = check_url(url)
    for _ in range(settings.max_redirects + 1):
        address = allowed_address(current, settings, resolve)
        response = _get(current, address, settings, deadline)
        if response is None:
            raise FetchError(f"Fetching {_shown(current)} took longer than {settings.timeout_s:g} s.")
        status, headers, data = response
        if status in REDIRECTS and headers.get("location"):
            current = check_url(str(current.join(headers["location"])))
            continue
        if status != 200:
            raise FetchError(f"{_shown(current)} answered HTTP {status}.")
        return Fetched(url, str(current), data, _suffix(headers.get("content-type", ""), current, supported),
                       datetime.now(timezone.utc).isoformat(timespec="seconds"))
    raise FetchError(f"{_shown(url)} redirects more than {settings.max_redirects} times.")


def check_url(url: str) -> httpx.URL:
    """An absolute http(s) URL without credentials in it."""
    try:
        parsed = httpx.URL(url.strip() if isinstance(url, str) else "")
    except (httpx.InvalidURL, TypeError, ValueError):
        raise UserInputError(f"'{str(url)[:100]}' is not a URL.") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise UserInputError(f"Only http:// and https:// URLs can be fetched, not '{str(url)[:100]}'.")
    if parsed.userinfo:
        raise UserInputError("A URL with a user name or password in it is not fetched; remove them.")
    return parsed


def allowed_address(url: httpx.URL, settings: FetchSettings, resolve: Resolver) -> str:
    """The address to connect to, once every address the name has passed the guard."""
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        addresses = resolve(url.host, port)
    except OSError as exc:
        raise FetchError(f"Cannot resolve {url.host}: {exc}.") from None
    if not addresses:
        raise FetchError(f"Cannot resolve {url.host}.")
    for address in addresses:
        if not is_allowed(address, settings):
            raise UserInputError(f"{_shown(url)} leads to {address}, a private, loopback or reserved address; "
                                 "set fetch.allow_private (or list its network in fetch.allow_networks) to fetch it.")
    return addresses[0]


def is_allowed(address: str, settings: FetchSettings) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if settings.allow_private or any(ip in ipaddress.ip_network(n, strict=False) for n in settings.allow_networks):
        return not ip.is_unspecified
    return ip.is_global and not ip.is_multicast


def _resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


class _Pinned(httpx.HTTPTransport):
    """Connects to the checked address; the Host header and TLS name stay the URL's host."""

    def __init__(self, address: str, **kwargs):
        super().__init__(**kwargs)
        self.address = address

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        request.url = request.url.copy_with(host=self.address)
        request.extensions = {**request.extensions, "sni_hostname": host}
        return super().handle_request(request)


def _get(url: httpx.URL, address: str, settings: FetchSettings, deadline: float):
    """(status, headers, body) of one GET, or None past the deadline; a body over the limit is refused."""
    limit = int(settings.max_mb * 1024 * 1024)
    left = deadline - time.monotonic()
    if left <= 0:
        return None
    headers = {"User-Agent": settings.user_agent, "Accept": "text/html,application/xhtml+xml,application/pdf,*/*;q=0.5"}
    try:
        with httpx.Client(transport=_Pinned(address, retries=0), timeout=min(left, settings.timeout_s),
                          follow_redirects=False, trust_env=False) as client:
            with client.stream("GET", url, headers=headers) as response:
                if response.status_code != 200:
                    return response.status_code, response.headers, b""
                if int(response.headers.get("content-length") or 0) > limit:
                    raise UserInputError(f"{_shown(url)} is larger than the {settings.max_mb:g} MB limit (fetch.max_mb).")
                body = bytearray()
                for part in response.iter_bytes():
                    body += part
                    if len(body) > limit:
                        raise UserInputError(f"{_shown(url)} is larger than the {settings.max_mb:g} MB limit "
                                             "(fetch.max_mb).")
                    if time.monotonic() > deadline:
                        return None
                return 200, response.headers, bytes(body)
    except httpx.TimeoutException:
        return None
    except httpx.HTTPError as exc:
        raise FetchError(f"Cannot fetch {_shown(url)}: {exc}.") from None


def _suffix(content_type: str, url: httpx.URL, supported: tuple[str, ...]) -> str:
    kind = content_type.split(";")[0].strip().lower()
    suffix = KINDS.get(kind) or mimetypes.guess_extension(kind or "") or ""
    if kind in ("", "application/octet-stream"):  # a server that does not say: the path's suffix
        suffix = "." + url.path.rsplit(".", 1)[-1].lower() if "." in url.path.rsplit("/", 1)[-1] else ""
    if suffix not in supported:
        raise UserInputError(f"{_shown(url)} is {kind or 'of no stated type'}, which cannot be indexed; "
                             f"supported: {', '.join(supported)}.")
    return suffix


def _shown(url) -> str:
    text = str(url)
    return text if len(text) <= 100 else text[:97] + "..."
