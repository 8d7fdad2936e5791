"""One visit of a URL in a headless Chromium, recorded: WARC, screenshot, HTML, final URL, TLS.

Each capture starts its own Chromium (Debian's, driven by Playwright) with a new, empty profile
in a temporary folder that is deleted afterwards: nothing (cookies, storage, cache) is shared
between captures or kept. Every request of the page is intercepted and fetched by the capture's
:class:`~bouclier.capture.fetcher.Fetcher` (the webhooks' network rules, a byte budget and a
deadline), then written to the WARC as a request and a response record before the browser gets
the response. The browser also goes through a proxy that does not exist, so anything that
escaped the interception (a WebSocket) fails instead of reaching the network; WebSocket and
WebRTC are removed from the page, and service workers blocked.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from bouclier import __version__
from bouclier.capture.fetcher import Fetched, Fetcher, FetchFailed, FetchRefused
from bouclier.storage.models import utc_iso, utcnow

if TYPE_CHECKING:
    from playwright.sync_api import Route

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
    "--proxy-server=http://127.0.0.1:9",  # nothing listens there: what escapes routing fails
    "--proxy-bypass-list=<-loopback>",
]
_NO_SOCKETS = """
(() => { for (const name of ["WebSocket", "RTCPeerConnection", "webkitRTCPeerConnection",
  "EventSource"]) { try { delete window[name]; window[name] = undefined; } catch (e) {} } })();
"""
_DROPPED_FULFIL = frozenset({"content-length", "content-encoding", "transfer-encoding"})
VIEWPORT = {"width": 1280, "height": 900}
REDIRECTS = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 10
_HTML = {"content-type": "text/html; charset=utf-8", "cache-control": "no-store"}
MAX_SCREENSHOT_HEIGHT = 16_000


@dataclass
class Recording:
    """What one visit gave: the WARC (gzip records), the page as shown, and what was refused."""

    url: str
    started_at: datetime
    finished_at: datetime | None = None
    final_url: str | None = None
    status: int | None = None  # the main document's HTTP status; None when it never came
    error: str | None = None  # why the page did not load, when it did not
    warc: bytes = b""
    screenshot: bytes | None = None
    html: str | None = None
    title: str | None = None
    exchanges: list[Fetched] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # "URL: why"
    chains: dict[str, tuple[bytes, ...]] = field(default_factory=dict)  # host -> DER chain
    redirect_to: str | None = None  # where the main document was last redirected, unfollowed

    @property
    def main_chain(self) -> tuple[bytes, ...]:
        host = urlsplit(self.final_url or self.url).hostname or ""
        return self.chains.get(host, ())


def record(url: str, fetcher: Fetcher, *, browser: Path, timeout: float) -> Recording:
    """Visits ``url`` once and records it. Never raises for what the site does (unreachable,
    refused, too large, too slow): that is in ``error``; raises for a browser that cannot start."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    rec = Recording(url=url, started_at=utcnow())
    _warcinfo(writer, url)

    profile = Path(tempfile.mkdtemp(prefix="bouclier-capture-"))
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(profile),
                executable_path=str(browser),
                headless=True,
                args=CHROMIUM_ARGS,
                viewport=VIEWPORT,  # type: ignore[arg-type]
                service_workers="block",
                accept_downloads=False,
                bypass_csp=False,
            )
            try:
                context.set_default_timeout(timeout * 1000)
                context.add_init_script(_NO_SOCKETS)
                context.route("**/*", functools.partial(_route, rec, fetcher, writer))
                page = context.new_page()
                started = time.monotonic()
                try:
                    page.goto(url, wait_until="load", timeout=timeout * 1000)
                    for _ in range(MAX_REDIRECTS):
                        target, rec.redirect_to = rec.redirect_to, None
                        if target is None:
                            break
                        page.wait_for_url(target, wait_until="load", timeout=timeout * 1000)
                    with contextlib.suppress(PlaywrightError):
                        left = max(1.0, timeout - (time.monotonic() - started))
                        page.wait_for_load_state("networkidle", timeout=min(left, 5.0) * 1000)
                except PlaywrightError as exc:
                    rec.error = _first_line(str(exc))
                rec.final_url = page.url if page.url != "about:blank" else None
                with contextlib.suppress(PlaywrightError):
                    rec.html = page.content()
                    rec.title = page.title()
                    rec.screenshot = _screenshot(page)
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    rec.finished_at = utcnow()
    rec.warc = out.getvalue()
    return rec


