"""Browser fixtures: Debian's Chromium driven by Playwright, and a local server for the pages.

``browser`` is one headless Chromium for the whole session; ``page`` is a fresh context and tab for
each test. ``static_server`` serves ``src/bouclier/web/static`` at ``/static/`` and a scratch folder
(``static_server.files``) at ``/``, on 127.0.0.1 only: an http origin on the loopback is a secure
context, so ``crypto.subtle`` works as it does over https.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
STATIC = Path(__file__).resolve().parents[2] / "src" / "bouclier" / "web" / "static"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

BLANK_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>test</title>
<script src="/static/pdq.js"></script></head><body></body></html>
"""


def launch(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless (Playwright's own browsers are never downloaded)."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-chromium (make test does)")
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A new tab in its own context (no cookies or storage shared between tests)."""
    context = browser.new_context()
    tab = context.new_page()
    yield tab
    context.close()


class _Handler(SimpleHTTPRequestHandler):
    def translate_path(self, path: str) -> str:
        if path.split("?", 1)[0].startswith("/static/"):
            relative = path.split("?", 1)[0][len("/static/") :]
            return str(STATIC / relative) if ".." not in relative else str(STATIC / "missing")
        return super().translate_path(path)

    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass
class StaticServer:
    url: str  # http://127.0.0.1:PORT, no trailing slash
    files: Path  # served at the root; ``index.html`` is a blank page that loads pdq.js


@contextlib.contextmanager
def serve(root: Path) -> Iterator[StaticServer]:
    """Serves ``root`` (with a blank ``index.html``) and the static folder on 127.0.0.1."""
    (root / "index.html").write_text(BLANK_PAGE)
    handler = functools.partial(_Handler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield StaticServer(url=f"http://127.0.0.1:{server.server_address[1]}", files=root)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def static_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaticServer]:
    root = tmp_path_factory.mktemp("served")
    with serve(root) as server:
        yield server
    shutil.rmtree(root, ignore_errors=True)
