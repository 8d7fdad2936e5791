"""MediaInput's values are computed once per image, and two images' in two threads at once
(functools.cached_property in Python 3.11 holds one lock per property for every instance)."""

from __future__ import annotations

import threading

import pytest

from bouclier.hashing import digests
from bouclier.media import decode
from bouclier.signals.base import MediaInput, computed_once
from tests.conftest import encode, photo


def _media(seed: int) -> MediaInput:
    data = encode(photo(seed, (64, 48)))
    return MediaInput(data, decode(data))


def test_a_value_is_computed_once_and_kept() -> None:
    media = _media(1)
    calls: list[bytes] = []
    real = digests.sha256

    def counted(data: bytes) -> str:
        calls.append(data)
        return real(data)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(digests, "sha256", counted)
        first, second = media.sha256, media.sha256
    assert first == second == real(media.data)
    assert len(calls) == 1
    assert media.pdq is media.pdq  # the same tuple, not a second hash


def test_two_images_are_hashed_in_two_threads_at_once() -> None:
    """The first image's digest waits, inside the property, until the second image's digest has
    been computed in another thread: with a lock shared by every instance, the second could not
    start and the first would wait in vain."""
    first, second = _media(2), _media(3)
    inside, second_done = threading.Event(), threading.Event()
    real = digests.sha256
    waited: list[bool] = []

    def blocking(data: bytes) -> str:
        if data == first.data:
            inside.set()
            waited.append(second_done.wait(timeout=10))
        return real(data)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(digests, "sha256", blocking)
        thread = threading.Thread(target=lambda: first.sha256)
        thread.start()
        assert inside.wait(timeout=10)
        assert second.sha256 == real(second.data)
        second_done.set()
        thread.join(timeout=10)
    assert waited == [True]
    assert first.sha256 == real(first.data)


def test_the_class_attribute_is_the_descriptor() -> None:
    assert isinstance(MediaInput.__dict__["pdq"], computed_once)
    assert MediaInput.pdq.__doc__ == MediaInput.__dict__["pdq"].func.__doc__
