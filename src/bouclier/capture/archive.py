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
import zipfile
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
    """Whether ``wacz validate`` accepts these bytes as a WACZ: the checks its command runs
    (contents, data package, paths, hashes, package digest), each one must pass. The
    validator's own temporary folder is removed here (the command leaves it to the collector)."""
    with tempfile.TemporaryDirectory(prefix="bouclier-wacz-") as folder:
        path = Path(folder) / "capture.wacz"
        path.write_bytes(data)
        sink = io.StringIO()
        validation = None
        try:
            with (
                warnings.catch_warnings(),
                contextlib.redirect_stdout(sink),
                contextlib.redirect_stderr(sink),
            ):
                warnings.simplefilter("ignore")
                from wacz.util import WACZ_VERSION
                from wacz.validate import Validation

                validation = Validation.__new__(Validation)
                # the constructor's work, with its temporary folder removed even when the file
                # is not a ZIP (the constructor leaves it to the garbage collector then)
                validation.dir = tempfile.TemporaryDirectory(prefix="bouclier-wacz-")
                validation.wacz = str(path)
                validation.verify_auth, validation.verifier_url = False, None
                with zipfile.ZipFile(path) as zipped:
                    zipped.extractall(validation.dir.name)
                validation.detect_version()
                validation.detect_hash_type()
                if validation.version != WACZ_VERSION:
                    return False
                checks = (
                    validation.check_required_contents,
                    validation.frictionless_validate,
                    validation.check_file_paths,
                    validation.check_file_hashes,
                    validation.check_data_package_hash_and_sig,
                )
                return all(_passed(check()) for check in checks)
        except Exception:  # a hostile or damaged file: the validator's failure is the answer
            return False
        finally:
            if validation is not None:
                validation.dir.cleanup()


def _passed(result: object) -> bool:
    """A check fails when it returns False, or the integer 1 (check_required_contents' "something
    is missing", which the command itself lets pass); 0 and True are success."""
    if result is False:
        return False
    return not (type(result) is int and result == 1)
