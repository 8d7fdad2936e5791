"""``bouclier enrol``: create, list, withdraw, key-create, and the refusals, through run()."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from bouclier.cli import exit_codes
from tests.conftest import FACES

pytestmark = pytest.mark.model

CONSENT = ["--consented-by", "A. Example", "--relationship", "self", "--purpose", "protection"]


def test_enrol_lifecycle(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    key_file = tmp_path / "keys" / "template.key"
    code, _, err = cli("enrol", "key-create", "--out", str(key_file))
    assert code == exit_codes.OK
    assert str(key_file) in err
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    code, _, err = cli("enrol", "key-create", "--out", str(key_file))
    assert code == exit_codes.CONFLICT
    assert "never overwritten" in err

    code, _, err = cli("enrol", "create", "Alice", str(FACES / "obama_1.jpg"), *CONSENT)
    assert code == exit_codes.CONFIG
    assert err.startswith("bouclier: no template key is configured")

    monkeypatch.setenv("BOUCLIER_TEMPLATE_KEY_FILE", str(key_file))
    code, out, _ = cli(
        "enrol", "create", "Alice", str(FACES / "obama_1.jpg"), str(FACES / "obama_2.jpg"), *CONSENT
    )
    assert code == exit_codes.OK
    [created] = [json.loads(line) for line in out]
    assert set(created) == {"reference", "name", "photos", "minor"}
    assert created["photos"] == 2
    reference = created["reference"]

    code, out, _ = cli("enrol", "list", "--format", "jsonl")
    assert code == exit_codes.OK
    [listed] = [json.loads(line) for line in out]
    assert listed["reference"] == reference
    assert "template" not in listed
    assert "descriptor" not in json.dumps(listed)

    # With a template stored, no key means no start.
    monkeypatch.delenv("BOUCLIER_TEMPLATE_KEY_FILE")
    code, _, err = cli("enrol", "list")
    assert code == exit_codes.CONFIG
    assert err.strip() == (
        "bouclier: 1 enrolled templates are stored but no template key is configured: "
        "set BOUCLIER_TEMPLATE_KEY_FILE [invalid_setting]"
    )
    other = tmp_path / "other.key"
    assert cli("enrol", "key-create", "--out", str(other))[0] == exit_codes.OK
    monkeypatch.setenv("BOUCLIER_TEMPLATE_KEY_FILE", str(other))
    code, _, err = cli("enrol", "list")
    assert code == exit_codes.CONFIG
    assert "does not decrypt the templates" in err

    monkeypatch.setenv("BOUCLIER_TEMPLATE_KEY_FILE", str(key_file))
    code, _, err = cli("enrol", "withdraw", reference, "--yes")
    assert code == exit_codes.OK
    assert cli("enrol", "list", "--format", "jsonl")[1] == []
    code, _, err = cli("enrol", "withdraw", reference, "--yes")
    assert code == exit_codes.NOT_FOUND
    assert "enrolment_not_found" in err


def test_enrol_refusals(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    key_file = tmp_path / "template.key"
    assert cli("enrol", "key-create", "--out", str(key_file))[0] == exit_codes.OK
    monkeypatch.setenv("BOUCLIER_TEMPLATE_KEY_FILE", str(key_file))

    code, out, err = cli("enrol", "create", "A", str(FACES / "two_people.jpg"), *CONSENT)
    assert code == exit_codes.INVALID_INPUT
    assert out == []
    assert err.count("\n") == 1
    assert "[likeness.several_faces]" in err
    assert "two_people.jpg" in err

    code, _, err = cli("enrol", "create", "A", str(FACES / "obama_1.jpg"), *CONSENT, "--minor")
    assert code == exit_codes.INVALID_INPUT
    assert "[likeness.guardian_required]" in err

    code, _, err = cli("enrol", "create", "A", str(tmp_path / "missing.jpg"), *CONSENT)
    assert code == exit_codes.INVALID_INPUT
    assert "missing.jpg" in err

    code, out, _ = cli(
        "enrol", "create", "B", str(FACES / "biden_1.jpg"), *CONSENT, "--minor", "--guardian", "G"
    )
    assert code == exit_codes.OK
    assert json.loads(out[0])["minor"] is True
