from __future__ import annotations

import pytest

from tests.conftest import FACES


@pytest.fixture
def portrait_bytes() -> bytes:
    return (FACES / "obama_1.jpg").read_bytes()
