"""The pre-started decoding process: one fork server per Bouclier process, one child per video.

Starting Python and importing PyAV, NumPy and the PDQ extension costs about 0.15-0.2 CPU s, an
eighth of hashing a 20 s 720p video; forking a large Bouclier process under ``preexec_fn`` costs
more. So :class:`DecoderServer` starts ``video_worker.py --serve`` once (lazily, again if it dies,
and anew in a forked Bouclier process), and for each video sends it one end of a fresh socket
pair; the server forks a child that has everything imported and nothing of any other video. The
child sets its own limits before it reads its request (:func:`bouclier.media.video_worker._limit`),
so isolation per video is what it was with one ``python`` per video: a crash, a limit hit or a
hang ends that child alone. Here the parent keeps the wall-clock deadline and kills the child by
its pid when it passes (the child's own alarm is the backstop).

The server itself never opens a video; it ends when this process closes its end of the control
socket (at exit, or when this process dies).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from bouclier.errors import MediaError

#: how long the server may take to start (Python and its imports, on a loaded machine)
START_SECONDS = 60.0
#: how long it may take to fork a child (before the child's own deadline starts)
FORK_SECONDS = 30.0


class DecoderUnavailable(RuntimeError):
    """The decoding server cannot be started (PyAV or the PDQ extension missing): not the
    file's fault, so not a :class:`~bouclier.errors.MediaError`."""


def _timeout(seconds: float) -> MediaError:
    return MediaError(f"decoding the video took longer than {seconds:.0f} s", code="media.timeout")


class Decoding:
    """One video being decoded by its child (from :meth:`DecoderServer.submit`). Leaving the
    ``with`` block ends the child if it has not answered."""

    def __init__(self, conn: socket.socket, pid: int, rest: bytes, deadline: float, timeout: float):
        self._conn, self.pid, self._data = conn, pid, bytearray(rest)
        self._deadline, self._timeout = deadline, timeout
        self._done = False

    def result(self) -> dict[str, Any]:
        """The child's answer, or MediaError: ``media.timeout`` past the deadline (the child is
        killed), ``media.corrupt`` when it died without one, or its refusal's code."""
        while True:
            left = self._deadline - time.monotonic()
            if left <= 0:
                raise _timeout(self._timeout)
            self._conn.settimeout(left)
            try:
                chunk = self._conn.recv(1 << 20)
            except TimeoutError:
                raise _timeout(self._timeout) from None
            except ConnectionResetError:  # it died before reading all of its request
                chunk = b""
            if not chunk:
                break
            self._data += chunk
        self._done = True
        try:
            answer = json.loads(self._data) if self._data else None
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise MediaError(
                "the video data is damaged and cannot be decoded (or needs more than the limits)",
                code="media.corrupt",
            )
        if "error" in answer:
            raise MediaError(str(answer.get("message", "")), code=str(answer["error"]))
        return answer

    def __enter__(self) -> Decoding:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._done:  # past the deadline, or the caller gave up: end the child now
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        self._conn.close()


class DecoderServer:
    """The fork server of this process (:func:`decoder_server`), started on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._control: socket.socket | None = None
        self._owner = 0  # the pid that started it: a forked Bouclier starts its own
        os.register_at_fork(after_in_child=self._forked)

    def _forked(self) -> None:
        self._lock = threading.Lock()  # another thread may have held it at the fork

    @property
    def pid(self) -> int | None:
        """The server's pid while it runs (benchmarks read its CPU time in /proc)."""
        running = self._process is not None and self._process.poll() is None
        return self._process.pid if running and self._process else None

    def submit(
        self, path: str, params: dict[str, Any], memory_bytes: int, timeout: float
    ) -> Decoding:
        """Start decoding ``path`` in a fresh child limited to ``memory_bytes`` and ``timeout``
        seconds (CPU and wall clock, from its start); restarts the server once if it has died."""
        limits = {"memory_bytes": memory_bytes, "timeout_seconds": timeout}
        request = json.dumps({"path": path, "params": params, "limits": limits}).encode()
        for _attempt in range(2):
            ours, theirs = socket.socketpair()
            try:
                self._send(theirs)
            finally:
                theirs.close()
            pid, rest = self._pid(ours)
            if pid:
                deadline = time.monotonic() + timeout
                ours.sendall(request)
                ours.shutdown(socket.SHUT_WR)
                return Decoding(ours, pid, rest, deadline, timeout)
            ours.close()
        raise DecoderUnavailable("the video decoding server keeps dying; see its installation")

    def _send(self, conn: socket.socket) -> None:
        with self._lock:
            if not self._running():
                self._start()
            assert self._control is not None
            try:
                socket.send_fds(self._control, [b"v"], [conn.fileno()])
            except OSError:  # it died since: once more, on a new one
                self._start()
                socket.send_fds(self._control, [b"v"], [conn.fileno()])

    def _pid(self, conn: socket.socket) -> tuple[int, bytes]:
        """The child's pid line (and anything after it), or 0 when the server died before it
        forked. A child writes its pid first and decodes nothing before it has its request: if
        this gives up, the child finds the socket closed and ends."""
        data = bytearray()
        conn.settimeout(FORK_SECONDS)
        while b"\n" not in data:
            try:
                chunk = conn.recv(64)
            except TimeoutError:
                conn.close()
                raise DecoderUnavailable("the video decoding server does not answer") from None
            if not chunk:
                return 0, b""
            data += chunk
        line, _, rest = bytes(data).partition(b"\n")
        return int(line), rest

    def _running(self) -> bool:
        return (
            self._owner == os.getpid()
            and self._process is not None
            and self._process.poll() is None
        )

    def _start(self) -> None:
        self._stop()
        worker = str(Path(__file__).with_name("video_worker.py"))
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = {k: v for k, v in os.environ.items() if k in {"PATH", "PYTHONPATH", "HOME", "LANG"}}
        env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
        # by its path, -P: its own folder is not put on sys.path (see video_worker)
        command = [sys.executable, "-P", worker, "--serve", str(theirs.fileno())]
        try:
            self._process = subprocess.Popen(
                command,
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=env,
            )
        finally:
            theirs.close()
        self._control, self._owner = ours, os.getpid()
        ours.settimeout(START_SECONDS)
        try:
            ready = ours.recv(16)
        except TimeoutError:
            ready = b""
        ours.settimeout(None)
        if ready != b"ready":
            self._stop()
            raise DecoderUnavailable(
                "the video decoding server did not start (is PyAV installed, the PDQ extension "
                "built? run `make setup`)"
            )

    def _stop(self) -> None:
        """Close the control socket (the server then ends) and wait for it, if it is ours."""
        if self._control is not None:
            self._control.close()
            self._control = None
        process, self._process = self._process, None
        if process is None or self._owner != os.getpid():
            return  # a forked copy: its server belongs to the process that started it
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def close(self) -> None:
        with self._lock:
            self._stop()


_SERVER = DecoderServer()
atexit.register(_SERVER.close)


def decoder_server() -> DecoderServer:
    """This process's decoding server."""
    return _SERVER
