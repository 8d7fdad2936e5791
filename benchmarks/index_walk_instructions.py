"""Instructions of the index's table walk, counted with callgrind (issue 18): for a VM without a
hardware counter (`perf stat -e instructions` answers "not supported"). One build of
`_hamming` (a `.so`), a stand-in for 9×28 at 100M: 9 tables of 20 bits over N random hashes
(390,000 gives ~0.37 rows a bucket, as 9×28 at 100M), Q queries at radius 31.

    valgrind --tool=callgrind --collect-atstart=no --toggle-collect='MultiIndex_search*' \\
        .venv/bin/python benchmarks/index_walk_instructions.py SO 390000 50

then `callgrind_annotate` the output; compare two builds' totals (docs/benchmarks-log.md, "The index
at 100M: fewer keys per hash")."""

from __future__ import annotations

import argparse
import importlib.machinery
import importlib.util

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("so", help="a built _hamming extension (.so)")
    parser.add_argument("hashes", type=int, help="random hashes in the stand-in index")
    parser.add_argument("queries", type=int)
    args = parser.parse_args()
    loader = importlib.machinery.ExtensionFileLoader("bouclier.index._hamming", args.so)
    spec = importlib.util.spec_from_file_location(loader.name, args.so, loader=loader)
    assert spec is not None
    module = loader.create_module(spec)
    rng = np.random.default_rng(1)
    hashes = rng.integers(0, 256, (args.hashes, 32), dtype=np.uint8)
    index = module.MultiIndex(hashes, (20,) * 9)
    queries = rng.integers(0, 256, (args.queries, 32), dtype=np.uint8)
    hits = sum(len(index.search(q.tobytes(), 31, None, 1, 1)[0]) for q in queries)
    print("radii", index.plan(31), "hits", hits)


if __name__ == "__main__":
    main()
