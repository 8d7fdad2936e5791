"""Evidence bundles: what they hold, and every kind of tampering reported in words."""

from __future__ import annotations

import hashlib
import io
import json
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bouclier.cases import Cases, HashReport, custody
from bouclier.cases.bundle_check import MAX_ENTRIES, verify_bundle
from bouclier.cases.evidence import content_digest, export_bundle
from bouclier.cases.summary import ascii_url, latin1, shown_url
from bouclier.settings import Settings
from bouclier.storage import Database
from bouclier.storage.models import Notice, utcnow
from tests.conftest import encode, photo

PDQ_A = "a5" * 32
NON_LATIN_URL = "https://пример.рф/фото/日本?q=ção"

Files = dict[str, bytes]


@pytest.fixture
def cases(db: Database, tmp_path: Path) -> Cases:
    return Cases(db, Settings(data_dir=tmp_path))


@pytest.fixture
def filled(cases: Cases) -> tuple[str, bytes]:
    """A case with URLs (one non-latin), a hash and an evidence file; its number and image."""
    case, _ = cases.create(language="fr", sextortion=True)
    cases.add_urls(case.number, ["https://www.instagram.com/p/abc", NON_LATIN_URL])
    cases.add_hashes(case.number, [HashReport(PDQ_A, 90, "0" * 64)])
    image = encode(photo(7))
    cases.add_evidence(case.number, image)
    return case.number, image


def _unzip(data: bytes) -> Files:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(files: Files) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _manifest(files: Files) -> dict:  # type: ignore[type-arg]
    return json.loads(files["manifest.json"])  # type: ignore[no-any-return]


def _set_manifest(files: Files, manifest: dict) -> None:  # type: ignore[type-arg]
    files["manifest.json"] = json.dumps(manifest, ensure_ascii=False).encode()


def _relist(files: Files, name: str) -> None:
    """Updates the manifest's digest of ``name``, as a careful forger would."""
    manifest = _manifest(files)
    manifest["files"][name] = {
        "sha256": hashlib.sha256(files[name]).hexdigest(),
        "size": len(files[name]),
    }
    _set_manifest(files, manifest)


def _evidence_name(files: Files) -> str:
    [name] = [n for n in files if n.startswith("evidence/")]
    return name


def pdf_text(pdf: bytes) -> str:
    """The text drawn in a PDF made by fpdf2 (its streams are deflated)."""
    parts = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)).decode("latin-1"))
        except zlib.error:
            continue
    return "\n".join(parts)


# --- what a bundle holds ---------------------------------------------------------------------


def test_a_bundle_holds_the_case_and_verifies(cases: Cases, filled: tuple[str, bytes]) -> None:
    number, image = filled
    data = export_bundle(cases, number, actor="analyst:alice")
    files = _unzip(data)
    evidence = _evidence_name(files)
    assert list(files) == [
        "manifest.json",
        "signature.json",
        "custody.jsonl",
        "summary.pdf",
        "VERIFY.txt",
        evidence,
    ]
    assert files[evidence] == image
    assert evidence.endswith(".jpg")

    manifest = _manifest(files)
    assert manifest["format_version"] == 2
    assert manifest["tool"]["name"] == "bouclier"
    assert manifest["generated_at"].endswith("Z")
    assert manifest["case"]["number"] == number
    assert manifest["case"]["sextortion"] is True
    assert manifest["case"]["collective"] == {"member": False, "cases": 0, "numbers": []}
    kinds = [item["kind"] for item in manifest["items"]]
    assert kinds == ["url", "url", "hash", "evidence"]
    assert manifest["items"][1]["url"] == NON_LATIN_URL
    assert manifest["items"][2]["pdq"] == PDQ_A
    assert manifest["items"][3]["sha256"] == hashlib.sha256(image).hexdigest()
    assert manifest["items"][3]["file"] == evidence
    assert set(manifest["files"]) == set(files) - {"manifest.json", "signature.json"}
    for name, listed in manifest["files"].items():
        assert listed == {
            "sha256": hashlib.sha256(files[name]).hexdigest(),
            "size": len(files[name]),
        }

    # the export is the log's last entry, in the database as in the bundle
    log = custody.from_jsonl(files["custody.jsonl"])
    assert log[-1].kind == "bundle.exported"
    assert log[-1].actor == "analyst:alice"
    assert log[-1].data["content_sha256"] == content_digest(manifest)
    in_db = cases.verify(number)
    assert in_db.ok
    assert manifest["custody"] == {
        "file": "custody.jsonl",
        "length": in_db.length,
        "head_sha256": in_db.head,
    }

    result = verify_bundle(data)
    assert result.ok, result.problems
    assert result.problems == ()
    assert result.case_number == number
    assert result.custody is not None
    assert result.custody.head == in_db.head

    verify_text = files["VERIFY.txt"].decode()
    assert "bouclier evidence verify" in verify_text
    assert "sha256sum" in verify_text
    assert "prev_sha256" in verify_text


