"""A capture's WARC packaged as WACZ (Web Archive Collection Zipped), and WACZ validation.

WACZ is what web archivists and replay tools (ReplayWeb.page) read: the WARC, a CDXJ index, the
pages visited and a ``datapackage.json`` with the SHA-256 of each file. Both directions use the
``wacz`` package (webrecorder's reference tool): :func:`package` runs ``wacz create`` on the WARC
with the captured page as the one page, :func:`validate` runs ``wacz validate`` (the files'
hashes, the index, the package's structure) on a WACZ read from anywhere.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
import warnings
from datetime import datetime
from pathlib import Path

from bouclier.storage.models import utc_iso

PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}


def _main(args: list[str]) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # frictionless and its dependencies warn on import
        from wacz.main import main

        sink = io.StringIO()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            return int(main(args) or 0)


def package(warc: bytes, url: str, title: str | None, at: datetime) -> bytes:
    """The WACZ of one capture's WARC, whose one page is ``url`` at ``at``."""
    with tempfile.TemporaryDirectory(prefix="bouclier-wacz-") as folder:
        root = Path(folder)
        (root / "capture.warc.gz").write_bytes(warc)
        page = {"id": "capture", "url": url, "ts": utc_iso(at), "title": title or url}
        (root / "pages.jsonl").write_text(
            json.dumps(PAGES_HEADER) + "\n" + json.dumps(page, ensure_ascii=False) + "\n"
        )
        out = root / "capture.wacz"
        code = _main(
            [
                "create",
                "-f",
                str(root / "capture.warc.gz"),
                "-o",
                str(out),
                "-p",
                str(root / "pages.jsonl"),
                "--copy-pages",
                "--title",
                "Bouclier capture",
                "--hash-type",
                "sha256",
            ]
        )
        if code != 0 or not out.exists():
            raise RuntimeError(f"wacz create failed (exit code {code})")
        return out.read_bytes()


def validate(data: bytes) -> bool:
    """Whether ``wacz validate`` accepts these bytes as a WACZ."""
    with tempfile.TemporaryDirectory(prefix="bouclier-wacz-") as folder:
        path = Path(folder) / "capture.wacz"
        path.write_bytes(data)
        try:
            return _main(["validate", "-f", str(path)]) == 0
        except Exception:  # a hostile or damaged file: the validator's failure is the answer
            return False