def _route(rec: Recording, fetcher: Fetcher, writer: Any, handle: Route) -> None:
    """Fetches one request of the page, writes it to the WARC, answers the browser."""
    request = handle.request
    navigation = request.is_navigation_request() and request.frame.parent_frame is None
    url = request.url
    body = request.post_data_buffer
    method = request.method
    for _ in range(MAX_REDIRECTS + 1):
        try:
            fetched = fetcher.fetch(method, url, request.headers, body)
        except (FetchRefused, FetchFailed) as exc:
            rec.refused.append(f"{url[:300]}: {exc}")
            handle.abort("blockedbyclient" if isinstance(exc, FetchRefused) else "failed")
            return
        rec.exchanges.append(fetched)
        if fetched.chain:
            rec.chains.setdefault(urlsplit(fetched.url).hostname or "", fetched.chain)
        _write_exchange(writer, fetched)
        target = fetched.header("location")
        if navigation:
            rec.status = fetched.status
        if fetched.status not in REDIRECTS or not target:
            break
        target = urljoin(url, target)
        if navigation:
            # Chromium does not route the next hop of a redirect answered by a route, so the
            # page is sent on by a new navigation (which is routed); the WARC has the 3xx
            rec.redirect_to = target
            handle.fulfill(status=200, headers=_HTML, body=_forward(target))
            return
        url, method, body = target, "GET", None  # a subresource's redirect: followed here
    headers = {k: v for k, v in fetched.headers if k.lower() not in _DROPPED_FULFIL}
    handle.fulfill(status=fetched.status, headers=headers, body=_decoded(fetched))


def _screenshot(page: Any) -> bytes:
    height = int(page.evaluate("document.documentElement.scrollHeight") or 0)
    if height > MAX_SCREENSHOT_HEIGHT:  # the top of a very long page, not a 2 GB PNG
        clip = {"x": 0, "y": 0, "width": VIEWPORT["width"], "height": MAX_SCREENSHOT_HEIGHT}
        return bytes(page.screenshot(full_page=True, clip=clip, type="png"))
    return bytes(page.screenshot(full_page=True, type="png"))


def _forward(target: str) -> bytes:
    """A page that sends the browser on to ``target`` (see the route's comment)."""
    quoted = json.dumps(target).replace("<", "\\u003c")
    return f"<!doctype html><script>location.replace({quoted})</script>".encode()


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0][:500] if message.strip() else "the page did not load"


def _decoded(fetched: Fetched) -> bytes:
    """The body as the browser must get it: decoded if the server compressed it anyway."""
    if not fetched.header("content-encoding"):
        return fetched.body
    import httpx

    try:
        response = httpx.Response(fetched.status, headers=list(fetched.headers))
        response.stream = httpx.ByteStream(fetched.body)
        return response.read()
    except httpx.DecodingError:
        return fetched.body


def _warcinfo(writer: Any, url: str) -> None:
    info = {
        "software": f"bouclier/{__version__} (Chromium via Playwright, warcio)",
        "format": "WARC File Format 1.1",
        "isPartOf": "bouclier-capture",
        "description": f"capture of {url[:500]}",
    }
    writer.write_record(writer.create_warcinfo_record("capture.warc.gz", info))


def _write_exchange(writer: Any, fetched: Fetched) -> None:
    from warcio.statusandheaders import StatusAndHeaders

    target = urlsplit(fetched.url)
    path = (target.path or "/") + (f"?{target.query}" if target.query else "")
    version = fetched.http_version if fetched.http_version.startswith("HTTP/") else "HTTP/1.1"
    response_headers = StatusAndHeaders(
        f"{fetched.status} {fetched.reason}".strip(), list(fetched.headers), protocol=version
    )
    stamp = utc_iso(utcnow())
    extra = {"WARC-Date": stamp}
    if fetched.remote_address:
        extra["WARC-IP-Address"] = fetched.remote_address
    response = writer.create_warc_record(
        fetched.url,
        "response",
        payload=io.BytesIO(fetched.body),
        length=len(fetched.body),  # known: warcio then needs no temporary file to digest it
        http_headers=response_headers,
        warc_headers_dict=extra,
    )
    request_headers = StatusAndHeaders(
        f"{fetched.method} {path} {version}",
        [("Host", target.netloc), *fetched.request_headers],
        is_http_request=True,
    )
    request = writer.create_warc_record(
        fetched.url,
        "request",
        payload=io.BytesIO(fetched.request_body),
        length=len(fetched.request_body),
        http_headers=request_headers,
        warc_headers_dict={"WARC-Date": stamp},
    )
    writer.write_request_response_pair(request, response)