def test_the_zip_is_in_a_fixed_order_with_utc_times(
    cases: Cases, filled: tuple[str, bytes]
) -> None:
    number, _ = filled
    data = export_bundle(cases, number, actor="analyst")
    generated = _manifest(_unzip(data))["generated_at"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        stamps = {info.date_time for info in archive.infolist()}
    year, month, day, hour, minute, second = (int(x) for x in re.split(r"[-T:.Z]", generated)[:6])
    # ZIP times are local times with 2-second steps: Bouclier writes them in UTC
    assert stamps == {(year, month, day, hour, minute, second - second % 2)}


def test_the_summary_is_a_pdf_an_officer_can_read(cases: Cases, filled: tuple[str, bytes]) -> None:
    number, _ = filled
    files = _unzip(export_bundle(cases, number, actor="analyst"))
    pdf = files["summary.pdf"]
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert f"Dossier {number}" in text  # all in the case's language (French), latin-1
    assert "SEXTORSION signal\xe9e" in text
    assert "\xc9l\xe9ments signal\xe9s" in text
    assert "Items reported" not in text  # no English heading
    assert "empreinte d'image" in text  # readable values, not "hash"
    assert "(en attente) Tj" in text  # not "pending" (the words wrap in their column)
    opened = cases.get(number).created_at.astimezone(ZoneInfo("Europe/Paris"))
    # a time in the hotline's zone (the default, Europe/Paris), on one line: one text run
    assert f"({opened:%d/%m/%Y %H:%M}) Tj" in text
    assert "Europe/Paris" in text
    assert "UTC" not in text
    # the non-latin URL is written as a browser sends it, not dropped and not a crash
    assert "xn--e1afmkfd.xn--p1ai" in text
    assert ascii_url(NON_LATIN_URL) == (
        "https://xn--e1afmkfd.xn--p1ai/%D1%84%D0%BE%D1%82%D0%BE/%E6%97%A5%E6%9C%AC?q=%C3%A7%C3%A3o"
    )
    assert "instagram.com/p/abc" in text
    assert 1 <= len(re.findall(rb"/Type /Page\b", pdf)) <= 3


def test_a_long_case_stays_short_on_paper(cases: Cases) -> None:
    case, _ = cases.create(language="es", minor=True)
    long_url = "https://example.org/" + "y" * 1970
    urls = [long_url] + [f"https://x.com/u{i}/status/{i}?q=" + "é" * i for i in range(60)]
    cases.add_urls(case.number, urls)
    data = export_bundle(cases, case.number, actor="analyst")
    files = _unzip(data)
    text = pdf_text(files["summary.pdf"])
    assert "la URL completa est\xe1 en manifest.json" in text
    assert shown_url(long_url).endswith("y... (cut here: the whole URL is in manifest.json)")
    assert "... y 36 m\xe1s: v\xe9ase manifest.json." in text
    assert len(re.findall(rb"/Type /Page\b", files["summary.pdf"])) <= 3
    assert _manifest(files)["items"][0]["url"] == long_url
    assert len(_manifest(files)["items"]) == 61
    assert verify_bundle(data).ok


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("Élodie, año, ça", "Élodie, año, ça"),  # latin-1 kept as is
        ("Łódź Ōsaka, œuvre – “ok”", 'Lódz Osaka, oeuvre - "ok"'),  # folded to the base letter
        ("пример 日本 😀", "?????? ?? ?"),  # nothing to fold to
        ("tab\there", "tab here"),
    ],
)
def test_text_outside_latin1_is_transliterated(text: str, written: str) -> None:
    assert latin1(text) == written


def test_spanish_headings_and_a_minor(cases: Cases) -> None:
    case, _ = cases.create(language="es", minor=True)
    cases.add_urls(case.number, ["https://x.com/a/status/1"])
    files = _unzip(export_bundle(cases, case.number, actor="analyst"))
    assert not [n for n in files if n.startswith("evidence/")]
    text = pdf_text(files["summary.pdf"])
    assert "Elementos denunciados" in text
    assert "Items reported" not in text
    assert "afecta a un MENOR" in text
    assert "enlace" in text
    log = custody.from_jsonl(files["custody.jsonl"])
    assert log[-1].data["with_files"] is False


