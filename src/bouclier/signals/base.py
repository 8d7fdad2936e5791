"""What a signal type is: a kind of fingerprint that banks hold and the matcher searches.

In the spirit of python-threatexchange's ``SignalType``: a signal type names itself, checks and
normalises its string form, computes its fingerprints from an image, measures the distance
between two values (the reference every index is held to), and makes the index that searches many
values at once. Bank entries, the change log, webhooks, case items and snapshots store a value
with its type's name, ``(signal_type, value)``.

Every value has a canonical string (what is stored, exported and shared) and a fixed-width packed
form (what the index and the snapshot hold): ``pack`` and ``unpack`` convert between the two.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import (
    TYPE_CHECKING,
    Any,
    Generic,
    Literal,
    Protocol,
    TypeVar,
    overload,
    runtime_checkable,
)

import numpy as np

from bouclier.errors import InvalidHash
from bouclier.vocabulary import MatchStage

if TYPE_CHECKING:
    from bouclier.hashing.framing import Framed, Region
    from bouclier.hashing.pdq import PdqResult
    from bouclier.index.hits import SearchHits
    from bouclier.media import DecodedImage


#: How an image's pixels were read for a fingerprint: as displayed (Bouclier's rule), or as
#: python-threatexchange reads the file (HMA and those who share its hashes), where that differs.
PixelReading = Literal["displayed", "threatexchange"]


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """One value of one signal type computed from an image: a PDQ hash of one orientation of one
    frame, or the SHA-256 of the file. ``quality`` is the type's own confidence (PDQ's 0-100);
    ``reading`` says which reading of the pixels it was computed from. A value of a content region
    (:mod:`bouclier.hashing.framing`) says so, and where."""

    signal_type: str
    value: str
    quality: int | None = None
    orientation: str = "original"
    frame: int = 0
    reading: PixelReading = "displayed"
    #: how the value was found: of the image as it is, or of a content region of it
    stage: MatchStage = "direct"
    #: the region's bounding box [x, y, width, height] in displayed pixels (stage "framing")
    region: tuple[int, int, int, int] | None = None


_T = TypeVar("_T")


class computed_once(Generic[_T]):  # noqa: N801 - a decorator, named like functools.cached_property
    """``functools.cached_property`` without its lock. Python 3.11's holds one lock per property
    for every instance of the class (Python 3.12 removed it), so two threads fingerprinting two
    different uploads wait for each other's PDQ, framing and digests: the service's uploads of
    one process ran one stage at a time. Here the first read computes the value and keeps it in
    the instance's ``__dict__``, which later reads find first. A :class:`MediaInput` belongs to one
    request; two threads reading the same one at once would each compute the same value."""

    def __init__(self, func: Callable[[Any], _T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> computed_once[_T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> _T: ...

    def __get__(self, instance: object, owner: type | None = None) -> _T | computed_once[_T]:
        if instance is None:
            return self
        value = self.func(instance)
        instance.__dict__[self.name] = value
        return value


class MediaInput:
    """An image being fingerprinted: its bytes and decoded frames, with the fingerprints that
    several signal types share computed once (PDQ's dihedral pass, the file digests)."""

    def __init__(
        self,
        data: bytes,
        image: DecodedImage,
        colour: Callable[[], DecodedImage] | None = None,
    ) -> None:
        self.data = data
        self.image = image
        #: for an image decoded to its luma plane: the same decode in RGB, made on demand
        self.colour = colour

    @computed_once
    def content(self) -> tuple[Framed, ...]:
        """The content regions of the first frame with their rectified pixels, in the frame's
        pixels (:func:`bouclier.hashing.framing.find_content`); () for most images.

        An image decoded to its luma plane is looked at there first (the stage's gate,
        :func:`~bouclier.hashing.framing.worth_a_look`) and decoded in colour, the same size, only
        when the look says so: the search needs colour to find what it finds in RGB."""
        from bouclier.hashing.framing import find_content, worth_a_look

        frame = self.image.frames[0]
        if self.image.luma and self.colour is not None:
            if not worth_a_look(frame):
                return ()
            frame = self.colour().frames[0]
        return find_content(frame)

    @computed_once
    def framed(self) -> tuple[tuple[Region, PdqResult], ...]:
        """The content regions of the first frame (a picture inside a screenshot, a letterbox, a
        border; turned or keystoned), each in displayed pixels with its PDQ; () for most
        images, decided by a look at the edges (:mod:`bouclier.hashing.framing`)."""
        from bouclier.hashing.pdq import hash_pixels

        pixels = self.image.frames[0]
        sx, sy = self.image.width / pixels.shape[1], self.image.height / pixels.shape[0]
        return tuple(
            (framed.region.scaled(sx, sy), hash_pixels(framed.pixels)) for framed in self.content
        )

    @computed_once
    def pdq(self) -> tuple[PdqResult, ...]:
        from bouclier.hashing.pdq import hash_pixels

        return tuple(hash_pixels(frame) for frame in self.image.frames)

    @computed_once
    def threatexchange_pdq(self) -> PdqResult | None:
        """PDQ of the first frame as python-threatexchange reads it, where that differs."""
        from bouclier.hashing.pdq import hash_pixels

        pixels = self.image.threatexchange
        return None if pixels is None else hash_pixels(pixels)

    @computed_once
    def sha256(self) -> str:
        from bouclier.hashing import digests

        return digests.sha256(self.data)

    @computed_once
    def md5(self) -> str:
        from bouclier.hashing import digests

        return digests.md5(self.data)


def packed_rows(rows: np.ndarray, width: int, what: str = "rows") -> np.ndarray:
    """``rows`` as an ``(n, width)`` uint8 array, or ValueError: the door of every index."""
    rows = np.asarray(rows)
    if rows.dtype != np.uint8 or rows.ndim != 2 or rows.shape[1] != width:
        raise ValueError(f"{what} must be (n, {width}) uint8, got {rows.shape}")
    return rows


@runtime_checkable
class SignalIndex(Protocol):
    """Many packed values, each under a unique int64 label, searched within a distance.

    :class:`~bouclier.index.HammingIndex` is one (PDQ); :class:`~bouclier.signals.exact.ExactIndex`
    another (digests). ``search_many`` answers exactly what comparing each query with every stored
    value by the type's ``distance`` would (the contract tests hold every index to it).
    """

    def __len__(self) -> int: ...

    def __contains__(self, label: object) -> bool: ...

    def add(self, rows: np.ndarray, labels: np.ndarray) -> None: ...

    def remove(self, labels: np.ndarray | Sequence[int]) -> int: ...

    def search_many(self, queries: np.ndarray, radius: int) -> list[SearchHits]: ...

    def live(self) -> tuple[np.ndarray, np.ndarray]: ...


@runtime_checkable
class SignalType(Protocol):
    """A kind of fingerprint. Implementations are small frozen objects, one module each."""

    @property
    def name(self) -> str:
        """Stable name, stored in the database and sent to platforms: lower-case, 1-32 chars."""
        ...

    @property
    def description(self) -> str:
        """One line for people (``bouclier bank add --help``, the API schema)."""
        ...

    @property
    def packed_bytes(self) -> int:
        """Bytes of the packed form of one value (a row of the index)."""
        ...

    @property
    def default_threshold(self) -> int:
        """Match threshold (inclusive distance) a bank uses unless it sets its own; 0: exact."""
        ...

    @property
    def max_threshold(self) -> int:
        """The largest meaningful threshold (the distance between the most different values)."""
        ...

    @property
    def bank_threshold(self) -> bool:
        """Whether a bank's own threshold applies to this type (PDQ: yes; digests: never)."""
        ...

    def validate(self, value: str) -> str:
        """The canonical form of ``value``, or ``InvalidHash`` saying why it is not one."""
        ...

    def pack(self, values: Sequence[str]) -> np.ndarray:
        """Canonical values as an ``(n, packed_bytes)`` uint8 array (validated)."""
        ...

    def unpack(self, rows: np.ndarray) -> list[str]:
        """The canonical strings of packed rows."""
        ...

    def distance(self, a: str, b: str) -> int:
        """The distance between two values: the reference for the index."""
        ...

    def fingerprint(self, media: MediaInput) -> tuple[Fingerprint, ...]:
        """The values of an image to look up; the first is the one to put in a bank."""
        ...

    def new_index(self) -> SignalIndex:
        """An empty index of this type's packed values."""
        ...


class HexSignalType:
    """A signal type whose canonical form is a fixed number of lower-case hex digits (PDQ,
    SHA-256, MD5): validation, packing and the bitwise Hamming distance, shared."""

    name: str
    label: str  # how messages name it: "PDQ", "SHA-256"
    packed_bytes: int

    def validate(self, value: str) -> str:
        if not isinstance(value, str):
            raise InvalidHash(f"a {self.label} hash must be a string, not {type(value).__name__}")
        text = value.strip().lower()
        length = 2 * self.packed_bytes
        if len(text) != length:
            raise InvalidHash(
                f"a {self.label} hash is {length} hex characters; this one has {len(text)}"
            )
        if text.strip("0123456789abcdef"):
            raise InvalidHash(f"a {self.label} hash may contain only the hex digits 0-9 and a-f")
        return text

    def pack(self, values: Sequence[str]) -> np.ndarray:
        joined = "".join(self.validate(v) for v in values)
        raw = np.frombuffer(bytes.fromhex(joined), dtype=np.uint8)
        return raw.reshape(len(values), self.packed_bytes)

    def unpack(self, rows: np.ndarray) -> list[str]:
        width = self.packed_bytes
        if rows.ndim != 2 or rows.shape[1] != width:
            raise ValueError(f"expected (n, {width}) packed {self.label} rows, got {rows.shape}")
        raw = np.ascontiguousarray(rows, dtype=np.uint8).tobytes().hex()
        step = 2 * width
        return [raw[i : i + step] for i in range(0, len(raw), step)]

    def bit_distance(self, a: str, b: str) -> int:
        x = int(self.validate(a), 16) ^ int(self.validate(b), 16)
        return x.bit_count()
