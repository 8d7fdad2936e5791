"""Least-squares fit of the index's cost model (issue 18): CPU per hash = P × keys probed + C ×
candidates checked, over the one-hash p50 rows that `bench_index_ab.py` printed for several
layouts (its table, saved to files). Prints P and C in ns and each layout's fit against the
measure and against the planner's model (`_hamming.estimate`): the ratio P / C is what
`COST_PROBE` / `COST_CANDIDATE` should be.

    .venv/bin/python benchmarks/bench_index_ab.py --layouts 9x28,10,11,12 --sizes 10000000 \\
        --distributions uniform --queries 500 --reps 2 > ab10.txt
    .venv/bin/python benchmarks/fit_index_cost.py ab10.txt [ab30.txt ...]"""

from __future__ import annotations

import re
import sys
from math import comb
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from bench_index_ab import layout

from bouclier.index import _hamming

ROW = re.compile(
    r"\| ([\d,]+) \| (\w+) \| 1 hash \| (\w+): .*?\| [\d.]+ \| \d+ \| [\d.]+(?: \(file\))? \| "
    r"([\d.]+) \|"
)
#: the A/B's builds by name (not layouts): left out of the fit
BUILDS = ("base", "masks", "dedupe", "flat", "flatd", "old")


def main() -> None:
    rows = []
    for path in sys.argv[1:]:
        for line in Path(path).read_text().splitlines():
            m = ROW.match(line)
            if not m or m.group(3) in BUILDS:
                continue
            n, name, p50 = int(m.group(1).replace(",", "")), m.group(3), float(m.group(4))
            bits = layout(name, n)
            estimate = _hamming.estimate(n, bits, 31)
            keys = cands = 0.0
            for b, r in zip(bits, estimate[2], strict=True):
                if r < 0:
                    continue
                k = sum(comb(b, d) for d in range(r + 1))
                keys += k
                cands += k * n / 2**b
            rows.append((n, name, keys, cands, p50 * 1e6, estimate[0]))
    if not rows:
        raise SystemExit("no one-hash rows of bench_index_ab.py in the files given")
    a = np.array([[r[2], r[3]] for r in rows])
    y = np.array([r[4] for r in rows])
    (probe, candidate), *_ = np.linalg.lstsq(a, y, rcond=None)
    print(f"fit: probe {probe:.2f} ns, candidate {candidate:.2f} ns")
    for (n, name, k, c, t, model), fitted in zip(rows, a @ [probe, candidate], strict=True):
        print(
            f"{n:>11,} {name:6} keys {k:8.0f} cands {c:8.0f} measured {t / 1e3:7.1f} us  "
            f"fit {fitted / 1e3:7.1f} ({fitted / t - 1:+.0%})  "
            f"model {model / 1e3:7.1f} ({model / t - 1:+.0%})"
        )


if __name__ == "__main__":
    main()