def test_without_files(cases: Cases, filled: tuple[str, bytes]) -> None:
    number, _ = filled
    data = export_bundle(cases, number, actor="analyst", include_files=False)
    files = _unzip(data)
    assert not [n for n in files if n.startswith("evidence/")]
    assert "file" not in _manifest(files)["items"][3]
    assert verify_bundle(data).ok


def test_notices_and_collective_cases(cases: Cases, db: Database) -> None:
    first, _ = cases.create()
    code = cases.invite(first.number)
    second, _ = cases.create(invitation=code)
    cases.add_urls(second.number, ["https://example.org/a"])
    now = utcnow()
    with db.transaction() as session:
        session.add(
            Notice(
                reference="N-TEST-1",
                case_id=second.id,
                platform="example.org",
                url="https://example.org/a",
                law="dsa",
                channel="email",
                recipient="abuse@example.org",
                status="sent",
                created_at=now,
                sent_at=now,
                deadline_at=now,
            )
        )
    data = export_bundle(cases, second.number, actor="analyst")
    files = _unzip(data)
    manifest = _manifest(files)
    assert manifest["case"]["collective"] == {
        "member": True,
        "cases": 2,
        "numbers": [first.number],  # the police link the families' cases
    }
    [notice] = manifest["notices"]
    assert notice["reference"] == "N-TEST-1"
    assert notice["status"] == "sent"
    assert notice["answered_at"] is None
    assert first.number in pdf_text(files["summary.pdf"])
    assert "N-TEST-1" in pdf_text(files["summary.pdf"])
    assert verify_bundle(data).ok


# --- tampering -------------------------------------------------------------------------------


def _edit_log_byte(files: Files) -> None:
    files["custody.jsonl"] = files["custody.jsonl"].replace(
        b'"actor":"victim"', b'"actor":"victin"', 1
    )


def _edit_log_byte_and_relist(files: Files) -> None:
    _edit_log_byte(files)
    _relist(files, "custody.jsonl")


def _remove_entry(files: Files) -> None:
    lines = files["custody.jsonl"].splitlines(keepends=True)
    files["custody.jsonl"] = b"".join(lines[:1] + lines[2:])
    _relist(files, "custody.jsonl")


def _reorder_entries(files: Files) -> None:
    lines = files["custody.jsonl"].splitlines(keepends=True)
    lines[1], lines[2] = lines[2], lines[1]
    files["custody.jsonl"] = b"".join(lines)
    _relist(files, "custody.jsonl")


def _drop_last_entry(files: Files) -> None:
    lines = files["custody.jsonl"].splitlines(keepends=True)
    files["custody.jsonl"] = b"".join(lines[:-1])
    _relist(files, "custody.jsonl")


def _edit_manifest_url(files: Files) -> None:
    manifest = _manifest(files)
    manifest["items"][0]["url"] = "https://www.instagram.com/p/other"
    _set_manifest(files, manifest)


def _edit_manifest_flag(files: Files) -> None:
    manifest = _manifest(files)
    manifest["case"]["minor"] = True
    _set_manifest(files, manifest)


def _swap_evidence(files: Files) -> None:
    files[_evidence_name(files)] = encode(photo(8))


def _swap_evidence_and_relist(files: Files) -> None:
    _swap_evidence(files)
    _relist(files, _evidence_name(files))


def _edit_summary_and_relist(files: Files) -> None:
    files["summary.pdf"] += b"% an incremental update would go here\n"
    _relist(files, "summary.pdf")


def _add_file(files: Files) -> None:
    files["evidence/999.jpg"] = encode(photo(9))


def _add_file_and_list_it(files: Files) -> None:
    _add_file(files)
    _relist(files, "evidence/999.jpg")


def _remove_file(files: Files) -> None:
    del files[_evidence_name(files)]


def _remove_file_and_its_listing(files: Files) -> None:
    name = _evidence_name(files)
    del files[name]
    manifest = _manifest(files)
    del manifest["files"][name]
    _set_manifest(files, manifest)


def _remove_manifest(files: Files) -> None:
    del files["manifest.json"]


def _remove_log(files: Files) -> None:
    del files["custody.jsonl"]


def _manifest_not_json(files: Files) -> None:
    files["manifest.json"] = b"{not json"


def _deeply_nested_manifest(files: Files) -> None:
    files["manifest.json"] = b"[" * 100_000


