from __future__ import annotations

import pytest

from bouclier.errors import InvalidHash
from bouclier.hashing import digests


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("sha256", "A" * 64, "a" * 64),
        ("md5", " " + "0" * 32 + " ", "0" * 32),
    ],
)
def test_validate(kind: str, value: str, expected: str) -> None:
    assert digests.validate(kind, value) == expected


@pytest.mark.parametrize(
    ("kind", "value"),
    [("sha256", "a" * 63), ("sha256", "g" * 64), ("md5", "a" * 64), ("md5", "")],
)
def test_validate_refuses(kind: str, value: str) -> None:
    with pytest.raises(InvalidHash, match=kind.upper()):
        digests.validate(kind, value)


def test_known_values() -> None:
    assert digests.sha256(b"abc").startswith("ba7816bf")
    assert digests.md5(b"abc") == "900150983cd24fb0d6963f7d28e17f72"
