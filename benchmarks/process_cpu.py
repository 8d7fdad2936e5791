"""CPU seconds of a process and all its descendants, by kind of process, read from /proc (Linux).

A benchmark on a shared machine cannot trust wall time alone: this says where the CPU went, e.g.
in a back-scan on Ray, how much the driver, the actors and each of Ray's own daemons (raylet,
GCS, agents) used. A thread reads ``/proc/<pid>/stat`` of every descendant every ``every``
seconds and keeps each process's last reading, so a process that exits between two readings
loses at most ``every`` seconds of its CPU time; processes already running at :meth:`start`
count only what they use after it.
"""

from __future__ import annotations

import os
import threading
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

TICK_S = 1.0 / os.sysconf("SC_CLK_TCK")
Kind = Callable[[int, str], str]  # (pid, command line) -> a name for its kind of process
#: A part of a Ray daemon's command line -> its name (the first that matches).
RAY_DAEMONS = {
    "raylet": "ray raylet",
    "gcs_server": "ray GCS",
    "dashboard/agent.py": "ray dashboard agent",
    "runtime_env/agent": "ray runtime-env agent",
    "log_monitor": "ray log monitor",
    "dashboard/dashboard.py": "ray dashboard",
    "monitor.py": "ray monitor",
}


def ray_kind(root: int) -> Kind:
    """Names the processes of a back-scan: the driver, Ray's daemons and workers, pool workers."""

    def kind(pid: int, command: str) -> str:
        if pid == root:
            return "driver"
        if command.startswith("ray::"):
            return "ray worker (actors)" if "IDLE" not in command else "ray worker (idle)"
        for marker, name in RAY_DAEMONS.items():
            if marker in command:
                return name
        if "default_worker.py" in command:
            return "ray worker (starting)"
        return "local worker" if "python" in command else Path(command.split(" ", 1)[0]).name

    return kind


class ProcessTreeCpu:
    def __init__(self, kind: Kind, root: int | None = None, every: float = 0.1) -> None:
        self.root = root or os.getpid()
        self.kind = kind
        self.every = every
        self._before: dict[int, float] = {}
        self._last: dict[int, tuple[str, float, int]] = {}  # pid: (kind, cpu s, niceness)
        self._kinds: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> ProcessTreeCpu:
        self._before = {pid: cpu for pid, (_, cpu, _) in self._read().items()}
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()
        self._last.update(self._read())

    def seconds(self) -> dict[str, float]:
        """CPU seconds used since the start, by kind, largest first."""
        total: dict[str, float] = defaultdict(float)
        for pid, (kind, cpu, _) in self._last.items():
            total[kind] += cpu - self._before.get(pid, 0.0)
        return dict(sorted(total.items(), key=lambda pair: -pair[1]))

    def niceness(self) -> dict[str, set[int]]:
        """The niceness values seen, by kind (the scheduler's weight of each process)."""
        seen: dict[str, set[int]] = defaultdict(set)
        for kind, _, nice in self._last.values():
            seen[kind].add(nice)
        return dict(seen)

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self._last.update(self._read())

    def _read(self) -> dict[int, tuple[str, float, int]]:
        stats = {}
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                found = _stat(int(entry.name))
                if found is not None:
                    stats[int(entry.name)] = found
                    parents[int(entry.name)] = found[0]
        tree = _descendants(self.root, parents)
        return {
            pid: (self._kind(pid), stats[pid][1], stats[pid][2]) for pid in tree if pid in stats
        }

    def _kind(self, pid: int) -> str:
        """A process's kind, from its latest command line (a forked process takes its own when
        it execs; an exiting one has none left, and keeps the kind it had)."""
        command = _command(pid)
        if command != "?":
            self._kinds[pid] = self.kind(pid, command)
        return self._kinds.get(pid, "?")


def _stat(pid: int) -> tuple[int, float, int] | None:
    """(parent pid, CPU seconds of user and system time, niceness), or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # the name may hold spaces and parentheses
    return int(fields[1]), (int(fields[11]) + int(fields[12])) * TICK_S, int(fields[16])


def _command(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    return raw.replace(b"\0", b" ").decode(errors="replace").strip() or "?"


def _descendants(root: int, parents: dict[int, int]) -> set[int]:
    children: dict[int, list[int]] = defaultdict(list)
    for pid, parent in parents.items():
        children[parent].append(pid)
    found, todo = {root}, [root]
    while todo:
        for child in children[todo.pop()]:
            if child not in found:
                found.add(child)
                todo.append(child)
    return found