def _hostile_log_values(files: Files) -> None:
    files["custody.jsonl"] += (
        b'{"seq": Infinity, "at": "x", "kind": "x", "actor": "x", "data": {}, '
        b'"prev_sha256": "x", "sha256": "x"}\n'
    )
    _relist(files, "custody.jsonl")


def _nan_in_log_data(files: Files) -> None:
    files["custody.jsonl"] += (
        b'{"seq": 99, "at": "x", "kind": "x", "actor": "x", "data": {"a": NaN}, '
        b'"prev_sha256": "\xc3\xa9", "sha256": "x"}\n'
    )
    _relist(files, "custody.jsonl")


TAMPERING: list[tuple[Callable[[Files], None], str]] = [
    (_edit_log_byte, "custody.jsonl was altered"),
    (_edit_log_byte_and_relist, "entry 1: content does not match its hash (edited)"),
    (_remove_entry, "entry 2: sequence number is 3, not 2"),
    (_remove_entry, "does not follow the entry before it"),
    (_reorder_entries, "entry 2: sequence number is 3, not 2"),
    (_drop_last_entry, "the custody log does not end with the export of this bundle"),
    (_drop_last_entry, "the last entry is not the one the manifest names"),
    (_edit_manifest_url, "differ from those recorded in the custody log"),
    (_edit_manifest_flag, "differ from those recorded in the custody log"),
    (_swap_evidence, "was altered: its SHA-256 is"),
    (_swap_evidence_and_relist, "differs from the file recorded in the custody log"),
    (_edit_summary_and_relist, "summary.pdf differs from the file recorded"),
    (_add_file, "evidence/999.jpg is in the bundle but not listed in the manifest (added)"),
    (_add_file_and_list_it, "evidence/999.jpg was not in the bundle when it was exported"),
    (_remove_file, "is listed in the manifest but missing from the bundle"),
    (_remove_file_and_its_listing, "was in the bundle when it was exported, and is missing"),
    (_remove_manifest, "manifest.json is missing"),
    (_remove_log, "custody.jsonl (the custody log) is missing"),
    (_manifest_not_json, "manifest.json is not valid JSON"),
    (_deeply_nested_manifest, "manifest.json is not valid JSON"),
    (_hostile_log_values, "cannot be read as a custody log"),
    (_nan_in_log_data, "entry 7: malformed, it cannot be hashed"),
]


@pytest.mark.parametrize(("tamper", "expected"), TAMPERING, ids=[t.__name__ for t, _ in TAMPERING])
def test_tampering_is_reported(
    cases: Cases, filled: tuple[str, bytes], tamper: Callable[[Files], None], expected: str
) -> None:
    number, _ = filled
    files = _unzip(export_bundle(cases, number, actor="analyst"))
    assert verify_bundle(_zip(files)).ok  # rezipped untouched, it still verifies
    tamper(files)
    result = verify_bundle(_zip(files))
    assert not result.ok
    assert any(expected in problem for problem in result.problems), result.problems


def test_a_rewritten_bundle_shows_a_head_the_database_does_not_have(
    cases: Cases, filled: tuple[str, bytes]
) -> None:
    """A forger who recomputes every hash gets a bundle consistent with itself, but no longer
    signed by the manifest's key (see tests/cases/test_bundle_signature.py for one re-signed
    with another key), and its head is not the one the issuing side holds."""
    number, _ = filled
    files = _unzip(export_bundle(cases, number, actor="analyst"))
    log = custody.from_jsonl(files["custody.jsonl"])
    forged, prev = [], custody.GENESIS
    for entry in log:
        actor = "someone else" if entry.seq == 1 else entry.actor
        digest = custody.entry_hash(prev, entry.seq, entry.at, entry.kind, actor, entry.data)
        forged.append(
            custody.Entry(entry.seq, entry.at, entry.kind, actor, entry.data, prev, digest)
        )
        prev = digest
    files["custody.jsonl"] = custody.to_jsonl(forged)
    manifest = _manifest(files)
    manifest["custody"]["head_sha256"] = prev
    _set_manifest(files, manifest)
    _relist(files, "custody.jsonl")
    result = verify_bundle(_zip(files))
    assert not result.ok
    assert [p for p in result.problems if "signature" in p] == list(result.problems)
    assert result.custody is not None
    assert result.custody.head != cases.verify(number).head


@pytest.mark.parametrize("cut", [1, 100, 0.5, -22, -1])
def test_a_truncated_bundle_is_reported(
    cases: Cases, filled: tuple[str, bytes], cut: float
) -> None:
    data = export_bundle(cases, filled[0], actor="analyst")
    end = int(len(data) * cut) if isinstance(cut, float) else cut
    result = verify_bundle(data[:end])
    assert not result.ok
    assert result.problems
    assert "not a ZIP file" in result.problems[0]


