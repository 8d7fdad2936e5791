"""Likeness on the shared faces: true-match and false-match rates at the threshold used.

    .venv/bin/python benchmarks/bench_likeness.py [--threshold 0.55] [--out FILE]

Every labelled portrait of ../shared/data/faces is described once (dlib, the models
of face_recognition_models); every pair is compared; same-person pairs should match (distance at
most the threshold) and different-person pairs should not.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

from bouclier.detectors.faces import DEFAULT_THRESHOLD, FaceDetector, distance
from bouclier.media import decode

FACES = Path(__file__).resolve().parents[2] / "shared" / "data" / "faces"
# Decoder test files, not labelled with a person in ../shared/data/README.md (rgba_32bit.png is
# a copy of one of the labelled photos, two_people.jpg has two faces).
UNLABELLED = {"rgba_32bit", "two_people"}


def person(path: Path) -> str:
    return path.stem.rsplit("_", 1)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    detector = FaceDetector()
    described = {}
    for path in sorted(FACES.iterdir()):
        if path.suffix not in {".jpg", ".png"} or path.stem in UNLABELLED:
            continue
        faces = detector.describe(decode(path.read_bytes()).pixels)
        if len(faces) == 1:
            described[path] = faces[0].descriptor
    same, different = [], []
    for a, b in itertools.combinations(described, 2):
        d = distance(described[a], described[b])
        (same if person(a) == person(b) else different).append((d, a.stem, b.stem))
    true_matches = sum(d <= args.threshold for d, _, _ in same)
    false_matches = sum(d <= args.threshold for d, _, _ in different)
    lines = [
        f"Likeness on {len(described)} single-face portraits, threshold {args.threshold} "
        "(Euclidean distance between dlib descriptors).",
        "",
        "| pairs | n | matched | rate | distances (min / max) |",
        "|---|---|---|---|---|",
        f"| same person | {len(same)} | {true_matches} | true-match rate "
        f"{true_matches / max(1, len(same)):.0%} | {min(same)[0]:.3f} / {max(same)[0]:.3f} |",
        f"| different people | {len(different)} | {false_matches} | false-match rate "
        f"{false_matches / max(1, len(different)):.0%} | {min(different)[0]:.3f} / "
        f"{max(different)[0]:.3f} |",
        "",
        f"Closest different pair: {min(different)[1]} / {min(different)[2]} "
        f"({min(different)[0]:.3f}); farthest same pair: {max(same)[1]} / {max(same)[2]} "
        f"({max(same)[0]:.3f}).",
    ]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
