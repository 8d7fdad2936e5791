"""ThreatExchange's C++ vPDQ reference (``vpdq-hash-video``) for the video benchmarks, and the CPU
time of Bouclier's decoding server.

The reference is built outside the repository by ``scripts/build-vpdq-reference`` (CI never
needs it); it is found at ``$BOUCLIER_VPDQ_REFERENCE`` or in the script's default folder. Where
it is not built, the benchmarks leave its rows out and say so.

CPU time: read_video's children are forked by the decoding server, not by this process, so
``RUSAGE_CHILDREN`` never sees them. :func:`cpu_seconds` adds the server's own time and that of
the children it has waited for (``/proc/<pid>/stat``), after waiting until it has none left.
"""

from __future__ import annotations

import os
import resource
import subprocess
import tempfile
import time
from pathlib import Path

from bouclier.hashing import vpdq
from bouclier.hashing.vpdq import VpdqFeature
from bouclier.media.video_server import decoder_server

DEFAULT = (
    Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    / "bouclier"
    / "vpdq-reference"
    / "build"
    / "apps"
    / "vpdq-hash-video"
)
TICK_S = 1.0 / os.sysconf("SC_CLK_TCK")


def reference_program() -> Path | None:
    """The built ``vpdq-hash-video``, or None."""
    path = Path(os.environ.get("BOUCLIER_VPDQ_REFERENCE", DEFAULT))
    return path if path.is_file() and os.access(path, os.X_OK) else None


def reference_hashes(
    program: Path, video: Path, seconds_per_hash: float = 1.0
) -> list[VpdqFeature]:
    """The reference's hash file for ``video``, parsed: one thread (its best on one core: more
    threads only share that core), frames hashed as decoded (no downsampling), as it defaults."""
    with tempfile.TemporaryDirectory(prefix="vpdq-reference-") as folder:
        out = Path(folder) / "hashes.txt"
        command = [str(program), "-i", str(video), "-o", str(out), "-r", str(seconds_per_hash)]
        subprocess.run([*command, "-t", "1"], check=True, capture_output=True)
        return vpdq.parse_reference(out.read_text())


def _server_seconds() -> float:
    pid = decoder_server().pid
    if pid is None:
        return 0.0
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for _ in range(200):  # its last child ends a moment after its answer is read
        if not children.read_text().strip():
            break
        time.sleep(0.005)
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) * TICK_S  # utime stime cutime cstime


def cpu_seconds() -> float:
    """CPU seconds (user + system) of this process, of its finished children and of the video
    decoding server with its children: what one core spends, whoever else shares it."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    used = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    return used + _server_seconds()