@pytest.mark.parametrize("data", [b"", b"hello", b"%PDF-1.4 not a zip", b"PK\x05\x06" + b"\0" * 18])
def test_what_is_not_a_bundle(data: bytes) -> None:
    result = verify_bundle(data)
    assert not result.ok
    assert result.custody is None
    assert result.problems


def test_a_damaged_member_is_reported(cases: Cases, filled: tuple[str, bytes]) -> None:
    data = bytearray(export_bundle(cases, filled[0], actor="analyst"))
    # flip a byte inside the deflated summary.pdf: a bad CRC or bad deflate data
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("summary.pdf")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    result = verify_bundle(bytes(data))
    assert not result.ok
    assert any(p.startswith("summary.pdf cannot be read") for p in result.problems), result.problems


# --- hostile ZIPs ------------------------------------------------------------------------------


def test_a_zip_bomb_is_not_unpacked() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", b"{}")
        archive.writestr("big.bin", b"\0" * 1_000_000)
    data = bytearray(buffer.getvalue())
    # declare 4 GB for big.bin in the central directory, as a bomb's header would
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = struct.pack("<I", 0xFFFF0000)
    result = verify_bundle(bytes(data))
    assert not result.ok
    assert "zip bomb" in result.problems[0]


def test_a_member_larger_than_declared_is_not_read_past_its_size() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.bin", b"\0" * 5_000_000)
    data = bytearray(buffer.getvalue())
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = struct.pack("<I", 10)  # claims 10 bytes
    result = verify_bundle(bytes(data))
    assert not result.ok
    assert any("big.bin" in p for p in result.problems)


def test_too_many_entries_are_not_read() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(MAX_ENTRIES + 1):
            archive.writestr(f"f{i}", b"")
    result = verify_bundle(buffer.getvalue())
    assert not result.ok
    assert f"more than {MAX_ENTRIES}" in result.problems[0]


@pytest.mark.parametrize(
    "name", ["../../etc/evil", "/etc/evil", "evidence/../../evil", "C:/evil", "..\\..\\evil"]
)
def test_path_traversal_names_are_reported_and_nothing_is_extracted(
    cases: Cases,
    filled: tuple[str, bytes],
    name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    files = _unzip(export_bundle(cases, filled[0], actor="analyst"))
    before = sorted(tmp_path.rglob("*"))
    files[name] = b"evil"
    result = verify_bundle(_zip(files))
    assert not result.ok
    assert any("unsafe file name" in p for p in result.problems), result.problems
    assert sorted(tmp_path.rglob("*")) == before


def test_duplicate_names_are_reported(cases: Cases, filled: tuple[str, bytes]) -> None:
    data = export_bundle(cases, filled[0], actor="analyst")
    buffer = io.BytesIO(data)
    with (
        pytest.warns(UserWarning, match="Duplicate name"),
        zipfile.ZipFile(buffer, "a") as archive,
    ):
        archive.writestr("manifest.json", b"{}")
    result = verify_bundle(buffer.getvalue())
    assert not result.ok
    assert any("appears more than once" in p for p in result.problems)


def test_an_encrypted_member_is_reported(cases: Cases, filled: tuple[str, bytes]) -> None:
    data = bytearray(export_bundle(cases, filled[0], actor="analyst"))
    # set the "encrypted" flag of VERIFY.txt in the central directory
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        names = archive.namelist()
    position = -1
    for _ in range(len(names) - names.index("VERIFY.txt")):
        position = data.rfind(b"PK\x01\x02", 0, position if position > 0 else len(data))
    data[position + 8] |= 0x01
    result = verify_bundle(bytes(data))
    assert not result.ok
    assert any(p.startswith("VERIFY.txt cannot be read") for p in result.problems), result.problems


def test_evidence_merged_into_another_case_is_still_readable(cases: Cases) -> None:
    """Evidence is sealed to its case number; a merge re-seals it to the target's."""
    source, _ = cases.create()
    target, _ = cases.create()
    image = encode(photo(11))
    item = cases.add_evidence(source.number, image)
    cases.merge(source.number, target.number, actor="analyst")
    assert cases.evidence(target.number, item.id) == (image, "image/jpeg")
    data = export_bundle(cases, target.number, actor="analyst")
    assert _unzip(data)[f"evidence/{item.id}.jpg"] == image
    assert verify_bundle(data).ok
