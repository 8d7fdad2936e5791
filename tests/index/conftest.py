"""Fixtures of the index tests: the linear-scan kernel (AVX-512 and the portable loop)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bouclier.index import _hamming


@pytest.fixture(params=["avx512", "portable"])
def scan_kernel(request: pytest.FixtureRequest) -> Iterator[str]:
    """Runs a test with each linear-scan kernel this machine has, then restores the default."""
    default = _hamming.simd()
    if not _hamming.simd(request.param == "avx512") and request.param == "avx512":
        _hamming.simd(default)
        pytest.skip("this CPU has no AVX-512 VPOPCNTDQ; the portable loop is tested")
    yield request.param
    _hamming.simd(default)
