"""The exhaustive check behind _pdq.c's FMA paths (issue 18): Markstein's correction gives the
correctly rounded float quotient, so PDQ's hashes stay bit for bit the reference's.

    .venv/bin/python benchmarks/pdq_fma_check.py [--max-count 256]

Both paths compute q = RN(x c), r = RN(x - q b) (one FMA), q' = RN(q + r c) (a second FMA), with
c the float nearest 1 / b, in place of RN(x / b):

* the luminance (luma_fma): x = N = 299 R + 587 G + 114 B, b = 1000, against the reference's
  float nearest N / 1000, for every N of 0..255,000 (every colour's N);
* the box filter's divisions (div_fma): x / count, for every float x of [1, 2) and every count
  1..--max-count. Each step scales exactly by a power of two and is symmetric in sign, so this
  covers every normal x (the filter's sums are never subnormal).

numpy has no FMA: the products here are exact in doubles (24 + 24 bits), r is rounded once to
float as the FMA rounds it, and the last sum, which a double may round, is decided with exact
fractions wherever the double lands on a float's rounding boundary. Prints the mismatches (0
expected) and, as a control, those of the plain product RN(x c), which must be many.
"""

from __future__ import annotations

import argparse
from fractions import Fraction

import numpy as np


def _rn32(exact: Fraction) -> np.float32:
    """The float nearest an exact rational, ties to even."""
    f = np.float32(float(exact))
    candidates = [np.nextafter(f, np.float32(-np.inf)), f, np.nextafter(f, np.float32(np.inf))]
    return min(
        candidates,
        key=lambda v: (abs(Fraction(float(v)) - exact), int(np.float32(v).view(np.uint32)) & 1),
    )


def markstein(x: np.ndarray, b: float) -> np.ndarray:
    """q' for every x (float32) divided by b, as div_fma / luma_fma compute it."""
    c = np.float32(1.0) / np.float32(b)
    xd = x.astype(np.float64)
    q = (xd * np.float64(c)).astype(np.float32)
    r = (xd - q.astype(np.float64) * b).astype(np.float32)
    rc = r.astype(np.float64) * np.float64(c)
    s = q.astype(np.float64) + rc
    out = s.astype(np.float32)
    # a double sum that rounded and sits on a float boundary (half-way): decided exactly
    boundary = (s.view(np.uint64) & np.uint64((1 << 29) - 1)) == np.uint64(1 << 28)
    for i in np.nonzero(boundary & ((s - q.astype(np.float64)) != rc))[0]:
        out[i] = _rn32(Fraction(float(q[i])) + Fraction(float(r[i])) * Fraction(float(c)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-count", type=int, default=256)
    args = parser.parse_args()
    n = np.arange(0, 255_001, dtype=np.int64)
    reference = (n.astype(np.float64) * 0.001).astype(np.float32)  # luma_rgb's value
    luma = markstein(n.astype(np.float32), 1000.0)
    plain = (n.astype(np.float64) * np.float64(np.float32(0.001))).astype(np.float32)
    print(
        f"luminance, N = 0..255,000: {int(np.count_nonzero(luma != reference))} mismatches "
        f"(plain product: {int(np.count_nonzero(plain != reference))})"
    )
    x = np.arange(0x3F800000, 0x40000000, dtype=np.uint32).view(np.float32)
    bad = control = 0
    for count in range(1, args.max_count + 1):
        divided = x / np.float32(count)
        bad += int(np.count_nonzero(markstein(x, float(count)) != divided))
        control += int(np.count_nonzero(x * (np.float32(1.0) / np.float32(count)) != divided))
    print(
        f"x / count, every float of [1, 2), counts 1..{args.max_count}: {bad} mismatches "
        f"(plain product: {control})"
    )


if __name__ == "__main__":
    main()
