"""Start-up: ``bouclier --help`` and each command's help import no heavy library.

Listing the commands imports every command module, so each keeps its heavy imports (SQLAlchemy,
FastAPI, numpy, the models...) inside the functions that use them, and the choices of its options
in ``bouclier.vocabulary`` (which imports nothing) or ``bouclier.cli.lazy_types``. These tests check
which modules get loaded, never how long it takes: timings belong in ``benchmarks/``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

#: The libraries that made ``bouclier --help`` take five seconds, and the others Bouclier needs.
HEAVY = frozenset(
    {
        "alembic",
        "argon2",
        "c2pa",
        "cryptography",
        "cv2",
        "dlib",
        "fastapi",
        "fpdf",
        "imwatermark",
        "jinja2",
        "nudenet",
        "numpy",
        "onnxruntime",
        "pdqhash",
        "PIL",
        "pillow_heif",
        "prometheus_client",
        "psycopg",
        "pydantic",
        "pydantic_settings",
        "pywt",
        "sqlalchemy",
        "starlette",
        "uvicorn",
    }
)

#: What the help may load of Bouclier itself: the package, its errors, its vocabularies and the
#: CLI's own modules.
LIGHT_BOUCLIER = frozenset({"bouclier", "bouclier.errors", "bouclier.vocabulary", "bouclier.cli"})

#: Asks for the help of ``bouclier`` and of each of its commands in a fresh interpreter, then
#: prints the exit codes and every module loaded.
PROBE = """
import contextlib, io, json, sys
from bouclier.cli.main import cli, run
with contextlib.redirect_stdout(io.StringIO()) as shown:
    codes = [run(["--help"])] + [run([name, "--help"]) for name in sorted(cli.commands)]
print(json.dumps({"codes": codes, "help": shown.getvalue(), "modules": sorted(sys.modules)}))
"""


def _probe() -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True
    )
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_help_imports_no_heavy_library() -> None:
    found = _probe()
    assert set(found["codes"]) == {0}
    assert "Commands:" in found["help"]
    heavy = sorted({m.split(".")[0] for m in found["modules"]} & HEAVY)
    assert not heavy, "move these imports into the command functions (see bouclier.cli.lazy_types)"
    ours = [m for m in found["modules"] if m.split(".")[0] == "bouclier"]
    assert [m for m in ours if m not in LIGHT_BOUCLIER and not m.startswith("bouclier.cli.")] == []
