"""Benchmark of the CLI's start-up: ``bouclier --help`` and a few commands' help, against the
eager start-up it replaced (importing every library the commands use, as the CLI did before its
imports became lazy), side by side in one run.

Each command runs in a fresh interpreter, ``--rounds`` times, alternating with the reference; the
table gives medians and the ratio. Target (issue 10): ``bouclier --help`` ≤ 0.5 s.

    .venv/bin/python benchmarks/bench_cli_startup.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

#: What ``bouclier --help`` imported before it was lazy: every command module's dependencies.
EAGER = (
    "import bouclier.api.app, bouclier.web, bouclier.cases.summary, bouclier.cases.evidence, "
    "bouclier.notices.render, bouclier.analysis.pipeline, bouclier.detectors.catalog, "
    "bouclier.banks.transfer, bouclier.likeness, bouclier.webhooks.deliverer, bouclier.guard"
)
#: The installed console script, as people run it.
BOUCLIER = str(Path(sys.executable).with_name("bouclier"))
COMMANDS = {
    "bouclier --help": [BOUCLIER, "--help"],
    "bouclier match --help": [BOUCLIER, "match", "--help"],
    "bouclier bank create --help": [BOUCLIER, "bank", "create", "--help"],
    "reference: eager imports of the commands' libraries": [sys.executable, "-c", EAGER],
}


def _time(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    for command in COMMANDS.values():  # warm the file cache
        _time(command)
    samples: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.rounds):
        for name, command in COMMANDS.items():
            samples[name].append(_time(command))
    reference = statistics.median(samples["reference: eager imports of the commands' libraries"])
    print(f"CLI start-up, median of {args.rounds} fresh interpreters each, interleaved")
    print()
    print("| command | median s | min s | max s | vs eager imports |")
    print("|---|---|---|---|---|")
    for name, times in samples.items():
        median = statistics.median(times)
        print(
            f"| {name} | {median:.3f} | {min(times):.3f} | {max(times):.3f} | "
            f"{median / reference:.2f}× |"
        )


if __name__ == "__main__":
    main()
