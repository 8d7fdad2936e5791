"""Where chunks are matched: worker processes on this machine, or Ray actors on a cluster.

Both keep a bounded window of chunks in flight (a source of 10M rows is never held in memory)
and hand results back **in chunk order**, which is what lets the driver checkpoint "every chunk
before n is in the report". Each worker builds its own index from the banks' arrays once; with
Ray the arrays go through the object store once per node, not once per chunk.

Ray is the optional extra ``bouclier[ray]``; ``address`` is what ``ray.init`` takes
(``auto``, ``host:port`` of a head started with ``ray start --head``, ``ray://...``), or None for
a Ray instance of this machine alone.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, ClassVar, Protocol, TypeVar

from bouclier.backscan import worker
from bouclier.backscan.chunks import Chunk, ChunkResult
from bouclier.backscan.worker import Scanner, Setup
from bouclier.errors import ConfigError

H = TypeVar("H")


class Engine(Protocol):
    workers: int

    def run(self, chunks: Iterable[Chunk]) -> Iterator[ChunkResult]: ...

    def close(self) -> None: ...


def in_order(
    chunks: Iterable[Chunk],
    submit: Callable[[Chunk], H],
    result: Callable[[H], ChunkResult],
    window: int,
) -> Iterator[ChunkResult]:
    """Submits chunks, at most ``window`` in flight, and yields their results in order."""
    pending: deque[H] = deque()
    for chunk in chunks:
        pending.append(submit(chunk))
        if len(pending) >= window:
            yield result(pending.popleft())
    while pending:
        yield result(pending.popleft())


class LocalEngine:
    """``workers`` processes (1: in this process, no pool at all)."""

    def __init__(self, setup: Setup, workers: int) -> None:
        self.workers = workers
        self._inline = Scanner(setup) if workers == 1 else None
        self._pool = (
            None
            if workers == 1
            else ProcessPoolExecutor(workers, initializer=worker.start, initargs=(setup,))
        )

    def run(self, chunks: Iterable[Chunk]) -> Iterator[ChunkResult]:
        if self._inline is not None:
            yield from map(self._inline.scan, chunks)
            return
        pool = self._pool
        assert pool is not None

        def result(future: Future[ChunkResult]) -> ChunkResult:
            try:
                return future.result()
            except BrokenProcessPool:
                raise ConfigError(
                    "a back-scan worker could not start or died (out of memory?); run with "
                    "--workers 1 to see why"
                ) from None

        yield from in_order(chunks, lambda c: pool.submit(worker.scan, c), result, 2 * self.workers)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)


class _NodeScanner(Scanner):
    """A scanner that says which Ray node it runs on (the report's summary counts nodes)."""

    def scan(self, chunk: Chunk) -> ChunkResult:
        import ray

        result = super().scan(chunk)
        result.node = ray.get_runtime_context().get_node_id()
        return result


class RayEngine:
    """One Ray actor per worker, each holding a :class:`Scanner`; ``workers`` None: one per CPU
    the cluster has."""

    #: Ray makes its worker processes 15 nicer than its own (``worker_niceness``) so that its
    #: daemons stay responsive; a back-scan's actors are its whole work, and at +15 a machine
    #: shared with anything else gives them a fraction of the CPU that local workers get. A Ray
    #: started here runs them at the driver's niceness, as local workers run; a cluster's nodes
    #: choose theirs (``RAY_worker_niceness=0 ray start ...``, docs/backscan.md).
    WORKER_NICENESS: ClassVar[int] = 0

    def __init__(self, setup: Setup, address: str | None, workers: int | None = None) -> None:
        try:
            import ray as imported
        except ImportError:
            raise ConfigError("--engine ray needs Ray: pip install 'bouclier[ray]'") from None
        ray: Any = imported  # Ray's API is only partly typed
        self._ray = ray
        self._owns = not ray.is_initialized()
        if self._owns:
            start: dict[str, Any] = {"address": address, "log_to_driver": False}
            if address is None:
                start["include_dashboard"] = False
                start["_system_config"] = {"worker_niceness": self.WORKER_NICENESS}
            ray.init(**start)
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self.workers = workers or max(1, cpus)
        actor = ray.remote(num_cpus=1)(_NodeScanner)
        setup_ref = ray.put(setup)
        self._actors: list[Any] = [actor.remote(setup_ref) for _ in range(self.workers)]
        self.nodes = len({n["NodeID"] for n in ray.nodes() if n.get("Alive")})

    def run(self, chunks: Iterable[Chunk]) -> Iterator[ChunkResult]:
        ray, actors = self._ray, self._actors
        turn = iter(range(1 << 62))

        def submit(chunk: Chunk) -> Any:
            return actors[next(turn) % len(actors)].scan.remote(chunk)

        def result(ref: Any) -> ChunkResult:
            try:
                found: ChunkResult = ray.get(ref)
            except ray.exceptions.RayError as exc:
                raise ConfigError(f"a Ray worker failed: {type(exc).__name__}") from None
            return found

        yield from in_order(chunks, submit, result, 2 * len(actors))

    def close(self) -> None:
        for actor in self._actors:
            self._ray.kill(actor)
        self._actors = []
        if self._owns:
            self._ray.shutdown()
