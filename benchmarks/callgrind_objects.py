"""A callgrind profile's own instructions (Ir) by shared object and by function, per unit of work.

    .venv/bin/python benchmarks/callgrind_objects.py OUT/callgrind.out N [--functions 40]

For benchmarks/upload_instructions.sh (N: the uploads counted): every object's self cost / N,
then the top functions'. Self cost only (a function's own instructions, not its callees'), so the
objects add up to the total; the inclusive costs of calls (the line after ``calls=``) are skipped.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_NAMED = re.compile(r"^(c?)(ob|fn|fl|fi|fe)=\((\d+)\)(?: (.*))?$")


def self_costs(path: Path) -> tuple[Counter[str], Counter[tuple[str, str]]]:
    """Ir by object and by (object, function), from callgrind's compressed name format."""
    names: dict[str, dict[str, str]] = {"ob": {}, "fn": {}, "fl": {}}
    current = {"ob": "?", "fn": "?"}
    by_object: Counter[str] = Counter()
    by_function: Counter[tuple[str, str]] = Counter()
    after_call = False
    with path.open(errors="replace") as lines:
        for line in lines:
            found = _NAMED.match(line.rstrip("\n"))
            if found:
                called, kind, index, name = found.groups()
                table = names["fl" if kind in ("fi", "fe") else kind]
                if name is not None:
                    table[index] = name
                if not called and kind in current:
                    current[kind] = table.get(index, index)
                continue
            if line.startswith("calls="):
                after_call = True  # the next cost line is the call's inclusive cost
                continue
            if line[:1].isdigit() or line[:1] in "+-*":
                if after_call:
                    after_call = False
                    continue
                fields = line.split()
                if len(fields) >= 2:
                    by_object[current["ob"]] += int(fields[1])
                    by_function[(current["ob"], current["fn"])] += int(fields[1])
    return by_object, by_function


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("units", type=int)
    parser.add_argument("--functions", type=int, default=40)
    args = parser.parse_args()
    by_object, by_function = self_costs(args.profile)
    per = 1e6 * args.units
    print(f"total {sum(by_object.values()) / per:.2f} M instructions per unit\n")
    print("| object | M per unit |\n|---|---|")
    for name, cost in by_object.most_common():
        if cost / per >= 0.01:
            print(f"| {name.rsplit('/', 1)[-1]} | {cost / per:.2f} |")
    print("\n| object | function | M per unit |\n|---|---|---|")
    for (obj, function), cost in by_function.most_common(args.functions):
        print(f"| {obj.rsplit('/', 1)[-1]} | {function} | {cost / per:.3f} |")


if __name__ == "__main__":
    main()
